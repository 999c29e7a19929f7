"""The laws of classical associative memories: crosstalk, Hopfield capacity and modern Hopfield capacity.

- ``crosstalk``: readout noise of the outer-product key-value memory against the number of stored pairs ``N``
  and the key dimension ``d`` (noise sd ``sqrt(N / d)``), and what reduces it: key normalisation, a sign
  (threshold) readout, more dimensions, sparse keys (the note on outer-product memory in
  ``shared/seeds/002``; Gershman, Fiete & Irie 2025).
- ``hopfield-capacity``: patterns stored with every pattern exact by the one-step hetero-associative and the
  classical auto-associative Hopfield network, ``~ d / log d`` (Hsu 2025; McEliece et al. 1987).
- ``modern-hopfield-capacity``: the same for the one-step modern Hopfield network, ``exp(alpha d)``
  (Demircigil et al. 2017; Hsu 2025).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from ..config import ConfigError, param  # noqa: E402
from ..core.associative import OuterProductMemory  # noqa: E402
from ..core.capacity import (MODERN_RATE_BOUND, THEOREM_CONSTANT, bit_error_probability,  # noqa: E402
                             duplicate_free_capacity, measure_capacity, predicted_capacity)
from ..core.crosstalk import random_keys, random_signs, readout_mse_theory  # noqa: E402
from ..core.metrics import linear_regression, mean_and_sem  # noqa: E402
from ..core.random import run_generators  # noqa: E402
from ..results import provenance_line  # noqa: E402
from .registry import Experiment, register  # noqa: E402

NOTE = "shared/seeds/002 (outer-product memory note)"
HSU = "Hsu (2025), Associative memories, lecture notes"

# condition -> (key kind, key normalisation, which fraction parameter a rate key uses)
CONDITIONS = {
    "binary": ("binary", False, None),
    "gaussian": ("gaussian", False, None),
    "gain": ("gain", False, None),
    "gain-normalized": ("gain", True, None),
    "rate-dense": ("rate", False, "dense_fraction"),
    "rate-sparse": ("rate", False, "sparse_fraction"),
}
CONDITION_TEXT = {
    "binary": "random {-1, 1}^d / sqrt(d) keys (the reference)",
    "gaussian": "N(0, I/d) keys, not normalised",
    "gain": "binary keys with log-normal gains, not normalised",
    "gain-normalized": "the same keys, normalised when written and read",
    "rate-dense": "non-negative rate keys, dense",
    "rate-sparse": "non-negative rate keys, sparse",
}


def _distinct_sorted(values, name):
    if list(values) != sorted(set(values)):
        raise ConfigError(f"{name}={values} must be distinct and increasing")


# ---------------------------------------------------------------------------------------------- crosstalk


@dataclass
class CrosstalkConfig:
    """Readout noise of the outer-product memory over a grid of stored pairs and key dimensions."""

    dims: tuple[int, ...] = param((32, 64, 128, 256, 512, 1024), "key dimensions d", low=2,
                                  source=f"{NOTE}: noise sd ~ sqrt(N/d); range chosen to span 1.5 decades")
    n_pairs: tuple[int, ...] = param((1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024), "numbers N of stored pairs",
                                     low=1, source="powers of two up to 1024 (biokv's choice)")
    value_dim: int = param(64, "value dimension d_v (random values in {-1, 1}^d_v)", low=1,
                           source="biokv's choice: the noise per component does not depend on d_v")
    n_runs: int = param(10, "independent memories per condition and d", low=2, source="biokv's choice")
    conditions: tuple[str, ...] = param(tuple(CONDITIONS), "key conditions compared", choices=tuple(CONDITIONS),
                                        source=f"{NOTE}: normalisation, thresholds, larger d, sparse keys")
    gain_sd: float = param(0.5, "sigma of the log-normal key gains (condition gain)", low=0.0,
                           source="biokv's choice: gains spread about x1.6 (one sd)")
    dense_fraction: float = param(0.5, "active fraction of dense rate keys", low=0.0, high=1.0, low_open=True,
                                  source="biokv's choice: half the units active")
    sparse_fraction: float = param(0.02, "active fraction of sparse rate keys", low=0.0, high=1.0, low_open=True,
                                   source="biokv's choice: dentate-gyrus-like activity of a few percent")
    fit_min_pairs: int = param(16, "smallest N used in the exponent fit", low=1,
                               source="biokv's choice: (N - 1) / N close to 1")
    reference_dim: int = param(256, "d of the mitigation panel and of the summary table", low=2,
                               source="biokv's choice")

    def check(self):
        _distinct_sorted(self.dims, "dims")
        _distinct_sorted(self.n_pairs, "n_pairs")
        if not self.conditions or len(set(self.conditions)) != len(self.conditions):
            raise ConfigError(f"conditions={self.conditions} must be one or more distinct conditions")
        if self.reference_dim not in self.dims:
            raise ConfigError(f"reference_dim={self.reference_dim} must be one of dims={self.dims}")
        if sum(n >= self.fit_min_pairs for n in self.n_pairs) < 2:
            raise ConfigError(f"fit_min_pairs={self.fit_min_pairs} leaves fewer than two of n_pairs={self.n_pairs}")


def _condition(cfg: CrosstalkConfig, condition: str) -> tuple[str, bool, dict]:
    """Key kind, key normalisation and the key parameters of a condition."""
    kind, normalize, fraction = CONDITIONS[condition]
    return kind, normalize, {"gain_sd": cfg.gain_sd, "fraction": getattr(cfg, fraction) if fraction else 0.5}


def _condition_keys(cfg: CrosstalkConfig, condition: str, rngs, n: int, d: int):
    kind, normalize, params = _condition(cfg, condition)
    return random_keys(rngs, n, d, kind, **params), normalize


def _condition_theory(cfg: CrosstalkConfig, condition: str, n, d):
    kind, normalize, params = _condition(cfg, condition)
    return np.sqrt(readout_mse_theory(n, d, kind, normalized=normalize, **params))


def crosstalk(cfg: CrosstalkConfig, ctx) -> xr.Dataset:
    """Readout noise (rms of M k_i - v_i) and sign-readout bit errors of the outer-product memory, by N and d,
    for several kinds of random keys; exponents of N and d fitted on log noise."""
    start = time.perf_counter()
    n_max = max(cfg.n_pairs)
    shape = (len(cfg.conditions), len(cfg.dims), len(cfg.n_pairs), cfg.n_runs)
    rms = np.zeros(shape)
    sign_err = np.zeros(shape)
    sign_rms = np.zeros(shape)
    steps = [(c, d) for c in cfg.conditions for d in cfg.dims]
    for ci, di in ctx.progress(np.ndindex(len(cfg.conditions), len(cfg.dims)), total=len(steps), desc="crosstalk"):
        condition, d = cfg.conditions[ci], cfg.dims[di]
        # the same keys and values for conditions that share a key kind (normalised or not): a paired comparison
        kind = CONDITIONS[condition][0]
        rngs = run_generators(ctx.seed, f"crosstalk:{kind}:{d}", range(cfg.n_runs))
        keys, normalize = _condition_keys(cfg, condition, rngs, n_max, d)
        values = random_signs(rngs, n_max, cfg.value_dim)
        memory = OuterProductMemory(d, cfg.value_dim, cfg.n_runs, normalize_keys=normalize)
        for ni, n in enumerate(cfg.n_pairs):
            memory.write(keys[:, memory.n_stored:n], values[:, memory.n_stored:n])
            read = memory.read(keys[:, :n])
            rms[ci, di, ni] = np.sqrt(np.mean((read - values[:, :n]) ** 2, axis=(1, 2)))
            sign_err[ci, di, ni] = np.mean(np.sign(read) != values[:, :n], axis=(1, 2))
            sign_rms[ci, di, ni] = np.sqrt(np.mean((np.sign(read) - values[:, :n]) ** 2, axis=(1, 2)))
    coords = {"condition": list(cfg.conditions), "dim": list(cfg.dims), "n_pairs": list(cfg.n_pairs),
              "run": np.arange(cfg.n_runs)}
    dims4 = ("condition", "dim", "n_pairs", "run")
    ds = xr.Dataset({"noise_rms": (dims4, rms), "sign_error": (dims4, sign_err), "sign_rms": (dims4, sign_rms)},
                    coords=coords)
    n_grid, d_grid = np.meshgrid(cfg.n_pairs, cfg.dims)
    ds["theory_rms"] = (("condition", "dim", "n_pairs"),
                        np.stack([_condition_theory(cfg, c, n_grid, d_grid) for c in cfg.conditions]))
    ds["theory_sign_error"] = (("dim", "n_pairs"), bit_error_probability(n_grid, d_grid, "hetero"))
    ds["condition_text"] = ("condition", [CONDITION_TEXT[c] for c in cfg.conditions])
    ds = xr.merge([ds, _fit_exponents(ds, cfg.fit_min_pairs)])
    ds["noise_rms"].attrs["description"] = "rms over stored pairs and value components of M k_i - v_i"
    ds["sign_error"].attrs["description"] = "fraction of value components with sign(M k_i) != v_i"
    ds["sign_rms"].attrs["description"] = "rms over stored pairs and value components of sign(M k_i) - v_i"
    ds["theory_rms"].attrs["description"] = "expected rms readout noise (closed form, biokv.core.crosstalk)"
    ds["theory_sign_error"].attrs["description"] = ("exact bit error rate of the sign readout with binary keys "
                                                    "(binomial tail)")
    ds.attrs.update(elapsed_s=time.perf_counter() - start, reference_dim=cfg.reference_dim,
                    fit_min_pairs=cfg.fit_min_pairs, value_dim=cfg.value_dim)
    return ds


def _fit_exponents(ds: xr.Dataset, fit_min_pairs: int) -> xr.Dataset:
    """log(mean rms) = c + b_N log N + b_d log d over N >= fit_min_pairs, per condition."""
    mean = ds["noise_rms"].mean("run").sel(n_pairs=[n for n in ds.n_pairs.values if n >= fit_min_pairs])
    n_grid, d_grid = np.meshgrid(mean.n_pairs.values, mean.dim.values)
    design = np.column_stack([np.ones(n_grid.size), np.log(n_grid.ravel()), np.log(d_grid.ravel())])
    out = {k: [] for k in ("exponent_n", "exponent_n_se", "exponent_d", "exponent_d_se")}
    for c in ds.condition.values:
        beta, se = linear_regression(design, np.log(mean.sel(condition=c).values.ravel()))
        for name, v in (("exponent_n", beta[1]), ("exponent_n_se", se[1]), ("exponent_d", beta[2]),
                        ("exponent_d_se", se[2])):
            out[name].append(v)
    fit = xr.Dataset({k: ("condition", v) for k, v in out.items()}, coords={"condition": ds.condition.values})
    fit["exponent_n"].attrs["description"] = f"fitted exponent of N in the rms noise (N >= {fit_min_pairs})"
    fit["exponent_d"].attrs["description"] = f"fitted exponent of d in the rms noise (N >= {fit_min_pairs})"
    return fit


def _reference_pairs(ds: xr.Dataset) -> int:
    """The largest N <= d_ref / 4 in the grid (the smallest N if none is)."""
    d_ref = int(ds.attrs["reference_dim"])
    small = [int(n) for n in ds.n_pairs.values if n <= d_ref / 4]
    return max(small) if small else int(ds.n_pairs.values[0])


def crosstalk_headline(ds: xr.Dataset) -> xr.Dataset:
    """Fitted exponents of N and d per condition, and the noise at the reference d and N <= d/4."""
    n_ref = _reference_pairs(ds)
    out = ds[["exponent_n", "exponent_d"]].copy()
    ref = ds.sel(dim=int(ds.attrs["reference_dim"]), n_pairs=n_ref)
    out["noise_rms_ref"] = ref["noise_rms"].mean("run")
    out["sign_error_ref"] = ref["sign_error"].mean("run")
    out["noise_rms_ref"].attrs["description"] = f"rms readout noise at d={ds.attrs['reference_dim']}, N={n_ref}"
    out["sign_error_ref"].attrs["description"] = f"sign-readout bit error at d={ds.attrs['reference_dim']}, N={n_ref}"
    return out


def _positive(y):
    """Values for a log axis: exact zeros (no crosstalk at all) are left out."""
    y = np.asarray(y, dtype=np.float64)
    return np.where(y > 1e-12, y, np.nan)


def crosstalk_figures(ds: xr.Dataset) -> dict:
    figs = {}
    n = ds.n_pairs.values
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    cond = "binary" if "binary" in ds.condition.values else str(ds.condition.values[0])
    ratio = np.geomspace((n / ds.dim.values.max()).min(), (n / ds.dim.values.min()).max(), 100)
    # 1. scaling with binary keys (or the first condition)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    sub = ds.sel(condition=cond)
    for i, d in enumerate(ds.dim.values):
        c = cycle[i % len(cycle)]
        m = _positive(sub["noise_rms"].sel(dim=d).mean("run"))
        axes[0].plot(n, m, "o", ms=4, color=c, label=f"d = {d}")
        axes[0].plot(n, _positive(sub["theory_rms"].sel(dim=d)), color=c, lw=0.8)
        axes[1].plot(n / d, m, "o", ms=3, color=c, label=f"d = {d}")
    axes[1].plot(ratio, np.sqrt(ratio), "k-", lw=1, label="sqrt(N/d)")
    fit = ds.sel(condition=cond)
    axes[0].set(xscale="log", yscale="log", xlabel="stored pairs N", ylabel="rms readout noise (mean over runs)",
                title=f"{cond} keys: fit N^{float(fit.exponent_n):.3f} d^{float(fit.exponent_d):.3f}")
    axes[1].set(xscale="log", yscale="log", xlabel="N / d", ylabel="rms readout noise", title="collapse on N / d")
    for ax in axes:
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
    fig.tight_layout()
    figs["crosstalk_scaling"] = fig
    # 2. mitigations: normalisation and sparse keys (A), larger d (B), threshold readout (C, D)
    d_ref = int(ds.attrs["reference_dim"])
    n_ref = _reference_pairs(ds)
    fig, axes = plt.subplots(2, 2, figsize=(11, 8.5))
    axes = axes.ravel()
    for i, c in enumerate(ds.condition.values):
        col = cycle[i % len(cycle)]
        s = ds.sel(condition=c)
        axes[0].plot(n, _positive(s["noise_rms"].sel(dim=d_ref).mean("run")), "o", ms=4, color=col, label=str(c))
        axes[0].plot(n, _positive(s["theory_rms"].sel(dim=d_ref)), color=col, lw=0.8)
        axes[1].plot(ds.dim.values, _positive(s["noise_rms"].sel(n_pairs=n_ref).mean("run")), "o", ms=4, color=col,
                     label=str(c))
        axes[1].plot(ds.dim.values, _positive(s["theory_rms"].sel(n_pairs=n_ref)), color=col, lw=0.8)
    axes[0].set(xscale="log", yscale="log", xlabel="stored pairs N", ylabel="rms readout noise",
                title=f"A  key conditions at d = {d_ref} (lines: theory)")
    axes[1].set(xscale="log", yscale="log", xlabel="key dimension d", ylabel="rms readout noise",
                title=f"B  larger d, N = {n_ref}")
    sub = ds.sel(condition=cond)
    for i, d in enumerate(ds.dim.values):
        col = cycle[i % len(cycle)]
        axes[2].plot(n / d, _positive(sub["noise_rms"].sel(dim=d).mean("run")), "o", ms=3, color=col,
                     label=f"linear, d = {d}")
        axes[2].plot(n / d, _positive(sub["sign_rms"].sel(dim=d).mean("run")), "s", ms=3, color=col, mfc="none",
                     label=f"sign, d = {d}")
        axes[3].plot(n / d, _positive(sub["sign_error"].sel(dim=d).mean("run")), "o", ms=3, color=col,
                     label=f"d = {d}")
        axes[3].plot(n / d, _positive(sub["theory_sign_error"].sel(dim=d)), color=col, lw=0.8)
    axes[2].plot(ratio, np.sqrt(ratio), "k-", lw=0.8, label="sqrt(N/d)")
    axes[2].set(xscale="log", yscale="log", xlabel="N / d", ylabel="rms error of the read value",
                title=f"C  linear vs sign (threshold) readout, {cond} keys")
    axes[3].set(xscale="log", yscale="log", xlabel="N / d", ylabel="bit error of the sign readout",
                title="D  sign readout: measured and exact theory")
    for ax in axes:
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=6, ncol=2 if ax in axes[2:3] else 1)
    fig.tight_layout()
    figs["crosstalk_mitigations"] = fig
    return figs


def crosstalk_report(ds: xr.Dataset) -> str:
    d_ref = int(ds.attrs["reference_dim"])
    n_ref = _reference_pairs(ds)
    lines = ["# Crosstalk in the outer-product key-value memory", "",
             f"Experiment `{ds.attrs.get('experiment')}`, seed {ds.attrs.get('seed')}, {ds.sizes['run']} runs per "
             f"point, value dimension {ds.attrs['value_dim']}, N in {list(map(int, ds.n_pairs.values))}, d in "
             f"{list(map(int, ds.dim.values))}. Exponents: least squares of log(mean rms noise) on log N and log d "
             f"(N >= {ds.attrs['fit_min_pairs']}); theory for random keys: N^0.5 d^-0.5. "
             f"Run time {ds.attrs.get('elapsed_s', float('nan')):.1f} s.", "",
             f"| condition | keys | exponent of N | exponent of d | rms noise at d={d_ref}, N={n_ref} (theory) | "
             f"sign-readout bit error there |", "|---|---|---|---|---|---|"]
    for c in ds.condition.values:
        s = ds.sel(condition=c)
        ref = s.sel(dim=d_ref, n_pairs=n_ref)
        lines.append(f"| {c} | {str(s['condition_text'].values)} | {float(s.exponent_n):.3f} ± "
                     f"{float(s.exponent_n_se):.3f} | {float(s.exponent_d):.3f} ± {float(s.exponent_d_se):.3f} | "
                     f"{float(ref['noise_rms'].mean()):.4f} ({float(ref['theory_rms']):.4f}) | "
                     f"{float(ref['sign_error'].mean()):.2e} |")
    if "binary" in ds.condition.values:
        ref = ds.sel(condition="binary", dim=d_ref, n_pairs=n_ref)
        lines += ["", f"Sign readout with binary keys at d={d_ref}, N={n_ref}: measured bit error "
                  f"{float(ref['sign_error'].mean()):.2e}, exact theory {float(ref['theory_sign_error']):.2e}; "
                  f"the linear readout's rms error there is {float(ref['noise_rms'].mean()):.3f}."]
    lines += ["", provenance_line(ds), ""]
    return "\n".join(lines)


register(Experiment("crosstalk", "outer-product memory: readout noise ~ sqrt(N/d) and its mitigations",
                    CrosstalkConfig, crosstalk, crosstalk_figures, crosstalk_report,
                    {"dims": (32, 64, 128, 256), "n_pairs": (1, 4, 16, 64, 256), "n_runs": 4, "value_dim": 32,
                     "reference_dim": 128}, crosstalk_headline))


# ---------------------------------------------------------------------------------------------- capacity


@dataclass
class HopfieldCapacityConfig:
    """Capacity of the one-step hetero-associative and the classical auto-associative Hopfield network."""

    dims: tuple[int, ...] = param((32, 64, 128, 256, 512, 1024), "pattern dimensions d", low=2,
                                  source=f"{HSU}; d from 32 to 1024")
    n_runs: int = param(20, "independent pattern sequences per d", low=2, source="biokv's choice")
    networks: tuple[str, ...] = param(("hetero", "auto"), "networks measured", choices=("hetero", "auto"),
                                      source=f"{HSU}: one-step hetero-associative and classical Hopfield")

    def check(self):
        _distinct_sorted(self.dims, "dims")
        if not self.networks or len(set(self.networks)) != len(self.networks):
            raise ConfigError(f"networks={self.networks} must be one or more distinct networks")


def _measure(networks, dims, n_runs, seed, ctx, desc, beta=1.0):
    """n_max per network, d and run, shape (len(networks), len(dims), n_runs)."""
    out = np.zeros((len(networks), len(dims), n_runs), dtype=np.int64)
    todo = [(i, j) for i in range(len(networks)) for j in range(len(dims))]
    for i, j in ctx.progress(todo, desc=desc):
        net, d = networks[i], dims[j]
        out[i, j] = measure_capacity(seed, f"capacity:{net}:{d}", range(n_runs), d, net, beta)
    return out


def hopfield_capacity(cfg: HopfieldCapacityConfig, ctx) -> xr.Dataset:
    """Largest number of random patterns with every pattern recalled exactly, against d / ln d, with the
    constant fitted and compared with the theorem's 1/4 and the exact finite-d prediction."""
    start = time.perf_counter()
    n_max = _measure(cfg.networks, cfg.dims, cfg.n_runs, ctx.seed, ctx, "capacity")
    ds = xr.Dataset({"n_max": (("network", "dim", "run"), n_max)},
                    coords={"network": list(cfg.networks), "dim": list(cfg.dims), "run": np.arange(cfg.n_runs)})
    d = np.asarray(cfg.dims, dtype=np.float64)
    ds["d_over_log_d"] = ("dim", d / np.log(d))
    ds["predicted_median"] = (("network", "dim"), [[predicted_capacity(x, n) for x in cfg.dims]
                                                   for n in cfg.networks])
    const, se = [], []
    for net in cfg.networks:
        x = np.repeat(ds["d_over_log_d"].values, cfg.n_runs)
        b, s = linear_regression(x[:, None], ds["n_max"].sel(network=net).values.ravel().astype(float))
        const.append(b[0])
        se.append(s[0])
    ds["fitted_constant"] = ("network", const)
    ds["fitted_constant_se"] = ("network", se)
    ds["constant_by_dim"] = ds["n_max"].mean("run") / ds["d_over_log_d"]
    ds["n_max"].attrs["description"] = "largest n with every one of the first n patterns recalled exactly"
    ds["predicted_median"].attrs["description"] = ("median n_max if bits failed independently: n d p(n) = ln 2, "
                                                   "p the exact binomial bit error probability")
    ds["fitted_constant"].attrs["description"] = "c of n_max = c d / ln d (least squares over all runs)"
    ds.attrs.update(elapsed_s=time.perf_counter() - start, theorem_constant=THEOREM_CONSTANT)
    return ds


def hopfield_capacity_headline(ds: xr.Dataset) -> xr.Dataset:
    out = ds[["fitted_constant"]].copy()
    out["n_max_mean"] = ds["n_max"].mean("run")
    out["predicted_median"] = ds["predicted_median"]
    out["n_max_mean"].attrs["description"] = "mean n_max over runs"
    return out


def hopfield_capacity_figures(ds: xr.Dataset) -> dict:
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.3))
    x = ds["d_over_log_d"].values
    xs = np.linspace(0, x.max() * 1.05, 100)
    for i, net in enumerate(ds.network.values):
        col = cycle[i % len(cycle)]
        s = ds.sel(network=net)
        jitter = (i - 0.5) * 0.01 * x.max()
        for j, xv in enumerate(x):
            axes[0].plot(np.full(ds.sizes["run"], xv + jitter), s["n_max"].isel(dim=j), ".", color=col, alpha=0.25,
                         ms=3)
        m, se = mean_and_sem(s["n_max"].values.astype(float), axis=-1)
        axes[0].errorbar(x, m, yerr=se, fmt="o", color=col, ms=4, capsize=2, label=f"{net}: mean ± SEM")
        axes[0].plot(xs, float(s.fitted_constant) * xs, color=col, lw=1,
                     label=f"{net}: fit {float(s.fitted_constant):.3f} d / ln d")
        axes[0].plot(x, s["predicted_median"], "x--", color=col, lw=0.8, label=f"{net}: predicted median")
        axes[1].plot(ds.dim.values, s["constant_by_dim"], "o-", color=col, label=f"{net}: mean n_max ln d / d")
        axes[1].plot(ds.dim.values, s["predicted_median"] / x, "x--", color=col, lw=0.8,
                     label=f"{net}: predicted")
    axes[0].plot(xs, THEOREM_CONSTANT * xs, "k:", label="theorem: d / (4 ln d)")
    axes[1].axhline(THEOREM_CONSTANT, color="k", ls=":", label="theorem (d -> infinity): 1/4")
    axes[0].set(xlabel="d / ln d", ylabel="patterns stored, all exact (n_max)", title="Hopfield capacity")
    axes[1].set(xscale="log", xlabel="d", ylabel="n_max / (d / ln d)", ylim=(0, None),
                title="the constant at each d")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return {"hopfield_capacity": fig}


def hopfield_capacity_report(ds: xr.Dataset) -> str:
    lines = ["# Capacity of Hopfield networks: n_max ~ d / log d", "",
             f"Experiment `{ds.attrs.get('experiment')}`, seed {ds.attrs.get('seed')}, {ds.sizes['run']} pattern "
             "sequences per d. n_max = the largest n such that the memories of the first 1..n random patterns "
             "recall every stored pattern exactly (hetero: sign(W x_i) = y_i; auto: every pattern a fixed point). "
             f"Run time {ds.attrs.get('elapsed_s', float('nan')):.1f} s.", "",
             "| network | fitted c in c d / ln d | theorem c (d -> inf) | " +
             " | ".join(f"d={int(d)}: n_max (predicted)" for d in ds.dim.values) + " |",
             "|---|---|---|" + "---|" * ds.sizes["dim"]]
    for net in ds.network.values:
        s = ds.sel(network=net)
        cells = [f"{float(s['n_max'].sel(dim=d).mean()):.1f} ({float(s['predicted_median'].sel(dim=d)):.1f})"
                 for d in ds.dim.values]
        lines.append(f"| {net} | {float(s.fitted_constant):.3f} ± {float(s.fitted_constant_se):.3f} | "
                     f"{THEOREM_CONSTANT} | " + " | ".join(cells) + " |")
    lines += ["", "The theorem's constant is reached only as d -> infinity (the next-order terms fall like "
              "ln ln d / ln d); at these d the finite-d prediction (expected number of wrong bits = ln 2, exact "
              "binomial tails) is the sharper comparison.", "", provenance_line(ds), ""]
    return "\n".join(lines)


register(Experiment("hopfield-capacity", "Hopfield networks (one-step hetero, classical auto): capacity ~ d / log d",
                    HopfieldCapacityConfig, hopfield_capacity, hopfield_capacity_figures, hopfield_capacity_report,
                    {"dims": (32, 64, 128, 256), "n_runs": 8}, hopfield_capacity_headline))


@dataclass
class ModernCapacityConfig:
    """Capacity of the one-step modern Hopfield network (with the hetero-associative one for contrast)."""

    dims: tuple[int, ...] = param((8, 10, 12, 14, 16, 18, 20, 22, 24), "pattern dimensions d", low=2,
                                  source="biokv's choice: the sizes this machine measures in about a minute")
    betas: tuple[float, ...] = param((0.2, 0.5, 1.0), "inverse temperatures beta", low=0.0, low_open=True,
                                     source=f"{HSU} and Demircigil et al. (2017): beta = 1; 0.2 and 0.5 (biokv's "
                                            "choice) show where the temperature starts to matter")
    n_runs: int = param(20, "independent pattern sequences per d and beta", low=2, source="biokv's choice")
    fit_min_dim: int = param(12, "smallest d in the fit of ln n_max = a + alpha d", low=2,
                             source="biokv's choice: above the smallest sizes")

    def check(self):
        _distinct_sorted(self.dims, "dims")
        _distinct_sorted(self.betas, "betas")
        if sum(d >= self.fit_min_dim for d in self.dims) < 2:
            raise ConfigError(f"fit_min_dim={self.fit_min_dim} leaves fewer than two of dims={self.dims}")


def modern_hopfield_capacity(cfg: ModernCapacityConfig, ctx) -> xr.Dataset:
    """Largest number of random patterns that the one-step modern Hopfield network recalls, every one exactly:
    exponential in d; the rate alpha of ln n_max = a + alpha d is fitted per beta."""
    start = time.perf_counter()
    modern = np.stack([_measure(("modern",), cfg.dims, cfg.n_runs, ctx.seed, ctx, f"beta={b:g}", beta=b)[0]
                       for b in cfg.betas])
    hetero = _measure(("hetero",), cfg.dims, cfg.n_runs, ctx.seed, ctx, "hetero")[0]
    ds = xr.Dataset({"n_max": (("beta", "dim", "run"), modern), "n_max_hetero": (("dim", "run"), hetero)},
                    coords={"beta": list(cfg.betas), "dim": list(cfg.dims), "run": np.arange(cfg.n_runs)})
    fit_dims = [d for d in cfg.dims if d >= cfg.fit_min_dim]
    rate, rate_se, intercept = [], [], []
    for b in cfg.betas:
        y = np.log(ds["n_max"].sel(beta=b, dim=fit_dims).values.astype(float)).ravel()
        x = np.repeat(np.asarray(fit_dims, dtype=float), cfg.n_runs)
        coef, se = linear_regression(np.column_stack([np.ones_like(x), x]), y)
        rate.append(coef[1])
        rate_se.append(se[1])
        intercept.append(coef[0])
    ds["duplicate_free"] = ("dim", [duplicate_free_capacity(d) for d in cfg.dims])
    ds["duplicate_free"].attrs["description"] = ("median n_max if only repeated keys failed (birthday bound: no "
                                                 "memory stores two equal keys with different values)")
    ds["rate"] = ("beta", rate)
    ds["rate_se"] = ("beta", rate_se)
    ds["log_intercept"] = ("beta", intercept)
    ds["n_max"].attrs["description"] = "largest n with every one of the first n patterns recalled exactly"
    ds["n_max_hetero"].attrs["description"] = "the same for the one-step hetero-associative Hopfield network"
    ds["rate"].attrs["description"] = f"alpha of ln n_max = a + alpha d (least squares over runs, d >= " \
                                      f"{cfg.fit_min_dim})"
    ds.attrs.update(elapsed_s=time.perf_counter() - start, rate_bound=MODERN_RATE_BOUND,
                    fit_min_dim=cfg.fit_min_dim)
    return ds


def modern_capacity_headline(ds: xr.Dataset) -> xr.Dataset:
    out = ds[["rate"]].copy()
    out["median_n_max"] = ds["n_max"].median("run")
    out["median_n_max"].attrs["description"] = "median n_max over runs"
    return out


def modern_capacity_figures(ds: xr.Dataset) -> dict:
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    d = ds.dim.values.astype(float)
    for i, b in enumerate(ds.beta.values):
        col = cycle[i % len(cycle)]
        s = ds.sel(beta=b)
        for j, dv in enumerate(d):
            ax.plot(np.full(ds.sizes["run"], dv + 0.15 * i), s["n_max"].isel(dim=j), ".", color=col, alpha=0.25,
                    ms=3)
        ax.plot(d + 0.15 * i, s["n_max"].median("run"), "o", color=col, label=f"modern, beta = {b:g}: median")
        ax.plot(d, np.exp(float(s.log_intercept) + float(s.rate) * d), color=col, lw=1,
                label=f"fit exp({float(s.rate):.3f} d)")
    ax.plot(d, ds["n_max_hetero"].median("run"), "s", color="gray", ms=4, label="one-step hetero Hopfield")
    ax.plot(d, ds["duplicate_free"], "k:", label=f"until a key repeats (birthday; rate ln 2 / 2 = "
            f"{ds.attrs['rate_bound']:.3f})")
    ax.set(yscale="log", xlabel="pattern dimension d", ylabel="patterns stored, all exact (n_max)",
           title="one-step modern Hopfield network")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return {"modern_hopfield_capacity": fig}


def modern_capacity_report(ds: xr.Dataset) -> str:
    lines = ["# Capacity of the one-step modern Hopfield network: n_max ~ exp(alpha d)", "",
             f"Experiment `{ds.attrs.get('experiment')}`, seed {ds.attrs.get('seed')}, {ds.sizes['run']} pattern "
             f"sequences per d; rate alpha fitted on ln n_max over d >= {ds.attrs['fit_min_dim']}. Demircigil et al. "
             f"(2017): exact retrieval of exp(alpha d) patterns for alpha < ln 2 / 2 = {ds.attrs['rate_bound']:.3f} "
             f"(beta = 1). Run time {ds.attrs.get('elapsed_s', float('nan')):.1f} s.", "",
             "| beta | fitted alpha | " + " | ".join(f"d={int(d)}" for d in ds.dim.values) + " |",
             "|---|---|" + "---|" * ds.sizes["dim"]]
    for b in ds.beta.values:
        s = ds.sel(beta=b)
        lines.append(f"| {b:g} | {float(s.rate):.3f} ± {float(s.rate_se):.3f} | " +
                     " | ".join(f"{float(s['n_max'].sel(dim=d).median()):.0f}" for d in ds.dim.values) + " |")
    lines.append("| hetero (classical) | - | " + " | ".join(
        f"{float(ds['n_max_hetero'].sel(dim=d).median()):.0f}" for d in ds.dim.values) + " |")
    lines.append("| until a key repeats (birthday) | 0.347 | " + " | ".join(
        f"{float(ds['duplicate_free'].sel(dim=d)):.0f}" for d in ds.dim.values) + " |")
    lines += ["", "Medians over runs; every beta sees the same patterns. The modern network's capacity grows "
              "exponentially (straight on a log scale); the classical one-step network's like d / ln d. Where the "
              "modern network's median equals the birthday row, it stores every pattern until two keys coincide, "
              "which no memory can survive.", "", provenance_line(ds), ""]
    return "\n".join(lines)


register(Experiment("modern-hopfield-capacity", "one-step modern Hopfield network: capacity ~ exp(alpha d)",
                    ModernCapacityConfig, modern_hopfield_capacity, modern_capacity_figures, modern_capacity_report,
                    {"dims": (8, 10, 12, 14, 16, 18), "n_runs": 8}, modern_capacity_headline))

