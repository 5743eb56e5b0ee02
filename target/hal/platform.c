/* Firmware implementation of include/platform.h (the seam for vmio/ and io/). */
#include <stdarg.h>
#include "platform.h"
#include "boot/exc.h"
#include "hal/cpu.h"
#include "hal/systimer.h"
#include "hal/uart.h"
#include "vmit/vmit.h"
#include "lib/printf.h"
#include "lib/kstring.h"

#define PLAT_LINE_MAX 320

uint64_t plat_now_us(void)
{
    return st_now_us();
}

uint32_t plat_cycles32(void)
{
    return cpu_cycles32();
}

/* One line, written atomically with its CRLF (uart_write_line). VMIO level. */
void plat_output_line(const char *line)
{
    char buf[PLAT_LINE_MAX];
    size_t n = strlen(line);
    if (n > sizeof buf - 3)
        n = sizeof buf - 3;
    memcpy(buf, line, n);
    buf[n++] = '\r';
    buf[n++] = '\n';
    /* VMIO level: never wait for a slow console; a dropped line is counted by the UART */
    (void)uart_try_write_line(buf, n);
}

void plat_log(const char *fmt, ...)
{
    char buf[PLAT_LINE_MAX];
    va_list ap;
    int n = snprintf(buf, sizeof buf, "log ");
    va_start(ap, fmt);
    int m = vsnprintf(buf + n, sizeof buf - (size_t)n - 2, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    n += m;
    if ((size_t)n > sizeof buf - 3)
        n = (int)sizeof buf - 3;
    buf[n++] = '\r';
    buf[n++] = '\n';
    uart_write_line(buf, (size_t)n);
}

void plat_assert_fail(const char *mod, const char *expr, const char *file, int line)
{
    char buf[PLAT_LINE_MAX];
    uart_panic_begin();
    snprintf(buf, sizeof buf, "\r\nFATAL assert %s: %s at %s:%d\r\nFATAL halted\r\n", mod, expr, file, line);
    uart_panic_write(buf);
    exc_halt();
}

int plat_irq_connect(unsigned irq, unsigned level, plat_irq_fn fn, void *arg)
{
    return vmit_connect(irq, level, fn, arg);
}

void plat_irq_enable(void)
{
    exc_irq_enable();
}

void plat_irq_disable(void)
{
    exc_irq_disable();
}
