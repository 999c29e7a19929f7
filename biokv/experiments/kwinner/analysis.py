"""Statistics of the retention overlaps (Bhandarkar & McClelland 2025, SI A.2.2-A.2.4).

:func:`add_retention_statistics` turns the raw overlaps into accuracy, R.D. and d' curves by age (per sample,
mean and SEM), paired one-tailed tests against a comparator model and exponential fits of the mean R.D.;
:func:`add_mhn_theory` adds the closed-form retention curves of the 1-winner MHN.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from biokv.core.kwinner import theory
from biokv.core.stats import metrics
from biokv.experiments.kwinner.config import NetworkConfig

__all__ = ["add_retention_statistics", "add_mhn_theory"]

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


def add_retention_statistics(ds: xr.Dataset, n_active: int, comparator: str, alpha: float,
                             fit_max_age: int) -> xr.Dataset:
    """Add accuracy, R.D. and d' (per sample, mean and SEM), paired tests against ``comparator`` and fits.

    Parameters
    ----------
    ds : xarray.Dataset
        Overlaps ``overlap_real`` and ``overlap_pseudo`` (and optionally ``overlap_pseudo_random``) with the
        dimensions ``model``, ``sample``, ``run`` and ``age`` (and any others, e.g. ``cue``, ``flips``).
    n_active : int
        Ones per pattern, s: accuracy is overlap / s.
    comparator : str
        The model every other model is tested against (paired one-tailed t-test across samples).
    alpha : float
        Significance level of the tests.
    fit_max_age : int
        The exponential fit of the mean R.D. uses ages 1..fit_max_age.

    Returns
    -------
    xarray.Dataset
        A copy of ``ds`` with the statistics added and described.
    """
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
    for k, v in _DESCRIPTIONS.items():
        if k in out:
            out[k].attrs["description"] = v
    return out


def add_mhn_theory(ds: xr.Dataset, networks: dict[str, NetworkConfig]) -> xr.Dataset:
    """The 1-winner MHN theory curves (paper's asymptotic baseline and exact order statistics), where it applies.

    Parameters
    ----------
    ds : xarray.Dataset
        A result with the coordinates ``cue`` and ``age``.
    networks : dict of name -> NetworkConfig
        The models of the experiment; the theory is added for those that are slot MHNs
        (:attr:`NetworkConfig.is_slot_mhn`).

    Returns
    -------
    xarray.Dataset
        ``ds`` with ``theory_raw_difference`` and ``theory_baseline`` (or ``ds`` itself if no model is a slot MHN).
    """
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
