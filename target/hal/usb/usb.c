/* USB core (see usb.h). Enumeration follows USB 2.0 9.1.2: default address, 8-byte device
 * descriptor read for bMaxPacketSize0, SET_ADDRESS, full device descriptor; hubs go to
 * hub.c. Control transfers: SETUP (DATA0/SETUP PID), data stage starting DATA1, status
 * stage DATA1 in the opposite direction (8.5.3). */
#include "hal/usb/usb.h"
#include "boot/exc.h"
#include "hal/systimer.h"
#include "bcm2835/usb.h"
#include "lib/kstring.h"
#include "platform.h"
#include "err.h"

usb_stats_t usb_stats;
static usb_device_t usb_devs[USB_MAX_DEVICES];
static unsigned usb_ndev;
static volatile uint8_t usb_ctrl_busy;
/* DMA buffers: own cache lines (32-byte aligned, sizes multiples of 32) */
static uint8_t usb_setup_buf[32] __attribute__((aligned(32)));
static uint8_t usb_data_buf[USB_CTRL_BUF] __attribute__((aligned(32)));

int usb_control(usb_device_t *d, uint8_t rt, uint8_t req, uint16_t value, uint16_t index,
                void *data, uint16_t len, uint32_t *actual)
{
    if (!d || len > USB_CTRL_BUF || (len && !data))
        return ERR_INVAL;
    uint32_t flags = exc_irq_save();
    if (usb_ctrl_busy) {
        exc_irq_restore(flags);
        usb_stats.ctrl_busy++;
        return ERR_BUSY;
    }
    usb_ctrl_busy = 1;
    exc_irq_restore(flags);

    int in = (rt & USB_RT_DIR_IN) != 0;
    uint32_t got = 0;
    usb_stats.ctrl_xfers++;
    usb_setup_pack(usb_setup_buf, rt, req, value, index, len);
    d->ep0.in = 0;
    int rc = dwc2_xfer_sync(&d->ep0, DWC2_PID_SETUP, usb_setup_buf, USB_SETUP_LEN, 0,
                            DWC2_CTRL_TIMEOUT_US);
    if (rc == ERR_OK && len) {
        d->ep0.in = (uint8_t)in;
        d->ep0.toggle = DWC2_PID_DATA1;
        /* IN: the channel's transfer size is a whole number of max packets (the DWC2
         * expects it; the bounce buffer has room), the device stops at wLength */
        uint32_t xl = len;
        if (in) {
            uint32_t mps = d->ep0.mps ? d->ep0.mps : 8u;
            xl = (len + mps - 1u) / mps * mps;
            if (xl > USB_CTRL_BUF)
                xl = USB_CTRL_BUF;
        } else {
            memcpy(usb_data_buf, data, len);
        }
        rc = dwc2_xfer_sync(&d->ep0, -1, usb_data_buf, xl, &got, DWC2_CTRL_TIMEOUT_US);
        if (rc == ERR_OK && in) {
            if (got > len)
                got = len;
            memcpy(data, usb_data_buf, got);
        }
    }
    if (rc == ERR_OK) {
        d->ep0.in = (uint8_t)!(in && len);
        d->ep0.toggle = DWC2_PID_DATA1;
        rc = dwc2_xfer_sync(&d->ep0, -1, 0, 0, 0, DWC2_CTRL_TIMEOUT_US);
    }
    if (rc)
        usb_stats.ctrl_errors++;
    if (actual)
        *actual = got;
    usb_ctrl_busy = 0;
    return rc;
}

static int usb_get_descriptor(usb_device_t *d, uint8_t type, uint8_t index, uint16_t lang,
                              void *buf, uint16_t len, uint32_t *got)
{
    return usb_control(d, USB_RT_DIR_IN | USB_RT_TYPE_STANDARD | USB_RT_RECIP_DEVICE,
                       USB_REQ_GET_DESCRIPTOR, (uint16_t)(type << 8 | index), lang, buf, len, got);
}

int usb_get_config(usb_device_t *d, unsigned index, uint8_t *buf, size_t cap, size_t *len)
{
    uint32_t got = 0;
    uint16_t total;
    if (cap < USB_DT_CONFIG_LEN || index > 255)
        return ERR_INVAL;
    int rc = usb_get_descriptor(d, USB_DT_CONFIG, (uint8_t)index, 0, buf, USB_DT_CONFIG_LEN, &got);
    if (rc)
        return rc;
    if ((rc = usb_desc_config_total(buf, got, &total))) {
        usb_stats.bad_descriptors++;
        return rc;
    }
    if (total > cap || total > USB_CTRL_BUF)
        return ERR_NOSPC;
    rc = usb_get_descriptor(d, USB_DT_CONFIG, (uint8_t)index, 0, buf, total, &got);
    if (rc)
        return rc;
    if (got < total) {
        usb_stats.bad_descriptors++;
        return ERR_RANGE;
    }
    *len = total;
    return ERR_OK;
}

int usb_get_string(usb_device_t *d, uint8_t index, uint8_t *buf, size_t cap, size_t *len)
{
    uint32_t got = 0;
    if (cap > 255)
        cap = 255;
    int rc = usb_get_descriptor(d, USB_DT_STRING, index, 0x0409, buf, (uint16_t)cap, &got);
    if (rc == ERR_OK)
        *len = got;
    return rc;
}

int usb_set_configuration(usb_device_t *d, uint8_t value)
{
    int rc = usb_control(d, USB_RT_TYPE_STANDARD | USB_RT_RECIP_DEVICE, USB_REQ_SET_CONFIGURATION,
                         value, 0, 0, 0, 0);
    if (rc == ERR_OK)
        d->config = value;
    return rc;
}

int usb_set_interface(usb_device_t *d, uint8_t iface, uint8_t alt)
{
    return usb_control(d, USB_RT_TYPE_STANDARD | USB_RT_RECIP_INTERFACE, USB_REQ_SET_INTERFACE, alt,
                       iface, 0, 0, 0);
}

int usb_clear_halt(usb_device_t *d, uint8_t ep_addr)
{
    return usb_control(d, USB_RT_TYPE_STANDARD | USB_RT_RECIP_ENDPOINT, USB_REQ_CLEAR_FEATURE,
                       USB_FEATURE_ENDPOINT_HALT, ep_addr, 0, 0, 0);
}

void usb_ep_make(const usb_device_t *d, const usb_ep_info_t *e, dwc2_ep_t *out)
{
    *out = (dwc2_ep_t){0};
    out->dev = d->addr;
    out->num = e->addr & USB_EP_NUM_MASK;
    out->in = (e->addr & USB_EP_DIR_IN) != 0;
    out->type = e->type;            /* USB_EP_XFER_* == DWC2_EP_* */
    out->mps = e->mps;
    out->speed = d->speed;
    out->toggle = DWC2_PID_DATA0;
    unsigned iv = e->interval ? e->interval : 1u;
    if (d->speed == DWC2_SPEED_HIGH)   /* 2^(bInterval-1) microframes (9.6.6) */
        iv = 1u << (iv > 16 ? 15 : iv - 1);
    out->interval = (uint8_t)(iv > 255 ? 255 : iv);
}

int usb_enumerate_at(uint8_t parent, uint8_t port, uint8_t depth, unsigned speed, usb_device_t **out)
{
    if (usb_ndev >= USB_MAX_DEVICES) {
        usb_stats.too_many_devices++;
        return ERR_NOSPC;
    }
    usb_device_t *d = &usb_devs[usb_ndev];
    *d = (usb_device_t){0};
    d->speed = (uint8_t)speed;
    d->parent = parent;
    d->port = port;
    d->depth = depth;
    d->ep0.type = DWC2_EP_CONTROL;
    d->ep0.speed = (uint8_t)speed;
    d->ep0.mps = speed == DWC2_SPEED_HIGH ? 64 : 8;
    uint8_t b[USB_DT_DEVICE_LEN + 2] __attribute__((aligned(4)));
    uint32_t got = 0;

    /* 1. first 8 bytes at the default address: bMaxPacketSize0 */
    int rc = usb_get_descriptor(d, USB_DT_DEVICE, 0, 0, b, 8, &got);
    if (rc == ERR_OK && got < 8)
        rc = ERR_RANGE;
    usb_dev_desc_t dd;
    if (rc == ERR_OK) {
        rc = usb_desc_device(b, 8, &dd);
        if (rc == ERR_RANGE)
            rc = ERR_OK;
        else
            usb_stats.bad_descriptors++;
    }
    if (rc)
        goto fail;
    d->ep0.mps = dd.mps0;
    /* 2. address */
    uint8_t addr = (uint8_t)(usb_ndev + 1);
    rc = usb_control(d, USB_RT_TYPE_STANDARD | USB_RT_RECIP_DEVICE, USB_REQ_SET_ADDRESS, addr, 0, 0, 0, 0);
    if (rc)
        goto fail;
    st_delay_us(USB_SET_ADDRESS_RECOVERY_MS * 1000u);
    d->addr = addr;
    d->ep0.dev = addr;
    /* 3. whole device descriptor */
    rc = usb_get_descriptor(d, USB_DT_DEVICE, 0, 0, b, USB_DT_DEVICE_LEN, &got);
    if (rc == ERR_OK && (rc = usb_desc_device(b, got, &d->desc)))
        usb_stats.bad_descriptors++;
    if (rc)
        goto fail;
    usb_ndev++;
    usb_stats.enumerated++;
    plat_log("usb: dev %u %04x:%04x class %u speed %s parent %u port %u", addr, d->desc.vid,
             d->desc.pid, d->desc.cls,
             speed == DWC2_SPEED_HIGH ? "high" : speed == DWC2_SPEED_FULL ? "full" : "low",
             parent, port);
    if (out)
        *out = d;
    if (d->desc.cls == USB_CLASS_HUB) {
        d->is_hub = 1;
        if (depth >= USB_MAX_DEPTH)
            return ERR_OK;
        (void)usb_hub_probe(d);
    }
    return ERR_OK;
fail:
    usb_stats.enum_failed++;
    plat_log("usb: enumeration at parent %u port %u failed: %s", parent, port, err_str(rc));
    return rc;
}

int usb_init(void)
{
    unsigned speed;
    usb_ndev = 0;
    usb_stats = (usb_stats_t){0};
    int rc = dwc2_init();
    if (rc)
        return rc;
    rc = dwc2_port_reset(&speed);
    if (rc) {
        plat_log("usb: root port: %s", err_str(rc));
        return rc;
    }
    rc = usb_enumerate_at(0, 0, 0, speed, 0);
    if (rc)
        return rc;
    return (int)usb_ndev;
}

unsigned usb_device_count(void)
{
    return usb_ndev;
}

usb_device_t *usb_device_get(unsigned i)
{
    return i < usb_ndev ? &usb_devs[i] : 0;
}

void usb_get_stats(usb_stats_t *out)
{
    *out = usb_stats;
}
