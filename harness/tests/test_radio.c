/* harness_radio: the host modem's frames (Linux target) are the telegrams of the modem
 * script: the RPS reference vector byte for byte, the 4BS layout, valid CRCs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "radio.h"

static uint8_t crc8(const uint8_t *p, size_t n)
{
    uint8_t c = 0;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int b = 0; b < 8; b++) c = (uint8_t)((c & 0x80u) ? (unsigned)(c << 1) ^ 7u : (unsigned)(c << 1));
    }
    return c;
}

static void test_rps_is_the_reference_vector(void **state)
{
    (void)state;
    /* ../shared/reference/esp3-vectors.txt "RPS rocker F6-02-02, ERP1" */
    static const uint8_t want[] = {0x55, 0x00, 0x07, 0x07, 0x01, 0x7A, 0xF6, 0x50, 0x00, 0x29, 0x89,
                                   0x79, 0x30, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x61};
    uint8_t f[64];
    size_t n = radio_build_frame(0, 0x00298979u, f, sizeof f);
    assert_int_equal(n, sizeof want);
    assert_memory_equal(f, want, sizeof want);
    assert_int_equal(radio_build_frame(0, 1, f, 20), 0); /* does not fit */
}

static void test_4bs_layout(void **state)
{
    (void)state;
    uint8_t f[64];
    size_t n = radio_build_frame(3, 0x01000010u, f, sizeof f); /* odd group: 4bs data=08000003 */
    assert_int_equal(n, 6 + 10 + 7 + 1);
    assert_int_equal(f[0], 0x55);
    assert_int_equal((f[1] << 8) | f[2], 10);
    assert_int_equal(f[3], 7);
    assert_int_equal(f[4], 0x01);
    assert_int_equal(f[5], crc8(f + 1, 4));
    static const uint8_t data[] = {0xA5, 0x08, 0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x10, 0x00};
    assert_memory_equal(f + 6, data, sizeof data);
    assert_int_equal(f[n - 1], crc8(f + 6, 17));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rps_is_the_reference_vector),
        cmocka_unit_test(test_4bs_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
