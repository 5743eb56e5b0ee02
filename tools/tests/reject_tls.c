/* skpack must refuse: thread-local storage (.tbss). */
#include "sk_sdk.h"
static __thread int32_t per_thread;
SK_ENTRY(api, arg, len)
{
    (void)api; (void)arg;
    per_thread += (int32_t)len;
    return per_thread;
}
