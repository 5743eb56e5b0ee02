/* net_slirp: the stack against libslirp, the user-mode network that QEMU's "-netdev user"
 * runs (Debian libslirp0; our frames go to slirp_input, slirp's frames come back through
 * its send_packet callback, no root, no TAP). Proves against a real, independent
 * implementation what the other tests prove against scripted peers:
 *   - DHCP: slirp's DHCP server (10.0.2.2) leases 10.0.2.15/24, router 10.0.2.2;
 *   - ARP both ways (slirp resolves us before forwarding, we resolve 10.0.2.2 to answer);
 *   - the UDP echo service reached from a host socket through a slirp UDP host forward
 *     (what the harness does with QEMU: 127.0.0.1:PORT -> 10.0.2.15:5555), bytes checked;
 *   - no buffer leaks, no drop counters other than the expected ones.
 * Every wait is bounded (iteration count and a wall-clock limit). */
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
#include <slirp/libslirp.h>
#include "net_test_util.h"
#include "plat_host.h"

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

static int setup(void **state)
{
    (void)state;
    tn_setup(TN_NOADDR | TN_NOLINK | TN_DHCP | TN_ECHO, 0);
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

static void lease(void)
{
    tn_link(1);
    for (unsigned i = 0; i < 300 && tn_dhcp.aut.state != DHCP_S_BOUND; i++)
        pump(5);
    assert_int_equal(tn_dhcp.aut.state, DHCP_S_BOUND);
    assert_int_equal(tn_net.cfg.addr.ip, NET_IPV4(10, 0, 2, 15));
    assert_int_equal(tn_net.cfg.addr.mask, NET_IPV4(255, 255, 255, 0));
    assert_int_equal(tn_net.cfg.addr.gw, NET_IPV4(10, 0, 2, 2));
    assert_int_equal(tn_net.aut.state, NET_S_UP);
}

static void test_dhcp_lease_from_slirp(void **state)
{
    (void)state;
    lease();
    dhcp_stats_t s;
    dhcp_get_stats(&tn_dhcp, &s);
    assert_int_equal(s.rx_bad, 0);
    assert_int_equal(s.offers, 1);
    assert_int_equal(s.acks, 1);
    assert_true(tn_dhcp.lease_s > 0);
    assert_int_equal(sl_guest_errors, 0);
}

static void test_udp_echo_through_hostfwd(void **state)
{
    (void)state;
    lease();
    /* A free host port for the forward (bind to 0, read it back, release). */
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
    assert_int_equal(slirp_add_hostfwd(sl, 1, lo, port, guest, TN_ECHO_PORT), 0);

    int c = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(c >= 0);
    static const char *const msgs[] = {"Echo1", "a longer datagram through slirp", ""};
    static char big[1472];
    for (unsigned i = 0; i < sizeof big; i++)
        big[i] = (char)('A' + i % 26);
    for (unsigned m = 0; m < 4; m++) {
        const char *p = m < 3 ? msgs[m] : big;
        size_t n = m < 3 ? strlen(p) : sizeof big;
        assert_int_equal(sendto(c, p, n, 0, (struct sockaddr *)&a, sizeof a), (ssize_t)n);
        char got[2000];
        ssize_t r = -1;
        for (unsigned i = 0; i < 400 && r < 0; i++) {
            pump(5);
            r = recv(c, got, sizeof got, MSG_DONTWAIT);
        }
        assert_int_equal(r, (ssize_t)n);
        assert_memory_equal(got, p, n);
    }
    close(c);
    udp_echo_stats_t es;
    udp_echo_get_stats(&tn_echo, &es);
    assert_int_equal(es.rx, 4);
    assert_int_equal(es.tx, 4);
    net_stats_t s = tn_stats();
    assert_int_equal(s.udp_bad_cksum + s.ip_bad_cksum + s.ip_bad_len + s.arp_bad + s.tx_errors, 0);
    uint8_t mac[6];
    assert_int_equal(net_arp_lookup(&tn_net, NET_IPV4(10, 0, 2, 2), mac), 0);
    assert_int_equal(sl_guest_errors, 0);
    assert_int_equal(sl_dropped, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_dhcp_lease_from_slirp),
        T(test_udp_echo_through_hostfwd),
    };
    return cmocka_run_group_tests_name("net_slirp", tests, NULL, NULL);
}
