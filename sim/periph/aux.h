/* BCM2835 auxiliary block: mini UART (UART1) with timing; SPI1/2 not modelled. */
#ifndef SIM_PERIPH_AUX_H
#define SIM_PERIPH_AUX_H
#include "core/sim.h"
#include "link/uart_link.h"
#include "bcm2835/aux.h"

typedef struct bcm2835_aux {
    sim_t *sim;
    uart_link_t *link;            /* NULL: not connected */
    uint32_t enables;
    uint8_t rx_fifo[BCM2835_AUX_MU_FIFO_DEPTH];
    unsigned rx_head, rx_count;
    uint8_t tx_fifo[BCM2835_AUX_MU_FIFO_DEPTH];
    unsigned tx_head, tx_count;
    bool tx_shifting;
    uint8_t tx_shift;
    sim_timer_t tx_timer;
    uint32_t ier, lcr, mcr, scratch, cntl, baud;
    bool lsr_oe, stat_oe;         /* overrun flags: LSR bit clears on LSR read */
    bool irq_out;
    struct {
        uint64_t tx_bytes, rx_bytes, rx_overruns, rx_dropped_disabled, tx_fifo_overflows;
        uint64_t guest_errors;
    } stats;
} bcm2835_aux_t;

extern const sim_dev_ops_t bcm2835_aux_ops;
extern const uart_port_ops_t bcm2835_aux_port_ops;
void bcm2835_aux_init(bcm2835_aux_t *s, sim_t *sim, uart_link_t *link);
void bcm2835_aux_reset(void *opaque);
void bcm2835_aux_fini(bcm2835_aux_t *s);
uint64_t bcm2835_aux_bits_cycles(const bcm2835_aux_t *s, unsigned bits);
unsigned bcm2835_aux_frame_bits(const bcm2835_aux_t *s);
void bcm2835_aux_rx_frame(void *opaque, uint8_t byte);
#endif
