"""Registered experiments. Importing this package registers all of them."""

from . import (associative, forgetting, kv_optimization, retention, spiking_kwinner, spiking_recall,  # noqa: F401
               structured)  # (importing registers the experiments)
from .registry import (Experiment, RunContext, compute, get, headline, names, register, resolve_config, run,
                       write_outputs)

__all__ = ["Experiment", "RunContext", "compute", "get", "headline", "names", "register", "resolve_config", "run",
           "write_outputs"]
