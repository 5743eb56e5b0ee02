"""fwconsole: the firmware's text console driven from the end-to-end test scripts
(target/tests/sim_*.sh): spawn the simulator (or QEMU) with the console on stdio, read its
output until a regular expression matches (every wait bounded), send command lines, collect
failures, and stop the target with `halt` (semihosting exit, status 0).

    con = Console(cmd)                      # prints the command line
    m = con.read_until(r"^net-up .*\\n", "net-up")   # a match, or None + a recorded failure
    con.clear(); con.send("net")
    con.halt()                              # failure unless the target exits 0
    sys.exit(con.finish("fw_sim_..."))      # prints PASS/FAIL, returns the exit status
"""
import os
import re
import select
import subprocess
import time


class Console:
    def __init__(self, cmd, name="simulator"):
        print("run:", " ".join(cmd))
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.name = name
        self.buf = b""
        self.failures = []
        self.t0 = time.monotonic()

    def fail(self, msg):
        self.failures.append(msg)
        print("FAIL:", msg)

    def text(self):
        """Everything read since the last clear(), with CR LF folded to LF."""
        return self.buf.decode("latin-1").replace("\r\n", "\n")

    def clear(self):
        self.buf = b""

    def pump(self, secs):
        """Waits up to secs for output; True when some arrived."""
        r, _, _ = select.select([self.p.stdout], [], [], max(secs, 0))
        if r:
            chunk = os.read(self.p.stdout.fileno(), 4096)
            if chunk:
                self.buf += chunk
                return True
        return False

    def wait_for(self, pred, what, secs=30):
        """Reads until pred(text) returns a true value and returns that value, or None after
        recording a failure (timeout, or the target ended)."""
        deadline = time.monotonic() + secs
        while True:
            v = pred(self.text())
            if v:
                return v
            left = deadline - time.monotonic()
            if left <= 0:
                self.fail("timeout waiting for " + what)
                return None
            if self.p.poll() is not None and not self.pump(0):
                self.fail("%s ended while waiting for %s" % (self.name, what))
                return None
            self.pump(min(left, 0.2))

    def read_until(self, rx, what, secs=30):
        """wait_for a match of rx (re.M); returns the match or None."""
        return self.wait_for(lambda t: re.search(rx, t, re.M), what, secs)

    def send(self, line):
        self.p.stdin.write((line + "\n").encode())
        self.p.stdin.flush()

    def close(self, secs=30):
        """Closes the target's input and waits (bounded; then kills it) for it to exit;
        prints its stderr; returns the exit status."""
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        try:
            rc = self.p.wait(timeout=max(1, secs))
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        err = self.p.stderr.read().decode("latin-1").strip()
        if err:
            print("%s stderr: %s" % (self.name, err))
        return rc

    def halt(self, secs=30):
        """`halt`, then the target must exit with status 0 within secs."""
        try:
            self.send("halt")
        except BrokenPipeError:
            pass
        rc = self.close(secs)
        if rc != 0:
            self.fail("%s exit status %d (want 0 after halt)" % (self.name, rc))
        return rc

    def finish(self, test):
        if self.failures:
            print("FAIL: %d check(s) failed" % len(self.failures))
            return 1
        print("PASS: %s (%.2f s)" % (test, time.monotonic() - self.t0))
        return 0
