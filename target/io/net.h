/* The portable network stack: Ethernet, ARP, IPv4, ICMP echo and UDP in one VMIO automaton
 * ("net"), fed by the Ethernet driver (hal/eth.h) and talking to UDP users (udp_echo, dhcp,
 * later the serverkernel transport) by events. Portable C: no hal/ include; the driver's
 * send function reaches net as a function pointer (net_config_t.tx = eth_send on the
 * firmware, a fake NIC in the host tests).
 *
 * ---- Buffers (STYLE rule 6, vmio_buf.h ownership) ---------------------------------------
 * RX: a frame arrives as VMIO_EV_DATA (data = destination MAC, len = frame bytes, FCS
 * stripped); net takes the buffer (vmio_take) and strips each header by moving data
 * forward. TX: every header is prepended by moving data back; nothing is copied between
 * layers. A UDP user allocates with net_udp_alloc() (headroom NET_UDP_HEADROOM for UDP+IPv4+
 * Ethernet+driver framing). Answers (ARP reply, ICMP echo reply, the UDP echo) turn the
 * received buffer around in place. The driver needs NET_DRV_HEADROOM bytes in front of the
 * Ethernet header; a turned-around RX buffer with less headroom is moved forward inside its
 * own storage (counted tx_realign, the slow path) or dropped (tx_no_headroom). Frames
 * shorter than 60 bytes are zero-padded to the Ethernet minimum.
 *
 * ---- Events in net's table ----------------------------------------------------------------
 *   VMIO_EV_DATA      indication from the driver: one Ethernet frame (buffer owned by net).
 *   NET_EV_LINK       indication from the driver (== ETH_EV_LINK): arg 1 up / 0 down,
 *                     inl[0..5] = our MAC. Forwarded to cfg.link_notify (the DHCP client).
 *   NET_EV_ARP_TIMER  ARP housekeeping tick (ntimer expiry, every cfg.arp_sweep_us while
 *                     the link is up): ages entries, retries requests, refills the ARP
 *                     reply budget.
 *   NET_EV_UDP_SEND   indication from a UDP user: buf = payload (ownership passes), inl =
 *                     net_udp_meta_t (remote_ip, remote_port, local_port used).
 *   NET_EV_SET_ADDR   request (console, DHCP): inl = net_addr_t; ip 0 = no address. The
 *                     ARP table is flushed on a change. Response ERR_OK, or ERR_INVAL
 *                     (inline payload too short; the network or broadcast address of its
 *                     own subnet; mask /32) with the configuration unchanged.
 *   VMIO_EV_RESET     request: flush the ARP table and its queue (config, bindings and
 *                     counters stay). Response ERR_OK.
 *
 * ---- UDP delivery ------------------------------------------------------------------------
 * A datagram for a bound port goes to the bound address as VMIO_EV_DATA: buf = payload (the
 * receiver owns it), inl = net_udp_meta_t (source = remote_ip/remote_port, destination =
 * local_ip/local_port), len = sizeof(net_udp_meta_t), arg = NET_UDP_F_BCAST when it was sent
 * to a broadcast address. The receiver answers by sending the same buffer back as
 * NET_EV_UDP_SEND (see udp_echo.c): the zero-copy echo.
 *
 * ---- States -------------------------------------------------------------------------------
 * DOWN (no link: frames and sends dropped, counted), NOADDR (link up, no IPv4 address: ARP
 * and ICMP are silent, UDP is received on any destination so a DHCP OFFER sent to the
 * offered address gets in, and only broadcast UDP may be sent), UP (link and address).
 *
 * ---- Accepted / dropped (every drop has a counter in net_stats_t) --------------------------
 * Ethernet: runt (< 14 bytes), destination neither our MAC nor broadcast, unknown EtherType.
 * IPv4: short, version != 4, IHL < 5 or beyond the frame, total length < IHL or > frame
 * (shorter is fine: link padding is trimmed), header checksum, TTL 0, fragments (MF set or
 * offset != 0: no reassembly, counter ip_frag), destination not ours / not a broadcast,
 * source broadcast or multicast, other protocols. Options are accepted and skipped.
 * ICMP: short, checksum; only echo requests to our unicast address are answered.
 * UDP: short, length field < 8 or > IP payload, checksum (0 = none on RX; always computed
 * on TX), no bound port.
 * ARP (RFC 826 merge): malformed, own MAC as sender, sender = our IP (conflict), no address
 * yet. Entries are created only for requesters that target us or for our own resolutions;
 * replies to requests are rate-bounded (a budget of cfg.arp_reply_burst per sweep period;
 * excess counted arp_rate_limited) so an ARP storm costs a bounded amount of TX.
 *
 * Context: everything at VMIO level except net_init / net_udp_bind (application level
 * before vmio_run, or VMIO level) and net_stats_line (any level, reads counters). */
#ifndef IO_NET_H
#define IO_NET_H
#include <stddef.h>
#include <stdint.h>
#include "io/net_proto.h"
#include "io/ntimer.h"
#include "vmio/vmio.h"

/* Must equal hal/eth.h (checked by the host tests, which may include both). */
#define NET_ETH_HEADROOM 64u    /* ETH_HEADROOM: in front of the Ethernet header on TX */
#define NET_DRV_HEADROOM 16u    /* ETH_DRV_HEADROOM: what the driver may prepend */
#define NET_EV_LINK (VMIO_EV_USER + 0)          /* ETH_EV_LINK */
#define NET_EV_ARP_TIMER (VMIO_EV_USER + 1)
#define NET_EV_UDP_SEND (VMIO_EV_USER + 2)
#define NET_EV_SET_ADDR (VMIO_EV_USER + 3)
#define NET_EV_COUNT (VMIO_EV_USER + 4)

#define NET_ETH_MIN_FRAME 60u   /* without FCS */
#define NET_UDP_HEADROOM (NET_ETH_HEADROOM + NET_ETH_HLEN + NET_IP_HLEN + NET_UDP_HLEN)
#define NET_UDP_MAX_PAYLOAD (NET_ETH_MTU - NET_IP_HLEN - NET_UDP_HLEN)   /* 1472 */

#ifndef NET_ARP_ENTRIES
#define NET_ARP_ENTRIES 8
#endif
#ifndef NET_ARP_QLEN
#define NET_ARP_QLEN 4          /* packets queued per unresolved address */
#endif
#ifndef NET_UDP_PORTS
#define NET_UDP_PORTS 8
#endif
/* Defaults for the timing fields of net_config_t (0 there = these). */
#define NET_ARP_TTL_US_DEFAULT 300000000u     /* 5 min */
#define NET_ARP_RETRY_US_DEFAULT 1000000u     /* 1 s between requests */
#define NET_ARP_TRIES_DEFAULT 3u
#define NET_ARP_SWEEP_US_DEFAULT 250000u
#define NET_ARP_REPLY_BURST_DEFAULT 16u       /* ARP replies per sweep period */

/* Build-time static address: -DNET_DEFAULT_IP=NET_IPV4(192,168,1,50) etc.; 0 = DHCP. */
#define NET_IPV4(a, b, c, d) \
    ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#ifndef NET_DEFAULT_IP
#define NET_DEFAULT_IP 0u
#endif
#ifndef NET_DEFAULT_MASK
#define NET_DEFAULT_MASK NET_IPV4(255, 255, 255, 0)
#endif
#ifndef NET_DEFAULT_GW
#define NET_DEFAULT_GW 0u
#endif

enum net_state { NET_S_DOWN, NET_S_NOADDR, NET_S_UP, NET_S_COUNT };

/* Addresses are host-order uint32_t (NET_IPV4(10,0,2,15)). */
typedef struct net_addr {
    uint32_t ip;
    uint32_t mask;
    uint32_t gw;            /* 0: on-link destinations only */
} net_addr_t;

#define NET_UDP_F_BCAST 1u
typedef struct net_udp_meta {
    uint32_t remote_ip;
    uint32_t local_ip;
    uint16_t remote_port;
    uint16_t local_port;
} net_udp_meta_t;
NET_STATIC_ASSERT(sizeof(net_udp_meta_t) <= VMIO_EV_INLINE, "udp meta travels inline");
NET_STATIC_ASSERT(sizeof(net_addr_t) <= VMIO_EV_INLINE, "address travels inline");

/* Driver send: always takes ownership of frame (eth_send() contract). */
typedef int (*net_tx_fn)(vmio_buf_t *frame);

typedef struct net_config {
    net_tx_fn tx;
    net_addr_t addr;            /* static address (ip 0: wait for NET_EV_SET_ADDR / DHCP) */
    vmio_addr_t link_notify;    /* gets NET_EV_LINK copies (aut 0: nobody) */
    uint32_t arp_ttl_us;        /* 0 = defaults above */
    uint32_t arp_retry_us;
    uint32_t arp_sweep_us;
    uint8_t arp_tries;
    uint8_t arp_reply_burst;
} net_config_t;

typedef struct net_stats {
    /* Ethernet */
    uint32_t rx_frames, tx_frames;
    uint32_t rx_link_down;      /* frame while DOWN */
    uint32_t rx_no_buf;         /* DATA event without a buffer */
    uint32_t eth_runt;
    uint32_t eth_not_for_us;
    uint32_t eth_unknown_type;
    uint32_t tx_link_down;      /* send while DOWN */
    uint32_t tx_no_addr;        /* unicast send while NOADDR */
    uint32_t tx_no_headroom;
    uint32_t tx_realign;        /* slow path: frame moved forward for the driver headroom */
    uint32_t tx_errors;         /* driver refused (it freed the frame) */
    uint32_t tx_no_buf;         /* no buffer for an ARP request */
    uint32_t link_bad;          /* link-up event without a unicast MAC (ignored) */
    /* ARP */
    uint32_t arp_rx, arp_short, arp_bad, arp_own, arp_conflict, arp_no_addr;
    uint32_t arp_not_for_us;    /* requests for other hosts (ignored, not an error) */
    uint32_t arp_req_rx, arp_rep_rx, arp_req_tx, arp_rep_tx;
    uint32_t arp_rate_limited;
    uint32_t arp_evict, arp_table_full, arp_expired;
    uint32_t arp_queued, arp_queue_full, arp_timeouts, arp_unresolved;
    /* IPv4 */
    uint32_t ip_rx, ip_tx;
    uint32_t ip_short, ip_bad_version, ip_bad_hlen, ip_bad_len, ip_bad_cksum, ip_ttl;
    uint32_t ip_frag, ip_not_for_us, ip_bad_src, ip_unknown_proto, ip_no_route;
    /* ICMP */
    uint32_t icmp_rx, icmp_short, icmp_bad_cksum, icmp_bcast, icmp_other, icmp_echo_tx;
    /* UDP */
    uint32_t udp_rx, udp_tx;
    uint32_t udp_short, udp_bad_len, udp_bad_cksum, udp_no_port, udp_deliver_fail;
    uint32_t udp_tx_too_big, udp_tx_bad;
} net_stats_t;

enum { NET_ARP_FREE = 0, NET_ARP_PENDING = 1, NET_ARP_VALID = 2 };
typedef struct net_arp_entry {
    uint32_t ip;
    uint8_t mac[NET_ETH_ALEN];
    uint8_t state;              /* NET_ARP_* */
    uint8_t tries;              /* requests sent (PENDING) */
    uint8_t nq;
    uint64_t deadline_us;       /* VALID: expiry; PENDING: next retry */
    vmio_buf_t *q[NET_ARP_QLEN];/* PENDING: IPv4 packets (data = IP header), owned here */
} net_arp_entry_t;

typedef struct net_udp_port {
    uint16_t port;              /* 0: free slot */
    vmio_addr_t dst;
} net_udp_port_t;

typedef struct net {
    vmio_automaton_t aut;       /* first member */
    net_config_t cfg;
    uint8_t mac[NET_ETH_ALEN];
    uint8_t link;
    uint8_t arp_tokens;
    uint16_t ip_id;
    uint32_t bcast;             /* subnet broadcast (ip | ~mask), 0xFFFFFFFF without address */
    ntimer_t arp_timer;
    net_arp_entry_t arp[NET_ARP_ENTRIES];
    net_udp_port_t ports[NET_UDP_PORTS];
    net_stats_t stats;
} net_t;

/* Registers net under `id` and its ARP timer with `timers`. cfg->tx is required; the
 * timing fields may be 0 (defaults). ERR_INVAL, or the vmio_register/ntimer_add error. */
int net_init(net_t *self, uint8_t id, const net_config_t *cfg, ntimer_svc_t *timers);
/* cfg with the build-time defaults (NET_DEFAULT_*), tx and link_notify unset. */
void net_config_default(net_config_t *cfg);
/* Binds local UDP `port` to `dst` (datagrams arrive there as VMIO_EV_DATA, way = dst.way).
 * ERR_INVAL (port 0), ERR_BUSY (bound elsewhere), ERR_NOSPC (table full). */
int net_udp_bind(net_t *self, uint16_t port, vmio_addr_t dst);
int net_udp_unbind(net_t *self, uint16_t port);
void net_set_link_notify(net_t *self, vmio_addr_t dst);
/* A buffer for `len` UDP payload bytes with all the headroom the stack needs, or NULL. */
static inline vmio_buf_t *net_udp_alloc(size_t len) { return vmio_buf_alloc(len, NET_UDP_HEADROOM); }
/* VMIO level: sends buf (payload) to m->remote_ip:remote_port from local_port. Always takes
 * ownership. 0 or a negative err (counted). Same as posting NET_EV_UDP_SEND, one dispatch
 * less. */
int net_udp_send(net_t *self, vmio_buf_t *buf, const net_udp_meta_t *m);

/* Event helpers (inline payloads). */
static inline void net_udp_meta_get(const vmio_event_t *ev, net_udp_meta_t *m)
{
    __builtin_memcpy(m, ev->inl, sizeof *m);
}
static inline void net_udp_meta_put(vmio_event_t *ev, const net_udp_meta_t *m)
{
    __builtin_memcpy(ev->inl, m, sizeof *m);
    ev->len = (uint8_t)sizeof *m;
}
/* Fills ev as a NET_EV_SET_ADDR request to `net_dst` (the console deposits it with
 * vmio_deposit(VMIO_LEVEL_APP, ev); DHCP posts it). */
void net_set_addr_event(vmio_event_t *ev, vmio_addr_t net_dst, const net_addr_t *a);

/* Console helpers. "a.b.c.d" -> host-order address; ERR_INVAL on anything else. */
int net_parse_ipv4(const char *s, uint32_t *out);
/* Console address setting: "A.B.C.D/PREFIX [GW]" or "A.B.C.D MASK [GW]" (one space
 * between words; PREFIX 1..30; MASK contiguous; GW on the subnet or absent) -> *out.
 * "0.0.0.0" alone clears the address. ERR_INVAL on anything else (*out untouched). */
int net_parse_addr(const char *s, net_addr_t *out);
/* Line i (0..) of the console "net" report into out (NUL-terminated, truncated to size);
 * returns its length, 0 when i is past the last line. Lines: "net state=..", "net eth ..",
 * "net arp ..", "net ip ..", "net icmp ..", "net udp ..". */
int net_stats_line(const net_t *self, unsigned i, char *out, size_t size);
void net_get_stats(const net_t *self, net_stats_t *out);
/* Address lookup in the ARP table (tests, console): 0 and mac filled when VALID. */
int net_arp_lookup(const net_t *self, uint32_t ip, uint8_t mac[NET_ETH_ALEN]);
extern const vmio_table_t net_table;

#endif
