/* Console protocol pieces: the md5 reply parser and the host-side chained MD5. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>
#include "console.h"
#include "md5.h"

static void rfc1321_vectors(void **st)
{
    (void)st;
    char hex[33];
    console_expected_md5(1, "The quick brown fox jumps over the lazy dog", hex);
    assert_string_equal(hex, "9e107d9d372bb6826bd81d3542a419d6");
    console_expected_md5(1, "abc", hex);
    assert_string_equal(hex, "900150983cd24fb0d6963f7d28e17f72");
    /* n = 2: MD5 over the 16 raw bytes of MD5("abc") */
    uint8_t d1[16], d2[16];
    md5("abc", 3, d1);
    md5(d1, 16, d2);
    console_expected_md5(2, "abc", hex);
    char want[33];
    for (int i = 0; i < 16; i++) snprintf(want + 2 * i, 3, "%02x", d2[i]);
    assert_string_equal(hex, want);
    /* a 56..64-byte message crosses the padding boundary */
    console_expected_md5(1, "12345678901234567890123456789012345678901234567890123456789012345678901234567890", hex);
    assert_string_equal(hex, "57edf4a22be3c955ac49da2e2107b67a");
}

static void parse_reply(void **st)
{
    (void)st;
    unsigned long long n, cycles;
    char dg[33];
    double us;
    assert_int_equal(console_parse_md5("md5 n=1000 digest=9E107D9D372BB6826BD81D3542A419D6 cycles=123456 us=176",
                                       &n, dg, &cycles, &us), 0);
    assert_int_equal(n, 1000);
    assert_string_equal(dg, "9e107d9d372bb6826bd81d3542a419d6");
    assert_int_equal(cycles, 123456);
    assert_float_equal(us, 176, 1e-9);
    assert_int_equal(console_parse_md5("md5 n=1 digest=abc cycles=1 us=1", &n, dg, &cycles, &us), -1);
    assert_int_equal(console_parse_md5("md5 n=1 digest=9e107d9d372bb6826bd81d3542a419d6 us=1", &n, dg, &cycles, &us), -1);
    assert_int_equal(console_parse_md5("md5 n=x digest=9e107d9d372bb6826bd81d3542a419d6 cycles=1 us=1", &n, dg, &cycles, &us), -1);
    assert_int_equal(console_parse_md5("md5-end", &n, dg, &cycles, &us), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(rfc1321_vectors), cmocka_unit_test(parse_reply)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
