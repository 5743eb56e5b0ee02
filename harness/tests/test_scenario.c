/* Scenario parser: good files, each class of bad line (error names file:line), --set
 * overrides and sweep expansion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scenario.h"

static scenario_t S;
static char err[1024];

static void good_file(void **st)
{
    (void)st;
    assert_int_equal(scn_parse_file(SKB_TEST_DATA "/good.scn", &S, err, sizeof err), 0);
    assert_string_equal(S.name, "good");
    assert_string_equal(S.workload, "md5");
    assert_int_equal(S.reps, 4);
    const scn_param_t *n = scn_param(&S, "n");
    assert_non_null(n);
    assert_int_equal(n->nvalues, 3);
    assert_string_equal(n->values[2], "100");
    assert_int_equal(n->line, 6);
    assert_string_equal(scn_param(&S, "text")->values[0], "hash me # not a comment");
    assert_int_equal(scn_npoints(&S), 3);
}

static void shipped_scenarios_parse(void **st)
{
    (void)st;
    const char *names[] = {"md5", "md5-ci", "md5-quick"};
    for (size_t i = 0; i < 3; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s.scn", SKB_SCENARIO_DIR, names[i]);
        if (scn_parse_file(p, &S, err, sizeof err) != 0) fail_msg("%s", err);
        assert_string_equal(S.name, names[i]);
    }
    snprintf(err, sizeof err, "%s/md5.scn", SKB_SCENARIO_DIR);
    assert_int_equal(scn_parse_file(err, &S, err, sizeof err), 0);
    assert_int_equal(scn_npoints(&S), 7);
    assert_string_equal(scn_param(&S, "n")->values[6], "1000000");
    assert_int_equal(S.reps, 10);
}

/* Each bad input must fail with "f.scn:LINE: <message containing what>". */
static void expect_error(const char *text, int line, const char *what)
{
    int rc = scn_parse_string(text, "f.scn", &S, err, sizeof err);
    if (rc == 0) fail_msg("accepted: %s", text);
    char prefix[64];
    if (line > 0) snprintf(prefix, sizeof prefix, "f.scn:%d: ", line);
    else snprintf(prefix, sizeof prefix, "f.scn: ");
    if (strncmp(err, prefix, strlen(prefix)) != 0) fail_msg("error '%s' does not start with '%s'", err, prefix);
    if (!strstr(err, what)) fail_msg("error '%s' does not mention '%s'", err, what);
}

static void bad_lines(void **st)
{
    (void)st;
    expect_error("workload = md5\nn = 1\njunk\n", 3, "expected 'key = value'");
    expect_error("workload = md5\n\n# c\nn = 1\nfoo = 2\n", 5, "unknown key 'foo'");
    expect_error("workload = md5\nn = 12x\n", 2, "bad number '12x'");
    expect_error("workload = md5\nn = -1\n", 2, "bad number '-1'");
    expect_error("workload = md5\nn = 0\n", 2, "bad number '0'");
    expect_error("workload = md5\nn = 99999999999\n", 2, "bad number");
    expect_error("workload = md5\nsweep n = 1, two, 3\n", 2, "bad number 'two'");
    expect_error("workload = md5\nsweep n = 1,,3\n", 2, "empty value 2");
    expect_error("workload = md5\nsweep n = 1, 2,\n", 2, "empty value 3");
    expect_error("workload = md5\nn = 1\nreps = many\n", 3, "bad number 'many' for 'reps'");
    expect_error("workload = md5\nn = 1\ntimeout = -3\n", 3, "bad number '-3' for 'timeout'");
    expect_error("workload = md5\nn = 1\nn = 2\n", 3, "duplicate key 'n' (first set at line 2)");
    expect_error("workload = md5\nsweep n = 1\nn = 2\n", 3, "duplicate key 'n'");
    expect_error("workload = md5\nn = 1\ntext = \"open\n", 3, "unterminated quote");
    expect_error("workload = md5\nn = 1\ntext = \"a\" b\n", 3, "text after closing quote");
    expect_error("workload = md5\nn = \n", 2, "empty value for 'n'");
    expect_error("workload = md5\nb@d = 1\n", 2, "bad key 'b@d'");
    expect_error("workload = sha9\nn = 1\n", 1, "unknown workload 'sha9'");
    expect_error("workload = md5\nn = 1\nboard = pi5\n", 3, "bad board 'pi5'");
    expect_error("workload = md5\nn = 1\nsweep reps = 1, 2\n", 3, "'reps' cannot be swept");
    expect_error("n = 1\n", 0, "missing required key 'workload'");
    expect_error("workload = md5\ntext = x\n", 0, "missing required key 'n'");
}

static void bad_files_name_the_line(void **st)
{
    (void)st;
    assert_int_equal(scn_parse_file(SKB_TEST_DATA "/bad-duplicate.scn", &S, err, sizeof err), -1);
    assert_non_null(strstr(err, "bad-duplicate.scn:3: duplicate key 'n'"));
    assert_int_equal(scn_parse_file(SKB_TEST_DATA "/bad-syntax.scn", &S, err, sizeof err), -1);
    assert_non_null(strstr(err, "bad-syntax.scn:4: "));
    assert_int_equal(scn_parse_file(SKB_TEST_DATA "/does-not-exist.scn", &S, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot open"));
}

static void crlf_and_defaults(void **st)
{
    (void)st;
    assert_int_equal(scn_parse_string("workload = md5\r\nn = 5\r\n", "x/y/crlf.scn", &S, err, sizeof err), 0);
    assert_string_equal(S.name, "crlf");
    assert_string_equal(S.board, "pi1b");
    assert_int_equal(S.reps, 1);
    assert_string_equal(scn_param(&S, "n")->values[0], "5");
    assert_string_equal(scn_param(&S, "text")->values[0], "The quick brown fox jumps over the lazy dog");
}

static void set_overrides(void **st)
{
    (void)st;
    assert_int_equal(scn_parse_string("workload = md5\nn = 5\n", "f.scn", &S, err, sizeof err), 0);
    assert_int_equal(scn_set(&S, "n=1,10,1000", err, sizeof err), 0);
    assert_int_equal(scn_npoints(&S), 3);
    assert_int_equal(scn_set(&S, "text=a, b, c", err, sizeof err), 0); /* text: never split */
    assert_string_equal(scn_param(&S, "text")->values[0], "a, b, c");
    assert_int_equal(scn_npoints(&S), 3);
    assert_int_equal(scn_set(&S, "reps=7", err, sizeof err), 0);
    assert_int_equal(S.reps, 7);
    assert_int_equal(scn_set(&S, "bogus=1", err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown key 'bogus'"));
    assert_int_equal(scn_set(&S, "n=1,x", err, sizeof err), -1);
    assert_non_null(strstr(err, "bad number 'x'"));
    assert_int_equal(scn_set(&S, "novalue", err, sizeof err), -1);
    assert_int_equal(scn_set(&S, "workload=md5", err, sizeof err), -1);
    assert_int_equal(scn_set(&S, "reps=0", err, sizeof err), -1);
}

static void sweep_expansion(void **st)
{
    (void)st;
    assert_int_equal(scn_parse_string("workload = md5\nsweep n = 1, 10, 100\nsweep text = a, b\n", "f.scn", &S,
                                      err, sizeof err), 0);
    assert_int_equal(scn_npoints(&S), 6);
    const char *want[6][2] = {{"1", "a"}, {"1", "b"}, {"10", "a"}, {"10", "b"}, {"100", "a"}, {"100", "b"}};
    for (size_t i = 0; i < 6; i++) {
        scn_point_t pt;
        scn_point(&S, i, &pt);
        assert_string_equal(scn_point_get(&pt, "n"), want[i][0]);
        assert_string_equal(scn_point_get(&pt, "text"), want[i][1]);
    }
    scn_point_t pt;
    char name[160];
    scn_point(&S, 5, &pt);
    scn_point_name(&S, &pt, name, sizeof name);
    assert_string_equal(name, "md5/n:100/text:b");
    /* a fixed text does not appear in the benchmark name */
    assert_int_equal(scn_parse_string("workload = md5\nsweep n = 1, 1000\n", "f.scn", &S, err, sizeof err), 0);
    scn_point(&S, 1, &pt);
    scn_point_name(&S, &pt, name, sizeof name);
    assert_string_equal(name, "md5/n:1000");
    assert_null(scn_point_get(&pt, "nope"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_file),        cmocka_unit_test(shipped_scenarios_parse),
        cmocka_unit_test(bad_lines),        cmocka_unit_test(bad_files_name_the_line),
        cmocka_unit_test(crlf_and_defaults), cmocka_unit_test(set_overrides),
        cmocka_unit_test(sweep_expansion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
