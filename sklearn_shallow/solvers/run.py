"""What every loop shares: the objective with the rule's extra term, the
start check, progress reports, the callback and the result."""

import math
import time

import numpy as np

from .. import _array_api as aa
from .errors import StepSearchError, check_gradient, check_start_value
from .linesearch import LineSearch, inner, max_abs
from .stopping import StoppingRule, Validation

#: Fractions of the first difference step the start check also tries.
SLOPE_SHRINKS = (1.0, 1e-2, 1e-4)


class DescentResult:
    """What :func:`~sklearn_shallow.solvers.descend` returns.

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


class Evaluator:
    """Objective value and gradient on one batch, with the update rule's
    extra term."""

    def __init__(self, objective, update, batch):
        self.objective = objective
        self.update = update
        self.batch = batch

    def value(self, params, preact=None):
        """``(data loss, full objective)`` at ``params`` (forward pass).

        ``preact``: the pre-activations at ``params``, when the caller has
        them (see ``Objective.take_preactivations``); the objective then
        skips its forward product.
        """
        if preact is None:
            data = self.objective.value(params, self.batch)
        else:
            data = self.objective.value(params, self.batch, preact=preact)
        return data, data + self.update.extra_value(params)

    def gradient(self, params, out):
        self.objective.gradient(params, self.batch, out=out)
        self.update.add_extra_gradient(params, out)
        return out


def _slope_matches(objective, batch, x, free, g, d, h, f, eps):
    """Whether a central difference of the data loss along ``d`` matches the
    gradient's prediction, at one of the step sizes ``h * SLOPE_SHRINKS``.

    Returns ``(matches, slope, predicted)`` of the last step tried.
    """
    norm = math.sqrt(inner(g, g, free))
    predicted = inner(g, d, free)
    # h follows the largest parameter, which may sit in another block than
    # the curvature (a quadratic net's intercept far from 0): a smaller h
    # that matches clears the gradient too.
    for shrink in SLOPE_SHRINKS:
        step = h * shrink
        probes = []
        for sign in (1.0, -1.0):
            p = [aa.copy(a) for a in x]
            for i in free:
                p[i] += (sign * step) * d[i]
            probes.append(objective.value(p, batch, weight_decay=False))
        slope = (probes[0] - probes[1]) / (2 * step)
        scale = max(abs(slope), abs(predicted), 1e-3 * norm)
        rounding = 1e3 * eps * abs(f) / step
        if np.isfinite(slope) and abs(slope - predicted) <= 0.5 * scale + rounding:
            return True, slope, predicted
    return False, slope, predicted


def _on_like(a, like):
    """The float64 numpy array ``a`` in ``like``'s dtype, namespace and device."""
    if isinstance(like, np.ndarray):
        return a.astype(like.dtype)
    return aa.asarray_on(a, like, dtype=like.dtype)


def check_slope(objective, batch, x, free, eps):
    """Raise when the gradient does not describe the loss at the start.

    Central differences of the data loss (weight decay and the update
    rule's coupling term left out: they are exact and can hide the
    network's part) along the normalised negative gradient and along a
    fixed random direction must match the gradient's prediction. A
    derivative of the wrong sign or scale, or zero, fails at once instead of
    stalling the step search later, where it could pass for a non-smooth
    point. Skipped in float32 (too coarse for it).
    """
    if eps > 1e-10:
        return
    f = objective.value(x, batch, weight_decay=False)
    g = [aa.empty_like(a) for a in x]
    g = objective.gradient(x, batch, g, weight_decay=False)
    check_gradient(g, 0)
    norm = math.sqrt(inner(g, g, free))
    h = 1e-6 * max(max_abs(x, free), 1.0)
    rng = np.random.default_rng(0)
    directions = [] if norm == 0 else [[-a / norm for a in g]]
    random = [_on_like(rng.standard_normal(tuple(a.shape)), a) for a in x]
    size = math.sqrt(inner(random, random, free))
    directions.append([a / size for a in random])
    for d in directions:
        matches, slope, predicted = _slope_matches(
            objective, batch, x, free, g, d, h, f, eps
        )
        if not matches:
            raise StepSearchError(
                "The gradient does not match the loss at the starting "
                f"point: along a direction the loss changes at rate "
                f"{slope:.3g}, where the gradient predicts "
                f"{predicted:.3g}. Check the activation's derivative (a "
                "custom activation's derivative must be the derivative "
                "of its value)."
            )


class Run:
    """The state one descent shares between its parts: the iterate, the step
    size (:class:`~sklearn_shallow.solvers.linesearch.LineSearch`), the
    stopping rule, the loss curve, validation, reports and the callback.

    The loops (:mod:`~sklearn_shallow.solvers.fullbatch`,
    :mod:`~sklearn_shallow.solvers.minibatch`,
    :mod:`~sklearn_shallow.solvers.lbfgs`) subclass it with a ``run``
    method; the arguments are those of
    :func:`~sklearn_shallow.solvers.descend`.
    """

    def __init__(
        self,
        objective,
        params,
        update,
        *,
        step_size,
        max_iter,
        tol,
        n_iter_no_change,
        validate,
        callback,
        verbose,
        names,
        state,
        max_iter_shown=None,
    ):
        state = state or {}
        self.objective = objective
        self.update = update
        self.x = [aa.copy(p) for p in params]
        self.eps = float(np.finfo(aa.host_dtype(self.x[0])).eps)
        self.search = LineSearch(step_size, self.eps, state)
        self.stop = StoppingRule(
            tol, n_iter_no_change, self.eps, (state.get("f0"), state.get("G0"))
        )
        if state.get("continues"):
            # The next stage of the same fit: the non-smooth stop keeps the
            # largest step accepted so far.
            self.stop.mu_max = float(state.get("accepted_max") or 0.0)
        self.update_state = state.get("update")
        # A warm start resumes a fit whose gradient was checked at its own
        # start; its point may now sit on a kink of every unit (weights
        # thresholded to zero), where central differences cannot judge it.
        self.check_start = not state
        self.resumed = bool(state)
        self.max_iter = max_iter
        self.max_iter_shown = max_iter if max_iter_shown is None else max_iter_shown
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.validation = (
            None if validate is None else Validation(validate, tol, n_iter_no_change)
        )
        self.callback = callback
        self.verbose = verbose
        self.names = names
        solved = set(getattr(objective, "solved_blocks", ()))
        self.free = [i for i in range(len(params)) if i not in solved]
        self.loss_curve = []
        self.report_every = 1 if verbose > 1 else max(1, max_iter // 10)
        self.start_time = time.perf_counter()

    def start(self, batch, f):
        """Check the start (a finite loss, a gradient that matches it) and
        return the objective scale of the stopping rule."""
        check_start_value(f)
        first = self.stop.first(f)
        if self.check_start:
            check_slope(self.objective, batch, self.x, self.free, self.eps)
        return first

    def after_iteration(self, iteration, loss, x, extra=""):
        """Record ``loss``, score, report and call back.

        Returns ``(score, stop)``: the validation score (or None), and True
        when the callback asked to stop.
        """
        self.loss_curve.append(loss)
        score = None
        if self.validation is not None:
            score = self.validation.score(self.update.output(x))
        self._report(iteration, loss, score, extra)
        return score, self._callback(iteration, loss, score, x)

    def _report(self, iteration, loss, score, extra=""):
        if self.verbose and (iteration % self.report_every == 0 or iteration == 1):
            mu = self.search.mu
            msg = f"Iteration {iteration}, loss = {loss:.6g}"
            msg += f", step = {mu:.3g}" if not self.search.fixed and mu == mu else ""
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
            "step_size": self.search.mu,
            "validation_score": score,
            "params": dict(zip(self.names, self.update.output(x))),
        }
        return bool(self.callback(info))

    def result(self, x, iteration, converged, message, stationarity):
        if self.verbose:
            print(f"Stopped after {iteration} iterations: {message}", flush=True)
        final = self.update.output(x)
        validation = self.validation
        if validation is not None and validation.best_params is not None:
            final = validation.best_params
        return DescentResult(
            params=final,
            raw_params=x,
            n_iter=iteration,
            loss_curve=self.loss_curve,
            validation_scores=[] if validation is None else validation.scores,
            best_validation_score=None if validation is None else validation.best,
            converged=converged,
            step_size=self.search.mu,
            message=message,
            stationarity=stationarity,
            state={
                "mu": self.search.mu,
                "mu_max": self.search.mu_max,
                "update": self.update.get_state(),
                "f0": self.stop.f0,
                "G0": self.stop.G0,
                "accepted_max": self.stop.mu_max,
            },
        )
