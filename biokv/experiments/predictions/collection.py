"""``biokv predict``: run the prediction experiments and write one report with every prediction.

Every prediction is a registered experiment (a control and an intervention on the same seeds, effects with 95%
confidence intervals: :mod:`biokv.experiments.predictions.effects`). :func:`run_predictions` runs the chosen ones, each
into its own folder (``result.nc``, figures, ``summary.md``), and writes ``report.md`` that gathers their
summaries and figures. An experiment that already has a complete ``result.nc`` in its folder is not run again
(an interrupted ``--all`` resumes where it stopped).
"""

from __future__ import annotations

from pathlib import Path

from biokv import experiments as _experiments
from biokv.io import results as _results
from biokv.config import ConfigError

__all__ = ["predictions", "run_predictions"]


def predictions() -> list[str]:
    """The prediction experiments (tagged ``"prediction"``), in report order (the order of registration)."""
    return _experiments.names(tag="prediction")


def run_predictions(names=None, out_dir="results/predict", seed: int = 0, quick: bool = False,
                    quiet: bool = False) -> Path:
    """Run prediction experiments and write their combined report.

    Parameters
    ----------
    names : sequence of str, optional
        Which predictions (default: all of :func:`predictions`).
    out_dir : path
        ``<out_dir>/<name>/`` per prediction and ``<out_dir>/report.md``.
    seed : int
    quick : bool
        The small version of each.
    quiet : bool

    Returns
    -------
    Path of ``report.md``.
    """
    names = predictions() if names is None else list(names)
    unknown = [n for n in names if n not in predictions()]
    if unknown or not names:
        raise ConfigError(f"unknown prediction {unknown[0]!r}; predictions: {', '.join(predictions())}" if unknown
                          else "no prediction chosen")
    for name in names:  # every configuration is validated before any work
        _experiments.resolve_config(name, quick=quick)
    out = Path(out_dir)
    sections = []
    for name in names:
        folder = out / name
        done = folder / "result.nc"
        ds = None
        if done.exists():
            ds = _results.read_dataset(done)
            if int(ds.attrs.get("complete", 0)) != 1 or ds.attrs.get("seed") != seed or \
                    int(ds.attrs.get("quick", -1)) != int(quick):
                ds = None
        if ds is None:
            ds = _experiments.run(name, seed=seed, out_dir=folder, quick=quick, quiet=quiet)
        figures = sorted(p.name for p in folder.glob("*.png"))
        text = _experiments.get(name).report(ds).replace("\n# ", "\n## ")
        if text.startswith("# "):
            text = "#" + text
        sections.append(text + "\n" + "\n".join(f"![{f}]({name}/{f})" for f in figures) + "\n")
    report = "\n".join([f"# biokv predictions (seed {seed}{', quick' if quick else ''})", "",
                        "Each prediction: a control and an intervention on the same seeds; effect = intervention - "
                        "control with its 95% confidence interval.", ""] + sections)
    return _results.atomic_write_text(out / "report.md", report)
