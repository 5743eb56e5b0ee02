/* BCM2835 system timer driver: free-running 1 MHz counter and the ARM's compare channels
 * (1 and 3; the GPU owns 0 and 2, see bcm2835/systimer.h). */
#ifndef HAL_SYSTIMER_H
#define HAL_SYSTIMER_H
#include <stdint.h>

#define ST_DELAY_MAX_US   10000000u /* st_delay_us() refuses longer busy waits */
#define ST_ONESHOT_MIN_US 5u        /* shorter one-shots are rounded up (see systimer.c) */
#define ST_PERIODIC_MIN_US 10u      /* st_periodic refuses shorter periods (100 kHz) */

typedef void (*st_callback_fn)(void *arg);

/* Usable at any time (no init needed). */
uint32_t st_now32(void);
uint64_t st_now_us(void);
int st_delay_us(uint32_t us);              /* ERR_RANGE above ST_DELAY_MAX_US */

/* Compare channels: needs vmit_init() and st_init(). cb runs in the channel's VMIT handler
 * (C1: VMIT_LEVEL_TIMER, C3: VMIT_LEVEL_STORM). */
int st_init(void);
int st_oneshot(unsigned channel, uint32_t delay_us, st_callback_fn cb, void *arg);
/* Periodic compare every period_us (next target = previous + period, late periods skipped
 * and reported to vmit_report_overrun); st_cancel() stops it. */
int st_periodic(unsigned channel, uint32_t period_us, st_callback_fn cb, void *arg);
int st_cancel(unsigned channel);

#endif
