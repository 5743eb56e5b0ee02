/* BCM2835 ARM interrupt controller, datasheet section 7.5.
 *
 * Pending registers show the enabled pending sources (level & enable), as on the board
 * and in QEMU. Basic pending: bits 0..7 ARM sources, bit 8/9 "something in pending 1/2",
 * bits 10..20 shortcuts of GPU sources 7, 9, 10, 18, 19, 53..57, 62. The datasheet notes
 * that the sources with a shortcut are NOT included in the bit 8/9 summaries, so a
 * handler that reads basic pending first must look at the shortcut bits too.
 * FIQ: the one source selected in FIQ control drives the FIQ line (its raw level: the
 * FIQ path does not use the IRQ enable registers) and is removed from the IRQ line. */
#include "periph/ic.h"
#include "periph/periph.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/ic.h"

#define IC_NAME "ic"
#define IC_GPU_SOURCES 64

static const uint8_t ic_shortcuts[BCM2835_IC_BASIC_NSHORTCUTS] = BCM2835_IC_BASIC_SHORTCUTS;

static uint64_t ic_shortcut_mask(void)
{
    uint64_t m = 0;
    for (unsigned i = 0; i < BCM2835_IC_BASIC_NSHORTCUTS; i++) m |= 1ull << ic_shortcuts[i];
    return m;
}

/* source index -> (gpu mask, arm mask) for the FIQ-selected source */
static void ic_fiq_masks(const bcm2835_ic_t *s, uint64_t *gpu, uint8_t *arm)
{
    *gpu = 0;
    *arm = 0;
    if (!s->fiq_enable) return;
    if (s->fiq_source < IC_GPU_SOURCES) *gpu = 1ull << s->fiq_source;
    else if (s->fiq_source < BCM2835_IRQ_COUNT) *arm = (uint8_t)(1u << (s->fiq_source - IC_GPU_SOURCES));
}

static void ic_update(bcm2835_ic_t *s)
{
    uint64_t fgpu;
    uint8_t farm;
    ic_fiq_masks(s, &fgpu, &farm);
    bool fiq = (s->gpu_level & fgpu) || (s->arm_level & farm);
    bool irq = ((s->gpu_level & s->gpu_enable & ~fgpu) != 0) ||
               ((s->arm_level & s->arm_enable & (uint8_t)~farm) != 0);
    if (irq != s->irq_out) {
        s->irq_out = irq;
        if (irq) s->stats.irq_edges++;
        sim_cpu_set_irq(s->sim, irq);
    }
    if (fiq != s->fiq_out) {
        s->fiq_out = fiq;
        if (fiq) s->stats.fiq_edges++;
        sim_cpu_set_fiq(s->sim, fiq);
    }
}

static uint32_t ic_basic_pending(const bcm2835_ic_t *s)
{
    uint64_t gpu = s->gpu_level & s->gpu_enable;
    uint64_t sc = ic_shortcut_mask();
    uint32_t r = (uint32_t)(s->arm_level & s->arm_enable) & BCM2835_IC_BASIC_ARM_MASK;
    uint64_t summary = gpu & ~sc;
    if ((uint32_t)summary) r |= BCM2835_IC_BASIC_PEND1_BIT;
    if (summary >> 32) r |= BCM2835_IC_BASIC_PEND2_BIT;
    for (unsigned i = 0; i < BCM2835_IC_BASIC_NSHORTCUTS; i++)
        if (gpu & (1ull << ic_shortcuts[i])) r |= 1u << (BCM2835_IC_BASIC_SHORTCUT_FIRST + i);
    return r;
}

static uint32_t ic_read(void *opaque, uint32_t off, unsigned size)
{
    bcm2835_ic_t *s = opaque;
    uint32_t r = 0;
    if (size != 4) PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, IC_NAME, "%u-byte read at 0x%02x", size, off);
    switch (periph_word_off(off)) {
    case BCM2835_IC_BASIC_PENDING: r = ic_basic_pending(s); break;
    case BCM2835_IC_PENDING1: r = (uint32_t)(s->gpu_level & s->gpu_enable); break;
    case BCM2835_IC_PENDING2: r = (uint32_t)((s->gpu_level & s->gpu_enable) >> 32); break;
    case BCM2835_IC_FIQ_CONTROL: r = s->fiq_source | (s->fiq_enable ? BCM2835_IC_FIQ_ENABLE_BIT : 0); break;
    case BCM2835_IC_ENABLE1: r = (uint32_t)s->gpu_enable; break;
    case BCM2835_IC_ENABLE2: r = (uint32_t)(s->gpu_enable >> 32); break;
    case BCM2835_IC_ENABLE_BASIC: r = s->arm_enable; break;
    /* the disable registers read as the complement of the enables (as QEMU) */
    case BCM2835_IC_DISABLE1: r = ~(uint32_t)s->gpu_enable; break;
    case BCM2835_IC_DISABLE2: r = ~(uint32_t)(s->gpu_enable >> 32); break;
    case BCM2835_IC_DISABLE_BASIC: r = (uint8_t)~s->arm_enable; break;
    default: PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, IC_NAME, "read of unknown offset 0x%02x", off); break;
    }
    return periph_sub_read(r, off, size);
}

static void ic_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    bcm2835_ic_t *s = opaque;
    if (size != 4) {
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, IC_NAME, "%u-byte write at 0x%02x ignored", size, off);
        return;
    }
    switch (off) {
    case BCM2835_IC_FIQ_CONTROL: {
        uint32_t src = val & BCM2835_IC_FIQ_SOURCE_MASK;
        if (src >= BCM2835_IRQ_COUNT)
            PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, IC_NAME, "FIQ source %u does not exist", src);
        s->fiq_source = (uint8_t)src;
        s->fiq_enable = (val & BCM2835_IC_FIQ_ENABLE_BIT) != 0;
        break;
    }
    case BCM2835_IC_ENABLE1: s->gpu_enable |= val; break;
    case BCM2835_IC_ENABLE2: s->gpu_enable |= (uint64_t)val << 32; break;
    case BCM2835_IC_ENABLE_BASIC: s->arm_enable |= (uint8_t)val; break;
    case BCM2835_IC_DISABLE1: s->gpu_enable &= ~(uint64_t)val; break;
    case BCM2835_IC_DISABLE2: s->gpu_enable &= ~((uint64_t)val << 32); break;
    case BCM2835_IC_DISABLE_BASIC: s->arm_enable &= (uint8_t)~val; break;
    case BCM2835_IC_BASIC_PENDING:
    case BCM2835_IC_PENDING1:
    case BCM2835_IC_PENDING2:
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, IC_NAME, "write 0x%08x to read-only pending register 0x%02x", val, off);
        return;
    default:
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, IC_NAME, "write 0x%08x to unknown offset 0x%02x", val, off);
        return;
    }
    ic_update(s);
}

void bcm2835_ic_reset(void *opaque)
{
    bcm2835_ic_t *s = opaque;
    /* input levels belong to the devices (they re-drive them on their own reset) */
    s->gpu_enable = 0;
    s->arm_enable = 0;
    s->fiq_source = 0;
    s->fiq_enable = false;
    for (unsigned i = 0; i < BCM2835_IRQ_COUNT; i++) s->rise_armed[i] = false;
    ic_update(s);
}

void bcm2835_ic_init(bcm2835_ic_t *s, sim_t *sim)
{
    *s = (bcm2835_ic_t){ .sim = sim };
}

void bcm2835_ic_set_input(bcm2835_ic_t *s, unsigned source, bool level)
{
    SIM_ASSERT(IC_NAME, source < BCM2835_IRQ_COUNT);
    bool old = source < IC_GPU_SOURCES ? (s->gpu_level >> source) & 1
                                       : (s->arm_level >> (source - IC_GPU_SOURCES)) & 1;
    if (level && !old) {
        if (s->rise_armed[source]) s->stats.rises_unconsumed++;
        s->rise_cycle[source] = sim_event_time(s->sim);
        s->rise_seq[source]++;
        s->rise_armed[source] = true;
    }
    if (source < IC_GPU_SOURCES) {
        uint64_t m = 1ull << source;
        s->gpu_level = level ? (s->gpu_level | m) : (s->gpu_level & ~m);
    } else {
        uint8_t m = (uint8_t)(1u << (source - IC_GPU_SOURCES));
        s->arm_level = level ? (uint8_t)(s->arm_level | m) : (uint8_t)(s->arm_level & ~m);
    }
    ic_update(s);
}

bool bcm2835_ic_irq_out(const bcm2835_ic_t *s) { return s->irq_out; }
bool bcm2835_ic_fiq_out(const bcm2835_ic_t *s) { return s->fiq_out; }

uint64_t bcm2835_ic_rise_cycle(const bcm2835_ic_t *s, unsigned source)
{
    return source < BCM2835_IRQ_COUNT ? s->rise_cycle[source] : 0;
}

bool bcm2835_ic_rise_armed(const bcm2835_ic_t *s, unsigned source)
{
    return source < BCM2835_IRQ_COUNT && s->rise_armed[source];
}

uint64_t bcm2835_ic_rise_seq(const bcm2835_ic_t *s, unsigned source)
{
    return source < BCM2835_IRQ_COUNT ? s->rise_seq[source] : 0;
}

bool bcm2835_ic_take_rise(bcm2835_ic_t *s, unsigned source, uint64_t *cycle)
{
    if (source >= BCM2835_IRQ_COUNT || !s->rise_armed[source]) return false;
    s->rise_armed[source] = false;
    *cycle = s->rise_cycle[source];
    return true;
}

const sim_dev_ops_t bcm2835_ic_ops = {
    .name = IC_NAME,
    .read = ic_read,
    .write = ic_write,
    .reset = bcm2835_ic_reset,
};
