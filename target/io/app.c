/* app automaton: see app.h. */
#include <stdarg.h>
#include "io/app.h"
#include "io/esp3.h"
#include "io/net.h"
#include "lib/printf.h"
#include "platform.h"

/* ERP1 data: RORG, payload, sender id (4), status (1). */
#define APP_ERP1_OVERHEAD 6u
#define APP_ERP1_OPT_LEN 7u
#define APP_RORG_RPS 0xF6u
#define APP_RORG_1BS 0xD5u
#define APP_RORG_4BS 0xA5u
#define APP_RORG_VLD 0xD2u
#define APP_VLD_MAX 14u

typedef struct app_line {
    char *buf;
    size_t size;
    size_t len;    /* clamped to size - 1 */
} app_line_t;

static void app_put(app_line_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void app_put(app_line_t *l, const char *fmt, ...)
{
    va_list ap;
    if (l->len + 1 >= l->size)
        return;
    va_start(ap, fmt);
    int n = LIB_PRINTF_SYM(vsnprintf)(l->buf + l->len, l->size - l->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        l->len = (l->len + (size_t)n < l->size) ? l->len + (size_t)n : l->size - 1;
}

/* Appends " key=<hex>" of at most APP_HEX_MAX bytes; returns 1 when truncated. */
static int app_put_hex(app_line_t *l, const char *key, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    char tmp[2 * APP_HEX_MAX + 1];
    size_t k = n > APP_HEX_MAX ? APP_HEX_MAX : n;
    for (size_t i = 0; i < k; i++) {
        tmp[2 * i] = hx[p[i] >> 4];
        tmp[2 * i + 1] = hx[p[i] & 0xFu];
    }
    tmp[2 * k] = '\0';
    app_put(l, " %s=%s", key, tmp);
    return n > k;
}

static const char *app_type_name(uint8_t t)
{
    switch (t) {
    case ESP3_PT_RADIO_ERP1: return "erp1";
    case ESP3_PT_RESPONSE: return "response";
    case ESP3_PT_RADIO_SUB_TEL: return "radio_sub_tel";
    case ESP3_PT_EVENT: return "event";
    case ESP3_PT_COMMON_COMMAND: return "common_command";
    case ESP3_PT_SMART_ACK_COMMAND: return "smart_ack_command";
    case ESP3_PT_REMOTE_MAN_COMMAND: return "remote_man_command";
    case ESP3_PT_RADIO_MESSAGE: return "radio_message";
    case ESP3_PT_RADIO_ERP2: return "radio_erp2";
    default: return 0;
    }
}

/* Payload length a RORG requires, or -1 when any length 1..APP_VLD_MAX is fine, or -2 for
 * an unknown RORG (then any length is shown as is). */
static int app_rorg_len(uint8_t rorg)
{
    switch (rorg) {
    case APP_RORG_RPS: return 1;
    case APP_RORG_1BS: return 1;
    case APP_RORG_4BS: return 4;
    case APP_RORG_VLD: return -1;
    default: return -2;
    }
}

static uint32_t app_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Result codes of app_format for the counters. */
enum { APP_F_ERP1 = 0, APP_F_ERP1_BAD = 1, APP_F_GENERIC = 2 };

static int app_format_kind(uint32_t seq, const vmio_buf_t *f, char *out, size_t size, int *kind)
{
    app_line_t l = {out, size, 0};
    uint8_t type = esp3_frame_type(f);
    uint16_t dlen = esp3_frame_dlen(f);
    uint8_t olen = esp3_frame_olen(f);
    const uint8_t *d = esp3_frame_data(f);
    const uint8_t *o = esp3_frame_opt(f);
    const char *name = app_type_name(type);

    if (size)
        out[0] = '\0';
    if (type == ESP3_PT_RADIO_ERP1) {
        uint8_t rorg = dlen ? d[0] : 0;
        int want = app_rorg_len(rorg);
        int plen = (int)dlen - (int)APP_ERP1_OVERHEAD;
        int ok = plen >= 1 && (want == -2 || (want == -1 && plen <= (int)APP_VLD_MAX) || plen == want);
        if (!ok) {
            app_put(&l, "eno seq=%lu type=erp1 err=bad-length rorg=%02x dlen=%u",
                    (unsigned long)seq, rorg, dlen);
            *kind = APP_F_ERP1_BAD;
            return (int)l.len;
        }
        app_put(&l, "eno seq=%lu type=erp1 rorg=%02x", (unsigned long)seq, rorg);
        app_put_hex(&l, "data", d + 1, (size_t)plen);
        app_put(&l, " id=%08lx status=%02x", (unsigned long)app_be32(d + 1 + plen), d[dlen - 1]);
        if (olen >= APP_ERP1_OPT_LEN)
            app_put(&l, " sub=%u dst=%08lx dbm=-%u sec=%u", o[0], (unsigned long)app_be32(o + 1),
                    o[5], o[6]);
        *kind = APP_F_ERP1;
        return (int)l.len;
    }
    if (name)
        app_put(&l, "eno seq=%lu type=%s dlen=%u olen=%u", (unsigned long)seq, name, dlen, olen);
    else
        app_put(&l, "eno seq=%lu type=unknown-%02x dlen=%u olen=%u", (unsigned long)seq, type,
                dlen, olen);
    int trunc = app_put_hex(&l, "data", d, dlen);
    if (olen)
        trunc |= app_put_hex(&l, "opt", o, olen);
    if (trunc)
        app_put(&l, " trunc=1");
    *kind = APP_F_GENERIC;
    return (int)l.len;
}

int app_format(uint32_t seq, const vmio_buf_t *frame, char *out, size_t size)
{
    int kind;
    if (!frame || !out || size == 0 || frame->len < ESP3_HDR_LEN ||
        frame->len != ESP3_HDR_LEN + esp3_frame_dlen(frame) + esp3_frame_olen(frame))
        return ERR_INVAL;
    return app_format_kind(seq, frame, out, size, &kind);
}

/* ---- UDP events ------------------------------------------------------------------------ */
NET_STATIC_ASSERT(APP_WAY_UDP > VMIO_MAX_PIPES, "the UDP way cannot be a pipe id");
/* Drops subscriptions whose lease has run out (bounded: APP_SUBS_MAX entries). */
static void app_expire(app_t *s, uint64_t now)
{
    for (unsigned i = 0; i < APP_SUBS_MAX; i++) {
        app_sub_t *e = &s->subs[i];
        if (e->ip && e->expires_us && now >= e->expires_us) {
            e->ip = 0;
            s->stats.subs--;
            s->stats.subs_expired++;
        }
    }
}

static app_sub_t *app_find_sub(app_t *s, uint32_t ip, uint16_t port)
{
    for (unsigned i = 0; i < APP_SUBS_MAX; i++)
        if (s->subs[i].ip == ip && s->subs[i].port == port)
            return &s->subs[i];
    return 0;
}

/* Adds or renews (ip, port). ERR_INVAL / ERR_NOSPC counted. */
static int app_subscribe(app_t *s, uint32_t ip, uint16_t port, uint32_t lease_s)
{
    if (!ip || ip == NET_IP_BCAST || !port) {
        s->stats.sub_bad++;
        return ERR_INVAL;
    }
    uint64_t now = plat_now_us();
    app_expire(s, now);
    app_sub_t *e = app_find_sub(s, ip, port);
    if (!e) {
        for (unsigned i = 0; i < APP_SUBS_MAX && !e; i++)
            if (!s->subs[i].ip)
                e = &s->subs[i];
        if (!e) {
            s->stats.sub_full++;
            return ERR_NOSPC;
        }
        e->ip = ip;
        e->port = port;
        s->stats.subs++;
    }
    e->expires_us = lease_s ? now + (uint64_t)lease_s * 1000000u : 0;
    return ERR_OK;
}

static int app_unsubscribe(app_t *s, uint32_t ip, uint16_t port)
{
    app_sub_t *e = ip ? app_find_sub(s, ip, port) : 0;
    if (!e)
        return ERR_EMPTY;
    e->ip = 0;
    e->port = 0;
    s->stats.subs--;
    return ERR_OK;
}

/* app_udp_out's "no buffer" result: positive, so that it cannot collide with an error code
 * of net_udp_send (which passes the driver's own codes through). */
#define APP_NO_BUF 1

/* One datagram of n bytes, written as "<prefix><text>", to ip:port from app's port. 0 when
 * net accepted it, APP_NO_BUF, or net's error (not counted here). */
static int app_udp_out(app_t *s, uint32_t ip, uint16_t port, const char *prefix, const char *text,
                       size_t n)
{
    size_t pl = 0;
    while (prefix[pl])
        pl++;
    vmio_buf_t *b = net_udp_alloc(pl + n);
    if (!b)
        return APP_NO_BUF;
    uint8_t *p = b->data;       /* b->len = pl + n already */
    __builtin_memcpy(p, prefix, pl);
    __builtin_memcpy(p + pl, text, n);
    net_udp_meta_t m = {.remote_ip = ip, .local_ip = 0, .remote_port = port, .local_port = s->port};
    return net_udp_send(s->net, b, &m);     /* always takes the buffer */
}

/* The report line (starting with "eno ") to every live subscriber as "eno/1 ...". */
static void app_publish(app_t *s, const char *line, size_t n)
{
    if (!s->net || !s->stats.subs || n < 4)
        return;
    app_expire(s, plat_now_us());
    for (unsigned i = 0; i < APP_SUBS_MAX; i++) {
        const app_sub_t *e = &s->subs[i];
        if (!e->ip)
            continue;
        int rc = app_udp_out(s, e->ip, e->port, "eno/1 ", line + 4, n - 4);
        if (rc == ERR_OK) {
            s->stats.udp_sent++;
            continue;
        }
        if (rc == APP_NO_BUF)
            s->stats.udp_no_buf++;
        else
            s->stats.udp_refused++;
        s->stats.udp_dropped++;
    }
}

/* Is the datagram exactly `word`, optionally followed by CR and/or LF? */
static int app_is_cmd(const vmio_buf_t *b, const char *word)
{
    size_t k = 0;
    while (word[k]) {
        if (k >= b->len || b->data[k] != (uint8_t)word[k])
            return 0;
        k++;
    }
    size_t rest = b->len - k;
    if (rest > 2)
        return 0;
    for (size_t i = k; i < b->len; i++)
        if (b->data[i] != '\r' && b->data[i] != '\n')
            return 0;
    return 1;
}

static void app_reply(app_t *s, const net_udp_meta_t *m, const char *text)
{
    size_t n = 0;
    while (text[n])
        n++;
    if (app_udp_out(s, m->remote_ip, m->remote_port, "eno/1 ", text, n))
        s->stats.udp_reply_fail++;
}

/* A datagram to app's port: "subscribe" / "unsubscribe" (see app.h). The engine frees it. */
static int app_on_udp(app_t *s, const vmio_event_t *ev)
{
    net_udp_meta_t m;
    if (!ev->buf || ev->len < sizeof m || !s->net) {
        s->stats.udp_cmd_bad++;
        return ERR_OK;
    }
    net_udp_meta_get(ev, &m);
    if (app_is_cmd(ev->buf, "subscribe")) {
        s->stats.udp_cmds++;
        int rc = app_subscribe(s, m.remote_ip, m.remote_port, APP_UDP_LEASE_S);
        if (rc == ERR_OK) {
            char t[32];
            LIB_PRINTF_SYM(snprintf)(t, sizeof t, "subscribed lease=%u", (unsigned)APP_UDP_LEASE_S);
            app_reply(s, &m, t);
        } else if (rc == ERR_NOSPC) {
            app_reply(s, &m, "err full");
        }   /* ERR_INVAL: a source that cannot be answered (port 0): counted sub_bad */
    } else if (app_is_cmd(ev->buf, "unsubscribe")) {
        s->stats.udp_cmds++;
        if (app_unsubscribe(s, m.remote_ip, m.remote_port) == ERR_OK)
            app_reply(s, &m, "unsubscribed");
        else
            app_reply(s, &m, "err not-subscribed");
    } else {
        s->stats.udp_cmd_bad++;
    }
    return ERR_OK;
}

static int app_on_frame(vmio_automaton_t *a, const vmio_event_t *ev)
{
    app_t *s = (app_t *)a;
    const vmio_buf_t *f = ev->buf;
    uint32_t cyc = plat_cycles32(); /* when the decoded event is handled (latency probe) */
    char line[APP_LINE_MAX + APP_CYC_FIELD_MAX];
    int kind;

    if (ev->dst.way == APP_WAY_UDP)
        return app_on_udp(s, ev);
    if (!f || f->len < ESP3_HDR_LEN ||
        f->len != ESP3_HDR_LEN + esp3_frame_dlen(f) + esp3_frame_olen(f)) {
        s->stats.bad_frames++;
        return ERR_INVAL;
    }
    s->stats.frames++;
    uint8_t type = esp3_frame_type(f);
    s->stats.by_type[type < 16 ? type : 0]++;
    int n = app_format_kind(++s->seq, f, line, APP_LINE_MAX, &kind);
    n += LIB_PRINTF_SYM(snprintf)(line + n, sizeof line - (size_t)n, " cyc=%lu", (unsigned long)cyc);
    if (kind == APP_F_ERP1) {
        s->stats.erp1++;
        switch (esp3_frame_data(f)[0]) {
        case APP_RORG_RPS: s->stats.rps++; break;
        case APP_RORG_1BS: s->stats.bs1++; break;
        case APP_RORG_4BS: s->stats.bs4++; break;
        case APP_RORG_VLD: s->stats.vld++; break;
        default: s->stats.other_rorg++; break;
        }
    } else if (kind == APP_F_ERP1_BAD) {
        s->stats.erp1++;
        s->stats.erp1_bad++;
    } else {
        s->stats.other_types++;
    }
    plat_output_line(line);
    s->stats.lines++;
    if ((size_t)n >= sizeof line)
        n = (int)sizeof line - 1;
    app_publish(s, line, (size_t)n);
    return ERR_OK;  /* the engine frees the frame buffer */
}

static int app_on_reset(vmio_automaton_t *a, const vmio_event_t *ev)
{
    app_t *s = (app_t *)a;
    s->seq = 0;
    return vmio_respond(a, ev, ERR_OK, 0, 0);
}

static int app_on_sub(vmio_automaton_t *a, const vmio_event_t *ev)
{
    app_t *s = (app_t *)a;
    app_sub_req_t r;
    int rc;
    if (ev->len < sizeof r) {
        s->stats.sub_bad++;
        rc = ERR_INVAL;
    } else {
        __builtin_memcpy(&r, ev->inl, sizeof r);
        rc = ev->code == APP_EV_SUBSCRIBE ? app_subscribe(s, r.ip, r.port, r.lease_s)
                                          : app_unsubscribe(s, r.ip, r.port);
    }
    return vmio_is_req(ev) ? vmio_respond(a, ev, rc, 0, 0) : ERR_OK;
}

enum { APP_EV_COUNT = APP_EV_UNSUBSCRIBE + 1 };

static const vmio_row_t app_rows[APP_S_COUNT][APP_EV_COUNT] = {
    [APP_S_RUN] = {
        [VMIO_EV_DATA] = VMIO_ROW(app_on_frame, VMIO_SAME),
        [VMIO_EV_RESET] = VMIO_ROW(app_on_reset, VMIO_SAME),
        [APP_EV_SUBSCRIBE] = VMIO_ROW(app_on_sub, VMIO_SAME),
        [APP_EV_UNSUBSCRIBE] = VMIO_ROW(app_on_sub, VMIO_SAME),
    },
};
static const vmio_state_desc_t app_states[APP_S_COUNT] = {
    [APP_S_RUN] = {"run", 0, 0},
};
static const char *const app_event_names[APP_EV_COUNT] = {
    [VMIO_EV_DATA] = "data", [VMIO_EV_RX] = "rx", [VMIO_EV_PIPE_OPEN] = "pipe_open",
    [VMIO_EV_PIPE_CLOSE] = "pipe_close", [VMIO_EV_RESET] = "reset",
    [APP_EV_SUBSCRIBE] = "subscribe", [APP_EV_UNSUBSCRIBE] = "unsubscribe",
};

const vmio_table_t app_table = {
    .name = "app",
    .nstates = APP_S_COUNT,
    .nevents = APP_EV_COUNT,
    .rows = &app_rows[0][0],
    .dflt = 0,
    .states = app_states,
    .event_names = app_event_names,
};

int app_init(app_t *self, uint8_t id)
{
    if (!self)
        return ERR_INVAL;
    *self = (app_t){0};
    return vmio_register(&self->aut, id, &app_table, APP_S_RUN);
}

int app_attach_net(app_t *self, net_t *net, uint16_t port)
{
    if (!self || !net)
        return ERR_INVAL;
    uint16_t p = port ? port : (uint16_t)APP_UDP_PORT_DEFAULT;
    int rc = net_udp_bind(net, p, vmio_addr(VMIO_NODE_LOCAL, self->aut.id, APP_WAY_UDP));
    if (rc)
        return rc;
    self->net = net;
    self->port = p;
    return ERR_OK;
}

void app_sub_event(vmio_event_t *ev, vmio_addr_t app_dst, uint16_t code, const app_sub_req_t *r)
{
    *ev = (vmio_event_t){0};
    ev->dst = app_dst;
    ev->code = (uint8_t)code;
    ev->flags = VMIO_F_REQ;
    __builtin_memcpy(ev->inl, r, sizeof *r);
    ev->len = (uint8_t)sizeof *r;
}

int app_stats_fields(const app_stats_t *s, char *out, size_t size)
{
    app_line_t l = {out, size, 0};
    if (!s || !out || !size)
        return 0;
    out[0] = '\0';
    app_put(&l, " udp_sent=%lu udp_dropped=%lu", (unsigned long)s->udp_sent,
            (unsigned long)s->udp_dropped);
    return (int)l.len;
}

int app_udp_line(const app_t *self, char *out, size_t size)
{
    app_line_t l = {out, size, 0};
    if (!self || !out || !size)
        return 0;
    const app_stats_t *s = &self->stats;
    out[0] = '\0';
    app_put(&l, "eno-udp port=%u subs=%lu sent=%lu dropped=%lu no_buf=%lu refused=%lu",
            self->net ? (unsigned)self->port : 0u, (unsigned long)s->subs,
            (unsigned long)s->udp_sent, (unsigned long)s->udp_dropped,
            (unsigned long)s->udp_no_buf, (unsigned long)s->udp_refused);
    app_put(&l, " expired=%lu sub_full=%lu sub_bad=%lu cmds=%lu cmd_bad=%lu reply_fail=%lu",
            (unsigned long)s->subs_expired, (unsigned long)s->sub_full, (unsigned long)s->sub_bad,
            (unsigned long)s->udp_cmds, (unsigned long)s->udp_cmd_bad,
            (unsigned long)s->udp_reply_fail);
    return (int)l.len;
}

/* Decimal number of 1..10 digits up to the next ' ' or the end; *s moves past it. */
static int app_take_dec(const char **s, uint32_t max, uint32_t *out)
{
    const char *p = *s;
    uint64_t v = 0;
    unsigned k = 0;
    while (*p >= '0' && *p <= '9' && k < 11) {
        v = v * 10u + (uint64_t)(*p - '0');
        p++;
        k++;
    }
    if (k == 0 || k > 10 || v > max || (*p && *p != ' '))
        return ERR_INVAL;
    *out = (uint32_t)v;
    *s = p;
    return ERR_OK;
}

int app_parse_sub(const char *s, app_sub_req_t *out)
{
    char ip[16];
    unsigned k = 0;
    if (!s || !out)
        return ERR_INVAL;
    while (s[k] && s[k] != ' ') {
        if (k + 1 >= sizeof ip)
            return ERR_INVAL;
        ip[k] = s[k];
        k++;
    }
    ip[k] = '\0';
    app_sub_req_t r = {0, 0, 0, 0};
    if (s[k] != ' ' || net_parse_ipv4(ip, &r.ip))
        return ERR_INVAL;
    const char *p = s + k + 1;
    uint32_t port, lease = 0;
    if (app_take_dec(&p, 65535u, &port) || port == 0)
        return ERR_INVAL;
    if (*p == ' ') {
        p++;
        if (app_take_dec(&p, APP_LEASE_MAX_S, &lease))
            return ERR_INVAL;
    }
    if (*p)
        return ERR_INVAL;
    r.port = (uint16_t)port;
    r.lease_s = lease;
    *out = r;
    return ERR_OK;
}

void app_get_stats(const app_t *self, app_stats_t *out)
{
    *out = self->stats;
}
