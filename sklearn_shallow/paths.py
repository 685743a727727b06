"""Regularisation paths: one network fitted along a grid of ``tau`` or ``lam``.

A path solves the same problem for a sequence of constraint sizes (or
penalty weights), each fit starting from the previous solution (a warm
start that resumes the loop's state, see ``warm_start``). Solved in the
right order, most fits then start close to their answer, which is what
makes cross-validating ``tau`` and ``lam`` cheaper than a grid of cold fits
(the idea of scikit-learn's ``enet_path`` and ``LassoCV``).

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

import copy
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from .architectures import get_architecture
from .constraints import Constraint
from .projected import ProjectedShallowRegressor
from .rvsm import RVSMRegressor

__all__ = ["lam_grid", "projected_path", "rvsm_path", "tau_grid"]

#: Constraint names a path can run over, and those solved by increasing tau.
_NAMES = {"l1", "nuclear", "l0", "l0_row", "rank"}
_ASCENDING = {"l0", "l0_row", "rank"}


def _constraint_name(estimator):
    name = estimator.constraint
    if not isinstance(name, str) or name not in _NAMES:
        raise ValueError(
            "A path over tau needs the constraint as one of the names "
            f"{sorted(_NAMES)}; got constraint={name!r}."
        )
    return name


def _fit_quietly(estimator, X, y, sample_weight):
    """Fit; return whether it converged (the warning is recorded, not shown)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        estimator.fit(X, y, sample_weight=sample_weight)
    converged = True
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            converged = False
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return converged


def _sorted(param, values):
    """The grid as the paths keep it: taus increasing, lams decreasing."""
    if param == "tau":
        return np.sort(np.asarray(values))
    return np.sort(np.asarray(values, dtype=float))[::-1]


def _solve_order(estimator, param, n_values):
    """Indices of the sorted grid in the order a path solves them."""
    order = np.arange(n_values)
    if param == "tau" and _constraint_name(estimator) not in _ASCENDING:
        return order[::-1]
    return order


def tau_grid(estimator, X, y, *, n_taus=10, eps=0.1, sample_weight=None):
    """The default grid of ``tau`` for ``estimator``'s named constraint.

    Parameters
    ----------
    estimator : ProjectedShallowRegressor or ProjectedShallowClassifier
        Its ``constraint`` must be a name ('l1', 'nuclear', 'l0', 'l0_row'
        or 'rank'); its other parameters are used for the unconstrained
        reference fit of 'l1' and 'nuclear'.
    X, y : the training data
    n_taus : int, default=10
    eps : float, default=0.1
        Smallest value relative to the largest.
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    taus : ndarray, increasing
    """
    name = _constraint_name(estimator)
    if not 0 < eps <= 1:
        raise ValueError(f"eps must be in (0, 1]; got {eps}.")
    if n_taus < 1:
        raise ValueError(f"n_taus must be at least 1; got {n_taus}.")
    fractions = np.geomspace(eps, 1.0, n_taus)
    if name in ("l1", "nuclear"):
        reference = clone(estimator).set_params(
            constraint=None, tau=None, warm_start=False
        )
        _fit_quietly(reference, X, y, sample_weight)
        hidden = reference._units.hidden_in(reference._raw_params[0])
        if name == "l1":
            radius = float(np.abs(hidden).sum())
        else:
            radius = float(np.linalg.svd(hidden, compute_uv=False).sum())
        if not radius > 0:
            raise ValueError(
                "The unconstrained fit has zero hidden weights: no default "
                "grid of radii; pass taus."
            )
        return radius * fractions
    shape = _hidden_shape(estimator, X)
    if name == "rank":
        full = min(shape)
        return np.unique(np.linspace(1, full, min(n_taus, full)).round().astype(int))
    size = shape[1] if name == "l0_row" else shape[0] * shape[1]
    return np.unique(np.maximum(1, np.round(fractions * size)).astype(int))


def _hidden_shape(estimator, X):
    arch = get_architecture(estimator.architecture)
    return arch.param_shape(X.shape[1], estimator.n_hidden)


class Path:
    """What a path function returns.

    Attributes
    ----------
    values : ndarray of shape (n_values,)
        The grid (``taus`` or ``lams``), increasing for ``tau`` and
        decreasing for ``lam``.
    models : list of fitted estimators
        One per value, in the order of ``values``.
    losses : ndarray of shape (n_values,)
        Final training objective of each fit (its ``loss_curve_`` entry).
    n_iter : ndarray of shape (n_values,)
        Iterations of each fit.
    converged : ndarray of shape (n_values,) of bool
    """

    def __init__(self, values, models, losses, n_iter, converged):
        self.values = values
        self.models = models
        self.losses = losses
        self.n_iter = n_iter
        self.converged = converged

    def __iter__(self):
        # values, models, losses = projected_path(...)
        return iter((self.values, self.models, self.losses))


def _run_path(estimator, param, values, X, y, sample_weight):
    """Fit along the sorted ``values`` in the solve order; results in values'
    order."""
    est = clone(estimator).set_params(warm_start=True)
    slots = [None] * len(values)
    done = 0
    for index in _solve_order(estimator, param, len(values)):
        value = values[index]
        est.set_params(**{param: value})
        ok = _fit_quietly(est, X, y, sample_weight)
        slots[index] = (copy.deepcopy(est), est.loss_curve_[-1], est.n_iter_ - done, ok)
        done = est.n_iter_
    models, losses, n_iter, converged = zip(*slots)
    models = list(models)
    for model in models:
        # Each model is an ordinary fitted estimator: a later fit starts cold.
        model.set_params(warm_start=estimator.warm_start)
    return Path(
        np.asarray(values),
        models,
        np.asarray(losses),
        np.asarray(n_iter),
        np.asarray(converged),
    )


def projected_path(
    X, y, taus=None, *, estimator=None, n_taus=10, eps=0.1, sample_weight=None
):
    """Fit a projected network along a grid of constraint sizes ``tau``.

    Each fit starts from the previous solution moved into its set: by
    increasing ``tau`` for 'l0', 'l0_row' and 'rank', by decreasing radius
    for 'l1' and 'nuclear' (the orders measured best, see the module
    docstring). Results are in increasing ``tau`` either way.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    taus : array-like or None, default=None
        The grid; None uses :func:`tau_grid`. Sorted increasing.
    estimator : ProjectedShallowRegressor or ProjectedShallowClassifier, \
            default=None
        The network and its settings (cloned); its ``constraint`` must be a
        name. None: ``ProjectedShallowRegressor(constraint='l1')``.
    n_taus, eps : see :func:`tau_grid`
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    path : Path
        ``values`` (the taus), ``models``, ``losses``, ``n_iter``,
        ``converged``; unpacks as ``taus, models, losses``.

    Examples
    --------
    >>> from sklearn_shallow import ProjectedShallowRegressor
    >>> from sklearn_shallow.datasets import make_sparse_network
    >>> from sklearn_shallow.paths import projected_path
    >>> X, y, truth = make_sparse_network(300, random_state=0)
    >>> est = ProjectedShallowRegressor(constraint="l0", random_state=0)
    >>> taus, models, losses = projected_path(X, y, [40, 160], estimator=est)
    >>> [int((m.hidden_weights_ != 0).sum()) for m in models]
    [40, 160]
    """
    if estimator is None:
        estimator = ProjectedShallowRegressor(constraint="l1")
    _constraint_name(estimator)
    if taus is None:
        taus = tau_grid(
            estimator, X, y, n_taus=n_taus, eps=eps, sample_weight=sample_weight
        )
    taus = _sorted("tau", taus)
    if taus.size == 0 or np.any(taus <= 0):
        raise ValueError("taus must be a non-empty array of positive values.")
    return _run_path(estimator, "tau", taus, X, y, sample_weight)


def lam_grid(estimator, X, y, *, n_lams=10, eps=1e-3, sample_weight=None):
    """The default grid of ``lam`` for an RVSM estimator, decreasing.

    ``lam_max`` is the smallest ``lam`` whose threshold ``lam / beta`` sends
    every hidden weight of the unpenalised fit (``lam=0``, in the fit's
    internal units) to zero; found by bisection on the penalty's own prox,
    so it holds for l1, l0, transformed l1 and any Penalty object.
    """
    if not 0 < eps < 1:
        raise ValueError(f"eps must be in (0, 1); got {eps}.")
    if n_lams < 1:
        raise ValueError(f"n_lams must be at least 1; got {n_lams}.")
    if isinstance(estimator.penalty, Constraint):
        raise ValueError(
            f"A path over lam needs a penalty; penalty={estimator.penalty!r} "
            "is a constraint (lam plays no part)."
        )
    reference = clone(estimator).set_params(lam=0.0, warm_start=False)
    _fit_quietly(reference, X, y, sample_weight)
    w = reference._units.hidden_in(reference._raw_params[0])
    penalty = reference.penalty_
    if not np.any(w):
        raise ValueError("The unpenalised fit has zero hidden weights: pass lams.")
    low, high = 0.0, 1.0
    while np.any(penalty.prox(w, high)):
        high *= 2.0
    for _ in range(60):
        mid = 0.5 * (low + high)
        if np.any(penalty.prox(w, mid)):
            low = mid
        else:
            high = mid
    lam_max = estimator.beta * high
    return lam_max * np.geomspace(1.0, eps, n_lams)


def rvsm_path(
    X, y, lams=None, *, estimator=None, n_lams=10, eps=1e-3, sample_weight=None
):
    """Fit an RVSM network along a grid of penalty weights ``lam``.

    Solved from the largest ``lam`` (the sparsest ``u``) to the smallest,
    each fit resuming the previous one's ``w``, ``u`` and step size.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    lams : array-like or None, default=None
        The grid; None uses :func:`lam_grid`. Sorted decreasing.
    estimator : RVSMRegressor or RVSMClassifier, default=None
        The network and its settings (cloned). None: ``RVSMRegressor()``.
    n_lams, eps : see :func:`lam_grid`
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    path : Path
        ``values`` (the lams, decreasing), ``models``, ``losses``,
        ``n_iter``, ``converged``; unpacks as ``lams, models, losses``.
    """
    if estimator is None:
        estimator = RVSMRegressor()
    if lams is None:
        lams = lam_grid(
            estimator, X, y, n_lams=n_lams, eps=eps, sample_weight=sample_weight
        )
    lams = _sorted("lam", lams)
    if lams.size == 0 or np.any(lams < 0):
        raise ValueError("lams must be a non-empty array of values >= 0.")
    return _run_path(estimator, "lam", lams, X, y, sample_weight)
