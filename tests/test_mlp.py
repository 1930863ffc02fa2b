"""Behaviour of MLPClassifier and MLPRegressor beyond scikit-learn's checks."""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_iris, make_multilabel_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.class_weight import compute_sample_weight

from skmlp import MLPClassifier, MLPRegressor
from skmlp.activations import (
    GELU,
    OUTPUT_ACTIVATIONS,
    Activation,
    LeakyReLU,
    Softmax,
)
from skmlp.callbacks import Callback
from skmlp.losses import REGRESSION_LOSSES, CategoricalCrossEntropy, Huber

X_iris, y_iris = load_iris(return_X_y=True)
X_iris = (X_iris - X_iris.mean(0)) / X_iris.std(0)
X_reg, y_reg = make_regression(120, 4, noise=0.5, random_state=0)
y_reg = y_reg / y_reg.std()
QUIET = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# ---- errors that say what to do -------------------------------------------------


@pytest.mark.parametrize(
    "output, y, match",
    [
        (
            "sigmoid",
            y_reg,
            r"output_activation='logistic' needs targets in \[0.0, 1.0\]",
        ),
        ("tanh", 3 * y_reg, r"output_activation='tanh' needs targets in \[-1.0, 1.0\]"),
        ("relu", y_reg, r"output_activation='relu' needs targets in \[0.0, inf\]"),
        ("softplus", y_reg, "output_activation='softplus' needs targets"),
        ("exp", y_reg, "output_activation='exp' needs targets"),
        ("softmax", y_reg, "'softmax' needs at least 2 outputs"),
    ],
)
def test_regressor_refuses_targets_outside_output_range(output, y, match):
    with pytest.raises(ValueError, match=match):
        MLPRegressor(output_activation=output).fit(X_reg, y)


def test_poisson_refuses_negative_targets_and_non_positive_outputs():
    with pytest.raises(
        ValueError, match=r"loss='poisson' needs targets in \[0.0, inf\]"
    ):
        MLPRegressor(loss="poisson").fit(X_reg, y_reg)
    with pytest.raises(ValueError, match="needs strictly positive predictions"):
        MLPRegressor(loss="poisson", output_activation="identity").fit(
            X_reg, np.abs(y_reg)
        )


def test_classifier_needs_probability_outputs():
    with pytest.raises(
        ValueError, match="use output_activation='sigmoid' or 'softmax'"
    ):
        MLPClassifier(output_activation="identity").fit(X_iris, y_iris)
    Y, _ = make_multilabel_classification(50, random_state=0)[::-1], None
    Y = make_multilabel_classification(50, random_state=0)
    with pytest.raises(ValueError, match="but y is multilabel"):
        MLPClassifier(output_activation="softmax").fit(*Y)


def test_unknown_names_list_the_options():
    with pytest.raises(ValueError, match="'activation' parameter .* must be"):
        MLPRegressor(activation="swishy").fit(X_reg, y_reg)
    with pytest.raises(ValueError, match="Unknown activation 'swishy'.*'relu'"):
        MLPRegressor(hidden_layer_sizes=(3, 3), activation=["relu", "swishy"]).fit(
            X_reg, y_reg
        )
    with pytest.raises(ValueError, match="activation has 1 entries but there are 2"):
        MLPRegressor(hidden_layer_sizes=(3, 3), activation=["relu"]).fit(X_reg, y_reg)


def test_instances_of_built_in_components_obey_the_same_sets_as_names():
    # Softmax() is no more a hidden activation than "softmax", GELU() no more
    # an output activation than "gelu".
    with pytest.raises(ValueError, match=r"Softmax\(\) cannot be used for activation"):
        MLPRegressor(activation=Softmax(), max_iter=2).fit(X_reg, y_reg)
    with pytest.raises(ValueError, match=r"GELU\(\) cannot be used for output_act"):
        MLPRegressor(output_activation=GELU(), max_iter=2).fit(X_reg, y_reg)
    with pytest.raises(ValueError, match="cannot be used for loss. Use one of"):
        MLPRegressor(loss=CategoricalCrossEntropy(), max_iter=2).fit(X_reg, y_reg)

    # A user's subclass is the user's decision, and either cross-entropy
    # instance is what the classifier's "log_loss" stands for.
    class RowSoftmax(Softmax):
        pass

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPRegressor(activation=RowSoftmax(), max_iter=2).fit(X_reg, y_reg)
        assert isinstance(model.activations_[0], RowSoftmax)
        model = MLPClassifier(loss=CategoricalCrossEntropy(), max_iter=2)
        assert model.fit(X_iris, y_iris).loss_function_ == CategoricalCrossEntropy()


def test_nan_and_shape_errors():
    X = X_reg.copy()
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        MLPRegressor().fit(X, y_reg)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        MLPRegressor().fit(X_reg, y_reg[:-1])
    model = MLPRegressor(max_iter=2).fit(X_reg, y_reg)
    with pytest.raises(ValueError, match="expecting 4 features"):
        model.predict(X_reg[:, :3])


def test_partial_fit_only_for_stochastic_solvers():
    for Estimator in (MLPClassifier, MLPRegressor):
        assert not hasattr(Estimator(solver="lbfgs"), "partial_fit")
        assert hasattr(Estimator(solver="sgd"), "partial_fit")
        with pytest.raises(AttributeError) as error:
            _ = Estimator(solver="lbfgs").partial_fit
        assert "lbfgs is not stochastic" in str(error.value.__cause__)
    with pytest.raises(ValueError, match="partial_fit does not support early_stop"):
        MLPRegressor(early_stopping=True).partial_fit(X_reg, y_reg)


def test_sklearn_error_messages():
    with pytest.raises(ValueError, match="The validation set is too small"):
        MLPRegressor(early_stopping=True).fit(X_reg[:2], y_reg[:2])
    clf = MLPClassifier(warm_start=True, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_iris, y_iris)
    with pytest.raises(ValueError, match=re.escape("warm_start can only be used")):
        clf.fit(X_iris[y_iris > 0], y_iris[y_iris > 0])
    clf = MLPClassifier(solver="sgd").partial_fit(X_iris, y_iris, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="`y` has classes not in `self.classes_`"):
        clf.partial_fit(X_iris, y_iris + 1)


# ---- divergence: stop, keep the last good weights -------------------------------


def test_divergence_keeps_last_finite_weights_and_warns():
    model = MLPRegressor(
        solver="sgd",
        learning_rate_init=2.0,
        momentum=0.99,
        hidden_layer_sizes=(20,),
        max_iter=50,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="loss became non-finite .* kept"):
        model.fit(X_reg, 50 * y_reg)
    assert all(np.isfinite(c).all() for c in model.coefs_ + model.intercepts_)
    assert np.isfinite(model.loss_)  # the loss of the weights that were kept
    assert not np.isfinite(model.loss_curve_[-1])
    assert np.isfinite(model.loss_curve_[:-1]).all()
    assert np.isfinite(model.predict(X_reg)).all()


def test_divergence_on_first_epoch_raises_sklearn_error():
    X = np.finfo(np.float64).max * np.random.RandomState(0).uniform(size=(10, 2))
    y = np.arange(10.0)
    model = MLPRegressor()
    with pytest.raises(
        ValueError, match="Solver produced non-finite parameter weights"
    ):
        model.fit(X, y)
    assert all(np.isfinite(c).all() for c in model.coefs_)


# ---- more than scikit-learn ------------------------------------------------------


@QUIET
@pytest.mark.parametrize("output", sorted(OUTPUT_ACTIVATIONS - {"softmax"}))
@pytest.mark.parametrize("loss", sorted(REGRESSION_LOSSES))
def test_every_regression_combination_trains(output, loss):
    y = np.abs(y_reg) / np.abs(y_reg).max() * 0.9 + 0.05  # valid for every output
    model = MLPRegressor(
        hidden_layer_sizes=(8,),
        output_activation=output,
        loss=loss,
        solver="lbfgs",
        max_iter=100,
        random_state=0,
    )
    try:
        model.fit(X_reg, y)
    except ValueError as exc:  # only the documented impossible combination
        assert loss == "poisson" and "strictly positive" in str(exc)
        return
    pred = model.predict(X_reg)
    assert np.isfinite(pred).all()
    low, high = model.output_activation_.output_range
    assert (low <= pred).all() and (pred <= high).all()
    if output != "relu":  # a relu output unit may die at init: no quality claim
        assert model.score(X_reg, y) > 0.5


@QUIET
def test_softmax_regression_over_proportions():
    rng = np.random.RandomState(0)
    Y = rng.dirichlet([1, 1, 1], size=len(X_reg))
    model = MLPRegressor(output_activation="softmax", max_iter=50).fit(X_reg, Y)
    assert_allclose(model.predict(X_reg).sum(axis=1), 1.0)


@QUIET
def test_softmax_binary_uses_two_units():
    y = y_iris == 2
    clf = MLPClassifier(output_activation="softmax", random_state=0).fit(X_iris, y)
    assert clf.n_outputs_ == 2 and clf.out_activation_ == "softmax"
    proba = clf.predict_proba(X_iris)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_array_equal(clf.predict(X_iris), clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X_iris, y) > 0.95


@QUIET
def test_multiclass_sigmoid_outputs_normalised_probabilities():
    clf = MLPClassifier(output_activation="sigmoid", random_state=0).fit(X_iris, y_iris)
    assert clf.out_activation_ == "logistic"
    assert_allclose(clf.predict_proba(X_iris).sum(axis=1), 1.0)
    assert clf.score(X_iris, y_iris) > 0.9


@QUIET
def test_multilabel_and_squared_error_classifier():
    X, Y = make_multilabel_classification(100, n_classes=4, random_state=0)
    clf = MLPClassifier(random_state=0, max_iter=300).fit(X, Y)
    assert clf.predict(X).shape == Y.shape and clf.out_activation_ == "logistic"
    assert clf.score(X, Y) > 0.5
    clf = MLPClassifier(loss="squared_error", random_state=0).fit(X_iris, y_iris)
    assert type(clf.loss_function_).__name__ == "SquaredError"
    assert clf.score(X_iris, y_iris) > 0.9


@QUIET
def test_per_layer_activations_and_instances():
    model = MLPRegressor(
        hidden_layer_sizes=(6, 5),
        activation=["tanh", "gelu"],
        random_state=0,
        max_iter=20,
    ).fit(X_reg, y_reg)
    assert [a.name for a in model.activations_] == ["tanh", "gelu"]
    slope = LeakyReLU(negative_slope=0.1)
    model = MLPRegressor(activation=slope, max_iter=5, random_state=0).fit(X_reg, y_reg)
    assert model.activations_[0] == slope and model.activations_[0] is not slope
    huber = Huber(delta=0.5)
    model = MLPRegressor(loss=huber, max_iter=5).fit(X_reg, y_reg)
    assert model.loss_function_.delta == 0.5
    model = MLPRegressor(loss="huber", huber_delta=0.25, max_iter=5).fit(X_reg, y_reg)
    assert model.loss_function_.delta == 0.25


@QUIET
def test_predictions_read_fitted_attributes_only():
    model = MLPRegressor(activation="tanh", max_iter=20, random_state=0)
    before = model.fit(X_reg, y_reg).predict(X_reg)
    model.set_params(activation="relu", output_activation="softplus", loss="poisson")
    assert_array_equal(model.predict(X_reg), before)


@QUIET
def test_warm_start_keeps_adam_state():
    params = dict(shuffle=False, tol=0, n_iter_no_change=np.inf, random_state=0)
    once = MLPRegressor(max_iter=20, **params).fit(X_reg, y_reg)
    twice = MLPRegressor(max_iter=10, warm_start=True, **params).fit(X_reg, y_reg)
    twice.fit(X_reg, y_reg)
    assert twice.n_iter_ == 10 and twice.t_ == once.t_
    assert_allclose(twice.predict(X_reg), once.predict(X_reg), rtol=1e-12)
    assert_allclose(twice.loss_curve_, once.loss_curve_, rtol=1e-12)


@QUIET
def test_partial_fit_equals_fit_epochs():
    params = dict(solver="sgd", shuffle=False, random_state=0, tol=0)
    fitted = MLPRegressor(max_iter=3, **params).fit(X_reg, y_reg)
    partial = MLPRegressor(**params)
    for _ in range(3):
        partial.partial_fit(X_reg, y_reg)
    assert_allclose(partial.predict(X_reg), fitted.predict(X_reg), rtol=1e-12)
    assert partial.t_ == 3 * len(X_reg)


@QUIET
def test_early_stopping_with_lbfgs_restores_best_weights():
    model = MLPRegressor(
        solver="lbfgs",
        early_stopping=True,
        n_iter_no_change=3,
        hidden_layer_sizes=(50,),
        max_iter=500,
        random_state=0,
    )
    model.fit(X_reg, y_reg + np.random.RandomState(0).normal(0, 1, len(y_reg)))
    scores = model.validation_scores_
    assert len(scores) == model.n_iter_ < 500
    assert model.best_validation_score_ == max(scores)
    # scikit-learn's rule: stop after n_iter_no_change + 1 epochs without gain
    assert scores.index(max(scores)) == len(scores) - 5
    assert model.history_["val_score"] == scores


@QUIET
def test_class_weight_equals_sample_weight():
    y = (y_iris == 2).astype(int)
    balanced = MLPClassifier(class_weight="balanced", random_state=0, max_iter=20)
    weighted = MLPClassifier(random_state=0, max_iter=20)
    balanced.fit(X_iris, y)
    weighted.fit(X_iris, y, sample_weight=compute_sample_weight("balanced", y))
    assert_allclose(balanced.predict_proba(X_iris), weighted.predict_proba(X_iris))
    with pytest.raises(ValueError, match="cannot be used with partial_fit"):
        MLPClassifier(class_weight="balanced").partial_fit(X_iris, y, classes=[0, 1])


@QUIET
def test_integer_sample_weight_equals_repetition():
    sw = np.random.RandomState(0).randint(0, 3, len(y_reg))
    params = dict(random_state=0, max_iter=30, batch_size=len(y_reg) * 3)
    weighted = MLPRegressor(**params).fit(X_reg, y_reg, sample_weight=sw)
    repeated = MLPRegressor(**params).fit(X_reg.repeat(sw, 0), y_reg.repeat(sw))
    assert_allclose(weighted.predict(X_reg), repeated.predict(X_reg), rtol=1e-9)


@QUIET
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_float32_stays_float32(solver):
    X = X_reg.astype(np.float32)
    model = MLPRegressor(solver=solver, max_iter=20, random_state=0).fit(X, y_reg)
    assert all(c.dtype == np.float32 for c in model.coefs_ + model.intercepts_)
    assert model.predict(X).dtype == np.float32
    reference = MLPRegressor(solver=solver, max_iter=20, random_state=0)
    assert_allclose(
        model.predict(X),
        reference.fit(X_reg, y_reg).predict(X_reg),
        rtol=1e-2,
        atol=1e-2,
    )


@QUIET
@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_sparse_input_matches_dense(solver):
    X = np.where(np.abs(X_reg) > 0.7, X_reg, 0.0)
    dense = MLPRegressor(solver=solver, random_state=0, max_iter=10).fit(X, y_reg)
    for container in (sp.csr_matrix, sp.csr_array, sp.csc_matrix):
        sparse = MLPRegressor(solver=solver, random_state=0, max_iter=10)
        sparse.fit(container(X), y_reg)
        assert_allclose(sparse.predict(container(X)), dense.predict(X), rtol=1e-9)


def test_hidden_layer_sizes_forms_and_no_hidden_layer():
    model = MLPRegressor(hidden_layer_sizes=(), solver="lbfgs").fit(X_reg, y_reg)
    assert model.n_layers_ == 2 and model.coefs_[0].shape == (4, 1)
    assert model.score(X_reg, y_reg) > 0.95
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPRegressor(hidden_layer_sizes=7, max_iter=2).fit(X_reg, y_reg)
    assert model.coefs_[0].shape == (4, 7)


# ---- callbacks, history, verbose -------------------------------------------------


class StopBelow(Callback):
    """Stops once the training loss is below ``threshold``."""

    def __init__(self, threshold):
        self.threshold = threshold
        self.seen = []

    def on_epoch_end(self, trainer, logs):
        self.seen.append(logs["epoch"])
        if logs["loss"] < self.threshold:
            trainer.stop_training = True


def test_callback_can_stop_training_and_is_copied():
    stopper = StopBelow(0.2)
    model = MLPRegressor(callbacks=[stopper], learning_rate_init=0.01, random_state=0)
    model.fit(X_reg, y_reg)
    assert model.loss_curve_[-1] < 0.2 <= model.loss_curve_[-2]
    assert model.n_iter_ == len(model.loss_curve_) < 200
    assert stopper.seen == []  # the estimator trained with a copy ...
    assert model.callbacks_[0].seen == list(range(1, model.n_iter_ + 1))  # kept
    assert set(model.history_) == {"epoch", "loss", "learning_rate", "time"}
    assert model.history_["loss"] == model.loss_curve_


class LogsGradientFree(Callback):
    """Adds a key to the logs, which History records."""

    def on_epoch_end(self, trainer, logs):
        logs["twice_loss"] = 2 * logs["loss"]


def test_history_records_callback_keys_and_counts_epochs_on():
    model = MLPRegressor(solver="sgd", callbacks=[LogsGradientFree()])
    for _ in range(3):
        model.partial_fit(X_reg, y_reg)
    assert model.history_["epoch"] == [1, 2, 3]
    assert model.n_iter_ == 1
    assert_allclose(model.history_["twice_loss"], 2 * np.array(model.loss_curve_))


def test_unregistered_component_subclass_gets_a_name():

    class Cube(Activation):
        def forward(self, z):
            return z**3

        def backward(self, z, a, grad_a):
            return grad_a * 3 * z**2

    model = MLPRegressor(output_activation=Cube(), max_iter=3).fit(X_reg, y_reg)
    assert model.out_activation_ == "Cube"


def test_user_activations_with_and_without_in_place_forward():
    # A plain forward(z) works in hidden layers; one that declares
    # backward_uses_z = False is computed in place, forward(z, out=z), and
    # backward gets z=None. Both train to the same weights as the built-in.
    class PlainReLU(Activation):
        def forward(self, z):
            return np.maximum(z, 0)

        def backward(self, z, a, grad_a):
            return grad_a * (z > 0)

    class InPlaceReLU(Activation):
        backward_uses_z = False

        def forward(self, z, out=None):
            return np.maximum(z, 0, out=out)

        def backward(self, z, a, grad_a):
            assert z is None
            return grad_a * (a > 0)

    fits = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, activation in [
            ("builtin", "relu"),
            ("plain", PlainReLU()),
            ("in_place", InPlaceReLU()),
        ]:
            for solver in ("adam", "lbfgs"):
                model = MLPRegressor(
                    (5, 4), activation=activation, solver=solver, max_iter=5
                )
                fits[name, solver] = model.set_params(random_state=0).fit(X_reg, y_reg)
    for solver in ("adam", "lbfgs"):
        for name in ("plain", "in_place"):
            for got, expected in zip(
                fits[name, solver].coefs_, fits["builtin", solver].coefs_, strict=True
            ):
                assert_allclose(got, expected, rtol=1e-12)


def test_verbose_prints_sklearn_lines(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPRegressor(verbose=True, max_iter=2, early_stopping=True).fit(X_reg, y_reg)
    out = capsys.readouterr().out
    assert re.search(r"Iteration 1, loss = \d+\.\d{8}\nValidation score: ", out)
    assert "Iteration 2, loss" in out


def test_positive_only_tag_follows_the_poisson_loss():
    from skmlp.losses import Poisson

    for loss in ("poisson", Poisson()):
        assert MLPRegressor(loss=loss).__sklearn_tags__().target_tags.positive_only
    assert not MLPRegressor().__sklearn_tags__().target_tags.positive_only


def test_custom_activation_returning_float64_trains_in_float32():

    class Float64Tanh(Activation):
        def forward(self, z):
            return np.tanh(z).astype(np.float64)

        def backward(self, z, a, grad_a):
            return (grad_a * (1 - a * a)).astype(np.float64)

    X = X_reg.astype(np.float32)
    model = MLPRegressor(activation=Float64Tanh(), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y_reg)
    assert all(c.dtype == np.float32 for c in model.coefs_)
    assert np.isfinite(model.predict(X)).all()
