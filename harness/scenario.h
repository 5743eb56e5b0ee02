/* Scenario files: declarative workloads with parameter sweeps (format: scenarios/README.md). */
#ifndef SK_SCENARIO_H
#define SK_SCENARIO_H
#include <stddef.h>
#include <stdint.h>

#define SCN_MAX_PARAMS 12
#define SCN_MAX_VALUES 64
#define SCN_VALUE_MAX 256

typedef enum { SCN_T_UINT, SCN_T_TEXT } scn_type_t;

/* One workload parameter (e.g. md5's n): one value, or several for a sweep. */
typedef struct scn_param {
    char key[32];
    scn_type_t type;
    int line;                 /* where it was set (0 = default or --set) */
    int nvalues;
    char values[SCN_MAX_VALUES][SCN_VALUE_MAX];
} scn_param_t;

typedef struct scenario {
    char path[512];
    char name[64];
    char workload[32];
    char description[256];
    char board[16];           /* pi1b | pi0 */
    unsigned reps;
    double timeout_s;         /* per command */
    double boot_timeout_s;    /* target readiness */
    int nparams;
    scn_param_t params[SCN_MAX_PARAMS];
} scenario_t;

/* One point of the sweep: one value per parameter (pointers into the scenario). */
typedef struct scn_point {
    int nparams;
    const char *key[SCN_MAX_PARAMS];
    const char *value[SCN_MAX_PARAMS];
} scn_point_t;

/* All return 0 on success, -1 with a message "file:line: ..." in err. */
int scn_parse_file(const char *path, scenario_t *out, char *err, size_t errlen);
int scn_parse_string(const char *text, const char *fname, scenario_t *out, char *err,
                     size_t errlen);
/* --set key=value overrides; a comma list for a numeric parameter makes a sweep. */
int scn_set(scenario_t *s, const char *kv, char *err, size_t errlen);

size_t scn_npoints(const scenario_t *s);
void scn_point(const scenario_t *s, size_t idx, scn_point_t *pt);
const char *scn_point_get(const scn_point_t *pt, const char *key);
/* "md5/n:1000" (sweep parameters only, plus text-free numeric params) into buf. */
void scn_point_name(const scenario_t *s, const scn_point_t *pt, char *buf, size_t len);
const scn_param_t *scn_param(const scenario_t *s, const char *key);
/* Known workloads and their parameters, for `skbench list` and validation. */
const char *scn_workload_params(const char *workload);

#endif
