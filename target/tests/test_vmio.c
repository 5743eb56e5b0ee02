/* fw_vmio: VMIO engine — ordering and tie-breaks, transition order, one response per
 * request, overflows, run budget, preemption hook, pipes (zero copy), buffer pools.
 * Every test records what ran and asserts it (STYLE rule 10); teardown checks that every
 * buffer went back to its pool. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "vmio/vmio.h"
#include "plat_host.h"

/* ---- recorder automaton ------------------------------------------------------------- */
enum { T_A, T_B, T_C, T_NSTATES };
enum {
    T_EV_GO = VMIO_EV_USER,      /* fixed transitions A->B, B->A, C->A */
    T_EV_INT,                    /* internal transition in A */
    T_EV_CHOICE,                 /* choice row in A: arg picks the target */
    T_EV_REQ,                    /* request behaviours (arg = mode); also its responses */
    T_EV_CHAIN,                  /* re-posts itself arg times */
    T_EV_DEPOSIT,                /* deposits an event at level arg>>8 with code arg&0xff */
    T_EV_PREEMPT,                /* calls vmio_preempt from inside VMIO */
    T_NEVENTS
};

enum { MODE_OK, MODE_NONE, MODE_TWICE, MODE_ERR, MODE_DEFER, MODE_BUF };

typedef struct tst {
    vmio_automaton_t aut;
    vmio_pending_req_t tok;
    uint16_t pipe;          /* from the PIPE_OPEN indication */
    vmio_buf_t *last_buf;   /* last DATA buffer seen (pointer only) */
    int keep;               /* last stage: take and keep the buffer */
    vmio_buf_t *kept;
    int second_rc;
} tst_t;

static char tlog[8192];

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
    size_t n = strlen(tlog);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tlog + n, sizeof tlog - n, fmt, ap);
    va_end(ap);
}

static int t_entry(vmio_automaton_t *a, const vmio_event_t *ev)
{
    (void)ev;
    logf_("%u:entry%c ", a->id, "ABC"[a->state]);
    return 0;
}
static int t_exit(vmio_automaton_t *a, const vmio_event_t *ev)
{
    (void)ev;
    logf_("%u:exit%c ", a->id, "ABC"[a->state]);
    return 0;
}
static int t_effect(vmio_automaton_t *a, const vmio_event_t *ev)
{
    logf_("%u:eff%u/%lu ", a->id, ev->code, (unsigned long)ev->arg);
    return 0;
}
static int t_choice(vmio_automaton_t *a, const vmio_event_t *ev)
{
    logf_("%u:choice ", a->id);
    return ev->arg == T_A ? 0 : VMIO_GOTO(ev->arg);
}
static int t_req(vmio_automaton_t *a, const vmio_event_t *ev)
{
    tst_t *t = (tst_t *)a;
    if (vmio_is_rsp(ev)) {
        logf_("%u:rsp%u/%d/%lu%s ", a->id, ev->tag, ev->status, (unsigned long)ev->arg,
              ev->buf ? "+buf" : "");
        return 0;
    }
    logf_("%u:req%u ", a->id, ev->tag);
    switch (ev->arg) {
    case MODE_OK: return vmio_respond(a, ev, ERR_OK, 42, 0);
    case MODE_NONE: return 0;
    case MODE_TWICE:
        vmio_respond(a, ev, ERR_OK, 1, 0);
        t->second_rc = vmio_respond(a, ev, ERR_OK, 2, vmio_buf_alloc(4, 0));
        return 0;
    case MODE_ERR: return ERR_IO;
    case MODE_DEFER: return vmio_defer(a, ev, &t->tok);
    case MODE_BUF: return vmio_respond(a, ev, ERR_OK, 7, vmio_buf_alloc(10, 0));
    default: return ERR_INVAL;
    }
}
static int t_chain(vmio_automaton_t *a, const vmio_event_t *ev)
{
    if (ev->arg < 4)
        logf_("%u:chain%lu ", a->id, (unsigned long)ev->arg);
    if (ev->arg)
        return vmio_send(a, ev->dst, T_EV_CHAIN, 0, 0, ev->arg - 1, 0, 2);
    return 0;
}
static int t_deposit(vmio_automaton_t *a, const vmio_event_t *ev)
{
    vmio_event_t d = {0};
    d.dst = ev->dst;
    d.code = T_EV_INT;
    d.arg = 900 + (ev->arg >> 8);
    logf_("%u:dep ", a->id);
    return vmio_deposit(ev->arg >> 8, &d);
}
static int t_preempt(vmio_automaton_t *a, const vmio_event_t *ev)
{
    (void)ev;
    logf_("%u:preempt=%u ", a->id, vmio_preempt());
    return 0;
}
static int t_data(vmio_automaton_t *a, const vmio_event_t *ev)
{
    tst_t *t = (tst_t *)a;
    t->last_buf = ev->buf;
    logf_("%u:data ", a->id);
    if (t->keep) {
        t->kept = vmio_take(ev);
        return 0;
    }
    if (ev->dst.way)  /* a pipe stage: pass the same buffer on, ownership with it */
        return vmio_pipe_send(a, ev->dst.way, vmio_take(ev));
    return 0;
}
static int t_pipe_ev(vmio_automaton_t *a, const vmio_event_t *ev)
{
    tst_t *t = (tst_t *)a;
    if (vmio_is_rsp(ev)) {
        logf_("%u:rsp-pipe%u/%d/%lu ", a->id, ev->code, ev->status, (unsigned long)ev->arg);
        return 0;
    }
    logf_("%u:ind-pipe%u/%lu ", a->id, ev->code, (unsigned long)ev->arg);
    t->pipe = ev->code == VMIO_EV_PIPE_OPEN ? (uint16_t)ev->arg : 0;
    return 0;
}

static const vmio_row_t t_rows[T_NSTATES][T_NEVENTS] = {
    [T_A] = {
        [VMIO_EV_DATA] = VMIO_ROW(t_data, VMIO_SAME),
        [VMIO_EV_PIPE_OPEN] = VMIO_ROW(t_pipe_ev, VMIO_SAME),
        [VMIO_EV_PIPE_CLOSE] = VMIO_ROW(t_pipe_ev, VMIO_SAME),
        [T_EV_GO] = VMIO_ROW(t_effect, T_B),
        [T_EV_INT] = VMIO_ROW(t_effect, VMIO_SAME),
        [T_EV_CHOICE] = VMIO_ROW_CHOICE(t_choice, VMIO_SAME, (1u << T_B) | (1u << T_C)),
        [T_EV_REQ] = VMIO_ROW(t_req, VMIO_SAME),
        [T_EV_CHAIN] = VMIO_ROW(t_chain, VMIO_SAME),
        [T_EV_DEPOSIT] = VMIO_ROW(t_deposit, VMIO_SAME),
        [T_EV_PREEMPT] = VMIO_ROW(t_preempt, VMIO_SAME),
    },
    [T_B] = {
        [T_EV_GO] = VMIO_ROW(t_effect, T_A),
        /* Cannot occur: the tests only chain in state A (annotation example). */
        [T_EV_CHAIN] = VMIO_ROW_NEVER(t_chain, VMIO_SAME),
    },
    [T_C] = {
        [T_EV_GO] = VMIO_ROW(t_effect, T_A),
    },
};
static const vmio_state_desc_t t_states[T_NSTATES] = {
    [T_A] = {"A", t_entry, t_exit},
    [T_B] = {"B", t_entry, t_exit},
    [T_C] = {"C", t_entry, t_exit},
};
static const char *const t_names[T_NEVENTS] = {
    [VMIO_EV_DATA] = "data", [VMIO_EV_PIPE_OPEN] = "pipe_open", [VMIO_EV_PIPE_CLOSE] = "pipe_close",
    [T_EV_GO] = "go", [T_EV_INT] = "int", [T_EV_CHOICE] = "choice", [T_EV_REQ] = "req",
    [T_EV_CHAIN] = "chain", [T_EV_DEPOSIT] = "deposit", [T_EV_PREEMPT] = "preempt",
};
static const vmio_table_t t_table = {
    .name = "test_rec", .nstates = T_NSTATES, .nevents = T_NEVENTS, .rows = &t_rows[0][0],
    .dflt = 0, .states = t_states, .event_names = t_names,
};

/* A second table with a default row. */
static int d_default(vmio_automaton_t *a, const vmio_event_t *ev)
{
    logf_("%u:dflt%u ", a->id, ev->code);
    return 0;
}
static const vmio_row_t d_rows[1][VMIO_EV_USER + 1] = {
    [0] = {[VMIO_EV_USER] = VMIO_ROW(t_effect, VMIO_SAME)},
};
static const vmio_row_t d_dflt = VMIO_ROW(d_default, VMIO_SAME);
static const vmio_state_desc_t d_states[1] = {{"only", 0, 0}};
static const vmio_table_t d_table = {
    .name = "test_dflt", .nstates = 1, .nevents = VMIO_EV_USER + 1, .rows = &d_rows[0][0],
    .dflt = &d_dflt, .states = d_states, .event_names = 0,
};

static tst_t t1, t2, t3, t4;
static vmio_automaton_t dflt_aut;

static vmio_addr_t A(uint8_t id) { return vmio_addr(VMIO_NODE_LOCAL, id, 0); }

static int setup(void **state)
{
    (void)state;
    vmio_init(7);
    plat_host_reset();
    tlog[0] = '\0';
    memset(&t1, 0, sizeof t1); memset(&t2, 0, sizeof t2);
    memset(&t3, 0, sizeof t3); memset(&t4, 0, sizeof t4);
    assert_int_equal(vmio_register(&t1.aut, 1, &t_table, T_A), 0);
    assert_int_equal(vmio_register(&t2.aut, 2, &t_table, T_A), 0);
    assert_int_equal(vmio_register(&t3.aut, 3, &t_table, T_A), 0);
    assert_int_equal(vmio_register(&t4.aut, 4, &t_table, T_A), 0);
    assert_int_equal(vmio_register(&dflt_aut, 5, &d_table, 0), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vmio_buf_free(t1.kept); vmio_buf_free(t2.kept);
    vmio_buf_free(t3.kept); vmio_buf_free(t4.kept);
    assert_int_equal(vmio_buf_outstanding(), 0);  /* leak check */
    assert_false(vmio_pending());
    return 0;
}

static void post_ind(uint8_t to, uint8_t code, uint32_t arg, unsigned prio)
{
    assert_int_equal(vmio_send(0, A(to), code, 0, 0, arg, 0, prio), 0);
}

static void dep_ind(unsigned level, uint8_t to, uint8_t code, uint32_t arg)
{
    vmio_event_t ev = {0};
    ev.dst = A(to);
    ev.code = code;
    ev.arg = arg;
    assert_int_equal(vmio_deposit(level, &ev), 0);
}

/* ---- ordering ------------------------------------------------------------------------ */
static void test_order_queues(void **state)
{
    (void)state;
    dep_ind(VMIO_LEVEL_APP, 1, T_EV_INT, 60);
    dep_ind(0, 1, T_EV_INT, 50);
    dep_ind(3, 1, T_EV_INT, 30);
    dep_ind(1, 1, T_EV_INT, 40);
    dep_ind(3, 1, T_EV_INT, 31);
    post_ind(1, T_EV_INT, 20, 2);
    post_ind(1, T_EV_INT, 10, 0);
    post_ind(1, T_EV_INT, 11, 0);
    post_ind(1, T_EV_INT, 15, 1);
    assert_true(vmio_pending());
    assert_int_equal(vmio_run(), 9);
    /* internal 0 (FIFO), 1, 2; then levels 3 (FIFO), 1, 0; then the application */
    assert_string_equal(tlog, "1:eff9/10 1:eff9/11 1:eff9/15 1:eff9/20 1:eff9/30 1:eff9/31 "
                              "1:eff9/40 1:eff9/50 1:eff9/60 ");
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.dispatched, 9);
    assert_int_equal(s.posted, 4);
    assert_int_equal(s.deposited, 5);
}

static void test_order_higher_level_jumps_ahead(void **state)
{
    (void)state;
    /* Level 0 holds two events; the first deposits at level 2 (as a nested interrupt would):
     * that event goes before level 0's second one. */
    dep_ind(0, 1, T_EV_DEPOSIT, 2u << 8);
    dep_ind(0, 1, T_EV_INT, 1);
    vmio_run();
    assert_string_equal(tlog, "1:dep 1:eff9/902 1:eff9/1 ");
}

static void test_internal_before_deposits(void **state)
{
    (void)state;
    /* An internal event posted while handling a deposit runs before the next deposit. */
    dep_ind(3, 1, T_EV_CHAIN, 1);
    dep_ind(3, 2, T_EV_INT, 5);
    vmio_run();
    assert_string_equal(tlog, "1:chain1 1:chain0 2:eff9/5 ");
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.dispatched, 3);
}

/* ---- transition order ------------------------------------------------------------------ */
static void test_transition_order(void **state)
{
    (void)state;
    post_ind(1, T_EV_GO, 1, 1);     /* A -> B: exit A, effect, entry B */
    post_ind(1, T_EV_GO, 2, 1);     /* B -> A */
    post_ind(1, T_EV_INT, 3, 1);    /* internal: effect only */
    vmio_run();
    assert_string_equal(tlog, "1:exitA 1:eff8/1 1:entryB 1:exitB 1:eff8/2 1:entryA 1:eff9/3 ");
    assert_int_equal(t1.aut.state, T_A);
}

static void test_choice_row(void **state)
{
    (void)state;
    post_ind(1, T_EV_CHOICE, T_A, 1);   /* guard keeps A: no exit/entry */
    post_ind(1, T_EV_CHOICE, T_C, 1);   /* guard picks C: effect first, then exit, entry */
    post_ind(1, T_EV_GO, 0, 1);         /* C -> A */
    vmio_run();
    assert_string_equal(tlog, "1:choice 1:choice 1:exitA 1:entryC 1:exitC 1:eff8/0 1:entryA ");
}

static void test_unhandled_and_default(void **state)
{
    (void)state;
    post_ind(1, T_EV_INT, 0, 1);
    post_ind(1, T_EV_GO, 0, 1);         /* now in B: INT has no row */
    post_ind(1, T_EV_INT, 0, 1);
    post_ind(5, VMIO_EV_USER, 0, 1);    /* row */
    post_ind(5, VMIO_EV_RX, 0, 1);      /* no row: default */
    post_ind(5, 200, 0, 1);             /* code beyond the table: default */
    vmio_run();
    assert_string_equal(tlog, "1:eff9/0 1:exitA 1:eff8/0 1:entryB 5:eff8/0 5:dflt1 5:dflt200 ");
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.unhandled, 1);
    assert_int_equal(t1.aut.stats.unhandled, 1);
    post_ind(1, T_EV_GO, 0, 1);
    vmio_run();
}

/* ---- requests and responses ------------------------------------------------------------ */
static void send_req(uint8_t from, uint8_t to, uint8_t code, uint16_t tag, uint32_t mode)
{
    tst_t *t = from == 1 ? &t1 : &t2;
    assert_int_equal(vmio_send(&t->aut, A(to), code, VMIO_F_REQ, tag, mode, 0, 1), 0);
}

static void test_response_once_ok(void **state)
{
    (void)state;
    send_req(1, 2, T_EV_REQ, 11, MODE_OK);
    vmio_run();
    assert_string_equal(tlog, "2:req11 1:rsp11/0/42 ");
}

static void test_response_missing_gets_error(void **state)
{
    (void)state;
    send_req(1, 2, T_EV_REQ, 12, MODE_NONE);
    vmio_run();
    assert_string_equal(tlog, "2:req12 1:rsp12/-16/0 ");
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.no_response, 1);
    assert_string_equal(vmio_err_str(ERR_NO_RESPONSE), "no-response");
}

static void test_response_double_rejected(void **state)
{
    (void)state;
    send_req(1, 2, T_EV_REQ, 13, MODE_TWICE);
    vmio_run();
    assert_string_equal(tlog, "2:req13 1:rsp13/0/1 ");
    assert_int_equal(t2.second_rc, ERR_BUSY);
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.double_response, 1);
}

static void test_response_handler_error(void **state)
{
    (void)state;
    send_req(1, 2, T_EV_REQ, 14, MODE_ERR);
    vmio_run();
    assert_string_equal(tlog, "2:req14 1:rsp14/-3/0 ");
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.handler_errors, 1);
    assert_int_equal(s.no_response, 0);
}

static void test_response_unhandled_and_bad_dst(void **state)
{
    (void)state;
    post_ind(2, T_EV_GO, 0, 1);          /* t2 to state B, which has no REQ row */
    send_req(1, 5, T_EV_REQ, 15, 0);     /* dflt_aut: default row, no answer: no-response */
    send_req(1, 2, T_EV_REQ, 16, 0);     /* no row, no default: unhandled */
    send_req(1, 30, T_EV_REQ, 17, 0);    /* nobody registered at 30: invalid */
    vmio_run();
    assert_string_equal(tlog, "2:exitA 2:eff8/0 2:entryB 5:dflt11 1:rsp15/-16/0 1:rsp16/-17/0 "
                              "1:rsp17/-1/0 ");
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.unhandled, 1);
    assert_int_equal(s.bad_dst, 1);
    assert_int_equal(s.no_response, 1);
}

static void test_response_deferred(void **state)
{
    (void)state;
    send_req(1, 2, T_EV_REQ, 18, MODE_DEFER);
    vmio_run();
    assert_string_equal(tlog, "2:req18 ");
    assert_int_equal(vmio_respond_deferred(&t2.tok, ERR_OK, 5, 0), 0);
    assert_int_equal(vmio_respond_deferred(&t2.tok, ERR_OK, 6, 0), ERR_BUSY);
    vmio_run();
    assert_string_equal(tlog, "2:req18 1:rsp18/0/5 ");
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.double_response, 1);
    assert_int_equal(s.no_response, 0);
}

static void test_response_with_buffer(void **state)
{
    (void)state;
    send_req(1, 2, T_EV_REQ, 19, MODE_BUF);
    vmio_run();
    assert_string_equal(tlog, "2:req19 1:rsp19/0/7+buf ");
    /* the requester did not take it: the engine freed it (teardown checks) */
}

static void test_respond_outside_dispatch_refused(void **state)
{
    (void)state;
    vmio_event_t ev = {0};
    ev.flags = VMIO_F_REQ;
    assert_int_equal(vmio_respond(&t1.aut, &ev, 0, 0, vmio_buf_alloc(1, 0)), ERR_INVAL);
    assert_null(vmio_take(&ev));
}

/* ---- overflows, budget, preemption ----------------------------------------------------- */
static void test_queue_overflow_counted(void **state)
{
    (void)state;
    for (unsigned i = 0; i < VMIO_QLEN; i++)
        post_ind(1, T_EV_INT, i, 2);
    vmio_event_t ev = {0};
    ev.dst = A(1);
    ev.code = T_EV_INT;
    ev.buf = vmio_buf_alloc(8, 0);
    assert_non_null(ev.buf);
    assert_int_equal(vmio_post(&ev, 2), ERR_NOSPC);   /* buffer freed by the engine */
    assert_int_equal(vmio_buf_outstanding(), 0);
    for (unsigned i = 0; i < VMIO_DEPOSIT_QLEN; i++)
        dep_ind(2, 1, T_EV_INT, i);
    ev.buf = 0;
    assert_int_equal(vmio_deposit(2, &ev), ERR_NOSPC);
    assert_int_equal(vmio_deposit(VMIO_NLEVELS + 1, &ev), ERR_INVAL);
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.queue_overflow, 1);
    assert_int_equal(s.deposit_overflow[2], 1);
    assert_int_equal(s.deposit_overflow[0], 0);
    assert_int_equal(vmio_run(), VMIO_QLEN + VMIO_DEPOSIT_QLEN);
}

static void test_run_budget(void **state)
{
    (void)state;
    post_ind(1, T_EV_CHAIN, VMIO_RUN_MAX + 10, 2);  /* VMIO_RUN_MAX + 11 dispatches */
    assert_int_equal(vmio_run(), VMIO_RUN_MAX);
    assert_true(vmio_pending());
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.budget_hits, 1);
    assert_int_equal(vmio_run(), 11);
    assert_false(vmio_pending());
}

static void test_preempt_hook(void **state)
{
    (void)state;
    assert_int_equal(vmio_preempt(), 0);               /* idle: nothing, IRQs untouched */
    assert_int_equal(plat_host_irq_enables, 0);
    dep_ind(1, 1, T_EV_PREEMPT, 0);
    dep_ind(1, 1, T_EV_INT, 1);
    assert_int_equal(vmio_preempt(), 2);
    /* inside VMIO the hook returns at once (nested interrupt exit) */
    assert_string_equal(tlog, "1:preempt=0 1:eff9/1 ");
    assert_int_equal(plat_host_irq_enables, 1);
    assert_int_equal(plat_host_irq_disables, 1);
    assert_int_equal(plat_host_irq_on, 0);             /* returns with IRQs masked */
    assert_false(vmio_running());
}

static void test_deposit_bytes_chunks(void **state)
{
    (void)state;
    uint8_t bytes[40];
    for (unsigned i = 0; i < sizeof bytes; i++)
        bytes[i] = (uint8_t)i;
    assert_int_equal(vmio_deposit_bytes(0, A(5), VMIO_EV_RX, bytes, sizeof bytes), 40);
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.deposited, 3);   /* 16 + 16 + 8 */
    assert_int_equal(vmio_run(), 3);
    assert_string_equal(tlog, "5:dflt1 5:dflt1 5:dflt1 ");
}

static void test_register_errors(void **state)
{
    (void)state;
    tst_t x;
    assert_int_equal(vmio_register(&x.aut, 1, &t_table, T_A), ERR_BUSY);
    assert_int_equal(vmio_register(&x.aut, 0, &t_table, T_A), ERR_INVAL);
    assert_int_equal(vmio_register(&x.aut, VMIO_MAX_AUT, &t_table, T_A), ERR_INVAL);
    assert_int_equal(vmio_register(&x.aut, 9, &t_table, T_NSTATES), ERR_INVAL);
    assert_int_equal(vmio_set_gateway(9), ERR_INVAL);
}

static void test_remote_node_to_gateway(void **state)
{
    (void)state;
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(9, 1, 0);
    ev.code = VMIO_EV_USER;
    assert_int_equal(vmio_post(&ev, 1), 0);
    vmio_run();
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.bad_dst, 1);
    assert_int_equal(vmio_set_gateway(5), 0);
    ev.dst = vmio_addr(9, 1, 0);
    assert_int_equal(vmio_post(&ev, 1), 0);
    ev.dst = vmio_addr(7, 5, 0);    /* our own node number is local */
    assert_int_equal(vmio_post(&ev, 1), 0);
    vmio_run();
    assert_string_equal(tlog, "5:eff8/0 5:eff8/0 ");
}

/* ---- pipes ------------------------------------------------------------------------------ */
static uint16_t open_pipe(const uint8_t *chain, uint8_t n, int expect)
{
    vmio_event_t ev = {0};
    ev.dst = A(VMIO_AUT_ENGINE);
    ev.src = A(1);
    ev.code = VMIO_EV_PIPE_OPEN;
    ev.flags = VMIO_F_REQ;
    ev.len = n;
    memcpy(ev.inl, chain, n);
    assert_int_equal(vmio_deposit(VMIO_LEVEL_APP, &ev), 0);
    tlog[0] = '\0';
    vmio_run();
    char want[64];
    snprintf(want, sizeof want, "1:rsp-pipe2/%d/", expect);
    assert_non_null(strstr(tlog, want));
    return expect ? 0 : t2.pipe;
}

static void close_pipe(uint32_t id, int expect)
{
    vmio_event_t ev = {0};
    ev.dst = A(VMIO_AUT_ENGINE);
    ev.src = A(1);
    ev.code = VMIO_EV_PIPE_CLOSE;
    ev.flags = VMIO_F_REQ;
    ev.arg = id;
    assert_int_equal(vmio_deposit(VMIO_LEVEL_APP, &ev), 0);
    tlog[0] = '\0';
    vmio_run();
    char want[64];
    snprintf(want, sizeof want, "1:rsp-pipe3/%d/", expect);
    assert_non_null(strstr(tlog, want));
}

static void test_pipe_zero_copy(void **state)
{
    (void)state;
    const uint8_t chain[] = {2, 3, 4};
    uint16_t p = open_pipe(chain, 3, 0);
    assert_true(p >= 1);
    assert_int_equal(t2.pipe, p);          /* the head learnt its pipe id */
    assert_string_equal(tlog, "1:rsp-pipe2/0/1 2:ind-pipe2/1 ");
    t4.keep = 1;

    vmio_buf_t *b = vmio_buf_alloc(20, 16);
    assert_non_null(b);
    memcpy(b->data, "payload", 7);
    /* t2 is the head: it starts the flow by sending down the pipe (ownership passes). */
    assert_int_equal(vmio_pipe_send(&t2.aut, p, b), 0);
    tlog[0] = '\0';
    vmio_run();
    assert_string_equal(tlog, "3:data 4:data ");
    assert_ptr_equal(t3.last_buf, b);
    assert_ptr_equal(t4.kept, b);          /* same descriptor, same bytes: no copy */
    assert_ptr_equal(t4.kept->data, b->data);
    assert_memory_equal(t4.kept->data, "payload", 7);

    /* last stage cannot send further; a non-member cannot send */
    assert_int_equal(vmio_pipe_send(&t4.aut, p, vmio_buf_alloc(1, 0)), ERR_RANGE);
    assert_int_equal(vmio_pipe_send(&t1.aut, p, vmio_buf_alloc(1, 0)), ERR_INVAL);

    close_pipe(p, 0);
    assert_string_equal(tlog, "1:rsp-pipe3/0/1 2:ind-pipe3/1 ");
    assert_int_equal(t2.pipe, 0);
    assert_false(vmio_pipe_is_open(p));
    assert_int_equal(vmio_pipe_send(&t2.aut, p, vmio_buf_alloc(1, 0)), ERR_INVAL);
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.pipe_opens, 1);
    assert_int_equal(s.pipe_closes, 1);
    assert_int_equal(s.pipe_drops, 3);
}

static void test_pipe_open_errors(void **state)
{
    (void)state;
    const uint8_t one[] = {2};
    const uint8_t dup[] = {2, 3, 2};
    const uint8_t unknown[] = {2, 29};
    const uint8_t engine[] = {0, 2};
    const uint8_t ok[] = {2, 3};
    open_pipe(one, 1, ERR_INVAL);
    open_pipe(dup, 3, ERR_INVAL);
    open_pipe(unknown, 2, ERR_INVAL);
    open_pipe(engine, 2, ERR_INVAL);
    for (unsigned i = 0; i < VMIO_MAX_PIPES; i++)
        open_pipe(ok, 2, 0);
    open_pipe(ok, 2, ERR_NOSPC);
    close_pipe(0, ERR_INVAL);
    close_pipe(VMIO_MAX_PIPES + 1, ERR_INVAL);
    close_pipe(1, 0);
    close_pipe(1, ERR_INVAL);
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.pipe_errors, 8);
}

/* ---- buffers ------------------------------------------------------------------------------- */
static void test_buf_headroom(void **state)
{
    (void)state;
    vmio_buf_t *b = vmio_buf_alloc(10, 8);
    assert_non_null(b);
    assert_int_equal(vmio_buf_headroom(b), 8);
    uint8_t *payload = b->data;
    assert_int_equal(vmio_buf_header(b, 8), 0);
    assert_ptr_equal(b->data, payload - 8);
    assert_int_equal(b->len, 18);
    assert_int_equal(vmio_buf_header(b, 1), ERR_RANGE);
    assert_int_equal(vmio_buf_header(b, -18), 0);
    assert_int_equal(b->len, 0);
    assert_int_equal(vmio_buf_header(b, -1), ERR_RANGE);
    uint8_t *t = vmio_buf_put(b, 5);
    assert_ptr_equal(t, b->data);
    assert_int_equal(b->len, 5);
    assert_null(vmio_buf_put(b, vmio_buf_tailroom(b) + 1));
    assert_int_equal((uintptr_t)b->base % PLAT_BUF_ALIGN, 0);
    vmio_buf_free(b);
}

static void test_buf_exhaustion_and_bad_free(void **state)
{
    (void)state;
    vmio_buf_t *small[VMIO_POOL_SMALL_N];
    for (unsigned i = 0; i < VMIO_POOL_SMALL_N; i++)
        assert_non_null(small[i] = vmio_buf_alloc(VMIO_POOL_SMALL_SIZE, 0));
    assert_null(vmio_buf_alloc(1, 0));                        /* no fallback to large */
    assert_null(vmio_buf_alloc(VMIO_POOL_LARGE_SIZE + 1, 0)); /* too big */
    vmio_buf_t *large = vmio_buf_alloc(VMIO_POOL_SMALL_SIZE + 1, 0);
    assert_non_null(large);
    assert_int_equal(vmio_buf_outstanding(), VMIO_POOL_SMALL_N + 1);
    vmio_buf_stats_t s;
    vmio_buf_get_stats(&s);
    assert_int_equal(s.pool[VMIO_POOL_SMALL].exhausted, 1);
    assert_int_equal(s.too_big, 1);
    assert_int_equal(s.pool[VMIO_POOL_SMALL].high_water, VMIO_POOL_SMALL_N);
    for (unsigned i = 0; i < VMIO_POOL_SMALL_N; i++)
        vmio_buf_free(small[i]);
    vmio_buf_free(large);
    vmio_buf_free(large);                 /* double free: ignored, counted */
    vmio_buf_t fake = {0};
    vmio_buf_free(&fake);                 /* foreign: ignored, counted */
    vmio_buf_get_stats(&s);
    assert_int_equal(s.bad_free, 2);
    assert_int_equal(vmio_buf_outstanding(), 0);
}

static void test_unconsumed_event_buffer_freed(void **state)
{
    (void)state;
    vmio_event_t ev = {0};
    ev.dst = A(1);
    ev.code = T_EV_INT;
    ev.buf = vmio_buf_alloc(3, 0);
    assert_int_equal(vmio_post(&ev, 1), 0);
    ev.dst = A(31);                      /* unknown destination: freed too */
    ev.buf = vmio_buf_alloc(3, 0);
    assert_int_equal(vmio_post(&ev, 1), 0);
    vmio_run();
    assert_int_equal(vmio_buf_outstanding(), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
int fw_vmio_tests(void)
{
    const struct CMUnitTest tests[] = {
        T(test_order_queues),
        T(test_order_higher_level_jumps_ahead),
        T(test_internal_before_deposits),
        T(test_transition_order),
        T(test_choice_row),
        T(test_unhandled_and_default),
        T(test_response_once_ok),
        T(test_response_missing_gets_error),
        T(test_response_double_rejected),
        T(test_response_handler_error),
        T(test_response_unhandled_and_bad_dst),
        T(test_response_deferred),
        T(test_response_with_buffer),
        T(test_respond_outside_dispatch_refused),
        T(test_queue_overflow_counted),
        T(test_run_budget),
        T(test_preempt_hook),
        T(test_deposit_bytes_chunks),
        T(test_register_errors),
        T(test_remote_node_to_gateway),
        T(test_pipe_zero_copy),
        T(test_pipe_open_errors),
        T(test_buf_headroom),
        T(test_buf_exhaustion_and_bad_free),
        T(test_unconsumed_event_buffer_freed),
    };
    return cmocka_run_group_tests_name("fw_vmio", tests, NULL, NULL);
}

#ifndef SK_COV_ALL
int main(void)
{
    return fw_vmio_tests();
}
#endif
