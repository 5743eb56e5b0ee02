/* VMIT: the nested-priority interrupt dispatcher of the I/O container
 * (seeds/iot-os-architecture.txt "Interrupt handler"; DESIGN.md "Execution levels").
 *
 * The BCM2835 controller has no priorities: VMIT binds every source to a handler and a
 * software level (0 = lowest .. VMIT_NLEVELS-1 = highest, the numbering of platform.h and
 * of the VMIO deposit queues). One IRQ entry (vmit_entry.S):
 *   1. IRQ mode, I=1: LR_irq-4 and SPSR_irq pushed on the IRQ stack with SRSDB, then the
 *      AAPCS caller-saved registers r0-r3, r12 and VFP d0-d7 + FPSCR (C handlers may use VFP).
 *   2. vmit_enter(): reads basic/pending 1/pending 2, picks the highest-priority pending
 *      source above the running level, masks (IC disable registers) every enabled source of
 *      the levels (running, L], counts.
 *   3. CPS to SYS mode, SP := level L's own stack (memmap.h MEMMAP_STACK_VMIT_TOP(L)), the
 *      interrupted SP_sys/LR_sys saved there, CPSIE i, the handler runs; CPSID i, SP_sys and
 *      LR_sys restored.
 *   4. vmit_leave() (IRQ mode again): unmasks the same range, back to the previous level.
 *      On the outermost exit, when the interrupted context is the application (SVC mode;
 *      VMIO and handlers run in SYS mode) and VMIO has events, vmio_preempt() runs on the
 *      VMIO stack in SYS mode with IRQs enabled (VMIT still preempts it).
 *   5. Caller-saved registers back, RFEIA from the IRQ stack (PC and CPSR in one step).
 * Why SYS mode: a handler calls functions, so LR is live in it; running it in IRQ mode
 * with I clear would let a nested IRQ overwrite LR_irq (the classic ARMv6 nesting
 * problem). LR_irq/SPSR_irq are saved by SRS before I is cleared, and the handler's LR is
 * LR_sys, which the nested entry saves on the next level's stack. The IRQ stack only holds
 * 104-byte entry frames (one per nesting depth <= VMIT_NLEVELS + 1). The interrupted stack
 * (application, or a user-mode payload later, which shares SP with SYS) is never written.
 * One source per entry: after a handler, the IRQ line (if another source is pending) takes
 * us straight back in, so priorities are re-evaluated after each handler.
 *
 * Handlers never block, never allocate, do bounded work, and talk to VMIO only with
 * vmio_deposit(level, ...) on their own level's queue. FIQ is not used (reserved for a
 * single most urgent source; the mini UART at the top IRQ level is fast enough here). */
#ifndef VMIT_H
#define VMIT_H
#include <stdint.h>
#include "vmit/vmit_core.h"

/* Level plan (DESIGN: short & frequent handlers highest). */
#define VMIT_LEVEL_STORM   0   /* timer-interrupt storm (load generator), ST C3 */
#define VMIT_LEVEL_TIMER   1   /* one-shot timers, ST C1 */
#define VMIT_LEVEL_CONSOLE 2   /* PL011 console */
#define VMIT_LEVEL_ENO     3   /* mini UART EnOcean link: 8-byte FIFO, highest */

typedef void (*vmit_fn)(void *arg);

typedef struct vmit_src_stats {
    uint32_t taken;      /* handler runs */
    uint32_t nested;     /* runs that preempted another VMIT level's handler */
    uint32_t max_depth;  /* deepest nesting this source ran at (1 = not nested) */
    uint32_t overruns;   /* hardware overruns reported by the handler */
    int level;           /* -1: not connected */
} vmit_src_stats_t;

typedef struct vmit_stats {
    uint32_t spurious;   /* IRQ taken, nothing pending above the running level */
    uint32_t vmio_runs;  /* outermost exits that ran vmio_preempt */
    uint32_t max_depth;
} vmit_stats_t;

void vmit_init(void);                        /* all sources off; installs the vector path */
/* Application level, IRQs may be on. ERR_INVAL bad source/level/fn. */
int vmit_connect(unsigned irq, unsigned level, vmit_fn fn, void *arg);
/* Any level. Enabling a source whose level is masked now only records it: the exit of
 * the masking level unmasks it. Enabling an unconnected source is ERR_INVAL. */
int vmit_enable(unsigned irq);
int vmit_disable(unsigned irq);
void vmit_report_overrun(unsigned irq, uint32_t n);   /* from the source's handler */
int vmit_level(void);                        /* running level, -1 application / VMIO */
unsigned vmit_depth(void);                   /* nested handlers now running */
int vmit_get_src_stats(unsigned irq, vmit_src_stats_t *out);
void vmit_get_stats(vmit_stats_t *out);
/* Level L's stack [lo, hi) for checks. */
void vmit_stack_range(unsigned level, uint32_t *lo, uint32_t *hi);

/* Idle loop (application level, IRQs masked): runs vmio_preempt() on the VMIO stack in
 * SYS mode if VMIO has events; returns with IRQs masked. */
void vmit_vmio_idle(void);

/* Called from vmit_entry.S only. */
uint64_t vmit_enter(uint32_t spsr);
void vmit_run(uint32_t irq);
uint32_t vmit_leave(uint32_t irq, uint32_t spsr);
void vmit_irq_entry(void);
void vmit_call_on_vmio_stack(void (*fn)(void));

#endif
