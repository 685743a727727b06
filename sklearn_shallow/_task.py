"""Task front ends: what a regressor and a classifier add to the core.

The core (:class:`~sklearn_shallow._base.BaseShallowNetwork`) fits a network
with any number of outputs to encoded float targets under a loss part. A
front end turns the user's ``y`` into those targets, picks the loss, scores
a validation split for early stopping, and turns the network's outputs back
into predictions:

* :class:`ShallowRegressorMixin`: ``y`` of shape ``(n,)`` (one output) or
  ``(n, n_outputs)``; squared or Huber loss; validation by R^2; ``predict``
  is the network output.
* :class:`ShallowClassifierMixin`: class labels of any type, encoded through
  ``classes_``. Two classes: one output, the log-odds of ``classes_[1]``,
  under the logistic loss on ``-1/+1`` targets. More: one output per class
  (sharing the hidden layer), the class scores, under the multinomial
  (softmax cross-entropy) loss on one-hot targets. Validation by accuracy;
  ``predict_proba`` is the sigmoid or the softmax of the outputs.
"""

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils._available_if import available_if
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from . import _array_api as aa
from ._base import _keep_on_failure
from ._loss import LOSSES, LogisticLoss, MultinomialLoss, log_proba
from ._validation import check_class_weight


def _has_partial_fit(estimator):
    """Whether the algorithm continues a model by mini-batch passes (the
    quadratic nets do not: their certificate is about the full objective)."""
    return getattr(estimator, "_partial_fit_supported", True)


#: The losses a regressor's ``loss`` parameter names.
REGRESSION_LOSSES = ("squared_error", "huber")


class ShallowRegressorMixin(RegressorMixin):
    """Regression front end: numeric targets, one or several outputs."""

    #: Whether 2-D y (several outputs) is accepted.
    _multi_output = True

    def _validate_xy(self, X, y, reset=True):
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            dtype=aa.validation_dtypes(X),
            y_numeric=True,
            multi_output=self._multi_output,
            accept_sparse=self._sparse_formats(),
        )
        if aa.namespace_of(X) is not None:
            # Under array API dispatch X stays in its namespace; the targets
            # (a vector, or a few columns) are encoded on the host.
            return X, aa.to_numpy(y).astype(aa.host_dtype(X), copy=False)
        return X, y.astype(X.dtype, copy=False)

    def _check_targets(self, X, y, reset=True):
        X, y = self._validate_xy(X, y, reset)
        n_outputs = None if y.ndim == 1 else y.shape[1]
        if not reset and n_outputs != self._model.n_outputs:
            raise ValueError(
                f"y has {1 if n_outputs is None else n_outputs} outputs "
                f"(shape {y.shape}); the model has {self.n_outputs_}."
            )
        return X, y, n_outputs, self._resolve_loss(), None

    @available_if(_has_partial_fit)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """One pass of mini-batch steps over ``(X, y)``, continuing the model.

        The first call sets up the model and the internal units of y (from
        this first chunk); each call runs one epoch of plain gradient steps
        on mini-batches of ``batch_size`` (200 when None), each followed by
        the constraint or the threshold, and keeps the loop's state for the
        next call. ``n_iter_`` counts the calls and ``loss_curve_`` their
        epoch losses.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        return _keep_on_failure(self, self._partial_fit, X, y, sample_weight)

    def _resolve_loss(self):
        return LOSSES[getattr(self, "loss", "squared_error")]()

    def score(self, X, y, sample_weight=None):
        """R^2 of ``predict(X)`` against ``y``, in any units of ``y``.

        scikit-learn's ``r2_score`` squares the residuals in the units of
        ``y``, which underflow for tiny targets (``y * 1e-170`` scores 1.0)
        and overflow for huge ones; R^2 is free of the units (of each
        output), so both are divided by the largest magnitude of each output
        of ``y`` first.
        """
        pred = self.predict(X)
        if aa.namespace_of(pred) is not None:
            pred = aa.to_numpy(pred)
        y = np.asarray(aa.to_numpy(y), dtype=np.float64)
        if y.shape[0]:
            size = np.max(np.abs(y), axis=0)
            size = np.where((size > 0) & np.isfinite(size), size, 1.0)
            y, pred = y / size, pred / size
        return r2_score(y, pred, sample_weight=sample_weight)

    def _validation_score(self, y_val, decision, sample_weight):
        # R^2 does not change under the affine maps between internal and
        # user units (per output), so internal values score the user's model.
        return r2_score(y_val, decision, sample_weight=sample_weight)

    def predict(self, X):
        """Network output ``sum_j o_j sigma(w_j . x) + b``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            2-D when the model was fitted on 2-D y.
        """
        self._check_namespace(X, "predict")
        return self._decision(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = self._multi_output
        return tags


class ShallowClassifierMixin(ClassifierMixin):
    """Classification front end: labels through ``classes_``, probabilities."""

    def _check_targets(self, X, y, reset=True, classes=None):
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            dtype=aa.validation_dtypes(X),
            accept_sparse=self._sparse_formats(),
        )
        check_classification_targets(y)
        # Under array API dispatch, the labels are encoded on the host and
        # classes_ returns to the labels' namespace and device, which is X's
        # when X has one (everything follows X).
        labels_like = None if aa._is_host(y) else y
        if labels_like is not None and aa.namespace_of(X) is not None:
            labels_like = X
        if labels_like is not None:
            y = aa.to_numpy(y)
        if not reset or classes is not None:
            # partial_fit: the classes are fixed by the first call.
            classes = aa.to_numpy(self.classes_) if not reset else np.unique(classes)
            unknown = np.setdiff1d(y, classes)
            if unknown.size:
                raise ValueError(
                    f"y contains labels {unknown.tolist()} that are not in "
                    f"classes {classes.tolist()} (given at the first call to "
                    "partial_fit)."
                )
            codes = np.searchsorted(classes, y)
        else:
            classes, codes = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least two classes; "
                f"y has only one class: {classes[0]!r}."
            )
        weight = None
        class_weight = getattr(self, "class_weight", None)
        if class_weight is not None:
            # compute_sample_weight takes any number; a negative or
            # non-finite one would turn the loss into a gain.
            check_class_weight(class_weight)
            weight = compute_sample_weight(class_weight, y)
        self.classes_ = (
            classes if labels_like is None else aa.asarray_on(classes, labels_like)
        )
        dtype = aa.host_dtype(X)
        if len(classes) == 2:
            y_enc = np.where(codes == 1, 1.0, -1.0).astype(dtype)
            return X, y_enc, None, LogisticLoss(), weight
        y_enc = np.zeros((len(codes), len(classes)), dtype=dtype)
        y_enc[np.arange(len(codes)), codes] = 1.0
        return X, y_enc, len(classes), MultinomialLoss(), weight

    @staticmethod
    def _codes(y_enc):
        """Class indices from encoded targets or from decision values."""
        xp = aa.namespace_of(y_enc)
        if xp is not None:
            if y_enc.ndim == 1:
                return xp.astype(y_enc > 0, xp.int64)
            return xp.argmax(y_enc, axis=1)
        return (y_enc > 0).astype(np.intp) if y_enc.ndim == 1 else y_enc.argmax(axis=1)

    def _split_validation(self, y, test_size, rng):
        # Stratified like MLPClassifier's, when every class can give a sample
        # to both parts.
        codes = self._codes(y)
        counts = np.bincount(codes)
        n_val = int(np.ceil(test_size * len(codes)))
        stratify = (
            codes
            if counts[counts > 0].min() >= 2 and n_val >= np.count_nonzero(counts)
            else None
        )
        return train_test_split(
            np.arange(len(codes)),
            test_size=test_size,
            random_state=rng,
            stratify=stratify,
        )

    def _validation_score(self, y_val, decision, sample_weight):
        hit = self._codes(y_val) == self._codes(decision)
        return float(np.average(hit, weights=sample_weight))

    @available_if(_has_partial_fit)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One pass of mini-batch steps over ``(X, y)``, continuing the model.

        As the regressors' ``partial_fit``. ``classes`` (every label the
        stream will contain) must be given at the first call.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,), default=None
            Required at the first call, ignored afterwards.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        if not hasattr(self, "classes_"):
            if classes is None:
                raise ValueError(
                    "classes must be given at the first call to partial_fit."
                )
            return _keep_on_failure(
                self, self._partial_fit, X, y, sample_weight, classes=classes
            )
        return _keep_on_failure(self, self._partial_fit, X, y, sample_weight)

    def decision_function(self, X):
        """Network outputs: log-odds of ``classes_[1]``, or class scores.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        decision : ndarray of shape (n_samples,) or (n_samples, n_classes)
            1-D for two classes (positive favours ``classes_[1]``).
        """
        self._check_namespace(X, "decision_function")
        return self._decision(X)

    def predict_log_proba(self, X):
        """Log class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        self._check_namespace(X, "predict_log_proba")
        return log_proba(self._decision(X))

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to 1.
        """
        self._check_namespace(X, "predict_proba")
        log_p = self.predict_log_proba(X)
        xp = aa.namespace_of(log_p)
        return np.exp(log_p) if xp is None else xp.exp(log_p)

    def predict(self, X):
        """The most probable class of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        self._check_namespace(X, "predict")
        codes = self._codes(self._decision(X))  # checks that it is fitted
        xp = aa.namespace_of(codes)
        if xp is not None:
            classes = self.classes_
            if aa._is_host(classes):
                classes = aa.asarray_on(classes, codes)
            return xp.take(classes, codes)
        return self.classes_[codes]
