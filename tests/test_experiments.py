"""Every paper experiment: a tiny run by default, the claim at default size
as an opt-in slow test, and the command line."""

import pytest

from sklearn_shallow.__main__ import main
from sklearn_shallow.experiments import EXPERIMENTS, format_rows

NAMES = sorted(EXPERIMENTS)
_TINY = {}


def tiny_rows(name):
    """One tiny run per experiment, shared by the tests that only read it."""
    if name not in _TINY:
        exp = EXPERIMENTS[name]
        _TINY[name] = exp.run(**exp.tiny)
    return [dict(r) for r in _TINY[name]]


@pytest.mark.parametrize("name", NAMES)
def test_tiny_run_gives_a_table_and_a_verdict(name):
    exp = EXPERIMENTS[name]
    rows = tiny_rows(name)
    assert rows and all(isinstance(r, dict) for r in rows)
    assert format_rows(rows).count("\n") == len(rows) + 1
    fails = exp.check(rows)
    assert isinstance(fails, list)
    assert all(isinstance(f, str) for f in fails)


@pytest.mark.parametrize("name", NAMES)
def test_tiny_run_draws_its_figure(name, tmp_path):
    pytest.importorskip("matplotlib")
    exp = EXPERIMENTS[name]
    path = exp.plot(tiny_rows(name), tmp_path / f"{name}.png")
    assert path.stat().st_size > 5_000


@pytest.mark.parametrize("name", NAMES)
def test_tiny_run_sets_the_paper_beside_ours(name):
    exp = EXPERIMENTS[name]
    assert exp.paper_table is not None, f"{name} has no side-by-side table"
    table = exp.paper_table(tiny_rows(name))
    assert table
    for row in table:
        assert {"quantity", "paper", "ours"} <= set(row)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_full_size_reproduces_the_claim(name):
    exp = EXPERIMENTS[name]
    assert exp.check(exp.run(full=True)) == []


def test_check_rejects_a_broken_claim():
    # The checks are not vacuous: a table where the constrained fits fail.
    rows = [
        {
            "init": "good",
            "constraint": c,
            "n": 1000,
            "test_nmse": 0.3,
            "weight_corr": 0.5,
        }
        for c in ("none", "l1", "l0")
    ]
    assert len(EXPERIMENTS["oymak-sparse"].check(rows)) >= 2


def test_cli_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in NAMES:
        assert name in out


def test_cli_reproduce_tiny(capsys, tmp_path):
    code = main(["reproduce", "soltanolkotabi", "--tiny", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Claim reproduced." in out
    assert "relu_error" in out


def test_cli_refuses_an_option_the_experiment_lacks(capsys):
    lacking = [n for n in NAMES if "paper_steps" not in EXPERIMENTS[n].options]
    if not lacking:
        pytest.skip("every experiment offers --paper-steps")
    assert main(["reproduce", lacking[0], "--tiny", "--paper-steps"]) == 2
    assert "does not offer --paper-steps" in capsys.readouterr().err


def test_format_rows_takes_the_union_of_keys():
    text = format_rows([{"a": 1.0, "b": "x"}, {"a": 2.0, "c": 3}])
    lines = text.splitlines()
    assert lines[0].split() == ["a", "b", "c"]
    assert lines[3].split() == ["2", "3"]


def test_cli_unknown_experiment(capsys):
    assert main(["reproduce", "nope"]) == 2
    assert "Unknown experiment 'nope'" in capsys.readouterr().err
