"""Speed-up of a CPU-bound sweep on the local Dask cluster with 1 and 2 workers, and the scheduling overhead.

The same sweep (``kwinner-retention --quick`` at a reduced protocol over k x seeds, every task single-threaded)
runs twice from scratch, once on a local cluster with one worker and once with two. Prints, for each: the wall
time of the whole command (cluster start, tasks, combining, figure), the time from the first task's start to the
last task's end, the summed compute time of the tasks (from ``executions.log``), and the scheduling overhead per
task = (task-phase wall time x workers - summed compute time) / tasks: time a worker slot was not computing. The
speed-up is the ratio of the wall times; both sweeps must give the same ``sweep.nc``.

    python scripts/bench_sweep.py [--seeds 6] [--memories 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import xarray as xr

from biokv import experiments
from biokv.io.results import read_dataset
from biokv.sweep import run_sweep


def _timed_sweep(out: Path, workers: int, args) -> dict:
    shared = [f"protocol.n_burnin={args.memories // 2}", f"protocol.n_memories={args.memories}",
              "protocol.fit_max_age=100", "protocol.cue_levels=1"]
    start = time.perf_counter()
    run_sweep("kwinner-retention", ["kwinner.k=10,50"], seeds=args.seeds, quick=True, overrides=shared,
              out_dir=out, workers=workers, quiet=True)
    wall = time.perf_counter() - start
    events = [json.loads(line) for line in (out / "executions.log").read_text().splitlines()]
    times = [dt.datetime.fromisoformat(e["time"]).timestamp() for e in events]
    done = [e for e in events if e["event"] == "done"]
    phase = max(times) - min(times)
    compute = sum(e["elapsed_s"] for e in done)
    return {"wall": wall, "phase": phase, "compute": compute, "tasks": len(done),
            "overhead_per_task": (phase * workers - compute) / len(done)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--memories", type=int, default=1000)
    args = parser.parse_args()
    # numba's on-disk cache is filled once, so that neither run pays for compilation
    experiments.run("kwinner-retention", quick=True, overrides=["protocol.n_burnin=10", "protocol.n_memories=20",
                                                                 "protocol.fit_max_age=10"], write=False, quiet=True)
    with tempfile.TemporaryDirectory() as tmp:
        res = {w: _timed_sweep(Path(tmp) / f"workers{w}", w, args) for w in (1, 2)}
        a, b = (read_dataset(Path(tmp) / f"workers{w}" / "sweep.nc") for w in (1, 2))
        xr.testing.assert_identical(a.drop_attrs(deep=False), b.drop_attrs(deep=False))
    print(f"kwinner-retention --quick, n_memories {args.memories}, k in (10, 50) x {args.seeds} seeds = "
          f"{res[1]['tasks']} tasks, one single-threaded task per worker")
    print("workers | wall (s) | task phase (s) | summed task compute (s) | scheduling overhead per task (s)")
    for w, r in res.items():
        print(f"{w:7d} | {r['wall']:8.1f} | {r['phase']:14.1f} | {r['compute']:23.1f} | {r['overhead_per_task']:.3f}")
    print(f"speed-up 2 vs 1 workers: {res[1]['wall'] / res[2]['wall']:.2f}x (whole command), "
          f"{res[1]['phase'] / res[2]['phase']:.2f}x (task phase); target >= 1.7x")
    print("both sweeps gave identical sweep.nc data")


if __name__ == "__main__":
    main()
