/* "slirp[:hostfwd=...]" backend: libslirp user networking (as QEMU's -netdev user):
 * network 10.0.2.0/24, gateway/host 10.0.2.2, DNS 10.0.2.3, DHCP from 10.0.2.15.
 *
 * Simulated time, the way libslirp expects an embedder to drive it:
 *  - slirp's clock (clock_get_ns) is simulated time since power-on; its timers
 *    (timer_new_opaque / timer_mod, in ms of that clock) are sim_timers that call
 *    slirp_handle_timer().
 *  - slirp's own periodic work (TCP fast/slow timers, UDP socket expiry) runs inside
 *    slirp_pollfds_poll(). A maintenance sim_timer calls slirp_pollfds_fill() +
 *    slirp_pollfds_poll() with every revents = 0 at the timeout slirp asks for (<= 1 s
 *    simulated, capped at 100 ms): timers advance, no host socket is read.
 *  - Host sockets are polled for real only in eth_link_idle(), i.e. while the guest
 *    waits in WFI; what slirp then emits for the guest is queued at that instant. An
 *    idle guest's simulated time is paced to host time there (eth_link.c).
 * Frames slirp emits (send_packet) go through the link's queue at sim_now(), never
 * straight into the NIC (it may be in the middle of eth_link_send()).
 *
 * OPTS: comma-separated hostfwd=PROTO:[HADDR]:HPORT-[GADDR]:GPORT (PROTO udp or tcp,
 * HADDR default 127.0.0.1, GADDR default 10.0.2.15), as QEMU's hostfwd. */
#define _GNU_SOURCE
#include "link/eth_internal.h"
#include <arpa/inet.h>
#include <errno.h>
#include <libslirp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#define SLIRP_MAX_FDS      256      /* host sockets polled per idle call */
#define SLIRP_MAX_TIMERS   8
#define SLIRP_MAX_FWD      16

typedef struct eth_slirp eth_slirp_t;

typedef struct slirp_timer {
    eth_slirp_t *owner;
    SlirpTimerId id;
    void *cb_opaque;
    sim_timer_t t;
    bool used;
} slirp_timer_t;

struct eth_slirp {
    eth_link_t *link;
    sim_t *sim;
    Slirp *slirp;
    slirp_timer_t timers[SLIRP_MAX_TIMERS];
    sim_timer_t maint;
    struct pollfd fds[SLIRP_MAX_FDS];
    int nfds;
    uint64_t guest_errors, frames_out, fd_overflow, hostfwds, timer_overflow;
};

static int64_t sl_clock_ns(void *opaque)
{
    eth_slirp_t *s = opaque;
    return (int64_t)sim_cycles_to_ns(s->sim, sim_now(s->sim));
}

static ssize_t sl_send_packet(const void *buf, size_t len, void *opaque)
{
    eth_slirp_t *s = opaque;
    s->frames_out++;
    /* a refused frame is counted by the link; for slirp it is a lost frame, as on a wire */
    eth_link_deliver_at(s->link, sim_now(s->sim), buf, len);
    return (ssize_t)len;
}

static void sl_guest_error(const char *msg, void *opaque)
{
    eth_slirp_t *s = opaque;
    (void)msg;
    s->guest_errors++;
}

static void sl_timer_fire(void *opaque)
{
    slirp_timer_t *t = opaque;
    slirp_handle_timer(t->owner->slirp, t->id, t->cb_opaque);
}

static void *sl_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    eth_slirp_t *s = opaque;
    for (int i = 0; i < SLIRP_MAX_TIMERS; i++) {
        slirp_timer_t *t = &s->timers[i];
        if (t->used) continue;
        t->used = true;
        t->owner = s;
        t->id = id;
        t->cb_opaque = cb_opaque;
        sim_timer_init(&t->t, s->sim, sl_timer_fire, t);
        return t;
    }
    s->timer_overflow++;
    return NULL;
}

static void sl_timer_free(void *timer, void *opaque)
{
    (void)opaque;
    slirp_timer_t *t = timer;
    if (!t) return;
    sim_timer_del(&t->t);
    t->used = false;
}

static void sl_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    eth_slirp_t *s = opaque;
    slirp_timer_t *t = timer;
    if (!t) return;
    uint64_t when = expire_ms <= 0 ? 0 : sim_ns_to_cycles(s->sim, (uint64_t)expire_ms * 1000000u);
    if (when < sim_now(s->sim)) when = sim_now(s->sim);
    sim_timer_mod(&t->t, when);
}

static void sl_register_fd(int fd, void *opaque) { (void)fd, (void)opaque; }
static void sl_notify(void *opaque) { (void)opaque; }

static int sl_add_poll(int fd, int events, void *opaque)
{
    eth_slirp_t *s = opaque;
    if (s->nfds == SLIRP_MAX_FDS) {
        s->fd_overflow++;
        return -1;
    }
    short ev = 0;
    if (events & SLIRP_POLL_IN) ev |= POLLIN;
    if (events & SLIRP_POLL_OUT) ev |= POLLOUT;
    if (events & SLIRP_POLL_PRI) ev |= POLLPRI;
    s->fds[s->nfds] = (struct pollfd){.fd = fd, .events = ev};
    return s->nfds++;
}

static int sl_get_revents(int idx, void *opaque)
{
    eth_slirp_t *s = opaque;
    if (idx < 0 || idx >= s->nfds) return 0;
    short r = s->fds[idx].revents;
    int ev = 0;
    if (r & POLLIN) ev |= SLIRP_POLL_IN;
    if (r & POLLOUT) ev |= SLIRP_POLL_OUT;
    if (r & POLLPRI) ev |= SLIRP_POLL_PRI;
    if (r & POLLERR) ev |= SLIRP_POLL_ERR;
    if (r & POLLHUP) ev |= SLIRP_POLL_HUP;
    return ev;
}

static int sl_no_revents(int idx, void *opaque)
{
    (void)idx, (void)opaque;
    return 0;
}

/* (re)arm the maintenance timer at the timeout slirp asks for, at most SLIRP_MAINT_MAX_MS
 * ahead: an idle guest then advances in steps the link's pacing (<= 100 ms per idle call,
 * eth_link.c) can follow, so its simulated time stays near host time */
#define SLIRP_MAINT_MAX_MS 100u
static void sl_arm_maint(eth_slirp_t *s, uint32_t timeout_ms)
{
    if (timeout_ms == 0) timeout_ms = 1;
    if (timeout_ms > SLIRP_MAINT_MAX_MS) timeout_ms = SLIRP_MAINT_MAX_MS;
    uint64_t when = sim_now(s->sim) + sim_ns_to_cycles(s->sim, (uint64_t)timeout_ms * 1000000u);
    if (!sim_timer_pending(&s->maint) || s->maint.when > when) sim_timer_mod(&s->maint, when);
}

static void sl_maint(void *opaque)
{
    eth_slirp_t *s = opaque;
    uint32_t timeout = UINT32_MAX;
    s->nfds = 0;
    slirp_pollfds_fill(s->slirp, &timeout, sl_add_poll, s);
    slirp_pollfds_poll(s->slirp, 0, sl_no_revents, s); /* timers only: no host input here */
    sl_arm_maint(s, timeout);
}

static int sl_send(void *be, const uint8_t *frame, size_t len)
{
    eth_slirp_t *s = be;
    slirp_input(s->slirp, frame, (int)len);
    sl_arm_maint(s, 1000);
    return 0;
}

static bool sl_idle(void *be, int wait_ms)
{
    eth_slirp_t *s = be;
    uint64_t out_before = s->frames_out;
    uint32_t timeout = UINT32_MAX;
    s->nfds = 0;
    slirp_pollfds_fill(s->slirp, &timeout, sl_add_poll, s);
    int r = poll(s->fds, (nfds_t)s->nfds, wait_ms);
    if (r < 0 && errno != EINTR) eth_link_count_backend_error(s->link);
    slirp_pollfds_poll(s->slirp, r < 0, sl_get_revents, s);
    sl_arm_maint(s, timeout);
    return s->frames_out != out_before;
}

static void sl_print_stats(const void *be, FILE *f)
{
    const eth_slirp_t *s = be;
    fprintf(f, "eth slirp: hostfwds %llu frames-to-guest %llu guest-errors %llu fd-overflow %llu timer-overflow %llu\n",
            (unsigned long long)s->hostfwds, (unsigned long long)s->frames_out, (unsigned long long)s->guest_errors,
            (unsigned long long)s->fd_overflow, (unsigned long long)s->timer_overflow);
}

static void sl_close(void *be)
{
    eth_slirp_t *s = be;
    if (!s) return;
    if (s->slirp) slirp_cleanup(s->slirp);
    for (int i = 0; i < SLIRP_MAX_TIMERS; i++)
        if (s->timers[i].used) sim_timer_del(&s->timers[i].t);
    sim_timer_del(&s->maint);
    free(s);
}

static const eth_backend_ops_t eth_slirp_ops = {
    .name = "slirp", .send = sl_send, .idle = sl_idle, .print_stats = sl_print_stats, .close = sl_close,
};

static const SlirpCb sl_callbacks = {
    .send_packet = sl_send_packet,
    .guest_error = sl_guest_error,
    .clock_get_ns = sl_clock_ns,
    .timer_free = sl_timer_free,
    .timer_mod = sl_timer_mod,
    .register_poll_fd = sl_register_fd,
    .unregister_poll_fd = sl_register_fd,
    .notify = sl_notify,
    .timer_new_opaque = sl_timer_new_opaque,
};

/* "udp:127.0.0.1:5555-10.0.2.15:7" / "udp::5555-:7" */
static int sl_parse_hostfwd(const char *fwd, int *is_udp, struct in_addr *ha, int *hp, struct in_addr *ga, int *gp)
{
    char buf[128];
    if (strlen(fwd) >= sizeof buf) return -1;
    strcpy(buf, fwd);
    char *p = buf, *c = strchr(p, ':');
    if (!c) return -1;
    *c = 0;
    if (!strcmp(p, "udp")) *is_udp = 1;
    else if (!strcmp(p, "tcp")) *is_udp = 0;
    else return -1;
    p = c + 1;
    char *dash = strchr(p, '-');
    if (!dash) return -1;
    *dash = 0;
    char *g = dash + 1;
    /* host side: [ADDR]:PORT */
    c = strrchr(p, ':');
    if (!c) return -1;
    *c = 0;
    if (inet_aton(p[0] ? p : "127.0.0.1", ha) == 0) return -1;
    char *end;
    long v = strtol(c + 1, &end, 10);
    if (*end || end == c + 1 || v < 1 || v > 65535) return -1;
    *hp = (int)v;
    c = strrchr(g, ':');
    if (!c) return -1;
    *c = 0;
    if (inet_aton(g[0] ? g : "10.0.2.15", ga) == 0) return -1;
    v = strtol(c + 1, &end, 10);
    if (*end || end == c + 1 || v < 1 || v > 65535) return -1;
    *gp = (int)v;
    return 0;
}

void *eth_slirp_open(eth_link_t *l, const char *args, const eth_backend_ops_t **ops)
{
    eth_slirp_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->link = l;
    s->sim = eth_link_sim(l);
    sim_timer_init(&s->maint, s->sim, sl_maint, s);
    SlirpConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.version = 4; /* timer_new_opaque */
    cfg.in_enabled = true;
    inet_aton("10.0.2.0", &cfg.vnetwork);
    inet_aton("255.255.255.0", &cfg.vnetmask);
    inet_aton("10.0.2.2", &cfg.vhost);
    inet_aton("10.0.2.15", &cfg.vdhcp_start);
    inet_aton("10.0.2.3", &cfg.vnameserver);
    cfg.vhostname = "bcm2835-sim";
    cfg.if_mtu = 1500;
    cfg.if_mru = 1500;
    s->slirp = slirp_new(&cfg, &sl_callbacks, s);
    if (!s->slirp) {
        fprintf(stderr, "bcm2835-sim: --eth slirp: slirp_new failed\n");
        sl_close(s);
        return NULL;
    }
    char *opts = args ? strdup(args) : NULL;
    char *save = NULL;
    for (char *tok = opts ? strtok_r(opts, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
        int is_udp, hp, gp;
        struct in_addr ha, ga;
        if (strncmp(tok, "hostfwd=", 8) || sl_parse_hostfwd(tok + 8, &is_udp, &ha, &hp, &ga, &gp) != 0) {
            fprintf(stderr, "bcm2835-sim: --eth slirp: bad option '%s' (hostfwd=udp|tcp:[HADDR]:HPORT-[GADDR]:GPORT)\n",
                    tok);
            goto fail;
        }
        if (s->hostfwds == SLIRP_MAX_FWD || slirp_add_hostfwd(s->slirp, is_udp, ha, hp, ga, gp) < 0) {
            fprintf(stderr, "bcm2835-sim: --eth slirp: cannot forward host %s port %d (in use?)\n",
                    is_udp ? "udp" : "tcp", hp);
            goto fail;
        }
        s->hostfwds++;
    }
    free(opts);
    sl_arm_maint(s, 1000);
    *ops = &eth_slirp_ops;
    return s;
fail:
    free(opts);
    sl_close(s);
    return NULL;
}
