/* PL011: byte timing in cycles, FIFO levels and flags, RX overrun, RT and TX interrupts. */
#include "devtest.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/ic.h"
#include "bcm2835/pl011.h"
#include "link/uart_link.h"
#include "periph/pl011.h"

#define U(off) (BCM2835_UART0_BASE + (off))
/* 115200 baud from 48 MHz: divisor 26 + 3/64 = 1667/64; bit time = 1667 / (4 * 48e6) s.
 * 8N1 frame at 700 MHz: ceil(10 * 1667 * 700e6 / 192e6) = ceil(60776.04) */
#define F115200_700 60777u
/* 57600: 52 + 5/64 = 3333/64 -> ceil(10 * 3333 * 700e6 / 192e6) = ceil(121515.625) */
#define F57600_700 121516u
/* 115200 at 1 GHz: ceil(10 * 1667 * 1e9 / 192e6) = ceil(86822.9) */
#define F115200_1G 86823u
/* receive timeout, 32 bit times at 115200 / 700 MHz: ceil(32 * 1667 * 700 / 192) */
#define RT115200_700 194484u

typedef struct {
    uint8_t b[64];
    uint64_t t[64];
    unsigned n;
    sim_t *sim;
} rec_t;

static void rec_tx(void *opaque, uint8_t b)
{
    rec_t *r = opaque;
    if (r->n < 64) {
        r->b[r->n] = b;
        r->t[r->n] = sim_now(r->sim);
        r->n++;
    }
}

static void uart_setup(sim_t *s, uint32_t ibrd, uint32_t fbrd, bool fifo)
{
    wr(s, U(PL011_CR), 0);
    wr(s, U(PL011_IBRD), ibrd);
    wr(s, U(PL011_FBRD), fbrd);
    wr(s, U(PL011_LCRH), PL011_LCRH_WLEN_8 | (fifo ? PL011_LCRH_FEN_BIT : 0));
    wr(s, U(PL011_CR), PL011_CR_UARTEN_BIT | PL011_CR_TXE_BIT | PL011_CR_RXE_BIT);
}

static uart_link_t *link0(sim_t *s) { return soc_uart0_link(sim_soc(s)); }

static void check_rx_timing(sim_board_t board, uint32_t ibrd, uint32_t fbrd, uint64_t frame)
{
    sim_t *s = dt_new(board);
    uart_setup(s, ibrd, fbrd, true);
    CHECK_EQ(bcm2835_pl011_bits_cycles(soc_uart0(sim_soc(s)), 10), frame);
    dt_advance_to(s, 1000);
    uint8_t msg[3] = { 'a', 'b', 'c' };
    uart_link_push_rx(link0(s), msg, 3);
    dt_advance_to(s, 1000 + frame - 1);
    CHECK(rd(s, U(PL011_FR)) & PL011_FR_RXFE_BIT);
    dt_advance_to(s, 1000 + frame); /* stop bit of the first frame ends */
    CHECK(!(rd(s, U(PL011_FR)) & PL011_FR_RXFE_BIT));
    CHECK_EQ(rd(s, U(PL011_DR)), 'a');
    CHECK(rd(s, U(PL011_FR)) & PL011_FR_RXFE_BIT);
    /* back-to-back frames: the second one ends exactly one frame later */
    dt_advance_to(s, 1000 + 2 * frame - 1);
    CHECK(rd(s, U(PL011_FR)) & PL011_FR_RXFE_BIT);
    dt_advance_to(s, 1000 + 2 * frame);
    CHECK_EQ(rd(s, U(PL011_DR)), 'b');
    dt_advance_to(s, 1000 + 3 * frame);
    CHECK_EQ(rd(s, U(PL011_DR)), 'c');
    sim_free(s);
}
static void test_rx_timing_115200_700mhz(void) { check_rx_timing(SIM_BOARD_PI1B, 26, 3, F115200_700); }
static void test_rx_timing_57600_700mhz(void) { check_rx_timing(SIM_BOARD_PI1B, 52, 5, F57600_700); }
static void test_rx_timing_115200_1ghz(void) { check_rx_timing(SIM_BOARD_PI0, 26, 3, F115200_1G); }

static void test_frame_format_bits(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    bcm2835_pl011_t *u = soc_uart0(sim_soc(s));
    wr(s, U(PL011_LCRH), PL011_LCRH_WLEN_8);
    CHECK_EQ(bcm2835_pl011_frame_bits(u), 10);
    wr(s, U(PL011_LCRH), PL011_LCRH_WLEN_8 | PL011_LCRH_PEN_BIT | PL011_LCRH_STP2_BIT);
    CHECK_EQ(bcm2835_pl011_frame_bits(u), 12);
    wr(s, U(PL011_LCRH), 0); /* 5 data bits */
    CHECK_EQ(bcm2835_pl011_frame_bits(u), 7);
    sim_free(s);
}

static void test_rx_not_before_enable(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    uint8_t b = 'x';
    uart_link_push_rx(link0(s), &b, 1); /* queued: receiver off (UARTEN = 0 at reset) */
    sim_advance(s, 10 * F115200_700);
    CHECK_EQ(uart_link_rx_pending(link0(s)), 1);
    dt_advance_to(s, 1000000);
    uart_setup(s, 26, 3, true); /* the wire starts now */
    dt_advance_to(s, 1000000 + F115200_700 - 1);
    CHECK(rd(s, U(PL011_FR)) & PL011_FR_RXFE_BIT);
    sim_advance(s, 1);
    CHECK_EQ(rd(s, U(PL011_DR)), 'x');
    sim_free(s);
}

static void test_rx_overrun_17th_byte(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    uart_setup(s, 26, 3, true);
    uint8_t msg[18];
    for (unsigned i = 0; i < 18; i++) msg[i] = (uint8_t)('A' + i);
    uint64_t t0 = sim_now(s);
    uart_link_push_rx(link0(s), msg, 17);
    dt_advance_to(s, t0 + 16 * F115200_700);
    CHECK_EQ(rd(s, U(PL011_FR)) & (PL011_FR_RXFF_BIT | PL011_FR_RXFE_BIT), PL011_FR_RXFF_BIT);
    CHECK_EQ(rd(s, U(PL011_RSRECR)), 0);
    CHECK_EQ(rd(s, U(PL011_RIS)) & PL011_INT_OE_BIT, 0);
    dt_advance_to(s, t0 + 17 * F115200_700);
    CHECK_EQ(rd(s, U(PL011_RSRECR)), PL011_RSR_OE_BIT);
    CHECK(rd(s, U(PL011_RIS)) & PL011_INT_OE_BIT);
    CHECK_EQ(soc_uart0(sim_soc(s))->stats.rx_overruns, 1);
    /* the FIFO keeps the first 16; the 17th is lost */
    for (unsigned i = 0; i < 16; i++) CHECK_EQ(rd(s, U(PL011_DR)), 'A' + i);
    CHECK(rd(s, U(PL011_FR)) & PL011_FR_RXFE_BIT);
    /* the next byte stored carries DR.OE */
    uart_link_push_rx(link0(s), &msg[17], 1);
    sim_advance(s, F115200_700);
    CHECK_EQ(rd(s, U(PL011_DR)), PL011_DR_OE_BIT | 'R');
    wr(s, U(PL011_RSRECR), 0);
    CHECK_EQ(rd(s, U(PL011_RSRECR)), 0);
    wr(s, U(PL011_ICR), PL011_INT_OE_BIT);
    CHECK_EQ(rd(s, U(PL011_RIS)) & PL011_INT_OE_BIT, 0);
    sim_free(s);
}

static void test_rx_overrun_without_fifo(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    uart_setup(s, 26, 3, false); /* FEN = 0: one-entry holding register */
    uint8_t msg[2] = { '1', '2' };
    uint64_t t0 = sim_now(s);
    uart_link_push_rx(link0(s), msg, 2);
    dt_advance_to(s, t0 + F115200_700);
    CHECK(rd(s, U(PL011_FR)) & PL011_FR_RXFF_BIT);
    dt_advance_to(s, t0 + 2 * F115200_700);
    CHECK_EQ(rd(s, U(PL011_RSRECR)), PL011_RSR_OE_BIT);
    CHECK_EQ(rd(s, U(PL011_DR)), '1');
    sim_free(s);
}

static void test_rx_level_interrupt(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    uart_setup(s, 26, 3, true);
    wr(s, U(PL011_IFLS), 2u << PL011_IFLS_RX_SHIFT); /* 1/2: 8 bytes */
    wr(s, U(PL011_IMSC), PL011_INT_RX_BIT);
    wr(s, BCM2835_IC_BASE + BCM2835_IC_ENABLE2, 1u << (BCM2835_IRQ_UART0 - 32));
    uint8_t msg[8] = "01234567";
    uint64_t t0 = sim_now(s);
    uart_link_push_rx(link0(s), msg, 8);
    dt_advance_to(s, t0 + 7 * F115200_700);
    CHECK_EQ(rd(s, U(PL011_RIS)) & PL011_INT_RX_BIT, 0);
    CHECK(!dt_irq(s));
    dt_advance_to(s, t0 + 8 * F115200_700);
    CHECK(rd(s, U(PL011_RIS)) & PL011_INT_RX_BIT);
    CHECK_EQ(rd(s, U(PL011_MIS)), PL011_INT_RX_BIT);
    CHECK(dt_irq(s));
    CHECK_EQ(rd(s, BCM2835_IC_BASE + BCM2835_IC_BASIC_PENDING), 1u << 19); /* UART shortcut */
    rd(s, U(PL011_DR)); /* 7 left: below the trigger */
    CHECK_EQ(rd(s, U(PL011_RIS)) & PL011_INT_RX_BIT, 0);
    CHECK(!dt_irq(s));
    sim_free(s);
}

static void test_rx_timeout_interrupt(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    uart_setup(s, 26, 3, true);
    wr(s, U(PL011_IMSC), PL011_INT_RT_BIT);
    uint8_t b = 'z';
    uint64_t t0 = sim_now(s);
    uart_link_push_rx(link0(s), &b, 1);
    uint64_t t1 = t0 + F115200_700;
    dt_advance_to(s, t1 + RT115200_700 - 1);
    CHECK_EQ(rd(s, U(PL011_RIS)) & PL011_INT_RT_BIT, 0);
    dt_advance_to(s, t1 + RT115200_700);
    CHECK(rd(s, U(PL011_RIS)) & PL011_INT_RT_BIT);
    CHECK(rd(s, U(PL011_MIS)) & PL011_INT_RT_BIT);
    /* emptying the FIFO clears RT */
    CHECK_EQ(rd(s, U(PL011_DR)), 'z');
    CHECK_EQ(rd(s, U(PL011_RIS)) & PL011_INT_RT_BIT, 0);
    /* and no timeout with an empty FIFO */
    sim_advance(s, 2 * RT115200_700);
    CHECK_EQ(rd(s, U(PL011_RIS)) & PL011_INT_RT_BIT, 0);
    sim_free(s);
}

static void test_tx_drain_timing(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    rec_t r = { .sim = s };
    uart_link_add_tx_observer(link0(s), rec_tx, &r);
    uart_setup(s, 26, 3, true);
    dt_advance_to(s, 5000);
    CHECK_EQ(rd(s, U(PL011_FR)) & (PL011_FR_TXFE_BIT | PL011_FR_BUSY_BIT), PL011_FR_TXFE_BIT);
    wr(s, U(PL011_DR), 'h');
    wr(s, U(PL011_DR), 'i');
    wr(s, U(PL011_DR), '!');
    /* 'h' went straight into the shift register; two wait in the FIFO */
    CHECK_EQ(rd(s, U(PL011_FR)) & (PL011_FR_TXFE_BIT | PL011_FR_BUSY_BIT), PL011_FR_BUSY_BIT);
    dt_advance_to(s, 5000 + F115200_700 - 1);
    CHECK_EQ(r.n, 0);
    dt_advance_to(s, 5000 + F115200_700);
    CHECK_EQ(r.n, 1);
    dt_advance_to(s, 5000 + 2 * F115200_700);
    CHECK(rd(s, U(PL011_FR)) & PL011_FR_TXFE_BIT); /* '!' is shifting: FIFO empty */
    CHECK(rd(s, U(PL011_FR)) & PL011_FR_BUSY_BIT);
    dt_advance_to(s, 5000 + 3 * F115200_700);
    CHECK_EQ(r.n, 3);
    CHECK_EQ(r.b[0], 'h');
    CHECK_EQ(r.b[2], '!');
    CHECK_EQ(r.t[0], 5000 + F115200_700);
    CHECK_EQ(r.t[1], 5000 + 2 * F115200_700);
    CHECK_EQ(r.t[2], 5000 + 3 * F115200_700);
    CHECK_EQ(rd(s, U(PL011_FR)) & PL011_FR_BUSY_BIT, 0);
    CHECK_EQ(soc_uart0(sim_soc(s))->stats.tx_bytes, 3);
    sim_free(s);
}

static void test_tx_fifo_full_and_interrupt(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    uart_setup(s, 26, 3, true);
    wr(s, U(PL011_IFLS), 0u << PL011_IFLS_TX_SHIFT); /* 1/8: <= 2 entries */
    wr(s, U(PL011_IMSC), PL011_INT_TX_BIT);
    /* enabling TXIM with an empty FIFO raises nothing (transition-triggered) */
    CHECK_EQ(rd(s, U(PL011_RIS)) & PL011_INT_TX_BIT, 0);
    uint64_t t0 = sim_now(s);
    for (unsigned i = 0; i < 17; i++) wr(s, U(PL011_DR), 'a' + i); /* 1 shifting + 16 */
    CHECK(rd(s, U(PL011_FR)) & PL011_FR_TXFF_BIT);
    uint64_t ge = sim_stats(s)->guest_errors;
    wr(s, U(PL011_DR), 'X'); /* lost */
    CHECK_EQ(sim_stats(s)->guest_errors - ge, 1);
    CHECK_EQ(soc_uart0(sim_soc(s))->stats.tx_fifo_overflows, 1);
    /* FIFO 16 -> 2 after 14 frames: the TX interrupt fires at the crossing */
    dt_advance_to(s, t0 + 13 * F115200_700);
    CHECK_EQ(rd(s, U(PL011_RIS)) & PL011_INT_TX_BIT, 0);
    dt_advance_to(s, t0 + 14 * F115200_700);
    CHECK(rd(s, U(PL011_RIS)) & PL011_INT_TX_BIT);
    /* writing above the level clears it */
    wr(s, U(PL011_DR), '1');
    CHECK_EQ(rd(s, U(PL011_RIS)) & PL011_INT_TX_BIT, 0);
    sim_free(s);
}

static void test_loopback(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    uart_setup(s, 26, 3, true);
    wr(s, U(PL011_CR), PL011_CR_UARTEN_BIT | PL011_CR_TXE_BIT | PL011_CR_RXE_BIT | PL011_CR_LBE_BIT);
    wr(s, U(PL011_DR), 0x5A);
    sim_advance(s, F115200_700);
    CHECK_EQ(rd(s, U(PL011_DR)), 0x5A);
    sim_free(s);
}

static void test_reset_values(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    CHECK_EQ(rd(s, U(PL011_CR)), 0x300);
    CHECK_EQ(rd(s, U(PL011_IFLS)), 0x12);
    CHECK_EQ(rd(s, U(PL011_FR)) & ~PL011_FR_CTS_BIT, PL011_FR_TXFE_BIT | PL011_FR_RXFE_BIT);
    CHECK_EQ(rd(s, U(PL011_PERIPHID0)), 0x11);
    CHECK_EQ(sim_mmio_read(s, U(PL011_FR), 1) & PL011_FR_RXFE_BIT, PL011_FR_RXFE_BIT); /* byte read */
    sim_free(s);
}

int main(void)
{
    RUN(test_rx_timing_115200_700mhz);
    RUN(test_rx_timing_57600_700mhz);
    RUN(test_rx_timing_115200_1ghz);
    RUN(test_frame_format_bits);
    RUN(test_rx_not_before_enable);
    RUN(test_rx_overrun_17th_byte);
    RUN(test_rx_overrun_without_fifo);
    RUN(test_rx_level_interrupt);
    RUN(test_rx_timeout_interrupt);
    RUN(test_tx_drain_timing);
    RUN(test_tx_fifo_full_and_interrupt);
    RUN(test_loopback);
    RUN(test_reset_values);
    return DT_RESULT();
}
