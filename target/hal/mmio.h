/* MMIO accessors: the only way drivers touch device registers (STYLE.md rule 2).
 *
 * BCM2835 ARM Peripherals datasheet, section 1.3 "Peripheral access precautions for correct
 * memory ordering" (p. 7): the AXI system does not keep reads from different peripherals in
 * order, so "a memory write barrier [must be placed] before the first write to a peripheral
 * and a memory read barrier after the last read of a peripheral". Drivers call
 * mmio_enter() before their first access to a block and mmio_leave() after their last one
 * (an interrupt handler does the same around its own accesses). On ARMv6 both barriers are
 * the CP15 DMB (c7,c10,5), which orders all explicit memory accesses.
 *
 * The pointers are volatile, so the compiler neither merges nor reorders the accesses
 * themselves; the pages are mapped shared-device by boot/mmu.c. */
#ifndef HAL_MMIO_H
#define HAL_MMIO_H
#include <stdint.h>
#include "hal/cache.h"

static inline uint32_t mmio_read32(uintptr_t base, uint32_t off)
{
    return *(volatile const uint32_t *)(base + off);
}

static inline void mmio_write32(uintptr_t base, uint32_t off, uint32_t val)
{
    *(volatile uint32_t *)(base + off) = val;
}

/* Read-modify-write helper: clears `clear` then sets `set`. Not atomic w.r.t. IRQs. */
static inline void mmio_modify32(uintptr_t base, uint32_t off, uint32_t clear, uint32_t set)
{
    mmio_write32(base, off, (mmio_read32(base, off) & ~clear) | set);
}

/* Datasheet p. 7: barrier before the first write to / after the last read from a peripheral. */
static inline void mmio_enter(void) { cache_dmb(); }
static inline void mmio_leave(void) { cache_dmb(); }

#endif
