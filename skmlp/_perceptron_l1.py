"""The online scan under an L1 or elasticnet penalty, one unit at a time.

scikit-learn's L1 penalty is the cumulative truncated gradient of Tsuruoka et
al. (2009): at every visited sample, each of the sample's features is pulled
towards zero by the penalty accrued since it was last pulled, and stops at
zero. Unlike the L2 rescaling, this moves weights between mistakes, and
differently per feature, so the walk of :mod:`skmlp._perceptron_walk` cannot
score a window with one GEMV.

It can still jump from mistake to mistake: between two mistakes each weight
follows a closed form (rescale, shrink by the accumulated penalty, stop at
zero), which this module evaluates for a window of rows at once. It is exact,
but its Python work grows with the mistakes and the units are walked one after
the other, so it is slower than the L2 scans.
"""

import numpy as np

from skmlp._perceptron_blocks import (
    MAX_BLOCK,
    MIN_BLOCK,
    entry_rows,
    gather_rows,
    geometric_sums,
    row_entries,
    rows_per_block,
)

# The closed forms divide by decay**k over a window of k rows; capping
# decay**-k at e**230 (about 1e100) keeps them far from overflow.
_MAX_LOG_GROWTH = 230.0


def scan_epoch_l1(
    X,
    order,
    coef,
    intercept,
    Y,
    A,
    thresholds,
    *,
    decay,
    shrink,
    intercept_step,
    state,
    units,
):
    """One epoch of the online rule with an L1 or elasticnet penalty.

    Arguments as in :func:`~skmlp._perceptron_kernel.scan_epoch`, plus
    ``shrink``, the L1 penalty added to the budget per visited sample
    (``l1_ratio * eta0 * alpha``).

    Returns
    -------
    sums : ndarray of shape (4, n_units)
        Over the visited rows: perceptron loss, mistakes, and the
        ``||w||**2`` and ``||w||_1`` scikit-learn puts in its objective.
    """
    if state.norm_cache is None:  # first epoch of the call: every unit is there
        state.norm_cache = np.array([(coef**2).sum(axis=1), np.abs(coef).sum(axis=1)])
    sums = np.zeros((4, coef.shape[0]))
    # decay == 0 (eta0 * alpha * (1 - l1_ratio) >= 1) erases the weights at
    # every visit, leaving nothing to jump over: rows are then visited one by
    # one.
    limit = MAX_BLOCK
    if decay < 1.0:
        limit = 1
        if decay > 0:
            limit = int(min(MAX_BLOCK, _MAX_LOG_GROWTH / -np.log(decay)))
    walkers = [_L1Walker(coef[c], intercept[c], state, u, decay, shrink)
               for c, u in enumerate(units)]  # fmt: skip
    # One contiguous row per unit, so that each walker slices its own targets.
    Yo, Ao, To = (np.ascontiguousarray(M[order].T) for M in (Y, A, thresholds))
    looks, block = state.look[units], rows_per_block(X)
    for start in range(0, order.size, block):
        Xb = gather_rows(X, order[start : start + block])
        row_of, n_rows = entry_rows(Xb), Xb.shape[0]
        for c, walker in enumerate(walkers):
            y, a, thr = (M[c, start : start + n_rows] for M in (Yo, Ao, To))
            k = 0
            while k < n_rows:
                end = min(k + min(looks[c], limit), n_rows)
                if limit == 1:
                    mistake, loss, sq, l1 = walker.score_row(Xb, k, y[k], thr[k])
                    walker.visit(Xb, k, a[k] if mistake else 0.0, intercept_step)
                    j = 0 if mistake else 1
                else:
                    j, loss, sq, l1 = walker.stretch(
                        Xb, row_of, k, end, y[k:end], thr[k:end]
                    )
                    if j < end - k:
                        walker.visit(Xb, k + j, a[k + j], intercept_step)
                sums[:, c] += [loss, j < end - k, sq, l1]
                # Look twice as far as the last jump, as the walk does.
                looks[c] = min(max(2 * (j + 1), MIN_BLOCK), MAX_BLOCK)
                k += min(j + 1, end - k)
    for c, (unit, walker) in enumerate(zip(units, walkers, strict=True)):
        intercept[c], state.l1_budget[unit] = walker.b, walker.budget
    state.look[units] = looks
    return sums


class _L1Walker:
    """One unit's weights under truncated-gradient L1, advanced visit by visit.

    Besides the weights ``w`` and intercept ``b``, it carries Tsuruoka's
    ``budget`` (u, the total penalty a weight may have received so far) and
    ``applied`` (q, the penalty each weight did receive), and the norms
    scikit-learn reports in its objective: cached values refreshed only when
    an update is added (over that sample's features), rescaled by the L2
    part, never refreshed after truncation. Reproducing them keeps ``n_iter_``
    equal to scikit-learn's.

    ``w``, ``applied`` and ``cache`` are views into the fit's arrays, updated
    in place; the scalars ``b`` and ``budget`` are copied back by the caller.
    """

    def __init__(self, w, b, state, unit, decay, shrink):
        self.w, self.b, self.applied = w, b, state.l1_applied[unit]
        self.budget, self.cache = state.l1_budget[unit], state.norm_cache[:, unit]
        self.decay, self.shrink = decay, shrink

    def _cached_sums(self, visits):
        return (
            self.cache[0] * geometric_sums(self.decay**2, np.array(visits)),
            self.cache[1] * geometric_sums(self.decay, np.array(visits)),
        )

    def score_row(self, Xb, k, y, thr):
        """Whether row k of Xb is a mistake, its loss and cached-norm sums.

        The single-row scan, for when the weights cannot be jumped over.
        """
        idx, x = row_entries(Xb, k)
        yz = y * (x @ self.w[idx] + self.b)
        return yz <= thr, max(-yz, 0.0), *self._cached_sums(1)

    def stretch(self, Xb, row_of, start, end, yb, tb):
        """Jump to the first mistake among rows start:end of Xb.

        Returns its offset k from start (``end - start`` if none) and the loss
        and cached-norm sums over the visits up to the mistake, included; w is
        left just before visiting it.
        """
        n_rows, w, decay = end - start, self.w, self.decay
        row, col, val = _window_entries(Xb, row_of, start, end)
        sign = np.sign(w[col])
        first = np.ones(row.size, dtype=bool)
        first[1:] = col[1:] != col[:-1]
        # Penalty due at each entry: a feature's first visit in the window
        # settles what it has not paid yet (budget + sign * applied); later
        # visits pay what accrued since the previous visit.
        due = self.shrink * (row - np.concatenate(([-1], row[:-1])))
        due[first] = (
            self.budget
            + self.shrink * (row[first] + 1)
            + sign[first] * self.applied[col[first]]
        )
        # In units of decay**(k+1), a weight's size is its start size minus a
        # running sum of penalties per feature, and stays at zero once there.
        scale = decay ** (row + 1.0)
        paid = np.cumsum(due / scale)
        paid -= (paid - due / scale)[first][np.cumsum(first) - 1]
        size = np.abs(w[col])
        after = np.maximum(size - paid, 0.0)
        before = np.where(first, size, np.concatenate(([0.0], after[:-1])))
        powers = decay ** np.arange(n_rows, dtype=np.float64)
        z = np.bincount(row, val * sign * before, minlength=n_rows) * powers
        yz = yb * (z + self.b)
        wrong = np.flatnonzero(yz <= tb)
        k = int(wrong[0]) if wrong.size else n_rows
        loss = np.maximum(-yz[: k + 1], 0.0).sum()
        sq, l1 = self._cached_sums(min(k + 1, n_rows))
        # Leave w just before row k: rescale every weight, then set the ones
        # penalised on the way from their last entry before row k.
        past = row < k
        np.add.at(self.applied, col[past], (sign * scale * (after - before))[past])
        last = past.copy()
        last[:-1] &= ~(past[1:] & ~first[1:])  # no later past entry, same column
        if decay != 1.0:
            w *= decay**k
        w[col[last]] = (sign * after)[last] * decay**k
        self.budget += self.shrink * k
        self.cache *= [decay ** (2 * k), decay**k]
        return k, loss, sq, l1

    def visit(self, Xb, k, step, intercept_step):
        """Visit row k of Xb exactly as the sequential algorithm does."""
        idx, val = row_entries(Xb, k)
        w, applied = self.w, self.applied
        w *= self.decay
        self.cache *= [self.decay**2, self.decay]
        if step != 0.0:
            w[idx] += step * val
            self.b += step * intercept_step
            self.cache[:] = (w[idx] ** 2).sum(), np.abs(w[idx]).sum()
        self.budget += self.shrink
        w_idx, q_idx = w[idx], applied[idx]
        settled = np.where(
            w_idx > 0,
            np.maximum(w_idx - (self.budget + q_idx), 0.0),
            np.where(w_idx < 0, np.minimum(w_idx + (self.budget - q_idx), 0.0), 0.0),
        )
        applied[idx] += settled - w_idx
        w[idx] = settled


def _window_entries(Xb, row_of, start, end):
    """(row - start, column, value) of the entries visits start:end penalise.

    Sorted by column, then row, so that each feature's visits are contiguous.
    """
    if row_of is None:
        n_features = Xb.shape[1]
        rows = np.tile(np.arange(end - start), n_features)
        cols = np.repeat(np.arange(n_features), end - start)
        return rows, cols, Xb[start:end].T.ravel()
    lo, hi = Xb.indptr[start], Xb.indptr[end]
    cols = Xb.indices[lo:hi]
    by_col = np.argsort(cols, kind="stable")  # rows stay in order
    return (row_of[lo:hi] - start)[by_col], cols[by_col], Xb.data[lo:hi][by_col]
