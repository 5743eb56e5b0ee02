/* MMU: flat identity map with 1 MiB sections in the ARMv6 format (SCTLR.XP = 1).
 * Section descriptor bits: ARM1176 TRM DDI 0301H section 6.11.2 (figure 6-7), memory type
 * encodings (TEX, C, B) table 6-2:
 *   normal RAM  TEX=001 C=1 B=1: outer and inner write-back, write-allocate
 *   device      TEX=000 C=0 B=1: shared device (peripherals)
 * Access permissions (APX=0, table 6-1 / ARM ARM B4.4.1): AP=01 privileged read/write, no
 * user access, for everything mapped here (kernel image, stacks, tables, peripherals, free
 * RAM). Only the serverkernel sandbox (sk/sandbox.c) opens user access, through
 * mmu_set_section() and mmu_set_l2() below: the payload arena as a user RW section and the
 * payload stack section through a coarse table of 4 KiB pages. Domain 0 is a client
 * domain, so the AP bits are checked on every access. */
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
#define MMU_AP_PRIV       (1u << 10) /* AP=01: privileged RW, user none */
#define MMU_AP_USER_RW    (3u << 10) /* AP=11: RW at every level */
#define MMU_TEX(t)        ((uint32_t)(t) << 12)
#define MMU_SECTION_SHIFT 20
#define MMU_ENTRIES       4096u

#define MMU_RAM    (MMU_SECTION | MMU_AP_PRIV | MMU_DOMAIN(0) | MMU_TEX(1) | MMU_C | MMU_B)
#define MMU_USER_RAM (MMU_SECTION | MMU_AP_USER_RW | MMU_DOMAIN(0) | MMU_TEX(1) | MMU_C | MMU_B)
#define MMU_DEVICE (MMU_SECTION | MMU_AP_PRIV | MMU_DOMAIN(0) | MMU_TEX(0) | MMU_B | MMU_XN)

/* Coarse page table descriptor (L1, type 01) and ARMv6 extended small page (L2, type 1x,
 * bit 0 = XN): TRM figure 6-7/6-9. Small pages: AP bits [5:4], APX [9], TEX [8:6]. */
#define MMU_COARSE        0x1u
#define MMU_PG_SMALL      0x2u
#define MMU_PG_XN         (1u << 0)
#define MMU_PG_B          (1u << 2)
#define MMU_PG_C          (1u << 3)
#define MMU_PG_AP(ap)     ((uint32_t)(ap) << 4)
#define MMU_PG_TEX(t)     ((uint32_t)(t) << 6)
#define MMU_PG_RAM        (MMU_PG_SMALL | MMU_PG_TEX(1) | MMU_PG_C | MMU_PG_B)

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

/* Replaces one L1 entry of the live table: the old translation must be gone from the TLB
 * and the new descriptor visible to the table walk before the next access through it.
 * Walks are cacheable (TTBR0 attributes), but the line is cleaned anyway so a
 * non-cacheable walk configuration stays correct. */
static void mmu_write_l1(uint32_t va, uint32_t desc)
{
    volatile uint32_t *ttb = (volatile uint32_t *)(uintptr_t)MEMMAP_TTB_BASE;
    uint32_t i = va >> MMU_SECTION_SHIFT;
    ttb[i] = desc;
    cache_dclean_range((uintptr_t)&ttb[i], sizeof ttb[i]);
    __asm__ volatile("mcr p15, 0, %0, c8, c7, 0" : : "r"(0) : "memory"); /* invalidate unified TLB */
    cache_btac_flush();
    cache_dsb();
    cache_isb();
}

int mmu_set_section(uint32_t va, mmu_access_t acc)
{
    uint32_t desc;
    if (va & ((1u << MMU_SECTION_SHIFT) - 1u))
        return -1;
    switch (acc) {
    case MMU_ACC_KERNEL: desc = va | MMU_RAM; break;
    case MMU_ACC_USER_RWX: desc = va | MMU_USER_RAM; break;
    default: return -1;
    }
    mmu_write_l1(va, desc);
    return 0;
}

uint32_t mmu_page_desc(uint32_t pa, mmu_access_t acc)
{
    pa &= ~0xFFFu;
    switch (acc) {
    case MMU_ACC_KERNEL: return pa | MMU_PG_RAM | MMU_PG_AP(1) | MMU_PG_XN;
    case MMU_ACC_USER_RW: return pa | MMU_PG_RAM | MMU_PG_AP(3) | MMU_PG_XN;
    case MMU_ACC_USER_RWX: return pa | MMU_PG_RAM | MMU_PG_AP(3);
    case MMU_ACC_USER_RX: return pa | MMU_PG_RAM | MMU_PG_AP(2); /* priv RW, user RO */
    case MMU_ACC_NONE:
    default: return 0; /* translation fault at every level (guard pages) */
    }
}

int mmu_set_l2(uint32_t va, const uint32_t *l2)
{
    uintptr_t t = (uintptr_t)l2;
    if ((va & ((1u << MMU_SECTION_SHIFT) - 1u)) || (t & 0x3FFu))
        return -1;
    cache_dclean_range(t, MMU_L2_ENTRIES * sizeof *l2); /* descriptors visible to the walk */
    mmu_write_l1(va, (uint32_t)t | MMU_COARSE | MMU_DOMAIN(0));
    return 0;
}
