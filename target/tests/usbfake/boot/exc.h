/* Host stand-in for boot/exc.h (tests/test_usb_core.c): single-threaded, nothing to mask. */
#ifndef BOOT_EXC_H
#define BOOT_EXC_H
#include <stdint.h>
static inline uint32_t exc_irq_save(void) { return 0; }
static inline void exc_irq_restore(uint32_t cpsr) { (void)cpsr; }
#endif
