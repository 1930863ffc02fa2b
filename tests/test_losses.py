"""Tests of skmlp.losses: gradients, the logit forms, reference values, reduction."""

import math
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skmlp.activations import ACTIVATIONS
from skmlp.losses import (
    CLASSIFICATION_LOSSES,
    LOSSES,
    REGRESSION_LOSSES,
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    Huber,
    LogCosh,
    Loss,
    Poisson,
    weighted_mean,
)

CANONICAL_NAMES = sorted({LOSSES.resolve(n).name for n in LOSSES.names()})
LINKED_NAMES = [n for n in CANONICAL_NAMES if LOSSES.resolve(n).canonical_activation]

# Residual magnitudes away from every kink: 0 (absolute error) and delta=1 (huber).
RESIDUALS = np.array([0.3, 0.7, 1.6, 2.5])


def _valid_pair(loss, rng, shape=(6, 3)):
    """Targets and outputs in the loss's domain, residuals away from kinks."""
    if loss.target_range == (0.0, 1.0):
        y = rng.uniform(0, 1, size=shape)
        y[0] = (np.arange(shape[1]) == 0).astype(float)  # a one-hot row: y in {0, 1}
        a = rng.uniform(0.05, 0.95, size=shape)
        if isinstance(loss, CategoricalCrossEntropy):
            y /= y.sum(axis=1, keepdims=True)
            a /= a.sum(axis=1, keepdims=True)
        return y, a
    if loss.needs_positive_output:
        y = rng.randint(0, 5, size=shape).astype(float)  # counts, zeros included
        return y, rng.uniform(0.2, 4.0, size=shape)
    y = rng.normal(scale=2.0, size=shape)
    r = rng.choice([-1.0, 1.0], size=shape) * rng.choice(RESIDUALS, size=shape)
    return y, y + r


@pytest.mark.parametrize("name", CANONICAL_NAMES)
def test_loss_gradient_matches_finite_differences(name):
    loss = LOSSES.resolve(name)
    y, a = _valid_pair(loss, np.random.RandomState(0))
    h = 1e-6

    # Every loss is elementwise in a, so one perturbation of all entries gives
    # every partial derivative at once.
    numerical = (loss.value(y, a + h) - loss.value(y, a - h)) / (2 * h)

    assert_allclose(loss.gradient(y, a), numerical, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0])
def test_huber_gradient_matches_finite_differences_for_any_delta(delta):
    loss = Huber(delta=delta)
    rng = np.random.RandomState(1)
    y = rng.normal(size=(5, 4))
    # Both branches, away from |r| = delta.
    r = rng.choice([-1.0, 1.0], size=y.shape) * delta * rng.choice([0.4, 2.5], y.shape)
    a = y + r
    h = 1e-6
    numerical = (loss.value(y, a + h) - loss.value(y, a - h)) / (2 * h)

    assert_allclose(loss.gradient(y, a), numerical, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", LINKED_NAMES)
def test_value_from_logits_equals_value_of_canonical_activation(name):
    loss = LOSSES.resolve(name)
    act = ACTIVATIONS.resolve(loss.canonical_activation)
    rng = np.random.RandomState(2)
    z = rng.uniform(-5, 5, size=(8, 3))
    a = act.forward(z)
    y, _ = _valid_pair(loss, rng, shape=z.shape)

    assert_allclose(loss.value_from_logits(y, z, a), loss.value(y, a), rtol=1e-10)


@pytest.mark.parametrize("name", LINKED_NAMES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_from_logits_is_activation_and_weighted_mean(name, weighted, dtype):
    # Soft targets whose rows do not sum to one, so that a shortcut assuming
    # one-hot rows would show.
    loss = LOSSES.resolve(name)
    act = ACTIVATIONS.resolve(loss.canonical_activation)
    rng = np.random.RandomState(3)
    z = rng.uniform(-5, 5, size=(8, 3)).astype(dtype)
    y, _ = _valid_pair(loss, rng, shape=z.shape)
    y = (y * rng.uniform(0.5, 1.5, size=(8, 1))).astype(dtype)
    sample_weight = rng.uniform(0.1, 2.0, size=8).astype(dtype) if weighted else None
    expected_a = act.forward(z)
    expected = weighted_mean(loss.value(y, expected_a), sample_weight)

    a, value = loss.forward_from_logits(y, z.copy(), act, sample_weight)

    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert a.dtype == dtype
    assert_allclose(a, expected_a, rtol=rtol, atol=1e-7)
    assert isinstance(value, float)
    assert_allclose(value, expected, rtol=rtol)


def test_softmax_crossentropy_forward_at_saturation():
    # Logits of +-1e4: no overflow, no log(0), the closed form exactly.
    loss = CategoricalCrossEntropy()
    z = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 50.0]])
    y = np.array([[0.0, 0.0, 1.0], [0.5, 0.0, 0.5]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a, value = loss.forward_from_logits(y, z, ACTIVATIONS.resolve("softmax"))
    assert_allclose(a, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    # Row 1: 2e4; row 2: 0.5 * 2e4 + 0.5 * (1e4 - 50).
    assert value == pytest.approx((2e4 + 1e4 + 0.5 * (1e4 - 50)) / 2, rel=1e-12)


@pytest.mark.parametrize("name", LINKED_NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_value_from_logits_finite_at_saturation(name, dtype):
    loss = LOSSES.resolve(name)
    act = ACTIVATIONS.resolve(loss.canonical_activation)
    z = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 50.0]], dtype=dtype)
    y = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = act.forward(z)
        value = loss.value_from_logits(y, z, a)
        gradient = loss.gradient(y, a)
    assert np.all(np.isfinite(value))
    assert np.all(np.isfinite(gradient))


def test_binary_crossentropy_from_logits_is_exact_where_probability_saturates():
    loss = BinaryCrossEntropy()
    z = np.array([[1e4, -1e4, 1e4, 40.0]])
    y = np.array([[0.0, 1.0, 1.0, 0.0]])
    a = ACTIVATIONS.resolve("logistic").forward(z)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        exact = loss.value_from_logits(y, z, a)
        clipped = loss.value(y, a)

    assert_allclose(exact, [[1e4, 1e4, 0.0, 40.0]], rtol=1e-15, atol=1e-15)
    # The probability form can only reach -log(eps) ~ 36.
    assert np.all(clipped[0, [0, 1]] <= -math.log(np.finfo(float).eps) + 1e-9)


def test_categorical_crossentropy_from_logits_is_exact_where_probability_saturates():
    loss = CategoricalCrossEntropy()
    z = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]])
    y = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    a = ACTIVATIONS.resolve("softmax").forward(z)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss.value_from_logits(y, z, a)

    assert_allclose(value.sum(axis=1), [2e4, math.log(3)], rtol=1e-12)


def test_poisson_from_logits_finite_at_saturation():
    loss = Poisson()
    z = np.array([[1e4, -1e4, 2.0]])
    y = np.array([[3.0, 3.0, 0.0]])
    a = ACTIVATIONS.resolve("exp").forward(z)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss.value_from_logits(y, z, a)
    expected_low = 3 * math.log(3) + 3e4 - 3  # z = -1e4: a = 0, y log y - y z - y
    assert_allclose(value[0, 1:], [expected_low, math.exp(2.0)], rtol=1e-12)
    assert np.isfinite(value[0, 0]) and value[0, 0] > 1e150


@pytest.mark.parametrize("output", ["exp", "softplus"])
def test_poisson_generic_gradient_finite_when_output_underflows(output):
    # Outputs that underflow to 0 (z = -1e4) must not make y / a overflow, nor
    # 0 * inf in the backward pass of the output activation.
    loss, act = Poisson(), ACTIVATIONS.resolve(output)
    z = np.array([[-1e4, -800.0, -50.0, 3.0]])
    y = np.array([[1e3, 20.0, 7.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = act.forward(z)
        value = loss.value(y, a)
        grad_z = act.backward(z, a, loss.gradient(y, a))
    assert np.all(np.isfinite(value))
    assert np.all(np.isfinite(grad_z))
    assert np.all(value[0, :3] > 0)


@pytest.mark.parametrize("name", CANONICAL_NAMES)
def test_loss_value_and_gradient_finite_at_extreme_outputs(name):
    loss = LOSSES.resolve(name)
    if loss.target_range == (0.0, 1.0):
        a = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 1e-300]])
        y = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    elif loss.needs_positive_output:
        a = np.array([[0.0, 1e-300, 1e154], [1e4, 5.0, 0.0]])
        y = np.array([[5.0, 0.0, 3.0], [0.0, 2.0, 1e4]])
    else:
        a = np.array([[1e4, -1e4, 0.0], [1e154, -1e154, 3.0]])
        y = np.array([[-1e4, 1e4, 0.0], [0.0, 1.0, 3.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss.value(y, a)
        gradient = loss.gradient(y, a)
    assert np.all(np.isfinite(value))
    assert np.all(np.isfinite(gradient))
    assert np.all(value >= 0)


# ---- reference values -----------------------------------------------------------

LOG_COSH_1 = math.log(math.cosh(1.0))

# (loss, y, a, value, gradient); all elementwise.
REFERENCE = [
    ("squared_error", [1.0, -1.0], [3.0, -1.5], [2.0, 0.125], [2.0, -0.5]),
    ("absolute_error", [1.0, 0.0], [3.0, -0.5], [2.0, 0.5], [1.0, -1.0]),
    # huber, delta=1: quadratic branch, linear branch on both sides.
    ("huber", [0.0, 0.0, 0.0], [0.5, 3.0, -3.0], [0.125, 2.5, 2.5], [0.5, 1.0, -1.0]),
    (
        "log_cosh",
        [0.0, 0.0, 1.0],
        [0.0, 1.0, -1e4],
        [0.0, LOG_COSH_1, 1e4 + 1 - math.log(2)],
        [0.0, math.tanh(1.0), -1.0],
    ),
    # poisson: 0 at y = a (y = 0 included), a at y = 0, e - 2 at y=1, a=e.
    (
        "poisson",
        [2.0, 0.0, 0.0, 1.0],
        [2.0, 1e-12, 3.0, math.e],
        [0.0, 1e-12, 3.0, math.e - 2],
        [0.0, 1.0, 1.0, 1 - 1 / math.e],
    ),
    (
        "binary_crossentropy",
        [1.0, 0.0, 0.5],
        [0.5, 0.25, 0.5],
        [math.log(2), math.log(4 / 3), math.log(2)],
        [-2.0, 4 / 3, 0.0],
    ),
    (
        "categorical_crossentropy",
        [0.0, 1.0, 0.0],
        [0.5, 0.25, 0.25],
        [0.0, math.log(4), 0.0],
        [0.0, -4.0, 0.0],
    ),
]


def test_reference_table_covers_every_loss():
    assert {row[0] for row in REFERENCE} == set(CANONICAL_NAMES)


@pytest.mark.parametrize(
    "name, y, a, value, gradient", REFERENCE, ids=[r[0] for r in REFERENCE]
)
def test_loss_reference_values(name, y, a, value, gradient):
    loss = LOSSES.resolve(name)
    y, a = np.array([y]), np.array([a])
    assert_allclose(loss.value(y, a), [value], rtol=1e-14, atol=1e-300)
    assert_allclose(loss.gradient(y, a), [gradient], rtol=1e-14, atol=1e-300)


def test_huber_delta_scales_linear_branch():
    y, a = np.zeros((1, 2)), np.array([[3.0, 1.5]])
    # delta=2: 2 * (3 - 1) = 4 (linear) and 1.5^2 / 2 (quadratic).
    assert_allclose(Huber(delta=2.0).value(y, a), [[4.0, 1.125]], rtol=1e-15)
    assert_allclose(Huber(delta=2.0).gradient(y, a), [[2.0, 1.5]], rtol=1e-15)


def test_huber_is_continuous_at_delta():
    loss = Huber(delta=1.5)
    y = np.zeros((1, 2))
    a = np.array([[1.5 - 1e-9, 1.5 + 1e-9]])
    value = loss.value(y, a)
    assert_allclose(value[0, 0], value[0, 1], rtol=1e-8)
    assert_allclose(value[0, 0], 0.5 * 1.5**2, rtol=1e-8)


def test_log_cosh_matches_naive_formula_where_that_is_safe():
    r = np.linspace(-20, 20, 41).reshape(1, -1)
    assert_allclose(
        LogCosh().value(np.zeros_like(r), r), np.log(np.cosh(r)), rtol=1e-12, atol=0
    )


def test_binary_crossentropy_at_zero_logit_is_log_2():
    loss = BinaryCrossEntropy()
    z = np.zeros((1, 2))
    y = np.array([[0.0, 1.0]])
    assert_allclose(loss.value_from_logits(y, z, z + 0.5), math.log(2), rtol=1e-15)
    assert_allclose(loss.value(y, z + 0.5), math.log(2), rtol=1e-15)


def test_categorical_crossentropy_uniform_is_log_k():
    y = np.eye(4)
    z = np.zeros((4, 4))
    loss = CategoricalCrossEntropy()
    assert_allclose(loss.value_from_logits(y, z, z + 0.25).sum(axis=1), math.log(4))
    assert_allclose(loss.value(y, z + 0.25).sum(axis=1), math.log(4))


@pytest.mark.parametrize("name", CANONICAL_NAMES)
def test_loss_preserves_float32(name):
    loss = LOSSES.resolve(name)
    y, a = _valid_pair(loss, np.random.RandomState(3))
    y32, a32 = y.astype(np.float32), a.astype(np.float32)
    assert loss.gradient(y32, a32).dtype == np.float32
    assert loss.value(y32, a32).dtype == np.float32
    assert_allclose(loss.value(y32, a32), loss.value(y, a), rtol=1e-5, atol=1e-6)


# ---- declarations ---------------------------------------------------------------


def test_canonical_pairs():
    pairs = {n: LOSSES.resolve(n).canonical_activation for n in CANONICAL_NAMES}
    assert pairs == {
        "squared_error": "identity",
        "absolute_error": None,
        "huber": None,
        "log_cosh": None,
        "poisson": "exp",
        "binary_crossentropy": "logistic",
        "categorical_crossentropy": "softmax",
    }
    for act_name in filter(None, pairs.values()):
        # The canonical name is the activation's registered (not alias) name.
        assert ACTIVATIONS.resolve(act_name).name == act_name


def test_loss_domains():
    assert LOSSES.resolve("poisson").target_range == (0.0, math.inf)
    assert LOSSES.resolve("poisson").needs_positive_output
    for name in ("binary_crossentropy", "categorical_crossentropy"):
        assert LOSSES.resolve(name).target_range == (0.0, 1.0)
    for name in ("squared_error", "absolute_error", "huber", "log_cosh"):
        loss = LOSSES.resolve(name)
        assert loss.target_range == (-math.inf, math.inf)
        assert not loss.needs_positive_output


def test_estimator_loss_names_resolve():
    assert REGRESSION_LOSSES <= set(LOSSES.names())
    # log_loss is resolved by the classifier into binary/categorical CE.
    assert CLASSIFICATION_LOSSES - {"log_loss"} <= set(LOSSES.names())


def test_loss_alias_and_registry_errors():
    assert type(LOSSES.resolve("binary_log_loss")) is BinaryCrossEntropy
    with pytest.raises(ValueError, match=re.escape(f"Use one of {LOSSES.names()}")):
        LOSSES.resolve("hinge", "loss")
    mine = Huber(delta=3.0)
    resolved = LOSSES.resolve(mine)
    assert resolved == mine and resolved is not mine
    assert isinstance(resolved, Loss)
    assert Huber(2.0) != Huber(3.0)


# ---- weighted_mean --------------------------------------------------------------


def test_weighted_mean_without_weights_sums_outputs_and_averages_samples():
    elementwise = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    result = weighted_mean(elementwise)
    assert isinstance(result, float)
    assert result == pytest.approx((3.0 + 7.0 + 11.0) / 3, rel=1e-15)


def test_weighted_mean_with_weights():
    elementwise = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    w = np.array([0.5, 0.0, 2.0])
    result = weighted_mean(elementwise, w)
    assert isinstance(result, float)
    assert result == pytest.approx((0.5 * 3.0 + 2.0 * 11.0) / 2.5, rel=1e-15)


def test_weighted_mean_integer_weights_equal_repeated_rows():
    rng = np.random.RandomState(4)
    elementwise = rng.uniform(size=(5, 3))
    w = np.array([1, 3, 0, 2, 1])
    repeated = np.repeat(elementwise, w, axis=0)
    assert weighted_mean(elementwise, w.astype(float)) == pytest.approx(
        weighted_mean(repeated), rel=1e-14
    )
    # Uniform weights of any scale are no weights.
    assert weighted_mean(elementwise, np.full(5, 7.0)) == pytest.approx(
        weighted_mean(elementwise), rel=1e-14
    )
