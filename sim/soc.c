/* Placeholder board until the peripheral models land: no devices, IRQ sources ignored. */
#include "soc.h"
#include <stdlib.h>
struct soc { sim_t *sim; };
soc_t *soc_build(sim_t *sim, const sim_config_t *cfg) { (void)cfg; soc_t *s = calloc(1, sizeof *s); if (s) s->sim = sim; return s; }
void soc_reset(soc_t *soc) { (void)soc; }
void soc_free(soc_t *soc) { free(soc); }
void soc_irq_set(soc_t *soc, unsigned source, bool level) { (void)soc; (void)source; (void)level; }
void soc_print_stats(soc_t *soc, void *file) { (void)soc; (void)file; }
void soc_print_stats_json(soc_t *soc, void *file) { (void)soc; (void)file; }
