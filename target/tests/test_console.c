/* fw_lib_console: line editing, limits, counters and command dispatch. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib/console.h"

static char out[8192];
static size_t out_len;
static char last_args[CON_LINE_MAX + 1];
static int calls;

static void cap_write(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    assert_true(out_len + len < sizeof out);
    memcpy(out + out_len, s, len);
    out_len += len;
    out[out_len] = '\0';
}

static void cmd_echo(con_t *con, const char *args)
{
    calls++;
    strcpy(last_args, args);
    con_reply(con, "echo %s", args);
}

static const con_cmd_t cmds[] = {{"echo", "TEXT", "repeat", cmd_echo}};

static con_t con;

static int setup(void **state)
{
    static con_config_t cfg = {cmds, 1, cap_write, NULL, 0};
    (void)state;
    con_init(&con, &cfg);
    out_len = 0;
    out[0] = '\0';
    calls = 0;
    last_args[0] = '\0';
    return 0;
}

static void feed(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        con_feed(&con, (unsigned char)s[i]);
}
#define FEED(s) feed((s), sizeof(s) - 1)

static void test_command_and_args(void **state)
{
    (void)state;
    FEED("  echo   a  b \r\n");
    assert_int_equal(calls, 1);
    assert_string_equal(last_args, "a  b ");
    assert_string_equal(out, "echo a  b \r\n> ");
}

static void test_line_endings(void **state)
{
    (void)state;
    FEED("echo 1\recho 2\necho 3\r\n\r\n\n");
    assert_int_equal(calls, 3);
    assert_int_equal(con.stats.lines, 5); /* 3 commands + CRLF-free empty lines */
}

static void test_backspace_and_garbage(void **state)
{
    (void)state;
    FEED("\x01" "echx\bo hi\x7f\x7fyo\x1b\xff\n");
    assert_int_equal(calls, 1);
    assert_string_equal(last_args, "yo");
    assert_int_equal(con.stats.garbage, 3);
}

static void test_unknown_and_help(void **state)
{
    (void)state;
    FEED("frobnicate now\n");
    assert_string_equal(out, "err unknown-command frobnicate\r\n> ");
    out_len = 0;
    FEED("help\n");
    assert_non_null(strstr(out, "help echo TEXT - repeat\r\n"));
}

static void test_line_too_long(void **state)
{
    (void)state;
    char line[CON_LINE_MAX + 50];
    memset(line, 'x', sizeof line);
    feed(line, sizeof line);
    FEED("\n");
    assert_int_equal(calls, 0);
    assert_int_equal(con.stats.bad_lines, 1);
    assert_string_equal(out, "err line-too-long\r\n> ");
    /* exactly CON_LINE_MAX characters is fine */
    out_len = 0;
    memcpy(line, "echo ", 5);
    feed(line, CON_LINE_MAX);
    FEED("\n");
    assert_int_equal(calls, 1);
    assert_int_equal(strlen(last_args), CON_LINE_MAX - 5);
    assert_int_equal(con.stats.bad_lines, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_command_and_args, setup),
        cmocka_unit_test_setup(test_line_endings, setup),
        cmocka_unit_test_setup(test_backspace_and_garbage, setup),
        cmocka_unit_test_setup(test_unknown_and_help, setup),
        cmocka_unit_test_setup(test_line_too_long, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
