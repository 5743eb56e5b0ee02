/* Mailbox property channel: a buffer in RAM, the reply after a simulated delay. */
#include "devtest.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/ic.h"
#include "bcm2835/mbox.h"
#include "periph/mbox.h"
#include <string.h>

#define M(off) (BCM2835_MBOX_BASE + (off))
#define BUF 0x00100000u

static uint32_t w(sim_t *s, uint32_t idx)
{
    uint32_t v = 0;
    sim_phys_read(s, BUF + 4 * idx, &v, 4);
    return v;
}

/* send buf (n words) through channel 8 with the uncached bus alias; returns the reply */
static uint32_t call(sim_t *s, const uint32_t *words, size_t n)
{
    sim_phys_write(s, BUF, words, n * 4);
    CHECK_EQ(rd(s, M(BCM2835_MBOX1_STATUS)) & BCM2835_MBOX_STATUS_FULL_BIT, 0);
    wr(s, M(BCM2835_MBOX_WRITE), (0xC0000000u | BUF) | BCM2835_MBOX_CHAN_PROP);
    CHECK(rd(s, M(BCM2835_MBOX_STATUS)) & BCM2835_MBOX_STATUS_EMPTY_BIT);
    uint64_t d = sim_ns_to_cycles(s, BCM2835_MBOX_REPLY_NS);
    sim_advance(s, d - 1);
    CHECK(rd(s, M(BCM2835_MBOX_STATUS)) & BCM2835_MBOX_STATUS_EMPTY_BIT); /* not yet */
    sim_advance(s, 1);
    CHECK_EQ(rd(s, M(BCM2835_MBOX_STATUS)) & BCM2835_MBOX_STATUS_EMPTY_BIT, 0);
    return rd(s, M(BCM2835_MBOX_READ));
}

static void test_board_tags(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    const uint32_t req[] = {
        0, MBOX_PROP_REQUEST,
        MBOX_TAG_GET_FIRMWARE_REV, 4, 0, 0,             /* 2..5 */
        MBOX_TAG_GET_BOARD_REV, 4, 0, 0,                /* 6..9 */
        MBOX_TAG_GET_BOARD_MAC, 8, 0, 0, 0,             /* 10..14 */
        MBOX_TAG_GET_ARM_MEMORY, 8, 0, 0, 0,            /* 15..19 */
        MBOX_TAG_GET_VC_MEMORY, 8, 0, 0, 0,             /* 20..24 */
        MBOX_TAG_GET_BOARD_SERIAL, 8, 0, 0, 0,          /* 25..29 */
        MBOX_TAG_END, 0, 0,
    };
    uint32_t buf[sizeof req / 4];
    memcpy(buf, req, sizeof req);
    buf[0] = sizeof req;
    CHECK_EQ(call(s, buf, sizeof req / 4), 0xC0000000u | BUF | 8);
    CHECK_EQ(w(s, 1), MBOX_PROP_RESPONSE_OK);
    CHECK_EQ(w(s, 4), MBOX_TAG_RESPONSE_BIT | 4);
    CHECK(w(s, 5) != 0);
    CHECK_EQ(w(s, 9), sim_board_revision(s));
    CHECK_EQ(w(s, 9), BCM2835_REV_PI1B);
    CHECK_EQ(w(s, 12), MBOX_TAG_RESPONSE_BIT | 6);
    uint8_t mac[6];
    sim_phys_read(s, BUF + 13 * 4, mac, 6);
    CHECK(memcmp(mac, sim_board_mac(s), 6) == 0);
    CHECK_EQ(w(s, 18), 0);
    CHECK_EQ(w(s, 19), sim_arm_mem_size(s));
    CHECK_EQ(w(s, 23), sim_arm_mem_size(s));
    CHECK_EQ(w(s, 28) | (uint64_t)w(s, 29) << 32, w(s, 28)); /* serial fits 32 bits */
    sim_free(s);
}

static void test_clock_rates_and_power(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI0);
    const uint32_t req[] = {
        0, 0,
        MBOX_TAG_GET_CLOCK_RATE, 8, 0, MBOX_CLOCK_ARM, 0,        /* 2..6 */
        MBOX_TAG_GET_CLOCK_RATE, 8, 0, MBOX_CLOCK_UART, 0,       /* 7..11 */
        MBOX_TAG_GET_MAX_CLOCK_RATE, 8, 0, MBOX_CLOCK_CORE, 0,   /* 12..16 */
        MBOX_TAG_SET_CLOCK_RATE, 12, 0, MBOX_CLOCK_EMMC, 1234, 0, /* 17..22 */
        MBOX_TAG_SET_POWER_STATE, 8, 0, MBOX_POWER_USB, 3,       /* 23..27 */
        MBOX_TAG_GET_TEMPERATURE, 8, 0, 0, 0,                    /* 28..32 */
        0x00099999u, 8, 0, 7, 7,                                 /* 33..37 unknown */
        MBOX_TAG_END,
    };
    uint32_t buf[sizeof req / 4];
    memcpy(buf, req, sizeof req);
    buf[0] = sizeof req;
    call(s, buf, sizeof req / 4);
    CHECK_EQ(w(s, 1), MBOX_PROP_RESPONSE_OK);
    CHECK_EQ(w(s, 6), 1000000000u);
    CHECK_EQ(w(s, 11), BCM2835_UART_CLOCK_HZ);
    CHECK_EQ(w(s, 16), BCM2835_APB_CLOCK_HZ);
    CHECK_EQ(w(s, 21), BCM2835_APB_CLOCK_HZ); /* fixed rate reported */
    CHECK_EQ(w(s, 27) & 1u, 1);
    CHECK_EQ(w(s, 32), 45000);
    CHECK_EQ(w(s, 35), MBOX_TAG_RESPONSE_BIT); /* unknown: response bit, length 0 */
    CHECK_EQ(w(s, 36), 7);                     /* untouched */
    sim_free(s);
}

static void test_irq_and_empty_read(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    wr(s, BCM2835_IC_BASE + BCM2835_IC_ENABLE_BASIC, BCM2835_IC_BASIC_ARM_MBOX_BIT);
    wr(s, M(BCM2835_MBOX_CONFIG), BCM2835_MBOX_CONFIG_IRQ_EN_BIT);
    const uint32_t req[] = { 12 + 4 * 4, 0, MBOX_TAG_GET_BOARD_MODEL, 4, 0, 0, MBOX_TAG_END };
    sim_phys_write(s, BUF, req, sizeof req);
    wr(s, M(BCM2835_MBOX_WRITE), BUF | 8);
    CHECK(!dt_irq(s));
    sim_advance(s, sim_ns_to_cycles(s, BCM2835_MBOX_REPLY_NS));
    CHECK(dt_irq(s));
    CHECK_EQ(rd(s, M(BCM2835_MBOX_READ)), BUF | 8);
    CHECK(!dt_irq(s));
    uint64_t ge = sim_stats(s)->guest_errors;
    rd(s, M(BCM2835_MBOX_READ));
    CHECK_EQ(sim_stats(s)->guest_errors - ge, 1);
    sim_free(s);
}

int main(void)
{
    RUN(test_board_tags);
    RUN(test_clock_rates_and_power);
    RUN(test_irq_and_empty_read);
    return DT_RESULT();
}
