#!/usr/bin/env bash
# sk_sim_e2e: the serverkernel end to end on bcm2835-sim, serial transport over the
# simulator's PL011 on tcp (the console's line, frames beside text).
#   usage: sim_sk.sh SIM KERNEL_IMG SKCTL PAYLOAD_DIR KEYFILE [faulty|trusted|watchdog]
# Checks: discovery answer and periodic adverts with fresh nonces; info; attestation (mac ok,
# image match; wrong key -> exit 5); md5 payload digest against harness/md5chain.py, hello and
# echo output bytes; a tampered and a foreign-key payload refused (exit 4, their codes) and
# never run; the console still answers text commands between runs; counters at the end.
# Modes (each instead of the full run above, one boot each):
#   faulty   (sk_e2e_faulty_payloads) every faulty payload, shielded: loop -> budget-exceeded,
#            wild -> abort, undef -> undefined-instruction, stack overflow -> abort, hang
#            (IRQs masked: no effect in user mode) -> budget-exceeded; exit 3 each, the node
#            still serving after each (echo), counters run_faults=5 and no reset; a marker
#            written far into the arena by one run is gone at the next load (arena.skp).
#   trusted  (sk_e2e_trusted_vs_shielded) md5 N=1000 shielded then trusted (EXEC flag): same
#            digest, cycles of both printed side by side; the loop payload trusted still
#            ends by the budget (IRQs on).
#   watchdog (sk_sim_watchdog) the hang payload run trusted (privileged: it masks IRQs, the
#            budget timer cannot fire): no answer, the executive's PM watchdog resets the
#            board, the node serves again (counters from zero).
set -uo pipefail
SIM=$1 IMG=$2 SKCTL=$3 PDIR=$4 KEY=$5 MODE=${6:-}
here=$(cd "$(dirname "$0")" && pwd)
md5py=$here/../../harness/md5chain.py
work=$(mktemp -d)
simpid=
cleanup() { [ -n "$simpid" ] && kill "$simpid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
for f in "$SIM" "$IMG" "$SKCTL" "$PDIR/md5.skp" "$PDIR/hello.skp" "$KEY"; do
    [ -f "$f" ] || { echo "FAIL: $f missing"; exit 1; }
done

# the simulator listens on a free port (tries a few)
for try in 1 2 3 4 5; do
    port=$((20000 + (RANDOM % 20000)))
    timeout 900 "$SIM" --uart0 "tcp:$port" --uart1 null "$IMG" >"$work/sim.out" 2>"$work/sim.err" &
    simpid=$!
    for i in $(seq 1 50); do grep -q "listening on" "$work/sim.err" && break; sleep 0.1; done
    grep -q "listening on" "$work/sim.err" && break
    kill "$simpid" 2>/dev/null; wait "$simpid" 2>/dev/null; simpid=
done
[ -n "$simpid" ] || { echo "FAIL: simulator did not listen"; cat "$work/sim.err"; exit 1; }
S="--serial tcp:127.0.0.1:$port"
sk() { timeout 120 "$SKCTL" $S "$@"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2" | head -1; }

# console text on the same line (bash /dev/tcp): a command and its reply, frames ignored
console() {  # $1 command, $2 reply pattern
    exec 3<>"/dev/tcp/127.0.0.1/$port" || { bad "console connect"; return; }
    printf '%s\r' "$1" >&3
    local got
    got=$(timeout 20 tr -d '\000' <&3 | tr '\r' '\n' | grep -m1 -E "$2" || true)
    exec 3>&-
    [ -n "$got" ] && echo "ok: console '$1' -> $got" || bad "console '$1': no reply matching $2"
}

runs=0
run_check() {  # $1 payload, $2 expected out hex, rest: args
    local p=$1 want=$2; shift 2
    local o rc
    o=$(sk run any "$PDIR/$p.skp" "$@"); rc=$?
    echo "$o"
    runs=$((runs + 1))
    [ $rc -eq 0 ] && [ "$(field run "$o")" = ok ] && [ "$(field out "$o")" = "$want" ] && [ "$(field cycles "$o")" -gt 0 ] \
        && echo "ok: $p" || bad "$p rc=$rc out=$(field out "$o") want=$want"
}
if [ "$MODE" = faulty ]; then
    echo "== faulty payloads, shielded: each answered with its error, the node still serving"
    fault_check() {  # $1 payload, $2 expected run status
        local o rc
        o=$(timeout 120 "$SKCTL" $S --budget 200000 --run-timeout 30000 run any "$PDIR/$1.skp" 2>&1); rc=$?
        echo "$o"
        runs=$((runs + 1))
        [ $rc -eq 3 ] && [ "$(field run "$o")" = "$2" ] && echo "ok: $1 -> $2 (exit 3)" || bad "$1: rc=$rc, want run=$2"
        run_check echo "$(printf 'after %s' "$1" | od -An -tx1 | tr -d ' \n')" after "$1"
    }
    fault_check loop budget-exceeded
    fault_check wild abort
    fault_check undef undefined-instruction
    fault_check stack abort
    fault_check hang budget-exceeded
    run_check md5 "$(python3 "$md5py" 1000 "hello world")" 1000 hello world
    echo "== no leftovers between runs: a marker written far into the arena is gone at the next load"
    o=$(sk run any "$PDIR/arena.skp" write); rc=$?
    runs=$((runs + 1))
    [ $rc -eq 0 ] && [ "$(field retval "$o")" = 1515890085 ] && echo "ok: marker written" || bad "arena write rc=$rc: $o"
    o=$(sk run any "$PDIR/arena.skp" read); rc=$?
    runs=$((runs + 1))
    [ $rc -eq 0 ] && [ "$(field retval "$o")" = 0 ] && echo "ok: arena cleared before the next load" || bad "arena read rc=$rc: $o"
    out=$(sk info any) || bad "info exit $?"
    echo "$out"
    # no reset happened (the counters kept counting) and every fault was counted
    [ "$(field runs "$out")" = "$runs" ] && [ "$(field run_faults "$out")" = 5 ] \
        && echo "ok: counters runs=$runs run_faults=5 (no reset)" || bad "counters: $out"
elif [ "$MODE" = trusted ]; then
    echo "== md5 N=1000 shielded vs trusted"
    want=$(python3 "$md5py" 1000 "hello world")
    o1=$(sk run any "$PDIR/md5.skp" 1000 hello world); rc1=$?
    o2=$(sk --trusted run any "$PDIR/md5.skp" 1000 hello world); rc2=$?
    echo "$o1"; echo "$o2"
    [ $rc1 -eq 0 ] && [ "$(field out "$o1")" = "$want" ] && echo "ok: shielded digest" || bad "shielded md5 rc=$rc1"
    [ $rc2 -eq 0 ] && [ "$(field out "$o2")" = "$want" ] && echo "ok: trusted digest" || bad "trusted md5 rc=$rc2"
    echo "figure: md5 N=1000 cycles shielded=$(field cycles "$o1") trusted=$(field cycles "$o2")" \
         "us shielded=$(field us "$o1") trusted=$(field us "$o2")"
    o=$(timeout 120 "$SKCTL" $S --trusted --budget 200000 --run-timeout 30000 run any "$PDIR/loop.skp" 2>&1); rc=$?
    echo "$o"
    [ $rc -eq 3 ] && [ "$(field run "$o")" = budget-exceeded ] && echo "ok: trusted loop ended by the budget" \
        || bad "trusted loop rc=$rc"
    run_check hello "$(printf 'hello from a payload (abi 1, run 1)\n' | od -An -tx1 | tr -d ' \n')"
elif [ "$MODE" = watchdog ]; then
    echo "== hung kernel: the hang payload run trusted (IRQs masked), recovered by the watchdog"
    run_check echo "$(printf 'before' | od -An -tx1 | tr -d ' \n')" before
    o=$(timeout 120 "$SKCTL" $S --trusted --budget 100000 --run-timeout 15000 run any "$PDIR/hang.skp" 2>&1); rc=$?
    echo "$o"
    [ $rc -eq 1 ] || bad "hang: expected no answer (rc=1), rc=$rc"
    # watchdog: budget 0.1 s + 0.5 s margin of simulated time, then the board boots again: ask
    # until it answers (bounded)
    out=
    for i in $(seq 1 40); do
        out=$(timeout 60 "$SKCTL" $S --timeout 2000 info any 2>/dev/null) && break
        out=
    done
    [ -n "$out" ] || bad "no info answer after the watchdog"
    echo "$out"
    [ "$(field runs "$out")" = 0 ] && echo "ok: watchdog reset the board, node serves again" || bad "node after the hang: $out"
    runs=0
    run_check md5 "$(python3 "$md5py" 1000 "hello world")" 1000 hello world
else
echo "== idle adverts from the console (sk adverts on), before any client frame"
# the first command may arrive while the firmware still boots: ask again (bounded)
got=
for i in 1 2 3 4 5 6; do
    exec 3<>"/dev/tcp/127.0.0.1/$port" || break
    printf 'sk\r' >&3
    timeout 3 cat <&3 >"$work/con.out"  # cat passes bytes on at once (tr would buffer them)
    got=$(tr -d '\000' <"$work/con.out" | tr '\r' '\n' | grep -m1 -E '^sk state=' || true)
    exec 3>&-
    [ -n "$got" ] && break
done
[[ "$got" == "sk state=idle adverts=off runs=0"* ]] && echo "ok: console 'sk' -> $got" || bad "console 'sk': '$got'"
# no client yet (adverts off): a stray 0x00 from a text user opens a frame; the gap timeout (200 ms) gives the line back to
# the console (counted as a bad frame)
exec 3<>"/dev/tcp/127.0.0.1/$port" || bad "console connect"
printf '\000' >&3
sleep 1
printf 'sk\r' >&3
timeout 3 cat <&3 >"$work/con.out"
exec 3>&-
got=$(tr -d '\000' <"$work/con.out" | tr '\r' '\n' | grep -m1 -E '^sk state=' || true)
[[ "$got" == *"adverts=off"*" frames_bad=1"* ]] && echo "ok: stray 0x00 dropped after the gap, console answers: $got" \
    || bad "stray 0x00: '$got'"
exec 3<>"/dev/tcp/127.0.0.1/$port" || bad "console connect"
printf 'sk adverts on\r' >&3
# frame delimiters (0x00) arrive without the client sending anything: >= 2 frames
nz=$(timeout 5 head -c 4000 <&3 | tr -cd '\000' | wc -c)
exec 3>&-
[ "$nz" -ge 4 ] && echo "ok: idle adverts after 'sk adverts on' ($nz frame delimiters)" \
    || bad "no adverts after 'sk adverts on' ($nz delimiters)"
console "sk" "^sk state=idle adverts=on"

echo "== discovery"
out=$(sk discover --listen 1) || bad "discover exit $?"
echo "$out" | head -2
node=$(grep '^node ' <<<"$out" || true)
[ -n "$node" ] && [ "$(field abi "$node")" = 1 ] && [ "$(field fmt "$node")" = 1 ] && [ "$(field auth "$node")" = 1 ] \
    && echo "ok: advert answer" || bad "no advert answer: $out"
nadv=$(grep -c '^advert ' <<<"$out" || true)
nnonce=$(grep '^advert ' <<<"$out" | sed 's/.*nonce=//' | sort -u | wc -l)
[ "$nadv" -ge 2 ] && [ "$nnonce" -eq "$nadv" ] && echo "ok: $nadv periodic adverts, all nonces fresh" \
    || bad "periodic adverts: $nadv seen, $nnonce distinct nonces"
shielded=$(field shielded "$node")
[ "$shielded" = 1 ] && echo "ok: advert says shielded=1" || bad "advert shielded=$shielded"

echo "== info, attestation"
out=$(sk info any) || bad "info exit $?"
echo "$out"
[ "$(field runs "$out")" = 0 ] || bad "info runs"
out=$(sk --key "$KEY" attest any --image "$IMG"); rc=$?
echo "$out"
[ $rc -eq 0 ] && grep -q 'mac=ok image=match' <<<"$out" && echo "ok: attestation" || bad "attest rc=$rc"
printf '%064d\n' 7 > "$work/wrong.key"
out=$(sk --key "$work/wrong.key" attest any); rc=$?
[ $rc -eq 5 ] && grep -q 'mac=BAD' <<<"$out" && echo "ok: wrong key fails attestation" || bad "wrong-key attest rc=$rc $out"

echo "== payloads"
run_check md5 "$(python3 "$md5py" 1000 "hello world")" 1000 hello world
run_check md5 "$(python3 "$md5py" 1 "")" 1
run_check hello "$(printf 'hello from a payload (abi 1, run 1)\n' | od -An -tx1 | tr -d ' \n')"
run_check echo "$(printf 'abc  def' | od -An -tx1 | tr -d ' \n')" abc "" def
console "md5 10 hello world" "^md5 n=10 digest=$(python3 "$md5py" 10 "hello world")"
run_check md5 "$(python3 "$md5py" 20000 "The quick brown fox")" 20000 The quick brown fox

echo "== a lost chunk is retransmitted"
o=$(sk --test-drop 3 --chunk 256 run any "$PDIR/md5.skp" 500 lost chunk 2>&1); rc=$?
echo "$o"
runs=$((runs + 1))
[ $rc -eq 0 ] && [ "$(field out "$o")" = "$(python3 "$md5py" 500 "lost chunk")" ] && [ "$(field retransmits "$o")" -ge 1 ] \
    && echo "ok: retransmission ($(field retransmits "$o") chunks resent)" || bad "lost chunk rc=$rc"

echo "== refused payloads"
cp "$PDIR/hello.skp" "$work/tampered.skp"
printf '\x55' | dd of="$work/tampered.skp" bs=1 seek=150 conv=notrunc status=none
o=$(sk run any "$work/tampered.skp" 2>&1); rc=$?
echo "$o"
[ $rc -eq 4 ] && grep -q 'code=-47' <<<"$o" && echo "ok: tampered body refused (payload-bad-hash)" || bad "tampered rc=$rc"
# a payload re-sealed with another key: hash right, tag wrong
python3 - "$PDIR/hello.skp" "$work/foreign.skp" <<'PY'
import hashlib, hmac, sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[80:112] = hmac.new(b'\x07' * 32, bytes(b[:80]) + b'\0' * 32 + bytes(b[112:]), hashlib.sha256).digest()
open(sys.argv[2], 'wb').write(b)
PY
o=$(sk run any "$work/foreign.skp" 2>&1); rc=$?
echo "$o"
[ $rc -eq 4 ] && grep -q 'code=-48' <<<"$o" && echo "ok: foreign key refused (payload-bad-tag)" || bad "foreign rc=$rc"
run_check echo "$(printf 'still serving' | od -An -tx1 | tr -d ' \n')" still serving

out=$(sk info any) || bad "info exit $?"
echo "$out"
[ "$(field runs "$out")" = "$runs" ] && [ "$(field loads_rejected "$out")" = 2 ] && [ "$(field run_faults "$out")" = 0 ] \
    && [ "$(field frames_bad "$out")" = 1 ] && echo "ok: counters runs=$runs loads_rejected=2 frames_bad=1" || bad "counters: $out"

fi

[ $fail -eq 0 ] && echo "PASS" || echo "FAILED"
exit $fail
