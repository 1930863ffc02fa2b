"""Where one training epoch of skmlp spends its time.

Usage::

    python benchmarks/profile_epoch.py            # W1 (both dtypes), W5, W2, W3
    python benchmarks/profile_epoch.py --only W5 --cprofile
    python benchmarks/profile_epoch.py --quick    # smaller W1, for a smoke run

For each workload the script

1. times real ``fit`` epochs of skmlp and of scikit-learn (reference);
2. replays epochs step by step with skmlp's own components (the fitted
   ``Network`` pieces, activations, loss, optimizer) and a timer around every
   operation of the mini-batch loop, mirroring ``skmlp._solvers.fit_stochastic``
   and ``Network.loss_and_gradient``, and prints the time per category (GEMM,
   activations, loss, optimizer, batch gathering, Python glue). The replay's
   total is compared with the real epoch; a large gap means the replay no
   longer mirrors skmlp's loop and must be updated;
3. times candidate rewrites of the hottest non-GEMM operations on the same
   arrays ("what if"), and candidate Adam steps inside the replayed loop, to
   size each optimisation before anyone writes it;
4. with ``--cprofile``, lists the functions of a real one-epoch fit by own time.
"""

import argparse
import cProfile
import io
import math
import pstats
import statistics
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.linalg.blas import get_blas_funcs
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelBinarizer
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _workloads as wl  # noqa: E402

from skmlp._network import Network  # noqa: E402
from skmlp.losses import weighted_mean  # noqa: E402

PROFILES = {
    "W1": ("W1", ("float64", "float32")),
    "W2": ("W2", ("float64",)),
    "W3": ("W3", ("float64",)),
    "W5": ("W5", ("float64",)),
}

# Order of the categories in the breakdown table.
CATEGORIES = [
    "GEMM forward (a @ W)",
    "GEMM weight gradients (a.T @ delta)",
    "GEMM input gradients (delta @ W.T)",
    "bias add + bias gradient sum",
    "hidden activation forward",
    "hidden activation backward",
    "output activation forward",
    "output activation + loss value + mean",
    "output delta (a - y, x 1/n)",
    "L2 penalty (loss + gradient)",
    "optimizer step",
    "batch gathering (X[idx], Y[idx])",
    "shuffle",
    "unpack parameter views",
    "Python glue (untimed rest)",
]
GEMM_CATEGORIES = CATEGORIES[:3]
ADAM_CANDIDATES = [
    ("in place, one scratch vector", None),
    ("in place, blocks of 32768 parameters", 32768),
]


class Stopwatch:
    """Accumulates wall time per category: ``with clock("GEMM ..."): ...``."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self._category = None

    def __call__(self, category):
        self._category = category
        return self

    def __enter__(self):
        self._start = time.perf_counter()

    def __exit__(self, *exc):
        self.seconds[self._category] += time.perf_counter() - self._start


def replay_epoch(network, optimizer, params, opt_state, X, Y, batch_size, rng):
    """One epoch of ``fit_stochastic`` with every operation timed.

    Mirrors ``skmlp._solvers.fit_stochastic`` (shuffle, batch loop, optimizer
    step) and ``Network.loss_and_gradient`` (forward, fused canonical delta,
    backward); returns ``(total seconds, Stopwatch)``.
    """
    clock = Stopwatch()
    grad = np.empty_like(params)
    activations_fns = [*network.hidden_activations, network.output_activation]
    n_layers = len(activations_fns)
    started = time.perf_counter()
    with clock("shuffle"):
        order = np.arange(X.shape[0])
        rng.shuffle(order)
        sample_idx = np.arange(X.shape[0])[order]
    accumulated_loss = 0.0
    weights_end = network.n_weights
    for start in range(0, X.shape[0], batch_size):
        with clock("batch gathering (X[idx], Y[idx])"):
            batch = sample_idx[start : start + batch_size]
            X_batch, Y_batch = X.take(batch, axis=0), Y.take(batch, axis=0)
        with clock("unpack parameter views"):
            coefs, intercepts = network._cached_unpack(params)
            coef_grads, intercept_grads = network._cached_unpack(grad)
        zs, activations = [], [X_batch]
        for i, (act, coef, intercept) in enumerate(
            zip(activations_fns, coefs, intercepts, strict=True)
        ):
            with clock("GEMM forward (a @ W)"):
                z = network._matmul(activations[-1], coef, ("z", i))
            with clock("bias add + bias gradient sum"):
                z += intercept
            output = i == n_layers - 1
            in_place = not output and not act.backward_uses_z
            if output and network.fused:  # the loss computes the activation
                zs.append(z)
                break
            with clock(
                "output activation forward" if output else "hidden activation forward"
            ):
                a = act.forward(z, out=z) if in_place else act.forward(z)
            zs.append(None if in_place else z)
            activations.append(a)
        n = X_batch.shape[0]
        with clock("output activation + loss value + mean"):
            if network.fused:
                a, loss = network.loss.forward_from_logits(
                    Y_batch, zs[-1], network.output_activation
                )
            else:
                loss = weighted_mean(network.loss.value(Y_batch, a))
        with clock("output delta (a - y, x 1/n)"):
            if network.fused:
                delta = np.subtract(a, Y_batch, out=a)
            else:
                delta = network.output_activation.backward(
                    zs[-1], a, network.loss.gradient(Y_batch, a)
                )
            delta *= 1.0 / n
        if network.alpha:
            with clock("L2 penalty (loss + gradient)"):
                weights = params[:weights_end]
                loss += 0.5 * network.alpha * float(np.dot(weights, weights)) / n
        ones = network._ones_like_rows(delta)
        for i in range(n_layers - 1, -1, -1):
            with clock("GEMM weight gradients (a.T @ delta)"):
                np.matmul(activations[i].T, delta, out=coef_grads[i])
            with clock("bias add + bias gradient sum"):
                np.dot(ones, delta, out=intercept_grads[i])
            if i:
                with clock("GEMM input gradients (delta @ W.T)"):
                    key = ("grad_a", i % 2, coefs[i].shape[0])
                    grad_a = network._input_gradient(delta, coefs[i], key)
                with clock("hidden activation backward"):
                    delta = network.hidden_activations[i - 1].backward(
                        zs[i - 1], activations[i], grad_a
                    )
        if network.alpha:
            with clock("L2 penalty (loss + gradient)"):
                grad[:weights_end] += (network.alpha / n) * params[:weights_end]
        if not math.isfinite(loss):
            raise FloatingPointError("the replayed loss diverged")
        accumulated_loss += loss * n
        with clock("optimizer step"):
            opt_state = optimizer.step(params, grad, opt_state, 0.001)
    return time.perf_counter() - started, clock


class InPlaceAdam:
    """Candidate Adam step: skmlp's update rule without temporaries.

    Every intermediate goes into one scratch vector; with ``block`` the flat
    vector is updated in slices of that many parameters, so the 12 passes of a
    slice run while it is still in the L2 cache.
    """

    def __init__(self, optimizer, block=None):
        self.optimizer = optimizer
        self.block = block
        self._scratch = None

    def init(self, params):
        return self.optimizer.init(params)

    def step(self, params, grads, state, learning_rate):
        b1, b2 = self.optimizer.beta_1, self.optimizer.beta_2
        state.t += 1
        step_size = learning_rate * math.sqrt(1 - b2**state.t) / (1 - b1**state.t)
        block = self.block or params.size
        if self._scratch is None or self._scratch.size < min(block, params.size):
            self._scratch = np.empty(min(block, params.size), dtype=params.dtype)
        for start in range(0, params.size, block):
            part = slice(start, start + block)
            m, v, g, w = state.m[part], state.v[part], grads[part], params[part]
            scratch = self._scratch[: m.size]
            m *= b1
            np.multiply(g, 1 - b1, out=scratch)
            m += scratch
            v *= b2
            np.multiply(g, g, out=scratch)
            scratch *= 1 - b2
            v += scratch
            np.sqrt(v, out=scratch)
            scratch += self.optimizer.epsilon
            np.divide(m, scratch, out=scratch)
            scratch *= step_size
            w -= scratch
        return state


def check_same_update(optimizer, candidate, n_params, dtype):
    """Fail loudly if ``candidate`` does not compute ``optimizer``'s update."""
    rng = np.random.default_rng(0)
    params = rng.standard_normal(n_params).astype(dtype)
    expected, actual = params.copy(), params.copy()
    states = [optimizer.init(params), optimizer.init(params)]
    for _ in range(3):
        grads = rng.standard_normal(n_params).astype(dtype)
        # A step may use its gradient as scratch space: each gets its own copy.
        optimizer.step(expected, grads.copy(), states[0], 0.001)
        candidate.step(actual, grads.copy(), states[1], 0.001)
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


def replay_epochs(network, optimizer, X, Y, batch_size, replays):
    """Best total and best per-category seconds over ``replays`` epochs."""
    results = []
    for seed in range(replays):
        params = network.init_params(np.random.RandomState(seed), X.dtype)
        results.append(
            replay_epoch(
                network,
                optimizer,
                params,
                optimizer.init(params),
                X,
                Y,
                batch_size,
                np.random.RandomState(seed),
            )
        )
    # Another process can stall any operation: keep each category's best epoch.
    total = min(result[0] for result in results)
    seconds = {
        category: min(result[1].seconds.get(category, 0.0) for result in results)
        for category in CATEGORIES
    }
    seconds["Python glue (untimed rest)"] = max(0.0, total - sum(seconds.values()))
    return total, seconds


def fitted_network(estimator):
    """The training ``Network`` of a fitted skmlp estimator."""
    return Network(
        wl.fitted_units(estimator),
        estimator.activations_,
        estimator.output_activation_,
        estimator.loss_function_,
        estimator.alpha,
    )


def real_epochs(library, workload, X, y, quick, repeats):
    """Seconds per epoch of real fits (``fit`` time / ``n_iter_``)."""
    times = []
    for _ in range(repeats):
        estimator = workload.estimator(library, quick=quick)
        start = time.perf_counter()
        estimator.fit(X, y)
        times.append((time.perf_counter() - start) / estimator.n_iter_)
    return times, estimator


def what_if(network, params, X, Y, batch_size, n_batches):
    """Per-epoch seconds of current operations and of candidate rewrites.

    Each row times what ``fit_stochastic`` / ``Network.loss_and_gradient`` do
    now against a rewrite not (or no longer) adopted, on the same cache-hot
    arrays; a rewrite that wins here still has to win inside the real loop.
    """
    rng = np.random.default_rng(0)
    batch = rng.permutation(X.shape[0])[:batch_size]
    X_buffer = np.empty((batch_size, X.shape[1]), dtype=X.dtype)
    coefs, intercepts = network.unpack(params)
    zs, activations = network.forward(X[batch], coefs, intercepts)
    Y_batch = Y[batch]
    z_hidden, bias = zs[0], intercepts[0]
    ones_rows = np.ones(batch_size, dtype=z_hidden.dtype)
    ger = get_blas_funcs("ger", dtype=z_hidden.dtype)
    delta = activations[-1] - Y_batch
    intercept_grad = np.empty(delta.shape[1], dtype=delta.dtype)
    ones = np.ones(len(delta), dtype=delta.dtype)
    candidates = [
        (
            "batch gathering (X.take)",
            lambda: X.take(batch, axis=0),
            "np.take(X, idx, axis=0, out=buffer)",
            lambda: np.take(X, batch, axis=0, out=X_buffer),
        ),
        (
            "bias add (z += b)",
            lambda: np.add(z_hidden, bias, out=z_hidden),
            "BLAS ger, z += 1 b^T",
            lambda: ger(1.0, bias, ones_rows, a=z_hidden.T, overwrite_a=True),
        ),
        (
            "bias gradient sum (GEMV with ones)",
            lambda: np.dot(ones, delta, out=intercept_grad),
            "np.add.reduce(delta, axis=0, out=...)",
            lambda: np.add.reduce(delta, axis=0, out=intercept_grad),
        ),
    ]
    rows = []
    for name, current, alternative_name, alternative in candidates:
        seconds = [best_of(fn) * n_batches for fn in (current, alternative)]
        rows.append((name, seconds[0], alternative_name, seconds[1]))
    return rows


def best_of(fn, min_time=0.05):
    """Best per-call seconds of ``fn`` over 5 blocks of at least ``min_time``."""
    fn()
    best = math.inf
    for _ in range(5):
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < min_time:
            fn()
            count += 1
        best = min(best, (time.perf_counter() - start) / count)
    return best


def profile(key, dtype, args):
    workload = wl.FIT_WORKLOADS[key]
    X, y = workload.data(quick=args.quick)[:2]
    X = X.astype(dtype)
    repeats = 1 if key == "W1" else 3
    # A real fit first: the timing reference, and the fitted components.
    skmlp_epochs, estimator = real_epochs("skmlp", workload, X, y, args.quick, repeats)
    batch_size = estimator.batch_size
    if batch_size == "auto":
        batch_size = min(200, X.shape[0])
    n_batches = -(-X.shape[0] // batch_size)
    sklearn_epochs, _ = real_epochs("sklearn", workload, X, y, args.quick, repeats)
    network = fitted_network(estimator)
    optimizer = estimator.optimizer_
    if workload.task == "classification":
        Y = LabelBinarizer().fit_transform(y).astype(dtype)
    else:
        Y = y.reshape(-1, 1).astype(dtype)

    total, seconds = replay_epochs(network, optimizer, X, Y, batch_size, args.replays)

    real = statistics.median(skmlp_epochs)
    reference = statistics.median(sklearn_epochs)
    title = f"{key} {workload.name} {dtype}: {X.shape[0]}x{X.shape[1]}, "
    title += f"hidden {estimator.hidden_layer_sizes}, batch {batch_size}"
    lines = [f"### {title}", ""]
    lines.append(
        f"Real fit: skmlp {1e3 * real:.2f} ms/epoch, scikit-learn "
        f"{1e3 * reference:.2f} ms/epoch (ratio {real / reference:.2f}). Replayed "
        f"epoch: {1e3 * total:.2f} ms, {100 * total / real:.0f}% of the real one "
        "(the gap is timer overhead, fit's fixed costs and drift)."
    )
    lines += ["", "| category | ms/epoch | share | us/batch |", "|---|---|---|---|"]
    gemm = sum(seconds[c] for c in GEMM_CATEGORIES)
    totals = [("**all GEMMs**", gemm), ("**everything but GEMMs**", total - gemm)]
    for category, value in [*((c, seconds[c]) for c in CATEGORIES), *totals]:
        lines.append(
            f"| {category} | {1e3 * value:.2f} | {100 * value / total:.1f}% | "
            f"{1e6 * value / n_batches:.1f} |"
        )
    lines += [
        "",
        "What if (same arrays, per epoch):",
        "",
        "| operation | now ms/epoch | candidate | candidate ms/epoch | saving |",
        "|---|---|---|---|---|",
    ]
    params = network.init_params(np.random.RandomState(0), X.dtype)
    for name, now, candidate, then in what_if(
        network, params, X, Y, batch_size, n_batches
    ):
        lines.append(
            f"| {name} | {1e3 * now:.2f} | {candidate} | {1e3 * then:.2f} | "
            f"{100 * (now - then) / total:.1f}% of the epoch |"
        )
    lines += [
        "",
        "Optimizer step inside replayed epochs (same loop, other step function):",
        "",
        "| Adam step | ms/epoch | us/step | saving |",
        "|---|---|---|---|",
        f"| skmlp's `Adam.step` | {1e3 * seconds['optimizer step']:.2f} | "
        f"{1e6 * seconds['optimizer step'] / n_batches:.1f} | - |",
    ]
    for label, block in ADAM_CANDIDATES:
        candidate = InPlaceAdam(optimizer, block)
        check_same_update(optimizer, candidate, network.n_params, X.dtype)
        step = replay_epochs(network, candidate, X, Y, batch_size, args.replays)[1][
            "optimizer step"
        ]
        saving = seconds["optimizer step"] - step
        lines.append(
            f"| {label} | {1e3 * step:.2f} | {1e6 * step / n_batches:.1f} | "
            f"{100 * saving / total:.1f}% of the epoch |"
        )
    lines.append("")
    if args.cprofile:
        lines += cprofile_lines(workload, X, y, args)
    return "\n".join(lines)


def cprofile_lines(workload, X, y, args):
    estimator = workload.estimator("skmlp", quick=args.quick).set_params(max_iter=1)
    profiler = cProfile.Profile()
    profiler.runcall(estimator.fit, X, y)
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(15)
    return [
        "cProfile of a real 1-epoch fit (own time):",
        "",
        "```",
        stream.getvalue().strip(),
        "```",
        "",
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="W1,W5,W2,W3", help="among W1, W2, W3, W5")
    parser.add_argument("--dtype", help="only this dtype (float64 or float32)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    parser.add_argument("--replays", type=int, default=3, help="replayed epochs")
    parser.add_argument("--quick", action="store_true", help="smaller W1")
    parser.add_argument("--cprofile", action="store_true", help="add cProfile")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    with threadpool_limits(args.threads):
        for key in args.only.upper().split(","):
            workload_key, dtypes = PROFILES[key.strip()]
            for dtype in dtypes:
                if args.dtype in (None, dtype):
                    print(profile(workload_key, dtype, args), flush=True)


if __name__ == "__main__":
    main()
