#!/usr/bin/env python3
"""Serverkernel sandbox end to end (target/sk/sandbox.c) on the test firmware image
(SK_FW_TEST_CMDS: console 'sbtest', payloads of target/tests/payloads).

usage: sandbox_e2e.py sim SIM TEST_IMG CASE      (bcm2835-sim, console input from a file)
       sandbox_e2e.py qemu QEMU TEST_IMG CASE    (qemu-system-arm -M raspi0, one command per prompt)

Every case runs its commands in ONE boot and ends with a shielded 'sbtest hello' that must
still succeed: a faulty payload ends with its status and the node keeps serving. Checks
are on the machine-readable reply lines (sbtest.c): status, retval, fault address/pc,
output bytes. Cycle figures are printed, never compared with a threshold."""
import json, os, re, select, subprocess, sys, tempfile, time

ARENA = (0x00400000, 0x00500000)
GUARD = (0x00500000, 0x00501000)
HELLO = {"status": "ok", "retval": "42", "out": "hello:sbtest!!", "out_len": "14", "trunc": "0"}


def in_arena(v):
    return ARENA[0] <= int(v, 16) < ARENA[1]


# case -> list of (command, name, mode, expectations); an expectation is a value to equal
# or a predicate on the field's text.
CASES = {
    # the same blob loaded 640 KiB + 4 further into the arena runs the same (no absolute
    # addresses in the payload code)
    "hello": [("sbtest hello", "hello", "shielded", HELLO),
              ("sbtest offset 655364", None, "skip", None),
              ("sbtest hello", "hello", "shielded", dict(HELLO, fault_pc="0x00000000")),
              ("sbtest stack", "stack", "shielded", {"status": "abort", "fault_pc": lambda v: int(v, 16) > 0x004A0000}),
              ("sbtest offset 0", None, "skip", None),
              # hello left its message on the stack and its argument in the argument area:
              # the next payload finds nothing of either (both are cleared after each run)
              ("sbtest hello", "hello", "shielded", HELLO),
              ("sbtest peek", "peek", "shielded", {"status": "ok", "retval": "0"})],
    # the timer storm (ST C3, lowest VMIT level) and console RX keep running during the
    # payload: >= 150 of the storm's 10 kHz ticks must land inside the 20 ms run
    "loop": [("storm 10000", None, "skip", None),
             ("sbtest loop 20000", "loop", "shielded",
              {"status": "budget", "us": lambda v: int(v) >= 20000, "fault_pc": in_arena}),
             ("storm 0", None, "skip", None),
             ("vmit", None, "storm", None),
             ("info", None, "info", None)],
    "wild": [("sbtest wild", "wild", "shielded",
              {"status": "abort", "fault_addr": "0x00008000", "fault_pc": in_arena}),
             ("sbtest periph", "periph", "shielded",
              {"status": "abort", "fault_addr": "0x20003004", "fault_pc": in_arena}),
             ("sbtest apiw", "apiw", "shielded",  # API table page: user read-only
              {"status": "abort", "fault_addr": "0x00510008", "fault_pc": in_arena})],
    "pabt": [("sbtest jump", "jump", "shielded",
              {"status": "abort", "fault_addr": "0x00008000", "fault_pc": "0x00008000"}),
             ("sbtest xn", "xn", "shielded",
              {"status": "abort", "fault_addr": lambda v: 0x00501000 <= int(v, 16) < 0x00510000,
               "fault_pc": lambda v: 0x00501000 <= int(v, 16) < 0x00510000})],
    # budgets of different lengths expire in different places; on the simulator (fixed
    # timing) at least one of them lands inside an API call: the deferred path is taken
    "spin": [("sbtest spin 5000", "spin", "shielded", {"status": "budget", "us": lambda v: int(v) >= 5000}),
             ("sbtest spin 3000", None, "skip", None),
             ("sbtest spin 7777", None, "skip", None),
             ("sbtest stats", None, "spinstats", None)],
    "undef": [("sbtest undef", "undef", "shielded",
               {"status": "undef", "fault_pc": in_arena}),
              # privileged CP15 operations from user mode: cache maintenance, cycle counter
              ("sbtest cp15", "cp15", "shielded", {"status": "undef", "fault_pc": in_arena}),
              ("sbtest ccnt", "ccnt", "shielded", {"status": "undef", "fault_pc": in_arena})],
    "stack": [("sbtest stack", "stack", "shielded",
               {"status": "abort", "fault_addr": lambda v: GUARD[0] <= int(v, 16) < GUARD[1],
                "fault_pc": in_arena})],
    "badcall": [("sbtest svcbad", "svcbad", "shielded",
                 {"status": "badcall", "fault_addr": "0x0000004d", "fault_pc": in_arena}),
                ("sbtest badptr", "badptr", "shielded",
                 {"status": "badcall", "fault_addr": "0x00000000", "out_len": "0"}),
                # the test image removes udp_send (SK_FW_API_MASK=0x1F): SK_ERR_DENIED
                ("sbtest thumb", "thumb", "shielded", {"status": "ok", "retval": "1"}),  # SVC in Thumb state
                ("sbtest udp", "udp", "shielded", {"status": "ok", "retval": "-100"}),
                ("sbtest trusted udp", "udp", "trusted", {"status": "ok", "retval": "-100"}),
                # semihosting SYS_EXIT from user mode: an unknown SVC, not a machine stop
                ("sbtest semihost", "semihost", "shielded", {"status": "badcall", "fault_addr": "0x00123456"}),
                # refused before running: budget above SK_SB_MAX_BUDGET_US
                ("sbtest loop 15000001", "loop", "shielded", {"status": "inval"})],
    "trusted": [("sbtest trusted hello", "hello", "trusted", HELLO),
                ("sbtest trusted stack", "stack", "trusted", {"status": "abort"}),
                ("sbtest trusted undef", "undef", "trusted", {"status": "undef"}),
                ("sbtest trusted loop 10000", "loop", "trusted", {"status": "budget"}),
                ("sbtest bench 1000", None, None, None)],
}
CASES["qemu"] = ([("sbtest loop 20000", "loop", "shielded", {"status": "budget", "fault_pc": in_arena})] +
                 [c for k in ("hello", "wild", "pabt", "undef", "stack", "badcall", "trusted")
                    for c in CASES[k]] + CASES["spin"][:1])
CASES["all"] = [c for k in ("hello", "loop", "wild", "pabt", "spin", "undef", "stack", "badcall", "trusted")
                for c in CASES[k]]

FIELD = re.compile(r"(\w+)=(\S*)")


def parse(line):
    return dict(FIELD.findall(line))


def check_run(lines, cmd, name, mode, exp, fail, start=0):
    """Checks the first reply line for (name, mode) at or after lines[start]; returns the
    index after it (replies are matched in command order)."""
    want = "sbtest name=%s mode=%s " % (name, mode)
    got = [i for i in range(start, len(lines)) if lines[i].startswith(want)]
    if not got:
        fail("%s: no '%s...' line" % (cmd, want))
        return start
    f = parse(lines[got[0]])
    if "status" in exp and exp["status"] != "inval":
        exp = dict(exp, kstate="ok")  # every run leaves stacks, modes and IRQ state as found
    for k, v in exp.items():
        ok = v(f.get(k, "")) if callable(v) else f.get(k) == v
        if not ok:
            fail("%s: %s=%s (want %s)" % (cmd, k, f.get(k), "predicate" if callable(v) else v))
    print("ok: %s -> status=%s retval=%s cycles=%s fault_addr=%s fault_pc=%s" % (
        cmd, f.get("status"), f.get("retval"), f.get("cycles"), f.get("fault_addr"), f.get("fault_pc")))
    return got[0] + 1


def check_bench(lines, fail, exact_clock):
    """per_call > 0 only where cycles are exact (simulator CCNT); QEMU's come from the 1 MHz
    timer and host scheduling, so an empty run can take longer than 1000 calls there."""
    for mode in ("shielded", "trusted"):
        b = [l for l in lines if l.startswith("sbtest-bench mode=%s " % mode)]
        if not b:
            fail("no sbtest-bench line for %s" % mode)
            continue
        f = parse(b[0])
        if f.get("status") != "ok,ok" or (exact_clock and int(f.get("per_call", "0")) <= 0):
            fail("bench %s: %s" % (mode, b[0]))
        print("bench: %s" % b[0])


def run_sim(sim, img, cmds, extra_wait_lines=0, modem=None):
    with tempfile.TemporaryDirectory() as d:
        inp, out, stats = os.path.join(d, "in"), os.path.join(d, "out"), os.path.join(d, "stats.json")
        extra = []
        if modem:
            with open(os.path.join(d, "modem.scr"), "w") as fh:
                fh.write(modem)
            extra = ["--uart1-modem", os.path.join(d, "modem.scr")]
        with open(inp, "w") as fh:
            for c in cmds:
                fh.write(c + "\n")
                if c.startswith("sbtest hang"):
                    fh.write("\n" * extra_wait_lines)  # console input keeps arriving across the reset
            fh.write("halt\n")
        r = subprocess.run(["timeout", "300", sim, "--uart0", "file:" + out, "--uart0-in", inp,
                            "--max-cycles", "20000000000", "--stats-json", stats] + extra + [img],
                           stdin=subprocess.DEVNULL)
        text = open(out, "rb").read().decode("latin-1").replace("\r", "")
        st = json.load(open(stats)) if os.path.exists(stats) else {}
        return r.returncode, text, st


def run_qemu(qemu, img, cmds, limit=90):
    t0 = time.monotonic()
    p = subprocess.Popen(["timeout", str(limit), qemu, "-M", "raspi0", "-bios", img, "-display", "none",
                          "-monitor", "none", "-serial", "stdio", "-semihosting"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    buf = b""

    def wait_prompts(n):
        nonlocal buf
        while buf.decode("latin-1").count("> ") < n:
            left = t0 + limit - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([p.stdout], [], [], left)
            if r:
                chunk = os.read(p.stdout.fileno(), 4096)
                if not chunk:
                    return False
                buf += chunk
        return True

    ok = wait_prompts(1)
    for i, c in enumerate(cmds + ["halt"]):
        if not ok:
            break
        p.stdin.write((c + "\n").encode())
        p.stdin.flush()
        if c != "halt":
            ok = wait_prompts(i + 2)
    try:
        p.stdin.close()
        rc = p.wait(timeout=max(1, t0 + limit + 5 - time.monotonic()))
    except (subprocess.TimeoutExpired, BrokenPipeError):
        p.kill()
        rc = p.wait()
    buf += p.stdout.read()
    return rc, buf.decode("latin-1").replace("\r", ""), {}


def main():
    backend, emu, img, case = sys.argv[1:5]
    failures = []

    def fail(m):
        failures.append(m)
        print("FAIL:", m)

    if not os.path.isfile(img):
        print("FAIL: image %s missing" % img)
        return 1
    if case == "vmio":
        # EnOcean telegrams on the mini UART while a payload spins for 100 ms: VMIT takes
        # the RX interrupts and VMIO decodes and reports every telegram DURING the run (the
        # report lines come before the run's reply), nothing is lost.
        if backend != "sim":
            print("FAIL: vmio case is simulator-only (modem model)")
            return 1
        rc, text, _ = run_sim(emu, img, ["eno start 57600", "sbtest loop 100000", "eno stats", "vmit",
                                         "sbtest hello"],
                              modem="baud 57600\nstart rx\nat 10000\nburst 10 rps id=01020304 data=50\n")
        print(text)
        lines = text.split("\n")
        if rc != 0:
            fail("simulator exit status %d" % rc)
        try:
            a = lines.index("> sbtest loop 100000")
            b = [i for i, l in enumerate(lines) if l.startswith("sbtest name=loop ")][0]
        except (ValueError, IndexError):
            fail("loop command or reply missing")
            a = b = 0
        during = [l for l in lines[a:b] if l.startswith("eno seq=")]
        if len(during) != 10:
            fail("%d telegram reports during the payload run (want 10)" % len(during))
        else:
            print("ok: 10 telegrams decoded and reported by VMIO while the payload ran")
        check_run(lines, "sbtest loop 100000", "loop", "shielded", {"status": "budget"}, fail)
        st = [parse(l) for l in lines if l.startswith("eno-stats ")]
        if not st or st[0].get("telegrams") != "10" or st[0].get("overruns") != "0" or st[0].get("rx_dropped") != "0":
            fail("eno stats: %s" % st)
        vt = [parse(l) for l in lines if l.startswith("vmit-total ")]
        if not vt or int(vt[0].get("vmio_runs", "0")) < 10:
            fail("vmio_runs: %s" % vt)
        check_run(lines, "final sbtest hello", "hello", "shielded", HELLO, fail, b + 1)
    elif case == "watchdog":
        if backend != "sim":
            print("FAIL: watchdog case is simulator-only")
            return 1
        rc, text, st = run_sim(emu, img, ["sbtest hello", "sbtest hang 200", "info", "sbtest hello"],
                               extra_wait_lines=4000)
        print(text)
        lines = text.split("\n")
        if rc != 0:
            fail("simulator exit status %d" % rc)
        if sum(1 for l in lines if l.startswith("rpi-serverkernel ")) != 2:
            fail("want two banners (boot, boot after the watchdog reset)")
        if "sbtest hang wdog_ms=200" not in lines or any("status=no-reset" in l for l in lines):
            fail("hang hook did not hang until the reset")
        after = lines[[i for i, l in enumerate(lines) if l.startswith("rpi-serverkernel ")][-1]:]
        if not any(l.startswith("info board=") for l in after):
            fail("no info reply after the reset")
        check_run(after, "sbtest hello (after reset)", "hello", "shielded", HELLO, fail)
        if st.get("wdog_resets") != 1:
            fail("simulator wdog_resets=%s (want 1)" % st.get("wdog_resets"))
        else:
            print("ok: watchdog reset counted by the simulator: wdog_resets=1")
    else:
        steps = CASES[case] + [("sbtest hello", "hello", "shielded", HELLO)]
        cmds = [s[0] for s in steps]
        rc, text, _ = (run_sim if backend == "sim" else run_qemu)(emu, img, cmds)
        print(text)
        lines = text.split("\n")
        if rc != 0:
            fail("%s exit status %d" % (backend, rc))
        if any(l.startswith("FATAL") for l in lines):
            fail("kernel fault report")
        pos = 0
        for i, (cmd, name, mode, exp) in enumerate(steps):
            if mode == "skip":
                continue
            elif mode == "storm":
                t = [int(m.group(1)) for l in lines for m in [re.match(r"vmit src=3 prio=0 taken=(\d+) ", l)] if m]
                if not t or t[-1] < 150:
                    fail("storm ticks during the payload run: %s (want >= 150)" % t)
                else:
                    print("ok: storm source taken=%d across the 20 ms payload run" % t[-1])
            elif mode == "spinstats":
                t = [parse(l) for l in lines if l.startswith("sbtest-stats ")]
                if not t or int(t[-1].get("budget_in_api", "0")) < 1 or int(t[-1].get("budget", "0")) < 3:
                    fail("spin: no budget expiry inside an API call: %s" % t[-1:])
                else:
                    print("ok: budget expired inside an API call in %s of %s spin runs" % (
                        t[-1]["budget_in_api"], t[-1]["budget"]))
            elif mode == "info":
                i = [l for l in lines if l.startswith("info ")]
                if not i or parse(i[-1]).get("rx_overruns") != "0":
                    fail("console RX overruns during the run: %s" % i[-1:])
            elif name is None:
                check_bench(lines, fail, backend == "sim")
            else:
                pos = check_run(lines, ("final " if i == len(steps) - 1 else "") + cmd, name, mode, exp, fail, pos)
        want = len([s for s in steps if s[1] is not None or s[2] is None])
        if len([l for l in lines if l.startswith("sbtest name=") or l.startswith("sbtest-bench ")]) < want:
            fail("fewer replies than commands")
    if failures:
        print("FAIL: %d check(s)" % len(failures))
        return 1
    print("PASS: sandbox %s on %s" % (case, backend))
    return 0


if __name__ == "__main__":
    sys.exit(main())
