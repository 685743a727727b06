"""The prox protocol shared by constraints and penalties, and its one registry.

The projections and thresholds themselves are checked against independent
references in test_constraints.py and test_thresholds.py; here: a constraint's
prox is its projection and its value the indicator, every name resolves
through the one table, and validation runs once, not in every call.
"""

import ast
import copy
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

import sklearn_shallow
from sklearn_shallow import _registry as registry_module
from sklearn_shallow import constraints as constraints_module
from sklearn_shallow import prox as prox_module
from sklearn_shallow.constraints import (
    CONSTRAINTS,
    L0Ball,
    L1Ball,
    NuclearBall,
    Rank,
    Subspace,
    Unconstrained,
    make_constraint,
)
from sklearn_shallow.prox import KINDS, PROX, Prox, get_prox
from sklearn_shallow.thresholds import (
    PENALTIES,
    L0Penalty,
    L1Penalty,
    TransformedL1Penalty,
    get_penalty,
)

SHAPE = (4, 6)
DTYPES = [np.float32, np.float64]
# A size for each constraint name that makes the set active on SHAPE.
TAU = {
    "none": None,
    "l0": 4,
    "l0_row": 2,
    "l1": 1.5,
    "rank": 1,
    "nuclear": 2.0,
    "l0_features": 2,
    "l1_features": 1.5,
}


def _basis(shape=SHAPE, seed=0):
    n_weights = int(np.prod(shape))
    A = np.random.default_rng(seed).standard_normal((n_weights, n_weights // 2))
    return np.linalg.qr(A)[0]


def _weights(shape=SHAPE, seed=1, dtype=np.float64):
    return (3.0 * np.random.default_rng(seed).standard_normal(shape)).astype(dtype)


def make_operator(name):
    """A fresh operator: 'kind:name' through the registry, or the subspace."""
    if name == "constraint:subspace":
        return Subspace(_basis())
    kind, _, key = name.partition(":")
    if kind == "constraint":
        return get_prox(key, kind, tau=TAU[key])
    return get_prox(key, kind, a=0.5)


CONSTRAINT_NAMES = [f"constraint:{n}" for n in sorted(TAU)] + ["constraint:subspace"]
PENALTY_NAMES = [f"penalty:{n}" for n in sorted(PENALTIES)]
OPERATORS = CONSTRAINT_NAMES + PENALTY_NAMES


# ---------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------


def test_every_name_follows_the_naming_rule():
    # Lower-case identifiers; each row has known kinds; each factory builds
    # an operator of its row's kind.
    for name, row in PROX.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name
        assert set(row) <= set(KINDS), (name, row)
        for kind, factory in row.items():
            size = {"tau": TAU[name]} if kind == "constraint" else {"a": 0.5}
            operator = factory(**size)
            assert isinstance(operator, Prox) and operator.kind == kind


@pytest.mark.parametrize(
    "kind, view", [("constraint", CONSTRAINTS), ("penalty", PENALTIES)]
)
def test_family_tables_are_views_of_the_one_table(kind, view):
    assert sorted(view) == sorted(name for name, row in PROX.items() if kind in row)
    assert all(view[name] is PROX[name][kind] for name in view)
    assert len(view) == len(list(view))


def test_one_name_in_both_kinds():
    # 'l1' is sum |W_ij|: bounded by tau as a constraint, added as a penalty.
    ball = get_prox("l1", "constraint", tau=2.0)
    assert type(ball) is L1Ball and ball.radius == 2.0
    assert type(get_prox("l1", "penalty")) is L1Penalty
    assert type(make_constraint("l0", 3)) is L0Ball
    assert type(get_penalty("l0")) is L0Penalty


def test_objects_of_the_kind_pass_through():
    ball, penalty = L1Ball(1.0), TransformedL1Penalty(a=0.2)
    assert get_prox(ball, "constraint") is ball
    assert get_prox(penalty, "penalty", a=3.0) is penalty


@pytest.mark.parametrize(
    "spec, kind, error, match",
    [
        (
            "l2",
            "constraint",
            ValueError,
            re.escape(
                "Unknown constraint 'l2'; expected one of ['l0', 'l0_features', "
                "'l0_row', 'l1', 'l1_features', 'none', 'nuclear', 'rank'] or a "
                "Constraint object."
            ),
        ),
        ("tl1", "constraint", ValueError, "'tl1' is a penalty name"),
        (
            "rank",
            "penalty",
            ValueError,
            re.escape(
                "expected one of ['l0', 'l0_features', 'l1', 'l1_features', "
                "'tl1', 'tl1_features'] or a Penalty object. "
            ),
        ),
        ("rank", "penalty", ValueError, "'rank' is a constraint name"),
        (
            "l1",
            "prior",
            ValueError,
            re.escape(
                "kind must be one of ['constraint', 'penalty'], got kind='prior'"
            ),
        ),
        (L1Penalty(), "constraint", TypeError, "or a Constraint object, got L1Penalty"),
        (L1Ball(1.0), "penalty", TypeError, "or a Penalty object, got L1Ball"),
        (3, "penalty", TypeError, r"penalty must be a string in \['l0', 'l0_features'"),
    ],
)
def test_get_prox_errors(spec, kind, error, match):
    with pytest.raises(error, match=match):
        get_prox(spec, kind, tau=1.0) if kind == "constraint" else get_prox(spec, kind)


@pytest.mark.parametrize(
    "kind, factories, match",
    [
        ("constraint", {"L2": Unconstrained}, "lower-case identifiers, got 'L2'"),
        ("constraint", {"l1": Unconstrained}, "constraint 'l1' is already registered"),
        ("prior", {"l2": Unconstrained}, "kind must be one of"),
    ],
)
def test_register_errors(monkeypatch, kind, factories, match):
    monkeypatch.setattr(registry_module, "PROX", {"l1": {"constraint": L1Ball}})
    with pytest.raises(ValueError, match=match):
        registry_module._register(kind, factories)


def test_prox_reads_the_registry_names():
    # The names documented in sklearn_shallow.prox are the registry's own
    # objects, and the table holds both families.
    assert prox_module.PROX is registry_module.PROX
    assert prox_module.get_prox is registry_module.get_prox
    assert {"constraint", "penalty"} <= {k for row in PROX.values() for k in row}
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        prox_module.nothing  # noqa: B018


# ---------------------------------------------------------------------------
# The package's import graph
# ---------------------------------------------------------------------------

PACKAGE_DIR = Path(sklearn_shallow.__file__).parent


def _module_names():
    """Dotted name -> path of every module of the package."""
    names = {}
    for path in PACKAGE_DIR.rglob("*.py"):
        parts = ("sklearn_shallow",) + path.relative_to(PACKAGE_DIR).with_suffix(
            ""
        ).parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _import_time_statements(body):
    """Import statements run when the module is imported (not in functions)."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from _import_time_statements(node.orelse)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                yield from _import_time_statements(getattr(node, field, []))


def import_graph():
    """Module -> package modules it imports at module level (from the source)."""
    modules = _module_names()
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _import_time_statements(tree.body):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                # "from . import x" names a submodule when there is one.
                sub = f"{base}.{alias.name}"
                targets.add(sub if sub in modules else base)
        graph[name] = sorted(t for t in targets if t in modules and t != name)
    return graph


def find_cycle(graph):
    """One cycle of ``graph`` as a list of nodes (first == last), or None."""
    state = {}  # node -> "open" while on the path, "done" after
    path = []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == "open":
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_finds_the_old_prox_cycle():
    # The graph before the registry: prox imported both families at its end.
    old = {
        "prox": ["constraints", "thresholds"],
        "constraints": ["prox"],
        "thresholds": ["prox"],
    }
    assert find_cycle(old) == ["constraints", "prox", "constraints"]
    assert find_cycle({"a": ["b"], "b": ["c"], "c": []}) is None


def test_registry_sits_between_the_protocol_and_the_families():
    graph = import_graph()
    for family in ("constraints", "thresholds"):
        assert {"sklearn_shallow._registry", "sklearn_shallow._protocol"} <= set(
            graph[f"sklearn_shallow.{family}"]
        )
        assert "sklearn_shallow.prox" not in graph[f"sklearn_shallow.{family}"]
    assert graph["sklearn_shallow._registry"] == ["sklearn_shallow._protocol"]
    assert graph["sklearn_shallow._protocol"] == ["sklearn_shallow._component"]
    # The public page sits on top of the family and nothing imports it back.
    assert not any("sklearn_shallow.prox" in deps for deps in graph.values())


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 30 and "sklearn_shallow.experiments.zhong" in graph
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


# ---------------------------------------------------------------------------
# The protocol
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("t", [1e-3, 1.0, 10.0])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CONSTRAINT_NAMES)
def test_prox_of_a_constraint_is_its_projection(name, dtype, t):
    constraint = make_operator(name)
    W = _weights(dtype=dtype)
    P = constraint.prox(W, t)
    np.testing.assert_array_equal(P, constraint.project(W))
    assert P.dtype == dtype
    assert constraint.is_feasible(P)
    assert constraint.value(P) == 0.0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CONSTRAINT_NAMES)
def test_value_of_a_constraint_is_its_indicator(name, dtype):
    constraint = make_operator(name)
    W = _weights(dtype=dtype)
    expected = 0.0 if isinstance(constraint, Unconstrained) else np.inf
    assert constraint.value(W) == expected


@pytest.mark.parametrize(
    "operator, kind, convex",
    [
        (Unconstrained(), "constraint", True),
        (L0Ball(3), "constraint", False),
        (L1Ball(1.0), "constraint", True),
        (Rank(1), "constraint", False),
        (NuclearBall(1.0), "constraint", True),
        (Subspace(np.eye(4)[:, :2]), "constraint", True),
        (L1Penalty(), "penalty", True),
        (L0Penalty(), "penalty", False),
        (TransformedL1Penalty(), "penalty", False),
    ],
)
def test_kind_and_convex_flags(operator, kind, convex):
    assert isinstance(operator, Prox)
    assert operator.kind == kind
    assert operator.convex is convex


@pytest.mark.parametrize(
    "operator, match",
    [
        (L1Ball(0.0), "radius must be a finite number > 0"),
        (NuclearBall(-1.0), "radius must be a finite number > 0"),
        (Rank(0), "rank must be an int >= 1"),
        (L0Ball(1.5), r"float in \(0, 1\)"),
        (L0Ball(2, per_row=1), "per_row must be True or False, got per_row=1"),
        (Subspace(np.ones((4, 2))), "basis columns must be orthonormal"),
        (Subspace(np.ones(4)), "basis must be a 2-D array"),
        (TransformedL1Penalty(a=0.0), "a must be > 0"),
    ],
)
def test_check_without_a_shape_validates_what_does_not_need_one(operator, match):
    with pytest.raises(ValueError, match=match):
        operator.check()


@pytest.mark.parametrize(
    "operator",
    [L0Ball(2, per_row=True), Rank(3), NuclearBall(1.0), Subspace(np.eye(4)[:, :2])],
)
def test_check_without_a_shape_skips_the_shape_checks(operator):
    operator.check()


# ---------------------------------------------------------------------------
# Validation once per fit, pure hot path
# ---------------------------------------------------------------------------


def _count_validations(monkeypatch, operator):
    cls = type(operator)
    original = cls._validate
    calls = []

    def counting(self, shape):
        calls.append(shape)
        return original(self, shape)

    monkeypatch.setattr(cls, "_validate", counting)
    return calls


def _use(operator, W, repeats=3):
    for _ in range(repeats):
        operator.prox(W, 0.5)
        operator.value(W)
        if operator.kind == "constraint":
            operator.project(W)
            operator.is_feasible(W)


@pytest.mark.parametrize("name", OPERATORS)
def test_check_then_use_validates_once(monkeypatch, name):
    operator = make_operator(name)
    calls = _count_validations(monkeypatch, operator)
    # Entrywise penalties do not depend on the shape; the feature penalties
    # (groups of columns) do, and are checked on it, as RVSM does.
    shaped = operator.kind == "constraint" or getattr(operator, "per_input", False)
    operator.check(SHAPE if shaped else None)
    _use(operator, _weights())
    assert len(calls) == 1


@pytest.mark.parametrize("name", OPERATORS)
def test_use_before_check_validates_once(monkeypatch, name):
    operator = make_operator(name)
    calls = _count_validations(monkeypatch, operator)
    _use(operator, _weights())
    # Operators without parameters have nothing to validate.
    assert len(calls) == (1 if operator.get_params() else 0)


def test_subspace_checks_orthonormality_once(monkeypatch):
    # The O(n_weights n_basis^2) Gram product was the cost of every projection.
    calls = []
    original = constraints_module._check_orthonormal
    monkeypatch.setattr(
        constraints_module,
        "_check_orthonormal",
        lambda B: calls.append(B.shape) or original(B),
    )
    subspace = Subspace(_basis())
    W = _weights()
    first = subspace.project(W)
    for _ in range(4):
        np.testing.assert_array_equal(subspace.project(W), first)
    assert subspace.is_feasible(first)
    assert calls == [(24, 12)]


@pytest.mark.parametrize(
    "operator, params, W, match",
    [
        (L1Ball(1.0), {"radius": -1.0}, np.ones(SHAPE), "got radius=-1.0"),
        (L0Ball(3), {"n_nonzero": 30}, np.ones(SHAPE), "n_nonzero=30 is larger"),
        (Rank(1), {"rank": 5}, np.ones(SHAPE), "rank=5 is larger"),
        (Subspace(_basis()), {"basis": np.ones((24, 2))}, np.ones(SHAPE), "orthonorm"),
        (TransformedL1Penalty(1.0), {"a": -1.0}, np.ones(3), "a must be > 0"),
    ],
)
def test_changed_parameters_are_validated_again(operator, params, W, match):
    operator.prox(W, 0.5)
    operator.set_params(**params)
    with pytest.raises(ValueError, match=match):
        operator.prox(W, 0.5)


def test_a_bool_does_not_pass_for_a_validated_int():
    # 1 == True, but True is not a number of nonzeros.
    ball = L0Ball(1)
    ball.check(SHAPE)
    ball.n_nonzero = True
    with pytest.raises(ValueError, match="n_nonzero=True"):
        ball.project(np.ones(SHAPE))


def test_a_new_shape_is_validated_again():
    ball = L0Ball(5)
    ball.check(SHAPE)
    with pytest.raises(ValueError, match="larger than the 4 weights"):
        ball.project(np.ones((2, 2)))


@pytest.mark.parametrize("name", OPERATORS)
def test_cache_is_neither_a_parameter_nor_pickled(name):
    operator = make_operator(name)
    W = _weights()
    operator.check(SHAPE if operator.kind == "constraint" else None)
    expected = operator.prox(W, 0.5)
    params = operator.get_params()
    for copied in (
        clone(operator),
        pickle.loads(pickle.dumps(operator)),
        copy.deepcopy(operator),
    ):
        assert "_checked" not in vars(copied)
        assert sorted(copied.get_params()) == sorted(params)
        np.testing.assert_array_equal(copied.prox(W, 0.5), expected)
