"""Constraint sets for projected gradient descent and their Euclidean projections.

Projected gradient descent takes a gradient step and maps the result back onto
a set ``C`` of allowed weights::

    W_{t+1} = P_C(W_t - mu_t * grad L(W_t)),

where ``P_C(V) = argmin_{W in C} ||W - V||_F``. Each class below holds the
hyperparameters of one set ``C`` (a radius, a number of nonzeros, a rank, ...)
and computes ``P_C``. The sets follow Oymak (2018); the l1 projection is the
sort-based method of Duchi et al. (2008).

A constraint is the proximal operator of the indicator of its set (see
:mod:`sklearn_shallow.prox`): ``prox(W, t)`` is ``project(W)`` for every step
``t`` and ``value(W)`` is 0 on the set and ``inf`` off it, so penalties and
constraints share one protocol. Parameters are validated once per fit by
``check(shape)``, which also computes what a projection needs (the float64
basis of a :class:`Subspace`); projections do not validate again.

Estimators accept either a :class:`Constraint` object or a name together with
its size ``tau``; :func:`make_constraint` turns the pair into an object through
the constraint rows of the one table :data:`sklearn_shallow.prox.PROX`
(:data:`CONSTRAINTS` is their read-only view).

Every projection also takes arrays of another array-API namespace (torch,
CuPy, ...; see :mod:`sklearn_shallow._array_api`) and returns one of the
same namespace, dtype and device; numpy arrays take the numpy code, whose
results are unchanged. The generic code computes in float64 where the numpy
code does (in float32 on a device without float64) and keeps the tie rules;
it replaces data-dependent branches by ``where``, so a projection does not
wait for the device.

Why one module of ~1000 lines: about 400 of them are code; the rest are each
set's derivation of its projection (Notes with the paper and the proof of
exactness), kept beside the code it justifies. The sets share one base class
and one table, and splitting them by kind would separate the shared checks.
"""

import math
import numbers
from abc import ABC, abstractmethod

import numpy as np

from ._array_api import device as _device
from ._array_api import float_dtype, largest_mask, namespace_of, wide_float
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

__all__ = [
    "CONSTRAINTS",
    "Constraint",
    "L0Ball",
    "L0Features",
    "L1Ball",
    "L1Features",
    "NuclearBall",
    "Rank",
    "Subspace",
    "Unconstrained",
    "make_constraint",
    "project_l1_ball",
]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _output_dtype(W):
    """Floating dtype of a projection of ``W``: its own, or float64 for ints."""
    if np.issubdtype(W.dtype, np.floating):
        return W.dtype
    return np.dtype(np.float64)


def _eps(W):
    """Machine epsilon of the dtype a projection of ``W`` is returned in."""
    xp = namespace_of(W)
    if xp is not None:
        return float(xp.finfo(float_dtype(W, xp)).eps)
    return float(np.finfo(_output_dtype(W)).eps)


def _wide(W, xp):
    """``W`` in the widest float of its device (float64 where there is one)."""
    return xp.astype(W, wide_float(xp, _device(W)))


def _shape(W):
    return tuple(W.shape)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_positive(name, value):
    if not _is_real(value) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {name}={value!r}.")


def _check_matrix(name, shape):
    if len(shape) != 2:
        raise ValueError(
            f"{name} works on 2-D weight arrays, got an array of shape {shape}."
        )


def _check_orthonormal(B):
    """Raise ``ValueError`` unless the columns of ``B`` are orthonormal."""
    gram = B.T @ B
    err = np.max(np.abs(gram - np.eye(B.shape[1])), initial=0.0)
    if err > 1e-6:
        raise ValueError(
            "basis columns must be orthonormal (B^T B = I); max |B^T B - I| "
            f"is {err:.3g}. Orthonormalize it first, e.g. with np.linalg.qr."
        )


def project_l1_ball(v, radius):
    """Euclidean projection of an array onto the l1 ball of a given radius.

    Parameters
    ----------
    v : ndarray
        Values to project; treated as one flat vector (any shape is kept).
    radius : float
        Radius of the ball, ``> 0``.

    Returns
    -------
    ndarray of the same shape and dtype as ``v`` (float64 for integer input)
        ``argmin_{||x||_1 <= radius} ||x - v||_2``, a new array.

    Notes
    -----
    Outside the ball the answer is the soft threshold
    ``sign(v) * max(|v| - theta, 0)`` whose l1 norm equals ``radius``. With
    ``u`` the magnitudes sorted in decreasing order and ``c_j = u_1 + ... +
    u_j``, let ``rho`` be the largest 1-based index ``j`` with
    ``u_j > (c_j - radius) / j``; then ``theta = (c_rho - radius) / rho``.
    Both are evaluated without cancellation: the test as
    ``sum_{i <= j} (u_i - u_j) < radius`` and the kept entries as
    ``(|v_i| - u_rho) + (radius - sum_{i <= rho} (u_i - u_rho)) / rho``.
    This costs one sort, ``O(m log m)`` for ``m`` values (Duchi et al., 2008,
    Fig. 1). Dividing by the 0-based index instead, a common slip, gives a
    wrong ``theta``.

    References
    ----------
    .. [1] J. Duchi, S. Shalev-Shwartz, Y. Singer and T. Chandra, "Efficient
       projections onto the l1-ball for learning in high dimensions", ICML 2008.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.constraints import project_l1_ball
    >>> project_l1_ball(np.array([3.0, -1.0]), radius=2.0)
    array([2., 0.])
    """
    _check_positive("radius", radius)
    xp = namespace_of(v)
    if xp is not None:
        return _project_l1_ball_xp(v, radius, xp)
    return _project_l1_ball(np.asarray(v), radius)


def _project_l1_ball(v, radius):
    """:func:`project_l1_ball` without the validation of ``radius``."""
    dtype = _output_dtype(v)
    flat = v.astype(np.float64).ravel()
    mag = np.abs(flat)
    if mag.sum() <= radius:
        return v.astype(dtype, copy=True)
    u = np.sort(mag)[::-1]
    # u_j > (c_j - radius) / j  <=>  s_j < radius with s_j = c_j - j u_j =
    # sum_{i <= j} (u_i - u_j), a non-decreasing sum of non-negative terms:
    # accumulated this way it has no cancellation, where c_j - radius loses
    # all of radius next to a large u_1 (|v| = [1e17, 1], radius 5).
    gaps = np.arange(1, u.size) * (u[:-1] - u[1:])
    s = np.concatenate([[0.0], np.cumsum(gaps)])
    rho = int(np.searchsorted(s, radius, side="left"))  # s_j < radius for j <= rho
    # theta = u_rho - (radius - s_rho) / rho; the kept entries are formed as
    # (|v_i| - u_rho) + (radius - s_rho) / rho, never as a difference of two
    # numbers near u_1, so they come out right down to radius 1e-300 |v|.
    excess = (radius - s[rho - 1]) / rho
    shrunk = np.maximum((mag - u[rho - 1]) + excess, 0.0)
    # +0.0 (not -0.0) for the entries it zeroes.
    out = np.where(flat < 0, -shrunk, shrunk) + 0.0
    return out.reshape(v.shape).astype(dtype, copy=False)


def _project_l1_ball_xp(v, radius, xp, slack=0.0):
    """:func:`_project_l1_ball` in the namespace ``xp``, without a branch.

    The projection is computed in every case and ``v`` is returned where its
    l1 norm is at most ``radius + slack`` (``slack``: the rounding that
    :class:`L1Ball` and :class:`NuclearBall` forgive). The index ``rho`` is
    the number of ``s_j < radius`` (``s`` is non-decreasing), read with
    ``take``, so the device is never waited for.
    """
    dtype = float_dtype(v, xp)
    if math.prod(v.shape) == 0:
        return xp.astype(v, dtype, copy=True)
    flat = xp.reshape(_wide(v, xp), (-1,))
    mag = xp.abs(flat)
    u = xp.sort(mag, descending=True)
    n = u.shape[0]
    steps = xp.arange(1, n, dtype=u.dtype, device=_device(u))
    s = xp.cumulative_sum(steps * (u[:-1] - u[1:]), include_initial=True)
    rho = xp.sum(xp.astype(s < radius, xp.int64), keepdims=True)
    last = rho - 1
    excess = (radius - xp.take(s, last)) / xp.astype(rho, u.dtype)
    shrunk = xp.maximum((mag - xp.take(u, last)) + excess, 0.0)
    out = xp.where(flat < 0, -shrunk, shrunk) + 0.0
    inside = xp.sum(mag) <= radius + slack
    out = xp.where(inside, flat, out)
    return xp.astype(xp.reshape(out, v.shape), dtype)


# ---------------------------------------------------------------------------
# Constraint classes
# ---------------------------------------------------------------------------


class Constraint(Prox, ABC):
    """Base class of the constraint sets used by projected gradient descent.

    A subclass stores its hyperparameters unchanged in ``__init__`` and
    implements :meth:`project`; it may refine :meth:`is_feasible` and put its
    validation in ``_validate(shape)`` (see :class:`~sklearn_shallow.prox.Prox`),
    which :meth:`check` runs once per fit.

    Attributes
    ----------
    kind : str
        ``'constraint'``: the operator is the prox of an indicator.
    convex : bool
        Whether the set is convex. Projections onto convex sets are
        nonexpansive, which some solvers rely on.

    Notes
    -----
    For the indicator ``i_C`` of the set (0 on ``C``, ``+inf`` off it) and any
    step ``t > 0``, ``argmin_X ||X - W||^2 / 2 + t i_C(X)`` minimises the
    distance over ``C`` alone: ``prox(W, t) = project(W)``.
    """

    kind = "constraint"
    convex: bool = False

    @abstractmethod
    def project(self, W):
        """Euclidean projection of ``W`` onto the set.

        Parameters
        ----------
        W : ndarray
            Weights, usually of shape ``(n_hidden, n_features)`` or kernels of
            shape ``(n_kernels, kernel_size)``.

        Returns
        -------
        ndarray of the same shape and dtype as ``W``
            A new array (float64 for integer input); ``W`` is not modified.
        """

    def prox(self, W, t=None):
        """The projection of ``W``: the prox of ``t`` times the indicator.

        Parameters
        ----------
        W : ndarray
            Weights.
        t : float, default=None
            Step; ignored (every ``t > 0`` gives the projection).

        Returns
        -------
        ndarray of the same shape and dtype as ``W``
        """
        return self.project(W)

    def value(self, W):
        """Indicator of the set: 0.0 if ``W`` is feasible, else ``inf``.

        Feasibility is :meth:`is_feasible` with its default tolerance.

        Parameters
        ----------
        W : ndarray
            Weights.

        Returns
        -------
        float
        """
        return 0.0 if self.is_feasible(W) else np.inf

    def is_feasible(self, W, atol=1e-8):
        """Whether ``W`` lies in the set, up to ``atol`` and rounding.

        The generic test compares ``W`` with its projection.

        Parameters
        ----------
        W : ndarray
            Weights.
        atol : float, default=1e-8
            Absolute tolerance.

        Returns
        -------
        bool
        """
        xp = namespace_of(W)
        if xp is not None:
            gap = xp.linalg.vector_norm(self.project(W) - W)
            return bool(gap <= atol)
        W = np.asarray(W)
        gap = np.linalg.norm((self.project(W) - W).ravel())
        return bool(gap <= atol)


class Unconstrained(Constraint):
    """No constraint: the projection is the identity.

    Notes
    -----
    ``C`` is the whole space, so ``P_C(W) = W`` (returned as a copy).

    References
    ----------
    .. [1] S. Oymak, "Learning compact neural networks with regularization",
       ICML 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.constraints import Unconstrained
    >>> Unconstrained().project(np.array([[1.0, -2.0]]))
    array([[ 1., -2.]])
    """

    convex = True

    def __init__(self):
        pass

    def project(self, W):
        xp = namespace_of(W)
        if xp is not None:
            return xp.astype(W, float_dtype(W, xp), copy=True)
        W = np.asarray(W)
        return W.astype(_output_dtype(W), copy=True)

    def is_feasible(self, W, atol=1e-8):
        return True


class L0Ball(Constraint):
    """At most ``n_nonzero`` nonzero weights (hard thresholding).

    Parameters
    ----------
    n_nonzero : int or float
        Number of weights allowed to be nonzero: an int ``>= 1``, or a float
        in ``(0, 1)`` giving that fraction of all weights (of each row when
        ``per_row=True``), rounded half up and at least 1.
    per_row : bool, default=False
        Count nonzeros in each row of a 2-D array (each hidden unit or kernel)
        rather than in the whole array.

    Attributes
    ----------
    convex : bool
        False: the set is a union of coordinate subspaces.

    Notes
    -----
    For ``C = {W : ||W||_0 <= s}`` a projection keeps the ``s`` entries of
    largest magnitude and zeros the rest; the squared distance is then the sum
    of the discarded squares, which no other support of size ``s`` beats.
    With ties the projection is not unique; this one keeps the entry with the
    smaller flat (C-order) index, so exactly ``s`` positions are kept.

    Feasibility counts entries with ``|w| > atol``.

    References
    ----------
    .. [1] S. Oymak, "Learning compact neural networks with regularization",
       ICML 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.constraints import L0Ball
    >>> L0Ball(n_nonzero=1, per_row=True).project(np.array([[1.0, -3.0], [2.0, 0.5]]))
    array([[ 0., -3.],
           [ 2.,  0.]])
    """

    convex = False

    def __init__(self, n_nonzero, per_row=False):
        self.n_nonzero = n_nonzero
        self.per_row = per_row

    def _n_keep(self, n_weights):
        """Number of entries kept among ``n_weights``."""
        if _is_int(self.n_nonzero):
            return int(self.n_nonzero)
        return max(1, int(np.floor(self.n_nonzero * n_weights + 0.5)))

    def _validate(self, shape):
        s = self.n_nonzero
        if _is_int(s):
            if s < 1:
                raise ValueError(f"n_nonzero must be >= 1, got n_nonzero={s}.")
        elif not (_is_real(s) and 0 < s < 1):
            raise ValueError(
                "n_nonzero must be an int >= 1 or a float in (0, 1) (a fraction "
                f"of the weights), got n_nonzero={s!r}."
            )
        if not isinstance(self.per_row, (bool, np.bool_)):
            raise ValueError(
                f"per_row must be True or False, got per_row={self.per_row!r}."
            )
        if shape is None:
            return None
        if self.per_row:
            _check_matrix("L0Ball(per_row=True)", shape)
            n_weights, where = shape[1], "per row"
        else:
            n_weights, where = int(np.prod(shape)), "in total"
        if _is_int(s) and s > n_weights:
            raise ValueError(
                f"n_nonzero={s} is larger than the {n_weights} weights {where} "
                f"of an array of shape {shape}."
            )
        return self._n_keep(n_weights)

    def project(self, W):
        xp = namespace_of(W)
        if xp is not None:
            return self._project_xp(W, xp)
        W = np.asarray(W)
        k = self._prepared(W.shape)
        dtype = _output_dtype(W)
        if self.per_row:
            # A stable sort of -|w| puts equal magnitudes in index order.
            keep = np.argsort(-np.abs(W), axis=1, kind="stable")[:, :k]
            out = np.zeros(W.shape, dtype=dtype)
            np.put_along_axis(out, keep, np.take_along_axis(W, keep, axis=1), axis=1)
            return out
        flat = W.ravel()
        keep = np.argsort(-np.abs(flat), kind="stable")[:k]
        out = np.zeros(flat.size, dtype=dtype)
        out[keep] = flat[keep]
        return out.reshape(W.shape)

    def _project_xp(self, W, xp):
        # The same entries as the stable argsort above (largest_mask keeps
        # its tie rule), without sorting where a partial selection exists.
        k = self._prepared(_shape(W))
        W = xp.astype(W, float_dtype(W, xp))
        mag = xp.abs(W)
        if self.per_row:
            keep = largest_mask(mag, k, 1, xp)
        else:
            flat = largest_mask(xp.reshape(mag, (-1,)), k, -1, xp)
            keep = xp.reshape(flat, W.shape)
        return xp.where(keep, W, xp.zeros_like(W))

    def is_feasible(self, W, atol=1e-8):
        xp = namespace_of(W)
        if xp is not None:
            k = self._prepared(_shape(W))
            big = xp.astype(xp.abs(W) > atol, xp.int64)
            if self.per_row:
                return bool(xp.all(xp.sum(big, axis=1) <= k))
            return bool(xp.sum(big) <= k)
        W = np.asarray(W)
        k = self._prepared(W.shape)
        big = np.abs(W) > atol
        if self.per_row:
            return bool(np.all(big.sum(axis=1) <= k))
        return bool(big.sum() <= k)


class L1Ball(Constraint):
    """The l1 ball ``sum |W_ij| <= radius``.

    Parameters
    ----------
    radius : float
        Radius of the ball, ``> 0``.

    Attributes
    ----------
    convex : bool
        True.

    Notes
    -----
    The whole array is treated as one vector ``w``. Inside the ball
    ``P_C(w) = w``; outside, ``P_C(w) = sign(w) * max(|w| - theta, 0)`` with
    ``theta = (c_rho - radius) / rho``, where ``u`` holds the magnitudes in
    decreasing order, ``c_j = u_1 + ... + u_j`` and ``rho`` is the largest
    1-based ``j`` with ``u_j > (c_j - radius) / j`` (Duchi et al., 2008). See
    :func:`project_l1_ball`.

    Arrays whose l1 norm exceeds ``radius`` by no more than rounding in their
    dtype (``eps * radius``) count as inside, so projecting twice returns the
    first result unchanged.

    References
    ----------
    .. [1] J. Duchi, S. Shalev-Shwartz, Y. Singer and T. Chandra, "Efficient
       projections onto the l1-ball for learning in high dimensions", ICML 2008.
    .. [2] S. Oymak, "Learning compact neural networks with regularization",
       ICML 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.constraints import L1Ball
    >>> L1Ball(radius=1.0).project(np.array([[1.0, 1.0], [0.0, 0.0]]))
    array([[0.5, 0.5],
           [0. , 0. ]])
    """

    convex = True

    def __init__(self, radius):
        self.radius = radius

    def _validate(self, shape):
        _check_positive("radius", self.radius)

    def _inside(self, W, atol):
        l1 = np.abs(W.astype(np.float64)).sum()
        return bool(l1 <= self.radius + atol + _eps(W) * self.radius)

    def project(self, W):
        xp = namespace_of(W)
        if xp is not None:
            self._prepared(_shape(W))
            slack = _eps(W) * self.radius
            return _project_l1_ball_xp(W, self.radius, xp, slack)
        W = np.asarray(W)
        self._prepared(W.shape)
        if self._inside(W, 0.0):
            return W.astype(_output_dtype(W), copy=True)
        return _project_l1_ball(W, self.radius)

    def is_feasible(self, W, atol=1e-8):
        xp = namespace_of(W)
        if xp is not None:
            self._prepared(_shape(W))
            l1 = xp.sum(xp.abs(_wide(W, xp)))
            return bool(l1 <= self.radius + atol + _eps(W) * self.radius)
        W = np.asarray(W)
        self._prepared(W.shape)
        return self._inside(W, atol)


class L0Features(Constraint):
    """At most ``n_features`` inputs (or groups of inputs) used: column sparsity.

    Parameters
    ----------
    n_features : int or float
        Number of input columns of the hidden weights allowed to be nonzero
        (of groups, with ``groups``): an int ``>= 1``, or a float in
        ``(0, 1)`` giving that fraction of the inputs (groups), rounded half
        up and at least 1.
    groups : list of lists of int, default=None
        Groups of input columns that are kept or dropped together (as in
        LassoNet): each a non-empty list of column indices, each column in
        at most one group; columns in no group are groups of their own.
        None: each column is its own group.

    Attributes
    ----------
    convex : bool
        False: the set is a union of subspaces (one per choice of groups).
    per_input : bool
        True: the set acts on the input columns of a dense hidden layer
        ``(n_hidden, n_features)``; estimators refuse it with a convolution.

    Notes
    -----
    With ``W_g`` the columns of group ``g`` (with ``groups=None``: column
    ``g``) the set is ``C = {W : #{g : W_g != 0} <= k}``. The projection keeps
    the ``k`` groups of largest Frobenius norm ``||W_g||`` and zeros the
    others.

    It is exact: a point of ``C`` that keeps the groups ``S`` (``|S| <= k``)
    is at squared distance at least ``sum_{g not in S} ||W_g||^2`` from ``W``,
    with equality for ``W`` restricted to ``S``; that sum of the dropped
    squared norms is smallest when ``S`` holds the ``k`` largest norms. With
    ties the projection is not unique; groups are numbered by their lowest
    column and the tie goes to the lower number (a stable sort), so exactly
    ``k`` groups are kept.

    Feasibility counts the groups with ``||W_g|| > atol``. The fitted
    network then reads at most ``k`` inputs (groups): the other columns of
    ``hidden_weights_`` are zero.

    See Also
    --------
    L1Features : the convex relaxation, a bound on the sum of the norms.
    L0Ball : nonzero weights rather than inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.constraints import L0Features
    >>> W = np.array([[1.0, -3.0, 2.0], [2.0, 0.0, 2.0]])
    >>> L0Features(n_features=1).project(W)  # column norms 2.24, 3, 2.83
    array([[ 0., -3.,  0.],
           [ 0.,  0.,  0.]])
    >>> L0Features(n_features=1, groups=[[0, 2]]).project(W)  # norm 3.61
    array([[1., 0., 2.],
           [2., 0., 2.]])
    """

    convex = False
    per_input = True

    def __init__(self, n_features, groups=None):
        self.n_features = n_features
        self.groups = groups

    def _validate(self, shape):
        k = self.n_features
        if _is_int(k):
            if k < 1:
                raise ValueError(f"n_features must be >= 1, got n_features={k}.")
        elif not (_is_real(k) and 0 < k < 1):
            raise ValueError(
                "n_features must be an int >= 1 or a float in (0, 1) (a fraction "
                f"of the inputs), got n_features={k!r}."
            )
        groups = check_groups(self.groups)
        if shape is None:
            return None
        labels, n_groups = column_labels(groups, shape, "L0Features")
        what = "input columns" if groups is None else "groups of input columns"
        if _is_int(k) and k > n_groups:
            raise ValueError(
                f"n_features={k} is larger than the {n_groups} {what} of "
                f"weights of shape {shape}."
            )
        if _is_int(k):
            n_keep = int(k)
        else:
            n_keep = max(1, int(np.floor(k * n_groups + 0.5)))
        return labels, n_groups, n_keep

    def project(self, W):
        xp = namespace_of(W)
        if xp is not None:
            labels, n_groups, n_keep = self._prepared(_shape(W))
            layout = device_layout(self, labels, n_groups, W)
            norms = group_norms_xp(W, layout, xp)
            keep = xp.astype(largest_mask(norms, n_keep, -1, xp), norms.dtype)
            return scale_groups_xp(W, layout, keep, float_dtype(W, xp), xp)
        W = np.asarray(W)
        labels, n_groups, n_keep = self._prepared(W.shape)
        norms = group_norms(W, labels, n_groups)
        # A stable sort of -norm puts equal norms in group order.
        keep = np.argsort(-norms, kind="stable")[:n_keep]
        factor = np.zeros(n_groups)
        factor[keep] = 1.0
        return scale_groups(W, labels, factor, _output_dtype(W))

    def is_feasible(self, W, atol=1e-8):
        xp = namespace_of(W)
        if xp is not None:
            labels, n_groups, n_keep = self._prepared(_shape(W))
            norms = group_norms_xp(W, device_layout(self, labels, n_groups, W), xp)
            return bool(xp.count_nonzero(norms > atol) <= n_keep)
        W = np.asarray(W)
        labels, n_groups, n_keep = self._prepared(W.shape)
        norms = group_norms(W, labels, n_groups)
        return bool(np.count_nonzero(norms > atol) <= n_keep)

    def narrowing(self, shape):
        """Sets of the larger budgets between every group and this one.

        The budgets halve from the number of groups down to the last one
        above this set's (largest first): for 50 groups kept down to 5,
        25, 12 and 6. A fit from a dense start passes through them, so that
        no single projection drops nine tenths of the inputs at once.

        Parameters
        ----------
        shape : tuple of int
            Shape of the weights.

        Returns
        -------
        list of L0Features
        """
        _, n_groups, n_keep = self._prepared(tuple(shape))
        budgets, b = [], n_groups // 2
        while b > n_keep:
            budgets.append(b)
            b //= 2
        return [L0Features(b, groups=self.groups) for b in budgets]

    def exchange(self, W):
        """The groups of columns a one-for-one swap would trade, or None.

        A point that uses its whole budget is a fixed point of projected
        steps as soon as no outside group's gradient outgrows the kept
        groups' norms, which says nothing of whether another choice of
        groups fits better; a fit may then try swaps of one kept group for
        one outside group (:func:`sklearn_shallow._fit.run._exchange`).

        Parameters
        ----------
        W : ndarray of shape (n_hidden, n_features)
            Weights in the set.

        Returns
        -------
        (labels, used) or None
            ``labels[j]`` is the group of column ``j`` (groups numbered by
            their lowest column) and ``used[g]`` whether group ``g`` is in
            use. None when ``W`` uses fewer groups than the budget (a group
            can enter without another leaving) or every group.
        """
        W = np.asarray(W)
        labels, n_groups, n_keep = self._prepared(W.shape)
        used = group_norms(W, labels, n_groups) > 0
        if used.sum() != n_keep or n_keep == n_groups:
            return None
        return labels, used


class L1Features(Constraint):
    """Sum of the input columns' (groups') norms at most ``radius``: group l1.

    Parameters
    ----------
    radius : float
        Radius of the ball, ``> 0``.
    groups : list of lists of int, default=None
        Groups of input columns, as in :class:`L0Features`. None: each column
        is its own group.

    Attributes
    ----------
    convex : bool
        True: a ball of the norm ``sum_g ||W_g||``.
    per_input : bool
        True: the set acts on the input columns of a dense hidden layer.

    Notes
    -----
    With ``W_g`` the columns of group ``g``, the set is the group-l1 (l2,1)
    ball ``C = {W : sum_g ||W_g||_F <= radius}``. Inside it ``P_C(W) = W``;
    outside, with ``r_g = ||W_g||`` and ``r'`` the projection of the vector
    ``r`` onto the l1 ball of radius ``radius`` (Duchi et al., 2008; ``r >=
    0``, so it is the soft threshold ``max(r_g - theta, 0)`` whose sum is
    ``radius``), the projection is ``W_g r'_g / r_g`` (zero groups stay zero).

    It is exact: the problem separates into norms and directions. For a
    point ``X`` with group norms ``s_g``, ``||X_g - W_g|| >= |s_g - r_g|``
    with equality when ``X_g`` is parallel to ``W_g`` (Cauchy-Schwarz), and
    parallel groups keep the constraint, which involves the norms only. So
    the best ``X`` keeps every group's direction and its norms ``s`` minimise
    ``||s - r||`` over ``{s >= 0, sum s <= radius}``: the l1-ball projection
    of the non-negative ``r``. Groups whose norm falls to zero leave the
    network: the ball selects inputs as the lasso selects weights.

    As for :class:`L1Ball`, an excess over ``radius`` within rounding in the
    array's dtype counts as inside, so projecting twice returns the first
    result unchanged.

    References
    ----------
    .. [1] J. Duchi, S. Shalev-Shwartz, Y. Singer and T. Chandra, "Efficient
       projections onto the l1-ball for learning in high dimensions", ICML 2008.
    .. [2] M. Yuan and Y. Lin, "Model selection and estimation in regression
       with grouped variables", JRSS B, 2006.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.constraints import L1Features
    >>> W = np.array([[3.0, 0.0], [4.0, 1.0]])  # column norms 5 and 1
    >>> L1Features(radius=2.0).project(W)  # norms 2 and 0
    array([[1.2, 0. ],
           [1.6, 0. ]])
    """

    convex = True
    per_input = True

    def __init__(self, radius, groups=None):
        self.radius = radius
        self.groups = groups

    def _validate(self, shape):
        _check_positive("radius", self.radius)
        groups = check_groups(self.groups)
        if shape is None:
            return None
        return column_labels(groups, shape, "L1Features")

    def _norms(self, W):
        labels, n_groups = self._prepared(W.shape)
        return labels, group_norms(W, labels, n_groups)

    def _inside(self, norms, W, atol):
        tol = atol + np.sqrt(norms.size) * _eps(W) * self.radius
        return bool(norms.sum() <= self.radius + tol)

    def _project_xp(self, W, xp):
        labels, n_groups = self._prepared(_shape(W))
        layout = device_layout(self, labels, n_groups, W)
        norms = group_norms_xp(W, layout, xp)
        slack = math.sqrt(norms.shape[0]) * _eps(W) * self.radius
        new = _project_l1_ball_xp(norms, self.radius, xp, slack)
        positive = norms > 0
        safe = xp.where(positive, norms, xp.ones_like(norms))
        factor = xp.where(positive, new / safe, xp.zeros_like(norms))
        return scale_groups_xp(W, layout, factor, float_dtype(W, xp), xp)

    def project(self, W):
        xp = namespace_of(W)
        if xp is not None:
            return self._project_xp(W, xp)
        W = np.asarray(W)
        labels, norms = self._norms(W)
        dtype = _output_dtype(W)
        if self._inside(norms, W, 0.0):
            return W.astype(dtype, copy=True)
        new = _project_l1_ball(norms, self.radius)
        factor = np.divide(new, norms, out=np.zeros_like(norms), where=norms > 0)
        return scale_groups(W, labels, factor, dtype)

    def is_feasible(self, W, atol=1e-8):
        xp = namespace_of(W)
        if xp is not None:
            labels, n_groups = self._prepared(_shape(W))
            norms = group_norms_xp(W, device_layout(self, labels, n_groups, W), xp)
            tol = atol + math.sqrt(norms.shape[0]) * _eps(W) * self.radius
            return bool(xp.sum(norms) <= self.radius + tol)
        W = np.asarray(W)
        _, norms = self._norms(W)
        return self._inside(norms, W, atol)


class Rank(Constraint):
    """Matrices of rank at most ``rank`` (truncated SVD).

    Parameters
    ----------
    rank : int
        Largest allowed rank, ``1 <= rank <= min(W.shape)``.

    Attributes
    ----------
    convex : bool
        False.

    Notes
    -----
    With ``W = U diag(s) V^T`` and ``s`` decreasing, the projection keeps the
    ``rank`` leading terms, ``sum_{i <= rank} s_i u_i v_i^T``; by the
    Eckart-Young theorem no matrix of that rank is closer, and the distance is
    ``sqrt(sum_{i > rank} s_i^2)``.

    Feasibility counts singular values above ``max(atol, s_1 * max(shape) *
    eps)``, the usual numerical rank.

    References
    ----------
    .. [1] C. Eckart and G. Young, "The approximation of one matrix by another
       of lower rank", Psychometrika, 1936.
    .. [2] S. Oymak, "Learning compact neural networks with regularization",
       ICML 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.constraints import Rank
    >>> Rank(rank=1).project(np.diag([3.0, 1.0]))
    array([[3., 0.],
           [0., 0.]])
    """

    convex = False

    def __init__(self, rank):
        self.rank = rank

    def _validate(self, shape):
        if not _is_int(self.rank) or self.rank < 1:
            raise ValueError(f"rank must be an int >= 1, got rank={self.rank!r}.")
        if shape is None:
            return
        _check_matrix("Rank", shape)
        if self.rank > min(shape):
            raise ValueError(
                f"rank={self.rank} is larger than min(shape)={min(shape)} for "
                f"weights of shape {shape}."
            )

    def project(self, W):
        xp = namespace_of(W)
        if xp is not None:
            self._prepared(_shape(W))
            dtype = float_dtype(W, xp)
            if self.rank >= min(W.shape):
                return xp.astype(W, dtype, copy=True)
            U, s, Vt = xp.linalg.svd(_wide(W, xp), full_matrices=False)
            r = self.rank
            return xp.astype((U[:, :r] * s[:r]) @ Vt[:r, :], dtype)
        W = np.asarray(W)
        self._prepared(W.shape)
        dtype = _output_dtype(W)
        if self.rank >= min(W.shape):
            return W.astype(dtype, copy=True)
        U, s, Vt = np.linalg.svd(W.astype(np.float64), full_matrices=False)
        r = self.rank
        return ((U[:, :r] * s[:r]) @ Vt[:r]).astype(dtype, copy=False)

    def is_feasible(self, W, atol=1e-8):
        xp = namespace_of(W)
        if xp is not None:
            self._prepared(_shape(W))
            s = xp.linalg.svdvals(_wide(W, xp))
            if s.shape[0] == 0:
                return True
            tol = max(atol, float(s[0]) * max(W.shape) * _eps(W))
            return bool(xp.count_nonzero(s > tol) <= self.rank)
        W = np.asarray(W)
        self._prepared(W.shape)
        s = np.linalg.svd(W.astype(np.float64), compute_uv=False)
        if s.size == 0:
            return True
        tol = max(atol, s[0] * max(W.shape) * _eps(W))
        return bool(np.count_nonzero(s > tol) <= self.rank)


class NuclearBall(Constraint):
    """The nuclear-norm ball ``sum_i s_i(W) <= radius``.

    Parameters
    ----------
    radius : float
        Radius of the ball, ``> 0``.

    Attributes
    ----------
    convex : bool
        True.

    Notes
    -----
    The nuclear norm is unitarily invariant, so with ``W = U diag(s) V^T`` the
    projection is ``U diag(s') V^T``, where ``s'`` is the projection of ``s``
    onto ``{x >= 0, sum x <= radius}``. Since ``s >= 0``, that equals the l1
    ball projection of ``s``: ``s' = max(s - theta, 0)`` with ``theta`` from
    :func:`project_l1_ball` (and ``s' = s`` inside the ball). This is singular
    value soft thresholding with a threshold chosen to hit the radius.

    As for :class:`L1Ball`, an excess over ``radius`` within rounding in the
    array's dtype counts as inside.

    References
    ----------
    .. [1] J. Duchi, S. Shalev-Shwartz, Y. Singer and T. Chandra, "Efficient
       projections onto the l1-ball for learning in high dimensions", ICML 2008.
    .. [2] S. Oymak, "Learning compact neural networks with regularization",
       ICML 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.constraints import NuclearBall
    >>> NuclearBall(radius=2.0).project(np.diag([3.0, 1.0]))
    array([[2., 0.],
           [0., 0.]])
    """

    convex = True

    def __init__(self, radius):
        self.radius = radius

    def _validate(self, shape):
        _check_positive("radius", self.radius)
        if shape is not None:
            _check_matrix("NuclearBall", shape)

    def _tol(self, W, atol):
        return atol + np.sqrt(min(W.shape)) * _eps(W) * self.radius

    def project(self, W):
        xp = namespace_of(W)
        if xp is not None:
            self._prepared(_shape(W))
            wide = _wide(W, xp)
            U, s, Vt = xp.linalg.svd(wide, full_matrices=False)
            inside = xp.sum(s) <= float(self.radius + self._tol(W, 0.0))
            s = _project_l1_ball_xp(s, self.radius, xp)
            return xp.astype(xp.where(inside, wide, (U * s) @ Vt), float_dtype(W, xp))
        W = np.asarray(W)
        self._prepared(W.shape)
        dtype = _output_dtype(W)
        U, s, Vt = np.linalg.svd(W.astype(np.float64), full_matrices=False)
        if s.sum() <= self.radius + self._tol(W, 0.0):
            return W.astype(dtype, copy=True)
        s = _project_l1_ball(s, self.radius)
        return ((U * s) @ Vt).astype(dtype, copy=False)

    def is_feasible(self, W, atol=1e-8):
        xp = namespace_of(W)
        if xp is not None:
            self._prepared(_shape(W))
            s = xp.linalg.svdvals(_wide(W, xp))
            return bool(xp.sum(s) <= float(self.radius + self._tol(W, atol)))
        W = np.asarray(W)
        self._prepared(W.shape)
        s = np.linalg.svd(W.astype(np.float64), compute_uv=False)
        return bool(s.sum() <= self.radius + self._tol(W, atol))


class Subspace(Constraint):
    """Weights whose flattened form lies in the span of an orthonormal basis.

    Parameters
    ----------
    basis : ndarray of shape (n_weights, n_basis)
        Orthonormal columns spanning the subspace; ``n_weights = W.size`` and
        ``vec(W) = W.ravel()`` (C order).

    Attributes
    ----------
    convex : bool
        True: a linear subspace.

    Notes
    -----
    With ``B`` the basis (``B^T B = I``) the projection is the orthogonal one,
    ``vec(P_C(W)) = B (B^T vec(W))``, reshaped to ``W.shape``. Weight sharing
    (e.g. convolutional layers written as dense matrices) is such a set.

    References
    ----------
    .. [1] S. Oymak, "Learning compact neural networks with regularization",
       ICML 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.constraints import Subspace
    >>> basis = np.array([[1.0], [1.0]]) / np.sqrt(2.0)  # equal weights
    >>> Subspace(basis).project(np.array([[3.0, 1.0]]))
    array([[2., 2.]])
    """

    convex = True

    def __init__(self, basis):
        self.basis = basis

    def _validate(self, shape):
        # The float64 basis is what every projection multiplies by (the
        # array itself when it is float64 already); it is checked for
        # orthonormality once here, an O(n_weights n_basis^2) product that
        # costs far more than the projection's two O(n_weights n_basis) ones.
        B = np.asarray(self.basis, dtype=np.float64)
        if B.ndim != 2:
            raise ValueError(
                f"basis must be a 2-D array (n_weights, n_basis), got shape {B.shape}."
            )
        if shape is not None:
            n_weights = int(np.prod(shape))
            if B.shape[0] != n_weights:
                raise ValueError(
                    f"basis has {B.shape[0]} rows but weights of shape {shape} "
                    f"have {n_weights} entries."
                )
        _check_orthonormal(B)
        return B

    def _project64(self, W):
        B = self._prepared(W.shape)
        w = W.astype(np.float64).ravel()
        return B @ (B.T @ w), w

    def _project_xp(self, W, xp):
        B = self._prepared(_shape(W))
        w = xp.reshape(_wide(W, xp), (-1,))
        B = self._on_device(B, W, dtype=w.dtype)
        return B @ (B.T @ w), w

    def project(self, W):
        xp = namespace_of(W)
        if xp is not None:
            p, _ = self._project_xp(W, xp)
            return xp.astype(xp.reshape(p, W.shape), float_dtype(W, xp))
        W = np.asarray(W)
        p, _ = self._project64(W)
        return p.reshape(W.shape).astype(_output_dtype(W), copy=False)

    def is_feasible(self, W, atol=1e-8):
        xp = namespace_of(W)
        if xp is not None:
            p, w = self._project_xp(W, xp)
            norm = xp.linalg.vector_norm
            tol = atol + math.sqrt(w.shape[0]) * _eps(W) * float(norm(w))
            return bool(norm(w - p) <= tol)
        W = np.asarray(W)
        p, w = self._project64(W)
        tol = atol + np.sqrt(w.size) * _eps(W) * np.linalg.norm(w)
        return bool(np.linalg.norm(w - p) <= tol)


# ---------------------------------------------------------------------------
# Names -> objects
# ---------------------------------------------------------------------------


def _need_tau(name, tau):
    if tau is None:
        raise ValueError(
            f"constraint={name!r} needs tau (its size: a radius, a number of "
            "nonzeros or a rank); got tau=None."
        )


def _positive_tau(name, tau):
    _need_tau(name, tau)
    if not _is_real(tau) or not np.isfinite(tau) or tau <= 0:
        raise ValueError(f"constraint={name!r} needs tau > 0, got tau={tau!r}.")
    return tau


def _int_tau(name, tau):
    _positive_tau(name, tau)
    if not _is_int(tau):
        raise ValueError(f"constraint={name!r} needs an int tau >= 1, got tau={tau!r}.")
    return tau


def _count_tau(name, tau, what="nonzeros"):
    _positive_tau(name, tau)
    if not _is_int(tau) and tau >= 1:
        of = "weights" if what == "nonzeros" else what
        raise ValueError(
            f"constraint={name!r} needs tau to be an int >= 1 (number of "
            f"{what}) or a float in (0, 1) (fraction of {of}), got tau={tau!r}."
        )
    return tau


def _make_none(tau=None):
    if tau is not None:
        raise ValueError(
            f"tau={tau!r} is given but constraint is None; pass a constraint "
            f"name such as 'l1', or leave tau=None."
        )
    return Unconstrained()


# Each factory takes the size ``tau`` (None when not given) and checks it
# against what its set needs.
CONSTRAINTS = _register(
    "constraint",
    {
        "none": _make_none,
        "l0": lambda tau=None: L0Ball(n_nonzero=_count_tau("l0", tau), per_row=False),
        "l0_row": lambda tau=None: L0Ball(
            n_nonzero=_count_tau("l0_row", tau), per_row=True
        ),
        "l1": lambda tau=None: L1Ball(radius=_positive_tau("l1", tau)),
        "rank": lambda tau=None: Rank(rank=_int_tau("rank", tau)),
        "nuclear": lambda tau=None: NuclearBall(radius=_positive_tau("nuclear", tau)),
        "l0_features": lambda tau=None: L0Features(
            n_features=_count_tau("l0_features", tau, "inputs")
        ),
        "l1_features": lambda tau=None: L1Features(
            radius=_positive_tau("l1_features", tau)
        ),
    },
)
"""Constraint names and their factories, each called as ``factory(tau)``: the
constraint rows of :data:`sklearn_shallow.prox.PROX`, as a read-only mapping."""


def make_constraint(spec, tau=None):
    """Build a constraint from a name and a size, or pass an object through.

    Parameters
    ----------
    spec : None, str or Constraint
        ``None`` or ``"none"`` for no constraint, a key of :data:`CONSTRAINTS`,
        or a :class:`Constraint` object (returned as it is).
    tau : int or float, default=None
        Size of a named set: the number (int) or fraction (float in (0, 1)) of
        nonzeros for ``"l0"`` and ``"l0_row"``, of inputs for
        ``"l0_features"``, the radius for ``"l1"``, ``"nuclear"`` and
        ``"l1_features"`` (the sum of the input columns' norms), the rank
        (int) for ``"rank"``. Must be None otherwise.

    Returns
    -------
    Constraint

    Raises
    ------
    ValueError
        For an unknown name, a missing or invalid ``tau``, or a ``tau`` given
        where it is not used.
    TypeError
        If ``spec`` is neither None, a string nor a Constraint.

    Examples
    --------
    >>> from sklearn_shallow.constraints import make_constraint
    >>> make_constraint("l1", tau=2.0)
    L1Ball(radius=2.0)
    >>> make_constraint("l0_row", tau=3)
    L0Ball(n_nonzero=3, per_row=True)
    """
    if spec is None:
        spec = "none"
    if isinstance(spec, Constraint):
        if tau is not None:
            raise ValueError(
                f"tau={tau!r} is only used with a constraint name; the constraint "
                f"{spec!r} is already sized. Set its parameters instead."
            )
        return spec
    return get_prox(spec, "constraint", tau=tau)
