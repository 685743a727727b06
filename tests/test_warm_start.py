"""Warm starts are never weaker than cold starts.

A warm start resumes the previous fit's last step size. When that fit ended
with collapsed steps (at a kink, or at the rounding level of its optimum),
resuming them used to leave the next step search nothing but shrinking: it
gave up at iteration 1 with "no step decreases the objective", on a smooth
convex problem, and a regularisation path kept that point. Whether the
previous fit ended so depended on the BLAS kernel's rounding; here the
collapsed state is given explicitly, so the test holds for any rounding.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklearn_shallow._loss import SquaredLoss
from sklearn_shallow._network import Objective, ShallowModel
from sklearn_shallow.activations import Linear
from sklearn_shallow.architectures import Dense
from sklearn_shallow.constraints import L1Ball
from sklearn_shallow.datasets import make_sparse_network
from sklearn_shallow.solvers import UpdateRule, descend


def _convex_problem(radius_fraction):
    """Least squares of a linear network over an l1 ball: convex, with one
    minimum value and unique predictions."""
    X, y, truth = make_sparse_network(300, n_features=20, n_hidden=3, random_state=0)
    model = ShallowModel(Linear(), Dense(), 20, 3, np.ones(3), False)
    objective = Objective(model, SquaredLoss(), X, y)
    ball = L1Ball(radius_fraction * truth.l1_norm)
    ball.check((3, 20))
    update = UpdateRule(project=ball.prox, convex=True)
    return X, objective, update


def _fit(objective, update, start, state=None, solver="fista"):
    return descend(
        objective,
        [start],
        update,
        solver=solver,
        tol=1e-12,
        max_iter=20000,
        names=["hidden"],
        state=state,
    )


@pytest.mark.parametrize("solver", ["pgd", "fista", "spg"])
@pytest.mark.parametrize(
    "collapsed",
    [
        # The state a fit leaves when its accepted steps fell from 1 to 3.5e-16.
        {"mu": 3.5e-16, "mu_max": 1.0},
        # The same without the record of its largest step (the search itself
        # must then retry from the cold step before judging the point).
        {"mu": 3.5e-16},
        {"mu": 1e-300},
    ],
)
def test_warm_start_from_collapsed_steps_reaches_the_cold_optimum(solver, collapsed):
    X, objective, update = _convex_problem(0.3)
    rng = np.random.default_rng(0)
    start = rng.standard_normal((3, 20)) / np.sqrt(20)
    cold = _fit(objective, update, start, solver=solver)
    assert cold.converged, cold.message
    # Warm: from the optimum of a smaller ball (a path's previous point).
    _, small_objective, small_update = _convex_problem(0.1)
    previous = _fit(small_objective, small_update, start, solver=solver)
    warm = _fit(objective, update, previous.raw_params[0], collapsed, solver)
    assert warm.converged, warm.message
    assert warm.loss_curve[-1] == pytest.approx(cold.loss_curve[-1], rel=1e-6)
    # The minimiser in W need not be unique; the predictions are.
    pred_cold = X @ cold.params[0].T @ np.ones(3)
    pred_warm = X @ warm.params[0].T @ np.ones(3)
    assert_allclose(pred_warm, pred_cold, rtol=0, atol=1e-6 * np.abs(pred_cold).max())
