/* qemu backend: qemu-system-arm -M raspi0 with the PL011 on a TCP server socket
 * (wait=on: the guest starts when we connect), TCP_NODELAY on both sides. Execution time
 * = host timestamps of the md5-start/md5-end lines (the paper's serial-marker method). */
#include "target.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Asks the kernel for a free port (a tiny race remains until QEMU binds it). */
int backend_free_port(int type)
{
    int s = socket(AF_INET, type, 0);
    if (s < 0) return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(s, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(s, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(s);
    return port;
}
static int free_port(void) { return backend_free_port(SOCK_STREAM); }

/* Connects to 127.0.0.1:port, retrying until deadline while the child is alive. */
int backend_connect(sk_target_t *t, int port, double deadline, char *err, size_t errlen)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (;;) {
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0) { snprintf(err, errlen, "socket: %s", strerror(errno)); return -1; }
        if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) {
            int one = 1;
            setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            t->sock = t->rfd = t->wfd = s;
            return 0;
        }
        close(s);
        if (proc_interrupted) { snprintf(err, errlen, "interrupted"); return -1; }
        if (proc_check(&t->proc)) {
            char why[400];
            target_why(t, why, sizeof why);
            snprintf(err, errlen, "target exited before its serial port opened (%s)", why);
            return -1;
        }
        if (proc_now() > deadline) {
            snprintf(err, errlen, "timeout connecting to the serial port 127.0.0.1:%d", port);
            return -1;
        }
        usleep(20000);
    }
}

int backend_qemu_start(sk_target_t *t, const sk_target_cfg_t *cfg, char *err, size_t errlen)
{
    int port = free_port();
    if (port < 0) { snprintf(err, errlen, "no free TCP port"); return -1; }
    char serial[128];
    snprintf(serial, sizeof serial, "tcp:127.0.0.1:%d,server=on,wait=on,nodelay=on", port);
    char *argv[28];
    int a = 0;
    char netdev[160], dump[1200];
    argv[a++] = (char *)cfg->qemu_path;
    argv[a++] = "-M";
    argv[a++] = "raspi0"; /* QEMU has no Pi 1 B; raspi0 is the same BCM2835/ARM1176 */
    argv[a++] = "-bios";  /* raw kernel.img at 0x8000, as the Pi firmware loads it */
    argv[a++] = (char *)cfg->kernel;
    argv[a++] = "-display";
    argv[a++] = "none";
    argv[a++] = "-monitor";
    argv[a++] = "none";
    argv[a++] = "-semihosting";
    argv[a++] = "-serial";
    argv[a++] = serial;
    if (cfg->icount) {
        argv[a++] = "-icount";
        argv[a++] = "shift=0,sleep=off";
    }
    if (cfg->udp_guest_port) {
        /* udp-echo: a CDC Ethernet NIC on the DWC2 (QEMU adds the hub), user networking
         * (guest 10.0.2.15) forwarding a free host UDP port to the guest's echo port */
        t->udp_port = backend_free_port(SOCK_DGRAM);
        if (t->udp_port < 0) { snprintf(err, errlen, "no free UDP port"); return -1; }
        snprintf(netdev, sizeof netdev, "user,id=n0,hostfwd=udp:127.0.0.1:%d-:%u", t->udp_port, cfg->udp_guest_port);
        argv[a++] = "-device";
        argv[a++] = "usb-net,netdev=n0";
        argv[a++] = "-netdev";
        argv[a++] = netdev;
        if (cfg->eth_pcap) {
            snprintf(dump, sizeof dump, "filter-dump,id=d0,netdev=n0,file=%s", cfg->eth_pcap);
            argv[a++] = "-object";
            argv[a++] = dump;
        }
    }
    argv[a] = NULL;
    target_note(t, "spawn: %s -M raspi0 -bios %s ... -serial %s%s%s%s", cfg->qemu_path, cfg->kernel, serial,
                cfg->icount ? " -icount shift=0,sleep=off" : "", cfg->udp_guest_port ? " -device usb-net -netdev " : "",
                cfg->udp_guest_port ? netdev : "");
    if (proc_spawn_nice(&t->proc, argv, PROC_IO_NULL, t->stderr_path, SK_TARGET_NICE) != 0) {
        snprintf(err, errlen, "cannot start %s: %s", cfg->qemu_path, strerror(errno));
        return -1;
    }
    t->ready_prefix = "rpi-serverkernel ";
    return backend_connect(t, port, proc_now() + cfg->boot_timeout_s, err, errlen);
}
