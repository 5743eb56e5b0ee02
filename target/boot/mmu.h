/* Identity-mapped MMU with 1 MiB sections (boot/mmu.c). */
#ifndef BOOT_MMU_H
#define BOOT_MMU_H
#include <stdint.h>

/* Maps [0, ram_bytes) as normal write-back cached RAM and the peripheral window as shared
 * device; everything else faults. Enables MMU, D/I caches and branch prediction. */
void mmu_init(uint32_t ram_bytes);

#endif
