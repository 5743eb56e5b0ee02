/* Exception dispatch from the vectors in boot/start.S. */
#ifndef BOOT_EXC_H
#define BOOT_EXC_H
#include <stdint.h>

/* Saved context, built by start.S (offsets in boot/arm.h). sp/lr are the banked registers of
 * the interrupted mode; pc is the faulting instruction (UND, PABT, DABT) or the return
 * address (SVC, IRQ, FIQ). C handlers may change pc, cpsr and r[] before returning. */
typedef struct exc_frame {
    uint32_t r[13];
    uint32_t sp;
    uint32_t lr;
    uint32_t pc;
    uint32_t cpsr;
    uint32_t pad;
} exc_frame_t;

/* ARM semihosting (ARM DUI 0058D / "Semihosting for AArch32 and AArch64"): SVC 0x123456 in
 * ARM state, operation in r0, argument in r1. */
#define EXC_SEMIHOST_SVC_IMM       0x123456u
#define EXC_SEMIHOST_SYS_EXIT      0x18u
#define EXC_SEMIHOST_ADP_APP_EXIT  0x20026u /* ADP_Stopped_ApplicationExit */

typedef void (*exc_handler_fn)(void);

void exc_set_irq_handler(exc_handler_fn fn);

/* Synchronous exceptions (EXC_UND, EXC_SVC, EXC_PABT, EXC_DABT) are offered to the trap
 * handler first (sk/sandbox.c: user-mode payloads). It returns nonzero when it took the
 * exception (it may rewrite f->pc, f->cpsr and f->r[] to resume elsewhere); zero keeps the
 * default behaviour (semihosting SVC, probe, fatal report). Runs in the exception's mode
 * with IRQs masked. */
typedef int (*exc_trap_fn)(uint32_t kind, exc_frame_t *f);
void exc_set_trap_handler(exc_trap_fn fn);

/* Fast path for ARM-state SVCs from user mode (sk/sandbox_entry.S sk_svc_user): start.S
 * branches to entry in SVC mode, IRQs masked, with r0-r3 and LR_svc as the SVC left them
 * (r12 clobbered, SPSR_svc = the user's CPSR); the entry returns to user mode itself. NULL
 * (the default) sends them through the generic frame and the trap handler. */
void exc_set_svc_user_entry(void (*entry)(void));
void exc_set_fiq_handler(exc_handler_fn fn);

/* Run one possibly-undefined instruction sequence: between exc_probe_begin() and
 * exc_probe_end() an undefined-instruction exception skips the instruction instead of
 * being fatal; exc_probe_end() returns nonzero if one happened. */
void exc_probe_begin(void);
int exc_probe_end(void);

/* Called from start.S only. */
void exc_dispatch(uint32_t kind, exc_frame_t *f);

/* Stop the machine: IRQ/FIQ masked, WFI forever. */
__attribute__((noreturn)) void exc_halt(void);

/* CPSR interrupt masking (IRQ only). */
static inline uint32_t exc_irq_save(void)
{
    uint32_t cpsr;
    __asm__ volatile("mrs %0, cpsr\n\tcpsid i" : "=r"(cpsr) : : "memory");
    return cpsr;
}
static inline void exc_irq_restore(uint32_t cpsr)
{
    __asm__ volatile("msr cpsr_c, %0" : : "r"(cpsr) : "memory");
}
static inline void exc_irq_enable(void) { __asm__ volatile("cpsie i" : : : "memory"); }
static inline void exc_irq_disable(void) { __asm__ volatile("cpsid i" : : : "memory"); }
static inline int exc_irq_enabled(void)
{
    uint32_t cpsr;
    __asm__ volatile("mrs %0, cpsr" : "=r"(cpsr));
    return (cpsr & 0x80u) == 0;
}
static inline void exc_wfi(void) { __asm__ volatile("wfi" : : : "memory"); }

#endif
