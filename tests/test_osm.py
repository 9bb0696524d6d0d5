"""OpenStreetMap import (``layers.osm``): XML through osmnx, PBF through osmium, clipped
extracts, and the ``all`` network that ``accessibility.network.build`` splits per mode."""

from __future__ import annotations

import gzip
from itertools import pairwise

import geopandas as gpd
import numpy as np
import osmium
import pytest
import shapely

from lifecircle.accessibility.network import build
from lifecircle.accessibility.snap import snap
from lifecircle.accessibility.traveltime import nearest
from lifecircle.errors import InputError
from lifecircle.layers.osm import is_osm, osm_roads, read_osm
from lifecircle.project import Mode, load_profile

CRS = "EPSG:4548"
WALK = Mode("walk", "步行", "walk", 3.6, frozenset({"motorway", "trunk"}), False,
            pedestrian=True)
DRIVE = Mode("drive", "机动车", "drive", 36.0, frozenset({"path"}), True,
             posted_speeds=True)

# node id -> (lon, lat); node 99 is referenced by a way but missing (a clipped extract)
NODES = {
    1: (118.500, 31.700), 2: (118.501, 31.700), 3: (118.502, 31.700), 4: (118.502, 31.701),
    7: (118.501, 31.702), 10: (118.503, 31.701), 8: (118.502, 31.704), 9: (118.503, 31.704),
    5: (118.490, 31.690), 6: (118.495, 31.690), 11: (118.503, 31.699),
    13: (118.510, 31.710), 14: (118.511, 31.710), 15: (118.512, 31.710), 16: (118.513, 31.710),
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
    109: ([14, 15], {"highway": "residential", "motor_vehicle": "no", "name": "步行街"}),
    110: ([15, 16], {"highway": "cycleway"}),
}
WALK_WAYS = (100, 101, 103, 104, 108, 109)
DRIVE_WAYS = (100, 102, 103, 104, 106, 108)
ALL_WAYS = tuple(sorted(set(WALK_WAYS) | set(DRIVE_WAYS)))


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
    ways = {"walk": WALK_WAYS, "drive": DRIVE_WAYS, "all": ALL_WAYS}[network_type]
    assert float(roads.to_crs(CRS).length.sum()) == pytest.approx(expected_length(ways),
                                                                  rel=1e-9)
    classes = set(roads["road_class"])
    if network_type == "walk":
        assert classes == {"residential", "path", "primary", "tertiary"}
    elif network_type == "drive":
        assert classes == {"residential", "motorway", "primary", "service", "tertiary"}
    else:
        assert classes == {"residential", "path", "motorway", "primary", "service", "tertiary"}
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
    # closed to pedestrians: the motorway and the service road with foot=no
    closed = sorted(roads.loc[~roads["walk"], "road_class"])
    assert closed == ([] if network_type == "walk" else ["motorway", "service"])
    # the street closed to motor vehicles is a path (driving modes forbid paths)
    pedestrian_street = roads[roads["name"] == "步行街"]
    assert pedestrian_street["road_class"].tolist() == (
        [] if network_type == "drive" else ["path"])


def write_pbf(xml_path, pbf):
    writer = osmium.SimpleWriter(str(pbf))
    for obj in osmium.FileProcessor(str(xml_path)):
        writer.add(obj)
    writer.close()
    return pbf


@pytest.mark.parametrize("network_type", ["walk", "drive", "all"])
def test_xml_through_osmnx_with_missing_node(xml_path, network_type):
    roads = read_osm(xml_path, network_type=network_type)
    check_roads(roads, network_type)


@pytest.mark.parametrize("network_type", ["walk", "drive", "all"])
def test_pbf_through_osmium(xml_path, tmp_path, network_type):
    pbf = write_pbf(xml_path, tmp_path / "area.osm.pbf")
    roads = read_osm(pbf, network_type=network_type)
    check_roads(roads, network_type)


@pytest.mark.parametrize("suffix", [".osm", ".osm.pbf"])
def test_counts_of_what_was_read(xml_path, tmp_path, suffix):
    path = xml_path if suffix == ".osm" else write_pbf(xml_path, tmp_path / "area.osm.pbf")
    # highway=* ways: 100-104 and 106-110 (105 is a building)
    walk = osm_roads(path, network_type="walk")
    assert (walk.ways_read, walk.ways_kept) == (10, 6)
    assert walk.dropped == {"highway=motorway": 1, "access": 1, "highway=proposed": 1,
                            "highway=cycleway": 1}
    drive = osm_roads(path, network_type="drive")
    assert (drive.ways_read, drive.ways_kept) == (10, 6)
    assert drive.dropped == {"highway=footway": 1, "access": 1, "highway=proposed": 1,
                             "highway=cycleway": 1}
    both = osm_roads(path, network_type="all")
    assert (both.ways_read, both.ways_kept, both.ways_dropped) == (10, 8, 2)
    assert both.dropped == {"highway=proposed": 1, "highway=cycleway": 1}
    # way 104 runs through the missing node 99
    assert (both.ways_cut, both.nodes_missing) == (1, 1)
    assert both.driver == ("OSM XML (osmnx)" if suffix == ".osm" else "OSM PBF (osmium)")


# what each mode of the shipped profile may use of the ``all`` network, by hand: walking
# modes keep to walkable ways and no motorway/trunk; the bicycle avoids motorways; the
# e-bike motorways and paths; driving paths (the footway and the street closed to cars)
PROFILE_MODE_WAYS = {
    "walk": WALK_WAYS,
    "walk_elderly": WALK_WAYS,
    "bicycle": (100, 101, 103, 104, 106, 108, 109),
    "ebike": (100, 103, 104, 106, 108),
    "drive": DRIVE_WAYS,
}


@pytest.mark.parametrize("suffix", [".osm", ".osm.pbf"])
def test_all_network_splits_per_profile_mode(xml_path, tmp_path, suffix):
    path = xml_path if suffix == ".osm" else write_pbf(xml_path, tmp_path / "area.osm.pbf")
    roads = read_osm(path, network_type="all").to_crs(CRS)
    modes = load_profile().modes
    assert set(modes) == set(PROFILE_MODE_WAYS)
    footway = shapely.LineString([NODES[3], NODES[4]])
    motorway = shapely.LineString([NODES[5], NODES[6]])
    footway, motorway = gpd.GeoSeries([footway, motorway], crs="EPSG:4326").to_crs(CRS)
    for key, mode in modes.items():
        net = build(roads, mode)
        assert float(net.edge_length.sum()) == pytest.approx(
            expected_length(PROFILE_MODE_WAYS[key]), rel=1e-9), key
        on_net = shapely.union_all(net.edge_geometry)
        # the footway is on the walking and cycling networks, not the e-bike's or driving;
        # the motorway only on the driving network
        assert (on_net.distance(footway.interpolate(0.5, normalized=True)) < 1e-6) == (
            key in ("walk", "walk_elderly", "bicycle")), key
        assert (on_net.distance(motorway.interpolate(0.5, normalized=True)) < 1e-6) == (
            key == "drive"), key


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


def test_is_osm():
    assert [is_osm(n) for n in ("a.osm", "A.OSM.PBF", "a.osm.gz", "a.osm.bz2", "a.osm.xml",
                                "roads.shp", "a.gpkg", "osm.zip")] == [
        True, True, True, True, True, False, False, False]


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
    with pytest.raises(InputError, match="no OSM ways usable") as e:
        read_osm(empty)
    # in a Chinese run the message and its fix are Chinese (catalogue keys)
    assert e.value.render("zh").startswith(f"{empty}：没有可供步行使用的 OSM 道路")
    assert "修正：" in e.value.render("zh")
    with pytest.raises(InputError) as e:
        read_osm(tmp_path / "missing.osm")
    missing = tmp_path / "missing.osm"
    assert e.value.render("zh") == f"{missing}：文件不存在；修正：检查 OSM 文件路径"
