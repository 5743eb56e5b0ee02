/* "eno" HAL (seed: "the eno API (EnOcean API)"): the EnOcean modem link on the mini UART
 * (UART1, aux block, datasheet chapter 2). 8N1, receive interrupt (AUX, IRQ 29) handled by
 * VMIT at VMIT_LEVEL_ENO, the highest level: the 8-byte FIFO lasts 694 us at 115200 baud.
 * The handler moves every byte in the FIFO into VMIO deposits (VMIO_EV_RX chunks on the
 * level's deposit queue) for the ESP3 automaton at `dst`. The link is off until
 * eno_start() (QEMU raspi0 wires its second -serial here; the console stays on the PL011).
 * Pins: not muxed here. GPIO14/15 ALT5 would steal the console's pins; on a board, route
 * the modem to the mini UART before eno_start (board work, see the report). */
#ifndef HAL_ENO_H
#define HAL_ENO_H
#include <stddef.h>
#include <stdint.h>
#include "vmio/vmio.h"

#define ENO_DEFAULT_BAUD 57600u
#define ENO_MAX_BAUD 115200u
#define ENO_MIN_BAUD 1200u
#define ENO_CORE_HZ_DEFAULT 250000000u   /* VPU core clock feeding the mini UART */

typedef struct eno_stats {
    uint32_t irqs;        /* handler runs */
    uint32_t bytes;       /* bytes read from the FIFO */
    uint32_t overruns;    /* LSR.OE seen (at least one byte lost in the FIFO) */
    uint32_t rx_dropped;  /* bytes the VMIO deposit queue refused */
} eno_stats_t;

void eno_init(uint32_t core_hz);          /* clock only (0: default); no hardware access */
/* baud 0 = ENO_DEFAULT_BAUD; ERR_RANGE outside ENO_MIN_BAUD..ENO_MAX_BAUD. Resets the
 * counters. Returns the baud rate actually programmed in *actual (may be NULL). */
int eno_start(uint32_t baud, vmio_addr_t dst, uint32_t *actual);
void eno_stop(void);
int eno_running(void);
int eno_write(const uint8_t *p, size_t n);  /* polled, bounded; ERR_TIMEOUT */
void eno_get_stats(eno_stats_t *out);

#endif
