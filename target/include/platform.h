/* The platform seam (STYLE.md rule 5): everything the portable I/O container code (vmio/,
 * io/) needs from the place it runs. Portable code includes this header and nothing from
 * hal/ or boot/.
 *
 * Implementations:
 *   firmware   hal/platform.c
 *   host tests target/tests/plat_host.c (captures output lines and log lines)
 *
 * Contexts: "VMIO level" is the single VMIO stack (vmio_run); "IRQ level" is a VMIT
 * handler; "application level" is the serverkernel executive. Each function says where it
 * may be called from. */
#ifndef PLATFORM_H
#define PLATFORM_H
#include <stddef.h>
#include <stdint.h>

/* --- time ------------------------------------------------------------------------------ */
/* Microseconds since boot, monotonic. Firmware: st_now_us(). Any level. */
uint64_t plat_now_us(void);
/* CPU cycle counter, low 32 bits (wraps). Firmware: cpu_cycles() (on the simulator CCNT =
 * exact simulated cycles). Host tests: plat_host_cycles. Any level. */
uint32_t plat_cycles32(void);

/* --- buffer memory ----------------------------------------------------------------------- */
/* Buffer pools are static arrays inside vmio/vmio_buf.c whose element counts and sizes are
 * compile-time options (vmio/vmio_cfg.h). The platform only fixes their alignment: a
 * multiple of the ARM1176 D-cache line (32 bytes, TRM DDI 0301H 7.1) so that DMA cache
 * maintenance on one buffer never touches its neighbour. */
#define PLAT_BUF_ALIGN 32

/* --- output and logging ------------------------------------------------------------------ */
/* One machine-readable output line (no end-of-line in `line`; the platform appends its own,
 * "\r\n" on the firmware console). VMIO level. Firmware: uart_write + "\r\n". */
void plat_output_line(const char *line);
/* Diagnostics (free text, one line per call, no end-of-line). VMIO or application level.
 * Firmware: same UART, prefixed "log ". */
void plat_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --- assert ------------------------------------------------------------------------------ */
/* Internal invariant broken: report module, expression and place, never return.
 * Firmware: panic report over polled UART, then halt (boot/exc.c style). Host: cmocka
 * fail / abort. */
__attribute__((noreturn)) void plat_assert_fail(const char *mod, const char *expr,
                                                const char *file, int line);
#define PLAT_ASSERT(mod, expr) \
    ((expr) ? (void)0 : plat_assert_fail((mod), #expr, __FILE__, __LINE__))

/* --- interrupts -------------------------------------------------------------------------- */
typedef void (*plat_irq_fn)(void *arg);
/* Connects a VMIT handler for interrupt source `irq` (bcm2835/bcm2835.h numbering) at
 * software priority `level` (0 = lowest .. VMIO_NLEVELS-1 = highest; the handler's deposits
 * go to deposit queue `level`). Application level, before the source is enabled.
 * Firmware: vmit_connect() (hal/platform.c). */
int plat_irq_connect(unsigned irq, unsigned level, plat_irq_fn fn, void *arg);
/* CPSR.I helpers for the preemption hook (vmio_preempt). Firmware: exc_irq_enable/disable. */

void plat_irq_enable(void);
void plat_irq_disable(void);

#endif
