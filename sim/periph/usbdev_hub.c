/* USB hub model. Contract in usbdev_hub.h; class requests from USB 2.0 11.24. */
#include "periph/usbdev_hub.h"
#include <string.h>

#define HUB_PWR_ON_2_PWR_GOOD 10u /* x 2 ms */
#define HUB_EP_STATUS 1u

static unsigned hub_bitmap_bytes(const usbdev_hub_t *h) { return (h->nports + 1u + 7u) / 8u; }

static void hub_port_connect_state(usbdev_hub_port_t *p)
{
    uint16_t old = p->status;
    p->status &= (uint16_t)~(USBHUB_PS_CONNECTION | USBHUB_PS_LOW_SPEED | USBHUB_PS_HIGH_SPEED);
    if ((p->status & USBHUB_PS_POWER) && p->dev) {
        p->status |= USBHUB_PS_CONNECTION;
        if (p->dev->speed == USBDEV_SPEED_LOW) p->status |= USBHUB_PS_LOW_SPEED;
        /* a full-speed hub never reports high speed: its devices run at full speed */
        if (p->dev->speed == USBDEV_SPEED_HIGH && p->hub->dev.speed == USBDEV_SPEED_HIGH)
            p->status |= USBHUB_PS_HIGH_SPEED;
    }
    if ((old ^ p->status) & USBHUB_PS_CONNECTION) p->change |= USBHUB_PC_CONNECTION;
    if (!(p->status & USBHUB_PS_CONNECTION)) p->status &= (uint16_t)~(USBHUB_PS_ENABLE | USBHUB_PS_RESET);
}

static void hub_reset_done(void *opaque)
{
    usbdev_hub_port_t *p = opaque;
    if (!(p->status & USBHUB_PS_RESET)) return;
    p->status &= (uint16_t)~USBHUB_PS_RESET;
    p->change |= USBHUB_PC_RESET;
    if (p->status & USBHUB_PS_CONNECTION) {
        p->status |= USBHUB_PS_ENABLE;
        usbdev_bus_reset(p->dev);
    }
    usbdev_wake(&p->hub->dev);
}

static usbdev_t *hub_child(usbdev_t *d, unsigned port)
{
    usbdev_hub_t *h = d->opaque;
    if (port < 1 || port > h->nports || !d->config) return NULL;
    usbdev_hub_port_t *p = &h->port[port - 1];
    return (p->status & USBHUB_PS_ENABLE) ? p->dev : NULL;
}

static void hub_bus_reset(usbdev_t *d)
{
    usbdev_hub_t *h = d->opaque;
    for (unsigned i = 0; i < h->nports; i++) { /* a reset hub has its ports unpowered */
        usbdev_hub_port_t *p = &h->port[i];
        if (p->reset_timer.sim) sim_timer_del(&p->reset_timer);
        p->status = 0;
        p->change = 0;
        if (p->dev) usbdev_bus_reset(p->dev);
    }
}

static void hub_configured(usbdev_t *d)
{
    usbdev_hub_t *h = d->opaque;
    d->mps_in[HUB_EP_STATUS] = d->config ? (uint16_t)hub_bitmap_bytes(h) : 0;
}

static int hub_port_feature(usbdev_hub_t *h, usbdev_hub_port_t *p, unsigned feat, bool set)
{
    if (set) {
        switch (feat) {
        case USBHUB_F_PORT_POWER:
            p->status |= USBHUB_PS_POWER;
            hub_port_connect_state(p);
            break;
        case USBHUB_F_PORT_RESET:
            if (!(p->status & USBHUB_PS_CONNECTION)) break; /* nothing to reset */
            h->stats.port_resets++;
            p->status |= USBHUB_PS_RESET;
            p->status &= (uint16_t)~USBHUB_PS_ENABLE;
            sim_timer_mod(&p->reset_timer, sim_event_time(h->dev.sim) +
                                               sim_ns_to_cycles(h->dev.sim, USBHUB_RESET_MS * 1000000ull));
            break;
        case USBHUB_F_PORT_SUSPEND:
            if (p->status & USBHUB_PS_ENABLE) p->status |= USBHUB_PS_SUSPEND;
            break;
        case USBHUB_F_PORT_INDICATOR:
            break;
        default:
            return USBDEV_STALL;
        }
    } else {
        switch (feat) {
        case USBHUB_F_PORT_ENABLE: p->status &= (uint16_t)~USBHUB_PS_ENABLE; break;
        case USBHUB_F_PORT_SUSPEND: p->status &= (uint16_t)~USBHUB_PS_SUSPEND; break;
        case USBHUB_F_PORT_POWER:
            p->status &= (uint16_t)~(USBHUB_PS_POWER | USBHUB_PS_ENABLE | USBHUB_PS_RESET | USBHUB_PS_SUSPEND);
            sim_timer_del(&p->reset_timer);
            hub_port_connect_state(p);
            break;
        case USBHUB_F_C_PORT_CONNECTION: p->change &= (uint16_t)~USBHUB_PC_CONNECTION; break;
        case USBHUB_F_C_PORT_ENABLE: p->change &= (uint16_t)~USBHUB_PC_ENABLE; break;
        case USBHUB_F_C_PORT_SUSPEND: p->change &= (uint16_t)~USBHUB_PC_SUSPEND; break;
        case USBHUB_F_C_PORT_OVER_CURRENT: p->change &= (uint16_t)~USBHUB_PC_OVERCURRENT; break;
        case USBHUB_F_C_PORT_RESET: p->change &= (uint16_t)~USBHUB_PC_RESET; break;
        case USBHUB_F_PORT_INDICATOR: break;
        default: return USBDEV_STALL;
        }
    }
    if (p->change) usbdev_wake(&h->dev);
    return 0;
}

static int hub_control(usbdev_t *d, const usb_setup_t *s, uint8_t *data)
{
    usbdev_hub_t *h = d->opaque;
    unsigned type = s->bmRequestType & USB_TYPE_MASK, recip = s->bmRequestType & USB_RECIP_MASK;
    /* the hub class descriptor: class request (11.24.2.5); some drivers ask with a
     * standard-type GET_DESCRIPTOR, which hubs answer too */
    if (s->bRequest == USB_REQ_GET_DESCRIPTOR && (s->bmRequestType & USB_DIR_IN) && recip == USB_RECIP_DEVICE &&
        (s->wValue >> 8) == USB_DT_HUB) {
        unsigned nb = hub_bitmap_bytes(h);
        data[0] = (uint8_t)(7u + 2u * nb);
        data[1] = USB_DT_HUB;
        data[2] = (uint8_t)h->nports;
        usbdev_put16(data + 3, 0x0009u); /* per-port power switching and over-current */
        data[5] = HUB_PWR_ON_2_PWR_GOOD;
        data[6] = 0;                     /* bHubContrCurrent */
        memset(data + 7, 0, nb);         /* DeviceRemovable: all removable */
        memset(data + 7 + nb, 0xFF, nb); /* PortPwrCtrlMask (USB 1.0 compatibility) */
        return (int)(7u + 2u * nb);
    }
    if (type != USB_TYPE_CLASS) return USBDEV_UNHANDLED;
    if (!d->config) return USBDEV_STALL;
    if (recip == USB_RECIP_DEVICE) {
        switch (s->bRequest) {
        case USB_REQ_GET_STATUS:
            memset(data, 0, 4); /* local power good, no over-current */
            return 4;
        case USB_REQ_CLEAR_FEATURE: return 0; /* C_HUB_LOCAL_POWER / C_HUB_OVER_CURRENT */
        case USB_REQ_SET_FEATURE: return 0;
        default: return USBDEV_UNHANDLED;
        }
    }
    if (recip != USB_RECIP_OTHER) return USBDEV_UNHANDLED;
    unsigned pn = s->wIndex & 0xFFu;
    if (pn < 1 || pn > h->nports) {
        h->stats.guest_errors++;
        return USBDEV_STALL;
    }
    usbdev_hub_port_t *p = &h->port[pn - 1];
    switch (s->bRequest) {
    case USB_REQ_GET_STATUS:
        usbdev_put16(data, p->status);
        usbdev_put16(data + 2, p->change);
        return 4;
    case USB_REQ_SET_FEATURE: return hub_port_feature(h, p, s->wValue, true);
    case USB_REQ_CLEAR_FEATURE: return hub_port_feature(h, p, s->wValue, false);
    default: return USBDEV_UNHANDLED;
    }
}

/* status change endpoint: bit 0 hub, bit n port n (11.12.4); NAK while nothing changed */
static int hub_in(usbdev_t *d, unsigned ep, uint8_t *buf, unsigned max)
{
    usbdev_hub_t *h = d->opaque;
    if (ep != HUB_EP_STATUS) return USBDEV_STALL;
    uint8_t map[(USBHUB_MAX_PORTS + 1 + 7) / 8] = { 0 };
    bool any = false;
    for (unsigned i = 0; i < h->nports; i++) {
        if (h->port[i].change) {
            map[(i + 1) / 8] |= (uint8_t)(1u << ((i + 1) % 8));
            any = true;
        }
    }
    if (!any) return USBDEV_NAK;
    unsigned n = hub_bitmap_bytes(h);
    if (n > max) n = max;
    memcpy(buf, map, n);
    h->stats.status_reports++;
    return (int)n;
}

void usbdev_hub_init(usbdev_hub_t *h, sim_t *sim, const char *name, usbdev_speed_t speed, unsigned nports,
                     uint16_t vid, uint16_t pid)
{
    memset(h, 0, sizeof *h);
    if (nports < 1) nports = 1;
    if (nports > USBHUB_MAX_PORTS) nports = USBHUB_MAX_PORTS;
    h->nports = nports;
    bool hs = speed == USBDEV_SPEED_HIGH;
    static const uint8_t dd[18] = { 18, USB_DT_DEVICE, 0x00, 0x02, 0x09, 0x00, 0x00, 64, 0, 0, 0, 0,
                                    0x00, 0x01, 0, 0, 0, 1 };
    memcpy(h->dev_desc, dd, sizeof dd);
    if (!hs) usbdev_put16(h->dev_desc + 2, 0x0110); /* USB 1.1 hub */
    h->dev_desc[6] = hs ? 1 : 0;                    /* bDeviceProtocol: single TT */
    usbdev_put16(h->dev_desc + 8, vid);
    usbdev_put16(h->dev_desc + 10, pid);
    static const uint8_t cd[25] = {
        9, USB_DT_CONFIG, 25, 0, 1, 1, 0, 0xE0, 1,          /* self-powered, remote wakeup */
        9, USB_DT_INTERFACE, 0, 0, 1, 0x09, 0, 0, 0,        /* hub class, one endpoint */
        7, USB_DT_ENDPOINT, 0x81, 0x03, 1, 0, 0x0C,         /* interrupt IN */
    };
    memcpy(h->cfg_desc, cd, sizeof cd);
    h->cfg_desc[22] = (uint8_t)hub_bitmap_bytes(h);
    h->cfg_desc[24] = hs ? 0x0C : 0xFF; /* 2^11 microframes (256 ms) / 255 ms */
    h->cls = (usbdev_class_t){ .control = hub_control, .in = hub_in, .bus_reset = hub_bus_reset,
                               .configured = hub_configured, .child = hub_child, .nports = nports };
    for (unsigned i = 0; i < nports; i++) {
        h->port[i].hub = h;
        h->port[i].n = i + 1;
        sim_timer_init(&h->port[i].reset_timer, sim, hub_reset_done, &h->port[i]);
    }
    usbdev_init(&h->dev, sim, name, speed, &h->cls, h, h->dev_desc, h->cfg_desc, NULL, 0);
}

void usbdev_hub_fini(usbdev_hub_t *h)
{
    for (unsigned i = 0; i < h->nports; i++) sim_timer_del(&h->port[i].reset_timer);
}

int usbdev_hub_attach(usbdev_hub_t *h, unsigned port, usbdev_t *dev)
{
    if (port < 1 || port > h->nports || h->port[port - 1].dev) return -1;
    h->port[port - 1].dev = dev;
    dev->parent = &h->dev;
    dev->port = port;
    hub_port_connect_state(&h->port[port - 1]);
    return 0;
}
