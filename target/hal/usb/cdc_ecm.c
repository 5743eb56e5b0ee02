/* CDC-ECM class driver (USB CDC ECM 1.2): QEMU's usb-net (CDC Ethernet configuration) and
 * USB Ethernet dongles. Bind: pick the configuration that has an ECM function, read the
 * MAC from the iMACAddress string of the Ethernet functional descriptor, select the data
 * interface's alternate setting with the bulk endpoints (alt 0 has none: ECM 3.3), set the
 * packet filter. Frames travel unframed (one Ethernet frame per bulk transfer, ended by a
 * short packet). Link: NETWORK_CONNECTION notifications on the interrupt endpoint; a
 * device that never sends one (QEMU) is taken as connected once the data interface is on,
 * as the Linux cdc_ether driver does. */
#include "hal/usb/usbnet.h"
#include "bcm2835/usb.h"
#include "platform.h"
#include "err.h"

#define ECM_MAX_CONFIGS 4u
#define ECM_LINK_POLL_MIN 32u  /* frames between notification polls, at least */

int cdc_ecm_bind(usb_device_t *d, usbnet_t *n)
{
    static uint8_t cfg[USB_CTRL_BUF] __attribute__((aligned(4)));
    static usb_config_info_t ci;
    usb_ecm_info_t e;
    size_t len = 0;
    int rc = ERR_NOTSUP;
    unsigned ncfg = d->desc.nconfigs < ECM_MAX_CONFIGS ? d->desc.nconfigs : ECM_MAX_CONFIGS;

    if (d->is_hub)
        return ERR_NOTSUP;
    for (unsigned i = 0; i < ncfg; i++) {
        if (usb_get_config(d, i, cfg, sizeof cfg, &len))
            continue;
        if (usb_desc_config(cfg, len, &ci)) {
            usb_stats.bad_descriptors++;
            continue;
        }
        if ((rc = usb_desc_find_ecm(&ci, &e)) == ERR_OK)
            break;
    }
    if (rc)
        return ERR_NOTSUP;
    *n = (usbnet_t){0};
    n->kind = ETH_CDC_ECM;
    n->dev = d;
    if ((rc = usb_set_configuration(d, ci.value)))
        return rc;
    uint8_t s[64] __attribute__((aligned(4)));
    if ((rc = usb_get_string(d, e.mac_index, s, sizeof s, &len)))
        return rc;
    if ((rc = usb_desc_mac_string(s, len, n->mac))) {
        usb_stats.bad_descriptors++;
        return rc;
    }
    /* alt 0 first (ECM 3.3: resets the function's filters and data path), then the
     * setting with the endpoints */
    (void)usb_set_interface(d, e.data_iface, 0);
    if ((rc = usb_set_interface(d, e.data_iface, e.data_alt)))
        return rc;
    if (usb_control(d, USB_RT_TYPE_CLASS | USB_RT_RECIP_INTERFACE, USB_CDC_SET_ETHERNET_PACKET_FILTER,
                    USB_CDC_PACKET_TYPE_DIRECTED | USB_CDC_PACKET_TYPE_BROADCAST |
                        USB_CDC_PACKET_TYPE_MULTICAST,
                    e.ctrl_iface, 0, 0, 0))
        n->filter_errors++;  /* optional for the device (QEMU ignores it) */
    usb_ep_make(d, &e.bulk_in, &n->bulk_in);
    usb_ep_make(d, &e.bulk_out, &n->bulk_out);
    if (e.notify.addr) {
        usb_ep_make(d, &e.notify, &n->intr_in);
        if (n->intr_in.interval < ECM_LINK_POLL_MIN)
            n->intr_in.interval = ECM_LINK_POLL_MIN;
        n->has_intr = 1;
    }
    n->tx_hdr = 0;
    n->link = 1;
    plat_log("usb: cdc-ecm on dev %u: config %u data iface %u alt %u in 0x%02x out 0x%02x notify 0x%02x",
             d->addr, ci.value, e.data_iface, e.data_alt, e.bulk_in.addr, e.bulk_out.addr, e.notify.addr);
    return ERR_OK;
}

int cdc_ecm_notify(const uint8_t *p, size_t len)
{
    return usb_desc_cdc_notify(p, len);
}
