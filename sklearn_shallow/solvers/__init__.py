"""The descent loop, written once for every estimator.

:func:`descend` minimises an objective over a list of parameter blocks. What
differs between algorithms is the update rule
(:mod:`~sklearn_shallow.solvers.updates`): plain projected gradient descent
projects the hidden parameters after each step; other rules (RVSM, ADMM) add
a smooth coupling term and update auxiliary variables between steps. Rules
declare what they are (``smooth``, ``stateful``, ``accelerable``,
``convex``) and the solvers check the declarations. How the step is chosen
is the *solver*:

``'pgd'``, ``'fista'``, ``'spg'``
    First-order step policies (:mod:`~sklearn_shallow.solvers.policies`):
    projected gradient, accelerated projected gradient with restart, and
    spectral projected gradient, on one batch
    (:mod:`~sklearn_shallow.solvers.fullbatch`). Their step size is fixed or
    found by backtracking (:mod:`~sklearn_shallow.solvers.linesearch`).
    With several batches every policy takes plain steps, epoch by epoch
    (:mod:`~sklearn_shallow.solvers.minibatch`).
``'lbfgs'``
    Limited-memory BFGS for smooth problems on one batch
    (:mod:`~sklearn_shallow.solvers.lbfgs`).

One stopping rule (:mod:`~sklearn_shallow.solvers.stopping`) decides for all
of them when a fit stops and whether it converged; failures are never
reported as convergence (:mod:`~sklearn_shallow.solvers.errors`).
"""

import numpy as np

from .errors import (
    DegenerateFitWarning,
    DivergenceError,
    StepSearchError,
    rows_that_can_vary,
    warn_constant_fit,
)
from .fullbatch import FullBatchRun
from .lbfgs import LBFGSRun, check_lbfgs
from .minibatch import MiniBatchRun
from .policies import POLICIES
from .run import DescentResult
from .updates import UPDATES, ADMMUpdate, RVSMUpdate, UpdateRule

__all__ = [
    "SOLVERS",
    "ADMMUpdate",
    "DegenerateFitWarning",
    "DescentResult",
    "DivergenceError",
    "RVSMUpdate",
    "StepSearchError",
    "UPDATES",
    "UpdateRule",
    "check_solver",
    "descend",
    "rows_that_can_vary",
    "warn_constant_fit",
]

SOLVERS = ("fista", "spg", "pgd", "lbfgs")


def check_solver(update, solver):
    """Raise a ``ValueError`` when ``solver`` cannot take the steps of
    ``update`` (L-BFGS needs a smooth, stateless rule); estimators call it
    before they fit, the loop again at its start."""
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}; got {solver!r}.")
    if solver == "lbfgs":
        check_lbfgs(update)


def descend(
    objective,
    params,
    update,
    *,
    solver="pgd",
    step_size="auto",
    max_iter=200,
    tol=1e-5,
    n_iter_no_change=10,
    shuffle=True,
    rng=None,
    validate=None,
    callback=None,
    verbose=0,
    names=None,
    state=None,
    max_iter_shown=None,
):
    """Minimise ``objective`` from ``params`` with ``update``.

    Parameters
    ----------
    objective : Objective
        Provides ``batches()``, ``reorder(rng)``, ``value(params, batch)`` and
        ``gradient(params, batch, out)`` (both with a ``weight_decay``
        switch, for the start check); optionally ``solved_blocks``, the
        indices of blocks that ``value`` itself sets to their exact minimiser
        (their gradient is zero and they do not count for stationarity).
    params : list of ndarray
        Starting point; not modified.
    update : UpdateRule
    solver : {'pgd', 'fista', 'spg', 'lbfgs'}, default='pgd'
        Step policy of full-batch fits (see the module docstring).
        Mini-batch epochs always take plain steps. 'lbfgs' needs a smooth
        problem on one batch: an update rule that declares ``smooth`` and
        not ``stateful`` (a ``ValueError`` says what is in the way).
        'fista' with a rule that is not ``accelerable`` takes plain steps.
    step_size : float or 'auto'
        Unused by 'lbfgs'.
    max_iter : int
        Number of iterations (full batch) or epochs (mini-batches).
    tol : float
        Relative tolerance of the stopping rule
        (:mod:`~sklearn_shallow.solvers.stopping`).
    n_iter_no_change : int
    shuffle : bool
        Reshuffle rows every epoch when there are several batches.
    rng : numpy.random.Generator
    validate : callable or None
        ``validate(params) -> score`` (higher is better); the parameters with
        the best score are returned, and the fit stops when the score has not
        risen above ``best + tol`` for ``n_iter_no_change`` iterations.
    callback : callable or None
        ``callback(info) -> bool``; ``info`` is a dict with ``iteration``,
        ``loss``, ``step_size``, ``validation_score`` and ``params`` (a dict
        of the current arrays by name, read-only). Returning True stops.
    verbose : int
    names : list of str
        Names of the parameter blocks, for the callback.
    state : dict or None
        ``result.state`` of a previous descent to resume from (a warm
        start): its last step size starts the step search, and the update
        rule resumes its own variables (RVSM's ``u``, ADMM's ``z``).
        Momentum restarts: a warm start may change the problem.
    max_iter_shown : int or None
        The ``max_iter`` a message names (None: ``max_iter``): the fit's,
        when this descent is a stage given what the earlier ones left.

    Returns
    -------
    result : DescentResult
        Never warns: the caller reports a fit that did not converge (so that
        the warning points at the user's call).
    """
    check_solver(update, solver)
    n_batches = len(objective.batches())
    if solver == "lbfgs" and n_batches > 1:
        raise ValueError(
            f"solver='lbfgs' takes full-batch steps, but the data come in "
            f"{n_batches} mini-batches. Use one batch (batch_size=None) or "
            "solver='pgd' for mini-batches."
        )
    if solver == "fista" and not update.accelerable:
        solver = "pgd"
    options = dict(
        step_size=step_size,
        max_iter=max_iter,
        tol=tol,
        n_iter_no_change=n_iter_no_change,
        validate=validate,
        callback=callback,
        verbose=verbose,
        names=names or [str(i) for i in range(len(params))],
        state=state,
        max_iter_shown=max_iter_shown,
    )
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if solver == "lbfgs":
            return LBFGSRun(objective, params, update, **options).run()
        if n_batches > 1:
            return MiniBatchRun(objective, params, update, **options).run(shuffle, rng)
        return FullBatchRun(objective, params, update, **options).run(POLICIES[solver])
