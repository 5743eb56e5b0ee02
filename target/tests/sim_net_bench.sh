#!/usr/bin/env bash
# net_sim_bench: the network stack's per-echo service time on the simulated ARM1176.
#   usage: sim_net_bench.sh SIM NET_BENCH_IMG
# Runs net_bench.img (tests/arm_net_bench.c) on bcm2835-sim (pi1b, 700 MHz, TRM timing) and
# prints its figures: simulated CPU cycles from the driver's frame deposit to the driver's
# send call, for a 5-byte UDP echo, a 1472-byte UDP echo, a 56-byte ping and an ARP reply.
# Simulated cycles are deterministic, so the target is checked: a 5-byte echo within
# "a few thousand cycles" (<= 4000 here). Every frame must come out, no buffer may leak.
set -euo pipefail
SIM=$1 IMG=$2
for f in "$SIM" "$IMG"; do [ -f "$f" ] || { echo "FAIL: $f missing"; exit 1; }; done
out=$(mktemp); trap 'rm -f "$out"' EXIT
rc=0
timeout 120 "$SIM" --uart0 "file:$out" --max-cycles 20000000000 "$IMG" </dev/null || rc=$?
tr -d '\r' < "$out"
[ "$rc" -eq 0 ] || { echo "FAIL: simulator exit status $rc"; exit 1; }
fail=0
for k in udp5 udp1472 icmp56 arp; do
    grep -Eq "^net-bench kind=$k n=256 min_cyc=[0-9]+ median_cyc=[0-9]+ max_cyc=[0-9]+" "$out" \
        || { echo "FAIL: no figures for $k"; fail=1; }
done
grep -q "err=" "$out" && { echo "FAIL: a frame did not come out"; fail=1; }
grep -qx "net-bench done outstanding=0" <(tr -d '\r' < "$out") || { echo "FAIL: buffers leaked or no end line"; fail=1; }
med=$(tr -d '\r' < "$out" | sed -n 's/^net-bench kind=udp5 .* median_cyc=\([0-9]*\) .*/\1/p')
if [ -n "$med" ] && [ "$med" -gt 4000 ]; then echo "FAIL: udp5 median $med cycles > 4000"; fail=1; fi
[ "$fail" -eq 0 ] && echo "PASS: udp5 echo median ${med} cycles frame-in to frame-out"
exit $fail
