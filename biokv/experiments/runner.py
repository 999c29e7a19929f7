"""The runner every experiment goes through.

:func:`run` resolves the configuration (defaults < model file < ``--quick`` < ``--set``), runs the experiment,
and writes ``result.nc`` (with the configuration, seed and versions in its attributes), the figures and
``summary.md``. An interrupted run keeps its finished work in ``result.partial.nc``.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from biokv import config as _config
from biokv.experiments.registry import get

__all__ = ["RunContext", "config_layers", "resolve_config", "config_from_json", "check_seed", "compute", "run",
           "write_outputs", "headline"]


@dataclass
class RunContext:
    """What an experiment gets besides its configuration: the seed, progress bars and checkpoints."""

    seed: int
    quiet: bool = False
    checkpoint_path: Path | None = None
    attrs: dict = field(default_factory=dict)

    def progress(self, iterable=None, total=None, desc=None):
        """A tqdm progress bar (silent with ``quiet``)."""
        from tqdm.auto import tqdm

        return tqdm(iterable, total=total, desc=desc, disable=self.quiet, leave=False, dynamic_ncols=True)

    def checkpoint(self, ds) -> None:
        """Save finished work so that an interruption loses nothing (written atomically)."""
        if self.checkpoint_path is not None:
            from biokv.io import results

            ds = ds.copy()
            ds.attrs.update(self.attrs, complete=0)
            results.write_dataset(ds, self.checkpoint_path)


def config_layers(name: str, model_file=None, overrides=(), quick: bool = False) -> list:
    """The configuration layers of experiment ``name`` above its defaults: model file < quick < overrides."""
    exp = get(name)
    layers = []
    if model_file is not None:
        layer = _config.load_model_file(model_file)
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
    return _config.build_config(get(name).config_class, json.loads(text))


def check_seed(seed) -> int:
    """``seed`` if it is an integer in [0, 2**63), else a :class:`~biokv.config.ConfigError`."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise _config.ConfigError(f"seed={seed!r} is out of range: must be an integer in [0, 2**63)")
    return seed


def compute(name: str, cfg, seed: int, *, quiet: bool = False, checkpoint_path=None, attrs=None):
    """Run experiment ``name`` on a validated configuration; the result carries the configuration, seed and
    versions in its attributes (nothing is written but the optional checkpoint)."""
    from biokv.io import results

    exp = get(name)
    seed = check_seed(seed)
    attrs = {"experiment": name, "seed": seed, "config": _config.to_json(cfg), **results.provenance(),
             **(attrs or {})}
    ctx = RunContext(seed=seed, quiet=quiet, checkpoint_path=checkpoint_path, attrs=attrs)
    ds = exp.compute(cfg, ctx)
    ds.attrs.update(attrs, complete=1, created=results.utc_now())
    return ds


def write_outputs(ds, out_dir, fmt: str = "png", summary: bool = True) -> list[Path]:
    """Draw a result's figures (``fmt``: png, pdf or svg) and write its ``summary.md``, from the Dataset alone."""
    from biokv.io import results

    exp = get(ds.attrs["experiment"])
    out = Path(out_dir)
    paths = [results.save_figure(fig, out / f"{stem}.{fmt}") for stem, fig in exp.figures(ds).items()]
    if summary:
        paths.append(results.atomic_write_text(out / "summary.md", exp.report(ds)))
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
    from biokv.io import results

    cfg = resolve_config(name, model_file, overrides, quick)
    check_seed(seed)
    out = Path(out_dir if out_dir is not None else Path("results") / name)
    if write:
        results.check_writable_dir(out, "out_dir")
    ds = compute(name, cfg, seed, quiet=quiet, checkpoint_path=(out / "result.partial.nc") if write else None,
                 attrs={"quick": int(quick)})
    if write:
        results.write_dataset(ds, out / "result.nc")
        write_outputs(ds, out)
        with contextlib.suppress(FileNotFoundError):
            (out / "result.partial.nc").unlink()
    return ds


def headline(ds):
    """The headline metrics of a result (see :class:`~biokv.experiments.registry.Experiment`)."""
    exp = get(ds.attrs["experiment"])
    if exp.headline is None:
        raise _config.ConfigError(f"experiment {exp.name!r} declares no headline metrics")
    return exp.headline(ds)
