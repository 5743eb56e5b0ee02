/* CDC-ECM Ethernet function (USB CDC 1.2 + ECM 1.2), shaped like QEMU's usb-net in its
 * CDC Ethernet configuration: VID:PID 0525:a4a2, full speed, communication interface 0
 * (header, union and Ethernet functional descriptors, iMACAddress string, interrupt IN
 * notification endpoint 0x81), data interface 1 with alternate setting 0 (no endpoints)
 * and 1 (bulk IN 0x82, bulk OUT 0x01, 64-byte packets). One configuration (QEMU also
 * offers RNDIS as a second one; not modelled).
 *
 * Data: bulk OUT packets accumulate one Ethernet frame; a short packet (or a zero-length
 * packet after a multiple of 64 bytes) ends it and it leaves on the eth link at that
 * instant. Frames from the link queue (USBNET_RXQ frames) and go out on bulk IN, the
 * last packet short or a ZLP. Frames are refused (counted) while alt setting 1 is not
 * selected or the queue is full. Notifications on selecting alt 1: NETWORK_CONNECTION
 * (connected) then CONNECTION_SPEED_CHANGE (100 Mbit/s both ways). */
#ifndef SIM_PERIPH_USBDEV_CDC_ECM_H
#define SIM_PERIPH_USBDEV_CDC_ECM_H
#include "periph/usbdev.h"
#include "link/eth_link.h"

#define USBNET_RXQ 16u
#define USBNET_MAX_FRAME 1514u

typedef struct usbdev_cdc_ecm {
    usbdev_t dev;
    eth_link_t *link;               /* may be NULL: frames dropped (counted) */
    uint8_t mac[6];
    char mac_str[13];
    const char *strings[4];         /* manufacturer, product, MAC (12 hex digits), serial */
    /* TX (bulk OUT) */
    uint8_t tx[USBNET_MAX_FRAME];
    unsigned tx_len;
    bool tx_overflow;               /* current frame too long: drop it at its end */
    /* RX (bulk IN) queue */
    struct { uint16_t len; uint8_t data[USBNET_MAX_FRAME]; } rxq[USBNET_RXQ];
    unsigned rx_head, rx_count, rx_pos;
    /* notifications pending on the interrupt endpoint: bitmask of NOTIFY_* */
    unsigned notify;
    /* observer for tests and tracing: called with every frame sent to the link */
    void (*tx_tap)(void *ctx, const uint8_t *frame, size_t len);
    void *tx_tap_ctx;
    struct {
        uint64_t tx_frames, tx_bytes, tx_runts, tx_oversize, tx_link_drops;
        uint64_t rx_frames, rx_bytes, rx_refused_inactive, rx_refused_full, rx_bad;
        uint64_t notifications;
    } stats;
} usbdev_cdc_ecm_t;

void usbdev_cdc_ecm_init(usbdev_cdc_ecm_t *n, sim_t *sim, const char *name, const uint8_t mac[6], eth_link_t *link);
/* the link's receive callback (eth_link_rx_fn); also how tests inject frames */
bool usbdev_cdc_ecm_rx(void *nic, const uint8_t *frame, size_t len);
#endif
