"""``modern-hopfield-capacity``: patterns stored with every pattern recalled exactly by the one-step modern
Hopfield network, ``exp(alpha d)`` (Demircigil et al. 2017, J. Stat. Phys. 168:288; Hsu 2025), with the one-step
hetero-associative Hopfield network for contrast.
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from biokv.core.associative.capacity import MODERN_RATE_BOUND, duplicate_free_capacity
from biokv.core.stats.metrics import linear_regression
from biokv.experiments.associative.config import ModernCapacityConfig
from biokv.experiments.associative.hopfield_capacity import measure_networks

__all__ = ["modern_hopfield_capacity"]


def modern_hopfield_capacity(cfg: ModernCapacityConfig, ctx) -> xr.Dataset:
    """Largest number of random patterns that the one-step modern Hopfield network recalls, every one exactly:
    exponential in d; the rate alpha of ln n_max = a + alpha d is fitted per beta."""
    start = time.perf_counter()
    modern = np.stack([measure_networks(("modern",), cfg.dims, cfg.n_runs, ctx.seed, ctx, f"beta={b:g}", beta=b)[0]
                       for b in cfg.betas])
    hetero = measure_networks(("hetero",), cfg.dims, cfg.n_runs, ctx.seed, ctx, "hetero")[0]
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
    ds["rate"].attrs["description"] = (f"alpha of ln n_max = a + alpha d (least squares over runs, d >= "
                                       f"{cfg.fit_min_dim})")
    ds.attrs.update(elapsed_s=time.perf_counter() - start, rate_bound=MODERN_RATE_BOUND,
                    fit_min_dim=cfg.fit_min_dim)
    return ds
