@ The p15 cycle counter reads the simulated cycle count.
#include "macros.inc"
    VECTORS
    mrc p15, 0, r0, c15, c12, 1
    add r2, r2, #1
    add r2, r2, #1
    add r2, r2, #1
    add r2, r2, #1
    add r2, r2, #1
    add r2, r2, #1
    add r2, r2, #1
    add r2, r2, #1
    add r2, r2, #1
    add r2, r2, #1
    mrc p15, 0, r1, c15, c12, 1
    sub r3, r1, r0
    LOG r3                            @ 11 with --timing=trm, 11 with insn
    ldr r12, =TESTDEV_BASE
    ldr r4, [r12, #TESTDEV_NOW]
    mrc p15, 0, r5, c15, c12, 1
    sub r5, r5, r4
    LOG r5                            @ small, positive
    EXIT_OK
svc_h:
und_h:
pabt_h:
dabt_h:
irq_h:
fiq_h:
    b .
