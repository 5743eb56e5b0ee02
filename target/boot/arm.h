/* ARM1176JZF-S architectural constants shared by start.S, cache.S and C.
 * Source: ARM1176JZF-S Technical Reference Manual (DDI 0301H), sections 3.2.7 (SCTLR),
 * 3.2.9 (CPACR), 3.2.21-3.2.22 (c7 cache ops), 3.2.43 (VBAR); ARM ARM (DDI 0100I) A2.2
 * (modes) and A2.5 (PSR bits). Plain integers so the assembler can use them. */
#ifndef BOOT_ARM_H
#define BOOT_ARM_H

#define ARM_MODE_USR 0x10
#define ARM_MODE_FIQ 0x11
#define ARM_MODE_IRQ 0x12
#define ARM_MODE_SVC 0x13
#define ARM_MODE_MON 0x16
#define ARM_MODE_ABT 0x17
#define ARM_MODE_UND 0x1B
#define ARM_MODE_SYS 0x1F
#define ARM_MODE_MASK 0x1F
#define ARM_PSR_T 0x20
#define ARM_PSR_F 0x40
#define ARM_PSR_I 0x80
#define ARM_PSR_A 0x100

#define ARM_SCTLR_M  (1 << 0)  /* MMU enable */
#define ARM_SCTLR_A  (1 << 1)  /* strict alignment fault */
#define ARM_SCTLR_C  (1 << 2)  /* D-cache */
#define ARM_SCTLR_Z  (1 << 11) /* branch prediction */
#define ARM_SCTLR_I  (1 << 12) /* I-cache */
#define ARM_SCTLR_V  (1 << 13) /* high vectors (we use VBAR, so 0) */
#define ARM_SCTLR_U  (1 << 22) /* ARMv6 unaligned access model (gcc assumes it for armv6) */
#define ARM_SCTLR_XP (1 << 23) /* ARMv6 page table format, subpages off */

#define ARM_CPACR_CP10_CP11_FULL (0xF << 20)  /* cp10, cp11 full access */
#define ARM_FPEXC_EN (1 << 30)

#define ARM_CACHE_LINE 32      /* ARM1176 L1 I and D line length */

/* Exception kinds = vector offset / 4 */
#define EXC_RESET 0
#define EXC_UND   1
#define EXC_SVC   2
#define EXC_PABT  3
#define EXC_DABT  4
#define EXC_IRQ   6
#define EXC_FIQ   7

/* exc_frame_t layout (boot/exc.h) */
#define EXC_FRAME_SP   52
#define EXC_FRAME_LR   56
#define EXC_FRAME_PC   60
#define EXC_FRAME_CPSR 64
#define EXC_FRAME_SIZE 72      /* 18 words: keeps the stack 8-byte aligned */

#endif
