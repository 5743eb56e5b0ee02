/* DHCP client automaton: see dhcp.h. */
#include "io/dhcp.h"
#include "lib/printf.h"
#include "platform.h"

#define DHCP_ALL_STATES ((1u << DHCP_S_IDLE) | (1u << DHCP_S_SELECTING) | \
                         (1u << DHCP_S_REQUESTING) | (1u << DHCP_S_BOUND) | (1u << DHCP_S_RENEWING))
#define DHCP_MIN_LEN (NET_DHCP_FIXED_LEN + 4u)

static dhcp_t *dhcp_of(vmio_automaton_t *a)
{
    return (dhcp_t *)a;  /* aut is the first member */
}

/* ---- messages out ---------------------------------------------------------------------- */
typedef struct dhcp_opts {
    uint8_t *p;
    unsigned n, max;
} dhcp_opts_t;

static void dhcp_opt(dhcp_opts_t *o, uint8_t code, uint8_t len, const uint8_t *v)
{
    if (o->n + 2u + len > o->max)
        return;     /* cannot happen with the fixed option sets below (bounded by DHCP_MSG_LEN) */
    o->p[o->n++] = code;
    o->p[o->n++] = len;
    for (unsigned i = 0; i < len; i++)
        o->p[o->n++] = v[i];
}

static void dhcp_opt32(dhcp_opts_t *o, uint8_t code, uint32_t v)
{
    uint8_t b[4];
    net_wr32(b, v);
    dhcp_opt(o, code, 4, b);
}

/* Builds and sends one message of `type` to dst (broadcast or the server). */
static void dhcp_send(dhcp_t *s, uint8_t type, uint32_t dst, uint32_t ciaddr, int with_ids)
{
    vmio_buf_t *b = net_udp_alloc(DHCP_MSG_LEN);
    if (!b) {
        s->stats.no_buf++;
        return;
    }
    for (unsigned i = 0; i < DHCP_MSG_LEN; i++)
        b->data[i] = 0;
    net_dhcp_msg_t *m = (net_dhcp_msg_t *)b->data;
    m->op = NET_DHCP_OP_REQUEST;
    m->htype = NET_ARP_HTYPE_ETH;
    m->hlen = NET_ETH_ALEN;
    net_wr32(m->xid, s->xid);
    net_wr16(m->flags, ciaddr ? 0 : NET_DHCP_FLAG_BROADCAST);
    net_wr32(m->ciaddr, ciaddr);
    for (unsigned i = 0; i < NET_ETH_ALEN; i++)
        m->chaddr[i] = s->mac[i];
    net_wr32(m->magic, NET_DHCP_MAGIC);
    dhcp_opts_t o = {b->data + DHCP_MIN_LEN, 0, DHCP_MSG_LEN - DHCP_MIN_LEN - 1u};
    dhcp_opt(&o, NET_DHCP_OPT_MSGTYPE, 1, &type);
    if (with_ids) {
        dhcp_opt32(&o, NET_DHCP_OPT_REQ_IP, s->offered_ip);
        dhcp_opt32(&o, NET_DHCP_OPT_SERVER_ID, s->server_ip);
    }
    static const uint8_t params[] = {NET_DHCP_OPT_MASK, NET_DHCP_OPT_ROUTER, NET_DHCP_OPT_LEASE,
                                     NET_DHCP_OPT_T1, NET_DHCP_OPT_T2};
    dhcp_opt(&o, NET_DHCP_OPT_PARAM_REQ, sizeof params, params);
    o.p[o.n++] = NET_DHCP_OPT_END;      /* room kept by max above; the rest stays PAD (0) */

    vmio_event_t ev = {0};
    ev.dst = s->net;
    ev.src = vmio_addr(VMIO_NODE_LOCAL, s->aut.id, 0);
    ev.code = NET_EV_UDP_SEND;
    net_udp_meta_t meta = {.remote_ip = dst, .local_ip = 0,
                           .remote_port = NET_DHCP_SERVER_PORT, .local_port = NET_DHCP_CLIENT_PORT};
    net_udp_meta_put(&ev, &meta);
    ev.buf = b;
    if (vmio_post(&ev, 1))      /* ownership passed either way */
        s->stats.send_fail++;
}

static void dhcp_apply(dhcp_t *s, uint32_t ip, uint32_t mask, uint32_t gw);

static void dhcp_discover(dhcp_t *s, int retry)
{
    if (!retry && s->addr.ip) {
        /* A new cycle starts without an address, so DISCOVER and REQUEST leave from
         * 0.0.0.0 (RFC 2131 4.1); the SET_ADDR request is queued before the DISCOVER. */
        dhcp_apply(s, 0, 0, 0);
    }
    if (!retry) {
        /* New transaction id: MAC and the clocks, so two boards booting together differ. */
        uint32_t x = plat_cycles32() ^ (uint32_t)plat_now_us() ^ s->xid * 2654435761u;
        for (unsigned i = 0; i < NET_ETH_ALEN; i++)
            x = (x << 5 | x >> 27) ^ s->mac[i];
        s->xid = x ? x : 1u;
        s->wait_us = s->cfg.timeout_us;
    } else {
        s->stats.retries++;
        s->wait_us = s->wait_us * 2u > s->cfg.max_timeout_us ? s->cfg.max_timeout_us : s->wait_us * 2u;
    }
    s->stats.discover_tx++;
    dhcp_send(s, NET_DHCP_DISCOVER, NET_IP_BCAST, 0, 0);
    ntimer_start(&s->timer, s->wait_us);
}

static void dhcp_request(dhcp_t *s)
{
    s->stats.request_tx++;
    dhcp_send(s, NET_DHCP_REQUEST, NET_IP_BCAST, 0, 1);
    ntimer_start(&s->timer, s->cfg.timeout_us);
}

static void dhcp_renew(dhcp_t *s)
{
    s->stats.renew_tx++;
    dhcp_send(s, NET_DHCP_REQUEST, s->server_ip, s->addr.ip, 0);
    uint64_t now = plat_now_us();
    uint64_t left = s->lease_end_us > now ? s->lease_end_us - now : 0;
    ntimer_start(&s->timer, left < s->cfg.timeout_us ? left : s->cfg.timeout_us);
}

static void dhcp_apply(dhcp_t *s, uint32_t ip, uint32_t mask, uint32_t gw)
{
    s->addr.ip = ip;
    s->addr.mask = mask;
    s->addr.gw = gw;
    vmio_event_t ev;
    net_set_addr_event(&ev, s->net, &s->addr);
    ev.src = vmio_addr(VMIO_NODE_LOCAL, s->aut.id, 0);
    if (vmio_post(&ev, 1))
        s->stats.send_fail++;
}

/* ---- messages in ----------------------------------------------------------------------- */
typedef struct dhcp_rx {
    uint8_t type;
    uint32_t yiaddr, server, mask, router, lease, t1;
} dhcp_rx_t;

/* 0 and *r filled, or ERR_INVAL (malformed: counted rx_bad) / ERR_EMPTY (not ours). */
static int dhcp_parse(const dhcp_t *s, const vmio_buf_t *b, dhcp_rx_t *r)
{
    if (b->len < DHCP_MIN_LEN)
        return ERR_INVAL;
    const net_dhcp_msg_t *m = (const net_dhcp_msg_t *)b->data;
    if (m->op != NET_DHCP_OP_REPLY || m->htype != NET_ARP_HTYPE_ETH || m->hlen != NET_ETH_ALEN ||
        net_rd32(m->magic) != NET_DHCP_MAGIC)
        return ERR_INVAL;
    if (net_rd32(m->xid) != s->xid)
        return ERR_EMPTY;
    for (unsigned i = 0; i < NET_ETH_ALEN; i++)
        if (m->chaddr[i] != s->mac[i])
            return ERR_EMPTY;
    *r = (dhcp_rx_t){0};
    r->yiaddr = net_rd32(m->yiaddr);
    const uint8_t *p = b->data + DHCP_MIN_LEN;
    unsigned n = b->len - DHCP_MIN_LEN, i = 0;
    while (i < n) {             /* every pass consumes >= 1 byte: bounded by n */
        uint8_t code = p[i];
        if (code == NET_DHCP_OPT_PAD) {
            i++;
            continue;
        }
        if (code == NET_DHCP_OPT_END)
            break;
        if (i + 2u > n || i + 2u + p[i + 1] > n)
            return ERR_INVAL;
        uint8_t len = p[i + 1];
        const uint8_t *v = p + i + 2;
        switch (code) {
        case NET_DHCP_OPT_MSGTYPE:
            if (len != 1)
                return ERR_INVAL;
            r->type = v[0];
            break;
        case NET_DHCP_OPT_SERVER_ID:
        case NET_DHCP_OPT_MASK:
        case NET_DHCP_OPT_LEASE:
        case NET_DHCP_OPT_T1:
            if (len != 4)
                return ERR_INVAL;
            if (code == NET_DHCP_OPT_SERVER_ID) r->server = net_rd32(v);
            else if (code == NET_DHCP_OPT_MASK) r->mask = net_rd32(v);
            else if (code == NET_DHCP_OPT_LEASE) r->lease = net_rd32(v);
            else r->t1 = net_rd32(v);
            break;
        case NET_DHCP_OPT_ROUTER:
            if (len < 4 || len % 4)
                return ERR_INVAL;
            r->router = net_rd32(v);    /* the first router */
            break;
        default:
            break;
        }
        i += 2u + len;
    }
    if (!r->type)
        return ERR_INVAL;
    return ERR_OK;
}

/* Reads the datagram of ev into *r; ERR_EMPTY when it must be ignored (counted). */
static int dhcp_rx(dhcp_t *s, const vmio_event_t *ev, dhcp_rx_t *r)
{
    if (!ev->buf) {
        s->stats.rx_bad++;
        return ERR_EMPTY;
    }
    int rc = dhcp_parse(s, ev->buf, r);
    if (rc == ERR_INVAL)
        s->stats.rx_bad++;
    else if (rc)
        s->stats.rx_other++;
    return rc ? ERR_EMPTY : ERR_OK;
}

/* ACK: apply the lease and start T1. */
static void dhcp_bind(dhcp_t *s, const dhcp_rx_t *r)
{
    s->stats.acks++;
    s->stats.bound++;
    uint32_t mask = r->mask ? r->mask : NET_IPV4(255, 255, 255, 0);
    if (r->yiaddr != s->addr.ip || mask != s->addr.mask || r->router != s->addr.gw)
        dhcp_apply(s, r->yiaddr, mask, r->router);
    if (r->server)
        s->server_ip = r->server;
    s->lease_s = r->lease;
    if (!r->lease || r->lease == 0xFFFFFFFFu) {
        ntimer_stop(&s->timer);     /* infinite (or unstated) lease: no renewal */
        return;
    }
    uint32_t t1 = r->t1 && r->t1 < r->lease ? r->t1 : r->lease / 2u;
    s->t1_s = t1;
    s->lease_end_us = plat_now_us() + (uint64_t)r->lease * 1000000u;
    ntimer_start(&s->timer, (uint64_t)t1 * 1000000u);
}

/* ---- handlers ---------------------------------------------------------------------------- */
static int dhcp_on_link(vmio_automaton_t *a, const vmio_event_t *ev)
{
    dhcp_t *s = dhcp_of(a);
    if (ev->arg && ev->len >= NET_ETH_ALEN) {
        for (unsigned i = 0; i < NET_ETH_ALEN; i++)
            s->mac[i] = ev->inl[i];
        s->link = 1;
        dhcp_discover(s, 0);
        return VMIO_GOTO(DHCP_S_SELECTING);
    }
    s->link = 0;
    ntimer_stop(&s->timer);
    return VMIO_GOTO(DHCP_S_IDLE);
}

static int dhcp_on_data_selecting(vmio_automaton_t *a, const vmio_event_t *ev)
{
    dhcp_t *s = dhcp_of(a);
    dhcp_rx_t r;
    if (dhcp_rx(s, ev, &r))
        return VMIO_GOTO(DHCP_S_SELECTING);
    if (r.type != NET_DHCP_OFFER || !r.yiaddr || !r.server) {
        s->stats.rx_other++;
        return VMIO_GOTO(DHCP_S_SELECTING);
    }
    s->stats.offers++;
    s->offered_ip = r.yiaddr;
    s->server_ip = r.server;
    s->tries = 1;
    dhcp_request(s);
    return VMIO_GOTO(DHCP_S_REQUESTING);
}

static int dhcp_on_data_requesting(vmio_automaton_t *a, const vmio_event_t *ev)
{
    dhcp_t *s = dhcp_of(a);
    dhcp_rx_t r;
    if (dhcp_rx(s, ev, &r))
        return VMIO_GOTO(DHCP_S_REQUESTING);
    if (r.type == NET_DHCP_ACK && r.yiaddr == s->offered_ip) {
        dhcp_bind(s, &r);
        return VMIO_GOTO(DHCP_S_BOUND);
    }
    if (r.type == NET_DHCP_NAK) {
        s->stats.naks++;
        dhcp_discover(s, 0);
        return VMIO_GOTO(DHCP_S_SELECTING);
    }
    s->stats.rx_other++;
    return VMIO_GOTO(DHCP_S_REQUESTING);
}

static int dhcp_on_data_renewing(vmio_automaton_t *a, const vmio_event_t *ev)
{
    dhcp_t *s = dhcp_of(a);
    dhcp_rx_t r;
    if (dhcp_rx(s, ev, &r))
        return VMIO_GOTO(DHCP_S_RENEWING);
    if (r.type == NET_DHCP_ACK && r.yiaddr) {
        dhcp_bind(s, &r);
        return VMIO_GOTO(DHCP_S_BOUND);
    }
    if (r.type == NET_DHCP_NAK) {
        s->stats.naks++;
        dhcp_discover(s, 0);        /* removes the address first */
        return VMIO_GOTO(DHCP_S_SELECTING);
    }
    s->stats.rx_other++;
    return VMIO_GOTO(DHCP_S_RENEWING);
}

/* IDLE, BOUND: nothing is expected; the engine frees the buffer. */
static int dhcp_on_data_ignore(vmio_automaton_t *a, const vmio_event_t *ev)
{
    (void)ev;
    dhcp_of(a)->stats.rx_other++;
    return ERR_OK;
}

static int dhcp_on_timer(vmio_automaton_t *a, const vmio_event_t *ev)
{
    dhcp_t *s = dhcp_of(a);
    if (!ntimer_fired(&s->timer, ev)) {
        s->stats.stale_timer++;
        return VMIO_GOTO(a->state);
    }
    switch (a->state) {
    case DHCP_S_SELECTING:
        dhcp_discover(s, 1);
        return VMIO_GOTO(DHCP_S_SELECTING);
    case DHCP_S_REQUESTING:
        if (s->tries < s->cfg.request_tries) {
            s->tries++;
            s->stats.retries++;
            dhcp_request(s);
            return VMIO_GOTO(DHCP_S_REQUESTING);
        }
        dhcp_discover(s, 0);
        return VMIO_GOTO(DHCP_S_SELECTING);
    case DHCP_S_BOUND:
        dhcp_renew(s);
        return VMIO_GOTO(DHCP_S_RENEWING);
    case DHCP_S_RENEWING:
        if (plat_now_us() >= s->lease_end_us) {
            s->stats.expired++;
            dhcp_apply(s, 0, 0, 0);
            dhcp_discover(s, 0);
            return VMIO_GOTO(DHCP_S_SELECTING);
        }
        s->stats.retries++;
        dhcp_renew(s);
        return VMIO_GOTO(DHCP_S_RENEWING);
    default:
        s->stats.stale_timer++;     /* IDLE: the timer was stopped (fired() is false) */
        return VMIO_GOTO(a->state);
    }
}

/* Response of net to our NET_EV_SET_ADDR request. */
static int dhcp_on_set_addr_rsp(vmio_automaton_t *a, const vmio_event_t *ev)
{
    if (!vmio_is_rsp(ev))
        return ERR_INVAL;
    if (ev->status)
        dhcp_of(a)->stats.set_addr_fail++;
    return ERR_OK;
}

static int dhcp_on_reset(vmio_automaton_t *a, const vmio_event_t *ev)
{
    dhcp_t *s = dhcp_of(a);
    if (vmio_is_req(ev))
        vmio_respond(a, ev, ERR_OK, 0, 0);
    if (s->link) {
        dhcp_discover(s, 0);
        return VMIO_GOTO(DHCP_S_SELECTING);
    }
    ntimer_stop(&s->timer);
    return VMIO_GOTO(DHCP_S_IDLE);
}

/* The timer is stopped in IDLE, so an expiry there is a stale one queued before the link
 * went down: reachable. SET_ADDR responses come back in whatever state we are by then. */
#define DHCP_ROWS(data_fn)                                                                     \
    [VMIO_EV_DATA] = VMIO_ROW_CHOICE(data_fn, VMIO_SAME, DHCP_ALL_STATES),                      \
    [VMIO_EV_RESET] = VMIO_ROW_CHOICE(dhcp_on_reset, VMIO_SAME, DHCP_ALL_STATES),               \
    [NET_EV_LINK] = VMIO_ROW_CHOICE(dhcp_on_link, VMIO_SAME, DHCP_ALL_STATES),                  \
    [NET_EV_SET_ADDR] = VMIO_ROW(dhcp_on_set_addr_rsp, VMIO_SAME),                              \
    [DHCP_EV_TIMER] = VMIO_ROW_CHOICE(dhcp_on_timer, VMIO_SAME, DHCP_ALL_STATES)

static const vmio_row_t dhcp_rows[DHCP_S_COUNT][DHCP_EV_COUNT] = {
    [DHCP_S_IDLE] = {DHCP_ROWS(dhcp_on_data_ignore)},
    [DHCP_S_SELECTING] = {DHCP_ROWS(dhcp_on_data_selecting)},
    [DHCP_S_REQUESTING] = {DHCP_ROWS(dhcp_on_data_requesting)},
    [DHCP_S_BOUND] = {DHCP_ROWS(dhcp_on_data_ignore)},
    [DHCP_S_RENEWING] = {DHCP_ROWS(dhcp_on_data_renewing)},
};

static const vmio_state_desc_t dhcp_states[DHCP_S_COUNT] = {
    [DHCP_S_IDLE] = {"idle", 0, 0},
    [DHCP_S_SELECTING] = {"selecting", 0, 0},
    [DHCP_S_REQUESTING] = {"requesting", 0, 0},
    [DHCP_S_BOUND] = {"bound", 0, 0},
    [DHCP_S_RENEWING] = {"renewing", 0, 0},
};

static const char *const dhcp_event_names[DHCP_EV_COUNT] = {
    [VMIO_EV_DATA] = "data", [VMIO_EV_RX] = "rx", [VMIO_EV_PIPE_OPEN] = "pipe_open",
    [VMIO_EV_PIPE_CLOSE] = "pipe_close", [VMIO_EV_RESET] = "reset", [NET_EV_LINK] = "link",
    [VMIO_EV_USER + 1] = "-", [VMIO_EV_USER + 2] = "-", [NET_EV_SET_ADDR] = "set_addr",
    [VMIO_EV_USER + 4] = "-", [DHCP_EV_TIMER] = "timer",
};

const vmio_table_t dhcp_table = {
    .name = "dhcp", .nstates = DHCP_S_COUNT, .nevents = DHCP_EV_COUNT, .rows = &dhcp_rows[0][0],
    .dflt = 0, .states = dhcp_states, .event_names = dhcp_event_names,
};

int dhcp_init(dhcp_t *self, uint8_t id, net_t *net, ntimer_svc_t *timers, const dhcp_config_t *cfg)
{
    if (!self || !net || !timers)
        return ERR_INVAL;
    *self = (dhcp_t){0};
    if (cfg)
        self->cfg = *cfg;
    if (!self->cfg.timeout_us)
        self->cfg.timeout_us = DHCP_TIMEOUT_US_DEFAULT;
    if (!self->cfg.max_timeout_us)
        self->cfg.max_timeout_us = DHCP_MAX_TIMEOUT_US_DEFAULT;
    if (self->cfg.max_timeout_us < self->cfg.timeout_us)
        self->cfg.max_timeout_us = self->cfg.timeout_us;
    if (!self->cfg.request_tries)
        self->cfg.request_tries = DHCP_REQUEST_TRIES_DEFAULT;
    self->net = vmio_addr(VMIO_NODE_LOCAL, net->aut.id, 0);
    vmio_addr_t me = vmio_addr(VMIO_NODE_LOCAL, id, 0);
    int rc = vmio_register(&self->aut, id, &dhcp_table, DHCP_S_IDLE);
    if (!rc)
        rc = ntimer_add(timers, &self->timer, me, DHCP_EV_TIMER);
    if (!rc)
        rc = net_udp_bind(net, NET_DHCP_CLIENT_PORT, me);
    if (!rc)
        net_set_link_notify(net, me);
    return rc;
}

void dhcp_get_stats(const dhcp_t *self, dhcp_stats_t *out)
{
    *out = self->stats;
}

int dhcp_stats_line(const dhcp_t *d, char *out, size_t size)
{
    static const char *const st[DHCP_S_COUNT] = {"idle", "selecting", "requesting", "bound", "renewing"};
    const dhcp_stats_t *s = &d->stats;
    uint32_t ip = d->addr.ip, srv = d->server_ip;
    int len = LIB_PRINTF_SYM(snprintf)(out, size,
        "net dhcp state=%s ip=%u.%u.%u.%u server=%u.%u.%u.%u lease_s=%lu t1_s=%lu discover_tx=%lu "
        "request_tx=%lu renew_tx=%lu offers=%lu acks=%lu naks=%lu retries=%lu bound=%lu expired=%lu "
        "rx_bad=%lu rx_other=%lu no_buf=%lu send_fail=%lu stale_timer=%lu set_addr_fail=%lu",
        st[d->aut.state < DHCP_S_COUNT ? d->aut.state : 0],
        (unsigned)(ip >> 24), (unsigned)(ip >> 16 & 255u), (unsigned)(ip >> 8 & 255u), (unsigned)(ip & 255u),
        (unsigned)(srv >> 24), (unsigned)(srv >> 16 & 255u), (unsigned)(srv >> 8 & 255u), (unsigned)(srv & 255u),
        (unsigned long)d->lease_s, (unsigned long)d->t1_s, (unsigned long)s->discover_tx,
        (unsigned long)s->request_tx, (unsigned long)s->renew_tx, (unsigned long)s->offers,
        (unsigned long)s->acks, (unsigned long)s->naks, (unsigned long)s->retries,
        (unsigned long)s->bound, (unsigned long)s->expired, (unsigned long)s->rx_bad,
        (unsigned long)s->rx_other, (unsigned long)s->no_buf, (unsigned long)s->send_fail,
        (unsigned long)s->stale_timer, (unsigned long)s->set_addr_fail);
    if (len < 0)
        return 0;
    return (size_t)len < size ? len : (int)(size ? size - 1 : 0);
}
