/* VMIO: the monolithic I/O monitor of the I/O container (seeds/iot-os-architecture.txt,
 * "Monolithic Input/Output Monitor"; DESIGN.md "Execution levels"). Portable C: one engine
 * per node, one stack, run-to-completion dispatch of events to automatons described by
 * constant transition tables. No allocation except from the fixed buffer pools, every loop
 * bounded, every drop counted (STYLE rules 7-10).
 *
 * ---- Events --------------------------------------------------------------------------
 * vmio_event_t: destination and source address (node, automaton, way), a code, flags
 * (REQ / RSP / ERR), a tag echoed by the response, a status (responses), a small scalar
 * `arg`, up to VMIO_EV_INLINE inline bytes (`inl`, `len`) and an optional owned buffer
 * (`buf`, see vmio_buf.h for ownership). Requests and responses share this shape.
 *   - request : flags VMIO_F_REQ. The engine guarantees exactly one response:
 *       * the handler calls vmio_respond() once (a second call is refused: ERR_BUSY,
 *         counted double_response), or vmio_defer() to answer later with
 *         vmio_respond_deferred() (again at most once);
 *       * a handler that returns without either -> the engine answers ERR_NO_RESPONSE
 *         (counted no_response), or with the handler's own negative return value
 *         (counted handler_errors);
 *       * unmatched (state, code) -> ERR_UNHANDLED (counted unhandled); unknown destination
 *         automaton -> ERR_INVAL (counted bad_dst).
 *   - response: flags VMIO_F_RSP (+ VMIO_F_ERR when status < 0), same code and tag as the
 *     request, dst = request src, src = request dst. It arrives in the requester's table in
 *     the column of the request code; the handler tells it apart with vmio_is_rsp().
 *   - indication: neither flag (data, notifications); never answered.
 * Addresses: node 0 (VMIO_NODE_LOCAL) or the node given to vmio_init() is this node;
 * events for other nodes go to the gateway automaton (vmio_set_gateway), else bad_dst.
 * `way` selects a channel inside an automaton; for VMIO_EV_DATA it is the pipe id.
 *
 * ---- Automatons ----------------------------------------------------------------------
 * A vmio_table_t is constant data: rows[state][code] = {effect, next, alt, flags}, built
 * with designated initializers indexed by enums (VMIO_ROW...). One handler signature
 * vmio_handler_fn. Lookup: the row for (state, code) if present, else the table's default
 * row (`dflt`) if any, else "unhandled" (counted; error response if it was a request).
 * Transition order:
 *   fixed-target row (alt == 0):  exit(source) -> effect -> entry(target)
 *                                 exit/entry run only when target != source; a row with
 *                                 next == VMIO_SAME is an internal transition (effect only).
 *   choice row (alt != 0):        effect (acts as the guard: returns VMIO_GOTO(s) with s in
 *                                 `alt` or next, or >= 0 for `next`) -> exit(source) ->
 *                                 entry(target), exit/entry again only if target != source.
 *                                 (UML: guards are evaluated before the source is left.)
 * A negative effect return is counted (handler_errors) and the declared `next` is taken.
 * Everything runs to completion on VMIO's single stack; handlers never block.
 *
 * ---- Scheduling ----------------------------------------------------------------------
 * Queues: VMIO_NPRIO internal FIFOs (vmio_post, VMIO level only), one lock-free SPSC
 * deposit queue per VMIT level (vmio_deposit from that interrupt level only) and one for
 * the application level (vmio_deposit(VMIO_LEVEL_APP, ...)).
 * Order, re-evaluated before every dispatch:
 *   1. internal FIFOs, priority 0 first (work already inside VMIO runs to completion first,
 *      which bounds internal queue depth by the fan-out of one deposited event);
 *   2. deposit queues, highest VMIT level first (VMIO_NLEVELS-1 .. 0);
 *   3. the application deposit queue.
 * Tie-break: FIFO within one queue; between queues strictly by the order above (an event
 * deposited at a higher level while a lower level's queue is being drained goes next).
 * vmio_run() dispatches at most VMIO_RUN_MAX events per call (counted budget_hits when it
 * stops with work left).
 *
 * ---- Preemption hook (VMIO preempts the application level) ---------------------------
 * vmio_pending(): cheap (a few loads), any level. vmio_preempt(): called by the outermost
 * VMIT exit path, on the VMIO stack, with IRQs masked, when the interrupted context is the
 * application level; it returns at once if VMIO is already running (nested case) or idle,
 * else runs VMIO with IRQs enabled and returns with them masked again.
 *
 * ---- Pipes ---------------------------------------------------------------------------
 * Open: request VMIO_EV_PIPE_OPEN to the engine (automaton VMIO_AUT_ENGINE) with the chain
 * of automaton ids as inline bytes (2..VMIO_PIPE_MAX_HOPS). Response: status, arg = pipe id
 * (1..VMIO_MAX_PIPES). The engine also sends the head of the chain an indication
 * VMIO_EV_PIPE_OPEN (arg = pipe id) so the source stage learns where to send.
 * Data: a stage calls vmio_pipe_send(self, pipe, buf): an indication VMIO_EV_DATA with the
 * same buffer pointer goes to the next stage (dst.way = pipe). No copy, no client.
 * Close: request VMIO_EV_PIPE_CLOSE, arg = pipe id; the head gets a VMIO_EV_PIPE_CLOSE
 * indication. Data already queued is still delivered; sending on a closed pipe fails
 * (buffer freed, counted pipe_drops).
 *
 * ---- Response time (latency) --------------------------------------------------------
 * vmio_deposit() and vmio_post() stamp the queued copy of the event with plat_cycles32()
 * (ev->stamp, one 32-bit field, no allocation). When its dispatch ends (after the row's
 * exit / effect / entry, or after the engine found it unhandled / undeliverable; the
 * engine's own auto-response and buffer release are not included) the engine records
 * (plat_cycles32() - stamp) mod 2^32 cycles, so the counter may wrap between the two
 * stamps (latencies must stay below 2^32 cycles: 6.1 s at 700 MHz). Two kinds:
 * VMIO_LAT_DEPOSIT (deposit queues: VMIT levels and the application level) and
 * VMIO_LAT_POST (internal FIFOs: vmio_post, vmio_send, responses, pipe data);
 * VMIO_LAT_ALL merges them at query time.
 * Histogram per kind (static, VMIO_LAT_NBUCKETS x uint32 = 6912 bytes each): exact
 * buckets for 0..127 cycles, above that 64 log-linear sub-buckets per power of two
 * (bucket width = 2^(e-6) for values in [2^e, 2^(e+1)), i.e. <= 1/64 of the value), plus
 * count, sum, min and max (exact). A quantile q is the nearest-rank one (the value of the
 * ceil(q*n)-th smallest sample); it is reported as the midpoint of its bucket clamped to
 * [min, max]: exact below 128 cycles, otherwise within +-1/128 (0.79 %) of the true
 * sample. vmio_latency_reset() empties all of it (vmio_init does too). Recording and
 * reset run at VMIO level or with VMIO excluded (IRQs masked at application level);
 * vmio_latency_get() may run at application level while VMIO preempts it: a sequence
 * count detects a concurrent record and the read is retried (bounded; ERR_BUSY if every
 * retry was disturbed).
 *
 * ---- Coverage ------------------------------------------------------------------------
 * The engine records which rows fired per table (registry survives vmio_init; reset with
 * vmio_coverage_reset). vmio_coverage_report() logs per table the rows never exercised and
 * returns their count; rows flagged VMIO_T_NEVER (cannot occur; say why next to the row)
 * are excluded and reported as an error if they do fire. */
#ifndef VMIO_H
#define VMIO_H
#include <stddef.h>
#include <stdint.h>
#include "vmio/vmio_cfg.h"
#include "vmio/vmio_buf.h"
#include "err.h"

/* The engine's own errors ERR_NO_RESPONSE and ERR_UNHANDLED are in err.h (err_t). */
const char *vmio_err_str(int e); /* = err_str() (kept for existing callers) */

#define VMIO_NODE_LOCAL 0
#define VMIO_AUT_ENGINE 0      /* the engine's own automaton (pipes) */

typedef struct vmio_addr {
    uint8_t node;
    uint8_t aut;
    uint16_t way;
} vmio_addr_t;

#define VMIO_F_REQ 0x01u
#define VMIO_F_RSP 0x02u
#define VMIO_F_ERR 0x04u

/* Event codes shared by all tables; automaton-specific codes start at VMIO_EV_USER. */
enum vmio_code {
    VMIO_EV_DATA = 0,       /* indication: buffer hand-off (pipes, frames) */
    VMIO_EV_RX = 1,         /* indication: byte chunk deposited by an interrupt (inline) */
    VMIO_EV_PIPE_OPEN = 2,  /* request to the engine / indication to the pipe head */
    VMIO_EV_PIPE_CLOSE = 3, /* idem */
    VMIO_EV_RESET = 4,      /* request: automaton back to its initial state */
    VMIO_EV_USER = 8,
};

typedef struct vmio_event {
    vmio_addr_t dst;
    vmio_addr_t src;
    uint8_t code;
    uint8_t flags;          /* VMIO_F_* */
    uint16_t tag;           /* request id, echoed in the response */
    int16_t status;         /* responses: ERR_OK or a negative err */
    uint8_t len;            /* inline bytes used in inl[] */
    uint8_t prio;           /* set by the engine: queue it came from (for tests/trace) */
    uint32_t arg;           /* small scalar argument */
    vmio_buf_t *buf;        /* owned buffer or NULL (ownership: vmio_buf.h) */
    uint32_t stamp;         /* set by the engine: plat_cycles32() at deposit / post */
    uint8_t inl[VMIO_EV_INLINE];
} vmio_event_t;

typedef struct vmio_automaton vmio_automaton_t;
/* Returns >= 0 (ok; VMIO_GOTO(s) to pick a target on a choice row) or a negative err. */
typedef int (*vmio_handler_fn)(vmio_automaton_t *self, const vmio_event_t *ev);
#define VMIO_GOTO(s) ((int)(s) + 1)
#define VMIO_SAME 0xFFu

#define VMIO_T_VALID 0x01u      /* row present (set by the VMIO_ROW macros) */
#define VMIO_T_NEVER 0x02u      /* coverage: this pair cannot occur (comment why) */

typedef struct vmio_row {
    vmio_handler_fn effect;     /* may be NULL */
    uint8_t next;               /* target state or VMIO_SAME */
    uint8_t flags;              /* VMIO_T_* */
    uint16_t alt;               /* choice row: bitmask of other permitted targets */
} vmio_row_t;

#define VMIO_ROW(fn, nxt) {.effect = (fn), .next = (nxt), .flags = VMIO_T_VALID, .alt = 0}
#define VMIO_ROW_CHOICE(fn, nxt, altmask) \
    {.effect = (fn), .next = (nxt), .flags = VMIO_T_VALID, .alt = (altmask)}
#define VMIO_ROW_NEVER(fn, nxt) \
    {.effect = (fn), .next = (nxt), .flags = VMIO_T_VALID | VMIO_T_NEVER, .alt = 0}

typedef struct vmio_state_desc {
    const char *name;
    vmio_handler_fn entry;      /* may be NULL; return value ignored (counted if < 0) */
    vmio_handler_fn exit;       /* idem */
} vmio_state_desc_t;

typedef struct vmio_table {
    const char *name;
    uint8_t nstates;
    uint8_t nevents;
    const vmio_row_t *rows;             /* [nstates][nevents], row-major */
    const vmio_row_t *dflt;             /* default row or NULL */
    const vmio_state_desc_t *states;    /* [nstates] */
    const char *const *event_names;     /* [nevents], may be NULL */
} vmio_table_t;

typedef struct vmio_aut_stats {
    uint32_t dispatched;
    uint32_t unhandled;
    uint32_t handler_errors;
} vmio_aut_stats_t;

struct vmio_automaton {
    const vmio_table_t *table;
    uint8_t id;
    uint8_t state;
    uint8_t init_state;
    uint8_t cov_slot;           /* coverage registry index (engine private) */
    vmio_aut_stats_t stats;
};

typedef struct vmio_stats {
    uint32_t dispatched;
    uint32_t posted;            /* internal FIFO insertions */
    uint32_t deposited;         /* deposit queue insertions, all levels */
    uint32_t queue_overflow;    /* internal FIFO full (event dropped, buffer freed) */
    uint32_t deposit_overflow[VMIO_NLEVELS + 1]; /* per deposit queue (last = application) */
    uint32_t unhandled;
    uint32_t no_response;
    uint32_t double_response;
    uint32_t handler_errors;
    uint32_t bad_dst;
    uint32_t budget_hits;       /* vmio_run stopped at VMIO_RUN_MAX with work left */
    uint32_t pipe_opens;
    uint32_t pipe_closes;
    uint32_t pipe_errors;       /* refused open/close */
    uint32_t pipe_drops;        /* vmio_pipe_send failed (buffer freed) */
    uint32_t preempt_runs;
} vmio_stats_t;

#define VMIO_LEVEL_APP VMIO_NLEVELS  /* deposit queue of the application level */

/* --- engine --------------------------------------------------------------------------- */
void vmio_init(uint8_t node);       /* empties queues, pools, pipes, automatons, counters */
/* Registers `a` (table set by the automaton's own init) under id 1..VMIO_MAX_AUT-1.
 * Application level, before vmio_run. ERR_INVAL / ERR_BUSY. */
int vmio_register(vmio_automaton_t *a, uint8_t id, const vmio_table_t *table, uint8_t init_state);
int vmio_set_gateway(uint8_t aut_id);
/* Internal post (VMIO level): ownership of ev->buf passes to the engine in all cases
 * (freed and counted on overflow). prio 0 = highest. */
int vmio_post(const vmio_event_t *ev, unsigned prio);
/* Deposit from interrupt level `level` (0..VMIO_NLEVELS-1) or VMIO_LEVEL_APP. One
 * producer per queue: the caller must be that level. Copies the event (O(1), no
 * allocation); ERR_NOSPC when full (counted; ev->buf stays with the caller). */
int vmio_deposit(unsigned level, const vmio_event_t *ev);
/* Splits bytes into VMIO_EV_RX-style chunks of up to VMIO_EV_INLINE bytes with code `code`.
 * Returns the number of bytes deposited (less than n when the queue filled up). */
size_t vmio_deposit_bytes(unsigned level, vmio_addr_t dst, uint8_t code, const uint8_t *p, size_t n);
int vmio_pending(void);             /* any event queued (any level may ask) */
unsigned vmio_run(void);            /* dispatches until idle or VMIO_RUN_MAX; returns count */
unsigned vmio_preempt(void);        /* the VMIT exit hook, see above */
int vmio_running(void);             /* inside vmio_run */
void vmio_get_stats(vmio_stats_t *out);

/* --- inside handlers ------------------------------------------------------------------- */
static inline int vmio_is_req(const vmio_event_t *ev) { return (ev->flags & (VMIO_F_REQ | VMIO_F_RSP)) == VMIO_F_REQ; }
static inline int vmio_is_rsp(const vmio_event_t *ev) { return (ev->flags & VMIO_F_RSP) != 0; }
/* Answer the request being dispatched (ev must be the current event). buf: ownership passes
 * to the engine. ERR_BUSY if already answered (counted), ERR_INVAL if ev is no request. */
int vmio_respond(vmio_automaton_t *self, const vmio_event_t *ev, int status, uint32_t arg, vmio_buf_t *buf);
typedef struct vmio_pending_req {
    vmio_addr_t requester;
    vmio_addr_t me;
    uint8_t code;
    uint8_t live;
    uint16_t tag;
} vmio_pending_req_t;
/* Take the duty to answer later: fills *tok; the engine will not auto-answer. */
int vmio_defer(vmio_automaton_t *self, const vmio_event_t *ev, vmio_pending_req_t *tok);
int vmio_respond_deferred(vmio_pending_req_t *tok, int status, uint32_t arg, vmio_buf_t *buf);
/* Build and post a request / indication from `self` (VMIO level). */
int vmio_send(vmio_automaton_t *self, vmio_addr_t dst, uint8_t code, uint8_t flags,
              uint16_t tag, uint32_t arg, vmio_buf_t *buf, unsigned prio);
/* Keep the current event's buffer: the caller becomes its owner. */
vmio_buf_t *vmio_take(const vmio_event_t *ev);
static inline vmio_addr_t vmio_addr(uint8_t node, uint8_t aut, uint16_t way)
{
    vmio_addr_t a = {node, aut, way};
    return a;
}

/* --- pipes ------------------------------------------------------------------------------ */
/* Hand `buf` to the stage after `self` in pipe `pipe`. Ownership passes in all cases (freed
 * and counted pipe_drops on error: ERR_INVAL closed pipe / self not a stage, ERR_RANGE self
 * is the last stage). */
int vmio_pipe_send(vmio_automaton_t *self, uint16_t pipe, vmio_buf_t *buf);
int vmio_pipe_is_open(uint16_t pipe);

/* --- response time (see "Response time" above) ------------------------------------------ */
enum vmio_lat_kind { VMIO_LAT_DEPOSIT = 0, VMIO_LAT_POST = 1, VMIO_LAT_NKINDS = 2, VMIO_LAT_ALL = 2 };
#define VMIO_LAT_SUB_BITS 6u                                 /* 64 sub-buckets per octave */
#define VMIO_LAT_SUB (1u << VMIO_LAT_SUB_BITS)
#define VMIO_LAT_EXACT (2u * VMIO_LAT_SUB)                   /* 0..127: one bucket per value */
#define VMIO_LAT_NBUCKETS (VMIO_LAT_EXACT + (32u - VMIO_LAT_SUB_BITS - 1u) * VMIO_LAT_SUB) /* 1728 */
#define VMIO_LAT_GET_TRIES 8u
typedef struct vmio_latency {
    uint32_t count;
    uint32_t min_cyc;       /* 0 when count == 0 */
    uint32_t max_cyc;
    uint32_t median_cyc;    /* nearest-rank quantiles, resolution above */
    uint32_t p90_cyc;
    uint32_t p99_cyc;
    uint64_t sum_cyc;
} vmio_latency_t;
/* kind: VMIO_LAT_DEPOSIT / VMIO_LAT_POST / VMIO_LAT_ALL. ERR_INVAL, ERR_BUSY (see above). */
int vmio_latency_get(unsigned kind, vmio_latency_t *out);
/* Nearest-rank quantile, per10000 in 1..10000 (5000 = median); 0 when empty. */
uint32_t vmio_latency_quantile(unsigned kind, unsigned per10000);
void vmio_latency_reset(void);
/* Histogram geometry (tests, tools): bucket of a value, its lowest value and width, and the
 * count it holds (kind as above). */
unsigned vmio_latency_bucket(uint32_t cyc);
uint32_t vmio_latency_bucket_low(unsigned b);
uint32_t vmio_latency_bucket_width(unsigned b);
uint32_t vmio_latency_bucket_count(unsigned kind, unsigned b);

/* --- coverage ---------------------------------------------------------------------------- */
void vmio_coverage_reset(void);
unsigned vmio_coverage_report(void);   /* logs and returns rows never exercised */

#endif
