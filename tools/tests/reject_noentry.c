/* skpack must refuse: no sk_main. */
#include "sk_sdk.h"
int32_t not_the_entry(const sk_api_t *api);
int32_t not_the_entry(const sk_api_t *api) { return (int32_t)api->count; }
