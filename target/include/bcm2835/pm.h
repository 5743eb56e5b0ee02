/* BCM2835 power management block: reset control and watchdog (base 0x20100000).
 * Undocumented in the datasheet; offsets and the password as used by Linux
 * bcm2835_wdt.c and modelled by QEMU bcm2835_powermgt.c. The watchdog counts down
 * in ticks of 1/65536 s (about 15.26 us) and resets the SoC when it reaches 0. */
#ifndef BCM2835_PM_H
#define BCM2835_PM_H

#define BCM2835_PM_RSTC 0x1C
#define BCM2835_PM_RSTS 0x20
#define BCM2835_PM_WDOG 0x24
#define BCM2835_PM_SIZE 0x114

#define BCM2835_PM_PASSWORD        0x5A000000u
#define BCM2835_PM_PASSWORD_MASK   0xFF000000u
#define BCM2835_PM_RSTC_WRCFG_MASK 0x00000030u
#define BCM2835_PM_RSTC_WRCFG_FULL_RESET 0x00000020u
#define BCM2835_PM_RSTC_RESET      0x00000102u /* cancels a pending reset */
#define BCM2835_PM_WDOG_TIME_MASK  0x000FFFFFu
#define BCM2835_PM_WDOG_TICKS_PER_S 65536u
#define BCM2835_PM_RSTS_HADWRH_BIT (1u << 6)  /* set after a watchdog reset */

#endif
