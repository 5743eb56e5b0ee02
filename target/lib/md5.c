/* MD5 (RFC 1321), portable C: firmware, host tests, Linux baseline. Written from the RFC:
 * section 3.4 (auxiliary functions F, G, H, I and the four rounds), the table T[i] =
 * floor(2^32 * |sin(i)|) (the constants below, i = 1..64) and the per-round shift amounts.
 * Little-endian word order as the RFC specifies, independent of the host byte order. */
#include "lib/md5.h"
#include "lib/kstring.h" /* memcpy & co: ours in the firmware, libc on the host */

#define MD5_F(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))   /* = (x & y) | (~x & z) */
#define MD5_G(x, y, z) ((y) ^ ((z) & ((x) ^ (y))))   /* = (x & z) | (y & ~z) */
#define MD5_H(x, y, z) ((x) ^ (y) ^ (z))
#define MD5_I(x, y, z) ((y) ^ ((x) | ~(z)))
#define MD5_ROTL(v, s) (((v) << (s)) | ((v) >> (32 - (s))))
#define MD5_STEP(f, a, b, c, d, xk, t, s)                 \
    do {                                                 \
        (a) += f((b), (c), (d)) + (xk) + (t);             \
        (a) = MD5_ROTL((a), (s)) + (b);                   \
    } while (0)

/* RFC 1321 section 3.3: initial state A, B, C, D (little-endian words) */
#define MD5_IV0 0x67452301u
#define MD5_IV1 0xefcdab89u
#define MD5_IV2 0x98badcfeu
#define MD5_IV3 0x10325476u

/* One 64-byte block (16 little-endian words) into the state. */
static inline __attribute__((always_inline)) void md5_block(uint32_t st[4], const uint32_t x[16])
{
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3];

    MD5_STEP(MD5_F, a, b, c, d, x[0], 0xd76aa478u, 7);
    MD5_STEP(MD5_F, d, a, b, c, x[1], 0xe8c7b756u, 12);
    MD5_STEP(MD5_F, c, d, a, b, x[2], 0x242070dbu, 17);
    MD5_STEP(MD5_F, b, c, d, a, x[3], 0xc1bdceeeu, 22);
    MD5_STEP(MD5_F, a, b, c, d, x[4], 0xf57c0fafu, 7);
    MD5_STEP(MD5_F, d, a, b, c, x[5], 0x4787c62au, 12);
    MD5_STEP(MD5_F, c, d, a, b, x[6], 0xa8304613u, 17);
    MD5_STEP(MD5_F, b, c, d, a, x[7], 0xfd469501u, 22);
    MD5_STEP(MD5_F, a, b, c, d, x[8], 0x698098d8u, 7);
    MD5_STEP(MD5_F, d, a, b, c, x[9], 0x8b44f7afu, 12);
    MD5_STEP(MD5_F, c, d, a, b, x[10], 0xffff5bb1u, 17);
    MD5_STEP(MD5_F, b, c, d, a, x[11], 0x895cd7beu, 22);
    MD5_STEP(MD5_F, a, b, c, d, x[12], 0x6b901122u, 7);
    MD5_STEP(MD5_F, d, a, b, c, x[13], 0xfd987193u, 12);
    MD5_STEP(MD5_F, c, d, a, b, x[14], 0xa679438eu, 17);
    MD5_STEP(MD5_F, b, c, d, a, x[15], 0x49b40821u, 22);
    MD5_STEP(MD5_G, a, b, c, d, x[1], 0xf61e2562u, 5);
    MD5_STEP(MD5_G, d, a, b, c, x[6], 0xc040b340u, 9);
    MD5_STEP(MD5_G, c, d, a, b, x[11], 0x265e5a51u, 14);
    MD5_STEP(MD5_G, b, c, d, a, x[0], 0xe9b6c7aau, 20);
    MD5_STEP(MD5_G, a, b, c, d, x[5], 0xd62f105du, 5);
    MD5_STEP(MD5_G, d, a, b, c, x[10], 0x02441453u, 9);
    MD5_STEP(MD5_G, c, d, a, b, x[15], 0xd8a1e681u, 14);
    MD5_STEP(MD5_G, b, c, d, a, x[4], 0xe7d3fbc8u, 20);
    MD5_STEP(MD5_G, a, b, c, d, x[9], 0x21e1cde6u, 5);
    MD5_STEP(MD5_G, d, a, b, c, x[14], 0xc33707d6u, 9);
    MD5_STEP(MD5_G, c, d, a, b, x[3], 0xf4d50d87u, 14);
    MD5_STEP(MD5_G, b, c, d, a, x[8], 0x455a14edu, 20);
    MD5_STEP(MD5_G, a, b, c, d, x[13], 0xa9e3e905u, 5);
    MD5_STEP(MD5_G, d, a, b, c, x[2], 0xfcefa3f8u, 9);
    MD5_STEP(MD5_G, c, d, a, b, x[7], 0x676f02d9u, 14);
    MD5_STEP(MD5_G, b, c, d, a, x[12], 0x8d2a4c8au, 20);
    MD5_STEP(MD5_H, a, b, c, d, x[5], 0xfffa3942u, 4);
    MD5_STEP(MD5_H, d, a, b, c, x[8], 0x8771f681u, 11);
    MD5_STEP(MD5_H, c, d, a, b, x[11], 0x6d9d6122u, 16);
    MD5_STEP(MD5_H, b, c, d, a, x[14], 0xfde5380cu, 23);
    MD5_STEP(MD5_H, a, b, c, d, x[1], 0xa4beea44u, 4);
    MD5_STEP(MD5_H, d, a, b, c, x[4], 0x4bdecfa9u, 11);
    MD5_STEP(MD5_H, c, d, a, b, x[7], 0xf6bb4b60u, 16);
    MD5_STEP(MD5_H, b, c, d, a, x[10], 0xbebfbc70u, 23);
    MD5_STEP(MD5_H, a, b, c, d, x[13], 0x289b7ec6u, 4);
    MD5_STEP(MD5_H, d, a, b, c, x[0], 0xeaa127fau, 11);
    MD5_STEP(MD5_H, c, d, a, b, x[3], 0xd4ef3085u, 16);
    MD5_STEP(MD5_H, b, c, d, a, x[6], 0x04881d05u, 23);
    MD5_STEP(MD5_H, a, b, c, d, x[9], 0xd9d4d039u, 4);
    MD5_STEP(MD5_H, d, a, b, c, x[12], 0xe6db99e5u, 11);
    MD5_STEP(MD5_H, c, d, a, b, x[15], 0x1fa27cf8u, 16);
    MD5_STEP(MD5_H, b, c, d, a, x[2], 0xc4ac5665u, 23);
    MD5_STEP(MD5_I, a, b, c, d, x[0], 0xf4292244u, 6);
    MD5_STEP(MD5_I, d, a, b, c, x[7], 0x432aff97u, 10);
    MD5_STEP(MD5_I, c, d, a, b, x[14], 0xab9423a7u, 15);
    MD5_STEP(MD5_I, b, c, d, a, x[5], 0xfc93a039u, 21);
    MD5_STEP(MD5_I, a, b, c, d, x[12], 0x655b59c3u, 6);
    MD5_STEP(MD5_I, d, a, b, c, x[3], 0x8f0ccc92u, 10);
    MD5_STEP(MD5_I, c, d, a, b, x[10], 0xffeff47du, 15);
    MD5_STEP(MD5_I, b, c, d, a, x[1], 0x85845dd1u, 21);
    MD5_STEP(MD5_I, a, b, c, d, x[8], 0x6fa87e4fu, 6);
    MD5_STEP(MD5_I, d, a, b, c, x[15], 0xfe2ce6e0u, 10);
    MD5_STEP(MD5_I, c, d, a, b, x[6], 0xa3014314u, 15);
    MD5_STEP(MD5_I, b, c, d, a, x[13], 0x4e0811a1u, 21);
    MD5_STEP(MD5_I, a, b, c, d, x[4], 0xf7537e82u, 6);
    MD5_STEP(MD5_I, d, a, b, c, x[11], 0xbd3af235u, 10);
    MD5_STEP(MD5_I, c, d, a, b, x[2], 0x2ad7d2bbu, 15);
    MD5_STEP(MD5_I, b, c, d, a, x[9], 0xeb86d391u, 21);

    st[0] += a;
    st[1] += b;
    st[2] += c;
    st[3] += d;
}

static uint32_t md5_load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void md5_store_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void md5_block_bytes(uint32_t st[4], const uint8_t *p)
{
    uint32_t x[16];
    for (int i = 0; i < 16; i++)
        x[i] = md5_load_le32(p + 4 * i);
    md5_block(st, x);
}

void md5_init(md5_ctx_t *ctx)
{
    ctx->state[0] = MD5_IV0;
    ctx->state[1] = MD5_IV1;
    ctx->state[2] = MD5_IV2;
    ctx->state[3] = MD5_IV3;
    ctx->bytes = 0;
    ctx->buf_len = 0;
}

void md5_update(md5_ctx_t *ctx, const void *data, size_t len)
{
    const uint8_t *p = data;

    ctx->bytes += len;
    if (ctx->buf_len) {
        size_t take = 64u - ctx->buf_len;
        if (take > len)
            take = len;
        memcpy(ctx->buf + ctx->buf_len, p, take);
        ctx->buf_len += (uint32_t)take;
        p += take;
        len -= take;
        if (ctx->buf_len < 64u)
            return;
        md5_block_bytes(ctx->state, ctx->buf);
        ctx->buf_len = 0;
    }
    while (len >= 64u) {
        md5_block_bytes(ctx->state, p);
        p += 64;
        len -= 64;
    }
    if (len) {
        memcpy(ctx->buf, p, len);
        ctx->buf_len = (uint32_t)len;
    }
}

void md5_final(md5_ctx_t *ctx, uint8_t out[MD5_DIGEST_LEN])
{
    uint64_t bits = ctx->bytes << 3;
    uint32_t n = ctx->buf_len;

    /* RFC 1321 3.1-3.2: a 1 bit, zeros to 56 mod 64, then the bit length (LE 64-bit) */
    ctx->buf[n++] = 0x80;
    if (n > 56) {
        memset(ctx->buf + n, 0, 64u - n);
        md5_block_bytes(ctx->state, ctx->buf);
        n = 0;
    }
    memset(ctx->buf + n, 0, 56u - n);
    md5_store_le32(ctx->buf + 56, (uint32_t)bits);
    md5_store_le32(ctx->buf + 60, (uint32_t)(bits >> 32));
    md5_block_bytes(ctx->state, ctx->buf);
    for (int i = 0; i < 4; i++)
        md5_store_le32(out + 4 * i, ctx->state[i]);
    memset(ctx, 0, sizeof *ctx);
}

void md5(const void *data, size_t len, uint8_t out[MD5_DIGEST_LEN])
{
    md5_ctx_t ctx;
    md5_init(&ctx);
    md5_update(&ctx, data, len);
    md5_final(&ctx, out);
}

/* d1 = MD5(msg); d(k) = MD5(d(k-1)) for k = 2..n (see md5.h). A 16-byte message is one
 * padded block: the previous digest's 4 state words ARE its little-endian message words,
 * followed by the 0x80 pad byte, zeros and the bit length 128, so each iteration is one
 * md5_block() with no byte shuffling. Every iteration depends on the previous one. */
void md5_chain(const void *msg, size_t len, uint32_t n, uint8_t out[MD5_DIGEST_LEN])
{
    uint8_t d[MD5_DIGEST_LEN];
    uint32_t x[16] = {0};
    uint32_t h[4];

    md5(msg, len, d);
    for (int i = 0; i < 4; i++)
        h[i] = md5_load_le32(d + 4 * i);
    x[4] = 0x80u;            /* pad byte right after the 16 message bytes */
    x[14] = 16u * 8u;        /* message length in bits, low word */
    for (uint32_t k = 2; k <= n; k++) {
        x[0] = h[0];
        x[1] = h[1];
        x[2] = h[2];
        x[3] = h[3];
        h[0] = MD5_IV0;
        h[1] = MD5_IV1;
        h[2] = MD5_IV2;
        h[3] = MD5_IV3;
        md5_block(h, x);
    }
    for (int i = 0; i < 4; i++)
        md5_store_le32(out + 4 * i, h[i]);
}
