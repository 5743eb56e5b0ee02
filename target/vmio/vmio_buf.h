/* VMIO packet buffers (STYLE.md rule 6, lwIP pbuf style).
 *
 * One descriptor per buffer: `data` points at the payload, `len` bytes long, inside a fixed
 * storage block [base, base + size). Headroom (data - base) is reserved at allocation so
 * lower layers can prepend headers by moving `data` back (vmio_buf_header(b, +n)) and upper
 * layers strip them by moving it forward (vmio_buf_header(b, -n)); nothing is copied.
 *
 * Storage: two static pools (vmio_cfg.h), aligned to PLAT_BUF_ALIGN. Exhaustion returns
 * NULL and is counted per pool; it never crashes.
 *
 * Ownership: exactly one owner at a time. vmio_buf_alloc() makes the caller the owner.
 * Attaching a buffer to an event (ev.buf) and posting/depositing it hands ownership to the
 * engine and then to the handler that receives the event; a handler that wants to keep it
 * calls vmio_take(), otherwise the engine frees it when the handler returns. Every other
 * hand-off says so in its comment.
 *
 * Context: VMIO level only (the free lists are not protected against interrupts). */
#ifndef VMIO_BUF_H
#define VMIO_BUF_H
#include <stddef.h>
#include <stdint.h>
#include "vmio/vmio_cfg.h"

typedef struct vmio_buf {
    uint8_t *data;          /* payload start */
    uint16_t len;           /* payload bytes */
    uint16_t size;          /* storage bytes at base */
    uint8_t *base;          /* storage start (fixed) */
    struct vmio_buf *next;  /* free list link (owned by the pool while free) */
    uint8_t pool;           /* VMIO_POOL_* */
    uint8_t in_use;
} vmio_buf_t;

enum { VMIO_POOL_SMALL = 0, VMIO_POOL_LARGE = 1, VMIO_NPOOLS = 2 };

typedef struct vmio_pool_stats {
    uint32_t allocs;
    uint32_t frees;
    uint32_t exhausted;     /* allocation refused: pool empty */
    uint32_t in_use;
    uint32_t high_water;
} vmio_pool_stats_t;

typedef struct vmio_buf_stats {
    vmio_pool_stats_t pool[VMIO_NPOOLS];
    uint32_t too_big;       /* headroom + len larger than the largest class */
    uint32_t bad_free;      /* double free or foreign pointer (ignored) */
} vmio_buf_stats_t;

void vmio_buf_init(void);   /* all buffers free, counters zero (called by vmio_init) */
/* A buffer with `len` payload bytes after `headroom` reserved bytes (contents undefined);
 * NULL when no class fits (too_big) or the fitting class is empty (exhausted: no fallback
 * to a larger class, so small traffic cannot starve large frames). */
vmio_buf_t *vmio_buf_alloc(size_t len, size_t headroom);
void vmio_buf_free(vmio_buf_t *b);          /* NULL is a no-op */
/* delta > 0: prepend delta bytes (needs headroom); delta < 0: strip -delta bytes.
 * Returns 0 or ERR_RANGE (buffer unchanged). */
int vmio_buf_header(vmio_buf_t *b, int delta);
size_t vmio_buf_headroom(const vmio_buf_t *b);
size_t vmio_buf_tailroom(const vmio_buf_t *b);
/* Extends the payload by n bytes at its end; returns the first new byte or NULL. */
uint8_t *vmio_buf_put(vmio_buf_t *b, size_t n);
void vmio_buf_get_stats(vmio_buf_stats_t *out);
/* Buffers currently allocated (all pools): test teardown asserts 0. */
unsigned vmio_buf_outstanding(void);

#endif
