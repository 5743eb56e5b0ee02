/* Shared helpers of the peripheral models (sim/periph/): guest-error accounting and
 * sub-word access handling. Every model keeps its own counters (no global state). */
#ifndef SIM_PERIPH_PERIPH_H
#define SIM_PERIPH_PERIPH_H
#include "core/sim.h"
#include <stdint.h>

/* Report a guest mistake and count it in the device's own counter (STYLE.md 12). */
#define PERIPH_GUEST_ERROR(sim, counter, dev, ...)                                         \
    do {                                                                                   \
        (counter)++;                                                                       \
        sim_guest_error((sim), (dev), __VA_ARGS__);                                        \
    } while (0)

/* Registers of these blocks are 32 bits wide. A byte/halfword access is served from the
 * containing word (what the AXI/APB bridge does for reads); returns the word offset. */
static inline uint32_t periph_word_off(uint32_t off) { return off & ~3u; }
static inline uint32_t periph_sub_read(uint32_t word, uint32_t off, unsigned size)
{
    unsigned sh = (off & 3u) * 8u;
    if (size >= 4) return word;
    return (word >> sh) & ((1u << (size * 8u)) - 1u);
}

/* exact a * b / c with a 128-bit intermediate, rounded down / up */
static inline uint64_t periph_muldiv(uint64_t a, uint64_t b, uint64_t c)
{
    return (uint64_t)(((unsigned __int128)a * b) / c);
}
static inline uint64_t periph_muldiv_ceil(uint64_t a, uint64_t b, uint64_t c)
{
    return (uint64_t)(((unsigned __int128)a * b + c - 1) / c);
}
#endif
