/* BCM2835 GPIO, datasheet chapter 6 (base 0x20200000). 54 pins in two banks. */
#ifndef BCM2835_GPIO_H
#define BCM2835_GPIO_H

#define BCM2835_GPIO_FSEL0   0x00 /* ..FSEL5 at 0x14: 3 bits per pin, 10 pins a register */
#define BCM2835_GPIO_SET0    0x1C
#define BCM2835_GPIO_SET1    0x20
#define BCM2835_GPIO_CLR0    0x28
#define BCM2835_GPIO_CLR1    0x2C
#define BCM2835_GPIO_LEV0    0x34
#define BCM2835_GPIO_LEV1    0x38
#define BCM2835_GPIO_EDS0    0x40 /* event detect status, write 1 to clear */
#define BCM2835_GPIO_EDS1    0x44
#define BCM2835_GPIO_REN0    0x4C /* rising edge detect enable */
#define BCM2835_GPIO_REN1    0x50
#define BCM2835_GPIO_FEN0    0x58 /* falling edge */
#define BCM2835_GPIO_FEN1    0x5C
#define BCM2835_GPIO_HEN0    0x64 /* high level */
#define BCM2835_GPIO_HEN1    0x68
#define BCM2835_GPIO_LEN0    0x70 /* low level */
#define BCM2835_GPIO_LEN1    0x74
#define BCM2835_GPIO_AREN0   0x7C /* asynchronous rising edge */
#define BCM2835_GPIO_AREN1   0x80
#define BCM2835_GPIO_AFEN0   0x88 /* asynchronous falling edge */
#define BCM2835_GPIO_AFEN1   0x8C
#define BCM2835_GPIO_PUD     0x94
#define BCM2835_GPIO_PUDCLK0 0x98
#define BCM2835_GPIO_PUDCLK1 0x9C
#define BCM2835_GPIO_SIZE    0xB4
#define BCM2835_GPIO_NPINS   54

#define BCM2835_GPIO_FSEL_INPUT  0u
#define BCM2835_GPIO_FSEL_OUTPUT 1u
#define BCM2835_GPIO_FSEL_ALT0   4u
#define BCM2835_GPIO_FSEL_ALT1   5u
#define BCM2835_GPIO_FSEL_ALT2   6u
#define BCM2835_GPIO_FSEL_ALT3   7u
#define BCM2835_GPIO_FSEL_ALT4   3u
#define BCM2835_GPIO_FSEL_ALT5   2u
#define BCM2835_GPIO_FSEL_MASK   7u

/* GPIO14/15: TXD0/RXD0 in ALT0 (PL011), TXD1/RXD1 in ALT5 (mini UART) */
#define BCM2835_GPIO_PIN_TXD 14
#define BCM2835_GPIO_PIN_RXD 15
/* Activity LED: GPIO16 active low on Pi 1B rev 2, GPIO47 active low on Pi Zero */
#define BCM2835_GPIO_PIN_ACT_PI1B 16
#define BCM2835_GPIO_PIN_ACT_PI0  47

#endif
