/* fw_app_udp: app's UDP events end to end. The reference frames (SK_SHARED_DIR/reference/
 * esp3-vectors.txt, read at run time) go through the real esp3 automaton to app, and app's
 * datagrams through the real net automaton to the fake NIC of net_test_util.c, whose frame
 * builders have their own checksum code: every event frame is compared byte for byte
 * (Ethernet, IPv4 and UDP headers with both checksums, payload = "eno/1 " + the console line
 * without "eno "). Also: ARP resolution of a subscriber first, several subscribers, the
 * request events and their errors, the UDP "subscribe"/"unsubscribe" commands with their
 * answers and the lease, every drop path counted (pool exhausted, link down, no address, no
 * route, driver refusal), and no buffer left at the end of every test (tn_teardown). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "esp3_vectors.h"
#include "io/app.h"
#include "io/esp3.h"
#include "net_test_util.h"
#include "plat_host.h"

#define ESP3_ID 6
#define APP_ID 7
#define REQ_ID 8
#define PORT APP_UDP_PORT_DEFAULT

static esp3_t esp3;
static app_t app;

/* ---- reference vectors ------------------------------------------------------------------ */
typedef esp3_vec_t vec_t;
#define vecs esp3_vecs
#define nvecs esp3_nvecs
#define load_vectors esp3_vectors_load


static const vec_t *vec(const char *prefix)
{
    for (unsigned i = 0; i < nvecs; i++)
        if (!strncmp(vecs[i].name, prefix, strlen(prefix)))
            return &vecs[i];
    fail_msg("no vector %s", prefix);
    return 0;
}

static void feed(const vec_t *v)
{
    assert_int_equal(vmio_deposit_bytes(0, vmio_addr(0, ESP3_ID, 0), VMIO_EV_RX, v->b, v->n), v->n);
    while (vmio_run())
        ;
}

/* ---- a requester that records the responses of app ---------------------------------------- */
static int last_status;
static unsigned nrsp;
static vmio_automaton_t req;

static int req_rsp(vmio_automaton_t *a, const vmio_event_t *ev)
{
    (void)a;
    assert_true(ev->flags & VMIO_F_RSP);
    last_status = ev->status;
    nrsp++;
    return ERR_OK;
}
static const vmio_row_t req_rows[1][APP_EV_UNSUBSCRIBE + 1] = {
    [0] = {
        [APP_EV_SUBSCRIBE] = VMIO_ROW(req_rsp, VMIO_SAME),
        [APP_EV_UNSUBSCRIBE] = VMIO_ROW(req_rsp, VMIO_SAME),
    },
};
static const vmio_state_desc_t req_states[1] = {{"run", 0, 0}};
static const vmio_table_t req_table = {
    .name = "test_app_req", .nstates = 1, .nevents = APP_EV_UNSUBSCRIBE + 1,
    .rows = &req_rows[0][0], .states = req_states,
};

/* Sends APP_EV_(UN)SUBSCRIBE and returns app's response status. */
static int sub_req(uint16_t code, uint32_t ip, uint16_t port, uint32_t lease_s)
{
    app_sub_req_t r = {.ip = ip, .port = port, .reserved = 0, .lease_s = lease_s};
    vmio_event_t ev;
    app_sub_event(&ev, vmio_addr(0, APP_ID, 0), code, &r);
    ev.src = vmio_addr(0, REQ_ID, 0);
    unsigned n0 = nrsp;
    assert_int_equal(vmio_deposit(VMIO_LEVEL_APP, &ev), 0);
    while (vmio_run())
        ;
    assert_int_equal(nrsp, n0 + 1);
    return last_status;
}

/* ---- fixture ---------------------------------------------------------------------------- */
static void setup_app(unsigned flags, const net_config_t *cfg)
{
    load_vectors();
    tn_setup(flags, cfg);
    esp3_config_t ec = {.out = vmio_addr(VMIO_NODE_LOCAL, APP_ID, 0), .max_len = 0, .headroom = 0};
    assert_int_equal(esp3_init(&esp3, ESP3_ID, &ec), 0);
    assert_int_equal(app_init(&app, APP_ID), 0);
    assert_int_equal(app_attach_net(&app, &tn_net, 0), 0);
    assert_int_equal(app.port, PORT);
    assert_int_equal(vmio_register(&req, REQ_ID, &req_table, 0), 0);
    nrsp = 0;
    plat_host_cycles = 123456;
}

static int teardown(void **state)
{
    (void)state;
    tn_teardown();
    plat_host_cycles = 0;
    return 0;
}

static app_stats_t stats(void)
{
    app_stats_t s;
    app_get_stats(&app, &s);
    return s;
}

static uint32_t allocs(void)
{
    vmio_buf_stats_t s;
    vmio_buf_get_stats(&s);
    return s.pool[VMIO_POOL_SMALL].allocs + s.pool[VMIO_POOL_LARGE].allocs;
}

/* The frame app must have sent for console line `line` to ip/mac:dport with IP id `id`. */
static size_t event_frame(uint8_t *f, const char *line, const uint8_t *mac, uint32_t ip, uint16_t dport,
                          uint16_t id)
{
    char pl[600];
    assert_true(!strncmp(line, "eno ", 4));
    int n = snprintf(pl, sizeof pl, "eno/1 %s", line + 4);
    return tn_pad(f, tn_frame_udp(f, mac, tn_mac, TN_IP, ip, PORT, dport, (const uint8_t *)pl, (size_t)n, id));
}

static size_t text_frame(uint8_t *f, const char *text, const uint8_t *mac, uint32_t ip, uint16_t dport,
                         uint16_t id)
{
    return tn_pad(f, tn_frame_udp(f, mac, tn_mac, TN_IP, ip, PORT, dport, (const uint8_t *)text,
                                  strlen(text), id));
}

/* A datagram from mac/ip:sport to app's port. */
static void send_cmd(const uint8_t *mac, uint32_t ip, uint16_t sport, const char *text)
{
    static uint8_t f[1600];
    tn_inject(f, tn_pad(f, tn_frame_udp(f, tn_mac, mac, ip, TN_IP, sport, PORT, (const uint8_t *)text,
                                        strlen(text), 77)));
}

/* One's-complement sum over n bytes (must be 0xFFFF over a valid header incl. checksum). */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    return s;
}

/* ---- tests -------------------------------------------------------------------------------- */

/* All reference vectors to a subscriber whose MAC is unknown: ARP first, then the queued
 * event, then the others directly; exact bytes, valid checksums, the console lines unchanged. */
static void test_vectors_to_subscriber(void **state)
{
    (void)state;
    setup_app(0, 0);
    assert_int_equal(sub_req(APP_EV_SUBSCRIBE, TN_HOST_IP, 9000, 0), ERR_OK);
    assert_int_equal(stats().subs, 1);
    uint16_t id = tn_net.ip_id;
    feed(vec("RPS"));
    assert_int_equal(plat_host_nlines, 1);
    assert_string_equal(plat_host_lines[0], "eno seq=1 type=erp1 rorg=f6 data=50 id=00298979 status=30 "
                                            "sub=3 dst=ffffffff dbm=-255 sec=0 cyc=123456");
    assert_int_equal(tn_ntx, 1);                /* ARP request for the subscriber */
    uint8_t f[256], exp[256];
    size_t el = tn_pad(exp, tn_frame_arp(exp, tn_bcast_mac, 1, tn_mac, TN_IP,
                                         (const uint8_t[6]){0}, TN_HOST_IP));
    tn_expect_tx(0, exp, el);
    tn_inject(f, tn_pad(f, tn_frame_arp(f, tn_mac, 2, tn_host_mac, TN_HOST_IP, tn_mac, TN_IP)));
    assert_int_equal(tn_ntx, 2);
    /* The documented format, literally, for the RPS vector. */
    static const char rps[] = "eno/1 seq=1 type=erp1 rorg=f6 data=50 id=00298979 status=30 sub=3 "
                              "dst=ffffffff dbm=-255 sec=0 cyc=123456";
    el = tn_pad(exp, tn_frame_udp(exp, tn_host_mac, tn_mac, TN_IP, TN_HOST_IP, PORT, 9000,
                                  (const uint8_t *)rps, strlen(rps), id));
    tn_expect_tx(1, exp, el);
    /* Checksums valid by an independent sum: IPv4 header, UDP with the pseudo header. */
    const uint8_t *ip = tn_tx[1].b + 14;
    assert_int_equal(sum16(ip, 20, 0), 0xFFFF);
    size_t ulen = (size_t)(ip[20 + 4] << 8 | ip[20 + 5]);
    assert_int_equal(ulen, 8 + strlen(rps));
    uint32_t ph = sum16(ip + 12, 8, 0) + 17 + (uint32_t)ulen;
    assert_int_equal(sum16(ip + 20, ulen, ph), 0xFFFF);

    const char *rest[] = {"4BS", "CO_RD_IDBASE", "RET_OK"};
    for (unsigned k = 0; k < 3; k++) {
        id = tn_net.ip_id;
        uint32_t a0 = allocs();
        feed(vec(rest[k]));
        /* esp3's frame buffer and the datagram's: no buffer between the layers */
        assert_int_equal(allocs() - a0, 2);
        assert_int_equal(vmio_buf_outstanding(), 0);
        assert_int_equal(plat_host_nlines, 2 + k);
        assert_int_equal(tn_ntx, 3 + k);
        tn_expect_tx(2 + k, exp, event_frame(exp, plat_host_lines[1 + k], tn_host_mac, TN_HOST_IP, 9000, id));
    }
    assert_string_equal(plat_host_lines[1], "eno seq=2 type=erp1 rorg=a5 data=00005508 id=0181b744 "
                                            "status=00 sub=3 dst=ffffffff dbm=-255 sec=0 cyc=123456");
    app_stats_t s = stats();
    assert_int_equal(s.udp_sent, 4);
    assert_int_equal(s.udp_dropped, 0);
    assert_int_equal(s.lines, 4);
    assert_int_equal(tn_stats().udp_tx, 4);
    assert_int_equal(tn_stats().arp_queued, 1);
}

/* Several subscribers get one datagram each, in table order; unsubscribe; table full. */
static void test_several_subscribers(void **state)
{
    (void)state;
    setup_app(0, 0);
    tn_learn(tn_peer_mac, TN_PEER_IP);
    tn_learn(tn_host_mac, TN_HOST_IP);
    assert_int_equal(sub_req(APP_EV_SUBSCRIBE, TN_PEER_IP, 7001, 0), ERR_OK);
    assert_int_equal(sub_req(APP_EV_SUBSCRIBE, TN_HOST_IP, 7002, 0), ERR_OK);
    assert_int_equal(sub_req(APP_EV_SUBSCRIBE, TN_HOST_IP, 7002, 30), ERR_OK);   /* renewal */
    assert_int_equal(stats().subs, 2);
    uint16_t id = tn_net.ip_id;
    feed(vec("4BS"));
    assert_int_equal(tn_ntx, 2);
    uint8_t exp[256];
    tn_expect_tx(0, exp, event_frame(exp, plat_host_lines[0], tn_peer_mac, TN_PEER_IP, 7001, id));
    tn_expect_tx(1, exp, event_frame(exp, plat_host_lines[0], tn_host_mac, TN_HOST_IP, 7002, (uint16_t)(id + 1)));

    assert_int_equal(sub_req(APP_EV_UNSUBSCRIBE, TN_PEER_IP, 7001, 0), ERR_OK);
    assert_int_equal(sub_req(APP_EV_UNSUBSCRIBE, TN_PEER_IP, 7001, 0), ERR_EMPTY);
    tn_clear();
    id = tn_net.ip_id;
    feed(vec("RPS"));
    assert_int_equal(tn_ntx, 1);
    tn_expect_tx(0, exp, event_frame(exp, plat_host_lines[1], tn_host_mac, TN_HOST_IP, 7002, id));

    /* Fill the table: APP_SUBS_MAX entries, then one too many. */
    for (unsigned i = 1; i < APP_SUBS_MAX; i++)
        assert_int_equal(sub_req(APP_EV_SUBSCRIBE, TN_PEER_IP, (uint16_t)(8000 + i), 0), ERR_OK);
    assert_int_equal(sub_req(APP_EV_SUBSCRIBE, TN_PEER_IP, 9999, 0), ERR_NOSPC);
    app_stats_t s = stats();
    assert_int_equal(s.subs, APP_SUBS_MAX);
    assert_int_equal(s.sub_full, 1);
    tn_clear();
    feed(vec("RPS"));
    assert_int_equal(tn_ntx, APP_SUBS_MAX);
    assert_int_equal(stats().udp_sent, 2 + 1 + APP_SUBS_MAX);
}

static void test_bad_requests(void **state)
{
    (void)state;
    setup_app(0, 0);
    assert_int_equal(sub_req(APP_EV_SUBSCRIBE, 0, 9000, 0), ERR_INVAL);
    assert_int_equal(sub_req(APP_EV_SUBSCRIBE, NET_IP_BCAST, 9000, 0), ERR_INVAL);
    assert_int_equal(sub_req(APP_EV_SUBSCRIBE, TN_PEER_IP, 0, 0), ERR_INVAL);
    assert_int_equal(sub_req(APP_EV_UNSUBSCRIBE, 0, 0, 0), ERR_EMPTY);
    /* inline payload too short */
    app_sub_req_t r = {.ip = TN_PEER_IP, .port = 1};
    vmio_event_t ev;
    app_sub_event(&ev, vmio_addr(0, APP_ID, 0), APP_EV_SUBSCRIBE, &r);
    ev.src = vmio_addr(0, REQ_ID, 0);
    ev.len = 4;
    assert_int_equal(vmio_deposit(VMIO_LEVEL_APP, &ev), 0);
    while (vmio_run())
        ;
    assert_int_equal(last_status, ERR_INVAL);
    /* an indication (no response wanted) is handled the same way, silently */
    app_sub_event(&ev, vmio_addr(0, APP_ID, 0), APP_EV_SUBSCRIBE, &r);
    ev.flags = 0;
    unsigned n0 = nrsp;
    assert_int_equal(vmio_deposit(VMIO_LEVEL_APP, &ev), 0);
    while (vmio_run())
        ;
    assert_int_equal(nrsp, n0);
    app_stats_t s = stats();
    assert_int_equal(s.sub_bad, 4);
    assert_int_equal(s.subs, 1);
    /* attach errors */
    app_t other;
    assert_int_equal(app_attach_net(0, &tn_net, 0), ERR_INVAL);
    assert_int_equal(app_attach_net(&other, 0, 0), ERR_INVAL);
    assert_int_equal(app_attach_net(&app, &tn_net, PORT), ERR_BUSY);
}

/* Every drop path: no buffer, link down, no address, no route, driver refusal. The console
 * line is printed in every case. */
static void test_drops_counted(void **state)
{
    (void)state;
    net_config_t cfg;
    net_config_default(&cfg);
    cfg.addr.ip = TN_IP;
    cfg.addr.mask = TN_MASK;
    cfg.addr.gw = 0;                            /* no default route */
    setup_app(0, &cfg);
    tn_learn(tn_peer_mac, TN_PEER_IP);
    assert_int_equal(sub_req(APP_EV_SUBSCRIBE, TN_PEER_IP, 7001, 0), ERR_OK);

    /* pool exhausted: take every buffer of the class an event needs */
    vmio_buf_t *held[VMIO_POOL_LARGE_N + 1];
    unsigned nh = 0;
    while (nh < VMIO_POOL_LARGE_N + 1 && (held[nh] = net_udp_alloc(200)) != 0)
        nh++;
    assert_true(nh > 0 && nh <= VMIO_POOL_LARGE_N);
    feed(vec("RPS"));
    for (unsigned i = 0; i < nh; i++)
        vmio_buf_free(held[i]);
    app_stats_t s = stats();
    assert_int_equal(s.udp_no_buf, 1);
    assert_int_equal(s.udp_dropped, 1);
    assert_int_equal(s.lines, 1);
    assert_int_equal(tn_ntx, 0);

    /* driver refuses the frame */
    tn_tx_fail = 1;
    feed(vec("RPS"));
    tn_tx_fail = 0;
    assert_int_equal(stats().udp_refused, 1);
    assert_int_equal(tn_stats().tx_errors, 1);

    /* no route (off-link subscriber, no gateway) */
    assert_int_equal(sub_req(APP_EV_SUBSCRIBE, TN_FAR_IP, 7002, 0), ERR_OK);
    tn_clear();
    feed(vec("RPS"));
    assert_int_equal(tn_ntx, 1);                /* the on-link one still gets it */
    s = stats();
    assert_int_equal(s.udp_refused, 2);
    assert_int_equal(tn_stats().ip_no_route, 1);

    /* no address */
    vmio_event_t ev;
    net_addr_t none = {0, 0, 0};
    net_set_addr_event(&ev, vmio_addr(0, TN_ID_NET, 0), &none);
    ev.src = vmio_addr(0, TN_ID_SINK, 0);
    assert_int_equal(vmio_deposit(VMIO_LEVEL_APP, &ev), 0);
    while (vmio_run())
        ;
    feed(vec("RPS"));
    assert_int_equal(stats().udp_refused, 4);
    assert_int_equal(tn_stats().tx_no_addr, 2);

    /* link down */
    tn_link(0);
    while (vmio_run())
        ;
    feed(vec("RPS"));
    s = stats();
    assert_int_equal(s.udp_refused, 6);
    assert_int_equal(tn_stats().tx_link_down, 2);
    assert_int_equal(s.udp_dropped, s.udp_no_buf + s.udp_refused);
    assert_int_equal(s.udp_sent, 1);            /* the on-link one in the no-route case */
    assert_int_equal(s.lines, 5);
    assert_int_equal(vmio_buf_outstanding(), 0);

    char out[APP_UDP_LINE_MAX];
    int n = app_stats_fields(&s, out, sizeof out);
    assert_string_equal(out, " udp_sent=1 udp_dropped=7");
    assert_int_equal(n, (int)strlen(out));
    assert_int_equal(app_stats_fields(&s, out, 10), 9);   /* truncated */
    assert_int_equal(app_stats_fields(&s, 0, 10), 0);
    n = app_udp_line(&app, out, sizeof out);
    assert_string_equal(out, "eno-udp port=5556 subs=2 sent=1 dropped=7 no_buf=1 refused=6 expired=0 "
                             "sub_full=0 sub_bad=0 cmds=0 cmd_bad=0 reply_fail=0");
    assert_int_equal(n, (int)strlen(out));
}

/* The longest possible lines fit their documented bounds. */
static void test_stats_line_bounds(void **state)
{
    (void)state;
    static app_t big;
    memset(&big.stats, 0xFF, sizeof big.stats);
    big.port = 65535;
    big.net = &tn_net;
    char out[512];
    assert_true(app_stats_fields(&big.stats, out, sizeof out) <= 48);
    assert_string_equal(out, " udp_sent=4294967295 udp_dropped=4294967295");
    int n = app_udp_line(&big, out, sizeof out);
    assert_true(n < APP_UDP_LINE_MAX);
    assert_true(!strncmp(out, "eno-udp port=65535 subs=4294967295 ", 35));
    assert_true(strstr(out, " reply_fail=4294967295") && out[n - 1] == '5');
    big.net = 0;
    app_udp_line(&big, out, sizeof out);
    assert_true(!strncmp(out, "eno-udp port=0 ", 15));
}

/* "subscribe" over UDP: answered, events follow, the lease runs out unless renewed;
 * "unsubscribe"; garbage is counted and not answered. */
static void test_udp_subscribe_lease(void **state)
{
    (void)state;
    setup_app(0, 0);
    tn_learn(tn_peer_mac, TN_PEER_IP);
    uint8_t exp[256];
    char want[64];
    snprintf(want, sizeof want, "eno/1 subscribed lease=%u", (unsigned)APP_UDP_LEASE_S);

    uint16_t id = tn_net.ip_id;
    send_cmd(tn_peer_mac, TN_PEER_IP, 7000, "subscribe\n");
    assert_int_equal(tn_ntx, 1);
    tn_expect_tx(0, exp, text_frame(exp, want, tn_peer_mac, TN_PEER_IP, 7000, id));
    tn_clear();
    id = tn_net.ip_id;
    feed(vec("RPS"));
    assert_int_equal(tn_ntx, 1);
    tn_expect_tx(0, exp, event_frame(exp, plat_host_lines[0], tn_peer_mac, TN_PEER_IP, 7000, id));

    /* renewed before the end of the lease: still subscribed after the first lease */
    plat_host_now += (uint64_t)(APP_UDP_LEASE_S - 1) * 1000000u;
    send_cmd(tn_peer_mac, TN_PEER_IP, 7000, "subscribe\r\n");
    plat_host_now += (uint64_t)(APP_UDP_LEASE_S - 1) * 1000000u;
    tn_clear();
    feed(vec("RPS"));
    assert_int_equal(tn_ntx, 1);
    assert_int_equal(stats().subs, 1);

    /* not renewed: no more events */
    plat_host_now += (uint64_t)APP_UDP_LEASE_S * 1000000u;
    tn_clear();
    feed(vec("RPS"));
    assert_int_equal(tn_ntx, 0);
    app_stats_t s = stats();
    assert_int_equal(s.subs, 0);
    assert_int_equal(s.subs_expired, 1);

    /* unsubscribe */
    send_cmd(tn_peer_mac, TN_PEER_IP, 7000, "subscribe");
    tn_clear();
    id = tn_net.ip_id;
    send_cmd(tn_peer_mac, TN_PEER_IP, 7000, "unsubscribe");
    tn_expect_tx(0, exp, text_frame(exp, "eno/1 unsubscribed", tn_peer_mac, TN_PEER_IP, 7000, id));
    send_cmd(tn_peer_mac, TN_PEER_IP, 7000, "unsubscribe\n");
    tn_expect_tx(1, exp, text_frame(exp, "eno/1 err not-subscribed", tn_peer_mac, TN_PEER_IP, 7000,
                                    (uint16_t)(id + 1)));
    /* not commands: never answered */
    tn_clear();
    send_cmd(tn_peer_mac, TN_PEER_IP, 7000, "hello");
    send_cmd(tn_peer_mac, TN_PEER_IP, 7000, "subscribed");
    send_cmd(tn_peer_mac, TN_PEER_IP, 7000, "subscribe\n\n\n");
    send_cmd(tn_peer_mac, TN_PEER_IP, 7000, "subscribe x");
    send_cmd(tn_peer_mac, TN_PEER_IP, 7000, "eno/1 seq=1 type=erp1");
    send_cmd(tn_peer_mac, TN_PEER_IP, 7000, "");
    assert_int_equal(tn_ntx, 0);
    s = stats();
    assert_int_equal(s.udp_cmd_bad, 6);
    assert_int_equal(s.udp_cmds, 5);
    assert_int_equal(s.subs, 0);
}

/* Table full over UDP: "eno/1 err full"; a failed answer is counted. */
static void test_udp_subscribe_full(void **state)
{
    (void)state;
    setup_app(0, 0);
    tn_learn(tn_peer_mac, TN_PEER_IP);
    for (unsigned i = 0; i < APP_SUBS_MAX; i++)
        assert_int_equal(sub_req(APP_EV_SUBSCRIBE, TN_HOST_IP, (uint16_t)(8000 + i), 0), ERR_OK);
    uint8_t exp[128];
    uint16_t id = tn_net.ip_id;
    send_cmd(tn_peer_mac, TN_PEER_IP, 7000, "subscribe");
    tn_expect_tx(0, exp, text_frame(exp, "eno/1 err full", tn_peer_mac, TN_PEER_IP, 7000, id));
    tn_tx_fail = 1;
    send_cmd(tn_peer_mac, TN_PEER_IP, 7000, "subscribe");
    tn_tx_fail = 0;
    app_stats_t s = stats();
    assert_int_equal(s.sub_full, 2);
    assert_int_equal(s.udp_reply_fail, 1);
    /* a DATA event on app's UDP way without the meta: counted */
    vmio_buf_t *b = vmio_buf_alloc(9, 0);
    memcpy(b->data, "subscribe", 9);
    assert_int_equal(vmio_send(0, vmio_addr(0, APP_ID, APP_WAY_UDP), VMIO_EV_DATA, 0, 0, 0, b, 1), 0);
    while (vmio_run())
        ;
    assert_int_equal(stats().udp_cmd_bad, 1);
}

/* Without app_attach_net: console lines only, a stray UDP-way event is counted. */
static void test_no_net(void **state)
{
    (void)state;
    load_vectors();
    tn_setup(0, 0);
    esp3_config_t ec = {.out = vmio_addr(VMIO_NODE_LOCAL, APP_ID, 0), .max_len = 0, .headroom = 0};
    assert_int_equal(esp3_init(&esp3, ESP3_ID, &ec), 0);
    assert_int_equal(app_init(&app, APP_ID), 0);
    vmio_event_t ev;
    app_sub_req_t r = {.ip = TN_PEER_IP, .port = 7000, .reserved = 0, .lease_s = 0};
    app_sub_event(&ev, vmio_addr(0, APP_ID, 0), APP_EV_SUBSCRIBE, &r);
    ev.flags = 0;
    assert_int_equal(vmio_deposit(VMIO_LEVEL_APP, &ev), 0);
    while (vmio_run())
        ;
    feed(vec("RPS"));
    assert_int_equal(plat_host_nlines, 1);
    assert_int_equal(tn_ntx, 0);
    net_udp_meta_t m = {TN_PEER_IP, TN_IP, 7000, PORT};
    vmio_event_t d = {0};
    d.dst = vmio_addr(0, APP_ID, APP_WAY_UDP);
    d.code = VMIO_EV_DATA;
    net_udp_meta_put(&d, &m);
    d.buf = vmio_buf_alloc(9, 0);
    memcpy(d.buf->data, "subscribe", 9);
    assert_int_equal(vmio_deposit(VMIO_LEVEL_APP, &d), 0);
    while (vmio_run())
        ;
    app_stats_t s = stats();
    assert_int_equal(s.udp_cmd_bad, 1);
    assert_int_equal(s.udp_sent + s.udp_dropped, 0);
}

static void test_parse_sub(void **state)
{
    (void)state;
    app_sub_req_t r;
    assert_int_equal(app_parse_sub("10.0.2.2 9000", &r), ERR_OK);
    assert_int_equal(r.ip, TN_PEER_IP);
    assert_int_equal(r.port, 9000);
    assert_int_equal(r.lease_s, 0);
    assert_int_equal(app_parse_sub("192.168.7.9 65535 31536000", &r), ERR_OK);
    assert_int_equal(r.ip, TN_FAR_IP);
    assert_int_equal(r.port, 65535);
    assert_int_equal(r.lease_s, APP_LEASE_MAX_S);
    static const char *const bad[] = {
        "", "10.0.2.2", "10.0.2.2 ", "10.0.2.2 0", "10.0.2.2 65536", "10.0.2.2  9000", "10.0.2.2 9000 ",
        "10.0.2.2 9000 31536001", "10.0.2.2 9000 1 2", "10.0.2.2 90x0", "10.0.2 9000", "x 9000",
        "10.0.2.2 99999999999", "10.0.2.2 9000 -1", "1234567890123456789 1", " 10.0.2.2 9000",
    };
    r.port = 1234;
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (app_parse_sub(bad[i], &r) != ERR_INVAL)
            fail_msg("accepted \"%s\"", bad[i]);
    }
    assert_int_equal(r.port, 1234);             /* untouched on error */
    assert_int_equal(app_parse_sub(0, &r), ERR_INVAL);
    assert_int_equal(app_parse_sub("10.0.2.2 1", 0), ERR_INVAL);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)
int fw_app_udp_tests(void)
{
    const struct CMUnitTest tests[] = {
        T(test_vectors_to_subscriber),
        T(test_several_subscribers),
        T(test_bad_requests),
        T(test_drops_counted),
        T(test_udp_subscribe_lease),
        T(test_udp_subscribe_full),
        T(test_no_net),
        cmocka_unit_test(test_parse_sub),
        cmocka_unit_test(test_stats_line_bounds),
    };
    return cmocka_run_group_tests_name("fw_app_udp", tests, NULL, NULL);
}

#ifndef SK_COV_ALL
int main(void)
{
    return fw_app_udp_tests();
}
#endif
