/* ARM PL011 UART model (UART0) with byte timing in simulated cycles. */
#ifndef SIM_PERIPH_PL011_H
#define SIM_PERIPH_PL011_H
#include "core/sim.h"
#include "link/uart_link.h"
#include "bcm2835/pl011.h"

typedef struct bcm2835_pl011 {
    sim_t *sim;
    const char *name;
    unsigned irq;                 /* IC source */
    uart_link_t *link;            /* may be NULL: wire not connected */
    /* RX FIFO entries: data + DR error bits (12 bits) */
    uint16_t rx_fifo[PL011_FIFO_DEPTH];
    unsigned rx_head, rx_count;
    uint8_t tx_fifo[PL011_FIFO_DEPTH];
    unsigned tx_head, tx_count;
    bool tx_shifting;             /* a frame is in the transmit shift register */
    uint8_t tx_shift;
    sim_timer_t tx_timer;         /* end of the frame being shifted out */
    sim_timer_t rt_timer;         /* receive timeout: 32 bit times after the last frame */
    bool rx_pending_oe;           /* attach OE to the next byte written to the FIFO */
    uint32_t rsr, ibrd, fbrd, lcrh, cr, ifls, imsc, ris, dmacr, ilpr;
    bool irq_out;
    struct {
        uint64_t tx_bytes, rx_bytes, rx_overruns, rx_dropped_disabled, tx_fifo_overflows;
        uint64_t guest_errors;
    } stats;
} bcm2835_pl011_t;

extern const sim_dev_ops_t bcm2835_pl011_ops;
void bcm2835_pl011_init(bcm2835_pl011_t *s, sim_t *sim, const char *name, unsigned irq, uart_link_t *link);
void bcm2835_pl011_reset(void *opaque);
void bcm2835_pl011_fini(bcm2835_pl011_t *s);
/* cycles of `bits` bit times at the programmed divisor (rounded up) */
uint64_t bcm2835_pl011_bits_cycles(const bcm2835_pl011_t *s, unsigned bits);
unsigned bcm2835_pl011_frame_bits(const bcm2835_pl011_t *s);
/* a frame completed on the RX wire now (link side; also usable by tests) */
void bcm2835_pl011_rx_frame(void *opaque, uint8_t byte);
bool bcm2835_pl011_rx_ready(void *opaque);
extern const uart_port_ops_t bcm2835_pl011_port_ops;
#endif
