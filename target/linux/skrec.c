/* skrec — the Linux baseline of the recording workload: receives K UDP streams and
 * appends each stream's datagram payloads, in arrival order, to its own file.
 *
 * Usage: skrec [-d DIR] [-p BASE_PORT] [-k K] [-n TOTAL] [-t IDLE_S] [-s]
 *   -d DIR        output directory (default /tmp/rec; created if missing)
 *   -p BASE_PORT  first port (default 6000); stream i listens on BASE_PORT + i
 *   -k K          number of streams, 1..64 (default 1)
 *   -n TOTAL      stop after TOTAL datagrams over all streams (default 0 = no limit)
 *   -t IDLE_S     stop IDLE_S seconds after the last datagram, once one arrived
 *                 (default 0 = never)
 *   -s            fsync every file at the end
 * Files: DIR/rec-<port>.bin. SIGINT/SIGTERM stop cleanly; SIGUSR1 prints the counters.
 * Output lines: "skrec listening ..." at start, then at exit one
 *   "skrec stream port=<p> pkts=<n> bytes=<n> write_err=<n> file=<path>" per stream and
 *   "skrec total pkts=<n> bytes=<n> rx_err=<n> write_err=<n>".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define SKR_MAX_STREAMS 64u
#define SKR_MAX_DGRAM 65536u

typedef struct skr_stream {
    int sock;
    int file;
    unsigned port;
    unsigned long long pkts, bytes, write_err;
    char path[256];
} skr_stream_t;

static volatile sig_atomic_t skr_stop;
static volatile sig_atomic_t skr_dump;

static void skr_on_signal(int sig)
{
    if (sig == SIGUSR1)
        skr_dump = 1;
    else
        skr_stop = 1;
}

static void skr_print(const skr_stream_t *st, unsigned k, unsigned long long rx_err)
{
    unsigned long long pkts = 0, bytes = 0, werr = 0;
    for (unsigned i = 0; i < k; i++) {
        printf("skrec stream port=%u pkts=%llu bytes=%llu write_err=%llu file=%s\n",
               st[i].port, st[i].pkts, st[i].bytes, st[i].write_err, st[i].path);
        pkts += st[i].pkts;
        bytes += st[i].bytes;
        werr += st[i].write_err;
    }
    printf("skrec total pkts=%llu bytes=%llu rx_err=%llu write_err=%llu\n", pkts, bytes,
           rx_err, werr);
    fflush(stdout);
}

static int skr_write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = "/tmp/rec";
    unsigned base = 6000, k = 1, idle_s = 0;
    unsigned long long max = 0;
    int do_sync = 0, opt;
    while ((opt = getopt(argc, argv, "d:p:k:n:t:s")) != -1) {
        switch (opt) {
        case 'd': dir = optarg; break;
        case 'p': base = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'k': k = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'n': max = strtoull(optarg, NULL, 10); break;
        case 't': idle_s = (unsigned)strtoul(optarg, NULL, 10); break;
        case 's': do_sync = 1; break;
        default:
            fprintf(stderr, "usage: skrec [-d DIR] [-p BASE_PORT] [-k K] [-n TOTAL] "
                            "[-t IDLE_S] [-s]\n");
            return 2;
        }
    }
    if (k == 0 || k > SKR_MAX_STREAMS || base == 0 || base + k - 1 > 65535) {
        fprintf(stderr, "skrec: bad -k or -p\n");
        return 2;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "skrec: mkdir %s: %s\n", dir, strerror(errno));
        return 1;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = skr_on_signal; /* no SA_RESTART: poll() returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);

    static skr_stream_t st[SKR_MAX_STREAMS];
    static struct pollfd pfd[SKR_MAX_STREAMS];
    for (unsigned i = 0; i < k; i++) {
        skr_stream_t *s = &st[i];
        s->port = base + i;
        snprintf(s->path, sizeof s->path, "%s/rec-%u.bin", dir, s->port);
        s->file = open(s->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        s->sock = socket(AF_INET, SOCK_DGRAM, 0);
        if (s->file < 0 || s->sock < 0) {
            fprintf(stderr, "skrec: %s: %s\n", s->path, strerror(errno));
            return 1;
        }
        int rcvbuf = 1 << 20; /* absorb bursts while a write is in progress */
        setsockopt(s->sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)s->port);
        a.sin_addr.s_addr = htonl(INADDR_ANY);
        if (bind(s->sock, (struct sockaddr *)&a, sizeof a) != 0) {
            fprintf(stderr, "skrec: bind %u: %s\n", s->port, strerror(errno));
            return 1;
        }
        pfd[i].fd = s->sock;
        pfd[i].events = POLLIN;
    }
    printf("skrec listening ports=%u..%u dir=%s\n", base, base + k - 1, dir);
    fflush(stdout);

    static uint8_t buf[SKR_MAX_DGRAM];
    unsigned long long total = 0, rx_err = 0;
    while (!skr_stop && (max == 0 || total < max)) {
        if (skr_dump) {
            skr_dump = 0;
            skr_print(st, k, rx_err);
        }
        int timeout = (idle_s && total > 0) ? (int)(idle_s * 1000u) : -1;
        int r = poll(pfd, k, timeout);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            perror("skrec: poll");
            break;
        }
        if (r == 0)
            break; /* idle after the last datagram */
        for (unsigned i = 0; i < k && (max == 0 || total < max); i++) {
            if (!(pfd[i].revents & POLLIN))
                continue;
            ssize_t n = recv(st[i].sock, buf, sizeof buf, MSG_DONTWAIT);
            if (n < 0) {
                if (errno != EAGAIN && errno != EINTR)
                    rx_err++;
                continue;
            }
            st[i].pkts++;
            st[i].bytes += (unsigned long long)n;
            total++;
            if (skr_write_all(st[i].file, buf, (size_t)n) != 0)
                st[i].write_err++;
        }
    }
    for (unsigned i = 0; i < k; i++) {
        if (do_sync && fsync(st[i].file) != 0)
            st[i].write_err++;
        close(st[i].file);
        close(st[i].sock);
    }
    skr_print(st, k, rx_err);
    return 0;
}
