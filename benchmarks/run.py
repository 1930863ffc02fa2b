"""Train skmlp and scikit-learn's MLP side by side and write a Markdown report.

Usage::

    python benchmarks/run.py                  # full run (about 10 minutes)
    python benchmarks/run.py --quick          # smoke run (under a minute)
    python benchmarks/run.py --only W1,W5 --repeats 5 --out results.md

Both libraries train in the same process, on the same data, with the same
settings and ``random_state``; each repeat alternates which library goes first so
that a slow drift of the shared machine's speed hits both alike. When torch can be
imported, a hand-written PyTorch loop (``_torch.py``) joins the fixed-epoch Adam
workloads as a third contender. BLAS (and torch) run on ``--threads`` threads.
Peak memory is measured in a fresh subprocess per (workload, library, dtype),
outside the timed runs. See ``benchmarks/README.md`` for the workloads and how to
read the table.
"""

import argparse
import datetime
import gc
import os
import pickle
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
import warnings
from concurrent.futures import ProcessPoolExecutor
from itertools import pairwise
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from threadpoolctl import threadpool_info, threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _torch  # noqa: E402
import _workloads as wl  # noqa: E402

from skmlp.optimizers import Adam  # noqa: E402

# W7 selects both L-BFGS workloads, W7a and W7b.
SELECTABLE = ("W1", "W2", "W3", "W5", "W6", "W7", "P")
# Issue 4's speed targets: skmlp time / scikit-learn time, median. Keyed by
# (workload, dtype): a dtype without an entry (W2 float32) shows its ratio only.
TARGETS = {
    ("W1", "float64"): 0.75,
    ("W1", "float32"): 0.6,
    ("W2", "float64"): 0.6,
    ("W3", "float64"): 0.5,
    ("W5", "float64"): 0.4,
    ("W7a", "float64"): 1.0,
    ("W7b", "float64"): 1.0,
}
MIB = 2**20
PRELOAD = [
    "numpy",
    "scipy.special",
    "sklearn.datasets",
    "sklearn.model_selection",
    "sklearn.neural_network",
    "threadpoolctl",
]


def log(message):
    print(message, file=sys.stderr, flush=True)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run (< 60 s)")
    parser.add_argument(
        "--only",
        default=",".join(SELECTABLE),
        help="comma-separated workloads among %(default)s (P = parity checks)",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed repeats of W1, W6 and W7"
    )
    parser.add_argument(
        "--small-repeats",
        type=int,
        default=5,
        help="timed repeats of the small workloads W2, W3 and W5",
    )
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the peak-memory subprocesses"
    )
    parser.add_argument("--out", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    args.only = [key.strip().upper() for key in args.only.split(",") if key.strip()]
    unknown = sorted(set(args.only) - set(SELECTABLE))
    if unknown:
        parser.error(
            f"unknown workload(s) {unknown}; choose among {list(SELECTABLE)} "
            "(W4, the perceptron, is benchmarks/bench_perceptron.py)."
        )
    if min(args.repeats, args.small_repeats) < 1:
        parser.error("--repeats and --small-repeats must be >= 1")
    return args


# ---- the machine ----------------------------------------------------------------


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_description():
    """The BLAS libraries threadpoolctl sees, with the kernel they run."""
    parts = []
    for info in threadpool_info():
        if info["user_api"] != "blas":
            continue
        library = Path(info["filepath"]).name.split("-")[0].split(".")[0]
        parts.append(
            f"{library} {info.get('version')} ({info['internal_api']}, kernel "
            f"{info.get('architecture')}, {info['num_threads']} thread(s))"
        )
    return "; ".join(parts)


def torch_status(threads):
    """torch's version and threads and where it runs, or why it is skipped."""
    status = _torch.status(threads)
    if _torch.load_torch() is None:
        return status
    keys = [w.key for w in wl.FIT_WORKLOADS.values() if w.torch]
    return f"{status}; a contender in {', '.join(keys)}"


def machine_lines(args):
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    versions = ", ".join(f"{k} {v}" for k, v in wl.versions().items())
    return [
        f"- date: {datetime.datetime.now().isoformat(timespec='minutes')}",
        f"- CPU: {cpu_model()}, {os.cpu_count()} logical cores",
        f"- {versions}",
        f"- BLAS: {blas_description()}",
        f"- torch: {torch_status(args.threads)}",
        f"- OPENBLAS_CORETYPE={coretype or '(unset)'}, "
        f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE') or '(unset)'}",
        f"- run: {'--quick ' if args.quick else ''}--repeats {args.repeats} "
        f"--small-repeats {args.small_repeats} --threads {args.threads}",
    ]


# ---- timing -----------------------------------------------------------------------


def alternating(repeats, offset=0, libraries=wl.LIBRARIES):
    """``(repeat, library)`` pairs; the libraries' order rotates every repeat."""
    libraries = list(libraries)
    for repeat in range(repeats):
        shift = (repeat + offset) % len(libraries)
        for library in libraries[shift:] + libraries[:shift]:
            yield repeat, library


def timed(function, *args):
    gc.collect()
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def paired_ratios(times, reference="sklearn"):
    """skmlp / ``reference`` per repeat: both ran in it, so drift cancels."""
    return [a / b for a, b in zip(times["skmlp"], times[reference], strict=True)]


def score(estimator, task, X, y):
    if task == "regression":
        return r2_score(y, estimator.predict(X))
    return float(np.mean(estimator.predict(X) == y))


def format_score(value, task):
    return f"R^2 {value:.4f}" if task == "regression" else f"acc {100 * value:.2f}%"


def fixed_epoch_workload(workload, dtype, args, data):
    """Time ``fit`` of a fixed-length workload; return result rows and models.

    Fixed epochs (W1, W3, W5: skmlp, scikit-learn and, when importable, torch)
    or fixed L-BFGS iterations (W7a, W7b); the time unit is per ``n_iter_``.
    """
    X_train, y_train, X_test, y_test = (
        a.astype(dtype) if a.dtype.kind == "f" and a.ndim == 2 else a for a in data
    )
    # W1 and W7 fits take seconds; the others a fraction of a second.
    long_fits = workload.key == "W1" or workload in wl.LBFGS_WORKLOADS
    repeats = args.repeats if long_fits else args.small_repeats
    libraries = workload.libraries()
    per = workload.iteration
    gemm_epoch = None
    if workload.key == "W1":
        settings = workload.settings(args.quick)
        gemm_epoch = GemmEpoch(
            wl.layer_units(784, settings["hidden_layer_sizes"], 10),
            settings["batch_size"],
            X_train.shape[0],
            dtype,
        )
    times = {lib: [] for lib in libraries}
    gemm_times, gemm_adam_times = [], []
    models, n_iter = {}, {}
    for repeat, library in alternating(repeats, libraries=libraries):
        estimator = workload.estimator(library, quick=args.quick)
        elapsed, _ = timed(estimator.fit, X_train, y_train)
        n_iter[library] = estimator.n_iter_
        times[library].append(elapsed / estimator.n_iter_)
        models[library] = estimator
        log(
            f"  [{workload.key} {dtype}] repeat {repeat + 1}/{repeats} {library:7s} "
            f"{elapsed:7.2f} s ({elapsed / estimator.n_iter_:.3f} s/{per}, "
            f"n_iter_ {estimator.n_iter_})"
        )
        if gemm_epoch and all(len(t) == repeat + 1 for t in times.values()):
            gemm_times.append(timed(gemm_epoch.run)[0])
            gemm_adam_times.append(timed(gemm_epoch.run, True)[0])
    units = wl.fitted_units(models["skmlp"])
    rows = []
    for library in libraries:
        value = score(models[library], workload.task, X_test, y_test)
        row = {
            "key": workload.key,
            "workload": workload.name,
            "library": library,
            "dtype": dtype,
            "unit": f"s/{per} ({n_iter[library]} {per}s)",
            "times": times[library],
            "samples": X_train.shape[0],
            "flops": 6 * wl.n_weights(units) * X_train.shape[0],
            "score": format_score(value, workload.task),
            "ratios": paired_ratios(times) if library == "skmlp" else None,
        }
        if library == "skmlp" and "torch" in times:
            row["torch_ratios"] = paired_ratios(times, "torch")
        # The roofline times numpy's GEMMs; torch runs its own (MKL's).
        if library in wl.LIBRARIES:
            row["gemm_fractions"] = [
                g / t for g, t in zip(gemm_times, times[library], strict=False)
            ]
            row["gemm_adam_fractions"] = [
                g / t for g, t in zip(gemm_adam_times, times[library], strict=False)
            ]
        rows.append(row)
    return rows, models


def digits_workload(args, dtype):
    """W2: fit to convergence on 5 seeds; return rows and per-seed accuracies.

    ``--quick`` times each seed once (still 5 back-to-back pairs).
    """
    workload = wl.W2
    repeats = 1 if args.quick else args.small_repeats
    data = {}
    for seed in workload.seeds:
        X_train, y_train, X_test, y_test = workload.data(seed=seed)
        data[seed] = X_train.astype(dtype), y_train, X_test.astype(dtype), y_test
    totals = {lib: [0.0] * repeats for lib in wl.LIBRARIES}
    pairs = {lib: [] for lib in wl.LIBRARIES}
    n_iter = {lib: {} for lib in wl.LIBRARIES}
    accuracy = {lib: {} for lib in wl.LIBRARIES}
    for seed in workload.seeds:
        X_train, y_train, X_test, y_test = data[seed]
        for repeat, library in alternating(repeats, offset=seed):
            estimator = workload.estimator(library, seed=seed)
            elapsed, _ = timed(estimator.fit, X_train, y_train)
            totals[library][repeat] += elapsed
            pairs[library].append(elapsed)
            n_iter[library][seed] = estimator.n_iter_
            accuracy[library][seed] = score(estimator, "classification", X_test, y_test)
        log(f"  [W2 {dtype}] seed {seed}: {n_iter['skmlp'][seed]} epochs")
    n_seeds = len(workload.seeds)
    n_train = data[0][0].shape[0]
    flops_per_sample = 6 * wl.n_weights(wl.fitted_units(estimator))
    rows = []
    for library in wl.LIBRARIES:
        mean_epochs = sum(n_iter[library].values()) / n_seeds
        median_accuracy = statistics.median(accuracy[library].values())
        rows.append(
            {
                "key": "W2",
                "workload": workload.name,
                "library": library,
                "dtype": dtype,
                "unit": f"s/fit (mean {mean_epochs:.0f} epochs, {n_seeds} seeds)",
                "times": [t / n_seeds for t in totals[library]],
                "samples": n_train * mean_epochs,
                "flops": flops_per_sample * n_train * mean_epochs,
                "score": f"acc {100 * median_accuracy:.2f}% (median)",
                "ratios": paired_ratios(pairs) if library == "skmlp" else None,
            }
        )
    return rows, accuracy


def predict_workload(models, args):
    """W6: predict_proba of W1's float32 models on many float32 rows."""
    n_rows = wl.PREDICT_ROWS["quick" if args.quick else "full"]
    X = wl.predict_rows(n_rows, models["skmlp"].n_features_in_)
    times = {lib: [] for lib in wl.LIBRARIES}
    for repeat, library in alternating(args.repeats):
        elapsed, proba = timed(models[library].predict_proba, X)
        times[library].append(elapsed)
        del proba
        log(f"  [W6] repeat {repeat + 1}/{args.repeats} {library:7s} {elapsed:.2f} s")
    units = wl.fitted_units(models["skmlp"])
    return [
        {
            "key": "W6",
            "workload": "predict_proba",
            "library": library,
            "dtype": "float32",
            "unit": f"s/call ({n_rows:,} rows)",
            "times": times[library],
            "samples": n_rows,
            "flops": 2 * wl.n_weights(units) * n_rows,
            "score": "-",
            "ratios": paired_ratios(times) if library == "skmlp" else None,
        }
        for library in wl.LIBRARIES
    ]


# ---- GEMM roofline ------------------------------------------------------------------


def gemm_operands(m, k, n, dtype, transposed, rng):
    """``A (m, k)`` and ``B (k, n)`` laid out as in training (``.T`` views)."""
    if transposed == "A":
        return rng.random((k, m), dtype=dtype).T, rng.random((k, n), dtype=dtype)
    if transposed == "B":
        return rng.random((m, k), dtype=dtype), rng.random((n, k), dtype=dtype).T
    return rng.random((m, k), dtype=dtype), rng.random((k, n), dtype=dtype)


def step_gemms(units, batch):
    """``(m, k, n, transposed)`` of every matmul in one training step.

    Forward ``a @ W``, weight gradients ``a.T @ delta`` and input gradients
    ``delta @ W.T`` for every layer but the first (neither library computes the
    gradient with respect to ``X``).
    """
    layers = list(pairwise(units))
    forward = [(batch, fan_in, fan_out, None) for fan_in, fan_out in layers]
    weights = [(fan_in, batch, fan_out, "A") for fan_in, fan_out in layers]
    inputs = [(batch, fan_out, fan_in, "B") for fan_in, fan_out in layers[1:]]
    return forward + weights + inputs


def time_gemms(operands, min_time):
    """Best-of-3 seconds of running every matmul in ``operands`` once."""
    for a, b in operands:
        a @ b
    best = np.inf
    for _ in range(3):
        count, start = 0, time.perf_counter()
        while True:
            for a, b in operands:
                a @ b
            count += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        best = min(best, elapsed / count)
    return best


class GemmEpoch:
    """Only the matmuls of one training epoch: the GEMM-bound epoch time.

    Timed in every W1 repeat, next to the fits, so the fraction of an epoch that
    the GEMMs alone would need is a paired measurement too. ``run(adam=True)``
    adds skmlp's Adam step over all parameters after every batch's GEMMs: a
    floor for a NumPy implementation of the same training (GEMMs at the BLAS
    peak, an Adam update of about nine passes over the parameters with a square
    root and a division, and no other work at all).
    """

    def __init__(self, units, batch, n_samples, dtype):
        rng = np.random.default_rng(0)
        self.operands = [
            gemm_operands(m, k, n, dtype, t, rng)
            for m, k, n, t in step_gemms(units, batch)
        ]
        self.n_batches = -(-n_samples // batch)
        n_params = sum((i + 1) * o for i, o in pairwise(units))
        self.params = rng.standard_normal(n_params).astype(dtype)
        self.grads = (1e-3 * rng.standard_normal(n_params)).astype(dtype)

    def run(self, adam=False):
        optimizer = Adam()
        state = optimizer.init(self.params)
        for _ in range(self.n_batches):
            for a, b in self.operands:
                a @ b
            if adam:
                state = optimizer.step(self.params, self.grads, state, 1e-3)


def roofline(args, units, batch):
    """Markdown rows: matmul GFLOP/s at W1's step shapes and at 2048^3."""
    rng = np.random.default_rng(0)
    min_time = 0.02 if args.quick else 0.1
    shapes = step_gemms(units, batch)
    big = 1024 if args.quick else 2048
    rows = []
    for dtype in ("float64", "float32"):
        ops = [gemm_operands(m, k, n, dtype, t, rng) for m, k, n, t in shapes]
        for (m, k, n, t), op in zip(shapes, ops, strict=True):
            seconds = time_gemms([op], min_time)
            label = f"({m}x{k}{'^T' if t == 'A' else ''}) @ "
            label += f"({k}x{n}{'^T' if t == 'B' else ''})"
            rows.append([dtype, label, f"{2 * m * k * n / seconds / 1e9:.1f}"])
        seconds = time_gemms(ops, min_time)
        flops = sum(2 * m * k * n for m, k, n, _ in shapes)
        rows.append(
            [
                dtype,
                f"all {len(ops)} GEMMs of one W1 step",
                f"{flops / seconds / 1e9:.1f}",
            ]
        )
        op = gemm_operands(big, big, big, dtype, None, rng)
        seconds = time_gemms([op], min_time)
        rows.append([dtype, f"{big}^3", f"{2 * big**3 / seconds / 1e9:.1f}"])
        log(f"  [roofline] {dtype} done")
    return rows


# ---- peak memory ----------------------------------------------------------------


def _status_kib(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def peak_memory(run):
    """Peak traced (Python + NumPy) allocations and peak RSS growth of ``run()``.

    The RSS peak is reset through ``/proc/self/clear_refs`` (Linux); where that
    is impossible the RSS column is left empty.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        rss_before = _status_kib("VmRSS")
    except (OSError, KeyError):
        rss_before = None
    tracemalloc.start()
    run()
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = None if rss_before is None else (_status_kib("VmHWM") - rss_before) / 1024
    return {"traced": traced_peak / MIB, "rss": rss}


def memory_child(spec):
    """Peak memory of one fit (or W6 predict), run in a fresh worker process."""
    cache = Path(spec["cache"])
    warnings.simplefilter("ignore", ConvergenceWarning)
    if spec["library"] == "torch":
        # Import torch and pay its one-time set-up before the measurement.
        _torch.set_threads(spec["threads"])
        _torch.warm_up()
    with threadpool_limits(spec["threads"]):
        if spec["key"] == "W6":
            with open(cache / f"W6_{spec['library']}.pkl", "rb") as file:
                model = pickle.load(file)
            X = wl.predict_rows(spec["rows"], model.n_features_in_)
            return peak_memory(lambda: model.predict_proba(X))
        workload = wl.FIT_WORKLOADS[spec["key"]]
        X = np.load(cache / f"{spec['key']}_X.npy").astype(spec["dtype"])
        y = np.load(cache / f"{spec['key']}_y.npy")
        estimator = workload.estimator(spec["library"], quick=spec["quick"])
        if spec["max_iter"]:
            estimator.set_params(max_iter=spec["max_iter"])
        memory = peak_memory(lambda: estimator.fit(X, y))
        if spec["library"] == "torch":
            # torch's allocator bypasses tracemalloc: only the RSS is meaningful.
            memory["traced"] = None
        return memory


def measure_memory(rows, cache, args):
    """Fill ``row["memory"]``, each row measured in a new process.

    Workers fork from a forkserver that has only imported the libraries, so they
    start without the timing runs' heap and without paying the imports again.
    """
    method = "forkserver" if "forkserver" in get_all_start_methods() else "spawn"
    context = get_context(method)
    if method == "forkserver":
        # Named explicitly: Python 3.11's forkserver does not preload __main__.
        context.set_forkserver_preload(PRELOAD)
    # Memory peaks in W1's first epoch, and within W7's first L-BFGS iterations
    # (SciPy allocates the whole history up front): the rest of the fit would
    # only take time.
    max_iter = {"W1": 1, "W7a": 10, "W7b": 10}
    for row in rows:
        if args.quick and row["library"] == "torch":
            # Each torch worker imports and warms up torch (seconds): a smoke run
            # leaves torch's memory out to stay under a minute.
            continue
        spec = {
            "key": row["key"],
            "library": row["library"],
            "dtype": row["dtype"],
            "cache": str(cache),
            "threads": args.threads,
            "quick": args.quick,
            "max_iter": max_iter.get(row["key"]),
            "rows": row["samples"] if row["key"] == "W6" else None,
        }
        with ProcessPoolExecutor(1, mp_context=context) as executor:
            row["memory"] = executor.submit(memory_child, spec).result()
        log(f"  [memory] {row['key']} {row['library']} {row['dtype']}: {row['memory']}")


# ---- parity -------------------------------------------------------------------------


def regression_parity(args):
    """Median test R^2 over 5 seeds of default regressors, both libraries."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.datasets import load_diabetes, make_friedman1
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    n = 600 if args.quick else 2000
    datasets = {
        f"friedman1 ({n} rows)": make_friedman1(n, noise=1.0, random_state=0),
        "diabetes (y standardised too)": load_diabetes(return_X_y=True),
    }
    results = {}
    for name, (X, y) in datasets.items():
        scores = {lib: [] for lib in wl.LIBRARIES}
        for seed in range(5):
            X_train, X_test, y_train, y_test = train_test_split(
                X, y, test_size=0.25, random_state=seed
            )
            for library in wl.LIBRARIES:
                regressor = wl.ESTIMATORS[library, "regression"](random_state=seed)
                if name.startswith("diabetes"):
                    regressor = TransformedTargetRegressor(
                        regressor, transformer=StandardScaler()
                    )
                model = make_pipeline(StandardScaler(), regressor)
                model.fit(X_train, y_train)
                scores[library].append(model.score(X_test, y_test))
        results[name] = {lib: statistics.median(s) for lib, s in scores.items()}
        log(f"  [parity] {name} done")
    return results


def parity_rows(digits_accuracy, regression):
    rows = []
    if digits_accuracy:
        medians = {
            lib: 100 * statistics.median(acc.values())
            for lib, acc in digits_accuracy.items()
        }
        diff = medians["skmlp"] - medians["sklearn"]
        rows.append(
            [
                "digits (5 seeds)",
                "test accuracy, %",
                f"{medians['skmlp']:.2f}",
                f"{medians['sklearn']:.2f}",
                f"{diff:+.2f} points",
                "1 point",
                "ok" if abs(diff) <= 1 else "FAIL",
            ]
        )
    for name, medians in regression.items():
        diff = medians["skmlp"] - medians["sklearn"]
        rows.append(
            [
                f"{name} (5 seeds)",
                "test R^2",
                f"{medians['skmlp']:.4f}",
                f"{medians['sklearn']:.4f}",
                f"{diff:+.4f}",
                "0.02",
                "ok" if abs(diff) <= 0.02 else "FAIL",
            ]
        )
    return rows


# ---- the report -----------------------------------------------------------------


def markdown_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def result_cells(row, with_torch=False):
    """One table row; ``with_torch`` adds the skmlp/torch column."""
    times = row["times"]
    median = statistics.median(times)
    memory = row.get("memory")
    if memory is None:
        memory_cell = "-"
    else:
        traced, rss = (
            "n/a" if memory[kind] is None else f"{memory[kind]:.0f}"
            for kind in ("traced", "rss")
        )
        memory_cell = f"{traced} / {rss}"
    ratio_cell = ""
    if row["ratios"]:
        ratio = statistics.median(row["ratios"])
        ratio_cell = f"**{ratio:.2f}**"
        target = TARGETS.get((row["key"], row["dtype"]))
        if target is not None:
            ratio_cell += (
                f" (target <= {target}: {'met' if ratio <= target else 'MISSED'})"
            )
    cells = [
        row["key"],
        row["workload"],
        row["library"],
        row["dtype"],
        row["unit"],
        f"{median:.3f}",
        f"{min(times):.3f}",
        f"{row['samples'] / median:,.0f}",
        f"{row['flops'] / median / 1e9:.1f}",
        memory_cell,
        row["score"],
        ratio_cell,
    ]
    if with_torch:
        ratios = row.get("torch_ratios")
        cells.append(f"{statistics.median(ratios):.2f}" if ratios else "")
    return cells


RESULT_HEADERS = [
    "id",
    "workload",
    "library",
    "dtype",
    "unit",
    "median",
    "min",
    "samples/s",
    "GFLOP/s",
    "peak MiB (traced / RSS)",
    "score (held out)",
    "skmlp/sklearn",
]

FOOTER = """\
- Times are wall-clock seconds; "median" and "min" are over the repeats. s/epoch =
  fit time / `n_iter_` (so it includes `fit`'s fixed costs: validation, label
  encoding, initialisation); W7's s/iteration likewise per L-BFGS iteration. W2's
  time is one fit to convergence averaged over the 5 seeds (the two libraries may
  stop at different epochs).
- samples/s = training samples processed per second (W6: rows predicted per
  second).
- GFLOP/s (nominal) = 6 x n_weights x samples per epoch / (s/epoch): 2 FLOPs per
  weight per sample forward, 2 for the weight gradient, 2 for the input gradient;
  biases and elementwise work not counted. Neither library computes the input
  gradient of the first layer, so for W1 the GEMMs really do 0.71x the nominal
  count. W6: 2 x n_weights x rows / s (forward only). W7 counts one loss and
  gradient evaluation over the training set per iteration (a line search
  sometimes needs more).
- peak MiB: measured in a fresh subprocess per row, outside the timed runs.
  "traced" = tracemalloc peak of Python and NumPy allocations during `fit`
  (W6: `predict_proba`), "RSS" = growth of the peak resident set size over the
  resident size just before the call (VmHWM reset via /proc/self/clear_refs).
  W1 is measured over its first epoch (memory peaks there; later epochs reuse it),
  W7 over its first 10 iterations (SciPy allocates the L-BFGS history up front).
  Input data is allocated before the measurement and not counted.
- skmlp/sklearn = median over the repeats of the time ratio of the two fits run
  back to back in that repeat (the order alternates every repeat); < 1 means
  skmlp is faster. Targets are issue 4's; W2 float32 has none (it is there to
  show what float32 costs in accuracy).
- score: accuracy or R^2 on a held-out split (W2: median over the 5 seeds).
"""

TORCH_FOOTER = """\
- torch: a hand-written PyTorch CPU loop (`benchmarks/_torch.py`) training the
  same network in W1, W3 and W5: same initial weights and batches as
  scikit-learn, `torch.optim.Adam` (fused), the same L2 penalty. torch adds
  Adam's epsilon to the bias-corrected sqrt(v), scikit-learn to the uncorrected
  one, so scores agree closely but not to rounding. torch runs its own GEMMs
  (its bundled MKL, which picks AVX-512 whatever `OPENBLAS_CORETYPE` says), on
  `--threads` intra-op threads. Its "traced" memory is n/a (torch's allocator
  bypasses tracemalloc).
- skmlp/torch = median over the repeats of the paired time ratio of skmlp and
  torch (the three libraries' order rotates every repeat).
"""


def save_training_data(key, X, y, cache):
    """Write a workload's training data where the memory workers read it."""
    np.save(cache / f"{key}_X.npy", X)
    np.save(cache / f"{key}_y.npy", y)


def mnist_and_predict(args, selected, cache):
    """W1 in both dtypes, then W6 with W1's float32 models (trained if needed)."""
    data = wl.W1.data(quick=args.quick)
    save_training_data("W1", *data[:2], cache)
    rows, float32_models = [], None
    for dtype in wl.W1.dtypes if "W1" in selected else ("float32",):
        new_rows, models = fixed_epoch_workload(wl.W1, dtype, args, data)
        if "W1" in selected:
            rows += new_rows
        if dtype == "float32":
            float32_models = models
    del data
    if "W6" in selected:
        rows += predict_workload(float32_models, args)
        for library in wl.LIBRARIES:
            with open(cache / f"W6_{library}.pkl", "wb") as file:
                pickle.dump(float32_models[library], file)
    return rows


def run_workloads(args, cache):
    """Every selected measurement: result rows, digits accuracies, parity."""
    selected = set(args.only)
    rows, digits_accuracy, regression = [], {}, {}
    section_started = time.perf_counter()

    def done(name):
        nonlocal section_started
        log(f"{name} took {time.perf_counter() - section_started:.0f} s")
        section_started = time.perf_counter()

    if selected & {"W1", "W6"}:
        rows += mnist_and_predict(args, selected, cache)
        done("W1/W6")
    for workload in (wl.W3, wl.W5, *wl.LBFGS_WORKLOADS):
        # "W7" selects both L-BFGS workloads.
        group = "W7" if workload in wl.LBFGS_WORKLOADS else workload.key
        if group in selected:
            data = workload.data(quick=args.quick)
            save_training_data(workload.key, *data[:2], cache)
            rows += fixed_epoch_workload(workload, "float64", args, data)[0]
            done(workload.key)
    if "W2" in selected:
        for dtype in wl.W2.dtypes:
            new_rows, accuracy = digits_workload(args, dtype)
            rows += new_rows
            if dtype == "float64":
                # The parity check compares float64 fits at default parameters.
                digits_accuracy = accuracy
        save_training_data("W2", *wl.W2.data()[:2], cache)
        done("W2")
    if "P" in selected:
        regression = regression_parity(args)
        done("parity")
    if not args.no_memory:
        measure_memory(rows, cache, args)
        done("memory")
    return rows, digits_accuracy, regression


def main(argv=None):
    args = parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    started = time.perf_counter()
    _torch.set_threads(args.threads)
    _torch.warm_up()
    with (
        threadpool_limits(args.threads),
        tempfile.TemporaryDirectory(prefix="skmlp-bench-") as cache_dir,
    ):
        header = machine_lines(args)
        log("skmlp benchmark\n" + "\n".join(header))
        w1_settings = wl.W1.settings(args.quick)
        w1_units = wl.layer_units(784, w1_settings["hidden_layer_sizes"], 10)
        roofline_rows = roofline(args, w1_units, w1_settings["batch_size"])
        rows, digits_accuracy, regression = run_workloads(args, Path(cache_dir))

    rows.sort(key=lambda row: (row["key"], row["dtype"] != "float64"))
    # Without torch rows the table keeps its usual columns.
    with_torch = any(row["library"] == "torch" for row in rows)
    headers = RESULT_HEADERS + ["skmlp/torch"] * with_torch
    report = [
        "## Results",
        "",
        *header,
        "",
        markdown_table(headers, [result_cells(row, with_torch) for row in rows]),
        "",
        FOOTER,
    ]
    if with_torch:
        report.append(TORCH_FOOTER)
    report += bound_lines(rows)
    report += [
        "### GEMM roofline (numpy matmul, GFLOP/s)",
        "",
        markdown_table(["dtype", "shape", "GFLOP/s"], roofline_rows),
        "",
    ]
    parity = parity_rows(digits_accuracy, regression)
    if parity:
        report += [
            "### Parity (issue 2, section 5): default parameters, StandardScaler",
            "",
            markdown_table(
                [
                    "data set",
                    "metric",
                    "skmlp median",
                    "sklearn median",
                    "difference",
                    "tolerance",
                    "verdict",
                ],
                parity,
            ),
            "",
        ]
    report.append(f"Total run time: {time.perf_counter() - started:.0f} s.")
    text = "\n".join(report) + "\n"
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


def bound_lines(rows):
    """W1's GEMM-only (and GEMM + Adam) epoch as fractions of each library's."""
    lines = []
    for row in rows:
        if not row.get("gemm_fractions"):
            continue
        fraction = statistics.median(row["gemm_fractions"])
        with_adam = statistics.median(row["gemm_adam_fractions"])
        lines.append(
            f"- W1 {row['dtype']} {row['library']}: the same GEMMs alone (8 per "
            f"step, timed in every repeat) take {100 * fraction:.0f}% of its "
            "measured epoch (roofline fraction; the rest is elementwise work, "
            f"the optimizer and Python); with the Adam step, {100 * with_adam:.0f}%."
        )
        if row["library"] == "sklearn":
            lines.append(
                f"  So {with_adam:.2f} of scikit-learn's time is the floor of a "
                "NumPy implementation in this run: its GEMMs at the BLAS peak, "
                "skmlp's Adam step, and no other work at all."
            )
    return lines + [""] if lines else lines


if __name__ == "__main__":
    main()
