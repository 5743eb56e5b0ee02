/* BCM2835 system timer (datasheet chapter 12). */
#include "hal/systimer.h"
#include "hal/irq.h"
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
    mmio_leave();
    irq_disable(BCM2835_IRQ_ST_C0 + ch);
    cb = st_chans[ch].cb;
    cb_arg = st_chans[ch].arg;
    st_chans[ch].cb = 0;
    if (cb)
        cb(cb_arg);
}

int st_init(void)
{
    int rc = irq_connect(BCM2835_IRQ_ST_C1, st_isr, (void *)(uintptr_t)1);
    if (rc)
        return rc;
    return irq_connect(BCM2835_IRQ_ST_C3, st_isr, (void *)(uintptr_t)3);
}

/* The compare matches only on equality with CLO: a target already in the past fires after
 * the 32-bit counter wraps (71 minutes). A minimum delay of a few microseconds keeps the
 * target ahead of CLO by more than the few bus accesses between reading CLO and writing Cn;
 * after arming we check once and re-arm if CLO got there first (e.g. a long interrupt). */
int st_oneshot(unsigned channel, uint32_t delay_us, st_callback_fn cb, void *arg)
{
    if (!st_is_arm_channel(channel) || !cb || delay_us > 0x7FFFFFFFu)
        return ERR_INVAL;
    if (delay_us < ST_ONESHOT_MIN_US)
        delay_us = ST_ONESHOT_MIN_US;

    uint32_t flags = exc_irq_save();
    st_chans[channel].cb = cb;
    st_chans[channel].arg = arg;
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
    irq_enable(BCM2835_IRQ_ST_C0 + channel);
    exc_irq_restore(flags);
    return ERR_OK;
}

int st_cancel(unsigned channel)
{
    if (!st_is_arm_channel(channel))
        return ERR_INVAL;
    uint32_t flags = exc_irq_save();
    irq_disable(BCM2835_IRQ_ST_C0 + channel);
    st_chans[channel].cb = 0;
    mmio_enter();
    mmio_write32(ST_BASE, BCM2835_ST_CS, BCM2835_ST_CS_M(channel));
    mmio_leave();
    exc_irq_restore(flags);
    return ERR_OK;
}
