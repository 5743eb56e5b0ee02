/* USB device framework: default control pipe, standard requests, toggles, topology.
 * Contract in usbdev.h. */
#include "periph/usbdev.h"
#include <string.h>

void usbdev_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
uint16_t usbdev_get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
uint32_t usbdev_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
void usbdev_put32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

void usbdev_init(usbdev_t *d, sim_t *sim, const char *name, usbdev_speed_t speed, const usbdev_class_t *cls,
                 void *opaque, const uint8_t *dev_desc, const uint8_t *cfg_desc, const char *const *strings,
                 unsigned nstrings)
{
    memset(d, 0, sizeof *d);
    d->sim = sim;
    d->name = name;
    d->speed = speed;
    d->cls = cls;
    d->opaque = opaque;
    d->dev_desc = dev_desc;
    d->cfg_desc = cfg_desc;
    d->strings = strings;
    d->nstrings = nstrings;
    d->self_powered = true;
    usbdev_bus_reset(d);
}

void usbdev_reset_endpoints(usbdev_t *d)
{
    for (unsigned i = 1; i < USBDEV_MAX_EP; i++) {
        d->halt_in[i] = d->halt_out[i] = false;
        d->tog_in[i] = d->tog_out[i] = USBDEV_DATA0;
    }
}

void usbdev_bus_reset(usbdev_t *d)
{
    d->addr = 0;
    d->addr_pending = false;
    d->config = 0;
    memset(d->alt, 0, sizeof d->alt);
    d->remote_wakeup = false;
    memset(d->mps_in, 0, sizeof d->mps_in);
    memset(d->mps_out, 0, sizeof d->mps_out);
    d->mps_in[0] = d->mps_out[0] = d->dev_desc ? d->dev_desc[7] : 64;
    usbdev_reset_endpoints(d);
    d->ctl = USBDEV_CTL_IDLE;
    if (d->cls && d->cls->bus_reset) d->cls->bus_reset(d);
}

unsigned usbdev_mps(const usbdev_t *d, unsigned ep, bool in)
{
    if (ep >= USBDEV_MAX_EP) return 0;
    return in ? d->mps_in[ep] : d->mps_out[ep];
}

void usbdev_wake(usbdev_t *d)
{
    usbdev_t *r = d;
    for (unsigned depth = 0; r->parent && depth < 8; depth++) r = r->parent; /* USB allows 5 hub tiers */
    if (r->host_wake) r->host_wake(r->host, d);
}

usbdev_t *usbdev_find(usbdev_t *root, uint8_t addr)
{
    /* iterative depth-first walk; the tree is at most 7 tiers deep (USB 2.0 4.1.1) */
    struct { usbdev_t *d; unsigned next; } stack[8];
    unsigned sp = 0;
    if (!root) return NULL;
    stack[sp++] = (typeof(stack[0])){ root, 1 };
    if (root->addr == addr) return root;
    while (sp) {
        usbdev_t *d = stack[sp - 1].d;
        if (!d->cls || !d->cls->child || stack[sp - 1].next > d->cls->nports) {
            sp--;
            continue;
        }
        usbdev_t *c = d->cls->child(d, stack[sp - 1].next++);
        if (!c) continue;
        if (c->addr == addr) return c;
        if (sp < 8) stack[sp++] = (typeof(stack[0])){ c, 1 };
    }
    return NULL;
}

/* ---- standard requests ------------------------------------------------------------------- */
static int usbdev_string(usbdev_t *d, unsigned idx, uint8_t *out)
{
    if (idx == 0) { /* language IDs: English (US) */
        out[0] = 4;
        out[1] = USB_DT_STRING;
        usbdev_put16(out + 2, 0x0409);
        return 4;
    }
    if (idx > d->nstrings || !d->strings[idx - 1]) return USBDEV_STALL;
    const char *s = d->strings[idx - 1];
    size_t n = strlen(s);
    if (n > 126) n = 126; /* bLength is one byte: 2 + 2 * 126 = 254 */
    out[0] = (uint8_t)(2 + 2 * n);
    out[1] = USB_DT_STRING;
    for (size_t i = 0; i < n; i++) usbdev_put16(out + 2 + 2 * i, (uint8_t)s[i]);
    return (int)(2 + 2 * n);
}

/* configuration descriptor by index, and the one with a bConfigurationValue */
static const uint8_t *usbdev_cfg_index(const usbdev_t *d, unsigned idx)
{
    if (idx == 0) return d->cfg_desc;
    return idx < USBDEV_MAX_CFG ? d->cfg_more[idx - 1] : NULL;
}
static const uint8_t *usbdev_cfg_value(const usbdev_t *d, unsigned value)
{
    for (unsigned i = 0; i < USBDEV_MAX_CFG; i++) {
        const uint8_t *c = usbdev_cfg_index(d, i);
        if (c && c[5] == value) return c;
    }
    return NULL;
}
static unsigned usbdev_num_ifaces(const usbdev_t *d)
{
    const uint8_t *c = d->config ? usbdev_cfg_value(d, d->config) : NULL;
    return c ? c[4] : 0;
}

/* which alternate settings / endpoints the configuration declares: the models set mps
 * in .configured; the framework only needs bConfigurationValue and bNumInterfaces */
static int usbdev_std(usbdev_t *d, const usb_setup_t *s, uint8_t *data)
{
    unsigned recip = s->bmRequestType & USB_RECIP_MASK;
    unsigned ep = s->wIndex & 0x0Fu;
    bool ep_in = (s->wIndex & 0x80u) != 0;
    switch (s->bRequest) {
    case USB_REQ_GET_DESCRIPTOR: {
        if (!(s->bmRequestType & USB_DIR_IN)) return USBDEV_STALL;
        unsigned type = s->wValue >> 8, idx = s->wValue & 0xFFu;
        if (type == USB_DT_DEVICE) {
            memcpy(data, d->dev_desc, 18);
            return 18;
        }
        if (type == USB_DT_CONFIG) {
            const uint8_t *c = usbdev_cfg_index(d, idx);
            if (!c) return USBDEV_STALL;
            unsigned total = usbdev_get16(c + 2);
            if (total > USBDEV_CTL_BUF) total = USBDEV_CTL_BUF;
            memcpy(data, c, total);
            return (int)total;
        }
        if (type == USB_DT_STRING) return usbdev_string(d, idx, data);
        return USBDEV_UNHANDLED; /* qualifier, class descriptors: the class may know */
    }
    case USB_REQ_SET_ADDRESS:
        if (recip != USB_RECIP_DEVICE || s->wValue > 127 || s->wLength || d->config) return USBDEV_STALL;
        d->new_addr = (uint8_t)s->wValue;
        d->addr_pending = true;
        return 0;
    case USB_REQ_GET_CONFIGURATION:
        data[0] = d->config;
        return 1;
    case USB_REQ_SET_CONFIGURATION: {
        unsigned v = s->wValue & 0xFFu;
        if (d->addr == 0) return USBDEV_STALL; /* default state: only SET_ADDRESS works */
        if (v != 0 && !usbdev_cfg_value(d, v)) return USBDEV_STALL;
        if (v != 0 && d->cls->set_config && d->cls->set_config(d, v) != 0) return USBDEV_STALL;
        d->config = (uint8_t)v;
        memset(d->alt, 0, sizeof d->alt);
        usbdev_reset_endpoints(d);
        if (d->cls->configured) d->cls->configured(d);
        return 0;
    }
    case USB_REQ_GET_INTERFACE:
        if (s->wIndex >= usbdev_num_ifaces(d) || s->wIndex >= USBDEV_MAX_IFACE) return USBDEV_STALL;
        data[0] = d->alt[s->wIndex];
        return 1;
    case USB_REQ_SET_INTERFACE: {
        if (s->wIndex >= usbdev_num_ifaces(d) || s->wIndex >= USBDEV_MAX_IFACE) return USBDEV_STALL;
        if (s->wValue != 0 && (!d->cls->set_interface || d->cls->set_interface(d, s->wIndex, s->wValue) != 0))
            return USBDEV_STALL;
        if (s->wValue == 0 && d->cls->set_interface && d->cls->set_interface(d, s->wIndex, 0) != 0)
            return USBDEV_STALL;
        d->alt[s->wIndex] = (uint8_t)s->wValue;
        usbdev_reset_endpoints(d);
        if (d->cls->configured) d->cls->configured(d);
        return 0;
    }
    case USB_REQ_GET_STATUS:
        if (!(s->bmRequestType & USB_DIR_IN)) return USBDEV_STALL;
        data[0] = data[1] = 0;
        if (recip == USB_RECIP_DEVICE) {
            data[0] = (uint8_t)((d->self_powered ? 1u : 0u) | (d->remote_wakeup ? 2u : 0u));
        } else if (recip == USB_RECIP_ENDPOINT) {
            if (ep && !usbdev_mps(d, ep, ep_in)) return USBDEV_STALL;
            data[0] = (ep_in ? d->halt_in[ep] : d->halt_out[ep]) ? 1 : 0;
        } else if (recip != USB_RECIP_INTERFACE) {
            return USBDEV_STALL;
        }
        return 2;
    case USB_REQ_CLEAR_FEATURE:
    case USB_REQ_SET_FEATURE: {
        bool set = s->bRequest == USB_REQ_SET_FEATURE;
        if (recip == USB_RECIP_DEVICE && s->wValue == USB_FEAT_REMOTE_WAKEUP) {
            d->remote_wakeup = set;
            return 0;
        }
        if (recip == USB_RECIP_ENDPOINT && s->wValue == USB_FEAT_ENDPOINT_HALT) {
            if (ep == 0) return 0;             /* the control pipe clears itself on SETUP */
            if (!usbdev_mps(d, ep, ep_in)) return USBDEV_STALL;
            if (ep_in) {
                d->halt_in[ep] = set;
                d->tog_in[ep] = USBDEV_DATA0;
            } else {
                d->halt_out[ep] = set;
                d->tog_out[ep] = USBDEV_DATA0;
            }
            if (!set) usbdev_wake(d);
            return 0;
        }
        return USBDEV_STALL;
    }
    default:
        return USBDEV_UNHANDLED;
    }
}

/* run the request: IN requests produce ctl_buf, OUT requests consume it */
static int usbdev_dispatch(usbdev_t *d)
{
    const usb_setup_t *s = &d->setup;
    int r = USBDEV_UNHANDLED;
    if ((s->bmRequestType & USB_TYPE_MASK) == USB_TYPE_STANDARD) {
        d->stats.std_requests++;
        r = usbdev_std(d, s, d->ctl_buf);
    } else {
        d->stats.class_requests++;
    }
    if (r == USBDEV_UNHANDLED && d->cls->control) r = d->cls->control(d, s, d->ctl_buf);
    if (r == USBDEV_UNHANDLED) {
        d->stats.unsupported_requests++;
        r = USBDEV_STALL;
    }
    return r;
}

int usbdev_setup(usbdev_t *d, const uint8_t *pkt, unsigned len)
{
    if (len != 8) {
        d->stats.protocol_errors++;
        return -1;
    }
    d->stats.setups++;
    d->setup.bmRequestType = pkt[0];
    d->setup.bRequest = pkt[1];
    d->setup.wValue = usbdev_get16(pkt + 2);
    d->setup.wIndex = usbdev_get16(pkt + 4);
    d->setup.wLength = usbdev_get16(pkt + 6);
    d->tog_in[0] = d->tog_out[0] = USBDEV_DATA1;
    d->ctl_pos = 0;
    d->ctl_len = 0;
    d->addr_pending = false;
    if (d->setup.bmRequestType & USB_DIR_IN) {
        int r = usbdev_dispatch(d);
        if (r < 0) {
            d->ctl = USBDEV_CTL_STALL;
            return 0;
        }
        unsigned n = (unsigned)r;
        if (n > d->setup.wLength) n = d->setup.wLength;
        d->ctl_len = n;
        d->ctl = USBDEV_CTL_DATA_IN;
    } else if (d->setup.wLength == 0) {
        d->ctl = usbdev_dispatch(d) < 0 ? USBDEV_CTL_STALL : USBDEV_CTL_STATUS_IN;
    } else if (d->setup.wLength > USBDEV_CTL_BUF) {
        d->stats.unsupported_requests++;
        d->ctl = USBDEV_CTL_STALL;
    } else {
        d->ctl = USBDEV_CTL_DATA_OUT;
    }
    return 0;
}

static int usbdev_ctl_in(usbdev_t *d, uint8_t *buf, unsigned max)
{
    switch (d->ctl) {
    case USBDEV_CTL_DATA_IN: {
        unsigned n = d->ctl_len - d->ctl_pos;
        if (n > max) n = max;
        memcpy(buf, d->ctl_buf + d->ctl_pos, n);
        d->ctl_pos += n;
        /* a short packet (or the wLength-th byte) ends the data stage; the host then
         * sends the status OUT; further INs repeat an empty packet */
        return (int)n;
    }
    case USBDEV_CTL_STATUS_IN:
        d->ctl = USBDEV_CTL_IDLE;
        if (d->addr_pending) { /* SET_ADDRESS takes effect after its status stage (9.4.6) */
            d->addr = d->new_addr;
            d->addr_pending = false;
        }
        return 0;
    case USBDEV_CTL_STALL:
        return USBDEV_STALL;
    default:
        d->stats.protocol_errors++;
        return USBDEV_STALL;
    }
}

static int usbdev_ctl_out(usbdev_t *d, const uint8_t *buf, unsigned len)
{
    switch (d->ctl) {
    case USBDEV_CTL_DATA_OUT: {
        unsigned room = d->setup.wLength - d->ctl_len;
        if (len > room) len = room;
        memcpy(d->ctl_buf + d->ctl_len, buf, len);
        d->ctl_len += len;
        if (d->ctl_len == d->setup.wLength) d->ctl = usbdev_dispatch(d) < 0 ? USBDEV_CTL_STALL : USBDEV_CTL_STATUS_IN;
        return 0;
    }
    case USBDEV_CTL_DATA_IN: /* status stage of an IN request (possibly early: allowed) */
        if (len) d->stats.protocol_errors++;
        d->ctl = USBDEV_CTL_IDLE;
        return 0;
    case USBDEV_CTL_STALL:
        return USBDEV_STALL;
    default:
        d->stats.protocol_errors++;
        return USBDEV_STALL;
    }
}

int usbdev_in(usbdev_t *d, unsigned ep, uint8_t *buf, unsigned max, unsigned *pid)
{
    int r;
    ep &= 0x0Fu;
    if (ep == 0) {
        r = usbdev_ctl_in(d, buf, max);
    } else if (!d->mps_in[ep]) {
        d->stats.protocol_errors++;
        r = USBDEV_STALL; /* no such endpoint: STALL, as QEMU's devices answer (counted) */
    } else if (d->halt_in[ep]) {
        r = USBDEV_STALL;
    } else {
        if (max > d->mps_in[ep]) max = d->mps_in[ep];
        r = d->cls->in ? d->cls->in(d, ep, buf, max) : USBDEV_STALL;
    }
    if (r == USBDEV_STALL) d->stats.stalls++;
    if (r == USBDEV_NAK) d->stats.naks++;
    if (r >= 0) {
        *pid = d->tog_in[ep];
        d->tog_in[ep] ^= 1u;
        d->stats.in_packets++;
        d->stats.in_bytes += (unsigned)r;
    }
    return r;
}

int usbdev_out(usbdev_t *d, unsigned ep, unsigned pid, const uint8_t *buf, unsigned len)
{
    int r;
    ep &= 0x0Fu;
    if (ep != 0 && (!d->mps_out[ep] || d->halt_out[ep])) {
        if (!d->mps_out[ep]) d->stats.protocol_errors++;
        d->stats.stalls++;
        return USBDEV_STALL;
    }
    if (ep == 0 && d->ctl == USBDEV_CTL_STALL) {
        d->stats.stalls++;
        return USBDEV_STALL;
    }
    if (pid != d->tog_out[ep]) { /* retransmission of a packet whose ACK was lost */
        d->stats.toggle_dups++;
        return 0;
    }
    r = ep == 0 ? usbdev_ctl_out(d, buf, len) : (d->cls->out ? d->cls->out(d, ep, buf, len) : USBDEV_STALL);
    if (r == USBDEV_STALL) d->stats.stalls++;
    if (r == USBDEV_NAK) d->stats.naks++;
    if (r >= 0) {
        d->tog_out[ep] ^= 1u;
        d->stats.out_packets++;
        d->stats.out_bytes += len;
    }
    return r;
}
