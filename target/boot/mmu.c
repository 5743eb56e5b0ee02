/* MMU: flat identity map with 1 MiB sections in the ARMv6 format (SCTLR.XP = 1).
 * Section descriptor bits: ARM1176 TRM DDI 0301H section 6.11.2 (figure 6-7), memory type
 * encodings (TEX, C, B) table 6-2:
 *   normal RAM  TEX=001 C=1 B=1: outer and inner write-back, write-allocate
 *   device      TEX=000 C=0 B=1: shared device (peripherals)
 * AP=11 (APX=0): read/write at every privilege level for now (payload shielding later). */
#include "boot/mmu.h"
#include "boot/arm.h"
#include "bcm2835/bcm2835.h"
#include "hal/cache.h"
#include "memmap.h"

#define MMU_SECTION       0x2u        /* descriptor type bits [1:0] = 10 */
#define MMU_B             (1u << 2)
#define MMU_C             (1u << 3)
#define MMU_XN            (1u << 4)
#define MMU_DOMAIN(d)     ((uint32_t)(d) << 5)
#define MMU_AP_RW         (3u << 10)
#define MMU_TEX(t)        ((uint32_t)(t) << 12)
#define MMU_SECTION_SHIFT 20
#define MMU_ENTRIES       4096u

#define MMU_RAM    (MMU_SECTION | MMU_AP_RW | MMU_DOMAIN(0) | MMU_TEX(1) | MMU_C | MMU_B)
#define MMU_DEVICE (MMU_SECTION | MMU_AP_RW | MMU_DOMAIN(0) | MMU_TEX(0) | MMU_B | MMU_XN)

/* DACR: domain 0 "client" (accesses checked against AP), others no access. */
#define MMU_DACR_D0_CLIENT 0x1u
/* TTBR0 walk attributes: C (bit 0) inner cacheable, RGN (bits 4:3) = 01 outer WB-WA. */
#define MMU_TTBR_ATTR      ((1u << 0) | (1u << 3))

void mmu_init(uint32_t ram_bytes)
{
    volatile uint32_t *ttb = (volatile uint32_t *)(uintptr_t)MEMMAP_TTB_BASE;
    uint32_t ram_mib, i, sctlr;

    if (ram_bytes == 0 || ram_bytes > MEMMAP_RAM_MAX)
        ram_bytes = MEMMAP_RAM_DEFAULT;
    ram_mib = ram_bytes >> MMU_SECTION_SHIFT;

    for (i = 0; i < MMU_ENTRIES; i++) {
        uint32_t base = i << MMU_SECTION_SHIFT;
        uint32_t desc = 0; /* translation fault */
        if (i < ram_mib)
            desc = base | MMU_RAM;
        else if (base >= BCM2835_PERIPH_BASE && base < BCM2835_PERIPH_BASE + BCM2835_PERIPH_SIZE)
            desc = base | MMU_DEVICE;
        ttb[i] = desc;
    }

    /* Caches are still off: the table is in memory. Start from clean caches and TLBs. */
    cache_dinval_all();
    cache_iinval_all();
    __asm__ volatile("mcr p15, 0, %0, c8, c7, 0" : : "r"(0) : "memory"); /* invalidate TLBs */
    __asm__ volatile("mcr p15, 0, %0, c2, c0, 2" : : "r"(0));                /* TTBCR: TTBR0 only */
    __asm__ volatile("mcr p15, 0, %0, c2, c0, 0" : : "r"(MEMMAP_TTB_BASE | MMU_TTBR_ATTR));
    __asm__ volatile("mcr p15, 0, %0, c3, c0, 0" : : "r"(MMU_DACR_D0_CLIENT));
    cache_dsb();
    cache_isb();

    __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
    sctlr |= ARM_SCTLR_XP | ARM_SCTLR_M | ARM_SCTLR_C | ARM_SCTLR_I | ARM_SCTLR_Z;
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 0" : : "r"(sctlr) : "memory");
    cache_isb();
    cache_btac_flush();
}
