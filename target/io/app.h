/* "app": the micro-application of the EnOcean I/O container (seed: "two low-level drivers,
 * ... EnOcean ... and a micro-application called app"). Portable C, a VMIO automaton that
 * receives decoded ESP3 frames (VMIO_EV_DATA with an esp3 frame buffer, directly or as the
 * last stage of a pipe) and writes one machine-readable line per frame through
 * plat_output_line().
 *
 * Output format (stable; fields separated by one space, key=value, hex lower case, no
 * "0x"; `seq` counts frames received by app since init/reset, starting at 1):
 *
 *   RADIO_ERP1 with a known RORG and the right length:
 *     eno seq=<n> type=erp1 rorg=<f6|d5|a5|d2> data=<hex> id=<8 hex> status=<2 hex>
 *         [sub=<dec> dst=<8 hex> dbm=-<dec> sec=<dec>]
 *     data: the payload between RORG and sender id (F6 RPS and D5 1BS: 1 byte; A5 4BS: 4
 *     bytes DB3..DB0; D2 VLD: 1..14 bytes). The bracketed fields come from the ERP1
 *     optional data (SubTelNum, DestinationID, dBm as the negated RSSI byte, SecurityLevel)
 *     and appear only when it is present (optional length >= 7).
 *   RADIO_ERP1 with another RORG:  same line with rorg=<2 hex> (counted other_rorg).
 *   RADIO_ERP1 that cannot be decoded:
 *     eno seq=<n> type=erp1 err=bad-length rorg=<2 hex> dlen=<dec>
 *   Every other packet type (generic):
 *     eno seq=<n> type=<name> dlen=<dec> olen=<dec> data=<hex>[ opt=<hex>][ trunc=1]
 *     name: response, radio_sub_tel, event, common_command, smart_ack_command,
 *     remote_man_command, radio_message, radio_erp2, or unknown-<2 hex>. data/opt show
 *     at most APP_HEX_MAX bytes each; trunc=1 says that some were left out.
 *
 * Every line printed by the automaton ends with one more field, " cyc=<u32 decimal>": the
 * CPU cycle counter (plat_cycles32(), low 32 bits) read when app starts handling the
 * decoded frame; the harness subtracts the modem's send time from it. app_format() (the
 * frame part alone) does not add it.
 *
 * Example (the RPS vector of shared/reference/esp3-vectors.txt):
 *   eno seq=1 type=erp1 rorg=f6 data=50 id=00298979 status=30 sub=3 dst=ffffffff dbm=-255 sec=0 cyc=123456
 *
 * ---- UDP events (docs/radio-udp.md) ---------------------------------------------------------
 * Once attached to the network stack (app_attach_net), app also sends every report as one UDP
 * datagram to each subscriber (at most APP_SUBS_MAX, table order), from its own UDP port
 * (APP_UDP_PORT_DEFAULT unless configured). Payload, format version 1: the console line
 * above with its first word "eno" replaced by "eno/1" (ASCII, no NUL, no newline):
 *   eno/1 seq=1 type=erp1 rorg=f6 data=50 id=00298979 status=30 sub=3 dst=ffffffff dbm=-255 sec=0 cyc=123456
 * The buffer comes from net_udp_alloc() (all the headroom net needs), so net prepends its
 * headers in place; net_udp_send() is called directly (app and net both run at VMIO level) so
 * that a refusal is seen and counted here. A datagram that net accepted but queued for ARP
 * and later dropped (queue full, no answer) is counted by net (arp_queue_full,
 * arp_unresolved on the "net arp" line), not here.
 *
 * Subscribing:
 *   APP_EV_SUBSCRIBE   request, inl = app_sub_req_t (ip, port, lease_s; lease 0 = until
 *                      unsubscribed). An existing (ip, port) entry gets the new lease.
 *                      Response ERR_OK; ERR_INVAL (short inline, ip 0 / broadcast / port 0,
 *                      counted sub_bad); ERR_NOSPC (table full, counted sub_full).
 *   APP_EV_UNSUBSCRIBE request, same inline (lease ignored). ERR_OK or ERR_EMPTY.
 *   Over UDP, to app's port: the text "subscribe" or "unsubscribe" (a trailing CR/LF is
 *   allowed). The sender's address and port become (stop being) a subscriber; a UDP
 *   subscription has the lease APP_UDP_LEASE_S and must be renewed by sending "subscribe"
 *   again before it runs out, so a dead client stops being sent to. app answers from its
 *   port with "eno/1 subscribed lease=<s>", "eno/1 unsubscribed", "eno/1 err full" or
 *   "eno/1 err not-subscribed". Anything else is counted (udp_cmd_bad) and never answered
 *   (no ping-pong between two nodes); "eno/1 ..." text is not a command.
 * VMIO_EV_RESET (request) only sets seq back to 0: subscriptions and counters stay.
 * Leases are checked when a report is sent (an expired entry is removed, counted
 * subs_expired), so no timer is needed.
 *
 * Counters (app_stats_fields, app_udp_line): udp_sent, udp_dropped (= udp_no_buf +
 * udp_refused: no buffer from the pool; net refused the datagram — link down, no address,
 * no route), subs (current subscribers), subs_expired, sub_full, sub_bad, udp_cmds,
 * udp_cmd_bad, udp_reply_fail.
 */
#ifndef IO_APP_H
#define IO_APP_H
#include <stdint.h>
#include "vmio/vmio.h"

#define APP_HEX_MAX 48        /* bytes shown per hex field */
#define APP_LINE_MAX 256
#define APP_CYC_FIELD_MAX 16  /* " cyc=4294967295" */

#ifndef APP_SUBS_MAX
#define APP_SUBS_MAX 4        /* subscribers of the UDP events */
#endif
#ifndef APP_UDP_PORT_DEFAULT
#define APP_UDP_PORT_DEFAULT 5556u   /* build-time: -DAPP_UDP_PORT_DEFAULT=... */
#endif
#ifndef APP_UDP_LEASE_S
#define APP_UDP_LEASE_S 60u   /* lease of a subscription made over UDP */
#endif
#define APP_UDP_VERSION 1u
/* The way net delivers app's UDP port on: frames arrive on way 0 (esp3's output) or on a
 * pipe id (1..VMIO_MAX_PIPES), so the UDP way lies above every pipe id. */
#define APP_WAY_UDP 0xFFFFu
#define APP_EV_SUBSCRIBE (VMIO_EV_USER + 0)
#define APP_EV_UNSUBSCRIBE (VMIO_EV_USER + 1)

enum app_state { APP_S_RUN, APP_S_COUNT };

/* Inline payload of APP_EV_SUBSCRIBE / APP_EV_UNSUBSCRIBE (host-order address). */
typedef struct app_sub_req {
    uint32_t ip;
    uint16_t port;
    uint16_t reserved;
    uint32_t lease_s;         /* 0: no lease (until unsubscribed) */
} app_sub_req_t;

typedef struct app_sub {
    uint32_t ip;              /* 0: free slot */
    uint16_t port;
    uint64_t expires_us;      /* 0: never */
} app_sub_t;

typedef struct app_stats {
    uint32_t frames;
    uint32_t lines;
    uint32_t erp1;
    uint32_t rps;             /* F6 */
    uint32_t bs1;             /* D5 */
    uint32_t bs4;             /* A5 */
    uint32_t vld;             /* D2 */
    uint32_t other_rorg;
    uint32_t erp1_bad;        /* too short for its RORG */
    uint32_t other_types;     /* non-ERP1 packets, reported generically */
    uint32_t by_type[16];     /* per packet type 0..15 (others in [0]) */
    uint32_t bad_frames;      /* no buffer or inconsistent esp3 header */
    /* UDP events */
    uint32_t udp_sent;        /* datagrams accepted by net */
    uint32_t udp_dropped;     /* udp_no_buf + udp_refused */
    uint32_t udp_no_buf;
    uint32_t udp_refused;     /* net_udp_send returned an error (net counted why) */
    uint32_t subs_expired;
    uint32_t sub_full;
    uint32_t sub_bad;
    uint32_t udp_cmds;        /* subscribe / unsubscribe datagrams handled */
    uint32_t udp_cmd_bad;     /* other datagrams to app's port (never answered) */
    uint32_t udp_reply_fail;  /* answer to a command: no buffer or net refused */
    uint32_t subs;            /* current subscribers (a gauge) */
} app_stats_t;

struct net;

typedef struct app {
    vmio_automaton_t aut;     /* first member */
    uint32_t seq;
    app_stats_t stats;
    struct net *net;          /* 0: no network (console lines only) */
    uint16_t port;
    app_sub_t subs[APP_SUBS_MAX];
} app_t;

int app_init(app_t *self, uint8_t id);
void app_get_stats(const app_t *self, app_stats_t *out);
/* Formats the line for one frame buffer (esp3 layout) into out; returns its length.
 * Exposed for tests and the benchmark; app's handler uses it with the next seq. */
int app_format(uint32_t seq, const vmio_buf_t *frame, char *out, size_t size);
/* Application level before vmio_run (or VMIO level): from now on reports also go to the
 * subscribers through `net`, and `port` (0 = APP_UDP_PORT_DEFAULT) is bound to app (way
 * APP_WAY_UDP) for the UDP subscription commands. ERR_INVAL, or net_udp_bind's error. */
int app_attach_net(app_t *self, struct net *net, uint16_t port);
/* Fills ev as an APP_EV_SUBSCRIBE / APP_EV_UNSUBSCRIBE request to `app_dst` (the console
 * deposits it with vmio_deposit(VMIO_LEVEL_APP, ev)). */
void app_sub_event(vmio_event_t *ev, vmio_addr_t app_dst, uint16_t code, const app_sub_req_t *r);
/* Console helper: "A.B.C.D PORT [LEASE_S]" (one space between words; PORT 1..65535;
 * LEASE_S 0..APP_LEASE_MAX_S decimal, absent = 0 = no lease) -> *out. ERR_INVAL on anything
 * else (*out untouched). The address is checked by app_subscribe (not 0, not broadcast). */
#define APP_LEASE_MAX_S 31536000u     /* one year */
int app_parse_sub(const char *s, app_sub_req_t *out);
/* The two UDP drop/send counters as fields to append to the "eno-stats" console line
 * (leading space): " udp_sent=<n> udp_dropped=<n>" (at most 48 characters). Returns the
 * length (truncated to size - 1). */
int app_stats_fields(const app_stats_t *s, char *out, size_t size);
/* All UDP counters as one console line (at most APP_UDP_LINE_MAX - 1 characters):
 *   "eno-udp port=<n> subs=<n> sent=<n> dropped=<n> no_buf=<n> refused=<n> expired=<n>
 *    sub_full=<n> sub_bad=<n> cmds=<n> cmd_bad=<n> reply_fail=<n>"
 * port 0 = not attached to the network. Returns the length (truncated to size - 1). */
#define APP_UDP_LINE_MAX 224
int app_udp_line(const app_t *self, char *out, size_t size);
extern const vmio_table_t app_table;

#endif
