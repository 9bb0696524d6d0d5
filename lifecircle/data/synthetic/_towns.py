"""Urban areas: the main core, county towns and township seats, each a warped road lattice.

A lattice is a grid of nodes (spacing ``d``) rotated and gently warped, with small jitter
on minor nodes. Every ``span``-th line is an arterial (主干路 -> primary), every ``span/2``-th a
secondary road (次干路), every other line a 支路 (tertiary) and the rest 街巷 (residential).
Urban communities are the blocks between arterials (split in two or four when dense), so
their boundaries follow roads. Nodes in hills or lakes are dropped: roads go around them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import Polygon

from lifecircle.data.synthetic import _names
from lifecircle.data.synthetic._landscape import Landscape, blob

#: County towns at their real positions (local metres): name, x, y, radius.
COUNTY_TOWNS = [("姑孰镇", -1_900.0, -14_400.0, 2_300.0), ("历阳镇", -14_200.0, 2_200.0, 2_300.0),
                ("环峰镇", -38_800.0, 4_400.0, 2_000.0), ("博望街道", 30_300.0, -14_400.0, 1_800.0),
                ("郑蒲港街道", -12_800.0, -5_800.0, 1_700.0)]
MAIN_CENTRE = (-800.0, 500.0)


@dataclass
class Town:
    """One urban area or township seat with its lattice roads (local metres)."""

    name: str                       # township name ("" for the main core: streets later)
    kind: str                       # "core", "county" or "seat"
    centre: tuple[float, float]
    footprint: Polygon
    blocks: list[Polygon]           # community polygons (urban areas only)
    nodes: NDArray[np.float64]      # (n, 2)
    edge_u: NDArray[np.int64]
    edge_v: NDArray[np.int64]
    edge_class: NDArray[np.object_]
    edge_name: NDArray[np.object_]
    edge_oneway: NDArray[np.bool_]
    gates: NDArray[np.int64]        # node indices where rural roads join
    density: tuple[float, float, float]  # people/km²: D0 * exp(-r / lam) + D1 -> (D0, lam, D1)


def _line_class(k: NDArray[np.int64], span: int) -> NDArray[np.object_]:
    out = np.full(k.shape, "residential", dtype=object)
    out[k % 2 == 0] = "tertiary"
    out[k % (span // 2) == 0] = "secondary"
    out[k % span == 0] = "primary"
    return out


def _grid(cx: float, cy: float, theta: float, d: float, span: int, nx: int, ny: int,
          warp: float, rng: np.random.Generator) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    i, j = np.meshgrid(np.arange(-nx, nx + 1), np.arange(-ny, ny + 1), indexing="ij")
    u, v = i * d, j * d
    ph = rng.uniform(0, 2 * np.pi, 4)
    tau = 2 * np.pi
    du = warp * (np.sin(tau * v / 3_100.0 + ph[0]) + 0.5 * np.sin(tau * u / 2_300.0 + ph[1]))
    dv = warp * (np.sin(tau * u / 2_700.0 + ph[2]) + 0.5 * np.sin(tau * v / 1_900.0 + ph[3]))
    half = max(1, span // 2)
    jit = 0.12 * d
    du = du + np.where(i % half != 0, rng.uniform(-jit, jit, i.shape), 0.0)
    dv = dv + np.where(j % half != 0, rng.uniform(-jit, jit, i.shape), 0.0)
    u, v = u + du, v + dv
    t = math.radians(theta)
    x = cx + u * math.cos(t) - v * math.sin(t)
    y = cy + u * math.sin(t) + v * math.cos(t)
    return i, j, x, y


def _ring(x: NDArray, y: NDArray, a: int, b: int, si: int, sj: int) -> Polygon:
    bottom = np.column_stack([x[a:a + si + 1, b], y[a:a + si + 1, b]])
    right = np.column_stack([x[a + si, b:b + sj + 1], y[a + si, b:b + sj + 1]])
    top = np.column_stack([x[a:a + si + 1, b + sj], y[a:a + si + 1, b + sj]])[::-1]
    left = np.column_stack([x[a, b:b + sj + 1], y[a, b:b + sj + 1]])[::-1]
    return Polygon(np.concatenate([bottom[:-1], right[:-1], top[:-1], left[:-1]]))


def _density_at(pt: tuple[float, float], centre: tuple[float, float],
                density: tuple[float, float, float]) -> float:
    d0, lam, d1 = density
    r = math.hypot(pt[0] - centre[0], pt[1] - centre[1])
    return d0 * math.exp(-r / lam) + d1


def _lattice_town(name: str, kind: str, centre: tuple[float, float], shape: Polygon | None,
                  land: Landscape, *, theta: float, d: float, span: int, warp: float,
                  density: tuple[float, float, float], roads: _names.NamePool,
                  rng: np.random.Generator, seat_half: int = 3) -> Town | None:
    cx, cy = centre
    obstacles = land.obstacles
    if kind == "seat":
        i, j, x, y = _grid(cx, cy, theta, d, 2 * seat_half, seat_half, seat_half, warp, rng)
        n0, m0 = x.shape
        footprint = _ring(x, y, 0, 0, n0 - 1, m0 - 1)
        blocks: list[Polygon] = []
    else:
        assert shape is not None
        minx, miny, maxx, maxy = shape.bounds
        ext = max(maxx - cx, cx - minx, maxy - cy, cy - miny) * 1.5
        n = max(1, math.ceil(ext / (d * span))) * span
        i, j, x, y = _grid(cx, cy, theta, d, span, n, n, warp, rng)
        n0, m0 = x.shape
        near_water = land.water.buffer(150)
        inner = land.window.buffer(-200)
        hills = shapely.union_all([g for _, g in land.hills] + [g for _, g in land.lakes])
        blocks = []
        whole = []
        for a in range(0, n0 - span, span):
            for b in range(0, m0 - span, span):
                sb = _ring(x, y, a, b, span, span)
                c = sb.centroid
                if not shape.contains(c) or not inner.contains(sb) or sb.intersects(near_water):
                    continue
                landfrac = 1.0 - sb.intersection(hills).area / sb.area
                if landfrac < 0.35:
                    continue
                whole.append(sb)
                pop = sb.area / 1e6 * landfrac * _density_at((c.x, c.y), centre, density)
                parts = 4 if pop > 24_000 else 2 if pop > 12_000 else 1
                h = span // 2
                if parts == 1:
                    blocks.append(sb)
                elif parts == 2 and (a // span + b // span) % 2 == 0:
                    blocks += [_ring(x, y, a, b, h, span), _ring(x, y, a + h, b, h, span)]
                elif parts == 2:
                    blocks += [_ring(x, y, a, b, span, h), _ring(x, y, a, b + h, span, h)]
                else:
                    blocks += [_ring(x, y, a + p, b + q, h, h) for p in (0, h) for q in (0, h)]
        if not whole:
            return None
        footprint = shapely.union_all(whole)
        if footprint.geom_type != "Polygon":
            parts_ = sorted(footprint.geoms, key=lambda g: -g.area)
            keep = parts_[0]
            blocks = [bk for bk in blocks if keep.contains(bk.representative_point())]
            footprint = keep
    fx, fy = x.ravel(), y.ravel()
    fi, fj = i.ravel(), j.ravel()
    area = footprint.buffer(0.5)
    shapely.prepare(area)
    shapely.prepare(obstacles)
    keep = shapely.contains_xy(area, fx, fy) & ~shapely.contains_xy(obstacles, fx, fy)
    idx = np.arange(fx.size).reshape(x.shape)
    hu, hv = idx[:-1, :].ravel(), idx[1:, :].ravel()          # along rows (j fixed)
    vu, vv = idx[:, :-1].ravel(), idx[:, 1:].ravel()          # along columns (i fixed)
    u = np.concatenate([hu, vu])
    v = np.concatenate([hv, vv])
    axis = np.concatenate([np.zeros(hu.size, int), np.ones(vu.size, int)])
    line = np.where(axis == 0, fj[u], fi[u])
    ok = keep[u] & keep[v]
    mx, my = (fx[u] + fx[v]) / 2, (fy[u] + fy[v]) / 2
    ok &= shapely.contains_xy(area, mx, my)
    u, v, axis, line = u[ok], v[ok], axis[ok], line[ok]
    segs = shapely.linestrings(np.stack([np.column_stack([fx[u], fy[u]]),
                                         np.column_stack([fx[v], fy[v]])], axis=1))
    clear = ~shapely.intersects(segs, obstacles)
    u, v, axis, line = u[clear], v[clear], axis[clear], line[clear]
    if kind == "seat":
        cls = np.where(line == 0, "tertiary", "residential").astype(object)
    else:
        cls = _line_class(line, span)
    # irregularity: drop some minor streets (never on the outline)
    mx, my = (fx[u] + fx[v]) / 2, (fy[u] + fy[v]) / 2
    on_edge = shapely.distance(footprint.boundary, shapely.points(mx, my)) < 1.0
    p_drop = np.where(cls == "residential", 0.07, np.where(cls == "tertiary", 0.02, 0.0))
    dropped = (rng.random(u.size) < p_drop) & ~on_edge
    u, v, axis, line, cls = u[~dropped], v[~dropped], axis[~dropped], line[~dropped], cls[~dropped]
    # names per line
    names = np.full(u.size, "", dtype=object)
    stem = _names.short(name).removesuffix("街道").removesuffix("镇")
    for ax in (0, 1):
        for k in np.unique(line[axis == ax]):
            sel = (axis == ax) & (line == k)
            c = cls[sel][0]
            if kind == "seat":
                names[sel] = f"{stem}{'大街' if ax == 0 else '路'}" if k == 0 else ""
                continue
            base = roads.take()
            if c == "primary":
                names[sel] = base + ("大道" if rng.random() < 0.3 else "路")
            elif c == "secondary":
                names[sel] = base + "路"
            elif c == "tertiary":
                names[sel] = base + "街"
            elif rng.random() < 0.5:
                names[sel] = base + "巷"
    # one-way streets near the centre (whole lines, alternate directions)
    oneway = np.zeros(u.size, dtype=bool)
    if kind != "seat":
        radius = 2_500.0 if kind == "core" else 1_000.0
        near = np.hypot(mx[~dropped] - cx, my[~dropped] - cy) < radius
        for ax in (0, 1):
            for k in np.unique(line[axis == ax]):
                sel = (axis == ax) & (line == k) & near & np.isin(cls, ["tertiary", "residential"])
                if sel.any() and rng.random() < 0.3:
                    oneway |= sel
                    if k % 2:
                        u[sel], v[sel] = v[sel].copy(), u[sel].copy()
    # footpaths across a few lattice cells (diagonals cross no lattice edge)
    a_, b_ = np.meshgrid(np.arange(n0 - 1), np.arange(m0 - 1), indexing="ij")
    a_, b_ = a_.ravel(), b_.ravel()
    p0, p1 = idx[a_, b_], idx[a_ + 1, b_ + 1]
    q0, q1 = idx[a_ + 1, b_], idx[a_, b_ + 1]
    pick = (keep[p0] & keep[p1] & keep[q0] & keep[q1]
            & (rng.random(a_.size) < (0.015 if kind != "seat" else 0.0)))
    pu, pv = p0[pick], p1[pick]
    if pu.size:
        diag = shapely.linestrings(np.stack([np.column_stack([fx[pu], fy[pu]]),
                                             np.column_stack([fx[pv], fy[pv]])], axis=1))
        ok = ~shapely.intersects(diag, obstacles) & shapely.contains_xy(
            area, (fx[pu] + fx[pv]) / 2, (fy[pu] + fy[pv]) / 2)
        pu, pv = pu[ok], pv[ok]
    u = np.concatenate([u, pu])
    v = np.concatenate([v, pv])
    cls = np.concatenate([cls, np.full(pu.size, "path", dtype=object)])
    names = np.concatenate([names, np.full(pu.size, "", dtype=object)])
    oneway = np.concatenate([oneway, np.zeros(pu.size, dtype=bool)])
    # gates: used nodes on major lines lying on the outline
    used = np.zeros(fx.size, dtype=bool)
    used[u] = True
    used[v] = True
    if kind == "seat":
        s = seat_half * 2
        gate_ij = {(0, seat_half), (s, seat_half), (seat_half, 0), (seat_half, s)}
        gates = np.array([idx[a, b] for a, b in sorted(gate_ij) if used[idx[a, b]]], dtype=np.int64)
    else:
        half = span // 2
        major = (fi % half == 0) | (fj % half == 0)
        cand = np.flatnonzero(used & major)
        dist = shapely.distance(footprint.boundary, shapely.points(fx[cand], fy[cand]))
        gates = cand[dist < 1.0]
    # compact the node table
    remap = -np.ones(fx.size, dtype=np.int64)
    used_idx = np.flatnonzero(used)
    remap[used_idx] = np.arange(used_idx.size)
    nodes = np.column_stack([fx[used_idx], fy[used_idx]])
    return Town(name, kind, centre, footprint, blocks, nodes, remap[u], remap[v],
                cls, names, oneway, remap[gates], density)


def main_core_factor(scale: float) -> float:
    """Linear size of the main core relative to scale 1."""
    return math.sqrt(scale) if scale < 1 else min(1.25, scale ** 0.12)


def build_urban(land: Landscape, roads: _names.NamePool, towns_pool: _names.NamePool,
                rng: np.random.Generator) -> list[Town]:
    """The main core, the county towns inside the window, and extra towns at large scales."""
    out: list[Town] = []
    f = main_core_factor(land.scale)
    water = land.water.buffer(350)
    shape = blob(*MAIN_CENTRE, 4_600 * f, 6_200 * f, -17.0, rng, amp=0.08).difference(water)
    core = _lattice_town("", "core", MAIN_CENTRE, shape, land, theta=-12.0, d=120.0, span=8,
                         warp=35.0, density=(10_000.0, 2_500.0, 2_500.0), roads=roads, rng=rng)
    if core is not None:
        out.append(core)
    inner = land.window.buffer(-500)
    taken = [(MAIN_CENTRE, 7_000.0)]
    candidates = [(n, x, y, r) for n, x, y, r in COUNTY_TOWNS]
    x0, y0, x1, y1 = land.bounds
    if land.scale >= 2:
        step = 18_000.0
        for gx in np.arange(x0 + step / 2, x1, step):
            for gy in np.arange(y0 + step / 2, y1, step):
                jx, jy = rng.uniform(-5_000, 5_000, 2)
                candidates.append(("", gx + jx, gy + jy, rng.uniform(1_500, 2_600)))
    for name, x, y, r in candidates:
        if any(math.hypot(x - tx, y - ty) < tr + r + 4_000 for (tx, ty), tr in taken):
            continue
        shape = blob(x, y, r, r * rng.uniform(0.8, 1.0), rng.uniform(0, 180), rng, amp=0.08)
        if not inner.contains(shape) or shape.intersects(land.obstacles.difference(land.river)):
            continue
        shape = shape.difference(water)
        if shape.area < 0.5 * math.pi * r * r:
            continue
        town = _lattice_town(name or towns_pool.take() + "镇", "county", (x, y), shape, land,
                             theta=rng.uniform(-25, 25), d=130.0, span=6, warp=25.0,
                             density=(7_000.0, 1_200.0, 2_000.0), roads=roads, rng=rng)
        if town is not None and town.blocks:
            out.append(town)
            taken.append(((x, y), r))
    return out


def build_seats(land: Landscape, urban: list[Town], roads: _names.NamePool,
                rng: np.random.Generator) -> list[Town]:
    """Township seats (small towns) on a jittered 8 km grid over the rural land."""
    x0, y0, x1, y1 = land.bounds
    step = 7_000.0
    avoid = shapely.union_all([land.obstacles.buffer(300)]
                              + [t.footprint.buffer(1_800) for t in urban])
    shapely.prepare(avoid)
    inner = land.window.buffer(-400)
    seats: list[Town] = []
    pts: list[tuple[float, float]] = []
    for gx in np.arange(x0 + step / 2, x1, step):
        for gy in np.arange(y0 + step / 2, y1, step):
            for _ in range(4):
                x, y = gx + rng.uniform(-2_200, 2_200), gy + rng.uniform(-2_200, 2_200)
                theta = rng.uniform(-30, 30)
                if any(math.hypot(x - px, y - py) < 4_500 for px, py in pts) \
                        or avoid.contains(shapely.Point(x, y)):
                    continue
                town = _lattice_town("", "seat", (x, y), None, land, theta=theta, d=160.0, span=6,
                                     warp=12.0, density=(0.0, 1.0, 0.0), roads=roads, rng=rng)
                if town is None or not inner.contains(town.footprint) \
                        or town.footprint.intersects(avoid) or town.gates.size < 2:
                    continue
                seats.append(town)
                pts.append((x, y))
                break
    return seats
