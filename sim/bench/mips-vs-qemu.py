#!/usr/bin/env python3
"""Guest MIPS of bcm2835-sim (timing model on, and --timing insn) next to QEMU raspi0,
running the same kernel.img and the same MD5 workload in one run.

Method: the firmware's `md5 N TEXT` prints md5-start / md5-end around the work. The
simulator's --stats-json gives guest instructions and host seconds for a whole run; two
runs (N and 1) isolate the MD5 work: dI = instructions(N) - instructions(1), dT likewise.
QEMU runs the same image through skbench's QEMU backend, which timestamps md5-start/md5-end
on its serial output; its MIPS is dI / (t_end - t_start) (QEMU executes the same instructions; it has no
instruction counter without -icount, which slows it). Prints a table and JSON.
usage: mips-vs-qemu.py SIM KERNEL [N] [--reps R]"""
import json, os, subprocess, sys, tempfile

TEXT = "The quick brown fox jumps over the lazy dog"


def sim_run(sim, kernel, n, timing, tmp):
    inp = os.path.join(tmp, "in.txt")
    with open(inp, "w") as f:
        f.write(f"md5 {n} {TEXT}\nhalt\n")
    st = os.path.join(tmp, "stats.json")
    subprocess.run([sim, "--uart0", "null", "--uart0-in", inp, "--timing", timing,
                    "--stats-json", st, kernel], check=True, timeout=900, stdin=subprocess.DEVNULL)
    d = json.load(open(st))
    return d["instructions"], d["host_seconds"]

def qemu_marker_time(skbench, kernel, n, reps, tmp):
    """Best execution time (s) of `md5 n` on QEMU raspi0 over reps, by the host timestamps of
    the md5-start/md5-end markers, through skbench's QEMU backend (same method as fig. 5)."""
    out = os.path.join(tmp, "qemu")
    env = dict(os.environ, SK_KERNEL_IMG=kernel)
    subprocess.run([skbench, "run", "md5", "--target", "qemu", "--set", f"n={n}", "--set",
                    f"text={TEXT}", "--reps", str(reps), "--out", out, "--quiet", "--no-plot"],
                   check=True, timeout=900, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    runs = [b["real_time"] for b in json.load(open(os.path.join(out, "results.json")))["benchmarks"]
            if b["run_type"] == "iteration"]
    return min(runs) / 1e6

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
        q = qemu_marker_time(os.path.join(os.path.dirname(sim), "..", "harness", "skbench"), kernel, n, reps, tmp)
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
