/* BCM2835 ARM interrupt controller model (datasheet 7.5; QEMU hw/intc/bcm2835_ic.c).
 * 72 input lines (64 GPU + 8 ARM basic) with levels; drives the CPU IRQ and FIQ lines. */
#ifndef SIM_PERIPH_IC_H
#define SIM_PERIPH_IC_H
#include "core/sim.h"

typedef struct bcm2835_ic {
    sim_t *sim;
    uint64_t gpu_level;   /* input levels, sources 0..63 */
    uint8_t arm_level;    /* input levels, sources 64..71 (basic bits 0..7) */
    uint64_t gpu_enable;
    uint8_t arm_enable;
    uint8_t fiq_source;   /* 0..71 */
    bool fiq_enable;
    bool irq_out, fiq_out; /* last value driven to the CPU */
    /* latency probes: cycle of each source's last 0->1 input edge (sim_event_time), and
     * whether it is still armed (not yet consumed by a probe hit) */
    uint64_t rise_cycle[72];
    uint64_t rise_seq[72];   /* number of rises so far: several probes on one source */
    bool rise_armed[72];
    struct {
        uint64_t guest_errors, irq_edges, fiq_edges;
        uint64_t rises_unconsumed;   /* a rise replaced an armed one (probe missed it) */
    } stats;
} bcm2835_ic_t;

extern const sim_dev_ops_t bcm2835_ic_ops;
void bcm2835_ic_init(bcm2835_ic_t *s, sim_t *sim);
void bcm2835_ic_reset(void *opaque);
void bcm2835_ic_set_input(bcm2835_ic_t *s, unsigned source, bool level);
bool bcm2835_ic_irq_out(const bcm2835_ic_t *s);
bool bcm2835_ic_fiq_out(const bcm2835_ic_t *s);
/* latency probes: last rise of `source` and whether a probe may still consume it */
uint64_t bcm2835_ic_rise_cycle(const bcm2835_ic_t *s, unsigned source);
bool bcm2835_ic_rise_armed(const bcm2835_ic_t *s, unsigned source);
uint64_t bcm2835_ic_rise_seq(const bcm2835_ic_t *s, unsigned source);
/* consume the armed rise: true + *cycle, or false if none is armed */
bool bcm2835_ic_take_rise(bcm2835_ic_t *s, unsigned source, uint64_t *cycle);
#endif
