/* Simulator core tests: scheduler, MMIO dispatch, exceptions, interrupts, WFI,
 * semihosting, determinism, timing model, CCNT, loader, board reset.
 * usage: sim-core-tests TEST GUEST_DIR   (one ctest per TEST) */
#include "core/sim.h"
#include "core/sim_internal.h"
#include "core/timing.h"
#include "soc.h"
#include "guest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bcm2835/pm.h"
#include "bcm2835/pl011.h"
#include <unistd.h>

static int failures;
#define CHECK(c)                                                                              \
    do {                                                                                      \
        if (!(c)) {                                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c);            \
            failures++;                                                                       \
        }                                                                                     \
    } while (0)
#define CHECK_EQ(a, b)                                                                        \
    do {                                                                                      \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);        \
        if (a_ != b_) {                                                                       \
            fprintf(stderr, "%s:%d: CHECK_EQ failed: %s = 0x%llx (%llu), expected %s = 0x%llx (%llu)\n", \
                    __FILE__, __LINE__, #a, a_, a_, #b, b_, b_);                              \
            failures++;                                                                       \
        }                                                                                     \
    } while (0)

static const char *guest_dir;

/* ---- the test device (guest.h) -------------------------------------------------- */
typedef struct testdev {
    sim_t *sim;
    sim_timer_t irq_timer, fiq_timer, src_timer;
    unsigned src;                  /* BCM2835 source selected by TESTDEV_SRC */
    uint32_t log[256];
    unsigned nlog;
} testdev_t;

static void td_irq(void *o) { sim_cpu_set_irq(((testdev_t *)o)->sim, true); }
static void td_fiq(void *o) { sim_cpu_set_fiq(((testdev_t *)o)->sim, true); }
static void td_src(void *o) { sim_irq_set(((testdev_t *)o)->sim, ((testdev_t *)o)->src, true); }

static uint32_t td_read(void *o, uint32_t off, unsigned size)
{
    testdev_t *t = o;
    (void)size;
    return off == TESTDEV_NOW ? (uint32_t)sim_now(t->sim) : 0;
}

static void td_write(void *o, uint32_t off, uint32_t val, unsigned size)
{
    testdev_t *t = o;
    (void)size;
    switch (off) {
    case TESTDEV_IRQ: sim_cpu_set_irq(t->sim, val & 1); break;
    case TESTDEV_FIQ: sim_cpu_set_fiq(t->sim, val & 1); break;
    case TESTDEV_IRQ_IN: sim_timer_mod(&t->irq_timer, sim_now(t->sim) + val); break;
    case TESTDEV_FIQ_IN: sim_timer_mod(&t->fiq_timer, sim_now(t->sim) + val); break;
    case TESTDEV_SRC:
        t->src = (val & 0x7F) < 72 ? (val & 0x7F) : 0;
        sim_irq_set(t->sim, t->src, (val >> 8) & 1);
        break;
    case TESTDEV_SRC_IN: sim_timer_mod(&t->src_timer, sim_now(t->sim) + val); break;
    case TESTDEV_LOG:
        if (t->nlog < 256) t->log[t->nlog++] = val;
        break;
    default: sim_guest_error(t->sim, "testdev", "bad offset 0x%x", off);
    }
}

static const sim_dev_ops_t td_ops = {"testdev", td_read, td_write, NULL};

static const char *boot_uart0_in; /* optional file fed to UART0 RX */

static sim_t *boot(const char *guest, sim_timing_t timing, testdev_t *td)
{
    sim_config_t cfg;
    sim_config_default(&cfg);
    cfg.uart0_in = boot_uart0_in;
    cfg.timing = timing;
    cfg.max_cycles = 2000000000ull;
    cfg.uart0_spec = "null";   /* no interactive link: no polling events (idle is testable) */
    sim_t *s = sim_new(&cfg);
    if (!s) return NULL;
    if (td) {
        memset(td, 0, sizeof *td);
        td->sim = s;
        sim_timer_init(&td->irq_timer, s, td_irq, td);
        sim_timer_init(&td->fiq_timer, s, td_fiq, td);
        sim_timer_init(&td->src_timer, s, td_src, td);
        if (sim_map_device(s, TESTDEV_BASE, 0x1000, &td_ops, td) != 0) return NULL;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", guest_dir, guest);
    if (sim_load_image(s, path) != 0) {
        sim_free(s);
        return NULL;
    }
    return s;
}

static void dump_log(const testdev_t *td)
{
    for (unsigned i = 0; i < td->nlog; i++) fprintf(stderr, "  log[%u] = 0x%08x\n", i, td->log[i]);
}

/* ---- CPU-less machine ----------------------------------------------------------------- */
static int order[16], norder;
static void rec_cb(void *o) { order[norder++] = (int)(intptr_t)o; }

static void t_sched(void)
{
    sim_t *s = sim_new(NULL);
    CHECK(s != NULL);
    if (!s) return;
    sim_timer_t t[6];
    for (int i = 0; i < 6; i++) sim_timer_init(&t[i], s, rec_cb, (void *)(intptr_t)i);
    sim_timer_mod(&t[0], 300);
    sim_timer_mod(&t[1], 100);
    sim_timer_mod(&t[2], 200);
    sim_timer_mod(&t[3], 100);   /* same stamp: fires after t[1] (arm order) */
    sim_timer_mod(&t[4], 50);
    sim_timer_mod(&t[5], 1000);
    sim_timer_del(&t[4]);
    CHECK(!sim_timer_pending(&t[4]));
    sim_timer_mod(&t[0], 150);   /* re-arm moves it */
    sim_advance(s, 250);
    CHECK_EQ(norder, 4);
    CHECK_EQ(order[0], 1);
    CHECK_EQ(order[1], 3);
    CHECK_EQ(order[2], 0);
    CHECK_EQ(order[3], 2);
    CHECK_EQ(sim_now(s), 250);
    CHECK(sim_timer_pending(&t[5]));
    sim_advance(s, 10000);
    CHECK_EQ(norder, 5);
    CHECK_EQ(order[4], 5);
    CHECK_EQ(sim_cpu_hz(s), 700000000ull);
    CHECK_EQ(sim_ns_to_cycles(s, 1000), 700);
    CHECK_EQ(sim_cycles_to_ns(s, 700), 1000);
    CHECK_EQ(sim_board_revision(s), 0xE);
    CHECK_EQ(sim_arm_mem_size(s), 448u << 20);
    CHECK_EQ(sim_board_mac(s)[0], 0xb8);
    sim_free(s);
    sim_config_t cfg;
    sim_config_default(&cfg);
    cfg.board = SIM_BOARD_PI0;
    s = sim_new(&cfg);
    CHECK_EQ(sim_cpu_hz(s), 1000000000ull);
    CHECK_EQ(sim_board_revision(s), 0x00900093u);
    sim_free(s);
}

/* advance fires a timer that re-arms itself periodically, at exact stamps */
static uint64_t stamps[8];
static int nstamps;
typedef struct { sim_timer_t t; sim_t *s; } periodic_t;
static void periodic_cb(void *o)
{
    periodic_t *p = o;
    stamps[nstamps++] = sim_now(p->s);
    if (nstamps < 5) sim_timer_mod(&p->t, sim_now(p->s) + 1000);
}

static void t_advance(void)
{
    sim_t *s = sim_new(NULL);
    periodic_t p = {.s = s};
    sim_timer_init(&p.t, s, periodic_cb, &p);
    sim_timer_mod(&p.t, 500);
    sim_advance(s, 3000);
    CHECK_EQ(nstamps, 3);
    CHECK_EQ(stamps[0], 500);
    CHECK_EQ(stamps[2], 2500);
    sim_advance(s, 100000);
    CHECK_EQ(nstamps, 5);
    CHECK_EQ(stamps[4], 4500);
    CHECK_EQ(sim_now(s), 103000);
    sim_free(s);
}

static void t_mmio(void)
{
    testdev_t td;
    sim_t *s = boot("exit_ok.bin", SIM_TIMING_TRM, &td);
    CHECK(s != NULL);
    if (!s) return;
    sim_mmio_write(s, TESTDEV_BASE + TESTDEV_LOG, 0xabcd, 4);
    CHECK_EQ(td.nlog, 1);
    CHECK_EQ(td.log[0], 0xabcd);
    sim_advance(s, 42);
    CHECK_EQ(sim_mmio_read(s, TESTDEV_BASE + TESTDEV_NOW, 4), 42);
    CHECK(sim_map_stub(s, "stub", 0x31000000, 0x1000) == 0);
    CHECK_EQ(sim_mmio_read(s, 0x31000010, 4), 0);
    CHECK_EQ(sim_stats(s)->unimp_accesses, 1);
    CHECK(sim_map_stub(s, "overlap", 0x31000000, 0x1000) != 0);
    CHECK(sim_map_stub(s, "unaligned", 0x20301004, 0x1000) != 0);
    sim_mmio_read(s, 0x2FF00000, 4);   /* unmapped: guest error, continues */
    CHECK_EQ(sim_stats(s)->guest_errors, 1);
    uint32_t w = 0x11223344, r = 0;
    CHECK(sim_phys_write(s, 0x100000, &w, 4) == 0);
    CHECK(sim_phys_read(s, 0x100000, &r, 4) == 0);
    CHECK_EQ(r, w);
    CHECK(sim_phys_read(s, 0x1FFFFFFE, &r, 4) != 0);
    /* sim_cpu_set_irq from a timer with the CPU idle */
    td_write(&td, TESTDEV_IRQ_IN, 10, 4);
    sim_advance(s, 20);
    CHECK(s->irq_line);
    sim_free(s);
}

/* ---- exceptions ---------------------------------------------------------------------------- */
static uint32_t guest_word(sim_t *s, const char *sym_unused, uint32_t addr)
{
    (void)sym_unused;
    uint32_t v = 0;
    sim_phys_read(s, addr, &v, 4);
    return v;
}

static void t_svc_undef_abort(void)
{
    testdev_t td;
    sim_t *s = boot("exc.elf", SIM_TIMING_TRM, &td);
    CHECK(s != NULL);
    if (!s) return;
    sim_stop_t r = sim_run(s);
    CHECK_EQ(r, SIM_STOP_HALT);
    /* the sites table is the last word block of .text: find it by the log instead */
    if (td.nlog != 25) dump_log(&td);
    CHECK_EQ(td.nlog, 25);
    /* svc: lr, spsr, imm, mode ; after: lr (SYS), mode */
    uint32_t svc_ret = td.log[0];
    CHECK_EQ(td.log[1] & 0x1F, 0x1F);
    CHECK_EQ(td.log[2], 42);
    CHECK_EQ(td.log[3], 0x13);
    CHECK_EQ(td.log[4], 0x1234abcd);
    CHECK_EQ(td.log[5], 0x1F);
    CHECK_EQ(guest_word(s, "svc", svc_ret - 4) & 0x0F000000u, 0x0F000000u); /* an SVC precedes LR */
    /* undefined: lr = site + 4, spsr mode SVC */
    uint32_t und_lr = td.log[6];
    CHECK_EQ(guest_word(s, "udf", und_lr - 4), 0xe7f000f0u);
    CHECK_EQ(td.log[7] & 0x1F, 0x13);
    CHECK_EQ(td.log[8], 0x11111111);
    /* bkpt: lr = site + 4, IFSR = debug event */
    uint32_t bk_lr = td.log[9];
    CHECK_EQ(guest_word(s, "bkpt", bk_lr - 4) & 0x0FF000F0u, 0x01200070u);
    CHECK_EQ(td.log[10] & 0x40F, 0x2);
    CHECK_EQ(td.log[12], 0x22222222);
    /* data abort 1: load, section translation fault at 0x10000040 */
    uint32_t d1 = td.log[13];
    CHECK_EQ(guest_word(s, "ldr", d1 - 8), 0xe5921000u); /* ldr r1, [r2] */
    CHECK_EQ(td.log[14], 0x005);
    CHECK_EQ(td.log[15], 0x10000040);
    CHECK_EQ(td.log[16], 0x33333333);
    /* data abort 2: store, page translation fault (WnR) at 0x10100014 */
    CHECK_EQ(guest_word(s, "str", td.log[17] - 8), 0xe7821005u); /* str r1, [r2, r5] */
    CHECK_EQ(td.log[18], 0x807);
    CHECK_EQ(td.log[19], 0x10100014);
    CHECK_EQ(td.log[20], 0x44444444);
    /* prefetch abort via the MMU: lr = 0x10000004, IFSR 5 (section translation), IFAR */
    CHECK_EQ(td.log[21], 0x10000004);
    CHECK_EQ(td.log[22] & 0x40F, 0x005);
    CHECK_EQ(td.log[23], 0x10000000);
    CHECK_EQ(td.log[24], 0x55555555);
    const sim_stats_t *st = sim_stats(s);
    CHECK_EQ(st->svcs, 1);
    CHECK_EQ(st->undefs, 1);
    CHECK_EQ(st->dabts, 2);
    CHECK_EQ(st->pabts, 2);
    sim_free(s);
}

static void t_irq_nested_fiq(void)
{
    testdev_t td;
    sim_t *s = boot("irq.elf", SIM_TIMING_TRM, &td);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ(sim_run(s), SIM_STOP_HALT);
    static const uint32_t want[] = {'A', 'F', 0x13, 'B', 'E', 'M'};
    if (td.nlog != 6) dump_log(&td);
    CHECK_EQ(td.nlog, 6);
    for (unsigned i = 0; i < 6 && i < td.nlog; i++) CHECK_EQ(td.log[i], want[i]);
    CHECK_EQ(sim_stats(s)->irqs_taken, 2);
    CHECK_EQ(sim_stats(s)->fiqs_taken, 1);
    sim_free(s);
}

static uint32_t thumb_expected(void)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i < 20000; i++) sum += i * i + (i ^ 0x55);
    return sum;
}

static void t_thumb_irq(void)
{
    testdev_t td;
    sim_t *s = boot("thumb_irq.elf", SIM_TIMING_TRM, &td);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ(sim_run(s), SIM_STOP_HALT);
    CHECK_EQ(td.nlog, 3);
    CHECK_EQ(td.log[0], thumb_expected());
    CHECK(td.log[1] > 100);          /* many IRQs */
    CHECK(td.log[2] > 50);           /* most of them interrupted Thumb code */
    CHECK_EQ(sim_stats(s)->irqs_taken, td.log[1]);
    sim_free(s);
}

static void t_wfi(void)
{
    testdev_t td;
    sim_t *s = boot("wfi.elf", SIM_TIMING_TRM, &td);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ(sim_run(s), SIM_STOP_IDLE);
    if (td.nlog != 3) dump_log(&td);
    CHECK_EQ(td.nlog, 3);
    uint32_t before = td.log[0], in_irq = td.log[1], after = td.log[2];
    CHECK(in_irq - before >= 1000000 && in_irq - before < 1000100);
    CHECK(after > in_irq && after - in_irq < 100);
    CHECK_EQ(sim_stats(s)->wfis, 2);
    CHECK(sim_stats(s)->insns < 300);  /* time jumped, no spinning */
    sim_free(s);
}

static void t_semihosting(void)
{
    sim_t *s = boot("exit_ok.bin", SIM_TIMING_TRM, NULL);
    CHECK_EQ(sim_run(s), SIM_STOP_HALT);
    sim_free(s);
    s = boot("exit_fail.elf", SIM_TIMING_TRM, NULL);
    CHECK_EQ(sim_run(s), SIM_STOP_GUEST_FAIL);
    sim_free(s);
    s = boot("exit_thumb.elf", SIM_TIMING_TRM, NULL);
    CHECK_EQ(sim_run(s), SIM_STOP_HALT);
    sim_free(s);
    /* from user mode SVC 0x123456 is an ordinary SVC (privileged modes only, as QEMU) */
    testdev_t td;
    s = boot("user_semi.elf", SIM_TIMING_TRM, &td);
    CHECK_EQ(sim_run(s), SIM_STOP_HALT);
    CHECK_EQ(td.nlog, 2);
    CHECK_EQ(td.log[0], 0x123456u);
    CHECK_EQ(td.log[1], 0x10u);
    sim_free(s);
    /* without semihosting the SVC goes to the guest's vector (zeros: runs to the limit) */
    sim_config_t cfg;
    sim_config_default(&cfg);
    cfg.no_semihosting = true;
    cfg.max_cycles = 100000;
    s = sim_new(&cfg);
    char path[1024];
    snprintf(path, sizeof path, "%s/exit_ok.bin", guest_dir);
    CHECK(sim_load_image(s, path) == 0);
    CHECK_EQ(sim_run(s), SIM_STOP_CYCLE_LIMIT);
    CHECK(sim_stats(s)->svcs >= 1);
    sim_free(s);
}

static void t_determinism(void)
{
    uint64_t c[2], n[2];
    uint32_t l[2];
    for (int k = 0; k < 2; k++) {
        testdev_t td;
        sim_t *s = boot("thumb_irq.elf", SIM_TIMING_TRM, &td);
        CHECK_EQ(sim_run(s), SIM_STOP_HALT);
        c[k] = sim_stats(s)->cycles;
        n[k] = sim_stats(s)->insns;
        l[k] = td.log[1];
        sim_free(s);
    }
    CHECK_EQ(c[0], c[1]);
    CHECK_EQ(n[0], n[1]);
    CHECK_EQ(l[0], l[1]);
}

/* ---- timing model units -------------------------------------------------------------- */
static uint32_t cost_of(const uint32_t *w, unsigned n, bool insn_mode, sim_cost_entry_t *e)
{
    sim_timing_decode((const uint8_t *)w, n * 4, false, insn_mode, e);
    return e->cost;
}

/* Stops at block boundaries inside chains of directly linked blocks (Unicorn 2.0.1
 * restores the PC of the first block of the chain; the core must resume at the block
 * that was about to run). A host timer forces a stop every few cycles, at many
 * different blocks; every counter must come out exact, and equal to a run without. */
typedef struct { sim_t *sim; sim_timer_t t; uint64_t period; unsigned fired; } poker_t;
static void poke(void *o)
{
    poker_t *p = o;
    p->fired++;
    sim_timer_mod(&p->t, sim_now(p->sim) + p->period);
}

static void t_chain_stops(void)
{
    static const uint64_t periods[] = {0, 1, 3, 7, 13, 31};
    for (unsigned timing = 0; timing < 2; timing++) {
        uint64_t cycles0 = 0;
        for (unsigned k = 0; k < sizeof periods / sizeof periods[0]; k++) {
            testdev_t td;
            sim_t *s = boot("chain.elf", timing ? SIM_TIMING_INSN : SIM_TIMING_TRM, &td);
            CHECK(s != NULL);
            if (!s) return;
            poker_t p = {.sim = s, .period = periods[k]};
            sim_timer_init(&p.t, s, poke, &p);
            if (p.period) sim_timer_mod(&p.t, p.period);
            CHECK_EQ(sim_run(s), SIM_STOP_HALT);
            CHECK_EQ(td.nlog, 5);
            if (td.nlog == 5) {
                CHECK_EQ(td.log[0], CHAIN_ITERS);          /* r4: every iteration */
                CHECK_EQ(td.log[1], CHAIN_ITERS / 2);      /* r5: odd */
                CHECK_EQ(td.log[2], CHAIN_ITERS / 2);      /* r6: even */
                CHECK_EQ(td.log[3], 3u * CHAIN_ITERS);     /* r7 */
                CHECK_EQ(td.log[4], CHAIN_ITERS);          /* memory counter */
            }
            if (p.period) CHECK(p.fired > CHAIN_ITERS / 8);
            /* forced stops do not change the simulated cycle count */
            if (k == 0) cycles0 = sim_now(s);
            else CHECK_EQ(sim_now(s), cycles0);
            sim_timer_del(&p.t);
            sim_free(s);
        }
    }
}

/* A guest enables the PL011 and never reads while 20 bytes arrive at 115200 baud: the
 * FIFO keeps the first 16 (read back in order, without error bits), the last 4 are lost,
 * and RSR.OE and RIS.OE report the overrun. */
static void t_uart_overrun(void)
{
    char path[] = "/tmp/sim-core-overrun-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    const char *bytes = "abcdefghijklmnopqrst"; /* 20 */
    CHECK(write(fd, bytes, 20) == 20);
    close(fd);
    testdev_t td;
    boot_uart0_in = path;
    sim_t *s = boot("uart_overrun.elf", SIM_TIMING_TRM, &td);
    boot_uart0_in = NULL;
    unlink(path);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ(sim_run(s), SIM_STOP_HALT);
    CHECK_EQ(td.nlog, 3 + 16);
    if (td.nlog == 19) {
        CHECK(td.log[0] & PL011_FR_RXFF_BIT);      /* FIFO full */
        CHECK(td.log[1] & PL011_RSR_OE_BIT);       /* overrun in the receive status */
        CHECK(td.log[2] & PL011_INT_OE_BIT);       /* and in the raw interrupt status */
        for (unsigned i = 0; i < 16; i++) CHECK_EQ(td.log[3 + i], (uint32_t)bytes[i]); /* no error bits */
    }
    sim_free(s);
}

/* A guest arms the PM watchdog (100 ticks of 1/65536 s) and hangs: the board resets at
 * the expiry, the image is reloaded, and the second boot sees RSTS.HADWRH. */
static void t_wdog_reset(void)
{
    testdev_t td;
    sim_t *s = boot("wdog.elf", SIM_TIMING_TRM, &td);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ(sim_run(s), SIM_STOP_HALT);
    CHECK_EQ(td.nlog, 4);
    CHECK_EQ(sim_stats(s)->wdog_resets, 1);
    if (td.nlog == 4) {
        CHECK_EQ(td.log[0] & BCM2835_PM_RSTS_HADWRH_BIT, 0);   /* cold boot */
        CHECK(td.log[2] & BCM2835_PM_RSTS_HADWRH_BIT);         /* after the watchdog */
        /* expiry 100 / 65536 s after arming = 1068115 cycles at 700 MHz; the second boot
         * starts right after it (a few instructions later) */
        uint64_t expect = 100ull * 700000000ull / 65536ull;
        uint64_t took = td.log[3] - td.log[1];
        CHECK(took >= expect && took < expect + 2000);
    }
    sim_free(s);
}

static void t_timing_units(void)
{
    sim_cost_entry_t e;
    /* 3 ALU ops: 3 cycles */
    const uint32_t alu[] = {0xe0811002 /* add r1,r1,r2 */, 0xe0433004 /* sub r3,r3,r4 */, 0xe1a05006 /* mov r5,r6 */};
    CHECK_EQ(cost_of(alu, 3, false, &e), 3);
    CHECK_EQ(e.ninsn, 3);
    /* register-specified shift: +1 */
    const uint32_t rsh[] = {0xe0811312 /* add r1,r1,r2,lsl r3 */};
    CHECK_EQ(cost_of(rsh, 1, false, &e), 2);
    /* load-use: ldr r0,[r1]; add r2,r0,#1 -> 1 + 2 stall + 1 = 4 */
    const uint32_t lu1[] = {0xe5910000, 0xe2802001};
    CHECK_EQ(cost_of(lu1, 2, false, &e), 4);
    /* one independent instruction between: 1 stall -> 4 */
    const uint32_t lu2[] = {0xe5910000, 0xe2833001 /* add r3,r3,#1 */, 0xe2802001};
    CHECK_EQ(cost_of(lu2, 3, false, &e), 4);
    /* two between: no stall -> 4 */
    const uint32_t lu3[] = {0xe5910000, 0xe2833001, 0xe2844001, 0xe2802001};
    CHECK_EQ(cost_of(lu3, 4, false, &e), 4);
    /* mul r0,r1,r2; add r3,r0,#1 -> 2 issue, result at 4, add at 4 -> 5 */
    const uint32_t mu[] = {0xe0000291, 0xe2803001};
    CHECK_EQ(cost_of(mu, 2, false, &e), 5);
    /* umull r0,r1,r2,r3: 3 */
    const uint32_t ml[] = {0xe0810392};
    CHECK_EQ(cost_of(ml, 1, false, &e), 3);
    /* ldm r0,{r1-r4}: 2 ; stm r0,{r1-r5}: 3 ; ldm r0,{r1}: 1 */
    const uint32_t lm[] = {0xe890001e};
    CHECK_EQ(cost_of(lm, 1, false, &e), 2);
    const uint32_t sm[] = {0xe880003e};
    CHECK_EQ(cost_of(sm, 1, false, &e), 3);
    const uint32_t l1[] = {0xe8900002};
    CHECK_EQ(cost_of(l1, 1, false, &e), 1);
    /* pop {r4, pc}: 1 issue + 3 PC-load latency = 4, a return */
    const uint32_t pop[] = {0xe8bd8010};
    CHECK_EQ(cost_of(pop, 1, false, &e), 4);
    CHECK_EQ(e.pen_taken, 0);
    /* conditional backward branch: bne -8 -> fall-through mispredicted */
    const uint32_t bb[] = {0xe2511001 /* subs r1,r1,#1 */, 0x1afffffd /* bne .-4 */};
    CHECK_EQ(cost_of(bb, 2, false, &e), 2);
    CHECK_EQ(e.pen_fall, SIM_T_MISPREDICT);
    CHECK_EQ(e.pen_taken, 0);
    /* forward conditional branch: taken mispredicted */
    const uint32_t bf[] = {0x0a000004 /* beq .+24 */};
    cost_of(bf, 1, false, &e);
    CHECK_EQ(e.pen_taken, SIM_T_MISPREDICT);
    CHECK_EQ(e.pen_fall, 0);
    /* bx r3: indirect, mispredicted */
    const uint32_t bx[] = {0xe12fff13};
    cost_of(bx, 1, false, &e);
    CHECK_EQ(e.pen_taken, SIM_T_MISPREDICT);
    /* flags: cpsie i, I-cache invalidate, CCNT read */
    const uint32_t fl[] = {0xf1080080 /* cpsie i */, 0xee070f15 /* mcr p15,0,r0,c7,c5,0 */,
                           0xee1f3f3c /* mrc p15,0,r3,c15,c12,1 */};
    cost_of(fl, 3, false, &e);
    CHECK_EQ(e.flags, SIM_BF_CPSRW | SIM_BF_ICINV | SIM_BF_CCNT);
    CHECK_EQ(e.ccnt_rd, 3);
    CHECK_EQ(e.ccnt_off, 8);
    /* VFP: fdivs s0,s1,s2 = 19 ; fmuld d0,d1,d2 = 2 */
    const uint32_t fd[] = {0xee800a81};
    CHECK_EQ(cost_of(fd, 1, false, &e), 19);
    const uint32_t fm[] = {0xee210b02};
    CHECK_EQ(cost_of(fm, 1, false, &e), 2);
    /* Thumb: ldr r0,[r1]; adds r0,#1 -> 4 ; muls r0,r1 -> 2 */
    const uint16_t th[] = {0x6808, 0x3001};
    sim_timing_decode((const uint8_t *)th, 4, true, false, &e);
    CHECK_EQ(e.cost, 4);
    CHECK_EQ(e.ninsn, 2);
    const uint16_t bl[] = {0xf000, 0xf802 /* bl */, 0x4348 /* muls r0,r1 */};
    sim_timing_decode((const uint8_t *)bl, 6, true, false, &e);
    CHECK_EQ(e.ninsn, 2);
    CHECK_EQ(e.cost, 3);
}

/* Straight-line code split by the translator (page boundary, size limit) must cost the
 * same as unsplit, wherever the split falls: load-use and multiply interlocks across the
 * split are charged to the first part (sim_timing_decode_next). */
static void t_timing_split(void)
{
    static const uint32_t w[] = {
        0xE5910000, /* ldr r0, [r1]        */
        0xE2802001, /* add r2, r0, #1      load-use */
        0xE0030292, /* mul r3, r2, r2      */
        0xE2834001, /* add r4, r3, #1      multiply result latency */
        0xE5915004, /* ldr r5, [r1, #4]    */
        0xE0856005, /* add r6, r5, r5      load-use */
        0xE3A07001, /* mov r7, #1          */
        0xE0878007, /* add r8, r7, r7      */
    };
    const unsigned n = sizeof w / sizeof w[0];
    unsigned lossy = 0;
    sim_cost_entry_t whole, a, b;
    sim_timing_decode((const uint8_t *)w, n * 4, false, false, &whole);
    CHECK(whole.cost > n); /* the sequence does stall */
    for (unsigned k = 1; k < n; k++) {
        sim_timing_decode_next((const uint8_t *)w, k * 4, (const uint8_t *)(w + k), (n - k) * 4, false, false, &a);
        sim_timing_decode((const uint8_t *)(w + k), (n - k) * 4, false, false, &b);
        if (a.cost + b.cost != whole.cost)
            fprintf(stderr, "split after %u: %u + %u != %u\n", k, a.cost, b.cost, whole.cost);
        CHECK_EQ(a.cost + b.cost, whole.cost);
        /* without the next block's bytes the interlock would be lost */
        sim_timing_decode((const uint8_t *)w, k * 4, false, false, &a);
        CHECK(a.cost + b.cost <= whole.cost);
        lossy += a.cost + b.cost < whole.cost;
    }
    CHECK(lossy >= 2); /* the load-use and multiply splits */
}

static void t_timing_insn(void)
{
    sim_cost_entry_t e;
    const uint32_t seq[] = {0xe5910000, 0xe2802001, 0xe0000291, 0xe2803001, 0xe890001e, 0x1afffffd};
    CHECK_EQ(cost_of(seq, 6, true, &e), 6);
    CHECK_EQ(e.pen_fall, 0);
    CHECK_EQ(e.pen_taken, 0);
    /* whole program: insn mode cycles == instructions */
    testdev_t td;
    sim_t *s = boot("thumb_irq.elf", SIM_TIMING_INSN, &td);
    CHECK_EQ(sim_run(s), SIM_STOP_HALT);
    const sim_stats_t *st = sim_stats(s);
    /* exception entries cost nothing extra in insn mode */
    CHECK_EQ(st->cycles, st->insns);
    CHECK_EQ(td.log[0], thumb_expected());
    sim_free(s);
}

static void t_ccnt(void)
{
    for (int mode = 0; mode < 2; mode++) {
        testdev_t td;
        sim_t *s = boot("ccnt.elf", mode ? SIM_TIMING_INSN : SIM_TIMING_TRM, &td);
        CHECK_EQ(sim_run(s), SIM_STOP_HALT);
        CHECK_EQ(td.nlog, 2);
        CHECK_EQ(td.log[0], 11);
        /* CCNT read right after a device read of sim_now(): devices see block-granular
         * time (start of block + whole block cost), CCNT is exact: within one block */
        CHECK((int32_t)td.log[1] > -20 && (int32_t)td.log[1] < 20);
        sim_free(s);
    }
}

static void t_elf_raw(void)
{
    /* same program as ELF and raw image: same result and cycle count */
    uint64_t c[2];
    const char *g[2] = {"exit_thumb.elf", "exit_thumb.bin"};
    for (int k = 0; k < 2; k++) {
        sim_t *s = boot(g[k], SIM_TIMING_TRM, NULL);
        CHECK(s != NULL);
        if (!s) return;
        CHECK_EQ(sim_run(s), SIM_STOP_HALT);
        c[k] = sim_stats(s)->cycles;
        sim_free(s);
    }
    CHECK_EQ(c[0], c[1]);
    CHECK(boot("does-not-exist.elf", SIM_TIMING_TRM, NULL) == NULL);
}

/* watchdog-style reset: a timer requests a board reset mid-run; the guest restarts from
 * a pristine image (exc.elf logs 25 entries per run) */
static testdev_t *reset_td;
static void reset_cb(void *o)
{
    (void)o;
    sim_request_board_reset(reset_td->sim, "test");
}

static void t_board_reset(void)
{
    testdev_t td;
    sim_t *s = boot("exc.elf", SIM_TIMING_TRM, &td);
    reset_td = &td;
    sim_timer_t t;
    sim_timer_init(&t, s, reset_cb, NULL);
    sim_timer_mod(&t, 200);
    CHECK_EQ(sim_run(s), SIM_STOP_HALT);
    CHECK_EQ(sim_stats(s)->wdog_resets, 1);
    CHECK(td.nlog > 25);
    CHECK_EQ(td.log[td.nlog - 1], 0x55555555);
    sim_free(s);
    /* with wdog_stop */
    sim_config_t cfg;
    sim_config_default(&cfg);
    cfg.wdog_stop = true;
    s = sim_new(&cfg);
    char path[1024];
    snprintf(path, sizeof path, "%s/thumb_irq.elf", guest_dir);
    sim_load_image(s, path);
    td.sim = s;
    sim_timer_init(&t, s, reset_cb, NULL);
    sim_timer_mod(&t, 200);
    CHECK_EQ(sim_run(s), SIM_STOP_WATCHDOG);
    sim_free(s);
}

static void t_bench_smoke(void)
{
    testdev_t td;
    sim_t *s = boot("bench.elf", SIM_TIMING_TRM, &td);
    CHECK_EQ(sim_run(s), SIM_STOP_HALT);
    CHECK_EQ(td.nlog, 2);
    fprintf(stderr, "bench: %llu insns, %llu cycles, %.3f s, %.0f MIPS\n",
            (unsigned long long)sim_stats(s)->insns, (unsigned long long)sim_stats(s)->cycles,
            sim_stats(s)->host_seconds, sim_stats(s)->insns / sim_stats(s)->host_seconds / 1e6);
    sim_free(s);
}

/* IRQ entry latency probes: a BCM2835 source raised through the IC while the CPU waits in
 * WFI gives exactly exception entry + the vector branch (and its penalty) at the handler's
 * first instruction, + the cost of the instructions before a label further in; a rise
 * while CPSR.I is set adds the masked time. Exact and deterministic. */
static void t_irq_probe(void)
{
    uint64_t first[2][2] = {{0}};
    for (int mode = 0; mode < 2; mode++) {
        bool insn = mode == 1;
        for (int rep = 0; rep < 2; rep++) {
            testdev_t td;
            sim_t *s = boot("irq_probe.elf", insn ? SIM_TIMING_INSN : SIM_TIMING_TRM, &td);
            CHECK(s != NULL);
            if (!s) return;
            uint32_t h = 0, mid = 0, vec = 0, pre[3];
            CHECK_EQ(sim_symbol_lookup(s, "probe_h", &h), 0);
            CHECK_EQ(sim_symbol_lookup(s, "probe_mid", &mid), 0);
            CHECK(sim_symbol_lookup(s, "no_such_symbol", &vec) != 0);
            CHECK_EQ(mid - h, 12);
            CHECK_EQ(sim_add_irq_probe(s, PROBE_SRC, h, "probe_h"), 0);
            CHECK_EQ(sim_add_irq_probe(s, PROBE_SRC, mid, "probe_mid"), 1);
            CHECK_EQ(sim_add_irq_probe(s, PROBE_SRC + 1, h, NULL), 2); /* never rises */
            CHECK_EQ(sim_run(s), SIM_STOP_HALT);
            CHECK_EQ(td.nlog, 2);
            CHECK_EQ(td.log[0], 'A');
            CHECK_EQ(td.log[1], 'B');
            /* expected entry: SIM_T_EXC_ENTRY, the `b irq_h` at the IRQ vector (0x8018), the
             * taken-branch penalty it hands to the handler's block */
            sim_cost_entry_t e, e3;
            CHECK_EQ(sim_read_va(s, 0x8018, &vec, 4), 0);
            cost_of(&vec, 1, insn, &e);
            uint64_t entry = (insn ? 0 : SIM_T_EXC_ENTRY) + e.cost + e.pen_taken;
            CHECK_EQ(sim_read_va(s, h, pre, 12), 0);
            uint64_t before_mid = cost_of(pre, 3, insn, &e3);
            sim_irq_probe_info_t p0, p1, p2;
            CHECK_EQ(sim_irq_probe_count(s), 3);
            CHECK_EQ(sim_irq_probe_get(s, 0, &p0), 0);
            CHECK_EQ(sim_irq_probe_get(s, 1, &p1), 0);
            CHECK_EQ(sim_irq_probe_get(s, 2, &p2), 0);
            CHECK_EQ(p0.hits, 2);
            CHECK_EQ(p0.nsamples, 2);
            CHECK_EQ(p0.unarmed, 0);
            CHECK_EQ(p1.hits, 2);
            CHECK_EQ(p2.hits, 0);
            CHECK_EQ(p2.unarmed, 2); /* executed, but its source never rose */
            if (p0.nsamples == 2 && p1.nsamples == 2) {
                fprintf(stderr, "%s: entry %llu cycles (expected %llu), +%llu at probe_mid; masked %llu\n",
                        insn ? "insn" : "trm", (unsigned long long)p0.samples[0], (unsigned long long)entry,
                        (unsigned long long)before_mid, (unsigned long long)p0.samples[1]);
                CHECK_EQ(p0.samples[0], entry);
                CHECK_EQ(p1.samples[0], entry + before_mid);
                CHECK_EQ(p1.samples[1], p0.samples[1] + before_mid);
                /* masked: the loop (>= 2 cycles per iteration) after the rise, 20 cycles
                 * after the loop starts, delays the entry */
                CHECK(p0.samples[1] >= entry + 2 * PROBE_MASK_ITERS - 40);
                CHECK(p0.samples[1] <= entry + 10 * PROBE_MASK_ITERS);
                CHECK_EQ(p0.min, p0.samples[0]);
                CHECK_EQ(p0.median, p0.samples[0]); /* nearest rank of 2 */
                CHECK_EQ(p0.p99, p0.samples[1]);
                CHECK_EQ(p0.max, p0.samples[1]);
                if (rep == 0) {
                    first[mode][0] = p0.samples[0];
                    first[mode][1] = p0.samples[1];
                } else {
                    CHECK_EQ(p0.samples[0], first[mode][0]); /* deterministic */
                    CHECK_EQ(p0.samples[1], first[mode][1]);
                }
            }
            /* the IC side: the last rise was consumed by the first probe that hit */
            CHECK(!soc_irq_rise_armed(sim_soc(s), PROBE_SRC));
            CHECK_EQ(soc_irq_rise_seq(sim_soc(s), PROBE_SRC), 2);
            CHECK(soc_irq_rise_cycle(sim_soc(s), PROBE_SRC) > 0);
            CHECK(sim_add_irq_probe(s, 72, h, NULL) < 0);
            sim_free(s);
        }
    }
}

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
    {"irq_probe", t_irq_probe},
    {"sched", t_sched},
    {"advance", t_advance},
    {"mmio", t_mmio},
    {"svc_undef_abort", t_svc_undef_abort},
    {"irq_nested_fiq", t_irq_nested_fiq},
    {"thumb_irq", t_thumb_irq},
    {"wfi", t_wfi},
    {"semihosting", t_semihosting},
    {"determinism", t_determinism},
    {"chain_stops", t_chain_stops},
    {"uart_overrun", t_uart_overrun},
    {"wdog_reset", t_wdog_reset},
    {"timing_units", t_timing_units},
    {"timing_split", t_timing_split},
    {"timing_insn", t_timing_insn},
    {"ccnt", t_ccnt},
    {"elf_raw", t_elf_raw},
    {"board_reset", t_board_reset},
    {"bench_smoke", t_bench_smoke},
};

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s TEST GUEST_DIR\n", argv[0]);
        return 2;
    }
    guest_dir = argv[2];
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (strcmp(argv[1], tests[i].name) == 0) {
            tests[i].fn();
            if (failures) fprintf(stderr, "%s: %d check(s) failed\n", argv[1], failures);
            return failures ? 1 : 0;
        }
    }
    fprintf(stderr, "unknown test %s\n", argv[1]);
    return 2;
}
