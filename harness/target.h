/* A running target (sim, qemu, linux) and its serial link: line I/O with timeouts and a
 * timestamped transcript. Backends (backend_*.c) only differ in how they start it. */
#ifndef SK_TARGET_H
#define SK_TARGET_H
#include "proc.h"
#include <stdbool.h>
#include <stdio.h>

typedef struct sk_target_cfg {
    const char *kind;        /* sim | qemu | linux */
    const char *board;       /* pi1b | pi0 */
    const char *kernel;      /* kernel.img (sim, qemu) */
    const char *sim_path;    /* bcm2835-sim */
    const char *qemu_path;   /* qemu-system-arm */
    const char *linux_boot;  /* harness/linux/boot-qemu */
    const char *trace_dir;   /* DIR/traces */
    double boot_timeout_s;
    bool icount;             /* qemu: -icount shift=0,sleep=off */
    const char *modem_script;/* sim: --uart1-modem (radio workload), or NULL */
    const char *modem_report;/* sim: --modem-report */
    bool modem_on_uart0;     /* sim: false = --uart1-modem (console on uart0), true = --uart0-modem
                              * with the console on uart1 (--uart1 stdio --cmdline sk.console=uart1);
                              * linux: boot-qemu --radio (console on ttyS1, ttyAMA0 fed by skbench) */
    const char *stats_json;  /* sim: --stats-json */
    const char *irq_probe;   /* sim: --irq-probe SRC=SYMBOL (radio: VMIT entry latency), or NULL;
                              * the symbol needs the ELF: kernel.img is replaced by the kernel.elf
                              * next to it */
    /* udp-echo (harness/udpecho.h) */
    const char *eth_spec;    /* sim: --eth SPEC (peer:SCRIPT), or NULL */
    const char *eth_report;  /* sim: --eth-report */
    const char *eth_pcap;    /* sim: --eth-pcap; qemu/linux: QEMU -object filter-dump file */
    unsigned udp_guest_port; /* qemu/linux: usb-net + user network forwarding a free host UDP
                              * port to this guest port (0: no network); sim without eth_spec:
                              * --eth slirp:hostfwd=udp:127.0.0.1:<free>-:<port> */
} sk_target_cfg_t;

typedef struct sk_target {
    char kind[16];
    sk_proc_t proc;
    int rfd, wfd;            /* serial link (pipes or the QEMU socket) */
    int sock;                /* -1 unless a socket */
    int ctl_fd;              /* linux: boot-qemu's COMMAND stdin; closed after halt */
    bool simulated_time;     /* sim: execution time = firmware us (simulated) */
    const char *ready_prefix;/* readiness line */
    FILE *trace;
    double t0;
    char stderr_path[600];
    char buf[16384];
    size_t len;
    bool seen_prompt;  /* the target prompts with `> `: wait for the prompt before sending */
    int udp_port;      /* qemu/linux with udp_guest_port: the forwarded host UDP port, else 0 */
    int modem_port;    /* linux radio: boot-qemu --radio's socket feeding ttyAMA0 (0: none) */
} sk_target_t;

enum { TGT_LINE = 1, TGT_TIMEOUT = 0, TGT_EOF = -1, TGT_INTR = -2 };

int target_start(sk_target_t *t, const sk_target_cfg_t *cfg, char *err, size_t errlen);
/* Reads one line (CR/LF stripped, leading "> " prompts stripped) before deadline
 * (proc_now() seconds); ts = host time the line completed. */
int target_read_line(sk_target_t *t, char *line, size_t cap, double deadline, double *ts);
int target_send(sk_target_t *t, const char *line);
void target_note(sk_target_t *t, const char *fmt, ...);
/* Why the link ended: exit status + last stderr lines, into buf. */
void target_why(sk_target_t *t, char *buf, size_t len);
/* Kills the target's process group (if still alive) and closes everything. */
void target_close(sk_target_t *t);

/* backends */
int backend_sim_start(sk_target_t *t, const sk_target_cfg_t *cfg, char *err, size_t errlen);
int backend_qemu_start(sk_target_t *t, const sk_target_cfg_t *cfg, char *err, size_t errlen);
int backend_linux_start(sk_target_t *t, const sk_target_cfg_t *cfg, char *err, size_t errlen);
/* A free 127.0.0.1 port of type SOCK_STREAM or SOCK_DGRAM (a tiny race until it is bound), or -1. */
int backend_free_port(int type);

#endif
