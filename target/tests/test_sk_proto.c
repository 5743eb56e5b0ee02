/* sk_proto_*: message encode/decode round trips and fuzzing (truncated, garbage, trailing
 * bytes); serial framing (COBS + CRC, coexistence with console text, gaps, corruption);
 * the node state machine: discovery, upload with lost / duplicated / reordered chunks,
 * EXEC before completion, receive timeout, loader refusal and run results. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sk/proto.h"
#include "sk/link.h"
#include "sk/node.h"
#include "sk/loader.h"

/* ---- encode/decode ----------------------------------------------------------------- */
static void test_roundtrip_every_type(void **state)
{
    (void)state;
    uint8_t buf[SK_PROTO_MSG_MAX], data[100];
    for (int i = 0; i < 100; i++)
        data[i] = (uint8_t)i;
    sk_msg_t m[12];
    memset(m, 0, sizeof m);
    m[0].type = SK_MSG_DISCOVER;
    m[1].type = SK_MSG_ADVERT;
    m[1].u.adv.node_id = 0xA1B2C3D4;
    strcpy(m[1].u.adv.board, "pi0");
    m[1].u.adv.cpu_hz = 1000000000;
    m[1].u.adv.free_mem = 1u << 20;
    m[1].u.adv.flags = SK_ADV_AUTH_REQUIRED;
    m[1].u.adv.nonce[15] = 0x77;
    m[2].type = SK_MSG_INFO;
    m[2].u.info.runs = 5;
    strcpy(m[2].u.info.fw_version, "0.1.0");
    m[3].type = SK_MSG_ATTEST_REQ;
    m[3].u.challenge[31] = 9;
    m[4].type = SK_MSG_ATTEST;
    m[4].u.attest.image_len = 12345;
    m[4].u.attest.mac[0] = 1;
    m[5].type = SK_MSG_UPLOAD_BEGIN;
    m[5].u.begin.total_len = 3000;
    m[5].u.begin.chunk_size = 512;
    m[6].type = SK_MSG_UPLOAD_CHUNK;
    m[6].u.chunk.seq = 3;
    m[6].u.chunk.len = 100;
    m[6].u.chunk.data = data;
    m[7].type = SK_MSG_ACK;
    m[7].u.ack.status = SK_E_SEQ;
    m[7].u.ack.first_missing = 2;
    m[8].type = SK_MSG_EXEC;
    m[8].u.exec.flags = SK_EXEC_TRUSTED;
    m[8].u.exec.arg_len = 7;
    m[8].u.exec.arg = data;
    m[9].type = SK_MSG_RESULT;
    m[9].u.result.status = 0;
    m[9].u.result.retval = -5;
    m[9].u.result.cycles = 0x123456789ull;
    m[9].u.result.out_len = 16;
    m[9].u.result.out = data;
    m[10].type = SK_MSG_ERROR;
    m[10].u.error.code = SK_E_STATE;
    m[10].u.error.req_type = SK_MSG_EXEC;
    m[11].type = SK_MSG_INFO_REQ;
    for (int i = 0; i < 12; i++) {
        m[i].tid = (uint16_t)(100 + i);
        int n = sk_proto_encode(&m[i], buf, sizeof buf);
        assert_true(n >= (int)SK_PROTO_HDR);
        sk_msg_t d;
        assert_int_equal(sk_proto_decode(buf, (size_t)n, &d), SK_E_OK);
        assert_int_equal(d.type, m[i].type);
        assert_int_equal(d.tid, 100 + i);
        /* every truncation (of the fixed part, for the types ending in variable data) and
         * one trailing byte are refused */
        int var = m[i].type == SK_MSG_UPLOAD_CHUNK ? m[i].u.chunk.len
                  : m[i].type == SK_MSG_EXEC       ? m[i].u.exec.arg_len
                  : m[i].type == SK_MSG_RESULT     ? m[i].u.result.out_len : 0;
        for (int k = 0; k < n - var; k++)
            assert_int_not_equal(sk_proto_decode(buf, (size_t)k, &d), SK_E_OK);
        if (m[i].type != SK_MSG_UPLOAD_CHUNK && m[i].type != SK_MSG_EXEC && m[i].type != SK_MSG_RESULT)
            assert_int_equal(sk_proto_decode(buf, (size_t)n + 1, &d), SK_E_MALFORMED);
        /* a buffer one byte short is refused by the encoder */
        assert_int_equal(sk_proto_encode(&m[i], buf, (size_t)n - 1), SK_E_NOSPC);
    }
    sk_msg_t d;
    int n = sk_proto_encode(&m[1], buf, sizeof buf);
    sk_proto_decode(buf, (size_t)n, &d);
    assert_string_equal(d.u.adv.board, "pi0");
    assert_int_equal(d.u.adv.node_id, 0xA1B2C3D4);
    assert_int_equal(d.u.adv.nonce[15], 0x77);
    n = sk_proto_encode(&m[9], buf, sizeof buf);
    sk_proto_decode(buf, (size_t)n, &d);
    assert_int_equal(d.u.result.retval, -5);
    assert_int_equal(d.u.result.cycles, 0x123456789ull);
    assert_memory_equal(d.u.result.out, data, 16);
    /* unknown type and version */
    buf[1] = 0x55;
    assert_int_equal(sk_proto_decode(buf, (size_t)n, &d), SK_E_UNKNOWN);
    buf[0] = 2;
    assert_int_equal(sk_proto_decode(buf, (size_t)n, &d), SK_E_MALFORMED);
}

static void test_garbage_decode(void **state)
{
    (void)state;
    uint8_t buf[1200];
    sk_msg_t d;
    srand(3);
    for (int r = 0; r < 20000; r++) {
        size_t n = (size_t)rand() % sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)rand();
        if (n > 2 && r % 2) {
            buf[0] = SK_PROTO_VERSION;
            buf[1] = (uint8_t)(rand() % 2 ? rand() % 0x16 : 0x7F);
        }
        int rc = sk_proto_decode(buf, n, &d);
        assert_true(rc == SK_E_OK || rc == SK_E_MALFORMED || rc == SK_E_UNKNOWN);
    }
}

/* ---- framing ----------------------------------------------------------------------- */
static void test_link_frames_and_text(void **state)
{
    (void)state;
    sk_link_rx_t rx;
    sk_link_rx_init(&rx);
    uint8_t msg[SK_PROTO_MSG_MAX], out[SK_LINK_ENC_MAX], m[64];
    for (int i = 0; i < 64; i++)
        m[i] = (uint8_t)(i % 3 ? i : 0);
    int n = sk_link_encode(m, sizeof m, out, sizeof out);
    assert_true(n > 66);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[n - 1], 0);
    assert_null(memchr(out + 1, 0, (size_t)n - 2));
    /* console text, then a frame, then text again */
    const char *txt = "md5 1 x\r\n";
    size_t ml = 0;
    uint64_t t = 1000;
    for (const char *p = txt; *p; p++)
        assert_int_equal(sk_link_feed(&rx, (uint8_t)*p, t, msg, sizeof msg, &ml), SK_LINK_TEXT);
    for (int i = 0; i < n - 1; i++)
        assert_int_equal(sk_link_feed(&rx, out[i], t, msg, sizeof msg, &ml), SK_LINK_CONSUMED);
    assert_int_equal(sk_link_feed(&rx, out[n - 1], t, msg, sizeof msg, &ml), SK_LINK_FRAME);
    assert_int_equal(ml, sizeof m);
    assert_memory_equal(msg, m, sizeof m);
    assert_int_equal(sk_link_feed(&rx, 'x', t, msg, sizeof msg, &ml), SK_LINK_TEXT);
    /* back to back frames share nothing: 00 X 00 00 Y 00 */
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < n; i++)
            sk_link_feed(&rx, out[i], t, msg, sizeof msg, &ml);
    assert_int_equal(rx.stats.frames, 3);
    /* one corrupted byte: CRC (or COBS) error, counted, then the next frame is fine */
    out[10] ^= 0x40;
    if (out[10] == 0)
        out[10] = 1;
    int last = SK_LINK_CONSUMED;
    for (int i = 0; i < n; i++)
        last = sk_link_feed(&rx, out[i], t, msg, sizeof msg, &ml);
    assert_int_equal(last, SK_LINK_BAD);
    assert_int_equal(rx.stats.crc_errors + rx.stats.cobs_errors, 1);
    out[10] ^= 0x40;
    n = sk_link_encode(m, sizeof m, out, sizeof out);
    /* a gap inside a frame drops it; the line returns to text mode */
    for (int i = 0; i < 10; i++)
        sk_link_feed(&rx, out[i], t, msg, sizeof msg, &ml);
    assert_int_equal(sk_link_poll(&rx, t + SK_LINK_GAP_US + 1), 1);
    assert_int_equal(rx.stats.gaps, 1);
    assert_int_equal(sk_link_feed(&rx, 'h', t + SK_LINK_GAP_US + 2, msg, sizeof msg, &ml), SK_LINK_TEXT);
    /* overlong frame: dropped, counted */
    sk_link_feed(&rx, 0, t, msg, sizeof msg, &ml);
    for (size_t i = 0; i < SK_LINK_ENC_MAX + 10; i++)
        sk_link_feed(&rx, 0x11, t, msg, sizeof msg, &ml);
    assert_int_equal(sk_link_feed(&rx, 0, t, msg, sizeof msg, &ml), SK_LINK_BAD);
    assert_int_equal(rx.stats.overflows, 1);
    /* random bytes never produce a frame with a wrong CRC, never crash */
    srand(5);
    for (int i = 0; i < 200000; i++) {
        int r = sk_link_feed(&rx, (uint8_t)(rand() % 8 ? rand() : 0), t, msg, sizeof msg, &ml);
        assert_true(r >= SK_LINK_TEXT && r <= SK_LINK_BAD);
    }
}

/* ---- node state machine -------------------------------------------------------------- */
static uint8_t stage[8192];
static sk_node_t node;
static int fake_load_rc;
static unsigned loads, runs_called;
static sk_run_req_t last_req;
static uint32_t loaded_len;
static sk_node_state_t seen[32];
static unsigned nseen;

static int fake_load(void *ctx, const uint8_t *f, uint32_t len, uint32_t *entry)
{
    (void)ctx;
    (void)f;
    loads++;
    loaded_len = len;
    /* the node only verifies/loads a complete upload */
    assert_true(node.nchunks > 0 && node.done == node.nchunks && len == node.total);
    *entry = 0x400010;
    return fake_load_rc;
}
static int fake_run(void *ctx, const sk_run_req_t *req, sk_run_res_t *res)
{
    (void)ctx;
    runs_called++;
    last_req = *req;
    memset(res, 0, sizeof *res);
    /* output = the staged file's first bytes xor arg: proves the right bytes arrived */
    uint32_t n = req->out_cap < 8 ? req->out_cap : 8;
    for (uint32_t i = 0; i < n; i++)
        req->out[i] = stage[i];
    res->out_len = n;
    res->retval = (int32_t)req->arg_len;
    res->cycles = 1234;
    res->us = 2;
    res->status = req->arg_len == 3 ? SK_RUN_ABORT : SK_RUN_OK;
    return 0;
}
static void fake_nonce(void *ctx, uint8_t out[16])
{
    static uint8_t c;
    (void)ctx;
    memset(out, ++c, 16);
}
static void on_state(void *ctx, sk_node_state_t s)
{
    (void)ctx;
    if (nseen < 32)
        seen[nseen++] = s;
}

static const sk_node_cfg_t node_cfg = {
    .stage = stage, .stage_cap = sizeof stage, .rx_timeout_us = 5000000,
    .adv = {.node_id = 7, .board = "sim", .fmt_version = 1, .abi_version = 1, .flags = SK_ADV_AUTH_REQUIRED},
    .fw_version = "test", .load = fake_load, .run = fake_run, .nonce = fake_nonce, .on_state = on_state,
};

static uint8_t file[3000];

static int node_setup(void **state)
{
    (void)state;
    sk_node_init(&node, &node_cfg, 0);
    memset(stage, 0, sizeof stage);
    for (unsigned i = 0; i < sizeof file; i++)
        file[i] = (uint8_t)(i * 13 + 1);
    fake_load_rc = 0;
    loads = runs_called = nseen = 0;
    return 0;
}

/* Sends one message, decodes the reply into *r (type 0 when none). */
static void xfer(const sk_msg_t *m, uint64_t now, sk_msg_t *r)
{
    static uint8_t q[SK_PROTO_MSG_MAX];
    static uint8_t a[SK_PROTO_MSG_MAX + 64];
    int n = sk_proto_encode(m, q, sizeof q);
    assert_true(n > 0);
    int rl = sk_node_handle(&node, q, (size_t)n, now, a, sizeof a);
    memset(r, 0, sizeof *r);
    if (rl > 0)
        assert_int_equal(sk_proto_decode(a, (size_t)rl, r), SK_E_OK);
}

static void begin(uint32_t total, uint16_t cs, uint64_t now, sk_msg_t *r)
{
    sk_msg_t m = {.type = SK_MSG_UPLOAD_BEGIN, .tid = 1};
    m.u.begin.total_len = total;
    m.u.begin.chunk_size = cs;
    xfer(&m, now, r);
}

static void chunk(uint16_t seq, uint16_t cs, uint64_t now, sk_msg_t *r)
{
    sk_msg_t m = {.type = SK_MSG_UPLOAD_CHUNK, .tid = (uint16_t)(10 + seq)};
    uint32_t off = (uint32_t)seq * cs;
    m.u.chunk.seq = seq;
    m.u.chunk.len = (uint16_t)(off + cs > sizeof file ? sizeof file - off : cs);
    m.u.chunk.data = file + off;
    xfer(&m, now, r);
}

static void exec_msg(uint16_t arg_len, uint64_t now, sk_msg_t *r)
{
    static const uint8_t arg[16] = "argument-block!";
    sk_msg_t m = {.type = SK_MSG_EXEC, .tid = 99};
    m.u.exec.arg = arg;
    m.u.exec.arg_len = arg_len;
    m.u.exec.out_cap = 64;
    xfer(&m, now, r);
}

static void test_node_discover_info(void **state)
{
    (void)state;
    sk_msg_t m = {.type = SK_MSG_DISCOVER, .tid = 42}, r;
    xfer(&m, 1000, &r);
    assert_int_equal(r.type, SK_MSG_ADVERT);
    assert_int_equal(r.tid, 42);
    assert_int_equal(r.u.adv.node_id, 7);
    assert_int_equal(r.u.adv.flags & SK_ADV_AUTH_REQUIRED, SK_ADV_AUTH_REQUIRED);
    uint8_t n1 = r.u.adv.nonce[0];
    xfer(&m, 2000, &r);
    assert_int_not_equal(r.u.adv.nonce[0], n1); /* fresh nonce per advert */
    uint8_t buf[256];
    int l = sk_node_advert(&node, 3000, buf, sizeof buf);
    assert_int_equal(sk_proto_decode(buf, (size_t)l, &r), SK_E_OK);
    assert_int_equal(r.tid, 0);
    m.type = SK_MSG_INFO_REQ;
    xfer(&m, 5000000, &r);
    assert_int_equal(r.type, SK_MSG_INFO);
    assert_int_equal(r.u.info.uptime_ms, 5000);
    assert_string_equal(r.u.info.fw_version, "test");
    /* a node-to-client type is refused with an error code */
    m.type = SK_MSG_RESULT;
    xfer(&m, 0, &r);
    assert_int_equal(r.type, SK_MSG_ERROR);
    assert_int_equal(r.u.error.code, SK_E_UNKNOWN);
    /* garbage gets an error reply, counted */
    uint8_t g[3] = {9, 9, 9}, a[64];
    int rl = sk_node_handle(&node, g, 3, 0, a, sizeof a);
    assert_true(rl > 0);
    assert_int_equal(node.stats.malformed, 1);
}

static void test_node_upload_in_order_and_exec(void **state)
{
    (void)state;
    sk_msg_t r;
    begin(sizeof file, 512, 0, &r);
    assert_int_equal(r.type, SK_MSG_ACK);
    assert_int_equal(node.state, SK_ST_RECEIVING);
    for (uint16_t s = 0; s < 6; s++) {
        chunk(s, 512, 100 + s, &r);
        assert_int_equal(r.u.ack.status, SK_E_OK);
        assert_int_equal(r.u.ack.seq, s);
        assert_int_equal(r.u.ack.chunks_done, s + 1);
    }
    assert_memory_equal(stage, file, sizeof file);
    exec_msg(5, 1000, &r);
    assert_int_equal(r.type, SK_MSG_RESULT);
    assert_int_equal(r.tid, 99);
    assert_int_equal(r.u.result.status, 0);
    assert_int_equal(r.u.result.retval, 5);
    assert_int_equal(r.u.result.cycles, 1234);
    assert_int_equal(r.u.result.out_len, 8);
    assert_memory_equal(r.u.result.out, file, 8);
    assert_int_equal(loaded_len, sizeof file);
    assert_int_equal(last_req.entry, 0x400010);
    assert_int_equal(last_req.arg_len, 5);
    assert_int_equal(node.state, SK_ST_IDLE);
    /* states in order: receiving, verifying, running, replying, idle */
    sk_node_state_t want[] = {SK_ST_RECEIVING, SK_ST_VERIFYING, SK_ST_RUNNING, SK_ST_REPLYING, SK_ST_IDLE};
    assert_int_equal(nseen, 5);
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(seen[i], want[i]);
    /* staged: a second EXEC reruns without upload; a fault is reported, node stays up */
    exec_msg(3, 2000, &r);
    assert_int_equal(r.u.result.run_status, SK_RUN_ABORT);
    assert_int_equal(node.stats.runs, 2);
    assert_int_equal(node.stats.run_faults, 1);
    assert_int_equal(node.state, SK_ST_IDLE);
}

static void test_node_lost_duplicated_reordered_chunks(void **state)
{
    (void)state;
    sk_msg_t r;
    begin(sizeof file, 256, 0, &r); /* 12 chunks */
    uint16_t order[] = {5, 0, 11, 3, 3, 1, 7, 2, 9, 0, 4, 6, 10}; /* 8 lost, 3 and 0 twice */
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        chunk(order[i], 256, 10 + i, &r);
    assert_int_equal(node.stats.dup_chunks, 2);
    assert_int_equal(r.u.ack.chunks_done, 11);
    assert_int_equal(r.u.ack.first_missing, 8);
    exec_msg(1, 100, &r);
    assert_int_equal(r.type, SK_MSG_ERROR);
    assert_int_equal(r.u.error.code, SK_E_INCOMPLETE);
    assert_int_equal(runs_called, 0);
    chunk(8, 256, 200, &r); /* the retransmission of the lost one */
    assert_int_equal(r.u.ack.chunks_done, 12);
    assert_int_equal(r.u.ack.first_missing, 12);
    assert_memory_equal(stage, file, sizeof file);
    exec_msg(1, 300, &r);
    assert_int_equal(r.type, SK_MSG_RESULT);
    assert_int_equal(runs_called, 1);
    /* wrong chunk length and out-of-range seq: refused in the ack, nothing stored */
    begin(sizeof file, 256, 400, &r);
    sk_msg_t m = {.type = SK_MSG_UPLOAD_CHUNK};
    m.u.chunk.seq = 0;
    m.u.chunk.len = 100;
    m.u.chunk.data = file;
    xfer(&m, 401, &r);
    assert_int_equal(r.u.ack.status, SK_E_SEQ);
    m.u.chunk.seq = 12;
    xfer(&m, 402, &r);
    assert_int_equal(r.u.ack.status, SK_E_SEQ);
    assert_int_equal(node.stats.bad_chunks, 2);
    assert_int_equal(r.u.ack.chunks_done, 0);
}

static void test_node_timeouts_and_states(void **state)
{
    (void)state;
    sk_msg_t r;
    /* chunk and exec in IDLE: bad state */
    chunk(0, 256, 0, &r);
    assert_int_equal(r.type, SK_MSG_ERROR);
    assert_int_equal(r.u.error.code, SK_E_STATE);
    exec_msg(1, 0, &r);
    assert_int_equal(r.u.error.code, SK_E_STATE);
    /* too big, bad chunk size */
    begin(sizeof stage + 1, 256, 0, &r);
    assert_int_equal(r.u.error.code, SK_E_TOO_BIG);
    begin(100, 16, 0, &r);
    assert_int_equal(r.u.error.code, SK_E_MALFORMED);
    /* receive timeout: partial upload abandoned */
    begin(sizeof file, 256, 1000, &r);
    chunk(0, 256, 2000, &r);
    assert_int_equal(sk_node_poll(&node, 2000 + 5000000), 0);  /* exactly the limit: still on */
    assert_int_equal(sk_node_poll(&node, 2001 + 5000000), 1);
    assert_int_equal(node.state, SK_ST_IDLE);
    assert_int_equal(node.stats.uploads_aborted, 1);
    exec_msg(1, 6000000, &r);
    assert_int_equal(r.u.error.code, SK_E_STATE);
    chunk(1, 256, 6000001, &r);
    assert_int_equal(r.u.error.code, SK_E_STATE);
    /* loader refusal travels to the client as the result status; node back to idle */
    begin(sizeof file, 1024, 7000000, &r);
    for (uint16_t s = 0; s < 3; s++)
        chunk(s, 1024, 7000001, &r);
    fake_load_rc = SK_LOAD_AUTH;
    exec_msg(1, 7000002, &r);
    assert_int_equal(r.type, SK_MSG_RESULT);
    assert_int_equal(r.u.result.status, SK_LOAD_AUTH);
    assert_int_equal(runs_called, 0);
    assert_int_equal(node.stats.loads_rejected, 1);
    assert_int_equal(node.state, SK_ST_IDLE);
}

/* Random and mutated messages in every state: the node answers or stays silent, never
 * crashes (ASan/UBSan), never runs an incomplete upload, keeps its counters consistent. */
static void test_node_fuzz(void **state)
{
    (void)state;
    static uint8_t q[SK_PROTO_MSG_MAX + 16]; /* static: chunk data beyond n is old bytes */
    uint8_t a[SK_PROTO_MSG_MAX + 64];
    srand(9);
    for (int r = 0; r < 50000; r++) {
        size_t n = (size_t)rand() % (SK_PROTO_MSG_MAX + 16);
        for (size_t i = 0; i < n; i++)
            q[i] = (uint8_t)rand();
        if (n >= 4 && r % 4) { /* mostly well-formed headers of real types */
            static const uint8_t types[] = {0x01, 0x03, 0x05, 0x10, 0x11, 0x12, 0x13, 0x14, 0x7F};
            q[0] = SK_PROTO_VERSION;
            q[1] = types[(unsigned)rand() % sizeof types];
            if (q[1] == SK_MSG_UPLOAD_BEGIN && n >= 10) {
                sk_wr32(q + 4, (uint32_t)rand() % 4000u);
                sk_wr16(q + 8, (uint16_t)(64u + (unsigned)rand() % 1000u));
                n = 10;
            }
            /* in RECEIVING, often a chunk of the right length for a random index */
            if (q[1] == SK_MSG_UPLOAD_CHUNK && node.state == SK_ST_RECEIVING && node.nchunks && r % 3) {
                uint16_t seq = (uint16_t)((unsigned)rand() % node.nchunks);
                uint32_t off = seq * node.chunk_size;
                uint32_t want = seq + 1u == node.nchunks ? node.total - off : node.chunk_size;
                sk_wr16(q + 4, seq);
                n = 6 + want;
            }
        }
        int rl = sk_node_handle(&node, q, n, (uint64_t)r * 1000u, a, sizeof a);
        assert_true(rl >= 0 && (size_t)rl <= sizeof a);
        if (rl > 0) {
            sk_msg_t d;
            assert_int_equal(sk_proto_decode(a, (size_t)rl, &d), SK_E_OK);
        }
        if (r % 100 == 0)
            sk_node_poll(&node, (uint64_t)r * 1000u);
        assert_true(node.state == SK_ST_IDLE || node.state == SK_ST_RECEIVING);
    }
    /* (fake_load asserts that every load the fuzzer triggered had its whole upload) */
    assert_int_equal(node.stats.runs, runs_called);
    assert_true(runs_called > 0);
    assert_true(node.stats.malformed + node.stats.unknown > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_every_type),
        cmocka_unit_test(test_garbage_decode),
        cmocka_unit_test(test_link_frames_and_text),
        cmocka_unit_test_setup(test_node_discover_info, node_setup),
        cmocka_unit_test_setup(test_node_upload_in_order_and_exec, node_setup),
        cmocka_unit_test_setup(test_node_lost_duplicated_reordered_chunks, node_setup),
        cmocka_unit_test_setup(test_node_timeouts_and_states, node_setup),
        cmocka_unit_test_setup(test_node_fuzz, node_setup),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
