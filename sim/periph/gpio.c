/* BCM2835 GPIO, datasheet chapter 6.
 *
 * Pin level = output latch for pins in FSEL output, else the externally driven input
 * level (power-on pulls: GPIO0..8 high, others low, datasheet table 6-31). Event detect:
 * rising/falling (synchronous and asynchronous enables behave the same here: there is
 * no sampling clock in the model) set EDS on the matching transition; high/low detect
 * set EDS while the level persists (so clearing EDS with the level still present sets
 * it again, as on the chip). EDS is write-1-to-clear. Interrupts: GPIO0 (source 49) for
 * bank 0 (pins 0..31), GPIO1 (50) for bank 1 (32..53), and GPIO3 (52), which Linux
 * documents as the OR of all banks; each is EDS of its bank != 0. */
#include "periph/gpio.h"
#include "periph/periph.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/gpio.h"

#define GPIO_NAME "gpio"
#define GPIO_PIN_MASK ((1ull << BCM2835_GPIO_NPINS) - 1)
#define GPIO_BANK0 0xFFFFFFFFull
#define GPIO_RESET_INPUT 0x1FFull /* GPIO0..8 pulled high at power-on */

static void gpio_update_irq(bcm2835_gpio_t *s)
{
    bool lv[3] = { (s->eds & GPIO_BANK0) != 0, (s->eds >> 32) != 0, s->eds != 0 };
    static const unsigned src[3] = { BCM2835_IRQ_GPIO0, BCM2835_IRQ_GPIO1, BCM2835_IRQ_GPIO3 };
    for (unsigned i = 0; i < 3; i++) {
        if (lv[i] != s->irq_out[i]) {
            s->irq_out[i] = lv[i];
            sim_irq_set(s->sim, src[i], lv[i]);
        }
    }
}

static uint64_t gpio_output_mask(const bcm2835_gpio_t *s)
{
    uint64_t m = 0;
    for (unsigned pin = 0; pin < BCM2835_GPIO_NPINS; pin++)
        if (((s->fsel[pin / 10] >> ((pin % 10) * 3)) & BCM2835_GPIO_FSEL_MASK) == BCM2835_GPIO_FSEL_OUTPUT)
            m |= 1ull << pin;
    return m;
}

/* recompute pin levels, detect events, drive the IRQ lines */
static void gpio_update(bcm2835_gpio_t *s)
{
    uint64_t om = gpio_output_mask(s);
    uint64_t nl = ((s->out & om) | (s->in & ~om)) & GPIO_PIN_MASK;
    uint64_t rise = nl & ~s->level, fall = ~nl & s->level & GPIO_PIN_MASK;
    uint64_t ev = (rise & (s->ren | s->aren)) | (fall & (s->fen | s->afen)) | (nl & s->hen) |
                  (~nl & GPIO_PIN_MASK & s->len);
    uint64_t changed_out = (nl ^ s->level) & om;
    s->level = nl;
    if (ev & ~s->eds) s->stats.events++;
    s->eds |= ev;
    gpio_update_irq(s);
    if (s->out_fn && changed_out) {
        for (unsigned pin = 0; pin < BCM2835_GPIO_NPINS; pin++)
            if (changed_out & (1ull << pin)) s->out_fn(s->out_opaque, pin, (nl >> pin) & 1);
    }
}

static uint32_t gpio_bank(uint64_t v, unsigned bank) { return bank ? (uint32_t)(v >> 32) : (uint32_t)v; }

static void gpio_bank_set(uint64_t *v, unsigned bank, uint32_t val)
{
    uint64_t m = bank ? (GPIO_PIN_MASK & ~GPIO_BANK0) : GPIO_BANK0;
    uint64_t nv = bank ? ((uint64_t)val << 32) : val;
    *v = (*v & ~m) | (nv & m);
}

/* register -> (bank, pointer) for the two-bank event registers */
static uint64_t *gpio_event_reg(bcm2835_gpio_t *s, uint32_t off, unsigned *bank)
{
    static const uint32_t first[] = { BCM2835_GPIO_REN0, BCM2835_GPIO_FEN0, BCM2835_GPIO_HEN0,
                                      BCM2835_GPIO_LEN0, BCM2835_GPIO_AREN0, BCM2835_GPIO_AFEN0 };
    uint64_t *regs[] = { &s->ren, &s->fen, &s->hen, &s->len, &s->aren, &s->afen };
    for (unsigned i = 0; i < 6; i++) {
        if (off == first[i] || off == first[i] + 4) {
            *bank = off == first[i] + 4;
            return regs[i];
        }
    }
    return NULL;
}

static uint32_t gpio_read(void *opaque, uint32_t off, unsigned size)
{
    bcm2835_gpio_t *s = opaque;
    uint32_t woff = periph_word_off(off), r = 0;
    unsigned bank;
    uint64_t *ev;
    if (size != 4) PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, GPIO_NAME, "%u-byte read at 0x%02x", size, off);
    if (woff <= BCM2835_GPIO_FSEL0 + 5 * 4) r = s->fsel[woff / 4];
    else if (woff == BCM2835_GPIO_LEV0 || woff == BCM2835_GPIO_LEV1) r = gpio_bank(s->level, woff == BCM2835_GPIO_LEV1);
    else if (woff == BCM2835_GPIO_EDS0 || woff == BCM2835_GPIO_EDS1) r = gpio_bank(s->eds, woff == BCM2835_GPIO_EDS1);
    else if ((ev = gpio_event_reg(s, woff, &bank)) != NULL) r = gpio_bank(*ev, bank);
    else if (woff == BCM2835_GPIO_PUD) r = s->pud;
    else if (woff == BCM2835_GPIO_PUDCLK0 || woff == BCM2835_GPIO_PUDCLK1) r = s->pudclk[woff == BCM2835_GPIO_PUDCLK1];
    else if (woff == BCM2835_GPIO_SET0 || woff == BCM2835_GPIO_SET1 || woff == BCM2835_GPIO_CLR0 || woff == BCM2835_GPIO_CLR1)
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, GPIO_NAME, "read of write-only 0x%02x", woff);
    else PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, GPIO_NAME, "read of unknown offset 0x%02x", off);
    return periph_sub_read(r, off, size);
}

static void gpio_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    bcm2835_gpio_t *s = opaque;
    unsigned bank;
    uint64_t *ev;
    if (size != 4) {
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, GPIO_NAME, "%u-byte write at 0x%02x ignored", size, off);
        return;
    }
    if (off <= BCM2835_GPIO_FSEL0 + 5 * 4) {
        /* FSEL5 holds pins 50..53 only */
        s->fsel[off / 4] = val & (off == BCM2835_GPIO_FSEL0 + 5 * 4 ? 0xFFFu : 0x3FFFFFFFu);
    } else if (off == BCM2835_GPIO_SET0 || off == BCM2835_GPIO_SET1) {
        uint64_t cur = s->out;
        gpio_bank_set(&cur, off == BCM2835_GPIO_SET1, gpio_bank(s->out, off == BCM2835_GPIO_SET1) | val);
        s->out = cur;
    } else if (off == BCM2835_GPIO_CLR0 || off == BCM2835_GPIO_CLR1) {
        uint64_t cur = s->out;
        gpio_bank_set(&cur, off == BCM2835_GPIO_CLR1, gpio_bank(s->out, off == BCM2835_GPIO_CLR1) & ~val);
        s->out = cur;
    } else if (off == BCM2835_GPIO_EDS0 || off == BCM2835_GPIO_EDS1) {
        uint64_t clr = 0;
        gpio_bank_set(&clr, off == BCM2835_GPIO_EDS1, val);
        s->eds &= ~clr;
    } else if ((ev = gpio_event_reg(s, off, &bank)) != NULL) {
        gpio_bank_set(ev, bank, val);
    } else if (off == BCM2835_GPIO_PUD) {
        s->pud = val & 3u;
    } else if (off == BCM2835_GPIO_PUDCLK0 || off == BCM2835_GPIO_PUDCLK1) {
        /* pull-up/down clocking is accepted; pulls are not modelled beyond the reset levels */
        s->pudclk[off == BCM2835_GPIO_PUDCLK1] = val;
    } else if (off == BCM2835_GPIO_LEV0 || off == BCM2835_GPIO_LEV1) {
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, GPIO_NAME, "write 0x%08x to read-only LEV", val);
        return;
    } else {
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, GPIO_NAME, "write 0x%08x to unknown offset 0x%02x", val, off);
        return;
    }
    gpio_update(s);
}

static void gpio_reset_regs(bcm2835_gpio_t *s)
{
    for (unsigned i = 0; i < 6; i++) s->fsel[i] = 0;
    s->out = 0;
    s->eds = s->ren = s->fen = s->hen = s->len = s->aren = s->afen = 0;
    s->pud = s->pudclk[0] = s->pudclk[1] = 0;
    s->level = s->in & GPIO_PIN_MASK;
}

void bcm2835_gpio_reset(void *opaque)
{
    bcm2835_gpio_t *s = opaque;
    gpio_reset_regs(s);
    gpio_update(s);
}

void bcm2835_gpio_init(bcm2835_gpio_t *s, sim_t *sim)
{
    *s = (bcm2835_gpio_t){ .sim = sim, .in = GPIO_RESET_INPUT };
    gpio_reset_regs(s);
}

void bcm2835_gpio_set_input(bcm2835_gpio_t *s, unsigned pin, bool level)
{
    SIM_ASSERT(GPIO_NAME, pin < BCM2835_GPIO_NPINS);
    if (level) s->in |= 1ull << pin;
    else s->in &= ~(1ull << pin);
    gpio_update(s);
}

bool bcm2835_gpio_get_level(const bcm2835_gpio_t *s, unsigned pin)
{
    SIM_ASSERT(GPIO_NAME, pin < BCM2835_GPIO_NPINS);
    return (s->level >> pin) & 1;
}

unsigned bcm2835_gpio_get_function(const bcm2835_gpio_t *s, unsigned pin)
{
    SIM_ASSERT(GPIO_NAME, pin < BCM2835_GPIO_NPINS);
    return (s->fsel[pin / 10] >> ((pin % 10) * 3)) & BCM2835_GPIO_FSEL_MASK;
}

void bcm2835_gpio_set_output_hook(bcm2835_gpio_t *s, bcm2835_gpio_out_fn fn, void *opaque)
{
    s->out_fn = fn;
    s->out_opaque = opaque;
}

const sim_dev_ops_t bcm2835_gpio_ops = {
    .name = GPIO_NAME,
    .read = gpio_read,
    .write = gpio_write,
    .reset = bcm2835_gpio_reset,
};
