"""The high-level site planner used by the pipeline: demand, candidates and facilities in,
ranked proposed sites out.

:func:`plan` ties the pieces together:

1. each demand point gets its community's circle (``urban``: 15 min walk, ``rural``: 30 min
   e-bike in ``maanshan-2025``) and, per planned category, its limit there (the category's
   own level where the profile gives one, e.g. GB 50180's 5-minute kindergarten: sites are
   chosen and coverage judged at 5 minutes, not the circle's 15), whether that circle
   requires the category (a category no circle requires, such as ``living_room``, is planned for
   everybody) and whether an existing facility already covers it;
2. candidates come from the candidates layer (idle public assets first) and/or are
   generated along the roads near uncovered demand (:mod:`.candidates`);
3. candidates and demand are snapped to the network of each circle's mode, and bounded
   Dijkstra searches give the sparse candidates x demand travel times (:mod:`.sets`);
4. the chosen model runs on the matrices (:mod:`.models`), several categories jointly when
   more than one is given (one facility hosting them all);
5. the selected sites are ranked by newly covered population, with the communities that
   gain, coverage before and after, and the demand no candidate can reach with a reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from lifecircle.accessibility.network import Network
from lifecircle.accessibility.snap import Snapped, snap
from lifecircle.accessibility.times import TravelTimes, circle_of_points
from lifecircle.accessibility.times import travel_times as compute_travel_times
from lifecircle.errors import InputError, Note, notice
from lifecircle.i18n import items, t
from lifecircle.planner import candidates as cand_mod
from lifecircle.planner.models import (
    CostProblem,
    CoverageProblem,
    RankedSite,
    joint,
    maximal_covering,
    p_median,
    rank_sites,
    set_covering,
)
from lifecircle.planner.sets import coverage_times, place_columns, within
from lifecircle.planner.solve import Solution
from lifecircle.profile import Profile, covered, covered_limit_s

__all__ = ["MODELS", "REASONS", "SITE_COLUMNS", "Geography", "NetworkNear", "PlanResult",
           "SiteGeography", "SiteMatrices", "describe", "matrices", "plan", "solve"]

MODELS = ("mclp", "setcover", "pmedian")

#: Separator of the list of communities stored in ``proposed_sites.communities`` (a data
#: cell in every language, split by :func:`lifecircle.outputs.webmap.split_keys`).
CELL_SEP = "; "
#: Why demand cannot be reached by any candidate (``unreached.reason``).
REASONS = ("no candidate within reach", "disconnected road piece", "off-network")

#: Columns of the ``proposed_sites`` layer (docs/contracts.md), geometry last.
SITE_COLUMNS = ("rank", "cand_id", "name", "categories", "new_population", "communities",
                "is_idle_asset", "nearest_road_m")

#: Columns of the ``candidates`` layer (docs/contracts.md).
CANDIDATE_LAYER_COLUMNS = ("cand_id", "name", "priority", "is_idle_asset", "source")

@dataclass(frozen=True, eq=False)
class PlanResult:
    """What :func:`plan` returns.

    Attributes
    ----------
    sites
        The ``proposed_sites`` layer, rank order: ``rank cand_id name categories
        new_population communities is_idle_asset nearest_road_m`` + geometry (the
        candidate's location). ``categories`` lists the planned category keys the site
        hosts (comma-separated); ``new_population`` counts each newly covered resident once
        even when covered for several categories; ``communities`` names the communities
        that gain, most gained first (``name (cid)``, ``; ``-separated).
    site_gains
        One row per site and category: ``rank cand_id category new_population points``.
    coverage
        One row per category: ``category category_name population covered_before
        share_before covered_after share_after new_population`` (population whose circle
        requires the category; shares in 0..1, NaN without such population).
    unreached
        Demand that no existing facility covers and no candidate can reach: ``did cid
        category population reason`` + geometry; ``reason`` is one of :data:`REASONS`.
    candidates
        The ``candidates`` layer: ``cand_id name priority is_idle_asset source`` + geometry
        (every candidate considered, from the layer and generated).
    solution
        The model's :class:`~lifecircle.planner.solve.Solution` (candidate indices are rows
        of :attr:`candidates`).
    model
        ``"mclp"``, ``"setcover"`` or ``"pmedian"``.
    categories
        The planned category keys.
    newly_covered
        ``cand_id`` -> ``did`` values the site newly covers (any category).
    warnings
        Messages for the report (solver stopped at the time limit, candidates off the
        network, candidate spacing widened ...).
    newly_covered_by_category
        Category key -> ``did`` values the sites together newly cover for it (what
        :attr:`coverage`'s ``covered_after`` adds; the map's "with proposed sites" view).
    site_snaps
        Mode key -> the sites snapped on the mode's network, in the rows' order of
        :attr:`sites` (the planner's own snaps, reused by the scenarios; empty when the
        geography came from a cluster).
    """

    sites: gpd.GeoDataFrame
    site_gains: pd.DataFrame
    coverage: pd.DataFrame
    unreached: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    solution: Solution
    model: str
    categories: tuple[str, ...]
    newly_covered: Mapping[str, NDArray]
    warnings: tuple[str, ...] = ()
    newly_covered_by_category: Mapping[str, NDArray] = field(default_factory=dict)
    site_snaps: Mapping[str, Snapped] = field(default_factory=dict)


def _check_categories(categories: Sequence[str] | str, profile: Profile) -> tuple[str, ...]:
    cats = (categories,) if isinstance(categories, str) else tuple(categories)
    if not cats:
        raise notice(InputError, "err.plan.no_category")
    for c in cats:
        hint = profile.category_hint(c)
        if hint is not None:
            raise notice(InputError, "err.plan.unknown_category", value=c,
                         profile=profile.key, hint=hint)
    if len(set(cats)) != len(cats):
        raise notice(InputError, "err.plan.twice", values=list(cats))
    return cats


def _existing_minutes(cat: str, demand: gpd.GeoDataFrame, times: pd.DataFrame | None,
                      tt: TravelTimes) -> NDArray[np.float64]:
    """Minutes from each demand point to the nearest open facility of ``cat`` (inf none):
    from ``times``, else the ``t_<cat>`` column, else the travel-time step's minutes."""
    if times is not None and cat in times.columns:
        vals = times[cat].reindex(demand["did"].to_numpy()).to_numpy(dtype=float,
                                                                     na_value=np.nan)
        return np.where(np.isnan(vals), np.inf, vals)
    if f"t_{cat}" in demand.columns:
        vals = pd.to_numeric(demand[f"t_{cat}"], errors="coerce").to_numpy(dtype=float,
                                                                          na_value=np.nan)
        return np.where(np.isnan(vals), np.inf, vals)
    if cat in tt.minutes.columns:
        return tt.minutes[cat].to_numpy(dtype=float)
    return np.full(len(demand), np.inf)


@dataclass(frozen=True, eq=False)
class SiteGeography:
    """What the planner takes from the road networks when they are not in this process
    (:class:`lifecircle.distributed.ClusterGeography` computes it partition by partition).

    Attributes
    ----------
    times
        ``(candidates, demand)`` CSR travel seconds; the stored entries are the pairs within
        each demand point's search limit (access legs at both ends included).
    off_network
        ``(demand,)`` True where the point is farther than ``max_snap_m`` from a road its
        circle's mode may use.
    component
        ``(demand,)`` road piece of each snapped point (0 = the main piece), -1 off.
    nearest_road_m
        ``(candidates,)`` distance to the nearest road of any circle's mode in use (inf
        where none within ``max_snap_m``).
    candidate_pieces
        Mode key -> the road pieces holding at least one snapped candidate.
    """

    times: sp.csr_matrix
    off_network: NDArray[np.bool_]
    component: NDArray[np.int64]
    nearest_road_m: NDArray[np.float64]
    candidate_pieces: Mapping[str, frozenset[int]]


#: ``geography(candidates, search_s) -> SiteGeography`` (``search_s``: each demand point's
#: search limit in seconds), for :func:`matrices` without networks in this process.
Geography = Callable[[gpd.GeoDataFrame, NDArray[np.float64]], SiteGeography]

#: ``network_near(mode, xy, radius_m) -> Network``: a network of ``mode`` whose edges within
#: ``radius_m`` of the ``(k, 2)`` points ``xy`` are exactly the whole network's there (it
#: may hold fewer or other edges farther away). Candidates are generated on it where the
#: whole network is not in this process (a Dask cluster: lifecircle.distributed.network_near).
NetworkNear = Callable[[str, NDArray[np.float64], float], Network]


@dataclass(frozen=True, eq=False)
class SiteMatrices:
    """Geography turned into matrices: the seam between the road network and the models.

    Rows of the matrices are :attr:`candidates`, columns the rows of :attr:`demand`.

    Attributes
    ----------
    categories
        The planned category keys.
    demand
        The demand points (index 0..n-1).
    candidates
        Every candidate considered (layer, then generated), canonical columns.
    times_s
        Sparse travel seconds candidate -> demand point, within :attr:`search_s`.
    cover
        Category -> sparse booleans: the pairs within the category's limit at the point
        (the covered rule at :attr:`limit`).
    search_s
        ``(n,)`` how far each point's times were searched.
    limit
        Category -> ``(n,)`` minutes within which the category counts as reached at each
        point: its own level (GB 50180's 5/10-minute facilities) where below the point's
        circle's minutes, else the circle's (:meth:`Profile.limit`).
    population, load
        ``(n,)`` weights and the capacity load per demand point.
    capacity
        ``(candidates,)`` residents (load) one new site can serve (inf unlimited).
    columns
        Category -> demand columns whose circle requires it (all, for no circle).
    eligible, existing, existing_min
        Per category and demand point: required, already covered, minutes to the nearest
        open facility.
    circle, nearest_road_m, off_network, component
        Per demand point circle key; per candidate distance to the road; per demand point
        off the network, road piece.
    candidate_snaps, networks
        Candidates snapped per mode and the networks (empty when the geography came from
        a cluster).
    warnings
        Messages for the report.
    candidate_pieces
        Mode key -> road pieces holding a snapped candidate (for the unreached reasons).
    """

    categories: tuple[str, ...]
    demand: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    times_s: sp.csr_matrix
    cover: Mapping[str, sp.csr_matrix]
    search_s: NDArray[np.float64]
    population: NDArray[np.float64]
    load: NDArray[np.float64]
    capacity: NDArray[np.float64]
    columns: Mapping[str, NDArray[np.int64]]
    eligible: Mapping[str, NDArray[np.bool_]]
    existing: Mapping[str, NDArray[np.bool_]]
    existing_min: Mapping[str, NDArray[np.float64]]
    circle: NDArray[np.object_]
    nearest_road_m: NDArray[np.float64]
    off_network: NDArray[np.bool_]
    component: NDArray[np.int64]
    candidate_snaps: Mapping[str, Snapped]
    networks: Mapping[str, Network]
    warnings: tuple[str, ...] = ()
    candidate_pieces: Mapping[str, frozenset[int]] = field(default_factory=dict)
    limit: Mapping[str, NDArray[np.float64]] = field(default_factory=dict)


def category_limits(profile: Profile, circle_of: NDArray[np.object_],
                    categories: Sequence[str]) -> dict[str, NDArray[np.float64]]:
    """Category -> minutes within which it counts as reached at each demand point (its
    level in the point's circle, :meth:`Profile.limit`): the one rule coverage uses."""
    keys = [c for c in profile.circles if np.any(circle_of == c)]
    out: dict[str, NDArray[np.float64]] = {}
    for cat in categories:
        lim = np.full(len(circle_of), np.nan)
        for ckey in keys:
            lim[circle_of == ckey] = profile.limit(ckey, cat)
        out[cat] = lim
    return out


def matrices(
    travel_times: TravelTimes,
    demand: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame | None,
    facilities: gpd.GeoDataFrame | None,
    profile: Profile,
    *,
    categories: Sequence[str] | str,
    communities: pd.DataFrame | None = None,
    times: pd.DataFrame | None = None,
    max_snap_m: float = 500.0,
    generate: bool | None = None,
    candidate_spacing_m: float | None = 300.0,
    min_distance_m: float | None = None,
    near_m: float | None = None,
    max_candidates: int = 5000,
    capacity: float | None = None,
    load: str | None = None,
    search_factor: float = 1.0,
    lang: str = "zh",
    geography: Geography | None = None,
    network_near: NetworkNear | None = None,
) -> SiteMatrices:
    """Geography -> matrices: candidates and the sparse candidates x demand matrices.

    The first stage of :func:`plan` (see it for the parameters); ``search_factor``: travel
    times are kept up to this many times each point's circle (1 for the covering models,
    the p-median cutoff for p-median). Demand, facility and layer-candidate snaps and the
    existing minutes come from ``travel_times``; only generated candidates are snapped.
    ``geography``: the candidates x demand times, road pieces and nearest roads computed
    elsewhere (on a Dask cluster, :mod:`lifecircle.distributed`); ``travel_times`` then
    holds no networks, and candidates are generated on ``network_near`` (the same rule,
    the same points), or not at all without one.
    """
    warnings: list[str] = []
    cats = _check_categories(categories, profile)
    for col in ("did", "cid", "population"):
        if col not in demand.columns:
            raise notice(InputError, "err.plan.demand_column", col=col)
    demand = demand.reset_index(drop=True)
    n_dem = len(demand)
    pop = np.nan_to_num(pd.to_numeric(demand["population"], errors="coerce")
                        .to_numpy(dtype=float, na_value=np.nan)).clip(min=0.0)
    if len(travel_times.circle) != n_dem:
        raise notice(InputError, "err.plan.count", given=len(travel_times.circle), n=n_dem)
    tt = travel_times
    network_by_mode = tt.networks
    circle_of = tt.circle
    used_circles = [c for c in profile.circles if np.any(circle_of == c)]
    # each category is judged at its own level (GB 50180's 5/10-minute facilities) within
    # the point's circle; times are searched to the largest planned level
    limits = category_limits(profile, circle_of, cats)
    minutes = np.max(np.vstack([limits[c] for c in cats]), axis=0) if n_dem else \
        np.zeros(0)

    # demand snaps per circle: views of the travel-time step's snaps per mode
    dsnaps: dict[str, tuple[NDArray[np.int64], Snapped]] = {}
    off_network = np.zeros(n_dem, dtype=bool)
    dem_component = np.full(n_dem, -1, dtype=np.int64)
    for ckey in used_circles if geography is None else ():
        ms = tt.modes[profile.circles[ckey].mode]
        mine = circle_of[ms.demand_index] == ckey
        idx = ms.demand_index[mine]
        ds = ms.demand.take(mine)
        net = ms.network
        dsnaps[ckey] = (idx, ds)
        off_network[idx] = ds.too_far
        ok = ds.edge >= 0
        dem_component[idx[ok]] = net.component[net.edge_u[ds.edge[ok]]]

    # eligibility and existing coverage per category
    eligible: dict[str, NDArray[np.bool_]] = {}
    existing: dict[str, NDArray[np.bool_]] = {}
    exist_min: dict[str, NDArray[np.float64]] = {}
    for cat in cats:
        circles = profile.categories[cat].circles
        eligible[cat] = (np.isin(circle_of, list(circles)) if circles
                         else np.ones(n_dem, dtype=bool))
        exist_min[cat] = _existing_minutes(cat, demand, times, tt)
        existing[cat] = covered(exist_min[cat], limits[cat])

    # candidates: layer, then generated near uncovered demand
    layer = (cand_mod.from_layer(candidates) if candidates is not None and len(candidates)
             else None)
    do_generate = generate if generate is not None else layer is None
    if do_generate and geography is not None and network_near is None:
        raise notice(InputError, "err.plan.no_network")
    parts = [layer] if layer is not None else []
    if do_generate:
        near_net = (network_near if network_near is not None
                    else lambda mode, _xy, _r: network_by_mode[mode])
        gen = _generated(near_net, demand, facilities, profile, cats, circle_of,
                         eligible, existing, used_circles, spacing=candidate_spacing_m,
                         min_distance_m=min_distance_m, near_m=near_m,
                         room=max(0, max_candidates - (len(layer) if layer is not None else 0)),
                         warnings=warnings, lang=lang, names=_community_names(communities))
        if len(gen):
            if demand.crs is not None and gen.crs is not None and gen.crs != demand.crs:
                gen = gen.to_crs(demand.crs)
            parts.append(gen)
    if layer is not None and len(layer) > max_candidates:
        raise notice(InputError, "err.plan.too_many_candidates", n=len(layer),
                     limit=max_candidates)
    cand = (pd.concat(parts, ignore_index=True) if parts
            else cand_mod.empty_frame(demand.crs))
    cand = gpd.GeoDataFrame(cand, geometry="geometry", crs=demand.crs)
    n_cand = len(cand)
    if n_cand == 0:
        warnings.append(Note("warn.plan.no_candidates"))

    # candidates on every mode network in use: the layer's from the travel-time step,
    # only the generated ones are snapped here
    n_layer = len(layer) if layer is not None else 0
    csnaps: dict[str, Snapped] = {}
    access = np.full((max(len(used_circles), 1), n_cand), np.inf)
    search = minutes * 60.0 * max(float(search_factor), 1.0)
    geo = geography(cand, search) if geography is not None else None
    for i, ckey in enumerate(used_circles if geo is None else ()):
        mode = profile.circles[ckey].mode
        if mode not in csnaps:
            net = network_by_mode[mode]
            known = tt.modes[mode].candidates
            if known is None or len(known) != n_layer:
                known = snap(net, cand.geometry.iloc[:n_layer], max_snap_m=max_snap_m)
            csnaps[mode] = _concat(known, snap(net, cand.geometry.iloc[n_layer:],
                                               max_snap_m=max_snap_m))
        acc = csnaps[mode].access_m
        access[i] = np.where(np.isnan(acc), np.inf, acc)
    nearest_road = access.min(axis=0) if geo is None else geo.nearest_road_m
    off = ~np.isfinite(nearest_road) | (nearest_road > max_snap_m)
    if off.any():
        ids = items(cand["cand_id"].astype(str).to_numpy()[off], 5)
        warnings.append(Note("warn.plan.off_road", n=int(off.sum()), m=max_snap_m, ids=ids))

    # sparse travel times candidates x demand, per circle, within the limit (p-median:
    # within the cutoff)
    blocks = []
    for ckey in used_circles if geo is None else ():
        idx, ds = dsnaps[ckey]
        net = network_by_mode[profile.circles[ckey].mode]
        blocks.append((coverage_times(net, csnaps[profile.circles[ckey].mode], ds,
                                      search[idx]), idx))
    tmat = place_columns(blocks, n_cand, n_dem) if geo is None else geo.times
    if geo is not None:
        off_network, dem_component = geo.off_network, geo.component
        pieces = dict(geo.candidate_pieces)
    else:
        pieces = {}
        for mode, cs in csnaps.items():
            net = network_by_mode[mode]
            ok = cs.edge >= 0
            pieces[mode] = frozenset(net.component[net.edge_u[cs.edge[ok]]].tolist())
    cover: dict[str, sp.csr_matrix] = {}
    for cat in cats:  # categories of the same limits share one matrix
        same = next((c for c in cover if np.array_equal(limits[c], limits[cat])), None)
        cover[cat] = cover[same] if same is not None else within(
            tmat, covered_limit_s(limits[cat]))

    cap = cand["capacity"].to_numpy(dtype=float)
    if capacity is not None:
        if not capacity >= 0:
            raise notice(InputError, "err.plan.capacity", value=capacity)
        cap = np.where(np.isfinite(cap), cap, float(capacity))
    if load is None:
        load_v = pop
    else:
        if load not in demand.columns:
            raise notice(InputError, "err.plan.load_column", col=load)
        load_v = np.nan_to_num(pd.to_numeric(demand[load], errors="coerce")
                               .to_numpy(dtype=float, na_value=np.nan)).clip(min=0.0)
    cols = {cat: np.flatnonzero(eligible[cat]) for cat in cats}
    return SiteMatrices(
        categories=cats, demand=demand, candidates=cand, times_s=tmat, cover=cover,
        search_s=search, population=pop, load=load_v, capacity=cap, columns=cols,
        eligible=eligible, existing=existing, existing_min=exist_min, circle=circle_of,
        nearest_road_m=nearest_road, off_network=off_network, component=dem_component,
        candidate_snaps=csnaps, networks=dict(network_by_mode), warnings=tuple(warnings),
        candidate_pieces=pieces, limit=limits)


def solve(m: SiteMatrices, *, model: str = "mclp", sites: int | None = None,
          budget: float | None = None, time_limit_s: float = 60.0, lang: str = "zh"
          ) -> tuple[CoverageProblem, Solution, tuple[str, ...]]:
    """Run a location model on the matrices (one call style for every model).

    Returns the (joint) coverage problem, the solver's solution and warnings (time limit
    reached, greedy fallback, fewer candidates than sites, capacities ignored).
    """
    _check_model(model, sites, budget)
    warnings: list[str] = []
    cats, cols, cand, pop = m.categories, m.columns, m.candidates, m.population
    n_cand = len(cand)
    tmat, cover, existing, search, exist_min = (m.times_s, m.cover, m.existing, m.search_s,
                                                m.existing_min)
    cap, load_v = m.capacity, m.load
    problems = {cat: CoverageProblem(
        cover[cat][:, cols[cat]], pop[cols[cat]], existing=existing[cat][cols[cat]],
        costs=cand["cost"].to_numpy(dtype=float), priority=cand["priority"].to_numpy(float),
        capacity=cap, load=load_v[cols[cat]]) for cat in cats}
    problem = joint(problems) if len(cats) > 1 else problems[cats[0]]

    if model == "setcover":
        if problem.capacitated:
            warnings.append(Note("warn.plan.setcover_capacity"))
            problem = CoverageProblem(problem.coverage, problem.weights,
                                      existing=problem.existing, costs=problem.costs,
                                      priority=problem.priority, group=problem.group,
                                      group_names=problem.group_names)
        solution = set_covering(problem, time_limit_s=time_limit_s)
    elif model == "mclp":
        solution = maximal_covering(problem, p=sites, budget=budget, time_limit_s=time_limit_s)
    else:
        cost = sp.hstack([tmat[:, cols[c]] for c in cats], format="csr")
        ex_s = np.concatenate([exist_min[c][cols[c]] * 60.0 for c in cats])
        cutoff = np.concatenate([search[cols[c]] for c in cats])
        p = min(int(sites or 0), n_cand)
        if p < (sites or 0):
            warnings.append(Note("warn.plan.few_candidates", n=n_cand, sites=sites))
        solution = p_median(CostProblem(cost, problem.weights, existing=ex_s,
                                        unreached_cost=cutoff,
                                        priority=cand["priority"].to_numpy(float)),
                            p=p, time_limit_s=time_limit_s)
    if solution.status == "time_limit":
        warnings.append(Note("warn.plan.time_limit", s=time_limit_s, gap=solution.gap))
    elif solution.status == "greedy":
        warnings.append(Note("warn.plan.greedy", s=time_limit_s))

    return problem, solution, tuple(warnings)


def describe(m: SiteMatrices, problem: CoverageProblem, solution: Solution, profile: Profile,
             *, model: str, communities: pd.DataFrame | None = None, lang: str = "zh",
             warnings: Sequence[str] = ()) -> PlanResult:
    """Rank and explain the selected sites: the :class:`PlanResult` layers and tables."""
    cats, demand, cand, pop = m.categories, m.demand, m.candidates, m.population
    col_dem = np.concatenate([m.columns[c] for c in cats])
    col_cat = np.concatenate([np.full(m.columns[c].size, k) for k, c in enumerate(cats)])
    ranked = rank_sites(problem, solution.selected,
                        assignment=solution.assignment if solution.model == "cmclp" else None)
    sites_gdf, gains, newly, new_by_cat = _site_tables(
        ranked, cand, demand, communities, pop, col_dem, col_cat, cats,
        m.nearest_road_m)
    coverage = _coverage_table(cats, profile, m.eligible, m.existing, new_by_cat, pop,
                               lang)
    unreached = _unreached(problem, col_dem, col_cat, cats, demand, pop, m.off_network,
                           m.component, m.circle, m.candidate_pieces, profile)
    cand_layer = gpd.GeoDataFrame(cand[list(CANDIDATE_LAYER_COLUMNS)],
                                  geometry=cand.geometry.values, crs=cand.crs)
    dids = demand["did"].to_numpy()
    rows = np.array([r.candidate for r in ranked], dtype=np.int64)
    return PlanResult(sites_gdf, gains, coverage, unreached, cand_layer, solution, model, cats,
                      newly, tuple(dict.fromkeys([*m.warnings, *warnings])),
                      {c: dids[new_by_cat[c]] for c in cats},
                      {mode: s.take(rows) for mode, s in m.candidate_snaps.items()})




def plan(
    network_by_mode: Mapping[str, Network],
    demand: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame | None,
    facilities: gpd.GeoDataFrame | None,
    profile: Profile,
    *,
    categories: Sequence[str] | str,
    communities: pd.DataFrame | None = None,
    times: pd.DataFrame | None = None,
    travel_times: TravelTimes | None = None,
    model: str = "mclp",
    sites: int | None = None,
    budget: float | None = None,
    full_coverage: bool = False,
    time_limit_s: float = 60.0,
    max_snap_m: float = 500.0,
    generate: bool | None = None,
    candidate_spacing_m: float | None = None,
    min_distance_m: float | None = None,
    near_m: float | None = None,
    max_candidates: int = 5000,
    capacity: float | None = None,
    load: str | None = None,
    pmedian_cutoff: float = 2.0,
    lang: str = "zh",
    geography: Geography | None = None,
    network_near: NetworkNear | None = None,
) -> PlanResult:
    """Propose sites for new facilities of ``categories``.

    Parameters
    ----------
    network_by_mode
        Mode key -> :class:`~lifecircle.accessibility.network.Network`, for the mode of
        every circle the demand uses (``walk`` and ``ebike`` in ``maanshan-2025``).
    demand
        Demand points (working CRS): ``did``, ``cid``, ``population``; optional ``kind``
        (else from ``communities``) and ``t_<key>`` minutes to the nearest existing facility
        of each category (NaN = unreachable; else from ``times``, else computed from
        ``facilities``).
    candidates
        The candidates layer (canonical columns; ``None`` or empty for none).
    facilities
        Facilities (canonical columns): used for the existing coverage when no times are
        given, and kept ``min_distance_m`` away from generated candidates.
    profile
        Standards profile (circles, modes, categories).
    categories
        Category keys to plan; several = joint siting (one facility hosts all of them).
    communities
        Communities with ``cid``, ``kind`` and ``name`` (for each point's circle and for
        naming the communities that gain).
    times
        Optional table indexed by ``did`` with one column of minutes per category, used
        before ``t_<key>`` columns and the travel-time step's minutes.
    travel_times
        The travel-time step's result for these demand points (same rows, same order), as
        the pipeline made it: its snaps of demand, facilities and layer candidates and its
        minutes are reused, nothing is snapped twice. None: made here from
        ``network_by_mode``.
    model
        ``"mclp"`` (maximal covering: ``sites`` new sites and/or ``budget``),
        ``"setcover"`` (fewest sites reaching everybody some candidate can reach) or
        ``"pmedian"`` (``sites`` new sites, least population-weighted travel time).
    sites
        Number of new sites (``mclp``, ``pmedian``).
    budget
        Most total candidate ``cost`` (``mclp``).
    full_coverage
        Shortcut for ``model="setcover"``.
    time_limit_s
        Solver time limit.
    max_snap_m
        Largest access leg from a point to the road.
    generate
        Generate candidates along the roads near uncovered demand; ``None`` = only when the
        candidates layer is missing or empty.
    candidate_spacing_m
        Spacing of generated candidates (widened, with a warning, until at most
        ``max_candidates`` candidates remain); None = a quarter of each circle's straight
        reach at the planned categories' shortest level (250 m for a 15-minute walk at
        4 km/h, 83 m for GB 50180's 5-minute level), so a short circle gets close sites.
    min_distance_m
        Least straight distance of a generated candidate from a facility (existing or
        planned) of a planned category (default: the spacing).
    near_m
        Generated candidates lie within this straight distance of uncovered demand
        (default: half the straight-line reach of the point's circle at its mode's speed,
        at the planned categories' shortest level).
    max_candidates
        Most candidates in total (layer + generated).
    capacity
        Capacity of each new site in units of ``load`` (candidates with their own finite
        ``capacity`` keep it); turns maximal covering into its capacitated variant.
    load
        Demand column counted against capacity (default ``population``), e.g. elderly.
    pmedian_cutoff
        p-median: travel times are searched up to this many times the category's limit
        (its level in the circle, :meth:`Profile.limit`);
        demand farther from every open site is charged that cutoff.
    lang
        Language of the warnings (``zh`` or ``en``).
    geography
        The candidates x demand geography computed elsewhere (a Dask cluster,
        :class:`lifecircle.distributed.ClusterGeography`); see :func:`matrices`.
    network_near
        With ``geography``: where generated candidates are laid out (:data:`NetworkNear`).

    Returns
    -------
    PlanResult
        Ranked proposed sites, per-category gains, coverage before/after, unreached
        demand with reasons, the candidates considered and the solver's solution.

    Raises
    ------
    InputError
        Unknown category or model, missing columns, no network for a circle's mode, no
        ``sites`` for a model that needs it.
    SolverError
        HiGHS failed (its status in the message).
    """
    model = "setcover" if full_coverage else model
    _check_model(model, sites, budget)
    if travel_times is None:
        for col in ("did", "cid", "population"):
            if col not in demand.columns:
                raise notice(InputError, "err.plan.demand_column", col=col)
        _check_categories(categories, profile)
        travel_times = compute_travel_times(
            network_by_mode, demand.reset_index(drop=True), facilities, profile,
            circle=circle_of_points(demand, communities, profile), candidates=candidates,
            max_snap_m=max_snap_m)
    m = matrices(travel_times, demand, candidates, facilities, profile, categories=categories,
                 communities=communities, times=times, max_snap_m=max_snap_m,
                 generate=generate, candidate_spacing_m=candidate_spacing_m,
                 min_distance_m=min_distance_m, near_m=near_m, max_candidates=max_candidates,
                 capacity=capacity, load=load,
                 search_factor=pmedian_cutoff if model == "pmedian" else 1.0, lang=lang,
                 geography=geography, network_near=network_near)
    problem, solution, warnings = solve(m, model=model, sites=sites, budget=budget,
                                        time_limit_s=time_limit_s, lang=lang)
    return describe(m, problem, solution, profile, model=model, communities=communities,
                    lang=lang, warnings=warnings)


def _check_model(model: str, sites: int | None, budget: float | None) -> None:
    if model not in MODELS:
        raise notice(InputError, "err.plan.unknown_model", value=model,
                     known=items(MODELS))
    if model == "pmedian" and sites is None:
        raise notice(InputError, "err.plan.pmedian_sites")
    if model == "mclp" and sites is None and budget is None:
        raise notice(InputError, "err.plan.mclp_sites")
    if sites is not None and sites < 1:
        raise notice(InputError, "err.plan.sites", value=sites)


# ----------------------------------------------------------------------------- pieces
def _concat(a: Snapped, b: Snapped) -> Snapped:
    """The points of ``a`` then those of ``b``."""
    from lifecircle.accessibility.snap import concat

    return concat((a, b))


def _generated(network_near: NetworkNear, demand: gpd.GeoDataFrame,
               facilities: gpd.GeoDataFrame | None, profile: Profile, cats: tuple[str, ...],
               circle_of: NDArray[np.object_], eligible: Mapping[str, NDArray[np.bool_]],
               existing: Mapping[str, NDArray[np.bool_]], used_circles: list[str], *,
               spacing: float | None, min_distance_m: float | None, near_m: float | None,
               room: int, warnings: list[str], lang: str,
               names: Mapping[str, str] | None = None) -> gpd.GeoDataFrame:
    """Candidates along the roads near demand not yet covered for a planned category.

    Each is named after the community of the nearest demand point (``新选址 G12·桃园社区``),
    so staff can place it without a map. The points of a circle are laid out on
    ``network_near(mode, uncovered points, near + one cell diagonal)``: a generated point
    is kept only within ``near`` of an uncovered point and as the point of its grid cell
    nearest the cell's centre, so only edges within that radius decide the result.
    """
    uncovered = np.zeros(len(demand), dtype=bool)
    for cat in cats:
        uncovered |= eligible[cat] & ~existing[cat]
    xy = np.column_stack([demand.geometry.x.to_numpy(), demand.geometry.y.to_numpy()])
    avoid = None
    if facilities is not None and len(facilities) and "category" in facilities.columns:
        fac = facilities[np.isin(facilities["category"].astype(object).to_numpy(), cats)]
        avoid = fac.geometry if len(fac) else None
    if room == 0 or not uncovered.any():
        return cand_mod.empty_frame(demand.crs)

    def reach_of(ckey: str) -> float:
        # the straight reach at the shortest planned level in the circle (a 5-minute
        # kindergarten is sited for 5 minutes, not the circle's 15)
        level = min(profile.limit(ckey, c) for c in cats)
        return profile.reach_m(ckey) * level / profile.circles[ckey].minutes

    def spacing_of(ckey: str, scale: float = 1.0) -> float:
        base = reach_of(ckey) / 4.0 if spacing is None else spacing
        return base * scale

    def build(scale: float, min_distance: float | None = None) -> gpd.GeoDataFrame:
        parts = []
        thin_m = np.inf
        for ckey in used_circles:
            mask = uncovered & (circle_of == ckey)
            if not mask.any():
                continue
            step = spacing_of(ckey, scale)
            thin_m = min(thin_m, step)
            min_d = (spacing_of(ckey) if min_distance_m is None else min_distance_m) \
                if min_distance is None else min_distance
            near = reach_of(ckey) / 2.0 if near_m is None else near_m
            # every point of a cell holding a point within `near` lies within
            # near + the cell's diagonal (1 m to spare for rounding)
            net = network_near(profile.circles[ckey].mode, xy[mask],
                               near + step * math.sqrt(2.0) + 1.0)
            parts.append(cand_mod.generate(net, spacing_m=step, near=xy[mask], near_m=near,
                                           avoid=avoid, min_distance_m=min_d))
        if not parts:
            return cand_mod.empty_frame(demand.crs)
        gen = pd.concat(parts, ignore_index=True)
        return gen.iloc[cand_mod.thin(shapely_xy(gen), thin_m)].reset_index(drop=True)

    scale = 1.0
    gen = build(scale)
    while len(gen) > room:
        scale *= 1.5
        gen = build(scale)
    if scale > 1.0:
        first = spacing_of(used_circles[0])
        warnings.append(Note("warn.plan.spacing_widened", first=first, wide=first * scale,
                             room=room))
    if len(gen) == 0:
        warnings.append(_why_none(build, uncovered, demand, circle_of, used_circles,
                                  spacing_of, reach_of, near_m, min_distance_m, cats))
    ids = np.array([f"G{i + 1}" for i in range(len(gen))], dtype=object)
    gen["cand_id"] = ids
    label = t("plan.new_site", lang)
    where = [""] * len(gen)
    if names and len(gen) and "cid" in demand.columns:
        from scipy.spatial import cKDTree

        _, near = cKDTree(xy).query(shapely_xy(gen))
        cids = demand["cid"].astype(str).to_numpy()[near]
        where = [names.get(c, "") for c in cids]
    gen["name"] = [f"{label} {i}" + (f"·{w}" if w else "") for i, w in zip(ids, where,
                                                                             strict=True)]
    return gpd.GeoDataFrame(gen, geometry="geometry", crs=gen.crs)


def _why_none(build: Any, uncovered: NDArray[np.bool_], demand: gpd.GeoDataFrame,
              circle_of: NDArray[np.object_], used_circles: list[str], spacing_of: Any,
              reach_of: Any, near_m: float | None, min_distance_m: float | None,
              cats: tuple[str, ...]) -> Note:
    """Why candidate generation found no site: the numbers that ruled every road out."""
    pop = float(pd.to_numeric(demand["population"], errors="coerce").fillna(0)
                .to_numpy()[uncovered].sum()) if "population" in demand.columns else 0.0
    ckey = next((c for c in used_circles if (uncovered & (circle_of == c)).any()),
                used_circles[0])
    step, reach = spacing_of(ckey), reach_of(ckey)
    near = reach / 2.0 if near_m is None else near_m
    min_d = step if min_distance_m is None else min_distance_m
    without_gap = len(build(1.0, 0.0))
    if without_gap:
        cause = Note("warn.plan.none_near_sites", n=without_gap, m=min_d, what="/".join(cats))
        fix = Note("hint.plan.spacing")
    else:
        cause = Note("warn.plan.none_no_road", near=near)
        fix = Note("hint.plan.roads")
    return Note("warn.plan.none_generated", pop=pop, step=step, near=near, reach=reach,
                cause=cause, fix=fix)


def shapely_xy(gdf: gpd.GeoDataFrame) -> NDArray[np.float64]:
    """(n, 2) coordinates of a point GeoDataFrame."""
    return np.column_stack([gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()])


def _community_names(communities: pd.DataFrame | None) -> dict[str, str]:
    """cid -> community name (empty without a communities table)."""
    if communities is not None and "name" in communities.columns and "cid" in communities:
        return dict(zip(communities["cid"].astype(str), communities["name"].astype(str),
                        strict=True))
    return {}


def _site_tables(ranked: Sequence[RankedSite], cand: gpd.GeoDataFrame,
                 demand: gpd.GeoDataFrame, communities: pd.DataFrame | None,
                 pop: NDArray[np.float64], col_dem: NDArray[np.int64],
                 col_cat: NDArray[np.int64], cats: tuple[str, ...],
                 nearest_road: NDArray[np.float64]
                 ) -> tuple[gpd.GeoDataFrame, pd.DataFrame, dict[str, NDArray],
                            dict[str, NDArray[np.bool_]]]:
    """The proposed_sites layer, per-category gains, newly covered dids, and per category
    the demand points newly covered."""
    names = _community_names(communities)
    cids = demand["cid"].astype(str).to_numpy()
    dids = demand["did"].to_numpy()
    rows, gains = [], []
    newly: dict[str, NDArray] = {}
    new_by_cat = {c: np.zeros(len(demand), dtype=bool) for c in cats}
    geoms = []
    for r in ranked:
        cols = r.newly_covered
        dem = col_dem[cols]
        for k, c in enumerate(cats):
            pts = dem[col_cat[cols] == k]
            new_by_cat[c][pts] = True
            gains.append({"rank": r.rank, "cand_id": cand["cand_id"].iloc[r.candidate],
                          "category": c, "new_population": float(pop[pts].sum()),
                          "points": int(pts.size)})
        uniq = np.unique(dem)
        by_comm = (pd.Series(pop[uniq], index=cids[uniq]).groupby(level=0).sum()
                   .sort_values(ascending=False, kind="stable"))
        comm_text = CELL_SEP.join(f"{names[c]} ({c})" if c in names else c
                                  for c in by_comm.index)
        row = cand.iloc[r.candidate]
        newly[str(row["cand_id"])] = dids[uniq]
        rows.append({"rank": r.rank, "cand_id": str(row["cand_id"]), "name": str(row["name"]),
                     "categories": ",".join(cats), "new_population": float(pop[uniq].sum()),
                     "communities": comm_text, "is_idle_asset": bool(row["is_idle_asset"]),
                     "nearest_road_m": float(nearest_road[r.candidate])})
        geoms.append(row.geometry)
    frame = pd.DataFrame(rows, columns=list(SITE_COLUMNS))
    frame = frame.astype({"rank": np.int64, "new_population": float, "is_idle_asset": bool,
                          "nearest_road_m": float})
    sites = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=cand.crs).values,
                             crs=cand.crs)
    gains_df = pd.DataFrame(gains, columns=["rank", "cand_id", "category", "new_population",
                                            "points"])
    return sites, gains_df, newly, new_by_cat


def _coverage_table(cats: tuple[str, ...], profile: Profile,
                    eligible: Mapping[str, NDArray[np.bool_]],
                    existing: Mapping[str, NDArray[np.bool_]],
                    new_by_cat: Mapping[str, NDArray[np.bool_]], pop: NDArray[np.float64],
                    lang: str) -> pd.DataFrame:
    rows = []
    for c in cats:
        el = eligible[c]
        total = float(pop[el].sum())
        before = float(pop[el & existing[c]].sum())
        after_mask = el & (existing[c] | new_by_cat[c])
        after = float(pop[after_mask].sum())
        rows.append({"category": c, "category_name": profile.categories[c].name(lang),
                     "population": total, "covered_before": before,
                     "share_before": before / total if total > 0 else math.nan,
                     "covered_after": after,
                     "share_after": after / total if total > 0 else math.nan,
                     "new_population": after - before})
    return pd.DataFrame(rows, columns=["category", "category_name", "population",
                                       "covered_before", "share_before", "covered_after",
                                       "share_after", "new_population"])


def _unreached(problem: CoverageProblem, col_dem: NDArray[np.int64],
               col_cat: NDArray[np.int64], cats: tuple[str, ...], demand: gpd.GeoDataFrame,
               pop: NDArray[np.float64], off_network: NDArray[np.bool_],
               dem_component: NDArray[np.int64], circle_of: NDArray[np.object_],
               cand_pieces: Mapping[str, frozenset[int]], profile: Profile
               ) -> gpd.GeoDataFrame:
    cols = np.flatnonzero(~problem.existing & ~problem.reachable())  # type: ignore[operator]
    dem = col_dem[cols]
    reasons = []
    for i in dem:
        if off_network[i]:
            reasons.append(REASONS[2])
            continue
        mode = profile.circles[circle_of[i]].mode
        piece = int(dem_component[i])
        if piece != 0 and piece not in cand_pieces.get(mode, frozenset()):
            reasons.append(REASONS[1])
        else:
            reasons.append(REASONS[0])
    frame = pd.DataFrame({
        "did": demand["did"].to_numpy()[dem], "cid": demand["cid"].to_numpy()[dem],
        "category": np.asarray(cats, dtype=object)[col_cat[cols]] if len(cols) else
        np.zeros(0, dtype=object),
        "population": pop[dem], "reason": np.asarray(reasons, dtype=object)})
    return gpd.GeoDataFrame(frame, geometry=demand.geometry.values[dem], crs=demand.crs)
