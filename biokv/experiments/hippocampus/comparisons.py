"""The hippocampal network's measurements (a ``compare-bio`` result) set beside the reference data.

:func:`biological_comparisons` pairs every measured value with the reference rows of its quantity
(:mod:`biokv.data.biodata`, the user's CSV files, and ratios :func:`scaled_anatomy` derives for a scaled-down
network) and gives a verdict (:func:`biokv.data.comparison.compare`); :func:`separation_verdicts` reads pattern
separation and completion off the identity line; :func:`comparison_rows` reads the rows back from a result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from biokv.data import biodata
from biokv.core.stats.forgetting_laws import exponential_components
from biokv.data.comparison import ComparisonRow, compare

__all__ = ["EC_POOL", "scaled_anatomy", "separation_verdicts", "biological_comparisons", "comparison_rows"]

#: rat entorhinal layer II cells (Amaral et al. 1990): the pool the fan-in fractions are taken of
EC_POOL = ("layer2_neurons", "EC", "rat")


def scaled_anatomy(table: pd.DataFrame) -> pd.DataFrame:
    """Reference rows derived as ratios for a scaled-down network: synapses per cell from EC divided by the
    number of rat EC layer II cells (fan-in as a fraction of EC). Status: the weaker of the two rows."""
    pool = biodata.find(table, *EC_POOL[:2], species=EC_POOL[2])
    rows = []
    for quantity, region, name in (("perforant_path_synapses_per_ca3_cell", "EC->CA3", "perforant_path_fan_in"),
                                   ("ec_synapses_per_granule_cell", "EC->DG", "ec_dg_fan_in")):
        for _, syn in biodata.find(table, quantity, region, species="rat").iterrows():
            for _, ec in pool.iterrows():
                status = max(syn["status"], ec["status"], key="VSU".index)
                rows.append({"quantity": f"{name}_fraction", "region": region, "species": "rat",
                             "value": syn["value"] / ec["value"], "low": syn["low"] / ec["value"],
                             "high": syn["high"] / ec["value"], "unit": "fraction",
                             "source": f"{syn['source']} / {ec['source']}", "status": status,
                             "note": f"{quantity} / EC layer II cells", "origin": "derived"})
    return pd.DataFrame(rows, columns=list(table.columns))


def _crossings(ds, backend, stage) -> tuple:
    """(levels above identity, levels below identity, levels compared) of output change vs input change;
    the level where input and output are identical (overlap 1) is left out."""
    x = 1 - ds["input_correlation"].values
    y = 1 - ds["output_correlation"].sel(backend=backend, stage=stage).values
    keep = x > 1e-12
    return int((y[keep] > x[keep]).sum()), int((y[keep] < x[keep]).sum()), int(keep.sum())


def separation_verdicts(ds) -> dict:
    """Does DG lie above the identity line (separation) at every input change, and CA3 recall below it where the
    input correlation is at least ``completion_similarity`` (completion)? Per backend."""
    out = {}
    sim = ds.attrs.get("completion_similarity", 0.5)
    high = ds["input_correlation"].values >= sim
    x = 1 - ds["input_correlation"].values
    for b in ds.backend.values:
        above, _, total = _crossings(ds, b, "DG")
        y = 1 - ds["output_correlation"].sel(backend=b, stage="CA3 recall").values
        below = int((y[high & (x > 1e-12)] < x[high & (x > 1e-12)]).sum())
        out[b] = {"dg_above": above, "dg_levels": total, "ca3_recall_below": below,
                  "ca3_recall_levels": int((high & (x > 1e-12)).sum())}
    return out


def biological_comparisons(cfg, ds: xr.Dataset, table: pd.DataFrame) -> list[ComparisonRow]:
    """Every measured value of a result beside the reference rows of the same quantity (``table`` and the rows
    :func:`scaled_anatomy` derives from it), with a verdict; ``cfg`` is the run's
    :class:`biokv.experiments.hippocampus.config.CompareBioConfig`."""
    species = cfg.species or None
    table = pd.concat([table, scaled_anatomy(table)], ignore_index=True)
    rows: list[ComparisonRow] = []

    def add(quantity, region, value, unit, model, label, text=None, parameter=False):
        # behavioural forms of forgetting are human data: compared whatever the species chosen
        rows.extend(compare(table, quantity, region, value, unit, model=model, label=label,
                            species=None if region == "behaviour" else species, model_text=text,
                            parameter=parameter))

    for b in ("spiking", "rate"):
        for pop in ("DG", "CA3"):
            v = float(ds["active_fraction"].sel(backend=b, population=pop))
            # the spiking network's winners come out of its inhibition; the twin's are k/n by definition
            add("active_fraction", pop, v, "fraction", b, f"{pop} cells active per pattern",
                text=None if b == "spiking" else f"{v:.3g} fraction (k/n, a parameter)", parameter=b == "rate")
    st = ds["rate_statistics"]
    for pop in ("DG", "CA3"):
        add("firing_rate", pop, float(st.sel(population=pop, statistic="mean_hz")), "Hz", "spiking",
            f"{pop} mean firing rate (all cells, whole protocol)")
        add("place_field_peak_rate", "hippocampus", float(ds["active_slot_rate_hz"].sel(population=pop)), "Hz",
            "spiking", f"{pop} rate within a presentation in which the cell fires")
    add("firing_rate_in_field", "CA1", float(ds["active_slot_rate_hz"].sel(population="CA3")), "Hz", "spiking",
        "CA3 rate within an active presentation (reference: CA1 in-field; no CA3 row)")
    dg = st.sel(population="DG")
    add("granule_cell_activity", "DG", np.nan, "finding", "spiking", "silent granule cells",
        f"{float(dg.sel(statistic='silent_fraction')):.1%} silent over {cfg.n_pairs} patterns (x2 presentations); "
        f"{float(ds['silent_per_presentation'].sel(population='DG')):.1%} per presentation")
    for pop in ("DG", "CA3", "CTX"):
        s = st.sel(population=pop)
        add("firing_rate_distribution", "hippocampus", np.nan, "finding", "spiking",
            f"{pop} rate distribution",
            f"mean {float(s.sel(statistic='mean_hz')):.2f} Hz, median {float(s.sel(statistic='median_hz')):.2f} Hz, "
            f"skewness {float(s.sel(statistic='skewness')):.2f}; log-normal fit of active cells sigma "
            f"{float(s.sel(statistic='lognormal_sigma')):.2f}, KS distance "
            f"{float(s.sel(statistic='lognormal_ks')):.2f}")
    conn = ds["connectivity"]
    add("ca3_cells_per_granule_cell", "DG->CA3", float(conn.sel(connection="ca3_cells_per_granule_cell")), "cells",
        "network", "CA3 cells contacted by one granule cell", parameter=True)
    add("mossy_fibre_inputs_per_ca3_cell", "DG->CA3",
        float(conn.sel(connection="mossy_fibre_inputs_per_ca3_cell")), "synapses", "network",
        "mossy-fibre inputs per CA3 cell (mean)", parameter=True)
    add("perforant_path_fan_in_fraction", "EC->CA3", float(conn.sel(connection="perforant_path_fan_in_fraction")),
        "fraction", "network", "perforant-path inputs per CA3 cell / EC cells", parameter=True)
    add("ec_dg_fan_in_fraction", "EC->DG", float(conn.sel(connection="ec_dg_fan_in_fraction")), "fraction",
        "network", "EC inputs per granule cell / EC cells", parameter=True)
    add("ca3_cells_per_granule_cell_count", "CA3", float(conn.sel(connection="ca3_cells_per_granule_cell_count")),
        "ratio", "network", "CA3 cells / granule cells", parameter=True)
    verdicts = separation_verdicts(ds)
    for b in ("spiking", "rate"):
        v = verdicts[b]
        text = (f"DG output change above identity at {v['dg_above']} of {v['dg_levels']} input levels; CA3 recall "
                f"below identity at {v['ca3_recall_below']} of {v['ca3_recall_levels']} levels with input "
                f"correlation >= {ds.attrs.get('completion_similarity', cfg.completion_similarity):g}")
        for quantity, region in (("pattern_separation_shape", "DG"), ("cue_conflict", "DG")):
            add(quantity, region, np.nan, "finding", b, "pattern separation (DG) and completion (CA3 recall)", text)
    for b in ("spiking", "rate"):
        aic = ds["fit_aic"].sel(backend=b)
        best = str(aic.law.values[int(np.nanargmin(aic.values))])
        d_exp = float(aic.sel(law="exponential") - aic.sel(law="power"))
        text = (f"best law by AIC: {best}; AIC(exponential) - AIC(power) = {d_exp:+.1f} "
                f"({'power' if d_exp > 0 else 'exponential'} better)")
        add("forgetting_form", "behaviour", np.nan, "finding", b, "form of forgetting by age", text)
        add("forgetting_form_many", "behaviour", np.nan, "finding", b, "form of forgetting by age", text)
        fit = {p: float(ds["fit_params"].sel(backend=b, law="two_exponential", law_param=p))
               for p in ("a1", "tau1", "a2", "tau2")}
        components = exponential_components(fit)
        if len(components) == 2:  # a slow time constant exists only when the fit has two components
            add("forgetting_slow_time_constant_recall", "behaviour", components[1][1], "items", b,
                "slow time constant of the two-exponential law (memories stored since)")
        else:
            single = ", ".join(f"tau {tau:.3g}" for _, tau in components) or "none"
            add("forgetting_slow_time_constant_recall", "behaviour", np.nan, "items", b,
                "slow time constant of the two-exponential law (memories stored since)",
                f"undefined: the fit has one exponential component ({single}; the other's amplitude is below "
                f"0.1% of the total)")
    return rows


def comparison_rows(ds: xr.Dataset) -> list[ComparisonRow]:
    """The comparison rows stored in a result."""
    fields = list(ComparisonRow.__dataclass_fields__)
    return [ComparisonRow(**{f: (float(ds[f"cmp_{f}"].values[i]) if f == "value" else str(ds[f"cmp_{f}"].values[i]))
                             for f in fields}) for i in range(ds.sizes["comparison"])]
