#!/usr/bin/env bash
# sk_qemu_e2e: the serverkernel on QEMU raspi0, serial transport over QEMU's PL011 on tcp.
#   usage: qemu_sk.sh KERNEL_IMG SKCTL PAYLOAD_DIR KEYFILE      (env QEMU overrides the binary)
# discovery, attestation against the image, md5 digest (harness/md5chain.py), hello and echo
# output, a tampered payload refused, counters. QEMU is killed on exit.
set -uo pipefail
IMG=$1 SKCTL=$2 PDIR=$3 KEY=$4
QEMU=${QEMU:-qemu-system-arm}
here=$(cd "$(dirname "$0")" && pwd)
md5py=$here/../../harness/md5chain.py
work=$(mktemp -d)
qpid=
cleanup() { [ -n "$qpid" ] && kill "$qpid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
command -v "$QEMU" >/dev/null || { echo "FAIL: $QEMU not installed"; exit 1; }
for f in "$IMG" "$SKCTL" "$PDIR/md5.skp" "$KEY"; do [ -f "$f" ] || { echo "FAIL: $f missing"; exit 1; }; done

for try in 1 2 3 4 5; do
    port=$((20000 + (RANDOM % 20000)))
    timeout 300 "$QEMU" -M raspi0 -bios "$IMG" -display none -monitor none -semihosting \
        -serial "tcp:127.0.0.1:$port,server=on,wait=off" >"$work/qemu.out" 2>&1 &
    qpid=$!
    for i in $(seq 1 50); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        kill -0 "$qpid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$qpid" 2>/dev/null && break
    wait "$qpid" 2>/dev/null; qpid=
done
[ -n "$qpid" ] || { echo "FAIL: QEMU did not start"; cat "$work/qemu.out"; exit 1; }
sleep 1 # the firmware's bring-up before the console listens
S="--serial tcp:127.0.0.1:$port"
sk() { timeout 120 "$SKCTL" $S --timeout 5000 "$@"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2" | head -1; }

out=$(sk discover --listen 2) || bad "discover exit $?"
echo "$out" | head -2
grep -q "^node .* abi=1 .*shielded=1 " <<<"$out" && echo "ok: advert answer (shielded=1)" || bad "no advert / not shielded"
n=$(grep -c '^advert ' <<<"$out" || true)
[ "$n" -ge 1 ] && echo "ok: $n periodic adverts in 2 s" || bad "no periodic advert"
out=$(sk --key "$KEY" attest any --image "$IMG"); rc=$?
echo "$out"
[ $rc -eq 0 ] && grep -q 'mac=ok image=match' <<<"$out" && echo "ok: attestation" || bad "attest rc=$rc"
runs=0
run_check() {
    local p=$1 want=$2; shift 2
    local o rc
    o=$(sk run any "$PDIR/$p.skp" "$@"); rc=$?
    echo "$o"
    runs=$((runs + 1))
    [ $rc -eq 0 ] && [ "$(field out "$o")" = "$want" ] && echo "ok: $p" || bad "$p rc=$rc"
}
run_check md5 "$(python3 "$md5py" 1000 "hello world")" 1000 hello world
run_check md5 "$(python3 "$md5py" 100000 "hello world")" 100000 hello world
run_check hello "$(printf 'hello from a payload (abi 1, run 1)\n' | od -An -tx1 | tr -d ' \n')"
run_check echo "$(printf 'abc def' | od -An -tx1 | tr -d ' \n')" abc def
# the shielded sandbox on QEMU: md5 trusted (EXEC flag) gives the same digest; each faulty
# payload answered with its error code (exit 3) and the node still serving
o=$(sk --trusted run any "$PDIR/md5.skp" 1000 hello world); rc=$?
echo "$o"
runs=$((runs + 1))
[ $rc -eq 0 ] && [ "$(field out "$o")" = "$(python3 "$md5py" 1000 "hello world")" ] && echo "ok: md5 trusted" || bad "md5 trusted rc=$rc"
faults=0
for pair in loop:budget-exceeded wild:abort undef:undefined-instruction stack:abort; do
    p=${pair%%:*} want=${pair#*:}
    o=$(sk --budget 300000 run any "$PDIR/$p.skp" 2>&1); rc=$?
    echo "$o"
    runs=$((runs + 1)) faults=$((faults + 1))
    [ $rc -eq 3 ] && [ "$(field run "$o")" = "$want" ] && echo "ok: $p -> $want" || bad "$p rc=$rc, want $want"
done
run_check echo "$(printf 'still serving' | od -An -tx1 | tr -d ' \n')" still serving
cp "$PDIR/md5.skp" "$work/t.skp"
printf '\x01' | dd of="$work/t.skp" bs=1 seek=200 conv=notrunc status=none
o=$(sk run any "$work/t.skp" 1 x 2>&1); rc=$?
[ $rc -eq 4 ] && grep -q 'code=-47' <<<"$o" && echo "ok: tampered payload refused" || bad "tampered rc=$rc: $o"
out=$(sk info any) || bad "info exit $?"
echo "$out"
[ "$(field runs "$out")" = "$runs" ] && [ "$(field loads_rejected "$out")" = 1 ] && [ "$(field run_faults "$out")" = "$faults" ] \
    && echo "ok: counters runs=$runs run_faults=$faults" || bad "counters"
[ $fail -eq 0 ] && echo "PASS" || echo "FAILED"
exit $fail
