/* sim backend: bcm2835-sim with UART0 on stdio, which we connect to a raw pty (a pipe
 * would leave the simulator's output block-buffered until it exits). Time is simulated: the firmware's
 * us=/cycles= are the figures (deterministic); host time is only a secondary counter. */
#include "target.h"
#include <errno.h>
#include <string.h>

int backend_sim_start(sk_target_t *t, const sk_target_cfg_t *cfg, char *err, size_t errlen)
{
    char *argv[] = {(char *)cfg->sim_path, "--board", (char *)cfg->board, "--timing", "trm",
                    "--uart0", "stdio", (char *)cfg->kernel, NULL};
    target_note(t, "spawn: %s --board %s --timing trm --uart0 stdio %s", cfg->sim_path, cfg->board, cfg->kernel);
    if (proc_spawn(&t->proc, argv, PROC_IO_PTY, t->stderr_path) != 0) {
        snprintf(err, errlen, "cannot start %s: %s", cfg->sim_path, strerror(errno));
        return -1;
    }
    t->rfd = t->proc.from_child;
    t->wfd = t->proc.to_child;
    t->simulated_time = true;
    t->ready_prefix = "rpi-serverkernel ";
    return 0;
}
