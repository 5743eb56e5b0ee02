/* BCM2835 ARM interrupt controller, datasheet section 7.5 (base 0x2000B200). */
#ifndef BCM2835_IC_H
#define BCM2835_IC_H

#define BCM2835_IC_BASIC_PENDING  0x00
#define BCM2835_IC_PENDING1       0x04
#define BCM2835_IC_PENDING2       0x08
#define BCM2835_IC_FIQ_CONTROL    0x0C
#define BCM2835_IC_ENABLE1        0x10
#define BCM2835_IC_ENABLE2        0x14
#define BCM2835_IC_ENABLE_BASIC   0x18
#define BCM2835_IC_DISABLE1       0x1C
#define BCM2835_IC_DISABLE2       0x20
#define BCM2835_IC_DISABLE_BASIC  0x24
#define BCM2835_IC_SIZE           0x28

/* basic pending bits 0..7: ARM peripherals (timer, mailbox, doorbells, GPU halts, access errors) */
#define BCM2835_IC_BASIC_ARM_TIMER_BIT (1u << 0)
#define BCM2835_IC_BASIC_ARM_MBOX_BIT  (1u << 1)
#define BCM2835_IC_BASIC_DB0_BIT       (1u << 2)
#define BCM2835_IC_BASIC_DB1_BIT       (1u << 3)
#define BCM2835_IC_BASIC_ARM_MASK      0xFFu
#define BCM2835_IC_BASIC_PEND1_BIT     (1u << 8) /* something pending in PENDING1 */
#define BCM2835_IC_BASIC_PEND2_BIT     (1u << 9) /* something pending in PENDING2 */
/* basic pending bits 10..20 mirror these GPU interrupts (shortcuts) */
#define BCM2835_IC_BASIC_SHORTCUT_FIRST 10
#define BCM2835_IC_BASIC_SHORTCUTS {7, 9, 10, 18, 19, 53, 54, 55, 56, 57, 62}
#define BCM2835_IC_BASIC_NSHORTCUTS 11
/* The pending-1/2 summary bits do not include GPU IRQs that have a shortcut bit. */

/* FIQ control: source 0..63 GPU, 64..71 ARM basic sources, bit 7 enables. */
#define BCM2835_IC_FIQ_SOURCE_MASK 0x7Fu
#define BCM2835_IC_FIQ_ENABLE_BIT  (1u << 7)

#endif
