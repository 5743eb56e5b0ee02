/* MD5 message digest (RFC 1321). Portable C: firmware, host tests, Linux baseline. */
#ifndef LIB_MD5_H
#define LIB_MD5_H
#include <stddef.h>
#include <stdint.h>

#define MD5_DIGEST_LEN 16

typedef struct md5_ctx {
    uint32_t state[4];
    uint64_t bytes;      /* message length so far */
    uint8_t buf[64];
    uint32_t buf_len;
} md5_ctx_t;

void md5_init(md5_ctx_t *ctx);
void md5_update(md5_ctx_t *ctx, const void *data, size_t len);
void md5_final(md5_ctx_t *ctx, uint8_t out[MD5_DIGEST_LEN]);
void md5(const void *data, size_t len, uint8_t out[MD5_DIGEST_LEN]);

/* The MD5 workload (paper figures 4-5), defined so that no iteration can be skipped:
 * d1 = MD5(msg), d(k) = MD5(d(k-1)) over its 16 raw bytes, for k = 2..n; out = d(n).
 * n = 0 is treated as n = 1. */
void md5_chain(const void *msg, size_t len, uint32_t n, uint8_t out[MD5_DIGEST_LEN]);

#endif
