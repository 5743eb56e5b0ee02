/* ARM timer: 250 MHz / (PREDIV + 1) / prescale, periodic wrap, IRQ (basic source 64). */
#include "devtest.h"
#include "bcm2835/armtimer.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/ic.h"

#define T(off) (BCM2835_ARMTIMER_BASE + (off))
#define CTRL_ON (BCM2835_ARMT_CTRL_32BIT_BIT | BCM2835_ARMT_CTRL_IE_BIT | BCM2835_ARMT_CTRL_ENABLE_BIT)

static void test_reset_values(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_CONTROL)), BCM2835_ARMT_CTRL_RESET);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_PREDIV)), BCM2835_ARMT_PREDIV_RESET);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_IRQCLR)), 0x544D5241u);
    sim_free(s);
}

static void test_periodic_wrap(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    wr(s, BCM2835_IC_BASE + BCM2835_IC_ENABLE_BASIC, BCM2835_IC_BASIC_ARM_TIMER_BIT);
    /* PREDIV 249: 1 MHz tick = 700 cycles; LOAD 99: wrap every 100 ticks = 70000 cycles */
    wr(s, T(BCM2835_ARMT_PREDIV), 249);
    wr(s, T(BCM2835_ARMT_LOAD), 99);
    wr(s, T(BCM2835_ARMT_CONTROL), CTRL_ON);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_VALUE)), 99);
    sim_advance(s, 700 * 10);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_VALUE)), 89);
    dt_advance_to(s, 70000 - 1);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_RAWIRQ)), 0);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_VALUE)), 0);
    dt_advance_to(s, 70000);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_RAWIRQ)), 1);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_MSKIRQ)), 1);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_VALUE)), 99); /* reloaded */
    CHECK_EQ(rd(s, BCM2835_IC_BASE + BCM2835_IC_BASIC_PENDING), BCM2835_IC_BASIC_ARM_TIMER_BIT);
    CHECK(dt_irq(s));
    /* late clear: the next wrap keeps the original phase (no drift) */
    dt_advance_to(s, 70000 + 700 * 30 + 123);
    wr(s, T(BCM2835_ARMT_IRQCLR), 1);
    CHECK(!dt_irq(s));
    dt_advance_to(s, 140000 - 1);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_RAWIRQ)), 0);
    dt_advance_to(s, 140000);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_RAWIRQ)), 1);
    /* IE off: raw stays, line drops */
    wr(s, T(BCM2835_ARMT_CONTROL), CTRL_ON & ~BCM2835_ARMT_CTRL_IE_BIT);
    CHECK(!dt_irq(s));
    CHECK_EQ(rd(s, T(BCM2835_ARMT_MSKIRQ)), 0);
    sim_free(s);
}

static void test_prescaler_fractional_ticks(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    /* reset PREDIV 125 (/126), prescale /16: tick = 126 * 16 * 700 / 250 = 5644.8 cycles */
    wr(s, T(BCM2835_ARMT_LOAD), 9);
    wr(s, T(BCM2835_ARMT_CONTROL), CTRL_ON | (1u << BCM2835_ARMT_CTRL_PRESCALE_SHIFT));
    /* wrap after 10 ticks = 56448 cycles exactly */
    dt_advance_to(s, 56448 - 1);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_RAWIRQ)), 0);
    dt_advance_to(s, 56448);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_RAWIRQ)), 1);
    sim_free(s);
}

static void test_reload_register(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    wr(s, T(BCM2835_ARMT_PREDIV), 249);
    wr(s, T(BCM2835_ARMT_LOAD), 9);
    wr(s, T(BCM2835_ARMT_CONTROL), CTRL_ON);
    wr(s, T(BCM2835_ARMT_RELOAD), 49); /* current period continues */
    dt_advance_to(s, 7000);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_RAWIRQ)), 1);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_VALUE)), 49);
    wr(s, T(BCM2835_ARMT_IRQCLR), 1);
    dt_advance_to(s, 7000 + 50 * 700 - 1);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_RAWIRQ)), 0);
    dt_advance_to(s, 7000 + 50 * 700);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_RAWIRQ)), 1);
    sim_free(s);
}

static void test_free_running_counter(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI0);
    /* FREE_DIV 249: 1 MHz at 250 MHz = 1000 cycles per count at 1 GHz */
    wr(s, T(BCM2835_ARMT_CONTROL), BCM2835_ARMT_CTRL_FREE_EN_BIT | (249u << BCM2835_ARMT_CTRL_FREE_DIV_SHIFT));
    sim_advance(s, 1000 * 1234 + 999);
    CHECK_EQ(rd(s, T(BCM2835_ARMT_FREECNT)), 1234);
    sim_free(s);
}

int main(void)
{
    RUN(test_reset_values);
    RUN(test_periodic_wrap);
    RUN(test_prescaler_fractional_ticks);
    RUN(test_reload_register);
    RUN(test_free_running_counter);
    return DT_RESULT();
}
