/* skpack must refuse: a call to a symbol outside the payload. */
#include "sk_sdk.h"
extern int32_t kernel_secret(void);
SK_ENTRY(api, arg, len)
{
    (void)api; (void)arg; (void)len;
    return kernel_secret();
}
