/* Ethernet link: spec parsing, the frame queue towards the NIC, the pcap writer, the
 * counters, and the "null" and "tap" backends. See eth_link.h for the contract;
 * eth_slirp.c and eth_peer.c are the other backends (eth_internal.h).
 *
 * Frames for the NIC never reach it from inside eth_link_send() or from host I/O
 * directly: every backend queues them (eth_link_deliver_at) with a simulated delivery
 * time and one sim_timer hands them to the NIC's callback at that time, in order. So a
 * NIC model is never re-entered while it is sending, and host input (slirp, tap: read
 * only from eth_link_idle(), i.e. while the guest waits in WFI) enters at the simulated
 * instant the guest was waiting, as UART input does (uart_link.c).
 *
 * Pacing (host-facing backends: slirp, tap): while the guest waits in WFI the simulator
 * jumps to the next event, so an idle guest would run simulated time far ahead of the
 * host (10^5 x was seen): slirp's timers, DHCP leases and the host's view of the link
 * would be meaningless. eth_link_idle() therefore waits on the host sockets for as long
 * as simulated time is ahead of host time (at most ETH_PACE_MAX_MS per call), like QEMU's
 * -icount sleep=on; a busy guest is not slowed down, and a simulation that fell behind
 * (busy) is re-anchored instead of catching up in a burst. This is the one place the
 * link looks at the host clock, and only for backends that talk to the host anyway; the
 * null and peer backends stay purely simulated (deterministic).
 *
 * pcap: the classic libpcap file format (24-byte global header, 16-byte record headers)
 * with link type 1 (Ethernet) and the nanosecond-resolution magic 0xa1b23c4d, because a
 * 5-byte echo in the firmware lasts a few µs of simulated time and microsecond stamps
 * would hide it; tshark/tcpdump/libpcap read this variant natively. Timestamps are
 * simulated time since power-on (sim_cycles_to_ns), not host time. */
#define _GNU_SOURCE
#include "link/eth_internal.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define ETH_RXQ_SLOTS      512u      /* frames waiting for their delivery time */
#define PCAP_MAGIC_NS      0xa1b23c4du
#define PCAP_LINKTYPE_ETH  1u
#define PCAP_SNAPLEN       65535u
#define TAP_READS_PER_IDLE 64        /* frames read from a tap per idle call (bounded) */
#define ETH_BLOCK_MS       100       /* host wait per blocking idle call */
#define ETH_PACE_MAX_MS    100       /* host wait per idle call while simulated time leads */
#define ETH_PACE_REANCHOR_NS 100000000u /* simulation behind host time by more: re-anchor */

typedef struct eth_slot {
    uint64_t when;
    uint16_t len;
    uint8_t data[ETH_LINK_MAX_FRAME];
} eth_slot_t;

struct eth_link {
    sim_t *sim;
    char *spec;
    const eth_backend_ops_t *ops;
    void *be;
    eth_link_rx_fn rx;
    void *nic;
    eth_slot_t *q;               /* ring of ETH_RXQ_SLOTS */
    size_t qhead, qcount;
    sim_timer_t deliver_timer;
    FILE *pcap;
    char *pcap_path;
    bool paced;                  /* host-facing backend: pace idle time (see above) */
    bool pace_init;
    uint64_t pace_sim_ns;        /* anchor: simulated ns <-> host monotonic ns */
    uint64_t pace_host_ns;
    eth_link_stats_t stats;
};

/* ---- helpers for backends ---------------------------------------------------------- */
sim_t *eth_link_sim(const eth_link_t *l) { return l->sim; }
void eth_link_count_backend_error(eth_link_t *l) { l->stats.backend_errors++; }

uint32_t eth_csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1) sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

uint16_t eth_csum_fold(uint32_t sum)
{
    while (sum >> 16) sum = (sum & 0xFFFFu) + (sum >> 16);
    return (uint16_t)sum;
}

static bool eth_len_ok(size_t len) { return len >= ETH_LINK_MIN_FRAME && len <= ETH_LINK_MAX_FRAME; }

/* ---- pcap ---------------------------------------------------------------------------- */
static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void eth_pcap_record(eth_link_t *l, uint64_t when, const uint8_t *frame, size_t len)
{
    if (!l->pcap) return;
    uint64_t ns = sim_cycles_to_ns(l->sim, when);
    uint8_t h[16];
    put_le32(h, (uint32_t)(ns / 1000000000u));
    put_le32(h + 4, (uint32_t)(ns % 1000000000u));
    put_le32(h + 8, (uint32_t)len);
    put_le32(h + 12, (uint32_t)len);
    /* flushed per record: a run that is killed still leaves a readable file */
    if (fwrite(h, sizeof h, 1, l->pcap) != 1 || fwrite(frame, len, 1, l->pcap) != 1 || fflush(l->pcap) != 0) {
        fprintf(stderr, "bcm2835-sim: eth pcap %s: write failed (%s); pcap closed\n", l->pcap_path, strerror(errno));
        fclose(l->pcap);
        l->pcap = NULL;
        l->stats.backend_errors++;
        return;
    }
    l->stats.pcap_records++;
}

int eth_link_set_pcap(eth_link_t *l, const char *path)
{
    if (l->pcap) {
        fprintf(stderr, "bcm2835-sim: eth pcap already set (%s)\n", l->pcap_path);
        return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "bcm2835-sim: eth pcap %s: %s\n", path, strerror(errno));
        return -1;
    }
    uint8_t h[24];
    put_le32(h, PCAP_MAGIC_NS);
    h[4] = 2; h[5] = 0;        /* version 2.4, little endian like the magic */
    h[6] = 4; h[7] = 0;
    put_le32(h + 8, 0);        /* thiszone */
    put_le32(h + 12, 0);       /* sigfigs */
    put_le32(h + 16, PCAP_SNAPLEN);
    put_le32(h + 20, PCAP_LINKTYPE_ETH);
    if (fwrite(h, sizeof h, 1, f) != 1 || fflush(f) != 0) {
        fprintf(stderr, "bcm2835-sim: eth pcap %s: %s\n", path, strerror(errno));
        fclose(f);
        return -1;
    }
    l->pcap = f;
    free(l->pcap_path);
    l->pcap_path = strdup(path);
    return 0;
}

/* ---- frames towards the NIC ------------------------------------------------------- */
static void eth_deliver_due(void *opaque)
{
    eth_link_t *l = opaque;
    uint64_t now = sim_now(l->sim);
    /* bounded: at most the frames queued now; the callback may queue more (later) */
    for (size_t budget = l->qcount; budget && l->qcount; budget--) {
        eth_slot_t *s = &l->q[l->qhead];
        if (s->when > now) break;
        eth_pcap_record(l, s->when, s->data, s->len);
        l->qhead = (l->qhead + 1) % ETH_RXQ_SLOTS;
        l->qcount--;
        if (!l->rx) {
            l->stats.rx_no_nic++;
        } else if (l->rx(l->nic, s->data, s->len)) {
            l->stats.rx_frames++;
            l->stats.rx_bytes += s->len;
        } else {
            l->stats.rx_refused++;
        }
    }
    if (l->qcount) sim_timer_mod(&l->deliver_timer, l->q[l->qhead].when);
}

int eth_link_deliver_at(eth_link_t *l, uint64_t when, const uint8_t *frame, size_t len)
{
    if (!eth_len_ok(len)) {
        l->stats.bad_frames++;
        return -1;
    }
    if (l->qcount == ETH_RXQ_SLOTS) {
        l->stats.rx_overflow++;
        return -1;
    }
    uint64_t now = sim_now(l->sim);
    if (when < now) when = now;
    /* time order = queue order: a frame never overtakes one queued before it */
    if (l->qcount) {
        uint64_t last = l->q[(l->qhead + l->qcount - 1) % ETH_RXQ_SLOTS].when;
        if (when < last) when = last;
    }
    eth_slot_t *s = &l->q[(l->qhead + l->qcount) % ETH_RXQ_SLOTS];
    s->when = when;
    s->len = (uint16_t)len;
    memcpy(s->data, frame, len);
    l->qcount++;
    if (l->qcount == 1) sim_timer_mod(&l->deliver_timer, when);
    return 0;
}

/* ---- null ------------------------------------------------------------------------------ */
static int null_send(void *be, const uint8_t *f, size_t n)
{
    (void)be, (void)f, (void)n;
    return 0;
}
static void null_close(void *be) { (void)be; }
static const eth_backend_ops_t eth_null_ops = {.name = "null", .send = null_send, .close = null_close};

/* ---- tap ------------------------------------------------------------------------------- */
typedef struct eth_tap {
    eth_link_t *link;
    int fd;
    char ifname[IFNAMSIZ];
    uint64_t read_frames, write_errors;
} eth_tap_t;

static int tap_send(void *be, const uint8_t *f, size_t n)
{
    eth_tap_t *t = be;
    /* a tap takes a whole frame per write or nothing (EAGAIN: host queue full = dropped) */
    if (write(t->fd, f, n) != (ssize_t)n) {
        t->write_errors++;
        return -1;
    }
    return 0;
}

static bool tap_idle(void *be, int wait_ms)
{
    eth_tap_t *t = be;
    bool got = false;
    struct pollfd pfd = {.fd = t->fd, .events = POLLIN};
    if (wait_ms > 0 && poll(&pfd, 1, wait_ms) <= 0) return false;
    uint8_t buf[ETH_LINK_MAX_FRAME + 64];
    for (int i = 0; i < TAP_READS_PER_IDLE; i++) {
        ssize_t n = read(t->fd, buf, sizeof buf);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR) eth_link_count_backend_error(t->link);
            break;
        }
        t->read_frames++;
        if (eth_link_deliver_at(t->link, sim_now(eth_link_sim(t->link)), buf, (size_t)n) == 0) got = true;
    }
    return got;
}

static void tap_print_stats(const void *be, FILE *f)
{
    const eth_tap_t *t = be;
    fprintf(f, "eth tap %s: read-frames %llu write-errors %llu\n", t->ifname, (unsigned long long)t->read_frames,
            (unsigned long long)t->write_errors);
}

static void tap_close(void *be)
{
    eth_tap_t *t = be;
    if (t->fd >= 0) close(t->fd);
    free(t);
}

static const eth_backend_ops_t eth_tap_ops = {
    .name = "tap", .send = tap_send, .idle = tap_idle, .print_stats = tap_print_stats, .close = tap_close,
};

static void *eth_tap_open(eth_link_t *l, const char *ifname, const eth_backend_ops_t **ops)
{
    if (!ifname || !ifname[0] || strlen(ifname) >= IFNAMSIZ) {
        fprintf(stderr, "bcm2835-sim: --eth tap:IFNAME needs an interface name of 1..%d characters\n", IFNAMSIZ - 1);
        return NULL;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "bcm2835-sim: --eth tap:%s: cannot open /dev/net/tun: %s%s\n", ifname, strerror(errno),
                errno == EACCES || errno == EPERM ? " (needs CAP_NET_ADMIN or access to /dev/net/tun)" : "");
        return NULL;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    memcpy(ifr.ifr_name, ifname, strlen(ifname));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int e = errno;
        fprintf(stderr, "bcm2835-sim: --eth tap:%s: TUNSETIFF failed: %s%s\n", ifname, strerror(e),
                e == EPERM ? " (not permitted: run with CAP_NET_ADMIN or pre-create the device with "
                             "'ip tuntap add dev IFNAME mode tap user $USER')"
                           : "");
        close(fd);
        return NULL;
    }
    eth_tap_t *t = calloc(1, sizeof *t);
    if (!t) {
        close(fd);
        return NULL;
    }
    t->link = l;
    t->fd = fd;
    memcpy(t->ifname, ifr.ifr_name, IFNAMSIZ - 1);
    *ops = &eth_tap_ops;
    return t;
}

/* ---- the link ---------------------------------------------------------------------- */
eth_link_t *eth_link_open(sim_t *sim, const char *spec)
{
    if (!spec || !spec[0]) {
        fprintf(stderr, "bcm2835-sim: empty --eth spec (null, peer:SCRIPT, slirp[:hostfwd=...], tap:IFNAME)\n");
        return NULL;
    }
    eth_link_t *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->sim = sim;
    l->spec = strdup(spec);
    l->q = calloc(ETH_RXQ_SLOTS, sizeof *l->q);
    if (!l->spec || !l->q) goto fail;
    sim_timer_init(&l->deliver_timer, sim, eth_deliver_due, l);
    const char *colon = strchr(spec, ':');
    size_t nlen = colon ? (size_t)(colon - spec) : strlen(spec);
    const char *args = colon ? colon + 1 : NULL;
    if (nlen == 4 && !strncmp(spec, "null", 4) && !args) {
        l->ops = &eth_null_ops;
        l->be = l;
    } else if (nlen == 3 && !strncmp(spec, "tap", 3)) {
        l->be = eth_tap_open(l, args, &l->ops);
        l->paced = true;
    } else if (nlen == 5 && !strncmp(spec, "slirp", 5)) {
        l->be = eth_slirp_open(l, args, &l->ops);
        l->paced = true;
    } else if (nlen == 4 && !strncmp(spec, "peer", 4)) {
        if (!args || !args[0]) {
            fprintf(stderr, "bcm2835-sim: --eth peer:SCRIPT needs a script path\n");
            goto fail;
        }
        l->be = eth_peer_open(l, args, &l->ops);
    } else {
        fprintf(stderr, "bcm2835-sim: unknown --eth spec '%s' (null, peer:SCRIPT, slirp[:hostfwd=...], tap:IFNAME)\n",
                spec);
        goto fail;
    }
    if (!l->be) goto fail;
    return l;
fail:
    if (l->q) sim_timer_del(&l->deliver_timer);
    free(l->q);
    free(l->spec);
    free(l);
    return NULL;
}

void eth_link_close(eth_link_t *l)
{
    if (!l) return;
    l->ops->close(l->be);
    sim_timer_del(&l->deliver_timer);
    if (l->pcap) fclose(l->pcap);
    free(l->pcap_path);
    free(l->q);
    free(l->spec);
    free(l);
}

void eth_link_attach(eth_link_t *l, eth_link_rx_fn rx, void *nic)
{
    l->rx = rx;
    l->nic = nic;
}

void eth_link_move_nic(eth_link_t *from, eth_link_t *to)
{
    to->rx = from->rx;
    to->nic = from->nic;
    from->rx = NULL;
    from->nic = NULL;
}

int eth_link_send(eth_link_t *l, const uint8_t *frame, size_t len)
{
    if (!eth_len_ok(len)) {
        l->stats.bad_frames++;
        return -1;
    }
    l->stats.tx_frames++;
    l->stats.tx_bytes += len;
    eth_pcap_record(l, sim_now(l->sim), frame, len);
    if (l->ops->send(l->be, frame, len) != 0) {
        l->stats.backend_errors++;
        return -1;
    }
    return 0;
}

int eth_link_set_report(eth_link_t *l, const char *path)
{
    if (!l->ops->set_report) {
        fprintf(stderr, "bcm2835-sim: --eth-report needs the peer backend (--eth peer:SCRIPT), not '%s'\n", l->spec);
        return -1;
    }
    return l->ops->set_report(l->be, path);
}

static uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* host ms to wait so that simulated time does not lead host time (0..ETH_PACE_MAX_MS) */
static int eth_pace_ms(eth_link_t *l)
{
    uint64_t h = host_ns(), s = sim_cycles_to_ns(l->sim, sim_now(l->sim));
    if (!l->pace_init || s < l->pace_sim_ns) {
        l->pace_init = true;
        l->pace_sim_ns = s;
        l->pace_host_ns = h;
        return 0;
    }
    int64_t lead = (int64_t)(s - l->pace_sim_ns) - (int64_t)(h - l->pace_host_ns);
    if (lead < -(int64_t)ETH_PACE_REANCHOR_NS) {
        l->pace_sim_ns = s;
        l->pace_host_ns = h;
        return 0;
    }
    if (lead <= 0) return 0;
    uint64_t ms = ((uint64_t)lead + 999999u) / 1000000u;
    return ms > ETH_PACE_MAX_MS ? ETH_PACE_MAX_MS : (int)ms;
}

bool eth_link_idle(eth_link_t *l, bool block)
{
    if (!l || !l->ops->idle) return false;
    int wait_ms = block ? ETH_BLOCK_MS : l->paced ? eth_pace_ms(l) : 0;
    return l->ops->idle(l->be, wait_ms);
}

bool eth_link_done(const eth_link_t *l) { return l->ops->done && l->ops->done(l->be); }

void eth_link_get_stats(const eth_link_t *l, eth_link_stats_t *out) { *out = l->stats; }
const char *eth_link_spec(const eth_link_t *l) { return l->spec; }

void eth_link_print_stats(const eth_link_t *l, FILE *f)
{
    const eth_link_stats_t *s = &l->stats;
#define U(x) ((unsigned long long)(x))
    fprintf(f, "eth (%s): tx %llu frames %llu bytes, rx %llu frames %llu bytes, rx-refused %llu rx-overflow %llu "
               "rx-no-nic %llu bad-frames %llu backend-errors %llu pcap-records %llu\n",
            l->spec, U(s->tx_frames), U(s->tx_bytes), U(s->rx_frames), U(s->rx_bytes), U(s->rx_refused),
            U(s->rx_overflow), U(s->rx_no_nic), U(s->bad_frames), U(s->backend_errors), U(s->pcap_records));
    if (l->ops->print_stats) l->ops->print_stats(l->be, f);
}

void eth_link_print_stats_json(const eth_link_t *l, FILE *f)
{
    const eth_link_stats_t *s = &l->stats;
    fprintf(f, "\"eth\": {\"link\": \"");
    for (const char *p = l->spec; *p; p++) {
        if (*p == '"' || *p == '\\') fputc('\\', f);
        if ((unsigned char)*p >= 0x20) fputc(*p, f);
    }
    fprintf(f, "\", \"tx_frames\": %llu, \"tx_bytes\": %llu, \"rx_frames\": %llu, \"rx_bytes\": %llu, "
               "\"rx_refused\": %llu, \"rx_overflow\": %llu, \"rx_no_nic\": %llu, \"bad_frames\": %llu, "
               "\"backend_errors\": %llu, \"pcap_records\": %llu, \"done\": %s}",
            U(s->tx_frames), U(s->tx_bytes), U(s->rx_frames), U(s->rx_bytes), U(s->rx_refused), U(s->rx_overflow),
            U(s->rx_no_nic), U(s->bad_frames), U(s->backend_errors), U(s->pcap_records),
            eth_link_done(l) ? "true" : "false");
#undef U
}
