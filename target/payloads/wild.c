/* faulty payload: writes through a wild pointer into kernel memory (the kernel image at
 * 0x8000, memmap.h): a shielded run must abort with fault_addr = that address. */
#include "sk_sdk.h"

SK_ENTRY(api, arg, len)
{
    (void)api;
    (void)arg;
    (void)len;
    volatile uint32_t *kernel = (volatile uint32_t *)0x00008000u;
    *kernel = 0xDEADBEEFu;
    return 0;
}
