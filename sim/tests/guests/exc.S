@ Exceptions: SVC (banked LR/SPSR), undefined, BKPT prefetch abort, data aborts
@ (section and page translation faults with the MMU on) and an MMU prefetch abort.
@ Every observation goes to the test device log; the host driver checks the values.
#include "macros.inc"
    VECTORS
    @ ---- SVC from System mode ----
    cps #0x1F
    ldr lr, =0x1234abcd              @ SYS/USR LR must survive
    mov r4, #0
svc_site:
    svc #42
    LOG lr                           @ 0x1234abcd
    mrs r0, cpsr
    and r0, r0, #0x1F
    LOG r0                           @ 0x1F
    cps #0x13
    @ ---- undefined instruction ----
und_site:
    .word 0xe7f000f0                 @ UDF
    LOGI 0x11111111
    @ ---- BKPT ----
bkpt_site:
    bkpt #0
    LOGI 0x22222222
    @ ---- page tables at 0x4000: identity sections, VA 0x10000000 faults,
    @      VA 0x10100000 -> coarse table at 0x3c00 with every page invalid
    ldr r0, =0x4000
    mov r1, #0
    ldr r2, =0xC02                   @ section, AP=11, domain 0
1:  orr r3, r2, r1, lsl #20
    str r3, [r0, r1, lsl #2]
    add r1, r1, #1
    cmp r1, #4096
    bne 1b
    mov r3, #0
    str r3, [r0, #0x100 * 4]         @ VA 0x10000000: fault
    ldr r3, =0x3c01                  @ coarse table at 0x3c00, domain 0
    str r3, [r0, #0x101 * 4]
    ldr r1, =0x3c00
    mov r3, #0
    mov r2, #256
2:  str r3, [r1], #4
    subs r2, r2, #1
    bne 2b
    mcr p15, 0, r0, c2, c0, 0        @ TTBR0
    mov r0, #0
    mcr p15, 0, r0, c2, c0, 2        @ TTBCR
    mov r0, #1
    mcr p15, 0, r0, c3, c0, 0        @ DACR: domain 0 client
    mov r0, #0
    mcr p15, 0, r0, c8, c7, 0        @ invalidate TLB
    mrc p15, 0, r0, c1, c0, 0
    orr r0, r0, #(1 << 23)           @ XP
    orr r0, r0, #1                   @ M
    mcr p15, 0, r0, c1, c0, 0
    @ ---- data abort: load, section translation fault ----
    ldr r2, =0x10000040
dabt1_site:
    ldr r1, [r2]
    LOGI 0x33333333
    @ ---- data abort: store, page translation fault ----
    ldr r2, =0x10100010
    mov r5, #4
dabt2_site:
    str r1, [r2, r5]
    LOGI 0x44444444
    @ ---- prefetch abort through the MMU ----
    ldr r0, =0x10000000
    blx r0
after_pabt:
    LOGI 0x55555555
    EXIT_OK

svc_h:                                @ SVC mode
    LOG lr                            @ address after svc
    mrs r0, spsr
    LOG r0                            @ 0x..1F
    ldr r0, [lr, #-4]
    bic r0, r0, #0xFF000000
    LOG r0                            @ 42
    mrs r0, cpsr
    and r0, r0, #0x1F
    LOG r0                            @ 0x13
    movs pc, lr

und_h:
    LOG lr                            @ und_site + 4
    mrs r0, spsr
    LOG r0
    movs pc, lr

pabt_h:
    LOG lr
    mrc p15, 0, r0, c5, c0, 1         @ IFSR
    LOG r0
    mrc p15, 0, r0, c6, c0, 2         @ IFAR
    LOG r0
    mrs r0, spsr
    ldr r1, =after_pabt
    ldr r2, =0x10000004
    cmp lr, r2                        @ MMU case: resume at after_pabt
    moveq lr, r1
    movs pc, lr

dabt_h:
    LOG lr                            @ site + 8
    mrc p15, 0, r0, c5, c0, 0         @ DFSR
    LOG r0
    mrc p15, 0, r0, c6, c0, 0         @ FAR
    LOG r0
    subs pc, lr, #4                   @ skip the faulting instruction

irq_h:
fiq_h:
    b .
    .ltorg
    .global sites
sites:
    .word svc_site, und_site, bkpt_site, dabt1_site, dabt2_site
