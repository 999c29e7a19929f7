"""The continual-learning retention protocol of Bhandarkar & McClelland (2025), section 2.2.

Per run: draw burn-in patterns, memories and pseudo-memories; learn the burn-in patterns and then the memories,
one at a time; freeze the weights; retrieve every memory and every pseudo-memory from a fresh partial cue. Memory
``i`` of ``N`` has age ``N - i`` (age 1 is the newest); pseudo-memory ``i`` is paired with memory ``i``.

Randomness: the patterns of run ``r`` come from stream ``"patterns"``, its cues from ``"cues:<level>"`` and the
network from ``"model:<name>"``, each seeded by ``(seed, run)``. Models given the same seed and runs therefore see
the same patterns and cues (a paired design), and a run's numbers do not depend on how runs are batched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from biokv.core.kwinner.model import KWinnerMHN
from biokv.core.common.patterns import overlaps, partial_cues_runs, random_subsets_runs
from biokv.core.common.rng import run_generators, run_seeds, seeds_from

__all__ = ["RetentionPatterns", "random_pattern_source", "retention_overlaps"]


@dataclass
class RetentionPatterns:
    """Patterns of a batch of runs, as index sets ``(n_runs, n_patterns, n_ones)``: burn-in, memories (in
    learning order) and pseudo-memories."""

    burnin: np.ndarray
    memories: np.ndarray
    pseudo: np.ndarray
    #: optional second set of pseudo-memories from another distribution (e.g. unstructured patterns)
    pseudo_random: np.ndarray | None = None


PatternSource = Callable[[list], RetentionPatterns]


def random_pattern_source(n_visible: int, n_active: int, n_burnin: int, n_memories: int) -> PatternSource:
    """Unstructured patterns: every pattern has exactly ``n_active`` ones placed uniformly.

    Returns a function from a list of generators (one per run) to :class:`RetentionPatterns`.
    """
    if n_active < 1 or n_active > n_visible:
        raise ValueError(f"n_active must be in [1, {n_visible}] (n_visible), got {n_active}")

    def draw(rngs) -> RetentionPatterns:
        pats = random_subsets_runs(seeds_from(rngs), n_burnin + 2 * n_memories, n_visible, n_active)
        return RetentionPatterns(pats[:, :n_burnin], pats[:, n_burnin:n_burnin + n_memories],
                                 pats[:, n_burnin + n_memories:])

    return draw


def retention_overlaps(models: dict[str, KWinnerMHN], pattern_source: PatternSource, cue_levels: Sequence[float],
                       seed: int, runs: Sequence) -> dict[str, dict[str, np.ndarray]]:
    """Run the retention protocol for several models on the same patterns and cues.

    Parameters
    ----------
    models : dict of name -> KWinnerMHN
    pattern_source : callable
        ``list of generators (one per run) -> RetentionPatterns``.
    cue_levels : sequence of float
        Fractions of each pattern's ones kept in the cues.
    seed : int
    runs : sequence of run identifiers (ints or tuples), one network per run and model.

    Returns
    -------
    dict of model name -> dict with ``"real"``, ``"pseudo"`` (and ``"pseudo_random"`` if the source gives it)
        ``int16`` overlaps between each retrieved pattern and its target, shape ``(n_runs, n_cues, n_ages)``,
        with age 1 (the newest memory) first; ``pseudo[..., a]`` is paired with ``real[..., a]``.
    """
    runs = list(runs)
    data = pattern_source(run_generators(seed, "patterns", runs))
    if data.memories.shape != data.pseudo.shape:
        raise ValueError("memories and pseudo-memories must be equally many, with the same number of ones")
    burnin, memories, pseudo = data.burnin, data.memories, data.pseudo
    n_mem = memories.shape[1]
    sets = {"real": memories, "pseudo": pseudo}
    if data.pseudo_random is not None:
        if data.pseudo_random.shape != memories.shape:
            raise ValueError("pseudo_random must have the shape of the memories")
        sets["pseudo_random"] = data.pseudo_random
    targets = np.concatenate(list(sets.values()), axis=1)
    cues = [partial_cues_runs(run_seeds(seed, f"cues:{float(level)!r}", runs), targets, level)
            for level in cue_levels]
    by_age = np.arange(n_mem)[::-1]  # learning order -> age order (age 1 first)
    result = {}
    for name, model in models.items():
        state = model.init_state(seed=seed, runs=runs, stream=f"model:{name}")
        if burnin.shape[1]:
            model.learn(state, burnin)
        model.learn(state, memories)
        out = {key: np.empty((len(runs), len(cue_levels), n_mem), dtype=np.int16) for key in sets}
        for c, cue in enumerate(cues):
            ov = overlaps(model.retrieve(state, cue), targets)
            for s_idx, key in enumerate(sets):
                out[key][:, c] = ov[:, s_idx * n_mem:(s_idx + 1) * n_mem][:, by_age]
        result[name] = out
    return result
