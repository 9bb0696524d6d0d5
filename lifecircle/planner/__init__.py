"""Site planner: candidate sites, coverage sets and exact location models.

Geography (:mod:`.candidates`, :mod:`.sets`, :mod:`.plan`) builds sparse candidates x demand
matrices; the models (:mod:`.models`) and solvers (:mod:`.solve`) only ever see matrices:
each model takes a frozen problem (:class:`CoverageProblem` or :class:`CostProblem`),
keyword options, and returns a :class:`Solution`.
The pipeline's entry point is :func:`lifecircle.planner.plan.plan` (not re-exported here, so
the name ``lifecircle.planner.plan`` stays the module).
"""

from lifecircle.planner.models import (
    SOLVER_OPTIONS,
    CostProblem,
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
    "SOLVER_OPTIONS",
    "CostProblem",
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
