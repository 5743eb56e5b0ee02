/* "peer:SCRIPT" backend: script parser, ARP/IPv4/UDP/ICMP client, report.
 * Behaviour, script format and report: eth_peer.h. All timing is simulated cycles. */
#define _GNU_SOURCE
#include "link/eth_peer.h"
#include "link/eth_internal.h"
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define PEER_MAX_TOKENS 8
#define PEER_US_MAX     1000000000000ull   /* 11.6 days of simulated time */
#define PEER_ICMP_ID    0x5eedu
#define ETHERTYPE_IPV4  0x0800u
#define ETHERTYPE_ARP   0x0806u
#define IPPROTO_ICMP_   1u
#define IPPROTO_UDP_    17u
#define ETH_HDR         14u
#define IP_HDR          20u
#define UDP_HDR         8u
#define ICMP_HDR        8u
#define ARP_LEN         28u
#define ETH_MIN_PAYLOAD 46u                /* frames are padded to 60 bytes (no FCS) */

typedef enum { ITEM_UDP, ITEM_PING } item_kind_t;

typedef struct peer_item {
    item_kind_t kind;
    unsigned line;
    uint32_t count;
    uint16_t dport;
    uint16_t len;
    uint8_t payload[ETH_PEER_MAX_PAYLOAD];
    /* results */
    uint64_t sent, answered, mismatches, timeouts;
    uint64_t first_req; /* index of its first request in the rtt list */
} peer_item_t;

struct eth_peer_script {
    uint8_t mac[6];
    uint32_t ip, target;       /* host order */
    uint16_t port;
    uint64_t start_ns, arp_interval_ns, timeout_ns, gap_ns;
    uint32_t arp_tries;
    bool stop;
    bool dhcp;                 /* answer DHCP: offer/ack the target's address */
    peer_item_t *items;
    size_t nitems, cap;
    uint64_t nrequests;
};

/* ---- parser ------------------------------------------------------------------------- */
typedef struct {
    const char *fname;
    unsigned line;
    int nerr;
    FILE *msgs;
    unsigned seen;             /* settings given (bit per directive) */
} peer_parse_t;

static void perr(peer_parse_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void perr(peer_parse_t *p, const char *fmt, ...)
{
    p->nerr++;
    if (!p->msgs) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(p->msgs, "%s:%u: ", p->fname, p->line);
    vfprintf(p->msgs, fmt, ap);
    fputc('\n', p->msgs);
    va_end(ap);
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+') return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max) return -1;
    *out = v;
    return 0;
}

static int parse_ip(const char *s, uint32_t *out)
{
    struct in_addr a;
    if (!s || inet_pton(AF_INET, s, &a) != 1) return -1;
    *out = ntohl(a.s_addr);
    return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    char tail;
    if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6 ||
        strlen(s) != 17)
        return -1;
    for (int i = 0; i < 6; i++) mac[i] = (uint8_t)v[i];
    return (mac[0] & 1) ? -1 : 0; /* multicast bit: not a station address */
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void fill_echo(uint8_t *p, size_t n)
{
    static const char pat[] = "Echo1";
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)pat[i % 5];
}

static int parse_payload(peer_parse_t *p, const char *tok, peer_item_t *it, bool udp)
{
    if (!strncmp(tok, "size=", 5)) {
        uint64_t v;
        if (parse_u64(tok + 5, 0, ETH_PEER_MAX_PAYLOAD, &v) != 0) {
            perr(p, "bad size '%s' (0..%u)", tok + 5, ETH_PEER_MAX_PAYLOAD);
            return -1;
        }
        it->len = (uint16_t)v;
        fill_echo(it->payload, it->len);
        return 0;
    }
    if (udp && !strncmp(tok, "hex=", 4)) {
        const char *h = tok + 4;
        size_t n = strlen(h);
        if (n == 0 || n % 2 || n / 2 > ETH_PEER_MAX_PAYLOAD) {
            perr(p, "bad hex payload (an even number of hex digits, 1..%u bytes)", ETH_PEER_MAX_PAYLOAD);
            return -1;
        }
        for (size_t i = 0; i < n / 2; i++) {
            int a = hexval(h[2 * i]), b = hexval(h[2 * i + 1]);
            if (a < 0 || b < 0) {
                perr(p, "bad hex digit in '%s'", h);
                return -1;
            }
            it->payload[i] = (uint8_t)(a << 4 | b);
        }
        it->len = (uint16_t)(n / 2);
        return 0;
    }
    if (udp && !strncmp(tok, "text=", 5)) {
        size_t n = strlen(tok + 5);
        if (n == 0 || n > ETH_PEER_MAX_PAYLOAD) {
            perr(p, "bad text payload (1..%u characters)", ETH_PEER_MAX_PAYLOAD);
            return -1;
        }
        memcpy(it->payload, tok + 5, n);
        it->len = (uint16_t)n;
        return 0;
    }
    perr(p, "unknown field '%s' (%s)", tok, udp ? "size=, hex= or text=" : "size=");
    return -1;
}

static int add_item(peer_parse_t *p, eth_peer_script_t *s, char **tok, int ntok)
{
    bool udp = !strcmp(tok[0], "udp");
    int need = udp ? 3 : 2;
    if (ntok < need || ntok > need + 1) {
        perr(p, udp ? "usage: udp <count> <dport> [size=N|hex=..|text=..]" : "usage: ping <count> [size=N]");
        return -1;
    }
    peer_item_t it;
    memset(&it, 0, sizeof it);
    it.kind = udp ? ITEM_UDP : ITEM_PING;
    it.line = p->line;
    uint64_t v;
    if (parse_u64(tok[1], 1, ETH_PEER_MAX_REQUESTS, &v) != 0) {
        perr(p, "bad count '%s' (1..%u)", tok[1], ETH_PEER_MAX_REQUESTS);
        return -1;
    }
    it.count = (uint32_t)v;
    if (udp) {
        if (parse_u64(tok[2], 1, 65535, &v) != 0) {
            perr(p, "bad port '%s' (1..65535)", tok[2]);
            return -1;
        }
        it.dport = (uint16_t)v;
    }
    it.len = 5;
    fill_echo(it.payload, it.len);
    if (ntok == need + 1 && parse_payload(p, tok[need], &it, udp) != 0) return -1;
    if (s->nrequests + it.count > ETH_PEER_MAX_REQUESTS) {
        perr(p, "too many requests in all (at most %u)", ETH_PEER_MAX_REQUESTS);
        return -1;
    }
    if (s->nitems == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 8;
        peer_item_t *ni = realloc(s->items, nc * sizeof *ni);
        if (!ni) {
            perr(p, "out of memory");
            return -1;
        }
        s->items = ni;
        s->cap = nc;
    }
    it.first_req = s->nrequests;
    s->items[s->nitems++] = it;
    s->nrequests += it.count;
    return 0;
}

/* settings: name, bit, operand count */
static const struct {
    const char *name;
    unsigned nargs;
} peer_settings[] = {
    {"mac", 1}, {"ip", 1}, {"target", 1}, {"port", 1}, {"start", 1}, {"arp", 2}, {"timeout", 1}, {"gap", 1}, {"stop", 0},
    {"dhcp", 0},
};

static void parse_setting(peer_parse_t *p, eth_peer_script_t *s, unsigned k, char **tok, int ntok)
{
    const char *name = peer_settings[k].name;
    if ((unsigned)ntok != peer_settings[k].nargs + 1) {
        perr(p, "'%s' takes %u operand%s", name, peer_settings[k].nargs, peer_settings[k].nargs == 1 ? "" : "s");
        return;
    }
    if (p->seen & (1u << k)) {
        perr(p, "'%s' given twice", name);
        return;
    }
    if (s->nitems && strcmp(name, "stop") && strcmp(name, "dhcp")) {
        perr(p, "'%s' must come before the first udp/ping item", name);
        return;
    }
    p->seen |= 1u << k;
    uint64_t v, v2;
    switch (k) {
    case 0:
        if (parse_mac(tok[1], s->mac)) perr(p, "bad MAC '%s' (xx:xx:xx:xx:xx:xx, unicast)", tok[1]);
        break;
    case 1:
        if (parse_ip(tok[1], &s->ip)) perr(p, "bad IPv4 address '%s'", tok[1]);
        break;
    case 2:
        if (parse_ip(tok[1], &s->target)) perr(p, "bad IPv4 address '%s'", tok[1]);
        break;
    case 3:
        if (parse_u64(tok[1], 1, 65535, &v)) perr(p, "bad port '%s' (1..65535)", tok[1]);
        else s->port = (uint16_t)v;
        break;
    case 4:
        if (parse_u64(tok[1], 0, PEER_US_MAX, &v)) perr(p, "bad time '%s' (µs, 0..%llu)", tok[1], PEER_US_MAX);
        else s->start_ns = v * 1000u;
        break;
    case 5:
        if (parse_u64(tok[1], 1, PEER_US_MAX, &v) || parse_u64(tok[2], 1, 1000000, &v2))
            perr(p, "bad arp '%s %s' (interval µs >= 1, tries 1..1000000)", tok[1], tok[2]);
        else {
            s->arp_interval_ns = v * 1000u;
            s->arp_tries = (uint32_t)v2;
        }
        break;
    case 6:
        if (parse_u64(tok[1], 1, PEER_US_MAX, &v)) perr(p, "bad timeout '%s' (µs, >= 1)", tok[1]);
        else s->timeout_ns = v * 1000u;
        break;
    case 7:
        if (parse_u64(tok[1], 0, PEER_US_MAX, &v)) perr(p, "bad gap '%s' (µs)", tok[1]);
        else s->gap_ns = v * 1000u;
        break;
    case 8: s->stop = true; break;
    case 9: s->dhcp = true; break;
    }
}

int eth_peer_script_parse_string(const char *text, const char *fname, eth_peer_script_t **out, FILE *msgs)
{
    *out = NULL;
    eth_peer_script_t *s = calloc(1, sizeof *s);
    peer_parse_t p = {.fname = fname ? fname : "<script>", .msgs = msgs};
    if (!s) return 1;
    static const uint8_t defmac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
    memcpy(s->mac, defmac, 6);
    s->ip = 0x0A000202u;      /* 10.0.2.2 */
    s->target = 0x0A00020Fu;  /* 10.0.2.15 */
    s->port = 40000;
    s->arp_interval_ns = 100000000u;
    s->arp_tries = 100;
    s->timeout_ns = 100000000u;
    const char *cur = text;
    while (*cur) {
        p.line++;
        const char *eol = strchr(cur, '\n');
        size_t n = eol ? (size_t)(eol - cur) : strlen(cur);
        char *line = strndup(cur, n);
        cur += n + (eol ? 1 : 0);
        if (!line) {
            perr(&p, "out of memory");
            break;
        }
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *tok[PEER_MAX_TOKENS + 1], *save = NULL;
        int ntok = 0;
        for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
            if (ntok == PEER_MAX_TOKENS) {
                ntok++;
                break;
            }
            tok[ntok++] = t;
        }
        if (ntok > PEER_MAX_TOKENS) {
            perr(&p, "too many operands");
        } else if (ntok > 0) {
            unsigned k;
            for (k = 0; k < sizeof peer_settings / sizeof peer_settings[0]; k++)
                if (!strcmp(tok[0], peer_settings[k].name)) break;
            if (k < sizeof peer_settings / sizeof peer_settings[0]) parse_setting(&p, s, k, tok, ntok);
            else if (!strcmp(tok[0], "udp") || !strcmp(tok[0], "ping")) add_item(&p, s, tok, ntok);
            else perr(&p, "unknown directive '%s'", tok[0]);
        }
        free(line);
    }
    if (p.nerr == 0 && s->nitems == 0) {
        p.line = p.line ? p.line : 1;
        perr(&p, "no udp or ping item: nothing to send");
    }
    if (p.nerr == 0 && s->ip == s->target) perr(&p, "the peer's ip equals the target's");
    if (p.nerr) {
        if (msgs) fprintf(msgs, "%s: %d error%s\n", p.fname, p.nerr, p.nerr == 1 ? "" : "s");
        eth_peer_script_free(s);
        return p.nerr;
    }
    *out = s;
    return 0;
}

int eth_peer_script_parse_file(const char *path, eth_peer_script_t **out, FILE *msgs)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (msgs) fprintf(msgs, "%s:0: cannot read the script: %s\n", path, strerror(errno));
        return 1;
    }
    char *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) { /* bounded by the file size */
        if (len + 4096 + 1 > cap) {
            size_t nc = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, nc);
            if (!nb) break;
            buf = nb;
            cap = nc;
        }
        size_t r = fread(buf + len, 1, cap - len - 1, f);
        len += r;
        if (r == 0) break;
    }
    bool err = ferror(f) || !buf;
    fclose(f);
    if (err) {
        if (msgs) fprintf(msgs, "%s:0: cannot read the script\n", path);
        free(buf);
        return 1;
    }
    buf[len] = 0;
    if (strlen(buf) != len) {
        if (msgs) fprintf(msgs, "%s:0: the script contains a NUL byte\n", path);
        free(buf);
        return 1;
    }
    int r = eth_peer_script_parse_string(buf, path, out, msgs);
    free(buf);
    return r;
}

void eth_peer_script_free(eth_peer_script_t *s)
{
    if (!s) return;
    free(s->items);
    free(s);
}

uint64_t eth_peer_script_requests(const eth_peer_script_t *s) { return s->nrequests; }

/* ---- the client ---------------------------------------------------------------------- */
typedef enum { PEER_WAIT_START, PEER_ARP, PEER_WAIT_ANSWER, PEER_GAP, PEER_DONE } peer_state_t;

typedef struct eth_peer {
    eth_link_t *link;
    sim_t *sim;
    eth_peer_script_t *sc;
    char *script_name, *report_path;
    peer_state_t state;
    sim_timer_t timer;
    uint8_t target_mac[6];
    bool arp_resolved;
    uint32_t arp_sent;
    size_t item;               /* current item */
    uint32_t k;                /* request index within the item */
    uint64_t req;              /* global request index */
    uint64_t t_sent;           /* delivery time of the outstanding request */
    uint16_t ip_id;
    uint64_t *rtts;            /* per request; UINT64_MAX: no answer */
    /* counters */
    uint64_t sent, answered, mismatches, timeouts, unsent, unexpected, bad_checksums, ignored, arp_replies;
    uint64_t dhcp_offers, dhcp_acks, dhcp_naks;
    uint64_t first_req_cycle, end_cycle;
    bool report_written_done;
} eth_peer_t;

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

static void peer_send(eth_peer_t *pe, uint8_t *f, size_t len)
{
    /* pad to the Ethernet minimum (60 bytes without FCS), as a real NIC does */
    if (len < ETH_HDR + ETH_MIN_PAYLOAD) {
        memset(f + len, 0, ETH_HDR + ETH_MIN_PAYLOAD - len);
        len = ETH_HDR + ETH_MIN_PAYLOAD;
    }
    eth_link_deliver_at(pe->link, sim_now(pe->sim), f, len);
}

static void eth_header(eth_peer_t *pe, uint8_t *f, const uint8_t *dst, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, pe->sc->mac, 6);
    put16(f + 12, type);
}

static void arp_frame(eth_peer_t *pe, uint8_t *f, uint16_t op, const uint8_t *tha, uint32_t tpa, const uint8_t *dst)
{
    eth_header(pe, f, dst, ETHERTYPE_ARP);
    uint8_t *a = f + ETH_HDR;
    put16(a, 1);             /* hardware: Ethernet */
    put16(a + 2, ETHERTYPE_IPV4);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, pe->sc->mac, 6);
    put32(a + 14, pe->sc->ip);
    memcpy(a + 18, tha, 6);
    put32(a + 24, tpa);
}

static void send_arp_request(eth_peer_t *pe)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, zero[6] = {0};
    uint8_t f[ETH_HDR + ETH_MIN_PAYLOAD];
    arp_frame(pe, f, 1, zero, pe->sc->target, bcast);
    pe->arp_sent++;
    peer_send(pe, f, ETH_HDR + ARP_LEN);
}

static size_t ip_header(eth_peer_t *pe, uint8_t *ip, uint8_t proto, size_t payload)
{
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)(IP_HDR + payload));
    put16(ip + 4, pe->ip_id++);
    put16(ip + 6, 0x4000);  /* DF */
    ip[8] = 64;
    ip[9] = proto;
    put16(ip + 10, 0);
    put32(ip + 12, pe->sc->ip);
    put32(ip + 16, pe->sc->target);
    put16(ip + 10, (uint16_t)~eth_csum_fold(eth_csum_add(0, ip, IP_HDR)));
    return IP_HDR;
}

static uint16_t udp_csum(const uint8_t *ip, const uint8_t *udp, size_t ulen)
{
    uint8_t ph[12];
    memcpy(ph, ip + 12, 8);
    ph[8] = 0;
    ph[9] = IPPROTO_UDP_;
    put16(ph + 10, (uint16_t)ulen);
    return eth_csum_fold(eth_csum_add(eth_csum_add(0, ph, sizeof ph), udp, ulen));
}

static void send_request(eth_peer_t *pe)
{
    peer_item_t *it = &pe->sc->items[pe->item];
    uint8_t f[ETH_LINK_MAX_FRAME];
    eth_header(pe, f, pe->target_mac, ETHERTYPE_IPV4);
    uint8_t *ip = f + ETH_HDR, *l4 = ip + IP_HDR;
    size_t l4len;
    if (it->kind == ITEM_UDP) {
        l4len = UDP_HDR + it->len;
        ip_header(pe, ip, IPPROTO_UDP_, l4len);
        put16(l4, pe->sc->port);
        put16(l4 + 2, it->dport);
        put16(l4 + 4, (uint16_t)l4len);
        put16(l4 + 6, 0);
        memcpy(l4 + UDP_HDR, it->payload, it->len);
        uint16_t c = (uint16_t)~udp_csum(ip, l4, l4len);
        put16(l4 + 6, c ? c : 0xFFFF);
    } else {
        l4len = ICMP_HDR + it->len;
        ip_header(pe, ip, IPPROTO_ICMP_, l4len);
        l4[0] = 8;  /* echo request */
        l4[1] = 0;
        put16(l4 + 2, 0);
        put16(l4 + 4, PEER_ICMP_ID);
        put16(l4 + 6, (uint16_t)pe->req);
        memcpy(l4 + ICMP_HDR, it->payload, it->len);
        put16(l4 + 2, (uint16_t)~eth_csum_fold(eth_csum_add(0, l4, l4len)));
    }
    uint64_t now = sim_now(pe->sim);
    if (pe->sent == 0) pe->first_req_cycle = now;
    pe->t_sent = now; /* the link delivers frames queued now at now (queue order) */
    pe->sent++;
    it->sent++;
    peer_send(pe, f, ETH_HDR + IP_HDR + l4len);
    pe->state = PEER_WAIT_ANSWER;
    sim_timer_mod(&pe->timer, now + sim_ns_to_cycles(pe->sim, pe->sc->timeout_ns));
}

static void write_report(eth_peer_t *pe, bool done);

static void peer_finish(eth_peer_t *pe)
{
    pe->state = PEER_DONE;
    pe->end_cycle = sim_now(pe->sim);
    sim_timer_del(&pe->timer);
    if (pe->report_path) write_report(pe, true);
    if (pe->sc->stop) sim_request_stop(pe->sim, SIM_STOP_REQUEST);
}

/* the outstanding request ended (answer or timeout): next one after the gap */
static void next_request(eth_peer_t *pe)
{
    pe->req++;
    if (++pe->k >= pe->sc->items[pe->item].count) {
        pe->k = 0;
        pe->item++;
    }
    if (pe->item >= pe->sc->nitems) {
        peer_finish(pe);
        return;
    }
    if (pe->sc->gap_ns) {
        pe->state = PEER_GAP;
        sim_timer_mod(&pe->timer, sim_now(pe->sim) + sim_ns_to_cycles(pe->sim, pe->sc->gap_ns));
    } else {
        send_request(pe);
    }
}

static void peer_timer(void *opaque)
{
    eth_peer_t *pe = opaque;
    switch (pe->state) {
    case PEER_WAIT_START:
        pe->state = PEER_ARP;
        /* fall through */
    case PEER_ARP:
        if (pe->arp_sent >= pe->sc->arp_tries) {
            pe->unsent = pe->sc->nrequests;
            peer_finish(pe);
            return;
        }
        send_arp_request(pe);
        sim_timer_mod(&pe->timer, sim_now(pe->sim) + sim_ns_to_cycles(pe->sim, pe->sc->arp_interval_ns));
        break;
    case PEER_WAIT_ANSWER:
        pe->timeouts++;
        pe->sc->items[pe->item].timeouts++;
        next_request(pe);
        break;
    case PEER_GAP: send_request(pe); break;
    case PEER_DONE: break;
    }
}

static void answered(eth_peer_t *pe, const uint8_t *payload, size_t len)
{
    peer_item_t *it = &pe->sc->items[pe->item];
    uint64_t rtt = sim_now(pe->sim) - pe->t_sent;
    pe->rtts[pe->req] = rtt;
    pe->answered++;
    it->answered++;
    if (len != it->len || memcmp(payload, it->payload, len) != 0) {
        pe->mismatches++;
        it->mismatches++;
    }
    sim_timer_del(&pe->timer);
    next_request(pe);
}

static void rx_arp(eth_peer_t *pe, const uint8_t *f, size_t len)
{
    if (len < ETH_HDR + ARP_LEN) {
        pe->ignored++;
        return;
    }
    const uint8_t *a = f + ETH_HDR;
    if (get16(a) != 1 || get16(a + 2) != ETHERTYPE_IPV4 || a[4] != 6 || a[5] != 4) {
        pe->ignored++;
        return;
    }
    uint16_t op = get16(a + 6);
    uint32_t spa = get32(a + 14), tpa = get32(a + 24);
    if (op == 1 && tpa == pe->sc->ip) {
        uint8_t r[ETH_HDR + ETH_MIN_PAYLOAD];
        arp_frame(pe, r, 2, a + 8, spa, a + 8);
        pe->arp_replies++;
        peer_send(pe, r, ETH_HDR + ARP_LEN);
        return;
    }
    if (op == 2 && spa == pe->sc->target && tpa == pe->sc->ip && pe->state == PEER_ARP) {
        memcpy(pe->target_mac, a + 8, 6);
        pe->arp_resolved = true;
        sim_timer_del(&pe->timer);
        if (pe->sc->gap_ns) {
            pe->state = PEER_GAP;
            sim_timer_mod(&pe->timer, sim_now(pe->sim) + sim_ns_to_cycles(pe->sim, pe->sc->gap_ns));
        } else {
            send_request(pe);
        }
        return;
    }
    pe->ignored++;
}

/* ---- DHCP server (script directive `dhcp`) -------------------------------------------
 * Enough of RFC 2131 for a client on this wire: DISCOVER -> OFFER of the target's address,
 * REQUEST of that address -> ACK (another address -> NAK); server id, router and DNS =
 * the peer, mask 255.255.255.0, lease 1 day. Answers go to the broadcast address. */
#define BOOTP_FIXED 236u
#define DHCP_MAGIC  0x63825363u
#define DHCP_MAX_OPTS 64u

static const uint8_t *dhcp_opt(const uint8_t *opts, size_t n, uint8_t code, uint8_t *len)
{
    for (size_t i = 0; i < n;) { /* bounded by n */
        if (opts[i] == 255) break;
        if (opts[i] == 0) {
            i++;
            continue;
        }
        if (i + 1 >= n || i + 2 + opts[i + 1] > n) break;
        if (opts[i] == code) {
            *len = opts[i + 1];
            return opts + i + 2;
        }
        i += 2u + opts[i + 1];
    }
    return NULL;
}

static void dhcp_reply(eth_peer_t *pe, const uint8_t *req, uint8_t type)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    uint8_t f[ETH_HDR + IP_HDR + UDP_HDR + BOOTP_FIXED + 4 + DHCP_MAX_OPTS];
    memset(f, 0, sizeof f);
    eth_header(pe, f, bcast, ETHERTYPE_IPV4);
    uint8_t *ip = f + ETH_HDR, *udp = ip + IP_HDR, *bp = udp + UDP_HDR;
    bp[0] = 2; /* BOOTREPLY */
    bp[1] = 1;
    bp[2] = 6;
    memcpy(bp + 4, req + 4, 4);          /* xid */
    memcpy(bp + 10, req + 10, 2);        /* flags */
    if (type != 6) put32(bp + 16, pe->sc->target); /* yiaddr */
    put32(bp + 20, pe->sc->ip);          /* siaddr */
    memcpy(bp + 28, req + 28, 16);       /* chaddr */
    put32(bp + BOOTP_FIXED, DHCP_MAGIC);
    uint8_t *o = bp + BOOTP_FIXED + 4;
    *o++ = 53; *o++ = 1; *o++ = type;
    *o++ = 54; *o++ = 4; put32(o, pe->sc->ip); o += 4;
    if (type != 6) {
        *o++ = 51; *o++ = 4; put32(o, 86400); o += 4;
        *o++ = 1; *o++ = 4; put32(o, 0xFFFFFF00u); o += 4;
        *o++ = 3; *o++ = 4; put32(o, pe->sc->ip); o += 4;
        *o++ = 6; *o++ = 4; put32(o, pe->sc->ip); o += 4;
    }
    *o++ = 255;
    size_t blen = (size_t)(o - bp);
    if (blen < 300) blen = 300; /* BOOTP minimum message */
    size_t ulen = UDP_HDR + blen;
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(IP_HDR + ulen));
    put16(ip + 4, pe->ip_id++);
    ip[8] = 64;
    ip[9] = IPPROTO_UDP_;
    put32(ip + 12, pe->sc->ip);
    put32(ip + 16, 0xFFFFFFFFu);
    put16(ip + 10, (uint16_t)~eth_csum_fold(eth_csum_add(0, ip, IP_HDR)));
    put16(udp, 67);
    put16(udp + 2, 68);
    put16(udp + 4, (uint16_t)ulen);
    uint16_t c = (uint16_t)~udp_csum(ip, udp, ulen);
    put16(udp + 6, c ? c : 0xFFFF);
    peer_send(pe, f, ETH_HDR + IP_HDR + ulen);
}

/* a UDP datagram to port 67; true if it was DHCP for us (handled or counted) */
static bool rx_dhcp(eth_peer_t *pe, const uint8_t *l4, size_t ulen)
{
    if (!pe->sc->dhcp || get16(l4 + 2) != 67 || ulen < UDP_HDR + BOOTP_FIXED + 4) return false;
    const uint8_t *bp = l4 + UDP_HDR;
    size_t blen = ulen - UDP_HDR;
    if (bp[0] != 1 || bp[1] != 1 || bp[2] != 6 || get32(bp + BOOTP_FIXED) != DHCP_MAGIC) {
        pe->ignored++;
        return true;
    }
    const uint8_t *opts = bp + BOOTP_FIXED + 4;
    size_t olen = blen - BOOTP_FIXED - 4;
    uint8_t l = 0;
    const uint8_t *t = dhcp_opt(opts, olen, 53, &l);
    if (!t || l != 1) {
        pe->ignored++;
        return true;
    }
    if (t[0] == 1) { /* DISCOVER */
        pe->dhcp_offers++;
        dhcp_reply(pe, bp, 2);
    } else if (t[0] == 3) { /* REQUEST: the address asked for, in option 50 or ciaddr */
        const uint8_t *rq = dhcp_opt(opts, olen, 50, &l);
        uint32_t want = rq && l == 4 ? get32(rq) : get32(bp + 12);
        const uint8_t *sid = dhcp_opt(opts, olen, 54, &l);
        if (sid && l == 4 && get32(sid) != pe->sc->ip) return true; /* chose another server */
        if (want == pe->sc->target) {
            pe->dhcp_acks++;
            dhcp_reply(pe, bp, 5);
        } else {
            pe->dhcp_naks++;
            dhcp_reply(pe, bp, 6);
        }
    } else {
        pe->ignored++; /* RELEASE, DECLINE, INFORM: nothing to do */
    }
    return true;
}

static void rx_ipv4(eth_peer_t *pe, const uint8_t *f, size_t len)
{
    const uint8_t *ip = f + ETH_HDR;
    if (len < ETH_HDR + IP_HDR || (ip[0] >> 4) != 4) {
        pe->ignored++;
        return;
    }
    size_t ihl = (size_t)(ip[0] & 15) * 4, tot = get16(ip + 2);
    if (ihl < IP_HDR || tot < ihl || ETH_HDR + tot > len) {
        pe->ignored++;
        return;
    }
    if (eth_csum_fold(eth_csum_add(0, ip, ihl)) != 0xFFFF) {
        pe->bad_checksums++;
        return;
    }
    const uint8_t *l4h = ip + ihl;
    if (ip[9] == IPPROTO_UDP_ && tot - ihl >= UDP_HDR && !(get16(ip + 6) & 0x3FFF) && get16(l4h + 4) >= UDP_HDR &&
        get16(l4h + 4) <= tot - ihl && (get16(l4h + 6) == 0 || udp_csum(ip, l4h, get16(l4h + 4)) == 0xFFFF) &&
        rx_dhcp(pe, l4h, get16(l4h + 4)))
        return;
    if (get32(ip + 12) != pe->sc->target || get32(ip + 16) != pe->sc->ip || (get16(ip + 6) & 0x3FFF)) {
        pe->ignored++; /* not from the target, not for us, or a fragment */
        return;
    }
    const uint8_t *l4 = ip + ihl;
    size_t l4len = tot - ihl;
    bool waiting = pe->state == PEER_WAIT_ANSWER;
    const peer_item_t *it = pe->item < pe->sc->nitems ? &pe->sc->items[pe->item] : NULL;
    if (ip[9] == IPPROTO_UDP_) {
        if (l4len < UDP_HDR || get16(l4 + 4) < UDP_HDR || get16(l4 + 4) > l4len) {
            pe->ignored++;
            return;
        }
        size_t ulen = get16(l4 + 4);
        if (get16(l4 + 6) != 0 && udp_csum(ip, l4, ulen) != 0xFFFF) {
            pe->bad_checksums++;
            return;
        }
        if (!waiting || it->kind != ITEM_UDP || get16(l4) != it->dport || get16(l4 + 2) != pe->sc->port) {
            pe->unexpected++;
            return;
        }
        answered(pe, l4 + UDP_HDR, ulen - UDP_HDR);
    } else if (ip[9] == IPPROTO_ICMP_) {
        if (l4len < ICMP_HDR) {
            pe->ignored++;
            return;
        }
        if (eth_csum_fold(eth_csum_add(0, l4, l4len)) != 0xFFFF) {
            pe->bad_checksums++;
            return;
        }
        if (l4[0] != 0) {
            pe->ignored++; /* not an echo reply */
            return;
        }
        if (!waiting || it->kind != ITEM_PING || get16(l4 + 4) != PEER_ICMP_ID ||
            get16(l4 + 6) != (uint16_t)pe->req) {
            pe->unexpected++;
            return;
        }
        answered(pe, l4 + ICMP_HDR, l4len - ICMP_HDR);
    } else {
        pe->ignored++;
    }
}

static int peer_rx(void *be, const uint8_t *f, size_t len)
{
    eth_peer_t *pe = be;
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (memcmp(f, pe->sc->mac, 6) && memcmp(f, bcast, 6)) {
        pe->ignored++;
        return 0;
    }
    uint16_t type = get16(f + 12);
    if (type == ETHERTYPE_ARP) rx_arp(pe, f, len);
    else if (type == ETHERTYPE_IPV4) rx_ipv4(pe, f, len);
    else pe->ignored++;
    return 0;
}

/* ---- report -------------------------------------------------------------------------- */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

typedef struct {
    uint64_t n, min, median, p99, max, total;
} rtt_stats_t;

/* nearest rank over the answered requests in [from, from + n) */
static rtt_stats_t rtt_stats(const eth_peer_t *pe, uint64_t from, uint64_t n)
{
    rtt_stats_t r = {0};
    uint64_t *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return r;
    for (uint64_t i = 0; i < n; i++)
        if (pe->rtts[from + i] != UINT64_MAX) {
            v[r.n++] = pe->rtts[from + i];
            r.total += pe->rtts[from + i];
        }
    if (r.n) {
        qsort(v, r.n, sizeof *v, cmp_u64);
        r.min = v[0];
        r.max = v[r.n - 1];
        r.median = v[(r.n + 1) / 2 - 1];
        uint64_t k = (99 * r.n + 99) / 100;
        r.p99 = v[k ? k - 1 : 0];
    }
    free(v);
    return r;
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\') fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20) fprintf(f, "\\u%04x", *s);
        else fputc(*s, f);
    }
    fputc('"', f);
}

static void write_report(eth_peer_t *pe, bool done)
{
    FILE *f = fopen(pe->report_path, "w");
    if (!f) {
        fprintf(stderr, "bcm2835-sim: eth peer report %s: %s\n", pe->report_path, strerror(errno));
        eth_link_count_backend_error(pe->link);
        return;
    }
    double us_per_cycle = 1e6 / (double)sim_cpu_hz(pe->sim);
    rtt_stats_t r = rtt_stats(pe, 0, pe->sc->nrequests);
    const uint8_t *m = pe->target_mac;
#define U(x) ((unsigned long long)(x))
    fprintf(f, "{\"eth_peer\": 1, \"script\": ");
    json_str(f, pe->script_name);
    fprintf(f, ", \"cpu_hz\": %llu, \"done\": %s, \"arp_resolved\": %s, "
               "\"target_mac\": \"%02x:%02x:%02x:%02x:%02x:%02x\", \"arp_requests\": %u, \"requests\": %llu, "
               "\"sent\": %llu, \"answered\": %llu, \"ok\": %llu, \"mismatches\": %llu, \"timeouts\": %llu, "
               "\"unsent\": %llu, \"unexpected\": %llu, \"bad_checksums\": %llu, \"ignored\": %llu, "
               "\"arp_replies_sent\": %llu, \"dhcp_offers\": %llu, \"dhcp_acks\": %llu, \"dhcp_naks\": %llu, "
               "\"first_request_cycle\": %llu, \"end_cycle\": %llu,\n",
            U(sim_cpu_hz(pe->sim)), done ? "true" : "false", pe->arp_resolved ? "true" : "false", m[0], m[1], m[2],
            m[3], m[4], m[5], pe->arp_sent, U(pe->sc->nrequests), U(pe->sent), U(pe->answered),
            U(pe->answered - pe->mismatches), U(pe->mismatches), U(pe->timeouts), U(pe->unsent), U(pe->unexpected),
            U(pe->bad_checksums), U(pe->ignored), U(pe->arp_replies), U(pe->dhcp_offers), U(pe->dhcp_acks),
            U(pe->dhcp_naks), U(pe->first_req_cycle),
            U(done ? pe->end_cycle : sim_now(pe->sim)));
    fprintf(f, " \"rtt_cycles\": {\"min\": %llu, \"median\": %llu, \"p99\": %llu, \"max\": %llu, \"total\": %llu, "
               "\"mean\": %.3f},\n",
            U(r.min), U(r.median), U(r.p99), U(r.max), U(r.total), r.n ? (double)r.total / (double)r.n : 0.0);
    fprintf(f, " \"rtt_us\": {\"min\": %.4f, \"median\": %.4f, \"p99\": %.4f, \"max\": %.4f, \"total\": %.4f},\n",
            (double)r.min * us_per_cycle, (double)r.median * us_per_cycle, (double)r.p99 * us_per_cycle,
            (double)r.max * us_per_cycle, (double)r.total * us_per_cycle);
    fprintf(f, " \"items\": [");
    for (size_t i = 0; i < pe->sc->nitems; i++) {
        const peer_item_t *it = &pe->sc->items[i];
        rtt_stats_t ri = rtt_stats(pe, it->first_req, it->count);
        fprintf(f, "%s{\"line\": %u, \"kind\": \"%s\", \"count\": %u, \"size\": %u, \"sent\": %llu, "
                   "\"answered\": %llu, \"mismatches\": %llu, \"timeouts\": %llu, \"median\": %llu, \"p99\": %llu, "
                   "\"max\": %llu, \"total\": %llu}",
                i ? ",\n   " : "", it->line, it->kind == ITEM_UDP ? "udp" : "ping", it->count, it->len, U(it->sent),
                U(it->answered), U(it->mismatches), U(it->timeouts), U(ri.median), U(ri.p99), U(ri.max), U(ri.total));
    }
    fprintf(f, "],\n \"rtts\": [");
    for (uint64_t i = 0; i < pe->sc->nrequests; i++) {
        if (i) fputs(i % 16 ? ", " : ",\n  ", f);
        if (pe->rtts[i] == UINT64_MAX) fputs("null", f);
        else fprintf(f, "%llu", U(pe->rtts[i]));
    }
    fprintf(f, "]}\n");
#undef U
    if (fclose(f) != 0) eth_link_count_backend_error(pe->link);
}

/* ---- backend ops ------------------------------------------------------------------------- */
static int peer_set_report(void *be, const char *path)
{
    eth_peer_t *pe = be;
    free(pe->report_path);
    pe->report_path = strdup(path);
    FILE *f = fopen(path, "w"); /* fail now, not at the end of the run */
    if (!f) {
        fprintf(stderr, "bcm2835-sim: --eth-report %s: %s\n", path, strerror(errno));
        return -1;
    }
    fclose(f);
    return 0;
}

static bool peer_done(const void *be) { return ((const eth_peer_t *)be)->state == PEER_DONE; }

static void peer_print_stats(const void *be, FILE *f)
{
    const eth_peer_t *pe = be;
    rtt_stats_t r = rtt_stats(pe, 0, pe->sc->nrequests);
    fprintf(f, "eth peer (%s): %s arp %s, requests %llu sent %llu answered %llu mismatches %llu timeouts %llu "
               "unsent %llu unexpected %llu bad-checksums %llu ignored %llu; rtt cycles median %llu p99 %llu max %llu\n",
            pe->script_name, pe->state == PEER_DONE ? "done" : "not done", pe->arp_resolved ? "resolved" : "unresolved",
            (unsigned long long)pe->sc->nrequests, (unsigned long long)pe->sent, (unsigned long long)pe->answered,
            (unsigned long long)pe->mismatches, (unsigned long long)pe->timeouts, (unsigned long long)pe->unsent,
            (unsigned long long)pe->unexpected, (unsigned long long)pe->bad_checksums,
            (unsigned long long)pe->ignored, (unsigned long long)r.median, (unsigned long long)r.p99,
            (unsigned long long)r.max);
}

static void peer_close(void *be)
{
    eth_peer_t *pe = be;
    if (!pe) return;
    if (pe->report_path && pe->state != PEER_DONE) write_report(pe, false);
    sim_timer_del(&pe->timer);
    eth_peer_script_free(pe->sc);
    free(pe->rtts);
    free(pe->script_name);
    free(pe->report_path);
    free(pe);
}

static const eth_backend_ops_t eth_peer_ops = {
    .name = "peer",
    .send = peer_rx,
    .done = peer_done,
    .set_report = peer_set_report,
    .print_stats = peer_print_stats,
    .close = peer_close,
};

void *eth_peer_open(eth_link_t *l, const char *path, const eth_backend_ops_t **ops)
{
    eth_peer_script_t *sc;
    if (eth_peer_script_parse_file(path, &sc, stderr) != 0) return NULL;
    eth_peer_t *pe = calloc(1, sizeof *pe);
    uint64_t *rtts = malloc(sc->nrequests * sizeof *rtts);
    if (!pe || !rtts) {
        free(pe);
        free(rtts);
        eth_peer_script_free(sc);
        return NULL;
    }
    for (uint64_t i = 0; i < sc->nrequests; i++) rtts[i] = UINT64_MAX;
    pe->link = l;
    pe->sim = eth_link_sim(l);
    pe->sc = sc;
    pe->rtts = rtts;
    pe->script_name = strdup(path);
    pe->state = PEER_WAIT_START;
    sim_timer_init(&pe->timer, pe->sim, peer_timer, pe);
    sim_timer_mod(&pe->timer, sim_ns_to_cycles(pe->sim, sc->start_ns));
    *ops = &eth_peer_ops;
    return pe;
}
