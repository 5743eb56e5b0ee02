/* BCM2835 ARM interrupt controller, datasheet section 7.5: register primitives for VMIT. */
#include "hal/irq.h"
#include "hal/mmio.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/ic.h"

#define IRQ_BASE ((uintptr_t)BCM2835_IC_BASE)

static uint32_t irq_need1_mask;  /* basic bits that mean "look at pending 1" */
static uint32_t irq_need2_mask;  /* ... "look at pending 2" */

static const uint32_t irq_en_off[IRQ_NBANKS] = {BCM2835_IC_ENABLE1, BCM2835_IC_ENABLE2,
                                                BCM2835_IC_ENABLE_BASIC};
static const uint32_t irq_dis_off[IRQ_NBANKS] = {BCM2835_IC_DISABLE1, BCM2835_IC_DISABLE2,
                                                 BCM2835_IC_DISABLE_BASIC};

void irq_hw_init(void)
{
    static const unsigned shortcuts[BCM2835_IC_BASIC_NSHORTCUTS] = BCM2835_IC_BASIC_SHORTCUTS;

    mmio_enter();
    mmio_write32(IRQ_BASE, BCM2835_IC_FIQ_CONTROL, 0);
    for (unsigned b = 0; b < IRQ_NBANKS; b++)
        mmio_write32(IRQ_BASE, irq_dis_off[b], 0xFFFFFFFFu);
    mmio_leave();

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
}

void irq_hw_pending(uint32_t pend[IRQ_NBANKS])
{
    uint32_t basic, p1 = 0, p2 = 0;
    mmio_enter();
    basic = mmio_read32(IRQ_BASE, BCM2835_IC_BASIC_PENDING);
    if (basic & irq_need1_mask)
        p1 = mmio_read32(IRQ_BASE, BCM2835_IC_PENDING1);
    if (basic & irq_need2_mask)
        p2 = mmio_read32(IRQ_BASE, BCM2835_IC_PENDING2);
    mmio_leave();
    pend[0] = p1;
    pend[1] = p2;
    pend[2] = basic & BCM2835_IC_BASIC_ARM_MASK;
}

void irq_hw_enable(const uint32_t bits[IRQ_NBANKS])
{
    mmio_enter();
    for (unsigned b = 0; b < IRQ_NBANKS; b++)
        if (bits[b])
            mmio_write32(IRQ_BASE, irq_en_off[b], bits[b]);
    mmio_leave();
}

void irq_hw_disable(const uint32_t bits[IRQ_NBANKS])
{
    mmio_enter();
    for (unsigned b = 0; b < IRQ_NBANKS; b++)
        if (bits[b])
            mmio_write32(IRQ_BASE, irq_dis_off[b], bits[b]);
    mmio_leave();
    /* The disable must reach the controller before the caller re-enables IRQs in the CPU
     * (mmio_leave is the DMB). */
}
