"""Communities (names, codes, Table-1 attributes) and the 100 m population raster.

The raster is built first from a density model (urban: falling off from each town centre,
with parks and works at low density; rural: farmhouses strung along the roads, nobody
farther than ``ROAD_REACH_M`` from one, plus clumps at villages, hamlets and township seats),
then each community's population is the sum of its cells (cell centre inside the polygon),
rounded, and the cells are rescaled so the sum is exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from affine import Affine
from numpy.typing import NDArray
from rasterio import features
from scipy import ndimage

from lifecircle.data.synthetic import _names
from lifecircle.data.synthetic._rural import Township, Village, district_of
from lifecircle.data.synthetic._towns import Town

CELL_M = 100.0
#: Rural farmhouses stand along the roads: full density up to ``ROAD_NEAR_M`` from a road
#: (distance between cell centres), none beyond ``ROAD_REACH_M``.
ROAD_NEAR_M, ROAD_REACH_M = 150.0, 400.0


@dataclass
class Draft:
    """Communities in the local frame, before population and attributes."""

    frame: gpd.GeoDataFrame   # name, kind, township, district, town (urban index or -1), seat
    clumps: NDArray[np.float64]  # (k, 4) local x, y, people, sigma m


def _farthest(xy: NDArray, k: int, start: int) -> NDArray[np.int64]:
    chosen = [start]
    d = np.hypot(*(xy - xy[start]).T)
    for _ in range(k - 1):
        nxt = int(np.argmax(d))
        chosen.append(nxt)
        d = np.minimum(d, np.hypot(*(xy - xy[nxt]).T))
    return np.array(chosen)


def _township_code(name: str, counters: dict[str, int]) -> int:
    if name.endswith("街道"):
        base = 0
    elif name.endswith("乡"):
        base = 200
    else:
        base = 100
    counters[base] = counters.get(base, 0) + 1
    return base + counters[base]


def draft(urban: list[Town], towns_: list[Township], vills: list[Village],
          rng: np.random.Generator, tpool: _names.NamePool) -> Draft:
    """Name townships and communities and lay out the people clumps."""
    upool, vpool = _names.urban_pool(rng), _names.village_pool(rng)
    used_towns = {d: 0 for d in _names.DISTRICTS}
    used_streets = {d: 0 for d in _names.DISTRICTS}
    taken: set[str] = set()

    def next_name(table: dict[str, list[str]], used: dict[str, int], district: str,
                  suffix: str) -> str:
        names = table.get(district, [])
        while used[district] < len(names):
            name = names[used[district]]
            used[district] += 1
            if name not in taken:
                taken.add(name)
                return name
        while True:
            name = tpool.take() + suffix
            if name not in taken:
                taken.add(name)
                return name

    rows: list[dict] = []
    for ti, t in enumerate(urban):
        if not t.blocks:
            continue
        xy = np.array([[b.centroid.x, b.centroid.y] for b in t.blocks])
        if t.kind == "core":
            k = max(1, round(len(t.blocks) / 9))
            start = int(np.argmin(np.hypot(*(xy - np.array(t.centre)).T)))
            seeds = _farthest(xy, k, start)
            which = np.argmin(np.hypot(xy[:, None, 0] - xy[seeds][None, :, 0],
                                       xy[:, None, 1] - xy[seeds][None, :, 1]), axis=1)
            street_names = []
            for s in seeds:
                dist = district_of(*xy[s])
                street_names.append((next_name(_names.STREETS, used_streets, dist, "街道"), dist))
        else:
            dist = district_of(*t.centre)
            taken.add(t.name)
            which = np.zeros(len(t.blocks), dtype=int)
            street_names = [(t.name, dist)]
        for b, w in zip(t.blocks, which, strict=True):
            rows.append({"name": upool.take(), "kind": "urban", "township": street_names[w][0],
                         "district": street_names[w][1], "town": ti, "seat": False,
                         "geometry": b})
    clumps: list[NDArray] = []
    for ti, t in enumerate(towns_):
        if t.island:
            t.name = ("江心乡" if "江心乡" not in taken
                      else next_name({}, used_towns, t.district, "乡"))
            taken.add(t.name)
        else:
            t.name = next_name(_names.TOWNS, used_towns, t.district, "镇")
        if t.seat is not None:
            stem = t.name[:-1]
            t.seat.edge_name = np.array([stem + n if n else "" for n in t.seat.edge_name],
                                        dtype=object)
            x, y = t.seat.centre
            clumps.append(np.array([[x, y, rng.uniform(2_500, 6_000), 320.0]]))
        del ti
    for v in vills:
        t = towns_[v.township]
        name = t.name[:-1] + "社区" if v.is_seat else vpool.take()
        rows.append({"name": name, "kind": "rural", "township": t.name, "district": t.district,
                     "town": -1, "seat": v.is_seat, "geometry": v.polygon})
        if len(v.hamlets):
            people = rng.uniform(60, 280, len(v.hamlets))
            sigma = np.full(len(v.hamlets), 120.0)
            if not v.is_seat:
                people[0] = rng.uniform(300, 800)
                sigma[0] = 160.0
            clumps.append(np.column_stack([v.hamlets, people, sigma]))
    frame = gpd.GeoDataFrame(rows, geometry="geometry")
    # codes: 6-digit district + 3-digit township + 3-digit community (村 from 200)
    cid = []
    tcodes: dict[tuple[str, str], int] = {}
    tcount: dict[str, dict[str, int]] = {d: {} for d in _names.DISTRICTS}
    ccount: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        key = (r["district"], r["township"])
        if key not in tcodes:
            tcodes[key] = _township_code(r["township"], tcount[r["district"]])
            ccount[key] = [0, 199]
        village = r["kind"] == "rural" and not r["seat"]
        ccount[key][1 if village else 0] += 1
        c = ccount[key][1 if village else 0]
        cid.append(f"{_names.DISTRICTS[r['district']]}{tcodes[key]:03d}{c:03d}")
    frame.insert(0, "cid", cid)
    cl = np.vstack(clumps) if clumps else np.zeros((0, 4))
    return Draft(frame, cl)


def _splat(dens: NDArray, transform: Affine, xy: NDArray, people: NDArray, sigma: NDArray) -> None:
    """Add Gaussian clumps of ``people`` (sum-normalised over the cells they touch)."""
    if len(xy) == 0:
        return
    h, w = dens.shape
    col = (xy[:, 0] - transform.c) / transform.a
    row = (xy[:, 1] - transform.f) / transform.e
    for s in np.unique(sigma):
        sel = sigma == s
        k = math.ceil(3 * s / CELL_M)
        off = np.arange(-k, k + 1)
        dr, dc = np.meshgrid(off, off, indexing="ij")
        r0 = np.floor(row[sel]).astype(int)
        c0 = np.floor(col[sel]).astype(int)
        rr = r0[:, None, None] + dr[None]
        cc = c0[:, None, None] + dc[None]
        d2 = ((rr + 0.5 - row[sel][:, None, None]) ** 2 + (cc + 0.5 - col[sel][:, None, None]) ** 2)
        wgt = np.exp(-d2 * CELL_M**2 / (2 * s * s))
        inside = (rr >= 0) & (rr < h) & (cc >= 0) & (cc < w)
        wgt = np.where(inside, wgt, 0.0)
        wgt /= np.maximum(wgt.sum(axis=(1, 2), keepdims=True), 1e-12)
        vals = wgt * people[sel][:, None, None]
        np.add.at(dens, (rr[inside], cc[inside]), vals[inside])


def _road_distance(roads: NDArray, shape: tuple[int, int], tr: Affine) -> NDArray[np.float64]:
    """Distance in metres from each cell centre to the nearest cell a road touches."""
    if len(roads) == 0:
        return np.full(shape, np.inf)
    touched = features.rasterize(((g, 1) for g in roads), out_shape=shape, transform=tr,
                                 fill=0, dtype="uint8", all_touched=True).astype(bool)
    if not touched.any():
        return np.full(shape, np.inf)
    return ndimage.distance_transform_edt(~touched) * CELL_M


def raster(frame: gpd.GeoDataFrame, window, barriers, towns_xy: NDArray, town_density: NDArray,
           clumps: NDArray, seat_fp: list, roads: NDArray, rng: np.random.Generator
           ) -> tuple[NDArray, Affine, NDArray, NDArray, NDArray]:
    """People per cell on a 100 m EPSG:4548 grid, and the sum per community.

    Everything passed in is already in EPSG:4548. ``clumps`` holds x, y, people, sigma;
    ``roads`` the lines people live along (rural farmhouses keep within ``ROAD_REACH_M``).
    Returns the density grid, its transform, the population per community, the label grid
    (community index + 1, 0 outside every community) and the inside-the-window mask.
    """
    x0, y0, x1, y1 = window.bounds
    x0, y0 = math.floor(x0 / CELL_M) * CELL_M, math.floor(y0 / CELL_M) * CELL_M
    x1, y1 = math.ceil(x1 / CELL_M) * CELL_M, math.ceil(y1 / CELL_M) * CELL_M
    w, h = round((x1 - x0) / CELL_M), round((y1 - y0) / CELL_M)
    tr = Affine(CELL_M, 0.0, x0, 0.0, -CELL_M, y1)
    shape = (h, w)
    label = features.rasterize(((g, i + 1) for i, g in enumerate(frame.geometry)),
                               out_shape=shape, transform=tr, fill=0, dtype="int32")
    inside = features.rasterize([(window, 1)], out_shape=shape, transform=tr, fill=0,
                                dtype="uint8").astype(bool)
    blocked = features.rasterize([(barriers, 1)], out_shape=shape, transform=tr, fill=0,
                                 dtype="uint8").astype(bool) if not barriers.is_empty \
        else np.zeros(shape, bool)
    cols, rows = np.meshgrid(np.arange(w), np.arange(h))
    cx, cy = tr.c + (cols + 0.5) * tr.a, tr.f + (rows + 0.5) * tr.e
    town = np.full(len(frame) + 1, -1)
    town[1:] = frame["town"].to_numpy()
    tcell = town[label]
    dens = np.zeros(shape)
    urban = tcell >= 0
    if urban.any():
        t = tcell[urban]
        r = np.hypot(cx[urban] - towns_xy[t, 0], cy[urban] - towns_xy[t, 1])
        d0, lam, d1 = town_density[t].T
        dens[urban] = (d0 * np.exp(-r / lam) + d1) * (CELL_M * CELL_M / 1e6)
    # patches of parks, schools and works at low density (5 x 5 cells)
    coarse = rng.random((h // 5 + 1, w // 5 + 1)) < 0.12
    patch = np.where(coarse[rows // 5, cols // 5], 0.15, 1.0)
    dens *= patch * rng.lognormal(0.0, 0.3, shape)
    rural = (label > 0) & ~urban
    near = np.clip((ROAD_REACH_M - _road_distance(roads, shape, tr))
                   / (ROAD_REACH_M - ROAD_NEAR_M), 0.0, 1.0)
    share = near[rural].mean() if rural.any() else 1.0
    # the same number of farmhouse people as an even spread, moved to the roadsides
    dens[rural] += 0.6 * rng.lognormal(0.0, 0.5, int(rural.sum())) * near[rural] / max(share,
                                                                                      1e-9)
    for k, fp in enumerate(seat_fp):
        cells = features.rasterize([(fp, 1)], out_shape=shape, transform=tr, fill=0,
                                   dtype="uint8").astype(bool) & (label > 0)
        if cells.any():
            dens[cells] += rng.uniform(2_000, 4_000) / cells.sum()
        del k
    _splat(dens, tr, clumps[:, :2], clumps[:, 2], clumps[:, 3])
    dens[blocked | ~inside | (label == 0)] = 0.0
    pop = np.bincount(label.ravel(), weights=dens.ravel(), minlength=len(frame) + 1)[1:]
    return dens, tr, pop, label, inside


def finish_raster(dens: NDArray, label: NDArray, pop: NDArray, inside: NDArray[np.bool_]
                  ) -> tuple[NDArray[np.float32], NDArray[np.float64]]:
    """Round populations and rescale cells so each community's cells sum to it exactly."""
    target = np.round(pop)
    factor = np.ones(len(pop) + 1)
    factor[1:] = np.where(pop > 0, target / np.where(pop > 0, pop, 1.0), 0.0)
    out = (dens * factor[label]).astype(np.float32)
    out[~inside] = -1.0
    return out, target


#: Share of children aged 0-14 (the profiles' ``children`` group) drawn per community:
#: the 2020 census gives 17.95 % nationally and 19.2 % for Anhui; towns lower, villages
#: higher.
CHILD_SHARE = {"urban": (0.13, 0.19), "rural": (0.16, 0.22)}


def attributes(frame: gpd.GeoDataFrame, population: NDArray, rng: np.random.Generator,
               *, children_rng: np.random.Generator | None = None) -> gpd.GeoDataFrame:
    """Canonical community columns with Table-1 attributes (NA where 'no data').

    ``children_rng``: the stream of the ``children`` column (0-14, :data:`CHILD_SHARE`),
    separate so the other columns keep their values; None leaves the column out.
    """
    n = len(frame)
    urban = (frame["kind"] == "urban").to_numpy()
    out = frame.copy()
    out["population"] = population.astype(float)
    out["households"] = np.round(population / 2.6)
    share = np.where(urban, rng.uniform(0.17, 0.26, n), rng.uniform(0.24, 0.34, n))
    out["elderly"] = np.round(population * share)
    if children_rng is not None:
        lo = np.where(urban, CHILD_SHARE["urban"][0], CHILD_SHARE["rural"][0])
        hi = np.where(urban, CHILD_SHARE["urban"][1], CHILD_SHARE["rural"][1])
        out["children"] = np.round(population * children_rng.uniform(lo, hi))
    out["social_orgs"] = np.where(urban, rng.poisson(11.5, n), rng.poisson(6.5, n)).astype(float)
    per10k = rng.normal(18.5, 4.0, n)
    out["workers"] = np.where(urban, np.maximum(3, np.round(population / 1e4 * per10k)),
                              rng.integers(4, 9, n)).astype(float)

    def flags(p_true: float, p_false: float) -> pd.Series:
        u = rng.random(n)
        vals = np.where(u < p_true, True, np.where(u < p_true + p_false, False, None))
        return pd.Series(pd.array(list(vals), dtype="boolean"), index=out.index)

    out["has_platform"] = flags(0.93, 0.04)
    out["has_kiosk"] = flags(0.78, 0.17)
    out["has_agency"] = flags(0.88, 0.08)
    return out
