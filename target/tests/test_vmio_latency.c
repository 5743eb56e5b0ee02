/* fw_vmio_latency: VMIO response-time histogram (vmio.h "Response time") with a controlled
 * cycle counter (plat_host_cycles): the handler advances the counter by the event's `arg`,
 * so every recorded latency is known exactly. Checks the bucket geometry, the exact
 * histogram contents, count/sum/min/max, nearest-rank median/p90/p99 (exact below 128
 * cycles, within 1/128 above), wrap-around of the 32-bit counter, the deposit/post split
 * and reset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "vmio/vmio.h"
#include "plat_host.h"

enum { L_EV_ADV = VMIO_EV_USER, L_EV_FANOUT, L_NEVENTS };

/* arg = cycles the handler "takes" */
static int l_adv(vmio_automaton_t *a, const vmio_event_t *ev)
{
    (void)a;
    plat_host_cycles += ev->arg;
    return 0;
}
/* Fan-out: costs arg cycles, then posts an internal L_EV_ADV (cost arg too) to itself. The
 * post is stamped at the handler's end time, so its latency is exactly its own cost. */
static int l_fanout(vmio_automaton_t *a, const vmio_event_t *ev)
{
    plat_host_cycles += ev->arg;
    return vmio_send(a, vmio_addr(VMIO_NODE_LOCAL, a->id, 0), L_EV_ADV, 0, 0, ev->arg, 0, 1);
}

static const vmio_row_t l_rows[1][L_NEVENTS] = {
    [0] = {[L_EV_ADV] = VMIO_ROW(l_adv, VMIO_SAME), [L_EV_FANOUT] = VMIO_ROW(l_fanout, VMIO_SAME)},
};
static const vmio_state_desc_t l_states[1] = {{"only", 0, 0}};
static const vmio_table_t l_table = {
    .name = "test_latency", .nstates = 1, .nevents = L_NEVENTS, .rows = &l_rows[0][0],
    .dflt = 0, .states = l_states, .event_names = 0,
};
static vmio_automaton_t l_aut;

static int setup(void **state)
{
    (void)state;
    vmio_init(1);
    plat_host_reset();
    plat_host_cycles = 1000;
    assert_int_equal(vmio_register(&l_aut, 1, &l_table, 0), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_false(vmio_pending());
    assert_int_equal(vmio_buf_outstanding(), 0);
    return 0;
}

/* Deposit one event at `level` costing `cyc`, dispatch it: one sample of exactly cyc. */
static void one(unsigned level, uint8_t code, uint32_t cyc)
{
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(VMIO_NODE_LOCAL, 1, 0);
    ev.code = code;
    ev.arg = cyc;
    ev.stamp = 0xDEADBEEFu;     /* the engine overwrites it */
    assert_int_equal(vmio_deposit(level, &ev), 0);
    assert_true(vmio_run() >= 1);
}

static void assert_within(uint32_t got, uint32_t want)
{
    /* documented resolution: exact below 128 cycles, else |got - want| <= want / 128 */
    uint32_t tol = want < VMIO_LAT_EXACT ? 0 : want / 128u;
    uint32_t d = got > want ? got - want : want - got;
    if (d > tol)
        fail_msg("quantile %u, want %u +- %u", (unsigned)got, (unsigned)want, (unsigned)tol);
}

static void test_bucket_geometry(void **state)
{
    (void)state;
    for (uint32_t v = 0; v < VMIO_LAT_EXACT; v++) {
        assert_int_equal(vmio_latency_bucket(v), v);
        assert_int_equal(vmio_latency_bucket_width(v), 1);
    }
    uint32_t expect_lo = 0;
    for (unsigned b = 0; b < VMIO_LAT_NBUCKETS; b++) {
        uint32_t lo = vmio_latency_bucket_low(b), w = vmio_latency_bucket_width(b);
        assert_int_equal(lo, expect_lo);            /* contiguous, no gap, no overlap */
        assert_int_equal(vmio_latency_bucket(lo), b);
        assert_int_equal(vmio_latency_bucket(lo + (w - 1u)), b);
        if (b >= VMIO_LAT_EXACT)
            assert_true((uint64_t)w * VMIO_LAT_SUB <= lo);  /* width <= value / 64 */
        expect_lo = lo + w;                          /* wraps to 0 after the last bucket */
    }
    assert_int_equal(expect_lo, 0);
    assert_int_equal(vmio_latency_bucket(0xFFFFFFFFu), VMIO_LAT_NBUCKETS - 1u);
    assert_int_equal(vmio_latency_bucket(128), 128);
    assert_int_equal(vmio_latency_bucket(129), 128);    /* width 2 */
    assert_int_equal(vmio_latency_bucket(130), 129);
    assert_int_equal(vmio_latency_bucket(256), 192);    /* next octave, width 4 */
    assert_int_equal(vmio_latency_bucket_width(VMIO_LAT_NBUCKETS), 0);
    assert_int_equal(vmio_latency_bucket_count(VMIO_LAT_ALL, VMIO_LAT_NBUCKETS), 0);
}

static void test_exact_histogram(void **state)
{
    (void)state;
    static const uint32_t cost[] = {0, 1, 7, 127, 128, 129, 1000, 1000, 70000, 123456789};
    uint64_t sum = 0;
    for (unsigned i = 0; i < sizeof cost / sizeof cost[0]; i++) {
        one(i % 2 ? 2u : VMIO_LEVEL_APP, L_EV_ADV, cost[i]);
        sum += cost[i];
    }
    unsigned n = sizeof cost / sizeof cost[0];
    uint32_t total = 0;
    for (unsigned b = 0; b < VMIO_LAT_NBUCKETS; b++) {
        uint32_t want = 0;
        for (unsigned i = 0; i < n; i++)
            want += vmio_latency_bucket(cost[i]) == b;
        assert_int_equal(vmio_latency_bucket_count(VMIO_LAT_DEPOSIT, b), want);
        assert_int_equal(vmio_latency_bucket_count(VMIO_LAT_ALL, b), want);
        assert_int_equal(vmio_latency_bucket_count(VMIO_LAT_POST, b), 0);
        total += want;
    }
    assert_int_equal(total, n);
    vmio_latency_t l;
    assert_int_equal(vmio_latency_get(VMIO_LAT_DEPOSIT, &l), 0);
    assert_int_equal(l.count, n);
    assert_int_equal(l.sum_cyc, sum);
    assert_int_equal(l.min_cyc, 0);
    assert_int_equal(l.max_cyc, 123456789u);
    assert_int_equal(l.median_cyc, 128);          /* rank 5 of 10 -> 128 (exact) */
    assert_within(l.p99_cyc, 123456789u);         /* rank 10: the midpoint of its bucket */
    assert_true(l.p99_cyc <= l.max_cyc);
    assert_int_equal(vmio_latency_get(VMIO_LAT_POST, &l), 0);
    assert_int_equal(l.count, 0);
    assert_int_equal(l.median_cyc, 0);
    assert_int_equal(l.max_cyc, 0);
}

static void test_quantiles_exact_range(void **state)
{
    (void)state;
    /* 1..100 in a scrambled order: nearest rank median = 50, p90 = 90, p99 = 99 */
    for (uint32_t i = 0; i < 100; i++)
        one(0, L_EV_ADV, (i * 37u) % 100u + 1u);
    vmio_latency_t l;
    assert_int_equal(vmio_latency_get(VMIO_LAT_ALL, &l), 0);
    assert_int_equal(l.count, 100);
    assert_int_equal(l.min_cyc, 1);
    assert_int_equal(l.max_cyc, 100);
    assert_int_equal(l.sum_cyc, 5050);
    assert_int_equal(l.median_cyc, 50);
    assert_int_equal(l.p90_cyc, 90);
    assert_int_equal(l.p99_cyc, 99);
    assert_int_equal(vmio_latency_quantile(VMIO_LAT_ALL, 10000), 100);
    assert_int_equal(vmio_latency_quantile(VMIO_LAT_ALL, 1), 1);
    assert_int_equal(vmio_latency_quantile(VMIO_LAT_ALL, 2500), 25);
}

static void test_quantiles_log_range(void **state)
{
    (void)state;
    /* i * 997 + 3 for i = 1..1000 (values 1000..997003, spread over 10 octaves) */
    for (uint32_t i = 1; i <= 1000; i++)
        one(3, L_EV_ADV, ((i * 7919u) % 1000u + 1u) * 997u + 3u);
    vmio_latency_t l;
    assert_int_equal(vmio_latency_get(VMIO_LAT_ALL, &l), 0);
    assert_int_equal(l.count, 1000);
    assert_int_equal(l.min_cyc, 1000);
    assert_int_equal(l.max_cyc, 997003u);
    assert_within(l.median_cyc, 500u * 997u + 3u);
    assert_within(l.p90_cyc, 900u * 997u + 3u);
    assert_within(l.p99_cyc, 990u * 997u + 3u);
    assert_within(vmio_latency_quantile(VMIO_LAT_DEPOSIT, 100), 10u * 997u + 3u);
    assert_true(l.median_cyc <= l.p90_cyc && l.p90_cyc <= l.p99_cyc && l.p99_cyc <= l.max_cyc);
}

static void test_counter_wrap(void **state)
{
    (void)state;
    plat_host_cycles = 0xFFFFFF00u;       /* deposit 256 cycles before the wrap */
    one(1, L_EV_ADV, 0x300);              /* handler ends at 0x200 after the wrap */
    assert_int_equal(plat_host_cycles, 0x200u);
    plat_host_cycles = 0xFFFFFFFFu;
    one(1, L_EV_ADV, 1);                  /* ends exactly at 0 */
    vmio_latency_t l;
    assert_int_equal(vmio_latency_get(VMIO_LAT_DEPOSIT, &l), 0);
    assert_int_equal(l.count, 2);
    assert_int_equal(l.min_cyc, 1);
    assert_int_equal(l.max_cyc, 0x300u);
    assert_int_equal(l.sum_cyc, 0x301u);
    assert_int_equal(vmio_latency_bucket_count(VMIO_LAT_DEPOSIT, vmio_latency_bucket(0x300)), 1);
    assert_int_equal(vmio_latency_bucket_count(VMIO_LAT_DEPOSIT, 1), 1);
}

static void test_queued_behind_and_kinds(void **state)
{
    (void)state;
    /* Two deposits at the same cycle: the second waits for the first handler (queueing
     * delay counts). Then a fan-out: the deposit (cost 50) posts an internal event (cost 50,
     * stamped at post time). */
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(VMIO_NODE_LOCAL, 1, 0);
    ev.code = L_EV_ADV;
    ev.arg = 300;
    assert_int_equal(vmio_deposit(0, &ev), 0);
    assert_int_equal(vmio_deposit(0, &ev), 0);
    assert_int_equal(vmio_run(), 2);
    one(2, L_EV_FANOUT, 50);
    vmio_latency_t d, p, a;
    assert_int_equal(vmio_latency_get(VMIO_LAT_DEPOSIT, &d), 0);
    assert_int_equal(vmio_latency_get(VMIO_LAT_POST, &p), 0);
    assert_int_equal(vmio_latency_get(VMIO_LAT_ALL, &a), 0);
    assert_int_equal(d.count, 3);
    assert_int_equal(d.min_cyc, 50);
    assert_int_equal(d.max_cyc, 600);
    assert_int_equal(d.sum_cyc, 300 + 600 + 50);
    assert_int_equal(p.count, 1);
    assert_int_equal(p.min_cyc, 50);
    assert_int_equal(p.max_cyc, 50);
    assert_int_equal(a.count, 4);
    assert_int_equal(a.sum_cyc, 1000);
    assert_int_equal(a.min_cyc, 50);
    assert_int_equal(a.max_cyc, 600);
    assert_int_equal(a.median_cyc, 50);      /* sorted 50 50 300 600: rank 2 */
    assert_int_equal(vmio_latency_bucket_count(VMIO_LAT_ALL, 50), 2);
}

static void test_deposit_bytes_each_chunk_stamped(void **state)
{
    (void)state;
    uint8_t bytes[3 * VMIO_EV_INLINE] = {0};
    plat_host_cycles = 5000;
    /* code L_EV_ADV with arg 0: the handlers cost nothing, so each chunk's latency is the
     * time between deposit and run: 40 cycles */
    assert_int_equal(vmio_deposit_bytes(1, vmio_addr(VMIO_NODE_LOCAL, 1, 0), L_EV_ADV, bytes, sizeof bytes),
                     sizeof bytes);
    plat_host_cycles += 40;
    assert_int_equal(vmio_run(), 3);
    vmio_latency_t l;
    assert_int_equal(vmio_latency_get(VMIO_LAT_ALL, &l), 0);
    assert_int_equal(l.count, 3);
    assert_int_equal(l.min_cyc, 40);
    assert_int_equal(l.max_cyc, 40);
    assert_int_equal(vmio_latency_bucket_count(VMIO_LAT_DEPOSIT, 40), 3);
}

static void test_reset(void **state)
{
    (void)state;
    one(0, L_EV_ADV, 10);
    one(0, L_EV_FANOUT, 4000);
    vmio_latency_reset();
    vmio_latency_t l;
    for (unsigned k = 0; k <= VMIO_LAT_ALL; k++) {
        memset(&l, 0xA5, sizeof l);
        assert_int_equal(vmio_latency_get(k, &l), 0);
        assert_int_equal(l.count, 0);
        assert_int_equal(l.sum_cyc, 0);
        assert_int_equal(l.min_cyc, 0);
        assert_int_equal(l.max_cyc, 0);
        assert_int_equal(l.median_cyc, 0);
        assert_int_equal(l.p99_cyc, 0);
        for (unsigned b = 0; b < VMIO_LAT_NBUCKETS; b++)
            assert_int_equal(vmio_latency_bucket_count(k, b), 0);
    }
    one(0, L_EV_ADV, 77);                 /* recording goes on after a reset */
    assert_int_equal(vmio_latency_get(VMIO_LAT_ALL, &l), 0);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.min_cyc, 77);
    assert_int_equal(l.median_cyc, 77);
    /* vmio_init empties it too */
    vmio_init(1);
    assert_int_equal(vmio_register(&l_aut, 1, &l_table, 0), 0);
    assert_int_equal(vmio_latency_get(VMIO_LAT_ALL, &l), 0);
    assert_int_equal(l.count, 0);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    vmio_latency_t l;
    assert_int_equal(vmio_latency_get(VMIO_LAT_ALL + 1u, &l), ERR_INVAL);
    assert_int_equal(vmio_latency_get(VMIO_LAT_ALL, 0), ERR_INVAL);
    one(0, L_EV_ADV, 5);
    assert_int_equal(vmio_latency_quantile(VMIO_LAT_ALL, 0), 0);
    assert_int_equal(vmio_latency_quantile(VMIO_LAT_ALL, 10001), 0);
    assert_int_equal(vmio_latency_quantile(VMIO_LAT_ALL + 1u, 5000), 0);
    assert_int_equal(vmio_latency_quantile(VMIO_LAT_ALL, 5000), 5);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_bucket_geometry),
        T(test_exact_histogram),
        T(test_quantiles_exact_range),
        T(test_quantiles_log_range),
        T(test_counter_wrap),
        T(test_queued_behind_and_kinds),
        T(test_deposit_bytes_each_chunk_stamped),
        T(test_reset),
        T(test_bad_arguments),
    };
    return cmocka_run_group_tests_name("fw_vmio_latency", tests, NULL, NULL);
}
