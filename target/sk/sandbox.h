/* Shielded execution of a loaded payload (DESIGN.md "Shielding"): the contract between the
 * executive/loader side (sk/exec.c, sk/loader.c) and the execution side (sk/sandbox.c,
 * hardware-specific: MMU, modes, SVC, timer).
 *
 * The loader places the payload image inside [MEMMAP_PAYLOAD_BASE, +MEMMAP_PAYLOAD_SIZE)
 * (memmap.h), applies relocations, and then calls sk_sandbox_run() with the absolute entry
 * address. Shielded runs: ARM user mode; the payload arena and its stack section are the
 * only user-accessible memory (plus a read-only page with the API table and SVC stubs);
 * kernel memory and peripherals fault; a CPU-time budget is enforced by a timer interrupt;
 * aborts, undefined instructions and budget overruns end the run with a status, and the
 * kernel continues (no reset). Trusted runs: privileged mode, direct calls (for the
 * side-by-side comparison with the paper's design). */
#ifndef SK_SANDBOX_H
#define SK_SANDBOX_H
#include <stdint.h>
#include "sk/sk_abi.h"

typedef enum sk_run_status {
    SK_RUN_OK = 0,          /* entry returned; retval valid */
    SK_RUN_ABORT = 1,       /* data or prefetch abort (fault_addr, fault_pc) */
    SK_RUN_UNDEF = 2,       /* undefined instruction (fault_pc) */
    SK_RUN_BUDGET = 3,      /* CPU-time budget exhausted */
    SK_RUN_BADCALL = 4,     /* SVC with an unknown id or bad pointer arguments */
    SK_RUN_INVAL = 5,       /* request refused before running (entry outside the arena...) */
} sk_run_status_t;

typedef struct sk_run_req {
    uint32_t entry;         /* absolute address inside the payload arena */
    const uint8_t *arg;     /* copied into the arena's argument area before the run */
    uint32_t arg_len;
    uint8_t *out;           /* kernel buffer for SK_API_WRITE bytes */
    uint32_t out_cap;
    uint32_t budget_us;     /* 0 = the kernel default */
    uint8_t trusted;        /* 1: privileged run with direct calls */
} sk_run_req_t;

typedef struct sk_run_res {
    sk_run_status_t status;
    int32_t retval;
    uint32_t out_len;
    uint8_t out_truncated;  /* the payload wrote more than out_cap */
    uint64_t cycles;        /* CPU cycles from entry to return/fault */
    uint32_t us;
    uint32_t fault_addr;
    uint32_t fault_pc;
} sk_run_res_t;

/* Application level (executive). Returns 0 when the payload ran (whatever its status) or
 * ERR_INVAL when the request was refused (res->status = SK_RUN_INVAL). */
int sk_sandbox_run(const sk_run_req_t *req, sk_run_res_t *res);
const char *sk_run_status_str(sk_run_status_t s);
#endif
