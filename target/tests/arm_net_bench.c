/* net_bench.img: a bare-metal image (built with the firmware, not the release kernel) that
 * measures the per-echo service time of the network stack on the ARM1176 in CPU cycles:
 * frame in (the driver's VMIO_EV_DATA deposit) -> frame out (the driver's send function is
 * called with the reply), for a 5-byte UDP echo ("Echo1", the paper's request), and also
 * for an ICMP echo and an ARP reply. The "driver" here is a function that stamps the cycle
 * counter and frees the frame; no USB. On bcm2835-sim the CCNT figures are exact simulated
 * cycles (deterministic); on QEMU CCNT does not run (cpu_cycles falls back to the timer).
 *
 * Output (UART0), then semihosting exit:
 *   net-bench kind=<udp5|udp1472|icmp56|arp> n=<N> min_cyc=<c> median_cyc=<c> max_cyc=<c> total_median_cyc=<c>
 * total_*: from the deposit to vmio_run() returning (includes the engine's bookkeeping after
 * the frame left). The copy of the request into the RX buffer (the DMA's job) is outside. */
#include <stdint.h>
#include "boot/exc.h"
#include "boot/mmu.h"
#include "bcm2835/mbox.h"
#include "hal/cpu.h"
#include "hal/mbox.h"
#include "hal/systimer.h"
#include "hal/uart.h"
#include "io/net.h"
#include "io/ntimer.h"
#include "io/udp_echo.h"
#include "lib/printf.h"
#include "vmio/vmio.h"

#define NB_N 256u
#define NB_NET 2
static const uint8_t nb_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t nb_peer[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
#define NB_IP NET_IPV4(10, 0, 2, 15)
#define NB_PEER_IP NET_IPV4(10, 0, 2, 2)

static net_t nb_net;
static ntimer_svc_t nb_timers;
static udp_echo_t nb_echo;
static uint32_t nb_out_cyc, nb_sent;
static uint32_t nb_lat[NB_N], nb_tot[NB_N];
static uint8_t nb_frame[1600];

static int nb_tx(vmio_buf_t *f)
{
    nb_out_cyc = cpu_cycles32();
    nb_sent++;
    vmio_buf_free(f);
    return 0;
}

static uint16_t nb_cks(const uint8_t *p, unsigned n, uint32_t s)
{
    return net_cksum_fold(net_cksum_add(s, p, n));
}

static unsigned nb_eth(uint8_t *f, uint16_t type)
{
    for (unsigned i = 0; i < 6; i++) {
        f[i] = nb_mac[i];
        f[6 + i] = nb_peer[i];
    }
    net_wr16(f + 12, type);
    return 14;
}

static unsigned nb_ip(uint8_t *ip, uint8_t proto, unsigned l4len)
{
    for (unsigned i = 0; i < 20; i++)
        ip[i] = 0;
    ip[0] = 0x45;
    net_wr16(ip + 2, (uint16_t)(20 + l4len));
    ip[8] = 64;
    ip[9] = proto;
    net_wr32(ip + 12, NB_PEER_IP);
    net_wr32(ip + 16, NB_IP);
    net_wr16(ip + 10, nb_cks(ip, 20, 0));
    return 20;
}

static unsigned nb_udp_frame(unsigned n)
{
    uint8_t *f = nb_frame, *u = f + 34;
    nb_eth(f, NET_ETHTYPE_IPV4);
    unsigned ul = 8 + n;
    for (unsigned i = 0; i < n; i++)
        u[8 + i] = (uint8_t)"Echo1"[i % 5];
    net_wr16(u, 40000);
    net_wr16(u + 2, 5555);
    net_wr16(u + 4, (uint16_t)ul);
    net_wr16(u + 6, 0);
    net_wr16(u + 6, nb_cks(u, ul, net_cksum_pseudo(NB_PEER_IP, NB_IP, 17, (uint16_t)ul)));
    nb_ip(f + 14, 17, ul);
    unsigned len = 34 + ul;
    while (len < 60)
        f[len++] = 0;
    return len;
}

static unsigned nb_icmp_frame(unsigned n)
{
    uint8_t *f = nb_frame, *m = f + 34;
    nb_eth(f, NET_ETHTYPE_IPV4);
    for (unsigned i = 0; i < 8 + n; i++)
        m[i] = (uint8_t)(i < 8 ? 0 : i);
    m[0] = NET_ICMP_ECHO_REQUEST;
    net_wr16(m + 2, nb_cks(m, 8 + n, 0));
    nb_ip(f + 14, 1, 8 + n);
    return 34 + 8 + n;
}

static unsigned nb_arp_frame(void)
{
    uint8_t *f = nb_frame, *a = f + 14;
    nb_eth(f, NET_ETHTYPE_ARP);
    for (unsigned i = 0; i < 46; i++)
        a[i] = 0;
    net_wr16(a, 1);
    net_wr16(a + 2, NET_ETHTYPE_IPV4);
    a[4] = 6;
    a[5] = 4;
    net_wr16(a + 6, 1);
    for (unsigned i = 0; i < 6; i++)
        a[8 + i] = nb_peer[i];
    net_wr32(a + 14, NB_PEER_IP);
    net_wr32(a + 24, NB_IP);
    return 60;
}

/* One frame through the stack; returns 0 when exactly one frame came out. */
static int nb_one(unsigned len, uint32_t *lat, uint32_t *tot)
{
    vmio_buf_t *b = vmio_buf_alloc(len, NET_ETH_HEADROOM);
    if (!b)
        return -1;
    for (unsigned i = 0; i < len; i++)
        b->data[i] = nb_frame[i];
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(VMIO_NODE_LOCAL, NB_NET, 0);
    ev.code = VMIO_EV_DATA;
    ev.buf = b;
    uint32_t sent = nb_sent;
    uint32_t t0 = cpu_cycles32();
    if (vmio_deposit(0, &ev))
        return -1;
    vmio_run();
    uint32_t t1 = cpu_cycles32();
    *lat = nb_out_cyc - t0;
    *tot = t1 - t0;
    return nb_sent == sent + 1 ? 0 : -1;
}

static void nb_sort(uint32_t *v, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        uint32_t x = v[i];
        unsigned j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static void nb_run(const char *kind, unsigned len)
{
    char line[200];
    for (unsigned i = 0; i < NB_N; i++) {
        if (nb_one(len, &nb_lat[i], &nb_tot[i])) {
            snprintf(line, sizeof line, "net-bench kind=%s err=no-frame-out i=%u\r\n", kind, i);
            uart_puts(line);
            return;
        }
    }
    nb_sort(nb_lat, NB_N);
    nb_sort(nb_tot, NB_N);
    snprintf(line, sizeof line,
             "net-bench kind=%s n=%u min_cyc=%lu median_cyc=%lu max_cyc=%lu total_median_cyc=%lu\r\n",
             kind, NB_N, (unsigned long)nb_lat[0], (unsigned long)nb_lat[NB_N / 2],
             (unsigned long)nb_lat[NB_N - 1], (unsigned long)nb_tot[NB_N / 2]);
    uart_puts(line);
}

void kmain(void)
{
    uint32_t base = 0, mem = 0, cpu_hz = 0, uart_hz = 0;
    mbox_get_arm_memory(&base, &mem);
    mbox_get_clock_rate(MBOX_CLOCK_ARM, &cpu_hz);
    mbox_get_clock_rate(MBOX_CLOCK_UART, &uart_hz);
    mmu_init(mem);
    uart_init(uart_hz, UART_DEFAULT_BAUD);
    st_init();
    cpu_cycles_init(cpu_hz);

    vmio_init(VMIO_NODE_LOCAL);
    ntimer_svc_init(&nb_timers, 1);
    net_config_t cfg;
    net_config_default(&cfg);
    cfg.addr = (net_addr_t){NB_IP, NET_IPV4(255, 255, 255, 0), NB_PEER_IP};
    cfg.tx = nb_tx;
    net_init(&nb_net, NB_NET, &cfg, &nb_timers);
    udp_echo_init(&nb_echo, 3, &nb_net, 5555);
    vmio_event_t ev = {0};
    ev.dst = vmio_addr(VMIO_NODE_LOCAL, NB_NET, 0);
    ev.code = NET_EV_LINK;
    ev.arg = 1;
    for (unsigned i = 0; i < 6; i++)
        ev.inl[i] = nb_mac[i];
    ev.len = 6;
    vmio_deposit(0, &ev);
    vmio_run();
    nb_net.cfg.arp_reply_burst = 255;

    uint32_t l, t;
    nb_net.arp_tokens = 255;
    nb_one(nb_arp_frame(), &l, &t);         /* learn the peer (and warm up) */
    char line[120];
    snprintf(line, sizeof line, "net-bench cycles_src=%s cpu_hz=%lu\r\n", cpu_cycles_source(),
             (unsigned long)cpu_hz);
    uart_puts(line);
    nb_run("udp5", nb_udp_frame(5));
    nb_run("udp1472", nb_udp_frame(1472));
    nb_run("icmp56", nb_icmp_frame(56));
    for (unsigned i = 0; i < NB_N; i++) {   /* the reply budget is per sweep; no ticks here */
        nb_net.arp_tokens = 255;
        nb_one(nb_arp_frame(), &nb_lat[i], &nb_tot[i]);
    }
    nb_sort(nb_lat, NB_N);
    snprintf(line, sizeof line, "net-bench kind=arp n=%u min_cyc=%lu median_cyc=%lu max_cyc=%lu\r\n",
             NB_N, (unsigned long)nb_lat[0], (unsigned long)nb_lat[NB_N / 2],
             (unsigned long)nb_lat[NB_N - 1]);
    uart_puts(line);
    snprintf(line, sizeof line, "net-bench done outstanding=%u\r\n", vmio_buf_outstanding());
    uart_puts(line);
    uart_tx_drain(1000000);     /* bounded: the line is out before the exit */
    cpu_semihost_exit();
    for (;;)
        exc_wfi();
}
