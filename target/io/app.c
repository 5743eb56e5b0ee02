/* app automaton: see app.h. */
#include <stdarg.h>
#include "io/app.h"
#include "io/esp3.h"
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

static int app_on_frame(vmio_automaton_t *a, const vmio_event_t *ev)
{
    app_t *s = (app_t *)a;
    const vmio_buf_t *f = ev->buf;
    uint32_t cyc = plat_cycles32(); /* when the decoded event is handled (latency probe) */
    char line[APP_LINE_MAX + APP_CYC_FIELD_MAX];
    int kind;

    if (!f || f->len < ESP3_HDR_LEN ||
        f->len != ESP3_HDR_LEN + esp3_frame_dlen(f) + esp3_frame_olen(f)) {
        s->stats.bad_frames++;
        return ERR_INVAL;
    }
    s->stats.frames++;
    uint8_t type = esp3_frame_type(f);
    s->stats.by_type[type < 16 ? type : 0]++;
    int n = app_format_kind(++s->seq, f, line, APP_LINE_MAX, &kind);
    LIB_PRINTF_SYM(snprintf)(line + n, sizeof line - (size_t)n, " cyc=%lu", (unsigned long)cyc);
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
    return ERR_OK;  /* the engine frees the frame buffer */
}

static int app_on_reset(vmio_automaton_t *a, const vmio_event_t *ev)
{
    app_t *s = (app_t *)a;
    s->seq = 0;
    return vmio_respond(a, ev, ERR_OK, 0, 0);
}

enum { APP_EV_COUNT = VMIO_EV_RESET + 1 };

static const vmio_row_t app_rows[APP_S_COUNT][APP_EV_COUNT] = {
    [APP_S_RUN] = {
        [VMIO_EV_DATA] = VMIO_ROW(app_on_frame, VMIO_SAME),
        [VMIO_EV_RESET] = VMIO_ROW(app_on_reset, VMIO_SAME),
    },
};
static const vmio_state_desc_t app_states[APP_S_COUNT] = {
    [APP_S_RUN] = {"run", 0, 0},
};
static const char *const app_event_names[APP_EV_COUNT] = {
    [VMIO_EV_DATA] = "data", [VMIO_EV_RX] = "rx", [VMIO_EV_PIPE_OPEN] = "pipe_open",
    [VMIO_EV_PIPE_CLOSE] = "pipe_close", [VMIO_EV_RESET] = "reset",
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

void app_get_stats(const app_t *self, app_stats_t *out)
{
    *out = self->stats;
}
