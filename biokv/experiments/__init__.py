"""Registered experiments. Importing this package registers all of them."""

# importing a module registers its experiments
from . import (associative, case_sequence, compare_bio, forgetting, kv_optimization,  # noqa: F401
               predict_interventions, predict_storage, retention, spiking_kwinner, spiking_recall, structured)
from .registry import (Experiment, RunContext, compute, get, headline, names, register, resolve_config, run,
                       write_outputs)

__all__ = ["Experiment", "RunContext", "compute", "get", "headline", "names", "register", "resolve_config", "run",
           "write_outputs"]
