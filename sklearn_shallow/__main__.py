"""Command line: ``python -m sklearn_shallow demo [--out FILE] [--n-jobs N]``."""

import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_shallow",
        description="sklearn-shallow: provable algorithms for shallow networks.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="learn a planted sparse network; choose tau by GridSearchCV",
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
    args = parser.parse_args(argv)

    if args.command == "demo":
        from ._demo import run_demo

        run_demo(n_jobs=args.n_jobs, out=args.out or None, quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
