/* IC model: enable/disable, pending registers, basic shortcuts, summary bits, FIQ routing. */
#include "devtest.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/ic.h"

#define IC(off) (BCM2835_IC_BASE + (off))

static void test_masked_source_not_pending(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    sim_irq_set(s, BCM2835_IRQ_UART0, true);
    CHECK_EQ(rd(s, IC(BCM2835_IC_PENDING2)), 0);
    CHECK_EQ(rd(s, IC(BCM2835_IC_BASIC_PENDING)), 0);
    CHECK(!dt_irq(s));
    sim_free(s);
}

static void test_enable_disable(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    sim_irq_set(s, BCM2835_IRQ_GPIO0, true); /* 49: bank 2 bit 17, no shortcut */
    wr(s, IC(BCM2835_IC_ENABLE2), 1u << (BCM2835_IRQ_GPIO0 - 32));
    CHECK_EQ(rd(s, IC(BCM2835_IC_ENABLE2)), 1u << 17);
    CHECK_EQ(rd(s, IC(BCM2835_IC_PENDING2)), 1u << 17);
    CHECK_EQ(rd(s, IC(BCM2835_IC_BASIC_PENDING)), BCM2835_IC_BASIC_PEND2_BIT);
    CHECK(dt_irq(s));
    /* enable registers set bits, they do not overwrite */
    wr(s, IC(BCM2835_IC_ENABLE2), 1u << 2);
    CHECK_EQ(rd(s, IC(BCM2835_IC_ENABLE2)), (1u << 17) | (1u << 2));
    wr(s, IC(BCM2835_IC_DISABLE2), 1u << 17);
    CHECK_EQ(rd(s, IC(BCM2835_IC_ENABLE2)), 1u << 2);
    CHECK_EQ(rd(s, IC(BCM2835_IC_PENDING2)), 0);
    CHECK(!dt_irq(s));
    /* level input: dropping the source clears pending */
    wr(s, IC(BCM2835_IC_ENABLE2), 1u << 17);
    CHECK(dt_irq(s));
    sim_irq_set(s, BCM2835_IRQ_GPIO0, false);
    CHECK(!dt_irq(s));
    CHECK_EQ(rd(s, IC(BCM2835_IC_PENDING2)), 0);
    sim_free(s);
}

static void test_pending1_summary_and_shortcuts(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    wr(s, IC(BCM2835_IC_ENABLE1), 0xFFFFFFFFu);
    wr(s, IC(BCM2835_IC_ENABLE2), 0xFFFFFFFFu);
    sim_irq_set(s, BCM2835_IRQ_ST_C1, true); /* no shortcut: summary bit 8 */
    CHECK_EQ(rd(s, IC(BCM2835_IC_PENDING1)), 1u << 1);
    CHECK_EQ(rd(s, IC(BCM2835_IC_BASIC_PENDING)), BCM2835_IC_BASIC_PEND1_BIT);
    sim_irq_set(s, BCM2835_IRQ_ST_C1, false);
    /* every shortcut source: its basic bit, and no summary bit */
    static const unsigned sc[BCM2835_IC_BASIC_NSHORTCUTS] = BCM2835_IC_BASIC_SHORTCUTS;
    for (unsigned i = 0; i < BCM2835_IC_BASIC_NSHORTCUTS; i++) {
        sim_irq_set(s, sc[i], true);
        CHECK_EQ(rd(s, IC(BCM2835_IC_BASIC_PENDING)), 1u << (BCM2835_IC_BASIC_SHORTCUT_FIRST + i));
        CHECK_EQ(rd(s, sc[i] < 32 ? IC(BCM2835_IC_PENDING1) : IC(BCM2835_IC_PENDING2)), 1u << (sc[i] % 32));
        CHECK(dt_irq(s));
        sim_irq_set(s, sc[i], false);
    }
    /* UART0 (57) and a plain bank-2 source together: shortcut bit 19 + summary bit 9 */
    sim_irq_set(s, BCM2835_IRQ_UART0, true);
    sim_irq_set(s, BCM2835_IRQ_GPIO1, true);
    CHECK_EQ(rd(s, IC(BCM2835_IC_BASIC_PENDING)), (1u << 19) | BCM2835_IC_BASIC_PEND2_BIT);
    sim_free(s);
}

static void test_basic_arm_sources(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    sim_irq_set(s, BCM2835_IRQ_ARM_TIMER, true);
    CHECK(!dt_irq(s));
    wr(s, IC(BCM2835_IC_ENABLE_BASIC), BCM2835_IC_BASIC_ARM_TIMER_BIT);
    CHECK_EQ(rd(s, IC(BCM2835_IC_BASIC_PENDING)), BCM2835_IC_BASIC_ARM_TIMER_BIT);
    CHECK(dt_irq(s));
    wr(s, IC(BCM2835_IC_DISABLE_BASIC), BCM2835_IC_BASIC_ARM_TIMER_BIT);
    CHECK(!dt_irq(s));
    CHECK_EQ(rd(s, IC(BCM2835_IC_ENABLE_BASIC)), 0);
    sim_free(s);
}

static void test_fiq_routing(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    wr(s, IC(BCM2835_IC_ENABLE2), 1u << (BCM2835_IRQ_UART0 - 32));
    wr(s, IC(BCM2835_IC_FIQ_CONTROL), BCM2835_IC_FIQ_ENABLE_BIT | BCM2835_IRQ_UART0);
    CHECK_EQ(rd(s, IC(BCM2835_IC_FIQ_CONTROL)), BCM2835_IC_FIQ_ENABLE_BIT | BCM2835_IRQ_UART0);
    sim_irq_set(s, BCM2835_IRQ_UART0, true);
    CHECK(dt_fiq(s));
    CHECK(!dt_irq(s)); /* the FIQ source is removed from the IRQ line */
    /* another source still goes to IRQ */
    wr(s, IC(BCM2835_IC_ENABLE1), 1u << BCM2835_IRQ_ST_C3);
    sim_irq_set(s, BCM2835_IRQ_ST_C3, true);
    CHECK(dt_irq(s));
    CHECK(dt_fiq(s));
    sim_irq_set(s, BCM2835_IRQ_ST_C3, false);
    /* FIQ disabled: the source is an IRQ again */
    wr(s, IC(BCM2835_IC_FIQ_CONTROL), BCM2835_IRQ_UART0);
    CHECK(!dt_fiq(s));
    CHECK(dt_irq(s));
    /* an ARM basic source (64 + n) routed to FIQ, without any IRQ enable */
    wr(s, IC(BCM2835_IC_FIQ_CONTROL), BCM2835_IC_FIQ_ENABLE_BIT | BCM2835_IRQ_ARM_TIMER);
    sim_irq_set(s, BCM2835_IRQ_ARM_TIMER, true);
    CHECK(dt_fiq(s));
    sim_irq_set(s, BCM2835_IRQ_ARM_TIMER, false);
    CHECK(!dt_fiq(s));
    sim_free(s);
}

static void test_guest_errors_logged_not_fatal(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    uint64_t before = sim_stats(s)->guest_errors;
    wr(s, IC(BCM2835_IC_PENDING1), 0xFFFFFFFFu); /* read-only */
    wr(s, IC(0x100), 1);                         /* nothing there */
    CHECK_EQ(sim_stats(s)->guest_errors - before, 1); /* 0x100 is outside the IC: unimplemented */
    CHECK_EQ(rd(s, IC(BCM2835_IC_PENDING1)), 0);
    sim_free(s);
}

static void test_reset_clears_enables(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    wr(s, IC(BCM2835_IC_ENABLE1), 0xFFFFFFFFu);
    wr(s, IC(BCM2835_IC_FIQ_CONTROL), BCM2835_IC_FIQ_ENABLE_BIT | 3);
    sim_reset(s);
    CHECK_EQ(rd(s, IC(BCM2835_IC_ENABLE1)), 0);
    CHECK_EQ(rd(s, IC(BCM2835_IC_FIQ_CONTROL)), 0);
    sim_free(s);
}

int main(void)
{
    RUN(test_masked_source_not_pending);
    RUN(test_enable_disable);
    RUN(test_pending1_summary_and_shortcuts);
    RUN(test_basic_arm_sources);
    RUN(test_fiq_routing);
    RUN(test_guest_errors_logged_not_fatal);
    RUN(test_reset_clears_enables);
    return DT_RESULT();
}
