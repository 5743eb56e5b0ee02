/* SHA-256 (FIPS 180-4). Portable C: firmware (payload check, attestation), host tools
 * (skpack, skctl) and host tests build the same source. */
#ifndef LIB_SHA256_H
#define LIB_SHA256_H
#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_BLOCK_LEN 64

typedef struct sha256_ctx {
    uint32_t state[8];
    uint64_t bytes;      /* message length so far */
    uint8_t buf[SHA256_BLOCK_LEN];
    uint32_t buf_len;
} sha256_ctx_t;

void sha256_init(sha256_ctx_t *ctx);
void sha256_update(sha256_ctx_t *ctx, const void *data, size_t len);
void sha256_final(sha256_ctx_t *ctx, uint8_t out[SHA256_DIGEST_LEN]);
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_LEN]);

#endif
