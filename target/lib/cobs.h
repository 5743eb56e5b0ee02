/* Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): an encoding without 0x00
 * bytes, so 0x00 can delimit frames on a byte stream (serial transport, docs/protocol.md).
 * Portable C. Overhead: at most 1 byte per 254 input bytes, plus one. */
#ifndef LIB_COBS_H
#define LIB_COBS_H
#include <stddef.h>
#include <stdint.h>

#define COBS_MAX_ENCODED(n) ((n) + (n) / 254u + 1u)

/* Encodes in[0..n) into out (no delimiters added). Returns the encoded length, or a
 * negative err_t (ERR_NOSPC) when cap is too small. */
int cobs_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap);
/* Decodes one frame body (without delimiters). Returns the decoded length, ERR_INVAL for
 * a 0x00 inside or a code running past the end, ERR_NOSPC when cap is too small. */
int cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap);

#endif
