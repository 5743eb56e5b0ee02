/* ARM PrimeCell PL011 UART (UART0), datasheet chapter 13, ARM DDI 0183 (base 0x20201000).
 * Reference clock BCM2835_UART_CLOCK_HZ; divisor = clk / (16 * baud) as IBRD + FBRD/64. */
#ifndef BCM2835_PL011_H
#define BCM2835_PL011_H

#define PL011_DR     0x00
#define PL011_RSRECR 0x04
#define PL011_FR     0x18
#define PL011_ILPR   0x20
#define PL011_IBRD   0x24
#define PL011_FBRD   0x28
#define PL011_LCRH   0x2C
#define PL011_CR     0x30
#define PL011_IFLS   0x34
#define PL011_IMSC   0x38
#define PL011_RIS    0x3C
#define PL011_MIS    0x40
#define PL011_ICR    0x44
#define PL011_DMACR  0x48
#define PL011_ITCR   0x80
#define PL011_ITIP   0x84
#define PL011_ITOP   0x88
#define PL011_TDR    0x8C
#define PL011_PERIPHID0 0xFE0
#define PL011_SIZE   0x1000
#define PL011_FIFO_DEPTH 16

/* DR (read) error bits accompany each received byte */
#define PL011_DR_DATA_MASK 0xFFu
#define PL011_DR_FE_BIT  (1u << 8)
#define PL011_DR_PE_BIT  (1u << 9)
#define PL011_DR_BE_BIT  (1u << 10)
#define PL011_DR_OE_BIT  (1u << 11)
/* RSRECR */
#define PL011_RSR_FE_BIT (1u << 0)
#define PL011_RSR_PE_BIT (1u << 1)
#define PL011_RSR_BE_BIT (1u << 2)
#define PL011_RSR_OE_BIT (1u << 3)
/* FR */
#define PL011_FR_CTS_BIT  (1u << 0)
#define PL011_FR_BUSY_BIT (1u << 3)
#define PL011_FR_RXFE_BIT (1u << 4)
#define PL011_FR_TXFF_BIT (1u << 5)
#define PL011_FR_RXFF_BIT (1u << 6)
#define PL011_FR_TXFE_BIT (1u << 7)
/* LCRH */
#define PL011_LCRH_BRK_BIT  (1u << 0)
#define PL011_LCRH_PEN_BIT  (1u << 1)
#define PL011_LCRH_EPS_BIT  (1u << 2)
#define PL011_LCRH_STP2_BIT (1u << 3)
#define PL011_LCRH_FEN_BIT  (1u << 4)
#define PL011_LCRH_WLEN_SHIFT 5
#define PL011_LCRH_WLEN_MASK  (3u << 5)
#define PL011_LCRH_WLEN_8     (3u << 5)
/* CR */
#define PL011_CR_UARTEN_BIT (1u << 0)
#define PL011_CR_LBE_BIT    (1u << 7)
#define PL011_CR_TXE_BIT    (1u << 8)
#define PL011_CR_RXE_BIT    (1u << 9)
#define PL011_CR_RTS_BIT    (1u << 11)
/* IFLS: FIFO level select, 0: 1/8, 1: 1/4, 2: 1/2, 3: 3/4, 4: 7/8 */
#define PL011_IFLS_TX_SHIFT 0
#define PL011_IFLS_TX_MASK  (7u << 0)
#define PL011_IFLS_RX_SHIFT 3
#define PL011_IFLS_RX_MASK  (7u << 3)
/* IMSC/RIS/MIS/ICR interrupt bits */
#define PL011_INT_RIM_BIT  (1u << 0)
#define PL011_INT_CTSM_BIT (1u << 1)
#define PL011_INT_DCDM_BIT (1u << 2)
#define PL011_INT_DSRM_BIT (1u << 3)
#define PL011_INT_RX_BIT   (1u << 4)
#define PL011_INT_TX_BIT   (1u << 5)
#define PL011_INT_RT_BIT   (1u << 6)
#define PL011_INT_FE_BIT   (1u << 7)
#define PL011_INT_PE_BIT   (1u << 8)
#define PL011_INT_BE_BIT   (1u << 9)
#define PL011_INT_OE_BIT   (1u << 10)
#define PL011_INT_ALL      0x7FFu

#endif
