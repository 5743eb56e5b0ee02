/* sbtest (sk/sbtest.h). Usage:
 *   sbtest NAME [budget_us]       shielded run of payload NAME
 *   sbtest trusted NAME [budget]  the same payload in trusted mode (no NAME: hello)
 *   sbtest bench [N]              empty run and N cycles() calls, shielded and trusted
 *   sbtest offset N               later runs load the blob at arena + N (position independence)
 *   sbtest stats                  "sbtest-stats runs=.. trusted=.. refused=.. ok=.. abort=.. undef=..
 *                                 budget=.. badcall=.. budget_in_api=.. api_calls=.. api_denied=.."
 *   sbtest hang [MS]              hung-kernel hook: arms the PM watchdog (MS, default 1000)
 *                                 and spins with IRQs masked; the watchdog must reset
 * NAME: hello loop wild periph undef stack svcbad badptr udp bench empty jump xn spin
 *       semihost cp15 ccnt apiw thumb peek (target/tests/payloads/sbt_payloads.c).
 * Reply per run:
 *   sbtest name=N mode=shielded|trusted status=S retval=R cycles=C us=U fault_addr=0x..
 *          fault_pc=0x.. out_len=L trunc=0|1 kstate=ok|changed out=TEXT
 *   TEXT: bytes 0x21..0x7E, others '.'; kstate: the banked SPs of UND/ABT/IRQ (at their
 *   stack tops), SYS and SVC and the caller's CPSR are the same before and after the run.
 * The blob is copied into the arena before every run (a payload may have scribbled on it),
 * D-cache cleaned and I-cache invalidated, as the loader does. */
#include "sk/sbtest.h"
#include "sk/sandbox.h"
#include "sk/sandbox_stats.h"
#include "boot/exc.h"
#include "hal/cache.h"
#include "hal/systimer.h"
#include "hal/uart.h"
#include "hal/wdog.h"
#include "lib/kstring.h"
#include "lib/printf.h"
#include "memmap.h"

#define SBT_MAGIC 0x53544253u
#define SBT_OUT_CAP 128u
#define SBT_HANG_LIMIT_US 20000000u

extern const uint8_t sbt_blob[], sbt_blob_end[];

static const char *const sbt_names[] = {"hello", "loop",   "wild", "periph", "undef", "stack",
                                        "svcbad", "badptr", "udp",  "bench",  "empty", "jump",
                                        "xn",     "spin",   "semihost", "cp15",     "ccnt",   "apiw",   "thumb",  "peek"};
#define SBT_N (sizeof sbt_names / sizeof sbt_names[0])
#define SBT_BENCH 9u
#define SBT_EMPTY 10u

static uint8_t sbt_out[SBT_OUT_CAP];
static uint32_t sbt_off; /* load offset of the blob inside the arena (sbtest offset N) */

/* Kernel state a run must leave as it found it: the banked SP of every mode (each
 * exception path must have popped its frame) and the caller's CPSR (mode, I bit). */
typedef struct sbt_kstate {
    uint32_t sp_und, sp_abt, sp_irq, sp_sys, sp_svc, cpsr;
} sbt_kstate_t;

static void sbt_kstate(sbt_kstate_t *k)
{
    /* r0-r4 explicitly: a compiler-chosen output register could be LR, which is banked */
    register uint32_t und __asm__("r0"), abt __asm__("r1"), irq __asm__("r2"), sys __asm__("r3"),
        svc __asm__("r4");
    uint32_t flags = exc_irq_save();
    __asm__ volatile("cps #0x1B\n\tmov %0, sp\n\t"
                     "cps #0x17\n\tmov %1, sp\n\t"
                     "cps #0x12\n\tmov %2, sp\n\t"
                     "cps #0x1F\n\tmov %3, sp\n\t"
                     "cps #0x13\n\tmov %4, sp"
                     : "=&r"(und), "=&r"(abt), "=&r"(irq), "=&r"(sys), "=&r"(svc)
                     :
                     : "memory");
    exc_irq_restore(flags);
    k->sp_und = und;
    k->sp_abt = abt;
    k->sp_irq = irq;
    k->sp_sys = sys;
    k->sp_svc = svc;
    k->cpsr = flags & 0x1FFu; /* A, I, F, T, mode (not the condition flags) */
}

static int sbt_find(const char *name, size_t len)
{
    for (unsigned i = 0; i < SBT_N; i++)
        if (strlen(sbt_names[i]) == len && !strncmp(sbt_names[i], name, len))
            return (int)i;
    return -1;
}

/* Copies the blob into the arena; returns the entry address of payload idx, or 0. */
static uint32_t sbt_load(unsigned idx)
{
    uint32_t n = (uint32_t)(sbt_blob_end - sbt_blob);
    const uint32_t *tab = (const uint32_t *)(const void *)sbt_blob;
    if (n < 8 + 4 * SBT_N || n > MEMMAP_PAYLOAD_SIZE || tab[0] != SBT_MAGIC || tab[1] != SBT_N ||
        tab[2 + idx] >= n)
        return 0;
    if (sbt_off > MEMMAP_PAYLOAD_SIZE - n)
        return 0;
    memcpy((void *)(uintptr_t)(MEMMAP_PAYLOAD_BASE + sbt_off), sbt_blob, n);
    cache_dclean_range(MEMMAP_PAYLOAD_BASE + sbt_off, n);
    cache_iinval_all();
    return MEMMAP_PAYLOAD_BASE + sbt_off + tab[2 + idx];
}

static int sbt_kstate_ok;

static int sbt_run(unsigned idx, int trusted, const void *arg, uint32_t arg_len, uint32_t budget, sk_run_res_t *res)
{
    sbt_kstate_t k0, k1;
    sk_run_req_t req = {
        .entry = sbt_load(idx),
        .arg = arg,
        .arg_len = arg_len,
        .out = sbt_out,
        .out_cap = sizeof sbt_out,
        .budget_us = budget,
        .trusted = (uint8_t)trusted,
    };
    sbt_kstate(&k0);
    int rc = sk_sandbox_run(&req, res);
    sbt_kstate(&k1);
    sbt_kstate_ok = k0.sp_und == MEMMAP_STACK_UND_TOP && k0.sp_abt == MEMMAP_STACK_ABT_TOP &&
                    k0.sp_irq == MEMMAP_STACK_IRQ_TOP && !memcmp(&k0, &k1, sizeof k0);
    return rc;
}

static void sbt_report(con_t *con, unsigned idx, int trusted, const sk_run_res_t *r)
{
    char text[SBT_OUT_CAP + 1];
    uint32_t n = r->out_len < SBT_OUT_CAP ? r->out_len : SBT_OUT_CAP;
    for (uint32_t i = 0; i < n; i++)
        text[i] = (sbt_out[i] > 0x20 && sbt_out[i] < 0x7F) ? (char)sbt_out[i] : '.';
    text[n] = '\0';
    con_reply(con,
              "sbtest name=%s mode=%s status=%s retval=%ld cycles=%llu us=%lu fault_addr=0x%08lx fault_pc=0x%08lx "
              "out_len=%lu trunc=%u kstate=%s out=%s",
              sbt_names[idx], trusted ? "trusted" : "shielded", sk_run_status_str(r->status), (long)r->retval,
              (unsigned long long)r->cycles, (unsigned long)r->us, (unsigned long)r->fault_addr,
              (unsigned long)r->fault_pc, (unsigned long)r->out_len, (unsigned)r->out_truncated,
              sbt_kstate_ok ? "ok" : "changed", text);
}

static uint32_t sbt_u32(const char *s, uint32_t def)
{
    uint32_t v = 0;
    int any = 0;
    while (*s == ' ')
        s++;
    while (*s >= '0' && *s <= '9' && v < 400000000u) {
        v = v * 10u + (uint32_t)(*s++ - '0');
        any = 1;
    }
    return any ? v : def;
}

static void sbt_bench(con_t *con, uint32_t n)
{
    uint8_t arg[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
    for (int trusted = 0; trusted < 2; trusted++) {
        sk_run_res_t e, b;
        sbt_run(SBT_EMPTY, trusted, 0, 0, 0, &e);
        sbt_run(SBT_BENCH, trusted, arg, sizeof arg, 0, &b);
        uint64_t per = (b.status == SK_RUN_OK && n && b.cycles > e.cycles) ? (b.cycles - e.cycles) / n : 0;
        con_reply(con, "sbtest-bench mode=%s status=%s,%s run_cycles=%llu calls=%lu calls_cycles=%llu per_call=%llu",
                  trusted ? "trusted" : "shielded", sk_run_status_str(e.status), sk_run_status_str(b.status),
                  (unsigned long long)e.cycles, (unsigned long)n, (unsigned long long)b.cycles,
                  (unsigned long long)per);
    }
}

static void sbt_hang(con_t *con, uint32_t ms)
{
    if (wdog_start(ms)) {
        con_reply(con, "err bad-argument MS must be 1..%u", WDOG_MAX_MS);
        return;
    }
    con_reply(con, "sbtest hang wdog_ms=%lu", (unsigned long)ms);
    uart_tx_drain(100000u);
    exc_irq_disable();
    uint32_t start = st_now32();
    while (st_now32() - start < SBT_HANG_LIMIT_US) /* bounded: a test hook, not a real hang */
        ;
    wdog_stop();
    exc_irq_enable();
    con_reply(con, "sbtest hang status=no-reset");
}

void sk_sbtest_cmd(con_t *con, const char *args)
{
    int trusted = 0;
    if (!strncmp(args, "hang", 4) && (args[4] == '\0' || args[4] == ' ')) {
        sbt_hang(con, sbt_u32(args + 4, 1000u));
        return;
    }
    if (!strncmp(args, "offset ", 7)) {
        uint32_t off = sbt_u32(args + 7, 1u);
        if (off & 3u || off >= MEMMAP_PAYLOAD_SIZE) {
            con_reply(con, "err bad-argument offset: a multiple of 4 below %u", MEMMAP_PAYLOAD_SIZE);
            return;
        }
        sbt_off = off;
        con_reply(con, "sbtest offset=%lu", (unsigned long)off);
        return;
    }
    if (!strcmp(args, "stats")) {
        sk_sandbox_stats_t t;
        sk_sandbox_get_stats(&t);
        con_reply(con,
                  "sbtest-stats runs=%lu trusted=%lu refused=%lu ok=%lu abort=%lu undef=%lu budget=%lu badcall=%lu "
                  "budget_in_api=%lu api_calls=%lu api_denied=%lu",
                  (unsigned long)t.runs, (unsigned long)t.trusted_runs, (unsigned long)t.refused,
                  (unsigned long)t.ended[SK_RUN_OK], (unsigned long)t.ended[SK_RUN_ABORT],
                  (unsigned long)t.ended[SK_RUN_UNDEF], (unsigned long)t.ended[SK_RUN_BUDGET],
                  (unsigned long)t.ended[SK_RUN_BADCALL], (unsigned long)t.budget_in_api,
                  (unsigned long)t.api_calls, (unsigned long)t.api_denied);
        return;
    }
    if (!strncmp(args, "bench", 5) && (args[5] == '\0' || args[5] == ' ')) {
        sbt_bench(con, sbt_u32(args + 5, 1000u));
        return;
    }
    if (!strncmp(args, "trusted", 7) && (args[7] == '\0' || args[7] == ' ')) {
        trusted = 1;
        args += 7;
        while (*args == ' ')
            args++;
        if (!*args)
            args = "hello";
    }
    const char *sp = strchr(args, ' ');
    size_t len = sp ? (size_t)(sp - args) : strlen(args);
    int idx = sbt_find(args, len);
    if (idx < 0) {
        con_reply(con, "err bad-argument sbtest [trusted] hello|loop|wild|periph|undef|stack|svcbad|badptr|udp|"
                       "bench|empty|jump|xn|spin|semihost|cp15|ccnt|apiw|thumb|peek [budget_us] | bench [N] | hang [MS]");
        return;
    }
    static const char hello_arg[] = "sbtest";
    uint8_t bench_arg[4] = {100, 0, 0, 0};
    const void *arg = 0;
    uint32_t arg_len = 0;
    if (idx == 0) {
        arg = hello_arg;
        arg_len = sizeof hello_arg - 1;
    } else if (!strcmp(sbt_names[idx], "ccnt")) {
        arg = hello_arg;
        arg_len = 1;
    } else if ((unsigned)idx == SBT_BENCH) {
        arg = bench_arg;
        arg_len = sizeof bench_arg;
    }
    sk_run_res_t r;
    if (sbt_run((unsigned)idx, trusted, arg, arg_len, sp ? sbt_u32(sp, 0) : 0, &r)) {
        con_reply(con, "sbtest name=%s mode=%s status=%s", sbt_names[idx], trusted ? "trusted" : "shielded",
                  sk_run_status_str(r.status));
        return;
    }
    sbt_report(con, (unsigned)idx, trusted, &r);
}
