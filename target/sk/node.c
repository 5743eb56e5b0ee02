/* Serverkernel node protocol state machine, see node.h and docs/protocol.md. */
#include "sk/node.h"
#include "sk/loader.h"
#include "lib/kstring.h"

static void sk_node_set_state(sk_node_t *n, sk_node_state_t s)
{
    n->state = s;
    n->state_entries[s]++;
    if (n->cfg->on_state)
        n->cfg->on_state(n->cfg->ctx, s);
}

void sk_node_init(sk_node_t *n, const sk_node_cfg_t *cfg, uint64_t now_us)
{
    memset(n, 0, sizeof *n);
    n->cfg = cfg;
    n->last_rx_us = now_us;
    n->state = SK_ST_IDLE;
}

const char *sk_node_state_str(sk_node_state_t s)
{
    switch (s) {
    case SK_ST_IDLE: return "idle";
    case SK_ST_RECEIVING: return "receiving";
    case SK_ST_VERIFYING: return "verifying";
    case SK_ST_RUNNING: return "running";
    case SK_ST_REPLYING: return "replying";
    default: return "unknown";
    }
}

void sk_node_count_bad_frame(sk_node_t *n)
{
    n->stats.frames_bad++;
}

static void sk_node_fill_advert(sk_node_t *n, sk_advert_t *a)
{
    *a = n->cfg->adv;
    a->state = (uint8_t)n->state;
    if (n->cfg->nonce)
        n->cfg->nonce(n->cfg->ctx, a->nonce);
}

int sk_node_advert(sk_node_t *n, uint64_t now_us, uint8_t *buf, size_t cap)
{
    (void)now_us;
    sk_msg_t m = {.type = SK_MSG_ADVERT, .tid = 0};
    sk_node_fill_advert(n, &m.u.adv);
    return sk_proto_encode(&m, buf, cap);
}

static int sk_node_error(uint16_t tid, uint8_t req, int code, uint8_t *reply, size_t cap)
{
    sk_msg_t m = {.type = SK_MSG_ERROR, .tid = tid};
    m.u.error.code = (int16_t)code;
    m.u.error.req_type = req;
    int r = sk_proto_encode(&m, reply, cap);
    return r < 0 ? 0 : r;
}

static uint16_t sk_node_first_missing(const sk_node_t *n)
{
    for (uint32_t i = 0; i < n->nchunks; i++)
        if (!(n->have[i / 8] & (1u << (i % 8))))
            return (uint16_t)i;
    return (uint16_t)n->nchunks;
}

static int sk_node_ack(sk_node_t *n, uint16_t tid, int status, uint16_t seq, uint8_t *reply, size_t cap)
{
    sk_msg_t m = {.type = SK_MSG_ACK, .tid = tid};
    m.u.ack.status = (int16_t)status;
    m.u.ack.seq = seq;
    m.u.ack.chunks_done = (uint16_t)n->done;
    m.u.ack.first_missing = sk_node_first_missing(n);
    int r = sk_proto_encode(&m, reply, cap);
    return r < 0 ? 0 : r;
}

static int sk_node_begin(sk_node_t *n, const sk_msg_t *m, uint64_t now, uint8_t *reply, size_t cap)
{
    uint32_t total = m->u.begin.total_len, cs = m->u.begin.chunk_size;
    if (n->state != SK_ST_IDLE && n->state != SK_ST_RECEIVING) {
        n->stats.bad_state++;
        return sk_node_error(m->tid, m->type, SK_E_STATE, reply, cap);
    }
    if (cs < SK_PROTO_CHUNK_MIN || cs > SK_PROTO_CHUNK_MAX || total == 0) {
        n->stats.malformed++;
        return sk_node_error(m->tid, m->type, SK_E_MALFORMED, reply, cap);
    }
    if (total > n->cfg->stage_cap || (total + cs - 1) / cs > SK_NODE_MAX_CHUNKS) {
        n->stats.malformed++;
        return sk_node_error(m->tid, m->type, SK_E_TOO_BIG, reply, cap);
    }
    if (n->state == SK_ST_RECEIVING && n->done < n->nchunks)
        n->stats.uploads_aborted++; /* a new upload replaces an unfinished one */
    n->total = total;
    n->chunk_size = cs;
    n->nchunks = (total + cs - 1) / cs;
    n->done = 0;
    n->staged = 0;
    memset(n->have, 0, sizeof n->have);
    n->last_rx_us = now;
    n->stats.uploads++;
    sk_node_set_state(n, SK_ST_RECEIVING);
    return sk_node_ack(n, m->tid, SK_E_OK, 0xFFFFu, reply, cap);
}

static int sk_node_chunk(sk_node_t *n, const sk_msg_t *m, uint64_t now, uint8_t *reply, size_t cap)
{
    uint32_t seq = m->u.chunk.seq;
    if (n->state != SK_ST_RECEIVING) {
        n->stats.bad_state++;
        return sk_node_error(m->tid, m->type, SK_E_STATE, reply, cap);
    }
    uint32_t off = seq * n->chunk_size;
    uint32_t want = (seq + 1 == n->nchunks) ? n->total - off : n->chunk_size;
    if (seq >= n->nchunks || m->u.chunk.len != want) {
        n->stats.bad_chunks++;
        return sk_node_ack(n, m->tid, SK_E_SEQ, (uint16_t)seq, reply, cap);
    }
    n->last_rx_us = now;
    n->stats.chunks++;
    if (n->have[seq / 8] & (1u << (seq % 8))) {
        n->stats.dup_chunks++; /* retransmission of an acked chunk: the ack was lost */
    } else {
        memcpy(n->cfg->stage + off, m->u.chunk.data, want);
        n->have[seq / 8] |= (uint8_t)(1u << (seq % 8));
        if (++n->done == n->nchunks)
            n->stats.uploads_done++;
    }
    return sk_node_ack(n, m->tid, SK_E_OK, (uint16_t)seq, reply, cap);
}

static int sk_node_exec(sk_node_t *n, const sk_msg_t *m, uint8_t *reply, size_t cap)
{
    if (n->state != SK_ST_RECEIVING && !(n->state == SK_ST_IDLE && n->staged)) {
        n->stats.bad_state++;
        return sk_node_error(m->tid, m->type, SK_E_STATE, reply, cap);
    }
    if (n->state == SK_ST_RECEIVING && n->done != n->nchunks) {
        n->stats.bad_state++;
        return sk_node_error(m->tid, m->type, SK_E_INCOMPLETE, reply, cap);
    }
    sk_msg_t r = {.type = SK_MSG_RESULT, .tid = m->tid};
    sk_node_set_state(n, SK_ST_VERIFYING);
    uint32_t entry = 0;
    int rc = n->cfg->load(n->cfg->ctx, n->cfg->stage, n->total, &entry);
    if (rc) {
        n->stats.loads_rejected++;
        r.u.result.status = (int16_t)rc;
    } else {
        sk_run_req_t req = {0};
        sk_run_res_t res = {0};
        req.entry = entry;
        req.arg = m->u.exec.arg;
        req.arg_len = m->u.exec.arg_len;
        req.out = n->out;
        req.out_cap = m->u.exec.out_cap < SK_PROTO_OUT_MAX ? m->u.exec.out_cap : SK_PROTO_OUT_MAX;
        req.budget_us = m->u.exec.budget_us;
        req.trusted = (m->u.exec.flags & SK_EXEC_TRUSTED) ? 1 : 0;
        sk_node_set_state(n, SK_ST_RUNNING);
        n->stats.runs++;
        if (n->cfg->run(n->cfg->ctx, &req, &res)) {
            r.u.result.status = SK_E_RUN;
            n->stats.run_faults++;
        } else {
            if (res.status != SK_RUN_OK)
                n->stats.run_faults++;
            r.u.result.run_status = (uint8_t)res.status;
            r.u.result.retval = res.retval;
            r.u.result.cycles = res.cycles;
            r.u.result.us = res.us;
            r.u.result.fault_addr = res.fault_addr;
            r.u.result.fault_pc = res.fault_pc;
            r.u.result.out_truncated = res.out_truncated;
            r.u.result.out_len = (uint16_t)(res.out_len <= req.out_cap ? res.out_len : req.out_cap);
            r.u.result.out = n->out;
        }
    }
    sk_node_set_state(n, SK_ST_REPLYING);
    int len = sk_proto_encode(&r, reply, cap);
    /* The upload stays staged: a second EXEC reruns it (verified again). */
    n->staged = 1;
    sk_node_set_state(n, SK_ST_IDLE);
    return len < 0 ? 0 : len;
}

int sk_node_handle(sk_node_t *n, const uint8_t *msg, size_t len, uint64_t now_us, uint8_t *reply,
                   size_t cap)
{
    sk_msg_t m;
    n->stats.msgs++;
    int rc = sk_proto_decode(msg, len, &m);
    if (rc) {
        if (rc == SK_E_UNKNOWN)
            n->stats.unknown++;
        else
            n->stats.malformed++;
        uint16_t tid = len >= 4 ? sk_rd16(msg + 2) : 0;
        return sk_node_error(tid, len >= 2 ? msg[1] : 0, rc, reply, cap);
    }
    switch (m.type) {
    case SK_MSG_DISCOVER: {
        sk_msg_t r = {.type = SK_MSG_ADVERT, .tid = m.tid};
        sk_node_fill_advert(n, &r.u.adv);
        int l = sk_proto_encode(&r, reply, cap);
        return l < 0 ? 0 : l;
    }
    case SK_MSG_INFO_REQ: {
        sk_msg_t r = {.type = SK_MSG_INFO, .tid = m.tid};
        sk_node_fill_advert(n, &r.u.info.adv);
        r.u.info.uptime_ms = (uint32_t)(now_us / 1000u);
        r.u.info.runs = n->stats.runs;
        r.u.info.run_faults = n->stats.run_faults;
        r.u.info.frames_bad = n->stats.frames_bad + n->stats.malformed;
        r.u.info.uploads_aborted = n->stats.uploads_aborted;
        r.u.info.loads_rejected = n->stats.loads_rejected;
        const char *v = n->cfg->fw_version ? n->cfg->fw_version : "";
        size_t i = 0;
        for (; i < SK_PROTO_FWVER_LEN && v[i]; i++)
            r.u.info.fw_version[i] = v[i];
        r.u.info.fw_version[i] = '\0';
        int l = sk_proto_encode(&r, reply, cap);
        return l < 0 ? 0 : l;
    }
    case SK_MSG_ATTEST_REQ: {
        sk_msg_t r = {.type = SK_MSG_ATTEST, .tid = m.tid};
        if (!n->cfg->attest)
            return sk_node_error(m.tid, m.type, SK_E_UNKNOWN, reply, cap);
        n->cfg->attest(n->cfg->ctx, m.u.challenge, &r.u.attest);
        int l = sk_proto_encode(&r, reply, cap);
        return l < 0 ? 0 : l;
    }
    case SK_MSG_UPLOAD_BEGIN:
        return sk_node_begin(n, &m, now_us, reply, cap);
    case SK_MSG_UPLOAD_CHUNK:
        return sk_node_chunk(n, &m, now_us, reply, cap);
    case SK_MSG_EXEC:
        return sk_node_exec(n, &m, reply, cap);
    default: /* a node-to-client type sent to the node */
        n->stats.unknown++;
        return sk_node_error(m.tid, m.type, SK_E_UNKNOWN, reply, cap);
    }
}

int sk_node_poll(sk_node_t *n, uint64_t now_us)
{
    if (n->state == SK_ST_RECEIVING && now_us - n->last_rx_us > n->cfg->rx_timeout_us) {
        if (n->done < n->nchunks) {
            n->stats.uploads_aborted++;
            n->staged = 0;
        } else {
            n->staged = 1; /* complete but never executed: EXEC may still run it */
        }
        sk_node_set_state(n, SK_ST_IDLE);
        return 1;
    }
    return 0;
}
