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
 *   eno start [BAUD] [uart0|uart1] -> "eno started baud=<b> port=<p>": runs skesp3 -F eno on
 *                  /dev/ttyAMA0 (uart0) or /dev/ttyS1 (uart1), default the one the console
 *                  is not on (the console's own line: "err busy ..."); its "eno seq=..."
 *                  lines go straight to the console, one write(2) each. While it runs the
 *                  console does not echo: N_TTY echoes byte by byte, which would split
 *                  telegram lines.
 *   eno stats   -> the "eno-stats ..." line of skesp3 -F eno (its SIGUSR1 answer, <= 2 s)
 *   eno stop    -> "eno stopped" (SIGTERM, bounded wait, then SIGKILL; echo back on)
 * Linux-only extras: net [IF] -> "net if=... addr=..." (default usb0);
 *   run CMD -> CMD through /bin/sh, its output on the console, then "run-end rc=<rc>".
 *
 * Usage: skconsole [-t TTY] [-m CPU_MHZ]   (TTY default /dev/ttyAMA0, or /dev/ttyS1 when the
 * PL011 carries the EnOcean modem (boot-qemu --radio); "-" = stdin/stdout,
 * no echo). Prints "sk-linux ready ..." once the line discipline is configured, so the
 * host may send (the harness's readiness prefix is "sk-linux ready").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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
    const char *tty;   /* the console's device */
    pid_t eno_pid;     /* skesp3 -F eno, 0 if none */
    int eno_ctl;       /* its control pipe (read end), -1 if none */
} skc_t;

#define SKC_ENO_PROG "/bin/skesp3"
#define SKC_ENO_WAIT_MS 5000 /* bound on skesp3's "ready" and on "eno stop" */
#define SKC_ENO_STATS_MS 2000

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
    /* TCSADRAIN: the line is reprogrammed with the transmitter idle (QEMU's mini UART takes
     * the divisor's high byte into IER: changing it mid-transmission can stall TX) */
    return tcsetattr(fd, TCSADRAIN, &t);
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

/* One line from the control pipe within ms (NUL terminated, no NL); -1 on timeout/EOF. */
static int skc_ctl_line(int fd, char *buf, size_t cap, int ms)
{
    size_t n = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (n + 1 < cap) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long left = ms - ((t1.tv_sec - t0.tv_sec) * 1000L + (t1.tv_nsec - t0.tv_nsec) / 1000000L);
        if (left <= 0)
            return -1;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        char c;
        ssize_t got = read(fd, &c, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        if (c == '\n') {
            buf[n] = '\0';
            return 0;
        }
        buf[n++] = c;
    }
    buf[n] = '\0';
    return 0;
}

static void skc_echo(skc_t *self, int on)
{
    struct termios t;
    if (self->fd < 0 || tcgetattr(self->fd, &t) != 0)
        return;
    if (on)
        t.c_lflag |= ECHO | ECHOE | ECHOK | ECHOKE;
    else
        t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHOKE);
    tcsetattr(self->fd, TCSADRAIN, &t); /* see skc_tty_setup */
}

static void skc_eno_stop(skc_t *self)
{
    if (self->eno_pid > 0) {
        kill(self->eno_pid, SIGTERM);
        int st, waited = 0;
        while (waitpid(self->eno_pid, &st, WNOHANG) == 0) {
            if (waited >= SKC_ENO_WAIT_MS) {
                kill(self->eno_pid, SIGKILL);
                waitpid(self->eno_pid, &st, 0);
                break;
            }
            usleep(10000);
            waited += 10;
        }
        self->eno_pid = 0;
    }
    if (self->eno_ctl >= 0)
        close(self->eno_ctl);
    self->eno_ctl = -1;
    skc_echo(self, 1);
}

static void skc_eno(skc_t *self, const char *args)
{
    if (!strncmp(args, "start", 5) && (args[5] == '\0' || args[5] == ' ')) {
        unsigned long baud = 57600;
        int on_amA0 = strstr(self->tty, "ttyAMA0") != NULL;
        const char *port = on_amA0 ? "uart1" : "uart0";
        char *end;
        const char *p = args + 5;
        while (*p == ' ')
            p++;
        if (*p >= '0' && *p <= '9') {
            baud = strtoul(p, &end, 10);
            if ((*end && *end != ' ') || baud < 1200 || baud > 115200) {
                fprintf(self->out, "err bad-argument BAUD must be 1200..115200\n");
                return;
            }
            p = end;
            while (*p == ' ')
                p++;
        }
        if (!strcmp(p, "uart0") || !strcmp(p, "uart1")) {
            port = p;
        } else if (*p) {
            fprintf(self->out, "err bad-argument eno start [BAUD] [uart0|uart1]\n");
            return;
        }
        const char *dev = !strcmp(port, "uart0") ? "/dev/ttyAMA0" : "/dev/ttyS1";
        if (!strcmp(dev, self->tty)) {
            fprintf(self->out, "err busy %s carries the console (boot-qemu --radio moves it to ttyS1)\n", port);
            return;
        }
        skc_eno_stop(self);
        int pfd[2];
        if (pipe(pfd) != 0) {
            fprintf(self->out, "err io pipe: %s\n", strerror(errno));
            return;
        }
        char b[16];
        snprintf(b, sizeof b, "%lu", baud);
        fflush(self->out);
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(self->out, "err io fork: %s\n", strerror(errno));
            close(pfd[0]);
            close(pfd[1]);
            return;
        }
        if (pid == 0) {
            close(pfd[0]);
            if (pfd[1] != 3) {
                dup2(pfd[1], 3);
                close(pfd[1]);
            }
            execl(SKC_ENO_PROG, "skesp3", "-d", dev, "-b", b, "-q", "-F", "eno", "-S", "3", (char *)NULL);
            _exit(127);
        }
        close(pfd[1]);
        self->eno_pid = pid;
        self->eno_ctl = pfd[0];
        char got[64];
        if (skc_ctl_line(self->eno_ctl, got, sizeof got, SKC_ENO_WAIT_MS) != 0 || strcmp(got, "ready")) {
            skc_eno_stop(self);
            fprintf(self->out, "err io skesp3 on %s did not start\n", dev);
            return;
        }
        skc_echo(self, 0);
        fprintf(self->out, "eno started baud=%lu port=%s\n", baud, port);
    } else if (!strcmp(args, "stats")) {
        char line[400];
        if (self->eno_pid <= 0) {
            fprintf(self->out, "err bad-argument eno is not running\n");
            return;
        }
        kill(self->eno_pid, SIGUSR1);
        if (skc_ctl_line(self->eno_ctl, line, sizeof line, SKC_ENO_STATS_MS) != 0) {
            fprintf(self->out, "err timeout eno stats\n");
            return;
        }
        fprintf(self->out, "%s\n", line);
    } else if (!strcmp(args, "stop")) {
        skc_eno_stop(self);
        fprintf(self->out, "eno stopped\n");
    } else {
        fprintf(self->out, "err bad-argument eno start [BAUD] [uart0|uart1]|stop|stats\n");
    }
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
    {"eno", "start [BAUD] [uart0|uart1]|stop|stats", "EnOcean ESP3 stream through skesp3"},
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
    else if (SKC_IS("eno"))
        skc_eno(self, args);
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
    skc_t self = { .fd = -1, .cpu_mhz = 1000, .eno_ctl = -1 };
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
    self.tty = tty;
    signal(SIGPIPE, SIG_IGN); /* a dead skesp3's control pipe must not end the console */
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
