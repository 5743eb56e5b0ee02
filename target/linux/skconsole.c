/* skconsole — the Linux baseline's line console on the PL011 (ttyAMA0).
 *
 * Mirrors the firmware console protocol (target/main.c, target/lib/console.c): replies are
 * full lines ending in CRLF (ONLCR), the prompt "> " is the only partial line, typed
 * characters are echoed (by the tty's ECHO), lines longer than 512 characters are refused.
 *   md5 N TEXT  -> "md5-start", md5_chain(TEXT, N), "md5-end",
 *                  "md5 n=<N> digest=<32 hex> cycles=<c> us=<t>"      (N = 1..100000000)
 *                  us     = CPU time of md5_chain measured with clock() (as the paper did
 *                           for Raspbian; CLOCKS_PER_SEC is 10^6 on glibc),
 *                  cycles = us * cpu_mhz: DERIVED from us, not a cycle counter reading
 *                           (cpu_mhz: -m, default 1000 = Pi Zero; 700 for the Pi 1 B).
 *   info        -> one "info board=... cpu_hz=... cycles_src=... uptime_us=... ..." line
 *   reset       -> "reset", then reboot -f (QEMU with -no-reboot exits)
 *   halt        -> "halt", then `poweroff -f` (QEMU with -no-reboot exits)
 *   help        -> "help <cmd> <usage> - <text>" lines
 *   errors      -> "err unknown-command <word>", "err bad-argument <what>", "err line-too-long"
 * Linux-only extras: net [IF] -> "net if=... addr=..." (default usb0);
 *   run CMD -> CMD through /bin/sh, its output on the console, then "run-end rc=<rc>".
 *
 * Usage: skconsole [-t TTY] [-m CPU_MHZ]   (TTY default /dev/ttyAMA0; "-" = stdin/stdout,
 * no echo). Prints "sk-linux ready ..." once the line discipline is configured, so the
 * host may send (the harness's readiness prefix is "sk-linux ready").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/md5.h"

#ifndef SK_CFLAGS
#define SK_CFLAGS "unknown"
#endif
#ifndef SK_MD5_SRC
#define SK_MD5_SRC "target/lib/md5.c"
#endif

#define SKC_LINE_MAX 512u        /* = CON_LINE_MAX of the firmware console */
#define SKC_READ_MAX 4096u        /* N_TTY canonical lines are at most 4095 bytes */
#define SKC_MD5_N_MAX 100000000ul /* = MAIN_MD5_N_MAX of the firmware */
#define SKC_PROMPT "> "

typedef struct skc {
    FILE *in;
    FILE *out;
    int fd;            /* tty fd, -1 when running on stdin/stdout */
    unsigned cpu_mhz;
    unsigned long lines, bad_lines;
} skc_t;

static void skc_hex(char *dst, const uint8_t *src, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        dst[2 * i] = digits[src[i] >> 4];
        dst[2 * i + 1] = digits[src[i] & 0xfu];
    }
    dst[2 * n] = '\0';
}

/* Canonical input (line at a time) with echo like the firmware, no signals from ^C, CR
 * accepted as end of line, output NL -> CRNL. The speed is left alone (the PL011 model
 * ignores it). */
static int skc_tty_setup(int fd)
{
    struct termios t;
    if (tcgetattr(fd, &t) != 0)
        return -1;
    t.c_lflag &= ~(tcflag_t)(ECHONL | ECHOCTL | ISIG | IEXTEN);
    t.c_lflag |= ICANON | ECHO | ECHOE | ECHOK | ECHOKE;
    t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | INLCR | IGNCR | ISTRIP);
    t.c_iflag |= ICRNL;
    t.c_oflag |= OPOST | ONLCR;
    return tcsetattr(fd, TCSANOW, &t);
}

static void skc_md5(skc_t *self, const char *args)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(args, &end, 10);
    if (end == args || errno != 0 || n < 1 || n > SKC_MD5_N_MAX ||
        (*end != ' ' && *end != '\0')) {
        fprintf(self->out, "err bad-argument N must be 1..%lu\n", SKC_MD5_N_MAX);
        return;
    }
    /* TEXT is everything after the single space that follows N (as the firmware) */
    const char *text = (*end == ' ') ? end + 1 : end;
    size_t len = strlen(text);
    uint8_t digest[MD5_DIGEST_LEN];
    char hex[2 * MD5_DIGEST_LEN + 1];

    fprintf(self->out, "md5-start\n");
    fflush(self->out);
    clock_t c0 = clock();
    md5_chain(text, len, (uint32_t)n, digest);
    clock_t c1 = clock();
    fprintf(self->out, "md5-end\n");

    unsigned long long us = (unsigned long long)(c1 - c0) * 1000000ull / CLOCKS_PER_SEC;
    skc_hex(hex, digest, MD5_DIGEST_LEN);
    fprintf(self->out, "md5 n=%lu digest=%s cycles=%llu us=%llu\n", n, hex,
            us * self->cpu_mhz, us);
}

static void skc_read_first_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    buf[0] = '\0';
    if (f == NULL)
        return;
    size_t got = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[got] = '\0';
    for (size_t i = 0; i < got; i++) /* device-tree strings end in NUL; stop at NL too */
        if (buf[i] == '\n' || buf[i] == '\0') {
            buf[i] = '\0';
            break;
        }
    for (char *p = buf; *p; p++)
        if (*p == ' ')
            *p = '_';
}

static void skc_info(skc_t *self)
{
    struct utsname u;
    char model[128];
    struct timespec up;
    if (uname(&u) != 0)
        memset(&u, 0, sizeof u);
    skc_read_first_line("/proc/device-tree/model", model, sizeof model);
    clock_gettime(CLOCK_BOOTTIME, &up);
    fprintf(self->out,
            "info board=%s kernel=%s machine=%s cpu_hz=%lu cycles_src=derived-us*cpu_mhz "
            "time_src=clock() clocks_per_sec=%ld uptime_us=%llu bad_lines=%lu md5=%s "
            "cflags=\"%s\"\n",
            model[0] ? model : "unknown", u.release, u.machine,
            (unsigned long)self->cpu_mhz * 1000000ul, (long)CLOCKS_PER_SEC,
            (unsigned long long)up.tv_sec * 1000000ull + (unsigned long long)up.tv_nsec / 1000u,
            self->bad_lines, SK_MD5_SRC, SK_CFLAGS);
}

static unsigned long long skc_sysfs_u64(const char *ifname, const char *stat)
{
    char path[128], buf[32];
    snprintf(path, sizeof path, "/sys/class/net/%s/statistics/%s", ifname, stat);
    skc_read_first_line(path, buf, sizeof buf);
    return strtoull(buf, NULL, 10);
}

static void skc_net(skc_t *self, const char *args)
{
    char ifname[IFNAMSIZ];
    snprintf(ifname, sizeof ifname, "%s", *args ? args : "usb0");
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) {
        fprintf(self->out, "err net socket: %s\n", strerror(errno));
        return;
    }
    struct ifreq r;
    memset(&r, 0, sizeof r);
    snprintf(r.ifr_name, sizeof r.ifr_name, "%s", ifname);
    if (ioctl(s, SIOCGIFFLAGS, &r) != 0) {
        fprintf(self->out, "net if=%s present=0\n", ifname);
        close(s);
        return;
    }
    int up = (r.ifr_flags & IFF_UP) != 0, running = (r.ifr_flags & IFF_RUNNING) != 0;
    char addr[INET_ADDRSTRLEN] = "none";
    if (ioctl(s, SIOCGIFADDR, &r) == 0) {
        struct sockaddr_in sin;
        memcpy(&sin, &r.ifr_addr, sizeof sin);
        inet_ntop(AF_INET, &sin.sin_addr, addr, sizeof addr);
    }
    close(s);
    fprintf(self->out, "net if=%s present=1 up=%d running=%d addr=%s rx_packets=%llu "
            "tx_packets=%llu rx_errors=%llu tx_errors=%llu\n", ifname, up, running, addr,
            skc_sysfs_u64(ifname, "rx_packets"), skc_sysfs_u64(ifname, "tx_packets"),
            skc_sysfs_u64(ifname, "rx_errors"), skc_sysfs_u64(ifname, "tx_errors"));
}

static void skc_run(skc_t *self, const char *cmd)
{
    fflush(self->out);
    int rc = system(cmd);
    fflush(self->out);
    if (rc != -1 && WIFEXITED(rc))
        rc = WEXITSTATUS(rc);
    fprintf(self->out, "run-end rc=%d\n", rc);
}

/* halt: poweroff -f; reset: reboot -f (both end QEMU when it runs with -no-reboot). */
static void skc_stop(skc_t *self, int reset)
{
    fprintf(self->out, "%s\n", reset ? "reset" : "halt");
    fflush(self->out);
    if (self->fd >= 0)
        tcdrain(self->fd);
    sync();
    if (reset) {
        execl("/bin/reboot", "reboot", "-f", (char *)NULL);
        reboot(RB_AUTOBOOT);
    } else {
        execl("/bin/poweroff", "poweroff", "-f", (char *)NULL);
        reboot(RB_POWER_OFF); /* what poweroff -f does, if busybox is missing */
    }
    fprintf(self->out, "err bad-argument %s: %s\n", reset ? "reset" : "halt", strerror(errno));
}

static const struct {
    const char *name, *usage, *help;
} skc_help_table[] = {
    {"md5", "N TEXT", "chained MD5 of TEXT, N times (1..100000000), timed"},
    {"info", "", "board, clocks and counters"},
    {"reset", "", "reboot -f"},
    {"halt", "", "poweroff -f"},
    {"net", "[IF]", "address and counters of IF (default usb0)"},
    {"run", "CMD", "run CMD with /bin/sh, then run-end rc=<rc>"},
};

static void skc_help(skc_t *self)
{
    for (size_t i = 0; i < sizeof skc_help_table / sizeof skc_help_table[0]; i++)
        fprintf(self->out, "help %s%s%s - %s\n", skc_help_table[i].name,
                skc_help_table[i].usage[0] ? " " : "", skc_help_table[i].usage,
                skc_help_table[i].help);
    fprintf(self->out, "help help - this list\n");
}

/* One command line (as con_exec: leading spaces, the word, then the spaces after it). */
static void skc_dispatch(skc_t *self, char *line)
{
    char *w = line;
    while (*w == ' ')
        w++;
    if (*w == '\0')
        return;
    char *p = w;
    while (*p && *p != ' ')
        p++;
    size_t wlen = (size_t)(p - w);
    while (*p == ' ')
        p++;
    const char *args = p;

#define SKC_IS(word) (wlen == sizeof(word) - 1 && memcmp(w, word, wlen) == 0)
    if (SKC_IS("md5"))
        skc_md5(self, args);
    else if (SKC_IS("info"))
        skc_info(self);
    else if (SKC_IS("net"))
        skc_net(self, args);
    else if (SKC_IS("run"))
        skc_run(self, args);
    else if (SKC_IS("halt"))
        skc_stop(self, 0);
    else if (SKC_IS("reset"))
        skc_stop(self, 1);
    else if (SKC_IS("help"))
        skc_help(self);
    else
        fprintf(self->out, "err unknown-command %.*s\n", (int)(wlen > 32 ? 32 : wlen), w);
#undef SKC_IS
}

int main(int argc, char **argv)
{
    const char *tty = "/dev/ttyAMA0";
    skc_t self = { .fd = -1, .cpu_mhz = 1000 };
    int opt;
    while ((opt = getopt(argc, argv, "t:m:")) != -1) {
        switch (opt) {
        case 't': tty = optarg; break;
        case 'm': self.cpu_mhz = (unsigned)strtoul(optarg, NULL, 10); break;
        default:
            fprintf(stderr, "usage: skconsole [-t TTY] [-m CPU_MHZ]\n");
            return 2;
        }
    }
    if (strcmp(tty, "-") == 0) {
        self.in = stdin;
        self.out = stdout;
    } else {
        self.fd = open(tty, O_RDWR | O_NOCTTY);
        if (self.fd < 0) {
            fprintf(stderr, "skconsole: %s: %s\n", tty, strerror(errno));
            return 1;
        }
        if (skc_tty_setup(self.fd) != 0)
            fprintf(stderr, "skconsole: termios %s: %s\n", tty, strerror(errno));
        self.in = fdopen(self.fd, "r");
        self.out = fdopen(dup(self.fd), "w");
        if (self.in == NULL || self.out == NULL) {
            fprintf(stderr, "skconsole: fdopen: %s\n", strerror(errno));
            return 1;
        }
        /* children of `run` write to the console too */
        dup2(self.fd, STDIN_FILENO);
        dup2(self.fd, STDOUT_FILENO);
        dup2(self.fd, STDERR_FILENO);
    }
    setvbuf(self.out, NULL, _IOLBF, 0);
    struct utsname u;
    if (uname(&u) != 0)
        memset(&u, 0, sizeof u);
    fprintf(self.out, "sk-linux ready kernel=%s cpu_hz=%lu\n", u.release,
            (unsigned long)self.cpu_mhz * 1000000ul);
    fputs(SKC_PROMPT, self.out);
    fflush(self.out);

    static char line[SKC_READ_MAX + 2];
    int overflow = 0; /* the current line did not fit in line[]: discard until NL */
    while (fgets(line, sizeof line, self.in) != NULL) {
        size_t len = strlen(line);
        int complete = len > 0 && line[len - 1] == '\n';
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!complete && !feof(self.in)) {
            overflow = 1;
            continue;
        }
        self.lines++;
        if (overflow || len > SKC_LINE_MAX) {
            overflow = 0;
            self.bad_lines++;
            fprintf(self.out, "err line-too-long\n");
        } else {
            skc_dispatch(&self, line);
        }
        fputs(SKC_PROMPT, self.out);
        fflush(self.out);
    }
    return 0;
}
