"""Tests of skmlp.activations: gradients, reference values, numerics, registry."""

import math
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit

from skmlp.activations import (
    ACTIVATIONS,
    ELU,
    HIDDEN_ACTIVATIONS,
    OUTPUT_ACTIVATIONS,
    Activation,
    Exponential,
    Identity,
    LeakyReLU,
    Logistic,
    SiLU,
    Softmax,
)

# One entry per class: the registered (first) name, aliases left out.
CANONICAL_NAMES = sorted({ACTIVATIONS.resolve(n).name for n in ACTIVATIONS.names()})
ALIASES = sorted(set(ACTIVATIONS.names()) - set(CANONICAL_NAMES))

# Non-default hyper-parameters, so that backward is not only right for defaults.
VARIANTS = [ACTIVATIONS.resolve(n) for n in CANONICAL_NAMES] + [
    LeakyReLU(negative_slope=0.01),
    ELU(alpha=0.5),
]

EXTREMES = (-1e4, -50.0, 0.0, 50.0, 1e4)


def _away_from_zero(rng, shape, low=0.05, high=4.0):
    """Random values of both signs with |z| in [low, high] (no kink at 0 crossed)."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def _numerical_vjp(act, z, grad_a, h=1e-6):
    """Central-difference ``grad_a . d f(z) / d z_j`` for every element ``z_j``.

    Perturbs one element at a time, so it also checks non-elementwise maps
    (softmax's full Jacobian).
    """
    grad_z = np.empty_like(z)
    for j in np.ndindex(z.shape):
        step = np.zeros_like(z)
        step[j] = h
        up = np.sum(grad_a * act.forward(z + step))
        down = np.sum(grad_a * act.forward(z - step))
        grad_z[j] = (up - down) / (2 * h)
    return grad_z


# ---- gradients ------------------------------------------------------------------


@pytest.mark.parametrize("act", VARIANTS, ids=repr)
def test_activation_backward_matches_finite_differences(act):
    rng = np.random.RandomState(0)
    z = _away_from_zero(rng, (6, 4))
    grad_a = rng.normal(size=z.shape)
    a = act.forward(z)

    # backward may write into the grad_a it is handed (ReLU does).
    grad_z = act.backward(z, a, grad_a.copy())

    assert grad_z.shape == z.shape
    assert_allclose(grad_z, _numerical_vjp(act, z, grad_a), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("act", VARIANTS, ids=repr)
def test_forward_writes_into_out(act):
    rng = np.random.RandomState(0)
    z = _away_from_zero(rng, (6, 4))
    expected = act.forward(z)
    out = np.full_like(z, np.nan)

    assert act.forward(z, out=out) is out
    assert_array_equal(out, expected)


@pytest.mark.parametrize(
    "act", [a for a in VARIANTS if not a.backward_uses_z], ids=repr
)
def test_in_place_forward_keeps_what_backward_needs(act):
    # backward_uses_z = False promises that forward(z, out=z) is safe and that
    # backward gives the same answer without z.
    rng = np.random.RandomState(0)
    z = _away_from_zero(rng, (6, 4))
    grad_a = rng.normal(size=z.shape)
    expected_a = act.forward(z)
    expected_grad_z = act.backward(z, expected_a, grad_a.copy())

    z_in_place = z.copy()
    a = act.forward(z_in_place, out=z_in_place)

    assert a is z_in_place
    assert_array_equal(a, expected_a)
    assert_array_equal(act.backward(None, a, grad_a.copy()), expected_grad_z)


def test_activations_whose_backward_reads_z():
    # The ones that need the pre-activation to differentiate say so.
    reads_z = {n for n in CANONICAL_NAMES if ACTIVATIONS.resolve(n).backward_uses_z}
    assert reads_z == {"elu", "gelu", "leaky_relu", "selu", "silu", "softplus"}


@pytest.mark.parametrize("act", VARIANTS, ids=repr)
def test_activation_backward_leaves_z_and_a_alone(act):
    # The network keeps z and a of every layer for the backward pass; only
    # grad_a is handed over.
    rng = np.random.RandomState(0)
    z = _away_from_zero(rng, (6, 4))
    a = act.forward(z)
    z_before, a_before = z.copy(), a.copy()

    act.backward(z, a, rng.normal(size=z.shape))

    assert_array_equal(z, z_before)
    assert_array_equal(a, a_before)


def test_softmax_backward_is_full_jacobian_product():
    # The explicit Jacobian diag(a) - a a^T, row by row, against the VJP.
    rng = np.random.RandomState(1)
    z = rng.normal(size=(3, 4))
    grad_a = rng.normal(size=z.shape)
    act = Softmax()
    a = act.forward(z)

    expected = np.stack(
        [
            (np.diag(row) - np.outer(row, row)) @ g
            for row, g in zip(a, grad_a, strict=True)
        ]
    )

    assert_allclose(act.backward(z, a, grad_a), expected, rtol=1e-12, atol=1e-15)
    # A constant shift of the upstream gradient is invisible through softmax.
    assert_allclose(act.backward(z, a, grad_a + 3.0), expected, rtol=1e-12, atol=1e-14)


# ---- reference values -----------------------------------------------------------

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

# (name, z, f(z), f'(z)); z and the values are 1-D, applied elementwise.
REFERENCE = [
    ("identity", [-2.0, 3.5], [-2.0, 3.5], [1.0, 1.0]),
    ("logistic", [0.0, math.log(3)], [0.5, 0.75], [0.25, 0.1875]),
    ("tanh", [0.0, math.log(2)], [0.0, 0.6], [1.0, 0.64]),
    ("relu", [-1.0, 2.0], [0.0, 2.0], [0.0, 1.0]),
    ("leaky_relu", [-1.0, 3.0], [-0.2, 3.0], [0.2, 1.0]),
    ("elu", [-math.log(2), 2.0], [-0.5, 2.0], [0.5, 1.0]),
    (
        "selu",
        [-math.log(2), 1.0],
        [-0.5 * SELU_SCALE * SELU_ALPHA, SELU_SCALE],
        [0.5 * SELU_SCALE * SELU_ALPHA, SELU_SCALE],
    ),
    (
        "gelu",
        [0.0, 1.0, -1.0],
        [0.0, 0.8413447460685429, -0.15865525393145707],
        # Phi(1) + phi(1) and Phi(-1) - phi(-1).
        [0.5, 1.0833154705876864, -0.08331547058768629],
    ),
    ("softplus", [0.0, math.log(3)], [math.log(2), math.log(4)], [0.5, 0.75]),
    (
        "silu",
        [0.0, math.log(3)],
        [0.0, 0.75 * math.log(3)],
        [0.5, 0.75 + 0.75 * math.log(3) * 0.25],
    ),
    ("exp", [0.0, math.log(5)], [1.0, 5.0], [1.0, 5.0]),
]


def test_reference_table_covers_every_elementwise_activation():
    # Adding an activation means adding its reference row (softmax: own test).
    assert {row[0] for row in REFERENCE} == set(CANONICAL_NAMES) - {"softmax"}


@pytest.mark.parametrize(
    "name, z, expected, expected_slope", REFERENCE, ids=[r[0] for r in REFERENCE]
)
def test_activation_reference_values(name, z, expected, expected_slope):
    act = ACTIVATIONS.resolve(name)
    z = np.array([z])
    a = act.forward(z)

    assert_allclose(a, [expected], rtol=1e-14, atol=1e-15)
    assert_allclose(act.backward(z, a, np.ones_like(z)), [expected_slope], rtol=1e-14)


def test_softmax_reference_values():
    z = np.array([[0.0, math.log(3)], [5.0, 5.0], [-1.0, -1.0]])
    a = Softmax().forward(z)

    assert_allclose(a, [[0.25, 0.75], [0.5, 0.5], [0.5, 0.5]], rtol=1e-14)
    assert_allclose(a.sum(axis=1), 1.0, rtol=1e-15)


def test_selu_constants():
    sel = ACTIVATIONS.resolve("selu")
    assert sel.alpha == pytest.approx(SELU_ALPHA, rel=1e-15)
    assert sel.scale == pytest.approx(SELU_SCALE, rel=1e-15)


# ---- dtypes and numerics --------------------------------------------------------


@pytest.mark.parametrize("name", CANONICAL_NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_preserves_dtype(name, dtype):
    act = ACTIVATIONS.resolve(name)
    z = np.linspace(-3, 3, 12).reshape(4, 3).astype(dtype)
    a = act.forward(z)
    grad_z = act.backward(z, a, np.ones_like(z))

    assert a.dtype == dtype
    assert grad_z.dtype == dtype
    # float32 is a rounding of the float64 result, not another function.
    z64 = z.astype(np.float64)
    assert_allclose(a, act.forward(z64), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", CANONICAL_NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_finite_and_silent_at_extremes(name, dtype):
    act = ACTIVATIONS.resolve(name)
    # One row holding every extreme (softmax normalises across it) and one
    # column of them (softmax over a single unit).
    rows = np.array([EXTREMES], dtype=dtype)
    cols = rows.T.copy()
    # Underflow (e.g. exp(-1e4) -> 0) is allowed and left at numpy's default:
    # it yields exact limits, not wrong values.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for z in (rows, cols):
            a = act.forward(z)
            grad_z = act.backward(z, a, np.ones_like(z))
            assert np.all(np.isfinite(a)), a
            assert np.all(np.isfinite(grad_z)), grad_z
            assert a.dtype == dtype


@pytest.mark.parametrize(
    "name, z, expected",
    [
        ("logistic", EXTREMES, [0.0, expit(-50.0), 0.5, 1.0, 1.0]),
        ("tanh", EXTREMES, [-1.0, -1.0, 0.0, 1.0, 1.0]),
        ("softplus", EXTREMES, [0.0, math.exp(-50), math.log(2), 50.0, 1e4]),
        ("silu", EXTREMES, [0.0, -50 * math.exp(-50), 0.0, 50.0, 1e4]),
        ("gelu", EXTREMES, [0.0, 0.0, 0.0, 50.0, 1e4]),
        ("elu", EXTREMES, [-1.0, -1.0, 0.0, 50.0, 1e4]),
    ],
)
def test_activation_limits_at_extremes(name, z, expected):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = ACTIVATIONS.resolve(name).forward(np.array([z]))
    assert_allclose(a, [expected], rtol=1e-12, atol=1e-300)


def test_exponential_saturates_at_a_large_finite_value():
    big = np.array([[1e4, 1e3]])
    with np.errstate(over="raise"):
        a = Exponential().forward(big)
    assert np.all(np.isfinite(a))
    # Large enough to be useless as a prediction, small enough to square.
    assert np.all(a > 1e150)
    assert np.isfinite(a * a).all()


def test_softmax_extreme_rows_are_exact():
    z = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = Softmax().forward(z)
    assert_allclose(a, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-12)


@pytest.mark.parametrize("name", CANONICAL_NAMES)
def test_activation_output_range_respected(name):
    act = ACTIVATIONS.resolve(name)
    rng = np.random.RandomState(2)
    z = np.concatenate([rng.uniform(-60, 60, size=(40, 3)), [EXTREMES[1:4]]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = act.forward(z)
    low, high = act.output_range
    assert np.all(a >= low)
    assert np.all(a <= high)
    if act.strictly_positive:
        # Away from underflow, strictly positive means > 0.
        moderate = np.linspace(-20, 20, 21).reshape(7, 3)
        assert np.all(act.forward(moderate) > 0)


@pytest.mark.parametrize("name", CANONICAL_NAMES)
def test_activation_init_factor_is_scikit_learn_glorot(name):
    # scikit-learn: factor 2 for logistic units, 6 for every other.
    expected = 2.0 if name == "logistic" else 6.0
    assert ACTIVATIONS.resolve(name).init_factor == expected


# ---- registry -------------------------------------------------------------------


@pytest.mark.parametrize(
    "alias, cls",
    [
        ("sigmoid", Logistic),
        ("swish", SiLU),
        ("linear", Identity),
        ("exponential", Exponential),
    ],
)
def test_activation_alias_resolves_to_class(alias, cls):
    act = ACTIVATIONS.resolve(alias)
    assert type(act) is cls
    assert act.name == ACTIVATIONS.resolve(cls.name).name
    assert act.name != alias


def test_alias_table_is_complete():
    assert ALIASES == sorted(["sigmoid", "swish", "linear", "exponential"])


@pytest.mark.parametrize("name", ACTIVATIONS.names())
def test_resolve_returns_fresh_instances(name):
    first, second = ACTIVATIONS.resolve(name), ACTIVATIONS.resolve(name)
    assert isinstance(first, Activation)
    assert first == second
    assert first is not second


def test_unknown_activation_lists_options():
    msg = re.escape(f"Use one of {ACTIVATIONS.names()}")
    with pytest.raises(ValueError, match=r"Unknown activation 'relux' for act\. "):
        ACTIVATIONS.resolve("relux", "act")
    with pytest.raises(ValueError, match=msg):
        ACTIVATIONS.resolve("relux")


def test_activation_outside_allowed_subset_lists_subset():
    msg = re.escape(f"Use one of {sorted(HIDDEN_ACTIVATIONS)}")
    with pytest.raises(ValueError, match=msg):
        ACTIVATIONS.resolve("softmax", "activation", HIDDEN_ACTIVATIONS)


@pytest.mark.parametrize("spec", [None, 3, Logistic])
def test_non_name_non_instance_is_rejected(spec):
    with pytest.raises(ValueError, match="Unknown activation"):
        ACTIVATIONS.resolve(spec)


def test_activation_instance_is_accepted_and_deep_copied():
    mine = LeakyReLU(negative_slope=0.05)
    mine.extra = [1.0]
    resolved = ACTIVATIONS.resolve(mine, "activation", HIDDEN_ACTIVATIONS)

    assert resolved == mine
    assert resolved is not mine
    assert resolved.extra is not mine.extra
    resolved.negative_slope = 0.5
    resolved.extra.append(2.0)
    assert mine.negative_slope == 0.05
    assert mine.extra == [1.0]


def test_activation_equality_and_hash_follow_parameters():
    assert LeakyReLU(0.1) == LeakyReLU(0.1)
    assert hash(LeakyReLU(0.1)) == hash(LeakyReLU(0.1))
    assert LeakyReLU(0.1) != LeakyReLU(0.2)
    assert ELU() != LeakyReLU()
    assert repr(LeakyReLU(0.1)) == "LeakyReLU(negative_slope=0.1)"


@pytest.mark.parametrize(
    "subset, excluded",
    [(HIDDEN_ACTIVATIONS, {"softmax", "exp"}), (OUTPUT_ACTIVATIONS, set())],
    ids=["hidden", "output"],
)
def test_allowed_subsets_are_registered_and_closed_under_aliases(subset, excluded):
    names = set(ACTIVATIONS.names())
    assert subset <= names
    assert not subset & excluded
    # A class accepted under one name is accepted under all of its names.
    classes = {type(ACTIVATIONS.resolve(n)) for n in subset}
    for name in names:
        if type(ACTIVATIONS.resolve(name)) in classes:
            assert name in subset, f"{name!r} is an alias of an allowed activation"


def test_every_activation_is_usable_somewhere():
    assert set(CANONICAL_NAMES) <= HIDDEN_ACTIVATIONS | OUTPUT_ACTIVATIONS


def test_identity_backward_passes_gradient_through():
    grad_a = np.array([[1.0, -2.0]])
    z = np.array([[3.0, 4.0]])
    assert_array_equal(Identity().backward(z, z, grad_a), grad_a)
