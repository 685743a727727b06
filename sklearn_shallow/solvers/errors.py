"""The errors and warnings of a fit, and the checks for a constant fit.

Failures are never reported as convergence: a fixed step that makes the loss
non-finite or explode raises :class:`DivergenceError`; a gradient that is
not finite, or a step search that finds no decrease at a point that is not
stationary (a wrong derivative, a step below rounding), raises
:class:`StepSearchError`.
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from .._array_api import all_finite


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


def check_gradient(grads, iteration):
    """Raise :class:`StepSearchError` when a gradient block is not finite."""
    for g in grads:
        if not all_finite(g):
            raise StepSearchError(
                f"The gradient is not finite at iteration {iteration} while the "
                "loss is. Check the activation's derivative (a custom "
                "activation's derivative must be finite wherever its value is)."
            )


def check_start_value(f):
    """Raise :class:`DivergenceError` when the loss at the start is not finite."""
    if not np.isfinite(f):
        raise DivergenceError(f"The loss at the initial point is not finite ({f}).")
