@ Thumb code interrupted mid-stream: a Thumb loop computes sum(i*i + (i ^ 0x55)) for
@ i < 20000 while an IRQ arrives every 137 cycles; the handler (ARM) re-arms it.
@ Log: result, IRQ count, number of IRQs that interrupted Thumb code.
#include "macros.inc"
    VECTORS
    ldr r12, =TESTDEV_BASE
    mov r0, #137
    str r0, [r12, #TESTDEV_IRQ_IN]
    cpsie i
    adr r0, tloop + 1
    blx r0
    cpsid i
    LOG r0
    ldr r1, =irqs
    ldr r0, [r1]
    LOG r0
    ldr r0, [r1, #4]
    LOG r0
    EXIT_OK

irq_h:
    push {r0-r3, r12}
    ldr r12, =TESTDEV_BASE
    mov r0, #0
    str r0, [r12, #TESTDEV_IRQ]
    mov r0, #137
    str r0, [r12, #TESTDEV_IRQ_IN]
    ldr r1, =irqs
    ldr r0, [r1]
    add r0, r0, #1
    str r0, [r1]
    mrs r2, spsr
    tst r2, #0x20
    ldrne r0, [r1, #4]
    addne r0, r0, #1
    strne r0, [r1, #4]
    @ clobber what the Thumb loop uses: the handler must restore them
    pop {r0-r3, r12}
    subs pc, lr, #4

    .thumb
    .align 2
    .thumb_func
tloop:
    push {r4, r5, lr}
    mov r0, #0
    mov r1, #0
    ldr r2, =20000
    mov r5, #0x55
1:  mov r3, r1
    mul r3, r3, r1
    mov r4, r1
    eor r4, r5
    add r3, r3, r4
    add r0, r0, r3
    add r1, #1
    cmp r1, r2
    bne 1b
    pop {r4, r5, pc}
    .pool
    .arm
svc_h:
und_h:
pabt_h:
dabt_h:
fiq_h:
    b .
    .ltorg
    .data
irqs: .word 0, 0
