/* fw_lib_string: our memcpy/memmove/memset (host names lib_*) against simple references
 * over every src/dst offset 0..7 and lengths 0..80, plus large sizes; guard bytes around
 * every destination catch overruns (and ASan catches out-of-bounds reads). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib/kstring.h"

#define PAD 16
#define MAXLEN 80

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 37u + (i >> 3));
}

static void check_copy(size_t so, size_t doff, size_t len)
{
    /* exact-size heap blocks so ASan sees any byte outside [src, src+len) */
    uint8_t *src = malloc(so + len + 1);
    uint8_t *dst = malloc(PAD + doff + len + PAD);
    uint8_t *ref = malloc(PAD + doff + len + PAD);
    fill(src, so + len + 1, (uint8_t)(so * 3 + len));
    memset(dst, 0xA5, PAD + doff + len + PAD);
    memcpy(ref, dst, PAD + doff + len + PAD);
    for (size_t i = 0; i < len; i++)
        ref[PAD + doff + i] = src[so + i];
    void *r = lib_memcpy(dst + PAD + doff, src + so, len);
    assert_ptr_equal(r, dst + PAD + doff);
    assert_memory_equal(dst, ref, PAD + doff + len + PAD);
    free(src);
    free(dst);
    free(ref);
}

static void test_memcpy_matrix(void **state)
{
    (void)state;
    for (size_t so = 0; so < 8; so++)
        for (size_t doff = 0; doff < 8; doff++)
            for (size_t len = 0; len <= MAXLEN; len++)
                check_copy(so, doff, len);
}

static void test_memcpy_large(void **state)
{
    (void)state;
    const size_t sizes[] = {255, 256, 257, 1000, 4095, 4096, 65536 + 3};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (size_t so = 0; so < 4; so++)
            for (size_t doff = 0; doff < 4; doff++)
                check_copy(so, doff, sizes[s]);
}

static void check_set(size_t doff, size_t len, int c)
{
    uint8_t *dst = malloc(PAD + doff + len + PAD);
    uint8_t *ref = malloc(PAD + doff + len + PAD);
    fill(dst, PAD + doff + len + PAD, 9);
    memcpy(ref, dst, PAD + doff + len + PAD);
    for (size_t i = 0; i < len; i++)
        ref[PAD + doff + i] = (uint8_t)c;
    assert_ptr_equal(lib_memset(dst + PAD + doff, c, len), dst + PAD + doff);
    assert_memory_equal(dst, ref, PAD + doff + len + PAD);
    free(dst);
    free(ref);
}

static void test_memset_matrix(void **state)
{
    (void)state;
    for (size_t doff = 0; doff < 8; doff++)
        for (size_t len = 0; len <= MAXLEN; len++) {
            check_set(doff, len, 0);
            check_set(doff, len, 0x1FF); /* only the low byte counts */
            check_set(doff, len, 0x80);
        }
    check_set(3, 10000, 0x5A);
}

/* memmove within one buffer: every (src offset, dst offset) pair in a window, both
 * directions, overlapping and not. */
static void test_memmove_matrix(void **state)
{
    (void)state;
    enum { BUF = 2 * MAXLEN + 32 };
    uint8_t buf[BUF], ref[BUF];
    for (size_t so = 0; so < 24; so++)
        for (size_t doff = 0; doff < 24; doff++)
            for (size_t len = 0; len <= MAXLEN; len++) {
                fill(buf, BUF, (uint8_t)len);
                memcpy(ref, buf, BUF);
                memmove(ref + doff, ref + so, len); /* host libc as reference */
                assert_ptr_equal(lib_memmove(buf + doff, buf + so, len), buf + doff);
                assert_memory_equal(buf, ref, BUF);
            }
}

static void test_memmove_large_overlap(void **state)
{
    (void)state;
    enum { N = 70000 };
    uint8_t *a = malloc(N), *b = malloc(N);
    for (size_t shift = 1; shift < 10; shift++) {
        fill(a, N, (uint8_t)shift);
        memcpy(b, a, N);
        lib_memmove(a + shift, a, N - shift);
        memmove(b + shift, b, N - shift);
        assert_memory_equal(a, b, N);
        lib_memmove(a, a + shift, N - shift);
        memmove(b, b + shift, N - shift);
        assert_memory_equal(a, b, N);
    }
    free(a);
    free(b);
}

static int sign(int v) { return (v > 0) - (v < 0); }

static void test_str_functions(void **state)
{
    (void)state;
    assert_int_equal(lib_strlen(""), 0);
    assert_int_equal(lib_strlen("hello"), 5);
    assert_int_equal(lib_strnlen("hello", 3), 3);
    assert_int_equal(lib_strnlen("hi", 10), 2);
    assert_int_equal(lib_strcmp("abc", "abc"), 0);
    assert_int_equal(sign(lib_strcmp("abc", "abd")), -1);
    assert_int_equal(sign(lib_strcmp("abd", "abc")), 1);
    assert_int_equal(sign(lib_strcmp("ab", "abc")), -1);
    assert_int_equal(sign(lib_strcmp("\xff", "a")), 1); /* compares as unsigned char */
    assert_int_equal(lib_strncmp("abcX", "abcY", 3), 0);
    assert_int_equal(sign(lib_strncmp("abcX", "abcY", 4)), -1);
    assert_int_equal(lib_strncmp("a", "a", 10), 0);
    assert_int_equal(lib_strncmp("x", "y", 0), 0);
    const char *s = "hello world";
    assert_ptr_equal(lib_strchr(s, 'o'), s + 4);
    assert_ptr_equal(lib_strchr(s, '\0'), s + 11);
    assert_null(lib_strchr(s, 'z'));
    assert_int_equal(lib_memcmp("abc", "abd", 2), 0);
    assert_int_equal(sign(lib_memcmp("abc", "abd", 3)), -1);
    assert_int_equal(sign(lib_memcmp("\x80", "\x01", 1)), 1);
    assert_ptr_equal(lib_memchr(s, 'w', 11), s + 6);
    assert_null(lib_memchr(s, 'w', 6));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memcpy_matrix),
        cmocka_unit_test(test_memcpy_large),
        cmocka_unit_test(test_memset_matrix),
        cmocka_unit_test(test_memmove_matrix),
        cmocka_unit_test(test_memmove_large_overlap),
        cmocka_unit_test(test_str_functions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
