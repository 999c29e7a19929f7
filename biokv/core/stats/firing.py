"""Firing-rate distribution of a population: mean, median, silent cells, skewness and a log-normal fit.

Comparison data: hippocampal firing rates are log-normal-like and strongly skewed, a minority of cells firing
much more than the rest (Mizuseki & Buzsaki 2013, Cell Rep 4:1010); most dentate granule cells are silent during
exploration (Diamantaki et al. 2016, eLife 5:e20252), and the active ones fire at very low rates, about 0-0.5 Hz
(Jung & McNaughton 1993, Hippocampus 3:165).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = ["rate_statistics"]


def rate_statistics(counts, duration: float) -> dict:
    """Statistics of the firing rates of a population.

    Parameters
    ----------
    counts : array_like (n_cells,)
        Spike count of each cell over ``duration``; finite and >= 0, at least one cell.
    duration : float
        Length of the counting window in seconds, > 0. Rates are ``counts / duration``.

    Returns
    -------
    dict
        - ``n_cells``: number of cells.
        - ``mean_hz``, ``median_hz``: mean and median rate of all cells, silent ones included.
        - ``silent_fraction``: fraction of cells with no spike; ``n_active``: number of cells with a spike.
        - ``lognormal_mu``, ``lognormal_sigma``: maximum-likelihood log-normal fit of the positive rates, i.e. the
          mean and the population standard deviation (``ddof=0``) of ``ln(rate)``. NaN with fewer than 2 active
          cells.
        - ``lognormal_ks``: Kolmogorov-Smirnov distance of the positive rates from that log-normal
          (:func:`scipy.stats.kstest` against ``scipy.stats.lognorm(s=sigma, scale=exp(mu))``). NaN without a fit
          (fewer than 2 active cells) and when ``sigma == 0`` (all active cells fire at the same rate).
        - ``skewness``: skewness of all rates (:func:`scipy.stats.skew`, ``bias=True``); NaN when all rates are
          equal.

    Notes
    -----
    The Kolmogorov-Smirnov distance is computed with the parameters estimated from the same data, so it is
    smaller than for a fully specified distribution; it serves to compare shapes, not as a test's p-value. Counts
    are discrete: with short windows the smallest positive rates pile up at ``1 / duration``, which inflates the
    distance.

    Raises
    ------
    ValueError
        If ``counts`` is not a non-empty 1-D array of finite non-negative numbers, or ``duration`` is not a finite
        number > 0.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 1 or counts.size == 0:
        raise ValueError(f"counts must be a non-empty 1-D array (one spike count per cell), got shape {counts.shape}")
    if not np.all(np.isfinite(counts)):
        raise ValueError("counts must be finite")
    if np.any(counts < 0):
        raise ValueError(f"counts must be >= 0, got minimum {counts.min():g}")
    duration = float(duration)
    if not math.isfinite(duration) or duration <= 0:
        raise ValueError(f"duration must be > 0 seconds (finite), got {duration}")
    rates = counts / duration
    active = rates[rates > 0]
    mu = sigma = ks = math.nan
    if active.size >= 2:
        logs = np.log(active)
        mu = float(logs.mean())
        sigma = float(logs.std()) if np.ptp(logs) > 0 else 0.0  # exactly 0 for equal rates, whatever the rounding
        if sigma > 0:
            ks = float(stats.kstest(active, stats.lognorm(s=sigma, scale=math.exp(mu)).cdf).statistic)
    skew = float(stats.skew(rates, bias=True)) if np.ptp(rates) > 0 else math.nan
    return {"n_cells": int(rates.size), "mean_hz": float(rates.mean()), "median_hz": float(np.median(rates)),
            "silent_fraction": float(np.mean(rates == 0)), "n_active": int(active.size), "lognormal_mu": mu,
            "lognormal_sigma": sigma, "lognormal_ks": ks, "skewness": skew}
