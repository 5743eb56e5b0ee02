/* GPIO: function select, SET/CLR/LEV, edge and level detect, EDS write-1-clear, IRQs. */
#include "devtest.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/gpio.h"
#include "bcm2835/ic.h"
#include "periph/gpio.h"

#define G(off) (BCM2835_GPIO_BASE + (off))

static void test_output_set_clr_lev(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    wr(s, G(BCM2835_GPIO_FSEL0 + 4), BCM2835_GPIO_FSEL_OUTPUT << 18); /* pin 16 output */
    wr(s, G(BCM2835_GPIO_SET0), 1u << 16);
    CHECK(rd(s, G(BCM2835_GPIO_LEV0)) & (1u << 16));
    CHECK(bcm2835_gpio_get_level(soc_gpio(sim_soc(s)), 16));
    wr(s, G(BCM2835_GPIO_CLR0), 1u << 16);
    CHECK_EQ(rd(s, G(BCM2835_GPIO_LEV0)) & (1u << 16), 0);
    /* bank 1: pin 47 */
    wr(s, G(BCM2835_GPIO_FSEL0 + 16), BCM2835_GPIO_FSEL_OUTPUT << 21);
    wr(s, G(BCM2835_GPIO_SET1), 1u << 15);
    CHECK(rd(s, G(BCM2835_GPIO_LEV1)) & (1u << 15));
    CHECK_EQ(bcm2835_gpio_get_function(soc_gpio(sim_soc(s)), 47), BCM2835_GPIO_FSEL_OUTPUT);
    sim_free(s);
}

static void test_rising_falling_edges(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    bcm2835_gpio_t *g = soc_gpio(sim_soc(s));
    wr(s, BCM2835_IC_BASE + BCM2835_IC_ENABLE2, 1u << (BCM2835_IRQ_GPIO0 - 32));
    wr(s, G(BCM2835_GPIO_REN0), 1u << 17);
    bcm2835_gpio_set_input(g, 17, true);
    CHECK_EQ(rd(s, G(BCM2835_GPIO_EDS0)), 1u << 17);
    CHECK(dt_irq(s));
    CHECK_EQ(rd(s, BCM2835_IC_BASE + BCM2835_IC_PENDING2), 1u << (BCM2835_IRQ_GPIO0 - 32));
    wr(s, G(BCM2835_GPIO_EDS0), 1u << 17);
    CHECK_EQ(rd(s, G(BCM2835_GPIO_EDS0)), 0);
    CHECK(!dt_irq(s));
    bcm2835_gpio_set_input(g, 17, false); /* falling: not enabled */
    CHECK_EQ(rd(s, G(BCM2835_GPIO_EDS0)), 0);
    wr(s, G(BCM2835_GPIO_FEN0), 1u << 17);
    bcm2835_gpio_set_input(g, 17, true);
    bcm2835_gpio_set_input(g, 17, false);
    CHECK_EQ(rd(s, G(BCM2835_GPIO_EDS0)), 1u << 17);
    sim_free(s);
}

static void test_level_detect_persists(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    bcm2835_gpio_t *g = soc_gpio(sim_soc(s));
    bcm2835_gpio_set_input(g, 40, true);
    wr(s, G(BCM2835_GPIO_HEN1), 1u << 8);
    CHECK_EQ(rd(s, G(BCM2835_GPIO_EDS1)), 1u << 8);
    wr(s, G(BCM2835_GPIO_EDS1), 1u << 8); /* still high: set again */
    CHECK_EQ(rd(s, G(BCM2835_GPIO_EDS1)), 1u << 8);
    bcm2835_gpio_set_input(g, 40, false);
    wr(s, G(BCM2835_GPIO_EDS1), 1u << 8);
    CHECK_EQ(rd(s, G(BCM2835_GPIO_EDS1)), 0);
    sim_free(s);
}

static unsigned hook_calls, hook_pin;
static bool hook_level;
static void hook(void *opaque, unsigned pin, bool level)
{
    (void)opaque;
    hook_calls++;
    hook_pin = pin;
    hook_level = level;
}

static void test_output_hook(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI0);
    bcm2835_gpio_set_output_hook(soc_gpio(sim_soc(s)), hook, NULL);
    wr(s, G(BCM2835_GPIO_FSEL0 + 16), BCM2835_GPIO_FSEL_OUTPUT << 21); /* ACT LED, pin 47 */
    wr(s, G(BCM2835_GPIO_SET1), 1u << 15);
    CHECK_EQ(hook_calls, 1);
    CHECK_EQ(hook_pin, BCM2835_GPIO_PIN_ACT_PI0);
    CHECK(hook_level);
    wr(s, G(BCM2835_GPIO_SET1), 1u << 15); /* no change, no call */
    CHECK_EQ(hook_calls, 1);
    sim_free(s);
}

int main(void)
{
    RUN(test_output_set_clr_lev);
    RUN(test_rising_falling_edges);
    RUN(test_level_detect_persists);
    RUN(test_output_hook);
    return DT_RESULT();
}
