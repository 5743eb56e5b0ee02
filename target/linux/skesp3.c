/* skesp3 — the Linux baseline of the radio workload: reads EnOcean ESP3 frames from a
 * serial line and prints one line per telegram.
 *
 * ESP3 frame: 0x55 | data_len (2, big endian) | opt_len (1) | type (1) | CRC8H |
 *             data (data_len) | optional (opt_len) | CRC8D
 * CRC8: polynomial 0x07, initial value 0, no reflection, no final xor; CRC8H covers the
 * 4 header bytes, CRC8D covers data + optional.
 * Resynchronisation: after a bad CRC8H the parser restarts at the next 0x55 among the bytes
 * already read (the 4 header bytes and the CRC), else keeps hunting for 0x55. After a bad
 * CRC8D the frame is dropped and the hunt for 0x55 starts with the next byte.
 *
 * Usage: skesp3 [-d DEV] [-b BAUD] [-n COUNT] [-q] [-F esp3|eno] [-S FD]
 *   -d DEV    serial device (default /dev/ttyS1, the mini UART; /dev/ttyAMA0 also works);
 *             "-" reads stdin (host tests)
 *   -b BAUD   57600 (default, ESP3) or 115200 (also 9600..921600), 8N1, raw;
 *             0 = raw 8N1 but leave the line speed as it is.
 *             QEMU 7.2 caveat (measured): on the mini UART (ttyS1) any speed whose 8250
 *             divisor exceeds 255 (below ~98 kBd, so 57600 too) soft-locks the guest --
 *             the divisor's high byte apparently lands in the model's interrupt-enable
 *             register (DLAB not modelled) and the IRQ never clears. QEMU does not pace
 *             the line anyway: use -b 115200 or -b 0 there; 57600 is for real boards.
 *   -n COUNT  exit after COUNT good telegrams (default 0 = until EOF or a signal)
 *   -q        no "esp3-err" line per error (counters only)
 *   -F eno    the firmware's line formats instead (target/io/app.c, target/main.c), for the
 *             harness's radio workload through skconsole's `eno` command:
 *               eno seq=<n> type=erp1 rorg=<xx> data=<hex> id=<8 hex> status=<xx>
 *                   [sub=<n> dst=<8 hex> dbm=-<n> sec=<n>]     (ERP1; no cyc= field)
 *               eno seq=<n> type=unknown-<xx> dlen=<n> olen=<n>   (other packet types)
 *               eno-stats telegrams=<n> bytes=<n> overruns=<n> rx_dropped=<n> crc_hdr=<n>
 *                   crc_data=<n> sync_skipped=<n> oversize=0 no_buf=0 reports_dropped=0
 *                   rx_errors=<n>
 *             overruns = the UART's hardware FIFO overruns, rx_dropped = bytes the tty layer
 *             dropped (flip buffer full), rx_errors = framing + parity + break, all from
 *             TIOCGICOUNT on DEV (0 when the driver does not count). Each line is one
 *             write(2), so lines never interleave with other writers of the same tty.
 *   -S FD     control channel (-F eno): "ready\n" on FD once DEV is configured; the
 *             stats line goes to FD (not stdout) at SIGUSR1 and at exit
 * Lines:
 *   esp3 seq=<n> type=0x<t> data_len=<n> opt_len=<n> data=<hex> opt=<hex>
 *        [rorg=0x.. id=0x........ status=0x..] [dbm=-<n>]     (RADIO_ERP1, type 0x01)
 *   esp3-err kind=<hdr_crc|data_crc> ...
 *   esp3 stats frames=<n> hdr_crc_err=<n> data_crc_err=<n> skipped=<n> bytes=<n>
 *        (at exit and on SIGUSR1; skipped = bytes dropped while hunting for 0x55)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/serial.h>
#include <termios.h>
#include <unistd.h>

#define ESP3_SYNC 0x55u
#define ESP3_HDR_LEN 4u
#define ESP3_CRC8_POLY 0x07u
#define ESP3_TYPE_RADIO_ERP1 0x01u
#define ESP3_MAX_BODY (65535u + 255u)

typedef enum esp3_state {
    ESP3_ST_SYNC,  /* hunting for 0x55 */
    ESP3_ST_HDR,   /* collecting data_len(2), opt_len(1), type(1) */
    ESP3_ST_HCRC,  /* next byte is CRC8H */
    ESP3_ST_BODY,  /* collecting data + optional */
    ESP3_ST_DCRC,  /* next byte is CRC8D */
} esp3_state_t;

typedef struct esp3_stats {
    unsigned long long frames, hdr_crc_err, data_crc_err, skipped, bytes;
} esp3_stats_t;

typedef struct esp3_parser {
    esp3_state_t state;
    uint8_t hdr[ESP3_HDR_LEN];
    uint32_t hdr_len;
    uint32_t data_len, opt_len, body_len;
    uint8_t type;
    uint8_t body[ESP3_MAX_BODY];
    esp3_stats_t stats;
    int verbose_errors;
    int eno_format;  /* -F eno */
} esp3_parser_t;

static uint8_t esp3_crc8(uint8_t crc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (uint8_t)((crc & 0x80u) ? ((unsigned)crc << 1) ^ ESP3_CRC8_POLY : (unsigned)crc << 1);
    }
    return crc;
}

static void esp3_print_hex(const uint8_t *p, size_t n)
{
    if (n == 0)
        fputc('-', stdout);
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
}

/* -F eno: one line in the firmware's app format, written with one write(2). */
static void esp3_emit_eno(esp3_parser_t *self)
{
    char line[256 + 2 * 64];
    size_t n = 0, cap = sizeof line - 2;
    const uint8_t *d = self->body, *o = self->body + self->data_len;
#define ESP3_PUT(...) do { int k_ = snprintf(line + n, cap - n, __VA_ARGS__); \
                           n += (k_ > 0 && (size_t)k_ < cap - n) ? (size_t)k_ : 0; } while (0)
    if (self->type == ESP3_TYPE_RADIO_ERP1 && self->data_len >= 6 && self->data_len - 6 <= 64) {
        const uint8_t *id = d + self->data_len - 5;
        ESP3_PUT("eno seq=%llu type=erp1 rorg=%02x data=", self->stats.frames, d[0]);
        for (uint32_t i = 1; i + 5 < self->data_len; i++)
            ESP3_PUT("%02x", d[i]);
        ESP3_PUT(" id=%02x%02x%02x%02x status=%02x", id[0], id[1], id[2], id[3], d[self->data_len - 1]);
        if (self->opt_len >= 7)
            ESP3_PUT(" sub=%u dst=%02x%02x%02x%02x dbm=-%u sec=%u", o[0], o[1], o[2], o[3], o[4], o[5], o[6]);
    } else {
        ESP3_PUT("eno seq=%llu type=unknown-%02x dlen=%u olen=%u", self->stats.frames, self->type,
                 self->data_len, self->opt_len);
    }
#undef ESP3_PUT
    line[n++] = '\n';
    if (write(STDOUT_FILENO, line, n) < 0) { /* the console is gone: nothing to report to */ }
}

static void esp3_emit(esp3_parser_t *self)
{
    if (self->eno_format) {
        esp3_emit_eno(self);
        return;
    }
    const uint8_t *d = self->body, *o = self->body + self->data_len;
    printf("esp3 seq=%llu type=0x%02x data_len=%u opt_len=%u data=", self->stats.frames,
           self->type, self->data_len, self->opt_len);
    esp3_print_hex(d, self->data_len);
    printf(" opt=");
    esp3_print_hex(o, self->opt_len);
    /* RADIO_ERP1: data = RORG, user data, sender id (4), status (1);
     * optional = subtelegram count, destination id (4), dBm (1, as -dBm), security. */
    if (self->type == ESP3_TYPE_RADIO_ERP1 && self->data_len >= 6) {
        const uint8_t *id = d + self->data_len - 5;
        printf(" rorg=0x%02x id=0x%02x%02x%02x%02x status=0x%02x", d[0], id[0], id[1], id[2],
               id[3], d[self->data_len - 1]);
        if (self->opt_len >= 6)
            printf(" dbm=-%u", o[5]);
    }
    putchar('\n');
    fflush(stdout);
}

static void esp3_feed(esp3_parser_t *self, uint8_t c);

/* Bad CRC8H: restart at the next 0x55 among the 4 header bytes + CRC already consumed. */
static void esp3_hdr_bad(esp3_parser_t *self, uint8_t crc)
{
    uint8_t seen[ESP3_HDR_LEN + 1];
    memcpy(seen, self->hdr, ESP3_HDR_LEN);
    seen[ESP3_HDR_LEN] = crc;
    self->stats.hdr_crc_err++;
    if (self->verbose_errors)
        printf("esp3-err kind=hdr_crc hdr=%02x%02x%02x%02x crc=%02x\n", seen[0], seen[1],
               seen[2], seen[3], crc);
    self->state = ESP3_ST_SYNC;
    for (unsigned i = 0; i < sizeof seen; i++) {
        if (seen[i] == ESP3_SYNC) {
            self->state = ESP3_ST_HDR;
            self->hdr_len = 0;
            /* at most 4 bytes are replayed: fewer than a header + CRC, so no nesting */
            for (unsigned j = i + 1; j < sizeof seen; j++)
                esp3_feed(self, seen[j]);
            return;
        }
        self->stats.skipped++;
    }
}

static void esp3_feed(esp3_parser_t *self, uint8_t c)
{
    switch (self->state) {
    case ESP3_ST_SYNC:
        if (c == ESP3_SYNC) {
            self->state = ESP3_ST_HDR;
            self->hdr_len = 0;
        } else {
            self->stats.skipped++;
        }
        break;
    case ESP3_ST_HDR:
        self->hdr[self->hdr_len++] = c;
        if (self->hdr_len == ESP3_HDR_LEN)
            self->state = ESP3_ST_HCRC;
        break;
    case ESP3_ST_HCRC:
        if (esp3_crc8(0, self->hdr, ESP3_HDR_LEN) != c) {
            esp3_hdr_bad(self, c);
            break;
        }
        self->data_len = ((uint32_t)self->hdr[0] << 8) | self->hdr[1];
        self->opt_len = self->hdr[2];
        self->type = self->hdr[3];
        self->body_len = 0;
        self->state = (self->data_len + self->opt_len) ? ESP3_ST_BODY : ESP3_ST_DCRC;
        break;
    case ESP3_ST_BODY:
        self->body[self->body_len++] = c;
        if (self->body_len == self->data_len + self->opt_len)
            self->state = ESP3_ST_DCRC;
        break;
    case ESP3_ST_DCRC:
        self->state = ESP3_ST_SYNC;
        if (esp3_crc8(0, self->body, self->body_len) != c) {
            self->stats.data_crc_err++;
            if (self->verbose_errors)
                printf("esp3-err kind=data_crc type=0x%02x data_len=%u opt_len=%u\n",
                       self->type, self->data_len, self->opt_len);
            break;
        }
        self->stats.frames++;
        esp3_emit(self);
        break;
    }
}

static volatile sig_atomic_t esp3_stop;
static volatile sig_atomic_t esp3_dump;

static void esp3_on_signal(int sig)
{
    if (sig == SIGUSR1)
        esp3_dump = 1;
    else
        esp3_stop = 1;
}

/* -F eno: the eno-stats line on the control fd, with the tty's own counters. */
static void esp3_print_eno_stats(const esp3_stats_t *s, int fd, int ctl)
{
    struct serial_icounter_struct ic;
    memset(&ic, 0, sizeof ic);
    if (fd < 0 || ioctl(fd, TIOCGICOUNT, &ic) != 0)
        memset(&ic, 0, sizeof ic);
    char line[320];
    int n = snprintf(line, sizeof line,
                     "eno-stats telegrams=%llu bytes=%llu overruns=%u rx_dropped=%u crc_hdr=%llu "
                     "crc_data=%llu sync_skipped=%llu oversize=0 no_buf=0 reports_dropped=0 rx_errors=%u\n",
                     s->frames, s->bytes, (unsigned)ic.overrun, (unsigned)ic.buf_overrun, s->hdr_crc_err,
                     s->data_crc_err, s->skipped, (unsigned)(ic.frame + ic.parity + ic.brk));
    if (n > 0 && write(ctl, line, (size_t)n) < 0) { /* skconsole gone */ }
}

static void esp3_print_stats(const esp3_stats_t *s)
{
    printf("esp3 stats frames=%llu hdr_crc_err=%llu data_crc_err=%llu skipped=%llu "
           "bytes=%llu\n", s->frames, s->hdr_crc_err, s->data_crc_err, s->skipped, s->bytes);
    fflush(stdout);
}

static speed_t esp3_speed(unsigned long baud)
{
    switch (baud) {
    case 0: return B0; /* keep the current speed */
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default: return (speed_t)-1;
    }
}

static int esp3_open(const char *dev, speed_t speed)
{
    int fd = open(dev, O_RDONLY | O_NOCTTY);
    if (fd < 0)
        return -1;
    struct termios t;
    if (tcgetattr(fd, &t) != 0) {
        close(fd);
        return -1;
    }
    cfmakeraw(&t); /* 8 data bits, no parity, no echo, no translation */
    t.c_cflag &= ~(tcflag_t)(CSTOPB | CRTSCTS);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (speed != B0) {
        cfsetispeed(&t, speed);
        cfsetospeed(&t, speed);
    }
    if (tcsetattr(fd, TCSANOW, &t) != 0) {
        close(fd);
        return -1;
    }
    tcflush(fd, TCIFLUSH);
    return fd;
}

int main(int argc, char **argv)
{
    const char *dev = "/dev/ttyS1";
    unsigned long baud = 57600;
    unsigned long long max = 0;
    int ctl = -1;
    static esp3_parser_t parser = { .state = ESP3_ST_SYNC, .verbose_errors = 1 };
    int opt;
    while ((opt = getopt(argc, argv, "d:b:n:qF:S:")) != -1) {
        switch (opt) {
        case 'd': dev = optarg; break;
        case 'b': baud = strtoul(optarg, NULL, 10); break;
        case 'n': max = strtoull(optarg, NULL, 10); break;
        case 'q': parser.verbose_errors = 0; break;
        case 'F':
            if (strcmp(optarg, "eno") && strcmp(optarg, "esp3")) {
                fprintf(stderr, "skesp3: -F esp3|eno\n");
                return 2;
            }
            parser.eno_format = strcmp(optarg, "eno") == 0;
            break;
        case 'S': ctl = (int)strtol(optarg, NULL, 10); break;
        default:
            fprintf(stderr, "usage: skesp3 [-d DEV] [-b BAUD] [-n COUNT] [-q] [-F esp3|eno] [-S FD]\n");
            return 2;
        }
    }
    speed_t speed = esp3_speed(baud);
    if (speed == (speed_t)-1) {
        fprintf(stderr, "skesp3: unsupported baud %lu\n", baud);
        return 2;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = esp3_on_signal; /* no SA_RESTART: read() returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);

    int fd = STDIN_FILENO;
    if (strcmp(dev, "-") != 0) {
        fd = esp3_open(dev, speed);
        if (fd < 0) {
            fprintf(stderr, "skesp3: %s: %s\n", dev, strerror(errno));
            return 1;
        }
    }
    if (parser.eno_format) {
        parser.verbose_errors = 0; /* counters only: stdout carries eno lines alone */
        if (ctl >= 0 && write(ctl, "ready\n", 6) != 6) {
            fprintf(stderr, "skesp3: control fd %d: %s\n", ctl, strerror(errno));
            return 1;
        }
    } else {
        printf("skesp3 listening dev=%s baud=%lu\n", dev, baud);
        fflush(stdout);
    }

    uint8_t buf[512];
    while (!esp3_stop && (max == 0 || parser.stats.frames < max)) {
        if (esp3_dump) {
            esp3_dump = 0;
            if (parser.eno_format && ctl >= 0)
                esp3_print_eno_stats(&parser.stats, fd == STDIN_FILENO ? -1 : fd, ctl);
            else
                esp3_print_stats(&parser.stats);
        }
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("skesp3: read");
            break;
        }
        if (n == 0)
            break; /* EOF (stdin) */
        for (ssize_t i = 0; i < n && (max == 0 || parser.stats.frames < max); i++) {
            parser.stats.bytes++;
            esp3_feed(&parser, buf[i]);
        }
    }
    if (parser.eno_format && ctl >= 0)
        esp3_print_eno_stats(&parser.stats, fd == STDIN_FILENO ? -1 : fd, ctl);
    else
        esp3_print_stats(&parser.stats);
    return 0;
}
