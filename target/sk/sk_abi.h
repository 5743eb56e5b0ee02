/* Serverkernel payload ABI, version 1: the contract between the kernel (target/sk/), the
 * payload SDK (target/payloads/) and the host tools (skpack). Included by all three, so it
 * is plain C with fixed-width types only.
 *
 * Entry point (offset given by the payload header, ARM state, AAPCS):
 *     int32_t entry(const sk_api_t *api, const uint8_t *arg, uint32_t arg_len);
 * The return value is the payload's result (reported to the client as retval). Output
 * bytes go through api->fn[SK_API_WRITE]; they are collected by the kernel (bounded by the
 * client's reply capacity; excess is cut and flagged) and returned with the reply.
 *
 * The kernel API is a table of function pointers indexed by SK_API_* (O(1) resolution, no
 * fixed addresses). In shielded (user mode) runs each entry is a user-executable stub that
 * enters the kernel through SVC #id; in trusted runs it is the kernel function itself.
 * An administrator may remove entries (build-time subset): a removed entry points to a
 * function that returns SK_ERR_DENIED. A payload checks api->abi_version and api->count
 * before calling beyond the entries it knows. */
#ifndef SK_ABI_H
#define SK_ABI_H
#include <stdint.h>

#define SK_ABI_VERSION 1u

enum sk_api_id {
    SK_API_WRITE = 0,       /* int32_t write(const void *p, uint32_t n): bytes appended, or <0 */
    SK_API_CYCLES = 1,      /* uint32_t cycles(void): CPU cycle counter, low 32 bits */
    SK_API_TIME_US = 2,     /* uint32_t time_us(void): microseconds since boot, low 32 bits */
    SK_API_MEMCPY = 3,      /* void *memcpy(void *d, const void *s, uint32_t n) */
    SK_API_MEMSET = 4,      /* void *memset(void *d, int c, uint32_t n) */
    SK_API_UDP_SEND = 5,    /* int32_t udp_send(uint32_t ip, uint16_t port, const void *p, uint32_t n) */
    SK_API_COUNT = 6
};

#define SK_ERR_DENIED (-100)    /* API entry removed by the administrator */

typedef struct sk_api {
    uint32_t abi_version;   /* SK_ABI_VERSION */
    uint32_t count;         /* entries in fn[] (>= SK_API_COUNT of this header's version) */
    const void *fn[SK_API_COUNT];
} sk_api_t;

typedef int32_t (*sk_entry_fn)(const sk_api_t *api, const uint8_t *arg, uint32_t arg_len);

#endif
