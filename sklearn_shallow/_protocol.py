"""The proximal-map protocol that constraints and penalties share.

:class:`Prox` and :data:`KINDS` live here, below the name table
(:mod:`sklearn_shallow._registry`) and the two families
(:mod:`~sklearn_shallow.constraints`, :mod:`~sklearn_shallow.thresholds`);
:mod:`sklearn_shallow.prox` is the public page that gathers them (see its
docstring for the protocol and the names).
"""

import functools
import numbers

import numpy as np

from ._component import Component

# PROX and get_prox come from the registry through __getattr__ below.
__all__ = ["KINDS", "Prox"]  # noqa: F822

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
        # Device copies belong to the state they were made from.
        self.__dict__.pop("_device_copies", None)

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

    def _on_device(self, array, like, transform=None, dtype=None):
        """The numpy array ``array`` of the prepared state (group labels, a
        basis), or ``transform(array)``, in the namespace and on the device
        of ``like`` (in ``dtype``, a dtype of that namespace, when given).

        Converted once per :meth:`check`, namespace and device, so that a
        projection on a GPU does not copy its constants from the host at
        every step.
        """
        from ._array_api import asarray_on, device, namespace_of

        copies = self.__dict__.setdefault("_device_copies", {})
        where = (namespace_of(like).__name__, str(device(like)), str(dtype))
        key = (id(array), transform, *where)
        if key not in copies:
            host = array if transform is None else transform(array)
            # The numpy array is kept with its copy, so its id is not reused.
            copies[key] = (array, asarray_on(host, like, dtype))
        return copies[key][1]

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_checked", None)
        state.pop("_device_copies", None)
        return state
