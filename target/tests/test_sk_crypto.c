/* sk_crypto_*: SHA-256 (FIPS 180-4 / NIST CAVS examples), HMAC-SHA256 (RFC 4231), CRC-32
 * check value, COBS (the paper's examples) incl. round trips and malformed input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib/sha256.h"
#include "lib/hmac.h"
#include "lib/crc.h"
#include "lib/cobs.h"
#include "err.h"

static void hex(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static void check_sha(const void *m, size_t n, const char *want)
{
    uint8_t d[32];
    char h[65];
    sha256(m, n, d);
    hex(d, 32, h);
    assert_string_equal(h, want);
}

static void test_sha256_vectors(void **state)
{
    (void)state;
    check_sha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check_sha(m2, strlen(m2), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m3 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    check_sha(m3, strlen(m3), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_sha256_million_a_incremental(void **state)
{
    (void)state;
    sha256_ctx_t c;
    uint8_t blk[1000], d[32];
    char h[65];
    memset(blk, 'a', sizeof blk);
    sha256_init(&c);
    for (int i = 0; i < 1000; i++)
        sha256_update(&c, blk, (size_t)(i % 7 == 0 ? 1000 : 1000)); /* 1000 x 1000 */
    sha256_final(&c, d);
    hex(d, 32, h);
    assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* odd split sizes across block boundaries give the same digest as one call */
    uint8_t msg[300], d1[32], d2[32];
    for (int i = 0; i < 300; i++)
        msg[i] = (uint8_t)(i * 7);
    sha256(msg, sizeof msg, d1);
    sha256_init(&c);
    for (size_t off = 0, step = 1; off < sizeof msg; off += step, step = step * 3 % 67 + 1)
        sha256_update(&c, msg + off, off + step > sizeof msg ? sizeof msg - off : step);
    sha256_final(&c, d2);
    assert_memory_equal(d1, d2, 32);
}

static void check_hmac(const void *k, size_t kn, const void *m, size_t mn, const char *want)
{
    uint8_t t[32];
    char h[65];
    hmac_sha256(k, kn, m, mn, t);
    hex(t, 32, h);
    assert_string_equal(h, want);
}

static void test_hmac_rfc4231(void **state)
{
    (void)state;
    uint8_t k1[20], k3[20], d3[50], k4[25], d4[50], k6[131];
    memset(k1, 0x0b, sizeof k1);
    check_hmac(k1, 20, "Hi There", 8, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    check_hmac("Jefe", 4, "what do ya want for nothing?", 28,
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(k3, 0xaa, sizeof k3);
    memset(d3, 0xdd, sizeof d3);
    check_hmac(k3, 20, d3, 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    for (int i = 0; i < 25; i++)
        k4[i] = (uint8_t)(i + 1);
    memset(d4, 0xcd, sizeof d4);
    check_hmac(k4, 25, d4, 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    memset(k6, 0xaa, sizeof k6);
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    check_hmac(k6, 131, m6, strlen(m6), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_ct_compare(void **state)
{
    (void)state;
    uint8_t a[32], b[32];
    memset(a, 0x5a, 32);
    memcpy(b, a, 32);
    assert_int_equal(hmac_ct_compare(a, b, 32), 0);
    for (int i = 0; i < 32; i++) {
        b[i] ^= 0x01;
        assert_int_equal(hmac_ct_compare(a, b, 32), 1);
        b[i] ^= 0x01;
    }
}

static void test_crc32_check_value(void **state)
{
    (void)state;
    assert_int_equal(crc32("123456789", 9), 0xCBF43926u);
    assert_int_equal(crc32("", 0), 0);
    uint32_t c = crc32_update(CRC32_INIT, "1234", 4);
    c = crc32_update(c, "56789", 5);
    assert_int_equal(c ^ 0xFFFFFFFFu, 0xCBF43926u);
}

static void check_cobs(const uint8_t *in, size_t n, const uint8_t *enc, size_t en)
{
    uint8_t buf[600], dec[600];
    int r = cobs_encode(in, n, buf, sizeof buf);
    assert_int_equal(r, (int)en);
    assert_memory_equal(buf, enc, en);
    assert_null(memchr(buf, 0, en));
    r = cobs_decode(buf, en, dec, sizeof dec);
    assert_int_equal(r, (int)n);
    if (n)
        assert_memory_equal(dec, in, n);
}

static void test_cobs_vectors(void **state)
{
    (void)state;
    check_cobs((const uint8_t[]){0}, 1, (const uint8_t[]){1, 1}, 2);
    check_cobs((const uint8_t[]){0, 0}, 2, (const uint8_t[]){1, 1, 1}, 3);
    check_cobs((const uint8_t[]){0x11, 0x22, 0, 0x33}, 4, (const uint8_t[]){3, 0x11, 0x22, 2, 0x33}, 5);
    check_cobs((const uint8_t[]){0x11, 0x22, 0x33, 0x44}, 4, (const uint8_t[]){5, 0x11, 0x22, 0x33, 0x44}, 5);
    check_cobs((const uint8_t[]){0x11, 0, 0, 0}, 4, (const uint8_t[]){2, 0x11, 1, 1, 1}, 5);
    check_cobs((const uint8_t[]){0}, 0, (const uint8_t[]){1}, 1);
    uint8_t in[256], enc[260];
    for (int i = 0; i < 255; i++)
        in[i] = (uint8_t)(i + 1); /* 01..FF */
    enc[0] = 0xFF;
    memcpy(enc + 1, in, 254);
    check_cobs(in, 254, enc, 255);             /* 01..FE -> FF 01..FE */
    enc[255] = 2;
    enc[256] = 0xFF;
    check_cobs(in, 255, enc, 257);             /* 01..FF -> FF 01..FE 02 FF */
    in[0] = 0;
    for (int i = 1; i < 255; i++)
        in[i] = (uint8_t)i;                    /* 00 01..FE */
    uint8_t e3[256];
    e3[0] = 1;
    e3[1] = 0xFF;
    for (int i = 1; i < 255; i++)
        e3[i + 1] = (uint8_t)i;
    check_cobs(in, 255, e3, 256);
}

static void test_cobs_random_roundtrip_and_malformed(void **state)
{
    (void)state;
    uint8_t in[1200], enc[COBS_MAX_ENCODED(1200)], dec[1200];
    srand(7);
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(rand() % 1200);
        for (size_t i = 0; i < n; i++)
            in[i] = (uint8_t)(rand() % 4 == 0 ? 0 : rand());
        int e = cobs_encode(in, n, enc, sizeof enc);
        assert_true(e > 0 && (size_t)e <= COBS_MAX_ENCODED(n));
        assert_null(memchr(enc, 0, (size_t)e));
        assert_int_equal(cobs_decode(enc, (size_t)e, dec, sizeof dec), (int)n);
        assert_memory_equal(dec, in, n);
        if (n > 4) /* too small an output buffer is refused, never overrun (ASan) */
            assert_int_equal(cobs_decode(enc, (size_t)e, dec, n - 1), ERR_NOSPC);
        assert_int_equal(cobs_encode(in, n, enc, (size_t)e - 1), ERR_NOSPC);
    }
    /* a zero inside, a code past the end: refused */
    assert_int_equal(cobs_decode((const uint8_t[]){3, 1, 0}, 3, dec, sizeof dec), ERR_INVAL);
    assert_int_equal(cobs_decode((const uint8_t[]){5, 1, 2}, 3, dec, sizeof dec), ERR_INVAL);
    /* garbage never crashes */
    for (int round = 0; round < 2000; round++) {
        size_t n = (size_t)(rand() % 64);
        for (size_t i = 0; i < n; i++)
            in[i] = (uint8_t)rand();
        int r = cobs_decode(in, n, dec, 40);
        assert_true(r >= ERR_NOSPC && r <= 40);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_sha256_million_a_incremental),
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_ct_compare),
        cmocka_unit_test(test_crc32_check_value),
        cmocka_unit_test(test_cobs_vectors),
        cmocka_unit_test(test_cobs_random_roundtrip_and_malformed),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
