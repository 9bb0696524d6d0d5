"""The one orchestrator: project -> layers -> network -> coverage -> plan -> outputs.

Nothing here prints: progress goes through the ``progress`` callback, results come back as
a :class:`RunSummary` the CLI renders.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from lifecircle import i18n
from lifecircle import project as project_mod
from lifecircle.errors import InputError, Note, notice, raise_problems
from lifecircle.profile import Circle, Profile
from lifecircle.project import PlannerOptions, Project

if TYPE_CHECKING:
    import geopandas as gpd
    from distributed import Client
    from numpy.typing import NDArray

    from lifecircle.accessibility.assess import Assessment
    from lifecircle.accessibility.coverage import Coverage
    from lifecircle.accessibility.demand import Demand
    from lifecircle.accessibility.network import Network
    from lifecircle.accessibility.snap import Snapped
    from lifecircle.accessibility.times import TravelTimes
    from lifecircle.distributed import ClusterTimes
    from lifecircle.layers.loader import Layers
    from lifecircle.parallel import Pending
    from lifecircle.planner.plan import Geography, PlanResult

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything computed for one project (the result layers of docs/contracts.md).

    Frozen: planning makes a new one (:func:`plan_analysis`).
    """

    project: Project
    layers: Layers
    demand: Demand
    travel_times: TravelTimes
    coverage: Coverage
    gaps: gpd.GeoDataFrame
    scorecard: pd.DataFrame
    plan: PlanResult | None = None
    warnings: tuple[str, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)
    #: On a Dask cluster (:mod:`lifecircle.distributed`): the merged partition results
    #: (facility snaps, service areas, rasters, partition sizes). ``travel_times`` then
    #: holds the minutes but no networks or snaps (they stayed on the workers).
    cluster: ClusterTimes | None = None
    #: supply and load, target groups, equity, scenarios (accessibility.assess)
    assessment: Assessment | None = None

    @property
    def networks(self) -> dict[str, Network]:
        """Mode key -> road network (from :attr:`travel_times`)."""
        return self.travel_times.networks

    @property
    def times(self) -> pd.DataFrame:
        """Minutes per demand point (index ``did``) for every category a circle requires."""
        return self.travel_times.minutes[list(self.coverage.categories)]

    @property
    def facility_snaps(self) -> dict[tuple[str, str], Snapped]:
        """(mode, category) -> the open facilities of the category on the mode's network,
        for every category a circle with residents requires (views of the one snap)."""
        return _facility_snaps(self.project.profile, self.travel_times)


def _facility_snaps(profile: Profile, tt: TravelTimes) -> dict[tuple[str, str], Snapped]:
    """:attr:`Analysis.facility_snaps` from the travel times alone."""
    out: dict[tuple[str, str], Snapped] = {}
    for ckey, circle in profile.circles.items():
        if not np.any(tt.circle == ckey):
            continue
        for cat in profile.required(ckey):
            if (circle.mode, cat) not in out:
                out[(circle.mode, cat)] = tt.facilities(circle.mode, cat)
    return out


@dataclass(frozen=True)
class CategoryCoverage:
    """One row of the run summary's table: a category's coverage, urban and rural.

    Shares are population-weighted (0..1); NaN where no community of that kind requires
    the category.
    """

    key: str
    name_zh: str
    name_en: str
    urban: float
    rural: float
    urban_uncovered: float
    rural_uncovered: float

    def name(self, lang: str = "zh") -> str:
        """Category name in ``lang`` (``zh`` or ``en``)."""
        return i18n.choose((self.name_zh, self.name_en), lang)


@dataclass(frozen=True)
class ProposedSite:
    """One proposed site as the run summary lists it."""

    rank: int
    name: str
    is_idle_asset: bool
    new_population: float


@dataclass(frozen=True)
class RunSummary:
    """What the CLI prints after a run (frozen; built by :func:`run`)."""

    project_name: str
    out: Path | None
    rows: tuple[CategoryCoverage, ...]
    n_communities: int
    population: float
    cov_all_urban: float
    cov_all_rural: float
    proposed: tuple[ProposedSite, ...]
    warnings: tuple[str, ...]
    seconds: float
    files: tuple[str, ...]

    def headline(self, lang: str) -> list[str]:
        """Lines above the table."""
        return [i18n.t("run.headline", lang, project=self.project_name,
                       n=self.n_communities, pop=f"{self.population:,.0f}"),
                i18n.t("run.cov_all", lang, urban=_pct(self.cov_all_urban),
                       rural=_pct(self.cov_all_rural))]

    def table_rows(self, lang: str) -> list[list[str]]:
        """Coverage per category for urban and rural communities."""
        out = [[i18n.t(f"run.col.{c}", lang) for c in
                ("category", "urban", "rural", "urban_uncovered", "rural_uncovered")]]
        for r in self.rows:
            out.append([r.name(lang), _pct(r.urban),
                        _pct(r.rural), _num(r.urban_uncovered), _num(r.rural_uncovered)])
        return out

    def footer(self, lang: str) -> list[str]:
        """Lines below the table: proposed sites, files, warnings (in ``lang``)."""
        lines: list[str] = []
        for s in self.proposed:
            idle = i18n.t("run.idle", lang) if s.is_idle_asset else ""
            lines.append("  " + i18n.t("run.site", lang, rank=s.rank, name=s.name,
                                       idle=idle, pop=f"{s.new_population:,.0f}"))
        if lines:
            lines.insert(0, i18n.t("run.sites", lang))
        if self.warnings:
            lines.append(i18n.t("run.warnings", lang, n=len(self.warnings)))
            shown = 10
            lines.extend(f"  - {i18n.render(w, lang)}" for w in self.warnings[:shown])
            if len(self.warnings) > shown:
                lines.append("  " + i18n.t("run.more_warnings", lang,
                                           n=len(self.warnings) - shown))
        if self.out is not None:
            lines.append(i18n.t("run.written", lang, out=self.out))
            for f in self.files:
                lines.append(f"  {self.out / f}")
            for f, key in (("map.html", "run.map"), ("report.html", "run.report")):
                if f in self.files:
                    uri = (self.out / f).resolve().as_uri()
                    lines.append(i18n.t(key, lang, uri=uri))
        lines.append(i18n.t("run.took", lang, s=f"{self.seconds:.1f}"))
        return lines


def _pct(x: float) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def _num(x: float) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.0f}"


# ---------------------------------------------------------------------------- analysis
def analyse(project: Project, progress: Progress = _quiet, *, cluster: Client | None = None,
            partition_by: str = "district", areas: bool = False, rasters: bool = False,
            on_facilities: Callable[[Layers, TravelTimes], object] | None = None
            ) -> Analysis:
    """Load the layers, build the networks and check every circle.

    Parameters
    ----------
    project
        A loaded project (:func:`lifecircle.project.load`).
    progress
        Called with a short message at the start of each step.
    cluster
        A ``distributed.Client``: the networks are built and searched partition by
        partition on its workers (:mod:`lifecircle.distributed`, docs/distributed.md), with
        the same results.
    partition_by
        With ``cluster``: partition the communities by ``district`` or ``township``.
    areas, rasters
        With ``cluster``: also draw the service areas / time the travel-time raster cells
        there (needed to write them).
    on_facilities
        Without ``cluster``: called with the layers and the travel times of the facilities
        alone (networks, circles and facility snaps; no demand points or minutes yet) as
        soon as the facilities are snapped (:func:`run` starts the display-only drawing
        there, :func:`start_display`, so that it runs beside the rest of the analysis).

    Returns
    -------
    Analysis
        Layers, demand, travel times (snaps per mode and minutes per demand point and
        category), coverage, gaps and the Table-1 scorecard.
    """
    from lifecircle import layers as layers_mod

    t0 = time.perf_counter()
    progress(i18n.t("progress.layers", project.lang))
    layers = layers_mod.load(project)
    load_s = time.perf_counter() - t0
    analysis = analyse_layers(project, layers, progress, cluster=cluster,
                              partition_by=partition_by, areas=areas, rasters=rasters,
                              on_facilities=on_facilities)
    return replace(analysis, timings={"load": load_s, **analysis.timings})


def analyse_layers(project: Project, layers: Layers, progress: Progress = _quiet, *,
                   cluster: Client | None = None, partition_by: str = "district",
                   areas: bool = False, rasters: bool = False,
                   on_facilities: Callable[[Layers, TravelTimes], object] | None = None
                   ) -> Analysis:
    """:func:`analyse` on layers already loaded (files or GeoDataFrames in memory)."""
    from lifecircle.accessibility import network as network_mod
    from lifecircle.accessibility.coverage import compute_coverage
    from lifecircle.accessibility.demand import build_demand
    from lifecircle.accessibility.gaps import find_gaps
    from lifecircle.accessibility.scorecard import scorecard
    from lifecircle.accessibility.times import (
        TravelTimes,
        circle_of_points,
        snap_modes,
        travel_times,
        unreachable,
    )

    profile = project.profile
    timings: dict[str, float] = {}
    project_mod.check_extent(project, layers.communities.total_bounds)

    t = time.perf_counter()
    modes = sorted({c.mode for c in profile.circles.values()})
    networks = {}
    if cluster is None:
        progress(i18n.t("progress.networks", project.lang,
                        modes=i18n.listed([_mode_name(profile, m, project.lang)
                                           for m in modes], project.lang)))
        networks = {m: network_mod.build(layers.roads, profile.modes[m],
                                         snap_tolerance_m=project.network.snap_tolerance_m,
                                         node_crossings=project.network.node_crossings)
                    for m in modes}
    for m, net in networks.items():
        if net.n_edges == 0:
            raise _no_road(layers, m)
    timings["network"] = time.perf_counter() - t

    t = time.perf_counter()
    progress(i18n.t("progress.demand", project.lang))
    demand = build_demand(layers.communities, raster_path=layers.population_raster,
                          points=layers.demand_points, roads=layers.roads, crs=layers.crs,
                          cell_m=project.raster_cell_m)
    points = demand.points
    circle = circle_of_points(points, layers.communities, profile)
    timings["demand"] = time.perf_counter() - t

    t = time.perf_counter()
    warnings = list(layers.warnings) + list(demand.warnings)
    merged = None
    if cluster is not None:
        from lifecircle import distributed
        from lifecircle.planner.candidates import from_layer

        cand = (from_layer(layers.candidates) if layers.candidates is not None
                and len(layers.candidates) else None)
        merged = distributed.travel_times(
            cluster, project, layers, points, by=partition_by,
            areas={"trim_m": SERVICE_AREA_TRIM_M, "min_hole_m2": SERVICE_AREA_MIN_HOLE_M2}
            if areas else None, rasters=rasters, candidates=cand, progress=progress)
        for m in modes:
            if f"edges_{m}" in merged.partitions and not merged.partitions[f"edges_{m}"].any():
                raise _no_road(layers, m)
        # Road pieces belong to the whole network, not to a partition: "no path" (against
        # "beyond the searched limit"), residents on cut-off pieces and points or facilities
        # off the roads are judged here, on the whole networks and snaps (made as on one
        # machine, no searches; the equity step needs them anyway), with the same functions
        fac = layers.facilities
        networks = {m: network_mod.build(layers.roads, profile.modes[m],
                                         snap_tolerance_m=project.network.snap_tolerance_m,
                                         node_crossings=project.network.node_crossings)
                    for m in modes}
        judged = TravelTimes(merged.times, circle, snap_modes(
            networks, points, fac, profile, circle=circle,
            max_snap_m=project.network.max_snap_m), fac["category"].astype(object).to_numpy(),
            fac["status"].astype(object).to_numpy() != "planned")
        cats = list(merged.times.columns)
        no_path = pd.DataFrame(unreachable(judged, merged.times.to_numpy(), cats, profile),
                               index=merged.times.index, columns=cats)
        tt = TravelTimes(merged.times, circle, {}, judged.facility_category,
                         judged.facility_open, no_path)
        merged = replace(merged, whole=judged.modes)  # the planner's pieces, too
        _warn_snaps(judged, points, profile, project.network.max_snap_m, warnings)
        _warn_far_facilities(fac, judged, profile, project.network.max_snap_m, warnings)
    else:
        progress(i18n.t("progress.times", project.lang))
        tt = travel_times(networks, points, layers.facilities, profile, circle=circle,
                          candidates=layers.candidates, max_snap_m=project.network.max_snap_m,
                          on_facilities=None if on_facilities is None else
                          lambda snapped: on_facilities(layers, snapped))
        _warn_snaps(tt, points, profile, project.network.max_snap_m, warnings)
        _warn_far_facilities(layers.facilities, tt, profile, project.network.max_snap_m,
                             warnings)
    timings["traveltime"] = time.perf_counter() - t

    t = time.perf_counter()
    progress(i18n.t("progress.coverage", project.lang))
    coverage = compute_coverage(layers.communities, points, tt.minutes_or_nan(), profile)
    warnings.extend(coverage.warnings)
    gaps = find_gaps(coverage, profile, lang=project.lang)
    card = scorecard(layers.communities, layers.facilities, profile, coverage=coverage,
                     lang=project.lang)
    timings["coverage"] = time.perf_counter() - t
    t = time.perf_counter()
    progress(i18n.t("progress.assess", project.lang))
    more = _assess(project, layers, tt if cluster is None else judged, points, coverage)
    warnings.extend(more.warnings)
    whole = (card["scope"] == "all").to_numpy()
    card = pd.concat([card[whole], assess_rows(more, project.lang), card[~whole]],
                     ignore_index=True)
    timings["assess"] = time.perf_counter() - t
    return Analysis(project, layers, demand, tt, coverage, gaps, card, None,
                    tuple(_dedupe(warnings)), timings, merged, assessment=more)


def _no_road(layers: Layers, mode: str) -> InputError:
    return notice(InputError, "err.no_road", path=_roads_path(layers), mode=mode)


def _assess(project: Project, layers: Layers, tt: TravelTimes, points: pd.DataFrame,
            coverage: Coverage) -> Assessment:
    """Supply and load, target groups, equity, the planned scenario (accessibility.assess),
    on the travel-time step's own networks and snaps (on a cluster: the client's whole
    networks and snaps, made exactly as the step makes them, so the results equal a
    single-machine run's)."""
    from lifecircle.accessibility import assess as assess_mod
    from lifecircle.accessibility import network as network_mod

    profile = project.profile
    networks = tt.networks

    def network_for(mode: str) -> Network:
        if mode not in networks:
            networks[mode] = network_mod.build(
                layers.roads, profile.modes[mode],
                snap_tolerance_m=project.network.snap_tolerance_m,
                node_crossings=project.network.node_crossings)
        return networks[mode]

    demand_snaps = _demand_snaps(tt, profile)
    facility_snaps: dict[tuple[str, str], Any] = {}
    for ckey in demand_snaps:
        mode = profile.circles[ckey].mode
        if tt.modes[mode].facilities is not None:
            for cat in profile.required(ckey):
                facility_snaps[(mode, cat)] = tt.facilities(mode, cat)
    cats = list(dict.fromkeys(str(c) for c in tt.facility_category))
    rows = np.concatenate([tt.facility_rows(c) for c in cats]) if cats else np.zeros(0, int)
    return assess_mod.assess(profile, layers.communities, points, tt.minutes[
        list(coverage.categories)], coverage, layers.facilities, networks, network_for,
        demand_snaps, facility_snaps, max_snap_m=project.network.max_snap_m,
        existing=layers.facilities.iloc[rows], planned_snaps=lambda mode, cat:
        tt.modes[mode].facilities.take(np.flatnonzero(  # type: ignore[union-attr]
            ~tt.facility_open & (tt.facility_category == cat))), lang=project.lang)


def assess_rows(more: Assessment, lang: str) -> pd.DataFrame:
    """The equity rows of the scorecard."""
    from lifecircle.accessibility import assess as assess_mod

    return assess_mod.scorecard_rows(more, lang)


def _roads_path(layers: Layers) -> str:
    info = layers.info.get("roads") if layers.info else None
    return str(info.path) if info is not None else "roads"


def _warn_snaps(tt: TravelTimes, points: pd.DataFrame, profile: Profile, max_snap: float,
                warnings: list[str]) -> None:
    """Per circle: demand points too far from a road, residents on cut-off road pieces."""
    population = points["population"].to_numpy()
    for ckey, circle in profile.circles.items():
        ms = tt.modes[circle.mode]
        mine = tt.circle[ms.demand_index] == ckey
        if not mine.any():
            continue
        dsnap = ms.demand.take(mine)
        pop = population[ms.demand_index[mine]]
        n_far = int(dsnap.too_far.sum())
        if n_far:
            pop_far = float(pop[dsnap.too_far].sum())
            warnings.append(Note("warn.demand_far", circle=(circle.name_zh, circle.name_en),
                                 n=n_far, m=f"{max_snap:g}", pop=f"{pop_far:,.0f}"))
        _warn_pieces(ms.network, dsnap, pop, circle, _mode_pair(profile, circle.mode), warnings)


def _warn_pieces(net: Network, dsnap: Snapped, population: NDArray[np.float64],
                 circle: Circle, mode: tuple[str, str], warnings: list[str]) -> None:
    """Warn when residents live by roads cut off from the largest piece of the network."""
    from lifecircle.accessibility.network import components

    pieces = components(net, dsnap, population)
    if len(pieces) < 2:
        return
    stranded = float(pieces.loc[~pieces["main"], "population"].sum())
    if stranded <= 0:
        return
    n_with = int(((~pieces["main"]) & (pieces["population"] > 0)).sum())
    warnings.append(Note("warn.pieces", circle=(circle.name_zh, circle.name_en), mode=mode,
                         pieces=len(pieces), pop=f"{stranded:,.0f}", n=n_with))


def _warn_far_facilities(facilities: pd.DataFrame, tt: TravelTimes, profile: Profile,
                         max_snap: float, warnings: list[str]) -> None:
    """Open facilities of a required category too far from their circle's road network."""
    seen: set[str] = set()
    done: set[tuple[str, str]] = set()
    for ckey, circle in profile.circles.items():
        if not np.any(tt.circle == ckey):
            continue
        for cat in profile.required(ckey):
            if (circle.mode, cat) in done:
                continue
            done.add((circle.mode, cat))
            rows = tt.facility_rows(cat)
            far = tt.facilities(circle.mode, cat).too_far
            for fid, name, is_far in zip(facilities["fid"].to_numpy()[rows],
                                         facilities["name"].to_numpy()[rows], far, strict=True):
                if is_far and fid not in seen:
                    seen.add(fid)
                    warnings.append(Note("warn.facility_far", fid=fid, name=name,
                                         m=f"{max_snap:g}",
                                         mode=_mode_pair(profile, circle.mode)))


def _mode_pair(profile: Profile, mode: str) -> tuple[str, str]:
    m = profile.modes.get(mode)
    return (m.name_zh, m.name_en) if m is not None else (mode, mode)


def _mode_name(profile: Profile, mode: str, lang: str) -> str:
    return i18n.choose(_mode_pair(profile, mode), lang)


def _dedupe(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


# ---------------------------------------------------------------------------- planning
#: How a planner option is named in an error about a command-line value.
CLI_FLAGS = {"categories": "--category", "model": "--model", "sites": "--sites",
             "capacity": "--capacity", "load": "--load", "time_limit_s": "--time-limit",
             "full_coverage": "--full-coverage", "generate_candidates": "--generate"}


def planner_options(project: Project, *, categories: Sequence[str] | None = None,
                    model: str | None = None, sites: int | None = None,
                    full_coverage: bool = False, time_limit_s: float | None = None,
                    generate: bool | None = None, capacity: float | None = None,
                    load: str | None = None) -> PlannerOptions:
    """The project's ``[planner]`` options with the given ones in place, validated.

    Called before any analysis starts, so a bad ``--category`` fails at once.

    Raises
    ------
    InputError
        Every problem at once, each naming the command-line flag and the fix.
    """
    if categories:  # Chinese names and aliases name a category as well as its key
        categories = [project.profile.match_category(c) or c for c in categories]
    opts = project.planner.override(categories=categories, model=model, sites=sites,
                                    full_coverage=full_coverage, time_limit_s=time_limit_s,
                                    generate=generate, capacity=capacity, load=load)
    raise_problems(opts.problems(project.profile, lambda k: CLI_FLAGS.get(k, k)), InputError,
                   what="planner options")
    return opts


def plan_sites(analysis: Analysis, progress: Progress = _quiet, *,
               options: PlannerOptions | None = None, **overrides: Any) -> PlanResult:
    """Propose sites for new facilities where the circles have gaps (see :mod:`planner`).

    ``options``: validated planner options (:func:`planner_options`); else the project's
    ``[planner]`` section with ``overrides`` (``categories model sites full_coverage
    time_limit_s generate capacity load``; None keeps the project's value).
    ``analysis`` is not changed; :func:`plan_analysis` gives the analysis with the plan.
    """
    result = plan_analysis(analysis, progress, options=options, **overrides).plan
    assert result is not None
    return result


def plan_analysis(analysis: Analysis, progress: Progress = _quiet, *,
                  options: PlannerOptions | None = None, geography: Geography | None = None,
                  **overrides: Any) -> Analysis:
    """:func:`plan_sites`, returning a new :class:`Analysis` that holds the plan (its
    warnings added, its time in ``timings["plan"]``). ``geography``: the candidates x
    demand geography from a cluster (:class:`lifecircle.distributed.ClusterGeography`),
    needed when the analysis ran on one."""
    from lifecircle.planner.plan import plan

    project = analysis.project
    opts = options if options is not None else planner_options(project, **overrides)
    cats = opts.categories
    chosen = opts.model
    n_sites = opts.sites
    full = opts.full_coverage
    cap = opts.capacity
    load_col = opts.load
    time_limit_s = opts.time_limit_s
    lang = project.lang
    names = i18n.listed([project.profile.categories[c].name(lang) for c in cats], lang)
    progress(i18n.t("progress.plan", lang, model=i18n.t(f"plan.model.{chosen}", lang),
                    names=names))
    t = time.perf_counter()
    network_near = None
    if analysis.cluster is not None:  # generated candidates: laid out here, exactly
        from lifecircle import distributed

        network_near = distributed.network_near(project, analysis.layers.roads)
    demand = analysis.demand.points
    if cap is not None and load_col == "elderly":
        comm = analysis.layers.communities.set_index("cid")
        share = (comm["elderly"] / comm["population"]).replace([np.inf, -np.inf], np.nan)
        if share.isna().all():
            raise notice(InputError, "err.plan.no_elderly")
        demand = demand.assign(elderly=demand["population"]
                               * demand["cid"].map(share).fillna(share.mean()))
    result = plan(analysis.networks, demand, analysis.layers.candidates,
                  analysis.layers.facilities, project.profile, categories=cats,
                  communities=analysis.layers.communities, travel_times=analysis.travel_times,
                  model=chosen,
                  sites=n_sites, full_coverage=full,
                  time_limit_s=time_limit_s, max_snap_m=project.network.max_snap_m,
                  candidate_spacing_m=opts.candidate_spacing_m,
                  generate=opts.generate_candidates,
                  capacity=cap, load=load_col if cap is not None else None,
                  lang=project.lang, geography=geography, network_near=network_near)
    assessment = analysis.assessment
    if assessment is not None:
        from lifecircle.accessibility import assess as assess_mod

        cand = analysis.layers.candidates
        own: dict[str, float] = {}
        if cand is not None and len(cand) and "capacity" in cand.columns:
            vals = pd.to_numeric(cand["capacity"], errors="coerce")
            own = {str(k): float(v) for k, v in zip(cand["cand_id"], vals, strict=True)
                   if np.isfinite(v)}
        assessment = assess_mod.with_proposed(
            assessment, project.profile, analysis.layers.communities, analysis.demand.points,
            analysis.times, analysis.layers.facilities, result.sites,
            result.newly_covered_by_category, analysis.travel_times.circle,
            site_capacity=own, planner_capacity=cap, site_snaps=result.site_snaps,
            lang=project.lang)
    return replace(analysis, plan=result, assessment=assessment,
                   warnings=tuple(_dedupe([*analysis.warnings, *result.warnings])),
                   timings={**analysis.timings, "plan": time.perf_counter() - t})


# ---------------------------------------------------------------------------- outputs
#: Service areas: the reachable road widened by this much (how far off the road counts).
SERVICE_AREA_TRIM_M = 50.0
#: Holes of service areas smaller than this are filled (the blocks between reached
#: streets, about two city blocks; the map fills the same).
SERVICE_AREA_MIN_HOLE_M2 = 40_000.0


def result_layers(analysis: Analysis, progress: Progress = _quiet, *,
                  service_areas: bool = True, jobs: int | None = None,
                  display: Display | None = None) -> dict[str, pd.DataFrame | None]:
    """The result layers of docs/contracts.md, ready for the GeoPackage, map and report.

    ``service_areas=False`` leaves out the service-area polygons (display only, and the
    costliest layer to draw): ``service_areas`` is then None. ``jobs``: worker processes
    drawing them (None: every core). ``display``: the drawing already started by
    :func:`start_display` (the service areas are then taken from it).
    """
    project = analysis.project
    profile = project.profile
    lang = project.lang
    layers = analysis.layers
    cov = analysis.coverage

    fac = layers.facilities.copy()
    fac["category_name"] = fac["category"].map(lambda k: profile.categories[k].name(lang))
    first_mode = profile.circles["urban"].mode if "urban" in profile.circles else sorted(
        {c.mode for c in profile.circles.values()})[0]
    if analysis.cluster is not None:
        fac["snapped"] = analysis.cluster.facility_roads["snapped"].to_numpy(dtype=bool)
        fac["access_m"] = analysis.cluster.facility_roads["access_m"].to_numpy(dtype=float)
    else:
        s = analysis.travel_times.modes[first_mode].facilities  # None: no facilities
        fac["snapped"] = s.snapped if s is not None else np.zeros(len(fac), bool)
        fac["access_m"] = s.access_m if s is not None else np.zeros(len(fac))
    fac = fac[["fid", "name", "category", "category_name", "status", "snapped", "access_m",
               "geometry"]]

    service = _service_areas(analysis, progress, jobs, display) if service_areas else None
    out: dict[str, pd.DataFrame | None] = {
        "communities": cov.communities,
        "facilities": fac,
        "demand": cov.demand,
        "service_areas": service,
        "gaps": analysis.gaps,
        "summary_district": cov.summary_district,
        "summary_township": cov.summary_township,
        "scorecard": analysis.scorecard,
    }
    if analysis.assessment is not None:
        from lifecircle.accessibility import assess as assess_mod

        assess_mod.result_columns(analysis.assessment, out, analysis.demand.points)
    out["run_info"] = _run_info(analysis)
    if analysis.plan is not None:
        out["candidates"] = analysis.plan.candidates
        out["proposed_sites"] = analysis.plan.sites
        after = coverage_with_sites(analysis)
        if after is not None:
            out["communities_after"] = after
    elif layers.candidates is not None:
        cand = layers.candidates.copy()
        cand["source"] = "layer"
        out["candidates"] = cand[["cand_id", "name", "priority", "is_idle_asset", "source",
                                  "geometry"]]
    roads = layers.roads
    keep = [c for c in ("name", "road_class") if c in roads.columns]
    out["roads"] = roads[[*keep, roads.geometry.name]]
    return out


def coverage_with_sites(analysis: Analysis) -> pd.DataFrame | None:
    """Community coverage with the proposed sites open: ``cid cov_all cov_<key>``.

    The demand points the planner reports as newly covered for a planned category
    (:attr:`PlanResult.newly_covered_by_category`) count as covered for it; coverage is
    recomputed by the same rule as before
    (:func:`~lifecircle.accessibility.coverage.compute_coverage`), so the population the
    table adds is exactly the planner's ``covered_after - covered_before``. Only the shares
    are returned (the newly covered points' minutes are not measured). None without a plan
    or without sites.
    """
    from lifecircle.accessibility.coverage import compute_coverage

    plan = analysis.plan
    if plan is None or len(plan.sites) == 0:
        return None
    minutes = analysis.travel_times.minutes.copy()
    for c, dids in plan.newly_covered_by_category.items():
        if c in minutes.columns and len(dids):
            minutes.loc[np.asarray(dids), c] = 0.0
    cov = compute_coverage(analysis.layers.communities, analysis.demand.points, minutes,
                           analysis.project.profile)
    comm = cov.communities
    cols = ["cid", "cov_all", *[c for c in comm.columns if c.startswith("cov_")
                                and c != "cov_all"]]
    return pd.DataFrame(comm[cols]).reset_index(drop=True)


def _service_areas(analysis: Analysis, progress: Progress, jobs: int | None = None,
                   display: Display | None = None) -> Any:
    """The ``service_areas`` layer: each category's rings per circle, for display.

    Drawn by :func:`start_display` (one task per circle and category, in ``jobs`` worker
    processes); the layer is the same whatever ``jobs`` is.
    """
    import geopandas as gpd

    profile = analysis.project.profile
    lang = analysis.project.lang
    layers = analysis.layers
    if analysis.cluster is not None:
        sa = analysis.cluster.service_areas
        return sa.assign(category_name=sa["category"].map(
            lambda k: profile.categories[k].name(lang)))[
            ["category", "category_name", "circle", "minutes", "mode", "geometry"]]
    progress(i18n.t("progress.areas", lang))
    if display is None or not display.areas:
        with start_display(analysis.project, layers, analysis.travel_times, areas=True,
                           rasters=False, jobs=jobs) as own:
            return _service_areas(analysis, _quiet, jobs, own)
    areas = []
    for (ckey, cat, mode), (minutes, geoms) in zip(display.area_meta, display.area_results(),
                                                    strict=True):
        keep = ~shapely.is_empty(geoms)
        areas.append(pd.DataFrame({
            "category": cat, "category_name": profile.categories[cat].name(lang),
            "circle": ckey, "minutes": minutes[keep], "mode": mode, "geometry": geoms[keep]}))
    if not areas:
        return gpd.GeoDataFrame({"category": [], "category_name": [], "circle": [],
                                 "minutes": [], "mode": []}, geometry=[], crs=layers.crs)
    return gpd.GeoDataFrame(pd.concat(areas, ignore_index=True), geometry="geometry",
                            crs=layers.crs)


@dataclass(frozen=True, eq=False)
class _RasterGrid:
    """The travel-time rasters' grid: every community's circle burnt in (code per circle)."""

    bounds: tuple[float, float, float, float]
    transform: Any
    kind: NDArray[np.uint8]
    codes: Mapping[str, int]


class Display:
    """The display-only drawing of a run, in worker processes: service areas and the cells
    of the travel-time rasters (:func:`start_display`).

    One pool does both: a task per (circle, category) for the service areas and one per
    circle for the rasters (the circle's cells snapped once and timed for each category).
    The results are collected by :func:`result_layers` and :func:`travel_time_rasters`;
    :meth:`close` stops the workers (the pipeline does so on an error or an interrupt).
    """

    def __init__(self, pending: Pending[Any], areas: bool, area_meta: list[tuple[str, str, str]],
                 grid: _RasterGrid | None, raster_meta: list[str]) -> None:
        #: the tasks' results, raster circles first (the larger tasks start first)
        self.pending = pending
        #: whether the service areas are drawn; (circle, category, mode) of each
        self.areas = areas
        self.area_meta = area_meta
        #: whether the raster cells are timed (``grid`` not None); the circle of each
        self.grid = grid
        self.rasters = grid is not None
        self.raster_meta = raster_meta

    def area_results(self) -> list[tuple[NDArray[np.float64], NDArray[np.object_]]]:
        """(minutes, geometries) per entry of :attr:`area_meta`."""
        return self.pending.get()[len(self.raster_meta):]

    def raster_results(self) -> list[dict[str, NDArray[np.float32]]]:
        """Category -> minutes of the circle's cells, per entry of :attr:`raster_meta`."""
        return self.pending.get()[:len(self.raster_meta)]

    def close(self) -> None:
        """Stop the workers; what they have not delivered is lost."""
        self.pending.close()

    def __enter__(self) -> Display:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_display(project: Project, layers: Layers, travel_times: TravelTimes, *,
                  areas: bool = True, rasters: bool = True, jobs: int | None = None
                  ) -> Display:
    """Start drawing the service areas and timing the raster cells in worker processes.

    Everything they need is known once the facilities are snapped (networks, facility
    snaps, the communities' circles), so :func:`run` starts them there, inside the
    travel-time step, and the analysis (demand snapping and searching, coverage, equity,
    planning) goes on beside them.

    Parameters
    ----------
    project, layers, travel_times
        Of the analysis (``travel_times`` may hold the facility snaps alone).
    areas, rasters
        Which of the two to draw.
    jobs
        Worker processes (None: every core); with one, nothing starts now: the tasks run
        in this process when the results are asked for. The results are the same for any
        number.
    """
    from lifecircle.accessibility.coverage import coverage_categories
    from lifecircle.accessibility.isochrones import grid_cell_m
    from lifecircle.parallel import pmap_async

    profile = project.profile
    fsnaps = _facility_snaps(profile, travel_times)
    tasks: list[tuple[Any, ...]] = []
    grid = None
    raster_meta: list[str] = []
    if rasters:
        grid = _raster_grid(project, layers)
        cats = coverage_categories(profile)
        for ckey, code in grid.codes.items():
            circle = profile.circles[ckey]
            required = set(profile.required(ckey))
            timed = [c for c in cats if c in required and (circle.mode, c) in fsnaps]
            if timed and (grid.kind == code).any():
                tasks.append(("raster", code, circle.mode, circle.search_s, timed))
                raster_meta.append(ckey)
    area_meta: list[tuple[str, str, str]] = []
    if areas:
        kinds = set(layers.communities["kind"])
        for ckey, circle in profile.circles.items():
            if ckey not in kinds:
                continue
            rings = tuple(circle.rings) or (circle.minutes,)
            cell = grid_cell_m(profile.reach_m(ckey), SERVICE_AREA_TRIM_M)
            for cat in profile.required(ckey):
                fsnap = fsnaps.get((circle.mode, cat))
                if fsnap is None or not fsnap.snapped.any():
                    continue
                tasks.append(("area", circle.mode, fsnap, rings, cell))
                area_meta.append((ckey, cat, circle.mode))
    pending = pmap_async(_display_task, tasks, jobs=jobs, shared={
        "networks": travel_times.networks, "facility_snaps": fsnaps,
        "grid": grid, "cell": project.raster_cell_m,
        "max_snap_m": project.network.max_snap_m})
    return Display(pending, areas, area_meta, grid, raster_meta)


def _display_task(task: tuple[Any, ...]) -> Any:
    """One task of :func:`start_display` (worker side)."""
    if task[0] == "area":
        return _service_area_task(task[1:])  # type: ignore[arg-type]
    return _raster_task(task[1:])  # type: ignore[arg-type]


def _service_area_task(task: tuple[str, Any, tuple[float, ...], float]
                       ) -> tuple[NDArray[np.float64], NDArray[np.object_]]:
    """One category's rings (worker side): minutes and geometries."""
    from lifecircle.accessibility.isochrones import service_areas
    from lifecircle.parallel import shared

    mode, fsnap, rings, cell = task
    sa = service_areas(shared()["networks"][mode], fsnap, rings, method="grid",
                       trim_m=SERVICE_AREA_TRIM_M, min_hole_m2=SERVICE_AREA_MIN_HOLE_M2,
                       cell_m=cell)
    return sa["minutes"].to_numpy(), np.asarray(sa.geometry.values, dtype=object)


def _raster_task(task: tuple[int, str, float, list[str]]) -> dict[str, NDArray[np.float32]]:
    """One circle's raster cells (worker side): snapped once, then timed per category;
    category -> minutes of the cells (row-major order), NaN where not reached."""
    from lifecircle.accessibility.surfaces import snap_cells
    from lifecircle.accessibility.traveltime import nearest
    from lifecircle.parallel import shared

    code, mode, search_s, cats = task
    env = shared()
    grid: _RasterGrid = env["grid"]
    net = env["networks"][mode]
    snapped, _, _ = snap_cells(net, grid.bounds, env["cell"], max_snap_m=env["max_snap_m"],
                               mask=grid.kind == code)
    out: dict[str, NDArray[np.float32]] = {}
    for cat in cats:
        seconds, _ = nearest(net, env["facility_snaps"][(mode, cat)], snapped,
                             limit_s=search_s)
        out[cat] = np.where(np.isfinite(seconds), seconds / 60.0, np.nan).astype(np.float32)
    return out


def _raster_grid(project: Project, layers: Layers) -> _RasterGrid:
    """The rasters' grid over the communities, each cell coded with its circle."""
    from rasterio import features

    from lifecircle.geo.raster import grid_centres

    comm = layers.communities
    cell = project.raster_cell_m
    minx, miny, maxx, maxy = comm.total_bounds
    bounds = (math.floor(minx / cell) * cell, math.floor(miny / cell) * cell, maxx, maxy)
    x, _, transform = grid_centres(bounds, cell)
    codes = {k: i + 1 for i, k in enumerate(project.profile.circles)}
    shapes = ((g, codes.get(k, 0)) for g, k in zip(comm.geometry, comm["kind"], strict=True))
    kind = features.rasterize(shapes, out_shape=x.shape, transform=transform, fill=0,
                              dtype="uint8")
    return _RasterGrid(bounds, transform, kind, codes)


def _demand_snaps(tt: TravelTimes, profile: Profile) -> dict[str, Any]:
    """Circle key -> (positions of its demand points, their Snapped)."""
    out: dict[str, Any] = {}
    for ckey, circle in profile.circles.items():
        ms = tt.modes.get(circle.mode)
        if ms is not None:
            mine = tt.circle[ms.demand_index] == ckey
            if mine.any():
                out[ckey] = (ms.demand_index[mine], ms.demand.take(mine))
    return out


def _run_info(analysis: Analysis) -> pd.DataFrame:
    """What a result was made from (``lifecircle compare`` refuses different profiles)."""
    from lifecircle import __version__

    p = analysis.project
    items = {"profile": p.profile.key, "profile_file": str(p.profile.path.resolve()),
             "project": p.name,
             "project_file": str(p.path) if p.path else "",
             "working_crs": analysis.layers.crs.to_string(),
             "communities": str(len(analysis.layers.communities)), "version": __version__}
    return pd.DataFrame({"key": list(items), "value": list(items.values())})


def travel_time_rasters(analysis: Analysis, folder: Path, progress: Progress = _quiet, *,
                        jobs: int | None = None, display: Display | None = None
                        ) -> list[Path]:
    """Write ``traveltime_<category>.tif``: minutes to the nearest facility per cell.

    Each cell takes the travel mode of the circle of the community it lies in (urban:
    walking, rural: e-bike in ``maanshan-2025``); cells outside every community, off the
    road network or beyond twice the circle's minutes are nodata. The cells are snapped
    once per circle and timed for every category in ``jobs`` worker processes (None: every
    core; :func:`start_display`, or ``display`` when it was started already), with the
    same grids for any number.
    """
    from lifecircle.geo.raster import write_geotiff

    project = analysis.project
    profile = project.profile
    if analysis.cluster is not None and analysis.cluster.rasters is not None:
        progress(i18n.t("progress.rasters", project.lang))
        done: list[Path] = []
        surfaces, grid_of = analysis.cluster.rasters, analysis.cluster.raster_grid
        assert grid_of is not None  # made together with the rasters
        for cat in analysis.coverage.categories:
            grid_c = surfaces.get(cat)
            if grid_c is not None and not np.isnan(grid_c).all():
                done.append(folder / f"traveltime_{cat}.tif")
                write_geotiff(done[-1], grid_c, grid_of[1],
                              analysis.layers.crs, nodata=-1.0)
        return done
    if display is None or not display.rasters:
        with start_display(project, analysis.layers, analysis.travel_times, areas=False,
                           rasters=True, jobs=jobs) as own:
            return travel_time_rasters(analysis, folder, progress, jobs=jobs, display=own)
    progress(i18n.t("progress.rasters", project.lang))
    grid = display.grid
    assert grid is not None
    per_circle = list(zip(display.raster_meta, display.raster_results(), strict=True))
    written: list[Path] = []
    for cat in analysis.coverage.categories:
        minutes = np.full(grid.kind.shape, np.nan, dtype=np.float32)
        for ckey, values in per_circle:
            if cat in values:
                minutes[grid.kind == grid.codes[ckey]] = values[cat]
        if np.isnan(minutes).all():
            continue
        path = folder / f"traveltime_{cat}.tif"
        write_geotiff(path, minutes, grid.transform, analysis.layers.crs, nodata=-1.0)
        _describe_band(path, profile.categories[cat].name(project.lang), project.lang)
        written.append(path)
    return written


def _describe_band(path: Path, category: str, lang: str) -> None:
    """Band description and unit of a travel-time GeoTIFF (what QGIS shows for the band)."""
    import rasterio

    from lifecircle import i18n

    with rasterio.open(path, "r+") as dst:
        dst.set_band_description(1, i18n.t("band.traveltime", lang, category=category))
        dst.set_band_unit(1, "min")


def output_notices(analysis: Analysis) -> list[str]:
    """What every output must show above its content, in the run's language.

    Today one case: a working CRS that distorts distances beyond
    :data:`lifecircle.geo.crs.MAX_DISTORTION`, kept because the project accepts it.
    """
    from lifecircle import i18n
    from lifecircle.geo.crs import MAX_DISTORTION, distortion_text

    layers = analysis.layers
    if layers.crs_distortion <= MAX_DISTORTION:
        return []
    return [i18n.t("notice.crs_distortion", analysis.project.lang, crs=layers.crs.name,
                   err=distortion_text(layers.crs_distortion))]


def write_outputs(analysis: Analysis, folder: Path, progress: Progress = _quiet, *,
                  run_info: Mapping[str, Any] | None = None, jobs: int | None = None,
                  display: Display | None = None) -> list[str]:
    """Write the GeoPackage, map, report, CSV tables and rasters into ``folder``.

    ``jobs``: worker processes for the per-category work and the writers (None: every
    core): the map and the report are made in worker processes while this one writes the
    GeoPackage and the rasters. ``display``: the service areas and raster cells already
    started by :func:`start_display`.
    """
    import contextlib

    from lifecircle.outputs import qgis_project

    project = analysis.project
    lang = project.lang
    with contextlib.ExitStack() as stack:
        if display is None and analysis.cluster is None:  # both in one pool
            display = stack.enter_context(start_display(
                project, analysis.layers, analysis.travel_times, jobs=jobs))
        layers = result_layers(analysis, progress, jobs=jobs, display=display)
        rasters = _write_rest(analysis, folder, layers, progress, run_info, jobs, display)
    qgis_project.write(folder, layers, project.profile, lang=lang, title=project.name,
                       rasters=rasters)
    return sorted(p.name for p in folder.iterdir())


def _write_rest(analysis: Analysis, folder: Path, layers: dict[str, Any], progress: Progress,
                run_info: Mapping[str, Any] | None, jobs: int | None,
                display: Display | None) -> list[Path]:
    """The GeoPackage and the rasters here, the map and the report in worker processes
    (the map and the report read only the finished layers); returns the rasters."""
    from lifecircle.outputs import gpkg
    from lifecircle.parallel import pmap_async

    project = analysis.project
    lang = project.lang
    notices = output_notices(analysis)
    plan_summary = None
    if analysis.plan is not None:
        p = analysis.plan
        unreached = (p.unreached.groupby(["category", "reason"], as_index=False)
                     .agg(population=("population", "sum"), points=("population", "size"))
                     if len(p.unreached) else pd.DataFrame())
        plan_summary = {
            "model": p.model,
            "categories": i18n.listed([project.profile.categories[c].name(lang)
                                       for c in p.categories], lang),
            "sites": len(p.sites), "status": p.solution.status, "gap": p.solution.gap,
            "seconds": round(p.solution.seconds, 2), "solver": p.solution.method,
            "new_population": round(float(p.sites["new_population"].sum())),
            "unreachable_population": round(float(p.unreached["population"].sum())),
            "coverage": p.coverage, "unreached": unreached}
    info = dict(run_info or {})
    info.setdefault("project", project.name)
    info.setdefault("profile", project.profile.key)
    info.setdefault("synthetic", "synthetic" in project.name.lower() or "合成" in project.name)
    with pmap_async(_writer_task, ["map", "report"], jobs=jobs, shared={
            "layers": layers, "project": project, "folder": folder, "notices": notices,
            "report": {"inputs": list(analysis.layers.info.values()),
                       "warnings": list(analysis.warnings), "plan_summary": plan_summary,
                       "run_info": info}}) as writers:
        progress(i18n.t("progress.gpkg", lang))
        gpkg.write(folder / "lifecircle.gpkg", layers, project.profile, lang=lang,
                   notices=notices)
        rasters = travel_time_rasters(analysis, folder, progress, jobs=jobs, display=display)
        done = iter(writers)
        for step in ("progress.map", "progress.report"):
            progress(i18n.t(step, lang))
            next(done)
    return rasters


def _writer_task(which: str) -> None:
    """Write the map or the report (worker side) from the shared result layers."""
    from lifecircle.outputs import report, webmap
    from lifecircle.parallel import shared

    env = shared()
    project: Project = env["project"]
    folder: Path = env["folder"]
    if which == "map":
        webmap.build(env["layers"], project.profile, folder / "map.html", lang=project.lang,
                     title=project.name, notices=env["notices"])
    else:
        report.build(env["layers"], project.profile, folder, lang=project.lang,
                     **env["report"])


# ---------------------------------------------------------------------------- entry point
def run(project_path: str | Path, out: Path | None = None, *, overwrite: bool = False,
        lang: str | None = None, steps: Sequence[str] = ("check", "plan", "outputs"),
        progress: Progress = _quiet, categories: Sequence[str] | None = None,
        model: str | None = None, sites: int | None = None, full_coverage: bool = False,
        time_limit_s: float | None = None, generate: bool | None = None,
        capacity: float | None = None, load: str | None = None, jobs: int | None = None,
        service_areas: bool = False, scheduler: str | Client | None = None,
        partition_by: str = "district") -> RunSummary:
    """Run the pipeline on a project file and write the result folder.

    Parameters
    ----------
    project_path
        The project TOML file.
    out
        Result folder; written under a temporary name and moved into place when complete.
        None writes nothing (summary only).
    overwrite
        Replace an existing result folder.
    lang
        ``zh`` or ``en``; default from the project file.
    steps
        ``check`` (coverage, gaps, scorecard), ``plan`` (site planner), ``outputs``
        (GeoPackage, map, report, rasters; otherwise only the GeoPackage and CSV tables,
        without the display-only service areas unless ``service_areas``).
    progress
        Called with a message at the start of each step.
    categories, model, sites, full_coverage, time_limit_s, generate, capacity, load
        Planner options; None = the project's ``[planner]`` section.
    jobs
        Worker processes for per-category work (None: every core); same results. With
        ``scheduler``: ``local`` and ``jobs`` N run N local workers; with a running cluster
        it is refused (:func:`lifecircle.distributed.with_jobs`).
    service_areas
        Without ``outputs``: also draw the ``service_areas`` layer into the GeoPackage.
    scheduler
        ``local``, ``local:N``, ``tcp://HOST:PORT`` or a ``distributed.Client``: build and
        search the networks on that Dask cluster, partition by partition, with the same
        results (:mod:`lifecircle.distributed`, docs/distributed.md). None: this machine.
    partition_by
        With ``scheduler``: partition the communities by ``district`` or ``township``.
    """
    import contextlib

    from lifecircle.outputs.resultdir import atomic_folder, reserve

    t0 = time.perf_counter()
    project = project_mod.load(project_path)
    if lang:
        project = replace(project, lang=lang)
    # every file the project reads is an input, the profile included
    inputs = [spec.path for spec in project.layers.values()] + [Path(project_path),
                                                                project.profile.path]
    options = (planner_options(project, categories=categories, model=model, sites=sites,
                               full_coverage=full_coverage, time_limit_s=time_limit_s,
                               generate=generate, capacity=capacity, load=load)
               if "plan" in steps else None)
    if scheduler is not None:
        from lifecircle import distributed

        scheduler = distributed.with_jobs(scheduler, jobs)
    reserved = contextlib.ExitStack()
    if out is not None:  # checked and locked before the analysis starts, held to the end
        reserved.enter_context(reserve(out, overwrite=overwrite, inputs=inputs))
    with reserved, contextlib.ExitStack() as background:
        display: list[Display] = []

        def start(layers: Layers, tt: TravelTimes) -> None:
            # the display-only drawing needs only the networks and the facility snaps: it
            # runs in worker processes beside the demand snapping and searching, coverage,
            # equity and planning
            display.append(background.enter_context(start_display(
                project, layers, tt, areas="outputs" in steps or service_areas,
                rasters="outputs" in steps, jobs=jobs)))

        with contextlib.ExitStack() as stack:
            client = None
            if scheduler is not None:
                from lifecircle import distributed

                client = stack.enter_context(distributed.connect(scheduler))
            draw = out is not None and ("outputs" in steps or service_areas)
            analysis = analyse(project, progress, cluster=client, partition_by=partition_by,
                               areas=draw, rasters=out is not None and "outputs" in steps,
                               on_facilities=start if draw else None)
            if options is not None:
                geography = (None if client is None or analysis.cluster is None
                             else distributed.ClusterGeography(
                                 client, project, analysis.layers, analysis.demand.points,
                                 analysis.cluster, by=partition_by, progress=progress))
                analysis = plan_analysis(analysis, progress, options=options, geography=geography)
        files: list[str] = []
        if out is not None:
            with atomic_folder(out, overwrite=overwrite, inputs=inputs) as tmp:
                shown = display[0] if display else None
                if "outputs" in steps:
                    files = write_outputs(analysis, tmp, progress, jobs=jobs, display=shown)
                else:
                    files = _write_tables(analysis, tmp, progress, service_areas=service_areas,
                                          jobs=jobs, display=shown)
    return _summary(analysis, out, files, time.perf_counter() - t0)


def _write_tables(analysis: Analysis, folder: Path, progress: Progress, *,
                  service_areas: bool = False, jobs: int | None = None,
                  display: Display | None = None) -> list[str]:
    """``check``/``plan``: the GeoPackage and the CSV tables, no map, report or rasters;
    the display-only service areas only when asked for."""
    from lifecircle.outputs import gpkg
    from lifecircle.outputs.report import write_tables

    layers = result_layers(analysis, progress, service_areas=service_areas, jobs=jobs,
                           display=display)
    gpkg.write(folder / "lifecircle.gpkg", layers, analysis.project.profile,
               lang=analysis.project.lang, notices=output_notices(analysis))
    write_tables(layers, analysis.project.profile, folder, lang=analysis.project.lang)
    return sorted(p.name for p in folder.iterdir())


def _summary(analysis: Analysis, out: Path | None, files: Sequence[str], seconds: float
             ) -> RunSummary:
    profile = analysis.project.profile
    by_kind = analysis.coverage.by_kind
    nan = float("nan")
    rows = []
    for cat in analysis.coverage.categories:
        share: dict[str, float] = {}
        uncovered: dict[str, float] = {}
        for kind in ("urban", "rural"):
            sel = by_kind[(by_kind["kind"] == kind) & (by_kind["category"] == cat)]
            r = sel.iloc[0] if len(sel) else None
            share[kind] = nan if r is None else float(r["share"])
            uncovered[kind] = nan if r is None else float(r["pop"] - r["covered_pop"])
        rows.append(CategoryCoverage(
            cat, profile.categories[cat].name_zh, profile.categories[cat].name_en,
            share["urban"], share["rural"], uncovered["urban"], uncovered["rural"]))
    sk = analysis.coverage.summary_kind.set_index("kind")
    comm = analysis.layers.communities
    proposed = []
    if analysis.plan is not None:
        for _, r in analysis.plan.sites.iterrows():
            proposed.append(ProposedSite(int(r["rank"]), str(r["name"]), bool(r["is_idle_asset"]),
                                         float(r["new_population"])))
    return RunSummary(
        analysis.project.name, out, tuple(rows), len(comm), float(comm["population"].sum()),
        float(sk.loc["urban", "cov_all"]) if "urban" in sk.index else nan,
        float(sk.loc["rural", "cov_all"]) if "rural" in sk.index else nan,
        tuple(proposed), tuple(analysis.warnings), seconds, tuple(files))
