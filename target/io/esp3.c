/* ESP3 receiver automaton: see esp3.h. */
#include "io/esp3.h"
#include "platform.h"

#define ESP3_MOD "esp3"
#define ESP3_ALL_STATES ((1u << ESP3_S_SYNC) | (1u << ESP3_S_HEADER) | (1u << ESP3_S_BODY))

/* CRC8, polynomial x^8 + x^2 + x + 1 (0x07), initial 0, MSB first, no reflection. */
static const uint8_t esp3_crc_table[256] = {
    0x00, 0x07, 0x0E, 0x09, 0x1C, 0x1B, 0x12, 0x15, 0x38, 0x3F, 0x36, 0x31,
    0x24, 0x23, 0x2A, 0x2D, 0x70, 0x77, 0x7E, 0x79, 0x6C, 0x6B, 0x62, 0x65,
    0x48, 0x4F, 0x46, 0x41, 0x54, 0x53, 0x5A, 0x5D, 0xE0, 0xE7, 0xEE, 0xE9,
    0xFC, 0xFB, 0xF2, 0xF5, 0xD8, 0xDF, 0xD6, 0xD1, 0xC4, 0xC3, 0xCA, 0xCD,
    0x90, 0x97, 0x9E, 0x99, 0x8C, 0x8B, 0x82, 0x85, 0xA8, 0xAF, 0xA6, 0xA1,
    0xB4, 0xB3, 0xBA, 0xBD, 0xC7, 0xC0, 0xC9, 0xCE, 0xDB, 0xDC, 0xD5, 0xD2,
    0xFF, 0xF8, 0xF1, 0xF6, 0xE3, 0xE4, 0xED, 0xEA, 0xB7, 0xB0, 0xB9, 0xBE,
    0xAB, 0xAC, 0xA5, 0xA2, 0x8F, 0x88, 0x81, 0x86, 0x93, 0x94, 0x9D, 0x9A,
    0x27, 0x20, 0x29, 0x2E, 0x3B, 0x3C, 0x35, 0x32, 0x1F, 0x18, 0x11, 0x16,
    0x03, 0x04, 0x0D, 0x0A, 0x57, 0x50, 0x59, 0x5E, 0x4B, 0x4C, 0x45, 0x42,
    0x6F, 0x68, 0x61, 0x66, 0x73, 0x74, 0x7D, 0x7A, 0x89, 0x8E, 0x87, 0x80,
    0x95, 0x92, 0x9B, 0x9C, 0xB1, 0xB6, 0xBF, 0xB8, 0xAD, 0xAA, 0xA3, 0xA4,
    0xF9, 0xFE, 0xF7, 0xF0, 0xE5, 0xE2, 0xEB, 0xEC, 0xC1, 0xC6, 0xCF, 0xC8,
    0xDD, 0xDA, 0xD3, 0xD4, 0x69, 0x6E, 0x67, 0x60, 0x75, 0x72, 0x7B, 0x7C,
    0x51, 0x56, 0x5F, 0x58, 0x4D, 0x4A, 0x43, 0x44, 0x19, 0x1E, 0x17, 0x10,
    0x05, 0x02, 0x0B, 0x0C, 0x21, 0x26, 0x2F, 0x28, 0x3D, 0x3A, 0x33, 0x34,
    0x4E, 0x49, 0x40, 0x47, 0x52, 0x55, 0x5C, 0x5B, 0x76, 0x71, 0x78, 0x7F,
    0x6A, 0x6D, 0x64, 0x63, 0x3E, 0x39, 0x30, 0x37, 0x22, 0x25, 0x2C, 0x2B,
    0x06, 0x01, 0x08, 0x0F, 0x1A, 0x1D, 0x14, 0x13, 0xAE, 0xA9, 0xA0, 0xA7,
    0xB2, 0xB5, 0xBC, 0xBB, 0x96, 0x91, 0x98, 0x9F, 0x8A, 0x8D, 0x84, 0x83,
    0xDE, 0xD9, 0xD0, 0xD7, 0xC2, 0xC5, 0xCC, 0xCB, 0xE6, 0xE1, 0xE8, 0xEF,
    0xFA, 0xFD, 0xF4, 0xF3,
};

uint8_t esp3_crc8(uint8_t crc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        crc = esp3_crc_table[crc ^ p[i]];
    return crc;
}

static esp3_t *esp3_of(vmio_automaton_t *a)
{
    return (esp3_t *)a;  /* aut is the first member */
}

static void esp3_drop_frame(esp3_t *s)
{
    vmio_buf_free(s->frame);
    s->frame = 0;
}

/* Bad header: restart at the first 0x55 inside the bytes already received, else hunt. */
static uint8_t esp3_rescan(esp3_t *s)
{
    for (unsigned i = 0; i <= ESP3_HDR_LEN; i++) {
        if (s->hdr[i] == ESP3_SYNC) {
            unsigned keep = ESP3_HDR_LEN - i;   /* bytes after that 0x55 */
            for (unsigned k = 0; k < keep; k++)
                s->hdr[k] = s->hdr[i + 1 + k];
            s->hlen = (uint8_t)keep;
            return ESP3_S_HEADER;
        }
    }
    s->hlen = 0;
    return ESP3_S_SYNC;
}

static uint8_t esp3_header_done(esp3_t *s)
{
    if (esp3_crc8(0, s->hdr, ESP3_HDR_LEN) != s->hdr[ESP3_HDR_LEN]) {
        s->stats.hdr_crc++;
        return esp3_rescan(s);
    }
    uint16_t dlen = (uint16_t)(s->hdr[0] << 8 | s->hdr[1]);
    uint32_t total = (uint32_t)dlen + s->hdr[2];
    if (total > s->cfg.max_len) {
        s->stats.oversize++;
        return esp3_rescan(s);
    }
    if (dlen == 0) {
        s->stats.zero_len++;
        return esp3_rescan(s);
    }
    s->total = (uint16_t)total;
    s->got = 0;
    s->crc = 0;
    s->frame = vmio_buf_alloc(ESP3_HDR_LEN + total, s->cfg.headroom);
    if (s->frame) {
        for (unsigned i = 0; i < ESP3_HDR_LEN; i++)
            s->frame->data[i] = s->hdr[i];
    } else {
        s->stats.no_buf++;
    }
    s->hlen = 0;
    return ESP3_S_BODY;
}

static void esp3_emit(esp3_t *s)
{
    vmio_buf_t *f = s->frame;
    int rc;
    s->frame = 0;
    s->stats.frames++;
    /* Ownership of f passes to the engine in both calls, success or not. */
    if (s->pipe)
        rc = vmio_pipe_send(&s->aut, s->pipe, f);
    else
        rc = vmio_send(&s->aut, s->cfg.out, VMIO_EV_DATA, 0, 0, 0, f, 1);
    if (rc)
        s->stats.emit_fail++;
}

/* Consumes n bytes starting in state st; returns the state after the last byte. Bounded:
 * every iteration consumes at least one byte. */
static uint8_t esp3_parse(esp3_t *s, uint8_t st, const uint8_t *p, size_t n)
{
    size_t i = 0;
    s->stats.bytes += (uint32_t)n;
    while (i < n) {
        switch (st) {
        case ESP3_S_SYNC:
            if (p[i++] == ESP3_SYNC) {
                s->hlen = 0;
                st = ESP3_S_HEADER;
            } else {
                s->stats.sync_skipped++;
            }
            break;
        case ESP3_S_HEADER:
            s->hdr[s->hlen++] = p[i++];
            if (s->hlen == ESP3_HDR_LEN + 1)
                st = esp3_header_done(s);
            break;
        case ESP3_S_BODY:
            if (s->got < s->total) {
                size_t k = s->total - s->got;
                if (k > n - i)
                    k = n - i;
                s->crc = esp3_crc8(s->crc, p + i, k);
                if (s->frame) {
                    uint8_t *dst = s->frame->data + ESP3_HDR_LEN + s->got;
                    for (size_t j = 0; j < k; j++)
                        dst[j] = p[i + j];
                }
                s->got = (uint16_t)(s->got + k);
                i += k;
            } else {
                uint8_t crc = p[i++];
                if (!s->frame) {
                    /* no_buf already counted: frame skipped */
                } else if (crc != s->crc) {
                    s->stats.data_crc++;
                    esp3_drop_frame(s);
                } else {
                    esp3_emit(s);
                }
                st = ESP3_S_SYNC;
            }
            break;
        default:
            PLAT_ASSERT(ESP3_MOD, 0);
        }
    }
    return st;
}

static int esp3_on_rx(vmio_automaton_t *a, const vmio_event_t *ev)
{
    esp3_t *s = esp3_of(a);
    return VMIO_GOTO(esp3_parse(s, a->state, ev->inl, ev->len));
}

static int esp3_on_data(vmio_automaton_t *a, const vmio_event_t *ev)
{
    esp3_t *s = esp3_of(a);
    if (!ev->buf)
        return VMIO_GOTO(a->state);
    /* The chunk buffer stays with the engine, which frees it after we return. */
    return VMIO_GOTO(esp3_parse(s, a->state, ev->buf->data, ev->buf->len));
}

static int esp3_on_pipe_open(vmio_automaton_t *a, const vmio_event_t *ev)
{
    if (vmio_is_rsp(ev))
        return ERR_OK;  /* answer to a pipe request esp3 made on someone's behalf */
    if (ev->src.aut != VMIO_AUT_ENGINE || vmio_is_req(ev) || ev->arg > 0xFFFFu)
        return ERR_INVAL;
    esp3_of(a)->pipe = (uint16_t)ev->arg;
    return ERR_OK;
}

static int esp3_on_pipe_close(vmio_automaton_t *a, const vmio_event_t *ev)
{
    esp3_t *s = esp3_of(a);
    if (vmio_is_rsp(ev))
        return ERR_OK;
    if (ev->src.aut != VMIO_AUT_ENGINE || vmio_is_req(ev))
        return ERR_INVAL;
    if (s->pipe == ev->arg)
        s->pipe = 0;
    return ERR_OK;
}

static int esp3_on_reset(vmio_automaton_t *a, const vmio_event_t *ev)
{
    esp3_t *s = esp3_of(a);
    esp3_drop_frame(s);
    s->hlen = 0;
    return vmio_is_req(ev) ? vmio_respond(a, ev, ERR_OK, 0, 0) : ERR_OK;
}

#define ESP3_STATE_ROWS(S)                                                                   \
    [VMIO_EV_DATA] = VMIO_ROW_CHOICE(esp3_on_data, VMIO_SAME, ESP3_ALL_STATES),               \
    [VMIO_EV_RX] = VMIO_ROW_CHOICE(esp3_on_rx, VMIO_SAME, ESP3_ALL_STATES),                   \
    [VMIO_EV_PIPE_OPEN] = VMIO_ROW(esp3_on_pipe_open, VMIO_SAME),                             \
    [VMIO_EV_PIPE_CLOSE] = VMIO_ROW(esp3_on_pipe_close, VMIO_SAME),                           \
    [VMIO_EV_RESET] = VMIO_ROW(esp3_on_reset, ESP3_S_SYNC)

enum { ESP3_EV_COUNT = VMIO_EV_RESET + 1 };

static const vmio_row_t esp3_rows[ESP3_S_COUNT][ESP3_EV_COUNT] = {
    [ESP3_S_SYNC] = {ESP3_STATE_ROWS(ESP3_S_SYNC)},
    [ESP3_S_HEADER] = {ESP3_STATE_ROWS(ESP3_S_HEADER)},
    [ESP3_S_BODY] = {ESP3_STATE_ROWS(ESP3_S_BODY)},
};

static const vmio_state_desc_t esp3_states[ESP3_S_COUNT] = {
    [ESP3_S_SYNC] = {"sync", 0, 0},
    [ESP3_S_HEADER] = {"header", 0, 0},
    [ESP3_S_BODY] = {"body", 0, 0},
};

static const char *const esp3_event_names[ESP3_EV_COUNT] = {
    [VMIO_EV_DATA] = "data", [VMIO_EV_RX] = "rx", [VMIO_EV_PIPE_OPEN] = "pipe_open",
    [VMIO_EV_PIPE_CLOSE] = "pipe_close", [VMIO_EV_RESET] = "reset",
};

const vmio_table_t esp3_table = {
    .name = "esp3",
    .nstates = ESP3_S_COUNT,
    .nevents = ESP3_EV_COUNT,
    .rows = &esp3_rows[0][0],
    .dflt = 0,
    .states = esp3_states,
    .event_names = esp3_event_names,
};

int esp3_init(esp3_t *self, uint8_t id, const esp3_config_t *cfg)
{
    if (!self || !cfg)
        return ERR_INVAL;
    *self = (esp3_t){0};
    self->cfg = *cfg;
    if (!self->cfg.max_len)
        self->cfg.max_len = ESP3_MAX_LEN_DEFAULT;
    if ((size_t)self->cfg.max_len + ESP3_HDR_LEN + self->cfg.headroom > VMIO_POOL_LARGE_SIZE)
        return ERR_RANGE;
    return vmio_register(&self->aut, id, &esp3_table, ESP3_S_SYNC);
}

void esp3_get_stats(const esp3_t *self, esp3_stats_t *out)
{
    *out = self->stats;
}
