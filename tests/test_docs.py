"""The documentation builds without warnings, and its code runs.

The build copies ``docs/`` and ``examples/`` to a temporary directory (the
build writes generated pages next to its sources) and runs Sphinx with
warnings as errors and the gallery's execution switched off
(``-D plot_gallery=0``); ``tests/test_examples.py`` runs the examples
themselves. The Python code blocks of the hand-written pages are run as
scripts, page by page, so that the user guide cannot drift from the API.
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BUILD_TIMEOUT_S = 300
SNIPPET_TIMEOUT_S = 120

# Written by the build into the source tree; never copied.
GENERATED = ("_build", "generated", "auto_examples", "sg_execution_times.rst")

needs_sphinx = pytest.mark.skipif(
    any(
        importlib.util.find_spec(name) is None
        for name in ("sphinx", "numpydoc", "sphinx_gallery", "matplotlib")
    ),
    reason="the docs extra (sphinx, numpydoc, sphinx-gallery, matplotlib) is needed",
)


def _has(module):
    return importlib.util.find_spec(module) is not None


@pytest.fixture(scope="module")
def built_docs(tmp_path_factory):
    """Build the HTML docs once; return (returncode, output, html dir)."""
    work = tmp_path_factory.mktemp("docs")
    shutil.copytree(DOCS, work / "docs", ignore=shutil.ignore_patterns(*GENERATED))
    shutil.copytree(ROOT / "examples", work / "examples")
    html = work / "_build" / "html"
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "-d",
        str(work / "_build" / "doctrees"),
        "-D",
        "plot_gallery=0",
        str(work / "docs"),
        str(html),
    ]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env=env, timeout=BUILD_TIMEOUT_S
    )
    return proc.returncode, proc.stdout + proc.stderr, html


@needs_sphinx
def test_docs_build_without_warnings(built_docs):
    returncode, output, _ = built_docs
    warnings = [
        line for line in output.splitlines() if "WARNING" in line or "ERROR" in line
    ]
    assert returncode == 0, "\n".join(warnings[:40]) or output[-5000:]


@needs_sphinx
def test_docs_have_every_page(built_docs):
    returncode, _, html = built_docs
    if returncode != 0:
        pytest.skip("the build failed; see test_docs_build_without_warnings")
    pages = [
        "index.html",
        "install.html",
        "reproduce.html",
        "api.html",
        "auto_examples/index.html",
        "generated/sklearn_shallow.ProjectedShallowRegressor.html",
        "generated/sklearn_shallow.RVSMRegressor.html",
        "generated/sklearn_shallow.QuadraticNetRegressor.html",
        "generated/sklearn_shallow.QuadraticNetClassifier.html",
    ]
    pages += [f"user_guide/{p.stem}.html" for p in (DOCS / "user_guide").glob("*.rst")]
    pages += [
        f"auto_examples/{p.stem}.html" for p in (ROOT / "examples").glob("plot_*.py")
    ]
    missing = [page for page in pages if not (html / page).is_file()]
    assert not missing


@needs_sphinx
def test_reproduce_page_lists_every_experiment(built_docs):
    from sklearn_shallow.experiments import EXPERIMENTS

    returncode, _, html = built_docs
    if returncode != 0:
        pytest.skip("the build failed; see test_docs_build_without_warnings")
    text = (html / "reproduce.html").read_text()
    missing = [name for name in EXPERIMENTS if f">{name}<" not in text]
    assert not missing


# ---- the code of the hand-written pages ------------------------------------
_BLOCK = re.compile(
    r"^( *)\.\. code-block:: python\n((?:\1 {3}.*\n|[ \t]*\n)+)", re.MULTILINE
)


def _python_blocks(path):
    """The ``.. code-block:: python`` blocks of an rst page, dedented."""
    blocks = []
    for match in _BLOCK.finditer(path.read_text()):
        indent = len(match.group(1)) + 3
        lines = [line[indent:] for line in match.group(2).splitlines()]
        blocks.append("\n".join(lines).strip("\n") + "\n")
    return blocks


PAGES = sorted(
    p
    for p in [*DOCS.glob("*.rst"), *(DOCS / "user_guide").glob("*.rst")]
    if _python_blocks(p)
)

# Pages whose code needs an optional package.
_PAGE_NEEDS = {
    "distributed.rst": "distributed",
    # The path page ends with FeaturePathDisplay.
    "paths.rst": "matplotlib",
}


def test_pages_with_code_are_found():
    names = {p.name for p in PAGES}
    assert {"install.rst", "constraints.rst", "distributed.rst"} <= names


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_page_code_runs(page, tmp_path):
    needed = _PAGE_NEEDS.get(page.name)
    if needed and not _has(needed):
        pytest.skip(f"{page.name} needs {needed}")
    script = tmp_path / f"{page.stem}_code.py"
    script.write_text("\n".join(_python_blocks(page)))
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=SNIPPET_TIMEOUT_S,
    )
    assert proc.returncode == 0, (
        f"the code of {page.name} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    )


def test_reproduce_page_sets_every_experiment_beside_its_paper():
    # The summary table of "The papers beside ours" has a row per experiment.
    from sklearn_shallow.experiments import EXPERIMENTS

    text = (DOCS / "reproduce.rst").read_text()
    table = text.split("The papers beside ours\n", 1)[1].split("\n\n\n", 1)[0]
    missing = [name for name in EXPERIMENTS if f"* - ``{name}``" not in table]
    assert not missing
    for image in re.findall(r"^\.\. image:: (\S+)", text, re.MULTILINE):
        assert (DOCS / image).is_file(), image
