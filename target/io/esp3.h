/* ESP3 (EnOcean Serial Protocol 3) receiver as a VMIO automaton. Portable C.
 *
 * Wire format: 0x55 | data length u16 BE | optional length u8 | packet type u8 | CRC8(header
 * 4 bytes) | data | optional data | CRC8(data + optional). CRC8: polynomial 0x07, initial 0.
 *
 * Input events (byte chunks, any split):
 *   VMIO_EV_RX    inline bytes deposited by the UART RX interrupt handler
 *                 (vmio_deposit_bytes(level, esp3 address, VMIO_EV_RX, bytes, n));
 *   VMIO_EV_DATA  bytes in a vmio_buf_t (pipes, tests); the buffer is freed after parsing.
 *   VMIO_EV_PIPE_OPEN / _CLOSE indications from the engine: ESP3 as the head of a pipe
 *                 sends its frames down that pipe instead of to cfg->out.
 *   VMIO_EV_RESET request: drop any partial frame, back to hunting for 0x55, answer OK.
 *
 * Output: for every frame with both CRCs good, one pool buffer holding the 4 header bytes
 * followed by data and optional data (sync and CRCs stripped), written in place as bytes
 * arrive: one copy from the receive chunk, none afterwards. It leaves as VMIO_EV_DATA to
 * cfg->out, or through vmio_pipe_send() when ESP3 heads a pipe; ownership passes with it.
 * Read it with the esp3_frame_* accessors.
 *
 * VMIO states (where the parser stands between two chunks): SYNC (hunting 0x55), HEADER
 * (collecting 4 header bytes + CRC), BODY (collecting data + optional + CRC).
 *
 * Errors, each counted (esp3_stats_t):
 *   sync_skipped  bytes discarded while hunting for 0x55
 *   hdr_crc       header CRC mismatch -> resync: the next 0x55 is searched inside the 5
 *                 header bytes already received first (it may be a real sync byte), then
 *                 in the following input
 *   oversize      data + optional > cfg->max_len (header CRC good) -> same resync
 *   zero_len      data length 0 (invalid in ESP3) -> same resync
 *   data_crc      data CRC mismatch -> frame dropped, hunt for 0x55 after it
 *   no_buf        pool exhausted at header time -> body skipped, frame dropped
 *   emit_fail     the frame could not be queued (engine counters tell why) */
#ifndef IO_ESP3_H
#define IO_ESP3_H
#include <stdint.h>
#include "vmio/vmio.h"

#define ESP3_SYNC 0x55u
#define ESP3_HDR_LEN 4u
#define ESP3_MAX_LEN_DEFAULT 512u   /* data + optional */

/* Packet types (ESP3 specification 1.8). */
enum esp3_ptype {
    ESP3_PT_RADIO_ERP1 = 0x01,
    ESP3_PT_RESPONSE = 0x02,
    ESP3_PT_RADIO_SUB_TEL = 0x03,
    ESP3_PT_EVENT = 0x04,
    ESP3_PT_COMMON_COMMAND = 0x05,
    ESP3_PT_SMART_ACK_COMMAND = 0x06,
    ESP3_PT_REMOTE_MAN_COMMAND = 0x07,
    ESP3_PT_RADIO_MESSAGE = 0x09,
    ESP3_PT_RADIO_ERP2 = 0x0A,
};

enum esp3_state { ESP3_S_SYNC, ESP3_S_HEADER, ESP3_S_BODY, ESP3_S_COUNT };

typedef struct esp3_config {
    vmio_addr_t out;        /* destination of frames when not heading a pipe */
    uint16_t max_len;       /* data + optional limit; 0 = ESP3_MAX_LEN_DEFAULT */
    uint16_t headroom;      /* reserved in front of each frame buffer */
} esp3_config_t;

typedef struct esp3_stats {
    uint32_t bytes;
    uint32_t frames;
    uint32_t sync_skipped;
    uint32_t hdr_crc;
    uint32_t data_crc;
    uint32_t oversize;
    uint32_t zero_len;
    uint32_t no_buf;
    uint32_t emit_fail;
} esp3_stats_t;

typedef struct esp3 {
    vmio_automaton_t aut;   /* first member: the handlers cast back */
    esp3_config_t cfg;
    uint16_t pipe;          /* 0: frames go to cfg.out */
    uint8_t hdr[ESP3_HDR_LEN + 1];
    uint8_t hlen;
    uint16_t total;         /* data + optional of the frame in BODY */
    uint16_t got;           /* body bytes received */
    uint8_t crc;            /* running data CRC */
    vmio_buf_t *frame;      /* NULL in BODY: skipping (no buffer) */
    esp3_stats_t stats;
} esp3_t;

uint8_t esp3_crc8(uint8_t crc, const uint8_t *p, size_t n);
/* Registers the automaton under `id`. */
int esp3_init(esp3_t *self, uint8_t id, const esp3_config_t *cfg);
void esp3_get_stats(const esp3_t *self, esp3_stats_t *out);
extern const vmio_table_t esp3_table;

/* Frame buffer accessors (buffer produced by esp3, data points at the header). */
static inline uint8_t esp3_frame_type(const vmio_buf_t *b) { return b->data[3]; }
static inline uint16_t esp3_frame_dlen(const vmio_buf_t *b) { return (uint16_t)(b->data[0] << 8 | b->data[1]); }
static inline uint8_t esp3_frame_olen(const vmio_buf_t *b) { return b->data[2]; }
static inline const uint8_t *esp3_frame_data(const vmio_buf_t *b) { return b->data + ESP3_HDR_LEN; }
static inline const uint8_t *esp3_frame_opt(const vmio_buf_t *b) { return b->data + ESP3_HDR_LEN + esp3_frame_dlen(b); }

#endif
