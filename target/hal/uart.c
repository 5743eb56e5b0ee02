/* Console UART: the PL011 UART0 (BCM2835 datasheet chapter 13; ARM PrimeCell UART PL011
 * TRM DDI 0183) or the mini UART UART1 (datasheet chapter 2, aux block). The rings, the
 * line-atomic writers and the polled paths are the same for both; the few hw_* helpers
 * below are the only code that knows which block is underneath. Constant configuration
 * (base, IRQ) is separate from the mutable driver state. */
#include "hal/uart.h"
#include <stdbool.h>
#include "hal/gpio.h"
#include "vmit/vmit.h"
#include "hal/mmio.h"
#include "hal/systimer.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/pl011.h"
#include "bcm2835/aux.h"
#include "boot/exc.h"
#include "err.h"
#include "lib/kstring.h"

typedef struct uart_config {
    uart_port_t port;
    uintptr_t base;
    unsigned irq;
} uart_config_t;

typedef struct uart_state {
    volatile uint32_t rx_head, rx_tail; /* head written by the ISR, tail by the reader */
    volatile uint32_t tx_head, tx_tail; /* head written by writers, tail by the ISR */
    volatile int irq_mode;
    volatile int panic;
    int col_open;                       /* last byte queued was not '\n' */
    uint32_t clk_hz, baud;              /* reference clock and programmed rate */
    uart_stats_t stats;
    uint8_t rx[UART_RX_RING];
    uint8_t tx[UART_TX_RING];
} uart_state_t;

static const uart_config_t uart_cfgs[2] = {
    [UART_PORT_PL011] = {.port = UART_PORT_PL011, .base = BCM2835_UART0_BASE, .irq = BCM2835_IRQ_UART0},
    [UART_PORT_MINI] = {.port = UART_PORT_MINI, .base = BCM2835_AUX_BASE, .irq = BCM2835_IRQ_AUX},
};
static const uart_config_t *uart_cfg = &uart_cfgs[UART_PORT_PL011];
static uart_state_t uart_st;

#define UART_B (uart_cfg->base)
#define UART_MINI (uart_cfg->port == UART_PORT_MINI)
#define UART_ISR_MAX_BYTES 64u /* per interrupt, bounded work in IRQ context */

/* IFLS: RX interrupt at 1/2 full (8 bytes), TX at 1/4 full (4 bytes left). */
#define UART_IFLS ((2u << PL011_IFLS_RX_SHIFT) | (1u << PL011_IFLS_TX_SHIFT))

static void uart_rx_fifo_drain(void);

/* ---- the hardware seam (callers hold mmio_enter()) ---------------------------------- */
/* Mini UART LSR: reading it clears the overrun flag, so every read counts it here. */
static uint32_t mini_lsr(void)
{
    uint32_t lsr = mmio_read32(UART_B, BCM2835_AUX_MU_LSR);
    if (lsr & BCM2835_AUX_MU_LSR_OE_BIT)
        uart_st.stats.rx_overruns++;
    return lsr;
}

static bool hw_tx_full(void)
{
    if (UART_MINI) /* LSR bit 5: the TX FIFO can accept at least one byte */
        return !(mini_lsr() & BCM2835_AUX_MU_LSR_TXE_BIT);
    return (mmio_read32(UART_B, PL011_FR) & PL011_FR_TXFF_BIT) != 0;
}

static void hw_tx_put(uint8_t b)
{
    mmio_write32(UART_B, UART_MINI ? BCM2835_AUX_MU_IO : PL011_DR, b);
}

/* true: TX FIFO empty and the last stop bit sent */
static bool hw_tx_idle(void)
{
    if (UART_MINI)
        return (mini_lsr() & BCM2835_AUX_MU_LSR_TXIDLE_BIT) != 0;
    uint32_t fr = mmio_read32(UART_B, PL011_FR);
    return (fr & PL011_FR_TXFE_BIT) && !(fr & PL011_FR_BUSY_BIT);
}

static bool hw_rx_empty(void)
{
    if (UART_MINI)
        return !(mini_lsr() & BCM2835_AUX_MU_LSR_DR_BIT);
    return (mmio_read32(UART_B, PL011_FR) & PL011_FR_RXFE_BIT) != 0;
}

/* One received byte with its error flags in PL011 DR layout (OE/FE/PE/BE bits); the mini
 * UART has no per-byte flags (its overruns are counted by mini_lsr()). Caller:
 * !hw_rx_empty(). */
static uint32_t hw_rx_get(void)
{
    if (UART_MINI)
        return mmio_read32(UART_B, BCM2835_AUX_MU_IO) & 0xFFu;
    return mmio_read32(UART_B, PL011_DR);
}

static void hw_tx_irq(bool on)
{
    if (UART_MINI) {
        mmio_modify32(UART_B, BCM2835_AUX_MU_IER, on ? 0 : BCM2835_AUX_MU_IER_TX_BIT,
                      on ? BCM2835_AUX_MU_IER_TX_BIT : 0);
        return;
    }
    mmio_modify32(UART_B, PL011_IMSC, on ? 0 : PL011_INT_TX_BIT, on ? PL011_INT_TX_BIT : 0);
    if (!on)
        mmio_write32(UART_B, PL011_ICR, PL011_INT_TX_BIT);
}

/* mini UART: baud = core / (8 (reg + 1)), nearest divisor (datasheet 2.2.1) */
int uart_mini_divisor(uint32_t core_hz, uint32_t baud, uint32_t *reg)
{
    uint32_t r = (core_hz + 4u * baud) / (8u * baud);
    if (r == 0 || r - 1u > 0xFFFFu)
        return ERR_RANGE;
    *reg = r - 1u;
    return ERR_OK;
}

void uart_mini_hw_setup(uint32_t reg, uint32_t ier)
{
    const uintptr_t mu = (uintptr_t)BCM2835_AUX_BASE;
    mmio_modify32(mu, BCM2835_AUX_ENABLES, 0, BCM2835_AUX_ENABLES_MU_BIT);
    mmio_write32(mu, BCM2835_AUX_MU_CNTL, 0);
    mmio_write32(mu, BCM2835_AUX_MU_IER, 0);
    mmio_write32(mu, BCM2835_AUX_MU_LCR, BCM2835_AUX_MU_LCR_8BIT);
    mmio_write32(mu, BCM2835_AUX_MU_MCR, 0);
    mmio_write32(mu, BCM2835_AUX_MU_IIR, BCM2835_AUX_MU_IIR_CLR_RX | BCM2835_AUX_MU_IIR_CLR_TX);
    mmio_write32(mu, BCM2835_AUX_MU_BAUD, reg);
    (void)mmio_read32(mu, BCM2835_AUX_MU_LSR); /* clear a stale overrun (not counted) */
    mmio_write32(mu, BCM2835_AUX_MU_IER, ier);
    mmio_write32(mu, BCM2835_AUX_MU_CNTL, BCM2835_AUX_MU_CNTL_RXE_BIT | BCM2835_AUX_MU_CNTL_TXE_BIT);
}

static void uart_poll_putc(char c)
{
    uint32_t start = st_now32();
    mmio_enter();
    while (hw_tx_full()) {
        if (st_now32() - start > UART_POLL_TIMEOUT_US) {
            uart_st.stats.tx_timeouts++;
            mmio_leave();
            return;
        }
    }
    hw_tx_put((uint8_t)c);
    mmio_leave();
}

/* divisor = clk / (16 baud) in 16.6 fixed point = 4 clk / baud, rounded (PL011 TRM 3.3.6) */
static int uart_divisor(uint32_t clk_hz, uint32_t baud, uint32_t *ibrd, uint32_t *fbrd)
{
    uint64_t div64 = ((uint64_t)clk_hz * 4u + baud / 2u) / baud;
    *ibrd = (uint32_t)(div64 >> 6);
    *fbrd = (uint32_t)(div64 & 0x3Fu);
    return (*ibrd == 0 || *ibrd > 0xFFFFu) ? ERR_RANGE : ERR_OK;
}

#define UART_CR_ON (PL011_CR_UARTEN_BIT | PL011_CR_TXE_BIT | PL011_CR_RXE_BIT)

/* PL011 TRM 3.3.8, reprogramming: disable, let the current character finish (bounded),
 * then the divisors and LCRH (its write latches IBRD/FBRD; 8N1, FIFOs on), then enable.
 * Callers hold mmio_enter(). */
static void uart_disable_idle(void)
{
    uint32_t start = st_now32();
    mmio_write32(UART_B, PL011_CR, 0);
    while (mmio_read32(UART_B, PL011_FR) & PL011_FR_BUSY_BIT)
        if (st_now32() - start > UART_POLL_TIMEOUT_US)
            break;
}

static void uart_write_divisors(uint32_t ibrd, uint32_t fbrd)
{
    mmio_write32(UART_B, PL011_IBRD, ibrd);
    mmio_write32(UART_B, PL011_FBRD, fbrd);
    mmio_write32(UART_B, PL011_LCRH, PL011_LCRH_WLEN_8 | PL011_LCRH_FEN_BIT);
}

int uart_init(uint32_t uart_clk_hz, uint32_t baud)
{
    return uart_init_port(UART_PORT_PL011, uart_clk_hz, baud);
}

int uart_init_port(uart_port_t port, uint32_t clk_hz, uint32_t baud)
{
    if (port != UART_PORT_PL011 && port != UART_PORT_MINI)
        return ERR_INVAL;
    if (uart_st.irq_mode)
        return ERR_BUSY; /* chosen once, before uart_start_irq() */
    if (!baud)
        baud = UART_DEFAULT_BAUD;
    if (port == UART_PORT_MINI) {
        uint32_t reg;
        if (!clk_hz)
            clk_hz = UART_MINI_CORE_HZ_DEFAULT;
        if (uart_mini_divisor(clk_hz, baud, &reg))
            return ERR_RANGE;
        uart_cfg = &uart_cfgs[UART_PORT_MINI];
        uart_st.clk_hz = clk_hz;
        uart_st.baud = baud;
        /* pins not muxed: GPIO14/15 ALT5 would take the PL011's pins (see uart.h) */
        mmio_enter();
        uart_mini_hw_setup(reg, BCM2835_AUX_MU_IER_RX_BIT); /* line only: VMIT source off */
        mmio_leave();
        return ERR_OK;
    }
    uint32_t uart_clk_hz = clk_hz ? clk_hz : BCM2835_UART_CLOCK_HZ;
    uint32_t ibrd, fbrd;
    if (uart_divisor(uart_clk_hz, baud, &ibrd, &fbrd))
        return ERR_RANGE;
    uart_cfg = &uart_cfgs[UART_PORT_PL011];
    uart_st.clk_hz = uart_clk_hz;
    uart_st.baud = baud;

    int rc = gpio_uart0_pins();
    if (rc)
        return rc;

    mmio_enter();
    uart_disable_idle();
    mmio_write32(UART_B, PL011_IMSC, 0);
    uart_write_divisors(ibrd, fbrd);
    /* A byte that arrived before us (host piping during boot) is still readable here.
     * Not reading it before the FEN change matters on QEMU 7.2: its pl011 resets the FIFO
     * indices on a FEN change but leaves RXFE clear, and the byte sitting in slot 0 is the
     * one we then read; reading it earlier lets the next byte arrive and get discarded. */
    uart_rx_fifo_drain();
    mmio_write32(UART_B, PL011_IFLS, UART_IFLS);
    mmio_write32(UART_B, PL011_CR, UART_CR_ON);
    mmio_leave();
    return ERR_OK;
}

/* Moves received bytes from the FIFO into the RX ring (bounded). Caller: IRQs masked. */
static void uart_rx_fifo_drain(void)
{
    for (uint32_t n = 0; n < UART_ISR_MAX_BYTES && !hw_rx_empty(); n++) {
        uint32_t dr = hw_rx_get();
        if (dr & PL011_DR_OE_BIT)
            uart_st.stats.rx_overruns++;
        if (dr & (PL011_DR_FE_BIT | PL011_DR_PE_BIT | PL011_DR_BE_BIT)) {
            uart_st.stats.rx_errors++;
            continue;
        }
        uint32_t h = uart_st.rx_head;
        if (h - uart_st.rx_tail >= UART_RX_RING) {
            uart_st.stats.rx_dropped++;
            continue;
        }
        uart_st.rx[h & (UART_RX_RING - 1u)] = (uint8_t)(dr & PL011_DR_DATA_MASK);
        cache_dmb(); /* byte visible before the index */
        uart_st.rx_head = h + 1u;
    }
}

/* TX interrupt work: ring -> FIFO (bounded); TX interrupt off once the ring is empty. */
static void uart_tx_refill(void)
{
    uint32_t n, t = uart_st.tx_tail;
    for (n = 0; n < UART_ISR_MAX_BYTES && t != uart_st.tx_head && !hw_tx_full(); n++) {
        hw_tx_put(uart_st.tx[t & (UART_TX_RING - 1u)]);
        t++;
    }
    uart_st.tx_tail = t;
    if (t == uart_st.tx_head)
        hw_tx_irq(false);
}

static void uart_isr(void *arg)
{
    (void)arg;

    mmio_enter();
    if (UART_MINI) {
        /* Mini UART: RX is a level while the FIFO holds data, TX a level while the FIFO
         * is empty and IER.TX is set; no status to clear. */
        uart_rx_fifo_drain();
        if (mmio_read32(UART_B, BCM2835_AUX_MU_IER) & BCM2835_AUX_MU_IER_TX_BIT)
            uart_tx_refill();
        mmio_leave();
        return;
    }
    uint32_t mis = mmio_read32(UART_B, PL011_MIS);
    if (mis & (PL011_INT_RX_BIT | PL011_INT_RT_BIT | PL011_INT_OE_BIT)) {
        /* RX and RT are never cleared through ICR: they drop by themselves once the FIFO
         * is read below the trigger level / empty (PL011 TRM 3.4.3-3.4.4). That is also
         * the only safe way on QEMU 7.2, whose RX interrupt rises only on the 0 -> 1 FIFO
         * transition: clearing it while bytes remain (bounded drain below) would strand
         * them. Only the overrun status needs an explicit clear. */
        mmio_write32(UART_B, PL011_ICR, PL011_INT_OE_BIT);
        uart_rx_fifo_drain();
    }
    if (mis & PL011_INT_TX_BIT)
        uart_tx_refill();
    mmio_leave();
}

int uart_start_irq(void)
{
    int rc = vmit_connect(uart_cfg->irq, VMIT_LEVEL_CONSOLE, uart_isr, 0);
    if (rc)
        return rc;
    mmio_enter();
    if (!UART_MINI) {
        /* Clear stale status except RX/RT (see uart_isr), then take what arrived since
         * uart_init(); anything left keeps RX asserted and is taken by the ISR. */
        mmio_write32(UART_B, PL011_ICR, PL011_INT_ALL & ~(PL011_INT_RX_BIT | PL011_INT_RT_BIT));
        mmio_write32(UART_B, PL011_IMSC, PL011_INT_RX_BIT | PL011_INT_RT_BIT | PL011_INT_OE_BIT);
    }
    uart_rx_fifo_drain();
    mmio_leave();
    uart_st.irq_mode = 1;
    return vmit_enable(uart_cfg->irq);
}

/* Writes the queued bytes by polling (IRQs masked by the caller), keeping byte order. */
static void uart_poll_flush_ring(void)
{
    while (uart_st.tx_tail != uart_st.tx_head) {
        uart_poll_putc((char)uart_st.tx[uart_st.tx_tail & (UART_TX_RING - 1u)]);
        uart_st.tx_tail++;
    }
}

/* Queues bytes into the TX path with IRQs masked: straight into the FIFO while the ring is
 * empty and the FIFO has room, the rest into the ring (TX interrupt on). Caller: IRQs
 * masked, ring space checked. */
static void uart_tx_enqueue(const char *s, size_t len)
{
    size_t i = 0;
    uint32_t h = uart_st.tx_head;
    mmio_enter();
    while (i < len && h == uart_st.tx_tail && !hw_tx_full())
        hw_tx_put((uint8_t)s[i++]);
    if (i < len) {
        for (; i < len; i++, h++)
            uart_st.tx[h & (UART_TX_RING - 1u)] = (uint8_t)s[i];
        uart_st.tx_head = h;
        hw_tx_irq(true);
    }
    mmio_leave();
}

/* Queues all of s when the ring has room for it (and for a "\r\n" in front when line is
 * set and another writer left a partial line); nothing otherwise. Caller: IRQs masked. */
static bool uart_enqueue_masked(const char *s, size_t len, int line)
{
    static const char eol[2] = {'\r', '\n'};
    size_t pre = (line && uart_st.col_open) ? 2u : 0u;
    if (UART_TX_RING - (uart_st.tx_head - uart_st.tx_tail) < len + pre)
        return false;
    if (pre)
        uart_tx_enqueue(eol, 2);
    uart_tx_enqueue(s, len);
    uart_st.col_open = s[len - 1] != '\n';
    return true;
}

/* Line-atomic output: one call's bytes (plus, for a line, a "\r\n" in front when another
 * writer left a partial line such as the prompt or an echo) enter the TX path in one
 * IRQ-masked step, so VMIO lines and console replies never interleave mid-line. When the
 * ring lacks room the writer waits with IRQs enabled (bounded), then queues it all. */
static void uart_write_atomic(const char *s, size_t len, int line)
{
    if (!len)
        return;
    if (!uart_st.irq_mode || uart_st.panic || !exc_irq_enabled() || len + 2u > UART_TX_RING) {
        uint32_t flags = exc_irq_save();
        if (uart_st.irq_mode)
            uart_poll_flush_ring();
        if (line && uart_st.col_open)
            uart_poll_putc('\r'), uart_poll_putc('\n');
        for (size_t i = 0; i < len; i++)
            uart_poll_putc(s[i]);
        uart_st.col_open = s[len - 1] != '\n';
        exc_irq_restore(flags);
        return;
    }
    uint32_t start = st_now32();
    for (;;) {
        uint32_t flags = exc_irq_save();
        bool queued = uart_enqueue_masked(s, len, line);
        exc_irq_restore(flags);
        if (queued)
            return;
        /* ring full: let the ISR drain it, bounded */
        if (st_now32() - start > UART_POLL_TIMEOUT_US * 10u) {
            uart_st.stats.tx_timeouts += (uint32_t)len;
            return;
        }
    }
}

void uart_putc(char c)
{
    uart_write_atomic(&c, 1, 0);
}

void uart_write(const char *s, size_t len)
{
    uart_write_atomic(s, len, 0);
}

void uart_write_line(const char *s, size_t len)
{
    uart_write_atomic(s, len, 1);
}

int uart_try_write_line(const char *s, size_t len)
{
    if (!len)
        return ERR_OK;
    if (!uart_st.irq_mode || uart_st.panic || !exc_irq_enabled()) {
        uart_write_atomic(s, len, 1); /* polled output cannot queue: write it */
        return ERR_OK;
    }
    uint32_t flags = exc_irq_save();
    int rc = ERR_OK;
    if (!uart_enqueue_masked(s, len, 1)) {
        uart_st.stats.tx_lines_dropped++;
        rc = ERR_NOSPC;
    }
    exc_irq_restore(flags);
    return rc;
}

int uart_set_baud(uint32_t baud)
{
    uint32_t ibrd, fbrd, reg;
    if (UART_MINI) {
        if (!baud || uart_mini_divisor(uart_st.clk_hz, baud, &reg))
            return ERR_RANGE;
        uart_tx_drain(UART_POLL_TIMEOUT_US * 10u);
        uint32_t flags = exc_irq_save();
        mmio_enter();
        mmio_write32(UART_B, BCM2835_AUX_MU_BAUD, reg); /* takes effect at the next frame */
        mmio_leave();
        uart_st.baud = baud;
        exc_irq_restore(flags);
        return ERR_OK;
    }
    if (!baud || uart_divisor(uart_st.clk_hz, baud, &ibrd, &fbrd))
        return ERR_RANGE;
    uart_tx_drain(UART_POLL_TIMEOUT_US * 10u);
    uint32_t flags = exc_irq_save();
    mmio_enter();
    uart_disable_idle();
    uart_write_divisors(ibrd, fbrd); /* same LCRH: FIFOs stay on and keep their contents */
    mmio_write32(UART_B, PL011_CR, UART_CR_ON);
    mmio_leave();
    uart_st.baud = baud;
    exc_irq_restore(flags);
    return ERR_OK;
}

uint32_t uart_get_baud(void) { return uart_st.baud; }

uart_port_t uart_port(void) { return uart_cfg->port; }

void uart_puts(const char *s)
{
    uart_write(s, strlen(s));
}

int uart_rx_empty(void)
{
    if (uart_st.irq_mode || uart_st.rx_head != uart_st.rx_tail)
        return uart_st.rx_head == uart_st.rx_tail;
    mmio_enter();
    int empty = hw_rx_empty();
    mmio_leave();
    return empty;
}

int uart_getc(void)
{
    if (uart_st.irq_mode || uart_st.rx_head != uart_st.rx_tail) {
        uint32_t t = uart_st.rx_tail;
        if (t == uart_st.rx_head)
            return ERR_EMPTY;
        cache_dmb(); /* index read before the byte */
        int c = uart_st.rx[t & (UART_RX_RING - 1u)];
        uart_st.rx_tail = t + 1u;
        return c;
    }
    mmio_enter();
    int c = ERR_EMPTY;
    if (!hw_rx_empty())
        c = (int)(hw_rx_get() & PL011_DR_DATA_MASK);
    mmio_leave();
    return c;
}

int uart_tx_drain(uint32_t timeout_us)
{
    uint32_t start = st_now32();
    for (;;) {
        if (!exc_irq_enabled() && uart_st.irq_mode) {
            uint32_t flags = exc_irq_save();
            uart_poll_flush_ring();
            exc_irq_restore(flags);
        }
        mmio_enter();
        bool idle = hw_tx_idle();
        mmio_leave();
        if (uart_st.tx_head == uart_st.tx_tail && idle)
            return ERR_OK;
        if (st_now32() - start > timeout_us)
            return ERR_TIMEOUT;
    }
}

void uart_get_stats(uart_stats_t *out)
{
    uint32_t flags = exc_irq_save();
    *out = uart_st.stats;
    exc_irq_restore(flags);
}

void uart_panic_begin(void)
{
    exc_irq_disable();
    if (uart_st.irq_mode)
        uart_poll_flush_ring();
    uart_st.panic = 1;
}

void uart_panic_write(const char *s)
{
    while (*s)
        uart_poll_putc(*s++);
}
