/* Private interface between the Ethernet link (eth_link.c: spec parsing, the frame queue
 * towards the NIC, pcap, counters) and its backends (null and tap in eth_link.c,
 * eth_slirp.c, eth_peer.c). Not for NIC models: they use eth_link.h only. */
#ifndef SIM_LINK_ETH_INTERNAL_H
#define SIM_LINK_ETH_INTERNAL_H
#include "link/eth_link.h"

typedef struct eth_backend_ops {
    const char *name;
    /* a valid frame from the NIC (already counted and in the pcap); 0 or -1 (counted
     * by the link as a backend error) */
    int (*send)(void *be, const uint8_t *frame, size_t len);
    /* host input while the guest waits; see eth_link_idle(). Wait on the host up to
     * wait_ms (0: just look). True when a frame was queued for the NIC. NULL: none. */
    bool (*idle)(void *be, int wait_ms);
    bool (*done)(const void *be);                   /* NULL: never "done" */
    int (*set_report)(void *be, const char *path);  /* NULL: not supported */
    void (*print_stats)(const void *be, FILE *f);   /* one line, NULL: nothing */
    void (*close)(void *be);
} eth_backend_ops_t;

/* Queue a frame for the NIC, delivered at simulated time `when` (>= now; frames leave
 * the queue in time order, FIFO for equal times). Bad lengths are counted (bad_frames)
 * and dropped; a full queue is counted (rx_overflow). 0 or -1. */
int eth_link_deliver_at(eth_link_t *l, uint64_t when, const uint8_t *frame, size_t len);
sim_t *eth_link_sim(const eth_link_t *l);
void eth_link_count_backend_error(eth_link_t *l);

/* backend constructors: args is the text after "name:" (NULL when absent); NULL and a
 * message on stderr on failure. */
void *eth_slirp_open(eth_link_t *l, const char *args, const eth_backend_ops_t **ops);
void *eth_peer_open(eth_link_t *l, const char *args, const eth_backend_ops_t **ops);

/* internet checksum (RFC 1071) over p[0..n), folded, not inverted, starting at sum */
uint32_t eth_csum_add(uint32_t sum, const uint8_t *p, size_t n);
uint16_t eth_csum_fold(uint32_t sum);
#endif
