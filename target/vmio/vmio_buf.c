/* VMIO buffer pools: see vmio_buf.h. */
#include "vmio/vmio_buf.h"
#include "platform.h"
#include "err.h"

#define VMIO_BUF_MOD "vmio_buf"

static uint8_t vmio_small_mem[VMIO_POOL_SMALL_N][VMIO_POOL_SMALL_SIZE]
    __attribute__((aligned(PLAT_BUF_ALIGN)));
static uint8_t vmio_large_mem[VMIO_POOL_LARGE_N][VMIO_POOL_LARGE_SIZE]
    __attribute__((aligned(PLAT_BUF_ALIGN)));
static vmio_buf_t vmio_small_desc[VMIO_POOL_SMALL_N];
static vmio_buf_t vmio_large_desc[VMIO_POOL_LARGE_N];

static vmio_buf_t *vmio_free_list[VMIO_NPOOLS];
static vmio_buf_stats_t vmio_buf_stats;

_Static_assert(VMIO_POOL_SMALL_SIZE % PLAT_BUF_ALIGN == 0, "small buffers keep alignment");
_Static_assert(VMIO_POOL_LARGE_SIZE % PLAT_BUF_ALIGN == 0, "large buffers keep alignment");
_Static_assert(VMIO_POOL_LARGE_SIZE <= 0xFFFF, "len/size are 16-bit");

static void vmio_buf_pool_init(uint8_t pool, vmio_buf_t *desc, uint8_t *mem, unsigned n,
                               unsigned size)
{
    vmio_free_list[pool] = 0;
    for (unsigned i = n; i-- > 0;) {
        vmio_buf_t *b = &desc[i];
        b->base = mem + (size_t)i * size;
        b->size = (uint16_t)size;
        b->data = b->base;
        b->len = 0;
        b->pool = pool;
        b->in_use = 0;
        b->next = vmio_free_list[pool];
        vmio_free_list[pool] = b;
    }
}

void vmio_buf_init(void)
{
    vmio_buf_pool_init(VMIO_POOL_SMALL, vmio_small_desc, &vmio_small_mem[0][0],
                       VMIO_POOL_SMALL_N, VMIO_POOL_SMALL_SIZE);
    vmio_buf_pool_init(VMIO_POOL_LARGE, vmio_large_desc, &vmio_large_mem[0][0],
                       VMIO_POOL_LARGE_N, VMIO_POOL_LARGE_SIZE);
    vmio_buf_stats = (vmio_buf_stats_t){0};
}

vmio_buf_t *vmio_buf_alloc(size_t len, size_t headroom)
{
    size_t need = len + headroom;
    uint8_t pool;
    if (need <= VMIO_POOL_SMALL_SIZE)
        pool = VMIO_POOL_SMALL;
    else if (need <= VMIO_POOL_LARGE_SIZE)
        pool = VMIO_POOL_LARGE;
    else {
        vmio_buf_stats.too_big++;
        return 0;
    }
    vmio_pool_stats_t *ps = &vmio_buf_stats.pool[pool];
    vmio_buf_t *b = vmio_free_list[pool];
    if (!b) {
        ps->exhausted++;
        return 0;
    }
    vmio_free_list[pool] = b->next;
    b->next = 0;
    b->in_use = 1;
    b->data = b->base + headroom;
    b->len = (uint16_t)len;
    ps->allocs++;
    if (++ps->in_use > ps->high_water)
        ps->high_water = ps->in_use;
    return b;
}

static int vmio_buf_is_ours(const vmio_buf_t *b)
{
    uintptr_t p = (uintptr_t)b;
    uintptr_t s0 = (uintptr_t)&vmio_small_desc[0], s1 = (uintptr_t)&vmio_small_desc[VMIO_POOL_SMALL_N];
    uintptr_t l0 = (uintptr_t)&vmio_large_desc[0], l1 = (uintptr_t)&vmio_large_desc[VMIO_POOL_LARGE_N];
    return (p >= s0 && p < s1 && (p - s0) % sizeof *b == 0) ||
           (p >= l0 && p < l1 && (p - l0) % sizeof *b == 0);
}

void vmio_buf_free(vmio_buf_t *b)
{
    if (!b)
        return;
    if (!vmio_buf_is_ours(b) || !b->in_use) {
        vmio_buf_stats.bad_free++;
        return;
    }
    PLAT_ASSERT(VMIO_BUF_MOD, b->pool < VMIO_NPOOLS);
    b->in_use = 0;
    b->next = vmio_free_list[b->pool];
    vmio_free_list[b->pool] = b;
    vmio_buf_stats.pool[b->pool].frees++;
    vmio_buf_stats.pool[b->pool].in_use--;
}

size_t vmio_buf_headroom(const vmio_buf_t *b)
{
    return (size_t)(b->data - b->base);
}

size_t vmio_buf_tailroom(const vmio_buf_t *b)
{
    return b->size - vmio_buf_headroom(b) - b->len;
}

int vmio_buf_header(vmio_buf_t *b, int delta)
{
    if (!b)
        return ERR_INVAL;
    if (delta >= 0) {
        if ((size_t)delta > vmio_buf_headroom(b))
            return ERR_RANGE;
        b->data -= delta;
        b->len = (uint16_t)(b->len + delta);
    } else {
        if ((size_t)-delta > b->len)
            return ERR_RANGE;
        b->data += -delta;
        b->len = (uint16_t)(b->len - (uint16_t)-delta);
    }
    return ERR_OK;
}

uint8_t *vmio_buf_put(vmio_buf_t *b, size_t n)
{
    if (!b || n > vmio_buf_tailroom(b))
        return 0;
    uint8_t *p = b->data + b->len;
    b->len = (uint16_t)(b->len + n);
    return p;
}

void vmio_buf_get_stats(vmio_buf_stats_t *out)
{
    *out = vmio_buf_stats;
}

unsigned vmio_buf_outstanding(void)
{
    return vmio_buf_stats.pool[VMIO_POOL_SMALL].in_use + vmio_buf_stats.pool[VMIO_POOL_LARGE].in_use;
}
