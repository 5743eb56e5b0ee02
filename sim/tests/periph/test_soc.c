/* SoC wiring: every block mapped, stubs read 0 (USB is modelled: test_usb.c), statistics (text and JSON). */
#include "devtest.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/pl011.h"
#include <string.h>

static void test_stubs_mapped(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    uint64_t ge = sim_stats(s)->guest_errors, un = sim_stats(s)->unimp_accesses;
    const uint32_t stubs[] = { BCM2835_DMA_BASE, BCM2835_CM_BASE, BCM2835_RNG_BASE, BCM2835_PCM_BASE,
                               BCM2835_SPI0_BASE, BCM2835_BSC0_BASE, BCM2835_BSC1_BASE, BCM2835_PWM_BASE,
                               BCM2835_EMMC_BASE, BCM2835_SDHOST_BASE, BCM2835_THERMAL_BASE,
                               BCM2835_SLAVE_BASE };
    for (size_t i = 0; i < sizeof stubs / sizeof stubs[0]; i++) CHECK_EQ(rd(s, stubs[i]), 0);
    CHECK_EQ(sim_stats(s)->guest_errors, ge);
    CHECK_EQ(sim_stats(s)->unimp_accesses - un, sizeof stubs / sizeof stubs[0]);
    sim_free(s);
}

static void test_stats_output(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    wr(s, BCM2835_UART0_BASE + PL011_IBRD, 26);
    wr(s, BCM2835_UART0_BASE + PL011_CR, PL011_CR_UARTEN_BIT | PL011_CR_TXE_BIT);
    wr(s, BCM2835_UART0_BASE + PL011_DR, 'a');
    sim_advance(s, 1000000);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    soc_print_stats(sim_soc(s), f);
    fclose(f);
    CHECK(strstr(buf, "uart0 (null): tx 1 ") != NULL);
    CHECK(strstr(buf, "pm: watchdog-resets 0") != NULL);
    free(buf);
    f = open_memstream(&buf, &len);
    fputc('{', f);
    fputs("\"x\": 1", f);
    soc_print_stats_json(sim_soc(s), f);
    fputc('}', f);
    fclose(f);
    CHECK(strncmp(buf, "{\"x\": 1, \"devices\": {\"uart0\": {\"link\": \"null\", \"tx_bytes\": 1,", 60) == 0);
    CHECK(buf[len - 1] == '}' && buf[len - 2] == '}' && buf[len - 3] == '}');
    free(buf);
    sim_free(s);
}

int main(void)
{
    RUN(test_stubs_mapped);
    RUN(test_stats_output);
    return DT_RESULT();
}
