"""Registered experiments, one package per model family.

Importing this package registers every experiment (names, summaries, tags, configurations) and nothing more: an
experiment's computation, figures and report are imported when it runs or draws, so that ``biokv list`` and
``biokv params`` start fast. :mod:`~biokv.experiments.registry` holds the registrations,
:mod:`~biokv.experiments.runner` runs them.

Families: :mod:`~biokv.experiments.kwinner`, :mod:`~biokv.experiments.associative`, :mod:`~biokv.experiments.kv`,
:mod:`~biokv.experiments.transformer`, :mod:`~biokv.experiments.hippocampus`, :mod:`~biokv.experiments.predictions`.
"""

# importing a family package registers its experiments
from biokv.experiments import associative, hippocampus, kv, kwinner, predictions, transformer  # noqa: F401
from biokv.experiments.registry import Experiment, get, names, register
from biokv.experiments.runner import (RunContext, compute, config_from_json, headline, resolve_config, run,
                                      write_outputs)

__all__ = ["Experiment", "RunContext", "compute", "config_from_json", "get", "headline", "names", "register",
           "resolve_config", "run", "write_outputs"]
