/* The ESP3 reference vectors (SK_SHARED_DIR/reference/esp3-vectors.txt: "name | hex bytes"
 * per line, # comments) for the host tests that feed real telegrams (esp3, app, app_udp,
 * app_slirp). Loaded once per process; the loader fails the test (cmocka) on a missing file,
 * a malformed byte or fewer than 4 vectors. */
#ifndef ESP3_VECTORS_H
#define ESP3_VECTORS_H
#include <stddef.h>
#include <stdint.h>

#define ESP3_VEC_MAX 16
typedef struct esp3_vec {
    char name[64];
    uint8_t b[600];
    size_t n;
} esp3_vec_t;

extern esp3_vec_t esp3_vecs[ESP3_VEC_MAX];
extern unsigned esp3_nvecs;
void esp3_vectors_load(void);
#endif
