/* rpi-serverkernel firmware entry: board bring-up, banner, and the line console.
 *
 * Console protocol (all replies are full lines ending in CRLF; the prompt "> " is the only
 * partial line; typed characters are echoed):
 *   md5 N TEXT  -> "md5-start", "md5-end", "md5 n=N digest=<32 hex> cycles=C us=T"
 *   info        -> "info board=... rev=0x... arm_mem=...MiB cpu_hz=... uart_hz=... cycles_src=...
 *                   uptime_us=... rx_overruns=... rx_dropped=... bad_lines=..."
 *   reset       -> "reset", then a watchdog full reset
 *   halt        -> "halt", then semihosting SYS_EXIT; without a host, park in WFI
 *   help        -> "help <cmd> ..." lines
 *   eno start [BAUD] -> "eno started baud=<b>" (mini UART EnOcean link, 57600 default, <= 115200)
 *   eno stop    -> "eno stopped"
 *   eno stats   -> "eno-stats telegrams=<n> bytes=<n> overruns=<n> rx_dropped=<n> crc_hdr=<n>
 *                   crc_data=<n> sync_skipped=<n> oversize=<n> no_buf=<n> reports_dropped=<n>"
 *                   (reports_dropped: telegram lines dropped because the console was full)
 *   baud N      -> "baud <n>" at the old rate, then the console runs at N (TX drained first)
 *   storm HZ    -> "storm hz=<n>" (system timer C3 at HZ on the lowest VMIT level; 0 stops)
 *   vmit        -> "vmit src=<n> prio=<level> taken=<n> nested=<n> max_depth=<n> overruns=<n>"
 *                  per connected source, then "vmit-total spurious=<n> vmio_runs=<n> max_depth=<n>"
 *   vmio        -> "vmio-latency n=<count> median_cyc=<c> p99_cyc=<c> max_cyc=<c> median_us=<x.xx>
 *                   p99_us=<x.xx> max_us=<x.xx>": VMIO response time of every event dispatched
 *                   since boot / the last reset, from its deposit (VMIT level or application)
 *                   or internal post to the end of the handler that consumed it (vmio.h
 *                   "Response time": nearest-rank quantiles, exact below 128 cycles, else
 *                   within 0.8 %); us = cycles / (cpu_hz / 1e6), truncated to 0.01 us;
 *                   n=0 prints zeros
 *   vmio reset  -> "vmio-latency reset" (histogram emptied)
 *   (asynchronous) one "eno seq=... cyc=<u32>" line per decoded telegram (io/app.h), written
 *                  by the app automaton at VMIO level; console writes are line-atomic
 *   errors      -> "err unknown-command <word>", "err bad-argument <what>", "err line-too-long"
 *
 * Serverkernel frames share the line: a 0x00 byte (never in text) starts a binary frame that
 * sk_exec_feed() takes up to its closing 0x00 (docs/protocol.md "Serial transport"). */
#include <stdint.h>
#include "boot/exc.h"
#include "boot/mmu.h"
#include "hal/cpu.h"
#include "hal/eno.h"
#include "hal/mbox.h"
#include "hal/systimer.h"
#include "hal/uart.h"
#include "hal/wdog.h"
#include "lib/console.h"
#include "lib/kstring.h"
#include "lib/md5.h"
#include "lib/printf.h"
#include "sk/exec.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/mbox.h"
#include "bcm2835/systimer.h"
#include "hal/mmio.h"
#include "io/app.h"
#include "io/esp3.h"
#include "vmio/vmio.h"
#include "vmit/vmit.h"
#ifdef SK_FW_TEST_CMDS
#include "sk/sbtest.h"
#endif
#include "err.h"
#include "memmap.h"

#ifndef SK_FW_VERSION
#define SK_FW_VERSION "0.0.0"
#endif

#define MAIN_MD5_N_MAX 100000000u
#define MAIN_DRAIN_US 1000000u       /* bound on waiting for the TX FIFO to empty */
#define MAIN_RESET_DRAIN_US 100000u

typedef struct board_info {
    uint32_t rev;
    uint32_t arm_mem;  /* bytes */
    uint32_t cpu_hz;
    uint32_t uart_hz;
    uint32_t core_hz;
    const char *name;
} board_info_t;

static board_info_t board;
static con_t console;

/* I/O container automatons (VMIO ids). */
#define MAIN_AUT_ESP3 1
#define MAIN_AUT_APP 2
static esp3_t main_esp3;
static app_t main_app;

/* Timer storm (load generator) on ST C3, VMIT_LEVEL_STORM. */
#define MAIN_STORM_HZ_MAX 100000u   /* period >= ST_PERIODIC_MIN_US */
#define MAIN_STORM_WORK 256u        /* mixing rounds per tick ("a little work") */
static volatile uint32_t main_storm_ticks;
static volatile uint32_t main_storm_sink;

/* Board from the revision code (Raspberry Pi documentation "revision codes"): new style
 * (bit 23) has the type in bits 11:4 (0x01 B, 0x03 B+, 0x09 Zero, 0x0C Zero W); old style
 * codes 0x02-0x06, 0x0D-0x0F are the Pi 1 B and 0x10/0x13 the B+. */
static const char *board_name(uint32_t rev)
{
    if (rev & (1u << 23)) {
        switch ((rev >> 4) & 0xFFu) {
        case 0x01:
        case 0x03: return "pi1b";
        case 0x09:
        case 0x0C: return "pi0";
        default: return "unknown";
        }
    }
    switch (rev & 0xFFFFu) { /* bit 24 is the old-style "warranty void" flag */
    case 0x02: case 0x03: case 0x04: case 0x05: case 0x06:
    case 0x0D: case 0x0E: case 0x0F: case 0x10: case 0x13:
        return "pi1b";
    default:
        return "unknown";
    }
}

static void board_probe(void)
{
    uint32_t base = 0;
    if (mbox_get_board_rev(&board.rev))
        board.rev = 0;
    if (mbox_get_arm_memory(&base, &board.arm_mem) || base != 0)
        board.arm_mem = 0;
    if (mbox_get_clock_rate(MBOX_CLOCK_ARM, &board.cpu_hz))
        board.cpu_hz = 0;
    if (mbox_get_clock_rate(MBOX_CLOCK_UART, &board.uart_hz))
        board.uart_hz = 0;
    if (mbox_get_clock_rate(MBOX_CLOCK_CORE, &board.core_hz))
        board.core_hz = 0;
    board.name = board_name(board.rev);
}

static void main_con_write(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    uart_write(s, len);
}

static void main_hex(const uint8_t *d, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 0xFu];
    }
    out[2 * n] = '\0';
}

/* Parses a decimal uint32 word; *end points after it. */
static int main_parse_u32(const char *s, uint32_t *out, const char **end)
{
    uint64_t v = 0;
    const char *p = s;
    while (*p >= '0' && *p <= '9') {
        v = v * 10u + (uint64_t)(*p - '0');
        if (v > 0xFFFFFFFFu)
            return ERR_RANGE;
        p++;
    }
    if (p == s || (*p && *p != ' '))
        return ERR_INVAL;
    *out = (uint32_t)v;
    *end = p;
    return ERR_OK;
}

/* md5 N TEXT: TEXT is everything after the single space that follows N (it may contain
 * spaces, including leading ones; it may be empty). */
static void cmd_md5(con_t *con, const char *args)
{
    uint32_t n;
    const char *text;
    uint8_t digest[MD5_DIGEST_LEN];
    char hex[2 * MD5_DIGEST_LEN + 1];

    if (main_parse_u32(args, &n, &text) || n < 1 || n > MAIN_MD5_N_MAX) {
        con_reply(con, "err bad-argument N must be 1..%lu", (unsigned long)MAIN_MD5_N_MAX);
        return;
    }
    if (*text == ' ')
        text++;
    size_t len = strlen(text);

    con_reply(con, "md5-start");
    uart_tx_drain(MAIN_DRAIN_US);
    uint64_t t0 = st_now_us();
    uint64_t c0 = cpu_cycles();
    md5_chain(text, len, n, digest);
    uint64_t c1 = cpu_cycles();
    uint64_t t1 = st_now_us();
    con_reply(con, "md5-end");
    main_hex(digest, sizeof digest, hex);
    con_reply(con, "md5 n=%lu digest=%s cycles=%llu us=%llu", (unsigned long)n, hex,
              (unsigned long long)(c1 - c0), (unsigned long long)(t1 - t0));
}

static void cmd_info(con_t *con, const char *args)
{
    (void)args;
    uart_stats_t us;
    uart_get_stats(&us);
    con_reply(con,
              "info board=%s rev=0x%lx arm_mem=%luMiB cpu_hz=%lu uart_hz=%lu cycles_src=%s "
              "uptime_us=%llu rx_overruns=%lu rx_dropped=%lu bad_lines=%lu",
              board.name, (unsigned long)board.rev, (unsigned long)(board.arm_mem >> 20),
              (unsigned long)board.cpu_hz, (unsigned long)board.uart_hz, cpu_cycles_source(),
              (unsigned long long)st_now_us(), (unsigned long)us.rx_overruns,
              (unsigned long)us.rx_dropped, (unsigned long)con->stats.bad_lines);
}

static void cmd_reset(con_t *con, const char *args)
{
    (void)args;
    con_reply(con, "reset");
    uart_tx_drain(MAIN_RESET_DRAIN_US);
    wdog_reset();
}

static void cmd_halt(con_t *con, const char *args)
{
    (void)args;
    con_reply(con, "halt");
    uart_tx_drain(MAIN_DRAIN_US);
    cpu_semihost_exit();
    /* Only reached without a semihosting host (real board): park. */
    exc_halt();
}

static void main_storm_tick(void *arg)
{
    (void)arg;
    uint32_t x = main_storm_sink ^ ++main_storm_ticks;
    for (unsigned i = 0; i < MAIN_STORM_WORK; i++) { /* xorshift32 */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
    }
    main_storm_sink = x;
}

/* Console rate: a run that reports more than 115200 baud carries (one line per radio
 * telegram at 115200 radio baud) switches to a faster console. The reply goes out at the
 * old rate; the host switches after reading it. */
static void cmd_baud(con_t *con, const char *args)
{
    const char *end;
    uint32_t b;
    if (main_parse_u32(args, &b, &end) || *end || b < 1200u || b > 3000000u) {
        con_reply(con, "err bad-argument baud 1200..3000000");
        return;
    }
    con_reply(con, "baud %lu", (unsigned long)b);
    if (uart_set_baud(b))
        con_reply(con, "err out-of-range baud %lu", (unsigned long)b);
}

static void cmd_storm(con_t *con, const char *args)
{
    uint32_t hz;
    const char *end;
    if (main_parse_u32(args, &hz, &end) || *end || hz > MAIN_STORM_HZ_MAX) {
        con_reply(con, "err bad-argument HZ must be 0..%lu", (unsigned long)MAIN_STORM_HZ_MAX);
        return;
    }
    if (hz == 0) {
        st_cancel(3);
    } else if (st_periodic(3, 1000000u / hz, main_storm_tick, 0)) {
        con_reply(con, "err bad-argument HZ must be 0..%lu", (unsigned long)MAIN_STORM_HZ_MAX);
        return;
    }
    con_reply(con, "storm hz=%lu", (unsigned long)hz);
}

static void cmd_vmit(con_t *con, const char *args)
{
    (void)args;
    vmit_stats_t t;
    for (unsigned i = 0; i < VMIT_NSRC; i++) {
        vmit_src_stats_t st;
        if (vmit_get_src_stats(i, &st) || st.level < 0)
            continue;
        con_reply(con, "vmit src=%u prio=%d taken=%lu nested=%lu max_depth=%lu overruns=%lu", i, st.level,
                  (unsigned long)st.taken, (unsigned long)st.nested, (unsigned long)st.max_depth,
                  (unsigned long)st.overruns);
    }
    vmit_get_stats(&t);
    con_reply(con, "vmit-total spurious=%lu vmio_runs=%lu max_depth=%lu", (unsigned long)t.spurious,
              (unsigned long)t.vmio_runs, (unsigned long)t.max_depth);
}

/* Cycles to hundredths of a microsecond at the CPU clock the mailbox reported. */
static void main_cyc_us(uint32_t cyc, char *out, size_t n)
{
    uint32_t hz = board.cpu_hz ? board.cpu_hz : 700000000u; /* cpu.c's default when unknown */
    uint64_t c_us = (uint64_t)cyc * 100000000ull / hz;
    snprintf(out, n, "%llu.%02u", (unsigned long long)(c_us / 100u), (unsigned)(c_us % 100u));
}

static void cmd_vmio(con_t *con, const char *args)
{
    if (!strcmp(args, "reset")) {
        uint32_t flags = exc_irq_save(); /* VMIO records at its level: keep it out */
        vmio_latency_reset();
        exc_irq_restore(flags);
        con_reply(con, "vmio-latency reset");
        return;
    }
    if (*args) {
        con_reply(con, "err bad-argument vmio [reset]");
        return;
    }
    vmio_latency_t l;
    int rc = vmio_latency_get(VMIO_LAT_ALL, &l); /* retried if VMIO preempted the read */
    if (rc == ERR_BUSY) {
        uint32_t flags = exc_irq_save();
        rc = vmio_latency_get(VMIO_LAT_ALL, &l);
        exc_irq_restore(flags);
    }
    char med[24], p99[24], mx[24];
    main_cyc_us(l.median_cyc, med, sizeof med);
    main_cyc_us(l.p99_cyc, p99, sizeof p99);
    main_cyc_us(l.max_cyc, mx, sizeof mx);
    con_reply(con, "vmio-latency n=%lu median_cyc=%lu p99_cyc=%lu max_cyc=%lu median_us=%s p99_us=%s max_us=%s",
              (unsigned long)l.count, (unsigned long)l.median_cyc, (unsigned long)l.p99_cyc,
              (unsigned long)l.max_cyc, med, p99, mx);
}

static void cmd_eno(con_t *con, const char *args)
{
    if (!strncmp(args, "start", 5) && (args[5] == '\0' || args[5] == ' ')) {
        uint32_t baud = ENO_DEFAULT_BAUD;
        const char *p = args + 5, *end;
        while (*p == ' ')
            p++;
        if (*p && (main_parse_u32(p, &baud, &end) || *end)) {
            con_reply(con, "err bad-argument BAUD must be %lu..%lu", (unsigned long)ENO_MIN_BAUD,
                      (unsigned long)ENO_MAX_BAUD);
            return;
        }
        int rc = eno_start(baud, vmio_addr(VMIO_NODE_LOCAL, MAIN_AUT_ESP3, 0), 0);
        if (rc) {
            con_reply(con, "err bad-argument BAUD must be %lu..%lu", (unsigned long)ENO_MIN_BAUD,
                      (unsigned long)ENO_MAX_BAUD);
            return;
        }
        con_reply(con, "eno started baud=%lu", (unsigned long)baud);
    } else if (!strcmp(args, "stop")) {
        eno_stop();
        con_reply(con, "eno stopped");
    } else if (!strcmp(args, "stats")) {
        eno_stats_t e;
        esp3_stats_t p;
        app_stats_t a;
        uart_stats_t u;
        eno_get_stats(&e);
        uart_get_stats(&u);
        uint32_t flags = exc_irq_save(); /* VMIO runs with IRQs on: take a consistent copy */
        esp3_get_stats(&main_esp3, &p);
        app_get_stats(&main_app, &a);
        exc_irq_restore(flags);
        con_reply(con,
                  "eno-stats telegrams=%lu bytes=%lu overruns=%lu rx_dropped=%lu crc_hdr=%lu crc_data=%lu "
                  "sync_skipped=%lu oversize=%lu no_buf=%lu reports_dropped=%lu",
                  (unsigned long)a.frames, (unsigned long)e.bytes, (unsigned long)e.overruns,
                  (unsigned long)e.rx_dropped, (unsigned long)p.hdr_crc, (unsigned long)p.data_crc,
                  (unsigned long)p.sync_skipped, (unsigned long)p.oversize, (unsigned long)p.no_buf,
                  (unsigned long)u.tx_lines_dropped);
    } else {
        con_reply(con, "err bad-argument eno start [BAUD]|stop|stats");
    }
}

#ifdef SK_FW_TEST_CMDS
/* Bring-up self tests, only in images configured with -DSK_FW_TEST_CMDS=ON. */
static volatile uint32_t main_fired[4];
static volatile uint32_t main_fire_order;

static void main_timer_cb(void *arg)
{
    main_fired[(uintptr_t)arg] = ++main_fire_order;
}

/* selftest vmit: A = ST C3 at VMIT_LEVEL_STORM (0), B = ST C1 at VMIT_LEVEL_TIMER (1).
 * A arms B and spins until B has run (B must preempt A: nesting); B re-arms C3 (callback C)
 * and spins past its match: C must not run inside B (level 0 masked) though the timer
 * shows it pending; A checks C again (equal level: masked); C runs after A returns.
 * Each callback records its order, level, depth and whether SP lies in its level's stack. */
typedef struct main_vt_rec {
    uint32_t order, level, depth, sp_ok;
} main_vt_rec_t;
static volatile main_vt_rec_t main_vt[3];  /* A, B, C */
static volatile uint32_t main_vt_seq, main_vt_c_in_b, main_vt_c_pend_in_b, main_vt_c_in_a, main_vt_a_end;

static void main_vt_note(unsigned who)
{
    uint32_t sp, lo, hi;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    int lvl = vmit_level();
    vmit_stack_range(lvl < 0 ? 0 : (unsigned)lvl, &lo, &hi);
    main_vt[who].order = ++main_vt_seq;
    main_vt[who].level = (uint32_t)lvl;
    main_vt[who].depth = vmit_depth();
    main_vt[who].sp_ok = lvl >= 0 && sp >= lo && sp < hi;
}

static void main_vt_c(void *arg)
{
    (void)arg;
    main_vt_note(2);
}

static void main_vt_b(void *arg)
{
    (void)arg;
    main_vt_note(1);
    st_oneshot(3, ST_ONESHOT_MIN_US, main_vt_c, 0);
    uint32_t start = st_now32();
    while (st_now32() - start < 50u)
        ;
    main_vt_c_in_b = main_vt[2].order != 0;
    mmio_enter();
    main_vt_c_pend_in_b = (mmio_read32(BCM2835_ST_BASE, BCM2835_ST_CS) & BCM2835_ST_CS_M(3)) != 0;
    mmio_leave();
}

static void main_vt_a(void *arg)
{
    (void)arg;
    main_vt_note(0);
    st_oneshot(1, 20u, main_vt_b, 0);
    uint32_t start = st_now32();
    while (!main_vt[1].order && st_now32() - start < 10000u)
        ;
    start = st_now32();
    while (st_now32() - start < 20u)
        ;
    main_vt_c_in_a = main_vt[2].order != 0;
    main_vt_a_end = ++main_vt_seq;
}

static void selftest_vmit(con_t *con)
{
    for (unsigned i = 0; i < 3; i++)
        main_vt[i].order = main_vt[i].level = main_vt[i].depth = main_vt[i].sp_ok = 0;
    main_vt_seq = main_vt_c_in_b = main_vt_c_pend_in_b = main_vt_c_in_a = main_vt_a_end = 0;
    st_cancel(3);  /* the storm, if any, shares C3 */
    st_oneshot(3, 20u, main_vt_a, 0);
    uint32_t start = st_now32();
    while (!main_vt[2].order && st_now32() - start < 100000u)
        ;
    int ok = main_vt[0].order == 1 && main_vt[1].order == 2 && main_vt_a_end == 3 && main_vt[2].order == 4 &&
             main_vt[0].level == VMIT_LEVEL_STORM && main_vt[1].level == VMIT_LEVEL_TIMER &&
             main_vt[2].level == VMIT_LEVEL_STORM && main_vt[0].depth == 1 && main_vt[1].depth == 2 &&
             main_vt[2].depth == 1 && main_vt[0].sp_ok && main_vt[1].sp_ok && main_vt[2].sp_ok &&
             !main_vt_c_in_b && main_vt_c_pend_in_b && !main_vt_c_in_a;
    con_reply(con,
              "selftest vmit order=a%lu,b%lu,a_end%lu,c%lu levels=%lu,%lu,%lu depths=%lu,%lu,%lu "
              "own_stacks=%lu,%lu,%lu c_masked_in_b=%d c_pending_in_b=%lu c_masked_in_a=%d ok=%d",
              (unsigned long)main_vt[0].order, (unsigned long)main_vt[1].order, (unsigned long)main_vt_a_end,
              (unsigned long)main_vt[2].order, (unsigned long)main_vt[0].level, (unsigned long)main_vt[1].level,
              (unsigned long)main_vt[2].level, (unsigned long)main_vt[0].depth, (unsigned long)main_vt[1].depth,
              (unsigned long)main_vt[2].depth, (unsigned long)main_vt[0].sp_ok, (unsigned long)main_vt[1].sp_ok,
              (unsigned long)main_vt[2].sp_ok, !main_vt_c_in_b, (unsigned long)main_vt_c_pend_in_b,
              !main_vt_c_in_a, ok);
}

/* selftest esp3: the RPS vector (shared/reference/esp3-vectors.txt) deposited on the
 * application's queue for the esp3 automaton: VMIO (idle loop) decodes it and app prints
 * its "eno seq=..." line. Exercises the VMIO wiring without a modem on the mini UART. */
static void selftest_esp3(con_t *con)
{
    static const uint8_t w[] = {0x55, 0x00, 0x07, 0x07, 0x01, 0x7A, 0xF6, 0x50, 0x00, 0x29, 0x89,
                                0x79, 0x30, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x61};
    size_t n = vmio_deposit_bytes(VMIO_LEVEL_APP, vmio_addr(VMIO_NODE_LOCAL, MAIN_AUT_ESP3, 0), VMIO_EV_RX,
                                  w, sizeof w);
    con_reply(con, "selftest esp3 deposited=%u", (unsigned)n);
}

static void cmd_selftest(con_t *con, const char *args)
{
    if (!strcmp(args, "vmit")) {
        selftest_vmit(con);
    } else if (!strcmp(args, "esp3")) {
        selftest_esp3(con);
    } else if (!strcmp(args, "timer")) {
        main_fired[1] = main_fired[3] = 0;
        main_fire_order = 0;
        st_oneshot(1, 20000, main_timer_cb, (void *)1);
        st_oneshot(3, 5000, main_timer_cb, (void *)3);
        uint32_t start = st_now32();
        while ((!main_fired[1] || !main_fired[3]) && st_now32() - start < 100000u)
            ;
        con_reply(con, "selftest timer c1=%lu c3=%lu waited_us=%lu", (unsigned long)main_fired[1],
                  (unsigned long)main_fired[3], (unsigned long)(st_now32() - start));
    } else if (!strcmp(args, "mbox")) {
        uint8_t mac[6] = {0};
        uint32_t rev = 0;
        int rc = mbox_get_mac(mac);
        int rc2 = mbox_get_board_rev(&rev);
        con_reply(con, "selftest mbox rc=%d,%d rev=0x%lx mac=%02x:%02x:%02x:%02x:%02x:%02x", rc, rc2,
                  (unsigned long)rev, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    } else if (!strcmp(args, "abort")) {
        con_reply(con, "selftest abort: reading 0x30000000 (unmapped)");
        uart_tx_drain(MAIN_DRAIN_US);
        (void)*(volatile uint32_t *)0x30000000u;
    } else if (!strcmp(args, "undef")) {
        __asm__ volatile(".word 0xe7f000f0"); /* permanently undefined (ARM ARM A3.16) */
    } else {
        con_reply(con, "err bad-argument selftest timer|mbox|abort|undef|vmit|esp3");
    }
}
#endif

/* Serverkernel executive from the console (sk/exec.h): status; idle adverts on a line
 * dedicated to the serverkernel. */
static void cmd_sk(con_t *con, const char *args)
{
    char line[160];
    if (!strcmp(args, "adverts on"))
        sk_exec_set_adverts(1);
    else if (!strcmp(args, "adverts off"))
        sk_exec_set_adverts(0);
    else if (args[0]) {
        con_reply(con, "err bad-argument sk [adverts on|off]");
        return;
    }
    sk_exec_status(line, sizeof line);
    con_reply(con, "%s", line);
}

static const con_cmd_t main_cmds[] = {
#ifdef SK_FW_TEST_CMDS
    {"selftest", "timer|mbox|abort|undef|vmit|esp3", "bring-up checks (test images only)", cmd_selftest},
    {"sbtest", "[trusted] NAME [US]|bench [N]|hang [MS]", "sandbox test payloads (test images only)",
     sk_sbtest_cmd},
#endif
    {"eno", "start [BAUD]|stop|stats", "EnOcean modem link on the mini UART", cmd_eno},
    {"baud", "N", "console rate (reply at the old rate)", cmd_baud},
    {"storm", "HZ", "timer interrupt storm at the lowest VMIT level (0 stops)", cmd_storm},
    {"vmit", "", "interrupt sources: level and counters", cmd_vmit},
    {"vmio", "[reset]", "VMIO response time (deposit/post to handler end)", cmd_vmio},
    {"md5", "N TEXT", "chained MD5 of TEXT, N times (1..100000000), timed", cmd_md5},
    {"info", "", "board, clocks and counters", cmd_info},
    {"sk", "[adverts on|off]", "serverkernel node status; idle adverts on the serial line", cmd_sk},
    {"reset", "", "watchdog reset", cmd_reset},
    {"halt", "", "semihosting exit (parks without a host)", cmd_halt},
};

static const con_config_t main_con_cfg = {
    .cmds = main_cmds,
    .ncmds = sizeof main_cmds / sizeof main_cmds[0],
    .write = main_con_write,
    .write_ctx = 0,
    .echo = 1,
};

__attribute__((noreturn)) void kmain(void);

void kmain(void)
{
    char line[200];

    sk_exec_measure(); /* attestation: hash the image before anything changes .data */
    /* MMU off: the mailbox works uncached; learn RAM size and clocks first. */
    board_probe();
    mmu_init(board.arm_mem);
    uart_init(board.uart_hz, UART_DEFAULT_BAUD);
    vmit_init();
    st_init();
    cpu_cycles_init(board.cpu_hz);
    eno_init(board.core_hz);

    /* I/O container: VMIO engine, esp3 -> app (frames as VMIO_EV_DATA buffers). */
    vmio_init(VMIO_NODE_LOCAL);
    const esp3_config_t esp3_cfg = {.out = vmio_addr(VMIO_NODE_LOCAL, MAIN_AUT_APP, 0)};
    esp3_init(&main_esp3, MAIN_AUT_ESP3, &esp3_cfg);
    app_init(&main_app, MAIN_AUT_APP);

    /* Interrupt-driven RX before the first output: a host that types (or a wire that
     * streams) while the banner is still being sent must not overrun the 16-byte FIFO. */
    uart_start_irq();
    exc_irq_enable();

    snprintf(line, sizeof line, "rpi-serverkernel %s board=%s rev=0x%lx arm_mem=%luMiB cpu_hz=%lu\r\n",
             SK_FW_VERSION, board.name, (unsigned long)board.rev, (unsigned long)(board.arm_mem >> 20),
             (unsigned long)board.cpu_hz);
    uart_puts(line);

    const sk_exec_board_t sk_board = {.node_id = board.rev, .board = board.name, .cpu_hz = board.cpu_hz,
                                      .fw_version = SK_FW_VERSION};
    sk_exec_init(&sk_board);
    con_init(&console, &main_con_cfg);
    con_prompt(&console);
    for (;;) {
        if (vmio_pending()) { /* VMIO before the next console byte (application level) */
            exc_irq_disable();
            vmit_vmio_idle();
            exc_irq_enable();
        }
        int c = uart_getc();
        if (c >= 0) {
            if (!sk_exec_feed(c)) /* serverkernel frames first, text to the console */
                con_feed(&console, c);
            continue;
        }
        sk_exec_poll();
        /* Idle: VMIO first (events the application deposited, or left by an interrupt exit
         * that found VMIO busy), on its own stack. Then sleep until the next interrupt; WFI
         * wakes on a pending IRQ even with CPSR.I set, so checking with IRQs masked closes
         * the race with the RX interrupt (whose exit runs VMIO before we resume). */
        exc_irq_disable();
        if (vmio_pending())
            vmit_vmio_idle();
        else if (uart_rx_empty())
            exc_wfi();
        exc_irq_enable();
    }
}
