"""Location models on matrices: maximal covering, set covering, p-median, joint siting.

The coverage (or cost) matrix is the seam between geography and optimisation: these
functions never see a geometry. Rows are candidate sites, columns demand points, as a
``scipy.sparse`` CSR matrix (``True`` / a travel time where the candidate reaches the
demand point; the *structure* says what is reachable, so explicit zeros count).

One call style for every model (like spopt's ``from_cost_matrix``): a frozen problem
holding the matrix and the per-demand and per-candidate vectors in, the model's own
parameters and the shared solver options as keywords, a :class:`~.solve.Solution` out::

    maximal_covering(CoverageProblem(...), *, p=None, budget=None, split=False, **solver)
    set_covering(CoverageProblem(...), *, objective="sites", **solver)
    p_median(CostProblem(...), *, p, **solver)

where ``solver`` is ``time_limit_s=60.0, method="highs", warm_start=True, aggregate=True``
(:data:`SOLVER_OPTIONS`). A covering model reads a :class:`CoverageProblem` (who reaches
whom), the p-median a :class:`CostProblem` (how far).

Modelling choices (shared by all models)
----------------------------------------
- **Existing facilities count as open.** Demand already covered (``existing``) adds its
  weight to the maximal-covering objective as a constant and needs nothing new; for the
  p-median, ``existing`` is the cost to the nearest open facility.
- **Aggregation.** Demand points with identical coverage sets (identical cost columns and
  existing cost for the p-median) become one MILP row with the summed weight; the optimum
  is unchanged and the model shrinks, often by an order of magnitude on dense cities.
  Capacitated maximal covering with whole-point assignment (``split=False``) is not
  aggregated, because a merged point could not be split between two sites; with
  ``split=True`` only points with the same weight per unit of load are merged.
- **Tie-break.** Among solutions with the same primary objective, sites with lower
  ``priority`` numbers win (idle public assets have priority 1), then fewer sites
  (maximal covering). This is a small penalty per opened site,
  ``unit * (K * rank(priority_j) + 1)`` for maximal covering and
  ``unit * rank(priority_j)`` for set covering and p-median (``rank`` = dense rank of the
  priority among candidates, from 0; ``K`` = the most sites the model can open plus one).
  ``unit`` is chosen so the penalty of any feasible solution stays below ``0.4 * q``,
  where ``q`` is the resolution of the objective coefficients: the largest of 1, 0.1,
  0.01, 0.001 that all coefficients are multiples of. Two solutions with different
  primary objectives differ by at least ``q``, so the tie-break can never change the
  primary optimum. Coefficients with more than three decimals are treated as if
  ``q = 0.001``: the tie-break may then choose among solutions within ``0.0004`` of the
  optimum (a fraction of one person or person-second). Reported objectives are
  recomputed from the selected sites without the tie-break.
- **Solving.** Exact MILP with HiGHS (:func:`.solve.solve_milp`); the greedy solution is the
  warm start and the fallback when the time limit is hit before HiGHS has a feasible
  solution (``status="greedy"``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lifecircle.errors import InputError, notice
from lifecircle.i18n import items, pair
from lifecircle.planner.solve import (
    MilpResult,
    Solution,
    greedy_cmclp,
    greedy_mclp,
    greedy_pmedian,
    greedy_setcover,
    solve_milp,
)

__all__ = ["SOLVER_OPTIONS", "CostProblem", "CoverageProblem", "RankedSite",
           "aggregate_columns", "joint", "maximal_covering", "p_median", "rank_sites",
           "set_covering"]

_METHODS = ("highs", "greedy")
#: Candidate indices: a sequence of ints or an integer array.
Indices = Sequence[int] | NDArray[np.integer]
#: The keyword options every model takes, with their defaults.
SOLVER_OPTIONS: Mapping[str, object] = {"time_limit_s": 60.0, "method": "highs",
                                        "warm_start": True, "aggregate": True}


# ----------------------------------------------------------------------------- problem
def _float(arr: NDArray) -> NDArray[np.float64]:
    """``arr`` as float64 (no copy when it already is: weighted bincounts are)."""
    return np.asarray(arr, dtype=np.float64)


def _vector(value: ArrayLike | None, n: int, name: str, default: float,
            dtype: type = np.float64, owner: str = "CoverageProblem") -> NDArray:
    if value is None:
        return np.full(n, default, dtype=dtype)
    arr: NDArray = np.asarray(value, dtype=dtype).ravel()
    if arr.shape[0] != n:
        raise notice(InputError, "err.model.length", what=f"{owner}.{name}",
                     got=arr.shape[0], n=n)
    return arr


@dataclass(frozen=True, eq=False)
class CoverageProblem:
    """A covering problem on a candidates x demand matrix.

    Parameters
    ----------
    coverage
        (candidates x demand) sparse matrix; a stored entry means the candidate reaches the
        demand point within its circle (values are ignored except ``False``, which is
        dropped). Converted to a boolean CSR matrix.
    weights
        (demand,) population (or other weight) per demand point, >= 0.
    existing
        (demand,) True where an existing (open) facility already covers the point.
    costs
        (candidates,) cost of opening each candidate (default 1; budget models).
    priority
        (candidates,) tie-break rank, lower first (1 = idle public asset); default equal.
    capacity
        (candidates,) most ``load`` a site can serve; NaN or inf = unlimited. Any finite
        value makes :func:`maximal_covering` solve the capacitated variant.
    load
        (demand,) demand counted against capacity (default: ``weights``), e.g. elderly
        residents for an elderly-care station.
    group
        (demand,) index into ``group_names`` (joint siting: the category of the column).
    group_names
        Names of the groups (categories); default one unnamed group.
    """

    coverage: sp.csr_matrix
    weights: NDArray[np.float64]
    existing: NDArray[np.bool_] | None = None
    costs: NDArray[np.float64] | None = None
    priority: NDArray[np.float64] | None = None
    capacity: NDArray[np.float64] | None = None
    load: NDArray[np.float64] | None = None
    group: NDArray[np.int64] | None = None
    group_names: tuple[str, ...] = field(default=("",))

    def __post_init__(self) -> None:
        if not sp.issparse(self.coverage) and not isinstance(self.coverage, np.ndarray):
            raise notice(InputError, "err.model.sparse", type=type(self.coverage).__name__)
        cov = sp.csr_matrix(self.coverage)
        cov.sum_duplicates()
        if cov.dtype == np.bool_:
            cov = cov.copy()
            cov.eliminate_zeros()
        else:  # a time matrix: every stored entry (explicit zeros too) is reachable
            cov = sp.csr_matrix((np.ones(cov.nnz, dtype=bool), cov.indices.copy(),
                                 cov.indptr.copy()), shape=cov.shape)
        cov.sort_indices()
        n, m = cov.shape
        w = _vector(self.weights, m, "weights", 0.0)
        if np.any(~np.isfinite(w)) or np.any(w < 0):
            bad = int(np.flatnonzero(~np.isfinite(w) | (w < 0))[0])
            raise notice(InputError, "err.model.weights", what=f"CoverageProblem.weights[{bad}]",
                         value=w[bad])
        ex = _vector(self.existing, m, "existing", False, bool)
        costs = _vector(self.costs, n, "costs", 1.0)
        if np.any(~np.isfinite(costs)) or np.any(costs < 0):
            raise notice(InputError, "err.model.costs")
        prio = _vector(self.priority, n, "priority", 0.0)
        prio = np.where(np.isfinite(prio), prio, np.nanmax(prio[np.isfinite(prio)],
                                                           initial=0.0) + 1)
        cap = _vector(self.capacity, n, "capacity", np.inf)
        cap = np.where(np.isnan(cap), np.inf, cap)
        if np.any(cap < 0):
            raise notice(InputError, "err.model.capacity")
        load = w.copy() if self.load is None else _vector(self.load, m, "load", 0.0)
        load = np.where(np.isfinite(load), load, 0.0)
        group = _vector(self.group, m, "group", 0, np.int64)
        names = tuple(self.group_names) or ("",)
        if m and (group.min() < 0 or group.max() >= len(names)):
            raise notice(InputError, "err.model.group", top=len(names) - 1)
        for name, value in (("coverage", cov), ("weights", w), ("existing", ex),
                            ("costs", costs), ("priority", prio), ("capacity", cap),
                            ("load", load), ("group", group), ("group_names", names)):
            object.__setattr__(self, name, value)

    @classmethod
    def from_times(cls, times: sp.spmatrix | NDArray[np.float64], limit: float | ArrayLike,
                   weights: ArrayLike, **kwargs: object) -> CoverageProblem:
        """Coverage from a (candidates x demand) travel-time matrix and a limit.

        ``limit`` is a scalar or one limit per demand point (urban and rural circles).
        Dense inputs use ``inf``/NaN for "unreachable"; sparse inputs store reachable pairs.
        """
        if sp.issparse(times):
            t = sp.csr_matrix(times)
            lim = np.broadcast_to(np.asarray(limit, dtype=np.float64), (t.shape[1],))
            keep = t.data <= lim[t.indices]
            rows = np.repeat(np.arange(t.shape[0]), np.diff(t.indptr))[keep]
            cov = sp.csr_matrix((np.ones(int(keep.sum()), dtype=bool),
                                 (rows, t.indices[keep])), shape=t.shape)
        else:
            arr = np.asarray(times, dtype=np.float64)
            lim = np.broadcast_to(np.asarray(limit, dtype=np.float64), (arr.shape[1],))
            cov = sp.csr_matrix(np.nan_to_num(arr, nan=np.inf) <= lim[None, :])
        return cls(cov, np.asarray(weights, dtype=np.float64), **kwargs)  # type: ignore[arg-type]

    @property
    def n_candidates(self) -> int:
        """Number of candidate sites (rows)."""
        return int(self.coverage.shape[0])

    @property
    def n_demand(self) -> int:
        """Number of demand points (columns)."""
        return int(self.coverage.shape[1])

    @property
    def capacitated(self) -> bool:
        """True when some candidate has a finite capacity."""
        return bool(np.any(np.isfinite(self.capacity)))  # type: ignore[arg-type]

    def reachable(self) -> NDArray[np.bool_]:
        """(demand,) True where at least one candidate reaches the point."""
        return np.bincount(self.coverage.indices, minlength=self.n_demand) > 0

    def covered(self, selected: Indices) -> NDArray[np.bool_]:
        """(demand,) True where an existing facility or one of ``selected`` covers."""
        out = np.asarray(self.existing, dtype=bool).copy()
        sel = np.asarray(list(selected), dtype=np.int64)
        if sel.size:
            out[np.unique(self.coverage[sel].indices)] = True
        return out

    def covered_weight(self, selected: Indices) -> float:
        """Total weight covered by existing facilities and ``selected``."""
        return float(self.weights[self.covered(selected)].sum())  # type: ignore[index]


def joint(problems: Mapping[str, CoverageProblem]) -> CoverageProblem:
    """Joint siting: one facility serving several categories (a 社区客厅 hosting elderly
    care and meal aid).

    The categories' demand columns are placed side by side, each with its own weights and
    existing coverage, so an opened candidate earns the union of what it covers in every
    category. Candidates (costs, priority, capacity) must be the same in all problems;
    capacities then apply to the summed load across categories.

    Parameters
    ----------
    problems
        Category name -> its problem, all on the same candidates.

    Returns
    -------
    CoverageProblem
        With ``group`` = the category index of each column, ``group_names`` = the keys.
    """
    if not problems:
        raise notice(InputError, "err.model.joint_empty")
    names = tuple(problems)
    items = [problems[k] for k in names]
    first = items[0]
    for name, prob in zip(names[1:], items[1:], strict=True):
        if prob.n_candidates != first.n_candidates:
            raise notice(InputError, "err.model.joint_n", name=repr(name),
                         n=prob.n_candidates, first=repr(names[0]), n_first=first.n_candidates)
        for attr in ("costs", "priority", "capacity"):
            a, b = getattr(first, attr), getattr(prob, attr)
            if not np.array_equal(a, b):
                raise notice(InputError, "err.model.joint_attr", name=repr(name), attr=attr,
                             first=repr(names[0]))
    return CoverageProblem(
        sp.hstack([p.coverage for p in items], format="csr"),
        np.concatenate([p.weights for p in items]),
        existing=np.concatenate([p.existing for p in items]),
        costs=first.costs, priority=first.priority, capacity=first.capacity,
        load=np.concatenate([p.load for p in items]),
        group=np.concatenate([np.full(p.n_demand, k, dtype=np.int64)
                              for k, p in enumerate(items)]),
        group_names=names)


# ----------------------------------------------------------------------------- helpers
def aggregate_columns(matrix: sp.spmatrix, *extra: NDArray) -> tuple[NDArray[np.int64],
                                                                       NDArray[np.int64]]:
    """Group identical columns of a sparse matrix.

    Two columns are identical when they store entries in the same rows with the same
    values (for a boolean matrix: the same coverage set) and agree on every ``extra``
    per-column array.

    Returns
    -------
    tuple
        ``(representative, label)``: the first column of each group, and for every column
        the index of its group (``0..len(representative)-1``).
    """
    csc = sp.csc_matrix(matrix)
    csc.sort_indices()
    ind, ptr = csc.indices, csc.indptr
    data = None if csc.dtype == np.bool_ else csc.data
    ex = [np.ascontiguousarray(e) for e in extra]
    seen: dict[bytes, int] = {}
    label = np.empty(csc.shape[1], dtype=np.int64)
    reps: list[int] = []
    for k in range(csc.shape[1]):
        lo, hi = ptr[k], ptr[k + 1]
        key = ind[lo:hi].tobytes()
        if data is not None:
            key += b"|" + data[lo:hi].tobytes()
        for e in ex:
            key += b"|" + e[k].tobytes()
        g = seen.get(key)
        if g is None:
            g = seen[key] = len(reps)
            reps.append(k)
        label[k] = g
    return np.asarray(reps, dtype=np.int64), label


def _resolution(values: NDArray[np.float64]) -> float:
    """Largest q in (1, 0.1, 0.01, 0.001) that every finite value is a multiple of."""
    v = np.abs(np.asarray(values, dtype=np.float64))
    v = v[np.isfinite(v)]
    for q in (1.0, 0.1, 0.01, 0.001):
        r = v / q
        if np.all(np.abs(r - np.round(r)) <= 1e-7 + 1e-12 * r):
            return q
    return 0.001


def _prio_rank(priority: NDArray[np.float64]) -> NDArray[np.float64]:
    """Dense rank of the priorities (0 = best)."""
    if priority.size == 0:
        return priority.astype(np.float64)
    return np.unique(priority, return_inverse=True)[1].astype(np.float64)


def _max_sites(n: int, p: int | None, costs: NDArray[np.float64],
               budget: float | None) -> int:
    k = n if p is None else min(p, n)
    if budget is not None and n:
        cheapest = np.sort(costs)
        affordable = int(np.searchsorted(np.cumsum(cheapest), budget * (1 + 1e-12),
                                         side="right"))
        k = min(k, affordable)
    return max(k, 1)


def _check_method(method: str, time_limit_s: float) -> None:
    if method not in _METHODS:
        raise notice(InputError, "err.plan.method", value=repr(method), known=items(_METHODS))
    if not (time_limit_s >= 0):
        raise notice(InputError, "err.model.time_limit", value=time_limit_s)


def _finish(*, model: str, t0: float, selected: Indices, objective: float,
            res: MilpResult | None, maximize: bool, tb_max: float, greedy_obj: float,
            used_greedy: bool,
            unreachable: NDArray[np.bool_], size: tuple[int, int, int],
            assignment: NDArray[np.int64] | None = None, method: str = "highs") -> Solution:
    """Assemble a :class:`Solution` from a MILP result (or the greedy fallback)."""
    sel = tuple(sorted(int(j) for j in selected))
    unr = tuple(int(i) for i in np.flatnonzero(unreachable))
    if method == "trivial":
        return Solution(sel, objective, objective, 0.0, "optimal", time.perf_counter() - t0,
                        "trivial", model, greedy_obj, unr, assignment, size)
    if used_greedy:
        return Solution(sel, objective, math.inf if maximize else -math.inf, math.inf,
                        "greedy", time.perf_counter() - t0, "greedy", model, greedy_obj, unr,
                        assignment, size)
    assert res is not None
    if res.status == "optimal":
        bound, gap, status = objective, 0.0, "optimal"
    else:
        # HiGHS's bound includes the tie-break penalty (< tb_max): widen it to stay valid
        bound = res.bound + tb_max if maximize else res.bound - tb_max
        gap, status = float(res.gap), "time_limit"
    return Solution(sel, objective, float(bound), gap, status, time.perf_counter() - t0,
                    "highs", model, greedy_obj, unr, assignment, size)


def _stack_rows(blocks: list[sp.spmatrix], n_col: int) -> sp.csr_matrix:
    blocks = [sp.csr_matrix(b) for b in blocks if b.shape[0]]
    if not blocks:
        return sp.csr_matrix((0, n_col))
    return sp.vstack(blocks, format="csr")


# ----------------------------------------------------------------------------- MCLP
def maximal_covering(
    problem: CoverageProblem,
    *,
    p: int | None = None,
    budget: float | None = None,
    split: bool = False,
    time_limit_s: float = 60.0,
    method: str = "highs",
    warm_start: bool = True,
    aggregate: bool = True,
) -> Solution:
    """Maximal covering location: open at most ``p`` sites (and/or spend at most
    ``budget``) to cover the most weight, existing facilities counted as open.

    With finite candidate capacities this is the capacitated variant: each demand point is
    assigned to at most one open site that reaches it, and the load assigned to a site may
    not exceed its capacity; only assigned demand counts as newly covered.

    Parameters
    ----------
    problem
        The coverage problem.
    p
        Most new sites; ``None`` = no limit on the count (a budget is then required).
    budget
        Most total cost of the new sites (``problem.costs``); ``None`` = no budget.
    split
        Capacitated variant only: allow a demand point to be shared between sites
        (fractional assignment; enables aggregation).
    time_limit_s
        HiGHS time limit (seconds).
    method
        ``"highs"`` (exact MILP, greedy warm start) or ``"greedy"`` (heuristic only).
    warm_start
        Give the greedy solution to HiGHS as a start.
    aggregate
        Merge demand points with identical coverage sets before building the MILP.

    Returns
    -------
    Solution
        ``objective`` = total covered weight including existing coverage;
        ``unreachable`` = demand neither covered nor reachable by any candidate.

    Raises
    ------
    InputError
        Neither ``p`` nor ``budget`` given, or a negative one.
    SolverError
        HiGHS fails (status in the message).
    """
    t0 = time.perf_counter()
    _check_method(method, time_limit_s)
    if p is None and budget is None:
        raise notice(InputError, "err.model.mclp_p")
    if p is not None and (int(p) != p or p < 0):
        raise notice(InputError, "err.model.mclp_p_bad", value=p)
    if budget is not None and not (budget >= 0):
        raise notice(InputError, "err.model.budget", value=budget)
    p = None if p is None else int(p)
    pr = problem
    w, ex = pr.weights, pr.existing
    reach = pr.reachable()
    unreachable = ~ex & ~reach  # type: ignore[operator]
    offset = float(w[ex].sum())  # type: ignore[index]
    active = np.flatnonzero(~ex & reach & (w > 0))  # type: ignore[operator]
    costs = pr.costs
    sub = pr.coverage[:, active]
    useful = np.flatnonzero(np.diff(sub.indptr) > 0)
    if budget is not None:
        useful = useful[costs[useful] <= budget * (1 + 1e-12)]  # type: ignore[index]
    if pr.capacitated:
        return _cmclp(pr, p, budget, t0=t0, active=active, useful=useful,
                      unreachable=unreachable, offset=offset, time_limit_s=time_limit_s,
                      method=method, warm_start=warm_start, aggregate=aggregate, split=split)
    a = sub[useful]
    wg: NDArray[np.float64]
    if aggregate and a.shape[1]:
        reps, label = aggregate_columns(a)
        a = a[:, reps]
        wg = _float(np.bincount(label, weights=w[active], minlength=reps.size))  # type: ignore[index]
    else:
        wg = w[active]  # type: ignore[index]
    n, g = a.shape
    if n == 0 or g == 0 or p == 0:
        return _finish(model="mclp", t0=t0, selected=(), objective=offset, res=None,
                       maximize=True, tb_max=0.0, greedy_obj=offset, used_greedy=False,
                       unreachable=unreachable, size=(0, 0, 0), method="trivial")
    c = costs[useful]  # type: ignore[index]
    rank = _prio_rank(pr.priority[useful])  # type: ignore[index]
    kmax = _max_sites(n, p, c, budget)
    big_k = kmax + 1
    unit = 0.4 * _resolution(wg) / (kmax * (big_k * rank.max() + 1))
    tb = unit * (big_k * rank + 1)
    tb_max = float(np.sort(tb)[-kmax:].sum())

    order = greedy_mclp(a, wg, p=p, costs=c, budget=budget, priority=rank)
    greedy_sel = useful[order]
    greedy_obj = pr.covered_weight(greedy_sel)
    if method == "greedy":
        return _finish(model="mclp", t0=t0, selected=greedy_sel, objective=greedy_obj,
                       res=None, maximize=True, tb_max=tb_max, greedy_obj=greedy_obj,
                       used_greedy=True, unreachable=unreachable, size=(0, 0, 0))
    # columns: y (n sites), z (g demand groups)
    at = sp.csr_matrix(a.T, dtype=np.float64)
    cover_rows = sp.hstack([-at, sp.identity(g, format="csr")], format="csr")
    extra = []
    lo_extra: list[float] = []
    hi_extra: list[float] = []
    if p is not None:
        extra.append(sp.csr_matrix(np.r_[np.ones(n), np.zeros(g)][None, :]))
        lo_extra.append(-np.inf)
        hi_extra.append(float(p))
    if budget is not None:
        extra.append(sp.csr_matrix(np.r_[c, np.zeros(g)][None, :]))
        lo_extra.append(-np.inf)
        hi_extra.append(float(budget))
    rows = _stack_rows([cover_rows, *extra], n + g)
    start = None
    if warm_start and order:
        y0 = np.zeros(n)
        y0[order] = 1.0
        start = np.r_[y0, np.minimum(1.0, at @ y0)]
    res = solve_milp(
        maximize=True, cost=np.r_[-tb, wg], lower=np.zeros(n + g), upper=np.ones(n + g),
        integer=np.r_[np.ones(n, bool), np.zeros(g, bool)], rows=rows,
        row_lower=np.r_[np.full(g, -np.inf), lo_extra], row_upper=np.r_[np.zeros(g), hi_extra],
        offset=offset, start=start,
        time_limit_s=max(0.0, time_limit_s - (time.perf_counter() - t0)),
        what=pair("solver.what.mclp"))
    size = (rows.shape[0], rows.shape[1], rows.nnz)
    if res.x is None:
        return _finish(model="mclp", t0=t0, selected=greedy_sel, objective=greedy_obj,
                       res=res, maximize=True, tb_max=tb_max, greedy_obj=greedy_obj,
                       used_greedy=True, unreachable=unreachable, size=size)
    selected = useful[np.flatnonzero(res.x[:n] > 0.5)]
    return _finish(model="mclp", t0=t0, selected=selected,
                   objective=pr.covered_weight(selected), res=res, maximize=True,
                   tb_max=tb_max, greedy_obj=greedy_obj, used_greedy=False,
                   unreachable=unreachable, size=size)


def _cmclp(pr: CoverageProblem, p: int | None, budget: float | None, *, t0: float,
           active: NDArray[np.int64], useful: NDArray[np.int64],
           unreachable: NDArray[np.bool_], offset: float, time_limit_s: float, method: str,
           warm_start: bool, aggregate: bool, split: bool) -> Solution:
    """Capacitated maximal covering (see :func:`maximal_covering`)."""
    w, ld = pr.weights[active], pr.load[active]  # type: ignore[index]
    a = pr.coverage[useful][:, active]
    wg: NDArray[np.float64]
    lg: NDArray[np.float64]
    if aggregate and split and a.shape[1]:
        # merged points share sites pro rata, which is exact only for equal weight/load
        density = np.where(ld > 0, w / np.where(ld > 0, ld, 1.0), np.inf)
        reps, label = aggregate_columns(a, density)
        a = a[:, reps]
        wg = _float(np.bincount(label, weights=w, minlength=reps.size))
        lg = _float(np.bincount(label, weights=ld, minlength=reps.size))
    else:
        label = np.arange(active.size)
        wg, lg = w, ld
    a = sp.csr_matrix(a)
    a.sort_indices()
    n, g = a.shape
    m_all = pr.n_demand

    def assignment_of(frac: NDArray[np.float64]) -> NDArray[np.int64]:
        """Per original demand point, the site with the largest assigned share."""
        out = np.full(m_all, -1, dtype=np.int64)
        best = np.zeros(g)
        site_of = np.full(g, -1, dtype=np.int64)
        pair_site = np.repeat(np.arange(n), np.diff(a.indptr))
        for k in np.flatnonzero(frac > 1e-9):
            gg = a.indices[k]
            if frac[k] > best[gg]:
                best[gg] = frac[k]
                site_of[gg] = useful[pair_site[k]]
        out[active] = site_of[label]
        return out

    def objective_of(frac: NDArray[np.float64]) -> float:
        got = np.bincount(a.indices, weights=np.clip(frac, 0, 1), minlength=g)
        return offset + float(wg @ np.minimum(got, 1.0))

    if n == 0 or g == 0 or p == 0:
        return _finish(model="cmclp", t0=t0, selected=(), objective=offset, res=None,
                       maximize=True, tb_max=0.0, greedy_obj=offset, used_greedy=False,
                       unreachable=unreachable, size=(0, 0, 0), method="trivial",
                       assignment=np.full(m_all, -1, dtype=np.int64))
    c = pr.costs[useful]  # type: ignore[index]
    cap = pr.capacity[useful]  # type: ignore[index]
    rank = _prio_rank(pr.priority[useful])  # type: ignore[index]
    kmax = _max_sites(n, p, c, budget)
    big_k = kmax + 1
    unit = 0.4 * _resolution(wg) / (kmax * (big_k * rank.max() + 1))
    tb = unit * (big_k * rank + 1)
    tb_max = float(np.sort(tb)[-kmax:].sum())
    k_pairs = a.nnz
    pair_site = np.repeat(np.arange(n), np.diff(a.indptr))
    pair_dem = a.indices

    order, plans = greedy_cmclp(a, wg, lg, cap, p=p, costs=c, budget=budget,
                                priority=rank, split=split)
    x0 = np.zeros(k_pairs)
    for j, take in plans.items():
        lo, hi = a.indptr[j], a.indptr[j + 1]
        cols = a.indices[lo:hi]
        for gg, f in take.items():
            x0[lo + int(np.searchsorted(cols, gg))] = f
    greedy_sel = useful[order]
    greedy_obj = objective_of(x0)
    if method == "greedy":
        return _finish(model="cmclp", t0=t0, selected=greedy_sel, objective=greedy_obj,
                       res=None, maximize=True, tb_max=tb_max, greedy_obj=greedy_obj,
                       used_greedy=True, unreachable=unreachable, size=(0, 0, 0),
                       assignment=assignment_of(x0))
    # columns: y (n), x (k_pairs); rows: demand (g), link (k_pairs), capacity, p, budget
    ar = np.arange(k_pairs)
    demand_rows = sp.csr_matrix((np.ones(k_pairs), (pair_dem, n + ar)), shape=(g, n + k_pairs))
    link_rows = sp.csr_matrix((np.r_[np.ones(k_pairs), -np.ones(k_pairs)],
                               (np.r_[ar, ar], np.r_[n + ar, pair_site])),
                              shape=(k_pairs, n + k_pairs))
    capped = np.flatnonzero(np.isfinite(cap))
    cap_index = np.full(n, -1)
    cap_index[capped] = np.arange(capped.size)
    in_cap = cap_index[pair_site] >= 0
    cap_rows = sp.csr_matrix(
        (np.r_[lg[pair_dem[in_cap]], -cap[capped]],
         (np.r_[cap_index[pair_site[in_cap]], np.arange(capped.size)],
          np.r_[n + ar[in_cap], capped])),
        shape=(capped.size, n + k_pairs))
    extra, hi_extra = [], []
    if p is not None:
        extra.append(sp.csr_matrix(np.r_[np.ones(n), np.zeros(k_pairs)][None, :]))
        hi_extra.append(float(p))
    if budget is not None:
        extra.append(sp.csr_matrix(np.r_[c, np.zeros(k_pairs)][None, :]))
        hi_extra.append(float(budget))
    rows = _stack_rows([demand_rows, link_rows, cap_rows, *extra], n + k_pairs)
    n_rows = rows.shape[0]
    row_upper = np.r_[np.ones(g), np.zeros(k_pairs), np.zeros(capped.size), hi_extra]
    start = None
    if warm_start and order:
        y0 = np.zeros(n)
        y0[order] = 1.0
        start = np.r_[y0, x0]
    res = solve_milp(
        maximize=True, cost=np.r_[-tb, wg[pair_dem]], lower=np.zeros(n + k_pairs),
        upper=np.ones(n + k_pairs),
        integer=np.r_[np.ones(n, bool), np.full(k_pairs, not split)], rows=rows,
        row_lower=np.full(n_rows, -np.inf), row_upper=row_upper, offset=offset, start=start,
        time_limit_s=max(0.0, time_limit_s - (time.perf_counter() - t0)),
        what=pair("solver.what.cmclp"))
    size = (rows.shape[0], rows.shape[1], rows.nnz)
    if res.x is None:
        return _finish(model="cmclp", t0=t0, selected=greedy_sel, objective=greedy_obj,
                       res=res, maximize=True, tb_max=tb_max, greedy_obj=greedy_obj,
                       used_greedy=True, unreachable=unreachable, size=size,
                       assignment=assignment_of(x0))
    y = res.x[:n] > 0.5
    frac = np.where(y[pair_site], res.x[n:], 0.0)
    if not split:
        frac = (frac > 0.5).astype(np.float64)
    return _finish(model="cmclp", t0=t0, selected=useful[np.flatnonzero(y)],
                   objective=objective_of(frac), res=res, maximize=True, tb_max=tb_max,
                   greedy_obj=greedy_obj, used_greedy=False, unreachable=unreachable,
                   size=size, assignment=assignment_of(frac))


# ----------------------------------------------------------------------------- set cover
def set_covering(
    problem: CoverageProblem,
    *,
    objective: str = "sites",
    time_limit_s: float = 60.0,
    method: str = "highs",
    warm_start: bool = True,
    aggregate: bool = True,
) -> Solution:
    """Location set covering: the fewest new sites (or the least total cost) so that every
    demand point with weight > 0 that some candidate can reach is covered.

    Demand already covered by existing facilities needs nothing; demand no candidate can
    reach is left out and listed in ``Solution.unreachable``.

    Parameters
    ----------
    problem
        The coverage problem (capacities are not supported here).
    objective
        ``"sites"`` (count) or ``"cost"`` (sum of ``problem.costs``).
    time_limit_s, method, warm_start, aggregate
        As for :func:`maximal_covering`.

    Returns
    -------
    Solution
        ``objective`` = number of sites or their total cost.
    """
    t0 = time.perf_counter()
    _check_method(method, time_limit_s)
    if objective not in ("sites", "cost"):
        raise notice(InputError, "err.model.objective", value=repr(objective))
    if problem.capacitated:
        raise notice(InputError, "err.model.setcover_capacity")
    pr = problem
    reach = pr.reachable()
    unreachable = ~pr.existing & ~reach  # type: ignore[operator]
    need = np.flatnonzero(~pr.existing & reach & (pr.weights > 0))  # type: ignore[operator]
    sub = pr.coverage[:, need]
    useful = np.flatnonzero(np.diff(sub.indptr) > 0)
    a = sub[useful]
    if aggregate and a.shape[1]:
        reps, _ = aggregate_columns(a)
        a = a[:, reps]
    n, g = a.shape
    full_c = pr.costs if objective == "cost" else np.ones(pr.n_candidates)
    c = full_c[useful]  # type: ignore[index]

    def value(sel: Indices) -> float:
        return float(np.sum(full_c[np.asarray(sel, dtype=np.int64)]))  # type: ignore[index]

    if g == 0:
        return _finish(model="setcover", t0=t0, selected=(), objective=0.0, res=None,
                       maximize=False, tb_max=0.0, greedy_obj=0.0, used_greedy=False,
                       unreachable=unreachable, size=(0, 0, 0), method="trivial")
    rank = _prio_rank(pr.priority[useful])  # type: ignore[index]
    kmax = min(n, g)
    unit = 0.4 * _resolution(c) / (kmax * max(rank.max(), 1.0))
    tb = unit * rank
    tb_max = float(np.sort(tb)[-kmax:].sum())
    order = greedy_setcover(a, costs=c, priority=rank)
    greedy_sel = useful[order]
    greedy_obj = value(greedy_sel)
    if method == "greedy":
        return _finish(model="setcover", t0=t0, selected=greedy_sel, objective=greedy_obj,
                       res=None, maximize=False, tb_max=tb_max, greedy_obj=greedy_obj,
                       used_greedy=True, unreachable=unreachable, size=(0, 0, 0))
    rows = sp.csr_matrix(a.T, dtype=np.float64)
    start = None
    if warm_start:
        start = np.zeros(n)
        start[order] = 1.0
    res = solve_milp(
        maximize=False, cost=c + tb, lower=np.zeros(n), upper=np.ones(n),
        integer=np.ones(n, bool), rows=rows, row_lower=np.ones(g),
        row_upper=np.full(g, np.inf), start=start,
        time_limit_s=max(0.0, time_limit_s - (time.perf_counter() - t0)),
        what=pair("solver.what.setcover"))
    size = (rows.shape[0], rows.shape[1], rows.nnz)
    if res.x is None:
        return _finish(model="setcover", t0=t0, selected=greedy_sel, objective=greedy_obj,
                       res=res, maximize=False, tb_max=tb_max, greedy_obj=greedy_obj,
                       used_greedy=True, unreachable=unreachable, size=size)
    selected = useful[np.flatnonzero(res.x > 0.5)]
    return _finish(model="setcover", t0=t0, selected=selected, objective=value(selected),
                   res=res, maximize=False, tb_max=tb_max, greedy_obj=greedy_obj,
                   used_greedy=False, unreachable=unreachable, size=size)


# ----------------------------------------------------------------------------- p-median
def _cost_csr(cost: sp.spmatrix | ArrayLike) -> sp.csr_matrix:
    """CSR of the finite costs; for dense input ``inf``/NaN means unreachable."""
    if sp.issparse(cost):
        out = sp.csr_matrix(cost, dtype=np.float64)
        out.sum_duplicates()
        out.sort_indices()
        return out
    arr = np.asarray(cost, dtype=np.float64)
    if arr.ndim != 2:
        raise notice(InputError, "err.model.cost_shape", shape=str(arr.shape))
    mask = np.isfinite(arr)
    indptr = np.r_[0, np.cumsum(mask.sum(axis=1))]
    return sp.csr_matrix((arr[mask], np.nonzero(mask)[1], indptr), shape=arr.shape)


@dataclass(frozen=True, eq=False)
class CostProblem:
    """A median problem on a candidates x demand cost (travel-time) matrix.

    Parameters
    ----------
    cost
        (candidates x demand) costs. Dense: ``inf``/NaN = unreachable. Sparse (e.g. travel
        times within a cutoff): stored entries are the reachable pairs, explicit zeros
        included. Converted to a CSR matrix of the finite costs.
    weights
        (demand,) weights (population), finite and >= 0.
    existing
        (demand,) cost to the nearest existing open facility (``inf``/NaN = none).
    unreached_cost
        Cost charged to a demand point that no open site (new or existing) reaches, e.g.
        the cutoff of a sparse matrix; a scalar or one value per demand point (NaN = none).
        ``None``: every demand point with weight must be reached.
    priority
        (candidates,) tie-break, lower first; default equal.
    """

    cost: sp.csr_matrix
    weights: NDArray[np.float64]
    existing: NDArray[np.float64] | None = None
    unreached_cost: float | NDArray[np.float64] | None = None
    priority: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        c_all = _cost_csr(self.cost)
        n, m = c_all.shape
        w = _vector(self.weights, m, "weights", 0.0, owner="CostProblem")
        if np.any(~np.isfinite(w)) or np.any(w < 0):
            raise notice(InputError, "err.model.cost_weights")
        ex = _vector(self.existing, m, "existing", np.inf, owner="CostProblem")
        ex = np.where(np.isnan(ex), np.inf, ex)
        if self.unreached_cost is None:
            fallback = None
        else:
            cap = np.broadcast_to(np.asarray(self.unreached_cost, dtype=np.float64), (m,))
            fallback = np.where(np.isnan(cap), np.inf, cap)
        prio = _vector(self.priority, n, "priority", 0.0, owner="CostProblem")
        if np.any(c_all.data < 0):
            raise notice(InputError, "err.model.cost_negative")
        for name, value in (("cost", c_all), ("weights", w), ("existing", ex),
                            ("unreached_cost", fallback), ("priority", prio)):
            object.__setattr__(self, name, value)

    @property
    def n_candidates(self) -> int:
        """Number of candidate sites (rows)."""
        return int(self.cost.shape[0])

    @property
    def n_demand(self) -> int:
        """Number of demand points (columns)."""
        return int(self.cost.shape[1])

    def base(self) -> NDArray[np.float64]:
        """(demand,) cost before any new site: the nearest existing facility, or the
        ``unreached_cost`` where that is lower (``inf`` where neither)."""
        ex: NDArray[np.float64] = self.existing  # type: ignore[assignment]
        if self.unreached_cost is None:
            return ex
        return np.minimum(ex, self.unreached_cost)

    def reachable(self) -> NDArray[np.bool_]:
        """(demand,) True where at least one candidate reaches the point."""
        return np.bincount(self.cost.indices, minlength=self.n_demand) > 0


def p_median(
    problem: CostProblem,
    *,
    p: int,
    time_limit_s: float = 60.0,
    method: str = "highs",
    warm_start: bool = True,
    aggregate: bool = True,
) -> Solution:
    """p-median: open exactly ``p`` sites to minimise the total weighted cost (travel time)
    of every demand point to its nearest open facility (existing or new).

    Parameters
    ----------
    problem
        The cost problem (matrix, weights, existing costs, unreached cost, priorities).
    p
        Number of new sites (0 <= p <= candidates).
    time_limit_s, method, warm_start, aggregate
        As for :func:`maximal_covering`.

    Returns
    -------
    Solution
        ``objective`` = sum over demand of weight x cost to the nearest open facility
        (``unreached_cost`` where none reaches); ``unreachable`` = demand no candidate and
        no existing facility reaches.

    Raises
    ------
    InputError
        ``p`` out of range, or a demand point with weight that nothing reaches and no
        ``unreached_cost``.
    """
    t0 = time.perf_counter()
    _check_method(method, time_limit_s)
    c_all = problem.cost
    n, m = c_all.shape
    w = problem.weights
    if int(p) != p or not 0 <= p <= n:
        raise notice(InputError, "err.model.pmedian_p", value=p, n=n)
    p = int(p)
    ex: NDArray[np.float64] = problem.existing  # type: ignore[assignment]
    base = problem.base()
    prio: NDArray[np.float64] = problem.priority  # type: ignore[assignment]
    reached = problem.reachable()
    unreachable = ~reached & ~np.isfinite(ex)
    must = ~np.isfinite(base) & (w > 0)
    if np.any(must & ~reached):
        bad = int(np.flatnonzero(must & ~reached)[0])
        raise notice(InputError, "err.model.pmedian_unreached", point=bad)

    def value(sel: Indices) -> float:
        d = base.copy()
        for j in sel:
            lo, hi = c_all.indptr[j], c_all.indptr[j + 1]
            idx = c_all.indices[lo:hi]
            d[idx] = np.minimum(d[idx], c_all.data[lo:hi])
        pos = w > 0
        return float(w[pos] @ d[pos])

    # prune pairs no better than the fallback, and demand with weight 0
    rows_of = np.repeat(np.arange(n), np.diff(c_all.indptr))
    keep = (c_all.data < base[c_all.indices]) & (w[c_all.indices] > 0)
    pruned = sp.csr_matrix((c_all.data[keep], (rows_of[keep], c_all.indices[keep])),
                           shape=(n, m))
    live = np.flatnonzero(np.bincount(pruned.indices, minlength=m) > 0)
    fixed = float(w[(w > 0)] @ np.where(np.isfinite(base), base, 0.0)[(w > 0)])
    sub = pruned[:, live]
    wg: NDArray[np.float64]
    if aggregate and live.size:
        reps, label = aggregate_columns(sub, base[live])
        sub = sub[:, reps]
        wg = _float(np.bincount(label, weights=w[live], minlength=reps.size))
        bg = base[live][reps]
    else:
        wg, bg = w[live], base[live]
    sub = sp.csr_matrix(sub)
    sub.sort_indices()
    g = sub.shape[1]
    b0 = np.where(np.isfinite(bg), bg, 0.0)
    if p == 0 or g == 0:
        # nothing to gain: any p sites do; prefer the best priorities
        sel = np.argsort(prio, kind="stable")[:p]
        obj = value(sel)
        return _finish(model="pmedian", t0=t0, selected=sel, objective=obj, res=None,
                       maximize=False, tb_max=0.0, greedy_obj=obj, used_greedy=False,
                       unreachable=unreachable, size=(0, 0, 0), method="trivial")
    rank = _prio_rank(prio)
    pair_site = np.repeat(np.arange(n), np.diff(sub.indptr))
    pair_dem = sub.indices
    k_pairs = sub.nnz
    coef = wg[pair_dem] * (sub.data - b0[pair_dem])
    unit = 0.4 * _resolution(np.r_[coef, wg * b0]) / (p * max(rank.max(), 1.0))
    tb = unit * rank
    tb_max = float(np.sort(tb)[-p:].sum())

    order = greedy_pmedian(sub, wg, bg, p, priority=rank,
                           max_seconds=max(0.1, min(10.0, 0.2 * time_limit_s)))
    greedy_obj = value(order)
    if method == "greedy":
        return _finish(model="pmedian", t0=t0, selected=order, objective=greedy_obj,
                       res=None, maximize=False, tb_max=tb_max, greedy_obj=greedy_obj,
                       used_greedy=True, unreachable=unreachable, size=(0, 0, 0))
    # columns: y (n), x (k_pairs); rows: demand (g), link (k_pairs), count (1)
    ar = np.arange(k_pairs)
    demand_rows = sp.csr_matrix((np.ones(k_pairs), (pair_dem, n + ar)), shape=(g, n + k_pairs))
    link_rows = sp.csr_matrix((np.r_[np.ones(k_pairs), -np.ones(k_pairs)],
                               (np.r_[ar, ar], np.r_[n + ar, pair_site])),
                              shape=(k_pairs, n + k_pairs))
    count_row = sp.csr_matrix(np.r_[np.ones(n), np.zeros(k_pairs)][None, :])
    rows = _stack_rows([demand_rows, link_rows, count_row], n + k_pairs)
    must_g = ~np.isfinite(bg)
    row_lower = np.r_[np.where(must_g, 1.0, -np.inf), np.full(k_pairs, -np.inf), p]
    row_upper = np.r_[np.ones(g), np.zeros(k_pairs), p]
    start = None
    if warm_start:
        y0 = np.zeros(n)
        y0[order] = 1.0
        x0 = np.zeros(k_pairs)
        best = np.where(np.isfinite(bg), bg, np.inf)
        arg = np.full(g, -1)
        for k in np.flatnonzero(y0[pair_site] > 0):
            if sub.data[k] < best[pair_dem[k]]:
                best[pair_dem[k]] = sub.data[k]
                arg[pair_dem[k]] = k
        x0[arg[arg >= 0]] = 1.0
        start = np.r_[y0, x0]
    res = solve_milp(
        maximize=False, cost=np.r_[tb, coef], lower=np.zeros(n + k_pairs),
        upper=np.ones(n + k_pairs), integer=np.r_[np.ones(n, bool), np.zeros(k_pairs, bool)],
        rows=rows, row_lower=row_lower, row_upper=row_upper, offset=fixed, start=start,
        time_limit_s=max(0.0, time_limit_s - (time.perf_counter() - t0)),
        what=pair("solver.what.pmedian"))
    size = (rows.shape[0], rows.shape[1], rows.nnz)
    if res.x is None:
        return _finish(model="pmedian", t0=t0, selected=order, objective=greedy_obj,
                       res=res, maximize=False, tb_max=tb_max, greedy_obj=greedy_obj,
                       used_greedy=True, unreachable=unreachable, size=size)
    selected = np.flatnonzero(res.x[:n] > 0.5)
    return _finish(model="pmedian", t0=t0, selected=selected, objective=value(selected),
                   res=res, maximize=False, tb_max=tb_max, greedy_obj=greedy_obj,
                   used_greedy=False, unreachable=unreachable, size=size)


# ----------------------------------------------------------------------------- ranking
@dataclass(frozen=True, eq=False)
class RankedSite:
    """One proposed site in rank order.

    Attributes
    ----------
    rank
        1 = first.
    candidate
        Candidate index (row of the problem).
    gain
        Weight newly covered when the site is added after the higher-ranked ones.
    newly_covered
        Demand indices (columns) the site newly covers.
    """

    rank: int
    candidate: int
    gain: float
    newly_covered: NDArray[np.int64]


def rank_sites(problem: CoverageProblem, selected: Indices, *,
               assignment: NDArray[np.int64] | None = None) -> tuple[RankedSite, ...]:
    """Rank selected sites by marginal gain in greedy order.

    Starting from existing coverage, repeatedly take the selected site that newly covers
    the most weight (ties: lower priority number, then lower index). With an
    ``assignment`` (capacitated solutions), a site's newly covered demand is what is
    assigned to it, and sites are ordered by that weight.

    Returns
    -------
    tuple[RankedSite, ...]
        Every selected site once, a site that adds nothing last with gain 0.
    """
    sel = [int(j) for j in selected]
    w = problem.weights
    prio = problem.priority
    out: list[RankedSite] = []
    if assignment is not None:
        asg = np.asarray(assignment)
        items = []
        for j in sel:
            idx = np.flatnonzero((asg == j) & ~problem.existing)  # type: ignore[operator]
            items.append((-float(w[idx].sum()), prio[j], j, idx))  # type: ignore[index]
        items.sort(key=lambda t: (t[0], t[1], t[2]))
        return tuple(RankedSite(r + 1, j, -g, idx) for r, (g, _, j, idx) in enumerate(items))
    cov = problem.coverage
    covered = np.asarray(problem.existing, dtype=bool).copy()
    left = list(sel)
    rank = 1
    while left:
        gains = []
        for j in left:
            idx = cov.indices[cov.indptr[j]:cov.indptr[j + 1]]
            new = idx[~covered[idx]]
            gains.append((float(w[new].sum()), new))  # type: ignore[index]
        best = max(range(len(left)),
                   key=lambda k: (gains[k][0], -prio[left[k]], -left[k]))  # type: ignore[index]
        j = left.pop(best)
        gain, new = gains[best]
        covered[new] = True
        out.append(RankedSite(rank, j, gain, np.sort(new).astype(np.int64)))
        rank += 1
    return tuple(out)
