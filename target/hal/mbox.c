/* Mailbox property interface (Raspberry Pi firmware wiki "Mailbox property interface";
 * register layout in bcm2835/mbox.h). The buffer is handed to the VideoCore by its bus
 * address (MEMMAP_GPU_RAM_ALIAS), so the D-cache is cleaned before and invalidated after. */
#include "hal/mbox.h"
#include "hal/mmio.h"
#include "hal/systimer.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/mbox.h"
#include "memmap.h"
#include "err.h"

#define MBOX_BASE ((uintptr_t)BCM2835_MBOX_BASE)
#define MBOX_BUF_WORDS 32u /* 128 bytes: a whole number of 32-byte cache lines */
#define MBOX_MAX_STALE 16  /* bound on unrelated messages discarded while waiting */

/* 32-byte aligned (a cache line, stricter than the 16 bytes the mailbox needs) so that
 * invalidating it never discards a neighbour's dirty data. */
static uint32_t mbox_buf[MBOX_BUF_WORDS] __attribute__((aligned(32)));

static int mbox_wait(uint32_t off, uint32_t bit_clear_wanted, uint32_t start)
{
    while (mmio_read32(MBOX_BASE, off) & bit_clear_wanted) {
        if (st_now32() - start > MBOX_TIMEOUT_US)
            return ERR_TIMEOUT;
    }
    return ERR_OK;
}

int mbox_property(uint32_t *buf, size_t bytes)
{
    uintptr_t addr = (uintptr_t)buf;
    uint32_t start = st_now32();
    int rc;

    if (!buf || (addr & 0xFu) || bytes < 12 || bytes != buf[0])
        return ERR_INVAL;
    cache_dflush_range(addr, bytes);

    mmio_enter();
    rc = mbox_wait(BCM2835_MBOX1_STATUS, BCM2835_MBOX_STATUS_FULL_BIT, start);
    if (rc == ERR_OK)
        mmio_write32(MBOX_BASE, BCM2835_MBOX_WRITE,
                     ((uint32_t)addr | MEMMAP_GPU_RAM_ALIAS) | BCM2835_MBOX_CHAN_PROP);
    for (int stale = 0; rc == ERR_OK; stale++) {
        if (stale > MBOX_MAX_STALE) {
            rc = ERR_IO;
            break;
        }
        rc = mbox_wait(BCM2835_MBOX_STATUS, BCM2835_MBOX_STATUS_EMPTY_BIT, start);
        if (rc)
            break;
        uint32_t msg = mmio_read32(MBOX_BASE, BCM2835_MBOX_READ);
        if ((msg & BCM2835_MBOX_CHAN_MASK) == BCM2835_MBOX_CHAN_PROP)
            break;
    }
    mmio_leave();
    cache_dinval_range(addr, bytes);
    if (rc)
        return rc;
    return buf[1] == MBOX_PROP_RESPONSE_OK ? ERR_OK : ERR_IO;
}

/* One tag with `req_words` request words and room for `val_words` value words. */
static int mbox_tag(uint32_t tag, const uint32_t *req, uint32_t req_words, uint32_t val_words)
{
    uint32_t i, n = 0;
    if (val_words < req_words || val_words + 6u > MBOX_BUF_WORDS)
        return ERR_INVAL;
    mbox_buf[n++] = 0; /* size, below */
    mbox_buf[n++] = MBOX_PROP_REQUEST;
    mbox_buf[n++] = tag;
    mbox_buf[n++] = val_words * 4u; /* value buffer size */
    mbox_buf[n++] = 0;              /* request */
    for (i = 0; i < val_words; i++)
        mbox_buf[n++] = i < req_words ? req[i] : 0;
    mbox_buf[n++] = MBOX_TAG_END;
    mbox_buf[0] = n * 4u;
    int rc = mbox_property(mbox_buf, n * 4u);
    if (rc)
        return rc;
    if (!(mbox_buf[4] & MBOX_TAG_RESPONSE_BIT))
        return ERR_IO;
    return ERR_OK;
}

int mbox_get_board_rev(uint32_t *rev)
{
    int rc = mbox_tag(MBOX_TAG_GET_BOARD_REV, 0, 0, 1);
    if (rc == ERR_OK)
        *rev = mbox_buf[5];
    return rc;
}

int mbox_get_arm_memory(uint32_t *base, uint32_t *size)
{
    int rc = mbox_tag(MBOX_TAG_GET_ARM_MEMORY, 0, 0, 2);
    if (rc == ERR_OK) {
        *base = mbox_buf[5];
        *size = mbox_buf[6];
    }
    return rc;
}

int mbox_get_clock_rate(uint32_t clock_id, uint32_t *hz)
{
    int rc = mbox_tag(MBOX_TAG_GET_CLOCK_RATE, &clock_id, 1, 2);
    if (rc == ERR_OK) {
        if (mbox_buf[5] != clock_id)
            return ERR_IO;
        *hz = mbox_buf[6];
    }
    return rc;
}

int mbox_get_mac(uint8_t mac[6])
{
    int rc = mbox_tag(MBOX_TAG_GET_BOARD_MAC, 0, 0, 2);
    if (rc == ERR_OK) {
        const uint8_t *p = (const uint8_t *)&mbox_buf[5]; /* 6 bytes in network order */
        for (int i = 0; i < 6; i++)
            mac[i] = p[i];
    }
    return rc;
}
