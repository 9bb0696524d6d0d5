"""Location models on matrices: exact optima against brute force, hand-checked cases."""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from lifecircle.errors import InputError, SolverError
from lifecircle.planner import (
    SOLVER_OPTIONS,
    CostProblem,
    CoverageProblem,
    aggregate_columns,
    joint,
    maximal_covering,
    p_median,
    rank_sites,
    set_covering,
)
from lifecircle.planner.solve import Solution, solve_milp

SEEDS = range(8)


def _subsets(n: int, k_max: int):
    for k in range(k_max + 1):
        yield from itertools.combinations(range(n), k)


def _random_cover(rng: np.random.Generator, n: int, m: int, *, dup: bool = True):
    """Random coverage with repeated columns (so aggregation has something to merge)."""
    a = rng.random((n, m)) < 0.3
    if dup:
        h = m // 2
        a[:, m - h:] = a[:, :h]
    w = rng.integers(0, 20, m).astype(float)
    ex = rng.random(m) < 0.2
    return a, w, ex


# ----------------------------------------------------------------------------- MCLP
@pytest.mark.parametrize("seed", SEEDS)
def test_mclp_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(4, 9)), int(rng.integers(8, 24))
    a, w, ex = _random_cover(rng, n, m)
    prob = CoverageProblem(sp.csr_matrix(a), w, existing=ex)
    p = int(rng.integers(1, n))
    sol = maximal_covering(prob, p=p)
    best = max(prob.covered_weight(s) for s in _subsets(n, p))
    assert sol.status == "optimal"
    assert sol.objective == pytest.approx(best, abs=1e-9)
    assert len(sol.selected) <= p
    assert sol.bound == sol.objective and sol.gap == 0.0
    # the selection really achieves the objective
    assert prob.covered_weight(sol.selected) == pytest.approx(sol.objective)
    # not aggregated: same optimum
    assert maximal_covering(prob, p=p, aggregate=False).objective == pytest.approx(best)
    # greedy never beats the optimum
    assert sol.greedy_objective <= sol.objective + 1e-9


@pytest.mark.parametrize("seed", SEEDS)
def test_mclp_budget_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n, m = int(rng.integers(4, 9)), int(rng.integers(8, 20))
    a, w, ex = _random_cover(rng, n, m)
    costs = rng.integers(1, 6, n).astype(float)
    prob = CoverageProblem(sp.csr_matrix(a), w, existing=ex, costs=costs)
    budget = float(rng.integers(3, 10))
    sol = maximal_covering(prob, budget=budget)
    best = max(prob.covered_weight(s) for s in _subsets(n, n) if costs[list(s)].sum() <= budget)
    assert sol.objective == pytest.approx(best)
    assert costs[list(sol.selected)].sum() <= budget
    # budget and p together
    sol2 = maximal_covering(prob, p=2, budget=budget)
    best2 = max(prob.covered_weight(s) for s in _subsets(n, 2) if costs[list(s)].sum() <= budget)
    assert sol2.objective == pytest.approx(best2)


def test_mclp_hand_checked_existing_and_unreachable() -> None:
    # demand:        0   1   2   3   4
    # weights:      10  20  30  40   5
    # existing covers demand 0; demand 4 no candidate reaches.
    a = np.array([[1, 1, 0, 0, 0],    # site 0 newly covers 1      -> +20
                  [0, 1, 1, 0, 0],    # site 1 newly covers 1, 2   -> +50
                  [0, 0, 0, 1, 0]],   # site 2 newly covers 3      -> +40
                 dtype=bool)
    prob = CoverageProblem(sp.csr_matrix(a), [10, 20, 30, 40, 5],
                           existing=[True, False, False, False, False])
    one = maximal_covering(prob, p=1)
    assert one.selected == (1,) and one.objective == 60.0  # 10 existing + 50
    two = maximal_covering(prob, p=2)
    assert two.selected == (1, 2) and two.objective == 100.0
    assert two.unreachable == (4,)
    ranked = rank_sites(prob, two.selected)
    assert [(r.rank, r.candidate, r.gain) for r in ranked] == [(1, 1, 50.0), (2, 2, 40.0)]
    assert ranked[0].newly_covered.tolist() == [1, 2]
    assert ranked[1].newly_covered.tolist() == [3]


def test_mclp_tie_break_prefers_priority_then_fewer_sites() -> None:
    # sites 0 and 2 cover exactly the same demand; site 2 is an idle asset (priority 1)
    a = np.array([[1, 1, 0], [0, 0, 0], [1, 1, 0], [0, 0, 1]], dtype=bool)
    w = np.array([3.0, 4.0, 0.0])  # demand 2 has no weight: site 3 adds nothing
    prob = CoverageProblem(sp.csr_matrix(a), w, priority=[5, 5, 1, 5])
    sol = maximal_covering(prob, p=3)
    assert sol.selected == (2,)  # idle asset, and no useless extra sites
    assert sol.objective == 7.0
    # reversed priorities: site 0 wins
    prob2 = CoverageProblem(sp.csr_matrix(a), w, priority=[1, 5, 5, 5])
    assert maximal_covering(prob2, p=3).selected == (0,)
    # fractional weights: the tie-break still never costs coverage
    a3 = np.array([[1, 0], [0, 1]], dtype=bool)
    prob3 = CoverageProblem(sp.csr_matrix(a3), [1.001, 1.0005], priority=[9, 1])
    assert maximal_covering(prob3, p=1).selected == (0,)


def test_aggregation_merges_identical_columns() -> None:
    a = sp.csr_matrix(np.array([[1, 0, 1, 1], [0, 1, 0, 0]], dtype=bool))
    reps, label = aggregate_columns(a)
    assert reps.tolist() == [0, 1]
    assert label.tolist() == [0, 1, 0, 0]
    t = sp.csr_matrix(np.array([[2.0, 2.0, 3.0], [1.0, 1.0, 1.0]]))
    reps, label = aggregate_columns(t, np.array([5.0, 6.0, 5.0]))
    assert label.tolist() == [0, 1, 2]  # same values but different extra key, then 3.0
    rng = np.random.default_rng(7)
    xy_c, xy_d = rng.random((30, 2)), rng.random((600, 2)).round(1)  # many duplicates
    d = np.linalg.norm(xy_c[:, None] - xy_d[None], axis=2)
    prob = CoverageProblem.from_times(d, 0.25, rng.integers(1, 9, 600))
    agg, raw = maximal_covering(prob, p=3), maximal_covering(prob, p=3, aggregate=False)
    assert agg.objective == raw.objective
    assert agg.size[0] < raw.size[0] / 4  # rows: 121 distinct cells, not 600 points
    sc_agg, sc_raw = set_covering(prob), set_covering(prob, aggregate=False)
    # 11 sites; this aggregated instance also triggers a HiGHS 1.16 warm-start bug (a
    # wrong "optimal" 12) that solve_milp detects and re-solves without the start
    assert sc_agg.objective == sc_raw.objective == 11
    pm_agg = p_median(CostProblem(d, np.ones(600)), p=3)
    pm_raw = p_median(CostProblem(d, np.ones(600)), p=3, aggregate=False)
    assert pm_agg.objective == pytest.approx(pm_raw.objective)
    assert pm_agg.size[1] < pm_raw.size[1]


# ----------------------------------------------------------------------------- set cover
@pytest.mark.parametrize("seed", SEEDS)
def test_set_covering_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    n, m = int(rng.integers(4, 9)), int(rng.integers(8, 24))
    a, w, ex = _random_cover(rng, n, m)
    costs = rng.integers(1, 5, n).astype(float)
    prob = CoverageProblem(sp.csr_matrix(a), w, existing=ex, costs=costs)
    need = ~ex & prob.reachable() & (w > 0)
    feasible = [s for s in _subsets(n, n) if np.all(prob.covered(s)[need])]
    sol = set_covering(prob)
    assert sol.objective == min(len(s) for s in feasible)
    assert np.all(prob.covered(sol.selected)[need])
    cheap = set_covering(prob, objective="cost")
    assert cheap.objective == pytest.approx(min(costs[list(s)].sum() for s in feasible))
    unreachable = np.flatnonzero(~ex & ~prob.reachable()).tolist()
    assert list(sol.unreachable) == unreachable


def test_set_covering_prefers_idle_assets() -> None:
    a = np.array([[1, 1, 0], [0, 0, 1], [1, 1, 0], [0, 0, 1]], dtype=bool)
    prob = CoverageProblem(sp.csr_matrix(a), [1, 1, 1], priority=[3, 3, 1, 1])
    assert set_covering(prob).selected == (2, 3)
    prob = CoverageProblem(sp.csr_matrix(a), [1, 1, 1], priority=[1, 2, 2, 1])
    assert set_covering(prob).selected == (0, 3)


# ----------------------------------------------------------------------------- p-median
@pytest.mark.parametrize("seed", SEEDS)
def test_p_median_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(300 + seed)
    n, m = int(rng.integers(4, 9)), int(rng.integers(6, 20))
    c = rng.integers(1, 60, (n, m)).astype(float)
    w = rng.integers(0, 9, m).astype(float)
    p = int(rng.integers(1, n))
    sol = p_median(CostProblem(c, w), p=p)
    best = min(float(w @ c[list(s)].min(axis=0)) for s in itertools.combinations(range(n), p))
    assert sol.objective == pytest.approx(best)
    assert len(sol.selected) == p
    # with existing facilities: cost to the nearest open one
    existing = rng.integers(1, 60, m).astype(float)
    sol = p_median(CostProblem(c, w, existing=existing), p=p)
    best = min(float(w @ np.minimum(existing, c[list(s)].min(axis=0)))
               for s in itertools.combinations(range(n), p))
    assert sol.objective == pytest.approx(best)


@pytest.mark.parametrize("seed", SEEDS)
def test_p_median_sparse_cutoff_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(400 + seed)
    n, m = int(rng.integers(4, 8)), int(rng.integers(6, 16))
    c = rng.integers(0, 60, (n, m)).astype(float)  # zeros are real costs
    cutoff = 30.0
    dense = np.where(c <= cutoff, c, np.inf)
    rows, cols = np.nonzero(c <= cutoff)
    sparse = sp.csr_matrix((c[rows, cols], (rows, cols)), shape=c.shape)
    w = rng.integers(1, 9, m).astype(float)
    p = int(rng.integers(1, n))
    sol = p_median(CostProblem(sparse, w, unreached_cost=cutoff), p=p)
    best = min(float(w @ np.minimum(cutoff, dense[list(s)].min(axis=0)))
               for s in itertools.combinations(range(n), p))
    assert sol.objective == pytest.approx(best)
    dense_sol = p_median(CostProblem(dense, w, unreached_cost=cutoff), p=p)
    assert dense_sol.objective == pytest.approx(best)


def test_p_median_hand_checked_and_explicit_zero() -> None:
    # site 1 sits on demand 1 (cost 0 stored explicitly); existing serves demand 2 at 4
    cost = sp.csr_matrix((np.array([5.0, 0.0, 7.0, 2.0]),
                          (np.array([0, 1, 1, 0]), np.array([0, 1, 2, 2]))), shape=(2, 3))
    assert cost.nnz == 4
    sol = p_median(CostProblem(cost, [1, 10, 1], existing=[np.inf, np.inf, 4.0],
                               unreached_cost=20.0), p=1)
    # site 0: 5 + 10*20 + 2 = 207; site 1: 20 + 0 + 4 = 24
    assert sol.selected == (1,) and sol.objective == 24.0
    # without unreached_cost every point must be served: one site cannot reach 0 and 1
    with pytest.raises(SolverError, match="Infeasible") as e:
        p_median(CostProblem(cost, [1, 10, 1]), p=1)
    # the solver's status in the run's language too (a catalogue message)
    assert e.value.render("zh").startswith(
        "HiGHS 无法求解P 中位模型：模型状态 'Infeasible'；修正：")
    assert str(e.value).startswith("HiGHS could not solve the p-median model: model status")
    assert p_median(CostProblem(cost, [1, 10, 1]), p=2).objective == 5.0 + 0.0 + 2.0
    wider = sp.hstack([cost, sp.csr_matrix((2, 1))], format="csr")  # demand 3: nobody
    with pytest.raises(InputError, match=r"demand point 3.*unreached_cost"):
        p_median(CostProblem(wider, [1, 10, 1, 1]), p=2)
    with pytest.raises(InputError, match="p = 3"):
        p_median(CostProblem(cost, [1, 1, 1], unreached_cost=20.0), p=3)


# ----------------------------------------------------------------------------- capacity
def _brute_cmclp(a: np.ndarray, w: np.ndarray, load: np.ndarray, cap: np.ndarray,
                 ex: np.ndarray, p: int) -> float:
    n, m = a.shape
    free = [i for i in range(m) if not ex[i]]
    best = 0.0
    for s in _subsets(n, p):
        options = [[-1] + [j for j in s if a[j, i]] for i in free]
        for choice in itertools.product(*options):
            used = np.zeros(n)
            for i, j in zip(free, choice, strict=True):
                if j >= 0:
                    used[j] += load[i]
            if np.all(used <= cap + 1e-9):
                best = max(best, sum(w[i] for i, j in zip(free, choice, strict=True) if j >= 0))
    return best + float(w[ex].sum())


@pytest.mark.parametrize("seed", range(5))
def test_capacitated_mclp_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(500 + seed)
    n, m = 4, 7
    a = rng.random((n, m)) < 0.45
    w = rng.integers(1, 9, m).astype(float)
    load = rng.integers(1, 5, m).astype(float)
    cap = rng.integers(3, 9, n).astype(float)
    cap[0] = np.nan  # unlimited
    ex = rng.random(m) < 0.15
    prob = CoverageProblem(sp.csr_matrix(a), w, existing=ex, capacity=cap, load=load)
    sol = maximal_covering(prob, p=2)
    assert sol.model == "cmclp"
    assert sol.objective == pytest.approx(_brute_cmclp(a, w, load, np.where(np.isnan(cap),
                                                                            np.inf, cap), ex, 2))
    asg = sol.assignment
    assert asg is not None
    for j in sol.selected:
        assert load[asg == j].sum() <= (np.inf if np.isnan(cap[j]) else cap[j])
    assert set(asg[asg >= 0]) <= set(sol.selected)
    assert all(a[asg[i], i] for i in np.flatnonzero(asg >= 0))


def test_capacitated_hand_checked() -> None:
    # one station, capacity 10 elderly; three blocks with (population, elderly):
    # (100, 6), (80, 5), (50, 4). It reaches all three.
    a = sp.csr_matrix(np.ones((1, 3), dtype=bool))
    prob = CoverageProblem(a, [100, 80, 50], capacity=[10], load=[6, 5, 4])
    sol = maximal_covering(prob, p=1)
    assert sol.objective == 150.0  # 100 + 50 (load 10); 100 + 80 needs 11
    assert sol.assignment.tolist() == [0, -1, 0]
    ranked = rank_sites(prob, sol.selected, assignment=sol.assignment)
    assert ranked[0].gain == 150.0 and ranked[0].newly_covered.tolist() == [0, 2]
    # split: demand may be shared: 100 (6) + 80 * 4/5 = 164
    split = maximal_covering(prob, p=1, split=True)
    assert split.objective == pytest.approx(164.0)
    assert maximal_covering(prob, p=1, split=True, aggregate=False).objective == (
        pytest.approx(164.0))
    # without capacity all three are covered
    assert maximal_covering(CoverageProblem(a, [100, 80, 50]), p=1).objective == 230.0


# ----------------------------------------------------------------------------- joint
def test_joint_siting_hand_checked() -> None:
    # Same reach for both categories; elderly care already serves demand 0, meal aid none.
    a = np.array([[1, 1, 0], [0, 0, 1]], dtype=bool)
    elderly = CoverageProblem(sp.csr_matrix(a), [5, 1, 4], existing=[True, False, False])
    meals = CoverageProblem(sp.csr_matrix(a), [5, 1, 4])
    # separately: elderly care prefers site 1 (4 > 1), meal aid prefers site 0 (6 > 4)
    assert maximal_covering(elderly, p=1).selected == (1,)
    assert maximal_covering(meals, p=1).selected == (0,)
    both = joint({"elderly_care": elderly, "meal_aid": meals})
    assert both.group_names == ("elderly_care", "meal_aid")
    assert both.n_demand == 6
    sol = maximal_covering(both, p=1)
    # site 0: elderly 5(existing)+1 + meals 5+1 = 12; site 1: elderly 5+4 + meals 4 = 13
    assert sol.selected == (1,) and sol.objective == 13.0
    ranked = rank_sites(both, sol.selected)
    assert ranked[0].newly_covered.tolist() == [2, 5]
    assert both.group[ranked[0].newly_covered].tolist() == [0, 1]


@pytest.mark.parametrize("seed", range(4))
def test_joint_siting_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(600 + seed)
    n, m = 6, 10
    a = sp.csr_matrix(rng.random((n, m)) < 0.3)
    probs = {k: CoverageProblem(a, rng.integers(0, 9, m), existing=rng.random(m) < 0.3)
             for k in ("elderly_care", "meal_aid", "health")}
    both = joint(probs)
    sol = maximal_covering(both, p=2)
    best = max(sum(pr.covered_weight(s) for pr in probs.values()) for s in _subsets(n, 2))
    assert sol.objective == pytest.approx(best)
    with pytest.raises(InputError, match="same candidate list"):
        joint({"a": probs["health"], "b": CoverageProblem(a[:3], np.ones(m))})


# ----------------------------------------------------------------------------- solving
def _medium() -> tuple[CoverageProblem, np.ndarray]:
    rng = np.random.default_rng(11)
    xy_c, xy_d = rng.random((40, 2)), rng.random((400, 2))
    d = np.linalg.norm(xy_c[:, None] - xy_d[None], axis=2)
    return CoverageProblem.from_times(d, 0.2, rng.integers(1, 100, 400)), d


def test_greedy_fallback_when_time_limit_hits_without_solution() -> None:
    prob, d = _medium()
    greedy = maximal_covering(prob, p=4, method="greedy")
    assert greedy.status == "greedy" and greedy.method == "greedy"
    fallback = maximal_covering(prob, p=4, time_limit_s=0.0, warm_start=False)
    assert fallback.status == "greedy" and fallback.method == "greedy"
    assert fallback.selected == greedy.selected
    assert fallback.objective == greedy.objective == prob.covered_weight(greedy.selected)
    assert fallback.gap == np.inf
    # with the warm start HiGHS stops at the limit holding the greedy solution
    warm = maximal_covering(prob, p=4, time_limit_s=0.0)
    assert warm.status == "time_limit" and warm.method == "highs"
    assert warm.objective >= greedy.objective
    exact = maximal_covering(prob, p=4)
    assert exact.status == "optimal" and exact.objective > greedy.objective
    pm = p_median(CostProblem(d, np.ones(400)), p=4, time_limit_s=0.0, warm_start=False)
    assert pm.status == "greedy" and pm.objective == pm.greedy_objective
    sc = set_covering(prob, time_limit_s=0.0, warm_start=False)
    assert sc.status == "greedy"
    assert np.all(prob.covered(sc.selected)[prob.reachable() & (prob.weights > 0)])


def test_solver_error_carries_highs_status() -> None:
    # x >= 1 and x <= 0 at once
    rows = sp.csr_matrix(np.array([[1.0], [1.0]]))
    with pytest.raises(SolverError, match="Infeasible"):
        solve_milp(maximize=False, cost=np.ones(1), lower=np.zeros(1), upper=np.ones(1),
                   integer=np.ones(1, bool), rows=rows, row_lower=np.array([1.0, -np.inf]),
                   row_upper=np.array([np.inf, 0.0]), what="test model")


def test_bad_inputs_raise_input_error() -> None:
    a = sp.csr_matrix(np.ones((2, 3), dtype=bool))
    with pytest.raises(InputError, match="weights"):
        CoverageProblem(a, [1, 2])
    with pytest.raises(InputError, match=r"weights\[1\]"):
        CoverageProblem(a, [1, -2, 3])
    prob = CoverageProblem(a, [1, 2, 3])
    with pytest.raises(InputError, match="give p"):
        maximal_covering(prob)
    with pytest.raises(InputError, match="method"):
        maximal_covering(prob, p=1, method="cbc")
    with pytest.raises(InputError, match="capacities"):
        set_covering(CoverageProblem(a, [1, 2, 3], capacity=[5, np.nan]))
    # each is a catalogue message: Chinese in a zh run, with the value and the fix
    for call, zh in ((lambda: CoverageProblem(a, [1, -2, 3]), "CoverageProblem.weights[1] = -2"),
                     (lambda: maximal_covering(prob), "maximal_covering()：需给出 p"),
                     (lambda: maximal_covering(prob, p=1, method="cbc"), "'cbc'"),
                     (lambda: maximal_covering(prob, p=-1), "p = -1")):
        with pytest.raises(InputError) as e:
            call()
        assert zh in e.value.render("zh") and "修正：" in e.value.render("zh"), e.value


def test_cost_problem_checks_its_inputs() -> None:
    cost = np.array([[1.0, np.inf, 3.0], [2.0, 2.0, np.nan]])
    prob = CostProblem(cost, [1, 2, 3], existing=[np.nan, 5.0, np.inf], unreached_cost=4.0)
    assert prob.cost.nnz == 4  # inf and NaN: unreachable pairs, not stored
    assert prob.base().tolist() == [4.0, 4.0, 4.0]
    assert CostProblem(cost, [1, 2, 3], existing=[1.0, 9.0, np.nan]).base().tolist() == [
        1.0, 9.0, np.inf]
    with pytest.raises(InputError, match=r"CostProblem\.weights: 2 values for 3"):
        CostProblem(cost, [1, 2])
    with pytest.raises(InputError, match="negative costs"):
        CostProblem(-cost, [1, 2, 3])
    with pytest.raises(InputError, match=r"CostProblem\.priority"):
        CostProblem(cost, [1, 2, 3], priority=[1])
    with pytest.raises(dataclasses.FrozenInstanceError):
        prob.weights = np.zeros(3)  # type: ignore[misc]


def test_every_model_has_one_call_style() -> None:
    """problem in (positional), model parameters and solver options as keywords,
    a Solution out; the solver options are the same for every model."""
    problems = {maximal_covering: CoverageProblem, set_covering: CoverageProblem,
                p_median: CostProblem}
    for model, problem_type in problems.items():
        sig = inspect.signature(model)
        params = list(sig.parameters.values())
        assert params[0].name == "problem"
        assert params[0].annotation in (problem_type.__name__, problem_type)
        assert params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        assert all(q.kind is inspect.Parameter.KEYWORD_ONLY for q in params[1:]), model
        assert {k: sig.parameters[k].default for k in SOLVER_OPTIONS} == dict(SOLVER_OPTIONS)
        assert sig.return_annotation in ("Solution", Solution)
    a = sp.csr_matrix(np.eye(3, dtype=bool))
    with pytest.raises(TypeError):
        maximal_covering(CoverageProblem(a, [1, 2, 3]), 2)  # type: ignore[misc]


def test_solving_prints_nothing() -> None:
    code = ("import numpy as np, scipy.sparse as sp\n"
            "from lifecircle.planner import CoverageProblem, maximal_covering\n"
            "a = sp.csr_matrix(np.eye(3, dtype=bool))\n"
            "assert maximal_covering(CoverageProblem(a, [1, 2, 3]), p=2).objective == 5\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout == "" and out.stderr == ""
