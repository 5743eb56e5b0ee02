/* UART link backends and the RX wire model; see uart_link.h for the contract.
 *
 * Determinism: everything the UART sees happens at simulated-time stamps. Interactive
 * host input (stdio, tcp, pty) is only read when the guest waits for an interrupt (the
 * core calls uart_link_idle() from WFI): with no other event scheduled the simulator
 * blocks on the host with simulated time frozen, so bytes that a host sends while the
 * guest waits (a console prompt) enter the wire at a simulated time that does not
 * depend on host speed. A guest that never waits reads no interactive input. A feed file
 * (or a stdin that is a regular file) is read up front and has no such input.
 * Host output never blocks the simulation: sockets and ptys are non-blocking and what
 * they cannot take is buffered (bounded; the rest is counted as tx_dropped). */
#define _GNU_SOURCE
#include "link/uart_link.h"
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pty.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define LINK_RXQ_SIZE        65536u          /* bytes waiting for the wire */
#define LINK_OUTBUF_MAX      (16u << 20)     /* host output not yet accepted by the host */
#define LINK_POLL_READ_MAX   256u            /* bytes read from the host per poll */
#define LINK_SETTLE_MS       2               /* host quiet time that ends an input burst */
#define LINK_MAX_OBSERVERS   4

typedef enum { LINK_NULL, LINK_STDIO, LINK_FILE, LINK_TCP, LINK_PTY } link_kind_t;

typedef struct link_sched {   /* bytes pushed for a later simulated time */
    uint64_t when, seq;
    size_t len;
    uint8_t *data;
} link_sched_t;

struct uart_link {
    sim_t *sim;
    char *name, *spec;
    link_kind_t kind;
    /* output side */
    FILE *out;                 /* stdio, file */
    bool out_tty;
    int out_fd;                /* tcp client, pty master; -1 when none */
    uint8_t *outbuf;           /* pending host output (tcp before connect, pty/tcp EAGAIN) */
    size_t outbuf_len, outbuf_cap;
    /* interactive input */
    int in_fd;                 /* stdin, tcp client, pty master; -1 when none/EOF */
    int listen_fd, pty_slave;
    bool restore_tty;
    struct termios saved_tty;
    /* feed file */
    uint8_t *feed;
    size_t feed_len, feed_pos;
    /* RX queue and wire */
    uint8_t *rxq;
    size_t rxq_head, rxq_count;
    const uart_port_ops_t *port;
    void *dev;
    sim_timer_t wire_timer;
    bool wire_busy;
    uint8_t wire_byte;
    /* scheduled pushes */
    link_sched_t *sched;
    size_t nsched, capsched;
    uint64_t sched_seq;
    sim_timer_t sched_timer;
    /* observers and --until-uart */
    struct { uart_tx_observer_fn fn; void *opaque; } obs[LINK_MAX_OBSERVERS];
    unsigned nobs;
    char *until;
    size_t until_len, until_state;
    size_t *until_fail;
    uart_link_stats_t stats;
};

/* ---- output ------------------------------------------------------------------ */
static void link_outbuf_append(uart_link_t *l, const uint8_t *p, size_t n)
{
    if (l->outbuf_len + n > LINK_OUTBUF_MAX) {
        l->stats.tx_dropped += n;
        return;
    }
    if (l->outbuf_len + n > l->outbuf_cap) {
        size_t cap = l->outbuf_cap ? l->outbuf_cap * 2 : 4096;
        while (cap < l->outbuf_len + n) cap *= 2;
        uint8_t *nb = realloc(l->outbuf, cap);
        if (!nb) {
            l->stats.tx_dropped += n;
            return;
        }
        l->outbuf = nb;
        l->outbuf_cap = cap;
    }
    memcpy(l->outbuf + l->outbuf_len, p, n);
    l->outbuf_len += n;
}

/* write what the host takes without blocking; returns bytes written */
static size_t link_fd_write(uart_link_t *l, const uint8_t *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = l->kind == LINK_TCP ? send(l->out_fd, p + done, n - done, MSG_NOSIGNAL)
                                        : write(l->out_fd, p + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        break;
    }
    return done;
}

static void link_flush_outbuf(uart_link_t *l)
{
    if (l->out_fd < 0 || l->outbuf_len == 0) return;
    size_t w = link_fd_write(l, l->outbuf, l->outbuf_len);
    memmove(l->outbuf, l->outbuf + w, l->outbuf_len - w);
    l->outbuf_len -= w;
}

static void link_output(uart_link_t *l, uint8_t b)
{
    switch (l->kind) {
    case LINK_NULL: break;
    case LINK_STDIO:
    case LINK_FILE:
        fputc(b, l->out);
        /* stdio: every byte reaches a pipe or terminal at once (a reader such as the
         * harness waits for a prompt that has no newline); files: per line */
        if (l->kind == LINK_STDIO || b == '\n') fflush(l->out);
        break;
    case LINK_TCP:
    case LINK_PTY:
        if (l->out_fd >= 0 && l->outbuf_len == 0 && link_fd_write(l, &b, 1) == 1) break;
        link_outbuf_append(l, &b, 1);
        break;
    }
}

/* ---- RX wire ----------------------------------------------------------------- */
static int link_next_rx(uart_link_t *l)
{
    if (l->rxq_count) {
        uint8_t b = l->rxq[l->rxq_head];
        l->rxq_head = (l->rxq_head + 1) % LINK_RXQ_SIZE;
        l->rxq_count--;
        return b;
    }
    if (l->feed && l->feed_pos < l->feed_len) return l->feed[l->feed_pos++];
    return -1;
}

/* start the next frame if the wire is idle, the receiver is on and a byte waits */
static void link_wire_start(uart_link_t *l)
{
    if (l->wire_busy || !l->port || !l->port->rx_ready(l->dev)) return;
    int b = link_next_rx(l);
    if (b < 0) return;
    l->wire_busy = true;
    l->wire_byte = (uint8_t)b;
    sim_timer_mod(&l->wire_timer, sim_now(l->sim) + l->port->frame_cycles(l->dev));
}

static void link_wire_done(void *opaque)
{
    uart_link_t *l = opaque;
    l->wire_busy = false;
    l->stats.rx_bytes++;
    l->port->rx_frame(l->dev, l->wire_byte);
    link_wire_start(l); /* back-to-back: the next start bit follows the stop bit */
}

static int link_rxq_put(uart_link_t *l, const uint8_t *buf, size_t len)
{
    int rc = 0;
    for (size_t i = 0; i < len; i++) {
        if (l->rxq_count >= LINK_RXQ_SIZE) {
            l->stats.rx_dropped += len - i;
            rc = -1;
            break;
        }
        l->rxq[(l->rxq_head + l->rxq_count) % LINK_RXQ_SIZE] = buf[i];
        l->rxq_count++;
        l->stats.rx_queued++;
    }
    return rc;
}

/* ---- interactive input poll ---------------------------------------------------- */
static bool link_interactive(const uart_link_t *l)
{
    return !l->feed && (l->in_fd >= 0 || l->listen_fd >= 0);
}

static void link_close_client(uart_link_t *l)
{
    if (l->kind != LINK_TCP || l->out_fd < 0) return;
    close(l->out_fd);
    l->out_fd = l->in_fd = -1;
    fprintf(stderr, "%s: client disconnected, listening again\n", l->name);
}

/* Accepts a client, flushes buffered output and reads what the host sent (at most
 * timeout_ms of wall time; 0 = just look). Returns true when bytes were queued. */
static bool link_service(uart_link_t *l, int timeout_ms)
{
    struct pollfd p = {.fd = -1, .events = POLLIN};
    if (l->kind == LINK_TCP && l->out_fd < 0 && l->listen_fd >= 0) p.fd = l->listen_fd;
    else if (l->in_fd >= 0 && l->rxq_count < LINK_RXQ_SIZE - LINK_POLL_READ_MAX) p.fd = l->in_fd;
    link_flush_outbuf(l);
    if (p.fd < 0 || poll(&p, 1, timeout_ms) <= 0) return false;
    if (p.fd == l->listen_fd) {
        int c = accept4(l->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c >= 0) {
            int one = 1;
            setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            l->out_fd = l->in_fd = c;
            fprintf(stderr, "%s: client connected\n", l->name);
            link_flush_outbuf(l);
        }
        return false;
    }
    uint8_t buf[LINK_POLL_READ_MAX];
    ssize_t n = read(l->in_fd, buf, sizeof buf);
    if (n > 0) {
        link_rxq_put(l, buf, (size_t)n);
        link_wire_start(l);
        return true;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        if (l->kind == LINK_TCP) link_close_client(l);
        else if (l->kind == LINK_STDIO) l->in_fd = -1; /* stdin at EOF */
        else if (l->kind == LINK_PTY) poll(NULL, 0, timeout_ms); /* EIO: slave not open yet */
    }
    return false;
}

bool uart_link_interactive(const uart_link_t *l) { return link_interactive(l); }

bool uart_link_idle(uart_link_t *l, bool block)
{
    if (!link_interactive(l)) return false;
    if (!block) return link_service(l, 0);
    /* block in slices, so that a client that connects or a pty that opens is seen */
    while (link_interactive(l))
        if (link_service(l, 100)) {
            /* a pty or socket may hand over one host write in pieces: collect until the
             * host has been quiet for LINK_SETTLE_MS, so that the whole burst enters the
             * wire now, at a simulated time that does not depend on host scheduling */
            while (link_service(l, LINK_SETTLE_MS)) {}
            return true;
        }
    return false;
}

/* ---- scheduled pushes ---------------------------------------------------------- */
static void link_sched_arm(uart_link_t *l)
{
    if (l->nsched) sim_timer_mod(&l->sched_timer, l->sched[0].when);
    else sim_timer_del(&l->sched_timer);
}

static void link_sched_fire(void *opaque)
{
    uart_link_t *l = opaque;
    uint64_t now = sim_now(l->sim);
    size_t i = 0;
    while (i < l->nsched && l->sched[i].when <= now) {
        link_rxq_put(l, l->sched[i].data, l->sched[i].len);
        free(l->sched[i].data);
        i++;
    }
    memmove(l->sched, l->sched + i, (l->nsched - i) * sizeof *l->sched);
    l->nsched -= i;
    link_sched_arm(l);
    link_wire_start(l);
}

/* ---- public ------------------------------------------------------------------- */
static int link_open_tcp(uart_link_t *l, const char *port_s)
{
    char *end;
    long port = strtol(port_s, &end, 10);
    if (*port_s == 0 || *end || port <= 0 || port > 65535) {
        fprintf(stderr, "%s: bad tcp port '%s'\n", l->name, port_s);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 1) < 0) {
        fprintf(stderr, "%s: cannot listen on 127.0.0.1:%ld: %s\n", l->name, port, strerror(errno));
        close(fd);
        return -1;
    }
    l->listen_fd = fd;
    fprintf(stderr, "%s: listening on 127.0.0.1:%ld\n", l->name, port);
    return 0;
}

static int link_open_pty(uart_link_t *l)
{
    int m, sl;
    char name[256];
    if (openpty(&m, &sl, name, NULL, NULL) < 0) {
        fprintf(stderr, "%s: openpty: %s\n", l->name, strerror(errno));
        return -1;
    }
    struct termios t;
    if (tcgetattr(sl, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(sl, TCSANOW, &t);
    }
    fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
    fcntl(m, F_SETFD, FD_CLOEXEC);
    /* keep the slave open so the master does not see EIO/hangup between clients */
    l->pty_slave = sl;
    l->out_fd = l->in_fd = m;
    fprintf(stderr, "%s: pty %s\n", l->name, name);
    return 0;
}

static int link_read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) break;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    bool err = ferror(f);
    fclose(f);
    if (!buf || err) {
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

uart_link_t *uart_link_open(sim_t *sim, const char *name, const char *spec)
{
    if (!spec) spec = "stdio";
    uart_link_t *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->sim = sim;
    l->name = strdup(name);
    l->spec = strdup(spec);
    l->rxq = malloc(LINK_RXQ_SIZE);
    l->out_fd = l->in_fd = l->listen_fd = l->pty_slave = -1;
    sim_timer_init(&l->wire_timer, sim, link_wire_done, l);
    sim_timer_init(&l->sched_timer, sim, link_sched_fire, l);
    if (!l->name || !l->spec || !l->rxq) goto fail;
    int rc = 0;
    if (!strcmp(spec, "null") || !strcmp(spec, "none")) {
        l->kind = LINK_NULL;
    } else if (!strcmp(spec, "stdio")) {
        l->kind = LINK_STDIO;
        l->out = stdout;
        l->out_tty = isatty(STDOUT_FILENO);
        struct stat st;
        if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)) {
            /* a regular file on stdin is fed like --uartN-in: deterministic */
            rc = uart_link_feed_file(l, "/dev/stdin");
        } else {
            l->in_fd = STDIN_FILENO;
            if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &l->saved_tty) == 0) {
                struct termios t = l->saved_tty;
                t.c_lflag &= ~(tcflag_t)(ICANON | ECHO); /* keep ISIG: ^C still stops the sim */
                t.c_iflag &= ~(tcflag_t)(ICRNL | IXON);
                t.c_cc[VMIN] = 1;
                t.c_cc[VTIME] = 0;
                if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0) l->restore_tty = true;
            }
        }
    } else if (!strncmp(spec, "file:", 5)) {
        l->kind = LINK_FILE;
        l->out = fopen(spec + 5, "wb");
        if (!l->out) {
            fprintf(stderr, "%s: cannot open '%s': %s\n", name, spec + 5, strerror(errno));
            rc = -1;
        }
    } else if (!strncmp(spec, "tcp:", 4)) {
        l->kind = LINK_TCP;
        rc = link_open_tcp(l, spec + 4);
    } else if (!strcmp(spec, "pty")) {
        l->kind = LINK_PTY;
        rc = link_open_pty(l);
    } else {
        fprintf(stderr, "%s: unknown link '%s' (stdio, pty, tcp:PORT, file:PATH, null)\n", name, spec);
        rc = -1;
    }
    if (rc < 0) goto fail;
    return l;
fail:
    uart_link_close(l);
    return NULL;
}

void uart_link_close(uart_link_t *l)
{
    if (!l) return;
    sim_timer_del(&l->wire_timer);
    sim_timer_del(&l->sched_timer);
    if (l->kind == LINK_TCP || l->kind == LINK_PTY) {
        if (l->out_fd >= 0) {
            /* last chance for buffered output: switch to blocking for the final flush */
            fcntl(l->out_fd, F_SETFL, fcntl(l->out_fd, F_GETFL) & ~O_NONBLOCK);
            link_flush_outbuf(l);
            close(l->out_fd);
        }
        if (l->listen_fd >= 0) close(l->listen_fd);
        if (l->pty_slave >= 0) close(l->pty_slave);
    }
    if (l->out) {
        if (l->kind == LINK_FILE) fclose(l->out);
        else fflush(l->out);
    }
    if (l->restore_tty) tcsetattr(STDIN_FILENO, TCSANOW, &l->saved_tty);
    for (size_t i = 0; i < l->nsched; i++) free(l->sched[i].data);
    free(l->sched);
    free(l->outbuf);
    free(l->feed);
    free(l->rxq);
    free(l->until);
    free(l->until_fail);
    free(l->name);
    free(l->spec);
    free(l);
}

int uart_link_feed_file(uart_link_t *l, const char *path)
{
    uint8_t *data;
    size_t len;
    if (link_read_file(path, &data, &len) < 0) {
        fprintf(stderr, "%s: cannot read input file '%s': %s\n", l->name, path, strerror(errno));
        return -1;
    }
    free(l->feed);
    l->feed = data;
    l->feed_len = len;
    l->feed_pos = 0;
    link_wire_start(l);
    return 0;
}

void uart_link_set_until(uart_link_t *l, const char *text)
{
    free(l->until);
    free(l->until_fail);
    l->until = NULL;
    l->until_fail = NULL;
    l->until_len = l->until_state = 0;
    if (!text || !*text) return;
    size_t n = strlen(text);
    l->until = strdup(text);
    l->until_fail = calloc(n, sizeof *l->until_fail);
    if (!l->until || !l->until_fail) return;
    l->until_len = n;
    /* KMP failure function: the match survives any split of the text across bytes */
    for (size_t i = 1, k = 0; i < n; i++) {
        while (k && text[i] != text[k]) k = l->until_fail[k - 1];
        if (text[i] == text[k]) k++;
        l->until_fail[i] = k;
    }
}

void uart_link_attach_port(uart_link_t *l, const uart_port_ops_t *ops, void *dev)
{
    l->port = ops;
    l->dev = dev;
}

void uart_link_tx(uart_link_t *l, uint8_t b)
{
    l->stats.tx_bytes++;
    link_output(l, b);
    for (unsigned i = 0; i < l->nobs; i++) l->obs[i].fn(l->obs[i].opaque, b);
    if (l->until_len) {
        size_t k = l->until_state;
        while (k && (char)b != l->until[k]) k = l->until_fail[k - 1];
        if ((char)b == l->until[k]) k++;
        if (k == l->until_len) {
            sim_request_stop(l->sim, SIM_STOP_UART_TEXT);
            k = l->until_fail[k - 1];
        }
        l->until_state = k;
    }
}

void uart_link_rx_kick(uart_link_t *l)
{
    link_wire_start(l);
}

void uart_link_reset(uart_link_t *l)
{
    /* The wire belongs to the outside world: a frame in flight still lands (and the
     * reset UART drops it); queued input waits until the receiver is on again. */
    (void)l;
}

int uart_link_add_tx_observer(uart_link_t *l, uart_tx_observer_fn fn, void *opaque)
{
    if (l->nobs >= LINK_MAX_OBSERVERS) return -1;
    l->obs[l->nobs].fn = fn;
    l->obs[l->nobs].opaque = opaque;
    l->nobs++;
    return 0;
}

int uart_link_push_rx(uart_link_t *l, const uint8_t *buf, size_t len)
{
    int rc = link_rxq_put(l, buf, len);
    link_wire_start(l);
    return rc;
}

int uart_link_push_rx_at(uart_link_t *l, uint64_t when, const uint8_t *buf, size_t len)
{
    if (when <= sim_now(l->sim)) return uart_link_push_rx(l, buf, len);
    if (l->nsched == l->capsched) {
        size_t cap = l->capsched ? l->capsched * 2 : 8;
        link_sched_t *ns = realloc(l->sched, cap * sizeof *ns);
        if (!ns) return -1;
        l->sched = ns;
        l->capsched = cap;
    }
    uint8_t *d = malloc(len ? len : 1);
    if (!d) return -1;
    memcpy(d, buf, len);
    /* keep sorted by (when, push order) */
    size_t i = l->nsched;
    while (i > 0 && l->sched[i - 1].when > when) {
        l->sched[i] = l->sched[i - 1];
        i--;
    }
    l->sched[i] = (link_sched_t){ .when = when, .seq = l->sched_seq++, .len = len, .data = d };
    l->nsched++;
    link_sched_arm(l);
    return 0;
}

size_t uart_link_rx_pending(const uart_link_t *l)
{
    return l->rxq_count + (l->feed ? l->feed_len - l->feed_pos : 0);
}

const uart_link_stats_t *uart_link_stats(const uart_link_t *l) { return &l->stats; }
const char *uart_link_name(const uart_link_t *l) { return l->name; }
const char *uart_link_spec(const uart_link_t *l) { return l->spec; }
