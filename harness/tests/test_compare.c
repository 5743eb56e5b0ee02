/* The comparer: regression beyond the threshold detected, within it not; missing
 * benchmarks and incomplete NEW runs fail; bad input is an error (2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"

static char out[8192];

static int run(const char *a, const char *b, double thr)
{
    FILE *f = fmemopen(out, sizeof out, "w");
    int rc = cmp_json(a, b, thr, f);
    fclose(f);
    return rc;
}

/* one benchmark with aggregates (mean) and one with iterations only */
static void doc(char *buf, size_t len, double cycles, double cpu, int complete)
{
    snprintf(buf, len,
             "{\"context\":{\"sk_complete\":%s},\"benchmarks\":["
             "{\"name\":\"md5/n:10/target:sim\",\"run_name\":\"md5/n:10/target:sim\",\"run_type\":\"iteration\","
             "\"real_time\":%g,\"cpu_time\":%g,\"cycles\":%g},"
             "{\"name\":\"md5/n:10/target:sim_mean\",\"run_name\":\"md5/n:10/target:sim\",\"run_type\":\"aggregate\","
             "\"aggregate_name\":\"mean\",\"real_time\":%g,\"cpu_time\":%g,\"cycles\":%g},"
             "{\"name\":\"md5/n:10/target:sim_stddev\",\"run_name\":\"md5/n:10/target:sim\",\"run_type\":\"aggregate\","
             "\"aggregate_name\":\"stddev\",\"real_time\":99999,\"cpu_time\":99999,\"cycles\":99999},"
             "{\"name\":\"md5/n:1/target:sim\",\"run_name\":\"md5/n:1/target:sim\",\"run_type\":\"iteration\","
             "\"real_time\":10,\"cpu_time\":10,\"cycles\":7000}]}",
             complete ? "true" : "false", cpu * 2, cpu, cycles * 2, cpu, cpu, cycles);
}

static void no_regression(void **st)
{
    (void)st;
    char a[2048], b[2048];
    doc(a, sizeof a, 1000000, 1428, 1);
    doc(b, sizeof b, 1004000, 1433, 1); /* +0.4% */
    assert_int_equal(run(a, b, 0.5), 0);
    assert_non_null(strstr(out, "PASS"));
    assert_non_null(strstr(out, "md5/n:10/target:sim"));
    assert_null(strstr(out, "REGRESSION"));
    assert_int_equal(run(a, a, 0), 0); /* identical: passes even at 0% */
}

static void regression_detected(void **st)
{
    (void)st;
    char a[2048], b[2048];
    doc(a, sizeof a, 1000000, 1428, 1);
    doc(b, sizeof b, 1010000, 1428, 1); /* cycles +1% */
    assert_int_equal(run(a, b, 0.5), 1);
    assert_non_null(strstr(out, "REGRESSION"));
    assert_non_null(strstr(out, "+1.00%"));
    assert_int_equal(run(a, b, 2.0), 0); /* within a looser threshold */
    /* an improvement never fails */
    assert_int_equal(run(b, a, 0.5), 0);
    assert_non_null(strstr(out, "improved"));
}

static void mean_aggregate_used(void **st)
{
    (void)st;
    /* iteration rows hold 2x the mean; if they were averaged in, this would regress */
    char a[2048], b[2048];
    doc(a, sizeof a, 1000, 100, 1);
    doc(b, sizeof b, 1000, 100, 1);
    assert_int_equal(run(a, b, 0.1), 0);
    assert_non_null(strstr(out, "1000.000"));
}

static void missing_and_incomplete(void **st)
{
    (void)st;
    char a[2048], b[2048];
    doc(a, sizeof a, 1000, 100, 1);
    const char *only_one = "{\"benchmarks\":[{\"name\":\"md5/n:1/target:sim\",\"run_type\":\"iteration\","
                           "\"real_time\":10,\"cpu_time\":10,\"cycles\":7000}]}";
    assert_int_equal(run(a, only_one, 5), 1);
    assert_non_null(strstr(out, "MISSING"));
    assert_int_equal(run(only_one, a, 5), 0); /* a new benchmark is reported, not a failure */
    assert_non_null(strstr(out, "new (not in OLD)"));
    doc(b, sizeof b, 1000, 100, 0);
    assert_int_equal(run(a, b, 5), 1);
    assert_non_null(strstr(out, "incomplete"));
}

static void bad_input(void **st)
{
    (void)st;
    assert_int_equal(run("{not json", "{}", 5), 2);
    assert_int_equal(run("{\"context\":{}}", "{\"benchmarks\":[]}", 5), 2);
    FILE *f = fmemopen(out, sizeof out, "w");
    assert_int_equal(cmp_files("/nonexistent/a.json", "/nonexistent/b.json", 5, f), 2);
    fclose(f);
    assert_non_null(strstr(out, "cannot read"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(no_regression), cmocka_unit_test(regression_detected),
                                       cmocka_unit_test(mean_aggregate_used),
                                       cmocka_unit_test(missing_and_incomplete), cmocka_unit_test(bad_input)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
