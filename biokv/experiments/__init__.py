"""Registered experiments. Importing this package registers all of them."""

from . import retention, spiking_kwinner, spiking_recall, structured  # noqa: F401  (importing registers the experiments)
from .registry import (Experiment, RunContext, compute, get, headline, names, register, resolve_config, run,
                       write_outputs)

__all__ = ["Experiment", "RunContext", "compute", "get", "headline", "names", "register", "resolve_config", "run",
           "write_outputs"]
