/* Sandbox memory layout and SVC numbers, shared by sandbox.c and sandbox_entry.S (plain
 * integers for the assembler). The payload arena (memmap.h) is one user RWX section. The
 * payload stack section (memmap.h MEMMAP_PAYLOAD_STACK_BASE) is mapped through a coarse
 * table of 4 KiB pages:
 *   +0x00000  guard page: translation fault at every level (stack overflow -> abort)
 *   +0x01000  user stack, RW, execute-never, 60 KiB; initial SP = +0x10000
 *   +0x10000  API page: user read-only + executable, kernel RW: sk_api_t table at +0,
 *             SVC stubs at +SK_SB_STUB_OFF
 *   +0x20000  argument area, user RW, execute-never, SK_SB_ARG_MAX bytes
 *   rest      privileged only
 * The argument block lives here rather than in the arena so the whole arena stays
 * available to the loader. */
#ifndef SK_SANDBOX_LAYOUT_H
#define SK_SANDBOX_LAYOUT_H
#include "memmap.h"

#define SK_SB_SEC        MEMMAP_PAYLOAD_STACK_BASE
#define SK_SB_PAGE       0x1000
#define SK_SB_STACK_LO   (SK_SB_SEC + SK_SB_PAGE)
#define SK_SB_STACK_TOP  (SK_SB_SEC + MEMMAP_PAYLOAD_STACK_SIZE)
#define SK_SB_API_PAGE   SK_SB_STACK_TOP
#define SK_SB_STUB_OFF   0x40
#define SK_SB_ARG_BASE   (SK_SB_SEC + 0x20000)
#define SK_SB_ARG_MAX    0x10000

/* CPU-time budget (sk_run_req_t.budget_us): 0 selects the default; requests above the
 * maximum are refused (SK_RUN_INVAL). The maximum stays below the PM watchdog's longest
 * timeout (hal/wdog.h WDOG_MAX_MS) so one watchdog period can always cover a run. */
#define SK_SB_DEFAULT_BUDGET_US 2000000
#define SK_SB_MAX_BUDGET_US     15000000

/* SVC immediates: 0 .. SK_API_COUNT-1 are the API ids (sk_abi.h); the stub the payload's
 * entry returns to issues SK_SB_SVC_EXIT (r0 = the payload's return value). */
#define SK_SB_SVC_EXIT   0xFF00

/* sk_enter_t offsets (sandbox_entry.S) */
#define SK_ENTER_PC   0
#define SK_ENTER_R0   4
#define SK_ENTER_R1   8
#define SK_ENTER_R2   12
#define SK_ENTER_SP   16
#define SK_ENTER_LR   20
#define SK_ENTER_CPSR 24

#endif
