/* Ethernet link backends through a loopback test NIC written here (eth_link_attach +
 * eth_link_send, as the USB NIC models do): null + counters, the pcap writer (bytes,
 * timestamps, tshark), the in-process peer against an echoing NIC (ARP, UDP, ICMP, exact
 * RTTs in cycles, mismatches, timeouts), its script parser (FILE:LINE errors), slirp
 * (DHCP offer, a host UDP datagram through hostfwd and the echo back), tap errors.
 * One group per invocation: test_eth GROUP (ctest sim_link_GROUP). */
#define _GNU_SOURCE
#include "../periph/devtest.h"
#include "link/eth_internal.h"
#include "link/eth_link.h"
#include "link/eth_peer.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char workdir[512];

static const char *wpath(const char *name)
{
    static char buf[4][640];
    static int k;
    k = (k + 1) & 3;
    snprintf(buf[k], sizeof buf[k], "%s/%s", workdir, name);
    return buf[k];
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        fclose(f);
        return NULL;
    }
    b[n] = 0;
    fclose(f);
    if (len) *len = (size_t)n;
    return b;
}

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void wbe16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* ---- the loopback test NIC ---------------------------------------------------------------
 * Answers ARP for its IP and echoes UDP (any port) and ICMP echo requests sent to it,
 * `delay` cycles after the frame arrived. drop_nth / corrupt_nth (1-based count of
 * echoable frames, 0: none) lose or alter one answer. Keeps every received frame's
 * length and a copy of the last one. */
#define NIC_MAXPEND 16
typedef struct fake_nic {
    sim_t *sim;
    eth_link_t *link;
    uint8_t mac[6];
    uint32_t ip;
    uint64_t delay;
    unsigned drop_nth, corrupt_nth, echoed_seen;
    bool refuse;                    /* return false from rx */
    bool echo;
    unsigned rx_count, rx_udp, rx_arp_req;
    uint8_t last[ETH_LINK_MAX_FRAME];
    size_t last_len;
    uint8_t udp_last[ETH_LINK_MAX_FRAME];
    size_t udp_last_len;
    struct {
        uint64_t when;
        size_t len;
        uint8_t f[ETH_LINK_MAX_FRAME];
    } pend[NIC_MAXPEND];
    unsigned npend;
    sim_timer_t t;
} fake_nic_t;

static void nic_fire(void *opaque)
{
    fake_nic_t *n = opaque;
    uint64_t now = sim_now(n->sim);
    unsigned k = 0;
    while (k < n->npend) {
        if (n->pend[k].when <= now) {
            eth_link_send(n->link, n->pend[k].f, n->pend[k].len);
            memmove(&n->pend[k], &n->pend[k + 1], (n->npend - k - 1) * sizeof n->pend[0]);
            n->npend--;
        } else {
            k++;
        }
    }
    uint64_t next = UINT64_MAX;
    for (k = 0; k < n->npend; k++)
        if (n->pend[k].when < next) next = n->pend[k].when;
    if (next != UINT64_MAX) sim_timer_mod(&n->t, next);
}

static void nic_queue(fake_nic_t *n, const uint8_t *f, size_t len)
{
    if (n->npend == NIC_MAXPEND) return;
    n->pend[n->npend].when = sim_now(n->sim) + n->delay;
    n->pend[n->npend].len = len;
    memcpy(n->pend[n->npend].f, f, len);
    n->npend++;
    if (!sim_timer_pending(&n->t) || n->t.when > sim_now(n->sim) + n->delay) sim_timer_mod(&n->t, sim_now(n->sim) + n->delay);
}

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum) { return (uint16_t)~eth_csum_fold(eth_csum_add(sum, p, n)); }

static bool nic_rx(void *opaque, const uint8_t *f, size_t len)
{
    fake_nic_t *n = opaque;
    n->rx_count++;
    memcpy(n->last, f, len);
    n->last_len = len;
    if (n->refuse) return false;
    uint8_t r[ETH_LINK_MAX_FRAME];
    uint16_t type = be16(f + 12);
    if (type == 0x0806 && len >= 42 && be16(f + 20) == 1) {
        uint32_t tpa = (uint32_t)f[38] << 24 | f[39] << 16 | f[40] << 8 | f[41];
        n->rx_arp_req++;
        if (tpa != n->ip) return true;
        memcpy(r, f, 42);
        memcpy(r, f + 6, 6);
        memcpy(r + 6, n->mac, 6);
        wbe16(r + 20, 2);
        memcpy(r + 22, n->mac, 6);
        memcpy(r + 28, f + 38, 4);
        memcpy(r + 32, f + 22, 10); /* sender's MAC and IP become the target's */
        memset(r + 42, 0, 18);
        nic_queue(n, r, 60);
        return true;
    }
    if (type != 0x0800 || len < 34) return true;
    const uint8_t *ip = f + 14;
    uint32_t dst = (uint32_t)ip[16] << 24 | ip[17] << 16 | ip[18] << 8 | ip[19];
    if (ip[9] == 17) {
        n->rx_udp++;
        memcpy(n->udp_last, f, len);
        n->udp_last_len = len;
    }
    if (!n->echo || dst != n->ip || (ip[9] != 17 && ip[9] != 1)) return true;
    n->echoed_seen++;
    if (n->echoed_seen == n->drop_nth) return true;
    size_t tot = be16(ip + 2);
    memcpy(r, f, 14 + tot);
    memcpy(r, f + 6, 6);
    memcpy(r + 6, n->mac, 6);
    uint8_t *rip = r + 14, *l4 = rip + 20;
    memcpy(rip + 12, ip + 16, 4);
    memcpy(rip + 16, ip + 12, 4);
    wbe16(rip + 10, 0);
    wbe16(rip + 10, csum(rip, 20, 0));
    size_t l4len = tot - 20;
    if (ip[9] == 17) {
        uint8_t tmp[2];
        memcpy(tmp, l4, 2);
        memcpy(l4, l4 + 2, 2);
        memcpy(l4 + 2, tmp, 2);
        if (n->echoed_seen == n->corrupt_nth && l4len > 8) l4[8] ^= 0x20;
        wbe16(l4 + 6, 0);
        uint8_t ph[12];
        memcpy(ph, rip + 12, 8);
        ph[8] = 0;
        ph[9] = 17;
        wbe16(ph + 10, (uint16_t)l4len);
        uint16_t c = csum(l4, l4len, eth_csum_add(0, ph, 12));
        wbe16(l4 + 6, c ? c : 0xFFFF);
    } else {
        if (l4[0] != 8) return true;
        l4[0] = 0;
        if (n->echoed_seen == n->corrupt_nth && l4len > 8) l4[8] ^= 0x20;
        wbe16(l4 + 2, 0);
        wbe16(l4 + 2, csum(l4, l4len, 0));
    }
    size_t rlen = 14 + tot < 60 ? 60 : 14 + tot;
    if (14 + tot < 60) memset(r + 14 + tot, 0, 60 - 14 - tot);
    nic_queue(n, r, rlen);
    return true;
}

static void nic_init(fake_nic_t *n, sim_t *sim, eth_link_t *l, uint64_t delay)
{
    static const uint8_t mac[6] = {0xb8, 0x27, 0xeb, 0x00, 0x00, 0x01};
    memset(n, 0, sizeof *n);
    n->sim = sim;
    n->link = l;
    memcpy(n->mac, mac, 6);
    n->ip = 0x0A00020Fu;
    n->delay = delay;
    n->echo = true;
    sim_timer_init(&n->t, sim, nic_fire, n);
    eth_link_attach(l, nic_rx, n);
}

/* ---- tshark ------------------------------------------------------------------------------ */
/* runs tshark ARGS on path; returns its exit status, stdout in out (caller frees), and
 * fails the check if stderr mentions damage/truncation/errors */
static int tshark(const char *path, const char *args, char **out)
{
    char cmd[1536];
    const char *err = wpath("tshark.err");
    snprintf(cmd, sizeof cmd, "tshark -n -r '%s' %s 2>'%s'", path, args, err);
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap);
    size_t r;
    while (b && (r = fread(b + len, 1, cap - len - 1, p)) > 0) {
        len += r;
        if (len + 1 == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) break;
            b = nb;
        }
    }
    if (b) b[len] = 0;
    int st = pclose(p);
    char *e = read_file(err, NULL);
    if (e && (strstr(e, "damaged") || strstr(e, "cut short") || strstr(e, "rror"))) {
        fprintf(stderr, "tshark stderr: %s\n", e);
        st = -1;
    }
    free(e);
    *out = b;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static unsigned count_lines(const char *s, const char *must)
{
    unsigned n = 0;
    for (const char *p = s; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l && (!must || memmem(p, l, must, strlen(must)))) n++;
        p += l + (e ? 1 : 0);
    }
    return n;
}

/* ---- null + counters ---------------------------------------------------------------------- */
static void test_null(void)
{
    sim_t *sim = dt_new(SIM_BOARD_PI1B);
    eth_link_t *l = eth_link_open(sim, "null");
    CHECK(l != NULL);
    fake_nic_t nic;
    nic_init(&nic, sim, l, 10);
    uint8_t f[ETH_LINK_MAX_FRAME + 1];
    memset(f, 0x5a, sizeof f);
    CHECK_EQ(eth_link_send(l, f, 60), 0);
    CHECK_EQ(eth_link_send(l, f, ETH_LINK_MAX_FRAME), 0);
    CHECK_EQ(eth_link_send(l, f, ETH_LINK_MIN_FRAME), 0);
    CHECK_EQ(eth_link_send(l, f, ETH_LINK_MIN_FRAME - 1), -1); /* runt */
    CHECK_EQ(eth_link_send(l, f, ETH_LINK_MAX_FRAME + 1), -1); /* oversize */
    CHECK_EQ(eth_link_send(l, f, 0), -1);
    /* towards the NIC: bad lengths counted, a good frame delivered at its time */
    CHECK_EQ(eth_link_deliver_at(l, 0, f, 5), -1);
    CHECK_EQ(eth_link_deliver_at(l, 0, f, ETH_LINK_MAX_FRAME + 1), -1);
    CHECK_EQ(eth_link_deliver_at(l, 500, f, 60), 0);
    sim_advance(sim, 499);
    CHECK_EQ(nic.rx_count, 0);
    sim_advance(sim, 1);
    CHECK_EQ(nic.rx_count, 1);
    nic.refuse = true;
    CHECK_EQ(eth_link_deliver_at(l, 0, f, 60), 0);
    sim_advance(sim, 1);
    eth_link_stats_t s;
    eth_link_get_stats(l, &s);
    CHECK_EQ(s.tx_frames, 3);
    CHECK_EQ(s.tx_bytes, 60 + ETH_LINK_MAX_FRAME + ETH_LINK_MIN_FRAME);
    CHECK_EQ(s.bad_frames, 5);
    CHECK_EQ(s.rx_frames, 1);
    CHECK_EQ(s.rx_bytes, 60);
    CHECK_EQ(s.rx_refused, 1);
    CHECK(!eth_link_done(l));
    CHECK_EQ(eth_link_set_report(l, wpath("x.json")), -1); /* peer only */
    /* a full queue is counted, not grown */
    unsigned ok = 0;
    for (int i = 0; i < 600; i++) ok += eth_link_deliver_at(l, 1000000, f, 60) == 0;
    eth_link_get_stats(l, &s);
    CHECK_EQ(ok + s.rx_overflow, 600);
    CHECK(s.rx_overflow > 0);
    eth_link_close(l);
    /* no NIC attached: frames for it are counted as such */
    l = eth_link_open(sim, "null");
    CHECK_EQ(eth_link_deliver_at(l, sim_now(sim), f, 60), 0);
    sim_advance(sim, 1);
    eth_link_get_stats(l, &s);
    CHECK_EQ(s.rx_no_nic, 1);
    eth_link_close(l);
    /* the board replaces its link: the NIC moves with it */
    eth_link_t *a = eth_link_open(sim, "null"), *b = eth_link_open(sim, "null");
    fake_nic_t n2;
    nic_init(&n2, sim, a, 10);
    eth_link_move_nic(a, b);
    CHECK_EQ(eth_link_deliver_at(b, sim_now(sim), f, 60), 0);
    CHECK_EQ(eth_link_deliver_at(a, sim_now(sim), f, 60), 0);
    sim_advance(sim, 1);
    CHECK_EQ(n2.rx_count, 1);
    eth_link_get_stats(a, &s);
    CHECK_EQ(s.rx_no_nic, 1);
    eth_link_close(a);
    eth_link_close(b);
    /* through the board: soc_eth_open keeps a NIC attached to the old link */
    soc_t *soc = sim_soc(sim);
    nic_init(&n2, sim, soc_eth_link(soc), 10);
    CHECK_EQ(soc_eth_open(soc, "bogus"), -1);
    CHECK_EQ(soc_eth_open(soc, "null"), 0);
    CHECK_EQ(eth_link_deliver_at(soc_eth_link(soc), sim_now(sim), f, 60), 0);
    sim_advance(sim, 1);
    CHECK_EQ(n2.rx_count, 1);
    /* bad specs */
    CHECK(eth_link_open(sim, "bogus") == NULL);
    CHECK(eth_link_open(sim, "null:x") == NULL);
    CHECK(eth_link_open(sim, "peer:") == NULL);
    CHECK(eth_link_open(sim, "peer:/nonexistent/x.scr") == NULL);
    CHECK(eth_link_open(sim, "") == NULL);
    sim_free(sim);
}

/* ---- pcap ---------------------------------------------------------------------------------- */
static void test_pcap(void)
{
    sim_t *sim = dt_new(SIM_BOARD_PI1B); /* 700 MHz */
    eth_link_t *l = eth_link_open(sim, "null");
    fake_nic_t nic;
    nic_init(&nic, sim, l, 10);
    const char *path = wpath("null.pcap");
    CHECK_EQ(eth_link_set_pcap(l, path), 0);
    CHECK_EQ(eth_link_set_pcap(l, path), -1); /* once */
    uint8_t a[60], b[ETH_LINK_MAX_FRAME];
    memset(a, 0xff, 12);
    wbe16(a + 12, 0x88b5); /* local experimental ethertype */
    for (size_t i = 14; i < sizeof a; i++) a[i] = (uint8_t)i;
    memcpy(b, a, 14);
    for (size_t i = 14; i < sizeof b; i++) b[i] = (uint8_t)(i * 7);
    sim_advance(sim, 700);                 /* 1 µs */
    CHECK_EQ(eth_link_send(l, a, sizeof a), 0);
    eth_link_send(l, a, 13);               /* runt: not recorded */
    sim_advance(sim, 700u * 1000000u - 700u + 7u); /* 1 s + 10 ns */
    CHECK_EQ(eth_link_deliver_at(l, sim_now(sim), b, sizeof b), 0);
    sim_advance(sim, 1);
    eth_link_stats_t s;
    eth_link_get_stats(l, &s);
    CHECK_EQ(s.pcap_records, 2);
    eth_link_close(l);
    size_t len;
    uint8_t *p = (uint8_t *)read_file(path, &len);
    CHECK(p != NULL);
    if (!p) return;
    CHECK_EQ(len, 24 + 16 + sizeof a + 16 + sizeof b);
    CHECK_EQ(le32(p), 0xa1b23c4du);  /* classic pcap, ns resolution */
    CHECK_EQ(p[4] | p[5] << 8, 2);
    CHECK_EQ(p[6] | p[7] << 8, 4);
    CHECK_EQ(le32(p + 16), 65535);
    CHECK_EQ(le32(p + 20), 1);      /* LINKTYPE_ETHERNET */
    const uint8_t *r = p + 24;
    CHECK_EQ(le32(r), 0);
    CHECK_EQ(le32(r + 4), 1000);    /* 700 cycles at 700 MHz = 1000 ns */
    CHECK_EQ(le32(r + 8), sizeof a);
    CHECK_EQ(le32(r + 12), sizeof a);
    CHECK(memcmp(r + 16, a, sizeof a) == 0);
    r += 16 + sizeof a;
    CHECK_EQ(le32(r), 1);
    CHECK_EQ(le32(r + 4), 10);
    CHECK_EQ(le32(r + 8), sizeof b);
    CHECK(memcmp(r + 16, b, sizeof b) == 0);
    free(p);
    char *out = NULL;
    CHECK_EQ(tshark(path, "-T fields -e frame.len -e frame.time_epoch", &out), 0);
    CHECK(out && strstr(out, "60\t0.000001000") != NULL);
    CHECK(out && strstr(out, "1514\t1.000000010") != NULL);
    CHECK_EQ(count_lines(out, NULL), 2);
    free(out);
    /* unwritable path */
    l = eth_link_open(sim, "null");
    CHECK_EQ(eth_link_set_pcap(l, "/nonexistent/dir/x.pcap"), -1);
    eth_link_close(l);
    sim_free(sim);
}

/* ---- peer ------------------------------------------------------------------------------------ */
static const char *json_num(const char *json, const char *key, unsigned long long *v)
{
    char k[64];
    snprintf(k, sizeof k, "\"%s\": ", key);
    const char *p = strstr(json, k);
    if (!p) return NULL;
    *v = strtoull(p + strlen(k), NULL, 10);
    return p;
}

static unsigned long long jget(const char *json, const char *key)
{
    unsigned long long v = ~0ull;
    if (!json || !json_num(json, key, &v)) fprintf(stderr, "report lacks %s\n", key);
    return v;
}

static eth_link_t *open_peer(sim_t *sim, const char *name, const char *script)
{
    write_file(wpath(name), script);
    char spec[700];
    snprintf(spec, sizeof spec, "peer:%s", wpath(name));
    return eth_link_open(sim, spec);
}

static void test_peer(void)
{
    sim_t *sim = dt_new(SIM_BOARD_PI1B);
    eth_link_t *l = open_peer(sim, "echo.scr",
                              "# 10 x 5-byte Echo1, 3 x 1472, 4 pings of 56 bytes\n"
                              "start 100\n"
                              "timeout 1000\n"
                              "udp 10 7\n"
                              "udp 3 7 size=1472\n"
                              "ping 4 size=56\n"
                              "udp 2 9 text=hello\n");
    CHECK(l != NULL);
    if (!l) return;
    fake_nic_t nic;
    nic_init(&nic, sim, l, 1234);
    CHECK_EQ(eth_link_set_pcap(l, wpath("peer.pcap")), 0);
    CHECK_EQ(eth_link_set_report(l, wpath("peer.json")), 0);
    /* the NIC also asks for the peer's MAC: the peer answers */
    uint8_t arp[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xb8, 0x27, 0xeb, 0, 0, 1, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1,
                       0xb8, 0x27, 0xeb, 0, 0, 1, 10, 0, 2, 15, 0, 0, 0, 0, 0, 0, 10, 0, 2, 2};
    CHECK_EQ(eth_link_send(l, arp, sizeof arp), 0);
    sim_advance(sim, 1);
    CHECK_EQ(nic.rx_count, 1);
    CHECK_EQ(be16(nic.last + 20), 2);                 /* ARP reply */
    CHECK(memcmp(nic.last, nic.mac, 6) == 0);
    CHECK(memcmp(nic.last + 28, "\x0a\x00\x02\x02", 4) == 0);
    CHECK(!eth_link_done(l));
    sim_advance(sim, 700u * 1000u * 100u);            /* 100 ms: plenty */
    CHECK(eth_link_done(l));
    eth_link_stats_t s;
    eth_link_get_stats(l, &s);
    CHECK_EQ(s.bad_frames, 0);
    CHECK_EQ(nic.rx_arp_req, 1);                      /* resolved at the first try */
    char *rep = read_file(wpath("peer.json"), NULL);
    CHECK(rep != NULL);
    CHECK(rep && strstr(rep, "\"done\": true") && strstr(rep, "\"arp_resolved\": true"));
    CHECK(rep && strstr(rep, "\"target_mac\": \"b8:27:eb:00:00:01\""));
    CHECK_EQ(jget(rep, "requests"), 19);
    CHECK_EQ(jget(rep, "sent"), 19);
    CHECK_EQ(jget(rep, "answered"), 19);
    CHECK_EQ(jget(rep, "ok"), 19);
    CHECK_EQ(jget(rep, "mismatches"), 0);
    CHECK_EQ(jget(rep, "timeouts"), 0);
    CHECK_EQ(jget(rep, "unexpected"), 0);
    CHECK_EQ(jget(rep, "bad_checksums"), 0);
    /* every RTT is the NIC's turnaround exactly: the wire takes no time */
    CHECK_EQ(jget(rep, "median"), 1234);
    CHECK_EQ(jget(rep, "p99"), 1234);
    CHECK_EQ(jget(rep, "max"), 1234);
    CHECK_EQ(jget(rep, "total"), 19u * 1234u);
    /* first request: start (100 µs = 70000 cycles) + the ARP answer's turnaround */
    CHECK_EQ(jget(rep, "first_request_cycle"), 70000 + 1234);
    CHECK_EQ(jget(rep, "end_cycle"), 70000 + 1234 + 19u * 1234u);
    CHECK(rep && strstr(rep, "\"kind\": \"udp\", \"count\": 3, \"size\": 1472, \"sent\": 3, \"answered\": 3"));
    CHECK(rep && strstr(rep, "\"kind\": \"ping\", \"count\": 4, \"size\": 56, \"sent\": 4, \"answered\": 4"));
    CHECK(rep && strstr(rep, "\"rtts\": [1234, 1234"));
    free(rep);
    /* the last UDP request the NIC saw: 5 bytes "hello" to port 9 from 40000 */
    CHECK_EQ(be16(nic.udp_last + 34), 40000);
    CHECK_EQ(be16(nic.udp_last + 36), 9);
    CHECK(memcmp(nic.udp_last + 42, "hello", 5) == 0);
    eth_link_close(l); /* report rewritten only if not done */
    /* tshark decodes every frame and finds no bad checksum */
    char *out = NULL;
    CHECK_EQ(tshark(wpath("peer.pcap"), "-T fields -e frame.protocols", &out), 0);
    CHECK_EQ(count_lines(out, "eth:ethertype:arp"), 4);          /* 2 requests, 2 replies */
    CHECK_EQ(count_lines(out, "eth:ethertype:ip:udp"), 2u * 15u);
    CHECK_EQ(count_lines(out, "eth:ethertype:ip:icmp"), 2u * 4u);
    free(out);
    CHECK_EQ(tshark(wpath("peer.pcap"),
                    "-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE "
                    "-Y 'ip.checksum.status == \"Bad\" || udp.checksum.status == \"Bad\" || icmp.checksum.status == \"Bad\"'",
                    &out),
             0);
    CHECK_EQ(count_lines(out, NULL), 0);
    free(out);
    sim_free(sim);
}

static void test_peer_faults(void)
{
    sim_t *sim = dt_new(SIM_BOARD_PI1B);
    eth_link_t *l = open_peer(sim, "faults.scr", "timeout 50\ngap 10\nudp 6 7\nping 3\n");
    fake_nic_t nic;
    nic_init(&nic, sim, l, 700);
    nic.drop_nth = 2;      /* request 1 (0-based): no answer */
    nic.corrupt_nth = 4;   /* request 3: one byte flipped */
    CHECK_EQ(eth_link_set_report(l, wpath("faults.json")), 0);
    sim_advance(sim, 700u * 1000u * 10u);
    CHECK(eth_link_done(l));
    eth_link_close(l);
    char *rep = read_file(wpath("faults.json"), NULL);
    CHECK_EQ(jget(rep, "sent"), 9);
    CHECK_EQ(jget(rep, "answered"), 8);
    CHECK_EQ(jget(rep, "ok"), 7);
    CHECK_EQ(jget(rep, "mismatches"), 1);
    CHECK_EQ(jget(rep, "timeouts"), 1);
    CHECK(rep && strstr(rep, "\"rtts\": [700, null, 700, 700"));
    /* ARP (700) + gap before each of 9 requests (10 µs = 7000) + 8 x 700 + one 50 µs timeout */
    CHECK_EQ(jget(rep, "end_cycle"), 700 + 9u * 7000u + 8u * 700u + 35000u);
    free(rep);

    /* no answer to ARP at all: every request unsent, done after the tries */
    l = open_peer(sim, "noarp.scr", "start 0\narp 1000 3\nudp 5 7\nstop\n");
    CHECK_EQ(eth_link_set_report(l, wpath("noarp.json")), 0);
    uint64_t t0 = sim_now(sim);
    sim_advance(sim, 700u * 1000u * 10u);
    CHECK(eth_link_done(l));
    eth_link_stats_t s;
    eth_link_get_stats(l, &s);
    CHECK_EQ(s.rx_no_nic, 3); /* three ARP requests, no NIC */
    eth_link_close(l);
    rep = read_file(wpath("noarp.json"), NULL);
    CHECK(rep && strstr(rep, "\"arp_resolved\": false"));
    CHECK_EQ(jget(rep, "arp_requests"), 3);
    CHECK_EQ(jget(rep, "unsent"), 5);
    CHECK_EQ(jget(rep, "sent"), 0);
    CHECK_EQ(jget(rep, "end_cycle"), t0 + 3u * 700000u);
    free(rep);

    /* NIC refuses frames: requests time out, nothing crashes */
    l = open_peer(sim, "refuse.scr", "timeout 10\nudp 3 7\n");
    nic_init(&nic, sim, l, 100);
    sim_advance(sim, 700u * 1000u);
    nic.refuse = true; /* after ARP */
    CHECK_EQ(eth_link_set_report(l, wpath("refuse.json")), 0);
    sim_advance(sim, 700u * 1000u);
    eth_link_close(l); /* report written at close, done false? it is done: all timed out */
    sim_free(sim);
}

static size_t dhcp_discover(uint8_t *f, const uint8_t mac[6]);

/* `dhcp`: DISCOVER -> OFFER of the target's address, REQUEST -> ACK, other address -> NAK */
static void test_peer_dhcp(void)
{
    sim_t *sim = dt_new(SIM_BOARD_PI1B);
    eth_link_t *l = open_peer(sim, "dhcp.scr", "start 1000\nudp 1 7\ndhcp\n");
    fake_nic_t nic;
    nic_init(&nic, sim, l, 100);
    CHECK_EQ(eth_link_set_report(l, wpath("dhcp.json")), 0);
    uint8_t f[ETH_LINK_MAX_FRAME];
    size_t n = dhcp_discover(f, nic.mac);
    CHECK_EQ(eth_link_send(l, f, n), 0);
    sim_advance(sim, 1);
    CHECK_EQ(nic.rx_udp, 1);
    const uint8_t *ip = nic.udp_last + 14, *udp = ip + 20, *bp = udp + 8;
    CHECK_EQ(be16(udp), 67);
    CHECK_EQ(be16(udp + 2), 68);
    CHECK(memcmp(nic.udp_last, "\xff\xff\xff\xff\xff\xff", 6) == 0);
    CHECK(memcmp(bp + 4, "\x12\x34\x56\x78", 4) == 0);
    CHECK(memcmp(bp + 16, "\x0a\x00\x02\x0f", 4) == 0);
    CHECK(memcmp(bp + 28, nic.mac, 6) == 0);
    CHECK(bp[240] == 53 && bp[241] == 1 && bp[242] == 2);                       /* OFFER */
    CHECK(bp[243] == 54 && memcmp(bp + 245, "\x0a\x00\x02\x02", 4) == 0);      /* server id */
    /* REQUEST 10.0.2.15 (option 50) -> ACK */
    uint8_t *rbp = f + 42;
    rbp[242] = 3;
    rbp[243] = 50;
    rbp[244] = 4;
    memcpy(rbp + 245, "\x0a\x00\x02\x0f", 4);
    rbp[249] = 255;
    CHECK_EQ(eth_link_send(l, f, n), 0);
    sim_advance(sim, 1);
    CHECK_EQ(nic.rx_udp, 2);
    CHECK(bp[242] == 5);
    /* REQUEST of another address -> NAK (no yiaddr) */
    memcpy(rbp + 245, "\x0a\x00\x02\x63", 4);
    CHECK_EQ(eth_link_send(l, f, n), 0);
    sim_advance(sim, 1);
    CHECK_EQ(nic.rx_udp, 3);
    CHECK(bp[242] == 6);
    CHECK(memcmp(bp + 16, "\0\0\0\0", 4) == 0);
    sim_advance(sim, 700u * 1000u * 10u);
    CHECK(eth_link_done(l));
    eth_link_close(l);
    char *rep = read_file(wpath("dhcp.json"), NULL);
    CHECK_EQ(jget(rep, "dhcp_offers"), 1);
    CHECK_EQ(jget(rep, "dhcp_acks"), 1);
    CHECK_EQ(jget(rep, "dhcp_naks"), 1);
    CHECK_EQ(jget(rep, "answered"), 1);
    free(rep);
    sim_free(sim);
}

/* the same run twice gives the same report, byte for byte */
static void test_peer_determinism(void)
{
    char *rep[2];
    for (int k = 0; k < 2; k++) {
        sim_t *sim = dt_new(SIM_BOARD_PI0);
        eth_link_t *l = open_peer(sim, "det.scr", "timeout 100\nudp 50 7 size=100\nping 10 size=1000\n");
        fake_nic_t nic;
        nic_init(&nic, sim, l, 333);
        nic.drop_nth = 7;
        CHECK_EQ(eth_link_set_report(l, wpath(k ? "det1.json" : "det0.json")), 0);
        sim_advance(sim, 100000000u);
        CHECK(eth_link_done(l));
        eth_link_close(l);
        sim_free(sim);
        rep[k] = read_file(wpath(k ? "det1.json" : "det0.json"), NULL);
    }
    CHECK(rep[0] && rep[1] && strcmp(rep[0], rep[1]) == 0);
    CHECK_EQ(jget(rep[0], "cpu_hz"), 1000000000u);
    CHECK_EQ(jget(rep[0], "timeouts"), 1);
    free(rep[0]);
    free(rep[1]);
}

/* ---- script parser --------------------------------------------------------------------------- */
static int parse_msgs(const char *text, char **msgs)
{
    size_t n;
    FILE *m = open_memstream(msgs, &n);
    eth_peer_script_t *s = NULL;
    int r = eth_peer_script_parse_string(text, "t.scr", &s, m);
    fclose(m);
    CHECK((r == 0) == (s != NULL));
    eth_peer_script_free(s);
    return r;
}

static void test_script(void)
{
    char *m = NULL;
    CHECK_EQ(parse_msgs("mac 02:11:22:33:44:55\nip 192.168.1.2\ntarget 192.168.1.10\nport 5000\nstart 10\n"
                        "arp 100 5\ntimeout 200\ngap 0\nudp 1 7 hex=00ff10\nudp 100000 7 size=1472\nping 1 size=0\n"
                        "stop\n  # comment\n\n",
                        &m),
             0);
    free(m);
    struct {
        const char *text, *msg;
    } bad[] = {
        {"udp 1 7\nfrobnicate 3\n", "t.scr:2: unknown directive 'frobnicate'"},
        {"udp 0 7\n", "t.scr:1: bad count '0'"},
        {"udp 1 70000\n", "t.scr:1: bad port '70000'"},
        {"udp 1 7 size=1473\n", "t.scr:1: bad size '1473'"},
        {"udp 1 7 hex=abc\n", "t.scr:1: bad hex payload"},
        {"udp 1 7 hex=zz\n", "t.scr:1: bad hex digit"},
        {"udp 1 7 color=red\n", "t.scr:1: unknown field 'color=red'"},
        {"ping 1 text=x\n", "t.scr:1: unknown field 'text=x'"},
        {"udp 1\n", "t.scr:1: usage: udp"},
        {"mac 01:00:5e:00:00:01\nudp 1 7\n", "t.scr:1: bad MAC"},
        {"mac 02:00:00:00:00\nudp 1 7\n", "t.scr:1: bad MAC"},
        {"ip 10.0.2\nudp 1 7\n", "t.scr:1: bad IPv4 address '10.0.2'"},
        {"timeout 0\nudp 1 7\n", "t.scr:1: bad timeout"},
        {"timeout 5\ntimeout 5\nudp 1 7\n", "t.scr:2: 'timeout' given twice"},
        {"udp 1 7\ngap 5\n", "t.scr:2: 'gap' must come before"},
        {"arp 5\nudp 1 7\n", "t.scr:1: 'arp' takes 2 operands"},
        {"# nothing\n", "t.scr:1: no udp or ping item"},
        {"ip 10.0.2.15\nudp 1 7\n", "the peer's ip equals the target's"},
        {"udp 600000 7\nudp 600000 7\n", "t.scr:2: too many requests"},
        {"udp 1 7 a b c d e f g h\n", "t.scr:1: too many operands"},
        {"dhcp\ndhcp\nudp 1 7\n", "t.scr:2: 'dhcp' given twice"},
        {"dhcp on\nudp 1 7\n", "t.scr:1: 'dhcp' takes 0 operands"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        m = NULL;
        int r = parse_msgs(bad[i].text, &m);
        if (r == 0 || !m || !strstr(m, bad[i].msg)) {
            fprintf(stderr, "script %zu: r=%d, wanted '%s', got '%s'\n", i, r, bad[i].msg, m ? m : "");
            dt_failures++;
        }
        free(m);
    }
    /* errors go on: all bad lines reported, with a total */
    m = NULL;
    CHECK_EQ(parse_msgs("udp x 7\nport 0\nudp 1 7\nbogus\n", &m), 3);
    CHECK(m && strstr(m, "t.scr:1:") && strstr(m, "t.scr:2:") && strstr(m, "t.scr:4:") && strstr(m, "t.scr: 3 errors"));
    free(m);
    /* a file with a NUL byte, a missing file */
    FILE *f = fopen(wpath("nul.scr"), "wb");
    fwrite("udp 1 7\n\0x\n", 1, 11, f);
    fclose(f);
    eth_peer_script_t *s;
    CHECK(eth_peer_script_parse_file(wpath("nul.scr"), &s, NULL) != 0);
    CHECK(eth_peer_script_parse_file(wpath("missing.scr"), &s, NULL) != 0);
}

/* ---- slirp ---------------------------------------------------------------------------------- */
static size_t dhcp_discover(uint8_t *f, const uint8_t mac[6])
{
    memset(f, 0, 342);
    memset(f, 0xff, 6);
    memcpy(f + 6, mac, 6);
    wbe16(f + 12, 0x0800);
    uint8_t *ip = f + 14, *udp = ip + 20, *bp = udp + 8;
    size_t blen = 300;
    ip[0] = 0x45;
    wbe16(ip + 2, (uint16_t)(20 + 8 + blen));
    ip[8] = 64;
    ip[9] = 17;
    memset(ip + 16, 0xff, 4);
    wbe16(ip + 10, csum(ip, 20, 0));
    wbe16(udp, 68);
    wbe16(udp + 2, 67);
    wbe16(udp + 4, (uint16_t)(8 + blen));
    bp[0] = 1;
    bp[1] = 1;
    bp[2] = 6;
    memcpy(bp + 4, "\x12\x34\x56\x78", 4); /* xid */
    memcpy(bp + 28, mac, 6);
    memcpy(bp + 236, "\x63\x82\x53\x63", 4);
    bp[240] = 53;
    bp[241] = 1;
    bp[242] = 1; /* DHCPDISCOVER */
    bp[243] = 255;
    return 14 + 20 + 8 + blen;
}

static uint16_t free_udp_port(void)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    bind(s, (struct sockaddr *)&a, sizeof a);
    getsockname(s, (struct sockaddr *)&a, &al);
    close(s);
    return ntohs(a.sin_port);
}

static double host_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_slirp(void)
{
    sim_t *sim = dt_new(SIM_BOARD_PI1B);
    uint16_t hport = free_udp_port();
    char spec[128];
    snprintf(spec, sizeof spec, "slirp:hostfwd=udp:127.0.0.1:%u-:7", hport);
    eth_link_t *l = eth_link_open(sim, spec);
    CHECK(l != NULL);
    if (!l) return;
    fake_nic_t nic;
    nic_init(&nic, sim, l, 700);
    CHECK_EQ(eth_link_set_pcap(l, wpath("slirp.pcap")), 0);
    /* DHCP DISCOVER -> OFFER of 10.0.2.15 from 10.0.2.2 */
    uint8_t f[ETH_LINK_MAX_FRAME];
    size_t n = dhcp_discover(f, nic.mac);
    CHECK_EQ(eth_link_send(l, f, n), 0);
    sim_advance(sim, 10);
    CHECK_EQ(nic.rx_udp, 1);
    const uint8_t *ip = nic.udp_last + 14, *udp = ip + 20, *bp = udp + 8;
    CHECK_EQ(be16(udp), 67);
    CHECK_EQ(be16(udp + 2), 68);
    CHECK(memcmp(bp + 4, "\x12\x34\x56\x78", 4) == 0);
    CHECK(memcmp(bp + 16, "\x0a\x00\x02\x0f", 4) == 0);  /* yiaddr 10.0.2.15 */
    CHECK(memcmp(ip + 12, "\x0a\x00\x02\x02", 4) == 0);  /* from 10.0.2.2 */
    CHECK(bp[240] == 53 && bp[241] == 1 && bp[242] == 2); /* DHCPOFFER first */
    /* a host datagram to the forwarded port reaches the NIC as a frame (slirp may ARP for
     * 10.0.2.15 first: the NIC answers); the NIC echoes it; the host gets it back */
    int hs = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(hport), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    CHECK(sendto(hs, "Echo1", 5, 0, (struct sockaddr *)&to, sizeof to) == 5);
    unsigned before = nic.rx_udp;
    char got[64] = {0};
    ssize_t gl = -1;
    double t0 = host_now();
    while (host_now() - t0 < 5.0) { /* bounded host wait */
        eth_link_idle(l, false);
        sim_advance(sim, 7000); /* 10 µs per turn */
        struct pollfd pf = {.fd = hs, .events = POLLIN};
        if (poll(&pf, 1, 1) == 1) {
            gl = recv(hs, got, sizeof got, 0);
            break;
        }
    }
    CHECK(nic.rx_udp > before);
    CHECK_EQ(be16(nic.udp_last + 36), 7);                      /* to the guest's port 7 */
    CHECK(memcmp(nic.udp_last + 30, "\x0a\x00\x02\x0f", 4) == 0);
    CHECK(memcmp(nic.udp_last + 42, "Echo1", 5) == 0);
    CHECK_EQ(gl, 5);
    CHECK(memcmp(got, "Echo1", 5) == 0);
    close(hs);
    eth_link_stats_t s;
    eth_link_get_stats(l, &s);
    CHECK_EQ(s.bad_frames, 0);
    CHECK(s.tx_frames >= 2 && s.rx_frames >= 2);
    eth_link_close(l);
    char *out = NULL;
    CHECK_EQ(tshark(wpath("slirp.pcap"), "-T fields -e frame.protocols", &out), 0);
    CHECK(count_lines(out, "dhcp") >= 2);
    CHECK_EQ(count_lines(out, "ip:udp:echo"), 2); /* port 7: tshark decodes it as ECHO */
    free(out);
    /* pacing: an idle guest's simulated time may not run ahead of host time; idle calls
     * wait (at most 100 ms each) while it does (a lower bound only: no timing upper bound) */
    l = eth_link_open(sim, "slirp");
    eth_link_idle(l, false);                 /* anchors simulated and host time */
    sim_advance(sim, 700u * 300000u);        /* the guest "slept" 300 ms of simulated time */
    double p0 = host_now();
    for (int i = 0; i < 20; i++) eth_link_idle(l, false);
    CHECK(host_now() - p0 >= 0.28);
    eth_link_close(l);
    /* bad options, a port already taken */
    CHECK(eth_link_open(sim, "slirp:hostfwd=udp:127.0.0.1:x-:7") == NULL);
    CHECK(eth_link_open(sim, "slirp:hostfwd=sctp::5-:7") == NULL);
    CHECK(eth_link_open(sim, "slirp:foo=bar") == NULL);
    int busy = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in ba = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t bl = sizeof ba;
    bind(busy, (struct sockaddr *)&ba, sizeof ba);
    getsockname(busy, (struct sockaddr *)&ba, &bl);
    snprintf(spec, sizeof spec, "slirp:hostfwd=udp:127.0.0.1:%u-:7", ntohs(ba.sin_port));
    CHECK(eth_link_open(sim, spec) == NULL);
    close(busy);
    sim_free(sim);
}

/* ---- tap: errors only (creating a device needs CAP_NET_ADMIN; no test requires root) ------ */
static void test_tap(void)
{
    sim_t *sim = dt_new(SIM_BOARD_PI1B);
    CHECK(eth_link_open(sim, "tap") == NULL);
    CHECK(eth_link_open(sim, "tap:") == NULL);
    CHECK(eth_link_open(sim, "tap:a-name-much-too-long-for-linux") == NULL);
    sim_free(sim);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_eth GROUP WORKDIR\n");
        return 2;
    }
    snprintf(workdir, sizeof workdir, "%s", argv[2]);
    mkdir(workdir, 0777);
    const char *g = argv[1];
    if (!strcmp(g, "all")) { /* the sanitizer build runs every group in one process */
        RUN(test_null);
        RUN(test_pcap);
        RUN(test_peer);
        RUN(test_peer_faults);
        RUN(test_peer_determinism);
        RUN(test_peer_dhcp);
        RUN(test_script);
        RUN(test_slirp);
        RUN(test_tap);
    } else if (!strcmp(g, "null")) RUN(test_null);
    else if (!strcmp(g, "pcap")) RUN(test_pcap);
    else if (!strcmp(g, "peer")) {
        RUN(test_peer);
        RUN(test_peer_faults);
        RUN(test_peer_determinism);
        RUN(test_peer_dhcp);
    } else if (!strcmp(g, "script")) RUN(test_script);
    else if (!strcmp(g, "slirp")) RUN(test_slirp);
    else if (!strcmp(g, "tap")) RUN(test_tap);
    else {
        fprintf(stderr, "unknown group %s\n", g);
        return 2;
    }
    return DT_RESULT();
}
