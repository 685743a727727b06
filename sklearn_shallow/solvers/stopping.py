"""When a fit stops, and whether it converged: one rule for every loop.

With one batch (full-batch fits, first-order or L-BFGS) the rule measures
stationarity by the norm of the gradient mapping
``G(y) = (y - P(y - mu g(y))) / mu`` over the blocks the loop steps on (the
gradient itself for L-BFGS, which has no projection), zero exactly at the
stationary points of the constrained problem. It stops as converged when

- ``||G|| <= tol * ||G_0||`` (``G_0`` at the start), and the last
  ``n_iter_no_change + 1`` values of the objective agree to ``tol`` times
  ``sqrt(f_first * f_current)`` (their spread, which is the fall for a
  monotone policy), or to the rounding level of the first value. The first
  value alone is no scale: a far-off start inflates it (1e11 times the
  minimum), and a loss still falling 1e8-fold over the window passed for
  settled. The current value alone costs exact fits, whose loss heads to
  zero, a run to rounding (2.2 times the iterations of Oymak's planted
  fits, 1.3 times the quadratic nets' on digits, measured). The geometric
  mean of the two keeps far-off starts and badly scaled valleys from
  stopping early (tests/test_stopping.py) at a cost of 1.0-1.2 times the
  iterations (fista 134 -> 156 on Oymak's planted l1 fit, test NMSE
  3.1e-7 -> 2.3e-8; quadratic digits 1139 -> 1185);
- or the objective reaches zero.

``tol`` below :data:`ROUNDING` machine epsilons counts as that many
(``tol=0`` stops at the rounding level). At ReLU kinks ``G`` need not vanish
and the accepted steps collapse; the fit then also stops as converged once
the step is below :data:`~sklearn_shallow.solvers.linesearch.COLLAPSE` of
the largest, the objective changed by less than ``tol`` (relative) over
``n_iter_no_change`` iterations and the running mean of the accepted
gradient-mapping vectors is below :data:`NONSMOOTH_AVERAGE` of ``||G_0||``
(the one-sided gradients of a kink average out; those of a slow, badly
scaled valley do not). When the objective stops changing at rounding level
elsewhere, the fit is reported as not converged, with the measured
stationarity.

When no step decreases the objective, the point is judged: converged if
``G`` is below ``tol`` (or rounding) of its first value, or the decrease the
largest accepted step would predict is below the objective's rounding room
(stationary to rounding), or the objective changed by less than ``tol``
(relative) over the last ``n_iter_no_change`` iterations; otherwise not
converged. With 'lbfgs' the same verdict applies when scipy's line search
finds no decrease ("abnormal termination").

With several batches (mini-batch epochs) the gradient mapping is noisy and
the rule stops when the epoch loss has not fallen below ``best * (1 - tol)``
for ``n_iter_no_change`` epochs. With a validation score, the score replaces
all of these: the fit stops when it has not risen above ``best + tol`` for
``n_iter_no_change`` iterations.
"""

import math

import numpy as np

from .. import _array_api as aa
from .linesearch import COLLAPSE

#: Multiples of the machine epsilon below which the stationarity and loss-change
#: tests pass whatever ``tol`` (``tol=0`` then stops at the rounding level).
ROUNDING = 16
NONSMOOTH_AVERAGE = 0.25  # diabetes stops at 0.04-0.10; a badly scaled X at 0.56+


class StoppingRule:
    """The stopping tests of the loops, each written once.

    Parameters
    ----------
    tol : float
    n_iter_no_change : int
    eps : float
        Machine epsilon of the parameters' dtype.
    reference : tuple of (float or None, float or None)
        The first objective value and gradient-mapping norm of the cold fit
        a warm start resumes: a warm start that begins near a stationary
        point must not be asked to shrink its own, already small, gradient
        by another factor ``tol``.
    """

    def __init__(self, tol, n_iter_no_change, eps, reference=(None, None)):
        self.tol = tol
        self.m = n_iter_no_change
        self.eps = eps
        # tol=0 asks for as stationary as rounding allows: a gradient mapping
        # and a loss change at the rounding level are that.
        self.stop_tol = max(tol, ROUNDING * eps)
        self.reference = reference
        self.f0 = self.G0 = None
        # The non-smooth stop: the largest step accepted in this fit and a
        # running mean of the accepted gradient-mapping vectors.
        self.mu_max = 0.0
        self._ema, self.averaged = None, np.inf
        # The mini-batch stop.
        self._best_epoch, self._no_change = np.inf, 0

    # ---- scales ------------------------------------------------------------
    def first(self, f):
        """Record the objective scale: this fit's first value, or the cold
        fit's when resuming (whichever is larger)."""
        previous = self.reference[0]
        self.f0 = f if previous is None else max(f, previous)
        return self.f0

    def relative(self, G):
        """``G`` as a fraction of the first gradient mapping (recorded at the
        first call when no cold fit gave one)."""
        if self.G0 is None:
            self.G0 = self.reference[1] or (G if G > 0 else 1.0)
        return G / self.G0

    def _change(self, curve, scale):
        """The fall of the recorded objective over the last ``m`` iterations,
        relative to ``scale`` (over the whole curve when it is shorter)."""
        old = curve[max(len(curve) - self.m - 1, 0)]
        return (old - curve[-1]) / max(abs(scale), 1e-300)

    # ---- full batch --------------------------------------------------------
    def stationary(self, curve, stationarity):
        """The stationarity stop (the module docstring's first test)."""
        m = self.m
        if len(curve) <= m or stationarity > self.stop_tol:
            return False
        window = curve[-m - 1 :]
        spread = max(window) - min(window)
        floor = ROUNDING * self.eps * abs(self.f0)
        scale = math.sqrt(abs(curve[-1]) * abs(self.f0))
        return spread <= max(self.stop_tol * scale, floor)

    def stationary_message(self, stationarity, what="gradient mapping"):
        return (
            f"stationary: the {what} fell to {stationarity:.3g} "
            f"of its first value (tol={self.tol})"
        )

    def stalled(self, curve, stationarity, what="gradient mapping"):
        """A message when the last ``m + 1`` values agree to rounding (whether
        or not the rule is monotone), else None."""
        window = curve[-self.m - 1 :]
        spread = max(window) - min(window)
        if len(window) <= self.m or spread > ROUNDING * self.eps * abs(curve[-1]):
            return None
        return (
            f"the loss stopped changing (at rounding level for {self.m} "
            f"iterations) while the {what} is still {stationarity:.3g} "
            f"of its first value (tol={self.tol}); the problem may be "
            "badly conditioned (standardise X) or non-smooth there"
        )

    def accepted(self, point, cand, mu, blocks):
        """Fold the accepted step from ``point`` to ``cand`` into the running
        mean of gradient-mapping vectors."""
        # At a kink the gradients on its two sides average out (a Clarke
        # subgradient near zero); along a slow smooth valley (a badly scaled
        # feature) they keep one direction.
        if self._ema is None:
            self._ema = [aa.zeros_like(a) for a in point]
        for i in blocks:
            self._ema[i] *= 1.0 - 1.0 / self.m
            self._ema[i] += (point[i] - cand[i]) / (mu * self.m)
        norm2 = sum(aa.vdot(self._ema[i], self._ema[i]) for i in blocks)
        self.averaged = math.sqrt(norm2) / self.G0

    def nonsmooth(self, curve, mu_accepted, stationarity):
        """A message when the fit has settled at a kink, else None.

        At ReLU kinks the gradient mapping does not vanish and the step
        search only accepts ever smaller steps; once the accepted step is
        below COLLAPSE of the largest one, the objective fell by less than
        tol (relative) over the last m iterations and the gradient-mapping
        vectors average out, more iterations do not help.
        """
        self.mu_max = max(self.mu_max, mu_accepted)
        if mu_accepted >= COLLAPSE * self.mu_max or len(curve) <= self.m:
            return None
        change = self._change(curve, curve[-1])
        if not (0 <= change <= self.tol and self.averaged <= NONSMOOTH_AVERAGE):
            return None
        return (
            f"the objective changed by {change:.3g} (relative) over "
            f"{self.m} iterations (tol={self.tol}) at a point where it is "
            f"not smooth (accepted steps fell to {mu_accepted:.3g}, "
            f"from {self.mu_max:.3g}; the gradient mapping is "
            f"{stationarity:.3g} of its first value, its running "
            f"mean {self.averaged:.3g})"
        )

    def stuck(
        self,
        curve,
        scale,
        stationarity,
        iteration,
        *,
        unresolved=False,
        smooth=False,
        detail="",
    ):
        """``(converged, message)`` at a point where no step decreases.

        ``scale`` is the objective the change is relative to; ``unresolved``
        says the decrease the largest accepted step predicts is below the
        objective's rounding room; ``smooth`` words the messages for a
        smooth problem (the gradient, no kinks); ``detail`` ends the
        message of a point judged not stationary.
        """
        what = "gradient" if smooth else "gradient mapping"
        m = self.m
        change = self._change(curve, scale)
        if stationarity <= max(self.tol, 1e3 * self.eps):
            return True, (
                "stationary: no step decreases the objective and the "
                f"{what} is {stationarity:.3g} of its first value"
            )
        if unresolved:
            return True, (
                "stationary to rounding: no step decreases the objective, "
                f"and the decrease the gradient mapping ({stationarity:.3g} "
                "of its first value) predicts is below the rounding level "
                "of the objective"
            )
        if len(curve) > m and change <= self.tol:
            where = (
                ", which" if smooth else " at a point where it is not smooth, and it"
            )
            return True, (
                f"no step decreases the objective{where} changed by {change:.3g} "
                f"(relative) over the last {m} iterations (tol={self.tol}); the "
                f"{what} is {stationarity:.3g} of its first value"
            )
        where = "" if smooth else " where the objective is not smooth"
        return False, (
            f"no step decreases the objective at iteration {iteration}, a point "
            f"that is not stationary ({what} {stationarity:.3g} of its first "
            f"value{detail}){where}"
        )

    def max_iter_message(self, max_iter, stationarity, what="gradient mapping"):
        if stationarity is None:
            return (
                f"max_iter={max_iter} epochs reached before converging "
                f"(tol={self.tol}); increase max_iter or tol"
            )
        return (
            f"max_iter={max_iter} reached before converging: the "
            f"{what} is {stationarity:.3g} of its first value "
            f"(tol={self.tol}); increase max_iter or tol"
        )

    # ---- mini-batches --------------------------------------------------------
    def epoch(self, epoch_loss):
        """True when the epoch loss has not improved by ``tol`` (relative)
        for ``m`` epochs, or is zero."""
        if epoch_loss < self._best_epoch * (1 - self.tol):
            self._no_change = 0
        else:
            self._no_change += 1
        self._best_epoch = min(self._best_epoch, epoch_loss)
        return self._no_change >= self.m or epoch_loss == 0.0


class Validation:
    """Scores of a held-out set along the fit, and the best parameters.

    Parameters
    ----------
    validate : callable
        ``validate(params) -> score``, higher is better.
    tol : float
    n_iter_no_change : int
    """

    def __init__(self, validate, tol, n_iter_no_change):
        self.validate = validate
        self.tol = tol
        self.m = n_iter_no_change
        self.scores = []
        self.best, self.best_params = -np.inf, None
        self.no_change = 0

    def score(self, params):
        """Score the model ``params`` predicts with, keeping the best."""
        score = float(self.validate(params))
        self.scores.append(score)
        if score > self.best + self.tol:
            self.no_change = 0
        else:
            self.no_change += 1
        if score > self.best:
            self.best = score
            self.best_params = [aa.copy(p) for p in params]
        return score

    def stop(self, unit="iterations"):
        """A message when the score has not improved for ``m`` ``unit``."""
        if self.no_change < self.m:
            return None
        return (
            f"the validation score did not improve by tol={self.tol} "
            f"for {self.m} {unit}"
        )
