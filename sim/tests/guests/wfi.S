@ WFI: simulated time jumps to the next event; then WFI with nothing scheduled = idle.
#include "macros.inc"
    VECTORS
    ldr r12, =TESTDEV_BASE
    ldr r0, =1000000
    str r0, [r12, #TESTDEV_IRQ_IN]
    ldr r0, [r12, #TESTDEV_NOW]
    LOG r0                            @ before
    cpsie i
    wfi
    ldr r0, [r12, #TESTDEV_NOW]
    LOG r0                            @ after (handler ran first)
    cpsid i
    wfi                               @ no event, nothing pending: idle
    LOGI 0x66666666
    b .
irq_h:
    push {r0, r12}
    ldr r12, =TESTDEV_BASE
    mov r0, #0
    str r0, [r12, #TESTDEV_IRQ]
    ldr r0, [r12, #TESTDEV_NOW]
    LOG r0                            @ in handler
    pop {r0, r12}
    subs pc, lr, #4
svc_h:
und_h:
pabt_h:
dabt_h:
fiq_h:
    b .
