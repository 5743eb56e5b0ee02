#include "guest.h"
    .section .text.boot, "ax"
    .global _start
    .arm
_start:
    ldr sp, =0x50000
    adr r0, tcode + 1
    bx r0
    .thumb
    .align 2
tcode:
    mov r2, #0
    mov r3, #100
1:  add r2, r2, r3
    sub r3, #1
    bne 1b
    ldr r1, =5050
    cmp r2, r1
    bne fail
    mov r0, #SEMI_SYS_EXIT
    ldr r1, =SEMI_EXIT_OK
    svc 0xAB
fail:
    mov r0, #SEMI_SYS_EXIT
    mov r1, #1
    svc 0xAB
    .pool
