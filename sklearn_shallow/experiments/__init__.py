"""The papers' experiments, each runnable from the command line.

``python -m sklearn_shallow list`` names them; ``python -m sklearn_shallow
reproduce NAME [--full] [--out DIR]`` runs one, prints its table and the claim
it reproduces, and writes its figure. Each entry of :data:`EXPERIMENTS` is an
:class:`Experiment` with ``run`` (returns rows of plain values), ``check``
(the claim's failures in those rows), ``plot``, ``paper_table`` (the paper's
numbers beside ours) and a ``tiny`` size for tests. Each paper's module lists
its entries in ``ENTRIES``.
"""

from . import dinh_xin, du_lee, oymak, soltanolkotabi, zhong
from ._common import Experiment, Progress, format_rows
from .dinh_xin import rvsm_tradeoff

EXPERIMENTS = {
    e.name: e
    for module in (oymak, soltanolkotabi, zhong, dinh_xin, du_lee)
    for e in module.ENTRIES
}

__all__ = ["EXPERIMENTS", "Experiment", "Progress", "format_rows", "rvsm_tradeoff"]
