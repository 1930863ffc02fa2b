"""Tests for skmlp.Perceptron and its vectorised kernel."""

import re
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import linear_model
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmlp import Perceptron
from skmlp.__main__ import logic_gates_demo

# The two hand-worked examples: AND-like data, two epochs, eta0 = 1.
X_HAND = np.array([[2.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-2.0, -1.0]])
Y_HAND = np.array([1, 1, 0, 0])


def reference_perceptron(
    X, targets, weights, orders, *, eta0=1.0, step="sign", decay=1.0,
    shrink=0.0, intercept_step=1.0, coef=None, intercept=None,
):  # fmt: skip
    """The textbook online perceptron, one sample at a time, per unit.

    targets (n, n_units) in {0, 1}; weights (n, n_units) multiply the updates.
    Order of operations as in scikit-learn: score, rescale (L2), add the
    update, then truncated-gradient L1 on the sample's stored features.
    """
    dense = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
    n_units = targets.shape[1]
    coef = np.zeros((n_units, dense.shape[1])) if coef is None else coef.copy()
    intercept = np.zeros(n_units) if intercept is None else intercept.copy()
    losses = np.zeros((len(orders), n_units))
    for u in range(n_units):
        w, b = coef[u], intercept[u]
        applied, budget = np.zeros(dense.shape[1]), 0.0
        for epoch, order in enumerate(orders):
            for i in order:
                x, t = dense[i], targets[i, u]
                present = X[[i]].indices if sp.issparse(X) else range(x.size)
                z = w @ x + b
                y = 2.0 * t - 1.0
                losses[epoch, u] += max(0.0, -y * z)
                if step == "sign":
                    update = eta0 * weights[i, u] * y if y * z <= 0 else 0.0
                else:  # Rosenblatt: w += eta0 * (t - h) * x with h = [z >= 0]
                    update = eta0 * weights[i, u] * (t - float(z >= 0))
                w *= decay
                w += update * x
                b += update * intercept_step
                if shrink:
                    budget += shrink
                    for j in present:
                        if w[j] > 0:
                            new = max(0.0, w[j] - (budget + applied[j]))
                        elif w[j] < 0:
                            new = min(0.0, w[j] + (budget - applied[j]))
                        else:
                            continue
                        applied[j] += new - w[j]
                        w[j] = new
        intercept[u] = b
    return coef, intercept, losses / dense.shape[0]


def one_vs_rest(y, classes, sample_weight, class_weight=None):
    """Unit targets and update weights as scikit-learn's one-vs-rest builds them."""
    cw = np.array([(class_weight or {}).get(c, 1.0) for c in classes])
    if len(classes) == 2:
        t = (y == classes[1]).astype(float)[:, None]
        return t, (sample_weight * np.where(t[:, 0] > 0, cw[1], cw[0]))[:, None]
    t = (y[:, None] == classes).astype(float)
    return t, sample_weight[:, None] * np.where(t > 0, cw, 1.0)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=120, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    # Zeros exercise the sparse paths; no row is all zeros, as its margin would
    # be the intercept alone, where an exact tie at 0 is decided by rounding.
    zeros = np.random.RandomState(0).rand(*X.shape) < 0.3
    zeros[:, 0] = False
    X[zeros] = 0.0
    return X, y


def test_perceptron_two_epochs_match_hand_computed_sign_rule():
    # Epoch 1: x1 has z=0 -> update w=(2,1), b=1; x2 z=2 ok; x3 z=0 -> update
    # w=(3,0), b=0; x4 z=-6 ok. Epoch 2: every margin is right, no update.
    clf = Perceptron(shuffle=False, tol=None, max_iter=2).fit(X_HAND, Y_HAND)
    assert_array_equal(clf.coef_, [[3.0, 0.0]])
    assert_array_equal(clf.intercept_, [0.0])
    assert clf.history_["n_mistakes"] == [2, 0]


def test_perceptron_two_epochs_match_hand_computed_heaviside_rule():
    # Epoch 1: x1, x2 have z=0 -> h=1=t, no update; x3 z=0 -> h=1, t=0:
    # w=(1,-1), b=-1; x4 z=-2 ok. Epoch 2: x1 z=0 (h=1 right), no update.
    clf = Perceptron(step="heaviside", shuffle=False, tol=None, max_iter=2)
    clf.fit(X_HAND, Y_HAND)
    assert_array_equal(clf.coef_, [[1.0, -1.0]])
    assert_array_equal(clf.intercept_, [-1.0])
    # z = 0 on x1 is positive under the heaviside step, negative under sign.
    assert_array_equal(clf.predict(X_HAND), Y_HAND)
    assert clf.decision_function(X_HAND)[0] == 0.0
    # Predictions follow the fitted rule, not a parameter changed afterwards.
    assert_array_equal(clf.set_params(step="sign").predict(X_HAND), Y_HAND)


@pytest.mark.parametrize("step", ["sign", "heaviside"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_perceptron_matches_reference_loop_without_shuffle(data, step, n_classes):
    X, y = data
    y = y % n_classes
    sw = np.random.RandomState(1).uniform(0.0, 2.0, size=y.size)
    clf = Perceptron(step=step, eta0=0.5, shuffle=False, tol=None, max_iter=3)
    clf.fit(X, y, sample_weight=sw)
    t, weights = one_vs_rest(y, clf.classes_, sw)
    orders = [np.arange(y.size)] * 3
    coef, intercept, losses = reference_perceptron(
        X, t, weights, orders, eta0=0.5, step=step
    )
    assert_allclose(clf.coef_, coef, rtol=1e-10, atol=1e-10)
    assert_allclose(clf.intercept_, intercept, rtol=1e-10, atol=1e-10)
    assert_allclose(clf.history_["loss"], losses.mean(axis=1), rtol=1e-10)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize(
    "penalty, l1_ratio", [("l2", 0.0), ("l1", 1.0), ("elasticnet", 0.4)]
)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_perceptron_penalties_match_reference_loop(
    data, penalty, l1_ratio, sparse, n_classes
):
    X, y = data
    y = y % n_classes
    X_in = sp.csr_matrix(X) if sparse else X
    alpha, eta0 = 0.05, 0.5
    clf = Perceptron(penalty=penalty, alpha=alpha, l1_ratio=l1_ratio, eta0=eta0)
    clf.set_params(shuffle=False, tol=None, max_iter=3, class_weight={0: 2.0})
    clf.fit(X_in, y)
    t, weights = one_vs_rest(y, clf.classes_, np.ones(y.size), {0: 2.0})
    coef, intercept, _ = reference_perceptron(
        X_in, t, weights, [np.arange(y.size)] * 3, eta0=eta0,
        decay=1 - (1 - l1_ratio) * eta0 * alpha, shrink=l1_ratio * eta0 * alpha,
        intercept_step=0.01 if sparse else 1.0,
    )  # fmt: skip
    assert_allclose(clf.coef_, coef, rtol=1e-9, atol=1e-10)
    assert_allclose(clf.intercept_, intercept, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("penalty", ["l2", "elasticnet"])
def test_perceptron_weights_erased_at_every_visit_match_reference(data, penalty):
    # eta0 * alpha >= 1: the L2 part zeroes the weights at every visit.
    X, y = data
    clf = Perceptron(penalty=penalty, alpha=2.0, l1_ratio=0.3, shuffle=False)
    clf.set_params(tol=None, max_iter=2).fit(X, y % 2)
    t, weights = one_vs_rest(y % 2, clf.classes_, np.ones(y.size))
    l1_ratio = 0.3 if penalty == "elasticnet" else 0.0
    coef, intercept, _ = reference_perceptron(
        X, t, weights, [np.arange(y.size)] * 2, decay=0.0, shrink=2.0 * l1_ratio
    )
    assert_allclose(clf.coef_, coef, atol=1e-12)
    assert_allclose(clf.intercept_, intercept, atol=1e-12)


def test_perceptron_long_runs_match_reference_with_shuffled_order():
    # Enough samples and epochs for big blocks, cut blocks and slack changes.
    X, y = make_classification(
        n_samples=1500, n_features=8, n_classes=4, n_informative=5,
        flip_y=0.1, random_state=3,
    )  # fmt: skip
    clf = Perceptron(tol=None, max_iter=4, random_state=5).fit(X, y)
    rng = np.random.RandomState(
        np.random.RandomState(5).randint(np.iinfo(np.int32).max)
    )
    order, orders = np.arange(y.size), []
    for _ in range(4):
        rng.shuffle(order)
        orders.append(order.copy())
    t, weights = one_vs_rest(y, clf.classes_, np.ones(y.size))
    coef, intercept, _ = reference_perceptron(X, t, weights, orders)
    assert_allclose(clf.coef_, coef, rtol=1e-9, atol=1e-9)
    assert_allclose(clf.intercept_, intercept, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"penalty": "l2", "alpha": 0.01},
        {"penalty": "l1", "alpha": 0.01},
        {"penalty": "elasticnet", "alpha": 0.01, "l1_ratio": 0.5},
        {"class_weight": "balanced", "fit_intercept": False},
        {"early_stopping": True, "validation_fraction": 0.2},
    ],
)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_perceptron_matches_sklearn_without_shuffle(params, n_classes):
    # Same visiting order as scikit-learn, so same model and same n_iter_
    # (the stopping rule sees the same objective or validation score).
    X, y = make_classification(
        n_samples=300, n_features=8, n_informative=5, n_classes=n_classes,
        random_state=0,
    )  # fmt: skip
    sw = np.random.RandomState(0).uniform(0.5, 1.5, size=y.size)
    ours = Perceptron(shuffle=False, **params).fit(X, y, sample_weight=sw)
    theirs = linear_model.Perceptron(shuffle=False, **params)
    theirs.fit(X, y, sample_weight=sw)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-9, atol=1e-9)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "penalty, sparse",
    [("l2", False), ("l1", False), ("elasticnet", False), ("l1", True),
     ("elasticnet", True)],
)  # fmt: skip
@pytest.mark.parametrize("n_classes", [2, 3])
def test_perceptron_history_loss_is_sklearn_objective(
    data, penalty, sparse, n_classes, capsys
):
    # scikit-learn prints its stopping objective per unit and epoch; ours is
    # the mean over units. (Sparse L2 is the documented exception.)
    X, y = data
    X = sp.csr_matrix(X) if sparse else X
    params = {"penalty": penalty, "alpha": 0.01, "l1_ratio": 0.5, "shuffle": False}
    params.update(tol=None, max_iter=3)
    sw = np.random.RandomState(2).uniform(0.5, 1.5, size=y.size)
    sw[::7] = 0.0  # mistakes that update nothing (nor scikit-learn's norm cache)
    ours = Perceptron(**params).fit(X, y % n_classes, sample_weight=sw)
    capsys.readouterr()
    linear_model.Perceptron(verbose=1, **params).fit(X, y % n_classes, sample_weight=sw)
    printed = re.findall(r"Objective: ([0-9.]+)", capsys.readouterr().out)
    objective = np.array(printed, dtype=float).reshape(-1, 3)  # (unit, epoch)
    assert_allclose(ours.history_["loss"], objective.mean(axis=0), rtol=1e-5)


@pytest.mark.parametrize("penalty", [None, "l1"])
def test_perceptron_matches_sklearn_on_csr_input(data, penalty):
    X, y = data
    X = sp.csr_matrix(X)
    ours = Perceptron(shuffle=False, penalty=penalty, alpha=0.01).fit(X, y)
    theirs = linear_model.Perceptron(shuffle=False, penalty=penalty, alpha=0.01)
    theirs.fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-9, atol=1e-9)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-9, atol=1e-9)


def test_perceptron_accuracy_close_to_sklearn_with_shuffle():
    X, y = load_digits(return_X_y=True)
    ours = np.mean([Perceptron(random_state=s).fit(X, y).score(X, y) for s in range(3)])
    theirs = np.mean(
        [
            linear_model.Perceptron(random_state=s).fit(X, y).score(X, y)
            for s in range(3)
        ]
    )
    assert ours > 0.9
    assert abs(ours - theirs) < 0.03


def test_perceptron_random_state_fixes_the_model(data):
    X, y = data
    first = Perceptron(random_state=7).fit(X, y)
    again = Perceptron(random_state=7).fit(X, y)
    other = Perceptron(random_state=8).fit(X, y)
    assert_array_equal(first.coef_, again.coef_)
    assert not np.array_equal(first.coef_, other.coef_)


@pytest.mark.parametrize("kind", ["multiclass", "multilabel"])
def test_perceptron_units_equal_separate_binary_fits(kind):
    # One unit per class (or label) side by side, each visiting the samples in
    # the same order and stopping on its own, as a binary fit would.
    X, y = make_classification(
        n_samples=400, n_features=8, n_informative=5, n_classes=3, random_state=1
    )
    targets = np.eye(3, dtype=int)[y]
    if kind == "multilabel":
        targets[::3, 0] = 1  # labels overlap
    clf = Perceptron(random_state=2).fit(X, y if kind == "multiclass" else targets)
    for u in range(3):
        unit = Perceptron(random_state=2).fit(X, targets[:, u])
        assert_allclose(clf.coef_[u], unit.coef_[0], rtol=1e-10, atol=1e-10)
        assert_allclose(clf.intercept_[u], unit.intercept_[0], rtol=1e-10, atol=1e-10)
    assert clf.n_iter_ == max(
        Perceptron(random_state=2).fit(X, targets[:, u]).n_iter_ for u in range(3)
    )


def test_perceptron_multilabel_outputs_indicator_matrix():
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    Y = np.column_stack([y, 1 - y, (X[:, 0] > 0).astype(int)])
    clf = Perceptron(random_state=0).fit(X, Y)
    assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.coef_.shape == (3, 5)
    assert clf.decision_function(X).shape == (200, 3)
    assert clf.predict(X).shape == (200, 3)
    assert clf.predict(X).dtype == Y.dtype
    assert clf.score(X, Y) > 0.5


def test_perceptron_refuses_multiclass_multioutput_targets(data):
    X, y = data
    with pytest.raises(ValueError, match="MultiOutputClassifier"):
        Perceptron().fit(X, np.column_stack([y, y]))


def test_perceptron_has_no_predict_proba(data):
    clf = Perceptron().fit(*data)
    assert not hasattr(clf, "predict_proba")
    with pytest.raises(AttributeError):
        clf.predict_proba(data[0])


def test_perceptron_binary_shapes_and_float32(data):
    X, y = data
    clf = Perceptron(random_state=0).fit(X.astype(np.float32), y % 2)
    assert clf.coef_.shape == (1, X.shape[1])
    assert clf.coef_.dtype == np.float32
    assert clf.intercept_.shape == (1,)
    assert clf.decision_function(X).shape == (X.shape[0],)
    # Training runs in float64: the model equals the float64 fit, rounded.
    ref = Perceptron(random_state=0).fit(X.astype(np.float32).astype(np.float64), y % 2)
    assert_allclose(clf.coef_, ref.coef_.astype(np.float32))


def test_perceptron_sparsify_densify_keep_predictions(data):
    X, y = data
    clf = Perceptron(penalty="l1", alpha=0.05, random_state=0).fit(X, y)
    before = clf.decision_function(X)
    assert sp.issparse(clf.sparsify().coef_)
    assert_allclose(clf.decision_function(X), before)
    assert isinstance(clf.densify().coef_, np.ndarray)
    assert_allclose(clf.decision_function(X), before)


def test_perceptron_convergence_warning_only_with_tol(data):
    X, y = data
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        Perceptron(max_iter=1).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        Perceptron(max_iter=1, tol=None).fit(X, y)


def test_perceptron_history_records_every_epoch(data):
    X, y = data
    clf = Perceptron(early_stopping=True, random_state=0).fit(X, y)
    for key in ("loss", "n_mistakes", "val_score"):
        assert len(clf.history_[key]) == clf.n_iter_
    assert all(0.0 <= s <= 1.0 for s in clf.history_["val_score"])
    clf.partial_fit(X, y)  # appends one epoch, without validation
    assert len(clf.history_["loss"]) == clf.n_iter_ + len(clf.history_["val_score"])


def test_perceptron_warm_start_continues_from_previous_weights(data):
    X, y = data
    warm = Perceptron(warm_start=True, max_iter=2, tol=None, shuffle=False)
    warm.fit(X, y)
    coef, intercept = warm.coef_.copy(), warm.intercept_.copy()
    warm.fit(X, y)
    cold = Perceptron(max_iter=2, tol=None, shuffle=False)
    cold.fit(X, y, coef_init=coef, intercept_init=intercept)
    assert_allclose(warm.coef_, cold.coef_)
    assert_allclose(warm.intercept_, cold.intercept_)


def test_perceptron_partial_fit_is_one_epoch_of_fit(data):
    X, y = data
    online = Perceptron(shuffle=False)
    online.partial_fit(X, y, classes=np.unique(y)).partial_fit(X, y)
    full = Perceptron(shuffle=False, max_iter=2, tol=None).fit(X, y)
    assert_allclose(online.coef_, full.coef_)
    assert online.t_ == 1 + 2 * X.shape[0]
    assert online.n_iter_ == 1


def test_perceptron_partial_fit_errors_say_what_to_do(data):
    X, y = data
    with pytest.raises(ValueError, match="classes must be passed"):
        Perceptron().partial_fit(X, y)
    with pytest.raises(ValueError, match="early_stopping"):
        Perceptron(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="compute_class_weight"):
        Perceptron(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="not in classes_"):
        Perceptron().partial_fit(X, y, classes=[0, 1])


def test_perceptron_init_shapes_are_checked(data):
    X, y = data
    with pytest.raises(ValueError, match="coef_init has shape"):
        Perceptron().fit(X, y, coef_init=np.zeros((2, X.shape[1])))
    with pytest.raises(ValueError, match="intercept_init has shape"):
        Perceptron().fit(X, y, intercept_init=np.zeros(2))


def test_perceptron_overflow_raises_and_keeps_finite_weights():
    X = np.array([[1e300, 1e300], [-1e300, 1e300], [1e300, -1e300]] * 4)
    y = np.array([0, 1, 1] * 4)
    clf = Perceptron(eta0=1e10, max_iter=5)
    with pytest.raises(ValueError, match="overflow"):
        clf.fit(X, y)
    assert np.isfinite(clf.coef_).all()


def test_perceptron_n_jobs_has_no_effect(data):
    X, y = data
    one = Perceptron(n_jobs=None).fit(X, y)
    two = Perceptron(n_jobs=2).fit(X, y)
    assert_array_equal(one.coef_, two.coef_)


def test_logic_gates_demo_learns_and_or_but_not_xor():
    start = time.perf_counter()
    rows = {row["gate"]: row for row in logic_gates_demo()}
    assert time.perf_counter() - start < 1.0
    assert rows["AND"]["learned"] and rows["AND"]["accuracy"] == 1.0
    assert rows["OR"]["learned"] and rows["OR"]["accuracy"] == 1.0
    assert not rows["XOR"]["learned"] and rows["XOR"]["accuracy"] <= 0.75


def test_perceptron_docs_snippets_run(capsys):
    # docs/perceptron.md promises that every snippet runs as written.
    docs = Path(__file__).resolve().parents[1] / "docs" / "perceptron.md"
    snippets = re.findall(r"```python\n(.*?)```", docs.read_text(), re.DOTALL)
    assert len(snippets) >= 4
    for snippet in snippets:
        exec(compile(snippet, str(docs), "exec"), {})
    assert "sign [[3. 0.]] [0.] [2, 0]" in capsys.readouterr().out


def _expected_failed_checks(estimator):
    # scikit-learn's own reason for its Perceptron: updates are scaled by the
    # weight, which is not the same as visiting a sample several times.
    reason = "sample_weight is not equivalent to removing/repeating samples."
    return {
        "check_sample_weight_equivalence_on_dense_data": reason,
        "check_sample_weight_equivalence_on_sparse_data": reason,
    }


@parametrize_with_checks([Perceptron()], expected_failed_checks=_expected_failed_checks)
def test_perceptron_passes_sklearn_estimator_checks(estimator, check):
    check(estimator)
