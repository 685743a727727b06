"""Sphinx configuration of the sklearn-shallow documentation.

Build (from the repository root)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

Add ``-D plot_gallery=0`` to render the gallery pages without running the
examples (what ``tests/test_docs.py`` does).
"""

import os
from pathlib import Path

import sklearn_shallow

HERE = Path(__file__).resolve().parent

project = "sklearn-shallow"
author = "the sklearn-shallow developers"
copyright = "the sklearn-shallow developers"
release = sklearn_shallow.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**/*.ipynb", "**/*.zip"]
root_doc = "index"
default_role = "literal"
# numpydoc docstrings list their papers under References without always
# citing them in the text; an uncited reference is not an error.
suppress_warnings = ["ref.citation"]

# -- autodoc / autosummary / numpydoc -----------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- sphinx-gallery -----------------------------------------------------------
# Every example is a plain script; the gallery runs it (unless
# ``-D plot_gallery=0``) and keeps the figures it draws.
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 5,
    "write_computation_times": False,
    "matplotlib_animations": False,
    "reset_modules": ("matplotlib",),
    "doc_module": ("sklearn_shallow",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"sklearn_shallow": None},
}

# Matplotlib must not open windows while the gallery runs the examples.
os.environ.setdefault("MPLBACKEND", "Agg")

# -- HTML ---------------------------------------------------------------------
try:
    import pydata_sphinx_theme  # noqa: F401
except ImportError:  # the builtin theme is enough to check the docs
    html_theme = "alabaster"
    html_theme_options = {}
else:
    html_theme = "pydata_sphinx_theme"
    html_theme_options = {
        "navigation_with_keys": False,
        "show_prev_next": True,
        "secondary_sidebar_items": ["page-toc"],
    }
html_title = f"sklearn-shallow {release}"
html_static_path = []
html_show_sourcelink = False


# -- the list of experiments ------------------------------------------------------
def _write_experiment_list():
    """Write the experiments of the registry as an include file.

    ``reproduce.rst`` includes it, so the page always names exactly what
    ``python -m sklearn_shallow list`` prints.
    """
    from sklearn_shallow.experiments import EXPERIMENTS

    def plain(text):
        # the claims are plain text: no emphasis, substitutions or links
        for char in "\\*`|_":
            text = text.replace(char, "\\" + char)
        return text

    lines = []
    for name, exp in EXPERIMENTS.items():
        lines += [
            f"``{name}``",
            f"    *{plain(exp.paper)}.* {plain(exp.claim)}",
            "",
            "    .. code-block:: bash",
            "",
            f"       python -m sklearn_shallow reproduce {name}",
            "",
        ]
    out = HERE / "generated" / "experiments.inc"
    out.parent.mkdir(exist_ok=True)
    text = "\n".join(lines)
    if not out.exists() or out.read_text() != text:
        out.write_text(text)


_write_experiment_list()


# -- members inherited from scikit-learn ----------------------------------------
def _skip_foreign_members(app, what, name, obj, skip, options):
    """Document only what this package defines.

    ``get_params``, ``score``, ``set_fit_request`` and the like come from
    scikit-learn's base classes; their docstrings refer to labels of
    scikit-learn's own documentation, and the API page says so.
    """
    if what != "class":
        return None
    module = getattr(obj, "__module__", None) or ""
    if not module.startswith("sklearn_shallow"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_foreign_members)
