/* Exception dispatch: IRQ/FIQ go to the registered handler (hal/irq.c), SVC implements the
 * semihosting no-op, everything else is fatal: a report on the UART (polled), then halt. */
#include "boot/exc.h"
#include "boot/arm.h"
#include "hal/uart.h"
#include "lib/printf.h"

static exc_handler_fn exc_irq_fn;
static exc_handler_fn exc_fiq_fn;
static exc_trap_fn exc_trap;
static volatile int exc_probe_active;
static volatile int exc_probe_faulted;

void exc_set_irq_handler(exc_handler_fn fn) { exc_irq_fn = fn; }
void exc_set_fiq_handler(exc_handler_fn fn) { exc_fiq_fn = fn; }
void exc_set_trap_handler(exc_trap_fn fn) { exc_trap = fn; }

/* Read by start.S svc_entry. */
void (*volatile exc_svc_user_vec)(void);
void exc_set_svc_user_entry(void (*entry)(void)) { exc_svc_user_vec = entry; }

void exc_probe_begin(void)
{
    exc_probe_faulted = 0;
    exc_probe_active = 1;
    __asm__ volatile("" : : : "memory");
}

int exc_probe_end(void)
{
    __asm__ volatile("" : : : "memory");
    exc_probe_active = 0;
    return exc_probe_faulted;
}

void exc_halt(void)
{
    __asm__ volatile("cpsid if" : : : "memory");
    for (;;)
        exc_wfi();
}

static const char *exc_kind_name(uint32_t kind)
{
    switch (kind) {
    case EXC_UND: return "undefined-instruction";
    case EXC_SVC: return "svc";
    case EXC_PABT: return "prefetch-abort";
    case EXC_DABT: return "data-abort";
    case EXC_IRQ: return "irq";
    case EXC_FIQ: return "fiq";
    default: return "unknown";
    }
}

static const char *exc_mode_name(uint32_t cpsr)
{
    switch (cpsr & ARM_MODE_MASK) {
    case ARM_MODE_USR: return "usr";
    case ARM_MODE_FIQ: return "fiq";
    case ARM_MODE_IRQ: return "irq";
    case ARM_MODE_SVC: return "svc";
    case ARM_MODE_MON: return "mon";
    case ARM_MODE_ABT: return "abt";
    case ARM_MODE_UND: return "und";
    case ARM_MODE_SYS: return "sys";
    default: return "???";
    }
}

/* Fault status (DFSR/IFSR bits [10,3:0]), ARM1176 TRM table 3-60 / ARM ARM B4.6. */
static const char *exc_fsr_name(uint32_t fsr)
{
    switch ((fsr & 0xFu) | ((fsr >> 6) & 0x10u)) {
    case 0x01: return "alignment";
    case 0x02: return "debug";
    case 0x05: return "translation-section";
    case 0x07: return "translation-page";
    case 0x09: return "domain-section";
    case 0x0B: return "domain-page";
    case 0x0D: return "permission-section";
    case 0x0F: return "permission-page";
    case 0x08: return "precise-external";
    case 0x16: return "imprecise-external";
    default: return "other";
    }
}

static void exc_fatal(uint32_t kind, exc_frame_t *f)
{
    char line[160];
    uint32_t dfsr, far, ifsr, ifar, mode_now;

    __asm__ volatile("mrs %0, cpsr" : "=r"(mode_now));
    __asm__ volatile("mrc p15, 0, %0, c5, c0, 0" : "=r"(dfsr));
    __asm__ volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(far));
    __asm__ volatile("mrc p15, 0, %0, c5, c0, 1" : "=r"(ifsr));
    __asm__ volatile("mrc p15, 0, %0, c6, c0, 2" : "=r"(ifar));
    /* A fault taken in the mode we now run in: start.S read our own banked SP. */
    if ((f->cpsr & ARM_MODE_MASK) == (mode_now & ARM_MODE_MASK))
        f->sp = (uint32_t)(uintptr_t)f + EXC_FRAME_SIZE;

    uart_panic_begin();
    snprintf(line, sizeof line, "\r\nFATAL %s in mode=%s pc=0x%08lx cpsr=0x%08lx sp=0x%08lx lr=0x%08lx\r\n",
             exc_kind_name(kind), exc_mode_name(f->cpsr), (unsigned long)f->pc,
             (unsigned long)f->cpsr, (unsigned long)f->sp, (unsigned long)f->lr);
    uart_panic_write(line);
    if (kind == EXC_DABT) {
        snprintf(line, sizeof line, "FATAL dfsr=0x%08lx (%s, %s) far=0x%08lx\r\n", (unsigned long)dfsr,
                 exc_fsr_name(dfsr), (dfsr & (1u << 11)) ? "write" : "read", (unsigned long)far);
        uart_panic_write(line);
    } else if (kind == EXC_PABT) {
        snprintf(line, sizeof line, "FATAL ifsr=0x%08lx (%s) ifar=0x%08lx\r\n", (unsigned long)ifsr,
                 exc_fsr_name(ifsr), (unsigned long)ifar);
        uart_panic_write(line);
    } else if (kind == EXC_UND && !(f->cpsr & ARM_PSR_T)) {
        snprintf(line, sizeof line, "FATAL insn=0x%08lx\r\n",
                 (unsigned long)*(volatile const uint32_t *)(uintptr_t)f->pc);
        uart_panic_write(line);
    }
    for (int i = 0; i < 13; i += 4) {
        int n = snprintf(line, sizeof line, "FATAL");
        for (int j = i; j < i + 4 && j < 13; j++)
            n += snprintf(line + n, sizeof line - (size_t)n, " r%d=0x%08lx", j, (unsigned long)f->r[j]);
        snprintf(line + n, sizeof line - (size_t)n, "\r\n");
        uart_panic_write(line);
    }
    uart_panic_write("FATAL halted\r\n");
    exc_halt();
}

static void exc_svc(exc_frame_t *f)
{
    uint32_t imm = 0;
    if (!(f->cpsr & ARM_PSR_T))
        imm = *(volatile const uint32_t *)(uintptr_t)(f->pc - 4) & 0x00FFFFFFu;
    if (imm == EXC_SEMIHOST_SVC_IMM) {
        /* No debugger/emulator intercepted the semihosting call (real board, or QEMU
         * without -semihosting): it is a no-op; the caller decides what to do next. */
        f->r[0] = 0xFFFFFFFFu;
        return;
    }
    f->r[0] = 0xFFFFFFFFu; /* no other SVCs yet (payload ABI is later work) */
}

void exc_dispatch(uint32_t kind, exc_frame_t *f)
{
    if (kind != EXC_IRQ && kind != EXC_FIQ && exc_trap && exc_trap(kind, f))
        return;
    switch (kind) {
    case EXC_IRQ:
        if (exc_irq_fn) {
            exc_irq_fn();
            return;
        }
        break;
    case EXC_FIQ:
        if (exc_fiq_fn) {
            exc_fiq_fn();
            return;
        }
        break;
    case EXC_SVC:
        exc_svc(f);
        return;
    case EXC_UND:
        if (exc_probe_active) {
            exc_probe_faulted = 1;
            f->pc += (f->cpsr & ARM_PSR_T) ? 2 : 4;
            return;
        }
        break;
    default:
        break;
    }
    exc_fatal(kind, f);
}
