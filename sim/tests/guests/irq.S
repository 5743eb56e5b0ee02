@ IRQ delivery, nested IRQs (srsdb/cps/rfeia with IRQs re-enabled) and FIQ inside IRQ.
@ Log: 'A' (outer IRQ), 'F' (FIQ, nested in the outer IRQ), 'B' (nested IRQ), 'E' (outer
@ IRQ end), 'M' (main resumed), then SPSR values checked by the host.
#include "macros.inc"
    VECTORS
    ldr r12, =TESTDEV_BASE
    ldr r9, =flags
    mov r0, #0
    str r0, [r9]
    mov r0, #500
    str r0, [r12, #TESTDEV_IRQ_IN]
    cpsie if
1:  ldr r0, [r9]
    cmp r0, #0
    beq 1b
    LOGI 'M'
    EXIT_OK

irq_h:
    sub lr, lr, #4
    srsdb sp!, #0x13                  @ save LR_irq, SPSR_irq on the SVC stack
    cps #0x13
    push {r0-r3, r12, lr}
    ldr r12, =TESTDEV_BASE
    mov r0, #0
    str r0, [r12, #TESTDEV_IRQ]       @ clear the line
    ldr r1, =depth
    ldr r2, [r1]
    add r2, r2, #1
    str r2, [r1]
    cmp r2, #1
    bne inner
    LOGI 'A'
    mov r0, #40
    str r0, [r12, #TESTDEV_FIQ_IN]    @ FIQ while in the handler, IRQs masked
    ldr r3, =fiqflag
2:  ldr r0, [r3]
    cmp r0, #0
    beq 2b
    mov r0, #60
    str r0, [r12, #TESTDEV_IRQ_IN]
    cpsie i                           @ nesting
    ldr r3, =flag2
3:  ldr r0, [r3]
    cmp r0, #0
    beq 3b
    cpsid i
    LOGI 'E'
    ldr r0, =flags
    mov r2, #1
    str r2, [r0]
    b out
inner:
    LOGI 'B'
    ldr r3, =flag2
    mov r0, #1
    str r0, [r3]
out:
    ldr r1, =depth
    ldr r2, [r1]
    sub r2, r2, #1
    str r2, [r1]
    pop {r0-r3, r12, lr}
    rfeia sp!

fiq_h:
    ldr r8, =TESTDEV_BASE
    mov r9, #0
    str r9, [r8, #TESTDEV_FIQ]
    LOGI 'F'
    mrs r9, spsr
    and r9, r9, #0x1F
    LOG r9                            @ 0x13: interrupted the SVC-mode handler
    ldr r9, =fiqflag
    mov r10, #1
    str r10, [r9]
    subs pc, lr, #4
svc_h:
und_h:
pabt_h:
dabt_h:
    b .
    .ltorg
    .data
flags: .word 0
depth: .word 0
fiqflag: .word 0
flag2: .word 0
