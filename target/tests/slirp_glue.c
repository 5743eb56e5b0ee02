/* slirp_glue: see slirp_glue.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "slirp_glue.h"
#include "net_test_util.h"

#define SL_MAXQ 64
Slirp *sl;
static uint8_t slq[SL_MAXQ][1600];
static size_t slq_len[SL_MAXQ];
static unsigned slq_n;
unsigned sl_guest_errors, sl_dropped;
static struct pollfd pfd[64];
static unsigned npfd;

static ssize_t sl_send(const void *buf, size_t len, void *opaque)
{
    (void)opaque;
    if (slq_n >= SL_MAXQ || len > sizeof slq[0]) {
        sl_dropped++;
        return (ssize_t)len;
    }
    memcpy(slq[slq_n], buf, len);
    slq_len[slq_n++] = len;
    return (ssize_t)len;
}
static void sl_guest_error(const char *msg, void *opaque)
{
    (void)opaque;
    fprintf(stderr, "slirp guest error: %s\n", msg);
    sl_guest_errors++;
}
static int64_t sl_clock(void *opaque)
{
    (void)opaque;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
static int sl_timer_dummy;
static void *sl_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    (void)cb; (void)cb_opaque; (void)opaque;
    return &sl_timer_dummy;     /* only IPv6 router advertisements use timers: IPv6 is off */
}
static void *sl_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    (void)id; (void)cb_opaque; (void)opaque;
    return &sl_timer_dummy;
}
static void sl_timer_free(void *t, void *opaque) { (void)t; (void)opaque; }
static void sl_timer_mod(void *t, int64_t when, void *opaque) { (void)t; (void)when; (void)opaque; }
static void sl_fd(int fd, void *opaque) { (void)fd; (void)opaque; }
static void sl_notify(void *opaque) { (void)opaque; }
static int sl_add_poll(int fd, int events, void *opaque)
{
    (void)opaque;
    if (npfd >= 64)
        return -1;
    pfd[npfd].fd = fd;
    pfd[npfd].events = (short)(((events & SLIRP_POLL_IN) ? POLLIN : 0) | ((events & SLIRP_POLL_OUT) ? POLLOUT : 0) |
                               ((events & SLIRP_POLL_PRI) ? POLLPRI : 0));
    pfd[npfd].revents = 0;
    return (int)npfd++;
}
static int sl_get_revents(int idx, void *opaque)
{
    (void)opaque;
    short r = pfd[idx].revents;
    return ((r & POLLIN) ? SLIRP_POLL_IN : 0) | ((r & POLLOUT) ? SLIRP_POLL_OUT : 0) |
           ((r & POLLPRI) ? SLIRP_POLL_PRI : 0) | ((r & POLLERR) ? SLIRP_POLL_ERR : 0) |
           ((r & POLLHUP) ? SLIRP_POLL_HUP : 0);
}
static const SlirpCb sl_cb = {
    .send_packet = sl_send, .guest_error = sl_guest_error, .clock_get_ns = sl_clock,
    .timer_new = sl_timer_new, .timer_free = sl_timer_free, .timer_mod = sl_timer_mod,
    .register_poll_fd = sl_fd, .unregister_poll_fd = sl_fd, .notify = sl_notify,
    .timer_new_opaque = sl_timer_new_opaque,
};

void pump(int wait_ms)
{
    for (unsigned i = 0; i < tn_ntx; i++)
        slirp_input(sl, tn_tx[i].b, (int)tn_tx[i].n);
    tn_ntx = 0;
    unsigned n = slq_n;
    slq_n = 0;
    for (unsigned i = 0; i < n; i++)
        tn_inject(slq[i], slq_len[i]);
    uint32_t timeout = (uint32_t)wait_ms;
    npfd = 0;
    slirp_pollfds_fill(sl, &timeout, sl_add_poll, 0);
    int rc = poll(pfd, npfd, (int)(timeout < (uint32_t)wait_ms ? timeout : (uint32_t)wait_ms));
    slirp_pollfds_poll(sl, rc < 0, sl_get_revents, 0);
    tn_tick(10000);
}

void sl_open(void)
{
    SlirpConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.version = 4;
    cfg.in_enabled = true;
    inet_pton(AF_INET, "10.0.2.0", &cfg.vnetwork);
    inet_pton(AF_INET, "255.255.255.0", &cfg.vnetmask);
    inet_pton(AF_INET, "10.0.2.2", &cfg.vhost);
    inet_pton(AF_INET, "10.0.2.15", &cfg.vdhcp_start);
    inet_pton(AF_INET, "10.0.2.3", &cfg.vnameserver);
    cfg.vhostname = "sk-test";
    slq_n = sl_guest_errors = sl_dropped = 0;
    sl = slirp_new(&cfg, &sl_cb, 0);
    assert_non_null(sl);
}

void sl_close(void)
{
    slirp_cleanup(sl);
    sl = 0;
}

void sl_forward_udp(int guest_port, struct sockaddr_in *host)
{
    int probe = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(probe >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(bind(probe, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    assert_int_equal(getsockname(probe, (struct sockaddr *)&a, &al), 0);
    close(probe);
    struct in_addr lo, guest;
    inet_pton(AF_INET, "127.0.0.1", &lo);
    inet_pton(AF_INET, "10.0.2.15", &guest);
    assert_int_equal(slirp_add_hostfwd(sl, 1, lo, ntohs(a.sin_port), guest, guest_port), 0);
    *host = a;
}
