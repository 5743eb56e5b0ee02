/* Serial framing, see link.h. */
#include "sk/link.h"
#include "lib/crc.h"
#include "lib/kstring.h"
#include "sk/sk_payload.h"
#include "err.h"

void sk_link_rx_init(sk_link_rx_t *rx)
{
    memset(rx, 0, sizeof *rx);
}

int sk_link_encode(const uint8_t *msg, size_t len, uint8_t *out, size_t cap)
{
    uint8_t raw[SK_LINK_RAW_MAX];
    if (len > SK_PROTO_MSG_MAX || cap < 2)
        return ERR_NOSPC;
    memcpy(raw, msg, len);
    sk_wr32(raw + len, crc32(msg, len));
    out[0] = 0;
    int n = cobs_encode(raw, len + 4, out + 1, cap - 2);
    if (n < 0)
        return n;
    out[n + 1] = 0;
    return n + 2;
}

static int sk_link_end(sk_link_rx_t *rx, uint8_t *msg, size_t cap, size_t *msg_len)
{
    uint8_t raw[SK_LINK_RAW_MAX];
    rx->in_frame = 0;
    if (rx->overflow) {
        rx->overflow = 0;
        rx->stats.overflows++;
        return SK_LINK_BAD;
    }
    int n = cobs_decode(rx->buf, rx->len, raw, sizeof raw);
    if (n < 4) {
        rx->stats.cobs_errors++;
        return SK_LINK_BAD;
    }
    size_t ml = (size_t)n - 4;
    if (crc32(raw, ml) != sk_rd32(raw + ml)) {
        rx->stats.crc_errors++;
        return SK_LINK_BAD;
    }
    if (ml > cap) {
        rx->stats.overflows++;
        return SK_LINK_BAD;
    }
    memcpy(msg, raw, ml);
    *msg_len = ml;
    rx->stats.frames++;
    return SK_LINK_FRAME;
}

int sk_link_feed(sk_link_rx_t *rx, uint8_t byte, uint64_t now_us, uint8_t *msg, size_t cap,
                 size_t *msg_len)
{
    if (rx->in_frame && now_us - rx->last_us > SK_LINK_GAP_US) {
        rx->in_frame = 0; /* stale partial frame: this byte starts afresh */
        rx->overflow = 0;
        rx->stats.gaps++;
    }
    rx->last_us = now_us;
    if (!rx->in_frame) {
        if (byte != 0)
            return SK_LINK_TEXT;
        rx->in_frame = 1;
        rx->len = 0;
        rx->overflow = 0;
        return SK_LINK_CONSUMED;
    }
    if (byte == 0) {
        if (rx->len == 0 && !rx->overflow) {
            rx->stats.empty++; /* 00 00: the first one closed nothing */
            return SK_LINK_CONSUMED;
        }
        return sk_link_end(rx, msg, cap, msg_len);
    }
    if (rx->len >= sizeof rx->buf)
        rx->overflow = 1;
    else
        rx->buf[rx->len++] = byte;
    return SK_LINK_CONSUMED;
}

int sk_link_poll(sk_link_rx_t *rx, uint64_t now_us)
{
    if (rx->in_frame && now_us - rx->last_us > SK_LINK_GAP_US) {
        rx->in_frame = 0;
        rx->overflow = 0;
        rx->stats.gaps++;
        return 1;
    }
    return 0;
}
