/* Fixture of the net_* tests: see net_test_util.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "net_test_util.h"
#include "plat_host.h"

const uint8_t tn_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
const uint8_t tn_peer_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
const uint8_t tn_host_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x64};
const uint8_t tn_bcast_mac[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
net_t tn_net;
ntimer_svc_t tn_timers;
udp_echo_t tn_echo;
dhcp_t tn_dhcp;
tn_frame_t tn_tx[TN_MAXTX];
unsigned tn_ntx;
int tn_tx_fail;
tn_dgram_t tn_rx[TN_MAXRX];
unsigned tn_nrx;
vmio_automaton_t tn_sink;

static int tn_fake_tx(vmio_buf_t *f)
{
    if (tn_tx_fail) {
        vmio_buf_free(f);
        return ERR_NOSPC;
    }
    assert_true(tn_ntx < TN_MAXTX);
    assert_true(f->len >= 14 && f->len <= 1514);
    tn_frame_t *t = &tn_tx[tn_ntx++];
    memcpy(t->b, f->data, f->len);
    t->n = f->len;
    t->headroom = vmio_buf_headroom(f);
    t->buf = f;
    vmio_buf_free(f);
    return 0;
}

static int tn_sink_data(vmio_automaton_t *a, const vmio_event_t *ev)
{
    (void)a;
    assert_non_null(ev->buf);
    assert_int_equal(ev->len, sizeof(net_udp_meta_t));
    assert_true(tn_nrx < TN_MAXRX);
    tn_dgram_t *d = &tn_rx[tn_nrx++];
    memcpy(d->b, ev->buf->data, ev->buf->len);
    d->n = ev->buf->len;
    net_udp_meta_get(ev, &d->meta);
    d->arg = ev->arg;
    d->way = ev->dst.way;
    return 0;
}
static int tn_sink_rsp(vmio_automaton_t *a, const vmio_event_t *ev)
{
    (void)a;
    assert_true(vmio_is_rsp(ev));
    return 0;
}
static const vmio_row_t tn_sink_rows[1][NET_EV_COUNT] = {
    [0] = {
        [VMIO_EV_DATA] = VMIO_ROW(tn_sink_data, VMIO_SAME),
        [VMIO_EV_RESET] = VMIO_ROW(tn_sink_rsp, VMIO_SAME),
        [NET_EV_SET_ADDR] = VMIO_ROW(tn_sink_rsp, VMIO_SAME),
    },
};
static const vmio_state_desc_t tn_sink_states[1] = {{"only", 0, 0}};
static const vmio_table_t tn_sink_table = {
    .name = "test_net_sink", .nstates = 1, .nevents = NET_EV_COUNT,
    .rows = &tn_sink_rows[0][0], .states = tn_sink_states,
};

void tn_clear(void)
{
    tn_ntx = 0;
    tn_nrx = 0;
}

void tn_setup(unsigned flags, const net_config_t *override)
{
    vmio_init(1);
    plat_host_reset();
    plat_host_now = 1000000;
    tn_clear();
    tn_tx_fail = 0;
    assert_int_equal(ntimer_svc_init(&tn_timers, TN_ID_TIMER), 0);
    net_config_t cfg;
    if (override) {
        cfg = *override;
    } else {
        net_config_default(&cfg);
        cfg.addr.ip = (flags & TN_NOADDR) ? 0 : TN_IP;
        cfg.addr.mask = TN_MASK;
        cfg.addr.gw = TN_GW;
    }
    cfg.tx = tn_fake_tx;
    assert_int_equal(net_init(&tn_net, TN_ID_NET, &cfg, &tn_timers), 0);
    if (flags & TN_ECHO)
        assert_int_equal(udp_echo_init(&tn_echo, TN_ID_ECHO, &tn_net, TN_ECHO_PORT), 0);
    if (flags & TN_DHCP) {
        dhcp_config_t dc = {.timeout_us = 1000000, .max_timeout_us = 4000000, .request_tries = 3};
        assert_int_equal(dhcp_init(&tn_dhcp, TN_ID_DHCP, &tn_net, &tn_timers, &dc), 0);
    }
    assert_int_equal(vmio_register(&tn_sink, TN_ID_SINK, &tn_sink_table, 0), 0);
    if (flags & TN_SINK)
        assert_int_equal(net_udp_bind(&tn_net, TN_SINK_PORT, vmio_addr(0, TN_ID_SINK, 3)), 0);
    if (!(flags & TN_NOLINK))
        tn_link(1);
}

void tn_link(int up)
{
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(0, TN_ID_NET, 0);
    ev.code = NET_EV_LINK;
    ev.arg = up ? 1u : 0u;
    memcpy(ev.inl, tn_mac, 6);
    ev.len = 6;
    assert_int_equal(vmio_deposit(0, &ev), 0);
    vmio_run();
}

void tn_teardown(void)
{
    tn_link(0);
    vmio_run();
    assert_int_equal(vmio_buf_outstanding(), 0);
    vmio_stats_t s;
    vmio_get_stats(&s);
    assert_int_equal(s.unhandled, 0);
    assert_int_equal(s.handler_errors, 0);
    assert_int_equal(s.queue_overflow, 0);
}

void tn_tick(uint64_t advance_us)
{
    plat_host_now += advance_us;
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(0, TN_ID_TIMER, 0);
    ev.code = NTIMER_EV_TICK;
    assert_int_equal(vmio_deposit(0, &ev), 0);
    vmio_run();
}

/* Independent RFC 1071 sum: 16-bit words assembled little-endian and swapped at the end
 * (the byte-order independence property of the one's complement sum, RFC 1071 2(B)). */
uint16_t tn_cksum(const uint8_t *p, size_t n, uint32_t init)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i += 2) {
        uint16_t w = p[i];
        if (i + 1 < n)
            w = (uint16_t)(w | p[i + 1] << 8);
        s += w;
    }
    while (init >> 16)
        init = (init & 0xFFFF) + (init >> 16);
    uint16_t sw = (uint16_t)init;
    s += (uint16_t)(sw << 8 | sw >> 8);
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    uint16_t le = (uint16_t)~s;
    return (uint16_t)(le << 8 | le >> 8);
}

static void tn_w16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void tn_w32(uint8_t *p, uint32_t v) { tn_w16(p, (uint16_t)(v >> 16)); tn_w16(p + 2, (uint16_t)v); }

size_t tn_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    tn_w16(f + 12, type);
    return 14;
}

size_t tn_ip(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id, const uint8_t *pl, size_t n)
{
    p[0] = 0x45;
    p[1] = 0;
    tn_w16(p + 2, (uint16_t)(20 + n));
    tn_w16(p + 4, id);
    tn_w16(p + 6, 0x4000);
    p[8] = 64;
    p[9] = proto;
    tn_w16(p + 10, 0);
    tn_w32(p + 12, src);
    tn_w32(p + 16, dst);
    tn_w16(p + 10, tn_cksum(p, 20, 0));
    memmove(p + 20, pl, n);
    return 20 + n;
}

size_t tn_udp(uint8_t *p, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, const uint8_t *d, size_t n, int with_cksum)
{
    memmove(p + 8, d, n);
    tn_w16(p, sport);
    tn_w16(p + 2, dport);
    tn_w16(p + 4, (uint16_t)(8 + n));
    tn_w16(p + 6, 0);
    if (with_cksum) {
        uint32_t ps = (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + 17 + 8 + (uint32_t)n;
        uint16_t c = tn_cksum(p, 8 + n, ps);
        tn_w16(p + 6, c ? c : 0xFFFF);
    }
    return 8 + n;
}

size_t tn_arp(uint8_t *p, uint16_t op, const uint8_t *sha, uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
    tn_w16(p, 1);
    tn_w16(p + 2, 0x0800);
    p[4] = 6;
    p[5] = 4;
    tn_w16(p + 6, op);
    memcpy(p + 8, sha, 6);
    tn_w32(p + 14, spa);
    memcpy(p + 18, tha, 6);
    tn_w32(p + 24, tpa);
    return 28;
}

size_t tn_pad(uint8_t *f, size_t n)
{
    while (n < 60)
        f[n++] = 0;
    return n;
}

size_t tn_frame_udp(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint32_t src, uint32_t dst,
                    uint16_t sport, uint16_t dport, const uint8_t *d, size_t n, uint16_t id)
{
    uint8_t tmp[1600];
    size_t u = tn_udp(tmp, src, dst, sport, dport, d, n, 1);
    size_t k = tn_eth(f, dmac, smac, 0x0800);
    k += tn_ip(f + k, src, dst, 17, id, tmp, u);
    return k;
}

size_t tn_frame_arp(uint8_t *f, const uint8_t *dmac, uint16_t op, const uint8_t *sha, uint32_t spa,
                    const uint8_t *tha, uint32_t tpa)
{
    size_t k = tn_eth(f, dmac, sha, 0x0806);
    k += tn_arp(f + k, op, sha, spa, tha, tpa);
    return k;
}

void tn_inject_hr(const uint8_t *f, size_t n, size_t headroom)
{
    vmio_buf_t *b = vmio_buf_alloc(n, headroom);
    assert_non_null(b);
    if (n)
        memcpy(b->data, f, n);
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(0, TN_ID_NET, 0);
    ev.code = VMIO_EV_DATA;
    ev.buf = b;
    assert_int_equal(vmio_deposit(0, &ev), 0);
    vmio_run();
}

void tn_inject(const uint8_t *f, size_t n)
{
    tn_inject_hr(f, n, TN_RX_HEADROOM);
}

void tn_learn(const uint8_t *mac, uint32_t ip)
{
    static const uint8_t zero[6];
    uint8_t f[64];
    size_t n = tn_pad(f, tn_frame_arp(f, tn_bcast_mac, 1, mac, ip, zero, tn_net.cfg.addr.ip));
    unsigned before = tn_ntx;
    tn_inject(f, n);
    assert_int_equal(tn_ntx, before + 1);
    tn_ntx = before;
}

void tn_expect_tx(unsigned i, const uint8_t *exp, size_t n)
{
    assert_true(i < tn_ntx);
    if (tn_tx[i].n != n || memcmp(tn_tx[i].b, exp, n)) {
        fprintf(stderr, "frame %u: got %zu bytes, expected %zu\n", i, tn_tx[i].n, n);
        for (size_t k = 0; k < tn_tx[i].n || k < n; k++)
            if (k >= tn_tx[i].n || k >= n || tn_tx[i].b[k] != exp[k])
                fprintf(stderr, "  [%zu] got %02x exp %02x\n", k, k < tn_tx[i].n ? tn_tx[i].b[k] : 0,
                        k < n ? exp[k] : 0);
        fail_msg("frame %u differs", i);
    }
    assert_true(tn_tx[i].headroom >= NET_DRV_HEADROOM);
}

net_stats_t tn_stats(void)
{
    net_stats_t s;
    net_get_stats(&tn_net, &s);
    return s;
}
