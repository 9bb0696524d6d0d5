"""Service-area polygons: the road reachable within a time, buffered and dissolved.

For every ring (e.g. 5, 10, 15 minutes) the reachable road is collected edge by edge:
whole edges, the part of an edge entered from a node with time left, and the parts on
either side of a source lying on the edge (one-way edges only in their direction). The
pieces plus the sources' access legs are buffered by ``trim_m`` and dissolved. Each ring's
polygon is the whole area reachable within its minutes (rings nest), and places nothing
reaches stay holes. Geometry work is vectorised; only the final buffer per polygon is a
GEOS call of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from lifecircle.accessibility.network import Network, cache, ranges
from lifecircle.accessibility.snap import Snapped
from lifecircle.accessibility.traveltime import (
    _access_s,
    _fraction,
    augmented,
    node_times,
)
from lifecircle.errors import InputError, notice

__all__ = ["grid_cell_m", "reachable_intervals", "service_areas", "substrings"]


def _edge_coords(network: Network) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Flat edge vertex table (cached): xy, cumulative measure, its value at each edge's
    first vertex, and each edge's vertex range."""
    c = cache(network)
    if "edge_coords" not in c:
        xy, eidx = shapely.get_coordinates(network.edge_geometry, return_index=True)
        seg = np.zeros(len(eidx))
        same = eidx[1:] == eidx[:-1]
        seg[1:] = np.where(same, np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1])), 0.0)
        cs = np.cumsum(seg)
        ptr = np.searchsorted(eidx, np.arange(network.n_edges + 1))
        # global monotone key: start of each edge's measure range + measure within it
        start = cs[np.minimum(ptr[:-1], len(cs) - 1)] if len(cs) else np.zeros(0)
        c["edge_coords"] = (xy, cs, start, ptr)
    return c["edge_coords"]


def substrings(network: Network, edge: NDArray[np.int64], a: NDArray[np.float64],
               b: NDArray[np.float64]) -> NDArray[np.object_]:
    """Parts of edges between distances ``a`` < ``b`` from ``edge_u`` (vectorised).

    Parameters
    ----------
    network
        The network.
    edge, a, b
        Edge index and the start and end distance along it of each piece.

    Returns
    -------
    ndarray of LineString
        One per piece, following the edge geometry.
    """
    edge = np.asarray(edge, dtype=np.int64)
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    out = np.empty(len(edge), dtype=object)
    length = network.edge_length[edge]
    full = (a <= 0) & (b >= length)
    out[full] = network.edge_geometry[edge[full]]
    part = np.flatnonzero(~full)
    if len(part) == 0:
        return out
    e, pa, pb = edge[part], a[part], b[part]
    xy, cs, start, ptr = _edge_coords(network)
    # vertices strictly inside (a, b), found through the global monotone measure ``cs``
    # and kept within each edge's own vertex range
    base = start[e]
    lo = np.searchsorted(cs, base + pa, side="right")
    hi = np.searchsorted(cs, base + pb, side="left")
    lo = np.clip(lo, ptr[e] + 1, ptr[e + 1] - 1)
    hi = np.clip(hi, lo, ptr[e + 1] - 1)
    n_in = hi - lo
    geoms = network.edge_geometry[e]
    p0 = shapely.get_coordinates(shapely.line_interpolate_point(geoms, pa))
    p1 = shapely.get_coordinates(shapely.line_interpolate_point(geoms, pb))
    counts = n_in + 2
    offs = np.concatenate([[0], np.cumsum(counts)])
    coords = np.empty((int(offs[-1]), 2))
    coords[offs[:-1]] = p0
    coords[offs[1:] - 1] = p1
    inner_pos = ranges(offs[:-1] + 1, n_in)
    coords[inner_pos] = xy[ranges(lo, n_in)]
    ids = np.repeat(np.arange(len(e)), counts)
    out[part] = shapely.linestrings(coords, indices=ids)
    return out


def _reached_edges(network: Network, dist: NDArray[np.float64], budget_s: float
                   ) -> NDArray[np.int64]:
    """Edges with an end node reached in less than ``budget_s`` (node incidence cached)."""
    c = cache(network)
    if "incidence" not in c:
        m = network.n_edges
        nodes = np.concatenate([network.edge_u, network.edge_v])
        order = np.argsort(nodes, kind="stable")
        inc = np.concatenate([np.arange(m), np.arange(m)])[order]
        ptr = np.searchsorted(nodes[order], np.arange(network.n_nodes + 1))
        c["incidence"] = (ptr, inc)
    ptr, inc = c["incidence"]
    reached = np.flatnonzero(dist < budget_s)
    return np.unique(inc[ranges(ptr[reached], ptr[reached + 1] - ptr[reached])])


def reachable_intervals(network: Network, dist: NDArray[np.float64], budget_s: float,
                        sources: Snapped | None = None,
                        src: NDArray[np.int64] | None = None
                        ) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Reachable pieces of edges within ``budget_s``, merged per edge.

    Parameters
    ----------
    network
        The network.
    dist
        Seconds to every node.
    budget_s
        Time available.
    sources, src
        Sources (and the positions of those that count) whose own edges are travelled
        directly from the source point.

    Returns
    -------
    edge, a, b
        Disjoint intervals ``[a, b]`` (metres from ``edge_u``) of reachable road.
    """
    length = network.edge_length
    tf, tb = network.edge_time_fwd, network.edge_time_bwd
    # only edges at a node reached with time to spare can hold reachable road
    eid = _reached_edges(network, dist, budget_s)
    le, tfe, tbe = length[eid], tf[eid], tb[eid]
    with np.errstate(invalid="ignore", divide="ignore"):
        ru = budget_s - dist[network.edge_u[eid]]
        rv = budget_s - dist[network.edge_v[eid]]
        fu = np.where(ru > 0, np.minimum(1.0, ru / tfe), 0.0)
        fv = np.where(rv > 0, np.minimum(1.0, rv / tbe), 0.0)
    fu = np.nan_to_num(fu, nan=0.0)
    fv = np.nan_to_num(fv, nan=0.0)
    e_list = [eid[fu > 0], eid[fv > 0]]
    a_list = [np.zeros(int((fu > 0).sum())), (le * (1 - fv))[fv > 0]]
    b_list = [(le * fu)[fu > 0], le[fv > 0]]
    if sources is not None and src is not None and len(src):
        e, f = _fraction(network, sources, src)
        r = budget_s - _access_s(network, sources, src)
        ok = r > 0
        e, f, r = e[ok], f[ok], r[ok]
        with np.errstate(invalid="ignore", divide="ignore"):
            df = np.nan_to_num(np.minimum(1.0 - f, r / tf[e]), nan=0.0)
            db = np.nan_to_num(np.minimum(f, r / tb[e]), nan=0.0)
        o = f * length[e]
        e_list += [e, e]
        a_list += [o, o - db * length[e]]
        b_list += [o + df * length[e], o]
    e = np.concatenate(e_list)
    a = np.concatenate(a_list)
    b = np.concatenate(b_list)
    keep = b > a
    e, a, b = e[keep], a[keep], b[keep]
    if len(e) == 0:
        return e.astype(np.int64), a, b
    order = np.lexsort((a, e))
    e, a, b = e[order], a[order], b[order]
    # merge overlapping intervals per edge: running max of b restarted at each edge
    new_edge = np.ones(len(e), dtype=bool)
    new_edge[1:] = e[1:] != e[:-1]
    shift = np.cumsum(new_edge) * (2.0 * (float(length.max()) + 1.0))
    run = np.maximum.accumulate(b + shift) - shift
    starts = np.ones(len(e), dtype=bool)
    starts[1:] = new_edge[1:] | (a[1:] > run[:-1])
    s_idx = np.flatnonzero(starts)
    end = np.maximum.reduceat(b, s_idx)
    return e[s_idx].astype(np.int64), a[s_idx], end


def _pieces(network: Network, dist: NDArray[np.float64], budget: float, sources: Snapped,
            src: NDArray[np.int64]) -> list[shapely.Geometry]:
    """Reachable road within ``budget`` seconds: edge pieces, access legs and sources."""
    e, a, b = reachable_intervals(network, dist, budget, sources, src)
    pieces = list(substrings(network, e, a, b))
    acc_ok = _access_s(network, sources, src) <= budget
    s_ok = src[acc_ok & (sources.access_m[src] > 0)]
    if len(s_ok):
        foot = shapely.line_interpolate_point(network.edge_geometry[sources.edge[s_ok]],
                                              sources.offset_m[s_ok])
        legs = shapely.linestrings(
            np.stack([sources.xy[s_ok], shapely.get_coordinates(foot)], axis=1))
        pieces += list(legs)
    pieces += list(shapely.points(sources.xy[src[acc_ok]]))
    return pieces


def _area(network: Network, dist: NDArray[np.float64], budget: float, sources: Snapped,
          src: NDArray[np.int64], trim_m: float) -> shapely.Geometry:
    """Exact: every reachable piece buffered by ``trim_m`` and dissolved."""
    pieces = _pieces(network, dist, budget, sources, src)
    if not pieces:
        return shapely.Polygon()
    # buffering each piece and dissolving with a cascaded union is ~50x faster than one
    # buffer of the whole collection, for the same area
    geom = shapely.union_all(shapely.buffer(np.asarray(pieces, dtype=object), trim_m,
                                            quad_segs=4))
    return shapely.make_valid(geom) if not shapely.is_valid(geom) else geom


def _areas_grid(network: Network, dist: NDArray[np.float64], budgets: Sequence[float],
                sources: Snapped, src: NDArray[np.int64], trim_m: float, cell_m: float,
                min_hole_m2: float = 0.0) -> list[shapely.Geometry]:
    """Fast, for display: the reachable road of every ring burnt into one grid.

    The road of each ring is sampled at most ``cell_m / 2`` apart and each sample's cell
    gets the smallest ring that reaches it; a minimum filter over a disk of radius
    ``trim_m`` then dilates all rings at once, and each ring is polygonised in bulk
    (:func:`lifecircle.geo.raster.masks_parts`, every cluster at once: holes under
    ``min_hole_m2`` filled before a Douglas-Peucker simplification). A ring that reaches no
    cell beyond the previous one reuses its polygon. With ``trim_m >= 2 * cell_m`` (the
    default cell is ``trim_m / 2``) every reachable point is inside its ring's polygon,
    whose outline follows the exact (buffered) one to within a cell diagonal plus the
    simplification tolerance (up to one cell, never more than the margin that keeps the
    reachable road inside), apart from the filled holes; a corridor comes out up to one
    cell wider than the exact one.
    """
    from affine import Affine
    from scipy import ndimage

    from lifecircle.geo.raster import gather_parts, masks_parts

    none = len(budgets)
    per_ring = [np.asarray(_pieces(network, dist, b, sources, src), dtype=object)
                for b in budgets]
    if not len(per_ring[-1]):
        return [shapely.Polygon() for _ in budgets]
    rad = int(np.ceil(trim_m / cell_m))
    pad = (rad + 2) * cell_m
    minx, miny, maxx, maxy = shapely.total_bounds(per_ring[-1])
    minx, maxy = minx - pad, maxy + pad
    width = int(np.ceil((maxx + pad - minx) / cell_m))
    height = int(np.ceil((maxy - (miny - pad)) / cell_m))
    label = np.full((height, width), none, dtype=np.uint8)
    rows, cols = [], []
    for k in range(len(budgets) - 1, -1, -1):  # largest first: smaller rings overwrite
        if not len(per_ring[k]):
            continue
        xy = _samples(per_ring[k], cell_m / 2.0)
        col = ((xy[:, 0] - minx) / cell_m).astype(np.int64)
        row = ((maxy - xy[:, 1]) / cell_m).astype(np.int64)
        label[row, col] = k
        if k == len(budgets) - 1:
            rows, cols = row, col
    disk = None
    if rad > 0:
        yy, xx = np.mgrid[-rad:rad + 1, -rad:rad + 1]
        disk = (xx * xx + yy * yy) * cell_m * cell_m <= (trim_m + 1e-9) ** 2
        disk |= (np.abs(xx) <= 1) & (np.abs(yy) <= 1)
    # the cell staircase is simplified away, by less than half a cell (so that no two
    # parts, at least one cell apart, can come to overlap) and never by more than the
    # margin between the reachable road (trim - one cell diagonal - a quarter cell of road
    # sampling inside) and the outline
    tol = max(0.0, min(0.45 * cell_m, 0.9 * (trim_m - np.sqrt(2.0) * cell_m - cell_m / 4.0)))
    # Reached road comes in clusters (towns, villages) in a mostly empty grid: blocks of
    # ``b`` cells holding road, grown by one block, split it into clusters at least one
    # block (more than the dilation reaches) apart, each dilated and polygonised on its own
    # bounding box only.
    b = max(32, 4 * (rad + 1))
    occupied = np.zeros((-(-height // b), -(-width // b)), dtype=bool)
    occupied[rows // b, cols // b] = True
    eight = np.ones((3, 3), dtype=bool)
    blocks, _ = ndimage.label(ndimage.binary_dilation(occupied, structure=eight),
                              structure=eight)
    # per cluster and ring: the mask to polygonise, or the position of the ring before it
    # when nothing is first reached in this one (same parts); traced together at the end
    todo: list[tuple[NDArray[np.bool_], Affine]] = []
    which: list[list[int]] = [[] for _ in budgets]
    new_in_ring = np.zeros(none + 1, dtype=np.int64)
    for i, sl in enumerate(ndimage.find_objects(blocks)):
        if sl is None:
            continue
        r0, r1 = sl[0].start * b, min(sl[0].stop * b, height)
        c0, c1 = sl[1].start * b, min(sl[1].stop * b, width)
        own = np.repeat(np.repeat(blocks[sl] == i + 1, b, axis=0), b, axis=1)
        sub = np.where(own[:r1 - r0, :c1 - c0], label[r0:r1, c0:c1], none).astype(np.uint8)
        if disk is not None:
            sub = ndimage.minimum_filter(sub, footprint=disk, mode="constant", cval=none)
        transform = Affine(cell_m, 0.0, minx + c0 * cell_m, 0.0, -cell_m, maxy - r0 * cell_m)
        present = np.bincount(sub.ravel(), minlength=none + 1)
        new_in_ring += present
        for k in range(len(budgets)):
            if k and present[k] == 0:   # nothing first reached in this ring: same parts
                which[k].append(which[k - 1][-1])
            else:
                which[k].append(len(todo))
                todo.append((sub <= k, transform))
    traced = masks_parts(todo, simplify_m=tol, min_hole_m2=min_hole_m2)
    parts = [[traced[j] for j in which[k]] for k in range(len(budgets))]
    out: list[shapely.Geometry] = []
    for k in range(len(budgets)):
        if k and new_in_ring[k] == 0:   # a ring reaching nothing new: the same polygon
            out.append(out[-1])
            continue
        out.append(gather_parts(np.concatenate(parts[k]) if parts[k] else
                                np.empty(0, dtype=object), check=False))
    return out


def _samples(lines: NDArray[np.object_], step: float) -> NDArray[np.float64]:
    """Points along ``lines`` (and points) at most ``step`` apart, every vertex included."""
    xy, idx = shapely.get_coordinates(lines, return_index=True)
    same = idx[1:] == idx[:-1]
    p0 = xy[:-1][same]
    d = xy[1:][same] - p0
    n = np.maximum(np.ceil(np.hypot(d[:, 0], d[:, 1]) / step), 1.0).astype(np.int64)
    seg = np.repeat(np.arange(len(p0)), n)
    start = np.cumsum(n) - n
    t = (np.arange(int(n.sum())) - start[seg]) / n[seg]
    return np.vstack([p0[seg] + t[:, None] * d[seg], xy])


def grid_cell_m(reach_m: float, trim_m: float = 50.0) -> float:
    """A grid cell for :func:`service_areas` that fits a ring's reach.

    About 1/250 of the straight reach (a walking circle of 1 km gets ``trim_m / 2.5``, an
    e-bike circle of 7.5 km a cell 1.5x as wide), between ``trim_m / 2.5`` and
    ``trim_m / 2`` so that every reachable point stays inside its polygon. The cost of the
    grid falls with the square of the cell.
    """
    return float(min(trim_m / 2.0, max(trim_m / 2.5, reach_m / 250.0)))


def service_areas(network: Network, sources: Snapped, minutes: Sequence[float], *,
                  trim_m: float = 50.0, per_source: bool = False, method: str = "buffer",
                  cell_m: float | None = None, min_hole_m2: float = 0.0) -> gpd.GeoDataFrame:
    """Service-area polygons of ``sources`` for each ring of ``minutes``.

    Parameters
    ----------
    network
        The network of the travel mode.
    sources
        Snapped sources (facilities); unsnapped ones are left out.
    minutes
        Ring limits, e.g. ``[5, 10, 15]``; each polygon holds everything reachable within
        its minutes (rings nest).
    trim_m
        Buffer around the reachable road (how far off the road a place still counts).
    per_source
        One polygon per source and ring instead of one per ring for all sources merged.
    method
        ``buffer`` (exact: reachable pieces buffered by ``trim_m`` and dissolved) or
        ``grid`` (fast, for display: the reachable road burnt into a grid of ``cell_m``
        cells, default ``trim_m / 2``, and dilated by ``trim_m``; contains every reachable
        point when ``trim_m >= 2 * cell_m`` and follows the exact outline to within a cell
        diagonal).
    cell_m
        Grid cell of ``method="grid"`` (:func:`grid_cell_m` gives one that fits a reach).
    min_hole_m2
        ``method="grid"``: holes of smaller area (the blocks between reached streets) are
        filled before simplifying; 0 keeps every hole.

    Returns
    -------
    GeoDataFrame
        Columns ``source`` (position in ``sources``, -1 when merged), ``minutes`` and
        ``geometry`` (Polygon/MultiPolygon, possibly empty), in the network's CRS; sorted
        by source then minutes.
    """
    if method not in ("buffer", "grid"):
        raise notice(InputError, "err.api.iso_method", value=repr(method))
    cell = float(cell_m) if cell_m else max(trim_m / 2.0, 1.0)

    def areas(dist: NDArray[np.float64], src: NDArray[np.int64]) -> list[shapely.Geometry]:
        budgets = [m * 60.0 for m in rings]
        if method == "grid":
            return _areas_grid(network, dist, budgets, sources, src, trim_m, cell,
                               min_hole_m2)
        return [_area(network, dist, b, sources, src, trim_m) for b in budgets]

    rings = sorted({float(m) for m in minutes})
    src = np.flatnonzero(sources.edge >= 0)
    rows_source: list[int] = []
    rows_min: list[float] = []
    rows_geom: list[shapely.Geometry] = []
    if rings and len(src):
        limit = rings[-1] * 60.0
        if not per_source:
            dist, _ = node_times(network, sources, limit_s=limit)
            rows_source += [-1] * len(rings)
            rows_min += rings
            rows_geom += areas(dist, src)
        else:
            n = network.n_nodes
            g = augmented(network, sources, src)
            b = int(max(1, min(256, (64 * 2**20) // (8 * (n + len(src))))))
            for lo in range(0, len(src), b):
                rows = np.arange(lo, min(lo + b, len(src)))
                dist = dijkstra(g, directed=True, indices=n + rows, limit=limit)
                for i, r in enumerate(rows):
                    rows_source += [int(src[r])] * len(rings)
                    rows_min += rings
                    rows_geom += areas(dist[i, :n], src[r:r + 1])
    return gpd.GeoDataFrame(
        {"source": np.asarray(rows_source, dtype=np.int64),
         "minutes": np.asarray(rows_min, dtype=np.float64)},
        geometry=gpd.GeoSeries(rows_geom, crs=network.crs), crs=network.crs)
