"""The descent loop, written once for every estimator.

:func:`descend` minimises an objective over a list of parameter blocks. What
differs between algorithms is the :class:`UpdateRule`: plain projected
gradient descent projects the hidden parameters after each step; other rules
(RVSM, ADMM) add a smooth coupling term and update auxiliary variables
between steps. How the step is chosen is the *solver* (a step policy):

``'pgd'``
    Projected (proximal) gradient descent, the papers' algorithm:
    ``x+ = P(x - mu g(x))``.
``'fista'``
    Accelerated projected gradient with adaptive restart (Beck & Teboulle
    2009; O'Donoghue & Candes 2015): the step is taken from the extrapolated
    point ``y = x + beta_k (x - x_prev)``; when the objective at the new point
    exceeds the one at ``x``, the momentum is reset and the step is retaken
    from ``x``. The accepted iterates therefore decrease the objective
    monotonically and are always feasible (the projection is applied last),
    also for the non-convex sets (l0, rank).
``'spg'``
    Spectral projected gradient (Birgin, Martinez & Raydan 2000; in the
    projected-arc form of Wright, Nowak & Figueiredo's SpaRSA): the first
    trial step is the Barzilai-Borwein step ``<s, s> / <s, g_k - g_{k-1}>``
    and a candidate is accepted against the largest of the last
    :data:`SPG_MEMORY` objective values (non-monotone); for non-convex sets
    the test is against the current value (monotone).
``'lbfgs'``
    Limited-memory BFGS (scipy's L-BFGS-B, no bounds) for smooth problems:
    an update rule without a projection and without auxiliary variables or
    coupling terms, on one batch. The blocks the loop steps on are packed
    into one float64 vector (the way scikit-learn's MLP packs its
    coefficients for L-BFGS) and unpacked into the parameters' own dtype for
    every evaluation; blocks the objective solves exactly
    (``solved_blocks``) stay out of the vector and are read back after each
    evaluation. scipy's own tests are switched off (``ftol = gtol = 0``) so
    that the loop's stopping rule below applies unchanged, with the gradient
    in place of the gradient mapping (they are equal without a projection).
    L-BFGS has no step size of its own (its line search scales a
    quasi-Newton direction): ``step_size`` is not used and the step
    reported is ``nan``.

Step sizes
----------
A float is used as it is. ``'auto'`` backtracks: a candidate
``x+ = P(y - mu g(y))`` from the point ``y`` where the gradient was taken is
accepted when

    f(x+) <= f(y) + <g, x+ - y> + ||x+ - y||^2 / (2 mu),

the descent-lemma test that holds whenever ``mu <= 1/L`` (for 'spg' the
non-monotone test above); otherwise ``mu`` is halved. A rejected candidate
costs one forward pass (one matrix product).

Stopping
--------
With one batch (full-batch fits) the loop measures stationarity by the norm
of the gradient mapping ``G(y) = (y - P(y - mu g(y))) / mu`` over the blocks
it steps on, which is zero exactly at the stationary points of the
constrained problem. It stops as converged when ``||G|| <= tol * ||G_0||``
(``G_0`` at the start) and the objective fell by less than ``tol`` times its
first value over the last ``n_iter_no_change`` iterations, or when the
objective reaches zero; ``tol`` below :data:`ROUNDING` machine epsilons
counts as that many (``tol=0`` stops at the rounding level). At ReLU kinks
``G`` need not vanish and the accepted steps collapse; the fit then also
stops as converged once the step is below :data:`COLLAPSE` of the largest,
the objective changed by less than ``tol`` (relative) over
``n_iter_no_change`` iterations and the running mean of the accepted
gradient-mapping vectors is below :data:`NONSMOOTH_AVERAGE` of
``||G_0||`` (the one-sided gradients of a kink average out; those of a slow,
badly scaled valley do not). When the objective stops changing at rounding
level elsewhere, or no step decreases it at a point that passes neither
test, the fit is reported as not converged, with the measured stationarity.
With 'lbfgs' the same tests apply to the gradient; when its line search
finds no decrease (scipy's "abnormal termination"), the fit is converged if
the gradient is below ``tol`` (or rounding) of its first value, or the
objective changed by less than ``tol`` (relative) over the last
``n_iter_no_change`` iterations, as for the other policies.
With several batches (mini-batch epochs) the gradient mapping is noisy and
the loop stops when the epoch loss has not fallen below ``best * (1 - tol)``
for ``n_iter_no_change`` epochs. With ``validate`` the validation score
replaces both.

Failures are never reported as convergence: a fixed step that makes the loss
non-finite or explode raises :class:`DivergenceError`; a gradient that is
not finite, or a step search that finds no decrease at a point that is not
stationary (a wrong derivative, a step below rounding), raises
:class:`StepSearchError`.
"""

import math
import time
import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

GROW = 1.5
SHRINK = 0.5
INITIAL_STEP = 1.0
EXPLODE = 1e12
SPG_MEMORY = 10
BB_BOUNDS = (1e-10, 1e10)
SOLVERS = ("fista", "spg", "pgd", "lbfgs")
COLLAPSE = 1e-3
NONSMOOTH_AVERAGE = 0.25  # diabetes stops at 0.04-0.10; a badly scaled X at 0.56+
#: Multiples of the machine epsilon below which the stationarity and loss-change
#: tests pass whatever ``tol`` (``tol=0`` then stops at the rounding level).
ROUNDING = 16
#: Fractions of the first difference step the start check also tries.
SLOPE_SHRINKS = (1.0, 1e-2, 1e-4)
#: Function evaluations L-BFGS may spend per iteration, on average, before
#: it stops as having reached ``max_iter`` (its line search usually takes one
#: or two).
LBFGS_EVALUATIONS_PER_ITERATION = 20
#: The methods of :class:`UpdateRule` a rule overrides when it carries state
#: of its own (auxiliary variables, coupling terms): such rules cannot use
#: L-BFGS, whose model of the objective assumes one fixed smooth function.
_RULE_HOOKS = (
    "start",
    "extra_value",
    "add_extra_gradient",
    "step",
    "after_step",
    "residual",
    "record",
    "output",
)


class DivergenceError(FloatingPointError):
    """Raised when a fit with a fixed step size diverges."""


class StepSearchError(FloatingPointError):
    """Raised when no step decreases the objective at a non-stationary point.

    With a correct gradient a small enough step always decreases a smooth
    objective; this error means the gradient is wrong (for instance a custom
    activation whose derivative has the wrong sign or is not finite) or the
    step is below the rounding level of the weights.
    """


class DegenerateFitWarning(ConvergenceWarning):
    """A fit ended as a constant predictor (every unit dead, or no output).

    A subclass of :class:`~sklearn.exceptions.ConvergenceWarning`, so that
    the filters people already set for model selection apply to it as well.
    """


def rows_that_can_vary(X, y, sample_weight):
    """The training rows of positive weight, or None when y is constant there.

    A constant prediction is only degenerate when y varies: the checks for
    constant fits look at these rows and say nothing when this is None.
    """
    rows = slice(None) if sample_weight is None else sample_weight > 0
    X, y = X[rows], y[rows]
    if X.shape[0] < 2 or np.ptp(y) == 0:
        return None
    return X, y


def warn_constant_fit(reason, constant, advice, stacklevel):
    """Issue the :class:`DegenerateFitWarning` of a fit that predicts a constant.

    ``stacklevel`` counts from the caller of this function.
    """
    warnings.warn(
        f"The fitted network is a constant predictor: {reason}, so it "
        f"predicts {constant:.6g} for every training sample. {advice}",
        DegenerateFitWarning,
        stacklevel=stacklevel + 1,
    )


class UpdateRule:
    """Projected gradient step: ``x+ = P(x - mu g)`` on the hidden block.

    Parameters
    ----------
    project : callable or None
        Projection applied to the hidden parameters (block 0) after each step.
    convex : bool, default=True
        Whether the set projected onto is convex. The spectral solver is
        only non-monotone on convex sets.
    """

    #: Whether momentum (solver='fista') suits the rule. A rule whose
    #: objective moves every step (ADMM's multiplier) takes plain steps.
    accelerable = True

    def __init__(self, project=None, convex=True):
        self.project = project
        self.convex = convex

    def start(self, params, state=None):
        """Called once before the first step.

        ``state`` is what :meth:`get_state` returned at the end of a previous
        fit (a warm start), or None.
        """

    def get_state(self):
        """The rule's own variables, to resume from in a warm start."""
        return {}

    def extra_value(self, params):
        """Smooth term added to the data loss (0 for plain PGD)."""
        return 0.0

    def add_extra_gradient(self, params, grads):
        """Add the gradient of :meth:`extra_value` to ``grads`` in place."""

    def step(self, params, grads, mu, out):
        """Write the candidate point into ``out`` and return it."""
        for x, g, o in zip(params, grads, out):
            np.multiply(g, -mu, out=o)
            o += x
        if self.project is not None:
            out[0] = self.project(out[0])
        return out

    def after_step(self, params):
        """Called after each accepted step (auxiliary variable updates)."""

    def residual(self, params):
        """A stationarity term of the rule's own (0 here).

        Added (in quadrature) to the gradient mapping by the stopping rule,
        for rules whose fixed points need more than a zero gradient mapping
        (ADMM: the gap between its two copies of the weights).
        """
        return 0.0

    def record(self, data_loss, params):
        """Value stored in the loss curve, given the data loss at ``params``."""
        return data_loss

    def output(self, params):
        """The parameters the fitted model predicts with (``params`` here)."""
        return params


class DescentResult:
    """What :func:`descend` returns.

    ``converged`` is True only when a stopping rule that certifies the fit
    ended it (stationarity, zero loss, validation, the callback);
    ``message`` says why the loop stopped in words.
    """

    def __init__(
        self,
        params,
        raw_params,
        n_iter,
        loss_curve,
        validation_scores,
        best_validation_score,
        converged,
        step_size,
        message="",
        stationarity=None,
        state=None,
    ):
        self.params = params  # what the model predicts with
        self.raw_params = raw_params  # the loop's own variables (warm starts)
        self.n_iter = n_iter
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.best_validation_score = best_validation_score
        self.converged = converged
        self.step_size = step_size
        self.message = message
        self.stationarity = stationarity
        # What a warm start resumes from besides the parameters: the last
        # step size and the update rule's own variables.
        self.state = state


def _inner(a, b, blocks):
    return sum(float(np.vdot(a[i], b[i])) for i in blocks)


def _dist2(a, b, blocks):
    total = 0.0
    for i in blocks:
        d = a[i] - b[i]
        total += float(np.vdot(d, d))
    return total


def _max_abs(arrays, blocks):
    return max(
        (float(np.max(np.abs(arrays[i]))) for i in blocks if arrays[i].size),
        default=0.0,
    )


def _check_gradient(grads, iteration):
    for g in grads:
        if not np.all(np.isfinite(g)):
            raise StepSearchError(
                f"The gradient is not finite at iteration {iteration} while the "
                "loss is. Check the activation's derivative (a custom "
                "activation's derivative must be finite wherever its value is)."
            )


def _require_smooth(update):
    """Raise unless ``update`` is a plain gradient step on a smooth objective."""
    if update.project is not None:
        owner = getattr(update.project, "__self__", update.project)
        raise ValueError(
            "solver='lbfgs' needs a smooth problem, but the hidden weights are "
            f"projected onto the constraint {owner!r} after every step; "
            "L-BFGS cannot keep them feasible. Use solver='fista' (or 'spg', "
            "'pgd') for a constrained fit."
        )
    hooks = [
        h for h in _RULE_HOOKS if getattr(type(update), h) is not getattr(UpdateRule, h)
    ]
    if hooks:
        penalty = getattr(update, "penalty", None)
        what = (
            f"the penalty {penalty!r} through {type(update).__name__}"
            if penalty is not None
            else f"the update rule {type(update).__name__}"
        )
        raise ValueError(
            f"solver='lbfgs' needs a smooth problem, but {what} is non-smooth "
            "or keeps variables of its own between steps (it overrides "
            f"{', '.join(hooks)}). Use solver='fista' (or 'spg', 'pgd')."
        )


def _pack(arrays, blocks, out=None):
    """The blocks ``blocks`` of ``arrays`` as one float64 vector."""
    parts = [np.ravel(arrays[i]) for i in blocks]
    if out is None:
        out = np.empty(sum(p.size for p in parts), dtype=np.float64)
    start = 0
    for p in parts:
        out[start : start + p.size] = p
        start += p.size
    return out


def _unpack(theta, arrays, blocks):
    """Write the float64 vector ``theta`` into the blocks of ``arrays``."""
    start = 0
    for i in blocks:
        a = arrays[i]
        a[...] = theta[start : start + a.size].reshape(a.shape)
        start += a.size


class _Evaluator:
    """Objective value and gradient with the update rule's extra term."""

    def __init__(self, objective, update, batch):
        self.objective = objective
        self.update = update
        self.batch = batch

    def value(self, params):
        """``(data loss, full objective)`` at ``params`` (forward pass)."""
        data = self.objective.value(params, self.batch)
        return data, data + self.update.extra_value(params)

    def gradient(self, params, out):
        self.objective.gradient(params, self.batch, out=out)
        self.update.add_extra_gradient(params, out)
        return out


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
):
    """Minimise ``objective`` from ``params`` with ``update``.

    Parameters
    ----------
    objective : Objective
        Provides ``batches()``, ``reorder(rng)``, ``value(params, batch)`` and
        ``gradient(params, batch, out)``; optionally ``solved_blocks``, the
        indices of blocks that ``value`` itself sets to their exact minimiser
        (their gradient is zero and they do not count for stationarity).
    params : list of ndarray
        Starting point; not modified.
    update : UpdateRule
    solver : {'pgd', 'fista', 'spg', 'lbfgs'}, default='pgd'
        Step policy of full-batch fits (see the module docstring).
        Mini-batch epochs always take plain steps. 'lbfgs' needs a smooth
        problem on one batch: an ``UpdateRule`` without ``project`` and
        without state of its own (a ``ValueError`` says what is in the way).
    step_size : float or 'auto'
        Unused by 'lbfgs'.
    max_iter : int
        Number of iterations (full batch) or epochs (mini-batches).
    tol : float
        Relative tolerance of the stopping rule (see the module docstring).
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

    Returns
    -------
    result : DescentResult
        Never warns: the caller reports a fit that did not converge (so that
        the warning points at the user's call).
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}; got {solver!r}.")
    names = names or [str(i) for i in range(len(params))]
    loop = _Loop(
        objective,
        params,
        update,
        step_size,
        max_iter,
        tol,
        n_iter_no_change,
        validate,
        callback,
        verbose,
        names,
        state,
    )
    if solver == "fista" and not update.accelerable:
        solver = "pgd"
    if solver == "lbfgs":
        _require_smooth(update)
        n_batches = len(objective.batches())
        if n_batches > 1:
            raise ValueError(
                f"solver='lbfgs' takes full-batch steps, but the data come in "
                f"{n_batches} mini-batches. Use one batch (batch_size=None) or "
                "solver='pgd' for mini-batches."
            )
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return loop.run_lbfgs()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if len(objective.batches()) > 1:
            return loop.run_batches(shuffle, rng)
        return loop.run_full(solver)


class _Loop:
    """State shared by the full-batch and mini-batch loops."""

    def __init__(
        self,
        objective,
        params,
        update,
        step_size,
        max_iter,
        tol,
        n_iter_no_change,
        validate,
        callback,
        verbose,
        names,
        state=None,
    ):
        self.objective = objective
        self.update = update
        self.fixed = step_size != "auto"
        self.step_size = step_size
        self.mu = float(step_size) if self.fixed else INITIAL_STEP
        state = state or {}
        last_mu = state.get("mu")
        # A warm start resumes the last step size (a fit of 7 + 5 iterations
        # is the fit of 12), unless the fit it resumes ended with collapsed
        # steps (below COLLAPSE of its largest accepted step, at a kink or at
        # the rounding level of its optimum): the search would then only
        # shrink from there, and a warm start must never be weaker than a
        # cold one, so it starts from the cold rule's step.
        self.mu_max = float(state.get("mu_max") or 0.0)
        if not self.fixed and last_mu is not None and math.isfinite(last_mu):
            collapsed = last_mu < COLLAPSE * self.mu_max
            self.mu = INITIAL_STEP if collapsed else float(last_mu)
        # A resumed fit's first step search that finds no decrease tries
        # once more from the cold step before judging the point.
        self.cold_retry = bool(state) and not self.fixed
        self.update_state = state.get("update")
        # The scales the stopping rule measures against (the first objective
        # value and gradient mapping of the cold fit): a warm start that
        # begins near a stationary point must not be asked to shrink its own,
        # already small, gradient by another factor tol.
        self.reference = (state.get("f0"), state.get("G0"))
        # A warm start resumes a fit whose gradient was checked at its own
        # start; its point may now sit on a kink of every unit (weights
        # thresholded to zero), where central differences cannot judge it.
        self.check_start = not state
        self.resumed = bool(state)
        self.f0 = self.G0 = None
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.validate = validate
        self.callback = callback
        self.verbose = verbose
        self.names = names
        self.x = [p.copy() for p in params]
        solved = set(getattr(objective, "solved_blocks", ()))
        self.free = [i for i in range(len(params)) if i not in solved]
        self.loss_curve, self.val_scores = [], []
        self.best_val, self.best_params = -np.inf, None
        self.val_no_change = 0
        self.report_every = 1 if verbose > 1 else max(1, max_iter // 10)
        self.start_time = time.perf_counter()
        self.eps = float(np.finfo(self.x[0].dtype).eps)
        # tol=0 asks for as stationary as rounding allows: a gradient mapping
        # and a loss change at the rounding level are that.
        self.stop_tol = max(self.tol, ROUNDING * self.eps)

    # ---- shared pieces ---------------------------------------------------
    def _stationary(self, stationarity, loss, first):
        """The stationarity stop: the gradient (mapping) down to ``tol`` of
        its first value and the objective fallen by less than ``tol`` of its
        first value over the last ``n_iter_no_change`` iterations."""
        m = self.n_iter_no_change
        settled = len(self.loss_curve) > m and self.loss_curve[
            -m - 1
        ] - loss <= self.stop_tol * abs(first)
        return settled and stationarity <= self.stop_tol

    def _first(self, f):
        """The objective scale of the stopping rule: this fit's first value,
        or the cold fit's when resuming (whichever is larger)."""
        previous = self.reference[0]
        self.f0 = f if previous is None else max(f, previous)
        return self.f0

    def _slack(self, f):
        # Rounding room in the sufficient-decrease tests.
        return (1e3 * self.eps) * abs(f) if self.eps < 1e-10 else 10 * self.eps * abs(f)

    def _diverged(self, f_new, first, iteration):
        if not np.isfinite(f_new) or f_new > EXPLODE * max(first, 1e-300):
            raise DivergenceError(
                f"The fit diverged at iteration {iteration}: the loss went from "
                f"{first:.3g} to {f_new:.3g} with the fixed "
                f"step_size={self.step_size}. Use a smaller step_size or "
                "step_size='auto'."
            )

    def _validate(self, x):
        """Score the current model; True when validation says stop."""
        current = self.update.output(x)
        score = float(self.validate(current))
        self.val_scores.append(score)
        if score > self.best_val + self.tol:
            self.val_no_change = 0
        else:
            self.val_no_change += 1
        if score > self.best_val:
            self.best_val = score
            self.best_params = [p.copy() for p in current]
        return score

    def _report(self, iteration, loss, score, extra=""):
        if self.verbose and (iteration % self.report_every == 0 or iteration == 1):
            msg = f"Iteration {iteration}, loss = {loss:.6g}"
            msg += (
                f", step = {self.mu:.3g}"
                if not self.fixed and self.mu == self.mu
                else ""
            )
            msg += extra
            if score is not None:
                msg += f", validation score = {score:.6g}"
            msg += f", {time.perf_counter() - self.start_time:.2f} s"
            print(msg, flush=True)

    def _callback(self, iteration, loss, score, x):
        if self.callback is None:
            return False
        info = {
            "iteration": iteration,
            "loss": loss,
            "step_size": self.mu,
            "validation_score": score,
            "params": dict(zip(self.names, self.update.output(x))),
        }
        return bool(self.callback(info))

    def _result(self, x, iteration, converged, message, stationarity):
        if self.verbose:
            print(f"Stopped after {iteration} iterations: {message}", flush=True)
        final = self.update.output(x)
        if self.validate is not None and self.best_params is not None:
            final = self.best_params
        return DescentResult(
            params=final,
            raw_params=x,
            n_iter=iteration,
            loss_curve=self.loss_curve,
            validation_scores=self.val_scores,
            best_validation_score=(
                self.best_val if self.validate is not None else None
            ),
            converged=converged,
            step_size=self.mu,
            message=message,
            stationarity=stationarity,
            state={
                "mu": self.mu,
                "mu_max": self.mu_max,
                "update": self.update.get_state(),
                "f0": self.f0,
                "G0": self.G0,
            },
        )

    # ---- full batch --------------------------------------------------------
    def _search(self, ev, point, f_point, g_point, cand, reference, spg):
        """Backtracking from ``point``; returns ``(data, f, ok, G_first)``.

        ``G_first`` is the gradient mapping at the first trial step, the
        stationarity measure of ``point``. ``ok`` is False when the step fell
        below the rounding level of the weights without a decrease.
        """
        free = self.free
        g_max = _max_abs(g_point, free)
        x_max = _max_abs(point, free)
        G_first = None
        while True:
            self.update.step(point, g_point, self.mu, out=cand)
            data_c, f_c = ev.value(cand)
            d2 = _dist2(cand, point, free)
            if G_first is None:
                G_first = math.sqrt(d2) / self.mu
            if self.fixed:
                if self.mu * g_max <= self.eps * x_max and g_max > 0:
                    if self.loss_curve or self.resumed:
                        # Steps were taken (in this fit or the one it resumes)
                        # and the gradient has fallen to the rounding level of
                        # the weights: the loop decides whether that is a
                        # stationary point.
                        return data_c, f_c, False, G_first
                    raise StepSearchError(
                        f"step_size={self.step_size} is below the rounding level "
                        f"of the weights (largest |gradient| {g_max:.3g}, largest "
                        f"|weight| {x_max:.3g}): the weights cannot change. Use a "
                        "larger step_size or step_size='auto'."
                    )
                return data_c, f_c, True, G_first
            if spg:
                bound = reference - 1e-4 * d2 / (2 * self.mu)
            else:
                lin = _inner(g_point, cand, free) - _inner(g_point, point, free)
                bound = f_point + lin + d2 / (2 * self.mu)
            # A step must also decrease the objective: one accepted only by
            # the rounding slack makes no progress and would let a broken
            # gradient pass for a converged fit.
            below = reference if spg else f_point
            if np.isfinite(f_c) and f_c <= bound + self._slack(f_point) and f_c < below:
                return data_c, f_c, True, G_first
            self.mu *= SHRINK
            self.rejected = True
            if self.mu * g_max <= self.eps * x_max or self.mu < 1e-300:
                if self.cold_retry and self.mu < INITIAL_STEP * SHRINK:
                    self.cold_retry = False
                    self.mu = INITIAL_STEP
                    continue
                return data_c, f_c, False, G_first

    def _check_slope(self, batch, x):
        """Raise when the gradient does not describe the loss at the start.

        Central differences of the data loss (weight decay and the update
        rule's coupling term switched off: they are exact and can hide the
        network's part) along the normalised negative gradient and along a
        fixed random direction must match the gradient's prediction. A
        derivative of the wrong sign or scale, or zero, fails at once
        instead of stalling the step search later, where it could pass for
        a non-smooth point. Skipped in float32 (too coarse for it).
        """
        if self.eps > 1e-10:
            return
        objective, free = self.objective, self.free
        alpha = getattr(objective, "alpha", 0.0)
        objective.alpha = 0.0
        try:
            f = objective.value(x, batch)
            g = objective.gradient(x, batch, [np.empty_like(a) for a in x])
            _check_gradient(g, 0)
            norm = math.sqrt(sum(float(np.vdot(g[i], g[i])) for i in free))
            h = 1e-6 * max(_max_abs(x, free), 1.0)
            rng = np.random.default_rng(0)
            directions = [] if norm == 0 else [[-a / norm for a in g]]
            random = [rng.standard_normal(a.shape).astype(a.dtype) for a in x]
            size = math.sqrt(sum(float(np.vdot(random[i], random[i])) for i in free))
            directions.append([a / size for a in random])
            for d in directions:
                # h follows the largest parameter, which may sit in another
                # block than the curvature (a quadratic net's intercept far
                # from 0): a smaller h that matches clears the gradient too.
                for shrink in SLOPE_SHRINKS:
                    step = h * shrink
                    probes = []
                    for sign in (1.0, -1.0):
                        p = [a.copy() for a in x]
                        for i in free:
                            p[i] += (sign * step) * d[i]
                        probes.append(objective.value(p, batch))
                    slope = (probes[0] - probes[1]) / (2 * step)
                    predicted = _inner(g, d, free)
                    scale = max(abs(slope), abs(predicted), 1e-3 * norm)
                    rounding = 1e3 * self.eps * abs(f) / step
                    if (
                        np.isfinite(slope)
                        and abs(slope - predicted) <= 0.5 * scale + rounding
                    ):
                        break
                else:
                    raise StepSearchError(
                        "The gradient does not match the loss at the starting "
                        f"point: along a direction the loss changes at rate "
                        f"{slope:.3g}, where the gradient predicts "
                        f"{predicted:.3g}. Check the activation's derivative (a "
                        "custom activation's derivative must be the derivative "
                        "of its value)."
                    )
        finally:
            objective.alpha = alpha

    def run_full(self, solver):
        objective, update, free = self.objective, self.update, self.free
        ev = _Evaluator(objective, update, objective.batches()[0])
        x = self.x
        update.start(x, self.update_state)
        cand = [np.empty_like(p) for p in x]
        y = [np.empty_like(p) for p in x]
        g_x = [np.empty_like(p) for p in x]
        g_y = [np.empty_like(p) for p in x]
        x_prev = [np.empty_like(p) for p in x]
        g_prev = [np.empty_like(p) for p in x]
        data_x, f_x = ev.value(x)
        if not np.isfinite(f_x):
            raise DivergenceError(
                f"The loss at the initial point is not finite ({f_x})."
            )
        first = self._first(f_x)
        # Iteration 1 takes the gradient at x (the check leaves the cache cold).
        if self.check_start:
            self._check_slope(ev.batch, x)
        have_prev = False  # x_prev (and g_prev for spg) hold the last iterate
        t_k = 1.0  # FISTA's momentum sequence
        recent = [f_x]
        mu_max = mu_accepted = 0.0
        ema, averaged = None, np.inf
        G0 = self.reference[1]
        stationarity = None
        converged, message = False, ""
        iteration = 0
        restarts = 0
        for iteration in range(1, self.max_iter + 1):
            # 1. The point the step is taken from: x, or FISTA's extrapolation.
            t_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t_k * t_k))
            momentum = (t_k - 1.0) / t_next if solver == "fista" and have_prev else 0.0
            point = x
            if momentum > 0.0:
                for a, b, c in zip(y, x, x_prev):
                    np.subtract(b, c, out=a)
                    a *= momentum
                    a += b
                data_y, f_y = ev.value(y)
                if np.isfinite(f_y):
                    ev.gradient(y, out=g_y)
                    _check_gradient(g_y, iteration)
                    point, f_point, g_point = y, f_y, g_y
            if point is x:
                ev.gradient(x, out=g_x)  # reuses the forward pass of x if cached
                _check_gradient(g_x, iteration)
                f_point, g_point = f_x, g_x
            # 2. First trial step: Barzilai-Borwein for the spectral policy.
            if not self.fixed and solver == "spg" and have_prev:
                s2 = _dist2(x, x_prev, free)
                sy = sum(
                    float(np.vdot(x[i] - x_prev[i], g_x[i] - g_prev[i])) for i in free
                )
                if sy > 0 and s2 > 0:
                    self.mu = min(max(s2 / sy, BB_BOUNDS[0]), BB_BOUNDS[1])
            # 3. Step search.
            spg = solver == "spg"
            reference = max(recent) if spg and update.convex else f_x
            self.rejected = False
            mu_start = self.mu
            data_c, f_c, ok, G = self._search(
                ev, point, f_point, g_point, cand, reference, spg
            )
            self.cold_retry = False
            if self.fixed:
                self._diverged(f_c, first, iteration)
            extra = update.residual(point)
            if extra:
                G = math.hypot(G, extra)
            if G0 is None:
                G0 = G if G > 0 else 1.0
            self.G0 = G0
            stationarity = G / G0

            restart = point is not x and (not ok or f_c > f_x)
            if not ok and not restart:
                # No decrease from x itself. The gradient was checked against
                # the loss at the start, so this is a stationary point, or a
                # point where the objective is not smooth (ReLU kinks).
                if not self.loss_curve:
                    self.loss_curve.append(update.record(data_x, x))
                m = self.n_iter_no_change
                old = self.loss_curve[max(len(self.loss_curve) - m - 1, 0)]
                change = (old - self.loss_curve[-1]) / max(abs(f_x), 1e-300)
                # What the largest step that worked would gain from here,
                # mu ||G||^2 / 2: below the objective's rounding room, no
                # decrease can be seen, and the point is stationary to the
                # precision the objective resolves (on a smooth problem the
                # gradient mapping can only be resolved to about sqrt(eps)
                # of its first value, whatever tol asks).
                mu_ref = max(mu_max, self.mu_max, mu_start)
                unresolved = 0.5 * mu_ref * G * G <= self._slack(f_x)
                if stationarity <= max(self.tol, 1e3 * self.eps) or G == 0:
                    converged = True
                    message = (
                        "stationary: no step decreases the objective and the "
                        f"gradient mapping is {stationarity:.3g} of its first value"
                    )
                elif unresolved:
                    converged = True
                    message = (
                        "stationary to rounding: no step decreases the objective, "
                        f"and the decrease the gradient mapping ({stationarity:.3g} "
                        "of its first value) predicts is below the rounding level "
                        "of the objective"
                    )
                elif len(self.loss_curve) > m and change <= self.tol:
                    converged = True
                    message = (
                        "no step decreases the objective at a point where it is "
                        f"not smooth, and it changed by {change:.3g} (relative) over "
                        f"the last {m} iterations (tol={self.tol}); the gradient "
                        f"mapping is {stationarity:.3g} of its first value"
                    )
                else:
                    message = (
                        f"no step decreases the objective at iteration {iteration}, "
                        "a point that is not stationary (gradient mapping "
                        f"{stationarity:.3g} of its first value) where the "
                        "objective is not smooth"
                    )
                break
            if restart:
                # 4a. Monotone restart of the accelerated policy: the next
                # step is taken from x without momentum, with the step the
                # search started from (the extrapolated point may sit at a
                # kink where only tiny steps pass; x need not).
                t_k = 1.0
                self.mu = mu_start
                have_prev = False
                restarts += 1
                loss = update.record(data_x, x)
                note = ", restart"
            else:
                # 4b. Accept.
                mu_accepted = self.mu
                # A running mean of the accepted gradient-mapping vectors: at
                # a kink the gradients on its two sides average out (a Clarke
                # subgradient near zero); along a slow smooth valley (a badly
                # scaled feature) they keep one direction.
                if ema is None:
                    ema = [np.zeros_like(a) for a in x]
                for i in free:
                    ema[i] *= 1.0 - 1.0 / self.n_iter_no_change
                    ema[i] += (point[i] - cand[i]) / (self.mu * self.n_iter_no_change)
                averaged = (
                    math.sqrt(sum(float(np.vdot(ema[i], ema[i])) for i in free)) / G0
                )
                if solver == "fista":
                    t_k = t_next if momentum > 0.0 or have_prev else t_k
                for a, b in zip(x_prev, x):
                    np.copyto(a, b)
                if spg:
                    for a, b in zip(g_prev, g_x):
                        np.copyto(a, b)
                have_prev = True
                x, cand = cand, x
                data_x = data_c
                update.after_step(x)
                f_x = data_x + update.extra_value(x)
                if spg:
                    recent.append(f_x)
                    del recent[:-SPG_MEMORY]
                if not self.fixed and solver == "pgd":
                    self.mu *= GROW
                elif not self.fixed and solver == "fista" and not self.rejected:
                    # Grow only after a search that needed no halving: about
                    # one rejected trial in three iterations instead of one
                    # in every iteration.
                    self.mu *= GROW
                loss = update.record(data_x, x)
                note = ""
            self.loss_curve.append(loss)
            score = self._validate(x) if self.validate is not None else None
            self._report(
                iteration, loss, score, f", stationarity = {stationarity:.3g}{note}"
            )
            if self._callback(iteration, loss, score, x):
                converged, message = True, "the callback asked to stop"
                break
            if restart:
                continue
            if self.validate is not None:
                if self.val_no_change >= self.n_iter_no_change:
                    converged = True
                    message = (
                        f"the validation score did not improve by tol={self.tol} "
                        f"for {self.n_iter_no_change} iterations"
                    )
                    break
                continue
            if f_x == 0.0:
                converged, message = True, "the loss is zero"
                break
            if self._stationary(stationarity, loss, first):
                # Plus the loss change: a first gradient mapping inflated by
                # one badly scaled direction must not end the fit early.
                converged = True
                message = (
                    f"stationary: the gradient mapping fell to {stationarity:.3g} "
                    f"of its first value (tol={self.tol})"
                )
                break
            # Non-smooth stop: at ReLU kinks the gradient mapping does not
            # vanish and the step search only accepts ever smaller steps; once
            # the accepted step is below COLLAPSE of the largest one and the
            # objective fell by less than tol (relative) over the last
            # n_iter_no_change iterations, more iterations do not help.
            m = self.n_iter_no_change
            if not self.fixed:
                mu_max = max(mu_max, mu_accepted)
                self.mu_max = max(self.mu_max, mu_accepted)
            if (
                not self.fixed
                and mu_accepted < COLLAPSE * mu_max
                and len(self.loss_curve) > m
            ):
                old = self.loss_curve[-m - 1]
                change = (old - loss) / max(abs(loss), 1e-300)
                if 0 <= change <= self.tol and averaged <= NONSMOOTH_AVERAGE:
                    converged = True
                    message = (
                        f"the objective changed by {change:.3g} (relative) over "
                        f"{m} iterations (tol={self.tol}) at a point where it is "
                        f"not smooth (accepted steps fell to {mu_accepted:.3g}, "
                        f"from {mu_max:.3g}; the gradient mapping is "
                        f"{stationarity:.3g} of its first value, its running "
                        f"mean {averaged:.3g})"
                    )
                    break
            # The objective stopped changing: the last n_iter_no_change + 1
            # values agree to rounding (whether or not the rule is monotone).
            window = self.loss_curve[-m - 1 :]
            spread = max(window) - min(window)
            stalled = (
                m if len(window) > m and spread <= 16 * self.eps * abs(loss) else 0
            )
            if stalled >= self.n_iter_no_change:
                message = (
                    f"the loss stopped changing (at rounding level for "
                    f"{stalled} iterations) while the gradient mapping is still "
                    f"{stationarity:.3g} of its first value (tol={self.tol}); "
                    "the problem may be badly conditioned (standardise X) or "
                    "non-smooth there"
                )
                break
        else:
            message = (
                f"max_iter={self.max_iter} reached before converging: the "
                f"gradient mapping is {stationarity:.3g} of its first value "
                f"(tol={self.tol}); increase max_iter or tol"
            )
        if solver == "fista" and self.verbose:
            message += f" ({restarts} momentum restarts)"
        return self._result(x, iteration, converged, message, stationarity)

    # ---- L-BFGS -----------------------------------------------------------
    def run_lbfgs(self):
        """scipy's L-BFGS-B on the free blocks, with this loop's stopping rule."""
        objective, update, free = self.objective, self.update, self.free
        batch = objective.batches()[0]
        x = self.x
        update.start(x, self.update_state)
        grads = [np.empty_like(p) for p in x]
        self.mu = math.nan  # no step size of its own (module docstring)
        f = objective.value(x, batch)
        if not np.isfinite(f):
            raise DivergenceError(f"The loss at the initial point is not finite ({f}).")
        first = self._first(f)
        if self.check_start:
            self._check_slope(batch, x)
        # The last point evaluated: its vector, value and gradient norm.
        last = {"theta": None, "f": f, "G": None}
        theta0 = _pack(x, free)
        gvec = np.empty_like(theta0)

        def fun(theta):
            _unpack(theta, x, free)
            value = objective.value(x, batch)
            if np.isfinite(value):
                objective.gradient(x, batch, out=grads)
                _check_gradient(grads, len(self.loss_curve) + 1)
                _pack(grads, free, out=gvec)
            else:
                value = np.inf  # the line search backs off
                gvec.fill(0.0)
            last["theta"] = theta.copy()
            last["f"] = float(value)
            last["G"] = float(np.linalg.norm(gvec))
            return last["f"], gvec.copy()

        fun(theta0)
        G0 = self.reference[1] or (last["G"] if last["G"] > 0 else 1.0)
        self.G0 = G0
        accepted = {"theta": last["theta"]}  # the last iterate of finite value
        m = self.n_iter_no_change
        outcome = {"converged": False, "message": None}

        def stop(converged, message):
            outcome["converged"], outcome["message"] = converged, message
            raise StopIteration

        def callback(intermediate_result):
            theta = intermediate_result.x
            if not np.array_equal(theta, last["theta"]):
                fun(theta)  # the accepted point, with its solved blocks
            if not np.isfinite(last["f"]):
                # scipy's update broke down (a curvature pair at underflow):
                # end at the last finite iterate.
                fun(accepted["theta"])
                stationarity = last["G"] / G0
                stop(
                    stationarity <= max(self.tol, 1e3 * self.eps),
                    "L-BFGS stepped to a point where the objective is not "
                    "finite; stopped at the last finite iterate, where the "
                    f"gradient is {stationarity:.3g} of its first value",
                )
            accepted["theta"] = last["theta"]
            iteration = len(self.loss_curve) + 1
            loss = update.record(last["f"], x)
            self.loss_curve.append(loss)
            stationarity = last["G"] / G0
            self.stationarity = stationarity
            score = self._validate(x) if self.validate is not None else None
            self._report(iteration, loss, score, f", stationarity = {stationarity:.3g}")
            if self._callback(iteration, loss, score, x):
                stop(True, "the callback asked to stop")
            if self.validate is not None:
                if self.val_no_change >= m:
                    stop(
                        True,
                        f"the validation score did not improve by tol={self.tol} "
                        f"for {m} iterations",
                    )
                return
            if last["f"] == 0.0:
                stop(True, "the loss is zero")
            if last["G"] == 0.0:
                stop(True, "the gradient is zero")
            if self._stationary(stationarity, loss, first):
                stop(
                    True,
                    f"stationary: the gradient fell to {stationarity:.3g} of its "
                    f"first value (tol={self.tol})",
                )
            window = self.loss_curve[-m - 1 :]
            if len(window) > m and max(window) - min(window) <= 16 * self.eps * abs(
                loss
            ):
                stop(
                    False,
                    f"the loss stopped changing (at rounding level for {m} "
                    f"iterations) while the gradient is still {stationarity:.3g} "
                    f"of its first value (tol={self.tol}); the problem may be "
                    "badly conditioned (standardise X) or non-smooth there",
                )

        self.stationarity = 1.0 if last["G"] > 0 else 0.0
        result = minimize(
            fun,
            theta0,
            jac=True,
            method="L-BFGS-B",
            callback=callback,
            options={
                "maxiter": self.max_iter,
                "maxfun": LBFGS_EVALUATIONS_PER_ITERATION * self.max_iter + 20,
                "ftol": 0.0,
                "gtol": 0.0,
            },
        )
        final = result.x if np.all(np.isfinite(result.x)) else accepted["theta"]
        if not np.array_equal(final, last["theta"]):
            fun(final)
        if not np.isfinite(last["f"]):
            fun(accepted["theta"])
        if not self.loss_curve:
            self.loss_curve.append(update.record(last["f"], x))
        iteration = len(self.loss_curve)
        stationarity = last["G"] / G0
        converged, message = outcome["converged"], outcome["message"]
        if message is None:
            converged, message = self._lbfgs_outcome(result, stationarity, iteration)
        return self._result(x, iteration, converged, message, stationarity)

    def _lbfgs_outcome(self, result, stationarity, iteration):
        """``(converged, message)`` when scipy ended the run itself."""
        if result.status == 1:  # an iteration or evaluation limit
            return False, (
                f"max_iter={self.max_iter} reached before converging: the "
                f"gradient is {stationarity:.3g} of its first value "
                f"(tol={self.tol}); increase max_iter or tol"
            )
        # Otherwise no step decreases the objective (or the gradient is 0).
        m = self.n_iter_no_change
        curve = self.loss_curve
        old = curve[max(len(curve) - m - 1, 0)]
        change = (old - curve[-1]) / max(abs(curve[-1]), 1e-300)
        if stationarity <= max(self.tol, 1e3 * self.eps):
            return True, (
                "stationary: no step decreases the objective and the gradient "
                f"is {stationarity:.3g} of its first value"
            )
        if len(curve) > m and change <= self.tol:
            return True, (
                "no step decreases the objective, which changed by "
                f"{change:.3g} (relative) over the last {m} iterations "
                f"(tol={self.tol}); the gradient is {stationarity:.3g} of its "
                "first value"
            )
        return False, (
            f"no step decreases the objective at iteration {iteration}, a point "
            f"that is not stationary (gradient {stationarity:.3g} of its first "
            f"value; scipy: {result.message})"
        )

    # ---- mini-batches ------------------------------------------------------
    def run_batches(self, shuffle, rng):
        objective, update = self.objective, self.update
        x = self.x
        cand = [np.empty_like(p) for p in x]
        grads = [np.empty_like(p) for p in x]
        update.start(x, self.update_state)
        batches = objective.batches()
        best_loss = np.inf
        no_change = 0
        converged, message = False, ""
        first = None
        epoch = 0
        for epoch in range(1, self.max_iter + 1):
            if shuffle:
                objective.reorder(rng)
            batch_losses = []
            for batch in batches:
                f = objective.value(x, batch) + update.extra_value(x)
                if first is None:
                    first = self._first(f)
                    if not np.isfinite(f):
                        raise DivergenceError(
                            f"The loss at the initial point is not finite ({f})."
                        )
                    if self.check_start:
                        self._check_slope(batch, x)
                objective.gradient(x, batch, out=grads)
                update.add_extra_gradient(x, grads)
                _check_gradient(grads, epoch)
                every = range(len(x))
                g_max, x_max = _max_abs(grads, every), _max_abs(x, every)
                skip = False
                while True:
                    if self.mu * g_max <= self.eps * x_max and g_max > 0:
                        if self.fixed:
                            raise StepSearchError(
                                f"step_size={self.step_size} is below the "
                                "rounding level of the weights (largest "
                                f"|gradient| {g_max:.3g}, largest |weight| "
                                f"{x_max:.3g}): the weights cannot change. Use "
                                "a larger step_size or step_size='auto'."
                            )
                        skip = True  # this batch admits no decrease: move on
                        break
                    update.step(x, grads, self.mu, out=cand)
                    data_new = objective.value(cand, batch)
                    f_new = data_new + update.extra_value(cand)
                    if self.fixed:
                        self._diverged(f_new, first, epoch)
                        break
                    d2 = _dist2(cand, x, every)
                    lin = _inner(grads, cand, every) - _inner(grads, x, every)
                    if (
                        np.isfinite(f_new)
                        and f_new <= f + lin + d2 / (2 * self.mu) + self._slack(f)
                        and f_new < f
                    ):
                        break
                    self.mu *= SHRINK
                if skip:
                    self.mu = max(self.mu, 1e-300) / SHRINK
                    batch_losses.append(update.record(f - update.extra_value(x), x))
                    continue
                x, cand = cand, x
                update.after_step(x)
                batch_losses.append(update.record(data_new, x))
                if not self.fixed:
                    self.mu *= GROW
            epoch_loss = float(np.mean(batch_losses))
            self.loss_curve.append(epoch_loss)
            score = self._validate(x) if self.validate is not None else None
            self._report(epoch, epoch_loss, score)
            if self._callback(epoch, epoch_loss, score, x):
                converged, message = True, "the callback asked to stop"
                break
            if self.validate is not None:
                stop = self.val_no_change >= self.n_iter_no_change
            else:
                if epoch_loss < best_loss * (1 - self.tol):
                    no_change = 0
                else:
                    no_change += 1
                best_loss = min(best_loss, epoch_loss)
                stop = no_change >= self.n_iter_no_change or epoch_loss == 0.0
            if stop:
                converged = True
                message = (
                    f"the {'validation score' if self.validate else 'epoch loss'} "
                    f"did not improve by tol={self.tol} for "
                    f"{self.n_iter_no_change} epochs"
                )
                break
        else:
            message = (
                f"max_iter={self.max_iter} epochs reached before converging "
                f"(tol={self.tol}); increase max_iter or tol"
            )
        return self._result(x, epoch, converged, message, None)
