/* VMIT IRQ entry and exit (vmit/vmit.h explains the sequence and the mode strategy).
 * ARMv6 instructions: SRS/RFE/CPS (ARM ARM DDI 0100I A4.1.90, A4.1.59, A4.1.16). */
#include "memmap.h"
#include "boot/arm.h"

/* IRQ-stack frame, from SP: d0-d7 (64), FPSCR + pad (8), r0-r3 r12 lr (24), SRS LR, SPSR */
#define VMIT_FRAME_SPSR (64 + 8 + 24 + 4)

    .syntax unified
    .arm
    .text
    .globl vmit_irq_entry
    .balign 8
vmit_irq_entry:
    sub   lr, lr, #4                  @ return address (ARM ARM A2.6.8)
    srsdb sp!, #ARM_MODE_IRQ          @ LR_irq, SPSR_irq -> IRQ stack
    push  {r0-r3, r12, lr}            @ lr only for 8-byte alignment
    vmrs  r0, fpscr
    push  {r0, r1}
    vpush {d0-d7}
    ldr   r0, [sp, #VMIT_FRAME_SPSR]
    bl    vmit_enter                  @ r0 = source or -1, r1 = level stack top
    cmn   r0, #1
    beq   3f

    cps   #ARM_MODE_SYS               @ handler mode: own LR, per-level stack
    mov   r2, sp
    mov   sp, r1
    push  {r2, lr}                    @ interrupted SP_sys / LR_sys
    push  {r4, r5}
    mov   r4, r0
    cpsie i                           @ higher levels may nest from here
    bl    vmit_run
    cpsid i
    mov   r0, r4
    pop   {r4, r5}
    pop   {r2, lr}
    mov   sp, r2
    cps   #ARM_MODE_IRQ

    ldr   r1, [sp, #VMIT_FRAME_SPSR]
    bl    vmit_leave                  @ unmask; nonzero: run VMIO before the application
    cmp   r0, #0
    beq   3f
    cps   #ARM_MODE_SYS
    mov   r2, sp
    ldr   sp, =MEMMAP_STACK_VMIO_TOP
    push  {r2, lr}
    bl    vmio_preempt                @ IRQs on inside, masked again on return
    pop   {r2, lr}
    mov   sp, r2
    cps   #ARM_MODE_IRQ
3:
    vpop  {d0-d7}
    pop   {r0, r1}
    vmsr  fpscr, r0
    pop   {r0-r3, r12, lr}
    rfeia sp!                         @ PC, CPSR from the frame

/* void vmit_call_on_vmio_stack(void (*fn)(void)): application level (SVC), IRQs masked.
 * Runs fn in SYS mode on the VMIO stack, then returns to the caller's mode. */
    .globl vmit_call_on_vmio_stack
vmit_call_on_vmio_stack:
    push  {r4, lr}
    mrs   r4, cpsr
    cps   #ARM_MODE_SYS
    mov   r1, sp
    mov   r2, lr
    ldr   sp, =MEMMAP_STACK_VMIO_TOP
    push  {r1, r2}
    blx   r0
    pop   {r1, r2}
    mov   sp, r1
    mov   lr, r2
    msr   cpsr_c, r4
    pop   {r4, pc}

    .ltorg
