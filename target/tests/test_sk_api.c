/* fw_sk_api: the serverkernel API dispatcher (sk/api.c) on the host: user-region checks
 * (edges, overflow, read-only regions), every API id through the shielded dispatch, output
 * truncation, the administrator mask (DENIED in both modes), unknown ids, counters. A
 * fake "user memory" buffer stands for the board's user regions (ctx.host_base). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "sk/api.h"
#include "err.h"

/* hal/cpu.h and hal/systimer.h on the host: fixed values the test can see */
uint32_t cpu_cycles32(void) { return 0x12345678u; }
uint32_t st_now32(void) { return 4242u; }

#define UBASE 0x00400000u /* user address of mem[0] */
static uint8_t mem[0x3000];
static uint8_t out[16];

static void setup_ctx(sk_api_ctx_t *c, uint32_t mask)
{
    memset(mem, 0, sizeof mem);
    memset(out, 0xEE, sizeof out);
    sk_api_begin(c, out, 10, mask);
    c->host_base = (uintptr_t)mem - UBASE;
    assert_int_equal(sk_api_add_region(c, UBASE, 0x2000, 1), ERR_OK);          /* RW */
    assert_int_equal(sk_api_add_region(c, UBASE + 0x2000, 0x1000, 0), ERR_OK); /* RO */
}

static uint32_t call(sk_api_ctx_t *c, uint32_t id, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, int *rc)
{
    uint32_t a[4] = {a0, a1, a2, a3}, ret = 0xFFFFFFFFu;
    *rc = sk_api_dispatch(c, id, a, &ret);
    return ret;
}

static void test_regions(void **st)
{
    (void)st;
    sk_api_ctx_t c;
    setup_ctx(&c, SK_API_MASK_ALL);
    assert_true(sk_api_user_ok(&c, UBASE, 0x2000, 1));
    assert_true(sk_api_user_ok(&c, UBASE + 0x2000, 0, 1));    /* empty range at the end */
    assert_false(sk_api_user_ok(&c, UBASE, 0x2001, 1));       /* one past the RW region */
    assert_false(sk_api_user_ok(&c, UBASE - 1, 1, 0));
    assert_true(sk_api_user_ok(&c, UBASE + 0x2000, 0x1000, 0)); /* RO readable */
    assert_false(sk_api_user_ok(&c, UBASE + 0x2000, 4, 1));     /* ... not writable */
    assert_false(sk_api_user_ok(&c, UBASE + 0x1FFF, 2, 0));     /* straddles two regions */
    assert_false(sk_api_user_ok(&c, UBASE + 0x10, 0xFFFFFFF8u, 0)); /* wraps around */
    assert_false(sk_api_user_ok(&c, 0xFFFFFFFFu, 2, 0));
    assert_int_equal(sk_api_add_region(&c, 0xFFFFF000u, 0x2000, 0), ERR_INVAL);
    assert_int_equal(sk_api_add_region(&c, 0x100, 0, 0), ERR_INVAL);
    assert_int_equal(sk_api_add_region(&c, 0x100, 4, 0), ERR_OK);
    assert_int_equal(sk_api_add_region(&c, 0x200, 4, 0), ERR_OK);
    assert_int_equal(sk_api_add_region(&c, 0x300, 4, 0), ERR_NOSPC);
}

static void test_write_truncates(void **st)
{
    (void)st;
    sk_api_ctx_t c;
    int rc;
    setup_ctx(&c, SK_API_MASK_ALL);
    memcpy(mem + 0x100, "abcdefghijkl", 12);
    assert_int_equal(call(&c, SK_API_WRITE, UBASE + 0x100, 6, 0, 0, &rc), 6);
    assert_int_equal(rc, SK_API_OK);
    assert_int_equal(call(&c, SK_API_WRITE, UBASE + 0x106, 6, 0, 0, &rc), 4); /* cap 10 */
    assert_int_equal(rc, SK_API_OK);
    assert_int_equal(c.out_len, 10);
    assert_int_equal(c.truncated, 1);
    assert_memory_equal(out, "abcdefghij", 10);
    assert_int_equal(out[10], 0xEE); /* nothing past out_cap */
    assert_int_equal(call(&c, SK_API_WRITE, UBASE + 0x2000, 0, 0, 0, &rc), 0); /* RO source ok */
    assert_int_equal(rc, SK_API_OK);
    call(&c, SK_API_WRITE, 0x00008000u, 16, 0, 0, &rc); /* kernel pointer */
    assert_int_equal(rc, SK_API_BAD);
    assert_int_equal(c.stats.bad_ptr, 1);
    assert_int_equal(c.stats.calls[SK_API_WRITE], 4);
}

static void test_mem_calls(void **st)
{
    (void)st;
    sk_api_ctx_t c;
    int rc;
    setup_ctx(&c, SK_API_MASK_ALL);
    assert_int_equal(call(&c, SK_API_MEMSET, UBASE + 0x10, 'x', 8, 0, &rc), UBASE + 0x10);
    assert_int_equal(rc, SK_API_OK);
    assert_memory_equal(mem + 0x10, "xxxxxxxx", 8);
    memcpy(mem + 0x2000, "RO-data", 7);
    assert_int_equal(call(&c, SK_API_MEMCPY, UBASE + 0x20, UBASE + 0x2000, 7, 0, &rc), UBASE + 0x20);
    assert_int_equal(rc, SK_API_OK);
    assert_memory_equal(mem + 0x20, "RO-data", 7);
    call(&c, SK_API_MEMCPY, UBASE + 0x2000, UBASE, 4, 0, &rc); /* into the RO region */
    assert_int_equal(rc, SK_API_BAD);
    call(&c, SK_API_MEMSET, UBASE + 0x1FF0, 0, 0x20, 0, &rc); /* runs off the end */
    assert_int_equal(rc, SK_API_BAD);
    call(&c, SK_API_MEMCPY, UBASE, 0x20000000u, 4, 0, &rc); /* peripheral source */
    assert_int_equal(rc, SK_API_BAD);
    assert_int_equal(c.stats.bad_ptr, 3);
    assert_int_equal(call(&c, SK_API_CYCLES, 0, 0, 0, 0, &rc), 0x12345678u);
    assert_int_equal(call(&c, SK_API_TIME_US, 0, 0, 0, 0, &rc), 4242u);
    assert_int_equal((int32_t)call(&c, SK_API_UDP_SEND, 0x0A000001u, 7, UBASE, 4, &rc), ERR_NOTSUP);
    assert_int_equal(rc, SK_API_OK);
    call(&c, SK_API_UDP_SEND, 0x0A000001u, 7, 0x8000u, 4, &rc);
    assert_int_equal(rc, SK_API_BAD);
}

static void test_bad_id_and_mask(void **st)
{
    (void)st;
    sk_api_ctx_t c;
    int rc;
    setup_ctx(&c, SK_API_MASK_ALL & ~(1u << SK_API_UDP_SEND) & ~(1u << SK_API_WRITE));
    call(&c, SK_API_COUNT, 0, 0, 0, 0, &rc);
    assert_int_equal(rc, SK_API_BAD);
    call(&c, 0xFF00u, 0, 0, 0, 0, &rc);
    assert_int_equal(rc, SK_API_BAD);
    assert_int_equal(c.stats.bad_id, 2);
    /* removed entries answer DENIED without looking at (bad) arguments */
    assert_int_equal((int32_t)call(&c, SK_API_WRITE, 0x8000u, 16, 0, 0, &rc), SK_ERR_DENIED);
    assert_int_equal(rc, SK_API_OK);
    assert_int_equal((int32_t)call(&c, SK_API_UDP_SEND, 0, 0, UBASE, 4, &rc), SK_ERR_DENIED);
    assert_int_equal(c.stats.denied, 2);
    assert_int_equal(c.out_len, 0);

    sk_api_t t;
    sk_api_fill_trusted(&t, SK_API_MASK_ALL & ~(1u << SK_API_UDP_SEND));
    assert_int_equal(t.abi_version, SK_ABI_VERSION);
    assert_int_equal(t.count, SK_API_COUNT);
    assert_ptr_equal(t.fn[SK_API_UDP_SEND], (const void *)sk_api_denied);
    assert_ptr_equal(t.fn[SK_API_WRITE], (const void *)sk_api_write);
    assert_int_equal(((int32_t(*)(void))t.fn[SK_API_UDP_SEND])(), SK_ERR_DENIED);
}

static void test_trusted_write(void **st)
{
    (void)st;
    sk_api_ctx_t c;
    setup_ctx(&c, SK_API_MASK_ALL);
    assert_int_equal(sk_api_write("x", 1), ERR_INVAL); /* no current run */
    sk_api_set_current(&c);
    assert_int_equal(sk_api_write("0123456789AB", 12), 10);
    assert_int_equal(c.truncated, 1);
    assert_memory_equal(out, "0123456789", 10);
    sk_api_set_current(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regions),       cmocka_unit_test(test_write_truncates),
        cmocka_unit_test(test_mem_calls),     cmocka_unit_test(test_bad_id_and_mask),
        cmocka_unit_test(test_trusted_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
