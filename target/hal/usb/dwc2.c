/* DWC2 host-mode driver, buffer DMA (see dwc2.h). Register facts: bcm2835/dwc2.h.
 *
 * What QEMU 7.2's model (hw/usb/hcd-dwc2.c) does, observed with -trace 'usb_dwc2*' and
 * relied on only where the real core behaves the same:
 *  - control and bulk NAKs are retried by the model (HCINT.NAK set, channel not halted);
 *    an interrupt-IN NAK halts the channel (NAK | CHHLTD): we re-arm after the interval;
 *  - transfers of at most 1536 bytes are moved one max packet at a time and end on a short
 *    packet or a zero-length one (our bulk-in size is 1536 for that reason);
 *  - HCTSIZ.PID is not written back, so toggles are computed from the packet count;
 *  - writing CHDIS halts at once; HCSPLT is ignored; the root port shows the
 *    auto-inserted full-speed hub, reset takes effect when RST is cleared;
 *  - usb-net answers every poll of its notification endpoint with NETWORK_CONNECTION
 *    (8 bytes), so periodic polls are paced by the interval even after data;
 *  - one SOF interrupt per 1 ms frame, but HFNUM advances by ~83 per frame (and wraps at
 *    0x3FFF every ~200 ms): pacing counts SOFs, HFNUM is only read for ODDFRM. */
#include "hal/usb/dwc2.h"
#include "boot/exc.h"
#include "hal/cache.h"
#include "hal/mbox.h"
#include "hal/mmio.h"
#include "hal/systimer.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/mbox.h"
#include "bcm2835/usb.h"
#include "vmit/vmit.h"
#include "platform.h"
#include "err.h"

#define USB_BASE ((uintptr_t)BCM2835_USB_BASE)
#define DWC2_RESET_TIMEOUT_US   100000u
#define DWC2_HOSTMODE_WAIT_US   50000u   /* force-host-mode takes effect after 25 ms */
#define DWC2_CONNECT_TIMEOUT_US 500000u
#define DWC2_ENABLE_TIMEOUT_US  100000u
#define DWC2_HALT_TIMEOUT_US    10000u
#define DWC2_SNPSID_MASK        0xFFFFF000u
#define DWC2_SNPSID_OTG2        0x4F542000u  /* "OT2" + release */
/* FIFO split of the BCM2835's 4080-word dynamic FIFO (words): RX, non-periodic TX,
 * periodic TX. With DMA the FIFOs only stage packets; each holds several max packets. */
#define DWC2_RXFIFO_WORDS   1024u
#define DWC2_NPTXFIFO_WORDS 1024u
#define DWC2_PTXFIFO_WORDS  1024u
#define DWC2_HCINT_ERRS (DWC2_HCINT_XACTERR | DWC2_HCINT_BBLERR | DWC2_HCINT_AHBERR | \
                         DWC2_HCINT_DATATGLERR | DWC2_HCINT_FRMOVRUN | DWC2_HCINT_STALL)

typedef struct dwc2_chan {
    dwc2_ep_t *ep;
    uint8_t *buf;
    uint32_t len;
    uint32_t pktcnt;
    dwc2_done_fn done;
    void *arg;
    uint8_t active;        /* programmed, completion pending */
    uint8_t retry_wait;    /* periodic poll waiting retry_left SOFs */
    uint8_t retries;
    uint16_t retry_left;   /* SOFs to wait before re-arming */
    uint8_t started;       /* polled before: pace the next poll */
    uint32_t last_hcint;   /* HCINT of the last halt (why it ended) */
} dwc2_chan_t;

static dwc2_chan_t dwc2_ch[DWC2_NCH_USED];
static dwc2_stats_t dwc2_st;
static uint8_t dwc2_sof_on;

static inline uint32_t rd(uint32_t off) { return mmio_read32(USB_BASE, off); }
static inline void wr(uint32_t off, uint32_t v) { mmio_write32(USB_BASE, off, v); }

static int dwc2_wait(uint32_t off, uint32_t mask, uint32_t want, uint32_t timeout_us)
{
    uint32_t t0 = st_now32();
    while ((rd(off) & mask) != want)
        if (st_now32() - t0 > timeout_us)
            return ERR_TIMEOUT;
    return ERR_OK;
}

/* Mailbox: power domain of the USB block on, wait until stable (firmware wiki, tag
 * 0x28001: value 0 = device id, value 1 = bit 0 on, bit 1 wait; reply bit 1 = no device). */
static int dwc2_power_on(void)
{
    static uint32_t b[8] __attribute__((aligned(32)));
    b[0] = sizeof b;
    b[1] = MBOX_PROP_REQUEST;
    b[2] = MBOX_TAG_SET_POWER_STATE;
    b[3] = 8;
    b[4] = 0;
    b[5] = MBOX_POWER_USB;
    b[6] = 3;
    b[7] = MBOX_TAG_END;
    int rc = mbox_property(b, sizeof b);
    if (rc)
        return rc;
    return (b[6] & 3u) == 1u ? ERR_OK : ERR_IO;
}

static void dwc2_halt_raw(unsigned ch)
{
    uint32_t c = rd(DWC2_HC(ch, DWC2_HCCHAR));
    if (!(c & DWC2_HCCHAR_CHENA))
        return;
    wr(DWC2_HC(ch, DWC2_HCCHAR), c | DWC2_HCCHAR_CHENA | DWC2_HCCHAR_CHDIS);
    if (dwc2_wait(DWC2_HC(ch, DWC2_HCINT), DWC2_HCINT_CHHLTD, DWC2_HCINT_CHHLTD, DWC2_HALT_TIMEOUT_US))
        dwc2_st.timeouts++;
    dwc2_st.halts++;
}

int dwc2_init(void)
{
    int rc;
    for (unsigned i = 0; i < DWC2_NCH_USED; i++)
        dwc2_ch[i] = (dwc2_chan_t){0};
    dwc2_st = (dwc2_stats_t){0};
    if ((rc = dwc2_power_on()))
        plat_log("usb: mailbox power-on failed (%d), trying anyway", rc);

    mmio_enter();
    uint32_t id = rd(DWC2_GSNPSID);
    if ((id & DWC2_SNPSID_MASK) != DWC2_SNPSID_OTG2) {
        mmio_leave();
        plat_log("usb: no DWC2 core (GSNPSID=0x%08lx)", (unsigned long)id);
        return ERR_IO;
    }
    wr(DWC2_GAHBCFG, 0);                        /* no interrupts, no DMA while resetting */
    wr(DWC2_GINTMSK, 0);
    /* core soft reset: wait for the AHB master to be idle, reset, wait for the self-clear */
    rc = dwc2_wait(DWC2_GRSTCTL, DWC2_GRSTCTL_AHBIDLE, DWC2_GRSTCTL_AHBIDLE, DWC2_RESET_TIMEOUT_US);
    if (rc == ERR_OK) {
        wr(DWC2_GRSTCTL, DWC2_GRSTCTL_CSFTRST);
        rc = dwc2_wait(DWC2_GRSTCTL, DWC2_GRSTCTL_CSFTRST, 0, DWC2_RESET_TIMEOUT_US);
    }
    if (rc == ERR_OK)
        rc = dwc2_wait(DWC2_GRSTCTL, DWC2_GRSTCTL_AHBIDLE, DWC2_GRSTCTL_AHBIDLE, DWC2_RESET_TIMEOUT_US);
    if (rc) {
        mmio_leave();
        plat_log("usb: core soft reset timed out");
        return rc;
    }
    uint32_t cfg = rd(DWC2_GUSBCFG);
    cfg &= ~(DWC2_GUSBCFG_FORCEDEVMODE | DWC2_GUSBCFG_SRPCAP | DWC2_GUSBCFG_HNPCAP);
    cfg |= DWC2_GUSBCFG_FORCEHOSTMODE;
    wr(DWC2_GUSBCFG, cfg);
    mmio_leave();
    st_delay_us(DWC2_HOSTMODE_WAIT_US);
    mmio_enter();
    if (!(rd(DWC2_GINTSTS) & DWC2_GINT_CURMODE_HOST)) {
        mmio_leave();
        plat_log("usb: core did not enter host mode");
        return ERR_IO;
    }
    wr(DWC2_PCGCCTL, 0);                        /* clocks on */
    wr(DWC2_HCFG, rd(DWC2_HCFG) & ~DWC2_HCFG_FSLSPCLKSEL_MASK); /* UTMI+: 30/60 MHz */

    wr(DWC2_GRXFSIZ, DWC2_RXFIFO_WORDS);
    wr(DWC2_GNPTXFSIZ, (DWC2_NPTXFIFO_WORDS << 16) | DWC2_RXFIFO_WORDS);
    wr(DWC2_HPTXFSIZ, (DWC2_PTXFIFO_WORDS << 16) | (DWC2_RXFIFO_WORDS + DWC2_NPTXFIFO_WORDS));
    wr(DWC2_GRSTCTL, DWC2_GRSTCTL_TXFFLSH | DWC2_GRSTCTL_TXFNUM_ALL);
    rc = dwc2_wait(DWC2_GRSTCTL, DWC2_GRSTCTL_TXFFLSH, 0, DWC2_RESET_TIMEOUT_US);
    wr(DWC2_GRSTCTL, DWC2_GRSTCTL_RXFFLSH);
    if (rc == ERR_OK)
        rc = dwc2_wait(DWC2_GRSTCTL, DWC2_GRSTCTL_RXFFLSH, 0, DWC2_RESET_TIMEOUT_US);
    if (rc) {
        mmio_leave();
        plat_log("usb: FIFO flush timed out");
        return rc;
    }
    for (unsigned ch = 0; ch < DWC2_NCH_USED; ch++) {
        dwc2_halt_raw(ch);
        wr(DWC2_HC(ch, DWC2_HCINTMSK), 0);
        wr(DWC2_HC(ch, DWC2_HCINT), 0xFFFFFFFFu);
    }
    wr(DWC2_HAINTMSK, 0);
    wr(DWC2_GINTSTS, 0xFFFFFFFFu);
    /* buffer DMA, INCR4 bursts (HBSTLEN 3); global interrupt gate opened by dwc2_irq_start */
    wr(DWC2_GAHBCFG, DWC2_GAHBCFG_DMA_EN | (3u << DWC2_GAHBCFG_HBSTLEN_SHIFT));

    uint32_t p = rd(DWC2_HPRT0) & ~DWC2_HPRT0_W1C_MASK;
    if (!(p & DWC2_HPRT0_PWR))
        wr(DWC2_HPRT0, p | DWC2_HPRT0_PWR);
    mmio_leave();
    return ERR_OK;
}

int dwc2_port_reset(unsigned *speed)
{
    mmio_enter();
    int rc = dwc2_wait(DWC2_HPRT0, DWC2_HPRT0_CONNSTS, DWC2_HPRT0_CONNSTS, DWC2_CONNECT_TIMEOUT_US);
    if (rc) {
        mmio_leave();
        return ERR_EMPTY;
    }
    uint32_t p = rd(DWC2_HPRT0) & ~DWC2_HPRT0_W1C_MASK;
    wr(DWC2_HPRT0, p | DWC2_HPRT0_RST);
    mmio_leave();
    st_delay_us(USB_RESET_ROOT_MS * 1000u);
    mmio_enter();
    p = rd(DWC2_HPRT0) & ~DWC2_HPRT0_W1C_MASK;
    wr(DWC2_HPRT0, p & ~DWC2_HPRT0_RST);
    rc = dwc2_wait(DWC2_HPRT0, DWC2_HPRT0_ENA, DWC2_HPRT0_ENA, DWC2_ENABLE_TIMEOUT_US);
    p = rd(DWC2_HPRT0);
    /* acknowledge connect / enable changes (W1C); never write ENA = 1 (it disables) */
    wr(DWC2_HPRT0, (p & ~DWC2_HPRT0_W1C_MASK) | (p & (DWC2_HPRT0_CONNDET | DWC2_HPRT0_ENACHG |
                                                      DWC2_HPRT0_OVRCURRCHG)));
    mmio_leave();
    if (rc)
        return ERR_TIMEOUT;
    *speed = (p & DWC2_HPRT0_SPD_MASK) >> DWC2_HPRT0_SPD_SHIFT;
    st_delay_us(USB_RESET_RECOVERY_MS * 1000u);
    return ERR_OK;
}

uint32_t dwc2_frame_number(void)
{
    return mmio_read32(USB_BASE, DWC2_HFNUM) & DWC2_HFNUM_FRNUM_MASK;
}

/* Programs and enables channel ch (registers only; the caller owns the channel). */
static void dwc2_program(unsigned ch, const dwc2_ep_t *ep, uint32_t pid, uint32_t bus, uint32_t len,
                         uint32_t pktcnt, uint32_t intmsk)
{
    wr(DWC2_HC(ch, DWC2_HCINT), 0xFFFFFFFFu);
    wr(DWC2_HC(ch, DWC2_HCINTMSK), intmsk);
    wr(DWC2_HC(ch, DWC2_HCSPLT), 0);
    wr(DWC2_HC(ch, DWC2_HCTSIZ), (len & DWC2_HCTSIZ_XFERSIZE_MASK) |
                                     (pktcnt << DWC2_HCTSIZ_PKTCNT_SHIFT) |
                                     (pid << DWC2_HCTSIZ_PID_SHIFT));
    wr(DWC2_HC(ch, DWC2_HCDMA), bus);
    uint32_t c = (ep->mps & DWC2_HCCHAR_MPS_MASK) | ((uint32_t)ep->num << DWC2_HCCHAR_EPNUM_SHIFT) |
                 ((uint32_t)ep->type << DWC2_HCCHAR_EPTYPE_SHIFT) | (1u << DWC2_HCCHAR_MC_SHIFT) |
                 ((uint32_t)ep->dev << DWC2_HCCHAR_DEVADDR_SHIFT);
    if (ep->in)
        c |= DWC2_HCCHAR_EPDIR_IN;
    if (ep->speed == DWC2_SPEED_LOW)
        c |= DWC2_HCCHAR_LSPDDEV;
    if (ep->type == DWC2_EP_INTERRUPT && !(rd(DWC2_HFNUM) & 1u))
        c |= DWC2_HCCHAR_ODDFRM;    /* periodic: go in the next (odd) frame */
    wr(DWC2_HC(ch, DWC2_HCCHAR), c);
    wr(DWC2_HC(ch, DWC2_HCCHAR), c | DWC2_HCCHAR_CHENA);
}

static uint32_t dwc2_pktcnt(const dwc2_ep_t *ep, uint32_t len)
{
    return len ? (len + ep->mps - 1u) / ep->mps : 1u;
}

/* Toggle after a transfer that moved `done_pk` packets (a zero-length packet counts). */
static void dwc2_advance_toggle(dwc2_ep_t *ep, uint32_t done_pk)
{
    if (done_pk & 1u)
        ep->toggle = ep->toggle == DWC2_PID_DATA0 ? DWC2_PID_DATA1 : DWC2_PID_DATA0;
}

/* Result of a halted channel: 0, or an error; *retry when the transfer should be re-run. */
static int dwc2_result(uint32_t hcint, int *retry)
{
    *retry = 0;
    if (hcint & DWC2_HCINT_XFERCOMPL)
        return ERR_OK;
    if (hcint & DWC2_HCINT_STALL) {
        dwc2_st.stall++;
        return ERR_IO;
    }
    if (hcint & DWC2_HCINT_AHBERR) {
        dwc2_st.ahberr++;
        return ERR_IO;
    }
    if (hcint & DWC2_HCINT_BBLERR) {
        dwc2_st.bblerr++;
        return ERR_IO;
    }
    if (hcint & DWC2_HCINT_XACTERR) {
        dwc2_st.xacterr++;
        *retry = 1;
        return ERR_IO;
    }
    if (hcint & DWC2_HCINT_DATATGLERR) {
        dwc2_st.datatglerr++;
        *retry = 1;
        return ERR_IO;
    }
    if (hcint & DWC2_HCINT_FRMOVRUN) {
        dwc2_st.frmovrun++;
        *retry = 1;
        return ERR_IO;
    }
    if (hcint & DWC2_HCINT_NAK) {
        *retry = 2;             /* periodic NAK: later, not an error */
        return ERR_EMPTY;
    }
    return ERR_IO;              /* halted for no stated reason (disabled) */
}

int dwc2_xfer_sync(dwc2_ep_t *ep, int pid, void *buf, uint32_t len, uint32_t *actual,
                   uint32_t timeout_us)
{
    uintptr_t a = (uintptr_t)buf;
    if (!ep || !ep->mps || len > DWC2_XFER_MAX || (len && (!buf || (a & 3u))))
        return ERR_INVAL;
    if (ep->speed != DWC2_SPEED_HIGH && ep->speed != DWC2_SPEED_FULL && ep->speed != DWC2_SPEED_LOW)
        return ERR_INVAL;
    uint32_t p = pid < 0 ? ep->toggle : (uint32_t)pid;
    int rc = ERR_IO;
    for (unsigned attempt = 0; attempt <= DWC2_RETRIES; attempt++) {
        if (len) {
            if (ep->in)
                cache_dflush_range(a, len);
            else
                cache_dclean_range(a, len);
        }
        uint32_t pk = dwc2_pktcnt(ep, len);
        dwc2_st.xfers++;
        mmio_enter();
        dwc2_program(DWC2_CH_CTRL, ep, p, DWC2_BUS_ADDR(a), len, pk, 0);
        int w = dwc2_wait(DWC2_HC(DWC2_CH_CTRL, DWC2_HCINT), DWC2_HCINT_CHHLTD, DWC2_HCINT_CHHLTD,
                          timeout_us);
        uint32_t hcint = rd(DWC2_HC(DWC2_CH_CTRL, DWC2_HCINT));
        uint32_t tsz = rd(DWC2_HC(DWC2_CH_CTRL, DWC2_HCTSIZ));
        if (w) {
            dwc2_halt_raw(DWC2_CH_CTRL);
            mmio_leave();
            dwc2_st.timeouts++;
            return ERR_TIMEOUT;
        }
        wr(DWC2_HC(DWC2_CH_CTRL, DWC2_HCINT), hcint);
        mmio_leave();
        int retry;
        rc = dwc2_result(hcint, &retry);
        if (rc == ERR_OK) {
            uint32_t left = tsz & DWC2_HCTSIZ_XFERSIZE_MASK;
            uint32_t got = left <= len ? len - left : 0;
            uint32_t pk_left = (tsz & DWC2_HCTSIZ_PKTCNT_MASK) >> DWC2_HCTSIZ_PKTCNT_SHIFT;
            uint32_t pk_done = pk >= pk_left ? pk - pk_left : 0;
            if (ep->in && got == 0 && pk_done == 0)
                pk_done = 1;    /* zero-length packet */
            if (ep->in && len)
                cache_dinval_range(a, len);
            if (p != DWC2_PID_SETUP)
                dwc2_advance_toggle(ep, pk_done);
            if (actual)
                *actual = got;
            dwc2_st.xfer_ok++;
            return ERR_OK;
        }
        if (hcint & DWC2_HCINT_STALL)
            ep->toggle = DWC2_PID_DATA0;
        if (retry != 1)
            break;
        dwc2_st.retries++;
    }
    return rc;
}

int dwc2_chan_busy(unsigned ch)
{
    return ch < DWC2_NCH_USED && (dwc2_ch[ch].active || dwc2_ch[ch].retry_wait);
}

/* Starts (or restarts) an interrupt-driven channel. Caller: the channel's owner, IRQs
 * masked or at the USB IRQ level. */
static void dwc2_kick(unsigned ch)
{
    dwc2_chan_t *c = &dwc2_ch[ch];
    uintptr_t a = (uintptr_t)c->buf;
    if (c->len) {
        if (c->ep->in)
            cache_dflush_range(a, c->len);
        else
            cache_dclean_range(a, c->len);
    }
    c->pktcnt = dwc2_pktcnt(c->ep, c->len);
    c->active = 1;
    c->retry_wait = 0;
    dwc2_st.xfers++;
    mmio_enter();
    c->started = 1;
    dwc2_program(ch, c->ep, c->ep->toggle, DWC2_BUS_ADDR(a), c->len, c->pktcnt,
                 DWC2_HCINT_CHHLTD | DWC2_HCINT_AHBERR);
    mmio_leave();
}

static void dwc2_sof_enable(int on);

int dwc2_xfer_start(unsigned ch, dwc2_ep_t *ep, void *buf, uint32_t len, dwc2_done_fn done, void *arg)
{
    if (ch == DWC2_CH_CTRL || ch >= DWC2_NCH_USED || !ep || !ep->mps || !done ||
        len > DWC2_XFER_MAX || (len && (!buf || ((uintptr_t)buf & 3u))))
        return ERR_INVAL;
    uint32_t flags = exc_irq_save();
    if (dwc2_ch[ch].active || dwc2_ch[ch].retry_wait) {
        exc_irq_restore(flags);
        return ERR_BUSY;
    }
    dwc2_chan_t *c = &dwc2_ch[ch];
    c->ep = ep;
    c->buf = buf;
    c->len = len;
    c->done = done;
    c->arg = arg;
    c->retries = 0;
    /* periodic endpoints are polled at most once per interval, even when the device
     * always has data (QEMU usb-net answers every notification poll) */
    if (ep->type == DWC2_EP_INTERRUPT && c->started) {
        c->retry_wait = 1;
        c->retry_left = ep->interval ? ep->interval : 1u;
        mmio_enter();
        dwc2_sof_enable(1);
        mmio_leave();
        exc_irq_restore(flags);
        return ERR_OK;
    }
    dwc2_kick(ch);
    exc_irq_restore(flags);
    return ERR_OK;
}

static void dwc2_sof_enable(int on)
{
    if (on == dwc2_sof_on)
        return;
    dwc2_sof_on = (uint8_t)on;
    uint32_t m = rd(DWC2_GINTMSK);
    wr(DWC2_GINTMSK, on ? (m | DWC2_GINT_SOF) : (m & ~DWC2_GINT_SOF));
}

static void dwc2_chan_irq(unsigned ch)
{
    dwc2_chan_t *c = &dwc2_ch[ch];
    uint32_t hcint = rd(DWC2_HC(ch, DWC2_HCINT));
    wr(DWC2_HC(ch, DWC2_HCINT), hcint);
    if (!(hcint & DWC2_HCINT_CHHLTD) || !c->active) {
        dwc2_st.spurious_chan++;
        return;
    }
    dwc2_st.chan_irqs++;
    c->active = 0;
    c->last_hcint = hcint;
    int retry;
    int rc = dwc2_result(hcint, &retry);
    uint32_t actual = 0;
    if (rc == ERR_OK) {
        uint32_t tsz = rd(DWC2_HC(ch, DWC2_HCTSIZ));
        uint32_t left = tsz & DWC2_HCTSIZ_XFERSIZE_MASK;
        uint32_t pk_left = (tsz & DWC2_HCTSIZ_PKTCNT_MASK) >> DWC2_HCTSIZ_PKTCNT_SHIFT;
        uint32_t pk_done = c->pktcnt >= pk_left ? c->pktcnt - pk_left : 0;
        actual = left <= c->len ? c->len - left : 0;
        if (c->ep->in && actual == 0 && pk_done == 0)
            pk_done = 1;
        dwc2_advance_toggle(c->ep, pk_done);
        if (c->ep->in && actual)
            cache_dinval_range((uintptr_t)c->buf, actual);
        dwc2_st.xfer_ok++;
    } else if (retry == 2) {
        /* periodic IN NAKed: poll again after the endpoint's interval */
        dwc2_st.nak_retry++;
        c->retry_wait = 1;
        c->retry_left = c->ep->interval ? c->ep->interval : 1u;
        dwc2_sof_enable(1);
        return;
    } else if (retry == 1 && c->retries < DWC2_RETRIES) {
        c->retries++;
        dwc2_st.retries++;
        dwc2_kick(ch);
        return;
    } else if (hcint & DWC2_HCINT_STALL) {
        c->ep->toggle = DWC2_PID_DATA0;
    }
    c->done(ch, rc, actual, c->arg);
}

static void dwc2_sof_irq(void)
{
    int waiting = 0;
    dwc2_st.sof_irqs++;
    wr(DWC2_GINTSTS, DWC2_GINT_SOF);
    for (unsigned ch = 1; ch < DWC2_NCH_USED; ch++) {
        dwc2_chan_t *c = &dwc2_ch[ch];
        if (!c->retry_wait)
            continue;
        if (c->retry_left <= 1u)
            dwc2_kick(ch);
        else {
            c->retry_left--;
            waiting = 1;
        }
    }
    if (!waiting)
        dwc2_sof_enable(0);
}

static void dwc2_irq(void *arg)
{
    (void)arg;
    mmio_enter();
    dwc2_st.irqs++;
    uint32_t g = rd(DWC2_GINTSTS) & rd(DWC2_GINTMSK);
    if (g & DWC2_GINT_HCHINT) {
        uint32_t h = rd(DWC2_HAINT) & rd(DWC2_HAINTMSK);
        for (unsigned ch = 1; ch < DWC2_NCH_USED; ch++)
            if (h & (1u << ch))
                dwc2_chan_irq(ch);
    }
    if (g & DWC2_GINT_SOF)
        dwc2_sof_irq();
    if (g & DWC2_GINT_PRTINT) {
        uint32_t p = rd(DWC2_HPRT0);
        dwc2_st.port_irqs++;
        wr(DWC2_HPRT0, (p & ~DWC2_HPRT0_W1C_MASK) |
                           (p & (DWC2_HPRT0_CONNDET | DWC2_HPRT0_ENACHG | DWC2_HPRT0_OVRCURRCHG)));
    }
    /* other sources are not enabled in GINTMSK */
    mmio_leave();
}

int dwc2_irq_start(unsigned level)
{
    int rc = plat_irq_connect(BCM2835_IRQ_USB, level, dwc2_irq, 0);
    if (rc)
        return rc;
    mmio_enter();
    uint32_t m = 0;
    for (unsigned ch = 1; ch < DWC2_NCH_USED; ch++)
        m |= 1u << ch;
    wr(DWC2_HAINTMSK, m);
    wr(DWC2_GINTSTS, 0xFFFFFFFFu);
    wr(DWC2_GINTMSK, DWC2_GINT_HCHINT);
    wr(DWC2_GAHBCFG, rd(DWC2_GAHBCFG) | DWC2_GAHBCFG_GLBL_INTR_EN);
    mmio_leave();
    return vmit_enable(BCM2835_IRQ_USB);
}

int dwc2_xfer_abort(unsigned ch)
{
    if (ch == DWC2_CH_CTRL || ch >= DWC2_NCH_USED)
        return ERR_INVAL;
    uint32_t flags = exc_irq_save();
    dwc2_chan_t *c = &dwc2_ch[ch];
    if (!c->active && !c->retry_wait) {
        exc_irq_restore(flags);
        return ERR_EMPTY;
    }
    mmio_enter();
    if (c->active)
        dwc2_halt_raw(ch);
    wr(DWC2_HC(ch, DWC2_HCINT), 0xFFFFFFFFu);   /* no completion interrupt for it */
    mmio_leave();
    c->active = 0;
    c->retry_wait = 0;
    dwc2_st.aborts++;
    exc_irq_restore(flags);
    return ERR_OK;
}

uint32_t dwc2_chan_hcint(unsigned ch)
{
    return ch < DWC2_NCH_USED ? dwc2_ch[ch].last_hcint : 0;
}

void dwc2_get_stats(dwc2_stats_t *out)
{
    uint32_t flags = exc_irq_save();
    *out = dwc2_st;
    exc_irq_restore(flags);
}
