#include "target.h"
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int target_start(sk_target_t *t, const sk_target_cfg_t *cfg, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->rfd = t->wfd = t->sock = t->ctl_fd = -1;
    t->seen_prompt = true; /* every console we drive prompts with `> `: wait for it from the start */
    snprintf(t->kind, sizeof t->kind, "%s", cfg->kind);
    char path[600];
    snprintf(path, sizeof path, "%s/serial-%s.log", cfg->trace_dir, cfg->kind);
    t->trace = fopen(path, "w");
    if (!t->trace) {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    setvbuf(t->trace, NULL, _IOLBF, 0);
    fprintf(t->trace, "# serial transcript, target %s; columns: seconds since start, "
                      "direction (< from target, > to target, # harness note), text\n", cfg->kind);
    snprintf(t->stderr_path, sizeof t->stderr_path, "%s/%s-stderr.log", cfg->trace_dir, cfg->kind);
    t->t0 = proc_now();
    proc_setup();
    if (strcmp(cfg->kind, "sim") == 0) return backend_sim_start(t, cfg, err, errlen);
    if (strcmp(cfg->kind, "qemu") == 0) return backend_qemu_start(t, cfg, err, errlen);
    if (strcmp(cfg->kind, "linux") == 0) return backend_linux_start(t, cfg, err, errlen);
    snprintf(err, errlen, "unknown target '%s' (sim, qemu or linux)", cfg->kind);
    return -1;
}

void target_note(sk_target_t *t, const char *fmt, ...)
{
    if (!t->trace) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(t->trace, "%12.6f # ", proc_now() - t->t0);
    vfprintf(t->trace, fmt, ap);
    fputc('\n', t->trace);
    va_end(ap);
}

/* Takes one complete line out of the buffer if there is one. */
static bool take_line(sk_target_t *t, char *line, size_t cap)
{
    char *nl = memchr(t->buf, '\n', t->len);
    if (!nl && t->len == sizeof t->buf) nl = t->buf + t->len - 1; /* overlong: split */
    if (!nl) return false;
    size_t n = (size_t)(nl - t->buf) + 1;
    size_t k = n;
    while (k > 0 && (t->buf[k - 1] == '\n' || t->buf[k - 1] == '\r')) k--;
    char *s = t->buf;
    while (k >= 2 && s[0] == '>' && s[1] == ' ') { s += 2; k -= 2; t->seen_prompt = true; } /* prompts */
    while (k > 0 && (s[0] == '\r' || s[0] == '\0')) { s++; k--; }
    if (k >= cap) k = cap - 1;
    memcpy(line, s, k);
    line[k] = '\0';
    memmove(t->buf, t->buf + n, t->len - n);
    t->len -= n;
    return true;
}

int target_read_line(sk_target_t *t, char *line, size_t cap, double deadline, double *ts)
{
    for (;;) {
        if (take_line(t, line, cap)) {
            double now = proc_now();
            if (ts) *ts = now;
            if (t->trace) fprintf(t->trace, "%12.6f < %s\n", now - t->t0, line);
            return TGT_LINE;
        }
        if (proc_interrupted) return TGT_INTR;
        if (t->rfd < 0) return TGT_EOF;
        double left = deadline - proc_now();
        if (left <= 0) return TGT_TIMEOUT;
        struct pollfd pfd = {.fd = t->rfd, .events = POLLIN};
        int ms = left > 1.0 ? 1000 : (int)(left * 1000) + 1; /* wake up to notice a dead child */
        int r = poll(&pfd, 1, ms);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return TGT_EOF;
        if (r == 0) {
            /* the process may be gone while a grandchild still holds the pipe */
            if (t->proc.pid > 0 && proc_check(&t->proc) && t->sock < 0) {
                /* drain whatever is left, then report EOF */
                pfd.revents = 0;
                if (poll(&pfd, 1, 0) <= 0) return TGT_EOF;
            } else continue;
        }
        ssize_t got = read(t->rfd, t->buf + t->len, sizeof t->buf - t->len);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (got <= 0) {
            if (t->len > 0) { /* final unterminated line */
                t->buf[t->len < sizeof t->buf ? t->len : sizeof t->buf - 1] = '\n';
                if (t->len < sizeof t->buf) t->len++;
                continue;
            }
            return TGT_EOF;
        }
        t->len += (size_t)got;
    }
}

/* true when the unterminated tail of the buffer ends with the console prompt */
static bool tail_is_prompt(sk_target_t *t)
{
    size_t start = 0;
    for (size_t i = 0; i < t->len; i++)
        if (t->buf[i] == '\n') start = i + 1;
    size_t k = t->len - start;
    if (k >= 2 && t->buf[t->len - 2] == '>' && t->buf[t->len - 1] == ' ') {
        t->seen_prompt = true;
        return true;
    }
    return false;
}

/* A console target waits at its prompt with nothing else to do: on the simulator input then
 * enters at a simulated time that does not depend on the host (sim/link/uart_link.c), and on
 * real boards nothing typed while the target still prints is lost. Bounded: after
 * SK_PROMPT_WAIT_S the line is sent anyway and the trace says so (asynchronous output such
 * as radio telegram lines can follow a prompt). Reads bytes but takes no lines. */
#define SK_PROMPT_WAIT_S 2.0
static void wait_prompt(sk_target_t *t)
{
    if (!t->seen_prompt || t->rfd < 0) return;
    double deadline = proc_now() + SK_PROMPT_WAIT_S;
    while (!tail_is_prompt(t)) {
        double left = deadline - proc_now();
        if (left <= 0 || proc_interrupted || t->len == sizeof t->buf) {
            target_note(t, "no prompt within %.1f s: sending anyway", SK_PROMPT_WAIT_S);
            return;
        }
        struct pollfd pfd = {.fd = t->rfd, .events = POLLIN};
        int r = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) continue;
        ssize_t got = read(t->rfd, t->buf + t->len, sizeof t->buf - t->len);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (got <= 0) return; /* EOF: the reader reports it */
        t->len += (size_t)got;
    }
}

int target_send(sk_target_t *t, const char *line)
{
    wait_prompt(t);
    if (t->trace) fprintf(t->trace, "%12.6f > %s\n", proc_now() - t->t0, line);
    size_t n = strlen(line);
    char *msg = malloc(n + 2);
    if (!msg) return -1;
    memcpy(msg, line, n);
    msg[n++] = '\n';
    size_t off = 0;
    int rc = 0;
    while (off < n) {
        ssize_t w = write(t->wfd, msg + off, n - off);
        if (w < 0 && errno == EINTR) {
            if (proc_interrupted) { rc = -1; break; }
            continue;
        }
        if (w <= 0) { rc = -1; break; }
        off += (size_t)w;
    }
    free(msg);
    return rc;
}

void target_why(sk_target_t *t, char *buf, size_t len)
{
    char st[64];
    proc_wait(&t->proc, 1.0);
    proc_describe(&t->proc, st, sizeof st);
    size_t o = (size_t)snprintf(buf, len, "%s %s", t->kind, st);
    FILE *f = fopen(t->stderr_path, "r");
    if (!f) return;
    char lines[3][200] = {"", "", ""};
    char l[200];
    int k = 0;
    while (fgets(l, sizeof l, f)) {
        l[strcspn(l, "\r\n")] = '\0';
        if (!*l) continue;
        snprintf(lines[k % 3], sizeof lines[0], "%s", l);
        k++;
    }
    fclose(f);
    if (k && o < len) o += (size_t)snprintf(buf + o, len - o, "; its stderr ends:");
    for (int i = k > 3 ? k - 3 : 0; i < k && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, " | %s", lines[i % 3]);
}

void target_close(sk_target_t *t)
{
    if (t->proc.pid > 0) {
        proc_kill(&t->proc, 3.0);
        char st[64];
        proc_describe(&t->proc, st, sizeof st);
        target_note(t, "target process ended: %s", st);
    }
    if (t->sock >= 0) close(t->sock);
    t->sock = t->rfd = t->wfd = -1;
    if (t->trace) fclose(t->trace);
    t->trace = NULL;
}
