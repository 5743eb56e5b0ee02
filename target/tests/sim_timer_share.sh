#!/usr/bin/env bash
# fw_sim_timer_share: system-timer channel 1 carries several software timers at once
# (hal/systimer.h st_timer_*): the network's 10 ms tick keeps running across a shielded
# payload run whose CPU-time budget is another C1 timer, and the budget still ends the run.
# Before st_timer, the executive's wake-up and the sandbox's budget replaced (and then
# cancelled) the network tick on C1. Test image (sbtest), pi1b, LAN9512 on a null wire.
#   usage: sim_timer_share.sh SIM test-kernel.img
set -euo pipefail
SIM=${1:-}; IMG=${2:-}
if [[ ! -x "$SIM" || ! -f "$IMG" ]]; then
    echo "FAIL: simulator '$SIM' or image '$IMG' missing" >&2
    exit 1
fi
exec python3 - "$SIM" "$IMG" <<'PY'
import os, re, select, subprocess, sys, time
sim, img = sys.argv[1], sys.argv[2]
p = subprocess.Popen(["timeout", "120", sim, "--board", "pi1b", "--uart0", "stdio", "--eth", "null", img],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
buf = b""
def text():
    return buf.decode("latin-1").replace("\r\n", "\n")
def read_until(rx, what, secs=60):
    global buf
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        m = re.search(rx, text(), re.M)
        if m:
            return m
        r, _, _ = select.select([p.stdout], [], [], 0.2)
        if r:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
    sys.exit("FAIL: no %s; console tail:\n%s" % (what, text()[-800:]))
def cmd(line, rx, what):
    global buf
    buf = b""
    p.stdin.write((line + "\n").encode())
    p.stdin.flush()
    return read_until(rx, what)
read_until(r"^> ", "prompt")
cmd("net start", r"^net-up ip=10\.0\.2\.15/24 .*\n", "net-up")
t0 = int(cmd("net", r"^net timer ticks=(\d+) ", "net timer line").group(1))
m = cmd("sbtest loop 100000", r"^sbtest name=loop .*status=(\w+) .* us=(\d+) .*kstate=(\w+).*\n", "sbtest reply")
status, us, kstate = m.group(1), int(m.group(2)), m.group(3)
t1 = int(cmd("net", r"^net timer ticks=(\d+) ", "net timer line").group(1))
time_mark = cmd("info", r"^> ", "prompt")
t2 = int(cmd("net", r"^net timer ticks=(\d+) ", "net timer line").group(1))
print("ticks before %d, after the 100 ms run %d, later %d; run status=%s us=%d kstate=%s" % (t0, t1, t2, status, us, kstate))
fails = []
if status != "budget" or not 100000 <= us <= 100100 or kstate != "ok":
    fails.append("the budget did not end the run at 100 ms (status=%s us=%d kstate=%s)" % (status, us, kstate))
if t1 - t0 < 10:
    fails.append("network tick stalled during the run: %d ticks in >= 100 ms (want >= 10)" % (t1 - t0))
if t2 <= t1:
    fails.append("network tick stopped after the run (%d -> %d)" % (t1, t2))
p.stdin.write(b"halt\n"); p.stdin.flush()
try:
    rc = p.wait(timeout=30)
except subprocess.TimeoutExpired:
    p.kill(); rc = p.wait()
if rc != 0:
    fails.append("simulator exit %d after halt" % rc)
for f in fails:
    print("FAIL:", f)
if fails:
    sys.exit(1)
print("PASS: fw_sim_timer_share")
PY
