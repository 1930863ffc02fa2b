"""Tuning activation, output activation, loss and alpha with GridSearchCV.

skmlp estimators are ordinary scikit-learn estimators, so they sit in a Pipeline
behind a StandardScaler and are searched in parallel processes like any other.
Components can be searched as names (``"squared_error"``) or as configured
instances (``Huber(delta=1.0)``): both are plain parameter values.

The targets (Friedman #1) are positive, which is what makes the softplus output
a legal candidate: a positive-only output refuses negative targets in ``fit``.

Run: ``python examples/grid_search.py``
"""

import time
import warnings

import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skmlp import MLPRegressor
from skmlp.losses import Huber

# scikit-learn hands these filters on to the worker processes.
warnings.simplefilter("ignore", ConvergenceWarning)

X, y = make_friedman1(n_samples=800, noise=1.0, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
print(f"targets in [{y.min():.2f}, {y.max():.2f}]")

pipe = Pipeline(
    [
        ("scale", StandardScaler()),
        (
            "mlp",
            MLPRegressor(
                hidden_layer_sizes=(16,), solver="lbfgs", max_iter=200, random_state=0
            ),
        ),
    ]
)
param_grid = {
    "mlp__activation": ["relu", "tanh"],
    "mlp__output_activation": ["identity", "softplus"],
    "mlp__loss": ["squared_error", Huber(delta=1.0)],
    "mlp__alpha": [1e-4, 1.0],
}
search = GridSearchCV(pipe, param_grid, cv=3, n_jobs=2)
started = time.perf_counter()
search.fit(X_train, y_train)
elapsed = time.perf_counter() - started
n_fits = len(search.cv_results_["params"]) * search.n_splits_
print(f"{n_fits} fits in {elapsed:.1f}s\n")

results = search.cv_results_
print(f"{'rank':>4} {'CV R^2':>7}  activation  output    loss                alpha")
for i in np.argsort(results["rank_test_score"])[:6]:
    p = results["params"][i]
    print(
        f"{results['rank_test_score'][i]:4d} {results['mean_test_score'][i]:7.3f}  "
        f"{p['mlp__activation']:<10}  {p['mlp__output_activation']:<8}  "
        f"{str(p['mlp__loss']):<18}  {p['mlp__alpha']:g}"
    )
print(f"\nbest: {search.best_params_}")
print(f"test R^2 of the refitted best pipeline: {search.score(X_test, y_test):.3f}")
