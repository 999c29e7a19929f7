"""Command-line interface: ``biokv list | params | show-config | run | sweep | info | plot | demo | compare-bio |
predict``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from biokv.config import ConfigError, describe


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="biokv", description="Biologically grounded key-value memory models.")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the experiments")
    r = sub.add_parser("run", help="run an experiment and write result.nc, figures and summary.md")
    r.add_argument("name", help="experiment name (see 'biokv list')")
    _layers(r)
    r.add_argument("--seed", type=int, default=0, help="seed of every random choice (default 0)")
    r.add_argument("--out", type=Path, help="output folder (default results/NAME)")
    r.add_argument("--quiet", action="store_true", help="no progress bars")
    pa = sub.add_parser("params", help="list an experiment's parameters, defaults and allowed values")
    pa.add_argument("name")
    sc = sub.add_parser("show-config", help="print an experiment's resolved configuration as TOML (a model file)")
    sc.add_argument("name")
    _layers(sc)
    sw = sub.add_parser("sweep", help="run an experiment over a grid of parameters x seeds on Dask (resumable)")
    sw.add_argument("name", help="experiment name (see 'biokv list')")
    sw.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2,...",
                    help="a grid dimension, e.g. --grid kwinner.k=1,10,50 (repeatable: the grid is the product; "
                    "none: every seed at one configuration)")
    sw.add_argument("--seeds", type=int, default=1, metavar="N", help="seeds 0..N-1 per grid point (default 1)")
    _layers(sw)
    sw.add_argument("--out", type=Path, help="output folder (default results/sweep-NAME)")
    sw.add_argument("--scheduler", metavar="ADDRESS", help="existing Dask scheduler, e.g. tcp://host:8786 "
                    "(default: a local cluster)")
    sw.add_argument("--workers", type=int, help="workers of the local cluster (default: one per core)")
    sw.add_argument("--connect-timeout", type=float, default=5.0, metavar="SECONDS",
                    help="give up if the --scheduler does not answer within this time (default 5)")
    sw.add_argument("--metric", help="headline metric of the summary figure (default: the experiment's first)")
    sw.add_argument("--quiet", action="store_true", help="no progress bar")
    info = sub.add_parser("info", help="configuration, provenance and headline metrics of result.nc or sweep.nc")
    info.add_argument("file", type=Path)
    pl = sub.add_parser("plot", help="redraw the figures of result.nc or sweep.nc from the file alone")
    pl.add_argument("file", type=Path)
    pl.add_argument("--format", default="png", choices=("png", "pdf", "svg"))
    pl.add_argument("--out", type=Path, help="folder of the figures (default: the file's folder)")
    pl.add_argument("--metric", help="sweep.nc: the headline metric to draw (default: the first)")
    demo = sub.add_parser("demo", help="the spiking hippocampal network against its rate twin (spiking-recall on "
                                       "the C++ standalone device, default size)")
    demo.add_argument("--out", type=Path, help="output folder (default results/demo)")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--quiet", action="store_true")
    cb = sub.add_parser("compare-bio", help="the hippocampal network against biological data (the compare-bio "
                                            "experiment): a report with a verdict per measurement")
    cb.add_argument("--data", action="append", default=[], type=Path, metavar="CSV",
                    help="your own measurements, a CSV with the columns of biokv.data.biodata (repeatable)")
    _layers(cb)
    cb.add_argument("--seed", type=int, default=0)
    cb.add_argument("--out", type=Path, help="output folder (default results/compare-bio)")
    cb.add_argument("--quiet", action="store_true")
    pr = sub.add_parser("predict", help="run prediction experiments (control vs intervention, effects with 95%% "
                                        "CI) and write one report")
    pr.add_argument("names", nargs="*", help="predictions to run (default with --all: every one)")
    pr.add_argument("--all", action="store_true", help="every prediction")
    pr.add_argument("--quick", action="store_true", help="the small version of each")
    pr.add_argument("--seed", type=int, default=0)
    pr.add_argument("--out", type=Path, default=Path("results") / "predict", help="output folder (default "
                    "results/predict)")
    pr.add_argument("--quiet", action="store_true")
    return p


def _predict(args) -> int:
    from biokv.experiments.predictions.collection import predictions, run_predictions

    if bool(args.all) == bool(args.names):
        raise ConfigError(f"give --all or prediction names (one of: {', '.join(predictions())}), not both")
    try:
        path = run_predictions(None if args.all else args.names, args.out, args.seed, args.quick, args.quiet)
    except KeyboardInterrupt:
        print(f"biokv: interrupted; finished predictions are in {args.out}: run the same command to resume",
              file=sys.stderr)
        return 130
    print(f"wrote {path}")
    return 0


def _layers(parser):
    parser.add_argument("--model", type=Path, help="TOML parameter file (see models/)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a parameter, e.g. --set kwinner.k=10 (repeatable)")
    parser.add_argument("--quick", action="store_true", help="the experiment's small version")


def _sweep(args) -> int:
    from biokv.sweep import SweepError, run_sweep

    out = args.out if args.out is not None else Path("results") / f"sweep-{args.name}"
    try:
        run_sweep(args.name, args.grid, args.seeds, model_file=args.model, quick=args.quick, overrides=args.overrides,
                  out_dir=out, scheduler=args.scheduler, workers=args.workers, connect_timeout=args.connect_timeout,
                  metric=args.metric, quiet=args.quiet)
    except KeyboardInterrupt:
        print(f"biokv: interrupted; finished tasks are in {out}/tasks: run the same command to resume",
              file=sys.stderr)
        return 130
    except SweepError as err:
        print(f"biokv: {err}", file=sys.stderr)
        return 1
    print(f"wrote {out}/sweep.nc, the summary figure and summary.md")
    return 0


def _run(experiments, name, overrides, model, seed, out, quick, quiet) -> int:
    out = out if out is not None else Path("results") / name
    try:
        ds = experiments.run(name, overrides=overrides, model_file=model, seed=seed, out_dir=out, quick=quick,
                             quiet=quiet)
    except KeyboardInterrupt:
        partial = out / "result.partial.nc"
        where = f"; finished samples are in {partial}" if partial.exists() else ""
        print(f"biokv: interrupted{where}", file=sys.stderr)
        return 130
    print(experiments.get(name).report(ds))
    print(f"wrote {out}/result.nc, figures and summary.md")
    return 0


def _listing(experiments) -> str:
    """The registered experiments grouped by family, each with its summary and other tags."""
    width = max(len(n) for n in experiments.names())
    lines = []
    for family in sorted({experiments.get(n).family for n in experiments.names()}):
        lines.append(f"{family}:")
        for name in experiments.names():
            exp = experiments.get(name)
            if exp.family == family:
                other = f"  [{', '.join(exp.tags[1:])}]" if len(exp.tags) > 1 else ""
                lines.append(f"  {name:<{width}}  {exp.summary}{other}")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    from biokv import experiments

    try:
        if args.command == "list":
            print(_listing(experiments))
            return 0
        if args.command == "params":
            # the values a run uses when nothing is set: the experiment's own configuration, not the defaults of
            # the classes of its groups
            for key, value, allowed, doc in describe(experiments.resolve_config(args.name)):
                print(f"{key} = {value!r}  ({allowed})  {doc}")
            return 0
        if args.command == "show-config":
            from biokv.config import to_toml

            cfg = experiments.resolve_config(args.name, args.model, args.overrides, args.quick)
            print(to_toml(cfg, header=f'experiment = "{args.name}"'), end="")
            return 0
        if args.command == "sweep":
            return _sweep(args)
        if args.command in ("info", "plot"):
            from biokv.io import inspection as inspect

            if args.command == "info":
                print(inspect.info(args.file))
            else:
                for path in inspect.plot(args.file, args.format, args.out, args.metric):
                    print(f"wrote {path}")
            return 0
        if args.command == "demo":
            out = args.out if args.out is not None else Path("results") / "demo"
            return _run(experiments, "spiking-recall", ["spiking.device=cpp_standalone"], None, args.seed, out,
                        False, args.quiet)
        if args.command == "predict":
            return _predict(args)
        if args.command == "compare-bio":
            data = [f"reference_csv={','.join(str(p) for p in args.data)}"] if args.data else []
            return _run(experiments, "compare-bio", data + args.overrides, args.model, args.seed, args.out,
                        args.quick, args.quiet)
        return _run(experiments, args.name, args.overrides, args.model, args.seed, args.out, args.quick,
                    args.quiet)
    except ConfigError as err:
        print(f"biokv: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
