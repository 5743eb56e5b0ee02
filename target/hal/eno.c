/* Mini UART (UART1) EnOcean link: see eno.h. Register map: bcm2835/aux.h. */
#include "hal/eno.h"
#include "hal/mmio.h"
#include "hal/systimer.h"
#include "vmit/vmit.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/aux.h"
#include "boot/exc.h"
#include "err.h"

#define ENO_B ((uintptr_t)BCM2835_AUX_BASE)
#define ENO_ISR_MAX_BYTES (2u * BCM2835_AUX_MU_FIFO_DEPTH) /* bounded work per interrupt */
#define ENO_TX_TIMEOUT_US 10000u

typedef struct eno_state {
    uint32_t core_hz;
    volatile int running;
    vmio_addr_t dst;
    eno_stats_t stats;
} eno_state_t;

static eno_state_t eno;

void eno_init(uint32_t core_hz)
{
    eno.core_hz = core_hz ? core_hz : ENO_CORE_HZ_DEFAULT;
}

/* VMIT_LEVEL_ENO, IRQs enabled above this level. */
static void eno_isr(void *arg)
{
    uint8_t b[ENO_ISR_MAX_BYTES];
    uint32_t n = 0, oe = 0;
    (void)arg;
    mmio_enter();
    for (; n < ENO_ISR_MAX_BYTES; n++) {
        uint32_t lsr = mmio_read32(ENO_B, BCM2835_AUX_MU_LSR); /* reading clears OE */
        if (lsr & BCM2835_AUX_MU_LSR_OE_BIT)
            oe++;
        if (!(lsr & BCM2835_AUX_MU_LSR_DR_BIT))
            break;
        b[n] = (uint8_t)mmio_read32(ENO_B, BCM2835_AUX_MU_IO);
    }
    mmio_leave();
    eno.stats.irqs++;
    eno.stats.bytes += n;
    if (oe) {
        eno.stats.overruns += oe;
        vmit_report_overrun(BCM2835_IRQ_AUX, oe);
    }
    if (n) {
        size_t done = vmio_deposit_bytes(VMIT_LEVEL_ENO, eno.dst, VMIO_EV_RX, b, n);
        eno.stats.rx_dropped += n - (uint32_t)done;
    }
}

int eno_start(uint32_t baud, vmio_addr_t dst, uint32_t *actual)
{
    if (!baud)
        baud = ENO_DEFAULT_BAUD;
    if (baud < ENO_MIN_BAUD || baud > ENO_MAX_BAUD)
        return ERR_RANGE;
    if (!eno.core_hz)
        eno_init(0);
    /* baud = core / (8 (reg + 1)), rounded to the nearest divisor */
    uint32_t reg = (eno.core_hz + 4u * baud) / (8u * baud);
    if (reg == 0 || reg - 1u > 0xFFFFu)
        return ERR_RANGE;
    reg -= 1u;
    eno_stop();
    eno.dst = dst;
    eno.stats = (eno_stats_t){0};
    int rc = vmit_connect(BCM2835_IRQ_AUX, VMIT_LEVEL_ENO, eno_isr, 0);
    if (rc)
        return rc;
    uint32_t flags = exc_irq_save();
    mmio_enter();
    mmio_modify32(ENO_B, BCM2835_AUX_ENABLES, 0, BCM2835_AUX_ENABLES_MU_BIT);
    mmio_write32(ENO_B, BCM2835_AUX_MU_CNTL, 0);
    mmio_write32(ENO_B, BCM2835_AUX_MU_IER, 0);
    mmio_write32(ENO_B, BCM2835_AUX_MU_LCR, BCM2835_AUX_MU_LCR_8BIT);
    mmio_write32(ENO_B, BCM2835_AUX_MU_MCR, 0);
    mmio_write32(ENO_B, BCM2835_AUX_MU_IIR, BCM2835_AUX_MU_IIR_CLR_RX | BCM2835_AUX_MU_IIR_CLR_TX);
    mmio_write32(ENO_B, BCM2835_AUX_MU_BAUD, reg);
    (void)mmio_read32(ENO_B, BCM2835_AUX_MU_LSR); /* clear a stale overrun */
    mmio_write32(ENO_B, BCM2835_AUX_MU_IER, BCM2835_AUX_MU_IER_RX_BIT);
    mmio_write32(ENO_B, BCM2835_AUX_MU_CNTL, BCM2835_AUX_MU_CNTL_RXE_BIT | BCM2835_AUX_MU_CNTL_TXE_BIT);
    mmio_leave();
    eno.running = 1;
    vmit_enable(BCM2835_IRQ_AUX);
    exc_irq_restore(flags);
    if (actual)
        *actual = eno.core_hz / (8u * (reg + 1u));
    return ERR_OK;
}

void eno_stop(void)
{
    uint32_t flags = exc_irq_save();
    vmit_disable(BCM2835_IRQ_AUX);
    if (eno.running) {
        mmio_enter();
        mmio_write32(ENO_B, BCM2835_AUX_MU_IER, 0);
        mmio_write32(ENO_B, BCM2835_AUX_MU_CNTL, 0);
        mmio_modify32(ENO_B, BCM2835_AUX_ENABLES, BCM2835_AUX_ENABLES_MU_BIT, 0);
        mmio_leave();
    }
    eno.running = 0;
    exc_irq_restore(flags);
}

int eno_running(void)
{
    return eno.running;
}

int eno_write(const uint8_t *p, size_t n)
{
    if (!eno.running)
        return ERR_INVAL;
    for (size_t i = 0; i < n; i++) {
        uint32_t start = st_now32();
        mmio_enter();
        while (!(mmio_read32(ENO_B, BCM2835_AUX_MU_LSR) & BCM2835_AUX_MU_LSR_TXE_BIT)) {
            if (st_now32() - start > ENO_TX_TIMEOUT_US) {
                mmio_leave();
                return ERR_TIMEOUT;
            }
        }
        mmio_write32(ENO_B, BCM2835_AUX_MU_IO, p[i]);
        mmio_leave();
    }
    return ERR_OK;
}

void eno_get_stats(eno_stats_t *out)
{
    uint32_t flags = exc_irq_save();
    *out = eno.stats;
    exc_irq_restore(flags);
}
