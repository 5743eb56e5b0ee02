/* USB descriptor parsing (see usb_desc.h). Portable: no hardware, no allocation. */
#include "hal/usb/usb_desc.h"
#include "bcm2835/usb.h"
#include "err.h"

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

int usb_desc_device(const uint8_t *p, size_t n, usb_dev_desc_t *out)
{
    if (!p || !out || n < 8)
        return ERR_INVAL;
    if (p[1] != USB_DT_DEVICE || p[0] < USB_DT_DEVICE_LEN)
        return ERR_INVAL;
    *out = (usb_dev_desc_t){0};
    out->bcd_usb = rd16(p + 2);
    out->cls = p[4];
    out->subcls = p[5];
    out->proto = p[6];
    out->mps0 = p[7];
    if (out->mps0 != 8 && out->mps0 != 16 && out->mps0 != 32 && out->mps0 != 64)
        return ERR_INVAL;
    if (n < USB_DT_DEVICE_LEN)
        return ERR_RANGE;
    out->vid = rd16(p + 8);
    out->pid = rd16(p + 10);
    out->bcd_dev = rd16(p + 12);
    out->i_manufacturer = p[14];
    out->i_product = p[15];
    out->i_serial = p[16];
    out->nconfigs = p[17];
    return out->nconfigs ? ERR_OK : ERR_INVAL;
}

int usb_desc_config_total(const uint8_t *p, size_t n, uint16_t *total)
{
    if (!p || !total || n < 4)
        return ERR_INVAL;
    if (p[1] != USB_DT_CONFIG || p[0] < USB_DT_CONFIG_LEN)
        return ERR_INVAL;
    *total = rd16(p + 2);
    return *total < USB_DT_CONFIG_LEN ? ERR_INVAL : ERR_OK;
}

/* CDC class-specific interface descriptor following interface `it`. */
static int usb_desc_cdc(const uint8_t *d, usb_iface_info_t *it)
{
    uint8_t len = d[0];
    if (len < 3)
        return ERR_INVAL;
    switch (d[2]) {
    case USB_CDC_FD_UNION:
        if (len < 5)
            return ERR_INVAL;
        if (!it->has_union) {
            it->has_union = 1;
            it->union_master = d[3];
            it->union_slave = d[4];
        }
        break;
    case USB_CDC_FD_ETHERNET:
        if (len < USB_CDC_FD_ETHERNET_LEN)
            return ERR_INVAL;
        it->has_eth = 1;
        it->eth_mac_index = d[3];
        it->eth_max_segment = rd16(d + 8);
        break;
    default:
        break;  /* header, call management, ... : not needed */
    }
    return ERR_OK;
}

int usb_desc_config(const uint8_t *p, size_t n, usb_config_info_t *out)
{
    uint16_t total;
    int rc;
    if (!out)
        return ERR_INVAL;
    if ((rc = usb_desc_config_total(p, n, &total)))
        return rc;
    if (total > n)
        return ERR_RANGE;
    *out = (usb_config_info_t){0};
    out->total_len = total;
    out->nifaces_declared = p[4];
    out->value = p[5];
    out->attributes = p[7];
    out->max_power = p[8];

    usb_iface_info_t *cur = 0;  /* interface the following descriptors belong to */
    int skipping = 0;           /* inside an interface that did not fit */
    size_t off = p[0];
    /* Every step advances by bLength >= 2, so the walk ends within total/2 steps. */
    while (off < total) {
        const uint8_t *d = p + off;
        if (total - off < 2)
            return ERR_RANGE;
        uint8_t len = d[0];
        if (len < 2)
            return ERR_INVAL;
        if (len > total - off)
            return ERR_RANGE;
        switch (d[1]) {
        case USB_DT_INTERFACE:
            if (len < USB_DT_INTERFACE_LEN)
                return ERR_INVAL;
            if (out->niface >= USB_DESC_MAX_IFACE) {
                out->dropped++;
                skipping = 1;
                cur = 0;
                break;
            }
            skipping = 0;
            cur = &out->iface[out->niface++];
            cur->num = d[2];
            cur->alt = d[3];
            cur->cls = d[5];
            cur->subcls = d[6];
            cur->proto = d[7];
            break;
        case USB_DT_ENDPOINT:
            if (len < USB_DT_ENDPOINT_LEN)
                return ERR_INVAL;
            if (skipping)
                break;
            if (!cur)
                return ERR_INVAL;   /* endpoint before any interface */
            if (cur->nep >= USB_DESC_MAX_EP) {
                out->dropped++;
                break;
            }
            if ((d[2] & USB_EP_NUM_MASK) == 0 || (rd16(d + 4) & USB_EP_MPS_MASK) == 0)
                return ERR_INVAL;   /* endpoint 0 is never described; MPS 0 is unusable */
            cur->ep[cur->nep].addr = d[2];
            cur->ep[cur->nep].type = d[3] & USB_EP_XFER_MASK;
            cur->ep[cur->nep].mps = rd16(d + 4) & USB_EP_MPS_MASK;
            cur->ep[cur->nep].interval = d[6];
            cur->nep++;
            break;
        case USB_DT_CS_INTERFACE:
            if (skipping)
                break;
            if (!cur)
                return ERR_INVAL;
            if ((rc = usb_desc_cdc(d, cur)))
                return rc;
            break;
        case USB_DT_CONFIG:
        case USB_DT_DEVICE:
            return ERR_INVAL;       /* a second header inside the configuration */
        default:
            break;                  /* other class / vendor descriptors: skipped */
        }
        off += len;
    }
    return ERR_OK;
}

int usb_desc_find_ecm(const usb_config_info_t *cfg, usb_ecm_info_t *out)
{
    if (!cfg || !out)
        return ERR_INVAL;
    for (unsigned i = 0; i < cfg->niface; i++) {
        const usb_iface_info_t *c = &cfg->iface[i];
        if (c->cls != USB_CLASS_COMM || c->subcls != USB_CDC_SUBCLASS_ECM || !c->has_eth ||
            !c->has_union)
            continue;
        *out = (usb_ecm_info_t){0};
        out->ctrl_iface = c->num;
        out->data_iface = c->union_slave;
        out->mac_index = c->eth_mac_index;
        out->max_segment = c->eth_max_segment;
        for (unsigned e = 0; e < c->nep; e++)
            if (c->ep[e].type == USB_EP_XFER_INT && (c->ep[e].addr & USB_EP_DIR_IN)) {
                out->notify = c->ep[e];
                break;
            }
        /* the data interface: the alternate setting that has one bulk IN and one bulk OUT */
        for (unsigned j = 0; j < cfg->niface; j++) {
            const usb_iface_info_t *d = &cfg->iface[j];
            if (d->num != out->data_iface || d->cls != USB_CLASS_CDC_DATA)
                continue;
            usb_ep_info_t in = {0}, o = {0};
            for (unsigned e = 0; e < d->nep; e++) {
                if (d->ep[e].type != USB_EP_XFER_BULK)
                    continue;
                if (d->ep[e].addr & USB_EP_DIR_IN) {
                    if (!in.addr)
                        in = d->ep[e];
                } else if (!o.addr) {
                    o = d->ep[e];
                }
            }
            if (in.addr && o.addr) {
                out->data_alt = d->alt;
                out->bulk_in = in;
                out->bulk_out = o;
                if (!out->mac_index)
                    return ERR_NOTSUP;  /* ECM requires the MAC string */
                return ERR_OK;
            }
        }
    }
    return ERR_NOTSUP;
}

int usb_desc_find_ep(const usb_config_info_t *cfg, int iface_num, uint8_t type, int dir_in,
                     usb_ep_info_t *out)
{
    if (!cfg || !out)
        return ERR_INVAL;
    for (unsigned i = 0; i < cfg->niface; i++) {
        const usb_iface_info_t *it = &cfg->iface[i];
        if (iface_num >= 0 && it->num != iface_num)
            continue;
        for (unsigned e = 0; e < it->nep; e++)
            if (it->ep[e].type == type && !!(it->ep[e].addr & USB_EP_DIR_IN) == !!dir_in) {
                *out = it->ep[e];
                return ERR_OK;
            }
    }
    return ERR_NOTSUP;
}

int usb_desc_hub(const uint8_t *p, size_t n, usb_hub_info_t *out)
{
    if (!p || !out || n < 2)
        return ERR_INVAL;
    if (p[1] != USB_DT_HUB || p[0] < USB_DT_HUB_MIN_LEN)
        return ERR_INVAL;
    if (n < USB_DT_HUB_MIN_LEN || n < p[0])
        return ERR_RANGE;
    out->nports = p[2];
    out->characteristics = rd16(p + 3);
    out->pwr_on_2_good_ms = p[5] > 127 ? 255 : (uint8_t)(p[5] * 2);
    /* DeviceRemovable + PortPwrCtrlMask: one bit per port (+1), rounded up to bytes each */
    size_t need = 7u + 2u * ((size_t)out->nports / 8u);
    if (out->nports == 0 || p[0] < need)
        return ERR_INVAL;
    return ERR_OK;
}

static int usb_hexval(uint8_t lo, uint8_t hi)
{
    if (hi)
        return -1;
    if (lo >= '0' && lo <= '9')
        return lo - '0';
    if (lo >= 'a' && lo <= 'f')
        return lo - 'a' + 10;
    if (lo >= 'A' && lo <= 'F')
        return lo - 'A' + 10;
    return -1;
}

int usb_desc_mac_string(const uint8_t *p, size_t n, uint8_t mac[6])
{
    if (!p || !mac || n < 2)
        return ERR_INVAL;
    if (p[1] != USB_DT_STRING || p[0] < 2 || (p[0] & 1u))
        return ERR_INVAL;
    if (p[0] > n)
        return ERR_RANGE;
    if (p[0] != 2 + 12 * 2)
        return ERR_NOTSUP;
    for (unsigned i = 0; i < 6; i++) {
        int h = usb_hexval(p[2 + 4 * i], p[3 + 4 * i]);
        int l = usb_hexval(p[4 + 4 * i], p[5 + 4 * i]);
        if (h < 0 || l < 0)
            return ERR_NOTSUP;
        mac[i] = (uint8_t)(h << 4 | l);
    }
    return ERR_OK;
}

void usb_setup_pack(uint8_t out[8], uint8_t rt, uint8_t req, uint16_t value, uint16_t index,
                    uint16_t length)
{
    out[0] = rt;
    out[1] = req;
    out[2] = (uint8_t)value;
    out[3] = (uint8_t)(value >> 8);
    out[4] = (uint8_t)index;
    out[5] = (uint8_t)(index >> 8);
    out[6] = (uint8_t)length;
    out[7] = (uint8_t)(length >> 8);
}

int usb_desc_cdc_notify(const uint8_t *p, size_t len)
{
    if (!p || len < USB_CDC_NOTIFY_HDR_LEN || p[0] != (USB_RT_DIR_IN | USB_RT_TYPE_CLASS | USB_RT_RECIP_INTERFACE))
        return -1;
    if (p[1] != USB_CDC_NOTIFY_NETWORK_CONNECTION)
        return -1;
    return (p[2] | p[3] << 8) ? 1 : 0;
}
