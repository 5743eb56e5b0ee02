/* VMIT priority logic, portable (host-tested by tests/test_vmit_core.c): which pending
 * source runs next and which sources a level masks. No hardware access here.
 *
 * Levels: 0 = lowest .. VMIT_NLEVELS-1 = highest (the numbering of include/platform.h and
 * of the VMIO deposit queues, so a handler at level L deposits into queue L). "cur" is the
 * level running now, -1 for the application / VMIO. Invariant: the sources masked in the
 * controller are exactly the enabled sources of levels <= cur, so a level-L entry masks
 * levels (cur, L] and its exit unmasks the same range. */
#ifndef VMIT_CORE_H
#define VMIT_CORE_H
#include <stdint.h>

#define VMIT_NLEVELS 4
#define VMIT_NBANKS 3      /* pending/enable 1, 2, basic */
#define VMIT_NSRC 72       /* BCM2835_IRQ_COUNT */
#define VMIT_LEVEL_NONE (-1)

typedef struct vmit_core {
    uint32_t lvl_bits[VMIT_NLEVELS][VMIT_NBANKS]; /* sources connected at each level */
    uint32_t enabled[VMIT_NBANKS];                /* sources the drivers want on (shadow) */
    int cur;                                      /* running level, VMIT_LEVEL_NONE if none */
} vmit_core_t;

static inline void vmit_core_init(vmit_core_t *c)
{
    for (unsigned l = 0; l < VMIT_NLEVELS; l++)
        for (unsigned b = 0; b < VMIT_NBANKS; b++)
            c->lvl_bits[l][b] = 0;
    for (unsigned b = 0; b < VMIT_NBANKS; b++)
        c->enabled[b] = 0;
    c->cur = VMIT_LEVEL_NONE;
}

static inline void vmit_core_bind(vmit_core_t *c, unsigned src, unsigned level)
{
    for (unsigned l = 0; l < VMIT_NLEVELS; l++)
        c->lvl_bits[l][src / 32u] &= ~(1u << (src % 32u));
    c->lvl_bits[level][src / 32u] |= 1u << (src % 32u);
}

/* Highest-priority source in pend[] above level c->cur (ties: lowest source number), or -1. */
static inline int vmit_core_pick(const vmit_core_t *c, const uint32_t pend[VMIT_NBANKS])
{
    for (int l = VMIT_NLEVELS - 1; l > c->cur; l--)
        for (unsigned b = 0; b < VMIT_NBANKS; b++) {
            uint32_t m = pend[b] & c->lvl_bits[l][b] & c->enabled[b];
            if (m)
                return (int)(b * 32u + (unsigned)__builtin_ctz(m));
        }
    return -1;
}

/* Enabled sources of the levels in (lo, hi]. */
static inline void vmit_core_range(const vmit_core_t *c, int lo, int hi, uint32_t out[VMIT_NBANKS])
{
    for (unsigned b = 0; b < VMIT_NBANKS; b++)
        out[b] = 0;
    for (int l = lo + 1; l <= hi; l++)
        for (unsigned b = 0; b < VMIT_NBANKS; b++)
            out[b] |= c->lvl_bits[l][b] & c->enabled[b];
}

/* Level of a bound source, or -1. */
static inline int vmit_core_level(const vmit_core_t *c, unsigned src)
{
    for (int l = 0; l < VMIT_NLEVELS; l++)
        if (c->lvl_bits[l][src / 32u] & (1u << (src % 32u)))
            return l;
    return -1;
}

/* A source may be unmasked in the controller now iff its level is above the running one. */
static inline int vmit_core_may_unmask(const vmit_core_t *c, unsigned src)
{
    return vmit_core_level(c, src) > c->cur;
}

#endif
