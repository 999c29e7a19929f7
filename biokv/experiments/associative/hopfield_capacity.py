"""``hopfield-capacity``: patterns stored with every pattern recalled exactly by the one-step hetero-associative
and the classical auto-associative Hopfield network, ``~ d / log d`` (Hsu 2025; McEliece et al. 1987, IEEE Trans.
Inf. Theory 33:461).
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from biokv.core.associative.capacity import THEOREM_CONSTANT, measure_capacity, predicted_capacity
from biokv.core.stats.metrics import linear_regression
from biokv.experiments.associative.config import HopfieldCapacityConfig

__all__ = ["hopfield_capacity", "measure_networks"]


def measure_networks(networks, dims, n_runs: int, seed: int, ctx, desc: str, beta: float = 1.0) -> np.ndarray:
    """Measured capacity of each network at each dimension.

    Parameters
    ----------
    networks : sequence of str
        Networks of :func:`biokv.core.associative.capacity.measure_capacity`.
    dims : sequence of int
        Pattern dimensions d.
    n_runs : int
        Independent pattern sequences per network and d (stream ``"capacity:<network>:<d>"``).
    seed : int
        Seed of the run generators.
    ctx
        Run context (its ``progress`` shows one step per network and d).
    desc : str
        Progress label.
    beta : float
        Inverse temperature of the modern network.

    Returns
    -------
    numpy.ndarray
        ``n_max`` (int64), shape ``(len(networks), len(dims), n_runs)``.
    """
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
    n_max = measure_networks(cfg.networks, cfg.dims, cfg.n_runs, ctx.seed, ctx, "capacity")
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
