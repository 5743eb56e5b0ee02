/* sim backend: bcm2835-sim with UART0 on stdio, which we connect to a raw pty (a pipe
 * would leave the simulator's output block-buffered until it exits). Time is simulated: the firmware's
 * us=/cycles= are the figures (deterministic); host time is only a secondary counter. */
#include "target.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* kernel.elf next to a kernel.img (the firmware build writes both), or NULL */
static const char *sibling_elf(const char *img, char *buf, size_t len)
{
    size_t n = strlen(img);
    if (n < 4 || strcmp(img + n - 4, ".img") != 0 || n + 1 > len) return NULL;
    snprintf(buf, len, "%.*s.elf", (int)(n - 4), img);
    return access(buf, R_OK) == 0 ? buf : NULL;
}

int backend_sim_start(sk_target_t *t, const sk_target_cfg_t *cfg, char *err, size_t errlen)
{
    char *argv[28] = {(char *)cfg->sim_path, "--board", (char *)cfg->board, "--timing", "trm", "--uart0", "stdio"};
    int a = 7;
    if (cfg->modem_script && cfg->modem_on_uart0) {
        /* radio on the PL011: the console moves to the mini UART (firmware boot command line) */
        argv[6] = "null";
        argv[a++] = "--uart1";
        argv[a++] = "stdio";
        argv[a++] = "--cmdline";
        argv[a++] = "sk.console=uart1";
        argv[a++] = "--uart0-modem";
        argv[a++] = (char *)cfg->modem_script;
        if (cfg->modem_report) { argv[a++] = "--modem-report"; argv[a++] = (char *)cfg->modem_report; }
    } else if (cfg->modem_script) { /* radio: the EnOcean modem model on the mini UART */
        argv[a++] = "--uart1-modem";
        argv[a++] = (char *)cfg->modem_script;
        if (cfg->modem_report) { argv[a++] = "--modem-report"; argv[a++] = (char *)cfg->modem_report; }
    }
    if (cfg->stats_json) { argv[a++] = "--stats-json"; argv[a++] = (char *)cfg->stats_json; }
    char slirp[128];
    const char *eth = cfg->eth_spec;
    if (!eth && cfg->udp_guest_port) { /* udp-echo with a host client: libslirp + hostfwd */
        t->udp_port = backend_free_port(SOCK_DGRAM);
        if (t->udp_port < 0) { snprintf(err, errlen, "no free UDP port"); return -1; }
        snprintf(slirp, sizeof slirp, "slirp:hostfwd=udp:127.0.0.1:%d-:%u", t->udp_port, cfg->udp_guest_port);
        eth = slirp;
    }
    if (eth) { /* udp-echo: the Ethernet wire (peer client, or slirp for a host client) */
        argv[a++] = "--eth";
        argv[a++] = (char *)eth;
        if (cfg->eth_report) { argv[a++] = "--eth-report"; argv[a++] = (char *)cfg->eth_report; }
        if (cfg->eth_pcap) { argv[a++] = "--eth-pcap"; argv[a++] = (char *)cfg->eth_pcap; }
        /* pi1b has its LAN9512; a Pi Zero takes a USB NIC: QEMU's topology (hub + CDC-ECM) */
        if (strcmp(cfg->board, "pi0") == 0) { argv[a++] = "--usb"; argv[a++] = "cdc-ecm"; }
    }
    const char *kernel = cfg->kernel;
    char elf[1024];
    if (cfg->irq_probe) { /* a symbol: the ELF, not the raw image */
        const char *e = strstr(kernel, ".elf") ? kernel : sibling_elf(kernel, elf, sizeof elf);
        if (e) {
            kernel = e;
            argv[a++] = "--irq-probe";
            argv[a++] = (char *)cfg->irq_probe;
        } else {
            target_note(t, "no kernel.elf next to %s: --irq-probe %s skipped", kernel, cfg->irq_probe);
        }
    }
    argv[a++] = (char *)kernel;
    argv[a] = NULL;
    char cmdline[2048];
    size_t o = 0;
    for (int i = 0; argv[i] && o < sizeof cmdline; i++) o += (size_t)snprintf(cmdline + o, sizeof cmdline - o, "%s%s", i ? " " : "", argv[i]);
    target_note(t, "spawn: %s", cmdline);
    if (proc_spawn(&t->proc, argv, PROC_IO_PTY, t->stderr_path) != 0) {
        snprintf(err, errlen, "cannot start %s: %s", cfg->sim_path, strerror(errno));
        return -1;
    }
    t->rfd = t->proc.from_child;
    t->wfd = t->proc.to_child;
    t->simulated_time = true;
    t->ready_prefix = "rpi-serverkernel ";
    return 0;
}
