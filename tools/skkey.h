/* Key files for skpack and skctl: hex text (whitespace ignored), 1..SK_PAYLOAD_KEY_MAX bytes.
 * The same file is compiled into the firmware as its device key (target/CMakeLists.txt). */
#ifndef TOOLS_SKKEY_H
#define TOOLS_SKKEY_H
#include <stddef.h>
#include <stdint.h>
/* Returns the key length, or -1 with a message on stderr. */
int skkey_read(const char *path, uint8_t *key, size_t cap);
#endif
