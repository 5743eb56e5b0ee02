/* hello payload: output "hello from a payload (abi N, run K)\n" built from read-only strings
 * reached through a pointer table (load-time relocations), a data counter and a bss buffer:
 * exercises every section kind. Returns the number of bytes written. */
#include "sk_sdk.h"

static const char *const parts[] = {"hello", " from", " a payload"};
static int32_t runs = 1;      /* .data: 1 at every load (the image is reloaded per run) */
static char line[64];         /* .bss */

static uint32_t put(uint32_t at, const char *s)
{
    while (*s && at < sizeof line - 1)
        line[at++] = *s++;
    return at;
}

SK_ENTRY(api, arg, len)
{
    (void)arg;
    (void)len;
    uint32_t n = 0;
    for (unsigned i = 0; i < sizeof parts / sizeof parts[0]; i++)
        n = put(n, parts[i]);
    n = put(n, " (abi ");
    line[n++] = (char)('0' + (api->abi_version & 7u));
    n = put(n, ", run ");
    line[n++] = (char)('0' + (runs++ & 7));
    n = put(n, ")\n");
    return sk_write(api, line, n);
}
