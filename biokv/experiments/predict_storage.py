"""Predictions about how the hippocampal store holds memories, on the rate core.

- ``predict-distributed-storage``: distributed storage (a K-winner MHN: many hidden units per memory, fan-in
  masks, graded updates) against slot storage (the 1-winner MHN, one unit per memory) with the same number of
  weights (Bhandarkar & McClelland 2025), by the number of winners k and by the similarity of the patterns
  (random, or leaves of a TGCRP tree with fewer bit flips = more similar). Effect: recall accuracy of old
  memories, K-winner minus 1-winner, per run.
- ``predict-capacity``: memories recalled at a fixed criterion after a long stream of memories (the steady
  state of continual learning), as CA3 grows, at a fixed active fraction a and at a fixed number of winners k,
  in the hippocampal rate twin with the rat ratios kept (4 granule cells per CA3 cell, 3% of them active).
  Compared with c / a^2-type estimates (Willshaw-type capacity; de Almeida, Idiart & Lisman 2007: c = 0.2,
  a = 0.003 gives ~22,000) and with the overwrite estimate ~1 / (a eps): both are independent of the number of
  cells at fixed a; at fixed k they grow as n^2 and n.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import xarray as xr
from scipy import stats

from ..config import ConfigError, param
from ..core.hippocampus import HippocampalRateTwin
from ..core.metrics import linear_regression
from ..core.patterns import overlaps, random_subsets_runs
from ..core.protocol import random_pattern_source, retention_overlaps
from ..core.random import run_seeds
from ..results import provenance_line
from .prediction import effect_dataset, effect_headline, effect_rows
from .registry import Experiment, register
from .retention import PAPER, NetworkConfig, mhn_network
from .spiking_recall import HippocampusConfig
from .structured import tgcrp_pattern_source


# ------------------------------------------------------------------------------------------ distributed storage
@dataclass
class DistributedStorageConfig:
    """K-winner MHN vs the 1-winner MHN with the same number of weights, by k and pattern similarity."""

    kwinner: NetworkConfig = param(NetworkConfig(), "the K-winner MHN (k is varied)", source=f"{PAPER}, 2.2.1")
    mhn: NetworkConfig = param(mhn_network(), "the parameter-matched 1-winner MHN", source=f"{PAPER}, 2.2.1")
    ks: tuple[int, ...] = param((5, 10, 25, 50), "winners k of the K-winner MHN", low=1)
    flips: tuple[int, ...] = param((30, 10), "TGCRP bit flips parent -> child of the structured pattern sets "
                                   "(fewer = more similar); random patterns are always included", low=1,
                                   source=f"{PAPER}, sec. 2.2.2")
    n_nodes: int = param(3000, "nodes per TGCRP tree", low=2)
    n_burnin: int = param(200, "burn-in patterns before the memories", low=0)
    n_memories: int = param(500, "memories; ages 1..n_memories", low=2)
    old_age: int = param(100, "memories older than this are 'old'", low=1)
    runs: int = param(10, "independent runs (the seeds of the effect)", low=2)

    def check(self):
        if self.old_age >= self.n_memories:
            raise ConfigError(f"old_age={self.old_age} is out of range: must be < n_memories={self.n_memories}")
        if any(k > self.kwinner.n_hidden for k in self.ks):
            raise ConfigError(f"ks={self.ks} is out of range: every k must be <= kwinner.n_hidden")
        if self.kwinner.n_visible != self.mhn.n_visible or self.kwinner.n_active != self.mhn.n_active:
            raise ConfigError("kwinner and mhn must share n_visible and n_active: they learn the same patterns")


def distributed_storage(cfg: DistributedStorageConfig, ctx) -> xr.Dataset:
    """Recall of old and recent memories: K-winner MHN (several k) vs the 1-winner MHN, same weights, on random
    and structured patterns."""
    start = time.perf_counter()
    models = {f"k={k}": replace(cfg.kwinner, k=k).build() for k in cfg.ks}
    models["1-winner"] = cfg.mhn.build()
    s = cfg.kwinner.n_active
    runs = list(range(cfg.runs))
    sims = ["random"] + [f"{b} flips" for b in cfg.flips]
    old = np.zeros((len(sims), len(models), cfg.runs))
    recent = np.zeros_like(old)
    by_age = np.zeros((len(sims), len(models), cfg.n_memories))
    similarity = np.full(len(sims), np.nan)
    for i, sim in enumerate(ctx.progress(sims, desc="pattern sets")):
        if sim == "random":
            source = random_pattern_source(cfg.kwinner.n_visible, s, cfg.n_burnin, cfg.n_memories)
        else:
            sims_seen: list = []
            source = tgcrp_pattern_source(cfg.n_nodes, cfg.kwinner.n_visible, s, cfg.flips[i - 1], cfg.n_burnin,
                                          cfg.n_memories, sims_seen)
        res = retention_overlaps(models, source, (1.0,), ctx.seed, [(i, r) for r in runs])
        if sim != "random":
            similarity[i] = float(np.mean(sims_seen))
        for j, name in enumerate(models):
            acc = res[name]["real"][:, 0] / s  # (runs, ages), age 1 first
            old[i, j] = acc[:, cfg.old_age:].mean(axis=1)
            recent[i, j] = acc[:, :cfg.old_age].mean(axis=1)
            by_age[i, j] = acc.mean(axis=0)
    names = list(models)
    k_names = names[:-1]

    def arrays(x):
        control = np.repeat(x[:, -1:, :], len(k_names), axis=1)
        coords = {"similarity": sims, "k": list(cfg.ks), "seed": runs}
        return (xr.DataArray(np.moveaxis(control, -1, 0), dims=("seed", "similarity", "k"), coords=coords),
                xr.DataArray(np.moveaxis(x[:, :-1], -1, 0), dims=("seed", "similarity", "k"), coords=coords))

    ds = effect_dataset(*arrays(old))
    ds_recent = effect_dataset(*arrays(recent))
    for v in ds_recent.data_vars:
        ds[f"recent_{v}"] = ds_recent[v]
    ds = ds.assign_coords(model=names, age=np.arange(1, cfg.n_memories + 1))
    ds["accuracy_by_age"] = (("similarity", "model", "age"), by_age)
    ds["mean_pairwise_similarity"] = ("similarity", similarity)
    ds.attrs.update(prediction="With the same number of weights, distributed (K-winner) storage recalls old "
                    "memories better than slot (1-winner) storage; the advantage depends on k and on how similar "
                    "the memories are.", control="1-winner MHN (n_h 100, fan-in 1, k 1, eps 1)",
                    intervention="K-winner MHN (n_h 2000, fan-in 0.05, eps 0.3) with k winners",
                    measure=f"mean recall accuracy (full cues) over ages > {cfg.old_age}",
                    old_age=cfg.old_age, elapsed_s=time.perf_counter() - start)
    return ds


def storage_figures(ds: xr.Dataset) -> dict:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
    for i, sim in enumerate(ds.similarity.values):
        e = ds.sel(similarity=sim)
        err = np.stack([e["effect"] - e["effect_ci_low"], e["effect_ci_high"] - e["effect"]])
        axes[0].errorbar(ds.k.values, e["effect"], yerr=err, marker="o", capsize=3, label=str(sim))
    axes[0].axhline(0, color="0.6", lw=0.8)
    axes[0].set(xscale="log", xlabel="k (winners)", ylabel="old-memory recall: K-winner - 1-winner",
                title=f"effect (95% CI), ages > {ds.attrs['old_age']}")
    axes[0].legend(fontsize=8)
    sim = ds.similarity.values[0]
    for m in ds.model.values:
        axes[1].plot(ds.age, ds["accuracy_by_age"].sel(similarity=sim, model=m), lw=1, label=str(m))
    axes[1].set(xlabel="age", ylabel="recall accuracy", title=f"recall by age ({sim} patterns)", ylim=(0, 1.02))
    axes[1].legend(fontsize=8)
    for ax in axes:
        ax.grid(alpha=0.3)
    return {"effects": fig}


def storage_report(ds: xr.Dataset) -> str:
    sims = ", ".join(f"{s}: {v:.3f}" for s, v in zip(ds.similarity.values, ds["mean_pairwise_similarity"].values)
                     if np.isfinite(v))
    recent = ds[[v for v in ds.data_vars if str(v).startswith("recent_")]].rename(
        {v: str(v)[len("recent_"):] for v in ds.data_vars if str(v).startswith("recent_")})
    return "\n".join([f"# {ds.attrs['experiment']}", "", f"Prediction: {ds.attrs['prediction']}", "",
                      f"Control: {ds.attrs['control']}. Intervention: {ds.attrs['intervention']}. Measure: "
                      f"{ds.attrs['measure']}; {ds.attrs['n_seeds']} runs; effect = K-winner - 1-winner.",
                      f"Mean pairwise similarity of the structured memories (overlap / s): {sims}.", "",
                      "## Old memories", "", *effect_rows(ds), "",
                      f"## Recent memories (ages <= {ds.attrs['old_age']})", "", *effect_rows(recent), "",
                      provenance_line(ds), ""])


# ------------------------------------------------------------------------------------------ capacity
@dataclass
class CapacityConfig:
    """Memories recalled at a criterion after a long stream, against the number of CA3 cells."""

    network: HippocampusConfig = param(HippocampusConfig(), "network (n_ca3, ca3_active, n_dg = 4 n_ca3 and "
                                       "dg_active are set per point)")
    n_ca3: tuple[int, ...] = param((250, 500, 1000, 2000, 4000), "CA3 sizes", low=2)
    active_fraction: float = param(0.03, "fixed-a scaling: CA3 winners = round(a n_ca3)", low=0.0, high=1.0,
                                   low_open=True)
    fixed_k: int = param(30, "fixed-k scaling: CA3 winners", low=1)
    memories_per_cell: float = param(0.5, "memories stored = this x the largest n_ca3 (enough that the oldest "
                                     "are forgotten)", low=0.0, low_open=True)
    criterion: float = param(0.5, "a memory counts as stored when its recall accuracy is at least this", low=0.0,
                             high=1.0, low_open=True)
    runs: int = param(8, "independent runs (seeds)", low=2)

    def check(self):
        if len(self.n_ca3) < 2 or len(set(self.n_ca3)) != len(self.n_ca3):
            raise ConfigError(f"n_ca3={self.n_ca3} must be two or more distinct sizes")
        if self.fixed_k > min(self.n_ca3) or round(self.active_fraction * min(self.n_ca3)) < 1:
            raise ConfigError(f"fixed_k={self.fixed_k} and active_fraction={self.active_fraction} must give between"
                              f" 1 and n_ca3 winners at n_ca3={min(self.n_ca3)}")


SCALINGS = ("fixed a", "fixed k")


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
    log_n = np.log(np.asarray(cfg.n_ca3, float))
    slopes = np.zeros((len(SCALINGS), cfg.runs))
    for i in range(len(SCALINGS)):
        for r in range(cfg.runs):
            y = np.log(np.maximum(cap[i, :, r], 0.5))  # a run with no stored memory counts as half of one
            slopes[i, r] = linear_regression(np.c_[np.ones_like(log_n), log_n], y)[0][1]
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


def capacity_figures(ds: xr.Dataset) -> dict:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.2), constrained_layout=True)
    n = ds.n_ca3.values
    for i, sc in enumerate(ds.scaling.values):
        c = ds["capacity"].sel(scaling=sc)
        ax.errorbar(n, c.mean("run"), yerr=c.std("run"), marker="o", capsize=3, color=f"C{i}",
                    label=f"{sc}: exponent {float(ds['exponent'].sel(scaling=sc)):.2f} "
                          f"[{float(ds['exponent_ci_low'].sel(scaling=sc)):.2f}, "
                          f"{float(ds['exponent_ci_high'].sel(scaling=sc)):.2f}]")
        ax.plot(n, ds["overwrite_estimate"].sel(scaling=sc), ":", color=f"C{i}", lw=1,
                label=f"{sc}: 1 / (a eps)")
    ax.set(xscale="log", yscale="log", xlabel="CA3 cells", ylabel=f"memories recalled >= {ds.attrs['criterion']:g}",
           title="capacity against CA3 size")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3, which="both")
    return {"capacity": fig}


def capacity_report(ds: xr.Dataset) -> str:
    lines = [f"# {ds.attrs['experiment']}", "", f"Prediction: {ds.attrs['prediction']}", "",
             f"{ds.attrs['n_memories']} memories stored in each network; capacity = memories recalled with "
             f"accuracy >= {ds.attrs['criterion']:g}. Effect = capacity at n_CA3 minus capacity at the smallest "
             f"n_CA3, same run.", "", *effect_rows(ds, digits=1), "",
             "| scaling | fitted exponent [95% CI] | c / a^2 predicts | 1 / (a eps) predicts |", "|---|---|---|---|"]
    for sc in ds.scaling.values:
        lines.append(f"| {sc} | {float(ds['exponent'].sel(scaling=sc)):.2f} "
                     f"[{float(ds['exponent_ci_low'].sel(scaling=sc)):.2f}, "
                     f"{float(ds['exponent_ci_high'].sel(scaling=sc)):.2f}] | "
                     f"{float(ds['predicted_exponent_c_over_a2'].sel(scaling=sc)):g} | "
                     f"{float(ds['predicted_exponent_overwrite'].sel(scaling=sc)):g} |")
    lines += ["", "| scaling | n_CA3 | capacity (mean) | c / a^2 | 1 / (a eps) |", "|---|---|---|---|---|"]
    for sc in ds.scaling.values:
        for n in ds.n_ca3.values:
            lines.append(f"| {sc} | {n} | {float(ds['capacity'].sel(scaling=sc, n_ca3=n).mean()):.1f} | "
                         f"{float(ds['c_over_a2'].sel(scaling=sc, n_ca3=n)):,.0f} | "
                         f"{float(ds['overwrite_estimate'].sel(scaling=sc, n_ca3=n)):.0f} |")
    lines += ["", f"For scale: de Almeida, Idiart & Lisman 2007, c = 0.2, a = 0.003: c / a^2 = "
              f"{ds.attrs['de_almeida_c_over_a2']:,.0f} memories.", "", provenance_line(ds), ""]
    return "\n".join(lines)


register(Experiment("predict-distributed-storage", "prediction: distributed (K-winner) storage retains old "
                    "memories better than slot (1-winner) storage, by k and similarity", DistributedStorageConfig,
                    distributed_storage, storage_figures, storage_report,
                    {"ks": (5, 50), "flips": (10,), "n_burnin": 50, "n_memories": 200, "old_age": 50, "runs": 4},
                    effect_headline))
register(Experiment("predict-capacity", "prediction: memories recalled at a criterion against CA3 size, at fixed "
                    "active fraction and fixed k, vs c / a^2", CapacityConfig, capacity, capacity_figures,
                    capacity_report, {"n_ca3": (250, 500, 1000), "runs": 3}, effect_headline))
