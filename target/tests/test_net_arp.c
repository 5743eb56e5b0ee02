/* net_arp: ARP in io/net.c — replies (exact bytes, in place), RFC 826 merge rules,
 * malformed and truncated packets, resolution with retries and timeouts (exact request
 * count and timing), the bounded queue, aging, eviction, rate-bounded replies under a
 * storm, conflicts and our own packets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "net_test_util.h"
#include "plat_host.h"

static const uint8_t zero6[6];

static int teardown(void **state)
{
    (void)state;
    tn_teardown();
    return 0;
}

static void test_reply_exact_bytes(void **state)
{
    (void)state;
    tn_setup(0, 0);
    uint8_t f[64], exp[64];
    size_t n = tn_pad(f, tn_frame_arp(f, tn_bcast_mac, 1, tn_peer_mac, TN_PEER_IP, zero6, TN_IP));
    tn_inject(f, n);
    assert_int_equal(tn_ntx, 1);
    size_t k = tn_eth(exp, tn_peer_mac, tn_mac, 0x0806);
    k += tn_arp(exp + k, 2, tn_mac, TN_IP, tn_peer_mac, TN_PEER_IP);
    tn_expect_tx(0, exp, tn_pad(exp, k));
    assert_int_equal(tn_stats().arp_rep_tx, 1);
    /* The requester was learned (we are its target). */
    uint8_t mac[6];
    assert_int_equal(net_arp_lookup(&tn_net, TN_PEER_IP, mac), 0);
    assert_memory_equal(mac, tn_peer_mac, 6);
    /* Unpadded 42-byte request also answered (some stacks send it so). */
    n = tn_frame_arp(f, tn_mac, 1, tn_host_mac, TN_HOST_IP, zero6, TN_IP);
    tn_inject(f, n);
    assert_int_equal(tn_ntx, 2);
}

static void test_requests_for_others_not_learned(void **state)
{
    (void)state;
    tn_setup(0, 0);
    uint8_t f[64], mac[6];
    size_t n = tn_pad(f, tn_frame_arp(f, tn_bcast_mac, 1, tn_peer_mac, TN_PEER_IP, zero6, TN_HOST_IP));
    tn_inject(f, n);
    assert_int_equal(tn_ntx, 0);
    assert_int_equal(tn_stats().arp_not_for_us, 1);
    assert_int_equal(net_arp_lookup(&tn_net, TN_PEER_IP, mac), ERR_EMPTY);
    /* ... but an entry we already have is refreshed with the new MAC (merge). */
    tn_learn(tn_peer_mac, TN_PEER_IP);
    n = tn_pad(f, tn_frame_arp(f, tn_bcast_mac, 1, tn_host_mac, TN_PEER_IP, zero6, TN_HOST_IP));
    tn_inject(f, n);
    assert_int_equal(net_arp_lookup(&tn_net, TN_PEER_IP, mac), 0);
    assert_memory_equal(mac, tn_host_mac, 6);
}

static void test_malformed_and_truncated(void **state)
{
    (void)state;
    tn_setup(0, 0);
    uint8_t f[64];
    size_t n = tn_frame_arp(f, tn_bcast_mac, 1, tn_peer_mac, TN_PEER_IP, zero6, TN_IP);
    for (size_t len = 14; len < n; len++)
        tn_inject(f, len);
    assert_int_equal(tn_stats().arp_short, n - 14);
    static const struct { unsigned off; uint8_t val; } bad[] = {
        {15, 2},        /* htype 2 */
        {16, 0x86},     /* ptype 0x86xx */
        {18, 8},        /* hlen */
        {19, 16},       /* plen */
        {21, 3},        /* op 3 (RARP) */
        {21, 0},        /* op 0 */
        {22, 0x01},     /* multicast sender MAC */
    };
    for (unsigned k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        uint8_t g[64];
        memcpy(g, f, n);
        g[bad[k].off] = bad[k].val;
        tn_inject(g, tn_pad(g, n));
    }
    assert_int_equal(tn_stats().arp_bad, 7);
    assert_int_equal(tn_ntx, 0);
    /* Our own MAC as sender (a loop), our IP claimed by another MAC (conflict). */
    n = tn_pad(f, tn_frame_arp(f, tn_bcast_mac, 1, tn_mac, TN_PEER_IP, zero6, TN_IP));
    tn_inject(f, n);
    assert_int_equal(tn_stats().arp_own, 1);
    n = tn_pad(f, tn_frame_arp(f, tn_bcast_mac, 2, tn_peer_mac, TN_IP, zero6, TN_IP));
    tn_inject(f, n);
    assert_int_equal(tn_stats().arp_conflict, 1);
    assert_int_equal(tn_ntx, 0);
}

static void test_silent_without_address(void **state)
{
    (void)state;
    tn_setup(TN_NOADDR, 0);
    uint8_t f[64];
    size_t n = tn_pad(f, tn_frame_arp(f, tn_bcast_mac, 1, tn_peer_mac, TN_PEER_IP, zero6, 0));
    tn_inject(f, n);
    assert_int_equal(tn_stats().arp_no_addr, 1);
    assert_int_equal(tn_ntx, 0);
}

static void send_udp(uint32_t dst, const char *s)
{
    vmio_buf_t *b = net_udp_alloc(strlen(s));
    assert_non_null(b);
    memcpy(b->data, s, strlen(s));
    net_udp_meta_t m = {dst, 0, 7, 1234};
    net_udp_send(&tn_net, b, &m);
}

static void expect_request(unsigned i, uint32_t target)
{
    uint8_t exp[64];
    size_t k = tn_eth(exp, tn_bcast_mac, tn_mac, 0x0806);
    k += tn_arp(exp + k, 1, tn_mac, TN_IP, zero6, target);
    tn_expect_tx(i, exp, tn_pad(exp, k));
}

/* Resolution: request, queued packets, reply -> the queue leaves in order, exact bytes. */
static void test_resolution_flushes_queue(void **state)
{
    (void)state;
    tn_setup(0, 0);
    send_udp(TN_HOST_IP, "one");
    send_udp(TN_HOST_IP, "two");
    assert_int_equal(tn_ntx, 1);
    expect_request(0, TN_HOST_IP);
    assert_int_equal(tn_stats().arp_queued, 2);
    char line[256];
    net_stats_line(&tn_net, 0, line, sizeof line);
    assert_non_null(strstr(line, "arp_valid=0 arp_pending=1"));
    uint8_t f[64], exp[128];
    size_t n = tn_pad(f, tn_frame_arp(f, tn_mac, 2, tn_host_mac, TN_HOST_IP, tn_mac, TN_IP));
    tn_inject(f, n);
    assert_int_equal(tn_ntx, 3);
    tn_expect_tx(1, exp, tn_pad(exp, tn_frame_udp(exp, tn_host_mac, tn_mac, TN_IP, TN_HOST_IP, 1234, 7,
                                                 (const uint8_t *)"one", 3, 0)));
    tn_expect_tx(2, exp, tn_pad(exp, tn_frame_udp(exp, tn_host_mac, tn_mac, TN_IP, TN_HOST_IP, 1234, 7,
                                                 (const uint8_t *)"two", 3, 1)));
    /* Now resolved: no more requests, direct send. */
    send_udp(TN_HOST_IP, "three");
    assert_int_equal(tn_ntx, 4);
    assert_memory_equal(tn_tx[3].b, tn_host_mac, 6);
    /* Off-link destinations go through the gateway's MAC. */
    tn_learn(tn_peer_mac, TN_GW);
    send_udp(TN_FAR_IP, "far");
    assert_int_equal(tn_ntx, 5);
    assert_memory_equal(tn_tx[4].b, tn_peer_mac, 6);
}

/* Retries every arp_retry_us (granularity: the sweep period), then the timeout drops the
 * queue (counted). */
static void test_retries_and_timeout(void **state)
{
    (void)state;
    net_config_t cfg;
    net_config_default(&cfg);
    cfg.addr = (net_addr_t){TN_IP, TN_MASK, TN_GW};
    cfg.arp_retry_us = 1000000;
    cfg.arp_sweep_us = 100000;
    cfg.arp_tries = 3;
    tn_setup(0, &cfg);
    send_udp(TN_HOST_IP, "a");
    send_udp(TN_HOST_IP, "b");
    assert_int_equal(tn_ntx, 1);
    /* 0.9 s: nothing; 1.0 s: second request; 2.0 s: third; 3.0 s: give up. */
    for (unsigned t = 1; t <= 9; t++)
        tn_tick(100000);
    assert_int_equal(tn_ntx, 1);
    tn_tick(100000);
    assert_int_equal(tn_ntx, 2);
    expect_request(1, TN_HOST_IP);
    for (unsigned t = 1; t <= 10; t++)
        tn_tick(100000);
    assert_int_equal(tn_ntx, 3);
    expect_request(2, TN_HOST_IP);
    assert_int_equal(tn_stats().arp_timeouts, 0);
    for (unsigned t = 1; t <= 10; t++)
        tn_tick(100000);
    assert_int_equal(tn_ntx, 3);
    assert_int_equal(tn_stats().arp_timeouts, 1);
    assert_int_equal(tn_stats().arp_unresolved, 2);
    assert_int_equal(tn_stats().arp_req_tx, 3);
    assert_int_equal(vmio_buf_outstanding(), 0);
    /* A late reply addressed to us creates an entry (RFC 826: we are its target) and has
     * nothing left to send. */
    uint8_t f[64], mac[6];
    tn_inject(f, tn_pad(f, tn_frame_arp(f, tn_mac, 2, tn_host_mac, TN_HOST_IP, tn_mac, TN_IP)));
    assert_int_equal(tn_ntx, 3);
    assert_int_equal(net_arp_lookup(&tn_net, TN_HOST_IP, mac), 0);
}

static void test_queue_bounded(void **state)
{
    (void)state;
    tn_setup(0, 0);
    for (unsigned i = 0; i < NET_ARP_QLEN + 3; i++)
        send_udp(TN_HOST_IP, "q");
    assert_int_equal(tn_stats().arp_queued, NET_ARP_QLEN);
    assert_int_equal(tn_stats().arp_queue_full, 3);
    assert_int_equal(tn_ntx, 1);    /* one request, not one per packet */
    /* Every entry pending (each holds a queue): a new destination finds no slot. */
    for (unsigned i = 1; i < NET_ARP_ENTRIES; i++)
        send_udp(NET_IPV4(10, 0, 2, 100 + i), "p");
    send_udp(NET_IPV4(10, 0, 2, 200), "full");
    assert_int_equal(tn_stats().arp_table_full, 1);
    assert_int_equal(tn_ntx, NET_ARP_ENTRIES);
}

static void test_aging_and_eviction(void **state)
{
    (void)state;
    net_config_t cfg;
    net_config_default(&cfg);
    cfg.addr = (net_addr_t){TN_IP, TN_MASK, TN_GW};
    cfg.arp_ttl_us = 10000000;
    cfg.arp_sweep_us = 1000000;
    tn_setup(0, &cfg);
    uint8_t mac[6], hm[6];
    memcpy(hm, tn_host_mac, 6);
    hm[4] = 0x33;   /* never our own MAC whatever hm[5] is */
    for (unsigned i = 0; i < NET_ARP_ENTRIES; i++) {
        hm[5] = (uint8_t)i;
        tn_learn(hm, NET_IPV4(10, 0, 2, 100 + i));
        plat_host_now += 1000;      /* distinct ages: entry 0 is the oldest */
    }
    hm[5] = 0x77;
    tn_learn(hm, NET_IPV4(10, 0, 2, 77));
    assert_int_equal(tn_stats().arp_evict, 1);
    assert_int_equal(net_arp_lookup(&tn_net, NET_IPV4(10, 0, 2, 100), mac), ERR_EMPTY);
    assert_int_equal(net_arp_lookup(&tn_net, NET_IPV4(10, 0, 2, 77), mac), 0);
    /* Ten seconds later everything has expired. */
    for (unsigned t = 0; t < 11; t++)
        tn_tick(1000000);
    assert_int_equal(tn_stats().arp_expired, NET_ARP_ENTRIES);
    assert_int_equal(net_arp_lookup(&tn_net, NET_IPV4(10, 0, 2, 77), mac), ERR_EMPTY);
}

/* A storm of requests for our address: at most arp_reply_burst replies per sweep period,
 * the rest counted; the budget comes back with the next sweep. */
static void test_storm_rate_bounded(void **state)
{
    (void)state;
    net_config_t cfg;
    net_config_default(&cfg);
    cfg.addr = (net_addr_t){TN_IP, TN_MASK, TN_GW};
    cfg.arp_reply_burst = 4;
    cfg.arp_sweep_us = 100000;
    tn_setup(0, &cfg);
    uint8_t f[64], hm[6];
    memcpy(hm, tn_host_mac, 6);
    hm[4] = 0x33;   /* never our own MAC whatever hm[5] is */
    for (unsigned i = 0; i < 200; i++) {
        hm[5] = (uint8_t)i;
        tn_inject(f, tn_pad(f, tn_frame_arp(f, tn_bcast_mac, 1, hm, NET_IPV4(10, 0, 1, 1 + i),
                                           zero6, TN_IP)));
    }
    assert_int_equal(tn_ntx, 4);
    assert_int_equal(tn_stats().arp_rate_limited, 196);
    assert_int_equal(tn_stats().arp_req_rx, 200);
    tn_tick(100000);
    tn_inject(f, tn_pad(f, tn_frame_arp(f, tn_bcast_mac, 1, tn_peer_mac, TN_PEER_IP, zero6, TN_IP)));
    assert_int_equal(tn_ntx, 5);
}

static void test_link_down_flushes(void **state)
{
    (void)state;
    tn_setup(0, 0);
    send_udp(TN_HOST_IP, "x");
    assert_int_equal(vmio_buf_outstanding(), 1);
    tn_link(0);
    assert_int_equal(vmio_buf_outstanding(), 0);
    assert_int_equal(tn_stats().arp_unresolved, 1);
    /* RESET request flushes too. */
    tn_link(1);
    send_udp(TN_HOST_IP, "y");
    assert_int_equal(vmio_send(&tn_sink, vmio_addr(0, TN_ID_NET, 0), VMIO_EV_RESET, VMIO_F_REQ, 0, 0, 0, 1), 0);
    vmio_run();
    assert_int_equal(vmio_buf_outstanding(), 0);
    /* A stale ARP timer expiry (generation mismatch) does nothing. */
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(0, TN_ID_NET, 0);
    ev.code = NET_EV_ARP_TIMER;
    ev.arg = tn_net.arp_timer.gen + 5;
    vmio_deposit(0, &ev);
    vmio_run();
}

#define T(f) cmocka_unit_test_teardown(f, teardown)
int fw_net_arp_tests(void)
{
    const struct CMUnitTest tests[] = {
        T(test_reply_exact_bytes),
        T(test_requests_for_others_not_learned),
        T(test_malformed_and_truncated),
        T(test_silent_without_address),
        T(test_resolution_flushes_queue),
        T(test_retries_and_timeout),
        T(test_queue_bounded),
        T(test_aging_and_eviction),
        T(test_storm_rate_bounded),
        T(test_link_down_flushes),
    };
    return cmocka_run_group_tests_name("net_arp", tests, NULL, NULL);
}

#ifndef SK_COV_ALL
int main(void)
{
    return fw_net_arp_tests();
}
#endif
