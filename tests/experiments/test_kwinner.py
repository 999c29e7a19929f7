import numpy as np
import pytest
from matplotlib.figure import Figure

from biokv import experiments
from biokv.config import ConfigError
from biokv.experiments.kwinner.config import LEARNING_RULES, NetworkConfig, mhn_network


def test_the_light_configuration_lists_the_learning_rules_of_the_core_model():
    from biokv.core.kwinner.model import LEARNING_RULES as core_rules

    assert LEARNING_RULES == core_rules


def test_mhn_network_is_the_slot_mhn_unless_changed():
    assert mhn_network().is_slot_mhn and not NetworkConfig().is_slot_mhn
    assert not mhn_network(learning_rate=0.3).is_slot_mhn
    assert mhn_network(n_visible=100).n_hidden == 100


def test_tgcrp_pattern_source_splits_the_leaves_and_records_their_similarity():
    from biokv.experiments.kwinner.structured import tgcrp_pattern_source

    similarities = []
    draw = tgcrp_pattern_source(400, 100, 10, 3, 20, 30, similarities)
    patterns = draw([np.random.default_rng(s) for s in range(2)])
    assert patterns.burnin.shape == (2, 20, 10) and patterns.memories.shape == patterns.pseudo.shape == (2, 30, 10)
    assert patterns.pseudo_random.shape == (2, 30, 10) and len(similarities) == 2
    with pytest.raises(ConfigError, match="raise n_nodes"):
        tgcrp_pattern_source(20, 100, 10, 3, 20, 30, [])([np.random.default_rng(0)])


def test_retention_figures_and_headline_come_from_the_result_alone(tiny):
    from biokv.experiments.kwinner.figures import retention_figures
    from biokv.experiments.kwinner.report import retention_headline

    ds = experiments.run("kwinner-retention", overrides=tiny, write=False, quiet=True)
    figures = retention_figures(ds)
    assert sorted(figures) == ["accuracy", "dprime", "raw_difference"]
    assert all(isinstance(f, Figure) and len(f.axes) == 2 for f in figures.values())  # one panel per cue level
    head = retention_headline(ds)
    assert set(head.data_vars) == {"dprime", "accuracy_age1", "pseudo_accuracy", "rd_fit_a", "rd_fit_C"}
