/* CDC-ECM Ethernet function (USB CDC 1.2 + ECM 1.2) with the descriptors of QEMU's usb-net
 * (hw/usb/dev-network.c), so a driver written against QEMU enumerates it unchanged:
 * VID:PID 0525:a4a2, full speed, two configurations: index 0 = RNDIS (value 2; declared
 * but not modelled: SET_CONFIGURATION(2) STALLs, counted) and index 1 = CDC Ethernet
 * (value 1): communication interface 0 (header, union and Ethernet functional
 * descriptors, iMACAddress = string 3, interrupt IN 0x81), data interface 1 with
 * alternate settings 0 (no endpoints) and 1 (bulk IN 0x82, bulk OUT 0x02, 64 bytes).
 * The MAC string is the MAC given at init in lowercase hex (QEMU writes 40 + the low
 * five bytes of its NIC address: 40:54:00:12:34:56 by default; soc.c uses that).
 *
 * Data: bulk OUT packets accumulate one Ethernet frame; a short packet (or a zero-length
 * packet after a multiple of 64 bytes) ends it and it leaves on the eth link at that
 * instant. Frames from the link queue (USBNET_RXQ frames; QEMU holds one and lets its
 * net queue buffer the rest) and go out on bulk IN, the last packet short or a ZLP.
 * Frames are refused (counted) while alt setting 1 is not selected or the queue is full.
 * Notifications on selecting alt 1: NETWORK_CONNECTION (connected) then
 * CONNECTION_SPEED_CHANGE (100 Mbit/s both ways). QEMU's usb-net sends none in its CDC
 * configuration (its interrupt endpoint always NAKs there): a driver must not wait
 * for them. SET_ETHERNET_PACKET_FILTER / MULTICAST_FILTERS are accepted (QEMU STALLs
 * them; Linux ignores either answer); other class requests STALL. */
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
    char mac_str[13];               /* iMACAddress: 12 lowercase hex digits */
    const char *strings[10];        /* string descriptors 1..10, as QEMU's usb-net */
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
        uint64_t notifications, rndis_refused;
    } stats;
} usbdev_cdc_ecm_t;

void usbdev_cdc_ecm_init(usbdev_cdc_ecm_t *n, sim_t *sim, const char *name, const uint8_t mac[6], eth_link_t *link);
/* the link's receive callback (eth_link_rx_fn); also how tests inject frames */
bool usbdev_cdc_ecm_rx(void *nic, const uint8_t *frame, size_t len);
#endif
