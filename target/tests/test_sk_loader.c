/* sk_loader_*: the loader against a malloc'ed arena: a good payload loads (bytes, bss zeroed,
 * relocations applied, sync hook called once over the image); every tampering is refused
 * with its own code before a single byte reaches the arena. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sk/loader.h"
#include "sk/sk_abi.h"

static const uint8_t key[] = "device-key-for-tests-0123456789";
#define KEYLEN (sizeof key - 1)
#define ARENA 4096u
#define LOADADDR 0x00400000u

static unsigned sync_calls;
static uintptr_t sync_start;
static size_t sync_len;
static void sync_hook(uintptr_t s, size_t n)
{
    sync_calls++;
    sync_start = s;
    sync_len = n;
}

/* text 16 bytes (entry at 8), rodata 8, data 8 holding a pointer to rodata (relocated),
 * bss 16, one relocation at offset 24. */
static uint32_t build(uint8_t *f, uint32_t cap)
{
    sk_payload_hdr_t h = {0};
    assert_true(cap >= SK_PAYLOAD_HDR_SIZE + 36);
    h.magic = SK_PAYLOAD_MAGIC;
    h.fmt_version = SK_PAYLOAD_FMT_VERSION;
    h.abi_version = SK_ABI_VERSION;
    h.hdr_size = SK_PAYLOAD_HDR_SIZE;
    h.entry = 8;
    h.text_size = 16;
    h.rodata_size = 8;
    h.data_size = 8;
    h.bss_size = 16;
    h.reloc_count = 1;
    h.body_size = 16 + 8 + 8 + 4;
    sk_payload_hdr_write(&h, f);
    uint8_t *b = f + SK_PAYLOAD_HDR_SIZE;
    for (int i = 0; i < 16; i++)
        b[i] = (uint8_t)(0xA0 + i);
    memcpy(b + 16, "rodata!", 8);
    sk_wr32(b + 24, 16); /* &rodata */
    sk_wr32(b + 28, 0x12345678);
    sk_wr32(b + 32, 24); /* relocation: the word at image offset 24 */
    uint32_t len = SK_PAYLOAD_HDR_SIZE + h.body_size;
    sk_payload_seal(f, len, key, KEYLEN);
    return len;
}

static uint8_t *arena;
static int setup(void **state)
{
    (void)state;
    arena = malloc(ARENA);
    memset(arena, 0xEE, ARENA);
    sync_calls = 0;
    sk_loader_reset_stats();
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    free(arena);
    return 0;
}

static void arena_untouched(void)
{
    for (unsigned i = 0; i < ARENA; i++)
        assert_int_equal(arena[i], 0xEE);
    assert_int_equal(sync_calls, 0);
}

static int load(const uint8_t *f, uint32_t len, sk_loaded_t *o)
{
    return sk_loader_load(f, len, key, KEYLEN, arena, ARENA, LOADADDR, sync_hook, o);
}

static void test_good_payload_loads(void **state)
{
    (void)state;
    uint8_t f[256];
    uint32_t len = build(f, sizeof f);
    sk_loaded_t o;
    assert_int_equal(load(f, len, &o), SK_LOAD_OK);
    assert_int_equal(o.entry, LOADADDR + 8);
    assert_int_equal(o.image_size, 48);
    assert_memory_equal(arena, f + SK_PAYLOAD_HDR_SIZE, 24);
    assert_int_equal(sk_rd32(arena + 24), LOADADDR + 16); /* relocated */
    assert_int_equal(sk_rd32(arena + 28), 0x12345678);    /* untouched */
    for (int i = 32; i < 48; i++)
        assert_int_equal(arena[i], 0);                    /* bss zeroed */
    assert_int_equal(arena[48], 0xEE);                    /* nothing beyond the image */
    assert_int_equal(sync_calls, 1);
    assert_int_equal(sync_start, (uintptr_t)arena);
    assert_int_equal(sync_len, 48);
    sk_loader_stats_t st;
    sk_loader_get_stats(&st);
    assert_int_equal(st.loaded, 1);
}

static void test_short_body_and_header(void **state)
{
    (void)state;
    uint8_t f[256];
    uint32_t len = build(f, sizeof f);
    sk_loaded_t o;
    for (uint32_t l = 0; l < len; l++)
        assert_int_equal(load(f, l, &o), SK_LOAD_SHORT);
    assert_int_equal(load(NULL, 0, &o), SK_LOAD_SHORT);
    assert_int_equal(load(f, len + 1, &o), SK_LOAD_LAYOUT); /* trailing byte */
    arena_untouched();
}

static void test_corrupt_header_fields(void **state)
{
    (void)state;
    uint8_t f[256];
    sk_loaded_t o;
    struct { unsigned off; uint32_t val; int want; } cases[] = {
        {0, 0x4C504B54, SK_LOAD_MAGIC},
        {4, 2 | (SK_ABI_VERSION << 16), SK_LOAD_VERSION},
        {4, 1 | (7u << 16), SK_LOAD_ABI},
        {8, 128, SK_LOAD_VERSION},
        {12, 1, SK_LOAD_LAYOUT},           /* unknown flag */
        {44, 1, SK_LOAD_LAYOUT},           /* reserved */
        {16, 16, SK_LOAD_ENTRY},           /* entry past text */
        {16, 6, SK_LOAD_ENTRY},            /* unaligned entry */
        {20, 12, SK_LOAD_LAYOUT},          /* size not a multiple of 8 */
        {36, 2, SK_LOAD_LAYOUT},           /* reloc count disagrees with body size */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t len = build(f, sizeof f);
        sk_wr32(f + cases[i].off, cases[i].val);
        assert_int_equal(load(f, len, &o), cases[i].want);
    }
    /* a header field changed after sealing without fixing the layout: the tag catches it */
    uint32_t len = build(f, sizeof f);
    sk_wr32(f + 32, 24); /* bss 16 -> 24 */
    assert_int_equal(load(f, len, &o), SK_LOAD_AUTH);
    arena_untouched();
}

static void test_bad_hash_and_bad_tag(void **state)
{
    (void)state;
    uint8_t f[256];
    sk_loaded_t o;
    uint32_t len = build(f, sizeof f);
    f[SK_PAYLOAD_HDR_SIZE + 3] ^= 1; /* one body bit */
    assert_int_equal(load(f, len, &o), SK_LOAD_HASH);
    len = build(f, sizeof f);
    f[SK_PAYLOAD_OFF_TAG + 31] ^= 0x80; /* one tag bit */
    assert_int_equal(load(f, len, &o), SK_LOAD_AUTH);
    /* body changed and hash recomputed, but no key: tag mismatch */
    len = build(f, sizeof f);
    f[SK_PAYLOAD_HDR_SIZE] ^= 1;
    uint8_t wrongkey[] = "not-the-device-key";
    sk_payload_seal(f, len, wrongkey, sizeof wrongkey - 1);
    assert_int_equal(load(f, len, &o), SK_LOAD_AUTH);
    /* verify without auth (tools) accepts it; the loader never does */
    assert_int_equal(sk_loader_verify(f, len, 0, 0, ARENA, 0, 0), SK_LOAD_OK);
    sk_loader_stats_t st;
    sk_loader_get_stats(&st);
    assert_int_equal(st.rejected_hash, 1);
    assert_int_equal(st.rejected_auth, 2);
    arena_untouched();
}

static void reseal_with(uint8_t *f, unsigned off, uint32_t v, uint32_t len)
{
    sk_wr32(f + off, v);
    sk_payload_seal(f, len, key, KEYLEN); /* properly signed, still malformed */
}

static void test_overlapping_and_huge_sizes(void **state)
{
    (void)state;
    uint8_t f[256];
    sk_loaded_t o;
    uint32_t len = build(f, sizeof f);
    /* text + rodata wraps 32 bits onto the real body size: sections would overlap */
    reseal_with(f, 20, 0xFFFFFFF8u, len);
    sk_wr32(f + 24, 16 + 8 + 8);
    sk_payload_seal(f, len, key, KEYLEN);
    assert_int_equal(load(f, len, &o), SK_LOAD_LAYOUT);
    len = build(f, sizeof f);
    reseal_with(f, 32, 0xFFFFFFF0u, len); /* huge bss */
    assert_int_equal(load(f, len, &o), SK_LOAD_TOO_BIG);
    len = build(f, sizeof f);
    reseal_with(f, 32, ARENA - 32 + 8, len); /* one byte block past the arena */
    assert_int_equal(load(f, len, &o), SK_LOAD_TOO_BIG);
    len = build(f, sizeof f);
    reseal_with(f, 36, 0x40000001u, len); /* reloc count * 4 wraps */
    assert_int_equal(load(f, len, &o), SK_LOAD_LAYOUT);
    /* the staged file inside the arena itself is refused */
    len = build(f, sizeof f);
    memcpy(arena + 1024, f, len);
    assert_int_equal(sk_loader_load(arena + 1024, len, key, KEYLEN, arena, ARENA, LOADADDR, sync_hook, &o),
                     SK_LOAD_LAYOUT);
    assert_int_equal(sync_calls, 0);
}

static void test_bad_relocation_offsets(void **state)
{
    (void)state;
    uint8_t f[256];
    sk_loaded_t o;
    uint32_t rel = SK_PAYLOAD_HDR_SIZE + 32;
    uint32_t bad_offs[] = {30, 32, 0xFFFFFFFCu, 2, 29};
    for (size_t i = 0; i < sizeof bad_offs / sizeof bad_offs[0]; i++) {
        uint32_t len = build(f, sizeof f);
        reseal_with(f, rel, bad_offs[i], len);
        assert_int_equal(load(f, len, &o), SK_LOAD_RELOC);
    }
    /* target value outside the image */
    uint32_t len = build(f, sizeof f);
    reseal_with(f, SK_PAYLOAD_HDR_SIZE + 24, 49, len);
    assert_int_equal(load(f, len, &o), SK_LOAD_RELOC);
    len = build(f, sizeof f);
    reseal_with(f, SK_PAYLOAD_HDR_SIZE + 24, 48, len); /* one past the end: allowed */
    assert_int_equal(load(f, len, &o), SK_LOAD_OK);
}

static void test_random_garbage_never_loads(void **state)
{
    (void)state;
    uint8_t f[256], orig[256];
    sk_loaded_t o;
    srand(11);
    uint32_t len0 = build(orig, sizeof orig);
    for (int r = 0; r < 3000; r++) {
        uint32_t len = build(f, sizeof f);
        unsigned flips = 1 + (unsigned)rand() % 4;
        for (unsigned k = 0; k < flips; k++)
            f[(unsigned)rand() % len] ^= (uint8_t)(1u << (rand() % 8));
        if (!memcmp(f, orig, len0))
            continue; /* the flips cancelled out */
        assert_int_not_equal(load(f, len, &o), SK_LOAD_OK);
    }
    arena_untouched();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_good_payload_loads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_body_and_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_header_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_hash_and_bad_tag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlapping_and_huge_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_relocation_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_garbage_never_loads, setup, teardown),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
