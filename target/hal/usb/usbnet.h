/* What a USB Ethernet class driver hands to hal/eth.c after binding a device: the three
 * endpoints, the MAC, the framing it needs and how to learn the link state. */
#ifndef HAL_USB_USBNET_H
#define HAL_USB_USBNET_H
#include <stddef.h>
#include <stdint.h>
#include "hal/eth.h"
#include "hal/usb/usb.h"

#define USBNET_RX_XFER 1536u     /* bulk-in transfer size: 24 x 64 (FS) = 3 x 512 (HS) */

typedef struct usbnet {
    eth_kind_t kind;
    usb_device_t *dev;
    dwc2_ep_t bulk_in, bulk_out, intr_in;
    uint8_t has_intr;
    uint8_t mac[6];
    uint8_t tx_hdr;              /* driver framing bytes in front of each TX frame */
    uint8_t link;                /* state known at bind time */
    uint32_t filter_errors;      /* CDC: SET_ETHERNET_PACKET_FILTER refused (ignored) */
    uint32_t mac_fallback;       /* LAN9512: mailbox MAC unavailable, default used */
} usbnet_t;

/* Bind: ERR_NOTSUP when the device is not of the driver's kind; other errors: the device
 * is of that kind but could not be set up. Application level (control transfers). */
int cdc_ecm_bind(usb_device_t *d, usbnet_t *n);
int lan9512_bind(usb_device_t *d, usbnet_t *n);
/* CDC notification bytes -> 1 connected, 0 disconnected, -1 not a link notification. */
int cdc_ecm_notify(const uint8_t *p, size_t len);
/* LAN9512 interrupt-endpoint word with PHY_INT: reads and acknowledges the PHY interrupt,
 * sets the duplex; returns 1 / 0 link, or a negative err (ERR_BUSY: control channel in
 * use, try again on the next interrupt). VMIO or application level. */
int lan9512_link_update(usbnet_t *n);

#endif
