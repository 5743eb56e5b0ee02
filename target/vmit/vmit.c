/* VMIT dispatcher (see vmit.h for the sequence and the mode strategy). */
#include "vmit/vmit.h"
#include "hal/irq.h"
#include "boot/arm.h"
#include "boot/exc.h"
#include "vmio/vmio.h"
#include "err.h"
#include "memmap.h"

_Static_assert(VMIT_NLEVELS == VMIO_NLEVELS, "one VMIO deposit queue per VMIT level");
_Static_assert(VMIT_NLEVELS == MEMMAP_STACK_VMIT_NLEVELS, "one stack per VMIT level");
_Static_assert(VMIT_NBANKS == IRQ_NBANKS, "controller banks");

typedef struct vmit_src {
    vmit_fn fn;
    void *arg;
    vmit_src_stats_t st;
} vmit_src_t;

static vmit_core_t vmit_core;
static vmit_src_t vmit_src[VMIT_NSRC];
static int vmit_prev[VMIT_NLEVELS + 1];  /* level interrupted at each depth */
static unsigned vmit_dep;
static vmit_stats_t vmit_st;

void vmit_init(void)
{
    vmit_core_init(&vmit_core);
    for (unsigned i = 0; i < VMIT_NSRC; i++)
        vmit_src[i] = (vmit_src_t){.st = {.level = -1}};
    vmit_dep = 0;
    vmit_st = (vmit_stats_t){0};
    irq_hw_init();
}

int vmit_connect(unsigned irq, unsigned level, vmit_fn fn, void *arg)
{
    if (irq >= VMIT_NSRC || level >= VMIT_NLEVELS || !fn)
        return ERR_INVAL;
    uint32_t flags = exc_irq_save();
    if (vmit_src[irq].st.level >= 0 && vmit_src[irq].st.level != (int)level) {
        uint32_t bits[VMIT_NBANKS] = {0};
        bits[irq / 32u] = 1u << (irq % 32u);
        vmit_core.enabled[irq / 32u] &= ~bits[irq / 32u];
        irq_hw_disable(bits);
    }
    vmit_core_bind(&vmit_core, irq, level);
    vmit_src[irq].fn = fn;
    vmit_src[irq].arg = arg;
    vmit_src[irq].st.level = (int)level;
    exc_irq_restore(flags);
    return ERR_OK;
}

int vmit_enable(unsigned irq)
{
    if (irq >= VMIT_NSRC || vmit_src[irq].st.level < 0)
        return ERR_INVAL;
    uint32_t bits[VMIT_NBANKS] = {0};
    bits[irq / 32u] = 1u << (irq % 32u);
    uint32_t flags = exc_irq_save();
    vmit_core.enabled[irq / 32u] |= bits[irq / 32u];
    if (vmit_core_may_unmask(&vmit_core, irq))
        irq_hw_enable(bits);
    exc_irq_restore(flags);
    return ERR_OK;
}

int vmit_disable(unsigned irq)
{
    if (irq >= VMIT_NSRC)
        return ERR_INVAL;
    uint32_t bits[VMIT_NBANKS] = {0};
    bits[irq / 32u] = 1u << (irq % 32u);
    uint32_t flags = exc_irq_save();
    vmit_core.enabled[irq / 32u] &= ~bits[irq / 32u];
    irq_hw_disable(bits);
    exc_irq_restore(flags);
    return ERR_OK;
}

void vmit_report_overrun(unsigned irq, uint32_t n)
{
    if (irq < VMIT_NSRC)
        vmit_src[irq].st.overruns += n; /* written by the source's own level only */
}

int vmit_level(void) { return vmit_core.cur; }
unsigned vmit_depth(void) { return vmit_dep; }

int vmit_get_src_stats(unsigned irq, vmit_src_stats_t *out)
{
    if (irq >= VMIT_NSRC)
        return ERR_INVAL;
    uint32_t flags = exc_irq_save();
    *out = vmit_src[irq].st;
    exc_irq_restore(flags);
    return ERR_OK;
}

void vmit_get_stats(vmit_stats_t *out)
{
    uint32_t flags = exc_irq_save();
    *out = vmit_st;
    exc_irq_restore(flags);
}

void vmit_stack_range(unsigned level, uint32_t *lo, uint32_t *hi)
{
    *hi = MEMMAP_STACK_VMIT_TOP(level);
    *lo = *hi - MEMMAP_STACK_VMIT_SIZE;
}

/* IRQ mode, I=1. Returns the source in the low word (0xFFFFFFFF: nothing to run) and the
 * top of its level's stack in the high word. */
uint64_t vmit_enter(uint32_t spsr)
{
    uint32_t pend[VMIT_NBANKS], bits[VMIT_NBANKS];
    (void)spsr;
    irq_hw_pending(pend);
    int irq = vmit_core_pick(&vmit_core, pend);
    if (irq < 0 || vmit_dep >= VMIT_NLEVELS) { /* the depth bound cannot trip: levels rise */
        vmit_st.spurious++;
        return 0xFFFFFFFFull;
    }
    vmit_src_t *s = &vmit_src[irq];
    int lvl = s->st.level;
    vmit_core_range(&vmit_core, vmit_core.cur, lvl, bits);
    irq_hw_disable(bits);
    vmit_prev[vmit_dep++] = vmit_core.cur;
    vmit_core.cur = lvl;
    s->st.taken++;
    if (vmit_dep > 1)
        s->st.nested++;
    if (vmit_dep > s->st.max_depth)
        s->st.max_depth = vmit_dep;
    if (vmit_dep > vmit_st.max_depth)
        vmit_st.max_depth = vmit_dep;
    return (uint32_t)irq | ((uint64_t)MEMMAP_STACK_VMIT_TOP(lvl) << 32);
}

/* SYS mode, level stack, I=0. */
void vmit_run(uint32_t irq)
{
    vmit_src[irq].fn(vmit_src[irq].arg);
}

/* IRQ mode, I=1. Nonzero: outermost exit into the application with VMIO work pending. */
uint32_t vmit_leave(uint32_t irq, uint32_t spsr)
{
    uint32_t bits[VMIT_NBANKS];
    (void)irq;
    int lvl = vmit_core.cur;
    int prev = vmit_prev[--vmit_dep];
    vmit_core.cur = prev;
    vmit_core_range(&vmit_core, prev, lvl, bits);
    irq_hw_enable(bits);
    if (vmit_dep == 0 && (spsr & ARM_MODE_MASK) != ARM_MODE_SYS && vmio_pending() && !vmio_running()) {
        vmit_st.vmio_runs++;
        return 1;
    }
    return 0;
}

static void vmit_vmio_body(void)
{
    (void)vmio_preempt();
}

void vmit_vmio_idle(void)
{
    if (vmio_pending() && !vmio_running())
        vmit_call_on_vmio_stack(vmit_vmio_body);
}
