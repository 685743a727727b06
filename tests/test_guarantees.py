"""Acceptance tests of issue 19: the guarantees every estimator gives.

Only the public API is used. Each test checks a number against an
independent answer (the same estimator's fit on the unscaled problem, the
model before a failed refit, the constant target) or an error or warning by
the key words of its message:

* a failed or interrupted refit keeps the previous model, bit for bit, with
  its ``n_features_in_``, ``feature_names_in_`` and ``classes_``;
* a failed first fit leaves the estimator unfitted (NotFittedError);
* rescaling a column of X, shifting X or scaling y changes nothing but the
  units of the answer, or a warning says so;
* invalid class weights, sample weights and custom activations are refused
  with a message that names them;
* fits in threads do not oversubscribe BLAS.
"""

import concurrent.futures
import re
import time
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone, is_classifier
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import r2_score

from sklearn_shallow import (
    DegenerateFitWarning,
    ProjectedShallowClassifier,
    ProjectedShallowClassifierCV,
    ProjectedShallowRegressor,
    ProjectedShallowRegressorCV,
    QuadraticNetClassifier,
    QuadraticNetClassifierCV,
    QuadraticNetRegressor,
    QuadraticNetRegressorCV,
    RVSMClassifier,
    RVSMClassifierCV,
    RVSMRegressor,
    RVSMRegressorCV,
    TensorInitOneHidden,
)

N_FEATURES = 5

# Small, fast settings of the 13 public estimators (the CV estimators with a
# grid of two values and three folds).
ESTIMATORS = {
    "ProjectedShallowRegressor": lambda: ProjectedShallowRegressor(
        n_hidden=4, max_iter=30, random_state=0
    ),
    "ProjectedShallowClassifier": lambda: ProjectedShallowClassifier(
        n_hidden=4, max_iter=30, random_state=0
    ),
    "RVSMRegressor": lambda: RVSMRegressor(n_hidden=4, max_iter=30, random_state=0),
    "RVSMClassifier": lambda: RVSMClassifier(n_hidden=4, max_iter=30, random_state=0),
    "QuadraticNetRegressor": lambda: QuadraticNetRegressor(
        n_hidden=4, max_iter=50, random_state=0
    ),
    "QuadraticNetClassifier": lambda: QuadraticNetClassifier(
        n_hidden=4, max_iter=50, random_state=0
    ),
    "TensorInitOneHidden": lambda: TensorInitOneHidden(
        n_hidden=3, max_iter=30, random_state=0
    ),
    "ProjectedShallowRegressorCV": lambda: ProjectedShallowRegressorCV(
        taus=[2.0, 8.0], cv=3, n_hidden=4, max_iter=15, random_state=0
    ),
    "ProjectedShallowClassifierCV": lambda: ProjectedShallowClassifierCV(
        taus=[2.0, 8.0], cv=3, n_hidden=4, max_iter=15, random_state=0
    ),
    "RVSMRegressorCV": lambda: RVSMRegressorCV(
        lams=[0.1, 0.01], cv=3, n_hidden=4, max_iter=15, random_state=0
    ),
    "RVSMClassifierCV": lambda: RVSMClassifierCV(
        lams=[0.1, 0.01], cv=3, n_hidden=4, max_iter=15, random_state=0
    ),
    "QuadraticNetRegressorCV": lambda: QuadraticNetRegressorCV(
        alphas=[0.1, 0.01], cv=3, n_hidden=4, max_iter=30, random_state=0
    ),
    "QuadraticNetClassifierCV": lambda: QuadraticNetClassifierCV(
        alphas=[0.1, 0.01], cv=3, n_hidden=4, max_iter=30, random_state=0
    ),
}

# The dense estimators of the scale tests (claim 3).
DENSE = {
    "ProjectedShallowRegressor": lambda: ProjectedShallowRegressor(
        n_hidden=4, max_iter=40, random_state=0
    ),
    "ProjectedShallowClassifier": lambda: ProjectedShallowClassifier(
        n_hidden=4, max_iter=40, random_state=0
    ),
    "RVSMRegressor": lambda: RVSMRegressor(n_hidden=4, max_iter=40, random_state=0),
    "RVSMClassifier": lambda: RVSMClassifier(n_hidden=4, max_iter=40, random_state=0),
    "QuadraticNetRegressor": lambda: QuadraticNetRegressor(
        n_hidden=4, max_iter=100, random_state=0
    ),
    # On these separable classes the default weight decay leaves the logistic
    # minimum so flat that two fits agree only to the stopping tolerance
    # (probabilities 9e-4 apart after 174 L-BFGS iterations, both converged;
    # 0.02 apart when max_iter=100 stops them early, with a warning): a
    # weight decay that makes the minimum well defined asks for 1e-6.
    "QuadraticNetClassifier": lambda: QuadraticNetClassifier(
        n_hidden=4, alpha=1e-2, max_iter=100, random_state=0
    ),
    "TensorInitOneHidden": lambda: TensorInitOneHidden(
        n_hidden=3, max_iter=40, random_state=0
    ),
    "ProjectedShallowRegressor(init='tensor')": lambda: ProjectedShallowRegressor(
        n_hidden=3, init="tensor", max_iter=40, random_state=0
    ),
}

quiet = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning",
    "ignore::RuntimeWarning",
)


def _data(classifier, n=90, p=N_FEATURES, seed=0, n_classes=2):
    if classifier:
        return make_classification(
            n_samples=n,
            n_features=p,
            n_informative=3,
            n_redundant=0,
            n_classes=n_classes,
            n_clusters_per_class=1,
            class_sep=1.5,
            random_state=seed,
        )
    X, y = make_regression(n_samples=n, n_features=p, noise=1.0, random_state=seed)
    return X, y / y.std()


def _outputs(est, X):
    """Every prediction method the estimator has, by name."""
    names = ["predict", "predict_proba", "decision_function"]
    return {m: getattr(est, m)(X) for m in names if hasattr(est, m)}


def _has_callback(est):
    return "callback" in est.get_params()


class _Boom(RuntimeError):
    pass


def _raising_callback(exc):
    calls = []

    def callback(info):
        calls.append(info)
        raise exc

    callback.calls = calls
    return callback


class _InterruptingWeights:
    """Sample weights whose conversion to an array is interrupted (Ctrl-C
    while the fit reads them)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __array__(self, dtype=None, copy=None):
        raise KeyboardInterrupt("interrupted while reading sample_weight")


# How a fit is made to fail: (exception type, match, needs a callback).
FAILURES = {
    "error_in_callback": (_Boom, "callback failed", True),
    "interrupt_in_callback": (KeyboardInterrupt, "", True),
    "nan_sample_weight": (ValueError, "(?i)sample_weight|nan|finite", False),
    "interrupted_sample_weight": (KeyboardInterrupt, "", False),
}


def _failing_fit(est, kind, X, y):
    """Fit ``est`` on ``(X, y)`` in the way ``kind`` makes fail; check that it
    failed that way."""
    exc, match, needs_callback = FAILURES[kind]
    if needs_callback and not _has_callback(est):
        pytest.skip(f"{type(est).__name__} takes no callback")
    sample_weight = None
    if kind == "error_in_callback":
        est.set_params(callback=_raising_callback(_Boom("callback failed")))
    elif kind == "interrupt_in_callback":
        est.set_params(callback=_raising_callback(KeyboardInterrupt()))
    elif kind == "nan_sample_weight":
        sample_weight = np.ones(X.shape[0])
        sample_weight[3] = np.nan
    else:
        sample_weight = _InterruptingWeights(X.shape[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc, match=match):
            est.fit(X, y, sample_weight=sample_weight)
    if needs_callback:
        assert est.get_params()["callback"].calls, "the callback was never called"


# ---- claim 1: a failed refit keeps the previous model ---------------------------


@quiet
@pytest.mark.parametrize("kind", list(FAILURES))
@pytest.mark.parametrize("new_data", [False, True], ids=["same_data", "new_data"])
@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_failed_refit_keeps_the_previous_model(name, new_data, kind):
    est = ESTIMATORS[name]()
    classifier = is_classifier(est)
    X, y = _data(classifier)
    est.fit(X, y)
    before = _outputs(est, X)
    n_features = est.n_features_in_
    classes = est.classes_.copy() if classifier else None
    if new_data:
        # Wider X and, for a classifier, labels never seen before.
        X2, y2 = _data(classifier, n=80, p=N_FEATURES + 2, seed=1, n_classes=3)
        if classifier:
            y2 = y2 + 10
    else:
        X2, y2 = X, y
    _failing_fit(est, kind, X2, y2)
    if _has_callback(est):
        est.set_params(callback=None)
    after = _outputs(est, X)
    assert after.keys() == before.keys()
    for method in before:
        assert_array_equal(after[method], before[method], err_msg=method)
    assert est.n_features_in_ == n_features
    assert not hasattr(est, "feature_names_in_")
    if classifier:
        assert_array_equal(est.classes_, classes)


@quiet
@pytest.mark.parametrize("kind", ["error_in_callback", "nan_sample_weight"])
@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_failed_refit_on_an_array_keeps_the_feature_names(name, kind):
    pd = pytest.importorskip("pandas")
    est = ESTIMATORS[name]()
    classifier = is_classifier(est)
    X, y = _data(classifier)
    columns = [f"f{i}" for i in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=columns)
    est.fit(frame, y)
    before = _outputs(est, frame)
    classes = est.classes_.copy() if classifier else None
    # The refit on a plain (wider) ndarray fails.
    X2, y2 = _data(classifier, n=80, p=N_FEATURES + 1, seed=1)
    _failing_fit(est, kind, X2, y2)
    assert_array_equal(est.feature_names_in_, columns)
    assert est.n_features_in_ == N_FEATURES
    if classifier:
        assert_array_equal(est.classes_, classes)
    after = _outputs(est, frame)
    for method in before:
        assert_array_equal(after[method], before[method], err_msg=method)
    permuted = frame[columns[::-1]]
    with pytest.raises(ValueError, match="(?i)feature names"):
        est.predict(permuted)


# ---- claim 2: a failed first fit leaves the estimator unfitted --------------------


@quiet
@pytest.mark.parametrize("kind", list(FAILURES))
@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_failed_first_fit_leaves_the_estimator_unfitted(name, kind):
    est = ESTIMATORS[name]()
    X, y = _data(is_classifier(est))
    _failing_fit(est, kind, X, y)
    with pytest.raises(NotFittedError):
        est.predict(X)
    assert not hasattr(est, "n_features_in_")


# ---- claim 3: the scale of one column --------------------------------------------


def _fit_catching(est, X, y, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y, **kw)
    return est, [str(w.message) for w in caught], [w.category for w in caught]


def _planted(n=120, p=N_FEATURES, seed=0):
    """Gaussian inputs and a planted ReLU network (the tensor method's
    setting), targets of unit scale."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = rng.standard_normal((3, p)) / np.sqrt(p)
    y = np.maximum(X @ W.T, 0.0) @ np.array([1.0, 1.0, 1.0])
    y += 0.05 * rng.standard_normal(n)
    return X, y


@pytest.mark.parametrize("factor", [1e6, 1e-6])
@pytest.mark.parametrize("name", list(DENSE))
def test_one_column_rescaled_gives_the_same_predictions_or_a_warning(name, factor):
    est = DENSE[name]()
    classifier = is_classifier(est)
    if classifier:
        X, y = _data(True, n=100)
    else:
        X, y = _planted(n=100)
    Xs = X.copy()
    Xs[:, 1] *= factor
    plain, _, _ = _fit_catching(clone(est), X, y)
    scaled, messages, _ = _fit_catching(clone(est), Xs, y)
    if any(re.search(r"(?i)scal", m) for m in messages):
        return  # the user was told about the scale of the features
    if classifier:
        assert_allclose(scaled.predict_proba(Xs), plain.predict_proba(X), atol=1e-6)
    else:
        expected = plain.predict(X)
        assert_allclose(
            scaled.predict(Xs),
            expected,
            rtol=1e-6,
            atol=1e-6 * np.max(np.abs(expected)),
        )


# ---- claim 4: a large offset in every column --------------------------------------


def test_large_offset_keeps_the_accuracy_or_warns():
    X, y = make_classification(
        n_samples=120,
        n_features=N_FEATURES,
        n_informative=3,
        n_redundant=0,
        n_clusters_per_class=1,
        class_sep=2.0,
        random_state=0,
    )
    est = ProjectedShallowClassifier(n_hidden=4, max_iter=200, random_state=0)
    plain, _, _ = _fit_catching(clone(est), X, y)
    accuracy = plain.score(X, y)
    assert accuracy > 0.85  # the problem is easy: a real test of the offset
    shifted, messages, _ = _fit_catching(clone(est), X + 1e6, y)
    if any(re.search(r"(?i)offset|cent(er|re)|shift|mean", m) for m in messages):
        return
    assert shifted.score(X + 1e6, y) >= accuracy - 0.05


# ---- claim 5: tiny targets ----------------------------------------------------------


@quiet
@pytest.mark.parametrize(
    "make",
    [
        lambda: ProjectedShallowRegressor(n_hidden=4, max_iter=40, random_state=0),
        lambda: QuadraticNetRegressor(n_hidden=4, max_iter=100, random_state=0),
    ],
    ids=["ProjectedShallowRegressor", "QuadraticNetRegressor"],
)
def test_targets_times_1e_minus_170_give_the_same_model_in_their_units(make):
    X, y = _planted(n=100)
    plain = make().fit(X, y)
    tiny = make().fit(X, y * 1e-170)
    expected = plain.predict(X)
    assert_allclose(
        tiny.predict(X) / 1e-170,
        expected,
        rtol=1e-6,
        atol=1e-6 * np.max(np.abs(expected)),
    )
    assert tiny.score(X, y * 1e-170) == pytest.approx(plain.score(X, y), abs=1e-6)


# ---- claim 6: the tensor start on small inputs --------------------------------------


def test_tensor_init_on_small_inputs_fits_or_warns():
    X, y = _planted(n=200)
    make = lambda: ProjectedShallowRegressor(  # noqa: E731
        n_hidden=3, init="tensor", max_iter=200, random_state=0
    )
    plain, _, _ = _fit_catching(make(), X, y)
    r2 = plain.score(X, y)
    assert r2 > 0.5  # a planted network: the unscaled fit is good
    small, _, categories = _fit_catching(make(), X * 0.01, y)
    warned = (DegenerateFitWarning, ConvergenceWarning)
    if any(issubclass(c, warned) for c in categories):
        return
    prediction = small.predict(X * 0.01)
    assert np.ptp(prediction) > 0, "a silent constant predictor"
    assert r2_score(y, prediction) >= r2 - 0.05


# ---- claim 7: the quadratic nets' outputs -------------------------------------------


@quiet
def test_quadratic_regressor_on_a_tiny_constant_target_predicts_it():
    X, _ = _planted(n=80)
    y = np.full(X.shape[0], 3.25e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = QuadraticNetRegressor(n_hidden=4, max_iter=100, random_state=0).fit(X, y)
    assert_allclose(est.predict(X), 3.25e-6, rtol=1e-6, atol=1e-12)


@quiet
def test_quadratic_classifier_probabilities_on_large_inputs_are_probabilities():
    X, y = _data(True, n=120, n_classes=3)
    est = QuadraticNetClassifier(n_hidden=4, max_iter=100, random_state=0)
    est.fit(X * 50, y)
    proba = est.predict_proba(X * 50)
    assert proba.shape == (120, 3)
    assert not np.isnan(proba).any()
    assert np.all((proba >= 0) & (proba <= 1))
    assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)


@quiet
def test_quadratic_regressor_on_float32_predicts_float32():
    X, y = _planted(n=80)
    est = QuadraticNetRegressor(n_hidden=4, max_iter=50, random_state=0)
    est.fit(X.astype(np.float32), y.astype(np.float32))
    assert est.predict(X.astype(np.float32)).dtype == np.float32


# ---- claim 8: the quadratic regressor with one column times 1e3 ---------------------


def test_quadratic_regressor_with_a_rescaled_column_fits_or_warns():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((150, N_FEATURES))
    W = rng.standard_normal((2, N_FEATURES)) / np.sqrt(N_FEATURES)
    y = ((X @ W.T) ** 2).sum(axis=1) + 0.05 * rng.standard_normal(150)
    make = lambda: QuadraticNetRegressor(max_iter=300, random_state=0)  # noqa: E731
    plain, _, _ = _fit_catching(make(), X, y)
    r2 = plain.score(X, y)
    assert r2 > 0.8  # a planted quadratic network: the unscaled fit is good
    Xs = X.copy()
    Xs[:, 0] *= 1e3
    scaled, _, categories = _fit_catching(make(), Xs, y)
    if any(issubclass(c, ConvergenceWarning) for c in categories):
        return
    assert scaled.score(Xs, y) >= r2 - 0.05


# ---- claim 9: validation ----------------------------------------------------------


@pytest.mark.parametrize(
    "class_weight", [{0: -0.5, 1: 1.0}, {0: np.nan, 1: 1.0}], ids=["negative", "nan"]
)
def test_invalid_class_weight_is_refused(class_weight):
    X, y = _data(True)
    est = ProjectedShallowClassifier(
        n_hidden=4, max_iter=20, class_weight=class_weight, random_state=0
    )
    with pytest.raises(ValueError, match="class_weight"):
        est.fit(X, y)


SINGLE = [
    "ProjectedShallowRegressor",
    "ProjectedShallowClassifier",
    "RVSMRegressor",
    "RVSMClassifier",
    "QuadraticNetRegressor",
    "QuadraticNetClassifier",
    "TensorInitOneHidden",
]


@quiet
@pytest.mark.parametrize("name", SINGLE)
def test_huge_equal_sample_weights_fit_as_unit_weights_or_are_refused(name):
    est = ESTIMATORS[name]()
    classifier = is_classifier(est)
    X, y = _data(classifier) if classifier else _planted(n=90)
    unit = clone(est).fit(X, y, sample_weight=np.ones(X.shape[0]))
    huge = clone(est)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            huge.fit(X, y, sample_weight=np.full(X.shape[0], 1e307))
    except Exception as error:  # a refusal must say what is wrong
        message = str(error)
        assert re.search(r"(?i)sample_weight|overflow", message), message
        assert "Standardise X" not in message, message
        return
    if classifier:
        assert_allclose(huge.predict_proba(X), unit.predict_proba(X), atol=1e-6)
    else:
        expected = unit.predict(X)
        assert_allclose(
            huge.predict(X),
            expected,
            rtol=1e-6,
            atol=1e-6 * np.max(np.abs(expected)),
        )


ACTIVATION_ESTIMATORS = [
    "ProjectedShallowRegressor",
    "ProjectedShallowClassifier",
    "RVSMRegressor",
    "RVSMClassifier",
    "TensorInitOneHidden",
]
BAD_ACTIVATIONS = {
    # value returns one scalar whatever z is
    "constant_scalar": (
        (lambda z: 1.0, lambda z: np.zeros_like(z)),
        r"(?i)scalar|constant|shape|elementwise|array",
    ),
    # value returns NaN
    "nan": (
        (lambda z: np.full_like(z, np.nan), lambda z: np.zeros_like(z)),
        r"(?i)nan|finite",
    ),
}


@pytest.mark.parametrize("bad", list(BAD_ACTIVATIONS))
@pytest.mark.parametrize("name", ACTIVATION_ESTIMATORS)
def test_broken_custom_activation_is_refused_by_name(name, bad):
    activation, what = BAD_ACTIVATIONS[bad]
    est = ESTIMATORS[name]().set_params(activation=activation)
    if name == "TensorInitOneHidden":
        # The tensor start refuses any non-homogeneous activation; the
        # random start reaches the activation's values.
        est.set_params(init="random")
    X, y = _data(is_classifier(est)) if is_classifier(est) else _planted(n=90)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match=r"(?i)activation") as info:
            est.fit(X, y)
    assert re.search(what, str(info.value)), str(info.value)


def test_tensor_init_on_a_constant_target_blames_the_target():
    X, _ = _planted(n=90)
    y = np.full(X.shape[0], 2.0)
    est = TensorInitOneHidden(n_hidden=3, max_iter=30, random_state=0)
    messages = []
    try:
        _, messages, _ = _fit_catching(est, X, y)
    except Exception as error:
        messages = [str(error)]
    for message in messages:
        if "did not converge" in message and "derivative" not in message:
            continue  # the loop's own report is not about the target
        assert re.search(r"(?i)\by\b|constant|target", message), message
        assert "derivative" not in message, message


# ---- claim 10: threads ------------------------------------------------------------


@pytest.mark.slow
def test_quadratic_fits_in_threads_do_not_oversubscribe():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 10))
    y = ((X @ rng.standard_normal((10, 2))) ** 2).sum(axis=1)

    def fit(seed):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return QuadraticNetRegressor(max_iter=200, random_state=seed).fit(X, y)

    fit(0)  # warm up: imports, thread pools
    start = time.perf_counter()
    for seed in range(4):
        fit(seed)
    serial = time.perf_counter() - start
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(fit, range(4)))
    threaded = time.perf_counter() - start
    # The issue measured 28.8 s against 0.33 s; 5x leaves room for noise.
    assert threaded <= 5 * serial + 1.0, (threaded, serial)


def test_weight_decay_that_leaves_a_constant_predictor_warns():
    # alpha far above the data's curvature: the optimum shrinks every weight
    # to (nearly) zero and predicts the mean; the units still vary a little,
    # so only the outputs' spread against the targets' shows it.
    from sklearn_shallow import DegenerateFitWarning, ProjectedShallowRegressor

    X, y = make_regression(n_samples=80, n_features=4, noise=0.1, random_state=0)
    with pytest.warns(DegenerateFitWarning, match="targets' range"):
        est = ProjectedShallowRegressor(n_hidden=5, alpha=1e9, random_state=0)
        est.fit(X, y)
    assert np.ptp(est.predict(X)) <= 1e-6 * np.ptp(y)


@pytest.mark.parametrize("name", ["ProjectedShallowRegressor", "QuadraticNetRegressor"])
def test_feature_scale_warning_points_at_the_call_to_fit(name):
    from sklearn_shallow import FeatureScaleWarning

    X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    X[:, 0] += 1e6
    est = DENSE[name]()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    scale = [w for w in caught if issubclass(w.category, FeatureScaleWarning)]
    assert scale, [str(w.message) for w in caught]
    assert all(w.filename == __file__ for w in scale), [w.filename for w in scale]


@pytest.mark.parametrize("name", ["ProjectedShallowRegressor", "QuadraticNetRegressor"])
def test_constant_predictor_warning_reports_the_constant_in_the_units_of_y(name):
    # A weight decay far above the data's curvature: the fit predicts (about)
    # the mean of y, and the warning must say so in y's units, not in the
    # fit's standardised ones.
    from sklearn_shallow import DegenerateFitWarning

    X, y = make_regression(n_samples=80, n_features=4, noise=0.1, random_state=0)
    y = 1000.0 + 50.0 * y / np.std(y)
    est = clone(DENSE[name]()).set_params(alpha=1e9)
    with pytest.warns(DegenerateFitWarning) as record:
        est.fit(X, y)
    message = str(record[0].message)
    reported = float(re.search(r"predicts (\S+) for every", message).group(1))
    assert reported == pytest.approx(est.predict(X[:1])[0], rel=1e-5), message


@quiet
def test_score_of_two_outputs_one_tiny_is_the_unscaled_score():
    # Each output is standardised on its own, so an output in units of
    # 1e-170 fits as it does in its own units; R^2 (the mean over outputs)
    # must not underflow on it.
    X, y = _planted()
    Y = np.column_stack([y, np.sin(y)])
    tiny = Y * np.array([1.0, 1e-170])
    est = ProjectedShallowRegressor(n_hidden=4, max_iter=40, random_state=0)
    plain = clone(est).fit(X, Y).score(X, Y)
    scaled = clone(est).fit(X, tiny).score(X, tiny)
    assert plain < 0.999
    assert scaled == pytest.approx(plain, rel=1e-6)
