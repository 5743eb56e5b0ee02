/* BCM2835 GPIO (datasheet chapter 6): function select, set/clear, level. */
#include "hal/gpio.h"
#include "hal/mmio.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/gpio.h"
#include "boot/exc.h"
#include "err.h"

#define GPIO_BASE ((uintptr_t)BCM2835_GPIO_BASE)
#define GPIO_FSEL_PINS_PER_REG 10u
#define GPIO_FSEL_BITS 3u

int gpio_fsel(unsigned pin, unsigned fn)
{
    if (pin >= BCM2835_GPIO_NPINS || fn > BCM2835_GPIO_FSEL_MASK)
        return ERR_INVAL;
    uint32_t off = BCM2835_GPIO_FSEL0 + 4u * (pin / GPIO_FSEL_PINS_PER_REG);
    uint32_t shift = GPIO_FSEL_BITS * (pin % GPIO_FSEL_PINS_PER_REG);
    uint32_t flags = exc_irq_save(); /* read-modify-write shared by 10 pins */
    mmio_enter();
    mmio_modify32(GPIO_BASE, off, BCM2835_GPIO_FSEL_MASK << shift, fn << shift);
    mmio_leave();
    exc_irq_restore(flags);
    return ERR_OK;
}

static int gpio_write_bit(unsigned pin, uint32_t off0)
{
    if (pin >= BCM2835_GPIO_NPINS)
        return ERR_INVAL;
    mmio_enter();
    mmio_write32(GPIO_BASE, off0 + 4u * (pin / 32u), 1u << (pin % 32u));
    mmio_leave();
    return ERR_OK;
}

int gpio_set(unsigned pin) { return gpio_write_bit(pin, BCM2835_GPIO_SET0); }
int gpio_clear(unsigned pin) { return gpio_write_bit(pin, BCM2835_GPIO_CLR0); }

int gpio_level(unsigned pin)
{
    if (pin >= BCM2835_GPIO_NPINS)
        return ERR_INVAL;
    mmio_enter();
    uint32_t v = mmio_read32(GPIO_BASE, BCM2835_GPIO_LEV0 + 4u * (pin / 32u));
    mmio_leave();
    return (int)((v >> (pin % 32u)) & 1u);
}

int gpio_uart0_pins(void)
{
    int rc = gpio_fsel(BCM2835_GPIO_PIN_TXD, BCM2835_GPIO_FSEL_ALT0);
    if (rc)
        return rc;
    return gpio_fsel(BCM2835_GPIO_PIN_RXD, BCM2835_GPIO_FSEL_ALT0);
}
