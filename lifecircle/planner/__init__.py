"""Site planner: candidate sites, coverage sets and exact location models.

Geography (:mod:`.candidates`, :mod:`.sets`, :mod:`.plan`) builds sparse candidates x demand
matrices; the models (:mod:`.models`) and solvers (:mod:`.solve`) only ever see matrices.
The pipeline's entry point is :func:`lifecircle.planner.plan.plan` (not re-exported here, so
the name ``lifecircle.planner.plan`` stays the module).
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
from lifecircle.planner.solve import Solution

__all__ = [
    "CoverageProblem",
    "RankedSite",
    "Solution",
    "aggregate_columns",
    "joint",
    "maximal_covering",
    "p_median",
    "rank_sites",
    "set_covering",
]
