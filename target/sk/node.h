/* Serverkernel node protocol state machine (portable C, host-tested): the protocol half of
 * the executive. Plain C driven by the executive (not a VMIO automaton): the serverkernel is
 * a mono-task cyclic executive at application level, the run itself is synchronous and long,
 * and VMIO handlers must run to completion quickly; so the executive calls
 * sk_node_handle() for each received message and sk_node_poll() on every loop turn.
 *
 * States (DESIGN.md "Executive"), each with a time limit enforced by the executive:
 *   IDLE -> RECEIVING (UPLOAD_BEGIN) -> [all chunks] -> (EXEC) VERIFYING -> RUNNING
 *        -> REPLYING -> IDLE
 * RECEIVING has an inactivity limit (rx_timeout_us): no chunk for that long abandons the
 * upload (uploads_aborted++), back to IDLE. VERIFYING, RUNNING and REPLYING happen inside
 * the EXEC call (cfg callbacks); their limits are the watchdog's (sk/exec.c).
 *
 * Upload: UPLOAD_BEGIN(total, chunk_size) resets the staging buffer; UPLOAD_CHUNK(seq) is
 * stored at seq * chunk_size whatever the order; a duplicate is acknowledged again without
 * harm; every chunk gets an ACK (chunks_done, first_missing) so the client retransmits what
 * is missing. EXEC is refused (SK_E_INCOMPLETE) until every chunk arrived; after a run the
 * node is IDLE with the upload still staged, so EXEC can be repeated without uploading again
 * (the loader verifies the staged file each time); UPLOAD_BEGIN discards it. */
#ifndef SK_NODE_H
#define SK_NODE_H
#include <stddef.h>
#include <stdint.h>
#include "sk/proto.h"
#include "sk/sandbox.h"

typedef enum sk_node_state {
    SK_ST_IDLE = 0,
    SK_ST_RECEIVING = 1,
    SK_ST_VERIFYING = 2,
    SK_ST_RUNNING = 3,
    SK_ST_REPLYING = 4,
    SK_ST_COUNT
} sk_node_state_t;

#define SK_NODE_MAX_CHUNKS 8192u  /* bitmap size: SK_PAYLOAD_MAX_FILE / SK_PROTO_CHUNK_MIN */

struct sk_node;
typedef struct sk_node_cfg {
    uint8_t *stage;          /* upload staging buffer (not the arena) */
    uint32_t stage_cap;
    uint32_t rx_timeout_us;  /* RECEIVING inactivity limit */
    sk_advert_t adv;         /* static advert fields (nonce and state filled per message) */
    const char *fw_version;
    /* Verify + load the staged file into the arena: 0 or a loader code. */
    int (*load)(void *ctx, const uint8_t *file, uint32_t len, uint32_t *entry);
    /* Run it (sk_sandbox_run semantics). */
    int (*run)(void *ctx, const sk_run_req_t *req, sk_run_res_t *res);
    /* Attestation: HMAC(device key, challenge || fw hash) (software attestation). */
    void (*attest)(void *ctx, const uint8_t challenge[SK_PROTO_CHALLENGE_LEN], sk_attest_t *out);
    /* Fresh nonce for every advert. */
    void (*nonce)(void *ctx, uint8_t out[SK_PROTO_NONCE_LEN]);
    /* State change notification (the executive re-arms its watchdog per state). */
    void (*on_state)(void *ctx, sk_node_state_t s);
    void *ctx;
} sk_node_cfg_t;

typedef struct sk_node_stats {
    uint32_t msgs, malformed, unknown, bad_state;
    uint32_t chunks, dup_chunks, bad_chunks;
    uint32_t uploads, uploads_done, uploads_aborted;
    uint32_t runs, run_faults, loads_rejected;
    uint32_t frames_bad;     /* reported by the transport (sk_node_count_bad_frame) */
} sk_node_stats_t;

typedef struct sk_node {
    const sk_node_cfg_t *cfg;
    sk_node_state_t state;
    uint32_t total, chunk_size, nchunks, done;
    int staged;              /* a complete upload is in the staging buffer (IDLE may EXEC) */
    uint64_t last_rx_us;
    uint64_t start_us;
    uint8_t have[SK_NODE_MAX_CHUNKS / 8];
    uint8_t out[SK_PROTO_OUT_MAX];
    sk_node_stats_t stats;
    uint32_t state_entries[SK_ST_COUNT];  /* how often each state was entered (tests) */
} sk_node_t;

void sk_node_init(sk_node_t *n, const sk_node_cfg_t *cfg, uint64_t now_us);
/* One received message; the reply (if any) is encoded into reply[0..cap). Returns the
 * reply length, 0 when there is none. */
int sk_node_handle(sk_node_t *n, const uint8_t *msg, size_t len, uint64_t now_us, uint8_t *reply,
                   size_t cap);
/* Timeouts; returns 1 when the state changed. */
int sk_node_poll(sk_node_t *n, uint64_t now_us);
/* Encodes an unsolicited advertisement (tid 0, fresh nonce). */
int sk_node_advert(sk_node_t *n, uint64_t now_us, uint8_t *buf, size_t cap);
void sk_node_count_bad_frame(sk_node_t *n);
const char *sk_node_state_str(sk_node_state_t s);

#endif
