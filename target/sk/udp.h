/* Serverkernel UDP transport (docs/protocol.md §3 "UDP"): the executive's second transport,
 * the same messages as on the serial line.
 *
 * Wire: one protocol message per datagram, `message ‖ CRC-32(message)` (the CRC of
 * sk/link.h, little endian; no COBS: the datagram delimits the message). Port SK_UDP_PORT.
 *
 * Two contexts, and this file is the only place where they meet:
 *  - VMIO level (the "sk_udp" automaton, bound to the port on net): each received datagram
 *    is checked (length, CRC) and copied into the next free slot of a fixed mailbox ring;
 *    a full ring drops the datagram (counted rx_drop_full), it never blocks or waits.
 *  - application level (sk_udp_poll, from the main loop, the executive's context): takes the
 *    slots in arrival order, hands each message to the executive (sk_exec_message through
 *    cfg.handle; a run is synchronous there), writes the reply into the same slot and
 *    deposits SK_UDP_EV_SEND (VMIO_LEVEL_APP) for it; the automaton copies the reply into a
 *    net_udp_alloc() buffer and sends it to the datagram's source address/port, then frees
 *    the slot. net is VMIO-level only, so every send happens in the automaton.
 *
 * Slot ownership (one writer per transition, single core): FREE -> RX by VMIO; RX -> TX (a
 * reply) or FREE (no reply) by the application; TX -> FREE by VMIO after the send. The
 * ring is consumed and freed in order, so the producer only ever looks at the slot at its
 * head.
 *
 * Adverts: when enabled (cfg.adverts, sk_udp_set_adverts), while the network is up (net in
 * NET_S_UP) and cfg.advert gives one (the node is IDLE), every SK_UDP_ADV_PERIOD_US an ADVERT goes as a broadcast to
 * 255.255.255.255:SK_UDP_PORT through the separate advert slot (skipped and counted
 * adv_busy while the previous one is not sent yet). A direct DISCOVER is an ordinary
 * request: its ADVERT reply goes back unicast to the asker. sk_udp_poll needs no timer of
 * its own: the network's tick (every MAIN_NET_TICK_US while the network is started) ends
 * the idle loop's WFI.
 *
 * Counters (sk_udp_stats_t): rx (accepted), rx_short, rx_bad_crc, rx_too_big, rx_not_request
 * (a node-to-client type, e.g. another node's advert: never answered, so two nodes cannot
 * start a ping-pong of errors), rx_drop_full,
 * handled, tx, tx_no_buf (no VMIO buffer: reply lost, the client retransmits), tx_fail (net
 * refused, counted there too), adv_tx, adv_busy, deposit_fail (SEND event could not be
 * deposited: slot freed on the next poll, reply lost). */
#ifndef SK_UDP_H
#define SK_UDP_H
#include <stddef.h>
#include <stdint.h>
#include "io/net.h"
#include "sk/proto.h"
#include "vmio/vmio.h"

#ifndef SK_UDP_PORT
#define SK_UDP_PORT 7700u
#endif
#define SK_UDP_SLOTS 16u                 /* mailbox ring (one upload burst of 16 datagrams) */
#define SK_UDP_CRC_LEN 4u
#define SK_UDP_DGRAM_MAX (SK_PROTO_MSG_MAX + SK_UDP_CRC_LEN)
#define SK_UDP_ADV_PERIOD_US 1000000u
#define SK_UDP_EV_SEND (VMIO_EV_USER + 0) /* arg = slot index, or SK_UDP_SLOTS for the advert */

enum { SK_UDP_SLOT_FREE, SK_UDP_SLOT_RX, SK_UDP_SLOT_TX };

typedef struct sk_udp_slot {
    volatile uint8_t state;
    uint16_t len;                       /* message (RX) or reply (TX) bytes, CRC excluded */
    net_udp_meta_t meta;                /* as received: remote = the sender */
    uint8_t data[SK_UDP_DGRAM_MAX];
} sk_udp_slot_t;

typedef struct sk_udp_stats {
    uint32_t rx, rx_short, rx_bad_crc, rx_too_big, rx_not_request, rx_drop_full;
    uint32_t handled, tx, tx_no_buf, tx_fail;
    uint32_t adv_tx, adv_busy, deposit_fail;
} sk_udp_stats_t;

typedef struct sk_udp_cfg {
    /* one message in, reply length out (0 none, < 0 none); application level */
    int (*handle)(const uint8_t *msg, size_t len, uint8_t *reply, size_t cap);
    /* an advert to broadcast now (0: not idle) */
    int (*advert)(uint8_t *buf, size_t cap);
    uint16_t port;                      /* 0: SK_UDP_PORT */
    uint8_t adverts;                    /* periodic broadcast adverts on */
} sk_udp_cfg_t;

typedef struct sk_udp {
    vmio_automaton_t aut;               /* first member */
    net_t *net;
    sk_udp_cfg_t cfg;
    sk_udp_slot_t slot[SK_UDP_SLOTS];
    sk_udp_slot_t adv;
    unsigned head;                      /* VMIO: next slot to fill */
    unsigned tail;                      /* application: next slot to handle */
    uint64_t next_adv_us;
    sk_udp_stats_t stats;
} sk_udp_t;

/* Registers the automaton under `id` and binds the port on `net` (application level, before
 * or between vmio_run). 0 or the vmio_register/net_udp_bind error. */
int sk_udp_init(sk_udp_t *self, uint8_t id, net_t *net, const sk_udp_cfg_t *cfg);
/* Application level: handles the received messages, times the adverts. now_us: monotonic. */
void sk_udp_poll(sk_udp_t *self, uint64_t now_us);
/* Periodic broadcast adverts on/off (application level); a DISCOVER is answered either way. */
void sk_udp_set_adverts(sk_udp_t *self, int on);
/* Any received message waiting for sk_udp_poll (the idle loop must not sleep then). */
int sk_udp_pending(const sk_udp_t *self);
/* "sk udp port=.. rx=.. ..." */
int sk_udp_stats_line(const sk_udp_t *self, char *buf, size_t cap);
extern const vmio_table_t sk_udp_table;

#endif
