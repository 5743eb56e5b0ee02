/* A fake target for end-to-end tests: speaks the firmware console protocol on stdio
 * (like bcm2835-sim --uart0 stdio) or, when given QEMU's "-serial tcp:H:P,server..."
 * arguments, on a TCP server socket. Behaviour from the environment:
 *   FAKE_MODE   ok | die:K (exit abruptly on the K-th md5) | wrong:K (bad digest on the
 *               K-th md5) | hang:K (never answer the K-th md5) | err:K ("err busy")
 *   With "-- COMMAND..." arguments it acts like harness/linux/boot-qemu's COMMAND mode:
 *   console on a TCP port of its own, COMMAND run with SK_SERIAL_PORT set, exit status =
 *   COMMAND's once the console halted.
 *   FAKE_ECHO   1: echo commands after the prompt, like a terminal
 *   FAKE_CHILD_PIDFILE  fork a sleeping grandchild in our process group, write its pid
 * Cycles are deterministic: cycles = 1000*n + 500, us = cycles / 700 (700 MHz). */
#include "md5.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static FILE *in, *out;

static int tcp_port(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "-serial") == 0 && strncmp(argv[i + 1], "tcp:", 4) == 0) {
            const char *p = strchr(argv[i + 1] + 4, ':');
            return p ? atoi(p + 1) : -1;
        }
    return -1;
}

int main(int argc, char **argv)
{
    const char *mode = getenv("FAKE_MODE");
    char kind[16] = "ok";
    int at = 0;
    if (mode) sscanf(mode, "%15[^:]:%d", kind, &at);
    int echo = getenv("FAKE_ECHO") && atoi(getenv("FAKE_ECHO"));
    const char *pidfile = getenv("FAKE_CHILD_PIDFILE");
    if (pidfile) {
        pid_t c = fork();
        if (c == 0) {
            execlp("sleep", "sleep", "300", (char *)NULL);
            _exit(127);
        }
        FILE *f = fopen(pidfile, "w");
        if (f) { fprintf(f, "%d\n", (int)c); fclose(f); }
    }
    int port = tcp_port(argc, argv);
    int dashdash = 0;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) { dashdash = i; break; }
    pid_t cmd = -1;
    if (dashdash && dashdash + 1 < argc) { /* boot-qemu COMMAND mode */
        int ls = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof a;
        if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0 ||
            getsockname(ls, (struct sockaddr *)&a, &len) != 0) { perror("fake: bind"); return 1; }
        char ps[16];
        snprintf(ps, sizeof ps, "%d", ntohs(a.sin_port));
        setenv("SK_SERIAL_HOST", "127.0.0.1", 1);
        setenv("SK_SERIAL_PORT", ps, 1);
        setenv("SK_BOOT_READY_S", "0.01", 1);
        cmd = fork();
        if (cmd == 0) {
            close(ls);
            execvp(argv[dashdash + 1], argv + dashdash + 1);
            _exit(127);
        }
        int s = accept(ls, NULL, NULL);
        if (s < 0) return 1;
        in = fdopen(s, "r");
        out = fdopen(dup(s), "w");
    } else if (port > 0) {
        int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        usleep(100000); /* like QEMU: the port opens a little after start */
        if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0) { perror("fake: bind"); return 1; }
        int s = accept(ls, NULL, NULL);
        if (s < 0) return 1;
        in = fdopen(s, "r");
        out = fdopen(dup(s), "w");
    } else {
        in = stdin;
        out = stdout;
    }
    setvbuf(out, NULL, _IONBF, 0);
    if (getenv("FAKE_LINUX") && atoi(getenv("FAKE_LINUX"))) {
        fprintf(out, "[    0.000000] Booting Linux on physical CPU 0x0\r\n");
        fprintf(out, "[    0.900000] Run /init as init process\r\n");
        fprintf(out, "sk-linux ready\r\n");
    }
    fprintf(out, "noise before the banner\r\nrpi-serverkernel fake 0.1 (pi1b)\r\n> ");
    char line[512];
    int count = 0;
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (echo) fprintf(out, "%s\r\n", line);
        if (strcmp(line, "info") == 0) {
            fprintf(out, "info board=pi1b cpu=700MHz fake=1\r\n");
        } else if (strncmp(line, "md5 ", 4) == 0) {
            count++;
            char *text;
            unsigned long n = strtoul(line + 4, &text, 10);
            if (*text == ' ') text++;
            if (strcmp(kind, "die") == 0 && count == at) {
                fprintf(out, "md5-start\r\n");
                _exit(5); /* like a guest failure exit of the simulator */
            }
            if (strcmp(kind, "hang") == 0 && count == at) {
                fprintf(out, "md5-start\r\n");
                for (;;) pause();
            }
            if (strcmp(kind, "err") == 0 && count == at) {
                fprintf(out, "err busy\r\n> ");
                continue;
            }
            uint8_t d[MD5_DIGEST_LEN];
            fprintf(out, "md5-start\r\n");
            md5_chain(text, strlen(text), (uint32_t)n, d);
            usleep(200 + (useconds_t)(n / 50)); /* a little wall time */
            fprintf(out, "md5-end\r\n");
            if (strcmp(kind, "wrong") == 0 && count == at) d[0] ^= 1;
            unsigned long long cycles = 1000ull * n + 500;
            fprintf(out, "md5 n=%lu digest=", n);
            for (int i = 0; i < MD5_DIGEST_LEN; i++) fprintf(out, "%02x", d[i]);
            fprintf(out, " cycles=%llu us=%llu\r\n", cycles, cycles / 700);
        } else if (strcmp(line, "halt") == 0) {
            fprintf(out, "halt\r\n");
            fclose(out);
            int st = 0;
            if (cmd > 0 && waitpid(cmd, &st, 0) == cmd) return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
            return 0;
        } else if (line[0]) {
            fprintf(out, "err unknown command\r\n");
        }
        fprintf(out, "> ");
    }
    return 0;
}
