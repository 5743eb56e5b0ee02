/* USB 2.0 hub model (chapter 11): hub descriptor, per-port power/reset/enable with
 * status and change bits, status-change interrupt endpoint 0x81. Downstream devices are
 * attached to ports before the guest runs; a device is reachable (usbdev_find) only
 * behind a powered, reset and enabled port.
 *
 * Timing: a port reset (SET_FEATURE PORT_RESET) lasts USBHUB_RESET_MS of simulated time
 * (USB 2.0 7.1.7.5: 10..20 ms driven by the hub), then the port is enabled, C_PORT_RESET
 * is set and the change endpoint reports it. Power is good bPwrOn2PwrGood * 2 ms after
 * PORT_POWER; the model reports the connection from the instant power is switched on
 * (drivers wait bPwrOn2PwrGood themselves). */
#ifndef SIM_PERIPH_USBDEV_HUB_H
#define SIM_PERIPH_USBDEV_HUB_H
#include "periph/usbdev.h"

#define USBHUB_MAX_PORTS 8u
#define USBHUB_RESET_MS 10u

/* wPortStatus / wPortChange bits (USB 2.0 11.24.2.7) */
#define USBHUB_PS_CONNECTION  0x0001u
#define USBHUB_PS_ENABLE      0x0002u
#define USBHUB_PS_SUSPEND     0x0004u
#define USBHUB_PS_OVERCURRENT 0x0008u
#define USBHUB_PS_RESET       0x0010u
#define USBHUB_PS_POWER       0x0100u
#define USBHUB_PS_LOW_SPEED   0x0200u
#define USBHUB_PS_HIGH_SPEED  0x0400u
#define USBHUB_PC_CONNECTION  0x0001u
#define USBHUB_PC_ENABLE      0x0002u
#define USBHUB_PC_SUSPEND     0x0004u
#define USBHUB_PC_OVERCURRENT 0x0008u
#define USBHUB_PC_RESET       0x0010u
/* port features (11.24.2) */
#define USBHUB_F_PORT_ENABLE        1u
#define USBHUB_F_PORT_SUSPEND       2u
#define USBHUB_F_PORT_RESET         4u
#define USBHUB_F_PORT_POWER         8u
#define USBHUB_F_C_PORT_CONNECTION  16u
#define USBHUB_F_C_PORT_ENABLE      17u
#define USBHUB_F_C_PORT_SUSPEND     18u
#define USBHUB_F_C_PORT_OVER_CURRENT 19u
#define USBHUB_F_C_PORT_RESET       20u
#define USBHUB_F_PORT_INDICATOR     22u

typedef struct usbdev_hub usbdev_hub_t;
typedef struct usbdev_hub_port {
    usbdev_hub_t *hub;
    unsigned n;                 /* 1-based */
    usbdev_t *dev;              /* attached device or NULL */
    uint16_t status, change;
    sim_timer_t reset_timer;
} usbdev_hub_port_t;

struct usbdev_hub {
    usbdev_t dev;
    usbdev_class_t cls;         /* per instance: nports differs */
    unsigned nports;
    uint8_t dev_desc[18];
    uint8_t cfg_desc[25];
    usbdev_hub_port_t port[USBHUB_MAX_PORTS];
    struct {
        uint64_t port_resets, status_reports, guest_errors;
    } stats;
};

/* speed: HIGH (a USB 2.0 hub with one transaction translator, as the LAN9512's) or FULL
 * (a USB 1.1 hub, as QEMU's usb-hub). */
void usbdev_hub_init(usbdev_hub_t *h, sim_t *sim, const char *name, usbdev_speed_t speed, unsigned nports,
                     uint16_t vid, uint16_t pid);
void usbdev_hub_fini(usbdev_hub_t *h);
/* attach a device to port p (1-based) before the guest runs; 0 or -1 */
int usbdev_hub_attach(usbdev_hub_t *h, unsigned port, usbdev_t *dev);
#endif
