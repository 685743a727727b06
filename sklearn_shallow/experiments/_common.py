"""What every experiment shares: the registry entry, tables, progress."""

import sys
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

from sklearn.exceptions import ConvergenceWarning


@dataclass
class Experiment:
    """One paper experiment.

    Attributes
    ----------
    name : str
        Command-line name.
    paper : str
    claim : str
        The paper's claim that the printed numbers reproduce.
    run : callable
        ``run(full=False, progress=None, **sizes) -> list of dict``.
    check : callable
        ``check(rows) -> list of str``: the claim's failures, empty if it holds.
    plot : callable
        ``plot(rows, ax_or_fig_path)`` draws the figure into a PNG path.
    tiny : dict
        Keyword arguments of ``run`` for a seconds-long smoke run.
    paper_table : callable or None
        ``paper_table(rows) -> list of dict`` with the keys ``quantity``,
        ``paper`` and ``ours``: the paper's numbers (or statements) beside the
        ones measured in ``rows``. Printed by the command line after the table.
    options : tuple of str
        Boolean keyword arguments of ``run`` that the command line offers as
        flags: ``"paper_steps"`` is ``--paper-steps``.
    """

    name: str
    paper: str
    claim: str
    run: callable
    check: callable
    plot: callable
    tiny: dict = field(default_factory=dict)
    paper_table: callable = None
    options: tuple = ()


def format_rows(rows, floats="{:.4g}"):
    """A plain-text table of a list of dicts.

    The columns are the union of the rows' keys in order of appearance; a row
    without a key leaves its cell empty (rows of several panels share a table).
    """
    keys = list(dict.fromkeys(k for r in rows for k in r))

    def cell(r, k):
        if k not in r:
            return ""
        return floats.format(r[k]) if isinstance(r[k], float) else str(r[k])

    cells = [[cell(r, k) for k in keys] for r in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    line = "  ".join(k.rjust(w) for k, w in zip(keys, widths))
    out = [line, "-" * len(line)]
    out += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join(out)


class Progress:
    """Prints ``[done/total] label (elapsed)`` lines to stderr."""

    def __init__(self, total=None, stream=None):
        self.total = total
        self.done = 0
        self.start = time.perf_counter()
        self.stream = stream if stream is not None else sys.stderr

    def __call__(self, label):
        self.done += 1
        elapsed = time.perf_counter() - self.start
        count = f"{self.done}" if self.total is None else f"{self.done}/{self.total}"
        print(f"[{count}] {label} ({elapsed:.0f} s)", file=self.stream, flush=True)


def tick(progress, label):
    """Report one unit of work when a progress reporter is given."""
    if progress is not None:
        progress(label)


@contextmanager
def quiet_convergence():
    """Planted noiseless fits improve until max_iter: silence that warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def figure(ncols, width=4.6, height=3.6):
    """A non-interactive matplotlib figure with ``ncols`` axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), squeeze=False)
    return fig, axes[0]


def save(fig, path):
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
