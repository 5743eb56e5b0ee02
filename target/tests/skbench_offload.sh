#!/usr/bin/env bash
# sk_e2e_md5_offload: `skbench run md5-quick --target sim --set path=offload` (shielded), then
# the same trusted: every sample's digest checked by skbench (a wrong one fails the run), each
# sample with the node's cycles (> 0) and the upload time (upload_us > 0).
#   usage: skbench_offload.sh SKBENCH SIM KERNEL_IMG MD5_SKP [qemu QEMU]
# With "qemu QEMU": on QEMU raspi0 instead (KERNEL_IMG built without the executive watchdog).
set -uo pipefail
SKB=$1 SIM=$2 IMG=$3 SKP=$4 TGT=${5:-sim} QEMU=${6:-qemu-system-arm}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
for mode in shielded trusted; do
    SK_MD5_SKP=$SKP timeout 240 "$SKB" run md5-quick --target "$TGT" --sim "$SIM" --qemu "$QEMU" --kernel "$IMG" --no-plot --quiet \
        --set path=offload --set mode=$mode --out "$work/$mode"; rc=$?
    [ $rc -eq 0 ] || { echo "FAIL: skbench ($mode) exit $rc"; fail=1; continue; }
    python3 - "$work/$mode/results.json" "$mode" <<'PY' || fail=1
import json, sys
r = json.load(open(sys.argv[1]))
b = [x for x in r["benchmarks"] if x.get("run_type") == "iteration"]
ok = len(b) == 9 and all(x.get("upload_us", 0) > 0 and x.get("cycles", 0) > 0 for x in b)
cyc = {}
for x in b:
    cyc.setdefault(x["name"], []).append(x["cycles"])
print("%s: %s" % (sys.argv[2], ", ".join("%s cycles=%d" % (k, v[0]) for k, v in cyc.items())),
      "upload_us=%.0f" % b[0]["upload_us"])
if not ok:
    print("FAIL: %s: want 9 samples with cycles and upload_us: %s" % (sys.argv[2], b[:2]))
sys.exit(0 if ok else 1)
PY
done
[ $fail -eq 0 ] && echo PASS || echo FAILED
exit $fail
