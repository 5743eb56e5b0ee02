/* ARM1176JZF-S timing model (static, per translated block).
 *
 * Source: ARM1176JZF-S TRM (ARM DDI 0301H) chapter 16 "Cycle Timings and Interlock
 * Behavior", VFP11 TRM (ARM DDI 0274) chapter 5. Simplifications (all deterministic):
 *
 *  - Issue model with a register scoreboard inside one block: every instruction issues
 *    when all its source registers are ready; its results become ready `latency` cycles
 *    after it issued. A block's cost is the issue cycle of its end. Registers are
 *    assumed ready at block entry (no interlock across blocks).
 *      data processing      1 issue, result ready next cycle; register-specified shift +1
 *      LDR/LDRB/LDRH/LDRD   1 issue, result latency 3 (use in the next insn: 2 stall
 *                           cycles, in the one after: 1) ; STR 1 (store data read late)
 *      LDM/STM              ceil(n/2) issue (min 1); last loaded register latency 3
 *      PC loaded (LDR/LDM)  + 3 (load latency before the branch resolves)
 *      MUL/MLA              2 issue, result latency 4 ; SMULxy/SMLAxy 1 issue, latency 3
 *      UMULL/SMULL/(S|U)MLAL/UMAAL 3 issue, result latency 5
 *      media (SIMD, saturate, extend, reverse) 1 issue, latency 2
 *      MRC 1 issue, latency 2 ; MCR 1 ; other coprocessor ops 1
 *      VFP11 (no VFP register scoreboard): single ops 1, double multiply/MAC 2,
 *      FDIVS/FSQRTS 19, FDIVD/FSQRTD 33, VLDR/VSTR 1, VLDM/VSTM ceil(words/2)
 *      SVC/BKPT/undefined 1 here; exception entry adds SIM_T_EXC_ENTRY when taken.
 *  - Branches: each branch issues in 1 cycle. The penalty is paid by the next block,
 *    from the *previous* block's last instruction and whether the next block starts at
 *    its fall-through address (static prediction, backward-taken/forward-not-taken,
 *    as the ARM1176 does for branches missing in its BTAC; a return stack predicts
 *    returns):
 *      B/BL unconditional, conditional backward taken, returns   +0
 *      conditional backward not taken, conditional forward taken  +SIM_T_MISPREDICT
 *      other indirect branches (BX Rm, MOV PC, LDR PC, ...)       +SIM_T_MISPREDICT
 *  - Condition-failed instructions cost as if executed (static model).
 *  - insn mode: 1 cycle per instruction, no penalties.
 *
 * Cost-cache invalidation: the block cache is flushed on image loads and when a block
 * containing an I-cache invalidate (MCR p15,0,Rx,c7,c5,{0,1,2} or c7,c7,0) is charged.
 * The architecture requires that maintenance after writing code (ARM ARM B2.7), so no
 * per-store write hook is needed; a guest that skips it runs with stale *costs* only
 * (Unicorn itself retranslates modified code).
 */
#include "timing.h"

#include <string.h>

#define LAT_LOAD 3
#define LAT_MUL 4
#define LAT_MULL 5
#define LAT_MEDIA 2
#define LAT_MRC 2
#define LAT_SMULXY 3

enum br_kind { BR_NONE, BR_UNCOND, BR_COND_BACK, BR_COND_FWD, BR_RETURN, BR_INDIRECT };

typedef struct ins {
    unsigned issue;        /* issue cycles */
    uint16_t src, src_late;/* source registers; src_late: needed one cycle later (store data) */
    uint16_t dst;          /* result registers with latency lat */
    uint16_t dst1;         /* result registers ready after 1 cycle (writeback, ALU) */
    unsigned lat;
    unsigned extra;        /* cycles added after issue (PC load) */
    enum br_kind br;
    uint8_t flags;
} ins_t;

#define R(n) ((uint16_t)(1u << (n)))

static void dp_dst(ins_t *d, unsigned rd, uint32_t lat)
{
    if (lat <= 1)
        d->dst1 |= R(rd);
    else {
        d->dst |= R(rd);
        d->lat = lat;
    }
}

/* ---- ARM ------------------------------------------------------------------------- */
static void decode_arm(uint32_t i, uint32_t pc, ins_t *d)
{
    unsigned cond = i >> 28, rn = (i >> 16) & 15, rd = (i >> 12) & 15, rs = (i >> 8) & 15, rm = i & 15;
    bool al = cond == 0xE;
    memset(d, 0, sizeof *d);
    d->issue = 1;
    if (cond == 0xF) { /* unconditional space */
        if ((i & 0x0FF10020u) == 0x01000000u) { /* CPS */
            if (i & (1u << 19)) d->flags |= SIM_BF_CPSRW;
        } else if ((i & 0x0E500000u) == 0x08100000u) { /* RFE */
            d->issue = 2;
            d->extra = LAT_LOAD;
            d->src = R(rn);
            d->br = BR_RETURN;
            d->flags |= SIM_BF_CPSRW;
        } else if ((i & 0x0E500000u) == 0x08400000u) { /* SRS */
            d->issue = 1;
        } else if ((i & 0x0E000000u) == 0x0A000000u) { /* BLX imm */
            d->br = BR_UNCOND;
            d->dst1 = R(14);
        }
        return;
    }
    switch ((i >> 25) & 7) {
    case 0:
    case 1:
        if ((i & 0x0FC000F0u) == 0x00000090u) { /* MUL/MLA */
            d->issue = 2;
            d->src = R(rm) | R(rs) | ((i & (1u << 21)) ? R(rd) : 0);
            dp_dst(d, rn, LAT_MUL);
            return;
        }
        if ((i & 0x0F8000F0u) == 0x00800090u || (i & 0x0FF000F0u) == 0x00400090u) { /* long multiplies */
            d->issue = 3;
            d->src = R(rm) | R(rs) | R(rd) | R(rn);
            d->dst = R(rd) | R(rn);
            d->lat = LAT_MULL;
            return;
        }
        if ((i & 0x0FB00FF0u) == 0x01000090u) { /* SWP */
            d->issue = 2;
            d->src = R(rn) | R(rm);
            dp_dst(d, rd, LAT_LOAD);
            return;
        }
        if ((i & 0x0F900FF0u) == 0x01800F90u) { /* STREX */
            d->src = R(rn);
            d->src_late = R(rm);
            dp_dst(d, rd, LAT_LOAD);
            return;
        }
        if ((i & 0x0F900FFFu) == 0x01900F9Fu) { /* LDREX */
            d->src = R(rn);
            dp_dst(d, rd, LAT_LOAD);
            return;
        }
        if (!(i & (1u << 25)) && (i & 0x90u) == 0x90u && (i & 0x60u)) { /* halfword / dual */
            bool l = i & (1u << 20), imm = i & (1u << 22);
            unsigned sh = (i >> 5) & 3;
            d->src = R(rn) | (imm ? 0 : R(rm));
            if (l || sh == 2) { /* loads: LDRH/LDRSB/LDRSH, LDRD */
                dp_dst(d, rd, LAT_LOAD);
                if (!l) d->dst |= R((rd + 1) & 15);
            } else {
                d->src_late = R(rd) | (sh == 3 ? R((rd + 1) & 15) : 0);
            }
            if (!(i & (1u << 24)) || (i & (1u << 21))) d->dst1 |= R(rn);
            return;
        }
        if ((i & 0x0FFFFFD0u) == 0x012FFF10u) { /* BX / BLX Rm */
            d->src = R(rm);
            d->br = (rm == 14 && !(i & 0x20u)) ? BR_RETURN : BR_INDIRECT;
            if (i & 0x20u) d->dst1 = R(14);
            return;
        }
        if ((i & 0x0FB0F000u) == 0x0320F000u || (i & 0x0FB0FFF0u) == 0x0120F000u) { /* MSR */
            if (!(i & (1u << 25))) d->src = R(rm);
            if (!(i & (1u << 22)) && (i & (1u << 16))) d->flags |= SIM_BF_CPSRW;
            return;
        }
        if ((i & 0x0F900090u) == 0x01000080u) { /* SMULxy / SMLAxy / SMLAWy / SMULWy */
            d->src = R(rm) | R(rs) | R(rd);
            dp_dst(d, rn, LAT_SMULXY);
            return;
        }
        if ((i & 0x0F9000F0u) == 0x01000050u) { /* QADD/QSUB/QDADD/QDSUB */
            d->src = R(rm) | R(rn);
            dp_dst(d, rd, LAT_MEDIA);
            return;
        }
        if ((i & 0x0FBF0FFFu) == 0x010F0000u || (i & 0x0FFF0FF0u) == 0x016F0F10u) { /* MRS, CLZ */
            d->src = R(rm);
            dp_dst(d, rd, 1);
            return;
        }
        { /* data processing */
            unsigned op = (i >> 21) & 15;
            bool s = i & (1u << 20), imm = i & (1u << 25);
            if (op != 13 && op != 15) d->src |= R(rn);
            if (!imm) {
                d->src |= R(rm);
                if (i & 0x10u) {
                    d->src |= R(rs);
                    d->issue = 2; /* register-specified shift */
                }
            }
            if (op >= 8 && op <= 11) return; /* TST/TEQ/CMP/CMN */
            if (rd == 15) {
                bool ret = (op == 13 && !imm && rm == 14 && !(i & 0xFF0u)) || (op == 2 && rn == 14 && imm);
                d->br = ret ? BR_RETURN : BR_INDIRECT;
                if (s) d->flags |= SIM_BF_CPSRW;
                return;
            }
            dp_dst(d, rd, 1);
        }
        return;
    case 2:
    case 3: {
        if ((i & 0x0E000010u) == 0x06000010u) { /* media instructions */
            d->src = R(rm) | R(rn) | R(rs);
            if ((i & 0x0F800010u) == 0x07000010u) { /* SMUAD/SMLAD/SMUSD/SMMUL...: multiplier */
                d->src |= R(rd);
                dp_dst(d, rn, LAT_SMULXY);
            } else {
                dp_dst(d, rd, LAT_MEDIA);
            }
            return;
        }
        bool l = i & (1u << 20), reg = i & (1u << 25);
        d->src = R(rn) | (reg ? R(rm) : 0);
        if (!(i & (1u << 24)) || (i & (1u << 21))) d->dst1 |= R(rn);
        if (l) {
            if (rd == 15) {
                d->extra = LAT_LOAD;
                d->br = (rn == 13 && !(i & (1u << 24))) ? BR_RETURN : BR_INDIRECT;
            } else {
                dp_dst(d, rd, LAT_LOAD);
            }
        } else {
            d->src_late = R(rd);
        }
        return;
    }
    case 4: { /* LDM/STM */
        unsigned list = i & 0xFFFFu, n = (unsigned)__builtin_popcount(list);
        bool l = i & (1u << 20);
        d->issue = n > 2 ? (n + 1) / 2 : 1;
        d->src = R(rn);
        if (l) {
            d->dst = (uint16_t)(list & 0x7FFFu);
            d->lat = LAT_LOAD;
            if (list & 0x8000u) {
                d->extra = LAT_LOAD;
                d->br = rn == 13 ? BR_RETURN : BR_INDIRECT;
                if (i & (1u << 22)) d->flags |= SIM_BF_CPSRW;
            }
        } else {
            d->src_late = (uint16_t)list;
        }
        if (i & (1u << 21)) d->dst1 |= R(rn);
        return;
    }
    case 5: { /* B/BL */
        int32_t off = (int32_t)(i << 8) >> 6;
        if (i & (1u << 24)) d->dst1 = R(14);
        d->br = al ? BR_UNCOND : (off < 0 ? BR_COND_BACK : BR_COND_FWD);
        (void)pc;
        return;
    }
    case 6: { /* LDC/STC (VFP loads/stores), MCRR/MRRC */
        if ((i & 0x0FE00000u) == 0x0C400000u) { /* MCRR/MRRC */
            d->src = R(rd) | R(rn);
            if (i & (1u << 20)) dp_dst(d, rd, LAT_MRC), d->dst |= R(rn);
            return;
        }
        unsigned words = i & 0xFFu;
        bool single = (i & (1u << 24)) && !(i & (1u << 21));
        d->src = R(rn);
        d->issue = single ? 1 : (words > 2 ? (words + 1) / 2 : 1);
        if (i & (1u << 21)) d->dst1 |= R(rn);
        return;
    }
    default: /* 7: coprocessor data/register transfer, SVC */
        if (i & (1u << 24)) return; /* SVC */
        {
            unsigned cp = (i >> 8) & 15, crn = rn, crm = rm, opc1 = (i >> 21) & 7, opc2 = (i >> 5) & 7;
            if (i & 0x10u) { /* MCR/MRC */
                bool l = i & (1u << 20);
                if (cp == 15 && !l && opc1 == 0 && crn == 7 &&
                    ((crm == 5 && opc2 <= 2) || (crm == 7 && opc2 == 0)))
                    d->flags |= SIM_BF_ICINV;
                if (cp == 15 && l && opc1 == 0 && crn == 15 && crm == 12 && opc2 == 1 && rd != 15)
                    d->flags |= SIM_BF_CCNT;
                if (l) {
                    if (rd != 15) dp_dst(d, rd, LAT_MRC);
                } else {
                    d->src = R(rd);
                }
                return;
            }
            if (cp == 10 || cp == 11) { /* VFP data processing */
                bool dbl = cp == 11;
                unsigned op = ((i >> 20) & 8) | ((i >> 19) & 4) | ((i >> 19) & 2) | ((i >> 6) & 1);
                if (op == 8 || op == 9 || (op == 15 && crn == 1 && (i & 0x80u))) /* FDIV, FSQRT */
                    d->issue = dbl ? 33 : 19;
                else if (dbl && op <= 5)   /* double multiply / multiply-accumulate */
                    d->issue = 2;
            }
        }
        return;
    }
}

/* ---- Thumb (ARMv6: 16-bit, BL/BLX pair) ------------------------------------------------ */
static unsigned decode_thumb(const uint8_t *p, uint32_t avail, ins_t *d)
{
    uint16_t i = (uint16_t)(p[0] | p[1] << 8);
    memset(d, 0, sizeof *d);
    d->issue = 1;
    unsigned rd = i & 7, rn = (i >> 3) & 7, rm = (i >> 6) & 7;
    switch (i >> 11) {
    case 0x00: case 0x01: case 0x02: /* shift imm */
        d->src = R(rn);
        dp_dst(d, rd, 1);
        return 2;
    case 0x03: /* add/sub */
        d->src = R(rn) | ((i & 0x400) ? 0 : R(rm));
        dp_dst(d, rd, 1);
        return 2;
    case 0x04: case 0x05: case 0x06: case 0x07: /* mov/cmp/add/sub imm8 */
        d->src = R((i >> 8) & 7);
        if (((i >> 11) & 3) != 1) dp_dst(d, (i >> 8) & 7, 1);
        return 2;
    case 0x08:
        if (!(i & 0x400)) { /* ALU */
            unsigned op = (i >> 6) & 15;
            d->src = R(rd) | R(rn);
            if (op == 13) { /* MUL */
                d->issue = 2;
                dp_dst(d, rd, LAT_MUL);
            } else {
                if (op == 2 || op == 3 || op == 4 || op == 7) d->issue = 2; /* shift by register */
                if (op != 8 && op != 10 && op != 11) dp_dst(d, rd, 1);
            }
            return 2;
        }
        { /* hi register ops, BX/BLX */
            unsigned op = (i >> 8) & 3, hd = (i & 7) | ((i >> 4) & 8), hm = (i >> 3) & 15;
            d->src = R(hm) | (op != 2 ? R(hd) : 0);
            if (op == 3) {
                d->br = (hm == 14 && !(i & 0x80)) ? BR_RETURN : BR_INDIRECT;
                if (i & 0x80) d->dst1 = R(14);
            } else if (op != 1) {
                if (hd == 15)
                    d->br = BR_INDIRECT;
                else
                    dp_dst(d, hd, 1);
            }
        }
        return 2;
    case 0x09: /* LDR literal */
        dp_dst(d, (i >> 8) & 7, LAT_LOAD);
        return 2;
    case 0x0A: case 0x0B: /* register offset */
        d->src = R(rn) | R(rm);
        if (((i >> 9) & 7) <= 2)
            d->src_late = R(rd);
        else
            dp_dst(d, rd, LAT_LOAD);
        return 2;
    case 0x0C: case 0x0D: case 0x0E: case 0x0F: case 0x10: case 0x11: /* imm offset */
        d->src = R(rn);
        if (i & 0x800)
            dp_dst(d, rd, LAT_LOAD);
        else
            d->src_late = R(rd);
        return 2;
    case 0x12: case 0x13: /* SP relative */
        d->src = R(13);
        if (i & 0x800)
            dp_dst(d, (i >> 8) & 7, LAT_LOAD);
        else
            d->src_late = R((i >> 8) & 7);
        return 2;
    case 0x14: case 0x15: /* ADD Rd, PC/SP */
        d->src = R(13);
        dp_dst(d, (i >> 8) & 7, 1);
        return 2;
    case 0x16: case 0x17: /* misc */
        if ((i & 0x0600) == 0x0400) { /* PUSH/POP */
            unsigned n = (unsigned)__builtin_popcount(i & 0x1FFu);
            d->issue = n > 2 ? (n + 1) / 2 : 1;
            d->src = R(13);
            d->dst1 = R(13);
            if (i & 0x800) {
                d->dst = (uint16_t)(i & 0xFF);
                d->lat = LAT_LOAD;
                if (i & 0x100) {
                    d->extra = LAT_LOAD;
                    d->br = BR_RETURN;
                }
            } else {
                d->src_late = (uint16_t)((i & 0xFF) | ((i & 0x100) ? R(14) : 0));
            }
        } else if ((i & 0xFFE8) == 0xB660) { /* CPS */
            if (!(i & 0x10)) d->flags |= SIM_BF_CPSRW;
        } else if ((i & 0xFF00) == 0xB000) { /* ADD/SUB SP */
            d->src = d->dst1 = R(13);
        } else {
            d->src = R(rn);
            dp_dst(d, rd, 1);
        }
        return 2;
    case 0x18: case 0x19: { /* LDMIA/STMIA */
        unsigned list = i & 0xFF, n = (unsigned)__builtin_popcount(list), b = (i >> 8) & 7;
        d->issue = n > 2 ? (n + 1) / 2 : 1;
        d->src = R(b);
        d->dst1 = R(b);
        if (i & 0x800) {
            d->dst = (uint16_t)list;
            d->lat = LAT_LOAD;
        } else {
            d->src_late = (uint16_t)list;
        }
        return 2;
    }
    case 0x1A: case 0x1B: { /* conditional branch, SVC */
        unsigned cond = (i >> 8) & 15;
        if (cond >= 14) return 2;
        d->br = (i & 0x80) ? BR_COND_BACK : BR_COND_FWD;
        return 2;
    }
    case 0x1C: /* B */
        d->br = BR_UNCOND;
        return 2;
    case 0x1E: /* BL/BLX prefix: one instruction with its suffix */
        if (avail >= 4 && ((p[3] << 8 | p[2]) & 0xE800) == 0xE800) {
            d->br = BR_UNCOND;
            d->dst1 = R(14);
            return 4;
        }
        d->dst1 = R(14);
        return 2;
    default: /* lone BL suffix */
        d->br = BR_UNCOND;
        d->dst1 = R(14);
        return 2;
    }
}

/* Decodes the instruction at code + off (ARM or Thumb); returns its length in bytes. */
static unsigned decode_one(const uint8_t *code, uint32_t off, uint32_t size, bool thumb, ins_t *d)
{
    if (thumb) return decode_thumb(code + off, size - off, d);
    uint32_t w = (uint32_t)code[off] | (uint32_t)code[off + 1] << 8 | (uint32_t)code[off + 2] << 16 |
                 (uint32_t)code[off + 3] << 24;
    decode_arm(w, off, d);
    return 4;
}

/* Issues d at the earliest cycle >= t its sources allow (interlocks), updates when its
 * results are ready, and returns the cycle the next instruction may issue. */
static uint32_t issue_one(const ins_t *d, uint32_t ready[16], uint32_t t)
{
    uint32_t start = t;
    for (unsigned r = 0; r < 16; r++) {
        if ((d->src & R(r)) && ready[r] > start) start = ready[r];
        if ((d->src_late & R(r)) && ready[r] > start + 1) start = ready[r] - 1;
    }
    for (unsigned r = 0; r < 16; r++) {
        if (d->dst & R(r)) ready[r] = start + (d->lat > d->issue ? d->lat : d->issue);
        if (d->dst1 & R(r)) ready[r] = start + d->issue;
    }
    return start + d->issue + d->extra;
}

/* Issue time of `code` (up to SIM_T_LOOKAHEAD_INSNS instructions) after a block that ended
 * at time t with register readiness `carried` (or all ready when NULL). */
static uint32_t lookahead_end(const uint8_t *code, uint32_t size, bool thumb, const uint32_t *carried, uint32_t t)
{
    uint32_t ready[16];
    for (unsigned r = 0; r < 16; r++) ready[r] = carried ? carried[r] : 0;
    for (uint32_t off = 0, k = 0; k < SIM_T_LOOKAHEAD_INSNS && off + (thumb ? 2 : 4) <= size; k++) {
        ins_t d;
        off += decode_one(code, off, size, thumb, &d);
        t = issue_one(&d, ready, t);
        if (d.br != BR_NONE) break;
    }
    return t;
}

void sim_timing_decode(const uint8_t *code, uint32_t size, bool thumb, bool insn_mode, sim_cost_entry_t *out)
{
    sim_timing_decode_next(code, size, NULL, 0, thumb, insn_mode, out);
}

void sim_timing_decode_next(const uint8_t *code, uint32_t size, const uint8_t *next, uint32_t next_size, bool thumb,
                            bool insn_mode, sim_cost_entry_t *out)
{
    uint32_t ready[16] = {0}, t = 0, ninsn = 0;
    enum br_kind last = BR_NONE;
    memset(out, 0, sizeof *out);
    for (uint32_t off = 0; off + (thumb ? 2 : 4) <= size;) {
        ins_t d;
        unsigned len = decode_one(code, off, size, thumb, &d);
        if ((d.flags & SIM_BF_CCNT) && !(out->flags & SIM_BF_CCNT)) {
            out->ccnt_off = off;
            out->ccnt_rd = 0;
            /* destination register is the bit set in dst (MRC Rd) */
            for (unsigned r = 0; r < 15; r++)
                if ((d.dst | d.dst1) & R(r)) out->ccnt_rd = (uint8_t)r;
            out->ccnt_partial = insn_mode ? ninsn : t;
        }
        out->flags |= d.flags;
        ninsn++;
        off += len;
        last = d.br;
        if (insn_mode) continue;
        t = issue_one(&d, ready, t);
    }
    out->ninsn = ninsn;
    if (insn_mode) {
        out->cost = ninsn;
        return;
    }
    out->cost = t;
    /* A block that ends without a branch was split by the translator (page boundary, size
     * limit), not by the program: the next block surely follows, and the interlocks of this
     * block's last results on its first instructions are charged here, once (the next block
     * is decoded as if every register were ready). Code layout then does not change the
     * cost of straight-line code. */
    if (last == BR_NONE && next && next_size)
        out->cost += lookahead_end(next, next_size, thumb, ready, t) - lookahead_end(next, next_size, thumb, NULL, t);
    switch (last) {
    case BR_COND_BACK: out->pen_fall = SIM_T_MISPREDICT; break;
    case BR_COND_FWD: out->pen_taken = SIM_T_MISPREDICT; break;
    case BR_INDIRECT: out->pen_taken = SIM_T_MISPREDICT; break;
    default: break;
    }
}
