"""Scenarios: coverage with existing facilities, + planned ones, + proposed sites.

Facilities with ``status = planned`` are not counted in the baseline (the check is of what
exists); they form the second scenario. The site planner's proposed sites, added on top,
form the third. Each scenario's travel time is the faster of the baseline's and the one
to the added facilities, so only the added facilities are routed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from lifecircle.accessibility.coverage import Coverage
from lifecircle.project import Profile

__all__ = [
    "SCENARIOS",
    "SCENARIO_COLUMNS",
    "added_times",
    "combine",
    "newly_covered_times",
    "proposed_facilities",
    "scenario_rows",
]

#: Scenario keys in order: existing; existing + planned; existing + planned + proposed.
SCENARIOS = ("existing", "planned", "proposed")
SCENARIO_COLUMNS = ("scenario", "kind", "category", "facilities", "population", "covered_pop",
                    "share")


def added_times(networks: Mapping[str, object], demand_snaps: Mapping[str, tuple],
                added: pd.DataFrame, profile: Profile, *, max_snap_m: float,
                index: pd.Index, columns: Sequence[str],
                snapped: Callable[[str, str], object] | None = None) -> pd.DataFrame:
    """Minutes from every demand point to the nearest *added* facility of each category.

    Parameters
    ----------
    networks
        Network per mode.
    demand_snaps
        Circle key -> (positions of its demand points, their Snapped).
    added
        Facilities to add: ``category`` and point geometry.
    profile
        The standards profile (which circles require which categories, their modes).
    max_snap_m
        Largest distance from a facility to its road.
    index, columns
        Demand ids (in the order of the positions) and category keys of the result.
    snapped
        ``(mode, category)`` -> the added facilities of the category already snapped on
        the mode's network (the travel-time step's snaps: nothing is snapped twice);
        default: snap them here.

    Returns
    -------
    pandas.DataFrame
        Minutes (``inf`` unreachable or no added facility), bounded at twice the circle's.
    """
    from lifecircle.accessibility.snap import snap
    from lifecircle.accessibility.traveltime import nearest

    columns = list(columns)
    if added is None or len(added) == 0:
        return pd.DataFrame(np.inf, index=index, columns=columns)
    # filled as an array and wrapped once (a pandas cell assignment per piece is slow)
    out = np.full((len(index), len(columns)), np.inf)
    col_of = {c: j for j, c in enumerate(columns)}
    # each category's rows found once (a frame subset per circle x category is slow)
    rows_of: dict[str, NDArray[np.bool_]] = {}
    for ckey, (idx, dsnap) in demand_snaps.items():
        circle = profile.circles[ckey]
        net = networks[circle.mode]
        for cat in profile.required(ckey):
            if cat not in col_of:
                continue
            if cat not in rows_of:
                rows_of[cat] = (added["category"] == cat).to_numpy(dtype=bool, na_value=False)
            if not rows_of[cat].any():
                continue
            fsnap = (snapped(circle.mode, cat) if snapped is not None
                     else snap(net, added.geometry[rows_of[cat]], max_snap_m=max_snap_m))
            secs, _ = nearest(net, fsnap, dsnap, limit_s=2.0 * circle.minutes * 60.0)
            out[np.asarray(idx), col_of[cat]] = secs / 60.0
    return pd.DataFrame(out, index=index, columns=columns)


def combine(base: pd.DataFrame, added: pd.DataFrame) -> pd.DataFrame:
    """The faster of two travel-time tables (same index and columns)."""
    a = base.to_numpy(float)
    b = added.reindex(index=base.index, columns=base.columns).to_numpy(float)
    a = np.where(np.isnan(a), np.inf, a)
    b = np.where(np.isnan(b), np.inf, b)
    return pd.DataFrame(np.minimum(a, b), index=base.index, columns=base.columns)


def newly_covered_times(times: pd.DataFrame, circle: Sequence[str], profile: Profile,
                        category: str, dids: Sequence[object]) -> pd.DataFrame:
    """``times`` with the points the planner newly covers for ``category`` brought within
    their circle's limit (``min(time, limit)``): its proposed sites, without routing again."""
    out = times.copy()
    if category not in out.columns:
        return out
    pos = out.index.get_indexer(pd.Index(list(dids)))
    pos = pos[pos >= 0]
    if len(pos) == 0:
        return out
    limit = np.array([profile.limit(circle[i], category) for i in pos], dtype=float)
    col = out.columns.get_loc(category)
    cur = out.iloc[pos, col].to_numpy(float)
    out.iloc[pos, col] = np.minimum(np.where(np.isnan(cur), np.inf, cur), limit)
    return out


def proposed_facilities(sites: pd.DataFrame) -> pd.DataFrame:
    """The planner's proposed sites as facilities: one row per site and category
    (``rank cand_id category`` + geometry)."""
    import geopandas as gpd

    if sites is None or len(sites) == 0:
        return gpd.GeoDataFrame({"rank": [], "cand_id": [], "category": []}, geometry=[],
                                crs=getattr(sites, "crs", None))
    rows = []
    for _, r in sites.iterrows():
        cats = r["categories"]
        for c in (cats.split(",") if isinstance(cats, str) else list(cats)):
            if c.strip():
                rows.append({"rank": r.get("rank", pd.NA), "cand_id": r.get("cand_id", ""),
                             "category": c.strip(), "geometry": r.geometry})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=sites.crs)


def scenario_rows(name: str, coverage: Coverage, counts: Mapping[str, int]) -> pd.DataFrame:
    """One scenario's coverage per community kind: every required category at once
    (``category = all``) and each category."""
    rows: list[dict[str, object]] = []
    sk = coverage.summary_kind
    for kind, population, cov_all in zip(sk["kind"].to_numpy(object),
                                         sk["population"].to_numpy(),
                                         sk["cov_all"].to_numpy(), strict=True):
        if kind == "all":
            continue
        pop = float(population)
        rows.append({"scenario": name, "kind": kind, "category": "all",
                     "facilities": int(sum(counts.values())), "population": pop,
                     "covered_pop": float(cov_all) * pop if pop > 0 else np.nan,
                     "share": float(cov_all)})
    bk = coverage.by_kind
    for kind, cat, pop, cov_pop, share in zip(
            bk["kind"].to_numpy(object), bk["category"].to_numpy(object),
            bk["pop"].to_numpy(), bk["covered_pop"].to_numpy(), bk["share"].to_numpy(),
            strict=True):
        if kind == "all":
            continue
        rows.append({"scenario": name, "kind": kind, "category": cat,
                     "facilities": int(counts.get(cat, 0)),
                     "population": float(pop), "covered_pop": float(cov_pop),
                     "share": float(share)})
    return pd.DataFrame.from_records(rows, columns=list(SCENARIO_COLUMNS))
