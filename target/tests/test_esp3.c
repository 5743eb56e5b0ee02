/* fw_esp3: ESP3 receiver automaton — the reference vectors (parsed from
 * SK_SHARED_DIR/reference/esp3-vectors.txt at run time) in one chunk, in two chunks at every
 * split point, byte by byte; every error class; resync inside a bad header; noise between
 * frames; pool exhaustion; pipes; every (state, event) row. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "esp3_vectors.h"
#include "io/esp3.h"
#include "vmio/vmio.h"
#include "plat_host.h"

#define ESP3_ID 1
#define SINK_ID 2
#define MAXV 32
#define MAXF 128

typedef esp3_vec_t vec_t;
#define vecs esp3_vecs
#define nvecs esp3_nvecs
#define load_vectors esp3_vectors_load

/* ---- sink automaton: copies what arrives ---------------------------------------------- */
typedef struct got {
    uint8_t b[600];
    size_t n;
    uint16_t way;
    const vmio_buf_t *ptr;
} got_t;
static got_t got[MAXF];
static unsigned ngot;
static vmio_automaton_t sink;

static int sink_data(vmio_automaton_t *a, const vmio_event_t *ev)
{
    (void)a;
    assert_non_null(ev->buf);
    assert_true(ngot < MAXF);
    memcpy(got[ngot].b, ev->buf->data, ev->buf->len);
    got[ngot].n = ev->buf->len;
    got[ngot].way = ev->dst.way;
    got[ngot].ptr = ev->buf;
    ngot++;
    return 0;   /* the engine frees the frame */
}
static int sink_rsp(vmio_automaton_t *a, const vmio_event_t *ev)
{
    (void)a;
    assert_true(vmio_is_rsp(ev));
    assert_int_equal(ev->status, 0);
    return 0;
}
static const vmio_row_t sink_rows[1][VMIO_EV_RESET + 1] = {
    [0] = {
        [VMIO_EV_DATA] = VMIO_ROW(sink_data, VMIO_SAME),
        [VMIO_EV_PIPE_OPEN] = VMIO_ROW(sink_rsp, VMIO_SAME),
        [VMIO_EV_PIPE_CLOSE] = VMIO_ROW(sink_rsp, VMIO_SAME),
        [VMIO_EV_RESET] = VMIO_ROW(sink_rsp, VMIO_SAME),
    },
};
static const vmio_state_desc_t sink_states[1] = {{"only", 0, 0}};
static const char *const sink_names[VMIO_EV_RESET + 1] = {
    [VMIO_EV_DATA] = "data", [VMIO_EV_PIPE_OPEN] = "pipe_open",
    [VMIO_EV_PIPE_CLOSE] = "pipe_close", [VMIO_EV_RESET] = "reset",
};
static const vmio_table_t sink_table = {
    .name = "test_esp3_sink", .nstates = 1, .nevents = VMIO_EV_RESET + 1,
    .rows = &sink_rows[0][0], .states = sink_states, .event_names = sink_names,
};

static esp3_t esp3;


static int setup_cfg(uint16_t max_len)
{
    vmio_init(1);
    plat_host_reset();
    ngot = 0;
    load_vectors();
    esp3_config_t cfg = {.out = vmio_addr(VMIO_NODE_LOCAL, SINK_ID, 0), .max_len = max_len, .headroom = 8};
    assert_int_equal(esp3_init(&esp3, ESP3_ID, &cfg), 0);
    assert_int_equal(vmio_register(&sink, SINK_ID, &sink_table, 0), 0);
    return 0;
}

static int setup(void **state)
{
    (void)state;
    return setup_cfg(0);
}

static int teardown(void **state)
{
    (void)state;
    assert_false(vmio_pending());
    assert_int_equal(vmio_buf_outstanding(), esp3.frame ? 1 : 0);
    vmio_buf_free(esp3.frame);  /* a frame still being received belongs to esp3 */
    esp3.frame = 0;
    assert_int_equal(vmio_buf_outstanding(), 0);
    return 0;
}

/* Feeding: as inline RX chunks from "the UART interrupt" (level 0) or as a DATA buffer. */
static void feed_rx(const uint8_t *p, size_t n)
{
    assert_int_equal(vmio_deposit_bytes(0, vmio_addr(0, ESP3_ID, 0), VMIO_EV_RX, p, n), n);
    while (vmio_run())
        ;
}

static void feed_buf(const uint8_t *p, size_t n)
{
    vmio_buf_t *b = vmio_buf_alloc(n, 0);
    assert_non_null(b);
    memcpy(b->data, p, n);
    assert_int_equal(vmio_send(0, vmio_addr(0, ESP3_ID, 0), VMIO_EV_DATA, 0, 0, 0, b, 1), 0);
    while (vmio_run())
        ;
}

/* The frame esp3 must emit for a wire vector: header 4 bytes + data + optional. */
static void expect_frame(unsigned gi, const uint8_t *wire, size_t n)
{
    assert_true(gi < ngot);
    size_t total = (size_t)(wire[1] << 8 | wire[2]) + wire[3];
    assert_int_equal(n, 1 + 4 + 1 + total + 1);
    assert_int_equal(got[gi].n, 4 + total);
    assert_memory_equal(got[gi].b, wire + 1, 4);
    assert_memory_equal(got[gi].b + 4, wire + 6, total);
}

/* ---- vectors --------------------------------------------------------------------------- */
static void test_vectors_whole(void **state)
{
    (void)state;
    for (unsigned v = 0; v < nvecs; v++) {
        feed_rx(vecs[v].b, vecs[v].n);
        assert_int_equal(ngot, v + 1);
        expect_frame(v, vecs[v].b, vecs[v].n);
    }
    for (unsigned v = 0; v < nvecs; v++)
        feed_buf(vecs[v].b, vecs[v].n);
    assert_int_equal(ngot, 2 * nvecs);
    esp3_stats_t s;
    esp3_get_stats(&esp3, &s);
    assert_int_equal(s.frames, 2 * nvecs);
    assert_int_equal(s.hdr_crc + s.data_crc + s.sync_skipped + s.oversize + s.no_buf, 0);
    assert_int_equal(esp3.aut.state, ESP3_S_SYNC);
}

static void test_vectors_known_fields(void **state)
{
    (void)state;
    /* Independent check of the first vector's meaning (RPS rocker, ERP1). */
    feed_rx(vecs[0].b, vecs[0].n);
    assert_int_equal(ngot, 1);
    vmio_buf_t b = {.data = got[0].b, .len = (uint16_t)got[0].n};
    assert_int_equal(esp3_frame_type(&b), ESP3_PT_RADIO_ERP1);
    assert_int_equal(esp3_frame_dlen(&b), 7);
    assert_int_equal(esp3_frame_olen(&b), 7);
    assert_int_equal(esp3_frame_data(&b)[0], 0xF6);
    assert_int_equal(esp3_crc8(0, vecs[0].b + 1, 4), vecs[0].b[5]);
}

static void test_vectors_split_everywhere(void **state)
{
    (void)state;
    for (unsigned v = 0; v < nvecs; v++) {
        for (size_t k = 1; k < vecs[v].n; k++) {
            ngot = 0;
            feed_buf(vecs[v].b, k);
            assert_int_equal(ngot, 0);
            feed_buf(vecs[v].b + k, vecs[v].n - k);
            assert_int_equal(ngot, 1);
            expect_frame(0, vecs[v].b, vecs[v].n);
            /* the same split through the interrupt path */
            ngot = 0;
            feed_rx(vecs[v].b, k);
            feed_rx(vecs[v].b + k, vecs[v].n - k);
            assert_int_equal(ngot, 1);
            expect_frame(0, vecs[v].b, vecs[v].n);
        }
    }
}

static void test_vectors_byte_by_byte(void **state)
{
    (void)state;
    for (unsigned v = 0; v < nvecs; v++) {
        ngot = 0;
        for (size_t i = 0; i < vecs[v].n; i++) {
            assert_int_equal(ngot, 0);
            feed_rx(vecs[v].b + i, 1);
        }
        assert_int_equal(ngot, 1);
        expect_frame(0, vecs[v].b, vecs[v].n);
    }
}

/* ---- errors ----------------------------------------------------------------------------- */
static void test_sync_garbage_counted(void **state)
{
    (void)state;
    const uint8_t junk[] = {0x00, 0x11, 0xAA, 0xFF};
    feed_rx(junk, sizeof junk);
    feed_rx(vecs[0].b, vecs[0].n);
    esp3_stats_t s;
    esp3_get_stats(&esp3, &s);
    assert_int_equal(s.sync_skipped, 4);
    assert_int_equal(ngot, 1);
}

static void test_bad_header_crc_then_frame(void **state)
{
    (void)state;
    uint8_t bad[6];
    memcpy(bad, vecs[1].b, 6);
    bad[5] ^= 0x01;                          /* header CRC wrong, no 0x55 inside */
    feed_rx(bad, sizeof bad);
    assert_int_equal(esp3.aut.state, ESP3_S_SYNC);
    feed_rx(vecs[0].b, vecs[0].n);
    esp3_stats_t s;
    esp3_get_stats(&esp3, &s);
    assert_int_equal(s.hdr_crc, 1);
    assert_int_equal(ngot, 1);
    expect_frame(0, vecs[0].b, vecs[0].n);
}

static void test_resync_inside_bad_header(void **state)
{
    (void)state;
    /* A truncated frame start "55 00" directly followed by a real frame: the header read
     * after the first 0x55 is 00 55 00 07 07 (bad CRC) and holds the real sync byte. */
    uint8_t buf[64];
    buf[0] = 0x55;
    buf[1] = 0x00;
    memcpy(buf + 2, vecs[0].b, vecs[0].n);
    feed_rx(buf, 2 + vecs[0].n);
    esp3_stats_t s;
    esp3_get_stats(&esp3, &s);
    assert_int_equal(s.hdr_crc, 1);
    assert_int_equal(ngot, 1);
    expect_frame(0, vecs[0].b, vecs[0].n);
    /* the same with the 0x55 at every position of the bad header, byte by byte */
    for (unsigned pre = 0; pre < 4; pre++) {
        ngot = 0;
        size_t n = 0;
        buf[n++] = 0x55;
        for (unsigned i = 0; i < pre; i++)
            buf[n++] = (uint8_t)(0xA0 + i);
        memcpy(buf + n, vecs[2].b, vecs[2].n);
        n += vecs[2].n;
        for (size_t i = 0; i < n; i++)
            feed_rx(buf + i, 1);
        assert_int_equal(ngot, 1);
        expect_frame(0, vecs[2].b, vecs[2].n);
    }
}

static void make_header(uint8_t *w, uint16_t dlen, uint8_t olen, uint8_t type)
{
    w[0] = 0x55;
    w[1] = (uint8_t)(dlen >> 8);
    w[2] = (uint8_t)dlen;
    w[3] = olen;
    w[4] = type;
    w[5] = esp3_crc8(0, w + 1, 4);
}

static void test_oversize_and_zero_length(void **state)
{
    (void)state;
    uint8_t h[6];
    make_header(h, 600, 0, 1);
    feed_rx(h, 6);
    make_header(h, 512, 1, 1);               /* 513 > 512 */
    feed_rx(h, 6);
    make_header(h, 0, 7, 1);
    feed_rx(h, 6);
    assert_int_equal(esp3.aut.state, ESP3_S_SYNC);
    feed_rx(vecs[1].b, vecs[1].n);
    esp3_stats_t s;
    esp3_get_stats(&esp3, &s);
    assert_int_equal(s.oversize, 2);
    assert_int_equal(s.zero_len, 1);
    assert_int_equal(ngot, 1);
    expect_frame(0, vecs[1].b, vecs[1].n);
}

static void test_max_len_configurable(void **state)
{
    (void)state;
    setup_cfg(10);
    feed_rx(vecs[1].b, vecs[1].n);           /* 4BS: 10 + 7 > 10 */
    feed_rx(vecs[3].b, vecs[3].n);           /* RET_OK: 5 */
    esp3_stats_t s;
    esp3_get_stats(&esp3, &s);
    assert_int_equal(s.oversize, 1);
    assert_int_equal(ngot, 1);
    expect_frame(0, vecs[3].b, vecs[3].n);
    esp3_t other;
    esp3_config_t big = {.max_len = VMIO_POOL_LARGE_SIZE};
    assert_int_equal(esp3_init(&other, 9, &big), ERR_RANGE);
}

static void test_bad_data_crc(void **state)
{
    (void)state;
    uint8_t bad[64];
    memcpy(bad, vecs[0].b, vecs[0].n);
    bad[vecs[0].n - 1] ^= 0xFF;
    feed_rx(bad, vecs[0].n);
    bad[8] ^= 0x10;                          /* data byte wrong, CRC as sent */
    bad[vecs[0].n - 1] ^= 0xFF;
    feed_rx(bad, vecs[0].n);
    feed_rx(vecs[0].b, vecs[0].n);
    esp3_stats_t s;
    esp3_get_stats(&esp3, &s);
    assert_int_equal(s.data_crc, 2);
    assert_int_equal(ngot, 1);
    expect_frame(0, vecs[0].b, vecs[0].n);
}

static void test_pool_exhaustion(void **state)
{
    (void)state;
    vmio_buf_t *hold[VMIO_POOL_SMALL_N];
    unsigned n = 0;
    while (n < VMIO_POOL_SMALL_N && (hold[n] = vmio_buf_alloc(1, 0)))
        n++;
    /* The chunk must travel inline (no buffer left for feed_buf). */
    feed_rx(vecs[0].b, vecs[0].n);
    esp3_stats_t s;
    esp3_get_stats(&esp3, &s);
    assert_int_equal(s.no_buf, 1);
    assert_int_equal(ngot, 0);
    assert_int_equal(esp3.aut.state, ESP3_S_SYNC);   /* body skipped, back in sync */
    for (unsigned i = 0; i < n; i++)
        vmio_buf_free(hold[i]);
    feed_rx(vecs[0].b, vecs[0].n);
    assert_int_equal(ngot, 1);
}

static uint32_t rng = 12345;
static uint8_t rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return (uint8_t)(rng >> 16);
}

static void test_noise_between_frames(void **state)
{
    (void)state;
    static uint8_t stream[20000];
    size_t n = 0;
    unsigned frames = 0;
    for (unsigned round = 0; round < 100; round++) {
        unsigned noise = rnd() % 24;
        for (unsigned i = 0; i < noise; i++)
            stream[n++] = rnd();
        const vec_t *v = &vecs[round % nvecs];
        memcpy(stream + n, v->b, v->n);
        n += v->n;
        frames++;
    }
    /* random chunking, as the UART interrupt would deliver it */
    for (size_t i = 0; i < n;) {
        size_t k = 1 + rnd() % VMIO_EV_INLINE;
        if (k > n - i)
            k = n - i;
        feed_rx(stream + i, k);
        i += k;
    }
    assert_int_equal(ngot, frames);
    for (unsigned r = 0; r < frames; r++)
        expect_frame(r, vecs[r % nvecs].b, vecs[r % nvecs].n);
    esp3_stats_t s;
    esp3_get_stats(&esp3, &s);
    assert_true(s.sync_skipped > 0);
}

static void test_reset_request_mid_frame(void **state)
{
    (void)state;
    feed_rx(vecs[1].b, 10);                  /* in BODY with a frame buffer */
    assert_int_equal(esp3.aut.state, ESP3_S_BODY);
    assert_int_equal(vmio_buf_outstanding(), 1);
    assert_int_equal(vmio_send(&sink, vmio_addr(0, ESP3_ID, 0), VMIO_EV_RESET, VMIO_F_REQ, 3, 0, 0, 1), 0);
    vmio_run();
    assert_int_equal(esp3.aut.state, ESP3_S_SYNC);
    assert_int_equal(vmio_buf_outstanding(), 0);
    feed_rx(vecs[1].b, vecs[1].n);
    assert_int_equal(ngot, 1);
}

static uint16_t open_pipe(void)
{
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(0, VMIO_AUT_ENGINE, 0);
    ev.src = vmio_addr(0, SINK_ID, 0);
    ev.code = VMIO_EV_PIPE_OPEN;
    ev.flags = VMIO_F_REQ;
    ev.len = 2;
    ev.inl[0] = ESP3_ID;
    ev.inl[1] = SINK_ID;
    assert_int_equal(vmio_deposit(VMIO_LEVEL_APP, &ev), 0);
    vmio_run();
    assert_true(esp3.pipe != 0);
    return esp3.pipe;
}

static void close_pipe(uint16_t p)
{
    assert_int_equal(vmio_send(&sink, vmio_addr(0, VMIO_AUT_ENGINE, 0), VMIO_EV_PIPE_CLOSE,
                               VMIO_F_REQ, 0, p, 0, 1), 0);
    vmio_run();
}

static void test_pipe_output(void **state)
{
    (void)state;
    uint16_t p = open_pipe();
    feed_rx(vecs[0].b, vecs[0].n);
    assert_int_equal(ngot, 1);
    assert_int_equal(got[0].way, p);        /* arrived through the pipe */
    close_pipe(p);
    assert_int_equal(esp3.pipe, 0);
    feed_rx(vecs[0].b, vecs[0].n);
    assert_int_equal(ngot, 2);
    assert_int_equal(got[1].way, 0);        /* direct output again */
}

/* Every (state, event) row of the table, including control events in every state. */
static void test_rows_every_state(void **state)
{
    (void)state;
    static const size_t prefix[ESP3_S_COUNT] = {[ESP3_S_SYNC] = 0, [ESP3_S_HEADER] = 3, [ESP3_S_BODY] = 8};
    for (unsigned st = 0; st < ESP3_S_COUNT; st++) {
        feed_rx(vecs[0].b, prefix[st]);
        assert_int_equal(esp3.aut.state, st);
        uint16_t p = open_pipe();              /* PIPE_OPEN indication in st */
        close_pipe(p);                         /* PIPE_CLOSE indication in st */
        vmio_buf_t *b = vmio_buf_alloc(0, 0);  /* empty DATA chunk: stays in st */
        assert_int_equal(vmio_send(0, vmio_addr(0, ESP3_ID, 0), VMIO_EV_DATA, 0, 0, 0, b, 1), 0);
        vmio_event_t ev = {0};                 /* empty RX chunk */
        ev.dst = vmio_addr(0, ESP3_ID, 0);
        ev.code = VMIO_EV_RX;
        assert_int_equal(vmio_deposit(0, &ev), 0);
        vmio_run();
        assert_int_equal(esp3.aut.state, st);
        assert_int_equal(vmio_send(&sink, vmio_addr(0, ESP3_ID, 0), VMIO_EV_RESET, VMIO_F_REQ, 0, 0, 0, 1), 0);
        vmio_run();
        assert_int_equal(esp3.aut.state, ESP3_S_SYNC);
    }
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.unhandled + s.no_response + s.handler_errors, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
int fw_esp3_tests(void)
{
    const struct CMUnitTest tests[] = {
        T(test_vectors_whole),
        T(test_vectors_known_fields),
        T(test_vectors_split_everywhere),
        T(test_vectors_byte_by_byte),
        T(test_sync_garbage_counted),
        T(test_bad_header_crc_then_frame),
        T(test_resync_inside_bad_header),
        T(test_oversize_and_zero_length),
        T(test_max_len_configurable),
        T(test_bad_data_crc),
        T(test_pool_exhaustion),
        T(test_noise_between_frames),
        T(test_reset_request_mid_frame),
        T(test_pipe_output),
        T(test_rows_every_state),
    };
    return cmocka_run_group_tests_name("fw_esp3", tests, NULL, NULL);
}

#ifndef SK_COV_ALL
int main(void)
{
    return fw_esp3_tests();
}
#endif
