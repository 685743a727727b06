"""The papers' experiments, each runnable from the command line.

``python -m sklearn_shallow list`` names them; ``python -m sklearn_shallow
reproduce NAME [--full] [--out DIR]`` runs one, prints its table and the claim
it reproduces, and writes its figure. Each entry of :data:`EXPERIMENTS` is an
:class:`Experiment` with ``run`` (returns rows of plain values), ``check``
(the claim's failures in those rows), ``plot`` and a ``tiny`` size for tests.
"""

from ._common import Experiment, Progress, format_rows
from .dinh_xin import DINH_XIN, rvsm_tradeoff
from .du_lee import DU_LEE
from .oymak import OYMAK_CONV, OYMAK_SPARSE
from .soltanolkotabi import SOLTANOLKOTABI
from .zhong import ZHONG

EXPERIMENTS = {
    e.name: e
    for e in (OYMAK_SPARSE, OYMAK_CONV, SOLTANOLKOTABI, ZHONG, DINH_XIN, DU_LEE)
}

__all__ = ["EXPERIMENTS", "Experiment", "Progress", "format_rows", "rvsm_tradeoff"]
