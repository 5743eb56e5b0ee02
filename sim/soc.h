/* One BCM2835 board: instantiates every peripheral model, wires interrupt lines and
 * maps every unmodelled block as a named logging stub (STYLE.md 13). */
#ifndef SIM_SOC_H
#define SIM_SOC_H
#include "core/sim.h"

typedef struct soc soc_t;
/* Called by sim_new() after RAM is mapped and before the CPU is reset. Returns NULL
 * (message on stderr) on failure, e.g. a UART link spec that cannot be opened. */
soc_t *soc_build(sim_t *sim, const sim_config_t *cfg);
void soc_reset(soc_t *soc);      /* board reset (watchdog): every device to reset state */
void soc_free(soc_t *soc);
/* IRQ source plumbing: sim_irq_set() forwards here (the IC model). */
void soc_irq_set(soc_t *soc, unsigned source, bool level);
/* Summary for --stats: per-device counters (UART bytes, overruns, watchdog resets...). */
void soc_print_stats(soc_t *soc, void *file /* FILE* */);
/* Same as JSON members (no braces) appended to an open object, for --stats-json. */
void soc_print_stats_json(soc_t *soc, void *file /* FILE* */);
#endif
