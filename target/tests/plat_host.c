/* Host side of the platform seam (see plat_host.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plat_host.h"

char plat_host_lines[PLAT_HOST_LINES][PLAT_HOST_LINE_MAX];
unsigned plat_host_nlines, plat_host_dropped;
unsigned plat_host_irq_enables, plat_host_irq_disables;
int plat_host_irq_on;
uint64_t plat_host_now;
uint32_t plat_host_cycles;

void plat_host_reset(void)
{
    plat_host_nlines = plat_host_dropped = 0;
    plat_host_irq_enables = plat_host_irq_disables = 0;
    plat_host_irq_on = 0;
}

uint32_t plat_cycles32(void)
{
    return plat_host_cycles;
}

uint64_t plat_now_us(void)
{
    return plat_host_now;
}

void plat_output_line(const char *line)
{
    if (plat_host_nlines >= PLAT_HOST_LINES) {
        plat_host_dropped++;
        return;
    }
    snprintf(plat_host_lines[plat_host_nlines++], PLAT_HOST_LINE_MAX, "%s", line);
    if (getenv("SK_TEST_VERBOSE"))
        printf("%s\n", line);
}

void plat_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
}

void plat_assert_fail(const char *mod, const char *expr, const char *file, int line)
{
    fprintf(stderr, "assert %s: %s at %s:%d\n", mod, expr, file, line);
    abort();
}

int plat_irq_connect(unsigned irq, unsigned level, plat_irq_fn fn, void *arg)
{
    (void)irq; (void)level; (void)fn; (void)arg;
    return 0;
}

void plat_irq_enable(void)
{
    plat_host_irq_enables++;
    plat_host_irq_on = 1;
}

void plat_irq_disable(void)
{
    plat_host_irq_disables++;
    plat_host_irq_on = 0;
}
