"""Time skmlp.Perceptron against scikit-learn's compiled Perceptron.

Usage::

    python benchmarks/bench_perceptron.py            # 100000 x 100, ~1 minute
    python benchmarks/bench_perceptron.py --quick    # 20000 x 100 smoke run
    python benchmarks/bench_perceptron.py --repeats 5 --threads 2

Both estimators run with default parameters, in the same process, on the same
``make_classification`` data (binary and 10 classes, plus 20% held out for the
test accuracy). Each repeat alternates which library goes first, so that a
drift of a shared machine's speed hits both alike; the table reports median
fit times. BLAS runs on ``--threads`` threads (threadpoolctl; scikit-learn's
Perceptron is single-threaded compiled code, so 1 is the fair default).

The perceptron stops on its own (``tol``), so the two libraries may run a
different number of epochs on the same data; the table shows both, and the
time per epoch as well as per fit. The perceptron keeps its last iterate, so
test accuracy moves by about a point from one ``random_state`` to the next;
besides the default fit's accuracy, the table gives the mean over ``--seeds``
values of ``random_state``, which is what to compare.
"""

import argparse
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Perceptron as SklearnPerceptron
from threadpoolctl import threadpool_limits

# Benchmark the working tree this script sits in, not an installed copy.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from skmlp import Perceptron as SkmlpPerceptron  # noqa: E402

LIBRARIES = {"sklearn": SklearnPerceptron, "skmlp": SkmlpPerceptron}
# Issue 3's target: skmlp's fit time at most twice scikit-learn's.
TARGET_RATIO = 2.0


def make_problem(n_samples, n_classes):
    """Train/test split of linearly separable-ish data, 100 features."""
    X, y = make_classification(
        n_samples=n_samples + n_samples // 5,
        n_features=100,
        n_informative=30,
        n_redundant=0,
        n_clusters_per_class=1,
        class_sep=1.5,
        n_classes=n_classes,
        random_state=0,
    )
    return X[:n_samples], y[:n_samples], X[n_samples:], y[n_samples:]


def run(problem, repeats, seeds):
    """Median fit time and epochs at default parameters, and test accuracy."""
    X, y, X_test, y_test = problem
    times = {name: [] for name in LIBRARIES}
    fitted = {}
    for repeat in range(repeats):
        names = list(LIBRARIES) if repeat % 2 == 0 else list(LIBRARIES)[::-1]
        for name in names:
            start = time.perf_counter()
            fitted[name] = LIBRARIES[name]().fit(X, y)
            times[name].append(time.perf_counter() - start)
    results = {}
    for name, cls in LIBRARIES.items():
        accuracy = [fitted[name].score(X_test, y_test)]  # random_state=0
        for seed in range(1, seeds):
            accuracy.append(cls(random_state=seed).fit(X, y).score(X_test, y_test))
        results[name] = {
            "time": statistics.median(times[name]),
            "epochs": fitted[name].n_iter_,
            "accuracy": 100 * accuracy[0],
            "mean_accuracy": 100 * statistics.mean(accuracy),
        }
    return results


def table(results, seeds):
    lines = [
        "| problem | sklearn fit (s) | skmlp fit (s) | ratio | epochs sk / skmlp "
        "| ratio per epoch | accuracy sk / skmlp (%) "
        f"| mean accuracy, {seeds} seeds, sk / skmlp (%) | diff of means (pts) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for problem, res in results.items():
        sk, ours = res["sklearn"], res["skmlp"]
        ratio = ours["time"] / sk["time"]
        per_epoch = (ours["time"] / ours["epochs"]) / (sk["time"] / sk["epochs"])
        diff = ours["mean_accuracy"] - sk["mean_accuracy"]
        mark = "" if ratio <= TARGET_RATIO else " (above target)"
        lines.append(
            f"| {problem} | {sk['time']:.3f} | {ours['time']:.3f} | "
            f"{ratio:.2f}{mark} | {sk['epochs']} / {ours['epochs']} | "
            f"{per_epoch:.2f} | {sk['accuracy']:.2f} / {ours['accuracy']:.2f} | "
            f"{sk['mean_accuracy']:.2f} / {ours['mean_accuracy']:.2f} | {diff:+.2f} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20000 samples")
    parser.add_argument("--repeats", type=int, default=3, help="fits per library")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    parser.add_argument(
        "--seeds", type=int, default=5, help="random_state values for the accuracy"
    )
    args = parser.parse_args(argv)
    if min(args.repeats, args.seeds) < 1:
        parser.error("--repeats and --seeds must be >= 1")
    n_samples = 20_000 if args.quick else 100_000
    warnings.simplefilter("ignore", ConvergenceWarning)
    results = {}
    with threadpool_limits(args.threads):
        for n_classes in (2, 10):
            name = f"{n_samples}x100, {n_classes} classes"
            problem = make_problem(n_samples, n_classes)
            results[name] = run(problem, args.repeats, args.seeds)
    print(
        f"Perceptron, default parameters; median of {args.repeats} fits; "
        f"{args.threads} BLAS thread(s); numpy {np.__version__}, scikit-learn "
        f"{sklearn.__version__}, {platform.processor() or platform.machine()}.\n"
    )
    print(table(results, args.seeds))
    print(f"\nratio = skmlp time / scikit-learn time; target <= {TARGET_RATIO}.")


if __name__ == "__main__":
    main()
