/* Shared fixture of the net_* host tests: a VMIO engine with the timer service, net (fake
 * NIC that records every frame it is given), optionally udp_echo / dhcp, a sink automaton
 * bound to UDP ports, and frame builders with their own checksum code (independent of
 * io/net.c, so a wrong checksum in the stack cannot hide behind the same wrong helper). */
#ifndef TESTS_NET_TEST_UTIL_H
#define TESTS_NET_TEST_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include "io/dhcp.h"
#include "io/net.h"
#include "io/ntimer.h"
#include "io/udp_echo.h"

enum { TN_ID_TIMER = 1, TN_ID_NET = 2, TN_ID_ECHO = 3, TN_ID_DHCP = 4, TN_ID_SINK = 5 };

#define TN_IP NET_IPV4(10, 0, 2, 15)
#define TN_PEER_IP NET_IPV4(10, 0, 2, 2)
#define TN_HOST_IP NET_IPV4(10, 0, 2, 100)
#define TN_FAR_IP NET_IPV4(192, 168, 7, 9)
#define TN_MASK NET_IPV4(255, 255, 255, 0)
#define TN_GW TN_PEER_IP
#define TN_RX_HEADROOM 64u      /* what our fake driver leaves in front of RX frames */
#define TN_MAXTX 64
#define TN_MAXRX 64

extern const uint8_t tn_mac[6], tn_peer_mac[6], tn_host_mac[6], tn_bcast_mac[6];
extern net_t tn_net;
extern ntimer_svc_t tn_timers;
extern udp_echo_t tn_echo;
extern dhcp_t tn_dhcp;

typedef struct tn_frame {
    uint8_t b[1600];
    size_t n;
    size_t headroom;            /* in front of the frame when handed to the driver */
    const vmio_buf_t *buf;      /* descriptor it came in (zero-copy checks) */
} tn_frame_t;
extern tn_frame_t tn_tx[TN_MAXTX];
extern unsigned tn_ntx;
extern int tn_tx_fail;          /* fake NIC refuses (frees, returns ERR_NOSPC) */

typedef struct tn_dgram {
    uint8_t b[1600];
    size_t n;
    net_udp_meta_t meta;
    uint32_t arg;
    uint16_t way;
} tn_dgram_t;
extern tn_dgram_t tn_rx[TN_MAXRX];
extern unsigned tn_nrx;
extern vmio_automaton_t tn_sink;

/* setup: flags below. with an address unless TN_NOADDR; link up unless TN_NOLINK. */
#define TN_NOADDR 1u
#define TN_NOLINK 2u
#define TN_ECHO 4u
#define TN_DHCP 8u
#define TN_SINK 16u      /* sink bound to UDP port TN_SINK_PORT */
#define TN_SINK_PORT 4000u
#define TN_ECHO_PORT 5555u
void tn_setup(unsigned flags, const net_config_t *override);
/* Link down (flushes ARP queues), run, assert no buffer is left, reset captures. */
void tn_teardown(void);
void tn_link(int up);
void tn_tick(uint64_t advance_us);   /* advance time, deposit one ntimer tick, run */
void tn_clear(void);                 /* forget captured frames / datagrams */

/* Builders: return bytes written. */
uint16_t tn_cksum(const uint8_t *p, size_t n, uint32_t init);
size_t tn_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type);
size_t tn_ip(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id, const uint8_t *pl, size_t n);
size_t tn_udp(uint8_t *p, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, const uint8_t *d, size_t n, int with_cksum);
size_t tn_arp(uint8_t *p, uint16_t op, const uint8_t *sha, uint32_t spa, const uint8_t *tha, uint32_t tpa);
/* Whole frames. */
size_t tn_frame_udp(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint32_t src, uint32_t dst,
                    uint16_t sport, uint16_t dport, const uint8_t *d, size_t n, uint16_t id);
size_t tn_frame_arp(uint8_t *f, const uint8_t *dmac, uint16_t op, const uint8_t *sha, uint32_t spa,
                    const uint8_t *tha, uint32_t tpa);
size_t tn_pad(uint8_t *f, size_t n);    /* zero-pad to 60 */
/* Hands one frame to net as the driver would (VMIO_EV_DATA deposit) and runs VMIO. */
void tn_inject(const uint8_t *f, size_t n);
void tn_inject_hr(const uint8_t *f, size_t n, size_t headroom);
/* Teaches net the peer's MAC with an ARP request for us (answered: one TX frame, cleared). */
void tn_learn(const uint8_t *mac, uint32_t ip);
/* Asserts the captured frame i equals exp[0..n). */
void tn_expect_tx(unsigned i, const uint8_t *exp, size_t n);
net_stats_t tn_stats(void);
#endif
