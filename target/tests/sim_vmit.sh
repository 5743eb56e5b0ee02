#!/usr/bin/env bash
# fw_sim_vmit: VMIT + VMIO end to end on bcm2835-sim.
#   usage: sim_vmit.sh SIM KERNEL_IMG TEST_KERNEL_IMG
# 1. Default image: "storm 50000" (ST C3, lowest level) under a long md5 while console input
#    keeps arriving (PL011, higher level): the console source must show nested > 0 and
#    max_depth >= 2, the digest must be right, every line whole (no mid-line interleave).
# 2. Test image (SK_FW_TEST_CMDS): "selftest vmit" proves preemption order, masking of equal
#    and lower levels and one stack per level; "selftest esp3" runs the VMIO wiring
#    (deposit -> esp3 -> app) and must print the eno line with a trailing cyc= field;
#    eno start/stats/stop formats; "vmio" then reports the VMIO response time of those events
#    (n > 0, 0 < median <= p99 <= max, us consistent with 700 MHz), "vmio reset" empties it.
set -euo pipefail
SIM=$1 IMG=$2 TIMG=$3
here=$(cd "$(dirname "$0")" && pwd)
md5py=$here/../../harness/md5chain.py  # the one host reference (moved in 1440787)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for f in "$SIM" "$IMG" "$TIMG"; do [ -f "$f" ] || { echo "FAIL: $f missing"; exit 1; }; done
fail=0
bad() { echo "FAIL: $*"; fail=1; }

run() {  # $1 image, $2 input file, $3 output file
    local rc=0
    timeout 600 "$SIM" --uart0 "file:$3" --uart0-in "$2" --uart1 null --max-cycles 40000000000 "$1" </dev/null || rc=$?
    tr -d '\r' < "$3" > "$3.clean"
    cat "$3.clean"
    [ "$rc" -eq 0 ] || bad "simulator exit status $rc"
}

# Known line shapes: the prompt/echo lines, replies, asynchronous VMIO lines.
check_lines() {  # $1 output, $2 input: echo lines (input text alone on a line, after an
                 # asynchronous VMIO line closed the prompt's partial line) are allowed
    local n
    pat='^(> .*|> ?|rpi-serverkernel .*|md5-start|md5-end|md5 n=[0-9]+ digest=[0-9a-f]{32} cycles=[0-9]+ us=[0-9]+|storm hz=[0-9]+|vmit src=[0-9]+ prio=[0-3] taken=[0-9]+ nested=[0-9]+ max_depth=[0-9]+ overruns=[0-9]+|vmit-total spurious=[0-9]+ vmio_runs=[0-9]+ max_depth=[0-9]+|eno seq=[0-9]+ type=.* cyc=[0-9]+|eno started baud=[0-9]+ port=uart[01]|err busy uart0 carries the console \(boot with sk.console=uart1\)|eno stopped|eno-stats telegrams=[0-9]+ bytes=[0-9]+ overruns=[0-9]+ rx_dropped=[0-9]+ crc_hdr=[0-9]+ crc_data=[0-9]+ sync_skipped=[0-9]+ oversize=[0-9]+ no_buf=[0-9]+ reports_dropped=[0-9]+ rx_errors=[0-9]+|vmio-latency n=[0-9]+ median_cyc=[0-9]+ p99_cyc=[0-9]+ max_cyc=[0-9]+ median_us=[0-9]+\.[0-9]{2} p99_us=[0-9]+\.[0-9]{2} max_us=[0-9]+\.[0-9]{2}|vmio-latency reset|baud [0-9]+|selftest .*|info .*|halt|)$'
    n=$(grep -Ev "$pat" "$1" | grep -Fvxc -f "$2" || true)
    [ "$n" -eq 0 ] || { bad "$n unexpected (interleaved?) lines in $1"; grep -Ev "$pat" "$1" | grep -Fvx -f "$2" | head; }
}

echo "== run 1: storm + md5 + console traffic (default image)"
long=$(printf 'x%.0s' $(seq 1 400))
{ echo "storm 50000"; echo "md5 200000 hello world"; for i in $(seq 1 4); do echo "md5 1 $long"; done
  echo vmit; echo "storm 0"; echo halt; } > "$work/in1"
run "$IMG" "$work/in1" "$work/out1"
o=$work/out1.clean
want=$(python3 "$md5py" 200000 "hello world")
got=$(grep -o '^md5 n=200000 digest=[0-9a-f]*' "$o" | sed 's/.*digest=//' || true)
[ "$got" = "$want" ] && echo "ok: digest under storm" || bad "md5 digest '$got' want '$want'"
grep -q '^storm hz=50000$' "$o" || bad "no storm reply"
storm_taken=$(sed -n 's/^vmit src=3 prio=0 taken=\([0-9]*\) .*/\1/p' "$o" | tail -1)
[ "${storm_taken:-0}" -gt 1000 ] && echo "ok: storm taken=$storm_taken" || bad "storm source taken=${storm_taken:-none}"
nested=$(awk '/^vmit src=/ { for (i = 1; i <= NF; i++) if ($i ~ /^nested=/) { split($i, a, "="); s += a[2] } } END { print s + 0 }' "$o")
depth=$(sed -n 's/^vmit-total .* max_depth=\([0-9]*\)$/\1/p' "$o" | tail -1)
[ "$nested" -gt 0 ] && echo "ok: nested=$nested" || bad "no nested interrupt under the storm"
[ "${depth:-0}" -ge 2 ] && echo "ok: max_depth=$depth" || bad "max_depth=${depth:-none} < 2"
grep -q '^vmit src=57 prio=2 ' "$o" || bad "console source not at level 2"
check_lines "$o" "$work/in1"

echo "== run 2: self tests (test image)"
printf 'selftest vmit\nselftest esp3\nstorm 50000\nselftest vmit\nstorm 0\nmd5 1000 hello world\neno start\neno start 57600 uart0\neno start 115200 uart1\neno stats\neno stop\nvmit\nvmio\nvmio reset\nvmio\nhalt\n' > "$work/in2"
run "$TIMG" "$work/in2" "$work/out2"
o=$work/out2.clean
[ "$(grep -c '^selftest vmit .* ok=1$' "$o")" -eq 2 ] && echo "ok: selftest vmit x2" || bad "selftest vmit"
grep -Eq '^eno seq=1 type=erp1 rorg=f6 data=50 id=00298979 status=30 sub=3 dst=ffffffff dbm=-255 sec=0 cyc=[0-9]+$' "$o" \
    && echo "ok: esp3 -> app line with cyc" || bad "no eno line from selftest esp3"
grep -q '^eno started baud=57600 port=uart1$' "$o" && grep -q '^eno started baud=115200 port=uart1$' "$o" || bad "eno start replies"
# the PL011 carries the console in this boot (no sk.console=uart1): refused, nothing changed
grep -q '^err busy uart0 carries the console (boot with sk.console=uart1)$' "$o" || bad "eno start uart0 not refused"
grep -Eq '^eno-stats telegrams=1 bytes=0 overruns=0 rx_dropped=0 crc_hdr=0 crc_data=0 sync_skipped=0 oversize=0 no_buf=0 reports_dropped=0 rx_errors=0$' "$o" || bad "eno-stats"
grep -q '^eno stopped$' "$o" || bad "eno stop"
grep -q "^md5 n=1000 digest=$(python3 "$md5py" 1000 "hello world") " "$o" || bad "md5 1000"
grep -q '^vmit src=29 prio=3 ' "$o" || bad "mini UART not at the highest level"
vl=$(grep '^vmio-latency n=' "$o" | head -1 || true)
if [ -z "$vl" ]; then bad "no vmio-latency line"; else
    read -r n med p99 mx med_us <<<"$(sed -E 's/.* n=([0-9]+) median_cyc=([0-9]+) p99_cyc=([0-9]+) max_cyc=([0-9]+) median_us=([0-9.]+) .*/\1 \2 \3 \4 \5/' <<<"$vl")"
    # selftest esp3: 2 RX chunks deposited at the application level + 1 frame esp3 -> app
    if [ "$n" -ge 3 ] && [ "$med" -gt 0 ] && [ "$p99" -ge "$med" ] && [ "$mx" -ge "$p99" ] && [ "$mx" -lt 700000000 ] &&
       [ "$(awk -v c="$med" 'BEGIN { printf "%.2f", int(c * 100 / 700) / 100 }')" = "$med_us" ]; then
        echo "ok: $vl"
    else bad "vmio-latency not sane: $vl"; fi
fi
[ "$(grep -A2 '^vmio-latency reset$' "$o" | grep -c '^vmio-latency n=0 median_cyc=0 p99_cyc=0 max_cyc=0 ')" -eq 1 ] \
    && echo "ok: vmio reset" || bad "vmio reset"
check_lines "$o" "$work/in2"
[ $fail -eq 0 ] && echo PASS
exit $fail
