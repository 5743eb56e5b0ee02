/* Serial transport framing (portable C; node and skctl): one protocol message per frame,
 *     0x00 | COBS(message || CRC-32(message), little endian) | 0x00
 * COBS output never contains 0x00, and console text never does either: that is the
 * coexistence rule with the line console on the same PL011 (docs/protocol.md "Serial
 * transport"). The receiver sits in text mode (bytes belong to the console) until a 0x00
 * arrives; from there bytes are frame bytes up to the closing 0x00 (an empty frame, 00 00,
 * is taken as a fresh opening delimiter). A gap longer than SK_LINK_GAP_US inside a frame,
 * a frame longer than the buffer, a COBS error or a CRC mismatch drops the frame (counted)
 * and returns to text mode. */
#ifndef SK_LINK_H
#define SK_LINK_H
#include <stddef.h>
#include <stdint.h>
#include "lib/cobs.h"
#include "sk/proto.h"

#define SK_LINK_GAP_US 200000u
#define SK_LINK_RAW_MAX (SK_PROTO_MSG_MAX + 4u)              /* message + CRC */
#define SK_LINK_ENC_MAX (COBS_MAX_ENCODED(SK_LINK_RAW_MAX) + 2u) /* + delimiters */

typedef struct sk_link_stats {
    uint32_t frames, crc_errors, cobs_errors, overflows, gaps, empty;
} sk_link_stats_t;

typedef struct sk_link_rx {
    uint8_t buf[SK_LINK_ENC_MAX];
    size_t len;
    int in_frame, overflow;
    uint64_t last_us;
    sk_link_stats_t stats;
} sk_link_rx_t;

enum { SK_LINK_TEXT = 0, SK_LINK_CONSUMED = 1, SK_LINK_FRAME = 2, SK_LINK_BAD = 3 };

void sk_link_rx_init(sk_link_rx_t *rx);
/* One received byte. SK_LINK_TEXT: not a frame byte (the console's); SK_LINK_CONSUMED: taken;
 * SK_LINK_FRAME: a message of *msg_len bytes is in msg; SK_LINK_BAD: a frame was dropped. */
int sk_link_feed(sk_link_rx_t *rx, uint8_t byte, uint64_t now_us, uint8_t *msg, size_t cap,
                 size_t *msg_len);
/* Gap timeout while idle on the line: 1 when a partial frame was dropped. */
int sk_link_poll(sk_link_rx_t *rx, uint64_t now_us);
/* Encodes a full frame with both delimiters: length, or a negative err_t. */
int sk_link_encode(const uint8_t *msg, size_t len, uint8_t *out, size_t cap);

#endif
