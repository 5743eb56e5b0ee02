#!/usr/bin/env bash
# fw_qemu_usbnet: the USB host stack and CDC-ECM driver end to end on QEMU raspi0 with
# -device usb-net (behind QEMU's auto-inserted hub) and user networking (slirp).
#   usage: qemu_usbnet.sh path/to/kernel.img        (env QEMU overrides the emulator binary)
# The firmware enumerates and binds at boot ("net start rc=..."); "eth start" then only
# reports the bound NIC. Sends "eth start", waits (bounded) for "eth link up=1", sends
# "eth test" (ARP request who-has 10.0.2.2 tell 10.0.2.15) and waits for slirp's ARP reply
# to come back through the bulk-in path into the IP stack ("net arp ... rep_rx="), then the
# same request padded to 64 bytes (a multiple of the packet size: the transfer must end with
# a zero-length packet), checks the counters ("eth-stats") and the Ethernet frames QEMU recorded
# (filter-dump pcap, parsed here): our request with our MAC and slirp's reply.
# Prints the guest time from boot to link up (-icount shift=0: deterministic).
set -euo pipefail

IMG=${1:-}
QEMU=${QEMU:-qemu-system-arm}
TIMEOUT_S=${TIMEOUT_S:-60}
if [[ -z "$IMG" || ! -f "$IMG" ]]; then
    echo "FAIL: kernel image '$IMG' not found (build the firmware first)" >&2
    exit 1
fi
command -v "$QEMU" >/dev/null || { echo "FAIL: $QEMU not installed" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

PYTHONPATH=$(dirname "$0") exec python3 - "$QEMU" "$IMG" "$TIMEOUT_S" "$TMP/eth.pcap" <<'PY'
import re, struct, subprocess, sys, time
from fwconsole import Console

qemu, img, limit, pcap = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
cmd = ["timeout", str(limit), qemu, "-M", "raspi0", "-bios", img, "-display", "none",
       "-monitor", "none", "-serial", "stdio", "-semihosting",
       "-icount", "shift=0,sleep=off",
       "-device", "usb-net,netdev=n0", "-netdev", "user,id=n0",
       "-object", "filter-dump,id=d0,netdev=n0,file=" + pcap]
t_start = time.monotonic()
con = Console(cmd, name="QEMU")
fail = con.fail

def read_until(rx, what, secs=20, whole=True):
    """A match of rx (whole lines only unless whole=False), or None + a recorded failure."""
    return con.read_until(rx + (r"\n" if whole else ""), what, min(secs, t_start + limit - time.monotonic()))

def send(line):
    print(">>", line)
    con.send(line)

mac = None
if read_until(r"^> ", "banner and prompt", whole=False):
    send("eth start")
    m = read_until(r"^eth start rc=(\S+) kind=(\d) mac=([0-9a-f:]{17}) init_us=(\d+)", "eth start reply")
    if m:
        print("<<", m.group(0))
        if m.group(1) != "ok" or m.group(2) != "2":
            fail("eth start: want rc=ok kind=2 (cdc-ecm), got %s" % m.group(0))
        mac = m.group(3)
    m = read_until(r"^eth link up=1 mac=([0-9a-f:]{17}) t_us=(\d+)", "link up")
    if m:
        print("<<", m.group(0))
        print("measure: boot to link up %.3f ms guest time" % (int(m.group(2)) / 1000.0))
    # Received frames go to the IP stack (main.c wiring): slirp's ARP replies show up in
    # the stack's counters ("net arp ... rep_rx=N"), polled here (bounded).
    def arp_replies(want, what):
        for _ in range(20):
            con.clear()
            send("net")
            m = read_until(r"^net arp rx=\d+ .*", what)
            if not m:
                return None
            c = dict(re.findall(r"(\w+)=(\d+)", m.group(0)))
            if int(c.get("rep_rx", 0)) >= want:
                print("<<", m.group(0))
                return m
            time.sleep(0.1)
        fail("timeout waiting for " + what)
        return None
    send("eth test")
    arp_replies(1, "ARP reply (42-byte request)")
    # a 64-byte frame is a multiple of the full-speed packet size: only a zero-length
    # packet ends its bulk-out transfer (usb-net sends the frame on the short packet)
    send("eth test 64")
    arp_replies(2, "second ARP reply (64-byte request)")
    send("eth")
    m = read_until(r"^eth-stats link=(\d) tx_frames=(\d+) tx_bytes=\d+ rx_frames=(\d+) .*", "eth-stats")
    if m:
        print("<<", m.group(0))
        if m.group(1) != "1" or int(m.group(2)) != 2 or int(m.group(3)) < 2:
            fail("counters: want link=1 tx_frames=2 rx_frames>=2")
        c = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(0))}
        if c.get("tx_zlp") != 1:
            fail("tx_zlp=%s, want 1 (the 64-byte frame)" % c.get("tx_zlp"))
    m = read_until(r"^eth-drops .*", "eth-drops")
    if m:
        print("<<", m.group(0))
        drops = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(0))}
        if len(drops) != 8:
            fail("eth-drops: want 8 counters, got %r" % drops)
        for k, v in drops.items():
            if v:
                fail("%s=%d" % (k, v))
    m = read_until(r"^eth-time link_up_us=(\d+) start_us=(\d+) init_us=(\d+)", "eth-time")
    if m:
        print("<<", m.group(0))
        up, st, init = (int(x) for x in m.groups())
        print("measure: eth start to link up %.3f ms guest time (enumeration and bind %.3f ms)" %
              ((up - st) / 1000.0, init / 1000.0))
    send("usb")
    m = read_until(r"^usb-stats .*", "usb-stats")
    if m:
        print("<<", m.group(0))
    m = read_until(r"^usb-errors .*", "usb-errors")
    if m:
        print("<<", m.group(0))
    send("halt")
    read_until(r"^halt$", "halt reply")

rc = con.close(t_start + limit + 5 - time.monotonic())
if rc != 0:
    fail("QEMU exit status %d (want 0 from semihosting SYS_EXIT; 124 = timeout)" % rc)

# The Ethernet frames on QEMU's side of usb-net (pcap, link type 1).
frames = []
try:
    with open(pcap, "rb") as f:
        data = f.read()
    if len(data) < 24 or struct.unpack("<I", data[:4])[0] != 0xA1B2C3D4:
        fail("pcap: bad header")
    else:
        off = 24
        while off + 16 <= len(data):
            _, _, incl, _ = struct.unpack("<IIII", data[off:off + 16])
            frames.append(data[off + 16:off + 16 + incl])
            off += 16 + incl
except OSError as e:
    fail("pcap: %s" % e)
ours = bytes.fromhex(mac.replace(":", "")) if mac else b""
req64 = [f for f in frames if len(f) == 64 and f[6:12] == ours and f[12:14] == b"\x08\x06"]
req = [f for f in frames if f[6:12] == ours and f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x01"
       and f[38:42] == bytes([10, 0, 2, 2])]
rep = [f for f in frames if f[0:6] == ours and f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x02"
       and f[28:32] == bytes([10, 0, 2, 2])]
print("pcap: %d frames, %d ARP requests from us (%d of 64 bytes), %d ARP replies to us" %
      (len(frames), len(req), len(req64), len(rep)))
if len(req) != 2 or len(req64) != 1 or len(rep) != 2:
    fail("pcap: want our two ARP requests (42 and 64 bytes) and slirp's two replies")
sys.exit(con.finish("fw_qemu_usbnet"))
PY
