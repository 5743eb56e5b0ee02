/* skpack must refuse without sk_libc.c: a large struct copy becomes a memcpy call. */
#include "sk_sdk.h"
struct big { uint8_t b[300]; };
static struct big g;
SK_ENTRY(api, arg, len)
{
    (void)api; (void)len;
    struct big local = *(const struct big *)(const void *)arg;
    g = local;
    return g.b[7];
}
