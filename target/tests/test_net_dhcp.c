/* net_dhcp: the DHCP client against a scripted fake server with QEMU user-network values
 * (server 10.0.2.2, offer 10.0.2.15/24, router 10.0.2.2): full exchange with every sent
 * message decoded and checked, lost DISCOVER / REQUEST with the retry schedule, NAK,
 * renewal (unicast to the server) and lease expiry, link down/up, malformed replies
 * (truncated at every length, bad fields, bad options) counted and ignored. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "net_test_util.h"
#include "plat_host.h"

#define SRV TN_PEER_IP
#define OFFER_IP TN_IP

static int teardown(void **state)
{
    (void)state;
    tn_teardown();
    return 0;
}

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

/* Decoded client message (frame i of the fake NIC). */
typedef struct cmsg {
    uint32_t ip_src, ip_dst, xid, ciaddr, req_ip, server;
    uint16_t flags;
    uint8_t type;
    const uint8_t *dmac;
} cmsg_t;

static cmsg_t decode(unsigned i)
{
    assert_true(i < tn_ntx);
    const uint8_t *f = tn_tx[i].b;
    cmsg_t c = {0};
    assert_int_equal(f[12], 0x08);
    assert_int_equal(f[13], 0x00);
    assert_memory_equal(f + 6, tn_mac, 6);
    c.dmac = f;
    const uint8_t *ip = f + 14, *u = ip + 20, *d = u + 8;
    assert_int_equal(ip[9], 17);
    assert_int_equal(tn_cksum(ip, 20, 0), 0);
    c.ip_src = rd32(ip + 12);
    c.ip_dst = rd32(ip + 16);
    assert_int_equal(u[0] << 8 | u[1], 68);
    assert_int_equal(u[2] << 8 | u[3], 67);
    size_t ulen = (size_t)(u[4] << 8 | u[5]);
    assert_int_equal(ulen, 8 + DHCP_MSG_LEN);
    uint32_t ps = (c.ip_src >> 16) + (c.ip_src & 0xFFFF) + (c.ip_dst >> 16) + (c.ip_dst & 0xFFFF) + 17 + (uint32_t)ulen;
    assert_int_equal(tn_cksum(u, ulen, ps), 0);
    assert_int_equal(d[0], 1);              /* BOOTREQUEST */
    assert_int_equal(d[1], 1);
    assert_int_equal(d[2], 6);
    c.xid = rd32(d + 4);
    c.flags = (uint16_t)(d[10] << 8 | d[11]);
    c.ciaddr = rd32(d + 12);
    assert_memory_equal(d + 28, tn_mac, 6);
    assert_int_equal(rd32(d + 236), 0x63825363u);
    for (size_t k = 240; k < DHCP_MSG_LEN && d[k] != 255;) {
        if (d[k] == 0) { k++; continue; }
        uint8_t code = d[k], len = d[k + 1];
        if (code == 53) c.type = d[k + 2];
        if (code == 50) c.req_ip = rd32(d + k + 2);
        if (code == 54) c.server = rd32(d + k + 2);
        k += 2u + len;
    }
    return c;
}

/* Server reply frame. opts: extra raw options appended before END. */
static size_t reply(uint8_t *f, uint8_t type, uint32_t xid, uint32_t yiaddr, uint32_t lease,
                    uint32_t dst_ip, const uint8_t *extra, size_t nextra)
{
    uint8_t d[600] = {0};
    d[0] = 2; d[1] = 1; d[2] = 6;
    d[4] = (uint8_t)(xid >> 24); d[5] = (uint8_t)(xid >> 16); d[6] = (uint8_t)(xid >> 8); d[7] = (uint8_t)xid;
    d[16] = (uint8_t)(yiaddr >> 24); d[17] = (uint8_t)(yiaddr >> 16); d[18] = (uint8_t)(yiaddr >> 8); d[19] = (uint8_t)yiaddr;
    memcpy(d + 28, tn_mac, 6);
    d[236] = 0x63; d[237] = 0x82; d[238] = 0x53; d[239] = 0x63;
    size_t k = 240;
    d[k++] = 53; d[k++] = 1; d[k++] = type;
    d[k++] = 54; d[k++] = 4; d[k++] = 10; d[k++] = 0; d[k++] = 2; d[k++] = 2;
    d[k++] = 1; d[k++] = 4; d[k++] = 255; d[k++] = 255; d[k++] = 255; d[k++] = 0;
    d[k++] = 3; d[k++] = 4; d[k++] = 10; d[k++] = 0; d[k++] = 2; d[k++] = 2;
    d[k++] = 51; d[k++] = 4;
    d[k++] = (uint8_t)(lease >> 24); d[k++] = (uint8_t)(lease >> 16); d[k++] = (uint8_t)(lease >> 8); d[k++] = (uint8_t)lease;
    if (nextra)
        memcpy(d + k, extra, nextra);
    k += nextra;
    d[k++] = 255;
    while (k < 300)
        d[k++] = 0;
    return tn_frame_udp(f, dst_ip == NET_IP_BCAST ? tn_bcast_mac : tn_mac, tn_peer_mac, SRV, dst_ip,
                        67, 68, d, k, 0x100);
}

static void server_says(uint8_t type, uint32_t xid, uint32_t lease)
{
    static uint8_t f[700];
    tn_inject(f, reply(f, type, xid, OFFER_IP, lease, NET_IP_BCAST, 0, 0));
}

static dhcp_stats_t ds(void)
{
    dhcp_stats_t s;
    dhcp_get_stats(&tn_dhcp, &s);
    return s;
}

/* Link up -> DISCOVER; OFFER -> REQUEST; ACK -> address applied; returns the xid. */
static uint32_t full_exchange(uint32_t lease)
{
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_SELECTING);
    assert_int_equal(tn_ntx, 1);
    cmsg_t c = decode(0);
    assert_int_equal(c.type, NET_DHCP_DISCOVER);
    assert_memory_equal(c.dmac, tn_bcast_mac, 6);
    assert_int_equal(c.ip_src, 0);
    assert_int_equal(c.ip_dst, NET_IP_BCAST);
    assert_int_equal(c.flags, 0x8000);
    server_says(NET_DHCP_OFFER, c.xid, lease);
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_REQUESTING);
    assert_int_equal(tn_ntx, 2);
    cmsg_t r = decode(1);
    assert_int_equal(r.type, NET_DHCP_REQUEST);
    assert_int_equal(r.xid, c.xid);
    assert_int_equal(r.req_ip, OFFER_IP);
    assert_int_equal(r.server, SRV);
    assert_int_equal(r.ciaddr, 0);
    server_says(NET_DHCP_ACK, c.xid, lease);
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_BOUND);
    assert_int_equal(tn_net.aut.state, NET_S_UP);
    assert_int_equal(tn_net.cfg.addr.ip, OFFER_IP);
    assert_int_equal(tn_net.cfg.addr.mask, TN_MASK);
    assert_int_equal(tn_net.cfg.addr.gw, SRV);
    tn_clear();
    return c.xid;
}

static void test_full_exchange_qemu_values(void **state)
{
    (void)state;
    tn_setup(TN_NOADDR | TN_NOLINK | TN_DHCP | TN_ECHO, 0);
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_IDLE);
    tn_link(1);
    full_exchange(86400);
    dhcp_stats_t s = ds();
    assert_int_equal(s.discover_tx, 1);
    assert_int_equal(s.request_tx, 1);
    assert_int_equal(s.offers, 1);
    assert_int_equal(s.acks, 1);
    assert_int_equal(s.rx_bad + s.rx_other + s.send_fail + s.no_buf + s.set_addr_fail, 0);
    char line[512];
    int len = dhcp_stats_line(&tn_dhcp, line, sizeof line);
    assert_int_equal(len, (int)strlen(line));
    if (strncmp(line, "net dhcp state=bound ip=10.0.2.15 server=10.0.2.2 lease_s=86400 t1_s=43200 "
                      "discover_tx=1 request_tx=1 renew_tx=0 offers=1 acks=1 naks=0 ", 120))
        fail_msg("line: %s", line);
    assert_non_null(strstr(line, " set_addr_fail=0"));
    /* The stack now answers on the leased address: ARP and the echo. */
    tn_learn(tn_peer_mac, SRV);
    uint8_t f[128];
    tn_inject(f, tn_pad(f, tn_frame_udp(f, tn_mac, tn_peer_mac, SRV, OFFER_IP, 1, TN_ECHO_PORT,
                                        (const uint8_t *)"Echo1", 5, 1)));
    assert_int_equal(tn_ntx, 1);
    /* Link down keeps the address; link up starts over from 0.0.0.0. */
    tn_link(0);
    assert_int_equal(tn_net.cfg.addr.ip, OFFER_IP);
    tn_clear();
    tn_link(1);
    assert_int_equal(tn_net.cfg.addr.ip, 0);
    assert_int_equal(tn_net.aut.state, NET_S_NOADDR);
    assert_int_equal(tn_ntx, 1);
    cmsg_t c = decode(0);
    assert_int_equal(c.type, NET_DHCP_DISCOVER);
    assert_int_equal(c.ip_src, 0);
    full_exchange(86400);
}

/* Unicast OFFER/ACK to the offered address (servers without the broadcast flag honoured). */
static void test_unicast_replies(void **state)
{
    (void)state;
    tn_setup(TN_NOADDR | TN_DHCP, 0);
    cmsg_t c = decode(0);
    static uint8_t f[700];
    tn_inject(f, reply(f, NET_DHCP_OFFER, c.xid, OFFER_IP, 3600, OFFER_IP, 0, 0));
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_REQUESTING);
    tn_inject(f, reply(f, NET_DHCP_ACK, c.xid, OFFER_IP, 3600, OFFER_IP, 0, 0));
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_BOUND);
    assert_int_equal(tn_net.cfg.addr.ip, OFFER_IP);
}

/* DISCOVERs lost: retries after 1, 2, 4, 4 s (timeout 1 s doubling, capped at 4 s). */
static void test_discover_retries(void **state)
{
    (void)state;
    tn_setup(TN_NOADDR | TN_DHCP, 0);
    static const unsigned at_ms[] = {1000, 3000, 7000, 11000};
    unsigned sent = 1, ms = 0;
    for (unsigned k = 0; k < 4; k++) {
        while (ms + 100 < at_ms[k]) {
            tn_tick(100000);
            ms += 100;
            assert_int_equal(tn_ntx, sent);
        }
        tn_tick(100000);
        ms += 100;
        sent++;
        assert_int_equal(tn_ntx, sent);
        cmsg_t c = decode(sent - 1);
        assert_int_equal(c.type, NET_DHCP_DISCOVER);
        assert_int_equal(c.xid, decode(0).xid);  /* same transaction while retrying */
    }
    assert_int_equal(ds().retries, 4);
    /* Then the server answers. */
    uint32_t xid = decode(0).xid;
    tn_clear();
    server_says(NET_DHCP_OFFER, xid, 600);
    server_says(NET_DHCP_ACK, xid, 600);
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_BOUND);
}

/* REQUESTs lost: request_tries (3) REQUESTs, then a new DISCOVER cycle. */
static void test_request_retries_then_restart(void **state)
{
    (void)state;
    tn_setup(TN_NOADDR | TN_DHCP, 0);
    uint32_t xid = decode(0).xid;
    server_says(NET_DHCP_OFFER, xid, 600);
    assert_int_equal(tn_ntx, 2);
    for (unsigned k = 0; k < 10; k++)
        tn_tick(100000);
    assert_int_equal(tn_ntx, 3);
    assert_int_equal(decode(2).type, NET_DHCP_REQUEST);
    for (unsigned k = 0; k < 10; k++)
        tn_tick(100000);
    assert_int_equal(tn_ntx, 4);
    for (unsigned k = 0; k < 10; k++)
        tn_tick(100000);
    assert_int_equal(tn_ntx, 5);
    assert_int_equal(decode(4).type, NET_DHCP_DISCOVER);
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_SELECTING);
    assert_true(decode(4).xid != xid);
}

static void test_nak_restarts(void **state)
{
    (void)state;
    tn_setup(TN_NOADDR | TN_DHCP, 0);
    uint32_t xid = decode(0).xid;
    server_says(NET_DHCP_OFFER, xid, 600);
    server_says(NET_DHCP_NAK, xid, 600);
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_SELECTING);
    assert_int_equal(ds().naks, 1);
    assert_int_equal(decode(2).type, NET_DHCP_DISCOVER);
    assert_int_equal(tn_net.cfg.addr.ip, 0);
}

/* Lease 20 s: T1 at 10 s -> unicast REQUEST to the server (ciaddr set), ACK -> BOUND again;
 * next time nobody answers: retries every 1 s until the lease ends, then the address goes
 * and DISCOVER starts over. */
static void test_renewal_and_expiry(void **state)
{
    (void)state;
    tn_setup(TN_NOADDR | TN_DHCP, 0);
    uint32_t xid = full_exchange(20);
    tn_learn(tn_peer_mac, SRV);
    for (unsigned k = 0; k < 99; k++)
        tn_tick(100000);
    assert_int_equal(tn_ntx, 0);
    tn_tick(100000);
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_RENEWING);
    assert_int_equal(tn_ntx, 1);
    cmsg_t c = decode(0);
    assert_int_equal(c.type, NET_DHCP_REQUEST);
    assert_memory_equal(c.dmac, tn_peer_mac, 6);
    assert_int_equal(c.ip_src, OFFER_IP);
    assert_int_equal(c.ip_dst, SRV);
    assert_int_equal(c.ciaddr, OFFER_IP);
    assert_int_equal(c.req_ip, 0);
    static uint8_t f[700];
    tn_inject(f, reply(f, NET_DHCP_ACK, xid, OFFER_IP, 20, OFFER_IP, 0, 0));
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_BOUND);
    assert_int_equal(ds().bound, 2);
    tn_clear();
    /* Second renewal: silence. */
    for (unsigned k = 0; k < 100; k++)
        tn_tick(100000);
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_RENEWING);
    for (unsigned k = 0; k < 100; k++)
        tn_tick(100000);
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_SELECTING);
    assert_int_equal(ds().expired, 1);
    assert_int_equal(tn_net.cfg.addr.ip, 0);
    assert_int_equal(tn_net.aut.state, NET_S_NOADDR);
    assert_int_equal(decode(tn_ntx - 1).type, NET_DHCP_DISCOVER);
    unsigned renews = ds().renew_tx;
    assert_true(renews >= 10 && renews <= 12);
}

static void test_malformed_replies(void **state)
{
    (void)state;
    tn_setup(TN_NOADDR | TN_DHCP, 0);
    uint32_t xid = decode(0).xid;
    static uint8_t f[700], g[700];
    size_t n = reply(f, NET_DHCP_OFFER, xid, OFFER_IP, 600, NET_IP_BCAST, 0, 0);
    /* Truncated DHCP payloads (UDP and IP lengths fixed, checksum off): every length. */
    unsigned bad = 0;
    for (size_t len = 0; len < 240; len++) {
        memcpy(g, f, n);
        size_t ulen = 8 + len, tot = 20 + ulen;
        g[16] = (uint8_t)(tot >> 8); g[17] = (uint8_t)tot;
        g[24] = g[25] = 0;
        uint16_t c = tn_cksum(g + 14, 20, 0);
        g[24] = (uint8_t)(c >> 8); g[25] = (uint8_t)c;
        g[38] = (uint8_t)(ulen >> 8); g[39] = (uint8_t)ulen;
        g[40] = g[41] = 0;
        tn_inject(g, 14 + tot);
        bad++;
    }
    assert_int_equal(ds().rx_bad, bad);
    /* Field errors. */
    static const struct { unsigned off; uint8_t val; int other; } mut[] = {
        {0, 1, 0},       /* op = request */
        {1, 6, 0},       /* htype */
        {236, 0xFF, 0},  /* magic */
        {4, 0xAA, 1},    /* xid */
        {28, 0x99, 1},   /* chaddr */
    };
    for (unsigned k = 0; k < sizeof mut / sizeof mut[0]; k++) {
        uint8_t d[600];
        memcpy(d, f + 42, n - 42);
        d[mut[k].off] ^= mut[k].val;
        tn_inject(g, tn_frame_udp(g, tn_bcast_mac, tn_peer_mac, SRV, NET_IP_BCAST, 67, 68, d, n - 42, 7));
    }
    assert_int_equal(ds().rx_bad, bad + 3);
    assert_int_equal(ds().rx_other, 2);
    /* Bad options: message type of length 2, option running past the end, no type. */
    static const uint8_t o1[] = {53, 2, 2, 2};
    tn_inject(g, reply(g, NET_DHCP_OFFER, xid, OFFER_IP, 600, NET_IP_BCAST, o1, sizeof o1));
    assert_int_equal(ds().rx_bad, bad + 4);
    /* An option whose length runs past the message. */
    uint8_t d[300];
    memcpy(d, f + 42, 300);
    d[240] = 53; d[241] = 1; d[242] = 2; d[243] = 3; d[244] = 200;
    tn_inject(g, tn_frame_udp(g, tn_bcast_mac, tn_peer_mac, SRV, NET_IP_BCAST, 67, 68, d, 245, 8));
    assert_int_equal(ds().rx_bad, bad + 5);
    /* No message type at all. */
    memcpy(d, f + 42, 300);
    d[240] = 255;
    tn_inject(g, tn_frame_udp(g, tn_bcast_mac, tn_peer_mac, SRV, NET_IP_BCAST, 67, 68, d, 300, 9));
    assert_int_equal(ds().rx_bad, bad + 6);
    /* An ACK while selecting is not an offer: ignored. Then the real OFFER works. */
    server_says(NET_DHCP_ACK, xid, 600);
    assert_int_equal(ds().rx_other, 3);
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_SELECTING);
    server_says(NET_DHCP_OFFER, xid, 600);
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_REQUESTING);
    server_says(NET_DHCP_OFFER, xid, 600);             /* a second offer: ignored */
    assert_int_equal(ds().rx_other, 4);
    server_says(NET_DHCP_ACK, xid, 600);
    server_says(NET_DHCP_ACK, xid, 600);               /* duplicate ACK while bound */
    assert_int_equal(ds().rx_other, 5);
    assert_int_equal(tn_net.cfg.addr.ip, OFFER_IP);
}

/* Link down in every state -> IDLE; a stale timer expiry is ignored; RESET restarts. */
static void test_link_and_reset(void **state)
{
    (void)state;
    tn_setup(TN_NOADDR | TN_DHCP, 0);
    tn_link(0);
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_IDLE);
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(0, TN_ID_DHCP, 0);
    ev.code = DHCP_EV_TIMER;
    ev.arg = tn_dhcp.timer.gen - 1;
    vmio_deposit(0, &ev);
    vmio_run();
    assert_int_equal(ds().stale_timer, 1);
    uint8_t f[700];
    tn_link(1);
    tn_inject(f, reply(f, NET_DHCP_OFFER, 1, OFFER_IP, 600, NET_IP_BCAST, 0, 0));  /* wrong xid */
    assert_int_equal(vmio_send(&tn_sink, vmio_addr(0, TN_ID_DHCP, 0), VMIO_EV_RESET, VMIO_F_REQ, 0, 0, 0, 1), 0);
    vmio_run();
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_SELECTING);
    tn_link(0);
    assert_int_equal(vmio_send(&tn_sink, vmio_addr(0, TN_ID_DHCP, 0), VMIO_EV_RESET, VMIO_F_REQ, 0, 0, 0, 1), 0);
    vmio_run();
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_IDLE);
}

/* Brings the client to `st` from a fresh link-up (setup done by the caller). */
static void reach(uint8_t st)
{
    if (st == DHCP_S_IDLE) {
        tn_link(0);
    } else {
        tn_link(0);
        tn_clear();
        tn_link(1);
        uint32_t xid = decode(0).xid;
        if (st >= DHCP_S_REQUESTING)
            server_says(NET_DHCP_OFFER, xid, 20);
        if (st >= DHCP_S_BOUND)
            server_says(NET_DHCP_ACK, xid, 20);
        if (st == DHCP_S_RENEWING)
            for (unsigned k = 0; k < 100; k++)
                tn_tick(100000);
    }
    assert_int_equal(tn_dhcp.aut.state, st);
    tn_clear();
}

/* Every (state, event) row: a SET_ADDR response (the test asks net on dhcp's behalf), a
 * stale timer expiry and a stray datagram in every state; RESET and link down from every
 * state. */
static void test_rows_every_state(void **state)
{
    (void)state;
    tn_setup(TN_NOADDR | TN_DHCP, 0);
    for (uint8_t st = 0; st < DHCP_S_COUNT; st++) {
        reach(st);
        vmio_event_t ev;
        net_addr_t a = tn_net.cfg.addr;
        net_set_addr_event(&ev, vmio_addr(0, TN_ID_NET, 0), &a);
        ev.src = vmio_addr(0, TN_ID_DHCP, 0);
        assert_int_equal(vmio_deposit(0, &ev), 0);
        vmio_run();
        assert_int_equal(tn_dhcp.aut.state, st);
        ev = (vmio_event_t){0};
        ev.dst = vmio_addr(0, TN_ID_DHCP, 0);
        ev.code = DHCP_EV_TIMER;
        ev.arg = tn_dhcp.timer.gen + 1;
        assert_int_equal(vmio_deposit(0, &ev), 0);
        ev.code = VMIO_EV_DATA;
        ev.buf = vmio_buf_alloc(3, 0);
        assert_int_equal(vmio_deposit(0, &ev), 0);
        vmio_run();
        assert_int_equal(tn_dhcp.aut.state, st);
        reach(st);
        assert_int_equal(vmio_send(&tn_sink, vmio_addr(0, TN_ID_DHCP, 0), VMIO_EV_RESET, VMIO_F_REQ, 0, 0, 0, 1), 0);
        vmio_run();
        assert_int_equal(tn_dhcp.aut.state, st == DHCP_S_IDLE ? DHCP_S_IDLE : DHCP_S_SELECTING);
        reach(st);
        tn_link(0);
        assert_int_equal(tn_dhcp.aut.state, DHCP_S_IDLE);
    }
    assert_int_equal(ds().set_addr_fail, 0);
    assert_true(ds().stale_timer >= DHCP_S_COUNT);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)
int fw_net_dhcp_tests(void)
{
    const struct CMUnitTest tests[] = {
        T(test_full_exchange_qemu_values),
        T(test_unicast_replies),
        T(test_discover_retries),
        T(test_request_retries_then_restart),
        T(test_nak_restarts),
        T(test_renewal_and_expiry),
        T(test_malformed_replies),
        T(test_link_and_reset),
        T(test_rows_every_state),
    };
    return cmocka_run_group_tests_name("net_dhcp", tests, NULL, NULL);
}

#ifndef SK_COV_ALL
int main(void)
{
    return fw_net_dhcp_tests();
}
#endif
