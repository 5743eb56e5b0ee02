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
 *   errors      -> "err unknown-command <word>", "err bad-argument <what>", "err line-too-long" */
#include <stdint.h>
#include "boot/exc.h"
#include "boot/mmu.h"
#include "hal/cpu.h"
#include "hal/irq.h"
#include "hal/mbox.h"
#include "hal/systimer.h"
#include "hal/uart.h"
#include "hal/wdog.h"
#include "lib/console.h"
#include "lib/kstring.h"
#include "lib/md5.h"
#include "lib/printf.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/mbox.h"
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

#ifdef SK_FW_TEST_CMDS
/* Bring-up self tests, only in images configured with -DSK_FW_TEST_CMDS=ON. */
static volatile uint32_t main_fired[4];
static volatile uint32_t main_fire_order;

static void main_timer_cb(void *arg)
{
    main_fired[(uintptr_t)arg] = ++main_fire_order;
}

static void cmd_selftest(con_t *con, const char *args)
{
    if (!strcmp(args, "timer")) {
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
        con_reply(con, "err bad-argument selftest timer|mbox|abort|undef");
    }
}
#endif

static const con_cmd_t main_cmds[] = {
#ifdef SK_FW_TEST_CMDS
    {"selftest", "timer|mbox|abort|undef", "bring-up checks (test images only)", cmd_selftest},
#endif
    {"md5", "N TEXT", "chained MD5 of TEXT, N times (1..100000000), timed", cmd_md5},
    {"info", "", "board, clocks and counters", cmd_info},
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

    /* MMU off: the mailbox works uncached; learn RAM size and clocks first. */
    board_probe();
    mmu_init(board.arm_mem);
    uart_init(board.uart_hz, UART_DEFAULT_BAUD);
    irq_init();
    st_init();
    cpu_cycles_init(board.cpu_hz);

    /* Interrupt-driven RX before the first output: a host that types (or a wire that
     * streams) while the banner is still being sent must not overrun the 16-byte FIFO. */
    uart_start_irq();
    exc_irq_enable();

    snprintf(line, sizeof line, "rpi-serverkernel %s board=%s rev=0x%lx arm_mem=%luMiB cpu_hz=%lu\r\n",
             SK_FW_VERSION, board.name, (unsigned long)board.rev, (unsigned long)(board.arm_mem >> 20),
             (unsigned long)board.cpu_hz);
    uart_puts(line);

    con_init(&console, &main_con_cfg);
    con_prompt(&console);
    for (;;) {
        int c = uart_getc();
        if (c >= 0) {
            con_feed(&console, c);
            continue;
        }
        /* Sleep until the next interrupt; WFI wakes on a pending IRQ even with CPSR.I set,
         * so checking with IRQs masked closes the race with the RX interrupt. */
        exc_irq_disable();
        if (uart_rx_empty())
            exc_wfi();
        exc_irq_enable();
    }
}
