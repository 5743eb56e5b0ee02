/* BCM2835 VideoCore mailbox 0/1 and the property-tag channel (firmware stand-in). */
#ifndef SIM_PERIPH_MBOX_H
#define SIM_PERIPH_MBOX_H
#include "core/sim.h"

#define BCM2835_MBOX_QUEUE 8   /* mailbox FIFO depth (VC firmware: 8 words) */

typedef struct bcm2835_mbox {
    sim_t *sim;
    /* VC -> ARM (mailbox 0, read side) */
    uint32_t rq[BCM2835_MBOX_QUEUE];
    unsigned rq_head, rq_count;
    /* ARM -> VC (mailbox 1, write side): messages waiting for the "firmware" */
    uint32_t wq[BCM2835_MBOX_QUEUE];
    unsigned wq_head, wq_count;
    uint32_t config;
    sim_timer_t timer;     /* the firmware finishing the oldest ARM -> VC message */
    bool irq_out;
    struct {
        uint64_t guest_errors, messages, prop_requests, unknown_tags, bad_buffers;
    } stats;
} bcm2835_mbox_t;

extern const sim_dev_ops_t bcm2835_mbox_ops;
void bcm2835_mbox_init(bcm2835_mbox_t *s, sim_t *sim);
void bcm2835_mbox_reset(void *opaque);
void bcm2835_mbox_fini(bcm2835_mbox_t *s);
/* simulated time the firmware takes to answer one message */
#define BCM2835_MBOX_REPLY_NS 10000u
#endif
