/* Boot arguments: ATAG walk and key=value lookup (bootargs.h). */
#include "lib/bootargs.h"
#include "lib/kstring.h"
#include "err.h"

int bootargs_cmdline(const uint32_t *atags, size_t max_words, const char **cmdline, size_t *len)
{
    /* a tag: size in words (header included), tag id, data */
    if (!atags || max_words < 2 || atags[1] != BOOTARGS_ATAG_CORE)
        return ERR_EMPTY;
    size_t at = 0;
    for (unsigned n = 0; n < BOOTARGS_MAX_TAGS; n++) {
        if (at + 2u > max_words)
            return ERR_INVAL;
        uint32_t size = atags[at], tag = atags[at + 1u];
        if (tag == BOOTARGS_ATAG_NONE)
            return ERR_EMPTY;
        if (size < 2u || size > max_words - at)
            return ERR_INVAL;
        if (tag == BOOTARGS_ATAG_CMDLINE) {
            const char *s = (const char *)&atags[at + 2u];
            size_t cap = (size - 2u) * 4u, l = 0;
            while (l < cap && s[l])
                l++;
            *cmdline = s;
            *len = l;
            return ERR_OK;
        }
        at += size;
    }
    return ERR_INVAL;
}

int bootargs_get(const char *cmdline, size_t len, const char *key, char *val, size_t cap)
{
    size_t kl = strlen(key), i = 0;
    int rc = ERR_EMPTY;
    while (i < len) {
        while (i < len && cmdline[i] == ' ')
            i++;
        size_t w = i;
        while (i < len && cmdline[i] != ' ')
            i++;
        if (i - w > kl && !memcmp(cmdline + w, key, kl) && cmdline[w + kl] == '=') {
            size_t vl = i - w - kl - 1u;
            if (vl + 1u > cap) {
                rc = ERR_NOSPC;
                continue;
            }
            memcpy(val, cmdline + w + kl + 1u, vl);
            val[vl] = '\0';
            rc = ERR_OK; /* the last occurrence wins, as on Linux */
        }
    }
    return rc;
}
