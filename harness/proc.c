#include <sys/resource.h>
#include "proc.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pty.h>
#include <sys/prctl.h>
#include <termios.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_LIVE 8
static volatile pid_t live[MAX_LIVE]; /* process groups to kill on a signal or exit */
volatile int proc_interrupted;

double proc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void on_signal(int sig)
{
    /* async-signal-safe only: kill(2) the groups; the main flow sees proc_interrupted
     * (poll returns EINTR), writes partial results and reaps. */
    proc_interrupted = sig;
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i] > 0) kill(-live[i], SIGTERM);
}

static void on_exit_kill(void)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i] > 0) {
            kill(-live[i], SIGKILL);
            waitpid(live[i], NULL, 0);
            live[i] = 0;
        }
}

void proc_setup(void)
{
    static bool done;
    if (done) return;
    done = true;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: blocking calls return EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a dead target shows up as EPIPE/EOF, not a signal */
    atexit(on_exit_kill);
}

static void track(pid_t pid, bool add)
{
    for (int i = 0; i < MAX_LIVE; i++) {
        if (add && live[i] == 0) { live[i] = pid; return; }
        if (!add && live[i] == pid) { live[i] = 0; return; }
    }
}

int proc_spawn(sk_proc_t *p, char *const argv[], proc_io_t io, const char *stderr_path)
{
    return proc_spawn_nice(p, argv, io, stderr_path, 0);
}

int proc_spawn_nice(sk_proc_t *p, char *const argv[], proc_io_t io, const char *stderr_path, int nice_inc)
{
    memset(p, 0, sizeof *p);
    p->to_child = p->from_child = -1;
    bool pipe_io = io == PROC_IO_PIPE;
    int in[2] = {-1, -1}, out[2] = {-1, -1};
    int master = -1, slave = -1;
    if (pipe_io && (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)) return -1;
    if (io == PROC_IO_PTY) {
        struct termios tio;
        memset(&tio, 0, sizeof tio);
        cfmakeraw(&tio);
        cfsetspeed(&tio, B115200);
        if (openpty(&master, &slave, NULL, &tio, NULL) != 0) return -1;
        fcntl(master, F_SETFD, FD_CLOEXEC);
        fcntl(slave, F_SETFD, FD_CLOEXEC);
    }
    int errfd = open(stderr_path ? stderr_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (errfd < 0) {
        if (master >= 0) { close(master); close(slave); }
        return -1;
    }
    pid_t parent = getpid();
    /* block signals across fork so the child never runs our handler */
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        int devnull = open("/dev/null", O_RDWR);
        dup2(pipe_io ? in[0] : slave >= 0 ? slave : devnull, 0);
        dup2(pipe_io ? out[1] : slave >= 0 ? slave : devnull, 1);
        dup2(errfd, 2);
        if (nice_inc) setpriority(PRIO_PROCESS, 0, nice_inc); /* threads created later inherit it */
        execvp(argv[0], argv);
        dprintf(2, "skbench: cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (pid > 0) {
        setpgid(pid, pid); /* also here: no race with kill(-pid) below */
        track(pid, true);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(errfd);
    if (pipe_io) {
        close(in[0]);
        close(out[1]);
    }
    if (slave >= 0) close(slave);
    if (pid < 0) {
        if (pipe_io) { close(in[1]); close(out[0]); }
        if (master >= 0) close(master);
        return -1;
    }
    p->pid = pid;
    if (pipe_io) {
        p->to_child = in[1];
        p->from_child = out[0];
    } else if (master >= 0) {
        p->to_child = master;
        p->from_child = dup(master);
        fcntl(p->from_child, F_SETFD, FD_CLOEXEC);
    }
    return 0;
}

bool proc_check(sk_proc_t *p)
{
    if (p->pid <= 0 || p->exited) return p->exited;
    int st;
    pid_t r = waitpid(p->pid, &st, WNOHANG);
    if (r == p->pid) {
        p->exited = true;
        p->status = st;
        kill(-p->pid, SIGKILL); /* anything it left behind in its group */
        track(p->pid, false);
    }
    return p->exited;
}

bool proc_wait(sk_proc_t *p, double timeout_s)
{
    double end = proc_now() + timeout_s;
    while (!proc_check(p)) {
        if (proc_now() >= end) return false;
        usleep(5000);
    }
    return true;
}

void proc_kill(sk_proc_t *p, double grace_s)
{
    if (p->pid > 0 && !proc_check(p)) {
        kill(-p->pid, SIGTERM);
        if (!proc_wait(p, grace_s)) {
            kill(-p->pid, SIGKILL);
            proc_wait(p, 5.0);
        }
    }
    if (p->to_child >= 0) close(p->to_child);
    if (p->from_child >= 0) close(p->from_child);
    p->to_child = p->from_child = -1;
}

void proc_describe(const sk_proc_t *p, char *buf, size_t len)
{
    if (!p->exited) snprintf(buf, len, "still running");
    else if (WIFEXITED(p->status)) snprintf(buf, len, "exit status %d", WEXITSTATUS(p->status));
    else if (WIFSIGNALED(p->status)) snprintf(buf, len, "killed by signal %d", WTERMSIG(p->status));
    else snprintf(buf, len, "status 0x%x", p->status);
}
