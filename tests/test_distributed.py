"""Scale-out: a grid search over a GLSM Pipeline on a local Dask cluster.

joblib's Dask backend ships each (parameters, fold) fit to a worker process;
the search must give the same ``cv_results_`` as the sequential run, which
holds when every worker computes with the same number of torch threads.
"""

import numpy as np
import pytest
import torch
from chemotools.scatter import StandardNormalVariate
from joblib import parallel_backend
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline

from sklearn_glsm import GLSMClassifier

from ._instances import fast

distributed = pytest.importorskip("distributed")


def _search():
    pipe = make_pipeline(
        StandardNormalVariate(),
        fast(GLSMClassifier, finetune_epochs=5),
    )
    return GridSearchCV(
        pipe,
        {"glsmclassifier__finetune": ["full", "head"], "glsmclassifier__lr": [1e-2, 3e-3]},
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
        n_jobs=2,
    )


def _comparable(cv_results):
    """``cv_results_`` without the timings, which differ from run to run."""
    return {k: v for k, v in cv_results.items() if "time" not in k}


def test_grid_search_on_local_dask_cluster_matches_sequential(data):
    X, y, _ = data
    sequential = _search().set_params(n_jobs=None).fit(X, y)

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:
        # The sequential run computed with the suite's torch thread count.
        client.run(torch.set_num_threads, torch.get_num_threads())
        with parallel_backend("dask"):
            on_dask = _search().fit(X, y)
        workers_used = len(client.run(lambda: None))

    assert workers_used == 2
    expected, got = _comparable(sequential.cv_results_), _comparable(on_dask.cv_results_)
    assert expected.keys() == got.keys()
    for key, value in expected.items():
        if isinstance(value, list) or value.dtype == object:
            assert list(value) == list(got[key]), key
        else:
            np.testing.assert_array_equal(value, got[key], err_msg=key)
    assert on_dask.best_params_ == sequential.best_params_
    np.testing.assert_array_equal(on_dask.predict(X), sequential.predict(X))
