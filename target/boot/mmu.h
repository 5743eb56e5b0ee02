/* Identity-mapped MMU with 1 MiB sections (boot/mmu.c). */
#ifndef BOOT_MMU_H
#define BOOT_MMU_H
#include <stdint.h>

/* Maps [0, ram_bytes) as normal write-back cached RAM and the peripheral window as shared
 * device; everything else faults. Enables MMU, D/I caches and branch prediction. */
void mmu_init(uint32_t ram_bytes);

/* Per-region access, for the serverkernel sandbox (sk/sandbox.c). Every mapping is normal
 * write-back RAM; "USER" regions are also accessible in user mode. */
typedef enum mmu_access {
    MMU_ACC_NONE,      /* translation fault (pages only: guard pages) */
    MMU_ACC_KERNEL,    /* privileged RW, no user access (pages: also execute-never) */
    MMU_ACC_USER_RW,   /* RW at every level, execute-never (pages only) */
    MMU_ACC_USER_RWX,  /* RW and executable at every level */
    MMU_ACC_USER_RX,   /* privileged RW, user read-only, executable (pages only) */
} mmu_access_t;

#define MMU_L2_ENTRIES 256u   /* coarse table: 256 small pages of 4 KiB, 1 KiB aligned */

/* Live-table updates (MMU on): descriptor written, D-cache line cleaned, TLB and branch
 * predictor invalidated, DSB + ISB. The caller keeps IRQs masked across a sequence of
 * updates that must look atomic. Return 0, or -1 for a misaligned address/table. */
int mmu_set_section(uint32_t va, mmu_access_t acc);     /* KERNEL or USER_RWX */
uint32_t mmu_page_desc(uint32_t pa, mmu_access_t acc);  /* one small-page descriptor */
int mmu_set_l2(uint32_t va, const uint32_t *l2);        /* section va -> coarse table l2 */

#endif
