/* "peer:SCRIPT" Ethernet backend: an in-process UDP/ICMP echo client that lives on the
 * simulated wire and runs in simulated time (deterministic: same guest, same script,
 * same cycles).
 *
 * ---- Behaviour ------------------------------------------------------------------------
 * The peer has its own MAC and IPv4 address. It answers ARP requests for its address at
 * the instant they leave the NIC. At `start` it resolves the target's MAC by ARP
 * (broadcast request, repeated every `arp` interval up to its number of tries), then
 * plays the items in order: each item sends `count` requests one at a time; a request
 * is handed to the NIC at simulated time T0 (the instant the link delivers the frame),
 * the answer is the first matching frame the NIC sends (UDP: from target:dport to
 * peer:port; ICMP: echo reply with the peer's id and the request's sequence number) at
 * T1 = sim_now() in eth_link_send(); RTT = T1 - T0 in CPU cycles (the wire itself takes
 * no time in this model). The payload of the answer is compared byte for byte with the
 * request's (a difference is a mismatch; the request is still answered); IPv4 header
 * checksums and non-zero UDP / ICMP checksums are verified (bad ones: bad_checksums,
 * the frame is ignored). No answer within `timeout`: a timeout. The next request leaves
 * `gap` after the answer or the timeout. A UDP answer that arrives when no UDP request
 * is outstanding is counted as unexpected (with the fixed "Echo1" payload a late answer
 * cannot be told from a new one; ICMP answers carry their sequence number).
 * If ARP never resolves, every request of the script is counted as unsent.
 *
 * ---- Script (one directive per line; '#' starts a comment; blank lines ignored) -------
 *   mac <xx:xx:xx:xx:xx:xx>    peer MAC (default 02:00:00:00:00:02); unicast only
 *   ip <a.b.c.d>               peer IPv4 (default 10.0.2.2)
 *   target <a.b.c.d>           target IPv4 (default 10.0.2.15)
 *   port <1..65535>            peer UDP source port (default 40000)
 *   start <µs>                 first ARP request at this simulated time since power-on
 *                              (default 0)
 *   arp <interval µs> <tries>  ARP retry interval and number of requests (100000 100)
 *   timeout <µs>               answer timeout per request (default 100000)
 *   gap <µs>                   pause before each next request (default 0)
 *   udp <count> <dport> [size=<0..1472> | hex=<bytes> | text=<chars>]
 *                              count (1..10^6) UDP echo requests to target:dport;
 *                              payload: size=N: N bytes of "Echo1" repeated (default
 *                              size=5, i.e. "Echo1"), hex=: exactly these bytes, text=:
 *                              the rest of the token (no spaces)
 *   ping <count> [size=<0..1472>]   ICMP echo requests, payload as udp size=
 *   stop                       when the script is done, stop the simulation
 *                              (sim_request_stop: bcm2835-sim exits with 8)
 *   dhcp                       also be the DHCP server of the wire: DISCOVER -> OFFER of
 *                              the target's address (server, router, DNS = the peer, mask
 *                              /24, lease 1 day), REQUEST of it -> ACK, of another -> NAK;
 *                              replies broadcast (a guest that configures itself by DHCP)
 * Settings (mac..gap) come before the first item; every directive at most once; at most
 * 10^6 requests in all. Errors: "FILE:LINE: message" per bad line, parsing goes on,
 * the parse returns the number of errors.
 *
 * ---- Report (eth_link_set_report / bcm2835-sim --eth-report FILE): one JSON object ----
 *   {"eth_peer": 1, "script": S, "cpu_hz": H, "done": true|false, "arp_resolved": b,
 *    "target_mac": "..", "arp_requests": n, "sent": n, "answered": n, "ok": n,
 *    "mismatches": n, "timeouts": n, "unsent": n, "unexpected": n, "bad_checksums": n,
 *    "ignored": n, "arp_replies_sent": n, "dhcp_offers": n, "dhcp_acks": n, "dhcp_naks": n,
 *    "first_request_cycle": c, "end_cycle": c,
 *    "rtt_cycles": {"min","median","p99","max","total","mean"}, "rtt_us": {same in µs},
 *    "items": [{"line", "kind", "count", "size", "sent", "answered", "mismatches",
 *               "timeouts", "median", "p99", "max"}...],
 *    "rtts": [cycles or null for a request with no answer, in request order]}
 *   median/p99: nearest rank over answered requests. Written when the script is done and
 *   again at close (with "done": false if it never finished).
 */
#ifndef SIM_LINK_ETH_PEER_H
#define SIM_LINK_ETH_PEER_H
#include <stdint.h>
#include <stdio.h>

#define ETH_PEER_MAX_REQUESTS 1000000u
#define ETH_PEER_MAX_PAYLOAD  1472u     /* 1500 - IPv4 20 - UDP 8 */

typedef struct eth_peer_script eth_peer_script_t;

/* Parse a script; messages "FILE:LINE: ..." to msgs (may be NULL). Returns the number of
 * errors; 0: *out is the script, else *out is NULL. */
int eth_peer_script_parse_string(const char *text, const char *fname, eth_peer_script_t **out, FILE *msgs);
int eth_peer_script_parse_file(const char *path, eth_peer_script_t **out, FILE *msgs);
void eth_peer_script_free(eth_peer_script_t *s);
uint64_t eth_peer_script_requests(const eth_peer_script_t *s);
#endif
