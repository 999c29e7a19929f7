"""Closed-form retention of the fixed-capacity, self-assigning 1-winner MHN.

Bhandarkar & McClelland (2025), SI A.2.4. Each new pattern overwrites one hidden unit, chosen uniformly (the
unit whose stored pattern best matches it), so a memory of age ``a`` is still stored with probability
``(1 - 1/n_h)^(a - 1)``; a stored memory is retrieved perfectly, and a pseudo-memory (or an overwritten memory)
retrieves the stored pattern that best matches its cue, with accuracy ``p_b``. Hence

    R.D.(a) = (1 - 1/n_h)^(a - 1) * (1 - p_b).

The paper approximates ``p_b`` by extreme-value asymptotics (``baseline="asymptotic"``):

    p_b = s/n_v + sqrt(2 c / n_v * (1 - s/n_v) * ln n_h).

``baseline="exact"`` computes the same expectation without the Gaussian and large-``n_h`` approximations: the
overlap of a cue with ``m = int(c s)`` ones with a stored random pattern is hypergeometric, the winner has the
largest of ``n_h`` independent overlaps ``M``, and its other ``s - M`` ones hit the target's ``s - m`` uncued
ones at chance, ``(s - m) / (n_v - m)`` each.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["mhn_baseline", "mhn_raw_difference", "expected_max_overlap"]

BASELINES = ("asymptotic", "exact")


def expected_max_overlap(n_visible: int, n_hidden: int, n_active: int, n_cue: int) -> float:
    """E[max of ``n_hidden`` independent overlaps] between a cue with ``n_cue`` ones and random patterns with
    ``n_active`` ones (hypergeometric), computed exactly as ``sum_x P(max >= x)``."""
    x = np.arange(1, min(n_cue, n_active) + 1)
    cdf_below = stats.hypergeom(n_visible, n_cue, n_active).cdf(x - 1)
    return float(np.sum(1.0 - cdf_below**n_hidden))


def mhn_baseline(n_visible: int, n_hidden: int, n_active: int, cue_level: float,
                 baseline: str = "asymptotic") -> float:
    """Baseline accuracy ``p_b`` of the 1-winner MHN (a pseudo-memory's expected retrieval accuracy)."""
    if baseline not in BASELINES:
        raise ValueError(f"baseline must be one of {BASELINES}, got {baseline!r}")
    s, n, c = n_active, n_visible, cue_level
    if baseline == "asymptotic":
        return s / n + np.sqrt(2.0 * c / n * (1.0 - s / n) * np.log(n_hidden))
    m = int(c * s)
    e_max = expected_max_overlap(n, n_hidden, s, m)
    return (e_max + (s - e_max) * (s - m) / (n - m)) / s


def mhn_raw_difference(ages, n_visible: int, n_hidden: int, n_active: int, cue_level: float,
                       baseline: str = "asymptotic") -> np.ndarray:
    """Expected R.D. of the 1-winner MHN (learning rate 1) by memory age (age 1 = newest)."""
    ages = np.asarray(ages, dtype=np.float64)
    p_b = mhn_baseline(n_visible, n_hidden, n_active, cue_level, baseline)
    return (1.0 - 1.0 / n_hidden) ** (ages - 1.0) * (1.0 - p_b)
