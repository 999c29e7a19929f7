"""Laws of forgetting fitted to recall by age, compared by the Akaike information criterion.

The laws (``t`` is the age of a memory, > 0; ``R`` the recall):

- ``"power"``: ``R(t) = a t**(-b)`` with ``a, b >= 0``. Human forgetting is fitted better by a power function
  than by an exponential (Wixted & Ebbesen 1991, Psychol Sci 2:409).
- ``"exponential"``: ``R(t) = a exp(-t / tau)`` with ``a >= 0``, ``tau > 0``.
- ``"two_exponential"``: ``R(t) = a1 exp(-t / tau1) + a2 exp(-t / tau2) + c`` with ``tau1 <= tau2`` (fast, slow),
  ``a1, a2 >= 0`` and a free constant ``c``. Rubin, Hinton & Wenzel (1999, JEP:LMC 25:1161) found that this sum of
  two exponentials plus a constant fitted all of their precise retention data, with a slow time constant of ~28
  intervening items in recall (and remember-know recognition) and ~13 in old-new recognition, where no
  two-parameter function did. Over the wider literature many forms fit about equally well (Rubin & Wenzel 1996,
  Psych Rev 103:734).

The pure power and exponential laws decay to 0: recall accuracy with a chance floor should be passed as accuracy
above chance (e.g. ``(acc - chance) / (1 - chance)``) by the caller when those forms are meant. The
two-exponential law has its own constant ``c``.

Fitting is least squares and deterministic (no randomness; the same inputs give the same output). The amplitudes
and ``c`` enter linearly: for given nonlinear parameters (exponent ``b``, time constants) they are solved exactly
(amplitudes >= 0). The nonlinear parameters are first evaluated on a fixed grid (time constants spanning
``min(t) / 10`` to ``10 max(t)``, exponents 0 to 4); from the best grid points they are optimised with the linear
parameters projected out (variable projection), then all parameters are refined together by bounded
:func:`scipy.optimize.least_squares` (amplitudes >= 0, exponent >= 0, time constants > 0,
``|c| <= 1e3 max|recall|``). The best fit over the starts is kept.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy.optimize import least_squares

__all__ = ["LAWS", "PARAMS", "RSS_FLOOR", "law_curve", "fit_law", "fit_laws", "exponential_components"]

#: The laws, in a fixed order.
LAWS = ("power", "exponential", "two_exponential")
#: Parameter names of each law, in the order they are fitted.
PARAMS = {"power": ("a", "b"), "exponential": ("a", "tau"), "two_exponential": ("a1", "tau1", "a2", "tau2", "c")}
#: Smallest residual sum of squares used in the AIC, so that a perfect fit (RSS 0) gives a finite AIC.
RSS_FLOOR = 1e-300
#: How many of the best grid points the fit starts from; more for the two-exponential law.
_N_STARTS = {"power": 3, "exponential": 3, "two_exponential": 4}
_TOL = 1e-12  # ftol, xtol and gtol of least_squares
_MAX_NFEV = 200  # per least_squares call


def _check_law(law) -> None:
    if law not in LAWS:
        raise ValueError(f"law must be one of {LAWS}, got {law!r}")


def law_curve(law: str, params: dict, t) -> np.ndarray:
    """Evaluate a law of forgetting.

    Parameters
    ----------
    law : {"power", "exponential", "two_exponential"}
    params : dict
        Parameter name -> value, with the names of ``PARAMS[law]`` (extra entries are ignored), e.g. the
        ``"params"`` of a :func:`fit_law` result.
    t : array_like
        Ages; > 0 for the power law.

    Returns
    -------
    ndarray (float64)
        ``R(t)``, with the shape of ``t``.
    """
    _check_law(law)
    missing = [name for name in PARAMS[law] if name not in params]
    if missing:
        raise ValueError(f"params for law {law!r} lack {missing}; it needs {PARAMS[law]}")
    p = {name: float(params[name]) for name in PARAMS[law]}
    t = np.asarray(t, dtype=np.float64)
    if law == "power":
        if np.any(t <= 0):
            raise ValueError("t must be > 0 for the power law")
        return p["a"] * t ** (-p["b"])
    if law == "exponential":
        return p["a"] * np.exp(-t / p["tau"])
    return p["a1"] * np.exp(-t / p["tau1"]) + p["a2"] * np.exp(-t / p["tau2"]) + p["c"]


def _check_data(t, recall) -> tuple[np.ndarray, np.ndarray]:
    """Validated ``t`` and ``recall`` (float64), without the points whose recall is not finite."""
    t = np.asarray(t, dtype=np.float64)
    recall = np.asarray(recall, dtype=np.float64)
    if t.ndim != 1:
        raise ValueError(f"t must be a 1-D array, got shape {t.shape}")
    if recall.ndim != 1:
        raise ValueError(f"recall must be a 1-D array, got shape {recall.shape}")
    if recall.size != t.size:
        raise ValueError(f"t and recall must have the same length, got {t.size} and {recall.size}")
    if not np.all(np.isfinite(t)) or np.any(t <= 0):
        bad = t[~(np.isfinite(t) & (t > 0))][0]
        raise ValueError(f"t (ages) must be finite and > 0, got {bad:g}")
    keep = np.isfinite(recall)
    return t[keep], recall[keep]


def _n_amplitudes(law: str) -> int:
    return 2 if law == "two_exponential" else 1


def _design(law: str, t: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Columns multiplying the linear parameters (amplitudes, then ``c``) for nonlinear parameters ``v``.

    ``v`` is ``(b,)`` for the power law and the log time constants otherwise.
    """
    if law == "power":
        return t[:, None] ** (-v[0])
    if law == "exponential":
        return np.exp(-t / math.exp(v[0]))[:, None]
    return np.column_stack([np.exp(-t / math.exp(v[0])), np.exp(-t / math.exp(v[1])), np.ones_like(t)])


def _linear(law: str, t: np.ndarray, y: np.ndarray, v: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Exact least-squares linear parameters (amplitudes >= 0, ``c`` free) for nonlinear parameters ``v``.

    The constrained problem is convex, so its optimum is the best of the unconstrained solutions over the sets of
    amplitudes held at 0 that leave the others >= 0. Returns ``(rss, linear parameters, residuals)``.
    """
    design = _design(law, t, v)
    n_amp = _n_amplitudes(law)
    best = None
    for free in itertools.product((True, False), repeat=n_amp):  # all free first: feasible -> optimal
        cols = [i for i in range(n_amp) if free[i]] + list(range(n_amp, design.shape[1]))
        coef = np.zeros(design.shape[1])
        if cols:
            sol = np.linalg.lstsq(design[:, cols], y, rcond=None)[0]
            if np.any(sol[:sum(free)] < 0):
                continue
            coef[cols] = sol
        resid = design @ coef - y
        rss = float(resid @ resid)
        if all(free):
            return rss, coef, resid
        if best is None or rss < best[0]:
            best = (rss, coef, resid)
    return best


def _full(law: str, v: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """All parameters (order of ``PARAMS[law]``) from the nonlinear ``v`` and the linear ``coef``."""
    if law == "power":
        return np.array([coef[0], v[0]])
    if law == "exponential":
        return np.array([coef[0], math.exp(v[0])])
    return np.array([coef[0], math.exp(v[0]), coef[1], math.exp(v[1]), coef[2]])


def _jacobian(law: str, x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Derivatives of the law at ``t`` with respect to its parameters ``x`` (order of ``PARAMS[law]``)."""
    if law == "power":
        f = t ** (-x[1])
        return np.column_stack([f, -x[0] * np.log(t) * f])
    if law == "exponential":
        e = np.exp(-t / x[1])
        return np.column_stack([e, x[0] * e * t / x[1] ** 2])
    e1, e2 = np.exp(-t / x[1]), np.exp(-t / x[3])
    return np.column_stack([e1, x[0] * e1 * t / x[1] ** 2, e2, x[2] * e2 * t / x[3] ** 2, np.ones_like(t)])


def _grid(law: str, t: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Grid of the nonlinear parameters (``b``, or log time constants with ``tau1 < tau2``) and the box searched.

    Exponents: 0 to 4 on the grid, [0, 100] in the search (less when ``min(t) < 1``, so that ``t**-b`` stays
    finite). Time constants: ``[min(t) / 10, 10 max(t)]`` on the grid, ``[min(t) / 1e3, 1e3 max(t)]`` in the search
    (the final refinement of all parameters is bounded only by :func:`_bounds`).
    """
    if law == "power":  # t**-b must stay finite for t < 1
        b_max = 100.0 if t.min() >= 1 else min(100.0, 250.0 / math.log(1.0 / t.min()))
        return [np.array([b]) for b in np.linspace(0.0, min(4.0, b_max), 41)], np.array([0.0]), np.array([b_max])
    logs = np.log(np.geomspace(t.min() / 10, t.max() * 10, 21))
    box = np.log([t.min() / 1e3, t.max() * 1e3])
    if law == "exponential":
        return [np.array([u]) for u in logs], box[:1], box[1:]
    return ([np.array([u1, u2]) for i, u1 in enumerate(logs) for u2 in logs[i + 1:]], np.full(2, box[0]),
            np.full(2, box[1]))


def _starts(law: str, t: np.ndarray, y: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The best grid points of the nonlinear parameters (for two exponentials at most one per fast time constant,
    so that the starts lie in different basins), and the box searched."""
    grid, low, high = _grid(law, t)
    scored = [(_linear(law, t, y, v)[0], v) for v in grid]
    if law == "two_exponential":
        per_fast = {}
        for rss, v in scored:
            if v[0] not in per_fast or rss < per_fast[v[0]][0]:
                per_fast[v[0]] = (rss, v)
        scored = list(per_fast.values())
    scored.sort(key=lambda s: s[0])  # stable: ties keep the grid order
    return [v for _, v in scored[:_N_STARTS[law]]], low, high


def _bounds(law: str, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parameter bounds: amplitudes and exponent >= 0, time constants > 0, ``|c| <= 1e3 max|recall|``."""
    big = 1e3 * max(float(np.max(np.abs(y))), 1e-12)
    if law == "power":
        low, high = [0.0, 0.0], [np.inf, np.inf]
    elif law == "exponential":
        low, high = [0.0, 1e-12], [np.inf, np.inf]
    else:
        low, high = [0.0, 1e-12, 0.0, 1e-12, -big], [np.inf, np.inf, np.inf, np.inf, big]
    return np.asarray(low), np.asarray(high)


def fit_law(t, recall, law: str) -> dict:
    """Least-squares fit of one law of forgetting.

    Parameters
    ----------
    t : array_like (n,)
        Ages, finite and > 0 (e.g. the number of memories stored since).
    recall : array_like (n,)
        Recall at each age. Points whose recall is not finite are dropped.
    law : {"power", "exponential", "two_exponential"}

    Returns
    -------
    dict
        ``law``; ``params`` (name -> float, names as in ``PARAMS[law]``; for ``two_exponential`` ``tau1 <= tau2``);
        ``rss`` (residual sum of squares); ``n`` (points used); ``n_params`` (parameters of the law, without the
        noise variance); ``aic``; ``aicc``; ``r2`` (``1 - RSS / SS_tot``, NaN when all recall values are equal).

    Raises
    ------
    ValueError
        For an unknown law; ``t`` or ``recall`` not 1-D or of different lengths; ``t`` not finite or not > 0;
        fewer than ``n_params + 2`` points with finite recall (the law's parameters and the noise variance, plus
        one residual degree of freedom).

    Notes
    -----
    For least squares with independent Gaussian errors of unknown variance,
    ``aic = n ln(RSS / n) + 2 K`` with ``K = n_params + 1``: the +1 counts the estimated noise variance.
    ``aicc = aic + 2 K (K + 1) / (n - K - 1)`` is the small-sample correction (``inf`` when ``n <= K + 1``).
    A perfect fit (RSS 0) would give an AIC of ``-inf``: the RSS in the AIC is floored at ``RSS_FLOOR`` (1e-300);
    the reported ``rss`` is not floored.
    """
    _check_law(law)
    t, y = _check_data(t, recall)
    names = PARAMS[law]
    k = len(names)
    if t.size < k + 2:
        raise ValueError(f"law {law!r} has {k} parameters and needs at least {k + 2} points with finite recall, "
                         f"got {t.size}")
    low, high = _bounds(law, y)

    def residuals(x):
        return law_curve(law, dict(zip(names, x)), t) - y

    best_x, best_rss = None, math.inf
    starts, v_low, v_high = _starts(law, t, y)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        for v0 in starts:
            # variable projection: search the nonlinear parameters, the linear ones solved exactly at each step
            outer = least_squares(lambda v: _linear(law, t, y, v)[2], v0, bounds=(v_low, v_high), method="trf",
                                  diff_step=1e-7, ftol=_TOL, xtol=_TOL, gtol=_TOL, max_nfev=_MAX_NFEV)
            x0 = np.clip(_full(law, outer.x, _linear(law, t, y, outer.x)[1]), low, high)
            # then all parameters together, within their own bounds
            res = least_squares(residuals, x0, jac=lambda x: _jacobian(law, x, t), bounds=(low, high),
                                method="trf", x_scale="jac", ftol=_TOL, xtol=_TOL, gtol=_TOL, max_nfev=_MAX_NFEV)
            for x in (x0, res.x):
                rss = float(np.sum(residuals(x) ** 2))
                if rss < best_rss:
                    best_x, best_rss = x, rss
    params = dict(zip(names, (float(v) for v in best_x)))
    if law == "two_exponential" and params["tau1"] > params["tau2"]:  # fast component first
        params["a1"], params["tau1"], params["a2"], params["tau2"] = (params["a2"], params["tau2"], params["a1"],
                                                                      params["tau1"])
    rss = float(np.sum(residuals([params[name] for name in names]) ** 2))
    n = int(t.size)
    n_estimated = k + 1
    aic = n * math.log(max(rss, RSS_FLOOR) / n) + 2 * n_estimated
    dof = n - n_estimated - 1
    aicc = aic + 2 * n_estimated * (n_estimated + 1) / dof if dof > 0 else math.inf
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    return {"law": law, "params": params, "rss": rss, "n": n, "n_params": k, "aic": float(aic),
            "aicc": float(aicc), "r2": 1.0 - rss / ss_tot if ss_tot > 0 else math.nan}


def fit_laws(t, recall, laws=LAWS) -> dict:
    """Fit several laws of forgetting to the same data and compare them by AIC.

    Parameters
    ----------
    t, recall : array_like (n,)
        As in :func:`fit_law`.
    laws : sequence of str
        Laws to fit (default all of ``LAWS``), at least one.

    Returns
    -------
    dict
        ``law -> fit_law(t, recall, law)`` for each law, plus ``"best"`` (the law with the lowest AIC; the first
        in ``laws`` on a tie) and ``"delta_aic"`` (law -> its AIC minus the best AIC, >= 0).
    """
    laws = tuple(laws)
    if not laws:
        raise ValueError("laws must name at least one law")
    for law in laws:
        _check_law(law)
    out = {law: fit_law(t, recall, law) for law in laws}
    best = min(laws, key=lambda law: out[law]["aic"])
    out["best"] = best
    out["delta_aic"] = {law: out[law]["aic"] - out[best]["aic"] for law in laws}
    return out


def exponential_components(params: dict, min_share: float = 1e-3) -> list[tuple[float, float]]:
    """The components a two-exponential fit really has: ``(amplitude, tau)`` pairs, fastest first.

    A least-squares fit of ``a1 exp(-t / tau1) + a2 exp(-t / tau2) + c`` to data that one exponential describes
    drives one amplitude to (nearly) 0, and the time constant of that component is then not determined by the
    data (it can take any value). Only components whose amplitude is at least ``min_share`` of ``a1 + a2`` are
    returned, so a slow time constant is reported only when the fit has two components.

    Parameters
    ----------
    params : dict
        ``a1``, ``tau1``, ``a2``, ``tau2`` (e.g. the ``"params"`` of ``fit_law(t, recall, "two_exponential")``).
    min_share : float
        Smallest share of the total amplitude a component must have, in [0, 1).

    Returns
    -------
    list of (amplitude, tau), sorted by tau; empty when both amplitudes are 0.
    """
    if not 0.0 <= min_share < 1.0:
        raise ValueError(f"min_share must be in [0, 1), got {min_share}")
    pairs = [(float(params["a1"]), float(params["tau1"])), (float(params["a2"]), float(params["tau2"]))]
    total = sum(a for a, _ in pairs)
    if total <= 0:
        return []
    return sorted(((a, tau) for a, tau in pairs if a >= min_share * total), key=lambda p: p[1])
