/* Cache, branch predictor and barrier helpers for the ARM1176JZF-S (implemented in
 * boot/cache.S; inline barriers here). ARMv6 has no DSB/DMB/ISB instructions: the CP15 c7
 * forms are used (ARM1176 TRM DDI 0301H, 3.2.22). */
#ifndef HAL_CACHE_H
#define HAL_CACHE_H
#include <stddef.h>
#include <stdint.h>

static inline void cache_dsb(void)
{
    __asm__ volatile("mcr p15, 0, %0, c7, c10, 4" : : "r"(0) : "memory");
}
static inline void cache_dmb(void)
{
    __asm__ volatile("mcr p15, 0, %0, c7, c10, 5" : : "r"(0) : "memory");
}
static inline void cache_isb(void) /* prefetch flush */
{
    __asm__ volatile("mcr p15, 0, %0, c7, c5, 4" : : "r"(0) : "memory");
}

/* D-cache maintenance by MVA over [start, start+len), whole lines, DSB at the end. */
void cache_dclean_range(uintptr_t start, size_t len); /* write dirty lines back (before DMA reads) */
void cache_dinval_range(uintptr_t start, size_t len); /* discard lines (after DMA writes) */
void cache_dflush_range(uintptr_t start, size_t len); /* clean + invalidate */
void cache_dflush_all(void);
void cache_dinval_all(void);
void cache_iinval_all(void);  /* with the ARM1176 erratum 411920 workaround */
void cache_btac_flush(void);

#endif
