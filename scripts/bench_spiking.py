"""Speed of the spiking hippocampal network on Brian2's devices.

Simulates the same protocol (default network size; P key -> value pairs encoded, then recalled from their full
keys) on the runtime device (numpy target) and on the C++ standalone device (build + run, then a second run
with new patterns through ``run_args``), each in its own process so that Brian2's global device state cannot
leak between them. Prints wall time per simulated second, the standalone/runtime ratio, the compile time and
the re-run overhead over the pure simulation.

    python scripts/bench_spiking.py [--pairs 10]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap

WORKER = textwrap.dedent("""
    import json, sys, time
    import brian2
    from biokv.hippocampus.rate_twin import HippocampalRateTwin
    from biokv.core.common.patterns import random_subsets_runs
    from biokv.core.common.rng import run_seeds
    from biokv.hippocampus.description import hippocampal_network
    from biokv.spiking import SpikingHippocampus, SpikingParameters

    device, pairs, build_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    # the device is the script's choice, as in a user's script: the runner uses whatever device is active
    if device == "cpp_standalone":
        brian2.set_device("cpp_standalone", directory=build_dir, build_on_run=False, with_output=False)
    else:
        brian2.prefs.codegen.target = "numpy"
    d = hippocampal_network()
    state = HippocampalRateTwin(d).init_state(0, [0])
    def patterns(stream, n, s):
        return random_subsets_runs(run_seeds(0, stream, [0]), pairs, n, s)[0]
    keys, values = patterns("keys", 1000, 100), patterns("values", 1000, 100)
    net = SpikingHippocampus(d, SpikingParameters())
    out = {"simulated_s": 2 * pairs * float(net.params.presentation)}
    t = time.perf_counter()
    net.simulate(state, 0, keys, values, keys, seed=1)
    out["first"] = time.perf_counter() - t
    if device == "cpp_standalone":
        keys2, values2 = patterns("keys2", 1000, 100), patterns("values2", 1000, 100)
        t = time.perf_counter()
        net.simulate(state, 0, keys2, values2, keys2, seed=2)
        out["rerun"] = time.perf_counter() - t
        out["compilations"] = net.compilations
        t = time.perf_counter()  # the binary alone (the last run's values), without Python around it
        brian2.device.run(with_output=False)
        out["binary"] = time.perf_counter() - t
    print(json.dumps(out))
""")


def run(device: str, pairs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="biokv-bench-") as build_dir:
        proc = subprocess.run([sys.executable, "-c", WORKER, device, str(pairs), build_dir], capture_output=True,
                              text=True)
    if proc.returncode:
        raise RuntimeError(f"{device} run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=10, help="key -> value pairs (default 10: 20 presentations)")
    args = ap.parse_args(argv)
    rt = run("runtime", args.pairs)
    sa = run("cpp_standalone", args.pairs)
    sim = rt["simulated_s"]
    print(f"protocol: {args.pairs} pairs encoded and recalled, {sim:.1f} s simulated, default network size")
    print(f"runtime (numpy target), code generation + run: {rt['first']:8.1f} s  ({rt['first'] / sim:.1f} s per "
          f"simulated s)")
    print(f"cpp_standalone, build + compile + first run:   {sa['first']:8.1f} s")
    print(f"cpp_standalone, re-run with new patterns:      {sa['rerun']:8.1f} s  ({sa['rerun'] / sim:.2f} s per "
          f"simulated s; compilations: {sa['compilations']})")
    print(f"cpp_standalone, the binary alone:              {sa['binary']:8.1f} s")
    print(f"standalone re-run vs runtime: {rt['first'] / sa['rerun']:.1f}x faster; compile overhead "
          f"{sa['first'] - sa['rerun']:.1f} s; re-run overhead over the binary {sa['rerun'] - sa['binary']:.2f} s")


if __name__ == "__main__":
    main()
