/* fw_lan9512_frame: LAN9512 bulk framing (hal/usb/lan9512_frame.c): TX command words A/B,
 * RX status words, multi-frame bulk-in split with padding, every error class counted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hal/usb/lan9512_frame.h"
#include "bcm2835/lan9512.h"
#include "err.h"

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Appends one record (status, frame of flen bytes + FCS, pad to 4) at *off. */
static void add_rec(uint8_t *buf, size_t *off, size_t flen, uint32_t extra_sts, uint8_t seed)
{
    uint32_t fl = (uint32_t)(flen + LAN9512_FCS_LEN);
    put32(buf + *off, (fl << LAN9512_RX_STS_FL_SHIFT) | extra_sts);
    for (size_t i = 0; i < fl; i++)
        buf[*off + 4 + i] = (uint8_t)(seed + i);
    *off += (4 + fl + 3) & ~(size_t)3;
}

static void test_tx_header(void **state)
{
    (void)state;
    uint8_t h[8];
    assert_int_equal(lan9512_tx_header(h, 60), 0);
    const uint8_t want60[8] = {0x3C, 0x30, 0x00, 0x00, 0x3C, 0x00, 0x00, 0x00};
    assert_memory_equal(h, want60, 8);
    assert_int_equal(lan9512_tx_header(h, 1514), 0);
    const uint8_t want1514[8] = {0xEA, 0x35, 0x00, 0x00, 0xEA, 0x05, 0x00, 0x00};
    assert_memory_equal(h, want1514, 8);
    assert_int_equal(lan9512_tx_header(h, 0), ERR_INVAL);
    assert_int_equal(lan9512_tx_header(h, LAN9512_FRAME_MAX + 1), ERR_INVAL);
    assert_int_equal(lan9512_tx_header(NULL, 60), ERR_INVAL);
}

static void test_rx_single(void **state)
{
    (void)state;
    uint8_t buf[2048];
    size_t n = 0;
    add_rec(buf, &n, 60, LAN9512_RX_STS_BF, 7);
    lan9512_rx_frame_t f[4];
    lan9512_rx_stats_t st = {0};
    assert_int_equal(lan9512_rx_split(buf, n, f, 4, &st), 1);
    assert_int_equal(f[0].off, 4);
    assert_int_equal(f[0].len, 60);
    assert_int_equal(buf[f[0].off], 7);
    assert_int_equal(st.frames, 1);
    assert_int_equal(st.errors + st.bad_len + st.truncated + st.overflow, 0);
    /* the transfer may end exactly after the FCS (no padding on the last record) */
    st = (lan9512_rx_stats_t){0};
    add_rec(buf, &(size_t){0}, 61, 0, 1);
    assert_int_equal(lan9512_rx_split(buf, 4 + 65, f, 4, &st), 1);
    assert_int_equal(st.truncated, 0);
}

static void test_rx_multi_padded(void **state)
{
    (void)state;
    uint8_t buf[4096];
    size_t n = 0;
    add_rec(buf, &n, 61, 0, 1);      /* 4 + 65 -> padded to 72 */
    assert_int_equal(n, 72);
    add_rec(buf, &n, 1514, 0, 2);
    add_rec(buf, &n, 14, LAN9512_RX_STS_MF, 3);
    lan9512_rx_frame_t f[4];
    lan9512_rx_stats_t st = {0};
    assert_int_equal(lan9512_rx_split(buf, n, f, 4, &st), 3);
    assert_int_equal(f[0].off, 4);
    assert_int_equal(f[0].len, 61);
    assert_int_equal(f[1].off, 76);
    assert_int_equal(f[1].len, 1514);
    assert_int_equal(buf[f[1].off], 2);
    assert_int_equal(f[2].len, 14);
    assert_int_equal(buf[f[2].off], 3);
    assert_int_equal(st.frames, 3);
}

static void test_rx_errors(void **state)
{
    (void)state;
    uint8_t buf[4096];
    size_t n = 0;
    lan9512_rx_frame_t f[2];
    lan9512_rx_stats_t st = {0};
    /* error frame skipped, the next one still delivered */
    add_rec(buf, &n, 100, LAN9512_RX_STS_ES | LAN9512_RX_STS_CRC, 1);
    add_rec(buf, &n, 60, 0, 2);
    add_rec(buf, &n, 60, LAN9512_RX_STS_FF, 3);
    assert_int_equal(lan9512_rx_split(buf, n, f, 2, &st), 1);
    assert_int_equal(buf[f[0].off], 2);
    assert_int_equal(st.errors, 2);

    /* length error: an error for a length-field frame only */
    st = (lan9512_rx_stats_t){0};
    n = 0;
    add_rec(buf, &n, 60, LAN9512_RX_STS_LE | LAN9512_RX_STS_FT, 4);
    add_rec(buf, &n, 60, LAN9512_RX_STS_LE, 5);
    add_rec(buf, &n, 60, LAN9512_RX_STS_DB, 6);   /* dribbling alone is no error */
    assert_int_equal(lan9512_rx_split(buf, n, f, 2, &st), 2);
    assert_int_equal(buf[f[0].off], 4);
    assert_int_equal(buf[f[1].off], 6);
    assert_int_equal(st.errors, 1);

    /* runt length: the rest is dropped */
    st = (lan9512_rx_stats_t){0};
    n = 0;
    add_rec(buf, &n, 60, 0, 1);
    put32(buf + n, (10u << LAN9512_RX_STS_FL_SHIFT));
    n += 4 + 12;
    add_rec(buf, &n, 60, 0, 2);
    assert_int_equal(lan9512_rx_split(buf, n, f, 2, &st), 1);
    assert_int_equal(st.bad_len, 1);

    /* oversize length */
    st = (lan9512_rx_stats_t){0};
    put32(buf, (1600u << LAN9512_RX_STS_FL_SHIFT));
    assert_int_equal(lan9512_rx_split(buf, 2000, f, 2, &st), 0);
    assert_int_equal(st.bad_len, 1);

    /* status length beyond the transfer */
    st = (lan9512_rx_stats_t){0};
    n = 0;
    add_rec(buf, &n, 500, 0, 1);
    assert_int_equal(lan9512_rx_split(buf, 200, f, 2, &st), 0);
    assert_int_equal(st.truncated, 1);

    /* partial status word at the end */
    st = (lan9512_rx_stats_t){0};
    n = 0;
    add_rec(buf, &n, 60, 0, 1);
    assert_int_equal(lan9512_rx_split(buf, n + 2, f, 2, &st), 1);
    assert_int_equal(st.truncated, 1);

    /* more frames than the table */
    st = (lan9512_rx_stats_t){0};
    n = 0;
    for (int i = 0; i < 4; i++)
        add_rec(buf, &n, 60, 0, (uint8_t)i);
    assert_int_equal(lan9512_rx_split(buf, n, f, 2, &st), 2);
    assert_int_equal(st.overflow, 2);

    /* empty transfer, NULL */
    st = (lan9512_rx_stats_t){0};
    assert_int_equal(lan9512_rx_split(buf, 0, f, 2, &st), 0);
    assert_int_equal(lan9512_rx_split(NULL, 10, f, 2, &st), 0);
    assert_int_equal(st.frames + st.errors + st.bad_len + st.truncated + st.overflow, 0);
}

/* Random bytes: every frame found lies inside the transfer; ASan checks the reads. */
static void test_rx_fuzz(void **state)
{
    (void)state;
    srand(12345);
    for (int it = 0; it < 20000; it++) {
        size_t n = (size_t)(rand() % 1700);
        uint8_t *buf = malloc(n ? n : 1);
        size_t off = 0;
        while (off + 4 <= n && (rand() & 3)) { /* mostly plausible records */
            size_t fl = (size_t)(rand() % 1600);
            put32(buf + off, ((uint32_t)fl << 16) | (uint32_t)(rand() & 0xC000));
            off += (4 + fl + 3) & ~(size_t)3;
        }
        for (size_t i = off; i < n; i++)
            buf[i] = (uint8_t)rand();
        lan9512_rx_frame_t f[8];
        lan9512_rx_stats_t st = {0};
        unsigned k = lan9512_rx_split(buf, n, f, 8, &st);
        for (unsigned i = 0; i < k; i++) {
            assert_true(f[i].off >= 4);
            assert_true((size_t)f[i].off + f[i].len + LAN9512_FCS_LEN <= n);
            assert_true(f[i].len >= LAN9512_FRAME_MIN && f[i].len <= LAN9512_FRAME_MAX);
        }
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tx_header),
        cmocka_unit_test(test_rx_single),
        cmocka_unit_test(test_rx_multi_padded),
        cmocka_unit_test(test_rx_errors),
        cmocka_unit_test(test_rx_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
