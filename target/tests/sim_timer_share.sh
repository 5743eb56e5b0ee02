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
PYTHONPATH=$(dirname "$0") exec python3 - "$SIM" "$IMG" <<'PY'
import sys
from fwconsole import Console
sim, img = sys.argv[1], sys.argv[2]
con = Console(["timeout", "120", sim, "--board", "pi1b", "--uart0", "stdio", "--eth", "null", img])

def cmd(line, rx, what):
    con.clear()
    con.send(line)
    m = con.read_until(rx, what)
    if not m:
        con.halt()
        sys.exit(con.finish("fw_sim_timer_share"))
    return m

if not con.read_until(r"^> ", "prompt"):
    con.halt()
    sys.exit(con.finish("fw_sim_timer_share"))
cmd("net start", r"^net-up ip=10\.0\.2\.15/24 .*\n", "net-up")
t0 = int(cmd("net", r"^net timer ticks=(\d+) ", "net timer line").group(1))
m = cmd("sbtest loop 100000", r"^sbtest name=loop .*status=(\w+) .* us=(\d+) .*kstate=(\w+).*\n", "sbtest reply")
status, us, kstate = m.group(1), int(m.group(2)), m.group(3)
t1 = int(cmd("net", r"^net timer ticks=(\d+) ", "net timer line").group(1))
cmd("info", r"^> ", "prompt")
t2 = int(cmd("net", r"^net timer ticks=(\d+) ", "net timer line").group(1))
print("ticks before %d, after the 100 ms run %d, later %d; run status=%s us=%d kstate=%s" % (t0, t1, t2, status, us, kstate))
if status != "budget" or not 100000 <= us <= 100100 or kstate != "ok":
    con.fail("the budget did not end the run at 100 ms (status=%s us=%d kstate=%s)" % (status, us, kstate))
if t1 - t0 < 10:
    con.fail("network tick stalled during the run: %d ticks in >= 100 ms (want >= 10)" % (t1 - t0))
if t2 <= t1:
    con.fail("network tick stopped after the run (%d -> %d)" % (t1, t2))
con.halt()
sys.exit(con.finish("fw_sim_timer_share"))
PY
