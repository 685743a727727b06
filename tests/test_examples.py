"""Every gallery example runs top to bottom as a plain script.

Each ``examples/plot_*.py`` is started in a fresh interpreter with the
non-interactive Agg backend, from a temporary directory so that nothing it
might write lands in the repository, exactly as a user would run it
(``python examples/plot_NAME.py``).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("plot_*.py"))

# Each example should take well under a minute; this only stops a hung one.
TIMEOUT_S = 300

# Examples that need more of the examples extra than matplotlib: skipped,
# with the reason, where it is not installed.
NEEDS = {"plot_feature_selection": ["pandas", "palmerpenguins"]}


def test_there_are_examples():
    assert len(EXAMPLES) >= 9, [p.name for p in EXAMPLES]


def test_examples_have_a_gallery_header():
    assert (EXAMPLES_DIR / "README.txt").read_text().strip()


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(path, tmp_path):
    for module in NEEDS.get(path.stem, []):
        pytest.importorskip(module, reason=f"{path.name} needs {module}")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, str(path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert proc.returncode == 0, (
        f"{path.name} exited with {proc.returncode}\n"
        f"--- stdout (end) ---\n{proc.stdout[-3000:]}\n"
        f"--- stderr (end) ---\n{proc.stderr[-3000:]}"
    )
    assert list(tmp_path.iterdir()) == [], "examples should draw, not write files"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_is_a_gallery_script(path):
    # sphinx-gallery needs a docstring title first and cells marked "# %%".
    text = path.read_text()
    assert text.startswith('"""\n===='), f"{path.name}: no gallery title"
    assert "\n# %%\n" in text, f"{path.name}: no '# %%' cells"
    # Randomness is explicit: no draws from numpy's global generator.
    assert "np.random.seed" not in text
    assert "np.random.rand" not in text
    assert "np.random.randn" not in text
