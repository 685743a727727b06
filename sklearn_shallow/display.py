"""Plotting a cross-validated path against the number of inputs it uses.

:class:`FeaturePathDisplay` follows scikit-learn's display convention
(``RocCurveDisplay``, ``PartialDependenceDisplay``): the class holds what
is plotted, :meth:`FeaturePathDisplay.from_estimator` computes it from a
fitted CV estimator, and :meth:`FeaturePathDisplay.plot` draws it, storing
the axes, the figure and the drawn artists as attributes. matplotlib is
imported only when plotting.
"""

import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

try:  # the public name of older scikit-learn releases
    from sklearn.utils import check_matplotlib_support
except ImportError:  # pragma: no cover - newer releases keep it here
    from sklearn.utils._optional_dependencies import check_matplotlib_support

from .cv import _PathCV

__all__ = ["FeaturePathDisplay"]


def _used_inputs(hidden_weights):
    """Which inputs a hidden layer of shape (n_hidden, n_features) uses:
    those whose column has a nonzero weight."""
    W = np.asarray(hidden_weights)
    return np.any(W != 0, axis=tuple(range(W.ndim - 1)))


def _entry_order(used):
    """Inputs in the order they enter a path, from ``used`` (n_values x
    n_features, bool): by the first grid index at which each input is used
    (ties by input index); inputs never used are left out. Returns
    ``(order, first)``, ``first`` the entry index of each input of
    ``order``."""
    ever = np.flatnonzero(used.any(axis=0))
    first = np.argmax(used[:, ever], axis=0)
    keys = np.lexsort((ever, first))
    return ever[keys], first[keys]


class FeaturePathDisplay:
    """Held-out score along a cross-validated path, against the number of
    inputs the path's models use.

    The CV estimators with a feature-selection constraint or penalty
    (:class:`~sklearn_shallow.ProjectedShallowRegressorCV` with
    ``constraint='l0_features'`` or ``'l1_features'``,
    :class:`~sklearn_shallow.RVSMRegressorCV` with ``penalty='l0_features'``,
    ``'l1_features'`` or ``'tl1_features'``, and their classifiers) choose
    how many inputs the network reads. This display draws the mean held-out
    score (+- its standard deviation over the folds) of each grid value
    against the number of inputs its model uses, marks the chosen value, and,
    when the path was run on data, shows the order in which the inputs enter
    it.

    Build it with :meth:`from_estimator`; the constructor only stores what is
    plotted.

    Parameters
    ----------
    n_inputs : array-like of shape (n_values,)
        The number of inputs the model of each grid value uses.
    mean_scores, std_scores : array-like of shape (n_values,)
        Mean and standard deviation over the folds of the held-out score of
        each grid value.
    chosen_index : int
        The index of the chosen value in the grid.
    values : array-like of shape (n_values,), default=None
        The grid itself (``taus_``, ``lams_`` or ``alphas_``).
    param : str, default=None
        The grid's parameter name (``'tau'``, ``'lam'``, ``'alpha'``).
    entry_order : array-like of int, default=None
        The inputs (column indices) in the order they enter the path; None
        when unknown.
    entry_index : array-like of int, default=None
        For each input of ``entry_order``, the grid index at which it enters.
    inputs_used : array-like of shape (n_values, n_features) of bool, \
            default=None
        Which inputs the model of each grid value uses.
    feature_names : array-like of str, default=None
        The inputs' names (None: ``'x0'``, ``'x1'``, ...; needs
        ``entry_order`` or ``inputs_used`` to know their number).
    selection : str, default=None
        The selection rule of the CV estimator (``'best'`` or ``'1se'``),
        shown in the legend.
    score_name : str, default=None
        The label of the score axis (None: ``'Mean held-out score'``).

    Attributes
    ----------
    n_inputs_ : ndarray of shape (n_values,)
    mean_scores_ : ndarray of shape (n_values,)
    std_scores_ : ndarray of shape (n_values,)
    chosen_index_ : int
    values_ : ndarray of shape (n_values,) or None
    param_ : str or None
    entry_order_ : ndarray of int or None
        The inputs that enter the path, by the first grid index at which
        their column of hidden weights is nonzero (ties by input index);
        inputs the path never uses are left out. An input may leave the
        path again at a later value: ``inputs_used_`` says.
    entry_index_ : ndarray of int or None
    inputs_used_ : ndarray of shape (n_values, n_features) or None
    feature_names_ : ndarray of str or None
    ax_ : matplotlib Axes
        The score panel (set by :meth:`plot`).
    entry_ax_ : matplotlib Axes or None
        The panel of the inputs' entry (None when the entry order is
        unknown or a single Axes was given).
    figure_ : matplotlib Figure
    errorbar_ : matplotlib ErrorbarContainer
        The mean scores and their standard deviations.
    chosen_line_ : matplotlib Line2D
        The vertical line at the chosen value.
    chosen_marker_ : matplotlib Line2D
        The marker at the chosen value.
    entry_lines_ : list of matplotlib Line2D or None
        One line per input of ``entry_order_`` in the entry panel (the grid
        values where it is used).
    entry_text_ : matplotlib Text or None
        The listing of the entry order, when it is drawn on a single Axes.

    See Also
    --------
    sklearn_shallow.paths.Path : the path the entry order comes from.

    Examples
    --------
    The doctests skip the fit (a few seconds) and the plot (matplotlib is
    optional).

    >>> import numpy as np
    >>> from sklearn_shallow import FeaturePathDisplay
    >>> from sklearn_shallow import ProjectedShallowRegressorCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 5))
    >>> y = np.maximum(X[:, 1] - X[:, 3], 0)
    >>> cv = ProjectedShallowRegressorCV(
    ...     constraint="l0_features", cv=3, max_iter=200, random_state=0
    ... ).fit(X, y)  # doctest: +SKIP
    >>> disp = FeaturePathDisplay.from_estimator(cv, X, y)  # doctest: +SKIP
    >>> disp.entry_order_[:2]  # doctest: +SKIP
    array([3, 1])
    """

    def __init__(
        self,
        *,
        n_inputs,
        mean_scores,
        std_scores,
        chosen_index,
        values=None,
        param=None,
        entry_order=None,
        entry_index=None,
        inputs_used=None,
        feature_names=None,
        selection=None,
        score_name=None,
    ):
        self.n_inputs_ = np.asarray(n_inputs)
        self.mean_scores_ = np.asarray(mean_scores, dtype=float)
        self.std_scores_ = np.asarray(std_scores, dtype=float)
        self.chosen_index_ = int(chosen_index)
        self.values_ = None if values is None else np.asarray(values)
        self.param_ = param
        self.entry_order_ = None if entry_order is None else np.asarray(entry_order)
        self.entry_index_ = None if entry_index is None else np.asarray(entry_index)
        self.inputs_used_ = None if inputs_used is None else np.asarray(inputs_used)
        if feature_names is None:
            n_features = None
            if self.inputs_used_ is not None:
                n_features = self.inputs_used_.shape[1]
            elif self.entry_order_ is not None and self.entry_order_.size:
                n_features = int(self.entry_order_.max()) + 1
            if n_features is not None:
                feature_names = [f"x{j}" for j in range(n_features)]
        self.feature_names_ = (
            None if feature_names is None else np.asarray(feature_names, dtype=object)
        )
        self.selection = selection
        self.score_name = score_name
        n = len(self.n_inputs_)
        if not (len(self.mean_scores_) == len(self.std_scores_) == n):
            raise ValueError(
                "n_inputs, mean_scores and std_scores need one entry per grid "
                f"value; got {n}, {len(self.mean_scores_)} and "
                f"{len(self.std_scores_)}."
            )
        if not 0 <= self.chosen_index_ < n:
            raise ValueError(
                f"chosen_index must index the grid of {n} values; got "
                f"{self.chosen_index_}."
            )

    # ---- construction -------------------------------------------------------
    @classmethod
    def from_estimator(
        cls,
        estimator,
        X=None,
        y=None,
        *,
        sample_weight=None,
        ax=None,
        **kwargs,
    ):
        """The display of a fitted CV estimator's path over its inputs.

        With ``X`` and ``y``, the path of ``best_estimator_`` (a clone,
        with the CV estimator's settings) is run on them at the CV
        estimator's grid, as :meth:`~sklearn_shallow.ProjectedShallowRegressor.path`
        runs it; the number of inputs of each grid value is the number of
        nonzero columns of the path point's hidden weights, and the inputs'
        entry order is the first grid index at which each column is
        nonzero. Pass the training data to see the path the refit followed
        (for a path that runs from the simplest model: counts of inputs,
        ``lam``, ``alpha``). Without them, the grid must be the input counts
        of ``constraint='l0_features'`` without ``groups``: they are the
        numbers of inputs (the most each model may use), and the entry
        order is unknown. With ``groups`` the inputs are still counted one
        per column, and the columns of a group enter the path together.

        Parameters
        ----------
        estimator : fitted CV estimator of this package
            :class:`~sklearn_shallow.ProjectedShallowRegressorCV`,
            :class:`~sklearn_shallow.RVSMRegressorCV`, their classifiers or
            the quadratic nets' CV estimators.
        X : {array-like, sparse matrix} of shape (n_samples, n_features), \
                default=None
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), \
                default=None
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the path's fits.
        ax : matplotlib Axes or pair of Axes, default=None
            See :meth:`plot`.
        **kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        display : FeaturePathDisplay
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        if not isinstance(estimator, _PathCV):
            raise TypeError(
                f"{cls.__name__}.from_estimator needs a CV estimator of "
                "sklearn_shallow (such as ProjectedShallowRegressorCV or "
                f"RVSMRegressorCV); got {type(estimator).__name__}. For a plain "
                "estimator, run its path with estimator.path(X, y, values)."
            )
        check_is_fitted(estimator, "score_path_")
        if (X is None) != (y is None):
            raise ValueError("Pass both X and y, or neither.")
        param = estimator._param
        values = np.asarray(getattr(estimator, param + "s_"))
        chosen = getattr(estimator, param + "_")
        chosen_index = int(np.flatnonzero(values == chosen)[0])
        scores = np.asarray(estimator.score_path_, dtype=float)
        feature_names = getattr(estimator, "feature_names_in_", None)
        if feature_names is None:
            feature_names = [f"x{j}" for j in range(estimator.n_features_in_)]
        entry_order = entry_index = used = None
        if X is None:
            if getattr(estimator, "constraint", None) != "l0_features":
                raise ValueError(
                    f"Without X and y, {cls.__name__} needs the grid to be "
                    "input counts (constraint='l0_features'); "
                    f"{type(estimator).__name__} chose {param} over "
                    f"{_grid_name(estimator)}. Pass X and y (the training "
                    "data) to count the inputs along the path."
                )
            if getattr(estimator, "groups", None) is not None:
                raise ValueError(
                    f"Without X and y, {cls.__name__} reads the numbers of "
                    "inputs from the grid, and with groups the grid counts "
                    "groups of inputs, not inputs. Pass X and y (the "
                    "training data) to count the inputs along the path."
                )
            n_inputs = values.astype(int)
        else:
            used = cls._inputs_along_path(estimator, values, X, y, sample_weight)
            n_inputs = used.sum(axis=1)
            entry_order, entry_index = _entry_order(used)
        display = cls(
            n_inputs=n_inputs,
            mean_scores=scores.mean(axis=1),
            std_scores=scores.std(axis=1),
            chosen_index=chosen_index,
            values=values,
            param=param,
            entry_order=entry_order,
            entry_index=entry_index,
            inputs_used=used,
            feature_names=feature_names,
            selection=getattr(estimator, "selection", None),
            score_name=_score_name(estimator),
        )
        return display.plot(ax=ax, **kwargs)

    @staticmethod
    def _inputs_along_path(estimator, values, X, y, sample_weight):
        """Which inputs each grid value's model uses, on the path of the
        best estimator's class run on ``(X, y)``."""
        plain = clone(estimator.best_estimator_)
        path = plain.path(X, y, values, sample_weight=sample_weight)
        n_features = estimator.n_features_in_
        used = []
        for point in path.points:
            W = np.asarray(point.coefficients["hidden_weights_"])
            if W.shape[-1] != n_features:
                raise ValueError(
                    "The hidden weights do not have one column per input "
                    f"(shape {W.shape}, {n_features} inputs): a convolution "
                    "shares its kernels across the inputs, and no input is "
                    "left out of it."
                )
            used.append(_used_inputs(W))
        return np.array(used, dtype=bool)

    # ---- drawing ------------------------------------------------------------
    def plot(self, ax=None, *, chosen_kw=None, entry_kw=None, **kwargs):
        """Draw the display.

        Parameters
        ----------
        ax : matplotlib Axes or pair of Axes, default=None
            None: a new figure, with a second panel for the entry order when
            it is known. One Axes: the score panel there, with the entry
            order (when known) listed in a text box. A pair: the score panel
            and the entry panel.
        chosen_kw : dict, default=None
            Keyword arguments of the chosen value's vertical line
            (``Axes.axvline``).
        entry_kw : dict, default=None
            Keyword arguments of the entry panel's lines (``Axes.plot``).
        **kwargs
            Keyword arguments of the scores (``Axes.errorbar``).

        Returns
        -------
        display : FeaturePathDisplay
            With ``ax_``, ``entry_ax_``, ``figure_`` and the drawn artists.
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        known = self.entry_order_ is not None
        if ax is None:
            if known:
                figure, (ax, entry_ax) = plt.subplots(
                    1,
                    2,
                    figsize=(10, 4),
                    gridspec_kw={"width_ratios": [3, 2]},
                    layout="constrained",
                )
            else:
                figure, ax = plt.subplots()
                entry_ax = None
        elif np.ndim(ax) == 0:
            entry_ax = None
        else:
            axes = np.ravel(np.asarray(ax, dtype=object))
            if len(axes) != 2:
                raise ValueError(
                    f"ax must be one Axes or a pair of them; got {len(axes)}."
                )
            ax, entry_ax = axes
            if not known:
                entry_ax.set_axis_off()
                entry_ax = None
        self._plot_scores(ax, chosen_kw, kwargs)
        self.entry_ax_ = entry_ax
        self.entry_lines_ = None
        self.entry_text_ = None
        if known and entry_ax is not None:
            self._plot_entry(entry_ax, entry_kw)
        elif known:
            self._list_entry(ax)
        for panel in (ax, entry_ax):
            if panel is not None:
                panel.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _chosen_label(self):
        label = "chosen"
        if self.param_ is not None and self.values_ is not None:
            value = self.values_[self.chosen_index_]
            label += f" ({self.param_}={value:.4g}"
            if self.selection is not None:
                label += f", {self.selection}"
            label += ")"
        return label

    def _plot_scores(self, ax, chosen_kw, kwargs):
        x, mean, std = self.n_inputs_, self.mean_scores_, self.std_scores_
        style = {"marker": "o", "capsize": 3, "label": "mean +- std over folds"}
        style.update(kwargs)
        self.errorbar_ = ax.errorbar(x, mean, yerr=std, **style)
        i = self.chosen_index_
        line = {"color": "tab:red", "linestyle": "--", "linewidth": 1}
        line.update(chosen_kw or {})
        self.chosen_line_ = ax.axvline(x[i], **line)
        (self.chosen_marker_,) = ax.plot(
            [x[i]],
            [mean[i]],
            marker="*",
            markersize=14,
            linestyle="none",
            color=line["color"],
            label=self._chosen_label(),
        )
        ax.set_xlabel("Number of inputs")
        ax.set_ylabel(self.score_name or "Mean held-out score")
        ax.legend(loc="lower right")

    def _plot_entry(self, ax, entry_kw):
        """One row per entering input, from the first to enter (top): a
        mark at each grid value's number of inputs where it is used."""
        order, used = self.entry_order_, self.inputs_used_
        names = self.feature_names_[order]
        style = {"marker": "s", "linestyle": "-", "color": "tab:blue"}
        style.update(entry_kw or {})
        lines = []
        for row, j in enumerate(order):
            where = np.flatnonzero(used[:, j]) if used is not None else []
            x = self.n_inputs_[where] if len(where) else []
            (line,) = ax.plot(x, np.full(len(x), row), **style)
            lines.append(line)
        ax.set_yticks(np.arange(len(order)), labels=[str(n) for n in names])
        ax.set_ylim(len(order) - 0.5, -0.5)
        ax.axvline(
            self.n_inputs_[self.chosen_index_],
            color="tab:red",
            linestyle="--",
            linewidth=1,
        )
        ax.set_xlabel("Number of inputs")
        ax.set_title("Inputs in the order they enter")
        self.entry_lines_ = lines

    def _list_entry(self, ax):
        names = [str(n) for n in self.feature_names_[self.entry_order_]]
        text = "Order of entry:\n" + "\n".join(
            f"{k + 1}. {name}" for k, name in enumerate(names)
        )
        self.entry_text_ = ax.text(
            0.02,
            0.98,
            text,
            transform=ax.transAxes,
            verticalalignment="top",
            fontsize="small",
            bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8},
        )


def _grid_name(estimator):
    for name in ("constraint", "penalty"):
        if hasattr(estimator, name):
            return f"{name}={getattr(estimator, name)!r}"
    return "a weight decay"


def _score_name(estimator):
    scoring = getattr(estimator, "scoring", None)
    if isinstance(scoring, str):
        return f"Mean held-out {scoring}"
    return None
