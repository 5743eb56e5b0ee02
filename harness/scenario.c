/* Scenario file parser. Every malformed line is an error that names file:line. */
#include "scenario.h"
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *key;
    scn_type_t type;
    uint64_t min, max;
    int required;
    const char *def; /* default value or NULL */
} param_spec_t;

typedef struct {
    const char *name;
    const param_spec_t *params;
    int nparams;
} workload_spec_t;

static const param_spec_t MD5_PARAMS[] = {
    {"n", SCN_T_UINT, 1, UINT32_MAX, 1, NULL},
    {"text", SCN_T_TEXT, 0, 0, 0, "The quick brown fox jumps over the lazy dog"},
    /* console: the firmware's `md5 N TEXT` command; offload: the md5 payload uploaded and run
     * through the serverkernel protocol (harness/offload.h), mode shielded or trusted */
    {"path", SCN_T_TEXT, 0, 0, 0, "console"},
    {"mode", SCN_T_TEXT, 0, 0, 0, "shielded"},
};
/* radio: EnOcean telegrams from the simulator's modem model (harness/radio.h) */
static const param_spec_t RADIO_PARAMS[] = {
    {"telegrams", SCN_T_UINT, 1, 10000000, 0, "100000"},
    {"baud", SCN_T_UINT, 1200, 4000000, 0, "57600"},
    {"burst", SCN_T_UINT, 1, 1000000, 0, "1"},
    {"gap_us", SCN_T_UINT, 0, 100000000, 0, "0"},
    {"md5", SCN_T_UINT, 0, UINT32_MAX, 0, "0"},
    {"storm", SCN_T_UINT, 0, 1000000, 0, "0"},
    {"console_baud", SCN_T_UINT, 0, 3000000, 0, "921600"},
    {"text", SCN_T_TEXT, 0, 0, 0, "The quick brown fox jumps over the lazy dog"},
    /* the firmware UART the modem is on: uart1 (mini UART) or uart0 (PL011; the console
     * then runs on the mini UART: sim --cmdline sk.console=uart1) */
    {"port", SCN_T_TEXT, 0, 0, 0, "uart1"},
    /* --irq-probe SRC=SYMBOL: VMIT entry latency of the modem UART's source ("none": off;
     * "auto": eno_isr on source 29 for uart1, eno_pl011_isr on source 57 for uart0) */
    {"probe_symbol", SCN_T_TEXT, 0, 0, 0, "auto"},
};
/* udp-echo: N sequential UDP echo requests (harness/udpecho.h) */
static const param_spec_t UDPECHO_PARAMS[] = {
    {"n", SCN_T_UINT, 1, 100000, 0, "100"},
    {"size", SCN_T_UINT, 0, 1472, 0, "5"},
    {"port", SCN_T_UINT, 1, 65535, 0, "5555"},
    {"timeout_ms", SCN_T_UINT, 1, 600000, 0, "1000"},
    {"gap_us", SCN_T_UINT, 0, 10000000, 0, "0"},
    /* target sim: the client is the simulator's peer (simulated time) or skbench through
     * the simulator's libslirp with hostfwd (host time, like qemu/linux) */
    {"sim_client", SCN_T_TEXT, 0, 0, 0, "peer"},
};
static const workload_spec_t WORKLOADS[] = {
    {"md5", MD5_PARAMS, sizeof MD5_PARAMS / sizeof MD5_PARAMS[0]},
    {"radio", RADIO_PARAMS, sizeof RADIO_PARAMS / sizeof RADIO_PARAMS[0]},
    {"udp-echo", UDPECHO_PARAMS, sizeof UDPECHO_PARAMS / sizeof UDPECHO_PARAMS[0]},
};
#define NWORKLOADS (sizeof WORKLOADS / sizeof WORKLOADS[0])

static const char *HEADER_KEYS[] = {"name", "workload", "description", "board", "reps",
                                    "timeout", "boot_timeout"};
#define NHEADER (sizeof HEADER_KEYS / sizeof HEADER_KEYS[0])

static const workload_spec_t *find_workload(const char *name)
{
    for (size_t i = 0; i < NWORKLOADS; i++)
        if (strcmp(WORKLOADS[i].name, name) == 0) return &WORKLOADS[i];
    return NULL;
}

static const param_spec_t *find_pspec(const workload_spec_t *w, const char *key)
{
    for (int i = 0; w && i < w->nparams; i++)
        if (strcmp(w->params[i].key, key) == 0) return &w->params[i];
    return NULL;
}

const char *scn_workload_params(const char *workload)
{
    if (strcmp(workload, "md5") == 0)
        return "n (uint 1..4294967295, chained MD5 count), text (message, default: the quick brown fox), path "
               "(console: the firmware's md5 command, default; offload: the md5 payload through the serverkernel "
               "protocol, target sim or qemu), mode (offload: shielded, default, or trusted)";
    if (strcmp(workload, "radio") == 0)
        return "telegrams (1..1e7, default 100000), baud (57600 default, 115200), burst (telegrams back to back, "
               "default 1), gap_us (idle between bursts, default 0), md5 (app load: md5 N repeated, 0 = none), "
               "storm (timer IRQ storm Hz, 0 = none), text (md5 text), port (uart1 = mini UART, default; uart0 = "
               "PL011 with the console on the mini UART), probe_symbol (handler symbol for the VMIT entry "
               "latency probe on the port's source, default auto, none = off); targets sim and linux (QEMU raspi0, "
               "ttyAMA0 fed by skbench: port uart0)";
    if (strcmp(workload, "udp-echo") == 0)
        return "n (requests 1..100000, default 100), size (payload bytes 0..1472, default 5 = \"Echo1\"), port "
               "(target's UDP echo port, default 5555), timeout_ms (per answer, default 1000), gap_us (pause "
               "between requests, default 0), sim_client (target sim: peer = the simulator's in-process client in "
               "simulated time, default; slirp = skbench through --eth slirp:hostfwd, host time)";
    return NULL;
}

static int fail(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0) snprintf(err, errlen, "%s:%d: %s", file, line, msg);
    else snprintf(err, errlen, "%s: %s", file, msg);
    return -1;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
    return s;
}

/* Parses a strict unsigned decimal (digits only, no sign, no suffix). */
static int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!*s) return -1;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p)) return -1;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno || v < min || v > max) return -1;
    *out = v;
    return 0;
}

static int parse_seconds(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !(v > 0) || v > 1e7) return -1;
    *out = v;
    return 0;
}

/* Strips an unquoted trailing " # comment"; unquotes "..." values. */
static int clean_value(char *v, char **out)
{
    v = trim(v);
    if (*v == '"') {
        char *q = strchr(v + 1, '"');
        if (!q) return -1;
        char *rest = trim(q + 1);
        if (*rest && *rest != '#') return -2;
        *q = '\0';
        *out = v + 1;
        return 0;
    }
    for (char *p = v; *p; p++)
        if (*p == '#' && (p == v || isspace((unsigned char)p[-1]))) {
            *p = '\0';
            break;
        }
    *out = trim(v);
    return 0;
}

static int valid_key(const char *k)
{
    if (!*k) return 0;
    for (const char *p = k; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-')) return 0;
    return 1;
}

/* Raw (key, values) entry collected before validation, with the line it came from. */
typedef struct {
    char key[32];
    int line;
    int sweep;
    int nvalues;
    char values[SCN_MAX_VALUES][SCN_VALUE_MAX];
} raw_entry_t;

static int split_list(char *v, raw_entry_t *e, const char *file, int line, char *err,
                      size_t errlen)
{
    e->nvalues = 0;
    int idx = 0;
    for (char *tok = v; tok; idx++) {
        char *comma = strchr(tok, ',');
        if (comma) *comma = '\0';
        char *t;
        if (clean_value(tok, &t) != 0)
            return fail(err, errlen, file, line, "bad quoting in value %d of '%s'", idx + 1, e->key);
        if (!*t) return fail(err, errlen, file, line, "empty value %d in list for '%s'", idx + 1, e->key);
        if (e->nvalues >= SCN_MAX_VALUES)
            return fail(err, errlen, file, line, "too many values for '%s' (max %d)", e->key, SCN_MAX_VALUES);
        if (strlen(t) >= SCN_VALUE_MAX)
            return fail(err, errlen, file, line, "value too long for '%s'", e->key);
        strcpy(e->values[e->nvalues++], t);
        tok = comma ? comma + 1 : NULL;
    }
    return 0;
}

static int check_value(const param_spec_t *ps, const char *v, const char *file, int line,
                       char *err, size_t errlen)
{
    if (ps->type == SCN_T_UINT) {
        uint64_t x;
        if (parse_uint(v, ps->min, ps->max, &x) != 0)
            return fail(err, errlen, file, line,
                        "bad number '%s' for '%s' (expected an integer %llu..%llu)", v, ps->key,
                        (unsigned long long)ps->min, (unsigned long long)ps->max);
    } else {
        if (!*v) return fail(err, errlen, file, line, "empty value for '%s'", ps->key);
        for (const char *p = v; *p; p++)
            if (*p == '\r' || *p == '\n' || (unsigned char)*p < 0x20)
                return fail(err, errlen, file, line, "control character in '%s'", ps->key);
    }
    return 0;
}

/* Bounded copy; -1 if src does not fit (no silent truncation). */
static int copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

static int apply_header(scenario_t *s, const raw_entry_t *e, const char *file, char *err,
                        size_t errlen)
{
    const char *v = e->values[0];
    if (e->sweep) return fail(err, errlen, file, e->line, "'%s' cannot be swept", e->key);
    if (strcmp(e->key, "name") == 0) {
        if (!valid_key(v)) return fail(err, errlen, file, e->line, "bad name '%s' (letters, digits, _ -)", v);
        if (copy_str(s->name, sizeof s->name, v) != 0) return fail(err, errlen, file, e->line, "name too long");
    } else if (strcmp(e->key, "workload") == 0) {
        if (!find_workload(v)) return fail(err, errlen, file, e->line, "unknown workload '%s' (known: md5, radio, udp-echo)", v);
        copy_str(s->workload, sizeof s->workload, v); /* a known name: fits */
    } else if (strcmp(e->key, "description") == 0) {
        if (copy_str(s->description, sizeof s->description, v) != 0)
            return fail(err, errlen, file, e->line, "description too long (max %zu)", sizeof s->description - 1);
    } else if (strcmp(e->key, "board") == 0) {
        if (strcmp(v, "pi1b") && strcmp(v, "pi0"))
            return fail(err, errlen, file, e->line, "bad board '%s' (pi1b or pi0)", v);
        copy_str(s->board, sizeof s->board, v);
    } else if (strcmp(e->key, "reps") == 0) {
        uint64_t x;
        if (parse_uint(v, 1, 10000, &x) != 0)
            return fail(err, errlen, file, e->line, "bad number '%s' for 'reps' (expected an integer 1..10000)", v);
        s->reps = (unsigned)x;
    } else if (strcmp(e->key, "timeout") == 0 || strcmp(e->key, "boot_timeout") == 0) {
        double d;
        if (parse_seconds(v, &d) != 0)
            return fail(err, errlen, file, e->line, "bad number '%s' for '%s' (expected seconds > 0)", v, e->key);
        if (e->key[0] == 't') s->timeout_s = d;
        else s->boot_timeout_s = d;
    }
    return 0;
}

static int is_header(const char *k)
{
    for (size_t i = 0; i < NHEADER; i++)
        if (strcmp(HEADER_KEYS[i], k) == 0) return 1;
    return 0;
}

int scn_parse_string(const char *text, const char *fname, scenario_t *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    snprintf(s->path, sizeof s->path, "%s", fname);
    s->reps = 1;
    s->timeout_s = 600;
    s->boot_timeout_s = 60;
    snprintf(s->board, sizeof s->board, "pi1b");
    /* default name = file basename without .scn */
    const char *base = strrchr(fname, '/');
    base = base ? base + 1 : fname;
    snprintf(s->name, sizeof s->name, "%s", base);
    char *dot = strstr(s->name, ".scn");
    if (dot) *dot = '\0';

    enum { MAXE = 32 };
    raw_entry_t *ents = calloc(MAXE, sizeof *ents);
    char *copy = strdup(text);
    if (!ents || !copy) {
        free(ents);
        free(copy);
        return fail(err, errlen, fname, 0, "out of memory");
    }
    int ne = 0, rc = -1, lineno = 0;
    char *p = copy; /* walk lines by hand: strtok would merge blank lines */
    while (p && *p) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        lineno++;
        char *line = trim(p);
        p = nl ? nl + 1 : NULL;
        if (!*line || *line == '#') continue;
        int sweep = 0;
        if (strncmp(line, "sweep", 5) == 0 && isspace((unsigned char)line[5])) {
            sweep = 1;
            line = trim(line + 5);
        }
        char *eq = strchr(line, '=');
        if (!eq) {
            fail(err, errlen, fname, lineno, "expected 'key = value' or 'sweep key = v1, v2, ...'");
            goto out;
        }
        *eq = '\0';
        char *key = trim(line);
        if (!valid_key(key) || strlen(key) >= 32) {
            fail(err, errlen, fname, lineno, "bad key '%s'", key);
            goto out;
        }
        for (int i = 0; i < ne; i++)
            if (strcmp(ents[i].key, key) == 0) {
                fail(err, errlen, fname, lineno, "duplicate key '%s' (first set at line %d)", key, ents[i].line);
                goto out;
            }
        if (ne >= MAXE) {
            fail(err, errlen, fname, lineno, "too many keys");
            goto out;
        }
        raw_entry_t *e = &ents[ne];
        snprintf(e->key, sizeof e->key, "%s", key);
        e->line = lineno;
        e->sweep = sweep;
        if (sweep) {
            if (split_list(eq + 1, e, fname, lineno, err, errlen) != 0) goto out;
        } else {
            char *v;
            int q = clean_value(eq + 1, &v);
            if (q == -1) { fail(err, errlen, fname, lineno, "unterminated quote"); goto out; }
            if (q == -2) { fail(err, errlen, fname, lineno, "text after closing quote"); goto out; }
            if (!*v) { fail(err, errlen, fname, lineno, "empty value for '%s'", key); goto out; }
            if (strlen(v) >= SCN_VALUE_MAX) { fail(err, errlen, fname, lineno, "value too long"); goto out; }
            e->nvalues = 1;
            strcpy(e->values[0], v);
        }
        ne++;
    }
    /* headers first: the workload decides which parameter keys are valid */
    for (int i = 0; i < ne; i++)
        if (is_header(ents[i].key) && apply_header(s, &ents[i], fname, err, errlen) != 0) goto out;
    if (!s->workload[0]) {
        fail(err, errlen, fname, 0, "missing required key 'workload' (known: md5, radio, udp-echo)");
        goto out;
    }
    const workload_spec_t *w = find_workload(s->workload);
    for (int i = 0; i < w->nparams; i++) {
        scn_param_t *pp = &s->params[s->nparams++];
        snprintf(pp->key, sizeof pp->key, "%s", w->params[i].key);
        pp->type = w->params[i].type;
        if (w->params[i].def) {
            pp->nvalues = 1;
            snprintf(pp->values[0], SCN_VALUE_MAX, "%s", w->params[i].def);
        }
    }
    for (int i = 0; i < ne; i++) {
        raw_entry_t *e = &ents[i];
        if (is_header(e->key)) continue;
        const param_spec_t *ps = find_pspec(w, e->key);
        if (!ps) {
            char known[256] = "";
            for (size_t h = 0; h < NHEADER; h++) {
                strcat(known, HEADER_KEYS[h]);
                strcat(known, ", ");
            }
            for (int k = 0; k < w->nparams; k++) {
                strcat(known, w->params[k].key);
                if (k + 1 < w->nparams) strcat(known, ", ");
            }
            fail(err, errlen, fname, e->line, "unknown key '%s' for workload %s (known: %s)", e->key, s->workload, known);
            goto out;
        }
        for (int v = 0; v < e->nvalues; v++)
            if (check_value(ps, e->values[v], fname, e->line, err, errlen) != 0) goto out;
        scn_param_t *pp = (scn_param_t *)scn_param(s, e->key);
        pp->line = e->line;
        pp->nvalues = e->nvalues;
        memcpy(pp->values, e->values, sizeof pp->values);
    }
    for (int i = 0; i < w->nparams; i++)
        if (w->params[i].required && s->params[i].nvalues == 0) {
            fail(err, errlen, fname, 0, "missing required key '%s' for workload %s", w->params[i].key, s->workload);
            goto out;
        }
    rc = 0;
out:
    free(copy);
    free(ents);
    return rc;
}

int scn_parse_file(const char *path, scenario_t *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) return fail(err, errlen, path, 0, "cannot open: %s", strerror(errno));
    char *buf = NULL;
    size_t cap = 0, len = 0;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *nb = realloc(buf, cap);
            if (!nb) { free(buf); fclose(f); return fail(err, errlen, path, 0, "out of memory"); }
            buf = nb;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!buf) buf = calloc(1, 1);
    buf[len] = '\0';
    if (memchr(buf, '\0', len)) { free(buf); return fail(err, errlen, path, 0, "binary file"); }
    int rc = scn_parse_string(buf, path, out, err, errlen);
    free(buf);
    return rc;
}

const scn_param_t *scn_param(const scenario_t *s, const char *key)
{
    for (int i = 0; i < s->nparams; i++)
        if (strcmp(s->params[i].key, key) == 0) return &s->params[i];
    return NULL;
}

int scn_set(scenario_t *s, const char *kv, char *err, size_t errlen)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv) return fail(err, errlen, "--set", 0, "expected key=value, got '%s'", kv);
    char key[32];
    size_t kl = (size_t)(eq - kv);
    if (kl >= sizeof key) return fail(err, errlen, "--set", 0, "key too long in '%s'", kv);
    memcpy(key, kv, kl);
    key[kl] = '\0';
    raw_entry_t *e = calloc(1, sizeof *e);
    if (!e) return fail(err, errlen, "--set", 0, "out of memory");
    snprintf(e->key, sizeof e->key, "%s", key);
    int rc = -1;
    scn_param_t *pp = (scn_param_t *)scn_param(s, key);
    if (is_header(key)) {
        if (strcmp(key, "workload") == 0) { fail(err, errlen, "--set", 0, "cannot change 'workload'"); goto out; }
        e->nvalues = 1;
        snprintf(e->values[0], SCN_VALUE_MAX, "%s", eq + 1);
        rc = apply_header(s, e, "--set", err, errlen);
        goto out;
    }
    if (!pp) {
        fail(err, errlen, "--set", 0, "unknown key '%s' for workload %s", key, s->workload);
        goto out;
    }
    char *val = strdup(eq + 1);
    if (!val) goto out;
    if (pp->type == SCN_T_UINT) {
        if (split_list(val, e, "--set", 0, err, errlen) != 0) { free(val); goto out; }
    } else { /* text values are never split: commas are ordinary characters */
        e->nvalues = 1;
        snprintf(e->values[0], SCN_VALUE_MAX, "%s", val);
    }
    free(val);
    const workload_spec_t *w = find_workload(s->workload);
    const param_spec_t *ps = find_pspec(w, key);
    for (int v = 0; v < e->nvalues; v++)
        if (check_value(ps, e->values[v], "--set", 0, err, errlen) != 0) goto out;
    pp->nvalues = e->nvalues;
    pp->line = 0;
    memcpy(pp->values, e->values, sizeof pp->values);
    rc = 0;
out:
    free(e);
    return rc;
}

size_t scn_npoints(const scenario_t *s)
{
    size_t n = 1;
    for (int i = 0; i < s->nparams; i++) n *= (size_t)(s->params[i].nvalues ? s->params[i].nvalues : 1);
    return n;
}

/* Mixed-radix decoding: the first parameter varies slowest, the last fastest. */
void scn_point(const scenario_t *s, size_t idx, scn_point_t *pt)
{
    pt->nparams = s->nparams;
    for (int i = s->nparams - 1; i >= 0; i--) {
        const scn_param_t *p = &s->params[i];
        size_t nv = p->nvalues ? (size_t)p->nvalues : 1;
        pt->key[i] = p->key;
        pt->value[i] = p->nvalues ? p->values[idx % nv] : "";
        idx /= nv;
    }
}

const char *scn_point_get(const scn_point_t *pt, const char *key)
{
    for (int i = 0; i < pt->nparams; i++)
        if (strcmp(pt->key[i], key) == 0) return pt->value[i];
    return NULL;
}

void scn_point_name(const scenario_t *s, const scn_point_t *pt, char *buf, size_t len)
{
    size_t o = (size_t)snprintf(buf, len, "%s", s->workload);
    for (int i = 0; i < pt->nparams && o < len; i++) {
        /* numeric parameters and swept ones name the point; free text does not */
        if (s->params[i].type != SCN_T_UINT && s->params[i].nvalues <= 1) continue;
        o += (size_t)snprintf(buf + o, len - o, "/%s:%s", pt->key[i], pt->value[i]);
    }
}
