"""Snapping and exact travel times: hand-computed graphs and a networkx oracle."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString

from lifecircle.accessibility.network import build, from_edges
from lifecircle.accessibility.snap import Snapped, snap
from lifecircle.accessibility.traveltime import nearest, node_times, pairs_within
from lifecircle.errors import InputError
from lifecircle.project import Mode

CRS = "EPSG:4548"
# 1 m/s walking
WALK = Mode("walk", "步行", "walk", 3.6, frozenset({"motorway"}), False,
            pedestrian=True)
DRIVE = Mode("drive", "机动车", "drive", 36.0, frozenset({"path"}), True,
             posted_speeds=True)     # 10 m/s
INF = np.inf


def pts(edge, offset, access=None) -> Snapped:
    edge = np.asarray(edge, dtype=np.int64)
    access = np.zeros(len(edge)) if access is None else np.asarray(access, dtype=float)
    return Snapped(edge, np.asarray(offset, dtype=float), access, edge < 0,
                   np.zeros((len(edge), 2)))


def roads(geoms, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=CRS)


# ---------------------------------------------------------------------------- snapping
def test_snap_to_nearest_edge_not_node():
    net = build(roads([LineString([(0, 0), (1000, 0)]), LineString([(0, 0), (0, 1000)])]),
                WALK)
    s = snap(net, np.array([[400.0, 30.0], [20.0, 700.0], [700, 700]]), max_snap_m=100)
    horiz = int(np.flatnonzero(net.edge_length == 1000)[np.argmin(
        [net.node_xy[net.edge_v[e]][1] for e in np.flatnonzero(net.edge_length == 1000)])])
    assert s.edge[0] == horiz
    assert s.offset_m[0] == pytest.approx(400.0 if net.node_xy[net.edge_u[horiz]][0] == 0
                                          else 600.0)
    assert s.access_m[:2] == pytest.approx([30.0, 20.0])
    assert list(s.too_far) == [False, False, True]
    assert s.edge[2] == -1 and np.isnan(s.offset_m[2])
    assert s.access_m[2] == pytest.approx(700.0)


def test_snap_without_far_access_skips_only_the_far_distance():
    net = build(roads([LineString([(0, 0), (1000, 0)]), LineString([(0, 0), (0, 1000)])]),
                WALK)
    xy = np.array([[400.0, 30.0], [20.0, 700.0], [700, 700], [np.nan, np.nan], [0, 0]])
    a = snap(net, xy, max_snap_m=100)
    b = snap(net, xy, max_snap_m=100, far_access=False)
    np.testing.assert_array_equal(a.edge, b.edge)
    np.testing.assert_array_equal(a.offset_m, b.offset_m)
    np.testing.assert_array_equal(a.too_far, b.too_far)
    near = ~a.too_far
    np.testing.assert_array_equal(a.access_m[near], b.access_m[near])
    assert a.access_m[2] == pytest.approx(700.0) and b.access_m[2] == INF
    assert np.isnan(a.access_m[3]) and np.isnan(b.access_m[3])


def test_snap_accepts_geoseries_and_checks_crs():
    net = build(roads([LineString([(0, 0), (100, 0)])]), WALK)
    gs = gpd.GeoSeries([shapely.Point(50, 10), None, shapely.box(10, 10, 20, 20)], crs=CRS)
    s = snap(net, gs, max_snap_m=50)
    assert list(s.edge) == [0, -1, 0]
    assert list(s.too_far) == [False, True, False]
    assert s.access_m[0] == pytest.approx(10.0)
    picked = s.take([2, 0])
    assert list(picked.edge) == [0, 0] and picked.xy[1] == pytest.approx([50, 10])
    assert len(s.take([])) == 0 and list(s.take(s.snapped).too_far) == [False, False]
    with pytest.raises(InputError, match="reproject"):
        snap(net, gs.set_crs("EPSG:32650", allow_override=True), max_snap_m=50)


def test_snap_skips_edges_the_mode_cannot_use():
    r = roads([LineString([(0, 0), (100, 0)]), LineString([(0, 50), (100, 50)])],
              road_class=["motorway", "residential"])
    net = build(r, WALK)
    s = snap(net, np.array([[50.0, 5.0]]), max_snap_m=100)
    assert s.access_m[0] == pytest.approx(45.0)


# ---------------------------------------------------------------------------- hand graphs
def line3(t_fwd=(100.0, 100.0), t_bwd=(100.0, 100.0)):
    """0 --100 m-- 1 --100 m-- 2, access speed 1 m/s."""
    return from_edges([[0, 0], [100, 0], [200, 0]], [0, 1], [1, 2], t_fwd, t_bwd)


def test_mid_edge_source_and_targets():
    net = line3()
    src = pts([0], [50], [10])
    tgt = pts([0, 1, 1, 0, 1], [20, 50, 0, 80, 100], [5, 0, 0, 0, 2])
    t, which = nearest(net, src, tgt)
    # access 10 + along the edge + target access
    assert t == pytest.approx([10 + 30 + 5, 10 + 50 + 50, 10 + 50, 10 + 30, 10 + 150 + 2])
    assert list(which) == [0] * 5


def test_target_reached_through_the_faster_end():
    # edge 1 is slow (1000 s); a target near its far end comes round through edge 2
    net = from_edges([[0, 0], [100, 0], [200, 0], [100, 100]], [0, 1, 0, 3], [1, 2, 3, 2],
                     [100, 1000, 50, 50], [100, 1000, 50, 50])
    t, _ = nearest(net, pts([0], [0]), pts([1], [90]))
    assert t[0] == pytest.approx(min(100 + 900, 100 + 100))


def test_same_edge_source_and_target_respect_direction():
    net = line3(t_fwd=(100.0, 100.0), t_bwd=(INF, INF))   # one-way 0 -> 1 -> 2
    t, which = nearest(net, pts([0, 0], [30, 70]), pts([0, 0, 1], [50, 10, 40]))
    assert t == pytest.approx([20.0, INF, 70.0])       # 30 -> 50; 10 is behind both
    assert list(which) == [0, -1, 1]
    both = line3()
    t2, w2 = nearest(both, pts([0, 0], [30, 70]), pts([0, 0], [50, 10]))
    assert t2 == pytest.approx([20.0, 20.0])
    assert w2[0] in (0, 1) and w2[1] == 0            # 50 is a tie; 10 is nearer to 30


def test_nearest_source_index_and_limit():
    net = line3()
    src = pts([0, 1, -1], [0, 100, 0])       # at node 0, at node 2, and an unsnapped one
    tgt = pts([0, 1, 1, -1], [30, 60, 10, 0])
    t, which = nearest(net, src, tgt)
    assert t == pytest.approx([30, 40, 90, INF])
    assert list(which) == [0, 1, 1, -1]
    t2, w2 = nearest(net, src, tgt, limit_s=35)
    assert t2 == pytest.approx([30, INF, INF, INF])
    assert list(w2) == [0, -1, -1, -1]


def test_node_times_include_access():
    d, w = node_times(line3(), pts([0], [25], [5]))
    assert d == pytest.approx([30, 80, 180]) and list(w) == [0, 0, 0]


def test_disconnected_piece_is_unreachable():
    net = from_edges([[0, 0], [100, 0], [0, 500], [100, 500]], [0, 2], [1, 3], [100, 100],
                     [100, 100])
    t, w = nearest(net, pts([0], [50]), pts([1, 0], [50, 0]))
    assert t[0] == INF and w[0] == -1
    assert t[1] == pytest.approx(50)


def test_oneway_for_driving_ignored_for_walking():
    # a square block; the south side is one-way eastbound
    sq = [LineString([(0, 0), (100, 0)]), LineString([(100, 0), (100, 100)]),
          LineString([(100, 100), (0, 100)]), LineString([(0, 100), (0, 0)])]
    r = roads(sq, oneway=[True, False, False, False])
    drive, walk = build(r, DRIVE), build(r, WALK)
    a = np.array([[90.0, 0.0]])    # on the south side near its east end
    b = np.array([[10.0, 0.0]])    # on the south side near its west end
    td, _ = nearest(drive, snap(drive, a, max_snap_m=1), snap(drive, b, max_snap_m=1))
    tw, _ = nearest(walk, snap(walk, a, max_snap_m=1), snap(walk, b, max_snap_m=1))
    assert tw[0] == pytest.approx(80.0)               # straight back along the side
    assert td[0] == pytest.approx((10 + 300 + 10) / 10)  # all the way round the block
    back, _ = nearest(drive, snap(drive, b, max_snap_m=1), snap(drive, a, max_snap_m=1))
    assert back[0] == pytest.approx(8.0)


def test_river_with_one_bridge():
    # south bank road y=0, north bank road y=300, the only bridge at x=1000
    r = roads([LineString([(-200, 0), (1200, 0)]), LineString([(-200, 300), (1200, 300)]),
               LineString([(1000, 0), (1000, 300)])])
    net = build(r, WALK)
    house = np.array([[0.0, 320.0]])        # 20 m north of the north bank road
    shop = np.array([[0.0, -10.0]])         # 10 m south of the south bank road
    in_river = np.array([[0.0, 150.0]])     # 150 m from either bank
    s_shop = snap(net, shop, max_snap_m=100)
    s_house = snap(net, np.vstack([house, in_river]), max_snap_m=100)
    assert list(s_house.too_far) == [False, True] and s_house.edge[1] == -1
    assert s_house.access_m[1] == pytest.approx(150.0)
    t, w = nearest(net, s_shop, s_house)
    assert t[0] == pytest.approx(10 + 1000 + 300 + 1000 + 20)
    assert t[1] == INF and list(w) == [0, -1]


def test_pairs_within_hand():
    net = line3()
    src = pts([0, 1], [0, 100])
    tgt = pts([0, 1, 1], [30, 60, 10])
    s, t, c = pairs_within(net, src, tgt, limit_s=100)
    got = {(int(a), int(b)): float(x) for a, b, x in zip(s, t, c, strict=True)}
    assert got == pytest.approx({(0, 0): 30, (1, 1): 40, (1, 2): 90})  # (0, 2) is 110
    assert list(zip(s, t, strict=True)) == sorted(zip(s, t, strict=True))


def test_pairs_within_small_batches_equal_one_batch():
    rng = np.random.default_rng(3)
    net = line3()
    src = pts(rng.integers(0, 2, 40), rng.uniform(0, 100, 40), rng.uniform(0, 5, 40))
    tgt = pts(rng.integers(0, 2, 30), rng.uniform(0, 100, 30), rng.uniform(0, 5, 30))
    a = pairs_within(net, src, tgt, limit_s=60, batch=3)
    b = pairs_within(net, src, tgt, limit_s=60, batch=1000)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


# ---------------------------------------------------------------------------- oracle
def oracle(net, src: Snapped, tgt: Snapped) -> nx.DiGraph:
    """networkx graph with every point inserted into its edge as a node of its own."""
    g = nx.DiGraph()

    def arc(a, b, w):
        if np.isfinite(w) and (not g.has_edge(a, b) or g[a][b]["weight"] > w):
            g.add_edge(a, b, weight=float(w))

    on_edge = defaultdict(list)
    for kind, p in (("s", src), ("t", tgt)):
        for i in range(len(p)):
            if p.edge[i] >= 0:
                on_edge[int(p.edge[i])].append((float(p.offset_m[i]), (kind, i)))
                acc = p.access_m[i] / net.access_speed_mps
                if kind == "s":
                    arc(("S", i), ("s", i), acc)
                else:
                    arc(("t", i), ("T", i), acc)
    for n in range(net.n_nodes):
        g.add_node(("n", n))
    for e in range(net.n_edges):
        length = net.edge_length[e]
        chain = [(0.0, ("n", int(net.edge_u[e])))]
        chain += sorted(on_edge[e], key=lambda x: x[0])
        chain.append((length, ("n", int(net.edge_v[e]))))
        for (o1, a), (o2, b) in pairwise(chain):
            d = o2 - o1
            arc(a, b, 0.0 if d == 0 else d / length * net.edge_time_fwd[e])
            arc(b, a, 0.0 if d == 0 else d / length * net.edge_time_bwd[e])
    return g


times_st = st.one_of(st.floats(1.0, 100.0), st.just(INF))
frac_st = st.one_of(st.just(0.0), st.just(1.0), st.floats(0.0, 1.0))
acc_st = st.one_of(st.just(0.0), st.floats(0.0, 30.0))


@st.composite
def problems(draw):
    n = draw(st.integers(1, 7))
    m = draw(st.integers(1, 11))
    xy = np.array(draw(st.lists(st.tuples(st.floats(0, 1000), st.floats(0, 1000)),
                                min_size=n, max_size=n)))
    u = np.array(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)))
    v = np.array(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)))
    geoms = []
    for a, b in zip(u, v, strict=True):
        # a bend keeps every edge (and a loop) of positive length
        mid = (xy[a] + xy[b]) / 2 + np.array([7.0, 11.0])
        geoms.append(LineString([xy[a], mid, xy[b]]))
    tf = np.array(draw(st.lists(times_st, min_size=m, max_size=m)))
    tb = np.array(draw(st.lists(times_st, min_size=m, max_size=m)))
    net = from_edges(xy, u, v, tf, tb, edge_geometry=geoms, access_speed_mps=1.5)

    def points(kmin, kmax):
        k = draw(st.integers(kmin, kmax))
        e = np.array(draw(st.lists(st.integers(-1, m - 1), min_size=k, max_size=k)),
                     dtype=np.int64)
        f = np.array(draw(st.lists(frac_st, min_size=k, max_size=k)))
        a = np.array(draw(st.lists(acc_st, min_size=k, max_size=k)))
        off = np.where(e >= 0, f * net.edge_length[np.maximum(e, 0)], np.nan)
        return pts(e, off, a)

    return net, points(1, 5), points(1, 8)


@settings(max_examples=150, deadline=None)
@given(problems(), st.one_of(st.just(INF), st.floats(0.0, 400.0)))
def test_nearest_and_pairs_match_networkx(problem, limit):
    net, src, tgt = problem
    g = oracle(net, src, tgt)
    sources = [("S", i) for i in range(len(src)) if src.edge[i] >= 0]
    best = (nx.multi_source_dijkstra_path_length(g, sources) if sources else {})
    per_source = {s[1]: nx.single_source_dijkstra_path_length(g, s) for s in sources}
    t, which = nearest(net, src, tgt, limit_s=limit)
    for j in range(len(tgt)):
        want = best.get(("T", j), INF)
        if abs(want - limit) < 1e-6:
            continue                       # on the boundary either answer is right
        if want > limit or want == INF:
            assert t[j] == INF and which[j] == -1
        else:
            assert t[j] == pytest.approx(want, abs=1e-6)
            assert per_source[int(which[j])].get(("T", j), INF) == pytest.approx(want,
                                                                                  abs=1e-6)
    # pairs_within against per-source searches
    lim = limit
    s, tt, c = pairs_within(net, src, tgt, limit_s=lim, batch=2)
    got = {(int(a), int(b)): float(x) for a, b, x in zip(s, tt, c, strict=True)}
    for i, dist in per_source.items():
        for j in range(len(tgt)):
            want = dist.get(("T", j), INF)
            if abs(want - lim) < 1e-6:
                got.pop((i, j), None)
                continue
            if want <= lim and want < INF:
                assert got.pop((i, j)) == pytest.approx(want, abs=1e-6)
    assert not got


# ------------------------------------------------- pairs_within's bounded search
def _whole_graph_pairs(net, src: Snapped, tgt: Snapped, limit: float) -> dict:
    """Reference: one dense Dijkstra per source over the WHOLE augmented graph, each
    target through either end of its edge or along a shared edge (the method
    ``pairs_within`` used before it searched only the reachable part of the graph)."""
    from scipy.sparse.csgraph import dijkstra

    from lifecircle.accessibility.traveltime import augmented

    s_idx = np.flatnonzero(src.edge >= 0)
    g = augmented(net, src, s_idx)
    n = net.n_nodes
    dist = dijkstra(g, directed=True, indices=n + np.arange(len(s_idx)), limit=limit)
    out = {}

    def put(i, j, t):
        if np.isfinite(t) and t <= limit and t < out.get((i, j), INF):
            out[(i, j)] = t

    for j in np.flatnonzero(tgt.edge >= 0):
        e = tgt.edge[j]
        length = net.edge_length[e]
        f = min(max(tgt.offset_m[j] / length, 0.0), 1.0) if length > 0 else 0.0
        acc = tgt.access_m[j] / net.access_speed_mps
        part_u = f * net.edge_time_fwd[e] if f > 0 else 0.0
        part_v = (1 - f) * net.edge_time_bwd[e] if 1 - f > 0 else 0.0
        for r, i in enumerate(s_idx):
            d = dist[r]
            if d[net.edge_u[e]] <= limit:
                put(int(i), int(j), d[net.edge_u[e]] + (part_u + acc))
            if d[net.edge_v[e]] <= limit:
                put(int(i), int(j), d[net.edge_v[e]] + (part_v + acc))
            if src.edge[i] == e:
                fs = min(max(src.offset_m[i] / length, 0.0), 1.0) if length > 0 else 0.0
                gap = f - fs
                along = (gap * net.edge_time_fwd[e] if gap > 0 else
                         -gap * net.edge_time_bwd[e] if gap < 0 else 0.0)
                put(int(i), int(j), along + src.access_m[i] / net.access_speed_mps + acc)
    return out


def _city(seed: int, n: int = 400, side: float = 6000.0):
    """A random road graph: each node joined to its 3 nearest neighbours, speeds between
    1 and 6 m/s, a straight 8 m/s highway across the middle (where a search reaches as far
    as any can), a fifth of the edges one-way (either way)."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    hw = np.column_stack([np.arange(0.0, side + 1, 100.0), np.full(int(side / 100) + 1,
                                                                   side / 2)])
    xy = np.vstack([hw, rng.uniform(0, side, (n, 2))])
    _, nb = cKDTree(xy).query(xy, k=4)
    pairs = {(min(a, b), max(a, b)) for a, row in enumerate(nb) for b in row[1:]}
    pairs |= {(a, a + 1) for a in range(len(hw) - 1)}
    u, v = np.array(sorted(pairs)).T
    length = np.hypot(*(xy[u] - xy[v]).T)
    speed = np.where((u < len(hw)) & (v == u + 1), 8.0, rng.uniform(1.0, 6.0, len(u)))
    t = length / speed
    one_way = rng.random(len(u)) < 0.2
    back = rng.random(len(u)) < 0.5
    t_fwd = np.where(one_way & back, INF, t)
    t_bwd = np.where(one_way & ~back, INF, t)
    return from_edges(xy, u, v, t_fwd, t_bwd, access_speed_mps=1.2), rng


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pairs_within_equals_whole_graph_search(seed):
    from lifecircle.accessibility.traveltime import _max_speed

    net, rng = _city(seed)
    m = net.n_edges

    def points(k):
        e = rng.integers(-1, m, k)
        f = rng.choice([0.0, 1.0, 0.5, *rng.uniform(0, 1, 20)], k)
        off = np.where(e >= 0, f * net.edge_length[np.maximum(e, 0)], np.nan)
        return pts(e, off, rng.choice([0.0, 3.0, 25.0], k))

    src, tgt = points(150), points(600)
    # sources and targets along the highway
    highway = np.flatnonzero((net.edge_length == 100.0) & (net.edge_time_fwd == 12.5))
    src.edge[-30:] = rng.choice(highway, 30)
    tgt.edge[-150:] = rng.choice(highway, 150)
    src.offset_m[-30:] = rng.uniform(0, 100, 30)
    tgt.offset_m[-150:] = rng.uniform(0, 100, 150)
    # several sources and targets on the same edges, at the same and at other offsets
    tgt.edge[:40] = src.edge[:40]
    tgt.offset_m[:20] = src.offset_m[:20]
    tgt.offset_m[20:40] = (rng.uniform(0, 1, 20)
                           * np.where(src.edge[20:40] >= 0, net.edge_length[src.edge[20:40]],
                                      np.nan))
    limit = 240.0
    # the bounded search must cut: the reach is a small part of the 6 km square
    assert limit * _max_speed(net) < 6000 / 2
    want = _whole_graph_pairs(net, src, tgt, limit)
    assert len(want) > 200
    for batch in (1, 7, 256):
        s, t, c = pairs_within(net, src, tgt, limit_s=limit, batch=batch)
        got = {(int(a), int(b)): float(x) for a, b, x in zip(s, t, c, strict=True)}
        assert got == want          # same pairs, bit-identical seconds
        assert list(zip(s, t, strict=True)) == sorted(zip(s, t, strict=True))
    # and against networkx with every point inserted into its edge
    g = oracle(net, src, tgt)
    for i in np.flatnonzero(src.edge >= 0)[:25]:
        dist = nx.single_source_dijkstra_path_length(g, ("S", int(i)), cutoff=limit + 1)
        for j in range(len(tgt)):
            d = dist.get(("T", j), INF)
            if abs(d - limit) < 1e-6:
                continue
            if d <= limit:
                assert want[(int(i), j)] == pytest.approx(d, abs=1e-6)
            else:
                assert (int(i), j) not in want
