#!/usr/bin/env bash
# fw_sim_app_udp: decoded EnOcean telegrams as UDP events (docs/radio-udp.md) end to end on
# the simulator: kernel-net.img on pi1b (LAN9512), the EnOcean modem model on the mini UART,
# the Ethernet wire on libslirp. Two host sockets subscribe before the radio starts: A over
# UDP ("subscribe" to 127.0.0.1:PA -> 10.0.2.15:5556, hostfwd), B by the console
# ("eno subscribe 10.0.2.2 PB": slirp delivers 10.0.2.2 to the host's loopback). Then
# "eno start": the modem plays 5 telegrams; each socket must receive exactly the 5 console
# lines as "eno/1 ..." datagrams, and "eno udp" must count 10 sent, 0 dropped.
#   usage: sim_app_udp.sh SIM kernel-net.img
set -euo pipefail
SIM=${1:-}; IMG=${2:-}
if [[ ! -x "$SIM" || ! -f "$IMG" ]]; then
    echo "FAIL: simulator '$SIM' or image '$IMG' missing" >&2
    exit 1
fi
PYTHONPATH=$(dirname "$0") exec python3 - "$SIM" "$IMG" <<'PY'
import os, re, socket, sys, tempfile, time
from fwconsole import Console

sim, img = sys.argv[1], sys.argv[2]
def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    return s, s.getsockname()[1]
a, _ = free_port()                 # subscriber A (UDP "subscribe")
b, pb = free_port()                # subscriber B (console "eno subscribe")
probe, pa_fwd = free_port()
probe.close()
for s in (a, b):
    s.settimeout(0.2)
script = tempfile.NamedTemporaryFile("w", suffix=".scr", delete=False)
script.write("baud 57600\nstart rx\ngap 2000\nrps id=0029897a data=50\ngap 2000\n"
             "4bs id=01020304 data=11223344\ngap 2000\nburst 3 rps id=00aa0000 data=70\n")
script.close()
cmd = ["timeout", "120", sim, "--board", "pi1b", "--uart0", "stdio", "--uart1-modem", script.name,
       "--eth", "slirp:hostfwd=udp:127.0.0.1:%d-10.0.2.15:5556" % pa_fwd, img]
con = Console(cmd)
fail, send, read_until, text = con.fail, con.send, con.read_until, con.text

def collect(s, want, secs):
    got, deadline = [], time.monotonic() + secs
    while len(got) < want and time.monotonic() < deadline:
        con.pump(0.05)
        try:
            got.append(s.recv(2048).decode("latin-1"))
        except socket.timeout:
            pass
    return got

if read_until(r"^net-up ip=10\.0\.2\.15/24 .*\n", "net-up"):
    # A: subscribe over UDP (the first datagram may meet slirp's ARP for the guest: retry)
    reply = None
    for attempt in range(10):
        a.sendto(b"subscribe", ("127.0.0.1", pa_fwd))
        r = collect(a, 1, 1.0)
        if r:
            reply = r[0]
            break
    print("A <<", reply)
    if reply != "eno/1 subscribed lease=60":
        fail("UDP subscribe answered %r" % reply)
    send("eno subscribe 10.0.2.2 %d" % pb)
    m = read_until(r"^eno-sub op=subscribe rc=(\S+)\n", "eno-sub")
    if not m:
        print("console:", text()[-600:])
    if m and m.group(1) != "ok":
        fail("console subscribe rc=" + m.group(1))
    con.clear()
    send("eno start 57600")
    read_until(r"^eno started baud=57600 port=uart1\n", "eno started")
    lines = []
    deadline = time.monotonic() + 30
    while len(lines) < 5 and time.monotonic() < deadline:
        con.pump(0.2)
        lines = re.findall(r"^(eno seq=.*)\n", text(), re.M)   # complete lines only
    if len(lines) != 5:
        fail("%d telegram lines on the console, want 5" % len(lines))
    want = ["eno/1" + l[3:] for l in lines]
    for name, s in (("A", a), ("B", b)):
        got = collect(s, 5, 10.0)
        print("%s received %d datagrams; first: %r" % (name, len(got), got[0] if got else None))
        if got != want:
            fail("%s: datagrams %r\n   want %r" % (name, got, want))
    con.clear()
    send("eno udp")
    m = read_until(r"^eno-udp .*\n", "eno udp")
    if m:
        print("<<", m.group(0).strip())
        c = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", m.group(0)))
        for k, v in (("port", 5556), ("subs", 2), ("sent", 10), ("dropped", 0), ("cmds", 1), ("cmd_bad", 0)):
            if c.get(k) != v:
                fail("eno-udp %s=%s, want %d" % (k, c.get(k), v))
con.halt()
os.unlink(script.name)
sys.exit(con.finish("fw_sim_app_udp"))
PY
