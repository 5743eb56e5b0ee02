/* skpack must refuse: unsigned division becomes a call to libgcc's __aeabi_uidiv on ARMv6. */
#include "sk_sdk.h"
SK_ENTRY(api, arg, len)
{
    (void)api;
    return (int32_t)((uint32_t)arg[0] / len);
}
