/* USB 2.0 standard requests and descriptors (USB 2.0 specification chapter 9, hub class
 * chapter 11), CDC 1.2 / ECM 1.2 class codes and the identifiers of the devices our class
 * drivers bind. Facts only; little-endian wire layouts are parsed byte by byte in
 * hal/usb/usb_desc.c, never through packed structs. Shared by the firmware and the
 * simulator's USB device models. */
#ifndef BCM2835_USB_H
#define BCM2835_USB_H

/* ---- setup packet (8 bytes): bmRequestType, bRequest, wValue, wIndex, wLength ------ */
#define USB_SETUP_LEN           8u
#define USB_RT_DIR_IN           0x80u
#define USB_RT_TYPE_STANDARD    0x00u
#define USB_RT_TYPE_CLASS       0x20u
#define USB_RT_TYPE_VENDOR      0x40u
#define USB_RT_RECIP_DEVICE     0x00u
#define USB_RT_RECIP_INTERFACE  0x01u
#define USB_RT_RECIP_ENDPOINT   0x02u
#define USB_RT_RECIP_OTHER      0x03u   /* hub class: a port */

#define USB_REQ_GET_STATUS        0x00u
#define USB_REQ_CLEAR_FEATURE     0x01u
#define USB_REQ_SET_FEATURE       0x03u
#define USB_REQ_SET_ADDRESS       0x05u
#define USB_REQ_GET_DESCRIPTOR    0x06u
#define USB_REQ_GET_CONFIGURATION 0x08u
#define USB_REQ_SET_CONFIGURATION 0x09u
#define USB_REQ_GET_INTERFACE     0x0Au
#define USB_REQ_SET_INTERFACE     0x0Bu
#define USB_FEATURE_ENDPOINT_HALT 0x00u

/* ---- descriptor types and fixed lengths -------------------------------------------- */
#define USB_DT_DEVICE           0x01u
#define USB_DT_CONFIG           0x02u
#define USB_DT_STRING           0x03u
#define USB_DT_INTERFACE        0x04u
#define USB_DT_ENDPOINT         0x05u
#define USB_DT_CS_INTERFACE     0x24u   /* CDC class-specific interface */
#define USB_DT_HUB              0x29u
#define USB_DT_DEVICE_LEN       18u
#define USB_DT_CONFIG_LEN       9u
#define USB_DT_INTERFACE_LEN    9u
#define USB_DT_ENDPOINT_LEN     7u
#define USB_DT_HUB_MIN_LEN      7u      /* up to 7 ports: + 1 removable + 1 power mask byte */

/* endpoint bEndpointAddress / bmAttributes */
#define USB_EP_DIR_IN           0x80u
#define USB_EP_NUM_MASK         0x0Fu
#define USB_EP_XFER_MASK        0x03u
#define USB_EP_XFER_CONTROL     0u
#define USB_EP_XFER_ISOC        1u
#define USB_EP_XFER_BULK        2u
#define USB_EP_XFER_INT         3u
#define USB_EP_MPS_MASK         0x07FFu

/* ---- classes ------------------------------------------------------------------------ */
#define USB_CLASS_PER_INTERFACE 0x00u
#define USB_CLASS_COMM          0x02u   /* CDC communications */
#define USB_CLASS_HUB           0x09u
#define USB_CLASS_CDC_DATA      0x0Au
#define USB_CLASS_VENDOR        0xFFu
#define USB_CDC_SUBCLASS_ECM    0x06u   /* Ethernet Networking Control Model */
#define USB_CDC_SUBCLASS_ACM    0x02u

/* CDC functional descriptors (bDescriptorSubtype of a CS_INTERFACE descriptor) */
#define USB_CDC_FD_HEADER       0x00u
#define USB_CDC_FD_UNION        0x06u
#define USB_CDC_FD_ETHERNET     0x0Fu   /* ECM 1.2 table 3: 13 bytes, iMACAddress at 3 */
#define USB_CDC_FD_ETHERNET_LEN 13u

/* CDC class requests (ECM 1.2 section 6.2) and notifications (section 6.3) */
#define USB_CDC_SET_ETHERNET_PACKET_FILTER 0x43u
#define  USB_CDC_PACKET_TYPE_PROMISCUOUS   (1u << 0)
#define  USB_CDC_PACKET_TYPE_ALL_MULTICAST (1u << 1)
#define  USB_CDC_PACKET_TYPE_DIRECTED      (1u << 2)
#define  USB_CDC_PACKET_TYPE_BROADCAST     (1u << 3)
#define  USB_CDC_PACKET_TYPE_MULTICAST     (1u << 4)
#define USB_CDC_NOTIFY_NETWORK_CONNECTION  0x00u  /* wValue 1 = connected */
#define USB_CDC_NOTIFY_SPEED_CHANGE        0x2Au
#define USB_CDC_NOTIFY_HDR_LEN             8u

/* ---- hub class (USB 2.0 chapter 11.24) ---------------------------------------------- */
#define USB_HUB_REQ_GET_STATUS    0x00u
#define USB_HUB_REQ_CLEAR_FEATURE 0x01u
#define USB_HUB_REQ_SET_FEATURE   0x03u
#define USB_HUB_PORT_CONNECTION   0u      /* port feature selectors */
#define USB_HUB_PORT_ENABLE       1u
#define USB_HUB_PORT_RESET        4u
#define USB_HUB_PORT_POWER        8u
#define USB_HUB_C_PORT_CONNECTION 16u
#define USB_HUB_C_PORT_ENABLE     17u
#define USB_HUB_C_PORT_RESET      20u
/* wPortStatus bits */
#define USB_HUB_PS_CONNECTION     (1u << 0)
#define USB_HUB_PS_ENABLE         (1u << 1)
#define USB_HUB_PS_RESET          (1u << 4)
#define USB_HUB_PS_POWER          (1u << 8)
#define USB_HUB_PS_LOW_SPEED      (1u << 9)
#define USB_HUB_PS_HIGH_SPEED     (1u << 10)
/* wPortChange bits */
#define USB_HUB_PC_CONNECTION     (1u << 0)
#define USB_HUB_PC_RESET          (1u << 4)

/* ---- timing (USB 2.0 7.1.7.3 / 7.1.7.5 / 9.2.6.3) ----------------------------------- */
#define USB_RESET_ROOT_MS         50u     /* TDRSTR: root port reset */
#define USB_RESET_RECOVERY_MS     10u     /* TRSTRCY */
#define USB_SET_ADDRESS_RECOVERY_MS 2u    /* TDSETADDR */
#define USB_ATTACH_DEBOUNCE_MS    100u    /* TATTDB */

/* ---- devices our class drivers know ------------------------------------------------ */
#define USB_VID_SMSC            0x0424u
#define USB_PID_SMSC_LAN9512    0xEC00u   /* Ethernet function of the LAN9512/9514 */
#define USB_PID_SMSC_LAN9512_HUB 0x9512u
#define USB_PID_SMSC_LAN9514_HUB 0x9514u
#define USB_VID_NETCHIP         0x0525u   /* QEMU usb-net (CDC Ethernet + RNDIS) */
#define USB_PID_NETCHIP_RNDIS_ETH 0xA4A2u

#endif
