"""The same cost matrices solved by spopt (PuLP + CBC) give the same optimal objectives.

spopt's matrices are demand x facility; ours candidates x demand. Existing facilities are
spopt "predefined" facilities (forced open, counted in p); for us they are an
``existing`` coverage mask / cost vector.
"""

from __future__ import annotations

import importlib
import importlib.util

import numpy as np
import pytest
import scipy.sparse as sp

from lifecircle.planner import (
    CostProblem,
    CoverageProblem,
    maximal_covering,
    p_median,
    set_covering,
)

pulp = pytest.importorskip("pulp")
if importlib.util.find_spec("spopt") is None:
    pytest.skip("spopt is not installed", allow_module_level=True)
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PuLP 4.0 notices

from test_planner_orlib import OPTIMA, read_pmed  # noqa: E402


@pytest.fixture(scope="module")
def locate():
    """``spopt.locate``, imported by the first test that needs it: importing spopt (and
    libpysal, pointpats) takes seconds, which a test worker that only collects this module
    need not pay."""
    return importlib.import_module("spopt.locate")


def _cbc():
    return pulp.PULP_CBC_CMD(msg=False)


def _instance(seed: int, n_cand: int = 25, n_dem: int = 250, n_exist: int = 3):
    """Demand clustered around a few towns in a 10 km square, candidates and existing
    facilities among them; Euclidean metres as the cost."""
    rng = np.random.default_rng(seed)
    towns = rng.uniform(0, 10_000, (5, 2))
    dem = towns[rng.integers(0, 5, n_dem)] + rng.normal(0, 1_200, (n_dem, 2))
    cand = towns[rng.integers(0, 5, n_cand)] + rng.normal(0, 1_500, (n_cand, 2))
    exist = towns[rng.integers(0, 5, n_exist)] + rng.normal(0, 1_500, (n_exist, 2))
    d_cand = np.linalg.norm(cand[:, None] - dem[None], axis=2).round()
    d_exist = np.linalg.norm(exist[:, None] - dem[None], axis=2).round()
    w = rng.integers(1, 300, n_dem).astype(float)
    return d_cand, d_exist, w


@pytest.mark.parametrize("name", sorted(OPTIMA))
def test_pmedian_orlib_same_as_spopt(name: str, locate) -> None:
    cost, p = read_pmed(name)
    ours = p_median(CostProblem(cost, np.ones(100)), p=p)
    theirs = locate.PMedian.from_cost_matrix(cost.T, np.ones(100), p_facilities=p).solve(_cbc())
    assert ours.objective == pytest.approx(theirs.problem.objective.value()) == OPTIMA[name]


@pytest.mark.parametrize("seed", [1, 2])
def test_pmedian_with_existing_same_as_spopt(seed: int, locate) -> None:
    d_cand, d_exist, w = _instance(seed, n_cand=15, n_dem=120)
    p = 3
    ours = p_median(CostProblem(d_cand, w, existing=d_exist.min(axis=0)), p=p)
    both = np.vstack([d_cand, d_exist])
    pre = np.r_[np.zeros(len(d_cand)), np.ones(len(d_exist))].astype(int)
    theirs = locate.PMedian.from_cost_matrix(both.T, w, p_facilities=p + len(d_exist),
                                             predefined_facilities_arr=pre).solve(_cbc())
    assert ours.objective == pytest.approx(theirs.problem.objective.value(), rel=1e-9)


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_mclp_same_as_spopt(seed: int, locate) -> None:
    d_cand, d_exist, w = _instance(seed)
    radius, p = 1_500.0, 4
    existing = (d_exist <= radius).any(axis=0)
    ours = maximal_covering(CoverageProblem.from_times(d_cand, radius, w, existing=existing),
                            p=p)
    both = np.vstack([d_cand, d_exist])
    pre = np.r_[np.zeros(len(d_cand)), np.ones(len(d_exist))].astype(int)
    theirs = locate.MCLP.from_cost_matrix(both.T, w, service_radius=radius,
                                          p_facilities=p + len(d_exist),
                                          predefined_facilities_arr=pre).solve(_cbc())
    assert ours.status == "optimal"
    assert ours.objective == pytest.approx(theirs.problem.objective.value())
    # and without existing facilities
    plain = maximal_covering(CoverageProblem.from_times(d_cand, radius, w), p=p)
    theirs = locate.MCLP.from_cost_matrix(d_cand.T, w, service_radius=radius,
                                          p_facilities=p).solve(_cbc())
    assert plain.objective == pytest.approx(theirs.problem.objective.value())


@pytest.mark.parametrize("seed", [6, 7, 8])
def test_set_covering_same_as_spopt(seed: int, locate) -> None:
    d_cand, d_exist, w = _instance(seed)
    radius = 2_000.0
    prob = CoverageProblem.from_times(d_cand, radius, w,
                                      existing=(d_exist <= radius).any(axis=0))
    ours = set_covering(prob)
    # spopt's LSCP needs every demand point coverable: give it the reachable ones
    keep = prob.reachable() | prob.existing
    assert ours.unreachable == tuple(np.flatnonzero(~keep))
    both = np.vstack([d_cand, d_exist])[:, keep]
    pre = np.r_[np.zeros(len(d_cand)), np.ones(len(d_exist))].astype(int)
    theirs = locate.LSCP.from_cost_matrix(both.T, service_radius=radius,
                                          predefined_facilities_arr=pre).solve(_cbc())
    assert ours.objective + len(d_exist) == pytest.approx(theirs.problem.objective.value())
    sparse = sp.csr_matrix(d_cand <= radius)
    assert set_covering(CoverageProblem(sparse, w, existing=prob.existing)).objective == (
        ours.objective)
