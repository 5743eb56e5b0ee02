/* BCM2835 PM watchdog (bcm2835/pm.h). */
#ifndef HAL_WDOG_H
#define HAL_WDOG_H
#include <stdint.h>

#define WDOG_MAX_MS 15999u /* 20-bit counter of 1/65536 s ticks */

int wdog_start(uint32_t timeout_ms);  /* arm (full reset on expiry) */
int wdog_kick(void);                  /* re-arm with the last timeout */
void wdog_stop(void);
__attribute__((noreturn)) void wdog_reset(void); /* full SoC reset, as soon as possible */

#endif
