/* fw_lib_printf: lib_snprintf against the host C library for every supported conversion,
 * flag, width, precision and length modifier, including truncation and return values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <limits.h>
#include <string.h>
#include <cmocka.h>
#include "lib/printf.h"

/* Formats with both implementations into buffers of several sizes and compares. */
#define CHECK(...)                                                                 \
    do {                                                                           \
        char want[256], got[256];                                                  \
        int wn = snprintf(want, sizeof want, __VA_ARGS__);                         \
        int gn = lib_snprintf(got, sizeof got, __VA_ARGS__);                       \
        assert_string_equal(got, want);                                            \
        assert_int_equal(gn, wn);                                                  \
        static const size_t sizes[] = {1, 2, 5, 9};                                \
        for (size_t k = 0; k < 4; k++) {                                           \
            char small[16];                                                        \
            memset(small, 'Z', sizeof small);                                      \
            int sn = lib_snprintf(small, sizes[k], __VA_ARGS__);                   \
            assert_int_equal(sn, wn);                                              \
            size_t cut = (size_t)wn < sizes[k] - 1 ? (size_t)wn : sizes[k] - 1;    \
            assert_memory_equal(small, want, cut);                                 \
            assert_int_equal(small[cut], '\0');                                    \
            assert_int_equal(small[sizes[k]], 'Z');                                \
        }                                                                          \
    } while (0)

static void test_integers(void **state)
{
    (void)state;
    CHECK("%d", 0);
    CHECK("%d|%i", 42, -42);
    CHECK("%d", INT_MIN);
    CHECK("%d", INT_MAX);
    CHECK("%u", UINT_MAX);
    CHECK("%x %X", 0xdeadbeefu, 0xdeadbeefu);
    CHECK("%5d|%-5d|%05d", 42, 42, 42);
    CHECK("%5d|%-5d|%05d", -42, -42, -42);
    CHECK("%08x|%-8x|%8X", 0xabcu, 0xabcu, 0xabcu);
    CHECK("%+d %+d % d % d", 5, -5, 5, -5);
    CHECK("%.3d|%.0d|%.0d|%5.3d|%-6.2d|", 7, 0, 1, -7, 3);
    CHECK("%#x %#X %#x %#08x", 255u, 255u, 0u, 255u);
    CHECK("%*d|%-*d|%*d", 6, 1, 6, 2, -6, 3);
    CHECK("%.*d", 4, 9);
    CHECK("%ld %lu %lx", -1234567890L, 4000000000UL, 0x7fffffffUL);
    CHECK("%lld %llu %llx", LLONG_MIN, ULLONG_MAX, 0x123456789abcdefULL);
    CHECK("%lld", 1234567890123LL);
    CHECK("%020llu|%-20lld|", 18446744073709551615ULL, -9223372036854775807LL);
    CHECK("%zu %zx %zd", (size_t)123456, (size_t)0xfff, (ssize_t)-5);
    CHECK("%hd %hu %hhd %hhu", (short)-3, (unsigned short)65535, (signed char)-1, (unsigned char)255);
}

static void test_strings_chars(void **state)
{
    (void)state;
    CHECK("%s", "");
    CHECK("[%s]", "hello");
    CHECK("[%10s][%-10s]", "hi", "hi");
    CHECK("[%.3s][%.0s][%.10s]", "abcdef", "abc", "ab");
    CHECK("[%8.3s][%-8.3s]", "abcdef", "abcdef");
    CHECK("[%.*s]", 2, "xyz");
    CHECK("%c%c%c", 'a', 'b', 'c');
    CHECK("[%3c][%-3c]", 'x', 'y');
    CHECK("100%% sure %%d");
    CHECK("no conversions at all");
    CHECK("%s=%d %s=%x", "a", 1, "b", 0xbu);
    const char *volatile null_str = NULL; /* volatile: keep gcc's -Wformat-overflow quiet */
    char got[32];
    assert_int_equal(lib_snprintf(got, sizeof got, "%s", null_str), 6);
    assert_string_equal(got, "(null)");
}

static void test_pointers(void **state)
{
    (void)state;
    int x;
    CHECK("%p", (void *)&x);
    CHECK("[%20p][%-20p]", (void *)&x, (void *)&x);
    char got[32];
    assert_int_equal(lib_snprintf(got, sizeof got, "%p", (void *)0), 3);
    assert_string_equal(got, "0x0");
}

static void test_size_zero_and_long(void **state)
{
    (void)state;
    assert_int_equal(lib_snprintf(NULL, 0, "%d-%s", 12345, "abc"), 9);
    char buf[8];
    assert_int_equal(lib_snprintf(buf, sizeof buf, "%s", "0123456789abcdef"), 16);
    assert_string_equal(buf, "0123456");
    /* the firmware's protocol line */
    char line[160];
    int n = lib_snprintf(line, sizeof line, "md5 n=%lu digest=%s cycles=%llu us=%llu", 100000000UL,
                         "a9ded206f11a06c477373e5104a262fa", 70000000000ULL, 100000000ULL);
    assert_string_equal(line, "md5 n=100000000 digest=a9ded206f11a06c477373e5104a262fa cycles=70000000000 us=100000000");
    assert_int_equal(n, (int)strlen(line));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_strings_chars),
        cmocka_unit_test(test_pointers),
        cmocka_unit_test(test_size_zero_and_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
