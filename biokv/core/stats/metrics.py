"""Memory-performance metrics: retrieval accuracy, raw difference, d', their comparison, exponential fits and
the effect size of an intervention.

Bhandarkar & McClelland (2025), SI A.2.2-A.2.3. For run ``r`` and age ``a``, ``D_r = acc_real_r - acc_pseudo_r``
(accuracy = overlap / s). A *sample* is a group of runs; per sample and age, the raw difference is
``R.D. = mean_r D_r`` and ``d' = mean_r D_r / std_r D_r`` (population standard deviation). Results are reported
as mean and standard error across samples.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

__all__ = ["retrieval_accuracy", "sample_dprime", "sample_raw_difference", "mean_and_sem", "paired_greater",
           "exponential_fit", "linear_regression", "paired_effect"]


def retrieval_accuracy(overlap: np.ndarray, n_active: int) -> np.ndarray:
    """Accuracy = overlap / s (float64), elementwise."""
    return np.asarray(overlap, dtype=np.float64) / n_active


def _differences(real: np.ndarray, pseudo: np.ndarray, n_active: int) -> np.ndarray:
    real = np.asarray(real)
    pseudo = np.asarray(pseudo)
    if real.shape != pseudo.shape:
        raise ValueError(f"real and pseudo must have the same shape, got {real.shape} and {pseudo.shape}")
    return retrieval_accuracy(real, n_active) - retrieval_accuracy(pseudo, n_active)


def sample_raw_difference(real, pseudo, n_active: int, run_axis: int = -2) -> np.ndarray:
    """R.D. of each sample: the mean over runs of ``acc_real - acc_pseudo``.

    ``real`` and ``pseudo`` are overlaps (or accuracies times ``n_active``) with runs along ``run_axis``.
    """
    return _differences(real, pseudo, n_active).mean(axis=run_axis)


def sample_dprime(real, pseudo, n_active: int, run_axis: int = -2) -> np.ndarray:
    """d' of each sample: ``mean_r D_r / std_r D_r`` with the population standard deviation.

    Where all runs give the same difference the standard deviation is 0 and d' is undefined: NaN is returned.
    """
    d = _differences(real, pseudo, n_active)
    mean = d.mean(axis=run_axis)
    std = d.std(axis=run_axis)
    # differences are multiples of 1 / n_active: a spread below rounding error means every run agreed
    spread = std > 1e-9 / n_active
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(spread, mean / np.where(spread, std, 1.0), np.nan)


def mean_and_sem(x: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error of the mean (``std(ddof=1) / sqrt(n)``) along ``axis``, ignoring NaN."""
    x = np.asarray(x, dtype=np.float64)
    n = np.sum(~np.isnan(x), axis=axis)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(x, axis=axis)
        sem = np.nanstd(x, axis=axis, ddof=1) / np.sqrt(n)
    return mean, sem


def paired_greater(a: np.ndarray, b: np.ndarray, axis: int = 0) -> np.ndarray:
    """p-values of a paired one-tailed t-test that ``a > b`` across ``axis`` (e.g. samples)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.ttest_rel(a, b, axis=axis, alternative="greater", nan_policy="propagate")
    return np.asarray(result.pvalue)


def exponential_fit(ages: np.ndarray, values: np.ndarray) -> dict:
    """Least-squares fit of ``log(values) = log(C) - a * age``.

    Points with ``values <= 0`` (no log) are left out and counted.

    Returns
    -------
    dict with ``C``, ``a``, ``n_points`` (used), ``n_excluded`` and ``r2`` (of the log-linear fit).
    """
    ages = np.asarray(ages, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(values) & (values > 0)
    if ok.sum() < 2:
        return dict(C=np.nan, a=np.nan, n_points=int(ok.sum()), n_excluded=int((~ok).sum()), r2=np.nan)
    x = ages[ok]
    y = np.log(values[ok])
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (intercept + slope * x)
    ss_tot = np.sum((y - y.mean()) ** 2)
    r2 = 1.0 - np.sum(resid**2) / ss_tot if ss_tot > 0 else np.nan
    return dict(C=float(np.exp(intercept)), a=float(-slope), n_points=int(ok.sum()),
                n_excluded=int((~ok).sum()), r2=float(r2))


def linear_regression(design: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ordinary least squares ``y = design @ beta``: coefficients and their standard errors.

    Parameters
    ----------
    design : array (n, p)
        One row per observation, one column per coefficient (include a column of ones for an intercept).
    y : array (n,)

    Returns
    -------
    beta, se : ndarray (p,)
        Standard errors from the residual variance ``RSS / (n - p)`` (NaN when ``n <= p``).
    """
    design = np.asarray(design, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if design.ndim != 2 or y.shape != (design.shape[0],):
        raise ValueError(f"design must have shape (n, p) and y shape (n,), got {design.shape} and {y.shape}")
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    n, p = design.shape
    if n <= p:
        return beta, np.full(p, np.nan)
    sigma2 = np.sum((y - design @ beta) ** 2) / (n - p)
    return beta, np.sqrt(sigma2 * np.diag(np.linalg.pinv(design.T @ design)))


def paired_effect(control, intervention, axis: int = 0, confidence: float = 0.95) -> dict:
    """Effect of an intervention measured against a control on the same seeds (paired samples).

    Parameters
    ----------
    control, intervention : array
        One value per seed along ``axis`` (the same network, patterns and noise in both conditions).
    axis : int
        The seed axis; the other axes are kept (one effect per entry).
    confidence : float
        Level of the confidence interval, in (0, 1).

    Returns
    -------
    dict of arrays
        ``difference`` (mean of intervention - control), ``ci_low``, ``ci_high`` (Student-t interval of the
        mean difference with n - 1 degrees of freedom), ``dz`` (standardised effect: mean difference / standard
        deviation of the differences; NaN when every difference is equal, up to rounding), ``p_value``
        (two-sided paired t-test; NaN when every difference is equal), ``n`` (seeds). With one seed the interval is NaN.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    control = np.asarray(control, dtype=np.float64)
    intervention = np.asarray(intervention, dtype=np.float64)
    if control.shape != intervention.shape:
        raise ValueError(f"control and intervention must have the same shape, got {control.shape} and "
                         f"{intervention.shape}")
    diff = np.moveaxis(intervention - control, axis, 0)
    n = diff.shape[0]
    if n < 1:
        raise ValueError("need at least one seed")
    mean = diff.mean(axis=0)
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = diff.std(axis=0, ddof=1) if n > 1 else np.full(mean.shape, np.nan)
        half = stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n) if n > 1 else np.full(mean.shape, np.nan)
        varies = sd > 1e-12 * np.maximum(1.0, np.abs(mean))  # equal differences up to rounding: no spread
        dz = np.where(varies, mean / np.where(varies, sd, 1.0), np.nan)
        t = dz * np.sqrt(n)
        p = np.where(varies, 2 * stats.t.sf(np.abs(t), n - 1), np.nan)
    return {"difference": mean, "ci_low": mean - half, "ci_high": mean + half, "dz": dz, "p_value": p, "n": n}
