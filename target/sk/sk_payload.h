/* Serverkernel payload format, version 1 (docs/protocol.md "Payload format"): shared by the
 * loader (sk/loader.c), skpack and skctl. Plain C, fixed-width types; every multi-byte field
 * is little endian on the wire and read/written with sk_rd32/sk_wr32 (never by casting the
 * buffer), so host tools on any endianness and the firmware agree.
 *
 *   offset size  field
 *   0      4     magic "SKPL"
 *   4      2     format version (SK_PAYLOAD_FMT_VERSION)
 *   6      2     kernel ABI version the payload was built against (SK_ABI_VERSION)
 *   8      4     header size (SK_PAYLOAD_HDR_SIZE)
 *   12     4     flags (0; others refused)
 *   16     4     entry offset (inside text, 4-aligned, ARM state)
 *   20     4     text size     \
 *   24     4     rodata size    | each a multiple of 8; the image is text|rodata|data|bss
 *   28     4     data size      | from offset 0 of the load address
 *   32     4     bss size      /  (zeroed at load, not in the file)
 *   36     4     relocation count
 *   40     4     body size = text + rodata + data + 4 * relocation count
 *   44     4     reserved (0)
 *   48     32    SHA-256 of the body
 *   80     32    HMAC-SHA256(key, header with this field zeroed || body)
 *   112          body: text, rodata, data, then the relocations: 4-byte image offsets of
 *                32-bit words holding an image offset; the loader adds the load address
 *                (R_ARM_RELATIVE semantics). Words lie in text|rodata|data, 4-aligned.
 */
#ifndef SK_PAYLOAD_H
#define SK_PAYLOAD_H
#include <stdint.h>

#define SK_PAYLOAD_MAGIC 0x4C504B53u /* "SKPL" read little endian */
#define SK_PAYLOAD_FMT_VERSION 1u
#define SK_PAYLOAD_HDR_SIZE 112u
#define SK_PAYLOAD_OFF_SHA 48u
#define SK_PAYLOAD_OFF_TAG 80u
#define SK_PAYLOAD_SECT_ALIGN 8u
/* Largest payload file the tools produce and the node accepts (the arena bounds the image). */
#define SK_PAYLOAD_MAX_FILE (512u * 1024u)
#define SK_PAYLOAD_KEY_MAX 64u

typedef struct sk_payload_hdr {
    uint32_t magic;
    uint16_t fmt_version;
    uint16_t abi_version;
    uint32_t hdr_size;
    uint32_t flags;
    uint32_t entry;
    uint32_t text_size, rodata_size, data_size, bss_size;
    uint32_t reloc_count;
    uint32_t body_size;
    uint32_t reserved;
    uint8_t body_sha256[32];
    uint8_t tag[32];
} sk_payload_hdr_t;

static inline uint32_t sk_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint16_t sk_rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline void sk_wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void sk_wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* Header <-> bytes (SK_PAYLOAD_HDR_SIZE). */
void sk_payload_hdr_parse(const uint8_t *b, sk_payload_hdr_t *h);
void sk_payload_hdr_write(const sk_payload_hdr_t *h, uint8_t *b);
/* Computes body SHA-256 and tag into the header bytes b (b[0..hdr_size) then body). */
void sk_payload_seal(uint8_t *file, uint32_t len, const uint8_t *key, uint32_t key_len);

#endif
