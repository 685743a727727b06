"""What a fit is made of, as plain data: the specification and its result.

An estimator's ``fit`` validates the data (:class:`FitData`), asks its
algorithm for a :class:`FitSpec` (the model, the units, the update rule, the
start, the loop settings), hands both to
:func:`~sklearn_shallow._fit.run.fit_network` and stores the
:class:`FitResult`. Nothing of a fit in progress lives on the estimator: a
fit that fails leaves it as it was.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import _array_api as aa


@dataclass
class FitData:
    """Validated training data: ``X``, encoded targets, weights and the loss.

    ``y`` is a float array of X's dtype, ``(n,)`` for one output
    (``n_outputs`` None) or ``(n, n_outputs)``; ``sample_weight`` includes
    the task's factors (class weights), or is None.

    ``host``: for an X of another namespace (under array API dispatch), a
    function that returns X as a numpy array, or None; a fit that runs on
    the host reads X through :meth:`host_X`, which copies it at most once
    per ``FitData`` (the CV estimators give every fold's data the rows of
    one host copy of all of X).
    """

    X: Any
    y: Any
    sample_weight: Any
    n_outputs: Any
    loss: Any
    host: Any = field(default=None, repr=False)

    def host_X(self):
        """X as a numpy array on the host (X itself for numpy X)."""
        if aa.namespace_of(self.X) is None:
            return self.X
        if self.host is None:
            copied = aa.to_numpy(self.X)
            self.host = lambda: copied
        return self.host()


@dataclass
class WarmUp:
    """A first descent before the fit's own (projected fits' dense start).

    It runs ``update`` under the penalties ``alpha``/``alpha_output`` without
    the user's callback; ``finish(params)`` (internal units) turns its end
    point into the start of the fit (for example the projection onto the
    constraint set). The fit then resumes the warm-up's loop state.
    """

    update: Any
    alpha: float
    alpha_output: float
    finish: Callable


@dataclass
class FitSpec:
    """Everything :func:`~sklearn_shallow._fit.run.fit_network` needs.

    ``model`` is in the user's units and ``units`` maps to and from the
    internal ones; ``start`` is the first point, in the user's units.
    ``start_map(params)``, when given, moves the start (in internal units)
    where the fit needs it (projected fits: into the constraint set).
    ``resume`` is the loop state a warm start continues (None: a cold
    start); ``continued`` says whether the history (``n_iter_``,
    ``loss_curve_``) extends the previous fit's. ``attributes`` are fitted
    attributes the algorithm adds (``constraint_``, ``penalty_``, ...),
    stored with the rest once the fit succeeds.

    Three hooks let an algorithm add to the objective and the loop without
    a loop of its own, all in the fit's internal units: ``regularisers``
    are parts of the objective (:mod:`~sklearn_shallow.regularisers`);
    ``monitor(objective)`` returns a stopping rule ``rule(info) -> bool``
    that the loop asks after each iteration (with the user's callback) and
    once at the start (a start it accepts takes no step);
    ``finish(objective, result)`` post-processes the descent's result (the
    quadratic nets' certificate and refinement). ``support(hidden)``, for
    a set that keeps some input columns at zero (``l0_features``), returns
    the columns a start reads: the fit then first descends on those columns
    alone (see :func:`~._fit.run._descend_by_support`); ``narrowing`` are
    update rules onto larger sets it passes through first, largest first
    (the halving budgets of a dense start). ``exchange(hidden)``
    returns ``(labels, used)``, the group of each column and whether each
    group is in use, for the swaps of one group for another (see
    :func:`~._fit.run._exchange`), or None.
    ``device_hooks``: whether ``regularisers``, ``monitor`` and ``finish``
    work on arrays of any namespace (the quadratic nets'), so that the fit
    can run on the device of an X of another namespace with them (see
    :func:`~._fit.run.on_device`).
    ``check_constant``: whether
    the fit looks for a constant predictor at the end (not in a
    ``partial_fit`` pass). ``subsamples``: increasing row counts of the
    large-data continuation (:func:`~._fit.run._descend_by_subsample`),
    full-batch descents on random subsamples, each handing its end point
    to the next; the fit on all rows follows (empty: no stages).
    """

    model: Any
    units: Any
    update: Any
    start: list
    loss: Any
    start_map: Any = None
    alpha: float = 0.0
    alpha_output: float = 0.0
    exact_linear: bool = True
    solver: str = "fista"
    step_size: Any = "auto"
    max_iter: int = 200
    tol: float = 1e-5
    n_iter_no_change: int = 10
    batch_size: Any = None
    validation_fraction: Any = None
    split: Any = None
    score: Any = None
    callback: Any = None
    verbose: int = 0
    warm_up: Any = None
    resume: Any = None
    continued: bool = False
    init: Any = "random"
    check_constant: bool = True
    attributes: dict = field(default_factory=dict)
    regularisers: tuple = ()
    monitor: Any = None
    finish: Any = None
    device_hooks: bool = False
    support: Any = None
    narrowing: tuple = ()
    exchange: Any = None
    subsamples: tuple = ()


@dataclass
class FitResult:
    """The outcome of :func:`~sklearn_shallow._fit.run.fit_network`.

    ``descent`` is the loop's
    :class:`~sklearn_shallow.solvers.DescentResult` with its parameters in
    the user's units; ``constant`` is ``(reason, value)`` when the network
    predicts one value on the training samples (None otherwise);
    ``stages`` the ``(rows, iterations)`` of each subsample stage and of
    the fit on all rows, or None when the fit ran on all rows only.
    """

    descent: Any
    constant: Any = None
    stages: Any = None
