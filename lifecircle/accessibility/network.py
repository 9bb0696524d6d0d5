"""Road graph of one travel mode: noding, gap closing, edges and CSR travel times.

:func:`build` turns a road line layer (canonical columns, metric working CRS) into a
:class:`Network`:

1. MultiLineStrings are exploded; empty and zero-length lines are dropped.
2. Lines are noded where they share a vertex (end points and interior vertices alike) and,
   with ``node_crossings=True``, where they cross without one (bridges and flyovers cross
   without meeting, so this is off by default).
3. Digitising gaps are closed: an end point within ``snap_tolerance_m`` of a vertex of
   another line is merged with it (KD-tree), and an end point within the tolerance of the
   middle of another line's segment is joined to that line at its foot point.
4. Every line is split into edges between graph nodes, keeping its true geometry, and each
   edge gets a travel time per direction from the mode's speed on its road class.

All steps work on whole arrays (shapely 2, numpy, scipy); there is no Python loop per line
or edge.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyproj
import scipy.sparse as sp
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from lifecircle.errors import InputError, notice
from lifecircle.profile import Mode

__all__ = ["Network", "build", "components", "from_edges"]

_LINE_TYPES = (1, 2)  # shapely type ids of LineString and LinearRing
_ONEWAY_FORWARD = ("true", "yes", "1", "1.0", "t", "y", "forward", "是")
_ONEWAY_BACKWARD = ("-1", "-1.0", "reverse", "backward", "reversed")
_NO_WALK = ("false", "no", "0", "0.0", "f", "n", "否")


@dataclass(frozen=True, eq=False)
class Network:
    """A routable road graph for one travel mode.

    Attributes
    ----------
    mode
        Key of the travel mode the times are for.
    crs
        The metric CRS of ``node_xy`` and the edge geometries.
    node_xy
        ``(n, 2)`` node coordinates.
    graph
        ``(n, n)`` CSR matrix of travel seconds, directed; the row is the tail. Parallel
        edges keep the fastest; self-loops are left out.
    edge_u, edge_v
        ``(m,)`` end nodes of each edge; the geometry runs from ``edge_u`` to ``edge_v``.
    edge_length
        ``(m,)`` metres along the geometry.
    edge_time_fwd, edge_time_bwd
        ``(m,)`` seconds u->v and v->u; ``inf`` where the mode may not go that way.
    edge_geometry
        ``(m,)`` shapely LineStrings from u to v.
    component
        ``(n,)`` weakly connected piece of each node; 0 is the piece with the most road
        length, then by decreasing length.
    access_speed_mps
        Speed of the straight off-network leg between a point and the road.
    """

    mode: str
    crs: pyproj.CRS | None
    node_xy: NDArray[np.float64]
    graph: sp.csr_matrix
    edge_u: NDArray[np.int64]
    edge_v: NDArray[np.int64]
    edge_length: NDArray[np.float64]
    edge_time_fwd: NDArray[np.float64]
    edge_time_bwd: NDArray[np.float64]
    edge_geometry: NDArray[np.object_]
    component: NDArray[np.int64]
    access_speed_mps: float

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_xy.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return int(self.edge_u.shape[0])

    def __repr__(self) -> str:
        return (f"Network(mode={self.mode!r}, nodes={self.n_nodes}, edges={self.n_edges}, "
                f"km={self.edge_length.sum() / 1000:.1f})")


# Per-network caches (STRtree, edge coordinate tables) that must not live in the frozen
# dataclass's fields. Keyed weakly so they go with the network.
_CACHE: weakref.WeakKeyDictionary[Network, dict[str, Any]] = weakref.WeakKeyDictionary()


def cache(network: Network) -> dict[str, Any]:
    """Per-network scratch dictionary for derived structures (private to the package)."""
    d = _CACHE.get(network)
    if d is None:
        d = {}
        _CACHE[network] = d
    return d


# ---------------------------------------------------------------------------- helpers
def ranges(starts: NDArray[np.int64], counts: NDArray[np.int64]) -> NDArray[np.int64]:
    """Concatenate ``arange(s, s + c)`` for every (s, c) pair, without a Python loop."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    return (np.arange(total, dtype=np.int64) - np.repeat(ends - counts, counts)
            + np.repeat(np.asarray(starts, dtype=np.int64), counts))


def _group_xy(x: NDArray[np.float64], y: NDArray[np.float64]
              ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Label identical (x, y) pairs: (group id per row, first row of each group)."""
    gid, rep, _, _ = _group_xy_sorted(x, y)
    return gid, rep


def _group_xy_sorted(x: NDArray[np.float64], y: NDArray[np.float64]
                     ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64],
                                NDArray[np.int64]]:
    """Like :func:`_group_xy`, also giving the row order by group and group starts."""
    order = np.lexsort((y, x))
    xs, ys = x[order], y[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (xs[1:] != xs[:-1]) | (ys[1:] != ys[:-1])
    gid_sorted = np.cumsum(new) - 1
    gid = np.empty(len(order), dtype=np.int64)
    gid[order] = gid_sorted
    return gid, order[new], order, np.flatnonzero(new)


def _oneway_codes(values: Any) -> NDArray[np.int8]:
    """1 for one-way along the geometry, -1 against it, 0 for both ways."""
    s = pd.Series(values)
    if s.dtype == bool:
        return s.to_numpy().astype(np.int8)
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    text = [str(u).strip().lower() for u in uniques]
    table = np.array([1 if t in _ONEWAY_FORWARD else -1 if t in _ONEWAY_BACKWARD else 0
                      for t in text], dtype=np.int8)
    return table[codes] if len(table) else np.zeros(len(s), dtype=np.int8)


def _walk_allowed(values: Any) -> NDArray[np.bool_]:
    """False only where ``walk`` says no (false/no/0/否); missing means allowed."""
    s = pd.Series(values)
    if s.dtype == bool:
        return s.to_numpy()
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    table = np.array([str(u).strip().lower() not in _NO_WALK for u in uniques], dtype=bool)
    return table[codes] if len(table) else np.ones(len(s), dtype=bool)


def _mode_speeds(road_class: NDArray[np.object_], mode: Mode) -> NDArray[np.float64]:
    """Speed in m/s per row from the mode's class speeds (0 where forbidden)."""
    cls = pd.Series(road_class, dtype="object")
    cls = cls.where(cls.notna(), "")
    table = {c: mode.speed_mps(str(c)) for c in pd.unique(cls)}
    return cls.map(table).to_numpy(dtype=np.float64)


# ---------------------------------------------------------------------------- build
def build(roads: Any, mode: Mode, *, snap_tolerance_m: float = 1.0,
          node_crossings: bool = False) -> Network:
    """Build the routable network of ``mode`` from a road line layer.

    Parameters
    ----------
    roads
        GeoDataFrame of LineStrings/MultiLineStrings in a metric CRS with the canonical
        columns ``road_class``, ``oneway``, ``speed_kmh`` and ``walk`` (each optional:
        default speed of the mode, two-way, no posted speed, walkable).
    mode
        Travel mode from the profile; what it obeys comes from its flags, never its name.
        Classes it forbids, and rows with ``walk`` false for modes with ``pedestrian =
        true``, get no edge. One-way (``oneway`` true/yes/1 along the geometry, -1/reverse
        against it) applies only to modes with ``oneway = true``; modes with
        ``posted_speeds = true`` take a row's ``speed_kmh`` where it is given.
    snap_tolerance_m
        End points within this distance of another line's vertex or segment are joined
        (closes digitising gaps). 0 joins only exactly shared vertices.
    node_crossings
        Also node lines where they cross without a shared vertex (off by default, as
        bridges and flyovers cross without meeting).

    Returns
    -------
    Network
        Edges usable by the mode in at least one direction, and their nodes.

    Raises
    ------
    InputError
        When the layer has a geographic CRS, or holds geometries that are not lines.
    """
    geoms, rows = _line_parts(roads)
    n_rows = len(roads)
    road_class = _column(roads, "road_class", None)
    oneway = _oneway_codes(_column(roads, "oneway", False)) if mode.oneway else np.zeros(
        n_rows, dtype=np.int8)
    speeds = _mode_speeds(road_class, mode)
    if mode.posted_speeds:
        posted = pd.to_numeric(pd.Series(_column(roads, "speed_kmh", np.nan)),
                               errors="coerce").to_numpy(dtype=np.float64)
        use = np.isfinite(posted) & (posted > 0) & (speeds > 0)
        speeds = np.where(use, posted / 3.6, speeds)
    if mode.pedestrian:
        speeds = np.where(_walk_allowed(_column(roads, "walk", True)), speeds, 0.0)

    # rows the mode cannot use at all never enter the graph
    usable = speeds[rows] > 0
    geoms, rows = geoms[usable], rows[usable]

    edges = _node_lines(geoms, float(snap_tolerance_m), bool(node_crossings))
    line_of_edge, edge_geom, eu, ev, node_xy = edges
    erow = rows[line_of_edge]
    length = shapely.length(edge_geom)
    with np.errstate(divide="ignore"):
        t = length / speeds[erow]
    code = oneway[erow]
    t_fwd = np.where(code == -1, np.inf, t)
    t_bwd = np.where(code == 1, np.inf, t)
    crs = getattr(roads, "crs", None)
    return _assemble(node_xy, eu, ev, length, t_fwd, t_bwd, edge_geom, mode.key,
                     pyproj.CRS.from_user_input(crs) if crs is not None else None,
                     mode.speed_kmh / 3.6)


def _column(frame: Any, name: str, default: Any) -> NDArray[Any]:
    if name in getattr(frame, "columns", ()):
        return np.asarray(frame[name].to_numpy(dtype=object))
    return np.full(len(frame), default, dtype=object)


def _line_parts(roads: Any) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    """Exploded line geometries and, per part, the position of its row in ``roads``."""
    crs = getattr(roads, "crs", None)
    if crs is not None and not pyproj.CRS.from_user_input(crs).is_projected:
        raise notice(InputError, "err.api.roads_geographic",
                     crs=pyproj.CRS.from_user_input(crs).to_string())
    geom = np.asarray(roads.geometry.values if hasattr(roads, "geometry") else roads,
                      dtype=object)
    present = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    gtype = shapely.get_type_id(geom)
    bad = present & ~np.isin(gtype, (1, 2, 5))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        label = roads.index[i] if hasattr(roads, "index") else i
        raise notice(InputError, "err.api.roads_not_line", row=label,
                     type=geom[i].geom_type, n=int(bad.sum()))
    idx = np.flatnonzero(present)
    if (gtype[idx] == 1).all():
        parts, which = geom[idx], np.arange(len(idx))
    else:
        parts, which = shapely.get_parts(geom[idx], return_index=True)
    keep = np.isin(shapely.get_type_id(parts), _LINE_TYPES) & (shapely.length(parts) > 0)
    return parts[keep], idx[which[keep]].astype(np.int64)


class _Table:
    """Flat vertex table of all lines: coordinates, line, measure along the line, flags."""

    def __init__(self, x: NDArray, y: NDArray, line: NDArray, meas: NDArray,
                 forced: NDArray) -> None:
        self.x, self.y, self.line, self.meas, self.forced = x, y, line, meas, forced

    @classmethod
    def from_lines(cls, lines: NDArray[np.object_]) -> _Table:
        xy, line = shapely.get_coordinates(lines, return_index=True)
        line = line.astype(np.int64)
        seg = np.zeros(len(line))
        same = line[1:] == line[:-1]
        seg[1:] = np.where(same, np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1])), 0.0)
        cs = np.cumsum(seg)
        first = np.ones(len(line), dtype=bool)
        first[1:] = ~same
        start_cs = cs[first][np.cumsum(first) - 1]
        t = cls(xy[:, 0].copy(), xy[:, 1].copy(), line, cs - start_cs,
                np.zeros(len(line), dtype=bool))
        t.dedupe()
        return t

    def first_last(self) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
        n = len(self.line)
        first = np.ones(n, dtype=bool)
        last = np.ones(n, dtype=bool)
        if n:
            first[1:] = self.line[1:] != self.line[:-1]
            last[:-1] = first[1:]
        return first, last

    def insert(self, x: NDArray, y: NDArray, line: NDArray, meas: NDArray) -> None:
        """Add vertices (forced nodes) and restore the (line, measure) order."""
        self.x = np.concatenate([self.x, x])
        self.y = np.concatenate([self.y, y])
        self.line = np.concatenate([self.line, line.astype(np.int64)])
        self.meas = np.concatenate([self.meas, meas])
        self.forced = np.concatenate([self.forced, np.ones(len(x), dtype=bool)])
        order = np.lexsort((self.meas, self.line))
        for name in ("x", "y", "line", "meas", "forced"):
            setattr(self, name, getattr(self, name)[order])
        self.dedupe()

    def dedupe(self) -> None:
        """Drop consecutive repeated coordinates within a line (keeping node flags)."""
        n = len(self.line)
        if n == 0:
            return
        keep = np.ones(n, dtype=bool)
        keep[1:] = ((self.line[1:] != self.line[:-1]) | (self.x[1:] != self.x[:-1])
                    | (self.y[1:] != self.y[:-1]))
        if keep.all():
            return
        starts = np.flatnonzero(keep)
        forced = np.add.reduceat(self.forced.astype(np.int64), starts) > 0
        for name in ("x", "y", "line", "meas"):
            setattr(self, name, getattr(self, name)[keep])
        self.forced = forced
        # lines left with a single vertex have collapsed
        counts = np.bincount(self.line)
        ok = counts[self.line] >= 2
        if not ok.all():
            for name in ("x", "y", "line", "meas", "forced"):
                setattr(self, name, getattr(self, name)[ok])


def _crossings(lines: NDArray[np.object_], table: _Table) -> None:
    """Insert the points where two lines cross without a shared vertex."""
    tree = shapely.STRtree(lines)
    i, j = tree.query(lines, predicate="crosses")
    keep = i < j
    i, j = i[keep], j[keep]
    if len(i) == 0:
        return
    inter = shapely.intersection(lines[i], lines[j])
    xy, pair = shapely.get_coordinates(inter, return_index=True)
    if len(xy) == 0:
        return
    pts = shapely.points(xy)
    li = np.concatenate([i[pair], j[pair]])
    pts2 = np.concatenate([pts, pts])
    meas = shapely.line_locate_point(lines[li], pts2)
    table.insert(np.concatenate([xy[:, 0], xy[:, 0]]), np.concatenate([xy[:, 1], xy[:, 1]]),
                 li, meas)


def _cluster_endpoints(table: _Table, tol: float) -> None:
    """Merge end points with vertices (of other lines) within ``tol`` metres."""
    first, last = table.first_last()
    endpoint = first | last
    gid, rep, order, starts = _group_xy_sorted(table.x, table.y)
    ng = len(rep)
    ux, uy = table.x[rep], table.y[rep]
    count = np.bincount(gid, minlength=ng)
    is_end = np.bincount(gid, weights=endpoint, minlength=ng) > 0
    lines_sorted = table.line[order]
    lmin = np.minimum.reduceat(lines_sorted, starts)
    lmax = np.maximum.reduceat(lines_sorted, starts)
    single = np.where(lmin == lmax, lmin, -1)
    gmeas = table.meas[rep]
    ends = np.flatnonzero(is_end)
    if len(ends) == 0:
        return
    uxy = np.column_stack([ux, uy])
    tree_all = cKDTree(uxy)
    tree_end = cKDTree(uxy[ends])
    pairs = tree_end.sparse_distance_matrix(tree_all, tol, output_type="ndarray")
    a = ends[pairs["i"]]
    b = pairs["j"].astype(np.int64)
    ok = a != b
    # two vertices of one and the same line merge only when far apart along it (a loop
    # closing on itself), never a short line collapsing to a point
    same_line = (single[a] == single[b]) & (single[a] >= 0)
    ok &= ~(same_line & (np.abs(gmeas[a] - gmeas[b]) <= 2.0 * tol))
    a, b = a[ok], b[ok]
    if len(a) == 0:
        return
    g = sp.coo_matrix((np.ones(len(a)), (a, b)), shape=(ng, ng)).tocsr()
    _, label = connected_components(g, directed=False)
    # each cluster takes the position of its most shared member
    order = np.lexsort((np.arange(ng), -count, label))
    head = np.ones(ng, dtype=bool)
    head[1:] = label[order][1:] != label[order][:-1]
    rep_of_label = np.empty(label.max() + 1, dtype=np.int64)
    rep_of_label[label[order][head]] = order[head]
    target = rep_of_label[label]
    moved = target[gid]
    table.x = ux[moved]
    table.y = uy[moved]
    table.dedupe()


def _snap_tees(lines: NDArray[np.object_], table: _Table, tol: float) -> None:
    """Join end points lying within ``tol`` of another line's segment to that line."""
    first, last = table.first_last()
    gid, rep = _group_xy(table.x, table.y)
    ng = len(rep)
    is_end = np.bincount(gid, weights=first | last, minlength=ng) > 0
    ends = np.flatnonzero(is_end)
    if len(ends) == 0:
        return
    pts = shapely.points(table.x[rep[ends]], table.y[rep[ends]])
    tree = shapely.STRtree(lines)
    pi, li = tree.query(pts, predicate="dwithin", distance=tol)
    if len(pi) == 0:
        return
    # lines already holding this point as a vertex are joined already
    nl = len(lines)
    at_end = is_end[gid]
    have = np.sort(gid[at_end].astype(np.int64) * nl + table.line[at_end])
    key = ends[pi].astype(np.int64) * nl + li
    pos = np.minimum(np.searchsorted(have, key), len(have) - 1)
    new = have[pos] != key
    pi, li = pi[new], li[new]
    if len(pi) == 0:
        return
    d = shapely.distance(pts[pi], lines[li])
    order = np.lexsort((li, d, pi))
    head = np.ones(len(order), dtype=bool)
    head[1:] = pi[order][1:] != pi[order][:-1]
    pi, li = pi[order][head], li[order][head]
    meas = shapely.line_locate_point(lines[li], pts[pi])
    foot = shapely.line_interpolate_point(lines[li], meas)
    fxy = shapely.get_coordinates(foot)
    # move the end point (every row at it) onto the foot point, then insert the foot
    target = np.full(ng, -1, dtype=np.int64)
    target[ends[pi]] = np.arange(len(pi))
    t_row = target[gid]
    hit = t_row >= 0
    table.x = table.x.copy()
    table.y = table.y.copy()
    table.x[hit] = fxy[t_row[hit], 0]
    table.y[hit] = fxy[t_row[hit], 1]
    table.insert(fxy[:, 0], fxy[:, 1], li, meas)


def _node_lines(lines: NDArray[np.object_], tol: float, crossings: bool
                ) -> tuple[NDArray, NDArray, NDArray, NDArray, NDArray]:
    """Split lines into edges between nodes.

    Returns (line of each edge, edge geometry, u, v, node_xy).
    """
    table = _Table.from_lines(lines)
    if crossings and len(lines) > 1:
        _crossings(lines, table)
    if tol > 0 and len(table.line):
        _cluster_endpoints(table, tol)
    if len(table.line):
        _snap_tees(lines, table, max(tol, 0.0))
    n = len(table.line)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros(0, dtype=object), empty, empty, np.zeros((0, 2))

    first, last = table.first_last()
    gid, rep = _group_xy(table.x, table.y)
    ng = len(rep)
    count = np.bincount(gid, minlength=ng)
    flag = first | last | table.forced
    is_node_g = (count >= 2) | (np.bincount(gid, weights=flag, minlength=ng) > 0)
    is_node = is_node_g[gid]
    node_gids = np.flatnonzero(is_node_g)
    node_id_of_g = np.full(ng, -1, dtype=np.int64)
    node_id_of_g[node_gids] = np.arange(len(node_gids))
    node_xy = np.column_stack([table.x[rep[node_gids]], table.y[rep[node_gids]]])

    # edge k of a line runs from its k-th node vertex to the next one
    cum = np.cumsum(is_node) - 1             # global index of the last node row so far
    start_rows = np.flatnonzero(~last)       # every row but a line's last starts/continues
    end_rows = np.flatnonzero(is_node & ~first)
    edge_of_start = cum[start_rows]
    edge_of_end = cum[end_rows] - 1
    # node rows are numbered globally; the edge numbering must skip each line's last node
    node_rows = np.flatnonzero(is_node)
    is_edge_start = ~last[node_rows]
    edge_number = np.cumsum(is_edge_start) - 1
    remap = np.where(is_edge_start, edge_number, -1)
    e_start = remap[edge_of_start]
    e_end = remap[edge_of_end]
    rows_all = np.concatenate([start_rows, end_rows])
    edge_all = np.concatenate([e_start, e_end])
    order = np.lexsort((rows_all, edge_all))
    rows_all, edge_all = rows_all[order], edge_all[order]
    xy = np.column_stack([table.x[rows_all], table.y[rows_all]])
    geom = shapely.linestrings(xy, indices=edge_all)
    head = np.ones(len(edge_all), dtype=bool)
    head[1:] = edge_all[1:] != edge_all[:-1]
    tail = np.ones(len(edge_all), dtype=bool)
    tail[:-1] = head[1:]
    eu = node_id_of_g[gid[rows_all[head]]]
    ev = node_id_of_g[gid[rows_all[tail]]]
    line_of_edge = table.line[rows_all[head]]
    return line_of_edge, geom, eu, ev, node_xy


# ---------------------------------------------------------------------------- assemble
def _assemble(node_xy: NDArray, eu: NDArray, ev: NDArray, length: NDArray, t_fwd: NDArray,
              t_bwd: NDArray, geom: NDArray, mode: str, crs: pyproj.CRS | None,
              access_speed_mps: float, *, drop_unusable: bool = True) -> Network:
    """Compact the nodes, build the CSR matrix and label the connected pieces."""
    eu = np.asarray(eu, dtype=np.int64)
    ev = np.asarray(ev, dtype=np.int64)
    length = np.asarray(length, dtype=np.float64)
    t_fwd = np.asarray(t_fwd, dtype=np.float64)
    t_bwd = np.asarray(t_bwd, dtype=np.float64)
    geom = np.asarray(geom, dtype=object)
    if drop_unusable:
        keep = (np.isfinite(t_fwd) | np.isfinite(t_bwd)) & (length > 0)
        if not keep.all():
            eu, ev, length, t_fwd, t_bwd, geom = (a[keep] for a in
                                                  (eu, ev, length, t_fwd, t_bwd, geom))
        used = np.zeros(len(node_xy), dtype=bool)
        used[eu] = True
        used[ev] = True
        if not used.all():
            new_id = np.cumsum(used) - 1
            eu, ev = new_id[eu], new_id[ev]
            node_xy = node_xy[used]
    n = len(node_xy)
    graph = _csr(n, eu, ev, t_fwd, t_bwd)
    component = _components(graph, eu, ev, length, t_fwd, t_bwd, n)
    return Network(mode=mode, crs=crs, node_xy=np.asarray(node_xy, dtype=np.float64),
                   graph=graph, edge_u=eu, edge_v=ev, edge_length=length,
                   edge_time_fwd=t_fwd, edge_time_bwd=t_bwd, edge_geometry=geom,
                   component=component, access_speed_mps=float(access_speed_mps))


def _csr(n: int, eu: NDArray, ev: NDArray, t_fwd: NDArray, t_bwd: NDArray) -> sp.csr_matrix:
    ff = np.isfinite(t_fwd) & (eu != ev)
    fb = np.isfinite(t_bwd) & (eu != ev)
    r = np.concatenate([eu[ff], ev[fb]])
    c = np.concatenate([ev[ff], eu[fb]])
    w = np.concatenate([t_fwd[ff], t_bwd[fb]])
    order = np.lexsort((w, c, r))
    r, c, w = r[order], c[order], w[order]
    first = np.ones(len(r), dtype=bool)
    first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    r, c, w = r[first], c[first], w[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=n), out=indptr[1:])
    itype = np.int32 if max(n, len(c)) < np.iinfo(np.int32).max else np.int64
    g = sp.csr_matrix((w, c.astype(itype), indptr.astype(itype)), shape=(n, n))
    g.has_sorted_indices = True
    return g


def _components(graph: sp.csr_matrix, eu: NDArray, ev: NDArray, length: NDArray,
                t_fwd: NDArray, t_bwd: NDArray, n: int) -> NDArray[np.int64]:
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    _, label = connected_components(graph, directed=True, connection="weak")
    label = label.astype(np.int64)
    usable = np.isfinite(t_fwd) | np.isfinite(t_bwd)
    size = np.bincount(label[eu[usable]], weights=length[usable], minlength=label.max() + 1)
    order = np.lexsort((np.arange(len(size)), -size))
    relabel = np.empty(len(size), dtype=np.int64)
    relabel[order] = np.arange(len(size))
    return relabel[label]


def from_edges(node_xy: ArrayLike, edge_u: ArrayLike, edge_v: ArrayLike,
               edge_time_fwd: ArrayLike, edge_time_bwd: ArrayLike, *,
               edge_geometry: ArrayLike | None = None, mode: str = "custom",
               crs: Any = None, access_speed_mps: float = 1.0) -> Network:
    """Build a :class:`Network` directly from edge arrays (tests, synthetic graphs).

    Parameters
    ----------
    node_xy
        ``(n, 2)`` node coordinates.
    edge_u, edge_v
        End nodes of each edge.
    edge_time_fwd, edge_time_bwd
        Seconds u->v and v->u (``inf`` where not allowed).
    edge_geometry
        LineStrings from u to v; straight lines between the nodes when omitted. Edge
        lengths are the geometry lengths.
    mode, crs, access_speed_mps
        Stored on the network as given.

    Returns
    -------
    Network
        With every given edge kept in the given order (even one usable in neither
        direction) and every node kept.
    """
    xy = np.asarray(node_xy, dtype=np.float64).reshape(-1, 2)
    eu = np.asarray(edge_u, dtype=np.int64)
    ev = np.asarray(edge_v, dtype=np.int64)
    if edge_geometry is None:
        geom = shapely.linestrings(np.stack([xy[eu], xy[ev]], axis=1))
    else:
        geom = np.asarray(edge_geometry, dtype=object)
    length = shapely.length(geom)
    return _assemble(xy, eu, ev, length, np.asarray(edge_time_fwd, dtype=float),
                     np.asarray(edge_time_bwd, dtype=float), geom, mode,
                     pyproj.CRS.from_user_input(crs) if crs is not None else None,
                     access_speed_mps, drop_unusable=False)


# ---------------------------------------------------------------------------- report
def components(network: Network, demand: Any = None,
               population: ArrayLike | None = None) -> pd.DataFrame:
    """Connected pieces of the network, largest first, with the population they hold.

    Parameters
    ----------
    network
        The network.
    demand
        Optional :class:`~lifecircle.accessibility.snap.Snapped` demand points.
    population
        People per demand point (defaults to 1 each when ``demand`` is given).

    Returns
    -------
    DataFrame
        One row per piece: ``component`` (0 = main piece), ``nodes``, ``edges``,
        ``length_m``, ``population`` (people snapped to it; NaN without demand) and
        ``main``. The population stranded off the main piece is
        ``frame.population[~frame.main].sum()``.
    """
    comp = network.component
    k = int(comp.max()) + 1 if len(comp) else 0
    ecomp = comp[network.edge_u] if network.n_edges else np.zeros(0, dtype=np.int64)
    frame = pd.DataFrame({
        "component": np.arange(k, dtype=np.int64),
        "nodes": np.bincount(comp, minlength=k),
        "edges": np.bincount(ecomp, minlength=k),
        "length_m": np.bincount(ecomp, weights=network.edge_length, minlength=k),
    })
    if demand is not None:
        pop = (np.ones(len(demand.edge)) if population is None
               else np.asarray(population, dtype=np.float64))
        ok = demand.edge >= 0
        pc = comp[network.edge_u[demand.edge[ok]]]
        frame["population"] = np.bincount(pc, weights=pop[ok], minlength=k)
    else:
        frame["population"] = np.nan
    frame["main"] = frame["component"] == 0
    return frame

