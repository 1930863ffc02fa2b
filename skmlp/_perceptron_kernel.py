"""Vectorised online training kernel of :class:`skmlp.Perceptron`.

Why the Perceptron has its own kernel
-------------------------------------
The MLP engine (``_solvers.py``) is a mini-batch engine: a step computes a
gradient over a batch, then moves the weights. The perceptron rule is online:
every sample is scored with the weights left by *all* the samples before it,
and the weights move after each misclassified one. Getting that from the
mini-batch engine takes batches of one sample, i.e. a Python loop over the
samples, hundreds of times slower than scikit-learn's compiled loop. This
module reproduces the online rule exactly with a few NumPy/BLAS calls per block
of samples instead.

How (no penalty, L2)
--------------------
Only mistakes move the weights, and the L2 penalty only rescales them by
``decay = 1 - eta0 * alpha`` per sample (a rescaling never flips a margin's
sign). Rows are gathered in visiting order, a block at a time, and then:

- *One unit* (binary, or the last unit still training): the scan jumps from
  mistake to mistake. One GEMV scores a window of upcoming rows with the
  current weights; the first mistake among them gets its update and the next
  window starts right after it. Windows are sized to hold about one mistake.
- *Several units* (one-vs-rest, multilabel): they share the work. For a block,
  the margin of row ``k`` is ::

      z_k = decay**k * x_k.w + b + sum(c_i * (decay**(k-1-i) * x_i.x_k + s_b)
                                       for mistakes i < k)

  with ``c_i = eta0 * y_i * sample_weight_i * class_weight_i`` and ``s_b`` the
  intercept step. Only rows whose block-start margin is near or past the
  boundary (*candidates*) can be mistakes; they form a small triangular system
  solved for all units at once by fixed-point sweeps (each sweep settles at
  least one more row, usually all). The other rows are then checked exactly;
  if one is a mistake after all, the block is cut just before it.

Either way the result is the sequential one, up to floating-point rounding.
The single-unit scan costs a few NumPy calls per mistake; the joint solver
costs more per block but settles many mistakes per sweep when units are many.
On CSR input every unit walks: scipy's overhead on small products would eat
the joint solver's gain, and the windows are scored from the CSR arrays.

How (L1, elasticnet)
--------------------
scikit-learn's truncated-gradient L1 penalty (Tsuruoka et al., 2009) touches
every feature of every sample, so the scan jumps from mistake to mistake, one
unit at a time: between mistakes each weight follows a closed form (rescale,
shrink by the accumulated penalty, stop at zero), evaluated for a block of rows
at once. It is exact but slower: its Python work grows with the mistakes.
"""

import numpy as np
import scipy.sparse as sp

# ``label * margin <= threshold`` marks a mistake. 0 makes a zero margin a
# mistake (sign rule); the negative number closest to 0 turns ``<=`` into
# ``<``, so a zero margin is not a mistake (heaviside rule, positive targets).
STRICT = -np.nextafter(0.0, 1.0)
# Joint solver: candidate rows aimed at per block (bigger blocks amortise the
# Python work, but candidate Gram rows grow with the block's square), and how
# the slack narrows after a clean block and widens after a surprise. Tuned on
# the benchmark; the results do not depend on them.
_TARGET_CANDIDATES = 64
_SLACK_DECAY, _SLACK_GROW = 0.95, 2.0
_MIN_BLOCK, _MAX_BLOCK = 16, 4096


def mistake_thresholds(Y, step):
    """Per-sample, per-unit threshold on ``label * margin`` marking a mistake.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_units)
        Targets in {-1, +1}.
    step : {"sign", "heaviside"}
        ``"sign"``: a zero margin is a mistake for both labels. ``"heaviside"``:
        the unit outputs 1 for ``z >= 0``, so a zero margin is right for +1.

    Returns
    -------
    thresholds : ndarray of shape (n_samples, n_units)

    Examples
    --------
    >>> import numpy as np
    >>> mistake_thresholds(np.array([[1.0], [-1.0]]), "heaviside")[:, 0] < 0
    array([ True, False])
    """
    if step == "sign":
        return np.zeros_like(Y)
    return np.where(Y > 0, STRICT, 0.0)


class ScanState:
    """Adaptive sizes and penalty state carried across the epochs of one fit.

    Parameters
    ----------
    n_units : int
        Number of threshold units (1 for binary, n_classes or n_labels).
    n_features : int
        Number of input features.

    Attributes
    ----------
    block_size : int
        Rows per block of the joint solver, adapted to the mistake density.
    look : ndarray of shape (n_units,)
        Rows scored per jump of each unit's sequential scan, adapted likewise.
    slack : ndarray of shape (n_units,)
        How far past the boundary a block-start margin may be and still make
        its row a candidate: widened past each surprise, narrowed otherwise.
    l1_budget : ndarray of shape (n_units,)
        Total L1 penalty a weight may have received so far (Tsuruoka's ``u``).
    l1_applied : ndarray of shape (n_units, n_features)
        L1 penalty actually applied to each weight (Tsuruoka's ``q``).
    norm_cache : ndarray of shape (2, n_units) or None
        ``||w||**2`` and ``||w||_1`` as scikit-learn caches them (L1 path).
    """

    def __init__(self, n_units, n_features):
        self.block_size = 64
        self.look = np.full(n_units, 32)
        self.slack = np.zeros(n_units)
        self.l1_budget = np.zeros(n_units)
        self.l1_applied = np.zeros((n_units, n_features))
        self.norm_cache = None


def _take(X, rows):
    """Rows of X in the given order, as float64 (dense array or CSR)."""
    if sp.issparse(X):
        return X[rows].astype(np.float64, copy=False)
    return np.take(X, rows, axis=0).astype(np.float64, copy=False)


def _block_rows(X):
    """Rows per gathered block: about 2**17 stored values."""
    per_row = X.nnz / max(X.shape[0], 1) if sp.issparse(X) else X.shape[1]
    return int(min(_MAX_BLOCK, max(_MIN_BLOCK, 2**17 // max(per_row, 1))))


def _row_of_entries(Xb):
    """Row index of each stored entry of a CSR block (None when dense)."""
    if not sp.issparse(Xb):
        return None
    return np.repeat(np.arange(Xb.shape[0]), np.diff(Xb.indptr))


def _window_margins(Xb, row_of, start, end, w):
    """``Xb[start:end] @ w``; on CSR straight from its arrays (slicing is slow)."""
    if row_of is None:
        return Xb[start:end] @ w
    lo, hi = Xb.indptr[start], Xb.indptr[end]
    products = Xb.data[lo:hi] * w[Xb.indices[lo:hi]]
    return np.bincount(row_of[lo:hi], products, minlength=end)[start:]


def _causal_gram(Xb, rows, decay, intercept_step):
    """``K[r, k]``: change of ``z_k`` per unit step at row ``rows[r]`` of Xb."""
    gram = Xb[rows] @ Xb.T
    gram = gram.toarray() if sp.issparse(gram) else gram
    lag = np.arange(Xb.shape[0]) - rows[:, None] - 1
    if decay != 1.0:
        gram *= decay ** np.maximum(lag, 0)
    gram += intercept_step
    gram *= lag >= 0  # a step only affects the rows visited after it
    return gram


def _geometric_sums(ratio, counts):
    """``sum(ratio**j for j in range(m))`` for every ``m`` in counts."""
    if ratio == 1.0:
        return counts.astype(np.float64)
    return (1.0 - ratio**counts) / (1.0 - ratio)


def _walk_epoch(X, order, coef, intercept, Y, A, thresholds, decay, i_step, state,
                units, sums, track_norm):  # fmt: skip
    """Sequential scans, one unit after the other over each gathered block."""
    Yo, Ao, To = (np.ascontiguousarray(M[order].T) for M in (Y, A, thresholds))
    sq = (coef**2).sum(axis=1) if track_norm else np.full(coef.shape[0], np.nan)
    looks = state.look[units]
    powers = decay ** np.arange(_MAX_BLOCK, dtype=np.float64)
    block = _block_rows(X)
    for start in range(0, order.size, block):
        Xb = _take(X, order[start : start + block])
        row_of, span = _row_of_entries(Xb), slice(start, start + block)
        for u in range(coef.shape[0]):
            intercept[u], looks[u], sq[u] = _walk_block(
                Xb, row_of, Yo[u, span], Ao[u, span], To[u, span], coef[u],
                intercept[u], decay, i_step, looks[u], powers, sums[:, u], sq[u],
            )  # fmt: skip
    state.look[units] = looks


def _walk_block(Xb, row_of, yb, ab, tb, w, b, decay, i_step, look, powers, sums, sq):
    """One unit through one block, from mistake to mistake, one GEMV a jump.

    Updates w and sums in place; returns the intercept, the window size and
    ``||w||**2`` (NaN when not tracked).
    """
    k, tracked = 0, not np.isnan(sq)
    while k < Xb.shape[0]:
        end = min(k + look, Xb.shape[0])
        z = _window_margins(Xb, row_of, k, end, w)
        if decay != 1.0:
            z *= powers[: end - k]
        yz = (z + b) * yb[k:end]
        wrong = yz <= tb[k:end]
        j = int(wrong.argmax())
        visits = j + 1 if wrong[j] else end - k
        if tracked:
            sums[2] += sq * _geometric_sums(decay**2, np.array(visits))
            sq *= decay ** (2 * visits)
        if decay != 1.0:
            w *= decay**visits
        # Look twice as far as the last jump: most windows then hold a mistake.
        look = min(max(2 * visits, _MIN_BLOCK), _MAX_BLOCK)
        if wrong[j]:
            step = ab[k + j]
            idx, x = _row(Xb, k + j)
            if tracked:  # ||s w + c x||^2 with w.x = z_j
                sq += 2 * decay * step * z[j] + step**2 * (x @ x)
            w[idx] += step * x
            b += step * i_step
            sums[0] -= yz[j]
            sums[1] += 1
        k += visits
    return b, look, sq


def _row(Xb, i):
    """Indices and values of row i of Xb (all columns when dense)."""
    if sp.issparse(Xb):
        span = slice(Xb.indptr[i], Xb.indptr[i + 1])
        return Xb.indices[span], Xb.data[span]
    return slice(None), Xb[i]


def _solve_block(Xb, Yb, Ab, Tb, coef, intercept, decay, intercept_step, slack):
    """Exact online pass of several units over a block or a prefix of it.

    Returns the number of rows done, their margins z and ``y * z``, the
    candidate rows among them with their mistake mask and update sizes, and
    how far past the slack the first surprise row started (None if none).
    """
    n_rows = Xb.shape[0]
    z = np.asarray(Xb @ coef.T)
    if decay != 1.0:
        z *= (decay ** np.arange(n_rows))[:, None]
    z += intercept
    yz_start = Yb * z
    is_candidate = (yz_start <= Tb + slack).any(axis=1)
    cand = np.flatnonzero(is_candidate)
    wrong = np.zeros((cand.size, coef.shape[0]), dtype=bool)
    n_done, yz = n_rows, yz_start
    if cand.size:
        gram = _causal_gram(Xb, cand, decay, intercept_step)
        within, yz_cand = gram[:, cand], yz_start[cand]
        Yc, Ac, Tc = Yb[cand], Ab[cand], Tb[cand]
        wrong = yz_cand <= Tc
        # Row k depends only on rows before it, so sweep t settles row t at
        # the latest: cand.size + 1 sweeps always reach the fixed point.
        for _ in range(cand.size + 1):
            now_wrong = yz_cand + Yc * (within.T @ (Ac * wrong)) <= Tc
            if np.array_equal(now_wrong, wrong):
                break
            wrong = now_wrong
        z = z + gram.T @ (Ac * wrong)
        yz = Yb * z
        surprise = np.flatnonzero((yz <= Tb).any(axis=1) & ~is_candidate)
        if surprise.size:
            n_done = int(surprise[0])
            wrong = wrong[cand < n_done]
            cand = cand[: wrong.shape[0]]
    # How far the first surprise row started from the boundary: the slack
    # that would have made it a candidate.
    missed = (yz_start - Tb)[n_done] if n_done < n_rows else None
    return n_done, z, yz[:n_done], cand, wrong, Ab[cand] * wrong, missed


def scan_epoch(
    X,
    order,
    coef,
    intercept,
    Y,
    A,
    thresholds,
    *,
    decay,
    intercept_step,
    state,
    units,
    track_norm=False,
):
    """One epoch of the online rule without L1 penalty, for several units.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
        Training data.
    order : ndarray of int
        Training rows in visiting order.
    coef : ndarray of shape (n_units, n_features)
        Float64 weights, updated in place.
    intercept : ndarray of shape (n_units,)
        Float64 intercepts, updated in place.
    Y, A, thresholds : ndarray of shape (n_samples, n_units)
        Targets in {-1, +1}, signed update sizes and mistake thresholds.
    decay : float
        L2 rescaling per visited sample (1.0 without penalty).
    intercept_step : float
        Intercept change per unit of update (0.0 without intercept).
    state : ScanState
        Adaptive state of the fit.
    units : ndarray of int
        Indices of these units in ``state``.
    track_norm : bool, default=False
        Whether to sum ``||w||**2`` before each visit (for the L2 objective).

    Returns
    -------
    sums : ndarray of shape (4, n_units)
        Over the visited rows: perceptron loss, mistakes, ``||w||**2`` (if
        tracked) and ``||w||_1`` (always zero here).
    """
    sums = np.zeros((4, coef.shape[0]))
    common = (X, order, coef, intercept, Y, A, thresholds, decay, intercept_step)
    # The joint solver pays off for several units on dense data; on CSR its
    # block products cost more in scipy overhead than they save.
    if coef.shape[0] == 1 or sp.issparse(X):
        _walk_epoch(*common, state, units, sums, track_norm)
    else:
        slack = _solve_epoch(*common, state, state.slack[units], sums, track_norm)
        state.slack[units] = slack
    return sums


def _solve_epoch(
    X, order, coef, intercept, Y, A, thresholds, decay, i_step, state, slack, sums,
    track_norm,
):  # fmt: skip
    """Joint scan of several units, a block at a time; returns the new slack."""
    pos = 0
    while pos < order.size:
        rows = order[pos : pos + state.block_size]
        Xb = _take(X, rows)
        n_done, z, yz, cand, wrong, steps, missed = _solve_block(
            Xb,
            Y[rows],
            A[rows],
            thresholds[rows],
            coef,
            intercept,
            decay,
            i_step,
            slack,
        )
        sums[0] += np.maximum(-yz, 0.0).sum(axis=0)
        sums[1] += wrong.sum(axis=0)
        if track_norm:
            sums[2] += _block_sq_norms(
                Xb, coef, intercept, z, cand, steps, n_done, decay, i_step
            )
        intercept += i_step * steps.sum(axis=0)
        if decay != 1.0:
            coef *= decay**n_done
            steps = steps * (decay ** (n_done - 1 - cand))[:, None]
        if cand.size:
            coef += np.asarray(Xb[cand].T @ steps).T
        # A surprise costs the rest of its block, a candidate costs Gram rows:
        # widen the slack past each surprise, narrow it slowly otherwise.
        if missed is None:
            slack *= _SLACK_DECAY
        else:
            slack = np.maximum(slack, _SLACK_GROW * missed)
        size = _TARGET_CANDIDATES * rows.size // max(cand.size, 1)
        size = min(max(size, rows.size // 2), 2 * rows.size)
        state.block_size = min(max(size, _MIN_BLOCK), _MAX_BLOCK)
        pos += n_done
    return slack


def _block_sq_norms(Xb, coef, intercept, z, cand, steps, n_done, decay, i_step):
    """Sum of ``||w_k||**2`` over the first n_done visits of a block."""
    # ||w_{k+1}||^2 = decay^2 ||w_k||^2 + 2 decay c_k w_k.x_k + c_k^2 ||x_k||^2
    # and w_k.x_k = z_k - b_k is known: the sum has a closed form.
    total = (coef**2).sum(axis=1) * _geometric_sums(decay**2, np.array(n_done))
    if not cand.size:
        return total
    b_before = intercept + i_step * (np.cumsum(steps, axis=0) - steps)
    Xc = Xb[cand]
    x_sq = np.asarray(
        Xc.multiply(Xc).sum(axis=1) if sp.issparse(Xc) else (Xc**2).sum(1)
    )
    jumps = 2 * decay * steps * (z[cand] - b_before) + steps**2 * x_sq.reshape(-1, 1)
    tails = _geometric_sums(decay**2, n_done - 1 - cand)
    return total + (jumps * tails[:, None]).sum(axis=0)


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

    Parameters are those of :func:`scan_epoch`, plus ``shrink``, the L1
    penalty added to the budget per visited sample (``l1_ratio*eta0*alpha``).

    Returns
    -------
    sums : ndarray of shape (4, n_units)
        Over the visited rows: perceptron loss, mistakes, and the
        ``||w||**2`` and ``||w||_1`` scikit-learn puts in its objective.
    """
    if state.norm_cache is None:  # first epoch of the call: every unit is there
        state.norm_cache = np.array([(coef**2).sum(axis=1), np.abs(coef).sum(axis=1)])
    sums = np.zeros((4, coef.shape[0]))
    # Closed forms divide by decay**k: keep windows short enough not to
    # overflow. decay == 0 (eta0 * alpha * (1 - l1_ratio) >= 1) erases the
    # weights at every visit, leaving nothing to jump over: rows are then
    # visited one by one.
    limit = _MAX_BLOCK
    if decay < 1.0:
        limit = int(min(_MAX_BLOCK, 230.0 / -np.log(decay))) if decay > 0 else 1
    walkers = [_L1Walker(coef[c], intercept[c], state, u, decay, shrink)
               for c, u in enumerate(units)]  # fmt: skip
    Yo, Ao, To = (np.ascontiguousarray(M[order].T) for M in (Y, A, thresholds))
    looks, block = state.look[units], _block_rows(X)
    for start in range(0, order.size, block):
        Xb = _take(X, order[start : start + block])
        row_of, n_rows = _row_of_entries(Xb), Xb.shape[0]
        for c, walker in enumerate(walkers):
            y, a, thr = (M[c, start : start + n_rows] for M in (Yo, Ao, To))
            k = 0
            while k < n_rows:
                end = min(k + min(looks[c], limit), n_rows)
                if limit == 1:
                    j, loss, sq, l1 = walker.first_visit(Xb, k, y[k], thr[k])
                    walker.visit(Xb, k, a[k] if j == 0 else 0.0, intercept_step)
                else:
                    j, loss, sq, l1 = walker.stretch(
                        Xb, row_of, k, end, y[k:end], thr[k:end]
                    )
                    if j < end - k:
                        walker.visit(Xb, k + j, a[k + j], intercept_step)
                sums[:, c] += [loss, j < end - k, sq, l1]
                looks[c] = min(max(2 * (j + 1), _MIN_BLOCK), _MAX_BLOCK)
                k += min(j + 1, end - k)
    for c, (unit, walker) in enumerate(zip(units, walkers, strict=True)):
        intercept[c], state.l1_budget[unit] = walker.b, walker.budget
        state.norm_cache[:, unit] = walker.cache
    state.look[units] = looks
    return sums


class _L1Walker:
    """One unit's weights under truncated-gradient L1, advanced visit by visit.

    Besides the weights ``w`` (a view, updated in place) and intercept ``b``,
    it carries Tsuruoka's ``budget`` (u) and ``applied`` (q), and the norms
    scikit-learn reports in its objective: cached values refreshed only when
    an update is added (over that sample's features), rescaled by the L2
    part, never refreshed after truncation. Reproducing them keeps ``n_iter_``
    equal to scikit-learn's.
    """

    def __init__(self, w, b, state, unit, decay, shrink):
        self.w, self.b, self.applied = w, b, state.l1_applied[unit]
        self.budget, self.cache = state.l1_budget[unit], state.norm_cache[:, unit]
        self.decay, self.shrink = decay, shrink

    def _cached_sums(self, visits):
        return (
            self.cache[0] * _geometric_sums(self.decay**2, np.array(visits)),
            self.cache[1] * _geometric_sums(self.decay, np.array(visits)),
        )

    def first_visit(self, Xb, k, y, thr):
        """Sums of visiting row k of Xb; the offset is 0 if it is a mistake."""
        idx, x = _row(Xb, k)
        yz = y * (x @ self.w[idx] + self.b)
        return (0 if yz <= thr else 1), max(-yz, 0.0), *self._cached_sums(1)

    def stretch(self, Xb, row_of, start, end, yb, tb):
        """Jump to the first mistake among rows start:end of Xb.

        Returns its offset k from start (``end - start`` if none) and the loss
        and cached-norm sums over the visits up to the mistake, included; w is
        left just before visiting it.
        """
        n_rows, w, decay = end - start, self.w, self.decay
        row, col, val = _entries(Xb, row_of, start, end)
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
        idx, val = _row(Xb, k)
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


def _entries(Xb, row_of, start, end):
    """(row - start, column, value) of the entries visits start:end penalise.

    Sorted by column, then row.
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
