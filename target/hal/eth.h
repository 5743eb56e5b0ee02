/* The one Ethernet API of the HAL, over the USB host stack (hal/usb/) and its two class
 * drivers: SMSC LAN9512/9514 (Pi 1B) and CDC-ECM (QEMU usb-net, USB dongles). Whichever
 * device enumerates first behind the root port / hub becomes "eth0"; the portable network
 * stack (io/) never sees which one it is.
 *
 * Buffers are VMIO buffers (vmio/vmio_buf.h), handed over by reference, never copied:
 *  - TX: the stack allocates with headroom ETH_HEADROOM and builds the frame from the
 *    Ethernet header on (data = destination MAC, len = 14..1514, no FCS). The driver may
 *    prepend up to ETH_DRV_HEADROOM bytes of its own framing (LAN9512 TX command words A
 *    and B) by moving data back, and DMAs straight from the buffer.
 *  - RX: the driver posts bulk-in transfers into buffers it allocated itself (VMIO level)
 *    and, on completion, strips its framing (LAN9512 RX status word) by moving data
 *    forward, then delivers the frame as a VMIO_EV_DATA indication to the automaton given
 *    to eth_init() (ownership passes with the event, vmio_buf.h rules): deposited from the
 *    USB interrupt (queue ETH_IRQ_LEVEL) when the transfer held one good frame, else
 *    posted from the driver's automaton at VMIO level (LAN9512 multi-frame transfers).
 * Cache maintenance for DMA (clean before OUT, invalidate after IN) is the driver's.
 *
 * Link state reaches the same automaton as an ETH_EV_LINK indication: arg = 1 (up) or 0
 * (down), inl[0..5] = the interface MAC, len = 6.
 *
 * Every drop path has a counter in eth_stats_t (console "net" command prints them). */
#ifndef HAL_ETH_H
#define HAL_ETH_H
#include <stdint.h>
#include "vmio/vmio.h"

#define ETH_HEADROOM     64u    /* reserved by the stack in every TX buffer */
#define ETH_DRV_HEADROOM 16u    /* of which the driver may use this much */
#define ETH_FRAME_MIN    14u
#define ETH_FRAME_MAX    1514u
#define ETH_EV_LINK      (VMIO_EV_USER + 0) /* indication code in the receiver's table */

/* The driver's own VMIO automaton (buffer work at VMIO level: RX re-posting, LAN9512
 * multi-frame split, TX completion) and the VMIT level of the USB interrupt. The id is
 * fixed here so the console/stack wiring in main.c cannot collide with it. */
#define ETH_AUT          30u
#define ETH_IRQ_LEVEL    1u     /* shares VMIT_LEVEL_TIMER (short handlers) */
#define ETH_RX_SPARES    2u     /* RX buffers the driver holds besides the one in flight */

typedef enum eth_kind { ETH_NONE = 0, ETH_LAN9512 = 1, ETH_CDC_ECM = 2 } eth_kind_t;

typedef struct eth_stats {
    uint32_t tx_frames, tx_bytes;
    uint32_t rx_frames, rx_bytes;
    uint32_t tx_dropped;        /* no free TX slot / link down / bad length */
    uint32_t tx_errors;         /* USB transfer failed */
    uint32_t rx_no_buf;         /* no VMIO buffer to post a bulk-in (frame lost) */
    uint32_t rx_errors;         /* USB transfer failed or device status error bits */
    uint32_t rx_bad_len;        /* runt / oversize / status length mismatch */
    uint32_t rx_no_deliver;     /* deposit queue full (frame freed) */
    uint32_t link_changes;
    uint32_t tx_realign;        /* frame moved to a 4-byte boundary for DMA */
    uint32_t tx_zlp;            /* zero-length packets sent: length was a multiple of the MPS */
    uint32_t rx_copies;         /* LAN9512: 2nd.. frame of a bulk-in copied to its own buffer */
    uint32_t rx_starved;        /* bulk-in re-post deferred: pool empty */
    uint32_t intr_events, intr_errors;
    uint32_t stalls_cleared;    /* bulk endpoint stalled: CLEAR_FEATURE(HALT) sent */
    uint32_t tx_timeouts;       /* bulk-out aborted after ETH_TX_TIMEOUT_US (also tx_errors) */
    uint32_t rx_fast;           /* of rx_frames: deposited straight from the USB IRQ */
    uint32_t rx_lost_irq;       /* IRQ-to-VMIO ring full (cannot happen; buffer leaked) */
    uint32_t stall_clear_failed;
    uint64_t link_up_us;        /* st_now_us() when the link first came up, 0 = never */
    uint64_t init_us;           /* eth_init: start and duration (enumeration + bind) */
    uint64_t init_dur_us;
} eth_stats_t;

/* Application level, once, after vmit/vmio are up: powers the USB block (mailbox), starts
 * the host controller, enumerates (bounded: ~0.1-0.3 s of USB reset and recovery times,
 * done here synchronously with polled control transfers) and binds the first NIC. The
 * data path starts afterwards at VMIO level; the link comes up as an ETH_EV_LINK event to
 * rx_dst. ERR_IO when the controller does not respond, ERR_NOTSUP when no NIC was found.
 * (Contract change: enumeration used to be described as asynchronous; a synchronous,
 * bounded bring-up keeps the USB core free of a second state machine.) */
int eth_init(vmio_addr_t rx_dst);
/* VMIO level. Always takes ownership of `frame`: 0 (queued to the device) or a negative
 * err (ERR_NOSPC, ERR_INVAL, ERR_IO; buffer freed, counted). */
int eth_send(vmio_buf_t *frame);
int eth_link_up(void);                  /* any level */
int eth_mac(uint8_t mac[6]);            /* 0, or ERR_EMPTY before a NIC was bound */
eth_kind_t eth_kind(void);
void eth_get_stats(eth_stats_t *out);
/* Bring-up test (application level): an ARP request "who has tip, tell sip", len bytes
 * (42..ETH_FRAME_MAX, zero padding after the ARP body), is built and sent at VMIO level
 * (console "eth test [LEN]"). ERR_EMPTY before a NIC was bound. */
int eth_test_arp(const uint8_t sip[4], const uint8_t tip[4], unsigned len);
#endif
