"""The analysis on a Dask cluster: partitions by district with an exact halo.

A province does not fit one machine comfortably. :func:`travel_times` splits the
communities into partitions (by ``district``, the county-level unit, or by ``township``),
gives each partition a *halo* of roads, facilities and candidates wide enough for the
largest reach of any circle's mode over the searched time limit, and runs every network
search of the partition on a dask.distributed worker. Only the partition's OWN demand
points (and its own facilities, candidates and raster cells) are timed there; the client
merges the pieces into the same tables a single-process run builds, and the pipeline then
computes coverage, gaps and the scorecard from them exactly as on one machine.

Why the halo makes the times exact (docs/distributed.md has the long form): any path of
travel time at most ``T`` by a mode whose fastest road is ``v`` m/s covers at most ``v*T``
metres of road, so every road it uses lies within ``max_snap + v*T`` of its origin (the
first ``max_snap`` is the origin's access leg) and its destination facility within
``2*max_snap + v*T``. A partition that holds every road and facility within that distance
of its own points (plus a margin for the noding of road ends) holds every path a
single-process search could find within ``T``, and Dijkstra on it returns the same minimum.

The planner's coverage sets (candidates x demand within the circle) come from the same
partitions (:func:`geography`); the location model itself is solved once, on the merged
matrix, so the proposed sites are those of a single-machine run. Generated candidates are
laid out once, on the client, by the single-machine rule on a network of only the roads
near the uncovered demand (:func:`network_near`), whose edges there are the whole
network's.
"""

from __future__ import annotations

import contextlib
import math
import os
import resource
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray

from lifecircle import i18n
from lifecircle.errors import LifecircleError, notice
from lifecircle.profile import SEARCH_FACTOR, Mode, Profile
from lifecircle.project import Project

__all__ = ["ClusterError", "ClusterGeography", "ClusterTimes", "Partition", "connect",
           "geography", "halo_m", "network_near", "partition", "travel_times", "with_jobs"]

#: Extra halo for the noding of road ends (digitising-gap closing joins ends within the
#: snap tolerance; chains of such joins stay far inside this margin).
NODING_MARGIN_M = 1000.0
#: Partition keys a community column may give.
PARTITION_BY = ("district", "township")
#: Packages whose versions must match between the client and every worker.
VERSIONED = ("lifecircle", "numpy", "scipy", "pandas", "shapely", "geopandas", "pyproj",
             "dask", "distributed")


class ClusterError(LifecircleError, RuntimeError):
    """The Dask cluster cannot run the analysis (unreachable, worker died, versions)."""


# ---------------------------------------------------------------------------- cluster
def _versions() -> dict[str, str]:
    """Versions of :data:`VERSIONED` in this process (run on the client and each worker)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in VERSIONED:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "missing"
    return out


def _parse(scheduler: str) -> tuple[str, int | None]:
    """``local``, ``local:N`` or an address -> (``local`` or the address, workers)."""
    text = scheduler.strip()
    if text == "local" or text.startswith("local:"):
        n = text.partition(":")[2]
        if n and not (n.isdigit() and int(n) >= 1):
            raise notice(ClusterError, "err.dask.local_n", scheduler=repr(scheduler))
        return "local", int(n) if n else None
    if "://" not in text:
        host, _, port = text.rpartition(":")
        if not host or not port.isdigit():
            raise notice(ClusterError, "err.dask.address", scheduler=repr(scheduler))
        text = f"tcp://{text}"
    return text, None


def with_jobs(scheduler: str | Any, jobs: int | None) -> str | Any:
    """``--scheduler`` and ``--jobs`` together: the scheduler to connect to.

    On a cluster the workers do the parallel work (one single-threaded process per core:
    the searches hold the GIL), so ``--jobs N`` can only mean "N local workers":
    ``local`` with ``--jobs N`` becomes ``local:N``; ``local:N`` with the same N is
    accepted. With another N, a scheduler address or a ``distributed.Client``, the workers
    are not this command's to size, and the combination is refused.

    Raises
    ------
    ClusterError
        The combination cannot be honoured (the message says how to size the workers).
    """
    if jobs is None or scheduler is None:
        return scheduler
    if isinstance(scheduler, str):
        address, n = _parse(scheduler)
        if address == "local" and n in (None, jobs):
            return f"local:{jobs}"
        if address == "local":
            raise notice(ClusterError, "err.dask.jobs_local", jobs=jobs,
                         scheduler=str(scheduler))
    else:
        address = str(getattr(getattr(scheduler, "scheduler", None), "address", scheduler))
    raise notice(ClusterError, "err.dask.jobs_remote", jobs=jobs, address=address)


@contextlib.contextmanager
def connect(scheduler: str | Any, *, connect_timeout_s: float = 10.0,
            worker_timeout_s: float = 60.0) -> Iterator[Any]:
    """A dask.distributed client for the analysis, checked before any work is sent.

    Parameters
    ----------
    scheduler
        ``local`` (a LocalCluster with one single-threaded worker process per core),
        ``local:N`` (N workers), a scheduler address ``tcp://HOST:PORT``, or an existing
        ``distributed.Client`` (used as is, not closed).
    connect_timeout_s
        How long to try to reach the scheduler.
    worker_timeout_s
        How long to wait for the first worker.

    Yields
    ------
    distributed.Client

    Raises
    ------
    ClusterError
        dask.distributed is not installed, the scheduler does not answer, it has no
        workers, or a worker's lifecircle, numpy, scipy, pandas, shapely, geopandas, pyproj,
        dask or distributed version differs from the client's (each with the address and
        the fix).
    """
    try:
        import distributed
    except ImportError as e:
        raise notice(ClusterError, "err.dask.missing") from e
    if isinstance(scheduler, distributed.Client):
        _check_workers(scheduler, str(scheduler.scheduler.address), worker_timeout_s)
        yield scheduler
        return
    address, n = _parse(str(scheduler))
    cluster = None
    with contextlib.ExitStack() as stack:
        if address == "local":
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=n or max(1, os.cpu_count() or 1), threads_per_worker=1,
                processes=True, dashboard_address=":0", silence_logs=50))
            address = cluster.scheduler_address
        try:
            client = stack.enter_context(distributed.Client(
                address, timeout=f"{connect_timeout_s}s", set_as_default=False))
        except (OSError, TimeoutError) as e:
            raise notice(ClusterError, "err.dask.unreachable", address=address,
                         s=f"{connect_timeout_s:g}", error=type(e).__name__) from e
        _check_workers(client, address, worker_timeout_s)
        yield client


def _check_workers(client: Any, address: str, timeout_s: float) -> None:
    """At least one worker, and every worker's package versions equal to the client's."""
    try:
        client.wait_for_workers(1, timeout=timeout_s)
    except (OSError, TimeoutError) as e:
        raise notice(ClusterError, "err.dask.no_workers", address=address,
                     s=f"{timeout_s:g}") from e
    mine = _versions()
    try:
        theirs = client.run(_versions, on_error="return")
    except (OSError, TimeoutError) as e:
        raise notice(ClusterError, "err.dask.lost_versions", address=address,
                     error=str(e)) from e
    for worker, found in sorted(theirs.items()):
        if isinstance(found, BaseException):
            raise notice(ClusterError, "err.dask.worker_broken", worker=worker,
                         error=f"{type(found).__name__}: {found}",
                         version=mine["lifecircle"])
        diff = [f"{k} {found.get(k)} (client {v})" for k, v in mine.items()
                if found.get(k) != v]
        if diff:
            pins = " ".join(f"{k}=={v}" for k, v in mine.items() if found.get(k) != v)
            raise notice(ClusterError, "err.dask.versions", worker=worker,
                         diff=i18n.items(diff), pins=pins)


def _submit(client: Any, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``client.submit`` with the partition in the task itself (not scattered): when a
    worker dies, the scheduler still holds the data and reruns the task elsewhere."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*Large object.*")
        warnings.filterwarnings("ignore", message=".*large graph.*")
        return client.submit(fn, *args, pure=False, **kwargs)


def _gather(client: Any, futures: Sequence[Any], what: tuple[str, str], keys: Sequence[str]
            ) -> list[Any]:
    """Results of ``futures``; a dead worker or a lost scheduler becomes a ClusterError."""
    import distributed

    try:
        return list(client.gather(list(futures)))
    except distributed.KilledWorker as e:
        task = str(getattr(e, "task", ""))
        which = next((k for f, k in zip(futures, keys, strict=True) if f.key == task or
                      str(f.key) == task), task)
        worker = getattr(e, "last_worker", None)
        where = getattr(worker, "address", worker) or "?"
        raise notice(ClusterError, "err.dask.worker_died", where=where, what=what,
                     which=which) from e
    except distributed.client.FutureCancelledError as e:
        raise notice(ClusterError, "err.dask.dropped", what=what, error=str(e)) from e
    except (OSError, TimeoutError) as e:
        raise notice(ClusterError, "err.dask.lost", what=what,
                     error=f"{type(e).__name__}: {e}") from e
    finally:
        for f in futures:
            with contextlib.suppress(Exception):
                f.release()


# ---------------------------------------------------------------------------- partitions
def max_speed_mps(mode: Mode, roads: pd.DataFrame | None = None) -> float:
    """The fastest a mode may go on any road: its class speeds, default speed, and (for
    modes that obey posted speeds) the roads' ``speed_kmh``. An upper bound for the halo."""
    kmh = [mode.speed_kmh, *mode.class_speeds_kmh.values()]
    if roads is not None and "speed_kmh" in roads.columns and mode.posted_speeds:
        posted = pd.to_numeric(roads["speed_kmh"], errors="coerce").to_numpy(float)
        posted = posted[np.isfinite(posted)]
        if posted.size:
            kmh.append(float(posted.max()))
    return max(kmh) / 3.6


def halo_m(profile: Profile, mode: str, *, max_snap_m: float,
           roads: pd.DataFrame | None = None, factor: float = SEARCH_FACTOR
           ) -> tuple[float, float]:
    """Halo widths of a mode: (points, roads) in metres.

    Points (facilities, candidates) within ``v*T + 2*max_snap`` of a partition's own points
    can be reached within ``T``, the longest search of any circle using ``mode``
    (``factor`` times its minutes); roads within a further ``max_snap`` (so every such
    point snaps as on the whole network) plus :data:`NODING_MARGIN_M`.
    """
    minutes = [c.minutes for c in profile.circles.values() if c.mode == mode]
    t_s = max(factor, SEARCH_FACTOR) * max(minutes, default=0.0) * 60.0
    pts = max_speed_mps(profile.modes[mode], roads) * t_s + 2.0 * max_snap_m
    return pts, pts + max_snap_m + NODING_MARGIN_M


@dataclass(frozen=True, eq=False)
class Partition:
    """One partition's data: its own communities and demand, and the halo around them.

    Attributes
    ----------
    key
        The district (or township) name.
    index
        Position among the partitions.
    cids
        The partition's own community ids.
    demand
        Its own demand points (``did cid population kind`` + geometry).
    roads
        Roads within the widest mode's road halo.
    road_modes
        Mode key -> boolean mask over ``roads`` of the mode's halo.
    facilities
        Facilities within the widest point halo, with ``own`` (the facility lies in the
        partition: its snap, warnings and service area are made here).
    facility_modes
        Mode key -> boolean mask over ``facilities`` of the mode's point halo.
    core
        ``(minx, miny, maxx, maxy)`` of the own communities, demand and own points.
    """

    key: str
    index: int
    cids: tuple[str, ...]
    demand: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    road_modes: Mapping[str, NDArray[np.bool_]]
    facilities: gpd.GeoDataFrame
    facility_modes: Mapping[str, NDArray[np.bool_]]
    core: tuple[float, float, float, float]
    halo: Mapping[str, tuple[float, float]] = field(default_factory=dict)


def _owner(points: NDArray[np.object_], polygons: NDArray[np.object_],
           part_of_polygon: NDArray[np.int64], cores: NDArray[np.float64]) -> NDArray[np.int64]:
    """Partition of each point: the first community containing it, else the partition whose
    core box is nearest."""
    out = np.full(len(points), -1, dtype=np.int64)
    if len(points) == 0:
        return out
    tree = shapely.STRtree(polygons)
    pi, ci = tree.query(points, predicate="intersects")
    order = np.lexsort((ci, pi))
    pi, ci = pi[order], ci[order]
    first = np.r_[True, pi[1:] != pi[:-1]] if pi.size else np.zeros(0, dtype=bool)
    out[pi[first]] = part_of_polygon[ci[first]]
    rest = np.flatnonzero(out < 0)
    if rest.size:
        x, y = shapely.get_x(points[rest]), shapely.get_y(points[rest])
        dx = np.maximum(np.maximum(cores[:, 0][None] - x[:, None], 0.0),
                        x[:, None] - cores[:, 2][None])
        dy = np.maximum(np.maximum(cores[:, 1][None] - y[:, None], 0.0),
                        y[:, None] - cores[:, 3][None])
        out[rest] = np.argmin(np.hypot(dx, dy), axis=1)
    return out


def _bbox_union(*boxes: Sequence[float]) -> tuple[float, float, float, float]:
    b = np.array([bb for bb in boxes if np.all(np.isfinite(bb))], dtype=float)
    return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()),
            float(b[:, 3].max()))


def _within(tree: shapely.STRtree, box: Sequence[float], d: float, n: int) -> NDArray[np.bool_]:
    mask = np.zeros(n, dtype=bool)
    idx = tree.query(shapely.box(box[0] - d, box[1] - d, box[2] + d, box[3] + d))
    mask[idx] = True
    return mask


def partition(layers: Any, points: gpd.GeoDataFrame, project: Project, *,
              by: str = "district", candidates: gpd.GeoDataFrame | None = None
              ) -> list[Partition]:
    """Split the communities into partitions, each with its halo.

    Parameters
    ----------
    layers
        The loaded :class:`~lifecircle.layers.loader.Layers`.
    points
        All demand points (``did cid population`` + geometry).
    project
        The project (profile, ``max_snap_m``).
    by
        Community column to partition by: ``district`` (county level) or ``township``.
    candidates
        Candidate sites to own and to include in the halos (the planner's candidates).

    Returns
    -------
    list of Partition
        In order of the key (communities without one form the partition ``""``).
    """
    profile = project.profile
    max_snap = project.network.max_snap_m
    comm = layers.communities
    keys = comm[by].astype(object).where(comm[by].notna(), "").astype(str).to_numpy()
    names = sorted(set(keys.tolist()))
    part_of_comm = np.searchsorted(np.array(names, dtype=object), keys).astype(np.int64)
    kind = pd.Series(comm["kind"].to_numpy(), index=comm["cid"].to_numpy())
    cid_part = pd.Series(part_of_comm, index=comm["cid"].to_numpy())
    pts = points.assign(kind=points["cid"].map(kind).to_numpy())
    pt_part = pts["cid"].map(cid_part).to_numpy(dtype=np.int64)
    polys = comm.geometry.to_numpy()
    cbounds = shapely.bounds(polys)
    pbounds = shapely.bounds(pts.geometry.to_numpy())

    def box(b: NDArray[np.float64]) -> list[float]:
        return [float(np.nanmin(b[:, 0])), float(np.nanmin(b[:, 1])),
                float(np.nanmax(b[:, 2])), float(np.nanmax(b[:, 3]))]

    cores = np.array([_bbox_union(box(cbounds[part_of_comm == i]),
                                  *([box(pbounds[pt_part == i])] if (pt_part == i).any()
                                    else []))
                      for i in range(len(names))])
    fac = layers.facilities
    fac_owner = _owner(fac.geometry.to_numpy(), polys, part_of_comm, cores)
    cand_owner = (None if candidates is None else
                  _owner(candidates.geometry.to_numpy(), polys, part_of_comm, cores))
    # own points widen the core so their snaps and service areas are exact too
    for i in range(len(names)):
        boxes = [cores[i]]
        for geo, owner in ((fac.geometry, fac_owner),
                           (None if candidates is None else candidates.geometry, cand_owner)):
            if geo is not None and (owner == i).any():
                boxes.append(geo[owner == i].total_bounds)
        cores[i] = _bbox_union(*boxes)
    modes = sorted({c.mode for c in profile.circles.values()})
    halos = {m: halo_m(profile, m, max_snap_m=max_snap, roads=layers.roads) for m in modes}
    road_tree = shapely.STRtree(layers.roads.geometry.to_numpy())
    fac_tree = shapely.STRtree(fac.geometry.to_numpy())
    out = []
    for i, name in enumerate(names):
        core = tuple(float(v) for v in cores[i])
        rmask = {m: _within(road_tree, core, halos[m][1], len(layers.roads)) for m in modes}
        fmask = {m: _within(fac_tree, core, halos[m][0], len(fac)) for m in modes}
        rany = np.logical_or.reduce(list(rmask.values()))
        fany = np.logical_or.reduce(list(fmask.values())) | (fac_owner == i)
        f = fac[fany].assign(own=(fac_owner == i)[fany])
        out.append(Partition(
            name, i, tuple(comm["cid"].to_numpy()[part_of_comm == i].tolist()),
            pts[pt_part == i][["did", "cid", "population", "kind", "geometry"]],
            layers.roads[rany], {m: v[rany] for m, v in rmask.items()},
            f, {m: v[fany] for m, v in fmask.items()}, core, halos))
    return out


# ---------------------------------------------------------------------------- check
@dataclass(frozen=True, eq=False)
class PartResult:
    """What one partition returns from :func:`_check_part`."""

    key: str
    times: pd.DataFrame
    facility_roads: pd.DataFrame
    service_areas: gpd.GeoDataFrame | None
    raster: Mapping[str, tuple[NDArray[np.int64], NDArray[np.float32]]]
    stats: Mapping[str, float]


def _networks(part: Partition, profile: Profile, snap_tolerance_m: float,
              node_crossings: bool) -> dict[str, Any]:
    from lifecircle.accessibility import network as network_mod

    return {m: network_mod.build(part.roads[mask], profile.modes[m],
                                 snap_tolerance_m=snap_tolerance_m,
                                 node_crossings=node_crossings)
            for m, mask in part.road_modes.items()}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _check_part(part: Partition, profile: Profile, *, snap_tolerance_m: float,
                node_crossings: bool, max_snap_m: float, circles: Sequence[str],
                categories: Sequence[str], first_mode: str,
                cells: tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.object_]]
                | None, raster_snap_m: float, areas: Mapping[str, float] | None
                ) -> PartResult:
    """Times of the partition's own demand (and own facilities' snaps, service areas and
    raster cells), on the networks of its halo. Runs on a worker."""
    from lifecircle.accessibility.isochrones import grid_cell_m, service_areas
    from lifecircle.accessibility.snap import snap
    from lifecircle.accessibility.traveltime import nearest

    t0 = time.perf_counter()
    nets = _networks(part, profile, snap_tolerance_m, node_crossings)
    t_net = time.perf_counter() - t0
    dem = part.demand
    fac = part.facilities
    existing = fac["status"].to_numpy() != "planned"
    times = pd.DataFrame(np.inf, index=pd.Index(dem["did"].to_numpy(), name="did"),
                         columns=list(categories))
    fsnaps: dict[tuple[str, str], tuple[NDArray[np.bool_], Any]] = {}

    def facility_snap(mode: str, cat: str) -> tuple[NDArray[np.bool_], Any]:
        if (mode, cat) not in fsnaps:
            sel = existing & (fac["category"].to_numpy() == cat) & part.facility_modes[mode]
            fsnaps[mode, cat] = sel, snap(nets[mode], fac.geometry[sel], max_snap_m=max_snap_m)
        return fsnaps[mode, cat]

    # (road pieces, "no path" and points off the roads are judged by the client on the
    # whole network: a piece cut by the halo's edge may look separate here)
    kinds = dem["kind"].to_numpy()
    for mode in sorted({profile.circles[c].mode for c in circles}):
        net = nets[mode]
        here = [c for c in circles if profile.circles[c].mode == mode]
        idx = np.flatnonzero(np.isin(kinds, here))
        dsnap = snap(net, dem.geometry.iloc[idx], max_snap_m=max_snap_m)
        if idx.size == 0:
            continue
        # as accessibility.times.travel_times: one search per (mode, category) to the
        # longest search of the mode's circles; a category only for the points whose
        # circle requires it (every point when no circle does)
        limit_s = max(profile.circles[c].search_s for c in here)
        point_circle = kinds[idx]
        for cat in categories:
            need = profile.categories[cat].circles
            wanted = (np.ones(idx.size, bool) if not need
                      else np.isin(point_circle, list(need)))
            sel, fs = facility_snap(mode, cat)
            if not wanted.any() or not sel.any():
                continue
            secs, _ = nearest(net, fs, dsnap, limit_s=limit_s)
            times.iloc[idx[wanted], times.columns.get_loc(cat)] = secs[wanted] / 60.0
    t_times = time.perf_counter() - t0 - t_net

    own = fac["own"].to_numpy()
    owned = fac[own]
    s = snap(nets[first_mode], owned.geometry, max_snap_m=max_snap_m)
    roads = pd.DataFrame({"fid": owned["fid"].to_numpy(), "snapped": s.snapped,
                          "access_m": s.access_m})

    drawn = []
    for ckey in circles if areas is not None else ():
        circle = profile.circles[ckey]
        rings = list(circle.rings) or [circle.minutes]
        cell = grid_cell_m(profile.reach_m(ckey), areas["trim_m"])
        for cat in profile.required(ckey):
            sel, fs = facility_snap(circle.mode, cat)
            mine = fs.take(np.flatnonzero(own[sel]))
            if not mine.snapped.any():
                continue
            sa = service_areas(nets[circle.mode], mine, rings, method="grid",
                               trim_m=areas["trim_m"], min_hole_m2=areas["min_hole_m2"],
                               cell_m=cell)
            sa = sa[~sa.geometry.is_empty]
            drawn.append(sa.assign(category=cat, circle=ckey, mode=circle.mode)[
                ["category", "circle", "minutes", "mode", "geometry"]])
    sa_frame = (gpd.GeoDataFrame(pd.concat(drawn, ignore_index=True), crs=fac.crs)
                if drawn else None)
    t_areas = time.perf_counter() - t0 - t_net - t_times

    raster: dict[str, tuple[NDArray[np.int64], NDArray[np.float32]]] = {}
    if cells is not None:
        flat, xy, ckind = cells
        for ckey in circles:
            circle = profile.circles[ckey]
            m = ckind == ckey
            if not m.any():
                continue
            csnap = snap(nets[circle.mode], xy[m], max_snap_m=raster_snap_m)
            for cat in profile.required(ckey):
                _, fs = facility_snap(circle.mode, cat)
                secs, _ = nearest(nets[circle.mode], fs, csnap, limit_s=circle.search_s)
                mins = np.where(np.isfinite(secs), secs / 60.0, np.nan).astype(np.float32)
                prev = raster.get(cat)
                raster[cat] = ((flat[m], mins) if prev is None else
                               (np.r_[prev[0], flat[m]], np.r_[prev[1], mins]))
    stats = {"communities": len(part.cids), "demand_points": len(dem),
             "population": float(dem["population"].sum()),
             "roads": len(part.roads), "facilities": len(fac),
             "edges": sum(n.n_edges for n in nets.values()),
             **{f"edges_{m}": n.n_edges for m, n in nets.items()},
             "core_km2": (part.core[2] - part.core[0]) * (part.core[3] - part.core[1]) / 1e6,
             "network_s": t_net, "times_s": t_times, "areas_s": t_areas,
             "seconds": time.perf_counter() - t0, "peak_rss_mb": _rss_mb(), "pid": os.getpid()}
    return PartResult(part.key, times, roads, sa_frame,
                      raster, stats)


@dataclass(frozen=True, eq=False)
class ClusterTimes:
    """The merged result of :func:`travel_times`.

    Attributes
    ----------
    times
        Minutes per demand point (index ``did``, all points) and category of the catalogue,
        as :func:`lifecircle.accessibility.times.travel_times` builds them.
    facility_roads
        ``fid snapped access_m`` for every facility (layer order).
    service_areas
        ``category circle minutes mode`` + geometry: each category's service area, merged
        over the partitions.
    rasters
        Category -> minutes grid over the communities (None unless asked for).
    raster_grid
        ``(bounds, transform, shape)`` of the rasters.
    partitions
        One row per partition: its key and sizes, seconds and worker peak memory.
    parts
        The partitions (for the planner's second pass).
    whole
        Mode key -> :class:`~lifecircle.accessibility.times.ModeSnaps` on the whole
        network, made by the client after the merge (the pipeline judges road pieces on
        them); empty until then.
    """

    times: pd.DataFrame
    facility_roads: pd.DataFrame
    service_areas: gpd.GeoDataFrame
    rasters: dict[str, NDArray[np.float32]] | None
    raster_grid: tuple[Any, Any, tuple[int, int]] | None
    partitions: pd.DataFrame
    parts: list[Partition]
    whole: Mapping[str, Any] = field(default_factory=dict)


def raster_grid(communities: gpd.GeoDataFrame, profile: Profile, cell: float
                ) -> tuple[tuple[float, float, float, float], Any, NDArray[np.uint8]]:
    """The travel-time rasters' grid (the pipeline's): bounds, transform and the circle code
    (1-based position in the profile's circles, 0 = outside) of every cell."""
    from rasterio import features

    from lifecircle.geo.raster import grid_centres

    minx, miny, maxx, maxy = communities.total_bounds
    bounds = (math.floor(minx / cell) * cell, math.floor(miny / cell) * cell, maxx, maxy)
    x, _, transform = grid_centres(bounds, cell)
    codes = {k: i + 1 for i, k in enumerate(profile.circles)}
    shapes = ((g, codes.get(k, 0)) for g, k in zip(communities.geometry, communities["kind"],
                                                   strict=True))
    grid = features.rasterize(shapes, out_shape=x.shape, transform=transform, fill=0,
                              dtype="uint8")
    return bounds, transform, grid


def travel_times(client: Any, project: Project, layers: Any, points: gpd.GeoDataFrame, *,
                 by: str = "district", areas: Mapping[str, float] | None = None,
                 rasters: bool = False,
                 candidates: gpd.GeoDataFrame | None = None,
                 progress: Callable[[str], None] = lambda _: None) -> ClusterTimes:
    """Travel times of every demand point, computed partition by partition on ``client``.

    Parameters
    ----------
    client
        A ``distributed.Client`` (see :func:`connect`).
    project
        The loaded project.
    layers
        Its loaded layers.
    points
        All demand points (``Demand.points``).
    by
        Partition by ``district`` or ``township``.
    areas
        Also draw the service areas (for the GeoPackage and the map), with these
        ``trim_m`` and ``min_hole_m2`` (None: not drawn).
    rasters
        Also time the cells of the travel-time rasters.
    candidates
        The planner's candidates, to include in the halos.
    progress
        Step reporter.

    Returns
    -------
    ClusterTimes
    """
    from rasterio import features

    if by not in PARTITION_BY:
        raise notice(ClusterError, "err.dask.partition_by", by=repr(by),
                     known=i18n.items(PARTITION_BY))
    profile = project.profile
    parts = partition(layers, points, project, by=by, candidates=candidates)
    comm = layers.communities
    circles = [k for k in profile.circles if (comm["kind"] == k).any()]
    categories = list(profile.categories)
    first_mode = (profile.circles["urban"].mode if "urban" in profile.circles
                  else sorted({c.mode for c in profile.circles.values()})[0])
    cells_of: list[Any] = [None] * len(parts)
    grid = None
    if rasters:
        cell = project.raster_cell_m
        bounds, transform, kind_grid = raster_grid(comm, profile, cell)
        names = sorted({p.key for p in parts})
        code = {n: i + 1 for i, n in enumerate(names)}
        keys = comm[by].astype(object).where(comm[by].notna(), "").astype(str)
        owner = features.rasterize(
            ((g, code[k]) for g, k in zip(comm.geometry, keys, strict=True)),
            out_shape=kind_grid.shape, transform=transform, fill=0, dtype="uint16")
        from lifecircle.geo.raster import grid_centres

        x, y, _ = grid_centres(bounds, cell)
        circle_keys = np.array(["", *profile.circles], dtype=object)
        for p in parts:
            flat = np.flatnonzero((owner == code[p.key]).ravel() & (kind_grid.ravel() > 0))
            cells_of[p.index] = (flat, np.column_stack([x.ravel()[flat], y.ravel()[flat]]),
                                 circle_keys[kind_grid.ravel()[flat]])
        grid = (bounds, transform, kind_grid.shape)
    by_name = i18n.choose(i18n.FIELDS[by], project.lang)
    progress(i18n.t("progress.partitions", project.lang, n=len(parts), by=by_name))
    futures = [_submit(
        client, _check_part, p, profile, snap_tolerance_m=project.network.snap_tolerance_m,
        node_crossings=project.network.node_crossings, max_snap_m=project.network.max_snap_m,
        circles=circles, categories=categories, first_mode=first_mode,
        cells=cells_of[p.index], raster_snap_m=project.network.max_snap_m, areas=areas,
        ) for p in parts]
    results: list[PartResult] = _gather(client, futures, i18n.pair("dask.what.times"),
                                        [p.key for p in parts])

    times = pd.concat([r.times for r in results]).reindex(points["did"].to_numpy())
    times.index.name = "did"
    times = times[categories].astype(float).fillna(np.inf)
    fac = layers.facilities
    froads = (pd.concat([r.facility_roads for r in results], ignore_index=True)
              .set_index("fid").reindex(fac["fid"].to_numpy()).reset_index())
    areas = [r.service_areas for r in results if r.service_areas is not None]
    if areas:
        allsa = pd.concat(areas, ignore_index=True)
        merged = []
        for (cat, ckey, minutes, mode), g in allsa.groupby(
                ["category", "circle", "minutes", "mode"], sort=False):
            merged.append({"category": cat, "circle": ckey, "minutes": minutes, "mode": mode,
                           "geometry": shapely.union_all(g.geometry.to_numpy())})
        order = {k: i for i, k in enumerate([*profile.circles, *profile.categories])}
        merged.sort(key=lambda r: (order[r["circle"]], order[r["category"]], r["minutes"]))
        service = gpd.GeoDataFrame(merged, geometry="geometry", crs=layers.crs)
    else:
        service = gpd.GeoDataFrame({"category": [], "circle": [], "minutes": [], "mode": []},
                                   geometry=[], crs=layers.crs)
    grids: dict[str, NDArray[np.float32]] | None = None
    if grid is not None:
        grids = {}
        for r in results:
            for cat, (flat, mins) in r.raster.items():
                g = grids.setdefault(cat, np.full(grid[2], np.nan, dtype=np.float32))
                g.ravel()[flat] = mins
    table = pd.DataFrame([{"partition": r.key, **r.stats} for r in results])
    return ClusterTimes(times, froads, service, grids, grid, table, parts)


# ---------------------------------------------------------------------------- planner
def network_near(project: Project, roads: gpd.GeoDataFrame
                 ) -> Callable[[str, NDArray[np.float64], float], Any]:
    """Networks built on the client from only the roads near some points, for laying out
    generated candidates (:data:`lifecircle.planner.plan.NetworkNear`).

    ``near(mode, xy, radius_m)`` builds the mode's network of the *core* roads (within
    ``radius_m`` of a point of ``xy``) and the *ring* of roads within
    :data:`NODING_MARGIN_M` of a core road's bounding box. Every road that nodes a core
    road (sharing a vertex, crossing it, or closing a gap of ``snap_tolerance_m`` to it,
    chains of such gaps included) is within that margin, so the core roads are split into
    exactly the edges of the whole network, with the same coordinates. A ring road may be
    split differently, but it lies farther than ``radius_m`` from every point, so no
    generated point near them comes from it.

    Parameters
    ----------
    project
        The project (its profile's modes and the network settings).
    roads
        The whole roads layer (working CRS).
    """
    from lifecircle.accessibility import network as network_mod

    geoms = roads.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    built: dict[tuple[str, bytes], Any] = {}

    def near(mode: str, xy: NDArray[np.float64], radius_m: float) -> Any:
        pts = shapely.points(np.asarray(xy, dtype=float).reshape(-1, 2))
        core = np.unique(tree.query(pts, predicate="dwithin", distance=radius_m)[1])
        # (bounding boxes widened by the margin: a superset of the roads within it)
        b = shapely.bounds(geoms[core]).reshape(-1, 4)
        m = NODING_MARGIN_M
        ring = tree.query(shapely.box(b[:, 0] - m, b[:, 1] - m, b[:, 2] + m, b[:, 3] + m))[1]
        rows = np.union1d(core, ring).astype(np.int64)
        key = (mode, rows.tobytes())
        if key not in built:
            built.clear()  # the room loop widens the radius: keep only the latest
            built[key] = network_mod.build(
                roads.iloc[rows], project.profile.modes[mode],
                snap_tolerance_m=project.network.snap_tolerance_m,
                node_crossings=project.network.node_crossings)
        return built[key]

    return near


def _geography_part(part: Partition, profile: Profile, cand: gpd.GeoDataFrame,
                    cand_modes: Mapping[str, NDArray[np.bool_]], own_cand: NDArray[np.bool_],
                    search_s: NDArray[np.float64], positions: NDArray[np.int64], *,
                    circles: Sequence[str], snap_tolerance_m: float, node_crossings: bool,
                    max_snap_m: float) -> dict[str, Any]:
    """Coverage sets of the partition's own demand (candidates of its halo), the demand's
    road pieces and the own candidates' nearest roads. Runs on a worker."""
    from lifecircle.accessibility.snap import snap
    from lifecircle.planner.sets import coverage_times

    nets = _networks(part, profile, snap_tolerance_m, node_crossings)
    dem = part.demand
    kinds = dem["kind"].to_numpy()
    n_dem = len(dem)
    off = np.zeros(n_dem, dtype=bool)
    comp = np.full(n_dem, -1, dtype=np.int64)
    offset = (part.index + 1) << 32
    rows, cols, vals = [], [], []
    near = np.full(int(own_cand.sum()), np.inf)
    pieces: dict[str, set[int]] = {}
    cand_idx = {m: np.flatnonzero(v) for m, v in cand_modes.items()}
    csnaps: dict[str, Any] = {}
    own_pos = np.flatnonzero(own_cand)
    for ckey in circles:
        mask = kinds == ckey
        mode = profile.circles[ckey].mode
        net = nets[mode]
        if mode not in csnaps:
            csnaps[mode] = snap(net, cand.geometry.iloc[cand_idx[mode]], max_snap_m=max_snap_m)
            cs = csnaps[mode]
            ok = cs.edge >= 0
            lab = net.component[net.edge_u[cs.edge[ok]]]
            pieces.setdefault(mode, set()).update(
                np.where(lab == 0, 0, lab + offset).tolist())
        cs = csnaps[mode]
        # own candidates are in every mode's halo: their nearest road is exact here
        at = np.searchsorted(cand_idx[mode], own_pos)
        acc = cs.access_m[at]
        near = np.minimum(near, np.where(np.isnan(acc), np.inf, acc))
        if not mask.any():
            continue
        idx = np.flatnonzero(mask)
        ds = snap(net, dem.geometry.iloc[idx], max_snap_m=max_snap_m)
        off[idx] = ds.too_far
        ok = ds.edge >= 0
        lab = net.component[net.edge_u[ds.edge[ok]]]
        comp[idx[ok]] = np.where(lab == 0, 0, lab + offset)
        t = sp.coo_matrix(coverage_times(net, cs, ds, search_s[idx]))
        rows.append(cand_idx[mode][t.row])
        cols.append(positions[idx[t.col]])
        vals.append(t.data)
    return {"rows": np.concatenate(rows) if rows else np.zeros(0, np.int64),
            "cols": np.concatenate(cols) if cols else np.zeros(0, np.int64),
            "vals": np.concatenate(vals) if vals else np.zeros(0),
            "positions": positions, "off": off, "component": comp,
            "own_cand": own_pos, "nearest": near,
            "pieces": {m: frozenset(v) for m, v in pieces.items()}}


class ClusterGeography:
    """:func:`geography` as the planner's ``geography=`` object: it reuses the partitions
    of a finished cluster travel-time step (``merged``); parameters as :func:`geography`."""

    def __init__(self, client: Any, project: Project, layers: Any, demand: gpd.GeoDataFrame,
                 merged: ClusterTimes, *, by: str = "district",
                 progress: Callable[[str], None] = lambda _: None) -> None:
        self.client, self.project, self.layers = client, project, layers
        self.demand, self.merged, self.by, self.progress = demand, merged, by, progress

    def __call__(self, cand: gpd.GeoDataFrame, search_s: NDArray[np.float64]) -> Any:
        """Coverage sets of ``cand``, partition by partition on the cluster; the road pieces
        of the demand and the candidates (the "disconnected road piece" reason) from the
        whole networks (``merged.whole``) when the client made them."""
        import dataclasses

        from lifecircle.accessibility.snap import snap

        geo = geography(self.client, self.project, self.layers, self.demand,
                        self.merged.parts, by=self.by, progress=self.progress)(cand, search_s)
        if not self.merged.whole:
            return geo
        comp = np.full(len(self.demand), -1, dtype=np.int64)
        pieces = {}
        for mode, ms in self.merged.whole.items():
            net, ok = ms.network, ms.demand.edge >= 0
            comp[ms.demand_index[ok]] = net.component[net.edge_u[ms.demand.edge[ok]]]
            cs = snap(net, cand.geometry, max_snap_m=self.project.network.max_snap_m)
            pieces[mode] = frozenset(net.component[net.edge_u[cs.edge[cs.edge >= 0]]].tolist())
        return dataclasses.replace(geo, component=comp, candidate_pieces=pieces)


def geography(client: Any, project: Project, layers: Any, demand: gpd.GeoDataFrame,
              parts: Sequence[Partition], *, by: str = "district",
              progress: Callable[[str], None] = lambda _: None) -> Callable[..., Any]:
    """The planner's geography (:class:`lifecircle.planner.plan.SiteGeography`) computed on
    the cluster: each partition searches from the candidates of its halo to its own demand;
    the blocks are merged into the one candidates x demand matrix the model solves.

    Parameters
    ----------
    client
        A ``distributed.Client``.
    project, layers
        The project and its layers.
    demand
        The demand points exactly as given to :func:`lifecircle.planner.plan.plan`
        (positions 0..n-1 are its columns).
    parts
        The partitions of :func:`travel_times` (same demand).
    by
        Their key column.
    progress
        Step reporter.
    """
    from lifecircle.planner.plan import SiteGeography

    profile = project.profile
    max_snap = project.network.max_snap_m
    comm = layers.communities

    def build(cand: gpd.GeoDataFrame, search_s: NDArray[np.float64]) -> SiteGeography:
        kind_of = pd.Series(comm["kind"].to_numpy(), index=comm["cid"].to_numpy())
        minutes = demand["cid"].map(kind_of).map(
            {k: c.minutes for k, c in profile.circles.items()}).to_numpy(float)
        if np.any(search_s > SEARCH_FACTOR * minutes * 60.0 + 1e-6):
            raise notice(ClusterError, "err.dask.search", factor=f"{SEARCH_FACTOR:g}")
        n_dem, n_cand = len(demand), len(cand)
        circles = [k for k in profile.circles if (comm["kind"] == k).any()]
        pos_of = pd.Series(np.arange(n_dem), index=demand["did"].to_numpy())
        polys = comm.geometry.to_numpy()
        keys = comm[by].astype(object).where(comm[by].notna(), "").astype(str).to_numpy()
        names = np.array(sorted({p.key for p in parts}), dtype=object)
        part_of_comm = np.searchsorted(names, keys).astype(np.int64)
        cores = np.array([p.core for p in parts])
        owner = _owner(cand.geometry.to_numpy(), polys, part_of_comm, cores)
        tree = shapely.STRtree(cand.geometry.to_numpy())
        progress(i18n.t("progress.partition_sets", project.lang, n=len(parts)))
        futures = []
        for p in parts:
            # an owned candidate outside the core (none: cores include owned points) would
            # still be in every halo, as the core box grows by the halo
            own = owner == p.index
            core = _bbox_union(p.core, cand.geometry[own].total_bounds) if own.any() else p.core
            modes = {m: _within(tree, core, p.halo[m][0], n_cand) | own for m in p.halo}
            anyc = np.logical_or.reduce(list(modes.values()))
            positions = pos_of.reindex(p.demand["did"].to_numpy()).to_numpy(np.int64)
            futures.append(_submit(
                client, _geography_part, p, profile, cand[anyc],
                {m: v[anyc] for m, v in modes.items()}, own[anyc], search_s[positions],
                positions, circles=circles, snap_tolerance_m=project.network.snap_tolerance_m,
                node_crossings=project.network.node_crossings, max_snap_m=max_snap))
            futures[-1].anyc = np.flatnonzero(anyc)  # type: ignore[attr-defined]
        maps = [f.anyc for f in futures]  # type: ignore[attr-defined]
        results = _gather(client, futures, i18n.pair("dask.what.sets"), [p.key for p in parts])
        off = np.zeros(n_dem, dtype=bool)
        comp = np.full(n_dem, -1, dtype=np.int64)
        near = np.full(n_cand, np.inf)
        pieces: dict[str, set[int]] = {}
        rs, cs, vs = [], [], []
        for res, back in zip(results, maps, strict=True):
            rs.append(back[res["rows"]])
            cs.append(res["cols"])
            vs.append(res["vals"])
            off[res["positions"]] = res["off"]
            comp[res["positions"]] = res["component"]
            near[back[res["own_cand"]]] = res["nearest"]
            for m, v in res["pieces"].items():
                pieces.setdefault(m, set()).update(v)
        r = np.concatenate(rs) if rs else np.zeros(0, np.int64)
        c = np.concatenate(cs) if cs else np.zeros(0, np.int64)
        v = np.concatenate(vs) if vs else np.zeros(0)
        order = np.lexsort((c, r))
        r, c, v = r[order], c[order], v[order]
        indptr = np.r_[0, np.cumsum(np.bincount(r, minlength=n_cand))]
        tmat = sp.csr_matrix((v, c, indptr), shape=(n_cand, n_dem))
        return SiteGeography(tmat, off, comp, near,
                             {m: frozenset(s) for m, s in pieces.items()})

    return build
