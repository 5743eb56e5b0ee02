/* The few C library functions gcc may emit calls to even with -ffreestanding (struct copies,
 * zeroing loops): linked into payloads that need them (payloads reach nothing outside
 * themselves except the API table). Byte loops; compiled with -fno-builtin and
 * -fno-tree-loop-distribute-patterns so they do not turn into calls to themselves. */
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memset(void *d, int c, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
    uint8_t *o = d;
    const uint8_t *i = s;
    while (n--)
        *o++ = *i++;
    return d;
}

void *memset(void *d, int c, size_t n)
{
    uint8_t *o = d;
    while (n--)
        *o++ = (uint8_t)c;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    uint8_t *o = d;
    const uint8_t *i = s;
    if (o < i) {
        while (n--)
            *o++ = *i++;
    } else {
        while (n--)
            o[n] = i[n];
    }
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t k = 0; k < n; k++)
        if (x[k] != y[k])
            return x[k] - y[k];
    return 0;
}
