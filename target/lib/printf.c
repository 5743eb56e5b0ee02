/* Minimal, bounded snprintf/vsnprintf (see lib/printf.h). No floating point: keeps VFP out
 * of formatting and the firmware free of libc. Integers are converted with 32-bit
 * arithmetic when they fit, 64-bit (libgcc __aeabi_uldivmod) otherwise. */
#include <stdint.h>
#include "lib/printf.h"

typedef struct fmt_out {
    char *buf;
    size_t size;
    size_t len; /* length the complete output would have */
} fmt_out_t;

static void fmt_putc(fmt_out_t *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void fmt_pad(fmt_out_t *o, char c, int n)
{
    while (n-- > 0)
        fmt_putc(o, c);
}

enum {
    FMT_LEFT = 1 << 0,
    FMT_ZERO = 1 << 1,
    FMT_PLUS = 1 << 2,
    FMT_SPACE = 1 << 3,
    FMT_ALT = 1 << 4,
    FMT_UPPER = 1 << 5,
};

/* Formats an unsigned magnitude with sign/prefix, precision (minimum digits) and width. */
static void fmt_number(fmt_out_t *o, unsigned long long v, int neg, unsigned base, int flags,
                       int width, int prec)
{
    char digits[24];
    int nd = 0;
    const char *hex = (flags & FMT_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
    char sign = 0;
    const char *prefix = "";
    int plen = 0, zeros, total;

    if (v <= 0xFFFFFFFFull) {
        uint32_t w = (uint32_t)v;
        do {
            digits[nd++] = hex[w % base];
            w /= base;
        } while (w);
    } else {
        do {
            digits[nd++] = hex[v % base];
            v /= base;
        } while (v);
    }
    if (prec == 0 && nd == 1 && digits[0] == '0')
        nd = 0; /* C: precision 0 with value 0 prints no digits */

    if (neg)
        sign = '-';
    else if (flags & FMT_PLUS)
        sign = '+';
    else if (flags & FMT_SPACE)
        sign = ' ';
    if ((flags & FMT_ALT) && base == 16 && nd > 0 && !(nd == 1 && digits[0] == '0')) {
        prefix = (flags & FMT_UPPER) ? "0X" : "0x";
        plen = 2;
    }

    zeros = (prec > nd) ? prec - nd : 0;
    total = (sign ? 1 : 0) + plen + zeros + nd;
    if (prec < 0 && (flags & FMT_ZERO) && !(flags & FMT_LEFT) && width > total) {
        zeros += width - total;
        total = width;
    }
    if (!(flags & FMT_LEFT))
        fmt_pad(o, ' ', width - total);
    if (sign)
        fmt_putc(o, sign);
    for (int i = 0; i < plen; i++)
        fmt_putc(o, prefix[i]);
    fmt_pad(o, '0', zeros);
    while (nd)
        fmt_putc(o, digits[--nd]);
    if (flags & FMT_LEFT)
        fmt_pad(o, ' ', width - total);
}

int LIB_PRINTF_SYM(vsnprintf)(char *buf, size_t size, const char *fmt, va_list ap)
{
    fmt_out_t o = {buf, size, 0};

    while (*fmt) {
        if (*fmt != '%') {
            fmt_putc(&o, *fmt++);
            continue;
        }
        const char *spec = fmt++;
        int flags = 0, width = 0, prec = -1, lng = 0;

        for (;; fmt++) {
            if (*fmt == '-') flags |= FMT_LEFT;
            else if (*fmt == '0') flags |= FMT_ZERO;
            else if (*fmt == '+') flags |= FMT_PLUS;
            else if (*fmt == ' ') flags |= FMT_SPACE;
            else if (*fmt == '#') flags |= FMT_ALT;
            else break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= FMT_LEFT;
                width = -width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                if (prec < 0)
                    prec = -1;
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        /* length: 'h'/'hh' promote to int anyway (truncated below); l=1, ll=2, z/t/j */
        int half = 0;
        if (*fmt == 'h') {
            half = 1;
            fmt++;
            if (*fmt == 'h') {
                half = 2;
                fmt++;
            }
        } else if (*fmt == 'l') {
            lng = 1;
            fmt++;
            if (*fmt == 'l') {
                lng = 2;
                fmt++;
            }
        } else if (*fmt == 'z' || *fmt == 't') {
            lng = (sizeof(size_t) == sizeof(long long)) ? 2 : (sizeof(size_t) == sizeof(long) ? 1 : 0);
            fmt++;
        } else if (*fmt == 'j') {
            lng = 2;
            fmt++;
        }

        char c = *fmt;
        if (c)
            fmt++;
        switch (c) {
        case 'd':
        case 'i': {
            long long v;
            if (lng == 2) v = va_arg(ap, long long);
            else if (lng == 1) v = va_arg(ap, long);
            else v = va_arg(ap, int);
            if (half == 1) v = (short)v;
            else if (half == 2) v = (signed char)v;
            unsigned long long m = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            fmt_number(&o, m, v < 0, 10, flags, width, prec);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            unsigned long long v;
            if (lng == 2) v = va_arg(ap, unsigned long long);
            else if (lng == 1) v = va_arg(ap, unsigned long);
            else v = va_arg(ap, unsigned int);
            if (half == 1) v = (unsigned short)v;
            else if (half == 2) v = (unsigned char)v;
            if (c == 'X')
                flags |= FMT_UPPER;
            fmt_number(&o, v, 0, c == 'u' ? 10 : 16, flags & ~(FMT_PLUS | FMT_SPACE), width, prec);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            if (v == 0) { /* '#' prints no prefix for zero: spell out "0x0" */
                if (!(flags & FMT_LEFT))
                    fmt_pad(&o, ' ', width - 3);
                fmt_putc(&o, '0');
                fmt_putc(&o, 'x');
                fmt_putc(&o, '0');
                if (flags & FMT_LEFT)
                    fmt_pad(&o, ' ', width - 3);
            } else {
                fmt_number(&o, v, 0, 16, (flags & FMT_LEFT) | FMT_ALT, width, -1);
            }
            break;
        }
        case 'c': {
            char ch = (char)va_arg(ap, int);
            if (!(flags & FMT_LEFT))
                fmt_pad(&o, ' ', width - 1);
            fmt_putc(&o, ch);
            if (flags & FMT_LEFT)
                fmt_pad(&o, ' ', width - 1);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            int n = 0;
            if (!s)
                s = "(null)";
            while (s[n] && (prec < 0 || n < prec))
                n++;
            if (!(flags & FMT_LEFT))
                fmt_pad(&o, ' ', width - n);
            for (int i = 0; i < n; i++)
                fmt_putc(&o, s[i]);
            if (flags & FMT_LEFT)
                fmt_pad(&o, ' ', width - n);
            break;
        }
        case '%':
            fmt_putc(&o, '%');
            break;
        default:
            /* unknown conversion (or a lone '%' at the end): print it verbatim */
            for (const char *p = spec; p < fmt; p++)
                fmt_putc(&o, *p);
            break;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int LIB_PRINTF_SYM(snprintf)(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = LIB_PRINTF_SYM(vsnprintf)(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
