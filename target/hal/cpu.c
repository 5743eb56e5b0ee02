/* Cycle counter. ARM1176 TRM DDI 0301H 3.2.51-3.2.52: PMNC (c15, c12, 0) bit 0 E enables
 * the counters, bit 2 C resets CCNT, bit 3 D (divide by 64) stays 0; CCNT is (c15, c12, 1).
 * QEMU and Unicorn implement c15 as read-as-zero, so boot checks that CCNT advances.
 *
 * CCNT is 32 bits (6 s at 700 MHz). cpu_cycles() extends it to 64 bits using the system
 * timer: the number of wraps since the last call is the one that brings the CCNT delta
 * closest to (elapsed us x ARM clock). Exact as long as the clock estimate is off by
 * less than 2^31 cycles over the interval, which holds for any realistic interval. */
#include "hal/cpu.h"
#include "hal/systimer.h"
#include "boot/exc.h"
#include "boot/arm.h"
#include "bcm2835/bcm2835.h"

#define CPU_PMNC_E (1u << 0)
#define CPU_PMNC_P (1u << 1)
#define CPU_PMNC_C (1u << 2) /* resets CCNT: deliberately not used, see cpu_cycles_init */
#define CPU_PROBE_US 100u
#define CPU_DEFAULT_HZ 700000000u /* Pi 1B / Zero nominal minimum, if the mailbox fails */

static cpu_cycles_src_t cpu_src = CPU_CYCLES_TIMER;
static uint32_t cpu_hz = CPU_DEFAULT_HZ;
static uint32_t cpu_last_ccnt;
static uint64_t cpu_last_us;
static uint64_t cpu_total;

static inline uint32_t cpu_read_ccnt(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c15, c12, 1" : "=r"(v));
    return v;
}

static uint64_t cpu_us_to_cycles(uint64_t us)
{
    return (us / BCM2835_ST_CLOCK_HZ) * cpu_hz + ((us % BCM2835_ST_CLOCK_HZ) * cpu_hz) / BCM2835_ST_CLOCK_HZ;
}

void cpu_cycles_init(uint32_t arm_hz)
{
    uint32_t a, b;
    int faulted;

    if (arm_hz)
        cpu_hz = arm_hz;
    exc_probe_begin(); /* c15 is implementation defined: never let it be fatal */
    /* Enable without resetting CCNT (no C bit): cpu_cycles() then extends the counter's own
     * value, so event stamps (cyc= of the radio telegrams) share the time base of whoever
     * started the counter: on the simulator, the simulated cycle count since power-on. */
    __asm__ volatile("mcr p15, 0, %0, c15, c12, 0" : : "r"(CPU_PMNC_E | CPU_PMNC_P));
    a = cpu_read_ccnt();
    st_delay_us(CPU_PROBE_US);
    b = cpu_read_ccnt();
    faulted = exc_probe_end();

    cpu_src = (!faulted && b != a) ? CPU_CYCLES_CCNT : CPU_CYCLES_TIMER;
    cpu_last_us = st_now_us();
    cpu_last_ccnt = cpu_src == CPU_CYCLES_CCNT ? cpu_read_ccnt() : 0;
    cpu_total = cpu_last_ccnt; /* 64-bit extension of the counter from its current value */
}

uint64_t cpu_cycles(void)
{
    if (cpu_src == CPU_CYCLES_TIMER)
        return cpu_us_to_cycles(st_now_us());

    uint32_t flags = exc_irq_save();
    uint64_t now_us = st_now_us();
    uint32_t ccnt = cpu_read_ccnt();
    uint64_t expect = cpu_us_to_cycles(now_us - cpu_last_us);
    uint32_t d32 = ccnt - cpu_last_ccnt;
    uint64_t wraps = 0;
    if (expect > d32)
        wraps = (expect - d32 + 0x80000000ull) >> 32;
    cpu_total += (wraps << 32) + d32;
    cpu_last_ccnt = ccnt;
    cpu_last_us = now_us;
    uint64_t r = cpu_total;
    exc_irq_restore(flags);
    return r;
}

uint32_t cpu_cycles32(void)
{
    return cpu_src == CPU_CYCLES_CCNT ? cpu_read_ccnt() : (uint32_t)cpu_cycles();
}

const char *cpu_cycles_source(void)
{
    return cpu_src == CPU_CYCLES_CCNT ? "ccnt" : "timer";
}

void cpu_semihost_exit(void)
{
    register uint32_t r0 __asm__("r0") = EXC_SEMIHOST_SYS_EXIT;
    register uint32_t r1 __asm__("r1") = EXC_SEMIHOST_ADP_APP_EXIT;
    /* SVC from SVC mode overwrites LR_svc and SPSR_svc: declare lr clobbered. */
    __asm__ volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "lr", "cc", "memory");
}
