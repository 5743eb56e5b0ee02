/* DHCP client (RFC 2131) as a VMIO automaton. Portable C; talks to net only by events:
 * datagrams on UDP port 68 arrive as VMIO_EV_DATA (net.h meta inline), messages leave as
 * NET_EV_UDP_SEND (broadcast to 255.255.255.255:67 while unconfigured, unicast to the
 * server when renewing), the address is applied with a NET_EV_SET_ADDR request whose
 * response comes back to this table. Link changes arrive as NET_EV_LINK copies from net
 * (dhcp_init sets net's link_notify).
 *
 * States and transitions:
 *   IDLE        link down (or before the first link up). Link up -> SELECTING.
 *   SELECTING   DISCOVER sent (broadcast flag set, so servers answer by broadcast); the
 *               first OFFER with our xid and chaddr -> REQUEST (options 50 requested
 *               address, 54 server id) -> REQUESTING. Timeout: DISCOVER again, the wait
 *               doubling from cfg.timeout_us up to cfg.max_timeout_us; retries never stop
 *               (a client without an address has nothing better to do), each one counted.
 *   REQUESTING  ACK -> NET_EV_SET_ADDR(yiaddr, option 1 mask, option 3 router) -> BOUND;
 *               NAK -> SELECTING; timeout: REQUEST again, after cfg.request_tries
 *               REQUESTs without answer -> SELECTING (new DISCOVER).
 *   BOUND       lease running. Renewal timer T1 (option 58, else lease/2) -> RENEWING. An
 *               infinite lease (0xFFFFFFFF) starts no timer.
 *   RENEWING    REQUEST unicast to the server with ciaddr (no options 50/54), retried every
 *               cfg.timeout_us until the lease ends. ACK -> BOUND (new lease); NAK or lease
 *               end -> address removed (SET_ADDR 0) -> SELECTING. REBINDING (T2, broadcast
 *               renewal to any server) is not implemented: a client whose server vanished
 *               keeps its address until the lease ends and then starts over.
 *   Any state: link down -> IDLE (the address is kept while the link is down). Every new
 *   DISCOVER cycle (link up, RESET with the link up, NAK, lease end, REQUESTs unanswered)
 *   first removes the address (SET_ADDR 0), so DISCOVER/REQUEST leave from 0.0.0.0. RESET
 *   request -> SELECTING when the link is up, else IDLE. (INIT-REBOOT, asking again for the
 *   previous address, is not implemented.)
 *
 * Works with QEMU user networking (server 10.0.2.2 offers 10.0.2.15/24, router 10.0.2.2,
 * replies by broadcast) and ordinary LAN servers (unicast OFFERs are accepted by net while
 * it has no address). Received messages are checked: op = reply, htype/hlen Ethernet, our
 * xid, our chaddr, magic cookie, options well-formed (bounded walk), message type present;
 * anything else is dropped and counted. */
#ifndef IO_DHCP_H
#define IO_DHCP_H
#include <stddef.h>
#include <stdint.h>
#include "io/net.h"
#include "io/ntimer.h"

#define DHCP_EV_TIMER (VMIO_EV_USER + 5)
#define DHCP_EV_COUNT (VMIO_EV_USER + 6)
#define DHCP_TIMEOUT_US_DEFAULT 4000000u       /* RFC 2131 4.1: first retransmission 4 s */
#define DHCP_MAX_TIMEOUT_US_DEFAULT 64000000u  /* ... doubling up to 64 s */
#define DHCP_REQUEST_TRIES_DEFAULT 4u
#define DHCP_MSG_LEN 300u      /* BOOTP minimum message size (RFC 1542 2.1), options padded */

enum dhcp_state { DHCP_S_IDLE, DHCP_S_SELECTING, DHCP_S_REQUESTING, DHCP_S_BOUND,
                  DHCP_S_RENEWING, DHCP_S_COUNT };

typedef struct dhcp_config {
    uint32_t timeout_us;        /* 0 = defaults above */
    uint32_t max_timeout_us;
    uint8_t request_tries;
} dhcp_config_t;

typedef struct dhcp_stats {
    uint32_t discover_tx, request_tx, renew_tx;
    uint32_t offers, acks, naks;
    uint32_t retries;           /* timeouts that resent */
    uint32_t bound;             /* leases obtained (incl. renewals) */
    uint32_t expired;           /* leases that ran out */
    uint32_t rx_bad;            /* malformed / not a reply / bad options */
    uint32_t rx_other;          /* not for us (xid, chaddr) or unexpected in this state */
    uint32_t no_buf;
    uint32_t send_fail;
    uint32_t stale_timer;
    uint32_t set_addr_fail;     /* net refused the address */
} dhcp_stats_t;

typedef struct dhcp {
    vmio_automaton_t aut;       /* first member */
    vmio_addr_t net;
    dhcp_config_t cfg;
    uint8_t mac[NET_ETH_ALEN];
    uint8_t link;
    uint8_t tries;
    uint32_t xid;
    uint32_t wait_us;           /* current retransmission wait */
    uint32_t offered_ip, server_ip, mask, router;
    uint32_t lease_s, t1_s;
    uint64_t lease_end_us;
    net_addr_t addr;            /* what we applied (ip 0: none) */
    ntimer_t timer;
    dhcp_stats_t stats;
} dhcp_t;

/* Registers under `id`, binds UDP 68 on net, adds its timer, sets net's link_notify. */
int dhcp_init(dhcp_t *self, uint8_t id, net_t *net, ntimer_svc_t *timers, const dhcp_config_t *cfg);
void dhcp_get_stats(const dhcp_t *self, dhcp_stats_t *out);
/* The console "net" report's DHCP line (NUL-terminated, truncated to size); returns its
 * length: "net dhcp state=<idle|selecting|requesting|bound|renewing> ip=a.b.c.d
 * server=a.b.c.d lease_s=<n> t1_s=<n> discover_tx=.. request_tx=.. renew_tx=.. offers=..
 * acks=.. naks=.. retries=.. bound=.. expired=.. rx_bad=.. rx_other=.. no_buf=..
 * send_fail=.. stale_timer=.. set_addr_fail=..". */
int dhcp_stats_line(const dhcp_t *self, char *out, size_t size);
extern const vmio_table_t dhcp_table;

#endif
