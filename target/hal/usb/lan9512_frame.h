/* LAN9512/9514 bulk framing, portable (host-unit-tested in tests/test_lan9512_frame.c):
 *  - TX: command words A and B (8 bytes, include/bcm2835/lan9512.h) in front of each frame
 *    sent on the bulk-out endpoint; one frame per bulk-out transfer, a single segment.
 *  - RX: a bulk-in transfer holds one or more (HW_CFG.MEF) records, each a status word,
 *    the frame with its 4-byte FCS, and padding to the next 4-byte boundary. */
#ifndef HAL_USB_LAN9512_FRAME_H
#define HAL_USB_LAN9512_FRAME_H
#include <stddef.h>
#include <stdint.h>

#define LAN9512_FRAME_MIN 14u     /* Ethernet header */
#define LAN9512_FRAME_MAX 1518u   /* incl. a VLAN tag, without FCS */

/* Writes the two command words for a frame of `len` bytes (1..LAN9512_FRAME_MAX) at out[0..7].
 * ERR_INVAL on a bad length. */
int lan9512_tx_header(uint8_t out[8], size_t len);

typedef struct lan9512_rx_frame {
    uint16_t off;               /* frame start in the bulk-in buffer (after the status) */
    uint16_t len;               /* frame bytes without the FCS */
    uint32_t status;            /* raw status word */
} lan9512_rx_frame_t;

typedef struct lan9512_rx_stats {
    uint32_t frames;            /* good frames found */
    uint32_t errors;            /* status said ES / FF / CRC ...: frame skipped */
    uint32_t bad_len;           /* runt / oversize length in the status: rest dropped */
    uint32_t truncated;         /* status length beyond the transfer: rest dropped */
    uint32_t overflow;          /* more frames than the caller's table: rest dropped */
} lan9512_rx_stats_t;

/* Splits a bulk-in transfer of n bytes. Writes up to `max` good frames to out[], returns
 * their count; every skipped frame or dropped tail is counted in *st (accumulated). */
unsigned lan9512_rx_split(const uint8_t *p, size_t n, lan9512_rx_frame_t *out, unsigned max,
                          lan9512_rx_stats_t *st);

#endif
