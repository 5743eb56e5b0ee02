/* ARM1176JZF-S timing model: static cost of one translated block (sim/core only).
 *
 * A block is decoded once (when the block hook misses the cost cache) into
 *   cost     - cycles to issue every instruction of the block, with register
 *              interlocks inside the block (load-use, multiply result latency),
 *   ninsn    - instruction count,
 *   pen_*    - branch penalty the NEXT block pays, decided by this block's last
 *              instruction and whether the next block is its fall-through or not,
 *   flags    - side effects the block hook must act on (see SIM_BF_*).
 * Numbers follow the ARM1176JZF-S TRM (DDI 0301H) chapter 16 "Cycle timings" and the
 * VFP11 TRM (DDI 0274) chapter 5, simplified as documented in timing.c.
 */
#ifndef SIM_CORE_TIMING_H
#define SIM_CORE_TIMING_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sim_cost_entry {
    uint32_t addr, size;           /* key: block virtual address and byte size */
    uint32_t cost, ninsn;
    uint8_t pen_fall, pen_taken;   /* applied to the next block */
    uint8_t flags;                 /* SIM_BF_* */
    uint8_t ccnt_rd;               /* with SIM_BF_CCNT: destination register */
    uint32_t ccnt_off;             /* with SIM_BF_CCNT: byte offset of the MRC in the block */
    uint32_t ccnt_partial;         /* with SIM_BF_CCNT: cost of the instructions before it */
} sim_cost_entry_t;

#define SIM_BF_CPSRW 0x01   /* may unmask interrupts (cps, msr cpsr, movs pc, ldm ^, rfe) */
#define SIM_BF_ICINV 0x02   /* I-cache invalidate: flush the cost cache when charged */
#define SIM_BF_CCNT 0x04    /* reads the cycle counter (mrc p15,0,Rd,c15,c12,1) */

/* Branch prediction model (documented in timing.c). */
#define SIM_T_MISPREDICT 5  /* pipeline refill after a mispredicted branch */
#define SIM_T_EXC_ENTRY 8   /* exception entry: pipeline flush + vector fetch */

/* Decode n instruction bytes at code (little-endian guest memory), ARM or Thumb.
 * insn_mode: 1 cycle per instruction, no penalties. */
void sim_timing_decode(const uint8_t *code, uint32_t size, bool thumb, bool insn_mode,
                       sim_cost_entry_t *out);
/* The same, given the bytes that follow the block (next, next_size; may be NULL/0): when the
 * block ends without a branch, the interlock stalls its results cause in the first
 * SIM_T_LOOKAHEAD_INSNS instructions of the next block are added to its cost. */
#define SIM_T_LOOKAHEAD_INSNS 4
void sim_timing_decode_next(const uint8_t *code, uint32_t size, const uint8_t *next, uint32_t next_size,
                            bool thumb, bool insn_mode, sim_cost_entry_t *out);

#endif
