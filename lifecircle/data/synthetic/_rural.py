"""The countryside: townships, villages and hamlets, and the sparse rural road network.

Townships are Voronoi cells of their seats clipped to one land piece (a bank of the river,
the island), villages (行政村) are Voronoi cells of village sites clipped to their township,
and each village has a few hamlets (自然村). Roads join town gates, villages and hamlets
along a Delaunay triangulation: the edges crossing water, hills or towns are dropped, the
minimum spanning tree keeps everything joined that can be, shortest paths between
neighbouring towns become county roads (县道 -> secondary), the roads from towns township
roads (乡道 -> tertiary) and the rest village roads (村道 -> unclassified). Bridges are the
only crossings of the river; the expressway (motorway) joins the network at interchanges.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra, minimum_spanning_tree
from scipy.spatial import Delaunay
from shapely.geometry import MultiPoint, Point
from shapely.geometry.base import BaseGeometry

from lifecircle.data.synthetic._landscape import Landscape, bank, river_centre
from lifecircle.data.synthetic._towns import Town

ROLE_GATE, ROLE_VILLAGE, ROLE_HAMLET, ROLE_BRIDGE, ROLE_INTERCHANGE = range(5)
_MOTORWAY_Y = -6_600.0
_MOTORWAY_X = 7_000.0


def district_of(x: float, y: float) -> str:
    """District/county of a local point, after the real layout of Ma'anshan."""
    if x < float(river_centre(y)):
        return "含山县" if x < -32_000 else "和县"
    if y < -9_000 and x < 14_000:
        return "当涂县"
    if x > 14_000:
        return "博望区"
    return "花山区" if y >= -1_500 else "雨山区"


def polygonal(g: BaseGeometry) -> BaseGeometry:
    """The polygonal part of ``g`` (drops points and lines left by overlays)."""
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


@dataclass
class Township:
    """A rural township (乡镇): polygon, seat (None for a seatless piece such as the island)."""

    polygon: BaseGeometry
    seat: Town | None
    seat_xy: tuple[float, float]
    district: str
    island: bool = False
    name: str = ""


@dataclass
class Village:
    """A village (行政村) or the seat community of a township, with its hamlets."""

    township: int
    site: tuple[float, float]
    polygon: BaseGeometry
    is_seat: bool
    hamlets: NDArray[np.float64]   # (k, 2) hamlet centres (village site first when not a seat)


@dataclass
class RuralRoads:
    """Rural lines in the local frame with their classes, names and one-way flags."""

    lines: NDArray[np.object_]
    cls: NDArray[np.object_]
    name: NDArray[np.object_]
    oneway: NDArray[np.bool_]


def _voronoi(sites: NDArray[np.float64], area: BaseGeometry) -> list[BaseGeometry]:
    if len(sites) == 1:
        return [area]
    vor = shapely.voronoi_polygons(MultiPoint(sites), extend_to=area, ordered=True)
    cells = list(vor.geoms)
    return [polygonal(c.intersection(area)) for c in cells]


def townships(land: Landscape, urban: list[Town], seats: list[Town]) -> list[Township]:
    """Split the rural land into townships, one per seat, per land piece."""
    urban_union = shapely.union_all([t.footprint for t in urban])
    rural_land = polygonal(land.land.difference(urban_union))
    comps = [g for g in shapely.get_parts(rural_land) if g.area >= 1.5e6]
    out: list[Township] = []
    seat_pts = shapely.points([s.centre for s in seats]) if seats else np.array([])
    for comp in comps:
        inside = [k for k in range(len(seats)) if comp.contains(seat_pts[k])]
        is_island = land.island is not None and comp.intersects(land.island.buffer(-10))
        if not inside:
            p = comp.representative_point()
            out.append(Township(comp, None, (p.x, p.y), district_of(p.x, p.y), is_island))
            continue
        sites = np.array([seats[k].centre for k in inside])
        for k, cell in zip(inside, _voronoi(sites, comp), strict=True):
            x, y = seats[k].centre
            out.append(Township(cell, seats[k], (x, y), district_of(x, y)))
    return out


def villages(land: Landscape, urban: list[Town], towns_: list[Township],
             rng: np.random.Generator) -> list[Village]:
    """Village sites on a jittered 2.8 km grid, Voronoi cells per township, and hamlets."""
    x0, y0, x1, y1 = land.bounds
    step = 2_800.0
    gx, gy = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step),
                         indexing="ij")
    px = gx.ravel() + rng.uniform(-0.35, 0.35, gx.size) * step
    py = gy.ravel() + rng.uniform(-0.35, 0.35, gx.size) * step
    seat_fp = [t.seat.footprint for t in towns_ if t.seat is not None]
    avoid = shapely.union_all([land.obstacles.buffer(300)]
                              + [t.footprint.buffer(400) for t in urban]
                              + [f.buffer(1_200) for f in seat_fp])
    shapely.prepare(avoid)
    ok = ~shapely.contains_xy(avoid, px, py)
    px, py = px[ok], py[ok]
    hamlet_avoid = shapely.union_all([land.obstacles.buffer(120)]
                                     + [t.footprint.buffer(200) for t in urban]
                                     + [f.buffer(250) for f in seat_fp])
    shapely.prepare(hamlet_avoid)
    out: list[Village] = []
    for ti, t in enumerate(towns_):
        shapely.prepare(t.polygon)
        sel = shapely.contains_xy(t.polygon, px, py)
        sites = np.column_stack([px[sel], py[sel]])
        seat_first = t.seat is not None
        if seat_first:
            sites = np.vstack([np.array(t.seat_xy)[None, :], sites])
        elif len(sites) == 0:
            sites = np.array(t.seat_xy)[None, :]
        cells = _voronoi(sites, t.polygon)
        for k, (site, cell) in enumerate(zip(sites, cells, strict=True)):
            if cell.is_empty:
                continue
            is_seat = seat_first and k == 0
            n = int(rng.integers(4, 9) if is_seat else rng.integers(7, 15))
            r = rng.uniform(300, 1_400, n)
            a = rng.uniform(0, 2 * np.pi, n)
            hx, hy = site[0] + r * np.cos(a), site[1] + r * np.sin(a)
            good = shapely.contains_xy(cell, hx, hy) & ~shapely.contains_xy(hamlet_avoid, hx, hy)
            hamlets = np.column_stack([hx[good], hy[good]])
            if not is_seat:
                hamlets = np.vstack([site[None, :], hamlets])
            out.append(Village(ti, (float(site[0]), float(site[1])), cell, is_seat, hamlets))
    return out


def _densify(a: NDArray, b: NDArray, step: float = 500.0) -> NDArray:
    n = max(1, int(math.hypot(*(b - a)) // step))
    t = np.linspace(0.0, 1.0, n + 1)[:, None]
    return a[None, :] * (1 - t) + b[None, :] * t


def network(land: Landscape, urban: list[Town], towns_: list[Township], vills: list[Village],
            rng: np.random.Generator) -> RuralRoads:
    """Rural roads, lanes, bridges and the expressway."""
    x0, y0, x1, y1 = land.bounds
    pts: list[NDArray] = []
    role: list[NDArray] = []
    town_gates: list[list[int]] = []
    town_xy: list[tuple[float, float]] = []
    n = 0
    all_towns: list[Town] = [*urban, *[t.seat for t in towns_ if t.seat is not None]]
    for t in all_towns:
        g = t.nodes[t.gates]
        pts.append(g)
        role.append(np.full(len(g), ROLE_GATE))
        town_gates.append(list(range(n, n + len(g))))
        town_xy.append(t.centre)
        n += len(g)
    seatless_site: dict[int, int] = {}
    for v in vills:
        if v.is_seat:
            if len(v.hamlets):
                pts.append(v.hamlets)
                role.append(np.full(len(v.hamlets), ROLE_HAMLET))
                n += len(v.hamlets)
            continue
        pts.append(v.hamlets)
        role.append(np.r_[ROLE_VILLAGE, np.full(len(v.hamlets) - 1, ROLE_HAMLET)])
        tw = towns_[v.township]
        if tw.seat is None and v.township not in seatless_site:
            seatless_site[v.township] = n
            town_gates.append([n])
            town_xy.append(v.site)
        n += len(v.hamlets)
    inner = land.window.buffer(-300)
    urban_fp = shapely.union_all([t.footprint for t in all_towns])
    blocked = shapely.union_all([land.obstacles, urban_fp])
    shapely.prepare(blocked)

    def free(x: float, y: float) -> bool:
        return bool(inner.contains(Point(x, y))) and not blocked.contains(Point(x, y))

    extra_xy: list[tuple[float, float]] = []
    extra_role: list[int] = []
    # bridges (primary) every 22 km along the river, the first near the centre
    bridges: list[tuple[int, int]] = []
    for yb in sorted({0.0 + 22_000.0 * k for k in range(-6, 7)}):
        if not (y0 + 1_500 < yb < y1 - 1_500):
            continue
        for shift in (0.0, 3_000.0, -3_000.0):
            y = yb + shift
            w, e = (bank(y, -1, 250.0), y), (bank(y, +1, 250.0), y)
            line = shapely.LineString([w, e])
            if free(*w) and free(*e) and (land.island is None or not line.intersects(land.island)):
                bridges.append((n + len(extra_xy), n + len(extra_xy) + 1))
                extra_xy += [w, e]
                extra_role += [ROLE_BRIDGE, ROLE_BRIDGE]
                break
    # expressways: an east-west one crossing the river south of the core, a north-south one
    motorway_nodes: list[list[int | tuple[float, float]]] = []
    has_ns = x0 + 1_500 < _MOTORWAY_X < x1 - 1_500

    def ns_x(y: float) -> float:
        return _MOTORWAY_X + 500.0 * math.sin(2 * math.pi * y / 15_000.0)

    ew: list[int | tuple[float, float]] = []
    ym = _MOTORWAY_Y
    if y0 + 1_000 < ym < y1 - 1_000:
        wx = max(bank(ym, -1, 1_500.0), x0 + 400.0)
        if bank(ym, -1, 300.0) > x0 + 400.0:
            xs = [float(x) for x in np.arange(wx, x0 + 300.0, -8_000.0)]
            if xs[-1] - (x0 + 300.0) > 1_000:
                xs.append(x0 + 300.0)
            ew += [(x, ym) for x in xs[::-1]]
        core = urban[0] if urban and urban[0].kind == "core" else None
        if core is not None and core.gates.size:
            target = np.array([bank(ym, +1, 2_500.0), ym])
            g = core.nodes[core.gates]
            k = int(np.argmin(np.hypot(*(g - target).T)))
            ew.append(int(town_gates[0][k]))
        east_start = ns_x(ym) if has_ns else (x1 - 300.0)
        ew.append((east_start, ym))
        ew += [(x, ym) for x in np.arange(east_start + 8_000.0, x1 - 300.0, 8_000.0)]
        if ew and not isinstance(ew[-1], int) and ew[-1][0] < x1 - 1_000:
            ew.append((x1 - 300.0, ym))
    motorway_nodes.append(ew)
    if has_ns:
        ys = sorted({ym, *np.arange(ym, y1 - 300.0, 8_000.0), *np.arange(ym, y0 + 300.0, -8_000.0),
                     y0 + 300.0, y1 - 300.0})
        motorway_nodes.append([(ns_x(y), y) for y in ys])
    motorway_idx: list[list[int]] = []
    placed: dict[tuple[float, float], int] = {}
    for route in motorway_nodes:
        idx: list[int] = []
        for node in route:
            if isinstance(node, int):
                idx.append(node)
                continue
            key = (round(node[0], 3), round(node[1], 3))
            if key in placed:
                idx.append(placed[key])
                continue
            is_end = node in (route[0], route[-1])
            if free(*node) or (is_end and inner.contains(Point(node))
                               and not land.obstacles.contains(Point(node))):
                placed[key] = n + len(extra_xy)
                idx.append(placed[key])
                extra_xy.append(node)
                extra_role.append(ROLE_INTERCHANGE)
        if len(idx) >= 2:
            motorway_idx.append(idx)
    if extra_xy:
        pts.append(np.array(extra_xy, dtype=float))
        role.append(np.array(extra_role))
    xy = np.vstack(pts)
    roles = np.concatenate(role)
    # Delaunay edges that stay clear of water, hills and towns
    tri = Delaunay(xy)
    s = tri.simplices
    e = np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])
    e = np.unique(np.sort(e, axis=1), axis=0)
    length = np.hypot(*(xy[e[:, 0]] - xy[e[:, 1]]).T)
    e, length = e[length <= 6_000], length[length <= 6_000]
    segs = shapely.linestrings(np.stack([xy[e[:, 0]], xy[e[:, 1]]], axis=1))
    shrunk = [f.buffer(-5.0) for f in (t.footprint for t in all_towns)]
    obst = [*shapely.get_parts(land.obstacles), *[f for f in shrunk if not f.is_empty]]
    hit = shapely.STRtree(obst).query(segs, predicate="intersects")[0]
    allowed = np.ones(len(e), dtype=bool)
    allowed[np.unique(hit)] = False
    e, length = e[allowed], length[allowed]
    b = np.array(bridges, dtype=np.int64).reshape(-1, 2)
    blen = np.hypot(*(xy[b[:, 0]] - xy[b[:, 1]]).T) if len(b) else np.zeros(0)
    ge = np.vstack([e, b])
    gl = np.concatenate([length, blen])
    npts = len(xy)
    graph = coo_matrix((gl, (ge[:, 0], ge[:, 1])), shape=(npts, npts)).tocsr()
    graph = graph + graph.T
    mst = minimum_spanning_tree(graph).tocoo()
    chosen = {(min(i, j), max(i, j)) for i, j in zip(mst.row, mst.col, strict=True)}
    # county roads: shortest paths between neighbouring towns
    county: set[tuple[int, int]] = set()
    cxy = np.array(town_xy)
    pairs: set[tuple[int, int]] = set()
    if len(cxy) >= 3:
        ts = Delaunay(cxy).simplices
        for a_, b_ in np.vstack([ts[:, [0, 1]], ts[:, [1, 2]], ts[:, [0, 2]]]):
            if math.hypot(*(cxy[a_] - cxy[b_])) < 30_000:
                pairs.add((min(a_, b_), max(a_, b_)))
    elif len(cxy) == 2:
        pairs.add((0, 1))
    for a_ in sorted({p[0] for p in pairs}):
        dist, pred, _src = dijkstra(graph, directed=False, indices=town_gates[a_], min_only=True,
                                    return_predecessors=True, limit=45_000.0)
        for p in sorted(pairs):
            if p[0] != a_:
                continue
            gb = town_gates[p[1]]
            k = gb[int(np.argmin(dist[gb]))]
            if not np.isfinite(dist[k]):
                continue
            while pred[k] >= 0:
                county.add((min(k, pred[k]), max(k, pred[k])))
                k = pred[k]
    # a few loops among short village roads
    rest = [(int(i), int(j)) for (i, j), ln in zip(e, length, strict=True)
            if ln < 2_500 and (int(i), int(j)) not in chosen]
    loops = {p for p in rest if rng.random() < 0.12}
    bridge_set = {(min(i, j), max(i, j)) for i, j in bridges}
    edges = sorted((chosen | county | loops) - bridge_set)
    ends = np.array(edges, dtype=np.int64).reshape(-1, 2)
    elen = np.hypot(*(xy[ends[:, 0]] - xy[ends[:, 1]]).T)
    is_county = np.array([(i, j) in county for i, j in edges], dtype=bool)
    towny = np.isin(roles, [ROLE_GATE, ROLE_BRIDGE, ROLE_INTERCHANGE])
    from_town = towny[ends[:, 0]] | towny[ends[:, 1]]
    cls = np.where(is_county, "secondary",
                   np.where(from_town, "tertiary", "unclassified")).astype(object)
    # wiggle longer roads a little; keep them straight where a bend would hit an obstacle
    a, bb = xy[ends[:, 0]], xy[ends[:, 1]]
    d = bb - a
    nrm = np.column_stack([-d[:, 1], d[:, 0]]) / np.maximum(elen, 1e-9)[:, None]
    off = np.clip(rng.normal(0.0, 0.035, (len(ends), 2)), -0.07, 0.07) * elen[:, None]
    off[elen < 300] = 0.0
    c1 = a + d / 3 + nrm * off[:, :1]
    c2 = a + 2 * d / 3 + nrm * off[:, 1:]
    wiggly = shapely.linestrings(np.stack([a, c1, c2, bb], axis=1))
    straight = shapely.linestrings(np.stack([a, bb], axis=1))
    bad = np.zeros(len(ends), dtype=bool)
    bad[np.unique(shapely.STRtree(obst).query(wiggly, predicate="intersects")[0])] = True
    lines = np.where(bad, straight, wiggly)
    names = np.full(len(ends), "", dtype=object)
    for c, letter, top in (("secondary", "X", 400), ("tertiary", "Y", 900)):
        sel = cls == c
        names[sel] = [f"{letter}{k:03d}" for k in rng.integers(1, top, int(sel.sum()))]
    out_lines = [lines]
    out_cls = [cls]
    out_name = [names]
    # bridges
    for k, (i, j) in enumerate(bridges):
        out_lines.append(np.array([shapely.LineString([xy[i], xy[j]])], dtype=object))
        out_cls.append(np.array(["primary"], dtype=object))
        label = "长江大桥" if k == 0 else f"长江{'二三四五六七八'[min(k - 1, 6)]}桥"
        out_name.append(np.array([label], dtype=object))
    # expressways: one edge between consecutive interchanges
    for route, label in zip(motorway_idx, ["宁马高速", "宁芜高速"], strict=False):
        for i, j in itertools.pairwise(route):
            out_lines.append(np.array([shapely.LineString(_densify(xy[i], xy[j]))], dtype=object))
            out_cls.append(np.array(["motorway"], dtype=object))
            out_name.append(np.array([label], dtype=object))
    # lanes in villages and hamlets (dead ends; a fifth are footpaths)
    hm = np.flatnonzero((roles == ROLE_HAMLET) | (roles == ROLE_VILLAGE))
    k_l = rng.integers(2, 5, hm.size)
    src = np.repeat(hm, k_l)
    ang = rng.uniform(0, 2 * np.pi, src.size)
    ln = rng.uniform(80, 220, src.size)
    end = xy[src] + np.column_stack([np.cos(ang), np.sin(ang)]) * ln[:, None]
    lanes = shapely.linestrings(np.stack([xy[src], end], axis=1))
    lane_ok = np.ones(src.size, dtype=bool)
    lane_ok[np.unique(shapely.STRtree(obst).query(lanes, predicate="intersects")[0])] = False
    lane_ok &= shapely.contains_xy(land.window, end[:, 0], end[:, 1])
    lanes = lanes[lane_ok]
    out_lines.append(lanes)
    out_cls.append(np.where(rng.random(lanes.size) < 0.2, "path", "unclassified").astype(object))
    out_name.append(np.full(lanes.size, "", dtype=object))
    all_lines = np.concatenate(out_lines)
    return RuralRoads(all_lines, np.concatenate(out_cls), np.concatenate(out_name),
                      np.zeros(all_lines.size, dtype=bool))
