/* BCM2835 ARM timer (SP804 derivative, datasheet chapter 14), timed in simulated cycles. */
#ifndef SIM_PERIPH_ARMTIMER_H
#define SIM_PERIPH_ARMTIMER_H
#include "core/sim.h"

typedef struct bcm2835_armtimer {
    sim_t *sim;
    uint32_t load, control, prediv;
    /* down counter: value(t) derives from (t0, v0) at the current clock */
    uint64_t t0;          /* cycle of the last re-base */
    uint32_t v0;          /* counter value at t0 */
    bool raw;             /* raw interrupt flag */
    sim_timer_t timer;    /* next counter wrap (armed only while raw is clear) */
    /* free-running counter */
    uint64_t f_t0;
    uint32_t f_v0;
    bool irq_out;
    struct {
        uint64_t guest_errors, wraps;
    } stats;
} bcm2835_armtimer_t;

extern const sim_dev_ops_t bcm2835_armtimer_ops;
void bcm2835_armtimer_init(bcm2835_armtimer_t *s, sim_t *sim);
void bcm2835_armtimer_reset(void *opaque);
void bcm2835_armtimer_fini(bcm2835_armtimer_t *s);
#endif
