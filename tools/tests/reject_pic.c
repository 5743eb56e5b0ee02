/* skpack must refuse: -fPIC reaches global data through the GOT (R_ARM_GOT_BREL). */
#include "sk_sdk.h"
int32_t counter = 3;
SK_ENTRY(api, arg, len)
{
    (void)api; (void)arg;
    counter += (int32_t)len;
    return counter;
}
