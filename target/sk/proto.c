/* Serverkernel protocol encoder/decoder, see proto.h and docs/protocol.md. A cursor with a
 * sticky error flag keeps every access bounds-checked. */
#include "sk/proto.h"
#include "sk/loader.h"
#include "lib/kstring.h"

typedef struct sk_cur {
    uint8_t *w;          /* encode */
    const uint8_t *r;    /* decode */
    size_t pos, cap;
    int bad;
} sk_cur_t;

static uint8_t *sk_put(sk_cur_t *c, size_t n)
{
    if (c->bad || c->cap - c->pos < n) {
        c->bad = 1;
        return 0;
    }
    uint8_t *p = c->w + c->pos;
    c->pos += n;
    return p;
}
static void sk_put8(sk_cur_t *c, uint8_t v)
{
    uint8_t *p = sk_put(c, 1);
    if (p)
        p[0] = v;
}
static void sk_put16(sk_cur_t *c, uint16_t v)
{
    uint8_t *p = sk_put(c, 2);
    if (p)
        sk_wr16(p, v);
}
static void sk_put32(sk_cur_t *c, uint32_t v)
{
    uint8_t *p = sk_put(c, 4);
    if (p)
        sk_wr32(p, v);
}
static void sk_putn(sk_cur_t *c, const void *d, size_t n)
{
    uint8_t *p = sk_put(c, n);
    if (p && n)
        memcpy(p, d, n);
}
/* A fixed-width text field, NUL padded. */
static void sk_putstr(sk_cur_t *c, const char *s, size_t width)
{
    uint8_t *p = sk_put(c, width);
    if (!p)
        return;
    size_t i = 0;
    for (; i < width && s[i]; i++)
        p[i] = (uint8_t)s[i];
    for (; i < width; i++)
        p[i] = 0;
}

static const uint8_t *sk_get(sk_cur_t *c, size_t n)
{
    if (c->bad || c->cap - c->pos < n) {
        c->bad = 1;
        return 0;
    }
    const uint8_t *p = c->r + c->pos;
    c->pos += n;
    return p;
}
static uint8_t sk_get8(sk_cur_t *c)
{
    const uint8_t *p = sk_get(c, 1);
    return p ? p[0] : 0;
}
static uint16_t sk_get16(sk_cur_t *c)
{
    const uint8_t *p = sk_get(c, 2);
    return p ? sk_rd16(p) : 0;
}
static uint32_t sk_get32(sk_cur_t *c)
{
    const uint8_t *p = sk_get(c, 4);
    return p ? sk_rd32(p) : 0;
}
static void sk_getn(sk_cur_t *c, void *d, size_t n)
{
    const uint8_t *p = sk_get(c, n);
    if (p)
        memcpy(d, p, n);
    else
        memset(d, 0, n);
}
static void sk_getstr(sk_cur_t *c, char *out, size_t width)
{
    const uint8_t *p = sk_get(c, width);
    size_t i = 0;
    for (; p && i < width && p[i]; i++)
        out[i] = (p[i] >= 0x20 && p[i] < 0x7F) ? (char)p[i] : '?';
    out[i] = '\0';
}

static void sk_enc_advert(sk_cur_t *c, const sk_advert_t *a)
{
    sk_put32(c, a->node_id);
    sk_putstr(c, a->board, SK_PROTO_BOARD_LEN);
    sk_put32(c, a->cpu_hz);
    sk_put32(c, a->free_mem);
    sk_put16(c, a->fmt_version);
    sk_put16(c, a->abi_version);
    sk_put32(c, a->budget_us);
    sk_put32(c, a->max_payload);
    sk_put8(c, a->flags);
    sk_put8(c, a->state);
    sk_putn(c, a->nonce, SK_PROTO_NONCE_LEN);
}

static void sk_dec_advert(sk_cur_t *c, sk_advert_t *a)
{
    a->node_id = sk_get32(c);
    sk_getstr(c, a->board, SK_PROTO_BOARD_LEN);
    a->cpu_hz = sk_get32(c);
    a->free_mem = sk_get32(c);
    a->fmt_version = sk_get16(c);
    a->abi_version = sk_get16(c);
    a->budget_us = sk_get32(c);
    a->max_payload = sk_get32(c);
    a->flags = sk_get8(c);
    a->state = sk_get8(c);
    sk_getn(c, a->nonce, SK_PROTO_NONCE_LEN);
}

int sk_proto_encode(const sk_msg_t *m, uint8_t *buf, size_t cap)
{
    sk_cur_t c = {.w = buf, .cap = cap};
    sk_put8(&c, SK_PROTO_VERSION);
    sk_put8(&c, m->type);
    sk_put16(&c, m->tid);
    switch (m->type) {
    case SK_MSG_DISCOVER:
    case SK_MSG_INFO_REQ:
        break;
    case SK_MSG_ADVERT:
        sk_enc_advert(&c, &m->u.adv);
        break;
    case SK_MSG_INFO:
        sk_enc_advert(&c, &m->u.info.adv);
        sk_put32(&c, m->u.info.uptime_ms);
        sk_put32(&c, m->u.info.runs);
        sk_put32(&c, m->u.info.run_faults);
        sk_put32(&c, m->u.info.frames_bad);
        sk_put32(&c, m->u.info.uploads_aborted);
        sk_put32(&c, m->u.info.loads_rejected);
        sk_putstr(&c, m->u.info.fw_version, SK_PROTO_FWVER_LEN);
        break;
    case SK_MSG_ATTEST_REQ:
        sk_putn(&c, m->u.challenge, SK_PROTO_CHALLENGE_LEN);
        break;
    case SK_MSG_ATTEST:
        sk_put32(&c, m->u.attest.image_len);
        sk_putn(&c, m->u.attest.fw_sha256, 32);
        sk_putn(&c, m->u.attest.mac, 32);
        break;
    case SK_MSG_UPLOAD_BEGIN:
        sk_put32(&c, m->u.begin.total_len);
        sk_put16(&c, m->u.begin.chunk_size);
        break;
    case SK_MSG_UPLOAD_CHUNK:
        if (m->u.chunk.len > SK_PROTO_CHUNK_MAX)
            return SK_E_MALFORMED;
        sk_put16(&c, m->u.chunk.seq);
        sk_putn(&c, m->u.chunk.data, m->u.chunk.len);
        break;
    case SK_MSG_ACK:
        sk_put16(&c, (uint16_t)m->u.ack.status);
        sk_put16(&c, m->u.ack.seq);
        sk_put16(&c, m->u.ack.chunks_done);
        sk_put16(&c, m->u.ack.first_missing);
        break;
    case SK_MSG_EXEC:
        if (m->u.exec.arg_len > SK_PROTO_ARG_MAX)
            return SK_E_MALFORMED;
        sk_put8(&c, m->u.exec.flags);
        sk_put32(&c, m->u.exec.budget_us);
        sk_put16(&c, m->u.exec.out_cap);
        sk_putn(&c, m->u.exec.arg, m->u.exec.arg_len);
        break;
    case SK_MSG_RESULT:
        if (m->u.result.out_len > SK_PROTO_OUT_MAX)
            return SK_E_MALFORMED;
        sk_put16(&c, (uint16_t)m->u.result.status);
        sk_put8(&c, m->u.result.run_status);
        sk_put8(&c, m->u.result.out_truncated);
        sk_put32(&c, (uint32_t)m->u.result.retval);
        sk_put32(&c, (uint32_t)m->u.result.cycles);
        sk_put32(&c, (uint32_t)(m->u.result.cycles >> 32));
        sk_put32(&c, m->u.result.us);
        sk_put32(&c, m->u.result.fault_addr);
        sk_put32(&c, m->u.result.fault_pc);
        sk_putn(&c, m->u.result.out, m->u.result.out_len);
        break;
    case SK_MSG_ERROR:
        sk_put16(&c, (uint16_t)m->u.error.code);
        sk_put8(&c, m->u.error.req_type);
        break;
    default:
        return SK_E_MALFORMED;
    }
    return c.bad ? SK_E_NOSPC : (int)c.pos;
}

int sk_proto_decode(const uint8_t *buf, size_t len, sk_msg_t *m)
{
    sk_cur_t c = {.r = buf, .cap = buf ? len : 0};
    memset(m, 0, sizeof *m);
    if (len < SK_PROTO_HDR || sk_get8(&c) != SK_PROTO_VERSION)
        return SK_E_MALFORMED;
    m->type = sk_get8(&c);
    m->tid = sk_get16(&c);
    size_t rest;
    switch (m->type) {
    case SK_MSG_DISCOVER:
    case SK_MSG_INFO_REQ:
        break;
    case SK_MSG_ADVERT:
        sk_dec_advert(&c, &m->u.adv);
        break;
    case SK_MSG_INFO:
        sk_dec_advert(&c, &m->u.info.adv);
        m->u.info.uptime_ms = sk_get32(&c);
        m->u.info.runs = sk_get32(&c);
        m->u.info.run_faults = sk_get32(&c);
        m->u.info.frames_bad = sk_get32(&c);
        m->u.info.uploads_aborted = sk_get32(&c);
        m->u.info.loads_rejected = sk_get32(&c);
        sk_getstr(&c, m->u.info.fw_version, SK_PROTO_FWVER_LEN);
        break;
    case SK_MSG_ATTEST_REQ:
        sk_getn(&c, m->u.challenge, SK_PROTO_CHALLENGE_LEN);
        break;
    case SK_MSG_ATTEST:
        m->u.attest.image_len = sk_get32(&c);
        sk_getn(&c, m->u.attest.fw_sha256, 32);
        sk_getn(&c, m->u.attest.mac, 32);
        break;
    case SK_MSG_UPLOAD_BEGIN:
        m->u.begin.total_len = sk_get32(&c);
        m->u.begin.chunk_size = sk_get16(&c);
        break;
    case SK_MSG_UPLOAD_CHUNK:
        m->u.chunk.seq = sk_get16(&c);
        rest = c.bad ? 0 : len - c.pos;
        if (rest > SK_PROTO_CHUNK_MAX)
            return SK_E_MALFORMED;
        m->u.chunk.len = (uint16_t)rest;
        m->u.chunk.data = sk_get(&c, rest);
        break;
    case SK_MSG_ACK:
        m->u.ack.status = (int16_t)sk_get16(&c);
        m->u.ack.seq = sk_get16(&c);
        m->u.ack.chunks_done = sk_get16(&c);
        m->u.ack.first_missing = sk_get16(&c);
        break;
    case SK_MSG_EXEC:
        m->u.exec.flags = sk_get8(&c);
        m->u.exec.budget_us = sk_get32(&c);
        m->u.exec.out_cap = sk_get16(&c);
        rest = c.bad ? 0 : len - c.pos;
        if (rest > SK_PROTO_ARG_MAX)
            return SK_E_MALFORMED;
        m->u.exec.arg_len = (uint16_t)rest;
        m->u.exec.arg = sk_get(&c, rest);
        break;
    case SK_MSG_RESULT: {
        m->u.result.status = (int16_t)sk_get16(&c);
        m->u.result.run_status = sk_get8(&c);
        m->u.result.out_truncated = sk_get8(&c);
        m->u.result.retval = (int32_t)sk_get32(&c);
        uint64_t lo = sk_get32(&c);
        m->u.result.cycles = lo | (uint64_t)sk_get32(&c) << 32;
        m->u.result.us = sk_get32(&c);
        m->u.result.fault_addr = sk_get32(&c);
        m->u.result.fault_pc = sk_get32(&c);
        rest = c.bad ? 0 : len - c.pos;
        if (rest > SK_PROTO_OUT_MAX)
            return SK_E_MALFORMED;
        m->u.result.out_len = (uint16_t)rest;
        m->u.result.out = sk_get(&c, rest);
        break;
    }
    case SK_MSG_ERROR:
        m->u.error.code = (int16_t)sk_get16(&c);
        m->u.error.req_type = sk_get8(&c);
        break;
    default:
        return SK_E_UNKNOWN;
    }
    if (c.bad || c.pos != len)
        return SK_E_MALFORMED; /* truncated, or trailing bytes */
    return SK_E_OK;
}

const char *sk_proto_err_str(int code)
{
    switch (code) {
    case SK_E_OK: return "ok";
    case SK_E_MALFORMED: return "malformed";
    case SK_E_UNKNOWN: return "unknown-type";
    case SK_E_STATE: return "bad-state";
    case SK_E_TOO_BIG: return "too-big";
    case SK_E_SEQ: return "bad-sequence";
    case SK_E_INCOMPLETE: return "upload-incomplete";
    case SK_E_TIMEOUT: return "timeout";
    case SK_E_NOSPC: return "no-space";
    case SK_E_RUN: return "run-refused";
    default: return sk_load_err_str(code);
    }
}

const char *sk_msg_type_str(uint8_t type)
{
    switch (type) {
    case SK_MSG_DISCOVER: return "discover";
    case SK_MSG_ADVERT: return "advert";
    case SK_MSG_INFO_REQ: return "info-req";
    case SK_MSG_INFO: return "info";
    case SK_MSG_ATTEST_REQ: return "attest-req";
    case SK_MSG_ATTEST: return "attest";
    case SK_MSG_UPLOAD_BEGIN: return "upload-begin";
    case SK_MSG_UPLOAD_CHUNK: return "upload-chunk";
    case SK_MSG_ACK: return "ack";
    case SK_MSG_EXEC: return "exec";
    case SK_MSG_RESULT: return "result";
    case SK_MSG_ERROR: return "error";
    default: return "unknown";
    }
}
