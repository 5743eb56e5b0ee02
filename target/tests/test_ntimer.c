/* net_ntimer: the portable timer service — fires on the first tick at or after its
 * deadline (never early), once; restart and stop make a queued expiry stale (generation);
 * registration limit; RESET stops everything. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "io/ntimer.h"
#include "plat_host.h"

#define SVC 1
#define OWNER 2
#define EV_A (VMIO_EV_USER + 1)
#define EV_B (VMIO_EV_USER + 2)

static ntimer_svc_t svc;
static ntimer_t ta, tb;
static vmio_automaton_t owner;
static struct { uint8_t code; uint32_t arg; uint64_t at; int current; } got[32];
static unsigned ngot;

static int owner_fire(vmio_automaton_t *a, const vmio_event_t *ev)
{
    (void)a;
    assert_true(ngot < 32);
    got[ngot].code = ev->code;
    got[ngot].arg = ev->arg;
    got[ngot].at = plat_host_now;
    got[ngot].current = ntimer_fired(ev->code == EV_A ? &ta : &tb, ev);
    ngot++;
    return 0;
}
static int owner_rsp(vmio_automaton_t *a, const vmio_event_t *ev)
{
    (void)a;
    assert_true(vmio_is_rsp(ev));
    return 0;
}
static const vmio_row_t owner_rows[1][EV_B + 1] = {
    [0] = {[VMIO_EV_RESET] = VMIO_ROW(owner_rsp, VMIO_SAME), [EV_A] = VMIO_ROW(owner_fire, VMIO_SAME),
           [EV_B] = VMIO_ROW(owner_fire, VMIO_SAME)},
};
static const vmio_state_desc_t owner_states[1] = {{"only", 0, 0}};
static const vmio_table_t owner_table = {
    .name = "test_ntimer_owner", .nstates = 1, .nevents = EV_B + 1, .rows = &owner_rows[0][0],
    .states = owner_states,
};

static int setup(void **state)
{
    (void)state;
    vmio_init(1);
    plat_host_now = 5000;
    ngot = 0;
    assert_int_equal(ntimer_svc_init(&svc, SVC), 0);
    assert_int_equal(vmio_register(&owner, OWNER, &owner_table, 0), 0);
    assert_int_equal(ntimer_add(&svc, &ta, vmio_addr(0, OWNER, 0), EV_A), 0);
    assert_int_equal(ntimer_add(&svc, &tb, vmio_addr(0, OWNER, 0), EV_B), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(vmio_buf_outstanding(), 0);
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.unhandled + s.handler_errors, 0);
    return 0;
}

static void tick(uint64_t adv)
{
    plat_host_now += adv;
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(0, SVC, 0);
    ev.code = NTIMER_EV_TICK;
    assert_int_equal(vmio_deposit(1, &ev), 0);
    vmio_run();
}

static void test_fires_once_not_early(void **state)
{
    (void)state;
    ntimer_start(&ta, 1000);
    ntimer_start(&tb, 2500);
    assert_true(ntimer_armed(&ta));
    tick(999);
    assert_int_equal(ngot, 0);
    tick(1);
    assert_int_equal(ngot, 1);
    assert_int_equal(got[0].code, EV_A);
    assert_int_equal(got[0].at, 6000);
    assert_true(got[0].current);
    assert_false(ntimer_armed(&ta));
    tick(1000);
    assert_int_equal(ngot, 1);
    tick(1000);     /* 8000 >= 7500 */
    assert_int_equal(ngot, 2);
    assert_int_equal(got[1].code, EV_B);
    tick(100000);
    assert_int_equal(ngot, 2);
    ntimer_stats_t s;
    ntimer_get_stats(&svc, &s);
    assert_int_equal(s.ticks, 5);
    assert_int_equal(s.fired, 2);
    assert_int_equal(s.send_fail, 0);
}

static void test_restart_and_stop_make_stale(void **state)
{
    (void)state;
    ntimer_start(&ta, 10);
    plat_host_now += 10;
    assert_int_equal(ntimer_poll(&svc, plat_host_now), 1);   /* expiry queued, not yet run */
    ntimer_start(&ta, 100);                                  /* restarted meanwhile */
    vmio_run();
    assert_int_equal(ngot, 1);
    assert_false(got[0].current);
    tick(100);
    assert_int_equal(ngot, 2);
    assert_true(got[1].current);
    ntimer_start(&tb, 10);
    plat_host_now += 10;
    ntimer_poll(&svc, plat_host_now);
    ntimer_stop(&tb);
    vmio_run();
    assert_int_equal(ngot, 3);
    assert_false(got[2].current);
}

static void test_limit_and_reset(void **state)
{
    (void)state;
    static ntimer_t more[NTIMER_MAX];
    unsigned ok = 0;
    for (unsigned i = 0; i < NTIMER_MAX; i++)
        if (ntimer_add(&svc, &more[i], vmio_addr(0, OWNER, 0), EV_A) == 0)
            ok++;
    assert_int_equal(ok, NTIMER_MAX - 2);
    assert_int_equal(ntimer_add(&svc, &more[0], vmio_addr(0, OWNER, 0), EV_A), ERR_NOSPC);
    assert_int_equal(ntimer_add(0, &more[0], vmio_addr(0, OWNER, 0), EV_A), ERR_INVAL);
    assert_int_equal(ntimer_svc_init(0, 3), ERR_INVAL);
    ntimer_start(&ta, 10);
    ntimer_start(&tb, 10);
    assert_int_equal(vmio_send(&owner, vmio_addr(0, SVC, 0), VMIO_EV_RESET, VMIO_F_REQ, 0, 0, 0, 1), 0);
    vmio_run();
    tick(1000);
    assert_int_equal(ngot, 0);
    assert_false(ntimer_armed(&ta));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
int fw_net_ntimer_tests(void)
{
    const struct CMUnitTest tests[] = {
        T(test_fires_once_not_early),
        T(test_restart_and_stop_make_stale),
        T(test_limit_and_reset),
    };
    return cmocka_run_group_tests_name("net_ntimer", tests, NULL, NULL);
}

#ifndef SK_COV_ALL
int main(void)
{
    return fw_net_ntimer_tests();
}
#endif
