/* Freestanding string/memory functions (lib/string.c).
 *
 * Naming: in the firmware these ARE the C library (gcc emits calls to memcpy, memset,
 * memmove and memcmp by itself, even with -ffreestanding), so they carry the standard
 * names. On the host (SK_HOST defined by target/tests) the standard names belong to libc
 * and to ASan's interceptors, so the same source is compiled under a lib_ prefix through
 * LIB_SYM(); portable modules then use the host libc and the tests call lib_memcpy & co.
 * explicitly. This keeps ASan fully working and our code under test at the same time. */
#ifndef LIB_KSTRING_H
#define LIB_KSTRING_H
#include <stddef.h>

#ifdef SK_HOST
#include <string.h>
#define LIB_SYM(name) lib_##name
#else
#define LIB_SYM(name) name
#endif

void *LIB_SYM(memcpy)(void *restrict dst, const void *restrict src, size_t n);
void *LIB_SYM(memmove)(void *dst, const void *src, size_t n);
void *LIB_SYM(memset)(void *dst, int c, size_t n);
int LIB_SYM(memcmp)(const void *a, const void *b, size_t n);
void *LIB_SYM(memchr)(const void *s, int c, size_t n);
size_t LIB_SYM(strlen)(const char *s);
size_t LIB_SYM(strnlen)(const char *s, size_t max);
int LIB_SYM(strcmp)(const char *a, const char *b);
int LIB_SYM(strncmp)(const char *a, const char *b, size_t n);
char *LIB_SYM(strchr)(const char *s, int c);

#endif
