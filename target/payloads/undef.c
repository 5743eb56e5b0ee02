/* faulty payload: executes a permanently undefined instruction (ARM ARM A3.16, UDF space). */
#include "sk_sdk.h"

SK_ENTRY(api, arg, len)
{
    (void)api;
    (void)arg;
    (void)len;
    __asm__ volatile(".word 0xe7f000f0");
    return 0;
}
