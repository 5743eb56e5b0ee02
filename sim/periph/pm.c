/* BCM2835 PM block: RSTC / RSTS / WDOG (Linux bcm2835_wdt.c, QEMU bcm2835_powermgt.c).
 *
 * Every write must carry the password 0x5A in bits 31..24; a write without it is a guest
 * error and has no effect. WDOG holds a 20-bit time in ticks of 1/65536 s and counts down
 * in simulated time from the moment it is written; reading it returns the remaining
 * ticks. When it reaches 0 with RSTC.WRCFG = full reset, the board resets
 * (sim_request_board_reset(sim, "watchdog"), which honours cfg.wdog_stop); RSTS.HADWRH is
 * set and survives the reset, like the partition bits Linux writes into RSTS. RSTC =
 * password | RESET (0x102) clears WRCFG and so cancels a pending reset (Linux stop()).
 * Linux poweroff sets the RSTS partition to 63 (bits 0,2,4,6,8,10 = 0x555) and triggers
 * a reset: the firmware would then halt; this model requests SIM_STOP_HALT instead of a
 * reset (QEMU -no-reboot also exits 0 there). */
#include "periph/pm.h"
#include "periph/periph.h"
#include "bcm2835/pm.h"

#define PM_NAME "pm"
#define PM_RSTS_PARTITION_MASK 0x00000555u /* bits 0,2,4,6,8,10: boot partition */
#define PM_RSTS_PARTITION_HALT 0x00000555u /* partition 63: firmware halts (Linux poweroff) */
#define PM_RSTS_HADPOR_BIT     (1u << 12)  /* had power-on reset */
#define PM_RSTS_WRITABLE       0x00000FFFu

static uint64_t pm_ticks_to_cycles(const bcm2835_pm_t *s, uint64_t ticks)
{
    return periph_muldiv_ceil(ticks, sim_cpu_hz(s->sim), BCM2835_PM_WDOG_TICKS_PER_S);
}

uint32_t bcm2835_pm_wdog_remaining(const bcm2835_pm_t *s)
{
    if (!s->wdog_loaded) return 0;
    uint64_t el = periph_muldiv(sim_now(s->sim) - s->wdog_start, BCM2835_PM_WDOG_TICKS_PER_S, sim_cpu_hz(s->sim));
    return el >= s->wdog_load ? 0u : (uint32_t)(s->wdog_load - el);
}

static void pm_expire(void *opaque)
{
    bcm2835_pm_t *s = opaque;
    s->wdog_loaded = false;
    if ((s->rstc & BCM2835_PM_RSTC_WRCFG_MASK) != BCM2835_PM_RSTC_WRCFG_FULL_RESET) return;
    s->stats.last_reset_cycle = sim_now(s->sim);
    if ((s->rsts & PM_RSTS_PARTITION_MASK) == PM_RSTS_PARTITION_HALT) {
        s->stats.wdog_halts++;
        sim_request_stop(s->sim, SIM_STOP_HALT);
        return;
    }
    s->stats.wdog_resets++;
    s->rsts |= BCM2835_PM_RSTS_HADWRH_BIT;
    sim_request_board_reset(s->sim, "watchdog");
}

static void pm_arm(bcm2835_pm_t *s)
{
    if (s->wdog_loaded) sim_timer_mod(&s->timer, s->wdog_start + pm_ticks_to_cycles(s, s->wdog_load));
    else sim_timer_del(&s->timer);
}

static uint32_t pm_read(void *opaque, uint32_t off, unsigned size)
{
    bcm2835_pm_t *s = opaque;
    uint32_t r = 0;
    if (size != 4) PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, PM_NAME, "%u-byte read at 0x%03x", size, off);
    switch (periph_word_off(off)) {
    case BCM2835_PM_RSTC: r = s->rstc; break;
    case BCM2835_PM_RSTS: r = s->rsts; break;
    case BCM2835_PM_WDOG: r = bcm2835_pm_wdog_remaining(s); break;
    default:
        /* the rest of the PM block (power domains, ...) is not modelled: reads 0 */
        sim_unimp(s->sim, PM_NAME, "read at 0x%03x", off);
        break;
    }
    return periph_sub_read(r, off, size);
}

static void pm_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    bcm2835_pm_t *s = opaque;
    if (size != 4) {
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, PM_NAME, "%u-byte write at 0x%03x ignored", size, off);
        return;
    }
    if ((val & BCM2835_PM_PASSWORD_MASK) != BCM2835_PM_PASSWORD) {
        s->stats.bad_password++;
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, PM_NAME, "write 0x%08x to 0x%03x without the 0x5A password ignored",
                           val, off);
        return;
    }
    val &= ~BCM2835_PM_PASSWORD_MASK;
    switch (off) {
    case BCM2835_PM_RSTC:
        s->rstc = val;
        break;
    case BCM2835_PM_RSTS:
        s->rsts = (s->rsts & ~PM_RSTS_WRITABLE) | (val & PM_RSTS_WRITABLE);
        break;
    case BCM2835_PM_WDOG:
        if (s->wdog_loaded) s->stats.kicks++;
        s->wdog_load = val & BCM2835_PM_WDOG_TIME_MASK;
        s->wdog_start = sim_now(s->sim);
        s->wdog_loaded = s->wdog_load != 0;
        break;
    default:
        sim_unimp(s->sim, PM_NAME, "write 0x%08x at 0x%03x", val, off);
        return;
    }
    pm_arm(s);
}

void bcm2835_pm_reset(void *opaque)
{
    bcm2835_pm_t *s = opaque;
    /* RSTS (HADWRH, partition) survives the board reset: it is how the reason is passed on */
    s->rstc = BCM2835_PM_RSTC_RESET;
    s->wdog_load = 0;
    s->wdog_loaded = false;
    sim_timer_del(&s->timer);
}

void bcm2835_pm_init(bcm2835_pm_t *s, sim_t *sim)
{
    *s = (bcm2835_pm_t){ .sim = sim, .rstc = BCM2835_PM_RSTC_RESET, .rsts = PM_RSTS_HADPOR_BIT };
    sim_timer_init(&s->timer, sim, pm_expire, s);
}

void bcm2835_pm_fini(bcm2835_pm_t *s) { sim_timer_del(&s->timer); }

const sim_dev_ops_t bcm2835_pm_ops = {
    .name = PM_NAME,
    .read = pm_read,
    .write = pm_write,
    .reset = bcm2835_pm_reset,
};
