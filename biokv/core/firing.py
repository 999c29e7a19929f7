"""Firing-rate distribution of a population: mean, median, silent cells and a log-normal fit.

Hippocampal firing rates are log-normal-like and skewed (Mizuseki & Buzsaki 2013, Cell Rep 4:1010); most
granule cells are silent during exploration (Diamantaki et al. 2016, eLife 5:e20252) and the active ones fire at
very low rates (0-0.5 Hz, Jung & McNaughton 1993).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["rate_statistics"]


def rate_statistics(counts, duration: float) -> dict:
    """Statistics of per-cell firing rates.

    Parameters
    ----------
    counts : array (n_cells,)
        Spikes of each cell in ``duration``.
    duration : float
        Seconds, > 0.

    Returns
    -------
    dict with ``n_cells``, ``mean_hz``, ``median_hz``, ``silent_fraction`` (no spike), ``n_active``,
    ``lognormal_mu`` and ``lognormal_sigma`` (maximum-likelihood log-normal fit of the positive rates: mean and
    population standard deviation of ln rate; NaN with fewer than 2 active cells), ``lognormal_ks``
    (Kolmogorov-Smirnov distance of the positive rates from the fitted log-normal; NaN when sigma is 0 or
    undefined) and ``skewness`` (of all rates, biased estimator; NaN when all rates are equal).
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 1 or counts.size == 0 or np.any(~np.isfinite(counts)) or np.any(counts < 0):
        raise ValueError("counts must be a non-empty 1-D array of finite non-negative spike counts")
    if not np.isfinite(duration) or duration <= 0:
        raise ValueError(f"duration must be > 0 seconds, got {duration}")
    rates = counts / duration
    active = rates[rates > 0]
    mu = sigma = ks = np.nan
    if active.size >= 2:
        logs = np.log(active)
        mu, sigma = float(logs.mean()), float(logs.std())
        if sigma > 0:
            ks = float(stats.kstest(active, stats.lognorm(s=sigma, scale=np.exp(mu)).cdf).statistic)
    skew = float(stats.skew(rates, bias=True)) if np.ptp(rates) > 0 else np.nan
    return {"n_cells": int(rates.size), "mean_hz": float(rates.mean()), "median_hz": float(np.median(rates)),
            "silent_fraction": float((rates == 0).mean()), "n_active": int(active.size), "lognormal_mu": mu,
            "lognormal_sigma": sigma, "lognormal_ks": ks, "skewness": skew}
