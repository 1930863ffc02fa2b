"""Tests of skmlp._network: the finite-difference matrix, fused == generic, layout."""

from dataclasses import dataclass

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neural_network import MLPClassifier
from sklearn.neural_network._multilayer_perceptron import _pack as sklearn_pack

import skmlp._network
from skmlp._network import Network
from skmlp.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from skmlp.losses import LOSSES, CategoricalCrossEntropy, Huber


def _canonical(names, registry=ACTIVATIONS):
    """One registered (non-alias) name per class."""
    return sorted({registry.resolve(n).name for n in names})


HIDDEN_NAMES = _canonical(HIDDEN_ACTIVATIONS)
OUTPUT_NAMES = _canonical(OUTPUT_ACTIVATIONS)
LOSS_NAMES = _canonical(LOSSES.names(), LOSSES)

N_SAMPLES, N_FEATURES = 7, 5
HIDDEN_SIZES = {0: (), 1: (4,), 2: (4, 3)}


def _is_probability_output(name):
    return ACTIVATIONS.resolve(name).output_range == (0.0, 1.0)


def _sensible_pairs():
    """(output activation, loss) pairs a user can train, from the registries.

    - cross-entropies with their canonical link only;
    - losses needing positive outputs with the unbounded strictly positive
      outputs (poisson: exp, softplus);
    - other (regression) losses with every unbounded-or-symmetric output;
    - squared error on probabilities (logistic, softmax).
    """
    probability = [n for n in OUTPUT_NAMES if _is_probability_output(n)]
    regression = [n for n in OUTPUT_NAMES if n not in probability]
    pairs = []
    for loss_name in LOSS_NAMES:
        loss = LOSSES.resolve(loss_name)
        if loss.target_range == (0.0, 1.0):
            pairs.append((loss.canonical_activation, loss_name))
        elif loss.needs_positive_output:
            pairs += [
                (out, loss_name)
                for out in regression
                if ACTIVATIONS.resolve(out).strictly_positive
            ]
        else:
            pairs += [(out, loss_name) for out in regression]
    pairs += [(out, "squared_error") for out in probability]
    return pairs


PAIRS = _sensible_pairs()
CANONICAL_PAIRS = [
    (LOSSES.resolve(n).canonical_activation, n)
    for n in LOSS_NAMES
    if LOSSES.resolve(n).canonical_activation
]


def _n_outputs_for(output):
    # Softmax over a single output is the constant 1: only with 3 outputs.
    return (3,) if output == "softmax" else (1, 3)


def _network(depth, hidden, n_outputs, output, loss, alpha=0.0):
    sizes = HIDDEN_SIZES[depth]
    return Network(
        [N_FEATURES, *sizes, n_outputs],
        [ACTIVATIONS.resolve(hidden)] * len(sizes),
        ACTIVATIONS.resolve(output),
        LOSSES.resolve(loss) if isinstance(loss, str) else loss,
        alpha,
    )


def _targets(rng, output, loss, n_outputs):
    """Targets valid for the pair: probabilities, counts or values in range."""
    shape = (N_SAMPLES, n_outputs)
    if loss.needs_positive_output:
        return rng.randint(0, 5, size=shape).astype(float)
    if loss.target_range == (0.0, 1.0) or _is_probability_output(output):
        y = rng.uniform(size=shape)
        y[0] = np.arange(n_outputs) == n_outputs - 1  # a hard 0/1 row
        if output == "softmax" or isinstance(loss, CategoricalCrossEntropy):
            y /= y.sum(axis=1, keepdims=True)
        return y
    low, high = ACTIVATIONS.resolve(output).output_range
    return rng.uniform(max(low, -2.0), min(high, 2.0), size=shape)


# Distance kept from every kink: pre-activations from 0 (relu, leaky_relu, selu),
# residuals from 0 (absolute_error) and from +-delta (huber).
KINK_MARGIN = 1e-3


def _well_posed(network, flat, X, Y):
    """Away from every kink, and every output passes a gradient for some samples
    (a relu output dead on all samples would make the check vacuous)."""
    zs, activations = network.forward(X, *network.unpack(flat))
    if any(np.min(np.abs(z)) < KINK_MARGIN for z in zs):
        return False
    # A random upstream gradient: softmax maps a constant one to exactly 0.
    upstream = np.random.RandomState(0).normal(size=zs[-1].shape)
    slopes = network.output_activation.backward(zs[-1], activations[-1], upstream)
    if np.any(np.count_nonzero(slopes, axis=0) < 2):
        return False
    residual = np.abs(activations[-1] - Y)
    delta = getattr(network.loss, "delta", 1.0)
    return bool(
        residual.min() > KINK_MARGIN and np.abs(residual - delta).min() > KINK_MARGIN
    )


def _problem(network, seed, weighted):
    """X, Y, sample_weight and parameters away from kinks (next seed if not)."""
    for attempt in range(20):
        rng = np.random.RandomState(1000 * seed + attempt)
        X = rng.normal(size=(N_SAMPLES, N_FEATURES))
        Y = _targets(
            rng, network.output_activation.name, network.loss, network.layer_units[-1]
        )
        flat = network.init_params(rng, np.float64)
        sample_weight = rng.uniform(0.2, 2.0, size=N_SAMPLES) if weighted else None
        if _well_posed(network, flat, X, Y):
            return X, Y, sample_weight, flat
    raise AssertionError("no well-posed problem found")  # pragma: no cover


def _numerical_gradient(network, flat, X, Y, sample_weight, directions=None, h=1e-6):
    """Central differences of the objective ``loss_and_gradient(...)[0]``.

    Along each row of ``directions`` (a directional derivative, every parameter
    perturbed at once), or along every coordinate of ``flat`` when None.
    """
    if directions is None:
        directions = np.eye(flat.size)
    buffer = np.empty_like(flat)
    numerical = np.empty(len(directions))
    for k, direction in enumerate(directions):
        step = h * direction
        up, _ = network.loss_and_gradient(flat + step, X, Y, sample_weight, buffer)
        down, _ = network.loss_and_gradient(flat - step, X, Y, sample_weight, buffer)
        numerical[k] = (up - down) / (2 * h)
    return numerical


def _gradient_mismatch(network, flat, X, Y, sample_weight, n_directions=4):
    """Check the gradient by central differences along random unit directions.

    Two evaluations per direction instead of two per parameter keeps the matrix
    fast; any wrong component shows in a random direction (with probability 1).
    Returns None when the gradient matches, else a message in which the
    coordinate-wise differences name the wrong parameters.
    """
    value, grad = network.loss_and_gradient(flat, X, Y, sample_weight)
    directions = np.random.RandomState(0).normal(size=(n_directions, flat.size))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    numerical = _numerical_gradient(network, flat, X, Y, sample_weight, directions)
    # Observed errors are below 2e-9 * |grad|: 50x headroom.
    tol = 1e-7 * np.linalg.norm(grad) + 1e-9 * (1 + abs(value))
    error = np.abs(directions @ grad - numerical)
    if np.all(error <= tol):
        return None
    coordinatewise = _numerical_gradient(network, flat, X, Y, sample_weight)
    worst = np.argsort(-np.abs(grad - coordinatewise))[:5]
    return (
        f"directional derivatives off by {error} (tol {tol:.2e}); worst "
        f"parameters {worst}: analytic {grad[worst]}, numerical "
        f"{coordinatewise[worst]}"
    )


def _matrix():
    cases = []
    for output, loss in PAIRS:
        for n_outputs in _n_outputs_for(output):
            for depth in HIDDEN_SIZES:
                for hidden in HIDDEN_NAMES if depth else [None]:
                    pair_id = f"{hidden}-{depth}-{output}-{loss}-{n_outputs}"
                    cases.append(
                        pytest.param(hidden, depth, output, loss, n_outputs, id=pair_id)
                    )
    return cases


@pytest.mark.parametrize("hidden, depth, output, loss, n_outputs", _matrix())
def test_loss_and_gradient_matches_finite_differences(
    hidden, depth, output, loss, n_outputs
):
    # The sample_weight x alpha corner of the matrix is a loop, not parameters:
    # a quarter of the test items keeps pytest's per-item overhead small.
    network = _network(depth, hidden or "identity", n_outputs, output, loss)
    X, Y, weights, flat = _problem(network, depth + n_outputs, weighted=True)
    flat_before = flat.copy()
    failures = []
    for sample_weight in (None, weights):
        for alpha in (0.0, 0.1):
            network.alpha = alpha
            value, grad = network.loss_and_gradient(flat, X, Y, sample_weight)
            assert np.isfinite(value)
            assert grad.shape == flat.shape
            assert np.linalg.norm(grad) > 0
            mismatch = _gradient_mismatch(network, flat, X, Y, sample_weight)
            if mismatch:
                weighted = sample_weight is not None
                failures.append(f"weighted={weighted}, alpha={alpha}: {mismatch}")
    assert_array_equal(flat, flat_before)
    assert not failures, "\n".join(failures)


# Coordinate-wise differences (two evaluations per parameter) on a slice of the
# matrix: every pair at depth 2 under tanh, and every hidden activation under
# the identity / squared error pair, both weighted and penalised.
COORDINATEWISE = [
    ("tanh", output, loss, n_outputs)
    for output, loss in PAIRS
    for n_outputs in _n_outputs_for(output)
] + [(hidden, "identity", "squared_error", 3) for hidden in HIDDEN_NAMES]


@pytest.mark.parametrize(
    "hidden, output, loss, n_outputs",
    COORDINATEWISE,
    ids=["-".join(map(str, case)) for case in COORDINATEWISE],
)
def test_loss_and_gradient_coordinatewise(hidden, output, loss, n_outputs):
    network = _network(2, hidden, n_outputs, output, loss, alpha=0.1)
    X, Y, sample_weight, flat = _problem(network, 3, weighted=True)

    _, grad = network.loss_and_gradient(flat, X, Y, sample_weight)

    numerical = _numerical_gradient(network, flat, X, Y, sample_weight)
    assert_allclose(grad, numerical, rtol=1e-5, atol=1e-8)


def test_matrix_covers_registries():
    outputs_used = {out for out, _ in PAIRS}
    losses_used = {loss for _, loss in PAIRS}
    assert outputs_used == set(OUTPUT_NAMES)
    assert losses_used == set(LOSS_NAMES)
    assert set(CANONICAL_PAIRS) <= set(PAIRS)


# ---- the objective's definition -------------------------------------------------


def _small(output="identity", loss="squared_error", n_outputs=3, alpha=0.0, seed=0):
    network = _network(2, "tanh", n_outputs, output, loss, alpha)
    return network, *_problem(network, seed, weighted=True)


def test_objective_is_weighted_mean_plus_scaled_l2():
    network, X, Y, sample_weight, flat = _small(alpha=0.3)
    coefs, intercepts = network.unpack(flat)
    a = network.predict(X, coefs, intercepts)
    data_term = np.sum(0.5 * (a - Y) ** 2, axis=1) @ sample_weight / sample_weight.sum()
    penalty = 0.15 * sum(np.sum(c * c) for c in coefs) / sample_weight.sum()

    value, _ = network.loss_and_gradient(flat, X, Y, sample_weight)

    assert value == pytest.approx(data_term + penalty, rel=1e-13)


def test_l2_penalty_spares_intercepts():
    network, X, Y, sample_weight, flat = _small(alpha=1.0)
    plain = _network(2, "tanh", 3, "identity", "squared_error", 0.0)
    _, grad = network.loss_and_gradient(flat, X, Y, sample_weight)
    _, grad_plain = plain.loss_and_gradient(flat, X, Y, sample_weight)
    coefs_diff, intercepts_diff = network.unpack(grad - grad_plain)
    coefs, _ = network.unpack(flat)
    for diff, coef in zip(coefs_diff, coefs, strict=True):
        assert_allclose(diff, coef / sample_weight.sum(), rtol=1e-12)
    for diff in intercepts_diff:
        assert_allclose(diff, 0.0, atol=1e-16)


def test_integer_sample_weight_equals_repeated_rows():
    network, X, Y, _, flat = _small(alpha=0.1)
    counts = np.array([1, 3, 0, 2, 1, 1, 4])
    weighted = network.loss_and_gradient(flat, X, Y, counts.astype(float))
    repeated = network.loss_and_gradient(
        flat, np.repeat(X, counts, axis=0), np.repeat(Y, counts, axis=0)
    )
    assert weighted[0] == pytest.approx(repeated[0], rel=1e-13)
    assert_allclose(weighted[1], repeated[1], rtol=1e-11, atol=1e-15)


def test_sample_weight_scale_is_irrelevant_and_ones_are_no_weights():
    # Without penalty: alpha is divided by sum(w), as in scikit-learn, so a
    # rescaling of the weights rescales the penalty.
    network, X, Y, sample_weight, flat = _small(alpha=0.0)
    base = network.loss_and_gradient(flat, X, Y, sample_weight)
    scaled = network.loss_and_gradient(flat, X, Y, 7.5 * sample_weight)
    assert scaled[0] == pytest.approx(base[0], rel=1e-13)
    assert_allclose(scaled[1], base[1], rtol=1e-12, atol=1e-15)
    ones = network.loss_and_gradient(flat, X, Y, np.ones(N_SAMPLES))
    none = network.loss_and_gradient(flat, X, Y, None)
    assert ones[0] == pytest.approx(none[0], rel=1e-14)
    assert_allclose(ones[1], none[1], rtol=1e-13, atol=1e-16)


def test_multi_output_loss_and_gradient_agree():
    # scikit-learn #8349: the reported loss and its gradient differ by a factor
    # n_outputs. Here the loss sums over outputs, so duplicating every output
    # doubles both the loss and the gradient.
    single = _network(1, "relu", 1, "identity", "squared_error")
    X, Y, _, flat = _problem(single, 5, weighted=False)
    double = _network(1, "relu", 2, "identity", "squared_error")
    coefs, intercepts = single.unpack(flat)
    coefs2 = [coefs[0], np.hstack([coefs[1], coefs[1]])]
    intercepts2 = [intercepts[0], np.repeat(intercepts[1], 2)]
    flat2 = double.pack(coefs2, intercepts2, np.float64)

    value1, grad1 = single.loss_and_gradient(flat, X, Y)
    value2, grad2 = double.loss_and_gradient(flat2, X, np.hstack([Y, Y]))

    assert value2 == pytest.approx(2 * value1, rel=1e-13)
    c1, b1 = single.unpack(grad1)
    c2, b2 = double.unpack(grad2)
    assert_allclose(c2[0], 2 * c1[0], rtol=1e-12)
    assert_allclose(c2[1], np.hstack([c1[1], c1[1]]), rtol=1e-12)
    assert_allclose(b2[0], 2 * b1[0], rtol=1e-12)
    assert_allclose(b2[1], np.repeat(b1[1], 2), rtol=1e-12)


def test_gradient_is_written_into_the_given_buffer():
    network, X, Y, sample_weight, flat = _small()
    buffer = np.full_like(flat, np.nan)
    _, grad = network.loss_and_gradient(flat, X, Y, sample_weight, buffer)
    assert grad is buffer
    assert np.all(np.isfinite(buffer))
    _, fresh = network.loss_and_gradient(flat, X, Y, sample_weight)
    assert_array_equal(buffer, fresh)


# ---- fused shortcut == generic chain rule ---------------------------------------


@dataclass
class GenericNetwork(Network):
    """The same network forced onto the generic chain-rule path."""

    @property
    def fused(self):
        return False


def test_fused_flag_follows_canonical_pairs():
    for output, loss in PAIRS:
        expected = (output, loss) in CANONICAL_PAIRS
        assert _network(1, "relu", 3, output, loss).fused is expected
    # Aliases resolve to the canonical name, so they take the shortcut too.
    net = Network(
        [2, 1], [], ACTIVATIONS.resolve("sigmoid"), LOSSES.resolve("binary_log_loss")
    )
    assert net.fused
    assert not Network([2, 1], [], ACTIVATIONS.resolve("identity")).fused


@pytest.mark.parametrize("depth", sorted(HIDDEN_SIZES))
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize(
    "output, loss", CANONICAL_PAIRS, ids=[f"{o}-{lo}" for o, lo in CANONICAL_PAIRS]
)
def test_fused_gradient_equals_generic_gradient(output, loss, weighted, depth):
    for n_outputs in _n_outputs_for(output):
        fused = _network(depth, "gelu", n_outputs, output, loss, alpha=0.1)
        assert fused.fused
        generic = GenericNetwork(**vars(fused))
        assert not generic.fused
        X, Y, sample_weight, flat = _problem(fused, 7, weighted)

        value_fused, grad_fused = fused.loss_and_gradient(flat, X, Y, sample_weight)
        value_generic, grad_generic = generic.loss_and_gradient(
            flat, X, Y, sample_weight
        )

        assert value_fused == pytest.approx(value_generic, rel=1e-12)
        assert_allclose(grad_fused, grad_generic, rtol=1e-10, atol=1e-14)


def test_fused_loss_stays_finite_where_probabilities_saturate():
    # Huge logits: the fused path evaluates the loss from z; the value must be
    # the exact softplus(z) - y z, not -log(eps).
    network = Network(
        [1, 1],
        [],
        ACTIVATIONS.resolve("logistic"),
        LOSSES.resolve("binary_crossentropy"),
    )
    flat = np.array([1.0, 0.0])
    X = np.array([[800.0], [-800.0]])
    Y = np.array([[0.0], [1.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value, grad = network.loss_and_gradient(flat, X, Y)
    assert value == pytest.approx(800.0, rel=1e-15)
    # d/dw mean(softplus(wx) - y wx) = mean((a - y) x) = (800 + 800) / 2
    assert_allclose(grad, [800.0, 0.0], rtol=1e-15, atol=1e-15)


# ---- parameter layout -----------------------------------------------------------


@pytest.mark.parametrize("depth", sorted(HIDDEN_SIZES))
def test_unpack_gives_views_in_scikit_learn_layout(depth):
    network = _network(depth, "relu", 3, "identity", "squared_error")
    units = network.layer_units
    assert network.n_params == sum(
        (i + 1) * o for i, o in zip(units[:-1], units[1:], strict=True)
    )
    flat = np.arange(network.n_params, dtype=float)

    coefs, intercepts = network.unpack(flat)

    assert [c.shape for c in coefs] == list(zip(units[:-1], units[1:], strict=True))
    assert [b.shape for b in intercepts] == [(o,) for o in units[1:]]
    assert_array_equal(sklearn_pack(coefs, intercepts), flat)
    for part in coefs + intercepts:
        assert np.shares_memory(part, flat)
    flat[...] = -1.0
    assert all(np.all(part == -1.0) for part in coefs + intercepts)


def test_pack_copies_and_round_trips():
    network = _network(2, "relu", 3, "identity", "squared_error")
    flat = np.random.RandomState(0).normal(size=network.n_params)
    coefs, intercepts = network.unpack(flat)

    packed = network.pack(coefs, intercepts, np.float64)
    assert_array_equal(packed, flat)
    assert not np.shares_memory(packed, flat)

    packed32 = network.pack(coefs, intercepts, np.float32)
    assert packed32.dtype == np.float32
    coefs32, intercepts32 = network.unpack(packed32)
    for ours, theirs in zip(coefs32 + intercepts32, coefs + intercepts, strict=True):
        assert ours.dtype == np.float32
        assert_allclose(ours, theirs, rtol=1e-7)


# ---- initialisation: scikit-learn's draws ---------------------------------------


def _sklearn_initial_params(hidden, layer_units, seed):
    """scikit-learn's _init_coef, by hand: Glorot uniform, coef then intercept per
    layer, factor 2 for logistic hidden units and 6 otherwise, for every layer."""
    rng = np.random.RandomState(seed)
    factor = 2.0 if hidden == "logistic" else 6.0
    coefs, intercepts = [], []
    for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:], strict=True):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(rng.uniform(-bound, bound, (fan_in, fan_out)))
        intercepts.append(rng.uniform(-bound, bound, fan_out))
    return coefs, intercepts


@pytest.mark.parametrize("depth", [1, 2])
@pytest.mark.parametrize("output", ["identity", "logistic", "softmax"])
@pytest.mark.parametrize("hidden", HIDDEN_NAMES)
def test_init_params_replicates_scikit_learn_draws(hidden, output, depth):
    network = _network(depth, hidden, 3, output, None)
    expected = _sklearn_initial_params(hidden, network.layer_units, seed=42)

    flat = network.init_params(np.random.RandomState(42), np.float64)

    coefs, intercepts = network.unpack(flat)
    for ours, theirs in zip(coefs + intercepts, expected[0] + expected[1], strict=True):
        assert_array_equal(ours, theirs)
    flat32 = network.init_params(np.random.RandomState(42), np.float32)
    assert flat32.dtype == np.float32
    assert_array_equal(flat32, flat.astype(np.float32))


def test_init_params_without_hidden_layer_matches_scikit_learn():
    network = Network([5, 1], [], ACTIVATIONS.resolve("logistic"))
    # MLPClassifier(hidden_layer_sizes=(), activation="relu") uses factor 6.
    expected = _sklearn_initial_params("relu", network.layer_units, seed=0)
    flat = network.init_params(
        np.random.RandomState(0), np.float64, [ACTIVATIONS.resolve("relu")]
    )
    assert_array_equal(flat, sklearn_pack(*expected))


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
def test_init_params_side_by_side_with_scikit_learn(activation):
    # A learning rate of 1e-300 leaves scikit-learn's initial weights
    # bit-for-bit unchanged by its one partial_fit step.
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(N_SAMPLES, N_FEATURES)), rng.randint(0, 2, N_SAMPLES)
    reference = MLPClassifier(
        hidden_layer_sizes=(4, 3),
        activation=activation,
        solver="sgd",
        learning_rate_init=1e-300,
        momentum=0.0,
        random_state=7,
    ).partial_fit(X, y, classes=[0, 1])
    network = _network(2, activation, 1, "logistic", None)

    flat = network.init_params(np.random.RandomState(7), np.float64)

    assert_array_equal(flat, sklearn_pack(reference.coefs_, reference.intercepts_))


# ---- prediction -----------------------------------------------------------------


@pytest.mark.parametrize("n_rows", [1, 4, 10, 12])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_predict_in_chunks_equals_one_pass(monkeypatch, n_rows, dtype):
    network = _network(2, "relu", 3, "softmax", None)
    rng = np.random.RandomState(3)
    flat = network.init_params(rng, dtype)
    X = rng.normal(size=(n_rows, N_FEATURES)).astype(dtype)
    coefs, intercepts = network.unpack(flat)
    one_pass = network.forward(X, coefs, intercepts)[1][-1]

    monkeypatch.setattr(skmlp._network, "PREDICT_CHUNK_ROWS", 4)
    chunked = network.predict(X, coefs, intercepts)

    assert chunked.shape == (n_rows, 3)
    assert chunked.dtype == dtype
    assert_allclose(chunked, one_pass, rtol=1e-6 if dtype == np.float32 else 1e-14)


@pytest.mark.parametrize("hidden", ["relu", "tanh", "gelu", "identity", "logistic"])
def test_lean_forward_gives_the_same_activations(hidden):
    network = _network(2, hidden, 3, "softmax", "categorical_crossentropy")
    rng = np.random.RandomState(4)
    flat = network.init_params(rng, np.float64)
    X = rng.normal(size=(7, N_FEATURES))
    coefs, intercepts = network.unpack(flat)
    zs, activations = network.forward(X, coefs, intercepts)

    lean_zs, lean_activations = network.forward(X, coefs, intercepts, lean=True)

    for a, lean_a in zip(activations, lean_activations, strict=True):
        assert_array_equal(lean_a, a)
    # Hidden layers whose backward does not read z drop it; the output keeps
    # its logits for the loss.
    in_place = not ACTIVATIONS.resolve(hidden).backward_uses_z
    assert [z is None for z in lean_zs] == [in_place, in_place, False]
    assert_array_equal(lean_zs[-1], zs[-1])


@pytest.mark.parametrize("hidden", ["relu", "gelu"])
def test_deep_equal_width_network_shares_input_gradient_buffers(hidden):
    # Three hidden layers of 4 units: layers 3 and 1 write their input gradient
    # into the same buffer, which must not corrupt the gradient.
    network = Network(
        [N_FEATURES, 4, 4, 4, 2],
        [ACTIVATIONS.resolve(hidden)] * 3,
        ACTIVATIONS.resolve("identity"),
        LOSSES.resolve("squared_error"),
        alpha=0.1,
    )
    X, Y, sample_weight, flat = _problem(network, 11, weighted=True)

    assert _gradient_mismatch(network, flat, X, Y, sample_weight) is None
    assert sum(key[0] == "grad_a" for key in network._buffers) == 2


def test_training_steps_reuse_their_buffers():
    # Full-batch steps must not allocate their big arrays anew (allocator page
    # faults measured 15-25% of an L-BFGS iteration) nor keep more of them than
    # they need: one pre-activation per layer, at most two input gradients per
    # width.
    network = _network(2, "relu", 3, "softmax", "categorical_crossentropy")
    X, Y, _, flat = _problem(network, 6, weighted=False)
    first_loss, first_grad = network.loss_and_gradient(flat, X, Y)
    buffers = {key: id(buffer) for key, buffer in network._buffers.items()}

    loss, grad = network.loss_and_gradient(flat, X, Y)

    assert {key: id(b) for key, b in network._buffers.items()} == buffers
    # Layers of 4 and 3 units: one input-gradient buffer for each, and a
    # transposed copy of each (small) weight matrix they multiply.
    kinds = ["coef_t", "coef_t", "grad_a", "grad_a", "z", "z", "z"]
    assert sorted(k[0] for k in buffers) == kinds
    assert loss == first_loss
    assert_array_equal(grad, first_grad)


@pytest.mark.parametrize("hidden", ["relu", "tanh"])
def test_input_gradient_with_and_without_transposed_copy(monkeypatch, hidden):
    # Small weight matrices are copied transposed before the input-gradient
    # GEMM, large ones are not; both paths give the gradient.
    network = _network(2, hidden, 3, "softmax", "categorical_crossentropy", 0.1)
    X, Y, weights, flat = _problem(network, 7, weighted=True)
    copied = network.loss_and_gradient(flat, X, Y, weights)[1].copy()
    assert any(key[0] == "coef_t" for key in network._buffers)

    monkeypatch.setattr(skmlp._network, "SMALL_COEF_SIZE", 0)
    network = _network(2, hidden, 3, "softmax", "categorical_crossentropy", 0.1)
    direct = network.loss_and_gradient(flat, X, Y, weights)[1]
    assert not any(key[0] == "coef_t" for key in network._buffers)
    assert_allclose(direct, copied, rtol=1e-12, atol=1e-15)
    assert not _gradient_mismatch(network, flat, X, Y, weights)


def test_predict_in_chunks_of_sparse_rows(monkeypatch):
    # Chunks of a CSR matrix stay sparse: the first layer cannot use a buffer.
    network = _network(2, "relu", 3, "softmax", None)
    rng = np.random.RandomState(5)
    flat = network.init_params(rng, np.float64)
    X = rng.normal(size=(10, N_FEATURES))
    X[X < 0.5] = 0.0
    coefs, intercepts = network.unpack(flat)
    dense = network.predict(X, coefs, intercepts)

    monkeypatch.setattr(skmlp._network, "PREDICT_CHUNK_ROWS", 4)
    chunked = network.predict(sp.csr_matrix(X), coefs, intercepts)

    assert_allclose(chunked, dense, rtol=1e-14)


def test_predict_needs_no_loss():
    network = Network(
        [5, 4, 2], [ACTIVATIONS.resolve("tanh")], ACTIVATIONS.resolve("identity")
    )
    flat = network.init_params(np.random.RandomState(0), np.float64)
    coefs, intercepts = network.unpack(flat)
    X = np.ones((2, 5))
    expected = np.tanh(X @ coefs[0] + intercepts[0]) @ coefs[1] + intercepts[1]
    assert_allclose(network.predict(X, coefs, intercepts), expected, rtol=1e-14)


# ---- float32 --------------------------------------------------------------------


@pytest.mark.parametrize("output, loss", PAIRS, ids=[f"{o}-{lo}" for o, lo in PAIRS])
@pytest.mark.parametrize("hidden", HIDDEN_NAMES)
def test_float32_in_float32_out(hidden, output, loss):
    network = _network(2, hidden, 3, output, loss, alpha=0.1)
    X, Y, sample_weight, flat = _problem(network, 11, weighted=True)
    cast = [a.astype(np.float32) for a in (X, Y, sample_weight, flat)]
    X32, Y32, sw32, flat32 = cast

    zs, activations = network.forward(X32, *network.unpack(flat32))
    value32, grad32 = network.loss_and_gradient(flat32, X32, Y32, sw32)
    value64, grad64 = network.loss_and_gradient(flat, X, Y, sample_weight)

    # Every intermediate stays float32 (no silent float64 hot path).
    assert {a.dtype for a in zs + activations} == {np.dtype(np.float32)}
    assert grad32.dtype == np.float32
    assert isinstance(value32, float)
    assert value32 == pytest.approx(value64, rel=1e-4, abs=1e-6)
    assert_allclose(grad32, grad64, rtol=2e-3, atol=1e-5)


def test_huber_delta_reaches_the_network():
    # A non-default instance is used as given (its delta changes the gradient).
    network = _network(1, "tanh", 3, "identity", Huber(delta=0.1))
    X, Y, _, flat = _problem(network, 2, weighted=False)
    _, grad_small = network.loss_and_gradient(flat, X, Y)
    numerical = _numerical_gradient(network, flat, X, Y, None)
    assert_allclose(grad_small, numerical, rtol=1e-5, atol=1e-8)
    network.loss = Huber(delta=10.0)
    _, grad_large = network.loss_and_gradient(flat, X, Y)
    assert not np.allclose(grad_small, grad_large)
