/* Shielded execution of payloads (sk/sandbox.h): MMU permissions, user mode, SVC API,
 * fault recovery and the CPU-time budget. Hardware-specific (ARM1176, BCM2835).
 *
 * Memory (sandbox_layout.h): kernel image, stacks, tables and peripherals are privileged
 * only (boot/mmu.c, AP=01, domain 0 client). On the first run the arena becomes a user RWX
 * section and the payload stack section a coarse table (guard page, user stack, read-only
 * API page, argument area). The permissions never change afterwards, so there is no per-run
 * TLB or cache maintenance apart from what the loader does for the code it wrote.
 *
 * A run (application level, SVC mode):
 *   0. refused (SK_RUN_INVAL) unless called in SVC mode outside any interrupt handler,
 *      with the entry word-aligned inside the arena, arg_len <= SK_SB_ARG_MAX and
 *      budget_us <= SK_SB_MAX_BUDGET_US (0 = SK_SB_DEFAULT_BUDGET_US);
 *   1. arg copied into the argument area; ST compare channel 1 armed with the budget
 *      (an ST C1 software timer: other C1 users keep their timers during a run);
 *      IRQs masked; sk_sandbox_enter() saves the kernel context and drops to USR mode
 *      (trusted: SYS) at the entry with r0 = API table, r1 = arg, r2 = arg_len, SP = top
 *      of the payload stack, LR = exit stub (trusted: sk_trusted_exit); IRQs on.
 *   2. Every way out rewrites the exception return (pc, cpsr) of the frame that leaves the
 *      payload so that it "returns" to sk_sandbox_resume in SVC mode, IRQs masked (the
 *      fast SVC entry branches there directly):
 *      - SVC exit stub: SK_RUN_OK, retval = r0;
 *      - SVC #id (ARM state: boot/start.S hands it to sandbox_entry.S sk_svc_user, a
 *        register-level entry without the generic exception frame; Thumb state: the
 *        generic frame and sb_trap): the API call runs in SVC mode with IRQs enabled (VMIT
 *        and VMIO preempt it); a bad id or pointer ends the run with SK_RUN_BADCALL
 *        (fault_addr = the SVC id, fault_pc = the SVC); a removed entry answers
 *        SK_ERR_DENIED;
 *      - data/prefetch abort: SK_RUN_ABORT, fault_addr = FAR/IFAR, fault_pc;
 *        undefined instruction: SK_RUN_UNDEF, fault_addr = fault_pc;
 *      - budget: the ST C1 callback (a VMIT handler at VMIT_LEVEL_TIMER) rewrites the
 *        outermost IRQ frame (the top of the IRQ stack: the payload is only ever
 *        interrupted at depth 0) when it interrupted the payload itself; when it
 *        interrupted an API call (SVC mode) it only sets a flag that the SVC path checks
 *        before returning to the payload. fault_pc = where the payload was.
 *      Faults in kernel mode (also inside an API call) stay fatal (boot/exc.c).
 *   3. cycles/us: cpu_cycles()/st_now_us() around enter..resume: the run's wall time,
 *      INCLUDING interrupt handlers and VMIO work that preempted the payload, and the API
 *      calls. Trusted runs are measured the same way.
 * Trusted mode: privileged SYS mode, API table = kernel functions (sk_api_fill_trusted),
 * no pointer checks (the paper's design, kept for comparison). Faults are still caught
 * while SP lies in the payload stack section (payload code or an API function it called);
 * the budget still applies (it can cut a kernel API function short; acceptable for the
 * comparison mode only). Payload writes to kernel memory are NOT prevented in this mode. */
#include "sk/sandbox.h"
#include "sk/sandbox_layout.h"
#include "sk/sandbox_stats.h"
#include "sk/api.h"
#include "boot/arm.h"
#include "boot/exc.h"
#include "boot/mmu.h"
#include "hal/cache.h"
#include "hal/cpu.h"
#include "hal/systimer.h"
#include "lib/kstring.h"
#include "err.h"

static st_timer_t sb_budget_timer;   /* ST C1 software timer, VMIT_LEVEL_TIMER (hal/systimer.h) */

typedef struct sk_enter {
    uint32_t pc, r0, r1, r2, sp, lr, cpsr;
} sk_enter_t;

void sk_sandbox_enter(const sk_enter_t *e);
void sk_sandbox_resume(void);
void sk_trusted_exit(void);
extern const uint8_t sk_stub_begin[], sk_stub_exit[], sk_stub_denied[], sk_stub_end[];

/* Used by sandbox_entry.S: SP_svc, SP_sys, LR_sys at entry; trusted return value + flag. */
uint32_t sk_sb_saved[3];
volatile uint32_t sk_sb_trusted_ret[2];

typedef struct sk_sb {
    int ready;
    volatile int active;
    uint8_t trusted;
    volatile int ended;               /* status recorded by a trap or the budget */
    volatile sk_run_status_t status;
    volatile int32_t retval;
    volatile uint32_t fault_addr, fault_pc;
    volatile int budget_fired;
    uint32_t resume_cpsr;
    sk_api_ctx_t api;
    sk_api_t trusted_table;
    sk_sandbox_stats_t stats;
} sk_sb_t;

static sk_sb_t sb;
static uint32_t sb_l2[MMU_L2_ENTRIES] __attribute__((aligned(1024)));

const char *sk_run_status_str(sk_run_status_t s)
{
    switch (s) {
    case SK_RUN_OK: return "ok";
    case SK_RUN_ABORT: return "abort";
    case SK_RUN_UNDEF: return "undef";
    case SK_RUN_BUDGET: return "budget";
    case SK_RUN_BADCALL: return "badcall";
    case SK_RUN_INVAL: return "inval";
    default: return "unknown";
    }
}

static uint32_t sb_stub_addr(const uint8_t *tmpl)
{
    return SK_SB_API_PAGE + SK_SB_STUB_OFF + (uint32_t)(tmpl - sk_stub_begin);
}

/* Records the first ending only (a fault after a budget flag, ...). */
static void sb_end(sk_run_status_t st, uint32_t addr, uint32_t pc)
{
    if (sb.ended)
        return;
    sb.status = st;
    sb.fault_addr = addr;
    sb.fault_pc = pc;
    sb.ended = 1;
}

static int sb_leave(exc_frame_t *f)
{
    f->pc = (uint32_t)(uintptr_t)sk_sandbox_resume;
    f->cpsr = sb.resume_cpsr;
    return 1;
}

/* One SVC of a shielded payload: id, a[0..3] = r0-r3, ret_pc = the return address, sz =
 * the SVC's size (4 ARM, 2 Thumb). Returns 0 with the new r0 in a[0] (back to the payload),
 * or 1 when the run is over (resume). Called with IRQs masked, returns with IRQs masked. */
static int sb_svc_call(uint32_t id, uint32_t *a, uint32_t ret_pc, uint32_t sz)
{
    uint32_t call_pc = ret_pc - sz, ret = 0;
    if (id == SK_SB_SVC_EXIT) {
        sb.retval = (int32_t)a[0];
        sb_end(SK_RUN_OK, 0, call_pc);
        return 1;
    }
    exc_irq_enable(); /* preemptible: VMIT only uses the IRQ and level stacks */
    int rc = sk_api_dispatch(&sb.api, id, a, &ret);
    exc_irq_disable();
    if (rc != SK_API_OK) {
        sb_end(SK_RUN_BADCALL, id, call_pc);
        return 1;
    }
    a[0] = ret;
    if (sb.budget_fired) {
        sb.stats.budget_in_api++;
        sb_end(SK_RUN_BUDGET, 0, ret_pc);
        return 1;
    }
    return 0;
}

/* Fast entry (sandbox_entry.S sk_svc_user): ARM-state SVC from user mode. */
int sk_sb_svc(uint32_t id, uint32_t *a, uint32_t ret_pc);
int sk_sb_svc(uint32_t id, uint32_t *a, uint32_t ret_pc)
{
    if (!sb.active) /* user mode outside a run cannot happen; do not return into it */
        exc_halt();
    return sb_svc_call(id, a, ret_pc, 4);
}

/* Generic frame (Thumb-state SVCs; ARM-state ones when no fast entry is registered). */
static int sb_svc(exc_frame_t *f)
{
    uint32_t id, sz = (f->cpsr & ARM_PSR_T) ? 2u : 4u;
    if (sz == 2)
        id = *(volatile const uint16_t *)(uintptr_t)(f->pc - 2) & 0xFFu;
    else
        id = *(volatile const uint32_t *)(uintptr_t)(f->pc - 4) & 0x00FFFFFFu;
    if (sb_svc_call(id, f->r, f->pc, sz))
        return sb_leave(f);
    return 1;
}

void sk_svc_user(void);

static int sb_trap(uint32_t kind, exc_frame_t *f)
{
    uint32_t mode = f->cpsr & ARM_MODE_MASK, r;
    if (!sb.active)
        return 0;
    if (sb.trusted) {
        /* privileged payload: its own code or an API function it called, on its stack */
        if (mode != ARM_MODE_SYS || f->sp < SK_SB_SEC || f->sp > SK_SB_STACK_TOP || kind == EXC_SVC)
            return 0;
    } else if (mode != ARM_MODE_USR) {
        return 0;
    }
    switch (kind) {
    case EXC_SVC:
        return sb_svc(f);
    case EXC_DABT:
        __asm__ volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(r)); /* FAR */
        sb_end(SK_RUN_ABORT, r, f->pc);
        return sb_leave(f);
    case EXC_PABT:
        __asm__ volatile("mrc p15, 0, %0, c6, c0, 2" : "=r"(r)); /* IFAR */
        sb_end(SK_RUN_ABORT, r, f->pc);
        return sb_leave(f);
    case EXC_UND:
        sb_end(SK_RUN_UNDEF, f->pc, f->pc);
        return sb_leave(f);
    default:
        return 0;
    }
}

/* VMIT handler of ST C1 (level VMIT_LEVEL_TIMER), SYS mode on the level's stack. */
static void sb_budget_cb(void *arg)
{
    (void)arg;
    if (!sb.active)
        return;
    sb.budget_fired = 1;
    /* Outermost IRQ frame (vmit_entry.S: SRSDB of LR_irq-4 and SPSR_irq at the top of the
     * IRQ stack): the context interrupted at depth 0, the payload or its API call. */
    volatile uint32_t *fr = (volatile uint32_t *)(uintptr_t)(MEMMAP_STACK_IRQ_TOP - 8);
    uint32_t mode = fr[1] & ARM_MODE_MASK;
    if (mode == (sb.trusted ? ARM_MODE_SYS : ARM_MODE_USR)) {
        sb_end(SK_RUN_BUDGET, 0, fr[0]);
        fr[0] = (uint32_t)(uintptr_t)sk_sandbox_resume;
        fr[1] = sb.resume_cpsr;
    }
    /* else SVC mode: an API call; sb_svc() ends the run before going back to the payload
     * (or the run is ending anyway) */
}

/* First run: page table of the stack section, API page, arena section, trap handler. */
static int sb_init(void)
{
    uint32_t nstub = (uint32_t)(sk_stub_end - sk_stub_begin);
    if ((uint32_t)(sk_stub_exit - sk_stub_begin) != 8u * SK_API_COUNT || SK_SB_STUB_OFF + nstub > SK_SB_PAGE ||
        sizeof(sk_api_t) > SK_SB_STUB_OFF)
        return ERR_INVAL; /* stub templates out of step with sk_abi.h */

    for (uint32_t i = 0; i < MMU_L2_ENTRIES; i++) {
        uint32_t va = SK_SB_SEC + i * SK_SB_PAGE;
        mmu_access_t acc = MMU_ACC_KERNEL;
        if (va < SK_SB_STACK_LO)
            acc = MMU_ACC_NONE;
        else if (va < SK_SB_STACK_TOP)
            acc = MMU_ACC_USER_RW;
        else if (va == SK_SB_API_PAGE)
            acc = MMU_ACC_USER_RX;
        else if (va >= SK_SB_ARG_BASE && va < SK_SB_ARG_BASE + SK_SB_ARG_MAX)
            acc = MMU_ACC_USER_RW;
        sb_l2[i] = mmu_page_desc(va, acc);
    }

    /* API page: the shielded table points at the stubs (removed entries at the DENIED
     * stub); the stubs are code, so clean D and invalidate I before anything runs them. */
    uint8_t *page = (uint8_t *)(uintptr_t)SK_SB_API_PAGE;
    memset(page, 0, SK_SB_PAGE);
    memcpy(page + SK_SB_STUB_OFF, sk_stub_begin, nstub);
    sk_api_t *t = (sk_api_t *)page;
    t->abi_version = SK_ABI_VERSION;
    t->count = SK_API_COUNT;
    for (uint32_t i = 0; i < SK_API_COUNT; i++)
        t->fn[i] = (const void *)(uintptr_t)((SK_API_MASK & (1u << i)) ? SK_SB_API_PAGE + SK_SB_STUB_OFF + 8u * i
                                                                       : sb_stub_addr(sk_stub_denied));
    cache_dclean_range((uintptr_t)page, SK_SB_PAGE);
    cache_iinval_all();

    sk_api_fill_trusted(&sb.trusted_table, SK_API_MASK);
    exc_set_trap_handler(sb_trap);
    exc_set_svc_user_entry(sk_svc_user);
    if (mmu_set_l2(SK_SB_SEC, sb_l2) || mmu_set_section(MEMMAP_PAYLOAD_BASE, MMU_ACC_USER_RWX))
        return ERR_INVAL;
    sb.ready = 1;
    return ERR_OK;
}

void sk_sandbox_get_stats(sk_sandbox_stats_t *out)
{
    uint32_t flags = exc_irq_save();
    *out = sb.stats;
    exc_irq_restore(flags);
}

static int sb_refuse(sk_run_res_t *res)
{
    sb.stats.refused++;
    res->status = SK_RUN_INVAL;
    return ERR_INVAL;
}

int sk_sandbox_run(const sk_run_req_t *req, sk_run_res_t *res)
{
    if (!res)
        return ERR_INVAL;
    memset(res, 0, sizeof *res);
    if (!req || req->entry < MEMMAP_PAYLOAD_BASE || req->entry > MEMMAP_PAYLOAD_BASE + MEMMAP_PAYLOAD_SIZE - 4u ||
        (req->entry & 3u) || req->arg_len > SK_SB_ARG_MAX || (req->arg_len && !req->arg) ||
        (req->out_cap && !req->out) || req->budget_us > SK_SB_MAX_BUDGET_US || sb.active)
        return sb_refuse(res);

    /* Application level only (SVC mode, not in an interrupt handler or VMIO): the entry
     * code saves and restores SVC-mode state, and the budget handler relies on the
     * payload being interrupted at VMIT depth 0 (its frame at the top of the IRQ stack). */
    uint32_t cpsr;
    __asm__ volatile("mrs %0, cpsr" : "=r"(cpsr));
    if ((cpsr & ARM_MODE_MASK) != ARM_MODE_SVC)
        return sb_refuse(res);

    uint32_t flags = exc_irq_save();
    if (!sb.ready && sb_init()) {
        exc_irq_restore(flags);
        return sb_refuse(res);
    }
    exc_irq_restore(flags);

    if (req->arg_len)
        memcpy((void *)(uintptr_t)SK_SB_ARG_BASE, req->arg, req->arg_len);
    sk_api_begin(&sb.api, req->out, req->out_cap, SK_API_MASK);
    sk_api_add_region(&sb.api, MEMMAP_PAYLOAD_BASE, MEMMAP_PAYLOAD_SIZE, 1);
    sk_api_add_region(&sb.api, SK_SB_STACK_LO, SK_SB_STACK_TOP - SK_SB_STACK_LO, 1);
    sk_api_add_region(&sb.api, SK_SB_ARG_BASE, SK_SB_ARG_MAX, 1);
    sk_api_add_region(&sb.api, SK_SB_API_PAGE, SK_SB_PAGE, 0);
    sk_api_set_current(&sb.api);

    sk_enter_t e = {
        .pc = req->entry,
        .r0 = req->trusted ? (uint32_t)(uintptr_t)&sb.trusted_table : SK_SB_API_PAGE,
        .r1 = SK_SB_ARG_BASE,
        .r2 = req->arg_len,
        .sp = SK_SB_STACK_TOP,
        .lr = req->trusted ? (uint32_t)(uintptr_t)sk_trusted_exit : sb_stub_addr(sk_stub_exit),
        .cpsr = (req->trusted ? ARM_MODE_SYS : ARM_MODE_USR) | (cpsr & (ARM_PSR_F | ARM_PSR_A)),
    };

    flags = exc_irq_save();
    sb.trusted = req->trusted ? 1 : 0;
    sb.ended = 0;
    sb.status = SK_RUN_OK;
    sb.retval = 0;
    sb.fault_addr = sb.fault_pc = 0;
    sb.budget_fired = 0;
    sk_sb_trusted_ret[0] = sk_sb_trusted_ret[1] = 0;
    sb.resume_cpsr = (cpsr & ~(uint32_t)(ARM_MODE_MASK | ARM_PSR_T)) | ARM_MODE_SVC | ARM_PSR_I;
    sb.active = 1;
    st_timer_start(&sb_budget_timer, req->budget_us ? req->budget_us : SK_SB_DEFAULT_BUDGET_US, 0, sb_budget_cb, 0);
    uint64_t t0 = st_now_us();
    uint64_t c0 = cpu_cycles();
    sk_sandbox_enter(&e);
    uint64_t c1 = cpu_cycles();
    uint64_t t1 = st_now_us();
    st_timer_stop(&sb_budget_timer);
    sb.active = 0;
    sk_api_set_current(0);
    exc_irq_restore(flags);
    /* Nothing of this payload's stack or argument data is visible to the next one (the
     * arena is the loader's: it rewrites the image and zeroes .bss). Outside the measured
     * window: about 124 KiB of memset per run. */
    memset((void *)(uintptr_t)SK_SB_STACK_LO, 0, SK_SB_STACK_TOP - SK_SB_STACK_LO);
    memset((void *)(uintptr_t)SK_SB_ARG_BASE, 0, SK_SB_ARG_MAX);

    if (sb.ended) {
        res->status = sb.status;
        res->retval = sb.status == SK_RUN_OK ? sb.retval : 0;
        res->fault_addr = sb.status == SK_RUN_OK ? 0 : sb.fault_addr;
        res->fault_pc = sb.status == SK_RUN_OK ? 0 : sb.fault_pc;
    } else if (sk_sb_trusted_ret[1]) {
        res->status = SK_RUN_OK;
        res->retval = (int32_t)sk_sb_trusted_ret[0];
    } else {
        res->status = SK_RUN_ABORT; /* not reachable: resume without a recorded ending */
    }
    sb.stats.runs++;
    sb.stats.trusted_runs += sb.trusted;
    if (res->status < SK_RUN_INVAL)
        sb.stats.ended[res->status]++;
    for (unsigned i = 0; i < SK_API_COUNT; i++)
        sb.stats.api_calls += sb.api.stats.calls[i];
    sb.stats.api_denied += sb.api.stats.denied;
    res->out_len = sb.api.out_len;
    res->out_truncated = sb.api.truncated;
    res->cycles = c1 - c0;
    res->us = (uint32_t)(t1 - t0);
    return ERR_OK;
}
