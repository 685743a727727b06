"""Update rules of the descent loop beyond the projected step.

An update rule says what one iteration does around the gradient step (see
:class:`~sklearn_shallow._optim.UpdateRule`). The rules here are the
splitting methods of Dinh & Xin (2020): RVSM and its ADMM baseline. They
are core parts, not estimator code: all the array arithmetic of an
iteration lives in the parts and the core.
"""

import numpy as np

from ._optim import UpdateRule


class RVSMUpdate(UpdateRule):
    """One RVSM iteration (Dinh & Xin 2020, Algorithm 1).

    ``w <- w - eta grad f(w) - eta beta (w - u)`` (a gradient step on
    ``f(w) + beta/2 ||w - u||^2`` with ``u`` held fixed), then
    ``u <- prox_{(lam/beta) P}(w)``. The loss curve records the augmented
    Lagrangian ``L_beta(w, u) = f(w) + lam P(u) + beta/2 ||w - u||^2``.
    """

    def __init__(self, penalty, lam, beta):
        super().__init__(project=None)
        self.penalty = penalty
        self.lam = lam
        self.beta = beta

    def _threshold(self, w):
        return self.penalty.prox(w, self.lam / self.beta)

    def start(self, params, state=None):
        u = None if state is None else state.get("u")
        if u is not None and u.shape == params[0].shape:
            self.u = u.astype(params[0].dtype, copy=True)
        else:
            self.u = self._threshold(params[0])

    def get_state(self):
        return {"u": self.u.copy()}

    def _gap(self, params):
        return params[0] - self.u

    def extra_value(self, params):
        gap = self._gap(params)
        return 0.5 * self.beta * float(np.vdot(gap, gap))

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
        if z is not None and z.shape == params[0].shape:
            self.z = z.astype(params[0].dtype, copy=True)
        else:
            self.z = np.zeros_like(params[0])
        super().start(params, state)

    def get_state(self):
        return {**super().get_state(), "z": self.z.copy()}

    def extra_value(self, params):
        return super().extra_value(params) + float(np.vdot(self.z, self._gap(params)))

    def add_extra_gradient(self, params, grads):
        super().add_extra_gradient(params, grads)
        grads[0] += self.z

    def after_step(self, params):
        self.u = self._threshold(params[0] + self.z / self.beta)
        self.z += self.beta * self._gap(params)

    def residual(self, params):
        # The multiplier's step beta (w - u): zero at a fixed point of ADMM.
        return self.beta * float(np.linalg.norm(self._gap(params)))


UPDATES = {"rvsm": RVSMUpdate, "admm": ADMMUpdate}
