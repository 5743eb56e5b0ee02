/* fw_lib_bootargs: ATAG walk (well-formed, malformed, absent) and key=value lookup. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib/bootargs.h"
#include "err.h"

/* ATAG_CORE (size 2), ATAG_CMDLINE with text, ATAG_NONE */
static size_t build(uint32_t *w, size_t cap, const char *text)
{
    size_t n = 0, tl = strlen(text) + 1, words = (tl + 3) / 4;
    assert_true(4 + words + 2 <= cap);
    memset(w, 0xEE, cap * 4);
    w[n++] = 2;
    w[n++] = BOOTARGS_ATAG_CORE;
    w[n++] = (uint32_t)(2 + words);
    w[n++] = BOOTARGS_ATAG_CMDLINE;
    memset(&w[n], 0, words * 4);
    memcpy(&w[n], text, tl);
    n += words;
    w[n++] = 0;
    w[n++] = BOOTARGS_ATAG_NONE;
    return n;
}

static void test_cmdline_found(void **state)
{
    (void)state;
    uint32_t w[64];
    size_t n = build(w, 64, "quiet sk.console=uart1 x=1");
    const char *c = NULL;
    size_t len = 0;
    assert_int_equal(bootargs_cmdline(w, n, &c, &len), ERR_OK);
    assert_int_equal(len, strlen("quiet sk.console=uart1 x=1"));
    char v[16];
    assert_int_equal(bootargs_get(c, len, "sk.console", v, sizeof v), ERR_OK);
    assert_string_equal(v, "uart1");
    assert_int_equal(bootargs_get(c, len, "x", v, sizeof v), ERR_OK);
    assert_string_equal(v, "1");
    assert_int_equal(bootargs_get(c, len, "console", v, sizeof v), ERR_EMPTY); /* not a suffix match */
    assert_int_equal(bootargs_get(c, len, "quiet", v, sizeof v), ERR_EMPTY);   /* no '=' */
}

static void test_last_wins_and_nospc(void **state)
{
    (void)state;
    const char *c = "a=1 a=22  a=333";
    char v[3];
    assert_int_equal(bootargs_get(c, strlen(c), "a", v, sizeof v), ERR_NOSPC); /* last one too long */
    char big[8];
    assert_int_equal(bootargs_get(c, strlen(c), "a", big, sizeof big), ERR_OK);
    assert_string_equal(big, "333");
    assert_int_equal(bootargs_get(c, 5, "a", big, sizeof big), ERR_OK); /* len bounds the search */
    assert_string_equal(big, "1");
    assert_int_equal(bootargs_get("", 0, "a", big, sizeof big), ERR_EMPTY);
}

static void test_no_list(void **state)
{
    (void)state;
    uint32_t zero[16] = {0};
    const char *c;
    size_t len;
    assert_int_equal(bootargs_cmdline(zero, 16, &c, &len), ERR_EMPTY);
    uint32_t dtb[4] = {0xEDFE0DD0u, 0x100, 0, 0}; /* device-tree magic (big-endian) */
    assert_int_equal(bootargs_cmdline(dtb, 4, &c, &len), ERR_EMPTY);
    assert_int_equal(bootargs_cmdline(NULL, 16, &c, &len), ERR_EMPTY);
    uint32_t core_only[4] = {2, BOOTARGS_ATAG_CORE, 0, BOOTARGS_ATAG_NONE};
    assert_int_equal(bootargs_cmdline(core_only, 4, &c, &len), ERR_EMPTY);
}

static void test_malformed(void **state)
{
    (void)state;
    uint32_t w[64];
    size_t n = build(w, 64, "sk.console=uart1");
    const char *c;
    size_t len;
    assert_int_equal(bootargs_cmdline(w, 3, &c, &len), ERR_INVAL);  /* second tag past the end */
    w[2] = 0;                                                          /* size 0 */
    assert_int_equal(bootargs_cmdline(w, n, &c, &len), ERR_INVAL);
    w[2] = 1000;                                                       /* size past the end */
    assert_int_equal(bootargs_cmdline(w, n, &c, &len), ERR_INVAL);
    uint32_t loop[2 * (BOOTARGS_MAX_TAGS + 2)];
    for (size_t i = 0; i < BOOTARGS_MAX_TAGS + 2; i++) {
        loop[2 * i] = 2;
        loop[2 * i + 1] = i ? 0x54410002u : BOOTARGS_ATAG_CORE;
    }
    assert_int_equal(bootargs_cmdline(loop, 2 * (BOOTARGS_MAX_TAGS + 2), &c, &len), ERR_INVAL); /* no end */
    /* a command line without NUL stops at the tag end */
    uint32_t nonul[6] = {2, BOOTARGS_ATAG_CORE, 3, BOOTARGS_ATAG_CMDLINE, 0x61616161u, 0};
    assert_int_equal(bootargs_cmdline(nonul, 6, &c, &len), ERR_OK);
    assert_int_equal(len, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cmdline_found),
        cmocka_unit_test(test_last_wins_and_nospc),
        cmocka_unit_test(test_no_list),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
