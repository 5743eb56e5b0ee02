/* Shared by the guest programs and the host test drivers: the test device that the
 * host tests map at TESTDEV_BASE (outside the BCM2835 peripheral window), and the
 * semihosting constants. */
#ifndef SIM_GUEST_H
#define SIM_GUEST_H
#define TESTDEV_BASE     0x30000000
#define TESTDEV_IRQ      0x00  /* W: IRQ line level (bit 0) */
#define TESTDEV_FIQ      0x04  /* W: FIQ line level (bit 0) */
#define TESTDEV_IRQ_IN   0x08  /* W: raise the IRQ line VAL cycles from now */
#define TESTDEV_NOW      0x0C  /* R: sim_now(), low 32 bits */
#define TESTDEV_FIQ_IN   0x10  /* W: raise the FIQ line VAL cycles from now */
#define TESTDEV_LOG      0x14  /* W: append VAL to the host-side log */
#define TESTDEV_SRC      0x18  /* W: BCM2835 source VAL[6:0] (through the IC) to level VAL[8] now */
#define TESTDEV_SRC_IN   0x1C  /* W: raise the source last written to TESTDEV_SRC VAL cycles from now */
#define SEMI_SYS_EXIT    0x18
#define SEMI_EXIT_OK     0x20026
/* chain.S: loop iterations */
#define CHAIN_ITERS 20000
/* irq_probe.S: the IC source it raises (DMA channel 0: no model drives it), the masked
 * loop's iterations */
#define PROBE_SRC 16
#define PROBE_MASK_ITERS 1000

#endif
