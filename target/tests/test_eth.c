/* fw_eth_*: hal/eth.c's data path on the host with the real VMIO engine and buffer pools,
 * against a fake USB layer: bind results, dwc2_xfer_start() recording the transfers, and
 * completions injected the way the USB IRQ would run them. Checks frame bytes, framing
 * (LAN9512 command words in the headroom, RX status split), DMA alignment, the ZLP pad,
 * error and stall recovery, pool starvation, link events and buffer ownership.
 * eth.c keeps its state in statics (one NIC per boot), so each scenario runs in its own
 * process: `fw_test_eth <test name>` (cmocka test filter). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "hal/eth.h"
#include "hal/usb/usbnet.h"
#include "hal/usb/lan9512_frame.h"
#include "hal/systimer.h"
#include "bcm2835/lan9512.h"
#include "bcm2835/usb.h"
#include "plat_host.h"
#include "vmio/vmio.h"
#include "err.h"

/* ---- fake USB layer ------------------------------------------------------------------ */
static eth_kind_t fake_kind = ETH_CDC_ECM;
static usb_device_t fake_dev;
static int fake_lan_link = 1;
static unsigned clear_halts;
static uint8_t last_clear_ep;

uint64_t st_now_us(void) { return plat_host_now; }
int usb_init(void) { return 1; }
unsigned usb_device_count(void) { return 1; }
usb_device_t *usb_device_get(unsigned i) { return i == 0 ? &fake_dev : 0; }
int usb_clear_halt(usb_device_t *d, uint8_t ep)
{
    (void)d;
    clear_halts++;
    last_clear_ep = ep;
    return 0;
}
int cdc_ecm_notify(const uint8_t *p, size_t len) { return usb_desc_cdc_notify(p, len); }
int lan9512_link_update(usbnet_t *n)
{
    (void)n;
    return fake_lan_link;
}

static void fill_nic(usbnet_t *n, eth_kind_t k, uint16_t mps)
{
    *n = (usbnet_t){0};
    n->kind = k;
    n->dev = &fake_dev;
    n->bulk_in = (dwc2_ep_t){.dev = 2, .num = 2, .type = DWC2_EP_BULK, .in = 1, .mps = mps};
    n->bulk_out = (dwc2_ep_t){.dev = 2, .num = 3, .type = DWC2_EP_BULK, .in = 0, .mps = mps};
    n->intr_in = (dwc2_ep_t){.dev = 2, .num = 1, .type = DWC2_EP_INTERRUPT, .in = 1, .mps = 16, .interval = 32};
    n->has_intr = 1;
    const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x57};
    memcpy(n->mac, mac, 6);
    n->link = 1;
    n->tx_hdr = k == ETH_LAN9512 ? LAN9512_TX_HDR_LEN : 0;
}

int cdc_ecm_bind(usb_device_t *d, usbnet_t *n)
{
    (void)d;
    if (fake_kind != ETH_CDC_ECM)
        return ERR_NOTSUP;
    fill_nic(n, ETH_CDC_ECM, 64);
    return 0;
}

int lan9512_bind(usb_device_t *d, usbnet_t *n)
{
    (void)d;
    if (fake_kind != ETH_LAN9512)
        return ERR_NOTSUP;
    fill_nic(n, ETH_LAN9512, 512);
    return 0;
}

typedef struct fake_ch {
    int busy;
    dwc2_ep_t *ep;
    uint8_t *buf;
    uint32_t len;
    dwc2_done_fn done;
    void *arg;
    unsigned starts;
    uint32_t hcint;
} fake_ch_t;
static fake_ch_t ch[DWC2_NCH_USED];

int dwc2_xfer_start(unsigned c, dwc2_ep_t *ep, void *buf, uint32_t len, dwc2_done_fn done, void *arg)
{
    assert_true(c > 0 && c < DWC2_NCH_USED);
    assert_int_equal((uintptr_t)buf & 3u, 0);   /* DMA alignment */
    if (ch[c].busy)
        return ERR_BUSY;
    ch[c] = (fake_ch_t){1, ep, buf, len, done, arg, ch[c].starts + 1, 0};
    return 0;
}
int dwc2_irq_start(unsigned level)
{
    assert_int_equal(level, ETH_IRQ_LEVEL);
    return 0;
}
uint32_t dwc2_chan_hcint(unsigned c) { return ch[c].hcint; }
static unsigned aborts;
int dwc2_xfer_abort(unsigned c)
{
    if (!ch[c].busy)
        return ERR_EMPTY;
    ch[c].busy = 0;
    aborts++;
    return 0;
}

/* The IRQ side: completes channel c with `data` (IN) or as sent (OUT). */
static void complete(unsigned c, int status, const uint8_t *data, uint32_t n, uint32_t hcint)
{
    assert_true(ch[c].busy);
    if (data) {
        assert_true(n <= ch[c].len);
        memcpy(ch[c].buf, data, n);
    }
    ch[c].busy = 0;
    ch[c].hcint = hcint;
    ch[c].done(c, status, n, ch[c].arg);
}

/* ---- the receiving automaton --------------------------------------------------------- */
#define SINK 5
static vmio_automaton_t sink;
static uint8_t got[16][1600];
static unsigned got_len[16], got_n, link_events, link_up;
static uint8_t link_mac[6];

static int sink_keep;                 /* keep the buffers (a stack that holds frames) */
static vmio_buf_t *kept[16];
static unsigned nkept;

static int sink_data(vmio_automaton_t *self, const vmio_event_t *ev)
{
    (void)self;
    if (sink_keep && nkept < 16)
        kept[nkept++] = vmio_take(ev);
    assert_non_null(ev->buf);
    assert_true(got_n < 16);
    assert_true(vmio_buf_headroom(ev->buf) >= ETH_DRV_HEADROOM); /* room to answer in place */
    memcpy(got[got_n], ev->buf->data, ev->buf->len);
    got_len[got_n++] = ev->buf->len;
    return 0;
}
static int sink_link(vmio_automaton_t *self, const vmio_event_t *ev)
{
    (void)self;
    link_events++;
    link_up = ev->arg;
    memcpy(link_mac, ev->inl, 6);
    return 0;
}
static const vmio_row_t sink_rows[1][ETH_EV_LINK + 1] = {
    {[VMIO_EV_DATA] = VMIO_ROW(sink_data, VMIO_SAME), [ETH_EV_LINK] = VMIO_ROW(sink_link, VMIO_SAME)}};
static const vmio_state_desc_t sink_states[1] = {{"sink", 0, 0}};
static const vmio_table_t sink_table = {"sink", 1, ETH_EV_LINK + 1, &sink_rows[0][0], 0, sink_states, 0};

static void run(void)
{
    for (int i = 0; i < 16 && vmio_run(); i++)
        ;
}

static void start(eth_kind_t k)
{
    vmio_init(0);
    plat_host_reset();
    fake_kind = k;
    assert_int_equal(vmio_register(&sink, SINK, &sink_table, 0), 0);
    assert_int_equal(eth_init(vmio_addr(0, SINK, 0)), 0);
    run();
    assert_int_equal(link_events, 1);
    assert_int_equal(link_up, 1);
    assert_int_equal(link_mac[5], 0x57);
    assert_true(ch[DWC2_CH_BULK_IN].busy);
    assert_int_equal(ch[DWC2_CH_BULK_IN].len, USBNET_RX_XFER);
    assert_true(ch[DWC2_CH_INTR_IN].busy);
    assert_int_equal(eth_kind(), k);
}

static vmio_buf_t *frame(size_t len, size_t headroom, uint8_t seed)
{
    vmio_buf_t *b = vmio_buf_alloc(len, headroom);
    assert_non_null(b);
    for (size_t i = 0; i < len; i++)
        b->data[i] = (uint8_t)(seed + i);
    return b;
}

static eth_stats_t stats(void)
{
    eth_stats_t s;
    eth_get_stats(&s);
    return s;
}

/* ---- scenarios ---------------------------------------------------------------------- */
static void ecm_rx_tx(void **state)
{
    (void)state;
    start(ETH_CDC_ECM);
    uint8_t f[60];
    for (int i = 0; i < 60; i++)
        f[i] = (uint8_t)(0x40 + i);
    complete(DWC2_CH_BULK_IN, 0, f, 60, DWC2_HCINT_XFERCOMPL);
    run();
    assert_int_equal(got_n, 1);
    assert_int_equal(got_len[0], 60);
    assert_memory_equal(got[0], f, 60);
    assert_true(ch[DWC2_CH_BULK_IN].busy);               /* re-posted */
    assert_int_equal(ch[DWC2_CH_BULK_IN].starts, 2);

    /* TX from a misaligned frame: moved to a 4-byte boundary, bytes intact */
    vmio_buf_t *b = frame(42, ETH_HEADROOM - 1, 7);
    uint8_t want[42];
    memcpy(want, b->data, 42);
    assert_int_equal(eth_send(b), 0);
    assert_true(ch[DWC2_CH_BULK_OUT].busy);
    assert_int_equal(ch[DWC2_CH_BULK_OUT].len, 42);
    assert_memory_equal(ch[DWC2_CH_BULK_OUT].buf, want, 42);
    assert_int_equal(stats().tx_realign, 1);
    /* a 64-byte frame (= bulk MPS, small pool: no tailroom) is followed by a zero-length
     * packet; the next frame waits for it */
    assert_int_equal(eth_send(frame(64, ETH_HEADROOM, 1)), 0);
    assert_int_equal(eth_send(frame(50, ETH_HEADROOM, 2)), 0);
    complete(DWC2_CH_BULK_OUT, 0, 0, 42, DWC2_HCINT_XFERCOMPL);
    run();
    assert_true(ch[DWC2_CH_BULK_OUT].busy);
    assert_int_equal(ch[DWC2_CH_BULK_OUT].len, 64);
    complete(DWC2_CH_BULK_OUT, 0, 0, 64, DWC2_HCINT_XFERCOMPL);
    run();
    assert_true(ch[DWC2_CH_BULK_OUT].busy);
    assert_int_equal(ch[DWC2_CH_BULK_OUT].len, 0);      /* the ZLP */
    assert_int_equal(stats().tx_zlp, 1);
    complete(DWC2_CH_BULK_OUT, 0, 0, 0, DWC2_HCINT_XFERCOMPL);
    run();
    assert_int_equal(ch[DWC2_CH_BULK_OUT].len, 50);
    complete(DWC2_CH_BULK_OUT, 0, 0, 50, DWC2_HCINT_XFERCOMPL);
    run();
    eth_stats_t s = stats();
    assert_int_equal(s.tx_frames, 3);
    assert_int_equal(s.tx_bytes, 42 + 64 + 50);
    assert_int_equal(s.rx_frames, 1);
    assert_int_equal(s.tx_errors + s.tx_dropped + s.rx_errors + s.rx_bad_len, 0);
    assert_int_equal(s.rx_fast, 1);                       /* straight from the IRQ */
    assert_int_equal(vmio_buf_outstanding(), 1 + ETH_RX_SPARES); /* bulk-in + spares */
}

static void ecm_tx_limits(void **state)
{
    (void)state;
    start(ETH_CDC_ECM);
    /* one in flight + ETH queue of 8, then refusals (buffer freed, counted) */
    int refused = 0;
    for (int i = 0; i < 12; i++)
        if (eth_send(frame(100, ETH_HEADROOM, (uint8_t)i)) == ERR_NOSPC)
            refused++;
    assert_int_equal(refused, 3);
    assert_int_equal(stats().tx_dropped, 3);
    assert_int_equal(eth_send(frame(13, ETH_HEADROOM, 0)), ERR_INVAL);   /* runt */
    assert_int_equal(eth_send(NULL), ERR_INVAL);
    vmio_buf_t *big = vmio_buf_alloc(ETH_FRAME_MAX + 1, 0);
    assert_non_null(big);
    big->len = ETH_FRAME_MAX + 1;
    assert_int_equal(eth_send(big), ERR_INVAL);
    assert_int_equal(stats().tx_dropped, 5);
    /* drain: a failed transfer is counted and the queue goes on */
    complete(DWC2_CH_BULK_OUT, ERR_IO, 0, 0, DWC2_HCINT_XACTERR);
    run();
    for (int i = 0; i < 8; i++) {
        complete(DWC2_CH_BULK_OUT, 0, 0, 100, DWC2_HCINT_XFERCOMPL);
        run();
    }
    assert_false(ch[DWC2_CH_BULK_OUT].busy);
    assert_int_equal(stats().tx_errors, 1);
    assert_int_equal(clear_halts, 0);
    assert_int_equal(vmio_buf_outstanding(), 1 + ETH_RX_SPARES);
}

static void ecm_tx_timeout(void **state)
{
    (void)state;
    start(ETH_CDC_ECM);
    assert_int_equal(eth_send(frame(60, ETH_HEADROOM, 1)), 0);
    assert_int_equal(eth_send(frame(70, ETH_HEADROOM, 2)), 0);
    plat_host_now += 400000;                            /* not yet */
    assert_int_equal(eth_send(frame(80, ETH_HEADROOM, 3)), 0);
    assert_int_equal(aborts, 0);
    plat_host_now += 200000;                            /* the device never took frame 1 */
    assert_int_equal(eth_send(frame(90, ETH_HEADROOM, 4)), 0);
    assert_int_equal(aborts, 1);
    eth_stats_t s = stats();
    assert_int_equal(s.tx_timeouts, 1);
    assert_int_equal(s.tx_errors, 1);
    assert_true(ch[DWC2_CH_BULK_OUT].busy);
    assert_int_equal(ch[DWC2_CH_BULK_OUT].len, 70);     /* the queue moved on */
    for (int i = 0; i < 3; i++) {
        complete(DWC2_CH_BULK_OUT, 0, 0, ch[DWC2_CH_BULK_OUT].len, DWC2_HCINT_XFERCOMPL);
        run();
    }
    assert_false(ch[DWC2_CH_BULK_OUT].busy);
    assert_int_equal(vmio_buf_outstanding(), 1 + ETH_RX_SPARES);
}

static void ecm_rx_errors(void **state)
{
    (void)state;
    start(ETH_CDC_ECM);
    uint8_t f[20] = {0};
    complete(DWC2_CH_BULK_IN, 0, f, 10, DWC2_HCINT_XFERCOMPL);   /* runt */
    run();
    assert_int_equal(stats().rx_bad_len, 1);
    /* a stall: CLEAR_FEATURE(HALT) on the IN endpoint, toggle back to DATA0, re-posted */
    ch[DWC2_CH_BULK_IN].ep->toggle = DWC2_PID_DATA1;
    complete(DWC2_CH_BULK_IN, ERR_IO, 0, 0, DWC2_HCINT_STALL | DWC2_HCINT_CHHLTD);
    run();
    assert_int_equal(clear_halts, 1);
    assert_int_equal(last_clear_ep, 0x82);
    assert_int_equal(ch[DWC2_CH_BULK_IN].ep->toggle, DWC2_PID_DATA0);
    assert_int_equal(stats().stalls_cleared, 1);
    assert_true(ch[DWC2_CH_BULK_IN].busy);
    /* persistent failure: the direction stops after a bounded number of attempts */
    for (int i = 0; i < 40 && ch[DWC2_CH_BULK_IN].busy; i++) {
        complete(DWC2_CH_BULK_IN, ERR_IO, 0, 0, DWC2_HCINT_XACTERR);
        run();
    }
    assert_false(ch[DWC2_CH_BULK_IN].busy);
    assert_true(stats().rx_errors >= 15 && stats().rx_errors <= 17);
    assert_int_equal(got_n, 0);
    assert_int_equal(vmio_buf_outstanding(), ETH_RX_SPARES);   /* nothing in flight */
}

static void ecm_link_notify(void **state)
{
    (void)state;
    start(ETH_CDC_ECM);
    const uint8_t down[8] = {0xA1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    const uint8_t up[8] = {0xA1, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00};
    complete(DWC2_CH_INTR_IN, 0, down, 8, DWC2_HCINT_XFERCOMPL);
    assert_true(ch[DWC2_CH_INTR_IN].busy);               /* re-armed by the IRQ side */
    run();
    assert_int_equal(link_events, 2);
    assert_int_equal(link_up, 0);
    assert_int_equal(eth_link_up(), 0);
    assert_int_equal(eth_send(frame(60, ETH_HEADROOM, 0)), ERR_IO);  /* link down: dropped */
    assert_int_equal(stats().tx_dropped, 1);
    complete(DWC2_CH_INTR_IN, 0, up, 8, DWC2_HCINT_XFERCOMPL);
    run();
    assert_int_equal(link_events, 3);
    assert_int_equal(link_up, 1);
    assert_int_equal(stats().link_changes, 2);
    complete(DWC2_CH_INTR_IN, 0, up, 8, DWC2_HCINT_XFERCOMPL);  /* no change: no event */
    run();
    assert_int_equal(link_events, 3);
    assert_int_equal(vmio_buf_outstanding(), 1 + ETH_RX_SPARES);
}

static void ecm_rx_starved(void **state)
{
    (void)state;
    start(ETH_CDC_ECM);
    vmio_buf_t *hold[VMIO_POOL_LARGE_N];
    unsigned k = 0;
    while (k < VMIO_POOL_LARGE_N && (hold[k] = vmio_buf_alloc(1000, 0)))
        k++;
    /* the buffer in flight and the spares still carry frames (the stack keeps them), then
     * RX pauses */
    sink_keep = 1;
    uint8_t f[60] = {1};
    for (unsigned i = 0; i < 1 + ETH_RX_SPARES; i++) {
        assert_true(ch[DWC2_CH_BULK_IN].busy);
        complete(DWC2_CH_BULK_IN, 0, f, 60, DWC2_HCINT_XFERCOMPL);
        run();
    }
    assert_int_equal(got_n, 1 + ETH_RX_SPARES);
    assert_false(ch[DWC2_CH_BULK_IN].busy);
    assert_true(stats().rx_starved >= 1);
    for (unsigned i = 0; i < k; i++)
        vmio_buf_free(hold[i]);
    for (unsigned i = 0; i < nkept; i++)
        vmio_buf_free(kept[i]);
    /* the next event of the driver re-posts (here: a TX) */
    assert_int_equal(eth_send(frame(60, ETH_HEADROOM, 0)), 0);
    assert_true(ch[DWC2_CH_BULK_IN].busy);
    complete(DWC2_CH_BULK_OUT, 0, 0, 60, DWC2_HCINT_XFERCOMPL);
    run();
    assert_true(ch[DWC2_CH_BULK_IN].busy);
    assert_int_equal(vmio_buf_outstanding(), 1 + ETH_RX_SPARES);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void lan_rx_tx(void **state)
{
    (void)state;
    start(ETH_LAN9512);
    /* bulk-in with three records: 61-byte frame, CRC-error frame, 100-byte frame */
    uint8_t x[400];
    size_t n = 0;
    size_t lens[3] = {61, 70, 100};
    uint32_t extra[3] = {0, LAN9512_RX_STS_ES | LAN9512_RX_STS_CRC, LAN9512_RX_STS_BF};
    for (int r = 0; r < 3; r++) {
        uint32_t fl = (uint32_t)lens[r] + 4;
        put32(x + n, (fl << 16) | extra[r]);
        for (uint32_t i = 0; i < fl; i++)
            x[n + 4 + i] = (uint8_t)(r * 50 + i);
        n = (n + 4 + fl + 3) & ~(size_t)3;
    }
    complete(DWC2_CH_BULK_IN, 0, x, (uint32_t)n, DWC2_HCINT_XFERCOMPL);
    run();
    assert_int_equal(got_n, 2);
    assert_int_equal(got_len[0], 61);
    assert_int_equal(got_len[1], 100);
    assert_int_equal(got[0][0], 0);
    assert_int_equal(got[1][0], 100);
    eth_stats_t s = stats();
    assert_int_equal(s.rx_frames, 2);
    assert_int_equal(s.rx_errors, 1);
    assert_int_equal(s.rx_copies, 1);
    assert_int_equal(s.rx_fast, 0);                      /* multi-frame: split at VMIO level */
    /* one record: fast path, status word stripped in the IRQ */
    n = 0;
    put32(x, (64u << 16) | LAN9512_RX_STS_BF);
    for (int i = 0; i < 64; i++)
        x[4 + i] = (uint8_t)(0xA0 + i);
    complete(DWC2_CH_BULK_IN, 0, x, 68, DWC2_HCINT_XFERCOMPL);
    run();
    assert_int_equal(got_n, 3);
    assert_int_equal(got_len[2], 60);
    assert_int_equal(got[2][0], 0xA0);
    assert_int_equal(stats().rx_fast, 1);
    /* TX: command words A/B in front, frame bytes after them */
    vmio_buf_t *b = frame(60, ETH_HEADROOM, 9);
    assert_int_equal(eth_send(b), 0);
    const uint8_t *o = ch[DWC2_CH_BULK_OUT].buf;
    assert_int_equal(ch[DWC2_CH_BULK_OUT].len, 68);
    const uint8_t hdr[8] = {60, 0x30, 0, 0, 60, 0, 0, 0};
    assert_memory_equal(o, hdr, 8);
    assert_int_equal(o[8], 9);
    assert_int_equal(o[67], (uint8_t)(9 + 59));
    complete(DWC2_CH_BULK_OUT, 0, 0, 68, DWC2_HCINT_XFERCOMPL);
    /* PHY interrupt word: link re-read through lan9512_link_update */
    fake_lan_link = 0;
    uint8_t w[4];
    put32(w, LAN9512_INT_STS_PHY_INT);
    complete(DWC2_CH_INTR_IN, 0, w, 4, DWC2_HCINT_XFERCOMPL);
    run();
    assert_int_equal(link_up, 0);
    assert_int_equal(vmio_buf_outstanding(), 1 + ETH_RX_SPARES);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ecm_rx_tx),      cmocka_unit_test(ecm_tx_limits),  cmocka_unit_test(ecm_rx_errors),
        cmocka_unit_test(ecm_tx_timeout),
        cmocka_unit_test(ecm_link_notify), cmocka_unit_test(ecm_rx_starved), cmocka_unit_test(lan_rx_tx),
    };
    if (argc != 2) {
        fprintf(stderr, "usage: %s TEST (one scenario per process)\n", argv[0]);
        return 2;
    }
    int known = 0;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        known |= !strcmp(tests[i].name, argv[1]);
    if (!known) {
        fprintf(stderr, "unknown test '%s'\n", argv[1]);
        return 2;
    }
    cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
