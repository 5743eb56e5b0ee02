/* BCM2835 system timer, datasheet chapter 12.
 *
 * The counter is a pure function of simulated time: us = floor(cycles * 1e6 / cpu_hz)
 * (exact, 128-bit intermediate), so CLO/CHI never drift and survive a board reset
 * unchanged (the counter is free running, as in QEMU). A compare channel matches on the
 * counter tick at which CLO becomes equal to Cn: each channel keeps a scheduler timer
 * armed for the first cycle of the next such tick (strictly after the current one, so
 * writing Cn = CLO matches only after a 2^32 us wrap, like the hardware comparator). A
 * match sets CS.Mn and raises IRQ source n (level = CS.Mn) until the guest writes 1 to
 * CS.Mn. After reset a channel is idle until Cn is written. */
#include "periph/systimer.h"
#include "periph/periph.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/systimer.h"

#define ST_NAME "systimer"

uint64_t bcm2835_st_counter(const bcm2835_st_t *s)
{
    return periph_muldiv(sim_now(s->sim), BCM2835_ST_CLOCK_HZ, sim_cpu_hz(s->sim));
}

uint64_t bcm2835_st_us_to_cycle(const bcm2835_st_t *s, uint64_t us)
{
    /* smallest c with floor(c * 1e6 / hz) >= us  <=>  c >= us * hz / 1e6 */
    return periph_muldiv_ceil(us, sim_cpu_hz(s->sim), BCM2835_ST_CLOCK_HZ);
}

static void st_update_irq(bcm2835_st_t *s, unsigned n)
{
    sim_irq_set(s->sim, BCM2835_IRQ_ST_C0 + n, (s->cs & BCM2835_ST_CS_M(n)) != 0);
}

/* arm channel n for the next tick (after the current one) whose low 32 bits equal Cn */
static void st_arm(bcm2835_st_t *s, unsigned n)
{
    uint64_t now_us = bcm2835_st_counter(s);
    uint32_t delta = s->cmp[n] - (uint32_t)now_us;    /* mod 2^32 */
    uint64_t target = now_us + (delta ? delta : (1ull << 32));
    sim_timer_mod(&s->chan[n].timer, bcm2835_st_us_to_cycle(s, target));
}

static void st_expire(void *opaque)
{
    bcm2835_st_chan_t *c = opaque;
    bcm2835_st_t *s = c->st;
    s->cs |= BCM2835_ST_CS_M(c->n);
    s->stats.matches++;
    st_update_irq(s, c->n);
    /* not re-armed: a further match while Mn is set changes nothing; clearing Mn or
     * writing Cn arms the channel again (keeps the event queue empty for idle detection) */
}

static uint32_t st_read(void *opaque, uint32_t off, unsigned size)
{
    bcm2835_st_t *s = opaque;
    uint32_t r = 0;
    if (size != 4) PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, ST_NAME, "%u-byte read at 0x%02x", size, off);
    switch (periph_word_off(off)) {
    case BCM2835_ST_CS: r = s->cs; break;
    case BCM2835_ST_CLO: r = (uint32_t)bcm2835_st_counter(s); break;
    case BCM2835_ST_CHI: r = (uint32_t)(bcm2835_st_counter(s) >> 32); break;
    case BCM2835_ST_C0:
    case BCM2835_ST_C1:
    case BCM2835_ST_C2:
    case BCM2835_ST_C3: r = s->cmp[(periph_word_off(off) - BCM2835_ST_C0) / 4]; break;
    default: PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, ST_NAME, "read of unknown offset 0x%02x", off); break;
    }
    return periph_sub_read(r, off, size);
}

static void st_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    bcm2835_st_t *s = opaque;
    if (size != 4) {
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, ST_NAME, "%u-byte write at 0x%02x ignored", size, off);
        return;
    }
    switch (off) {
    case BCM2835_ST_CS:
        for (unsigned n = 0; n < BCM2835_ST_CHANNELS; n++) {
            if (val & s->cs & BCM2835_ST_CS_M(n)) {
                s->cs &= ~BCM2835_ST_CS_M(n);
                st_update_irq(s, n);
                st_arm(s, n);
            }
        }
        break;
    case BCM2835_ST_C0:
    case BCM2835_ST_C1:
    case BCM2835_ST_C2:
    case BCM2835_ST_C3: {
        unsigned n = (off - BCM2835_ST_C0) / 4;
        s->cmp[n] = val;
        st_arm(s, n);
        break;
    }
    case BCM2835_ST_CLO:
    case BCM2835_ST_CHI:
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, ST_NAME, "write 0x%08x to read-only counter 0x%02x", val, off);
        break;
    default:
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, ST_NAME, "write 0x%08x to unknown offset 0x%02x", val, off);
        break;
    }
}

void bcm2835_st_reset(void *opaque)
{
    bcm2835_st_t *s = opaque;
    s->cs = 0;
    for (unsigned n = 0; n < BCM2835_ST_CHANNELS; n++) {
        s->cmp[n] = 0;
        st_update_irq(s, n);
        sim_timer_del(&s->chan[n].timer); /* armed again by the first Cn write */
    }
}

void bcm2835_st_init(bcm2835_st_t *s, sim_t *sim)
{
    *s = (bcm2835_st_t){ .sim = sim };
    for (unsigned n = 0; n < BCM2835_ST_CHANNELS; n++) {
        s->chan[n].st = s;
        s->chan[n].n = n;
        sim_timer_init(&s->chan[n].timer, sim, st_expire, &s->chan[n]);
    }
}

void bcm2835_st_fini(bcm2835_st_t *s)
{
    for (unsigned n = 0; n < BCM2835_ST_CHANNELS; n++) sim_timer_del(&s->chan[n].timer);
}

const sim_dev_ops_t bcm2835_st_ops = {
    .name = ST_NAME,
    .read = st_read,
    .write = st_write,
    .reset = bcm2835_st_reset,
};
