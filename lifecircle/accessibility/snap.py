"""Place points on the nearest usable edge of a network (not the nearest node).

A point is snapped to the closest point of the closest edge the mode may travel in at
least one direction: edge id, offset along the edge from ``edge_u`` and the straight
access leg. Points farther than ``max_snap_m`` from every such edge are flagged
``too_far`` and left unsnapped (edge ``-1``): a house across a river is never quietly
placed on the far bank's road.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyproj
import shapely
from numpy.typing import ArrayLike, NDArray

from lifecircle.accessibility.network import Network, cache
from lifecircle.errors import InputError, notice

__all__ = ["Snapped", "concat", "snap"]


@dataclass(frozen=True, eq=False)
class Snapped:
    """Points placed on a network.

    Attributes
    ----------
    edge
        ``(k,)`` edge index, -1 where not snapped.
    offset_m
        Distance along the edge from ``edge_u`` (NaN where not snapped).
    access_m
        Straight distance from the point to the edge (to the nearest usable edge for
        points too far, or ``inf`` when :func:`snap` was told not to measure it; NaN for
        missing geometries).
    too_far
        True where the point was not snapped: farther than ``max_snap_m`` from every
        usable edge, or without a geometry.
    xy
        ``(k, 2)`` the original points.
    """

    edge: NDArray[np.int64]
    offset_m: NDArray[np.float64]
    access_m: NDArray[np.float64]
    too_far: NDArray[np.bool_]
    xy: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.edge.shape[0])

    def take(self, index: ArrayLike) -> Snapped:
        """The points selected by an integer index or boolean mask, in that order."""
        idx = np.asarray(index)
        idx = np.flatnonzero(idx) if idx.dtype == bool else idx.astype(np.int64, copy=False)
        return Snapped(self.edge[idx], self.offset_m[idx], self.access_m[idx],
                       self.too_far[idx], self.xy[idx])

    @property
    def snapped(self) -> NDArray[np.bool_]:
        """True where the point sits on an edge."""
        return self.edge >= 0


def concat(parts: Sequence[Snapped]) -> Snapped:
    """The points of every part, in order (one Snapped of several already snapped sets)."""
    if not parts:
        e = np.zeros(0)
        return Snapped(np.zeros(0, np.int64), e, e.copy(), np.zeros(0, bool), np.zeros((0, 2)))
    return Snapped(np.concatenate([p.edge for p in parts]),
                   np.concatenate([p.offset_m for p in parts]),
                   np.concatenate([p.access_m for p in parts]),
                   np.concatenate([p.too_far for p in parts]),
                   np.concatenate([p.xy.reshape(-1, 2) for p in parts]))


def _points_xy(points: Any, network: Network) -> NDArray[np.float64]:
    """(k, 2) coordinates of points, geometries or an array; NaN for missing ones."""
    crs = getattr(points, "crs", None)
    if (crs is not None and network.crs is not None
            and not pyproj.CRS.from_user_input(crs).equals(network.crs)):
        raise notice(InputError, "err.api.snap_crs",
                     crs=pyproj.CRS.from_user_input(crs).to_string(),
                     net=network.crs.to_string())
    if hasattr(points, "geometry"):
        points = points.geometry.values
    arr = np.asarray(points)
    if arr.dtype != object:
        xy = np.asarray(arr, dtype=np.float64)
        if xy.ndim != 2 or xy.shape[1] < 2:
            raise notice(InputError, "err.api.snap_shape", shape=str(xy.shape))
        return xy[:, :2].copy()
    geom = arr.astype(object)
    out = np.full((len(geom), 2), np.nan)
    present = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    g = geom[present]
    not_point = shapely.get_type_id(g) != 0
    if not_point.any():
        g = g.copy()
        g[not_point] = shapely.point_on_surface(g[not_point])
    out[present] = shapely.get_coordinates(g)[:, :2] if len(g) else np.zeros((0, 2))
    return out


def edge_tree(network: Network) -> tuple[shapely.STRtree, NDArray[np.int64]]:
    """STRtree of the edges the mode can use, and the edge id of each tree item (cached)."""
    c = cache(network)
    if "edge_tree" not in c:
        usable = np.flatnonzero(np.isfinite(network.edge_time_fwd)
                                | np.isfinite(network.edge_time_bwd))
        c["edge_tree"] = (shapely.STRtree(network.edge_geometry[usable]), usable)
    return c["edge_tree"]


def _break_ties(network: Network, pi: NDArray[np.int64], e: NDArray[np.int64],
                dist: NDArray[np.float64]
                ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """One edge per point among equally near ones: the fastest, then the one with the
    lowest end (then middle) coordinates, so the choice depends on the roads, never on the
    order of the edges (a partition of the network snaps as the whole one)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        pace = (np.fmin(network.edge_time_fwd[e], network.edge_time_bwd[e])
                / network.edge_length[e])
    a, b = network.node_xy[network.edge_u[e]], network.node_xy[network.edge_v[e]]
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo, hi = np.where(swap[:, None], b, a), np.where(swap[:, None], a, b)
    mid = shapely.get_coordinates(shapely.line_interpolate_point(
        network.edge_geometry[e], 0.5, normalized=True))
    # last: a road drawn twice in opposite directions -> the copy running low to high
    order = np.lexsort((swap, mid[:, 1], mid[:, 0], hi[:, 1], hi[:, 0], lo[:, 1], lo[:, 0],
                        pace, dist, pi))
    pi, e, dist = pi[order], e[order], dist[order]
    first = np.r_[True, pi[1:] != pi[:-1]]
    return pi[first], e[first], dist[first]


def snap(network: Network, points: Any, *, max_snap_m: float,
         far_access: bool = True) -> Snapped:
    """Snap points to the nearest usable edge of ``network``.

    Parameters
    ----------
    network
        The network (its CRS must equal the points' CRS when both are known).
    points
        GeoSeries/GeoDataFrame (non-point geometries use a point on their surface), an
        array of shapely geometries, or a ``(k, 2)`` array of coordinates.
    max_snap_m
        Largest access leg; farther points are flagged ``too_far`` and not snapped.
    far_access
        Also measure how far the points beyond ``max_snap_m`` are from the road (for the
        users' warnings); False leaves their ``access_m`` at ``inf`` and skips that
        unbounded search (raster cells).

    Returns
    -------
    Snapped
        Per point: edge, offset along it, access leg and the ``too_far`` flag.
    """
    xy = _points_xy(points, network)
    k = len(xy)
    edge = np.full(k, -1, dtype=np.int64)
    offset = np.full(k, np.nan)
    access = np.full(k, np.nan)
    valid = np.isfinite(xy).all(axis=1)
    tree, usable = edge_tree(network)
    vi = np.flatnonzero(valid)
    if len(usable) == 0:
        access[vi] = np.inf
        return Snapped(edge, offset, access, ~valid | (access > max_snap_m), xy)
    pts = shapely.points(xy[vi])
    limit = float(max_snap_m)
    kw: dict[str, Any] = {"max_distance": limit} if np.isfinite(limit) else {}
    (pi, ti), dist = tree.query_nearest(pts, return_distance=True, all_matches=True, **kw)
    e = usable[ti]
    if pi.size and np.any(pi[1:] == pi[:-1]):
        pi, e, dist = _break_ties(network, pi, e, dist)
    edge[vi[pi]] = e
    access[vi[pi]] = dist
    geoms = network.edge_geometry[e]
    offset[vi[pi]] = np.clip(shapely.line_locate_point(geoms, pts[pi]), 0.0,
                             network.edge_length[e])
    far = np.ones(len(vi), dtype=bool)
    far[pi] = False
    if not far_access:
        access[vi[far]] = np.inf
    elif far.any():
        (fi, _), fdist = tree.query_nearest(pts[far], return_distance=True,
                                            all_matches=False)
        access[vi[np.flatnonzero(far)[fi]]] = fdist
    too_far = ~valid | (edge < 0)
    return Snapped(edge, offset, access, too_far, xy)
