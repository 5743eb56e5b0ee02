/* net_fuzz: deterministic random mutations of valid frames (UDP to the echo port and to the
 * sink, ICMP echo, ARP request/reply, DHCP offer) thrown at the whole stack with DHCP,
 * echo and a sink bound, in every net state, with time advancing: under ASan/UBSan nothing
 * may crash, every frame is accounted for (delivered, answered or counted as a drop), every
 * frame sent is well-formed Ethernet, and no buffer is left at the end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "net_test_util.h"
#include "plat_host.h"

static uint32_t rng = 0x12345678u;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static size_t seed_frame(uint8_t *f, unsigned kind)
{
    static const uint8_t zero[6];
    switch (kind) {
    case 0:
        return tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, 40000, TN_ECHO_PORT,
                            (const uint8_t *)"Echo1", 5, (uint16_t)rnd());
    case 1:
        return tn_frame_udp(f, tn_bcast_mac, tn_peer_mac, TN_PEER_IP, NET_IP_BCAST, 67, 68,
                            (const uint8_t *)"not really dhcp but long enough to pass nothing", 48, 1);
    case 2: {
        uint8_t m[64] = {8, 0, 0, 0, 1, 2, 3, 4, 'p', 'i', 'n', 'g'};
        uint16_t c = tn_cksum(m, 12, 0);
        m[2] = (uint8_t)(c >> 8);
        m[3] = (uint8_t)c;
        size_t k = tn_eth(f, tn_mac, tn_peer_mac, 0x0800);
        return k + tn_ip(f + k, TN_PEER_IP, TN_IP, 1, 3, m, 12);
    }
    case 3:
        return tn_pad(f, tn_frame_arp(f, tn_bcast_mac, 1, tn_host_mac, TN_HOST_IP, zero, TN_IP));
    default:
        return tn_frame_udp(f, tn_mac, tn_peer_mac, TN_PEER_IP, TN_IP, 1, TN_SINK_PORT, f + 100, 40, 2);
    }
}

static void test_random_mutations(void **state)
{
    (void)state;
    tn_setup(TN_ECHO | TN_DHCP | TN_SINK | TN_NOADDR, 0);
    static uint8_t f[1600];
    unsigned frames = 0;
    for (unsigned it = 0; it < 30000; it++) {
        size_t n = seed_frame(f, rnd() % 5);
        unsigned muts = rnd() % 4;
        for (unsigned m = 0; m < muts; m++) {
            unsigned op = rnd() % 4;
            if (op == 0 && n)
                f[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8));      /* bit flip */
            else if (op == 1 && n)
                f[rnd() % n] = (uint8_t)rnd();                    /* byte */
            else if (op == 2)
                n = n ? rnd() % (n + 1) : 0;                       /* truncate */
            else if (n + 32 < sizeof f)
                for (unsigned k = 0; k < 32; k++)                  /* trailing junk */
                    f[n++] = (uint8_t)rnd();
        }
        tn_inject(f, n);
        frames++;
        for (unsigned i = 0; i < tn_ntx; i++) {
            assert_true(tn_tx[i].n >= 60 && tn_tx[i].n <= 1514);
            assert_memory_equal(tn_tx[i].b + 6, tn_mac, 6);
            assert_true(tn_tx[i].headroom >= NET_DRV_HEADROOM);
        }
        tn_clear();
        if (it % 500 == 0)
            tn_tick(300000);                    /* timers: ARP sweeps, DHCP retries */
        if (it == 10000) {                      /* then with an address */
            vmio_event_t ev;
            net_addr_t a = {TN_IP, TN_MASK, TN_GW};
            net_set_addr_event(&ev, vmio_addr(0, TN_ID_NET, 0), &a);
            ev.src = vmio_addr(0, TN_ID_SINK, 0);
            vmio_deposit(0, &ev);
            vmio_run();
        }
        if (it == 20000)
            tn_link(0);                         /* and with the link down */
        assert_true(vmio_buf_outstanding() <= NET_ARP_ENTRIES * NET_ARP_QLEN);
    }
    net_stats_t s = tn_stats();
    assert_int_equal(s.rx_frames, frames);
    vmio_stats_t vs;
    vmio_get_stats(&vs);
    assert_int_equal(vs.queue_overflow, 0);
    printf("net_fuzz: %u frames, udp_rx=%lu icmp_echo_tx=%lu arp_rep_tx=%lu ip_bad_cksum=%lu "
           "udp_bad_cksum=%lu eth_runt=%lu\n", frames, (unsigned long)s.udp_rx,
           (unsigned long)s.icmp_echo_tx, (unsigned long)s.arp_rep_tx, (unsigned long)s.ip_bad_cksum,
           (unsigned long)s.udp_bad_cksum, (unsigned long)s.eth_runt);
    assert_true(s.udp_rx > 1000);               /* the unmutated share got through */
}

static int teardown(void **state)
{
    (void)state;
    tn_teardown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_random_mutations, teardown),
    };
    return cmocka_run_group_tests_name("net_fuzz", tests, NULL, NULL);
}
