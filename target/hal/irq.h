/* BCM2835 ARM interrupt controller (datasheet section 7.5): register-level primitives for
 * VMIT (vmit/vmit.h), which owns the source table, the priorities and the masks. Source
 * numbers as in bcm2835/bcm2835.h: 0..63 GPU (banks 0 and 1 = pending/enable 1 and 2),
 * 64..71 ARM basic (bank 2). Every function expects IRQs masked (CPSR.I) by the caller. */
#ifndef HAL_IRQ_H
#define HAL_IRQ_H
#include <stdint.h>

#define IRQ_NBANKS 3

void irq_hw_init(void);                                  /* every source disabled */
/* Pending and enabled sources per bank (pending 1, pending 2, basic ARM bits 0..7); reads
 * pending 1/2 only when basic pending says so (summary or shortcut bits). */
void irq_hw_pending(uint32_t pend[IRQ_NBANKS]);
void irq_hw_enable(const uint32_t bits[IRQ_NBANKS]);     /* write-1-to-set */
void irq_hw_disable(const uint32_t bits[IRQ_NBANKS]);    /* write-1-to-clear */

#endif
