/* System timer: CLO/CHI from cycles (exact), compare match at the right microsecond. */
#include "devtest.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/ic.h"
#include "bcm2835/systimer.h"

#define ST(off) (BCM2835_ST_BASE + (off))

static void check_counter_math(sim_board_t board, uint64_t hz)
{
    sim_t *s = dt_new(board);
    CHECK_EQ(sim_cpu_hz(s), hz);
    uint64_t per_us = hz / 1000000u;
    dt_advance_to(s, 1000 * per_us - 1);
    CHECK_EQ(rd(s, ST(BCM2835_ST_CLO)), 999);
    dt_advance_to(s, 1000 * per_us);
    CHECK_EQ(rd(s, ST(BCM2835_ST_CLO)), 1000);
    CHECK_EQ(rd(s, ST(BCM2835_ST_CHI)), 0);
    /* across the 32-bit boundary: 2^32 us */
    uint64_t wrap = (1ull << 32) * per_us;
    dt_advance_to(s, wrap - 1);
    CHECK_EQ(rd(s, ST(BCM2835_ST_CLO)), 0xFFFFFFFFu);
    CHECK_EQ(rd(s, ST(BCM2835_ST_CHI)), 0);
    dt_advance_to(s, wrap);
    CHECK_EQ(rd(s, ST(BCM2835_ST_CLO)), 0);
    CHECK_EQ(rd(s, ST(BCM2835_ST_CHI)), 1);
    sim_free(s);
}

static void test_counter_700mhz(void) { check_counter_math(SIM_BOARD_PI1B, 700000000u); }
static void test_counter_1ghz(void) { check_counter_math(SIM_BOARD_PI0, 1000000000u); }

static void check_match(sim_board_t board)
{
    sim_t *s = dt_new(board);
    uint64_t per_us = sim_cpu_hz(s) / 1000000u;
    wr(s, BCM2835_IC_BASE + BCM2835_IC_ENABLE1, 1u << BCM2835_IRQ_ST_C1);
    dt_advance_to(s, 12345); /* mid-microsecond */
    uint32_t clo = rd(s, ST(BCM2835_ST_CLO));
    wr(s, ST(BCM2835_ST_C1), clo + 100);
    CHECK_EQ(rd(s, ST(BCM2835_ST_C1)), clo + 100);
    uint64_t match = (uint64_t)(clo + 100) * per_us;
    dt_advance_to(s, match - 1);
    CHECK_EQ(rd(s, ST(BCM2835_ST_CS)), 0);
    CHECK(!dt_irq(s));
    dt_advance_to(s, match);
    CHECK_EQ(rd(s, ST(BCM2835_ST_CS)), BCM2835_ST_CS_M(1));
    CHECK_EQ(rd(s, BCM2835_IC_BASE + BCM2835_IC_PENDING1), 1u << 1);
    CHECK(dt_irq(s));
    /* stays set until written 1 */
    sim_advance(s, 1000 * per_us);
    CHECK_EQ(rd(s, ST(BCM2835_ST_CS)), BCM2835_ST_CS_M(1));
    wr(s, ST(BCM2835_ST_CS), BCM2835_ST_CS_M(0)); /* other bit: no effect */
    CHECK_EQ(rd(s, ST(BCM2835_ST_CS)), BCM2835_ST_CS_M(1));
    wr(s, ST(BCM2835_ST_CS), BCM2835_ST_CS_M(1));
    CHECK_EQ(rd(s, ST(BCM2835_ST_CS)), 0);
    CHECK(!dt_irq(s));
    sim_free(s);
}
static void test_match_700mhz(void) { check_match(SIM_BOARD_PI1B); }
static void test_match_1ghz(void) { check_match(SIM_BOARD_PI0); }

static void test_periodic_rearm(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    /* the usual driver loop: on match, clear and set C3 += 1000 */
    uint32_t next = rd(s, ST(BCM2835_ST_CLO)) + 1000;
    wr(s, ST(BCM2835_ST_C3), next);
    for (int i = 0; i < 5; i++) {
        dt_advance_to(s, (uint64_t)next * 700);
        CHECK_EQ(rd(s, ST(BCM2835_ST_CS)), BCM2835_ST_CS_M(3));
        wr(s, ST(BCM2835_ST_CS), BCM2835_ST_CS_M(3));
        next += 1000;
        wr(s, ST(BCM2835_ST_C3), next);
        sim_advance(s, 700);
        CHECK_EQ(rd(s, ST(BCM2835_ST_CS)), 0);
    }
    sim_free(s);
}

static void test_compare_equal_now_waits_for_wrap(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    dt_advance_to(s, 700 * 50);
    wr(s, ST(BCM2835_ST_C1), 50); /* CLO is 50 now: the comparator needs the next 50 */
    sim_advance(s, 700 * 10);
    CHECK_EQ(rd(s, ST(BCM2835_ST_CS)), 0);
    /* a compare value in the past matches after the counter wraps */
    dt_advance_to(s, ((1ull << 32) + 50) * 700 - 1);
    CHECK_EQ(rd(s, ST(BCM2835_ST_CS)), 0);
    sim_advance(s, 1);
    CHECK_EQ(rd(s, ST(BCM2835_ST_CS)), BCM2835_ST_CS_M(1));
    sim_free(s);
}

static void test_counter_is_readonly(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    uint64_t ge = sim_stats(s)->guest_errors;
    dt_advance_to(s, 7000);
    wr(s, ST(BCM2835_ST_CLO), 0);
    CHECK_EQ(rd(s, ST(BCM2835_ST_CLO)), 10);
    CHECK_EQ(sim_stats(s)->guest_errors - ge, 1);
    sim_free(s);
}

int main(void)
{
    RUN(test_counter_700mhz);
    RUN(test_counter_1ghz);
    RUN(test_match_700mhz);
    RUN(test_match_1ghz);
    RUN(test_periodic_rearm);
    RUN(test_compare_equal_now_waits_for_wrap);
    RUN(test_counter_is_readonly);
    return DT_RESULT();
}
