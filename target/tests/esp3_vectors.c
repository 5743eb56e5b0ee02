/* esp3_vectors: see esp3_vectors.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "esp3_vectors.h"

esp3_vec_t esp3_vecs[ESP3_VEC_MAX];
unsigned esp3_nvecs;

void esp3_vectors_load(void)
{
    if (esp3_nvecs)
        return;
    char path[512];
    snprintf(path, sizeof path, "%s/reference/esp3-vectors.txt", SK_SHARED_DIR);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    char line[2048];
    while (fgets(line, sizeof line, f)) {
        char *bar = strchr(line, '|');
        if (line[0] == '#' || !bar)
            continue;
        assert_true(esp3_nvecs < ESP3_VEC_MAX);
        esp3_vec_t *v = &esp3_vecs[esp3_nvecs];
        *bar = '\0';
        snprintf(v->name, sizeof v->name, "%.63s", line);
        v->n = 0;
        char *p = bar + 1, *end;
        for (;;) {
            unsigned long x = strtoul(p, &end, 16);
            if (end == p)
                break;
            assert_true(x <= 0xFF && v->n < sizeof v->b);
            v->b[v->n++] = (uint8_t)x;
            p = end;
        }
        esp3_nvecs++;
    }
    fclose(f);
    assert_true(esp3_nvecs >= 4);
}
