/* bcm2835-sim core: the ARM1176JZF-S on Unicorn 2.0.1 (see shared/notes/unicorn-arm1176.md).
 *
 * - CPU model set before any map; Secure state at reset (SCR.NS cleared).
 * - Every gap of the 4 GiB space is filled (lazily allocated RAM, or an "unassigned"
 *   logging MMIO page inside the peripheral window) because 2.0.1 checks its own map
 *   against guest *virtual* addresses: without it guest MMU faults are not aborts.
 * - The block hook charges the block's cost from a direct-mapped cache, then compares the
 *   cycle count with one deadline (next timer / max cycles / 0 when an interrupt check is
 *   forced) and stops *before* the block runs. The run loop fires timers, takes IRQ/FIQ by
 *   emulating the exception entry (CPSR first, then SPSR, LR, PC) and resumes with pc|T.
 * - SVC, BKPT, prefetch and data aborts enter the guest vectors from the interrupt hook;
 *   DFSR/FAR and IFSR/IFAR are computed here (instruction decode + table walk).
 * - Undefined instructions come back from uc_emu_start as UC_ERR_INSN_INVALID.
 * - WFI returns UC_ERR_OK with PC after it: simulated time jumps to the next event.
 */
#include "sim_internal.h"
#include "soc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CPSR_M 0x1Fu
#define CPSR_T (1u << 5)
#define CPSR_F (1u << 6)
#define CPSR_I (1u << 7)
#define CPSR_A (1u << 8)
#define CPSR_E (1u << 9)
#define CPSR_J (1u << 24)
#define MODE_USR 0x10u
#define MODE_FIQ 0x11u
#define MODE_IRQ 0x12u
#define MODE_SVC 0x13u
#define MODE_ABT 0x17u
#define MODE_UND 0x1Bu
#define SCTLR_M (1u << 0)
#define SCTLR_A (1u << 1)
#define SCTLR_S (1u << 8)
#define SCTLR_R (1u << 9)
#define SCTLR_V (1u << 13)
#define SCTLR_XP (1u << 23)
#define SCTLR_EE (1u << 25)

/* semihosting (ARM DUI 0471): operation in r0, parameter block in r1 */
#define SEMI_SYS_WRITEC 0x03u
#define SEMI_SYS_WRITE0 0x04u
#define SEMI_SYS_EXIT 0x18u
#define SEMI_ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define SEMI_SVC_ARM 0x123456u
#define SEMI_SVC_THUMB 0xABu

/* Unicorn/QEMU exception numbers seen by UC_HOOK_INTR (target/arm/cpu.h) */
#define EXCP_UDEF 1
#define EXCP_SWI 2
#define EXCP_PREFETCH_ABORT 3
#define EXCP_DATA_ABORT 4
#define EXCP_BKPT 7

/* short-descriptor fault status codes (ARM1176 TRM 3.2.23/3.2.24) */
#define FSR_ALIGN 0x1u
#define FSR_DEBUG 0x2u
#define FSR_TRANS_SECTION 0x5u
#define FSR_TRANS_PAGE 0x7u
#define FSR_DOMAIN_SECTION 0x9u
#define FSR_DOMAIN_PAGE 0xBu
#define FSR_PERM_SECTION 0xDu
#define FSR_PERM_PAGE 0xFu
#define FSR_EXT_L1 0xCu
#define FSR_EXT_L2 0xEu
#define DFSR_WNR (1u << 11)

static int reg_id(unsigned r)
{
    if (r <= 12) return UC_ARM_REG_R0 + (int)r;
    return r == 13 ? UC_ARM_REG_SP : r == 14 ? UC_ARM_REG_LR : UC_ARM_REG_PC;
}

static uint32_t rd_reg(sim_t *s, int id)
{
    uint32_t v = 0;
    uc_reg_read(s->uc, id, &v);
    return v;
}

static void wr_reg(sim_t *s, int id, uint32_t v) { uc_reg_write(s->uc, id, &v); }

uint32_t sim_cp15_read(sim_t *s, unsigned crn, unsigned crm, unsigned opc1, unsigned opc2)
{
    uc_arm_cp_reg r = {.cp = 15, .sec = 1, .crn = crn, .crm = crm, .opc1 = opc1, .opc2 = opc2};
    if (uc_reg_read(s->uc, UC_ARM_REG_CP_REG, &r) != UC_ERR_OK) return 0;
    return (uint32_t)r.val;
}

void sim_cp15_write(sim_t *s, unsigned crn, unsigned crm, unsigned opc1, unsigned opc2, uint32_t v)
{
    uc_arm_cp_reg r = {.cp = 15, .sec = 1, .crn = crn, .crm = crm, .opc1 = opc1, .opc2 = opc2, .val = v};
    uc_reg_write(s->uc, UC_ARM_REG_CP_REG, &r);
}

/* ---- guest MMU: short-descriptor table walk (ARMv6, SCTLR.XP=1, and the ARMv5 format) ---- */
static bool phys32(sim_t *s, uint32_t pa, uint32_t *v)
{
    if ((uint64_t)pa + 4 > s->ram_size) return false;
    memcpy(v, s->ram + pa, 4);
    return true;
}

/* returns 0 or the DFSR/IFSR value (status + domain) of the fault */
static int check_access(uint32_t sctlr, uint32_t dacr, unsigned dom, unsigned ap, unsigned apx, bool xn, bool write,
                        bool exec, bool priv, bool page, uint32_t *fsr)
{
    unsigned d = (dacr >> (2 * dom)) & 3;
    if (d == 0 || d == 2) {
        *fsr = (page ? FSR_DOMAIN_PAGE : FSR_DOMAIN_SECTION) | (dom << 4);
        return -1;
    }
    if (d == 3) return 0;  /* manager: no permission check */
    bool ok_r, ok_w;
    if (!apx) {
        switch (ap) {
        case 0:
            ok_w = false;
            ok_r = (sctlr & SCTLR_R) ? true : (sctlr & SCTLR_S) ? priv : false;
            break;
        case 1: ok_r = ok_w = priv; break;
        case 2: ok_r = true; ok_w = priv; break;
        default: ok_r = ok_w = true; break;
        }
    } else {
        ok_w = false;
        ok_r = ap == 1 ? priv : ap != 0;
    }
    if ((write ? !ok_w : !ok_r) || (exec && xn)) {
        *fsr = (page ? FSR_PERM_PAGE : FSR_PERM_SECTION) | (dom << 4);
        return -1;
    }
    return 0;
}

int sim_va_to_pa(sim_t *s, uint32_t va, bool write, bool exec, bool priv, uint32_t *pa, uint32_t *fsr)
{
    uint32_t sctlr = sim_cp15_read(s, 1, 0, 0, 0);
    *fsr = 0;
    if (!(sctlr & SCTLR_M)) {
        *pa = va;
        return 0;
    }
    bool xp = sctlr & SCTLR_XP;
    uint32_t ttbcr = sim_cp15_read(s, 2, 0, 0, 2), n = ttbcr & 7, ttb;
    if (n && (va >> (32 - n)))
        ttb = sim_cp15_read(s, 2, 0, 0, 1) & 0xFFFFC000u;
    else
        ttb = sim_cp15_read(s, 2, 0, 0, 0) & (0xFFFFFFFFu << (14 - n));
    uint32_t dacr = sim_cp15_read(s, 3, 0, 0, 0), l1, l2;
    if (!phys32(s, ttb | ((va >> 20) << 2), &l1)) {
        *fsr = FSR_EXT_L1;
        return -1;
    }
    unsigned dom = (l1 >> 5) & 15, ap, apx = 0;
    bool xn = false;
    switch (l1 & 3) {
    case 0:
        *fsr = FSR_TRANS_SECTION;
        return -1;
    case 2:
        if (xp && (l1 & (1u << 18))) { /* supersection */
            *pa = (l1 & 0xFF000000u) | (va & 0x00FFFFFFu);
            dom = 0;
        } else {
            *pa = (l1 & 0xFFF00000u) | (va & 0x000FFFFFu);
        }
        ap = (l1 >> 10) & 3;
        if (xp) {
            apx = (l1 >> 15) & 1;
            xn = (l1 >> 4) & 1;
        }
        return check_access(sctlr, dacr, dom, ap, apx, xn, write, exec, priv, false, fsr);
    case 1: /* coarse page table */
        if (!phys32(s, (l1 & 0xFFFFFC00u) | (((va >> 12) & 0xFF) << 2), &l2)) {
            *fsr = FSR_EXT_L2 | (dom << 4);
            return -1;
        }
        break;
    default: /* fine page table (ARMv5 format only) */
        if (xp || !phys32(s, (l1 & 0xFFFFF000u) | (((va >> 10) & 0x3FF) << 2), &l2)) {
            *fsr = xp ? FSR_TRANS_SECTION : (FSR_EXT_L2 | (dom << 4));
            return -1;
        }
        break;
    }
    switch (l2 & 3) {
    case 0:
        *fsr = FSR_TRANS_PAGE | (dom << 4);
        return -1;
    case 1: /* large page 64 KiB */
        *pa = (l2 & 0xFFFF0000u) | (va & 0xFFFFu);
        if (xp) {
            ap = (l2 >> 4) & 3;
            apx = (l2 >> 9) & 1;
            xn = (l2 >> 15) & 1;
        } else {
            ap = (l2 >> (4 + 2 * ((va >> 14) & 3))) & 3;
        }
        break;
    default:
        if (xp) { /* small page, bit 0 = XN */
            *pa = (l2 & 0xFFFFF000u) | (va & 0xFFFu);
            ap = (l2 >> 4) & 3;
            apx = (l2 >> 9) & 1;
            xn = l2 & 1;
        } else if ((l2 & 3) == 2) {
            *pa = (l2 & 0xFFFFF000u) | (va & 0xFFFu);
            ap = (l2 >> (4 + 2 * ((va >> 10) & 3))) & 3;
        } else { /* tiny page 1 KiB */
            *pa = (l2 & 0xFFFFFC00u) | (va & 0x3FFu);
            ap = (l2 >> 4) & 3;
        }
        break;
    }
    return check_access(sctlr, dacr, dom, ap, apx, xn, write, exec, priv, true, fsr);
}

int sim_read_va(sim_t *s, uint32_t va, void *buf, size_t len)
{
    uint8_t *out = buf;
    while (len) {
        uint32_t pa, fsr, chunk = 0x1000u - (va & 0xFFFu);
        if (chunk > len) chunk = (uint32_t)len;
        if (sim_va_to_pa(s, va, false, false, true, &pa, &fsr) != 0) return -1;
        if ((uint64_t)pa + chunk <= s->ram_size)
            memcpy(out, s->ram + pa, chunk);
        else if (uc_mem_read(s->uc, pa, out, chunk) != UC_ERR_OK)
            return -1;
        out += chunk;
        va += chunk;
        len -= chunk;
    }
    return 0;
}

/* ---- exception entry --------------------------------------------------------------- */
static uint32_t vector_base(sim_t *s, uint32_t sctlr)
{
    return (sctlr & SCTLR_V) ? 0xFFFF0000u : (sim_cp15_read(s, 12, 0, 0, 0) & 0xFFFFFFE0u);
}

/* ARM ARM B1.8: CPSR first (switches the banks), then SPSR, LR, PC. */
static void exc_enter(sim_t *s, uint32_t mode, uint32_t offset, uint32_t lr, uint32_t old_cpsr, bool mask_f,
                      bool mask_a)
{
    uint32_t sctlr = sim_cp15_read(s, 1, 0, 0, 0);
    uint32_t n = (old_cpsr & ~(CPSR_M | CPSR_T | CPSR_J | CPSR_E)) | mode | CPSR_I;
    if (mask_f) n |= CPSR_F;
    if (mask_a) n |= CPSR_A;
    if (sctlr & SCTLR_EE) n |= CPSR_E;
    wr_reg(s, UC_ARM_REG_CPSR, n);
    wr_reg(s, UC_ARM_REG_SPSR, old_cpsr);
    wr_reg(s, UC_ARM_REG_LR, lr);
    uint32_t pc = vector_base(s, sctlr) + offset;
    wr_reg(s, UC_ARM_REG_PC, pc);
    s->cycles += s->cfg.timing == SIM_TIMING_INSN ? 0 : SIM_T_EXC_ENTRY;
    s->next_pc = pc;  /* the vector fetch is part of the entry cost */
    s->pen_fall = s->pen_taken = 0;
}

static void stop_now(sim_t *s)
{
    s->hook_stopped = true;
    uc_emu_stop(s->uc);
}

/* Stop before the block at addr runs (block hook only); see sim_t.stop_pc. */
static void stop_before_block(sim_t *s, uint32_t addr)
{
    s->stop_pc = addr;
    s->stop_pc_valid = true;
    stop_now(s);
}

static void fail(sim_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(sim_t *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->stop_msg, sizeof s->stop_msg, fmt, ap);
    va_end(ap);
    if (s->stop_req == SIM_STOP_NONE) s->stop_req = SIM_STOP_ERROR;
    s->deadline = 0;
}

/* ---- data abort address: decode the faulting instruction ------------------------------- */
static uint32_t greg(sim_t *s, unsigned r, uint32_t pc, bool thumb)
{
    if (r == 15) return pc + (thumb ? 4 : 8);
    return rd_reg(s, reg_id(r));
}

static uint32_t shift_imm(uint32_t v, unsigned type, unsigned amt)
{
    switch (type) {
    case 0: return amt ? v << amt : v;
    case 1: return amt ? v >> amt : 0;
    case 2: return amt ? (uint32_t)((int32_t)v >> amt) : (uint32_t)((int32_t)v >> 31);
    default: return amt ? (v >> amt) | (v << (32 - amt)) : v >> 1;
    }
}

/* Start address, number of 32-bit words touched and direction of a load/store. */
static bool ls_decode(sim_t *s, uint32_t pc, bool thumb, uint32_t *addr, unsigned *words, bool *write)
{
    *words = 1;
    *write = false;
    if (thumb) {
        uint16_t i;
        if (sim_read_va(s, pc, &i, 2)) return false;
        unsigned rn = (i >> 3) & 7;
        if ((i & 0xF800) == 0x4800) {
            *addr = ((pc + 4) & ~3u) + (i & 0xFFu) * 4;
        } else if ((i & 0xF000) == 0x5000) {
            *addr = greg(s, rn, pc, true) + greg(s, (i >> 6) & 7, pc, true);
            *write = ((i >> 9) & 7) <= 2;
        } else if ((i & 0xE000) == 0x6000) {
            unsigned imm = (i >> 6) & 31;
            *addr = greg(s, rn, pc, true) + ((i & 0x1000) ? imm : imm * 4);
            *write = !(i & 0x0800);
        } else if ((i & 0xF000) == 0x8000) {
            *addr = greg(s, rn, pc, true) + ((i >> 6) & 31) * 2;
            *write = !(i & 0x0800);
        } else if ((i & 0xF000) == 0x9000) {
            *addr = greg(s, 13, pc, true) + (i & 0xFFu) * 4;
            *write = !(i & 0x0800);
        } else if ((i & 0xF600) == 0xB400) { /* push / pop */
            unsigned n = (unsigned)__builtin_popcount(i & 0x1FFu);
            *words = n;
            *write = !(i & 0x0800);
            *addr = greg(s, 13, pc, true) - (*write ? 4 * n : 0);
        } else if ((i & 0xF000) == 0xC000) {
            *words = (unsigned)__builtin_popcount(i & 0xFFu);
            *addr = greg(s, (i >> 8) & 7, pc, true);
            *write = !(i & 0x0800);
        } else {
            return false;
        }
        return true;
    }
    uint32_t i;
    if (sim_read_va(s, pc, &i, 4)) return false;
    unsigned rn = (i >> 16) & 15;
    bool p = i & (1u << 24), u = i & (1u << 23), l = i & (1u << 20);
    uint32_t base = greg(s, rn, pc, false);
    if ((i & 0x0C000000u) == 0x04000000u) { /* LDR/STR/LDRB/STRB */
        uint32_t off = (i & (1u << 25)) ? shift_imm(greg(s, i & 15, pc, false), (i >> 5) & 3, (i >> 7) & 31)
                                         : (i & 0xFFFu);
        *addr = p ? (u ? base + off : base - off) : base;
        *write = !l;
    } else if ((i & 0x0FB00FF0u) == 0x01000090u) { /* SWP/SWPB */
        *addr = base;
    } else if ((i & 0x0F900FF0u) == 0x01800F90u || (i & 0x0F900FFFu) == 0x01900F9Fu) { /* STREX/LDREX */
        *addr = base;
        *write = !l;
    } else if ((i & 0x0E000090u) == 0x00000090u && (i & 0x60u)) { /* halfword, signed, doubleword */
        uint32_t off = (i & (1u << 22)) ? (((i >> 4) & 0xF0u) | (i & 15)) : greg(s, i & 15, pc, false);
        *addr = p ? (u ? base + off : base - off) : base;
        unsigned sh = (i >> 5) & 3;
        if (!l && sh >= 2) { /* LDRD (sh=2) / STRD (sh=3) */
            *words = 2;
            *write = sh == 3;
        } else {
            *write = !l;
        }
    } else if ((i & 0x0E000000u) == 0x08000000u) { /* LDM/STM */
        unsigned n = (unsigned)__builtin_popcount(i & 0xFFFFu);
        *words = n ? n : 1;
        *addr = u ? (p ? base + 4 : base) : (p ? base - 4 * n : base - 4 * n + 4);
        *write = !l;
    } else if ((i & 0x0E000000u) == 0x0C000000u) { /* LDC/STC: VFP loads/stores */
        uint32_t off = (i & 0xFFu) * 4;
        bool dbl = ((i >> 8) & 15) == 11;
        if (p && !(i & (1u << 21))) { /* VLDR/VSTR */
            *addr = u ? base + off : base - off;
            *words = dbl ? 2 : 1;
        } else { /* VLDM/VSTM */
            *addr = (p && !u) ? base - off : base;
            *words = (i & 0xFFu) ? (i & 0xFFu) : 1;
        }
        *write = !l;
    } else {
        return false;
    }
    return true;
}

static void data_abort(sim_t *s)
{
    uint32_t pc = rd_reg(s, UC_ARM_REG_PC), cpsr = rd_reg(s, UC_ARM_REG_CPSR);
    bool thumb = cpsr & CPSR_T, priv = (cpsr & CPSR_M) != MODE_USR, write = false;
    uint32_t addr = 0, fsr = FSR_TRANS_SECTION, far = 0, pa;
    unsigned words = 1;
    if (ls_decode(s, pc, thumb, &addr, &words, &write)) {
        far = addr;
        bool found = false;
        for (unsigned k = 0; k < words && !found; k++) {
            uint32_t f;
            if (sim_va_to_pa(s, addr + 4 * k, write, false, priv, &pa, &f) != 0) {
                far = addr + 4 * k;
                fsr = f;
                found = true;
            }
        }
        if (!found && (sim_cp15_read(s, 1, 0, 0, 0) & SCTLR_A)) fsr = FSR_ALIGN;
    } else if (s->cfg.verbose) {
        sim_log(s, "data abort at 0x%08x: cannot decode the instruction; DFSR/FAR approximate", pc);
    }
    if (write) fsr |= DFSR_WNR;
    sim_cp15_write(s, 5, 0, 0, 0, fsr);
    sim_cp15_write(s, 6, 0, 0, 0, far);
    s->stats.dabts++;
    if (s->cfg.verbose >= 2) sim_log(s, "data abort pc=0x%08x far=0x%08x dfsr=0x%03x", pc, far, fsr);
    exc_enter(s, MODE_ABT, 0x10, pc + 8, cpsr, false, true);
}

static void prefetch_abort(sim_t *s, bool bkpt)
{
    uint32_t pc = rd_reg(s, UC_ARM_REG_PC), cpsr = rd_reg(s, UC_ARM_REG_CPSR);
    uint32_t fsr = FSR_DEBUG, pa;
    if (!bkpt) {
        bool priv = (cpsr & CPSR_M) != MODE_USR;
        if (sim_va_to_pa(s, pc, false, true, priv, &pa, &fsr) == 0) {
            uint32_t f2 = 0; /* instruction straddling into the next page */
            if (sim_va_to_pa(s, pc + 3, false, true, priv, &pa, &f2) != 0) fsr = f2;
            else fsr = FSR_TRANS_SECTION;
        }
        sim_cp15_write(s, 6, 0, 0, 2, pc); /* IFAR */
    }
    sim_cp15_write(s, 5, 0, 0, 1, fsr);    /* IFSR */
    s->stats.pabts++;
    exc_enter(s, MODE_ABT, 0x0C, pc + 4, cpsr, false, true);
}

/* ---- semihosting ------------------------------------------------------------------------ */
static void semihost(sim_t *s)
{
    uint32_t op = rd_reg(s, UC_ARM_REG_R0), arg = rd_reg(s, UC_ARM_REG_R1), ret = 0;
    switch (op) {
    case SEMI_SYS_WRITEC: {
        uint8_t c;
        if (sim_read_va(s, arg, &c, 1) == 0) fputc(c, stdout);
        break;
    }
    case SEMI_SYS_WRITE0: {
        char c;
        for (unsigned n = 0; n < 65536 && sim_read_va(s, arg + n, &c, 1) == 0 && c; n++) fputc(c, stdout);
        fflush(stdout);
        break;
    }
    case SEMI_SYS_EXIT: {
        /* AArch32: r1 holds the reason code itself (not a parameter block) */
        s->stop_req = arg == SEMI_ADP_STOPPED_APPLICATION_EXIT ? SIM_STOP_HALT : SIM_STOP_GUEST_FAIL;
        if (arg != SEMI_ADP_STOPPED_APPLICATION_EXIT)
            snprintf(s->stop_msg, sizeof s->stop_msg, "guest SYS_EXIT reason 0x%x", arg);
        fflush(stdout);
        stop_now(s);
        return;
    }
    default:
        sim_guest_error(s, "semihosting", "unsupported operation 0x%x", op);
        ret = (uint32_t)-1;
        break;
    }
    wr_reg(s, UC_ARM_REG_R0, ret);
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *user)
{
    (void)uc;
    sim_t *s = user;
    switch (intno) {
    case EXCP_SWI: {
        uint32_t pc = rd_reg(s, UC_ARM_REG_PC), cpsr = rd_reg(s, UC_ARM_REG_CPSR);
        bool thumb = cpsr & CPSR_T;
        /* Semihosting only from privileged modes, as QEMU 7.2 does without
         * -semihosting-config userspace=on: a user-mode SVC 0x123456 (a sandboxed payload)
         * is an ordinary SVC for the guest kernel and must not stop the machine. */
        if (s->semihosting && (cpsr & CPSR_M) != MODE_USR) {
            uint32_t insn = 0;
            if (thumb) {
                uint16_t t = 0;
                sim_read_va(s, pc - 2, &t, 2);
                if ((t & 0xFF) == SEMI_SVC_THUMB) {
                    semihost(s);
                    return;
                }
            } else if (sim_read_va(s, pc - 4, &insn, 4) == 0 && (insn & 0x00FFFFFFu) == SEMI_SVC_ARM) {
                semihost(s);
                return;
            }
        }
        s->stats.svcs++;
        exc_enter(s, MODE_SVC, 0x08, pc, cpsr, false, false);
        return;
    }
    case EXCP_DATA_ABORT:
        data_abort(s);
        return;
    case EXCP_PREFETCH_ABORT:
        prefetch_abort(s, false);
        return;
    case EXCP_BKPT:
        prefetch_abort(s, true);
        return;
    case EXCP_UDEF: {
        uint32_t pc = rd_reg(s, UC_ARM_REG_PC), cpsr = rd_reg(s, UC_ARM_REG_CPSR);
        s->stats.undefs++;
        exc_enter(s, MODE_UND, 0x04, pc + ((cpsr & CPSR_T) ? 2 : 4), cpsr, false, false);
        return;
    }
    default:
        fail(s, "unexpected CPU exception %u at pc=0x%08x", intno, rd_reg(s, UC_ARM_REG_PC));
        stop_now(s);
        return;
    }
}

/* ---- the block hook: the hot path -------------------------------------------------------- */
static inline uint32_t cc_index(uint32_t addr, uint32_t size)
{
    return ((addr >> 2) ^ (addr >> (2 + SIM_CC_BITS)) ^ size) & (SIM_CC_SIZE - 1);
}

void sim_cost_cache_flush(sim_t *s)
{
    memset(s->cc, 0, SIM_CC_SIZE * sizeof *s->cc);
    for (uint32_t i = 0; i < SIM_CC_SIZE; i++) s->cc[i].addr = 1; /* odd: never a block address */
    s->stats.cost_cache_flushes++;
}

static sim_ccnt_site_t *ccnt_site_find(sim_t *s, uint32_t next_addr)
{
    for (int i = 0; i < s->n_ccnt_sites; i++)
        if (s->ccnt_sites[i]->next_addr == next_addr) return s->ccnt_sites[i];
    return NULL;
}

sim_cost_entry_t *sim_cost_fill(sim_t *s, uint32_t addr, uint32_t size)
{
    static const uint8_t none[4] = {0};
    sim_cost_entry_t *e = &s->cc[cc_index(addr, size)];
    bool thumb = rd_reg(s, UC_ARM_REG_CPSR) & CPSR_T;
    uint8_t stackbuf[1024];
    uint8_t *buf = size <= sizeof stackbuf ? stackbuf : malloc(size);
    s->stats.cost_cache_misses++;
    if (!buf || sim_read_va(s, addr, buf, size) != 0) {
        /* code not readable through the tables (e.g. MMIO): charge 1 per word */
        sim_timing_decode(none, 0, thumb, true, e);
        e->ninsn = e->cost = size / (thumb ? 2 : 4);
    } else {
        uint8_t next[4 * SIM_T_LOOKAHEAD_INSNS];
        bool have_next = sim_read_va(s, addr + size, next, sizeof next) == 0;
        sim_timing_decode_next(buf, size, have_next ? next : NULL, have_next ? sizeof next : 0, thumb,
                               s->cfg.timing == SIM_TIMING_INSN, e);
    }
    e->addr = addr;
    e->size = size;
    if ((e->flags & SIM_BF_CCNT) && !thumb && buf == stackbuf) {
        /* every `mrc p15,0,Rd,c15,c12,1` of the block needs a code hook on the next
         * instruction: stop before this block runs, the run loop adds the hooks and
         * drops the block's translation */
        for (uint32_t off = 0; off + 4 <= size; off += 4) {
            uint32_t w;
            memcpy(&w, buf + off, 4);
            if ((w & 0x0FFF0FFFu) != 0x0E1F0F3Cu || ((w >> 12) & 15) == 15) continue;
            uint32_t next = addr + off + 4;
            bool known = ccnt_site_find(s, next) != NULL;
            for (int k = 0; k < s->n_ccnt_pending; k++) known |= s->ccnt_pending[k].next_addr == next;
            if (known || s->n_ccnt_pending == 8 || s->n_ccnt_sites + s->n_ccnt_pending >= SIM_MAX_CCNT_SITES)
                continue;
            sim_cost_entry_t pre;
            sim_timing_decode(buf, off, false, s->cfg.timing == SIM_TIMING_INSN, &pre);
            s->ccnt_pending[s->n_ccnt_pending++] = (sim_ccnt_site_t){
                .next_addr = next, .block_addr = addr, .partial = pre.cost, .rd = (uint8_t)((w >> 12) & 15),
                .sim = s};
        }
        if (s->n_ccnt_pending) {
            e->addr = 1; /* decode again after the retranslation */
            stop_before_block(s, addr);
            return NULL;
        }
    }
    if (buf != stackbuf) free(buf);
    return e;
}

static void block_slow(sim_t *s, const sim_cost_entry_t *e)
{
    if ((e->flags & SIM_BF_CPSRW) && (s->irq_line || s->fiq_line)) s->deadline = 0;
    if (e->flags & SIM_BF_ICINV) sim_cost_cache_flush(s);
}

static void hook_block(uc_engine *uc, uint64_t addr64, uint32_t size, void *user)
{
    (void)uc;
    sim_t *s = user;
    uint32_t addr = (uint32_t)addr64;
    if (__builtin_expect(s->cycles >= s->deadline, 0)) {
        stop_before_block(s, addr); /* before the block runs: nothing charged */
        return;
    }
    sim_cost_entry_t *e = &s->cc[cc_index(addr, size)];
    if (__builtin_expect(e->addr != addr || e->size != size, 0)) {
        e = sim_cost_fill(s, addr, size);
        if (!e) return;
    }
    uint64_t c = s->cycles + (addr == s->next_pc ? s->pen_fall : s->pen_taken);
    s->block_start = c;
    s->cycles = c + e->cost;
    s->insns += e->ninsn;
    s->blocks++;
    s->next_pc = addr + size;
    s->pen_fall = e->pen_fall;
    s->pen_taken = e->pen_taken;
    s->cur_block = addr;
    if (__builtin_expect(e->flags != 0, 0)) block_slow(s, e);
}

/* CCNT: Unicorn's ARM1176 reads the p15 cycle counter as 0. A code hook on the
 * instruction after each `mrc p15,0,Rd,c15,c12,1` overwrites Rd with the simulated
 * cycle count at the MRC (block start + cost of the instructions before it, +1 for
 * the MRC). PMNC enable/reset/divider are not modelled: CCNT = low 32 bits of cycles. */
static void hook_ccnt(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    (void)uc;
    (void)address;
    (void)size;
    sim_ccnt_site_t *site = user;
    sim_t *s = site->sim;
    /* the MRC is in the current block, or it ended the previous one (fall-through) */
    uint64_t v = s->cur_block == site->block_addr ? s->block_start + site->partial + 1 : s->block_start;
    wr_reg(s, reg_id(site->rd), (uint32_t)v);
}

static int ccnt_install(sim_t *s)
{
    int n = s->n_ccnt_pending;
    s->n_ccnt_pending = 0;
    for (int k = 0; k < n; k++) {
        sim_ccnt_site_t *site = malloc(sizeof *site);
        if (!site) return -1;
        *site = s->ccnt_pending[k];
        if (uc_hook_add(s->uc, &site->hook, UC_HOOK_CODE, (void *)hook_ccnt, site, site->next_addr,
                        site->next_addr) != UC_ERR_OK) {
            free(site);
            return -1;
        }
        s->ccnt_sites[s->n_ccnt_sites++] = site;
        uc_ctl_remove_cache(s->uc, site->block_addr, (uint64_t)site->next_addr + 4);
    }
    return 0;
}

/* ---- IRQ entry latency probes ------------------------------------------------------------- */
/* Cost of the instructions of the current block before addr (as the CCNT hook: the issue
 * time of the instruction at addr is block_start + this). Cached per probe and block. */
static uint32_t probe_partial(sim_t *s, sim_irq_probe_t *p, uint32_t addr)
{
    if (addr == s->cur_block) return 0;
    if (p->pvalid && p->pblock == s->cur_block) return p->ppartial;
    uint32_t len = addr - s->cur_block;
    uint8_t buf[1024];
    sim_cost_entry_t e;
    if (len > sizeof buf || sim_read_va(s, s->cur_block, buf, len) != 0) return 0;
    sim_timing_decode(buf, len, (rd_reg(s, UC_ARM_REG_CPSR) & CPSR_T) != 0, s->cfg.timing == SIM_TIMING_INSN, &e);
    p->pblock = s->cur_block;
    p->ppartial = e.cost;
    p->pvalid = true;
    return e.cost;
}

static void hook_probe(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    (void)uc;
    (void)size;
    sim_irq_probe_t *p = user;
    sim_t *s = p->sim;
    uint32_t a = (uint32_t)address;
    /* the block hook stopped before this block ran (nothing charged): it runs again */
    if (s->hook_stopped) return;
    /* defensive: addr must lie in the block the block hook just charged */
    if (a - s->cur_block >= s->next_pc - s->cur_block) return;
    uint64_t now = s->block_start + probe_partial(s, p, a);
    /* armed for this probe: a rise it has not consumed yet (the IC's own armed flag is
     * cleared by the first probe of the source that hits) */
    uint64_t rise = soc_irq_rise_cycle(s->soc, p->src), seq = soc_irq_rise_seq(s->soc, p->src);
    if (seq == p->seen_seq || rise > now) {
        p->unarmed++; /* not an entry caused by a (new) rise of the source */
        return;
    }
    p->seen_seq = seq;
    soc_irq_take_rise(s->soc, p->src, &rise);
    uint64_t lat = now - rise;
    p->hits++;
    if (lat > p->max) p->max = lat;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 1024;
        uint64_t *n = cap <= SIM_IRQ_PROBE_MAX_SAMPLES ? realloc(p->samples, cap * sizeof *n) : NULL;
        if (!n) {
            p->dropped++;
            return;
        }
        p->samples = n;
        p->cap = cap;
    }
    p->samples[p->n++] = lat;
}

int sim_add_irq_probe(sim_t *s, unsigned src, uint32_t addr, const char *name)
{
    if (src >= 72 || s->n_probes >= SIM_IRQ_PROBE_MAX) return -1;
    sim_irq_probe_t *p = calloc(1, sizeof *p);
    if (!p) return -1;
    p->sim = s;
    p->src = src;
    p->addr = addr & ~1u; /* Thumb symbols have bit 0 set */
    p->seen_seq = soc_irq_rise_seq(s->soc, src); /* rises before the probe existed do not count */
    snprintf(p->name, sizeof p->name, "%s", name ? name : "");
    if (uc_hook_add(s->uc, &p->hook, UC_HOOK_CODE, (void *)hook_probe, p, p->addr, p->addr) != UC_ERR_OK) {
        free(p);
        return -1;
    }
    /* code already translated without the hook (a probe added between runs) */
    uc_ctl_remove_cache(s->uc, p->addr, (uint64_t)p->addr + 4);
    s->probes[s->n_probes] = p;
    return s->n_probes++;
}

int sim_irq_probe_count(const sim_t *s) { return s->n_probes; }

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* nearest-rank percentile q/100 of n sorted values */
static uint64_t nearest_rank(const uint64_t *v, size_t n, unsigned q)
{
    size_t r = (size_t)(((unsigned __int128)n * q + 99) / 100);
    return v[r ? r - 1 : 0];
}

int sim_irq_probe_get(const sim_t *s, int i, sim_irq_probe_info_t *out)
{
    if (i < 0 || i >= s->n_probes) return -1;
    const sim_irq_probe_t *p = s->probes[i];
    *out = (sim_irq_probe_info_t){.src = p->src, .addr = p->addr, .name = p->name, .hits = p->hits,
                                  .unarmed = p->unarmed, .dropped = p->dropped, .nsamples = p->n,
                                  .samples = p->samples, .max = p->max};
    if (p->n) {
        uint64_t *v = malloc(p->n * sizeof *v);
        if (!v) return -1;
        memcpy(v, p->samples, p->n * sizeof *v);
        qsort(v, p->n, sizeof *v, u64_cmp);
        out->min = v[0];
        out->median = nearest_rank(v, p->n, 50);
        out->p99 = nearest_rank(v, p->n, 99);
        free(v);
    }
    return 0;
}

/* ---- set-up ------------------------------------------------------------------------------- */
int sim_cpu_init(sim_t *s)
{
    uc_err e = uc_open(UC_ARCH_ARM, UC_MODE_ARM, &s->uc);
    if (e != UC_ERR_OK) {
        fprintf(stderr, "bcm2835-sim: uc_open: %s\n", uc_strerror(e));
        return -1;
    }
    e = uc_ctl_set_cpu_model(s->uc, UC_CPU_ARM_1176);
    if (e != UC_ERR_OK) {
        fprintf(stderr, "bcm2835-sim: cannot select the ARM1176 model: %s\n", uc_strerror(e));
        return -1;
    }
    sim_cost_cache_flush(s);
    s->stats.cost_cache_flushes = 0;
    if (uc_hook_add(s->uc, &s->h_block, UC_HOOK_BLOCK, (void *)hook_block, s, 1, 0) != UC_ERR_OK ||
        uc_hook_add(s->uc, &s->h_intr, UC_HOOK_INTR, (void *)hook_intr, s, 1, 0) != UC_ERR_OK) {
        fprintf(stderr, "bcm2835-sim: cannot add hooks\n");
        return -1;
    }
    return 0;
}

/* Fill [0, 4 GiB) outside RAM and devices: "unassigned" MMIO pages inside the peripheral
 * window (reads 0, logged as guest errors), lazily allocated RAM elsewhere. */
int sim_cpu_fill_gaps(sim_t *s)
{
    if (s->gaps_filled) return 0;
    const uint64_t win_lo = 0x20000000u, win_hi = 0x21000000u;
    uint64_t a = s->ram_size;
    while (a < 0x100000000ull) {
        /* next device at or after a */
        uint64_t next = 0x100000000ull, next_end = 0;
        for (int i = 0; i < s->ndevs; i++) {
            const sim_device_t *d = s->devs[i];
            if (d->base + (uint64_t)d->size > a && d->base < next) {
                next = d->base;
                next_end = d->base + (uint64_t)d->size;
            }
        }
        if (next <= a) {
            a = next_end;
            continue;
        }
        /* gap [a, next): split at the peripheral window edges */
        uint64_t end = next;
        if (a < win_lo && end > win_lo) end = win_lo;
        if (a < win_hi && end > win_hi) end = win_hi;
        if (a >= win_lo && a < win_hi) {
            if (sim_map_unassigned(s, (uint32_t)a, (uint32_t)(end - a)) != 0) return -1;
        } else {
            for (uint64_t c = a; c < end;) {
                uint64_t len = end - c > 0x40000000u ? 0x40000000u : end - c;
                uc_err e = uc_mem_map(s->uc, c, (size_t)len, UC_PROT_ALL);
                if (e != UC_ERR_OK) {
                    fprintf(stderr, "bcm2835-sim: filling 0x%08llx+0x%llx: %s\n", (unsigned long long)c,
                            (unsigned long long)len, uc_strerror(e));
                    return -1;
                }
                c += len;
            }
        }
        a = end;
    }
    s->gaps_filled = true;
    return 0;
}

/* Reset state (ARM1176 TRM 2.x): Secure SVC, I/F/A masked, ARM state, MMU off. The first
 * call saves the pristine context; later resets restore it. r0=0, r1=machine type
 * (BCM2708 = 3138), r2=0x100 (ATAGs), as the Pi firmware starts a kernel. */
void sim_cpu_reset(sim_t *s)
{
    if (!s->reset_ctx) {
        uc_arm_cp_reg scr = {.cp = 15, .sec = 1, .crn = 1, .crm = 1, .opc1 = 0, .opc2 = 0};
        uc_reg_read(s->uc, UC_ARM_REG_CP_REG, &scr);
        scr.val &= ~1ull; /* SCR.NS = 0: Secure */
        uc_reg_write(s->uc, UC_ARM_REG_CP_REG, &scr);
        wr_reg(s, UC_ARM_REG_CPSR, MODE_SVC | CPSR_I | CPSR_F | CPSR_A);
        if (uc_context_alloc(s->uc, &s->reset_ctx) == UC_ERR_OK) uc_context_save(s->uc, s->reset_ctx);
    } else {
        uint32_t sctlr_reset;
        uc_context_restore(s->uc, s->reset_ctx);
        sctlr_reset = sim_cp15_read(s, 1, 0, 0, 0);
        sim_cp15_write(s, 1, 0, 0, 0, sctlr_reset); /* through the write function: TLB flush */
        uc_ctl_flush_tlb(s->uc);
    }
    for (unsigned r = 0; r <= 14; r++) wr_reg(s, reg_id(r), 0);
    wr_reg(s, UC_ARM_REG_R1, 3138);
    wr_reg(s, UC_ARM_REG_R2, 0x100);
    wr_reg(s, UC_ARM_REG_PC, s->entry);
    s->next_pc = s->entry;
    s->pen_fall = s->pen_taken = 0;
    s->in_wfi = false;
}

void sim_set_entry(sim_t *s, uint32_t pc)
{
    s->entry = pc & ~1u;
    wr_reg(s, UC_ARM_REG_PC, pc);
    if (pc & 1) wr_reg(s, UC_ARM_REG_CPSR, rd_reg(s, UC_ARM_REG_CPSR) | CPSR_T);
    s->next_pc = pc & ~1u;
}

void sim_reset(sim_t *s)
{
    for (int i = 0; i < s->nsegs; i++) {
        sim_segment_t *g = &s->segs[i];
        memcpy(s->ram + g->addr, g->data, g->filesz);
        memset(s->ram + g->addr + g->filesz, 0, g->memsz - g->filesz);
    }
    uc_ctl_flush_tlb(s->uc);
    sim_cost_cache_flush(s);
    sim_cpu_reset(s);
    if (s->soc) soc_reset(s->soc);
    sim_update_deadline(s);
}

/* ---- the run loop -------------------------------------------------------------------------- */
static bool is_wfi(uint32_t insn)
{
    return (insn & 0x0FFFFFFFu) == 0x0320F003u ||               /* WFI (ARMv6K hint) */
           (insn & 0x0FFF0FFFu) == 0x0E070F90u;                 /* MCR p15,0,Rd,c7,c0,4 */
}

static bool is_nop_hint(uint32_t insn)
{
    uint32_t h = insn & 0x0FFFFFFFu;
    return h == 0x0320F001u || h == 0x0320F002u || h == 0x0320F004u; /* YIELD, WFE, SEV */
}

static double host_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static sim_stop_t run_loop(sim_t *s)
{
    for (;;) {
        /* timers due before the next block, then pending requests */
        sim_fire_due_timers(s);
        if (s->reset_req) {
            sim_do_board_reset(s);
            sim_fire_due_timers(s);
        }
        if (s->stop_req != SIM_STOP_NONE) {
            sim_stop_t r = s->stop_req;
            s->stop_req = SIM_STOP_NONE;
            return r;
        }
        if (s->cfg.max_cycles && s->cycles >= s->cfg.max_cycles) return SIM_STOP_CYCLE_LIMIT;
        if (s->n_ccnt_pending && ccnt_install(s) != 0) {
            fail(s, "cannot install the cycle counter hook");
            continue;
        }
        if (s->in_wfi) {
            /* WFI: wake on an asserted IRQ/FIQ line (even if masked in CPSR, as the
             * architecture says); until then jump to the next device event */
            if (!s->irq_line && !s->fiq_line) {
                uint64_t next = sim_next_event(s);
                /* interactive host input enters only here, with simulated time frozen */
                if (soc_idle(s->soc, next == UINT64_MAX)) continue;
                if (next == UINT64_MAX) {
                    snprintf(s->stop_msg, sizeof s->stop_msg,
                             "WFI with no interrupt pending and no future event");
                    return SIM_STOP_IDLE;
                }
                if (s->cfg.max_cycles && next > s->cfg.max_cycles) next = s->cfg.max_cycles;
                if (next > s->cycles) s->cycles = next;
                continue;
            }
            s->in_wfi = false;
        }
        uint32_t cpsr = rd_reg(s, UC_ARM_REG_CPSR);
        if (s->fiq_line && !(cpsr & CPSR_F)) {
            s->stats.fiqs_taken++;
            exc_enter(s, MODE_FIQ, 0x1C, rd_reg(s, UC_ARM_REG_PC) + 4, cpsr, true, true);
            cpsr = rd_reg(s, UC_ARM_REG_CPSR);
        } else if (s->irq_line && !(cpsr & CPSR_I)) {
            s->stats.irqs_taken++;
            exc_enter(s, MODE_IRQ, 0x18, rd_reg(s, UC_ARM_REG_PC) + 4, cpsr, false, true);
            cpsr = rd_reg(s, UC_ARM_REG_CPSR);
        }
        sim_update_deadline(s);
        uint32_t pc = rd_reg(s, UC_ARM_REG_PC);
        s->hook_stopped = false;
        s->stop_pc_valid = false;
        uc_err err = uc_emu_start(s->uc, pc | ((cpsr & CPSR_T) ? 1u : 0u), SIM_UNTIL_ADDR, 0, 0);
        if (err == UC_ERR_OK) {
            if (s->hook_stopped) {
                /* a PC write takes the Thumb state from bit 0 (Unicorn) */
                if (s->stop_pc_valid)
                    wr_reg(s, UC_ARM_REG_PC, s->stop_pc | ((rd_reg(s, UC_ARM_REG_CPSR) & CPSR_T) ? 1u : 0u));
                continue;
            }
            /* WFI: returns with PC after it */
            pc = rd_reg(s, UC_ARM_REG_PC);
            cpsr = rd_reg(s, UC_ARM_REG_CPSR);
            uint32_t insn = 0;
            if (!(cpsr & CPSR_T) && (sim_read_va(s, pc - 4, &insn, 4) != 0 || !is_wfi(insn))) {
                fail(s, "emulation returned unexpectedly at pc=0x%08x", pc);
                continue;
            }
            s->stats.wfis++;
            s->in_wfi = true;
            continue;
        }
        pc = rd_reg(s, UC_ARM_REG_PC);
        cpsr = rd_reg(s, UC_ARM_REG_CPSR);
        if (err == UC_ERR_INSN_INVALID) {
            bool thumb = cpsr & CPSR_T;
            uint32_t prev = 0;
            if (!thumb && pc - 4 - s->cur_block < s->next_pc - s->cur_block && sim_read_va(s, pc - 4, &prev, 4) == 0 &&
                is_nop_hint(prev))
                continue; /* YIELD/WFE/SEV: NOPs on a single core; PC is already after it */
            s->stats.undefs++;
            if (s->cfg.verbose >= 2) sim_log(s, "undefined instruction at 0x%08x", pc);
            exc_enter(s, MODE_UND, 0x04, pc + (thumb ? 2 : 4), cpsr, false, false);
            continue;
        }
        fail(s, "%s near pc=0x%08x (block 0x%08x); cannot continue", uc_strerror(err), pc, s->cur_block);
    }
}

sim_stop_t sim_run(sim_t *s)
{
    if (sim_cpu_fill_gaps(s) != 0) {
        snprintf(s->stop_msg, sizeof s->stop_msg, "cannot build the memory map");
        return SIM_STOP_ERROR;
    }
    s->stop_msg[0] = s->stop_msg[0] && s->stop_req != SIM_STOP_NONE ? s->stop_msg[0] : '\0';
    double t0 = host_now();
    s->running = true;
    sim_stop_t r = run_loop(s);
    s->running = false;
    s->stats.host_seconds += host_now() - t0;
    sim_update_deadline(s);
    if (r == SIM_STOP_ERROR && s->stop_msg[0]) fprintf(stderr, "bcm2835-sim: error: %s\n", s->stop_msg);
    return r;
}

const char *sim_stop_message(const sim_t *s) { return s->stop_msg; }

const char *sim_stop_name(sim_stop_t why)
{
    switch (why) {
    case SIM_STOP_NONE: return "none";
    case SIM_STOP_HALT: return "halt";
    case SIM_STOP_ERROR: return "error";
    case SIM_STOP_USAGE: return "usage";
    case SIM_STOP_CYCLE_LIMIT: return "cycle-limit";
    case SIM_STOP_WATCHDOG: return "watchdog";
    case SIM_STOP_GUEST_FAIL: return "guest-fail";
    case SIM_STOP_UART_TEXT: return "uart-text";
    case SIM_STOP_IDLE: return "idle";
    case SIM_STOP_REQUEST: return "request";
    }
    return "?";
}
