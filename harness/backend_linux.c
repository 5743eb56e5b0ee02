/* linux backend: the Linux baseline image on QEMU raspi0 through the colleague's
 * harness/linux/boot-qemu, in its COMMAND mode: boot-qemu boots QEMU with the ttyAMA0
 * console on a TCP socket, waits for "sk-linux ready", then runs our COMMAND with
 * SK_SERIAL_PORT set. The COMMAND prints the port on boot-qemu's stdout (our pipe) and
 * blocks reading stdin; we connect to the console ourselves (TCP_NODELAY), run the
 * protocol, send halt and close the pipe so the COMMAND ends and boot-qemu reaps QEMU.
 * boot-qemu, QEMU and the COMMAND share one process group, killed as a whole on failure. */
#include "target.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int backend_connect(sk_target_t *t, int port, double deadline, char *err, size_t errlen);

int backend_linux_start(sk_target_t *t, const sk_target_cfg_t *cfg, char *err, size_t errlen)
{
    if (access(cfg->linux_boot, X_OK) != 0) {
        snprintf(err, errlen, "Linux boot script %s not found or not executable (set --linux-boot or SK_LINUX_BOOT)",
                 cfg->linux_boot);
        return -1;
    }
    char timeout[32];
    snprintf(timeout, sizeof timeout, "%.0f", cfg->boot_timeout_s);
    const char *board = strcmp(cfg->board, "pi0") == 0 ? "zero" : "b";
    char *argv[24];
    int a = 0;
    char eport[16];
    argv[a++] = (char *)cfg->linux_boot;
    argv[a++] = "--board";
    argv[a++] = (char *)board;
    argv[a++] = "--timeout";
    argv[a++] = timeout;
    if (cfg->icount) argv[a++] = "--icount";
    if (cfg->eth_pcap) { /* QEMU -object filter-dump on the usb-net netdev */
        argv[a++] = "--pcap";
        argv[a++] = (char *)cfg->eth_pcap;
    }
    if (cfg->udp_guest_port) { /* skecho's port in the guest (and the hostfwd to it) */
        snprintf(eport, sizeof eport, "%u", cfg->udp_guest_port);
        argv[a++] = "--echo-port";
        argv[a++] = eport;
    }
    if (cfg->modem_on_uart0) argv[a++] = "--radio"; /* console on ttyS1, ttyAMA0 for the modem */
    argv[a++] = "--";
    argv[a++] = "sh";
    argv[a++] = "-c";
    argv[a++] = "echo \"sk-linux-port $SK_SERIAL_PORT $SK_BOOT_READY_S ${SK_UDP_PORT:-0} ${SK_MODEM_PORT:-0}\"; "
                "read _unused || true";
    argv[a] = NULL;
    target_note(t, "spawn: %s --board %s --timeout %s%s%s -- (port helper)", cfg->linux_boot, board, timeout,
                cfg->icount ? " --icount" : "", cfg->modem_on_uart0 ? " --radio" : "");
    if (proc_spawn_nice(&t->proc, argv, PROC_IO_PIPE, t->stderr_path, SK_TARGET_NICE) != 0) {
        snprintf(err, errlen, "cannot start %s: %s", cfg->linux_boot, strerror(errno));
        return -1;
    }
    /* boot-qemu's stdout: wait for the helper's port line (boot-qemu enforces the boot
     * timeout itself; ours is a backstop) */
    t->rfd = t->proc.from_child;
    t->ctl_fd = t->proc.to_child;
    char line[256];
    double deadline = proc_now() + cfg->boot_timeout_s + 10;
    int port = -1;
    for (;;) {
        int r = target_read_line(t, line, sizeof line, deadline, NULL);
        if (r != TGT_LINE) {
            char why[400];
            target_why(t, why, sizeof why);
            snprintf(err, errlen, "Linux did not become ready (%s)",
                     r == TGT_TIMEOUT ? "timeout" : r == TGT_INTR ? "interrupted" : why);
            return -1;
        }
        double ready_s;
        int mport = 0;
        int n = sscanf(line, "sk-linux-port %d %lf %d %d", &port, &ready_s, &t->udp_port, &mport);
        if (n >= 1) {
            if (n < 3) t->udp_port = 0;
            t->modem_port = n >= 4 ? mport : 0;
            break;
        }
    }
    if (cfg->modem_on_uart0 && t->modem_port <= 0) {
        snprintf(err, errlen, "boot-qemu --radio gave no modem port (SK_MODEM_PORT)");
        return -1;
    }
    target_note(t, "Linux ready (%s); console on 127.0.0.1:%d", line, port);
    if (backend_connect(t, port, proc_now() + 30, err, errlen) != 0) return -1;
    t->ready_prefix = NULL; /* "sk-linux ready" was consumed by boot-qemu */
    return 0;
}
