"""The one name table of constraints and penalties, and its lookup.

The modules stack without a cycle:

* :mod:`sklearn_shallow.prox` holds the protocol, :class:`~.prox.Prox`;
* this module holds the table :data:`PROX`, :func:`_register` and
  :func:`get_prox`, and imports the protocol;
* :mod:`sklearn_shallow.constraints` and :mod:`sklearn_shallow.thresholds`
  import both and fill their rows when they are imported.

Nothing imports upward at module level. The lookups need the rows of both
families whichever module the user imported first, so they import the two
family modules on first use (:func:`_complete`), inside a function: by then
every module involved is fully initialised. The public names stay where they
were documented: ``from sklearn_shallow.prox import PROX, get_prox`` reads
them from here.
"""

import importlib
import re
from collections.abc import Mapping

from ._protocol import KINDS, Prox

__all__ = ["PROX", "get_prox"]

PROX = {}
"""Name -> ``{kind: factory}``, one row per name (see :mod:`sklearn_shallow.prox`).

A constraint factory is called as ``factory(tau=...)``, a penalty factory as
``factory(a=...)``. :mod:`sklearn_shallow.constraints` and
:mod:`sklearn_shallow.thresholds` fill their rows when imported; read the
table through :func:`table` (or ``sklearn_shallow.prox.PROX``) to be sure that
both families are in it.
"""

#: The modules whose import fills rows of :data:`PROX`.
FAMILY_MODULES = ("sklearn_shallow.constraints", "sklearn_shallow.thresholds")

_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _complete():
    """Import the family modules (once), so that :data:`PROX` has every row."""
    for module in FAMILY_MODULES:
        importlib.import_module(module)


def table():
    """:data:`PROX` with the rows of every family registered."""
    _complete()
    return PROX


def _check_kind(kind):
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {list(KINDS)}, got kind={kind!r}.")


class _KindView(Mapping):
    """Read-only view of the factories of one kind in :data:`PROX`."""

    def __init__(self, kind):
        self.kind = kind

    def __getitem__(self, name):
        row = PROX[name]
        return row[self.kind]

    def __iter__(self):
        return (name for name, row in PROX.items() if self.kind in row)

    def __len__(self):
        return sum(1 for _ in self)

    def __repr__(self):
        return f"<{self.kind} names {sorted(self)}>"


def _register(kind, factories):
    """Add the rows of one kind to :data:`PROX`; return the view of that kind."""
    _check_kind(kind)
    for name, factory in factories.items():
        if not _NAME.fullmatch(name):
            raise ValueError(
                f"Prox names are lower-case identifiers, got {name!r} ({kind})."
            )
        row = PROX.setdefault(name, {})
        if kind in row:
            raise ValueError(f"The {kind} {name!r} is already registered.")
        row[kind] = factory
    return _KindView(kind)


def get_prox(spec, kind, **params):
    """Resolve a name of :data:`PROX`, or pass an operator of that kind through.

    Parameters
    ----------
    spec : str or Prox
        A name with a row for ``kind``, or a :class:`~.prox.Prox` whose
        ``kind`` is ``kind`` (returned as it is; ``params`` are then ignored).
    kind : {'constraint', 'penalty'}
        Which use of the name.
    **params
        Passed to the factory: ``tau`` (the size) for a constraint, ``a``
        (transformed l1's shape) for a penalty.

    Returns
    -------
    Prox

    Raises
    ------
    ValueError
        For an unknown kind or name; the message lists the names of that
        kind.
    TypeError
        If ``spec`` is neither a string nor an operator of that kind.

    Examples
    --------
    >>> from sklearn_shallow.prox import get_prox
    >>> get_prox("l1", "constraint", tau=2.0)
    L1Ball(radius=2.0)
    >>> get_prox("l1", "penalty")
    L1Penalty()
    """
    _check_kind(kind)
    _complete()
    view = _KindView(kind)
    base = kind.capitalize()
    if isinstance(spec, Prox) and spec.kind == kind:
        return spec
    if isinstance(spec, str):
        if spec not in view:
            hint = ""
            if spec in PROX:
                hint = f" {spec!r} is a {' and '.join(sorted(PROX[spec]))} name."
            raise ValueError(
                f"Unknown {kind} {spec!r}; expected one of {sorted(view)} or a "
                f"{base} object.{hint}"
            )
        return view[spec](**params)
    raise TypeError(
        f"{kind} must be a string in {sorted(view)} or a {base} object, got "
        f"{type(spec).__name__}."
    )
