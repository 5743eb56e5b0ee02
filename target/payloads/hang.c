/* faulty payload: masks interrupts, then spins forever. Shielded (user mode) the CPS
 * instruction has no effect, so the CPU-time budget ends the run (budget-exceeded). Trusted
 * (privileged) it really masks IRQs: the budget timer cannot fire and only the executive's
 * PM watchdog recovers the node (board reset), which is what sk_sim_watchdog shows. */
#include "sk_sdk.h"

SK_ENTRY(api, arg, len)
{
    (void)api;
    (void)arg;
    (void)len;
    __asm__ volatile("cpsid if" ::: "memory");
    volatile uint32_t spin = 0;
    for (;;)
        spin++;
}
