"""Reading results back: biokv info, biokv plot and biokv show-config."""

import pytest

from biokv import cli, experiments
from biokv.config import ConfigError, to_dict
from biokv.io.inspection import info, plot
from tests.experiments.conftest import TINY


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("result")
    experiments.run("kwinner-retention", overrides=TINY, seed=7, out_dir=out, quiet=True)
    return out / "result.nc"


def test_info_prints_configuration_provenance_and_headline_metrics(result):
    text = info(result)
    assert text.startswith("kwinner-retention: seed 7, complete")
    assert "biokv 0.1.0" in text and "brian2 " in text and "numpy " in text
    assert 'experiment = "kwinner-retention"' in text and "k = 5  # winners of the hidden k-WTA" in text
    ds = experiments.headline(experiments.run("kwinner-retention", overrides=TINY, seed=7, write=False, quiet=True))
    assert "accuracy_age1: retrieval accuracy of the newest memory" in text
    assert f"{float(ds['accuracy_age1'].sel(model='kwinner', cue=1.0)):.4f}" in text


@pytest.mark.parametrize("fmt", ["pdf", "svg"])
def test_plot_redraws_the_figures_from_the_file_alone(result, tmp_path, fmt, monkeypatch):
    from biokv.experiments.kwinner import retention

    monkeypatch.setattr(retention, "simulate", None)  # no simulation can happen
    paths = plot(result, fmt=fmt, out_dir=tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{s}.{fmt}" for s in ("accuracy", "dprime", "raw_difference"))
    assert all(p.stat().st_size > 1000 for p in paths)
    with pytest.raises(ConfigError, match="format='jpg'"):
        plot(result, fmt="jpg", out_dir=tmp_path)


def test_info_and_plot_reject_files_that_are_not_results(tmp_path):
    (tmp_path / "x.nc").write_text("not netcdf")
    with pytest.raises(ConfigError, match="not a NetCDF file"):
        info(tmp_path / "x.nc")
    with pytest.raises(ConfigError, match="does not exist"):
        plot(tmp_path / "missing.nc")


def test_show_config_prints_a_model_file_of_the_resolved_layers(tmp_path, capsys):
    model = tmp_path / "model.toml"
    model.write_text('experiment = "kwinner-retention"\n[kwinner]\nk = 20\nfan_in = 0.1\n')
    assert cli.main(["show-config", "kwinner-retention", "--model", str(model), "--set", "kwinner.k=30",
                     "--quick"]) == 0
    text = capsys.readouterr().out
    assert "k = 30" in text and "fan_in = 0.1" in text and "n_samples = 5" in text  # --set > --quick > model
    printed = tmp_path / "printed.toml"
    printed.write_text(text)
    resolved = experiments.resolve_config("kwinner-retention", model, ["kwinner.k=30"], quick=True)
    assert to_dict(experiments.resolve_config("kwinner-retention", printed)) == to_dict(resolved)


def test_cli_info_and_plot(result, tmp_path, capsys):
    assert cli.main(["info", str(result)]) == 0
    assert "# headline metrics" in capsys.readouterr().out
    assert cli.main(["plot", str(result), "--format", "svg", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "dprime.svg").exists()
    assert cli.main(["info", str(tmp_path / "none.nc")]) == 2
