/* Mini UART: baud from 250 MHz / (8 * (BAUD + 1)), 8-entry FIFOs, LSR overrun, IER/IIR. */
#include "devtest.h"
#include "bcm2835/aux.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/ic.h"
#include "link/uart_link.h"
#include "periph/aux.h"

#define A(off) (BCM2835_AUX_BASE + (off))
/* BAUD = 270 (115313 baud): 8N1 frame = 10 * 8 * 271 / 250e6 s = 60704 cycles at 700 MHz */
#define MU_FRAME_700 60704u

static sim_t *new_with_uart1(void)
{
    sim_config_t cfg;
    sim_config_default(&cfg);
    cfg.uart0_spec = "null";
    cfg.uart1_spec = "null";
    return dt_new_cfg(&cfg);
}

static void mu_setup(sim_t *s)
{
    wr(s, A(BCM2835_AUX_ENABLES), BCM2835_AUX_ENABLES_MU_BIT);
    wr(s, A(BCM2835_AUX_MU_CNTL), 0);
    wr(s, A(BCM2835_AUX_MU_LCR), BCM2835_AUX_MU_LCR_8BIT);
    wr(s, A(BCM2835_AUX_MU_BAUD), 270);
    wr(s, A(BCM2835_AUX_MU_CNTL), BCM2835_AUX_MU_CNTL_RXE_BIT | BCM2835_AUX_MU_CNTL_TXE_BIT);
}

static void test_frame_time(void)
{
    sim_t *s = new_with_uart1();
    mu_setup(s);
    CHECK_EQ(bcm2835_aux_bits_cycles(soc_aux(sim_soc(s)), 10), MU_FRAME_700);
    uint64_t t0 = sim_now(s);
    uint8_t b = 'q';
    uart_link_push_rx(soc_uart1_link(sim_soc(s)), &b, 1);
    dt_advance_to(s, t0 + MU_FRAME_700 - 1);
    CHECK_EQ(rd(s, A(BCM2835_AUX_MU_LSR)) & BCM2835_AUX_MU_LSR_DR_BIT, 0);
    dt_advance_to(s, t0 + MU_FRAME_700);
    CHECK(rd(s, A(BCM2835_AUX_MU_LSR)) & BCM2835_AUX_MU_LSR_DR_BIT);
    CHECK_EQ(rd(s, A(BCM2835_AUX_MU_IO)), 'q');
    sim_free(s);
}

static void test_rx_overrun_9th_byte(void)
{
    sim_t *s = new_with_uart1();
    mu_setup(s);
    uint8_t msg[9] = "ABCDEFGHI";
    uint64_t t0 = sim_now(s);
    uart_link_push_rx(soc_uart1_link(sim_soc(s)), msg, 9);
    dt_advance_to(s, t0 + 8 * MU_FRAME_700);
    CHECK_EQ(rd(s, A(BCM2835_AUX_MU_STAT)) >> BCM2835_AUX_MU_STAT_RX_LEVEL_SHIFT & 0xF, 8);
    dt_advance_to(s, t0 + 9 * MU_FRAME_700);
    uint32_t lsr = rd(s, A(BCM2835_AUX_MU_LSR));
    CHECK(lsr & BCM2835_AUX_MU_LSR_OE_BIT);
    CHECK_EQ(rd(s, A(BCM2835_AUX_MU_LSR)) & BCM2835_AUX_MU_LSR_OE_BIT, 0); /* clears on read */
    CHECK_EQ(soc_aux(sim_soc(s))->stats.rx_overruns, 1);
    for (int i = 0; i < 8; i++) CHECK_EQ(rd(s, A(BCM2835_AUX_MU_IO)), 'A' + i);
    sim_free(s);
}

typedef struct { unsigned n; uint64_t t[8]; sim_t *sim; } rec_t;
static void rec(void *o, uint8_t b)
{
    (void)b;
    rec_t *r = o;
    if (r->n < 8) r->t[r->n] = sim_now(r->sim);
    r->n++;
}

static void test_tx_timing_and_flags(void)
{
    sim_t *s = new_with_uart1();
    rec_t r = { .sim = s };
    uart_link_add_tx_observer(soc_uart1_link(sim_soc(s)), rec, &r);
    mu_setup(s);
    uint64_t t0 = sim_now(s);
    wr(s, A(BCM2835_AUX_MU_IO), 'x');
    wr(s, A(BCM2835_AUX_MU_IO), 'y');
    CHECK_EQ(rd(s, A(BCM2835_AUX_MU_LSR)) & BCM2835_AUX_MU_LSR_TXIDLE_BIT, 0);
    CHECK(rd(s, A(BCM2835_AUX_MU_LSR)) & BCM2835_AUX_MU_LSR_TXE_BIT);
    dt_advance_to(s, t0 + 2 * MU_FRAME_700);
    CHECK_EQ(r.n, 2);
    CHECK_EQ(r.t[0], t0 + MU_FRAME_700);
    CHECK_EQ(r.t[1], t0 + 2 * MU_FRAME_700);
    CHECK(rd(s, A(BCM2835_AUX_MU_LSR)) & BCM2835_AUX_MU_LSR_TXIDLE_BIT);
    CHECK_EQ(soc_aux(sim_soc(s))->stats.tx_bytes, 2);
    sim_free(s);
}

static void test_interrupts(void)
{
    sim_t *s = new_with_uart1();
    mu_setup(s);
    wr(s, BCM2835_IC_BASE + BCM2835_IC_ENABLE1, 1u << BCM2835_IRQ_AUX);
    /* TX empty interrupt: level, as soon as enabled with an empty FIFO */
    wr(s, A(BCM2835_AUX_MU_IER), BCM2835_AUX_MU_IER_TX_BIT);
    CHECK_EQ(rd(s, A(BCM2835_AUX_MU_IIR)) & 7u, BCM2835_AUX_MU_IIR_ID_TX);
    CHECK_EQ(rd(s, A(BCM2835_AUX_IRQ)), BCM2835_AUX_IRQ_MU_BIT);
    CHECK(dt_irq(s));
    wr(s, A(BCM2835_AUX_MU_IER), BCM2835_AUX_MU_IER_RX_BIT);
    CHECK_EQ(rd(s, A(BCM2835_AUX_MU_IIR)) & 1u, BCM2835_AUX_MU_IIR_PENDING_N);
    CHECK(!dt_irq(s));
    uint8_t b = 'r';
    uart_link_push_rx(soc_uart1_link(sim_soc(s)), &b, 1);
    sim_advance(s, MU_FRAME_700);
    CHECK_EQ(rd(s, A(BCM2835_AUX_MU_IIR)) & 7u, BCM2835_AUX_MU_IIR_ID_RX);
    CHECK(dt_irq(s));
    CHECK_EQ(rd(s, A(BCM2835_AUX_MU_IO)), 'r');
    CHECK(!dt_irq(s));
    sim_free(s);
}

static void test_dlab_and_disabled_access(void)
{
    sim_t *s = new_with_uart1();
    uint64_t ge = sim_stats(s)->guest_errors;
    wr(s, A(BCM2835_AUX_MU_BAUD), 5); /* mini UART not enabled yet */
    CHECK_EQ(sim_stats(s)->guest_errors - ge, 1);
    mu_setup(s);
    wr(s, A(BCM2835_AUX_MU_LCR), 0x83); /* DLAB */
    wr(s, A(BCM2835_AUX_MU_IO), 0x34);
    wr(s, A(BCM2835_AUX_MU_IER), 0x12);
    wr(s, A(BCM2835_AUX_MU_LCR), 0x03);
    CHECK_EQ(rd(s, A(BCM2835_AUX_MU_BAUD)), 0x1234);
    sim_free(s);
}

int main(void)
{
    RUN(test_frame_time);
    RUN(test_rx_overrun_9th_byte);
    RUN(test_tx_timing_and_flags);
    RUN(test_interrupts);
    RUN(test_dlab_and_disabled_access);
    return DT_RESULT();
}
