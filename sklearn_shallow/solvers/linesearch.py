"""The step size of the first-order loops and its backtracking search.

A float step is used as it is. ``'auto'`` backtracks: a candidate
``x+ = P(y - mu g(y))`` from the point ``y`` where the gradient was taken is
accepted when

    f(x+) <= f(y) + <g, x+ - y> + ||x+ - y||^2 / (2 mu),

the descent-lemma test that holds whenever ``mu <= 1/L``, and ``f(x+)`` is
below ``f(y)``; otherwise ``mu`` is halved. The spectral policy replaces the
test by a non-monotone sufficient decrease against a reference value (see
:mod:`~sklearn_shallow.solvers.policies`). A rejected candidate costs one
forward pass (one matrix product). The full-batch and the mini-batch loops
share this search.
"""

import math
from collections import namedtuple

import numpy as np

from .. import _array_api as aa
from .errors import DivergenceError, StepSearchError

GROW = 1.5
SHRINK = 0.5
INITIAL_STEP = 1.0
#: A loss this many times the first one, with a fixed step, is divergence.
EXPLODE = 1e12
#: Accepted steps below this fraction of the largest one have collapsed (at a
#: kink, or at the rounding level of an optimum).
COLLAPSE = 1e-3

#: One search's outcome: the data loss and objective at the candidate, whether
#: it was accepted, and the gradient mapping at the first trial step (the
#: stationarity measure of the point the step was taken from).
Trial = namedtuple("Trial", ["data", "f", "ok", "G"])


def inner(a, b, blocks):
    """``<a, b>`` over the blocks ``blocks``."""
    return sum(aa.vdot(a[i], b[i]) for i in blocks)


def dist2(a, b, blocks):
    """``||a - b||^2`` over the blocks ``blocks``."""
    total = 0.0
    for i in blocks:
        d = a[i] - b[i]
        total += aa.vdot(d, d)
    return total


def max_abs(arrays, blocks):
    """The largest magnitude in the blocks ``blocks`` (0 when all are empty)."""
    return max(
        (aa.max_abs(arrays[i]) for i in blocks if math.prod(arrays[i].shape)),
        default=0.0,
    )


class LineSearch:
    """The step size ``mu`` of a fit and the search that adapts it.

    Parameters
    ----------
    step_size : float or 'auto'
    eps : float
        Machine epsilon of the parameters' dtype.
    state : dict or None
        ``DescentResult.state`` of a fit to resume: its last step ``mu`` and
        the largest step it accepted, ``mu_max``.

    Attributes
    ----------
    mu : float
        The step the next search starts from.
    mu_max : float
        The largest accepted step, over the fit and the fits it resumes.
    rejected : bool
        Whether the last search halved the step.
    """

    def __init__(self, step_size, eps, state=None):
        self.step_size = step_size
        self.fixed = step_size != "auto"
        self.eps = eps
        self.mu = float(step_size) if self.fixed else INITIAL_STEP
        state = state or {}
        last_mu = state.get("mu")
        # A warm start resumes the last step size (a fit of 7 + 5 iterations
        # is the fit of 12), unless the fit it resumes ended with collapsed
        # steps (below COLLAPSE of its largest accepted step, at a kink or at
        # the rounding level of its optimum): the search would then only
        # shrink from there, and a warm start must never be weaker than a
        # cold one, so it starts from the cold rule's step. A state marked
        # "continues" is the next stage of the same fit from the same point
        # (a descent on the support of a column-sparse fit): it keeps its
        # step, collapsed or not.
        self.mu_max = float(state.get("mu_max") or 0.0)
        if not self.fixed and last_mu is not None and math.isfinite(last_mu):
            collapsed = last_mu < COLLAPSE * self.mu_max and not state.get("continues")
            self.mu = INITIAL_STEP if collapsed else float(last_mu)
        # A resumed fit's first step search that finds no decrease tries
        # once more from the cold step before judging the point.
        self.cold_retry = bool(state) and not self.fixed
        self.rejected = False

    def slack(self, f):
        """Rounding room of the sufficient-decrease tests at the value ``f``."""
        return (1e3 * self.eps) * abs(f) if self.eps < 1e-10 else 10 * self.eps * abs(f)

    def search(
        self, ev, point, f_point, g_point, cand, blocks, *, reference=None, judged=True
    ):
        """Backtrack from ``point``; the candidate is left in ``cand``.

        Parameters
        ----------
        ev : Evaluator
        point, g_point : list of ndarray
            Where the gradient ``g_point`` was taken; ``f_point`` the
            objective there.
        cand : list of ndarray
            Buffers for the candidate.
        blocks : list of int
            The blocks the loop steps on.
        reference : float or None
            None for the descent-lemma test; a value for the spectral
            policy's sufficient decrease against it.
        judged : bool
            Whether a fixed step at the rounding level of the weights is
            returned as a failed trial for the caller to judge (True), or
            raised as :class:`StepSearchError` (before any step was taken).

        Returns
        -------
        trial : Trial
            ``ok`` is False when the step fell below the rounding level of
            the weights without a decrease.
        """
        self.rejected = False
        g_max, x_max = max_abs(g_point, blocks), max_abs(point, blocks)
        G_first = None
        while True:
            ev.update.step(point, g_point, self.mu, out=cand)
            data_c, f_c = ev.value(cand)
            d2 = dist2(cand, point, blocks)
            if G_first is None:
                G_first = math.sqrt(d2) / self.mu
            if self.fixed:
                self.cold_retry = False
                ok = not (self.mu * g_max <= self.eps * x_max and g_max > 0)
                if not ok and not judged:
                    self._refuse(g_max, x_max)
                return Trial(data_c, f_c, ok, G_first)
            if reference is None:
                lin = inner(g_point, cand, blocks) - inner(g_point, point, blocks)
                bound, below = f_point + lin + d2 / (2 * self.mu), f_point
            else:
                bound = reference - 1e-4 * d2 / (2 * self.mu)
                below = reference
            # A step must also decrease the objective: one accepted only by
            # the rounding slack makes no progress and would let a broken
            # gradient pass for a converged fit.
            if np.isfinite(f_c) and f_c <= bound + self.slack(f_point) and f_c < below:
                self.cold_retry = False
                return Trial(data_c, f_c, True, G_first)
            self.mu *= SHRINK
            self.rejected = True
            if self.mu * g_max <= self.eps * x_max or self.mu < 1e-300:
                if self.cold_retry and self.mu < INITIAL_STEP * SHRINK:
                    self.cold_retry = False
                    self.mu = INITIAL_STEP
                    continue
                self.cold_retry = False
                return Trial(data_c, f_c, False, G_first)

    def _refuse(self, g_max, x_max):
        raise StepSearchError(
            f"step_size={self.step_size} is below the rounding level "
            f"of the weights (largest |gradient| {g_max:.3g}, largest "
            f"|weight| {x_max:.3g}): the weights cannot change. Use a "
            "larger step_size or step_size='auto'."
        )

    def check_divergence(self, f_new, first, iteration):
        """Raise :class:`DivergenceError` when a fixed step made the loss
        non-finite or explode."""
        if not np.isfinite(f_new) or f_new > EXPLODE * max(first, 1e-300):
            raise DivergenceError(
                f"The fit diverged at iteration {iteration}: the loss went from "
                f"{first:.3g} to {f_new:.3g} with the fixed "
                f"step_size={self.step_size}. Use a smaller step_size or "
                "step_size='auto'."
            )
