/* Cache, branch predictor and barrier maintenance for the ARM1176JZF-S (ARMv6 CP15 c7
 * forms, ARM1176 TRM DDI 0301H section 3.2.22, table 3-71):
 *   c7,c10,4 DSB   c7,c10,5 DMB   c7,c5,4 prefetch flush (ISB)
 *   c7,c10,1 clean D line by MVA     c7,c6,1 invalidate D line by MVA
 *   c7,c14,1 clean+invalidate D line by MVA
 *   c7,c5,0 invalidate entire I-cache   c7,c5,6 flush entire branch target cache
 *   c7,c14,0 clean+invalidate entire D-cache   c7,c6,0 invalidate entire D-cache
 * Line length 32 bytes (ARM_CACHE_LINE). Prototypes in hal/cache.h. */
#include "boot/arm.h"

    .syntax unified
    .arm
    .text

    .macro RANGE_OP name, crm
    .globl \name
    .type \name, %function
\name:                              @ (uintptr_t start, size_t len)
    cmp r1, #0
    beq 2f
    add r1, r0, r1                  @ end (exclusive)
    bic r0, r0, #(ARM_CACHE_LINE - 1)
1:  mcr p15, 0, r0, c7, \crm, 1
    add r0, r0, #ARM_CACHE_LINE
    cmp r0, r1
    blo 1b
2:  mov r0, #0
    mcr p15, 0, r0, c7, c10, 4      @ DSB: maintenance complete before we return
    bx lr
    .endm

    RANGE_OP cache_dclean_range, c10
    RANGE_OP cache_dinval_range, c6
    RANGE_OP cache_dflush_range, c14

    .globl cache_dflush_all
    .type cache_dflush_all, %function
cache_dflush_all:
    mov r0, #0
    mcr p15, 0, r0, c7, c14, 0
    mcr p15, 0, r0, c7, c10, 4
    bx lr

    .globl cache_dinval_all
    .type cache_dinval_all, %function
cache_dinval_all:
    mov r0, #0
    mcr p15, 0, r0, c7, c6, 0
    mcr p15, 0, r0, c7, c10, 4
    bx lr

/* Invalidate the entire I-cache. ARM1176 erratum 411920 ("Invalidate Entire Instruction
 * Cache operation might fail to invalidate some lines"): the published workaround issues
 * the operation four times with interrupts masked, followed by eleven NOPs. */
    .globl cache_iinval_all
    .type cache_iinval_all, %function
cache_iinval_all:
    mov r0, #0
    mrs r1, cpsr
    cpsid aif
    mcr p15, 0, r0, c7, c5, 0
    mcr p15, 0, r0, c7, c5, 0
    mcr p15, 0, r0, c7, c5, 0
    mcr p15, 0, r0, c7, c5, 0
    msr cpsr_cx, r1                 @ restores I, F and A (x field)
    .rept 11
    nop
    .endr
    mcr p15, 0, r0, c7, c5, 6       @ flush branch target cache too
    mcr p15, 0, r0, c7, c5, 4
    bx lr

    .globl cache_btac_flush
    .type cache_btac_flush, %function
cache_btac_flush:
    mov r0, #0
    mcr p15, 0, r0, c7, c5, 6
    mcr p15, 0, r0, c7, c5, 4
    bx lr
