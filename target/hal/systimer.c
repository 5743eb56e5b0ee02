/* BCM2835 system timer (datasheet chapter 12). */
#include "hal/systimer.h"
#include "vmit/vmit.h"
#include "hal/mmio.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/systimer.h"
#include "boot/exc.h"
#include "err.h"

#define ST_BASE ((uintptr_t)BCM2835_ST_BASE)
#define ST_NCHAN 4

typedef struct st_chan {
    st_callback_fn cb;
    void *arg;
    uint32_t period;     /* st_periodic: 0 = one-shot */
    uint32_t target;     /* last programmed compare value (periodic) */
    uint32_t missed;     /* periodic: periods skipped because the handler ran late */
} st_chan_t;

static st_chan_t st_chans[ST_NCHAN];

static const uint32_t st_cmp_off[ST_NCHAN] = {BCM2835_ST_C0, BCM2835_ST_C1, BCM2835_ST_C2, BCM2835_ST_C3};

uint32_t st_now32(void)
{
    mmio_enter();
    uint32_t v = mmio_read32(ST_BASE, BCM2835_ST_CLO);
    mmio_leave();
    return v;
}

uint64_t st_now_us(void)
{
    uint32_t hi, lo, hi2;
    mmio_enter();
    hi = mmio_read32(ST_BASE, BCM2835_ST_CHI);
    lo = mmio_read32(ST_BASE, BCM2835_ST_CLO);
    hi2 = mmio_read32(ST_BASE, BCM2835_ST_CHI);
    if (hi2 != hi) /* CLO wrapped between the reads: the second pair is consistent */
        lo = mmio_read32(ST_BASE, BCM2835_ST_CLO);
    mmio_leave();
    return ((uint64_t)hi2 << 32) | lo;
}

int st_delay_us(uint32_t us)
{
    if (us > ST_DELAY_MAX_US)
        return ERR_RANGE;
    uint32_t start = st_now32();
    /* Bound the loop by iterations too, in case the counter does not run: every pass
     * takes well over 1 ns, so 1000 passes per microsecond is a generous cap. */
    for (uint64_t guard = (uint64_t)us * 1000u + 1000u; guard; guard--) {
        if (st_now32() - start >= us)
            return ERR_OK;
    }
    return ERR_TIMEOUT;
}

static st_timer_t *st_timers;   /* armed software timers (channel 1), unsorted */
static uint8_t st_mux_on;       /* channel 1 belongs to the software timers */

static int st_is_arm_channel(unsigned ch)
{
    return ch == 1 || ch == 3;
}

static void st_isr(void *arg)
{
    unsigned ch = (unsigned)(uintptr_t)arg;
    st_callback_fn cb;
    void *cb_arg;

    mmio_enter();
    mmio_write32(ST_BASE, BCM2835_ST_CS, BCM2835_ST_CS_M(ch)); /* write 1 to clear */
    if (st_chans[ch].period) {
        /* Periodic: next target from the previous one (no drift); a target already in
         * the past is skipped ahead by whole periods (counted as hardware overruns). */
        st_chan_t *c = &st_chans[ch];
        uint32_t now = mmio_read32(ST_BASE, BCM2835_ST_CLO);
        uint32_t t = c->target + c->period, skipped = 0;
        while ((int32_t)(t - now) < (int32_t)ST_ONESHOT_MIN_US && skipped < 1000000u) {
            t += c->period;
            skipped++;
        }
        c->target = t;
        mmio_write32(ST_BASE, st_cmp_off[ch], t);
        mmio_leave();
        if (skipped) {
            c->missed += skipped;
            vmit_report_overrun(BCM2835_IRQ_ST_C0 + ch, skipped);
        }
        if (c->cb)
            c->cb(c->arg);
        return;
    }
    mmio_leave();
    vmit_disable(BCM2835_IRQ_ST_C0 + ch);
    cb = st_chans[ch].cb;
    cb_arg = st_chans[ch].arg;
    st_chans[ch].cb = 0;
    if (cb)
        cb(cb_arg);
}

int st_init(void)
{
    int rc = vmit_connect(BCM2835_IRQ_ST_C1, VMIT_LEVEL_TIMER, st_isr, (void *)(uintptr_t)1);
    if (rc)
        return rc;
    return vmit_connect(BCM2835_IRQ_ST_C3, VMIT_LEVEL_STORM, st_isr, (void *)(uintptr_t)3);
}

/* The compare matches only on equality with CLO: a target already in the past fires after
 * the 32-bit counter wraps (71 minutes). A minimum delay of a few microseconds keeps the
 * target ahead of CLO by more than the few bus accesses between reading CLO and writing Cn;
 * after arming we check once and re-arm if CLO got there first (e.g. a long interrupt). */
static int st_raw_oneshot(unsigned channel, uint32_t delay_us, st_callback_fn cb, void *arg);
static int st_raw_cancel(unsigned channel);

int st_oneshot(unsigned channel, uint32_t delay_us, st_callback_fn cb, void *arg)
{
    if (channel == 1 && st_mux_on)
        return ERR_BUSY;
    return st_raw_oneshot(channel, delay_us, cb, arg);
}

static int st_raw_oneshot(unsigned channel, uint32_t delay_us, st_callback_fn cb, void *arg)
{
    if (!st_is_arm_channel(channel) || !cb || delay_us > 0x7FFFFFFFu)
        return ERR_INVAL;
    if (delay_us < ST_ONESHOT_MIN_US)
        delay_us = ST_ONESHOT_MIN_US;

    uint32_t flags = exc_irq_save();
    st_chans[channel].cb = cb;
    st_chans[channel].arg = arg;
    st_chans[channel].period = 0;
    mmio_enter();
    mmio_write32(ST_BASE, BCM2835_ST_CS, BCM2835_ST_CS_M(channel));
    uint32_t target = mmio_read32(ST_BASE, BCM2835_ST_CLO) + delay_us;
    mmio_write32(ST_BASE, st_cmp_off[channel], target);
    for (int tries = 0; tries < 4; tries++) {
        uint32_t now = mmio_read32(ST_BASE, BCM2835_ST_CLO);
        if ((int32_t)(target - now) > 0 || (mmio_read32(ST_BASE, BCM2835_ST_CS) & BCM2835_ST_CS_M(channel)))
            break;
        target = now + ST_ONESHOT_MIN_US;
        mmio_write32(ST_BASE, st_cmp_off[channel], target);
    }
    mmio_leave();
    vmit_enable(BCM2835_IRQ_ST_C0 + channel);
    exc_irq_restore(flags);
    return ERR_OK;
}

int st_periodic(unsigned channel, uint32_t period_us, st_callback_fn cb, void *arg)
{
    if (channel == 1 && st_mux_on)
        return ERR_BUSY;
    if (!st_is_arm_channel(channel) || !cb || period_us < ST_PERIODIC_MIN_US || period_us > 0x7FFFFFFFu)
        return ERR_INVAL;
    uint32_t flags = exc_irq_save();
    st_chan_t *c = &st_chans[channel];
    c->cb = cb;
    c->arg = arg;
    c->period = period_us;
    c->missed = 0;
    mmio_enter();
    mmio_write32(ST_BASE, BCM2835_ST_CS, BCM2835_ST_CS_M(channel));
    c->target = mmio_read32(ST_BASE, BCM2835_ST_CLO) + period_us;
    mmio_write32(ST_BASE, st_cmp_off[channel], c->target);
    mmio_leave();
    vmit_enable(BCM2835_IRQ_ST_C0 + channel);
    exc_irq_restore(flags);
    return ERR_OK;
}

int st_cancel(unsigned channel)
{
    if (channel == 1 && st_mux_on)
        return ERR_BUSY;
    return st_raw_cancel(channel);
}

static int st_raw_cancel(unsigned channel)
{
    if (!st_is_arm_channel(channel))
        return ERR_INVAL;
    uint32_t flags = exc_irq_save();
    vmit_disable(BCM2835_IRQ_ST_C0 + channel);
    st_chans[channel].cb = 0;
    st_chans[channel].period = 0;
    mmio_enter();
    mmio_write32(ST_BASE, BCM2835_ST_CS, BCM2835_ST_CS_M(channel));
    mmio_leave();
    exc_irq_restore(flags);
    return ERR_OK;
}

/* ---- software timers on channel 1 ---------------------------------------------------- */
/* Programs C1 for the earliest armed deadline, or turns it off. IRQs masked by the caller. */
static void st_mux_program(void);

static void st_mux_fire(void *unused)
{
    (void)unused;
    /* Bounded: each pass fires at least one due timer or stops; a callback that re-arms
     * its timer in the past is fired again at most ST_MUX_MAX_FIRES times per interrupt. */
    enum { ST_MUX_MAX_FIRES = 64 };
    for (unsigned n = 0; n < ST_MUX_MAX_FIRES; n++) {
        uint32_t flags = exc_irq_save();
        uint32_t now = st_now32();
        st_timer_t *due = 0;
        for (st_timer_t *t = st_timers; t; t = t->next)
            if ((int32_t)(t->due - now) <= 0 && (!due || (int32_t)(t->due - due->due) < 0))
                due = t;
        if (!due) {
            st_mux_program();
            exc_irq_restore(flags);
            return;
        }
        st_callback_fn cb = due->cb;
        void *arg = due->arg;
        if (due->period) {
            uint32_t next = due->due + due->period, skipped = 0;
            while ((int32_t)(next - now) < (int32_t)ST_ONESHOT_MIN_US && skipped < 1000000u) {
                next += due->period;
                skipped++;
            }
            due->due = next;
            if (skipped) {
                due->missed += skipped;
                vmit_report_overrun(BCM2835_IRQ_ST_C1, skipped);
            }
        } else {
            st_timer_stop(due);
        }
        exc_irq_restore(flags);
        cb(arg); /* IRQs as the VMIT handler has them: may start/stop timers */
    }
    uint32_t flags = exc_irq_save();
    st_mux_program();
    exc_irq_restore(flags);
}

static void st_mux_program(void)
{
    st_timer_t *first = 0;
    for (st_timer_t *t = st_timers; t; t = t->next)
        if (!first || (int32_t)(t->due - first->due) < 0)
            first = t;
    if (!first) {
        (void)st_raw_cancel(1);
        return;
    }
    int32_t left = (int32_t)(first->due - st_now32());
    (void)st_raw_oneshot(1, left > 0 ? (uint32_t)left : 0u, st_mux_fire, 0);
}

int st_timer_start(st_timer_t *t, uint32_t delay_us, uint32_t period_us, st_callback_fn cb, void *arg)
{
    if (!t || !cb || delay_us > ST_TIMER_MAX_DELAY_US || period_us > ST_TIMER_MAX_DELAY_US ||
        (period_us && period_us < ST_PERIODIC_MIN_US))
        return ERR_INVAL;
    if (delay_us < ST_ONESHOT_MIN_US)
        delay_us = ST_ONESHOT_MIN_US;
    uint32_t flags = exc_irq_save();
    st_timer_stop(t);
    st_mux_on = 1;
    t->cb = cb;
    t->arg = arg;
    t->period = period_us;
    t->missed = 0;
    t->due = st_now32() + delay_us;
    t->armed = 1;
    t->next = st_timers;
    st_timers = t;
    st_mux_program();
    exc_irq_restore(flags);
    return ERR_OK;
}

void st_timer_stop(st_timer_t *t)
{
    if (!t)
        return;
    uint32_t flags = exc_irq_save();
    if (t->armed) {
        st_timer_t **pp = &st_timers;
        while (*pp && *pp != t)
            pp = &(*pp)->next;
        if (*pp)
            *pp = t->next;
        t->armed = 0;
        t->next = 0;
        /* C1 stays programmed for the old earliest deadline: the handler finds nothing due
         * and re-programs (one spurious interrupt instead of a bus round trip here) */
    }
    exc_irq_restore(flags);
}
