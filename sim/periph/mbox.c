/* BCM2835 mailbox (ARM side, base 0x2000B880) and a stand-in for the VideoCore
 * firmware's property interface (channel 8), as documented on the Raspberry Pi firmware
 * wiki "Mailbox property interface" and modelled by QEMU bcm2835_property.c.
 *
 * The ARM writes (bus address of a 16-byte aligned buffer | channel) to mailbox 1 WRITE
 * (0x20); MBOX1_STATUS (0x38) shows FULL while the 8-entry queue is full. After
 * BCM2835_MBOX_REPLY_NS of simulated time the firmware has processed the buffer in RAM
 * and puts the same word into mailbox 0, read at READ (0x00); STATUS (0x18) shows EMPTY
 * while nothing is there. CONFIG bit 0 raises ARM_MBOX (basic source 65) while mailbox 0
 * holds data. Bus addresses are converted with the alias bits (0x40000000/0xC0000000)
 * masked off. Unknown tags get the response bit with length 0 (as the firmware does). */
#include "periph/mbox.h"
#include "periph/periph.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/mbox.h"
#include <stdlib.h>
#include <string.h>

#define MBOX_NAME "mbox"
#define MBOX_BUS_ALIAS_MASK 0xC0000000u
#define MBOX_PROP_MAX       0x10000u       /* largest property buffer accepted */
#define MBOX_FIRMWARE_REV   346337u        /* what QEMU reports */
#define MBOX_BOARD_MODEL    0u
#define MBOX_TEMPERATURE_MC 45000u         /* 45.000 degrees C */
#define MBOX_POWER_ON_BIT   (1u << 0)
#define MBOX_POWER_NODEV_BIT (1u << 1)
#define MBOX_DEFAULT_RAM    (512u << 20)

static void mbox_update_irq(bcm2835_mbox_t *s)
{
    bool level = (s->config & BCM2835_MBOX_CONFIG_IRQ_EN_BIT) && s->rq_count;
    if (level != s->irq_out) {
        s->irq_out = level;
        sim_irq_set(s->sim, BCM2835_IRQ_ARM_MBOX, level);
    }
}

static uint32_t mbox_clock_rate(const bcm2835_mbox_t *s, uint32_t id)
{
    switch (id) {
    case MBOX_CLOCK_ARM: return (uint32_t)sim_cpu_hz(s->sim);
    case MBOX_CLOCK_UART: return BCM2835_UART_CLOCK_HZ;
    case MBOX_CLOCK_CORE: return BCM2835_APB_CLOCK_HZ;
    case MBOX_CLOCK_EMMC: return BCM2835_APB_CLOCK_HZ;
    default: return 0; /* clock does not exist */
    }
}

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }

/* answer one tag; val points at the value buffer of bufsize bytes; returns the response
 * length in bytes, or -1 for an unknown tag */
static int mbox_tag(bcm2835_mbox_t *s, uint32_t tag, uint8_t *val, uint32_t bufsize)
{
    uint8_t out[16] = { 0 };
    int len;
    uint32_t a0 = bufsize >= 4 ? rd32(val) : 0, a1 = bufsize >= 8 ? rd32(val + 4) : 0;
    const sim_config_t *cfg = sim_get_config(s->sim);
    uint32_t ram = cfg && cfg->ram_size ? cfg->ram_size : MBOX_DEFAULT_RAM;
    switch (tag) {
    case MBOX_TAG_GET_FIRMWARE_REV: wr32(out, MBOX_FIRMWARE_REV); len = 4; break;
    case MBOX_TAG_GET_BOARD_MODEL: wr32(out, MBOX_BOARD_MODEL); len = 4; break;
    case MBOX_TAG_GET_BOARD_REV: wr32(out, sim_board_revision(s->sim)); len = 4; break;
    case MBOX_TAG_GET_BOARD_MAC: memcpy(out, sim_board_mac(s->sim), 6); len = 6; break;
    case MBOX_TAG_GET_BOARD_SERIAL: {
        /* serial: derived from the MAC's low three bytes, as on real boards */
        const uint8_t *mac = sim_board_mac(s->sim);
        wr32(out, 0x10000000u | (uint32_t)mac[3] << 16 | (uint32_t)mac[4] << 8 | mac[5]);
        wr32(out + 4, 0);
        len = 8;
        break;
    }
    case MBOX_TAG_GET_ARM_MEMORY: wr32(out, 0); wr32(out + 4, sim_arm_mem_size(s->sim)); len = 8; break;
    case MBOX_TAG_GET_VC_MEMORY: {
        uint32_t arm = sim_arm_mem_size(s->sim);
        wr32(out, arm);
        wr32(out + 4, ram > arm ? ram - arm : 0);
        len = 8;
        break;
    }
    case MBOX_TAG_GET_CLOCK_RATE:
    case MBOX_TAG_GET_MAX_CLOCK_RATE:
    case MBOX_TAG_SET_CLOCK_RATE: /* accepted; the clocks are fixed, report the real rate */
        wr32(out, a0);
        wr32(out + 4, mbox_clock_rate(s, a0));
        len = 8;
        break;
    case MBOX_TAG_GET_POWER_STATE:
    case MBOX_TAG_SET_POWER_STATE: {
        uint32_t st;
        if (a0 == MBOX_POWER_SD || a0 == MBOX_POWER_USB) st = MBOX_POWER_ON_BIT; /* always on */
        else st = tag == MBOX_TAG_SET_POWER_STATE ? (a1 & MBOX_POWER_ON_BIT) : 0;
        wr32(out, a0);
        wr32(out + 4, st);
        len = 8;
        break;
    }
    case MBOX_TAG_GET_TEMPERATURE: wr32(out, a0); wr32(out + 4, MBOX_TEMPERATURE_MC); len = 8; break;
    default: return -1;
    }
    memcpy(val, out, (size_t)len < bufsize ? (size_t)len : bufsize);
    return len;
}

static void mbox_property(bcm2835_mbox_t *s, uint32_t addr)
{
    uint8_t hdr[8];
    s->stats.prop_requests++;
    if (sim_phys_read(s->sim, addr, hdr, sizeof hdr) < 0) {
        s->stats.bad_buffers++;
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, MBOX_NAME, "property buffer 0x%08x outside RAM", addr);
        return;
    }
    uint32_t size = rd32(hdr);
    if (size < 12 || size > MBOX_PROP_MAX || (size & 3u) || (addr & 15u)) {
        s->stats.bad_buffers++;
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, MBOX_NAME, "bad property buffer 0x%08x size %u", addr, size);
        wr32(hdr + 4, MBOX_PROP_RESPONSE_ERR);
        sim_phys_write(s->sim, addr + 4, hdr + 4, 4);
        return;
    }
    uint8_t *buf = malloc(size);
    SIM_ASSERT(MBOX_NAME, buf != NULL);
    if (sim_phys_read(s->sim, addr, buf, size) < 0) {
        s->stats.bad_buffers++;
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, MBOX_NAME, "property buffer 0x%08x+%u outside RAM", addr, size);
        free(buf);
        return;
    }
    uint32_t code = MBOX_PROP_RESPONSE_OK;
    uint32_t p = 8;
    for (unsigned guard = 0; guard < MBOX_PROP_MAX / 4; guard++) {
        if (p + 4 > size) {
            code = MBOX_PROP_RESPONSE_ERR; /* no end tag */
            break;
        }
        uint32_t tag = rd32(buf + p);
        if (tag == MBOX_TAG_END) break;
        if (p + 12 > size) {
            code = MBOX_PROP_RESPONSE_ERR;
            break;
        }
        uint32_t bufsize = rd32(buf + p + 4);
        if (bufsize > size - p - 12) {
            PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, MBOX_NAME, "tag 0x%08x value buffer %u overruns the buffer", tag, bufsize);
            code = MBOX_PROP_RESPONSE_ERR;
            break;
        }
        int len = mbox_tag(s, tag, buf + p + 12, bufsize);
        if (len < 0) {
            s->stats.unknown_tags++;
            sim_unimp(s->sim, MBOX_NAME, "property tag 0x%08x", tag);
            len = 0;
        }
        wr32(buf + p + 8, MBOX_TAG_RESPONSE_BIT | (uint32_t)len);
        p += 12 + ((bufsize + 3u) & ~3u);
    }
    wr32(buf + 4, code);
    sim_phys_write(s->sim, addr, buf, size);
    free(buf);
}

static void mbox_process(void *opaque)
{
    bcm2835_mbox_t *s = opaque;
    if (s->wq_count == 0) return;
    if (s->rq_count >= BCM2835_MBOX_QUEUE) {
        /* the ARM has not read its replies: the firmware waits */
        sim_timer_mod(&s->timer, sim_now(s->sim) + sim_ns_to_cycles(s->sim, BCM2835_MBOX_REPLY_NS));
        return;
    }
    uint32_t msg = s->wq[s->wq_head];
    s->wq_head = (s->wq_head + 1) % BCM2835_MBOX_QUEUE;
    s->wq_count--;
    uint32_t chan = msg & BCM2835_MBOX_CHAN_MASK;
    bool reply = true;
    if (chan == BCM2835_MBOX_CHAN_PROP) {
        mbox_property(s, (msg & ~BCM2835_MBOX_CHAN_MASK) & ~MBOX_BUS_ALIAS_MASK);
    } else {
        sim_unimp(s->sim, MBOX_NAME, "channel %u message 0x%08x (no reply)", chan, msg);
        reply = false;
    }
    if (reply) {
        s->rq[(s->rq_head + s->rq_count) % BCM2835_MBOX_QUEUE] = msg;
        s->rq_count++;
    }
    if (s->wq_count) sim_timer_mod(&s->timer, sim_now(s->sim) + sim_ns_to_cycles(s->sim, BCM2835_MBOX_REPLY_NS));
    mbox_update_irq(s);
}

static uint32_t mbox_status0(const bcm2835_mbox_t *s)
{
    uint32_t r = s->rq_count;
    if (s->rq_count == 0) r |= BCM2835_MBOX_STATUS_EMPTY_BIT;
    if (s->rq_count >= BCM2835_MBOX_QUEUE) r |= BCM2835_MBOX_STATUS_FULL_BIT;
    return r;
}

static uint32_t mbox_read(void *opaque, uint32_t off, unsigned size)
{
    bcm2835_mbox_t *s = opaque;
    uint32_t r = 0;
    if (size != 4) PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, MBOX_NAME, "%u-byte read at 0x%02x", size, off);
    switch (periph_word_off(off)) {
    case BCM2835_MBOX_READ:
        if (s->rq_count == 0) {
            PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, MBOX_NAME, "read of empty mailbox 0");
            r = 0xFFFFFFFFu;
            break;
        }
        r = s->rq[s->rq_head];
        s->rq_head = (s->rq_head + 1) % BCM2835_MBOX_QUEUE;
        s->rq_count--;
        mbox_update_irq(s);
        break;
    case BCM2835_MBOX_PEEK: r = s->rq_count ? s->rq[s->rq_head] : 0xFFFFFFFFu; break;
    case BCM2835_MBOX_SENDER: r = 0; break;
    case BCM2835_MBOX_STATUS: r = mbox_status0(s); break;
    case BCM2835_MBOX_CONFIG: r = s->config; break;
    case BCM2835_MBOX1_STATUS: {
        r = s->wq_count;
        if (s->wq_count == 0) r |= BCM2835_MBOX_STATUS_EMPTY_BIT;
        if (s->wq_count >= BCM2835_MBOX_QUEUE) r |= BCM2835_MBOX_STATUS_FULL_BIT;
        break;
    }
    default: PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, MBOX_NAME, "read of unknown offset 0x%02x", off); break;
    }
    return periph_sub_read(r, off, size);
}

static void mbox_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    bcm2835_mbox_t *s = opaque;
    if (size != 4) {
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, MBOX_NAME, "%u-byte write at 0x%02x ignored", size, off);
        return;
    }
    switch (off) {
    case BCM2835_MBOX_WRITE:
        if (s->wq_count >= BCM2835_MBOX_QUEUE) {
            PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, MBOX_NAME, "write 0x%08x to full mailbox 1: lost", val);
            return;
        }
        s->stats.messages++;
        s->wq[(s->wq_head + s->wq_count) % BCM2835_MBOX_QUEUE] = val;
        s->wq_count++;
        if (!sim_timer_pending(&s->timer))
            sim_timer_mod(&s->timer, sim_now(s->sim) + sim_ns_to_cycles(s->sim, BCM2835_MBOX_REPLY_NS));
        break;
    case BCM2835_MBOX_CONFIG:
        s->config = val & BCM2835_MBOX_CONFIG_IRQ_EN_BIT;
        mbox_update_irq(s);
        break;
    default:
        PERIPH_GUEST_ERROR(s->sim, s->stats.guest_errors, MBOX_NAME, "write 0x%08x to 0x%02x", val, off);
        break;
    }
}

void bcm2835_mbox_reset(void *opaque)
{
    bcm2835_mbox_t *s = opaque;
    sim_timer_del(&s->timer);
    s->rq_head = s->rq_count = s->wq_head = s->wq_count = 0;
    s->config = 0;
    mbox_update_irq(s);
}

void bcm2835_mbox_init(bcm2835_mbox_t *s, sim_t *sim)
{
    *s = (bcm2835_mbox_t){ .sim = sim };
    sim_timer_init(&s->timer, sim, mbox_process, s);
}

void bcm2835_mbox_fini(bcm2835_mbox_t *s) { sim_timer_del(&s->timer); }

const sim_dev_ops_t bcm2835_mbox_ops = {
    .name = MBOX_NAME,
    .read = mbox_read,
    .write = mbox_write,
    .reset = bcm2835_mbox_reset,
};
