/* MD5 offload through the serverkernel protocol, see offload.h. */
#include "offload.h"
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "console.h"
#include "proc.h"
#include "sk/link.h"
#include "sk/proto.h"

#define OFF_CHUNK SK_PROTO_CHUNK_MAX
#define OFF_ROUND_S 2.0 /* upload: resend the unacknowledged part after this long without an answer */
#define OFF_FILE_MAX (4u << 20)

static struct {
    sk_link_rx_t rx;
    uint16_t tid;
    uint32_t total, nchunks;
    int staged;
    uint8_t msg[SK_PROTO_MSG_MAX];
} off;

static int write_all(sk_target_t *t, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(t->wfd, p, n);
        if (w < 0 && errno == EINTR && !proc_interrupted) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Appends one framed message to out (cap bytes); returns the new length or -1. */
static long frame(const sk_msg_t *m, uint8_t *out, size_t used, size_t cap)
{
    uint8_t raw[SK_PROTO_MSG_MAX];
    int n = sk_proto_encode(m, raw, sizeof raw);
    if (n < 0 || cap - used < SK_LINK_ENC_MAX) return -1;
    int k = sk_link_encode(raw, (size_t)n, out + used, cap - used);
    return k < 0 ? -1 : (long)(used + (size_t)k);
}

/* Next protocol message from the line (console text in between is dropped; the line
 * reader's buffered bytes are consumed first). 1 message, 0 deadline, -1 EOF/interrupt. */
static int recv_msg(sk_target_t *t, double deadline, sk_msg_t *m)
{
    for (;;) {
        if (t->len) {
            /* the buffered bytes up to the end of the first complete message; the rest stays
             * buffered (one memmove per message, not per byte) */
            uint64_t now = (uint64_t)(proc_now() * 1e6);
            size_t i = 0;
            int got = 0;
            while (i < t->len && !got) {
                size_t ml = 0;
                int r = sk_link_feed(&off.rx, (uint8_t)t->buf[i++], now, off.msg, sizeof off.msg, &ml);
                got = r == SK_LINK_FRAME && sk_proto_decode(off.msg, ml, m) == SK_E_OK;
            }
            memmove(t->buf, t->buf + i, t->len - i);
            t->len -= i;
            if (got) return 1;
        }
        if (proc_interrupted || t->rfd < 0) return -1;
        double left = deadline - proc_now();
        if (left <= 0) return 0;
        struct pollfd pfd = {.fd = t->rfd, .events = POLLIN};
        int r = poll(&pfd, 1, left > 1.0 ? 1000 : (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) continue;
        ssize_t got = read(t->rfd, t->buf, sizeof t->buf);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (got <= 0) return -1;
        t->len = (size_t)got;
    }
}

int offload_upload(sk_target_t *t, const char *skp_path, double timeout_s, double *upload_us, char *err,
                   size_t errlen)
{
    FILE *f = fopen(skp_path, "rb");
    if (!f) {
        snprintf(err, errlen, "offload: cannot open payload %s: %s", skp_path, strerror(errno));
        return CON_FAIL;
    }
    uint8_t *file = malloc(OFF_FILE_MAX);
    size_t len = file ? fread(file, 1, OFF_FILE_MAX, f) : 0;
    fclose(f);
    if (!file || len == 0 || len == OFF_FILE_MAX) {
        free(file);
        snprintf(err, errlen, "offload: payload %s empty, unreadable or too large", skp_path);
        return CON_FAIL;
    }
    sk_link_rx_init(&off.rx);
    off.staged = 0;
    off.total = (uint32_t)len;
    off.nchunks = (uint32_t)((len + OFF_CHUNK - 1) / OFF_CHUNK);
    size_t cap = (size_t)(off.nchunks + 1) * SK_LINK_ENC_MAX;
    uint8_t *burst = malloc(cap);
    uint8_t *acked = calloc(off.nchunks, 1);
    int rc = CON_FAIL;
    if (!burst || !acked) {
        snprintf(err, errlen, "offload: out of memory");
        goto out;
    }
    sk_msg_t b = {.type = SK_MSG_UPLOAD_BEGIN, .tid = ++off.tid};
    b.u.begin.total_len = off.total;
    b.u.begin.chunk_size = OFF_CHUNK;
    uint16_t begin_tid = b.tid;
    long used = frame(&b, burst, 0, cap);
    for (uint32_t s = 0; s < off.nchunks && used >= 0; s++) {
        sk_msg_t c = {.type = SK_MSG_UPLOAD_CHUNK, .tid = ++off.tid};
        c.u.chunk.seq = (uint16_t)s;
        c.u.chunk.data = file + (size_t)s * OFF_CHUNK;
        c.u.chunk.len = (uint16_t)(s + 1 == off.nchunks ? len - (size_t)s * OFF_CHUNK : OFF_CHUNK);
        used = frame(&c, burst, (size_t)used, cap);
    }
    if (used < 0) {
        snprintf(err, errlen, "offload: encoding the upload failed");
        goto out;
    }
    double t0 = proc_now(), deadline = t0 + timeout_s;
    if (t->trace) fprintf(t->trace, "%12.6f > [upload %s: %zu bytes, %u chunks]\n", t0 - t->t0, skp_path, len,
                          off.nchunks);
    if (write_all(t, burst, (size_t)used)) {
        snprintf(err, errlen, "offload: writing the upload failed");
        goto out;
    }
    /* A frame can be lost (e.g. the node's console RX ring overflowing while it verifies):
     * after OFF_ROUND_S without an answer the unacknowledged part is sent again (the whole
     * upload while BEGIN is unanswered: a repeated BEGIN restarts it on the node; else the
     * missing chunks, whose duplicates the node acknowledges again), up to the deadline. */
    uint32_t nacked = 0, rounds = 0;
    int begin_ok = 0;
    double round_end = proc_now() + OFF_ROUND_S;
    while (!begin_ok || nacked < off.nchunks) {
        sk_msg_t r;
        int k = recv_msg(t, round_end < deadline ? round_end : deadline, &r);
        if (k == 0 && proc_now() < deadline) {
            rounds++;
            long u = 0;
            if (!begin_ok) {
                memset(acked, 0, off.nchunks);
                nacked = 0;
                u = (long)used; /* the whole burst as encoded (same tids: the node restarts) */
            } else {
                for (uint32_t q = 0; q < off.nchunks && u >= 0; q++) {
                    if (acked[q]) continue;
                    sk_msg_t c = {.type = SK_MSG_UPLOAD_CHUNK, .tid = ++off.tid};
                    c.u.chunk.seq = (uint16_t)q;
                    c.u.chunk.data = file + (size_t)q * OFF_CHUNK;
                    c.u.chunk.len = (uint16_t)(q + 1 == off.nchunks ? len - (size_t)q * OFF_CHUNK : OFF_CHUNK);
                    u = frame(&c, burst, (size_t)u, cap);
                }
            }
            if (t->trace) fprintf(t->trace, "%12.6f # upload round %u: resending %s (%u/%u chunks acknowledged)\n",
                                  proc_now() - t->t0, rounds, begin_ok ? "the missing chunks" : "everything",
                                  nacked, off.nchunks);
            if (u < 0 || write_all(t, burst, (size_t)u)) {
                snprintf(err, errlen, "offload: writing the upload failed");
                goto out;
            }
            round_end = proc_now() + OFF_ROUND_S;
            continue;
        }
        if (k <= 0) {
            snprintf(err, errlen, "offload: upload: %s (begin %s, %u/%u chunks acknowledged, %u resend rounds)",
                     k == 0 ? "no answer before the deadline" : "line closed", begin_ok ? "ok" : "unanswered",
                     nacked, off.nchunks, rounds);
            rc = k == 0 ? CON_FAIL : CON_INTR;
            goto out;
        }
        round_end = proc_now() + OFF_ROUND_S;
        if (r.type == SK_MSG_ERROR || (r.type == SK_MSG_ACK && r.u.ack.status != SK_E_OK)) {
            int code = r.type == SK_MSG_ERROR ? r.u.error.code : r.u.ack.status;
            snprintf(err, errlen, "offload: upload refused: %s (%d)", sk_proto_err_str(code), code);
            goto out;
        }
        if (r.type != SK_MSG_ACK) continue; /* adverts */
        if (r.tid == begin_tid) begin_ok = 1;
        else if (r.u.ack.seq < off.nchunks && !acked[r.u.ack.seq]) {
            acked[r.u.ack.seq] = 1;
            nacked++;
        }
    }
    *upload_us = (proc_now() - t0) * 1e6;
    off.staged = 1;
    rc = CON_OK;
out:
    free(file);
    free(burst);
    free(acked);
    return rc;
}

int offload_md5(sk_target_t *t, uint32_t n, const char *text, int trusted, double timeout_s, sk_sample_t *s,
                char *err, size_t errlen)
{
    char arg[SK_PROTO_ARG_MAX + 1], expect[33];
    if (!off.staged) {
        snprintf(err, errlen, "offload: no payload uploaded");
        return CON_FAIL;
    }
    int al = snprintf(arg, sizeof arg, "%u %s", n, text);
    if (al < 0 || (size_t)al > SK_PROTO_ARG_MAX) {
        snprintf(err, errlen, "offload: md5 text too long for the argument block");
        return CON_FAIL;
    }
    console_expected_md5(n, text, expect); /* before the clock starts */
    sk_msg_t e = {.type = SK_MSG_EXEC, .tid = ++off.tid};
    e.u.exec.flags = trusted ? SK_EXEC_TRUSTED : 0;
    e.u.exec.budget_us = 0; /* the node's default */
    e.u.exec.out_cap = SK_PROTO_OUT_MAX;
    e.u.exec.arg = (const uint8_t *)arg;
    e.u.exec.arg_len = (uint16_t)al;
    uint8_t buf[SK_LINK_ENC_MAX];
    long used = frame(&e, buf, 0, sizeof buf);
    if (used < 0) {
        snprintf(err, errlen, "offload: encoding EXEC failed");
        return CON_FAIL;
    }
    double t_send = proc_now(), deadline = t_send + timeout_s;
    if (t->trace) fprintf(t->trace, "%12.6f > [exec md5 %s%s]\n", t_send - t->t0, arg, trusted ? " trusted" : "");
    if (write_all(t, buf, (size_t)used)) {
        snprintf(err, errlen, "offload: writing EXEC failed");
        return CON_FAIL;
    }
    sk_msg_t r;
    for (;;) {
        int k = recv_msg(t, deadline, &r);
        if (k <= 0) {
            snprintf(err, errlen, "offload: md5 n=%u: %s", n, k == 0 ? "no result before the deadline" : "line closed");
            return k == 0 ? CON_FAIL : CON_INTR;
        }
        if (r.tid == e.tid) break;
    }
    double t_done = proc_now();
    if (t->trace) fprintf(t->trace, "%12.6f < [%s]\n", t_done - t->t0, sk_msg_type_str(r.type));
    if (r.type == SK_MSG_ERROR) {
        snprintf(err, errlen, "offload: md5 n=%u refused: %s (%d)", n, sk_proto_err_str(r.u.error.code),
                 r.u.error.code);
        return CON_FAIL;
    }
    if (r.type != SK_MSG_RESULT || r.u.result.status != SK_E_OK) {
        snprintf(err, errlen, "offload: md5 n=%u: node refused the payload (%d)", n,
                 r.type == SK_MSG_RESULT ? r.u.result.status : -1);
        return CON_FAIL;
    }
    if (r.u.result.run_status != 0) {
        snprintf(err, errlen, "offload: md5 n=%u: the payload faulted (run status %u, fault_pc 0x%x)", n,
                 r.u.result.run_status, r.u.result.fault_pc);
        return CON_WRONG;
    }
    char digest[33] = {0};
    if (r.u.result.out_len != 16) {
        snprintf(err, errlen, "WRONG ANSWER: md5 n=%u: %u output bytes, want a 16-byte digest", n,
                 r.u.result.out_len);
        return CON_WRONG;
    }
    for (int i = 0; i < 16; i++) snprintf(digest + 2 * i, 3, "%02x", r.u.result.out[i]);
    if (strcmp(digest, expect) != 0 || (uint32_t)r.u.result.retval != n) {
        snprintf(err, errlen, "WRONG ANSWER: offloaded md5 n=%u digest %s (retval %d), host computed %s", n, digest,
                 (int)r.u.result.retval, expect);
        target_note(t, "%s", err);
        return CON_WRONG;
    }
    memset(s, 0, sizeof *s);
    s->n = n;
    s->cpu_us = r.u.result.us;
    s->cycles = r.u.result.cycles;
    s->exec_us = t->simulated_time ? r.u.result.us : (t_done - t_send) * 1e6;
    s->host_wall_us = (t_done - t_send) * 1e6;
    memcpy(s->digest, digest, sizeof s->digest);
    s->ok = 1;
    return CON_OK;
}
