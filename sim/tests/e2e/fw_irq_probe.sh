#!/usr/bin/env bash
# VMIT entry latency on the simulator (bcm2835-sim --irq-probe): the firmware (kernel.elf,
# for its symbols) receives EnOcean telegrams from the modem model on the mini UART while
# the application runs MD5; probes on the AUX source (29) at the IRQ vector's target
# (vmit_irq_entry) and at the mini UART handler (eno_isr). Prints the figures, checks the
# stats/JSON/CSV agree and that two runs give identical samples; CLI errors exit 2.
# usage: fw_irq_probe.sh SIM KERNEL_ELF
set -euo pipefail
SIM=$1 ELF=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
printf 'baud 57600\nburst 20 rps id=00298979 data=50\ngap 2000\nburst 20 4bs id=01000000 data=01020304\n' > "$work/m.scr"
printf 'eno start 57600\nmd5 200000 abc\neno stats\nhalt\n' > "$work/in"
run() {  # $1 = tag
    local rc=0
    timeout 300 "$SIM" --uart0 "file:$work/out.$1" --uart0-in "$work/in" --uart1-modem "$work/m.scr" \
        --irq-probe 29=vmit_irq_entry --irq-probe 29=eno_isr --irq-probe-csv "$work/s.$1.csv" \
        --max-cycles 20000000000 --stats --stats-json "$work/s.$1.json" "$ELF" </dev/null 2> "$work/err.$1" || rc=$?
    if [ "$rc" -ne 0 ]; then echo "FAIL: exit $rc"; cat "$work/err.$1"; exit 1; fi
}
run a; run b
grep '^irq-probe ' "$work/err.a"
cmp "$work/s.a.csv" "$work/s.b.csv" || { echo "FAIL: samples differ between two identical runs"; exit 1; }
python3 - "$work/s.a.json" "$work/s.a.csv" <<'PY'
import csv, json, sys
d = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
probes = d["irq_probes"]
assert [p["symbol"] for p in probes] == ["vmit_irq_entry", "eno_isr"], probes
rx = d["devices"]["uart1"]["rx_bytes"]
for p in probes:
    assert p["src"] == 29
    assert 0 < p["hits"] <= rx, (p, rx)
    assert p["min"] <= p["median"] <= p["p99"] <= p["max"], p
    n = sum(1 for r in rows if int(r["addr"], 16) == p["addr"])
    assert n == p["hits"] - p["dropped"], (n, p)
    print("%-15s hits=%d median=%d p99=%d max=%d cycles (%.3f / %.3f / %.3f us at %d MHz)" %
          (p["symbol"], p["hits"], p["median"], p["p99"], p["max"], p["median_us"], p["p99_us"], p["max_us"],
           d["cpu_hz"] // 1000000))
a, b = probes
assert b["median"] > a["median"], "the handler is entered after the VMIT entry"
PY
bad() {  # expected exit 2 and an stderr pattern
    local pat=$1; shift; local rc=0
    "$SIM" "$@" > /dev/null 2> "$work/err" || rc=$?
    [ "$rc" -eq 2 ] && grep -q -- "$pat" "$work/err" || { echo "FAIL: $* -> exit $rc"; cat "$work/err"; exit 1; }
}
bad "bad --irq-probe source" --irq-probe 72=0x8000 "$ELF"
bad "bad --irq-probe" --irq-probe 29 "$ELF"
bad "no such symbol" --irq-probe 29=no_such_symbol_xyz "$ELF"
bad "no such symbol" --irq-probe 29=eno_isr "${ELF%.elf}.img"  # raw image: no symbols
echo "ok"
