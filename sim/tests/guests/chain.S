@ Stops between chained blocks must resume at the block that was about to run, never
@ re-run blocks that already ran. Every block here does non-idempotent work (counters
@ in registers and memory) and the blocks are linked by conditional and unconditional
@ direct branches, which Unicorn chains. The host test forces a stop every few cycles.
#include "macros.inc"
    VECTORS
    @ a cycle-counter read makes the core install a code hook (elsewhere), which changes
    @ how Unicorn generates code: the case where the firmware met the stale-PC bug
    mrc p15, 0, r0, c15, c12, 1
    ldr r12, =TESTDEV_BASE
    ldr r9, =counter
    mov r4, #0
    mov r5, #0
    mov r6, #0
    mov r7, #0
    ldr r8, =CHAIN_ITERS
loop:
    add r4, r4, #1
    tst r4, #1
    beq even                  @ conditional: chained either way
    add r5, r5, #1
    b join
even:
    add r6, r6, #1
join:
    ldr r0, [r9]
    add r0, r0, #1
    str r0, [r9]
    add r7, r7, #3
    subs r8, r8, #1
    bne loop
    LOG r4
    LOG r5
    LOG r6
    LOG r7
    ldr r0, [r9]
    LOG r0
    EXIT_OK
irq_h:
svc_h:
und_h:
pabt_h:
dabt_h:
fiq_h:
    b .
    .data
counter: .word 0
