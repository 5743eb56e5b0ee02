@ IRQ entry latency probes (sim_core_irq_probe): the test device raises BCM2835 source
@ PROBE_SRC through the IC model (enabled here, as the firmware does). Handler labels:
@ probe_h (first instruction, = irq_h) and probe_mid (after three instructions).
@ Pass 1: the source rises while the CPU waits in WFI with IRQs enabled.
@ Pass 2: the source rises while CPSR.I is set for a PROBE_MASK_ITERS-iteration loop.
@ Log: 'A' after pass 1, 'B' after pass 2.
#include "macros.inc"
#define IC_ENABLE1 0x2000B210
    VECTORS
    ldr r12, =TESTDEV_BASE
    ldr r9, =flag
    ldr r0, =IC_ENABLE1
    mov r1, #(1 << PROBE_SRC)
    str r1, [r0]                      @ enable the source in the IC
    mov r0, #PROBE_SRC
    str r0, [r12, #TESTDEV_SRC]       @ select it, level 0
    @ pass 1: unmasked, in WFI
    mov r0, #0
    str r0, [r9]
    ldr r0, =1000
    str r0, [r12, #TESTDEV_SRC_IN]
    cpsie i
1:  wfi
    ldr r0, [r9]
    cmp r0, #0
    beq 1b
    LOGI 'A'
    @ pass 2: masked for the loop
    cpsid i
    mov r0, #0
    str r0, [r9]
    mov r0, #20
    str r0, [r12, #TESTDEV_SRC_IN]
    ldr r1, =PROBE_MASK_ITERS
2:  subs r1, r1, #1
    bne 2b
    cpsie i
3:  ldr r0, [r9]
    cmp r0, #0
    beq 3b
    LOGI 'B'
    EXIT_OK

irq_h:
probe_h:
    .global probe_h
    push {r0, r12}
    ldr r12, =TESTDEV_BASE
    mov r0, r0
probe_mid:
    .global probe_mid
    mov r0, #PROBE_SRC                @ line low (level 0)
    str r0, [r12, #TESTDEV_SRC]
    ldr r12, =flag
    mov r0, #1
    str r0, [r12]
    pop {r0, r12}
    subs pc, lr, #4
svc_h:
und_h:
pabt_h:
dabt_h:
fiq_h:
    b .
    .ltorg
    .data
flag: .word 0
