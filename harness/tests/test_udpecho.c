/* udp-echo workload pieces: statistics, the host client against an in-test UDP echo
 * server (a forked child: good answers, a corrupted answer, a dropped answer, silence),
 * and the reader of the simulator peer's report (every failure class has its message). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "console.h"
#include "udpecho.h"

static void test_stats(void **state)
{
    (void)state;
    double v[200];
    for (int i = 0; i < 200; i++) v[i] = 200 - i; /* 200..1 */
    v[7] = NAN;                                    /* an unanswered request is skipped */
    double mn, med, p99, mx, mean;
    udpecho_stats(v, 200, &mn, &med, &p99, &mx, &mean);
    assert_true(mn == 1 && mx == 200);
    assert_true(med == 100); /* 199 values 1..200 without 193: rank 100 */
    assert_true(p99 == 199); /* rank ceil(0.99 * 199) = 198: the 198th of 1..192,194..200 */
    uint8_t b[12];
    udpecho_payload(b, sizeof b);
    assert_memory_equal(b, "Echo1Echo1Ec", 12);
}

/* echo server child: mode 0 echo all, 'c' corrupt answer k, 'd' drop answer k, 's' silent */
static pid_t echo_server(int *port, char mode, int k)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
    *port = ntohs(a.sin_port);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid) {
        close(s);
        return pid;
    }
    alarm(30); /* bounded: the parent kills us anyway */
    int n = 0;
    for (;;) {
        uint8_t buf[2048];
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t r = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
        if (r < 0) continue;
        if (mode == 's') continue;
        bool probe = r == (ssize_t)strlen(UDPECHO_PROBE) && !memcmp(buf, UDPECHO_PROBE, (size_t)r);
        if (!probe && ++n == k) {
            if (mode == 'd') continue;
            if (mode == 'c') buf[r - 1] ^= 1;
        }
        sendto(s, buf, (size_t)r, 0, (struct sockaddr *)&from, fl);
    }
}

static void stop(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static void test_host_client(void **state)
{
    (void)state;
    sk_target_t t;
    memset(&t, 0, sizeof t);
    double rtt[50];
    udpecho_outcome_t o;
    char err[512] = "";
    int port;
    udpecho_params_t p = {.n = 50, .size = 64, .port = 7, .timeout_ms = 500};
    pid_t pid = echo_server(&port, 0, 0);
    assert_int_equal(udpecho_host_run(&t, port, &p, 5, rtt, &o, err, sizeof err), CON_OK);
    stop(pid);
    assert_int_equal(o.sent, 50);
    assert_int_equal(o.answered, 50);
    assert_int_equal(o.mismatches + o.timeouts, 0);
    assert_true(o.rtt_min_us > 0 && o.rtt_min_us <= o.rtt_median_us && o.rtt_median_us <= o.rtt_p99_us &&
                o.rtt_p99_us <= o.rtt_max_us && o.total_us >= 50 * o.rtt_min_us);
    for (int i = 0; i < 50; i++) assert_false(isnan(rtt[i]));
    sk_sample_t s;
    udpecho_fill_sample(&s, &p, &o, false);
    assert_int_equal(s.ok, 1);
    assert_int_equal(s.n, 50);

    /* a corrupted answer is WRONG, at its request */
    pid = echo_server(&port, 'c', 3);
    assert_int_equal(udpecho_host_run(&t, port, &p, 5, rtt, &o, err, sizeof err), CON_WRONG);
    stop(pid);
    assert_non_null(strstr(err, "WRONG ANSWER to request 3"));
    assert_int_equal(o.mismatches, 1);
    /* a lost answer: no answer within the timeout, at its request */
    pid = echo_server(&port, 'd', 5);
    assert_int_equal(udpecho_host_run(&t, port, &p, 5, rtt, &o, err, sizeof err), CON_FAIL);
    stop(pid);
    assert_non_null(strstr(err, "no answer from target within 0.500 s to request 5 of 50"));
    assert_int_equal(o.timeouts, 1);
    assert_int_equal(o.answered, 4);
    /* a silent target: the probe phase ends with a clear error, within its bound */
    pid = echo_server(&port, 's', 0);
    double t0 = proc_now();
    assert_int_equal(udpecho_host_run(&t, port, &p, 1, rtt, &o, err, sizeof err), CON_FAIL);
    stop(pid);
    assert_true(proc_now() - t0 < 3);
    assert_non_null(strstr(err, "no answer from target within 1 s"));
}

static const char *write_tmp(const char *text)
{
    static char path[] = "/tmp/skb-udpecho-XXXXXX";
    strcpy(path, "/tmp/skb-udpecho-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static int read_report(const char *json, uint64_t n, udpecho_outcome_t *o, double *rtt, char *err, size_t errlen)
{
    const char *p = write_tmp(json);
    udpecho_params_t prm = {.n = n, .size = 5, .port = 7, .timeout_ms = 100};
    int rc = udpecho_read_peer_report(p, &prm, rtt, o, err, errlen);
    unlink(p);
    return rc;
}

static void test_peer_report(void **state)
{
    (void)state;
    udpecho_outcome_t o;
    double rtt[3];
    char err[512];
    const char *good = "{\"eth_peer\": 1, \"cpu_hz\": 700000000, \"done\": true, \"arp_resolved\": true, "
                       "\"requests\": 3, \"sent\": 3, \"answered\": 3, \"mismatches\": 0, \"timeouts\": 0, "
                       "\"first_request_cycle\": 1000, \"end_cycle\": 8000, "
                       "\"rtt_cycles\": {\"median\": 2100, \"p99\": 2800, \"max\": 2800}, "
                       "\"rtts\": [1400, 2100, 2800]}";
    assert_int_equal(read_report(good, 3, &o, rtt, err, sizeof err), CON_OK);
    assert_true(fabs(rtt[0] - 2.0) < 1e-9 && fabs(rtt[2] - 4.0) < 1e-9); /* cycles at 700 MHz -> µs */
    assert_true(fabs(o.rtt_median_us - 3.0) < 1e-9);
    assert_int_equal(o.total_cycles, 7000);
    assert_true(fabs(o.total_us - 10.0) < 1e-9);
    sk_sample_t s;
    udpecho_params_t p = {.n = 3, .size = 5};
    udpecho_fill_sample(&s, &p, &o, true);
    assert_int_equal(s.cycles, 7000);
    assert_int_equal(s.ok, 1);

    struct {
        const char *json;
        int rc;
        const char *msg;
    } bad[] = {
        {"", CON_FAIL, "wrote no peer report"},
        {"{\"x\": 1}", CON_FAIL, "malformed peer report"},
        {"{\"eth_peer\": 1, \"cpu_hz\": 700000000, \"requests\": 2, \"rtts\": [1, 2]}", CON_FAIL, "does not match"},
        {"{\"eth_peer\": 1, \"cpu_hz\": 7e8, \"done\": true, \"arp_resolved\": false, \"requests\": 3, "
         "\"rtts\": [null, null, null]}", CON_FAIL, "no ARP reply from 10.0.2.15"},
        {"{\"eth_peer\": 1, \"cpu_hz\": 7e8, \"done\": false, \"arp_resolved\": true, \"requests\": 3, \"sent\": 1, "
         "\"rtts\": [5, null, null]}", CON_FAIL, "did not finish"},
        {"{\"eth_peer\": 1, \"cpu_hz\": 7e8, \"done\": true, \"arp_resolved\": true, \"requests\": 3, \"sent\": 3, "
         "\"answered\": 3, \"mismatches\": 1, \"rtts\": [5, 5, 5]}", CON_WRONG, "WRONG ANSWER: 1 of 3"},
        {"{\"eth_peer\": 1, \"cpu_hz\": 7e8, \"done\": true, \"arp_resolved\": true, \"requests\": 3, \"sent\": 3, "
         "\"answered\": 2, \"timeouts\": 1, \"rtts\": [5, null, 5]}", CON_FAIL, "to 1 of 3 requests"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        assert_int_equal(read_report(bad[i].json, 3, &o, rtt, err, sizeof err), bad[i].rc);
        if (!strstr(err, bad[i].msg)) fail_msg("case %zu: '%s' lacks '%s'", i, err, bad[i].msg);
    }
}

static void test_peer_script(void **state)
{
    (void)state;
    char path[] = "/tmp/skb-udpscr-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    udpecho_params_t p = {.n = 1000, .size = 1472, .port = 5555, .timeout_ms = 200, .gap_us = 3};
    assert_int_equal(udpecho_write_peer_script(path, &p, 5), 0);
    char *s = sk_slurp(path);
    unlink(path);
    assert_non_null(s);
    assert_non_null(strstr(s, "\ntarget 10.0.2.15\n"));
    assert_non_null(strstr(s, "\narp 10000 500\n"));
    assert_non_null(strstr(s, "\ntimeout 200000\n"));
    assert_non_null(strstr(s, "\ngap 3\n"));
    assert_non_null(strstr(s, "\ndhcp\n"));
    assert_non_null(strstr(s, "\nudp 1000 5555 size=1472\nstop\n"));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_host_client),
        cmocka_unit_test(test_peer_report),
        cmocka_unit_test(test_peer_script),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
