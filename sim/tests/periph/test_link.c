/* UART links: file output, --uart0-in feed at the programmed baud (with overruns),
 * --until-uart, scheduled in-process pushes, the tcp backend. */
#include "devtest.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/pl011.h"
#include "link/uart_link.h"
#include "periph/pl011.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define U(off) (BCM2835_UART0_BASE + (off))
#define F115200_700 60777u /* see test_pl011.c */

static void uart_setup(sim_t *s)
{
    wr(s, U(PL011_IBRD), 26);
    wr(s, U(PL011_FBRD), 3);
    wr(s, U(PL011_LCRH), PL011_LCRH_WLEN_8 | PL011_LCRH_FEN_BIT);
    wr(s, U(PL011_CR), PL011_CR_UARTEN_BIT | PL011_CR_TXE_BIT | PL011_CR_RXE_BIT);
}

static void tmpname(char *buf, size_t n, const char *tag)
{
    snprintf(buf, n, "/tmp/sim_dev_link_%s_%d", tag, (int)getpid());
}

static void test_file_output(void)
{
    char path[128], spec[160];
    tmpname(path, sizeof path, "out");
    snprintf(spec, sizeof spec, "file:%s", path);
    sim_config_t cfg;
    sim_config_default(&cfg);
    cfg.uart0_spec = spec;
    sim_t *s = dt_new_cfg(&cfg);
    uart_setup(s);
    const char *msg = "hello\n";
    for (const char *p = msg; *p; p++) wr(s, U(PL011_DR), (uint8_t)*p);
    sim_advance(s, 6 * F115200_700);
    sim_free(s);
    FILE *f = fopen(path, "rb");
    char got[32] = { 0 };
    CHECK(f != NULL);
    if (f) {
        size_t n = fread(got, 1, sizeof got - 1, f);
        fclose(f);
        CHECK_EQ(n, 6);
        CHECK(strcmp(got, msg) == 0);
    }
    unlink(path);
}

static void test_feed_file_paced_with_overrun(void)
{
    char path[128];
    tmpname(path, sizeof path, "in");
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 40; i++) fputc('a' + (i % 26), f);
    fclose(f);
    sim_config_t cfg;
    sim_config_default(&cfg);
    cfg.uart0_spec = "null";
    cfg.uart0_in = path;
    sim_t *s = dt_new_cfg(&cfg);
    sim_advance(s, 5 * F115200_700);
    CHECK_EQ(soc_uart0(sim_soc(s))->stats.rx_bytes, 0); /* nothing before the receiver is on */
    dt_advance_to(s, 1000000);
    uart_setup(s);
    dt_advance_to(s, 1000000 + F115200_700 - 1);
    CHECK(rd(s, U(PL011_FR)) & PL011_FR_RXFE_BIT);
    dt_advance_to(s, 1000000 + F115200_700);
    CHECK_EQ(rd(s, U(PL011_DR)), 'a');
    /* the guest stops reading: 16 fit, the remaining 23 overrun */
    dt_advance_to(s, 1000000 + 40 * F115200_700);
    const bcm2835_pl011_t *u = soc_uart0(sim_soc(s));
    CHECK_EQ(u->stats.rx_bytes, 40);
    CHECK_EQ(u->stats.rx_overruns, 23);
    CHECK_EQ(uart_link_rx_pending(soc_uart0_link(sim_soc(s))), 0);
    CHECK_EQ(rd(s, U(PL011_DR)), 'b');
    sim_free(s);
    unlink(path);
}

static void test_until_uart_stops_run(void)
{
    sim_config_t cfg;
    sim_config_default(&cfg);
    cfg.uart0_spec = "null";
    cfg.until_uart = "OK>";
    cfg.max_cycles = 100000000;
    sim_t *s = dt_new_cfg(&cfg);
    static const uint32_t loop[] = { 0xEAFFFFFEu }; /* b . */
    sim_load_raw(s, 0x8000, loop, sizeof loop);
    sim_set_entry(s, 0x8000);
    uart_setup(s);
    const char *msg = "boot OOK> more";
    for (const char *p = msg; *p; p++) wr(s, U(PL011_DR), (uint8_t)*p);
    sim_stop_t r = sim_run(s);
    CHECK_EQ(r, SIM_STOP_UART_TEXT);
    /* stopped at the block after the '>' frame completed (9th byte) */
    CHECK(sim_now(s) >= 9ull * F115200_700);
    CHECK(sim_now(s) < 10ull * F115200_700);
    sim_free(s);
}

static void test_push_rx_at(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    uart_setup(s);
    uart_link_t *l = soc_uart0_link(sim_soc(s));
    const uint8_t a[2] = { '1', '2' }, b[1] = { '0' };
    uart_link_push_rx_at(l, 500000, a, 2);
    uart_link_push_rx_at(l, 200000, b, 1);
    dt_advance_to(s, 200000 + F115200_700 - 1);
    CHECK(rd(s, U(PL011_FR)) & PL011_FR_RXFE_BIT);
    dt_advance_to(s, 200000 + F115200_700);
    CHECK_EQ(rd(s, U(PL011_DR)), '0');
    dt_advance_to(s, 500000 + 2 * F115200_700);
    CHECK_EQ(rd(s, U(PL011_DR)), '1');
    CHECK_EQ(rd(s, U(PL011_DR)), '2');
    sim_free(s);
}

static void test_tcp_backend(void)
{
    int port = 20000 + (int)(getpid() % 20000);
    char spec[32];
    snprintf(spec, sizeof spec, "tcp:%d", port);
    sim_config_t cfg;
    sim_config_default(&cfg);
    cfg.uart0_spec = spec;
    sim_t *s = sim_new(&cfg);
    CHECK(s != NULL);
    if (!s) return;
    uart_setup(s);
    wr(s, U(PL011_DR), 'A'); /* before a client: buffered */
    sim_advance(s, 2 * F115200_700);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0);
    /* the guest waiting in WFI (soc_idle) accepts the client and flushes the output */
    for (int i = 0; i < 200 && soc_uart0_link(sim_soc(s)) && !soc_idle(sim_soc(s), false); i++) {
        char tmp;
        if (recv(c, &tmp, 1, MSG_PEEK | MSG_DONTWAIT) == 1) break;
        usleep(1000);
    }
    CHECK(write(c, "xy", 2) == 2);
    usleep(20000);
    /* interactive input never enters while simulated time merely advances... */
    sim_advance(s, 40 * F115200_700);
    CHECK_EQ(soc_uart0(sim_soc(s))->stats.rx_bytes, 0);
    /* ...only when the guest waits: blocking is fine, the bytes are there */
    CHECK(soc_idle(sim_soc(s), true));
    sim_advance(s, 3 * F115200_700);
    CHECK_EQ(soc_uart0(sim_soc(s))->stats.rx_bytes, 2);
    CHECK_EQ(rd(s, U(PL011_DR)), 'x');
    CHECK_EQ(rd(s, U(PL011_DR)), 'y');
    char got[4] = { 0 };
    ssize_t n = recv(c, got, sizeof got, MSG_DONTWAIT);
    CHECK_EQ(n, 1);
    CHECK_EQ(got[0], 'A');
    close(c);
    sim_free(s);
}

static void test_bad_spec_fails_build(void)
{
    sim_config_t cfg;
    sim_config_default(&cfg);
    cfg.uart0_spec = "bogus:1";
    sim_t *s = sim_new(&cfg);
    CHECK(s == NULL);
    if (s) sim_free(s);
}

int main(void)
{
    RUN(test_file_output);
    RUN(test_feed_file_paced_with_overrun);
    RUN(test_until_uart_stops_run);
    RUN(test_push_rx_at);
    RUN(test_tcp_backend);
    RUN(test_bad_spec_fails_build);
    return DT_RESULT();
}
