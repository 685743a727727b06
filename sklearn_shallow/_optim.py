"""The descent loop, written once for every estimator.

:func:`descend` runs epochs of (mini-)batch steps. What differs between
algorithms is the :class:`UpdateRule`: plain projected gradient descent
projects the hidden parameters after each step; other rules (RVSM, ADMM) add
a smooth coupling term and update auxiliary variables between steps.

Step sizes
----------
A float is used as it is. ``'auto'`` (the default of the estimators)
backtracks on the projected step: a candidate ``x+ = prox(x - mu g)`` is
accepted when

    f(x+) <= f(x) + <g, x+ - x> + ||x+ - x||^2 / (2 mu),

the descent-lemma test that holds whenever ``mu <= 1/L``; otherwise ``mu`` is
halved. After an accepted step ``mu`` grows by :data:`GROW` so that it can
follow the local curvature. A rejected candidate costs one forward pass (one
matrix product); the gradient is only computed at accepted points.

A fixed step that makes the loss non-finite or explode raises
:class:`DivergenceError` instead of returning NaN weights.
"""

import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

GROW = 1.5
SHRINK = 0.5
MIN_STEP = 1e-30
INITIAL_STEP = 1.0
EXPLODE = 1e12


class DivergenceError(FloatingPointError):
    """Raised when a fit with a fixed step size diverges."""


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
    """

    def __init__(self, project=None):
        self.project = project

    def start(self, params):
        """Called once before the first step."""

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

    def record(self, data_loss, params):
        """Value stored in the loss curve, given the data loss at ``params``."""
        return data_loss

    def output(self, params):
        """The parameters the fitted model predicts with (``params`` here)."""
        return params


class DescentResult:
    """What :func:`descend` returns."""

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
    ):
        self.params = params  # what the model predicts with
        self.raw_params = raw_params  # the loop's own variables (warm starts)
        self.n_iter = n_iter
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.best_validation_score = best_validation_score
        self.converged = converged
        self.step_size = step_size


def _inner(a, b):
    return sum(float(np.vdot(x, y)) for x, y in zip(a, b))


def descend(
    objective,
    params,
    update,
    *,
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
):
    """Minimise ``objective`` from ``params`` with ``update``.

    Parameters
    ----------
    objective : Objective
        Provides ``batches()``, ``reorder(rng)``, ``value(params, batch)`` and
        ``gradient(params, batch, out)``.
    params : list of ndarray
        Starting point; not modified.
    update : UpdateRule
    step_size : float or 'auto'
    max_iter : int
        Number of epochs (full passes over the data).
    tol : float
        Relative tolerance. Training stops when the epoch loss has not fallen
        below ``best * (1 - tol)`` for ``n_iter_no_change`` epochs, or, with
        ``validate``, when the validation score has not risen above
        ``best + tol`` for that many epochs.
    n_iter_no_change : int
    shuffle : bool
        Reshuffle rows every epoch when there are several batches.
    rng : numpy.random.Generator
    validate : callable or None
        ``validate(params) -> score`` (higher is better); the parameters with
        the best score are returned.
    callback : callable or None
        ``callback(info) -> bool``; ``info`` is a dict with ``iteration``,
        ``loss``, ``step_size``, ``validation_score`` and ``params`` (a dict
        of the current arrays by name, read-only). Returning True stops.
    verbose : int
    names : list of str
        Names of the parameter blocks, for the callback.

    Returns
    -------
    result : DescentResult
    """
    fixed = step_size != "auto"
    mu = float(step_size) if fixed else INITIAL_STEP
    x = [p.copy() for p in params]
    # Rounding room in the sufficient-decrease test.
    slack = 1e-12 if x[0].dtype == np.float64 else 1e-6
    cand = [np.empty_like(p) for p in params]
    grads = [np.empty_like(p) for p in params]
    names = names or [str(i) for i in range(len(params))]
    update.start(x)
    batches = objective.batches()
    several = len(batches) > 1
    loss_curve, val_scores = [], []
    best_loss, best_val, best_params = np.inf, -np.inf, None
    no_change = 0
    converged = False
    report_every = 1 if verbose > 1 else max(1, max_iter // 10)
    start_time = time.perf_counter()
    first_loss = None
    data_f = None
    epoch = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, max_iter + 1):
            if several and shuffle:
                objective.reorder(rng)
            batch_losses = []
            for batch in batches:
                if data_f is None or several:
                    data_f = objective.value(x, batch)
                f = data_f + update.extra_value(x)
                if first_loss is None:
                    first_loss = f
                    if not np.isfinite(f):
                        raise DivergenceError(
                            f"The loss at the initial point is not finite ({f})."
                        )
                objective.gradient(x, batch, out=grads)
                update.add_extra_gradient(x, grads)
                while True:
                    update.step(x, grads, mu, out=cand)
                    data_new = objective.value(cand, batch)
                    f_new = data_new + update.extra_value(cand)
                    if fixed:
                        break
                    diff2 = sum(float(np.vdot(c - a, c - a)) for c, a in zip(cand, x))
                    lin = _inner(grads, cand) - _inner(grads, x)
                    slack = (
                        1e-12 * abs(f) if x[0].dtype == np.float64 else 1e-6 * abs(f)
                    )
                    if (
                        np.isfinite(f_new)
                        and f_new <= f + lin + diff2 / (2 * mu) + slack
                    ):
                        break
                    mu *= SHRINK
                    if mu < MIN_STEP:
                        break
                if fixed and (
                    not np.isfinite(f_new) or f_new > EXPLODE * max(first_loss, 1e-300)
                ):
                    raise DivergenceError(
                        f"The fit diverged at iteration {epoch}: the loss went from "
                        f"{first_loss:.3g} to {f_new:.3g} with the fixed "
                        f"step_size={step_size}. Use a smaller step_size or "
                        "step_size='auto'."
                    )
                if not fixed and mu < MIN_STEP:
                    # No step decreases the objective: a stationary point.
                    converged = True
                    batch_losses.append(f)
                    break
                x, cand = cand, x
                data_f = data_new
                update.after_step(x)
                batch_losses.append(update.record(data_new, x))
                if not fixed:
                    mu *= GROW
            epoch_loss = float(np.mean(batch_losses))
            loss_curve.append(epoch_loss)
            score = None
            if validate is not None:
                current = update.output(x)
                score = float(validate(current))
                val_scores.append(score)
                if score > best_val + tol:
                    no_change = 0
                else:
                    no_change += 1
                if score > best_val:
                    best_val = score
                    best_params = [p.copy() for p in current]
            else:
                if epoch_loss < best_loss * (1 - tol):
                    no_change = 0
                else:
                    no_change += 1
                best_loss = min(best_loss, epoch_loss)
            if verbose and (epoch % report_every == 0 or epoch == 1):
                msg = f"Iteration {epoch}, loss = {epoch_loss:.6g}"
                if not fixed:
                    msg += f", step = {mu / GROW:.3g}"
                if score is not None:
                    msg += f", validation score = {score:.6g}"
                msg += f", {time.perf_counter() - start_time:.2f} s"
                print(msg, flush=True)
            if callback is not None:
                info = {
                    "iteration": epoch,
                    "loss": epoch_loss,
                    "step_size": mu / GROW if not fixed else mu,
                    "validation_score": score,
                    "params": dict(zip(names, update.output(x))),
                }
                if callback(info):
                    converged = True
                    break
            if converged or epoch_loss == 0.0 or no_change >= n_iter_no_change:
                converged = True
                break
    if not converged:
        warnings.warn(
            f"The descent loop reached max_iter={max_iter} before converging "
            f"(tol={tol}); increase max_iter or tol.",
            ConvergenceWarning,
            stacklevel=3,
        )
    final = update.output(x)
    if validate is not None and best_params is not None:
        final = best_params
    return DescentResult(
        params=final,
        raw_params=x,
        n_iter=epoch,
        loss_curve=loss_curve,
        validation_scores=val_scores,
        best_validation_score=best_val if validate is not None else None,
        converged=converged,
        step_size=mu / GROW if not fixed else mu,
    )
