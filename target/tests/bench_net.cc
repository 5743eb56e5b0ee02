// Host micro-benchmarks of the network stack (Google Benchmark; build target fw_bench_net,
// not a test). Built without sanitizers at -O2. Host wall-clock figures: for comparing
// revisions on one machine only; the firmware figure (simulated ARM1176 cycles per echo)
// comes from the simulator once the driver is wired.
//   BM_NetUdpEcho/N   one UDP echo of N payload bytes through the whole stack: the "driver"
//                     allocates an RX buffer and copies the frame in (what DMA would do),
//                     deposits it (VMIO_EV_DATA), vmio_run: net (Ethernet, IPv4 checks and
//                     checksum, UDP checksum, port lookup) -> udp_echo -> net (UDP checksum,
//                     IPv4 header, ARP lookup, Ethernet header) -> fake NIC send (frees).
//                     N = 5 is the paper's "Echo1".
//   BM_NetFrameCopyOnly/N  the driver-side part alone (alloc + copy + free), to subtract.
//   BM_NetArpReply    one ARP request for us answered in place.
//   BM_NetIcmpEcho/56 one ping (56 data bytes) answered in place.
#include <benchmark/benchmark.h>
#include <cstring>
extern "C" {
#include "io/net.h"
#include "io/ntimer.h"
#include "io/udp_echo.h"
#include "vmio/vmio.h"
}

namespace {

const uint8_t kMac[6] = {0x02, 0, 0, 0, 0, 0x01};
const uint8_t kPeer[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
const uint32_t kIp = NET_IPV4(10, 0, 2, 15), kPeerIp = NET_IPV4(10, 0, 2, 2);

net_t g_net;
ntimer_svc_t g_timers;
udp_echo_t g_echo;
unsigned g_sent;

int bench_tx(vmio_buf_t *f)
{
    g_sent++;
    benchmark::DoNotOptimize(f->data[f->len - 1]);
    vmio_buf_free(f);
    return 0;
}

uint16_t cks(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += uint32_t(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += uint32_t(p[n - 1] << 8);
    while (s >> 16)
        s = (s & 0xFFFF) + (s >> 16);
    return uint16_t(~s);
}

size_t udp_frame(uint8_t *f, size_t n, uint16_t dport)
{
    std::memcpy(f, kMac, 6);
    std::memcpy(f + 6, kPeer, 6);
    f[12] = 0x08; f[13] = 0x00;
    uint8_t *ip = f + 14, *u = ip + 20;
    size_t ul = 8 + n;
    std::memset(ip, 0, 20);
    ip[0] = 0x45; ip[2] = uint8_t((20 + ul) >> 8); ip[3] = uint8_t(20 + ul); ip[8] = 64; ip[9] = 17;
    net_wr32(ip + 12, kPeerIp);
    net_wr32(ip + 16, kIp);
    net_wr16(ip + 10, cks(ip, 20, 0));
    net_wr16(u, 40000); net_wr16(u + 2, dport); net_wr16(u + 4, uint16_t(ul)); net_wr16(u + 6, 0);
    for (size_t i = 0; i < n; i++)
        u[8 + i] = uint8_t("Echo1"[i % 5]);
    uint32_t ps = (kPeerIp >> 16) + (kPeerIp & 0xFFFF) + (kIp >> 16) + (kIp & 0xFFFF) + 17 + uint32_t(ul);
    net_wr16(u + 6, cks(u, ul, ps));
    size_t len = 14 + 20 + ul;
    while (len < 60)
        f[len++] = 0;
    return len;
}

void stack_up()
{
    vmio_init(1);
    ntimer_svc_init(&g_timers, 1);
    net_config_t cfg;
    net_config_default(&cfg);
    cfg.addr = net_addr_t{kIp, NET_IPV4(255, 255, 255, 0), kPeerIp};
    cfg.tx = bench_tx;
    net_init(&g_net, 2, &cfg, &g_timers);
    udp_echo_init(&g_echo, 3, &g_net, 5555);
    vmio_event_t ev{};
    ev.dst = vmio_addr(0, 2, 0);
    ev.code = NET_EV_LINK;
    ev.arg = 1;
    std::memcpy(ev.inl, kMac, 6);
    ev.len = 6;
    vmio_deposit(0, &ev);
    vmio_run();
}

void inject(const uint8_t *f, size_t n)
{
    vmio_buf_t *b = vmio_buf_alloc(n, NET_ETH_HEADROOM);
    std::memcpy(b->data, f, n);
    vmio_event_t ev{};
    ev.dst = vmio_addr(0, 2, 0);
    ev.code = VMIO_EV_DATA;
    ev.buf = b;
    vmio_deposit(0, &ev);
    vmio_run();
}

void learn_peer()
{
    uint8_t f[60] = {0};
    std::memcpy(f, kMac, 6);
    std::memcpy(f + 6, kPeer, 6);
    f[12] = 0x08; f[13] = 0x06;
    uint8_t *a = f + 14;
    a[1] = 1; a[2] = 0x08; a[4] = 6; a[5] = 4; a[7] = 1;
    std::memcpy(a + 8, kPeer, 6);
    net_wr32(a + 14, kPeerIp);
    net_wr32(a + 24, kIp);
    inject(f, 60);
}

void BM_NetUdpEcho(benchmark::State &state)
{
    stack_up();
    learn_peer();
    static uint8_t f[1600];
    size_t n = udp_frame(f, size_t(state.range(0)), 5555);
    unsigned before = g_sent;
    for (auto _ : state)
        inject(f, n);
    if (g_sent - before != state.iterations() || vmio_buf_outstanding() != 0)
        state.SkipWithError("echo did not come back");
    state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_NetUdpEcho)->Arg(5)->Arg(512)->Arg(1472);

void BM_NetFrameCopyOnly(benchmark::State &state)
{
    stack_up();
    static uint8_t f[1600];
    size_t n = udp_frame(f, size_t(state.range(0)), 5555);
    for (auto _ : state) {
        vmio_buf_t *b = vmio_buf_alloc(n, NET_ETH_HEADROOM);
        std::memcpy(b->data, f, n);
        benchmark::DoNotOptimize(b->data[n - 1]);
        vmio_buf_free(b);
    }
}
BENCHMARK(BM_NetFrameCopyOnly)->Arg(5)->Arg(1472);

void BM_NetArpReply(benchmark::State &state)
{
    stack_up();
    net_config_t c = g_net.cfg;
    (void)c;
    g_net.cfg.arp_reply_burst = 255;
    unsigned before = g_sent;
    for (auto _ : state) {
        g_net.arp_tokens = 255;     // no sweep ticks here: keep the reply budget open
        learn_peer();
    }
    if (g_sent - before != state.iterations())
        state.SkipWithError("no ARP reply");
}
BENCHMARK(BM_NetArpReply);

void BM_NetIcmpEcho(benchmark::State &state)
{
    stack_up();
    learn_peer();
    static uint8_t f[1600];
    size_t dl = size_t(state.range(0));
    std::memcpy(f, kMac, 6);
    std::memcpy(f + 6, kPeer, 6);
    f[12] = 0x08; f[13] = 0x00;
    uint8_t *ip = f + 14, *m = ip + 20;
    std::memset(ip, 0, 28);
    ip[0] = 0x45; ip[2] = uint8_t((28 + dl) >> 8); ip[3] = uint8_t(28 + dl); ip[8] = 64; ip[9] = 1;
    net_wr32(ip + 12, kPeerIp);
    net_wr32(ip + 16, kIp);
    net_wr16(ip + 10, cks(ip, 20, 0));
    m[0] = 8;
    for (size_t i = 0; i < dl; i++)
        m[8 + i] = uint8_t(i);
    net_wr16(m + 2, cks(m, 8 + dl, 0));
    unsigned before = g_sent;
    for (auto _ : state)
        inject(f, 14 + 28 + dl);
    if (g_sent - before != state.iterations())
        state.SkipWithError("no ICMP reply");
}
BENCHMARK(BM_NetIcmpEcho)->Arg(56);

}  // namespace

BENCHMARK_MAIN();
