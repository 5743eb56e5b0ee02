#include "plot.h"
#include "proc.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

typedef struct {
    bool udp;          /* udp-echo sample (fig 6), else md5 (figs 4-5) */
    char target[16];
    unsigned long long n;
    double cpu_sum, cpu_min, cpu_max, exec_sum, exec_min, exec_max;
    int count;
} agg_t;

static int cmp_agg(const void *a, const void *b)
{
    const agg_t *x = a, *y = b;
    if (x->udp != y->udp) return x->udp - y->udp;
    int c = strcmp(x->target, y->target);
    if (c) return c;
    return (x->n > y->n) - (x->n < y->n);
}

static double dmin(double a, double b) { return a < b ? a : b; }
static double dmax(double a, double b) { return a > b ? a : b; }

int plot_dir(const char *dir, const char *scripts, const char *ref, bool quiet)
{
    char path[1400], pdir[1024], ddir[1100];
    snprintf(path, sizeof path, "%s/samples.csv", dir);
    snprintf(pdir, sizeof pdir, "%s/plots", dir);
    snprintf(ddir, sizeof ddir, "%s/data", pdir);
    mkdir(pdir, 0755);
    mkdir(ddir, 0755);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "skbench plot: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    agg_t *a = NULL;
    int na = 0;
    char line[1024];
    if (!fgets(line, sizeof line, f)) line[0] = '\0'; /* header */
    while (fgets(line, sizeof line, f)) {
        char target[16], bench[200], digest[64];
        unsigned long long n, cycles;
        unsigned rep;
        double cpu, exec, wall;
        int ok;
        if (sscanf(line, "%15[^,],%199[^,],%llu,%u,%lf,%lf,%lf,%llu,%63[^,],%d", target, bench, &n, &rep, &cpu,
                   &exec, &wall, &cycles, digest, &ok) != 10 || !ok)
            continue;
        /* udp-echo: figure 6 shows the 5-byte "Echo1" points only (total time vs N) */
        bool udp = strncmp(bench, "udp-echo/", 9) == 0;
        if (udp && !strstr(bench, "/size:5/")) continue;
        int i;
        for (i = 0; i < na; i++)
            if (a[i].n == n && a[i].udp == udp && strcmp(a[i].target, target) == 0) break;
        if (i == na) {
            agg_t *nb = realloc(a, (size_t)(na + 1) * sizeof *a);
            if (!nb) break;
            a = nb;
            memset(&a[na], 0, sizeof *a);
            snprintf(a[na].target, sizeof a[na].target, "%s", target);
            a[na].udp = udp;
            a[na].n = n;
            a[na].cpu_min = a[na].exec_min = 1e300;
            na++;
        }
        a[i].count++;
        a[i].cpu_sum += cpu;
        a[i].exec_sum += exec;
        a[i].cpu_min = dmin(a[i].cpu_min, cpu);
        a[i].cpu_max = dmax(a[i].cpu_max, cpu);
        a[i].exec_min = dmin(a[i].exec_min, exec);
        a[i].exec_max = dmax(a[i].exec_max, exec);
    }
    fclose(f);
    if (na > 1) qsort(a, (size_t)na, sizeof *a, cmp_agg);
    const char *kinds[] = {"sim", "qemu", "linux"};
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s.dat", ddir, kinds[k]);
        remove(path);
        FILE *o = NULL;
        for (int i = 0; i < na; i++) {
            if (a[i].udp || strcmp(a[i].target, kinds[k]) != 0) continue;
            if (!o && !(o = fopen(path, "w"))) break;
            if (ftell(o) == 0)
                fprintf(o, "# n,cpu_s_mean,cpu_s_min,cpu_s_max,exec_s_mean,exec_s_min,exec_s_max,samples\n");
            fprintf(o, "%llu,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%d\n", a[i].n, a[i].cpu_sum / a[i].count * 1e-6,
                    a[i].cpu_min * 1e-6, a[i].cpu_max * 1e-6, a[i].exec_sum / a[i].count * 1e-6,
                    a[i].exec_min * 1e-6, a[i].exec_max * 1e-6, a[i].count);
        }
        if (o) fclose(o);
        /* fig6.gp: udp-<target>.dat, n,time_s_mean,time_s_min,time_s_max (total for N) */
        snprintf(path, sizeof path, "%s/udp-%s.dat", ddir, kinds[k]);
        remove(path);
        o = NULL;
        for (int i = 0; i < na; i++) {
            if (!a[i].udp || strcmp(a[i].target, kinds[k]) != 0) continue;
            if (!o && !(o = fopen(path, "w"))) break;
            if (ftell(o) == 0) fprintf(o, "# n,time_s_mean,time_s_min,time_s_max,samples\n");
            fprintf(o, "%llu,%.9g,%.9g,%.9g,%d\n", a[i].n, a[i].exec_sum / a[i].count * 1e-6, a[i].exec_min * 1e-6,
                    a[i].exec_max * 1e-6, a[i].count);
        }
        if (o) fclose(o);
    }
    free(a);

    const char *figs[] = {"fig4", "fig5", "fig6"};
    const char *fmts[] = {"png", "svg"};
    int rc = 0;
    for (int g = 0; g < 3; g++)
        for (int m = 0; m < 2; m++) {
            char script[1024], expr[4096], out[1200];
            snprintf(script, sizeof script, "%s/%s.gp", scripts, figs[g]);
            snprintf(out, sizeof out, "%s/%s.%s", pdir, figs[g], fmts[m]);
            snprintf(expr, sizeof expr, "datadir='%s'; refdir='%s'; outfile='%s'; fmt='%s'", ddir, ref, out, fmts[m]);
            char *argv[] = {"gnuplot", "-e", expr, script, NULL};
            char log[1300];
            snprintf(log, sizeof log, "%s/%s-%s.log", pdir, figs[g], fmts[m]);
            sk_proc_t p;
            if (proc_spawn(&p, argv, PROC_IO_NULL, log) != 0 || !proc_wait(&p, 60)) {
                proc_kill(&p, 1);
                fprintf(stderr, "skbench plot: gnuplot failed for %s\n", out);
                rc = -1;
                continue;
            }
            if (!WIFEXITED(p.status) || WEXITSTATUS(p.status) != 0) {
                fprintf(stderr, "skbench plot: gnuplot %s failed (status %d), see %s\n", script,
                        WEXITSTATUS(p.status), log);
                rc = -1;
            } else {
                remove(log);
                if (!quiet) fprintf(stderr, "skbench plot: wrote %s\n", out);
            }
        }
    return rc;
}
