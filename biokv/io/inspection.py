"""Reading results back: ``biokv info`` (configuration, provenance, headline metrics) and ``biokv plot``
(the figures, redrawn from the file alone)."""

from __future__ import annotations

import json
from pathlib import Path

import xarray as xr

from biokv import config as _config
from biokv.config import ConfigError
from biokv.io.results import read_dataset

__all__ = ["load", "info", "plot", "format_metrics"]

_PROVENANCE = ("biokv_version", "numpy_version", "brian2_version", "numba_version", "xarray_version")


def load(path) -> xr.Dataset:
    """A biokv result (``result.nc``, ``result.partial.nc``, a sweep task) or a combined ``sweep.nc``."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{str(path)!r} does not exist")
    try:
        ds = read_dataset(path)
    except (OSError, ValueError) as err:
        raise ConfigError(f"{str(path)!r} is not a NetCDF file: {err}") from None
    if "experiment" not in ds.attrs:
        raise ConfigError(f"{str(path)!r} is not a biokv result (no 'experiment' attribute)")
    return ds


def format_metrics(metrics: xr.Dataset) -> str:
    """Each variable with its description; arrays as tables (last dimension across)."""
    import pandas as pd

    parts = []
    with pd.option_context("display.width", 120, "display.max_columns", 12, "display.precision", 4):
        for name, var in metrics.data_vars.items():
            head = f"{name}: {var.attrs.get('description', '')}".rstrip(": ")
            if var.ndim == 0:
                parts.append(f"{head}\n  {float(var):.4g}")
                continue
            series = var.to_series()
            table = series.unstack() if var.ndim > 1 else series.to_frame(name)
            parts.append(head + "\n" + "\n".join("  " + line for line in table.to_string().splitlines()))
    return "\n\n".join(parts)


def _configuration(ds: xr.Dataset) -> str:
    from biokv import experiments

    cfg = experiments.runner.config_from_json(ds.attrs["experiment"], ds.attrs["config"])
    return _config.to_toml(cfg, header=f'experiment = "{ds.attrs["experiment"]}"')


def info(path) -> str:
    """What ``biokv info`` prints."""
    from biokv import experiments, sweep

    ds = load(path)
    versions = ", ".join(f"{k.removesuffix('_version')} {ds.attrs[k]}" for k in _PROVENANCE if k in ds.attrs)
    if ds.attrs.get("kind") == "sweep":
        seeds = json.loads(ds.attrs["seeds"])
        gridded = bool(json.loads(ds.attrs.get("grid_dims", "[]")))  # a seeds-only sweep has no grid
        grid = f"grid {ds.attrs['grid']} x " if gridded else ""
        lines = [f"sweep of {ds.attrs['experiment']}: {grid}seeds {seeds} ({ds['task'].size} tasks)",
                 f"shared layers: model file {ds.attrs.get('model_file') or '-'}, quick {bool(ds.attrs.get('quick'))}, "
                 f"--set {ds.attrs.get('overrides')}",
                 f"created {ds.attrs.get('created')}; {versions}", "",
                 "# configuration of the first grid point" if gridded else "# configuration", _configuration(ds)]
        for name in sweep.headline_names(ds):
            lines += [f"## {name}: {ds[f'headline_{name}'].attrs.get('description', '')} (mean ± SEM over seeds)",
                      sweep.metric_table(ds, name), ""]
        return "\n".join(lines)
    complete = bool(ds.attrs.get("complete", 1))
    lines = [f"{ds.attrs['experiment']}: seed {ds.attrs.get('seed')}, "
             f"{'quick, ' if ds.attrs.get('quick') else ''}{'complete' if complete else 'PARTIAL (interrupted run)'}",
             f"created {ds.attrs.get('created', '-')}; {versions}", "", "# configuration", _configuration(ds)]
    if complete and experiments.get(ds.attrs["experiment"]).headline is not None:
        lines += ["# headline metrics", format_metrics(experiments.headline(ds)), ""]
    elif not complete:
        lines += ["(a partial result holds the finished raw data; its metrics are computed when the run completes)"]
    return "\n".join(lines)


def plot(path, fmt: str = "png", out_dir=None, metric: str | None = None) -> list[Path]:
    """Redraw the figures of a result or sweep file (no simulation) into ``out_dir`` (default: beside it)."""
    from biokv import experiments, sweep

    if fmt not in ("png", "pdf", "svg"):
        raise ConfigError(f"format={fmt!r} is not allowed: must be one of 'png', 'pdf', 'svg'")
    ds = load(path)
    out = Path(out_dir) if out_dir is not None else Path(path).parent
    if ds.attrs.get("kind") == "sweep":
        return sweep.write_sweep_outputs(ds, out, metric=metric, fmt=fmt, summary=False)
    if metric is not None:
        raise ConfigError("--metric applies to sweep.nc files only")
    if not ds.attrs.get("complete", 1):
        raise ConfigError(f"{str(path)!r} is a partial result: its figures are drawn when the run completes")
    return experiments.write_outputs(ds, out, fmt=fmt, summary=False)
