"""Regularisation paths: one network fitted along a grid of ``tau``, ``lam``
or ``alpha``.

A path solves the same problem for a sequence of constraint sizes (penalty
weights, weight decays), each fit starting from the previous solution (a
warm start that resumes the loop's state, see ``warm_start``). Solved in
the right order, most fits then start close to their answer, which is what
makes cross-validating ``tau`` and ``lam`` cheaper than a grid of cold fits
(the idea of scikit-learn's ``enet_path`` and ``LassoCV``).

Under ``sklearn.config_context(array_api_dispatch=True)`` X of another
array namespace (torch, CuPy, ...) stays on its device: each fit of a path
runs there when the estimator's ``fit`` does, and the points'
coefficients are arrays of X's namespace on its device; the grids (the
values) are numpy arrays.

Every estimator has a ``path`` method (:meth:`BaseShallowNetwork.path`): it
validates the data once and runs the fits on one working copy, keeping a
light :class:`PathPoint` per value (the fitted coefficients, the final
objective, iterations, convergence), never a fitted estimator per value.
The functions here are the same with the grid's names: :func:`projected_path`
and :func:`rvsm_path`, and the default grids :func:`tau_grid`,
:func:`lam_grid`.

Orders, measured on Oymak's planted sparse network (n=1000, p=80, h=20,
8 nonzeros per unit, fixed output weights, the good start; 10 grid points;
seeds 0 and 1):

* ``'l0'``, ``'l0_row'``, ``'rank'``: from the sparsest (lowest rank) to the
  densest. The sparse solution stays a solution for the larger sets: 0.24
  and 0.67 s for the path against 2.1 and 1.6 s for cold fits, and the
  planted network found (test NMSE 1e-8); the reverse order took 1.1-1.2 s.
* ``'l1'`` and ``'nuclear'``: from the largest radius to the smallest. From
  the small end the path starts from the start shrunk into a tiny ball and
  never recovers (best test NMSE 0.016-0.078 against 0.004); from the large
  end it costs 0.8-1.0 s against 0.8-1.3 s for cold fits, at the same best
  error. Shrinking the l1 ball moves every weight, so a warm start saves
  fewer iterations here than for l0.
* ``lam``: from the largest (every weight zero) to the smallest, as for
  the lasso.

Default grids, when none is given:

* ``'l1'`` / ``'nuclear'``: ``n_taus`` radii spaced geometrically from
  ``eps * R`` to ``R``, where ``R`` is the norm of the hidden weights of the
  same network fitted without the constraint (beyond ``R`` the constraint
  no longer binds that solution);
* ``'l0'`` / ``'l0_row'``: fractions of the weights (of a row), spaced
  geometrically from ``eps`` to 1, rounded to distinct counts;
* ``'rank'``: the ranks 1, 2, ... up to the full rank (at most ``n_taus``
  of them, spread evenly);
* ``lam``: ``n_lams`` values spaced geometrically from ``lam_max`` down to
  ``eps * lam_max``, where ``lam_max`` is the smallest weight that makes
  every entry of ``u`` zero for the weights of the unpenalised fit.
"""

from dataclasses import dataclass, field

import numpy as np

from . import _array_api as aa
from .projected import ProjectedShallowRegressor
from .rvsm import RVSMRegressor

__all__ = [
    "Path",
    "PathPoint",
    "lam_grid",
    "projected_path",
    "rvsm_path",
    "tau_grid",
]


@dataclass
class PathPoint:
    """One fit of a path.

    Attributes
    ----------
    value : float
        The path parameter's value (``tau``, ``lam`` or ``alpha``).
    coefficients : dict of str to ndarray
        The fitted coefficients, named as the estimator's attributes
        (``hidden_weights_``, ``output_weights_``, ``intercept_``; the
        quadratic nets add ``hidden_bias_``), in the user's units. For X
        of another namespace (under array API dispatch) they are arrays of
        that namespace on X's device, as the estimator's attributes are.
    loss : float
        The final training objective, in the fit's internal units (NaN for
        a fit that took no step).
    n_iter : int
        Iterations of this fit (not counting the earlier points').
    converged : bool
    message : str
        Why the loop stopped.
    constant : bool
        Whether the fitted network predicts one value on the training data.
    time : float
        Seconds this fit took.
    """

    value: float
    coefficients: dict = field(repr=False)
    loss: float = np.nan
    n_iter: int = 0
    converged: bool = True
    message: str = ""
    constant: bool = False
    time: float = 0.0


class Path:
    """A fitted path: the grid and one :class:`PathPoint` per value.

    Attributes
    ----------
    param : str
        The parameter the path runs over: ``'tau'``, ``'lam'`` or
        ``'alpha'``.
    values : ndarray of shape (n_values,)
        The grid, from the simplest model to the most complex: increasing
        for ``tau``, decreasing for ``lam`` and ``alpha``.
    points : list of PathPoint
        In the order of ``values``.
    losses, n_iter, converged : ndarray of shape (n_values,)
        The points' final objectives, iterations and convergence.
    """

    def __init__(self, param, values, points):
        self.param = param
        self.values = values
        self.points = points

    @property
    def losses(self):
        return np.array([p.loss for p in self.points])

    @property
    def n_iter(self):
        return np.array([p.n_iter for p in self.points])

    @property
    def converged(self):
        return np.array([p.converged for p in self.points])

    def coefficients(self, name):
        """One fitted coefficient along the path, stacked: for example
        ``path.coefficients('hidden_weights_')`` of shape
        ``(n_values, n_hidden, n_features)``; in the namespace and on the
        device of the path's X (numpy for numpy X)."""
        arrays = [p.coefficients[name] for p in self.points]
        xp = aa.namespace_of(*arrays)
        return np.stack(arrays) if xp is None else xp.stack(arrays)

    def __len__(self):
        return len(self.points)

    def __repr__(self):
        return f"Path({self.param}, {len(self)} values)"


def tau_grid(estimator, X, y, *, n_taus=10, eps=0.1, sample_weight=None):
    """The default grid of ``tau`` for ``estimator``'s named constraint.

    Parameters
    ----------
    estimator : ProjectedShallowRegressor or ProjectedShallowClassifier
        Its ``constraint`` must be a name ('l1', 'nuclear', 'l0', 'l0_row',
        'rank', 'l0_features' or 'l1_features'); its other parameters are
        used for the unconstrained reference fit of 'l1', 'nuclear' and
        'l1_features' (for 'l0_features', its ``groups``: the counts run up
        to their number).
    X, y : the training data
    n_taus : int, default=10
    eps : float, default=0.1
        Smallest value relative to the largest.
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    taus : ndarray, increasing
    """
    return estimator.path_grid(
        X, y, n_values=n_taus, eps=eps, sample_weight=sample_weight
    )


def lam_grid(estimator, X, y, *, n_lams=10, eps=1e-3, sample_weight=None):
    """The default grid of ``lam`` for an RVSM estimator, decreasing.

    ``lam_max`` is the smallest ``lam`` whose threshold ``lam / beta`` sends
    every hidden weight of the unpenalised fit (``lam=0``, in the fit's
    internal units) to zero; found by bisection on the penalty's own prox,
    so it holds for l1, l0, transformed l1 and any Penalty object. The grid
    runs from ``lam_max`` down to ``eps * lam_max``; with ``n_lams=1`` it
    would hold only ``lam_max``, where every weight is zero, and is refused.
    """
    return estimator.path_grid(
        X, y, n_values=n_lams, eps=eps, sample_weight=sample_weight
    )


def projected_path(
    X, y, taus=None, *, estimator=None, n_taus=10, eps=0.1, sample_weight=None
):
    """Fit a projected network along a grid of constraint sizes ``tau``.

    Each fit starts from the previous solution moved into its set: by
    increasing ``tau`` for 'l0', 'l0_row' and 'rank', by decreasing radius
    for 'l1' and 'nuclear' (the orders measured best, see the module
    docstring); the first fit starts from the estimator's own start.
    Results are in increasing ``tau`` either way. The same as
    ``estimator.path(X, y, taus)``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    taus : array-like or None, default=None
        The grid; None uses :func:`tau_grid`. Sorted increasing.
    estimator : ProjectedShallowRegressor or ProjectedShallowClassifier, \
            default=None
        The network and its settings (not changed); its ``constraint`` must
        be a name. None: ``ProjectedShallowRegressor(constraint='l1')``.
    n_taus, eps : see :func:`tau_grid`
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    path : Path
        ``values`` (the taus) and ``points`` (coefficients, losses,
        iterations, convergence of each fit).

    Examples
    --------
    >>> from sklearn_shallow import ProjectedShallowRegressor
    >>> from sklearn_shallow.datasets import make_sparse_network
    >>> from sklearn_shallow.paths import projected_path
    >>> X, y, truth = make_sparse_network(300, random_state=0)
    >>> est = ProjectedShallowRegressor(constraint="l0", random_state=0)
    >>> path = projected_path(X, y, [40, 160], estimator=est)
    >>> [int((W != 0).sum()) for W in path.coefficients("hidden_weights_")]
    [40, 160]
    """
    if estimator is None:
        estimator = ProjectedShallowRegressor(constraint="l1")
    return estimator.path(
        X, y, taus, sample_weight=sample_weight, n_values=n_taus, eps=eps
    )


def rvsm_path(
    X, y, lams=None, *, estimator=None, n_lams=10, eps=1e-3, sample_weight=None
):
    """Fit an RVSM network along a grid of penalty weights ``lam``.

    Solved from the largest ``lam`` (the sparsest ``u``) to the smallest,
    each fit resuming the previous one's ``w``, ``u`` and step size. The
    same as ``estimator.path(X, y, lams)``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    lams : array-like or None, default=None
        The grid; None uses :func:`lam_grid`. Sorted decreasing.
    estimator : RVSMRegressor or RVSMClassifier, default=None
        The network and its settings (not changed). None: ``RVSMRegressor()``.
    n_lams, eps : see :func:`lam_grid`
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    path : Path
        ``values`` (the lams, decreasing) and ``points``.
    """
    if estimator is None:
        estimator = RVSMRegressor()
    return estimator.path(
        X, y, lams, sample_weight=sample_weight, n_values=n_lams, eps=eps
    )
