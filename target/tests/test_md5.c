/* fw_lib_md5: RFC 1321 appendix A.5 test suite, incremental updates, md5_chain. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "lib/md5.h"

static void hex(const uint8_t *d, char out[33])
{
    for (int i = 0; i < 16; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static const struct {
    const char *msg;
    const char *digest;
} rfc_vectors[] = {
    {"", "d41d8cd98f00b204e9800998ecf8427e"},
    {"a", "0cc175b9c0f1b6a831c399e269772661"},
    {"abc", "900150983cd24fb0d6963f7d28e17f72"},
    {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
    {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
    {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
     "d174ab98d277d9f5a5611c2c9f419d9f"},
    {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
     "57edf4a22be3c955ac49da2e2107b67a"},
};

static void test_rfc1321_suite(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rfc_vectors / sizeof rfc_vectors[0]; i++) {
        uint8_t d[16];
        char h[33];
        md5(rfc_vectors[i].msg, strlen(rfc_vectors[i].msg), d);
        hex(d, h);
        assert_string_equal(h, rfc_vectors[i].digest);
    }
}

/* Every split point and byte-at-a-time feeding give the one-shot digest, for lengths
 * around the 55/56/64-byte padding boundaries. */
static void test_incremental(void **state)
{
    (void)state;
    uint8_t msg[200];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7 + 3);
    for (size_t len = 0; len <= sizeof msg; len++) {
        uint8_t ref[16], d[16];
        md5(msg, len, ref);
        for (size_t cut = 0; cut <= len; cut += (len > 70 ? 13 : 1)) {
            md5_ctx_t c;
            md5_init(&c);
            md5_update(&c, msg, cut);
            md5_update(&c, msg + cut, len - cut);
            md5_final(&c, d);
            assert_memory_equal(d, ref, 16);
        }
        md5_ctx_t c;
        md5_init(&c);
        for (size_t i = 0; i < len; i++)
            md5_update(&c, msg + i, 1);
        md5_final(&c, d);
        assert_memory_equal(d, ref, 16);
    }
}

static void chain_reference(const char *msg, uint32_t n, uint8_t out[16])
{
    /* independent of md5_chain's single-block shortcut: the generic update/final path */
    md5(msg, strlen(msg), out);
    for (uint32_t k = 2; k <= n; k++) {
        uint8_t t[16];
        memcpy(t, out, 16);
        md5(t, 16, out);
    }
}

static void test_chain_small_n(void **state)
{
    (void)state;
    const char *msgs[] = {"", "abc", "hello world", "The quick brown fox jumps over the lazy dog"};
    for (size_t m = 0; m < 4; m++) {
        for (uint32_t n = 1; n <= 64; n++) {
            uint8_t a[16], b[16];
            md5_chain(msgs[m], strlen(msgs[m]), n, a);
            chain_reference(msgs[m], n, b);
            assert_memory_equal(a, b, 16);
        }
    }
}

/* Values computed with Python's hashlib (the QEMU test's oracle) */
static void test_chain_known(void **state)
{
    (void)state;
    static const struct {
        const char *msg;
        uint32_t n;
        const char *digest;
    } v[] = {
        {"abc", 1, "900150983cd24fb0d6963f7d28e17f72"},
        {"", 5, "b3786b60f640690c03030ebcff4bdf8d"},
        {"hello world", 1000, "ccc680ba2ccc1486437397b7fdbd9f2d"},
        {"hello world", 100000, "a9ded206f11a06c477373e5104a262fa"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t d[16];
        char h[33];
        md5_chain(v[i].msg, strlen(v[i].msg), v[i].n, d);
        hex(d, h);
        assert_string_equal(h, v[i].digest);
    }
}

static void test_chain_n0_is_n1(void **state)
{
    (void)state;
    uint8_t a[16], b[16];
    md5_chain("xyz", 3, 0, a);
    md5_chain("xyz", 3, 1, b);
    assert_memory_equal(a, b, 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc1321_suite),
        cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_chain_small_n),
        cmocka_unit_test(test_chain_known),
        cmocka_unit_test(test_chain_n0_is_n1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
