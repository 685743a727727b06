"""Step policies of the full-batch loop: where the step is taken from, its
first trial size, the test it must pass, and how the step grows.

``'pgd'``
    Projected (proximal) gradient descent, the papers' algorithm:
    ``x+ = P(x - mu g(x))``. An accepted step grows by ``GROW``.
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

A policy adjusts the step size it is given
(:class:`~sklearn_shallow.solvers.linesearch.LineSearch`); the search and
the stopping rule are the loop's.
"""

import math

import numpy as np

from .. import _array_api as aa
from .errors import check_gradient
from .linesearch import GROW, dist2

SPG_MEMORY = 10


def _subtract(a, b, out):
    """``out = a - b`` in place (numpy's ``out=``; a copy-in elsewhere)."""
    if isinstance(out, np.ndarray):
        np.subtract(a, b, out=out)
    else:
        out[...] = a - b


def _copyto(dst, src):
    if isinstance(dst, np.ndarray):
        np.copyto(dst, src)
    else:
        dst[...] = src


BB_BOUNDS = (1e-10, 1e10)


class PGD:
    """Projected gradient steps from the current point.

    Parameters
    ----------
    search : LineSearch
        The step size the policy adjusts.
    update : UpdateRule
    x : list of ndarray
        The starting point (for the shapes of the policy's buffers).
    blocks : list of int
        The blocks the loop steps on.
    """

    def __init__(self, search, update, x, blocks):
        self.search = search
        self.update = update
        self.blocks = blocks

    def point(self, ev, x, f_x, g_x, iteration):
        """``(point, f(point), g(point))``: where this iteration's step is
        taken from. Writes the gradient at ``x`` into ``g_x`` when the
        point is ``x``."""
        ev.gradient(x, out=g_x)  # reuses the forward pass of x if cached
        check_gradient(g_x, iteration)
        return x, f_x, g_x

    def reference(self, f_x):
        """The value a candidate is tested against: None for the descent
        lemma from the point."""
        return None

    def restart(self, mu_start):
        """Called when the step from an extrapolated point failed."""

    def accepted(self, previous, g_previous, f_new):
        """Called after a step from ``previous`` (the last iterate, with
        gradient ``g_previous``) was accepted with the value ``f_new``."""
        if not self.search.fixed:
            self.search.mu *= GROW

    def summary(self):
        """Words on the policy's own events, for a verbose stop message."""
        return ""


class FISTA(PGD):
    """Momentum with a monotone restart.

    The objective at the extrapolated point ``y = x + beta (x - x_prev)``
    costs no forward product when the objective hands over its
    pre-activations (``take_preactivations``): they are linear in the
    hidden parameters, so those at ``y`` are ``Z + beta (Z - Z_prev)``
    from the kept ones of ``x`` and ``x_prev``, three elementwise passes.
    An iteration then makes one forward product (at the candidate, which
    the projection makes a non-linear function of ``y``) and one backward
    product, as 'pgd' does. Only the pre-activations come from the
    shortcut; the rest of the objective at ``y`` (activation, output
    layer, loss) is computed as before, and the result differs from the
    direct product by rounding only (a new rounding error each iteration,
    not an accumulated one: the kept pre-activations are products).
    """

    def __init__(self, search, update, x, blocks):
        super().__init__(search, update, x, blocks)
        self.t = 1.0  # FISTA's momentum sequence
        self.t_next = self.momentum = None
        self.have_prev = False  # x_prev holds the last iterate
        self.restarts = 0
        self.x_prev = [aa.empty_like(p) for p in x]
        self.y = [aa.empty_like(p) for p in x]
        self.g_y = [aa.empty_like(p) for p in x]
        # Pre-activations of x and x_prev when kept (else None), a buffer
        # free for the objective's next forward product, and whether the
        # objective's last evaluation was at x.
        self._Z = self._Z_prev = self._spare = None
        self._at_x = False
        self._objective = None

    def point(self, ev, x, f_x, g_x, iteration):
        self._objective = ev.objective
        t = self.t
        self.t_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
        self.momentum = (t - 1.0) / self.t_next if self.have_prev else 0.0
        if self.momentum > 0.0:
            for a, b, c in zip(self.y, x, self.x_prev):
                _subtract(b, c, a)
                a *= self.momentum
                a += b
            _, f_y = ev.value(self.y, preact=self._extrapolated())
            self._at_x = False
            if np.isfinite(f_y):
                ev.gradient(self.y, out=self.g_y)
                check_gradient(self.g_y, iteration)
                return self.y, f_y, self.g_y
        if not self._at_x and self._Z is not None:
            # Back at x after a restart: its kept pre-activations make the
            # objective there without a product (the same numbers).
            ev.value(x, preact=self._Z)
        return super().point(ev, x, f_x, g_x, iteration)

    def _extrapolated(self):
        """Pre-activations at ``y``, by linearity, or None when the two
        they come from are not kept.

        Written over those of ``x_prev``: the next ``x_prev`` is ``x``
        whether the step from ``y`` is accepted or restarted.
        """
        Z, Z_y = self._Z, self._Z_prev
        if Z is None or Z_y is None:
            return None
        _subtract(Z, Z_y, Z_y)
        Z_y *= self.momentum
        Z_y += Z
        # Free again once the gradient at y is taken (before the search).
        self._Z_prev, self._spare = None, Z_y
        return Z_y

    def _keep_preactivations(self):
        """After an accepted step: keep the new point's pre-activations (its
        objective was the last one evaluated) and those of ``x_prev``."""
        take = getattr(self._objective, "take_preactivations", None)
        if take is None:
            return
        spare = self._spare if self._spare is not None else self._Z_prev
        self._Z_prev = self._Z
        self._Z = take(spare)
        self._spare = None
        self._at_x = True

    def restart(self, mu_start):
        # The next step is taken from x without momentum, with the step the
        # search started from (the extrapolated point may sit at a kink
        # where only tiny steps pass; x need not).
        self.t = 1.0
        self.search.mu = mu_start
        self.have_prev = False
        self.restarts += 1
        self._at_x = False

    def accepted(self, previous, g_previous, f_new):
        if self.momentum > 0.0 or self.have_prev:
            self.t = self.t_next
        for a, b in zip(self.x_prev, previous):
            _copyto(a, b)
        self.have_prev = True
        self._keep_preactivations()
        # Grow only after a search that needed no halving: about one
        # rejected trial in three iterations instead of one in every
        # iteration.
        if not self.search.fixed and not self.search.rejected:
            self.search.mu *= GROW

    def summary(self):
        return f" ({self.restarts} momentum restarts)"


class SPG(PGD):
    """Barzilai-Borwein first trials and a non-monotone acceptance test."""

    def __init__(self, search, update, x, blocks):
        super().__init__(search, update, x, blocks)
        self.have_prev = False
        self.x_prev = [aa.empty_like(p) for p in x]
        self.g_prev = [aa.empty_like(p) for p in x]
        self.recent = []

    def point(self, ev, x, f_x, g_x, iteration):
        if not self.recent:
            self.recent.append(f_x)
        point = super().point(ev, x, f_x, g_x, iteration)
        if not self.search.fixed and self.have_prev:
            free = self.blocks
            s2 = dist2(x, self.x_prev, free)
            sy = sum(
                aa.vdot(x[i] - self.x_prev[i], g_x[i] - self.g_prev[i]) for i in free
            )
            if sy > 0 and s2 > 0:
                self.search.mu = min(max(s2 / sy, BB_BOUNDS[0]), BB_BOUNDS[1])
        return point

    def reference(self, f_x):
        return max(self.recent) if self.update.convex else f_x

    def accepted(self, previous, g_previous, f_new):
        for a, b in zip(self.x_prev, previous):
            _copyto(a, b)
        for a, b in zip(self.g_prev, g_previous):
            _copyto(a, b)
        self.have_prev = True
        self.recent.append(f_new)
        del self.recent[:-SPG_MEMORY]


POLICIES = {"pgd": PGD, "fista": FISTA, "spg": SPG}
