/* PM watchdog: password, countdown at 65536 ticks/s, board reset at expiry, RSTS flag. */
#include "devtest.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/pm.h"
#include "periph/pm.h"

#define P(off) (BCM2835_PM_BASE + (off))
#define PW BCM2835_PM_PASSWORD
/* 655 ticks at 700 MHz: ceil(655 * 700e6 / 65536) = ceil(6996154.78) */
#define EXPIRY_655_700 6996155u

static void arm_wdog(sim_t *s, uint32_t ticks)
{
    wr(s, P(BCM2835_PM_WDOG), PW | ticks);
    uint32_t rstc = rd(s, P(BCM2835_PM_RSTC));
    wr(s, P(BCM2835_PM_RSTC), PW | (rstc & ~BCM2835_PM_RSTC_WRCFG_MASK) | BCM2835_PM_RSTC_WRCFG_FULL_RESET);
}

static void test_expiry_resets_board(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    bcm2835_pm_t *pm = soc_pm(sim_soc(s));
    arm_wdog(s, 655);
    sim_advance(s, EXPIRY_655_700 / 2);
    uint32_t left = rd(s, P(BCM2835_PM_WDOG));
    CHECK(left >= 327 && left <= 328);
    dt_advance_to(s, EXPIRY_655_700 - 1);
    CHECK_EQ(sim_stats(s)->wdog_resets, 0);
    dt_advance_to(s, EXPIRY_655_700);
    CHECK_EQ(sim_stats(s)->wdog_resets, 1);
    CHECK_EQ(pm->stats.wdog_resets, 1);
    CHECK_EQ(pm->stats.last_reset_cycle, EXPIRY_655_700);
    /* the board was reset: RSTC back to its reset value, RSTS keeps HADWRH */
    CHECK_EQ(rd(s, P(BCM2835_PM_RSTC)), BCM2835_PM_RSTC_RESET);
    CHECK(rd(s, P(BCM2835_PM_RSTS)) & BCM2835_PM_RSTS_HADWRH_BIT);
    CHECK_EQ(rd(s, P(BCM2835_PM_WDOG)), 0);
    sim_free(s);
}

static void test_kick_postpones(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    arm_wdog(s, 655);
    dt_advance_to(s, EXPIRY_655_700 - 100);
    wr(s, P(BCM2835_PM_WDOG), PW | 655); /* kick */
    dt_advance_to(s, EXPIRY_655_700 + 100);
    CHECK_EQ(sim_stats(s)->wdog_resets, 0);
    dt_advance_to(s, EXPIRY_655_700 - 100 + EXPIRY_655_700);
    CHECK_EQ(sim_stats(s)->wdog_resets, 1);
    sim_free(s);
}

static void test_stop_cancels(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    arm_wdog(s, 10);
    wr(s, P(BCM2835_PM_RSTC), PW | BCM2835_PM_RSTC_RESET); /* Linux bcm2835_wdt_stop */
    sim_advance(s, 2 * EXPIRY_655_700);
    CHECK_EQ(sim_stats(s)->wdog_resets, 0);
    sim_free(s);
}

static void test_password_required(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    uint64_t ge = sim_stats(s)->guest_errors;
    wr(s, P(BCM2835_PM_WDOG), 10);
    wr(s, P(BCM2835_PM_RSTC), BCM2835_PM_RSTC_WRCFG_FULL_RESET);
    CHECK_EQ(sim_stats(s)->guest_errors - ge, 2);
    CHECK_EQ(rd(s, P(BCM2835_PM_RSTC)), BCM2835_PM_RSTC_RESET);
    sim_advance(s, EXPIRY_655_700);
    CHECK_EQ(sim_stats(s)->wdog_resets, 0);
    sim_free(s);
}

static void test_wdog_stop_config(void)
{
    sim_config_t cfg;
    sim_config_default(&cfg);
    cfg.uart0_spec = "null";
    cfg.wdog_stop = true;
    cfg.max_cycles = 50000000;
    sim_t *s = dt_new_cfg(&cfg);
    static const uint32_t loop[] = { 0xEAFFFFFEu }; /* b . */
    sim_load_raw(s, 0x8000, loop, sizeof loop);
    sim_set_entry(s, 0x8000);
    arm_wdog(s, 655);
    CHECK_EQ(sim_run(s), SIM_STOP_WATCHDOG);
    CHECK_EQ(soc_pm(sim_soc(s))->stats.last_reset_cycle, EXPIRY_655_700);
    sim_free(s);
}

static void test_poweroff_partition_halts(void)
{
    sim_config_t cfg;
    sim_config_default(&cfg);
    cfg.uart0_spec = "null";
    cfg.max_cycles = 50000000;
    sim_t *s = dt_new_cfg(&cfg);
    static const uint32_t loop[] = { 0xEAFFFFFEu };
    sim_load_raw(s, 0x8000, loop, sizeof loop);
    sim_set_entry(s, 0x8000);
    wr(s, P(BCM2835_PM_RSTS), PW | 0x555); /* Linux poweroff: partition 63 */
    arm_wdog(s, 10);
    CHECK_EQ(sim_run(s), SIM_STOP_HALT);
    CHECK_EQ(sim_stats(s)->wdog_resets, 0);
    sim_free(s);
}

int main(void)
{
    RUN(test_expiry_resets_board);
    RUN(test_kick_postpones);
    RUN(test_stop_cancels);
    RUN(test_password_required);
    RUN(test_wdog_stop_config);
    RUN(test_poweroff_partition_halts);
    return DT_RESULT();
}
