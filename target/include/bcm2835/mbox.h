/* BCM2835 VideoCore mailbox 0 (base 0x2000B880) and the property-tag interface
 * (channel 8). Sources: datasheet (mailbox is undocumented there), the Raspberry Pi
 * firmware wiki "Mailbox property interface" (tags and clock ids). */
#ifndef BCM2835_MBOX_H
#define BCM2835_MBOX_H

#define BCM2835_MBOX_READ    0x00
#define BCM2835_MBOX_PEEK    0x10
#define BCM2835_MBOX_SENDER  0x14
#define BCM2835_MBOX_STATUS  0x18
#define BCM2835_MBOX_CONFIG  0x1C
#define BCM2835_MBOX_WRITE   0x20 /* mailbox 1 write register, ARM -> VC */
#define BCM2835_MBOX_SIZE    0x40
#define BCM2835_MBOX1_STATUS 0x38 /* status of the ARM -> VC mailbox */

#define BCM2835_MBOX_STATUS_FULL_BIT  (1u << 31)
#define BCM2835_MBOX_STATUS_EMPTY_BIT (1u << 30)
#define BCM2835_MBOX_CONFIG_IRQ_EN_BIT (1u << 0) /* data-available IRQ */
#define BCM2835_MBOX_CHAN_MASK 0xFu
#define BCM2835_MBOX_CHAN_PROP 8u /* property tags, ARM -> VC */

/* property buffer: u32 size, u32 code, tags..., u32 end tag (0); 16-byte aligned */
#define MBOX_PROP_REQUEST      0x00000000u
#define MBOX_PROP_RESPONSE_OK  0x80000000u
#define MBOX_PROP_RESPONSE_ERR 0x80000001u
#define MBOX_TAG_RESPONSE_BIT  (1u << 31) /* set in a tag's value-length word on reply */
#define MBOX_TAG_END                0x00000000u
#define MBOX_TAG_GET_FIRMWARE_REV   0x00000001u
#define MBOX_TAG_GET_BOARD_MODEL    0x00010001u
#define MBOX_TAG_GET_BOARD_REV      0x00010002u
#define MBOX_TAG_GET_BOARD_MAC      0x00010003u
#define MBOX_TAG_GET_BOARD_SERIAL   0x00010004u
#define MBOX_TAG_GET_ARM_MEMORY     0x00010005u
#define MBOX_TAG_GET_VC_MEMORY      0x00010006u
#define MBOX_TAG_GET_POWER_STATE    0x00020001u
#define MBOX_TAG_SET_POWER_STATE    0x00028001u
#define MBOX_TAG_GET_CLOCK_RATE     0x00030002u
#define MBOX_TAG_GET_MAX_CLOCK_RATE 0x00030004u
#define MBOX_TAG_SET_CLOCK_RATE     0x00038002u
#define MBOX_TAG_GET_TEMPERATURE    0x00030006u

#define MBOX_CLOCK_EMMC 1u
#define MBOX_CLOCK_UART 2u
#define MBOX_CLOCK_ARM  3u
#define MBOX_CLOCK_CORE 4u

#define MBOX_POWER_SD   0u
#define MBOX_POWER_USB  3u

/* Board revision codes (old style for Pi 1B rev 2 512 MB, new style for Pi Zero 1.3) */
#define BCM2835_REV_PI1B 0x0000000Eu
#define BCM2835_REV_PI0  0x00900093u

#endif
