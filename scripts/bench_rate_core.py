"""Speed of the reference core on the kwinner-retention d' panel.

Runs the d' panel of ``kwinner-retention`` (both models, one cue level, 10 samples x 20 runs, full protocol: 2000
burn-in patterns, 2000 memories, 2000 pseudo-memories) with the batched core, and times, in the same process, the
straightforward single-network loop (:class:`biokv.core.KWinnerMHNReference`, one pattern at a time) on a subset
of one run's steps, extrapolated to whole runs. Prints both times, their ratio and the peak memory, and the
time of the same loop written with dense BLAS products (fast, but not bit-exact) as a second baseline.

    python scripts/bench_rate_core.py [--cue 1.0] [--samples 10] [--runs 20] [--subset 200]
"""

from __future__ import annotations

import argparse
import resource
import time

import numba
import numpy as np

from biokv.core import KWinnerMHN, KWinnerMHNReference, to_dense
from biokv.core.stats import metrics
from biokv.core.common.patterns import partial_cues, random_patterns
from biokv.core.kwinner.protocol import random_pattern_source, retention_overlaps

MODELS = {
    "kwinner": KWinnerMHN(n_visible=1000, n_hidden=2000, n_active=100, fan_in=0.05, k=50, learning_rate=0.3),
    "mhn": KWinnerMHN(n_visible=1000, n_hidden=100, n_active=100, fan_in=1.0, k=1, learning_rate=1.0),
}
N_BURNIN = N_MEMORIES = 2000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def batched_panel(cue: float, n_samples: int, runs: int, seed: int = 0):
    source = random_pattern_source(1000, 100, N_BURNIN, N_MEMORIES)
    dprime = {name: [] for name in MODELS}
    start = time.perf_counter()
    for sample in range(n_samples):
        res = retention_overlaps(MODELS, source, [cue], seed, [(sample, r) for r in range(runs)])
        for name, out in res.items():
            dprime[name].append(metrics.sample_dprime(out["real"][:, 0], out["pseudo"][:, 0], 100, run_axis=0))
    elapsed = time.perf_counter() - start
    return elapsed, {k: np.array(v) for k, v in dprime.items()}


def reference_seconds_per_run(model: KWinnerMHN, cue: float, subset: int) -> float:
    """Time ``subset`` learning steps and ``subset`` retrievals of the single-network loop; scale to a run
    (N_BURNIN + N_MEMORIES learning steps, 2 * N_MEMORIES retrievals)."""
    rng = np.random.default_rng(0)
    net = KWinnerMHNReference(model, rng)
    pats = random_patterns(rng, subset, model.n_visible, model.n_active)
    cues = partial_cues(rng, pats, cue)
    dense = to_dense(pats, model.n_visible)
    dense_cues = to_dense(cues, model.n_visible)
    t0 = time.perf_counter()
    for x in dense:
        net.learn(x)
    t_learn = (time.perf_counter() - t0) / subset
    t0 = time.perf_counter()
    for q, x in enumerate(dense_cues):
        net.retrieve(x, q)
    t_recall = (time.perf_counter() - t0) / subset
    return t_learn * (N_BURNIN + N_MEMORIES) + t_recall * 2 * N_MEMORIES


def blas_loop_seconds_per_run(model: KWinnerMHN, cue: float, subset: int) -> float:
    """The same per-pattern loop written for speed rather than exactness: dense matrix-vector products (BLAS)
    and ``argpartition`` for the k-WTA (ties by position). A second, faster baseline."""
    rng = np.random.default_rng(0)
    ref = KWinnerMHNReference(model, rng)
    w_in, w_out, mask = ref.W_in.copy(), ref.W_out.copy(), ref.mask
    eps, k, s = model.learning_rate, model.k, model.n_active
    dense = to_dense(random_patterns(rng, subset, model.n_visible, s), model.n_visible).astype(np.float64)
    cues = to_dense(partial_cues(rng, random_patterns(rng, subset, model.n_visible, s), cue),
                    model.n_visible).astype(np.float64)

    def step(x, learn):
        logits = w_in @ x
        winners = np.argpartition(-logits, k - 1)[:k]
        out = w_out[:, winners].sum(axis=1)
        y = np.zeros_like(x)
        y[np.argpartition(-out, s - 1)[:s]] = 1.0
        if learn:
            m = mask[winners]
            w_in[winners] += eps * (x - w_in[winners]) * m
            w_out[:, winners] += eps * (x[:, None] - w_out[:, winners]) * m.T
        return y

    t0 = time.perf_counter()
    for x in dense:
        step(x, True)
    t_learn = (time.perf_counter() - t0) / subset
    t0 = time.perf_counter()
    for x in cues:
        step(x, False)
    t_recall = (time.perf_counter() - t0) / subset
    return t_learn * (N_BURNIN + N_MEMORIES) + t_recall * 2 * N_MEMORIES


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cue", type=float, default=1.0, help="cue level of the panel (default 1.0)")
    ap.add_argument("--samples", type=int, default=10)
    ap.add_argument("--runs", type=int, default=20, help="runs per sample")
    ap.add_argument("--subset", type=int, default=200, help="steps timed in the straightforward loop")
    args = ap.parse_args(argv)

    print(f"threads: {numba.get_num_threads()}; panel: 2 models x {args.samples} samples x {args.runs} runs, "
          f"cue {args.cue}, {N_BURNIN} burn-in + {N_MEMORIES} memories + {N_MEMORIES} pseudo-memories per run")
    batched_panel(args.cue, 1, 2)  # compile (or load the cached kernels) outside the timing
    t_batched, dprime = batched_panel(args.cue, args.samples, args.runs)
    rss = peak_rss_mb()
    n_runs = args.samples * args.runs
    per_run = {name: reference_seconds_per_run(m, args.cue, args.subset) for name, m in MODELS.items()}
    t_reference = sum(per_run.values()) * n_runs
    print(f"batched core, whole panel:            {t_batched:8.1f} s  ({t_batched / (2 * n_runs) * 1e3:.1f} ms "
          f"per run and model)")
    for name, t in per_run.items():
        print(f"straightforward loop, {name:8s} per run: {t:8.2f} s  (from {args.subset} learning steps and "
              f"{args.subset} retrievals)")
    print(f"straightforward loop, whole panel:    {t_reference:8.1f} s  (extrapolated: {n_runs} runs per model)")
    print(f"speed-up over the straightforward loop: {t_reference / t_batched:.0f}x")
    blas = {name: blas_loop_seconds_per_run(m, args.cue, args.subset) for name, m in MODELS.items()}
    t_blas = sum(blas.values()) * n_runs
    print("BLAS per-pattern loop (not exact), per run: " + ", ".join(f"{k} {v:.2f} s" for k, v in blas.items())
          + f"; whole panel {t_blas:.1f} s; speed-up over it: {t_blas / t_batched:.0f}x")
    print(f"peak memory (max RSS of this process): {rss:.0f} MB")
    for name, d in dprime.items():
        m, sem = metrics.mean_and_sem(d, axis=0)
        print(f"  d' {name:8s} ages 1/100/200/500: " + ", ".join(f"{m[a - 1]:.2f}±{sem[a - 1]:.2f}"
                                                               for a in (1, 100, 200, 500)))


if __name__ == "__main__":
    main()
