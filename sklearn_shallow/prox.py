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

===========  ==========================================  ====================
name         ``f(W)``                                    kinds
===========  ==========================================  ====================
``none``     0                                           constraint
``l0``       number of nonzeros                          constraint, penalty
``l0_row``   largest number of nonzeros in a row         constraint
``l1``       ``sum |W_ij|``                              constraint, penalty
``tl1``      ``sum (a + 1) |W_ij| / (a + |W_ij|)``       penalty
``rank``     rank                                        constraint
``nuclear``  sum of singular values                      constraint
===========  ==========================================  ====================

Names are lower-case identifiers (letters, digits, ``_``). Shape parameters
(transformed l1's ``a``) are constructor parameters of the objects, not part
of the name.
"""

import functools
import numbers

import numpy as np

from ._component import Component

# PROX and get_prox come from the registry through __getattr__ below.
__all__ = ["KINDS", "PROX", "Prox", "get_prox"]  # noqa: F822

KINDS = ("constraint", "penalty")
"""The two uses of a prox: the indicator of a set, or a penalty term."""


@functools.cache
def _param_names(cls):
    return tuple(cls._param_names())


def _same_value(old, new):
    """Whether a parameter still holds what was validated.

    Numbers, strings and None compare by value (and type, so that ``True``
    does not pass for a validated ``1``); anything else (an array) by
    identity, which the cache keeps alive so that the identity cannot be
    reused.
    """
    if old is new:
        return True
    scalar = (numbers.Number, str, bytes, np.generic, type(None))
    if isinstance(old, scalar) and type(old) is type(new):
        return bool(old == new)
    return False


class Prox(Component):
    """Base class of proximal operators: constraints and penalties.

    A subclass stores its parameters unchanged in ``__init__`` (so that
    ``get_params``, ``set_params`` and ``clone`` see them), implements
    :meth:`prox` and :meth:`value`, and puts its validation in
    ``_validate(shape)``, which raises ``ValueError`` and returns what the
    operator needs precomputed (or None). :meth:`check` runs it; the hot
    path reads the result back through ``_prepared(shape)``, which validates
    only when the parameters or the shape changed since the last check (or
    never were checked), so an operator used before :meth:`check` is still
    validated, once.

    Attributes
    ----------
    kind : {'constraint', 'penalty'}
        ``'constraint'`` for the indicator of a set, whose prox is the
        projection and whose value is 0 or ``inf``; ``'penalty'`` for a
        finite penalty term.
    convex : bool
        Whether the set or the penalty is convex (then the prox is
        nonexpansive, which some solvers rely on).

    Notes
    -----
    What ``check`` computes is kept in a private attribute that is neither a
    parameter nor pickled: ``clone`` and ``pickle`` give an operator that
    validates again on first use. The parameters are compared by value
    (numbers) or by identity (arrays): after editing an array parameter in
    place, call :meth:`check` again.
    """

    kind = None
    convex = False

    def prox(self, W, t):
        """Proximal map of ``t`` times this term at ``W``.

        Parameters
        ----------
        W : ndarray
            Weights, usually of shape ``(n_hidden, n_features)``.
        t : float
            Step, ``>= 0``; ignored by constraints.

        Returns
        -------
        ndarray of the same shape as ``W``
            A new array; ``W`` is not modified.
        """
        raise NotImplementedError

    def value(self, W):
        """Value of the term at ``W`` (for a constraint: 0 or ``inf``).

        Parameters
        ----------
        W : ndarray
            Weights.

        Returns
        -------
        float
        """
        raise NotImplementedError

    def check(self, shape=None):
        """Validate the parameters, against ``shape`` when given.

        Called once per fit, before the operator is used; raises
        ``ValueError`` naming the offending value, and computes what the
        operator needs for weights of this shape.

        Parameters
        ----------
        shape : tuple of int, default=None
            Shape of the weights the operator will be applied to; None checks
            only what does not depend on it.
        """
        if shape is not None:
            shape = tuple(shape)
        state = self._validate(shape)
        self._checked = (shape, self._param_values(), state)

    def _validate(self, shape):
        """Raise ``ValueError`` on bad parameters; return precomputed state."""
        return None

    def _param_values(self):
        return tuple(getattr(self, name) for name in _param_names(type(self)))

    def _prepared(self, shape):
        """The state :meth:`check` computed, validating only when stale."""
        checked = self.__dict__.get("_checked")
        if (
            checked is None
            or checked[0] != shape
            or not all(map(_same_value, checked[1], self._param_values()))
        ):
            self.check(shape)
            checked = self._checked
        return checked[2]

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_checked", None)
        return state


# The registry imports this module (for Prox), so this module reads the
# registry's names only when asked for them (PEP 562): a module-level import
# here would close the cycle prox -> _registry -> prox.
_FROM_REGISTRY = ("PROX", "get_prox", "_register")


def __getattr__(name):
    if name in _FROM_REGISTRY:
        from . import _registry

        return _registry.table() if name == "PROX" else getattr(_registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_FROM_REGISTRY))
