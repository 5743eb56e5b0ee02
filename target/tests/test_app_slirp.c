/* fw_app_slirp: app's UDP events against libslirp (QEMU's user network, as in net_slirp):
 * the node leases its address from slirp's DHCP server, a host socket subscribes through a
 * slirp UDP host forward (127.0.0.1:PORT -> 10.0.2.15:5556, what the harness would do with
 * QEMU), the reference vectors go through esp3 and app, and the host socket receives the
 * documented datagrams (docs/radio-udp.md) — checksums and all accepted by an independent
 * stack. Then "unsubscribe" stops them. The slirp glue is slirp_glue.c, shared with test_net_slirp.c.
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
#include "esp3_vectors.h"
#include "io/app.h"
#include "io/esp3.h"
#include "net_test_util.h"
#include "slirp_glue.h"
#include "plat_host.h"

#define ESP3_ID 6
#define APP_ID 7


static esp3_t esp3;
static app_t app;

/* ---- reference vectors (SK_SHARED_DIR/reference/esp3-vectors.txt) ------------------------ */


static int setup(void **state)
{
    (void)state;
    esp3_vectors_load();
    tn_setup(TN_NOADDR | TN_NOLINK | TN_DHCP, 0);
    esp3_config_t ec = {.out = vmio_addr(VMIO_NODE_LOCAL, APP_ID, 0), .max_len = 0, .headroom = 0};
    assert_int_equal(esp3_init(&esp3, ESP3_ID, &ec), 0);
    assert_int_equal(app_init(&app, APP_ID), 0);
    assert_int_equal(app_attach_net(&app, &tn_net, 0), 0);
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

    struct sockaddr_in a;
    sl_forward_udp(APP_UDP_PORT_DEFAULT, &a);

    int c = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(c >= 0);
    char got[2000], want[600];
    assert_int_equal(sendto(c, "subscribe\n", 10, 0, (struct sockaddr *)&a, sizeof a), 10);
    assert_true(wait_dgram(c, got, sizeof got) > 0);
    snprintf(want, sizeof want, "eno/1 subscribed lease=%u", (unsigned)APP_UDP_LEASE_S);
    assert_string_equal(got, want);
    assert_int_equal(app.stats.subs, 1);

    for (unsigned k = 0; k < esp3_nvecs; k++) {
        plat_host_cycles = 1000u + k;
        assert_int_equal(vmio_deposit_bytes(0, vmio_addr(0, ESP3_ID, 0), VMIO_EV_RX, esp3_vecs[k].b, esp3_vecs[k].n), esp3_vecs[k].n);
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
    assert_int_equal(vmio_deposit_bytes(0, vmio_addr(0, ESP3_ID, 0), VMIO_EV_RX, esp3_vecs[0].b, esp3_vecs[0].n), esp3_vecs[0].n);
    while (vmio_run())
        ;
    for (unsigned i = 0; i < 20; i++)
        pump(5);
    assert_true(recv(c, got, sizeof got, MSG_DONTWAIT) < 0);
    close(c);
    plat_host_cycles = 0;

    app_stats_t s;
    app_get_stats(&app, &s);
    assert_int_equal(s.udp_sent, esp3_nvecs);
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
