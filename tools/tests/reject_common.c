/* skpack must refuse: a tentative definition compiled with -fcommon is a COMMON symbol. */
#include "sk_sdk.h"
int shared_counter;
SK_ENTRY(api, arg, len)
{
    (void)api; (void)arg;
    shared_counter += (int)len;
    return shared_counter;
}
