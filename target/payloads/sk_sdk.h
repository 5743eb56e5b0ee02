/* Serverkernel payload SDK, ABI v1 (include this, nothing else from the kernel).
 *
 * A payload is one ARM function compiled with the SDK flags (target/payloads/CMakeLists.txt:
 * -fPIE -marm -mcpu=arm1176jzf-s -ffreestanding -fno-common -nostdlib ...), partially linked
 * into one relocatable object and packed by tools/skpack. It starts at
 *
 *     SK_ENTRY(api, arg, arg_len) { ... return retval; }
 *
 * and reaches the kernel only through the API table `api` (sk_abi.h): no fixed addresses, no
 * symbols. The helpers below call the table by id (O(1)); an entry an administrator removed
 * returns SK_ERR_DENIED. No C library and no libgcc are linked: avoid integer division (or
 * divide by powers of two), and link sk_libc.c when the compiler emits memcpy/memset calls. */
#ifndef SK_SDK_H
#define SK_SDK_H
#include <stdint.h>
#include "sk/sk_abi.h"

#define SK_ENTRY(api, arg, len) \
    int32_t sk_main(const sk_api_t *api, const uint8_t *arg, uint32_t len); \
    int32_t sk_main(const sk_api_t *api, const uint8_t *arg, uint32_t len)

static inline int sk_api_has(const sk_api_t *api, unsigned id)
{
    return api->abi_version == SK_ABI_VERSION && id < api->count;
}
static inline int32_t sk_write(const sk_api_t *api, const void *p, uint32_t n)
{
    return ((int32_t (*)(const void *, uint32_t))api->fn[SK_API_WRITE])(p, n);
}
static inline uint32_t sk_cycles(const sk_api_t *api)
{
    return ((uint32_t (*)(void))api->fn[SK_API_CYCLES])();
}
static inline uint32_t sk_time_us(const sk_api_t *api)
{
    return ((uint32_t (*)(void))api->fn[SK_API_TIME_US])();
}
static inline void *sk_memcpy(const sk_api_t *api, void *d, const void *s, uint32_t n)
{
    return ((void *(*)(void *, const void *, uint32_t))api->fn[SK_API_MEMCPY])(d, s, n);
}
static inline void *sk_memset(const sk_api_t *api, void *d, int c, uint32_t n)
{
    return ((void *(*)(void *, int, uint32_t))api->fn[SK_API_MEMSET])(d, c, n);
}
static inline int32_t sk_udp_send(const sk_api_t *api, uint32_t ip, uint16_t port, const void *p, uint32_t n)
{
    return ((int32_t (*)(uint32_t, uint16_t, const void *, uint32_t))api->fn[SK_API_UDP_SEND])(ip, port, p, n);
}
static inline uint32_t sk_strlen(const char *s)
{
    uint32_t n = 0;
    while (s[n])
        n++;
    return n;
}
/* Parses a decimal number at *p (advances *p); 0 when none. */
static inline uint32_t sk_parse_u32(const uint8_t **p, const uint8_t *end)
{
    uint32_t v = 0;
    while (*p < end && **p >= '0' && **p <= '9') {
        v = v * 10u + (uint32_t)(**p - '0');
        (*p)++;
    }
    return v;
}

#endif
