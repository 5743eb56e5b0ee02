/* CRC-32, table-driven by nibbles (16 entries: small for the firmware, fast enough for
 * frames of a few KiB). */
#include "lib/crc.h"

static const uint32_t crc32_nib[16] = {
    0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C,
    0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C, 0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
};

uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ crc32_nib[crc & 0xFu];
        crc = (crc >> 4) ^ crc32_nib[crc & 0xFu];
    }
    return crc;
}

uint32_t crc32(const void *data, size_t len)
{
    return crc32_update(CRC32_INIT, data, len) ^ 0xFFFFFFFFu;
}
