/* net_echo: the UDP echo service end to end through a fake NIC — exact reply bytes for
 * several sizes (5-byte "Echo1" as in the paper up to 1472), from a sender whose MAC is
 * learned by ARP first or resolved on demand, zero copy (one buffer allocation per echo:
 * the driver's RX buffer, which leaves as the reply), many echoes without a leak, and the
 * configurable port. */
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

static uint32_t allocs(void)
{
    vmio_buf_stats_t s;
    vmio_buf_get_stats(&s);
    return s.pool[VMIO_POOL_SMALL].allocs + s.pool[VMIO_POOL_LARGE].allocs;
}

static void echo_once(const uint8_t *d, size_t n, uint16_t sport, uint16_t id)
{
    static uint8_t f[1600], exp[1600];
    tn_clear();
    size_t fl = tn_pad(f, tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, sport,
                                       TN_ECHO_PORT, d, n, id));
    uint32_t a0 = allocs();
    uint16_t out_id = tn_net.ip_id;
    tn_inject(f, fl);
    assert_int_equal(allocs() - a0, 1);         /* the RX buffer only: zero copy */
    assert_int_equal(tn_ntx, 1);
    size_t el = tn_pad(exp, tn_frame_udp(exp, tn_peer_mac, tn_mac, TN_IP, TN_PEER_IP, TN_ECHO_PORT,
                                         sport, d, n, out_id));
    tn_expect_tx(0, exp, el);
    assert_int_equal(vmio_buf_outstanding(), 0);
}

static void test_echo_sizes(void **state)
{
    (void)state;
    tn_setup(TN_ECHO, 0);
    tn_learn(tn_peer_mac, TN_PEER_IP);
    static uint8_t d[1472];
    for (unsigned i = 0; i < sizeof d; i++)
        d[i] = (uint8_t)(i * 13 + 1);
    echo_once((const uint8_t *)"Echo1", 5, 40000, 1);
    static const size_t sizes[] = {0, 1, 17, 18, 19, 64, 512, 1000, 1471, 1472};
    for (unsigned k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        echo_once(d, sizes[k], (uint16_t)(50000 + k), (uint16_t)k);
    udp_echo_stats_t es;
    udp_echo_get_stats(&tn_echo, &es);
    assert_int_equal(es.rx, 11);
    assert_int_equal(es.tx, 11);
    assert_int_equal(tn_stats().udp_tx, 11);
}

static void test_echo_many_no_leak(void **state)
{
    (void)state;
    tn_setup(TN_ECHO, 0);
    tn_learn(tn_peer_mac, TN_PEER_IP);
    for (unsigned i = 0; i < 1000; i++)
        echo_once((const uint8_t *)"Echo1", 5, (uint16_t)(1024 + i), (uint16_t)i);
    vmio_buf_stats_t s;
    vmio_buf_get_stats(&s);
    assert_int_equal(s.pool[VMIO_POOL_LARGE].high_water + s.pool[VMIO_POOL_SMALL].high_water, 1);
}

/* The sender is unknown: the reply waits for ARP, then leaves with the right bytes. */
static void test_echo_resolves_sender(void **state)
{
    (void)state;
    tn_setup(TN_ECHO, 0);
    uint8_t f[128], exp[128];
    size_t fl = tn_pad(f, tn_frame_udp(f, tn_mac, tn_host_mac, TN_HOST_IP, TN_IP, 7777, TN_ECHO_PORT,
                                       (const uint8_t *)"Echo1", 5, 1));
    tn_inject(f, fl);
    assert_int_equal(tn_ntx, 1);                        /* ARP request */
    assert_int_equal(tn_tx[0].b[12], 0x08);
    assert_int_equal(tn_tx[0].b[13], 0x06);
    tn_inject(f, tn_pad(f, tn_frame_arp(f, tn_mac, 2, tn_host_mac, TN_HOST_IP, tn_mac, TN_IP)));
    assert_int_equal(tn_ntx, 2);
    tn_expect_tx(1, exp, tn_pad(exp, tn_frame_udp(exp, tn_host_mac, tn_mac, TN_IP, TN_HOST_IP,
                                                 TN_ECHO_PORT, 7777, (const uint8_t *)"Echo1", 5, 0)));
}

/* A broadcast echo request is answered to the sender by unicast from our address. */
static void test_echo_broadcast_request(void **state)
{
    (void)state;
    tn_setup(TN_ECHO, 0);
    tn_learn(tn_peer_mac, TN_PEER_IP);
    uint8_t f[128], exp[128];
    tn_inject(f, tn_pad(f, tn_frame_udp(f, tn_bcast_mac, tn_peer_mac, TN_PEER_IP, NET_IP_BCAST, 7000,
                                        TN_ECHO_PORT, (const uint8_t *)"hi", 2, 1)));
    tn_expect_tx(0, exp, tn_pad(exp, tn_frame_udp(exp, tn_peer_mac, tn_mac, TN_IP, TN_PEER_IP,
                                                 TN_ECHO_PORT, 7000, (const uint8_t *)"hi", 2, 0)));
}

static void test_echo_default_port_and_bad_events(void **state)
{
    (void)state;
    tn_setup(0, 0);
    udp_echo_t e7;
    assert_int_equal(udp_echo_init(&e7, 9, &tn_net, 0), 0);
    assert_int_equal(e7.port, UDP_ECHO_PORT_DEFAULT);
    assert_int_equal(udp_echo_init(&tn_echo, 10, &tn_net, 7), ERR_BUSY);   /* port taken */
    tn_learn(tn_peer_mac, TN_PEER_IP);
    uint8_t f[128];
    tn_inject(f, tn_pad(f, tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, 1000, 7,
                                        (const uint8_t *)"seven", 5, 1)));
    assert_int_equal(tn_ntx, 1);
    assert_int_equal(tn_tx[0].b[34], 0);   /* source port 7 */
    assert_int_equal(tn_tx[0].b[35], 7);
    /* DATA without meta / without buffer: counted, nothing sent. */
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(0, 9, 0);
    ev.code = VMIO_EV_DATA;
    ev.buf = net_udp_alloc(1);
    vmio_post(&ev, 1);
    ev.buf = 0;
    vmio_post(&ev, 1);
    assert_int_equal(vmio_send(&tn_sink, vmio_addr(0, 9, 0), VMIO_EV_RESET, VMIO_F_REQ, 0, 0, 0, 1), 0);
    vmio_run();
    udp_echo_stats_t es;
    udp_echo_get_stats(&e7, &es);
    assert_int_equal(es.bad, 2);
    assert_int_equal(es.rx, 1);
    assert_int_equal(tn_ntx, 1);
}

/* Datagrams from the ports of answer-anything services are not echoed (loop guard). */
static void test_echo_loop_guard(void **state)
{
    (void)state;
    tn_setup(TN_ECHO, 0);
    tn_learn(tn_peer_mac, TN_PEER_IP);
    static const uint16_t ports[] = {7, 13, 17, 19, 37};
    uint8_t f[128];
    for (unsigned k = 0; k < 5; k++)
        tn_inject(f, tn_pad(f, tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, ports[k],
                                            TN_ECHO_PORT, (const uint8_t *)"loop", 4, (uint16_t)k)));
    assert_int_equal(tn_ntx, 0);
    udp_echo_stats_t es;
    udp_echo_get_stats(&tn_echo, &es);
    assert_int_equal(es.loop_guard, 5);
    tn_inject(f, tn_pad(f, tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, 8, TN_ECHO_PORT,
                                        (const uint8_t *)"ok", 2, 9)));
    assert_int_equal(tn_ntx, 1);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)
int fw_net_echo_tests(void)
{
    const struct CMUnitTest tests[] = {
        T(test_echo_sizes),
        T(test_echo_many_no_leak),
        T(test_echo_resolves_sender),
        T(test_echo_broadcast_request),
        T(test_echo_default_port_and_bad_events),
        T(test_echo_loop_guard),
    };
    return cmocka_run_group_tests_name("net_echo", tests, NULL, NULL);
}

#ifndef SK_COV_ALL
int main(void)
{
    return fw_net_echo_tests();
}
#endif
