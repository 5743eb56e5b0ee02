/* BCM2835 system timer model (datasheet chapter 12; QEMU hw/timer/bcm2835_systmr.c):
 * 64-bit 1 MHz counter derived from simulated cycles, four compare channels. */
#ifndef SIM_PERIPH_SYSTIMER_H
#define SIM_PERIPH_SYSTIMER_H
#include "core/sim.h"

#define BCM2835_ST_CHANNELS 4

typedef struct bcm2835_st bcm2835_st_t;
typedef struct bcm2835_st_chan {
    bcm2835_st_t *st;
    unsigned n;
    sim_timer_t timer;
} bcm2835_st_chan_t;

struct bcm2835_st {
    sim_t *sim;
    uint32_t cs;                       /* M0..M3 match flags */
    uint32_t cmp[BCM2835_ST_CHANNELS];
    bcm2835_st_chan_t chan[BCM2835_ST_CHANNELS];
    struct {
        uint64_t guest_errors, matches;
    } stats;
};

extern const sim_dev_ops_t bcm2835_st_ops;
void bcm2835_st_init(bcm2835_st_t *s, sim_t *sim);
void bcm2835_st_reset(void *opaque);
void bcm2835_st_fini(bcm2835_st_t *s);
/* the 1 MHz counter at the current simulated time: floor(cycles * 1e6 / cpu_hz) */
uint64_t bcm2835_st_counter(const bcm2835_st_t *s);
/* first cycle at which the counter reads >= us */
uint64_t bcm2835_st_us_to_cycle(const bcm2835_st_t *s, uint64_t us);
#endif
