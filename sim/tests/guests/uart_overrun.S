@ PL011 receive overrun seen by a guest: enable the UART (115200 8N1, FIFOs on), never
@ read while the host feeds 20 bytes, then report FR, RSR, RIS and the 16 bytes kept.
#include "macros.inc"
#include "bcm2835/bcm2835.h"
#include "bcm2835/pl011.h"
    VECTORS
    ldr r12, =TESTDEV_BASE
    ldr r4, =BCM2835_UART0_BASE
    mov r0, #0
    str r0, [r4, #PL011_CR]
    mov r0, #26                       @ 48 MHz / (16 * 115200) = 26.04: IBRD 26, FBRD 3
    str r0, [r4, #PL011_IBRD]
    mov r0, #3
    str r0, [r4, #PL011_FBRD]
    mov r0, #(PL011_LCRH_WLEN_8 | PL011_LCRH_FEN_BIT)
    str r0, [r4, #PL011_LCRH]
    ldr r0, =(PL011_CR_UARTEN_BIT | PL011_CR_RXE_BIT | PL011_CR_TXE_BIT)
    str r0, [r4, #PL011_CR]
    @ wait 3 ms of simulated time (20 frames at 115200 take 1.74 ms)
    ldr r5, [r12, #TESTDEV_NOW]
1:  ldr r0, [r12, #TESTDEV_NOW]
    sub r0, r0, r5
    ldr r1, =2100000                  @ 3 ms at 700 MHz
    cmp r0, r1
    blo 1b
    ldr r0, [r4, #PL011_FR]
    LOG r0
    ldr r0, [r4, #PL011_RSRECR]
    LOG r0
    ldr r0, [r4, #PL011_RIS]
    LOG r0
    mov r6, #0                        @ drain: log every DR word (data + error bits)
2:  ldr r0, [r4, #PL011_FR]
    tst r0, #PL011_FR_RXFE_BIT
    bne 3f
    ldr r0, [r4, #PL011_DR]
    LOG r0
    add r6, r6, #1
    cmp r6, #32
    blo 2b
3:  EXIT_OK
irq_h:
svc_h:
und_h:
pabt_h:
dabt_h:
fiq_h:
    b .
