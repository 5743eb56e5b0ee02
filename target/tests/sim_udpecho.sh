#!/usr/bin/env bash
# fw_sim_udpecho_<board>: the firmware's network end to end on the simulator, in simulated
# time (deterministic): kernel-net.img (network started at boot) on pi1b (LAN9512 behind
# its hub) or pi0 with --usb cdc-ecm (QEMU's topology), the simulator's in-process peer
# (sim/link/eth_peer.h) as client: ARP, then N UDP echo requests of "Echo1" to
# 10.0.2.15:5555 and M pings, every answer checked by the peer.
#   usage: sim_udpecho.sh SIM kernel-net.img pi1b|pi0 [N]
# Checks: the peer's report (all answered, no mismatch / bad checksum / timeout), the
# firmware's counters ("net echo rx=N tx=N", "net icmp ... echo_tx=M", no IP/UDP drops),
# the pcap (header, frame count = 2 per request + ARP). Prints the boot-to-net-up time,
# the RTT at the wire in cycles (request leaving the peer .. answer back) and the
# per-echo service time inside the firmware ("net svc": frame delivered by the driver to
# the stack .. answer handed to eth_send, cycles).
set -euo pipefail
SIM=${1:-}; IMG=${2:-}; BOARD=${3:-pi1b}; N=${4:-50}
if [[ ! -x "$SIM" || ! -f "$IMG" ]]; then
    echo "FAIL: simulator '$SIM' or image '$IMG' missing" >&2
    exit 1
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PYTHONPATH=$(dirname "$0") exec python3 - "$SIM" "$IMG" "$BOARD" "$N" "$TMP" <<'PY'
import json, re, struct, sys, time
from fwconsole import Console

sim, img, board, n, tmp = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
pings = 5
script, report, pcap = tmp + "/peer.scr", tmp + "/peer.json", tmp + "/eth.pcap"
with open(script, "w") as f:
    # no "stop": the console is read after the peer is done, then "halt" ends the run
    f.write("ip 10.0.2.2\ntarget 10.0.2.15\nport 40000\nstart 0\narp 10000 500\n"
            "timeout 100000\ngap 0\nudp %d 5555 size=5\nping %d size=56\n" % (n, pings))
cmd = ["timeout", "120", sim, "--board", board, "--uart0", "stdio", "--eth", "peer:" + script,
       "--eth-report", report, "--eth-pcap", pcap]
if board == "pi0":
    cmd += ["--usb", "cdc-ecm"]
cmd.append(img)
con = Console(cmd)
fail, send, read_until = con.fail, con.send, con.read_until

m = read_until(r"^net-up ip=10\.0\.2\.15/24 gw=10\.0\.2\.2 mac=(\S+) port=5555 t_us=(\d+)\n", "net-up")
if m:
    print("<<", m.group(0).strip())
    print("measure: %s boot to net-up %.3f ms simulated" % (board, int(m.group(2)) / 1000.0))
    up = re.search(r"^eth link up=1 mac=\S+ t_us=(\d+)", con.buf.decode("latin-1"), re.M)
    if up:
        print("measure: %s boot to link up %.3f ms simulated" % (board, int(up.group(1)) / 1000.0))
# the peer runs in simulated time; poll the counters until every request was answered
c = {}
for _ in range(60):
    con.clear()
    send("net")
    m = read_until(r"^net timer ticks=.*\n", "net report")
    if not m:
        break
    text = con.buf.decode("latin-1").replace("\r\n", "\n")
    c = {}
    for line in text.split("\n"):
        if line.startswith("net "):
            key = line.split()[1]
            for k, v in re.findall(r"(\w+)=(\d+)", line):
                c[key + "." + k] = int(v)
    if c.get("echo.tx", 0) >= n and c.get("icmp.echo_tx", 0) >= pings:
        break
    time.sleep(0.2)
svc = re.search(r"^net svc .*", con.buf.decode("latin-1"), re.M)
for line in con.buf.decode("latin-1").replace("\r\n", "\n").split("\n"):
    if line.startswith(("net udp", "net echo", "net icmp", "net svc")):
        print("<<", line)
if c.get("echo.rx") != n or c.get("echo.tx") != n:
    fail("firmware echo counters rx=%s tx=%s, want %d" % (c.get("echo.rx"), c.get("echo.tx"), n))
if c.get("icmp.echo_tx") != pings:
    fail("icmp echo_tx=%s, want %d" % (c.get("icmp.echo_tx"), pings))
for k in ("ip.bad_cksum", "ip.bad_len", "udp.bad_cksum", "udp.no_port", "eth.tx_errors", "udp.deliver_fail"):
    if c.get(k):
        fail("%s=%d" % (k, c[k]))
if svc:
    s = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", svc.group(0)))
    print("measure: %s per-echo service time in the firmware (driver delivery -> eth_send): "
          "min %d mean %d max %d cycles over %d answers" % (board, s["min_cyc"], s["mean_cyc"], s["max_cyc"], s["n"]))
    if s["n"] < n:
        fail("net svc n=%d, want >= %d" % (s["n"], n))
con.halt()
try:
    r = json.load(open(report))
except (OSError, ValueError) as e:
    r = {}
    fail("peer report: %s" % e)
if r:
    print("peer: done=%s sent=%s answered=%s ok=%s mismatches=%s timeouts=%s bad_checksums=%s" %
          (r.get("done"), r.get("sent"), r.get("answered"), r.get("ok"), r.get("mismatches"), r.get("timeouts"),
           r.get("bad_checksums")))
    if not r.get("done") or r.get("ok") != n + pings or r.get("mismatches") or r.get("timeouts") or r.get("bad_checksums"):
        fail("peer: want all %d requests answered and correct" % (n + pings))
    items = r.get("items", [])
    if items:
        u = items[0]
        hz = r.get("cpu_hz", 1)
        print("measure: %s udp echo RTT at the wire (5 bytes): median %d p99 %d max %d cycles = %.2f us median" %
              (board, u["median"], u["p99"], u["max"], u["median"] * 1e6 / hz))
# pcap: little-endian magic, link type 1, at least ARP pair + 2 frames per request
try:
    data = open(pcap, "rb").read()
    magic, _, _, _, _, _, link = struct.unpack("<IHHiIII", data[:24])
    off, frames = 24, 0
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        off += 16 + incl
        frames += 1
    print("pcap: %d frames, link type %d" % (frames, link))
    if link != 1 or frames < 2 * (n + pings) + 2 or off != len(data):
        fail("pcap: want link type 1 and >= %d whole frames" % (2 * (n + pings) + 2))
except (OSError, struct.error) as e:
    fail("pcap: %s" % e)
sys.exit(con.finish("fw_sim_udpecho_" + board))
PY
