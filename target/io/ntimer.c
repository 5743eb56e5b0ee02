/* ntimer: see ntimer.h. */
#include "io/ntimer.h"
#include "platform.h"

void ntimer_start(ntimer_t *t, uint64_t delay_us)
{
    t->gen++;
    t->deadline_us = plat_now_us() + delay_us;
    t->armed = 1;
}

void ntimer_stop(ntimer_t *t)
{
    t->gen++;
    t->armed = 0;
}

unsigned ntimer_poll(ntimer_svc_t *self, uint64_t now_us)
{
    unsigned fired = 0;
    for (unsigned i = 0; i < self->n; i++) {
        ntimer_t *t = self->t[i];
        if (!t->armed || now_us < t->deadline_us)
            continue;
        t->armed = 0;
        fired++;
        self->stats.fired++;
        if (vmio_send(&self->aut, t->owner, t->code, 0, 0, t->gen, 0, 1))
            self->stats.send_fail++;
    }
    return fired;
}

static int ntimer_on_tick(vmio_automaton_t *a, const vmio_event_t *ev)
{
    ntimer_svc_t *s = (ntimer_svc_t *)a;
    (void)ev;
    s->stats.ticks++;
    ntimer_poll(s, plat_now_us());
    return ERR_OK;
}

static int ntimer_on_reset(vmio_automaton_t *a, const vmio_event_t *ev)
{
    ntimer_svc_t *s = (ntimer_svc_t *)a;
    for (unsigned i = 0; i < s->n; i++)
        ntimer_stop(s->t[i]);
    return vmio_is_req(ev) ? vmio_respond(a, ev, ERR_OK, 0, 0) : ERR_OK;
}

enum { NTIMER_EV_COUNT = NTIMER_EV_TICK + 1 };

static const vmio_row_t ntimer_rows[NTIMER_S_COUNT][NTIMER_EV_COUNT] = {
    [NTIMER_S_RUN] = {
        [VMIO_EV_RESET] = VMIO_ROW(ntimer_on_reset, VMIO_SAME),
        [NTIMER_EV_TICK] = VMIO_ROW(ntimer_on_tick, VMIO_SAME),
    },
};
static const vmio_state_desc_t ntimer_states[NTIMER_S_COUNT] = {[NTIMER_S_RUN] = {"run", 0, 0}};
static const char *const ntimer_event_names[NTIMER_EV_COUNT] = {
    [VMIO_EV_RESET] = "reset", [NTIMER_EV_TICK] = "tick",
};
const vmio_table_t ntimer_table = {
    .name = "ntimer", .nstates = NTIMER_S_COUNT, .nevents = NTIMER_EV_COUNT,
    .rows = &ntimer_rows[0][0], .dflt = 0, .states = ntimer_states,
    .event_names = ntimer_event_names,
};

int ntimer_svc_init(ntimer_svc_t *self, uint8_t id)
{
    if (!self)
        return ERR_INVAL;
    *self = (ntimer_svc_t){0};
    return vmio_register(&self->aut, id, &ntimer_table, NTIMER_S_RUN);
}

int ntimer_add(ntimer_svc_t *self, ntimer_t *t, vmio_addr_t owner, uint8_t code)
{
    if (!self || !t)
        return ERR_INVAL;
    if (self->n >= NTIMER_MAX)
        return ERR_NOSPC;
    *t = (ntimer_t){0};
    t->owner = owner;
    t->code = code;
    self->t[self->n++] = t;
    return ERR_OK;
}

void ntimer_get_stats(const ntimer_svc_t *self, ntimer_stats_t *out)
{
    *out = self->stats;
}
