/* Serverkernel protocol messages, version 1 (docs/protocol.md): encoder and decoder shared
 * by the node (sk/node.c) and the client (tools/skctl). Portable C; the decoder accepts any
 * byte string (truncated, garbage, oversized) and answers with an error, never reads out of
 * bounds. A transport (serial frames now, UDP datagrams later) carries one message per frame
 * or datagram, unchanged.
 *
 * Every message: u8 version (SK_PROTO_VERSION), u8 type, u16 tid (request id; a reply
 * echoes its request's tid; adverts sent unasked use tid 0), then the type's body. All
 * integers little endian. */
#ifndef SK_PROTO_H
#define SK_PROTO_H
#include <stddef.h>
#include <stdint.h>

#define SK_PROTO_VERSION 1u
#define SK_PROTO_HDR 4u
#define SK_PROTO_NONCE_LEN 16u
#define SK_PROTO_CHALLENGE_LEN 32u
#define SK_PROTO_BOARD_LEN 8u
#define SK_PROTO_FWVER_LEN 16u
#define SK_PROTO_CHUNK_MAX 1024u   /* data bytes per UPLOAD_CHUNK */
#define SK_PROTO_CHUNK_MIN 64u
#define SK_PROTO_ARG_MAX 1024u     /* EXEC argument block */
#define SK_PROTO_OUT_MAX 1024u     /* RESULT output bytes */
#define SK_PROTO_MSG_MAX (SK_PROTO_HDR + 32u + SK_PROTO_CHUNK_MAX) /* largest encoded message */

typedef enum sk_msg_type {
    SK_MSG_DISCOVER = 0x01,     /* client -> node (or broadcast): who is there? */
    SK_MSG_ADVERT = 0x02,       /* node: periodic while idle, and the answer to DISCOVER */
    SK_MSG_INFO_REQ = 0x03,
    SK_MSG_INFO = 0x04,
    SK_MSG_ATTEST_REQ = 0x05,   /* challenge */
    SK_MSG_ATTEST = 0x06,
    SK_MSG_UPLOAD_BEGIN = 0x10, /* total length, chunk size */
    SK_MSG_UPLOAD_CHUNK = 0x11, /* seq, data */
    SK_MSG_ACK = 0x12,          /* answer to BEGIN and CHUNK */
    SK_MSG_EXEC = 0x13,         /* run the uploaded payload with an argument block */
    SK_MSG_RESULT = 0x14,
    SK_MSG_ERROR = 0x7F,        /* a request refused: code + the request type */
} sk_msg_type_t;

/* Error codes on the wire (i16, negative). Payload verification uses the loader's codes
 * (sk/loader.h, -40..-49). */
enum sk_proto_err {
    SK_E_OK = 0,
    SK_E_MALFORMED = -60,   /* length/field invalid for its type, or bad protocol version */
    SK_E_UNKNOWN = -61,     /* unknown message type */
    SK_E_STATE = -62,       /* not possible in the node's state (chunk without BEGIN...) */
    SK_E_TOO_BIG = -63,     /* total length above the node's limit */
    SK_E_SEQ = -64,         /* chunk index out of range or wrong chunk length */
    SK_E_INCOMPLETE = -65,  /* EXEC before every chunk arrived */
    SK_E_TIMEOUT = -66,     /* upload abandoned after the receive time limit */
    SK_E_NOSPC = -67,       /* encode: buffer too small */
    SK_E_RUN = -68,         /* the sandbox refused the run request */
};

/* Advertisement flags */
#define SK_ADV_AUTH_REQUIRED 0x01u
#define SK_ADV_TRUSTED_MODE 0x02u   /* trusted (unshielded) runs are offered */
#define SK_ADV_SHIELDED 0x04u       /* default runs are shielded (user mode + MMU) */

/* EXEC flags */
#define SK_EXEC_TRUSTED 0x01u

typedef struct sk_advert {
    uint32_t node_id;
    char board[SK_PROTO_BOARD_LEN + 1];  /* NUL-terminated on decode */
    uint32_t cpu_hz;
    uint32_t free_mem;       /* bytes of payload arena */
    uint16_t fmt_version;    /* payload format accepted */
    uint16_t abi_version;
    uint32_t budget_us;      /* CPU time offered per run (maximum) */
    uint32_t max_payload;    /* largest payload file accepted */
    uint8_t flags;           /* SK_ADV_* */
    uint8_t state;           /* sk_node_state_t */
    uint8_t nonce[SK_PROTO_NONCE_LEN];
} sk_advert_t;

typedef struct sk_info {
    sk_advert_t adv;
    uint32_t uptime_ms;
    uint32_t runs, run_faults, frames_bad, uploads_aborted, loads_rejected;
    char fw_version[SK_PROTO_FWVER_LEN + 1];
} sk_info_t;

typedef struct sk_attest {
    uint32_t image_len;              /* bytes of firmware image measured */
    uint8_t fw_sha256[32];
    uint8_t mac[32];                 /* HMAC-SHA256(device key, challenge || fw_sha256) */
} sk_attest_t;

typedef struct sk_msg {
    uint8_t type;
    uint16_t tid;
    union {
        sk_advert_t adv;
        sk_info_t info;
        uint8_t challenge[SK_PROTO_CHALLENGE_LEN];
        sk_attest_t attest;
        struct { uint32_t total_len; uint16_t chunk_size; } begin;
        struct { uint16_t seq; uint16_t len; const uint8_t *data; } chunk;
        struct { int16_t status; uint16_t seq; uint16_t chunks_done; uint16_t first_missing; } ack;
        struct {
            uint8_t flags;
            uint32_t budget_us;
            uint16_t out_cap;
            uint16_t arg_len;
            const uint8_t *arg;
        } exec;
        struct {
            int16_t status;        /* SK_E_OK, a loader code or another SK_E_* */
            uint8_t run_status;    /* sk_run_status_t when status == 0 */
            uint8_t out_truncated;
            int32_t retval;
            uint64_t cycles;
            uint32_t us, fault_addr, fault_pc;
            uint16_t out_len;
            const uint8_t *out;
        } result;
        struct { int16_t code; uint8_t req_type; } error;
    } u;
} sk_msg_t;

/* Returns the encoded length, or SK_E_NOSPC / SK_E_MALFORMED (field out of range). */
int sk_proto_encode(const sk_msg_t *m, uint8_t *buf, size_t cap);
/* Returns SK_E_OK, SK_E_MALFORMED or SK_E_UNKNOWN. Pointers in m point into buf. */
int sk_proto_decode(const uint8_t *buf, size_t len, sk_msg_t *m);
const char *sk_proto_err_str(int code);  /* also knows the loader's codes */
const char *sk_msg_type_str(uint8_t type);

#endif
