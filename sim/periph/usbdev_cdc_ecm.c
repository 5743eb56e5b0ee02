/* CDC-ECM NIC model. Contract in usbdev_cdc_ecm.h. Descriptor layout from the USB CDC
 * 1.2 and ECM 1.2 specifications (functional descriptors, class requests and
 * notifications); the shape (ids, endpoints, string indexes) follows QEMU's usb-net. */
#include "periph/usbdev_cdc_ecm.h"
#include <stdio.h>
#include <string.h>

#define ECM_EP_NOTIFY 1u
#define ECM_EP_IN 2u
#define ECM_EP_OUT 2u
#define ECM_MPS 64u
#define ECM_IFACE_COMM 0u
#define ECM_IFACE_DATA 1u
#define ECM_CONFIG_CDC 1u      /* bConfigurationValue of the CDC Ethernet configuration */
#define ECM_CONFIG_RNDIS 2u    /* RNDIS: declared (index 0, as QEMU) but not modelled */
#define ECM_NOTIFY_CONNECTION 1u
#define ECM_NOTIFY_SPEED 2u
/* CDC class requests and notification codes (CDC 1.2 6.2, 6.3; ECM 1.2 6.2) */
#define CDC_SET_ETHERNET_MULTICAST_FILTERS 0x40u
#define CDC_SET_ETHERNET_PACKET_FILTER 0x43u
#define CDC_NOTIFY_NETWORK_CONNECTION 0x00u
#define CDC_NOTIFY_SPEED_CHANGE 0x2Au
#define ECM_SPEED_BPS 100000000u
#define CS_INTERFACE 0x24u

/* string indexes as QEMU's usb-net */
enum { STR_MANUFACTURER = 1, STR_PRODUCT, STR_ETHADDR, STR_DATA, STR_CONTROL, STR_RNDIS_CONTROL, STR_CDC,
       STR_SUBSET, STR_RNDIS, STR_SERIAL, STR_COUNT = STR_SERIAL };

static const uint8_t ecm_dev_desc[18] = {
    18, USB_DT_DEVICE, 0x00, 0x02,          /* USB 2.0 */
    0x02, 0x00, 0x00, 64,                   /* class: communications */
    0x25, 0x05, 0xA2, 0xA4,                 /* 0525:a4a2 (NetChip Ethernet/RNDIS gadget id) */
    0x00, 0x00, STR_MANUFACTURER, STR_PRODUCT, STR_SERIAL, 2,
};

/* configuration index 0: RNDIS (value 2), declared only */
#define RNDIS_CFG_LEN (9 + 9 + 5 + 5 + 4 + 5 + 7 + 9 + 7 + 7)
static const uint8_t rndis_cfg_desc[RNDIS_CFG_LEN] = {
    9, USB_DT_CONFIG, RNDIS_CFG_LEN, 0, 2, ECM_CONFIG_RNDIS, STR_RNDIS, 0xC0, 0x32,
    9, USB_DT_INTERFACE, 0, 0, 1, 0x02, 0x02, 0xFF, STR_RNDIS_CONTROL,   /* ACM, vendor protocol */
    5, CS_INTERFACE, 0x00, 0x10, 0x01,                                   /* header */
    5, CS_INTERFACE, 0x01, 0x00, 0x01,                                   /* call management */
    4, CS_INTERFACE, 0x02, 0x00,                                         /* ACM */
    5, CS_INTERFACE, 0x06, 0x00, 0x01,                                   /* union */
    7, USB_DT_ENDPOINT, 0x80 | ECM_EP_NOTIFY, 0x03, 16, 0, 32,
    9, USB_DT_INTERFACE, 1, 0, 2, 0x0A, 0x00, 0x00, STR_DATA,
    7, USB_DT_ENDPOINT, 0x80 | ECM_EP_IN, 0x02, ECM_MPS, 0, 0,
    7, USB_DT_ENDPOINT, ECM_EP_OUT, 0x02, ECM_MPS, 0, 0,
};

/* configuration index 1: CDC Ethernet (value 1) */
#define ECM_CFG_LEN (9 + 9 + 5 + 5 + 13 + 7 + 9 + 9 + 7 + 7)
static const uint8_t ecm_cfg_desc[ECM_CFG_LEN] = {
    9, USB_DT_CONFIG, ECM_CFG_LEN, 0, 2, ECM_CONFIG_CDC, STR_CDC, 0xC0, 0x32,  /* self-powered, 100 mA */
    9, USB_DT_INTERFACE, ECM_IFACE_COMM, 0, 1, 0x02, 0x06, 0x00, STR_CONTROL,  /* CDC ECM */
    5, CS_INTERFACE, 0x00, 0x10, 0x01,                                         /* header, CDC 1.10 */
    5, CS_INTERFACE, 0x06, ECM_IFACE_COMM, ECM_IFACE_DATA,                     /* union */
    13, CS_INTERFACE, 0x0F, STR_ETHADDR, 0, 0, 0, 0, 0xEA, 0x05, 0, 0, 0,      /* Ethernet: 1514 */
    7, USB_DT_ENDPOINT, 0x80 | ECM_EP_NOTIFY, 0x03, 16, 0, 32,                 /* interrupt IN, 32 ms */
    9, USB_DT_INTERFACE, ECM_IFACE_DATA, 0, 0, 0x0A, 0x00, 0x00, 0,            /* data, alt 0: off */
    9, USB_DT_INTERFACE, ECM_IFACE_DATA, 1, 2, 0x0A, 0x00, 0x00, STR_DATA,     /* data, alt 1 */
    7, USB_DT_ENDPOINT, 0x80 | ECM_EP_IN, 0x02, ECM_MPS, 0, 0,
    7, USB_DT_ENDPOINT, ECM_EP_OUT, 0x02, ECM_MPS, 0, 0,
};

static int ecm_set_config(usbdev_t *d, unsigned value)
{
    usbdev_cdc_ecm_t *n = d->opaque;
    if (value == ECM_CONFIG_CDC) return 0;
    n->stats.rndis_refused++;
    return USBDEV_STALL;
}

static void ecm_configured(usbdev_t *d)
{
    usbdev_cdc_ecm_t *n = d->opaque;
    bool data_on = d->config == ECM_CONFIG_CDC && d->alt[ECM_IFACE_DATA] == 1;
    d->mps_in[ECM_EP_NOTIFY] = d->config ? 16 : 0;
    d->mps_in[ECM_EP_IN] = data_on ? ECM_MPS : 0;
    d->mps_out[ECM_EP_OUT] = data_on ? ECM_MPS : 0;
    n->tx_len = 0;
    n->tx_overflow = false;
    n->rx_pos = 0;
    if (!data_on) {
        n->rx_head = n->rx_count = 0; /* a deselected data interface flushes its queues (ECM 1.2 3.3) */
        n->notify = 0;
    } else {
        n->notify = ECM_NOTIFY_CONNECTION | ECM_NOTIFY_SPEED;
        usbdev_wake(d);
    }
}

static void ecm_bus_reset(usbdev_t *d)
{
    usbdev_cdc_ecm_t *n = d->opaque;
    n->tx_len = 0;
    n->tx_overflow = false;
    n->rx_head = n->rx_count = n->rx_pos = 0;
    n->notify = 0;
}

static int ecm_set_interface(usbdev_t *d, unsigned iface, unsigned alt)
{
    (void)d;
    if (iface == ECM_IFACE_COMM) return alt == 0 ? 0 : USBDEV_STALL;
    return alt <= 1 ? 0 : USBDEV_STALL;
}

static int ecm_control(usbdev_t *d, const usb_setup_t *s, uint8_t *data)
{
    (void)d;
    (void)data;
    if ((s->bmRequestType & USB_TYPE_MASK) != USB_TYPE_CLASS) return USBDEV_UNHANDLED;
    switch (s->bRequest) {
    case CDC_SET_ETHERNET_PACKET_FILTER:      /* accepted; the model delivers every frame (as QEMU) */
    case CDC_SET_ETHERNET_MULTICAST_FILTERS:
        return 0;
    default:
        return USBDEV_UNHANDLED;             /* statistics, PM filters: not supported (STALL) */
    }
}

static void ecm_tx_frame(usbdev_cdc_ecm_t *n)
{
    if (n->tx_overflow) {
        n->stats.tx_oversize++;
    } else if (n->tx_len < ETH_LINK_MIN_FRAME) {
        if (n->tx_len) n->stats.tx_runts++; /* a lone ZLP is not a frame */
    } else {
        n->stats.tx_frames++;
        n->stats.tx_bytes += n->tx_len;
        if (n->tx_tap) n->tx_tap(n->tx_tap_ctx, n->tx, n->tx_len);
        if (!n->link || eth_link_send(n->link, n->tx, n->tx_len) != 0) n->stats.tx_link_drops++;
    }
    n->tx_len = 0;
    n->tx_overflow = false;
}

static int ecm_out(usbdev_t *d, unsigned ep, const uint8_t *buf, unsigned len)
{
    usbdev_cdc_ecm_t *n = d->opaque;
    if (ep != ECM_EP_OUT) return USBDEV_STALL;
    if (n->tx_len + len > USBNET_MAX_FRAME) n->tx_overflow = true;
    else memcpy(n->tx + n->tx_len, buf, len);
    if (!n->tx_overflow) n->tx_len += len;
    if (len < ECM_MPS) ecm_tx_frame(n);
    return 0;
}

static int ecm_in(usbdev_t *d, unsigned ep, uint8_t *buf, unsigned max)
{
    usbdev_cdc_ecm_t *n = d->opaque;
    if (ep == ECM_EP_NOTIFY) {
        if (n->notify & ECM_NOTIFY_CONNECTION) {
            uint8_t m[8] = { 0xA1, CDC_NOTIFY_NETWORK_CONNECTION, 1, 0, ECM_IFACE_COMM, 0, 0, 0 };
            unsigned k = max < 8 ? max : 8;
            memcpy(buf, m, k);
            n->notify &= ~ECM_NOTIFY_CONNECTION;
            n->stats.notifications++;
            return (int)k;
        }
        if (n->notify & ECM_NOTIFY_SPEED) {
            uint8_t m[16] = { 0xA1, CDC_NOTIFY_SPEED_CHANGE, 0, 0, ECM_IFACE_COMM, 0, 8, 0 };
            usbdev_put32(m + 8, ECM_SPEED_BPS);
            usbdev_put32(m + 12, ECM_SPEED_BPS);
            unsigned k = max < 16 ? max : 16;
            memcpy(buf, m, k);
            n->notify &= ~ECM_NOTIFY_SPEED;
            n->stats.notifications++;
            return (int)k;
        }
        return USBDEV_NAK;
    }
    if (ep != ECM_EP_IN) return USBDEV_STALL;
    if (!n->rx_count) return USBDEV_NAK;
    unsigned len = n->rxq[n->rx_head].len;
    unsigned k = len - n->rx_pos;
    if (k > max) k = max;
    memcpy(buf, n->rxq[n->rx_head].data + n->rx_pos, k);
    n->rx_pos += k;
    if (k < max) { /* short packet or ZLP: the frame is complete */
        n->rx_head = (n->rx_head + 1) % USBNET_RXQ;
        n->rx_count--;
        n->rx_pos = 0;
    }
    return (int)k;
}

bool usbdev_cdc_ecm_rx(void *nic, const uint8_t *frame, size_t len)
{
    usbdev_cdc_ecm_t *n = nic;
    if (len < ETH_LINK_MIN_FRAME || len > USBNET_MAX_FRAME) {
        n->stats.rx_bad++;
        return false;
    }
    if (n->dev.config != ECM_CONFIG_CDC || n->dev.alt[ECM_IFACE_DATA] != 1) {
        n->stats.rx_refused_inactive++;
        return false;
    }
    if (n->rx_count == USBNET_RXQ) {
        n->stats.rx_refused_full++;
        return false;
    }
    unsigned slot = (n->rx_head + n->rx_count) % USBNET_RXQ;
    memcpy(n->rxq[slot].data, frame, len);
    n->rxq[slot].len = (uint16_t)len;
    n->rx_count++;
    n->stats.rx_frames++;
    n->stats.rx_bytes += len;
    usbdev_wake(&n->dev);
    return true;
}

void usbdev_cdc_ecm_init(usbdev_cdc_ecm_t *n, sim_t *sim, const char *name, const uint8_t mac[6], eth_link_t *link)
{
    static const usbdev_class_t cls = { .control = ecm_control, .in = ecm_in, .out = ecm_out,
                                        .bus_reset = ecm_bus_reset, .configured = ecm_configured,
                                        .set_config = ecm_set_config, .set_interface = ecm_set_interface };
    memset(n, 0, sizeof *n);
    memcpy(n->mac, mac, 6);
    snprintf(n->mac_str, sizeof n->mac_str, "%02x%02x%02x%02x%02x%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
             mac[5]);
    n->link = link;
    static const char *const fixed[STR_COUNT] = {
        "QEMU", "RNDIS/QEMU USB Network Device", NULL, "QEMU USB Net Data Interface",
        "QEMU USB Net Control Interface", "QEMU USB Net RNDIS Control Interface", "QEMU USB Net CDC",
        "QEMU USB Net Subset", "QEMU USB Net RNDIS", "1",
    };
    for (unsigned i = 0; i < STR_COUNT; i++) n->strings[i] = fixed[i];
    n->strings[STR_ETHADDR - 1] = n->mac_str;
    usbdev_init(&n->dev, sim, name, USBDEV_SPEED_FULL, &cls, n, ecm_dev_desc, rndis_cfg_desc, n->strings, STR_COUNT);
    n->dev.cfg_more[0] = ecm_cfg_desc;
    if (link) eth_link_attach(link, usbdev_cdc_ecm_rx, n);
}
