"""Beyond covered-or-not: supply and load, target groups, equity and scenarios, in one step.

The pipeline calls :func:`assess` after the coverage check and :func:`with_proposed` after
the site planner; :func:`result_columns` puts the results into the result layers (new
columns of ``communities``, ``facilities`` and ``demand``, and the tables ``equity``,
``target_groups`` and ``scenarios``) and :func:`scorecard_rows` adds the equity measures to
the scorecard.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from lifecircle.accessibility.coverage import Coverage, compute_coverage
from lifecircle.accessibility.equity import equity_table
from lifecircle.accessibility.groups import GroupCoverage, group_coverage, times_by_mode
from lifecircle.accessibility.scenarios import (
    added_times,
    combine,
    newly_covered_times,
    proposed_facilities,
    scenario_rows,
)
from lifecircle.accessibility.supply import SupplyLoad, community_access, supply_and_load
from lifecircle.project import Profile

__all__ = ["EQUITY_MEASURES", "OVER_CAPACITY_COLUMNS", "SUPPLY_PREFIX", "Assessment", "assess",
           "over_capacity_layer", "result_columns", "scorecard_rows", "with_proposed"]

#: Column prefix of each supply measure in the ``communities`` and ``demand`` layers:
#: capacity per 1,000 residents by 2SFCA (no decay) and by E2SFCA (the profile's decay).
SUPPLY_PREFIX = {"2sfca": "sup_", "e2sfca": "esup_"}

#: Equity rows of the scorecard (whole area, every required category at once).
EQUITY_MEASURES = ("gini_coverage", "theil_coverage", "urban_rural_gap")
INFO = "info"


@dataclass(frozen=True)
class Assessment:
    """Supply and load, target groups, equity and scenarios of one analysis.

    Attributes
    ----------
    supply
        Facility load and 2SFCA supply per demand point (:class:`SupplyLoad`).
    groups
        Target-group coverage (:class:`GroupCoverage`).
    equity
        The equity table (:func:`lifecircle.accessibility.equity.equity_table`).
    scenarios
        ``scenario kind category facilities population covered_pop share`` for
        ``existing``, ``planned`` (existing + planned facilities) and, after the planner,
        ``proposed`` (+ the proposed sites).
    planned_times, planned
        Travel minutes and coverage with the planned facilities (None without any).
    proposed
        Coverage with the proposed sites too (None before the planner or without sites).
    warnings
        Data warnings.
    """

    supply: SupplyLoad
    groups: GroupCoverage
    equity: pd.DataFrame
    scenarios: pd.DataFrame
    planned_times: pd.DataFrame | None = None
    planned: Coverage | None = None
    proposed: Coverage | None = None
    warnings: tuple[str, ...] = ()


def _counts(fac: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in fac["category"].astype(str).value_counts().items()}


def assess(profile: Profile, communities: pd.DataFrame, points: pd.DataFrame,
           times: pd.DataFrame, coverage: Coverage, facilities: pd.DataFrame,
           networks: Mapping[str, Any], network_for: Callable[[str], Any],
           demand_snaps: Mapping[str, tuple], facility_snaps: Mapping[tuple[str, str], Any],
           *, max_snap_m: float, existing: pd.DataFrame | None = None,
           planned_snaps: Callable[[str, str], Any] | None = None,
           lang: str = "zh") -> Assessment:
    """Supply and load, group coverage, equity and the planned scenario.

    Parameters
    ----------
    profile
        The standards profile.
    communities, points, times, coverage
        Canonical communities, demand points, minutes (index ``did``) and their coverage.
    facilities
        Every facility (``status`` existing or planned).
    networks, network_for
        Networks per mode; ``network_for(mode)`` builds (or returns) any other mode's.
    demand_snaps, facility_snaps
        The snaps the travel times were computed with (per circle; per mode and category).
    max_snap_m
        Largest distance from a point to its road.
    existing
        The counted facilities in the order of ``facility_snaps`` within each category
        (default: those not planned, in layer order).
    planned_snaps
        ``(mode, category)`` -> the planned facilities of the category snapped (default:
        snapped here).
    """
    planned_mask = facilities["status"].astype(str).to_numpy() == "planned"
    if existing is None:
        existing = facilities[~planned_mask]
    planned_fac = facilities[planned_mask]
    supply = supply_and_load(networks, demand_snaps, facility_snaps, existing, points,
                             communities, profile, lang=lang)
    search = {c.mode: 2.0 * c.minutes * 60.0 for c in profile.circles.values()}
    for g in profile.groups.values():
        for ck, m in g.modes.items():
            if ck in profile.circles:
                search[m] = max(search.get(m, 0.0), 2.0 * profile.circles[ck].minutes * 60.0)
    groups = group_coverage(profile, communities, points, times,
                            times_by_mode(network_for, points, existing, max_snap_m, search),
                            lang=lang)
    equity = equity_table(coverage.communities, points, times, profile,
                          categories=list(coverage.categories))
    rows = [scenario_rows("existing", coverage, _counts(existing))]
    planned_times = planned_cov = None
    if len(planned_fac):
        extra = added_times(networks, demand_snaps, planned_fac, profile,
                            max_snap_m=max_snap_m, index=times.index, columns=times.columns,
                            snapped=planned_snaps)
        planned_times = combine(times, extra)
        planned_cov = compute_coverage(communities, points, planned_times, profile)
        rows.append(scenario_rows("planned", planned_cov, _counts(facilities)))
    return Assessment(supply, groups, equity, pd.concat(rows, ignore_index=True),
                      planned_times, planned_cov, None,
                      tuple(supply.warnings) + tuple(groups.warnings))


def with_proposed(a: Assessment, profile: Profile, communities: pd.DataFrame,
                  points: pd.DataFrame, times: pd.DataFrame, facilities: pd.DataFrame,
                  sites: pd.DataFrame, newly_covered: Mapping[str, Any], circle: Any
                  ) -> Assessment:
    """Add the scenario existing + planned + the proposed sites.

    The planner's own answer is used (``newly_covered``: category -> the demand points its
    sites newly cover, :attr:`PlanResult.newly_covered_by_category`), so nothing is routed
    or snapped again: those points count as reached within their circle's limit.
    """
    added = proposed_facilities(sites)
    if len(added) == 0:
        return a
    t = a.planned_times if a.planned_times is not None else times
    for cat, dids in newly_covered.items():
        t = newly_covered_times(t, circle, profile, cat, np.asarray(dids).tolist())
    cov = compute_coverage(communities, points, t, profile)
    counts = _counts(facilities)
    for k, v in _counts(added).items():
        counts[k] = counts.get(k, 0) + v
    sc = a.scenarios[a.scenarios["scenario"] != "proposed"]
    return replace(a, proposed=cov, scenarios=pd.concat(
        [sc, scenario_rows("proposed", cov, counts)], ignore_index=True))


def result_columns(a: Assessment, layers: dict[str, Any], points: pd.DataFrame) -> None:
    """Add the assessment to the result layers (in place)."""
    comm = layers["communities"].copy()
    cid = comm["cid"].astype(object)
    supply = {SUPPLY_PREFIX["2sfca"]: a.supply.points,
              SUPPLY_PREFIX["e2sfca"]: a.supply.enhanced}
    demand = points["population"].to_numpy(float)
    for prefix, table in supply.items():
        for cat in table.columns:
            vals = table[cat].reindex(points["did"].to_numpy()).to_numpy(float)
            ok = np.isfinite(vals)
            per = community_access(np.where(ok, vals, 0.0), np.where(ok, demand, 0.0),
                                   points["cid"].astype(object).to_numpy())
            comm[f"{prefix}{cat}"] = cid.map(per).astype(float).to_numpy()
    g = a.groups.communities.set_index(a.groups.communities["cid"].astype(object))
    for col in g.columns:
        if col.startswith("gcov_"):
            comm[col] = cid.map(g[col]).astype(float).to_numpy()
    for name, cov in (("planned", a.planned), ("proposed", a.proposed)):
        if cov is not None:
            other = cov.communities.set_index(cov.communities["cid"].astype(object))
            comm[f"scn_{name}"] = cid.map(other["cov_all"]).astype(float).to_numpy()
    layers["communities"] = _geometry_last(comm)

    fac = layers["facilities"].copy()
    load = a.supply.facilities.drop(columns=["category"]).set_index("fid")
    for col in ("capacity", "load", "load_of", "ratio", "over_capacity"):
        if col in load.columns:
            vals = fac["fid"].map(load[col])
            fac[col] = vals.astype("boolean") if col == "over_capacity" else vals
    layers["facilities"] = _geometry_last(fac)
    if "over_capacity" in fac.columns:
        layers["over_capacity"] = over_capacity_layer(fac)

    dem = layers["demand"].copy()
    for prefix, table in supply.items():
        sup = table.reindex(dem["did"].to_numpy())
        for cat in table.columns:
            dem[f"{prefix}{cat}"] = sup[cat].to_numpy(float)
    layers["demand"] = _geometry_last(dem)
    layers["equity"] = a.equity
    layers["target_groups"] = a.groups.table
    layers["scenarios"] = a.scenarios


#: Columns of the ``over_capacity`` layer (facilities whose load passes their capacity).
OVER_CAPACITY_COLUMNS = ("fid", "name", "category", "category_name", "status", "capacity",
                         "load", "load_of", "ratio", "utilisation")


def over_capacity_layer(facilities: Any) -> Any:
    """The facilities over capacity (``load > capacity``), most overloaded first, with
    ``utilisation`` = load / capacity: a layer of its own for the GeoPackage, QGIS and the
    map (empty when no facility is over capacity)."""
    import geopandas as gpd

    flag = facilities["over_capacity"].astype("boolean").fillna(False).to_numpy(bool)
    over = facilities[flag].copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        over["utilisation"] = (pd.to_numeric(over["load"], errors="coerce")
                               / pd.to_numeric(over["capacity"], errors="coerce"))
    over = over.sort_values("utilisation", ascending=False, kind="stable")
    cols = [c for c in OVER_CAPACITY_COLUMNS if c in over.columns]
    name = facilities.geometry.name
    return gpd.GeoDataFrame(over[[*cols, name]].reset_index(drop=True), geometry=name,
                            crs=facilities.crs)


def _geometry_last(frame: Any) -> Any:
    """The frame with its geometry column moved last (still a GeoDataFrame)."""
    import geopandas as gpd

    if not isinstance(frame, gpd.GeoDataFrame):
        return frame
    name = frame.geometry.name
    cols = [c for c in frame.columns if c != name] + [name]
    return gpd.GeoDataFrame(frame[cols], geometry=name, crs=frame.crs)


def scorecard_rows(a: Assessment, lang: str) -> pd.DataFrame:
    """Equity rows for the scorecard (whole area, every required category at once; no
    target: ``status`` = ``info``)."""
    from lifecircle import i18n

    eq = a.equity
    rows = []
    for m in EQUITY_MEASURES:
        sel = eq[(eq["scope"] == "all") & (eq["measure"] == m) & (eq["category"] == "all")]
        value = float(sel["value"].iloc[0]) if len(sel) else np.nan
        rows.append({"indicator": f"equity.{m}", "name": i18n.t(f"equity.{m}", lang),
                     "target": np.nan, "value": value,
                     "unit": i18n.t("equity.points", lang) if m == "urban_rural_gap" else "",
                     "status": INFO if np.isfinite(value) else "no data", "scope": "all",
                     "note": "" if np.isfinite(value) else "no urban or no rural residents",
                     "entry": "", "year": pd.NA})
    return pd.DataFrame(rows)

