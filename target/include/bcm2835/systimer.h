/* BCM2835 system timer, datasheet chapter 12 (base 0x20003000): free-running 1 MHz
 * 64-bit counter and four 32-bit compare channels. The GPU uses C0 and C2; ARM code
 * should use C1 and C3 (QEMU and real boards agree). */
#ifndef BCM2835_SYSTIMER_H
#define BCM2835_SYSTIMER_H

#define BCM2835_ST_CS   0x00 /* control/status: Mn bits set on match, write 1 to clear */
#define BCM2835_ST_CLO  0x04
#define BCM2835_ST_CHI  0x08
#define BCM2835_ST_C0   0x0C
#define BCM2835_ST_C1   0x10
#define BCM2835_ST_C2   0x14
#define BCM2835_ST_C3   0x18
#define BCM2835_ST_SIZE 0x1C
#define BCM2835_ST_CS_M(n) (1u << (n))

#endif
