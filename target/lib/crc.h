/* CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320, init and final xor 0xFFFFFFFF; check value
 * of "123456789" is 0xCBF43926). Used on serial frames. Portable C. */
#ifndef LIB_CRC_H
#define LIB_CRC_H
#include <stddef.h>
#include <stdint.h>

#define CRC32_INIT 0xFFFFFFFFu
/* Incremental: crc = crc32_update(CRC32_INIT, ...) ...; result = crc ^ 0xFFFFFFFF. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);
uint32_t crc32(const void *data, size_t len);

#endif
