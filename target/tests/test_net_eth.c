/* net_eth: the Ethernet layer of io/net.c — link states, MAC filter, EtherType dispatch,
 * runts at every length, TX framing (padding, driver headroom, realign slow path, driver
 * refusal), console report lines, address parsing, and the constants shared with
 * hal/eth.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "hal/eth.h"
#include "net_test_util.h"
#include "plat_host.h"

_Static_assert(NET_ETH_HEADROOM == ETH_HEADROOM, "net.h and hal/eth.h agree");
_Static_assert(NET_DRV_HEADROOM == ETH_DRV_HEADROOM, "net.h and hal/eth.h agree");
_Static_assert(NET_EV_LINK == ETH_EV_LINK, "net.h and hal/eth.h agree");
_Static_assert(NET_UDP_HEADROOM + NET_UDP_MAX_PAYLOAD <= VMIO_POOL_LARGE_SIZE, "a full datagram fits");

static int teardown(void **state)
{
    (void)state;
    tn_teardown();
    return 0;
}

static void test_link_states(void **state)
{
    (void)state;
    tn_setup(TN_NOLINK | TN_NOADDR, 0);
    assert_int_equal(tn_net.aut.state, NET_S_DOWN);
    tn_link(1);
    assert_int_equal(tn_net.aut.state, NET_S_NOADDR);
    assert_memory_equal(tn_net.mac, tn_mac, 6);
    vmio_event_t ev;
    net_addr_t a = {TN_IP, TN_MASK, TN_GW};
    net_set_addr_event(&ev, vmio_addr(0, TN_ID_NET, 0), &a);
    ev.src = vmio_addr(0, TN_ID_SINK, 0);
    assert_int_equal(vmio_deposit(VMIO_LEVEL_APP, &ev), 0);
    vmio_run();
    assert_int_equal(tn_net.aut.state, NET_S_UP);
    tn_link(0);
    assert_int_equal(tn_net.aut.state, NET_S_DOWN);
    /* "Up" without a MAC, or with a multicast one: ignored, counted. */
    vmio_event_t bad = {0};
    bad.dst = vmio_addr(0, TN_ID_NET, 0);
    bad.code = NET_EV_LINK;
    bad.arg = 1;
    vmio_deposit(0, &bad);
    bad.len = 6;
    bad.inl[0] = 0x01;
    vmio_deposit(0, &bad);
    vmio_run();
    assert_int_equal(tn_net.aut.state, NET_S_DOWN);
    assert_int_equal(tn_stats().link_bad, 2);
    tn_link(1);
    assert_int_equal(tn_net.aut.state, NET_S_UP);
    /* Removing the address goes back to NOADDR; a bad address is refused (state kept). */
    a.ip = 0;
    net_set_addr_event(&ev, vmio_addr(0, TN_ID_NET, 0), &a);
    ev.src = vmio_addr(0, TN_ID_SINK, 0);
    vmio_deposit(VMIO_LEVEL_APP, &ev);
    vmio_run();
    assert_int_equal(tn_net.aut.state, NET_S_NOADDR);
    a = (net_addr_t){NET_IPV4(10, 0, 2, 255), TN_MASK, 0};
    net_set_addr_event(&ev, vmio_addr(0, TN_ID_NET, 0), &a);
    ev.src = vmio_addr(0, TN_ID_SINK, 0);
    vmio_deposit(VMIO_LEVEL_APP, &ev);
    vmio_run();
    assert_int_equal(tn_net.aut.state, NET_S_NOADDR);
    assert_int_equal(tn_net.cfg.addr.ip, 0);
}

static void test_frames_while_down_counted(void **state)
{
    (void)state;
    tn_setup(TN_NOLINK | TN_SINK, 0);
    uint8_t f[128];
    size_t n = tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, 1, TN_SINK_PORT,
                            (const uint8_t *)"x", 1, 0);
    tn_inject(f, n);
    assert_int_equal(tn_stats().rx_link_down, 1);
    assert_int_equal(tn_nrx, 0);
    vmio_buf_t *b = net_udp_alloc(3);
    net_udp_meta_t m = {TN_PEER_IP, 0, 9, 9};
    assert_int_equal(net_udp_send(&tn_net, b, &m), ERR_IO);
    assert_int_equal(tn_stats().tx_link_down, 1);
    assert_int_equal(tn_ntx, 0);
}

static void test_runt_every_length(void **state)
{
    (void)state;
    tn_setup(0, 0);
    uint8_t f[14];
    tn_eth(f, tn_mac, tn_peer_mac, 0x0800);
    for (size_t n = 0; n < 14; n++)
        tn_inject(f, n);
    assert_int_equal(tn_stats().eth_runt, 14);
    assert_int_equal(tn_stats().rx_frames, 14);
    tn_inject(f, 14);   /* header only: an IPv4 runt, next layer */
    assert_int_equal(tn_stats().eth_runt, 14);
    assert_int_equal(tn_stats().ip_short, 1);
    assert_int_equal(tn_ntx, 0);
}

static void test_mac_filter_and_types(void **state)
{
    (void)state;
    tn_setup(TN_SINK, 0);
    uint8_t f[128];
    static const uint8_t other[6] = {0x02, 0, 0, 0, 0, 0x99};
    static const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
    size_t n = tn_frame_udp(f, other, tn_peer_mac, TN_PEER_IP, TN_IP, 1, TN_SINK_PORT,
                            (const uint8_t *)"x", 1, 0);
    tn_inject(f, n);
    memcpy(f, mcast, 6);
    tn_inject(f, n);
    assert_int_equal(tn_stats().eth_not_for_us, 2);
    memcpy(f, tn_mac, 6);
    f[12] = 0x86; f[13] = 0xdd;     /* IPv6 */
    tn_inject(f, n);
    f[12] = 0x81; f[13] = 0x00;     /* VLAN tag */
    tn_inject(f, n);
    assert_int_equal(tn_stats().eth_unknown_type, 2);
    assert_int_equal(tn_nrx, 0);
    /* Broadcast destination MAC and our MAC are both accepted. */
    f[12] = 0x08; f[13] = 0x00;
    tn_inject(f, n);
    memcpy(f, tn_bcast_mac, 6);
    tn_inject(f, n);
    assert_int_equal(tn_nrx, 2);
}

static void test_rx_event_without_buffer(void **state)
{
    (void)state;
    tn_setup(0, 0);
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(0, TN_ID_NET, 0);
    ev.code = VMIO_EV_DATA;
    vmio_deposit(0, &ev);
    vmio_run();
    assert_int_equal(tn_stats().rx_no_buf, 1);
}

/* Driver headroom: a turned-around RX buffer with almost no headroom is moved forward
 * (slow path, counted); with no tailroom either it is dropped (counted). */
static void test_tx_realign_and_no_headroom(void **state)
{
    (void)state;
    tn_setup(TN_ECHO, 0);
    tn_learn(tn_peer_mac, TN_PEER_IP);
    uint8_t f[128], exp[128];
    size_t n = tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, 40000, TN_ECHO_PORT,
                            (const uint8_t *)"Echo1", 5, 7);
    size_t pn = tn_pad(f, n);
    tn_inject_hr(f, pn, 2);
    assert_int_equal(tn_ntx, 1);
    assert_int_equal(tn_stats().tx_realign, 1);
    size_t en = tn_pad(exp, tn_frame_udp(exp, tn_peer_mac, tn_mac, TN_IP, TN_PEER_IP, TN_ECHO_PORT,
                                        40000, (const uint8_t *)"Echo1", 5, 0));
    tn_expect_tx(0, exp, en);
    /* Full-size frame: lots of headroom -> fast path; headroom 0 -> realigned. */
    static uint8_t big[1514], pl[1472];
    memset(pl, 0xA5, sizeof pl);
    n = tn_frame_udp(big, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, 40000, TN_ECHO_PORT, pl, 1472, 8);
    assert_int_equal(n, 1514);
    tn_inject_hr(big, n, VMIO_POOL_LARGE_SIZE - 1514);
    assert_int_equal(tn_ntx, 2);
    assert_int_equal(tn_stats().tx_realign, 1);
    tn_inject_hr(big, n, 0);
    assert_int_equal(tn_ntx, 3);
    /* A frame filling a small buffer except 2 bytes of headroom: neither room -> dropped. */
    n = tn_frame_udp(big, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, 40000, TN_ECHO_PORT, pl,
                     VMIO_POOL_SMALL_SIZE - 2 - 42, 9);
    tn_inject_hr(big, n, 2);
    assert_int_equal(tn_ntx, 3);
    assert_int_equal(tn_stats().tx_no_headroom, 1);
    assert_int_equal(tn_stats().tx_realign, 2);
}

static void test_driver_refusal_counted(void **state)
{
    (void)state;
    tn_setup(TN_ECHO, 0);
    tn_learn(tn_peer_mac, TN_PEER_IP);
    tn_tx_fail = 1;
    uint8_t f[128];
    size_t n = tn_pad(f, tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, 40000,
                                      TN_ECHO_PORT, (const uint8_t *)"Echo1", 5, 7));
    tn_inject(f, n);
    assert_int_equal(tn_stats().tx_errors, 1);
    assert_int_equal(tn_ntx, 0);
    tn_tx_fail = 0;
}

static void test_console_lines(void **state)
{
    (void)state;
    tn_setup(0, 0);
    uint8_t f[8] = {0};
    tn_inject(f, 3);
    char line[512];
    int len = net_stats_line(&tn_net, 0, line, sizeof line);
    assert_true(len > 0);
    assert_string_equal(line, "net state=up mac=02:00:00:00:00:01 ip=10.0.2.15 mask=255.255.255.0 "
                              "gw=10.0.2.2 arp_valid=0 arp_pending=0");
    assert_int_equal(len, (int)strlen(line));
    len = net_stats_line(&tn_net, 1, line, sizeof line);
    assert_non_null(strstr(line, "net eth rx=1 tx=0 "));
    assert_non_null(strstr(line, " runt=1 "));
    unsigned i = 2;
    while (net_stats_line(&tn_net, i, line, sizeof line) > 0)
        i++;
    assert_int_equal(i, 6);
    assert_int_equal(net_stats_line(&tn_net, 6, line, sizeof line), 0);
    assert_string_equal(line, "");
    /* Truncation: the returned length is what was written. */
    len = net_stats_line(&tn_net, 0, line, 10);
    assert_int_equal(len, 9);
    assert_string_equal(line, "net state");
}

static void test_parse_ipv4(void **state)
{
    (void)state;
    uint32_t v;
    assert_int_equal(net_parse_ipv4("10.0.2.15", &v), 0);
    assert_int_equal(v, TN_IP);
    assert_int_equal(net_parse_ipv4("255.255.255.0", &v), 0);
    assert_int_equal(v, TN_MASK);
    static const char *const bad[] = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "1.2.3.4 ",
                                      "a.b.c.d", "1.2.3.0004", "-1.2.3.4", "1.2.3."};
    for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++)
        assert_int_equal(net_parse_ipv4(bad[k], &v), ERR_INVAL);
    assert_int_equal(net_parse_ipv4(0, &v), ERR_INVAL);
    net_addr_t a = {1, 1, 1};
    assert_int_equal(net_parse_addr("10.0.2.15/24 10.0.2.2", &a), 0);
    assert_int_equal(a.ip, TN_IP);
    assert_int_equal(a.mask, TN_MASK);
    assert_int_equal(a.gw, TN_GW);
    assert_int_equal(net_parse_addr("192.168.1.50 255.255.0.0", &a), 0);
    assert_int_equal(a.ip, NET_IPV4(192, 168, 1, 50));
    assert_int_equal(a.mask, NET_IPV4(255, 255, 0, 0));
    assert_int_equal(a.gw, 0);
    assert_int_equal(net_parse_addr("10.1.2.3/8", &a), 0);
    assert_int_equal(a.mask, NET_IPV4(255, 0, 0, 0));
    assert_int_equal(net_parse_addr("0.0.0.0", &a), 0);
    assert_int_equal(a.ip, 0);
    static const char *const bad_addr[] = {
        "", "10.0.2.15", "10.0.2.15/", "10.0.2.15/0", "10.0.2.15/31", "10.0.2.15/33", "10.0.2.15/2x",
        "10.0.2.15 255.0.255.0", "10.0.2.15 255.255.255.255", "10.0.2.0/24", "10.0.2.255/24",
        "10.0.2.15/24 10.0.3.1", "10.0.2.15/24 10.0.2.15", "10.0.2.15/24  10.0.2.2",
        "10.0.2.15/24 10.0.2.2 x", "10.0.2.15 /24", "10.0.2.15:24", "1234567890123456789/8",
    };
    a = (net_addr_t){7, 7, 7};
    for (unsigned k = 0; k < sizeof bad_addr / sizeof bad_addr[0]; k++) {
        if (net_parse_addr(bad_addr[k], &a) != ERR_INVAL)
            fail_msg("accepted: \"%s\"", bad_addr[k]);
    }
    assert_int_equal(a.ip, 7);
    assert_int_equal(net_parse_addr(0, &a), ERR_INVAL);
    vmio_init(1);   /* teardown runs on a fresh engine */
    tn_setup(0, 0);
}

static void test_init_arguments(void **state)
{
    (void)state;
    tn_setup(0, 0);
    net_t other;
    net_config_t cfg;
    net_config_default(&cfg);
    assert_int_equal(net_init(&other, 9, &cfg, &tn_timers), ERR_INVAL);   /* no tx */
    assert_int_equal(net_init(0, 9, &cfg, &tn_timers), ERR_INVAL);
    assert_int_equal(cfg.addr.ip, NET_DEFAULT_IP);
    assert_int_equal(net_udp_bind(&tn_net, 0, vmio_addr(0, 5, 0)), ERR_INVAL);
    assert_int_equal(net_udp_bind(&tn_net, 100, vmio_addr(0, 5, 0)), 0);
    assert_int_equal(net_udp_bind(&tn_net, 100, vmio_addr(0, 5, 0)), ERR_BUSY);
    for (uint16_t p = 101; p < 100 + NET_UDP_PORTS; p++)
        assert_int_equal(net_udp_bind(&tn_net, p, vmio_addr(0, 5, 0)), 0);
    assert_int_equal(net_udp_bind(&tn_net, 999, vmio_addr(0, 5, 0)), ERR_NOSPC);
    assert_int_equal(net_udp_unbind(&tn_net, 100), 0);
    assert_int_equal(net_udp_unbind(&tn_net, 100), ERR_EMPTY);
    assert_int_equal(net_udp_bind(&tn_net, 999, vmio_addr(0, 5, 0)), 0);
}

/* Every (state, event) row of net's table: each event in each state, staying there. */
static void test_rows_every_state(void **state)
{
    (void)state;
    tn_setup(TN_NOLINK | TN_NOADDR, 0);
    for (uint8_t st = 0; st < NET_S_COUNT; st++) {
        if (st == NET_S_NOADDR)
            tn_link(1);
        net_addr_t a = {st == NET_S_UP ? TN_IP : 0, TN_MASK, TN_GW};
        vmio_event_t ev;
        net_set_addr_event(&ev, vmio_addr(0, TN_ID_NET, 0), &a);
        ev.src = vmio_addr(0, TN_ID_SINK, 0);
        assert_int_equal(vmio_deposit(VMIO_LEVEL_APP, &ev), 0);
        vmio_run();
        assert_int_equal(tn_net.aut.state, st);
        tn_link(st != NET_S_DOWN);                      /* link event, same state */
        assert_int_equal(tn_net.aut.state, st);
        uint8_t f[4] = {0};
        tn_inject(f, 4);                                /* DATA */
        ev = (vmio_event_t){0};
        ev.dst = vmio_addr(0, TN_ID_NET, 0);
        ev.code = NET_EV_ARP_TIMER;                     /* stale expiry */
        ev.arg = tn_net.arp_timer.gen + 1;
        vmio_deposit(0, &ev);
        ev.code = NET_EV_UDP_SEND;
        net_udp_meta_t m = {NET_IP_BCAST, 0, 9, 9};
        net_udp_meta_put(&ev, &m);
        ev.buf = net_udp_alloc(1);
        ev.buf->data[0] = 0;
        vmio_deposit(0, &ev);
        vmio_run();
        assert_int_equal(vmio_send(&tn_sink, vmio_addr(0, TN_ID_NET, 0), VMIO_EV_RESET, VMIO_F_REQ, 0, 0, 0, 1), 0);
        vmio_run();
        assert_int_equal(tn_net.aut.state, st);
    }
    net_stats_t s = tn_stats();
    assert_int_equal(s.rx_link_down, 1);
    assert_int_equal(s.tx_link_down, 1);
    assert_int_equal(tn_ntx, 2);                        /* the broadcasts in NOADDR and UP */
}

#define T(f) cmocka_unit_test_teardown(f, teardown)
int fw_net_eth_tests(void)
{
    const struct CMUnitTest tests[] = {
        T(test_link_states),
        T(test_frames_while_down_counted),
        T(test_runt_every_length),
        T(test_mac_filter_and_types),
        T(test_rx_event_without_buffer),
        T(test_tx_realign_and_no_headroom),
        T(test_driver_refusal_counted),
        T(test_console_lines),
        T(test_parse_ipv4),
        T(test_init_arguments),
        T(test_rows_every_state),
    };
    return cmocka_run_group_tests_name("net_eth", tests, NULL, NULL);
}

#ifndef SK_COV_ALL
int main(void)
{
    return fw_net_eth_tests();
}
#endif
