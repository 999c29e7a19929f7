"""``spiking-agreement``: how closely the spiking network follows its rate twin, measured at several network sizes.

Nothing in the spiking network is set from the twin: its winners come out of basket-cell inhibition, its weights
out of spike-driven rules. This experiment measures, at each size (every population and its activity level
scaled by the same factor, fan-in fractions kept, so that the inputs per cell scale too and the drive per cell
is kept by the drive normalisation of :func:`biokv.spiking.circuit.unit_drive`), with one network per size and
several pattern and noise seeds (a new connectivity is a new standalone compilation):

- the Jaccard index between the CA3 cells that fired at encoding and the twin's CA3 winners;
- recall accuracy by age bin in both backends and their difference (the goal: |spiking - twin| <= 0.1 in
  every bin), with 95% confidence intervals over the seeds (t distribution);
- the active fraction of each population at encoding and recall, and the twin's k/n.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import xarray as xr

from biokv.core.common.patterns import jaccard, overlaps, random_subsets_runs
from biokv.core.common.rng import run_seeds
from biokv.experiments.hippocampus.config import SpikingAgreementConfig
from biokv.experiments.hippocampus.devices import spiking_device
from biokv.hippocampus.rate_twin import HippocampalRateTwin

__all__ = ["spiking_agreement", "scaled_network"]

_SCALED = ("n_ec", "ec_active", "n_dg", "dg_active", "n_ca3", "ca3_active", "n_ctx", "ctx_active")


def scaled_network(network, factor: float):
    """``network`` (a HippocampusConfig) with every population size and activity level times ``factor``."""
    return replace(network, **{f: max(1, int(round(getattr(network, f) * factor))) for f in _SCALED})


def _t_interval(x: np.ndarray, axis: int = 0):
    """Mean and half-width of the 95% t confidence interval along ``axis`` (NaN for fewer than 2 values)."""
    from scipy import stats

    n = x.shape[axis]
    mean = np.nanmean(x, axis=axis)
    if n < 2:
        return mean, np.full_like(mean, np.nan)
    half = stats.t.ppf(0.975, n - 1) * np.nanstd(x, axis=axis, ddof=1) / np.sqrt(n)
    return mean, half


def spiking_agreement(cfg: SpikingAgreementConfig, ctx) -> xr.Dataset:
    """Spiking network vs rate twin at each size of ``cfg.sizes`` with ``cfg.seeds`` pattern and noise seeds."""
    start = time.perf_counter()
    params = cfg.spiking.parameters()
    P, S = cfg.n_pairs, cfg.seeds
    bins = list(cfg.age_bins) + [P + 1]
    pops = [p.name for p in cfg.network.build().populations if p.role != "input"]
    jac = np.full((len(cfg.sizes), S), np.nan)
    acc = np.full((len(cfg.sizes), S, 2, len(cfg.age_bins)), np.nan)  # backend: spiking, rate
    frac = np.full((len(cfg.sizes), S, len(pops), 3), np.nan)  # encode, recall, twin's k/n
    wall = np.zeros(len(cfg.sizes))
    for z, factor in enumerate(ctx.progress(list(cfg.sizes), desc="sizes")):
        description = scaled_network(cfg.network, factor).build()
        twin = HippocampalRateTwin(description)
        ec, val = description.population("EC"), description.population("CTX")
        state = twin.init_state(ctx.seed, [0])
        t0 = time.perf_counter()
        with spiking_device(cfg.spiking.device, cfg.spiking.codegen) as make:
            net = make(description, params)
            for s in range(S):
                keys = random_subsets_runs(run_seeds(ctx.seed, f"keys:{s}", [0]), P, ec.size, ec.active)
                values = random_subsets_runs(run_seeds(ctx.seed, f"values:{s}", [0]), P, val.size, val.active)
                res = net.simulate(state, 0, list(keys[0]), list(values[0]), list(keys[0]),
                                   seed=(ctx.seed * 7919 + s) % 2**32)
                twin_state = state.copy()
                enc = twin.encode(twin_state, keys, values)
                rec = twin.recall(twin_state, keys)
                jac[z, s] = np.mean([jaccard(res.active("CA3")[p], enc["ca3_winners"][0, p]) for p in range(P)])
                age = P - np.arange(P)  # pattern index -> age (1 = newest)
                for b, got in enumerate((res.recalled, rec["values"][0])):
                    a = overlaps(got, values[0]) / val.active
                    acc[z, s, b] = [a[(age >= lo) & (age < hi)].mean() for lo, hi in zip(bins[:-1], bins[1:])]
                for i, name in enumerate(pops):
                    c = res.counts[name] > 0
                    frac[z, s, i] = [c[:P].mean(), c[P:].mean(),
                                     description.population(name).active / description.population(name).size]
        wall[z] = time.perf_counter() - t0
    diff = acc[:, :, 0] - acc[:, :, 1]
    ds = xr.Dataset(coords={"size": np.asarray(cfg.sizes, float), "seed": np.arange(S), "backend": ["spiking", "rate"],
                            "age_bin": np.asarray(cfg.age_bins), "population": pops,
                            "phase": ["encode", "recall", "twin_k_over_n"]})
    ds["ca3_jaccard"] = (("size", "seed"), jac)
    ds["recall_accuracy"] = (("size", "seed", "backend", "age_bin"), acc)
    ds["recall_difference"] = (("size", "seed", "age_bin"), diff)
    for name, x, dims in (("ca3_jaccard", jac, ("size",)), ("recall_difference", diff, ("size", "age_bin")),
                          ("recall_accuracy", acc, ("size", "backend", "age_bin")),
                          ("active_fraction", frac, ("size", "population", "phase"))):
        mean, half = _t_interval(x, axis=1)
        ds[f"{name}_mean"] = (dims, mean)
        ds[f"{name}_ci95"] = (dims, half)
    ds["active_fraction"] = (("size", "seed", "population", "phase"), frac)
    ds["wall_s"] = ("size", wall)
    ds["ca3_jaccard"].attrs["description"] = ("mean over pairs of Jaccard(CA3 cells that fired at encoding, rate "
                                              "twin's CA3 winners)")
    ds["recall_accuracy"].attrs["description"] = "overlap(recalled value, stored value) / s, mean over an age bin"
    ds["recall_difference"].attrs["description"] = "spiking - rate recall accuracy (goal: |.| <= 0.1 in every bin)"
    ds["active_fraction"].attrs["description"] = ("fraction of cells that fired per presentation (encode, recall) "
                                                  "and the twin's k/n")
    ds.attrs.update(device=cfg.spiking.device, n_pairs=P, elapsed_s=time.perf_counter() - start,
                    age_bin_edges=np.asarray(bins))
    return ds
