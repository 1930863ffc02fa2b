"""skmlp against scikit-learn side by side: same data, same settings, same numbers."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import neural_network as sk
from sklearn.datasets import load_digits, load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import PoissonRegressor
from sklearn.preprocessing import StandardScaler

from skmlp import MLPClassifier, MLPRegressor

X_digits, y_digits = load_digits(return_X_y=True)
X_digits = StandardScaler().fit_transform(X_digits)[:300]
y_digits = y_digits[:300]
X_iris, y_iris = load_iris(return_X_y=True)
X_reg, y_reg = make_regression(200, 6, n_targets=1, noise=1.0, random_state=0)
y_reg = y_reg / y_reg.std()


def _fit_both(ours, theirs, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ours(**kwargs).fit(X, y), theirs(**kwargs).fit(X, y)


def _assert_same_model(a, b, rtol=1e-9):
    assert a.n_iter_ == b.n_iter_
    for ours, theirs in zip(
        a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True
    ):
        assert_allclose(ours, theirs, rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize(
    "X, y", [(X_digits, y_digits), (X_iris, (y_iris == 1))], ids=["multi", "binary"]
)
def test_classifier_same_trajectory_as_sklearn(solver, X, y):
    params = dict(solver=solver, hidden_layer_sizes=(8, 5), random_state=0, max_iter=15)
    ours, theirs = _fit_both(MLPClassifier, sk.MLPClassifier, X, y, **params)
    _assert_same_model(ours, theirs, rtol=1e-7)
    assert_allclose(ours.loss_, theirs.loss_, rtol=1e-7)
    if solver != "lbfgs":
        assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-7)


@pytest.mark.parametrize("activation", ["relu", "logistic"])
def test_no_hidden_layer_same_as_sklearn(activation):
    # scikit-learn scales the initial weights by `activation` even without a
    # hidden layer; so do we.
    params = dict(hidden_layer_sizes=(), activation=activation, random_state=0)
    ours, theirs = _fit_both(
        MLPClassifier, sk.MLPClassifier, X_iris, y_iris, max_iter=5, **params
    )
    _assert_same_model(ours, theirs)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_same_trajectory_as_sklearn(solver, loss):
    y = np.exp(y_reg) if loss == "poisson" else y_reg
    params = dict(
        solver=solver, loss=loss, hidden_layer_sizes=(7,), random_state=1, max_iter=20
    )
    ours, theirs = _fit_both(MLPRegressor, sk.MLPRegressor, X_reg, y, **params)
    _assert_same_model(ours, theirs, rtol=1e-7)
    assert_allclose(ours.predict(X_reg), theirs.predict(X_reg), rtol=1e-7)


@pytest.mark.parametrize("Estimator", ["MLPClassifier", "MLPRegressor"])
def test_early_stopping_same_as_sklearn(Estimator):
    X, y = (X_digits, y_digits) if Estimator == "MLPClassifier" else (X_reg, y_reg)
    params = dict(
        early_stopping=True,
        random_state=0,
        n_iter_no_change=3,
        max_iter=60,
        hidden_layer_sizes=(10,),
        learning_rate_init=0.01,
    )
    ours, theirs = _fit_both(
        getattr(__import__("skmlp"), Estimator), getattr(sk, Estimator), X, y, **params
    )
    _assert_same_model(ours, theirs)
    assert_allclose(ours.validation_scores_, theirs.validation_scores_, rtol=1e-9)
    assert ours.best_validation_score_ == pytest.approx(theirs.best_validation_score_)
    assert ours.best_loss_ is None


def test_sgd_schedules_same_as_sklearn():
    for schedule in ("constant", "invscaling", "adaptive"):
        params = dict(
            solver="sgd",
            learning_rate=schedule,
            learning_rate_init=0.05,
            random_state=0,
            max_iter=40,
            tol=0.05,
            n_iter_no_change=2,
            hidden_layer_sizes=(6,),
            momentum=0.5,
        )
        ours, theirs = _fit_both(
            MLPClassifier, sk.MLPClassifier, X_iris, y_iris, **params
        )
        _assert_same_model(ours, theirs)
        assert ours.t_ == theirs.t_


def test_multioutput_loss_is_summed_over_outputs_but_training_identical():
    # scikit-learn reports the squared error averaged over outputs while its
    # gradient sums over them (#8349); we sum both, so the trajectory matches
    # and the reported loss is n_outputs times theirs (with alpha=0).
    X, Y = make_regression(150, 4, n_targets=3, random_state=0)
    Y = Y / Y.std(axis=0)
    params = dict(
        solver="adam", alpha=0.0, random_state=0, max_iter=10, hidden_layer_sizes=(5,)
    )
    ours, theirs = _fit_both(MLPRegressor, sk.MLPRegressor, X, Y, **params)
    _assert_same_model(ours, theirs)
    assert_allclose(ours.loss_curve_, 3 * np.asarray(theirs.loss_curve_), rtol=1e-9)


def test_poisson_without_hidden_nonlinearity_matches_glm():
    rng = np.random.default_rng(0)
    x = np.linspace(0, 1, 100)
    y = rng.poisson(np.exp(x + 1))
    X = x.reshape(-1, 1)
    glm = PoissonRegressor(alpha=0, tol=1e-7).fit(X, y)
    mlp = MLPRegressor(
        loss="poisson",
        hidden_layer_sizes=(1,),
        activation="identity",
        alpha=0,
        solver="lbfgs",
        tol=1e-7,
        random_state=1,
    ).fit(X, y)
    assert_allclose(mlp.predict(X), glm.predict(X), rtol=1e-4)


def test_quality_parity_on_digits_and_regression():
    # Same defaults, same seeds: the same quality (here even the same numbers).
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ours, theirs = _fit_both(
        MLPClassifier, sk.MLPClassifier, X[:1000], y[:1000], random_state=0, max_iter=30
    )
    assert ours.score(X[1000:], y[1000:]) == pytest.approx(
        theirs.score(X[1000:], y[1000:]), abs=0.01
    )
    assert_array_equal(ours.predict(X[1000:]), theirs.predict(X[1000:]))
