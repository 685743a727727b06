"""Groups of input columns, shared by the feature-selection sets and penalties.

The hidden weights ``W`` have shape ``(n_hidden, n_features)``: column ``j``
holds every weight that reads input ``j``. A *group* is a set of columns
that enter or leave the network together (the dummy columns of one
categorical input, say). ``groups=None`` makes each column its own group; a
list of lists of column indices names groups, and the columns it leaves out
are singleton groups.

Groups are numbered by their lowest column, so that ties between groups of
equal norm break towards the group with the lowest column (with
``groups=None``: the lowest column index), as :class:`L0Ball` breaks its ties
towards the lowest flat index.
"""

import math
import numbers

import numpy as np

__all__ = []


def _is_index(value):
    return isinstance(value, numbers.Integral) and not isinstance(
        value, (bool, np.bool_)
    )


def check_groups(groups):
    """Validate the structure of ``groups``; return it as a tuple of tuples.

    Raises ``ValueError`` for anything but None or a list of non-empty lists
    of column indices (ints ``>= 0``), each column in at most one group.
    """
    if groups is None:
        return None
    if isinstance(groups, (str, bytes)) or not hasattr(groups, "__iter__"):
        raise ValueError(
            "groups must be None or a list of lists of column indices, got "
            f"groups={groups!r}."
        )
    out, owner = [], {}
    for g, group in enumerate(groups):
        if isinstance(group, (str, bytes)) or not hasattr(group, "__iter__"):
            raise ValueError(
                "groups must be None or a list of lists of column indices; "
                f"groups[{g}]={group!r} is not a list."
            )
        group = tuple(group)
        if not group:
            raise ValueError(
                f"groups[{g}] is empty; every group needs at least one column."
            )
        for j in group:
            if not _is_index(j):
                raise ValueError(
                    f"groups[{g}] holds {j!r}, which is not a column index (an "
                    "int >= 0)."
                )
            if j < 0:
                raise ValueError(
                    f"groups[{g}] holds column {j}, out of range: column indices "
                    "are >= 0."
                )
            if int(j) in owner:
                first = owner[int(j)]
                where = "twice in" if first == g else f"in groups[{first}] and in"
                raise ValueError(
                    f"column {int(j)} is {where} groups[{g}]; a column may "
                    "belong to one group only."
                )
            owner[int(j)] = g
        out.append(tuple(int(j) for j in group))
    return tuple(out)


def column_labels(groups, shape, owner):
    """The group of each column: ``(labels, n_groups)`` for weights of ``shape``.

    ``groups`` has passed :func:`check_groups`; ``owner`` names the operator
    in the errors. ``labels[j]`` is the group of column ``j``; groups are
    numbered by their lowest column.
    """
    if len(shape) != 2:
        raise ValueError(
            f"{owner} works on 2-D hidden weights (n_hidden, n_features), got "
            f"an array of shape {shape}."
        )
    n_columns = shape[1]
    if groups is None:
        return np.arange(n_columns), n_columns
    members = [list(group) for group in groups]
    for g, group in enumerate(members):
        high = max(group)
        if high >= n_columns:
            raise ValueError(
                f"groups[{g}] holds column {high}, out of range for weights of "
                f"shape {shape} ({n_columns} input columns, indices 0 to "
                f"{n_columns - 1})."
            )
    covered = np.zeros(n_columns, dtype=bool)
    for group in members:
        covered[group] = True
    members += [[j] for j in np.flatnonzero(~covered)]
    members.sort(key=min)
    labels = np.empty(n_columns, dtype=np.intp)
    for g, group in enumerate(members):
        labels[group] = g
    return labels, len(members)


def group_norms(W, labels, n_groups):
    """Euclidean norm of each group's columns of ``W``, in float64."""
    W = np.asarray(W, dtype=np.float64)
    if W.size == 0:
        return np.zeros(n_groups)
    # Scale out the largest entry so that squares neither overflow nor
    # underflow; hypot-like accuracy at the cost of one division.
    big = np.max(np.abs(W))
    if big == 0 or not np.isfinite(big):
        squares = (W * W).sum(axis=0)
        return np.sqrt(np.bincount(labels, weights=squares, minlength=n_groups))
    V = W / big
    squares = (V * V).sum(axis=0)
    return big * np.sqrt(np.bincount(labels, weights=squares, minlength=n_groups))


def scale_groups(W, labels, factor, dtype):
    """``W`` with each group's columns multiplied by ``factor[group]``."""
    out = np.asarray(W, dtype=np.float64) * factor[labels]
    return (out + 0.0).astype(dtype, copy=False)


# The same two operations in another array-API namespace. The standard has no
# ``bincount``: a group's squares are gathered through a padded index matrix
# instead, one row per group holding its columns, padded with the index of an
# appended zero. It has ``n_groups x (size of the largest group)`` entries:
# ``n_features`` for groups of equal size, and nothing at all for the default
# singleton groups, which need no gathering.


def member_index(labels):
    """``(n_groups, largest group)`` index of each group's columns (in
    increasing order), padded with ``n_columns``; a numpy array."""
    n_columns = labels.size
    counts = np.bincount(labels)
    index = np.full((counts.size, counts.max(initial=0)), n_columns, dtype=np.int64)
    order = np.argsort(labels, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    slot = np.arange(n_columns) - np.repeat(starts, counts)
    index[labels[order], slot] = order
    return index


def device_layout(prox, labels, n_groups, like):
    """The groups of a prox as arrays of ``like``'s namespace and device.

    Returns ``(labels, index)``: both None for singleton groups (each column
    its own group, numbered by column); otherwise the group of each column
    and :func:`member_index`, converted once per check by the prox
    (:meth:`~sklearn_shallow.prox.Prox._on_device`).
    """
    if n_groups == labels.size:
        return None, None
    return prox._on_device(labels, like), prox._on_device(labels, like, member_index)


def group_norms_xp(W, layout, xp):
    """:func:`group_norms` in the namespace ``xp``, for ``layout`` from
    :func:`device_layout`; in the widest float of ``W``'s device."""
    from ._array_api import device, wide_float

    W = xp.astype(W, wide_float(xp, device(W)))
    big = xp.max(xp.abs(W)) if math.prod(W.shape) else xp.zeros((), dtype=W.dtype)
    # As in group_norms: divide by the largest entry when it is finite and
    # nonzero, so that the squares neither overflow nor underflow.
    scale = xp.where((big > 0) & xp.isfinite(big), big, xp.ones_like(big))
    V = W / scale
    squares = xp.sum(V * V, axis=0)
    _, index = layout
    if index is not None:
        padded = xp.concat([squares, xp.zeros(1, dtype=W.dtype, device=device(W))])
        gathered = xp.take(padded, xp.reshape(index, (-1,)))
        squares = xp.sum(xp.reshape(gathered, index.shape), axis=1)
    return scale * xp.sqrt(squares)


def scale_groups_xp(W, layout, factor, dtype, xp):
    """:func:`scale_groups` in the namespace ``xp``, for ``layout`` from
    :func:`device_layout`."""
    labels, _ = layout
    column_factor = factor if labels is None else xp.take(factor, labels)
    out = xp.astype(W, factor.dtype) * column_factor
    return xp.astype(out + 0.0, dtype)


def refuse_convolution(prox, architecture):
    """Raise ``ValueError`` when a per-input operator meets a convolution.

    ``architecture`` is the resolved architecture object. The operators of
    the feature family act on the columns of a dense hidden layer (one per
    input); a convolution's parameters are its kernels, of shape
    ``(n_kernels, kernel_size)``, whose columns are kernel taps shared by
    every input.
    """
    from .architectures import Convolution

    if getattr(prox, "per_input", False) and isinstance(architecture, Convolution):
        raise ValueError(
            f"{prox!r} selects input columns of a dense hidden layer; with "
            f"architecture={architecture!r} the parameters are kernels of shape "
            "(n_kernels, kernel_size), whose columns are kernel taps shared by "
            "every input, not inputs. Use a dense architecture, or 'l0'/'l1' on "
            "the kernels."
        )


def check_groups_apply(groups, param, spec, names):
    """Raise ``ValueError`` where an estimator's ``groups`` do not apply.

    ``spec`` is the value of the estimator parameter ``param``
    ('constraint' or 'penalty') and ``names`` the names of that family that
    select inputs (the ``_features`` names). Groups apply to those names
    only: an object carries its own ``groups``, and the other operators have
    no input columns to group. The structure of ``groups`` is checked here;
    its column indices against the data at fit.
    """
    if groups is None:
        return
    if spec is not None and not isinstance(spec, str):
        raise ValueError(
            f"groups is given together with {param}={spec!r}, an object; an "
            f"object carries its own groups. Pass the {param} by name (one of "
            f"{sorted(names)}) with groups=..., or give the groups to the "
            "object and leave groups=None."
        )
    if spec not in names:
        raise ValueError(
            f"groups={groups!r} is given with {param}={spec!r}; groups apply "
            f"only to the {param}s that select inputs, {sorted(names)}. "
            "Choose one of those names, or leave groups=None."
        )
    check_groups(groups)


def with_groups(prox, groups, param, spec, names):
    """``prox``, resolved from ``spec``, with the estimator's ``groups`` set
    (after :func:`check_groups_apply`); ``prox`` itself when ``groups`` is
    None. ``prox`` is the fresh object a name resolved to, never the user's.
    """
    check_groups_apply(groups, param, spec, names)
    if groups is None:
        return prox
    return prox.set_params(groups=groups)
