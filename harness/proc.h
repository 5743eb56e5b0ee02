/* Child processes in their own process group, always reaped: SIGINT/SIGTERM handlers and
 * an atexit hook kill every live group, and children die with skbench (PR_SET_PDEATHSIG). */
#ifndef SK_PROC_H
#define SK_PROC_H
#include <stdbool.h>
#include <sys/types.h>

typedef struct sk_proc {
    pid_t pid;        /* also the process group id; 0 = none */
    int to_child;     /* child's stdin (-1 if not piped) */
    int from_child;   /* child's stdout (-1 if not piped) */
    bool exited;
    int status;       /* waitpid status once exited */
} sk_proc_t;

/* Installs the signal handlers and atexit hook (idempotent). */
void proc_setup(void);
/* Set by SIGINT/SIGTERM; the signal number. */
extern volatile int proc_interrupted;
typedef enum {
    PROC_IO_NULL, /* stdin/stdout on /dev/null */
    PROC_IO_PIPE, /* stdin/stdout piped to us */
    PROC_IO_PTY,  /* stdin/stdout on a raw pseudo-terminal: the child sees a tty, so its
                     stdio output is not block-buffered (bcm2835-sim flushes UART output
                     per byte only on a tty); raw mode = no echo, no CR/LF translation */
} proc_io_t;
/* stderr goes to stderr_path (or /dev/null). */
int proc_spawn(sk_proc_t *p, char *const argv[], proc_io_t io, const char *stderr_path);
/* The same with the child's scheduling priority lowered by nice_inc. Targets measured in
 * host wall time (QEMU) run niced: on a 2-core host their busy vCPU thread plus QEMU's main
 * loop otherwise keep skbench off the CPU for a scheduler slice (~4 ms, measured with
 * strace) between reading a serial marker and timestamping it. */
#define SK_TARGET_NICE 10
int proc_spawn_nice(sk_proc_t *p, char *const argv[], proc_io_t io, const char *stderr_path, int nice_inc);
/* Non-blocking check: true if it has exited (status recorded). */
bool proc_check(sk_proc_t *p);
/* Waits up to timeout_s for exit; true if exited. */
bool proc_wait(sk_proc_t *p, double timeout_s);
/* SIGTERM the group, wait up to grace_s, then SIGKILL the group; reaps; closes fds. */
void proc_kill(sk_proc_t *p, double grace_s);
/* "exit status 3" / "killed by signal 9" */
void proc_describe(const sk_proc_t *p, char *buf, size_t len);
double proc_now(void); /* CLOCK_MONOTONIC seconds */

#endif
