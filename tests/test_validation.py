"""Validation of the weights a fit receives, and whose fault an error names.

Each message is matched in full enough that a wording which blames ``X``,
``y`` or the activation for what the weights did would fail.
"""

import re

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import sparse

from sklearn_shallow import ProjectedShallowClassifier, RVSMClassifier
from sklearn_shallow._validation import check_class_weight, combine_weights

CLASSIFIERS = [ProjectedShallowClassifier, RVSMClassifier]


def _two_classes(n_samples=40, seed=0):
    X = np.random.default_rng(seed).standard_normal((n_samples, 3))
    return X, (X[:, 0] > 0).astype(int)


# ---------------------------------------------------------------------------
# Class weights
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSIFIERS)
@pytest.mark.parametrize(
    "bad, shown", [(-0.5, "-0.5"), (np.nan, "nan"), (np.inf, "inf"), ("2", "'2'")]
)
def test_classifiers_refuse_a_bad_class_weight(cls, bad, shown):
    # {0: -0.5} used to be accepted and drive the objective to -3.6e307.
    X, y = _two_classes()
    message = f"class_weight must be non-negative and finite; got {shown} for class 0."
    with pytest.raises(ValueError, match=re.escape(message)):
        cls(class_weight={0: bad, 1: 1.0}, max_iter=5).fit(X, y)


@pytest.mark.parametrize(
    "class_weight", [None, "balanced", {0: 0.0, 1: 1.0}, {0: np.float32(2), 1: 1}]
)
def test_good_class_weights_pass(class_weight):
    assert check_class_weight(class_weight) is None


# ---------------------------------------------------------------------------
# combine_weights
# ---------------------------------------------------------------------------

X3 = np.zeros((3, 2))


def test_no_weights_give_none():
    assert combine_weights(None, None, X3) is None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_weights_multiply_and_keep_their_scale(dtype):
    X = X3.astype(dtype)
    sample, task = [1.0, 2.0, 0.0], np.array([0.5, 4.0, 2.0])
    both = combine_weights(sample, task, X)
    assert both.dtype == dtype
    # Returned as given, not normalised: 1 * 0.5, 2 * 4, 0 * 2 exactly.
    assert_array_equal(both, [0.5, 8.0, 0.0])
    assert_array_equal(combine_weights(None, task, X), task)
    assert_array_equal(combine_weights(sample, None, X), sample)
    # A number stands for that weight on every sample.
    assert_array_equal(combine_weights(3.0, None, X), [3.0, 3.0, 3.0])


def test_sparse_inputs_give_the_count_and_dtype():
    X = sparse.csr_matrix(np.eye(3, dtype=np.float32))
    assert combine_weights([1, 2, 3], None, X).dtype == np.float32


@pytest.mark.parametrize(
    "sample, match",
    [
        ([1.0, -1.0, 1.0], "Negative values in data passed to `sample_weight`"),
        ([1.0, np.nan, 1.0], "Input sample_weight contains NaN"),
        ([1.0, np.inf, 1.0], "Input sample_weight contains infinity"),
        ([1.0, 1.0], r"sample_weight.shape == \(2,\), expected \(3,\)"),
        # scikit-learn >= 1.7 says it; 1.6 lets all-zero weights through to
        # our own check.
        (
            [0.0, 0.0, 0.0],
            "Sample weights must contain at least one non-zero"
            "|sample_weight must have a positive sum",
        ),
    ],
)
def test_bad_sample_weights_use_scikit_learns_messages(sample, match):
    with pytest.raises(ValueError, match=match):
        combine_weights(sample, None, X3)


def test_every_weight_huge_is_an_overflow_not_a_zero_sum():
    # 1e307 on every sample: each weight is fine, the sum is not. It used to
    # read "weights sum to zero" or blame X.
    message = (
        "The sample weights sum to inf (overflow) in float64; rescale "
        "sample_weight, only ratios matter."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        combine_weights(np.full(20, 1e307), None, np.zeros((20, 1)))


def test_a_sum_that_overflows_float32_only_is_reported_in_float32():
    X = np.zeros((4, 1), dtype=np.float32)
    weights = np.full(4, 1e38)
    assert combine_weights(weights, None, X.astype(np.float64)) is not None
    with pytest.raises(ValueError, match=r"sum to inf \(overflow\) in float32"):
        combine_weights(weights, None, X)


def test_a_product_that_overflows_names_both_weights():
    message = (
        "sample_weight times class_weight gives non-finite weights in float64; "
        "rescale sample_weight or class_weight, only ratios matter."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        combine_weights([1e200, 1.0, 1.0], np.array([1e200, 1.0, 1.0]), X3)


def test_non_finite_task_weights_are_named():
    with pytest.raises(ValueError, match="^class_weight gives non-finite weights"):
        combine_weights(None, np.array([1.0, np.inf, 1.0]), X3)


@pytest.mark.parametrize(
    "sample, task, names",
    [
        (None, np.zeros(3), "class_weight"),
        # Each is positive somewhere, but never on the same sample.
        (
            [1.0, 0.0, 0.0],
            np.array([0.0, 1.0, 1.0]),
            "sample_weight times class_weight",
        ),
    ],
)
def test_zero_sum_names_the_weights(sample, task, names):
    message = (
        f"{names} must have a positive sum; every sample's weight is 0. Give "
        "some sample a positive weight."
    )
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        combine_weights(sample, task, X3)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_classifier_with_zero_class_weights_blames_the_weights(cls):
    # Every class weighted 0: the fit must say the weights are all zero
    # (today through _base._prepare's own check; combine_weights words it the
    # same way once the front end calls it).
    X, y = _two_classes()
    with pytest.raises(ValueError, match="must have a positive sum"):
        cls(class_weight={0: 0.0, 1: 0.0}, max_iter=5).fit(X, y)
