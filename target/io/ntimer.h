/* ntimer: a small portable timer service for VMIO automatons (the engine has none).
 *
 * Model: clients own ntimer_t objects (static storage inside their own struct) and register
 * them once with the service (ntimer_add, application level before vmio_run or VMIO
 * level). The firmware deposits a periodic NTIMER_EV_TICK indication to the service
 * automaton (any level; e.g. every NTIMER_TICK_US_SUGGESTED from the system timer
 * interrupt or the executive's loop). On every tick the service reads plat_now_us() once and
 * sends each armed timer whose deadline has passed one indication: code = the timer's code,
 * arg = the timer's generation, to the timer's owner address. Resolution = the tick period;
 * a timer never fires early.
 *
 * Stale expiries: ntimer_start/ntimer_stop bump the generation, so an expiry event already
 * queued when the timer was stopped or restarted carries an old generation; the owner
 * checks ntimer_fired(t, ev) and ignores it (counted by the owner).
 *
 * Context: VMIO level (start/stop/fired are plain field updates on the single VMIO stack).
 * Bounded: a tick walks at most NTIMER_MAX registered timers. */
#ifndef IO_NTIMER_H
#define IO_NTIMER_H
#include <stdint.h>
#include "vmio/vmio.h"

#ifndef NTIMER_MAX
#define NTIMER_MAX 16
#endif
#define NTIMER_TICK_US_SUGGESTED 10000u
#define NTIMER_EV_TICK (VMIO_EV_USER + 0)

enum ntimer_state { NTIMER_S_RUN, NTIMER_S_COUNT };

typedef struct ntimer {
    uint64_t deadline_us;
    vmio_addr_t owner;
    uint8_t code;           /* event code delivered to owner */
    uint8_t armed;
    uint32_t gen;           /* generation, delivered as ev->arg */
} ntimer_t;

typedef struct ntimer_stats {
    uint32_t ticks;
    uint32_t fired;
    uint32_t send_fail;     /* expiry could not be queued (engine counters tell why) */
} ntimer_stats_t;

typedef struct ntimer_svc {
    vmio_automaton_t aut;   /* first member */
    ntimer_t *t[NTIMER_MAX];
    unsigned n;
    ntimer_stats_t stats;
} ntimer_svc_t;

int ntimer_svc_init(ntimer_svc_t *self, uint8_t id);
/* Registers t (owner, code); t starts stopped. ERR_NOSPC when NTIMER_MAX are registered. */
int ntimer_add(ntimer_svc_t *self, ntimer_t *t, vmio_addr_t owner, uint8_t code);
/* (Re)arms t to fire delay_us from now (plat_now_us()). */
void ntimer_start(ntimer_t *t, uint64_t delay_us);
void ntimer_stop(ntimer_t *t);
static inline int ntimer_armed(const ntimer_t *t) { return t->armed; }
/* True when ev is the current expiry of t (not stale). */
static inline int ntimer_fired(const ntimer_t *t, const vmio_event_t *ev)
{
    return !t->armed && ev->arg == t->gen;
}
/* Tick body (the automaton's effect); exposed for tests. Returns timers fired. */
unsigned ntimer_poll(ntimer_svc_t *self, uint64_t now_us);
void ntimer_get_stats(const ntimer_svc_t *self, ntimer_stats_t *out);
extern const vmio_table_t ntimer_table;

#endif
