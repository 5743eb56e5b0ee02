/* BCM2835 ARM interrupt controller, datasheet section 7.5. Runs in IRQ mode from
 * boot/exc.c with IRQs masked (no nesting yet: VMIT adds priorities later). */
#include "hal/irq.h"
#include "hal/mmio.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/ic.h"
#include "boot/exc.h"
#include "err.h"

#define IRQ_BASE ((uintptr_t)BCM2835_IC_BASE)
#define IRQ_NGPU 64
#define IRQ_NBASIC (BCM2835_IRQ_COUNT - IRQ_NGPU)
#define IRQ_MAX_PASSES 8 /* bound on re-scans of the pending registers per exception */

typedef struct irq_entry {
    irq_handler_fn fn;
    void *arg;
} irq_entry_t;

static irq_entry_t irq_table[BCM2835_IRQ_COUNT];
static uint32_t irq_enabled[3];  /* shadow of enable 1, enable 2, enable basic */
static uint32_t irq_need1_mask;  /* basic bits that mean "look at pending 1" */
static uint32_t irq_need2_mask;  /* ... "look at pending 2" */
static irq_stats_t irq_stats;

static void irq_dispatch(void);

void irq_init(void)
{
    static const unsigned shortcuts[BCM2835_IC_BASIC_NSHORTCUTS] = BCM2835_IC_BASIC_SHORTCUTS;

    mmio_enter();
    mmio_write32(IRQ_BASE, BCM2835_IC_FIQ_CONTROL, 0);
    mmio_write32(IRQ_BASE, BCM2835_IC_DISABLE1, 0xFFFFFFFFu);
    mmio_write32(IRQ_BASE, BCM2835_IC_DISABLE2, 0xFFFFFFFFu);
    mmio_write32(IRQ_BASE, BCM2835_IC_DISABLE_BASIC, 0xFFFFFFFFu);
    mmio_leave();
    irq_enabled[0] = irq_enabled[1] = irq_enabled[2] = 0;

    /* GPU sources with a shortcut bit in basic pending do not set the pending-1/2 summary
     * bits (header note), so those shortcut bits also send us to the full register. */
    irq_need1_mask = BCM2835_IC_BASIC_PEND1_BIT;
    irq_need2_mask = BCM2835_IC_BASIC_PEND2_BIT;
    for (unsigned i = 0; i < BCM2835_IC_BASIC_NSHORTCUTS; i++) {
        uint32_t bit = 1u << (BCM2835_IC_BASIC_SHORTCUT_FIRST + i);
        if (shortcuts[i] < 32)
            irq_need1_mask |= bit;
        else
            irq_need2_mask |= bit;
    }
    exc_set_irq_handler(irq_dispatch);
}

int irq_connect(unsigned irq, irq_handler_fn fn, void *arg)
{
    if (irq >= BCM2835_IRQ_COUNT || !fn)
        return ERR_INVAL;
    uint32_t flags = exc_irq_save();
    irq_table[irq].fn = fn;
    irq_table[irq].arg = arg;
    exc_irq_restore(flags);
    return ERR_OK;
}

static int irq_reg(unsigned irq, uint32_t *bit, unsigned *bank)
{
    if (irq >= BCM2835_IRQ_COUNT)
        return ERR_INVAL;
    *bank = irq / 32u;
    *bit = 1u << (irq % 32u);
    return ERR_OK;
}

int irq_enable(unsigned irq)
{
    static const uint32_t off[3] = {BCM2835_IC_ENABLE1, BCM2835_IC_ENABLE2, BCM2835_IC_ENABLE_BASIC};
    uint32_t bit;
    unsigned bank;
    if (irq_reg(irq, &bit, &bank))
        return ERR_INVAL;
    uint32_t flags = exc_irq_save();
    irq_enabled[bank] |= bit;
    mmio_enter();
    mmio_write32(IRQ_BASE, off[bank], bit); /* write-1-to-set */
    mmio_leave();
    exc_irq_restore(flags);
    return ERR_OK;
}

int irq_disable(unsigned irq)
{
    static const uint32_t off[3] = {BCM2835_IC_DISABLE1, BCM2835_IC_DISABLE2, BCM2835_IC_DISABLE_BASIC};
    uint32_t bit;
    unsigned bank;
    if (irq_reg(irq, &bit, &bank))
        return ERR_INVAL;
    uint32_t flags = exc_irq_save();
    irq_enabled[bank] &= ~bit;
    mmio_enter();
    mmio_write32(IRQ_BASE, off[bank], bit); /* write-1-to-clear */
    mmio_leave();
    exc_irq_restore(flags);
    return ERR_OK;
}

void irq_get_stats(irq_stats_t *out)
{
    uint32_t flags = exc_irq_save();
    *out = irq_stats;
    exc_irq_restore(flags);
}

static void irq_run(unsigned irq)
{
    irq_entry_t *e = &irq_table[irq];
    if (e->fn) {
        irq_stats.dispatched++;
        e->fn(e->arg);
    } else {
        irq_stats.unhandled++;
        irq_disable(irq);
    }
}

static void irq_run_bits(uint32_t bits, unsigned first)
{
    while (bits) {
        unsigned b = (unsigned)__builtin_ctz(bits);
        bits &= bits - 1u;
        irq_run(first + b);
    }
}

/* Finds the pending sources through basic pending, reading pending 1/2 only when the
 * basic register says so; lowest number first. */
static void irq_dispatch(void)
{
    int found = 0;
    for (int pass = 0; pass < IRQ_MAX_PASSES; pass++) {
        uint32_t basic, p1 = 0, p2 = 0;
        mmio_enter();
        basic = mmio_read32(IRQ_BASE, BCM2835_IC_BASIC_PENDING);
        if (basic & irq_need1_mask)
            p1 = mmio_read32(IRQ_BASE, BCM2835_IC_PENDING1);
        if (basic & irq_need2_mask)
            p2 = mmio_read32(IRQ_BASE, BCM2835_IC_PENDING2);
        mmio_leave();
        p1 &= irq_enabled[0];
        p2 &= irq_enabled[1];
        uint32_t arm = basic & BCM2835_IC_BASIC_ARM_MASK & irq_enabled[2];
        if (!(p1 | p2 | arm))
            break;
        found = 1;
        irq_run_bits(p1, 0);
        irq_run_bits(p2, 32);
        irq_run_bits(arm, IRQ_NGPU);
    }
    if (!found)
        irq_stats.spurious++;
}
