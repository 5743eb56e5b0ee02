#include "guest.h"
    .section .text.boot, "ax"
    .global _start
_start:
    adr r1, msg
    mov r0, #0x04                    @ SYS_WRITE0
    svc 0x123456
    mov r1, #'!'
    push {r1}
    mov r1, sp
    mov r0, #0x03                    @ SYS_WRITEC
    svc 0x123456
    mov r0, #SEMI_SYS_EXIT
    ldr r1, =0x20023                 @ ADP_Stopped_RunTimeErrorUnknown
    svc 0x123456
    b .
msg: .asciz "guest failing"
