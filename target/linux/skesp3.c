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
 * Usage: skesp3 [-d DEV] [-b BAUD] [-n COUNT] [-q]
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

static void esp3_emit(esp3_parser_t *self)
{
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
    static esp3_parser_t parser = { .state = ESP3_ST_SYNC, .verbose_errors = 1 };
    int opt;
    while ((opt = getopt(argc, argv, "d:b:n:q")) != -1) {
        switch (opt) {
        case 'd': dev = optarg; break;
        case 'b': baud = strtoul(optarg, NULL, 10); break;
        case 'n': max = strtoull(optarg, NULL, 10); break;
        case 'q': parser.verbose_errors = 0; break;
        default:
            fprintf(stderr, "usage: skesp3 [-d DEV] [-b BAUD] [-n COUNT] [-q]\n");
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
    printf("skesp3 listening dev=%s baud=%lu\n", dev, baud);
    fflush(stdout);

    uint8_t buf[512];
    while (!esp3_stop && (max == 0 || parser.stats.frames < max)) {
        if (esp3_dump) {
            esp3_dump = 0;
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
    esp3_print_stats(&parser.stats);
    return 0;
}
