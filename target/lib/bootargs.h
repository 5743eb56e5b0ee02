/* Boot arguments: the kernel command line the Pi's GPU firmware (and bcm2835-sim --cmdline)
 * passes as an ATAG list (r2 = 0x100 when no device tree; Linux
 * Documentation/arch/arm/booting.rst and setup.h for the tag layout), and `key=value`
 * lookup in it. Portable: the caller hands in the words at 0x100; anything that is not a
 * well-formed list starting with ATAG_CORE (a device tree, zeroed RAM) is "no command
 * line", never a fault. */
#ifndef LIB_BOOTARGS_H
#define LIB_BOOTARGS_H
#include <stddef.h>
#include <stdint.h>

#define BOOTARGS_ATAG_NONE    0x00000000u
#define BOOTARGS_ATAG_CORE    0x54410001u
#define BOOTARGS_ATAG_CMDLINE 0x54410009u
#define BOOTARGS_MAX_TAGS     64u   /* bound on the walk */

/* Finds ATAG_CMDLINE in the list at atags (max_words 32-bit words readable). On success
 * *cmdline points into the list and *len is its length up to the NUL or the tag end.
 * ERR_EMPTY: no list or no command line; ERR_INVAL: a malformed list (size 0 or past
 * max_words, no ATAG_NONE within BOOTARGS_MAX_TAGS). */
int bootargs_cmdline(const uint32_t *atags, size_t max_words, const char **cmdline, size_t *len);

/* Copies the value of the last `key=value` word of cmdline[0..len) into val (NUL
 * terminated). ERR_EMPTY if absent, ERR_NOSPC if it does not fit in cap. */
int bootargs_get(const char *cmdline, size_t len, const char *key, char *val, size_t cap);

#endif
