"""Checks of the weights a fit receives: sample weights and class weights.

A fit weights sample ``i``'s loss by ``sample_weight[i]`` times the weight
the task gives it (a classifier's class weight). Only ratios of these weights
matter: the objective divides by their sum (``_network.Objective`` normalises
each batch's weights, ``_base._Units.for_fit`` the whole set's). That sum must
therefore be positive and finite, and an error must say which of the two
failed, and that it is the weights, not ``X`` or ``y``, that are at fault.
"""

import numbers

import numpy as np
from sklearn.utils.validation import _check_sample_weight

__all__ = ["check_class_weight", "combine_weights"]


def check_class_weight(class_weight):
    """Refuse a ``class_weight`` dict with a negative or non-finite value.

    ``'balanced'`` and None pass (scikit-learn computes positive weights for
    them); a dict's values must be real numbers ``>= 0`` and finite. A zero
    leaves a class out of the loss.

    Parameters
    ----------
    class_weight : dict, 'balanced' or None
        A classifier's ``class_weight`` parameter.

    Raises
    ------
    ValueError
        Naming the class and its weight.

    Examples
    --------
    >>> from sklearn_shallow._validation import check_class_weight
    >>> check_class_weight({0: 1.0, 1: 2.5})
    >>> check_class_weight({0: -0.5, 1: 1.0})
    Traceback (most recent call last):
        ...
    ValueError: class_weight must be non-negative and finite; got -0.5 for class 0.
    """
    if not isinstance(class_weight, dict):
        return
    for label, weight in class_weight.items():
        real = isinstance(weight, numbers.Real) and not isinstance(weight, bool)
        if not real or not np.isfinite(weight) or weight < 0:
            raise ValueError(
                "class_weight must be non-negative and finite; got "
                f"{weight!r} for class {label!r}."
            )


def combine_weights(sample_weight, task_weight, X):
    """The weight of every sample's loss, validated: sample times task weight.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,), float or None
        The user's ``sample_weight``; checked with scikit-learn's
        ``_check_sample_weight`` (non-negative, finite, one per sample; a
        number stands for that weight on every sample).
    task_weight : ndarray of shape (n_samples,) or None
        The weights the task adds, such as a classifier's class weights
        (from ``compute_sample_weight``); checked by
        :func:`check_class_weight` before they were computed.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The validated inputs; give the number of samples and the dtype of
        the result.

    Returns
    -------
    weight : ndarray of shape (n_samples,) of X's dtype, or None
        ``sample_weight * task_weight`` (either alone when the other is
        None), None when both are None. The weights are returned as they
        are, not normalised: only their ratios reach the fit (each use
        divides by a sum), and a rescaling by anything but a power of two
        would change the fit by rounding.

    Raises
    ------
    ValueError
        When ``sample_weight`` is negative, NaN or infinite (scikit-learn's
        message); when the product with the task weights overflows; when the
        weights sum to infinity in X's dtype (all of them finite, but too
        large); when they sum to zero.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_shallow._validation import combine_weights
    >>> X = np.zeros((3, 2))
    >>> combine_weights([1.0, 2.0, 0.0], np.array([0.5, 0.5, 2.0]), X)
    array([0.5, 1. , 0. ])
    >>> combine_weights(np.full(3, 1e308), None, X)
    Traceback (most recent call last):
        ...
    ValueError: The sample weights sum to inf (overflow) in float64; rescale sample_weight, only ratios matter.
    """  # noqa: E501
    if sample_weight is None and task_weight is None:
        return None
    dtype = X.dtype
    sources = []
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=dtype, ensure_non_negative=True
        )
        sources.append("sample_weight")
    if task_weight is not None:
        task_weight = np.asarray(task_weight).astype(dtype, copy=False)
        sources.append("class_weight")
    with np.errstate(over="ignore", invalid="ignore"):
        if sample_weight is None:
            weight = task_weight
        elif task_weight is None:
            weight = sample_weight
        else:
            weight = sample_weight * task_weight
        if not np.all(np.isfinite(weight)):
            # sample_weight alone was checked above: the task weight or the
            # product is at fault.
            raise ValueError(
                f"{' times '.join(sources)} gives non-finite weights in "
                f"{dtype.name}; rescale sample_weight or class_weight, only "
                "ratios matter."
            )
        total = weight.sum()
    if not np.isfinite(total):
        raise ValueError(
            f"The sample weights sum to inf (overflow) in {dtype.name}; rescale "
            f"{' and '.join(sources)}, only ratios matter."
        )
    if not total > 0:
        raise ValueError(
            f"{' times '.join(sources)} must have a positive sum; every "
            "sample's weight is 0. Give some sample a positive weight."
        )
    return weight
