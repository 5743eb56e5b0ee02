#!/bin/sh
# sk_skpack_*: skpack must refuse OBJ with exit status 1, print MESSAGE, and write nothing.
#   usage: expect_refusal.sh SKPACK KEYFILE OBJ MESSAGE
skpack=$1 key=$2 obj=$3 msg=$4
out=$(mktemp -u /tmp/skpack-reject.XXXXXX.skp)
err=$("$skpack" -k "$key" -o "$out" "$obj" 2>&1); rc=$?
echo "$err"
[ -e "$out" ] && { echo "FAIL: $out written"; rm -f "$out"; exit 1; }
[ "$rc" -eq 1 ] || { echo "FAIL: exit status $rc, want 1"; exit 1; }
printf '%s' "$err" | grep -qF -- "$msg" || { echo "FAIL: message '$msg' missing"; exit 1; }
echo "ok: refused with '$msg'"
