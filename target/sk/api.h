/* Serverkernel kernel API (sk_abi.h, ABI v1): the implementations behind the payload's
 * function table, shared by both run modes of sk/sandbox.c.
 *   shielded: the user-mode stub does SVC #id; sandbox.c calls sk_api_dispatch(), which
 *             checks every user pointer against the run's user regions first (a bad
 *             pointer ends the run with SK_RUN_BADCALL; the kernel never dereferences it).
 *   trusted:  the table holds the sk_api_* functions themselves (sk_api_fill_trusted);
 *             they trust their arguments, as the paper's prototype did.
 * Administrator subset: a build-time mask (SK_API_MASK, bit i = entry i offered; CMake
 * option SK_FW_API_MASK). A removed entry returns SK_ERR_DENIED in both modes.
 * Portable C (host unit test: target/tests/test_sk_api.c); time comes from hal/cpu.h and
 * hal/systimer.h. */
#ifndef SK_API_H
#define SK_API_H
#include <stdint.h>
#include "sk/sk_abi.h"

#define SK_API_MASK_ALL ((1u << SK_API_COUNT) - 1u)
#ifndef SK_API_MASK
#define SK_API_MASK SK_API_MASK_ALL
#endif

#define SK_API_MAX_RGN 4

typedef struct sk_api_rgn {
    uint32_t base, len;
    uint8_t writable;
} sk_api_rgn_t;

typedef struct sk_api_stats {
    uint32_t calls[SK_API_COUNT];  /* entries reached (shielded dispatch) */
    uint32_t denied;               /* calls to removed entries */
    uint32_t bad_id;               /* SVC ids outside the table */
    uint32_t bad_ptr;              /* pointer arguments outside the user regions */
} sk_api_stats_t;

/* One run's API state (output collection, user regions, counters). */
typedef struct sk_api_ctx {
    uint8_t *out;
    uint32_t out_cap, out_len;
    uint8_t truncated;
    uint32_t mask;
    uintptr_t host_base;           /* user address -> kernel pointer offset (0 on the board) */
    sk_api_rgn_t rgn[SK_API_MAX_RGN];
    unsigned nrgn;
    sk_api_stats_t stats;
} sk_api_ctx_t;

/* out may be NULL when out_cap is 0. mask: SK_API_MASK, or a subset for tests. */
void sk_api_begin(sk_api_ctx_t *c, uint8_t *out, uint32_t out_cap, uint32_t mask);
int sk_api_add_region(sk_api_ctx_t *c, uint32_t base, uint32_t len, int writable); /* ERR_NOSPC/ERR_INVAL */
/* 1 if [addr, addr+len) lies inside one region (writable if write), else 0. len 0 is ok. */
int sk_api_user_ok(const sk_api_ctx_t *c, uint32_t addr, uint32_t len, int write);

#define SK_API_OK 0
#define SK_API_BAD (-1)   /* unknown id or bad pointer: the run ends with SK_RUN_BADCALL */
/* Shielded call: id from the SVC, a[0..3] = r0-r3; on SK_API_OK *ret is the new r0. */
int sk_api_dispatch(sk_api_ctx_t *c, uint32_t id, const uint32_t a[4], uint32_t *ret);

/* Trusted table: the run's context for the direct-call functions below. */
void sk_api_set_current(sk_api_ctx_t *c);
void sk_api_fill_trusted(sk_api_t *t, uint32_t mask);
int32_t sk_api_write(const void *p, uint32_t n);
uint32_t sk_api_cycles(void);
uint32_t sk_api_time_us(void);
void *sk_api_memcpy(void *d, const void *s, uint32_t n);
void *sk_api_memset(void *d, int v, uint32_t n);
int32_t sk_api_udp_send(uint32_t ip, uint16_t port, const void *p, uint32_t n);
int32_t sk_api_denied(void);

#endif
