/* bcm2835-sim core: machine object, board facts, event scheduler, device table,
 * MMIO dispatch, interrupt lines, diagnostics. The CPU (Unicorn) side is in cpu.c,
 * the loader in loader.c, the timing model in timing.c. */
#include "sim_internal.h"
#include "soc.h"
#include "bcm2835/bcm2835.h"

#define BCM2835_RAM_MAX BCM2835_PERIPH_BASE

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- board facts ------------------------------------------------------------------- */
typedef struct board_info {
    const char *name;
    uint64_t hz;
    uint32_t revision;       /* mailbox "get board revision" (old-style code / new-style) */
    uint8_t mac[6];          /* fixed per board; b8:27:eb is the Raspberry Pi OUI, the low
                              * three bytes are the (fixed) serial as on a real Pi */
} board_info_t;

static const board_info_t boards[] = {
    [SIM_BOARD_PI1B] = {"pi1b", 700000000ull, 0x0000000Eu, {0xb8, 0x27, 0xeb, 0x51, 0x1b, 0x01}},
    [SIM_BOARD_PI0] = {"pi0", 1000000000ull, 0x00900093u, {0xb8, 0x27, 0xeb, 0x51, 0x00, 0x01}},
};

#define SIM_ARM_MEM_SIZE (448u << 20) /* 512 MiB minus the default 64 MiB GPU split */

void sim_config_default(sim_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->board = SIM_BOARD_PI1B;
    cfg->timing = SIM_TIMING_TRM;
    cfg->ram_size = 512u << 20;
}

const sim_config_t *sim_get_config(const sim_t *sim) { return &sim->cfg; }
sim_board_t sim_board(const sim_t *sim) { return sim->cfg.board; }
uint32_t sim_board_revision(const sim_t *sim) { return boards[sim->cfg.board].revision; }
uint32_t sim_arm_mem_size(const sim_t *sim)
{
    return sim->ram_size < SIM_ARM_MEM_SIZE ? sim->ram_size : SIM_ARM_MEM_SIZE;
}
const uint8_t *sim_board_mac(const sim_t *sim) { return sim->mac; }
const sim_stats_t *sim_stats(const sim_t *sim)
{
    sim_t *s = (sim_t *)sim;   /* refresh the live counters into the snapshot */
    s->stats.insns = s->insns;
    s->stats.cycles = s->cycles;
    s->stats.blocks = s->blocks;
    return &s->stats;
}

uint64_t sim_now(const sim_t *sim) { return sim->cycles; }
uint64_t sim_event_time(const sim_t *sim) { return sim->event_when != UINT64_MAX ? sim->event_when : sim->cycles; }
uint64_t sim_cpu_hz(const sim_t *sim) { return sim->hz; }
uint64_t sim_ns_to_cycles(const sim_t *sim, uint64_t ns)
{
    return (uint64_t)(((unsigned __int128)ns * sim->hz) / 1000000000u);
}
uint64_t sim_cycles_to_ns(const sim_t *sim, uint64_t cycles)
{
    return (uint64_t)(((unsigned __int128)cycles * 1000000000u) / sim->hz);
}

/* ---- lifecycle ----------------------------------------------------------------------- */
sim_t *sim_new(const sim_config_t *cfg)
{
    sim_config_t def;
    if (!cfg) {
        sim_config_default(&def);
        cfg = &def;
    }
    if ((unsigned)cfg->board > SIM_BOARD_PI0 || (unsigned)cfg->timing > SIM_TIMING_INSN) {
        fprintf(stderr, "bcm2835-sim: bad board or timing mode in config\n");
        return NULL;
    }
    sim_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->cfg = *cfg;
    s->hz = boards[cfg->board].hz;
    memcpy(s->mac, boards[cfg->board].mac, 6);
    s->ram_size = cfg->ram_size ? cfg->ram_size : (512u << 20);
    s->ram_size = (s->ram_size + 0xFFFFFu) & ~0xFFFFFu;
    if (s->ram_size > BCM2835_RAM_MAX) s->ram_size = BCM2835_RAM_MAX;
    s->cfg.ram_size = s->ram_size;
    s->stop_req = SIM_STOP_NONE;
    s->deadline = UINT64_MAX;
    s->event_when = UINT64_MAX;
    s->semihosting = !cfg->no_semihosting;
    s->entry = SIM_RESET_PC;
    s->cc = calloc(SIM_CC_SIZE, sizeof *s->cc);
    s->heap_cap = 64;
    s->heap = calloc((size_t)s->heap_cap, sizeof *s->heap);
    /* lazily backed by the host OS: untouched pages cost nothing */
    s->ram = mmap(NULL, s->ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (!s->cc || !s->heap || s->ram == MAP_FAILED) {
        fprintf(stderr, "bcm2835-sim: out of memory\n");
        if (s->ram == MAP_FAILED) s->ram = NULL;
        sim_free(s);
        return NULL;
    }
    if (sim_cpu_init(s) != 0) { /* uc_open + CPU model: must precede any map */
        sim_free(s);
        return NULL;
    }
    uc_err e = uc_mem_map_ptr(s->uc, 0, s->ram_size, UC_PROT_ALL, s->ram);
    if (e != UC_ERR_OK) {
        fprintf(stderr, "bcm2835-sim: mapping RAM: %s\n", uc_strerror(e));
        sim_free(s);
        return NULL;
    }
    s->soc = soc_build(s, &s->cfg);
    if (!s->soc) {
        sim_free(s);
        return NULL;
    }
    sim_cpu_reset(s);
    return s;
}

void sim_free(sim_t *s)
{
    if (!s) return;
    if (s->soc) soc_free(s->soc);
    if (s->reset_ctx) uc_context_free(s->reset_ctx);
    for (int i = 0; i < s->n_ccnt_sites; i++) free(s->ccnt_sites[i]);
    for (int i = 0; i < s->n_probes; i++) {
        free(s->probes[i]->samples);
        free(s->probes[i]);
    }
    for (size_t i = 0; i < s->nsyms; i++) free(s->syms[i].name);
    free(s->syms);
    if (s->uc) uc_close(s->uc);
    for (int i = 0; i < s->ndevs; i++) free(s->devs[i]);
    for (int i = 0; i < s->nsegs; i++) free(s->segs[i].data);
    free(s->segs);
    if (s->ram) munmap(s->ram, s->ram_size);
    free(s->heap);
    free(s->cc);
    free(s);
}

/* ---- event scheduler: binary min-heap on (when, seq) --------------------------------- */
static bool timer_before(const sim_timer_t *a, const sim_timer_t *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_set(sim_t *s, int i, sim_timer_t *t)
{
    s->heap[i] = t;
    t->heap_index = i;
}

static void heap_up(sim_t *s, int i)
{
    sim_timer_t *t = s->heap[i];
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!timer_before(t, s->heap[p])) break;
        heap_set(s, i, s->heap[p]);
        i = p;
    }
    heap_set(s, i, t);
}

static void heap_down(sim_t *s, int i)
{
    sim_timer_t *t = s->heap[i];
    for (;;) {
        int c = 2 * i + 1;
        if (c >= s->heap_len) break;
        if (c + 1 < s->heap_len && timer_before(s->heap[c + 1], s->heap[c])) c++;
        if (!timer_before(s->heap[c], t)) break;
        heap_set(s, i, s->heap[c]);
        i = c;
    }
    heap_set(s, i, t);
}

static void heap_remove(sim_t *s, sim_timer_t *t)
{
    int i = t->heap_index;
    SIM_ASSERT("sched", i >= 0 && i < s->heap_len && s->heap[i] == t);
    t->heap_index = -1;
    s->heap_len--;
    if (i == s->heap_len) return;
    sim_timer_t *last = s->heap[s->heap_len];
    heap_set(s, i, last);
    heap_up(s, i);
    heap_down(s, last->heap_index);
}

void sim_timer_init(sim_timer_t *t, sim_t *sim, sim_timer_cb cb, void *opaque)
{
    memset(t, 0, sizeof *t);
    t->sim = sim;
    t->cb = cb;
    t->opaque = opaque;
    t->heap_index = -1;
}

void sim_timer_mod(sim_timer_t *t, uint64_t when)
{
    sim_t *s = t->sim;
    SIM_ASSERT("sched", s != NULL && t->cb != NULL);
    if (t->heap_index >= 0) heap_remove(s, t);
    if (s->heap_len == s->heap_cap) {
        int cap = s->heap_cap * 2;
        sim_timer_t **h = realloc(s->heap, (size_t)cap * sizeof *h);
        SIM_ASSERT("sched", h != NULL);
        s->heap = h;
        s->heap_cap = cap;
    }
    t->when = when;
    t->seq = s->timer_seq++;
    heap_set(s, s->heap_len++, t);
    heap_up(s, t->heap_index);
    if (when < s->deadline) s->deadline = when;
}

void sim_timer_del(sim_timer_t *t)
{
    if (t->heap_index >= 0) heap_remove(t->sim, t);
}

bool sim_timer_pending(const sim_timer_t *t) { return t->heap_index >= 0; }

uint64_t sim_next_event(const sim_t *s) { return s->heap_len ? s->heap[0]->when : UINT64_MAX; }

void sim_update_deadline(sim_t *s)
{
    uint64_t d = sim_next_event(s);
    if (s->cfg.max_cycles && s->cfg.max_cycles < d) d = s->cfg.max_cycles;
    if (s->stop_req != SIM_STOP_NONE || s->reset_req) d = 0;
    s->deadline = d;
}

/* Fire every timer due at the current time, in (when, seq) order. A callback may
 * re-arm timers; one armed at or before now fires in this same pass. */
void sim_fire_due_timers(sim_t *s)
{
    for (unsigned guard = 0; s->heap_len && s->heap[0]->when <= s->cycles; guard++) {
        sim_timer_t *t = s->heap[0];
        heap_remove(s, t);
        s->event_when = t->when;
        t->cb(t->opaque);
        s->event_when = UINT64_MAX;
        if (s->reset_req && !s->running) sim_do_board_reset(s);
        if (guard > 10000000u) sim_model_bug("sched", "timer storm at one instant", __FILE__, __LINE__);
    }
}

void sim_advance(sim_t *s, uint64_t cycles)
{
    uint64_t target = s->cycles + cycles;
    while (s->heap_len && s->heap[0]->when <= target) {
        if (s->heap[0]->when > s->cycles) s->cycles = s->heap[0]->when;
        sim_fire_due_timers(s);
    }
    s->cycles = target;
    sim_update_deadline(s);
}

/* ---- interrupts ------------------------------------------------------------------------ */
void sim_irq_set(sim_t *sim, unsigned source, bool level)
{
    if (source >= BCM2835_IRQ_COUNT) {
        sim_model_bug("irq", "source < BCM2835_IRQ_COUNT", __FILE__, __LINE__);
    }
    soc_irq_set(sim->soc, source, level);
}

/* A rising line forces the block hook to stop at the next block so the run loop can
 * check CPSR; while the line stays high but masked, blocks that may unmask (SIM_BF_CPSRW)
 * force the check again. */
void sim_cpu_set_irq(sim_t *sim, bool level)
{
    if (level && !sim->irq_line) sim->deadline = 0;
    sim->irq_line = level;
}

void sim_cpu_set_fiq(sim_t *sim, bool level)
{
    if (level && !sim->fiq_line) sim->deadline = 0;
    sim->fiq_line = level;
}

/* ---- devices ------------------------------------------------------------------------------ */
static uint64_t dev_read_cb(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
    (void)uc;
    sim_device_t *d = user;
    if (d->ops && d->ops->read) return d->ops->read(d->opaque, (uint32_t)off, size);
    if (d->unassigned) {
        sim_guest_error(d->sim, "bus", "read%u from unassigned peripheral address 0x%08x (block 0x%08x)",
                        size * 8, d->base + (uint32_t)off, d->sim->cur_block);
    } else {
        sim_unimp(d->sim, d->name, "read%u at +0x%03x (0x%08x)", size * 8, (uint32_t)off, d->base + (uint32_t)off);
    }
    return 0;
}

static void dev_write_cb(uc_engine *uc, uint64_t off, unsigned size, uint64_t val, void *user)
{
    (void)uc;
    sim_device_t *d = user;
    if (d->ops && d->ops->write) {
        d->ops->write(d->opaque, (uint32_t)off, (uint32_t)val, size);
        return;
    }
    if (d->unassigned) {
        sim_guest_error(d->sim, "bus", "write%u 0x%x to unassigned peripheral address 0x%08x (block 0x%08x)",
                        size * 8, (uint32_t)val, d->base + (uint32_t)off, d->sim->cur_block);
    } else {
        sim_unimp(d->sim, d->name, "write%u 0x%x at +0x%03x (0x%08x)", size * 8, (uint32_t)val, (uint32_t)off,
                  d->base + (uint32_t)off);
    }
}

static sim_device_t *dev_find(sim_t *s, uint32_t addr)
{
    for (int i = 0; i < s->ndevs; i++) {
        sim_device_t *d = s->devs[i];
        if (addr - d->base < d->size) return d;
    }
    return NULL;
}

static int map_common(sim_t *s, uint32_t base, uint32_t size, const sim_dev_ops_t *ops, void *opaque,
                      const char *name, bool unassigned)
{
    if ((base & 0xFFFu) || (size & 0xFFFu) || size == 0 || (uint64_t)base + size > 0x100000000ull) {
        fprintf(stderr, "bcm2835-sim: %s: map 0x%08x+0x%x is not 4 KiB aligned\n", name, base, size);
        return -1;
    }
    if ((uint64_t)base < s->ram_size) {
        fprintf(stderr, "bcm2835-sim: %s: map 0x%08x overlaps RAM\n", name, base);
        return -1;
    }
    for (int i = 0; i < s->ndevs; i++) {
        sim_device_t *o = s->devs[i];
        if (base < o->base + o->size && o->base < base + size) {
            fprintf(stderr, "bcm2835-sim: %s: map 0x%08x+0x%x overlaps %s\n", name, base, size, o->name);
            return -1;
        }
    }
    if (s->ndevs == SIM_MAX_DEVICES) {
        fprintf(stderr, "bcm2835-sim: too many devices\n");
        return -1;
    }
    sim_device_t *d = calloc(1, sizeof *d);
    if (!d) return -1;
    *d = (sim_device_t){.sim = s, .base = base, .size = size, .ops = ops, .opaque = opaque,
                        .name = name, .unassigned = unassigned};
    if (s->gaps_filled) uc_mem_unmap(s->uc, base, size); /* replace the filler */
    uc_err e = uc_mmio_map(s->uc, base, size, dev_read_cb, d, dev_write_cb, d);
    if (e != UC_ERR_OK) {
        fprintf(stderr, "bcm2835-sim: %s: uc_mmio_map 0x%08x: %s\n", name, base, uc_strerror(e));
        free(d);
        return -1;
    }
    s->devs[s->ndevs++] = d;
    return 0;
}

int sim_map_device(sim_t *sim, uint32_t base, uint32_t size, const sim_dev_ops_t *ops, void *opaque)
{
    if (!ops) return -1;
    return map_common(sim, base, size, ops, opaque, ops->name ? ops->name : "device", false);
}

int sim_map_stub(sim_t *sim, const char *name, uint32_t base, uint32_t size)
{
    return map_common(sim, base, size, NULL, NULL, name ? name : "stub", false);
}

int sim_map_unassigned(sim_t *sim, uint32_t base, uint32_t size)
{
    return map_common(sim, base, size, NULL, NULL, "unassigned", true);
}

bool sim_addr_is_device(sim_t *sim, uint32_t addr) { return dev_find(sim, addr) != NULL; }

uint32_t sim_mmio_read(sim_t *sim, uint32_t addr, unsigned size)
{
    sim_device_t *d = dev_find(sim, addr);
    if (!d) {
        sim_guest_error(sim, "bus", "mmio read%u at unmapped 0x%08x", size * 8, addr);
        return 0;
    }
    return (uint32_t)dev_read_cb(sim->uc, addr - d->base, size, d);
}

void sim_mmio_write(sim_t *sim, uint32_t addr, uint32_t val, unsigned size)
{
    sim_device_t *d = dev_find(sim, addr);
    if (!d) {
        sim_guest_error(sim, "bus", "mmio write%u at unmapped 0x%08x", size * 8, addr);
        return;
    }
    dev_write_cb(sim->uc, addr - d->base, size, val, d);
}

int sim_phys_read(sim_t *sim, uint32_t addr, void *buf, size_t len)
{
    if ((uint64_t)addr + len > sim->ram_size) return -1;
    memcpy(buf, sim->ram + addr, len);
    return 0;
}

int sim_phys_write(sim_t *sim, uint32_t addr, const void *buf, size_t len)
{
    if ((uint64_t)addr + len > sim->ram_size) return -1;
    memcpy(sim->ram + addr, buf, len);
    return 0;
}

/* ---- diagnostics ---------------------------------------------------------------------------- */
void sim_log(sim_t *s, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "[%12llu] ", (unsigned long long)s->cycles);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void sim_guest_error(sim_t *sim, const char *dev, const char *fmt, ...)
{
    sim->stats.guest_errors++;
    if (sim->cfg.verbose < 1) return;
    va_list ap;
    fprintf(stderr, "[%12llu] guest error: %s: ", (unsigned long long)sim->cycles, dev ? dev : "?");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void sim_unimp(sim_t *sim, const char *dev, const char *fmt, ...)
{
    sim->stats.unimp_accesses++;
    if (sim->cfg.verbose < 2) return;
    va_list ap;
    fprintf(stderr, "[%12llu] unimplemented: %s: ", (unsigned long long)sim->cycles, dev ? dev : "?");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void sim_request_stop(sim_t *sim, sim_stop_t why)
{
    if (sim->stop_req == SIM_STOP_NONE) sim->stop_req = why;
    sim->deadline = 0;
    if (sim->running && sim->uc) {
        /* stop at the next block boundary via the deadline; nothing else to do */
    }
}

void sim_request_board_reset(sim_t *sim, const char *why)
{
    sim->stats.wdog_resets++;
    if (sim->cfg.verbose >= 1) sim_log(sim, "board reset requested: %s", why ? why : "?");
    if (sim->cfg.wdog_stop) {
        sim_request_stop(sim, SIM_STOP_WATCHDOG);
        return;
    }
    sim->reset_req = true;   /* done by the run loop / sim_advance after the callback */
    sim->deadline = 0;
}

_Noreturn void sim_model_bug(const char *dev, const char *cond, const char *file, int line)
{
    fprintf(stderr, "bcm2835-sim: MODEL BUG in %s: assertion '%s' failed at %s:%d\n", dev ? dev : "?", cond,
            file, line);
    fflush(NULL);
    abort();
}

void sim_do_board_reset(sim_t *s)
{
    s->reset_req = false;
    sim_reset(s);
}
struct soc *sim_soc(const sim_t *sim) { return sim->soc; }
