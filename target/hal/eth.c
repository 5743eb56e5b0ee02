/* hal/eth.h over the USB host stack: binds the first LAN9512 or CDC-ECM device, then runs
 * the data path with interrupt-driven DMA transfers:
 *   - RX: one bulk-in transfer in flight into a VMIO buffer (ETH_HEADROOM reserved in
 *     front, so the stack may answer in place) and ETH_RX_SPARES spare buffers allocated
 *     ahead at VMIO level. Fast path, in the USB IRQ: on a good completion the channel is
 *     re-armed at once with a spare, and a transfer holding exactly one good frame (every
 *     CDC-ECM transfer; a LAN9512 transfer with one record, its status word stripped by
 *     moving the data pointer of the buffer we own) is deposited straight to rx_dst as
 *     VMIO_EV_DATA; ETH_IEV_RX then asks our automaton to refill the spares. Slow path:
 *     errors, bad lengths, LAN9512 multi-frame transfers and refused deposits go back to
 *     VMIO level through a small ring and are handled there (recovery, split, counters).
 *   - TX: eth_send (VMIO level) prepends the driver framing, aligns the frame for DMA,
 *     queues it; one bulk-out in flight; the IRQ records the completion and deposits
 *     ETH_IEV_TX; the buffer is freed and the next frame started at VMIO level.
 *   - Link: interrupt-IN endpoint (CDC notifications / LAN9512 PHY interrupt), polled by
 *     the DWC2 driver at the endpoint interval; data reaches us inline in ETH_IEV_INT.
 * A completion whose deposit was refused (queue full, counted by VMIO) is not lost: the
 * flags are checked again on every event and eth_send. */
#include "hal/eth.h"
#include "hal/usb/usbnet.h"
#include "hal/usb/lan9512_frame.h"
#include "hal/systimer.h"
#include "bcm2835/lan9512.h"
#include "bcm2835/usb.h"
#include "boot/exc.h"
#include "lib/kstring.h"
#include "platform.h"
#include "err.h"

enum {
    ETH_IEV_START = VMIO_EV_USER + 1,
    ETH_IEV_RX,
    ETH_IEV_TX,
    ETH_IEV_INT,
    ETH_IEV_TEST,
    ETH_IEV_N
};
enum { ETH_S_RUN = 0, ETH_NSTATES };

#define ETH_TXQ 8u                       /* frames queued behind the one in flight */
#define ETH_RX_SPLIT_MAX 8u              /* LAN9512 frames per bulk-in we deliver */
#define ETH_INT_BUF 64u                  /* one max packet of any FS/HS interrupt EP we poll */
#define ETH_TX_TIMEOUT_US 500000u        /* a bulk-out the device never takes is aborted */
#define ETH_ERR_LIMIT 16u                /* consecutive bulk errors before a direction stops */

static usbnet_t eth_nic;
static int eth_bound;
static vmio_addr_t eth_dst;
static vmio_automaton_t eth_aut;
static eth_stats_t eth_st;
static lan9512_rx_stats_t eth_lan_rx;
static volatile uint8_t eth_link;
static uint8_t eth_link_reported = 0xFF;

/* RX. eth_rx_cur: the bulk-in target; written by VMIO level (post, IRQs masked, channel
 * idle) or by the IRQ (completion, re-arm). Spares: single producer (VMIO), single
 * consumer (IRQ). Back ring: single producer (IRQ), single consumer (VMIO). Bound: an
 * entry is a buffer that was in flight or a spare when the last drain started
 * (<= 1 + ETH_RX_SPARES), or was allocated by the one eth_rx_post() that follows a drain
 * (<= ETH_RX_SPARES + 1): at most 2 * (ETH_RX_SPARES + 1) entries, so a ring of one more
 * slot cannot overflow (rx_lost_irq counts it anyway). */
#define ETH_RX_BACK (2u * (ETH_RX_SPARES + 1u) + 1u)
typedef struct eth_rx_back {
    vmio_buf_t *b;
    int status;
    uint32_t n;
} eth_rx_back_t;
static vmio_buf_t *volatile eth_rx_cur;
static vmio_buf_t *eth_rx_spare[ETH_RX_SPARES + 1u];
static volatile unsigned eth_sp_head, eth_sp_tail;   /* IRQ takes at head, VMIO adds at tail */
static eth_rx_back_t eth_rx_back[ETH_RX_BACK];
static volatile unsigned eth_bk_head, eth_bk_tail;   /* VMIO takes at head, IRQ adds at tail */
/* Compiler barrier: ring slots are written before the index that publishes them and read
 * after the index that announced them (one core: program order is all we need). */
#define ETH_BARRIER() __asm__ volatile("" ::: "memory")
static volatile uint32_t eth_rx_fast_frames, eth_rx_fast_bytes, eth_rx_back_full; /* IRQ only */
static uint32_t eth_rx_fast_seen;                    /* VMIO: fast frames at the last error */
/* TX */
static vmio_buf_t *eth_tx_cur;
static uint8_t eth_tx_cur_zlp;           /* the frame in flight must be followed by a ZLP */
static uint8_t eth_tx_in_zlp;            /* the transfer in flight is that ZLP */
static uint64_t eth_tx_start_us;         /* when the transfer in flight started */
static vmio_buf_t *eth_txq[ETH_TXQ];
static unsigned eth_txq_head, eth_txq_n;
static volatile uint8_t eth_tx_done;
static volatile int eth_tx_status;
/* interrupt endpoint, owned by the IRQ level once started */
static uint8_t eth_int_buf[ETH_INT_BUF] __attribute__((aligned(32)));
static uint8_t eth_lan_pending;          /* LAN9512 PHY interrupt still to be read */
static unsigned eth_rx_err_run, eth_tx_err_run; /* consecutive failures per direction */
static uint8_t eth_rx_dead;              /* bulk-in gave up after ETH_ERR_LIMIT failures */

static void eth_deposit(uint8_t code, const uint8_t *inl, uint8_t len)
{
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(VMIO_NODE_LOCAL, ETH_AUT, 0);
    ev.src = ev.dst;
    ev.code = code;
    if (len > VMIO_EV_INLINE)
        len = VMIO_EV_INLINE;
    if (inl && len)
        memcpy(ev.inl, inl, len);
    ev.len = len;
    (void)vmio_deposit(ETH_IRQ_LEVEL, &ev); /* refused: counted by VMIO, flags remain */
}

/* ---- IRQ level ----------------------------------------------------------------------- */
/* One good frame filling the transfer -> deposited to rx_dst; 0 when it needs VMIO. */
static int eth_rx_fast(vmio_buf_t *b, uint32_t n)
{
    if (eth_nic.kind == ETH_CDC_ECM) {
        if (n < ETH_FRAME_MIN || n > ETH_FRAME_MAX)
            return 0;
        b->len = (uint16_t)n;
    } else {
        lan9512_rx_frame_t f;
        lan9512_rx_stats_t st = {0};
        if (lan9512_rx_split(b->data, n, &f, 1, &st) != 1 || st.errors || st.bad_len || st.truncated ||
            st.overflow)
            return 0;               /* several records or a bad one: VMIO splits / counts */
        /* strip the status word: the buffer is ours until deposited (vmio_buf_header's
         * effect, done on the descriptor directly: no pool state is touched) */
        b->data += f.off;
        b->len = f.len;
    }
    vmio_event_t ev = {0};
    ev.dst = eth_dst;
    ev.src = vmio_addr(VMIO_NODE_LOCAL, ETH_AUT, 0);
    ev.code = VMIO_EV_DATA;
    ev.buf = b;
    if (vmio_deposit(ETH_IRQ_LEVEL, &ev)) {
        if (eth_nic.kind != ETH_CDC_ECM) {   /* undo: VMIO delivers it */
            b->data -= LAN9512_RX_STS_LEN;
        }
        return 0;
    }
    eth_rx_fast_frames++;
    eth_rx_fast_bytes += b->len;
    return 1;
}

static void eth_rx_cb(unsigned ch, int status, uint32_t actual, void *arg)
{
    (void)arg;
    vmio_buf_t *b = eth_rx_cur;
    eth_rx_cur = 0;
    if (!b)
        return;
    if (status == 0 && eth_sp_head != eth_sp_tail) {
        /* keep the pipe full: the next transfer starts before we look at this one */
        ETH_BARRIER();
        vmio_buf_t *nb = eth_rx_spare[eth_sp_head];
        eth_sp_head = (eth_sp_head + 1u) % (ETH_RX_SPARES + 1u);
        eth_rx_cur = nb;
        if (dwc2_xfer_start(ch, &eth_nic.bulk_in, nb->data, USBNET_RX_XFER, eth_rx_cb, 0)) {
            eth_rx_cur = 0;         /* cannot happen (channel just completed): VMIO frees it */
            unsigned t = eth_bk_tail, nt = (t + 1u) % ETH_RX_BACK;
            if (nt != eth_bk_head) {
                eth_rx_back[t] = (eth_rx_back_t){nb, ERR_BUSY, 0};
                ETH_BARRIER();
                eth_bk_tail = nt;
            } else {
                eth_rx_back_full++;
            }
        }
    }
    if (status == 0 && eth_rx_fast(b, actual)) {
        eth_deposit(ETH_IEV_RX, 0, 0);   /* refill the spare */
        return;
    }
    unsigned t = eth_bk_tail, nt = (t + 1u) % ETH_RX_BACK;
    if (nt != eth_bk_head) {
        eth_rx_back[t] = (eth_rx_back_t){b, status, actual};
        ETH_BARRIER();
        eth_bk_tail = nt;
    } else {
        eth_rx_back_full++;         /* impossible by the bound above (buffer would leak) */
    }
    eth_deposit(ETH_IEV_RX, 0, 0);
}

static void eth_tx_cb(unsigned ch, int status, uint32_t actual, void *arg)
{
    (void)ch;
    (void)actual;
    (void)arg;
    eth_tx_status = status;
    eth_tx_done = 1;
    eth_deposit(ETH_IEV_TX, 0, 0);
}

static void eth_int_cb(unsigned ch, int status, uint32_t actual, void *arg)
{
    (void)arg;
    if (status) {
        eth_st.intr_errors++;      /* stalled / failed: link polling stops (counted) */
        return;
    }
    eth_st.intr_events++;
    eth_deposit(ETH_IEV_INT, eth_int_buf, (uint8_t)(actual < ETH_INT_BUF ? actual : ETH_INT_BUF));
    (void)dwc2_xfer_start(ch, &eth_nic.intr_in, eth_int_buf,
                          eth_nic.intr_in.mps < ETH_INT_BUF ? eth_nic.intr_in.mps : ETH_INT_BUF, eth_int_cb, 0);
}

/* ---- VMIO level ----------------------------------------------------------------------- */
static void eth_report_link(void)
{
    uint8_t up = eth_link;
    if (up == eth_link_reported)
        return;
    if (eth_link_reported != 0xFF)
        eth_st.link_changes++;
    eth_link_reported = up;
    if (up && !eth_st.link_up_us)
        eth_st.link_up_us = st_now_us();
    vmio_event_t ev = {0};
    ev.dst = eth_dst;
    ev.src = vmio_addr(VMIO_NODE_LOCAL, ETH_AUT, 0);
    ev.code = ETH_EV_LINK;
    ev.arg = up;
    memcpy(ev.inl, eth_nic.mac, 6);
    ev.len = 6;
    (void)vmio_post(&ev, 0);
}

/* A failed bulk transfer: a stalled endpoint gets CLEAR_FEATURE(ENDPOINT_HALT) and its
 * toggle back to DATA0 (USB 2.0 9.4.5); other errors are retried by re-posting. Returns 0
 * to go on, or -1 when the direction failed ETH_ERR_LIMIT times in a row. */
static int eth_recover(unsigned ch, dwc2_ep_t *ep, unsigned *run)
{
    if (dwc2_chan_hcint(ch) & DWC2_HCINT_STALL) {
        uint8_t addr = (uint8_t)(ep->num | (ep->in ? USB_EP_DIR_IN : 0));
        if (usb_clear_halt(eth_nic.dev, addr))
            eth_st.stall_clear_failed++;
        ep->toggle = DWC2_PID_DATA0;
        eth_st.stalls_cleared++;
    }
    if (++*run >= ETH_ERR_LIMIT) {
        plat_log("eth: %s endpoint failed %u times in a row: stopped", ep->in ? "bulk-in" : "bulk-out", *run);
        return -1;
    }
    return 0;
}

/* VMIO level: spares up to ETH_RX_SPARES, then a bulk-in if none is in flight. */
static void eth_rx_post(void)
{
    if (!eth_bound || eth_rx_dead)
        return;
    for (;;) {
        unsigned t = eth_sp_tail, nt = (t + 1u) % (ETH_RX_SPARES + 1u);
        if (nt == eth_sp_head)
            break;                  /* spares full */
        vmio_buf_t *b = vmio_buf_alloc(USBNET_RX_XFER, ETH_HEADROOM);
        if (!b) {
            eth_st.rx_starved++;
            break;
        }
        eth_rx_spare[t] = b;
        ETH_BARRIER();
        eth_sp_tail = nt;
    }
    /* with IRQs masked no bulk-in completion can run: eth_rx_cur == 0 means the channel
     * is idle for good */
    uint32_t flags = exc_irq_save();
    if (!eth_rx_cur) {
        vmio_buf_t *b = vmio_buf_alloc(USBNET_RX_XFER, ETH_HEADROOM);
        if (!b) {
            eth_st.rx_starved++;
        } else {
            eth_rx_cur = b;
            if (dwc2_xfer_start(DWC2_CH_BULK_IN, &eth_nic.bulk_in, b->data, USBNET_RX_XFER, eth_rx_cb, 0)) {
                eth_rx_cur = 0;
                vmio_buf_free(b);
                eth_st.rx_errors++;
            }
        }
    }
    exc_irq_restore(flags);
}

static void eth_deliver(vmio_buf_t *b)
{
    eth_st.rx_frames++;
    eth_st.rx_bytes += b->len;
    if (vmio_send(&eth_aut, eth_dst, VMIO_EV_DATA, 0, 0, 0, b, 0))
        eth_st.rx_no_deliver++;    /* buffer freed by the engine */
}

static void eth_rx_one(vmio_buf_t *b, int status, uint32_t n)
{
    if (status == ERR_BUSY) {       /* a spare the IRQ could not start */
        vmio_buf_free(b);
        return;
    }
    if (status) {
        eth_st.rx_errors++;
        vmio_buf_free(b);
        if (eth_rx_fast_frames != eth_rx_fast_seen)
            eth_rx_err_run = 0;     /* frames got through since the last error */
        eth_rx_fast_seen = eth_rx_fast_frames;
        if (eth_recover(DWC2_CH_BULK_IN, &eth_nic.bulk_in, &eth_rx_err_run))
            eth_rx_dead = 1;
        return;
    }
    eth_rx_err_run = 0;
    if (eth_nic.kind == ETH_CDC_ECM) {
        if (n < ETH_FRAME_MIN || n > ETH_FRAME_MAX) {
            eth_st.rx_bad_len++;
            vmio_buf_free(b);
            return;
        }
        b->len = (uint16_t)n;
        eth_deliver(b);
        return;
    }
    /* LAN9512: status word + frame (+FCS) records; the first frame stays in place, the
     * others are copied into their own buffers */
    lan9512_rx_frame_t f[ETH_RX_SPLIT_MAX];
    lan9512_rx_stats_t before = eth_lan_rx;
    unsigned k = lan9512_rx_split(b->data, n, f, ETH_RX_SPLIT_MAX, &eth_lan_rx);
    eth_st.rx_errors += eth_lan_rx.errors - before.errors;
    eth_st.rx_bad_len += (eth_lan_rx.bad_len - before.bad_len) + (eth_lan_rx.truncated - before.truncated) +
                         (eth_lan_rx.overflow - before.overflow);
    vmio_buf_t *c[ETH_RX_SPLIT_MAX] = {0};
    for (unsigned i = 1; i < k; i++) {     /* copy out before b's bytes move */
        c[i] = vmio_buf_alloc(f[i].len, ETH_HEADROOM);
        if (!c[i]) {
            eth_st.rx_no_buf++;
            continue;
        }
        memcpy(c[i]->data, b->data + f[i].off, f[i].len);
        eth_st.rx_copies++;
    }
    if (k == 0) {
        vmio_buf_free(b);
        return;
    }
    (void)vmio_buf_header(b, -(int)f[0].off);
    b->len = f[0].len;
    eth_deliver(b);                         /* wire order */
    for (unsigned i = 1; i < k; i++)
        if (c[i])
            eth_deliver(c[i]);
}

static void eth_rx_complete(void)
{
    /* bounded: the ring holds at most ETH_RX_BACK - 1 entries */
    while (eth_bk_head != eth_bk_tail) {
        ETH_BARRIER();
        eth_rx_back_t e = eth_rx_back[eth_bk_head];
        eth_bk_head = (eth_bk_head + 1u) % ETH_RX_BACK;
        eth_rx_one(e.b, e.status, e.n);
    }
    eth_rx_post();
}

/* A bulk-out transfer whose length is a multiple of the max packet size only ends for
 * the device with a zero-length packet (USB 2.0 5.8.3); it follows as its own transfer. */
static int eth_needs_zlp(const vmio_buf_t *b)
{
    return b->len % eth_nic.bulk_out.mps == 0;
}

static void eth_tx_kick(void)
{
    while (!eth_tx_cur && !eth_tx_in_zlp && eth_txq_n) {
        vmio_buf_t *b = eth_txq[eth_txq_head];
        eth_txq_head = (eth_txq_head + 1u) % ETH_TXQ;
        eth_txq_n--;
        eth_tx_cur = b;
        eth_tx_cur_zlp = (uint8_t)eth_needs_zlp(b);
        eth_tx_start_us = st_now_us();
        if (dwc2_xfer_start(DWC2_CH_BULK_OUT, &eth_nic.bulk_out, b->data, b->len, eth_tx_cb, 0)) {
            eth_tx_cur = 0;
            eth_st.tx_errors++;
            vmio_buf_free(b);
        }
    }
}

static void eth_tx_complete(void)
{
    if (!eth_tx_done)
        return;
    eth_tx_done = 0;
    if (eth_tx_in_zlp) {
        eth_tx_in_zlp = 0;
        if (eth_tx_status)
            eth_st.tx_errors++;
        eth_tx_kick();
        return;
    }
    vmio_buf_t *b = eth_tx_cur;
    eth_tx_cur = 0;
    vmio_buf_free(b);
    if (eth_tx_cur_zlp && !eth_tx_status) {
        eth_tx_cur_zlp = 0;
        eth_tx_in_zlp = 1;
        eth_st.tx_zlp++;
        eth_tx_start_us = st_now_us();
        if (dwc2_xfer_start(DWC2_CH_BULK_OUT, &eth_nic.bulk_out, 0, 0, eth_tx_cb, 0) == ERR_OK)
            return;
        eth_tx_in_zlp = 0;
        eth_st.tx_errors++;
    }
    if (eth_tx_status) {
        eth_st.tx_errors++;
        if (eth_recover(DWC2_CH_BULK_OUT, &eth_nic.bulk_out, &eth_tx_err_run)) {
            eth_tx_err_run = 0;    /* TX keeps trying: each frame is counted */
        }
    } else {
        eth_tx_err_run = 0;
    }
    eth_tx_kick();
}

/* A bulk-out the device keeps NAKing (or a lost completion) must not stop TX for good:
 * after ETH_TX_TIMEOUT_US it is aborted and finished here as a failed transfer. */
static void eth_tx_watchdog(void)
{
    if ((!eth_tx_cur && !eth_tx_in_zlp) || eth_tx_done)
        return;
    if (st_now_us() - eth_tx_start_us < ETH_TX_TIMEOUT_US)
        return;
    if (dwc2_xfer_abort(DWC2_CH_BULK_OUT) != ERR_OK)
        return;                    /* it completed meanwhile: the IRQ path has it */
    eth_st.tx_timeouts++;
    eth_tx_status = ERR_TIMEOUT;
    eth_tx_done = 1;
}

static void eth_poll_all(void)
{
    eth_tx_watchdog();
    eth_tx_complete();
    eth_rx_complete();             /* drains, then refills and posts (one pass per drain) */
    if (eth_lan_pending && eth_nic.kind == ETH_LAN9512) {
        int up = lan9512_link_update(&eth_nic);
        if (up >= 0) {
            eth_lan_pending = 0;
            eth_link = (uint8_t)up;
        }
    }
    eth_report_link();
}

static int eth_on_start(vmio_automaton_t *self, const vmio_event_t *ev)
{
    (void)self;
    (void)ev;
    if (eth_nic.has_intr)
        (void)dwc2_xfer_start(DWC2_CH_INTR_IN, &eth_nic.intr_in, eth_int_buf,
                              eth_nic.intr_in.mps < ETH_INT_BUF ? eth_nic.intr_in.mps : ETH_INT_BUF, eth_int_cb, 0);
    eth_poll_all();
    return 0;
}

static int eth_on_any(vmio_automaton_t *self, const vmio_event_t *ev)
{
    (void)self;
    (void)ev;
    eth_poll_all();
    return 0;
}

static int eth_on_int(vmio_automaton_t *self, const vmio_event_t *ev)
{
    (void)self;
    if (eth_st.intr_events == 1 && ev->len >= 8)
        plat_log("eth: first notification %02x %02x %02x%02x %02x%02x %02x%02x", ev->inl[0], ev->inl[1],
                 ev->inl[3], ev->inl[2], ev->inl[5], ev->inl[4], ev->inl[7], ev->inl[6]);
    if (eth_nic.kind == ETH_CDC_ECM) {
        int up = cdc_ecm_notify(ev->inl, ev->len);
        if (up >= 0)
            eth_link = (uint8_t)up;
    } else if (ev->len >= LAN9512_INT_EP_LEN) {
        uint32_t w = (uint32_t)ev->inl[0] | (uint32_t)ev->inl[1] << 8 | (uint32_t)ev->inl[2] << 16 |
                     (uint32_t)ev->inl[3] << 24;
        if (w & LAN9512_INT_STS_PHY_INT)
            eth_lan_pending = 1;
    }
    eth_poll_all();
    return 0;
}

/* Test frame: ARP request who-has inl[4..7] tell inl[0..3] from our MAC (console "eth test"),
 * ev->arg bytes long (42, or zero-padded up to ETH_FRAME_MAX). */
static int eth_on_test(vmio_automaton_t *self, const vmio_event_t *ev)
{
    (void)self;
    size_t len = ev->arg < 42 ? 42 : ev->arg > ETH_FRAME_MAX ? ETH_FRAME_MAX : ev->arg;
    vmio_buf_t *b = vmio_buf_alloc(len, ETH_HEADROOM);
    if (!b) {
        eth_st.tx_dropped++;
        return 0;
    }
    uint8_t *p = b->data;
    memset(p, 0xFF, 6);                               /* broadcast */
    memcpy(p + 6, eth_nic.mac, 6);
    p[12] = 0x08; p[13] = 0x06;                       /* ARP */
    p[14] = 0x00; p[15] = 0x01; p[16] = 0x08; p[17] = 0x00; /* Ethernet / IPv4 */
    p[18] = 6; p[19] = 4; p[20] = 0; p[21] = 1;       /* request */
    memcpy(p + 22, eth_nic.mac, 6);
    memcpy(p + 28, ev->inl, 4);                       /* sender IP */
    memset(p + 32, 0, 6);
    memcpy(p + 38, ev->inl + 4, 4);                   /* target IP */
    memset(p + 42, 0, len - 42);                      /* padding */
    (void)eth_send(b);
    return 0;
}

static const vmio_row_t eth_rows[ETH_NSTATES][ETH_IEV_N] = {
    [ETH_S_RUN] = {
        [ETH_IEV_START] = VMIO_ROW(eth_on_start, VMIO_SAME),
        [ETH_IEV_RX] = VMIO_ROW(eth_on_any, VMIO_SAME),
        [ETH_IEV_TX] = VMIO_ROW(eth_on_any, VMIO_SAME),
        [ETH_IEV_INT] = VMIO_ROW(eth_on_int, VMIO_SAME),
        [ETH_IEV_TEST] = VMIO_ROW(eth_on_test, VMIO_SAME),
    },
};
static const vmio_state_desc_t eth_states[ETH_NSTATES] = {[ETH_S_RUN] = {"run", 0, 0}};
static const vmio_table_t eth_table = {
    .name = "eth",
    .nstates = ETH_NSTATES,
    .nevents = ETH_IEV_N,
    .rows = &eth_rows[0][0],
    .dflt = 0,
    .states = eth_states,
    .event_names = 0,
};

/* ---- API ------------------------------------------------------------------------------- */
int eth_init(vmio_addr_t rx_dst)
{
    if (eth_bound)
        return ERR_BUSY;
    eth_st = (eth_stats_t){0};
    eth_st.init_us = st_now_us();
    int rc = usb_init();
    if (rc < 0)
        return rc == ERR_EMPTY || rc == ERR_TIMEOUT ? ERR_IO : rc;
    for (unsigned i = 0; i < usb_device_count() && !eth_bound; i++) {
        usb_device_t *d = usb_device_get(i);
        rc = lan9512_bind(d, &eth_nic);
        if (rc == ERR_NOTSUP)
            rc = cdc_ecm_bind(d, &eth_nic);
        if (rc == ERR_OK)
            eth_bound = 1;
        else if (rc != ERR_NOTSUP)
            plat_log("usb: dev %u: NIC setup failed: %s", d->addr, err_str(rc));
    }
    if (!eth_bound)
        return ERR_NOTSUP;
    eth_dst = rx_dst;
    eth_link = eth_nic.link;
    /* VMIO is already running (it preempts the application on interrupt exits): keep it
     * out while its automaton table changes */
    uint32_t flags = exc_irq_save();
    rc = vmio_register(&eth_aut, ETH_AUT, &eth_table, ETH_S_RUN);
    exc_irq_restore(flags);
    if (rc)
        return rc;
    if ((rc = dwc2_irq_start(ETH_IRQ_LEVEL)))
        return rc;
    eth_st.init_dur_us = st_now_us() - eth_st.init_us;
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(VMIO_NODE_LOCAL, ETH_AUT, 0);
    ev.src = ev.dst;
    ev.code = ETH_IEV_START;
    return vmio_deposit(VMIO_LEVEL_APP, &ev);
}

int eth_send(vmio_buf_t *frame)
{
    if (!frame)
        return ERR_INVAL;
    if (!eth_bound || frame->len < ETH_FRAME_MIN || frame->len > ETH_FRAME_MAX || !eth_link) {
        eth_st.tx_dropped++;
        vmio_buf_free(frame);
        return eth_bound && eth_link ? ERR_INVAL : ERR_IO;
    }
    eth_tx_watchdog();
    eth_tx_complete();             /* a completion whose deposit was refused */
    eth_rx_complete();             /* idem; and a bulk-in paused by an empty pool restarts */
    if (eth_txq_n >= ETH_TXQ) {
        eth_st.tx_dropped++;
        vmio_buf_free(frame);
        return ERR_NOSPC;
    }
    uint16_t flen = frame->len;
    if (eth_nic.tx_hdr) {
        if (vmio_buf_header(frame, eth_nic.tx_hdr)) {
            eth_st.tx_dropped++;
            vmio_buf_free(frame);
            return ERR_NOSPC;
        }
    }
    /* DWC2 DMA needs a 4-byte aligned address: slide the frame down into the headroom */
    unsigned mis = (unsigned)((uintptr_t)frame->data & 3u);
    if (mis) {
        if (vmio_buf_headroom(frame) < mis) {
            eth_st.tx_dropped++;
            vmio_buf_free(frame);
            return ERR_NOSPC;
        }
        memmove(frame->data - mis, frame->data, frame->len);
        frame->data -= mis;
        eth_st.tx_realign++;
    }
    if (eth_nic.tx_hdr)
        (void)lan9512_tx_header(frame->data, flen);
    eth_st.tx_frames++;
    eth_st.tx_bytes += flen;
    eth_txq[(eth_txq_head + eth_txq_n) % ETH_TXQ] = frame;
    eth_txq_n++;
    eth_tx_kick();
    return ERR_OK;
}

int eth_link_up(void)
{
    return eth_bound && eth_link;
}

int eth_mac(uint8_t mac[6])
{
    if (!eth_bound)
        return ERR_EMPTY;
    memcpy(mac, eth_nic.mac, 6);
    return ERR_OK;
}

eth_kind_t eth_kind(void)
{
    return eth_bound ? eth_nic.kind : ETH_NONE;
}

void eth_get_stats(eth_stats_t *out)
{
    uint32_t flags = exc_irq_save();
    *out = eth_st;
    out->rx_frames += eth_rx_fast_frames;
    out->rx_bytes += eth_rx_fast_bytes;
    out->rx_fast = eth_rx_fast_frames;
    out->rx_lost_irq = eth_rx_back_full;
    exc_irq_restore(flags);
}

/* Console helper (application level): queue an ARP request from sip for tip. */
int eth_test_arp(const uint8_t sip[4], const uint8_t tip[4], unsigned len)
{
    if (!eth_bound)
        return ERR_EMPTY;
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(VMIO_NODE_LOCAL, ETH_AUT, 0);
    ev.src = ev.dst;
    ev.code = ETH_IEV_TEST;
    ev.arg = len;
    memcpy(ev.inl, sip, 4);
    memcpy(ev.inl + 4, tip, 4);
    ev.len = 8;
    return vmio_deposit(VMIO_LEVEL_APP, &ev);
}
