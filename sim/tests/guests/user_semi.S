@ Semihosting is honoured from privileged modes only (QEMU 7.2 default): a user-mode
@ SVC 0x123456 asking for SYS_EXIT with a failure reason must reach the guest's SVC
@ vector, whose (privileged) handler logs what it saw and exits OK.
#include "macros.inc"
    VECTORS
    cps #0x10                        @ user mode (MMU off: no permission checks)
    mov r0, #SEMI_SYS_EXIT
    ldr r1, =0x20023                 @ ADP_Stopped_RunTimeErrorUnknown: a failing exit
    svc 0x123456
    LOGI 0xBAD0BAD0                  @ not reached: the handler exits
    b .

svc_h:
    ldr r0, [lr, #-4]
    bic r0, r0, #0xFF000000
    LOG r0                           @ 0x123456
    mrs r0, spsr
    and r0, r0, #0x1F
    LOG r0                           @ 0x10: taken from user mode
    EXIT_OK
und_h:
pabt_h:
dabt_h:
irq_h:
fiq_h:
    b .
