#!/usr/bin/env python3
"""Host side of the Linux baseline console (target/linux/skconsole.c) and UDP echo.

Run under harness/linux/boot-qemu, which exports SK_SERIAL_HOST/PORT and SK_UDP_PORT:
  boot-qemu -- python3 harness/linux/skclient.py smoke [--json FILE]
The smoke test checks md5 digests against hashlib (md5_chain as in target/lib/md5.h:
d1 = MD5(msg), d(k) = MD5(d(k-1) raw 16 bytes), out = d(n)), the usb0 address, a UDP echo
through QEMU's slirp hostfwd to skecho, echo round-trip times, and halts the guest.
"""
import json
import os
import re
import socket
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from md5chain import md5_chain  # noqa: E402  host reference of target/lib/md5.h



class Console:
    """Line-oriented client of skconsole over QEMU's TCP serial chardev."""

    def __init__(self, host, port, timeout=30.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.timeout = timeout
        self.transcript = []

    def send(self, line):
        self.transcript.append("> " + line)
        self.sock.sendall(line.encode() + b"\n")

    def readline(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("console: no line; have %r" % self.buf)
            self.sock.settimeout(left)
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("console closed; have %r" % self.buf)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        text = line.decode(errors="replace").rstrip("\r")
        while text.startswith("> "):  # prompts, as the harness strips them
            text = text[2:]
        self.transcript.append("< " + text)
        return text

    def expect(self, pattern, timeout=None):
        """Reads lines until one matches pattern (kernel messages are skipped)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        rx = re.compile(pattern)
        while True:
            line = self.readline(deadline)
            m = rx.search(line)
            if m:
                return m

    def md5(self, n, text, timeout=None):
        self.send("md5 %d %s" % (n, text))
        self.expect(r"^md5-start$", timeout)
        self.expect(r"^md5-end$", timeout)
        m = self.expect(r"^md5 n=(\d+) digest=([0-9a-f]{32}) cycles=(\d+) us=(\d+)$", timeout)
        return {"n": int(m.group(1)), "digest": m.group(2), "cycles": int(m.group(3)),
                "us": int(m.group(4))}


def udp_echo(port, payload, tries=10, wait=2.0):
    """Sends payload to 127.0.0.1:port until it comes back; returns (rtt_s, attempts)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for attempt in range(1, tries + 1):
            t0 = time.perf_counter()
            s.sendto(payload, ("127.0.0.1", port))
            s.settimeout(wait)
            try:
                while True:
                    data, _ = s.recvfrom(65536)
                    if data == payload:
                        return time.perf_counter() - t0, attempt
            except socket.timeout:
                continue
        raise TimeoutError("udp echo: no reply to %r after %d tries" % (payload, tries))
    finally:
        s.close()


def smoke(argv):
    out_json = None
    if len(argv) >= 2 and argv[0] == "--json":
        out_json = argv[1]
    env = os.environ
    con = Console(env.get("SK_SERIAL_HOST", "127.0.0.1"), int(env["SK_SERIAL_PORT"]))
    udp_port = int(env["SK_UDP_PORT"])
    result = {"boot_ready_s": float(env.get("SK_BOOT_READY_S", "nan")), "ok": False}
    failures = []
    try:
        con.send("info")
        result["info"] = con.expect(r"^info .*").group(0)

        for n, text in ((1, "abc"), (1000, "hello world")):
            r = con.md5(n, text)
            want = md5_chain(text.encode(), n)
            r["expected"] = want
            result["md5_%d" % n] = r
            print("md5 n=%d digest=%s expected=%s us=%d cycles=%d %s" % (
                n, r["digest"], want, r["us"], r["cycles"],
                "OK" if r["digest"] == want else "MISMATCH"))
            if r["digest"] != want or r["n"] != n:
                failures.append("md5 %d %r" % (n, text))

        con.send("net usb0")
        m = con.expect(r"^net if=usb0 .*")
        result["net"] = m.group(0)
        print(m.group(0))
        if "addr=10.0.2.15" not in m.group(0) or "up=1" not in m.group(0):
            failures.append("usb0 has no 10.0.2.15")

        t_first = time.perf_counter()
        rtt, attempts = udp_echo(udp_port, b"Echo1")
        result["udp_first"] = {"rtt_ms": rtt * 1e3, "attempts": attempts,
                               "until_reply_s": time.perf_counter() - t_first}
        print("udp echo 'Echo1' ok: %.2f ms, attempt %d" % (rtt * 1e3, attempts))
        for size in (16, 64, 512, 1400):
            payload = bytes((i * 7 + size) & 0xff for i in range(size))
            rtts = [udp_echo(udp_port, payload, tries=3)[0] * 1e3 for _ in range(20)]
            result["udp_rtt_ms_%d" % size] = {"median": statistics.median(rtts),
                                              "min": min(rtts), "max": max(rtts)}
            print("udp echo %4d B: median %.2f ms (min %.2f, max %.2f, 20 samples)" % (
                size, statistics.median(rtts), min(rtts), max(rtts)))
    except Exception as e:  # noqa: BLE001 - any failure ends the test with the transcript
        failures.append("%s: %s" % (type(e).__name__, e))
    finally:
        try:
            con.send("halt")
            con.expect(r"^halt$", timeout=10)  # (the echoed command is "halt" too)
        except Exception as e:  # noqa: BLE001
            failures.append("halt: %s" % e)
    result["failures"] = failures
    result["ok"] = not failures
    if out_json:
        with open(out_json, "w") as f:
            json.dump(result, f, indent=1)
    if failures:
        print("FAIL: " + "; ".join(failures), file=sys.stderr)
        print("\n".join(con.transcript[-40:]), file=sys.stderr)
        return 1
    return 0


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "smoke":
        sys.exit(smoke(sys.argv[2:]))
    print(__doc__, file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    main()
