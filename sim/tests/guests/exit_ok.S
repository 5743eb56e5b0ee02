#include "guest.h"
    .section .text.boot, "ax"
    .global _start
_start:
    mov r0, #SEMI_SYS_EXIT
    ldr r1, =SEMI_EXIT_OK
    svc 0x123456
    b .
