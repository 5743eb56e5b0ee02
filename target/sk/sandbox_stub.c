/* TEMPORARY trusted-only stand-in for sk/sandbox.c (H7's shielded implementation replaces it
 * at merge; target/CMakeLists.txt option SK_SANDBOX_STUB selects it). It exists ONLY so the
 * executive, loader and protocol can run end to end before the sandbox lands.
 *
 * What it does: checks the entry lies inside the payload arena, copies the argument block
 * to the arena's argument area, calls the entry DIRECTLY in privileged mode with an API
 * table of kernel functions, and measures cycles and microseconds.
 * What it does NOT do: no user mode, no MMU shielding, no CPU budget timer, no fault
 * recovery. A wild write corrupts the kernel, an undefined instruction or abort is fatal,
 * an endless loop is ended only by the executive's watchdog (board reset). Every run is a
 * trusted run, whatever req->trusted says. */
#include <stddef.h>
#include "sk/sandbox.h"
#include "sk/exec.h"
#include "hal/cpu.h"
#include "hal/systimer.h"
#include "lib/kstring.h"
#include "memmap.h"
#include "err.h"

#define SK_STUB_ARG_AREA (MEMMAP_PAYLOAD_BASE + MEMMAP_PAYLOAD_SIZE - SK_EXEC_ARENA_RESERVE)

static struct {
    uint8_t *out;
    uint32_t cap, len;
    uint8_t truncated;
} stub_out;

static int32_t stub_write(const void *p, uint32_t n)
{
    uint32_t room = stub_out.cap - stub_out.len;
    uint32_t take = n < room ? n : room;
    if (take < n)
        stub_out.truncated = 1;
    memcpy(stub_out.out + stub_out.len, p, take);
    stub_out.len += take;
    return (int32_t)take;
}
static uint32_t stub_cycles(void)
{
    return cpu_cycles32();
}
static uint32_t stub_time_us(void)
{
    return st_now32();
}
static void *stub_memcpy(void *d, const void *s, uint32_t n)
{
    return memcpy(d, s, n);
}
static void *stub_memset(void *d, int c, uint32_t n)
{
    return memset(d, c, n);
}
static int32_t stub_udp_send(uint32_t ip, uint16_t port, const void *p, uint32_t n)
{
    (void)ip;
    (void)port;
    (void)p;
    (void)n;
    return SK_ERR_DENIED; /* no network in this build */
}

static const sk_api_t stub_api = {
    .abi_version = SK_ABI_VERSION,
    .count = SK_API_COUNT,
    .fn = {[SK_API_WRITE] = (const void *)stub_write, [SK_API_CYCLES] = (const void *)stub_cycles,
           [SK_API_TIME_US] = (const void *)stub_time_us, [SK_API_MEMCPY] = (const void *)stub_memcpy,
           [SK_API_MEMSET] = (const void *)stub_memset, [SK_API_UDP_SEND] = (const void *)stub_udp_send},
};

int sk_sandbox_run(const sk_run_req_t *req, sk_run_res_t *res)
{
    memset(res, 0, sizeof *res);
    if (req->entry < MEMMAP_PAYLOAD_BASE || req->entry >= SK_STUB_ARG_AREA || (req->entry & 3u) ||
        req->arg_len > SK_EXEC_ARENA_RESERVE || (req->arg_len && !req->arg)) {
        res->status = SK_RUN_INVAL;
        return ERR_INVAL;
    }
    uint8_t *arg = (uint8_t *)SK_STUB_ARG_AREA;
    if (req->arg_len)
        memcpy(arg, req->arg, req->arg_len);
    stub_out.out = req->out;
    stub_out.cap = req->out ? req->out_cap : 0;
    stub_out.len = 0;
    stub_out.truncated = 0;
    sk_entry_fn fn = (sk_entry_fn)(uintptr_t)req->entry;
    uint64_t t0 = st_now_us();
    uint64_t c0 = cpu_cycles();
    int32_t rv = fn(&stub_api, arg, req->arg_len);
    uint64_t c1 = cpu_cycles();
    uint64_t t1 = st_now_us();
    res->status = SK_RUN_OK;
    res->retval = rv;
    res->out_len = stub_out.len;
    res->out_truncated = stub_out.truncated;
    res->cycles = c1 - c0;
    res->us = (uint32_t)(t1 - t0);
    return ERR_OK;
}

const char *sk_run_status_str(sk_run_status_t s)
{
    switch (s) {
    case SK_RUN_OK: return "ok";
    case SK_RUN_ABORT: return "abort";
    case SK_RUN_UNDEF: return "undefined-instruction";
    case SK_RUN_BUDGET: return "budget-exceeded";
    case SK_RUN_BADCALL: return "bad-call";
    case SK_RUN_INVAL: return "invalid-request";
    default: return "unknown";
    }
}
