"""Command-line interface: ``biokv list``, ``biokv run``, ``biokv params``, ``biokv demo``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import ConfigError, describe


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="biokv", description="Biologically grounded key-value memory models.")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the experiments")
    r = sub.add_parser("run", help="run an experiment and write result.nc, figures and summary.md")
    r.add_argument("name", help="experiment name (see 'biokv list')")
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter, e.g. --set kwinner.k=10 (repeatable)")
    r.add_argument("--model", type=Path, help="TOML parameter file (see models/)")
    r.add_argument("--seed", type=int, default=0, help="seed of every random choice (default 0)")
    r.add_argument("--out", type=Path, help="output folder (default results/NAME)")
    r.add_argument("--quick", action="store_true", help="a small version that runs in well under 2 minutes")
    r.add_argument("--quiet", action="store_true", help="no progress bars")
    pa = sub.add_parser("params", help="list an experiment's parameters, defaults and allowed values")
    pa.add_argument("name")
    demo = sub.add_parser("demo", help="the spiking hippocampal network against its rate twin (spiking-recall on "
                                       "the C++ standalone device, default size)")
    demo.add_argument("--out", type=Path, help="output folder (default results/demo)")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--quiet", action="store_true")
    return p


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


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    from . import experiments

    try:
        if args.command == "list":
            width = max(len(n) for n in experiments.names())
            for name in experiments.names():
                print(f"{name:<{width}}  {experiments.get(name).summary}")
            return 0
        if args.command == "params":
            exp = experiments.get(args.name)
            for key, default, allowed, doc in describe(exp.config_class):
                print(f"{key} = {default!r}  ({allowed})  {doc}")
            return 0
        if args.command == "demo":
            out = args.out if args.out is not None else Path("results") / "demo"
            return _run(experiments, "spiking-recall", ["spiking.device=cpp_standalone"], None, args.seed, out,
                        False, args.quiet)
        return _run(experiments, args.name, args.overrides, args.model, args.seed, args.out, args.quick,
                    args.quiet)
    except ConfigError as err:
        print(f"biokv: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
