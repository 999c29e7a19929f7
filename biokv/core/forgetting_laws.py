"""Laws of forgetting fitted to recall by age, compared by AIC.

- power: ``R(t) = a t^-b`` -- fits human forgetting better than an exponential (Wixted & Ebbesen 1991,
  Psychol Sci 2:409);
- exponential: ``R(t) = a exp(-t / tau)``;
- two_exponential: ``R(t) = a1 exp(-t / tau1) + a2 exp(-t / tau2) + c`` with ``tau1 <= tau2`` -- a sum of two
  exponentials plus a constant describes many retention data sets, with a slow time constant of ~28 items in
  recall and ~13 in recognition (Rubin, Hinton & Wenzel 1999, JEP:LMC 25:1); many forms fit about equally
  (Rubin & Wenzel 1996, Psych Rev 103:734).

Fits are least squares (bounded, from a fixed grid of starting points: deterministic). The pure power and
exponential forms decay to 0: recall with a chance floor should be passed as recall above chance.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import least_squares

__all__ = ["LAWS", "law_curve", "fit_law", "fit_laws"]

LAWS = ("power", "exponential", "two_exponential")
_PARAMS = {"power": ("a", "b"), "exponential": ("a", "tau"), "two_exponential": ("a1", "tau1", "a2", "tau2", "c")}
#: RSS floor (relative to the data's sum of squares) so that a perfect fit has a finite AIC
_RSS_FLOOR = 1e-300


def law_curve(law: str, params: dict, t) -> np.ndarray:
    """Evaluate a law at ages ``t`` with parameters ``params`` (names as in :func:`fit_law`)."""
    t = np.asarray(t, dtype=np.float64)
    p = params
    if law == "power":
        return p["a"] * t ** (-p["b"])
    if law == "exponential":
        return p["a"] * np.exp(-t / p["tau"])
    if law == "two_exponential":
        return p["a1"] * np.exp(-t / p["tau1"]) + p["a2"] * np.exp(-t / p["tau2"]) + p["c"]
    raise ValueError(f"law must be one of {LAWS}, got {law!r}")


def _check(t, recall):
    t = np.asarray(t, dtype=np.float64)
    recall = np.asarray(recall, dtype=np.float64)
    if t.ndim != 1 or recall.shape != t.shape:
        raise ValueError(f"t and recall must be 1-D arrays of the same length, got shapes {t.shape} and "
                         f"{recall.shape}")
    if np.any(~np.isfinite(t)) or np.any(t <= 0):
        raise ValueError("t (ages) must be finite and > 0")
    keep = np.isfinite(recall)
    return t[keep], recall[keep]


def _starts(law, t, y):
    top = max(float(np.max(np.abs(y))), 1e-12)
    taus = np.geomspace(max(t.min(), 1e-3) / 2, t.max() * 2, 6)
    if law == "power":
        return [[top * t.min() ** b, b] for b in (0.1, 0.5, 1.0, 2.0)]
    if law == "exponential":
        return [[top * math.exp(t.min() / tau), tau] for tau in taus]
    return [[top / 2, t1, top / 2, t2, c] for i, t1 in enumerate(taus) for t2 in taus[i:]
            for c in (0.0, float(y[-1]))]


def _bounds(law, y):
    big = 1e3 * max(float(np.max(np.abs(y))), 1e-12)
    if law == "power":
        return [0.0, 0.0], [np.inf, np.inf]
    if law == "exponential":
        return [0.0, 1e-9], [np.inf, np.inf]
    return [0.0, 1e-9, 0.0, 1e-9, -big], [np.inf, np.inf, np.inf, np.inf, big]


def fit_law(t, recall, law: str) -> dict:
    """Least-squares fit of one law.

    Parameters
    ----------
    t : array (n,)
        Ages, > 0 (e.g. memories stored since).
    recall : array (n,)
        Recall at each age; non-finite entries are left out.
    law : {"power", "exponential", "two_exponential"}

    Returns
    -------
    dict with ``law``, ``params`` (name -> value), ``rss``, ``n``, ``n_params``, ``aic``, ``aicc`` and ``r2``.
    ``aic = n ln(RSS / n) + 2 (n_params + 1)`` for Gaussian errors of unknown variance (the +1 counts the
    variance); ``aicc`` adds ``2 K (K + 1) / (n - K - 1)`` with ``K = n_params + 1``. A perfect fit (RSS 0)
    uses an RSS of 1e-300 so that the AIC stays finite.
    """
    if law not in LAWS:
        raise ValueError(f"law must be one of {LAWS}, got {law!r}")
    t, y = _check(t, recall)
    names = _PARAMS[law]
    k = len(names)
    if t.size < k + 2:
        raise ValueError(f"law {law!r} has {k} parameters and needs at least {k + 2} points with finite recall, "
                         f"got {t.size}")
    low, high = _bounds(law, y)

    def residuals(x):
        return law_curve(law, dict(zip(names, x)), t) - y

    best = None
    for x0 in _starts(law, t, y):
        x0 = np.clip(x0, np.asarray(low) + 1e-12, np.asarray(high) - 1e-12)
        res = least_squares(residuals, x0, bounds=(low, high), method="trf", x_scale="jac", max_nfev=2000)
        if best is None or res.cost < best.cost:
            best = res
    params = dict(zip(names, (float(v) for v in best.x)))
    if law == "two_exponential" and params["tau1"] > params["tau2"]:  # fast component first
        params["a1"], params["tau1"], params["a2"], params["tau2"] = (params["a2"], params["tau2"], params["a1"],
                                                                      params["tau1"])
    rss = float(np.sum(residuals([params[n] for n in names]) ** 2))
    n = t.size
    K = k + 1
    aic = n * math.log(max(rss, _RSS_FLOOR) / n) + 2 * K
    aicc = aic + 2 * K * (K + 1) / (n - K - 1) if n - K - 1 > 0 else math.inf
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    return {"law": law, "params": params, "rss": rss, "n": n, "n_params": k, "aic": aic, "aicc": aicc,
            "r2": 1.0 - rss / ss_tot if ss_tot > 0 else math.nan}


def fit_laws(t, recall, laws=LAWS) -> dict:
    """Fit several laws; returns ``law -> fit_law(...)`` plus ``best`` (lowest AIC) and ``delta_aic``."""
    out = {law: fit_law(t, recall, law) for law in laws}
    best = min(laws, key=lambda law: out[law]["aic"])
    out["best"] = best
    out["delta_aic"] = {law: out[law]["aic"] - out[best]["aic"] for law in laws}
    return out
