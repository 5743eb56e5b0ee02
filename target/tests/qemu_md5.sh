#!/usr/bin/env bash
# fw_qemu_md5: boot kernel.img on QEMU raspi0 and check the console protocol end to end.
#   usage: qemu_md5.sh path/to/kernel.img        (env QEMU overrides the emulator binary)
# Sends info, md5 1 abc, md5 1000 hello world, halt -- one command per prompt (bytes sent
# before the first prompt may be lost while the PL011 is being set up) -- and checks the
# banner, the info line, md5-start/md5-end markers, every digest against Python's hashlib
# (md5_chain semantics of target/lib/md5.h) and QEMU's exit status (semihosting SYS_EXIT).
set -euo pipefail

IMG=${1:-}
QEMU=${QEMU:-qemu-system-arm}
TIMEOUT_S=${TIMEOUT_S:-60}
if [[ -z "$IMG" || ! -f "$IMG" ]]; then
    echo "FAIL: kernel image '$IMG' not found (build the firmware first)" >&2
    exit 1
fi
command -v "$QEMU" >/dev/null || { echo "FAIL: $QEMU not installed" >&2; exit 1; }

PYTHONPATH=$(dirname "$0") exec python3 - "$QEMU" "$IMG" "$TIMEOUT_S" "$(cd "$(dirname "$0")/../../harness" && pwd)" <<'PY'
import re, sys, time
from fwconsole import Console
sys.path.insert(0, sys.argv[4])
from md5chain import md5_chain  # the host reference of target/lib/md5.h's md5_chain

qemu, img, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
cmd = ["timeout", str(limit), qemu, "-M", "raspi0", "-bios", img, "-display", "none",
       "-monitor", "none", "-serial", "stdio", "-semihosting"]
t_start = time.monotonic()
con = Console(cmd, name="QEMU")
fail = con.fail

def read_until(pred, what, secs=20):
    """Reads QEMU's output until pred(raw text, CR LF kept) is true; returns the text or None."""
    ok = con.wait_for(lambda _folded: pred(con.buf.decode("latin-1")), what,
                      min(secs, t_start + limit - time.monotonic()))
    return con.buf.decode("latin-1") if ok else None

def lines(text):
    return [l for l in text.replace("\r\n", "\n").split("\n")]

def send(line):
    print(">>", line)
    con.send(line)

def prompts(text):
    return text.count("\n> ") + (1 if text.startswith("> ") else 0)

# banner + first prompt
text = read_until(lambda t: "\n> " in t, "banner and prompt")
if text is not None:
    banner = lines(text)[0]
    print("banner:", banner)
    if not re.fullmatch(r"rpi-serverkernel \S+ board=(pi1b|pi0|unknown) rev=0x[0-9a-f]+ "
                        r"arm_mem=\d+MiB cpu_hz=\d+", banner):
        fail("banner format: %r" % banner)

def command(line, want_prefix):
    """Sends one command, waits for the next prompt, returns the reply lines."""
    before = len(con.buf.decode("latin-1"))
    n0 = prompts(con.buf.decode("latin-1"))
    send(line)
    text = read_until(lambda t: prompts(t) > n0 and any(
        l.startswith(want_prefix) for l in lines(t[before:])), "reply to " + line)
    if text is None:
        return []
    out = [l for l in lines(text[before:]) if l and not l.startswith("> ")]
    if out and out[0] == line:
        out = out[1:]  # the firmware echoes what we type after the prompt
    for l in out:
        print("<<", l)
    return out

if not con.failures:
    out = command("info", "info ")
    info = [l for l in out if l.startswith("info ")]
    if not info or not re.fullmatch(
            r"info board=(pi1b|pi0|unknown) rev=0x[0-9a-f]+ arm_mem=\d+MiB cpu_hz=\d+ uart_hz=\d+ "
            r"cycles_src=(ccnt|timer) uptime_us=\d+ rx_overruns=\d+ rx_dropped=\d+ bad_lines=\d+",
            info[0]):
        fail("info line format: %r" % (info[0] if info else None))

    for n, msg in [(1, "abc"), (1000, "hello world")]:
        out = command("md5 %d %s" % (n, msg), "md5 n=")
        if out[:2] != ["md5-start", "md5-end"]:
            fail("md5 markers: %r" % out[:2])
        res = [l for l in out if l.startswith("md5 n=")]
        m = re.fullmatch(r"md5 n=(\d+) digest=([0-9a-f]{32}) cycles=(\d+) us=(\d+)", res[0]) if res else None
        if not m:
            fail("md5 result line: %r" % (res[0] if res else None))
            continue
        want = md5_chain(msg.encode(), n)
        if int(m.group(1)) != n or m.group(2) != want:
            fail("md5 %d %r: got %s want %s" % (n, msg, m.group(2), want))
        else:
            print("ok: md5_chain(%r, %d) = %s (host hashlib agrees)" % (msg, n, want))

    send("halt")
    read_until(lambda t: "\nhalt\r\n" in t or "\nhalt\n" in t, "halt reply")

rc = con.close(t_start + limit + 5 - time.monotonic())
print("qemu exit status:", rc)
if rc != 0:
    fail("QEMU exit status %d (want 0 from semihosting SYS_EXIT; 124 = timeout)" % rc)
sys.exit(con.finish("fw_qemu_md5"))
PY
