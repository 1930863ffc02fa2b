"""skmlp inside scikit-learn's machinery: pipelines, searches, cloning, pickling."""

import pickle
import subprocess
import sys

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.datasets import load_iris, make_regression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier, MLPRegressor
from skmlp.losses import Huber

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
X_iris, y_iris = load_iris(return_X_y=True)
X_reg, y_reg = make_regression(150, 5, noise=1.0, random_state=0)
y_reg = np.abs(y_reg) / np.abs(y_reg).max()


def test_pipeline_with_scaler():
    model = make_pipeline(StandardScaler(), MLPClassifier(random_state=0))
    assert model.fit(X_iris, y_iris).score(X_iris, y_iris) > 0.95


def test_grid_search_over_skmlp_parameters():
    pipe = make_pipeline(
        StandardScaler(), MLPRegressor(max_iter=50, solver="lbfgs", random_state=0)
    )
    grid = {
        "mlpregressor__activation": ["relu", "tanh"],
        "mlpregressor__output_activation": ["identity", "sigmoid", "softplus"],
        "mlpregressor__loss": ["squared_error", "huber", Huber(delta=0.1)],
        "mlpregressor__alpha": [1e-4, 1e-1],
        "mlpregressor__hidden_layer_sizes": [(8,), (8, 4)],
    }
    search = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X_reg, y_reg)
    assert len(search.cv_results_["params"]) == 72
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_score_ > 0.8


def test_randomized_search_and_cross_val_score():
    search = RandomizedSearchCV(
        MLPClassifier(max_iter=100, random_state=0),
        {
            "learning_rate_init": loguniform(1e-3, 1e-1),
            "activation": ["relu", "gelu", "elu"],
            "output_activation": ["auto", "softmax", "sigmoid"],
        },
        n_iter=6,
        cv=3,
        n_jobs=2,
        random_state=0,
    ).fit(StandardScaler().fit_transform(X_iris), y_iris)
    assert search.best_score_ > 0.9
    scores = cross_val_score(MLPClassifier(random_state=0), X_iris, y_iris, cv=3)
    assert scores.min() > 0.8


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_clone_and_pickle_round_trips(Estimator, tmp_path):
    X, y = (X_iris, y_iris) if Estimator is MLPClassifier else (X_reg, y_reg)
    model = Estimator(activation=["tanh"], random_state=0, max_iter=30).fit(X, y)
    fresh = clone(model)
    assert fresh.get_params() == model.get_params()
    assert not hasattr(fresh, "coefs_")
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict(X), model.predict(X))
    joblib.dump(model, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    assert_array_equal(loaded.predict(X), model.predict(X))
    # a restored model keeps training where it stopped
    loaded.set_params(warm_start=True, max_iter=5).fit(X, y)
    assert loaded.t_ == model.t_ + 5 * len(X)


_NO_SCIPY_BLAS = """
import scipy.linalg.blas as blas

def forbidden(*args, **kwargs):
    raise AssertionError("skmlp called SciPy's BLAS")

routines = {"axpy", "scal", "copy", "dot", "nrm2", "gemv", "gemm", "ger", "swap"}
for name in dir(blas):
    if name == "get_blas_funcs" or (name[:1] in "sd" and name[1:] in routines):
        setattr(blas, name, forbidden)

import numpy as np
from skmlp import MLPClassifier, MLPRegressor, Perceptron

rng = np.random.RandomState(0)
X = rng.normal(size=(300, 5))
y = (X[:, 0] > 0).astype(int)
for solver in ("adam", "sgd", "lbfgs"):
    MLPClassifier((20000,), solver=solver, alpha=1e-3, max_iter=2).fit(X, y)
    MLPRegressor((20000,), solver=solver, alpha=1e-3, max_iter=2).fit(X, X[:, 1])
Perceptron(penalty="l2").fit(X, y)
print("ok")
"""


def test_training_calls_no_scipy_blas():
    # SciPy's wheels carry their own OpenBLAS beside NumPy's. One SciPy axpy
    # over more than 10,000 values between two of NumPy's threaded GEMMs makes
    # the two thread pools fight over the cores: a W1 epoch ran 3.5x slower on
    # 2 cores. Training must stay on NumPy's BLAS; a hidden layer of 20,000
    # units makes every parameter vector long enough to wake SciPy's pool.
    result = subprocess.run(
        [sys.executable, "-c", _NO_SCIPY_BLAS],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")
