/* Compares per run_name the aggregate "mean" (or the mean of the iteration entries when
 * there are no aggregates) of cycles, cpu_time and real_time. A metric regresses when
 * NEW > OLD * (1 + threshold/100). host_wall_us is never compared (not reproducible). */
#include "compare.h"
#include "results.h"
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NMET 3
static const char *METRICS[NMET] = {"cycles", "cpu_time", "real_time"};

typedef struct {
    char name[256];
    double sum[NMET];
    int has[NMET];
    int iters;
    int has_mean;
    double mean[NMET];
} bench_t;

typedef struct {
    bench_t *b;
    int n;
    int complete;
} set_t;

static bench_t *get(set_t *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->b[i].name, name) == 0) return &s->b[i];
    bench_t *nb = realloc(s->b, (size_t)(s->n + 1) * sizeof *nb);
    if (!nb) return NULL;
    s->b = nb;
    memset(&s->b[s->n], 0, sizeof *nb);
    snprintf(s->b[s->n].name, sizeof nb->name, "%s", name);
    return &s->b[s->n++];
}

static int load(const char *json, set_t *s, const char *label, FILE *out)
{
    memset(s, 0, sizeof *s);
    s->complete = 1;
    cJSON *root = cJSON_Parse(json);
    if (!root) { fprintf(out, "compare: %s: not valid JSON\n", label); return -1; }
    cJSON *arr = cJSON_GetObjectItem(root, "benchmarks");
    if (!cJSON_IsArray(arr)) {
        fprintf(out, "compare: %s: no \"benchmarks\" array (not a Google Benchmark JSON file)\n", label);
        cJSON_Delete(root);
        return -1;
    }
    cJSON *ctx = cJSON_GetObjectItem(root, "context");
    cJSON *comp = ctx ? cJSON_GetObjectItem(ctx, "sk_complete") : NULL;
    if (comp && cJSON_IsFalse(comp)) s->complete = 0;
    cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        cJSON *rn = cJSON_GetObjectItem(it, "run_name");
        cJSON *nm = cJSON_GetObjectItem(it, "name");
        const char *name = cJSON_IsString(rn) ? rn->valuestring : cJSON_IsString(nm) ? nm->valuestring : NULL;
        if (!name) continue;
        cJSON *rt = cJSON_GetObjectItem(it, "run_type");
        cJSON *agg = cJSON_GetObjectItem(it, "aggregate_name");
        int is_agg = cJSON_IsString(rt) && strcmp(rt->valuestring, "aggregate") == 0;
        if (is_agg && !(cJSON_IsString(agg) && strcmp(agg->valuestring, "mean") == 0)) continue;
        bench_t *b = get(s, name);
        if (!b) { cJSON_Delete(root); return -1; }
        for (int m = 0; m < NMET; m++) {
            cJSON *v = cJSON_GetObjectItem(it, METRICS[m]);
            if (!cJSON_IsNumber(v)) continue;
            if (is_agg) { b->mean[m] = v->valuedouble; b->has_mean = 1; }
            else b->sum[m] += v->valuedouble;
            b->has[m] = 1;
        }
        if (!is_agg) b->iters++;
    }
    for (int i = 0; i < s->n; i++)
        if (!s->b[i].has_mean)
            for (int m = 0; m < NMET; m++)
                s->b[i].mean[m] = s->b[i].iters ? s->b[i].sum[m] / s->b[i].iters : 0;
    cJSON_Delete(root);
    return 0;
}

int cmp_json(const char *old_json, const char *new_json, double thr, FILE *out)
{
    set_t o, n;
    if (load(old_json, &o, "OLD", out) != 0) return 2;
    if (load(new_json, &n, "NEW", out) != 0) { free(o.b); return 2; }
    int regress = 0, compared = 0;
    fprintf(out, "%-44s %-9s %16s %16s %9s  %s\n", "benchmark", "metric", "old", "new", "change", "verdict");
    for (int i = 0; i < o.n; i++) {
        bench_t *ob = &o.b[i], *nb = NULL;
        for (int j = 0; j < n.n; j++)
            if (strcmp(n.b[j].name, ob->name) == 0) nb = &n.b[j];
        if (!nb) {
            fprintf(out, "%-44s %-9s %16s %16s %9s  MISSING\n", ob->name, "-", "-", "-", "-");
            regress = 1;
            continue;
        }
        for (int m = 0; m < NMET; m++) {
            if (!ob->has[m] || !nb->has[m]) continue;
            /* cycles = 0 means the target did not report them: nothing to compare */
            if (m == 0 && ob->mean[m] == 0 && nb->mean[m] == 0) continue;
            double a = ob->mean[m], b = nb->mean[m];
            double pct = a != 0 ? (b - a) / fabs(a) * 100.0 : (b == 0 ? 0 : INFINITY);
            const char *verdict = "ok";
            if (pct > thr) { verdict = "REGRESSION"; regress = 1; }
            else if (pct < -thr) verdict = "improved";
            fprintf(out, "%-44s %-9s %16.3f %16.3f %+8.2f%%  %s\n", ob->name, METRICS[m], a, b, pct, verdict);
            compared++;
        }
    }
    for (int j = 0; j < n.n; j++) {
        int found = 0;
        for (int i = 0; i < o.n; i++) found |= strcmp(n.b[j].name, o.b[i].name) == 0;
        if (!found) fprintf(out, "%-44s %-9s %16s %16s %9s  new (not in OLD)\n", n.b[j].name, "-", "-", "-", "-");
    }
    if (!n.complete) {
        fprintf(out, "compare: NEW is an incomplete run (context.sk_complete = false)\n");
        regress = 1;
    }
    fprintf(out, "threshold %.3g%%: %d metric(s) compared, %s\n", thr, compared,
            regress ? "FAIL (regression)" : "PASS");
    free(o.b);
    free(n.b);
    return regress;
}

int cmp_files(const char *old_path, const char *new_path, double thr, FILE *out)
{
    char *a = sk_slurp(old_path), *b = sk_slurp(new_path);
    int rc;
    if (!a) { fprintf(out, "compare: cannot read %s\n", old_path); rc = 2; }
    else if (!b) { fprintf(out, "compare: cannot read %s\n", new_path); rc = 2; }
    else rc = cmp_json(a, b, thr, out);
    free(a);
    free(b);
    return rc;
}
