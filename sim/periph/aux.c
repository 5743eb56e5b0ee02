/* BCM2835 auxiliary peripherals, datasheet chapter 2 (+ errata): the mini UART.
 *
 * Baud = APB clock (250 MHz) / (8 * (BAUD + 1)); frame = 1 start + 7 or 8 data + 1 stop
 * bits (no parity). 8-entry FIFOs. TX: bytes written to IO leave the FIFO into the shift
 * register while AUX_ENABLES.MU and CNTL.TXE are set and reach the link at the end of the
 * frame. RX: a frame arriving with the FIFO full is lost and sets LSR.OE (cleared by
 * reading LSR) and STAT bit 4; with the receiver off it is dropped. DLAB (LCR bit 7)
 * maps IO/IER onto the baud register's low/high bytes. Interrupts (level): RX while
 * IER.RX and the RX FIFO is not empty, TX while IER.TX and the TX FIFO is empty; IIR
 * reports RX first. AUX_IRQ bit 0 and IC source 29 (AUX) follow the mini UART. While
 * AUX_ENABLES.MU is clear the MU registers are not accessible (guest error, reads 0). */
#include "periph/aux.h"
#include "periph/periph.h"
#include "bcm2835/bcm2835.h"

#define AUX_NAME "aux"
#define AUX_SPI1_FIRST   0x80u
#define AUX_LCR_DLAB_BIT (1u << 7)
#define AUX_LCR_DATA8    (1u << 0)  /* errata: bit 0 set = 8 bits (the datasheet says 3) */
#define AUX_IIR_FIFO_ON  0xC0u      /* bits 7:6 read 11: FIFOs always enabled */
#define AUX_MSR_CTS_BIT  (1u << 5)  /* inverse of the CTS pin: the wire is always clear */
#define AUX_CNTL_RESET   (BCM2835_AUX_MU_CNTL_RXE_BIT | BCM2835_AUX_MU_CNTL_TXE_BIT)
/* STAT bits (datasheet 2.2.2, AUX_MU_STAT_REG) */
#define AUX_STAT_SYM_AVAIL  (1u << 0)
#define AUX_STAT_SPACE      (1u << 1)
#define AUX_STAT_RX_IDLE    (1u << 2)
#define AUX_STAT_TX_IDLE    (1u << 3)
#define AUX_STAT_RX_OVERRUN (1u << 4)
#define AUX_STAT_TX_FULL    (1u << 5)
#define AUX_STAT_CTS        (1u << 7)
#define AUX_STAT_TX_EMPTY   (1u << 8)
#define AUX_STAT_TX_DONE    (1u << 9)

static bool aux_mu_on(const bcm2835_aux_t *s) { return (s->enables & BCM2835_AUX_ENABLES_MU_BIT) != 0; }

unsigned bcm2835_aux_frame_bits(const bcm2835_aux_t *s)
{
    return 1u + ((s->lcr & AUX_LCR_DATA8) ? 8u : 7u) + 1u;
}

uint64_t bcm2835_aux_bits_cycles(const bcm2835_aux_t *s, unsigned bits)
{
    return periph_muldiv_ceil((uint64_t)bits * 8u * ((s->baud & 0xFFFFu) + 1u), sim_cpu_hz(s->sim), BCM2835_APB_CLOCK_HZ);
}

static uint64_t aux_frame_cycles(void *opaque)
{
    bcm2835_aux_t *s = opaque;
    return bcm2835_aux_bits_cycles(s, bcm2835_aux_frame_bits(s));
}

static bool aux_rx_irq(const bcm2835_aux_t *s) { return (s->ier & BCM2835_AUX_MU_IER_RX_BIT) && s->rx_count; }
static bool aux_tx_irq(const bcm2835_aux_t *s) { return (s->ier & BCM2835_AUX_MU_IER_TX_BIT) && s->tx_count == 0; }
static bool aux_mu_irq(const bcm2835_aux_t *s) { return aux_mu_on(s) && (aux_rx_irq(s) || aux_tx_irq(s)); }

static void aux_update_irq(bcm2835_aux_t *s)
{
    bool level = aux_mu_irq(s);
    if (level != s->irq_out) {
        s->irq_out = level;
        sim_irq_set(s->sim, BCM2835_IRQ_AUX, level);
    }
}

static bool aux_rx_ready(void *opaque)
{
    const bcm2835_aux_t *s = opaque;
    return aux_mu_on(s) && (s->cntl & BCM2835_AUX_MU_CNTL_RXE_BIT);
}

static void aux_tx_start(bcm2835_aux_t *s)
{
    if (s->tx_shifting || !s->tx_count || !aux_mu_on(s) || !(s->cntl & BCM2835_AUX_MU_CNTL_TXE_BIT)) return;
    s->tx_shift = s->tx_fifo[s->tx_head];
    s->tx_head = (s->tx_head + 1) % BCM2835_AUX_MU_FIFO_DEPTH;
    s->tx_count--;
    s->tx_shifting = true;
    sim_timer_mod(&s->tx_timer, sim_now(s->sim) + aux_frame_cycles(s));
}

static void aux_tx_done(void *opaque)
{
    bcm2835_aux_t *s = opaque;
    SIM_ASSERT(AUX_NAME, s->tx_shifting);
    s->tx_shifting = false;
    s->stats.tx_bytes++;
    if (s->link) uart_link_tx(s->link, s->tx_shift);
    aux_tx_start(s);
    aux_update_irq(s);
}

void bcm2835_aux_rx_frame(void *opaque, uint8_t byte)
{
    bcm2835_aux_t *s = opaque;
    s->stats.rx_bytes++;
    if (!aux_rx_ready(s)) {
        s->stats.rx_dropped_disabled++;
        return;
    }
    if (s->rx_count >= BCM2835_AUX_MU_FIFO_DEPTH) {
        s->stats.rx_overruns++;
        s->lsr_oe = s->stat_oe = true;
        return;
    }
    s->rx_fifo[(s->rx_head + s->rx_count) % BCM2835_AUX_MU_FIFO_DEPTH] = byte;
    s->rx_count++;
    aux_update_irq(s);
}

static uint32_t aux_lsr(bcm2835_aux_t *s, bool consume)
{
    uint32_t r = 0;
    if (s->rx_count) r |= BCM2835_AUX_MU_LSR_DR_BIT;
    if (s->lsr_oe) r |= BCM2835_AUX_MU_LSR_OE_BIT;
    if (s->tx_count < BCM2835_AUX_MU_FIFO_DEPTH) r |= BCM2835_AUX_MU_LSR_TXE_BIT;
    if (!s->tx_count && !s->tx_shifting) r |= BCM2835_AUX_MU_LSR_TXIDLE_BIT;
    if (consume) s->lsr_oe = false;
    return r;
}

static uint32_t aux_stat(const bcm2835_aux_t *s)
{
    uint32_t r = AUX_STAT_CTS;
    if (s->rx_count) r |= AUX_STAT_SYM_AVAIL;
    if (s->tx_count < BCM2835_AUX_MU_FIFO_DEPTH) r |= AUX_STAT_SPACE;
    else r |= AUX_STAT_TX_FULL;
    r |= AUX_STAT_RX_IDLE; /* the receiver state machine is not modelled between frames */
    if (!s->tx_shifting) r |= AUX_STAT_TX_IDLE;
    if (s->stat_oe) r |= AUX_STAT_RX_OVERRUN;
    if (!s->tx_count) r |= AUX_STAT_TX_EMPTY;
    if (!s->tx_count && !s->tx_shifting) r |= AUX_STAT_TX_DONE;
    r |= (uint32_t)s->rx_count << BCM2835_AUX_MU_STAT_RX_LEVEL_SHIFT;
    r |= (uint32_t)s->tx_count << BCM2835_AUX_MU_STAT_TX_LEVEL_SHIFT;
    return r;
}

static uint32_t aux_read(void *opaque, uint32_t off, unsigned size)
{
    bcm2835_aux_t *s = opaque;
    uint32_t woff = periph_word_off(off), r = 0;
    if (woff == BCM2835_AUX_IRQ) return periph_sub_read(aux_mu_irq(s) ? BCM2835_AUX_IRQ_MU_BIT : 0, off, size);
    if (woff == BCM2835_AUX_ENABLES) return periph_sub_read(s->enables, off, size);
    if (woff >= AUX_SPI1_FIRST) {
        sim_unimp(s->sim, AUX_NAME, "SPI1/SPI2 read at 0x%02x", off);
        return 0;
    }
    if (!aux_mu_on(s)) {
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, AUX_NAME, "MU read at 0x%02x with the mini UART disabled", off);
        return 0;
    }
    switch (woff) {
    case BCM2835_AUX_MU_IO:
        if (s->lcr & AUX_LCR_DLAB_BIT) {
            r = s->baud & 0xFFu;
        } else if (s->rx_count) {
            r = s->rx_fifo[s->rx_head];
            s->rx_head = (s->rx_head + 1) % BCM2835_AUX_MU_FIFO_DEPTH;
            s->rx_count--;
        }
        break;
    case BCM2835_AUX_MU_IER: r = (s->lcr & AUX_LCR_DLAB_BIT) ? (s->baud >> 8) & 0xFFu : s->ier; break;
    case BCM2835_AUX_MU_IIR:
        r = AUX_IIR_FIFO_ON;
        if (aux_rx_irq(s)) r |= BCM2835_AUX_MU_IIR_ID_RX;
        else if (aux_tx_irq(s)) r |= BCM2835_AUX_MU_IIR_ID_TX;
        else r |= BCM2835_AUX_MU_IIR_PENDING_N;
        break;
    case BCM2835_AUX_MU_LCR: r = s->lcr; break;
    case BCM2835_AUX_MU_MCR: r = s->mcr; break;
    case BCM2835_AUX_MU_LSR: r = aux_lsr(s, true); break;
    case BCM2835_AUX_MU_MSR: r = AUX_MSR_CTS_BIT; break;
    case BCM2835_AUX_MU_SCRATCH: r = s->scratch; break;
    case BCM2835_AUX_MU_CNTL: r = s->cntl; break;
    case BCM2835_AUX_MU_STAT: r = aux_stat(s); break;
    case BCM2835_AUX_MU_BAUD: r = s->baud; break;
    default: PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, AUX_NAME, "read of unknown offset 0x%02x", off); break;
    }
    aux_update_irq(s);
    return periph_sub_read(r, off, size);
}

static void aux_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    bcm2835_aux_t *s = opaque;
    if (off & 3) {
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, AUX_NAME, "unaligned %u-byte write at 0x%02x ignored", size, off);
        return;
    }
    if (off == BCM2835_AUX_IRQ) {
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, AUX_NAME, "write to read-only AUX_IRQ");
        return;
    }
    if (off == BCM2835_AUX_ENABLES) {
        bool was = aux_mu_on(s);
        if (val & ~7u) PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, AUX_NAME, "ENABLES reserved bits 0x%x", val);
        if (val & 6u) sim_unimp(s->sim, AUX_NAME, "SPI1/SPI2 enabled (not modelled)");
        s->enables = val & 7u;
        if (was && !aux_mu_on(s)) { /* disabling the mini UART resets it */
            sim_timer_del(&s->tx_timer);
            s->tx_shifting = false;
            s->rx_count = s->tx_count = 0;
        }
        aux_tx_start(s);
        if (s->link) uart_link_rx_kick(s->link);
        aux_update_irq(s);
        return;
    }
    if (off >= AUX_SPI1_FIRST) {
        sim_unimp(s->sim, AUX_NAME, "SPI1/SPI2 write 0x%x at 0x%02x", val, off);
        return;
    }
    if (!aux_mu_on(s)) {
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, AUX_NAME, "MU write 0x%x at 0x%02x with the mini UART disabled", val, off);
        return;
    }
    switch (off) {
    case BCM2835_AUX_MU_IO:
        if (s->lcr & AUX_LCR_DLAB_BIT) {
            s->baud = (s->baud & 0xFF00u) | (val & 0xFFu);
        } else if (s->tx_count >= BCM2835_AUX_MU_FIFO_DEPTH) {
            s->stats.tx_fifo_overflows++;
            PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, AUX_NAME, "IO write 0x%02x with the TX FIFO full: lost", val & 0xFFu);
        } else {
            s->tx_fifo[(s->tx_head + s->tx_count) % BCM2835_AUX_MU_FIFO_DEPTH] = (uint8_t)val;
            s->tx_count++;
            aux_tx_start(s);
        }
        break;
    case BCM2835_AUX_MU_IER:
        if (s->lcr & AUX_LCR_DLAB_BIT) s->baud = (s->baud & 0xFFu) | (val & 0xFFu) << 8;
        else s->ier = val & 0xFFu;
        break;
    case BCM2835_AUX_MU_IIR:
        if (val & BCM2835_AUX_MU_IIR_CLR_RX) s->rx_count = 0;
        if (val & BCM2835_AUX_MU_IIR_CLR_TX) s->tx_count = 0;
        break;
    case BCM2835_AUX_MU_LCR: s->lcr = val & 0xFFu; break;
    case BCM2835_AUX_MU_MCR: s->mcr = val & 0xFFu; break;
    case BCM2835_AUX_MU_SCRATCH: s->scratch = val & 0xFFu; break;
    case BCM2835_AUX_MU_CNTL:
        s->cntl = val & 0xFFu;
        aux_tx_start(s);
        if (s->link) uart_link_rx_kick(s->link);
        break;
    case BCM2835_AUX_MU_BAUD: s->baud = val & 0xFFFFu; break;
    case BCM2835_AUX_MU_LSR:
    case BCM2835_AUX_MU_MSR:
    case BCM2835_AUX_MU_STAT:
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, AUX_NAME, "write 0x%x to read-only 0x%02x", val, off);
        break;
    default:
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, AUX_NAME, "write 0x%x to unknown offset 0x%02x", val, off);
        break;
    }
    aux_update_irq(s);
}

static void aux_reset_regs(bcm2835_aux_t *s)
{
    s->enables = 0;
    s->rx_head = s->rx_count = s->tx_head = s->tx_count = 0;
    s->tx_shifting = false;
    s->ier = s->lcr = s->mcr = s->scratch = s->baud = 0;
    s->cntl = AUX_CNTL_RESET;
    s->lsr_oe = s->stat_oe = false;
    s->irq_out = false;
}

void bcm2835_aux_reset(void *opaque)
{
    bcm2835_aux_t *s = opaque;
    sim_timer_del(&s->tx_timer);
    aux_reset_regs(s);
    sim_irq_set(s->sim, BCM2835_IRQ_AUX, false);
}

void bcm2835_aux_init(bcm2835_aux_t *s, sim_t *sim, uart_link_t *link)
{
    *s = (bcm2835_aux_t){ .sim = sim, .link = link };
    sim_timer_init(&s->tx_timer, sim, aux_tx_done, s);
    aux_reset_regs(s);
    if (link) uart_link_attach_port(link, &bcm2835_aux_port_ops, s);
}

void bcm2835_aux_fini(bcm2835_aux_t *s) { sim_timer_del(&s->tx_timer); }

const uart_port_ops_t bcm2835_aux_port_ops = {
    .rx_ready = aux_rx_ready,
    .frame_cycles = aux_frame_cycles,
    .rx_frame = bcm2835_aux_rx_frame,
};

const sim_dev_ops_t bcm2835_aux_ops = {
    .name = AUX_NAME,
    .read = aux_read,
    .write = aux_write,
    .reset = bcm2835_aux_reset,
};
