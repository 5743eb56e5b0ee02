#include "console.h"
#include "md5.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int link_error(sk_target_t *t, int r, const char *what, char *err, size_t errlen)
{
    if (r == TGT_INTR) {
        snprintf(err, errlen, "interrupted by signal %d while %s", proc_interrupted, what);
        return CON_INTR;
    }
    if (r == TGT_TIMEOUT) {
        snprintf(err, errlen, "timeout while %s", what);
        return CON_FAIL;
    }
    char why[400];
    target_why(t, why, sizeof why);
    snprintf(err, errlen, "target closed the serial line while %s (%s)", what, why);
    return CON_FAIL;
}

int console_ready(sk_target_t *t, double timeout_s, char *info, size_t infolen, char *err, size_t errlen)
{
    double deadline = proc_now() + timeout_s;
    char line[1024];
    int r;
    for (; t->ready_prefix;) { /* NULL: the backend already saw readiness */
        r = target_read_line(t, line, sizeof line, deadline, NULL);
        if (r != TGT_LINE) return link_error(t, r, "waiting for the target to boot", err, errlen);
        if (strncmp(line, t->ready_prefix, strlen(t->ready_prefix)) == 0) break;
    }
    target_note(t, "ready (%s)", line);
    if (target_send(t, "info") != 0) return link_error(t, TGT_EOF, "sending info", err, errlen);
    deadline = proc_now() + (timeout_s < 30 ? timeout_s : 30);
    for (;;) {
        r = target_read_line(t, line, sizeof line, deadline, NULL);
        if (r != TGT_LINE) return link_error(t, r, "waiting for the info reply", err, errlen);
        if (strncmp(line, "err ", 4) == 0) {
            snprintf(err, errlen, "target answered info with: %s", line);
            return CON_FAIL;
        }
        if (strncmp(line, "info ", 5) == 0) break;
    }
    snprintf(info, infolen, "%s", line);
    return CON_OK;
}

static const char *field(const char *line, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = line; (p = strstr(p, key)) != NULL; p += kl)
        if (p == line || p[-1] == ' ') return p + kl;
    return NULL;
}

int console_parse_md5(const char *line, unsigned long long *n, char digest[33], unsigned long long *cycles, double *us)
{
    if (strncmp(line, "md5 ", 4) != 0) return -1;
    const char *pn = field(line, "n="), *pd = field(line, "digest="), *pc = field(line, "cycles="),
               *pu = field(line, "us=");
    if (!pn || !pd || !pc || !pu) return -1;
    char *end;
    *n = strtoull(pn, &end, 10);
    if (end == pn || (*end && *end != ' ')) return -1;
    for (int i = 0; i < 32; i++) {
        if (!isxdigit((unsigned char)pd[i])) return -1;
        digest[i] = (char)tolower((unsigned char)pd[i]);
    }
    digest[32] = '\0';
    if (pd[32] && pd[32] != ' ') return -1;
    *cycles = strtoull(pc, &end, 10);
    if (end == pc || (*end && *end != ' ')) return -1;
    *us = strtod(pu, &end);
    if (end == pu || (*end && *end != ' ')) return -1;
    return 0;
}

void console_expected_md5(uint32_t n, const char *text, char hex[33])
{
    uint8_t d[MD5_DIGEST_LEN];
    md5_chain(text, strlen(text), n, d);
    for (int i = 0; i < MD5_DIGEST_LEN; i++) sprintf(hex + 2 * i, "%02x", d[i]);
}

int console_md5(sk_target_t *t, uint32_t n, const char *text, double timeout_s, sk_sample_t *s,
                char *err, size_t errlen)
{
    char cmd[400], line[1024], expect[33];
    console_expected_md5(n, text, expect); /* before the clock starts */
    snprintf(cmd, sizeof cmd, "md5 %u %s", n, text);
    double t_send = proc_now(), deadline = t_send + timeout_s, ts, t_start = 0, t_end = 0;
    if (target_send(t, cmd) != 0) return link_error(t, TGT_EOF, "sending md5", err, errlen);
    for (;;) {
        int r = target_read_line(t, line, sizeof line, deadline, &ts);
        if (r != TGT_LINE) {
            char what[64];
            snprintf(what, sizeof what, "running md5 n=%u", n);
            return link_error(t, r, what, err, errlen);
        }
        if (strcmp(line, "md5-start") == 0) t_start = ts;
        else if (strcmp(line, "md5-end") == 0) t_end = ts;
        else if (strncmp(line, "err ", 4) == 0) {
            snprintf(err, errlen, "target error for md5 n=%u: %s", n, line);
            return CON_FAIL;
        } else if (strncmp(line, "md5 n=", 6) == 0) break; /* not an echo of the command */
    }
    double t_done = ts;
    unsigned long long rn, cycles;
    double us;
    char digest[33];
    if (console_parse_md5(line, &rn, digest, &cycles, &us) != 0) {
        snprintf(err, errlen, "malformed md5 reply: '%s'", line);
        return CON_WRONG;
    }
    if (rn != n) {
        snprintf(err, errlen, "WRONG ANSWER: asked md5 n=%u, target answered n=%llu", n, rn);
        return CON_WRONG;
    }
    if (strcmp(digest, expect) != 0) {
        snprintf(err, errlen, "WRONG ANSWER: md5 n=%u digest %s, host computed %s", n, digest, expect);
        target_note(t, "%s", err);
        return CON_WRONG;
    }
    if (!t_start || !t_end || t_end < t_start) {
        snprintf(err, errlen, "md5 n=%u: missing md5-start/md5-end markers", n);
        return CON_WRONG;
    }
    memset(s, 0, sizeof *s);
    s->n = n;
    s->cpu_us = us;
    s->cycles = cycles;
    s->exec_us = t->simulated_time ? us : (t_end - t_start) * 1e6;
    s->host_wall_us = (t_done - t_send) * 1e6;
    memcpy(s->digest, digest, sizeof s->digest);
    s->ok = 1;
    return CON_OK;
}

int console_net_start(sk_target_t *t, double timeout_s, char *up, size_t uplen, char *err, size_t errlen)
{
    if (target_send(t, "net start") != 0) {
        snprintf(err, errlen, "cannot send 'net start'");
        return CON_FAIL;
    }
    char line[512];
    double deadline = proc_now() + timeout_s;
    int lr;
    while ((lr = target_read_line(t, line, sizeof line, deadline, NULL)) == TGT_LINE) {
        if (strncmp(line, "net start rc=", 13) == 0 && strncmp(line + 13, "ok ", 3) != 0) {
            snprintf(err, errlen, "firmware network did not start: %.400s", line);
            return CON_FAIL;
        }
        if (strncmp(line, "err ", 4) == 0) {
            snprintf(err, errlen, "'net start' refused: %.400s", line);
            return CON_FAIL;
        }
        if (strncmp(line, "net-up ", 7) == 0) {
            if (up) snprintf(up, uplen, "%s", line);
            return CON_OK;
        }
    }
    if (lr == TGT_INTR) {
        snprintf(err, errlen, "interrupted");
        return CON_INTR;
    }
    snprintf(err, errlen, "no 'net-up' line from the firmware within %.0f s of 'net start'%s", timeout_s,
             lr == TGT_TIMEOUT ? "" : " (target closed its output)");
    return CON_FAIL;
}

int console_halt(sk_target_t *t, double timeout_s)
{
    if (target_send(t, "halt") != 0) return CON_FAIL;
    char line[256];
    double deadline = proc_now() + timeout_s;
    while (target_read_line(t, line, sizeof line, deadline, NULL) == TGT_LINE)
        if (strcmp(line, "halt") == 0) break;
    if (t->ctl_fd >= 0) { /* linux: let boot-qemu's COMMAND end, boot-qemu then waits for QEMU */
        t->ctl_fd = -1;
        close(t->proc.to_child);
        t->proc.to_child = -1;
    }
    return proc_wait(&t->proc, timeout_s) ? CON_OK : CON_FAIL;
}
