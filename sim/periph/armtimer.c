/* BCM2835 ARM timer (datasheet chapter 14; QEMU raspi0 leaves it unimplemented, real
 * boards have it). Timer clock = APB clock (250 MHz) / (PREDIV + 1) / prescale (1, 16,
 * 256). The down counter (16 or 32 bits) counts LOAD, LOAD-1, .. 0; the tick after 0 it
 * reloads from LOAD and the raw interrupt is set (period LOAD + 1 ticks, SP804
 * periodic mode; the BCM2835 has no one-shot mode). LOAD writes also restart the
 * counter, RELOAD writes only change the value used at the next wrap. IRQ: basic source
 * 64 = raw & CONTROL.IE. The free-running counter counts at APB / (FREE_DIV + 1) when
 * enabled. Values are computed from simulated time with exact integer math; the model
 * keeps no per-tick event: one scheduler timer for the next wrap, armed only while the
 * raw flag is clear (while it is set, further wraps cannot change anything visible). */
#include "periph/armtimer.h"
#include "periph/periph.h"
#include "bcm2835/armtimer.h"
#include "bcm2835/bcm2835.h"

#define ARMT_NAME "armtimer"

static uint64_t armt_div(const bcm2835_armtimer_t *s)
{
    static const uint32_t prescale[4] = { 1, 16, 256, 1 }; /* 3: undefined, acts as /1 */
    uint32_t ps = prescale[(s->control & BCM2835_ARMT_CTRL_PRESCALE_MASK) >> BCM2835_ARMT_CTRL_PRESCALE_SHIFT];
    return (uint64_t)((s->prediv & 0x3FFu) + 1u) * ps;
}

static uint32_t armt_width_mask(const bcm2835_armtimer_t *s)
{
    return (s->control & BCM2835_ARMT_CTRL_32BIT_BIT) ? 0xFFFFFFFFu : 0xFFFFu;
}

static bool armt_running(const bcm2835_armtimer_t *s) { return (s->control & BCM2835_ARMT_CTRL_ENABLE_BIT) != 0; }

/* timer ticks elapsed between t0 and now */
static uint64_t armt_ticks_since(const bcm2835_armtimer_t *s, uint64_t t0)
{
    uint64_t dt = sim_now(s->sim) - t0;
    return periph_muldiv(dt, BCM2835_APB_CLOCK_HZ, sim_cpu_hz(s->sim) * armt_div(s));
}

/* first cycle >= t0 at which `ticks` ticks have elapsed since t0 */
static uint64_t armt_tick_cycle(const bcm2835_armtimer_t *s, uint64_t t0, uint64_t ticks)
{
    return t0 + periph_muldiv_ceil(ticks, sim_cpu_hz(s->sim) * armt_div(s), BCM2835_APB_CLOCK_HZ);
}

static uint32_t armt_value(const bcm2835_armtimer_t *s)
{
    if (!armt_running(s)) return s->v0;
    uint64_t n = armt_ticks_since(s, s->t0);
    uint64_t mask = armt_width_mask(s);
    uint64_t v0 = s->v0 & mask, period = (s->load & mask) + 1;
    if (n <= v0) return (uint32_t)(v0 - n);
    /* after the first wrap the counter runs LOAD..0 with period LOAD + 1 */
    uint64_t k = (n - v0 - 1) % period;
    return (uint32_t)((s->load & mask) - k);
}

static void armt_update_irq(bcm2835_armtimer_t *s)
{
    bool level = s->raw && (s->control & BCM2835_ARMT_CTRL_IE_BIT);
    if (level != s->irq_out) {
        s->irq_out = level;
        sim_irq_set(s->sim, BCM2835_IRQ_ARM_TIMER, level);
    }
}

/* re-base the counter at now (before a change of clock, mode or value) */
static void armt_rebase(bcm2835_armtimer_t *s, uint32_t value)
{
    s->t0 = sim_now(s->sim);
    s->v0 = value;
}

static void armt_arm(bcm2835_armtimer_t *s)
{
    if (!armt_running(s) || s->raw) {
        sim_timer_del(&s->timer);
        return;
    }
    /* wraps happen at tick v0 + 1 + k * (LOAD + 1) after t0; arm the first one after the
     * current tick (one that passed while raw was set is not raised again). Keeping t0
     * fixed across wraps and IRQ clears keeps periodic interrupts free of drift. */
    uint64_t mask = armt_width_mask(s);
    uint64_t n = armt_ticks_since(s, s->t0);
    uint64_t w = (uint64_t)(s->v0 & mask) + 1, period = (s->load & mask) + 1;
    if (n >= w) w += ((n - w) / period + 1) * period;
    sim_timer_mod(&s->timer, armt_tick_cycle(s, s->t0, w));
}

static void armt_expire(void *opaque)
{
    bcm2835_armtimer_t *s = opaque;
    s->stats.wraps++;
    s->raw = true; /* the counter reloads from LOAD: armt_value() follows from t0 */
    armt_update_irq(s);
}

/* free-running counter (32 bits, wraps) */
static uint64_t armt_free_div(const bcm2835_armtimer_t *s)
{
    return ((s->control & BCM2835_ARMT_CTRL_FREE_DIV_MASK) >> BCM2835_ARMT_CTRL_FREE_DIV_SHIFT) + 1u;
}
static uint32_t armt_free_value(const bcm2835_armtimer_t *s)
{
    if (!(s->control & BCM2835_ARMT_CTRL_FREE_EN_BIT)) return s->f_v0;
    uint64_t dt = sim_now(s->sim) - s->f_t0;
    return s->f_v0 + (uint32_t)periph_muldiv(dt, BCM2835_APB_CLOCK_HZ, sim_cpu_hz(s->sim) * armt_free_div(s));
}

static uint32_t armt_read(void *opaque, uint32_t off, unsigned size)
{
    bcm2835_armtimer_t *s = opaque;
    uint32_t r = 0;
    if (size != 4) PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, ARMT_NAME, "%u-byte read at 0x%02x", size, off);
    switch (periph_word_off(off)) {
    case BCM2835_ARMT_LOAD:
    case BCM2835_ARMT_RELOAD: r = s->load; break;
    case BCM2835_ARMT_VALUE: r = armt_value(s); break;
    case BCM2835_ARMT_CONTROL: r = s->control; break;
    case BCM2835_ARMT_IRQCLR: r = 0x544D5241u; break; /* reads "ARMT" on hardware */
    case BCM2835_ARMT_RAWIRQ: r = s->raw ? 1u : 0u; break;
    case BCM2835_ARMT_MSKIRQ: r = (s->raw && (s->control & BCM2835_ARMT_CTRL_IE_BIT)) ? 1u : 0u; break;
    case BCM2835_ARMT_PREDIV: r = s->prediv; break;
    case BCM2835_ARMT_FREECNT: r = armt_free_value(s); break;
    default: PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, ARMT_NAME, "read of unknown offset 0x%02x", off); break;
    }
    return periph_sub_read(r, off, size);
}

static void armt_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    bcm2835_armtimer_t *s = opaque;
    if (size != 4) {
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, ARMT_NAME, "%u-byte write at 0x%02x ignored", size, off);
        return;
    }
    switch (off) {
    case BCM2835_ARMT_LOAD:
        s->load = val;
        armt_rebase(s, val);
        break;
    case BCM2835_ARMT_RELOAD:
        armt_rebase(s, armt_value(s));
        s->load = val;
        break;
    case BCM2835_ARMT_CONTROL: {
        const uint32_t timing = BCM2835_ARMT_CTRL_32BIT_BIT | BCM2835_ARMT_CTRL_PRESCALE_MASK |
                                BCM2835_ARMT_CTRL_ENABLE_BIT;
        const uint32_t ftiming = BCM2835_ARMT_CTRL_FREE_EN_BIT | BCM2835_ARMT_CTRL_FREE_DIV_MASK;
        uint32_t cur = armt_value(s);
        uint32_t fcur = armt_free_value(s);
        uint32_t old = s->control;
        s->control = val & 0x00FF03FEu;
        /* re-base only when the counting changes: IE toggles keep the phase */
        if ((old ^ s->control) & timing) armt_rebase(s, cur);
        if ((old ^ s->control) & ftiming) {
            s->f_t0 = sim_now(s->sim);
            s->f_v0 = fcur;
        }
        break;
    }
    case BCM2835_ARMT_IRQCLR:
        s->raw = false;
        break;
    case BCM2835_ARMT_PREDIV: {
        uint32_t cur = armt_value(s);
        s->prediv = val & 0x3FFu;
        armt_rebase(s, cur);
        break;
    }
    case BCM2835_ARMT_VALUE:
    case BCM2835_ARMT_RAWIRQ:
    case BCM2835_ARMT_MSKIRQ:
    case BCM2835_ARMT_FREECNT:
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, ARMT_NAME, "write 0x%08x to read-only 0x%02x", val, off);
        return;
    default:
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, ARMT_NAME, "write 0x%08x to unknown offset 0x%02x", val, off);
        return;
    }
    armt_arm(s);
    armt_update_irq(s);
}

static void armt_reset_regs(bcm2835_armtimer_t *s)
{
    s->load = 0;
    s->control = BCM2835_ARMT_CTRL_RESET;
    s->prediv = BCM2835_ARMT_PREDIV_RESET;
    s->raw = false;
    s->t0 = s->f_t0 = sim_now(s->sim);
    s->v0 = s->f_v0 = 0;
    s->irq_out = false;
}

void bcm2835_armtimer_reset(void *opaque)
{
    bcm2835_armtimer_t *s = opaque;
    sim_timer_del(&s->timer);
    armt_reset_regs(s);
    sim_irq_set(s->sim, BCM2835_IRQ_ARM_TIMER, false);
}

void bcm2835_armtimer_init(bcm2835_armtimer_t *s, sim_t *sim)
{
    *s = (bcm2835_armtimer_t){ .sim = sim };
    sim_timer_init(&s->timer, sim, armt_expire, s);
    armt_reset_regs(s);
}

void bcm2835_armtimer_fini(bcm2835_armtimer_t *s) { sim_timer_del(&s->timer); }

const sim_dev_ops_t bcm2835_armtimer_ops = {
    .name = ARMT_NAME,
    .read = armt_read,
    .write = armt_write,
    .reset = bcm2835_armtimer_reset,
};
