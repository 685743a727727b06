"""Update rules: what one iteration of the loop does around its gradient step.

:class:`UpdateRule` is the projected (proximal) gradient step of the papers'
algorithms; the other rules here are the splitting methods of Dinh & Xin
(2020), RVSM and its ADMM baseline, which add a smooth coupling term to the
objective and update auxiliary variables between steps.

A rule declares what it is, and the solvers read the declarations instead
of guessing from the methods a subclass overrides:

``smooth``
    The step is a plain gradient step on a smooth objective: no projection,
    no proximal operator.
``stateful``
    The rule keeps variables of its own between steps (auxiliary variables,
    multipliers) or adds coupling terms to the objective, so the objective
    the loop sees moves from one step to the next.
``accelerable``
    Momentum (``solver='fista'``) suits the rule.
``convex``
    The set projected onto (or the penalty) is convex; the spectral policy
    is only non-monotone on convex problems.

L-BFGS, whose quasi-Newton model assumes one fixed smooth function, needs
``smooth`` and not ``stateful`` (see
:func:`~sklearn_shallow.solvers.check_solver`). The array arithmetic of an
iteration lives here and in the loop, not in the estimators.
"""

import math

import numpy as np

from .. import _array_api as aa


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
    #: Whether the rule keeps variables of its own between steps or adds
    #: coupling terms to the objective (see the module docstring).
    stateful = False

    def __init__(self, project=None, convex=True):
        self.project = project
        self.convex = convex

    @property
    def smooth(self):
        """Whether the step is a plain gradient step (no projection)."""
        return self.project is None

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
            if isinstance(o, np.ndarray):
                np.multiply(g, -mu, out=o)
            else:
                o[...] = g * (-mu)
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


class RVSMUpdate(UpdateRule):
    """One RVSM iteration (Dinh & Xin 2020, Algorithm 1).

    ``w <- w - eta grad f(w) - eta beta (w - u)`` (a gradient step on
    ``f(w) + beta/2 ||w - u||^2`` with ``u`` held fixed), then
    ``u <- prox_{(lam/beta) P}(w)``. The loss curve records the augmented
    Lagrangian ``L_beta(w, u) = f(w) + lam P(u) + beta/2 ||w - u||^2``.
    """

    # The threshold is a proximal operator and ``u`` a variable of its own.
    smooth = False
    stateful = True

    def __init__(self, penalty, lam, beta):
        # The step itself is a plain gradient step (u held fixed): nothing
        # is projected, so the step policies treat it as a convex step.
        super().__init__(project=None)
        self.penalty = penalty
        self.lam = lam
        self.beta = beta

    def _threshold(self, w):
        return self.penalty.prox(w, self.lam / self.beta)

    def start(self, params, state=None):
        u = None if state is None else state.get("u")
        if u is not None and tuple(u.shape) == tuple(params[0].shape):
            self.u = _copy_as(u, params[0])
        else:
            self.u = self._threshold(params[0])

    def get_state(self):
        return {"u": aa.copy(self.u)}

    def _gap(self, params):
        return params[0] - self.u

    def extra_value(self, params):
        gap = self._gap(params)
        return 0.5 * self.beta * aa.vdot(gap, gap)

    def add_extra_gradient(self, params, grads):
        grads[0] += self.beta * self._gap(params)

    def after_step(self, params):
        self.u = self._threshold(params[0])

    def record(self, data_loss, params):
        return (
            data_loss + self.lam * self.penalty.value(self.u) + self.extra_value(params)
        )

    def output(self, params):
        return [self.u] + list(params[1:])


class ADMMUpdate(RVSMUpdate):
    """ADMM with a gradient step in ``w``: the baseline RVSM is compared to.

    ``w <- w - eta (grad f(w) + z + beta (w - u))``,
    ``u <- prox_{(lam/beta) P}(w + z / beta)``, ``z <- z + beta (w - u)``.
    The loss curve records ``f(w) + lam P(u) + <z, w - u> + beta/2 ||w - u||^2``.
    Steps are plain (``solver='fista'`` falls back to 'pgd'): momentum works
    against the multiplier update and keeps the gap ``w - u`` open.
    """

    accelerable = False

    def start(self, params, state=None):
        z = None if state is None else state.get("z")
        if z is not None and tuple(z.shape) == tuple(params[0].shape):
            self.z = _copy_as(z, params[0])
        else:
            self.z = aa.zeros_like(params[0])
        super().start(params, state)

    def get_state(self):
        return {**super().get_state(), "z": aa.copy(self.z)}

    def extra_value(self, params):
        return super().extra_value(params) + aa.vdot(self.z, self._gap(params))

    def add_extra_gradient(self, params, grads):
        super().add_extra_gradient(params, grads)
        grads[0] += self.z

    def after_step(self, params):
        self.u = self._threshold(params[0] + self.z / self.beta)
        self.z += self.beta * self._gap(params)

    def residual(self, params):
        # The multiplier's step beta (w - u): zero at a fixed point of ADMM.
        gap = self._gap(params)
        if isinstance(gap, np.ndarray):
            return self.beta * float(np.linalg.norm(gap))
        return self.beta * math.sqrt(aa.vdot(gap, gap))


def _copy_as(a, like):
    """A copy of the stored state ``a`` in the dtype, namespace and device of
    ``like`` (a warm start may resume a fit on other arrays)."""
    if isinstance(like, np.ndarray):
        return np.asarray(aa.to_numpy(a)).astype(like.dtype, copy=True)
    host = aa.to_numpy(a) if not aa._is_host(a) else np.asarray(a)
    return aa.asarray_on(host, like, dtype=like.dtype)


UPDATES = {"rvsm": RVSMUpdate, "admm": ADMMUpdate}
