#!/usr/bin/env python3
"""Guest MIPS of bcm2835-sim (timing model on, and --timing insn) next to QEMU raspi0,
running the same kernel.img and the same MD5 workload in one run.

Method: the firmware's `md5 N TEXT` prints md5-start / md5-end around the work. The
simulator's --stats-json gives guest instructions and host seconds for a whole run; two
runs (N and 1) isolate the MD5 work: dI = instructions(N) - instructions(1), dT likewise.
QEMU runs the same image; the host timestamps md5-start/md5-end on its serial output, and
its MIPS is dI / (t_end - t_start) (QEMU executes the same instructions; it has no
instruction counter without -icount, which slows it). Prints a table and JSON.
usage: mips-vs-qemu.py SIM KERNEL [N] [--reps R]"""
import json, os, subprocess, sys, tempfile, time, select

def sim_run(sim, kernel, n, timing, tmp):
    inp = os.path.join(tmp, "in.txt")
    with open(inp, "w") as f:
        f.write(f"md5 {n} The quick brown fox jumps over the lazy dog\nhalt\n")
    st = os.path.join(tmp, "stats.json")
    subprocess.run([sim, "--uart0", "null", "--uart0-in", inp, "--timing", timing,
                    "--stats-json", st, kernel], check=True, timeout=900, stdin=subprocess.DEVNULL)
    d = json.load(open(st))
    return d["instructions"], d["host_seconds"]

def qemu_marker_time(kernel, n, timeout=900):
    p = subprocess.Popen(["qemu-system-arm", "-M", "raspi0", "-bios", kernel, "-display", "none",
                          "-monitor", "none", "-serial", "stdio", "-semihosting"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    buf, t_start, t_end, sent = b"", None, None, False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            r, _, _ = select.select([p.stdout], [], [], 1.0)
            if not r:
                continue
            chunk = os.read(p.stdout.fileno(), 65536)
            now = time.monotonic()
            if not chunk:
                break
            buf += chunk
            if not sent and b"> " in buf:
                p.stdin.write(f"md5 {n} The quick brown fox jumps over the lazy dog\n".encode()); p.stdin.flush()
                sent = True
            if t_start is None and b"md5-start\r\n" in buf:
                t_start = now
            if t_start is not None and t_end is None and b"md5-end\r\n" in buf:
                t_end = now
                p.stdin.write(b"halt\n"); p.stdin.flush()
            if t_end is not None and b"\nhalt" in buf:
                break
    finally:
        p.kill(); p.wait()
    if t_start is None or t_end is None:
        sys.exit("qemu: markers not seen")
    return t_end - t_start

def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    reps = 3
    if "--reps" in sys.argv:
        reps = int(sys.argv[sys.argv.index("--reps") + 1]); args.remove(str(reps))
    if len(args) < 2:
        sys.exit(__doc__)
    sim, kernel = args[0], args[1]
    n = int(args[2]) if len(args) > 2 else 1000000
    out = {"n": n, "reps": reps}
    with tempfile.TemporaryDirectory() as tmp:
        for timing in ("trm", "insn"):
            i1, t1 = sim_run(sim, kernel, 1, timing, tmp)
            best = None
            for _ in range(reps):
                iN, tN = sim_run(sim, kernel, n, timing, tmp)
                best = tN if best is None else min(best, tN)
            out[f"sim_{timing}_insns"] = iN - i1
            out[f"sim_{timing}_mips"] = (iN - i1) / (best - t1) / 1e6
        q = min(qemu_marker_time(kernel, n) for _ in range(reps))
        out["qemu_seconds"] = q
        out["qemu_mips"] = out["sim_trm_insns"] / q / 1e6
    out["ratio_sim_trm_over_qemu"] = out["sim_trm_mips"] / out["qemu_mips"]
    print(f"MD5 chain N={n}: {out['sim_trm_insns']} guest instructions (best of {reps} runs)")
    print(f"  bcm2835-sim, timing model on : {out['sim_trm_mips']:8.1f} MIPS")
    print(f"  bcm2835-sim, --timing insn   : {out['sim_insn_mips']:8.1f} MIPS")
    print(f"  qemu-system-arm -M raspi0    : {out['qemu_mips']:8.1f} MIPS")
    print(f"  ratio sim(timing on) / qemu  : {out['ratio_sim_trm_over_qemu']:8.2f}")
    print(json.dumps(out))

if __name__ == "__main__":
    main()
