/* skbench: runs scenarios on sim | qemu | linux, checks every answer, writes results.json
 * (Google Benchmark schema), samples.csv, traces/ and plots/. See harness/README.md.
 * Exit status: 0 ok, 1 run failed / regression, 2 usage error, 128+sig interrupted. */
#include "compare.h"
#include "console.h"
#include "offload.h"
#include "plot.h"
#include "radio.h"
#include "results.h"
#include "scenario.h"
#include "target.h"
#include "udpecho.h"
#include <math.h>
#include <sys/wait.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef SKB_SCENARIO_DIR
#define SKB_SCENARIO_DIR "scenarios"
#endif
#ifndef SKB_PLOTS_DIR
#define SKB_PLOTS_DIR "plots"
#endif
#ifndef SKB_SHARED_DIR
#define SKB_SHARED_DIR "../shared"
#endif
#ifndef SKB_SIM
#define SKB_SIM "bcm2835-sim"
#endif
#ifndef SKB_KERNEL
#define SKB_KERNEL "build/target/kernel.img"
#endif
#ifndef SKB_MD5_SKP
#define SKB_MD5_SKP "build/payloads/md5.skp"
#endif
#ifndef SKB_LINUX_BOOT
#define SKB_LINUX_BOOT "harness/linux/boot-qemu"
#endif

enum { EXIT_RUNFAIL = 1, EXIT_USAGE = 2 };

static const char *envor(const char *env, const char *def)
{
    const char *v = getenv(env);
    return v && *v ? v : def;
}

static void usage(FILE *o)
{
    fprintf(o,
            "usage: skbench run SCENARIO [--target sim|qemu|linux[,...]] [--out DIR] [--set key=value ...]\n"
            "                   [--reps R] [--quiet] [--no-plot] [--timeout S] [--icount]\n"
            "                   [--kernel IMG] [--sim PATH] [--qemu PATH] [--linux-boot PATH]\n"
            "       skbench compare OLD.json NEW.json [--threshold PCT]   (default 5%%; exit 1 on regression)\n"
            "       skbench plot DIR                                      (DIR/plots/fig{4,5,6}.{png,svg})\n"
            "       skbench list                                          (scenarios and their parameters)\n"
            "SCENARIO is a name in %s (env SK_SCENARIO_DIR) or a path to a .scn file.\n"
            "--set n=1,10,1000 sweeps a numeric parameter; text values are never split.\n"
            "Env: SK_SIM, SK_KERNEL_IMG, SK_QEMU, SK_LINUX_BOOT, SK_SHARED_DIR, SK_PLOTS_DIR.\n",
            envor("SK_SCENARIO_DIR", SKB_SCENARIO_DIR));
}

static int mkdirs(const char *path)
{
    char tmp[1200];
    if (strlen(path) >= sizeof tmp) { errno = ENAMETOOLONG; return -1; }
    memcpy(tmp, path, strlen(path) + 1);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int resolve_scenario(const char *arg, char *path, size_t len)
{
    struct stat st;
    if (strchr(arg, '/') || strstr(arg, ".scn")) snprintf(path, len, "%s", arg);
    else snprintf(path, len, "%s/%s.scn", envor("SK_SCENARIO_DIR", SKB_SCENARIO_DIR), arg);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? 0 : -1;
}

static const char *ref_dir(char *buf, size_t len)
{
    snprintf(buf, len, "%s/reference/jonos-data", envor("SK_SHARED_DIR", SKB_SHARED_DIR));
    return buf;
}

/* ---- progress (stderr, only on a terminal and without --quiet) ---- */
typedef struct {
    bool on;
    double t0, work_total, work_done;
    size_t samples_total, samples_done;
} progress_t;

static void progress(progress_t *p, const char *target, const char *point, unsigned rep, unsigned reps)
{
    if (!p->on) return;
    double el = proc_now() - p->t0;
    char eta[32] = "?";
    if (p->work_done > 0) snprintf(eta, sizeof eta, "%.0fs", el / p->work_done * (p->work_total - p->work_done));
    fprintf(stderr, "\r\033[K[%s] %s rep %u/%u | %zu/%zu samples | %.0fs elapsed, ETA %s", target, point, rep, reps,
            p->samples_done, p->samples_total, el, eta);
    fflush(stderr);
}

static double point_weight(const scn_point_t *pt)
{
    const char *n = scn_point_get(pt, "n");
    if (!n) n = scn_point_get(pt, "telegrams");
    return (n ? strtod(n, NULL) : 1.0) + 100.0; /* + fixed per-command cost */
}

typedef struct {
    const char *targets, *out, *kernel, *sim, *qemu, *linux_boot;
    bool quiet, no_plot, icount;
    double timeout;
} run_opts_t;

static uint32_t pt_u32(const scn_point_t *pt, const char *k)
{
    const char *v = scn_point_get(pt, k);
    return v ? (uint32_t)strtoul(v, NULL, 10) : 0;
}

/* radio: one target run per sample (the modem script is per point). sim: the simulator's
 * modem model on the port's UART; linux: QEMU raspi0 booted by boot-qemu --radio, skbench
 * writes the telegrams to ttyAMA0 (port uart0 only: QEMU's mini UART below ~98 kBd hangs
 * Linux, target/linux/skesp3.c), latency in host wall time (radio.c, host modem). */
static int run_radio(const scenario_t *s, const sk_target_cfg_t *cfg0, sk_results_t *res, progress_t *pg,
                     double timeout, char *err, size_t errlen)
{
    int rc = CON_OK;
    uint64_t hz = strcmp(s->board, "pi0") == 0 ? 1000000000ull : 700000000ull;
    size_t np = scn_npoints(s);
    for (size_t i = 0; i < np && rc == CON_OK; i++) {
        scn_point_t pt;
        scn_point(s, i, &pt);
        char pname[160];
        scn_point_name(s, &pt, pname, sizeof pname);
        radio_params_t p = {.telegrams = strtoull(scn_point_get(&pt, "telegrams"), NULL, 10),
                            .baud = pt_u32(&pt, "baud"), .burst = pt_u32(&pt, "burst"), .gap_us = pt_u32(&pt, "gap_us"),
                            .md5 = pt_u32(&pt, "md5"), .storm = pt_u32(&pt, "storm"), .console_baud = pt_u32(&pt, "console_baud"), .text = scn_point_get(&pt, "text"),
                            .probe_symbol = scn_point_get(&pt, "probe_symbol"), .port = scn_point_get(&pt, "port")};
        int uart = radio_port_uart(p.port);
        bool lnx = strcmp(cfg0->kind, "linux") == 0;
        if (uart < 0) {
            snprintf(err, errlen, "radio: port must be uart0 or uart1, not '%s'", p.port);
            return CON_FAIL;
        }
        if (lnx && uart != 0) {
            snprintf(err, errlen, "radio on linux: set port=uart0 (ttyAMA0; the console moves to ttyS1)");
            return CON_FAIL;
        }
        if (p.probe_symbol && !strcmp(p.probe_symbol, "auto"))
            p.probe_symbol = uart == 0 ? "eno_pl011_isr" : "eno_isr";
        char probe[160] = "";
        if (p.probe_symbol && p.probe_symbol[0] && strcmp(p.probe_symbol, "none") != 0)
            snprintf(probe, sizeof probe, "%u=%s", radio_port_irq(uart), p.probe_symbol);
        for (unsigned r = 0; r < s->reps && rc == CON_OK; r++) {
            progress(pg, cfg0->kind, pname, r + 1, s->reps);
            char script[1200], report[1200], stats[1200];
            snprintf(script, sizeof script, "%s/modem-%zu-%u.scr", cfg0->trace_dir, i, r);
            snprintf(report, sizeof report, "%s/modem-%zu-%u.jsonl", cfg0->trace_dir, i, r);
            snprintf(stats, sizeof stats, "%s/sim-stats-%zu-%u.json", cfg0->trace_dir, i, r);
            if (radio_write_script(script, &p) != 0) {
                snprintf(err, errlen, "cannot write %.500s: %s", script, strerror(errno));
                return CON_FAIL;
            }
            remove(report);
            sk_target_cfg_t cfg = *cfg0;
            cfg.modem_script = script;
            cfg.modem_report = report;
            cfg.modem_on_uart0 = uart == 0;
            cfg.stats_json = stats;
            cfg.irq_probe = probe[0] ? probe : NULL;
            sk_target_t t;
            char info[256];
            rc = CON_FAIL;
            if (target_start(&t, &cfg, err, errlen) == 0 &&
                (rc = console_ready(&t, cfg.boot_timeout_s, info, sizeof info, err, errlen)) == CON_OK) {
                snprintf(res->target_info, sizeof res->target_info, "%s", info);
                sk_sample_t smp;
                rc = radio_run(&t, &p, report, stats, lnx ? 1000000u : hz, timeout, &smp, err, errlen);
                if (rc == CON_OK) {
                    snprintf(smp.target, sizeof smp.target, "%s", cfg.kind);
                    snprintf(smp.point, sizeof smp.point, "%s", pname);
                    smp.rep = r;
                    res_add(res, &smp);
                    pg->samples_done++;
                    pg->work_done += point_weight(&pt);
                }
            }
            if (rc != CON_OK && t.trace) target_note(&t, "run failed: %s", err);
            target_close(&t);
        }
    }
    return rc;
}

static double sample_extra(const sk_sample_t *s, const char *k)
{
    for (int x = 0; x < s->nextra; x++)
        if (strcmp(s->extra_key[x], k) == 0) return s->extra_val[x];
    return NAN;
}

/* udp-echo summary: one line per sample (total and RTT figures) */
static void udpecho_summary(const sk_results_t *res)
{
    printf("%-44s %4s %12s %12s %12s %12s\n", "benchmark", "rep", "total_us", "rtt_med_us", "rtt_p99_us", "rtt_max_us");
    for (size_t i = 0; i < res->count; i++) {
        const sk_sample_t *x = &res->samples[i];
        char nm[200];
        snprintf(nm, sizeof nm, "%s/target:%s", x->point, x->target);
        printf("%-44s %4u %12.1f %12.3f %12.3f %12.3f\n", nm, x->rep, x->exec_us, sample_extra(x, "rtt_median_us"),
               sample_extra(x, "rtt_p99_us"), sample_extra(x, "rtt_max_us"));
    }
}

/* udp-echo on the simulator: one bcm2835-sim run per sample, its in-process peer
 * (--eth peer:SCRIPT) is the client in simulated time; the run ends when the peer has
 * played its script (exit 8) and the harness reads the peer's report. */
static int udpecho_sim_sample(const sk_target_cfg_t *cfg0, const udpecho_params_t *p, size_t i, unsigned r,
                              double timeout, double *rtt, udpecho_outcome_t *o, sk_results_t *res, char *err,
                              size_t errlen)
{
    char script[1200], report[1200], stats[1200], pcap[1200], spec[1300];
    snprintf(script, sizeof script, "%s/udp-peer-%zu-%u.scr", cfg0->trace_dir, i, r);
    snprintf(report, sizeof report, "%s/udp-peer-%zu-%u.json", cfg0->trace_dir, i, r);
    snprintf(stats, sizeof stats, "%s/sim-stats-%zu-%u.json", cfg0->trace_dir, i, r);
    snprintf(pcap, sizeof pcap, "%s/udp-echo-sim-%zu-%u.pcap", cfg0->trace_dir, i, r);
    /* the firmware has this much simulated time to answer ARP (boot + USB + link up) */
    unsigned arp_s = 5;
    if (udpecho_write_peer_script(script, p, arp_s) != 0) {
        snprintf(err, errlen, "cannot write %.500s: %s", script, strerror(errno));
        return CON_FAIL;
    }
    remove(report);
    snprintf(spec, sizeof spec, "peer:%s", script);
    sk_target_cfg_t cfg = *cfg0;
    /* the image that starts its network at boot (target/CMakeLists.txt kernel-net.img):
     * env SK_KERNEL_NET_IMG, else kernel-net.img beside kernel.img, else the kernel given */
    char netimg[1200];
    const char *env = getenv("SK_KERNEL_NET_IMG");
    const char *slash = strrchr(cfg0->kernel, '/');
    size_t dirlen = slash ? (size_t)(slash - cfg0->kernel + 1) : 0;
    if (env && *env) {
        cfg.kernel = env;
    } else if (strcmp(cfg0->kernel + dirlen, "kernel.img") == 0 && dirlen < 1000) {
        snprintf(netimg, sizeof netimg, "%.*skernel-net.img", (int)dirlen, cfg0->kernel);
        if (access(netimg, R_OK) == 0) cfg.kernel = netimg;
    }
    cfg.eth_spec = spec;
    cfg.eth_report = report;
    cfg.eth_pcap = pcap;
    cfg.stats_json = stats;
    sk_target_t t;
    char line[1024];
    int rc = CON_FAIL;
    /* No console handshake: the peer may finish (and stop the simulator) before a command
     * sent now would even be read (the guest idles, simulated time runs ahead of the
     * host). The console output is drained until the simulator exits; the banner is the
     * target info. */
    if (target_start(&t, &cfg, err, errlen) == 0) {
        rc = CON_OK;
        double deadline = proc_now() + timeout;
        int lr;
        while ((lr = target_read_line(&t, line, sizeof line, deadline, NULL)) == TGT_LINE)
            if (!strncmp(line, "rpi-serverkernel ", 17)) snprintf(res->target_info, sizeof res->target_info, "%.250s", line);
        if (lr == TGT_TIMEOUT) {
            snprintf(err, errlen, "the simulator did not finish the peer's %llu requests within %.0f s (host)",
                     (unsigned long long)p->n, timeout);
            rc = CON_FAIL;
        } else if (lr == TGT_INTR) {
            snprintf(err, errlen, "interrupted");
            rc = CON_INTR;
        } else {
            proc_wait(&t.proc, 10);
            rc = udpecho_read_peer_report(report, p, rtt, o, err, errlen);
            if (rc == CON_OK && !(t.proc.exited && WIFEXITED(t.proc.status) && WEXITSTATUS(t.proc.status) == 8)) {
                char why[400];
                target_why(&t, why, sizeof why);
                snprintf(err, errlen, "the simulator did not stop on the peer's request (%s)", why);
                rc = CON_FAIL;
            }
        }
    }
    if (rc != CON_OK && t.trace) target_note(&t, "run failed: %s", err);
    target_close(&t);
    return rc;
}

/* udp-echo: sim (peer in simulated time) or qemu/linux (skbench is the UDP client through
 * QEMU's hostfwd; one boot for all points and repetitions, one pcap of the whole run). */
static int run_udpecho(const scenario_t *s, const sk_target_cfg_t *cfg0, sk_results_t *res, progress_t *pg,
                       double timeout, char *err, size_t errlen)
{
    size_t np = scn_npoints(s);
    scn_point_t pt;
    scn_point(s, 0, &pt);
    uint32_t port = pt_u32(&pt, "port");
    const char *client = scn_point_get(&pt, "sim_client");
    if (client && strcmp(client, "peer") && strcmp(client, "slirp")) {
        snprintf(err, errlen, "udp-echo: sim_client '%s' (peer or slirp)", client);
        return CON_FAIL;
    }
    /* sim: true = one simulator run per sample with its peer as the client; otherwise one
     * target for the whole run and skbench as the UDP client (qemu, linux, sim + slirp) */
    bool sim = strcmp(cfg0->kind, "sim") == 0 && !(client && strcmp(client, "slirp") == 0);
    for (size_t i = 1; i < np; i++) {
        scn_point(s, i, &pt);
        if (pt_u32(&pt, "port") != port) {
            snprintf(err, errlen, "udp-echo: one guest port per run (a sweep of port is not supported)");
            return CON_FAIL;
        }
    }
    sk_target_t t;
    sk_target_cfg_t cfg = *cfg0;
    char pcap[1200];
    int rc = CON_OK;
    if (!sim) {
        snprintf(pcap, sizeof pcap, "%s/udp-echo-%s.pcap", cfg0->trace_dir, cfg0->kind);
        cfg.udp_guest_port = port;
        cfg.eth_pcap = pcap;
        char info[256];
        rc = CON_FAIL;
        if (target_start(&t, &cfg, err, errlen) == 0) rc = console_ready(&t, cfg.boot_timeout_s, info, sizeof info, err, errlen);
        if (rc == CON_OK && t.udp_port <= 0) {
            snprintf(err, errlen, "the %s target did not report its forwarded UDP port", cfg0->kind);
            rc = CON_FAIL;
        }
        /* the firmware's network starts on request (main.c "net start": USB NIC + stack) */
        if (rc == CON_OK && strcmp(cfg0->kind, "qemu") == 0) {
            char up[256];
            rc = console_net_start(&t, cfg.boot_timeout_s, up, sizeof up, err, errlen);
            if (rc == CON_OK && t.trace) target_note(&t, "%s", up);
        }
        if (rc != CON_OK) {
            if (t.trace) target_note(&t, "run failed: %s", err);
            target_close(&t);
            return rc;
        }
        snprintf(res->target_info, sizeof res->target_info, "%s", info);
    }
    bool first = true;
    for (size_t i = 0; i < np && rc == CON_OK; i++) {
        scn_point(s, i, &pt);
        char pname[160];
        scn_point_name(s, &pt, pname, sizeof pname);
        udpecho_params_t p = {.n = strtoull(scn_point_get(&pt, "n"), NULL, 10), .size = pt_u32(&pt, "size"),
                              .port = port, .timeout_ms = pt_u32(&pt, "timeout_ms"), .gap_us = pt_u32(&pt, "gap_us")};
        double *rtt = malloc(p.n * sizeof *rtt);
        if (!rtt) {
            snprintf(err, errlen, "out of memory");
            rc = CON_FAIL;
            break;
        }
        for (unsigned r = 0; r < s->reps && rc == CON_OK; r++) {
            progress(pg, cfg0->kind, pname, r + 1, s->reps);
            udpecho_outcome_t o;
            if (sim) {
                rc = udpecho_sim_sample(cfg0, &p, i, r, timeout, rtt, &o, res, err, errlen);
            } else {
                /* the first probe waits for the guest's network after boot */
                rc = udpecho_host_run(&t, t.udp_port, &p, first ? cfg.boot_timeout_s : 10.0, rtt, &o, err, errlen);
                first = false;
            }
            char rp[1300];
            snprintf(rp, sizeof rp, "%s/udp-rtt-%s-%zu-%u.txt", cfg0->trace_dir, cfg0->kind, i, r);
            if (o.sent) udpecho_write_rtts(rp, rtt, p.n);
            if (rc != CON_OK) break;
            sk_sample_t smp;
            udpecho_fill_sample(&smp, &p, &o, sim);
            snprintf(smp.target, sizeof smp.target, "%s", cfg0->kind);
            snprintf(smp.point, sizeof smp.point, "%s", pname);
            smp.rep = r;
            res_add(res, &smp);
            pg->samples_done++;
            pg->work_done += point_weight(&pt);
        }
        free(rtt);
    }
    if (!sim) {
        if (rc == CON_OK && console_halt(&t, 10) != CON_OK) target_note(&t, "target did not exit after halt; killing it");
        if (rc != CON_OK && t.trace) target_note(&t, "run failed: %s", err);
        target_close(&t);
    }
    return rc;
}

/* Runs the scenario on one target; appends samples. 0 ok, else a CON_* code. */
static int run_target(const scenario_t *s, const sk_target_cfg_t *cfg, sk_results_t *res, progress_t *pg,
                      double timeout, char *err, size_t errlen)
{
    if (strcmp(s->workload, "radio") == 0) return run_radio(s, cfg, res, pg, timeout, err, errlen);
    if (strcmp(s->workload, "udp-echo") == 0) return run_udpecho(s, cfg, res, pg, timeout, err, errlen);
    sk_target_t t;
    int rc = CON_FAIL;
    if (target_start(&t, cfg, err, errlen) != 0) goto out;
    char info[256];
    rc = console_ready(&t, cfg->boot_timeout_s, info, sizeof info, err, errlen);
    if (rc != CON_OK) goto out;
    snprintf(res->target_info, sizeof res->target_info, "%s", info);
    size_t np = scn_npoints(s);
    /* md5 path (scenario key `path`, one value for the whole run): the console command or
     * the offloaded payload (harness/offload.h), uploaded once; its upload time is kept as
     * the extra counter upload_us of every sample */
    scn_point_t pt0;
    scn_point(s, 0, &pt0);
    const char *path = scn_point_get(&pt0, "path"), *mode = scn_point_get(&pt0, "mode");
    bool offload = path && strcmp(path, "offload") == 0, trusted = mode && strcmp(mode, "trusted") == 0;
    double upload_us = 0;
    if (path && !offload && strcmp(path, "console") != 0) {
        snprintf(err, errlen, "md5: unknown path '%s' (console or offload)", path);
        rc = CON_FAIL;
        goto out;
    }
    if (mode && strcmp(mode, "shielded") != 0 && !trusted) {
        snprintf(err, errlen, "md5: unknown mode '%s' (shielded or trusted)", mode);
        rc = CON_FAIL;
        goto out;
    }
    if (offload && strcmp(cfg->kind, "linux") == 0) {
        snprintf(err, errlen, "md5 path=offload needs the serverkernel firmware (targets sim, qemu)");
        rc = CON_FAIL;
        goto out;
    }
    if (offload) {
        const char *skp = envor("SK_MD5_SKP", SKB_MD5_SKP);
        rc = offload_upload(&t, skp, timeout, &upload_us, err, errlen);
        if (rc != CON_OK) goto out;
        target_note(&t, "offload: %s uploaded in %.0f us, runs %s", skp, upload_us, trusted ? "trusted" : "shielded");
    }
    for (size_t i = 0; i < np && rc == CON_OK; i++) {
        scn_point_t pt;
        scn_point(s, i, &pt);
        char pname[160];
        scn_point_name(s, &pt, pname, sizeof pname);
        const char *nv = scn_point_get(&pt, "n"), *text = scn_point_get(&pt, "text");
        for (unsigned r = 0; r < s->reps; r++) {
            progress(pg, cfg->kind, pname, r + 1, s->reps);
            sk_sample_t smp;
            if (offload) {
                rc = offload_md5(&t, (uint32_t)strtoul(nv, NULL, 10), text, trusted, timeout, &smp, err, errlen);
                if (rc == CON_FAIL && strcmp(cfg->kind, "qemu") == 0 && strstr(err, "no result")) {
                    size_t el = strlen(err);
                    snprintf(err + el, errlen - el, " (QEMU resets at once when the executive arms the PM "
                             "watchdog: use an image built with -DSK_EXEC_WDOG=OFF, e.g. --kernel "
                             "build/target-testcmds/kernel.img)");
                }
                if (rc == CON_OK) {
                    smp.nextra = 1;
                    snprintf(smp.extra_key[0], sizeof smp.extra_key[0], "upload_us");
                    smp.extra_val[0] = upload_us;
                }
            } else {
                rc = console_md5(&t, (uint32_t)strtoul(nv, NULL, 10), text, timeout, &smp, err, errlen);
            }
            if (rc != CON_OK) break;
            snprintf(smp.target, sizeof smp.target, "%s", cfg->kind);
            snprintf(smp.point, sizeof smp.point, "%s", pname);
            smp.rep = r;
            res_add(res, &smp);
            pg->samples_done++;
            pg->work_done += point_weight(&pt);
        }
    }
    if (rc == CON_OK && console_halt(&t, 10) != CON_OK) target_note(&t, "target did not exit after halt; killing it");
out:
    if (rc != CON_OK && t.trace) target_note(&t, "run failed: %s", err);
    target_close(&t);
    return rc;
}

static int cmd_run(int argc, char **argv)
{
    static const struct option lo[] = {
        {"target", 1, 0, 't'}, {"out", 1, 0, 'o'}, {"set", 1, 0, 's'}, {"reps", 1, 0, 'r'},
        {"quiet", 0, 0, 'q'}, {"no-plot", 0, 0, 'P'}, {"timeout", 1, 0, 'T'}, {"kernel", 1, 0, 'k'},
        {"sim", 1, 0, 'S'}, {"qemu", 1, 0, 'Q'}, {"linux-boot", 1, 0, 'L'}, {"icount", 0, 0, 'I'},
        {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    run_opts_t o = {.targets = "sim", .kernel = envor("SK_KERNEL_IMG", SKB_KERNEL), .sim = envor("SK_SIM", SKB_SIM),
                    .qemu = envor("SK_QEMU", "qemu-system-arm"), .linux_boot = envor("SK_LINUX_BOOT", SKB_LINUX_BOOT)};
    const char *sets[64];
    int nsets = 0;
    const char *reps = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "t:o:s:r:qh", lo, NULL)) != -1) {
        switch (c) {
        case 't': o.targets = optarg; break;
        case 'o': o.out = optarg; break;
        case 's':
            if (nsets == 64) { fprintf(stderr, "skbench: too many --set\n"); return EXIT_USAGE; }
            sets[nsets++] = optarg;
            break;
        case 'r': reps = optarg; break;
        case 'q': o.quiet = true; break;
        case 'P': o.no_plot = true; break;
        case 'T': {
            char *e;
            o.timeout = strtod(optarg, &e);
            if (*e || !(o.timeout > 0)) { fprintf(stderr, "skbench: bad --timeout '%s'\n", optarg); return EXIT_USAGE; }
            break;
        }
        case 'k': o.kernel = optarg; break;
        case 'S': o.sim = optarg; break;
        case 'Q': o.qemu = optarg; break;
        case 'L': o.linux_boot = optarg; break;
        case 'I': o.icount = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "skbench run: expected exactly one SCENARIO\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    char path[1024], err[1024];
    if (resolve_scenario(argv[optind], path, sizeof path) != 0) {
        fprintf(stderr, "skbench run: no scenario '%s' (%s not found; see skbench list)\n", argv[optind], path);
        return EXIT_USAGE;
    }
    scenario_t *s = malloc(sizeof *s);
    if (!s) return EXIT_RUNFAIL;
    if (scn_parse_file(path, s, err, sizeof err) != 0) {
        fprintf(stderr, "skbench run: %s\n", err);
        free(s);
        return EXIT_USAGE;
    }
    for (int i = 0; i < nsets; i++)
        if (scn_set(s, sets[i], err, sizeof err) != 0) {
            fprintf(stderr, "skbench run: %s\n", err);
            free(s);
            return EXIT_USAGE;
        }
    if (reps) {
        char kv[64];
        snprintf(kv, sizeof kv, "reps=%s", reps);
        if (scn_set(s, kv, err, sizeof err) != 0) {
            fprintf(stderr, "skbench run: --reps: %s\n", err);
            free(s);
            return EXIT_USAGE;
        }
    }
    /* validate the target list before starting anything */
    char tlist[64];
    snprintf(tlist, sizeof tlist, "%s", o.targets);
    const char *tv[3];
    int nt = 0;
    for (char *sv = NULL, *tok = strtok_r(tlist, ",", &sv); tok; tok = strtok_r(NULL, ",", &sv)) {
        if (strcmp(tok, "sim") && strcmp(tok, "qemu") && strcmp(tok, "linux")) {
            fprintf(stderr, "skbench run: unknown target '%s' (sim, qemu or linux)\n", tok);
            free(s);
            return EXIT_USAGE;
        }
        if (nt == 3) { fprintf(stderr, "skbench run: too many targets\n"); free(s); return EXIT_USAGE; }
        tv[nt++] = tok;
    }
    if (nt == 0) { fprintf(stderr, "skbench run: empty --target\n"); free(s); return EXIT_USAGE; }
    for (int i = 0; i < nt; i++)
        if (strcmp(s->workload, "radio") == 0 && strcmp(tv[i], "sim") != 0 && strcmp(tv[i], "linux") != 0) {
            fprintf(stderr, "skbench run: workload radio runs on targets sim (the simulator's modem model) and "
                            "linux (skbench feeds ttyAMA0 on QEMU), not '%s'\n", tv[i]);
            free(s);
            return EXIT_USAGE;
        }
    for (int i = 0; i < nt; i++)
        if (strcmp(tv[i], "linux") != 0 && access(o.kernel, R_OK) != 0) {
            fprintf(stderr, "skbench run: kernel image %s not readable (--kernel or SK_KERNEL_IMG)\n", o.kernel);
            free(s);
            return EXIT_USAGE;
        }

    char outdir[1024], stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    if (o.out) snprintf(outdir, sizeof outdir, "%s", o.out);
    else snprintf(outdir, sizeof outdir, "results/%s-%s-%s", s->name, o.targets, stamp);
    char traces[1100];
    snprintf(traces, sizeof traces, "%s/traces", outdir);
    if (mkdirs(traces) != 0) {
        fprintf(stderr, "skbench run: cannot create %s: %s\n", traces, strerror(errno));
        free(s);
        return EXIT_RUNFAIL;
    }
    /* the effective scenario, for the record */
    {
        char p2[1100];
        snprintf(p2, sizeof p2, "%s/scenario.txt", outdir);
        FILE *f = fopen(p2, "w");
        if (f) {
            fprintf(f, "# effective scenario (from %s)\nname = %s\nworkload = %s\nboard = %s\nreps = %u\n", s->path,
                    s->name, s->workload, s->board, s->reps);
            for (int i = 0; i < s->nparams; i++) {
                fprintf(f, "%s%s = ", s->params[i].nvalues > 1 ? "sweep " : "", s->params[i].key);
                for (int v = 0; v < s->params[i].nvalues; v++)
                    fprintf(f, "%s\"%s\"", v ? ", " : "", s->params[i].values[v]);
                fputc('\n', f);
            }
            fclose(f);
        }
    }

    sk_results_t res;
    res_init(&res);
    snprintf(res.scenario, sizeof res.scenario, "%s", s->name);
    snprintf(res.workload, sizeof res.workload, "%s", s->workload);
    snprintf(res.targets, sizeof res.targets, "%s", o.targets);
    snprintf(res.board, sizeof res.board, "%s", s->board);
    snprintf(res.kernel, sizeof res.kernel, "%s", o.kernel);
    if (!realpath("/proc/self/exe", res.executable)) snprintf(res.executable, sizeof res.executable, "%s", argv[0]);
    res.reps = s->reps;

    progress_t pg = {.on = !o.quiet && isatty(2), .t0 = proc_now()};
    size_t np = scn_npoints(s);
    for (size_t i = 0; i < np; i++) {
        scn_point_t pt;
        scn_point(s, i, &pt);
        pg.work_total += point_weight(&pt) * s->reps * nt;
    }
    pg.samples_total = np * s->reps * (size_t)nt;

    int rc = CON_OK;
    err[0] = '\0';
    for (int i = 0; i < nt && rc == CON_OK; i++) {
        sk_target_cfg_t cfg = {.kind = tv[i], .board = s->board, .kernel = o.kernel, .sim_path = o.sim,
                               .qemu_path = o.qemu, .linux_boot = o.linux_boot, .trace_dir = traces,
                               .boot_timeout_s = s->boot_timeout_s, .icount = o.icount};
        if (!o.quiet) fprintf(stderr, "skbench: %s on %s: %zu point(s) x %u rep(s)\n", s->name, tv[i], np, s->reps);
        rc = run_target(s, &cfg, &res, &pg, o.timeout > 0 ? o.timeout : s->timeout_s, err, sizeof err);
    }
    if (pg.on) fputs("\r\033[K", stderr);
    if (rc != CON_OK) {
        res.complete = false;
        snprintf(res.error, sizeof res.error, "%s", err);
        fprintf(stderr, "skbench run: FAILED: %s\n", err);
        fprintf(stderr, "skbench run: partial results (%zu sample(s)) kept in %s (context.sk_complete = false)\n",
                res.count, outdir);
    }
    char p[1100];
    snprintf(p, sizeof p, "%s/results.json", outdir);
    if (res_write_json(&res, p) != 0) { fprintf(stderr, "skbench run: cannot write %s\n", p); rc = CON_FAIL; }
    snprintf(p, sizeof p, "%s/samples.csv", outdir);
    if (res_write_csv(&res, p) != 0) { fprintf(stderr, "skbench run: cannot write %s\n", p); rc = CON_FAIL; }
    if (!o.no_plot && res.count > 0 && !proc_interrupted) {
        char rd[1024];
        plot_dir(outdir, envor("SK_PLOTS_DIR", SKB_PLOTS_DIR), ref_dir(rd, sizeof rd), o.quiet);
    }
    if (!o.quiet && rc == CON_OK) {
        /* summary: one line per point (mean over reps) */
        if (strcmp(s->workload, "udp-echo") == 0) udpecho_summary(&res);
        else printf("%-36s %8s %14s %14s %14s\n", "benchmark", "samples", "cpu_us", "exec_us", "cycles");
        for (size_t i = 0; strcmp(s->workload, "udp-echo") != 0 && i < res.count;) {
            size_t j = i;
            double cpu = 0, ex = 0, cy = 0;
            while (j < res.count && strcmp(res.samples[j].point, res.samples[i].point) == 0 &&
                   strcmp(res.samples[j].target, res.samples[i].target) == 0) {
                cpu += res.samples[j].cpu_us;
                ex += res.samples[j].exec_us;
                cy += (double)res.samples[j].cycles;
                j++;
            }
            double k = (double)(j - i);
            char nm[200];
            snprintf(nm, sizeof nm, "%s/target:%s", res.samples[i].point, res.samples[i].target);
            printf("%-36s %8zu %14.1f %14.1f %14.0f\n", nm, j - i, cpu / k, ex / k, cy / k);
            i = j;
        }
        printf("results: %s/results.json\n", outdir);
    }
    res_free(&res);
    free(s);
    if (proc_interrupted) return 128 + proc_interrupted;
    return rc == CON_OK ? 0 : EXIT_RUNFAIL;
}

static int cmd_compare(int argc, char **argv)
{
    double thr = 5.0;
    const char *files[2];
    int nf = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--threshold") == 0 || strncmp(argv[i], "--threshold=", 12) == 0) {
            const char *v = argv[i][11] == '=' ? argv[i] + 12 : (i + 1 < argc ? argv[++i] : NULL);
            char *e;
            if (!v || (thr = strtod(v, &e), *e) || thr < 0) {
                fprintf(stderr, "skbench compare: bad --threshold '%s' (percent >= 0)\n", v ? v : "");
                return EXIT_USAGE;
            }
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "skbench compare: unknown option %s\n", argv[i]);
            return EXIT_USAGE;
        } else if (nf < 2) files[nf++] = argv[i];
        else { nf = 3; break; }
    }
    if (nf != 2) {
        fprintf(stderr, "usage: skbench compare OLD.json NEW.json [--threshold PCT]\n");
        return EXIT_USAGE;
    }
    int rc = cmp_files(files[0], files[1], thr, stdout);
    return rc == 2 ? EXIT_USAGE : rc;
}

static int cmd_plot(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: skbench plot DIR\n");
        return EXIT_USAGE;
    }
    char rd[1024];
    return plot_dir(argv[1], envor("SK_PLOTS_DIR", SKB_PLOTS_DIR), ref_dir(rd, sizeof rd), false) == 0 ? 0
                                                                                                          : EXIT_RUNFAIL;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmd_list(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) { fprintf(stderr, "usage: skbench list\n"); return EXIT_USAGE; }
    const char *dir = envor("SK_SCENARIO_DIR", SKB_SCENARIO_DIR);
    DIR *d = opendir(dir);
    if (!d) { fprintf(stderr, "skbench list: cannot open %s: %s\n", dir, strerror(errno)); return EXIT_RUNFAIL; }
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".scn") == 0) names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_str);
    int bad = 0;
    scenario_t *s = malloc(sizeof *s);
    for (int i = 0; s && i < n; i++) {
        char path[1024], err[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (scn_parse_file(path, s, err, sizeof err) != 0) {
            printf("%-12s  ERROR %s\n", names[i], err);
            bad = 1;
        } else {
            printf("%-12s  workload %s, board %s, reps %u, %zu point(s) — %s\n", s->name, s->workload, s->board,
                   s->reps, scn_npoints(s), s->description);
            for (int p = 0; p < s->nparams; p++) {
                printf("    %-6s = ", s->params[p].key);
                for (int v = 0; v < s->params[p].nvalues; v++)
                    printf("%s%s", v ? ", " : "", s->params[p].values[v]);
                printf("%s\n", s->params[p].nvalues > 1 ? "   (sweep)" : "");
            }
        }
        free(names[i]);
    }
    free(s);
    printf("parameters: md5: %s\n", scn_workload_params("md5"));
    printf("parameters: radio: %s\n", scn_workload_params("radio"));
    printf("parameters: udp-echo: %s\n", scn_workload_params("udp-echo"));
    return bad ? EXIT_RUNFAIL : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) { usage(stderr); return EXIT_USAGE; }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0) return cmd_compare(argc - 1, argv + 1);
    if (strcmp(cmd, "plot") == 0) return cmd_plot(argc - 1, argv + 1);
    if (strcmp(cmd, "list") == 0) return cmd_list(argc - 1, argv + 1);
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) { usage(stdout); return 0; }
    fprintf(stderr, "skbench: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
