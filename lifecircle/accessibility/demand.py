"""Demand points: where the residents of each community live, and how many.

Three sources, in order of preference:

``raster``
    A population GeoTIFF. Every cell with people becomes a point at the cell centre, joined
    to the community that contains it; each community's points are then rescaled so they
    sum to the community layer's ``population`` exactly (the layer is the authority on
    totals, the raster on where people live inside a community).
``points``
    A points layer (buildings, households) with a ``population`` field. The points are
    authoritative: their population is kept (a mismatch with the community totals is
    reported as a warning) unless ``rescale_points=True``.
``frontage``
    Neither is given: each community's population is spread evenly along the roads inside
    it (motorways and trunk roads excluded), one point about every 50 m.

In every method a community with population but no cell, point or road gets one point at a
representative point inside its polygon (with a warning), so no community drops out of the
check. Warnings are returned, never printed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import NDArray

from lifecircle.errors import InputError, Note, notice
from lifecircle.geo.crs import transformer
from lifecircle.i18n import items, pair

#: Spacing of frontage demand points along roads (metres).
FRONTAGE_SPACING_M = 50.0
#: Road classes that carry no residential frontage.
FRONTAGE_EXCLUDED = frozenset({"motorway", "trunk"})
#: Default working cell size of raster demand (metres; the project's ``raster_cell_m``).
RASTER_CELL_M = 100.0
#: Relative difference between a points layer's and the community layer's population that
#: is reported as a mismatch.
MISMATCH_TOLERANCE = 0.01


@dataclass(frozen=True)
class Demand:
    """Demand points and how they were made.

    Attributes
    ----------
    points
        One row per demand point, in the working CRS: ``did`` (int, 0..n-1), ``cid``,
        ``population``, ``households`` (NaN where the community's households are unknown),
        ``geometry`` (Point). Points with zero population are not kept.
    per_community
        One row per community (layer order): ``cid``, ``input_population`` (the community
        layer's value), ``population`` (sum over its demand points), ``households``,
        ``n_points``, ``placement`` (``cells``, ``points``, ``roads``,
        ``representative point`` or ``none`` for a community with no population).
    outside_population
        Population of raster cells (within the communities' extent) or of points that fall
        outside every community; not part of ``points``.
    method
        ``raster``, ``points`` or ``frontage``.
    warnings
        Data warnings for the report (one line each).
    """

    points: gpd.GeoDataFrame
    per_community: pd.DataFrame
    outside_population: float
    method: str
    warnings: tuple[str, ...] = ()

    @property
    def total_population(self) -> float:
        """Population carried by all demand points."""
        return float(self.points["population"].sum())


# ---------------------------------------------------------------------------- helpers
def _cids(communities: gpd.GeoDataFrame, n: int = 5) -> tuple[str, str]:
    """Up to ``n`` community ids as a ``(zh, en)`` placeholder pair."""
    return items([str(c) for c in communities], n)


def _check_communities(communities: gpd.GeoDataFrame, crs: Any) -> gpd.GeoDataFrame:
    for col in ("cid", "population"):
        if col not in communities.columns:
            raise notice(InputError, "err.api.column", layer=pair("layer.communities"),
                         col=col, key="communities")
    if communities.crs is not None and crs is not None and not communities.crs.equals(crs):
        communities = communities.to_crs(crs)
    pop = pd.to_numeric(communities["population"], errors="coerce").to_numpy(float)
    bad = np.flatnonzero(pop < 0)
    if bad.size:
        i = bad[0]
        raise notice(InputError, "err.api.pop_negative", row=i,
                     cid=communities["cid"].iloc[i], value=pop[i])
    return communities


def _assign(geoms: NDArray[np.object_], polygons: NDArray[np.object_]
            ) -> tuple[NDArray[np.int64], int]:
    """Position of the polygon containing each geometry (-1 if none), vectorised.

    A point on a shared boundary or inside overlapping polygons goes to the first polygon
    (layer order). Returns the positions and the number of points matched more than once.
    """
    out = np.full(len(geoms), -1, dtype=np.int64)
    if len(geoms) == 0 or len(polygons) == 0:
        return out, 0
    tree = shapely.STRtree(polygons)
    pi, ci = tree.query(geoms, predicate="intersects")
    if pi.size == 0:
        return out, 0
    order = np.lexsort((ci, pi))
    pi, ci = pi[order], ci[order]
    first = np.r_[True, pi[1:] != pi[:-1]]
    out[pi[first]] = ci[first]
    n_multi = int(np.unique(pi[~first]).size)
    return out, n_multi


def _representative_points(communities: gpd.GeoDataFrame, pos: NDArray[np.int64]
                           ) -> NDArray[np.object_]:
    return shapely.point_on_surface(communities.geometry.to_numpy()[pos])


def _finish(communities: gpd.GeoDataFrame, comm_pos: NDArray[np.int64],
            geoms: NDArray[np.object_], pop: NDArray[np.float64], placement: list[str],
            crs: Any, outside: float, method: str, warnings: list[str]) -> Demand:
    """Add representative points for unplaced communities, households, ids; build Demand."""
    target = pd.to_numeric(communities["population"], errors="coerce").to_numpy(float)
    hh = (pd.to_numeric(communities["households"], errors="coerce").to_numpy(float)
          if "households" in communities.columns else np.full(len(communities), np.nan))
    keep = pop > 0
    comm_pos, geoms, pop = comm_pos[keep], geoms[keep], pop[keep]
    placed = np.bincount(comm_pos, minlength=len(communities)) > 0
    empty = np.flatnonzero(~placed & (np.nan_to_num(target) > 0))
    if empty.size:
        cids = communities["cid"].iloc[empty]
        warnings.append(Note(f"warn.demand.empty_{method}", n=empty.size, cids=_cids(cids)))
        comm_pos = np.concatenate([comm_pos, empty])
        geoms = np.concatenate([geoms, _representative_points(communities, empty)])
        pop = np.concatenate([pop, target[empty]])
        for i in empty:
            placement[i] = "representative point"
    order = np.argsort(comm_pos, kind="stable")
    comm_pos, geoms, pop = comm_pos[order], geoms[order], pop[order]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(target > 0, hh / target, np.nan)
    households = pop * ratio[comm_pos]
    cid = communities["cid"].to_numpy()
    points = gpd.GeoDataFrame(
        {"did": np.arange(len(pop), dtype=np.int64), "cid": cid[comm_pos],
         "population": pop.astype(float), "households": households.astype(float)},
        geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)
    n = len(communities)
    sum_pop = np.bincount(comm_pos, weights=pop, minlength=n)
    sum_hh = np.bincount(comm_pos, weights=np.nan_to_num(households), minlength=n)
    sum_hh[np.isnan(ratio) & (sum_pop > 0)] = np.nan
    n_points = np.bincount(comm_pos, minlength=n)
    per = pd.DataFrame({
        "cid": cid, "input_population": target, "population": sum_pop,
        "households": sum_hh, "n_points": n_points.astype(np.int64),
        "placement": [p if k > 0 else "none" for p, k in zip(placement, n_points, strict=True)],
    })
    return Demand(points, per, float(outside), method, tuple(warnings))


# ---------------------------------------------------------------------------- raster
def _raster_cells(path: Path, communities: gpd.GeoDataFrame, crs: Any,
                  cell_m: float | None = None
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], int]:
    """Populated cells over the communities: centres (x, y in the working CRS), people, and
    the number of negative cells skipped.

    Only the window covering the communities is read, strip by strip. Where the raster is
    finer than ``cell_m`` it is summed into blocks of whole cells about ``cell_m`` wide
    (people are counts, so totals are exact), each block placed at the centre of its cells:
    a 1 m grid over a city gives as many demand points as a ``cell_m`` grid, and memory
    stays bounded. A raster whose window exceeds :data:`lifecircle.limits.MAX_RASTER_CELLS`
    is refused before reading.
    """
    import rasterio

    from lifecircle.errors import notice
    from lifecircle.geo.raster import read_strips, window_over
    from lifecircle.limits import MAX_RASTER_CELLS, check_regular

    check_regular(path)
    try:
        src = rasterio.open(path)
    except rasterio.errors.RasterioIOError as e:
        raise notice(InputError, "err.api.raster_unreadable", path=str(path),
                     error=str(e)) from e
    with src:
        if src.crs is None:
            raise notice(InputError, "err.api.raster_no_crs", path=str(path))
        rcrs = pyproj.CRS.from_user_input(src.crs.to_wkt())
        wcrs = pyproj.CRS.from_user_input(crs) if crs is not None else rcrs
        same = rcrs.equals(wcrs)
        bounds = tuple(float(v) for v in communities.total_bounds)
        c0, r0, c1, r1 = window_over(src, bounds, wcrs)  # type: ignore[arg-type]
        empty = np.empty(0)
        if c1 <= c0 or r1 <= r0:
            return empty, empty, empty, 0
        width, height = c1 - c0, r1 - r0
        if width * height > MAX_RASTER_CELLS:
            raise notice(InputError, "err.raster_too_large", path=path,
                         where=("在社区范围内", "over the communities' extent"),
                         cells=f"{width * height:,}", width=f"{src.width:,}",
                         height=f"{src.height:,}", res=f"{src.res[0]:g}",
                         limit=f"{MAX_RASTER_CELLS:,}")
        t = src.transform
        kx, ky = _block_factors(t, (c0, r0, c1, r1), bounds, same, rcrs, wcrs, cell_m)
        c0, r0 = c0 // kx * kx, r0 // ky * ky  # blocks on the raster's own grid of k cells
        xs, ys, vals = [], [], []
        negative = 0
        for off, arr in read_strips(src, (c0, r0, c1, r1), rows_multiple=ky):
            data = np.ma.getdata(arr).astype(np.float64)
            valid = ~np.ma.getmaskarray(arr) & np.isfinite(data)
            negative += int(np.count_nonzero(valid & (data < 0)))
            valid &= data > 0
            if kx == 1 and ky == 1:
                rr, cc = np.nonzero(valid)
                values = data[rr, cc]
                px = cc + c0 + 0.5
                py = rr + r0 + off + 0.5
            else:
                values, px, py = _block_sums(np.where(valid, data, 0.0), valid, kx, ky)
                px = px + c0
                py = py + r0 + off
            xs.append(t.a * px + t.b * py + t.c)
            ys.append(t.d * px + t.e * py + t.f)
            vals.append(values)
    x = np.concatenate(xs) if xs else empty
    y = np.concatenate(ys) if ys else empty
    values = np.concatenate(vals) if vals else empty
    if not same and len(x):
        x, y = transformer(rcrs, wcrs).transform(x, y)
    return np.asarray(x, float), np.asarray(y, float), values, negative


def _block_factors(t: Any, window: tuple[int, int, int, int],
                   bounds: tuple[float, float, float, float], same: bool, rcrs: Any,
                   wcrs: Any, cell_m: float | None) -> tuple[int, int]:
    """Raster cells per block along x and y so a block is at most ``cell_m`` wide (>= 1)."""
    if cell_m is None or not cell_m > 0:
        return 1, 1
    c0, r0, c1, r1 = window
    if same and rcrs.is_projected:
        res_x, res_y = abs(t.a), abs(t.e)
    else:  # the cell size in working metres, from the window's extent
        minx, miny, maxx, maxy = bounds
        res_x = (maxx - minx) / max(c1 - c0, 1)
        res_y = (maxy - miny) / max(r1 - r0, 1)
    kx = max(1, math.floor(cell_m / res_x + 1e-9)) if res_x > 0 else 1
    ky = max(1, math.floor(cell_m / res_y + 1e-9)) if res_y > 0 else 1
    return kx, ky


def _block_sums(data: NDArray[np.float64], valid: NDArray[np.bool_], kx: int, ky: int
                ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Sum ``data`` over blocks of ``ky`` x ``kx`` cells; keep blocks with people.

    Returns the sums and the block centres in pixel coordinates of ``data`` (the centre of
    the cells a block covers, so partial blocks at the edges stay inside the window).
    """
    h, w = data.shape
    nby, nbx = -(-h // ky), -(-w // kx)
    padded = np.zeros((nby * ky, nbx * kx))
    padded[:h, :w] = data
    sums = padded.reshape(nby, ky, nbx, kx).sum(axis=(1, 3))
    cover = np.zeros((nby * ky, nbx * kx), dtype=bool)
    cover[:h, :w] = valid
    has = cover.reshape(nby, ky, nbx, kx).any(axis=(1, 3)) & (sums > 0)
    by, bx = np.nonzero(has)
    cols = np.minimum((bx + 1) * kx, w) - bx * kx
    rows = np.minimum((by + 1) * ky, h) - by * ky
    return sums[by, bx], bx * kx + cols / 2.0, by * ky + rows / 2.0


def _from_raster(communities: gpd.GeoDataFrame, path: Path, crs: Any,
                 cell_m: float | None = None) -> Demand:
    warnings: list[str] = []
    x, y, values, negative = _raster_cells(path, communities, crs, cell_m)
    if negative:
        warnings.append(Note("warn.demand.negative", name=path.name, n=negative))
    geoms = shapely.points(np.column_stack([x, y])) if len(x) else np.empty(0, object)
    pos, n_multi = _assign(geoms, communities.geometry.to_numpy())
    if n_multi:
        warnings.append(Note("warn.demand.overlap_cells", n=n_multi))
    outside = float(values[pos < 0].sum())
    inside = pos >= 0
    pos, geoms, values = pos[inside], geoms[inside], values[inside]
    n = len(communities)
    raw = np.bincount(pos, weights=values, minlength=n)
    target = pd.to_numeric(communities["population"], errors="coerce").to_numpy(float)
    unknown = np.isnan(target) & (raw > 0)
    if unknown.any():
        warnings.append(Note("warn.demand.raster_used", n=int(unknown.sum()),
                             cids=_cids(communities["cid"][unknown])))
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(np.isnan(target), 1.0, target / raw)
    pop = values * factor[pos]
    placement = ["cells"] * n
    return _finish(communities, pos, geoms, pop, placement, crs, outside, "raster", warnings)


# ---------------------------------------------------------------------------- points
def _from_points(communities: gpd.GeoDataFrame, points: gpd.GeoDataFrame, crs: Any,
                 rescale: bool) -> Demand:
    warnings: list[str] = []
    if "population" not in points.columns:
        raise notice(InputError, "err.api.column", layer=pair("layer.population"),
                     col="population", key="population")
    if points.crs is not None and crs is not None and not points.crs.equals(crs):
        points = points.to_crs(crs)
    pop = pd.to_numeric(points["population"], errors="coerce").to_numpy(float)
    bad = np.flatnonzero(pop < 0)
    if bad.size:
        raise notice(InputError, "err.api.points_negative", row=int(bad[0]),
                     value=pop[bad[0]])
    n_nan = int(np.isnan(pop).sum())
    if n_nan:
        warnings.append(Note("warn.demand.points_nan", n=n_nan))
    geoms = points.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        warnings.append(Note("warn.demand.points_no_geometry", n=int(missing.sum())))
    keep = ~missing & ~np.isnan(pop)
    geoms, pop = geoms[keep], pop[keep]
    not_point = shapely.get_type_id(geoms) != 0
    if not_point.any():
        geoms = geoms.copy()
        geoms[not_point] = shapely.point_on_surface(geoms[not_point])
    pos, n_multi = _assign(geoms, communities.geometry.to_numpy())
    if n_multi:
        warnings.append(Note("warn.demand.overlap_points", n=n_multi))
    outside = float(pop[pos < 0].sum())
    if outside > 0:
        warnings.append(Note("warn.demand.outside", pop=f"{outside:,.0f}",
                             n=int((pos < 0).sum())))
    inside = pos >= 0
    pos, geoms, pop = pos[inside], geoms[inside], pop[inside]
    n = len(communities)
    got = np.bincount(pos, weights=pop, minlength=n)
    target = pd.to_numeric(communities["population"], errors="coerce").to_numpy(float)
    has = np.bincount(pos, minlength=n) > 0
    diff = np.abs(got - target)
    off = has & ~np.isnan(target) & (diff > np.maximum(0.5, MISMATCH_TOLERANCE * target))
    if rescale:
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(np.isnan(target) | (got <= 0), 1.0, target / got)
        pop = pop * factor[pos]
        if off.any():
            warnings.append(Note("warn.demand.rescaled", n=int(off.sum()),
                                 tol=f"{MISMATCH_TOLERANCE:.0%}"))
    elif off.any():
        worst = int(np.argmax(np.where(off, diff, -1)))
        warnings.append(Note(
            "warn.demand.differ", tol=f"{MISMATCH_TOLERANCE:.0%}", n=int(off.sum()),
            points=f"{got[has].sum():,.0f}", layer=f"{np.nansum(target[has]):,.0f}",
            cid=communities["cid"].iloc[worst], got=f"{got[worst]:,.0f}",
            want=f"{target[worst]:,.0f}"))
    placement = ["points"] * n
    return _finish(communities, pos, geoms, pop, placement, crs, outside, "points", warnings)


# ---------------------------------------------------------------------------- frontage
def _from_frontage(communities: gpd.GeoDataFrame, roads: gpd.GeoDataFrame | None, crs: Any,
                   spacing_m: float) -> Demand:
    warnings: list[str] = []
    n = len(communities)
    target = pd.to_numeric(communities["population"], errors="coerce").to_numpy(float)
    unknown = np.isnan(target)
    if unknown.any():
        warnings.append(Note("warn.demand.no_population", n=int(unknown.sum()),
                             cids=_cids(communities["cid"][unknown])))
    empty_pos = np.empty(0, np.int64)
    if roads is None or len(roads) == 0:
        warnings.append(Note("warn.demand.no_roads"))
        return _finish(communities, empty_pos, np.empty(0, object), np.empty(0), ["roads"] * n,
                       crs, 0.0, "frontage", warnings)
    if roads.crs is not None and crs is not None and not roads.crs.equals(crs):
        roads = roads.to_crs(crs)
    lines = roads.geometry.to_numpy()
    if "road_class" in roads.columns:
        lines = lines[~roads["road_class"].isin(FRONTAGE_EXCLUDED).to_numpy()]
    lines = lines[~(shapely.is_missing(lines) | shapely.is_empty(lines))]
    polys = communities.geometry.to_numpy()
    ci, ri = shapely.STRtree(lines).query(polys, predicate="intersects")
    pieces = shapely.intersection(polys[ci], lines[ri])
    parts, idx = shapely.get_parts(pieces, return_index=True)
    owner = ci[idx]
    is_line = shapely.get_type_id(parts) == 1
    parts, owner = parts[is_line], owner[is_line]
    length = shapely.length(parts)
    ok = (length > 0) & ~np.isnan(target[owner]) & (target[owner] > 0)
    parts, owner, length = parts[ok], owner[ok], length[ok]
    k = np.maximum(1, np.ceil(length / spacing_m - 1e-9)).astype(np.int64)
    rep = np.repeat(np.arange(len(parts)), k)
    start = np.cumsum(k) - k
    j = np.arange(rep.size) - start[rep]
    step = length / k
    dist = (j + 0.5) * step[rep]
    geoms = shapely.line_interpolate_point(parts[rep], dist)
    pos = owner[rep]
    weight = step[rep]
    total = np.bincount(pos, weights=weight, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        pop = target[pos] * weight / total[pos]
    return _finish(communities, pos, np.asarray(geoms, object), pop, ["roads"] * n, crs, 0.0,
                   "frontage", warnings)


# ---------------------------------------------------------------------------- public
def build_demand(communities: gpd.GeoDataFrame, *, raster_path: str | Path | None = None,
                 points: gpd.GeoDataFrame | None = None,
                 roads: gpd.GeoDataFrame | None = None, crs: Any,
                 rescale_points: bool = False,
                 frontage_spacing_m: float = FRONTAGE_SPACING_M,
                 cell_m: float | None = RASTER_CELL_M) -> Demand:
    """Build the demand points of every community.

    Parameters
    ----------
    communities
        Canonical communities (``cid``, ``population``, optional ``households``; polygons).
        Reprojected to ``crs`` if their CRS differs.
    raster_path
        Population GeoTIFF (people per cell, any CRS; nodata, NaN and zero cells skipped).
        Only the window covering the communities is read. Totals are rescaled to the
        community layer's ``population``.
    points
        Population points (``population`` field; polygons are replaced by a point on their
        surface). Their population is kept unless ``rescale_points``.
    roads
        Canonical roads, used only when neither ``raster_path`` nor ``points`` is given:
        population spread evenly along the roads inside each community (motorway and trunk
        excluded), one point every ``frontage_spacing_m`` metres or so.
    crs
        The metric working CRS of the result.
    rescale_points
        Rescale a points layer so each community's total equals the community layer's.
    frontage_spacing_m
        Spacing of frontage points along roads.
    cell_m
        Working cell size (metres) of raster demand: a finer raster is summed into blocks
        of whole cells at most this wide, read window by window (None: every cell).

    Returns
    -------
    Demand
        Points, per-community totals, population outside every community, the method and
        data warnings. Households per point = population x the community's households /
        population.

    Raises
    ------
    InputError
        Both a raster and points given, a missing column, a negative population, or an
        unreadable raster.
    """
    if raster_path is not None and points is not None:
        raise notice(InputError, "err.api.two_populations")
    communities = _check_communities(communities, crs)
    if raster_path is not None:
        return _from_raster(communities, Path(raster_path), crs, cell_m)
    if points is not None:
        return _from_points(communities, points, crs, rescale_points)
    return _from_frontage(communities, roads, crs, frontage_spacing_m)


__all__ = ["FRONTAGE_EXCLUDED", "FRONTAGE_SPACING_M", "Demand", "build_demand"]
