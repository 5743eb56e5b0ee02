/* faulty payload: unbounded recursion with 1 KiB frames until the user stack (64 KiB,
 * memmap.h) overflows into unmapped memory. */
#include "sk_sdk.h"

static int32_t dive(volatile uint8_t *prev, uint32_t depth)
{
    volatile uint8_t frame[1024];
    if (depth == 0xFFFFFFFFu) /* never: keeps the recursion formally bounded */
        return 0;
    frame[0] = (uint8_t)depth;
    frame[1023] = prev ? prev[0] : 0;
    return dive(frame, depth + 1) + frame[1023];
}

SK_ENTRY(api, arg, len)
{
    (void)api;
    (void)arg;
    (void)len;
    return dive(0, 0);
}
