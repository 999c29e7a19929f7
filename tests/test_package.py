"""The shape of the package: what imports what, what importing costs, what is written and how errors read."""

import ast
import io
import json
import os
import stat
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import pytest

import biokv
from biokv import cli
from biokv.config import ConfigError, describe, to_dict
from biokv.experiments import get, names, resolve_config, run

PACKAGE = Path(biokv.__file__).parent
REPOSITORY = PACKAGE.parent
HEAVY = ("brian2", "numba", "matplotlib.pyplot", "scipy", "xarray")


def _imports(path: Path):
    """(line, absolute module name) of every import statement of a module of the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(REPOSITORY).with_suffix("").parts).rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            yield node.lineno, module


def test_the_core_imports_nothing_from_biokv_outside_the_core():
    outside = [f"{path.relative_to(REPOSITORY)}:{line} imports {module}"
               for path in sorted((PACKAGE / "core").rglob("*.py"))
               for line, module in _imports(path)
               if (module == "biokv" or module.startswith("biokv.")) and not module.startswith("biokv.core")]
    assert not outside, "\n".join(outside)


def _modules_after(code: str) -> set:
    out = subprocess.run([sys.executable, "-c", f"import sys, json; {code}; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True, cwd=REPOSITORY)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("code", [
    "import biokv",
    "import biokv.experiments",
    "import biokv.core",
    "import biokv.spiking",
    # what `biokv list` and `biokv params` need: every registration and every configuration class
    "import biokv.experiments as e; [e.get(n).config_class for n in e.names()]",
])
def test_importing_biokv_is_cheap(code):
    loaded = _modules_after(code)
    heavy = [m for m in HEAVY if m in loaded]
    assert not heavy, f"{code!r} imports {heavy}"


def test_no_module_selects_a_matplotlib_backend_or_uses_pyplot():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for line, module in _imports(path):
            if module == "matplotlib.pyplot":
                found.append(f"{path.relative_to(REPOSITORY)}:{line} imports matplotlib.pyplot")
        text = path.read_text(encoding="utf-8")
        if "matplotlib.use(" in text:
            found.append(f"{path.relative_to(REPOSITORY)} calls matplotlib.use")
    assert not found, "\n".join(found)


def test_biokv_list_is_fast_and_grouped_by_family():
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "biokv.cli", "list"], capture_output=True, text=True, check=True,
                         cwd=REPOSITORY)
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0  # 0.2-0.3 s on a quiet machine; the bound leaves room for a loaded test machine
    lines = out.stdout.splitlines()
    families = [line[:-1] for line in lines if not line.startswith(" ")]
    assert families == sorted(families) and {"kwinner", "hippocampus", "prediction"} <= set(families)
    listed = {line.split()[0] for line in lines if line.startswith(" ")}
    assert listed == set(names())


def test_predictions_are_the_experiments_tagged_prediction():
    predictions = names(tag="prediction")
    assert predictions and all(n.startswith("predict-") for n in predictions)
    assert set(predictions) == {n for n in names() if n.startswith("predict-")}
    assert all(get(n).family == "prediction" for n in predictions)


def _flat(tree: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


@pytest.mark.parametrize("name", names())
def test_params_shows_the_values_a_run_uses(name):
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        assert cli.main(["params", name]) == 0
    shown = {}
    for line in buffer.getvalue().splitlines():
        key, _, rest = line.partition(" = ")
        shown[key] = rest.split("  (")[0]
    used = {key: repr(tuple(v) if isinstance(v, list) else v)
            for key, v in _flat(to_dict(resolve_config(name))).items()}
    assert shown == used
    assert [row[0] for row in describe(resolve_config(name))] == list(shown)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_written_files_respect_the_umask(tmp_path, umask):
    import numpy as np
    import xarray as xr
    from matplotlib.figure import Figure

    from biokv.io import results

    old = os.umask(umask)
    try:
        written = [results.atomic_write_text(tmp_path / "summary.md", "text"),
                   results.write_dataset(xr.Dataset({"x": ("i", np.arange(3))}), tmp_path / "result.nc")]
        fig = Figure()
        fig.subplots().plot([0, 1])
        written.append(results.save_figure(fig, tmp_path / "figure.png"))
    finally:
        os.umask(old)
    assert [_mode(p) for p in written] == [0o666 & ~umask] * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure.png", "result.nc", "summary.md"]  # no temporaries


def test_an_output_folder_that_cannot_be_written_stops_the_run_before_any_work(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")

    def no_work(*args, **kwargs):
        raise AssertionError("the experiment ran")

    monkeypatch.setattr("biokv.experiments.runner.compute", no_work)
    for out in (blocker / "results", Path("/proc/forbidden")):
        with pytest.raises(ConfigError, match=f"out_dir='{out}': cannot create or write this folder"):
            run("crosstalk", quick=True, out_dir=out, quiet=True)
        assert cli.main(["run", "crosstalk", "--quick", "--quiet", "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and str(out) in err and "Traceback" not in err


def test_no_reference_outside_the_package():
    """Code, model files and the sources written into results cite publications, not files of no package."""
    found = []
    for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.csv"), *(REPOSITORY / "models").glob("*.toml"),
                 REPOSITORY / "README.md"]:
        text = path.read_text(encoding="utf-8")
        for marker in ("shared/reference", "shared/seeds", "biology.md", "../shared"):
            if marker in text:
                found.append(f"{path.relative_to(REPOSITORY)} mentions {marker}")
    assert not found, "\n".join(found)
