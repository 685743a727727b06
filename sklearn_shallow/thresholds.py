"""Thresholding operators: proximal maps of sparsity penalties.

For a penalty ``P`` applied entrywise and a threshold parameter ``t > 0``,

    prox_{t P}(w) = argmin_x  (x - w)^2 / 2 + t P(x),

computed elementwise. RVSM (Dinh & Xin 2020) calls it with ``t = lam / beta``.

Functions work on arrays of any shape and keep float32 as float32. The small
classes (:class:`L1Penalty`, :class:`L0Penalty`, :class:`TransformedL1Penalty`)
bundle a penalty's value with its prox so that estimators can take either a
name or an object. Their feature-selection counterparts
(:class:`L0FeaturesPenalty`, :class:`L1FeaturesPenalty`,
:class:`TransformedL1FeaturesPenalty`) are not entrywise: they threshold the
Euclidean norm of each input column (or group of columns) of the hidden
weights ``(n_hidden, n_features)`` and keep its direction. They follow the
protocol of constraints, :class:`sklearn_shallow.prox.Prox`, and their names
resolve through the same table, :data:`sklearn_shallow.prox.PROX`
(:data:`PENALTIES` is the read-only view of its penalty rows).

Every function and operator also takes arrays of another array-API namespace
(torch, CuPy, ...; see :mod:`sklearn_shallow._array_api`) and returns one of
the same namespace, dtype and device; numpy arrays take the numpy code, whose
results are unchanged.
"""

import math
import numbers

import numpy as np

from ._array_api import device, float_dtype, namespace_of, wide_float
from ._groups import (
    check_groups,
    column_labels,
    device_layout,
    group_norms,
    group_norms_xp,
    scale_groups,
    scale_groups_xp,
)
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
    xp = namespace_of(w)
    if xp is not None:
        w = xp.astype(w, float_dtype(w, xp), copy=False)
        return xp.maximum(xp.abs(w) - t, 0.0) * xp.sign(w) + 0.0
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
    xp = namespace_of(w)
    if xp is not None:
        return xp.where(xp.abs(w) > math.sqrt(2.0 * t), w, xp.zeros_like(w))
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
    xp = namespace_of(w)
    if xp is not None:
        return _tl1_threshold_xp(w, t, a, xp)
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


def _tl1_threshold_xp(w, t, a, xp):
    """:func:`tl1_threshold` in the namespace ``xp``: the closed form on
    every entry (in the widest float of the device), zero below the level."""
    if t == 0:
        return xp.asarray(w, copy=True)
    t, a = float(t), float(a)  # numpy scalars do not mix with every namespace
    wide = xp.astype(w, wide_float(xp, device(w)))
    v = xp.abs(wide)
    cos_arg = 1.0 - 27.0 * t * a * (a + 1.0) / (2.0 * (a + v) ** 3)
    phi = xp.acos(xp.clip(cos_arg, min=-1.0, max=1.0))
    g = 2.0 / 3.0 * (a + v) * xp.cos(phi / 3.0) - 2.0 * a / 3.0 + v / 3.0
    out = xp.where(v > float(tl1_threshold_level(t, a)), g, xp.zeros_like(g))
    return xp.astype(xp.sign(wide) * out, w.dtype) + 0.0


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
        xp = namespace_of(w)
        if xp is not None:
            return float(xp.sum(xp.abs(w)))
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
        xp = namespace_of(w)
        if xp is not None:
            return float(xp.count_nonzero(w))
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
        xp = namespace_of(w)
        if xp is not None:
            absw = xp.abs(w)
            return float(xp.sum((self.a + 1.0) * absw / (self.a + absw)))
        absw = np.abs(w)
        return float(((self.a + 1.0) * absw / (self.a + absw)).sum())

    def prox(self, w, t):
        self._prepared(None)
        return tl1_threshold(w, t, self.a)


class _FeaturePenalty(Penalty):
    """A penalty on the norms of the input columns (groups) of ``W``.

    ``value(W) = sum_g P(||W_g||)`` over the groups ``g`` of columns of the
    hidden weights ``(n_hidden, n_features)``; the prox maps each group's
    norm ``r`` to ``p(r)``, the scalar prox of ``t P`` at ``r``, and keeps its
    direction: ``W_g -> W_g p(r) / r``.

    Why that is the prox: for a point ``X`` with group norms ``s``,
    ``||X_g - W_g|| >= |s_g - r_g|`` with equality when ``X_g`` is parallel
    to ``W_g``, and the penalty depends on the norms only; so the problem
    separates into one scalar problem per group, ``min_{s >= 0} (s - r)^2 /
    2 + t P(s)``, whose minimiser is the scalar prox at ``r >= 0`` (it is
    ``>= 0`` for these even, non-decreasing ``P``).
    """

    per_input = True

    def __init__(self, groups=None):
        self.groups = groups

    def _validate(self, shape):
        groups = check_groups(self.groups)
        if shape is None:
            return None
        return column_labels(groups, shape, type(self).__name__)

    def _norms(self, w):
        w = np.asarray(w)
        labels, n_groups = self._prepared(w.shape)
        return w, labels, group_norms(w, labels, n_groups)

    def _norms_xp(self, w, xp):
        labels, n_groups = self._prepared(tuple(w.shape))
        layout = device_layout(self, labels, n_groups, w)
        return layout, group_norms_xp(w, layout, xp)

    def _scalar_value(self, norms, xp=np):
        """``sum_g P(norms_g)``; ``xp`` is the namespace of ``norms``."""
        raise NotImplementedError

    def _scalar_prox(self, norms, t):
        raise NotImplementedError

    def value(self, w):
        xp = namespace_of(w)
        if xp is not None:
            _, norms = self._norms_xp(w, xp)
            return float(self._scalar_value(norms, xp))
        _, _, norms = self._norms(w)
        return float(self._scalar_value(norms))

    def prox(self, w, t):
        xp = namespace_of(w)
        if xp is not None:
            layout, norms = self._norms_xp(w, xp)
            new = self._scalar_prox(norms, t)
            positive = norms > 0
            safe = xp.where(positive, norms, xp.ones_like(norms))
            factor = xp.where(positive, new / safe, xp.zeros_like(norms))
            return scale_groups_xp(w, layout, factor, float_dtype(w, xp), xp)
        w, labels, norms = self._norms(w)
        new = self._scalar_prox(norms, t)
        factor = np.divide(new, norms, out=np.zeros_like(norms), where=norms > 0)
        dtype = w.dtype if np.issubdtype(w.dtype, np.floating) else np.float64
        return scale_groups(w, labels, factor, dtype)


class L0FeaturesPenalty(_FeaturePenalty):
    """``P(W) =`` the number of input columns (groups) in use; group hard threshold.

    Parameters
    ----------
    groups : list of lists of int, default=None
        Groups of input columns counted (and kept or zeroed) together, as in
        :class:`~sklearn_shallow.constraints.L0Features`. None: each column
        is its own group.

    Notes
    -----
    ``P(W) = #{g : W_g != 0}``. Its prox keeps a group whose norm exceeds
    ``sqrt(2 t)`` and zeros the others: keeping ``W_g`` costs ``t``, zeroing
    it ``||W_g||^2 / 2`` (any other nonzero point costs more than keeping
    ``W_g``). At the norm ``sqrt(2 t)`` both are minimisers; the group is
    zeroed, as :func:`hard_threshold` does.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[3.0, 0.5], [4.0, 0.5]])  # column norms 5 and 0.71
    >>> L0FeaturesPenalty().prox(W, 2.0)  # threshold sqrt(2 t) = 2
    array([[3., 0.],
           [4., 0.]])
    """

    convex = False

    def _scalar_value(self, norms, xp=np):
        return xp.count_nonzero(norms)

    def _scalar_prox(self, norms, t):
        return hard_threshold(norms, t)


class L1FeaturesPenalty(_FeaturePenalty):
    """``P(W) = sum_g ||W_g||``, the group lasso; group soft threshold.

    Parameters
    ----------
    groups : list of lists of int, default=None
        Groups of input columns, as in :class:`L0FeaturesPenalty`.

    Notes
    -----
    The prox shrinks each group towards zero by ``t`` in norm:
    ``W_g -> max(0, 1 - t / ||W_g||) W_g`` (block soft thresholding; zero
    groups stay zero). ``P`` is a norm, so the penalty is convex.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[3.0, 0.5], [4.0, 0.5]])  # column norms 5 and 0.71
    >>> L1FeaturesPenalty().prox(W, 1.0)
    array([[2.4, 0. ],
           [3.2, 0. ]])
    """

    convex = True

    def _scalar_value(self, norms, xp=np):
        return xp.sum(norms)

    def _scalar_prox(self, norms, t):
        return soft_threshold(norms, t)


class TransformedL1FeaturesPenalty(_FeaturePenalty):
    """``P(W) = sum_g rho_a(||W_g||)``: transformed l1 on the columns' norms.

    Parameters
    ----------
    a : float, default=1.0
        Shape parameter of ``rho_a(r) = (a + 1) r / (a + r)``, finite and
        ``> 0``: small ``a`` behaves like :class:`L0FeaturesPenalty`, large
        ``a`` like :class:`L1FeaturesPenalty`.
    groups : list of lists of int, default=None
        Groups of input columns, as in :class:`L0FeaturesPenalty`.

    Notes
    -----
    The prox maps each group's norm ``r`` to ``tl1_threshold(r, t, a)`` and
    keeps its direction. ``rho_a`` is concave, so the penalty is not convex.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0.0, 0.1], [2.0, 0.0]])  # column norms 2 and 0.1
    >>> TransformedL1FeaturesPenalty(a=1.0).prox(W, 0.5).round(4)
    array([[0.    , 0.    ],
           [1.8794, 0.    ]])
    """

    convex = False

    def __init__(self, a=1.0, groups=None):
        self.a = a
        self.groups = groups

    def _validate(self, shape):
        TransformedL1Penalty._validate(self, shape)
        return super()._validate(shape)

    def _scalar_value(self, norms, xp=np):
        return xp.sum((self.a + 1.0) * norms / (self.a + norms))

    def _scalar_prox(self, norms, t):
        return tl1_threshold(norms, t, self.a)


# Each factory takes transformed l1's shape ``a`` (ignored by the others).
PENALTIES = _register(
    "penalty",
    {
        "l0": lambda a=1.0: L0Penalty(),
        "l1": lambda a=1.0: L1Penalty(),
        "tl1": lambda a=1.0: TransformedL1Penalty(a=a),
        "l0_features": lambda a=1.0: L0FeaturesPenalty(),
        "l1_features": lambda a=1.0: L1FeaturesPenalty(),
        "tl1_features": lambda a=1.0: TransformedL1FeaturesPenalty(a=a),
    },
)
"""Penalty names and their factories, each called as ``factory(a)``: the
penalty rows of :data:`sklearn_shallow.prox.PROX`, as a read-only mapping."""


def get_penalty(spec, a=1.0):
    """Resolve a penalty name or pass a :class:`Penalty` through.

    Parameters
    ----------
    spec : {'l0', 'l1', 'tl1', 'l0_features', 'l1_features', 'tl1_features'} \
            or Penalty
        A name of :data:`PENALTIES` or a penalty object (returned as it is).
        The ``_features`` names penalise the norms of the input columns of
        the hidden weights (feature selection).
    a : float, default=1.0
        Shape of the transformed-l1 penalty; used with ``'tl1'`` and
        ``'tl1_features'`` only.

    Returns
    -------
    Penalty

    Examples
    --------
    >>> get_penalty("tl1", a=0.5)
    TransformedL1Penalty(a=0.5)
    """
    return get_prox(spec, "penalty", a=a)
