/* UDP echo service (RFC 862 style) as a VMIO automaton: every datagram received on its port
 * goes back to its sender, same bytes, from the same port. Zero copy: the received buffer
 * (data = UDP payload, headroom = the headers it arrived with) is sent back as it is with a
 * NET_EV_UDP_SEND indication to net, which prepends the new UDP/IPv4/Ethernet headers over
 * the old ones by moving the data pointer; the payload is never copied.
 *
 * Port: configurable at init (UDP_ECHO_PORT_DEFAULT 7; the harness uses e.g. 5555), bound
 * with net_udp_bind(). Events: VMIO_EV_DATA from net (meta inline, net.h), VMIO_EV_RESET
 * request (answers OK; counters stay). Counters: rx, tx, bad (no buffer or no meta),
 * loop_guard (datagrams from the source port of a service that itself answers anything —
 * echo 7, daytime 13, qotd 17, chargen 19, time 37 — dropped so that a spoofed datagram
 * cannot start a ping-pong between two servers), send_fail (net could not be reached; the
 * engine counted why). */
#ifndef IO_UDP_ECHO_H
#define IO_UDP_ECHO_H
#include <stdint.h>
#include "io/net.h"

#ifndef UDP_ECHO_PORT_DEFAULT
#define UDP_ECHO_PORT_DEFAULT 7u     /* build-time: -DUDP_ECHO_PORT_DEFAULT=5555 */
#endif

enum udp_echo_state { UDP_ECHO_S_RUN, UDP_ECHO_S_COUNT };

typedef struct udp_echo_stats {
    uint32_t rx;
    uint32_t tx;
    uint32_t bad;
    uint32_t loop_guard;
    uint32_t send_fail;
} udp_echo_stats_t;

typedef struct udp_echo {
    vmio_automaton_t aut;   /* first member */
    vmio_addr_t net;
    uint16_t port;
    udp_echo_stats_t stats;
} udp_echo_t;

/* Registers the automaton under `id` and binds `port` (0 = default) on `net`. */
int udp_echo_init(udp_echo_t *self, uint8_t id, net_t *net, uint16_t port);
void udp_echo_get_stats(const udp_echo_t *self, udp_echo_stats_t *out);
extern const vmio_table_t udp_echo_table;

#endif
