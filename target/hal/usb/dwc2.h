/* DWC2 (Synopsys DesignWare HS OTG) host-mode driver for the BCM2835, buffer DMA only
 * (the mode QEMU's model and our simulator implement; the Pi's core supports it too).
 *
 * Channels: DWC2_CH_CTRL is polled (control transfers, application or VMIO level, one at
 * a time, every wait bounded); the others complete through the USB interrupt (VMIT): the
 * handler calls the channel's completion callback at IRQ level. Who starts a channel:
 * the caller of dwc2_xfer_start when the channel is idle; the callback may restart it.
 *
 * Data toggles: dwc2_ep_t.toggle holds the next DATA0/DATA1 PID of the endpoint; the
 * driver advances it by the number of packets moved (QEMU does not write the PID field
 * back, so it is computed, not read).
 *
 * NAK policy: in buffer DMA mode the core (and QEMU) retries NAKed control and bulk
 * transactions by itself; an interrupt IN that NAKs halts the channel, and the driver
 * re-arms it after the endpoint's interval, counted in SOF interrupts (enabled only while
 * a retry is pending), never in a tight loop. SOFs are counted rather than HFNUM compared:
 * QEMU 7.2 advances HFNUM by ~83 per 1 ms frame (it divides nanoseconds by the frame
 * interval in bit times) while it raises exactly one SOF per frame.
 *
 * What this driver needs from a DWC2 (the real core, QEMU's model, or the simulator's):
 *  - init: GSNPSID & 0xFFFFF000 == 0x4F542000; GRSTCTL.AHBIDLE set when idle; CSFTRST,
 *    TXFFLSH, RXFFLSH self-clear (within 100 ms); GINTSTS.CURMODE_HOST = 1 within 50 ms
 *    of GUSBCFG.FORCEHOSTMODE; FIFO size registers accept the values written.
 *  - root port: HPRT0.CONNSTS within 500 ms of PWR; RST set then cleared (after 50 ms)
 *    leaves ENA = 1 (+ ENACHG) within 100 ms; SPD tells the attached device's speed;
 *    writing 1 to ENA disables the port, so the driver never does.
 *  - a channel runs when HCCHAR.CHENA goes 0 -> 1 (HCCHAR written once without, once
 *    with CHENA) and ends with HCINT.CHHLTD plus the reason: XFERCOMPL (then HCTSIZ
 *    XferSize/PktCnt hold what was NOT moved: actual = programmed - remaining), STALL,
 *    NAK (periodic IN), XACTERR, BBLERR, AHBERR, DATATGLERR, FRMOVRUN. A bulk/control NAK
 *    may either be retried by the core or halt with NAK: both are handled. An IN transfer
 *    ends early on a short or zero-length packet.
 *  - interrupts: GINTSTS.HCHINT = OR over channels of (HCINT & HCINTMSK) gated by HAINTMSK,
 *    cleared by writing HCINT back (W1C); GINTSTS.SOF each (micro)frame, W1C; HFNUM[13:0]
 *    advances by one per (micro)frame and wraps from 0x3FFF to 0. Only HCHINT and (while a periodic retry waits)
 *    SOF are unmasked; the line is gated by GAHBCFG.GLBL_INTR_EN.
 *  - DMA: HCDMA takes DWC2_BUS_ADDR(p), 4-byte aligned; IN data lands there, OUT data is
 *    read from there; a zero-length OUT (XferSize 0, PktCnt 1) sends a ZLP.
 *
 * Split transactions are not implemented: a full/low-speed device behind a high-speed hub
 * is refused (ERR_NOTSUP, counted). QEMU attaches its full-speed hub to the root port, and
 * the Pi 1B's LAN9512 is high speed behind its high-speed hub: neither needs splits. */
#ifndef HAL_USB_DWC2_H
#define HAL_USB_DWC2_H
#include <stddef.h>
#include <stdint.h>
#include "bcm2835/dwc2.h"

#define DWC2_CH_CTRL    0u   /* polled control transfers */
#define DWC2_CH_BULK_IN 1u
#define DWC2_CH_BULK_OUT 2u
#define DWC2_CH_INTR_IN 3u
#define DWC2_NCH_USED   4u

#define DWC2_XFER_MAX   (64u * 1024u)    /* bytes per transfer we ever program */
#define DWC2_CTRL_TIMEOUT_US 500000u     /* one control stage */
#define DWC2_RETRIES    3u               /* XACTERR / FRMOVRUN retries per transfer */

typedef struct dwc2_ep {
    uint8_t dev;        /* device address 0..127 */
    uint8_t num;        /* endpoint number 0..15 */
    uint8_t type;       /* DWC2_EP_* */
    uint8_t in;         /* 1 = IN */
    uint16_t mps;
    uint8_t speed;      /* DWC2_SPEED_* of the device */
    uint8_t toggle;     /* next PID: DWC2_PID_DATA0 / DWC2_PID_DATA1 */
    uint8_t interval;   /* interrupt endpoints: frames between polls (>= 1) */
} dwc2_ep_t;

/* Completion at IRQ level: status 0 or ERR_IO (stall: *stall set), ERR_TIMEOUT... */
typedef void (*dwc2_done_fn)(unsigned ch, int status, uint32_t actual, void *arg);

typedef struct dwc2_stats {
    uint32_t irqs, port_irqs, sof_irqs, chan_irqs;
    uint32_t xfers, xfer_ok;
    uint32_t stall, nak_retry, xacterr, bblerr, ahberr, datatglerr, frmovrun, timeouts;
    uint32_t retries, halts, split_refused, spurious_chan, aborts;
} dwc2_stats_t;

/* Powers the USB block (mailbox), resets the core, forces host mode, sizes the FIFOs,
 * enables buffer DMA, powers the root port. Application level. ERR_IO / ERR_TIMEOUT. */
int dwc2_init(void);
/* Resets the root port (>= 50 ms, system timer) and enables it; *speed = DWC2_SPEED_*.
 * ERR_EMPTY when nothing is connected (after a bounded wait). */
int dwc2_port_reset(unsigned *speed);
/* Polled transfer on DWC2_CH_CTRL. pid: DWC2_PID_SETUP or the toggle (ep->toggle used
 * when pid < 0). buf must be 4-byte aligned; cache maintenance done here. */
int dwc2_xfer_sync(dwc2_ep_t *ep, int pid, void *buf, uint32_t len, uint32_t *actual,
                   uint32_t timeout_us);
/* Interrupt-driven transfer on channel ch (1..DWC2_NCH_USED-1). The caller keeps ep and buf
 * alive until the callback ran. ERR_BUSY when the channel is active. */
int dwc2_xfer_start(unsigned ch, dwc2_ep_t *ep, void *buf, uint32_t len, dwc2_done_fn done,
                    void *arg);
int dwc2_chan_busy(unsigned ch);
/* Stops an interrupt-driven transfer (halts the channel, bounded); its callback is NOT
 * called: the caller finishes the transfer itself. ERR_EMPTY when nothing was running.
 * Any level except from inside that channel's callback. */
int dwc2_xfer_abort(unsigned ch);
/* HCINT bits of the channel's last completion (DWC2_HCINT_STALL tells a stall apart). */
uint32_t dwc2_chan_hcint(unsigned ch);
/* Connects the USB interrupt at VMIT level `level` and enables it (application level). */
int dwc2_irq_start(unsigned level);
void dwc2_get_stats(dwc2_stats_t *out);
uint32_t dwc2_frame_number(void);

#endif
