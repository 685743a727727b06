"""Command line of sklearn-shallow.

python -m sklearn_shallow demo [--out FILE] [--n-jobs N] [--quick]
python -m sklearn_shallow list
python -m sklearn_shallow reproduce NAME [--full] [--out DIR]
python -m sklearn_shallow --version
"""

import argparse
import sys
import textwrap
from pathlib import Path


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_shallow",
        description="sklearn-shallow: provable algorithms for shallow networks.",
    )
    from . import __version__

    parser.add_argument(
        "--version", action="version", version=f"sklearn-shallow {__version__}"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo", help="learn a planted sparse network; choose tau by GridSearchCV"
    )
    demo.add_argument(
        "--out",
        default="sklearn_shallow_demo.png",
        help="figure file (needs matplotlib); '' for none",
    )
    demo.add_argument(
        "--n-jobs",
        type=int,
        default=-1,
        help="GridSearchCV workers (default: all cores)",
    )
    demo.add_argument(
        "--quick", action="store_true", help="smaller grids, for a fast check"
    )
    sub.add_parser("list", help="name the papers' experiments")
    rep = sub.add_parser("reproduce", help="run one paper experiment")
    rep.add_argument("name", help="an experiment name from 'list'")
    rep.add_argument(
        "--full",
        action="store_true",
        help="the paper's sizes (slow) instead of reduced ones",
    )
    rep.add_argument(
        "--out", default=".", help="folder for the figure NAME.png (needs matplotlib)"
    )
    rep.add_argument(
        "--paper-steps",
        action="store_true",
        help="the paper's own step sizes (and schedule) where the experiment "
        "offers them; see its docstring",
    )
    rep.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
    return parser


def _list(experiments):
    for name, exp in experiments.items():
        print(f"{name:<16} {exp.paper}")
        print(textwrap.indent(textwrap.fill(exp.claim, 72), " " * 17))


def _reproduce(args, experiments):
    from .experiments import Progress, format_rows

    if args.name not in experiments:
        print(
            f"Unknown experiment {args.name!r}; choose from {', '.join(experiments)}.",
            file=sys.stderr,
        )
        return 2
    exp = experiments[args.name]
    options = {name: True for name in ("paper_steps",) if getattr(args, name, False)}
    refused = sorted(set(options) - set(exp.options))
    if refused:
        flags = ", ".join("--" + name.replace("_", "-") for name in refused)
        print(f"Experiment {exp.name!r} does not offer {flags}.", file=sys.stderr)
        return 2
    print(f"{exp.name}: {exp.paper}")
    print(textwrap.fill("Claim: " + exp.claim, 79))
    print()
    kwargs = dict(exp.tiny) if args.tiny else {"full": args.full}
    rows = exp.run(progress=Progress(None), **kwargs, **options)
    print(format_rows(rows))
    fails = exp.check(rows)
    if exp.paper_table is not None:
        print()
        print("The paper's numbers beside ours:")
        print(format_rows(exp.paper_table(rows)))
    print()
    print("Claim reproduced." if not fails else "Claim NOT reproduced:")
    for f in fails:
        print(f"  - {f}")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("(matplotlib is not installed: no figure)")
    else:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        path = exp.plot(rows, out / f"{exp.name}.png")
        print(f"Figure saved to {path}")
    return 0 if not fails else 1


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.command == "demo":
        from ._demo import run_demo

        run_demo(n_jobs=args.n_jobs, out=args.out or None, quick=args.quick)
        return 0
    from .experiments import EXPERIMENTS

    if args.command == "list":
        _list(EXPERIMENTS)
        return 0
    return _reproduce(args, EXPERIMENTS)


if __name__ == "__main__":
    sys.exit(main())
