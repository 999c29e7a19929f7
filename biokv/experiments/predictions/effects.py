"""What every prediction experiment shares: paired effects of an intervention with their confidence intervals,
as labelled variables, and their Markdown table.

A prediction experiment runs a control and an intervention on the same seeds (the same network, patterns and
noise) and stores, for each measure, the effect ``intervention - control``: its mean over seeds with a 95%
confidence interval, the standardised effect ``dz`` and the p-value of a paired t-test
(:func:`biokv.core.stats.metrics.paired_effect`). Its Dataset carries the attributes ``prediction`` (what the model
predicts, one sentence), ``control`` and ``intervention`` (what was done); the experiment is registered with the
tag ``"prediction"``, which lists it in :func:`biokv.experiments.predictions.collection.predictions`.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from biokv.core.stats.metrics import paired_effect

__all__ = ["EFFECT_VARIABLES", "effect_dataset", "effect_rows", "effect_headline"]

#: variables written by :func:`effect_dataset`
EFFECT_VARIABLES = ("control_mean", "intervention_mean", "effect", "effect_ci_low", "effect_ci_high", "effect_dz",
                    "effect_p_value")


def effect_dataset(control: xr.DataArray, intervention: xr.DataArray, seed_dim: str = "seed",
                   confidence: float = 0.95) -> xr.Dataset:
    """Paired effect of an intervention per entry of the non-seed dimensions.

    Parameters
    ----------
    control, intervention : xarray.DataArray
        The same dimensions and coordinates, one of them ``seed_dim`` (e.g. dims ``(seed, measure)``).
    seed_dim : str
    confidence : float

    Returns
    -------
    xarray.Dataset
        :data:`EFFECT_VARIABLES` over the other dimensions; attribute ``n_seeds`` and ``confidence``.
    """
    if control.dims != intervention.dims or control.shape != intervention.shape:
        raise ValueError(f"control and intervention must have the same dimensions and shape, got {control.dims} "
                         f"{control.shape} and {intervention.dims} {intervention.shape}")
    if seed_dim not in control.dims:
        raise ValueError(f"control and intervention need a {seed_dim!r} dimension, got {control.dims}")
    axis = control.dims.index(seed_dim)
    eff = paired_effect(control.values, intervention.values, axis=axis, confidence=confidence)
    template = control.isel({seed_dim: 0}, drop=True)
    ds = xr.Dataset({"control_mean": control.mean(seed_dim), "intervention_mean": intervention.mean(seed_dim)})
    for name, key in (("effect", "difference"), ("effect_ci_low", "ci_low"), ("effect_ci_high", "ci_high"),
                      ("effect_dz", "dz"), ("effect_p_value", "p_value")):
        ds[name] = template.copy(data=np.asarray(eff[key], dtype=np.float64))
    ds["effect"].attrs["description"] = "mean over seeds of intervention - control"
    ds["effect_ci_low"].attrs["description"] = f"lower end of the {confidence:.0%} t confidence interval of the effect"
    ds["effect_ci_high"].attrs["description"] = f"upper end of the {confidence:.0%} t confidence interval of the effect"
    ds["effect_dz"].attrs["description"] = "standardised paired effect: mean difference / sd of the differences"
    ds["effect_p_value"].attrs["description"] = "two-sided paired t-test"
    ds.attrs.update(n_seeds=int(eff["n"]), confidence=confidence)
    return ds


def _label(ds: xr.Dataset, index: dict) -> str:
    return ", ".join(f"{v}" if d == "measure" else f"{d} {v}" for d, v in index.items())


def effect_rows(ds: xr.Dataset, digits: int = 3) -> list[str]:
    """Markdown table of every effect in ``ds`` (one row per entry of its dimensions)."""
    lines = ["| measure | control | intervention | effect [95% CI] | dz | p |", "|---|---|---|---|---|---|"]
    eff = ds["effect"]
    for flat in np.ndindex(eff.shape):
        index = {d: ds[d].values[i] if d in ds.coords else i for d, i in zip(eff.dims, flat)}
        sel = dict(zip(eff.dims, flat))

        def v(name):
            return float(ds[name].isel(sel))

        p = v("effect_p_value")
        ci = f"[{v('effect_ci_low'):+.{digits}f}, {v('effect_ci_high'):+.{digits}f}]"
        lines.append(f"| {_label(ds, index)} | {v('control_mean'):.{digits}f} | {v('intervention_mean'):.{digits}f} | "
                     f"{v('effect'):+.{digits}f} {ci} | "
                     f"{v('effect_dz'):.2f} | {'n/a' if np.isnan(p) else f'{p:.2g}'} |")
    return lines


def effect_headline(ds: xr.Dataset) -> xr.Dataset:
    """The effect variables of a prediction result (its headline metrics)."""
    return ds[[v for v in EFFECT_VARIABLES if v in ds]]
