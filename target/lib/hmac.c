/* HMAC-SHA256: H((K ^ opad) || H((K ^ ipad) || m)), keys longer than a block are hashed
 * first (RFC 2104 section 2). */
#include "lib/hmac.h"
#include "lib/kstring.h"

void hmac_sha256_init(hmac_sha256_ctx_t *ctx, const void *key, size_t key_len)
{
    uint8_t k[SHA256_BLOCK_LEN], ipad[SHA256_BLOCK_LEN];
    memset(k, 0, sizeof k);
    if (key_len > SHA256_BLOCK_LEN)
        sha256(key, key_len, k);
    else if (key_len)
        memcpy(k, key, key_len);
    for (unsigned i = 0; i < SHA256_BLOCK_LEN; i++) {
        ipad[i] = k[i] ^ 0x36u;
        ctx->okey[i] = k[i] ^ 0x5cu;
    }
    sha256_init(&ctx->inner);
    sha256_update(&ctx->inner, ipad, sizeof ipad);
}

void hmac_sha256_update(hmac_sha256_ctx_t *ctx, const void *data, size_t len)
{
    sha256_update(&ctx->inner, data, len);
}

void hmac_sha256_final(hmac_sha256_ctx_t *ctx, uint8_t out[HMAC_SHA256_LEN])
{
    uint8_t ih[SHA256_DIGEST_LEN];
    sha256_ctx_t o;
    sha256_final(&ctx->inner, ih);
    sha256_init(&o);
    sha256_update(&o, ctx->okey, sizeof ctx->okey);
    sha256_update(&o, ih, sizeof ih);
    sha256_final(&o, out);
}

void hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                 uint8_t out[HMAC_SHA256_LEN])
{
    hmac_sha256_ctx_t c;
    hmac_sha256_init(&c, key, key_len);
    hmac_sha256_update(&c, data, len);
    hmac_sha256_final(&c, out);
}

int hmac_ct_compare(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a, *y = b;
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++)
        d |= x[i] ^ y[i];
    return d != 0;
}
