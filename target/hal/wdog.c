/* PM watchdog and reset: RSTC/WDOG with the 0x5A password in bits 31:24; timeout in ticks of
 * 1/65536 s (Linux drivers/watchdog/bcm2835_wdt.c, QEMU hw/misc/bcm2835_powermgt.c). */
#include "hal/wdog.h"
#include "hal/mmio.h"
#include "hal/systimer.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/pm.h"
#include "boot/exc.h"
#include "err.h"

#define WDOG_BASE ((uintptr_t)BCM2835_PM_BASE)
#define WDOG_RESET_TICKS 10u       /* ~150 us, what Linux uses for a restart */
#define WDOG_RESET_WAIT_US 1000000u

static uint32_t wdog_ticks;

static void wdog_arm_ticks(uint32_t ticks)
{
    mmio_enter();
    mmio_write32(WDOG_BASE, BCM2835_PM_WDOG, BCM2835_PM_PASSWORD | (ticks & BCM2835_PM_WDOG_TIME_MASK));
    uint32_t rstc = mmio_read32(WDOG_BASE, BCM2835_PM_RSTC);
    mmio_write32(WDOG_BASE, BCM2835_PM_RSTC,
                 BCM2835_PM_PASSWORD | (rstc & ~(BCM2835_PM_PASSWORD_MASK | BCM2835_PM_RSTC_WRCFG_MASK)) |
                     BCM2835_PM_RSTC_WRCFG_FULL_RESET);
    mmio_leave();
}

int wdog_start(uint32_t timeout_ms)
{
    if (timeout_ms == 0 || timeout_ms > WDOG_MAX_MS)
        return ERR_RANGE;
    wdog_ticks = (uint32_t)(((uint64_t)timeout_ms * BCM2835_PM_WDOG_TICKS_PER_S) / 1000u);
    wdog_arm_ticks(wdog_ticks);
    return ERR_OK;
}

int wdog_kick(void)
{
    if (!wdog_ticks)
        return ERR_INVAL;
    wdog_arm_ticks(wdog_ticks);
    return ERR_OK;
}

void wdog_stop(void)
{
    mmio_enter();
    mmio_write32(WDOG_BASE, BCM2835_PM_RSTC, BCM2835_PM_PASSWORD | BCM2835_PM_RSTC_RESET);
    mmio_leave();
    wdog_ticks = 0;
}

void wdog_reset(void)
{
    exc_irq_disable();
    wdog_arm_ticks(WDOG_RESET_TICKS);
    st_delay_us(WDOG_RESET_WAIT_US); /* the reset lands long before this ends */
    exc_halt();
}
