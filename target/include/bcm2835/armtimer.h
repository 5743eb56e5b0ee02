/* BCM2835 ARM timer (SP804 derivative), datasheet chapter 14 (base 0x2000B400).
 * Clocked from the APB clock (250 MHz) divided by PREDIV+1. QEMU raspi0 does not
 * model it (unimplemented stub): portable firmware uses the system timer instead. */
#ifndef BCM2835_ARMTIMER_H
#define BCM2835_ARMTIMER_H

#define BCM2835_ARMT_LOAD    0x00
#define BCM2835_ARMT_VALUE   0x04
#define BCM2835_ARMT_CONTROL 0x08
#define BCM2835_ARMT_IRQCLR  0x0C
#define BCM2835_ARMT_RAWIRQ  0x10
#define BCM2835_ARMT_MSKIRQ  0x14
#define BCM2835_ARMT_RELOAD  0x18
#define BCM2835_ARMT_PREDIV  0x1C
#define BCM2835_ARMT_FREECNT 0x20
#define BCM2835_ARMT_SIZE    0x24

#define BCM2835_ARMT_CTRL_32BIT_BIT     (1u << 1)
#define BCM2835_ARMT_CTRL_PRESCALE_SHIFT 2       /* 0: /1, 1: /16, 2: /256 */
#define BCM2835_ARMT_CTRL_PRESCALE_MASK (3u << 2)
#define BCM2835_ARMT_CTRL_IE_BIT        (1u << 5)
#define BCM2835_ARMT_CTRL_ENABLE_BIT    (1u << 7)
#define BCM2835_ARMT_CTRL_FREE_EN_BIT   (1u << 9)
#define BCM2835_ARMT_CTRL_FREE_DIV_SHIFT 16
#define BCM2835_ARMT_CTRL_FREE_DIV_MASK (0xFFu << 16)
#define BCM2835_ARMT_CTRL_RESET         0x003E0020u
#define BCM2835_ARMT_PREDIV_RESET       0x7Du

#endif
