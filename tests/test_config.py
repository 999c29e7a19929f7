import pytest

from biokv.config import ConfigError, build_config, describe, load_model_file, parse_assignments, to_dict, to_toml
from biokv.experiments import get, resolve_config

KWinnerRetentionConfig = get("kwinner-retention").config_class


def test_defaults_are_the_papers_configuration():
    cfg = build_config(KWinnerRetentionConfig)
    assert (cfg.kwinner.n_visible, cfg.kwinner.n_hidden, cfg.kwinner.n_active, cfg.kwinner.fan_in,
            cfg.kwinner.k, cfg.kwinner.learning_rate) == (1000, 2000, 100, 0.05, 50, 0.3)
    assert (cfg.mhn.n_hidden, cfg.mhn.fan_in, cfg.mhn.k, cfg.mhn.learning_rate) == (100, 1.0, 1, 1.0)
    assert cfg.kwinner.n_hidden * cfg.kwinner.fan_in * 1000 == cfg.mhn.n_hidden * 1000  # equal weight counts


def test_layers_later_wins_and_values_are_typed():
    cfg = build_config(KWinnerRetentionConfig, {"kwinner": {"k": 10}},
                       parse_assignments(["kwinner.k=20", "protocol.cue_levels=1,0.25", "kwinner.fan_in=1"]))
    assert cfg.kwinner.k == 20 and cfg.protocol.cue_levels == (1.0, 0.25) and cfg.kwinner.fan_in == 1.0
    assert isinstance(cfg.kwinner.fan_in, float)


@pytest.mark.parametrize("assignment, message", [
    ("kwinner.kk=3", "unknown parameter 'kwinner.kk'; known parameters: kwinner.fan_in"),
    ("kwinner.k=0", "kwinner.k=0 is out of range: must be >= 1"),
    ("kwinner.k=2.5", "kwinner.k=2.5: expected an integer"),
    ("kwinner.fan_in=0", r"kwinner.fan_in=0.0 is out of range: must be in \(0.0, 1.0\]"),
    ("kwinner.learning=hebb", "kwinner.learning='hebb' is not allowed: must be one of 'top-k', 'random-k'"),
    ("kwinner.k=5000", "kwinner.k=5000 is out of range: must be <= n_hidden=2000"),
    ("protocol.cue_levels=1,0", r"protocol.cue_levels=\(1.0, 0.0\) is out of range"),
    ("protocol.fit_max_age=5000", "fit_max_age=5000 is out of range: must be <= n_memories=2000"),
    ("protocol.n_samples=1", "protocol.n_samples=1 is out of range: must be >= 2"),
    ("kwinner=3", "kwinner is a group of parameters"),
    ("nonsense", "--set expects key=value"),
])
def test_errors_name_the_parameter_the_value_and_what_is_allowed(assignment, message):
    with pytest.raises(ConfigError, match=message):
        resolve_config("kwinner-retention", overrides=[assignment])


def test_unknown_experiment_lists_the_known_ones():
    with pytest.raises(ConfigError, match="unknown experiment 'nope'; known experiments: .*kwinner-retention"):
        resolve_config("nope")


def test_model_file_layer_and_wrong_experiment(tmp_path):
    f = tmp_path / "m.toml"
    f.write_text('experiment = "kwinner-retention"\n[kwinner]\nk = 7\n')
    assert resolve_config("kwinner-retention", model_file=f).kwinner.k == 7
    assert resolve_config("kwinner-retention", model_file=f, overrides=["kwinner.k=8"]).kwinner.k == 8
    with pytest.raises(ConfigError, match="is for experiment 'kwinner-retention', not 'kwinner-fanin'"):
        resolve_config("kwinner-fanin", model_file=f)
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_config("kwinner-retention", model_file=tmp_path / "missing.toml")


def test_toml_round_trip(tmp_path):
    import tomllib

    cfg = resolve_config("graded-mhn", overrides=["kwinner.k=12"])
    again = build_config(type(cfg), tomllib.loads(to_toml(cfg)))
    assert to_dict(again) == to_dict(cfg)


def test_describe_lists_the_values_a_group_gets_from_its_parent():
    # the mhn group of kwinner-retention is the 1-winner MHN, not the defaults of its group's class
    rows = {key: value for key, value, _, _ in describe(KWinnerRetentionConfig)}
    assert (rows["mhn.n_hidden"], rows["mhn.fan_in"], rows["mhn.k"], rows["mhn.learning_rate"]) == (100, 1.0, 1, 1.0)
    assert (rows["kwinner.n_hidden"], rows["kwinner.k"]) == (2000, 50)
    cfg = resolve_config("kwinner-retention", overrides=["mhn.k=3"])
    assert {key: value for key, value, _, _ in describe(cfg)}["mhn.k"] == 3


def test_model_file_includes(tmp_path):
    (tmp_path / "shared.toml").write_text('[kwinner]\nk = 7\nn_hidden = 1500\n')
    (tmp_path / "m.toml").write_text('experiment = "kwinner-retention"\ninclude = ["shared.toml"]\n[kwinner]\nk = 9\n')
    assert load_model_file(tmp_path / "m.toml") == {"experiment": "kwinner-retention",
                                                   "kwinner": {"k": 9, "n_hidden": 1500}}
    cfg = resolve_config("kwinner-retention", model_file=tmp_path / "m.toml")
    assert (cfg.kwinner.k, cfg.kwinner.n_hidden) == (9, 1500)  # the including file wins
    (tmp_path / "loop.toml").write_text('include = ["loop.toml"]\n')
    with pytest.raises(ConfigError, match="includes itself"):
        load_model_file(tmp_path / "loop.toml")
    (tmp_path / "bad.toml").write_text('include = ["missing.toml"]\n')
    with pytest.raises(ConfigError, match="missing.toml' does not exist"):
        load_model_file(tmp_path / "bad.toml")
