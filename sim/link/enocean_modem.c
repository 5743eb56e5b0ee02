/* EnOcean modem model: script parser, ESP3 frame builder, wire player and report.
 * Format, wire model and report: enocean_modem.h. Deterministic: all timing comes from
 * simulated cycles and the seeded PRNG, never from the host. */
#include "link/enocean_modem.h"
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define ENO_NAME "enocean-modem"
#define ENO_MAX_TOKENS 24
#define ENO_ERP1_MAX_PAYLOAD 14u    /* VLD: 1..14 data bytes */
#define ENO_ERP1_OPT_LEN 7u         /* SubTelNum, DestinationID(4), dBm, SecurityLevel */
#define ENO_ERP1_ID_STATUS 5u       /* sender id (4) + status (1) after the payload */
#define ENO_PACKET_DATA_MAX 1024u
#define ENO_PACKET_OPT_MAX 255u
#define ENO_RAW_MAX 4096u
#define ENO_GARBAGE_MAX 65536u
#define ENO_BURST_MAX 10000000ull
#define ENO_BAUD_MIN 1200u
#define ENO_BAUD_MAX 4000000u
#define ENO_BITS_PER_FRAME 10u      /* 8N1 */
#define ENO_MISMATCH_PCT 5u         /* UART vs modem frame time tolerance */
#define ENO_US_MAX 1000000000000ull /* 11.6 days of simulated time */

/* ---- CRC8 and frames -------------------------------------------------------------- */
uint8_t eno_crc8(const uint8_t *p, size_t n)
{
    uint8_t c = 0;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int b = 0; b < 8; b++) c = (uint8_t)((c & 0x80u) ? (unsigned)(c << 1) ^ 0x07u : (unsigned)(c << 1));
    }
    return c;
}

size_t eno_build_frame(uint8_t type, const uint8_t *data, size_t dlen, const uint8_t *opt, size_t olen,
                       uint8_t *out, size_t cap)
{
    size_t len = ENO_ESP3_HDR_LEN + dlen + olen + 1;
    if (dlen > 0xFFFFu || olen > 0xFFu || len > cap) return 0;
    out[0] = ENO_ESP3_SYNC;
    out[1] = (uint8_t)(dlen >> 8);
    out[2] = (uint8_t)dlen;
    out[3] = (uint8_t)olen;
    out[4] = type;
    out[5] = eno_crc8(out + 1, 4);
    if (dlen) memcpy(out + ENO_ESP3_HDR_LEN, data, dlen);
    if (olen) memcpy(out + ENO_ESP3_HDR_LEN + dlen, opt, olen);
    out[len - 1] = eno_crc8(out + ENO_ESP3_HDR_LEN, dlen + olen);
    return len;
}

bool eno_frame_valid(const uint8_t *p, size_t n)
{
    if (n < ENO_ESP3_HDR_LEN + 1 || p[0] != ENO_ESP3_SYNC || eno_crc8(p + 1, 4) != p[5]) return false;
    size_t dlen = (size_t)p[1] << 8 | p[2], olen = p[3];
    if (n != ENO_ESP3_HDR_LEN + dlen + olen + 1) return false;
    return eno_crc8(p + ENO_ESP3_HDR_LEN, dlen + olen) == p[n - 1];
}

/* ---- script -------------------------------------------------------------------------- */
typedef enum { IT_ERP1, IT_PACKET, IT_RAW, IT_GARBAGE } it_kind_t;
typedef enum { SCH_NEXT, SCH_AT, SCH_GAP } sched_kind_t;

typedef struct eno_item {
    it_kind_t kind;
    char label[8];          /* report "kind": rps 1bs 4bs vld erp1 packet raw garbage */
    int line;
    uint64_t copies;
    sched_kind_t sched;
    uint64_t sched_ns;
    double noise;
    uint8_t type;           /* packet type (ERP1: 01) */
    uint8_t *data;          /* ERP1/packet data; raw: the bytes */
    size_t dlen;
    uint8_t opt[ENO_PACKET_OPT_MAX];
    size_t olen;
    size_t garbage_len;
} eno_item_t;

struct eno_script {
    eno_item_t *items;
    size_t n, cap;
    uint32_t baud;
    uint64_t seed;
    bool start_rx;
    uint64_t start_ns;
    uint64_t passes;        /* 0 = forever */
    size_t maxlen;          /* longest frame of any item */
};

typedef struct {
    const char *fname;
    FILE *msgs;
    unsigned *errs;
    int nerr;
    int line;
} eno_parse_t;

static void perr(eno_parse_t *p, eno_err_class_t cls, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void perr(eno_parse_t *p, eno_err_class_t cls, const char *fmt, ...)
{
    p->nerr++;
    if (p->errs) p->errs[cls]++;
    if (!p->msgs) return;
    va_list ap;
    va_start(ap, fmt);
    if (p->line > 0) fprintf(p->msgs, "%s:%d: ", p->fname, p->line);
    else fprintf(p->msgs, "%s: ", p->fname);
    vfprintf(p->msgs, fmt, ap);
    fputc('\n', p->msgs);
    va_end(ap);
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!*s) return -1;
    for (const char *q = s; *q; q++)
        if (!isdigit((unsigned char)*q)) return -1;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno || v < min || v > max) return -1;
    *out = v;
    return 0;
}

/* microseconds, decimal with up to 3 fraction digits -> ns */
static int parse_us(const char *s, uint64_t *ns)
{
    const char *dot = strchr(s, '.');
    char ip[24];
    size_t il = dot ? (size_t)(dot - s) : strlen(s);
    if (il == 0 || il >= sizeof ip) return -1;
    memcpy(ip, s, il);
    ip[il] = '\0';
    uint64_t us, frac = 0;
    if (parse_u64(ip, 0, ENO_US_MAX, &us) != 0) return -1;
    if (dot) {
        const char *f = dot + 1;
        size_t fl = strlen(f);
        if (fl == 0 || fl > 3) return -1;
        for (size_t i = 0; i < 3; i++) {
            if (i < fl && !isdigit((unsigned char)f[i])) return -1;
            frac = frac * 10 + (i < fl ? (uint64_t)(f[i] - '0') : 0);
        }
    }
    *ns = us * 1000u + frac;
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* hex string (even length) -> bytes; -1 bad digits/odd, -2 too long */
static int parse_hex(const char *s, uint8_t *out, size_t max, size_t *n)
{
    size_t l = strlen(s);
    if (l >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { s += 2; l -= 2; }
    if (l % 2) return -1;
    if (l / 2 > max) return -2;
    for (size_t i = 0; i < l / 2; i++) {
        int h = hexval((unsigned char)s[2 * i]), lo = hexval((unsigned char)s[2 * i + 1]);
        if (h < 0 || lo < 0) return -1;
        out[i] = (uint8_t)(h << 4 | lo);
    }
    *n = l / 2;
    return 0;
}

typedef struct {
    const char *name;
    uint8_t rorg;
    size_t min, max;        /* payload bytes */
    uint8_t status;
} erp1_kind_t;

static const erp1_kind_t ERP1_KINDS[] = {
    { "rps", 0xF6, 1, 1, 0x30 },
    { "1bs", 0xD5, 1, 1, 0x00 },
    { "4bs", 0xA5, 4, 4, 0x00 },
    { "vld", 0xD2, 1, ENO_ERP1_MAX_PAYLOAD, 0x00 },
    { "erp1", 0x00, 0, ENO_ERP1_MAX_PAYLOAD, 0x00 },
};

/* key=value fields of one item line */
typedef struct {
    const char *key[ENO_MAX_TOKENS], *val[ENO_MAX_TOKENS];
    bool used[ENO_MAX_TOKENS];
    int n;
} fields_t;

static int fields_split(eno_parse_t *p, char **tok, int ntok, fields_t *f)
{
    f->n = 0;
    for (int i = 0; i < ntok; i++) {
        char *eq = strchr(tok[i], '=');
        if (!eq) {
            if (!strcmp(tok[i], "noopt")) {
                f->key[f->n] = "noopt";
                f->val[f->n] = "";
                f->used[f->n++] = false;
                continue;
            }
            perr(p, ENO_ERR_SYNTAX, "expected key=value, got '%s'", tok[i]);
            return -1;
        }
        *eq = '\0';
        for (int j = 0; j < f->n; j++)
            if (!strcmp(f->key[j], tok[i])) {
                perr(p, ENO_ERR_FIELD, "duplicate field '%s'", tok[i]);
                return -1;
            }
        f->key[f->n] = tok[i];
        f->val[f->n] = eq + 1;
        f->used[f->n++] = false;
    }
    return 0;
}

static const char *fget(fields_t *f, const char *key)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->key[i], key)) {
            f->used[i] = true;
            return f->val[i];
        }
    return NULL;
}

static int fields_unused(eno_parse_t *p, fields_t *f, const char *what, const char *known)
{
    for (int i = 0; i < f->n; i++)
        if (!f->used[i]) {
            perr(p, ENO_ERR_FIELD, "unknown field '%s' for %s (known: %s)", f->key[i], what, known);
            return -1;
        }
    return 0;
}

static int fhex(eno_parse_t *p, fields_t *f, const char *key, bool required, uint8_t *out, size_t min, size_t max,
                size_t *n)
{
    const char *v = fget(f, key);
    if (!v) {
        if (required) perr(p, ENO_ERR_FIELD, "missing field '%s='", key);
        return required ? -1 : 1;
    }
    int r = parse_hex(v, out, max, n);
    if (r == 0 && *n < min) r = -2;
    if (r != 0) {
        if (min == max) perr(p, ENO_ERR_HEX, "bad %s '%s' (expected %zu hex byte%s)", key, v, min, min == 1 ? "" : "s");
        else perr(p, ENO_ERR_HEX, "bad %s '%s' (expected %zu..%zu hex bytes)", key, v, min, max);
        return -1;
    }
    return 0;
}

static int fnum(eno_parse_t *p, fields_t *f, const char *key, uint64_t min, uint64_t max, uint64_t *out)
{
    const char *v = fget(f, key);
    if (!v) return 1;
    if (parse_u64(v, min, max, out) != 0) {
        perr(p, ENO_ERR_NUMBER, "bad %s '%s' (expected %" PRIu64 "..%" PRIu64 ")", key, v, min, max);
        return -1;
    }
    return 0;
}

static int parse_erp1(eno_parse_t *p, const erp1_kind_t *k, fields_t *f, eno_item_t *it)
{
    uint8_t buf[ENO_ERP1_MAX_PAYLOAD], id[4], status = k->status, rorg = k->rorg, b1[1], dst[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
    size_t n, pl;
    int bad = 0;
    if (!strcmp(k->name, "erp1")) {
        if (fhex(p, f, "rorg", true, b1, 1, 1, &n) != 0) bad = 1;
        else rorg = b1[0];
    }
    if (fhex(p, f, "id", true, id, 4, 4, &n) != 0) bad = 1;
    if (fhex(p, f, "data", true, buf, k->min, k->max, &pl) != 0) bad = 1;
    int r = fhex(p, f, "status", false, b1, 1, 1, &n);
    if (r < 0) bad = 1;
    else if (r == 0) status = b1[0];
    uint64_t sub = 3, dbm = 0xFF, sec = 0;
    if (fnum(p, f, "sub", 0, 255, &sub) < 0) bad = 1;
    if (fnum(p, f, "sec", 0, 255, &sec) < 0) bad = 1;
    const char *dv = fget(f, "dbm");
    if (dv) {
        const char *d = dv[0] == '-' ? dv + 1 : dv;
        if (parse_u64(d, 0, 255, &dbm) != 0) {
            perr(p, ENO_ERR_NUMBER, "bad dbm '%s' (expected -255..255)", dv);
            bad = 1;
        }
    }
    if (fhex(p, f, "dst", false, dst, 4, 4, &n) < 0) bad = 1;
    bool noopt = fget(f, "noopt") != NULL;
    if (!bad && fields_unused(p, f, k->name, "rorg (erp1), id, data, status, sub, dst, dbm, sec, noopt") != 0) bad = 1;
    if (bad) return -1;
    it->kind = IT_ERP1;
    it->type = ENO_PACKET_RADIO_ERP1;
    it->dlen = 1 + pl + ENO_ERP1_ID_STATUS;
    it->data = malloc(it->dlen);
    if (!it->data) return -1;
    it->data[0] = rorg;
    memcpy(it->data + 1, buf, pl);
    memcpy(it->data + 1 + pl, id, 4);
    it->data[it->dlen - 1] = status;
    if (!noopt) {
        it->opt[0] = (uint8_t)sub;
        memcpy(it->opt + 1, dst, 4);
        it->opt[5] = (uint8_t)dbm;
        it->opt[6] = (uint8_t)sec;
        it->olen = ENO_ERP1_OPT_LEN;
    }
    return 0;
}

static int parse_packet(eno_parse_t *p, fields_t *f, eno_item_t *it)
{
    uint8_t t[1];
    size_t n;
    int bad = 0;
    it->data = malloc(ENO_PACKET_DATA_MAX);
    if (!it->data) return -1;
    if (fhex(p, f, "type", true, t, 1, 1, &n) != 0) bad = 1;
    it->dlen = 0;
    if (fhex(p, f, "data", false, it->data, 0, ENO_PACKET_DATA_MAX, &it->dlen) < 0) bad = 1;
    it->olen = 0;
    if (fhex(p, f, "opt", false, it->opt, 0, ENO_PACKET_OPT_MAX, &it->olen) < 0) bad = 1;
    if (!bad && fields_unused(p, f, "packet", "type, data, opt") != 0) bad = 1;
    if (bad) return -1;
    it->kind = IT_PACKET;
    it->type = t[0];
    return 0;
}

/* item tokens: tok[0] is the kind */
static int parse_item(eno_parse_t *p, char **tok, int ntok, eno_item_t *it)
{
    snprintf(it->label, sizeof it->label, "%.7s", tok[0]);
    for (size_t i = 0; i < sizeof ERP1_KINDS / sizeof ERP1_KINDS[0]; i++)
        if (!strcmp(tok[0], ERP1_KINDS[i].name)) {
            fields_t f;
            if (fields_split(p, tok + 1, ntok - 1, &f) != 0) return -1;
            return parse_erp1(p, &ERP1_KINDS[i], &f, it);
        }
    if (!strcmp(tok[0], "packet")) {
        fields_t f;
        if (fields_split(p, tok + 1, ntok - 1, &f) != 0) return -1;
        return parse_packet(p, &f, it);
    }
    if (!strcmp(tok[0], "raw")) {
        if (ntok < 2) {
            perr(p, ENO_ERR_SYNTAX, "raw needs at least one hex byte");
            return -1;
        }
        it->data = malloc(ENO_RAW_MAX);
        if (!it->data) return -1;
        it->dlen = 0;
        for (int i = 1; i < ntok; i++) {
            size_t n;
            int r = parse_hex(tok[i], it->data + it->dlen, ENO_RAW_MAX - it->dlen, &n);
            if (r != 0 || n == 0) {
                if (r == -2) perr(p, ENO_ERR_HEX, "raw: more than %u bytes", ENO_RAW_MAX);
                else perr(p, ENO_ERR_HEX, "raw: bad hex '%s' (two hex digits per byte)", tok[i]);
                return -1;
            }
            it->dlen += n;
        }
        it->kind = IT_RAW;
        return 0;
    }
    if (!strcmp(tok[0], "garbage")) {
        uint64_t n;
        if (ntok != 2) {
            perr(p, ENO_ERR_SYNTAX, "garbage takes one operand: the byte count");
            return -1;
        }
        if (parse_u64(tok[1], 1, ENO_GARBAGE_MAX, &n) != 0) {
            perr(p, ENO_ERR_NUMBER, "bad garbage byte count '%s' (1..%u)", tok[1], ENO_GARBAGE_MAX);
            return -1;
        }
        it->kind = IT_GARBAGE;
        it->garbage_len = n;
        return 0;
    }
    perr(p, ENO_ERR_SYNTAX,
         "unknown directive '%s' (baud, seed, start, at, gap, noise, rps, 1bs, 4bs, vld, erp1, packet, raw, garbage, "
         "burst, repeat)", tok[0]);
    return -1;
}

static size_t item_maxlen(const eno_item_t *it)
{
    switch (it->kind) {
    case IT_ERP1:
    case IT_PACKET: return ENO_ESP3_HDR_LEN + it->dlen + it->olen + 1;
    case IT_RAW: return it->dlen;
    default: return it->garbage_len;
    }
}

static void item_free(eno_item_t *it) { free(it->data); }

void eno_script_free(eno_script_t *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) item_free(&s->items[i]);
    free(s->items);
    free(s);
}

int eno_script_parse_string(const char *text, const char *fname, eno_script_t **out, FILE *msgs, unsigned *errs)
{
    eno_parse_t p = { .fname = fname, .msgs = msgs, .errs = errs };
    if (errs) memset(errs, 0, ENO_ERR_NCLASSES * sizeof *errs);
    *out = NULL;
    eno_script_t *s = calloc(1, sizeof *s);
    char *copy = strdup(text);
    if (!s || !copy) {
        free(s);
        free(copy);
        perr(&p, ENO_ERR_IO, "out of memory");
        return p.nerr;
    }
    s->baud = ENO_DEFAULT_BAUD;
    s->seed = 1;
    s->start_rx = true;
    s->passes = 1;
    bool have_seed = false, have_start = false, have_repeat = false, have_sched = false;
    int repeat_line = 0;
    sched_kind_t sched = SCH_NEXT;
    uint64_t sched_ns = 0;
    double noise = 0;
    char *cur = copy;
    while (cur && *cur) {
        char *nl = strchr(cur, '\n');
        if (nl) *nl = '\0';
        p.line++;
        char *hash = strchr(cur, '#');
        if (hash) *hash = '\0';
        char *tok[ENO_MAX_TOKENS + 1];
        int ntok = 0;
        bool too_many = false;
        for (char *sv = NULL, *t = strtok_r(cur, " \t\r", &sv); t; t = strtok_r(NULL, " \t\r", &sv)) {
            if (ntok == ENO_MAX_TOKENS) { too_many = true; break; }
            tok[ntok++] = t;
        }
        cur = nl ? nl + 1 : NULL;
        if (!ntok) continue;
        if (too_many) {
            perr(&p, ENO_ERR_SYNTAX, "too many words (max %d; write long raw data as one hex word)", ENO_MAX_TOKENS);
            continue;
        }
        if (have_repeat) {
            perr(&p, ENO_ERR_ORDER, "'%s' after repeat (line %d): repeat must be the last directive", tok[0], repeat_line);
            continue;
        }
        const char *d = tok[0];
        uint64_t v;
        if (!strcmp(d, "baud") || !strcmp(d, "seed") || !strcmp(d, "at") || !strcmp(d, "gap") || !strcmp(d, "noise")) {
            if (ntok != 2) {
                perr(&p, ENO_ERR_SYNTAX, "%s takes exactly one operand", d);
                continue;
            }
        }
        if (!strcmp(d, "baud")) {
            if (parse_u64(tok[1], ENO_BAUD_MIN, ENO_BAUD_MAX, &v) != 0)
                perr(&p, ENO_ERR_NUMBER, "bad baud '%s' (%u..%u)", tok[1], ENO_BAUD_MIN, ENO_BAUD_MAX);
            else s->baud = (uint32_t)v;
        } else if (!strcmp(d, "seed")) {
            if (have_seed) perr(&p, ENO_ERR_ORDER, "seed given twice");
            else if (parse_u64(tok[1], 0, UINT64_MAX, &v) != 0) perr(&p, ENO_ERR_NUMBER, "bad seed '%s'", tok[1]);
            else s->seed = v;
            have_seed = true;
        } else if (!strcmp(d, "start")) {
            if (ntok != 2) perr(&p, ENO_ERR_SYNTAX, "start takes one operand: rx or a time in µs");
            else if (have_start) perr(&p, ENO_ERR_ORDER, "start given twice");
            else if (s->n) perr(&p, ENO_ERR_ORDER, "start after the first item");
            else if (!strcmp(tok[1], "rx")) s->start_rx = true;
            else if (parse_us(tok[1], &s->start_ns) != 0) perr(&p, ENO_ERR_NUMBER, "bad start time '%s' (µs)", tok[1]);
            else s->start_rx = false;
            have_start = true;
        } else if (!strcmp(d, "at") || !strcmp(d, "gap")) {
            if (have_sched) perr(&p, ENO_ERR_ORDER, "at/gap given twice before an item");
            else if (parse_us(tok[1], &sched_ns) != 0) perr(&p, ENO_ERR_NUMBER, "bad time '%s' (µs, up to 3 decimals)", tok[1]);
            else {
                sched = d[0] == 'a' ? SCH_AT : SCH_GAP;
                have_sched = true;
            }
        } else if (!strcmp(d, "noise")) {
            char *e;
            errno = 0;
            double pr = strtod(tok[1], &e);
            if (*e || errno || !(pr >= 0 && pr <= 1)) perr(&p, ENO_ERR_NUMBER, "bad noise probability '%s' (0..1)", tok[1]);
            else noise = pr;
        } else if (!strcmp(d, "repeat")) {
            if (ntok > 2) perr(&p, ENO_ERR_SYNTAX, "repeat takes at most one operand");
            else if (ntok == 2 && parse_u64(tok[1], 1, UINT32_MAX, &v) != 0)
                perr(&p, ENO_ERR_NUMBER, "bad repeat count '%s' (1..%u)", tok[1], UINT32_MAX);
            else s->passes = ntok == 2 ? v : 0;
            have_repeat = true;
            repeat_line = p.line;
        } else {
            eno_item_t it = { .line = p.line, .copies = 1, .sched = sched, .sched_ns = sched_ns, .noise = noise };
            char **itok = tok;
            int intok = ntok;
            if (!strcmp(d, "burst")) {
                if (ntok < 3) {
                    perr(&p, ENO_ERR_SYNTAX, "burst needs a count and an item");
                    continue;
                }
                if (parse_u64(tok[1], 1, ENO_BURST_MAX, &it.copies) != 0) {
                    perr(&p, ENO_ERR_NUMBER, "bad burst count '%s' (1..%llu)", tok[1], ENO_BURST_MAX);
                    continue;
                }
                if (!strcmp(tok[2], "burst")) {
                    perr(&p, ENO_ERR_ORDER, "burst of a burst");
                    continue;
                }
                itok = tok + 2;
                intok = ntok - 2;
            }
            if (parse_item(&p, itok, intok, &it) != 0) {
                item_free(&it);
                continue;
            }
            if (s->n == s->cap) {
                size_t nc = s->cap ? s->cap * 2 : 16;
                eno_item_t *ni = realloc(s->items, nc * sizeof *ni);
                if (!ni) {
                    item_free(&it);
                    perr(&p, ENO_ERR_IO, "out of memory");
                    continue;
                }
                s->items = ni;
                s->cap = nc;
            }
            s->items[s->n++] = it;
            if (item_maxlen(&it) > s->maxlen) s->maxlen = item_maxlen(&it);
            have_sched = false;
            sched = SCH_NEXT;
            sched_ns = 0;
        }
    }
    p.line = 0;
    if (have_sched) perr(&p, ENO_ERR_ORDER, "at/gap at the end of the script with no item after it");
    if (!s->n && !p.nerr) perr(&p, ENO_ERR_EMPTY, "no telegram, raw or garbage item to play");
    free(copy);
    if (p.nerr) {
        eno_script_free(s);
        if (msgs) fprintf(msgs, "%s: %d error%s\n", fname, p.nerr, p.nerr == 1 ? "" : "s");
        return p.nerr;
    }
    *out = s;
    return 0;
}

int eno_script_parse_file(const char *path, eno_script_t **out, FILE *msgs, unsigned *errs)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t len = 0;
    if (f) {
        FILE *m = open_memstream(&buf, &len);
        char chunk[4096];
        size_t n;
        while (m && (n = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, n, m);
        bool bad = ferror(f) || !m;
        fclose(f);
        if (m) fclose(m);
        if (bad) {
            free(buf);
            buf = NULL;
        }
    }
    if (!buf) {
        eno_parse_t p = { .fname = path, .msgs = msgs, .errs = errs };
        if (errs) memset(errs, 0, ENO_ERR_NCLASSES * sizeof *errs);
        perr(&p, ENO_ERR_IO, "cannot read script: %s", strerror(errno));
        return p.nerr;
    }
    if (memchr(buf, '\0', len)) {
        free(buf);
        eno_parse_t p = { .fname = path, .msgs = msgs, .errs = errs };
        if (errs) memset(errs, 0, ENO_ERR_NCLASSES * sizeof *errs);
        perr(&p, ENO_ERR_IO, "binary file, not a script");
        return p.nerr;
    }
    int r = eno_script_parse_string(buf, path, out, msgs, errs);
    free(buf);
    return r;
}

uint64_t eno_script_telegrams_per_pass(const eno_script_t *s)
{
    uint64_t n = 0;
    for (size_t i = 0; i < s->n; i++) n += s->items[i].copies;
    return n;
}
uint32_t eno_script_baud(const eno_script_t *s) { return s->baud; }
size_t eno_script_nitems(const eno_script_t *s) { return s->n; }

/* The bytes of copy k of an item, before noise (garbage: zero length here). */
static size_t item_frame(const eno_item_t *it, uint64_t copy, uint8_t *out, size_t cap)
{
    if (it->kind == IT_RAW) {
        if (it->dlen > cap) return 0;
        memcpy(out, it->data, it->dlen);
        return it->dlen;
    }
    if (it->kind == IT_GARBAGE) return 0;
    if (it->kind == IT_ERP1 && copy) {
        uint8_t d[1 + ENO_ERP1_MAX_PAYLOAD + ENO_ERP1_ID_STATUS];
        memcpy(d, it->data, it->dlen);
        uint8_t *id = d + it->dlen - ENO_ERP1_ID_STATUS;
        uint32_t v = (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 | (uint32_t)id[2] << 8 | id[3];
        v += (uint32_t)copy;
        id[0] = (uint8_t)(v >> 24);
        id[1] = (uint8_t)(v >> 16);
        id[2] = (uint8_t)(v >> 8);
        id[3] = (uint8_t)v;
        return eno_build_frame(it->type, d, it->dlen, it->opt, it->olen, out, cap);
    }
    return eno_build_frame(it->type, it->data, it->dlen, it->opt, it->olen, out, cap);
}

size_t eno_script_item_frame(const eno_script_t *s, size_t item, uint64_t copy, uint8_t *out, size_t cap)
{
    return item < s->n ? item_frame(&s->items[item], copy, out, cap) : 0;
}

/* ---- the player -------------------------------------------------------------------------- */
struct enocean_modem {
    sim_t *sim;
    uart_link_t *link;
    const uart_port_ops_t *port;   /* the UART's own port ops (we interpose) */
    void *dev;
    uart_port_ops_t wrap;
    eno_script_t *s;
    char *script_name;
    FILE *rep;
    sim_timer_t timer, start_timer;
    uint64_t rng;
    bool waiting_rx, waiting_start;
    uint64_t pass;
    size_t item;
    uint64_t copy;
    uint8_t *cur;
    size_t cur_len, pos;
    uint64_t tel_start, tel_wire_lost, tel_mismatch;
    unsigned tel_corrupt;
    uint64_t pass_origin, wire_free;
    uint64_t own_frame_cycles;     /* 10 bits at the script baud */
    eno_modem_stats_t st;
};

static uint64_t eno_rand(enocean_modem_t *m) /* splitmix64 */
{
    uint64_t z = (m->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double eno_rand01(enocean_modem_t *m) { return (double)(eno_rand(m) >> 11) * (1.0 / 9007199254740992.0); }

static void mdm_finish(enocean_modem_t *m, bool done)
{
    if (m->st.done) return;
    m->st.done = done;
    m->st.end_cycle = m->wire_free;
    if (!m->rep) return;
    const eno_modem_stats_t *t = &m->st;
    fprintf(m->rep,
            "{\"done\": %s, \"telegrams\": %" PRIu64 ", \"valid_telegrams\": %" PRIu64 ", \"bytes\": %" PRIu64
            ", \"wire_lost_bytes\": %" PRIu64 ", \"wire_lost_telegrams\": %" PRIu64 ", \"corrupt_bytes\": %" PRIu64
            ", \"corrupt_telegrams\": %" PRIu64 ", \"baud_mismatch_bytes\": %" PRIu64 ", \"late_starts\": %" PRIu64
            ", \"collisions\": %" PRIu64 ", \"started\": %s, \"origin_cycle\": %" PRIu64 ", \"end_cycle\": %" PRIu64 "}\n",
            done ? "true" : "false", t->telegrams, t->valid_telegrams, t->bytes, t->wire_lost_bytes,
            t->wire_lost_telegrams, t->corrupt_bytes, t->corrupt_telegrams, t->baud_mismatch_bytes, t->late_starts,
            t->collisions, t->started ? "true" : "false", t->origin_cycle, t->end_cycle);
    fflush(m->rep);
}

/* Prepare the current (item, copy) and arm the timer at its first start bit. */
static void mdm_schedule(enocean_modem_t *m)
{
    const eno_item_t *it = &m->s->items[m->item];
    uint64_t target = m->wire_free;
    if (m->copy == 0) {
        if (it->sched == SCH_AT) target = m->pass_origin + sim_ns_to_cycles(m->sim, it->sched_ns);
        else if (it->sched == SCH_GAP) target = m->wire_free + sim_ns_to_cycles(m->sim, it->sched_ns);
    }
    if (target < m->wire_free) {
        m->st.late_starts++;
        target = m->wire_free;
    }
    if (it->kind == IT_GARBAGE) {
        m->cur_len = it->garbage_len;
        for (size_t i = 0; i < m->cur_len; i++) m->cur[i] = (uint8_t)eno_rand(m);
    } else {
        m->cur_len = item_frame(it, m->copy, m->cur, m->s->maxlen);
        SIM_ASSERT(ENO_NAME, m->cur_len > 0);
    }
    m->tel_corrupt = 0;
    if (it->noise > 0)
        for (size_t i = 0; i < m->cur_len; i++)
            if (eno_rand01(m) < it->noise) {
                m->cur[i] ^= (uint8_t)(1u << (eno_rand(m) & 7u));
                m->tel_corrupt++;
            }
    m->pos = 0;
    m->tel_wire_lost = m->tel_mismatch = 0;
    sim_timer_mod(&m->timer, target);
}

static void mdm_report_telegram(enocean_modem_t *m, uint64_t end, bool valid)
{
    if (!m->rep) return;
    const eno_item_t *it = &m->s->items[m->item];
    fprintf(m->rep,
            "{\"i\": %" PRIu64 ", \"line\": %d, \"kind\": \"%s\", \"len\": %zu, \"start_cycle\": %" PRIu64
            ", \"end_cycle\": %" PRIu64 ", \"valid\": %s, \"corrupt\": %u, \"wire_lost\": %" PRIu64
            ", \"baud_mismatch\": %" PRIu64 ", \"hex\": \"",
            m->st.telegrams, it->line, it->label, m->cur_len, m->tel_start, end, valid ? "true" : "false",
            m->tel_corrupt, m->tel_wire_lost, m->tel_mismatch);
    for (size_t i = 0; i < m->cur_len; i++) fprintf(m->rep, "%02x", m->cur[i]);
    fputs("\"}\n", m->rep);
}

/* Is the UART's frame time within ENO_MISMATCH_PCT of the modem's own? */
static bool mdm_baud_ok(const enocean_modem_t *m, uint64_t fc)
{
    uint64_t tol = m->own_frame_cycles * ENO_MISMATCH_PCT / 100u;
    return fc + tol >= m->own_frame_cycles && fc <= m->own_frame_cycles + tol;
}

/* A start bit begins now: put the next byte on the wire. */
static void mdm_byte(void *opaque)
{
    enocean_modem_t *m = opaque;
    uint64_t now = sim_now(m->sim), fc;
    if (m->pos == 0) m->tel_start = now;
    uint8_t b = m->cur[m->pos];
    if (m->port->rx_ready(m->dev)) {
        fc = m->port->frame_cycles(m->dev);
        if (!mdm_baud_ok(m, fc)) {
            m->st.baud_mismatch_bytes++;
            m->tel_mismatch++;
        }
        uart_link_push_rx(m->link, &b, 1);
        if (uart_link_rx_pending(m->link)) m->st.collisions++; /* the wire was busy: delayed */
    } else {
        /* the wire keeps the UART's bit time when it is the modem's (receiver merely off);
         * a UART not programmed for this baud says nothing about the wire */
        fc = m->port->frame_cycles(m->dev);
        if (!mdm_baud_ok(m, fc)) fc = m->own_frame_cycles;
        m->st.wire_lost_bytes++;
        m->tel_wire_lost++;
    }
    m->st.bytes++;
    m->pos++;
    uint64_t end = now + fc;
    if (m->pos < m->cur_len) {
        sim_timer_mod(&m->timer, end); /* armed after the link's wire timer: fires after it */
        return;
    }
    /* last stop bit ends at `end` */
    bool valid = m->tel_wire_lost == 0 && eno_frame_valid(m->cur, m->cur_len);
    mdm_report_telegram(m, end, valid);
    m->st.telegrams++;
    if (valid) m->st.valid_telegrams++;
    if (m->tel_wire_lost) m->st.wire_lost_telegrams++;
    if (m->tel_corrupt) {
        m->st.corrupt_telegrams++;
        m->st.corrupt_bytes += m->tel_corrupt;
    }
    if (m->rep && (m->st.telegrams & 63u) == 0) fflush(m->rep);
    m->wire_free = end;
    /* next copy / item / pass */
    if (++m->copy >= m->s->items[m->item].copies) {
        m->copy = 0;
        if (++m->item >= m->s->n) {
            m->item = 0;
            m->pass++;
            m->pass_origin = end;
            if (m->s->passes && m->pass >= m->s->passes) {
                mdm_finish(m, true);
                return;
            }
        }
    }
    mdm_schedule(m);
}

static void mdm_begin(enocean_modem_t *m, uint64_t origin)
{
    m->waiting_rx = m->waiting_start = false;
    m->st.started = true;
    m->st.origin_cycle = m->pass_origin = m->wire_free = origin;
    mdm_schedule(m);
}

static void mdm_start_timer(void *opaque)
{
    enocean_modem_t *m = opaque;
    mdm_begin(m, sim_now(m->sim));
}

/* interposed port ops: the link asks rx_ready() whenever the UART kicks it */
static bool mdm_rx_ready(void *opaque)
{
    enocean_modem_t *m = opaque;
    bool r = m->port->rx_ready(m->dev);
    if (r && m->waiting_rx && mdm_baud_ok(m, m->port->frame_cycles(m->dev))) mdm_begin(m, sim_now(m->sim));
    return r;
}
static uint64_t mdm_frame_cycles(void *opaque)
{
    enocean_modem_t *m = opaque;
    return m->port->frame_cycles(m->dev);
}
static void mdm_rx_frame(void *opaque, uint8_t b)
{
    enocean_modem_t *m = opaque;
    m->port->rx_frame(m->dev, b);
}

enocean_modem_t *enocean_modem_new(sim_t *sim, uart_link_t *link, const uart_port_ops_t *port, void *dev,
                                   eno_script_t *script, const char *script_name, const char *report_path)
{
    enocean_modem_t *m = calloc(1, sizeof *m);
    if (!m || !link || !port || !script) {
        fprintf(stderr, "%s: cannot attach (no link or no script)\n", ENO_NAME);
        free(m);
        eno_script_free(script);
        return NULL;
    }
    m->sim = sim;
    m->link = link;
    m->port = port;
    m->dev = dev;
    m->s = script;
    m->rng = script->seed;
    m->script_name = strdup(script_name ? script_name : "");
    m->cur = malloc(script->maxlen ? script->maxlen : 1);
    m->own_frame_cycles = (ENO_BITS_PER_FRAME * sim_cpu_hz(sim) + script->baud - 1) / script->baud;
    if (!m->cur || !m->script_name) goto fail;
    if (report_path) {
        m->rep = fopen(report_path, "w");
        if (!m->rep) {
            fprintf(stderr, "%s: cannot create report '%s': %s\n", ENO_NAME, report_path, strerror(errno));
            goto fail;
        }
        fprintf(m->rep, "{\"enocean_modem\": 1, \"script\": \"");
        for (const char *c = m->script_name; *c; c++)
            if (*c == '"' || *c == '\\') fprintf(m->rep, "\\%c", *c);
            else if ((unsigned char)*c >= 0x20) fputc(*c, m->rep);
        fprintf(m->rep, "\", \"cpu_hz\": %" PRIu64 ", \"baud\": %u, \"seed\": %" PRIu64 ", \"start\": ", sim_cpu_hz(sim),
                script->baud, script->seed);
        if (script->start_rx) fprintf(m->rep, "\"rx\"}\n");
        else fprintf(m->rep, "%.3f}\n", (double)script->start_ns / 1000.0);
        fflush(m->rep);
    }
    m->wrap = (uart_port_ops_t){ .rx_ready = mdm_rx_ready, .frame_cycles = mdm_frame_cycles, .rx_frame = mdm_rx_frame };
    uart_link_attach_port(link, &m->wrap, m);
    sim_timer_init(&m->timer, sim, mdm_byte, m);
    sim_timer_init(&m->start_timer, sim, mdm_start_timer, m);
    if (script->start_rx) {
        m->waiting_rx = true;
        if (port->rx_ready(dev) && mdm_baud_ok(m, port->frame_cycles(dev))) mdm_begin(m, sim_now(sim));
    } else {
        m->waiting_start = true;
        uint64_t at = sim_ns_to_cycles(sim, script->start_ns);
        sim_timer_mod(&m->start_timer, at > sim_now(sim) ? at : sim_now(sim));
    }
    return m;
fail:
    enocean_modem_free(m);
    return NULL;
}

void enocean_modem_free(enocean_modem_t *m)
{
    if (!m) return;
    if (m->timer.sim) sim_timer_del(&m->timer);
    if (m->start_timer.sim) sim_timer_del(&m->start_timer);
    if (m->link && m->wrap.rx_ready) uart_link_attach_port(m->link, m->port, m->dev);
    if (m->rep) {
        mdm_finish(m, false);
        fclose(m->rep);
    }
    eno_script_free(m->s);
    free(m->cur);
    free(m->script_name);
    free(m);
}

const eno_modem_stats_t *enocean_modem_stats(const enocean_modem_t *m) { return &m->st; }

void enocean_modem_print_stats(const enocean_modem_t *m, FILE *f)
{
    const eno_modem_stats_t *t = &m->st;
    fprintf(f,
            "enocean modem (%s): %s telegrams %" PRIu64 " (valid %" PRIu64 ") bytes %" PRIu64
            " wire-lost %" PRIu64 " bytes / %" PRIu64 " telegrams corrupt %" PRIu64 " bytes / %" PRIu64
            " telegrams baud-mismatch %" PRIu64 " late-starts %" PRIu64 " collisions %" PRIu64 "\n",
            m->script_name, t->done ? "done" : t->started ? "playing" : "waiting", t->telegrams, t->valid_telegrams,
            t->bytes, t->wire_lost_bytes, t->wire_lost_telegrams, t->corrupt_bytes, t->corrupt_telegrams,
            t->baud_mismatch_bytes, t->late_starts, t->collisions);
}
