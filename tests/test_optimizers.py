"""Tests of skmlp.optimizers: pinned update rules, scikit-learn parity, convergence."""

import math
import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from skmlp.optimizers import OPTIMIZERS, SGD, Adam, AdamState, Optimizer, SGDState

W0 = [1.0, -2.0]
GRADS = [[0.5, -1.0], [2.0, 0.25], [-1.0, 4.0]]


def _run(optimizer, grads, learning_rate, params=W0, dtype=np.float64):
    """Parameters after each step, starting from ``params``."""
    w = np.array(params, dtype=dtype)
    state = optimizer.init(w)
    trajectory = []
    for g in grads:
        returned = optimizer.step(w, np.array(g, dtype=dtype), state, learning_rate)
        assert returned is state or type(returned) is type(state)
        state = returned
        trajectory.append(w.copy())
    return np.array(trajectory), state


# ---- update rules pinned by hand ------------------------------------------------


def test_sgd_without_momentum_is_plain_gradient_descent():
    # w <- w - 0.1 g
    expected = [[0.95, -1.9], [0.75, -1.925], [0.85, -2.325]]
    trajectory, state = _run(SGD(momentum=0.0), GRADS, 0.1)
    assert_allclose(trajectory, expected, rtol=1e-15, atol=1e-15)
    # Nesterov makes no difference without momentum.
    trajectory, _ = _run(SGD(momentum=0.0, nesterov=False), GRADS, 0.1)
    assert_allclose(trajectory, expected, rtol=1e-15, atol=1e-15)


def test_sgd_momentum_velocity_form():
    # v1 = -0.1 g1 = (-0.05, 0.1)
    # v2 = 0.9 v1 - 0.1 g2 = (-0.245, 0.065)
    # v3 = 0.9 v2 - 0.1 g3 = (-0.1205, -0.3415); w_t = w_{t-1} + v_t
    expected = [[0.95, -1.9], [0.705, -1.835], [0.5845, -2.1765]]
    trajectory, state = _run(SGD(momentum=0.9, nesterov=False), GRADS, 0.1)
    assert_allclose(trajectory, expected, rtol=1e-14, atol=1e-15)
    assert_allclose(state.velocity, [-0.1205, -0.3415], rtol=1e-14)


def test_sgd_nesterov_momentum():
    # Same velocities as above; w_t = w_{t-1} + 0.9 v_t - 0.1 g_t:
    # w1 = (1 - 0.045 - 0.05, -2 + 0.09 + 0.1)
    # w2 = (0.905 - 0.2205 - 0.2, -1.81 + 0.0585 - 0.025)
    # w3 = (0.4845 - 0.10845 + 0.1, -1.7765 - 0.30735 - 0.4)
    expected = [[0.905, -1.81], [0.4845, -1.7765], [0.47605, -2.48385]]
    trajectory, state = _run(SGD(momentum=0.9, nesterov=True), GRADS, 0.1)
    assert_allclose(trajectory, expected, rtol=1e-14, atol=1e-15)
    assert_allclose(state.velocity, [-0.1205, -0.3415], rtol=1e-14)


def test_sgd_uses_the_learning_rate_of_each_step():
    # The learning rate is an argument of step, so schedules can change it.
    optimizer, w = SGD(momentum=0.5, nesterov=False), np.array([1.0])
    state = optimizer.init(w)
    optimizer.step(w, np.array([1.0]), state, 0.1)  # v = -0.1
    optimizer.step(w, np.array([1.0]), state, 0.01)  # v = -0.05 - 0.01
    assert_allclose(w, [1.0 - 0.1 - 0.06], rtol=1e-15)


def test_adam_bias_corrected_steps():
    beta_1, beta_2, epsilon, lr = 0.9, 0.999, 1e-8, 0.01
    trajectory, state = _run(Adam(beta_1, beta_2, epsilon), GRADS, lr)

    # The first step is lr * sign(g) up to epsilon: the bias corrections of
    # m = 0.1 g and v = 0.001 g^2 cancel.
    assert_allclose(trajectory[0], [0.99, -1.99], rtol=1e-8)

    # Element by element, in scalar arithmetic.
    expected = []
    for i, w in enumerate(W0):
        m = v = 0.0
        column = []
        for t, g in enumerate((row[i] for row in GRADS), start=1):
            m = beta_1 * m + (1 - beta_1) * g
            v = beta_2 * v + (1 - beta_2) * g * g
            step_size = lr * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
            w = w - step_size * m / (math.sqrt(v) + epsilon)
            column.append(w)
        expected.append(column)
    assert_allclose(trajectory, np.array(expected).T, rtol=1e-14)

    assert state.t == 3
    g = np.array(GRADS)
    m3 = 0.1 * (0.81 * g[0] + 0.9 * g[1] + g[2])
    v3 = 0.001 * (0.999**2 * g[0] ** 2 + 0.999 * g[1] ** 2 + g[2] ** 2)
    assert_allclose(state.m, m3, rtol=1e-14)
    assert_allclose(state.v, v3, rtol=1e-14)


def test_adam_epsilon_bounds_the_step_at_zero_gradient():
    w = np.array([1.0, 2.0])
    optimizer = Adam(epsilon=1e-8)
    state = optimizer.step(w, np.zeros(2), optimizer.init(w), 0.1)
    assert_array_equal(w, [1.0, 2.0])
    assert state.t == 1


@pytest.mark.parametrize(
    "optimizer",
    [SGD(momentum=0.0), SGD(momentum=0.9), Adam()],
    ids=repr,
)
def test_optimizer_state_is_explicit_and_fresh(optimizer):
    w = np.array([1.0, -1.0])
    first, second = optimizer.init(w), optimizer.init(w)
    optimizer.step(w, np.array([1.0, 1.0]), first, 0.1)
    # Stepping one state leaves another untouched, and the optimizer holds none.
    for name, value in vars(second).items():
        assert np.all(value == 0), name
    assert set(vars(optimizer)) <= {
        "momentum",
        "nesterov",
        "beta_1",
        "beta_2",
        "epsilon",
    }


def test_state_types():
    w = np.zeros(3)
    assert isinstance(SGD().init(w), SGDState)
    adam_state = Adam().init(w)
    assert isinstance(adam_state, AdamState)
    assert adam_state.t == 0


def test_step_updates_params_in_place():
    for optimizer in (SGD(momentum=0.0), SGD(), Adam()):
        w = np.array([1.0, 2.0])
        view = w[:]
        optimizer.step(w, np.array([1.0, -1.0]), optimizer.init(w), 0.1)
        assert np.shares_memory(view, w)
        assert not np.array_equal(view, [1.0, 2.0])


# ---- side by side with scikit-learn ---------------------------------------------


def _random_problem(seed=0, n_steps=6):
    rng = np.random.RandomState(seed)
    shapes = [(3, 2), (2,), (2, 1), (1,)]
    params = [rng.normal(size=s) for s in shapes]
    grads = [[rng.normal(size=s) for s in shapes] for _ in range(n_steps)]
    return params, grads


def _flat(arrays):
    return np.concatenate([np.ravel(a) for a in arrays])


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_matches_scikit_learn(momentum, nesterov):
    params, grads = _random_problem()
    theirs = [p.copy() for p in params]
    reference = SGDOptimizer(
        theirs, learning_rate_init=0.05, momentum=momentum, nesterov=nesterov
    )
    ours = SGD(momentum=momentum, nesterov=nesterov)
    w = _flat(params)
    state = ours.init(w)
    for g in grads:
        reference.update_params(theirs, g)
        state = ours.step(w, _flat(g), state, 0.05)
        # The same operations in the same order: equal to the last bit.
        assert_array_equal(w, _flat(theirs))


@pytest.mark.parametrize(
    "beta_1, beta_2, epsilon", [(0.9, 0.999, 1e-8), (0.5, 0.9, 1e-3)]
)
def test_adam_matches_scikit_learn(beta_1, beta_2, epsilon):
    params, grads = _random_problem(seed=1)
    theirs = [p.copy() for p in params]
    reference = AdamOptimizer(
        theirs,
        learning_rate_init=0.01,
        beta_1=beta_1,
        beta_2=beta_2,
        epsilon=epsilon,
    )
    ours = Adam(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
    w = _flat(params)
    state = ours.init(w)
    for g in grads:
        reference.update_params(theirs, g)
        state = ours.step(w, _flat(g), state, 0.01)
        assert_array_equal(w, _flat(theirs))
    assert state.t == reference.t


# ---- every optimizer minimises (optax's alias_test pattern) ---------------------


def _quadratic_grad(w):
    # f(w) = (w_0^2 + 4 w_1^2) / 2, minimum at 0.
    return np.array([1.0, 4.0]) * w


def _rosenbrock_grad(w):
    # f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, minimum at (1, 1).
    x, y = w
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


PROBLEMS = {
    "quadratic": (_quadratic_grad, [1.5, -2.0], [0.0, 0.0], 1000, 1e-6),
    "rosenbrock": (_rosenbrock_grad, [0.0, 0.0], [1.0, 1.0], 10000, 2e-2),
}

# (id, optimizer, learning rate per problem)
CONVERGENCE_TABLE = [
    ("sgd", SGD(momentum=0.0), {"quadratic": 0.1, "rosenbrock": 1e-3}),
    ("sgd-momentum", SGD(0.9, nesterov=False), {"quadratic": 0.03, "rosenbrock": 1e-3}),
    ("sgd-nesterov", SGD(0.9, nesterov=True), {"quadratic": 0.03, "rosenbrock": 1e-3}),
    ("adam", Adam(), {"quadratic": 0.1, "rosenbrock": 1e-3}),
]


def test_convergence_table_covers_registry():
    covered = {opt.name for _, opt, _ in CONVERGENCE_TABLE}
    assert covered == {OPTIMIZERS.resolve(n).name for n in OPTIMIZERS.names()}


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize(
    "optimizer, learning_rates",
    [row[1:] for row in CONVERGENCE_TABLE],
    ids=[row[0] for row in CONVERGENCE_TABLE],
)
def test_optimizer_minimises(optimizer, learning_rates, problem):
    grad_fn, start, minimum, n_steps, tol = PROBLEMS[problem]
    w = np.array(start)
    state = optimizer.init(w)
    for _ in range(n_steps):
        state = optimizer.step(w, grad_fn(w), state, learning_rates[problem])
    assert_allclose(w, minimum, atol=tol)


# ---- dtypes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "optimizer", [SGD(momentum=0.0), SGD(nesterov=False), SGD(), Adam()], ids=repr
)
def test_float32_params_stay_float32(optimizer):
    trajectory32, state = _run(optimizer, GRADS, 0.01, dtype=np.float32)
    trajectory64, _ = _run(optimizer, GRADS, 0.01)
    assert trajectory32.dtype == np.float32
    for name, value in vars(state).items():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32, name
    assert_allclose(trajectory32, trajectory64, rtol=1e-6)


def test_registry():
    assert isinstance(OPTIMIZERS.resolve("sgd"), SGD)
    assert isinstance(OPTIMIZERS.resolve("adam"), Adam)
    mine = Adam(beta_1=0.8)
    resolved = OPTIMIZERS.resolve(mine)
    assert resolved is not mine and isinstance(resolved, Optimizer)
    assert resolved.beta_1 == 0.8
    assert repr(SGD(0.5, False)) == "SGD(momentum=0.5, nesterov=False)"
    with pytest.raises(ValueError, match=re.escape(f"Use one of {OPTIMIZERS.names()}")):
        OPTIMIZERS.resolve("rmsprop", "solver")
