/* USB core: enumeration (root port and hubs), descriptors, configuration, and polled
 * control transfers on the DWC2 (hal/usb/dwc2.h). Bulk and interrupt transfers go straight
 * to dwc2_xfer_start with the endpoints the class drivers take from here.
 *
 * Contexts: usb_init / enumeration: application level (bounded, every wait has a timeout;
 * ~100-300 ms with the USB reset times). usb_control: application or VMIO level, never
 * from an interrupt handler; one at a time (ERR_BUSY when another is running, counted). */
#ifndef HAL_USB_USB_H
#define HAL_USB_USB_H
#include <stddef.h>
#include <stdint.h>
#include "hal/usb/dwc2.h"
#include "hal/usb/usb_desc.h"

#define USB_MAX_DEVICES 8
#define USB_MAX_DEPTH   3        /* hub tiers below the root port */
#define USB_CTRL_BUF    512u     /* largest control data stage (configuration descriptors) */

typedef struct usb_device {
    uint8_t addr;
    uint8_t speed;               /* DWC2_SPEED_* */
    uint8_t parent;              /* hub address, 0 = root port */
    uint8_t port;                /* port on the parent hub (1..), 0 = root port */
    uint8_t depth;
    uint8_t is_hub;
    uint8_t nports;              /* hubs */
    uint8_t config;              /* bConfigurationValue set, 0 = unconfigured */
    usb_dev_desc_t desc;
    dwc2_ep_t ep0;
} usb_device_t;

typedef struct usb_stats {
    uint32_t enumerated, enum_failed, ctrl_xfers, ctrl_errors, ctrl_busy;
    uint32_t hub_ports_connected, port_reset_timeouts, split_refused, too_many_devices;
    uint32_t bad_descriptors;
} usb_stats_t;

/* Starts the controller, resets the root port and enumerates everything behind it
 * (hubs included). Returns the number of devices found, or a negative err. */
int usb_init(void);
/* One control transfer. data: host memory of len bytes (copied through an aligned DMA
 * buffer; len <= USB_CTRL_BUF). rt bit 7 gives the data direction. *actual may be NULL. */
int usb_control(usb_device_t *d, uint8_t rt, uint8_t req, uint16_t value, uint16_t index,
                void *data, uint16_t len, uint32_t *actual);
/* Configuration descriptor `index` in full into buf (cap bytes); *len = wTotalLength. */
int usb_get_config(usb_device_t *d, unsigned index, uint8_t *buf, size_t cap, size_t *len);
int usb_set_configuration(usb_device_t *d, uint8_t value);
int usb_set_interface(usb_device_t *d, uint8_t iface, uint8_t alt);
int usb_clear_halt(usb_device_t *d, uint8_t ep_addr);
/* String descriptor (language 0x0409) raw bytes. */
int usb_get_string(usb_device_t *d, uint8_t index, uint8_t *buf, size_t cap, size_t *len);
/* A dwc2 endpoint for endpoint `e` of device d (interval in frames/microframes, >= 1). */
void usb_ep_make(const usb_device_t *d, const usb_ep_info_t *e, dwc2_ep_t *out);

unsigned usb_device_count(void);
usb_device_t *usb_device_get(unsigned i);
void usb_get_stats(usb_stats_t *out);

/* hub.c: configures hub `h`, powers and resets its ports, enumerates the children
 * (usb_enumerate_at). Returns the number of children enumerated. */
int usb_hub_probe(usb_device_t *h);
/* usb.c: enumerates the device that was just reset on (parent, port). */
int usb_enumerate_at(uint8_t parent, uint8_t port, uint8_t depth, unsigned speed,
                     usb_device_t **out);
extern usb_stats_t usb_stats;

#endif
