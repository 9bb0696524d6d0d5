"""Candidate sites: from a candidates layer (idle public assets first) or generated along
the road network inside the gaps.

Both give a GeoDataFrame of points with the columns of :data:`COLUMNS`; the planner snaps
them to each mode's network. Idle public buildings rank first through ``priority`` (1 = an
idle public asset): the models prefer lower priority numbers among equally good solutions
(see :mod:`lifecircle.planner.models`). Generated sites get :data:`GENERATED_PRIORITY`, so
any site from the layer wins a tie against them.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from lifecircle.accessibility.network import Network
from lifecircle.errors import InputError, notice

__all__ = ["COLUMNS", "GENERATED_PRIORITY", "empty_frame", "from_layer", "generate", "thin"]

#: Columns of a prepared candidates frame (plus ``geometry``).
COLUMNS = ("cand_id", "name", "priority", "is_idle_asset", "source", "cost",
           "max_floor_area_m2", "capacity")

#: Priority of generated sites (after every site of a candidates layer).
GENERATED_PRIORITY = 9

#: Priority of layer sites that say neither ``priority`` nor ``is_idle_asset``.
DEFAULT_PRIORITY = 2


def _bool_column(values: pd.Series, name: str) -> NDArray[np.bool_]:
    truthy = {"true", "yes", "y", "1", "t", "是", "闲置"}
    falsy = {"false", "no", "n", "0", "f", "否", "", "nan", "none", "<na>"}
    out = np.zeros(len(values), dtype=bool)
    for i, v in enumerate(values.astype(object).to_numpy()):
        if isinstance(v, (bool, np.bool_)):
            out[i] = bool(v)
            continue
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            continue
        text = str(v).strip().lower()
        if text in truthy or text.replace(".0", "") == "1":
            out[i] = True
        elif text not in falsy and text.replace(".0", "") != "0":
            raise notice(InputError, "err.cand.bool", row=i, col=name, value=v)
    return out


def from_layer(candidates: gpd.GeoDataFrame, *, source: str = "layer") -> gpd.GeoDataFrame:
    """Normalise a candidates layer (canonical columns of docs/contracts.md).

    Polygons become a point on their surface. Missing columns get defaults: ``cand_id``
    ``C1..Cn``; ``is_idle_asset`` = ``priority == 1``; ``priority`` = 1 for idle assets
    and :data:`DEFAULT_PRIORITY` otherwise; ``cost`` 1; ``capacity`` NaN (unlimited).

    Parameters
    ----------
    candidates
        Point or polygon GeoDataFrame in the working CRS.
    source
        Value of the ``source`` column.

    Returns
    -------
    GeoDataFrame
        Columns :data:`COLUMNS` + geometry, index 0..n-1.

    Raises
    ------
    InputError
        A missing geometry, a duplicated ``cand_id``, a priority or cost that is not a
        number, a negative cost.
    """
    gdf = candidates.reset_index(drop=True)
    n = len(gdf)
    geom = gdf.geometry.values
    missing = shapely.is_missing(np.asarray(geom)) | shapely.is_empty(np.asarray(geom))
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise notice(InputError, "err.cand.no_geometry", row=i)
    pts = np.asarray(geom)
    not_point = shapely.get_type_id(pts) != 0
    if not_point.any():
        pts = pts.copy()
        pts[not_point] = shapely.point_on_surface(pts[not_point])
    cols = gdf.columns
    ids = (gdf["cand_id"].astype(str).to_numpy() if "cand_id" in cols
           else np.array([f"C{i + 1}" for i in range(n)], dtype=object))
    dup = pd.Index(ids).duplicated()
    if dup.any():
        raise notice(InputError, "err.cand.duplicate", value=ids[int(np.flatnonzero(dup)[0])])

    def number(name: str, default: float) -> NDArray[np.float64]:
        if name not in cols:
            return np.full(n, default)
        raw = pd.to_numeric(gdf[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = np.isnan(raw) & gdf[name].notna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise notice(InputError, "err.cand.number", row=i, col=name,
                         value=gdf[name].iloc[i])
        return np.where(np.isnan(raw), default, raw)

    idle_given = "is_idle_asset" in cols
    prio_raw = number("priority", np.nan)
    idle = (_bool_column(gdf["is_idle_asset"], "is_idle_asset") if idle_given
            else prio_raw == 1)
    priority = np.where(np.isnan(prio_raw), np.where(idle, 1, DEFAULT_PRIORITY), prio_raw)
    cost = number("cost", 1.0)
    if np.any(cost < 0):
        i = int(np.flatnonzero(cost < 0)[0])
        raise notice(InputError, "err.cand.cost", row=i, value=cost[i])
    capacity = number("capacity", np.nan)
    names = (gdf["name"].astype(object).where(gdf["name"].notna(), "").astype(str).to_numpy()
             if "name" in cols else np.full(n, "", dtype=object))
    names = np.where(names == "", ids, names)
    frame = pd.DataFrame({
        "cand_id": ids.astype(object),
        "name": names.astype(object),
        "priority": priority.astype(np.int64),
        "is_idle_asset": idle.astype(bool),
        "source": source,
        "cost": cost,
        "max_floor_area_m2": number("max_floor_area_m2", np.nan),
        "capacity": capacity,
    })
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(pts, crs=gdf.crs).values,
                            crs=gdf.crs)


def thin(xy: NDArray[np.float64], spacing_m: float) -> NDArray[np.int64]:
    """Indices of points kept so that at most one lies in each ``spacing_m`` grid cell (the
    one nearest the cell centre; ties: the lowest x, then y, then the first). The kept
    points do not depend on the order of the input, only on its coordinates."""
    if len(xy) == 0:
        return np.zeros(0, dtype=np.int64)
    cell = np.floor(xy / spacing_m).astype(np.int64)
    centre = (cell + 0.5) * spacing_m
    d = np.hypot(*(xy - centre).T)
    order = np.lexsort((np.arange(len(xy)), xy[:, 1], xy[:, 0], d, cell[:, 1], cell[:, 0]))
    c = cell[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = np.any(c[1:] != c[:-1], axis=1)
    return np.sort(order[first])


def generate(
    network: Network,
    *,
    spacing_m: float,
    within: Any = None,
    near: ArrayLike | None = None,
    near_m: float = 0.0,
    avoid: ArrayLike | None = None,
    min_distance_m: float = 0.0,
    priority: int = GENERATED_PRIORITY,
    prefix: str = "G",
) -> gpd.GeoDataFrame:
    """Candidate points along the road network.

    Points are laid along every usable edge about every ``spacing_m`` metres, thinned to at
    most one per ``spacing_m`` grid cell, then kept only where they are inside ``within``
    and/or within ``near_m`` of a ``near`` point, and at least ``min_distance_m`` from
    every ``avoid`` point (existing facilities of the category). They lie on the network,
    so they snap with a zero access leg.

    Parameters
    ----------
    network
        The road network (its CRS is the result's CRS).
    spacing_m
        Spacing of the points (> 0).
    within
        Polygon(s) (a shapely geometry, GeoSeries or GeoDataFrame), e.g. gap polygons.
    near
        ``(k, 2)`` coordinates or point geometries, e.g. uncovered demand points.
    near_m
        Radius around ``near`` points.
    avoid
        ``(k, 2)`` coordinates or point geometries of existing facilities.
    min_distance_m
        Least straight distance from any ``avoid`` point.
    priority, prefix
        Priority of the generated sites; their ids are ``prefix`` + a running number.

    Returns
    -------
    GeoDataFrame
        Columns :data:`COLUMNS` + geometry; ``source`` = ``"generated"``; in order of x,
        then y. The points depend only on the edges' geometry, never on their order in
        the network, so a network holding the same edges near ``near`` (a partition's, on
        a cluster) gives the same candidates.
    """
    if not spacing_m > 0:
        raise notice(InputError, "err.cand.spacing", value=spacing_m)
    usable = np.flatnonzero(np.isfinite(network.edge_time_fwd)
                            | np.isfinite(network.edge_time_bwd))
    length = network.edge_length[usable]
    k = np.maximum(1, np.round(length / spacing_m)).astype(np.int64)
    edge = np.repeat(usable, k)
    step = np.repeat(length / k, k)
    first = np.repeat(np.cumsum(k) - k, k)
    offset = (np.arange(len(edge)) - first + 0.5) * step
    pts = shapely.line_interpolate_point(network.edge_geometry[edge], offset)
    xy = shapely.get_coordinates(pts)
    keep = thin(xy, spacing_m)
    xy, pts = xy[keep], pts[keep]
    mask = np.ones(len(xy), dtype=bool)
    if within is not None:
        geom = within
        if hasattr(geom, "geometry"):
            geom = shapely.union_all(np.asarray(geom.geometry.values))
        elif isinstance(geom, (gpd.GeoSeries, np.ndarray, list, tuple)):
            geom = shapely.union_all(np.asarray(geom, dtype=object))
        shapely.prepare(geom)
        mask &= shapely.contains_xy(geom, xy[:, 0], xy[:, 1]) | shapely.intersects(geom, pts)
    if near is not None:
        nxy = _xy(near)
        if len(nxy) == 0:
            mask[:] = False
        else:
            d, _ = cKDTree(nxy).query(xy, k=1, distance_upper_bound=max(near_m, 0.0) + 1e-9)
            mask &= np.isfinite(d)
    if avoid is not None and min_distance_m > 0:
        axy = _xy(avoid)
        if len(axy):
            d, _ = cKDTree(axy).query(xy, k=1)
            mask &= d >= min_distance_m
    xy, pts = xy[mask], pts[mask]
    order = np.lexsort((xy[:, 1], xy[:, 0]))
    xy, pts = xy[order], pts[order]
    ids = np.array([f"{prefix}{i + 1}" for i in range(len(xy))], dtype=object)
    frame = pd.DataFrame({
        "cand_id": ids, "name": ids.copy(), "priority": np.full(len(xy), priority, np.int64),
        "is_idle_asset": np.zeros(len(xy), dtype=bool), "source": "generated",
        "cost": np.ones(len(xy)), "max_floor_area_m2": np.full(len(xy), np.nan),
        "capacity": np.full(len(xy), np.nan)})
    return gpd.GeoDataFrame(frame, geometry=pts, crs=network.crs)


def empty_frame(crs: Any) -> gpd.GeoDataFrame:
    """A candidates frame with no rows (columns :data:`COLUMNS`)."""
    frame = pd.DataFrame({
        "cand_id": np.zeros(0, dtype=object), "name": np.zeros(0, dtype=object),
        "priority": np.zeros(0, np.int64), "is_idle_asset": np.zeros(0, dtype=bool),
        "source": np.zeros(0, dtype=object), "cost": np.zeros(0),
        "max_floor_area_m2": np.zeros(0), "capacity": np.zeros(0)})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs).values, crs=crs)


def _xy(points: Any) -> NDArray[np.float64]:
    if hasattr(points, "geometry"):
        points = points.geometry.values
    arr = np.asarray(points)
    if arr.dtype == object:
        geoms = arr[~(shapely.is_missing(arr) | shapely.is_empty(arr))]
        if len(geoms) == 0:
            return np.zeros((0, 2))
        return shapely.get_coordinates(shapely.point_on_surface(geoms))[:, :2]
    return np.asarray(arr, dtype=np.float64).reshape(-1, 2)
