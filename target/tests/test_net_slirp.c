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
#include "slirp_glue.h"
#include "plat_host.h"


static int setup(void **state)
{
    (void)state;
    tn_setup(TN_NOADDR | TN_NOLINK | TN_DHCP | TN_ECHO, 0);
    sl_open();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sl_close();
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
    struct sockaddr_in a;
    sl_forward_udp(TN_ECHO_PORT, &a);

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
