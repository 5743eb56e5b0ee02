/* A fake target for end-to-end tests: speaks the firmware console protocol on stdio
 * (like bcm2835-sim --uart0 stdio) or, when given QEMU's "-serial tcp:H:P,server..."
 * arguments, on a TCP server socket. Behaviour from the environment:
 *   FAKE_MODE   ok | die:K (exit abruptly on the K-th md5) | wrong:K (bad digest on the
 *               K-th md5) | hang:K (never answer the K-th md5) | err:K ("err busy")
 *   With "-- COMMAND..." arguments it acts like harness/linux/boot-qemu's COMMAND mode:
 *   console on a TCP port of its own, COMMAND run with SK_SERIAL_PORT set, exit status =
 *   COMMAND's once the console halted.
 *   FAKE_ECHO   1: echo commands after the prompt, like a terminal
 *   FAKE_CHILD_PIDFILE  fork a sleeping grandchild in our process group, write its pid
 * Cycles are deterministic: cycles = 1000*n + 500, us = cycles / 700 (700 MHz).
 * Radio (like bcm2835-sim --uart1-modem S --modem-report R --stats-json J + the firmware):
 *   `storm HZ`, `eno start BAUD` plays the skbench-generated script S (baud, gap, burst N
 *   rps|4bs id= data= status=), writes R like the modem model and prints one `eno` line per
 *   telegram with cyc = end_cycle + 7000 + 10*k; `eno stats`; J written at halt.
 *   FAKE_MODE radio_drop:K (telegram K not decoded) | radio_wrong:K (K decoded wrongly).
 * udp-echo (like bcm2835-sim --eth peer:S --eth-report R with the peer's `stop`): after
 *   the banner (no command needed), reads `udp N PORT size=Z` from S, writes R like the peer (RTT of request k =
 *   2000 + k cycles, first request at cycle 1000) and exits with 8.
 *   FAKE_MODE udp_wrong:K (answer K differs) | udp_noarp (ARP never answered). */
#include "md5.h"
#include <arpa/inet.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static FILE *in, *out;

static const char *argval(int argc, char **argv, const char *opt)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], opt) == 0) return argv[i + 1];
    return NULL;
}

static uint8_t crc8(const uint8_t *p, size_t n)
{
    uint8_t c = 0;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int b = 0; b < 8; b++) c = (uint8_t)(c & 0x80 ? (c << 1) ^ 7 : c << 1);
    }
    return c;
}

static unsigned radio_lines;

/* plays the generated modem script: report + eno lines */
static void fake_radio(const char *script, const char *report, const char *kind, int at)
{
    FILE *sf = fopen(script, "r"), *rf = fopen(report, "w");
    if (!sf || !rf) { fprintf(out, "err no modem\r\n"); return; }
    fprintf(rf, "{\"enocean_modem\": 1, \"script\": \"%s\", \"cpu_hz\": 700000000, \"baud\": 0, \"seed\": 1, \"start\": \"rx\"}\n", script);
    char line[256];
    unsigned long long now = 1000000, fc = 0, k = 0;
    unsigned long gap = 0;
    while (fgets(line, sizeof line, sf)) {
        unsigned long v, n;
        char kindw[8];
        unsigned id, st;
        char data[16];
        if (sscanf(line, "baud %lu", &v) == 1) fc = (10ull * 700000000ull + v - 1) / v;
        else if (sscanf(line, "gap %lu", &gap) == 1) now += gap * 700ull;
        else if (sscanf(line, "burst %lu %7s id=%x data=%15s status=%x", &n, kindw, &id, data, &st) == 5) {
            for (unsigned long c = 0; c < n; c++, k++) {
                uint8_t f[32] = {0x55, 0, 0, 7, 1};
                size_t dl = 0;
                uint8_t *d = f + 6;
                d[dl++] = strcmp(kindw, "rps") == 0 ? 0xF6 : 0xA5;
                for (size_t i = 0; data[2 * i]; i++) { unsigned b; sscanf(data + 2 * i, "%2x", &b); d[dl++] = (uint8_t)b; }
                unsigned idc = id + (unsigned)c;
                d[dl++] = (uint8_t)(idc >> 24); d[dl++] = (uint8_t)(idc >> 16); d[dl++] = (uint8_t)(idc >> 8); d[dl++] = (uint8_t)idc;
                d[dl++] = (uint8_t)st;
                f[2] = (uint8_t)dl;
                f[5] = crc8(f + 1, 4);
                uint8_t opt[7] = {3, 0xff, 0xff, 0xff, 0xff, 0xff, 0};
                memcpy(d + dl, opt, 7);
                size_t len = 6 + dl + 7;
                f[len] = crc8(d, dl + 7);
                len++;
                unsigned long long end = now + len * fc;
                fprintf(rf, "{\"i\": %llu, \"line\": 1, \"kind\": \"%s\", \"len\": %zu, \"start_cycle\": %llu, \"end_cycle\": %llu, \"valid\": true, \"corrupt\": 0, \"wire_lost\": 0, \"baud_mismatch\": 0, \"hex\": \"", k, kindw, len, now, end);
                for (size_t i = 0; i < len; i++) fprintf(rf, "%02x", f[i]);
                fprintf(rf, "\"}\n");
                now = end;
                if (strcmp(kind, "radio_drop") == 0 && (int)k == at) continue;
                if (strcmp(kind, "radio_wrong") == 0 && (int)k == at) d[1] ^= 1;
                fprintf(out, "eno seq=%u type=erp1 rorg=%02x data=", ++radio_lines, d[0]);
                for (size_t i = 1; i + 5 < dl; i++) fprintf(out, "%02x", d[i]);
                fprintf(out, " id=%08x status=%02x sub=3 dst=ffffffff dbm=-255 sec=0 cyc=%u\r\n", idc, st,
                        (unsigned)(end + 7000 + 10 * k));
            }
        }
    }
    fprintf(rf, "{\"done\": true, \"telegrams\": %llu}\n", k);
    fclose(rf);
    fclose(sf);
}

/* the simulator's eth peer, played instantly */
static void fake_udp_peer(const char *spec, const char *report, const char *kind, int at)
{
    FILE *sf = fopen(spec + 5, "r"), *rf = report ? fopen(report, "w") : NULL;
    if (!sf || !rf) {
        fprintf(stderr, "fake: no peer script or report\n");
        _exit(2);
    }
    char l[256];
    unsigned long n = 0;
    while (fgets(l, sizeof l, sf))
        if (sscanf(l, "udp %lu", &n) == 1) break;
    fclose(sf);
    bool noarp = strcmp(kind, "udp_noarp") == 0;
    unsigned long mism = strcmp(kind, "udp_wrong") == 0 && at >= 1 && (unsigned long)at <= n ? 1 : 0;
    unsigned long long total = 0;
    for (unsigned long k = 0; k < n; k++) total += 2000 + k;
    fprintf(rf, "{\"eth_peer\": 1, \"cpu_hz\": 700000000, \"done\": true, \"arp_resolved\": %s, "
                "\"requests\": %lu, \"sent\": %lu, \"answered\": %lu, \"mismatches\": %lu, \"timeouts\": 0, "
                "\"first_request_cycle\": 1000, \"end_cycle\": %llu, "
                "\"rtt_cycles\": {\"median\": %lu, \"p99\": %lu, \"max\": %lu}, \"rtts\": [",
            noarp ? "false" : "true", n, noarp ? 0 : n, noarp ? 0 : n, mism, 1000 + (noarp ? 0 : total),
            noarp ? 0 : 2000 + (n + 1) / 2 - 1, noarp ? 0 : 2000 + (99 * n + 99) / 100 - 1, noarp ? 0 : 2000 + n - 1);
    for (unsigned long k = 0; k < n; k++) {
        if (noarp) fprintf(rf, "%snull", k ? ", " : "");
        else fprintf(rf, "%s%lu", k ? ", " : "", 2000 + k);
    }
    fprintf(rf, "]}\n");
    fclose(rf);
    _exit(8);
}

static int tcp_port(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "-serial") == 0 && strncmp(argv[i + 1], "tcp:", 4) == 0) {
            const char *p = strchr(argv[i + 1] + 4, ':');
            return p ? atoi(p + 1) : -1;
        }
    return -1;
}

int main(int argc, char **argv)
{
    const char *mode = getenv("FAKE_MODE");
    char kind[16] = "ok";
    int at = 0;
    if (mode) sscanf(mode, "%15[^:]:%d", kind, &at);
    int echo = getenv("FAKE_ECHO") && atoi(getenv("FAKE_ECHO"));
    const char *pidfile = getenv("FAKE_CHILD_PIDFILE");
    if (pidfile) {
        pid_t c = fork();
        if (c == 0) {
            execlp("sleep", "sleep", "300", (char *)NULL);
            _exit(127);
        }
        FILE *f = fopen(pidfile, "w");
        if (f) { fprintf(f, "%d\n", (int)c); fclose(f); }
    }
    int port = tcp_port(argc, argv);
    int dashdash = 0;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) { dashdash = i; break; }
    pid_t cmd = -1;
    if (dashdash && dashdash + 1 < argc) { /* boot-qemu COMMAND mode */
        int ls = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof a;
        if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0 ||
            getsockname(ls, (struct sockaddr *)&a, &len) != 0) { perror("fake: bind"); return 1; }
        char ps[16];
        snprintf(ps, sizeof ps, "%d", ntohs(a.sin_port));
        setenv("SK_SERIAL_HOST", "127.0.0.1", 1);
        setenv("SK_SERIAL_PORT", ps, 1);
        setenv("SK_BOOT_READY_S", "0.01", 1);
        cmd = fork();
        if (cmd == 0) {
            close(ls);
            execvp(argv[dashdash + 1], argv + dashdash + 1);
            _exit(127);
        }
        int s = accept(ls, NULL, NULL);
        if (s < 0) return 1;
        in = fdopen(s, "r");
        out = fdopen(dup(s), "w");
    } else if (port > 0) {
        int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        usleep(100000); /* like QEMU: the port opens a little after start */
        if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0) { perror("fake: bind"); return 1; }
        int s = accept(ls, NULL, NULL);
        if (s < 0) return 1;
        in = fdopen(s, "r");
        out = fdopen(dup(s), "w");
    } else {
        in = stdin;
        out = stdout;
    }
    setvbuf(out, NULL, _IONBF, 0);
    if (getenv("FAKE_LINUX") && atoi(getenv("FAKE_LINUX"))) {
        fprintf(out, "[    0.000000] Booting Linux on physical CPU 0x0\r\n");
        fprintf(out, "[    0.900000] Run /init as init process\r\n");
        fprintf(out, "sk-linux ready\r\n");
    }
    fprintf(out, "noise before the banner\r\nrpi-serverkernel fake 0.1 (pi1b)\r\n> ");
    const char *eth = argval(argc, argv, "--eth");
    if (eth && strncmp(eth, "peer:", 5) == 0) fake_udp_peer(eth, argval(argc, argv, "--eth-report"), kind, at);
    char line[512];
    int count = 0;
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (echo) fprintf(out, "%s\r\n", line);
        if (strcmp(line, "info") == 0) {
            fprintf(out, "info board=pi1b cpu=700MHz fake=1\r\n");
        } else if (strncmp(line, "md5 ", 4) == 0) {
            count++;
            char *text;
            unsigned long n = strtoul(line + 4, &text, 10);
            if (*text == ' ') text++;
            if (strcmp(kind, "die") == 0 && count == at) {
                fprintf(out, "md5-start\r\n");
                _exit(5); /* like a guest failure exit of the simulator */
            }
            if (strcmp(kind, "hang") == 0 && count == at) {
                fprintf(out, "md5-start\r\n");
                for (;;) pause();
            }
            if (strcmp(kind, "err") == 0 && count == at) {
                fprintf(out, "err busy\r\n> ");
                continue;
            }
            uint8_t d[MD5_DIGEST_LEN];
            fprintf(out, "md5-start\r\n");
            md5_chain(text, strlen(text), (uint32_t)n, d);
            usleep(200 + (useconds_t)(n / 50)); /* a little wall time */
            fprintf(out, "md5-end\r\n");
            if (strcmp(kind, "wrong") == 0 && count == at) d[0] ^= 1;
            unsigned long long cycles = 1000ull * n + 500;
            fprintf(out, "md5 n=%lu digest=", n);
            for (int i = 0; i < MD5_DIGEST_LEN; i++) fprintf(out, "%02x", d[i]);
            fprintf(out, " cycles=%llu us=%llu\r\n", cycles, cycles / 700);
        } else if (strncmp(line, "baud ", 5) == 0) {
            fprintf(out, "baud %s\r\n", line + 5);
        } else if (strncmp(line, "storm ", 6) == 0) {
            fprintf(out, "storm hz=%s\r\n", line + 6);
        } else if (strncmp(line, "eno start", 9) == 0) {
            fprintf(out, "eno started baud=%s\r\n", line[9] ? line + 10 : "57600");
            if (argval(argc, argv, "--uart1-modem"))
                fake_radio(argval(argc, argv, "--uart1-modem"), argval(argc, argv, "--modem-report"), kind, at);
        } else if (strcmp(line, "eno stats") == 0) {
            fprintf(out, "eno-stats telegrams=%u bytes=%u overruns=0 rx_dropped=0 crc_hdr=0 crc_data=0 "
                         "sync_skipped=0 oversize=0 no_buf=0\r\n", radio_lines, radio_lines * 21);
        } else if (strcmp(line, "halt") == 0) {
            const char *sj = argval(argc, argv, "--stats-json");
            FILE *jf = sj ? fopen(sj, "w") : NULL;
            if (jf) {
                fprintf(jf, "{\"stop\": \"halt\", \"devices\": {\"uart1\": {\"rx_overruns\": 0, \"rx_dropped_disabled\": 0}}}\n");
                fclose(jf);
            }
            fprintf(out, "halt\r\n");
            fclose(out);
            int st = 0;
            if (cmd > 0 && waitpid(cmd, &st, 0) == cmd) return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
            return 0;
        } else if (line[0]) {
            fprintf(out, "err unknown command\r\n");
        }
        fprintf(out, "> ");
    }
    return 0;
}
