"""The optimality certificate of quadratic networks (sklearn_shallow.certificate).

References are computed here from the definitions: ``S`` summed sample by
sample, its eigenvalues by numpy, the gap bound from those pieces; the
matrix-free (Lanczos) path against the dense one; the old import path.
"""

import itertools

import numpy as np
import pytest

from sklearn_shallow import certificate, quadratic
from sklearn_shallow._loss import LogisticLoss, SquaredLoss
from sklearn_shallow._network import Objective, ShallowModel
from sklearn_shallow.activations import get_activation
from sklearn_shallow.architectures import Dense
from sklearn_shallow.certificate import OptimalityCertificate, certify
from sklearn_shallow.quadratic import QuadraticNetRegressor, quadratic_objective
from sklearn_shallow.regularisers import Perturbation

# (loss value, its derivative in the prediction)
LOSS_FORMULAS = {
    "squared_error": (lambda p, y: 0.5 * (p - y) ** 2, lambda p, y: p - y),
    "log_loss": (
        lambda p, y: np.log1p(np.exp(-y * p)),
        lambda p, y: -y / (1.0 + np.exp(y * p)),
    ),
}
LOSS_CLASSES = {"squared_error": SquaredLoss, "log_loss": LogisticLoss}
LAM = 0.1

GRID = list(
    itertools.product(
        ["squared_error", "log_loss"],  # loss
        ["ones", "mixed"],  # output signs
        [False, True],  # fit_intercept
        [False, True],  # perturbation
    )
)


def random_psd(n_features, norm, seed):
    rng = np.random.default_rng(seed)
    G = rng.standard_normal((n_features, n_features))
    C = G @ G.T
    return norm * C / np.linalg.norm(C)


def weighted_problem(loss, signs, fit_intercept, perturbation, seed=0):
    """A small objective with sample weights, a point, and its raw pieces."""
    rng = np.random.default_rng(seed)
    n, d, k = 25, 5, 4
    X = rng.standard_normal((n, d))
    if loss == "log_loss":
        y = rng.choice([-1.0, 1.0], size=n)
    else:
        y = rng.standard_normal(n) + 2.0
    a = np.array([1.0, -1.0, 1.0, -1.0]) if signs == "mixed" else np.ones(k)
    C = random_psd(d, 0.3, seed + 1) if perturbation else None
    sw = rng.uniform(0.5, 2.0, size=n)
    objective = quadratic_objective(
        X, y, LOSS_CLASSES[loss](), a, LAM, C, fit_intercept, sw
    )
    W = rng.standard_normal((k, d)) / 2
    b = 0.3 if fit_intercept else 0.0
    if fit_intercept and loss == "squared_error":
        # The objective solves b for the squared loss: its minimiser, the
        # weighted mean residual.
        q = np.array([sum(s * (w @ x) ** 2 for s, w in zip(a, W)) for x in X])
        b = sw @ (y - q) / sw.sum()
    params = [W] + ([np.array([b])] if fit_intercept else [])
    return objective, params, (X, y, a, C, sw / sw.sum(), W, b)


def reference(loss, X, y, a, C, weight, W, b):
    """Objective value and ``S_s = s S0 + C + lam/2 I`` per sign, by the sums."""
    value, deriv = LOSS_FORMULAS[loss]
    d = X.shape[1]
    pred = np.array([sum(s * (w @ x) ** 2 for s, w in zip(a, W)) for x in X]) + b
    objective = np.sum(weight * value(pred, y)) + LAM / 2 * np.sum(W**2)
    if C is not None:
        objective += np.trace(C @ W.T @ W)
    S0 = sum(
        s_i * deriv(f, t) * np.outer(x, x) for x, t, f, s_i in zip(X, y, pred, weight)
    )
    extra = LAM / 2 * np.eye(d) + (0.0 if C is None else C)
    return objective, {s: s * S0 + extra for s in np.unique(a)}


@pytest.mark.parametrize("loss, signs, fit_intercept, perturbation", GRID)
def test_certificate_matches_explicitly_formed_S(
    loss, signs, fit_intercept, perturbation
):
    objective, params, (X, y, a, C, weight, W, b) = weighted_problem(
        loss, signs, fit_intercept, perturbation
    )
    value, S = reference(loss, X, y, a, C, weight, W, b)
    eigenvalues = np.concatenate([np.linalg.eigvalsh(M) for M in S.values()])
    rows = np.array([w @ S[s] for s, w in zip(a, W)])  # A W S, row by row
    cert = certify(objective, params)
    assert cert.method == "dense"
    assert cert.lambda_min == pytest.approx(eigenvalues.min(), rel=1e-10)
    assert cert.spectral_norm == pytest.approx(np.abs(eigenvalues).max())
    assert cert.stationarity == pytest.approx(np.linalg.norm(rows), rel=1e-10)
    assert cert.weight_norm == pytest.approx(np.linalg.norm(W))
    assert cert.objective == pytest.approx(value, rel=1e-12)
    # The bound of the module docstring, from the same pieces.
    deficit = max(0.0, -eigenvalues.min())
    expected_gap = max(0.0, np.sum(rows * W) + deficit * 2 * value / LAM)
    assert cert.gap_bound == pytest.approx(expected_gap, rel=1e-8)


@pytest.mark.parametrize("signs", ["ones", "mixed"])
def test_lanczos_certificate_matches_dense(signs):
    rng = np.random.default_rng(1)
    n, d = 80, 60
    a = np.ones(6) if signs == "ones" else np.array([1.0, -1.0] * 3)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n) ** 2
    objective = quadratic_objective(
        X, y, SquaredLoss(), a, 0.05, random_psd(d, 0.01, 2), True
    )
    params = [rng.standard_normal((6, d)) / np.sqrt(d), np.array([0.5])]
    dense = certify(objective, params, dense_max=d)
    lanczos = certify(objective, params, random_state=0, dense_max=d - 1)
    assert (dense.method, lanczos.method) == ("dense", "lanczos")
    assert lanczos.lambda_min == pytest.approx(dense.lambda_min, rel=1e-9)
    assert lanczos.spectral_norm == pytest.approx(dense.spectral_norm, rel=1e-9)


def test_float32_objective_is_certified_in_float64():
    objective, params, _ = weighted_problem("squared_error", "mixed", True, True)
    expected = certify(objective, params)
    single = certify(
        objective.astype(np.float32), [p.astype(np.float32) for p in params]
    )
    assert single.lambda_min == pytest.approx(expected.lambda_min, rel=1e-5)
    assert single.objective == pytest.approx(expected.objective, rel=1e-5)


def test_estimator_uses_lanczos_above_the_threshold(monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 12))
    y = ((X @ rng.standard_normal((2, 12)).T) ** 2).sum(axis=1)
    monkeypatch.setattr(certificate, "DENSE_CERTIFICATE_MAX_FEATURES", 5)
    lanczos = QuadraticNetRegressor(random_state=0).fit(X, y)
    monkeypatch.setattr(certificate, "DENSE_CERTIFICATE_MAX_FEATURES", 500)
    dense = QuadraticNetRegressor(random_state=0).fit(X, y)
    assert lanczos.certificate_.method == "lanczos"
    assert dense.certificate_.method == "dense"
    assert lanczos.certificate_.lambda_min == pytest.approx(
        dense.certificate_.lambda_min, rel=1e-6, abs=1e-12
    )


@pytest.mark.parametrize(
    "fields, relative, certifies",
    [
        # gap 1e-5 of an objective of 1: certified at 1e-4, not at 1e-6.
        (dict(gap_bound=1e-5, objective=1.0), 1e-5, (True, False)),
        (dict(gap_bound=0.0, objective=0.0), 0.0, (True, True)),
        (dict(gap_bound=1.0, objective=0.0), np.inf, (False, False)),
        (dict(gap_bound=np.inf, objective=2.0), np.inf, (False, False)),
    ],
)
def test_certificate_ratios_and_threshold(fields, relative, certifies):
    cert = OptimalityCertificate(
        lambda_min=-0.5,
        spectral_norm=2.0,
        stationarity=3.0,
        weight_norm=0.5,
        method="dense",
        **fields,
    )
    assert cert.relative_lambda_min == -0.25
    assert cert.relative_stationarity == 3.0
    assert cert.relative_gap_bound == relative
    assert (cert.certifies(), cert.certifies(1e-6)) == certifies
    assert "gap_bound" in repr(cert)


def test_old_import_path_still_works():
    # The certificate moved out of quadratic.py; its names are re-exported.
    assert quadratic.certify is certify
    assert quadratic.OptimalityCertificate is OptimalityCertificate
    assert quadratic.CERTIFICATE_RTOL == certificate.CERTIFICATE_RTOL


def test_certify_leaves_params_unchanged():
    # The squared loss's objective solves b in value(): certify works on a copy.
    objective, params, _ = weighted_problem("squared_error", "mixed", True, False)
    params[1][0] = 5.0
    before = [p.copy() for p in params]
    certify(objective, params)
    for a, b in zip(params, before):
        np.testing.assert_array_equal(a, b)


def _shared_objective(activation, output, regularisers=(), batch_size=None):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 3)), rng.standard_normal(20)
    model = ShallowModel(get_activation(activation), Dense(), 3, 2, output, False)
    objective = Objective(
        model, SquaredLoss(), X, y, batch_size=batch_size, regularisers=regularisers
    )
    return objective, [rng.standard_normal((2, 3))]


class _NotLinearInGram:
    def value(self, hidden):
        return float(np.sum(np.abs(hidden)))

    def add_gradient(self, hidden, out):
        out += np.sign(hidden)
        return out


@pytest.mark.parametrize(
    "activation, output, regularisers, match",
    [
        ("relu", np.ones(2), (), "activation ReLU \\(not z\\^2\\)"),
        ("quadratic", None, (), "learned output weights"),
        ("quadratic", np.array([2.0, 1.0]), (), "other than -1 and \\+1"),
        ("quadratic", np.ones(2), (_NotLinearInGram(),), "_NotLinearInGram"),
    ],
)
def test_certify_names_what_is_not_du_and_lee_s_objective(
    activation, output, regularisers, match
):
    objective, params = _shared_objective(activation, output, regularisers)
    with pytest.raises(ValueError, match=match):
        certify(objective, params)


def test_certify_needs_one_batch():
    objective, params = _shared_objective("quadratic", np.ones(2), batch_size=5)
    with pytest.raises(ValueError, match="full-batch objective; this one has 4"):
        certify(objective, params)


def test_perturbation_parts_are_summed_into_C():
    # Two parts C1 + C2 certify like one part C1 + C2.
    X = np.random.default_rng(3).standard_normal((25, 5))
    y = np.random.default_rng(4).standard_normal(25)
    C1, C2 = random_psd(5, 0.2, 5), random_psd(5, 0.1, 6)
    one = quadratic_objective(X, y, SquaredLoss(), np.ones(4), LAM, C1 + C2, True)
    two = quadratic_objective(X, y, SquaredLoss(), np.ones(4), LAM, C1, True)
    two.regularisers += (Perturbation(C2),)
    params = [np.random.default_rng(7).standard_normal((4, 5)), np.zeros(1)]
    a, b = certify(one, params), certify(two, params)
    assert b.lambda_min == pytest.approx(a.lambda_min, rel=1e-12)
    assert b.gap_bound == pytest.approx(a.gap_bound, rel=1e-10)
