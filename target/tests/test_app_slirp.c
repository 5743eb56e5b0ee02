/* fw_app_slirp: app's UDP events against libslirp (QEMU's user network, as in net_slirp):
 * the node leases its address from slirp's DHCP server, a host socket subscribes through a
 * slirp UDP host forward (127.0.0.1:PORT -> 10.0.2.15:5556, what the harness would do with
 * QEMU), the reference vectors go through esp3 and app, and the host socket receives the
 * documented datagrams (docs/radio-udp.md) — checksums and all accepted by an independent
 * stack. Then "unsubscribe" stops them. The slirp glue is the one of test_net_slirp.c.
 * Every wait is bounded (iteration counts). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <slirp/libslirp.h>
#include "io/app.h"
#include "io/esp3.h"
#include "net_test_util.h"
#include "plat_host.h"

#define ESP3_ID 6
#define APP_ID 7

#define SL_MAXQ 64
static Slirp *sl;
static uint8_t slq[SL_MAXQ][1600];
static size_t slq_len[SL_MAXQ];
static unsigned slq_n, sl_guest_errors, sl_dropped;
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

/* One round: our frames -> slirp, slirp's frames -> us, slirp's sockets polled (wait at
 * most wait_ms), and a 10 ms tick of our timers. */
static void pump(int wait_ms)
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

static esp3_t esp3;
static app_t app;

/* ---- reference vectors (SK_SHARED_DIR/reference/esp3-vectors.txt) ------------------------ */
#define MAXV 16
static uint8_t vb[MAXV][600];
static size_t vn[MAXV];
static unsigned nvecs;

static void load_vectors(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/reference/esp3-vectors.txt", SK_SHARED_DIR);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    char line[2048];
    nvecs = 0;
    while (fgets(line, sizeof line, f)) {
        char *bar = strchr(line, '|');
        if (line[0] == '#' || !bar)
            continue;
        assert_true(nvecs < MAXV);
        vn[nvecs] = 0;
        char *p = bar + 1, *end;
        for (;;) {
            unsigned long x = strtoul(p, &end, 16);
            if (end == p)
                break;
            assert_true(x <= 0xFF && vn[nvecs] < sizeof vb[0]);
            vb[nvecs][vn[nvecs]++] = (uint8_t)x;
            p = end;
        }
        nvecs++;
    }
    fclose(f);
    assert_true(nvecs >= 4);
}

static int setup(void **state)
{
    (void)state;
    load_vectors();
    tn_setup(TN_NOADDR | TN_NOLINK | TN_DHCP, 0);
    esp3_config_t ec = {.out = vmio_addr(VMIO_NODE_LOCAL, APP_ID, 0), .max_len = 0, .headroom = 0};
    assert_int_equal(esp3_init(&esp3, ESP3_ID, &ec), 0);
    assert_int_equal(app_init(&app, APP_ID), 0);
    assert_int_equal(app_attach_net(&app, &tn_net, 0), 0);
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
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    slirp_cleanup(sl);
    sl = 0;
    tn_teardown();
    return 0;
}

/* Waits (bounded) for one datagram on c; returns its length or -1. */
static ssize_t wait_dgram(int c, char *got, size_t size)
{
    ssize_t r = -1;
    for (unsigned i = 0; i < 400 && r < 0; i++) {
        pump(5);
        r = recv(c, got, size - 1, MSG_DONTWAIT);
    }
    if (r >= 0)
        got[r] = '\0';
    return r;
}

static void test_events_through_hostfwd(void **state)
{
    (void)state;
    tn_link(1);
    for (unsigned i = 0; i < 300 && tn_dhcp.aut.state != DHCP_S_BOUND; i++)
        pump(5);
    assert_int_equal(tn_net.aut.state, NET_S_UP);
    assert_int_equal(tn_net.cfg.addr.ip, NET_IPV4(10, 0, 2, 15));

    int probe = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(bind(probe, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    getsockname(probe, (struct sockaddr *)&a, &al);
    int port = ntohs(a.sin_port);
    close(probe);
    struct in_addr lo, guest;
    inet_pton(AF_INET, "127.0.0.1", &lo);
    inet_pton(AF_INET, "10.0.2.15", &guest);
    assert_int_equal(slirp_add_hostfwd(sl, 1, lo, port, guest, APP_UDP_PORT_DEFAULT), 0);

    int c = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(c >= 0);
    char got[2000], want[600];
    assert_int_equal(sendto(c, "subscribe\n", 10, 0, (struct sockaddr *)&a, sizeof a), 10);
    assert_true(wait_dgram(c, got, sizeof got) > 0);
    snprintf(want, sizeof want, "eno/1 subscribed lease=%u", (unsigned)APP_UDP_LEASE_S);
    assert_string_equal(got, want);
    assert_int_equal(app.stats.subs, 1);

    for (unsigned k = 0; k < nvecs; k++) {
        plat_host_cycles = 1000u + k;
        assert_int_equal(vmio_deposit_bytes(0, vmio_addr(0, ESP3_ID, 0), VMIO_EV_RX, vb[k], vn[k]), vn[k]);
        while (vmio_run())
            ;
        assert_int_equal(plat_host_nlines, k + 1);
        assert_true(wait_dgram(c, got, sizeof got) > 0);
        snprintf(want, sizeof want, "eno/1 %s", plat_host_lines[k] + 4);
        assert_string_equal(got, want);
    }
    assert_string_equal(plat_host_lines[0], "eno seq=1 type=erp1 rorg=f6 data=50 id=00298979 status=30 "
                                            "sub=3 dst=ffffffff dbm=-255 sec=0 cyc=1000");

    assert_int_equal(sendto(c, "unsubscribe", 11, 0, (struct sockaddr *)&a, sizeof a), 11);
    assert_true(wait_dgram(c, got, sizeof got) > 0);
    assert_string_equal(got, "eno/1 unsubscribed");
    assert_int_equal(vmio_deposit_bytes(0, vmio_addr(0, ESP3_ID, 0), VMIO_EV_RX, vb[0], vn[0]), vn[0]);
    while (vmio_run())
        ;
    for (unsigned i = 0; i < 20; i++)
        pump(5);
    assert_true(recv(c, got, sizeof got, MSG_DONTWAIT) < 0);
    close(c);
    plat_host_cycles = 0;

    app_stats_t s;
    app_get_stats(&app, &s);
    assert_int_equal(s.udp_sent, nvecs);
    assert_int_equal(s.udp_dropped, 0);
    assert_int_equal(s.udp_cmds, 2);
    assert_int_equal(s.subs, 0);
    net_stats_t ns = tn_stats();
    assert_int_equal(ns.udp_bad_cksum + ns.ip_bad_cksum + ns.ip_bad_len + ns.arp_bad + ns.tx_errors, 0);
    assert_int_equal(sl_guest_errors, 0);
    assert_int_equal(sl_dropped, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_events_through_hostfwd, setup, teardown),
    };
    return cmocka_run_group_tests_name("fw_app_slirp", tests, NULL, NULL);
}
