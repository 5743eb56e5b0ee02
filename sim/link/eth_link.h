/* Ethernet links: what is on the other end of a simulated NIC's wire.
 *
 *   NIC model (usbdev_lan9512, usbdev_cdc_ecm)  --eth_link_send-->  eth_link  --> backend
 *                                               <--rx callback----            <--
 *
 * Contract shared by the USB device models (NIC side) and the link backends.
 *
 * NIC side: the model attaches one receive callback with eth_link_attach(); it calls
 * eth_link_send() with a complete Ethernet frame (destination MAC first, no FCS, 14..1514
 * bytes) at the simulated instant the frame leaves the device (sim_now()). The link
 * delivers frames for the NIC through the callback, also at a simulated instant; a NIC
 * that has no room counts a drop (its own counter) and returns false.
 *
 * Backends (eth_link_open spec):
 *   "null"            frames sent are counted and dropped; nothing is received.
 *   "peer:SCRIPT"     in-process peer driven in simulated time (deterministic): a UDP/ICMP
 *                     client with its own MAC/IP that answers ARP, sends the requests of
 *                     SCRIPT and checks/records the answers (RTT in simulated cycles);
 *                     report written with eth_link_set_report(). See eth_peer.c.
 *   "slirp[:OPTS]"    libslirp user networking (10.0.2.0/24, host 10.0.2.2, DHCP and DNS as
 *                     QEMU's -netdev user); OPTS "hostfwd=udp:127.0.0.1:HP-:GP[,hostfwd=...]".
 *                     Host traffic enters only while the guest waits (WFI), as UART input
 *                     does; while it waits, simulated time is kept from running ahead of
 *                     host time (as QEMU's -icount sleep=on), so slirp's timers (DHCP
 *                     leases, TCP) keep their meaning. A busy guest is not slowed.
 *   "tap:IFNAME"      a Linux TAP device (needs CAP_NET_ADMIN or a pre-created tap owned by
 *                     the user); same input rule as slirp.
 * A pcap writer (eth_link_set_pcap) can be combined with any backend: link type Ethernet
 * (1), timestamps = simulated time (sim_cycles_to_ns), every frame in both directions.
 *
 * Bad input (oversized or runt frames from either side) is counted and dropped, never
 * delivered. Every counter is in eth_link_stats_t and printed by --stats. */
#ifndef SIM_LINK_ETH_LINK_H
#define SIM_LINK_ETH_LINK_H
#include "core/sim.h"
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ETH_LINK_MIN_FRAME 14u      /* header only: shorter is a runt */
#define ETH_LINK_MAX_FRAME 1514u    /* without FCS; 1518 with a VLAN tag is not supported */

typedef struct eth_link eth_link_t;

/* Frame for the NIC (the link owns `frame`; copy what you keep). Return false when the
 * NIC dropped it (no buffer, receiver off): the link counts it in rx_refused. */
typedef bool (*eth_link_rx_fn)(void *nic, const uint8_t *frame, size_t len);

typedef struct eth_link_stats {
    uint64_t tx_frames, tx_bytes;   /* NIC -> link */
    uint64_t rx_frames, rx_bytes;   /* link -> NIC, delivered */
    uint64_t rx_refused;            /* NIC callback returned false */
    uint64_t bad_frames;            /* runts / oversize, either direction, dropped */
    uint64_t backend_errors;        /* host-side send/receive failures */
    uint64_t rx_overflow;           /* frames for the NIC dropped: link queue full */
    uint64_t rx_no_nic;             /* frames for the NIC dropped: no NIC attached */
    uint64_t pcap_records;          /* frames written to the pcap file */
} eth_link_stats_t;

/* NULL + message on stderr on failure (bad spec, missing script, tap not permitted). */
eth_link_t *eth_link_open(sim_t *sim, const char *spec);
void eth_link_close(eth_link_t *l);
void eth_link_attach(eth_link_t *l, eth_link_rx_fn rx, void *nic);
/* The board replaces its link (soc_eth_open, before the run): the NIC attached to `from`
 * is attached to `to` (and detached from `from`). */
void eth_link_move_nic(eth_link_t *from, eth_link_t *to);
/* A frame leaves the NIC now. Returns 0, or -1 when it was dropped (counted). */
int eth_link_send(eth_link_t *l, const uint8_t *frame, size_t len);
/* pcap of both directions, simulated-time stamps. 0 or -1 (message on stderr). */
int eth_link_set_pcap(eth_link_t *l, const char *path);
/* peer backend: where to write its report (JSON). 0, or -1 for other backends. */
int eth_link_set_report(eth_link_t *l, const char *path);
/* Called from soc_idle() while the guest waits: read host-side input (slirp, tap), waiting
 * on the host while simulated time leads host time (at most 100 ms per call). With
 * block = true, may wait on the host (100 ms); returns true when a frame was queued. */
bool eth_link_idle(eth_link_t *l, bool block);
/* The peer backend finished its script (all requests answered or timed out). */
bool eth_link_done(const eth_link_t *l);
void eth_link_get_stats(const eth_link_t *l, eth_link_stats_t *out);
/* --stats: one line per link (and one for the backend, e.g. the peer's results). */
void eth_link_print_stats(const eth_link_t *l, FILE *f);
/* --stats-json: one member `"eth": {...}` (no leading or trailing comma). */
void eth_link_print_stats_json(const eth_link_t *l, FILE *f);
const char *eth_link_spec(const eth_link_t *l);
#endif
