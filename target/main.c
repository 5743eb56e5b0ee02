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
 *   eno start [BAUD] [uart0|uart1] -> "eno started baud=<b> port=<uart0|uart1>" (EnOcean
 *                  link, 57600 default, <= 115200; port default: the UART the console is not
 *                  on). uart0 (the PL011) needs the console on the mini UART: boot command
 *                  line sk.console=uart1 (ATAGs, hal/uart.h); else "err busy ..."
 *   eno stop    -> "eno stopped"
 *   eno stats   -> "eno-stats telegrams=<n> bytes=<n> overruns=<n> rx_dropped=<n> crc_hdr=<n>
 *                   crc_data=<n> sync_skipped=<n> oversize=<n> no_buf=<n> reports_dropped=<n>
 *                   rx_errors=<n>"
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
 *   usb         -> "usb dev=<addr> id=<vid:pid> ..." per device, "usb-stats ...", "usb-errors ..."
 *                  (hal/usb counters)
 *   net start   -> "net start rc=<err> kind=<1 lan9512|2 cdc-ecm> mac=<mac> init_us=<n>": the IP stack
 *                  and the USB NIC (enumeration, bind; once); the harness sends it for udp-echo
 *   net         -> the stack's counters ("net state=..", "net eth ..", "net arp ..", "net ip ..",
 *                  "net icmp ..", "net udp .."), "net config mode=<static|dhcp> ip=a.b.c.d/p gw=..
 *                  echo_port=<n> eth_rc=<err>", "net dhcp ...", "net echo rx=.. tx=..", "net timer .."
 *   net ip A.B.C.D/P [GW] -> "net ip rc=<err> ip=.. gw=.." (static address; DHCP parked)
 *   net dhcp    -> "net dhcp rc=<err>" (DHCP client from now on)
 *   (asynchronous) "net-up ip=a.b.c.d/p gw=a.b.c.d mac=<mac> port=<echo port> t_us=<n>" when the link
 *                  is up with an address (again on every change), "net-down t_us=<n>"
 *   eth start   -> "eth start rc=<err> kind=<1 lan9512|2 cdc-ecm> mac=<mac> init_us=<n>" (as net start)
 *   eth test [LEN] -> "eth test rc=<err> len=<n> ...": ARP request who-has 10.0.2.2 tell 10.0.2.15,
 *                  LEN bytes (42 default; 64 = a multiple of the USB packet size: ends with a ZLP)
 *   eth [stats] -> hal/eth.h counters in "eth-stats link=<0|1> tx_frames=... rx_frames=...",
 *                  "eth-drops tx_dropped=... (every drop path)", "eth-recovery link_changes=...", and
 *                  "eth-time link_up_us=<n> start_us=<n> init_us=<n>" (st_now_us stamps, durations)
 *   (asynchronous) "eth link up=<0|1> mac=<mac> t_us=<n>"
 *   errors      -> "err unknown-command <word>", "err bad-argument <what>", "err line-too-long"
 *
 * Serverkernel frames share the line: a 0x00 byte (never in text) starts a binary frame that
 * sk_exec_feed() takes up to its closing 0x00 (docs/protocol.md "Serial transport"). */
#include <stdint.h>
#include "boot/exc.h"
#include "boot/mmu.h"
#include "hal/cpu.h"
#include "hal/eno.h"
#include "hal/eth.h"
#include "hal/usb/usb.h"
#include "platform.h"
#include "hal/mbox.h"
#include "hal/systimer.h"
#include "hal/uart.h"
#include "hal/wdog.h"
#include "lib/bootargs.h"
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
#include "io/dhcp.h"
#include "io/esp3.h"
#include "io/net.h"
#include "io/ntimer.h"
#include "io/udp_echo.h"
#include "vmio/vmio.h"
#include "vmit/vmit.h"
#ifdef SK_FW_TEST_CMDS
#include "sk/sbtest.h"
#endif
#include "sk/udp.h"
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
    uart_port_t console; /* boot command line sk.console=uart0|uart1 */
} board_info_t;

static board_info_t board;
static con_t console;

/* I/O container automatons (VMIO ids). */
#define MAIN_AUT_ESP3 1
#define MAIN_AUT_APP 2
#define MAIN_AUT_APPMON 8 /* answers of app to the console's eno subscribe/unsubscribe */
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

/* The ATAG list the Pi firmware leaves at 0x100 (r2; memmap.h "ATAGs / loader scratch"),
 * read before anything else touches low RAM: sk.console=uart1 puts the console on the
 * mini UART and frees the PL011 for the EnOcean modem. Anything else: the PL011. */
#define MAIN_ATAGS_ADDR 0x100u
#define MAIN_ATAGS_WORDS ((MEMMAP_LOAD_ADDR - MAIN_ATAGS_ADDR) / 4u)

static void board_console_choice(void)
{
    uintptr_t a = MAIN_ATAGS_ADDR;
    __asm__("" : "+r"(a)); /* a RAM address, not a null-pointer offset, for the compiler */
    const char *cmd;
    size_t len;
    char v[8];
    board.console = UART_PORT_PL011;
    if (bootargs_cmdline((const uint32_t *)a, MAIN_ATAGS_WORDS, &cmd, &len) == ERR_OK &&
        bootargs_get(cmd, len, "sk.console", v, sizeof v) == ERR_OK && !strcmp(v, "uart1"))
        board.console = UART_PORT_MINI;
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
        eno_port_t port = uart_port() == UART_PORT_PL011 ? ENO_PORT_MINI : ENO_PORT_PL011;
        const char *p = args + 5, *end;
        while (*p == ' ')
            p++;
        if (*p >= '0' && *p <= '9') {
            if (main_parse_u32(p, &baud, &end) || (*end && *end != ' ')) {
                con_reply(con, "err bad-argument BAUD must be %lu..%lu", (unsigned long)ENO_MIN_BAUD,
                          (unsigned long)ENO_MAX_BAUD);
                return;
            }
            p = end;
            while (*p == ' ')
                p++;
        }
        if (!strcmp(p, "uart0")) {
            port = ENO_PORT_PL011;
        } else if (!strcmp(p, "uart1")) {
            port = ENO_PORT_MINI;
        } else if (*p) {
            con_reply(con, "err bad-argument eno start [BAUD] [uart0|uart1]");
            return;
        }
        const char *pname = port == ENO_PORT_PL011 ? "uart0" : "uart1";
        uint32_t actual = 0;
        int rc = eno_start(baud, port, vmio_addr(VMIO_NODE_LOCAL, MAIN_AUT_ESP3, 0), &actual);
        if (rc == ERR_BUSY) {
            con_reply(con, "err busy %s carries the console (boot with sk.console=%s)", pname,
                      port == ENO_PORT_PL011 ? "uart1" : "uart0");
            return;
        }
        if (rc) {
            con_reply(con, "err bad-argument BAUD must be %lu..%lu", (unsigned long)ENO_MIN_BAUD,
                      (unsigned long)ENO_MAX_BAUD);
            return;
        }
        con_reply(con, "eno started baud=%lu port=%s", (unsigned long)baud, pname);
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
                  "sync_skipped=%lu oversize=%lu no_buf=%lu reports_dropped=%lu rx_errors=%lu",
                  (unsigned long)a.frames, (unsigned long)e.bytes, (unsigned long)e.overruns,
                  (unsigned long)e.rx_dropped, (unsigned long)p.hdr_crc, (unsigned long)p.data_crc,
                  (unsigned long)p.sync_skipped, (unsigned long)p.oversize, (unsigned long)p.no_buf,
                  (unsigned long)u.tx_lines_dropped, (unsigned long)e.rx_errors);
    } else if (!strcmp(args, "udp")) {
        char line[APP_UDP_LINE_MAX];
        uint32_t flags = exc_irq_save();
        app_udp_line(&main_app, line, sizeof line);
        exc_irq_restore(flags);
        con_reply(con, "%s", line);
    } else if (!strncmp(args, "subscribe ", 10) || !strncmp(args, "unsubscribe ", 12)) {
        /* docs/radio-udp.md; answered asynchronously by an "eno-sub" line (appmon) */
        int sub = args[0] == 's';
        app_sub_req_t r;
        if (app_parse_sub(args + (sub ? 10 : 12), &r)) {
            con_reply(con, "err bad-argument eno %s A.B.C.D PORT [LEASE_S]", sub ? "subscribe" : "unsubscribe");
            return;
        }
        if (!main_app.net) {
            con_reply(con, "err not-ready the network is not started (net start)");
            return;
        }
        vmio_event_t ev;
        app_sub_event(&ev, vmio_addr(VMIO_NODE_LOCAL, MAIN_AUT_APP, 0),
                      sub ? APP_EV_SUBSCRIBE : APP_EV_UNSUBSCRIBE, &r);
        ev.src = vmio_addr(VMIO_NODE_LOCAL, MAIN_AUT_APPMON, 0);
        int rc = vmio_deposit(VMIO_LEVEL_APP, &ev);
        if (rc)
            con_reply(con, "err %s", err_str(rc));
    } else {
        con_reply(con, "err bad-argument eno start [BAUD] [uart0|uart1]|stop|stats|udp|"
                       "subscribe A.B.C.D PORT [LEASE_S]|unsubscribe A.B.C.D PORT");
    }
}

/* ---- network (hal/eth.h driver + io/ stack): "usb", "eth ...", "net ..." ----------------
 * Wiring (one place): the USB NIC's frames go to the stack's "net" automaton (io/net.h),
 * whose TX is main_net_tx -> eth_send; the ntimer service gets a tick every
 * MAIN_NET_TICK_US from system timer C1 (VMIT_LEVEL_TIMER); the UDP echo service listens
 * on MAIN_NET_ECHO_PORT; the DHCP client is registered but only runs after "net dhcp".
 * The default address is static (MAIN_NET_IP/MASK/GW: QEMU user networking's guest
 * address, also what the simulator's peer targets), so the link is usable as soon as it
 * is up. Link events pass through the small "netmon" automaton, which prints
 * "eth link up=<0|1> mac=<mac> t_us=<n>" and forwards them to DHCP when DHCP is on.
 * The main loop prints "net-up ip=a.b.c.d/p gw=a.b.c.d mac=<mac> t_us=<n>" (or
 * "net-down") whenever link+address change: the machine-readable readiness line. */
#ifndef MAIN_NET_IP
#define MAIN_NET_IP NET_IPV4(10, 0, 2, 15)
#endif
#ifndef MAIN_NET_MASK
#define MAIN_NET_MASK NET_IPV4(255, 255, 255, 0)
#endif
#ifndef MAIN_NET_GW
#define MAIN_NET_GW NET_IPV4(10, 0, 2, 2)
#endif
#ifndef MAIN_NET_ECHO_PORT
#define MAIN_NET_ECHO_PORT 5555u        /* scenarios/udp-echo*.scn "port" */
#endif
/* 0: the network starts with "net start" (or "eth start"): USB enumeration at boot would
 * add ~0.15 s, SOF/tick interrupts and asynchronous lines to every run that does not use
 * the network (md5 figures, console tests). 1: started at boot. */
#ifndef MAIN_NET_AUTOSTART
#define MAIN_NET_AUTOSTART 0
#endif
#define MAIN_NET_TICK_US NTIMER_TICK_US_SUGGESTED
/* the tick: an ST C1 software timer (hal/systimer.h), VMIT_LEVEL_TIMER (= ETH_IRQ_LEVEL) */
#define MAIN_AUT_NETMON 3
#define MAIN_AUT_NTIMER 4
#define MAIN_AUT_NET 5
#define MAIN_AUT_DHCP 6
#define MAIN_AUT_ECHO 7
#define MAIN_AUT_SKUDP 9 /* the serverkernel's UDP transport (sk/udp.h), port SK_UDP_PORT */

static vmio_automaton_t main_netmon;
static ntimer_svc_t main_ntimer;
static net_t main_net;
static dhcp_t main_dhcp;
static udp_echo_t main_echo;
static sk_udp_t main_skudp;
/* UDP adverts: on with the network at boot (kernel-net.img, the serverkernel's network
 * image); off when the console starts the network (bring-up tests count every frame) until
 * "sk adverts on". */
static uint8_t main_skudp_adverts = MAIN_NET_AUTOSTART;
static int main_net_setup_rc = 1;       /* main_net_setup result; 1 = not yet */
static int main_net_rc = 1;             /* setup/eth_init result; 1 = not started */
static volatile uint8_t main_net_dhcp_on;
static uint32_t main_net_tick_drops;    /* tick deposits refused (queue full) */
/* last state printed by main_net_poll (application level) */
static uint8_t main_net_shown_up;
static uint32_t main_net_shown_ip;

static vmio_addr_t main_aut(uint8_t id) { return vmio_addr(VMIO_NODE_LOCAL, id, 0); }

/* Per-echo service time in the firmware: from the engine's stamp of the frame event the
 * driver gave net (plat_cycles32() at the deposit in the USB completion interrupt on eth.c's
 * fast path, or at vmio_post on its VMIO-level path) to the next frame reaching eth_send: the answer (ARP reply, ICMP
 * echo reply in the same dispatch; the UDP echo two dispatches later, through udp_echo).
 * A frame that is not answered leaves the stamp armed for the next send (a timer's ARP
 * request would then count): meant for request/answer workloads such as udp-echo.
 * min/max/sum in cycles, "net svc ..." on the console. net's DATA row is wrapped (a copy
 * of net_table with that one effect replaced). */
typedef struct main_svc {
    uint32_t n, min, max, last;
    uint64_t sum;
} main_svc_t;
static main_svc_t main_svc;
static uint32_t main_svc_stamp;
static uint8_t main_svc_armed;
static vmio_row_t main_net_rows[NET_S_COUNT * NET_EV_COUNT];
static vmio_table_t main_net_table;

static int main_net_rx_hook(vmio_automaton_t *self, const vmio_event_t *ev)
{
    main_svc_stamp = ev->stamp;
    main_svc_armed = 1;
    return net_table.rows[self->state * net_table.nevents + VMIO_EV_DATA].effect(self, ev);
}

/* Stack TX: the driver's send (always takes ownership, eth.h). */
static int main_net_tx(vmio_buf_t *frame)
{
    if (main_svc_armed) { /* the answer to the last frame received */
        uint32_t d = plat_cycles32() - main_svc_stamp;
        main_svc_armed = 0;
        main_svc.last = d;
        main_svc.min = main_svc.n == 0 || d < main_svc.min ? d : main_svc.min;
        main_svc.max = d > main_svc.max ? d : main_svc.max;
        main_svc.sum += d;
        main_svc.n++;
    }
    return eth_send(frame);
}

/* ST C1 callback, VMIT_LEVEL_TIMER: the ntimer tick. */
static void main_net_tick(void *arg)
{
    (void)arg;
    vmio_event_t ev = {0};
    ev.dst = main_aut(MAIN_AUT_NTIMER);
    ev.code = NTIMER_EV_TICK;
    if (vmio_deposit(VMIT_LEVEL_TIMER, &ev))
        main_net_tick_drops++;
}

static void main_net_tick_start(void)
{
    static st_timer_t tick;
    (void)st_timer_start(&tick, MAIN_NET_TICK_US, MAIN_NET_TICK_US, main_net_tick, 0);
}

static int main_netmon_link(vmio_automaton_t *self, const vmio_event_t *ev)
{
    (void)self;
    char line[96];
    const uint8_t *m = ev->inl;
    snprintf(line, sizeof line, "eth link up=%lu mac=%02x:%02x:%02x:%02x:%02x:%02x t_us=%llu",
             (unsigned long)ev->arg, m[0], m[1], m[2], m[3], m[4], m[5], (unsigned long long)st_now_us());
    plat_output_line(line);
    if (main_net_dhcp_on) {
        vmio_event_t fw = *ev;
        fw.dst = main_aut(MAIN_AUT_DHCP);
        fw.src = main_aut(MAIN_AUT_NETMON);
        fw.flags = 0;
        fw.buf = 0;
        return vmio_post(&fw, 1);
    }
    return 0;
}

static const vmio_row_t main_netmon_rows[1][NET_EV_LINK + 1] = {
    {[NET_EV_LINK] = VMIO_ROW(main_netmon_link, VMIO_SAME)},
};
static const vmio_state_desc_t main_netmon_states[1] = {{"mon", 0, 0}};
static const vmio_table_t main_netmon_table = {
    .name = "netmon", .nstates = 1, .nevents = NET_EV_LINK + 1, .rows = &main_netmon_rows[0][0],
    .dflt = 0, .states = main_netmon_states, .event_names = 0};

/* eno subscribe/unsubscribe: the console deposits the request with appmon as the source,
 * so app's answer (exactly one per request) comes back here and becomes one line:
 * "eno-sub op=subscribe|unsubscribe rc=<err>" (the answer carries the status only). */
static vmio_automaton_t main_appmon;
static int main_appmon_rsp(vmio_automaton_t *self, const vmio_event_t *ev)
{
    (void)self;
    char line[64];
    snprintf(line, sizeof line, "eno-sub op=%s rc=%s", ev->code == APP_EV_SUBSCRIBE ? "subscribe" : "unsubscribe",
             err_str(ev->status));
    plat_output_line(line);
    return 0;
}
static const vmio_row_t main_appmon_rows[1][APP_EV_UNSUBSCRIBE + 1] = {
    {[APP_EV_SUBSCRIBE] = VMIO_ROW(main_appmon_rsp, VMIO_SAME),
     [APP_EV_UNSUBSCRIBE] = VMIO_ROW(main_appmon_rsp, VMIO_SAME)},
};
static const vmio_state_desc_t main_appmon_states[1] = {{"mon", 0, 0}};
static const vmio_table_t main_appmon_table = {
    .name = "appmon", .nstates = 1, .nevents = APP_EV_UNSUBSCRIBE + 1, .rows = &main_appmon_rows[0][0],
    .dflt = 0, .states = main_appmon_states, .event_names = 0};

static int main_net_register(const net_config_t *cfg);

/* Application level, before the first eth_init: registers the stack's automatons. */
static int main_net_setup(void)
{
    net_config_t cfg;
    net_config_default(&cfg);
    cfg.tx = main_net_tx;
    cfg.addr = (net_addr_t){.ip = MAIN_NET_IP, .mask = MAIN_NET_MASK, .gw = MAIN_NET_GW};
    int rc;
    /* VMIO preempts the application on interrupt exits: keep it out while registering */
    uint32_t flags = exc_irq_save();
    rc = main_net_register(&cfg);
    exc_irq_restore(flags);
    if (rc)
        return rc;
    main_net_tick_start();
    return 0;
}

static int main_net_register(const net_config_t *cfg)
{
    int rc;
    if ((rc = ntimer_svc_init(&main_ntimer, MAIN_AUT_NTIMER)) ||
        (rc = net_init(&main_net, MAIN_AUT_NET, cfg, &main_ntimer)) ||
        (rc = dhcp_init(&main_dhcp, MAIN_AUT_DHCP, &main_net, &main_ntimer, 0)) ||
        (rc = udp_echo_init(&main_echo, MAIN_AUT_ECHO, &main_net, MAIN_NET_ECHO_PORT)) ||
        (rc = vmio_register(&main_netmon, MAIN_AUT_NETMON, &main_netmon_table, 0)) ||
        (rc = vmio_register(&main_appmon, MAIN_AUT_APPMON, &main_appmon_table, 0)) ||
        (rc = app_attach_net(&main_app, &main_net, 0)) || /* telegrams as UDP events too */
        (rc = sk_udp_init(&main_skudp, MAIN_AUT_SKUDP, &main_net,
                          &(sk_udp_cfg_t){.handle = sk_exec_message, .advert = sk_exec_advert,
                                          .adverts = main_skudp_adverts})))
        return rc;
    net_set_link_notify(&main_net, main_aut(MAIN_AUT_NETMON)); /* dhcp_init pointed it at DHCP */
    /* net's table with the DATA effect wrapped for the service-time figure (see above) */
    if (net_table.nstates * net_table.nevents <= sizeof main_net_rows / sizeof main_net_rows[0]) {
        memcpy(main_net_rows, net_table.rows, sizeof(vmio_row_t) * net_table.nstates * net_table.nevents);
        for (unsigned st = 0; st < net_table.nstates; st++) {
            vmio_row_t *r = &main_net_rows[st * net_table.nevents + VMIO_EV_DATA];
            if (r->effect)
                r->effect = main_net_rx_hook;
        }
        main_net_table = net_table;
        main_net_table.rows = main_net_rows;
        main_net.aut.table = &main_net_table;
    }
    return 0;
}

/* Application level: the stack once, then USB enumeration and NIC bind (synchronous,
 * bounded: eth.h) unless a NIC is already bound (a second "eth start" only reports). */
static int main_net_start(void)
{
    if (main_net_setup_rc == 1)
        main_net_setup_rc = main_net_setup();
    if (main_net_setup_rc)
        return main_net_rc = main_net_setup_rc;
    if (main_net_rc != 0)
        main_net_rc = eth_init(main_aut(MAIN_AUT_NET));
    return main_net_rc;
}

/* "net start rc=<err> kind=<n> mac=<mac> init_us=<n>" (boot or console). */
static void main_net_report(int rc)
{
    char line[128];
    eth_stats_t e;
    eth_get_stats(&e);
    uint8_t m[6] = {0};
    (void)eth_mac(m);
    snprintf(line, sizeof line, "net start rc=%s kind=%d mac=%02x:%02x:%02x:%02x:%02x:%02x init_us=%llu",
             err_str(rc), (int)eth_kind(), m[0], m[1], m[2], m[3], m[4], m[5], (unsigned long long)e.init_dur_us);
    plat_output_line(line);
}

static void main_fmt_ip(uint32_t ip, char *out, size_t n)
{
    snprintf(out, n, "%lu.%lu.%lu.%lu", (unsigned long)(ip >> 24), (unsigned long)(ip >> 16 & 0xFFu),
             (unsigned long)(ip >> 8 & 0xFFu), (unsigned long)(ip & 0xFFu));
}

static unsigned main_prefix(uint32_t mask)
{
    unsigned p = 0;
    while (p < 32 && (mask & (0x80000000u >> p)))
        p++;
    return p;
}

/* Main loop, application level: one line per change of (link up with an address, ip). */
static void main_net_poll(void)
{
    if (main_net_rc != 0)
        return;
    uint32_t flags = exc_irq_save(); /* VMIO runs with IRQs on: a consistent copy */
    net_addr_t a = main_net.cfg.addr;
    uint8_t up = main_net.link && a.ip != 0;
    exc_irq_restore(flags);
    if (up == main_net_shown_up && (!up || a.ip == main_net_shown_ip))
        return;
    main_net_shown_up = up;
    main_net_shown_ip = a.ip;
    char line[128], ip[16], gw[16];
    if (!up) {
        snprintf(line, sizeof line, "net-down t_us=%llu", (unsigned long long)st_now_us());
    } else {
        uint8_t m[6] = {0};
        (void)eth_mac(m);
        main_fmt_ip(a.ip, ip, sizeof ip);
        main_fmt_ip(a.gw, gw, sizeof gw);
        snprintf(line, sizeof line, "net-up ip=%s/%u gw=%s mac=%02x:%02x:%02x:%02x:%02x:%02x port=%u t_us=%llu",
                 ip, main_prefix(a.mask), gw, m[0], m[1], m[2], m[3], m[4], m[5], (unsigned)MAIN_NET_ECHO_PORT,
                 (unsigned long long)st_now_us());
    }
    plat_output_line(line);
}

/* "net ip ADDR" (static) and "net dhcp": the console deposits the events at application
 * level; VMIO delivers them before the next console byte. */
static int main_net_static(const net_addr_t *a)
{
    vmio_event_t ev;
    main_net_dhcp_on = 0;
    /* a link-down copy parks DHCP in IDLE (timers stopped, nothing sent) */
    ev = (vmio_event_t){0};
    ev.dst = main_aut(MAIN_AUT_DHCP);
    ev.src = main_aut(MAIN_AUT_NETMON);
    ev.code = NET_EV_LINK;
    ev.arg = 0;
    ev.len = 6;
    (void)eth_mac(ev.inl);
    int rc = vmio_deposit(VMIO_LEVEL_APP, &ev);
    if (rc)
        return rc;
    net_set_addr_event(&ev, main_aut(MAIN_AUT_NET), a);
    return vmio_deposit(VMIO_LEVEL_APP, &ev);
}

static int main_net_dhcp(void)
{
    main_net_dhcp_on = 1;
    if (!eth_link_up())
        return 0; /* the next link-up event reaches DHCP through netmon */
    vmio_event_t ev = {0};
    ev.dst = main_aut(MAIN_AUT_DHCP);
    ev.src = main_aut(MAIN_AUT_NETMON);
    ev.code = NET_EV_LINK;
    ev.arg = 1;
    ev.len = 6;
    (void)eth_mac(ev.inl);
    return vmio_deposit(VMIO_LEVEL_APP, &ev);
}

static void cmd_net(con_t *con, const char *args)
{
    if (!strcmp(args, "start")) {
        main_net_report(main_net_start());
        main_net_shown_up = 0; /* a network already up is announced again ("net-up ...") */
        return;
    }
    if (main_net_setup_rc) {
        con_reply(con, "err not-started net (net start)");
        return;
    }
    if (!strncmp(args, "ip ", 3)) {
        net_addr_t a;
        if (net_parse_addr(args + 3, &a)) {
            con_reply(con, "err bad-argument net ip A.B.C.D/P [GW] | A.B.C.D MASK [GW] | 0.0.0.0");
            return;
        }
        int rc = main_net_static(&a);
        char ip[16], gw[16];
        main_fmt_ip(a.ip, ip, sizeof ip);
        main_fmt_ip(a.gw, gw, sizeof gw);
        con_reply(con, "net ip rc=%s ip=%s/%u gw=%s", err_str(rc), ip, main_prefix(a.mask), gw);
        return;
    }
    if (!strcmp(args, "dhcp")) {
        con_reply(con, "net dhcp rc=%s", err_str(main_net_dhcp()));
        return;
    }
    if (*args) {
        con_reply(con, "err bad-argument net [start|ip ADDR|dhcp]");
        return;
    }
    /* counters: copies taken with IRQs off (VMIO updates them at its level) */
    static char lines[8][256];
    static net_t snap;
    static dhcp_t dsnap;
    udp_echo_stats_t e;
    ntimer_stats_t t;
    uint32_t flags = exc_irq_save();
    snap = main_net;
    dsnap = main_dhcp;
    udp_echo_get_stats(&main_echo, &e);
    ntimer_get_stats(&main_ntimer, &t);
    exc_irq_restore(flags);
    unsigned n = 0;
    while (n < 6 && net_stats_line(&snap, n, lines[n], sizeof lines[n]) > 0)
        n++;
    for (unsigned i = 0; i < n; i++)
        con_reply(con, "%s", lines[i]);
    char ip[16], gw[16];
    main_fmt_ip(snap.cfg.addr.ip, ip, sizeof ip);
    main_fmt_ip(snap.cfg.addr.gw, gw, sizeof gw);
    con_reply(con, "net config mode=%s ip=%s/%u gw=%s echo_port=%u eth_rc=%s", main_net_dhcp_on ? "dhcp" : "static",
              ip, main_prefix(snap.cfg.addr.mask), gw, (unsigned)main_echo.port, err_str(main_net_rc));
    dhcp_stats_line(&dsnap, lines[7], sizeof lines[7]);
    con_reply(con, "%s", lines[7]);
    con_reply(con, "net echo rx=%lu tx=%lu bad=%lu loop_guard=%lu send_fail=%lu", (unsigned long)e.rx,
              (unsigned long)e.tx, (unsigned long)e.bad, (unsigned long)e.loop_guard, (unsigned long)e.send_fail);
    main_svc_t sv;
    flags = exc_irq_save();
    sv = main_svc;
    exc_irq_restore(flags);
    con_reply(con, "net svc n=%lu min_cyc=%lu mean_cyc=%lu max_cyc=%lu last_cyc=%lu", (unsigned long)sv.n,
              (unsigned long)sv.min, (unsigned long)(sv.n ? sv.sum / sv.n : 0), (unsigned long)sv.max,
              (unsigned long)sv.last);
    con_reply(con, "net timer ticks=%lu fired=%lu send_fail=%lu tick_drops=%lu", (unsigned long)t.ticks,
              (unsigned long)t.fired, (unsigned long)t.send_fail, (unsigned long)main_net_tick_drops);
}

static void cmd_usb(con_t *con, const char *args)
{
    (void)args;
    dwc2_stats_t s;
    usb_stats_t u;
    for (unsigned i = 0; i < usb_device_count(); i++) {
        usb_device_t *d = usb_device_get(i);
        con_reply(con, "usb dev=%u id=%04x:%04x class=%u speed=%u parent=%u port=%u hub=%u config=%u", d->addr,
                  d->desc.vid, d->desc.pid, d->desc.cls, d->speed, d->parent, d->port, d->is_hub, d->config);
    }
    dwc2_get_stats(&s);
    usb_get_stats(&u);
    /* two lines: each stays under the console's 256-character reply limit */
    con_reply(con,
              "usb-stats devices=%u enum_failed=%lu ctrl=%lu ctrl_err=%lu xfers=%lu ok=%lu irqs=%lu sof=%lu "
              "split_refused=%lu bad_desc=%lu",
              usb_device_count(), (unsigned long)u.enum_failed, (unsigned long)u.ctrl_xfers,
              (unsigned long)u.ctrl_errors, (unsigned long)s.xfers, (unsigned long)s.xfer_ok,
              (unsigned long)s.irqs, (unsigned long)s.sof_irqs, (unsigned long)u.split_refused,
              (unsigned long)u.bad_descriptors);
    con_reply(con,
              "usb-errors stall=%lu nak_retry=%lu xacterr=%lu bblerr=%lu ahberr=%lu dtgl=%lu frmovrun=%lu "
              "timeouts=%lu retries=%lu aborts=%lu",
              (unsigned long)s.stall, (unsigned long)s.nak_retry, (unsigned long)s.xacterr,
              (unsigned long)s.bblerr, (unsigned long)s.ahberr, (unsigned long)s.datatglerr,
              (unsigned long)s.frmovrun, (unsigned long)s.timeouts, (unsigned long)s.retries,
              (unsigned long)s.aborts);
}

static void cmd_eth(con_t *con, const char *args)
{
    if (!strcmp(args, "start")) {
        int rc = main_net_start();
        eth_stats_t e;
        eth_get_stats(&e);
        uint8_t m[6] = {0};
        (void)eth_mac(m);
        con_reply(con, "eth start rc=%s kind=%d mac=%02x:%02x:%02x:%02x:%02x:%02x init_us=%llu", err_str(rc),
                  (int)eth_kind(), m[0], m[1], m[2], m[3], m[4], m[5], (unsigned long long)e.init_dur_us);
    } else if (!strncmp(args, "test", 4) && (args[4] == '\0' || args[4] == ' ')) {
        static const uint8_t sip[4] = {10, 0, 2, 15}, tip[4] = {10, 0, 2, 2}; /* QEMU user net */
        uint32_t len = 42;
        const char *end;
        if (args[4] && (main_parse_u32(args + 5, &len, &end) || *end || len < 42 || len > ETH_FRAME_MAX)) {
            con_reply(con, "err bad-argument eth test [LEN 42..%u]", (unsigned)ETH_FRAME_MAX);
            return;
        }
        con_reply(con, "eth test rc=%s len=%lu arp who-has 10.0.2.2 tell 10.0.2.15",
                  err_str(eth_test_arp(sip, tip, len)), (unsigned long)len);
    } else if (!*args || !strcmp(args, "stats")) {
        eth_stats_t e;
        eth_get_stats(&e);
        /* four lines, each under the console's 256-character reply limit */
        con_reply(con,
                  "eth-stats link=%d tx_frames=%lu tx_bytes=%lu rx_frames=%lu rx_bytes=%lu tx_zlp=%lu "
                  "tx_realign=%lu rx_copies=%lu",
                  eth_link_up(), (unsigned long)e.tx_frames, (unsigned long)e.tx_bytes,
                  (unsigned long)e.rx_frames, (unsigned long)e.rx_bytes, (unsigned long)e.tx_zlp,
                  (unsigned long)e.tx_realign, (unsigned long)e.rx_copies);
        con_reply(con,
                  "eth-drops tx_dropped=%lu tx_errors=%lu tx_timeouts=%lu rx_no_buf=%lu rx_errors=%lu "
                  "rx_bad_len=%lu rx_no_deliver=%lu rx_starved=%lu",
                  (unsigned long)e.tx_dropped, (unsigned long)e.tx_errors, (unsigned long)e.tx_timeouts,
                  (unsigned long)e.rx_no_buf, (unsigned long)e.rx_errors, (unsigned long)e.rx_bad_len,
                  (unsigned long)e.rx_no_deliver, (unsigned long)e.rx_starved);
        con_reply(con, "eth-recovery link_changes=%lu stalls_cleared=%lu stall_clear_failed=%lu intr=%lu intr_err=%lu",
                  (unsigned long)e.link_changes, (unsigned long)e.stalls_cleared,
                  (unsigned long)e.stall_clear_failed, (unsigned long)e.intr_events, (unsigned long)e.intr_errors);
        con_reply(con, "eth-time link_up_us=%llu start_us=%llu init_us=%llu", (unsigned long long)e.link_up_us,
                  (unsigned long long)e.init_us, (unsigned long long)e.init_dur_us);
    } else {
        con_reply(con, "err bad-argument eth start|test [LEN]|stats");
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
    static st_timer_t vt_b;
    st_timer_start(&vt_b, 20u, 0, main_vt_b, 0);
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
        static st_timer_t t1;
        st_timer_start(&t1, 20000, 0, main_timer_cb, (void *)1);
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
    if (main_net_setup_rc == 0)
        main_net_tick_start(); /* the timer and vmit checks use ST C1: the network tick again */
}
#endif

/* Serverkernel executive from the console (sk/exec.h): status; idle adverts on a line
 * dedicated to the serverkernel. */
static void cmd_sk(con_t *con, const char *args)
{
    char line[160];
    int on = !strcmp(args, "adverts on"), off = !strcmp(args, "adverts off");
    if (on || off) { /* both transports */
        sk_exec_set_adverts(on);
        main_skudp_adverts = (uint8_t)on;
        if (main_net_setup_rc == 0)
            sk_udp_set_adverts(&main_skudp, on);
    } else if (args[0]) {
        con_reply(con, "err bad-argument sk [adverts on|off]");
        return;
    }
    sk_exec_status(line, sizeof line);
    con_reply(con, "%s", line);
    if (main_net_setup_rc == 0) {
        char l2[240];
        sk_udp_stats_line(&main_skudp, l2, sizeof l2);
        con_reply(con, "%s", l2);
    }
}

static const con_cmd_t main_cmds[] = {
#ifdef SK_FW_TEST_CMDS
    {"selftest", "timer|mbox|abort|undef|vmit|esp3", "bring-up checks (test images only)", cmd_selftest},
    {"sbtest", "[trusted] NAME [US]|bench [N]|hang [MS]", "sandbox test payloads (test images only)",
     sk_sbtest_cmd},
#endif
    {"usb", "", "USB devices and host controller counters", cmd_usb},
    {"net", "[start|ip A.B.C.D/P [GW]|dhcp]", "IP stack: start (USB NIC), config and counters, address", cmd_net},
    {"eth", "start|test [LEN]|stats", "Ethernet over USB: bring up, send a test ARP, counters", cmd_eth},
    {"eno", "start [BAUD] [uart0|uart1]|stop|stats|udp|subscribe A.B.C.D PORT [S]|unsubscribe A.B.C.D PORT",
     "EnOcean modem link (default: the non-console UART); telegrams as UDP events", cmd_eno},
    {"baud", "N", "console rate (reply at the old rate)", cmd_baud},
    {"storm", "HZ", "timer interrupt storm at the lowest VMIT level (0 stops)", cmd_storm},
    {"vmit", "", "interrupt sources: level and counters", cmd_vmit},
    {"vmio", "[reset]", "VMIO response time (deposit/post to handler end)", cmd_vmio},
    {"md5", "N TEXT", "chained MD5 of TEXT, N times (1..100000000), timed", cmd_md5},
    {"info", "", "board, clocks and counters", cmd_info},
    {"sk", "[adverts on|off]", "serverkernel node status (+ \"sk udp ...\" with the network); idle adverts (serial and UDP)", cmd_sk},
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
    board_console_choice();
    board_probe();
    mmu_init(board.arm_mem);
    if (board.console != UART_PORT_MINI ||
        uart_init_port(UART_PORT_MINI, board.core_hz, UART_DEFAULT_BAUD) != ERR_OK)
        uart_init(board.uart_hz, UART_DEFAULT_BAUD);
    vmit_init();
    st_init();
    cpu_cycles_init(board.cpu_hz);
    eno_init(board.core_hz, board.uart_hz);

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

#if MAIN_NET_AUTOSTART
    /* Network at boot (build option): USB enumeration + NIC bind (bounded, eth.h). */
    main_net_report(main_net_start());
#endif

    con_init(&console, &main_con_cfg);
    con_prompt(&console);
    for (;;) {
        main_net_poll();
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
        if (main_net_setup_rc == 0) /* UDP transport: messages handed over by VMIO, adverts */
            sk_udp_poll(&main_skudp, st_now_us());
        /* Idle: VMIO first (events the application deposited, or left by an interrupt exit
         * that found VMIO busy), on its own stack. Then sleep until the next interrupt; WFI
         * wakes on a pending IRQ even with CPSR.I set, so checking with IRQs masked closes
         * the race with the RX interrupt (whose exit runs VMIO before we resume). */
        exc_irq_disable();
        if (vmio_pending())
            vmit_vmio_idle();
        else if (uart_rx_empty() && !(main_net_setup_rc == 0 && sk_udp_pending(&main_skudp)))
            exc_wfi();
        exc_irq_enable();
    }
}
