/* Host implementation of include/platform.h for unit tests: captures output lines, keeps
 * log lines quiet unless SK_TEST_VERBOSE is set in the environment, counts IRQ toggles. */
#ifndef TESTS_PLAT_HOST_H
#define TESTS_PLAT_HOST_H
#include <stdint.h>
#include "platform.h"

#define PLAT_HOST_LINES 256
#define PLAT_HOST_LINE_MAX 512

extern char plat_host_lines[PLAT_HOST_LINES][PLAT_HOST_LINE_MAX];
extern unsigned plat_host_nlines;     /* captured output lines (saturates, see dropped) */
extern unsigned plat_host_dropped;
extern unsigned plat_host_irq_enables, plat_host_irq_disables;
extern int plat_host_irq_on;
extern uint64_t plat_host_now;
extern uint32_t plat_host_cycles;   /* plat_cycles32() */

void plat_host_reset(void);
#endif
