"""Beyond covered-or-not: supply and load, target groups, equity and scenarios, in one step.

The pipeline calls :func:`assess` after the coverage check and :func:`with_proposed` after
the site planner; :func:`result_columns` puts the results into the result layers (new
columns of ``communities``, ``facilities`` and ``demand``, and the tables ``equity``,
``target_groups`` and ``scenarios``) and :func:`scorecard_rows` adds the equity measures to
the scorecard.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
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
from lifecircle.accessibility.supply import (
    SupplyLoad,
    added_supply,
    community_access_table,
    supply_and_load,
)
from lifecircle.errors import Note
from lifecircle.project import Profile

__all__ = ["EQUITY_MEASURES", "OVER_CAPACITY_COLUMNS", "SUPPLY_PREFIX", "Assessment", "assess",
           "over_capacity_layer", "result_columns", "scorecard_rows", "with_proposed"]

#: Column prefix of each supply measure in the ``communities`` and ``demand`` layers:
#: capacity per 1,000 residents by 2SFCA (no decay) and by E2SFCA (the profile's decay).
SUPPLY_PREFIX = {"2sfca": "sup_", "e2sfca": "esup_"}

#: Equity rows of the scorecard (whole area, every required category at once).
EQUITY_MEASURES = ("gini_coverage", "theil_coverage", "urban_rural_gap")
INFO = "info"


@dataclass(frozen=True, eq=False)
class Routing:
    """The travel-time step's networks and snaps, kept for the scenarios.

    Attributes
    ----------
    networks, network_for
        Networks per mode; ``network_for(mode)`` builds (or returns) any other mode's.
    demand_snaps
        Circle key -> (positions of its demand points, their Snapped).
    facility_snaps
        ``(mode, category)`` -> the existing facilities of the category, snapped, in the
        order of :attr:`existing` within the category.
    existing, planned
        The existing (counted) and planned facilities.
    planned_snaps
        ``(mode, category)`` -> the planned facilities of the category snapped (None:
        snapped when needed).
    max_snap_m
        Largest distance from a point to its road.
    group_demand
        The demand points' snaps on the target groups' own modes (shared by every
        ``times_by_mode`` of the analysis: nothing snaps twice).
    group_extra
        ``planned`` -> the group-times callable over the planned facilities (kept, so the
        proposed scenario reuses their snaps).
    """

    networks: Mapping[str, Any]
    network_for: Callable[[str], Any]
    demand_snaps: Mapping[str, tuple]
    facility_snaps: Mapping[tuple[str, str], Any]
    existing: pd.DataFrame
    planned: pd.DataFrame
    planned_snaps: Callable[[str, str], Any] | None
    max_snap_m: float
    group_demand: dict[str, Any] = field(default_factory=dict)
    group_extra: dict[str, Any] = field(default_factory=dict)


#: Columns the scenarios table gains beyond coverage: per kind and category, the
#: target-group share covered and the population-weighted mean supply per 1,000 residents
#: by 2SFCA and E2SFCA (NaN where the category has no group / no capacity data).
SCENARIO_MEASURES = ("group_share", "supply_2sfca", "supply_e2sfca")
#: Columns of the table of capacities assumed for the proposed sites.
CAPACITY_COLUMNS = ("rank", "cand_id", "category", "capacity", "capacity_from")
#: Where a proposed site's capacity comes from, in order of precedence.
CAPACITY_SOURCES = ("candidate", "planner", "profile", "none")


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
    routing
        The networks and snaps the analysis used, so a later scenario routes only what it
        adds (:class:`Routing`).
    proposed_capacity
        The capacity assumed for each proposed site and category, and where it came from
        (:data:`CAPACITY_COLUMNS`; None before the planner).
    """

    supply: SupplyLoad
    groups: GroupCoverage
    equity: pd.DataFrame
    scenarios: pd.DataFrame
    planned_times: pd.DataFrame | None = None
    planned: Coverage | None = None
    proposed: Coverage | None = None
    warnings: tuple[str, ...] = ()
    routing: Routing | None = None
    proposed_capacity: pd.DataFrame | None = None


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
    search = _group_search(profile)
    group_demand: dict[str, Any] = {}
    groups = group_coverage(profile, communities, points, times,
                            times_by_mode(network_for, points, existing, max_snap_m, search,
                                          demand_cache=group_demand),
                            lang=lang)
    equity = equity_table(coverage.communities, points, times, profile,
                          categories=list(coverage.categories))
    routing = Routing(networks, network_for, demand_snaps, facility_snaps, existing,
                      planned_fac, planned_snaps, max_snap_m, group_demand)
    rows = [_with_measures(scenario_rows("existing", coverage, _counts(existing)),
                           measures(supply, groups, points, communities))]
    planned_times = planned_cov = None
    if len(planned_fac):
        extra = added_times(networks, demand_snaps, planned_fac, profile,
                            max_snap_m=max_snap_m, index=times.index, columns=times.columns,
                            snapped=planned_snaps)
        planned_times = combine(times, extra)
        planned_cov = compute_coverage(communities, points, planned_times, profile)
        p_supply, p_groups = _scenario_supply_groups(
            routing, profile, communities, points, planned_times, supply, groups,
            [("planned", planned_fac, planned_snaps)], lang)
        rows.append(_with_measures(scenario_rows("planned", planned_cov, _counts(facilities)),
                                   measures(p_supply, p_groups, points, communities)))
    return Assessment(supply, groups, equity, pd.concat(rows, ignore_index=True),
                      planned_times, planned_cov, None,
                      tuple(supply.warnings) + tuple(groups.warnings), routing)


def _with_measures(rows: pd.DataFrame, more: pd.DataFrame) -> pd.DataFrame:
    """Scenario rows with :data:`SCENARIO_MEASURES` joined on ``kind category``."""
    out = rows.merge(more, on=["kind", "category"], how="left")
    for c in SCENARIO_MEASURES:
        if c not in out.columns:
            out[c] = np.nan
    return out


def measures(supply: SupplyLoad, groups: GroupCoverage, points: pd.DataFrame,
             communities: pd.DataFrame) -> pd.DataFrame:
    """Per community kind and category: the target-group share covered and the
    population-weighted mean 2SFCA and E2SFCA supply per 1,000 (one scenario)."""
    kinds = communities.set_index(communities["cid"].astype(object))["kind"]
    pkind = points["cid"].astype(object).map(kinds).to_numpy()
    pop = np.nan_to_num(pd.to_numeric(points["population"], errors="coerce").to_numpy(float))
    did = points["did"].to_numpy()
    rows: dict[tuple[str, str], dict[str, float]] = {}
    kinds_present = pd.unique(pkind)
    did_index = pd.Index(did)
    for col, table in (("supply_2sfca", supply.points), ("supply_e2sfca", supply.enhanced)):
        # the supply tables are indexed by the points' ids in order: read them whole
        whole = (table.to_numpy(float) if table.index.equals(did_index)
                 and table.columns.is_unique else None)
        for j, cat in enumerate(table.columns):
            v = whole[:, j] if whole is not None else table[cat].reindex(did).to_numpy(float)
            for kind in kinds_present:
                sel = (pkind == kind) & np.isfinite(v) & (pop > 0)
                if sel.any():
                    rows.setdefault((str(kind), str(cat)), {})[col] = float(
                        (v[sel] * pop[sel]).sum() / pop[sel].sum())
    g = groups.table
    for kind, cat, share in zip(g["kind"].to_numpy(object), g["category"].to_numpy(object),
                                g["group_share"].to_numpy(object), strict=True):
        rows.setdefault((str(kind), str(cat)), {})["group_share"] = float(share)
    frame = pd.DataFrame([{"kind": k, "category": c, **v} for (k, c), v in rows.items()],
                         columns=["kind", "category", *SCENARIO_MEASURES])
    return frame


def _scenario_supply_groups(routing: Routing, profile: Profile, communities: pd.DataFrame,
                            points: pd.DataFrame, times: pd.DataFrame, base: SupplyLoad,
                            base_groups: GroupCoverage,
                            extras: list[tuple[str, pd.DataFrame,
                                               Callable[[str, str], Any] | None]],
                            lang: str) -> tuple[SupplyLoad, GroupCoverage]:
    """Supply and group coverage with ``extras`` (``(key, facilities, snaps)``: a frame
    with ``category capacity`` and geometry, and ``(mode, category)`` -> its snaps, or
    None to snap them here) added to the existing facilities. Only the extras are routed
    (:func:`~lifecircle.accessibility.supply.added_supply`: the existing facilities keep
    their catchments); the categories they do not add to keep ``base``. Group times are the faster
    of the base ones and those to each extra by the group's mode (only the extras are
    routed; each extra's snaps are kept in ``routing.group_extra`` under its key)."""
    from lifecircle.accessibility.snap import concat, snap

    cats = list(dict.fromkeys(str(c) for _, f, _ in extras
                              for c in f["category"].astype(str)))
    if not cats:
        return base, base_groups
    frames = []
    fsnaps: dict[tuple[str, str], Any] = {}
    for cat in cats:
        parts = [f[f["category"].astype(str) == cat] for _, f, _ in extras]
        frames.append(pd.concat([p[["fid", "category", "capacity"]] if "fid" in p.columns
                                 else p.assign(fid=[f"+{i}" for i in range(len(p))])[
                                     ["fid", "category", "capacity"]] for p in parts],
                                ignore_index=True))
        for (mode, c) in routing.facility_snaps:
            if c != cat:
                continue
            snaps = []
            for (_, _f, snapped), part in zip(extras, parts, strict=True):
                snaps.append(snapped(mode, cat) if snapped is not None else snap(
                    routing.networks[mode], part.geometry, max_snap_m=routing.max_snap_m))
            fsnaps[(mode, cat)] = concat(snaps)
    fac = pd.concat(frames, ignore_index=True)
    fac["capacity"] = pd.to_numeric(fac["capacity"], errors="coerce")
    # the existing facilities keep their catchments: only the extras are routed
    supply = added_supply(base, routing.networks, routing.demand_snaps, fsnaps, fac, points,
                          communities, profile)
    search = _group_search(profile)
    runs = []
    for key, f, _ in extras:
        run = routing.group_extra.get(key)
        if run is None:
            run = times_by_mode(routing.network_for, points, f, routing.max_snap_m, search,
                                demand_cache=routing.group_demand)
            if key == "planned":  # the planned facilities stay; proposed sites differ per plan
                routing.group_extra[key] = run
        runs.append(run)
    base_t = base_groups.times

    def group_times(mode: str, cat: str, pos: Any) -> Any:
        t = np.full(len(pos), np.inf)
        for run in runs:
            t = np.fmin(t, run(mode, cat, pos))
        if cat in base_t.columns:
            b = base_t[cat].to_numpy(float)[pos]
            t = np.fmin(np.where(np.isnan(b), np.inf, b), t)
        return t

    groups = group_coverage(profile, communities, points, times, group_times, lang=lang)
    return supply, groups


def _group_search(profile: Profile) -> dict[str, float]:
    """How far group times are searched per mode (twice the largest circle using it)."""
    search = {c.mode: 2.0 * c.minutes * 60.0 for c in profile.circles.values()}
    for g in profile.groups.values():
        for ck, m in g.modes.items():
            if ck in profile.circles:
                search[m] = max(search.get(m, 0.0), 2.0 * profile.circles[ck].minutes * 60.0)
    return search


def with_proposed(a: Assessment, profile: Profile, communities: pd.DataFrame,
                  points: pd.DataFrame, times: pd.DataFrame, facilities: pd.DataFrame,
                  sites: pd.DataFrame, newly_covered: Mapping[str, Any], circle: Any, *,
                  site_capacity: Mapping[str, float] | None = None,
                  planner_capacity: float | None = None,
                  site_snaps: Mapping[str, Any] | None = None, lang: str = "zh") -> Assessment:
    """Add the scenario existing + planned + the proposed sites.

    Coverage: the planner's own answer is used (``newly_covered``: category -> the demand
    points its sites newly cover, :attr:`PlanResult.newly_covered_by_category`): those
    points count as reached within their circle's limit.

    Supply (2SFCA, E2SFCA) and target-group coverage: the proposed sites are routed as
    facilities (on the analysis's networks; only they are snapped), each with a capacity
    taken, in order, from its candidate (``site_capacity``: ``cand_id`` -> capacity), the
    planner's ``--capacity`` (``planner_capacity``), or the category's
    ``default_capacity`` in the profile; :attr:`Assessment.proposed_capacity` says which.
    A site without any counts as 0 places (it still shortens the groups' travel times).
    ``site_snaps``: mode -> the sites snapped by the planner, in the rows' order of
    ``sites`` (:attr:`PlanResult.site_snaps`); other modes are snapped here.
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
    caps = proposed_capacities(added, profile, site_capacity or {}, planner_capacity)
    added = added.assign(capacity=caps["capacity"].to_numpy(float),
                         fid=added["cand_id"].astype(str).to_numpy())
    rows = scenario_rows("proposed", cov, counts)
    if a.routing is not None:
        r = a.routing
        extras: list[tuple[str, pd.DataFrame, Callable[[str, str], Any] | None]] = []
        if len(r.planned):
            extras.append(("planned", r.planned, r.planned_snaps))
        row_of = {str(c): i for i, c in enumerate(sites["cand_id"].astype(str))}
        known = dict(site_snaps or {})

        def proposed_snaps(mode: str, cat: str) -> Any:
            from lifecircle.accessibility.snap import snap

            sub = added[added["category"].astype(str) == cat]
            if mode in known:
                return known[mode].take(np.array([row_of[str(c)] for c in sub["cand_id"]],
                                                 dtype=np.int64))
            return snap(r.networks[mode], sub.geometry, max_snap_m=r.max_snap_m)

        extras.append(("proposed", added, proposed_snaps))
        p_supply, p_groups = _scenario_supply_groups(r, profile, communities, points, t,
                                                     a.supply, a.groups, extras, lang)
        rows = _with_measures(rows, measures(p_supply, p_groups, points, communities))
    else:
        rows = _with_measures(rows, pd.DataFrame(columns=["kind", "category"]))
    sc = a.scenarios[a.scenarios["scenario"] != "proposed"]
    return replace(a, proposed=cov, proposed_capacity=caps,
                   scenarios=pd.concat([sc, rows], ignore_index=True))


def proposed_capacities(added: pd.DataFrame, profile: Profile,
                        site_capacity: Mapping[str, float], planner_capacity: float | None
                        ) -> pd.DataFrame:
    """The capacity assumed for each proposed site and category, and its source
    (:data:`CAPACITY_COLUMNS`; ``capacity_from`` one of :data:`CAPACITY_SOURCES`)."""
    out = []
    for _, r in added.iterrows():
        cand, cat = str(r["cand_id"]), str(r["category"])
        own = site_capacity.get(cand)
        default = profile.categories[cat].default_capacity if cat in profile.categories \
            else None
        if own is not None and np.isfinite(own):
            cap, src = float(own), "candidate"
        elif planner_capacity is not None and np.isfinite(planner_capacity):
            cap, src = float(planner_capacity), "planner"
        elif default is not None:
            cap, src = float(default), "profile"
        else:
            cap, src = np.nan, "none"
        out.append({"rank": r.get("rank", pd.NA), "cand_id": cand, "category": cat,
                    "capacity": cap, "capacity_from": src})
    return pd.DataFrame(out, columns=list(CAPACITY_COLUMNS))


def result_columns(a: Assessment, layers: dict[str, Any], points: pd.DataFrame) -> None:
    """Add the assessment to the result layers (in place)."""
    comm = layers["communities"].copy()
    cid = comm["cid"].astype(object)
    supply = {SUPPLY_PREFIX["2sfca"]: a.supply.points,
              SUPPLY_PREFIX["e2sfca"]: a.supply.enhanced}
    demand = points["population"].to_numpy(float)
    groups = points["cid"].astype(object).to_numpy()
    for prefix, table in supply.items():
        # every category in one grouping of the points by community
        vals = table.reindex(points["did"].to_numpy()).to_numpy(float).reshape(
            len(points), len(table.columns))
        ok = np.isfinite(vals)
        per = community_access_table(np.where(ok, vals, 0.0),
                                     np.where(ok, demand[:, None], 0.0), groups,
                                     [str(c) for c in table.columns])
        for j, cat in enumerate(table.columns):
            comm[f"{prefix}{cat}"] = cid.map(per.iloc[:, j]).astype(float).to_numpy()
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
    if a.proposed_capacity is not None:
        layers["proposed_capacity"] = a.proposed_capacity


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
                     "note": "" if np.isfinite(value) else Note("score.note.no_urban_rural"),
                     "entry": "", "year": pd.NA})
    return pd.DataFrame(rows)

