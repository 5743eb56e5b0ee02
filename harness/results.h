/* Results of one run: samples -> results.json (Google Benchmark schema) + samples.csv. */
#ifndef SK_RESULTS_H
#define SK_RESULTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SK_MAX_EXTRA 24

typedef struct sk_sample {
    char target[16];
    char point[160];      /* "md5/n:1000" */
    uint64_t n;           /* the workload size, for plots */
    unsigned rep;         /* 0-based repetition index */
    double cpu_us;        /* target-reported CPU time (us=) */
    double exec_us;       /* execution time: sim = simulated us; qemu/linux = marker delta */
    double host_wall_us;  /* host wall time of the whole command (secondary) */
    uint64_t cycles;      /* target-reported cycles= */
    char digest[33];
    int ok;               /* digest matched the host computation */
    /* workload-specific counters (radio: telegrams_lost, bytes_lost, latency_*_us...),
     * written as extra numeric members, as Google Benchmark writes user counters */
    int nextra;
    char extra_key[SK_MAX_EXTRA][24];
    double extra_val[SK_MAX_EXTRA];
} sk_sample_t;

typedef struct sk_results {
    char scenario[64];
    char workload[32];
    char targets[64];     /* "sim" or "sim,linux" */
    char board[16];
    char executable[512];
    char target_info[256];/* the target's `info` line */
    char kernel[512];
    unsigned reps;
    double time_scale;    /* not used yet; 1.0 */
    bool complete;        /* false: the run stopped early, see error */
    char error[512];
    sk_sample_t *samples;
    size_t count, cap;
} sk_results_t;

void res_init(sk_results_t *r);
void res_free(sk_results_t *r);
int res_add(sk_results_t *r, const sk_sample_t *s);
/* Both return 0 or -1 (errno set). */
int res_write_json(const sk_results_t *r, const char *path);
int res_write_csv(const sk_results_t *r, const char *path);
/* Mean/median/stddev helpers (exposed for tests). */
void res_stats(const double *v, size_t n, double *mean, double *median, double *stddev);

/* The whole file as a NUL-terminated string (malloc'd), or NULL. */
char *sk_slurp(const char *path);

#endif
