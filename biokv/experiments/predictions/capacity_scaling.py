"""``predict-capacity``: memories recalled at a fixed criterion after a long stream of memories (the steady state
of continual learning), as CA3 grows, at a fixed active fraction a and at a fixed number of winners k, in the
hippocampal rate twin with the rat ratios kept (4 granule cells per CA3 cell, 3% of them active). Compared with
c / a^2-type estimates (Willshaw-type capacity; de Almeida, Idiart & Lisman 2007, Learn Mem 14:795: c = 0.2,
a = 0.003 gives ~22,000) and with the overwrite estimate ~1 / (a eps): both are independent of the number of
cells at fixed a; at fixed k they grow as n^2 and n."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import xarray as xr
from scipy import stats

from biokv.core.common.patterns import overlaps, random_subsets_runs
from biokv.core.common.rng import run_seeds
from biokv.core.stats.metrics import linear_regression
from biokv.experiments.predictions.config import CapacityConfig
from biokv.experiments.predictions.effects import effect_dataset
from biokv.hippocampus.rate_twin import HippocampalRateTwin

__all__ = ["SCALINGS", "capacity", "capacity_exponents"]

SCALINGS = ("fixed a", "fixed k")


def capacity_exponents(capacities: np.ndarray, n_ca3) -> np.ndarray:
    """Exponent b of capacity ~ n_CA3^b per run: least-squares slope of log capacity against log n_CA3.

    Parameters
    ----------
    capacities : array (sizes, runs)
        Memories recalled at the criterion; a run with none counts as half of one.
    n_ca3 : sequence of int
        CA3 sizes.

    Returns
    -------
    float64 array (runs,)
    """
    log_n = np.log(np.asarray(n_ca3, float))
    slopes = np.zeros(capacities.shape[1])
    for r in range(capacities.shape[1]):
        y = np.log(np.maximum(capacities[:, r], 0.5))  # a run with no stored memory counts as half of one
        slopes[r] = linear_regression(np.c_[np.ones_like(log_n), log_n], y)[0][1]
    return slopes


def capacity(cfg: CapacityConfig, ctx) -> xr.Dataset:
    """Memories recalled at the criterion after storing a long stream, by CA3 size, at fixed a and fixed k;
    exponents of capacity ~ n_CA3^b against c / a^2 and 1 / (a eps)."""
    start = time.perf_counter()
    runs = list(range(cfg.runs))
    n_mem = int(cfg.memories_per_cell * max(cfg.n_ca3))
    ec, ctx_n = cfg.network.n_ec, cfg.network.n_ctx
    keys = random_subsets_runs(run_seeds(ctx.seed, "keys", runs), n_mem, ec, cfg.network.ec_active)
    values = random_subsets_runs(run_seeds(ctx.seed, "values", runs), n_mem, ctx_n, cfg.network.ctx_active)
    cap = np.zeros((len(SCALINGS), len(cfg.n_ca3), cfg.runs))
    points = [(i, j) for i in range(len(SCALINGS)) for j in range(len(cfg.n_ca3))]
    for i, j in ctx.progress(points, desc="network sizes"):
        n = cfg.n_ca3[j]
        k = max(1, round(cfg.active_fraction * n)) if SCALINGS[i] == "fixed a" else cfg.fixed_k
        n_dg = round(cfg.network.n_dg / cfg.network.n_ca3 * n)  # the granule-cell ratio of the network
        dg_k = max(1, round(cfg.network.dg_active / cfg.network.n_dg * n_dg))
        d = replace(cfg.network, n_ca3=n, ca3_active=k, n_dg=n_dg, dg_active=dg_k).build()
        twin = HippocampalRateTwin(d)
        state = twin.init_state(ctx.seed, [(i, j, r) for r in runs])
        twin.encode(state, keys, values)
        acc = overlaps(twin.recall(state, keys)["values"], values) / cfg.network.ctx_active
        cap[i, j] = (acc >= cfg.criterion).sum(axis=1)
    slopes = np.stack([capacity_exponents(cap[i], cfg.n_ca3) for i in range(len(SCALINGS))])
    mean, sd = slopes.mean(axis=1), slopes.std(axis=1, ddof=1)
    half = stats.t.ppf(0.975, cfg.runs - 1) * sd / np.sqrt(cfg.runs)
    coords = {"seed": runs, "scaling": list(SCALINGS), "n_ca3": list(cfg.n_ca3)}
    arr = np.moveaxis(cap, -1, 0)
    ds = effect_dataset(xr.DataArray(np.repeat(arr[:, :, :1], len(cfg.n_ca3), axis=2), dims=tuple(coords),
                                     coords=coords), xr.DataArray(arr, dims=tuple(coords), coords=coords))
    ds["capacity"] = (("scaling", "n_ca3", "run"), cap)
    ds["exponent"] = ("scaling", mean)
    ds["exponent_ci_low"] = ("scaling", mean - half)
    ds["exponent_ci_high"] = ("scaling", mean + half)
    ds["predicted_exponent_c_over_a2"] = ("scaling", [0.0, 2.0])
    ds["predicted_exponent_overwrite"] = ("scaling", [0.0, 1.0])
    c = cfg.network.pp_fan_in
    lr = cfg.network.learning_rate
    ds["c_over_a2"] = (("scaling", "n_ca3"), [[c / (max(1, round(cfg.active_fraction * n)) / n) ** 2
                                               for n in cfg.n_ca3], [c / (cfg.fixed_k / n) ** 2 for n in cfg.n_ca3]])
    ds["overwrite_estimate"] = (("scaling", "n_ca3"), [[n / (max(1, round(cfg.active_fraction * n)) * lr)
                                                        for n in cfg.n_ca3], [n / (cfg.fixed_k * lr)
                                                                              for n in cfg.n_ca3]])
    ds["c_over_a2"].attrs["description"] = "c / a^2 with c the perforant-path connection probability"
    ds["overwrite_estimate"].attrs["description"] = "1 / (a eps): memories until a cell is rewritten once"
    ds.attrs.update(prediction="The number of memories the network recalls at a fixed criterion after a long "
                    "stream grows with CA3 size as n_CA3^b; the exponents b at fixed active fraction and at fixed "
                    "k are compared with those of c / a^2 (0 and 2) and of 1 / (a eps) (0 and 1).",
                    control=f"the smallest CA3 (n_CA3 = {min(cfg.n_ca3)})",
                    intervention="larger CA3, the same scaling", n_memories=n_mem, criterion=cfg.criterion,
                    de_almeida_c_over_a2=0.2 / 0.003**2, elapsed_s=time.perf_counter() - start)
    return ds
