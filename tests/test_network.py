"""Road graph construction: noding, gap closing, crossings, modes, one-way, components."""

from __future__ import annotations

from itertools import pairwise

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, MultiLineString, Point

from lifecircle.accessibility.network import build, components, from_edges
from lifecircle.accessibility.snap import snap
from lifecircle.errors import InputError
from lifecircle.project import Mode

CRS = "EPSG:4548"
# 1 m/s walking and 10 m/s driving make hand-computed times easy
WALK = Mode("walk", "步行", "walk", 3.6, frozenset({"motorway"}), False,
            pedestrian=True)
DRIVE = Mode("drive", "机动车", "drive", 36.0, frozenset({"path"}), True,
             {"residential": 18.0}, posted_speeds=True)


def roads(geoms, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=CRS)


def edge_set(net) -> set[tuple[tuple[float, float], tuple[float, float], float]]:
    """Edges as (start xy, end xy, length), orientation-free."""
    out = set()
    for u, v, length in zip(net.edge_u, net.edge_v, net.edge_length, strict=True):
        a = tuple(np.round(net.node_xy[u], 6))
        b = tuple(np.round(net.node_xy[v], 6))
        out.add((min(a, b), max(a, b), round(float(length), 6)))
    return out


def test_noded_at_shared_interior_vertex():
    net = build(roads([LineString([(0, 0), (100, 0), (200, 0)]),
                       LineString([(100, -100), (100, 0), (100, 100)])]), WALK)
    assert net.n_nodes == 5
    assert edge_set(net) == {((0, 0), (100, 0), 100.0), ((100, 0), (200, 0), 100.0),
                             ((100, -100), (100, 0), 100.0), ((100, 0), (100, 100), 100.0)}
    np.testing.assert_allclose(net.edge_time_fwd, 100.0)
    np.testing.assert_allclose(net.edge_time_bwd, 100.0)
    assert (net.component == 0).all()


def test_interior_vertices_not_shared_stay_inside_the_edge():
    net = build(roads([LineString([(0, 0), (30, 40), (60, 0)])]), WALK)
    assert net.n_nodes == 2 and net.n_edges == 1
    assert net.edge_length[0] == pytest.approx(100.0)
    assert len(shapely.get_coordinates(net.edge_geometry[0])) == 3


def test_edge_geometry_runs_from_u_to_v():
    net = build(roads([LineString([(0, 0), (50, 10), (100, 0), (150, 10), (200, 0)]),
                       LineString([(100, 0), (100, 80)])]), WALK)
    for e in range(net.n_edges):
        xy = shapely.get_coordinates(net.edge_geometry[e])
        np.testing.assert_array_equal(xy[0], net.node_xy[net.edge_u[e]])
        np.testing.assert_array_equal(xy[-1], net.node_xy[net.edge_v[e]])
    assert net.edge_length.sum() == pytest.approx(4 * np.hypot(50, 10) + 80)


def test_gap_within_tolerance_is_closed():
    lines = [LineString([(0, 0), (100, 0)]), LineString([(100.6, 0.3), (200, 0)])]
    closed = build(roads(lines), WALK, snap_tolerance_m=1.0)
    assert closed.n_nodes == 3
    assert len(np.unique(closed.component)) == 1
    open_ = build(roads(lines), WALK, snap_tolerance_m=0.5)
    assert open_.n_nodes == 4
    assert len(np.unique(open_.component)) == 2


def test_undershoot_joins_the_middle_of_a_segment():
    # a side street stopping 0.4 m short of a main road with no vertex there
    main = LineString([(0, 0), (200, 0)])
    side = LineString([(150, 80), (150, 0.4)])
    net = build(roads([main, side]), WALK, snap_tolerance_m=1.0)
    assert edge_set(net) == {((0, 0), (150, 0), 150.0), ((150, 0), (200, 0), 50.0),
                             ((150, 0), (150, 80), 80.0)}
    # exactly on the segment: joined even with no tolerance
    side0 = LineString([(150, 80), (150, 0)])
    net0 = build(roads([main, side0]), WALK, snap_tolerance_m=0.0)
    assert net0.n_edges == 3 and len(np.unique(net0.component)) == 1
    # too far: stays apart
    far = build(roads([main, side]), WALK, snap_tolerance_m=0.3)
    assert far.n_edges == 2 and len(np.unique(far.component)) == 2


def test_two_streets_ending_on_the_middle_of_a_third_are_joined_to_it():
    main = LineString([(0, 0), (200, 0)])
    north = LineString([(100, 0), (100, 100)])
    south = LineString([(100, -100), (100, 0)])
    net = build(roads([main, north, south]), WALK)
    assert net.n_edges == 4 and net.n_nodes == 5
    assert len(np.unique(net.component)) == 1


def test_crossings_noded_only_when_asked():
    x = [LineString([(0, 0), (100, 100)]), LineString([(0, 100), (100, 0)])]
    plain = build(roads(x), WALK)
    assert plain.n_edges == 2 and len(np.unique(plain.component)) == 2
    noded = build(roads(x), WALK, node_crossings=True)
    assert noded.n_edges == 4 and noded.n_nodes == 5
    np.testing.assert_allclose(noded.edge_length, np.hypot(50, 50))
    assert any(np.allclose(xy, (50, 50)) for xy in noded.node_xy)
    assert len(np.unique(noded.component)) == 1


def test_multilinestring_exploded_and_short_line_not_collapsed():
    ml = MultiLineString([[(0, 0), (100, 0)], [(100, 0), (100, 50)]])
    tiny = LineString([(500, 500), (500.8, 500)])
    net = build(roads([ml, tiny]), WALK, snap_tolerance_m=1.0)
    assert edge_set(net) == {((0, 0), (100, 0), 100.0), ((100, 0), (100, 50), 50.0),
                             ((500, 500), (500.8, 500), 0.8)}


def test_ring_road_closing_gap_becomes_a_loop():
    ring = LineString([(0, 0), (100, 0), (100, 100), (0, 100), (0, 0.5)])
    net = build(roads([ring]), WALK, snap_tolerance_m=1.0)
    assert net.n_edges == 1 and net.edge_u[0] == net.edge_v[0]
    assert net.edge_length[0] == pytest.approx(400.0, abs=1.0)
    assert net.graph.nnz == 0  # self-loops never enter the CSR


def test_modes_speeds_forbidden_classes_and_walk_flag():
    lines = [LineString([(0, 0), (100, 0)]), LineString([(100, 0), (200, 0)]),
             LineString([(200, 0), (300, 0)]), LineString([(300, 0), (400, 0)])]
    r = roads(lines, road_class=["residential", "motorway", "path", "primary"],
              walk=[True, True, True, False], speed_kmh=[np.nan, 72.0, np.nan, 54.0])
    walk = build(r, WALK)
    # motorway forbidden, walk=False dropped: only residential and path remain
    assert edge_set(walk) == {((0, 0), (100, 0), 100.0), ((200, 0), (300, 0), 100.0)}
    np.testing.assert_allclose(walk.edge_time_fwd, 100.0)
    drive = build(r, DRIVE)
    got = {tuple(drive.node_xy[u]): t for u, t in zip(drive.edge_u, drive.edge_time_fwd,
                                                       strict=True)}
    # residential at its class speed 18 km/h = 5 m/s; motorway at posted 72 km/h;
    # primary at posted 54 km/h; path forbidden to cars
    assert got == pytest.approx({(0.0, 0.0): 20.0, (100.0, 0.0): 5.0, (300.0, 0.0): 100 / 15})
    assert drive.access_speed_mps == pytest.approx(10.0)


@pytest.mark.parametrize(("value", "fwd", "bwd"), [
    (True, 10.0, np.inf), ("yes", 10.0, np.inf), (1, 10.0, np.inf), ("1", 10.0, np.inf),
    (-1, np.inf, 10.0), ("-1", np.inf, 10.0), ("reverse", np.inf, 10.0),
    (False, 10.0, 10.0), ("no", 10.0, 10.0), (None, 10.0, 10.0),
])
def test_oneway_values_for_driving_and_ignored_for_walking(value, fwd, bwd):
    r = roads([LineString([(0, 0), (100, 0)])], oneway=[value])
    drive = build(r, DRIVE)
    assert drive.edge_time_fwd[0] == fwd and drive.edge_time_bwd[0] == bwd
    walk = build(r, WALK)
    assert walk.edge_time_fwd[0] == 100.0 and walk.edge_time_bwd[0] == 100.0
    g = drive.graph.toarray()
    u, v = drive.edge_u[0], drive.edge_v[0]
    assert g[u, v] == (fwd if np.isfinite(fwd) else 0.0)
    assert g[v, u] == (bwd if np.isfinite(bwd) else 0.0)


def test_parallel_edges_keep_the_fastest_in_the_csr():
    straight = LineString([(0, 0), (100, 0)])
    detour = LineString([(0, 0), (50, 50), (100, 0)])
    net = build(roads([straight, detour]), WALK)
    assert net.n_edges == 2 and net.n_nodes == 2
    assert net.graph.nnz == 2
    assert net.graph.data.max() == pytest.approx(100.0)


def test_components_report_and_stranded_population():
    main = LineString([(0, 0), (1000, 0)])
    island = LineString([(0, 500), (100, 500)])
    net = build(roads([main, island]), WALK)
    demand = snap(net, np.array([[10, 5], [500, -5], [50, 505], [5000, 5000]]), max_snap_m=50)
    rep = components(net, demand, population=[10, 20, 7, 1000])
    assert list(rep["component"]) == [0, 1]
    assert list(rep["length_m"]) == pytest.approx([1000.0, 100.0])
    assert list(rep["population"]) == [30.0, 7.0]
    assert rep.loc[~rep["main"], "population"].sum() == 7.0
    assert list(rep["edges"]) == [1, 1] and list(rep["nodes"]) == [2, 2]
    assert components(net)["population"].isna().all()


def test_bad_inputs_raise_input_error():
    with pytest.raises(InputError, match="geographic"):
        build(gpd.GeoDataFrame(geometry=[LineString([(118, 31), (118.1, 31)])],
                               crs="EPSG:4326"), WALK)
    with pytest.raises(InputError, match="not a line"):
        build(roads([LineString([(0, 0), (1, 0)]), Point(0, 0)]), WALK)


def test_empty_and_missing_geometries_are_skipped():
    net = build(roads([LineString([(0, 0), (10, 0)]), None, LineString()]), WALK)
    assert net.n_edges == 1


def test_from_edges_keeps_given_edges():
    net = from_edges([[0, 0], [10, 0], [20, 0]], [0, 1], [1, 2], [5.0, np.inf],
                     [np.inf, np.inf])
    assert net.n_edges == 2 and net.n_nodes == 3
    assert net.graph.nnz == 1
    assert list(net.component) == [0, 0, 1]


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 6), st.integers(2, 6), st.data())
def test_grid_pieces_preserve_length_and_connect(nx_, ny_, data):
    """A grid digitised as random runs of blocks noded back into one connected graph."""
    spacing = 100.0
    lines = []
    for j in range(ny_):
        cuts = sorted(set(data.draw(st.lists(st.integers(1, nx_ - 1), max_size=3))))
        xs = sorted({0, *cuts, nx_ - 1})
        for a, b in pairwise(xs):
            lines.append(LineString([(i * spacing, j * spacing) for i in range(a, b + 1)]))
    for i in range(nx_):
        lines.append(LineString([(i * spacing, j * spacing) for j in range(ny_)]))
    net = build(roads(lines), WALK, snap_tolerance_m=0.0)
    expected_edges = (nx_ - 1) * ny_ + nx_ * (ny_ - 1)
    assert net.n_edges == expected_edges
    assert net.n_nodes == nx_ * ny_
    assert net.edge_length.sum() == pytest.approx(expected_edges * spacing)
    np.testing.assert_allclose(net.edge_length, spacing)
    assert (net.component == 0).all()
