/* Serverkernel UDP transport: see udp.h. */
#include "sk/udp.h"
#include "lib/crc.h"
#include "lib/printf.h"

#define SK_UDP_BARRIER() __asm__ volatile("" ::: "memory") /* single core: order the slot data
                                                              before its state */

static uint32_t sk_udp_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void sk_udp_wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Requests a node answers (client -> node); the other types are never handled here. */
static int sk_udp_is_request(uint8_t type)
{
    return type == SK_MSG_DISCOVER || type == SK_MSG_INFO_REQ || type == SK_MSG_ATTEST_REQ ||
           type == SK_MSG_UPLOAD_BEGIN || type == SK_MSG_UPLOAD_CHUNK || type == SK_MSG_EXEC;
}

/* VMIO level: one datagram from net (meta inline); the engine frees the buffer after us. */
static int sk_udp_on_data(vmio_automaton_t *a, const vmio_event_t *ev)
{
    sk_udp_t *s = (sk_udp_t *)a;
    if (!ev->buf || ev->len < sizeof(net_udp_meta_t)) {
        s->stats.rx_short++;
        return ERR_OK;
    }
    const vmio_buf_t *b = ev->buf;
    if (b->len < SK_PROTO_HDR + SK_UDP_CRC_LEN) {
        s->stats.rx_short++;
        return ERR_OK;
    }
    if (b->len > SK_UDP_DGRAM_MAX) {
        s->stats.rx_too_big++;
        return ERR_OK;
    }
    size_t ml = b->len - SK_UDP_CRC_LEN;
    if (crc32(b->data, ml) != sk_udp_rd32(b->data + ml)) {
        s->stats.rx_bad_crc++;
        return ERR_OK;
    }
    if (!sk_udp_is_request(b->data[1])) {
        s->stats.rx_not_request++;
        return ERR_OK;
    }
    sk_udp_slot_t *sl = &s->slot[s->head % SK_UDP_SLOTS];
    if (sl->state != SK_UDP_SLOT_FREE) {
        s->stats.rx_drop_full++; /* the client retransmits what is not acknowledged */
        return ERR_OK;
    }
    __builtin_memcpy(sl->data, b->data, ml);
    sl->len = (uint16_t)ml;
    net_udp_meta_get(ev, &sl->meta);
    s->stats.rx++;
    s->head++;
    SK_UDP_BARRIER();
    sl->state = SK_UDP_SLOT_RX;
    return ERR_OK;
}

/* VMIO level: the application filled slot ev->arg (or the advert slot) with a reply. */
static int sk_udp_on_send(vmio_automaton_t *a, const vmio_event_t *ev)
{
    sk_udp_t *s = (sk_udp_t *)a;
    if (ev->arg > SK_UDP_SLOTS)
        return ERR_OK;
    sk_udp_slot_t *sl = ev->arg == SK_UDP_SLOTS ? &s->adv : &s->slot[ev->arg];
    if (sl->state != SK_UDP_SLOT_TX)
        return ERR_OK;
    size_t n = (size_t)sl->len + SK_UDP_CRC_LEN;
    vmio_buf_t *out = net_udp_alloc(n);
    if (!out) {
        s->stats.tx_no_buf++;
    } else {
        __builtin_memcpy(out->data, sl->data, n);
        out->len = (uint16_t)n;
        if (net_udp_send(s->net, out, &sl->meta)) /* takes the buffer in all cases */
            s->stats.tx_fail++;
        else if (ev->arg == SK_UDP_SLOTS)
            s->stats.adv_tx++;
        else
            s->stats.tx++;
    }
    SK_UDP_BARRIER();
    sl->state = SK_UDP_SLOT_FREE;
    return ERR_OK;
}

static int sk_udp_on_reset(vmio_automaton_t *a, const vmio_event_t *ev)
{
    return vmio_is_req(ev) ? vmio_respond(a, ev, ERR_OK, 0, 0) : ERR_OK;
}

enum { SK_UDP_S_RUN, SK_UDP_S_COUNT };
enum { SK_UDP_EV_COUNT = SK_UDP_EV_SEND + 1 };

static const vmio_row_t sk_udp_rows[SK_UDP_S_COUNT][SK_UDP_EV_COUNT] = {
    [SK_UDP_S_RUN] = {
        [VMIO_EV_DATA] = VMIO_ROW(sk_udp_on_data, VMIO_SAME),
        [VMIO_EV_RESET] = VMIO_ROW(sk_udp_on_reset, VMIO_SAME),
        [SK_UDP_EV_SEND] = VMIO_ROW(sk_udp_on_send, VMIO_SAME),
    },
};
static const vmio_state_desc_t sk_udp_states[SK_UDP_S_COUNT] = {
    [SK_UDP_S_RUN] = {"run", 0, 0},
};
static const char *const sk_udp_event_names[SK_UDP_EV_COUNT] = {
    [VMIO_EV_DATA] = "data", [VMIO_EV_RX] = "rx", [VMIO_EV_PIPE_OPEN] = "pipe_open",
    [VMIO_EV_PIPE_CLOSE] = "pipe_close", [VMIO_EV_RESET] = "reset", [SK_UDP_EV_SEND] = "send",
};
const vmio_table_t sk_udp_table = {
    .name = "sk_udp", .nstates = SK_UDP_S_COUNT, .nevents = SK_UDP_EV_COUNT,
    .rows = &sk_udp_rows[0][0], .dflt = 0, .states = sk_udp_states,
    .event_names = sk_udp_event_names,
};

int sk_udp_init(sk_udp_t *self, uint8_t id, net_t *net, const sk_udp_cfg_t *cfg)
{
    if (!self || !net || !cfg || !cfg->handle)
        return ERR_INVAL;
    *self = (sk_udp_t){0};
    self->net = net;
    self->cfg = *cfg;
    if (!self->cfg.port)
        self->cfg.port = SK_UDP_PORT;
    int rc = vmio_register(&self->aut, id, &sk_udp_table, SK_UDP_S_RUN);
    if (rc)
        return rc;
    return net_udp_bind(net, self->cfg.port, vmio_addr(VMIO_NODE_LOCAL, id, 0));
}

/* Application level: slot `idx` (SK_UDP_SLOTS = advert) holds a reply of sl->len bytes. */
static void sk_udp_queue_send(sk_udp_t *s, sk_udp_slot_t *sl, unsigned idx)
{
    sk_udp_wr32(sl->data + sl->len, crc32(sl->data, sl->len));
    SK_UDP_BARRIER();
    sl->state = SK_UDP_SLOT_TX;
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(VMIO_NODE_LOCAL, s->aut.id, 0);
    ev.src = ev.dst;
    ev.code = SK_UDP_EV_SEND;
    ev.arg = idx;
    if (vmio_deposit(VMIO_LEVEL_APP, &ev)) {
        s->stats.deposit_fail++;
        sl->state = SK_UDP_SLOT_FREE; /* nothing of VMIO's refers to it: the event is not queued */
    }
}

void sk_udp_set_adverts(sk_udp_t *self, int on)
{
    self->cfg.adverts = on ? 1 : 0;
}

int sk_udp_pending(const sk_udp_t *self)
{
    return self->slot[self->tail % SK_UDP_SLOTS].state == SK_UDP_SLOT_RX;
}

void sk_udp_poll(sk_udp_t *s, uint64_t now_us)
{
    static uint8_t reply[SK_PROTO_MSG_MAX]; /* application level only */
    /* Bounded: at most one pass over the ring per call. */
    for (unsigned k = 0; k < SK_UDP_SLOTS; k++) {
        unsigned idx = s->tail % SK_UDP_SLOTS;
        sk_udp_slot_t *sl = &s->slot[idx];
        if (sl->state != SK_UDP_SLOT_RX)
            break;
        SK_UDP_BARRIER();
        int n = s->cfg.handle(sl->data, sl->len, reply, sizeof reply);
        s->stats.handled++;
        s->tail++;
        if (n > 0 && (size_t)n <= SK_PROTO_MSG_MAX) {
            __builtin_memcpy(sl->data, reply, (size_t)n);
            sl->len = (uint16_t)n;
            /* the meta as received names the sender as remote: exactly the reply's addressing */
            sk_udp_queue_send(s, sl, idx);
        } else {
            SK_UDP_BARRIER();
            sl->state = SK_UDP_SLOT_FREE;
        }
    }
    if (!s->cfg.advert || !s->cfg.adverts || s->net->aut.state != NET_S_UP) {
        s->next_adv_us = now_us; /* the first advert as soon as the network is up */
        return;
    }
    if ((int64_t)(now_us - s->next_adv_us) < 0)
        return;
    s->next_adv_us = now_us + SK_UDP_ADV_PERIOD_US;
    if (s->adv.state != SK_UDP_SLOT_FREE) {
        s->stats.adv_busy++;
        return;
    }
    int n = s->cfg.advert(s->adv.data, SK_PROTO_MSG_MAX);
    if (n <= 0)
        return; /* not idle */
    s->adv.len = (uint16_t)n;
    s->adv.meta = (net_udp_meta_t){.remote_ip = NET_IP_BCAST, .remote_port = s->cfg.port,
                                   .local_port = s->cfg.port};
    sk_udp_queue_send(s, &s->adv, SK_UDP_SLOTS);
}

int sk_udp_stats_line(const sk_udp_t *self, char *buf, size_t cap)
{
    const sk_udp_stats_t *t = &self->stats;
    return snprintf(buf, cap,
                    "sk udp port=%u adverts=%s rx=%lu handled=%lu tx=%lu adv_tx=%lu short=%lu bad_crc=%lu too_big=%lu "
                    "not_request=%lu drop_full=%lu tx_no_buf=%lu tx_fail=%lu adv_busy=%lu deposit_fail=%lu",
                    (unsigned)self->cfg.port, self->cfg.adverts ? "on" : "off", (unsigned long)t->rx, (unsigned long)t->handled,
                    (unsigned long)t->tx, (unsigned long)t->adv_tx, (unsigned long)t->rx_short,
                    (unsigned long)t->rx_bad_crc, (unsigned long)t->rx_too_big,
                    (unsigned long)t->rx_not_request, (unsigned long)t->rx_drop_full,
                    (unsigned long)t->tx_no_buf, (unsigned long)t->tx_fail, (unsigned long)t->adv_busy,
                    (unsigned long)t->deposit_fail);
}
