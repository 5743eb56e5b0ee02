/* Key file reader, see skkey.h. */
#include "skkey.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

int skkey_read(const char *path, uint8_t *key, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "key file %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t n = 0;
    int c, hi = -1;
    while ((c = fgetc(f)) != EOF) {
        if (isspace(c))
            continue;
        if (!isxdigit(c)) {
            fprintf(stderr, "key file %s: not hex text\n", path);
            fclose(f);
            return -1;
        }
        int v = isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10);
        if (hi < 0) {
            hi = v;
            continue;
        }
        if (n >= cap) {
            fprintf(stderr, "key file %s: longer than %zu bytes\n", path, cap);
            fclose(f);
            return -1;
        }
        key[n++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    fclose(f);
    if (hi >= 0 || n == 0) {
        fprintf(stderr, "key file %s: odd number of hex digits or empty\n", path);
        return -1;
    }
    return (int)n;
}
