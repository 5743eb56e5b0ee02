/* The `udp-echo` workload (paper figure 6): N sequential UDP echo requests, every answer
 * checked byte for byte, per-request round-trip times kept.
 *
 *  - qemu, linux: the client is skbench itself: a UDP socket to the host port QEMU's user
 *    network forwards to the guest's echo port (hostfwd). Before the timed requests a
 *    probe datagram ("skbench-probe") is repeated every 200 ms until one comes back (or
 *    the boot timeout passes): it waits for the guest's network without counting; late
 *    probe answers are recognised and skipped. Then request k is sent only after answer
 *    k-1 arrived; no answer within `timeout_ms` ends the run with "no answer from target
 *    within T s". RTT = host CLOCK_MONOTONIC from send() to the answer's recv().
 *    The firmware (qemu) starts its network on "net start", which skbench types after the
 *    info handshake and then waits for the "net-up ..." line (console_net_start).
 *  - sim: the simulator's in-process peer (bcm2835-sim --eth peer:SCRIPT,
 *    sim/link/eth_peer.h) is the client, in simulated time; the harness writes its script
 *    and reads its report. The simulator does not wait for typed input, so the firmware
 *    must bring its network up by itself: skbench boots kernel-net.img (beside kernel.img,
 *    or env SK_KERNEL_NET_IMG); board pi0 gets --usb cdc-ecm. RTT = cycles from the request entering the NIC to the answer
 *    leaving it.
 * Payload: `size` bytes of "Echo1" repeated (size 5 = the paper's "Echo1"). */
#ifndef SK_UDPECHO_H
#define SK_UDPECHO_H
#include "results.h"
#include "target.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UDPECHO_MAX_N 100000u
#define UDPECHO_MAX_SIZE 1472u
#define UDPECHO_PROBE "skbench-probe"

typedef struct udpecho_params {
    uint64_t n;           /* requests */
    uint32_t size;        /* payload bytes, 0..1472 */
    uint32_t port;        /* the target's UDP echo port */
    uint32_t timeout_ms;  /* per-request answer timeout */
    uint32_t gap_us;      /* pause between an answer and the next request */
} udpecho_params_t;

typedef struct udpecho_outcome {
    uint64_t sent, answered, mismatches, timeouts, late_probes;
    double rtt_min_us, rtt_median_us, rtt_p99_us, rtt_max_us, rtt_mean_us;
    double total_us;      /* first send .. last answer (host), or simulated */
    uint64_t total_cycles;/* sim only */
    uint64_t rtt_median_cycles, rtt_p99_cycles, rtt_max_cycles; /* sim only */
    double probe_wait_s;  /* host: time until the first probe came back */
} udpecho_outcome_t;

void udpecho_payload(uint8_t *buf, size_t size);
/* nearest-rank statistics over v[0..n) (sorted copy): min/median/p99/max/mean */
void udpecho_stats(const double *v, size_t n, double *min, double *median, double *p99, double *max, double *mean);

/* Host client against 127.0.0.1:host_port. rtt_us receives one value per answered
 * request (n slots). probe_timeout_s bounds the probe phase. CON_* code; a wrong answer
 * is CON_WRONG; no answer is CON_FAIL with "no answer from target within ..." in err. */
int udpecho_host_run(sk_target_t *t, int host_port, const udpecho_params_t *p, double probe_timeout_s,
                     double *rtt_us, udpecho_outcome_t *o, char *err, size_t errlen);

/* sim: the peer script for p (target 10.0.2.15:port, ARP for up to arp_s simulated s). */
int udpecho_write_peer_script(const char *path, const udpecho_params_t *p, unsigned arp_s);
/* Reads the peer's report: counts, RTTs (cycles -> µs at its cpu_hz) into o and rtt_us
 * (n slots; NaN for unanswered). CON_* code with a clear err for every failure class. */
int udpecho_read_peer_report(const char *path, const udpecho_params_t *p, double *rtt_us, udpecho_outcome_t *o,
                             char *err, size_t errlen);

/* The sample's numbers (exec_us = cpu_us = total time; counters as extra members). */
void udpecho_fill_sample(sk_sample_t *s, const udpecho_params_t *p, const udpecho_outcome_t *o, bool sim);
/* One RTT per line (µs), "-" for no answer. 0 or -1. */
int udpecho_write_rtts(const char *path, const double *rtt_us, uint64_t n);
#endif
