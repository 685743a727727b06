"""One protocol for constraints and penalties: the proximal map.

For a function ``f`` of the weights and a step ``t > 0`` the proximal map is

    prox_{t f}(V) = argmin_W  ||W - V||_F^2 / 2 + t f(W).

A sparsity penalty (the l1 norm, the number of nonzeros, transformed l1) is
such an ``f``. A constraint set ``C`` is one too, through its indicator
``i_C`` (0 on ``C``, ``+inf`` off it): ``t i_C = i_C`` for every ``t > 0``, so
the prox of a constraint is the Euclidean projection onto ``C``, whatever the
step. A solver therefore needs one interface from both families, that of
:class:`Prox`: ``prox(W, t)`` for the step, ``value(W)`` for the objective
(``0`` or ``inf`` for a constraint) and ``check(shape)``, called once per fit.

Names
-----
Both families resolve names through the one table :data:`PROX` with
:func:`get_prox` (both live in :mod:`sklearn_shallow._registry`, which this
module's protocol sits below; they are read from here as before). The
rule: **a name stands for one function ``f`` of the weights, and the kind
says how ``f`` enters the problem.** As a ``'penalty'`` the term is ``f``
itself (the estimator scales it by ``lam``);
as a ``'constraint'`` it is the set ``{W : f(W) <= tau}`` for a size ``tau``.
So ``'l1'`` is ``sum |W_ij|`` as a penalty and the l1 ball of radius ``tau``
as a constraint, and ``'l0'`` counts nonzeros as a penalty and allows at most
``tau`` of them as a constraint. ``'none'`` is ``f = 0``. A name has a row for
a kind only where that use is implemented:

================  ==========================================  ===================
name              ``f(W)``                                    kinds
================  ==========================================  ===================
``none``          0                                           constraint
``l0``            number of nonzeros                          constraint, penalty
``l0_row``        largest number of nonzeros in a row         constraint
``l1``            ``sum |W_ij|``                              constraint, penalty
``tl1``           ``sum (a + 1) |W_ij| / (a + |W_ij|)``       penalty
``rank``          rank                                        constraint
``nuclear``       sum of singular values                      constraint
``l0_features``   number of nonzero columns ``W[:, j]``       constraint, penalty
``l1_features``   ``sum_j ||W[:, j]||_2``                     constraint, penalty
``tl1_features``  ``sum_j rho_a(||W[:, j]||_2)``              penalty
================  ==========================================  ===================

The ``_features`` names act on the input columns of the hidden weights
``(n_hidden, n_features)`` (feature selection), or on groups of columns
(their ``groups`` parameter; a group's norm is that of all its columns);
``rho_a(r) = (a + 1) r / (a + r)`` is transformed l1's function.

Names are lower-case identifiers (letters, digits, ``_``). Shape parameters
(transformed l1's ``a``) are constructor parameters of the objects, not part
of the name.
"""

# The public page of the family, at its top: the protocol below everything,
# the name table above it, both families above the table; nothing here is
# imported back by them, so the package has no import cycle.
from . import constraints, thresholds  # noqa: F401 (fill the table)
from ._protocol import KINDS, Prox
from ._registry import get_prox, table

__all__ = ["KINDS", "PROX", "Prox", "get_prox"]

PROX = table()
"""Name -> ``{kind: factory}``: every name of both families (the docstring
lists them), complete once this module is imported."""
