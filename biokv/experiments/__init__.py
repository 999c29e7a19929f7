"""Registered experiments. Importing this package registers all of them."""

# importing a module registers its experiments
from . import (associative, case_sequence, forgetting, kv_optimization, retention, spiking_kwinner,  # noqa: F401
               spiking_recall, structured)
from .registry import (Experiment, RunContext, compute, get, headline, names, register, resolve_config, run,
                       write_outputs)

__all__ = ["Experiment", "RunContext", "compute", "get", "headline", "names", "register", "resolve_config", "run",
           "write_outputs"]
