/* Physical memory map of the firmware: the ONE place where image, translation table and
 * per-mode stacks are placed and sized. Included by C, by start.S and by the linker script
 * (boot/link.ld is run through the C preprocessor), so values are plain integers without
 * C suffixes or casts. Identity mapped (VA = PA) by boot/mmu.c.
 *
 *   0x00000000 .. 0x00007FFF  ATAGs / loader scratch (the Pi firmware loads us at 0x8000)
 *   0x00008000 .. 0x002FFFFF  kernel image: .text.boot first, then .text .rodata .data .bss
 *   0x00300000 .. 0x00303FFF  L1 translation table (16 KiB, 16 KiB aligned)
 *   0x00310000 .. 0x0033FFFF  exception-mode stacks, full descending, one per mode
 *   0x00340000 .. 0x0034FFFF  VMIT level stacks (one per interrupt priority level) and the
 *                             VMIO stack (vmit/vmit.h)
 *   0x00400000 .. 0x004FFFFF  payload arena (serverkernel): code, data, bss, arguments
 *   0x00500000 .. 0x0050FFFF  payload user stack (grows down from 0x00510000)
 *   0x00600000 .. arm_mem     free
 * The payload arena and user stack are 1 MiB sections so the MMU can give them user
 * permissions while everything else stays privileged-only (target/sk/sandbox). */
#ifndef MEMMAP_H
#define MEMMAP_H

#define MEMMAP_LOAD_ADDR      0x00008000 /* where the GPU firmware (and QEMU -bios) loads kernel.img */
#define MEMMAP_IMAGE_LIMIT    0x00300000 /* link.ld asserts the image (incl. .bss) ends below */

#define MEMMAP_TTB_BASE       0x00300000 /* L1 table: 4096 section entries */
#define MEMMAP_TTB_SIZE       0x00004000

/* Stacks: each *_TOP is the initial SP (8-byte aligned, AAPCS). Sizes are generous for C
 * handlers; the fatal-report path runs on the faulting mode's stack. */
#define MEMMAP_STACK_BASE     0x00310000
#define MEMMAP_STACK_UND_SIZE 0x00002000
#define MEMMAP_STACK_ABT_SIZE 0x00002000
#define MEMMAP_STACK_FIQ_SIZE 0x00002000
#define MEMMAP_STACK_IRQ_SIZE 0x00008000
#define MEMMAP_STACK_SYS_SIZE 0x00008000
#define MEMMAP_STACK_SVC_SIZE 0x00010000

#define MEMMAP_STACK_UND_TOP  (MEMMAP_STACK_BASE + MEMMAP_STACK_UND_SIZE)
#define MEMMAP_STACK_ABT_TOP  (MEMMAP_STACK_UND_TOP + MEMMAP_STACK_ABT_SIZE)
#define MEMMAP_STACK_FIQ_TOP  (MEMMAP_STACK_ABT_TOP + MEMMAP_STACK_FIQ_SIZE)
#define MEMMAP_STACK_IRQ_TOP  (MEMMAP_STACK_FIQ_TOP + MEMMAP_STACK_IRQ_SIZE)
#define MEMMAP_STACK_SYS_TOP  (MEMMAP_STACK_IRQ_TOP + MEMMAP_STACK_SYS_SIZE)
#define MEMMAP_STACK_SVC_TOP  (MEMMAP_STACK_SYS_TOP + MEMMAP_STACK_SVC_SIZE)

/* VMIT: one stack per interrupt priority level (the handler of level L and everything it
 * calls run there, in SYS mode), then the single VMIO stack (vmio_preempt / idle VMIO).
 * The IRQ-mode stack above only holds the short entry frames (about 100 bytes per nested
 * interrupt). Level L's stack top is MEMMAP_STACK_VMIT_TOP(L). */
#define MEMMAP_STACK_VMIT_NLEVELS   4          /* = VMIO_NLEVELS (checked in vmit.c) */
#define MEMMAP_STACK_VMIT_SIZE      0x00002000 /* per level */
#define MEMMAP_STACK_VMIT_BASE      MEMMAP_STACK_SVC_TOP
#define MEMMAP_STACK_VMIT_TOP(l)    (MEMMAP_STACK_VMIT_BASE + ((l) + 1) * MEMMAP_STACK_VMIT_SIZE)
#define MEMMAP_STACK_VMIO_SIZE      0x00004000
#define MEMMAP_STACK_VMIO_TOP       (MEMMAP_STACK_VMIT_TOP(MEMMAP_STACK_VMIT_NLEVELS - 1) + MEMMAP_STACK_VMIO_SIZE)
#define MEMMAP_STACK_END      MEMMAP_STACK_VMIO_TOP  /* = 0x0034C000 */

#define MEMMAP_PAYLOAD_BASE   0x00400000 /* one 1 MiB section */
#define MEMMAP_PAYLOAD_SIZE   0x00100000
#define MEMMAP_PAYLOAD_STACK_BASE 0x00500000 /* one 1 MiB section, user stack at its start */
#define MEMMAP_PAYLOAD_STACK_SIZE 0x00010000
#define MEMMAP_FREE_BASE      0x00600000

/* RAM mapped cacheable when the mailbox cannot tell the ARM memory size. Every BCM2835 board
 * has at least 256 MiB with the default GPU split; we assume the smallest sane value. */
#define MEMMAP_RAM_DEFAULT    0x08000000 /* 128 MiB */
#define MEMMAP_RAM_MAX        0x20000000 /* ARM RAM can never reach the peripherals */

/* VideoCore bus alias of ARM RAM used for mailbox buffers: 0x40000000 is the L2-cached
 * alias the BCM2835 firmware uses by default (datasheet 1.2.4 "bus addresses"; the
 * Raspberry Pi firmware wiki, mailbox property interface). QEMU accepts every alias. */
#define MEMMAP_GPU_RAM_ALIAS  0x40000000

#endif
