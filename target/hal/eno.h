/* "eno" HAL (seed: "the eno API (EnOcean API)"): the EnOcean modem link, 8N1, on one of
 * the two UARTs, chosen at eno_start():
 *  - ENO_PORT_MINI (UART1, aux block, datasheet chapter 2): receive interrupt AUX (IRQ 29);
 *    the 8-byte FIFO lasts 694 us at 115200 baud. QEMU raspi0 wires its second -serial
 *    here; the console stays on the PL011.
 *  - ENO_PORT_PL011 (UART0, datasheet chapter 13, PL011 TRM): IRQ 57 with the 16-byte
 *    FIFO, RX interrupt at 1/4 full (4 bytes: 12 byte times = 1 ms of slack at 115200) and
 *    the receive-timeout interrupt (32 bit times of idle line) for a telegram's tail. Only
 *    when the console is not on the PL011 (boot command line sk.console=uart1, hal/uart.h):
 *    the modem's TX drives the PL011's RX line from power-on, so the console cannot share
 *    it; ERR_BUSY otherwise. GPIO14/15 ALT0 (the EnOcean Pi's pins) are set up here.
 * Either way the receive interrupt is handled by VMIT at VMIT_LEVEL_ENO, the highest
 * level; the handler moves every byte in the FIFO into VMIO deposits (VMIO_EV_RX chunks on
 * the level's deposit queue) for the ESP3 automaton at `dst`. The link is off until
 * eno_start(). Mini UART pins: not muxed (GPIO14/15 ALT5 would take the PL011's pins; on a
 * board, route the modem to the mini UART before eno_start). */
#ifndef HAL_ENO_H
#define HAL_ENO_H
#include <stddef.h>
#include <stdint.h>
#include "vmio/vmio.h"

#define ENO_DEFAULT_BAUD 57600u
#define ENO_MAX_BAUD 115200u
#define ENO_MIN_BAUD 1200u
#define ENO_CORE_HZ_DEFAULT 250000000u   /* VPU core clock feeding the mini UART */
#define ENO_UART_HZ_DEFAULT 3000000u     /* PL011 reference clock (BCM2835_UART_CLOCK_HZ) */

typedef enum eno_port {
    ENO_PORT_PL011 = 0, /* "uart0" */
    ENO_PORT_MINI = 1,  /* "uart1" */
} eno_port_t;

typedef struct eno_stats {
    uint32_t irqs;        /* handler runs */
    uint32_t bytes;       /* bytes read from the FIFO */
    uint32_t overruns;    /* hardware overrun flags seen (at least one byte lost in the FIFO) */
    uint32_t rx_dropped;  /* bytes the VMIO deposit queue refused */
    uint32_t rx_errors;   /* PL011 framing/parity/break: byte discarded */
} eno_stats_t;

/* Clocks only (0: defaults); no hardware access. */
void eno_init(uint32_t core_hz, uint32_t uart_hz);
/* baud 0 = ENO_DEFAULT_BAUD; ERR_RANGE outside ENO_MIN_BAUD..ENO_MAX_BAUD, ERR_INVAL for a
 * bad port, ERR_BUSY when the port carries the console. Stops a running link first and
 * resets the counters. Returns the baud rate actually programmed in *actual (may be NULL). */
int eno_start(uint32_t baud, eno_port_t port, vmio_addr_t dst, uint32_t *actual);
void eno_stop(void);
int eno_running(void);
eno_port_t eno_port(void);                  /* the port of the last eno_start() */
int eno_write(const uint8_t *p, size_t n);  /* polled, bounded; ERR_TIMEOUT */
void eno_get_stats(eno_stats_t *out);

#endif
