/* Console UART driver: 8N1, FIFOs on, interrupt-driven RX and TX rings; polled output before
 * uart_start_irq(), whenever IRQs are masked, and after uart_panic_begin().
 * The console runs on the PL011 (UART0, GPIO14/15 ALT0) by default, or on the mini UART
 * (UART1) when the boot command line says sk.console=uart1 (main.c): that frees the PL011
 * for the EnOcean modem (hal/eno.h). The port is chosen once, at uart_init_port(). The
 * mini UART's pins are not muxed here: on the Pi 1B / Zero header its only pins are
 * GPIO14/15 (ALT5), the PL011's; QEMU raspi0 and the simulator wire it to a second serial
 * line. */
#ifndef HAL_UART_H
#define HAL_UART_H
#include <stddef.h>
#include <stdint.h>

#define UART_DEFAULT_BAUD 115200u
#define UART_RX_RING 4096u  /* power of two; >= 4 KiB so long computations drop no input */
#define UART_TX_RING 4096u  /* power of two */
#define UART_POLL_TIMEOUT_US 10000u

typedef struct uart_stats {
    uint32_t rx_overruns;   /* hardware FIFO overruns (DR.OE) */
    uint32_t rx_dropped;    /* bytes lost because the RX ring was full */
    uint32_t rx_errors;     /* framing/parity/break: byte discarded */
    uint32_t tx_timeouts;   /* bytes dropped after a bounded wait for space */
    uint32_t tx_lines_dropped; /* uart_try_write_line: ring full, line dropped */
} uart_stats_t;

typedef enum uart_port {
    UART_PORT_PL011 = 0, /* UART0 */
    UART_PORT_MINI = 1,  /* UART1, aux block */
} uart_port_t;

#define UART_MINI_CORE_HZ_DEFAULT 250000000u /* VPU core clock feeding the mini UART */

/* Mini UART hardware, shared by the console (here) and the EnOcean link (hal/eno.c):
 * divisor for baud = core / (8 (reg + 1)), rounded to the nearest (ERR_RANGE if none fits);
 * set-up = enabled, 8N1, FIFOs cleared, a stale overrun cleared, IER = ier, RX and TX on.
 * The set-up's caller holds mmio_enter(). */
int uart_mini_divisor(uint32_t core_hz, uint32_t baud, uint32_t *reg);
void uart_mini_hw_setup(uint32_t reg, uint32_t ier);

int uart_init(uint32_t uart_clk_hz, uint32_t baud); /* PL011, polled mode */
/* Polled mode on port; clk_hz: the PL011's reference clock or, for the mini UART, the core
 * clock (0: defaults). ERR_RANGE for an impossible rate, ERR_BUSY after uart_start_irq(). */
int uart_init_port(uart_port_t port, uint32_t clk_hz, uint32_t baud);
uart_port_t uart_port(void);                        /* where the console runs */
int uart_start_irq(void);                           /* needs irq_init() */
void uart_putc(char c);
/* One call = one atomic chunk (never interleaved with another writer's bytes). */
void uart_write(const char *s, size_t len);
/* A complete line (s ends in "\r\n"); starts on a fresh line if another writer left a
 * partial one (prompt, echo): used for VMIO output lines. */
void uart_write_line(const char *s, size_t len);
/* The same, but never waits: ERR_NOSPC (line dropped, counted) when the TX ring lacks
 * room. For run-to-completion levels (VMIO) that must not stall on a slow console. */
int uart_try_write_line(const char *s, size_t len);
/* Change the rate after the TX side drained (console `baud N`); ERR_RANGE if impossible. */
int uart_set_baud(uint32_t baud);
uint32_t uart_get_baud(void);
void uart_puts(const char *s);
int uart_getc(void);          /* byte 0..255, or ERR_EMPTY */
int uart_rx_empty(void);
int uart_tx_drain(uint32_t timeout_us); /* ring and FIFO empty and line idle */
void uart_get_stats(uart_stats_t *out);

/* Fatal paths: switch to polled output for good and write (IRQs masked). */
void uart_panic_begin(void);
void uart_panic_write(const char *s);

#endif
