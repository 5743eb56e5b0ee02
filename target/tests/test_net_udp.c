/* net_udp: UDP receive (meta exposed to the receiver, checksum 0 = none, bad checksum, bad
 * length at every value, unbound port, broadcast) and send (exact bytes incl. checksum,
 * broadcast, limits, argument errors, NOADDR rules, the NET_EV_UDP_SEND event path). */
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

static void test_receive_meta(void **state)
{
    (void)state;
    tn_setup(TN_SINK, 0);
    uint8_t f[128];
    tn_inject(f, tn_pad(f, tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, 40001,
                                        TN_SINK_PORT, (const uint8_t *)"Echo1", 5, 1)));
    assert_int_equal(tn_nrx, 1);
    assert_int_equal(tn_rx[0].n, 5);
    assert_memory_equal(tn_rx[0].b, "Echo1", 5);
    assert_int_equal(tn_rx[0].meta.remote_ip, TN_PEER_IP);
    assert_int_equal(tn_rx[0].meta.remote_port, 40001);
    assert_int_equal(tn_rx[0].meta.local_ip, TN_IP);
    assert_int_equal(tn_rx[0].meta.local_port, TN_SINK_PORT);
    assert_int_equal(tn_rx[0].arg, 0);
    assert_int_equal(tn_rx[0].way, 3);
    /* Empty datagram. */
    tn_inject(f, tn_pad(f, tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, 1, TN_SINK_PORT, f, 0, 2)));
    assert_int_equal(tn_nrx, 2);
    assert_int_equal(tn_rx[1].n, 0);
}

static void test_checksum_rules(void **state)
{
    (void)state;
    tn_setup(TN_SINK, 0);
    uint8_t f[128];
    size_t n = tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, 1, TN_SINK_PORT,
                            (const uint8_t *)"abc", 3, 1);
    uint8_t g[128];
    memcpy(g, f, n);
    g[n - 1] ^= 1;                               /* payload changed */
    tn_inject(g, n);
    memcpy(g, f, n);
    g[40] ^= 0x80;                               /* checksum field changed */
    tn_inject(g, n);
    assert_int_equal(tn_stats().udp_bad_cksum, 2);
    memcpy(g, f, n);
    g[n - 1] ^= 1;
    g[40] = g[41] = 0;                           /* no checksum: accepted as is */
    tn_inject(g, n);
    assert_int_equal(tn_nrx, 1);
    assert_memory_equal(tn_rx[0].b, "abb", 3);
}

static void test_bad_lengths(void **state)
{
    (void)state;
    tn_setup(TN_SINK, 0);
    uint8_t f[128];
    size_t n = tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, 1, TN_SINK_PORT,
                            (const uint8_t *)"abcdef", 6, 1);
    /* Every UDP length field value except the right one (14): < 8 or > the IP payload are
     * bad_len; 8..13 are shorter datagrams whose checksum no longer matches. */
    unsigned bad_len = 0, bad_ck = 0;
    for (unsigned v = 0; v < 40; v++) {
        if (v == 14)
            continue;
        uint8_t g[128];
        memcpy(g, f, n);
        g[38] = 0; g[39] = (uint8_t)v;
        tn_inject(g, n);
        if (v < 8 || v > 14) bad_len++; else bad_ck++;
    }
    assert_int_equal(tn_stats().udp_bad_len, bad_len);
    assert_int_equal(tn_stats().udp_bad_cksum, bad_ck);
    /* IP payload shorter than a UDP header. */
    for (size_t len = 34; len < 42; len++) {
        uint8_t g[128];
        memcpy(g, f, n);
        g[16] = 0; g[17] = (uint8_t)(len - 14);
        g[24] = g[25] = 0;
        uint16_t c = tn_cksum(g + 14, 20, 0);
        g[24] = (uint8_t)(c >> 8); g[25] = (uint8_t)c;
        tn_inject(g, len);
    }
    assert_int_equal(tn_stats().udp_short, 8);
    assert_int_equal(tn_nrx, 0);
}

static void test_no_port(void **state)
{
    (void)state;
    tn_setup(TN_SINK, 0);
    uint8_t f[128];
    tn_inject(f, tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, 1, 4001, (const uint8_t *)"a", 1, 1));
    tn_inject(f, tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, 1, 0, (const uint8_t *)"a", 1, 1));
    assert_int_equal(tn_stats().udp_no_port, 2);
    assert_int_equal(tn_nrx, 0);
    assert_int_equal(tn_ntx, 0);
}

static void test_send_exact_and_broadcast(void **state)
{
    (void)state;
    tn_setup(0, 0);
    tn_learn(tn_peer_mac, TN_PEER_IP);
    uint8_t exp[1600];
    vmio_buf_t *b = net_udp_alloc(5);
    memcpy(b->data, "Hello", 5);
    net_udp_meta_t m = {TN_PEER_IP, 0, 9999, 1234};
    assert_int_equal(net_udp_send(&tn_net, b, &m), 0);
    tn_expect_tx(0, exp, tn_pad(exp, tn_frame_udp(exp, tn_peer_mac, tn_mac, TN_IP, TN_PEER_IP, 1234,
                                                 9999, (const uint8_t *)"Hello", 5, 0)));
    assert_int_equal(tn_tx[0].headroom, NET_ETH_HEADROOM);
    /* Broadcast send, and the maximum payload, through the event path. */
    static uint8_t big[NET_UDP_MAX_PAYLOAD];
    for (unsigned i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i ^ 0x5a);
    b = net_udp_alloc(sizeof big);
    memcpy(b->data, big, sizeof big);
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(0, TN_ID_NET, 0);
    ev.code = NET_EV_UDP_SEND;
    net_udp_meta_t mb = {NET_IP_BCAST, 0, 7, 7};
    net_udp_meta_put(&ev, &mb);
    ev.buf = b;
    assert_int_equal(vmio_post(&ev, 1), 0);
    vmio_run();
    assert_int_equal(tn_ntx, 2);
    size_t n = tn_frame_udp(exp, tn_bcast_mac, tn_mac, TN_IP, NET_IP_BCAST, 7, 7, big, sizeof big, 1);
    assert_int_equal(n, 1514);
    tn_expect_tx(1, exp, n);
    /* Subnet broadcast also goes to the broadcast MAC without ARP. */
    b = net_udp_alloc(1);
    b->data[0] = 'z';
    net_udp_meta_t ms = {NET_IPV4(10, 0, 2, 255), 0, 7, 7};
    assert_int_equal(net_udp_send(&tn_net, b, &ms), 0);
    assert_memory_equal(tn_tx[2].b, tn_bcast_mac, 6);
}

static void test_send_errors(void **state)
{
    (void)state;
    tn_setup(TN_NOADDR, 0);
    net_udp_meta_t m = {TN_PEER_IP, 0, 9, 9};
    assert_int_equal(net_udp_send(&tn_net, net_udp_alloc(1), &m), ERR_INVAL);
    assert_int_equal(tn_stats().tx_no_addr, 1);
    m.remote_ip = NET_IP_BCAST;                 /* DHCP-style: allowed, source 0.0.0.0 */
    vmio_buf_t *b = net_udp_alloc(1);
    b->data[0] = 1;
    assert_int_equal(net_udp_send(&tn_net, b, &m), 0);
    assert_int_equal(tn_ntx, 1);
    uint8_t exp[64];
    tn_expect_tx(0, exp, tn_pad(exp, tn_frame_udp(exp, tn_bcast_mac, tn_mac, 0, NET_IP_BCAST, 9, 9,
                                                 (const uint8_t *)"\x01", 1, 0)));
    b = vmio_buf_alloc(NET_UDP_MAX_PAYLOAD + 1, NET_UDP_HEADROOM);
    if (b)      /* fits the large pool? then it must be refused as too big */
        assert_int_equal(net_udp_send(&tn_net, b, &m), ERR_RANGE);
    m.remote_port = 0;
    assert_int_equal(net_udp_send(&tn_net, net_udp_alloc(1), &m), ERR_INVAL);
    assert_int_equal(tn_stats().udp_tx_bad, 1);
    m.remote_port = 9;
    assert_int_equal(net_udp_send(&tn_net, vmio_buf_alloc(4, 10), &m), ERR_RANGE);
    assert_int_equal(tn_stats().tx_no_headroom, 1);
    assert_int_equal(net_udp_send(&tn_net, 0, &m), ERR_INVAL);
    assert_int_equal(net_udp_send(&tn_net, net_udp_alloc(1), 0), ERR_INVAL);
    /* Event without meta or buffer. */
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(0, TN_ID_NET, 0);
    ev.code = NET_EV_UDP_SEND;
    ev.buf = net_udp_alloc(1);
    vmio_post(&ev, 1);
    vmio_run();
    assert_int_equal(tn_stats().udp_tx_bad, 4);
    assert_int_equal(tn_ntx, 1);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)
int fw_net_udp_tests(void)
{
    const struct CMUnitTest tests[] = {
        T(test_receive_meta),
        T(test_checksum_rules),
        T(test_bad_lengths),
        T(test_no_port),
        T(test_send_exact_and_broadcast),
        T(test_send_errors),
    };
    return cmocka_run_group_tests_name("net_udp", tests, NULL, NULL);
}

#ifndef SK_COV_ALL
int main(void)
{
    return fw_net_udp_tests();
}
#endif
