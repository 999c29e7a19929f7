"""Markdown summary and headline metrics of ``spiking-emax``, from a result Dataset alone."""

from __future__ import annotations

import numpy as np
import xarray as xr

from biokv.io.results import provenance_line

__all__ = ["spiking_emax_report", "spiking_emax_headline"]


def _relative(ds: xr.Dataset) -> xr.DataArray:
    return abs(ds["deviation"]) / ds["e_max_prediction"].where(ds["e_max_prediction"] > 0)


def spiking_emax_report(ds: xr.Dataset) -> str:
    """Markdown summary: winners per spread (spiking and E%-max), the fitted E, the deviations and the drive
    order of the winners."""
    e, n = float(ds["e_fit"]), ds.attrs["n_cells"]
    dev, rel = abs(ds["deviation"]), _relative(ds)
    lines = ["# E%-max in spiking neurons: winners against the spread of the drive", "",
             f"{n} cells with constant drives D = {ds.attrs['drive_max_mv']:g} mV (1 - spread U[0, 1)), one theta "
             f"cycle, feedback inhibition by basket cells; {ds.sizes['run']} runs (device `{ds.attrs['device']}`, "
             f"`{ds.attrs['codegen']}`, seed {ds.attrs.get('seed')}, {ds.attrs['elapsed_s']:.0f} s). Winners: cells "
             f"that spike no later than {ds.attrs['window_ms']:g} ms after the first inhibition arrives. E%-max "
             "(de Almeida, Idiart & Lisman 2009, J Neurosci 29:7497): the cells whose drive is within a fraction E "
             f"of the largest; E fitted by least squares over all spreads and runs: **E = {e:.3f}**.", "",
             "| spread | spiking winners (mean ± sd) | E%-max winners | n min(1, E / spread) | max abs. deviation | "
             "max rel. deviation | Jaccard with E%-max | winners in drive order | effective E | fired in the cycle |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for s in ds.spread.values:
        w = ds["winners"].sel(spread=s)
        lines.append(
            f"| {s:g} | {float(w.mean()):.1f} ± {float(w.std()):.1f} | "
            f"{float(ds['e_max_prediction'].sel(spread=s).mean()):.1f} | {n * min(1.0, e / s):.1f} | "
            f"{int(dev.sel(spread=s).max())} | {float(rel.sel(spread=s).max()):.1%} | "
            f"{float(ds['jaccard_e_max'].sel(spread=s).mean()):.3f} | "
            f"{float(ds['drive_order'].sel(spread=s).mean()):.3f} | "
            f"{float(ds['effective_e'].sel(spread=s).mean()):.3f} | {float(ds['fired'].sel(spread=s).mean()):.1f} |")
    mean = ds["winners"].mean("run").values
    lines += ["", f"Winners fall from {mean[0]:.0f} to {mean[-1]:.0f} ({mean[0] / max(mean[-1], 1e-12):.1f}x) as the "
              f"spread grows from {ds.spread.values[0]:g} to {ds.spread.values[-1]:g}. Largest deviation from E%-max: "
              f"{int(dev.max())} cells, {float(rel.max()):.1%} of the prediction.", "",
              "Figures: `winners_vs_spread`, `spiking_vs_emax`.", "", provenance_line(ds), ""]
    return "\n".join(lines)


def spiking_emax_headline(ds: xr.Dataset) -> xr.Dataset:
    """The fitted E, winners and E%-max winners per spread (mean over runs) and the largest deviations."""
    out = xr.Dataset({"e_fit": ds["e_fit"], "winners": ds["winners"].mean("run"),
                      "e_max_prediction": ds["e_max_prediction"].mean("run"),
                      "max_abs_deviation": abs(ds["deviation"]).max(),
                      "max_rel_deviation": _relative(ds).max()})
    out["winners"].attrs["description"] = "winners of the first gamma cycle, mean over runs"
    out["e_max_prediction"].attrs["description"] = "E%-max winners with the fitted E, mean over runs"
    out["max_abs_deviation"].attrs["description"] = "largest |winners - E%-max winners| over spreads and runs"
    out["max_rel_deviation"].attrs["description"] = "largest |winners - E%-max winners| / E%-max winners"
    return out
