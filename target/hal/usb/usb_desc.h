/* USB descriptor parsing, portable C (no hardware access): builds on the host and is
 * unit-tested there with ASan/UBSan (tests/test_usb_desc.c). Every function takes the bytes
 * a device returned and their count, trusts nothing in them (bLength, wTotalLength, counts)
 * and answers 0 or a negative err_t:
 *   ERR_INVAL  malformed (wrong type, bLength too small or zero, element before its parent)
 *   ERR_RANGE  truncated (a length field points past the bytes we have)
 *   ERR_NOSPC  more interfaces/endpoints than the fixed tables hold (rest ignored, counted
 *              in usb_config_info_t.dropped; the parse still succeeds)  -- see each function
 *   ERR_NOTSUP nothing of the wanted kind (no CDC-ECM function, bad MAC string)
 * Layouts: USB 2.0 chapter 9.6, hub descriptor 11.23.2.1, CDC 1.2 / ECM 1.2 functional
 * descriptors. */
#ifndef HAL_USB_DESC_H
#define HAL_USB_DESC_H
#include <stddef.h>
#include <stdint.h>

#define USB_DESC_MAX_IFACE 8    /* interface descriptors (incl. alternate settings) kept */
#define USB_DESC_MAX_EP    4    /* endpoints kept per interface descriptor */

typedef struct usb_dev_desc {
    uint16_t bcd_usb, vid, pid, bcd_dev;
    uint8_t cls, subcls, proto;
    uint8_t mps0;               /* 8, 16, 32 or 64 */
    uint8_t nconfigs;
    uint8_t i_manufacturer, i_product, i_serial;
} usb_dev_desc_t;

typedef struct usb_ep_info {
    uint8_t addr;               /* bEndpointAddress (bit 7 = IN) */
    uint8_t type;               /* USB_EP_XFER_* */
    uint16_t mps;               /* wMaxPacketSize & 0x7FF */
    uint8_t interval;
} usb_ep_info_t;

typedef struct usb_iface_info {
    uint8_t num, alt, cls, subcls, proto;
    uint8_t nep;                /* endpoints kept (<= USB_DESC_MAX_EP) */
    usb_ep_info_t ep[USB_DESC_MAX_EP];
    /* CDC functional descriptors that followed this interface descriptor */
    uint8_t has_union, union_master, union_slave;   /* first slave only */
    uint8_t has_eth, eth_mac_index;
    uint16_t eth_max_segment;
} usb_iface_info_t;

typedef struct usb_config_info {
    uint16_t total_len;
    uint8_t value;              /* bConfigurationValue for SET_CONFIGURATION */
    uint8_t nifaces_declared;   /* bNumInterfaces */
    uint8_t attributes, max_power;
    uint8_t niface;             /* interface descriptors kept */
    uint8_t dropped;            /* interfaces / endpoints not kept (tables full) */
    usb_iface_info_t iface[USB_DESC_MAX_IFACE];
} usb_config_info_t;

/* The CDC-ECM function of one configuration (ECM 1.2 section 5). */
typedef struct usb_ecm_info {
    uint8_t ctrl_iface;         /* communications interface number */
    uint8_t data_iface;         /* data interface number */
    uint8_t data_alt;           /* alternate setting with the two bulk endpoints */
    uint8_t mac_index;          /* iMACAddress string index */
    uint16_t max_segment;       /* wMaxSegmentSize */
    usb_ep_info_t notify;       /* interrupt IN; addr 0 when the function has none */
    usb_ep_info_t bulk_in, bulk_out;
} usb_ecm_info_t;

typedef struct usb_hub_info {
    uint8_t nports;
    uint16_t characteristics;   /* wHubCharacteristics */
    uint8_t pwr_on_2_good_ms;   /* bPwrOn2PwrGood * 2, saturated at 255 */
} usb_hub_info_t;

/* Device descriptor; n may be 8 (the first read of bMaxPacketSize0): then only mps0, cls and
 * bcd_usb are filled and the result is ERR_RANGE. */
int usb_desc_device(const uint8_t *p, size_t n, usb_dev_desc_t *out);
/* Configuration header only: the wTotalLength to read in full. */
int usb_desc_config_total(const uint8_t *p, size_t n, uint16_t *total);
/* Whole configuration (n >= wTotalLength, else ERR_RANGE). */
int usb_desc_config(const uint8_t *p, size_t n, usb_config_info_t *out);
/* First CDC-ECM function of a parsed configuration; ERR_NOTSUP when there is none. */
int usb_desc_find_ecm(const usb_config_info_t *cfg, usb_ecm_info_t *out);
/* First interface descriptor with class `cls` (any subclass) and at least one endpoint of
 * `type` and direction `dir_in`; fills the endpoint. ERR_NOTSUP when absent. */
int usb_desc_find_ep(const usb_config_info_t *cfg, int iface_num, uint8_t type, int dir_in,
                     usb_ep_info_t *out);
int usb_desc_hub(const uint8_t *p, size_t n, usb_hub_info_t *out);
/* iMACAddress string descriptor: UTF-16LE, exactly 12 hex digits (ECM 1.2 table 3). */
int usb_desc_mac_string(const uint8_t *p, size_t n, uint8_t mac[6]);
/* CDC notification (CDC 1.2 6.3: bmRequestType 0xA1, bNotification, wValue, wIndex,
 * wLength): NETWORK_CONNECTION -> 1 connected / 0 disconnected; -1 anything else. */
int usb_desc_cdc_notify(const uint8_t *p, size_t len);
/* Setup packet bytes (little-endian fields). */
void usb_setup_pack(uint8_t out[8], uint8_t rt, uint8_t req, uint16_t value, uint16_t index,
                    uint16_t length);

#endif
