"""README and CI agree: CI runs exactly the README's test command."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.*?)\n```", text, flags=re.S)


def test_readme_opens_with_demo_then_test_command():
    demo, tests = _readme_commands()[:2]
    assert demo.endswith("python -m sklearn_shallow demo")
    assert 'pip install ".[test' in tests


def test_ci_runs_the_readme_test_command():
    tests = _readme_commands()[1]
    test_command = tests.split("&&")[-1].strip()
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in [line.strip() for line in ci]
    install = tests.split("&&")[-2].strip()  # pip install ...
    assert any(line.strip().endswith(install.removeprefix("pip ")) for line in ci)


def test_readme_python_blocks_run():
    # The tour is code users paste: it must keep working. Blocks share a
    # namespace, in order, like a session.
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)\n```", text, flags=re.S)
    assert len(blocks) >= 3
    namespace = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["rvsm"].sparsity_ > 0.8
    best, X_test, y_test = (namespace[k] for k in ("best", "X_test", "y_test"))
    assert namespace["normalized_mse"](y_test, best.predict(X_test)) < 1e-6
