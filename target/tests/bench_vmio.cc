// Host micro-benchmarks of the I/O container (Google Benchmark; build target fw_bench_vmio,
// not a test). Built without sanitizers at -O2. Host wall-clock figures: for comparing
// revisions on one machine only; firmware figures come from the simulator/board.
//   BM_VmioDispatch   internal events dispatched per second (post + run, one automaton)
//   BM_VmioDeposit    deposit-queue events (the interrupt path) dispatched per second
//   BM_VmioDepositToHandlerEnd  HOST wall time of one event's whole path: vmio_deposit (ISR
//                     side, with its response-time stamp) -> vmio_run -> dispatch -> handler
//                     end -> latency record; one event per iteration, queue empty between
//                     (no queueing delay). Arg 1: the same with an internal post (handler
//                     fan-out: deposit -> handler -> vmio_post -> handler), per event.
//   BM_Esp3Parse      ESP3 bytes parsed per second (reference RPS + 4BS frames, 16-byte chunks)
#include <benchmark/benchmark.h>
#include <cstring>
extern "C" {
#include "vmio/vmio.h"
#include "io/esp3.h"
}

namespace {

int bench_effect(vmio_automaton_t *, const vmio_event_t *) { return 0; }

const vmio_row_t bench_rows[1][VMIO_EV_USER + 1] = {
    {{nullptr, 0, 0, 0}, {nullptr, 0, 0, 0}, {nullptr, 0, 0, 0}, {nullptr, 0, 0, 0},
     {nullptr, 0, 0, 0}, {nullptr, 0, 0, 0}, {nullptr, 0, 0, 0}, {nullptr, 0, 0, 0},
     {bench_effect, VMIO_SAME, VMIO_T_VALID, 0}}};
const vmio_state_desc_t bench_states[1] = {{"only", nullptr, nullptr}};
const vmio_table_t bench_table = {"bench", 1, VMIO_EV_USER + 1, &bench_rows[0][0], nullptr,
                                  bench_states, nullptr};
vmio_automaton_t bench_aut;

void BM_VmioDispatch(benchmark::State &state)
{
    vmio_init(1);
    vmio_register(&bench_aut, 1, &bench_table, 0);
    vmio_event_t ev{};
    ev.dst = vmio_addr(0, 1, 0);
    ev.code = VMIO_EV_USER;
    const unsigned batch = 32;
    for (auto _ : state) {
        for (unsigned i = 0; i < batch; i++)
            vmio_post(&ev, 1);
        benchmark::DoNotOptimize(vmio_run());
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * batch);
}
BENCHMARK(BM_VmioDispatch);

void BM_VmioDeposit(benchmark::State &state)
{
    vmio_init(1);
    vmio_register(&bench_aut, 1, &bench_table, 0);
    vmio_event_t ev{};
    ev.dst = vmio_addr(0, 1, 0);
    ev.code = VMIO_EV_USER;
    const unsigned batch = 16;
    for (auto _ : state) {
        for (unsigned i = 0; i < batch; i++)
            vmio_deposit(0, &ev);
        benchmark::DoNotOptimize(vmio_run());
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * batch);
}
BENCHMARK(BM_VmioDeposit);

// Handler that fans out one internal event when the deposit carries arg 1.
int fan_effect(vmio_automaton_t *self, const vmio_event_t *ev)
{
    if (ev->arg)
        return vmio_send(self, vmio_addr(0, self->id, 0), VMIO_EV_USER, 0, 0, 0, nullptr, 1);
    return 0;
}
const vmio_row_t fan_rows[1][VMIO_EV_USER + 1] = {
    {{nullptr, 0, 0, 0}, {nullptr, 0, 0, 0}, {nullptr, 0, 0, 0}, {nullptr, 0, 0, 0},
     {nullptr, 0, 0, 0}, {nullptr, 0, 0, 0}, {nullptr, 0, 0, 0}, {nullptr, 0, 0, 0},
     {fan_effect, VMIO_SAME, VMIO_T_VALID, 0}}};
const vmio_table_t fan_table = {"bench_fan", 1, VMIO_EV_USER + 1, &fan_rows[0][0], nullptr,
                                bench_states, nullptr};

void BM_VmioDepositToHandlerEnd(benchmark::State &state)
{
    vmio_init(1);
    vmio_register(&bench_aut, 1, &fan_table, 0);
    vmio_event_t ev{};
    ev.dst = vmio_addr(0, 1, 0);
    ev.code = VMIO_EV_USER;
    ev.arg = uint32_t(state.range(0));
    const unsigned per_iter = state.range(0) ? 2u : 1u;
    for (auto _ : state) {
        vmio_deposit(2, &ev);
        benchmark::DoNotOptimize(vmio_run());
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * per_iter);
    vmio_latency_t l;
    vmio_latency_get(VMIO_LAT_ALL, &l);
    state.counters["recorded"] = double(l.count);   // every event went through the histogram
    state.SetLabel(state.range(0) ? "host wall time, deposit+post per item" : "host wall time per event");
}
BENCHMARK(BM_VmioDepositToHandlerEnd)->Arg(0)->Arg(1);

int sink_data(vmio_automaton_t *, const vmio_event_t *) { return 0; }
const vmio_row_t sink_rows[1][1] = {{{sink_data, VMIO_SAME, VMIO_T_VALID, 0}}};
const vmio_table_t sink_table = {"sink", 1, 1, &sink_rows[0][0], nullptr, bench_states, nullptr};
vmio_automaton_t sink_aut;
esp3_t esp3;

void BM_Esp3Parse(benchmark::State &state)
{
    static const uint8_t frames[] = {
        0x55, 0x00, 0x07, 0x07, 0x01, 0x7A, 0xF6, 0x50, 0x00, 0x29, 0x89, 0x79, 0x30, 0x03, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x61, 0x55, 0x00, 0x0A, 0x07, 0x01, 0xEB, 0xA5, 0x00, 0x00,
        0x55, 0x08, 0x01, 0x81, 0xB7, 0x44, 0x00, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x5C};
    vmio_init(1);
    esp3_config_t cfg{};
    cfg.out = vmio_addr(0, 2, 0);
    esp3_init(&esp3, 1, &cfg);
    vmio_register(&sink_aut, 2, &sink_table, 0);
    for (auto _ : state) {
        vmio_deposit_bytes(0, vmio_addr(0, 1, 0), VMIO_EV_RX, frames, sizeof frames);
        while (vmio_run())
            ;
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(sizeof frames));
    esp3_stats_t s;
    esp3_get_stats(&esp3, &s);
    state.counters["frames"] = double(s.frames);
    state.counters["errors"] = double(s.hdr_crc + s.data_crc + s.no_buf + s.sync_skipped);
}
BENCHMARK(BM_Esp3Parse);

}  // namespace

BENCHMARK_MAIN();
