/* USB device framework of the simulator: what the DWC2 host controller model talks to.
 *
 * Packet level, as on the wire: the host model issues one transaction at a time
 * (usbdev_setup / usbdev_in / usbdev_out) to the device found by address
 * (usbdev_find, through hubs), at the simulated instant the transaction ends.
 *
 * The framework owns the default control pipe of every device: it parses SETUP packets,
 * runs the data and status stages, answers the standard requests (GET_DESCRIPTOR of the
 * device/configuration/string descriptors, SET_ADDRESS (effective after the status
 * stage), GET/SET_CONFIGURATION, GET/SET_INTERFACE, GET_STATUS, CLEAR/SET_FEATURE
 * ENDPOINT_HALT) and passes every other request to the device class (usbdev_class_t
 * .control). An unsupported request STALLs its data or status stage; the next SETUP
 * clears the stall (USB 2.0 8.5.3.4).
 *
 * Data toggles are tracked per endpoint on the device side, as a real device does: an
 * OUT packet with the wrong toggle is ACKed and discarded (a retransmission), an IN
 * packet carries the device's toggle and the host checks it. SETUP resets the control
 * endpoint to DATA1; SET_CONFIGURATION, SET_INTERFACE and CLEAR_FEATURE(ENDPOINT_HALT)
 * reset data endpoints to DATA0 (USB 2.0 9.4.5, 9.4.10).
 *
 * A device that has new data for an IN endpoint (or room for OUT data it NAKed) calls
 * usbdev_wake(): the host retries the transfers it parked on a NAK. */
#ifndef SIM_PERIPH_USBDEV_H
#define SIM_PERIPH_USBDEV_H
#include "core/sim.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* transaction results (non-negative: bytes transferred / ACK) */
#define USBDEV_NAK       (-1)
#define USBDEV_STALL     (-2)
#define USBDEV_UNHANDLED (-3)   /* class control hook: let the framework decide (STALL) */

#define USBDEV_MAX_EP    16u
#define USBDEV_MAX_IFACE 4u
#define USBDEV_CTL_BUF   1024u  /* longest control data stage the models produce/accept */
#define USBDEV_MAX_CFG   2u

/* speeds, encoded as DWC2 HPRT0.SPD (DWC2_SPEED_*) */
typedef enum { USBDEV_SPEED_HIGH = 0, USBDEV_SPEED_FULL = 1, USBDEV_SPEED_LOW = 2 } usbdev_speed_t;

/* token PIDs as the host model passes them (DATA0/DATA1 = HCTSIZ.PID encodings) */
#define USBDEV_DATA0 0u
#define USBDEV_DATA1 1u

/* standard requests and descriptor types (USB 2.0 chapter 9) */
#define USB_REQ_GET_STATUS        0x00u
#define USB_REQ_CLEAR_FEATURE     0x01u
#define USB_REQ_SET_FEATURE       0x03u
#define USB_REQ_SET_ADDRESS       0x05u
#define USB_REQ_GET_DESCRIPTOR    0x06u
#define USB_REQ_SET_DESCRIPTOR    0x07u
#define USB_REQ_GET_CONFIGURATION 0x08u
#define USB_REQ_SET_CONFIGURATION 0x09u
#define USB_REQ_GET_INTERFACE     0x0Au
#define USB_REQ_SET_INTERFACE     0x0Bu
#define USB_DT_DEVICE             0x01u
#define USB_DT_CONFIG             0x02u
#define USB_DT_STRING             0x03u
#define USB_DT_INTERFACE          0x04u
#define USB_DT_ENDPOINT           0x05u
#define USB_DT_DEVICE_QUALIFIER   0x06u
#define USB_DT_HUB                0x29u
#define USB_DIR_IN                0x80u
#define USB_TYPE_MASK             0x60u
#define USB_TYPE_STANDARD         0x00u
#define USB_TYPE_CLASS            0x20u
#define USB_TYPE_VENDOR           0x40u
#define USB_RECIP_MASK            0x1Fu
#define USB_RECIP_DEVICE          0x00u
#define USB_RECIP_INTERFACE       0x01u
#define USB_RECIP_ENDPOINT        0x02u
#define USB_RECIP_OTHER           0x03u
#define USB_FEAT_ENDPOINT_HALT    0u
#define USB_FEAT_REMOTE_WAKEUP    1u

typedef struct usb_setup {
    uint8_t bmRequestType, bRequest;
    uint16_t wValue, wIndex, wLength;
} usb_setup_t;

typedef struct usbdev usbdev_t;

typedef struct usbdev_class {
    /* Class/vendor request, or a standard request the framework does not know (e.g. the
     * hub class descriptor). IN: write up to wLength bytes to data (USBDEV_CTL_BUF room),
     * return the count. OUT: data holds the wLength bytes of the data stage. Return >= 0,
     * USBDEV_STALL, or USBDEV_UNHANDLED (= STALL, counted as unsupported). */
    int (*control)(usbdev_t *d, const usb_setup_t *s, uint8_t *data);
    /* IN transaction on a non-control endpoint (1..15): up to max bytes into buf; return
     * the count (< max ends the transfer), USBDEV_NAK or USBDEV_STALL. Called only for
     * endpoints the active configuration/alternate settings declare. */
    int (*in)(usbdev_t *d, unsigned ep, uint8_t *buf, unsigned max);
    /* OUT transaction: len bytes (<= max packet size); 0 (ACK), USBDEV_NAK, USBDEV_STALL */
    int (*out)(usbdev_t *d, unsigned ep, const uint8_t *buf, unsigned len);
    /* bus reset seen by this device (after the framework reset address/config) */
    void (*bus_reset)(usbdev_t *d);
    /* configuration (0 = unconfigured) or an alternate setting changed */
    void (*configured)(usbdev_t *d);
    /* SET_CONFIGURATION(value) of a declared configuration: 0 accepted, USBDEV_STALL if
     * the model does not implement it (NULL: all accepted) */
    int (*set_config)(usbdev_t *d, unsigned value);
    /* SET_INTERFACE(iface, alt): 0 accepted, USBDEV_STALL if no such setting */
    int (*set_interface)(usbdev_t *d, unsigned iface, unsigned alt);
    /* hubs: the device behind downstream port p (1-based) if that port is enabled */
    usbdev_t *(*child)(usbdev_t *d, unsigned port);
    unsigned nports;
} usbdev_class_t;

typedef struct usbdev_stats {
    uint64_t setups, std_requests, class_requests, unsupported_requests;
    uint64_t stalls, naks, in_packets, out_packets, in_bytes, out_bytes;
    uint64_t toggle_dups;       /* OUT packets with a repeated toggle, ACKed and dropped */
    uint64_t protocol_errors;   /* packets out of the control-stage sequence */
} usbdev_stats_t;

struct usbdev {
    const usbdev_class_t *cls;
    void *opaque;                       /* the model that embeds this device */
    sim_t *sim;
    const char *name;
    usbdev_speed_t speed;
    uint8_t addr, new_addr;             /* new_addr applied after the SET_ADDRESS status stage */
    bool addr_pending;
    uint8_t config;                     /* 0 = unconfigured */
    uint8_t alt[USBDEV_MAX_IFACE];
    bool remote_wakeup, self_powered;
    /* descriptors (owned by the model, constant) */
    const uint8_t *dev_desc;            /* 18 bytes */
    const uint8_t *cfg_desc;            /* configuration index 0, wTotalLength bytes */
    const uint8_t *cfg_more[USBDEV_MAX_CFG - 1]; /* further configurations (index 1..), or NULL */
    const char *const *strings;         /* strings[i] = string descriptor i + 1 (ASCII) */
    unsigned nstrings;
    /* endpoints present in the current configuration/alt settings (set by the model in
     * .configured): max packet size, 0 = absent */
    uint16_t mps_in[USBDEV_MAX_EP], mps_out[USBDEV_MAX_EP];
    bool halt_in[USBDEV_MAX_EP], halt_out[USBDEV_MAX_EP];
    uint8_t tog_in[USBDEV_MAX_EP], tog_out[USBDEV_MAX_EP];
    /* control pipe */
    enum { USBDEV_CTL_IDLE, USBDEV_CTL_DATA_IN, USBDEV_CTL_DATA_OUT, USBDEV_CTL_STATUS_IN,
           USBDEV_CTL_STATUS_OUT, USBDEV_CTL_STALL } ctl;
    usb_setup_t setup;
    uint8_t ctl_buf[USBDEV_CTL_BUF];
    unsigned ctl_len, ctl_pos;
    /* topology */
    usbdev_t *parent;                   /* hub, or NULL on the root port */
    unsigned port;                      /* port of the parent hub (1-based) */
    void (*host_wake)(void *host, usbdev_t *d);  /* set on the root device by the host */
    void *host;
    usbdev_stats_t stats;
};

/* Initialise the common part. mps0 = bMaxPacketSize0 is taken from dev_desc[7]. */
void usbdev_init(usbdev_t *d, sim_t *sim, const char *name, usbdev_speed_t speed, const usbdev_class_t *cls,
                 void *opaque, const uint8_t *dev_desc, const uint8_t *cfg_desc, const char *const *strings,
                 unsigned nstrings);
/* Bus reset (port reset): address 0, unconfigured, control pipe idle, class hook. */
void usbdev_bus_reset(usbdev_t *d);

/* ---- host side ---------------------------------------------------------------------- */
/* The reachable device with address addr below root (root itself, then depth-first
 * through enabled hub ports), or NULL. */
usbdev_t *usbdev_find(usbdev_t *root, uint8_t addr);
/* SETUP transaction (8 bytes, DATA0): always ACKed by a device (returns 0), -1 when the
 * packet is not 8 bytes long (a host error: the device ignores it). */
int usbdev_setup(usbdev_t *d, const uint8_t *pkt, unsigned len);
/* IN transaction: up to max bytes; *pid gets the device's toggle (USBDEV_DATA0/1).
 * Returns bytes, USBDEV_NAK or USBDEV_STALL. The host ACKs every data packet it
 * receives intact, even one with an unexpected toggle (it then drops the data, USB 2.0
 * 8.6.4), so the device advances its toggle whenever it returns data. */
int usbdev_in(usbdev_t *d, unsigned ep, uint8_t *buf, unsigned max, unsigned *pid);
/* OUT transaction with toggle pid: 0 (ACK), USBDEV_NAK or USBDEV_STALL. */
int usbdev_out(usbdev_t *d, unsigned ep, unsigned pid, const uint8_t *buf, unsigned len);
/* max packet size of an endpoint as the device declares it (0 = not present) */
unsigned usbdev_mps(const usbdev_t *d, unsigned ep, bool in);

/* ---- device side ------------------------------------------------------------------------ */
/* New data for an IN endpoint / room for OUT data: the host retries NAKed transfers. */
void usbdev_wake(usbdev_t *d);
/* Reset the toggles and halts of the data endpoints (after SET_CONFIGURATION etc.). */
void usbdev_reset_endpoints(usbdev_t *d);
/* Build the device descriptor fields that vary per model (helpers for the models). */
void usbdev_put16(uint8_t *p, uint16_t v);
uint16_t usbdev_get16(const uint8_t *p);
uint32_t usbdev_get32(const uint8_t *p);
void usbdev_put32(uint8_t *p, uint32_t v);
#endif
