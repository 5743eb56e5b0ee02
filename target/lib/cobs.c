/* COBS encoder/decoder, see cobs.h. Every loop is bounded by the input length. */
#include "lib/cobs.h"
#include "err.h"

int cobs_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t o = 1, code_pos = 0;
    uint8_t code = 1;
    if (cap < 1 || n > 0x7FFFFFFFu)
        return ERR_NOSPC;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == 0) {
            out[code_pos] = code;
            if (o >= cap)
                return ERR_NOSPC;
            code_pos = o++;
            code = 1;
            continue;
        }
        if (o >= cap)
            return ERR_NOSPC;
        out[o++] = in[i];
        if (++code == 0xFF) {
            out[code_pos] = code;
            if (i + 1 < n) { /* a full block closes without an implied zero */
                if (o >= cap)
                    return ERR_NOSPC;
                code_pos = o++;
                code = 1;
            } else {
                return (int)o;
            }
        }
    }
    out[code_pos] = code;
    return (int)o;
}

int cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t i = 0, o = 0;
    while (i < n) {
        uint8_t code = in[i++];
        if (code == 0)
            return ERR_INVAL;
        for (unsigned k = 1; k < code; k++) {
            if (i >= n)
                return ERR_INVAL;
            if (in[i] == 0)
                return ERR_INVAL;
            if (o >= cap)
                return ERR_NOSPC;
            out[o++] = in[i++];
        }
        if (code != 0xFF && i < n) {
            if (o >= cap)
                return ERR_NOSPC;
            out[o++] = 0;
        }
    }
    return (int)o;
}
