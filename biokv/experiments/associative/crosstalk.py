"""``crosstalk``: readout noise of the outer-product key-value memory against the number of stored pairs ``N`` and
the key dimension ``d`` (noise sd ``sqrt(N / d)``), and what reduces it: key normalisation, a sign (threshold)
readout, more dimensions, sparse keys (Kohonen 1972, IEEE Trans. Comput. C-21:353; Gershman, Fiete & Irie 2025).

Conditions that share a key kind (normalised or not) see the same keys and values: a paired comparison.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from biokv.core.associative.capacity import bit_error_probability
from biokv.core.associative.crosstalk import random_keys, random_signs, readout_mse_theory
from biokv.core.associative.memories import OuterProductMemory
from biokv.core.common.rng import run_generators
from biokv.core.stats.metrics import linear_regression
from biokv.experiments.associative.config import CONDITION_TEXT, CONDITIONS, CrosstalkConfig

__all__ = ["crosstalk", "fit_noise_exponents", "reference_pairs"]


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
    ds = xr.merge([ds, fit_noise_exponents(ds, cfg.fit_min_pairs)])
    ds["noise_rms"].attrs["description"] = "rms over stored pairs and value components of M k_i - v_i"
    ds["sign_error"].attrs["description"] = "fraction of value components with sign(M k_i) != v_i"
    ds["sign_rms"].attrs["description"] = "rms over stored pairs and value components of sign(M k_i) - v_i"
    ds["theory_rms"].attrs["description"] = "expected rms readout noise (closed form, biokv.core.associative.crosstalk)"
    ds["theory_sign_error"].attrs["description"] = ("exact bit error rate of the sign readout with binary keys "
                                                    "(binomial tail)")
    ds.attrs.update(elapsed_s=time.perf_counter() - start, reference_dim=cfg.reference_dim,
                    fit_min_pairs=cfg.fit_min_pairs, value_dim=cfg.value_dim)
    return ds


def fit_noise_exponents(ds: xr.Dataset, fit_min_pairs: int) -> xr.Dataset:
    """Exponents of N and d in the readout noise, per condition.

    Parameters
    ----------
    ds : xarray.Dataset
        Holds ``noise_rms`` with dimensions ``(condition, dim, n_pairs, run)``.
    fit_min_pairs : int
        Smallest N in the fit.

    Returns
    -------
    xarray.Dataset
        ``exponent_n``, ``exponent_n_se``, ``exponent_d``, ``exponent_d_se`` by condition: least squares of
        ``log(mean rms) = c + b_N log N + b_d log d`` over ``N >= fit_min_pairs``.
    """
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


def reference_pairs(ds: xr.Dataset) -> int:
    """The N of the summary table and the mitigation panel: the largest N <= d_ref / 4 in the grid (the smallest
    N if none is), with ``d_ref`` the result's ``reference_dim``."""
    d_ref = int(ds.attrs["reference_dim"])
    small = [int(n) for n in ds.n_pairs.values if n <= d_ref / 4]
    return max(small) if small else int(ds.n_pairs.values[0])
