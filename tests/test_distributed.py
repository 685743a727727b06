"""Model selection on a Dask cluster through joblib's Dask backend."""

import numpy as np
import pytest
from joblib import parallel_backend
from sklearn.model_selection import GridSearchCV

from sklearn_shallow import (
    ProjectedShallowRegressor,
    ProjectedShallowRegressorCV,
    RVSMRegressor,
    RVSMRegressorCV,
)
from sklearn_shallow.datasets import make_sparse_network

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning",
    # Cluster start-up and shutdown chatter is not ours to fix.
    "ignore::DeprecationWarning",
    "ignore::ResourceWarning",
)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.mark.parametrize(
    "estimator, grid",
    [
        (
            ProjectedShallowRegressor(
                n_hidden=5, constraint="l1", max_iter=100, random_state=0
            ),
            {"tau": [2.0, 5.0, 10.0]},
        ),
        (
            RVSMRegressor(n_hidden=5, penalty="l0", max_iter=100, random_state=0),
            {"lam": [1e-4, 1e-2], "beta": [0.05, 0.2]},
        ),
    ],
)
def test_grid_search_on_dask_matches_local(client, estimator, grid):
    X, y, _ = make_sparse_network(
        300, n_features=20, n_hidden=5, n_nonzero=4, random_state=0
    )
    local = GridSearchCV(estimator, grid, cv=3, n_jobs=1).fit(X, y)
    with distributed.get_task_stream(client) as stream, parallel_backend("dask"):
        remote = GridSearchCV(estimator, grid, cv=3, n_jobs=-1).fit(X, y)
    np.testing.assert_allclose(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    assert remote.best_params_ == local.best_params_
    # The fits really ran as tasks on the cluster's workers.
    workers = {task["worker"] for task in stream.data}
    assert len(stream.data) > 0
    assert workers <= set(client.scheduler_info()["workers"])


@pytest.mark.parametrize(
    "make",
    [
        lambda: ProjectedShallowRegressorCV(
            n_hidden=5, n_taus=3, cv=3, max_iter=100, random_state=0
        ),
        lambda: RVSMRegressorCV(
            n_hidden=5, penalty="l0", n_lams=3, cv=3, max_iter=100, random_state=0
        ),
    ],
)
def test_cv_estimator_folds_run_on_dask_and_match_local(client, make):
    X, y, _ = make_sparse_network(
        300, n_features=20, n_hidden=5, n_nonzero=4, random_state=0
    )
    local = make().set_params(n_jobs=1).fit(X, y)
    with distributed.get_task_stream(client) as stream, parallel_backend("dask"):
        remote = make().set_params(n_jobs=-1).fit(X, y)
    # The same folds, the same paths: the same scores and choice.
    np.testing.assert_allclose(remote.score_path_, local.score_path_, rtol=1e-7)
    np.testing.assert_array_equal(remote.path_n_iter_, local.path_n_iter_)
    np.testing.assert_allclose(remote.predict(X), local.predict(X), rtol=1e-7)
    # One task per fold ran on the cluster's workers.
    assert len(stream.data) >= 3
    assert {t["worker"] for t in stream.data} <= set(client.scheduler_info()["workers"])
