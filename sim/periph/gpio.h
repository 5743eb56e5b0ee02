/* BCM2835 GPIO model (datasheet chapter 6): function select, output latches, levels,
 * edge/level event detection and the GPIO interrupt lines. */
#ifndef SIM_PERIPH_GPIO_H
#define SIM_PERIPH_GPIO_H
#include "core/sim.h"

typedef void (*bcm2835_gpio_out_fn)(void *opaque, unsigned pin, bool level);

typedef struct bcm2835_gpio {
    sim_t *sim;
    uint32_t fsel[6];
    uint64_t out;        /* output latches */
    uint64_t in;         /* levels driven from outside (links, tests) */
    uint64_t level;      /* current pin levels (outputs: latch, others: input) */
    uint64_t eds, ren, fen, hen, len, aren, afen;
    uint32_t pud, pudclk[2];
    bool irq_out[3];     /* GPIO0 (bank 0), GPIO1 (bank 1), GPIO3 (any bank) */
    bcm2835_gpio_out_fn out_fn;
    void *out_opaque;
    struct {
        uint64_t guest_errors, events;
    } stats;
} bcm2835_gpio_t;

extern const sim_dev_ops_t bcm2835_gpio_ops;
void bcm2835_gpio_init(bcm2835_gpio_t *s, sim_t *sim);
void bcm2835_gpio_reset(void *opaque);
/* drive an input pin from outside (a link, a test); takes effect on pins not in output */
void bcm2835_gpio_set_input(bcm2835_gpio_t *s, unsigned pin, bool level);
bool bcm2835_gpio_get_level(const bcm2835_gpio_t *s, unsigned pin);
unsigned bcm2835_gpio_get_function(const bcm2835_gpio_t *s, unsigned pin);
/* observer of output-pin level changes (LED, modem reset line...); one per GPIO block */
void bcm2835_gpio_set_output_hook(bcm2835_gpio_t *s, bcm2835_gpio_out_fn fn, void *opaque);
#endif
