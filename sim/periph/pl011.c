/* ARM PrimeCell PL011 UART (ARM DDI 0183; BCM2835 datasheet chapter 13) with timing.
 *
 * Baud: bit time = 16 * (IBRD + FBRD/64) / UARTCLK = (64*IBRD + FBRD) / (4 * UARTCLK)
 * seconds, UARTCLK = BCM2835_UART_CLOCK_HZ; a frame is 1 start + 5..8 data + parity +
 * 1 or 2 stop bits (8N1: 10 bit times). Durations are rounded up to whole cycles.
 *
 * TX: DR writes go to the TX FIFO (16 entries, 1 when LCRH.FEN = 0); while UARTEN and TXE
 * are set, the shift register takes the next byte and holds it for one frame time; at
 * the end of the frame the byte reaches the link (uart_link_tx) or, with LBE, the own
 * receiver. BUSY = shifting or TX FIFO not empty. A write to a full FIFO is lost (guest
 * error, counted).
 * RX: a frame from the link lands in the RX FIFO; with the FIFO full it is lost and
 * RSR.OE / RIS.OE are set (overrun, counted), and the next byte stored carries DR.OE.
 * Interrupts (RIS): RX when the RX FIFO level reaches the IFLS trigger (cleared by reading
 * below it or ICR); TX when the TX FIFO level drops through the IFLS trigger level (the
 * PL011 asserts TXINTR on the transition, not on the level, so enabling TXIM with an
 * empty FIFO raises nothing: drivers prime the FIFO, see Linux and Zephyr pl011
 * drivers); RT when the RX FIFO is not empty and no frame arrived for 32 bit times; OE on
 * overrun. The IRQ line is MIS != 0, recomputed after every change. */
#include "periph/pl011.h"
#include "periph/periph.h"
#include "bcm2835/bcm2835.h"

#define PL011_RT_BITS 32u  /* receive timeout: 32 bit periods of idle line */

static const uint8_t pl011_periph_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static unsigned pl011_depth(const bcm2835_pl011_t *s)
{
    return (s->lcrh & PL011_LCRH_FEN_BIT) ? PL011_FIFO_DEPTH : 1u;
}

/* IFLS 0..4 -> 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO; reserved values act as 1/2 */
static unsigned pl011_level(unsigned sel)
{
    static const unsigned eighths[5] = { 1, 2, 4, 6, 7 };
    return (sel < 5 ? eighths[sel] : 4u) * PL011_FIFO_DEPTH / 8u;
}
static unsigned pl011_rx_trigger(const bcm2835_pl011_t *s)
{
    if (!(s->lcrh & PL011_LCRH_FEN_BIT)) return 1;
    return pl011_level((s->ifls & PL011_IFLS_RX_MASK) >> PL011_IFLS_RX_SHIFT);
}
static unsigned pl011_tx_trigger(const bcm2835_pl011_t *s)
{
    if (!(s->lcrh & PL011_LCRH_FEN_BIT)) return 0;
    return pl011_level((s->ifls & PL011_IFLS_TX_MASK) >> PL011_IFLS_TX_SHIFT);
}

unsigned bcm2835_pl011_frame_bits(const bcm2835_pl011_t *s)
{
    unsigned data = 5u + ((s->lcrh & PL011_LCRH_WLEN_MASK) >> PL011_LCRH_WLEN_SHIFT);
    unsigned parity = (s->lcrh & PL011_LCRH_PEN_BIT) ? 1u : 0u;
    unsigned stop = (s->lcrh & PL011_LCRH_STP2_BIT) ? 2u : 1u;
    return 1u + data + parity + stop;
}

uint64_t bcm2835_pl011_bits_cycles(const bcm2835_pl011_t *s, unsigned bits)
{
    uint64_t div64 = ((uint64_t)(s->ibrd & 0xFFFFu) << 6) | (s->fbrd & 0x3Fu);
    if (div64 < 64) div64 = 64; /* IBRD 0 is invalid: behave as the fastest divisor */
    return periph_muldiv_ceil((uint64_t)bits * div64, sim_cpu_hz(s->sim), 4ull * BCM2835_UART_CLOCK_HZ);
}

static uint64_t pl011_frame_cycles(void *opaque)
{
    bcm2835_pl011_t *s = opaque;
    return bcm2835_pl011_bits_cycles(s, bcm2835_pl011_frame_bits(s));
}

static void pl011_update_irq(bcm2835_pl011_t *s)
{
    bool level = (s->ris & s->imsc) != 0;
    if (level != s->irq_out) {
        s->irq_out = level;
        sim_irq_set(s->sim, s->irq, level);
    }
}

static bool pl011_tx_enabled(const bcm2835_pl011_t *s)
{
    return (s->cr & PL011_CR_UARTEN_BIT) && (s->cr & PL011_CR_TXE_BIT);
}

bool bcm2835_pl011_rx_ready(void *opaque)
{
    const bcm2835_pl011_t *s = opaque;
    return (s->cr & PL011_CR_UARTEN_BIT) && (s->cr & PL011_CR_RXE_BIT);
}

/* move the next byte from the TX FIFO into the shift register if possible */
static void pl011_tx_start(bcm2835_pl011_t *s)
{
    if (s->tx_shifting || s->tx_count == 0 || !pl011_tx_enabled(s)) return;
    unsigned before = s->tx_count;
    s->tx_shift = s->tx_fifo[s->tx_head];
    s->tx_head = (s->tx_head + 1) % PL011_FIFO_DEPTH;
    s->tx_count--;
    s->tx_shifting = true;
    unsigned trig = pl011_tx_trigger(s);
    if (before > trig && s->tx_count <= trig) s->ris |= PL011_INT_TX_BIT;
    sim_timer_mod(&s->tx_timer, sim_now(s->sim) + pl011_frame_cycles(s));
}

static void pl011_rx_push(bcm2835_pl011_t *s, uint8_t byte);

static void pl011_tx_done(void *opaque)
{
    bcm2835_pl011_t *s = opaque;
    SIM_ASSERT(s->name, s->tx_shifting);
    uint8_t b = s->tx_shift;
    s->tx_shifting = false;
    s->stats.tx_bytes++;
    if (s->cr & PL011_CR_LBE_BIT) pl011_rx_push(s, b);
    else if (s->link) uart_link_tx(s->link, b);
    pl011_tx_start(s);
    pl011_update_irq(s);
}

static void pl011_rt_expire(void *opaque)
{
    bcm2835_pl011_t *s = opaque;
    if (s->rx_count) {
        s->ris |= PL011_INT_RT_BIT;
        pl011_update_irq(s);
    }
}

static void pl011_rx_push(bcm2835_pl011_t *s, uint8_t byte)
{
    s->stats.rx_bytes++;
    if (!bcm2835_pl011_rx_ready(s)) {
        s->stats.rx_dropped_disabled++;
        return;
    }
    if (s->rx_count >= pl011_depth(s)) {
        /* overrun: the frame in the shift register is lost, the FIFO is kept */
        s->stats.rx_overruns++;
        s->rsr |= PL011_RSR_OE_BIT;
        s->ris |= PL011_INT_OE_BIT;
        s->rx_pending_oe = true;
    } else {
        uint16_t e = byte;
        if (s->rx_pending_oe) {
            e |= PL011_DR_OE_BIT;
            s->rx_pending_oe = false;
        }
        s->rx_fifo[(s->rx_head + s->rx_count) % PL011_FIFO_DEPTH] = e;
        s->rx_count++;
        if (s->rx_count >= pl011_rx_trigger(s)) s->ris |= PL011_INT_RX_BIT;
    }
    /* the timeout counts from the end of the last frame received */
    sim_timer_mod(&s->rt_timer, sim_now(s->sim) + bcm2835_pl011_bits_cycles(s, PL011_RT_BITS));
    pl011_update_irq(s);
}

void bcm2835_pl011_rx_frame(void *opaque, uint8_t byte)
{
    bcm2835_pl011_t *s = opaque;
    pl011_rx_push(s, byte);
}

static uint32_t pl011_fr(const bcm2835_pl011_t *s)
{
    uint32_t fr = 0;
    if (s->rx_count == 0) fr |= PL011_FR_RXFE_BIT;
    if (s->rx_count >= pl011_depth(s)) fr |= PL011_FR_RXFF_BIT;
    if (s->tx_count == 0) fr |= PL011_FR_TXFE_BIT;
    if (s->tx_count >= pl011_depth(s)) fr |= PL011_FR_TXFF_BIT;
    if (s->tx_shifting || s->tx_count) fr |= PL011_FR_BUSY_BIT;
    /* CTS: the wire has no flow control, report clear-to-send asserted */
    fr |= PL011_FR_CTS_BIT;
    return fr;
}

static uint32_t pl011_read_dr(bcm2835_pl011_t *s)
{
    if (s->rx_count == 0) return 0;
    uint16_t e = s->rx_fifo[s->rx_head];
    s->rx_head = (s->rx_head + 1) % PL011_FIFO_DEPTH;
    s->rx_count--;
    if (s->rx_count < pl011_rx_trigger(s)) s->ris &= ~PL011_INT_RX_BIT;
    if (s->rx_count == 0) s->ris &= ~PL011_INT_RT_BIT;
    pl011_update_irq(s);
    return e;
}

static uint32_t pl011_read(void *opaque, uint32_t off, unsigned size)
{
    bcm2835_pl011_t *s = opaque;
    uint32_t woff = periph_word_off(off);
    uint32_t r = 0;
    if (size == 4 && (off & 3)) PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, s->name, "unaligned read at 0x%03x", off);
    switch (woff) {
    case PL011_DR: r = pl011_read_dr(s); break;
    case PL011_RSRECR: r = s->rsr; break;
    case PL011_FR: r = pl011_fr(s); break;
    case PL011_ILPR: r = s->ilpr; break;
    case PL011_IBRD: r = s->ibrd; break;
    case PL011_FBRD: r = s->fbrd; break;
    case PL011_LCRH: r = s->lcrh; break;
    case PL011_CR: r = s->cr; break;
    case PL011_IFLS: r = s->ifls; break;
    case PL011_IMSC: r = s->imsc; break;
    case PL011_RIS: r = s->ris; break;
    case PL011_MIS: r = s->ris & s->imsc; break;
    case PL011_DMACR: r = s->dmacr; break;
    case PL011_ICR:
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, s->name, "read of write-only ICR");
        break;
    case PL011_ITCR: case PL011_ITIP: case PL011_ITOP: case PL011_TDR:
        sim_unimp(s->sim, s->name, "test register 0x%03x read", woff);
        break;
    default:
        if (woff >= PL011_PERIPHID0 && woff < PL011_PERIPHID0 + 0x20) {
            r = pl011_periph_id[(woff - PL011_PERIPHID0) / 4];
            break;
        }
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, s->name, "read of unknown offset 0x%03x", off);
        break;
    }
    return periph_sub_read(r, off, size);
}

static void pl011_write_dr(bcm2835_pl011_t *s, uint8_t b)
{
    if (s->tx_count >= pl011_depth(s)) {
        s->stats.tx_fifo_overflows++;
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, s->name, "DR write 0x%02x with the TX FIFO full: lost", b);
        return;
    }
    s->tx_fifo[(s->tx_head + s->tx_count) % PL011_FIFO_DEPTH] = b;
    s->tx_count++;
    if (s->tx_count > pl011_tx_trigger(s)) s->ris &= ~PL011_INT_TX_BIT;
    pl011_tx_start(s);
}

static void pl011_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    bcm2835_pl011_t *s = opaque;
    if (off & 3) {
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, s->name, "unaligned %u-byte write at 0x%03x ignored", size, off);
        return;
    }
    switch (off) {
    case PL011_DR: pl011_write_dr(s, (uint8_t)val); break;
    case PL011_RSRECR: s->rsr = 0; break; /* any write clears the error flags */
    case PL011_FR:
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, s->name, "write to read-only FR");
        break;
    case PL011_ILPR: s->ilpr = val & 0xFFu; break;
    case PL011_IBRD: s->ibrd = val & 0xFFFFu; break;
    case PL011_FBRD: s->fbrd = val & 0x3Fu; break;
    case PL011_LCRH:
        /* switching the FIFOs on/off flushes the receive FIFO (as QEMU) */
        if ((s->lcrh ^ val) & PL011_LCRH_FEN_BIT) {
            s->rx_count = 0;
            s->rx_head = 0;
            s->ris &= ~(PL011_INT_RX_BIT | PL011_INT_RT_BIT);
        }
        s->lcrh = val & 0xFFu;
        break;
    case PL011_CR: {
        if ((val & PL011_CR_UARTEN_BIT) && (s->ibrd == 0))
            PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, s->name, "enabled with IBRD = 0 (invalid divisor)");
        s->cr = val & 0xFFFFu;
        pl011_tx_start(s);
        if (s->link) uart_link_rx_kick(s->link);
        break;
    }
    case PL011_IFLS: s->ifls = val & (PL011_IFLS_TX_MASK | PL011_IFLS_RX_MASK); break;
    case PL011_IMSC: s->imsc = val & PL011_INT_ALL; break;
    case PL011_ICR: s->ris &= ~(val & PL011_INT_ALL); break;
    case PL011_DMACR:
        if (val & 7u) sim_unimp(s->sim, s->name, "DMA requests (DMACR 0x%x) not modelled", val);
        s->dmacr = val & 7u;
        break;
    case PL011_RIS: case PL011_MIS:
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, s->name, "write to read-only 0x%03x", off);
        break;
    case PL011_ITCR: case PL011_ITIP: case PL011_ITOP: case PL011_TDR:
        sim_unimp(s->sim, s->name, "test register 0x%03x write 0x%x", off, val);
        break;
    default:
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, s->name, "write 0x%08x to unknown offset 0x%03x", val, off);
        break;
    }
    pl011_update_irq(s);
}

/* registers to their reset values; no side effects on other devices (used by init) */
static void pl011_reset_regs(bcm2835_pl011_t *s)
{
    s->rx_head = s->rx_count = 0;
    s->tx_head = s->tx_count = 0;
    s->tx_shifting = false;
    s->rx_pending_oe = false;
    s->rsr = s->ibrd = s->fbrd = s->lcrh = s->imsc = s->ris = s->dmacr = s->ilpr = 0;
    s->cr = PL011_CR_TXE_BIT | PL011_CR_RXE_BIT; /* reset value 0x300 */
    s->ifls = (2u << PL011_IFLS_RX_SHIFT) | (2u << PL011_IFLS_TX_SHIFT); /* 1/2, 1/2 */
    s->irq_out = false;
}

void bcm2835_pl011_reset(void *opaque)
{
    bcm2835_pl011_t *s = opaque;
    sim_timer_del(&s->tx_timer);
    sim_timer_del(&s->rt_timer);
    pl011_reset_regs(s);
    sim_irq_set(s->sim, s->irq, false);
}

void bcm2835_pl011_init(bcm2835_pl011_t *s, sim_t *sim, const char *name, unsigned irq, uart_link_t *link)
{
    *s = (bcm2835_pl011_t){ .sim = sim, .name = name, .irq = irq, .link = link };
    sim_timer_init(&s->tx_timer, sim, pl011_tx_done, s);
    sim_timer_init(&s->rt_timer, sim, pl011_rt_expire, s);
    pl011_reset_regs(s);
    if (link) uart_link_attach_port(link, &bcm2835_pl011_port_ops, s);
}

void bcm2835_pl011_fini(bcm2835_pl011_t *s)
{
    sim_timer_del(&s->tx_timer);
    sim_timer_del(&s->rt_timer);
}

const uart_port_ops_t bcm2835_pl011_port_ops = {
    .rx_ready = bcm2835_pl011_rx_ready,
    .frame_cycles = pl011_frame_cycles,
    .rx_frame = bcm2835_pl011_rx_frame,
};

const sim_dev_ops_t bcm2835_pl011_ops = {
    .name = "pl011",
    .read = pl011_read,
    .write = pl011_write,
    .reset = bcm2835_pl011_reset,
};
