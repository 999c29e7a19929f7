"""The experiment registry and the runner that every experiment goes through.

An experiment is a named, documented function from a validated configuration to an :class:`xarray.Dataset`,
with functions that draw its figures and write its text summary from that Dataset alone. :func:`run` resolves
the configuration (defaults < model file < ``--quick`` < ``--set``), runs the experiment, and writes
``result.nc`` (with the configuration, seed and versions in its attributes), the figures and ``summary.md``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import xarray as xr
from tqdm.auto import tqdm

from .. import config as _config
from .. import results as _results

__all__ = ["Experiment", "RunContext", "register", "get", "names", "resolve_config", "config_from_json", "compute",
           "run", "write_outputs", "headline"]

_REGISTRY: dict[str, "Experiment"] = {}


@dataclass(frozen=True)
class Experiment:
    """A registered experiment.

    Attributes
    ----------
    name : str
        Command-line name, e.g. ``"kwinner-retention"``.
    summary : str
        One line for ``biokv list``.
    config_class : type
        Configuration dataclass (fields declared with :func:`biokv.config.param`).
    compute : callable
        ``(config, context) -> xarray.Dataset``.
    figures : callable
        ``(dataset) -> {file stem: matplotlib Figure}``.
    report : callable
        ``(dataset) -> str``: Markdown summary with a table of the headline numbers.
    quick : mapping
        Configuration layer applied by ``--quick`` (a small version that runs in well under two minutes).
    headline : callable
        ``(dataset) -> xarray.Dataset`` of the headline metrics (a few small variables: what ``biokv info``
        prints and what a sweep compares across its grid; the first one is a sweep's default metric).
    """

    name: str
    summary: str
    config_class: type
    compute: Callable
    figures: Callable
    report: Callable
    quick: Mapping = field(default_factory=dict)
    headline: Callable = None

    @property
    def doc(self) -> str:
        return (self.compute.__doc__ or "").strip()


@dataclass
class RunContext:
    """What an experiment gets besides its configuration: the seed, progress bars and checkpoints."""

    seed: int
    quiet: bool = False
    checkpoint_path: Path | None = None
    attrs: dict = field(default_factory=dict)

    def progress(self, iterable=None, total=None, desc=None):
        """A tqdm progress bar (silent with ``quiet``)."""
        return tqdm(iterable, total=total, desc=desc, disable=self.quiet, leave=False, dynamic_ncols=True)

    def checkpoint(self, ds: xr.Dataset) -> None:
        """Save finished work so that an interruption loses nothing (written atomically)."""
        if self.checkpoint_path is not None:
            ds = ds.copy()
            ds.attrs.update(self.attrs, complete=0)
            _results.write_dataset(ds, self.checkpoint_path)


def register(experiment: Experiment) -> Experiment:
    if experiment.name in _REGISTRY:
        raise ValueError(f"experiment {experiment.name!r} is already registered")
    _REGISTRY[experiment.name] = experiment
    return experiment


def names() -> list[str]:
    return sorted(_REGISTRY)


def get(name: str) -> Experiment:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise _config.ConfigError(f"unknown experiment {name!r}; known experiments: {', '.join(names())}") from None


def config_layers(name: str, model_file=None, overrides=(), quick: bool = False) -> list:
    """The configuration layers of experiment ``name`` above its defaults: model file < quick < overrides."""
    exp = get(name)
    layers = []
    if model_file is not None:
        layer = _config.load_toml(model_file)
        target = layer.pop("experiment", name)
        if target != name:
            raise _config.ConfigError(f"model file {str(model_file)!r} is for experiment {target!r}, not {name!r}")
        layers.append(layer)
    if quick:
        layers.append(exp.quick)
    if isinstance(overrides, Mapping):
        layers.append(overrides)
    else:
        layers.append(_config.parse_assignments(overrides))
    return layers


def resolve_config(name: str, model_file=None, overrides=(), quick: bool = False):
    """The validated configuration of experiment ``name`` (defaults < model file < quick < overrides)."""
    return _config.build_config(get(name).config_class, *config_layers(name, model_file, overrides, quick))


def config_from_json(name: str, text: str):
    """The validated configuration of experiment ``name`` stored as JSON (a result's ``config`` attribute)."""
    import json

    return _config.build_config(get(name).config_class, json.loads(text))


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise _config.ConfigError(f"seed={seed!r} is out of range: must be an integer in [0, 2**63)")
    return seed


def compute(name: str, cfg, seed: int, *, quiet: bool = False, checkpoint_path=None, attrs=None) -> xr.Dataset:
    """Run experiment ``name`` on a validated configuration; the result carries the configuration, seed and
    versions in its attributes (nothing is written but the optional checkpoint)."""
    exp = get(name)
    seed = _check_seed(seed)
    attrs = {"experiment": name, "seed": seed, "config": _config.to_json(cfg), **_results.provenance(),
             **(attrs or {})}
    ctx = RunContext(seed=seed, quiet=quiet, checkpoint_path=checkpoint_path, attrs=attrs)
    ds = exp.compute(cfg, ctx)
    ds.attrs.update(attrs, complete=1, created=_results.utc_now())
    return ds


def write_outputs(ds: xr.Dataset, out_dir, fmt: str = "png", summary: bool = True) -> list[Path]:
    """Draw a result's figures (``fmt``: png, pdf or svg) and write its ``summary.md``, from the Dataset alone."""
    exp = get(ds.attrs["experiment"])
    out = Path(out_dir)
    paths = [_results.save_figure(fig, out / f"{stem}.{fmt}") for stem, fig in exp.figures(ds).items()]
    if summary:
        paths.append(_results.atomic_write_text(out / "summary.md", exp.report(ds)))
    return paths


def run(name: str, *, overrides=(), model_file=None, seed: int = 0, out_dir=None, quick: bool = False,
        quiet: bool = False, write: bool = True):
    """Run an experiment and write its results.

    Parameters
    ----------
    name : str
        Registered experiment name (see ``biokv list``).
    overrides : sequence of "key=value" or mapping
        Configuration values that win over everything else.
    model_file : path, optional
        TOML parameter file (a configuration layer).
    seed : int
        Seed of every random choice; the same seed gives the same numbers, bit for bit.
    out_dir : path, optional
        Where to write ``result.nc``, the figures and ``summary.md`` (default ``results/<name>``).
    quick : bool
        Apply the experiment's small configuration.
    quiet : bool
        No progress bars.
    write : bool
        Write files (otherwise only return the Dataset).

    Returns
    -------
    xarray.Dataset
        The result, with the full configuration, seed and versions in its attributes.
    """
    cfg = resolve_config(name, model_file, overrides, quick)
    out = Path(out_dir if out_dir is not None else Path("results") / name)
    ds = compute(name, cfg, seed, quiet=quiet, checkpoint_path=(out / "result.partial.nc") if write else None,
                 attrs={"quick": int(quick)})
    if write:
        out.mkdir(parents=True, exist_ok=True)
        _results.write_dataset(ds, out / "result.nc")
        write_outputs(ds, out)
        with contextlib.suppress(FileNotFoundError):
            (out / "result.partial.nc").unlink()
    return ds


def headline(ds: xr.Dataset) -> xr.Dataset:
    """The headline metrics of a result (see :class:`Experiment`)."""
    exp = get(ds.attrs["experiment"])
    if exp.headline is None:
        raise _config.ConfigError(f"experiment {exp.name!r} declares no headline metrics")
    return exp.headline(ds)
