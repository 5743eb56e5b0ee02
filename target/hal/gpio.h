/* BCM2835 GPIO driver (datasheet chapter 6). */
#ifndef HAL_GPIO_H
#define HAL_GPIO_H

int gpio_fsel(unsigned pin, unsigned fn); /* fn: BCM2835_GPIO_FSEL_* */
int gpio_set(unsigned pin);
int gpio_clear(unsigned pin);
int gpio_level(unsigned pin);             /* 0 or 1, or a negative error */
int gpio_uart0_pins(void);                /* GPIO14/15 -> ALT0 (PL011 TXD0/RXD0) */

#endif
