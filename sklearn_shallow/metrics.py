"""Measures of fit and of weight recovery used in the papers.

* :func:`normalized_mse`: Oymak's normalised loss, ``var(y - yhat) / var(y)``.
* :func:`weight_correlation`: Oymak's average best cosine between true and
  learned hidden units.
* :func:`recovery_error`: Zhong et al.'s relative error of the hidden weights
  under the best matching of hidden units (a bottleneck assignment).

The scorers at the end plug these into :class:`~sklearn.model_selection.GridSearchCV`
and :func:`~sklearn.model_selection.cross_val_score`; the weight-based ones read
``hidden_weights_`` off the fitted estimator and follow the
greater-is-better convention.

References
----------
.. [1] S. Oymak, "Learning Compact Neural Networks with Regularization",
   ICML 2018.
.. [2] K. Zhong, Z. Song, P. Jain, P. L. Bartlett and I. S. Dhillon,
   "Recovery Guarantees for One-hidden-layer Neural Networks", ICML 2017.
"""

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist
from sklearn.metrics import make_scorer
from sklearn.utils import check_array, check_consistent_length, column_or_1d
from sklearn.utils._param_validation import validate_params
from sklearn.utils.validation import _check_sample_weight

__all__ = [
    "normalized_mse",
    "normalized_mse_scorer",
    "recovery_error",
    "recovery_error_scorer",
    "weight_correlation",
    "weight_correlation_scorer",
]


def _as_targets(y, name):
    y = check_array(y, ensure_2d=False, dtype="numeric", input_name=name)
    return column_or_1d(y).astype(float, copy=False)


def _as_weights(W, name):
    return check_array(W, dtype=float, input_name=name)


def _weighted_variance(values, weights):
    mean = np.average(values, weights=weights)
    return np.average((values - mean) ** 2, weights=weights)


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def normalized_mse(y_true, y_pred, sample_weight=None):
    """Normalised loss ``var(y - yhat) / var(y)``.

    The measure Oymak plots [1]_: 0 for a perfect fit, 1 for a constant
    prediction at the mean of ``y``. Being a ratio of variances it ignores a
    constant offset between ``y`` and ``yhat`` (an intercept).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Observed targets; must not be constant.
    y_pred : array-like of shape (n_samples,)
        Predictions.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weights; both variances are then weighted variances
        ``sum_i w_i (a_i - abar)^2 / sum_i w_i`` with ``abar`` the weighted
        mean.

    Returns
    -------
    loss : float
        Non-negative; lower is better.

    Raises
    ------
    ValueError
        If ``y_true`` is constant (over the samples of positive weight), where
        the ratio is undefined.

    References
    ----------
    .. [1] S. Oymak, "Learning Compact Neural Networks with Regularization",
       ICML 2018, section 6.

    Examples
    --------
    >>> from sklearn_shallow.metrics import normalized_mse
    >>> normalized_mse([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 3.0])
    0.15
    >>> normalized_mse([1.0, 2.0, 3.0, 4.0], [2.5, 2.5, 2.5, 2.5])
    1.0
    """
    y_true = _as_targets(y_true, "y_true")
    y_pred = _as_targets(y_pred, "y_pred")
    check_consistent_length(y_true, y_pred, sample_weight)
    weights = _check_sample_weight(sample_weight, y_true, ensure_non_negative=True)

    counted = y_true[weights > 0]
    if counted.size == 0 or np.all(counted == counted[0]):
        raise ValueError(
            "normalized_mse is undefined when y_true has zero variance "
            "(all samples with positive weight have the same target)."
        )
    residual_variance = _weighted_variance(y_true - y_pred, weights)
    return float(residual_variance / _weighted_variance(y_true, weights))


def _unit_rows(W):
    """Rows scaled to unit norm; zero rows stay zero."""
    norms = np.linalg.norm(W, axis=1, keepdims=True)
    return np.divide(W, norms, out=np.zeros_like(W), where=norms > 0)


def _check_same_n_features(W_true, W_hat):
    if W_true.shape[1] != W_hat.shape[1]:
        raise ValueError(
            "W_true and W_hat must have the same number of columns "
            f"(n_features); got {W_true.shape[1]} and {W_hat.shape[1]}."
        )


@validate_params(
    {"W_true": ["array-like"], "W_hat": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def weight_correlation(W_true, W_hat):
    """Average best cosine between true and learned hidden units.

    Oymak's measure [1]_::

        1/h * sum_i max_j cos(w*_i, what_j)

    over the ``h`` rows of ``W_true``. It is 1 when every true unit is matched
    in direction by some learned unit; it ignores the scale of the rows and
    their order. A zero row (in either matrix) has cosine 0 with everything.

    Parameters
    ----------
    W_true : array-like of shape (n_hidden, n_features)
        True hidden weights ``W*``.
    W_hat : array-like of shape (n_hidden_hat, n_features)
        Learned hidden weights; the number of rows may differ from ``W_true``.

    Returns
    -------
    correlation : float
        In ``[-1, 1]``; higher is better.

    References
    ----------
    .. [1] S. Oymak, "Learning Compact Neural Networks with Regularization",
       ICML 2018, section 6.

    Examples
    --------
    >>> from sklearn_shallow.metrics import weight_correlation
    >>> weight_correlation([[1.0, 0.0], [0.0, 1.0]], [[3.0, 4.0], [0.0, -2.0]])
    0.7
    """
    W_true = _as_weights(W_true, "W_true")
    W_hat = _as_weights(W_hat, "W_hat")
    _check_same_n_features(W_true, W_hat)
    cosines = _unit_rows(W_true) @ _unit_rows(W_hat).T
    return float(cosines.max(axis=1).mean())


def _has_perfect_matching(allowed):
    """Whether the bipartite graph with boolean adjacency ``allowed`` has one."""
    forbidden = ~allowed
    rows, cols = linear_sum_assignment(forbidden)
    return not forbidden[rows, cols].any()


def _bottleneck_assignment(cost):
    """Permutation minimising the largest chosen entry of a square ``cost``.

    The optimal value is one of the entries, so bisect over the sorted
    distinct entries: a threshold is feasible when the entries at or below
    it contain a perfect matching. Among the optimal permutations the one of
    least total cost is returned, so that ties are broken sensibly.
    """
    candidates = np.unique(cost)
    low, high = 0, candidates.size - 1  # every permutation is within the top
    while low < high:
        middle = (low + high) // 2
        if _has_perfect_matching(cost <= candidates[middle]):
            high = middle
        else:
            low = middle + 1
    threshold = candidates[low]
    restricted = np.where(cost <= threshold, cost, np.inf)
    _, perm = linear_sum_assignment(restricted)
    return perm


@validate_params(
    {
        "W_true": ["array-like"],
        "W_hat": ["array-like"],
        "v_true": ["array-like", None],
        "v_hat": ["array-like", None],
        "return_matching": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def recovery_error(W_true, W_hat, v_true=None, v_hat=None, return_matching=False):
    """Worst relative error of the hidden units under the best matching.

    Zhong et al.'s measure [1]_::

        min over permutations pi of  max_j ||w*_j - what_pi(j)|| / ||w*_j||

    Hidden units are only identified up to order, hence the permutation. The
    minimum of a maximum is a bottleneck assignment problem, solved exactly
    here by bisection over the ``h^2`` candidate values with a
    perfect-matching test (:func:`scipy.optimize.linear_sum_assignment` on a
    0/1 cost matrix). Unlike a sum-of-costs assignment, this gives the true
    minimax value.

    Parameters
    ----------
    W_true : array-like of shape (n_hidden, n_features)
        True hidden weights ``W*``; no row may be zero.
    W_hat : array-like of shape (n_hidden, n_features)
        Learned hidden weights, with as many rows as ``W_true``.
    v_true : array-like of shape (n_hidden,), default=None
        True output weights, to check whether they match under the
        permutation (the paper counts a recovery as successful only then).
    v_hat : array-like of shape (n_hidden,), default=None
        Learned output weights; give both or neither of ``v_true``, ``v_hat``.
    return_matching : bool, default=False
        Also return the permutation and whether the output weights match.

    Returns
    -------
    error : float
        The minimax relative error; lower is better.
    perm : ndarray of shape (n_hidden,)
        Only with ``return_matching``: ``perm[j]`` is the row of ``W_hat``
        matched to row ``j`` of ``W_true``. Among optimal permutations the one
        with the least total relative error is returned.
    v_match : bool or None
        Only with ``return_matching``: whether ``v_true[j] == v_hat[perm[j]]``
        for every ``j`` (exact equality, as for signs in {-1, +1}); ``None``
        when the output weights are not given.

    References
    ----------
    .. [1] K. Zhong, Z. Song, P. Jain, P. L. Bartlett and I. S. Dhillon,
       "Recovery Guarantees for One-hidden-layer Neural Networks", ICML 2017,
       section 6.

    Examples
    --------
    >>> from sklearn_shallow.metrics import recovery_error
    >>> W_true = [[1.0, 0.0], [0.0, 2.0]]
    >>> W_hat = [[0.0, 2.2], [1.0, 0.0]]
    >>> error, perm, v_match = recovery_error(
    ...     W_true, W_hat, v_true=[1, -1], v_hat=[-1, 1], return_matching=True)
    >>> round(error, 12), perm.tolist(), v_match
    (0.1, [1, 0], True)
    """
    W_true = _as_weights(W_true, "W_true")
    W_hat = _as_weights(W_hat, "W_hat")
    _check_same_n_features(W_true, W_hat)
    n_hidden = W_true.shape[0]
    if W_hat.shape[0] != n_hidden:
        raise ValueError(
            "recovery_error needs W_true and W_hat with the same number of rows "
            f"(n_hidden); got {n_hidden} and {W_hat.shape[0]}."
        )
    if (v_true is None) != (v_hat is None):
        raise ValueError("Give both v_true and v_hat, or neither.")

    true_norms = np.linalg.norm(W_true, axis=1)
    if np.any(true_norms == 0):
        raise ValueError(
            "recovery_error divides by ||w*_j||, but W_true has zero rows "
            f"{np.flatnonzero(true_norms == 0).tolist()}."
        )
    # cost[j, m] = ||w*_j - what_m|| / ||w*_j||. cdist takes the differences
    # directly, so an exact match costs exactly 0 (expanding the squares would
    # leave errors of order sqrt(eps)).
    cost = cdist(W_true, W_hat) / true_norms[:, None]

    perm = _bottleneck_assignment(cost)
    error = float(cost[np.arange(n_hidden), perm].max())
    if not return_matching:
        return error

    v_match = None
    if v_true is not None:
        v_true = column_or_1d(np.asarray(v_true))
        v_hat = column_or_1d(np.asarray(v_hat))
        if v_true.shape != (n_hidden,) or v_hat.shape != (n_hidden,):
            raise ValueError(
                f"v_true and v_hat must have shape (n_hidden,) = ({n_hidden},); "
                f"got {v_true.shape} and {v_hat.shape}."
            )
        v_match = bool(np.all(v_true == v_hat[perm]))
    return error, perm, v_match


#: Scorer for :func:`normalized_mse`, for ``scoring=`` in
#: :class:`~sklearn.model_selection.GridSearchCV` or
#: :func:`~sklearn.model_selection.cross_val_score`. Its scores are
#: ``-normalized_mse`` (higher is better), as for sklearn's ``neg_*`` scorers.
normalized_mse_scorer = make_scorer(normalized_mse, greater_is_better=False)


def _fitted_hidden_weights(estimator):
    """``hidden_weights_`` of an estimator, or of the last step of a pipeline."""
    if hasattr(estimator, "hidden_weights_"):
        return estimator.hidden_weights_
    steps = getattr(estimator, "steps", None)
    if steps:
        return _fitted_hidden_weights(steps[-1][1])
    raise AttributeError(
        f"{type(estimator).__name__} has no attribute hidden_weights_; weight "
        "scorers need a fitted shallow network."
    )


class _HiddenWeightsScorer:
    """Callable ``(estimator, X, y) -> sign * metric(W_true, hidden_weights_)``.

    A class rather than a closure so that it pickles (parallel grid searches)
    and prints readably.
    """

    def __init__(self, metric, W_true, sign):
        self.metric = metric
        self.W_true = W_true
        self.sign = sign

    def __call__(self, estimator, X, y=None):
        return self.sign * self.metric(self.W_true, _fitted_hidden_weights(estimator))

    def __repr__(self):
        negate = "-" if self.sign < 0 else ""
        name = self.metric.__name__
        return f"{negate}{name}_scorer(W_true of shape {self.W_true.shape})"


def weight_correlation_scorer(W_true):
    """Scorer giving :func:`weight_correlation` of the fitted hidden weights.

    Parameters
    ----------
    W_true : array-like of shape (n_hidden, n_features)
        True hidden weights.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)`` returns
        ``weight_correlation(W_true, estimator.hidden_weights_)`` (higher is
        better); ``X`` and ``y`` are ignored. For a pipeline the last step is
        used.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.metrics import weight_correlation_scorer
    >>> class Fitted:
    ...     hidden_weights_ = np.array([[0.0, 2.0], [3.0, 0.0]])
    >>> scorer = weight_correlation_scorer(np.eye(2))
    >>> scorer(Fitted(), None, None)
    1.0
    """
    return _HiddenWeightsScorer(weight_correlation, _as_weights(W_true, "W_true"), 1)


def recovery_error_scorer(W_true):
    """Scorer giving minus :func:`recovery_error` of the fitted hidden weights.

    Parameters
    ----------
    W_true : array-like of shape (n_hidden, n_features)
        True hidden weights; the estimator must have as many hidden units.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)`` returns
        ``-recovery_error(W_true, estimator.hidden_weights_)`` (higher is
        better); ``X`` and ``y`` are ignored. For a pipeline the last step is
        used.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow.metrics import recovery_error_scorer
    >>> class Fitted:
    ...     hidden_weights_ = np.array([[0.0, 1.0], [1.5, 0.0]])
    >>> scorer = recovery_error_scorer(np.eye(2))
    >>> float(scorer(Fitted(), None, None))
    -0.5
    """
    return _HiddenWeightsScorer(recovery_error, _as_weights(W_true, "W_true"), -1)
