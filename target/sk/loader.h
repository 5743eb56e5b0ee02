/* Payload loader (portable, host-tested against a malloc'ed arena): checks a received
 * payload file completely (header, lengths, overlaps, SHA-256 of the body, HMAC-SHA256 tag
 * with the device key, constant-time compare) BEFORE anything of it is copied to the
 * executable arena; then copies text/rodata/data, zeroes bss, applies relocations with
 * bounds checks and makes the code visible to instruction fetch through a platform hook. */
#ifndef SK_LOADER_H
#define SK_LOADER_H
#include <stddef.h>
#include <stdint.h>
#include "sk/sk_payload.h"

/* Loader errors (negative, stable codes; also sent to the client, docs/protocol.md). */
typedef enum sk_load_err {
    SK_LOAD_OK = 0,
    SK_LOAD_SHORT = -40,        /* file shorter than the header or than header + body */
    SK_LOAD_MAGIC = -41,
    SK_LOAD_VERSION = -42,      /* format version or header size unknown */
    SK_LOAD_ABI = -43,          /* ABI version not served by this kernel */
    SK_LOAD_LAYOUT = -44,       /* sizes unaligned/overflowing, flags/reserved set, trailing bytes */
    SK_LOAD_TOO_BIG = -45,      /* image larger than the arena */
    SK_LOAD_ENTRY = -46,        /* entry outside text or unaligned */
    SK_LOAD_HASH = -47,         /* body SHA-256 mismatch (corrupted) */
    SK_LOAD_AUTH = -48,         /* HMAC tag mismatch (not signed with the device key) */
    SK_LOAD_RELOC = -49,        /* relocation offset or target out of bounds */
} sk_load_err_t;

typedef struct sk_loader_stats {
    uint32_t checked, loaded;
    uint32_t rejected_format, rejected_hash, rejected_auth, rejected_reloc;
} sk_loader_stats_t;

typedef struct sk_loaded {
    uint32_t entry;      /* absolute (load address + entry offset) */
    uint32_t image_size; /* text + rodata + data + bss */
    uint32_t load_addr;
} sk_loaded_t;

/* The platform hook run after the image is written: firmware cleans the D-cache range,
 * invalidates the I-cache and the branch predictor (hal/cache.h); host tests count calls. */
typedef void (*sk_loader_sync_fn)(uintptr_t start, size_t len);

/* Verification only (nothing written): 0 or an sk_load_err_t. require_auth=0 skips the
 * tag (never used by the executive; for tools). */
int sk_loader_verify(const uint8_t *file, uint32_t len, const uint8_t *key, uint32_t key_len,
                     uint32_t arena_size, int require_auth, sk_payload_hdr_t *hdr_out);
/* Verify, then load into arena (host pointer) whose address as seen by the payload is
 * load_addr (= arena on the firmware). */
int sk_loader_load(const uint8_t *file, uint32_t len, const uint8_t *key, uint32_t key_len,
                   uint8_t *arena, uint32_t arena_size, uint32_t load_addr,
                   sk_loader_sync_fn sync, sk_loaded_t *out);
const char *sk_load_err_str(int e);
void sk_loader_get_stats(sk_loader_stats_t *out);
void sk_loader_reset_stats(void);

#endif
