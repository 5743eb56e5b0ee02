/* results.json in Google Benchmark's JSON schema, so tools/compare.py reads it:
 * one "iteration" entry per sample (iterations = 1) and, with reps > 1, "aggregate"
 * entries mean/median/stddev named <run_name>_<aggregate> as Google Benchmark does. */
#include "results.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void res_init(sk_results_t *r)
{
    memset(r, 0, sizeof *r);
    r->time_scale = 1.0;
    r->complete = true;
}

void res_free(sk_results_t *r)
{
    free(r->samples);
    r->samples = NULL;
    r->count = r->cap = 0;
}

int res_add(sk_results_t *r, const sk_sample_t *s)
{
    if (r->count == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 64;
        sk_sample_t *ns = realloc(r->samples, nc * sizeof *ns);
        if (!ns) return -1;
        r->samples = ns;
        r->cap = nc;
    }
    r->samples[r->count++] = *s;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void res_stats(const double *v, size_t n, double *mean, double *median, double *stddev)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += v[i];
    *mean = n ? sum / (double)n : 0;
    double ss = 0;
    for (size_t i = 0; i < n; i++) ss += (v[i] - *mean) * (v[i] - *mean);
    *stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0; /* sample stddev, as Google Benchmark */
    double *t = malloc((n ? n : 1) * sizeof *t);
    if (!t) { *median = *mean; return; }
    memcpy(t, v, n * sizeof *t);
    qsort(t, n, sizeof *t, cmp_double);
    *median = n == 0 ? 0 : (n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2);
    free(t);
}

static double cpu_mhz(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    double mhz = 0;
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "cpu MHz : %lf", &mhz) == 1) break;
    if (f) fclose(f);
    return mhz;
}

static void run_name(const sk_sample_t *s, char *buf, size_t len)
{
    snprintf(buf, len, "%s/target:%s", s->point, s->target);
}

enum { F_CPU, F_EXEC, F_WALL, F_CYCLES, F_N, NFIELDS };
static double field(const sk_sample_t *s, int f)
{
    switch (f) {
    case F_CPU: return s->cpu_us;
    case F_EXEC: return s->exec_us;
    case F_WALL: return s->host_wall_us;
    case F_CYCLES: return (double)s->cycles;
    default: return (double)s->n;
    }
}

static cJSON *entry(const char *name, const char *rname, int family, int instance,
                    const char *run_type, unsigned reps, long rep_index, const char *agg)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "name", name);
    cJSON_AddNumberToObject(b, "family_index", family);
    cJSON_AddNumberToObject(b, "per_family_instance_index", instance);
    cJSON_AddStringToObject(b, "run_name", rname);
    cJSON_AddStringToObject(b, "run_type", run_type);
    cJSON_AddNumberToObject(b, "repetitions", reps);
    if (rep_index >= 0) cJSON_AddNumberToObject(b, "repetition_index", (double)rep_index);
    cJSON_AddNumberToObject(b, "threads", 1);
    if (agg) {
        cJSON_AddStringToObject(b, "aggregate_name", agg);
        cJSON_AddStringToObject(b, "aggregate_unit", "time");
    }
    return b;
}

static void add_values(cJSON *b, const double v[NFIELDS])
{
    cJSON_AddNumberToObject(b, "iterations", 1);
    cJSON_AddNumberToObject(b, "real_time", v[F_EXEC]);
    cJSON_AddNumberToObject(b, "cpu_time", v[F_CPU]);
    cJSON_AddStringToObject(b, "time_unit", "us");
    /* user counters (Google Benchmark writes them as extra numeric members) */
    cJSON_AddNumberToObject(b, "cycles", v[F_CYCLES]);
    cJSON_AddNumberToObject(b, "cpu_us", v[F_CPU]);
    cJSON_AddNumberToObject(b, "exec_us", v[F_EXEC]);
    cJSON_AddNumberToObject(b, "host_wall_us", v[F_WALL]);
    cJSON_AddNumberToObject(b, "n", v[F_N]);
}

int res_write_json(const sk_results_t *r, const char *path)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *ctx = cJSON_AddObjectToObject(root, "context");
    char date[64], host[256] = "";
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S%z", &tm);
    gethostname(host, sizeof host - 1);
    cJSON_AddStringToObject(ctx, "date", date);
    cJSON_AddStringToObject(ctx, "host_name", host);
    cJSON_AddStringToObject(ctx, "executable", r->executable);
    cJSON_AddNumberToObject(ctx, "num_cpus", (double)sysconf(_SC_NPROCESSORS_ONLN));
    cJSON_AddNumberToObject(ctx, "mhz_per_cpu", round(cpu_mhz()));
    cJSON_AddBoolToObject(ctx, "cpu_scaling_enabled", 0);
    cJSON_AddArrayToObject(ctx, "caches");
    cJSON_AddStringToObject(ctx, "library_build_type", "release");
    cJSON_AddStringToObject(ctx, "sk_scenario", r->scenario);
    cJSON_AddStringToObject(ctx, "sk_workload", r->workload);
    cJSON_AddStringToObject(ctx, "sk_target", r->targets);
    cJSON_AddStringToObject(ctx, "sk_board", r->board);
    cJSON_AddStringToObject(ctx, "sk_kernel", r->kernel);
    cJSON_AddStringToObject(ctx, "sk_target_info", r->target_info);
    cJSON_AddNumberToObject(ctx, "sk_reps", r->reps);
    cJSON_AddBoolToObject(ctx, "sk_complete", r->complete);
    cJSON_AddStringToObject(ctx, "sk_error", r->error);
    cJSON_AddStringToObject(ctx, "sk_time_note",
                            "real_time = execution time, cpu_time = target-reported CPU time (us=); "
                            "on sim both are simulated time; host_wall_us is host wall clock");

    cJSON *arr = cJSON_AddArrayToObject(root, "benchmarks");
    /* group samples by run name, keeping first-seen order */
    bool *done = calloc(r->count ? r->count : 1, sizeof *done);
    double *vals = malloc((r->count ? r->count : 1) * sizeof *vals);
    size_t *idx = malloc((r->count ? r->count : 1) * sizeof *idx);
    int family = 0;
    for (size_t i = 0; done && vals && idx && i < r->count; i++) {
        if (done[i]) continue;
        char rn[256], other[256];
        run_name(&r->samples[i], rn, sizeof rn);
        size_t k = 0;
        for (size_t j = i; j < r->count; j++) {
            run_name(&r->samples[j], other, sizeof other);
            if (!done[j] && strcmp(rn, other) == 0) { idx[k++] = j; done[j] = true; }
        }
        for (size_t m = 0; m < k; m++) {
            const sk_sample_t *s = &r->samples[idx[m]];
            cJSON *b = entry(rn, rn, family, 0, "iteration", r->reps, (long)s->rep, NULL);
            double v[NFIELDS];
            for (int f = 0; f < NFIELDS; f++) v[f] = field(s, f);
            add_values(b, v);
            for (int x = 0; x < s->nextra; x++) cJSON_AddNumberToObject(b, s->extra_key[x], s->extra_val[x]);
            cJSON_AddNumberToObject(b, "ok", s->ok);
            cJSON_AddItemToArray(arr, b);
        }
        if (k > 1) {
            double mean[NFIELDS], med[NFIELDS], sd[NFIELDS];
            for (int f = 0; f < NFIELDS; f++) {
                for (size_t m = 0; m < k; m++) vals[m] = field(&r->samples[idx[m]], f);
                res_stats(vals, k, &mean[f], &med[f], &sd[f]);
            }
            const char *aggs[3] = {"mean", "median", "stddev"};
            double *which[3] = {mean, med, sd};
            for (int a = 0; a < 3; a++) {
                char an[300];
                snprintf(an, sizeof an, "%s_%s", rn, aggs[a]);
                cJSON *b = entry(an, rn, family, 0, "aggregate", (unsigned)k, -1, aggs[a]);
                add_values(b, which[a]);
                /* extra counters: same keys in every sample of one run name */
                const sk_sample_t *s0 = &r->samples[idx[0]];
                for (int x = 0; x < s0->nextra; x++) {
                    double em, emed, esd;
                    for (size_t m = 0; m < k; m++) vals[m] = r->samples[idx[m]].extra_val[x];
                    res_stats(vals, k, &em, &emed, &esd);
                    cJSON_AddNumberToObject(b, s0->extra_key[x], a == 0 ? em : a == 1 ? emed : esd);
                }
                cJSON_SetNumberValue(cJSON_GetObjectItem(b, "iterations"), (double)k);
                cJSON_AddItemToArray(arr, b);
            }
        }
        family++;
    }
    free(done);
    free(vals);
    free(idx);
    char *txt = cJSON_Print(root);
    cJSON_Delete(root);
    if (!txt) { errno = ENOMEM; return -1; }
    FILE *f = fopen(path, "w");
    if (!f) { free(txt); return -1; }
    fputs(txt, f);
    fputc('\n', f);
    free(txt);
    return fclose(f) == 0 ? 0 : -1;
}

int res_write_csv(const sk_results_t *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "target,benchmark,n,rep,cpu_us,exec_us,host_wall_us,cycles,digest,ok\n");
    for (size_t i = 0; i < r->count; i++) {
        const sk_sample_t *s = &r->samples[i];
        fprintf(f, "%s,%s,%llu,%u,%.3f,%.3f,%.3f,%llu,%s,%d\n", s->target, s->point,
                (unsigned long long)s->n, s->rep, s->cpu_us, s->exec_us, s->host_wall_us,
                (unsigned long long)s->cycles, s->digest, s->ok);
    }
    return fclose(f) == 0 ? 0 : -1;
}

char *sk_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) { free(buf); buf = NULL; }
    if (buf) buf[len] = '\0';
    fclose(f);
    return buf;
}
