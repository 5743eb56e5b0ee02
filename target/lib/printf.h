/* snprintf/vsnprintf subset for the firmware (lib/printf.c). Same naming scheme as
 * lib/kstring.h: standard names in the firmware, lib_ prefix on the host (SK_HOST).
 * Conversions: d i u x X s c p %%; flags '-', '0', '+', ' ', '#'; width and precision
 * (numbers or '*'); length modifiers hh h l ll z t j. Returns the length the full output
 * would have had (C99), the output is always NUL-terminated when size > 0. */
#ifndef LIB_PRINTF_H
#define LIB_PRINTF_H
#include <stdarg.h>
#include <stddef.h>

#ifdef SK_HOST
#include <stdio.h>
#define LIB_PRINTF_SYM(name) lib_##name
#else
#define LIB_PRINTF_SYM(name) name
#endif

int LIB_PRINTF_SYM(vsnprintf)(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int LIB_PRINTF_SYM(snprintf)(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
