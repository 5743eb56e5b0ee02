/* sim-bench: guest MIPS of the CRC32+MD5 guest with the timing model on and off.
 * usage: sim-bench [GUEST_DIR]   (not a test: host speed varies) */
#include "core/sim.h"
#include "guest.h"
#include <stdio.h>

static uint32_t rd(void *o, uint32_t off, unsigned size) { (void)o; (void)off; (void)size; return 0; }
static void wr(void *o, uint32_t off, uint32_t v, unsigned size) { (void)o; (void)off; (void)v; (void)size; }
static const sim_dev_ops_t ops = {"testdev", rd, wr, NULL};

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : SK_GUEST_DIR;
    char path[1024];
    snprintf(path, sizeof path, "%s/bench.elf", dir);
    for (int mode = 0; mode < 3; mode++) {
        sim_config_t cfg;
        sim_config_default(&cfg);
        cfg.timing = mode == 1 ? SIM_TIMING_INSN : SIM_TIMING_TRM;
        sim_t *s = sim_new(&cfg);
        if (!s || sim_map_device(s, TESTDEV_BASE, 0x1000, &ops, NULL) || sim_load_image(s, path)) return 1;
        sim_stop_t r = sim_run(s);
        const sim_stats_t *st = sim_stats(s);
        printf("%-10s stop=%s insns=%llu cycles=%llu host=%.3fs guest MIPS=%.0f\n",
               mode == 1 ? "insn" : "trm", sim_stop_name(r), (unsigned long long)st->insns,
               (unsigned long long)st->cycles, st->host_seconds, st->insns / st->host_seconds / 1e6);
        sim_free(s);
    }
    return 0;
}
