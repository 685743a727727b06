"""Fixtures shared by several test modules."""

import pytest
import sklearn


@pytest.fixture
def dispatch(monkeypatch):
    """scikit-learn's array API dispatch on for one test (skipped where this
    scikit-learn cannot dispatch).

    scikit-learn refuses dispatch unless ``SCIPY_ARRAY_API=1`` is set; it is
    set for the duration of the test only (scipy is imported by then, so its
    behaviour on numpy arrays does not change).
    """
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    try:
        # scikit-learn before 1.7 needs the separate array-api-compat.
        with sklearn.config_context(array_api_dispatch=True):
            pass
    except ImportError as error:
        pytest.skip(f"scikit-learn cannot dispatch here: {error}")
    with sklearn.config_context(array_api_dispatch=True):
        yield
