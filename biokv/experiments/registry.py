"""The experiment registry: names, summaries, tags and configurations, with the heavy parts imported on use.

An experiment is a named, documented function from a validated configuration to an :class:`xarray.Dataset`,
with functions that draw its figures and write its text summary from that Dataset alone. Each family package of
:mod:`biokv.experiments` registers its experiments in its ``__init__`` with :func:`register`; the computation,
figures, report and headline metrics are given as ``"module:function"`` references and imported only when they
are first used, so that listing the experiments or reading their parameters imports neither NumPy kernels nor
Brian2 nor matplotlib. :mod:`biokv.experiments.runner` runs them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable, Mapping

from biokv.config import ConfigError

__all__ = ["Experiment", "register", "get", "names"]

_REGISTRY: dict[str, "Experiment"] = {}


def _resolve(ref):
    """A callable, or the object a ``"package.module:attribute"`` reference names (imported now)."""
    if ref is None or not isinstance(ref, str):
        return ref
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


@dataclass(frozen=True)
class Experiment:
    """A registered experiment.

    Attributes
    ----------
    name : str
        Command-line name, e.g. ``"kwinner-retention"``.
    summary : str
        One line for ``biokv list``.
    config_ref : type or str
        Configuration dataclass (fields declared with :func:`biokv.config.param`) or a ``"module:class"``
        reference to it; :attr:`config_class` is the class.
    tags : tuple of str
        The first is the experiment's family (``biokv list`` groups by it); others mark kinds of experiment
        (``"prediction"``: control vs intervention, run by ``biokv predict``; ``"spiking"``: runs Brian2).
    quick : mapping
        Configuration layer applied by ``--quick`` (a small version that runs in well under two minutes).
    compute_ref, figures_ref, report_ref, headline_ref : callable or str
        ``(config, context) -> xarray.Dataset``; ``(dataset) -> {file stem: matplotlib Figure}``;
        ``(dataset) -> str`` (Markdown summary with a table of the headline numbers); ``(dataset) ->
        xarray.Dataset`` of the headline metrics (a few small variables: what ``biokv info`` prints and what a
        sweep compares across its grid; the first one is a sweep's default metric). Each is a callable or a
        ``"module:function"`` reference, imported on first use.
    """

    name: str
    summary: str
    config_ref: type | str
    compute_ref: Callable | str
    figures_ref: Callable | str
    report_ref: Callable | str
    headline_ref: Callable | str | None = None
    quick: Mapping = field(default_factory=dict)
    tags: tuple = ()

    @property
    def config_class(self) -> type:
        return _resolve(self.config_ref)

    @property
    def compute(self) -> Callable:
        return _resolve(self.compute_ref)

    @property
    def figures(self) -> Callable:
        return _resolve(self.figures_ref)

    @property
    def report(self) -> Callable:
        return _resolve(self.report_ref)

    @property
    def headline(self) -> Callable | None:
        return _resolve(self.headline_ref)

    @property
    def family(self) -> str:
        return self.tags[0] if self.tags else ""


def register(*, name: str, summary: str, config, compute, figures, report, headline=None, quick=None,
             tags=()) -> Experiment:
    """Register an experiment (keyword arguments only; see :class:`Experiment`).

    ``config`` is a configuration class, ``compute``, ``figures``, ``report`` and ``headline`` callables; each
    may instead be a ``"module:attribute"`` reference, imported on first use.
    """
    if name in _REGISTRY:
        raise ValueError(f"experiment {name!r} is already registered")
    tags = (tags,) if isinstance(tags, str) else tuple(tags)
    experiment = Experiment(name=name, summary=summary, config_ref=config, compute_ref=compute,
                            figures_ref=figures, report_ref=report, headline_ref=headline, quick=dict(quick or {}),
                            tags=tags)
    _REGISTRY[name] = experiment
    return experiment


def names(tag: str | None = None) -> list[str]:
    """Registered experiment names, sorted; with ``tag``, those carrying it, in registration order."""
    if tag is None:
        return sorted(_REGISTRY)
    return [n for n, e in _REGISTRY.items() if tag in e.tags]


def get(name: str) -> Experiment:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown experiment {name!r}; known experiments: {', '.join(names())}") from None
