/* Payload loader, see loader.h and docs/protocol.md "Payload format". */
#include "sk/loader.h"
#include "sk/sk_abi.h"
#include "lib/hmac.h"
#include "lib/kstring.h"
#include "lib/sha256.h"

static sk_loader_stats_t sk_loader_stats;

void sk_payload_hdr_parse(const uint8_t *b, sk_payload_hdr_t *h)
{
    h->magic = sk_rd32(b);
    h->fmt_version = sk_rd16(b + 4);
    h->abi_version = sk_rd16(b + 6);
    h->hdr_size = sk_rd32(b + 8);
    h->flags = sk_rd32(b + 12);
    h->entry = sk_rd32(b + 16);
    h->text_size = sk_rd32(b + 20);
    h->rodata_size = sk_rd32(b + 24);
    h->data_size = sk_rd32(b + 28);
    h->bss_size = sk_rd32(b + 32);
    h->reloc_count = sk_rd32(b + 36);
    h->body_size = sk_rd32(b + 40);
    h->reserved = sk_rd32(b + 44);
    memcpy(h->body_sha256, b + SK_PAYLOAD_OFF_SHA, 32);
    memcpy(h->tag, b + SK_PAYLOAD_OFF_TAG, 32);
}

void sk_payload_hdr_write(const sk_payload_hdr_t *h, uint8_t *b)
{
    sk_wr32(b, h->magic);
    sk_wr16(b + 4, h->fmt_version);
    sk_wr16(b + 6, h->abi_version);
    sk_wr32(b + 8, h->hdr_size);
    sk_wr32(b + 12, h->flags);
    sk_wr32(b + 16, h->entry);
    sk_wr32(b + 20, h->text_size);
    sk_wr32(b + 24, h->rodata_size);
    sk_wr32(b + 28, h->data_size);
    sk_wr32(b + 32, h->bss_size);
    sk_wr32(b + 36, h->reloc_count);
    sk_wr32(b + 40, h->body_size);
    sk_wr32(b + 44, h->reserved);
    memcpy(b + SK_PAYLOAD_OFF_SHA, h->body_sha256, 32);
    memcpy(b + SK_PAYLOAD_OFF_TAG, h->tag, 32);
}

/* Tag = HMAC(key, header[0..80) || 32 zero bytes || body). */
static void sk_payload_tag(const uint8_t *file, uint32_t len, const uint8_t *key, uint32_t key_len,
                           uint8_t tag[32])
{
    static const uint8_t zero[32];
    hmac_sha256_ctx_t c;
    hmac_sha256_init(&c, key, key_len);
    hmac_sha256_update(&c, file, SK_PAYLOAD_OFF_TAG);
    hmac_sha256_update(&c, zero, sizeof zero);
    hmac_sha256_update(&c, file + SK_PAYLOAD_HDR_SIZE, len - SK_PAYLOAD_HDR_SIZE);
    hmac_sha256_final(&c, tag);
}

void sk_payload_seal(uint8_t *file, uint32_t len, const uint8_t *key, uint32_t key_len)
{
    sha256(file + SK_PAYLOAD_HDR_SIZE, len - SK_PAYLOAD_HDR_SIZE, file + SK_PAYLOAD_OFF_SHA);
    sk_payload_tag(file, len, key, key_len, file + SK_PAYLOAD_OFF_TAG);
}

/* Layout checks in 64-bit arithmetic: no field can wrap a sum. */
static int sk_loader_check_layout(const sk_payload_hdr_t *h, uint32_t len, uint32_t arena_size)
{
    if (h->magic != SK_PAYLOAD_MAGIC)
        return SK_LOAD_MAGIC;
    if (h->fmt_version != SK_PAYLOAD_FMT_VERSION || h->hdr_size != SK_PAYLOAD_HDR_SIZE)
        return SK_LOAD_VERSION;
    if (h->abi_version != SK_ABI_VERSION)
        return SK_LOAD_ABI;
    if (h->flags || h->reserved)
        return SK_LOAD_LAYOUT;
    const uint32_t a = SK_PAYLOAD_SECT_ALIGN;
    if (h->text_size % a || h->rodata_size % a || h->data_size % a || h->bss_size % a)
        return SK_LOAD_LAYOUT;
    uint64_t loaded = (uint64_t)h->text_size + h->rodata_size + h->data_size;
    uint64_t body = loaded + 4ull * h->reloc_count;
    if (body != h->body_size)
        return SK_LOAD_LAYOUT;
    if ((uint64_t)len < SK_PAYLOAD_HDR_SIZE + body)
        return SK_LOAD_SHORT;
    if ((uint64_t)len > SK_PAYLOAD_HDR_SIZE + body)
        return SK_LOAD_LAYOUT; /* trailing bytes: not what was signed as one unit */
    if (loaded + h->bss_size > arena_size)
        return SK_LOAD_TOO_BIG;
    if (h->text_size == 0 || h->entry % 4 || h->entry >= h->text_size)
        return SK_LOAD_ENTRY;
    return SK_LOAD_OK;
}

/* Each relocation: a 4-aligned word inside text|rodata|data whose value (an image offset)
 * lies inside the image (one past the end allowed: end-of-array pointers). */
static int sk_loader_check_relocs(const sk_payload_hdr_t *h, const uint8_t *body)
{
    uint32_t loaded = h->text_size + h->rodata_size + h->data_size;
    uint32_t image = loaded + h->bss_size;
    const uint8_t *rel = body + loaded;
    for (uint32_t i = 0; i < h->reloc_count; i++) {
        uint32_t off = sk_rd32(rel + 4u * i);
        if (off % 4 || off > loaded - 4u || loaded < 4u)
            return SK_LOAD_RELOC;
        if (sk_rd32(body + off) > image)
            return SK_LOAD_RELOC;
    }
    return SK_LOAD_OK;
}

int sk_loader_verify(const uint8_t *file, uint32_t len, const uint8_t *key, uint32_t key_len,
                     uint32_t arena_size, int require_auth, sk_payload_hdr_t *hdr_out)
{
    sk_payload_hdr_t h;
    uint8_t d[32];
    sk_loader_stats.checked++;
    if (!file || len < SK_PAYLOAD_HDR_SIZE) {
        sk_loader_stats.rejected_format++;
        return SK_LOAD_SHORT;
    }
    sk_payload_hdr_parse(file, &h);
    int rc = sk_loader_check_layout(&h, len, arena_size);
    if (rc) {
        sk_loader_stats.rejected_format++;
        return rc;
    }
    const uint8_t *body = file + SK_PAYLOAD_HDR_SIZE;
    sha256(body, h.body_size, d);
    if (hmac_ct_compare(d, h.body_sha256, sizeof d)) {
        sk_loader_stats.rejected_hash++;
        return SK_LOAD_HASH;
    }
    if (require_auth) {
        sk_payload_tag(file, len, key, key_len, d);
        if (hmac_ct_compare(d, h.tag, sizeof d)) {
            sk_loader_stats.rejected_auth++;
            return SK_LOAD_AUTH;
        }
    }
    rc = sk_loader_check_relocs(&h, body);
    if (rc) {
        sk_loader_stats.rejected_reloc++;
        return rc;
    }
    if (hdr_out)
        *hdr_out = h;
    return SK_LOAD_OK;
}

int sk_loader_load(const uint8_t *file, uint32_t len, const uint8_t *key, uint32_t key_len,
                   uint8_t *arena, uint32_t arena_size, uint32_t load_addr,
                   sk_loader_sync_fn sync, sk_loaded_t *out)
{
    sk_payload_hdr_t h;
    int rc = sk_loader_verify(file, len, key, key_len, arena_size, 1, &h);
    if (rc)
        return rc;
    /* The file must not overlap the arena it is copied into (the executive stages uploads
     * elsewhere); checked on addresses as integers. */
    uintptr_t f0 = (uintptr_t)file, f1 = f0 + len, a0 = (uintptr_t)arena, a1 = a0 + arena_size;
    if (f0 < a1 && a0 < f1)
        return SK_LOAD_LAYOUT;
    const uint8_t *body = file + SK_PAYLOAD_HDR_SIZE;
    uint32_t loaded = h.text_size + h.rodata_size + h.data_size;
    memcpy(arena, body, loaded);
    memset(arena + loaded, 0, h.bss_size);
    const uint8_t *rel = body + loaded;
    for (uint32_t i = 0; i < h.reloc_count; i++) {
        uint32_t off = sk_rd32(rel + 4u * i); /* bounds checked by verify */
        sk_wr32(arena + off, sk_rd32(arena + off) + load_addr);
    }
    if (sync)
        sync((uintptr_t)arena, loaded + h.bss_size);
    sk_loader_stats.loaded++;
    out->load_addr = load_addr;
    out->entry = load_addr + h.entry;
    out->image_size = loaded + h.bss_size;
    return SK_LOAD_OK;
}

const char *sk_load_err_str(int e)
{
    switch (e) {
    case SK_LOAD_OK: return "ok";
    case SK_LOAD_SHORT: return "payload-short";
    case SK_LOAD_MAGIC: return "payload-bad-magic";
    case SK_LOAD_VERSION: return "payload-bad-format-version";
    case SK_LOAD_ABI: return "payload-bad-abi-version";
    case SK_LOAD_LAYOUT: return "payload-bad-layout";
    case SK_LOAD_TOO_BIG: return "payload-too-big";
    case SK_LOAD_ENTRY: return "payload-bad-entry";
    case SK_LOAD_HASH: return "payload-bad-hash";
    case SK_LOAD_AUTH: return "payload-bad-tag";
    case SK_LOAD_RELOC: return "payload-bad-relocation";
    default: return "unknown";
    }
}

void sk_loader_get_stats(sk_loader_stats_t *out)
{
    *out = sk_loader_stats;
}

void sk_loader_reset_stats(void)
{
    memset(&sk_loader_stats, 0, sizeof sk_loader_stats);
}
