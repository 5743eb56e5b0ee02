/* USB hub class driver (USB 2.0 chapter 11): hub descriptor, configuration, port power,
 * port reset and enumeration of what is connected. Port status is polled with a bound at
 * enumeration time (no status-change endpoint: hot plug after boot is not handled). */
#include "hal/usb/usb.h"
#include "hal/systimer.h"
#include "bcm2835/usb.h"
#include "platform.h"
#include "err.h"

#define HUB_PORT_RESET_TIMEOUT_US 500000u
#define HUB_POLL_US               2000u
#define HUB_MAX_PORTS             15u
#define HUB_CONNECT_WAIT_US       100000u /* after power good: devices to show up */

#define HUB_RT_CLASS_OUT_PORT (USB_RT_TYPE_CLASS | USB_RT_RECIP_OTHER)
#define HUB_RT_CLASS_IN_PORT  (USB_RT_DIR_IN | USB_RT_TYPE_CLASS | USB_RT_RECIP_OTHER)
#define HUB_RT_CLASS_IN_DEV   (USB_RT_DIR_IN | USB_RT_TYPE_CLASS | USB_RT_RECIP_DEVICE)

static int hub_port_status(usb_device_t *h, unsigned port, uint16_t *status, uint16_t *change)
{
    uint8_t b[4];
    uint32_t got = 0;
    int rc = usb_control(h, HUB_RT_CLASS_IN_PORT, USB_HUB_REQ_GET_STATUS, 0, (uint16_t)port, b, 4, &got);
    if (rc)
        return rc;
    if (got < 4)
        return ERR_RANGE;
    *status = (uint16_t)(b[0] | b[1] << 8);
    *change = (uint16_t)(b[2] | b[3] << 8);
    return ERR_OK;
}

static int hub_port_feature(usb_device_t *h, uint8_t req, unsigned feature, unsigned port)
{
    return usb_control(h, HUB_RT_CLASS_OUT_PORT, req, (uint16_t)feature, (uint16_t)port, 0, 0, 0);
}

/* Resets `port`, waits (bounded) for C_PORT_RESET, returns the child's speed. */
static int hub_port_reset(usb_device_t *h, unsigned port, unsigned *speed)
{
    uint16_t st = 0, ch = 0;
    int rc = hub_port_feature(h, USB_HUB_REQ_SET_FEATURE, USB_HUB_PORT_RESET, port);
    if (rc)
        return rc;
    uint32_t t0 = st_now32();
    for (;;) {
        st_delay_us(HUB_POLL_US);
        if ((rc = hub_port_status(h, port, &st, &ch)))
            return rc;
        if ((ch & USB_HUB_PC_RESET) || !(st & USB_HUB_PS_RESET))
            break;
        if (st_now32() - t0 > HUB_PORT_RESET_TIMEOUT_US) {
            usb_stats.port_reset_timeouts++;
            return ERR_TIMEOUT;
        }
    }
    (void)hub_port_feature(h, USB_HUB_REQ_CLEAR_FEATURE, USB_HUB_C_PORT_RESET, port);
    (void)hub_port_feature(h, USB_HUB_REQ_CLEAR_FEATURE, USB_HUB_C_PORT_CONNECTION, port);
    if (!(st & USB_HUB_PS_ENABLE))
        return ERR_IO;
    *speed = (st & USB_HUB_PS_LOW_SPEED)    ? DWC2_SPEED_LOW
             : (st & USB_HUB_PS_HIGH_SPEED) ? DWC2_SPEED_HIGH
                                            : DWC2_SPEED_FULL;
    st_delay_us(USB_RESET_RECOVERY_MS * 1000u);
    return ERR_OK;
}

int usb_hub_probe(usb_device_t *h)
{
    uint8_t b[USB_DT_CONFIG_LEN + 32] __attribute__((aligned(4)));
    uint32_t got = 0;
    usb_hub_info_t hi;
    usb_config_info_t ci;
    size_t clen = 0;

    /* configuration 0 (a hub has exactly one) */
    static uint8_t cfg[128] __attribute__((aligned(4)));
    int rc = usb_get_config(h, 0, cfg, sizeof cfg, &clen);
    if (rc == ERR_OK && (rc = usb_desc_config(cfg, clen, &ci)))
        usb_stats.bad_descriptors++;
    if (rc == ERR_OK)
        rc = usb_set_configuration(h, ci.value);
    if (rc == ERR_OK)
        rc = usb_control(h, HUB_RT_CLASS_IN_DEV, USB_REQ_GET_DESCRIPTOR, USB_DT_HUB << 8, 0, b,
                         sizeof b, &got);
    if (rc == ERR_OK && (rc = usb_desc_hub(b, got, &hi)))
        usb_stats.bad_descriptors++;
    if (rc) {
        plat_log("usb: hub %u setup failed: %s", h->addr, err_str(rc));
        return rc;
    }
    h->nports = hi.nports > HUB_MAX_PORTS ? HUB_MAX_PORTS : hi.nports;
    for (unsigned p = 1; p <= h->nports; p++)
        (void)hub_port_feature(h, USB_HUB_REQ_SET_FEATURE, USB_HUB_PORT_POWER, p);
    st_delay_us(hi.pwr_on_2_good_ms * 1000u);

    int children = 0;
    uint32_t t0 = st_now32();
    for (unsigned p = 1; p <= h->nports; p++) {
        uint16_t st = 0, ch = 0;
        if (hub_port_status(h, p, &st, &ch))
            continue;
        /* the first port may need a moment after power good (bounded for all ports) */
        while (!(st & USB_HUB_PS_CONNECTION) && p == 1 && st_now32() - t0 < HUB_CONNECT_WAIT_US) {
            st_delay_us(HUB_POLL_US * 5u);
            if (hub_port_status(h, p, &st, &ch))
                break;
        }
        if (!(st & USB_HUB_PS_CONNECTION))
            continue;
        usb_stats.hub_ports_connected++;
        unsigned speed;
        if ((rc = hub_port_reset(h, p, &speed))) {
            plat_log("usb: hub %u port %u reset: %s", h->addr, p, err_str(rc));
            continue;
        }
        if (h->speed == DWC2_SPEED_HIGH && speed != DWC2_SPEED_HIGH) {
            /* needs split transactions (not implemented) */
            usb_stats.split_refused++;
            plat_log("usb: hub %u port %u: full/low-speed device behind a high-speed hub "
                     "needs split transactions (not supported)", h->addr, p);
            continue;
        }
        if (h->speed != DWC2_SPEED_HIGH && speed == DWC2_SPEED_LOW) {
            usb_stats.split_refused++;  /* PRE packets: not supported either */
            continue;
        }
        if (usb_enumerate_at(h->addr, (uint8_t)p, (uint8_t)(h->depth + 1), speed, 0) == ERR_OK)
            children++;
    }
    return children;
}
