/* fw_app: the app automaton's output lines for every telegram type, fed end to end through
 * the ESP3 automaton (UART chunks -> esp3 -> app -> plat_output_line). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "io/app.h"
#include "io/esp3.h"
#include "vmio/vmio.h"
#include "plat_host.h"

#define ESP3_ID 3
#define APP_ID 4

static esp3_t esp3;
static app_t app;

static int setup(void **state)
{
    (void)state;
    vmio_init(1);
    plat_host_reset();
    esp3_config_t cfg = {.out = vmio_addr(VMIO_NODE_LOCAL, APP_ID, 0), .max_len = 0, .headroom = 0};
    assert_int_equal(esp3_init(&esp3, ESP3_ID, &cfg), 0);
    assert_int_equal(app_init(&app, APP_ID), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_false(vmio_pending());
    assert_int_equal(vmio_buf_outstanding(), 0);
    return 0;
}

static void feed(const uint8_t *p, size_t n)
{
    assert_int_equal(vmio_deposit_bytes(0, vmio_addr(0, ESP3_ID, 0), VMIO_EV_RX, p, n), n);
    while (vmio_run())
        ;
}

/* Builds and feeds a wire frame. */
static void frame(uint8_t type, const uint8_t *d, uint16_t dlen, const uint8_t *o, uint8_t olen)
{
    uint8_t w[600];
    size_t n = 0;
    w[n++] = 0x55;
    w[n++] = (uint8_t)(dlen >> 8);
    w[n++] = (uint8_t)dlen;
    w[n++] = olen;
    w[n++] = type;
    w[n] = esp3_crc8(0, w + 1, 4);
    n++;
    memcpy(w + n, d, dlen);
    n += dlen;
    if (olen)
        memcpy(w + n, o, olen);
    n += olen;
    w[n] = esp3_crc8(0, w + 6, (size_t)dlen + olen);
    n++;
    feed(w, n);
}

static const uint8_t opt_std[7] = {0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x2D, 0x00};

/* Every app line ends with " cyc=<plat_cycles32()>" (app.h). */
static void expect_line(unsigned i, const char *want)
{
    char full[PLAT_HOST_LINE_MAX];
    assert_true(i < plat_host_nlines);
    snprintf(full, sizeof full, "%s cyc=%lu", want, (unsigned long)plat_host_cycles);
    assert_string_equal(plat_host_lines[i], full);
}

static void test_rps_vector(void **state)
{
    (void)state;
    static const uint8_t w[] = {0x55, 0x00, 0x07, 0x07, 0x01, 0x7A, 0xF6, 0x50, 0x00, 0x29, 0x89,
                                0x79, 0x30, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x61};
    feed(w, sizeof w);
    expect_line(0, "eno seq=1 type=erp1 rorg=f6 data=50 id=00298979 status=30 sub=3 dst=ffffffff dbm=-255 sec=0");
    app_stats_t s;
    app_get_stats(&app, &s);
    assert_int_equal(s.rps, 1);
    assert_int_equal(s.erp1, 1);
    assert_int_equal(s.lines, 1);
}

static void test_4bs_vector(void **state)
{
    (void)state;
    static const uint8_t w[] = {0x55, 0x00, 0x0A, 0x07, 0x01, 0xEB, 0xA5, 0x00, 0x00, 0x55, 0x08,
                                0x01, 0x81, 0xB7, 0x44, 0x00, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                0x00, 0x5C};
    feed(w, sizeof w);
    expect_line(0, "eno seq=1 type=erp1 rorg=a5 data=00005508 id=0181b744 status=00 sub=3 dst=ffffffff dbm=-255 sec=0");
    app_stats_t s;
    app_get_stats(&app, &s);
    assert_int_equal(s.bs4, 1);
}

static void test_1bs_and_vld(void **state)
{
    (void)state;
    static const uint8_t d5[] = {0xD5, 0x09, 0x01, 0x02, 0x03, 0x04, 0x00};
    static const uint8_t d2[] = {0xD2, 0x11, 0x22, 0x33, 0xAA, 0xBB, 0xCC, 0xDD, 0x80};
    frame(ESP3_PT_RADIO_ERP1, d5, sizeof d5, opt_std, 7);
    frame(ESP3_PT_RADIO_ERP1, d2, sizeof d2, 0, 0);
    expect_line(0, "eno seq=1 type=erp1 rorg=d5 data=09 id=01020304 status=00 sub=1 dst=ffffffff dbm=-45 sec=0");
    expect_line(1, "eno seq=2 type=erp1 rorg=d2 data=112233 id=aabbccdd status=80");
    app_stats_t s;
    app_get_stats(&app, &s);
    assert_int_equal(s.bs1, 1);
    assert_int_equal(s.vld, 1);
}

static void test_erp1_other_and_bad(void **state)
{
    (void)state;
    static const uint8_t d4[] = {0xD4, 0xA0, 0xB1, 0x01, 0x02, 0x03, 0x04, 0x00};
    static const uint8_t a5short[] = {0xA5, 0x01, 0x02, 0x01, 0x02, 0x03, 0x04, 0x00};
    static const uint8_t tiny[] = {0xF6, 0x01};
    frame(ESP3_PT_RADIO_ERP1, d4, sizeof d4, opt_std, 7);
    frame(ESP3_PT_RADIO_ERP1, a5short, sizeof a5short, 0, 0);
    frame(ESP3_PT_RADIO_ERP1, tiny, sizeof tiny, 0, 0);
    expect_line(0, "eno seq=1 type=erp1 rorg=d4 data=a0b1 id=01020304 status=00 sub=1 dst=ffffffff dbm=-45 sec=0");
    expect_line(1, "eno seq=2 type=erp1 err=bad-length rorg=a5 dlen=8");
    expect_line(2, "eno seq=3 type=erp1 err=bad-length rorg=f6 dlen=2");
    app_stats_t s;
    app_get_stats(&app, &s);
    assert_int_equal(s.other_rorg, 1);
    assert_int_equal(s.erp1_bad, 2);
    assert_int_equal(s.erp1, 3);
}

static void test_generic_types(void **state)
{
    (void)state;
    static const uint8_t co[] = {0x55, 0x00, 0x01, 0x00, 0x05, 0x70, 0x08, 0x38};
    static const uint8_t ok[] = {0x55, 0x00, 0x05, 0x00, 0x02, 0xCE, 0x00, 0xFF, 0x80, 0x00, 0x00, 0xDA};
    static const uint8_t ev[] = {0x02};
    static const uint8_t evopt[] = {0x10, 0x20};
    static const uint8_t unk[] = {0x42};
    feed(co, sizeof co);
    feed(ok, sizeof ok);
    frame(ESP3_PT_EVENT, ev, 1, evopt, 2);
    frame(0x0B, unk, 1, 0, 0);
    expect_line(0, "eno seq=1 type=common_command dlen=1 olen=0 data=08");
    expect_line(1, "eno seq=2 type=response dlen=5 olen=0 data=00ff800000");
    expect_line(2, "eno seq=3 type=event dlen=1 olen=2 data=02 opt=1020");
    expect_line(3, "eno seq=4 type=unknown-0b dlen=1 olen=0 data=42");
    app_stats_t s;
    app_get_stats(&app, &s);
    assert_int_equal(s.other_types, 4);
    assert_int_equal(s.by_type[ESP3_PT_RESPONSE], 1);
    assert_int_equal(s.by_type[ESP3_PT_COMMON_COMMAND], 1);
    assert_int_equal(s.erp1, 0);
}

static void test_generic_truncated(void **state)
{
    (void)state;
    uint8_t d[APP_HEX_MAX + 2];
    for (unsigned i = 0; i < sizeof d; i++)
        d[i] = (uint8_t)i;
    frame(ESP3_PT_RADIO_ERP2, d, sizeof d, 0, 0);
    assert_int_equal(plat_host_nlines, 1);
    char want[APP_LINE_MAX];
    int n = snprintf(want, sizeof want, "eno seq=1 type=radio_erp2 dlen=%u olen=0 data=", (unsigned)sizeof d);
    for (unsigned i = 0; i < APP_HEX_MAX; i++)
        n += snprintf(want + n, sizeof want - (size_t)n, "%02x", i);
    snprintf(want + n, sizeof want - (size_t)n, " trunc=1");
    expect_line(0, want);
}

static void test_reset_and_bad_frame(void **state)
{
    (void)state;
    static const uint8_t co[] = {0x55, 0x00, 0x01, 0x00, 0x05, 0x70, 0x08, 0x38};
    feed(co, sizeof co);
    assert_int_equal(vmio_send(&esp3.aut, vmio_addr(0, APP_ID, 0), VMIO_EV_RESET, VMIO_F_REQ, 1, 0, 0, 1), 0);
    vmio_run();   /* the response goes to esp3, which has no row for a RESET response... */
    feed(co, sizeof co);
    expect_line(1, "eno seq=1 type=common_command dlen=1 olen=0 data=08");
    /* a buffer that is no esp3 frame: counted, no line */
    vmio_buf_t *b = vmio_buf_alloc(6, 0);
    memset(b->data, 0, 6);
    assert_int_equal(vmio_send(0, vmio_addr(0, APP_ID, 0), VMIO_EV_DATA, 0, 0, 0, b, 1), 0);
    assert_int_equal(vmio_send(0, vmio_addr(0, APP_ID, 0), VMIO_EV_DATA, 0, 0, 0, 0, 1), 0);
    vmio_run();
    app_stats_t s;
    app_get_stats(&app, &s);
    assert_int_equal(s.bad_frames, 2);
    assert_int_equal(plat_host_nlines, 2);
    char out[8];
    assert_int_equal(app_format(1, 0, out, sizeof out), ERR_INVAL);
}

static void test_pipe_esp3_to_app(void **state)
{
    (void)state;
    static const uint8_t co[] = {0x55, 0x00, 0x01, 0x00, 0x05, 0x70, 0x08, 0x38};
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(0, VMIO_AUT_ENGINE, 0);
    ev.src = vmio_addr(0, ESP3_ID, 0);  /* esp3 receives the response: PIPE_OPEN row ignores it */
    ev.code = VMIO_EV_PIPE_OPEN;
    ev.flags = VMIO_F_REQ;
    ev.len = 2;
    ev.inl[0] = ESP3_ID;
    ev.inl[1] = APP_ID;
    assert_int_equal(vmio_deposit(VMIO_LEVEL_APP, &ev), 0);
    vmio_run();
    assert_true(esp3.pipe != 0);
    feed(co, sizeof co);
    expect_line(0, "eno seq=1 type=common_command dlen=1 olen=0 data=08");
}

/* cyc= is the cycle counter read when app handles the frame, printed as u32 decimal. */
static void test_cyc_field(void **state)
{
    (void)state;
    static const uint8_t w[] = {0x55, 0x00, 0x07, 0x07, 0x01, 0x7A, 0xF6, 0x50, 0x00, 0x29, 0x89,
                                0x79, 0x30, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x61};
    plat_host_cycles = 4294967295u;
    feed(w, sizeof w);
    assert_true(plat_host_nlines == 1);
    const char *tail = strstr(plat_host_lines[0], " cyc=");
    assert_non_null(tail);
    assert_string_equal(tail, " cyc=4294967295");
    plat_host_cycles = 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
int fw_app_tests(void)
{
    const struct CMUnitTest tests[] = {
        T(test_rps_vector),
        T(test_4bs_vector),
        T(test_1bs_and_vld),
        T(test_erp1_other_and_bad),
        T(test_generic_types),
        T(test_generic_truncated),
        T(test_reset_and_bad_frame),
        T(test_pipe_esp3_to_app),
        T(test_cyc_field),
    };
    return cmocka_run_group_tests_name("fw_app", tests, NULL, NULL);
}

#ifndef SK_COV_ALL
int main(void)
{
    return fw_app_tests();
}
#endif
