"""Service-area polygons: partial edges, one-way, rings, holes, containment properties."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString

from lifecircle.accessibility.isochrones import reachable_intervals, service_areas, substrings
from lifecircle.accessibility.network import build, from_edges
from lifecircle.accessibility.snap import snap
from lifecircle.accessibility.traveltime import nearest, node_times
from lifecircle.project import Mode

CRS = "EPSG:4548"
# 1 m/s walking
WALK = Mode("walk", "步行", "walk", 3.6, frozenset(), False, pedestrian=True)
DRIVE = Mode("drive", "机动车", "drive", 36.0, frozenset(), True,
             posted_speeds=True)  # 10 m/s


def roads(geoms, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=CRS)


def inside(poly, xy) -> np.ndarray:
    xy = np.atleast_2d(np.asarray(xy, dtype=float))
    return shapely.contains_xy(poly, xy[:, 0], xy[:, 1])


def test_partial_edges_on_a_straight_road():
    net = build(roads([LineString([(0, 0), (1000, 0), (2000, 0)])]), WALK)
    src = snap(net, np.array([[500.0, 0.0]]), max_snap_m=10)
    sa = service_areas(net, src, [5], trim_m=50)
    assert list(sa.columns) == ["source", "minutes", "geometry"]
    assert list(sa["source"]) == [-1] and list(sa["minutes"]) == [5.0]
    assert sa.crs == pyproj.CRS(CRS)
    poly = sa.geometry.iloc[0]
    # 300 s at 1 m/s: the road from x=200 to x=800, widened by 50 m
    assert inside(poly, [[201, 0], [799, 0], [500, 49], [160, 0], [840, 0]]).all()
    assert not inside(poly, [[500, 51], [140, 0], [860, 0], [1500, 0]]).any()
    assert poly.area == pytest.approx(600 * 100 + np.pi * 50**2, rel=0.01)


def test_partial_edges_bend_with_the_geometry():
    net = build(roads([LineString([(0, 0), (100, 0), (100, 100), (200, 100)])]), WALK)
    e, a, b = np.array([0]), np.array([50.0]), np.array([150.0])
    piece = substrings(net, e, a, b)[0]
    want = LineString([(50, 0), (100, 0), (100, 50)])
    if net.node_xy[net.edge_u[0]][0] != 0:
        want = LineString([(150, 100), (100, 100), (100, 50)])
    assert piece.equals(want)
    whole = substrings(net, e, np.array([0.0]), np.array([300.0]))[0]
    assert whole.equals(net.edge_geometry[0])


def test_oneway_areas_only_go_forwards():
    net = build(roads([LineString([(0, 0), (3000, 0)])], oneway=[True]), DRIVE)
    src = snap(net, np.array([[500.0, 0.0]]), max_snap_m=10)
    poly = service_areas(net, src, [1], trim_m=50).geometry.iloc[0]
    # 60 s at 10 m/s forwards only: x from 500 to 1100
    assert inside(poly, [[520, 0], [1090, 0], [1140, 0], [460, 0]]).all()
    assert not inside(poly, [[420, 0], [1160, 0]]).any()


def test_rings_nest_and_per_source_rows():
    grid = [LineString([(0, y), (2000, y)]) for y in range(0, 2001, 400)]
    grid += [LineString([(x, 0), (x, 2000)]) for x in range(0, 2001, 400)]
    net = build(roads(grid), WALK)
    src = snap(net, np.array([[400.0, 400.0], [1600.0, 1600.0], [9000, 9000]]), max_snap_m=20)
    merged = service_areas(net, src, [10, 5], trim_m=40)
    assert list(merged["minutes"]) == [5.0, 10.0]
    small, big = merged.geometry.iloc[0], merged.geometry.iloc[1]
    assert big.buffer(1e-6).contains(small)
    assert big.area > small.area
    each = service_areas(net, src, [5, 10], trim_m=40, per_source=True)
    assert list(each["source"]) == [0, 0, 1, 1]     # the unsnapped source has no rows
    assert list(each["minutes"]) == [5.0, 10.0, 5.0, 10.0]
    for i, xy in ((0, (400, 400)), (1, (1600, 1600))):
        assert inside(each.geometry.iloc[2 * i], xy).all()
    # the merged ring is the union of the per-source ones
    union = shapely.union_all(each.geometry.iloc[[1, 3]].values)
    assert union.symmetric_difference(big).area < 1e-3 * big.area


def test_grid_rings_nest_and_agree_with_the_exact_areas():
    grid = [LineString([(0, y), (2000, y)]) for y in range(0, 2001, 400)]
    grid += [LineString([(x, 0), (x, 2000)]) for x in range(0, 2001, 400)]
    net = build(roads(grid), WALK)
    src = snap(net, np.array([[400.0, 400.0], [1600.0, 1600.0]]), max_snap_m=20)
    exact = service_areas(net, src, [5, 10], trim_m=40)
    fast = service_areas(net, src, [5, 10], trim_m=40, method="grid", cell_m=10)
    assert list(fast["minutes"]) == [5.0, 10.0]
    small, big = fast.geometry.iloc[0], fast.geometry.iloc[1]
    assert big.buffer(1e-6).contains(small) and big.area > small.area
    tol = 10 * np.sqrt(2) + 10 / 4 + 10  # cell diagonal + road sampling + simplification
    for e, f in zip(exact.geometry, fast.geometry, strict=True):
        # the grid polygon follows the exact one to within a cell diagonal either way
        assert f.buffer(tol).contains(e)
        assert e.buffer(tol).contains(f)
        # a corridor 2 * trim wide comes out at most one cell wider
        assert e.area <= f.area < e.area * (1 + 10 / 80)
    each = service_areas(net, src, [5, 10], trim_m=40, per_source=True, method="grid")
    assert list(each["source"]) == [0, 0, 1, 1]


def test_holes_where_nothing_is_reached():
    block = [LineString([(0, 0), (1000, 0), (1000, 1000), (0, 1000), (0, 0)])]
    net = build(roads(block), WALK)
    src = snap(net, np.array([[0.0, 500.0]]), max_snap_m=10)
    poly = service_areas(net, src, [60], trim_m=50).geometry.iloc[0]
    assert poly.geom_type == "Polygon" and len(poly.interiors) == 1
    assert not inside(poly, [[500, 500]]).any()
    assert inside(poly, [[1000, 500], [500, 1000]]).all()


def test_no_sources_gives_no_rows():
    net = build(roads([LineString([(0, 0), (100, 0)])]), WALK)
    sa = service_areas(net, snap(net, np.array([[0.0, 900.0]]), max_snap_m=10), [5])
    assert len(sa) == 0 and list(sa.columns) == ["source", "minutes", "geometry"]


def test_access_leg_of_an_off_road_source_counts():
    net = build(roads([LineString([(0, 0), (1000, 0)])]), WALK)
    src = snap(net, np.array([[500.0, 100.0]]), max_snap_m=150)
    poly = service_areas(net, src, [3], trim_m=30).geometry.iloc[0]
    # 100 s walking in, 80 s left each way along the road
    assert inside(poly, [[500, 100], [500, 50], [420, 0], [580, 0]]).all()
    assert not inside(poly, [[390, 0], [610, 0]]).any()


@pytest.mark.parametrize("method", ["buffer", "grid", "display"])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_polygons_hold_reachable_road_and_nothing_much_beyond(method, data):
    """Every network point within the limit is inside; none beyond limit + trim is."""
    spacing, trim, limit_min = 250.0, 40.0, 6.0
    n = 6
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31)))
    xy = np.array([(i * spacing, j * spacing) for j in range(n) for i in range(n)], float)
    u, v = [], []
    for j in range(n):
        for i in range(n):
            k = j * n + i
            if i + 1 < n:
                u.append(k)
                v.append(k + 1)
            if j + 1 < n:
                u.append(k)
                v.append(k + n)
    u, v = np.array(u), np.array(v)
    keep = rng.random(len(u)) > 0.2
    u, v = u[keep], v[keep]
    length = np.full(len(u), spacing)
    speed = rng.choice([0.8, 1.0, 1.4], len(u))
    tf = length / speed
    oneway = data.draw(st.booleans())
    tb = np.where(rng.random(len(u)) < 0.2, np.inf, tf) if oneway else tf
    net = from_edges(xy, u, v, tf, tb, access_speed_mps=1.0)
    k = data.draw(st.integers(1, 3))
    sxy = rng.uniform(0, spacing * (n - 1), (k, 2))
    src = snap(net, sxy, max_snap_m=spacing)
    cell = 10.0
    display = method == "display"   # the pipeline's map settings: cell trim / 2, holes filled
    if display:
        method, cell = "grid", trim / 2
    poly = service_areas(net, src, [limit_min], trim_m=trim, method=method, cell_m=cell,
                         min_hole_m2=40_000.0 if display else 0.0).geometry.iloc[0]
    # the grid polygon may reach one cell diagonal farther than the exact one
    slack = trim + (np.sqrt(2) * cell if method == "grid" else 0.0)
    # sample the road every 5 m
    samples = []
    for e in range(net.n_edges):
        for d in np.arange(0.0, spacing + 1e-9, 5.0):
            samples.append(shapely.get_coordinates(
                shapely.line_interpolate_point(net.edge_geometry[e], d))[0])
    samples = np.array(samples)
    tgt = snap(net, samples, max_snap_m=1.0)
    t, _ = nearest(net, src, tgt)
    limit = limit_min * 60
    ins = inside(poly, samples)
    assert ins[t <= limit - 1e-6].all()
    if not oneway and not display:
        # a point inside lies within trim (straight) of reached road; on a grid that is at
        # most sqrt(2) * trim along the road (round a corner), walked at >= 0.8 m/s. With
        # one-way streets a point a few metres away may need a long detour instead.
        assert not ins[t > limit + np.sqrt(2) * slack / 0.8 + 1e-6].any()
    far = np.array([[-10 * spacing, -10 * spacing]])
    assert not inside(poly, far).any()


def test_reachable_intervals_merge_overlaps():
    net = from_edges([[0, 0], [100, 0]], [0], [1], [100.0], [100.0])
    dist = np.array([0.0, 0.0])
    e, a, b = reachable_intervals(net, dist, 60.0)
    assert list(e) == [0] and a[0] == 0 and b[0] == 100
    dist2, _ = node_times(net, snap(net, np.array([[50.0, 0]]), max_snap_m=1))
    e, a, b = reachable_intervals(net, dist2, 20.0, snap(net, np.array([[50.0, 0]]),
                                                         max_snap_m=1), np.array([0]))
    assert list(e) == [0] and a[0] == pytest.approx(30) and b[0] == pytest.approx(70)


def test_grid_fills_small_holes_only_and_keeps_the_reachable_road():
    # a 2 km square of streets every 300 m: the block interiors (300 - 2 * 40 m wide)
    # are holes of the exact area; a 900 m park in the middle is one big hole
    lines = [LineString([(0, y), (2100, y)]) for y in range(0, 2101, 300)]
    lines += [LineString([(x, 0), (x, 2100)]) for x in range(0, 2101, 300)]
    park = shapely.box(600, 600, 1500, 1500)
    lines = [g for g in (shapely.difference(line, park.buffer(-1)) for line in lines)
             if not g.is_empty]
    net = build(roads(lines), WALK)
    src = snap(net, np.array([[0.0, 0.0], [2100.0, 2100.0]]), max_snap_m=5)
    exact = service_areas(net, src, [60], trim_m=40).geometry.iloc[0]
    block = (300 - 80) ** 2
    assert sum(len(p.interiors) for p in getattr(exact, "geoms", [exact])) > 20
    keep_all = service_areas(net, src, [60], trim_m=40, method="grid", cell_m=10)
    filled = service_areas(net, src, [60], trim_m=40, method="grid", cell_m=10,
                           min_hole_m2=2 * block)
    poly = filled.geometry.iloc[0]
    holes = [shapely.Polygon(r) for p in getattr(poly, "geoms", [poly]) for r in p.interiors]
    # only the park is left as a hole, and it still follows the exact outline
    assert len(holes) == 1 and holes[0].area > 700 ** 2
    assert not inside(poly, [[1050, 1050]]).any()
    assert keep_all.geometry.iloc[0].area < poly.area
    # outside the filled blocks it follows the exact outline (test above), and what it adds
    # is the block interiors: 49 blocks less the 9 inside the park
    tol = 10 * np.sqrt(2) + 10 / 4 + 10
    assert poly.buffer(tol).contains(exact)
    extra = shapely.difference(poly, exact).area
    assert 0.8 * 40 * block < extra < 1.2 * 40 * block


def test_grid_reuses_a_ring_that_reaches_nothing_new():
    net = build(roads([LineString([(0, 0), (300, 0)])]), WALK)
    src = snap(net, np.array([[150.0, 0.0]]), max_snap_m=5)
    # 150 s reach the ends of the road: 10 and 20 minutes reach the same road
    sa = service_areas(net, src, [5, 10, 20], trim_m=40, method="grid", cell_m=10)
    g = list(sa.geometry)
    assert g[1] is g[2]
    assert g[0].equals(g[1]) and inside(g[2], [[0, 0], [300, 0]]).all()


def test_grid_cell_fits_the_reach_and_keeps_the_containment_margin():
    from lifecircle.accessibility.isochrones import grid_cell_m

    assert grid_cell_m(1000.0, 50.0) == pytest.approx(20.0)      # walking: trim / 2.5
    assert grid_cell_m(7500.0, 50.0) == pytest.approx(25.0)      # e-bike: up to trim / 2
    assert grid_cell_m(5500.0, 50.0) == pytest.approx(22.0)
    for reach in (100.0, 1000.0, 5000.0, 50_000.0):
        assert 2 * grid_cell_m(reach, 50.0) <= 50.0


def test_mask_polygon_builds_holes_in_bulk_and_simplifies_within_tolerance():
    from affine import Affine

    from lifecircle.geo.raster import mask_polygon

    mask = np.zeros((60, 80), dtype=bool)
    mask[5:55, 5:75] = True
    mask[10:12, 10:12] = False          # a 4-cell hole: 400 m2
    mask[20:40, 20:50] = False          # a big hole
    mask[30:35, 30:35] = True           # an island in it
    ys, xs = np.mgrid[0:60, 0:80]
    mask |= (xs - 74) ** 2 + (ys - 30) ** 2 < 30    # a round bump to simplify
    t = Affine(10.0, 0.0, 500_000.0, 0.0, -10.0, 3_500_000.0)
    raw = mask_polygon(mask, t)
    assert raw.is_valid and raw.geom_type == "MultiPolygon" and len(raw.geoms) == 2
    cells = mask.sum() * 100.0
    assert raw.area == pytest.approx(cells)
    assert sorted(len(p.interiors) for p in raw.geoms) == [0, 2]
    filled = mask_polygon(mask, t, min_hole_m2=500.0, simplify_m=5.0)
    assert filled.is_valid
    assert sorted(len(p.interiors) for p in filled.geoms) == [0, 1]
    assert filled.area == pytest.approx(cells + 400.0, rel=0.01)
    # Douglas-Peucker moves the outline by at most its tolerance
    unsimplified = mask_polygon(mask, t, min_hole_m2=500.0)
    assert unsimplified.area == pytest.approx(cells + 400.0)
    assert unsimplified.buffer(5.0 + 1e-6).contains(filled)
    assert filled.buffer(5.0 + 1e-6).contains(unsimplified)
    assert shapely.get_num_coordinates(filled) < shapely.get_num_coordinates(unsimplified)
    assert mask_polygon(np.zeros((3, 3), dtype=bool), t).is_empty


@pytest.mark.parametrize("seed", range(4))
def test_mask_polygon_is_always_a_valid_polygon_or_multipolygon(seed):
    """Random blobs touching at corners, simplified hard: repaired, never a collection."""
    from affine import Affine
    from scipy import ndimage

    from lifecircle.geo.raster import mask_polygon

    rng = np.random.default_rng(seed)
    mask = ndimage.binary_dilation(rng.random((80, 80)) < 0.03, iterations=2)
    mask |= np.indices((80, 80)).sum(axis=0) % 7 == 0      # diagonal stripes
    t = Affine(10.0, 0.0, 0.0, 0.0, -10.0, 800.0)
    raw = mask_polygon(mask, t)
    assert raw.is_valid and raw.area == pytest.approx(mask.sum() * 100.0)
    filled = mask_polygon(mask, t, min_hole_m2=300.0)
    assert filled.area > raw.area
    for tol in (0.0, 5.0, 15.0, 40.0):
        g = mask_polygon(mask, t, simplify_m=tol, min_hole_m2=300.0)
        assert g.geom_type in ("Polygon", "MultiPolygon") and g.is_valid
        if tol <= 5.0:   # beyond half a cell the one-cell stripes may collapse
            assert g.area == pytest.approx(filled.area, rel=0.02)


def test_grids_traced_together_equal_each_traced_alone():
    """masks_parts lays small grids side by side on one sheet traced by one GDAL call; every
    grid's polygons equal those from GDAL tracing that grid alone with its own transform
    (the same vertices, bit for bit, in the same order), large grids included."""
    from affine import Affine
    from rasterio import features
    from scipy import ndimage

    from lifecircle.geo import raster

    rng = np.random.default_rng(5)
    grids = []
    for i in range(120):
        h, w = rng.integers(1, 90, 2) if i % 40 else (300, 260)   # two above _SMALL_CELLS
        mask = ndimage.binary_dilation(rng.random((h, w)) < 0.02, iterations=2)
        mask &= rng.random((h, w)) > 0.05                         # holes and corner touches
        cell = float(rng.choice([16.0, 20.0, 25.0]))
        t = Affine(cell, 0.0, 500_000.0 + rng.random() * 1e5, 0.0, -cell,
                   3_500_000.0 + rng.random() * 1e5)
        grids.append((mask, t))
    for tol, hole in ((0.0, 0.0), (7.0, 3000.0)):
        together = raster.masks_parts(grids, simplify_m=tol, min_hole_m2=hole)
        assert len(together) == len(grids)
        for (mask, t), got in zip(grids, together, strict=True):
            m = mask.astype(np.uint8)
            rings, poly_of = [], []
            for j, (geom, _) in enumerate(features.shapes(m, mask=mask, connectivity=8,
                                                          transform=t)):
                rings += geom["coordinates"]
                poly_of += [j] * len(geom["coordinates"])
            alone = raster._polygons(rings, poly_of, t, tol, hole)
            assert len(got) == len(alone)
            assert shapely.to_wkb(got).tolist() == shapely.to_wkb(alone).tolist()
