/* bcm2835-sim core API: what peripherals, links and the SoC see of the simulator.
 *
 * Time is simulated CPU cycles (uint64_t), never host time. The CPU core charges each
 * translated block's cost (timing model) before the block runs; a device that is
 * accessed from inside a block sees sim_now() = cycles at the start of that block plus
 * the block's cost so far as charged (block granularity). Devices schedule work with
 * sim_timer_t at absolute cycle stamps; timers fire in (when, arm order) order, before
 * the block that would start at or after their stamp.
 *
 * Interrupt lines: the interrupt controller model owns the 72 BCM2835 sources
 * (bcm2835.h numbering) and drives the CPU's IRQ and FIQ inputs through
 * sim_cpu_set_irq()/sim_cpu_set_fiq(). Devices raise their source with sim_irq_set().
 *
 * Devices (QEMU style, STYLE.md 12-13): state struct + sim_dev_ops; the SoC maps them
 * with sim_map_device(). A guest mistake (bad offset/size, write to a read-only
 * register) is reported with sim_guest_error() and execution continues; a model bug
 * uses SIM_ASSERT (aborts with the device name).
 */
#ifndef SIM_CORE_SIM_H
#define SIM_CORE_SIM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim sim_t;

/* ---- boards ------------------------------------------------------------------ */
typedef enum { SIM_BOARD_PI1B = 0, SIM_BOARD_PI0 = 1 } sim_board_t;

typedef enum { SIM_TIMING_TRM = 0, SIM_TIMING_INSN = 1 } sim_timing_t;

/* ---- why sim_run() returned; also the process exit status of bcm2835-sim ------- */
typedef enum {
    SIM_STOP_NONE = -1,
    SIM_STOP_HALT = 0,        /* guest semihosting SYS_EXIT with ADP_Stopped_ApplicationExit */
    SIM_STOP_ERROR = 1,       /* unrecoverable: unmapped fetch, host failure, model bug */
    SIM_STOP_USAGE = 2,       /* bad command line (used by main only) */
    SIM_STOP_CYCLE_LIMIT = 3, /* --max-cycles reached */
    SIM_STOP_WATCHDOG = 4,    /* watchdog expired and --wdog-action=stop */
    SIM_STOP_GUEST_FAIL = 5,  /* guest SYS_EXIT with another reason/status code */
    SIM_STOP_UART_TEXT = 6,   /* --until-uart TEXT seen on the UART0 output; main maps it to 0 */
    SIM_STOP_IDLE = 7,        /* WFI with IRQs masked or no future event: guest can never run */
    SIM_STOP_REQUEST = 8,     /* sim_request_stop() from a device/link (e.g. input EOF policy) */
} sim_stop_t;

typedef struct sim_config {
    sim_board_t board;
    sim_timing_t timing;
    uint64_t max_cycles;        /* 0 = unlimited */
    uint32_t ram_size;          /* bytes of SDRAM at 0; default 512 MiB */
    bool wdog_stop;             /* watchdog expiry stops the run instead of resetting */
    const char *uart0_spec;     /* "stdio" | "pty" | "tcp:PORT" | "file:PATH" | NULL (stdio) */
    const char *uart0_in;       /* file fed to UART0 RX at the programmed baud, or NULL */
    const char *uart1_spec;     /* mini UART: same forms, or NULL = not connected */
    const char *until_uart;     /* stop when this text appears on UART0 output, or NULL */
    unsigned verbose;           /* 0 quiet, 1 guest errors, 2 + unimplemented accesses */
    bool no_semihosting;        /* added by core: pass semihosting SVCs to the guest */
} sim_config_t;

void sim_config_default(sim_config_t *cfg);
const char *sim_stop_name(sim_stop_t why);              /* added by core: "halt", "error", ... */
const char *sim_stop_message(const sim_t *sim);          /* added by core: detail of the last stop, or "" */

/* ---- lifecycle --------------------------------------------------------------- */
sim_t *sim_new(const sim_config_t *cfg);                 /* builds the board; NULL on error (message on stderr) */
void sim_free(sim_t *sim);
int sim_load_image(sim_t *sim, const char *path);        /* ELF (by magic) or raw kernel.img at 0x8000; 0 or -1 */
int sim_load_raw(sim_t *sim, uint32_t addr, const void *data, size_t len); /* into RAM; also invalidates cost cache */
void sim_set_entry(sim_t *sim, uint32_t pc);
sim_stop_t sim_run(sim_t *sim);                          /* runs until a stop condition */
void sim_reset(sim_t *sim);                              /* board reset: CPU to reset state, devices reset, RAM kept */

/* ---- time and scheduling ----------------------------------------------------- */
uint64_t sim_now(const sim_t *sim);                      /* cycles since power-on */
uint64_t sim_cpu_hz(const sim_t *sim);                   /* 700 MHz pi1b, 1 GHz pi0 */
uint64_t sim_ns_to_cycles(const sim_t *sim, uint64_t ns);
uint64_t sim_cycles_to_ns(const sim_t *sim, uint64_t cycles);

typedef void (*sim_timer_cb)(void *opaque);
typedef struct sim_timer {
    uint64_t when;
    uint64_t seq;          /* arm order, tie-break */
    sim_timer_cb cb;
    void *opaque;
    sim_t *sim;
    int heap_index;        /* -1 when not armed; owned by the scheduler */
} sim_timer_t;
void sim_timer_init(sim_timer_t *t, sim_t *sim, sim_timer_cb cb, void *opaque);
void sim_timer_mod(sim_timer_t *t, uint64_t when);      /* (re)arm at absolute cycle stamp */
void sim_timer_del(sim_timer_t *t);
bool sim_timer_pending(const sim_timer_t *t);

/* Advance time with no CPU (device tests, qtest style): fires due timers in order. */
void sim_advance(sim_t *sim, uint64_t cycles);

/* ---- interrupts ----------------------------------------------------------------- */
void sim_irq_set(sim_t *sim, unsigned source, bool level); /* source: BCM2835_IRQ_* (0..71) */
void sim_cpu_set_irq(sim_t *sim, bool level);              /* called by the IC model only */
void sim_cpu_set_fiq(sim_t *sim, bool level);
/* statistics hook: the IC reports when the CPU takes an exception */
typedef struct sim_stats {
    uint64_t insns, cycles, blocks;
    uint64_t irqs_taken, fiqs_taken, svcs, undefs, pabts, dabts, wfis;
    uint64_t wdog_resets, cost_cache_misses, cost_cache_flushes;
    uint64_t guest_errors, unimp_accesses;
    double host_seconds;        /* wall time spent in sim_run, statistics only */
} sim_stats_t;
const sim_stats_t *sim_stats(const sim_t *sim);

/* ---- memory-mapped devices ---------------------------------------------------- */
typedef struct sim_dev_ops {
    const char *name;
    uint32_t (*read)(void *opaque, uint32_t off, unsigned size);
    void (*write)(void *opaque, uint32_t off, uint32_t val, unsigned size);
    void (*reset)(void *opaque);
} sim_dev_ops_t;
/* base/size page aligned (4 KiB); several devices may share a page only through
 * sim_map_device_sub (the SoC maps one dispatcher page that forwards by offset). */
int sim_map_device(sim_t *sim, uint32_t base, uint32_t size, const sim_dev_ops_t *ops, void *opaque);
/* Map a named logging stub ("unimplemented" block): reads 0, writes ignored, logged at verbose>=2. */
int sim_map_stub(sim_t *sim, const char *name, uint32_t base, uint32_t size);
/* Direct MMIO access by physical address, as the CPU would (device tests). */
uint32_t sim_mmio_read(sim_t *sim, uint32_t addr, unsigned size);
void sim_mmio_write(sim_t *sim, uint32_t addr, uint32_t val, unsigned size);

/* Guest physical memory for DMA-capable devices (bounds checked; -1 if outside RAM). */
int sim_phys_read(sim_t *sim, uint32_t addr, void *buf, size_t len);
int sim_phys_write(sim_t *sim, uint32_t addr, const void *buf, size_t len);

/* ---- diagnostics ------------------------------------------------------------------ */
void sim_guest_error(sim_t *sim, const char *dev, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sim_unimp(sim_t *sim, const char *dev, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sim_request_stop(sim_t *sim, sim_stop_t why);
/* board-level reset requested by a device (watchdog): counted; honours cfg.wdog_stop */
void sim_request_board_reset(sim_t *sim, const char *why);

#define SIM_ASSERT(dev, cond)                                                              \
    do {                                                                                   \
        if (!(cond)) sim_model_bug(dev, #cond, __FILE__, __LINE__);                         \
    } while (0)
_Noreturn void sim_model_bug(const char *dev, const char *cond, const char *file, int line);

/* ---- board facts the mailbox and others need ----------------------------------------- */
const sim_config_t *sim_get_config(const sim_t *sim);
sim_board_t sim_board(const sim_t *sim);
uint32_t sim_board_revision(const sim_t *sim);
uint32_t sim_arm_mem_size(const sim_t *sim);     /* ARM share of SDRAM reported by the mailbox */
const uint8_t *sim_board_mac(const sim_t *sim);  /* 6 bytes */
struct soc;
struct soc *sim_soc(const sim_t *sim);           /* added by core: the board's soc_t (stats) */

/* ---- added by core: event time and IRQ entry latency probes ------------------------------ */
/* The instant of the event being processed: inside a timer callback the timer's stamp
 * (the device's own event time; the CPU sees it at the next block boundary), else sim_now(). */
uint64_t sim_event_time(const sim_t *sim);
/* Symbol of the loaded ELF's .symtab (functions, objects, labels; Thumb bit cleared).
 * 0 found, -1 not found or no symbol table (raw image). First match if several. */
int sim_symbol_lookup(const sim_t *sim, const char *name, uint32_t *addr);
/* Probe the first instruction of the handler of `src` (0..71) at virtual address addr:
 * each execution of addr that finds the source's rise armed in the IC (soc_irq_take_rise)
 * records cycles(at addr) - rise cycle and disarms it. Call after loading, before sim_run.
 * name: label for reports (may be NULL). Returns the probe index or -1. */
#define SIM_IRQ_PROBE_MAX 16
#define SIM_IRQ_PROBE_MAX_SAMPLES (1u << 20)    /* kept per probe; later ones only counted */
int sim_add_irq_probe(sim_t *sim, unsigned src, uint32_t addr, const char *name);
int sim_irq_probe_count(const sim_t *sim);
typedef struct sim_irq_probe_info {
    unsigned src;
    uint32_t addr;
    const char *name;          /* "" if none */
    uint64_t hits;             /* armed hits = latency samples (kept + dropped) */
    uint64_t unarmed;          /* executions of addr with no armed rise (not a sample) */
    uint64_t dropped;          /* samples beyond SIM_IRQ_PROBE_MAX_SAMPLES (counted in max only) */
    uint64_t nsamples;         /* kept samples, in arrival order */
    const uint64_t *samples;   /* cycles; valid until the next sim_run / sim_free */
    uint64_t min, median, p99, max; /* cycles; nearest rank over the kept samples, max over all */
} sim_irq_probe_info_t;
int sim_irq_probe_get(const sim_t *sim, int i, sim_irq_probe_info_t *out); /* 0 or -1 */

#endif
