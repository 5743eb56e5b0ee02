/* bcm2835-sim: command line front end. */
#include "core/sim.h"
#include "soc.h"
#include "link/eth_link.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: bcm2835-sim [options] KERNEL\n"
    "Simulate a Raspberry Pi 1B / Zero (BCM2835, ARM1176JZF-S) running KERNEL\n"
    "(an ARM ELF, loaded by its program headers, or a raw kernel.img loaded at 0x8000).\n"
    "\n"
    "  --board pi1b|pi0        board: pi1b (700 MHz, default) or pi0 (1 GHz)\n"
    "  --timing trm|insn       cycle model: ARM1176 TRM tables (default) or 1 cycle/insn\n"
    "  --uart0 SPEC            PL011 link: stdio (default) | pty | tcp:PORT | file:PATH | null\n"
    "  --uart0-in FILE         feed FILE to the PL011 receiver at the programmed baud rate\n"
    "  --uart1 SPEC            mini UART link (same forms); default: not connected\n"
    "  --uart1-modem SCRIPT    EnOcean modem model on the mini UART: replays the ESP3 telegram\n"
    "                          SCRIPT at wire timing (format: sim/link/enocean_modem.h); UART1\n"
    "                          output goes to --uart1 (null or file:PATH only; default null)\n"
    "  --uart0-modem SCRIPT    the same modem on the PL011 (UART0 output: --uart0 null or\n"
    "                          file:PATH only; the guest's console then belongs on uart1,\n"
    "                          e.g. --uart1 stdio --cmdline sk.console=uart1)\n"
    "  --cmdline TEXT          boot command line as ATAGs at 0x100 (ATAG_CORE, ATAG_CMDLINE,\n"
    "                          ATAG_NONE; r2 = 0x100), as the Pi firmware passes cmdline.txt\n"
    "  --modem-report FILE     write what the modem sent (JSON lines, per telegram: bytes,\n"
    "                          start_cycle, end_cycle; then totals) to FILE\n"
    "  --usb SETUP             what hangs on the USB root port: lan9512 (default on pi1b:\n"
    "                          hub + SMSC Ethernet), cdc-ecm (as QEMU -device usb-net: a\n"
    "                          full-speed hub with a CDC-ECM NIC), none (default on pi0)\n"
    "  --eth SPEC              Ethernet wire of the board's NIC (sim/link/eth_link.h): null\n"
    "                          (default) | peer:SCRIPT (in-process UDP/ICMP echo client in\n"
    "                          simulated time; script format: sim/link/eth_peer.h) |\n"
    "                          slirp[:hostfwd=udp:[HADDR]:HPORT-[GADDR]:GPORT,...] (user\n"
    "                          networking, 10.0.2.0/24, host input while the guest waits) |\n"
    "                          tap:IFNAME\n"
    "  --eth-pcap FILE         write every frame on the wire (both directions) to FILE (pcap,\n"
    "                          link type Ethernet, simulated-time stamps in ns)\n"
    "  --eth-report FILE       peer: write its results (JSON: counts, RTTs in cycles) to FILE\n"
    "  --max-cycles N          stop after N simulated CPU cycles (exit 3)\n"
    "  --until-uart TEXT       stop with success when TEXT appears on the UART0 output\n"
    "  --wdog-action reset|stop  watchdog expiry resets the board (default) or stops (exit 4)\n"
    "  --no-semihosting        pass semihosting SVCs (0x123456 / Thumb 0xAB) to the guest\n"
    "  --irq-probe SRC=ADDR    interrupt entry latency of BCM2835 source SRC (0..71): from the\n"
    "                          cycle its line rises at the IC input to the first execution of\n"
    "                          ADDR (hex address, or a symbol of an ELF KERNEL) after that rise;\n"
    "                          repeatable; reported by --stats / --stats-json\n"
    "  --irq-probe-csv FILE    write every --irq-probe sample (src,addr,cycles) to FILE\n"
    "  --stats                 print run statistics to stderr at exit\n"
    "  --stats-json FILE       write run statistics as JSON to FILE\n"
    "  -v                      verbose: once = guest errors, twice = + unimplemented accesses\n"
    "  -h, --help              this text\n"
    "\n"
    "Exit status:\n"
    "  0  guest halted (semihosting SYS_EXIT, ADP_Stopped_ApplicationExit) or --until-uart seen\n"
    "  1  simulator error (unreadable kernel, unmapped access, host failure)\n"
    "  2  bad command line\n"
    "  3  --max-cycles reached\n"
    "  4  watchdog expired with --wdog-action=stop\n"
    "  5  guest SYS_EXIT with another reason code (guest-reported failure)\n"
    "  7  idle: WFI with no interrupt pending and no future event\n"
    "  8  stop requested by a device or link (e.g. end of --uart0-in input)\n";

enum { OPT_BOARD = 256, OPT_TIMING, OPT_UART0, OPT_UART0_IN, OPT_UART1, OPT_MAX_CYCLES, OPT_UNTIL_UART,
       OPT_WDOG, OPT_NO_SEMI, OPT_STATS, OPT_STATS_JSON, OPT_UART1_MODEM, OPT_MODEM_REPORT,
       OPT_IRQ_PROBE, OPT_IRQ_PROBE_CSV, OPT_USB, OPT_ETH, OPT_ETH_PCAP, OPT_ETH_REPORT, OPT_UART0_MODEM, OPT_CMDLINE };

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "bcm2835-sim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'bcm2835-sim --help'.\n");
    return SIM_STOP_USAGE;
}

/* ---- --irq-probe ---------------------------------------------------------------------- */
typedef struct probe_spec {
    unsigned src;
    const char *where; /* hex address or symbol */
} probe_spec_t;

static double cyc_us(sim_t *sim, uint64_t cycles) { return (double)cycles * 1e6 / (double)sim_cpu_hz(sim); }

/* ADDR: 0x... is an address; otherwise a symbol of the ELF, else all hex digits = address */
static int add_probe(sim_t *sim, const probe_spec_t *p)
{
    const char *w = p->where, *name = NULL;
    uint32_t addr = 0;
    char *end;
    bool hex = (w[0] == '0' && (w[1] == 'x' || w[1] == 'X'));
    if (!hex && sim_symbol_lookup(sim, w, &addr) == 0) {
        name = w;
    } else {
        errno = 0;
        unsigned long long v = strtoull(w, &end, 16);
        if (errno || *end || end == w || v > 0xFFFFFFFFull || w[0] == '-') {
            fprintf(stderr, "bcm2835-sim: --irq-probe %u=%s: no such symbol in the kernel (an ELF with .symtab) "
                            "and not a hex address\n", p->src, w);
            return -1;
        }
        addr = (uint32_t)v;
    }
    if (sim_add_irq_probe(sim, p->src, addr, name) < 0) {
        fprintf(stderr, "bcm2835-sim: --irq-probe %u=%s: cannot install the probe\n", p->src, w);
        return -1;
    }
    return 0;
}

static void print_probes(sim_t *sim, FILE *f)
{
    for (int i = 0; i < sim_irq_probe_count(sim); i++) {
        sim_irq_probe_info_t p;
        if (sim_irq_probe_get(sim, i, &p) != 0) continue;
        fprintf(f,
                "irq-probe src=%u addr=0x%08" PRIx32 "%s%s%s hits=%" PRIu64 " median=%" PRIu64 " p99=%" PRIu64
                " max=%" PRIu64 " cycles (%.3f / %.3f / %.3f us) min=%" PRIu64 " unarmed=%" PRIu64
                " dropped=%" PRIu64 "\n",
                p.src, p.addr, p.name[0] ? " (" : "", p.name, p.name[0] ? ")" : "", p.hits, p.median, p.p99, p.max,
                cyc_us(sim, p.median), cyc_us(sim, p.p99), cyc_us(sim, p.max), p.min, p.unarmed, p.dropped);
    }
}

static int write_probe_csv(sim_t *sim, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    fprintf(f, "src,addr,cycles\n");
    for (int i = 0; i < sim_irq_probe_count(sim); i++) {
        sim_irq_probe_info_t p;
        if (sim_irq_probe_get(sim, i, &p) != 0) continue;
        for (uint64_t k = 0; k < p.nsamples; k++)
            fprintf(f, "%u,0x%08" PRIx32 ",%" PRIu64 "\n", p.src, p.addr, p.samples[k]);
    }
    return fclose(f);
}

static void print_stats(sim_t *sim, FILE *f, sim_stop_t r)
{
    const sim_stats_t *st = sim_stats(sim);
    double us = (double)sim_cycles_to_ns(sim, st->cycles) / 1000.0;
    double mips = st->host_seconds > 0 ? (double)st->insns / st->host_seconds / 1e6 : 0;
    fprintf(f, "bcm2835-sim: stop: %s%s%s\n", sim_stop_name(r), sim_stop_message(sim)[0] ? ": " : "",
            sim_stop_message(sim));
    fprintf(f, "  instructions      %" PRIu64 "\n", st->insns);
    fprintf(f, "  cycles            %" PRIu64 "\n", st->cycles);
    fprintf(f, "  simulated time    %.3f us at %" PRIu64 " MHz\n", us, sim_cpu_hz(sim) / 1000000);
    fprintf(f, "  blocks            %" PRIu64 "\n", st->blocks);
    fprintf(f, "  irqs/fiqs taken   %" PRIu64 " / %" PRIu64 "\n", st->irqs_taken, st->fiqs_taken);
    fprintf(f, "  exceptions        svc %" PRIu64 ", undef %" PRIu64 ", pabt %" PRIu64 ", dabt %" PRIu64 "\n",
            st->svcs, st->undefs, st->pabts, st->dabts);
    fprintf(f, "  wfi               %" PRIu64 "\n", st->wfis);
    fprintf(f, "  watchdog resets   %" PRIu64 "\n", st->wdog_resets);
    fprintf(f, "  guest errors      %" PRIu64 ", unimplemented accesses %" PRIu64 "\n", st->guest_errors,
            st->unimp_accesses);
    fprintf(f, "  cost cache        %" PRIu64 " misses, %" PRIu64 " flushes\n", st->cost_cache_misses,
            st->cost_cache_flushes);
    fprintf(f, "  host time         %.3f s, %.1f guest MIPS\n", st->host_seconds, mips);
}

static int write_json(sim_t *sim, const char *path, sim_stop_t r)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return -1;
    }
    const sim_stats_t *st = sim_stats(sim);
    fprintf(f,
            "{\"stop\": \"%s\", \"board\": \"%s\", \"cpu_hz\": %" PRIu64 ", \"instructions\": %" PRIu64
            ", \"cycles\": %" PRIu64 ", \"sim_time_us\": %.3f, \"blocks\": %" PRIu64 ", \"irqs\": %" PRIu64
            ", \"fiqs\": %" PRIu64 ", \"svcs\": %" PRIu64 ", \"undefs\": %" PRIu64 ", \"pabts\": %" PRIu64
            ", \"dabts\": %" PRIu64 ", \"wfis\": %" PRIu64 ", \"wdog_resets\": %" PRIu64
            ", \"guest_errors\": %" PRIu64 ", \"unimp_accesses\": %" PRIu64 ", \"cost_cache_misses\": %" PRIu64
            ", \"host_seconds\": %.6f, \"host_mips\": %.3f",
            sim_stop_name(r), sim_board(sim) == SIM_BOARD_PI0 ? "pi0" : "pi1b", sim_cpu_hz(sim), st->insns,
            st->cycles, (double)sim_cycles_to_ns(sim, st->cycles) / 1000.0, st->blocks, st->irqs_taken,
            st->fiqs_taken, st->svcs, st->undefs, st->pabts, st->dabts, st->wfis, st->wdog_resets,
            st->guest_errors, st->unimp_accesses, st->cost_cache_misses, st->host_seconds,
            st->host_seconds > 0 ? (double)st->insns / st->host_seconds / 1e6 : 0.0);
    fprintf(f, ", \"irq_probes\": [");
    for (int i = 0; i < sim_irq_probe_count(sim); i++) {
        sim_irq_probe_info_t p;
        if (sim_irq_probe_get(sim, i, &p) != 0) continue;
        fprintf(f,
                "%s{\"src\": %u, \"addr\": %" PRIu32 ", \"symbol\": \"%s\", \"hits\": %" PRIu64
                ", \"unarmed\": %" PRIu64 ", \"dropped\": %" PRIu64 ", \"min\": %" PRIu64 ", \"median\": %" PRIu64
                ", \"p99\": %" PRIu64 ", \"max\": %" PRIu64
                ", \"min_us\": %.4f, \"median_us\": %.4f, \"p99_us\": %.4f, \"max_us\": %.4f}",
                i ? ", " : "", p.src, p.addr, p.name, p.hits, p.unarmed, p.dropped, p.min, p.median, p.p99, p.max,
                cyc_us(sim, p.min), cyc_us(sim, p.median), cyc_us(sim, p.p99), cyc_us(sim, p.max));
    }
    fprintf(f, "]");
    /* soc members are appended as ", \"name\": value" (no braces) */
    soc_print_stats_json(sim_soc(sim), f);
    fprintf(f, "}\n");
    return fclose(f);
}

/* Boot command line as the Pi firmware passes it without a device tree: an ATAG list at
 * 0x100 (r2, set by the CPU reset): ATAG_CORE (size 2: no data), ATAG_CMDLINE, ATAG_NONE.
 * Low RAM survives board resets, so a watchdog reboot sees the same line. */
#define SIM_ATAGS_ADDR 0x100u
#define SIM_CMDLINE_MAX 1024u
static int write_atags(sim_t *sim, const char *cmdline)
{
    uint32_t w[4 + (SIM_CMDLINE_MAX + 4) / 4 + 2];
    size_t n = 0, tl = strlen(cmdline) + 1, words = (tl + 3) / 4;
    memset(w, 0, sizeof w);
    w[n++] = 2;
    w[n++] = 0x54410001u; /* ATAG_CORE */
    w[n++] = (uint32_t)(2 + words);
    w[n++] = 0x54410009u; /* ATAG_CMDLINE */
    memcpy(&w[n], cmdline, tl);
    n += words;
    w[n++] = 0;
    w[n++] = 0; /* ATAG_NONE */
    if (sim_phys_write(sim, SIM_ATAGS_ADDR, w, n * 4) != 0) {
        fprintf(stderr, "bcm2835-sim: cannot write the ATAGs at 0x%x\n", SIM_ATAGS_ADDR);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"board", required_argument, 0, OPT_BOARD},
        {"timing", required_argument, 0, OPT_TIMING},
        {"uart0", required_argument, 0, OPT_UART0},
        {"uart0-in", required_argument, 0, OPT_UART0_IN},
        {"uart1", required_argument, 0, OPT_UART1},
        {"uart1-modem", required_argument, 0, OPT_UART1_MODEM},
        {"uart0-modem", required_argument, 0, OPT_UART0_MODEM},
        {"cmdline", required_argument, 0, OPT_CMDLINE},
        {"modem-report", required_argument, 0, OPT_MODEM_REPORT},
        {"max-cycles", required_argument, 0, OPT_MAX_CYCLES},
        {"until-uart", required_argument, 0, OPT_UNTIL_UART},
        {"wdog-action", required_argument, 0, OPT_WDOG},
        {"no-semihosting", no_argument, 0, OPT_NO_SEMI},
        {"irq-probe", required_argument, 0, OPT_IRQ_PROBE},
        {"irq-probe-csv", required_argument, 0, OPT_IRQ_PROBE_CSV},
        {"usb", required_argument, 0, OPT_USB},
        {"eth", required_argument, 0, OPT_ETH},
        {"eth-pcap", required_argument, 0, OPT_ETH_PCAP},
        {"eth-report", required_argument, 0, OPT_ETH_REPORT},
        {"stats", no_argument, 0, OPT_STATS},
        {"stats-json", required_argument, 0, OPT_STATS_JSON},
        {"verbose", no_argument, 0, 'v'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    sim_config_t cfg;
    sim_config_default(&cfg);
    bool stats = false;
    const char *usb_setup = NULL;
    const char *stats_json = NULL, *modem_script = NULL, *modem_report = NULL, *probe_csv = NULL, *cmdline = NULL;
    const char *eth_spec = NULL, *eth_pcap = NULL, *eth_report = NULL;
    unsigned modem_uart = 1;
    probe_spec_t probes[SIM_IRQ_PROBE_MAX];
    int nprobes = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+:vh", opts, NULL)) != -1) {
        switch (c) {
        case OPT_BOARD:
            if (!strcmp(optarg, "pi1b")) cfg.board = SIM_BOARD_PI1B;
            else if (!strcmp(optarg, "pi0")) cfg.board = SIM_BOARD_PI0;
            else return bad("unknown board '%s' (pi1b or pi0)", optarg);
            break;
        case OPT_TIMING:
            if (!strcmp(optarg, "trm")) cfg.timing = SIM_TIMING_TRM;
            else if (!strcmp(optarg, "insn")) cfg.timing = SIM_TIMING_INSN;
            else return bad("unknown timing mode '%s' (trm or insn)", optarg);
            break;
        case OPT_UART0:
        case OPT_UART1:
            if (strcmp(optarg, "stdio") && strcmp(optarg, "pty") && strcmp(optarg, "null") && strcmp(optarg, "none") && strncmp(optarg, "tcp:", 4) &&
                strncmp(optarg, "file:", 5))
                return bad("bad UART spec '%s' (stdio, pty, tcp:PORT, file:PATH)", optarg);
            if (!strncmp(optarg, "tcp:", 4)) {
                char *end;
                errno = 0;
                long port = strtol(optarg + 4, &end, 10);
                if (errno || *end || end == optarg + 4 || port < 1 || port > 65535)
                    return bad("bad TCP port in '%s'", optarg);
            }
            if (!strncmp(optarg, "file:", 5) && !optarg[5]) return bad("empty path in '%s'", optarg);
            if (c == OPT_UART0) cfg.uart0_spec = optarg;
            else cfg.uart1_spec = optarg;
            break;
        case OPT_UART0_IN: cfg.uart0_in = optarg; break;
        case OPT_UART0_MODEM:
        case OPT_UART1_MODEM:
            if (!optarg[0]) return bad("%sempty modem script path", "");
            if (modem_script) return bad("%sonly one of --uart0-modem / --uart1-modem", "");
            modem_script = optarg;
            modem_uart = c == OPT_UART0_MODEM ? 0 : 1;
            break;
        case OPT_CMDLINE:
            if (strlen(optarg) > SIM_CMDLINE_MAX) return bad("--cmdline longer than 1024 bytes: '%.40s...'", optarg);
            cmdline = optarg;
            break;
        case OPT_MODEM_REPORT:
            if (!optarg[0]) return bad("%sempty --modem-report path", "");
            modem_report = optarg;
            break;
        case OPT_MAX_CYCLES: {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 0);
            if (errno || *end || end == optarg || optarg[0] == '-' || v == 0)
                return bad("bad cycle count '%s'", optarg);
            cfg.max_cycles = v;
            break;
        }
        case OPT_UNTIL_UART:
            if (!optarg[0]) return bad("%sempty --until-uart text", "");
            cfg.until_uart = optarg;
            break;
        case OPT_WDOG:
            if (!strcmp(optarg, "reset")) cfg.wdog_stop = false;
            else if (!strcmp(optarg, "stop")) cfg.wdog_stop = true;
            else return bad("unknown watchdog action '%s' (reset or stop)", optarg);
            break;
        case OPT_NO_SEMI: cfg.no_semihosting = true; break;
        case OPT_IRQ_PROBE: {
            char *eq = strchr(optarg, '='), *end;
            if (!eq || eq == optarg || !eq[1]) return bad("bad --irq-probe '%s' (SRC=ADDR or SRC=SYMBOL)", optarg);
            errno = 0;
            unsigned long src = strtoul(optarg, &end, 10);
            if (errno || end != eq || src >= 72) return bad("bad --irq-probe source in '%s' (0..71)", optarg);
            if (nprobes == SIM_IRQ_PROBE_MAX) return bad("too many --irq-probe options (at most 16)%s", "");
            probes[nprobes++] = (probe_spec_t){.src = (unsigned)src, .where = eq + 1};
            break;
        }
        case OPT_IRQ_PROBE_CSV:
            if (!optarg[0]) return bad("%sempty --irq-probe-csv path", "");
            probe_csv = optarg;
            break;
        case OPT_USB:
            if (strcmp(optarg, "lan9512") && strcmp(optarg, "cdc-ecm") && strcmp(optarg, "none") &&
                strcmp(optarg, "default"))
                return bad("unknown --usb set-up '%s' (lan9512, cdc-ecm, none)", optarg);
            usb_setup = optarg;
            break;
        case OPT_ETH:
            if (!optarg[0]) return bad("%sempty --eth spec", "");
            eth_spec = optarg;
            break;
        case OPT_ETH_PCAP:
            if (!optarg[0]) return bad("%sempty --eth-pcap path", "");
            eth_pcap = optarg;
            break;
        case OPT_ETH_REPORT:
            if (!optarg[0]) return bad("%sempty --eth-report path", "");
            eth_report = optarg;
            break;
        case OPT_STATS: stats = true; break;
        case OPT_STATS_JSON: stats_json = optarg; break;
        case 'v': cfg.verbose++; break;
        case 'h': fputs(usage, stdout); return 0;
        case ':': return bad("option '%s' needs an argument", argv[optind - 1]);
        default: return bad("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1) return bad("%sexactly one KERNEL argument expected", "");
    if (modem_report && !modem_script) return bad("%s--modem-report needs --uart1-modem or --uart0-modem", "");
    if (eth_report && (!eth_spec || strncmp(eth_spec, "peer:", 5)))
        return bad("%s--eth-report needs --eth peer:SCRIPT", "");
    if (modem_script && modem_uart == 1) {
        /* the modem is the only RX source of the mini UART: no interactive input there */
        if (!cfg.uart1_spec) cfg.uart1_spec = "null";
        else if (strcmp(cfg.uart1_spec, "null") && strcmp(cfg.uart1_spec, "none") && strncmp(cfg.uart1_spec, "file:", 5))
            return bad("--uart1 '%s' cannot be combined with --uart1-modem (null or file:PATH)", cfg.uart1_spec);
    } else if (modem_script) {
        /* the same for the PL011; --uart0 must be given (its default is the console's stdio) */
        if (!cfg.uart0_spec || (strcmp(cfg.uart0_spec, "null") && strcmp(cfg.uart0_spec, "none") && strncmp(cfg.uart0_spec, "file:", 5)))
            return bad("--uart0-modem needs --uart0 null or file:PATH (got '%s')", cfg.uart0_spec ? cfg.uart0_spec : "stdio");
        if (cfg.uart0_in) return bad("%s--uart0-in cannot be combined with --uart0-modem", "");
    }
    const char *kernel = argv[optind];
    if (access(kernel, R_OK) != 0) {
        perror(kernel);
        return SIM_STOP_ERROR;
    }
    sim_t *sim = sim_new(&cfg);
    if (!sim) return SIM_STOP_ERROR;
    if ((usb_setup || eth_spec) && soc_usb_setup(sim_soc(sim), usb_setup, eth_spec) != 0) {
        sim_free(sim);
        return SIM_STOP_USAGE; /* unknown link spec or one that cannot be opened */
    }
    if (modem_script && soc_attach_modem_on(sim_soc(sim), modem_uart, modem_script, modem_report) != 0) {
        sim_free(sim);
        return SIM_STOP_USAGE; /* a bad script is a usage error (messages name file:line) */
    }
    /* a bad --eth spec or peer script is a usage error (messages name file:line) */
    if ((eth_pcap || eth_report) && !soc_eth_link(sim_soc(sim))) {
        fprintf(stderr, "bcm2835-sim: --eth-pcap/--eth-report need a NIC on the USB port (--usb)\n");
        sim_free(sim);
        return SIM_STOP_USAGE;
    }
    if ((eth_pcap && eth_link_set_pcap(soc_eth_link(sim_soc(sim)), eth_pcap) != 0) ||
        (eth_report && eth_link_set_report(soc_eth_link(sim_soc(sim)), eth_report) != 0)) {
        sim_free(sim);
        return SIM_STOP_USAGE;
    }
    if (sim_load_image(sim, kernel) != 0 || (cmdline && write_atags(sim, cmdline) != 0)) {
        sim_free(sim);
        return SIM_STOP_ERROR;
    }
    for (int i = 0; i < nprobes; i++) {
        if (add_probe(sim, &probes[i]) != 0) {
            sim_free(sim);
            return SIM_STOP_USAGE;
        }
    }
    sim_stop_t r = sim_run(sim);
    fflush(stdout);
    if (stats) {
        print_stats(sim, stderr, r);
        print_probes(sim, stderr);
        soc_print_stats(sim_soc(sim), stderr);
    }
    if (probe_csv && write_probe_csv(sim, probe_csv) != 0) r = SIM_STOP_ERROR;
    if (stats_json && write_json(sim, stats_json, r) != 0) r = SIM_STOP_ERROR;
    if (r != SIM_STOP_HALT && r != SIM_STOP_UART_TEXT && sim_stop_message(sim)[0] && r != SIM_STOP_ERROR)
        fprintf(stderr, "bcm2835-sim: stop: %s: %s\n", sim_stop_name(r), sim_stop_message(sim));
    sim_free(sim);
    return r == SIM_STOP_UART_TEXT ? 0 : (int)r;
}
