/* Reset entry and exception vectors. Entered at 0x8000 (memmap.h MEMMAP_LOAD_ADDR) in SVC
 * mode with the MMU off, as the GPU firmware and QEMU -bios do on the BCM2835 (an ARMv6
 * core: there is no HYP mode to leave). The vector table sits at the load address, so
 * VBAR (ARM1176 TRM 3.2.43) points at _start. */
#include "memmap.h"
#include "boot/arm.h"

    .syntax unified
    .arm
    .section .text.boot, "ax"
    .globl _start
    .balign 32
_start:
exc_vectors:
    b reset                 @ 0x00 reset (also the entry point)
    b und_entry             @ 0x04 undefined instruction
    b svc_entry             @ 0x08 supervisor call
    b pabt_entry            @ 0x0C prefetch abort
    b dabt_entry            @ 0x10 data abort
    b .                     @ 0x14 reserved
    b vmit_irq_entry        @ 0x18 IRQ: VMIT nested dispatcher (vmit/vmit_entry.S)
    b fiq_entry             @ 0x1C FIQ

reset:
    cpsid aif, #ARM_MODE_SVC

    /* SCTLR: MMU, caches, branch prediction, alignment faults and high vectors off;
     * U on (ARMv6 unaligned model). boot/mmu.c turns MMU and caches on later. */
    mrc p15, 0, r0, c1, c0, 0
    ldr r1, =(ARM_SCTLR_M | ARM_SCTLR_A | ARM_SCTLR_C | ARM_SCTLR_Z | ARM_SCTLR_I | ARM_SCTLR_V)
    bic r0, r0, r1
    orr r0, r0, #ARM_SCTLR_U
    mcr p15, 0, r0, c1, c0, 0
    mov r0, #0
    mcr p15, 0, r0, c7, c5, 4       @ prefetch flush (ARMv6 ISB)

    /* VFP before any C: gcc emits VFP instructions in plain C (copies, struct moves).
     * CPACR cp10/cp11 full access, then FPEXC.EN (ARM1176 TRM 3.2.9, VFP11 TRM 2.3). */
    mrc p15, 0, r0, c1, c0, 2
    orr r0, r0, #ARM_CPACR_CP10_CP11_FULL
    mcr p15, 0, r0, c1, c0, 2
    mov r0, #0
    mcr p15, 0, r0, c7, c5, 4
    mov r0, #ARM_FPEXC_EN
    vmsr fpexc, r0

    /* One stack per mode, from memmap.h. IRQ/FIQ stay masked in every mode. */
    cps #ARM_MODE_UND
    ldr sp, =MEMMAP_STACK_UND_TOP
    cps #ARM_MODE_ABT
    ldr sp, =MEMMAP_STACK_ABT_TOP
    cps #ARM_MODE_FIQ
    ldr sp, =MEMMAP_STACK_FIQ_TOP
    cps #ARM_MODE_IRQ
    ldr sp, =MEMMAP_STACK_IRQ_TOP
    cps #ARM_MODE_SYS
    ldr sp, =MEMMAP_STACK_SYS_TOP
    cps #ARM_MODE_SVC
    ldr sp, =MEMMAP_STACK_SVC_TOP

    /* Vector base */
    ldr r0, =exc_vectors
    mcr p15, 0, r0, c12, c0, 0
    mov r0, #0
    mcr p15, 0, r0, c7, c5, 4

    /* Clear .bss (both ends 16-byte aligned by link.ld) */
    ldr r0, =__bss_start
    ldr r1, =__bss_end
    mov r2, #0
    mov r3, #0
    mov r4, #0
    mov r5, #0
1:  cmp r0, r1
    stmialo r0!, {r2-r5}
    blo 1b

    bl kmain
    /* kmain never returns; if it does, park. */
2:  wfi
    b 2b

/* Exception stubs: lr is adjusted so that frame->pc is the faulting instruction (UND,
 * PABT, DABT) or the return address (SVC, IRQ, FIQ). Offsets: ARM ARM A2.6. */
    .macro EXC_STUB name, kind, lradj
\name:
    .if \lradj
    sub lr, lr, #\lradj
    .endif
    sub sp, sp, #EXC_FRAME_SIZE
    stmia sp, {r0-r12}
    str lr, [sp, #EXC_FRAME_PC]
    mov r0, #\kind
    b exc_common
    .endm

    EXC_STUB und_entry,  EXC_UND,  4
    EXC_STUB pabt_entry, EXC_PABT, 4
    EXC_STUB dabt_entry, EXC_DABT, 8
    EXC_STUB fiq_entry,  EXC_FIQ,  4

/* SVC: an ARM-state SVC from user mode goes to the registered fast entry (exc.h
 * exc_set_svc_user_entry: the sandbox's API calls), with r0-r3 and lr as the SVC left them
 * and r12 clobbered (AAPCS: ip is not preserved across a call, and an API call is one);
 * everything else takes the generic frame below. */
svc_entry:
    push  {r0, r1}
    mrs   r0, spsr
    and   r0, r0, #(ARM_MODE_MASK | ARM_PSR_T)
    cmp   r0, #ARM_MODE_USR
    ldreq r1, =exc_svc_user_vec
    ldreq r1, [r1]
    movne r1, #0
    cmp   r1, #0
    movne r12, r1
    pop   {r0, r1}
    bxne  r12
    sub   sp, sp, #EXC_FRAME_SIZE
    stmia sp, {r0-r12}
    str   lr, [sp, #EXC_FRAME_PC]
    mov   r0, #EXC_SVC
    b     exc_common

/* Common path: completes the frame (interrupted CPSR, banked SP/LR of the interrupted
 * mode), saves the AAPCS caller-saved VFP state (d0-d7, FPSCR) so C handlers may use VFP,
 * calls exc_dispatch(kind, frame) and returns to frame->pc with frame->cpsr. */
exc_common:
    mrs r1, spsr
    str r1, [sp, #EXC_FRAME_CPSR]
    mrs r2, cpsr
    and r3, r1, #ARM_MODE_MASK
    cmp r3, #ARM_MODE_USR
    moveq r3, #ARM_MODE_SYS         @ USR registers are reachable from SYS mode
    bic r4, r2, #ARM_MODE_MASK
    orr r4, r4, r3
    orr r4, r4, #(ARM_PSR_I | ARM_PSR_F)
    msr cpsr_c, r4
    mov r5, sp
    mov r6, lr
    msr cpsr_c, r2
    str r5, [sp, #EXC_FRAME_SP]
    str r6, [sp, #EXC_FRAME_LR]
    mov r4, sp                      @ frame (callee-saved across the call)
    vpush {d0-d7}
    vmrs r5, fpscr
    sub sp, sp, #8
    str r5, [sp]
    mov r1, r4
    bl exc_dispatch
    ldr r5, [sp]
    add sp, sp, #8
    vmsr fpscr, r5
    vpop {d0-d7}
    ldr r1, [sp, #EXC_FRAME_CPSR]
    msr spsr_cxsf, r1
    ldr lr, [sp, #EXC_FRAME_PC]
    ldmia sp, {r0-r12}
    add sp, sp, #EXC_FRAME_SIZE
    movs pc, lr

    .ltorg
