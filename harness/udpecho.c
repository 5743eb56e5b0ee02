/* The udp-echo workload: host client, simulator peer script/report, statistics.
 * See udpecho.h. */
#include "udpecho.h"
#include "console.h"
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define UDPECHO_PROBE_EVERY_S 0.2
#define UDPECHO_BUF 2048

void udpecho_payload(uint8_t *buf, size_t size)
{
    static const char pat[] = "Echo1";
    for (size_t i = 0; i < size; i++) buf[i] = (uint8_t)pat[i % 5];
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void udpecho_stats(const double *v, size_t n, double *min, double *median, double *p99, double *max, double *mean)
{
    *min = *median = *p99 = *max = *mean = 0;
    double *t = malloc((n ? n : 1) * sizeof *t);
    if (!t) return;
    size_t k = 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) {
            t[k++] = v[i];
            sum += v[i];
        }
    if (k) {
        qsort(t, k, sizeof *t, cmp_d);
        *min = t[0];
        *max = t[k - 1];
        *median = t[(k + 1) / 2 - 1];
        size_t r = (99 * k + 99) / 100;
        *p99 = t[r ? r - 1 : 0];
        *mean = sum / (double)k;
    }
    free(t);
}

/* ---- host client --------------------------------------------------------------------- */
/* waits for one datagram until deadline; 1 got it, 0 timeout, -1 error/interrupted */
static int recv_until(int s, uint8_t *buf, size_t cap, ssize_t *len, double deadline)
{
    for (;;) {
        double left = deadline - proc_now();
        if (left <= 0) return 0;
        if (proc_interrupted) return -1;
        struct pollfd pf = {.fd = s, .events = POLLIN};
        int r = poll(&pf, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) continue; /* re-check the deadline */
        *len = recv(s, buf, cap, 0);
        if (*len < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            /* ECONNREFUSED: an ICMP port unreachable from a previous send; keep waiting */
            if (errno == ECONNREFUSED) continue;
            return -1;
        }
        return 1;
    }
}

int udpecho_host_run(sk_target_t *t, int host_port, const udpecho_params_t *p, double probe_timeout_s,
                     double *rtt_us, udpecho_outcome_t *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    for (uint64_t i = 0; i < p->n; i++) rtt_us[i] = NAN;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return CON_FAIL;
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)host_port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
        snprintf(err, errlen, "connect 127.0.0.1:%d: %s", host_port, strerror(errno));
        close(s);
        return CON_FAIL;
    }
    uint8_t req[UDPECHO_MAX_SIZE], buf[UDPECHO_BUF];
    udpecho_payload(req, p->size);
    size_t plen = strlen(UDPECHO_PROBE);
    int rc = CON_OK;
    /* probe: until the guest's network answers */
    double t0 = proc_now(), probe_end = t0 + probe_timeout_s;
    bool up = false;
    while (!up && proc_now() < probe_end) {
        if (send(s, UDPECHO_PROBE, plen, 0) < 0 && errno != ECONNREFUSED) {
            snprintf(err, errlen, "send to 127.0.0.1:%d: %s", host_port, strerror(errno));
            close(s);
            return CON_FAIL;
        }
        double until = proc_now() + UDPECHO_PROBE_EVERY_S;
        if (until > probe_end) until = probe_end;
        ssize_t n;
        int r;
        while ((r = recv_until(s, buf, sizeof buf, &n, until)) == 1) {
            if ((size_t)n == plen && memcmp(buf, UDPECHO_PROBE, plen) == 0) {
                up = true;
                break;
            }
        }
        if (r < 0) {
            snprintf(err, errlen, proc_interrupted ? "interrupted" : "recv: %s", strerror(errno));
            close(s);
            return proc_interrupted ? CON_INTR : CON_FAIL;
        }
    }
    o->probe_wait_s = proc_now() - t0;
    if (!up) {
        snprintf(err, errlen, "no answer from target within %.0f s: no UDP echo on guest port %u through "
                 "127.0.0.1:%d (the target's network is not up?)", probe_timeout_s, p->port, host_port);
        target_note(t, "%s", err);
        close(s);
        return CON_FAIL;
    }
    target_note(t, "udp-echo: target answers after %.3f s; %llu requests of %u bytes", o->probe_wait_s,
                (unsigned long long)p->n, p->size);
    double first = proc_now(), last = first;
    for (uint64_t i = 0; i < p->n && rc == CON_OK; i++) {
        if (p->gap_us) usleep(p->gap_us);
        double ts = proc_now();
        if (send(s, req, p->size, 0) != (ssize_t)p->size) {
            snprintf(err, errlen, "send request %llu: %s", (unsigned long long)i + 1, strerror(errno));
            rc = CON_FAIL;
            break;
        }
        o->sent++;
        double deadline = ts + p->timeout_ms / 1000.0;
        for (;;) {
            ssize_t n;
            int r = recv_until(s, buf, sizeof buf, &n, deadline);
            double tr = proc_now();
            if (r < 0) {
                snprintf(err, errlen, proc_interrupted ? "interrupted" : "recv: %s", strerror(errno));
                rc = proc_interrupted ? CON_INTR : CON_FAIL;
                break;
            }
            if (r == 0) {
                o->timeouts++;
                snprintf(err, errlen, "no answer from target within %.3f s to request %llu of %llu (%u bytes)",
                         p->timeout_ms / 1000.0, (unsigned long long)i + 1, (unsigned long long)p->n, p->size);
                rc = CON_FAIL;
                break;
            }
            if ((size_t)n == plen && memcmp(buf, UDPECHO_PROBE, plen) == 0) {
                o->late_probes++;
                continue;
            }
            rtt_us[i] = (tr - ts) * 1e6;
            last = tr;
            o->answered++;
            if ((size_t)n != p->size || memcmp(buf, req, p->size) != 0) {
                o->mismatches++;
                snprintf(err, errlen, "WRONG ANSWER to request %llu: %zd bytes, expected %u bytes of \"Echo1...\"",
                         (unsigned long long)i + 1, n, p->size);
                rc = CON_WRONG;
            }
            break;
        }
    }
    close(s);
    o->total_us = (last - first) * 1e6;
    udpecho_stats(rtt_us, p->n, &o->rtt_min_us, &o->rtt_median_us, &o->rtt_p99_us, &o->rtt_max_us, &o->rtt_mean_us);
    return rc;
}

/* ---- simulator peer ------------------------------------------------------------------- */
int udpecho_write_peer_script(const char *path, const udpecho_params_t *p, unsigned arp_s)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    /* ARP every 10 ms of simulated time until the firmware's network answers */
    fprintf(f, "# skbench udp-echo: %llu x %u bytes to 10.0.2.15:%u\n", (unsigned long long)p->n, p->size, p->port);
    /* dhcp: a firmware that configures itself by DHCP gets 10.0.2.15 from the peer, as
     * from QEMU's user network */
    fprintf(f, "ip 10.0.2.2\ntarget 10.0.2.15\nport 40000\nstart 0\narp 10000 %u\ntimeout %u\ngap %u\ndhcp\n",
            arp_s ? arp_s * 100u : 1u, p->timeout_ms * 1000u, p->gap_us);
    fprintf(f, "udp %llu %u size=%u\nstop\n", (unsigned long long)p->n, p->port, p->size);
    return fclose(f);
}

static double jnum(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

int udpecho_read_peer_report(const char *path, const udpecho_params_t *p, double *rtt_us, udpecho_outcome_t *o,
                             char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    for (uint64_t i = 0; i < p->n; i++) rtt_us[i] = NAN;
    char *txt = sk_slurp(path);
    if (!txt || !txt[0]) {
        free(txt);
        snprintf(err, errlen, "the simulator wrote no peer report (%s)", path);
        return CON_FAIL;
    }
    cJSON *r = cJSON_Parse(txt);
    free(txt);
    if (!r || !cJSON_IsObject(r) || jnum(r, "eth_peer") != 1) {
        cJSON_Delete(r);
        snprintf(err, errlen, "malformed peer report %s", path);
        return CON_FAIL;
    }
    double hz = jnum(r, "cpu_hz");
    const cJSON *rtts = cJSON_GetObjectItemCaseSensitive(r, "rtts");
    bool done = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "done"));
    bool arp = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "arp_resolved"));
    if (!(hz > 0) || !cJSON_IsArray(rtts) || (uint64_t)cJSON_GetArraySize(rtts) != p->n ||
        (uint64_t)jnum(r, "requests") != p->n) {
        cJSON_Delete(r);
        snprintf(err, errlen, "peer report %s does not match the script (%llu requests)", path,
                 (unsigned long long)p->n);
        return CON_FAIL;
    }
    o->sent = (uint64_t)jnum(r, "sent");
    o->answered = (uint64_t)jnum(r, "answered");
    o->mismatches = (uint64_t)jnum(r, "mismatches");
    o->timeouts = (uint64_t)jnum(r, "timeouts");
    uint64_t first = (uint64_t)jnum(r, "first_request_cycle"), end = (uint64_t)jnum(r, "end_cycle");
    o->total_cycles = end > first ? end - first : 0;
    o->total_us = (double)o->total_cycles * 1e6 / hz;
    const cJSON *rc = cJSON_GetObjectItemCaseSensitive(r, "rtt_cycles");
    o->rtt_median_cycles = (uint64_t)jnum(rc, "median");
    o->rtt_p99_cycles = (uint64_t)jnum(rc, "p99");
    o->rtt_max_cycles = (uint64_t)jnum(rc, "max");
    uint64_t i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, rtts)
    {
        if (cJSON_IsNumber(v)) rtt_us[i] = v->valuedouble * 1e6 / hz;
        i++;
    }
    cJSON_Delete(r);
    udpecho_stats(rtt_us, p->n, &o->rtt_min_us, &o->rtt_median_us, &o->rtt_p99_us, &o->rtt_max_us, &o->rtt_mean_us);
    if (!done) {
        snprintf(err, errlen, "the simulator's peer did not finish its %llu requests (sent %llu, answered %llu): "
                 "the simulation ended first", (unsigned long long)p->n, (unsigned long long)o->sent,
                 (unsigned long long)o->answered);
        return CON_FAIL;
    }
    if (!arp) {
        snprintf(err, errlen, "no answer from target: the simulator's peer got no ARP reply from 10.0.2.15 "
                 "(no NIC model on the board's --eth link, or the firmware's network is not up)");
        return CON_FAIL;
    }
    if (o->mismatches) {
        snprintf(err, errlen, "WRONG ANSWER: %llu of %llu echo answers differ from the request",
                 (unsigned long long)o->mismatches, (unsigned long long)o->answered);
        return CON_WRONG;
    }
    if (o->timeouts || o->answered != p->n) {
        snprintf(err, errlen, "no answer from target within %.3f s (simulated) to %llu of %llu requests",
                 p->timeout_ms / 1000.0, (unsigned long long)(p->n - o->answered), (unsigned long long)p->n);
        return CON_FAIL;
    }
    return CON_OK;
}

/* ---- results ---------------------------------------------------------------------------- */
static void extra(sk_sample_t *s, const char *k, double v)
{
    if (s->nextra >= SK_MAX_EXTRA) return;
    snprintf(s->extra_key[s->nextra], sizeof s->extra_key[0], "%s", k);
    s->extra_val[s->nextra++] = v;
}

void udpecho_fill_sample(sk_sample_t *s, const udpecho_params_t *p, const udpecho_outcome_t *o, bool sim)
{
    memset(s, 0, sizeof *s);
    s->n = p->n;
    s->exec_us = o->total_us;
    s->cpu_us = o->total_us;
    s->cycles = o->total_cycles;
    snprintf(s->digest, sizeof s->digest, "-");
    s->ok = o->answered == p->n && o->mismatches == 0 && o->timeouts == 0;
    extra(s, "size", p->size);
    extra(s, "requests", (double)p->n);
    extra(s, "answered", (double)o->answered);
    extra(s, "mismatches", (double)o->mismatches);
    extra(s, "timeouts", (double)o->timeouts);
    extra(s, "rtt_min_us", o->rtt_min_us);
    extra(s, "rtt_median_us", o->rtt_median_us);
    extra(s, "rtt_p99_us", o->rtt_p99_us);
    extra(s, "rtt_max_us", o->rtt_max_us);
    extra(s, "rtt_mean_us", o->rtt_mean_us);
    extra(s, "total_us", o->total_us);
    if (sim) {
        extra(s, "rtt_median_cycles", (double)o->rtt_median_cycles);
        extra(s, "rtt_p99_cycles", (double)o->rtt_p99_cycles);
        extra(s, "rtt_max_cycles", (double)o->rtt_max_cycles);
    } else {
        extra(s, "late_probes", (double)o->late_probes);
        extra(s, "probe_wait_s", o->probe_wait_s);
    }
}

int udpecho_write_rtts(const char *path, const double *rtt_us, uint64_t n)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "# rtt_us per request, in order (- = no answer)\n");
    for (uint64_t i = 0; i < n; i++) {
        if (isnan(rtt_us[i])) fputs("-\n", f);
        else fprintf(f, "%.3f\n", rtt_us[i]);
    }
    return fclose(f);
}
