#!/usr/bin/env bash
# End-to-end: boot kernel.img on bcm2835-sim, run the console's md5 command, check each
# digest against a host computation, and check that a second identical run gives
# identical cycle counts (firmware-reported and simulator totals).
# usage: fw_md5.sh SIM KERNEL BOARD
set -euo pipefail
SIM=$1 KERNEL=$2 BOARD=${3:-pi1b}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cases=("1 abc" "1000 hello world" "20000 The quick brown fox jumps over the lazy dog")
{ echo info; for c in "${cases[@]}"; do echo "md5 $c"; done; echo halt; } > "$work/in"

run() {  # $1 = tag
    local rc=0
    timeout 300 "$SIM" --board "$BOARD" --uart0 "file:$work/out.$1" --uart0-in "$work/in" \
        --max-cycles 20000000000 --stats-json "$work/stats.$1.json" "$KERNEL" </dev/null || rc=$?
    if [ "$rc" -ne 0 ]; then echo "FAIL: simulator exit status $rc (run $1)"; cat "$work/out.$1" 2>/dev/null; exit 1; fi
}
run a; run b
out=$work/out.a
tr -d '\r' < "$out" > "$work/clean.a"; tr -d '\r' < "$work/out.b" > "$work/clean.b"
cat "$work/clean.a"
grep -q "^rpi-serverkernel .*board=$BOARD" "$work/clean.a" || { echo "FAIL: no banner for $BOARD"; exit 1; }
grep -q '^info ' "$work/clean.a" || { echo "FAIL: no info line"; exit 1; }
fail=0
for c in "${cases[@]}"; do
    n=${c%% *}; text=${c#* }
    want=$(python3 "$here/../../../harness/md5chain.py" "$n" "$text")
    got=$(grep -o "^md5 n=$n digest=[0-9a-f]*" "$work/clean.a" | head -1 | sed 's/.*digest=//')
    if [ "$got" != "$want" ]; then echo "FAIL: md5 $n '$text': got '$got' want '$want'"; fail=1
    else echo "ok: md5 n=$n digest=$got"; fi
done
grep -q '^md5-start$' "$work/clean.a" && grep -q '^md5-end$' "$work/clean.a" || { echo "FAIL: markers"; fail=1; }
grep -q '^halt' "$work/clean.a" || { echo "FAIL: no halt reply"; fail=1; }
# determinism: the same inputs give the same transcript (cycles=, us=) and the same totals
if ! diff <(grep '^md5 n=' "$work/clean.a") <(grep '^md5 n=' "$work/clean.b"); then
    echo "FAIL: md5 lines differ between two identical runs"; fail=1
fi
ca=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["cycles"], d["instructions"])' "$work/stats.a.json")
cb=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["cycles"], d["instructions"])' "$work/stats.b.json")
[ "$ca" = "$cb" ] || { echo "FAIL: totals differ: $ca vs $cb"; fail=1; }
echo "totals (cycles instructions): $ca"
exit $fail
