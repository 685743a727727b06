"""FeaturePathDisplay: the CV path's held-out score against the number of
inputs (issue 21, item 4).

A planted ReLU network reads inputs 1 and 5 of 8 Gaussian inputs; the
display of the CV estimators over the input budget and over the feature
penalty must report the CV's own scores and choice, and the path's inputs
in the order they enter, the planted ones first.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sklearn_shallow import (
    FeaturePathDisplay,
    ProjectedShallowRegressor,
    ProjectedShallowRegressorCV,
    RVSMRegressorCV,
)

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")

PLANTED = {1, 5}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _planted(seed=0, n=300, p=8, h=4):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    W = rng.standard_normal((h, len(PLANTED)))
    y = np.maximum(X[:, sorted(PLANTED)] @ W.T, 0) @ rng.standard_normal(h) + 0.5
    return X, y


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


@pytest.fixture(scope="module")
def data():
    return _planted()


@pytest.fixture(scope="module")
def tau_cv(data):
    X, y = data
    cv = ProjectedShallowRegressorCV(
        constraint="l0_features", cv=3, selection="1se", random_state=0
    )
    return _fit(cv, X, y)


def _texts(display):
    """Every string drawn: tick labels, texts, titles and legends."""
    strings = []
    for ax in display.figure_.axes:
        strings += [t.get_text() for t in ax.get_yticklabels()]
        strings += [t.get_text() for t in ax.get_xticklabels()]
        strings += [t.get_text() for t in ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            strings += [t.get_text() for t in legend.get_texts()]
    return strings


def test_display_without_data_plots_the_input_counts(tau_cv):
    display = FeaturePathDisplay.from_estimator(tau_cv)
    assert_array_equal(display.n_inputs_, tau_cv.taus_)
    assert_allclose(display.mean_scores_, tau_cv.score_path_.mean(axis=1))
    assert_allclose(display.std_scores_, tau_cv.score_path_.std(axis=1))
    assert display.n_inputs_[display.chosen_index_] == tau_cv.tau_
    assert tau_cv.taus_[display.chosen_index_] == tau_cv.tau_
    assert display.entry_order_ is None
    assert display.entry_ax_ is None
    assert isinstance(display.ax_, mpl.axes.Axes)
    assert display.figure_ is display.ax_.figure
    # The chosen point is marked where the CV chose.
    assert display.chosen_line_.get_xdata()[0] == tau_cv.tau_
    assert_allclose(
        display.chosen_marker_.get_ydata(),
        [display.mean_scores_[display.chosen_index_]],
    )
    assert any("tau=" in text and "1se" in text for text in _texts(display))


def test_display_with_data_finds_the_planted_inputs_first(data, tau_cv):
    X, y = data
    display = FeaturePathDisplay.from_estimator(tau_cv, X, y)
    # The path keeps each budget: the counts are at most the taus.
    assert np.all(display.n_inputs_ <= tau_cv.taus_)
    assert_allclose(display.mean_scores_, tau_cv.score_path_.mean(axis=1))
    assert tau_cv.taus_[display.chosen_index_] == tau_cv.tau_
    # On the training data the path is the one the refit followed: the count
    # at the chosen value is the refitted network's.
    used = np.any(tau_cv.hidden_weights_ != 0, axis=0)
    assert display.n_inputs_[display.chosen_index_] == used.sum()
    assert set(display.entry_order_[:2]) == PLANTED
    # Independent of the display: the path's first points use the planted
    # inputs, and the first point (one input) one of them.
    path = ProjectedShallowRegressor(constraint="l0_features", random_state=0).path(
        X, y, tau_cv.taus_[:2]
    )
    first = [
        set(np.flatnonzero(np.any(W != 0, axis=0)))
        for W in path.coefficients("hidden_weights_")
    ]
    assert first[0] < PLANTED and first[1] == PLANTED
    assert display.entry_order_[0] in first[0]
    # Each input enters once; entry indices never fall.
    assert sorted(display.entry_order_) == list(np.unique(display.entry_order_))
    assert np.all(np.diff(display.entry_index_) >= 0)
    # Two panels; the entry panel names the inputs in the entry order.
    assert display.entry_ax_ is not None
    labels = [t.get_text() for t in display.entry_ax_.get_yticklabels()]
    assert labels == [f"x{j}" for j in display.entry_order_]
    assert len(display.entry_lines_) == len(display.entry_order_)


def test_display_names_the_inputs_from_a_dataframe(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    names = [f"feature_{c}" for c in "abcdefgh"]
    frame = pd.DataFrame(X, columns=names)
    cv = ProjectedShallowRegressorCV(
        constraint="l0_features", n_taus=3, cv=3, selection="1se", random_state=0
    )
    _fit(cv, frame, y)
    display = FeaturePathDisplay.from_estimator(cv, frame, y)
    assert list(display.feature_names_) == names
    texts = _texts(display)
    for j in PLANTED:
        assert names[j] in texts
    # On one Axes the entry order is listed in a text box instead.
    fig, ax = plt.subplots()
    single = FeaturePathDisplay.from_estimator(cv, frame, y, ax=ax)
    assert single.ax_ is ax and single.entry_ax_ is None
    listing = single.entry_text_.get_text()
    for j in PLANTED:
        assert names[j] in listing


def test_display_of_the_feature_penalty(data):
    X, y = data
    cv = RVSMRegressorCV(penalty="l0_features", cv=3, selection="1se", random_state=0)
    _fit(cv, X, y)
    display = FeaturePathDisplay.from_estimator(cv, X, y)
    assert_allclose(display.mean_scores_, cv.score_path_.mean(axis=1))
    assert cv.lams_[display.chosen_index_] == cv.lam_
    assert display.param_ == "lam"
    # lam_max zeroes every weight: the path starts from no input.
    assert display.n_inputs_[0] == 0
    assert set(display.entry_order_[:2]) == PLANTED
    used = np.any(cv.hidden_weights_ != 0, axis=0)
    assert display.n_inputs_[display.chosen_index_] == used.sum()
    # Without data the counts of a penalty path are unknown.
    with pytest.raises(ValueError, match="Pass X and y"):
        FeaturePathDisplay.from_estimator(cv)


def test_plot_returns_self_and_draws_on_given_axes(tau_cv, data):
    X, y = data
    display = FeaturePathDisplay.from_estimator(tau_cv, X, y)
    fig, axes = plt.subplots(1, 2)
    assert display.plot(ax=axes, color="black") is display
    assert display.ax_ is axes[0] and display.entry_ax_ is axes[1]
    assert display.figure_ is fig
    with pytest.raises(ValueError, match="pair"):
        display.plot(ax=plt.subplots(1, 3)[1])


def test_display_refuses_an_unfitted_or_plain_estimator(data):
    X, y = data
    with pytest.raises(NotFittedError):
        FeaturePathDisplay.from_estimator(
            ProjectedShallowRegressorCV(constraint="l0_features")
        )
    plain = ProjectedShallowRegressor(
        constraint="l0_features", tau=2, max_iter=50, random_state=0
    )
    _fit(plain, X, y)
    with pytest.raises(TypeError, match="CV estimator"):
        FeaturePathDisplay.from_estimator(plain, X, y)


def test_display_without_data_needs_an_input_budget(data):
    X, y = data
    cv = ProjectedShallowRegressorCV(
        constraint="l0", n_taus=2, cv=2, max_iter=50, random_state=0
    )
    _fit(cv, X, y)
    with pytest.raises(ValueError, match="l0_features"):
        FeaturePathDisplay.from_estimator(cv)
    with pytest.raises(ValueError, match="both X and y"):
        FeaturePathDisplay.from_estimator(cv, X)


def test_missing_matplotlib_is_a_clear_error(tau_cv, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="matplotlib"):
        FeaturePathDisplay.from_estimator(tau_cv)


def test_display_with_groups_lets_a_group_enter_whole():
    # Inputs 0-3 Gaussian, 4-6 the one-hot columns of a three-level factor
    # that the target reads with input 1; the factor is one group.
    rng = np.random.default_rng(0)
    n = 200
    level = rng.integers(0, 3, size=n)
    X = np.column_stack([rng.standard_normal((n, 4)), np.eye(3)[level]])
    y = np.maximum(X[:, 1], 0) + np.array([1.5, 0.0, -1.0])[level]
    groups = [[4, 5, 6]]
    cv = ProjectedShallowRegressorCV(
        constraint="l0_features", groups=groups, cv=3, max_iter=300, random_state=0
    )
    _fit(cv, X, y)
    display = FeaturePathDisplay.from_estimator(cv, X, y)
    # Inputs are counted one per column: the budget of 2 groups holds input
    # 1 and the factor's three columns.
    index = {j: k for k, j in zip(display.entry_index_, display.entry_order_)}
    assert index[4] == index[5] == index[6]
    assert_array_equal(display.inputs_used_[:, 4], display.inputs_used_[:, 6])
    assert_array_equal(display.inputs_used_[:, 5], display.inputs_used_[:, 6])
    assert display.n_inputs_[1] == 4
    assert set(display.entry_order_[:4]) == {1, 4, 5, 6}
    # Without the data, the grid's group counts are not input counts.
    with pytest.raises(ValueError, match="with groups the grid counts groups"):
        FeaturePathDisplay.from_estimator(cv)
