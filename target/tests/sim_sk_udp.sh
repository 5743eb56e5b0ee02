#!/usr/bin/env bash
# sk_sim_udp_e2e: the serverkernel's UDP transport (docs/protocol.md §3 "UDP") end to end on
# the simulator: kernel-net.img on pi1b (LAN9512, network up at boot), the Ethernet wire on
# libslirp with hostfwd udp 127.0.0.1:P -> 10.0.2.15:7700, skctl --udp 127.0.0.1:P.
# Checks: discover (direct DISCOVER answered unicast), info, attestation (mac ok, image
# match), md5 N=1000 (digest against harness/md5chain.py; figure: cycles and client time),
# an upload with a chunk left out of the first round (retransmitted), faulty payloads answered
# with their error (wild -> abort exit 3; a tampered file -> payload-bad-hash exit 4) with the
# node still serving after each, a datagram with a bad CRC and one that is not a request
# (counted by "sk udp ...", never answered). Broadcast adverts: slirp does not hand broadcasts
# to host sockets, so they are checked in the simulator's pcap (--eth-pcap): at least two
# datagrams 10.0.2.15:7700 -> 255.255.255.255:7700 (Ethernet broadcast), each an ADVERT
# (type 0x02, tid 0) with a valid CRC-32.
# sk_qemu_udp_e2e (MODE qemu, SIM = qemu-system-arm): the same checks on QEMU raspi0 with
# usb-net on user networking (hostfwd the same), the pcap from QEMU's filter-dump; the image
# must be built without the executive's watchdog (target-testcmds/kernel-net.img).
#   usage: sim_sk_udp.sh SIM kernel-net.img SKCTL PAYLOAD_DIR KEY [sim|qemu]
set -u
SIM=$1 IMG=$2 SKCTL=$3 PDIR=$4 KEY=$5 MODE=${6:-sim}
here=$(cd "$(dirname "$0")" && pwd)
md5py=$here/../../harness/md5chain.py
work=$(mktemp -d)
simpid=
cleanup() { exec 4>&- 2>/dev/null; [ -n "$simpid" ] && kill "$simpid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
[ "$MODE" = qemu ] && SIM=$(command -v "$SIM")
for f in "$SIM" "$IMG" "$SKCTL" "$PDIR/md5.skp" "$PDIR/echo.skp" "$PDIR/wild.skp" "$KEY"; do
    [ -f "$f" ] || { echo "FAIL: $f missing"; exit 1; }
done
free_udp_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
P=$(free_udp_port)
mkfifo "$work/in"
if [ "$MODE" = qemu ]; then
    timeout 600 "$SIM" -M raspi0 -bios "$IMG" -display none -monitor none -serial stdio -semihosting \
        -device usb-net,netdev=n0 -netdev "user,id=n0,hostfwd=udp:127.0.0.1:$P-10.0.2.15:7700" \
        -object "filter-dump,id=d0,netdev=n0,file=$work/cap.pcap" \
        <"$work/in" >"$work/out" 2>"$work/err" &
    BOARD=pi0
else
    timeout 600 "$SIM" --board pi1b --uart0 stdio --uart1 null \
        --eth "slirp:hostfwd=udp:127.0.0.1:$P-10.0.2.15:7700" --eth-pcap "$work/cap.pcap" "$IMG" \
        <"$work/in" >"$work/out" 2>"$work/err" &
    BOARD=pi1b
fi
simpid=$!
exec 4>"$work/in" # the console's input stays open while the test runs
for i in $(seq 1 300); do grep -aq "^net-up ip=10.0.2.15" "$work/out" && break; sleep 0.1; done
grep -aq "^net-up ip=10.0.2.15" "$work/out" || { echo "FAIL: no net-up"; cat "$work/out" "$work/err"; exit 1; }
echo "ok: $(grep -a -m1 '^net-up' "$work/out" | tr -d '\r')"
U="--udp 127.0.0.1:$P"
sk() { timeout 120 "$SKCTL" $U "$@"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2" | head -1; }
console() { # $1 command; prints the first reply line matching $2 (20 s)
    local n0; n0=$(wc -c <"$work/out")
    printf '%s\r' "$1" >&4
    for i in $(seq 1 200); do
        # complete lines only (head -n -1 drops a line still being written)
        tail -c +$((n0 + 1)) "$work/out" | tr -d '\000' | tr '\r' '\n' | head -n -1 | grep -a -m1 -E "$2" && return 0
        sleep 0.1
    done
    return 1
}

echo "== discover, info, attestation over UDP"
out=$(sk discover); rc=$?
echo "$out"
[ $rc -eq 0 ] && grep -q '^node id=' <<<"$out" && echo "ok: discover" || bad "discover rc=$rc"
out=$(sk info any); rc=$?
echo "$out"
[ $rc -eq 0 ] && [ "$(field state "$out")" = idle ] && [ "$(field board "$out")" = $BOARD ] && echo "ok: info" || bad "info rc=$rc"
out=$(timeout 60 "$SKCTL" info "127.0.0.1:$P"); rc=$? # NODE given as an address: UDP
[ $rc -eq 0 ] && grep -q '^info id=' <<<"$out" && echo "ok: info with NODE=127.0.0.1:$P" || bad "NODE as address rc=$rc"
out=$(sk --key "$KEY" attest any --image "$IMG"); rc=$?
echo "$out"
[ $rc -eq 0 ] && grep -q 'mac=ok image=match' <<<"$out" && echo "ok: attestation" || bad "attest rc=$rc"

run_check() { # $1 payload, $2 expected out hex, rest: args
    local p=$1 want=$2; shift 2
    local o rc
    o=$(sk run any "$PDIR/$p.skp" "$@"); rc=$?
    echo "$o"
    [ $rc -eq 0 ] && [ "$(field run "$o")" = ok ] && [ "$(field out "$o")" = "$want" ] && [ "$(field cycles "$o")" -gt 0 ] \
        && echo "ok: $p" || bad "$p rc=$rc out=$(field out "$o") want=$want"
    last=$o
}
echo "== runs over UDP"
run_check md5 "$(python3 "$md5py" 1000 "hello world")" 1000 hello world
echo "figure: md5 N=1000 over UDP ($MODE): cycles=$(field cycles "$last") node_us=$(field us "$last") upload_us=$(field upload_us "$last") exec_us=$(field exec_us "$last") total_us=$(field total_us "$last")"
t0=$(date +%s%N)
run_check md5 "$(python3 "$md5py" 1 "")" 1
t1=$(date +%s%N)
echo "figure: md5 N=1 over UDP, skctl wall time $(( (t1 - t0) / 1000 )) us (upload+exec incl. process start)"
o=$(sk --test-drop 3 --chunk 256 run any "$PDIR/md5.skp" 500 lost chunk 2>&1); rc=$?
echo "$o"
[ $rc -eq 0 ] && [ "$(field out "$o")" = "$(python3 "$md5py" 500 "lost chunk")" ] && [ "$(field retransmits "$o")" -ge 1 ] \
    && echo "ok: a chunk left out is retransmitted" || bad "test-drop rc=$rc"

echo "== faulty payloads: answered with their error, the node still serving"
o=$(sk --budget 200000 --run-timeout 30000 run any "$PDIR/wild.skp" 2>&1); rc=$?
echo "$o"
[ $rc -eq 3 ] && [ "$(field run "$o")" = abort ] && echo "ok: wild -> abort (exit 3)" || bad "wild rc=$rc"
run_check echo "$(printf 'after wild' | od -An -tx1 | tr -d ' \n')" after wild
python3 - "$PDIR/md5.skp" "$work/tampered.skp" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[-1] ^= 0x01                      # the last body byte: the body SHA-256 no longer matches
open(sys.argv[2], "wb").write(d)
PY
o=$(sk run any "$work/tampered.skp" 1 x 2>&1); rc=$?
echo "$o"
[ $rc -eq 4 ] && grep -q 'payload-bad-hash' <<<"$o" && echo "ok: tampered payload refused (exit 4)" || bad "tampered rc=$rc"
run_check echo "$(printf 'after tamper' | od -An -tx1 | tr -d ' \n')" after tamper

echo "== bad datagrams: counted, never answered"
python3 - "$P" <<'PY' || bad "a bad datagram was answered"
import socket, sys, zlib, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.5)
port = int(sys.argv[1])
info = bytes([1, 3, 0x34, 0x12])                         # INFO_REQ tid 0x1234
s.sendto(info + struct.pack("<I", zlib.crc32(info) ^ 1), ("127.0.0.1", port))   # bad CRC
adv = bytes([1, 2, 0, 0]) + bytes(54)                    # an advert: not a request
s.sendto(adv + struct.pack("<I", zlib.crc32(adv)), ("127.0.0.1", port))
s.sendto(b"\x01", ("127.0.0.1", port))                   # short
try:
    d = s.recv(2048)
    print("answered:", d.hex())
    sys.exit(1)
except socket.timeout:
    print("ok: no answer to a bad CRC, an advert, a short datagram")
PY
sleep 2.5 # at least two advert periods of host time have passed (QEMU runs in host time)
line=$(console "sk" "^sk udp ") || bad "no 'sk udp' line"
echo "$line"
[ "$(field bad_crc "$line")" = 1 ] && [ "$(field not_request "$line")" = 1 ] && [ "$(field short "$line")" = 1 ] \
    && [ "$(field drop_full "$line")" = 0 ] && [ "$(field adv_tx "$line")" -ge 2 ] \
    && echo "ok: counters" || bad "counters: $line"
run_check echo "$(printf 'still here' | od -An -tx1 | tr -d ' \n')" still here

echo "== broadcast adverts in the pcap"
exec 4>&-
kill "$simpid" 2>/dev/null; wait "$simpid" 2>/dev/null; simpid=
python3 - "$work/cap.pcap" <<'PY' || bad "broadcast adverts"
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
magic = struct.unpack("<I", d[:4])[0]
assert magic in (0xa1b2c3d4, 0xa1b23c4d), hex(magic)
off, n, good = 24, 0, 0
while off + 16 <= len(d):
    incl = struct.unpack("<IIII", d[off:off + 16])[2]
    f = d[off + 16:off + 16 + incl]
    off += 16 + incl
    if len(f) < 42 or f[12:14] != b"\x08\x00" or f[23] != 17:
        continue
    ihl = (f[14] & 15) * 4
    src, dst = f[26:30], f[30:34]
    u = 14 + ihl
    sp, dp, ul = struct.unpack(">HHH", f[u:u + 6])
    if dst != b"\xff" * 4 or sp != 7700 or dp != 7700:
        continue
    n += 1
    p = f[u + 8:u + ul]
    ok = (f[0:6] == b"\xff" * 6 and src == bytes([10, 0, 2, 15]) and len(p) > 8 and p[0] == 1 and p[1] == 2
          and p[2:4] == b"\0\0" and zlib.crc32(p[:-4]) == struct.unpack("<I", p[-4:])[0])
    good += ok
print("broadcast adverts in the pcap: %d, valid %d" % (n, good))
sys.exit(0 if n >= 2 and good == n else 1)
PY
[ $fail -eq 0 ] && echo "PASS: sk_${MODE}_udp_e2e" || { echo "--- sim stderr"; tail -20 "$work/err"; }
exit $fail
