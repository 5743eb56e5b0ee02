/* The network automaton: see net.h. Sections: checksum, helpers, Ethernet output, ARP,
 * IPv4 output, ICMP, UDP, IPv4 input, Ethernet input, handlers and table, API, console. */
#include "io/net.h"
#include "lib/printf.h"
#include "platform.h"

#define NET_MOD "net"
#define NET_ALL_STATES ((1u << NET_S_DOWN) | (1u << NET_S_NOADDR) | (1u << NET_S_UP))

static const uint8_t net_bcast_mac[NET_ETH_ALEN] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

/* ---- checksum --------------------------------------------------------------------------- */
/* Halfword / word loads through aliasing-safe types (the buffer is uint8_t). */
typedef uint16_t __attribute__((may_alias, aligned(2))) net_u16_alias_t;
typedef uint32_t __attribute__((may_alias, aligned(4))) net_u32_alias_t;

uint32_t net_cksum_add(uint32_t sum, const uint8_t *p, unsigned n)
{
    if ((uintptr_t)p & 1u) {
        /* Odd address (no driver leaves one; kept correct anyway): byte pairs. A 32-bit
         * accumulator takes 64 KiB of them. */
        unsigned i = 0;
        for (; i + 1 < n; i += 2)
            sum += (uint32_t)(p[i] << 8 | p[i + 1]);
        if (i < n)
            sum += (uint32_t)p[i] << 8;
        return sum;
    }
    /* Fast path (headers sit at even offsets of word-aligned buffers): add native-order
     * words into a 64-bit accumulator (LDR + ADDS + ADC on the ARM1176), a leading and a
     * trailing halfword as needed, fold, and swap bytes on a little-endian CPU: the one's
     * complement sum of 16-bit words is byte-order independent and 2^16 == 1 modulo
     * 2^16 - 1, so folding word sums gives the halfword sum (RFC 1071 2(B), 2(C)). */
    uint64_t s = 0;
    if (((uintptr_t)p & 2u) && n >= 2) {
        s += *(const net_u16_alias_t *)(const void *)p;
        p += 2;
        n -= 2;
    }
    const net_u32_alias_t *w = (const net_u32_alias_t *)(const void *)p;
    unsigned k = n >> 2;
    for (unsigned j = 0; j < k; j++)
        s += w[j];
    p += k << 2;
    if (n & 2u) {
        s += *(const net_u16_alias_t *)(const void *)p;
        p += 2;
    }
    s = (s & 0xFFFFFFFFu) + (s >> 32);
    s = (s & 0xFFFFFFFFu) + (s >> 32);
    uint32_t f = (uint32_t)s;
    f = (f & 0xFFFFu) + (f >> 16);
    f = (f & 0xFFFFu) + (f >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    f = (f & 0xFFu) << 8 | f >> 8;
#endif
    sum += f;
    if (n & 1u)
        sum += (uint32_t)*p << 8;
    return sum;
}

/* ---- helpers ------------------------------------------------------------------------------ */
static net_t *net_of(vmio_automaton_t *a)
{
    return (net_t *)a;  /* aut is the first member */
}

static int net_mac_eq(const uint8_t *a, const uint8_t *b)
{
    return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3] && a[4] == b[4] &&
           a[5] == b[5];
}

static void net_mac_cpy(uint8_t *d, const uint8_t *s)
{
    for (unsigned i = 0; i < NET_ETH_ALEN; i++)
        d[i] = s[i];
}

/* Frees b (NULL allowed) and counts the drop. */
static void net_drop(vmio_buf_t *b, uint32_t *ctr)
{
    (*ctr)++;
    vmio_buf_free(b);
}

static int net_is_bcast(const net_t *n, uint32_t ip)
{
    return ip == NET_IP_BCAST || ip == n->bcast;
}

static void net_update_bcast(net_t *n)
{
    n->bcast = n->cfg.addr.ip ? (n->cfg.addr.ip | ~n->cfg.addr.mask) : NET_IP_BCAST;
}

/* ---- Ethernet output ------------------------------------------------------------------- */
/* b->data = L3 packet. Prepends the Ethernet header, pads to the minimum frame and hands
 * the frame to the driver (ownership passes in all cases). */
static int net_eth_output(net_t *n, vmio_buf_t *b, const uint8_t *dst, uint16_t type)
{
    if (vmio_buf_header(b, (int)NET_ETH_HLEN)) {
        net_drop(b, &n->stats.tx_no_headroom);
        return ERR_RANGE;
    }
    net_eth_hdr_t *h = (net_eth_hdr_t *)b->data;
    net_mac_cpy(h->dst, dst);
    net_mac_cpy(h->src, n->mac);
    net_wr16(h->type, type);
    if (b->len < NET_ETH_MIN_FRAME) {
        size_t pad = NET_ETH_MIN_FRAME - b->len;
        uint8_t *z = vmio_buf_put(b, pad);
        if (!z) {
            net_drop(b, &n->stats.tx_no_headroom);
            return ERR_RANGE;
        }
        for (size_t i = 0; i < pad; i++)
            z[i] = 0;
    }
    if (vmio_buf_headroom(b) < NET_DRV_HEADROOM) {
        /* A turned-around RX buffer whose driver left less than the TX framing room: move
         * the frame forward inside its own storage (rare; counted). */
        size_t need = NET_DRV_HEADROOM - vmio_buf_headroom(b);
        if (vmio_buf_tailroom(b) < need) {
            net_drop(b, &n->stats.tx_no_headroom);
            return ERR_RANGE;
        }
        uint8_t *src = b->data;
        for (size_t i = b->len; i-- > 0;)
            src[i + need] = src[i];
        b->data += need;
        n->stats.tx_realign++;
    }
    n->stats.tx_frames++;
    int rc = n->cfg.tx(b);
    if (rc)
        n->stats.tx_errors++;
    return rc;
}

/* ---- ARP ------------------------------------------------------------------------------------ */
static net_arp_entry_t *net_arp_find(net_t *n, uint32_t ip)
{
    for (unsigned i = 0; i < NET_ARP_ENTRIES; i++)
        if (n->arp[i].state != NET_ARP_FREE && n->arp[i].ip == ip)
            return &n->arp[i];
    return 0;
}

static void net_arp_free_queue(net_arp_entry_t *e, uint32_t *ctr)
{
    for (unsigned i = 0; i < e->nq; i++)
        net_drop(e->q[i], ctr);
    e->nq = 0;
}

/* A free slot, else the VALID entry closest to expiry (evicted, counted); NULL when every
 * entry is PENDING (those hold queued packets). */
static net_arp_entry_t *net_arp_slot(net_t *n)
{
    net_arp_entry_t *victim = 0;
    for (unsigned i = 0; i < NET_ARP_ENTRIES; i++) {
        net_arp_entry_t *e = &n->arp[i];
        if (e->state == NET_ARP_FREE)
            return e;
        if (e->state == NET_ARP_VALID && (!victim || e->deadline_us < victim->deadline_us))
            victim = e;
    }
    if (victim) {
        n->stats.arp_evict++;
        victim->state = NET_ARP_FREE;
    } else {
        n->stats.arp_table_full++;
    }
    return victim;
}

static void net_arp_flush(net_t *n)
{
    for (unsigned i = 0; i < NET_ARP_ENTRIES; i++) {
        net_arp_free_queue(&n->arp[i], &n->stats.arp_unresolved);
        n->arp[i].state = NET_ARP_FREE;
    }
}

static void net_arp_request(net_t *n, uint32_t ip)
{
    vmio_buf_t *b = vmio_buf_alloc(NET_ARP_LEN, NET_ETH_HEADROOM + NET_ETH_HLEN);
    if (!b) {
        n->stats.tx_no_buf++;
        return;
    }
    net_arp_pkt_t *a = (net_arp_pkt_t *)b->data;
    net_wr16(a->htype, NET_ARP_HTYPE_ETH);
    net_wr16(a->ptype, NET_ETHTYPE_IPV4);
    a->hlen = NET_ETH_ALEN;
    a->plen = 4;
    net_wr16(a->op, NET_ARP_OP_REQUEST);
    net_mac_cpy(a->sha, n->mac);
    net_wr32(a->spa, n->cfg.addr.ip);
    for (unsigned i = 0; i < NET_ETH_ALEN; i++)
        a->tha[i] = 0;
    net_wr32(a->tpa, ip);
    n->stats.arp_req_tx++;
    net_eth_output(n, b, net_bcast_mac, NET_ETHTYPE_ARP);
}

/* The mapping of e is now known: send what waited for it. */
static void net_arp_resolved(net_t *n, net_arp_entry_t *e, const uint8_t *mac)
{
    net_mac_cpy(e->mac, mac);
    e->state = NET_ARP_VALID;
    e->deadline_us = plat_now_us() + n->cfg.arp_ttl_us;
    unsigned nq = e->nq;
    e->nq = 0;
    for (unsigned i = 0; i < nq; i++)
        net_eth_output(n, e->q[i], e->mac, NET_ETHTYPE_IPV4);
}

/* IPv4 packet b (data = IP header) to next hop `hop` whose MAC is unknown: queue it and
 * start (or join) the resolution. Takes ownership. */
static void net_arp_queue(net_t *n, vmio_buf_t *b, uint32_t hop)
{
    net_arp_entry_t *e = net_arp_find(n, hop);
    if (!e) {
        e = net_arp_slot(n);
        if (!e) {
            vmio_buf_free(b);   /* counted arp_table_full */
            return;
        }
        e->ip = hop;
        e->state = NET_ARP_PENDING;
        e->tries = 1;
        e->nq = 0;
        e->deadline_us = plat_now_us() + n->cfg.arp_retry_us;
        net_arp_request(n, hop);
    }
    if (e->nq >= NET_ARP_QLEN) {
        net_drop(b, &n->stats.arp_queue_full);
        return;
    }
    e->q[e->nq++] = b;
    n->stats.arp_queued++;
}

/* b->data = ARP packet; takes ownership. */
static void net_arp_input(net_t *n, vmio_buf_t *b)
{
    n->stats.arp_rx++;
    if (b->len < NET_ARP_LEN) {
        net_drop(b, &n->stats.arp_short);
        return;
    }
    net_arp_pkt_t *a = (net_arp_pkt_t *)b->data;
    uint16_t op = net_rd16(a->op);
    if (net_rd16(a->htype) != NET_ARP_HTYPE_ETH || net_rd16(a->ptype) != NET_ETHTYPE_IPV4 ||
        a->hlen != NET_ETH_ALEN || a->plen != 4 ||
        (op != NET_ARP_OP_REQUEST && op != NET_ARP_OP_REPLY) || (a->sha[0] & 1u)) {
        net_drop(b, &n->stats.arp_bad);
        return;
    }
    if (net_mac_eq(a->sha, n->mac)) {
        net_drop(b, &n->stats.arp_own);
        return;
    }
    if (!n->cfg.addr.ip) {
        net_drop(b, &n->stats.arp_no_addr);
        return;
    }
    uint32_t spa = net_rd32(a->spa), tpa = net_rd32(a->tpa);
    if (spa == n->cfg.addr.ip) {
        net_drop(b, &n->stats.arp_conflict);
        return;
    }
    if (op == NET_ARP_OP_REQUEST)
        n->stats.arp_req_rx++;
    else
        n->stats.arp_rep_rx++;
    /* RFC 826 merge: update an existing entry; create one only when we are the target. */
    net_arp_entry_t *e = spa ? net_arp_find(n, spa) : 0;
    if (e) {
        net_arp_resolved(n, e, a->sha);
    } else if (spa && tpa == n->cfg.addr.ip && !net_is_bcast(n, spa)) {
        e = net_arp_slot(n);
        if (e) {
            e->ip = spa;
            e->nq = 0;
            net_arp_resolved(n, e, a->sha);
        }
    }
    if (tpa != n->cfg.addr.ip) {
        net_drop(b, &n->stats.arp_not_for_us);
        return;
    }
    if (op != NET_ARP_OP_REQUEST) {
        vmio_buf_free(b);       /* a reply to us: merged above */
        return;
    }
    if (!n->arp_tokens) {
        net_drop(b, &n->stats.arp_rate_limited);
        return;
    }
    n->arp_tokens--;
    /* Turn the request around in place. */
    net_wr16(a->op, NET_ARP_OP_REPLY);
    net_mac_cpy(a->tha, a->sha);
    net_wr32(a->tpa, spa);
    net_mac_cpy(a->sha, n->mac);
    net_wr32(a->spa, n->cfg.addr.ip);
    b->len = NET_ARP_LEN;
    n->stats.arp_rep_tx++;
    net_eth_output(n, b, a->tha, NET_ETHTYPE_ARP);
}

/* Housekeeping (NET_EV_ARP_TIMER): expiry, retries, reply budget. */
static void net_arp_sweep(net_t *n, uint64_t now)
{
    n->arp_tokens = n->cfg.arp_reply_burst;
    for (unsigned i = 0; i < NET_ARP_ENTRIES; i++) {
        net_arp_entry_t *e = &n->arp[i];
        if (e->state == NET_ARP_FREE || now < e->deadline_us)
            continue;
        if (e->state == NET_ARP_VALID) {
            e->state = NET_ARP_FREE;
            n->stats.arp_expired++;
        } else if (e->tries >= n->cfg.arp_tries) {
            n->stats.arp_timeouts++;
            net_arp_free_queue(e, &n->stats.arp_unresolved);
            e->state = NET_ARP_FREE;
        } else {
            e->tries++;
            e->deadline_us = now + n->cfg.arp_retry_us;
            net_arp_request(n, e->ip);
        }
    }
}

/* ---- IPv4 output ------------------------------------------------------------------------ */
/* b->data = L4 header + payload. Prepends the IPv4 header, picks the next hop and sends
 * (or queues for ARP). Takes ownership. */
static int net_ip_output(net_t *n, vmio_buf_t *b, uint32_t dst, uint8_t proto)
{
    if (vmio_buf_header(b, (int)NET_IP_HLEN)) {
        net_drop(b, &n->stats.tx_no_headroom);
        return ERR_RANGE;
    }
    net_ip_hdr_t *h = (net_ip_hdr_t *)b->data;
    uint32_t src = n->cfg.addr.ip;
    h->ver_ihl = NET_IP_VER_IHL;
    h->tos = 0;
    net_wr16(h->total_len, b->len);
    net_wr16(h->id, n->ip_id++);
    net_wr16(h->frag, NET_IP_FLAG_DF);
    h->ttl = NET_IP_TTL_DEFAULT;
    h->proto = proto;
    net_wr16(h->cksum, 0);
    net_wr32(h->src, src);
    net_wr32(h->dst, dst);
    net_wr16(h->cksum, net_cksum_fold(net_cksum_add(0, b->data, NET_IP_HLEN)));
    n->stats.ip_tx++;
    if (net_is_bcast(n, dst))
        return net_eth_output(n, b, net_bcast_mac, NET_ETHTYPE_IPV4);
    uint32_t mask = n->cfg.addr.mask;
    uint32_t hop = ((dst ^ src) & mask) == 0 ? dst : n->cfg.addr.gw;
    if (!hop) {
        net_drop(b, &n->stats.ip_no_route);
        return ERR_INVAL;
    }
    const net_arp_entry_t *e = net_arp_find(n, hop);
    if (e && e->state == NET_ARP_VALID)
        return net_eth_output(n, b, e->mac, NET_ETHTYPE_IPV4);
    net_arp_queue(n, b, hop);
    return ERR_OK;
}

/* ---- ICMP ---------------------------------------------------------------------------------- */
static void net_icmp_input(net_t *n, vmio_buf_t *b, uint32_t src, int bcast)
{
    n->stats.icmp_rx++;
    if (b->len < NET_ICMP_HLEN) {
        net_drop(b, &n->stats.icmp_short);
        return;
    }
    if (net_cksum_fold(net_cksum_add(0, b->data, b->len)) != 0) {
        net_drop(b, &n->stats.icmp_bad_cksum);
        return;
    }
    net_icmp_hdr_t *h = (net_icmp_hdr_t *)b->data;
    if (h->type != NET_ICMP_ECHO_REQUEST) {
        net_drop(b, &n->stats.icmp_other);
        return;
    }
    if (bcast || !n->cfg.addr.ip) {
        net_drop(b, &n->stats.icmp_bcast);
        return;
    }
    /* Echo reply in place: type 8 -> 0; checksum updated incrementally (RFC 1624 eqn. 3:
     * HC' = ~(~HC + ~m + m'), m = old word type|code, m' = new word). */
    uint16_t m_old = (uint16_t)(h->type << 8 | h->code);
    h->type = NET_ICMP_ECHO_REPLY;
    uint16_t m_new = (uint16_t)(h->type << 8 | h->code);
    uint32_t sum = (uint16_t)~net_rd16(h->cksum) + (uint16_t)~m_old + m_new;
    net_wr16(h->cksum, net_cksum_fold(sum));
    n->stats.icmp_echo_tx++;
    net_ip_output(n, b, src, NET_IP_PROTO_ICMP);
}

/* ---- UDP ---------------------------------------------------------------------------------- */
static const net_udp_port_t *net_udp_find(const net_t *n, uint16_t port)
{
    for (unsigned i = 0; i < NET_UDP_PORTS; i++)
        if (n->ports[i].port == port)
            return &n->ports[i];
    return 0;
}

static void net_udp_input(net_t *n, vmio_buf_t *b, uint32_t src, uint32_t dst, int bcast)
{
    if (b->len < NET_UDP_HLEN) {
        net_drop(b, &n->stats.udp_short);
        return;
    }
    const net_udp_hdr_t *h = (const net_udp_hdr_t *)b->data;
    uint16_t ulen = net_rd16(h->len);
    if (ulen < NET_UDP_HLEN || ulen > b->len) {
        net_drop(b, &n->stats.udp_bad_len);
        return;
    }
    b->len = ulen;
    if (net_rd16(h->cksum) != 0) {
        uint32_t sum = net_cksum_pseudo(src, dst, NET_IP_PROTO_UDP, ulen);
        if (net_cksum_fold(net_cksum_add(sum, b->data, ulen)) != 0) {
            net_drop(b, &n->stats.udp_bad_cksum);
            return;
        }
    }
    uint16_t dport = net_rd16(h->dport);
    const net_udp_port_t *p = net_udp_find(n, dport);
    if (!p || !dport) {
        net_drop(b, &n->stats.udp_no_port);
        return;
    }
    vmio_event_t ev = {0};
    ev.dst = p->dst;
    ev.src = vmio_addr(VMIO_NODE_LOCAL, n->aut.id, 0);
    ev.code = VMIO_EV_DATA;
    ev.arg = bcast ? NET_UDP_F_BCAST : 0;
    net_udp_meta_t m = {.remote_ip = src, .local_ip = dst, .remote_port = net_rd16(h->sport),
                        .local_port = dport};
    net_udp_meta_put(&ev, &m);
    vmio_buf_header(b, -(int)NET_UDP_HLEN);     /* ulen >= 8: cannot fail */
    ev.buf = b;
    n->stats.udp_rx++;
    if (vmio_post(&ev, 1))      /* ownership passed either way */
        n->stats.udp_deliver_fail++;
}

int net_udp_send(net_t *n, vmio_buf_t *b, const net_udp_meta_t *m)
{
    if (!n || !b || !m) {
        vmio_buf_free(b);
        if (n)
            n->stats.udp_tx_bad++;
        return ERR_INVAL;
    }
    if (n->aut.state == NET_S_DOWN) {
        net_drop(b, &n->stats.tx_link_down);
        return ERR_IO;
    }
    if (!n->cfg.addr.ip && m->remote_ip != NET_IP_BCAST) {
        net_drop(b, &n->stats.tx_no_addr);
        return ERR_INVAL;
    }
    if (b->len > NET_UDP_MAX_PAYLOAD) {
        net_drop(b, &n->stats.udp_tx_too_big);
        return ERR_RANGE;
    }
    if (!m->remote_ip || !m->remote_port || !m->local_port) {
        net_drop(b, &n->stats.udp_tx_bad);
        return ERR_INVAL;
    }
    if (vmio_buf_header(b, (int)NET_UDP_HLEN)) {
        net_drop(b, &n->stats.tx_no_headroom);
        return ERR_RANGE;
    }
    net_udp_hdr_t *h = (net_udp_hdr_t *)b->data;
    uint16_t ulen = b->len;
    net_wr16(h->sport, m->local_port);
    net_wr16(h->dport, m->remote_port);
    net_wr16(h->len, ulen);
    net_wr16(h->cksum, 0);
    uint32_t sum = net_cksum_pseudo(n->cfg.addr.ip, m->remote_ip, NET_IP_PROTO_UDP, ulen);
    uint16_t ck = net_cksum_fold(net_cksum_add(sum, b->data, ulen));
    net_wr16(h->cksum, ck ? ck : 0xFFFFu);  /* 0 means "no checksum" (RFC 768) */
    n->stats.udp_tx++;
    return net_ip_output(n, b, m->remote_ip, NET_IP_PROTO_UDP);
}

/* ---- IPv4 input ------------------------------------------------------------------------- */
static void net_ip_input(net_t *n, vmio_buf_t *b)
{
    n->stats.ip_rx++;
    if (b->len < NET_IP_HLEN) {
        net_drop(b, &n->stats.ip_short);
        return;
    }
    const net_ip_hdr_t *h = (const net_ip_hdr_t *)b->data;
    if ((h->ver_ihl >> 4) != 4) {
        net_drop(b, &n->stats.ip_bad_version);
        return;
    }
    unsigned hlen = (h->ver_ihl & 0x0Fu) * 4u;
    if (hlen < NET_IP_HLEN || hlen > b->len) {
        net_drop(b, &n->stats.ip_bad_hlen);
        return;
    }
    unsigned total = net_rd16(h->total_len);
    if (total < hlen || total > b->len) {
        net_drop(b, &n->stats.ip_bad_len);
        return;
    }
    if (net_cksum_fold(net_cksum_add(0, b->data, hlen)) != 0) {
        net_drop(b, &n->stats.ip_bad_cksum);
        return;
    }
    if (net_rd16(h->frag) & (NET_IP_FLAG_MF | NET_IP_OFF_MASK)) {
        net_drop(b, &n->stats.ip_frag);
        return;
    }
    if (h->ttl == 0) {
        net_drop(b, &n->stats.ip_ttl);
        return;
    }
    uint32_t src = net_rd32(h->src), dst = net_rd32(h->dst);
    uint8_t proto = h->proto;
    int bcast = net_is_bcast(n, dst);
    /* Without an address (DHCP in progress) unicast UDP to any address is accepted: a
     * server may send the OFFER to the address it offers (RFC 2131 4.1). */
    if (!bcast && dst != n->cfg.addr.ip && !(!n->cfg.addr.ip && proto == NET_IP_PROTO_UDP)) {
        net_drop(b, &n->stats.ip_not_for_us);
        return;
    }
    if (src == NET_IP_BCAST || (src & 0xF0000000u) == 0xE0000000u ||
        (n->cfg.addr.ip && src == n->bcast)) {
        net_drop(b, &n->stats.ip_bad_src);
        return;
    }
    b->len = (uint16_t)total;                  /* link padding trimmed */
    vmio_buf_header(b, -(int)hlen);            /* hlen <= len: cannot fail */
    if (proto == NET_IP_PROTO_UDP)
        net_udp_input(n, b, src, dst, bcast);
    else if (proto == NET_IP_PROTO_ICMP)
        net_icmp_input(n, b, src, bcast);
    else
        net_drop(b, &n->stats.ip_unknown_proto);
}

/* ---- Ethernet input ---------------------------------------------------------------------- */
static void net_eth_input(net_t *n, vmio_buf_t *b)
{
    if (b->len < NET_ETH_HLEN) {
        net_drop(b, &n->stats.eth_runt);
        return;
    }
    const net_eth_hdr_t *h = (const net_eth_hdr_t *)b->data;
    if (!net_mac_eq(h->dst, n->mac) && !net_mac_eq(h->dst, net_bcast_mac)) {
        net_drop(b, &n->stats.eth_not_for_us);
        return;
    }
    uint16_t type = net_rd16(h->type);
    vmio_buf_header(b, -(int)NET_ETH_HLEN);
    if (type == NET_ETHTYPE_IPV4)
        net_ip_input(n, b);
    else if (type == NET_ETHTYPE_ARP)
        net_arp_input(n, b);
    else
        net_drop(b, &n->stats.eth_unknown_type);
}

/* ---- handlers ----------------------------------------------------------------------------- */
static int net_on_frame(vmio_automaton_t *a, const vmio_event_t *ev)
{
    net_t *n = net_of(a);
    vmio_buf_t *b = vmio_take(ev);
    if (!b) {
        n->stats.rx_no_buf++;
        return ERR_OK;
    }
    n->stats.rx_frames++;
    net_eth_input(n, b);
    return ERR_OK;
}

static int net_on_frame_down(vmio_automaton_t *a, const vmio_event_t *ev)
{
    net_t *n = net_of(a);
    n->stats.rx_frames++;
    n->stats.rx_link_down++;    /* the engine frees the buffer */
    (void)ev;
    return ERR_OK;
}

static uint8_t net_up_state(const net_t *n)
{
    if (!n->link)
        return NET_S_DOWN;
    return n->cfg.addr.ip ? NET_S_UP : NET_S_NOADDR;
}

static int net_on_link(vmio_automaton_t *a, const vmio_event_t *ev)
{
    net_t *n = net_of(a);
    if (ev->arg && (ev->len < NET_ETH_ALEN || (ev->inl[0] & 1u))) {
        n->stats.link_bad++;    /* "up" without a usable unicast MAC: ignored */
        return VMIO_GOTO(a->state);
    }
    if (ev->arg) {
        net_mac_cpy(n->mac, ev->inl);
        n->link = 1;
        n->arp_tokens = n->cfg.arp_reply_burst;
        ntimer_start(&n->arp_timer, n->cfg.arp_sweep_us);
    } else {
        n->link = 0;
        net_arp_flush(n);
        ntimer_stop(&n->arp_timer);
    }
    if (n->cfg.link_notify.aut) {
        vmio_event_t fw = *ev;
        fw.dst = n->cfg.link_notify;
        fw.src = vmio_addr(VMIO_NODE_LOCAL, a->id, 0);
        fw.flags = 0;
        fw.buf = 0;
        vmio_post(&fw, 1);
    }
    return VMIO_GOTO(net_up_state(n));
}

static int net_on_arp_timer(vmio_automaton_t *a, const vmio_event_t *ev)
{
    net_t *n = net_of(a);
    if (!ntimer_fired(&n->arp_timer, ev) || !n->link)
        return ERR_OK;      /* stale expiry (timer restarted or stopped since) */
    net_arp_sweep(n, plat_now_us());
    ntimer_start(&n->arp_timer, n->cfg.arp_sweep_us);
    return ERR_OK;
}

static int net_on_udp_send(vmio_automaton_t *a, const vmio_event_t *ev)
{
    net_t *n = net_of(a);
    vmio_buf_t *b = vmio_take(ev);
    net_udp_meta_t m;
    if (!b || ev->len < sizeof m) {
        vmio_buf_free(b);
        n->stats.udp_tx_bad++;
        return ERR_OK;
    }
    net_udp_meta_get(ev, &m);
    net_udp_send(n, b, &m);     /* counted inside */
    return ERR_OK;
}

static int net_on_set_addr(vmio_automaton_t *a, const vmio_event_t *ev)
{
    net_t *n = net_of(a);
    net_addr_t ad;
    if (!vmio_is_req(ev) || ev->len < sizeof ad) {
        if (vmio_is_req(ev))
            vmio_respond(a, ev, ERR_INVAL, 0, 0);
        return VMIO_GOTO(a->state);
    }
    __builtin_memcpy(&ad, ev->inl, sizeof ad);
    if (ad.ip && (ad.mask == 0xFFFFFFFFu || (ad.ip & ~ad.mask) == 0 ||
                  (ad.ip | ad.mask) == 0xFFFFFFFFu)) {
        vmio_respond(a, ev, ERR_INVAL, 0, 0);   /* network or broadcast address */
        return VMIO_GOTO(a->state);
    }
    if (ad.ip != n->cfg.addr.ip || ad.mask != n->cfg.addr.mask || ad.gw != n->cfg.addr.gw)
        net_arp_flush(n);
    n->cfg.addr = ad;
    net_update_bcast(n);
    vmio_respond(a, ev, ERR_OK, 0, 0);
    return VMIO_GOTO(net_up_state(n));
}

static int net_on_reset(vmio_automaton_t *a, const vmio_event_t *ev)
{
    net_arp_flush(net_of(a));
    return vmio_is_req(ev) ? vmio_respond(a, ev, ERR_OK, 0, 0) : ERR_OK;
}

/* Every row is reachable in every state: DATA and sends in DOWN are counted drops, a stale
 * ARP timer expiry may be queued when the link goes down, SET_ADDR and RESET come from the
 * console at any time. */
#define NET_ROWS(frame_fn)                                                                      \
    [VMIO_EV_DATA] = VMIO_ROW(frame_fn, VMIO_SAME),                                             \
    [VMIO_EV_RESET] = VMIO_ROW(net_on_reset, VMIO_SAME),                                        \
    [NET_EV_LINK] = VMIO_ROW_CHOICE(net_on_link, VMIO_SAME, NET_ALL_STATES),                    \
    [NET_EV_ARP_TIMER] = VMIO_ROW(net_on_arp_timer, VMIO_SAME),                                 \
    [NET_EV_UDP_SEND] = VMIO_ROW(net_on_udp_send, VMIO_SAME),                                   \
    [NET_EV_SET_ADDR] = VMIO_ROW_CHOICE(net_on_set_addr, VMIO_SAME, NET_ALL_STATES)

static const vmio_row_t net_rows[NET_S_COUNT][NET_EV_COUNT] = {
    [NET_S_DOWN] = {NET_ROWS(net_on_frame_down)},
    [NET_S_NOADDR] = {NET_ROWS(net_on_frame)},
    [NET_S_UP] = {NET_ROWS(net_on_frame)},
};

static const vmio_state_desc_t net_states[NET_S_COUNT] = {
    [NET_S_DOWN] = {"down", 0, 0},
    [NET_S_NOADDR] = {"noaddr", 0, 0},
    [NET_S_UP] = {"up", 0, 0},
};

static const char *const net_event_names[NET_EV_COUNT] = {
    [VMIO_EV_DATA] = "data", [VMIO_EV_RX] = "rx", [VMIO_EV_PIPE_OPEN] = "pipe_open",
    [VMIO_EV_PIPE_CLOSE] = "pipe_close", [VMIO_EV_RESET] = "reset", [NET_EV_LINK] = "link",
    [NET_EV_ARP_TIMER] = "arp_timer", [NET_EV_UDP_SEND] = "udp_send",
    [NET_EV_SET_ADDR] = "set_addr",
};

const vmio_table_t net_table = {
    .name = "net", .nstates = NET_S_COUNT, .nevents = NET_EV_COUNT, .rows = &net_rows[0][0],
    .dflt = 0, .states = net_states, .event_names = net_event_names,
};

/* ---- API ---------------------------------------------------------------------------------- */
void net_config_default(net_config_t *cfg)
{
    *cfg = (net_config_t){0};
    cfg->addr.ip = NET_DEFAULT_IP;
    cfg->addr.mask = NET_DEFAULT_MASK;
    cfg->addr.gw = NET_DEFAULT_GW;
}

int net_init(net_t *self, uint8_t id, const net_config_t *cfg, ntimer_svc_t *timers)
{
    if (!self || !cfg || !cfg->tx || !timers)
        return ERR_INVAL;
    *self = (net_t){0};
    self->cfg = *cfg;
    if (!self->cfg.arp_ttl_us)
        self->cfg.arp_ttl_us = NET_ARP_TTL_US_DEFAULT;
    if (!self->cfg.arp_retry_us)
        self->cfg.arp_retry_us = NET_ARP_RETRY_US_DEFAULT;
    if (!self->cfg.arp_sweep_us)
        self->cfg.arp_sweep_us = NET_ARP_SWEEP_US_DEFAULT;
    if (!self->cfg.arp_tries)
        self->cfg.arp_tries = NET_ARP_TRIES_DEFAULT;
    if (!self->cfg.arp_reply_burst)
        self->cfg.arp_reply_burst = NET_ARP_REPLY_BURST_DEFAULT;
    net_update_bcast(self);
    int rc = vmio_register(&self->aut, id, &net_table, NET_S_DOWN);
    if (rc)
        return rc;
    return ntimer_add(timers, &self->arp_timer, vmio_addr(VMIO_NODE_LOCAL, id, 0), NET_EV_ARP_TIMER);
}

int net_udp_bind(net_t *self, uint16_t port, vmio_addr_t dst)
{
    if (!self || !port)
        return ERR_INVAL;
    if (net_udp_find(self, port))
        return ERR_BUSY;
    for (unsigned i = 0; i < NET_UDP_PORTS; i++) {
        if (!self->ports[i].port) {
            self->ports[i].port = port;
            self->ports[i].dst = dst;
            return ERR_OK;
        }
    }
    return ERR_NOSPC;
}

int net_udp_unbind(net_t *self, uint16_t port)
{
    if (!self || !port)
        return ERR_INVAL;
    for (unsigned i = 0; i < NET_UDP_PORTS; i++) {
        if (self->ports[i].port == port) {
            self->ports[i].port = 0;
            return ERR_OK;
        }
    }
    return ERR_EMPTY;
}

void net_set_link_notify(net_t *self, vmio_addr_t dst)
{
    self->cfg.link_notify = dst;
}

void net_set_addr_event(vmio_event_t *ev, vmio_addr_t net_dst, const net_addr_t *a)
{
    *ev = (vmio_event_t){0};
    ev->dst = net_dst;
    ev->code = NET_EV_SET_ADDR;
    ev->flags = VMIO_F_REQ;
    __builtin_memcpy(ev->inl, a, sizeof *a);
    ev->len = (uint8_t)sizeof *a;
}

int net_arp_lookup(const net_t *self, uint32_t ip, uint8_t mac[NET_ETH_ALEN])
{
    for (unsigned i = 0; i < NET_ARP_ENTRIES; i++) {
        const net_arp_entry_t *e = &self->arp[i];
        if (e->state == NET_ARP_VALID && e->ip == ip) {
            net_mac_cpy(mac, e->mac);
            return ERR_OK;
        }
    }
    return ERR_EMPTY;
}

void net_get_stats(const net_t *self, net_stats_t *out)
{
    *out = self->stats;
}

/* ---- console -------------------------------------------------------------------------------- */
int net_parse_ipv4(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    if (!s || !out)
        return ERR_INVAL;
    for (unsigned part = 0; part < 4; part++) {
        unsigned x = 0, digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            x = x * 10u + (unsigned)(*s++ - '0');
            digits++;
        }
        if (!digits || digits > 3 || x > 255)
            return ERR_INVAL;
        v = v << 8 | x;
        if (part < 3 && *s++ != '.')
            return ERR_INVAL;
    }
    if (*s)
        return ERR_INVAL;
    *out = v;
    return ERR_OK;
}

/* Reads one dotted quad at *s up to a delimiter in `stop` (or the end); advances *s. */
static int net_take_ipv4(const char **s, const char *stop, uint32_t *out)
{
    char w[16];
    unsigned n = 0;
    const char *p = *s;
    while (*p && n < sizeof w - 1) {
        const char *q = stop;
        while (*q && *q != *p)
            q++;
        if (*q)
            break;
        w[n++] = *p++;
    }
    w[n] = 0;
    if (*p && n == sizeof w - 1)
        return ERR_INVAL;
    *s = p;
    return net_parse_ipv4(w, out);
}

int net_parse_addr(const char *s, net_addr_t *out)
{
    net_addr_t a = {0, 0, 0};
    if (!s || !out)
        return ERR_INVAL;
    if (net_take_ipv4(&s, "/ ", &a.ip))
        return ERR_INVAL;
    if (a.ip == 0 && !*s) {
        *out = a;
        return ERR_OK;
    }
    if (*s == '/') {
        unsigned prefix = 0, digits = 0;
        s++;
        while (*s >= '0' && *s <= '9' && digits < 3) {
            prefix = prefix * 10u + (unsigned)(*s++ - '0');
            digits++;
        }
        if (!digits || prefix < 1 || prefix > 30)
            return ERR_INVAL;
        a.mask = 0xFFFFFFFFu << (32u - prefix);
    } else if (*s == ' ') {
        s++;
        if (net_take_ipv4(&s, " ", &a.mask))
            return ERR_INVAL;
        uint32_t inv = ~a.mask;
        if (a.mask == 0 || (inv & (inv + 1u)) != 0 || inv < 3u)
            return ERR_INVAL;       /* not contiguous, or /31, /32 */
    } else {
        return ERR_INVAL;
    }
    if (*s == ' ') {
        s++;
        if (net_take_ipv4(&s, " ", &a.gw) || ((a.gw ^ a.ip) & a.mask) != 0 || a.gw == a.ip)
            return ERR_INVAL;
    }
    if (*s)
        return ERR_INVAL;
    if ((a.ip & ~a.mask) == 0 || (a.ip | a.mask) == 0xFFFFFFFFu)
        return ERR_INVAL;           /* network or broadcast address */
    *out = a;
    return ERR_OK;
}

#define NET_IPFMT "%u.%u.%u.%u"
#define NET_IPARG(x) (unsigned)((x) >> 24), (unsigned)((x) >> 16 & 255u), \
                     (unsigned)((x) >> 8 & 255u), (unsigned)((x) & 255u)

int net_stats_line(const net_t *n, unsigned i, char *out, size_t size)
{
    const net_stats_t *s = &n->stats;
    static const char *const st[NET_S_COUNT] = {"down", "noaddr", "up"};
    unsigned valid = 0, pending = 0;
    for (unsigned k = 0; k < NET_ARP_ENTRIES; k++) {
        valid += n->arp[k].state == NET_ARP_VALID;
        pending += n->arp[k].state == NET_ARP_PENDING;
    }
    int len;
    switch (i) {
    case 0:
        len = LIB_PRINTF_SYM(snprintf)(out, size,
            "net state=%s mac=%02x:%02x:%02x:%02x:%02x:%02x ip=" NET_IPFMT " mask=" NET_IPFMT
            " gw=" NET_IPFMT " arp_valid=%u arp_pending=%u",
            st[n->aut.state < NET_S_COUNT ? n->aut.state : 0], n->mac[0], n->mac[1], n->mac[2],
            n->mac[3], n->mac[4], n->mac[5], NET_IPARG(n->cfg.addr.ip),
            NET_IPARG(n->cfg.addr.mask), NET_IPARG(n->cfg.addr.gw), valid, pending);
        break;
    case 1:
        len = LIB_PRINTF_SYM(snprintf)(out, size,
            "net eth rx=%lu tx=%lu rx_link_down=%lu rx_no_buf=%lu runt=%lu not_for_us=%lu "
            "unknown_type=%lu tx_link_down=%lu tx_no_addr=%lu tx_no_headroom=%lu "
            "tx_realign=%lu tx_errors=%lu tx_no_buf=%lu link_bad=%lu",
            (unsigned long)s->rx_frames, (unsigned long)s->tx_frames,
            (unsigned long)s->rx_link_down, (unsigned long)s->rx_no_buf,
            (unsigned long)s->eth_runt, (unsigned long)s->eth_not_for_us,
            (unsigned long)s->eth_unknown_type, (unsigned long)s->tx_link_down,
            (unsigned long)s->tx_no_addr, (unsigned long)s->tx_no_headroom,
            (unsigned long)s->tx_realign, (unsigned long)s->tx_errors,
            (unsigned long)s->tx_no_buf, (unsigned long)s->link_bad);
        break;
    case 2:
        len = LIB_PRINTF_SYM(snprintf)(out, size,
            "net arp rx=%lu short=%lu bad=%lu own=%lu conflict=%lu no_addr=%lu not_for_us=%lu "
            "req_rx=%lu rep_rx=%lu req_tx=%lu rep_tx=%lu rate_limited=%lu evict=%lu "
            "table_full=%lu expired=%lu queued=%lu queue_full=%lu timeouts=%lu unresolved=%lu",
            (unsigned long)s->arp_rx, (unsigned long)s->arp_short, (unsigned long)s->arp_bad,
            (unsigned long)s->arp_own, (unsigned long)s->arp_conflict,
            (unsigned long)s->arp_no_addr, (unsigned long)s->arp_not_for_us,
            (unsigned long)s->arp_req_rx, (unsigned long)s->arp_rep_rx,
            (unsigned long)s->arp_req_tx, (unsigned long)s->arp_rep_tx,
            (unsigned long)s->arp_rate_limited, (unsigned long)s->arp_evict,
            (unsigned long)s->arp_table_full, (unsigned long)s->arp_expired,
            (unsigned long)s->arp_queued, (unsigned long)s->arp_queue_full,
            (unsigned long)s->arp_timeouts, (unsigned long)s->arp_unresolved);
        break;
    case 3:
        len = LIB_PRINTF_SYM(snprintf)(out, size,
            "net ip rx=%lu tx=%lu short=%lu bad_version=%lu bad_hlen=%lu bad_len=%lu "
            "bad_cksum=%lu ttl=%lu frag=%lu not_for_us=%lu bad_src=%lu unknown_proto=%lu "
            "no_route=%lu",
            (unsigned long)s->ip_rx, (unsigned long)s->ip_tx, (unsigned long)s->ip_short,
            (unsigned long)s->ip_bad_version, (unsigned long)s->ip_bad_hlen,
            (unsigned long)s->ip_bad_len, (unsigned long)s->ip_bad_cksum,
            (unsigned long)s->ip_ttl, (unsigned long)s->ip_frag,
            (unsigned long)s->ip_not_for_us, (unsigned long)s->ip_bad_src,
            (unsigned long)s->ip_unknown_proto, (unsigned long)s->ip_no_route);
        break;
    case 4:
        len = LIB_PRINTF_SYM(snprintf)(out, size,
            "net icmp rx=%lu short=%lu bad_cksum=%lu bcast=%lu other=%lu echo_tx=%lu",
            (unsigned long)s->icmp_rx, (unsigned long)s->icmp_short,
            (unsigned long)s->icmp_bad_cksum, (unsigned long)s->icmp_bcast,
            (unsigned long)s->icmp_other, (unsigned long)s->icmp_echo_tx);
        break;
    case 5:
        len = LIB_PRINTF_SYM(snprintf)(out, size,
            "net udp rx=%lu tx=%lu short=%lu bad_len=%lu bad_cksum=%lu no_port=%lu "
            "deliver_fail=%lu tx_too_big=%lu tx_bad=%lu",
            (unsigned long)s->udp_rx, (unsigned long)s->udp_tx, (unsigned long)s->udp_short,
            (unsigned long)s->udp_bad_len, (unsigned long)s->udp_bad_cksum,
            (unsigned long)s->udp_no_port, (unsigned long)s->udp_deliver_fail,
            (unsigned long)s->udp_tx_too_big, (unsigned long)s->udp_tx_bad);
        break;
    default:
        if (size)
            out[0] = 0;
        return 0;
    }
    if (len < 0)
        return 0;
    return (size_t)len < size ? len : (int)(size ? size - 1 : 0);
}
