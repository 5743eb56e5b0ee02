/* BCM2835 system timer driver: free-running 1 MHz counter and the ARM's compare channels
 * (1 and 3; the GPU owns 0 and 2, see bcm2835/systimer.h). */
#ifndef HAL_SYSTIMER_H
#define HAL_SYSTIMER_H
#include <stdint.h>

#define ST_DELAY_MAX_US   10000000u /* st_delay_us() refuses longer busy waits */
#define ST_ONESHOT_MIN_US 5u        /* shorter one-shots are rounded up (see systimer.c) */

typedef void (*st_callback_fn)(void *arg);

/* Usable at any time (no init needed). */
uint32_t st_now32(void);
uint64_t st_now_us(void);
int st_delay_us(uint32_t us);              /* ERR_RANGE above ST_DELAY_MAX_US */

/* Compare channels: needs st_init() and irq_init(). cb runs in IRQ context. */
int st_init(void);
int st_oneshot(unsigned channel, uint32_t delay_us, st_callback_fn cb, void *arg);
int st_cancel(unsigned channel);

#endif
