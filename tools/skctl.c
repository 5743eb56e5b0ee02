/* skctl: serverkernel client (docs/protocol.md).
 *
 *   skctl [OPTIONS] discover [--listen SECONDS]
 *   skctl [OPTIONS] info NODE
 *   skctl [OPTIONS] attest NODE [--image kernel.img]
 *   skctl [OPTIONS] run NODE payload.skp [ARGS...]
 * OPTIONS: --serial DEVICE|tcp:HOST:PORT (default tcp:127.0.0.1:5555), or --udp HOST[:PORT]
 *   (the UDP transport, default port 7700: one message ‖ CRC-32 per datagram; with
 *   "discover --listen S" the socket is bound to the port to hear the broadcast adverts,
 *   HOST may be 255.255.255.255), --key FILE (device
 *   key, for attest), --timeout MS (per request, default 3000), --run-timeout MS (EXEC,
 *   default 60000), --trusted, --budget US, --chunk N (upload chunk size), -v (frame log).
 * NODE: a node id (decimal or 0x hex) that must match the answering node, or "any", or an
 *   IPv4 address [:PORT] (= --udp ADDRESS[:PORT] with any node id).
 * ARGS are joined with single spaces into the argument block (the md5 payload reads "N TEXT").
 *
 * Output: one machine-readable line per answer ("node ...", "info ...", "attest ...",
 * "result ..."). Exit status: 0 ok; 1 transport failure or timeout; 2 usage; 3 the payload
 * ran and faulted (abort, undefined instruction, budget...); 4 the node refused the request
 * (verification, protocol error); 5 attestation failed. Every wait has a timeout. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "lib/crc.h"
#include "lib/hmac.h"
#include "lib/sha256.h"
#include "sk/link.h"
#include "sk/loader.h"
#include "sk/proto.h"
#include "sk/sandbox.h"
#include "sk/sk_payload.h"
#include "skkey.h"

enum { EX_OK = 0, EX_IO = 1, EX_USAGE = 2, EX_FAULT = 3, EX_REFUSED = 4, EX_ATTEST = 5 };

static int fd = -1;
static int verbose;
static int test_drop = -1; /* --test-drop SEQ: leave that chunk out of the first round */
static unsigned timeout_ms = 3000, run_timeout_ms = 60000;
static uint16_t next_tid;
static sk_link_rx_t rx;
static uint8_t rxmsg[SK_PROTO_MSG_MAX];
static size_t rxlen;
static uint32_t want_node;
static int want_any = 1;
static int udp_mode;                 /* --udp: fd is a datagram socket, messages go to udp_peer */
static struct sockaddr_in udp_peer;
#define SKCTL_UDP_PORT 7700          /* target/sk/udp.h SK_UDP_PORT */

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int open_transport(const char *spec)
{
    if (!strncmp(spec, "tcp:", 4)) {
        char host[256];
        const char *colon = strrchr(spec + 4, ':');
        if (!colon || (size_t)(colon - spec - 4) >= sizeof host) {
            fprintf(stderr, "skctl: bad transport %s (tcp:HOST:PORT)\n", spec);
            return -1;
        }
        memcpy(host, spec + 4, (size_t)(colon - spec - 4));
        host[colon - spec - 4] = 0;
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
        if (getaddrinfo(host, colon + 1, &hints, &res)) {
            fprintf(stderr, "skctl: cannot resolve %s\n", host);
            return -1;
        }
        int s = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
        if (s < 0 || connect(s, res->ai_addr, res->ai_addrlen)) {
            fprintf(stderr, "skctl: connect %s: %s\n", spec, strerror(errno));
            freeaddrinfo(res);
            if (s >= 0)
                close(s);
            return -1;
        }
        freeaddrinfo(res);
        return s;
    }
    int s = open(spec, O_RDWR | O_NOCTTY);
    if (s < 0) {
        fprintf(stderr, "skctl: %s: %s\n", spec, strerror(errno));
        return -1;
    }
    struct termios t;
    if (!tcgetattr(s, &t)) { /* a real tty: raw 115200 8N1 (a pty or file just works) */
        cfmakeraw(&t);
        cfsetispeed(&t, B115200);
        cfsetospeed(&t, B115200);
        t.c_cflag |= CLOCAL | CREAD;
        tcsetattr(s, TCSANOW, &t);
    }
    return s;
}

/* --udp HOST[:PORT]: an IPv4 datagram socket (broadcast allowed); bound to PORT when `bind_port`
 * (discover --listen: the node's adverts go to 255.255.255.255:PORT). */
static int open_udp(const char *spec, int bind_port)
{
    char host[256];
    unsigned port = SKCTL_UDP_PORT;
    const char *colon = strrchr(spec, ':');
    size_t hl = colon ? (size_t)(colon - spec) : strlen(spec);
    if (!hl || hl >= sizeof host) {
        fprintf(stderr, "skctl: bad --udp %s (HOST[:PORT])\n", spec);
        return -1;
    }
    memcpy(host, spec, hl);
    host[hl] = 0;
    if (colon) {
        char *end;
        unsigned long p = strtoul(colon + 1, &end, 10);
        if (*end || !p || p > 65535) {
            fprintf(stderr, "skctl: bad --udp port %s\n", colon + 1);
            return -1;
        }
        port = (unsigned)p;
    }
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *res;
    if (getaddrinfo(host, 0, &hints, &res)) {
        fprintf(stderr, "skctl: cannot resolve %s\n", host);
        return -1;
    }
    memcpy(&udp_peer, res->ai_addr, sizeof udp_peer);
    freeaddrinfo(res);
    udp_peer.sin_port = htons((uint16_t)port);
    int s = socket(AF_INET, SOCK_DGRAM, 0), one = 1;
    if (s < 0) {
        fprintf(stderr, "skctl: socket: %s\n", strerror(errno));
        return -1;
    }
    setsockopt(s, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    if (bind_port) {
        struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                 .sin_addr.s_addr = htonl(INADDR_ANY)};
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(s, (struct sockaddr *)&me, sizeof me)) {
            fprintf(stderr, "skctl: bind UDP port %u: %s\n", port, strerror(errno));
            close(s);
            return -1;
        }
    }
    udp_mode = 1;
    return s;
}

/* One datagram: message ‖ CRC-32(message), little endian. */
static int udp_send(const uint8_t *msg, size_t n)
{
    uint8_t d[SK_PROTO_MSG_MAX + 4];
    memcpy(d, msg, n);
    sk_wr32(d + n, crc32(msg, n));
    if (sendto(fd, d, n + 4, 0, (struct sockaddr *)&udp_peer, sizeof udp_peer) != (ssize_t)(n + 4)) {
        fprintf(stderr, "skctl: sendto: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

/* Waits until the transport's fd is readable: 1, or 0 once deadline_us has passed, -1 on
 * a poll error. */
static int wait_readable(uint64_t deadline_us)
{
    for (;;) {
        uint64_t now = now_us();
        if (now >= deadline_us)
            return 0;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int pr = poll(&p, 1, (int)((deadline_us - now) / 1000u) + 1);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr < 0)
            return -1;
        if (pr > 0)
            return 1;
    }
}

/* Next valid message datagram within deadline_us: 1, 0 timeout, -1 error. Bad datagrams
 * (short, CRC, undecodable) are skipped (shown with -v). */
static int udp_recv(uint64_t deadline_us, sk_msg_t *m)
{
    uint8_t d[SK_PROTO_MSG_MAX + 64];
    for (;;) {
        int w = wait_readable(deadline_us);
        if (w <= 0)
            return w;
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(fd, d, sizeof d, 0, (struct sockaddr *)&from, &fl);
        if (n < 0 && (errno == EINTR || errno == ECONNREFUSED))
            continue;
        if (n < 0) {
            fprintf(stderr, "skctl: recvfrom: %s\n", strerror(errno));
            return -1;
        }
        if (n < 4 + SK_PROTO_HDR || crc32(d, (size_t)n - 4) != sk_rd32(d + n - 4)) {
            if (verbose)
                fprintf(stderr, "skctl: dropped a bad datagram (%zd bytes) from %s\n", n, inet_ntoa(from.sin_addr));
            continue;
        }
        int rc = sk_proto_decode(d, (size_t)n - 4, m);
        if (verbose)
            fprintf(stderr, "skctl: <- %s tid=%u from %s (%s)\n", sk_msg_type_str(m->type), m->tid,
                    inet_ntoa(from.sin_addr), sk_proto_err_str(rc));
        if (rc == SK_E_OK)
            return 1;
    }
}

/* Frames are collected while `batching` and written with one write() by flush_batch(): a
 * pipelined upload reaches the node as one burst (see exec.h "Simulator note"). */
static uint8_t *batch;
static size_t batch_len, batch_cap;
static int batching;

static int write_all(const uint8_t *p, size_t n)
{
    for (size_t off = 0; off < n;) {
        ssize_t w = write(fd, p + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fprintf(stderr, "skctl: write: %s\n", strerror(errno));
            return -1;
        }
        off += (size_t)w;
    }
    return 0;
}

static int flush_batch(void)
{
    int rc = batch_len ? write_all(batch, batch_len) : 0;
    batch_len = 0;
    batching = 0;
    return rc;
}

static int send_msg(const sk_msg_t *m)
{
    uint8_t buf[SK_PROTO_MSG_MAX], frame[SK_LINK_ENC_MAX];
    int n = sk_proto_encode(m, buf, sizeof buf);
    if (n < 0) {
        fprintf(stderr, "skctl: encode %s: %s\n", sk_msg_type_str(m->type), sk_proto_err_str(n));
        return -1;
    }
    if (verbose)
        fprintf(stderr, "skctl: -> %s tid=%u %d bytes\n", sk_msg_type_str(m->type), m->tid, n);
    if (udp_mode) /* one datagram each, sent at once: a burst as well */
        return udp_send(buf, (size_t)n);
    int f = sk_link_encode(buf, (size_t)n, frame, sizeof frame);
    if (f < 0)
        return -1;
    if (batching) {
        if (batch_len + (size_t)f > batch_cap) {
            batch_cap = (batch_len + (size_t)f) * 2;
            batch = realloc(batch, batch_cap);
            if (!batch)
                return -1;
        }
        memcpy(batch + batch_len, frame, (size_t)f);
        batch_len += (size_t)f;
        return 0;
    }
    return write_all(frame, (size_t)f);
}

/* Next decoded message within deadline_us; 1 got one, 0 timeout, -1 transport error. */
static int recv_msg(uint64_t deadline_us, sk_msg_t *m)
{
    uint8_t buf[512];
    static uint8_t pend[512];
    static size_t npend, ppos;
    if (udp_mode)
        return udp_recv(deadline_us, m);
    for (;;) {
        while (ppos < npend) {
            int r = sk_link_feed(&rx, pend[ppos++], now_us(), rxmsg, sizeof rxmsg, &rxlen);
            if (r == SK_LINK_FRAME) {
                int rc = sk_proto_decode(rxmsg, rxlen, m);
                if (verbose)
                    fprintf(stderr, "skctl: <- %s tid=%u (%s)\n", sk_msg_type_str(m->type), m->tid,
                            sk_proto_err_str(rc));
                if (rc == SK_E_OK)
                    return 1;
            } else if (r == SK_LINK_TEXT && verbose) {
                fputc(pend[ppos - 1], stderr); /* console text between frames */
            } else if (r == SK_LINK_BAD && verbose) {
                fprintf(stderr, "skctl: dropped a bad frame\n");
            }
        }
        int w = wait_readable(deadline_us);
        if (w <= 0)
            return w;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            fprintf(stderr, "skctl: transport closed\n");
            return -1;
        }
        memcpy(pend, buf, (size_t)n);
        npend = (size_t)n;
        ppos = 0;
    }
}

/* Sends m (tries times, each waiting wait_ms) until a reply with its tid arrives. */
static int request(sk_msg_t *m, sk_msg_t *reply, unsigned wait_ms, int tries)
{
    m->tid = ++next_tid ? next_tid : ++next_tid;
    for (int t = 0; t < tries; t++) {
        if (send_msg(m))
            return -1;
        uint64_t deadline = now_us() + (uint64_t)wait_ms * 1000u;
        for (;;) {
            int r = recv_msg(deadline, reply);
            if (r < 0)
                return -1;
            if (r == 0)
                break;
            if (reply->tid == m->tid)
                return 0;
        }
        if (verbose)
            fprintf(stderr, "skctl: no answer to %s tid=%u, retry %d\n", sk_msg_type_str(m->type), m->tid, t + 1);
    }
    fprintf(stderr, "skctl: timeout: no answer to %s after %d tries of %u ms\n", sk_msg_type_str(m->type), tries,
            wait_ms);
    return -1;
}

static void hexs(const uint8_t *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
    out[2 * n] = 0;
}

/* The wire values of sk_run_status_t (sandbox.h). */
static const char *run_name(uint8_t s)
{
    static const char *const n[] = {"ok", "abort", "undefined-instruction", "budget-exceeded", "bad-call",
                                    "invalid-request"};
    return s < 6 ? n[s] : "unknown";
}

static const char *state_name(uint8_t s)
{
    static const char *const n[] = {"idle", "receiving", "verifying", "running", "replying"};
    return s < 5 ? n[s] : "unknown";
}

static void print_advert(const char *tag, const sk_advert_t *a)
{
    char nonce[2 * SK_PROTO_NONCE_LEN + 1];
    hexs(a->nonce, SK_PROTO_NONCE_LEN, nonce);
    printf("%s id=0x%x board=%s cpu_hz=%u free_mem=%u fmt=%u abi=%u budget_us=%u max_payload=%u auth=%d "
           "shielded=%d trusted=%d state=%s nonce=%s",
           tag, a->node_id, a->board, a->cpu_hz, a->free_mem, a->fmt_version, a->abi_version, a->budget_us,
           a->max_payload, !!(a->flags & SK_ADV_AUTH_REQUIRED), !!(a->flags & SK_ADV_SHIELDED),
           !!(a->flags & SK_ADV_TRUSTED_MODE), state_name(a->state), nonce);
}

static int node_ok(uint32_t id)
{
    if (want_any || id == want_node)
        return 1;
    fprintf(stderr, "skctl: answer from node 0x%x, not the requested 0x%x\n", id, want_node);
    return 0;
}

static int refused(const sk_msg_t *r, const char *what)
{
    if (r->type == SK_MSG_ERROR) {
        fprintf(stderr, "skctl: %s refused: %s (%d)\n", what, sk_proto_err_str(r->u.error.code), r->u.error.code);
        printf("error code=%d %s\n", r->u.error.code, sk_proto_err_str(r->u.error.code));
        return 1;
    }
    return 0;
}

static int cmd_discover(unsigned listen_s)
{
    sk_msg_t m = {.type = SK_MSG_DISCOVER}, r;
    if (request(&m, &r, timeout_ms, 3))
        return EX_IO;
    if (r.type != SK_MSG_ADVERT)
        return EX_REFUSED;
    print_advert("node", &r.u.adv);
    printf("\n");
    /* then the periodic adverts the node sends while idle */
    uint64_t end = now_us() + (uint64_t)listen_s * 1000000u;
    unsigned seen = 0;
    while (listen_s) {
        int k = recv_msg(end, &r);
        if (k <= 0)
            break;
        if (r.type == SK_MSG_ADVERT && r.tid == 0) {
            print_advert("advert", &r.u.adv);
            printf("\n");
            seen++;
        }
    }
    if (listen_s)
        printf("adverts seen=%u in %us\n", seen, listen_s);
    return EX_OK;
}

static int cmd_info(void)
{
    sk_msg_t m = {.type = SK_MSG_INFO_REQ}, r;
    if (request(&m, &r, timeout_ms, 3))
        return EX_IO;
    if (refused(&r, "info"))
        return EX_REFUSED;
    if (r.type != SK_MSG_INFO || !node_ok(r.u.info.adv.node_id))
        return EX_REFUSED;
    print_advert("info", &r.u.info.adv);
    printf(" uptime_ms=%u runs=%u run_faults=%u frames_bad=%u uploads_aborted=%u loads_rejected=%u fw=%s\n",
           r.u.info.uptime_ms, r.u.info.runs, r.u.info.run_faults, r.u.info.frames_bad, r.u.info.uploads_aborted,
           r.u.info.loads_rejected, r.u.info.fw_version);
    return EX_OK;
}

static uint8_t *slurp(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "skctl: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    uint8_t *b = malloc(max + 1);
    *len = fread(b, 1, max + 1, f);
    fclose(f);
    if (*len > max) {
        fprintf(stderr, "skctl: %s larger than %zu bytes\n", path, max);
        free(b);
        return NULL;
    }
    return b;
}

static int cmd_attest(const char *keyfile, const char *image)
{
    uint8_t key[SK_PAYLOAD_KEY_MAX];
    if (!keyfile) {
        fprintf(stderr, "skctl: attest needs --key FILE (the device key)\n");
        return EX_USAGE;
    }
    int kl = skkey_read(keyfile, key, sizeof key);
    if (kl < 0)
        return EX_USAGE;
    sk_msg_t m = {.type = SK_MSG_ATTEST_REQ}, r;
    FILE *ur = fopen("/dev/urandom", "rb");
    if (!ur || fread(m.u.challenge, 1, SK_PROTO_CHALLENGE_LEN, ur) != SK_PROTO_CHALLENGE_LEN) {
        fprintf(stderr, "skctl: /dev/urandom unreadable\n");
        return EX_IO;
    }
    fclose(ur);
    if (request(&m, &r, timeout_ms, 3))
        return EX_IO;
    if (refused(&r, "attest") || r.type != SK_MSG_ATTEST)
        return EX_REFUSED;
    uint8_t mac[32], buf[64];
    memcpy(buf, m.u.challenge, 32);
    memcpy(buf + 32, r.u.attest.fw_sha256, 32);
    hmac_sha256(key, (size_t)kl, buf, sizeof buf, mac);
    int mac_ok = !hmac_ct_compare(mac, r.u.attest.mac, 32);
    const char *img = "not-given";
    int img_ok = 1;
    if (image) {
        size_t len;
        uint8_t *b = slurp(image, 64u << 20, &len);
        if (!b)
            return EX_IO;
        /* the node hashes [image start, .bss start): the file plus the zero padding to .bss */
        uint8_t d[32];
        sha256_ctx_t c;
        sha256_init(&c);
        sha256_update(&c, b, len < r.u.attest.image_len ? len : r.u.attest.image_len);
        for (size_t i = len; i < r.u.attest.image_len; i++)
            sha256_update(&c, "", 1);
        sha256_final(&c, d);
        free(b);
        img_ok = !memcmp(d, r.u.attest.fw_sha256, 32) && len <= r.u.attest.image_len;
        img = img_ok ? "match" : "mismatch";
    }
    char h[65];
    hexs(r.u.attest.fw_sha256, 32, h);
    printf("attest image_len=%u fw_sha256=%s mac=%s image=%s (software attestation)\n", r.u.attest.image_len, h,
           mac_ok ? "ok" : "BAD", img);
    return mac_ok && img_ok ? EX_OK : EX_ATTEST;
}

/* An upload's answers other than EXEC's: BEGIN's ACK (sets *begin_ok) and chunk ACKs (marks
 * acked[], counts *nacked). 1 taken, 0 not an upload answer, -1 the node refused. */
static int upload_answer(const sk_msg_t *r, uint16_t begin_tid, int *begin_ok, uint8_t *acked, uint32_t nchunks,
                         uint32_t *nacked)
{
    if (r->tid == begin_tid) {
        if (r->type == SK_MSG_ACK && r->u.ack.status == SK_E_OK) {
            *begin_ok = 1;
            return 1;
        }
        refused(r, "upload");
        return -1;
    }
    if (r->type != SK_MSG_ACK || r->u.ack.seq >= nchunks)
        return 0;
    if (r->u.ack.status != SK_E_OK) {
        fprintf(stderr, "skctl: chunk %u refused: %s\n", r->u.ack.seq, sk_proto_err_str(r->u.ack.status));
        return -1;
    }
    if (!acked[r->u.ack.seq]) {
        acked[r->u.ack.seq] = 1;
        ++*nacked;
    }
    return 1;
}

/* UDP: at most this many upload datagrams unanswered (the node's mailbox holds
 * SK_UDP_SLOTS = 16 and drops beyond; serial has no such limit: the line paces itself). */
#define SKCTL_UDP_WINDOW 8u

static int cmd_run(const char *path, int argc, char **argv, unsigned chunk, int trusted, uint32_t budget)
{
    size_t len;
    uint8_t *file = slurp(path, SK_PAYLOAD_MAX_FILE, &len);
    if (!file)
        return EX_IO;
    uint8_t arg[SK_PROTO_ARG_MAX];
    size_t alen = 0;
    for (int i = 0; i < argc; i++) {
        size_t l = strlen(argv[i]);
        if (alen + l + (i > 0) > sizeof arg) {
            fprintf(stderr, "skctl: argument block longer than %u bytes\n", SK_PROTO_ARG_MAX);
            free(file);
            return EX_USAGE;
        }
        if (i)
            arg[alen++] = ' ';
        memcpy(arg + alen, argv[i], l);
        alen += l;
    }
    /* Pipelined upload (docs/protocol.md "Upload"): BEGIN, every chunk not yet acknowledged
     * and EXEC go out back to back; the answers are collected until EXEC's reply. A lost
     * BEGIN or chunk shows as SK_E_STATE / SK_E_INCOMPLETE for EXEC (or no reply at all):
     * the next round resends only what was not acknowledged. */
    uint64_t t_start = now_us(), t_up = 0;
    uint32_t nchunks = (uint32_t)((len + chunk - 1) / chunk), retrans = 0, nacked = 0;
    uint8_t *acked = calloc(nchunks, 1);
    int begin_ok = 0, rc = EX_IO, done = 0;
    uint16_t begin_tid = 0;
    sk_msg_t r;
    for (int round = 0; round < 6 && !done; round++) {
        batching = 1;
        unsigned sent = 0, answered = 0;
        if (!begin_ok) {
            sk_msg_t m = {.type = SK_MSG_UPLOAD_BEGIN};
            m.u.begin.total_len = (uint32_t)len;
            m.u.begin.chunk_size = (uint16_t)chunk;
            m.tid = begin_tid = ++next_tid;
            if (send_msg(&m))
                goto out;
            memset(acked, 0, nchunks);
            nacked = 0;
        }
        for (uint32_t s = 0; s < nchunks; s++) {
            if (acked[s])
                continue;
            sk_msg_t c = {.type = SK_MSG_UPLOAD_CHUNK, .tid = ++next_tid};
            c.u.chunk.seq = (uint16_t)s;
            c.u.chunk.data = file + (size_t)s * chunk;
            c.u.chunk.len = (uint16_t)(s + 1 == nchunks ? len - (size_t)s * chunk : chunk);
            if (round)
                retrans++;
            if (round == 0 && (int)s == test_drop) {
                fprintf(stderr, "skctl: test: chunk %u not sent in round 1\n", s);
                continue;
            }
            /* UDP: wait for answers while the window is full (timeout_ms at most, then send
             * on: what the node drops is resent in the next round) */
            while (udp_mode && sent - answered >= SKCTL_UDP_WINDOW) {
                int k = recv_msg(now_us() + (uint64_t)timeout_ms * 1000u, &r);
                if (k < 0)
                    goto out;
                if (k == 0) {
                    answered = sent;
                    break;
                }
                int a = upload_answer(&r, begin_tid, &begin_ok, acked, nchunks, &nacked);
                if (a < 0) {
                    rc = EX_REFUSED;
                    goto out;
                }
                answered += (unsigned)a;
            }
            if (send_msg(&c))
                goto out;
            sent++;
        }
        sk_msg_t e = {.type = SK_MSG_EXEC, .tid = ++next_tid};
        e.u.exec.flags = trusted ? SK_EXEC_TRUSTED : 0;
        e.u.exec.budget_us = budget;
        e.u.exec.out_cap = SK_PROTO_OUT_MAX;
        e.u.exec.arg = arg;
        e.u.exec.arg_len = (uint16_t)alen;
        if (send_msg(&e) || flush_batch())
            goto out;
        /* the upload's answers within timeout_ms of each other, then EXEC's within run_timeout_ms */
        uint64_t deadline = now_us() + (uint64_t)timeout_ms * 1000u;
        for (;;) {
            int k = recv_msg(deadline, &r);
            if (k < 0)
                goto out;
            if (k == 0 && nacked == nchunks && begin_ok) {
                /* the node has the whole payload: it may have run it; never run it twice */
                fprintf(stderr, "skctl: timeout: no result within %u ms of the upload\n", run_timeout_ms);
                goto out;
            }
            if (k == 0) {
                fprintf(stderr, "skctl: round %d: no answer to exec (acked %u/%u chunks), retrying\n", round + 1,
                        nacked, nchunks);
                break;
            }
            if (r.tid == e.tid) {
                if (r.type == SK_MSG_RESULT) {
                    done = 1;
                    break;
                }
                if (r.type == SK_MSG_ERROR &&
                    (r.u.error.code == SK_E_INCOMPLETE || r.u.error.code == SK_E_STATE)) {
                    /* INCOMPLETE: resend the unacknowledged chunks. STATE: the node has no
                     * upload (BEGIN lost, upload timed out, node rebooted): start over. */
                    if (r.u.error.code == SK_E_STATE)
                        begin_ok = 0;
                    if (verbose)
                        fprintf(stderr, "skctl: exec: %s, resending\n", sk_proto_err_str(r.u.error.code));
                    break;
                }
                refused(&r, "exec");
                rc = EX_REFUSED;
                goto out;
            } else {
                uint32_t before = nacked;
                int a = upload_answer(&r, begin_tid, &begin_ok, acked, nchunks, &nacked);
                if (a < 0) {
                    rc = EX_REFUSED;
                    goto out;
                }
                if (a && nacked == nchunks && before < nchunks) {
                    t_up = now_us();
                    deadline = t_up + (uint64_t)run_timeout_ms * 1000u; /* now the run */
                } else if (a && nacked < nchunks) {
                    deadline = now_us() + (uint64_t)timeout_ms * 1000u;
                }
            }
        }
    }
    if (!done) {
        fprintf(stderr, "skctl: timeout: no result after 6 rounds\n");
        goto out;
    }
    uint64_t t_exec = t_up ? t_up : t_start;
    uint64_t t_end = now_us();
    if (refused(&r, "exec")) {
        rc = EX_REFUSED;
        goto out;
    }
    if (r.type != SK_MSG_RESULT)
        goto out;
    char *oh = malloc(2u * r.u.result.out_len + 1);
    hexs(r.u.result.out, r.u.result.out_len, oh);
    printf("result status=%s code=%d run=%s retval=%d cycles=%llu us=%u out_len=%u truncated=%u fault_addr=0x%x "
           "fault_pc=0x%x upload_us=%llu exec_us=%llu total_us=%llu retransmits=%u out=%s\n",
           r.u.result.status ? "refused" : "ran", r.u.result.status,
           r.u.result.status ? "-" : run_name(r.u.result.run_status), r.u.result.retval,
           (unsigned long long)r.u.result.cycles, r.u.result.us, r.u.result.out_len, r.u.result.out_truncated,
           r.u.result.fault_addr, r.u.result.fault_pc, (unsigned long long)(t_exec - t_start),
           (unsigned long long)(t_end - t_exec), (unsigned long long)(t_end - t_start), retrans, oh);
    free(oh);

    if (r.u.result.status) {
        fprintf(stderr, "skctl: node refused the payload: %s (%d)\n", sk_proto_err_str(r.u.result.status),
                r.u.result.status);
        rc = EX_REFUSED;
    } else {
        rc = r.u.result.run_status == SK_RUN_OK ? EX_OK : EX_FAULT;
    }
out:
    free(batch);
    batch = NULL;
    batch_cap = batch_len = 0;
    batching = 0;
    free(acked);
    free(file);
    return rc;
}

static int usage(void)
{
    fprintf(stderr, "usage: skctl [--serial DEVICE|tcp:HOST:PORT | --udp HOST[:PORT]] [--key FILE] [--timeout MS] [--run-timeout MS]\n"
                    "             [--trusted] [--budget US] [--chunk N] [-v] COMMAND\n"
                    "  discover [--listen SECONDS] | info NODE | attest NODE [--image FILE] |\n"
                    "  run NODE payload.skp [ARGS...]\n");
    return EX_USAGE;
}

int main(int argc, char **argv)
{
    const char *spec = "tcp:127.0.0.1:5555", *udp = 0, *keyfile = 0, *image = 0;
    unsigned chunk = 512, listen_s = 0;
    int trusted = 0;
    uint32_t budget = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "-v")) {
            verbose = 1;
            continue;
        }
        if (!strcmp(o, "--trusted")) {
            trusted = 1;
            continue;
        }
        if (!v)
            return usage();
        i++;
        if (!strcmp(o, "--serial"))
            spec = v;
        else if (!strcmp(o, "--udp"))
            udp = v;
        else if (!strcmp(o, "--key"))
            keyfile = v;
        else if (!strcmp(o, "--timeout"))
            timeout_ms = (unsigned)strtoul(v, 0, 0);
        else if (!strcmp(o, "--run-timeout"))
            run_timeout_ms = (unsigned)strtoul(v, 0, 0);
        else if (!strcmp(o, "--budget"))
            budget = (uint32_t)strtoul(v, 0, 0);
        else if (!strcmp(o, "--chunk"))
            chunk = (unsigned)strtoul(v, 0, 0);
        else if (!strcmp(o, "--test-drop"))
            test_drop = (int)strtol(v, 0, 0);
        else
            return usage();
    }
    if (i >= argc || chunk < SK_PROTO_CHUNK_MIN || chunk > SK_PROTO_CHUNK_MAX || !timeout_ms || !run_timeout_ms)
        return usage();
    const char *cmd = argv[i++];
    if (strcmp(cmd, "discover")) {
        if (i >= argc)
            return usage();
        const char *node = argv[i++];
        if (strcmp(node, "any")) {
            char *end, ip[64];
            want_node = (uint32_t)strtoul(node, &end, 0);
            size_t hl = strcspn(node, ":");
            struct in_addr ia;
            if (*end && !udp && hl < sizeof ip && (memcpy(ip, node, hl), ip[hl] = 0, inet_pton(AF_INET, ip, &ia) == 1)) {
                udp = node; /* NODE = IPv4[:PORT]: the UDP transport to that address, any node id */
            } else {
                if (*end)
                    return usage();
                want_any = 0;
            }
        }
    }
    /* command options after the positional ones */
    if (!strcmp(cmd, "discover") && i + 1 < argc && !strcmp(argv[i], "--listen")) {
        listen_s = (unsigned)strtoul(argv[i + 1], 0, 0);
        i += 2;
    }
    if (!strcmp(cmd, "attest") && i + 1 < argc && !strcmp(argv[i], "--image")) {
        image = argv[i + 1];
        i += 2;
    }
    srand((unsigned)now_us());
    next_tid = (uint16_t)rand();
    sk_link_rx_init(&rx);
    fd = udp ? open_udp(udp, !strcmp(cmd, "discover") && listen_s) : open_transport(spec);
    if (fd < 0)
        return EX_IO;
    int rc;
    if (!strcmp(cmd, "discover") && i == argc)
        rc = cmd_discover(listen_s);
    else if (!strcmp(cmd, "info") && i == argc)
        rc = cmd_info();
    else if (!strcmp(cmd, "attest") && i == argc)
        rc = cmd_attest(keyfile, image);
    else if (!strcmp(cmd, "run") && i < argc)
        rc = cmd_run(argv[i], argc - i - 1, argv + i + 1, chunk, trusted, budget);
    else
        rc = usage();
    close(fd);
    return rc;
}
