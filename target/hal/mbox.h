/* VideoCore mailbox 0, property channel 8 (bcm2835/mbox.h). Each call is synchronous with a
 * bounded wait; usable with the MMU/caches on or off. */
#ifndef HAL_MBOX_H
#define HAL_MBOX_H
#include <stddef.h>
#include <stdint.h>

#define MBOX_TIMEOUT_US 100000u  /* per call */

/* Raw property call: buf (16-byte aligned, words) holds a complete request. */
int mbox_property(uint32_t *buf, size_t bytes);

int mbox_get_board_rev(uint32_t *rev);
int mbox_get_arm_memory(uint32_t *base, uint32_t *size);
int mbox_get_clock_rate(uint32_t clock_id, uint32_t *hz); /* MBOX_CLOCK_* */
int mbox_get_mac(uint8_t mac[6]);

#endif
