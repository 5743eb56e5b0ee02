#!/usr/bin/env bash
# fw_linux_skesp3_eno: the Linux baseline's decoder in the firmware's line format (-F eno,
# used by skbench's radio workload on QEMU): two good ERP1 frames (RPS with optional data,
# 4BS without), a frame with a bad header CRC and one with a bad data CRC in between, noise
# before the first sync. Checks every line and the eno-stats counters on the control fd.
set -u
bin=$1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 - "$work/in.bin" <<'PY'
import sys
def crc8(b):
    c = 0
    for x in b:
        c ^= x
        for _ in range(8): c = ((c << 1) ^ 7) & 0xff if c & 0x80 else (c << 1) & 0xff
    return c
def frame(data, opt, bad_h=False, bad_d=False):
    h = len(data).to_bytes(2, "big") + bytes([len(opt), 1])
    return b"\x55" + h + bytes([crc8(h) ^ bad_h]) + data + opt + bytes([crc8(data + opt) ^ bad_d])
rps = frame(bytes.fromhex("f65000298979" "30"), bytes.fromhex("03ffffffffff00"))
bs4 = frame(bytes.fromhex("a508000001" "01000010" "00"), b"")
bad_h = frame(bytes.fromhex("f65000298979" "30"), b"", bad_h=True)
bad_d = frame(bytes.fromhex("f65000298979" "30"), b"", bad_d=True)
open(sys.argv[1], "wb").write(b"\x01\x02" + rps + bad_h + bad_d + bs4)
PY
"$bin" -d - -F eno -S 3 <"$work/in.bin" >"$work/out.txt" 3>"$work/ctl.txt"
rc=$?
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
[ "$rc" -eq 0 ] || bad "exit $rc"
cat > "$work/want.txt" <<'W'
eno seq=1 type=erp1 rorg=f6 data=50 id=00298979 status=30 sub=3 dst=ffffffff dbm=-255 sec=0
eno seq=2 type=erp1 rorg=a5 data=08000001 id=01000010 status=00
W
diff "$work/want.txt" "$work/out.txt" && echo "ok: eno lines" || bad "eno lines differ"
grep -q '^ready$' "$work/ctl.txt" || bad "no ready on the control fd"
grep -Eq '^eno-stats telegrams=2 bytes=[0-9]+ overruns=0 rx_dropped=0 crc_hdr=1 crc_data=1 sync_skipped=[1-9][0-9]* oversize=0 no_buf=0 reports_dropped=0 rx_errors=0$' "$work/ctl.txt" \
    && echo "ok: $(grep eno-stats "$work/ctl.txt")" || { bad "eno-stats"; cat "$work/ctl.txt"; }
"$bin" -F bogus </dev/null >/dev/null 2>&1; [ $? -eq 2 ] || bad "-F bogus accepted"
[ "$fails" -eq 0 ]
