/* EnOcean modem link on the mini UART or the PL011: see eno.h. Register maps:
 * bcm2835/aux.h, bcm2835/pl011.h. */
#include "hal/eno.h"
#include "hal/gpio.h"
#include "hal/mmio.h"
#include "hal/systimer.h"
#include "hal/uart.h"
#include "vmit/vmit.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/aux.h"
#include "bcm2835/pl011.h"
#include "boot/exc.h"
#include "err.h"

#define ENO_MU ((uintptr_t)BCM2835_AUX_BASE)
#define ENO_PL ((uintptr_t)BCM2835_UART0_BASE)
#define ENO_ISR_MAX_BYTES (2u * PL011_FIFO_DEPTH) /* bounded work per interrupt (>= either FIFO) */
#define ENO_TX_TIMEOUT_US 10000u
/* PL011 RX interrupt at 1/4 full (IFLS RX = 1): 4 bytes in, 12 free; TX level unused. */
#define ENO_PL_IFLS (1u << PL011_IFLS_RX_SHIFT)
#define ENO_PL_CR_ON (PL011_CR_UARTEN_BIT | PL011_CR_TXE_BIT | PL011_CR_RXE_BIT)

typedef struct eno_state {
    uint32_t core_hz, uart_hz;
    volatile int running;
    eno_port_t port;
    vmio_addr_t dst;
    eno_stats_t stats;
} eno_state_t;

static eno_state_t eno;

static unsigned eno_irq(eno_port_t port)
{
    return port == ENO_PORT_PL011 ? BCM2835_IRQ_UART0 : BCM2835_IRQ_AUX;
}

void eno_init(uint32_t core_hz, uint32_t uart_hz)
{
    eno.core_hz = core_hz ? core_hz : ENO_CORE_HZ_DEFAULT;
    eno.uart_hz = uart_hz ? uart_hz : ENO_UART_HZ_DEFAULT;
}

/* Hands n bytes to VMIO; counts what the deposit queue refused. */
static void eno_deposit(const uint8_t *b, uint32_t n, uint32_t oe, uint32_t bad)
{
    eno.stats.irqs++;
    eno.stats.bytes += n;
    eno.stats.rx_errors += bad;
    if (oe) {
        eno.stats.overruns += oe;
        vmit_report_overrun(eno_irq(eno.port), oe);
    }
    if (n) {
        size_t done = vmio_deposit_bytes(VMIT_LEVEL_ENO, eno.dst, VMIO_EV_RX, b, n);
        eno.stats.rx_dropped += n - (uint32_t)done;
    }
}

/* Mini UART, VMIT_LEVEL_ENO, IRQs enabled above this level. */
static void eno_isr(void *arg)
{
    uint8_t b[ENO_ISR_MAX_BYTES];
    uint32_t n = 0, oe = 0;
    (void)arg;
    mmio_enter();
    for (; n < ENO_ISR_MAX_BYTES; n++) {
        uint32_t lsr = mmio_read32(ENO_MU, BCM2835_AUX_MU_LSR); /* reading clears OE */
        if (lsr & BCM2835_AUX_MU_LSR_OE_BIT)
            oe++;
        if (!(lsr & BCM2835_AUX_MU_LSR_DR_BIT))
            break;
        b[n] = (uint8_t)mmio_read32(ENO_MU, BCM2835_AUX_MU_IO);
    }
    mmio_leave();
    eno_deposit(b, n, oe, 0);
}

/* PL011, VMIT_LEVEL_ENO. RX (FIFO at the trigger level) and RT (receive timeout: bytes
 * below the trigger and an idle line) both drop by themselves once the FIFO is read
 * empty (PL011 TRM 3.4.3-3.4.4), so only OE is cleared through ICR (see hal/uart.c for
 * why RX/RT must not be cleared while bytes remain). DR.OE marks the byte that followed
 * a lost one. */
static void eno_pl011_isr(void *arg)
{
    uint8_t b[ENO_ISR_MAX_BYTES];
    uint32_t n = 0, oe = 0, bad = 0;
    (void)arg;
    mmio_enter();
    mmio_write32(ENO_PL, PL011_ICR, PL011_INT_OE_BIT);
    for (uint32_t k = 0; k < ENO_ISR_MAX_BYTES && !(mmio_read32(ENO_PL, PL011_FR) & PL011_FR_RXFE_BIT); k++) {
        uint32_t dr = mmio_read32(ENO_PL, PL011_DR);
        if (dr & PL011_DR_OE_BIT)
            oe++;
        if (dr & (PL011_DR_FE_BIT | PL011_DR_PE_BIT | PL011_DR_BE_BIT)) {
            bad++;
            continue;
        }
        b[n++] = (uint8_t)(dr & PL011_DR_DATA_MASK);
    }
    mmio_leave();
    eno_deposit(b, n, oe, bad);
}

/* baud = core / (8 (reg + 1)), rounded to the nearest divisor (uart_mini_divisor) */
static int eno_mini_setup(uint32_t baud, uint32_t *actual)
{
    uint32_t reg;
    if (uart_mini_divisor(eno.core_hz, baud, &reg))
        return ERR_RANGE;
    int rc = vmit_connect(BCM2835_IRQ_AUX, VMIT_LEVEL_ENO, eno_isr, 0);
    if (rc)
        return rc;
    mmio_enter();
    uart_mini_hw_setup(reg, BCM2835_AUX_MU_IER_RX_BIT);
    mmio_leave();
    *actual = eno.core_hz / (8u * (reg + 1u));
    return ERR_OK;
}

/* divisor = clk / (16 baud) in 16.6 fixed point = 4 clk / baud, rounded (PL011 TRM 3.3.6);
 * programming order of TRM 3.3.8: disabled, divisors, LCRH (latches them), enable. */
static int eno_pl011_setup(uint32_t baud, uint32_t *actual)
{
    uint64_t div64 = ((uint64_t)eno.uart_hz * 4u + baud / 2u) / baud;
    uint32_t ibrd = (uint32_t)(div64 >> 6), fbrd = (uint32_t)(div64 & 0x3Fu);
    if (ibrd == 0 || ibrd > 0xFFFFu)
        return ERR_RANGE;
    int rc = gpio_uart0_pins();
    if (rc)
        return rc;
    rc = vmit_connect(BCM2835_IRQ_UART0, VMIT_LEVEL_ENO, eno_pl011_isr, 0);
    if (rc)
        return rc;
    mmio_enter();
    mmio_write32(ENO_PL, PL011_CR, 0); /* a modem byte in flight is lost: the link starts now */
    mmio_write32(ENO_PL, PL011_IMSC, 0);
    mmio_write32(ENO_PL, PL011_LCRH, 0); /* FEN 0 -> 1 below empties the FIFOs */
    mmio_write32(ENO_PL, PL011_IBRD, ibrd);
    mmio_write32(ENO_PL, PL011_FBRD, fbrd);
    mmio_write32(ENO_PL, PL011_LCRH, PL011_LCRH_WLEN_8 | PL011_LCRH_FEN_BIT);
    mmio_write32(ENO_PL, PL011_IFLS, ENO_PL_IFLS);
    mmio_write32(ENO_PL, PL011_ICR, PL011_INT_ALL);
    mmio_write32(ENO_PL, PL011_IMSC, PL011_INT_RX_BIT | PL011_INT_RT_BIT | PL011_INT_OE_BIT);
    mmio_write32(ENO_PL, PL011_CR, ENO_PL_CR_ON);
    mmio_leave();
    *actual = (uint32_t)(((uint64_t)eno.uart_hz * 4u + div64 / 2u) / div64);
    return ERR_OK;
}

int eno_start(uint32_t baud, eno_port_t port, vmio_addr_t dst, uint32_t *actual)
{
    if (!baud)
        baud = ENO_DEFAULT_BAUD;
    if (baud < ENO_MIN_BAUD || baud > ENO_MAX_BAUD)
        return ERR_RANGE;
    if (port != ENO_PORT_PL011 && port != ENO_PORT_MINI)
        return ERR_INVAL;
    if ((port == ENO_PORT_PL011) == (uart_port() == UART_PORT_PL011))
        return ERR_BUSY; /* the console's UART */
    if (!eno.core_hz)
        eno_init(0, 0);
    eno_stop();
    eno.dst = dst;
    eno.port = port;
    eno.stats = (eno_stats_t){0};
    uint32_t got = 0;
    uint32_t flags = exc_irq_save();
    int rc = port == ENO_PORT_PL011 ? eno_pl011_setup(baud, &got) : eno_mini_setup(baud, &got);
    if (rc == ERR_OK) {
        eno.running = 1;
        vmit_enable(eno_irq(port));
    }
    exc_irq_restore(flags);
    if (rc == ERR_OK && actual)
        *actual = got;
    return rc;
}

void eno_stop(void)
{
    uint32_t flags = exc_irq_save();
    if (eno.running) {
        vmit_disable(eno_irq(eno.port));
        mmio_enter();
        if (eno.port == ENO_PORT_PL011) {
            mmio_write32(ENO_PL, PL011_IMSC, 0);
            mmio_write32(ENO_PL, PL011_CR, 0);
        } else {
            mmio_write32(ENO_MU, BCM2835_AUX_MU_IER, 0);
            mmio_write32(ENO_MU, BCM2835_AUX_MU_CNTL, 0);
            mmio_modify32(ENO_MU, BCM2835_AUX_ENABLES, BCM2835_AUX_ENABLES_MU_BIT, 0);
        }
        mmio_leave();
    }
    eno.running = 0;
    exc_irq_restore(flags);
}

int eno_running(void)
{
    return eno.running;
}

eno_port_t eno_port(void)
{
    return eno.port;
}

int eno_write(const uint8_t *p, size_t n)
{
    if (!eno.running)
        return ERR_INVAL;
    int pl = eno.port == ENO_PORT_PL011;
    for (size_t i = 0; i < n; i++) {
        uint32_t start = st_now32();
        mmio_enter();
        while (pl ? (mmio_read32(ENO_PL, PL011_FR) & PL011_FR_TXFF_BIT)
                  : !(mmio_read32(ENO_MU, BCM2835_AUX_MU_LSR) & BCM2835_AUX_MU_LSR_TXE_BIT)) {
            if (st_now32() - start > ENO_TX_TIMEOUT_US) {
                mmio_leave();
                return ERR_TIMEOUT;
            }
        }
        mmio_write32(pl ? ENO_PL : ENO_MU, pl ? PL011_DR : BCM2835_AUX_MU_IO, p[i]);
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
