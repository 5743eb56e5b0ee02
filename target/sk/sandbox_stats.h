/* Sandbox counters (sk/sandbox.c), for the console and tests. */
#ifndef SK_SANDBOX_STATS_H
#define SK_SANDBOX_STATS_H
#include <stdint.h>
#include "sk/sandbox.h"

typedef struct sk_sandbox_stats {
    uint32_t runs;                 /* runs started (shielded + trusted) */
    uint32_t trusted_runs;
    uint32_t refused;              /* SK_RUN_INVAL */
    uint32_t ended[SK_RUN_INVAL];  /* by status: OK, ABORT, UNDEF, BUDGET, BADCALL */
    uint32_t budget_in_api;        /* budget expired during an API call (ended on its return) */
    uint32_t api_calls;            /* shielded SVC calls dispatched */
    uint32_t api_denied;           /* calls to entries the administrator removed */
} sk_sandbox_stats_t;

void sk_sandbox_get_stats(sk_sandbox_stats_t *out);

#endif
