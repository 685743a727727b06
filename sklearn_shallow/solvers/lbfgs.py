"""Limited-memory BFGS (scipy's L-BFGS-B, no bounds) for smooth problems.

An update rule that declares itself ``smooth`` (no projection, no proximal
operator) and not ``stateful`` (no auxiliary variables or coupling terms),
on one batch: :func:`check_lbfgs` says what is in the way otherwise. The
blocks the loop steps on are packed into one float64 vector (the way
scikit-learn's MLP packs its coefficients for L-BFGS) and unpacked into the
parameters' own dtype for every evaluation; blocks the objective solves
exactly (``solved_blocks``) stay out of the vector and are read back after
each evaluation. scipy's own tests are switched off (``ftol = gtol = 0``) so
that the stopping rule of :mod:`~sklearn_shallow.solvers.stopping` applies
unchanged, with the gradient in place of the gradient mapping (they are
equal without a projection). L-BFGS has no step size of its own (its line
search scales a quasi-Newton direction): ``step_size`` is not used and the
step reported is ``nan``.
"""

import math

import numpy as np
from scipy.optimize import minimize

from .errors import check_gradient
from .run import Run

#: Function evaluations L-BFGS may spend per iteration, on average, before
#: it stops as having reached ``max_iter`` (its line search usually takes one
#: or two).
LBFGS_EVALUATIONS_PER_ITERATION = 20


def check_lbfgs(update):
    """Raise a ``ValueError`` unless ``update`` declares a smooth, stateless
    step (see :mod:`~sklearn_shallow.solvers.updates`)."""
    if update.smooth and not update.stateful:
        return
    advice = "Use solver='fista' (or 'spg', 'pgd')"
    if update.project is not None:
        owner = getattr(update.project, "__self__", update.project)
        raise ValueError(
            "solver='lbfgs' needs a problem without a constraint (a smooth "
            f"one), but the hidden weights are projected onto the constraint "
            f"{owner!r} after every step; L-BFGS cannot keep them feasible. "
            f"{advice} for a constrained fit."
        )
    penalty = getattr(update, "penalty", None)
    what = (
        f"the penalty {penalty!r} through {type(update).__name__}"
        if penalty is not None
        else f"the update rule {type(update).__name__}"
    )
    declared = [f"smooth={update.smooth}"] * (not update.smooth) + [
        f"stateful={update.stateful}"
    ] * bool(update.stateful)
    raise ValueError(
        f"solver='lbfgs' needs a smooth problem, but {what} is non-smooth "
        "or keeps variables of its own between steps (it declares "
        f"{', '.join(declared)}). {advice}."
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


class _Stop(Exception):
    """Ends scipy's iterations from the callback with the loop's verdict."""

    def __init__(self, converged, message):
        super().__init__(message)
        self.converged, self.message = converged, message


class LBFGSRun(Run):
    """scipy's L-BFGS-B on the free blocks, with the loop's stopping rule."""

    def run(self):
        objective, free = self.objective, self.free
        self.batch = objective.batches()[0]
        x = self.x
        self.update.start(x, self.update_state)
        self.grads = [np.empty_like(p) for p in x]
        self.search.mu = math.nan  # no step size of its own (module docstring)
        self.start(self.batch, objective.value(x, self.batch))
        # The last point evaluated: its vector, value and gradient norm.
        self.last = {"theta": None, "f": None, "G": None}
        theta0 = _pack(x, free)
        self.gvec = np.empty_like(theta0)
        self.fun(theta0)
        self.stop.relative(self.last["G"])
        self.accepted = self.last["theta"]  # the last iterate of finite value
        outcome = None
        try:
            result = minimize(
                self.fun,
                theta0,
                jac=True,
                method="L-BFGS-B",
                callback=self._callback_scipy,
                options={
                    "maxiter": self.max_iter,
                    "maxfun": LBFGS_EVALUATIONS_PER_ITERATION * self.max_iter + 20,
                    "ftol": 0.0,
                    "gtol": 0.0,
                },
            )
            final = result.x if np.all(np.isfinite(result.x)) else self.accepted
        except _Stop as stop:
            result, outcome = None, stop
            final = self.last["theta"]
        return self._finish(result, outcome, final)

    def fun(self, theta):
        """Objective and gradient at the vector ``theta`` (scipy's function)."""
        x, free, last = self.x, self.free, self.last
        _unpack(theta, x, free)
        value = self.objective.value(x, self.batch)
        if np.isfinite(value):
            self.objective.gradient(x, self.batch, out=self.grads)
            check_gradient(self.grads, len(self.loss_curve) + 1)
            _pack(self.grads, free, out=self.gvec)
        else:
            value = np.inf  # the line search backs off
            self.gvec.fill(0.0)
        last["theta"] = theta.copy()
        last["f"] = float(value)
        last["G"] = float(np.linalg.norm(self.gvec))
        return last["f"], self.gvec.copy()

    def _callback_scipy(self, intermediate_result):
        """Record the accepted iterate and apply the stopping rule."""
        theta, last, stop = intermediate_result.x, self.last, self.stop
        if not np.array_equal(theta, last["theta"]):
            self.fun(theta)  # the accepted point, with its solved blocks
        if not np.isfinite(last["f"]):
            # scipy's update broke down (a curvature pair at underflow): end
            # at the last finite iterate.
            self.fun(self.accepted)
            stationarity = stop.relative(last["G"])
            raise _Stop(
                stationarity <= max(self.tol, 1e3 * self.eps),
                "L-BFGS stepped to a point where the objective is not "
                "finite; stopped at the last finite iterate, where the "
                f"gradient is {stationarity:.3g} of its first value",
            )
        self.accepted = last["theta"]
        iteration = len(self.loss_curve) + 1
        loss = self.update.record(last["f"], self.x)
        stationarity = stop.relative(last["G"])
        extra = f", stationarity = {stationarity:.3g}"
        _, asked = self.after_iteration(iteration, loss, self.x, extra)
        if asked:
            raise _Stop(True, "the callback asked to stop")
        if self.validation is not None:
            message = self.validation.stop()
            if message:
                raise _Stop(True, message)
            return
        if last["f"] == 0.0:
            raise _Stop(True, "the loss is zero")
        if last["G"] == 0.0:
            raise _Stop(True, "the gradient is zero")
        if stop.stationary(self.loss_curve, stationarity):
            raise _Stop(True, stop.stationary_message(stationarity, "gradient"))
        message = stop.stalled(self.loss_curve, stationarity, "gradient")
        if message:
            raise _Stop(False, message)

    def _finish(self, result, outcome, final):
        """The result at ``final``, with the verdict of the callback
        (``outcome``) or of scipy's own ending."""
        last = self.last
        if not np.array_equal(final, last["theta"]):
            self.fun(final)
        if not np.isfinite(last["f"]):
            self.fun(self.accepted)
        if not self.loss_curve:
            self.loss_curve.append(self.update.record(last["f"], self.x))
        iteration = len(self.loss_curve)
        stationarity = self.stop.relative(last["G"])
        if outcome is not None:
            converged, message = outcome.converged, outcome.message
        elif result.status == 1:  # an iteration or evaluation limit
            converged = False
            message = self.stop.max_iter_message(
                self.max_iter, stationarity, "gradient"
            )
        else:  # no step decreases the objective (or the gradient is 0)
            curve = self.loss_curve
            converged, message = self.stop.stuck(
                curve,
                curve[-1],
                stationarity,
                iteration,
                smooth=True,
                detail=f"; scipy: {result.message}",
            )
        return self.result(self.x, iteration, converged, message, stationarity)
