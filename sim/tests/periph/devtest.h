/* qtest-style helpers for the device tests: a board without a kernel, MMIO by physical
 * address, time moved with sim_advance(). One behaviour per test function. */
#ifndef SIM_TESTS_PERIPH_DEVTEST_H
#define SIM_TESTS_PERIPH_DEVTEST_H
#include "core/sim.h"
#include "soc.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static int dt_failures;
static const char *dt_current = "";

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "%s:%d: %s: CHECK failed: %s\n", __FILE__, __LINE__, dt_current, #cond); \
            dt_failures++;                                                                        \
        }                                                                                         \
    } while (0)

#define CHECK_EQ(a, b)                                                                            \
    do {                                                                                          \
        uint64_t va_ = (uint64_t)(a), vb_ = (uint64_t)(b);                                        \
        if (va_ != vb_) {                                                                         \
            fprintf(stderr, "%s:%d: %s: CHECK_EQ failed: %s == %s: 0x%" PRIx64 " (%" PRIu64       \
                            ") != 0x%" PRIx64 " (%" PRIu64 ")\n",                                 \
                    __FILE__, __LINE__, dt_current, #a, #b, va_, va_, vb_, vb_);                  \
            dt_failures++;                                                                        \
        }                                                                                         \
    } while (0)

#define RUN(fn)                                                                                   \
    do {                                                                                          \
        dt_current = #fn;                                                                         \
        int before_ = dt_failures;                                                                \
        fn();                                                                                     \
        fprintf(stderr, "%s %s\n", dt_failures == before_ ? "ok  " : "FAIL", #fn);                \
    } while (0)

#define DT_RESULT() (dt_failures ? (fprintf(stderr, "%d check(s) failed\n", dt_failures), 1) : 0)

static inline sim_t *dt_new_cfg(sim_config_t *cfg)
{
    sim_t *s = sim_new(cfg);
    if (!s) {
        fprintf(stderr, "sim_new failed\n");
        exit(1);
    }
    return s;
}

/* a board with the UART wires not connected to the host */
static inline sim_t *dt_new(sim_board_t board)
{
    sim_config_t cfg;
    sim_config_default(&cfg);
    cfg.board = board;
    cfg.uart0_spec = "null";
    return dt_new_cfg(&cfg);
}

static inline uint32_t rd(sim_t *s, uint32_t addr) { return sim_mmio_read(s, addr, 4); }
static inline void wr(sim_t *s, uint32_t addr, uint32_t v) { sim_mmio_write(s, addr, v, 4); }

/* move to an absolute cycle (must not be in the past) */
static inline void dt_advance_to(sim_t *s, uint64_t cycle)
{
    uint64_t now = sim_now(s);
    if (cycle < now) {
        fprintf(stderr, "dt_advance_to: %" PRIu64 " is in the past (now %" PRIu64 ")\n", cycle, now);
        abort();
    }
    sim_advance(s, cycle - now);
}

static inline bool dt_irq(sim_t *s) { return soc_irq_line(sim_soc(s)); }
static inline bool dt_fiq(sim_t *s) { return soc_fiq_line(sim_soc(s)); }
#endif
