"""The classifiers: ProjectedShallowClassifier and RVSMClassifier.

Numbers are checked against independent answers: the optimum of a linear
network equals scikit-learn's unpenalised logistic regression, class
weights equal the same sample weights, probabilities are the sigmoid or
softmax of the decision values, a planted sparse classifier is recovered.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from sklearn_shallow import (
    Convolution,
    L0Ball,
    ProjectedShallowClassifier,
    RVSMClassifier,
)

CLASSIFIERS = [ProjectedShallowClassifier, RVSMClassifier]


def _iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _binary(n=300, seed=0):
    X, y = make_classification(
        n_samples=n, n_features=6, n_informative=4, flip_y=0.1, random_state=seed
    )
    return X, y


@pytest.mark.parametrize("n_classes", [2, 3])
def test_linear_network_reaches_the_logistic_regression_optimum(n_classes):
    # With a linear activation and no penalty, the network computes the
    # linear functions x -> V x + b (any V once n_hidden >= n_outputs), so
    # its optimum is unpenalised logistic regression's. Labels are noisy:
    # the optimum is finite.
    X, y = make_classification(
        n_samples=400,
        n_features=5,
        n_informative=3,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        flip_y=0.2,
        random_state=3,
    )
    lr = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    best = log_loss(y, lr.predict_proba(X))
    clf = ProjectedShallowClassifier(
        n_hidden=4,
        activation="linear",
        alpha=0.0,
        tol=1e-9,
        max_iter=5000,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    ours = log_loss(y, clf.predict_proba(X))
    assert ours == pytest.approx(best, rel=1e-6, abs=1e-9)
    assert_allclose(clf.predict_proba(X), lr.predict_proba(X), atol=1e-4)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_probabilities_follow_from_the_decision_values(cls):
    X, y = _iris()
    clf = cls(random_state=0).fit(X, y)
    d = clf.decision_function(X)
    assert d.shape == (150, 3)
    e = np.exp(d - d.max(axis=1, keepdims=True))
    assert_allclose(clf.predict_proba(X), e / e.sum(axis=1, keepdims=True), rtol=1e-10)
    assert_allclose(clf.predict_log_proba(X), np.log(clf.predict_proba(X)), atol=1e-12)
    assert_array_equal(clf.predict(X), clf.classes_[d.argmax(axis=1)])
    assert clf.score(X, y) > 0.95
    # Two classes: one output, the log-odds of classes_[1].
    Xb, yb = _binary()
    labels = np.where(yb == 1, "yes", "no")
    clf = cls(random_state=0).fit(Xb, labels)
    assert_array_equal(clf.classes_, ["no", "yes"])
    d = clf.decision_function(Xb)
    assert d.shape == (300,) and clf.output_weights_.shape == (20,)
    assert isinstance(clf.intercept_, float) and clf.n_outputs_ == 1
    assert_allclose(clf.predict_proba(Xb)[:, 1], 1 / (1 + np.exp(-d)), rtol=1e-10)
    assert_array_equal(clf.predict(Xb), np.where(d > 0, "yes", "no"))


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_class_weight_equals_the_same_sample_weights(cls):
    X, y = _iris()
    keep = np.r_[0:50, 50:70, 100:150]  # unbalanced classes
    X, y = X[keep], y[keep]
    balanced = cls(class_weight="balanced", random_state=0).fit(X, y)
    weighted = cls(random_state=0).fit(
        X, y, sample_weight=compute_sample_weight("balanced", y)
    )
    assert_allclose(
        balanced.decision_function(X),
        weighted.decision_function(X),
        rtol=1e-10,
        atol=1e-10,
    )
    by_dict = cls(class_weight={0: 1.0, 1: 5.0, 2: 1.0}, random_state=0).fit(X, y)
    sw = np.where(y == 1, 5.0, 1.0)
    manual = cls(random_state=0).fit(X, y, sample_weight=sw)
    assert_allclose(
        by_dict.decision_function(X),
        manual.decision_function(X),
        rtol=1e-10,
        atol=1e-10,
    )


def test_planted_sparse_classifier_is_recovered():
    # Labels from a planted sparse ReLU network: an l0 fit at the true
    # number of nonzeros keeps them, and the sparse RVSM fit is accurate.
    rng = np.random.default_rng(0)
    n, p, h = 2000, 30, 4
    W = np.zeros((h, p))
    support = [rng.choice(p, 3, replace=False) for _ in range(h)]
    for j, cols in enumerate(support):
        W[j, cols] = rng.standard_normal(3)
    X = rng.standard_normal((n, p))
    score = np.maximum(X @ W.T, 0) @ np.array([1.0, -1.0, 1.0, -1.0])
    y = (score > np.median(score)).astype(int)
    X_test = rng.standard_normal((2000, p))
    s_test = np.maximum(X_test @ W.T, 0) @ np.array([1.0, -1.0, 1.0, -1.0])
    y_test = (s_test > np.median(score)).astype(int)
    clf = ProjectedShallowClassifier(
        n_hidden=h, constraint="l0", tau=12, random_state=0
    ).fit(X, y)
    assert np.count_nonzero(clf.hidden_weights_) == 12
    assert clf.score(X_test, y_test) > 0.95
    # The features it uses are the planted network's (a global l0 ball may
    # share the nonzeros differently between units).
    used = np.flatnonzero(np.any(clf.hidden_weights_ != 0, axis=0))
    assert_array_equal(used, np.unique(np.concatenate(support)))
    # lam 3e-4: alpha='auto' at n=2000 is 2.5e-3 (1e-2 before issue 20), a
    # smaller ridge that leaves more weights above lam=2e-4's threshold
    # (sparsity 0.675, test accuracy 0.954 against 0.825 and 0.939).
    rvsm = RVSMClassifier(n_hidden=h, penalty="l0", lam=3e-4, random_state=0).fit(X, y)
    assert rvsm.sparsity_ > 0.7
    assert rvsm.score(X_test, y_test) > 0.93


def test_l0_classifier_starts_from_the_projected_dense_fit():
    X, y = _iris()
    dense = ProjectedShallowClassifier(random_state=0).fit(X, y)
    auto = ProjectedShallowClassifier(constraint="l0", tau=10, random_state=0).fit(X, y)
    explicit = ProjectedShallowClassifier(
        constraint="l0", tau=10, init="dense", random_state=0
    ).fit(X, y)
    assert_allclose(auto.hidden_weights_, explicit.hidden_weights_)
    assert np.count_nonzero(auto.hidden_weights_) == 10
    # The history holds both fits: the warm-up is the dense fit itself.
    assert auto.n_iter_ > dense.n_iter_
    assert_allclose(auto.loss_curve_[: dense.n_iter_], dense.loss_curve_, rtol=1e-12)
    random = ProjectedShallowClassifier(
        constraint="l0", tau=10, init="random", random_state=0
    ).fit(X, y)
    assert not np.allclose(random.hidden_weights_, auto.hidden_weights_)


def test_early_stopping_scores_accuracy_on_a_stratified_split():
    X, y = _iris()
    clf = ProjectedShallowClassifier(
        early_stopping=True, validation_fraction=0.2, random_state=0
    ).fit(X, y)
    scores = np.array(clf.validation_scores_)
    # 30 validation samples: accuracies are multiples of 1/30.
    assert np.all((scores >= 0) & (scores <= 1))
    assert_allclose(scores * 30, np.round(scores * 30), atol=1e-9)
    assert clf.best_validation_score_ == scores.max()


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_sparse_X_gives_the_dense_fit(cls):
    X, y = _iris()
    X[np.abs(X) < 0.5] = 0.0
    dense = cls(random_state=0).fit(X, y)
    for fmt in ("csr", "csc"):
        est = cls(random_state=0).fit(sparse.csr_matrix(X).asformat(fmt), y)
        assert_allclose(
            est.decision_function(sparse.csr_matrix(X)),
            dense.decision_function(X),
            rtol=1e-8,
            atol=1e-10,
        )


def test_one_hot_pipeline_with_string_labels():
    rng = np.random.default_rng(0)
    colours = rng.choice(["red", "green", "blue", "grey"], size=(400, 3))
    y = np.where((colours[:, 0] == "red") | (colours[:, 1] == "blue"), "a", "b")
    clf = make_pipeline(
        OneHotEncoder(), ProjectedShallowClassifier(random_state=0)
    ).fit(colours, y)
    assert clf.score(colours, y) == 1.0


def test_warm_start_continues_from_the_previous_fit():
    X, y = _iris()
    clf = ProjectedShallowClassifier(random_state=0).fit(X, y)
    again = clone(clf).set_params(warm_start=True)
    again.fit(X, y)
    first, n_first = again.loss_curve_[-1], again.n_iter_
    again.fit(X, y)
    # From the converged point the second fit starts at the same objective,
    # and the history continues.
    assert len(again.loss_curve_) == again.n_iter_ > n_first
    assert again.loss_curve_[n_first] <= first * (1 + 1e-6)
    assert again.loss_curve_[-1] <= first
    assert_allclose(again.predict_proba(X), clf.predict_proba(X), atol=1e-2)


def test_clear_errors():
    X, y = _iris()
    with pytest.raises(ValueError, match="at least two classes"):
        ProjectedShallowClassifier().fit(X, np.zeros(150))
    with pytest.raises(ValueError, match="init='tensor' needs one output"):
        ProjectedShallowClassifier(init="tensor").fit(X, y)
    with pytest.raises(ValueError, match="output_weights='ones' would give all 3"):
        ProjectedShallowClassifier(output_weights="ones").fit(X, y)
    with pytest.raises(ValueError, match=r"expected \(20, 3\)"):
        RVSMClassifier(output_weights=np.ones(20)).fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        ProjectedShallowClassifier().fit(X, np.linspace(0, 1, 150))
    # A failed fit leaves the previous model whole.
    clf = ProjectedShallowClassifier(random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    with pytest.raises(ValueError):
        clf.fit(X, np.zeros(150))
    assert_array_equal(clf.classes_, [0, 1, 2])
    assert_allclose(clf.predict_proba(X), proba)


def test_constraint_object_and_tensor_start_for_two_classes():
    X, y = _binary(400)
    clf = ProjectedShallowClassifier(
        constraint=L0Ball(n_nonzero=12), init="tensor", random_state=0
    ).fit(X, y)
    assert np.count_nonzero(clf.hidden_weights_) == 12
    assert clf.score(X, y) > 0.8  # 10 % of the labels are flipped


def test_tfidf_pipeline_classifies_text_on_sparse_X():
    rng = np.random.default_rng(0)
    topics = {
        "sports": ["ball", "goal", "team", "match", "score", "coach"],
        "cooking": ["salt", "oven", "bake", "flour", "sugar", "pan"],
    }
    common = ["the", "a", "today", "very", "good", "new", "old"]
    docs, labels = [], []
    for i in range(300):
        label = "sports" if i % 2 else "cooking"
        words = list(rng.choice(topics[label], 2)) + list(rng.choice(common, 5))
        docs.append(" ".join(rng.permutation(words)))
        labels.append(label)
    seen = []

    class Spy(ProjectedShallowClassifier):
        def fit(self, X, y, sample_weight=None):
            seen.append(sparse.issparse(X))
            return super().fit(X, y, sample_weight)

    clf = make_pipeline(TfidfVectorizer(), Spy(random_state=0))
    score = cross_val_score(clf, docs, labels, cv=3).mean()
    assert score > 0.95
    assert all(seen)  # the estimator received the sparse matrix itself


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_convolution_classifier_learns_a_planted_kernel(cls):
    # Labels from a planted convolutional network (one kernel of width 5,
    # stride 5 on 30 features, 6 patches): a shared-kernel classifier with 4
    # kernels learns them (with one kernel some starts end in a poor local
    # minimum, for the regressor too: measured 0.66-0.99 over seeds 0-2;
    # with 4 kernels 0.98-0.99).
    rng = np.random.default_rng(0)
    kernel = rng.standard_normal(5)
    X = rng.standard_normal((1500, 30))
    score = np.maximum(X.reshape(1500, 6, 5) @ kernel, 0).sum(axis=1)
    y = (score > np.median(score)).astype(int)
    arch = Convolution(kernel_size=5, stride=5, n_kernels=4)
    clf = cls(architecture=arch, random_state=0).fit(X[:1000], y[:1000])
    assert clf.kernels_.shape == (4, 5)
    assert clf.score(X[1000:], y[1000:]) > 0.9
