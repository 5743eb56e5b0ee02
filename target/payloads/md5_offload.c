/* md5 payload: the MD5 offload workload (paper figures 4-5). Argument block "N TEXT" (the
 * console's `md5 N TEXT` syntax: TEXT is everything after the single space following N).
 * Computes md5_chain(TEXT, N) with the firmware's own MD5 code (target/lib/md5.c, linked into
 * this payload) and writes the 16 digest bytes as output; returns N, or -1 for a bad
 * argument. The client checks the digest (harness/md5chain.py defines the chain). */
#include "sk_sdk.h"
#include "lib/md5.h"

SK_ENTRY(api, arg, len)
{
    const uint8_t *p = arg, *end = arg + len;
    uint32_t n = sk_parse_u32(&p, end);
    if (p == arg || n == 0)
        return -1;
    if (p < end && *p == ' ')
        p++;
    uint8_t digest[MD5_DIGEST_LEN];
    md5_chain(p, (size_t)(end - p), n, digest);
    sk_write(api, digest, sizeof digest);
    return (int32_t)n;
}
