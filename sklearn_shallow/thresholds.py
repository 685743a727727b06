"""Thresholding operators: proximal maps of sparsity penalties.

For a penalty ``P`` applied entrywise and a threshold parameter ``t > 0``,

    prox_{t P}(w) = argmin_x  (x - w)^2 / 2 + t P(x),

computed elementwise. RVSM (Dinh & Xin 2020) calls it with ``t = lam / beta``.

Functions work on arrays of any shape and keep float32 as float32. The small
classes (:class:`L1Penalty`, :class:`L0Penalty`, :class:`TransformedL1Penalty`)
bundle a penalty's value with its prox so that estimators can take either a
name or an object. They follow the protocol of constraints,
:class:`sklearn_shallow.prox.Prox`, and their names resolve through the same
table, :data:`sklearn_shallow.prox.PROX` (:data:`PENALTIES` is the read-only
view of its penalty rows).
"""

import numbers

import numpy as np

from ._protocol import Prox
from ._registry import _register, get_prox


def soft_threshold(w, t):
    """Prox of ``t |x|``: ``sign(w) max(|w| - t, 0)``.

    Parameters
    ----------
    w : ndarray
    t : float, >= 0

    Returns
    -------
    ndarray of the shape and dtype of ``w``

    Examples
    --------
    >>> import numpy as np
    >>> soft_threshold(np.array([-2.0, 0.5, 3.0]), 1.0)
    array([-1.,  0.,  2.])
    """
    w = np.asarray(w)
    out = np.abs(w) - w.dtype.type(t)
    np.maximum(out, 0, out=out)
    out *= np.sign(w)
    return out + 0.0  # no negative zeros


def hard_threshold(w, t):
    """Prox of ``t [x != 0]``: keep ``w`` where ``|w| > sqrt(2 t)``, else 0.

    Notes
    -----
    Keeping ``x = w`` costs ``t``; setting ``x = 0`` costs ``w^2 / 2``. The
    entry is kept when ``w^2 / 2 > t``. At ``|w| = sqrt(2 t)`` both are
    minimisers; we return 0.

    Examples
    --------
    >>> import numpy as np
    >>> hard_threshold(np.array([-2.0, 0.5, 3.0]), 0.5)
    array([-2.,  0.,  3.])
    """
    w = np.asarray(w)
    return np.where(np.abs(w) > np.sqrt(2.0 * t), w, 0).astype(w.dtype, copy=False)


def tl1_threshold_level(t, a):
    """The magnitude below which the transformed-l1 prox returns 0.

    ``t (a + 1) / a`` when ``t <= a^2 / (2 (a + 1))``, else
    ``sqrt(2 t (a + 1)) - a / 2``.
    """
    if t <= a * a / (2.0 * (a + 1.0)):
        return t * (a + 1.0) / a
    return np.sqrt(2.0 * t * (a + 1.0)) - a / 2.0


def tl1_threshold(w, t, a):
    """Prox of ``t rho_a(x)``, ``rho_a(x) = (a + 1) |x| / (a + |x|)``.

    Parameters
    ----------
    w : ndarray
    t : float, >= 0
    a : float, > 0
        Shape of the penalty: small ``a`` behaves like l0, large ``a`` like l1.

    Returns
    -------
    ndarray of the shape and dtype of ``w``

    Notes
    -----
    For ``|w|`` above the threshold level ``t*`` (:func:`tl1_threshold_level`)
    the minimiser is the largest root of a cubic, given in closed form by::

        phi = arccos(1 - 27 t a (a + 1) / (2 (a + |w|)^3)),
        g   = 2/3 (a + |w|) cos(phi / 3) - 2 a / 3 + |w| / 3,

    and the prox is ``sign(w) g``; below ``t*`` it is 0 (Zhang & Xin 2017).
    The two regimes of ``t*`` correspond to whether the prox jumps at the
    threshold (large ``t``) or is continuous there (small ``t``).

    References
    ----------
    S. Zhang and J. Xin, "Minimization of transformed L1 penalty: closed form
    representation and iterative thresholding algorithms", Communications in
    Mathematical Sciences, 2017.

    Examples
    --------
    >>> import numpy as np
    >>> tl1_threshold(np.array([0.1, 2.0]), 0.5, 1.0).round(4)
    array([0.    , 1.8794])
    """
    w = np.asarray(w)
    if t == 0:
        return w.copy()
    absw = np.abs(w).astype(np.float64)
    level = tl1_threshold_level(t, a)
    keep = absw > level
    out = np.zeros_like(absw)
    v = absw[keep]
    cos_arg = 1.0 - 27.0 * t * a * (a + 1.0) / (2.0 * (a + v) ** 3)
    phi = np.arccos(np.clip(cos_arg, -1.0, 1.0))
    out[keep] = 2.0 / 3.0 * (a + v) * np.cos(phi / 3.0) - 2.0 * a / 3.0 + v / 3.0
    return (np.sign(w) * out).astype(w.dtype, copy=False) + 0.0


class Penalty(Prox):
    """A separable sparsity penalty: ``value(w) = sum_i P(w_i)`` and its prox.

    Shape parameters are constructor parameters, validated by
    :meth:`~sklearn_shallow.prox.Prox.check` (once per fit; ``prox`` runs it
    itself, once, if it was not called).

    Attributes
    ----------
    kind : str
        ``'penalty'``: a finite term added to the objective.
    convex : bool
        Whether ``P`` is convex.
    """

    kind = "penalty"

    def value(self, w):
        """Penalty of the whole array."""
        raise NotImplementedError

    def prox(self, w, t):
        """``argmin_x (x - w)^2 / 2 + t P(x)``, entrywise."""
        raise NotImplementedError


class L1Penalty(Penalty):
    """``P(x) = |x|``; prox: soft thresholding at ``t``.

    Examples
    --------
    >>> import numpy as np
    >>> L1Penalty().prox(np.array([-2.0, 0.5]), 1.0)
    array([-1.,  0.])
    """

    convex = True

    def value(self, w):
        return float(np.abs(w).sum())

    def prox(self, w, t):
        return soft_threshold(w, t)


class L0Penalty(Penalty):
    """``P(x) = [x != 0]``; prox: hard thresholding at ``sqrt(2 t)``.

    Examples
    --------
    >>> import numpy as np
    >>> L0Penalty().prox(np.array([-2.0, 0.5]), 1.0)
    array([-2.,  0.])
    """

    convex = False

    def value(self, w):
        return float(np.count_nonzero(w))

    def prox(self, w, t):
        return hard_threshold(w, t)


class TransformedL1Penalty(Penalty):
    """``P(x) = (a + 1) |x| / (a + |x|)``, between l0 (``a -> 0``) and l1.

    Parameters
    ----------
    a : float, default=1.0
        Shape parameter, finite and ``> 0``.

    Notes
    -----
    ``P`` is concave in ``|x|`` for every ``a``, so the penalty is not
    convex; its prox is :func:`tl1_threshold`.

    Examples
    --------
    >>> import numpy as np
    >>> TransformedL1Penalty(a=1.0).prox(np.array([0.1, 2.0]), 0.5).round(4)
    array([0.    , 1.8794])
    """

    convex = False

    def __init__(self, a=1.0):
        self.a = a

    def _validate(self, shape):
        a = self.a
        number = isinstance(a, numbers.Real) and not isinstance(a, (bool, np.bool_))
        if not (number and a > 0 and np.isfinite(a)):
            raise ValueError(
                f"The transformed-l1 parameter a must be > 0 and finite, got {a!r}."
            )

    def value(self, w):
        self._prepared(None)
        absw = np.abs(w)
        return float(((self.a + 1.0) * absw / (self.a + absw)).sum())

    def prox(self, w, t):
        self._prepared(None)
        return tl1_threshold(w, t, self.a)


# Each factory takes transformed l1's shape ``a`` (ignored by the others).
PENALTIES = _register(
    "penalty",
    {
        "l0": lambda a=1.0: L0Penalty(),
        "l1": lambda a=1.0: L1Penalty(),
        "tl1": lambda a=1.0: TransformedL1Penalty(a=a),
    },
)
"""Penalty names and their factories, each called as ``factory(a)``: the
penalty rows of :data:`sklearn_shallow.prox.PROX`, as a read-only mapping."""


def get_penalty(spec, a=1.0):
    """Resolve a penalty name or pass a :class:`Penalty` through.

    Parameters
    ----------
    spec : {'l0', 'l1', 'tl1'} or Penalty
        A name of :data:`PENALTIES` or a penalty object (returned as it is).
    a : float, default=1.0
        Shape of the transformed-l1 penalty; used with ``'tl1'`` only.

    Returns
    -------
    Penalty

    Examples
    --------
    >>> get_penalty("tl1", a=0.5)
    TransformedL1Penalty(a=0.5)
    """
    return get_prox(spec, "penalty", a=a)
