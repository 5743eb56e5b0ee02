/* skpack must refuse: Thumb code (calls are R_ARM_THM_CALL). */
#include "sk_sdk.h"
__attribute__((noinline)) int32_t helper(uint32_t x);
__attribute__((noinline)) int32_t helper(uint32_t x) { return (int32_t)(x * 3u); }
SK_ENTRY(api, arg, len)
{
    (void)api; (void)arg;
    return helper(len);
}
