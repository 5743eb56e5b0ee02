/* Private state of the simulator core (sim/core only; peripherals use sim.h). */
#ifndef SIM_CORE_SIM_INTERNAL_H
#define SIM_CORE_SIM_INTERNAL_H

#include "sim.h"
#include "timing.h"
#include <stdio.h>
#include <unicorn/unicorn.h>

struct soc;

#define SIM_MAX_DEVICES 128
#define SIM_CC_BITS 14                 /* direct-mapped block cost cache: 16384 entries */
#define SIM_CC_SIZE (1u << SIM_CC_BITS)
#define SIM_UNTIL_ADDR 0xFFFFFFF0u     /* uc_emu_start 'until': never executed */
#define SIM_RESET_PC 0x8000u
#define SIM_MAX_CCNT_SITES 64

/* one mapped MMIO region; its address is the Unicorn user_data (no global state) */
typedef struct sim_device {
    sim_t *sim;
    uint32_t base, size;
    const sim_dev_ops_t *ops;      /* NULL: logging stub */
    void *opaque;
    const char *name;
    bool unassigned;               /* core-made filler of the peripheral window */
} sim_device_t;

/* one loaded segment kept pristine for board resets (firmware reloads kernel.img) */
typedef struct sim_segment {
    uint32_t addr, filesz, memsz;
    uint8_t *data;
} sim_segment_t;

/* CCNT read sites: UC_HOOK_CODE on the instruction after `mrc p15,0,Rd,c15,c12,1` */
typedef struct sim_ccnt_site {
    uint32_t next_addr;            /* address of the hooked (following) instruction */
    uint32_t block_addr, partial;  /* containing block and cost charged before the MRC */
    uint8_t rd;
    uc_hook hook;
    sim_t *sim;
} sim_ccnt_site_t;

/* IRQ entry latency probe (--irq-probe): UC_HOOK_CODE on one address; each hit that
 * finds the source's rise armed in the IC adds (cycles at the instruction - rise) */
typedef struct sim_irq_probe {
    sim_t *sim;
    unsigned src;
    uint32_t addr;
    char name[64];
    uc_hook hook;
    uint64_t hits, unarmed, dropped, max;
    uint64_t seen_seq;             /* IC rise number this probe consumed last */
    uint64_t *samples;
    size_t n, cap;
    uint32_t pblock, ppartial;     /* cache: cost before addr in the block at pblock */
    bool pvalid;
} sim_irq_probe_t;

/* ELF .symtab entry kept for symbol lookups (--irq-probe SRC=SYMBOL) */
typedef struct sim_symbol {
    char *name;
    uint32_t value;
} sim_symbol_t;

struct sim {
    /* ---- hot: touched by the block hook on every block ---- */
    uint64_t cycles;
    uint64_t deadline;             /* min(next timer, max cycles, 0 when a check is forced) */
    uint64_t insns, blocks;
    uint32_t next_pc;              /* end of the previous block (fall-through address) */
    uint8_t pen_fall, pen_taken;   /* penalties decided by the previous block's last insn */
    uint32_t cur_block;            /* address of the block being executed (MMIO diagnostics) */
    sim_cost_entry_t *cc;          /* SIM_CC_SIZE entries */
    uint64_t block_start;          /* cycles when the current block started (after its penalty) */

    /* ---- configuration and board ---- */
    sim_config_t cfg;
    uint64_t hz;
    uc_engine *uc;
    uint8_t *ram;
    uint32_t ram_size;
    struct soc *soc;
    uint8_t mac[6];

    /* ---- scheduler ---- */
    sim_timer_t **heap;
    int heap_len, heap_cap;
    uint64_t timer_seq;

    /* ---- interrupt lines and run control ---- */
    bool irq_line, fiq_line;
    bool running;
    bool hook_stopped;             /* uc_emu_stop was called by one of our hooks */
    /* Block-hook stops only: the block that must run next. Unicorn 2.0.1 restores a wrong
     * PC (the first TB of a chain of directly linked TBs, which already ran) when
     * uc_emu_stop() is called from the block hook of a chained TB, so the run loop writes
     * this address back instead of trusting the PC it reads. */
    bool stop_pc_valid;
    uint32_t stop_pc;
    bool gaps_filled;
    bool in_wfi;                   /* waiting for an interrupt line */
    bool reset_req;
    bool semihosting;
    sim_stop_t stop_req;
    char stop_msg[256];
    uint32_t entry;

    /* ---- pending work requested from the block hook ---- */
    int n_ccnt_pending;
    sim_ccnt_site_t ccnt_pending[8];
    sim_ccnt_site_t *ccnt_sites[SIM_MAX_CCNT_SITES];
    int n_ccnt_sites;
    sim_irq_probe_t *probes[SIM_IRQ_PROBE_MAX];
    int n_probes;
    sim_symbol_t *syms;
    size_t nsyms;
    uint64_t event_when;           /* stamp of the timer being fired, UINT64_MAX outside */

    /* ---- devices ---- */
    sim_device_t *devs[SIM_MAX_DEVICES];
    int ndevs;
    sim_segment_t *segs;
    int nsegs;

    uc_context *reset_ctx;
    uc_hook h_block, h_intr;
    sim_stats_t stats;
};

/* sim.c */
void sim_update_deadline(sim_t *s);
void sim_fire_due_timers(sim_t *s);
uint64_t sim_next_event(const sim_t *s);      /* UINT64_MAX if none */
void sim_do_board_reset(sim_t *s);
int sim_map_unassigned(sim_t *sim, uint32_t base, uint32_t size);
bool sim_addr_is_device(sim_t *sim, uint32_t addr);
void sim_log(sim_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* cpu.c */
int sim_cpu_init(sim_t *s);                   /* before any memory map */
int sim_cpu_fill_gaps(sim_t *s);
void sim_cpu_reset(sim_t *s);
uint32_t sim_cp15_read(sim_t *s, unsigned crn, unsigned crm, unsigned opc1, unsigned opc2);
void sim_cp15_write(sim_t *s, unsigned crn, unsigned crm, unsigned opc1, unsigned opc2, uint32_t v);
/* guest virtual -> physical with the current MMU state; 0 ok, else a short-descriptor FSR */
int sim_va_to_pa(sim_t *s, uint32_t va, bool write, bool exec, bool priv, uint32_t *pa, uint32_t *fsr);
int sim_read_va(sim_t *s, uint32_t va, void *buf, size_t len);
void sim_cost_cache_flush(sim_t *s);
sim_cost_entry_t *sim_cost_fill(sim_t *s, uint32_t addr, uint32_t size);

#endif
