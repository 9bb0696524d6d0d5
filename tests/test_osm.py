"""OpenStreetMap import: XML through osmnx, PBF through osmium, clipped extracts."""

from __future__ import annotations

import gzip
from itertools import pairwise

import geopandas as gpd
import numpy as np
import osmium
import pytest
import shapely

from lifecircle.accessibility.network import build, read_osm
from lifecircle.accessibility.snap import snap
from lifecircle.accessibility.traveltime import nearest
from lifecircle.errors import InputError
from lifecircle.project import Mode

CRS = "EPSG:4548"
WALK = Mode("walk", "步行", "walk", 3.6, frozenset({"motorway", "trunk"}), False)
DRIVE = Mode("drive", "机动车", "drive", 36.0, frozenset({"path"}), True)

# node id -> (lon, lat); node 99 is referenced by a way but missing (a clipped extract)
NODES = {
    1: (118.500, 31.700), 2: (118.501, 31.700), 3: (118.502, 31.700), 4: (118.502, 31.701),
    7: (118.501, 31.702), 10: (118.503, 31.701), 8: (118.502, 31.704), 9: (118.503, 31.704),
    5: (118.490, 31.690), 6: (118.495, 31.690), 11: (118.503, 31.699),
    13: (118.510, 31.710), 14: (118.511, 31.710),
}
# way id -> (node refs, tags)
WAYS = {
    100: ([1, 2, 3], {"highway": "residential", "name": "湖东路"}),
    101: ([3, 4], {"highway": "footway"}),
    102: ([5, 6], {"highway": "motorway"}),
    103: ([2, 7], {"highway": "primary", "oneway": "-1"}),
    104: ([10, 4, 99, 8, 9], {"highway": "residential"}),
    105: ([1, 2, 7, 1], {"building": "yes"}),
    106: ([3, 11], {"highway": "service", "foot": "no"}),
    107: ([11, 13], {"highway": "proposed"}),
    108: ([13, 14], {"highway": "tertiary", "maxspeed": "30 mph"}),
}
WALK_WAYS = (100, 101, 103, 104, 108)
DRIVE_WAYS = (100, 102, 103, 104, 106, 108)


def osm_xml() -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">',
             '<bounds minlat="31.69" minlon="118.49" maxlat="31.71" maxlon="118.52"/>']
    for nid, (lon, lat) in NODES.items():
        lines.append(f'<node id="{nid}" version="1" lat="{lat}" lon="{lon}"/>')
    for wid, (refs, tags) in WAYS.items():
        lines.append(f'<way id="{wid}" version="1">')
        lines += [f'<nd ref="{r}"/>' for r in refs]
        lines += [f'<tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("</way>")
    lines.append('<relation id="1" version="1"><member type="way" ref="100" role=""/>'
                 '<tag k="type" v="route"/></relation>')
    lines.append("</osm>")
    return "\n".join(lines)


@pytest.fixture
def xml_path(tmp_path):
    path = tmp_path / "area.osm"
    path.write_text(osm_xml(), encoding="utf-8")
    return path


def expected_length(way_ids) -> float:
    """Metres of the ways' runs of present nodes, projected like the roads will be."""
    lines = []
    for wid in way_ids:
        refs = WAYS[wid][0]
        run: list[int] = []
        for r in [*refs, None]:
            if r is not None and r in NODES:
                run.append(r)
                continue
            if len(run) >= 2:
                lines.append(shapely.LineString([NODES[n] for n in run]))
            run = []
    return float(gpd.GeoSeries(lines, crs="EPSG:4326").to_crs(CRS).length.sum())


def check_roads(roads: gpd.GeoDataFrame, network_type: str) -> None:
    assert roads.crs == "EPSG:4326"
    assert {"road_class", "oneway", "speed_kmh", "walk", "name"} <= set(roads.columns)
    ways = WALK_WAYS if network_type == "walk" else DRIVE_WAYS
    assert float(roads.to_crs(CRS).length.sum()) == pytest.approx(expected_length(ways),
                                                                  rel=1e-9)
    classes = set(roads["road_class"])
    if network_type == "walk":
        assert classes == {"residential", "path", "primary", "tertiary"}
    else:
        assert classes == {"residential", "motorway", "primary", "service", "tertiary"}
    # oneway=-1 is turned round: the geometry runs from node 7 to node 2
    primary = roads[roads["road_class"] == "primary"]
    assert len(primary) == 1 and bool(primary["oneway"].iloc[0])
    xy = shapely.get_coordinates(primary.geometry.iloc[0])
    np.testing.assert_allclose(xy[0], NODES[7])
    np.testing.assert_allclose(xy[-1], NODES[2])
    assert not roads.loc[roads["road_class"] != "primary", "oneway"].any()
    assert (roads["name"] == "湖东路").any()
    tertiary = roads[roads["road_class"] == "tertiary"]
    assert tertiary["speed_kmh"].iloc[0] == pytest.approx(30 * 1.609344)
    # the gap at the missing node is never bridged
    for g in roads.geometry:
        coords = [tuple(c) for c in np.round(shapely.get_coordinates(g), 6)]
        for a, b in pairwise(coords):
            assert {a, b} != {NODES[4], NODES[8]}
    if network_type == "drive":
        assert not roads.loc[roads["road_class"] == "motorway", "walk"].any()
        assert not roads.loc[roads["road_class"] == "service", "walk"].any()


@pytest.mark.parametrize("network_type", ["walk", "drive"])
def test_xml_through_osmnx_with_missing_node(xml_path, network_type):
    roads = read_osm(xml_path, network_type=network_type)
    check_roads(roads, network_type)


@pytest.mark.parametrize("network_type", ["walk", "drive"])
def test_pbf_through_osmium(xml_path, tmp_path, network_type):
    pbf = tmp_path / "area.osm.pbf"
    writer = osmium.SimpleWriter(str(pbf))
    for obj in osmium.FileProcessor(str(xml_path)):
        writer.add(obj)
    writer.close()
    roads = read_osm(pbf, network_type=network_type)
    check_roads(roads, network_type)


def test_gzipped_xml(xml_path, tmp_path):
    gz = tmp_path / "area.osm.gz"
    gz.write_bytes(gzip.compress(xml_path.read_bytes()))
    assert len(read_osm(gz)) == len(read_osm(xml_path))


def test_osm_roads_build_a_routable_network(xml_path):
    roads = read_osm(xml_path).to_crs(CRS)
    net = build(roads, WALK)
    p = gpd.GeoSeries(gpd.points_from_xy(*zip(*[NODES[1], NODES[10], NODES[9]], strict=True)),
                      crs="EPSG:4326").to_crs(CRS)
    s = snap(net, p, max_snap_m=5)
    assert s.snapped.all()
    t, _ = nearest(net, s.take([0]), s.take([1, 2]))
    # 1 -> 2 -> 3 -> 4 -> 10 along the roads; 9 lies beyond the missing node
    legs = [(1, 2), (2, 3), (3, 4), (4, 10)]
    metres = float(gpd.GeoSeries([shapely.LineString([NODES[a], NODES[b]]) for a, b in legs],
                                 crs="EPSG:4326").to_crs(CRS).length.sum())
    assert t[0] == pytest.approx(metres, rel=1e-6)
    assert t[1] == np.inf
    drive = build(read_osm(xml_path, network_type="drive").to_crs(CRS), DRIVE)
    assert drive.edge_time_bwd[np.isinf(drive.edge_time_bwd)].size == 1   # the primary


def test_bad_osm_inputs(tmp_path, xml_path):
    with pytest.raises(InputError, match="not found"):
        read_osm(tmp_path / "nope.osm")
    with pytest.raises(InputError, match="network type"):
        read_osm(xml_path, network_type="boat")
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><node id='1' lat='1' lon='1'></osm>")
    with pytest.raises(InputError, match="not valid OSM XML"):
        read_osm(bad)
    empty = tmp_path / "empty.osm"
    empty.write_text('<osm version="0.6"><node id="1" lat="31.7" lon="118.5"/>'
                     '<way id="5"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/>'
                     "</way></osm>")
    with pytest.raises(InputError, match="no OSM ways usable"):
        read_osm(empty)
