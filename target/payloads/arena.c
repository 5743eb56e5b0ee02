/* test payload: isolation between runs. "write" stores a marker near the end of the 1 MiB
 * payload arena (far beyond this image) and returns it; "read" returns the word found there,
 * 0 when the node cleared the arena's leftovers before loading (sk/exec.c). */
#include "sk_sdk.h"

SK_ENTRY(api, arg, len)
{
    (void)api;
    /* the arena is one aligned 1 MiB section: its base from our own address */
    volatile uint32_t *far = (volatile uint32_t *)((((uintptr_t)&sk_main) & ~0xFFFFFu) + 0xF0000u);
    if (len >= 5 && arg[0] == 'w') {
        *far = 0x5A5AA5A5u;
        return (int32_t)*far;
    }
    return (int32_t)*far;
}
