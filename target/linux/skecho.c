/* skecho — UDP echo server, the Linux baseline of the udp-echo workload.
 *
 * Every datagram received on the port is sent back, unchanged, to its sender.
 * Usage: skecho [-p PORT] [-n COUNT] [-t IDLE_S] [-q]
 *   -p PORT    UDP port (default 5555)
 *   -n COUNT   stop after COUNT datagrams echoed (default 0 = no limit)
 *   -t IDLE_S  stop after IDLE_S seconds without a datagram (default 0 = never)
 *   -q         no start line
 * SIGINT/SIGTERM stop it cleanly; SIGUSR1 prints the counters. On exit it prints
 *   "skecho stats rx=<n> rx_bytes=<n> tx=<n> tx_bytes=<n> rx_err=<n> tx_err=<n> trunc=<n>"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SKE_MAX_DGRAM 65536u

typedef struct ske_stats {
    unsigned long long rx, rx_bytes, tx, tx_bytes, rx_err, tx_err, trunc;
} ske_stats_t;

static volatile sig_atomic_t ske_stop;
static volatile sig_atomic_t ske_dump;

static void ske_on_signal(int sig)
{
    if (sig == SIGUSR1)
        ske_dump = 1;
    else
        ske_stop = 1;
}

static void ske_print(const ske_stats_t *s)
{
    printf("skecho stats rx=%llu rx_bytes=%llu tx=%llu tx_bytes=%llu rx_err=%llu "
           "tx_err=%llu trunc=%llu\n", s->rx, s->rx_bytes, s->tx, s->tx_bytes, s->rx_err,
           s->tx_err, s->trunc);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    unsigned port = 5555, idle_s = 0;
    unsigned long long max = 0;
    int quiet = 0, opt;
    while ((opt = getopt(argc, argv, "p:n:t:q")) != -1) {
        switch (opt) {
        case 'p': port = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'n': max = strtoull(optarg, NULL, 10); break;
        case 't': idle_s = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'q': quiet = 1; break;
        default:
            fprintf(stderr, "usage: skecho [-p PORT] [-n COUNT] [-t IDLE_S] [-q]\n");
            return 2;
        }
    }
    if (port == 0 || port > 65535) {
        fprintf(stderr, "skecho: bad port\n");
        return 2;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = ske_on_signal; /* no SA_RESTART: poll() returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);

    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) {
        perror("skecho: socket");
        return 1;
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("skecho: bind");
        return 1;
    }
    if (!quiet) {
        printf("skecho listening port=%u\n", port);
        fflush(stdout);
    }

    static uint8_t buf[SKE_MAX_DGRAM];
    ske_stats_t st = { 0 };
    struct pollfd p = { .fd = s, .events = POLLIN };
    while (!ske_stop && (max == 0 || st.tx < max)) {
        if (ske_dump) {
            ske_dump = 0;
            ske_print(&st);
        }
        int r = poll(&p, 1, idle_s ? (int)(idle_s * 1000u) : -1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            perror("skecho: poll");
            break;
        }
        if (r == 0)
            break; /* idle timeout */
        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        ssize_t n = recvfrom(s, buf, sizeof buf, MSG_TRUNC, (struct sockaddr *)&peer, &plen);
        if (n < 0) {
            if (errno != EINTR)
                st.rx_err++;
            continue;
        }
        st.rx++;
        st.rx_bytes += (unsigned long long)n;
        if ((size_t)n > sizeof buf) { /* MSG_TRUNC returns the real length */
            st.trunc++;
            n = (ssize_t)sizeof buf;
        }
        ssize_t w = sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen);
        if (w != n) {
            st.tx_err++;
            continue;
        }
        st.tx++;
        st.tx_bytes += (unsigned long long)w;
    }
    close(s);
    ske_print(&st);
    return 0;
}
