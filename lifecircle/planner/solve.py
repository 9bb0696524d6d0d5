"""Solving location models: exact MILP with HiGHS, greedy heuristics as start and fallback.

Everything here works on plain arrays and scipy sparse matrices; :mod:`.models` builds the
matrices from a problem and reads the answer back. The pieces:

- :class:`Solution`: the frozen result every model returns.
- :func:`solve_milp`: pass a sparse MILP to HiGHS (``highspy``) in one ``passModel`` call,
  with a time limit, ``mip_rel_gap = 0``, one thread and no console output; an optional
  start solution goes in through ``setSolution``.
- greedy heuristics for maximal covering (plain and capacitated), set covering and
  p-median (greedy adding followed by a 1-opt vertex interchange).
"""

from __future__ import annotations

import contextlib
import ctypes
import heapq
import os
import sys
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from lifecircle.errors import SolverError, notice

__all__ = ["STATUSES", "Solution", "greedy_cmclp", "greedy_mclp", "greedy_pmedian",
           "greedy_setcover", "solve_milp"]

#: Values of :attr:`Solution.status`.
STATUSES = ("optimal", "time_limit", "greedy")


@dataclass(frozen=True)
class Solution:
    """Result of a location model.

    Attributes
    ----------
    selected
        Indices of the candidates to open (ascending).
    objective
        Primary objective of ``selected``, recomputed exactly from the input (covered weight
        including demand already covered by existing facilities for maximal covering; number
        of sites or total cost for set covering; total weighted cost for p-median). The
        tie-break term (see :mod:`lifecircle.planner.models`) is not part of it.
    bound
        Best proven bound on the optimum (upper bound when maximising, lower bound when
        minimising); equals ``objective`` when optimal, infinite when nothing is proven.
    gap
        Relative optimality gap reported by HiGHS (``getInfo().mip_gap``); 0 when optimal,
        ``inf`` when no bound is known (greedy fallback).
    status
        ``"optimal"``, ``"time_limit"`` (HiGHS stopped at the limit with a feasible
        solution, possibly the greedy start) or ``"greedy"`` (the limit was hit without a
        feasible MILP solution, or ``method="greedy"`` was asked for: the greedy answer).
    seconds
        Wall time of the whole model call (building, greedy, MILP).
    method
        ``"highs"``, ``"greedy"`` or ``"trivial"`` (nothing to decide, no solver run).
    model
        ``"mclp"``, ``"cmclp"`` (capacitated), ``"setcover"`` or ``"pmedian"``.
    greedy_objective
        Primary objective of the greedy solution (NaN when none was computed).
    unreachable
        Demand indices that no candidate reaches and no existing facility covers.
    assignment
        Capacitated maximal covering only: per demand point, the selected candidate it is
        assigned to (-1 for none); with ``split=True`` the candidate taking its largest
        share. ``None`` for the other models.
    size
        ``(rows, columns, nonzeros)`` of the MILP actually built (after aggregation).
    """

    selected: tuple[int, ...]
    objective: float
    bound: float
    gap: float
    status: str
    seconds: float
    method: str
    model: str
    greedy_objective: float = float("nan")
    unreachable: tuple[int, ...] = field(default=(), repr=False)
    assignment: NDArray[np.int64] | None = field(default=None, compare=False, repr=False)
    size: tuple[int, int, int] = (0, 0, 0)

    @property
    def optimal(self) -> bool:
        """True when HiGHS proved the objective optimal."""
        return self.status == "optimal"


# ----------------------------------------------------------------------------- HiGHS
_BANNER_LOCK = threading.Lock()
_banner_done = False


def _new_highs():  # -> highspy.Highs
    """A silent ``highspy.Highs`` instance.

    HiGHS prints a copyright banner to the process's standard output the first time a
    solver object is constructed, before any option can be set. A library must not print,
    so the first construction runs with file descriptor 1 pointed at ``/dev/null`` (C
    buffers flushed before it is restored). Later constructions print nothing.
    """
    import highspy

    global _banner_done
    with _BANNER_LOCK:
        if _banner_done:
            h = highspy.Highs()
        else:
            with contextlib.suppress(AttributeError, ValueError, OSError):
                sys.stdout.flush()
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = highspy.Highs()
                with contextlib.suppress(OSError, AttributeError):
                    ctypes.CDLL(None).fflush(None)
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _banner_done = True
    h.setOptionValue("output_flag", False)
    return h


@dataclass(frozen=True)
class MilpResult:
    """Raw outcome of :func:`solve_milp` (objective and bound include the offset)."""

    x: NDArray[np.float64] | None
    status: str             # 'optimal' | 'time_limit' | 'no_solution'
    objective: float
    bound: float
    gap: float
    highs_status: str


def solve_milp(
    *,
    maximize: bool,
    cost: NDArray[np.float64],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    integer: NDArray[np.bool_],
    rows: sp.csr_matrix,
    row_lower: NDArray[np.float64],
    row_upper: NDArray[np.float64],
    offset: float = 0.0,
    start: NDArray[np.float64] | None = None,
    time_limit_s: float = 60.0,
    mip_abs_gap: float = 1e-6,
    what: str | tuple[str, str] = ("模型", "model"),
) -> MilpResult:
    """Solve ``opt cost @ x + offset`` s.t. ``row_lower <= rows @ x <= row_upper``.

    Parameters
    ----------
    maximize
        Sense of the objective.
    cost, lower, upper, integer
        Per column: objective coefficient, bounds, whether integer.
    rows
        Constraint matrix (CSR, rows x columns), passed row-wise to HiGHS.
    row_lower, row_upper
        Row bounds (``-inf``/``inf`` for one-sided rows).
    offset
        Constant added to the objective (HiGHS reports objective and bound with it).
    start
        A feasible solution given to HiGHS with ``setSolution`` (warm start).
    time_limit_s
        HiGHS ``time_limit``.
    mip_abs_gap
        HiGHS ``mip_abs_gap``; ``mip_rel_gap`` is always 0.
    what
        Model name for error messages.

    Returns
    -------
    MilpResult
        ``status`` is ``'no_solution'`` when a limit was hit before any feasible solution.

    Notes
    -----
    Every solution HiGHS returns is checked: feasible within 1e-5 and its objective equal
    to ``cost @ x + offset``. HiGHS 1.16 sometimes maps a start solution wrongly into the
    presolved space and then reports a wrong "optimal" objective (seen on set covering
    models); when the check fails after a warm start, the model is solved again without
    the start in the time left.

    Raises
    ------
    SolverError
        When HiGHS rejects the model or ends in any other state (infeasible, unbounded,
        error), with HiGHS's model status in the message.
    """
    import highspy

    t0 = time.perf_counter()
    n_col = int(cost.shape[0])
    n_row = int(rows.shape[0])
    rows = sp.csr_matrix(rows)
    h = _new_highs()
    for name, value in (("time_limit", float(max(time_limit_s, 0.0))), ("mip_rel_gap", 0.0),
                        ("mip_abs_gap", float(mip_abs_gap)), ("threads", 1),
                        ("output_flag", False)):
        h.setOptionValue(name, value)
    status = h.passModel(
        n_col, n_row, int(rows.nnz), int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize),
        float(offset), np.ascontiguousarray(cost, dtype=np.float64),
        np.ascontiguousarray(lower, dtype=np.float64),
        np.ascontiguousarray(upper, dtype=np.float64),
        np.ascontiguousarray(row_lower, dtype=np.float64),
        np.ascontiguousarray(row_upper, dtype=np.float64),
        rows.indptr.astype(np.int32), rows.indices.astype(np.int32),
        np.ascontiguousarray(rows.data, dtype=np.float64),
        np.asarray(integer, dtype=np.int32))
    if status == highspy.HighsStatus.kError:
        raise notice(SolverError, "err.solver.rejected", what=what, rows=n_row, cols=n_col,
                     status=status.name)
    if start is not None:
        idx = np.arange(n_col, dtype=np.int32)
        h.setSolution(n_col, idx, np.ascontiguousarray(start, dtype=np.float64))
    run_status = h.run()
    model_status = h.getModelStatus()
    text = h.modelStatusToString(model_status)
    info = h.getInfo()
    has_primal = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if run_status == highspy.HighsStatus.kError:
        raise notice(SolverError, "err.solver.failed", what=what, status=repr(text))
    status_enum = highspy.HighsModelStatus
    if model_status == status_enum.kOptimal:
        kind = "optimal"
    elif model_status in (status_enum.kTimeLimit, status_enum.kIterationLimit,
                          status_enum.kSolutionLimit, status_enum.kInterrupt):
        kind = "time_limit" if has_primal else "no_solution"
    else:
        raise notice(SolverError, "err.solver.unsolved", what=what, status=repr(text))
    x = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_primal else None
    obj = float(info.objective_function_value)
    if x is not None and not _consistent(x, obj, cost, lower, upper, integer, rows, row_lower,
                                         row_upper, offset):
        if start is None:
            raise notice(SolverError, "err.solver.inconsistent", what=what,
                         status=repr(text))
        # HiGHS 1.16 can map a start solution wrongly into the presolved space and then
        # claims a wrong optimum (seen on set covering): solve again without the start.
        left = time_limit_s - (time.perf_counter() - t0)
        return solve_milp(maximize=maximize, cost=cost, lower=lower, upper=upper,
                          integer=integer, rows=rows, row_lower=row_lower,
                          row_upper=row_upper, offset=offset, start=None,
                          time_limit_s=max(left, 0.0), mip_abs_gap=mip_abs_gap, what=what)
    return MilpResult(x, kind, obj, float(info.mip_dual_bound), float(info.mip_gap), text)


def _consistent(x: NDArray[np.float64], obj: float, cost: NDArray[np.float64],
                lower: NDArray[np.float64], upper: NDArray[np.float64],
                integer: NDArray[np.bool_], rows: sp.csr_matrix,
                row_lower: NDArray[np.float64], row_upper: NDArray[np.float64],
                offset: float, tol: float = 1e-5) -> bool:
    """True when ``x`` is feasible and HiGHS's objective matches ``cost @ x + offset``."""
    value = float(np.dot(cost, x)) + offset
    if abs(value - obj) > 1e-6 * max(1.0, abs(obj), abs(value)):
        return False
    if np.any(x < lower - tol) or np.any(x > upper + tol):
        return False
    xi = x[np.asarray(integer, dtype=bool)]
    if np.any(np.abs(xi - np.round(xi)) > tol):
        return False
    act = rows @ x
    scale = 1.0 + np.abs(act)
    return bool(np.all(act >= row_lower - tol * scale) and np.all(act <= row_upper + tol * scale))


# ----------------------------------------------------------------------------- greedy
def _pick(gain: NDArray[np.float64], priority: NDArray[np.float64],
          allowed: NDArray[np.bool_]) -> int:
    """Index of the largest gain among ``allowed`` (ties: lower priority, lower index)."""
    g = np.where(allowed, gain, -np.inf)
    best = g.max() if g.size else -np.inf
    if not np.isfinite(best):
        return -1
    tol = 1e-9 * max(1.0, abs(best))
    ties = np.flatnonzero(g >= best - tol)
    return int(ties[np.argmin(priority[ties])])  # argmin keeps the first of equals


def greedy_mclp(
    cover: sp.csr_matrix,
    weights: NDArray[np.float64],
    *,
    p: int | None,
    costs: NDArray[np.float64] | None = None,
    budget: float | None = None,
    priority: NDArray[np.float64] | None = None,
) -> list[int]:
    """Greedy maximal covering: add the site covering the most uncovered weight.

    With a budget, the ratio of gain to cost decides among the affordable sites. Stops at
    ``p`` sites, when the budget is spent or when no site adds anything.

    Parameters
    ----------
    cover
        (sites x demand) boolean CSR.
    weights
        (demand,) weights of demand not yet covered.
    p, costs, budget, priority
        Site limit, per-site costs, budget, tie-break priority (lower first).

    Returns
    -------
    list[int]
        Sites in the order they were added.
    """
    n = cover.shape[0]
    a = sp.csr_matrix(cover, dtype=np.float64)
    prio = np.zeros(n) if priority is None else np.asarray(priority, dtype=np.float64)
    c = np.ones(n) if costs is None else np.asarray(costs, dtype=np.float64)
    left = np.asarray(weights, dtype=np.float64).copy()
    spent = 0.0
    chosen: list[int] = []
    is_open = np.zeros(n, dtype=bool)
    limit = n if p is None else min(p, n)
    while len(chosen) < limit:
        gain = a @ left
        allowed = ~is_open & (gain > 0)
        if budget is not None:
            allowed &= spent + c <= budget + 1e-9 * max(1.0, abs(budget))
            score = gain / np.maximum(c, 1e-12)
        else:
            score = gain
        j = _pick(score, prio, allowed)
        if j < 0:
            break
        chosen.append(j)
        is_open[j] = True
        spent += c[j]
        left[a.indices[a.indptr[j]:a.indptr[j + 1]]] = 0.0
    return chosen


def greedy_cmclp(
    cover: sp.csr_matrix,
    weights: NDArray[np.float64],
    load: NDArray[np.float64],
    capacity: NDArray[np.float64],
    *,
    p: int | None,
    costs: NDArray[np.float64] | None = None,
    budget: float | None = None,
    priority: NDArray[np.float64] | None = None,
    split: bool = False,
) -> tuple[list[int], dict[int, dict[int, float]]]:
    """Greedy capacitated maximal covering (lazy evaluation of the marginal gains).

    Opening a site fills its capacity with the unassigned demand it reaches, best
    weight-per-load first (whole points, or fractions with ``split``).

    Returns
    -------
    tuple
        Sites in the order added, and per site ``{demand index: assigned fraction}``.
    """
    n = cover.shape[0]
    a = sp.csr_matrix(cover)
    w = np.asarray(weights, dtype=np.float64)
    ld = np.asarray(load, dtype=np.float64)
    cap = np.where(np.isfinite(capacity), capacity, np.inf)
    prio = np.zeros(n) if priority is None else np.asarray(priority, dtype=np.float64)
    c = np.ones(n) if costs is None else np.asarray(costs, dtype=np.float64)
    left = np.ones(w.shape[0])  # unassigned fraction per demand point

    def fill(j: int) -> tuple[float, dict[int, float]]:
        idx = a.indices[a.indptr[j]:a.indptr[j + 1]]
        idx = idx[left[idx] > 0]
        if idx.size == 0:
            return 0.0, {}
        density = np.where(ld[idx] > 0, w[idx] / np.maximum(ld[idx], 1e-300), np.inf)
        order = idx[np.lexsort((idx, -density))]
        room = cap[j]
        gain = 0.0
        take: dict[int, float] = {}
        for i in order:
            need = ld[i] * left[i]
            if need <= room + 1e-9:
                f = left[i]
            elif split and room > 0 and ld[i] > 0:
                f = room / ld[i]
            else:
                continue
            take[int(i)] = float(f)
            gain += w[i] * f
            room -= ld[i] * f
        return gain, take

    def score(j: int, gain: float) -> float:
        return gain / max(c[j], 1e-12) if budget is not None else gain

    heap = []
    for j in range(n):
        g, _ = fill(j)
        if g > 0:
            heap.append((-score(j, g), prio[j], j))
    heapq.heapify(heap)
    chosen: list[int] = []
    plans: dict[int, dict[int, float]] = {}
    spent = 0.0
    limit = n if p is None else min(p, n)
    while heap and len(chosen) < limit:
        _, _, j = heapq.heappop(heap)
        if budget is not None and spent + c[j] > budget + 1e-9 * max(1.0, abs(budget)):
            continue
        g, take = fill(j)
        if g <= 0:
            continue
        s = score(j, g)
        if heap and -heap[0][0] > s + 1e-9 * max(1.0, abs(s)):
            heapq.heappush(heap, (-s, prio[j], j))
            continue
        chosen.append(j)
        plans[j] = take
        spent += c[j]
        for i, f in take.items():
            left[i] -= f
    return chosen, plans


def greedy_setcover(
    cover: sp.csr_matrix,
    *,
    costs: NDArray[np.float64] | None = None,
    priority: NDArray[np.float64] | None = None,
) -> list[int]:
    """Greedy set covering: most newly covered demand rows per unit cost, then drop
    redundant sites (reverse order). Every demand column must be covered by some site.

    Returns
    -------
    list[int]
        Selected sites (ascending).
    """
    n, m = cover.shape
    a = sp.csr_matrix(cover, dtype=np.float64)
    c = np.ones(n) if costs is None else np.asarray(costs, dtype=np.float64)
    prio = np.zeros(n) if priority is None else np.asarray(priority, dtype=np.float64)
    need = np.ones(m)
    chosen: list[int] = []
    is_open = np.zeros(n, dtype=bool)
    while need.any():
        gain = a @ need
        j = _pick(gain / np.maximum(c, 1e-12), prio, ~is_open & (gain > 0))
        if j < 0:
            raise notice(SolverError, "err.solver.greedy")
        chosen.append(j)
        is_open[j] = True
        need[a.indices[a.indptr[j]:a.indptr[j + 1]]] = 0.0
    # drop redundant sites, most expensive / worst priority first
    count = np.asarray(a[chosen].sum(axis=0)).ravel()
    for j in sorted(chosen, key=lambda k: (-c[k], -prio[k], -k)):
        idx = a.indices[a.indptr[j]:a.indptr[j + 1]]
        if np.all(count[idx] >= 2):
            count[idx] -= 1
            is_open[j] = False
    return sorted(int(j) for j in np.flatnonzero(is_open))


def _pmedian_cost(cost: sp.csr_matrix | NDArray[np.float64], base: NDArray[np.float64],
                  w: NDArray[np.float64], sites: list[int]) -> NDArray[np.float64]:
    """Per-demand cost of the best of ``sites`` or ``base``."""
    d = base.copy()
    for j in sites:
        if isinstance(cost, np.ndarray):
            d = np.minimum(d, cost[j])
        else:
            lo, hi = cost.indptr[j], cost.indptr[j + 1]
            idx = cost.indices[lo:hi]
            d[idx] = np.minimum(d[idx], cost.data[lo:hi])
    return d


def _savings(cost: sp.csr_matrix | NDArray[np.float64], d: NDArray[np.float64],
             w: NDArray[np.float64]) -> NDArray[np.float64]:
    """For every site, the weighted cost saved by opening it given current costs ``d``."""
    if isinstance(cost, np.ndarray):
        diff = np.maximum(0.0, d[None, :] - cost)
        diff = np.where(np.isfinite(diff), diff, 0.0)
        return diff @ w
    rows = np.repeat(np.arange(cost.shape[0]), np.diff(cost.indptr))
    s = np.maximum(0.0, d[cost.indices] - np.asarray(cost.data, dtype=np.float64)) \
        * w[cost.indices]
    s = np.where(np.isfinite(s), s, 0.0)
    return np.asarray(np.bincount(rows, weights=s, minlength=cost.shape[0]), dtype=np.float64)


def greedy_pmedian(
    cost: sp.csr_matrix | NDArray[np.float64],
    weights: NDArray[np.float64],
    base: NDArray[np.float64],
    p: int,
    *,
    priority: NDArray[np.float64] | None = None,
    max_seconds: float = 10.0,
) -> list[int]:
    """Greedy adding then 1-opt vertex interchange (Teitz-Bart) for the p-median.

    Parameters
    ----------
    cost
        (sites x demand) costs, dense or CSR (absent entries: not reachable).
    weights
        (demand,) weights.
    base
        (demand,) cost when served by no selected site (an existing facility or the
        penalty for unreached demand); ``inf`` = must be served by a site. Infinite costs
        are replaced by a large finite penalty inside the heuristic.
    p
        Number of sites.
    priority
        Tie-break among equal gains (lower first).
    max_seconds
        Wall-time budget for the interchange phase.

    Returns
    -------
    list[int]
        Selected sites (ascending).
    """
    n = cost.shape[0]
    w = np.asarray(weights, dtype=np.float64)
    prio = np.zeros(n) if priority is None else np.asarray(priority, dtype=np.float64)
    if sp.issparse(cost):
        cost = sp.csr_matrix(cost)
        values = cost.data
    else:
        values = np.asarray(cost, dtype=np.float64)
    finite = values[np.isfinite(values)]
    big = 10.0 * (float(np.max(finite, initial=0.0))
                  + float(np.max(base[np.isfinite(base)], initial=0.0)) + 1.0)
    b = np.where(np.isfinite(base), base, big)
    chosen: list[int] = []
    d = b.copy()
    is_open = np.zeros(n, dtype=bool)
    for _ in range(min(p, n)):
        j = _pick(_savings(cost, d, w), prio, ~is_open)
        if j < 0:
            break
        chosen.append(j)
        is_open[j] = True
        d = _pmedian_cost(cost, d, w, [j])
    # 1-opt interchange: replace one selected site by one unselected if it lowers the total
    t0 = time.perf_counter()
    total = float(w @ d)
    improved = True
    while improved and time.perf_counter() - t0 < max_seconds:
        improved = False
        for s in list(chosen):
            rest = [k for k in chosen if k != s]
            d_rest = _pmedian_cost(cost, b, w, rest)
            gain = _savings(cost, d_rest, w)
            new_total = float(w @ d_rest) - gain
            new_total[is_open] = np.inf
            u = _pick(-new_total, prio, np.isfinite(new_total))
            if u >= 0 and new_total[u] < total - 1e-9 * max(1.0, abs(total)):
                chosen = [*rest, u]
                is_open[s] = False
                is_open[u] = True
                total = float(new_total[u])
                improved = True
            if time.perf_counter() - t0 >= max_seconds:
                break
    return sorted(chosen)
