/* Synopsys DWC2 USB OTG controller in host mode with buffer DMA (BCM2835 USB block),
 * register map in target/include/bcm2835/dwc2.h. Behaviour follows QEMU's
 * hw/usb/hcd-dwc2.c where the firmware can see it (so one kernel.img runs on both) and
 * the DWC2 databook elsewhere; every difference is listed in dwc2.c. */
#ifndef SIM_PERIPH_DWC2_H
#define SIM_PERIPH_DWC2_H
#include "core/sim.h"
#include "periph/usbdev.h"
#include "bcm2835/dwc2.h"

#define DWC2_NUM_CHANNELS 8u    /* BCM2835: GHWCFG2.NUM_HOST_CHAN + 1 */

typedef struct bcm2835_dwc2 bcm2835_dwc2_t;

#define DWC2_PKT_MAX 2048u      /* HCCHAR.MPS is 11 bits */

/* one transaction between its token (start) and its end */
typedef struct dwc2_xact {
    int result;                 /* XR_* in dwc2.c */
    unsigned bytes;             /* data bytes moved */
    unsigned dev_pid;           /* IN: toggle the device sent */
    bool setup, in;
    uint8_t buf[DWC2_PKT_MAX];
} dwc2_xact_t;

typedef struct dwc2_chan {
    bcm2835_dwc2_t *hc;
    unsigned n;
    uint32_t hcchar, hcsplt, hcint, hcintmsk, hctsiz, hcdma;
    enum { DWC2_CH_IDLE, DWC2_CH_BUSY, DWC2_CH_NAKWAIT } state;
    sim_timer_t timer;           /* start or end of the transaction in flight */
    bool phase_end;              /* the armed timer ends a transaction (else starts one) */
    bool disable_pending;        /* CHDIS during a transaction: halt after it */
    dwc2_xact_t x;
} dwc2_chan_t;

typedef struct bcm2835_dwc2_stats {
    uint64_t transfers, transactions, setups, in_bytes, out_bytes;
    uint64_t naks, nak_retries, stalls, xacterrs, babbles, toggle_errors, dma_errors, halts_by_guest;
    uint64_t splits, port_resets, core_resets, no_device, guest_errors, unimp;
    uint64_t out_toggle_dups;    /* OUT packets the device dropped: the guest sent the wrong DATA0/1 */
} bcm2835_dwc2_stats_t;

struct bcm2835_dwc2 {
    sim_t *sim;
    usbdev_t *root;              /* device on the root port (or NULL) */
    uint32_t gotgctl, gahbcfg, gusbcfg, grstctl, gintsts, gintmsk, grxfsiz, gnptxfsiz;
    uint32_t gpvndctl, ggpio, guid, glpmcfg, gpwrdn, gdfifocfg, hptxfsiz;
    uint32_t hcfg, hfir, haintmsk, hprt0, pcgcctl;
    dwc2_chan_t ch[DWC2_NUM_CHANNELS];
    sim_timer_t rst_timer;       /* end of a core soft reset */
    sim_timer_t sof_timer;       /* (micro)frame starts while GINTMSK.SOF is set */
    bool bus_running;            /* SOFs are sent: the port is enabled */
    uint64_t sof_epoch;          /* cycle at which frame 0 started */
    uint64_t sof_seen;           /* frames since sof_epoch whose SOF is in GINTSTS already */
    uint64_t bus_free;           /* cycle at which the bus finishes the last scheduled transaction */
    bool irq_out;
    bcm2835_dwc2_stats_t stats;
};

extern const sim_dev_ops_t bcm2835_dwc2_ops;
void bcm2835_dwc2_init(bcm2835_dwc2_t *s, sim_t *sim);
void bcm2835_dwc2_reset(void *opaque);
void bcm2835_dwc2_fini(bcm2835_dwc2_t *s);
/* Attach the device on the root port (before the guest runs, or NULL to detach). */
void bcm2835_dwc2_attach(bcm2835_dwc2_t *s, usbdev_t *dev);
/* cycles of one (micro)frame at the root port's speed, and the current frame number */
uint64_t bcm2835_dwc2_frame_cycles(const bcm2835_dwc2_t *s);
uint32_t bcm2835_dwc2_frame_number(const bcm2835_dwc2_t *s);
/* bus time of one transaction carrying `bytes` data bytes at a speed (cycles) */
uint64_t bcm2835_dwc2_packet_cycles(const bcm2835_dwc2_t *s, usbdev_speed_t speed, unsigned bytes);
#endif
