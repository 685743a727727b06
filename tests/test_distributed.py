"""Model selection on a Dask cluster through joblib's Dask backend."""

import numpy as np
import pytest
from joblib import parallel_backend
from sklearn.model_selection import GridSearchCV

from sklearn_shallow import ProjectedShallowRegressor, RVSMRegressor
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
