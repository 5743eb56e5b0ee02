/* net_ipv4: IPv4 input checks of io/net.c — truncation at every length, every malformed
 * header class, fragments, TTL, addresses (ours, limited and subnet broadcast, others,
 * bad sources), options, link padding, unknown protocols; and output routing. Each drop is
 * counted on its own counter and nothing reaches the UDP receiver. */
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

static size_t good(uint8_t *f, uint32_t dst)
{
    return tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, dst, 1000, TN_SINK_PORT,
                        (const uint8_t *)"hello", 5, 1);
}

static void fix_ip_cksum(uint8_t *f)
{
    unsigned hl = (f[14] & 15u) * 4u;
    f[24] = f[25] = 0;
    uint16_t c = tn_cksum(f + 14, hl, 0);
    f[24] = (uint8_t)(c >> 8);
    f[25] = (uint8_t)c;
}

static void test_checksum_reference_vector(void **state)
{
    (void)state;
    /* A well-known header (checksum 0xb861) and the RFC 1071 section 3 example bytes. */
    static const uint8_t h[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                  0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    assert_int_equal(net_cksum_fold(net_cksum_add(0, h, 20)), 0xb861);
    assert_int_equal(tn_cksum(h, 20, 0), 0xb861);
    static const uint8_t r[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    uint32_t s = net_cksum_add(0, r, 8);
    assert_int_equal((uint16_t)~net_cksum_fold(s), 0xddf2);   /* folded sum, RFC 1071 3 */
    /* Odd lengths pad with a zero byte. */
    static const uint8_t o[3] = {0x12, 0x34, 0x56};
    assert_int_equal(net_cksum_fold(net_cksum_add(0, o, 3)), (uint16_t)~(0x1234 + 0x5600));
    /* Both paths (even and odd start address) against the independent reference, for every
     * length up to 300 and every start offset 0..3, with an initial sum carried in. */
    static uint8_t buf[400];
    uint32_t x = 12345;
    for (unsigned i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (unsigned off = 0; off < 4; off++)
        for (unsigned n = 0; n <= 300; n++)
            assert_int_equal(net_cksum_fold(net_cksum_add(0x1FFFEu, buf + off, n)),
                             tn_cksum(buf + off, n, 0x1FFFEu));
    memset(buf, 0xFF, sizeof buf);          /* carries everywhere */
    for (unsigned off = 0; off < 2; off++)
        assert_int_equal(net_cksum_fold(net_cksum_add(0, buf + off, 399 - off)), tn_cksum(buf + off, 399 - off, 0));
    tn_setup(0, 0);
}

static void test_good_and_truncated_every_length(void **state)
{
    (void)state;
    tn_setup(TN_SINK, 0);
    uint8_t f[128];
    size_t n = good(f, TN_IP);
    tn_inject(f, n);
    assert_int_equal(tn_nrx, 1);
    assert_int_equal(tn_rx[0].n, 5);
    assert_memory_equal(tn_rx[0].b, "hello", 5);
    for (size_t len = 14; len < n; len++)
        tn_inject(f, len);
    net_stats_t s = tn_stats();
    assert_int_equal(tn_nrx, 1);
    assert_int_equal(s.ip_short, 20);                   /* 0..19 IP bytes */
    assert_int_equal(s.ip_bad_hlen + s.ip_bad_len, n - 14 - 20);
    assert_int_equal(s.ip_bad_len, n - 14 - 20);        /* total length beyond the frame */
    assert_int_equal(s.udp_rx, 1);
}

static void test_malformed_headers(void **state)
{
    (void)state;
    tn_setup(TN_SINK, 0);
    uint8_t f[128], g[128];
    size_t n = good(f, TN_IP);
#define MUT(stmt, fix) do { memcpy(g, f, n); stmt; if (fix) fix_ip_cksum(g); tn_inject(g, n); } while (0)
    MUT(g[14] = 0x65, 1);                  /* version 6 */
    MUT(g[14] = 0x44, 1);                  /* IHL 4 */
    MUT(g[14] = 0x4F, 0);                  /* IHL 15: 60 bytes > frame */
    MUT((g[16] = 0, g[17] = 19), 1);       /* total length < IHL */
    MUT((g[16] = 0, g[17] = 200), 1);      /* total length > frame */
    MUT(g[25] ^= 1, 0);                    /* header checksum */
    MUT(g[22] = 0, 1);                     /* TTL 0 */
    MUT(g[20] = 0x20, 1);                  /* MF: first fragment */
    MUT((g[20] = 0x00, g[21] = 0x10), 1);  /* offset 16: later fragment */
    MUT(g[23] = 6, 1);                     /* TCP */
#undef MUT
    net_stats_t s = tn_stats();
    assert_int_equal(s.ip_bad_version, 1);
    assert_int_equal(s.ip_bad_hlen, 2);
    assert_int_equal(s.ip_bad_len, 2);
    assert_int_equal(s.ip_bad_cksum, 1);
    assert_int_equal(s.ip_ttl, 1);
    assert_int_equal(s.ip_frag, 2);
    assert_int_equal(s.ip_unknown_proto, 1);
    assert_int_equal(tn_nrx, 0);
    assert_int_equal(tn_ntx, 0);
}

static void test_addresses(void **state)
{
    (void)state;
    tn_setup(TN_SINK, 0);
    uint8_t f[128];
    tn_inject(f, good(f, TN_HOST_IP));                       /* someone else */
    tn_inject(f, good(f, NET_IPV4(10, 0, 3, 255)));          /* another subnet's broadcast */
    assert_int_equal(tn_stats().ip_not_for_us, 2);
    tn_inject(f, good(f, NET_IPV4(10, 0, 2, 255)));          /* our subnet broadcast */
    tn_inject(f, good(f, NET_IP_BCAST));                     /* limited broadcast */
    assert_int_equal(tn_nrx, 2);
    assert_int_equal(tn_rx[0].arg, NET_UDP_F_BCAST);
    assert_int_equal(tn_rx[0].meta.local_ip, NET_IPV4(10, 0, 2, 255));
    assert_int_equal(tn_rx[1].arg, NET_UDP_F_BCAST);
    /* Bad sources. */
    static const uint32_t bad_src[] = {NET_IP_BCAST, NET_IPV4(224, 0, 0, 1), NET_IPV4(10, 0, 2, 255)};
    for (unsigned k = 0; k < 3; k++) {
        size_t n = tn_frame_udp(f, tn_mac, tn_peer_mac, bad_src[k], TN_IP, 1, TN_SINK_PORT,
                                (const uint8_t *)"x", 1, 1);
        tn_inject(f, n);
    }
    assert_int_equal(tn_stats().ip_bad_src, 3);
    assert_int_equal(tn_nrx, 2);
}

static void test_options_and_padding(void **state)
{
    (void)state;
    tn_setup(TN_SINK, 0);
    uint8_t f[128], u[64], g[128];
    /* Header with 4 bytes of options (NOPs + EOL), built by hand. */
    size_t ul = tn_udp(u, TN_PEER_IP, TN_IP, 1000, TN_SINK_PORT, (const uint8_t *)"opt", 3, 1);
    size_t k = tn_eth(g, tn_mac, tn_peer_mac, 0x0800);
    uint8_t *ip = g + k;
    tn_ip(ip, TN_PEER_IP, TN_IP, 17, 5, u, 0);
    memmove(ip + 24, u, ul);
    ip[0] = 0x46;
    ip[2] = 0; ip[3] = (uint8_t)(24 + ul);
    ip[20] = 1; ip[21] = 1; ip[22] = 1; ip[23] = 0;
    fix_ip_cksum(g);
    tn_inject(g, k + 24 + ul);
    assert_int_equal(tn_nrx, 1);
    assert_memory_equal(tn_rx[0].b, "opt", 3);
    /* Link padding after the datagram is trimmed, not delivered. */
    size_t n = tn_pad(f, tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, 1000, TN_SINK_PORT,
                                      (const uint8_t *)"ab", 2, 1));
    f[n - 1] = 0xEE;
    tn_inject(f, n);
    assert_int_equal(tn_nrx, 2);
    assert_int_equal(tn_rx[1].n, 2);
}

static void test_no_route(void **state)
{
    (void)state;
    net_config_t cfg;
    net_config_default(&cfg);
    cfg.addr = (net_addr_t){TN_IP, TN_MASK, 0};
    tn_setup(0, &cfg);
    vmio_buf_t *b = net_udp_alloc(1);
    net_udp_meta_t m = {TN_FAR_IP, 0, 7, 7};
    assert_int_equal(net_udp_send(&tn_net, b, &m), ERR_INVAL);
    assert_int_equal(tn_stats().ip_no_route, 1);
    assert_int_equal(tn_ntx, 0);
}

static void test_noaddr_accepts_udp_only(void **state)
{
    (void)state;
    tn_setup(TN_NOADDR | TN_SINK, 0);
    uint8_t f[128];
    tn_inject(f, good(f, NET_IPV4(10, 0, 2, 15)));     /* unicast to the address on offer */
    assert_int_equal(tn_nrx, 1);
    static const uint8_t ping[8] = {8, 0, 0xf7, 0xff, 0, 0, 0, 0};
    size_t k = tn_eth(f, tn_mac, tn_peer_mac, 0x0800);
    k += tn_ip(f + k, TN_PEER_IP, TN_IP, 1, 1, ping, 8);
    tn_inject(f, k);
    assert_int_equal(tn_stats().ip_not_for_us, 1);
    assert_int_equal(tn_ntx, 0);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)
int fw_net_ipv4_tests(void)
{
    const struct CMUnitTest tests[] = {
        T(test_checksum_reference_vector),
        T(test_good_and_truncated_every_length),
        T(test_malformed_headers),
        T(test_addresses),
        T(test_options_and_padding),
        T(test_no_route),
        T(test_noaddr_accepts_udp_only),
    };
    return cmocka_run_group_tests_name("net_ipv4", tests, NULL, NULL);
}

#ifndef SK_COV_ALL
int main(void)
{
    return fw_net_ipv4_tests();
}
#endif
