/* Test payloads of the sandbox (sbtest, target/sk/sbtest.c): position-independent ARM code
 * (-fPIE, no libc, no globals), entered as sk_entry_fn (sk_abi.h) through the offset table
 * in sbt_table.S. Each one exercises one way a run can end. */
#include <stdint.h>
#include "sk/sk_abi.h"

typedef int32_t (*sbt_write_fn)(const void *p, uint32_t n);
typedef uint32_t (*sbt_u32_fn)(void);
typedef void *(*sbt_memcpy_fn)(void *d, const void *s, uint32_t n);
typedef void *(*sbt_memset_fn)(void *d, int c, uint32_t n);
typedef int32_t (*sbt_udp_fn)(uint32_t ip, uint16_t port, const void *p, uint32_t n);

#define SBT_ENTRY __attribute__((used, noinline)) int32_t

/* "hello:" + arg + "!!" built on the stack with the API's memcpy/memset; returns 42. */
SBT_ENTRY sbt_hello(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    char buf[80];
    volatile char *v = buf;
    if (api->abi_version != SK_ABI_VERSION || api->count < SK_API_COUNT)
        return -1;
    if (len > sizeof buf - 8)
        len = sizeof buf - 8;
    v[0] = 'h'; v[1] = 'e'; v[2] = 'l'; v[3] = 'l'; v[4] = 'o'; v[5] = ':';
    ((sbt_memcpy_fn)api->fn[SK_API_MEMCPY])(buf + 6, arg, len);
    ((sbt_memset_fn)api->fn[SK_API_MEMSET])(buf + 6 + len, '!', 2);
    ((sbt_write_fn)api->fn[SK_API_WRITE])(buf, 8 + len);
    return 42;
}

/* Never returns: only the CPU-time budget ends it. */
SBT_ENTRY sbt_loop(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)api; (void)arg; (void)len;
    volatile uint32_t n = 0;
    for (;;)
        n++;
}

/* Writes into the kernel image (the vector table at 0x8000). */
SBT_ENTRY sbt_wild(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)api; (void)arg; (void)len;
    *(volatile uint32_t *)0x00008000u = 0xDEADBEEFu;
    return 1;
}

/* Reads a peripheral (system timer CLO). */
SBT_ENTRY sbt_periph(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)api; (void)arg; (void)len;
    return (int32_t) * (volatile uint32_t *)0x20003004u;
}

/* Permanently undefined instruction (ARM ARM A3.16: UDF space 0xE7F000F0). */
SBT_ENTRY sbt_undef(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)api; (void)arg; (void)len;
    __asm__ volatile(".word 0xe7f000f0");
    return 1;
}

/* Unbounded recursion, 256+ bytes per frame: runs into the stack guard page. */
__attribute__((noinline)) static int32_t sbt_deep(volatile uint32_t *prev, uint32_t n)
{
    volatile uint32_t frame[64];
    frame[0] = n;
    frame[63] = prev ? prev[0] : 0;
    if (n == 0xFFFFFFFFu)
        return (int32_t)frame[63];
    return sbt_deep(frame, n + 1) + (int32_t)frame[0];
}

SBT_ENTRY sbt_stack(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)api; (void)arg; (void)len;
    return sbt_deep(0, 0);
}

/* SVC with an id outside the API table. */
SBT_ENTRY sbt_svcbad(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)api; (void)arg; (void)len;
    __asm__ volatile("svc #77" : : : "r0", "r1", "r2", "r3", "memory");
    return 1;
}

/* write() with a kernel pointer: refused by the dispatcher, never dereferenced. */
SBT_ENTRY sbt_badptr(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)arg; (void)len;
    return ((sbt_write_fn)api->fn[SK_API_WRITE])((const void *)0x00008000u, 16);
}

/* udp_send with a valid buffer: its return value (no network: ERR_NOTSUP; removed by the
 * administrator: SK_ERR_DENIED). */
SBT_ENTRY sbt_udp(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)arg; (void)len;
    volatile uint8_t b[4] = {1, 2, 3, 4};
    return ((sbt_udp_fn)api->fn[SK_API_UDP_SEND])(0x0A000001u, 7, (const void *)b, 4);
}

/* arg = u32 N (little endian): N calls of cycles(); returns the sum of the low bits so the
 * calls cannot be dropped. */
SBT_ENTRY sbt_bench(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    uint32_t n = 0, acc = 0;
    sbt_u32_fn cyc = (sbt_u32_fn)api->fn[SK_API_CYCLES];
    if (len >= 4)
        n = (uint32_t)arg[0] | (uint32_t)arg[1] << 8 | (uint32_t)arg[2] << 16 | (uint32_t)arg[3] << 24;
    for (uint32_t i = 0; i < n; i++)
        acc += cyc() & 1u;
    return (int32_t)acc;
}

/* Returns at once: the cost of a run itself. */
SBT_ENTRY sbt_empty(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)api; (void)arg; (void)len;
    return 7;
}

/* Branches into the kernel image: prefetch abort (privileged-only section). */
SBT_ENTRY sbt_jump(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)api; (void)arg; (void)len;
    return ((int32_t(*)(void))0x00008000u)();
}

/* Executes from its own stack (BX LR written there): prefetch abort (execute-never page). */
SBT_ENTRY sbt_xn(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)api; (void)arg; (void)len;
    volatile uint32_t code[2] = {0xE3A00001u /* mov r0, #1 */, 0xE12FFF1Eu /* bx lr */};
    return ((int32_t(*)(void))(uintptr_t)code)();
}

/* Calls the API forever: the budget usually expires inside an SVC (kernel mode), which
 * must end the run on the way back to the payload. */
SBT_ENTRY sbt_spin(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)arg; (void)len;
    sbt_u32_fn cyc = (sbt_u32_fn)api->fn[SK_API_CYCLES];
    volatile uint32_t acc = 0;
    for (;;)
        acc += cyc();
}

/* Semihosting SYS_EXIT (SVC 0x123456, r0 = 0x18) from user mode: an emulator must not
 * let a payload stop the machine (QEMU honours semihosting only from privileged modes by
 * default); for the kernel it is just an unknown SVC id. */
SBT_ENTRY sbt_semihost(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)api; (void)arg; (void)len;
    register uint32_t r0 __asm__("r0") = 0x18u;
    register uint32_t r1 __asm__("r1") = 0x20026u;
    __asm__ volatile("svc 0x123456" : "+r"(r0) : "r"(r1) : "r2", "r3", "memory");
    return (int32_t)r0;
}

/* Privileged CP15 operations from user mode are undefined instructions (ARM1176 TRM
 * 3.2: c7 cache operations; c15 performance monitor without user access enabled). */
SBT_ENTRY sbt_cp15(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)api; (void)arg;
    uint32_t v = 0;
    if (len == 0)
        __asm__ volatile("mcr p15, 0, %0, c7, c5, 0" : : "r"(v) : "memory"); /* invalidate I-cache */
    else
        __asm__ volatile("mrc p15, 0, %0, c15, c12, 1" : "=r"(v)); /* CCNT */
    return (int32_t)v;
}

/* Overwrites its own API table entry (the table page is read-only for user mode). */
SBT_ENTRY sbt_apiw(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)arg; (void)len;
    *(const void *volatile *)&api->fn[SK_API_WRITE] = (const void *)0x00008000u;
    return 1;
}

/* An API call made by SVC from Thumb state (the generic exception path of the kernel):
 * cycles() through `svc #1` in sbt_table.S's Thumb function; returns 1 when it answered. */
uint32_t sbt_thumb_cycles(void);

SBT_ENTRY sbt_thumb(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)api; (void)arg; (void)len;
    return sbt_thumb_cycles() != 0;
}

/* Looks for what earlier payloads left behind: non-zero words in the user stack below its
 * own frame and in the argument area past its argument. Returns how many it found. The
 * stack section layout (sandbox_layout.h): stack from +0x1000 up to SP at entry. */
SBT_ENTRY sbt_peek(const sk_api_t *api, const uint8_t *arg, uint32_t len)
{
    (void)api;
    uint32_t sp, found = 0;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (uint32_t a = (sp & ~0xFFFFu) + 0x1000u; a < sp - 64u; a += 4)
        found += *(volatile const uint32_t *)a != 0;
    for (uint32_t a = ((uint32_t)(uintptr_t)arg + len + 3u) & ~3u; a < (uint32_t)(uintptr_t)arg + 0x10000u; a += 4)
        found += *(volatile const uint32_t *)a != 0;
    return (int32_t)found;
}
