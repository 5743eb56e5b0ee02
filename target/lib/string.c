/* Freestanding memory and string functions (see lib/kstring.h for the naming scheme).
 *
 * memcpy/memmove/memset are on the hot path (MD5 buffers, packet data), so aligned data
 * moves 32 bytes per iteration in 8 registers (gcc turns the loop body into LDM/STM) and
 * mutually misaligned copies align the destination and read the source with unaligned
 * word loads. Unaligned loads go through a GNU C aligned(1) type: on the ARM1176 with
 * SCTLR.U = 1 (set in boot/start.S) gcc emits plain LDR, which the core splits; on the host
 * it is an ordinary unaligned load that ASan checks byte-exactly. Only RAM (normal memory)
 * may be copied with these functions, never device registers.
 *
 * Built with -fno-builtin -fno-tree-loop-distribute-patterns so gcc does not turn these
 * loops back into calls to themselves. */
#include <stdint.h>
#include "lib/kstring.h"

typedef uint32_t __attribute__((aligned(1), may_alias)) str_u32u_t; /* unaligned word */
typedef uint32_t __attribute__((may_alias)) str_u32_t;

#define STR_WMASK (sizeof(uint32_t) - 1u)

void *LIB_SYM(memcpy)(void *restrict dst, const void *restrict src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    if (n >= 8) {
        /* align the destination */
        while ((uintptr_t)d & STR_WMASK) {
            *d++ = *s++;
            n--;
        }
        str_u32_t *dw = (str_u32_t *)(void *)d;
        if (((uintptr_t)s & STR_WMASK) == 0) {
            const str_u32_t *sw = (const str_u32_t *)(const void *)s;
            while (n >= 32) {
                uint32_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
                uint32_t f = sw[4], g = sw[5], h = sw[6], i = sw[7];
                dw[0] = a; dw[1] = b; dw[2] = c; dw[3] = e;
                dw[4] = f; dw[5] = g; dw[6] = h; dw[7] = i;
                dw += 8;
                sw += 8;
                n -= 32;
            }
            while (n >= 4) {
                *dw++ = *sw++;
                n -= 4;
            }
            s = (const uint8_t *)sw;
        } else {
            const str_u32u_t *sw = (const str_u32u_t *)(const void *)s;
            while (n >= 16) {
                uint32_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
                dw[0] = a; dw[1] = b; dw[2] = c; dw[3] = e;
                dw += 4;
                sw += 4;
                n -= 16;
            }
            while (n >= 4) {
                *dw++ = *sw++;
                n -= 4;
            }
            s = (const uint8_t *)sw;
        }
        d = (uint8_t *)dw;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

void *LIB_SYM(memmove)(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    if (d == s || n == 0)
        return dst;
    /* forward copy is safe when dst is below src or the ranges do not overlap */
    if ((uintptr_t)d < (uintptr_t)s || (uintptr_t)d >= (uintptr_t)s + n) {
        if ((uintptr_t)d + n <= (uintptr_t)s || (uintptr_t)d >= (uintptr_t)s + n)
            return LIB_SYM(memcpy)(dst, src, n);
        /* overlapping, dst < src: ascending copy, word-wise when co-aligned */
        if ((((uintptr_t)d ^ (uintptr_t)s) & STR_WMASK) == 0) {
            while (n && ((uintptr_t)d & STR_WMASK)) {
                *d++ = *s++;
                n--;
            }
            while (n >= 4) {
                *(str_u32_t *)(void *)d = *(const str_u32_t *)(const void *)s;
                d += 4;
                s += 4;
                n -= 4;
            }
        }
        while (n--)
            *d++ = *s++;
        return dst;
    }
    /* overlapping, dst above src: descending copy */
    d += n;
    s += n;
    if ((((uintptr_t)d ^ (uintptr_t)s) & STR_WMASK) == 0) {
        while (n && ((uintptr_t)d & STR_WMASK)) {
            *--d = *--s;
            n--;
        }
        while (n >= 4) {
            d -= 4;
            s -= 4;
            *(str_u32_t *)(void *)d = *(const str_u32_t *)(const void *)s;
            n -= 4;
        }
    }
    while (n--)
        *--d = *--s;
    return dst;
}

void *LIB_SYM(memset)(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    uint8_t b = (uint8_t)c;

    if (n >= 8) {
        while ((uintptr_t)d & STR_WMASK) {
            *d++ = b;
            n--;
        }
        uint32_t w = b * 0x01010101u;
        str_u32_t *dw = (str_u32_t *)(void *)d;
        while (n >= 32) {
            dw[0] = w; dw[1] = w; dw[2] = w; dw[3] = w;
            dw[4] = w; dw[5] = w; dw[6] = w; dw[7] = w;
            dw += 8;
            n -= 32;
        }
        while (n >= 4) {
            *dw++ = w;
            n -= 4;
        }
        d = (uint8_t *)dw;
    }
    while (n--)
        *d++ = b;
    return dst;
}

int LIB_SYM(memcmp)(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return (int)x[i] - (int)y[i];
    return 0;
}

void *LIB_SYM(memchr)(const void *s, int c, size_t n)
{
    const uint8_t *p = s;
    for (size_t i = 0; i < n; i++)
        if (p[i] == (uint8_t)c)
            return (void *)(uintptr_t)(p + i);
    return NULL;
}

size_t LIB_SYM(strlen)(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t LIB_SYM(strnlen)(const char *s, size_t max)
{
    size_t i = 0;
    while (i < max && s[i])
        i++;
    return i;
}

int LIB_SYM(strcmp)(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    while (*x && *x == *y) {
        x++;
        y++;
    }
    return (int)*x - (int)*y;
}

int LIB_SYM(strncmp)(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (; n; n--, x++, y++) {
        if (*x != *y)
            return (int)*x - (int)*y;
        if (!*x)
            break;
    }
    return 0;
}

char *LIB_SYM(strchr)(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)(uintptr_t)s;
        if (!*s)
            return NULL;
    }
}
