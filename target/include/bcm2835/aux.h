/* BCM2835 auxiliary peripherals: mini UART (UART1), SPI1, SPI2; datasheet chapter 2
 * (base 0x20215000). Mini UART baud = system clock / (8 * (BAUD + 1)); 8-entry FIFOs. */
#ifndef BCM2835_AUX_H
#define BCM2835_AUX_H

#define BCM2835_AUX_IRQ        0x00
#define BCM2835_AUX_ENABLES    0x04
#define BCM2835_AUX_MU_IO      0x40
#define BCM2835_AUX_MU_IER     0x44
#define BCM2835_AUX_MU_IIR     0x48
#define BCM2835_AUX_MU_LCR     0x4C
#define BCM2835_AUX_MU_MCR     0x50
#define BCM2835_AUX_MU_LSR     0x54
#define BCM2835_AUX_MU_MSR     0x58
#define BCM2835_AUX_MU_SCRATCH 0x5C
#define BCM2835_AUX_MU_CNTL    0x60
#define BCM2835_AUX_MU_STAT    0x64
#define BCM2835_AUX_MU_BAUD    0x68
#define BCM2835_AUX_SIZE       0x100
#define BCM2835_AUX_MU_FIFO_DEPTH 8

#define BCM2835_AUX_IRQ_MU_BIT       (1u << 0)
#define BCM2835_AUX_ENABLES_MU_BIT   (1u << 0)
#define BCM2835_AUX_MU_IER_RX_BIT    (1u << 0)  /* receive data available */
#define BCM2835_AUX_MU_IER_TX_BIT    (1u << 1)  /* transmit FIFO empty */
#define BCM2835_AUX_MU_IIR_PENDING_N (1u << 0)  /* 0 while an interrupt is pending */
#define BCM2835_AUX_MU_IIR_ID_MASK   (3u << 1)  /* 01: TX empty, 10: RX data */
#define BCM2835_AUX_MU_IIR_ID_TX     (1u << 1)
#define BCM2835_AUX_MU_IIR_ID_RX     (2u << 1)
#define BCM2835_AUX_MU_IIR_CLR_RX    (1u << 1)  /* write: clear receive FIFO */
#define BCM2835_AUX_MU_IIR_CLR_TX    (1u << 2)  /* write: clear transmit FIFO */
#define BCM2835_AUX_MU_LCR_8BIT      3u
#define BCM2835_AUX_MU_LSR_DR_BIT    (1u << 0)  /* data ready */
#define BCM2835_AUX_MU_LSR_OE_BIT    (1u << 1)  /* receiver overrun (clears on read) */
#define BCM2835_AUX_MU_LSR_TXE_BIT   (1u << 5)  /* transmit FIFO can accept a byte */
#define BCM2835_AUX_MU_LSR_TXIDLE_BIT (1u << 6)
#define BCM2835_AUX_MU_CNTL_RXE_BIT  (1u << 0)
#define BCM2835_AUX_MU_CNTL_TXE_BIT  (1u << 1)
#define BCM2835_AUX_MU_STAT_RX_LEVEL_SHIFT 16
#define BCM2835_AUX_MU_STAT_TX_LEVEL_SHIFT 24

#endif
