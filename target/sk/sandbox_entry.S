/* Sandbox mode switches (sk/sandbox.c explains the run). ARM ARM DDI 0100I: MOVS PC, LR
 * restores CPSR from SPSR (A4.1.35, exception return), CPS (A4.1.16). */
#include "boot/arm.h"
#include "sk/sandbox_layout.h"

    .syntax unified
    .arm
    .text

/* void sk_sandbox_enter(const sk_enter_t *e): SVC mode, IRQs masked. Saves the kernel's
 * callee-saved state (r4-r11, lr, d8-d15, FPSCR) on the SVC stack and SP_svc, SP_sys and
 * LR_sys in sk_sb_saved, then starts the payload in e->cpsr's mode (USR or SYS) at e->pc
 * with r0-r2, SP and LR from e; every other core and VFP register and FPSCR are zeroed
 * (no kernel values leak into the payload).
 * "Returns" only through sk_sandbox_resume. */
    .globl sk_sandbox_enter
    .type sk_sandbox_enter, %function
sk_sandbox_enter:
    push  {r4-r12, lr}                @ r12: keeps SP 8-byte aligned (AAPCS) below
    vpush {d8-d15}
    vmrs  r1, fpscr
    push  {r1, r2}                    @ FPSCR (+ pad: 8-byte alignment)
    ldr   r3, =sk_sb_saved
    str   sp, [r3]
    cps   #ARM_MODE_SYS               @ SYS shares SP/LR with USR
    str   sp, [r3, #4]
    str   lr, [r3, #8]
    ldr   sp, [r0, #SK_ENTER_SP]
    ldr   lr, [r0, #SK_ENTER_LR]
    cps   #ARM_MODE_SVC
    ldr   r1, [r0, #SK_ENTER_CPSR]
    msr   spsr_cxsf, r1
    ldr   lr, [r0, #SK_ENTER_PC]
    ldr   r2, [r0, #SK_ENTER_R2]
    ldr   r1, [r0, #SK_ENTER_R1]
    ldr   r0, [r0, #SK_ENTER_R0]
    mov   r3, #0
    mov   r4, #0
    mov   r5, #0
    mov   r6, #0
    mov   r7, #0
    mov   r8, #0
    mov   r9, #0
    mov   r10, #0
    mov   r11, #0
    mov   r12, #0
    .irp d, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    vmov  d\d, r3, r3               @ no kernel values in VFP registers either
    .endr
    vmsr  fpscr, r3                   @ default FP mode
    movs  pc, lr                      @ CPSR := SPSR_svc: the payload's mode, IRQs on

/* Where every run ends: exception frames (abort, undefined, SVC exit/bad call, budget
 * interrupt) are rewritten by sandbox.c to return here in SVC mode with IRQs masked; the
 * trusted exit stub branches here. Restores the state sk_sandbox_enter saved and returns
 * to its caller. Whatever the payload left in the exception stacks is already gone: each
 * exception path popped its own frame before returning here. */
    .globl sk_sandbox_resume
    .type sk_sandbox_resume, %function
sk_sandbox_resume:
    cpsid i, #ARM_MODE_SVC
    ldr   r0, =sk_sb_saved
    ldr   sp, [r0]
    ldr   r1, [r0, #4]
    ldr   r2, [r0, #8]
    cps   #ARM_MODE_SYS
    mov   sp, r1
    mov   lr, r2
    cps   #ARM_MODE_SVC
    pop   {r1, r2}
    vmsr  fpscr, r1
    vpop  {d8-d15}
    pop   {r4-r12, pc}

/* API calls of shielded payloads (boot/start.S svc_entry -> here for ARM-state SVCs from
 * user mode): SVC mode, IRQs masked, r0-r3 = the call's arguments, LR_svc = return address,
 * SPSR_svc = the payload's CPSR. sk_sb_svc(id, a, ret_pc) (sandbox.c) returns 0 with the
 * result in a[0] (back to the payload; r1-r3 come back as they were, r12 is clobbered,
 * which AAPCS allows across a call), or nonzero when the run is over (resume). Cheaper than
 * the generic exception frame: no banked-register reads, no VFP save (an API call is a
 * function call: d0-d7 are the caller's to save; kernel C preserves d8-d15 itself). */
    .globl sk_svc_user
    .type sk_svc_user, %function
sk_svc_user:
    push  {r0-r3}                     @ a[0..3]
    mrs   r12, spsr
    push  {r12, lr}
    ldr   r0, [lr, #-4]               @ the SVC instruction (ARM state: start.S checked T)
    bic   r0, r0, #0xFF000000         @ its immediate: the id
    add   r1, sp, #8
    mov   r2, lr
    bl    sk_sb_svc
    cmp   r0, #0
    bne   sk_sandbox_resume           @ IRQs are masked again (sk_sb_svc)
    pop   {r12, lr}
    msr   spsr_cxsf, r12
    pop   {r0-r3}
    movs  pc, lr

/* Trusted runs: the payload's entry returns here (LR), privileged (SYS mode). */
    .globl sk_trusted_exit
    .type sk_trusted_exit, %function
sk_trusted_exit:
    cpsid i
    ldr   r1, =sk_sb_trusted_ret
    str   r0, [r1]                    @ return value
    mov   r0, #1
    str   r0, [r1, #4]                @ returned
    b     sk_sandbox_resume

    .ltorg

/* Templates of the user-mode stubs, copied into the API page by sandbox.c: one 8-byte
 * stub per API id (SVC #id; BX LR), the exit stub, the stub of removed entries. */
    .section .rodata.sk_stubs, "a"
    .balign 4
    .globl sk_stub_begin, sk_stub_exit, sk_stub_denied, sk_stub_end
sk_stub_begin:
    .irp id, 0, 1, 2, 3, 4, 5
    svc   #\id
    bx    lr
    .endr
sk_stub_exit:
    svc   #SK_SB_SVC_EXIT
    b     sk_stub_exit
sk_stub_denied:
    mvn   r0, #99                     @ SK_ERR_DENIED = -100
    bx    lr
sk_stub_end:
