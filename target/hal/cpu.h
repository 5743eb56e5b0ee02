/* CPU helpers: cycle counter and semihosting exit. */
#ifndef HAL_CPU_H
#define HAL_CPU_H
#include <stdint.h>

typedef enum cpu_cycles_src {
    CPU_CYCLES_CCNT = 0,  /* ARM1176 PMU cycle counter (real boards) */
    CPU_CYCLES_TIMER = 1, /* 1 MHz system timer x ARM clock (QEMU, Unicorn: CCNT reads 0) */
} cpu_cycles_src_t;

/* Enables CCNT and checks that it advances; otherwise falls back to the timer.
 * arm_hz: ARM clock from the mailbox (used by the fallback and to extend CCNT to 64 bits). */
void cpu_cycles_init(uint32_t arm_hz);
uint64_t cpu_cycles(void);
/* The low 32 bits of cpu_cycles(), cheap: one CCNT read where the counter runs (the 64-bit
 * extension starts from the counter's own value), the timer-derived count otherwise. For
 * event stamps on hot paths (VMIO deposits, telegram cyc=). */
uint32_t cpu_cycles32(void);
const char *cpu_cycles_source(void); /* "ccnt" or "timer" */

/* ARM semihosting SYS_EXIT(ADP_Stopped_ApplicationExit). Returns only when nobody services
 * semihosting (real board): the SVC handler treats the call as a no-op. */
void cpu_semihost_exit(void);

#endif
