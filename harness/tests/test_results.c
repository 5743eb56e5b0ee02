/* results.json is valid JSON in Google Benchmark's schema (read back with cJSON);
 * samples.csv has one row per sample. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "results.h"

static char *slurp(const char *p)
{
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void fill(sk_results_t *r, int points, int reps, bool complete)
{
    res_init(r);
    snprintf(r->scenario, sizeof r->scenario, "md5-test");
    snprintf(r->workload, sizeof r->workload, "md5");
    snprintf(r->targets, sizeof r->targets, "sim");
    snprintf(r->board, sizeof r->board, "pi1b");
    snprintf(r->executable, sizeof r->executable, "/x/skbench");
    r->reps = (unsigned)reps;
    r->complete = complete;
    if (!complete) snprintf(r->error, sizeof r->error, "target died");
    for (int p = 0; p < points; p++)
        for (int k = 0; k < reps; k++) {
            sk_sample_t s = {0};
            snprintf(s.target, sizeof s.target, "sim");
            s.n = (uint64_t)pow(10, p);
            snprintf(s.point, sizeof s.point, "md5/n:%llu", (unsigned long long)s.n);
            s.rep = (unsigned)k;
            s.cpu_us = 100.0 * (p + 1) + k;
            s.exec_us = s.cpu_us;
            s.host_wall_us = 5000;
            s.cycles = 70000ull * (p + 1) + (uint64_t)k;
            snprintf(s.digest, sizeof s.digest, "%032x", p);
            s.ok = 1;
            assert_int_equal(res_add(r, &s), 0);
        }
}

static void json_schema(void **st)
{
    (void)st;
    sk_results_t r;
    fill(&r, 2, 3, true);
    char path[] = "/tmp/skb-res-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    assert_int_equal(res_write_json(&r, path), 0);
    cJSON *root = cJSON_Parse(slurp(path));
    assert_non_null(root);
    cJSON *ctx = cJSON_GetObjectItem(root, "context");
    const char *ctx_str[] = {"date", "host_name", "executable", "library_build_type", "sk_target", "sk_board",
                             "sk_scenario"};
    for (size_t i = 0; i < sizeof ctx_str / sizeof *ctx_str; i++)
        assert_true(cJSON_IsString(cJSON_GetObjectItem(ctx, ctx_str[i])));
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(ctx, "num_cpus")));
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(ctx, "mhz_per_cpu")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(ctx, "sk_complete")));
    assert_string_equal(cJSON_GetObjectItem(ctx, "sk_target")->valuestring, "sim");
    cJSON *b = cJSON_GetObjectItem(root, "benchmarks");
    assert_true(cJSON_IsArray(b));
    /* per point: 3 iterations + mean, median, stddev */
    assert_int_equal(cJSON_GetArraySize(b), 2 * (3 + 3));
    cJSON *first = cJSON_GetArrayItem(b, 0);
    assert_string_equal(cJSON_GetObjectItem(first, "name")->valuestring, "md5/n:1/target:sim");
    assert_string_equal(cJSON_GetObjectItem(first, "run_name")->valuestring, "md5/n:1/target:sim");
    assert_string_equal(cJSON_GetObjectItem(first, "run_type")->valuestring, "iteration");
    assert_string_equal(cJSON_GetObjectItem(first, "time_unit")->valuestring, "us");
    const char *nums[] = {"repetitions", "repetition_index", "iterations", "real_time", "cpu_time", "cycles",
                          "exec_us", "cpu_us", "ok", "threads"};
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++)
        if (!cJSON_IsNumber(cJSON_GetObjectItem(first, nums[i]))) fail_msg("missing number %s", nums[i]);
    assert_int_equal(cJSON_GetObjectItem(first, "repetitions")->valueint, 3);
    assert_int_equal(cJSON_GetObjectItem(first, "ok")->valueint, 1);
    cJSON *mean = cJSON_GetArrayItem(b, 3), *median = cJSON_GetArrayItem(b, 4), *sd = cJSON_GetArrayItem(b, 5);
    assert_string_equal(cJSON_GetObjectItem(mean, "name")->valuestring, "md5/n:1/target:sim_mean");
    assert_string_equal(cJSON_GetObjectItem(mean, "run_type")->valuestring, "aggregate");
    assert_string_equal(cJSON_GetObjectItem(mean, "aggregate_name")->valuestring, "mean");
    assert_string_equal(cJSON_GetObjectItem(median, "aggregate_name")->valuestring, "median");
    assert_string_equal(cJSON_GetObjectItem(sd, "aggregate_name")->valuestring, "stddev");
    assert_float_equal(cJSON_GetObjectItem(mean, "cpu_time")->valuedouble, 101.0, 1e-9);
    assert_float_equal(cJSON_GetObjectItem(mean, "cycles")->valuedouble, 70001.0, 1e-9);
    assert_float_equal(cJSON_GetObjectItem(sd, "cpu_time")->valuedouble, 1.0, 1e-9);
    assert_null(cJSON_GetObjectItem(mean, "repetition_index"));
    cJSON_Delete(root);
    unlink(path);
    res_free(&r);
}

static void partial_flagged_and_single_rep(void **st)
{
    (void)st;
    sk_results_t r;
    fill(&r, 2, 1, false);
    char path[] = "/tmp/skb-res-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    assert_int_equal(res_write_json(&r, path), 0);
    cJSON *root = cJSON_Parse(slurp(path));
    assert_non_null(root);
    cJSON *ctx = cJSON_GetObjectItem(root, "context");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(ctx, "sk_complete")));
    assert_string_equal(cJSON_GetObjectItem(ctx, "sk_error")->valuestring, "target died");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "benchmarks")), 2); /* no aggregates */
    cJSON_Delete(root);
    /* empty run: still valid JSON with an empty benchmarks array */
    res_free(&r);
    res_init(&r);
    r.complete = false;
    assert_int_equal(res_write_json(&r, path), 0);
    root = cJSON_Parse(slurp(path));
    assert_non_null(root);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root, "benchmarks")), 0);
    cJSON_Delete(root);
    unlink(path);
}

static void csv_rows(void **st)
{
    (void)st;
    sk_results_t r;
    fill(&r, 2, 2, true);
    char path[] = "/tmp/skb-csv-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    assert_int_equal(res_write_csv(&r, path), 0);
    char *txt = slurp(path);
    int lines = 0;
    for (char *p = txt; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 1 + 4);
    assert_non_null(strstr(txt, "target,benchmark,n,rep,cpu_us,exec_us,host_wall_us,cycles,digest,ok\n"));
    assert_non_null(strstr(txt, "sim,md5/n:10,10,1,201.000,201.000,5000.000,140001,00000000000000000000000000000001,1\n"));
    unlink(path);
    res_free(&r);
}

static void stats(void **st)
{
    (void)st;
    double v[] = {4, 1, 3, 2}, mean, med, sd;
    res_stats(v, 4, &mean, &med, &sd);
    assert_float_equal(mean, 2.5, 1e-12);
    assert_float_equal(med, 2.5, 1e-12);
    assert_float_equal(sd, sqrt(5.0 / 3.0), 1e-12);
    res_stats(v, 3, &mean, &med, &sd);
    assert_float_equal(med, 3, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(json_schema), cmocka_unit_test(partial_flagged_and_single_rep),
                                       cmocka_unit_test(csv_rows), cmocka_unit_test(stats)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
