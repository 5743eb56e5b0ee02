/* DWC2 USB host controller model (host mode, buffer DMA), BCM2835 configuration.
 *
 * What the firmware sees, and where it follows QEMU's hw/usb/hcd-dwc2.c (the same
 * kernel.img must work on both):
 * - Reset values: GSNPSID 0x4F54280A, GHWCFG1..4 as read on a BCM2835 (8 host channels,
 *   internal DMA, dynamic FIFO of 4080 words, UTMI+ PHY), GINTSTS = host mode + FIFO
 *   empty flags, GRSTCTL.AHBIDLE. HPRT0 comes out of reset with PWR set and, with a
 *   device attached, CONNSTS|CONNDET and the device speed (as QEMU's reset exit).
 * - GRSTCTL: CSFTRST/HSFTRST/FIFO flushes self-clear DWC2_SOFTRST_NS after the write (QEMU
 *   clears them at the next read; drivers poll with a timeout on both). A core soft
 *   reset halts every channel silently and clears channel/global interrupt state; the
 *   root port is left alone (QEMU ignores the reset; a driver that resets the core after
 *   enabling the port keeps working on both).
 * - GINTSTS: SOF (set at every (micro)frame start while the port is enabled, masked or
 *   not, as QEMU's frame timer does), MODEMIS, CONIDSTSCHNG... write-1-to-clear; PRTINT is the OR
 *   of HPRT0's change bits, HCHINT the OR of HAINT & HAINTMSK, HAINT bit n the OR of
 *   HCINTn & HCINTMSKn (levels, as QEMU derives them). IRQ line = GAHBCFG.GLBLINTREN &&
 *   (GINTSTS & GINTMSK).
 * - HPRT0: CONNDET, ENA, ENACHG, OVRCURRCHG are W1C (ENA: writing 1 disables the port);
 *   releasing RST with a device connected enables the port (ENA|ENACHG), resets the
 *   device and starts the frame counter; PWR 1->0 disconnects, 0->1 reconnects.
 * - Channels: CHENA 0->1 starts a transfer; CHDIS halts the channel (CHHLTD), after the
 *   transaction in flight if there is one. Each transaction is carried out against the
 *   addressed device (usbdev.h) when its token goes out and completes after its bus
 *   time; DMA (HCDMA & 0x3FFFFFFF) reads OUT data at the start and writes IN data at the
 *   end; HCTSIZ (XFERSIZE, PKTCNT, PID toggled per packet) and HCDMA advance per packet.
 *   End of transfer: PKTCNT reaches 0 or a short IN packet -> XFERCOMPL|ACK|CHHLTD.
 *   NAK: control/bulk are retried by the core (HCINT.NAK set each time, channel stays
 *   enabled; retried when the device signals new data, usbdev_wake), interrupt -> NAK|CHHLTD
 *   (as QEMU). STALL -> STALL|CHHLTD. IN data with the wrong toggle -> DATATGLERR|CHHLTD
 *   (QEMU ignores toggles; a real device/host pair loses the packet). OUT data with the
 *   toggle the device saw last is ACKed and dropped by the device (USB 2.0 8.6.4):
 *   counted as out_toggle_dups + guest error, since no ACK is ever lost in the model.
 * - Split transactions (HCSPLT.SPLTENA): like QEMU the model does not run the SSPLIT /
 *   CSPLIT handshakes: the start split carries out the whole transaction against the
 *   full/low-speed device (XFERCOMPL on the start split); only the timing includes the
 *   full-speed bus time and one microframe for the complete split. Counted in `splits`.
 * - Deviations from QEMU where QEMU leaves the channel enabled forever: no device at the
 *   address (or the port is disabled), MPS = 0, PKTCNT = 0, isochronous endpoints ->
 *   guest error, XACTERR|CHHLTD after three token timeouts. DMA outside RAM -> AHBERR|CHHLTD.
 * - ODDFRM is not checked: an interrupt transaction goes out at the next (micro)frame start.
 * - Slave mode (GAHBCFG.DMAEN = 0, FIFO windows at 0x1000+) is not modelled (QEMU
 *   neither): the model always does DMA and counts a guest error when DMAEN is clear.
 *
 * Timing: HS 480 Mbit/s, FS 12, LS 1.5; a transaction costs its data bits plus a fixed
 * protocol overhead (token, sync/PID/CRC/EOP, handshake, turnarounds); transactions
 * share the bus in issue order (bus_free). Frames: 125 us microframes when the root port
 * runs at high speed, 1 ms frames otherwise, counted from the port enable (HFNUM). */
#include "periph/dwc2.h"
#include "periph/periph.h"
#include "bcm2835/bcm2835.h"
#include <string.h>

#define DWC2_NAME "dwc2"
#define DWC2_GHWCFG1_VAL 0x00000000u
#define DWC2_GHWCFG2_VAL 0x228DDD50u   /* internal DMA, 8 channels, dynamic FIFO, UTMI+ */
#define DWC2_GHWCFG3_VAL 0x0FF000E8u   /* 4080-word FIFO */
#define DWC2_GHWCFG4_VAL 0x1FF00020u
#define DWC2_SOFTRST_NS 2000u           /* soft reset / FIFO flush duration */
#define DWC2_HFIR_FS 60000u             /* 1 ms at the 60 MHz PHY clock */
#define DWC2_HFIR_HS 7500u              /* 125 us */
#define DWC2_OVH_BITS_HS 400u           /* token + data + handshake framing and turnarounds */
#define DWC2_OVH_BITS_FS 110u
#define DWC2_OVH_BITS_LS 110u
#define DWC2_TIMEOUT_BITS_HS 816u       /* bus turnaround timeout, 3 tries (USB 2.0 7.1.19) */
#define DWC2_TIMEOUT_BITS_FS 18u
#define DWC2_XACT_TRIES 3u
#define DWC2_GINTSTS_RO (DWC2_GINT_CURMODE_HOST | DWC2_GINT_OTGINT | DWC2_GINT_NPTXFEMP | DWC2_GINT_RXFLVL | \
                         DWC2_GINT_PTXFEMP | DWC2_GINT_HCHINT | DWC2_GINT_PRTINT)
#define DWC2_GINTSTS_RESET (DWC2_GINT_CONIDSTSCHNG)
#define DWC2_HPRT0_CHG (DWC2_HPRT0_CONNDET | DWC2_HPRT0_ENACHG | DWC2_HPRT0_OVRCURRCHG)

enum { XR_OK = 0, XR_NAK, XR_STALL, XR_XACTERR, XR_AHBERR };

/* ---- helpers ------------------------------------------------------------------------- */
static uint64_t dwc2_now(const bcm2835_dwc2_t *s) { return sim_event_time(s->sim); }

static usbdev_speed_t dwc2_port_speed(const bcm2835_dwc2_t *s)
{
    return (usbdev_speed_t)((s->hprt0 & DWC2_HPRT0_SPD_MASK) >> DWC2_HPRT0_SPD_SHIFT);
}

uint64_t bcm2835_dwc2_frame_cycles(const bcm2835_dwc2_t *s)
{
    uint64_t ns = dwc2_port_speed(s) == USBDEV_SPEED_HIGH ? 125000u : 1000000u;
    return sim_ns_to_cycles(s->sim, ns);
}

uint32_t bcm2835_dwc2_frame_number(const bcm2835_dwc2_t *s)
{
    if (!s->bus_running) return 0x3FFFu;
    return (uint32_t)(((sim_now(s->sim) - s->sof_epoch) / bcm2835_dwc2_frame_cycles(s)) & 0x3FFFu);
}

static uint64_t dwc2_bits_cycles(const bcm2835_dwc2_t *s, usbdev_speed_t speed, uint64_t bits)
{
    uint64_t rate = speed == USBDEV_SPEED_HIGH ? 480000000u : speed == USBDEV_SPEED_FULL ? 12000000u : 1500000u;
    return periph_muldiv_ceil(bits, sim_cpu_hz(s->sim), rate);
}

uint64_t bcm2835_dwc2_packet_cycles(const bcm2835_dwc2_t *s, usbdev_speed_t speed, unsigned bytes)
{
    unsigned ovh = speed == USBDEV_SPEED_HIGH ? DWC2_OVH_BITS_HS : speed == USBDEV_SPEED_FULL ? DWC2_OVH_BITS_FS
                                                                                              : DWC2_OVH_BITS_LS;
    return dwc2_bits_cycles(s, speed, (uint64_t)bytes * 8u + ovh);
}

/* next (micro)frame start strictly after t */
static uint64_t dwc2_next_frame(const bcm2835_dwc2_t *s, uint64_t t)
{
    uint64_t f = bcm2835_dwc2_frame_cycles(s);
    if (!s->bus_running || t < s->sof_epoch) return t + f;
    return s->sof_epoch + ((t - s->sof_epoch) / f + 1) * f;
}

static uint32_t dwc2_gintsts(const bcm2835_dwc2_t *s)
{
    uint32_t v = s->gintsts | DWC2_GINT_CURMODE_HOST | DWC2_GINT_NPTXFEMP | DWC2_GINT_PTXFEMP;
    if (s->hprt0 & DWC2_HPRT0_CHG) v |= DWC2_GINT_PRTINT;
    uint32_t haint = 0;
    for (unsigned i = 0; i < DWC2_NUM_CHANNELS; i++)
        if (s->ch[i].hcint & s->ch[i].hcintmsk) haint |= 1u << i;
    if (haint & s->haintmsk) v |= DWC2_GINT_HCHINT;
    return v;
}

static uint32_t dwc2_haint(const bcm2835_dwc2_t *s)
{
    uint32_t haint = 0;
    for (unsigned i = 0; i < DWC2_NUM_CHANNELS; i++)
        if (s->ch[i].hcint & s->ch[i].hcintmsk) haint |= 1u << i;
    return haint;
}

static void dwc2_update_irq(bcm2835_dwc2_t *s)
{
    bool level = (s->gahbcfg & DWC2_GAHBCFG_GLBL_INTR_EN) && (dwc2_gintsts(s) & s->gintmsk);
    if (level != s->irq_out) {
        s->irq_out = level;
        sim_irq_set(s->sim, BCM2835_IRQ_USB, level);
    }
}

/* ---- SOF / frames ------------------------------------------------------------------------ */
/* GINTSTS.SOF is set at every (micro)frame start while the bus runs, masked or not. It is
 * computed when looked at (no scheduler event per frame): sof_seen is the frame whose SOF
 * is already accounted for. The timer only runs while GINTMSK.SOF asks for interrupts. */
static void dwc2_sof_catch_up(bcm2835_dwc2_t *s)
{
    if (!s->bus_running) return;
    uint64_t now = sim_now(s->sim), fr = now > s->sof_epoch ? (now - s->sof_epoch) / bcm2835_dwc2_frame_cycles(s) : 0;
    if (fr > s->sof_seen) {
        s->gintsts |= DWC2_GINT_SOF;
        s->sof_seen = fr;
    }
}

static void dwc2_sof_arm(bcm2835_dwc2_t *s)
{
    if (s->bus_running && (s->gintmsk & DWC2_GINT_SOF)) {
        if (!sim_timer_pending(&s->sof_timer)) sim_timer_mod(&s->sof_timer, dwc2_next_frame(s, dwc2_now(s)));
    } else {
        sim_timer_del(&s->sof_timer);
    }
}

static void dwc2_sof(void *opaque)
{
    bcm2835_dwc2_t *s = opaque;
    dwc2_sof_catch_up(s);
    dwc2_update_irq(s);
    dwc2_sof_arm(s);
}

static void dwc2_bus_start(bcm2835_dwc2_t *s)
{
    s->bus_running = true;
    s->sof_epoch = dwc2_now(s);
    s->sof_seen = 0;
    s->gintsts |= DWC2_GINT_SOF; /* the SOF of frame 0 */
    dwc2_sof_arm(s);
}

static void dwc2_bus_stop(bcm2835_dwc2_t *s)
{
    dwc2_sof_catch_up(s);
    s->bus_running = false;
    dwc2_sof_arm(s);
}

/* ---- channels ------------------------------------------------------------------------------ */
static void ch_halt(dwc2_chan_t *ch, uint32_t bits)
{
    bcm2835_dwc2_t *s = ch->hc;
    sim_timer_del(&ch->timer);
    ch->hcchar &= ~(DWC2_HCCHAR_CHENA | DWC2_HCCHAR_CHDIS);
    ch->hcint |= bits | DWC2_HCINT_CHHLTD;
    ch->state = DWC2_CH_IDLE;
    ch->disable_pending = false;
    dwc2_update_irq(s);
}

static unsigned ch_field(uint32_t v, unsigned shift, uint32_t mask) { return (v >> shift) & mask; }
static unsigned ch_mps(const dwc2_chan_t *ch) { return ch->hcchar & DWC2_HCCHAR_MPS_MASK; }
static unsigned ch_eptype(const dwc2_chan_t *ch) { return ch_field(ch->hcchar, DWC2_HCCHAR_EPTYPE_SHIFT, 3u); }
static unsigned ch_pid(const dwc2_chan_t *ch) { return ch_field(ch->hctsiz, DWC2_HCTSIZ_PID_SHIFT, 3u); }
static unsigned ch_pktcnt(const dwc2_chan_t *ch) { return ch_field(ch->hctsiz, DWC2_HCTSIZ_PKTCNT_SHIFT, 0x3FFu); }
static unsigned ch_xfersize(const dwc2_chan_t *ch) { return ch->hctsiz & DWC2_HCTSIZ_XFERSIZE_MASK; }
static bool ch_is_setup(const dwc2_chan_t *ch) { return ch_eptype(ch) == DWC2_EP_CONTROL && ch_pid(ch) == DWC2_PID_SETUP; }

static void ch_set_tsiz(dwc2_chan_t *ch, unsigned xfersize, unsigned pktcnt, unsigned pid)
{
    ch->hctsiz = (ch->hctsiz & DWC2_HCTSIZ_DOPNG) | (xfersize & DWC2_HCTSIZ_XFERSIZE_MASK) |
                 ((pktcnt & 0x3FFu) << DWC2_HCTSIZ_PKTCNT_SHIFT) | ((pid & 3u) << DWC2_HCTSIZ_PID_SHIFT);
}

static usbdev_t *dwc2_lookup(bcm2835_dwc2_t *s, unsigned addr)
{
    if (!(s->hprt0 & DWC2_HPRT0_ENA) || !s->root) return NULL;
    return usbdev_find(s->root, (uint8_t)addr);
}

/* the slowest segment between the root port and the device */
static usbdev_speed_t dwc2_path_speed(const usbdev_t *d)
{
    usbdev_speed_t sp = d->speed;
    for (const usbdev_t *p = d->parent; p; p = p->parent)
        if (p->speed > sp) sp = p->speed; /* enum order: HIGH < FULL < LOW */
    return sp;
}

static void ch_start(dwc2_chan_t *ch);

/* put the next transaction of the channel on the bus: now if the bus is free (and the
 * endpoint is not periodic), else at the start of its slot */
static void ch_begin(dwc2_chan_t *ch, bool sync_ok)
{
    bcm2835_dwc2_t *s = ch->hc;
    uint64_t t = dwc2_now(s), start = t > s->bus_free ? t : s->bus_free;
    unsigned type = ch_eptype(ch);
    if (type == DWC2_EP_INTERRUPT || type == DWC2_EP_ISOC) start = dwc2_next_frame(s, start > t ? start - 1 : t);
    ch->state = DWC2_CH_BUSY;
    if (start == t && sync_ok) {
        ch_start(ch);
        return;
    }
    ch->phase_end = false;
    sim_timer_mod(&ch->timer, start);
}

static void ch_start(dwc2_chan_t *ch)
{
    bcm2835_dwc2_t *s = ch->hc;
    dwc2_xact_t *x = &ch->x;
    uint64_t t = dwc2_now(s);
    unsigned mps = ch_mps(ch), type = ch_eptype(ch), ep = ch_field(ch->hcchar, DWC2_HCCHAR_EPNUM_SHIFT, 0xFu);
    unsigned addr = ch_field(ch->hcchar, DWC2_HCCHAR_DEVADDR_SHIFT, 0x7Fu);
    usbdev_t *d = dwc2_lookup(s, addr);
    usbdev_speed_t sp = d ? dwc2_path_speed(d) : dwc2_port_speed(s);
    uint64_t dur;
    x->setup = ch_is_setup(ch);
    x->in = !x->setup && (ch->hcchar & DWC2_HCCHAR_EPDIR_IN);
    x->bytes = 0;
    x->result = XR_OK;
    s->stats.transactions++;
    if (ch->hcsplt & DWC2_HCSPLT_SPLTENA) s->stats.splits++;
    if (!(s->gahbcfg & DWC2_GAHBCFG_DMA_EN))
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, DWC2_NAME,
                           "channel %u enabled with GAHBCFG.DMAEN clear (slave mode not modelled; doing DMA)", ch->n);
    if (mps == 0 || ch_pktcnt(ch) == 0 || type == DWC2_EP_ISOC || !d) {
        if (!d) {
            s->stats.no_device++;
            PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, DWC2_NAME,
                               "channel %u: no device at address %u%s", ch->n, addr,
                               (s->hprt0 & DWC2_HPRT0_ENA) ? "" : " (root port disabled)");
        } else {
            PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, DWC2_NAME,
                               "channel %u: %s", ch->n, mps == 0 ? "HCCHAR.MPS is 0" : ch_pktcnt(ch) == 0 ? "HCTSIZ.PKTCNT is 0"
                                                                               : "isochronous transfers not modelled");
        }
        x->result = XR_XACTERR;
        uint64_t to = dwc2_bits_cycles(s, sp, sp == USBDEV_SPEED_HIGH ? DWC2_TIMEOUT_BITS_HS : DWC2_TIMEOUT_BITS_FS);
        dur = DWC2_XACT_TRIES * (dwc2_bits_cycles(s, sp, 64) + to);
    } else {
        uint32_t bus = DWC2_BUS_TO_PHYS(ch->hcdma);
        if (x->setup) {
            if (ch_xfersize(ch) != 8) {
                PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, DWC2_NAME,
                                   "channel %u: SETUP with XFERSIZE %u (must be 8)", ch->n, ch_xfersize(ch));
                x->result = XR_XACTERR;
            } else if (sim_phys_read(s->sim, bus, x->buf, 8) != 0) {
                x->result = XR_AHBERR;
            } else {
                usbdev_setup(d, x->buf, 8);
                x->bytes = 8;
                s->stats.setups++;
            }
        } else if (!x->in) {
            unsigned n = ch_xfersize(ch) < mps ? ch_xfersize(ch) : mps;
            unsigned pid = ch_pid(ch) == DWC2_PID_DATA1 ? USBDEV_DATA1 : USBDEV_DATA0;
            if (n && sim_phys_read(s->sim, bus, x->buf, n) != 0) {
                x->result = XR_AHBERR;
            } else {
                uint64_t dups = d->stats.toggle_dups;
                int r = usbdev_out(d, ep, pid, x->buf, n);
                if (d->stats.toggle_dups != dups) { /* no ACK is ever lost here: the guest's PID is wrong */
                    s->stats.out_toggle_dups++;
                    PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, DWC2_NAME,
                                       "channel %u: OUT DATA%u to device %u ep %u repeats the last toggle: "
                                       "the device ACKs and drops the packet", ch->n, pid, addr, ep);
                }
                if (r == USBDEV_NAK) x->result = XR_NAK;
                else if (r == USBDEV_STALL) x->result = XR_STALL;
                else x->bytes = n;
            }
        } else {
            unsigned cap = mps < DWC2_PKT_MAX ? mps : DWC2_PKT_MAX;
            int r = usbdev_in(d, ep, x->buf, cap, &x->dev_pid);
            if (r == USBDEV_NAK) x->result = XR_NAK;
            else if (r == USBDEV_STALL) x->result = XR_STALL;
            else x->bytes = (unsigned)r;
        }
        if (x->result == XR_AHBERR) {
            s->stats.dma_errors++;
            PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, DWC2_NAME,
                               "channel %u: DMA address 0x%08x (+%u) outside RAM", ch->n, ch->hcdma, mps);
        }
        dur = bcm2835_dwc2_packet_cycles(s, sp, x->bytes);
        if ((ch->hcsplt & DWC2_HCSPLT_SPLTENA) && sp != USBDEV_SPEED_HIGH)
            dur += sim_ns_to_cycles(s->sim, 125000u); /* the complete split one microframe later */
    }
    s->bus_free = t + dur;
    ch->phase_end = true;
    sim_timer_mod(&ch->timer, t + dur);
}

static void ch_complete(dwc2_chan_t *ch)
{
    ch->hc->stats.transfers++;
    ch_halt(ch, DWC2_HCINT_XFERCOMPL | DWC2_HCINT_ACK);
}

static void ch_end(dwc2_chan_t *ch)
{
    bcm2835_dwc2_t *s = ch->hc;
    dwc2_xact_t *x = &ch->x;
    unsigned mps = ch_mps(ch), size = ch_xfersize(ch), pkts = ch_pktcnt(ch), pid = ch_pid(ch);
    switch (x->result) {
    case XR_XACTERR: s->stats.xacterrs++; ch_halt(ch, DWC2_HCINT_XACTERR); return;
    case XR_AHBERR: ch_halt(ch, DWC2_HCINT_AHBERR); return;
    case XR_STALL: s->stats.stalls++; ch_halt(ch, DWC2_HCINT_STALL); return;
    case XR_NAK: {
        s->stats.naks++;
        unsigned type = ch_eptype(ch);
        if (type == DWC2_EP_INTERRUPT || type == DWC2_EP_ISOC || ch->disable_pending) {
            ch_halt(ch, DWC2_HCINT_NAK);
            return;
        }
        /* control/bulk: the core retries by itself; the NAK is reported anyway */
        ch->hcint |= DWC2_HCINT_NAK;
        ch->state = DWC2_CH_NAKWAIT;
        dwc2_update_irq(s);
        return;
    }
    default: break;
    }
    if (x->setup) {
        ch->hcdma += 8;
        ch_set_tsiz(ch, 0, pkts - 1, DWC2_PID_DATA1);
        ch_complete(ch);
        return;
    }
    unsigned next_pid = pid == DWC2_PID_DATA1 ? DWC2_PID_DATA0 : DWC2_PID_DATA1;
    if (!x->in) {
        s->stats.out_bytes += x->bytes;
        ch->hcdma += x->bytes;
        ch_set_tsiz(ch, size - x->bytes, pkts - 1, next_pid);
        if (pkts - 1 == 0 || ch->disable_pending) {
            if (pkts - 1 == 0) ch_complete(ch);
            else ch_halt(ch, DWC2_HCINT_ACK);
            return;
        }
        ch_begin(ch, true);
        return;
    }
    /* IN */
    unsigned want = pid == DWC2_PID_DATA1 ? USBDEV_DATA1 : USBDEV_DATA0;
    if (x->dev_pid != want) {
        s->stats.toggle_errors++;
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, DWC2_NAME,
                           "channel %u: IN data toggle mismatch (device DATA%u, HCTSIZ.PID DATA%u)", ch->n,
                           x->dev_pid, want);
        ch_halt(ch, DWC2_HCINT_DATATGLERR);
        return;
    }
    if (x->bytes > size) {
        s->stats.babbles++;
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, DWC2_NAME,
                           "channel %u: babble (%u bytes, %u left in XFERSIZE)", ch->n, x->bytes, size);
        ch_halt(ch, DWC2_HCINT_BBLERR);
        return;
    }
    if (x->bytes && sim_phys_write(s->sim, DWC2_BUS_TO_PHYS(ch->hcdma), x->buf, x->bytes) != 0) {
        s->stats.dma_errors++;
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, DWC2_NAME,
                           "channel %u: DMA address 0x%08x (+%u) outside RAM", ch->n, ch->hcdma, x->bytes);
        ch_halt(ch, DWC2_HCINT_AHBERR);
        return;
    }
    s->stats.in_bytes += x->bytes;
    ch->hcdma += x->bytes;
    ch_set_tsiz(ch, size - x->bytes, pkts - 1, next_pid);
    if (x->bytes < mps || pkts - 1 == 0) {
        ch_complete(ch);
        return;
    }
    if (ch->disable_pending) {
        ch_halt(ch, DWC2_HCINT_ACK);
        return;
    }
    ch_begin(ch, true);
}

static void ch_timer(void *opaque)
{
    dwc2_chan_t *ch = opaque;
    if (ch->phase_end) ch_end(ch);
    else ch_start(ch);
}

static void ch_enable(dwc2_chan_t *ch)
{
    bcm2835_dwc2_t *s = ch->hc;
    ch->disable_pending = false;
    ch_begin(ch, true);
    dwc2_update_irq(s);
}

static void ch_disable(dwc2_chan_t *ch)
{
    bcm2835_dwc2_t *s = ch->hc;
    s->stats.halts_by_guest++;
    if (ch->state == DWC2_CH_BUSY && ch->phase_end) {
        ch->disable_pending = true; /* finish the transaction on the wire first */
        return;
    }
    ch_halt(ch, 0);
}

/* a device has data / room again: retry the transfers parked on its NAK */
static void dwc2_wake(void *host, usbdev_t *d)
{
    bcm2835_dwc2_t *s = host;
    for (unsigned i = 0; i < DWC2_NUM_CHANNELS; i++) {
        dwc2_chan_t *ch = &s->ch[i];
        if (ch->state != DWC2_CH_NAKWAIT) continue;
        if (dwc2_lookup(s, ch_field(ch->hcchar, DWC2_HCCHAR_DEVADDR_SHIFT, 0x7Fu)) != d) continue;
        s->stats.nak_retries++;
        ch_begin(ch, false); /* never re-enter the device from its own callback */
    }
}

/* ---- root port ------------------------------------------------------------------------------ */
static void dwc2_port_connect(bcm2835_dwc2_t *s)
{
    s->hprt0 &= ~(DWC2_HPRT0_CONNSTS | DWC2_HPRT0_SPD_MASK);
    if (s->root && (s->hprt0 & DWC2_HPRT0_PWR)) {
        s->hprt0 |= DWC2_HPRT0_CONNSTS | DWC2_HPRT0_CONNDET | ((uint32_t)s->root->speed << DWC2_HPRT0_SPD_SHIFT);
    }
}

static void dwc2_hprt0_write(bcm2835_dwc2_t *s, uint32_t val)
{
    uint32_t old = s->hprt0;
    const uint32_t rw = DWC2_HPRT0_SUSP | DWC2_HPRT0_RST | DWC2_HPRT0_PWR | (0xFu << DWC2_HPRT0_TSTCTL_SHIFT);
    uint32_t v = (old & ~rw) | (val & rw);
    v &= ~(val & DWC2_HPRT0_W1C_MASK); /* write 1 to clear; ENA: 1 disables the port */
    if (val & DWC2_HPRT0_RES) v &= ~DWC2_HPRT0_SUSP; /* resume ends a suspend at once */
    s->hprt0 = v;
    if ((old & DWC2_HPRT0_ENA) && !(v & DWC2_HPRT0_ENA)) dwc2_bus_stop(s);
    if ((old ^ v) & DWC2_HPRT0_PWR) {
        if (!(v & DWC2_HPRT0_PWR)) {
            bool was = (old & DWC2_HPRT0_CONNSTS) != 0;
            s->hprt0 &= ~(DWC2_HPRT0_CONNSTS | DWC2_HPRT0_ENA | DWC2_HPRT0_SPD_MASK);
            if (was) s->hprt0 |= DWC2_HPRT0_CONNDET;
            dwc2_bus_stop(s);
        } else {
            dwc2_port_connect(s);
        }
    }
    if ((old & DWC2_HPRT0_RST) && !(v & DWC2_HPRT0_RST) && (s->hprt0 & DWC2_HPRT0_CONNSTS)) {
        s->stats.port_resets++;
        s->hprt0 |= DWC2_HPRT0_ENA | DWC2_HPRT0_ENACHG;
        usbdev_bus_reset(s->root);
        dwc2_bus_start(s);
    }
    dwc2_update_irq(s);
}

/* ---- core reset ----------------------------------------------------------------------------------- */
static void dwc2_channels_reset(bcm2835_dwc2_t *s)
{
    for (unsigned i = 0; i < DWC2_NUM_CHANNELS; i++) {
        dwc2_chan_t *ch = &s->ch[i];
        sim_timer_del(&ch->timer);
        ch->hcchar = ch->hcsplt = ch->hcint = ch->hcintmsk = ch->hctsiz = ch->hcdma = 0;
        ch->state = DWC2_CH_IDLE;
        ch->disable_pending = false;
    }
}

static void dwc2_rst_done(void *opaque)
{
    bcm2835_dwc2_t *s = opaque;
    if (s->grstctl & DWC2_GRSTCTL_CSFTRST) {
        s->stats.core_resets++;
        dwc2_channels_reset(s);
        s->gintsts = DWC2_GINTSTS_RESET;
        s->bus_free = 0;
    }
    s->grstctl &= ~(DWC2_GRSTCTL_CSFTRST | DWC2_GRSTCTL_HSFTRST | DWC2_GRSTCTL_FRMCNTRRST | DWC2_GRSTCTL_RXFFLSH |
                    DWC2_GRSTCTL_TXFFLSH);
    dwc2_update_irq(s);
}

void bcm2835_dwc2_reset(void *opaque)
{
    bcm2835_dwc2_t *s = opaque;
    sim_timer_del(&s->rst_timer);
    sim_timer_del(&s->sof_timer);
    dwc2_channels_reset(s);
    s->gotgctl = 0x000D0000u; /* B-session valid, A-session valid, ID = B (CONIDSTS) */
    s->gahbcfg = 0;
    s->gusbcfg = 0x00001400u; /* USBTRDTIM 5 */
    s->grstctl = DWC2_GRSTCTL_AHBIDLE;
    s->gintsts = DWC2_GINTSTS_RESET;
    s->gintmsk = 0;
    s->grxfsiz = 0x1000u;
    s->gnptxfsiz = 0x01001000u;
    s->hptxfsiz = 0x02002000u;
    s->gpvndctl = s->ggpio = s->guid = s->glpmcfg = s->gdfifocfg = 0;
    s->gpwrdn = 0;
    s->hcfg = 0;
    s->hfir = DWC2_HFIR_FS;
    s->haintmsk = 0;
    s->pcgcctl = 0;
    s->bus_running = false;
    s->bus_free = 0;
    s->hprt0 = DWC2_HPRT0_PWR; /* QEMU's reset exit: port powered */
    dwc2_port_connect(s);
    if (s->root) usbdev_bus_reset(s->root);
    dwc2_update_irq(s);
}

void bcm2835_dwc2_attach(bcm2835_dwc2_t *s, usbdev_t *dev)
{
    s->root = dev;
    if (dev) {
        dev->host = s;
        dev->host_wake = dwc2_wake;
    }
    bcm2835_dwc2_reset(s);
}

void bcm2835_dwc2_init(bcm2835_dwc2_t *s, sim_t *sim)
{
    memset(s, 0, sizeof *s);
    s->sim = sim;
    for (unsigned i = 0; i < DWC2_NUM_CHANNELS; i++) {
        s->ch[i].hc = s;
        s->ch[i].n = i;
        sim_timer_init(&s->ch[i].timer, sim, ch_timer, &s->ch[i]);
    }
    sim_timer_init(&s->rst_timer, sim, dwc2_rst_done, s);
    sim_timer_init(&s->sof_timer, sim, dwc2_sof, s);
    bcm2835_dwc2_reset(s);
}

void bcm2835_dwc2_fini(bcm2835_dwc2_t *s)
{
    for (unsigned i = 0; i < DWC2_NUM_CHANNELS; i++) sim_timer_del(&s->ch[i].timer);
    sim_timer_del(&s->rst_timer);
    sim_timer_del(&s->sof_timer);
}

/* ---- MMIO ------------------------------------------------------------------------------------------ */
static uint32_t dwc2_read(void *opaque, uint32_t off, unsigned size)
{
    bcm2835_dwc2_t *s = opaque;
    uint32_t w = periph_word_off(off), r = 0;
    if (size != 4)
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, DWC2_NAME, "%u-byte read at 0x%03x", size, off);
    if (w >= DWC2_HC_BASE && w < DWC2_HC_BASE + DWC2_MAX_CHANNELS * DWC2_HC_STRIDE) {
        unsigned n = (w - DWC2_HC_BASE) / DWC2_HC_STRIDE;
        if (n >= DWC2_NUM_CHANNELS) return 0; /* channels beyond GHWCFG2 read as zero */
        dwc2_chan_t *ch = &s->ch[n];
        switch (w & (DWC2_HC_STRIDE - 1)) {
        case DWC2_HCCHAR: r = ch->hcchar; break;
        case DWC2_HCSPLT: r = ch->hcsplt; break;
        case DWC2_HCINT: r = ch->hcint; break;
        case DWC2_HCINTMSK: r = ch->hcintmsk; break;
        case DWC2_HCTSIZ: r = ch->hctsiz; break;
        case DWC2_HCDMA: r = ch->hcdma; break;
        case DWC2_HCDMAB: r = ch->hcdma; break;
        default: r = 0; break;
        }
        return periph_sub_read(r, off, size);
    }
    switch (w) {
    case DWC2_GOTGCTL: r = s->gotgctl; break;
    case DWC2_GOTGINT: r = 0; break;
    case DWC2_GAHBCFG: r = s->gahbcfg; break;
    case DWC2_GUSBCFG: r = s->gusbcfg; break;
    case DWC2_GRSTCTL: r = s->grstctl; break;
    case DWC2_GINTSTS: dwc2_sof_catch_up(s); r = dwc2_gintsts(s); break;
    case DWC2_GINTMSK: r = s->gintmsk; break;
    case DWC2_GRXSTSR: case DWC2_GRXSTSP: r = 0; break;
    case DWC2_GRXFSIZ: r = s->grxfsiz; break;
    case DWC2_GNPTXFSIZ: r = s->gnptxfsiz; break;
    case DWC2_GNPTXSTS: r = (8u << 16) | 0x0100u; break; /* queue and FIFO space available */
    case DWC2_GI2CCTL: r = 0; break;
    case DWC2_GPVNDCTL: r = s->gpvndctl; break;
    case DWC2_GGPIO: r = s->ggpio; break;
    case DWC2_GUID: r = s->guid; break;
    case DWC2_GSNPSID: r = DWC2_GSNPSID_BCM2835; break;
    case DWC2_GHWCFG1: r = DWC2_GHWCFG1_VAL; break;
    case DWC2_GHWCFG2: r = DWC2_GHWCFG2_VAL; break;
    case DWC2_GHWCFG3: r = DWC2_GHWCFG3_VAL; break;
    case DWC2_GHWCFG4: r = DWC2_GHWCFG4_VAL; break;
    case DWC2_GLPMCFG: r = s->glpmcfg; break;
    case DWC2_GPWRDN: r = s->gpwrdn; break;
    case DWC2_GDFIFOCFG: r = s->gdfifocfg; break;
    case DWC2_GADPCTL: r = 0; break;
    case DWC2_HPTXFSIZ: r = s->hptxfsiz; break;
    case DWC2_HCFG: r = s->hcfg; break;
    case DWC2_HFIR: r = s->hfir; break;
    case DWC2_HFNUM: {
        uint32_t fr = bcm2835_dwc2_frame_number(s), rem = 0;
        if (s->bus_running) {
            uint64_t f = bcm2835_dwc2_frame_cycles(s), in = (sim_now(s->sim) - s->sof_epoch) % f;
            uint32_t interval = dwc2_port_speed(s) == USBDEV_SPEED_HIGH ? DWC2_HFIR_HS : (s->hfir & 0xFFFFu);
            rem = (uint32_t)periph_muldiv(f - in, interval, f);
        }
        r = fr | (rem << DWC2_HFNUM_FRREM_SHIFT);
        break;
    }
    case DWC2_HPTXSTS: r = (8u << 16) | 0x0200u; break;
    case DWC2_HAINT: r = dwc2_haint(s); break;
    case DWC2_HAINTMSK: r = s->haintmsk; break;
    case DWC2_HPRT0: r = s->hprt0; break;
    case DWC2_PCGCCTL: r = s->pcgcctl; break;
    default:
        if (w >= 0x104u && w < DWC2_HCFG) { r = 0; break; }   /* device-mode FIFO sizes */
        if (w >= 0x800u && w < DWC2_PCGCCTL) { r = 0; break; } /* device-mode registers */
        s->stats.unimp++;
        sim_unimp(s->sim, DWC2_NAME, "read at 0x%03x", off);
        r = 0;
        break;
    }
    return periph_sub_read(r, off, size);
}

static void dwc2_chan_write(bcm2835_dwc2_t *s, dwc2_chan_t *ch, uint32_t reg, uint32_t v)
{
    switch (reg) {
    case DWC2_HCCHAR: {
        uint32_t old = ch->hcchar;
        if ((v & DWC2_HCCHAR_CHDIS) && (old & DWC2_HCCHAR_CHENA)) {
            ch->hcchar = (v & ~(DWC2_HCCHAR_CHENA | DWC2_HCCHAR_CHDIS)) | (old & DWC2_HCCHAR_CHENA);
            ch_disable(ch);
        } else if (v & DWC2_HCCHAR_CHDIS) {
            ch->hcchar = v & ~(DWC2_HCCHAR_CHENA | DWC2_HCCHAR_CHDIS);
            ch->hcint |= DWC2_HCINT_CHHLTD; /* as QEMU: a disable of an idle channel reports a halt */
            dwc2_update_irq(s);
        } else if ((v & DWC2_HCCHAR_CHENA) && !(old & DWC2_HCCHAR_CHENA)) {
            ch->hcchar = v;
            ch_enable(ch);
        } else {
            ch->hcchar = (v & ~DWC2_HCCHAR_CHENA) | (old & DWC2_HCCHAR_CHENA);
        }
        break;
    }
    case DWC2_HCSPLT: ch->hcsplt = v; break;
    case DWC2_HCINT: ch->hcint &= ~v; dwc2_update_irq(s); break;
    case DWC2_HCINTMSK: ch->hcintmsk = v & 0x7FFu; dwc2_update_irq(s); break;
    case DWC2_HCTSIZ: ch->hctsiz = v; break;
    case DWC2_HCDMA: ch->hcdma = v; break;
    default:
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, DWC2_NAME, "write to channel %u register 0x%02x", ch->n,
                           reg);
        break;
    }
}

static void dwc2_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    bcm2835_dwc2_t *s = opaque;
    uint32_t w = periph_word_off(off);
    if (size != 4) {
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, DWC2_NAME, "%u-byte write at 0x%03x ignored", size, off);
        return;
    }
    if (w >= DWC2_HC_BASE && w < DWC2_HC_BASE + DWC2_MAX_CHANNELS * DWC2_HC_STRIDE) {
        unsigned n = (w - DWC2_HC_BASE) / DWC2_HC_STRIDE;
        if (n >= DWC2_NUM_CHANNELS) {
            PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, DWC2_NAME,
                               "write to channel %u (the BCM2835 has %u)", n, DWC2_NUM_CHANNELS);
            return;
        }
        dwc2_chan_write(s, &s->ch[n], w & (DWC2_HC_STRIDE - 1), val);
        return;
    }
    switch (w) {
    case DWC2_GOTGCTL: s->gotgctl = (s->gotgctl & 0x000F0000u) | (val & ~0x000F0000u); break;
    case DWC2_GOTGINT: break; /* W1C of OTG events, none raised in host mode */
    case DWC2_GAHBCFG: s->gahbcfg = val; dwc2_update_irq(s); break;
    case DWC2_GUSBCFG:
        if (val & DWC2_GUSBCFG_FORCEDEVMODE) {
            s->stats.unimp++;
            sim_unimp(s->sim, DWC2_NAME, "GUSBCFG.FORCEDEVMODE: device mode is not modelled (stays host)");
        }
        s->gusbcfg = val;
        break;
    case DWC2_GRSTCTL: {
        uint32_t act = val & (DWC2_GRSTCTL_CSFTRST | DWC2_GRSTCTL_HSFTRST | DWC2_GRSTCTL_FRMCNTRRST |
                              DWC2_GRSTCTL_RXFFLSH | DWC2_GRSTCTL_TXFFLSH);
        s->grstctl = (s->grstctl & ~(0x1Fu << DWC2_GRSTCTL_TXFNUM_SHIFT)) | act |
                     (val & (0x1Fu << DWC2_GRSTCTL_TXFNUM_SHIFT)) | DWC2_GRSTCTL_AHBIDLE;
        if (act && !sim_timer_pending(&s->rst_timer))
            sim_timer_mod(&s->rst_timer, dwc2_now(s) + sim_ns_to_cycles(s->sim, DWC2_SOFTRST_NS));
        break;
    }
    case DWC2_GINTSTS:
        dwc2_sof_catch_up(s); /* a W1C of SOF acknowledges the SOFs up to now */
        s->gintsts &= ~(val & ~DWC2_GINTSTS_RO);
        dwc2_update_irq(s);
        break;
    case DWC2_GINTMSK: s->gintmsk = val; dwc2_sof_arm(s); dwc2_update_irq(s); break;
    case DWC2_GRXFSIZ: s->grxfsiz = val & 0xFFFFu; break;
    case DWC2_GNPTXFSIZ: s->gnptxfsiz = val; break;
    case DWC2_GI2CCTL: break;
    case DWC2_GPVNDCTL: s->gpvndctl = val & ~(1u << 27); break; /* VStsDone stays 0: no ULPI PHY */
    case DWC2_GGPIO: s->ggpio = val; break;
    case DWC2_GUID: s->guid = val; break;
    case DWC2_GLPMCFG: s->glpmcfg = val; break;
    case DWC2_GPWRDN: s->gpwrdn = val; break;
    case DWC2_GDFIFOCFG: s->gdfifocfg = val; break;
    case DWC2_GADPCTL: break;
    case DWC2_HPTXFSIZ: s->hptxfsiz = val; break;
    case DWC2_HCFG: s->hcfg = val; break;
    case DWC2_HFIR: s->hfir = val & 0xFFFFu; break;
    case DWC2_HAINTMSK: s->haintmsk = val & 0xFFFFu; dwc2_update_irq(s); break;
    case DWC2_HPRT0: dwc2_hprt0_write(s, val); break;
    case DWC2_PCGCCTL: s->pcgcctl = val; break;
    case DWC2_GSNPSID: case DWC2_GHWCFG1: case DWC2_GHWCFG2: case DWC2_GHWCFG3: case DWC2_GHWCFG4:
    case DWC2_GNPTXSTS: case DWC2_HFNUM: case DWC2_HPTXSTS: case DWC2_HAINT: case DWC2_GRXSTSR: case DWC2_GRXSTSP:
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, DWC2_NAME, "write 0x%08x to read-only register 0x%03x",
                           val, w);
        break;
    default:
        if ((w >= 0x104u && w < DWC2_HCFG) || (w >= 0x800u && w < DWC2_PCGCCTL)) break; /* device mode */
        s->stats.unimp++;
        sim_unimp(s->sim, DWC2_NAME, "write 0x%08x at 0x%03x", val, off);
        break;
    }
}

const sim_dev_ops_t bcm2835_dwc2_ops = {
    .name = DWC2_NAME,
    .read = dwc2_read,
    .write = dwc2_write,
    .reset = bcm2835_dwc2_reset,
};
