/* VMIO engine: queues, dispatch, request/response bookkeeping, pipes, coverage.
 * See vmio.h for the contract. */
#include <stdatomic.h>
#include "vmio/vmio.h"
#include "platform.h"

#define VMIO_MOD "vmio"

_Static_assert((VMIO_QLEN & (VMIO_QLEN - 1)) == 0, "VMIO_QLEN power of two");
_Static_assert((VMIO_DEPOSIT_QLEN & (VMIO_DEPOSIT_QLEN - 1)) == 0, "deposit queue power of two");
_Static_assert(VMIO_MAX_STATES <= 16, "alt masks are 16-bit");
_Static_assert(VMIO_MAX_EVENTS <= 256 && VMIO_MAX_STATES < VMIO_SAME, "codes and states are 8-bit");
_Static_assert(VMIO_PIPE_MAX_HOPS <= VMIO_EV_INLINE, "pipe chain travels inline");
_Static_assert(VMIO_MAX_AUT <= 256, "automaton ids are 8-bit");

/* Internal FIFO: VMIO level only, no synchronisation needed. */
typedef struct vmio_fifo {
    uint32_t head, tail;            /* free-running; count = head - tail */
    vmio_event_t slot[VMIO_QLEN];
} vmio_fifo_t;

/* Deposit queue: single producer (one interrupt level, or the application), single consumer
 * (VMIO). Memory ordering:
 *   producer: reads tail (acquire) to see space; writes slot[head]; stores head+1 (release).
 *   consumer: reads head (acquire); copies slot[tail] out; stores tail+1 (release).
 * The release on head orders the slot write before the index that publishes it, and the
 * acquire on head orders the consumer's slot read after it; symmetrically the release on
 * tail guarantees the consumer finished reading a slot before the producer may reuse it.
 * On the single-core ARM1176 the producer is an interrupt that preempts the consumer (or
 * the reverse for nested levels), so only compiler ordering is strictly needed; gcc emits
 * the CP15 DMB for acquire/release on ARMv6, which also keeps the scheme correct with
 * threads on the host. Each index is written by one side only, so no read-modify-write
 * atomics (LDREX/STREX) are needed. */
typedef struct vmio_spsc {
    _Atomic uint32_t head;
    _Atomic uint32_t tail;
    _Atomic uint32_t overflow;      /* producer side counter */
    _Atomic uint32_t deposited;     /* producer side counter */
    vmio_event_t slot[VMIO_DEPOSIT_QLEN];
} vmio_spsc_t;

typedef struct vmio_pipe {
    uint8_t nhops;
    uint8_t hop[VMIO_PIPE_MAX_HOPS];
} vmio_pipe_t;

typedef struct vmio_cov {
    const vmio_table_t *table;
    uint32_t bits[(VMIO_MAX_STATES * VMIO_MAX_EVENTS + 31) / 32];
    uint8_t dflt_hit;
} vmio_cov_t;

/* The current dispatch (one at a time: run to completion). */
typedef struct vmio_cur {
    const vmio_event_t *ev;
    uint8_t is_req;
    uint8_t answered;   /* responded or deferred */
    uint8_t taken;      /* buffer taken by the handler */
} vmio_cur_t;

/* Response-time histogram of one kind (see vmio.h "Response time"). */
typedef struct vmio_lat_hist {
    uint32_t count;
    uint32_t min, max;
    uint64_t sum;
    uint32_t bucket[VMIO_LAT_NBUCKETS];
} vmio_lat_hist_t;

typedef struct vmio_lat {
    volatile uint32_t seq;      /* odd while a record is being written (VMIO level) */
    vmio_lat_hist_t h[VMIO_LAT_NKINDS];
} vmio_lat_t;

typedef struct vmio {
    uint8_t node;
    uint8_t gateway;            /* 0: none */
    volatile uint8_t running;   /* inside vmio_run (read by the IRQ exit hook) */
    vmio_automaton_t *aut[VMIO_MAX_AUT];
    vmio_fifo_t fifo[VMIO_NPRIO];
    vmio_spsc_t dep[VMIO_NLEVELS + 1];
    vmio_pipe_t pipe[VMIO_MAX_PIPES + 1]; /* index = pipe id, 0 unused */
    vmio_cur_t cur;
    vmio_stats_t stats;
    vmio_automaton_t self;      /* the engine automaton (pipes) */
} vmio_t;

static vmio_t vmio;
static vmio_lat_t vmio_lat;
static vmio_cov_t vmio_cov[VMIO_MAX_TABLES];
static unsigned vmio_ncov;

const char *vmio_err_str(int e)
{
    switch (e) {
    case ERR_NO_RESPONSE: return "no-response";
    case ERR_UNHANDLED: return "unhandled";
    default: return err_str(e);
    }
}

/* ------------------------------------------------------------------------------------ */
/* The engine automaton: one state, pipe open/close requests. */
enum { VMIO_ENG_S_READY, VMIO_ENG_S_COUNT };
enum { VMIO_ENG_EV_COUNT = VMIO_EV_PIPE_CLOSE + 1 };

static int vmio_eng_pipe_open(vmio_automaton_t *self, const vmio_event_t *ev);
static int vmio_eng_pipe_close(vmio_automaton_t *self, const vmio_event_t *ev);

static const vmio_row_t vmio_eng_rows[VMIO_ENG_S_COUNT][VMIO_ENG_EV_COUNT] = {
    [VMIO_ENG_S_READY] = {
        [VMIO_EV_PIPE_OPEN] = VMIO_ROW(vmio_eng_pipe_open, VMIO_SAME),
        [VMIO_EV_PIPE_CLOSE] = VMIO_ROW(vmio_eng_pipe_close, VMIO_SAME),
    },
};
static const vmio_state_desc_t vmio_eng_states[VMIO_ENG_S_COUNT] = {
    [VMIO_ENG_S_READY] = {"ready", 0, 0},
};
static const char *const vmio_eng_events[VMIO_ENG_EV_COUNT] = {
    [VMIO_EV_DATA] = "data", [VMIO_EV_RX] = "rx",
    [VMIO_EV_PIPE_OPEN] = "pipe_open", [VMIO_EV_PIPE_CLOSE] = "pipe_close",
};
static const vmio_table_t vmio_eng_table = {
    .name = "vmio",
    .nstates = VMIO_ENG_S_COUNT,
    .nevents = VMIO_ENG_EV_COUNT,
    .rows = &vmio_eng_rows[0][0],
    .dflt = 0,
    .states = vmio_eng_states,
    .event_names = vmio_eng_events,
};

/* ------------------------------------------------------------------------------------ */
static uint8_t vmio_cov_slot(const vmio_table_t *t)
{
    for (unsigned i = 0; i < vmio_ncov; i++)
        if (vmio_cov[i].table == t)
            return (uint8_t)i;
    if (vmio_ncov >= VMIO_MAX_TABLES)
        return 0xFF;    /* coverage not tracked for this table (reported) */
    vmio_cov[vmio_ncov].table = t;
    return (uint8_t)vmio_ncov++;
}

static void vmio_cov_hit(const vmio_automaton_t *a, int row_index)
{
    if (a->cov_slot == 0xFF)
        return;
    vmio_cov_t *c = &vmio_cov[a->cov_slot];
    if (row_index < 0)
        c->dflt_hit = 1;
    else
        c->bits[row_index / 32] |= 1u << (row_index % 32);
}

void vmio_coverage_reset(void)
{
    for (unsigned i = 0; i < VMIO_MAX_TABLES; i++)
        vmio_cov[i] = (vmio_cov_t){0};
    vmio_ncov = 0;
}

unsigned vmio_coverage_report(void)
{
    unsigned missing_total = 0;
    for (unsigned i = 0; i < vmio_ncov; i++) {
        const vmio_cov_t *c = &vmio_cov[i];
        const vmio_table_t *t = c->table;
        unsigned total = 0, hit = 0, missing = 0;
        for (unsigned s = 0; s < t->nstates; s++) {
            for (unsigned e = 0; e < t->nevents; e++) {
                unsigned ix = s * t->nevents + e;
                const vmio_row_t *r = &t->rows[ix];
                if (!(r->flags & VMIO_T_VALID))
                    continue;
                int fired = (c->bits[ix / 32] >> (ix % 32)) & 1u;
                const char *sn = t->states ? t->states[s].name : "?";
                const char *en = t->event_names && t->event_names[e] ? t->event_names[e] : "?";
                if (r->flags & VMIO_T_NEVER) {
                    if (fired) {
                        plat_log("coverage %s NEVER-row fired: (%s, %s)", t->name, sn, en);
                        missing++;
                    }
                    continue;
                }
                total++;
                if (fired) {
                    hit++;
                } else {
                    plat_log("coverage %s missing: (%s, %s)", t->name, sn, en);
                    missing++;
                }
            }
        }
        if (t->dflt && !(t->dflt->flags & VMIO_T_NEVER)) {
            total++;
            if (c->dflt_hit)
                hit++;
            else {
                plat_log("coverage %s missing: (*, default)", t->name);
                missing++;
            }
        }
        plat_log("coverage %s %u/%u rows exercised", t->name, hit, total);
        missing_total += missing;
    }
    if (vmio_ncov >= VMIO_MAX_TABLES)
        plat_log("coverage registry full (VMIO_MAX_TABLES=%u): later tables untracked",
                 (unsigned)VMIO_MAX_TABLES);
    return missing_total;
}

/* ------------------------------------------------------------------------------------ */
void vmio_init(uint8_t node)
{
    /* vmio is large; assigning a compound literal would build a copy on the stack. */
    vmio.node = node;
    vmio.gateway = 0;
    vmio.running = 0;
    for (unsigned i = 0; i < VMIO_MAX_AUT; i++)
        vmio.aut[i] = 0;
    for (unsigned p = 0; p < VMIO_NPRIO; p++)
        vmio.fifo[p].head = vmio.fifo[p].tail = 0;
    for (unsigned l = 0; l <= VMIO_NLEVELS; l++) {
        atomic_store_explicit(&vmio.dep[l].head, 0, memory_order_relaxed);
        atomic_store_explicit(&vmio.dep[l].tail, 0, memory_order_relaxed);
        atomic_store_explicit(&vmio.dep[l].overflow, 0, memory_order_relaxed);
        atomic_store_explicit(&vmio.dep[l].deposited, 0, memory_order_relaxed);
    }
    for (unsigned p = 0; p <= VMIO_MAX_PIPES; p++)
        vmio.pipe[p].nhops = 0;
    vmio.cur = (vmio_cur_t){0};
    vmio.stats = (vmio_stats_t){0};
    vmio_buf_init();
    vmio_latency_reset();
    vmio.self = (vmio_automaton_t){0};
    vmio.self.table = &vmio_eng_table;
    vmio.self.id = VMIO_AUT_ENGINE;
    vmio.self.cov_slot = vmio_cov_slot(&vmio_eng_table);
    vmio.aut[VMIO_AUT_ENGINE] = &vmio.self;
}

int vmio_register(vmio_automaton_t *a, uint8_t id, const vmio_table_t *table, uint8_t init_state)
{
    if (!a || !table || id == VMIO_AUT_ENGINE || id >= VMIO_MAX_AUT || !table->rows ||
        table->nstates == 0 || table->nstates > VMIO_MAX_STATES || table->nevents == 0 ||
        table->nevents > VMIO_MAX_EVENTS || init_state >= table->nstates)
        return ERR_INVAL;
    if (vmio.aut[id])
        return ERR_BUSY;
    a->table = table;
    a->id = id;
    a->state = init_state;
    a->init_state = init_state;
    a->stats = (vmio_aut_stats_t){0};
    a->cov_slot = vmio_cov_slot(table);
    vmio.aut[id] = a;
    return ERR_OK;
}

int vmio_set_gateway(uint8_t aut_id)
{
    if (aut_id == VMIO_AUT_ENGINE || aut_id >= VMIO_MAX_AUT || !vmio.aut[aut_id])
        return ERR_INVAL;
    vmio.gateway = aut_id;
    return ERR_OK;
}

int vmio_running(void)
{
    return vmio.running;
}

/* ------------------------------------------------------------------------------------ */
int vmio_post(const vmio_event_t *ev, unsigned prio)
{
    if (!ev || prio >= VMIO_NPRIO) {
        if (ev)
            vmio_buf_free(ev->buf);
        return ERR_INVAL;
    }
    vmio_fifo_t *f = &vmio.fifo[prio];
    if (f->head - f->tail >= VMIO_QLEN) {
        vmio.stats.queue_overflow++;
        vmio_buf_free(ev->buf);
        return ERR_NOSPC;
    }
    vmio_event_t *slot = &f->slot[f->head & (VMIO_QLEN - 1)];
    *slot = *ev;
    slot->prio = (uint8_t)prio;
    slot->stamp = plat_cycles32();
    f->head++;
    vmio.stats.posted++;
    return ERR_OK;
}

int vmio_deposit(unsigned level, const vmio_event_t *ev)
{
    if (!ev || level > VMIO_LEVEL_APP || ev->len > VMIO_EV_INLINE)
        return ERR_INVAL;
    vmio_spsc_t *q = &vmio.dep[level];
    uint32_t h = atomic_load_explicit(&q->head, memory_order_relaxed);  /* own index */
    uint32_t t = atomic_load_explicit(&q->tail, memory_order_acquire);
    if (h - t >= VMIO_DEPOSIT_QLEN) {
        atomic_store_explicit(&q->overflow,
                              atomic_load_explicit(&q->overflow, memory_order_relaxed) + 1,
                              memory_order_relaxed);
        return ERR_NOSPC;
    }
    vmio_event_t *slot = &q->slot[h & (VMIO_DEPOSIT_QLEN - 1)];
    *slot = *ev;
    slot->prio = (uint8_t)(VMIO_NPRIO + (VMIO_LEVEL_APP - level)); /* for traces: queue rank */
    slot->stamp = plat_cycles32();  /* response-time start, just before publishing */
    atomic_store_explicit(&q->head, h + 1, memory_order_release);
    atomic_store_explicit(&q->deposited,
                          atomic_load_explicit(&q->deposited, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    return ERR_OK;
}

size_t vmio_deposit_bytes(unsigned level, vmio_addr_t dst, uint8_t code, const uint8_t *p, size_t n)
{
    size_t done = 0;
    if (!p)
        return 0;
    while (done < n) {  /* bounded by n / 1 */
        vmio_event_t ev = {0};
        size_t k = n - done;
        if (k > VMIO_EV_INLINE)
            k = VMIO_EV_INLINE;
        ev.dst = dst;
        ev.code = code;
        ev.len = (uint8_t)k;
        for (size_t i = 0; i < k; i++)
            ev.inl[i] = p[done + i];
        if (vmio_deposit(level, &ev))
            break;
        done += k;
    }
    return done;
}

static int vmio_spsc_get(vmio_spsc_t *q, vmio_event_t *out)
{
    uint32_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);  /* own index */
    uint32_t h = atomic_load_explicit(&q->head, memory_order_acquire);
    if (h == t)
        return 0;
    *out = q->slot[t & (VMIO_DEPOSIT_QLEN - 1)];
    atomic_store_explicit(&q->tail, t + 1, memory_order_release);
    return 1;
}

int vmio_pending(void)
{
    for (unsigned p = 0; p < VMIO_NPRIO; p++)
        if (vmio.fifo[p].head != vmio.fifo[p].tail)
            return 1;
    for (unsigned l = 0; l <= VMIO_NLEVELS; l++)
        if (atomic_load_explicit(&vmio.dep[l].head, memory_order_relaxed) !=
            atomic_load_explicit(&vmio.dep[l].tail, memory_order_relaxed))
            return 1;
    return 0;
}

/* Next event in the documented order; 0 when idle. */
static int vmio_next(vmio_event_t *out)
{
    for (unsigned p = 0; p < VMIO_NPRIO; p++) {
        vmio_fifo_t *f = &vmio.fifo[p];
        if (f->head != f->tail) {
            *out = f->slot[f->tail & (VMIO_QLEN - 1)];
            f->tail++;
            return 1;
        }
    }
    for (unsigned l = VMIO_NLEVELS; l-- > 0;)
        if (vmio_spsc_get(&vmio.dep[l], out))
            return 1;
    return vmio_spsc_get(&vmio.dep[VMIO_LEVEL_APP], out);
}

/* ------------------------------------------------------------------------------------ */
static vmio_automaton_t *vmio_lookup(const vmio_addr_t *dst)
{
    if (dst->node != VMIO_NODE_LOCAL && dst->node != vmio.node)
        return vmio.gateway ? vmio.aut[vmio.gateway] : 0;
    return dst->aut < VMIO_MAX_AUT ? vmio.aut[dst->aut] : 0;
}

static void vmio_make_response(vmio_event_t *rsp, const vmio_addr_t *to, const vmio_addr_t *from,
                               uint8_t code, uint16_t tag, int status, uint32_t arg, vmio_buf_t *buf)
{
    *rsp = (vmio_event_t){0};
    rsp->dst = *to;
    rsp->src = *from;
    rsp->code = code;
    rsp->tag = tag;
    rsp->flags = (uint8_t)(VMIO_F_RSP | (status < 0 ? VMIO_F_ERR : 0));
    rsp->status = (int16_t)status;
    rsp->arg = arg;
    rsp->buf = buf;
}

/* Responses go to the highest internal priority: they complete work already started. */
static int vmio_answer(const vmio_event_t *req, int status, uint32_t arg, vmio_buf_t *buf)
{
    vmio_event_t rsp;
    vmio_make_response(&rsp, &req->src, &req->dst, req->code, req->tag, status, arg, buf);
    return vmio_post(&rsp, 0);
}

int vmio_respond(vmio_automaton_t *self, const vmio_event_t *ev, int status, uint32_t arg, vmio_buf_t *buf)
{
    (void)self;
    if (!ev || ev != vmio.cur.ev || !vmio.cur.is_req) {
        vmio_buf_free(buf);
        return ERR_INVAL;
    }
    if (vmio.cur.answered) {
        vmio.stats.double_response++;
        vmio_buf_free(buf);
        return ERR_BUSY;
    }
    vmio.cur.answered = 1;
    return vmio_answer(ev, status, arg, buf);
}

int vmio_defer(vmio_automaton_t *self, const vmio_event_t *ev, vmio_pending_req_t *tok)
{
    (void)self;
    if (!ev || !tok || ev != vmio.cur.ev || !vmio.cur.is_req)
        return ERR_INVAL;
    if (vmio.cur.answered) {
        vmio.stats.double_response++;
        return ERR_BUSY;
    }
    vmio.cur.answered = 1;
    tok->requester = ev->src;
    tok->me = ev->dst;
    tok->code = ev->code;
    tok->tag = ev->tag;
    tok->live = 1;
    return ERR_OK;
}

int vmio_respond_deferred(vmio_pending_req_t *tok, int status, uint32_t arg, vmio_buf_t *buf)
{
    if (!tok || !tok->live) {
        if (tok)
            vmio.stats.double_response++;
        vmio_buf_free(buf);
        return tok ? ERR_BUSY : ERR_INVAL;
    }
    tok->live = 0;
    vmio_event_t rsp;
    vmio_make_response(&rsp, &tok->requester, &tok->me, tok->code, tok->tag, status, arg, buf);
    return vmio_post(&rsp, 0);
}

int vmio_send(vmio_automaton_t *self, vmio_addr_t dst, uint8_t code, uint8_t flags,
              uint16_t tag, uint32_t arg, vmio_buf_t *buf, unsigned prio)
{
    vmio_event_t ev = {0};
    ev.dst = dst;
    ev.src = vmio_addr(vmio.node, self ? self->id : VMIO_AUT_ENGINE, 0);
    ev.code = code;
    ev.flags = flags;
    ev.tag = tag;
    ev.arg = arg;
    ev.buf = buf;
    return vmio_post(&ev, prio);
}

vmio_buf_t *vmio_take(const vmio_event_t *ev)
{
    if (!ev || ev != vmio.cur.ev || vmio.cur.taken)
        return 0;
    vmio.cur.taken = 1;
    return ev->buf;
}

/* ------------------------------------------------------------------------------------ */
/* Response time: log-linear histogram (geometry in vmio.h). */
unsigned vmio_latency_bucket(uint32_t cyc)
{
    if (cyc < VMIO_LAT_EXACT)
        return cyc;
    unsigned e = 31u - (unsigned)__builtin_clz(cyc);        /* 7..31: cyc in [2^e, 2^(e+1)) */
    return VMIO_LAT_EXACT + (e - VMIO_LAT_SUB_BITS - 1u) * VMIO_LAT_SUB +
           ((cyc >> (e - VMIO_LAT_SUB_BITS)) & (VMIO_LAT_SUB - 1u));
}

uint32_t vmio_latency_bucket_low(unsigned b)
{
    if (b < VMIO_LAT_EXACT)
        return b;
    if (b >= VMIO_LAT_NBUCKETS)
        return 0xFFFFFFFFu;
    unsigned k = b - VMIO_LAT_EXACT;
    unsigned e = VMIO_LAT_SUB_BITS + 1u + k / VMIO_LAT_SUB;
    return (VMIO_LAT_SUB + k % VMIO_LAT_SUB) << (e - VMIO_LAT_SUB_BITS);
}

uint32_t vmio_latency_bucket_width(unsigned b)
{
    if (b < VMIO_LAT_EXACT)
        return 1;
    if (b >= VMIO_LAT_NBUCKETS)
        return 0;
    return 1u << ((b - VMIO_LAT_EXACT) / VMIO_LAT_SUB + 1u);
}

uint32_t vmio_latency_bucket_count(unsigned kind, unsigned b)
{
    if (b >= VMIO_LAT_NBUCKETS)
        return 0;
    if (kind == VMIO_LAT_ALL)
        return vmio_lat.h[VMIO_LAT_DEPOSIT].bucket[b] + vmio_lat.h[VMIO_LAT_POST].bucket[b];
    return kind < VMIO_LAT_NKINDS ? vmio_lat.h[kind].bucket[b] : 0;
}

/* VMIO level: O(1), one CLZ. The sequence count lets a preempted reader notice it. */
static void vmio_lat_record(unsigned kind, uint32_t cyc)
{
    vmio_lat_hist_t *h = &vmio_lat.h[kind];
    vmio_lat.seq++;
    atomic_signal_fence(memory_order_seq_cst);
    if (!h->count || cyc < h->min)
        h->min = cyc;
    if (cyc > h->max)
        h->max = cyc;
    h->count++;
    h->sum += cyc;
    h->bucket[vmio_latency_bucket(cyc)]++;
    atomic_signal_fence(memory_order_seq_cst);
    vmio_lat.seq++;
}

void vmio_latency_reset(void)
{
    vmio_lat.seq++;
    atomic_signal_fence(memory_order_seq_cst);
    for (unsigned k = 0; k < VMIO_LAT_NKINDS; k++) {
        vmio_lat_hist_t *h = &vmio_lat.h[k];
        h->count = h->min = h->max = 0;
        h->sum = 0;
        for (unsigned b = 0; b < VMIO_LAT_NBUCKETS; b++)
            h->bucket[b] = 0;
    }
    atomic_signal_fence(memory_order_seq_cst);
    vmio_lat.seq++;
}

/* Midpoint of bucket b clamped to [min, max]: exact below VMIO_LAT_EXACT. */
static uint32_t vmio_lat_value(unsigned b, uint32_t min, uint32_t max)
{
    uint32_t v = vmio_latency_bucket_low(b) + (vmio_latency_bucket_width(b) - 1u) / 2u;
    return v < min ? min : v > max ? max : v;
}

/* One pass over the buckets: summary and nq nearest-rank quantiles (per10000 ascending). */
static void vmio_lat_compute(unsigned kind, vmio_latency_t *out, const unsigned *per10000,
                             uint32_t *q, unsigned nq)
{
    const vmio_lat_hist_t *hd = &vmio_lat.h[VMIO_LAT_DEPOSIT], *hp = &vmio_lat.h[VMIO_LAT_POST];
    vmio_latency_t r = {0};
    if (kind == VMIO_LAT_ALL) {
        r.count = hd->count + hp->count;
        r.sum_cyc = hd->sum + hp->sum;
        r.max_cyc = hd->max > hp->max ? hd->max : hp->max;
        r.min_cyc = !hd->count ? hp->min : !hp->count ? hd->min : hd->min < hp->min ? hd->min : hp->min;
    } else {
        r.count = vmio_lat.h[kind].count;
        r.sum_cyc = vmio_lat.h[kind].sum;
        r.max_cyc = vmio_lat.h[kind].max;
        r.min_cyc = vmio_lat.h[kind].min;
    }
    for (unsigned i = 0; i < nq; i++)
        q[i] = 0;
    if (r.count) {
        uint64_t acc = 0;
        unsigned i = 0;
        for (unsigned b = 0; b < VMIO_LAT_NBUCKETS && i < nq; b++) {
            acc += vmio_latency_bucket_count(kind, b);
            /* rank = ceil(n * p / 10000), at least 1 */
            while (i < nq) {
                uint64_t rank = ((uint64_t)r.count * per10000[i] + 9999u) / 10000u;
                if (rank == 0)
                    rank = 1;
                if (acc < rank)
                    break;
                q[i++] = vmio_lat_value(b, r.min_cyc, r.max_cyc);
            }
        }
    }
    *out = r;
}

static int vmio_lat_read(unsigned kind, vmio_latency_t *out, const unsigned *per10000, uint32_t *q,
                         unsigned nq)
{
    if (kind > VMIO_LAT_ALL || !out)
        return ERR_INVAL;
    for (unsigned t = 0; t < VMIO_LAT_GET_TRIES; t++) {
        uint32_t s0 = vmio_lat.seq;
        atomic_signal_fence(memory_order_seq_cst);
        vmio_lat_compute(kind, out, per10000, q, nq);
        atomic_signal_fence(memory_order_seq_cst);
        if (!(s0 & 1u) && vmio_lat.seq == s0)
            return ERR_OK;
    }
    return ERR_BUSY;
}

int vmio_latency_get(unsigned kind, vmio_latency_t *out)
{
    static const unsigned pq[3] = {5000u, 9000u, 9900u};
    uint32_t q[3] = {0, 0, 0};
    int rc = vmio_lat_read(kind, out, pq, q, 3);
    if (out) {
        out->median_cyc = q[0];
        out->p90_cyc = q[1];
        out->p99_cyc = q[2];
    }
    return rc;
}

uint32_t vmio_latency_quantile(unsigned kind, unsigned per10000)
{
    vmio_latency_t r;
    uint32_t q = 0;
    if (per10000 < 1u || per10000 > 10000u)
        return 0;
    return vmio_lat_read(kind, &r, &per10000, &q, 1) == ERR_OK ? q : 0;
}

/* ------------------------------------------------------------------------------------ */
static void vmio_call_hook(vmio_automaton_t *a, vmio_handler_fn fn, const vmio_event_t *ev)
{
    if (fn && fn(a, ev) < 0) {
        a->stats.handler_errors++;
        vmio.stats.handler_errors++;
    }
}

/* Runs one row: see the transition order in vmio.h. Returns the effect's status. */
static int vmio_fire(vmio_automaton_t *a, const vmio_row_t *row, const vmio_event_t *ev)
{
    const vmio_table_t *t = a->table;
    uint8_t src = a->state;
    uint8_t target = row->next == VMIO_SAME ? src : row->next;
    int rc;

    PLAT_ASSERT(VMIO_MOD, target < t->nstates);
    if (!row->alt) {
        if (target != src)
            vmio_call_hook(a, t->states[src].exit, ev);
        rc = row->effect ? row->effect(a, ev) : ERR_OK;  /* > 0 means ok here (no choice) */
    } else {
        rc = row->effect ? row->effect(a, ev) : ERR_OK;
        if (rc > 0) {
            unsigned chosen = (unsigned)(rc - 1);
            PLAT_ASSERT(VMIO_MOD, chosen < t->nstates);
            PLAT_ASSERT(VMIO_MOD, chosen == target || (row->alt >> chosen) & 1u);
            target = (uint8_t)chosen;
        }
        if (target != src)
            vmio_call_hook(a, t->states[src].exit, ev);
    }
    if (rc < 0) {
        a->stats.handler_errors++;
        vmio.stats.handler_errors++;
    }
    if (target != src) {
        a->state = target;
        vmio_call_hook(a, t->states[target].entry, ev);
    }
    return rc < 0 ? rc : ERR_OK;
}

static void vmio_dispatch(vmio_event_t *ev)
{
    vmio.stats.dispatched++;
    vmio.cur.ev = ev;
    vmio.cur.is_req = (uint8_t)vmio_is_req(ev);
    vmio.cur.answered = 0;
    vmio.cur.taken = 0;

    vmio_automaton_t *a = vmio_lookup(&ev->dst);
    int rc;
    if (!a) {
        vmio.stats.bad_dst++;
        rc = ERR_INVAL;
    } else {
        const vmio_table_t *t = a->table;
        const vmio_row_t *row = 0;
        int ix = -1;
        a->stats.dispatched++;
        if (ev->code < t->nevents) {
            ix = a->state * t->nevents + ev->code;
            if (t->rows[ix].flags & VMIO_T_VALID)
                row = &t->rows[ix];
        }
        if (!row && t->dflt && (t->dflt->flags & VMIO_T_VALID)) {
            row = t->dflt;
            ix = -1;
        }
        if (!row) {
            a->stats.unhandled++;
            vmio.stats.unhandled++;
            rc = ERR_UNHANDLED;
        } else {
            vmio_cov_hit(a, ix);
            rc = vmio_fire(a, row, ev);
        }
    }
    /* Handler done: response time of this event (internal FIFOs have prio < VMIO_NPRIO). */
    vmio_lat_record(ev->prio < VMIO_NPRIO ? VMIO_LAT_POST : VMIO_LAT_DEPOSIT,
                    plat_cycles32() - ev->stamp);
    if (vmio.cur.is_req && !vmio.cur.answered) {
        if (rc == ERR_OK) {
            vmio.stats.no_response++;
            rc = ERR_NO_RESPONSE;
        }
        vmio.cur.answered = 1;
        vmio_answer(ev, rc, 0, 0);
    }
    if (ev->buf && !vmio.cur.taken)
        vmio_buf_free(ev->buf);
    vmio.cur = (vmio_cur_t){0};
}

unsigned vmio_run(void)
{
    unsigned n = 0;
    vmio_event_t ev;
    PLAT_ASSERT(VMIO_MOD, !vmio.cur.ev);  /* never re-entered from a handler */
    vmio.running = 1;
    while (n < VMIO_RUN_MAX && vmio_next(&ev)) {
        vmio_dispatch(&ev);
        n++;
    }
    if (n == VMIO_RUN_MAX && vmio_pending())
        vmio.stats.budget_hits++;
    vmio.running = 0;
    return n;
}

unsigned vmio_preempt(void)
{
    unsigned n = 0;
    /* IRQs are masked here: testing and setting `running` cannot be interleaved. */
    if (vmio.running)
        return 0;
    for (unsigned round = 0; round < VMIO_PREEMPT_MAX_ROUNDS && vmio_pending(); round++) {
        vmio.stats.preempt_runs++;
        plat_irq_enable();
        n += vmio_run();
        plat_irq_disable();
        /* An interrupt between the end of vmio_run and the disable above may have left an
         * event (its exit saw running=1): the loop condition picks it up. */
    }
    return n;
}

void vmio_get_stats(vmio_stats_t *out)
{
    *out = vmio.stats;
    uint32_t dep = 0;
    for (unsigned l = 0; l <= VMIO_NLEVELS; l++) {
        out->deposit_overflow[l] = atomic_load_explicit(&vmio.dep[l].overflow, memory_order_relaxed);
        dep += atomic_load_explicit(&vmio.dep[l].deposited, memory_order_relaxed);
    }
    out->deposited = dep;
}

/* ------------------------------------------------------------------------------------ */
/* Pipes */
int vmio_pipe_is_open(uint16_t pipe)
{
    return pipe >= 1 && pipe <= VMIO_MAX_PIPES && vmio.pipe[pipe].nhops != 0;
}

static int vmio_eng_pipe_open(vmio_automaton_t *self, const vmio_event_t *ev)
{
    if (!vmio_is_req(ev))
        return ERR_INVAL;
    int rc = ERR_OK;
    if (ev->len < 2 || ev->len > VMIO_PIPE_MAX_HOPS)
        rc = ERR_INVAL;
    for (unsigned i = 0; rc == ERR_OK && i < ev->len; i++) {
        uint8_t id = ev->inl[i];
        if (id == VMIO_AUT_ENGINE || id >= VMIO_MAX_AUT || !vmio.aut[id])
            rc = ERR_INVAL;
        for (unsigned j = 0; j < i; j++)
            if (ev->inl[j] == id)
                rc = ERR_INVAL;  /* a stage appears once: next-hop lookup stays unique */
    }
    uint16_t id = 0;
    for (uint16_t p = 1; rc == ERR_OK && p <= VMIO_MAX_PIPES; p++) {
        if (!vmio.pipe[p].nhops) {
            id = p;
            break;
        }
    }
    if (rc == ERR_OK && !id)
        rc = ERR_NOSPC;
    if (rc) {
        vmio.stats.pipe_errors++;
        return vmio_respond(self, ev, rc, 0, 0);
    }
    vmio.pipe[id].nhops = ev->len;
    for (unsigned i = 0; i < ev->len; i++)
        vmio.pipe[id].hop[i] = ev->inl[i];
    vmio.stats.pipe_opens++;
    vmio_respond(self, ev, ERR_OK, id, 0);
    /* Tell the source stage its pipe id (indication, no response). */
    return vmio_send(self, vmio_addr(vmio.node, ev->inl[0], id), VMIO_EV_PIPE_OPEN, 0, 0, id, 0, 0);
}

static int vmio_eng_pipe_close(vmio_automaton_t *self, const vmio_event_t *ev)
{
    if (!vmio_is_req(ev))
        return ERR_INVAL;
    if (ev->arg > 0xFFFFu || !vmio_pipe_is_open((uint16_t)ev->arg)) {
        vmio.stats.pipe_errors++;
        return vmio_respond(self, ev, ERR_INVAL, ev->arg, 0);
    }
    uint16_t id = (uint16_t)ev->arg;
    uint8_t head = vmio.pipe[id].hop[0];
    vmio.pipe[id].nhops = 0;
    vmio.stats.pipe_closes++;
    vmio_respond(self, ev, ERR_OK, id, 0);
    return vmio_send(self, vmio_addr(vmio.node, head, id), VMIO_EV_PIPE_CLOSE, 0, 0, id, 0, 0);
}

int vmio_pipe_send(vmio_automaton_t *self, uint16_t pipe, vmio_buf_t *buf)
{
    int rc = ERR_INVAL;
    if (self && vmio_pipe_is_open(pipe)) {
        const vmio_pipe_t *p = &vmio.pipe[pipe];
        rc = ERR_INVAL;
        for (unsigned i = 0; i < p->nhops; i++) {
            if (p->hop[i] == self->id) {
                if (i + 1 >= p->nhops) {
                    rc = ERR_RANGE;
                    break;
                }
                vmio_event_t ev = {0};
                ev.dst = vmio_addr(vmio.node, p->hop[i + 1], pipe);
                ev.src = vmio_addr(vmio.node, self->id, pipe);
                ev.code = VMIO_EV_DATA;
                ev.buf = buf;
                /* Data follows the pipe at the middle priority: behind responses. */
                return vmio_post(&ev, VMIO_NPRIO > 1 ? 1 : 0);
            }
        }
    }
    vmio.stats.pipe_drops++;
    vmio_buf_free(buf);
    return rc;
}
