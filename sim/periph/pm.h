/* BCM2835 power management block: reset control and watchdog (timed in cycles). */
#ifndef SIM_PERIPH_PM_H
#define SIM_PERIPH_PM_H
#include "core/sim.h"

typedef struct bcm2835_pm {
    sim_t *sim;
    uint32_t rstc, rsts;
    uint32_t wdog_load;      /* ticks written to WDOG */
    uint64_t wdog_start;     /* cycle of the WDOG write */
    bool wdog_loaded;        /* counting down (WDOG written with a non-zero time) */
    sim_timer_t timer;       /* expiry */
    struct {
        uint64_t guest_errors, wdog_resets, wdog_halts, kicks, bad_password;
        uint64_t last_reset_cycle;
    } stats;
} bcm2835_pm_t;

extern const sim_dev_ops_t bcm2835_pm_ops;
void bcm2835_pm_init(bcm2835_pm_t *s, sim_t *sim);
void bcm2835_pm_reset(void *opaque);
void bcm2835_pm_fini(bcm2835_pm_t *s);
/* remaining watchdog ticks (what WDOG reads) */
uint32_t bcm2835_pm_wdog_remaining(const bcm2835_pm_t *s);
#endif
