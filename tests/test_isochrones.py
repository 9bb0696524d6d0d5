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
WALK = Mode("walk", "步行", "walk", 3.6, frozenset(), False)      # 1 m/s
DRIVE = Mode("drive", "机动车", "drive", 36.0, frozenset(), True)  # 10 m/s


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


@pytest.mark.parametrize("method", ["buffer", "grid"])
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
    poly = service_areas(net, src, [limit_min], trim_m=trim, method=method,
                         cell_m=cell).geometry.iloc[0]
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
    if not oneway:
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
