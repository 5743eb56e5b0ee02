/* Serverkernel kernel API implementations (sk/api.h). */
#include "sk/api.h"
#include "hal/cpu.h"
#include "hal/systimer.h"
#include "lib/kstring.h"
#include "err.h"

static sk_api_ctx_t *sk_api_cur;

void sk_api_begin(sk_api_ctx_t *c, uint8_t *out, uint32_t out_cap, uint32_t mask)
{
    memset(c, 0, sizeof *c);
    c->out = out;
    c->out_cap = out ? out_cap : 0;
    c->mask = mask & SK_API_MASK_ALL;
}

int sk_api_add_region(sk_api_ctx_t *c, uint32_t base, uint32_t len, int writable)
{
    if (len == 0 || base + len < base)
        return ERR_INVAL;
    if (c->nrgn >= SK_API_MAX_RGN)
        return ERR_NOSPC;
    c->rgn[c->nrgn].base = base;
    c->rgn[c->nrgn].len = len;
    c->rgn[c->nrgn].writable = writable != 0;
    c->nrgn++;
    return ERR_OK;
}

int sk_api_user_ok(const sk_api_ctx_t *c, uint32_t addr, uint32_t len, int write)
{
    for (unsigned i = 0; i < c->nrgn; i++) {
        const sk_api_rgn_t *r = &c->rgn[i];
        if (write && !r->writable)
            continue;
        /* offset form: no overflow for any addr/len */
        if (addr >= r->base && addr - r->base <= r->len && len <= r->len - (addr - r->base))
            return 1;
    }
    return 0;
}

/* Appends what fits; the rest is cut and flagged. Returns the bytes appended. */
static int32_t sk_api_append(sk_api_ctx_t *c, const void *p, uint32_t n)
{
    uint32_t room = c->out_cap - c->out_len;
    uint32_t k = n < room ? n : room;
    if (k)
        memcpy(c->out + c->out_len, p, k);
    c->out_len += k;
    if (k < n)
        c->truncated = 1;
    return (int32_t)k;
}

static void *sk_api_ptr(const sk_api_ctx_t *c, uint32_t addr)
{
    return (void *)(c->host_base + addr);
}

int sk_api_dispatch(sk_api_ctx_t *c, uint32_t id, const uint32_t a[4], uint32_t *ret)
{
    if (id >= SK_API_COUNT) {
        c->stats.bad_id++;
        return SK_API_BAD;
    }
    if (!(c->mask & (1u << id))) {
        c->stats.denied++;
        *ret = (uint32_t)SK_ERR_DENIED;
        return SK_API_OK;
    }
    c->stats.calls[id]++;
    switch (id) {
    case SK_API_WRITE:
        if (!sk_api_user_ok(c, a[0], a[1], 0))
            break;
        *ret = (uint32_t)sk_api_append(c, sk_api_ptr(c, a[0]), a[1]);
        return SK_API_OK;
    case SK_API_CYCLES:
        *ret = cpu_cycles32();
        return SK_API_OK;
    case SK_API_TIME_US:
        *ret = st_now32();
        return SK_API_OK;
    case SK_API_MEMCPY:
        if (!sk_api_user_ok(c, a[0], a[2], 1) || !sk_api_user_ok(c, a[1], a[2], 0))
            break;
        memmove(sk_api_ptr(c, a[0]), sk_api_ptr(c, a[1]), a[2]); /* overlap is the payload's business */
        *ret = a[0];
        return SK_API_OK;
    case SK_API_MEMSET:
        if (!sk_api_user_ok(c, a[0], a[2], 1))
            break;
        memset(sk_api_ptr(c, a[0]), (int)a[1], a[2]);
        *ret = a[0];
        return SK_API_OK;
    case SK_API_UDP_SEND:
        if (!sk_api_user_ok(c, a[2], a[3], 0))
            break;
        *ret = (uint32_t)sk_api_udp_send(a[0], (uint16_t)a[1], sk_api_ptr(c, a[2]), a[3]);
        return SK_API_OK;
    default:
        break;
    }
    c->stats.bad_ptr++;
    return SK_API_BAD;
}

void sk_api_set_current(sk_api_ctx_t *c)
{
    sk_api_cur = c;
}

int32_t sk_api_write(const void *p, uint32_t n)
{
    if (!sk_api_cur)
        return ERR_INVAL;
    return sk_api_append(sk_api_cur, p, n);
}

uint32_t sk_api_cycles(void)
{
    return cpu_cycles32();
}

uint32_t sk_api_time_us(void)
{
    return st_now32();
}

void *sk_api_memcpy(void *d, const void *s, uint32_t n)
{
    return memmove(d, s, n);
}

void *sk_api_memset(void *d, int v, uint32_t n)
{
    return memset(d, v, n);
}

/* No network stack in this firmware yet: every send is refused as not supported (the
 * pointer was validated by the dispatcher in shielded runs). */
int32_t sk_api_udp_send(uint32_t ip, uint16_t port, const void *p, uint32_t n)
{
    (void)ip;
    (void)port;
    (void)p;
    (void)n;
    return ERR_NOTSUP;
}

int32_t sk_api_denied(void)
{
    return SK_ERR_DENIED;
}

void sk_api_fill_trusted(sk_api_t *t, uint32_t mask)
{
    static const void *const fns[SK_API_COUNT] = {
        [SK_API_WRITE] = (const void *)sk_api_write,     [SK_API_CYCLES] = (const void *)sk_api_cycles,
        [SK_API_TIME_US] = (const void *)sk_api_time_us, [SK_API_MEMCPY] = (const void *)sk_api_memcpy,
        [SK_API_MEMSET] = (const void *)sk_api_memset,   [SK_API_UDP_SEND] = (const void *)sk_api_udp_send,
    };
    t->abi_version = SK_ABI_VERSION;
    t->count = SK_API_COUNT;
    for (unsigned i = 0; i < SK_API_COUNT; i++)
        t->fn[i] = (mask & (1u << i)) ? fns[i] : (const void *)sk_api_denied;
}
