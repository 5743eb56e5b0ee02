/* fw_sk_udp: the serverkernel's UDP transport (sk/udp.c) on the host, through the real net
 * automaton and the fake NIC of net_test_util.c (ASan+UBSan). A fake executive answers each
 * message with a recognisable reply; checked: the message reaches it byte for byte and only
 * at application level (sk_udp_poll), the reply leaves as one datagram (reply ‖ CRC-32) to
 * the sender's MAC/IP/port from port 7700, every drop path is counted and never answered
 * (short, bad CRC, oversized, node-to-client type, ring full), the ring keeps arrival order,
 * broadcast adverts every period only with the network up and the node idle, an advert slot
 * still unsent is not overwritten, and no buffer is left at the end (tn_teardown). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib/crc.h"
#include "net_test_util.h"
#include "sk/udp.h"

#define SKU_ID 9
#define PEER_PORT 40000u

static sk_udp_t sku;
static unsigned nhandled, advert_idle = 1;
static uint8_t last_msg[SK_UDP_DGRAM_MAX];
static size_t last_len;
static uint16_t order[64];
static int fake_reply_len = -1; /* -1: echo-like reply, 0: no reply */

/* reply: type ADVERT-ish marker 0x7F, the request's tid, then the request's bytes reversed */
static int fake_handle(const uint8_t *msg, size_t len, uint8_t *reply, size_t cap)
{
    memcpy(last_msg, msg, len);
    last_len = len;
    if (nhandled < 64)
        order[nhandled] = (uint16_t)(msg[2] | msg[3] << 8);
    nhandled++;
    if (fake_reply_len == 0)
        return 0;
    assert_true(cap >= len + 4);
    reply[0] = 1;
    reply[1] = 0x7F;
    reply[2] = msg[2];
    reply[3] = msg[3];
    for (size_t i = 0; i < len; i++)
        reply[4 + i] = msg[len - 1 - i];
    return (int)len + 4;
}

static int fake_advert(uint8_t *buf, size_t cap)
{
    if (!advert_idle)
        return 0;
    assert_true(cap >= 8);
    memcpy(buf, "\x01\x02\x00\x00" "ADV!", 8);
    return 8;
}

static void setup(unsigned flags)
{
    tn_setup(flags, 0);
    nhandled = 0;
    advert_idle = 1;
    fake_reply_len = -1;
    const sk_udp_cfg_t cfg = {.handle = fake_handle, .advert = fake_advert, .adverts = 0};
    assert_int_equal(sk_udp_init(&sku, SKU_ID, &tn_net, &cfg), 0);
    if (!(flags & (TN_NOADDR | TN_NOLINK)))
        tn_learn(tn_peer_mac, TN_PEER_IP);
}

/* A datagram from the peer to port 7700: msg ‖ CRC (crc_xor spoils it). */
static void send_dgram(const uint8_t *msg, size_t n, uint32_t crc_xor)
{
    uint8_t d[SK_UDP_DGRAM_MAX + 16], f[1600];
    memcpy(d, msg, n);
    uint32_t c = crc32(msg, n) ^ crc_xor;
    d[n] = (uint8_t)c, d[n + 1] = (uint8_t)(c >> 8), d[n + 2] = (uint8_t)(c >> 16), d[n + 3] = (uint8_t)(c >> 24);
    tn_inject(f, tn_pad(f, tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, PEER_PORT, SK_UDP_PORT, d, n + 4, 1)));
}

static void send_raw(const uint8_t *d, size_t n)
{
    uint8_t f[1600];
    tn_inject(f, tn_pad(f, tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, PEER_PORT, SK_UDP_PORT, d, n, 1)));
}

static void poll_and_run(uint64_t now)
{
    sk_udp_poll(&sku, now);
    while (vmio_run())
        ;
}

/* Captured frame i: UDP to (mac, ip, port) from 7700 carrying exp ‖ CRC-32(exp). */
static void expect_dgram(unsigned i, const uint8_t *mac, uint32_t ip, uint16_t port, const uint8_t *exp, size_t n)
{
    assert_true(i < tn_ntx);
    const uint8_t *f = tn_tx[i].b;
    assert_memory_equal(f, mac, 6);
    assert_int_equal(f[23], 17);
    uint32_t dst = (uint32_t)f[30] << 24 | (uint32_t)f[31] << 16 | (uint32_t)f[32] << 8 | f[33];
    assert_int_equal(dst, ip);
    assert_int_equal(f[34] << 8 | f[35], SK_UDP_PORT);
    assert_int_equal(f[36] << 8 | f[37], port);
    assert_int_equal(f[38] << 8 | f[39], 8 + n + 4);
    assert_memory_equal(f + 42, exp, n);
    uint32_t c = crc32(exp, n);
    assert_int_equal(f[42 + n] | f[43 + n] << 8 | f[44 + n] << 16 | (uint32_t)f[45 + n] << 24, c);
}

static void test_request_reply(void **state)
{
    (void)state;
    setup(0);
    const uint8_t info[] = {1, SK_MSG_INFO_REQ, 0x34, 0x12};
    send_dgram(info, sizeof info, 0);
    assert_int_equal(nhandled, 0); /* VMIO level only queued it */
    assert_true(sk_udp_pending(&sku));
    assert_int_equal(tn_ntx, 0);
    poll_and_run(1000);
    assert_int_equal(nhandled, 1);
    assert_int_equal(last_len, sizeof info);
    assert_memory_equal(last_msg, info, sizeof info);
    assert_false(sk_udp_pending(&sku));
    const uint8_t want[] = {1, 0x7F, 0x34, 0x12, 0x12, 0x34, SK_MSG_INFO_REQ, 1};
    assert_int_equal(tn_ntx, 1);
    expect_dgram(0, tn_peer_mac, TN_PEER_IP, PEER_PORT, want, sizeof want);
    assert_int_equal(sku.stats.rx, 1);
    assert_int_equal(sku.stats.tx, 1);
    /* no reply from the executive: nothing sent, the slot is free again */
    fake_reply_len = 0;
    tn_clear();
    send_dgram(info, sizeof info, 0);
    poll_and_run(2000);
    assert_int_equal(tn_ntx, 0);
    assert_int_equal(nhandled, 2);
    assert_int_equal(sku.slot[1].state, SK_UDP_SLOT_FREE);
    tn_teardown();
}

static void test_drops_counted(void **state)
{
    (void)state;
    setup(0);
    const uint8_t info[] = {1, SK_MSG_INFO_REQ, 1, 0};
    send_dgram(info, sizeof info, 0x1);             /* bad CRC */
    send_raw((const uint8_t *)"\x01\x03\x00", 3);   /* short */
    const uint8_t adv[] = {1, SK_MSG_ADVERT, 0, 0, 9, 9, 9, 9};
    send_dgram(adv, sizeof adv, 0);                 /* node-to-client: not a request */
    const uint8_t err[] = {1, SK_MSG_ERROR, 5, 0, 0xc4, 0xff, 3};
    send_dgram(err, sizeof err, 0);
    static uint8_t big[SK_PROTO_MSG_MAX + 1];
    big[0] = 1, big[1] = SK_MSG_UPLOAD_CHUNK;
    send_dgram(big, sizeof big, 0);                 /* one byte over the largest message */
    poll_and_run(1000);
    assert_int_equal(nhandled, 0);
    assert_int_equal(tn_ntx, 0);
    assert_int_equal(sku.stats.rx_bad_crc, 1);
    assert_int_equal(sku.stats.rx_short, 1);
    assert_int_equal(sku.stats.rx_not_request, 2);
    assert_int_equal(sku.stats.rx_too_big, 1);
    assert_int_equal(sku.stats.rx, 0);
    char line[300];
    int n = sk_udp_stats_line(&sku, line, sizeof line);
    assert_true(n > 0 && (size_t)n < sizeof line);
    assert_non_null(strstr(line, "bad_crc=1 too_big=1 not_request=2"));
    tn_teardown();
}

static void test_ring_full_and_order(void **state)
{
    (void)state;
    setup(0);
    uint8_t m[] = {1, SK_MSG_UPLOAD_CHUNK, 0, 0, 0, 0, 0xAA};
    for (unsigned i = 0; i < SK_UDP_SLOTS + 3; i++) {
        m[2] = (uint8_t)i;
        m[3] = (uint8_t)(i >> 8);
        send_dgram(m, sizeof m, 0);
    }
    assert_int_equal(sku.stats.rx, SK_UDP_SLOTS);
    assert_int_equal(sku.stats.rx_drop_full, 3);
    poll_and_run(1000);
    assert_int_equal(nhandled, SK_UDP_SLOTS);
    for (unsigned i = 0; i < SK_UDP_SLOTS; i++)
        assert_int_equal(order[i], i);
    assert_int_equal(tn_ntx, SK_UDP_SLOTS);
    assert_int_equal(sku.stats.tx, SK_UDP_SLOTS);
    /* the ring goes round: room again */
    m[2] = 0x55;
    send_dgram(m, sizeof m, 0);
    poll_and_run(2000);
    assert_int_equal(nhandled, SK_UDP_SLOTS + 1);
    assert_int_equal(order[SK_UDP_SLOTS], 0x55);
    tn_teardown();
}

static void test_reply_without_buffer(void **state)
{
    (void)state;
    setup(0);
    const uint8_t info[] = {1, SK_MSG_INFO_REQ, 7, 0};
    send_dgram(info, sizeof info, 0);
    /* exhaust the pool that a reply would come from */
    vmio_buf_t *held[VMIO_POOL_SMALL_N + VMIO_POOL_LARGE_N];
    unsigned nh = 0;
    vmio_buf_t *b;
    while (nh < sizeof held / sizeof held[0] && (b = net_udp_alloc(12)) != 0)
        held[nh++] = b;
    poll_and_run(1000);
    assert_int_equal(sku.stats.tx_no_buf, 1);
    assert_int_equal(tn_ntx, 0);
    assert_int_equal(sku.slot[0].state, SK_UDP_SLOT_FREE);
    while (nh)
        vmio_buf_free(held[--nh]);
    tn_teardown();
}

static void test_adverts(void **state)
{
    (void)state;
    setup(0);
    const uint8_t adv[] = {1, 2, 0, 0, 'A', 'D', 'V', '!'};
    uint64_t t = 5000000;
    poll_and_run(t - 1);                             /* off (the default here): none */
    assert_int_equal(tn_ntx, 0);
    sk_udp_set_adverts(&sku, 1);
    poll_and_run(t);
    assert_int_equal(tn_ntx, 1);
    expect_dgram(0, tn_bcast_mac, NET_IP_BCAST, SK_UDP_PORT, adv, sizeof adv);
    poll_and_run(t + SK_UDP_ADV_PERIOD_US - 1);     /* not yet */
    assert_int_equal(tn_ntx, 1);
    poll_and_run(t + SK_UDP_ADV_PERIOD_US);
    assert_int_equal(tn_ntx, 2);
    advert_idle = 0;                                 /* node busy: none */
    poll_and_run(t + 2 * SK_UDP_ADV_PERIOD_US);
    assert_int_equal(tn_ntx, 2);
    advert_idle = 1;
    /* the advert slot still unsent (VMIO has not run): the next one is skipped, counted */
    sk_udp_poll(&sku, t + 3 * SK_UDP_ADV_PERIOD_US);
    sk_udp_poll(&sku, t + 4 * SK_UDP_ADV_PERIOD_US);
    assert_int_equal(sku.stats.adv_busy, 1);
    while (vmio_run())
        ;
    assert_int_equal(tn_ntx, 3);
    assert_int_equal(sku.stats.adv_tx, 3);
    /* switched off: none; on again: the next one at once */
    sk_udp_set_adverts(&sku, 0);
    poll_and_run(t + 6 * SK_UDP_ADV_PERIOD_US);
    assert_int_equal(tn_ntx, 3);
    sk_udp_set_adverts(&sku, 1);
    poll_and_run(t + 6 * SK_UDP_ADV_PERIOD_US + 1);
    assert_int_equal(tn_ntx, 4);
    /* link down: no adverts */
    tn_link(0);
    poll_and_run(t + 10 * SK_UDP_ADV_PERIOD_US);
    assert_int_equal(tn_ntx, 4);
    tn_teardown();
}

static void test_no_address(void **state)
{
    (void)state;
    setup(TN_NOADDR);
    sk_udp_set_adverts(&sku, 1);
    poll_and_run(1000000);
    poll_and_run(3000000);
    assert_int_equal(tn_ntx, 0);
    assert_int_equal(sku.stats.adv_tx, 0);
    tn_teardown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_reply),
        cmocka_unit_test(test_drops_counted),
        cmocka_unit_test(test_ring_full_and_order),
        cmocka_unit_test(test_reply_without_buffer),
        cmocka_unit_test(test_adverts),
        cmocka_unit_test(test_no_address),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
