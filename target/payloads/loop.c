/* faulty payload: never returns (the CPU-time budget must end it). */
#include "sk_sdk.h"

SK_ENTRY(api, arg, len)
{
    (void)api;
    (void)arg;
    (void)len;
    volatile uint32_t spin = 0;
    for (;;)
        spin++;
}
