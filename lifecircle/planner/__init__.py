"""Site planner: candidate sites, coverage sets and exact location models.

Geography (:mod:`.candidates`, :mod:`.sets`, :mod:`.plan`) builds sparse candidates x demand
matrices; the models (:mod:`.models`) and solvers (:mod:`.solve`) only ever see matrices.
"""

from lifecircle.planner.models import (
    CoverageProblem,
    RankedSite,
    aggregate_columns,
    joint,
    maximal_covering,
    p_median,
    rank_sites,
    set_covering,
)
from lifecircle.planner.plan import PlanResult, plan
from lifecircle.planner.solve import Solution

__all__ = [
    "CoverageProblem",
    "PlanResult",
    "RankedSite",
    "Solution",
    "aggregate_columns",
    "joint",
    "maximal_covering",
    "p_median",
    "plan",
    "rank_sites",
    "set_covering",
]
