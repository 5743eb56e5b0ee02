/* LAN9512/9514 bulk framing (see lan9512_frame.h). Portable C. */
#include "hal/usb/lan9512_frame.h"
#include "bcm2835/lan9512.h"
#include "err.h"

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

int lan9512_tx_header(uint8_t out[8], size_t len)
{
    if (!out || len == 0 || len > LAN9512_FRAME_MAX)
        return ERR_INVAL;
    /* one segment holding the whole frame: FIRST and LAST, buffer size = frame length;
     * B repeats the packet length; the MAC pads short frames and appends the FCS */
    wr32(out, LAN9512_TX_CMD_A_FIRST_SEG | LAN9512_TX_CMD_A_LAST_SEG | (uint32_t)len);
    wr32(out + 4, (uint32_t)len);
    return ERR_OK;
}

/* Status bits that make a frame unusable: error summary and its causes (CRC, runt, too
 * long, collision, MII error, watchdog), filtering fail (not for us). The length error bit
 * only means something for 802.3 length-field frames (FT = 0); an Ethernet II frame
 * (type > 1500, FT = 1) is not judged by it. */
#define LAN9512_RX_BAD (LAN9512_RX_STS_ES | LAN9512_RX_STS_FF | LAN9512_RX_STS_CRC | \
                        LAN9512_RX_STS_RF | LAN9512_RX_STS_TL | LAN9512_RX_STS_ME | \
                        LAN9512_RX_STS_CS | LAN9512_RX_STS_RW)

static int lan9512_rx_bad(uint32_t sts)
{
    if (sts & LAN9512_RX_BAD)
        return 1;
    return (sts & LAN9512_RX_STS_LE) && !(sts & LAN9512_RX_STS_FT);
}

unsigned lan9512_rx_split(const uint8_t *p, size_t n, lan9512_rx_frame_t *out, unsigned max,
                          lan9512_rx_stats_t *st)
{
    unsigned k = 0;
    size_t off = 0;
    if (!p || !st)
        return 0;
    /* each record is >= 4 + 18 bytes, so the walk ends within n / 22 steps */
    while (off < n) {
        if (n - off < LAN9512_RX_STS_LEN) {
            st->truncated++;        /* a partial status word at the end */
            break;
        }
        uint32_t sts = (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
                       (uint32_t)p[off + 3] << 24;
        size_t fl = (sts & LAN9512_RX_STS_FL_MASK) >> LAN9512_RX_STS_FL_SHIFT;
        if (fl < LAN9512_FRAME_MIN + LAN9512_FCS_LEN || fl > LAN9512_FRAME_MAX + LAN9512_FCS_LEN) {
            st->bad_len++;          /* cannot find the next record: drop the rest */
            break;
        }
        if (fl > n - off - LAN9512_RX_STS_LEN) {
            st->truncated++;
            break;
        }
        if (lan9512_rx_bad(sts)) {
            st->errors++;
        } else if (k >= max || !out) {
            st->overflow++;
        } else {
            out[k].off = (uint16_t)(off + LAN9512_RX_STS_LEN);
            out[k].len = (uint16_t)(fl - LAN9512_FCS_LEN);
            out[k].status = sts;
            k++;
            st->frames++;
        }
        off += (LAN9512_RX_STS_LEN + fl + 3u) & ~(size_t)3u;
    }
    return k;
}
