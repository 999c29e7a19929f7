"""Continual-learning retention of the K-winner MHN family (Bhandarkar & McClelland 2025, section 2.2, SI A.2).

Shared machinery: the network parameters, the sample loop with checkpoints, the analysis of overlaps into
accuracy, R.D. and d' curves with their comparison and fits, the figures and the summary. The experiments
``kwinner-retention`` (Fig. 4, S1), ``kwinner-fanin`` (Fig. S2) and ``graded-mhn`` (Fig. S3) are registered
here; ``structured-patterns`` (Fig. S6, S7) in :mod:`biokv.experiments.structured`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import xarray as xr

from .. import config as _config
from ..config import ConfigError, param
from ..core import metrics, theory
from ..core.kwinner import LEARNING_RULES, KWinnerMHN
from ..core.patterns import cue_size
from ..core.protocol import random_pattern_source, retention_overlaps
from ..results import provenance_line
from . import plots
from .registry import Experiment, register

PAPER = "Bhandarkar & McClelland 2025"


@dataclass
class NetworkConfig:
    """Parameters of one K-winner MHN (see :class:`biokv.core.KWinnerMHN`)."""

    n_visible: int = param(1000, "visible (input) units, n_v", low=1, source=f"{PAPER}, sec. 2.2.1")
    n_hidden: int = param(2000, "hidden (memory) units, n_h", low=1, source=f"{PAPER}, sec. 2.2.1")
    n_active: int = param(100, "ones per pattern, s", low=1, source=f"{PAPER}, sec. 2.2.1")
    fan_in: float = param(0.05, "fraction f of visible units connected to each hidden unit", low=0.0, high=1.0,
                          low_open=True, source=f"{PAPER}, sec. 2.2.1")
    k: int = param(50, "winners of the hidden k-WTA", low=1, source=f"{PAPER}, sec. 2.2.1")
    learning_rate: float = param(0.3, "learning rate eps", low=0.0, high=1.0, low_open=True,
                                 source=f"{PAPER}, sec. 2.2.1")
    learning: str = param("top-k", "which hidden units learn: the k-WTA winners or k random units",
                          choices=LEARNING_RULES)

    def check(self):
        if self.n_active > self.n_visible:
            raise ConfigError(f"n_active={self.n_active} is out of range: must be <= n_visible={self.n_visible}")
        if self.k > self.n_hidden:
            raise ConfigError(f"k={self.k} is out of range: must be <= n_hidden={self.n_hidden}")
        if int(self.fan_in * self.n_visible) < 1:
            raise ConfigError(f"fan_in={self.fan_in} is out of range: int(fan_in * n_visible) must be >= 1, "
                              f"i.e. fan_in >= {1 / self.n_visible}")

    def build(self) -> KWinnerMHN:
        return KWinnerMHN(**_config.to_dict(self))

    @property
    def is_slot_mhn(self) -> bool:
        """The fixed-capacity, self-assigning 1-winner MHN (the theory of SI A.2.4 applies)."""
        return self.fan_in == 1.0 and self.k == 1 and self.learning_rate == 1.0 and self.learning == "top-k"


def mhn_network(**changes) -> NetworkConfig:
    """The parameter-matched 1-winner MHN of the paper (n_h 100, f 1, k 1, eps 1)."""
    base = dict(n_hidden=100, fan_in=1.0, k=1, learning_rate=1.0)
    base.update(changes)
    return NetworkConfig(**base)


@dataclass
class ProtocolConfig:
    """Sizes of the retention protocol and of its statistics."""

    cue_levels: tuple[float, ...] = param((1.0, 0.5), "cue levels c (fraction of a pattern's ones kept)", low=0.0,
                                          high=1.0, low_open=True, source=f"{PAPER}, Fig. 4A")
    n_burnin: int = param(2000, "burn-in patterns learned before the memories", low=0, source=f"{PAPER}, 2.2.1")
    n_memories: int = param(2000, "memories (and as many pseudo-memories); ages 1..n_memories", low=1,
                            source=f"{PAPER}, 2.2.1")
    n_samples: int = param(10, "independent samples (for SEM and the paired t-test)", low=2,
                           source=f"{PAPER}, SI A.2.2")
    runs_per_sample: int = param(20, "independent runs per sample", low=2, source=f"{PAPER}, SI A.2.2")
    alpha: float = param(0.01, "significance level of the paired one-tailed t-test across samples", low=0.0,
                         high=0.5, low_open=True, source=f"{PAPER}, Fig. 4B")
    fit_max_age: int = param(200, "exponential fit of the mean R.D. over ages 1..fit_max_age", low=2,
                             source=f"{PAPER}, SI A.2.3")
    plot_max_age: int = param(1000, "largest age shown in the figures", low=2, source=f"{PAPER}, Fig. 4")

    def check(self):
        if self.fit_max_age > self.n_memories:
            raise ConfigError(f"fit_max_age={self.fit_max_age} is out of range: must be <= n_memories="
                              f"{self.n_memories}")
        if len(self.cue_levels) == 0:
            raise ConfigError("cue_levels=() is not allowed: give at least one cue level")
        if len(set(self.cue_levels)) != len(self.cue_levels):
            raise ConfigError(f"cue_levels={self.cue_levels} has repeats")


def check_networks(networks: dict[str, NetworkConfig], protocol: ProtocolConfig):
    """The models of one experiment see the same patterns: equal n_visible and n_active; cues keep a one."""
    first = next(iter(networks.values()))
    for name, net in networks.items():
        if (net.n_visible, net.n_active) != (first.n_visible, first.n_active):
            raise ConfigError(f"{name}.n_visible and {name}.n_active must equal those of the other models "
                              f"({first.n_visible}, {first.n_active}): they learn the same patterns")
    for c in protocol.cue_levels:
        try:
            cue_size(c, first.n_active)
        except ValueError as err:
            raise ConfigError(f"cue_levels: {err}") from None


# ---------------------------------------------------------------------------------------------- simulation
def simulate(models: dict[str, KWinnerMHN], source, protocol: ProtocolConfig, ctx, seed_offset: tuple = (),
             desc: str = "samples", checkpoint=None) -> xr.Dataset:
    """Overlaps of every model, cue level, sample, run and age (``int16``), one sample at a time.

    Run ``(sample, run)`` (prefixed by ``seed_offset``) has its own patterns, cues and networks, shared by the
    models. After each sample the finished work goes to ``checkpoint`` (default ``ctx.checkpoint``).
    """
    checkpoint = ctx.checkpoint if checkpoint is None else checkpoint
    names = list(models)
    arrays: dict[str, list] = {}
    done = []
    for sample in ctx.progress(range(protocol.n_samples), desc=desc):
        runs = [(*seed_offset, sample, r) for r in range(protocol.runs_per_sample)]
        res = retention_overlaps(models, source, protocol.cue_levels, ctx.seed, runs)
        for key in res[names[0]]:
            arrays.setdefault(key, []).append(np.stack([res[n][key] for n in names]))
        done.append(sample)
        checkpoint(_overlap_dataset(arrays, names, protocol, done))
    return _overlap_dataset(arrays, names, protocol, done)


def _overlap_dataset(arrays, names, protocol, samples) -> xr.Dataset:
    dims = ("model", "sample", "run", "cue", "age")
    n_ages = protocol.n_memories
    coords = dict(model=names, sample=np.asarray(samples), run=np.arange(protocol.runs_per_sample),
                  cue=np.asarray(protocol.cue_levels, dtype=np.float64), age=np.arange(1, n_ages + 1))
    data = {f"overlap_{key}": (dims, np.stack(chunks, axis=1)) for key, chunks in arrays.items()}
    ds = xr.Dataset(data, coords=coords)
    for var in ds.data_vars:
        ds[var].attrs["description"] = ("retrieved-pattern overlap with the "
                                        + {"overlap_real": "memory", "overlap_pseudo": "pseudo-memory",
                                           "overlap_pseudo_random": "unstructured pseudo-memory"}[var]
                                        + " (shared ones) from a fresh partial cue")
    return ds.transpose(..., "model", "cue", "sample", "run", "age")


# ---------------------------------------------------------------------------------------------- analysis
def analyze(ds: xr.Dataset, n_active: int, comparator: str, alpha: float, fit_max_age: int) -> xr.Dataset:
    """Add accuracy, R.D. and d' (per sample, mean and SEM), paired tests against ``comparator`` and fits."""
    real, pseudo = ds["overlap_real"], ds["overlap_pseudo"]
    ax_run = real.get_axis_num("run")
    keep = [d for d in real.dims if d != "run"]
    out = ds.copy()
    out["accuracy_real"] = (real / n_active).mean(("sample", "run"))
    out["accuracy_pseudo"] = (pseudo / n_active).mean(("sample", "run"))
    if "overlap_pseudo_random" in ds:
        out["accuracy_pseudo_random"] = (ds["overlap_pseudo_random"] / n_active).mean(("sample", "run"))
    out["raw_difference"] = (keep, metrics.sample_raw_difference(real.values, pseudo.values, n_active, ax_run))
    out["dprime"] = (keep, metrics.sample_dprime(real.values, pseudo.values, n_active, ax_run))
    for var in ("raw_difference", "dprime"):
        per_sample = out[var]
        m, sem = metrics.mean_and_sem(per_sample.values, axis=per_sample.get_axis_num("sample"))
        dims = [d for d in per_sample.dims if d != "sample"]
        out[f"{var}_mean"] = (dims, m)
        out[f"{var}_sem"] = (dims, sem)
        base = per_sample.sel(model=comparator)
        p = xr.full_like(per_sample.isel(sample=0, drop=True), np.nan, dtype=np.float64)
        for name in per_sample.model.values:
            if name != comparator:
                a = per_sample.sel(model=name)
                p.loc[dict(model=name)] = metrics.paired_greater(a.values, base.values,
                                                                 axis=a.get_axis_num("sample"))
        out[f"p_{var}"] = p
        out[f"significant_{var}"] = (p < alpha).astype(np.int8)
    # exponential fit of the mean R.D. over ages 1..fit_max_age, for every model and cue (and other dims)
    rd = out["raw_difference_mean"].sel(age=slice(1, fit_max_age))
    fit_vars = {k: xr.full_like(rd.isel(age=0, drop=True), np.nan, dtype=np.float64)
                for k in ("C", "a", "n_points", "r2")}
    for idx in np.ndindex(*rd.shape[:-1]):
        fit = metrics.exponential_fit(rd.age.values, rd.values[idx])
        for k in fit_vars:
            fit_vars[k].values[idx] = fit[k]
    for k, v in fit_vars.items():
        out[f"fit_{k}"] = v
    out.attrs.update(comparator=comparator, alpha=alpha, fit_max_age=fit_max_age, n_active=n_active)
    _describe(out)
    return out


def add_mhn_theory(ds: xr.Dataset, networks: dict[str, NetworkConfig]) -> xr.Dataset:
    """The 1-winner MHN theory curves (paper's asymptotic baseline and exact order statistics), where it applies."""
    slot = [n for n, net in networks.items() if net.is_slot_mhn]
    if not slot:
        return ds
    baselines = list(theory.BASELINES)
    arr = np.full((len(slot), len(baselines), ds.sizes["cue"], ds.sizes["age"]), np.nan)
    pb = np.full((len(slot), len(baselines), ds.sizes["cue"]), np.nan)
    for i, name in enumerate(slot):
        net = networks[name]
        for j, b in enumerate(baselines):
            for c, level in enumerate(ds.cue.values):
                arr[i, j, c] = theory.mhn_raw_difference(ds.age.values, net.n_visible, net.n_hidden, net.n_active,
                                                         float(level), b)
                pb[i, j, c] = theory.mhn_baseline(net.n_visible, net.n_hidden, net.n_active, float(level), b)
    ds = ds.assign_coords(theory_model=slot, baseline=baselines,
                          theory_n_hidden=("theory_model", [networks[n].n_hidden for n in slot]))
    ds["theory_raw_difference"] = (("theory_model", "baseline", "cue", "age"), arr)
    ds["theory_baseline"] = (("theory_model", "baseline", "cue"), pb)
    ds["theory_raw_difference"].attrs["description"] = "1-winner MHN: (1 - 1/n_h)^(age-1) (1 - p_b) (SI A.2.4)"
    ds["theory_baseline"].attrs["description"] = "1-winner MHN baseline accuracy p_b (SI A.2.4; exact: order stats)"
    return ds


_DESCRIPTIONS = {
    "accuracy_real": "mean retrieval accuracy (overlap / s) of memories, over samples and runs",
    "accuracy_pseudo": "mean retrieval accuracy of pseudo-memories (untrained patterns)",
    "accuracy_pseudo_random": "mean retrieval accuracy of unstructured random pseudo-memories",
    "raw_difference": "per sample: mean over runs of acc_real - acc_pseudo",
    "dprime": "per sample: mean / population std over runs of acc_real - acc_pseudo",
    "raw_difference_mean": "R.D. mean over samples", "raw_difference_sem": "R.D. standard error over samples",
    "dprime_mean": "d' mean over samples", "dprime_sem": "d' standard error over samples",
    "p_raw_difference": "paired one-tailed t-test across samples: model R.D. > comparator R.D.",
    "p_dprime": "paired one-tailed t-test across samples: model d' > comparator d'",
    "significant_raw_difference": "p_raw_difference < alpha", "significant_dprime": "p_dprime < alpha",
    "fit_C": "exponential fit of mean R.D.: C in log R.D. = log C - a age",
    "fit_a": "exponential fit of mean R.D.: decay rate a per age step",
    "fit_n_points": "ages with R.D. > 0 used in the fit", "fit_r2": "R^2 of the log-linear fit",
}


def _describe(ds):
    for k, v in _DESCRIPTIONS.items():
        if k in ds:
            ds[k].attrs["description"] = v


def significant_ranges(mask: np.ndarray, ages: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous runs of ``True`` in ``mask`` as (first age, last age)."""
    padded = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return [(int(ages[a]), int(ages[b - 1])) for a, b in zip(edges[::2], edges[1::2])]


def significance_summary(mask: np.ndarray, ages: np.ndarray, max_gap: int = 5, min_count: int = 10) -> str:
    """The longest range of ages where the difference is reliably significant, e.g.
    ``'24-537 (98% of these ages; 21 significant ages outside)'``.

    Significant runs separated by at most ``max_gap`` non-significant ages are merged; with thousands of ages
    tested, isolated significant ages elsewhere are expected by chance and only counted. A range needs at least
    ``min_count`` significant ages to be reported.
    """
    mask = np.asarray(mask, dtype=bool)
    ranges = significant_ranges(mask, ages)
    if not ranges:
        return "none"
    merged = [list(ranges[0])]
    for a, b in ranges[1:]:
        if a - merged[-1][1] - 1 <= max_gap:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    first, last = max(merged, key=lambda r: r[1] - r[0])
    inside = (ages >= first) & (ages <= last)
    if mask[inside].sum() < min_count:
        return f"no reliable range ({int(mask.sum())} isolated significant ages)"
    return (f"{first}-{last} ({mask[inside].mean():.0%} of these ages; "
            f"{int(mask[~inside].sum())} significant ages outside)")


# ---------------------------------------------------------------------------------------------- report
REPORT_AGES = (1, 100, 200, 500)


def summary_table(ds: xr.Dataset) -> str:
    """Markdown table of headline numbers per model and cue level."""
    ages = [a for a in REPORT_AGES if a <= ds.sizes["age"]]
    head = ("| model | cue | acc. age 1 | pseudo acc. | "
            + " | ".join(f"d' age {a}" for a in ages)
            + " | R.D. fit C | R.D. fit a | ages where better than comparator (d', p < alpha) |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    comparator = ds.attrs["comparator"]
    for model in ds.model.values:
        for cue in ds.cue.values:
            sel = dict(model=model, cue=cue)
            dp = ds["dprime_mean"].sel(**sel)
            if model == comparator:
                sig = "(comparator)"
            else:
                sig = significance_summary(ds["significant_dprime"].sel(**sel).values, ds.age.values)
            lines.append(
                f"| {model} | {cue:g} | {float(ds['accuracy_real'].sel(**sel, age=1)):.3f} | "
                f"{float(ds['accuracy_pseudo'].sel(**sel).mean()):.3f} | "
                + " | ".join(f"{float(dp.sel(age=a)):.2f} ± {float(ds['dprime_sem'].sel(**sel, age=a)):.2f}"
                             for a in ages)
                + f" | {float(ds['fit_C'].sel(**sel)):.3f} | {float(ds['fit_a'].sel(**sel)):.4f} | {sig} |")
    return "\n".join(lines)


def theory_table(ds: xr.Dataset) -> str:
    if "theory_raw_difference" not in ds:
        return ""
    lines = ["| model | cue | simulated pseudo acc. | p_b paper (asymptotic) | p_b exact | simulated R.D. age 1 "
             "| theory R.D. age 1 (asym. / exact) | simulated fit a | theory a = -ln(1 - 1/n_h) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for model in ds.theory_model.values:
        n_hidden = int(ds["theory_n_hidden"].sel(theory_model=model))
        for cue in ds.cue.values:
            sel = dict(model=model, cue=cue)
            th = ds["theory_raw_difference"].sel(theory_model=model, cue=cue, age=1)
            pb = ds["theory_baseline"].sel(theory_model=model, cue=cue)
            lines.append(
                f"| {model} | {cue:g} | {float(ds['accuracy_pseudo'].sel(**sel).mean()):.4f} | "
                f"{float(pb.sel(baseline='asymptotic')):.4f} | {float(pb.sel(baseline='exact')):.4f} | "
                f"{float(ds['raw_difference_mean'].sel(**sel, age=1)):.4f} | "
                f"{float(th.sel(baseline='asymptotic')):.4f} / {float(th.sel(baseline='exact')):.4f} | "
                f"{float(ds['fit_a'].sel(**sel)):.5f} | {-np.log(1 - 1 / n_hidden):.5f} |")
    return "\n".join(lines)


def report(ds: xr.Dataset, title: str) -> str:
    parts = [f"# {title}", "",
             f"Experiment `{ds.attrs.get('experiment')}`, seed {ds.attrs.get('seed')}, "
             f"{ds.sizes['sample']} samples x {ds.sizes['run']} runs, {ds.sizes['age']} memory ages; "
             f"comparator `{ds.attrs['comparator']}`; significance: paired one-tailed t-test across samples, "
             f"p < {ds.attrs['alpha']}. Run time {ds.attrs.get('elapsed_s', float('nan')):.1f} s.", "",
             summary_table(ds), ""]
    th = theory_table(ds)
    if th:
        parts += ["1-winner MHN against its theory (SI A.2.4):", "", th, ""]
    parts += [provenance_line(ds), ""]
    return "\n".join(parts)


def figures(ds: xr.Dataset) -> dict:
    return {var: plots.by_cue_figure(ds, var) for var in ("accuracy", "dprime", "raw_difference")}


def headline(ds: xr.Dataset) -> xr.Dataset:
    """d' at the report ages, accuracy of the newest memory, pseudo-memory accuracy and the R.D. fit, per model
    and cue level (and any other dimension of the result, e.g. ``flips``)."""
    ages = [a for a in REPORT_AGES if a <= ds.sizes["age"]]
    out = xr.Dataset({
        "dprime": ds["dprime_mean"].sel(age=ages).rename(age="report_age"),
        "accuracy_age1": ds["accuracy_real"].sel(age=1, drop=True),
        "pseudo_accuracy": ds["accuracy_pseudo"].mean("age"),
        "rd_fit_a": ds["fit_a"], "rd_fit_C": ds["fit_C"]})
    out["dprime"].attrs["description"] = "d' (mean over samples) at the report ages"
    out["accuracy_age1"].attrs["description"] = "retrieval accuracy of the newest memory"
    out["pseudo_accuracy"].attrs["description"] = "retrieval accuracy of pseudo-memories (mean over ages)"
    out["rd_fit_a"].attrs["description"] = "decay rate a of the exponential fit of R.D. by age"
    out["rd_fit_C"].attrs["description"] = "initial value C of the exponential fit of R.D. by age"
    return out


# ---------------------------------------------------------------------------------------------- experiments
def run_retention(networks: dict[str, NetworkConfig], comparator: str, protocol: ProtocolConfig, ctx
                  ) -> xr.Dataset:
    """Simulate the retention protocol for ``networks`` on unstructured random patterns and analyse it."""
    check_networks(networks, protocol)
    first = next(iter(networks.values()))
    models = {name: net.build() for name, net in networks.items()}
    source = random_pattern_source(first.n_visible, first.n_active, protocol.n_burnin, protocol.n_memories)
    start = time.perf_counter()
    ds = simulate(models, source, protocol, ctx)
    ds = analyze(ds, first.n_active, comparator, protocol.alpha, protocol.fit_max_age)
    ds = add_mhn_theory(ds, networks)
    ds.attrs.update(elapsed_s=time.perf_counter() - start, plot_max_age=protocol.plot_max_age)
    return ds


# --quick: fewer runs at full size; 5 samples keep the paired t-test usable (df = 4)
QUICK = {"protocol": {"n_samples": 5, "runs_per_sample": 8}}


@dataclass
class KWinnerRetentionConfig:
    """K-winner MHN against the parameter-matched 1-winner MHN (equal weight count n_h f n_v = 100,000)."""

    kwinner: NetworkConfig = param(NetworkConfig(), "the K-winner MHN", source=f"{PAPER}, Fig. 4")
    mhn: NetworkConfig = param(mhn_network(), "the fixed-capacity 1-winner MHN", source=f"{PAPER}, Fig. 4")
    protocol: ProtocolConfig = param(ProtocolConfig(), "protocol and statistics")


@dataclass
class KWinnerFaninConfig(KWinnerRetentionConfig):
    """K-winner MHN with raised fan-in (f 0.1, n_h 1000) against the same 1-winner MHN."""

    kwinner: NetworkConfig = param(NetworkConfig(n_hidden=1000, fan_in=0.1), "the K-winner MHN (raised fan-in)",
                                   source=f"{PAPER}, SI A.2.5, Fig. S2")


def kwinner_retention(cfg: KWinnerRetentionConfig, ctx) -> xr.Dataset:
    """K-winner MHN vs 1-winner MHN on random patterns: accuracy, d' and R.D. by age (Fig. 4A/B, S1; with the
    raised fan-in configuration, Fig. S2)."""
    return run_retention({"kwinner": cfg.kwinner, "mhn": cfg.mhn}, "mhn", cfg.protocol, ctx)


@dataclass
class GradedMHNConfig:
    """Graded 1-winner MHN (eps < 1) against the slot MHN and K-winner MHNs with several learning rates."""

    graded_mhn: NetworkConfig = param(mhn_network(learning_rate=0.3), "the graded 1-winner MHN (comparator)",
                                      source=f"{PAPER}, SI A.2.6, Fig. S3")
    mhn: NetworkConfig = param(mhn_network(), "the slot (eps = 1) 1-winner MHN", source=f"{PAPER}, Fig. S3A")
    kwinner: NetworkConfig = param(NetworkConfig(), "the K-winner MHN; its learning rate is replaced by each "
                                   "of kwinner_learning_rates", source=f"{PAPER}, Fig. S3B")
    kwinner_learning_rates: tuple[float, ...] = param(
        (0.3, 0.2, 0.1), "learning rates of the K-winner MHNs compared with the graded MHN", low=0.0, high=1.0,
        low_open=True, source=f"{PAPER}, SI A.2.6: 0.3 and lower values (the lower ones are not legible in the "
                              "text copy; 0.2 and 0.1 are biokv's choice)")
    protocol: ProtocolConfig = param(ProtocolConfig(), "protocol and statistics")

    def check(self):
        if not self.kwinner_learning_rates or len(set(self.kwinner_learning_rates)) != len(
                self.kwinner_learning_rates):
            raise ConfigError(f"kwinner_learning_rates={self.kwinner_learning_rates} must be one or more "
                              "distinct values")


def graded_mhn(cfg: GradedMHNConfig, ctx) -> xr.Dataset:
    """Graded MHN (eps 0.3) vs slot MHN and K-winner MHNs with eps 0.3 and lower (Fig. S3)."""
    import dataclasses

    networks = {"graded-mhn": cfg.graded_mhn, "mhn": cfg.mhn}
    for lr in cfg.kwinner_learning_rates:
        networks[f"kwinner-lr{lr:g}"] = dataclasses.replace(cfg.kwinner, learning_rate=lr)
    return run_retention(networks, "graded-mhn", cfg.protocol, ctx)


@dataclass
class MHNRetentionConfig:
    """The fixed-capacity 1-winner MHN alone, against its closed-form theory."""

    mhn: NetworkConfig = param(mhn_network(), "the 1-winner MHN (n_h slots, full connectivity, eps 1)",
                               source=f"{PAPER}, sec. 2.1, SI A.2.4")
    protocol: ProtocolConfig = param(ProtocolConfig(), "protocol and statistics")


def mhn_retention(cfg: MHNRetentionConfig, ctx) -> xr.Dataset:
    """1-winner MHN on random patterns: R.D. by age against (1 - 1/n_h)^(age-1) (1 - p_b) (SI A.2.4)."""
    return run_retention({"mhn": cfg.mhn}, "mhn", cfg.protocol, ctx)


def _report(title):
    return lambda ds: report(ds, title)


register(Experiment("kwinner-retention", "K-winner MHN vs 1-winner MHN: retention of older memories "
                    "(Fig. 4, S1)", KWinnerRetentionConfig, kwinner_retention, figures,
                    _report("K-winner MHN vs 1-winner MHN (Bhandarkar & McClelland 2025, Fig. 4, S1)"), QUICK,
                    headline))
register(Experiment("kwinner-fanin", "K-winner MHN with raised fan-in vs 1-winner MHN (Fig. S2)",
                    KWinnerFaninConfig, kwinner_retention, figures,
                    _report("K-winner MHN with fan-in 0.1 vs 1-winner MHN (Fig. S2)"), QUICK, headline))
register(Experiment("graded-mhn", "graded 1-winner MHN vs slot MHN and K-winner MHNs by learning rate (Fig. S3)",
                    GradedMHNConfig, graded_mhn, figures,
                    _report("Graded MHN vs K-winner MHNs (Fig. S3)"), QUICK, headline))
register(Experiment("mhn-retention", "1-winner MHN alone against its closed-form retention theory (SI A.2.4)",
                    MHNRetentionConfig, mhn_retention, figures,
                    _report("1-winner MHN against its theory (SI A.2.4)"), QUICK, headline))
