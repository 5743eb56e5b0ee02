/* HMAC-SHA256 (RFC 2104 / FIPS 198-1) and a constant-time comparison. Portable C. */
#ifndef LIB_HMAC_H
#define LIB_HMAC_H
#include <stddef.h>
#include <stdint.h>
#include "lib/sha256.h"

#define HMAC_SHA256_LEN SHA256_DIGEST_LEN

typedef struct hmac_sha256_ctx {
    sha256_ctx_t inner;
    uint8_t okey[SHA256_BLOCK_LEN]; /* key ^ opad */
} hmac_sha256_ctx_t;

void hmac_sha256_init(hmac_sha256_ctx_t *ctx, const void *key, size_t key_len);
void hmac_sha256_update(hmac_sha256_ctx_t *ctx, const void *data, size_t len);
void hmac_sha256_final(hmac_sha256_ctx_t *ctx, uint8_t out[HMAC_SHA256_LEN]);
void hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                 uint8_t out[HMAC_SHA256_LEN]);

/* 0 when equal; time depends only on n, never on where the bytes differ (tag checks). */
int hmac_ct_compare(const void *a, const void *b, size_t n);

#endif
