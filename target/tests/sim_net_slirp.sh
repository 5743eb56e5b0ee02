#!/usr/bin/env bash
# fw_sim_net_slirp: the firmware's network reached from the host through the simulator's
# libslirp link (QEMU user networking, 10.0.2.0/24) with a UDP host forward:
# kernel-net.img on pi1b (LAN9512), a host UDP socket sends echo requests of 5, 100, 1000
# and 1472 bytes to 127.0.0.1:PORT -> 10.0.2.15:5555; every answer is compared byte for
# byte. Then "net dhcp": the DHCP client must obtain slirp's lease (10.0.2.15, server
# 10.0.2.2) and the echo must still work; "net" counters checked (no drops).
#   usage: sim_net_slirp.sh SIM kernel-net.img
set -euo pipefail
SIM=${1:-}; IMG=${2:-}
if [[ ! -x "$SIM" || ! -f "$IMG" ]]; then
    echo "FAIL: simulator '$SIM' or image '$IMG' missing" >&2
    exit 1
fi
PYTHONPATH=$(dirname "$0") exec python3 - "$SIM" "$IMG" <<'PY'
import re, socket, sys, time
from fwconsole import Console

sim, img = sys.argv[1], sys.argv[2]
probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
cmd = ["timeout", "120", sim, "--board", "pi1b", "--uart0", "stdio",
       "--eth", "slirp:hostfwd=udp:127.0.0.1:%d-10.0.2.15:5555" % port, img]
con = Console(cmd)
fail, send, read_until = con.fail, con.send, con.read_until

def echo_round(tag, sizes):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2.0)
    ok = 0
    for k, size in enumerate(sizes):
        msg = (b"Echo1" * 300)[:size]
        if size >= 8:
            msg = b"%07d" % k + msg[7:]
        got = None
        for attempt in range(3):   # the first datagram may meet slirp's ARP for the guest
            s.sendto(msg, ("127.0.0.1", port))
            try:
                while True:
                    d, _ = s.recvfrom(2048)
                    if d == msg:
                        got = d
                        break
            except socket.timeout:
                continue
            break
        if got == msg:
            ok += 1
        else:
            fail("%s: no correct answer to %d bytes (request %d)" % (tag, size, k))
    s.close()
    print("%s: %d/%d echoes correct through slirp (sizes %s)" % (tag, ok, len(sizes), sorted(set(sizes))))
    return ok

if read_until(r"^net-up ip=10\.0\.2\.15/24 .*\n", "net-up"):
    sizes = [5] * 10 + [100, 1000, 1472, 0, 1]
    echo_round("static", sizes)
    con.clear()
    send("net dhcp")
    m = read_until(r"^net dhcp rc=(\S+)\n", "net dhcp reply")
    if m and m.group(1) != "ok":
        fail("net dhcp rc=" + m.group(1))
    bound = None
    for _ in range(50):
        con.clear()
        send("net")
        # the whole report (up to its last line), so nothing of it is left for the next read
        if not read_until(r"^net timer .*\n", "net report"):
            break
        m = re.search(r"^net dhcp state=(\w+) ip=(\S+) server=(\S+) .*", con.buf.decode("latin-1"), re.M)
        if not m:
            fail("no net dhcp line in the report")
            break
        if m.group(1) == "bound":
            bound = m
            break
        time.sleep(0.2)
    if bound:
        print("<<", bound.group(0).strip())
        if bound.group(2) != "10.0.2.15" or bound.group(3) != "10.0.2.2":
            fail("lease %s from %s, want 10.0.2.15 from 10.0.2.2" % (bound.group(2), bound.group(3)))
    else:
        fail("DHCP did not reach state bound")
    # (no new net-up line: DHCP removes the address and gets the same one back between two
    # looks of the main loop, which prints changes only)
    echo_round("dhcp", [5] * 5 + [1472])
    con.clear()
    send("net")
    read_until(r"^net timer .*\n", "final net report")
    c = {}
    for line in con.buf.decode("latin-1").replace("\r\n", "\n").split("\n"):
        if line.startswith("net "):
            for k, v in re.findall(r"(\w+)=(\d+)", line):
                c[line.split()[1] + "." + k] = int(v)
            if line.startswith(("net udp", "net echo", "net config")):
                print("<<", line)
    for k in ("ip.bad_cksum", "ip.bad_len", "udp.bad_cksum", "udp.deliver_fail", "eth.tx_errors", "echo.send_fail"):
        if c.get(k):
            fail("%s=%d" % (k, c[k]))
    if c.get("echo.tx", 0) < 21:
        fail("echo tx=%s, want >= 21" % c.get("echo.tx"))
con.halt()
sys.exit(con.finish("fw_sim_net_slirp"))
PY
