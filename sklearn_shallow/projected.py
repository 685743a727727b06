"""Projected gradient descent for constrained shallow networks."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseShallowNetwork, auto_alpha_scale
from ._fit.spec import WarmUp
from ._groups import (
    check_groups,
    check_groups_apply,
    column_labels,
    refuse_convolution,
    with_groups,
)
from ._task import REGRESSION_LOSSES, ShallowClassifierMixin, ShallowRegressorMixin
from .architectures import get_architecture
from .constraints import (
    CONSTRAINTS,
    Constraint,
    L0Features,
    L1Ball,
    L1Features,
    NuclearBall,
    Unconstrained,
    make_constraint,
)
from .solvers import UpdateRule, check_solver

#: Constraint names a path over tau runs over, and those it solves from the
#: largest radius down (the others from the sparsest set up).
PATH_CONSTRAINTS = (
    "l1",
    "nuclear",
    "l1_features",
    "l0",
    "l0_row",
    "rank",
    "l0_features",
)
_FROM_LARGEST = ("l1", "nuclear", "l1_features")

#: Constraint names that select inputs, and so take ``groups``.
GROUPED_CONSTRAINTS = tuple(name for name in CONSTRAINTS if name.endswith("_features"))

#: Constraint sets that bound the size of the hidden weights. The others
#: (sparsity, rank, a subspace) leave their scale free.
_BOUNDED = (L1Ball, NuclearBall, L1Features)

#: ``alpha='auto'`` on both layers under a set that leaves the scale of W
#: free, up to :data:`~sklearn_shallow._base.N_AUTO` samples (then scaled by
#: ``N_AUTO / n_samples``, as :data:`~sklearn_shallow._base.ALPHA` is).
#: Measured: Oymak's planted l0 problem (n=600, learned output, seeds 0-4)
#: has test NMSE 0.037 at alpha=0, 0.038 at 1e-3 and 0.10 at 1e-2; 5-fold
#: accuracy with l0 at tau=0.1 on breast cancer, wine and digits is 0.967,
#: 0.972, 0.929 at 1e-3 against 0.972, 0.972, 0.928 at 1e-2.
ALPHA_SCALE_FREE = 1e-3

#: ``alpha='auto'`` under ``'l0_features'`` (both layers, scaled as above),
#: and for its dense start. The start ranks the inputs by the norms of its
#: columns: under the dense default (1e-2) 20 units on 331 rows of
#: diabetes with 20 added noise columns overfit (train R^2 0.96, test
#: -0.10) and the largest columns held 1.0 / 3.0 / 6.6 noise inputs at
#: budgets 3 / 5 / 10 (5 splits). Measured with
#: benchmarks/bench_feature_selection_peers.py (3 seeds of 9 planted
#: settings, 5 splits of 3 data sets) for (fit, start) = (1e-3, 1e-2),
#: (1e-3, 1e-1), (3e-2, 1e-1): noise inputs kept at the planted budget,
#: summed over the settings, 14.0 / 12.7 / 9.0; diabetes+noise downstream
#: R^2 at k = 3, 5, 10: 0.321, 0.283, 0.194 / 0.389, 0.360, 0.307 / 0.389,
#: 0.385, 0.283; breast cancer and penguins within 0.05 of each other, with
#: penguins at k=2 0.826 / 0.786 / 0.780.
ALPHA_FEATURES = 3e-2
ALPHA_FEATURES_START = 1e-1


class _ProjectedPart:
    """The algorithm part: ``W <- P_C(W - mu grad)`` for a constraint ``C``.

    ``init='dense'`` (what 'auto' means with a constraint) starts from the
    projection onto ``C`` of the same network fitted without the
    constraint from a random start: a gradual route into the set that, on
    real data, ends far more reliably near a good sparse or low-rank network
    than projecting a random start does (see the user guide).
    """

    _parameter_constraints = {
        "constraint": [StrOptions(set(CONSTRAINTS)), Constraint, None],
        "tau": [Interval(Real, 0, None, closed="neither"), None],
        "groups": ["array-like", None],
        "init": [
            StrOptions({"auto", "dense", "random", "zero", "tensor"}),
            "array-like",
        ],
    }

    def _constraint(self):
        """The constraint set, from ``constraint``, ``tau`` and ``groups``."""
        constraint = make_constraint(self.constraint, self.tau)
        return with_groups(
            constraint, self.groups, "constraint", self.constraint, GROUPED_CONSTRAINTS
        )

    def _dense_start(self, constraint):
        """Whether the fit starts from a projected unconstrained fit."""
        init = self.init
        if not isinstance(init, str):
            return False
        if init == "auto":
            return not isinstance(constraint, Unconstrained)
        return init == "dense"

    def _auto_alpha_for(self, model, constraint, n_samples):
        alpha, alpha_output = self._auto_alpha(model, n_samples)
        if isinstance(constraint, Unconstrained) or not alpha_output:
            return alpha, alpha_output
        if isinstance(constraint, _BOUNDED):
            # A ball regularises the hidden layer. The ridge on learned output
            # weights stays: ReLU units are scale-free (o relu(w.x) =
            # (c o) relu(w.x / c)), so without it a radius on W bounds
            # nothing.
            return 0.0, alpha_output
        # Sets that leave the scale of W free (l0, rank) need a penalty on
        # both layers: on o alone the objective falls forever as W grows and
        # o shrinks, and has no minimiser. The set already regularises, so
        # the penalty is smaller.
        if isinstance(constraint, L0Features):
            scale = ALPHA_FEATURES
        else:
            scale = ALPHA_SCALE_FREE
        alpha = scale * auto_alpha_scale(n_samples)
        return alpha, alpha

    def _warm_up_alpha(self, model, constraint, n_samples):
        """What alpha='auto' means for the dense start of ``constraint``."""
        alpha, alpha_output = self._auto_alpha(model, n_samples)
        if isinstance(constraint, L0Features) and alpha_output:
            alpha = alpha_output = ALPHA_FEATURES_START * auto_alpha_scale(n_samples)
        return alpha, alpha_output

    # ---- the path over tau ----------------------------------------------
    _path_param = "tau"
    _path_increasing = True

    def _path_name(self):
        name = self.constraint
        if not isinstance(name, str) or name not in PATH_CONSTRAINTS:
            raise ValueError(
                "A path over tau needs the constraint as one of the names "
                f"{sorted(PATH_CONSTRAINTS)}; got constraint={name!r}."
            )
        # Refuse groups that do not apply before any fit (the grid's
        # reference fit runs without the constraint).
        check_groups_apply(self.groups, "constraint", name, GROUPED_CONSTRAINTS)
        return name

    def _path_reversed(self):
        # A ball from the largest radius down: from the small end the path
        # starts from the start shrunk into a tiny ball and never recovers.
        return self._path_name() in _FROM_LARGEST

    def _path_values(self, values):
        self._path_name()
        return super()._path_values(values)

    def _path_grid(self, data, n_values, eps):
        """Radii from ``eps R`` to ``R``, the norm of the hidden weights
        (internal units) of the unconstrained fit (for 'l1_features' the sum
        of its column norms), returned as the path's start; counts and
        ranks from the shape (no reference fit); for 'l0_features',
        ``n_values`` counts of inputs from 1 to ``n_features`` (with
        ``groups``: of groups, from 1 to their number) spaced geometrically
        (``eps`` unused)."""
        name = self._path_name()
        eps = 0.1 if eps is None else eps
        if not 0 < eps <= 1:
            raise ValueError(f"eps must be in (0, 1]; got {eps}.")
        fractions = np.geomspace(eps, 1.0, n_values)
        if name in _FROM_LARGEST:
            reference = self._fit_reference(
                data, constraint=None, tau=None, groups=None
            )
            hidden = reference._units.hidden_in(reference._raw_params[0])
            if name == "l1":
                radius = float(np.abs(hidden).sum())
            elif name == "l1_features":
                radius = float(np.linalg.norm(hidden, axis=0).sum())
            else:
                radius = float(np.linalg.svd(hidden, compute_uv=False).sum())
            if not radius > 0:
                raise ValueError(
                    "The unconstrained fit has zero hidden weights: no default "
                    "grid of radii; pass taus."
                )
            return radius * fractions, reference
        model = self._resolve_model(data.X.shape[1], data.X.dtype, data.n_outputs)
        shape = model.architecture.param_shape(data.X.shape[1], self.n_hidden)
        if name == "l0_features":
            # Counts from 1 to every input (group), spaced geometrically; the
            # columns of the groups are checked as the fit checks them.
            groups = check_groups(self.groups)
            n_groups = column_labels(groups, shape, "L0Features")[1]
            counts = np.round(np.geomspace(1, n_groups, n_values)).astype(int)
            return np.unique(counts), None
        if name == "rank":
            full = min(shape)
            ranks = np.linspace(1, full, min(n_values, full)).round()
            return np.unique(ranks.astype(int)), None
        size = shape[1] if name == "l0_row" else shape[0] * shape[1]
        counts = np.maximum(1, np.round(fractions * size)).astype(int)
        return np.unique(counts), None

    def _fit_spec(self, data, rng, partial=False):
        """Projected steps ``W <- P_C(W - mu grad)``; the start inside ``C``.

        The constraint acts on the hidden weights in the fit's internal
        units (scaled columns). A warm start and a random start are
        projected onto ``C``; the dense start ('auto' with a constraint)
        first fits the network without it (the warm-up) and projects that.
        """
        constraint = self._constraint()

        def make_update(shape):
            # The feature sets act on the columns of a dense layer (inputs).
            refuse_convolution(constraint, get_architecture(self.architecture))
            constraint.check(shape)
            project = (
                None if isinstance(constraint, Unconstrained) else constraint.project
            )
            rule = UpdateRule(project=project, convex=constraint.convex)
            check_solver(rule, self.solver)
            return rule, {"constraint_": constraint}

        init = self.init
        dense = self._dense_start(constraint)
        if isinstance(init, str) and init in ("auto", "dense"):
            init = "random"
        spec = self._network_spec(
            data,
            rng,
            make_update,
            auto_alpha=lambda model, n: self._auto_alpha_for(model, constraint, n),
            init=init,
            partial=partial,
        )
        if isinstance(constraint, Unconstrained):
            return spec
        if dense and not partial and not spec.continued:
            # The warm-up fits the unconstrained network, with the penalty
            # that alpha='auto' gives it. An input budget is then reached
            # through halving budgets (L0Features.narrowing).
            first = constraint
            if isinstance(constraint, L0Features):
                sets = constraint.narrowing(spec.start[0].shape)
                spec.narrowing = tuple(
                    UpdateRule(project=c.project, convex=False) for c in sets
                )
                first = sets[0] if sets else constraint
            spec.warm_up = WarmUp(
                UpdateRule(project=None),
                *self._alphas(
                    spec.model,
                    self._warm_up_alpha(spec.model, constraint, data.X.shape[0]),
                ),
                finish=_project_hidden(first),
            )
        else:
            # Start inside C, so that every iterate is feasible (a warm
            # start too: tau or the constraint may have changed, a path).
            spec.start_map = _project_hidden(constraint)
        if isinstance(constraint, L0Features):
            # Once the projections have chosen the inputs, descend on those
            # columns alone (a smaller X), then on all of them.
            spec.support = _used_columns
            spec.exchange = constraint.exchange
        return spec


def _used_columns(hidden):
    return np.flatnonzero(np.any(hidden != 0, axis=0))


def _project_hidden(constraint):
    def project(params):
        params = list(params)
        params[0] = constraint.project(params[0])
        return params

    return project


class ProjectedShallowRegressor(
    ShallowRegressorMixin, _ProjectedPart, BaseShallowNetwork
):
    """One-hidden-layer network fitted by projected gradient descent.

    Minimises ``1/(2n) sum_i (f(x_i) - y_i)^2`` with
    ``f(x) = sum_j o_j sigma(w_j . x) + b`` over hidden weights in a
    constraint set ``C`` (sparse, l1 ball, low rank, nuclear ball, subspace,
    or convolutional weight sharing), by ``W <- P_C(W - mu grad)``.

    Parameters
    ----------
    n_hidden : int or None, default=None
        Number of hidden units. None means 20 for a dense layer and
        ``n_kernels * n_shifts`` for a :class:`~sklearn_shallow.Convolution`.
    activation : str, Activation or (callable, callable), default='relu'
        A name ('relu', 'leaky_relu', 'squared_relu', 'softplus', 'sigmoid',
        'tanh', 'erf', 'quadratic', 'linear'), an Activation object, or a
        pair ``(value, derivative)`` of elementwise callables.
    constraint : {'l0', 'l0_row', 'l1', 'rank', 'nuclear', 'l0_features', \
            'l1_features'}, Constraint or None, default=None
        The set ``C``. A name is sized by ``tau``; an object (for instance
        ``L1Ball(radius=2.0)`` or ``Subspace(basis)``) is used as it is and
        its parameters can be tuned as ``constraint__radius``. With a
        convolution the constraint acts on the kernels ('l0_features' and
        'l1_features', which select inputs, are refused).
    tau : float or int, default=None
        Size of a named constraint: the number of nonzeros kept for 'l0'
        (a float in (0, 1) is a fraction of all weights) and per row for
        'l0_row'; the number (or fraction) of inputs kept for
        'l0_features'; the radius for 'l1' and 'nuclear', and for
        'l1_features' (the sum of the input columns' norms); the rank for
        'rank'. With ``groups``, 'l0_features' counts groups (a float is a
        fraction of the groups) and 'l1_features' sums the groups' norms.
    groups : list of lists of int, default=None
        Input columns kept or dropped together, as LassoNet's ``groups``
        (the one-hot columns of one categorical input, say): each group a
        list of column indices of X, each column in at most one group; the
        columns in no group are groups of their own. Only with
        ``constraint='l0_features'`` or ``'l1_features'`` (a ValueError
        otherwise); a Constraint object such as ``L0Features(k, groups=...)``
        takes its own. ``n_features_selected_`` and ``feature_importances_``
        still count input columns.
    architecture : 'dense', Convolution or None, default=None
        None or 'dense' is a fully connected layer.
        ``Convolution(kernel_size, stride, n_kernels)`` shares kernels across
        patches: Oymak's convolutional constraint, computed on the patches.
    output_weights : {'learn', 'ones'} or array-like of shape (n_hidden,), \
            default='learn'
        'learn' fits the output weights with the hidden ones; 'ones' fixes
        them to 1 as in the papers; an array fixes them to its values.
    fit_intercept : bool, default=True
        Fit an output bias ``b``.
    loss : {'squared_error', 'huber'}, default='squared_error'
        'huber' is squared for residuals up to 1.35 and linear beyond (robust
        to outliers), in the fit's standardised units of y (y's own units
        with fixed output weights). The exact output layer of 'fista' and
        'spg' needs the squared loss; with 'huber' the output layer takes
        gradient steps.
    init : {'auto', 'dense', 'random', 'zero', 'tensor'} or array-like, \
            default='auto'
        Starting hidden weights. 'dense' fits the network without the
        constraint from a random start, then projects it onto ``C`` and
        fits with the constraint from there (``n_iter_`` and
        ``loss_curve_`` count both fits); 'auto' is 'dense' with a
        constraint and 'random' without. 'random': Gaussian with variance
        ``1/n_features`` (``1/kernel_size`` for kernels); 'zero': zeros (the
        single-ReLU start of Soltanolkotabi 2017); 'tensor': the tensor
        method of Zhong et al. 2017
        (:func:`~sklearn_shallow.tensor_initialization`; hidden weights only;
        needs a positively homogeneous activation such as relu); or an array
        of the hidden parameters' shape (a dense array is projected onto a
        convolution's kernels).
    alpha : 'auto' or float, default='auto'
        L2 penalty ``alpha/2 (||W||^2 + ||o||^2)`` added to the mean loss,
        in the fit's standardised units. 'auto' is ``c * min(1, 500 /
        n_samples)``: ``c`` up to 500 samples, then falling as ``1/n`` (a
        penalty of fixed weight against the summed loss, as MLP's alpha
        is; a fixed ``c`` would bias large fits: training R^2 0.984 on a
        planted 20-unit network at n=20000). ``c`` is 1e-2 on both layers
        for a learned output layer (the exact optimum overfits small data
        sets without it); with a ball ('l1', 'nuclear', which bound W),
        1e-2 on the learned output weights only (ReLU units are
        scale-free, so a radius on W alone bounds nothing); with a set that
        leaves the scale of W free ('l0', 'l0_row', 'rank', a subspace),
        1e-3 on both; 0 with fixed output weights. ``n_samples`` is the
        number of rows given to ``fit`` (to the first ``partial_fit``,
        whose penalty later calls keep).
    solver : {'fista', 'spg', 'pgd', 'lbfgs'}, default='fista'
        Step policy of full-batch fits: accelerated projected gradient with
        monotone momentum restarts, spectral projected gradient, the
        papers' plain projected gradient, or L-BFGS (scipy's; only without
        a constraint, where the objective is smooth up to ReLU kinks). With
        'fista', 'spg' and 'lbfgs' the learned output weights and the
        intercept are solved exactly at every step (variable projection,
        for the squared loss); 'pgd' takes gradient steps on them, as do
        mini-batch epochs. 'fista' keeps its momentum on the non-convex
        sets too (l0, rank): its monotone restart keeps every iterate
        feasible and decreasing, and in Oymak's sparse setting (output
        weights ones, no intercept, the good start, 10 seeds) it recovers
        the planted network at least as often as 'pgd' (8 of 10 against 6
        at n=600; 42 of 50 against 38 over 50 seeds) in half the
        iterations (``benchmarks/bench_l0_momentum.py``). See the user
        guide.
    step_size : float or 'auto', default='auto'
        'auto' backtracks on the projected step (always decreases the
        full-batch objective); a float is a fixed step ``mu``.
    max_iter : int, default=2000
        Number of iterations (epochs with mini-batches). The small
        ``alpha='auto'`` of large data sets takes more of them: 880-1590
        on diamonds' cut (n=6400), 610-1090 on a planted network at
        n=20000 (``benchmarks/bench_defaults.py``).
    tol : float, default=1e-4
        Stop when the norm of the gradient mapping has fallen to ``tol``
        times its first value, or, where the objective is not smooth (ReLU
        kinks) and the accepted steps have collapsed, when it changed by less
        than a relative ``tol`` over ``n_iter_no_change`` iterations. With
        mini-batches: when the epoch loss has not fallen by a relative
        ``tol`` (or the validation score not risen by ``tol``) for
        ``n_iter_no_change`` epochs.
    n_iter_no_change : int, default=10
    batch_size : 'auto', int or None, default='auto'
        None uses all samples in every step; an int runs mini-batch epochs.
        'auto' is None below 50000 rows (the same fit, bit for bit); from
        there the fit first runs full-batch descents on nested random
        subsamples (10000 rows or 5 per network parameter, whichever is
        more, then 4 times as many, while below a quarter of the data),
        each from where the last ended, and ends with the full-batch
        descent on all rows, stopped by the same rule as a fit with
        ``batch_size=None`` (with the gradient mapping measured against
        the first stage's first one). The stages share ``max_iter`` (at
        most half of it); ``fit_stages_`` reports them. See the user
        guide's page on large data.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its R^2
        stops improving, and keep the weights with the best score.
    validation_fraction : float, default=0.1
    callback : callable or None, default=None
        Called after every epoch with a dict (``iteration``, ``loss``,
        ``step_size``, ``validation_score``, ``params``); returning True stops.
    random_state : int, RandomState instance or None, default=None
    warm_start : bool, default=False
        Start from the previous solution when the shapes agree.
    verbose : int, default=0
        Print progress: every tenth of ``max_iter`` (1) or every epoch (2).

    Attributes
    ----------
    hidden_weights_ : ndarray of shape (n_hidden, n_features)
        Dense hidden weights (``FC(K)`` for a convolution).
    kernels_ : ndarray of shape (n_kernels, kernel_size)
        Only with a convolution.
    output_weights_ : ndarray of shape (n_hidden,) or (n_hidden, n_outputs)
    intercept_ : float or ndarray of shape (n_outputs,)
        A float for 1-D y.
    n_outputs_ : int
    loss_ : loss part
        The resolved loss.
    constraint_ : Constraint
        The resolved constraint.
    n_iter_ : int
    loss_curve_ : list of float
        Training objective after each iteration, in the fit's standardised
        units of y when the output layer is learned.
    validation_scores_ : list of float or None
    best_validation_score_ : float or None
    step_size_ : float
        The last step size used.
    alpha_ : float
        The L2 weight used on the hidden layer.
    alpha_output_ : float
        The L2 weight used on learned output weights (0 when fixed).
    stationarity_ : float or None
        Gradient-mapping norm at the end relative to its first value
        (full-batch fits).
    fit_stages_ : list of (int, int) or None
        With ``batch_size='auto'`` on large data: the rows and the
        iterations of each subsample stage, then of the fit on all rows
        (their iterations sum to ``n_iter_``). None when the fit ran on
        all rows only.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Only when X has string feature names.

    See Also
    --------
    RVSMRegressor : sparse networks by relaxed variable splitting.

    Notes
    -----
    Oymak (2018) shows that, from an initialisation close enough to a planted
    ``W*`` in ``C``, projected gradient descent converges linearly with a
    number of samples of the order of the covering dimension of ``C`` (for
    instance ``s log(p/s)`` per sparse row instead of ``p``).
    Soltanolkotabi (2017) shows that a single ReLU with a sparse weight
    vector is learned from ``W = 0`` by iterative hard thresholding
    (``n_hidden=1, init='zero', constraint='l0'``).

    Oymak's fixed steps (``mu = 5`` for sparse weights, ``mu = 1`` on the
    kernels of a CNN) diverge on inputs ``x ~ N(0, I)``; they are stable on
    inputs of unit expected norm, which for a ReLU network is the step
    ``step_size = mu / n_features`` on the raw data (the experiment
    ``reproduce oymak-sparse --paper-steps`` runs them so). The automatic
    step needs no such translation, which is why it is the default.

    References
    ----------
    S. Oymak, "Learning compact neural networks with regularization",
    ICML 2018.
    M. Soltanolkotabi, "Learning ReLUs via gradient descent", NeurIPS 2017.

    Examples
    --------
    >>> from sklearn_shallow import ProjectedShallowRegressor
    >>> from sklearn_shallow.datasets import make_sparse_network
    >>> X, y, truth = make_sparse_network(400, random_state=0)
    >>> est = ProjectedShallowRegressor(
    ...     constraint="l1", tau=truth.l1_norm, output_weights="ones",
    ...     fit_intercept=False, random_state=0).fit(X, y)
    >>> est.hidden_weights_.shape
    (20, 80)
    """

    _parameter_constraints = {
        **BaseShallowNetwork._parameter_constraints,
        **_ProjectedPart._parameter_constraints,
        "loss": [StrOptions(set(REGRESSION_LOSSES))],
    }

    def __init__(
        self,
        n_hidden=None,
        activation="relu",
        constraint=None,
        tau=None,
        groups=None,
        architecture=None,
        output_weights="learn",
        fit_intercept=True,
        loss="squared_error",
        init="auto",
        alpha="auto",
        solver="fista",
        step_size="auto",
        max_iter=2000,
        tol=1e-4,
        n_iter_no_change=10,
        batch_size="auto",
        early_stopping=False,
        validation_fraction=0.1,
        callback=None,
        random_state=None,
        warm_start=False,
        verbose=0,
    ):
        self.n_hidden = n_hidden
        self.activation = activation
        self.constraint = constraint
        self.tau = tau
        self.groups = groups
        self.architecture = architecture
        self.output_weights = output_weights
        self.fit_intercept = fit_intercept
        self.loss = loss
        self.init = init
        self.alpha = alpha
        self.solver = solver
        self.step_size = step_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.callback = callback
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose


class ProjectedShallowClassifier(
    ShallowClassifierMixin, _ProjectedPart, BaseShallowNetwork
):
    """One-hidden-layer classifier fitted by projected gradient descent.

    The classification twin of :class:`ProjectedShallowRegressor`: the same
    network, constraints, solvers and options, fitted to class labels. Two
    classes give one output, the log-odds of ``classes_[1]``, under the
    logistic loss; more classes give one output per class, sharing the
    hidden layer, under the multinomial (softmax cross-entropy) loss. The
    objective is the weighted mean loss plus the L2 penalty ``alpha``; the
    hidden weights stay in the constraint set ``C``.

    Parameters
    ----------
    n_hidden : int or None, default=None
        Number of hidden units (None: 20 for a dense layer).
    activation : str, Activation or (callable, callable), default='relu'
        As in :class:`ProjectedShallowRegressor`.
    constraint : {'l0', 'l0_row', 'l1', 'rank', 'nuclear', 'l0_features', \
            'l1_features'}, Constraint or None, default=None
        The set ``C`` the hidden weights are projected onto, sized by
        ``tau`` (see :class:`ProjectedShallowRegressor`).
    tau : float or int, default=None
        Size of a named constraint.
    groups : list of lists of int, default=None
        Input columns kept or dropped together, with
        ``constraint='l0_features'`` or ``'l1_features'`` (see
        :class:`ProjectedShallowRegressor`).
    architecture : 'dense', Convolution or None, default=None
    output_weights : {'learn', 'ones'} or array-like, default='learn'
        'ones' (two classes only) fixes the output weights to 1; an array of
        shape ``(n_hidden,)`` (two classes) or ``(n_hidden, n_classes)``
        fixes them to its values.
    fit_intercept : bool, default=True
        Fit one bias per output.
    init : {'auto', 'dense', 'random', 'zero', 'tensor'} or array-like, \
            default='auto'
        As in :class:`ProjectedShallowRegressor` ('auto': a projected
        unconstrained fit with a constraint); 'tensor' applies to two
        classes (the moments of the -1/+1 labels), and raises a ValueError
        for more.
    alpha : 'auto' or float, default='auto'
        L2 penalty ``alpha/2 (||W||^2 + ||o||^2)`` added to the mean loss;
        'auto' is as in :class:`ProjectedShallowRegressor`: ``c * min(1,
        500 / n_samples)`` with ``c`` 1e-2 on both layers, on the output
        weights only with a ball ('l1', 'nuclear'), 1e-3 on both with
        'l0', 'l0_row', 'rank' or a subspace, 0 with fixed output weights.
    solver : {'fista', 'spg', 'pgd', 'lbfgs'}, default='fista'
        Step policy, as in :class:`ProjectedShallowRegressor` (all blocks
        take gradient steps: the output layer is only solved exactly for
        the squared loss).
    step_size : float or 'auto', default='auto'
    max_iter : int, default=2000
    tol : float, default=1e-4
    n_iter_no_change : int, default=10
    batch_size : 'auto', int or None, default='auto'
        As in :class:`ProjectedShallowRegressor`: all rows below 50000,
        subsample stages that end on all rows from there.
    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the data, stop when
        its accuracy stops improving, keep the best weights.
    validation_fraction : float, default=0.1
    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, multiplying ``sample_weight``; 'balanced'
        weighs each class inversely to its frequency.
    callback : callable or None, default=None
    random_state : int, RandomState instance or None, default=None
    warm_start : bool, default=False
    verbose : int, default=0

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    hidden_weights_ : ndarray of shape (n_hidden, n_features)
    kernels_ : ndarray of shape (n_kernels, kernel_size)
        Only with a convolution.
    output_weights_ : ndarray of shape (n_hidden,) or (n_hidden, n_classes)
    intercept_ : float or ndarray of shape (n_classes,)
        A float for two classes.
    n_outputs_ : int
        1 for two classes, else the number of classes.
    loss_ : loss part
        The logistic or the multinomial loss.
    constraint_ : Constraint
    n_iter_ : int
    loss_curve_ : list of float
        Objective (mean loss plus penalty) after each iteration.
    validation_scores_ : list of float or None
        Validation accuracy after each iteration, with early stopping.
    best_validation_score_ : float or None
    step_size_ : float
    alpha_ : float
    alpha_output_ : float
    stationarity_ : float or None
    fit_stages_ : list of (int, int) or None
        Rows and iterations of the subsample stages and of the fit on all
        rows (``batch_size='auto'`` on large data), else None.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (`n_features_in_`,)

    See Also
    --------
    ProjectedShallowRegressor : the same network for regression.
    RVSMClassifier : sparse classifiers by relaxed variable splitting.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_shallow import ProjectedShallowClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), ProjectedShallowClassifier(
    ...     constraint="l0", tau=0.5, random_state=0)).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape, clf.score(X, y) > 0.9
    ((2, 3), True)
    """

    _parameter_constraints = {
        **BaseShallowNetwork._parameter_constraints,
        **_ProjectedPart._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        n_hidden=None,
        activation="relu",
        constraint=None,
        tau=None,
        groups=None,
        architecture=None,
        output_weights="learn",
        fit_intercept=True,
        init="auto",
        alpha="auto",
        solver="fista",
        step_size="auto",
        max_iter=2000,
        tol=1e-4,
        n_iter_no_change=10,
        batch_size="auto",
        early_stopping=False,
        validation_fraction=0.1,
        class_weight=None,
        callback=None,
        random_state=None,
        warm_start=False,
        verbose=0,
    ):
        self.n_hidden = n_hidden
        self.activation = activation
        self.constraint = constraint
        self.tau = tau
        self.groups = groups
        self.architecture = architecture
        self.output_weights = output_weights
        self.fit_intercept = fit_intercept
        self.init = init
        self.alpha = alpha
        self.solver = solver
        self.step_size = step_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.class_weight = class_weight
        self.callback = callback
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
