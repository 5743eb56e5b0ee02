/* net_icmp: echo request -> reply in place (exact bytes, checksum updated incrementally and
 * checked against an independent full recomputation), short / bad checksum / broadcast /
 * other types counted and dropped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "net_test_util.h"
#include "plat_host.h"

static int teardown(void **state)
{
    (void)state;
    tn_teardown();
    return 0;
}

/* ICMP message type/code/id/seq + data with a correct checksum. */
static size_t icmp_msg(uint8_t *p, uint8_t type, const uint8_t *d, size_t n)
{
    p[0] = type;
    p[1] = 0;
    p[2] = p[3] = 0;
    p[4] = 0x12; p[5] = 0x34;   /* id */
    p[6] = 0x00; p[7] = 0x07;   /* seq */
    memcpy(p + 8, d, n);
    uint16_t c = tn_cksum(p, 8 + n, 0);
    p[2] = (uint8_t)(c >> 8);
    p[3] = (uint8_t)c;
    return 8 + n;
}

static size_t ping_frame(uint8_t *f, uint8_t type, const uint8_t *d, size_t n, uint32_t dst, uint16_t id)
{
    uint8_t m[1600];
    size_t ml = icmp_msg(m, type, d, n);
    size_t k = tn_eth(f, tn_mac, tn_peer_mac, 0x0800);
    return k + tn_ip(f + k, TN_PEER_IP, dst, 1, id, m, ml);
}

static void check_reply(const uint8_t *d, size_t n)
{
    uint8_t f[1600], exp[1600], m[1600];
    tn_clear();
    tn_inject(f, tn_pad(f, ping_frame(f, 8, d, n, TN_IP, 99)));
    assert_int_equal(tn_ntx, 1);
    size_t ml = icmp_msg(m, 0, d, n);
    size_t k = tn_eth(exp, tn_peer_mac, tn_mac, 0x0800);
    k += tn_ip(exp + k, TN_IP, TN_PEER_IP, 1, (uint16_t)(tn_net.ip_id - 1), m, ml);
    tn_expect_tx(0, exp, tn_pad(exp, k));
}

static void test_echo_reply_exact(void **state)
{
    (void)state;
    tn_setup(0, 0);
    tn_learn(tn_peer_mac, TN_PEER_IP);
    static uint8_t data[1472];
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    check_reply((const uint8_t *)"", 0);
    check_reply((const uint8_t *)"abcdefgh", 8);
    check_reply((const uint8_t *)"odd", 3);
    check_reply(data, 56);
    check_reply(data, 1472);
    /* Checksum carry corner: data making the request checksum 0x0000 / 0xFFFF forms. */
    static const uint8_t c1[2] = {0xF7, 0xFF};
    check_reply(c1, 2);
    static const uint8_t c2[2] = {0x00, 0x00};
    check_reply(c2, 2);
    assert_int_equal(tn_stats().icmp_echo_tx, 7);
}

static void test_icmp_drops(void **state)
{
    (void)state;
    tn_setup(0, 0);
    tn_learn(tn_peer_mac, TN_PEER_IP);
    uint8_t f[128];
    size_t n = ping_frame(f, 8, (const uint8_t *)"data", 4, TN_IP, 1);
    for (size_t len = 34; len < 42; len++) {   /* IP payload 0..7 bytes: total length fixed below */
        uint8_t g[128];
        memcpy(g, f, n);
        g[16] = 0; g[17] = (uint8_t)(len - 14);
        g[24] = g[25] = 0;
        uint16_t c = tn_cksum(g + 14, 20, 0);
        g[24] = (uint8_t)(c >> 8); g[25] = (uint8_t)c;
        tn_inject(g, len);
    }
    assert_int_equal(tn_stats().icmp_short, 8);
    uint8_t g[128];
    memcpy(g, f, n);
    g[n - 1] ^= 0x40;                           /* data changed, checksum not */
    tn_inject(g, n);
    assert_int_equal(tn_stats().icmp_bad_cksum, 1);
    tn_inject(f, ping_frame(f, 8, (const uint8_t *)"b", 1, NET_IP_BCAST, 2));
    tn_inject(f, ping_frame(f, 8, (const uint8_t *)"b", 1, NET_IPV4(10, 0, 2, 255), 3));
    assert_int_equal(tn_stats().icmp_bcast, 2);
    tn_inject(f, ping_frame(f, 0, (const uint8_t *)"r", 1, TN_IP, 4));      /* a reply */
    tn_inject(f, ping_frame(f, 13, (const uint8_t *)"tstamp", 6, TN_IP, 5));
    assert_int_equal(tn_stats().icmp_other, 2);
    assert_int_equal(tn_ntx, 0);
    assert_int_equal(tn_stats().icmp_rx, 13);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)
int fw_net_icmp_tests(void)
{
    const struct CMUnitTest tests[] = {
        T(test_echo_reply_exact),
        T(test_icmp_drops),
    };
    return cmocka_run_group_tests_name("net_icmp", tests, NULL, NULL);
}

#ifndef SK_COV_ALL
int main(void)
{
    return fw_net_icmp_tests();
}
#endif
