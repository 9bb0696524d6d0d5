"""``layers.load(project)`` on real files: formats, offsets, field mapping, validation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import pytest
import rasterio
import shapely
from pyproj import CRS
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, Polygon, box

from lifecircle import project as prj
from lifecircle.accessibility.network import build
from lifecircle.errors import InputError, ProjectError
from lifecircle.geo.crs import working_crs
from lifecircle.geo.offsets import wgs84_to_bd09, wgs84_to_gcj02
from lifecircle.layers import Layers, load

# Three communities west -> east near Ma'anshan's centre (CGCS2000 degrees).
BOXES = [box(118.50, 31.70, 118.51, 31.71), box(118.51, 31.70, 118.52, 31.71),
         box(118.52, 31.70, 118.53, 31.71)]
FAC_WGS = [(118.505, 31.705), (118.515, 31.703), (118.525, 31.707), (118.512, 31.708)]
FAC_NAMES = ["金家庄社区卫生服务站", "采石村党群服务中心", "慈湖养老服务站", "湖东路便利店"]
FAC_TYPES = ["社区卫生服务站", "党群服务中心", "居家养老服务站", "马鞍山市花山区湖东路超市"]


def communities(**over: Any) -> gpd.GeoDataFrame:
    data = {"SQDM": ["340503001", "340504002", "340503003"],
            "SQMC": ["金家庄社区", "采石村", "慈湖社区"],
            "RK": [1200, 800, 950], "HS": [400, 300, 310],
            "CXLX": ["城市社区", "农村", "城镇"], "JDMC": ["金家庄街道", "采石街道", "慈湖街道"],
            "QXMC": ["花山区", "雨山区", "花山区"]}
    data.update(over)
    return gpd.GeoDataFrame(data, geometry=over.pop("geometry", BOXES), crs="EPSG:4490")


def write_gbk_shp(frame: gpd.GeoDataFrame, path: Path) -> Path:
    frame.to_file(path, engine="pyogrio", encoding="gbk")
    path.with_suffix(".cpg").unlink()
    return path


def facilities_gcj(path: Path, layer: str = "facilities", system: str = "gcj02") -> Path:
    lon, lat = np.array(FAC_WGS).T
    fn = wgs84_to_gcj02 if system == "gcj02" else wgs84_to_bd09
    x, y = fn(lon, lat)
    frame = gpd.GeoDataFrame({"MC": FAC_NAMES, "LX": FAC_TYPES, "BH": ["f1", "f2", "f3", "f4"]},
                             geometry=[Point(a, b) for a, b in zip(x, y, strict=True)],
                             crs="EPSG:4326")
    frame.to_file(path, layer=layer, engine="pyogrio")
    return path


def roads(path: Path, classes: list[str] | None = None, geoms: list | None = None) -> Path:
    geoms = geoms or [LineString([(118.50, 31.705), (118.53, 31.705)]),
                      LineString([(118.505, 31.70), (118.505, 31.71)]),
                      LineString([(118.515, 31.70), (118.515, 31.71)]),
                      LineString([(118.525, 31.70), (118.525, 31.71)])]
    classes = classes or ["主干路", "支路", "村道", "footway"]
    gpd.GeoDataFrame({"DJ": classes, "DLMC": ["湖南路", "", "", ""]}, geometry=geoms,
                     crs="EPSG:4490").to_file(path, engine="pyogrio")
    return path


def population_tif(path: Path, bands: int = 1, fill: float | None = None) -> Path:
    data = np.zeros((bands, 20, 40), dtype="float32")
    data[:, 5:15, 5:35] = 3.0
    data[:, 0, 0] = -1.0
    if fill is not None:
        data[:] = fill
    with rasterio.open(path, "w", driver="GTiff", width=40, height=20, count=bands,
                       dtype="float32", crs="EPSG:4548", nodata=-1.0,
                       transform=from_origin(643000.0, 3510000.0, 100.0, 100.0)) as ds:
        ds.write(data)
    return path


@pytest.fixture
def data(tmp_path: Path) -> dict[str, Any]:
    write_gbk_shp(communities(), tmp_path / "社区.shp")
    facilities_gcj(tmp_path / "设施.gpkg")
    roads(tmp_path / "道路.shp")
    population_tif(tmp_path / "人口.tif")
    return {
        "communities": {"path": "社区.shp"},
        "facilities": {"path": "设施.gpkg", "source_crs": "gcj02"},
        "roads": {"path": "道路.shp"},
        "population": {"path": "人口.tif"},
    }


LoadFn = Callable[..., Layers]


@pytest.fixture
def load_layers(write_project: Callable[..., Path]) -> LoadFn:
    def run(layers: dict[str, Any], **project: Any) -> Layers:
        return load(prj.load(write_project(layers, **project)))
    return run


@pytest.fixture
def load_error(load_layers: LoadFn) -> Callable[..., str]:
    def run(layers: dict[str, Any], **project: Any) -> str:
        with pytest.raises(InputError) as err:
            load_layers(layers, **project)
        return str(err.value)
    return run


# ---------------------------------------------------------------- the whole thing
def test_load_all_layers(data: dict[str, Any], load_layers: LoadFn, tmp_path: Path) -> None:
    layers = load_layers(data)
    assert layers.crs.is_projected
    assert layers.crs.name == "lifecircle transverse Mercator CM 118.5E (WGS 84)"
    c = layers.communities
    assert list(c.columns) == ["cid", "name", "kind", "population", "households", "township",
                               "district", "facility_area_m2", "social_orgs", "workers",
                               "elderly", "children", "has_platform", "has_kiosk", "has_agency",
                               "geometry"]
    assert c["name"].tolist() == ["金家庄社区", "采石村", "慈湖社区"]  # GBK without .cpg
    assert c["cid"].tolist() == ["340503001", "340504002", "340503003"]
    assert c["kind"].tolist() == ["urban", "rural", "urban"]
    assert c["population"].tolist() == [1200.0, 800.0, 950.0]
    assert c["district"].tolist() == ["花山区", "雨山区", "花山区"]
    assert c["township"].tolist() == ["金家庄街道", "采石街道", "慈湖街道"]
    assert c["facility_area_m2"].isna().all()
    assert str(c["has_platform"].dtype) == "boolean" and c["has_platform"].isna().all()
    assert c.crs == layers.crs
    # 0.01 x 0.01 degree boxes at 31.7N: about 948 m x 1109 m
    assert c.geometry.area.iloc[0] == pytest.approx(947.7 * 1109.3, rel=0.003)
    f = layers.facilities
    assert f["fid"].tolist() == ["f1", "f2", "f3", "f4"]
    assert f["category"].tolist() == ["health", "community_center", "elderly_care", "grocery"]
    assert f["status"].tolist() == ["existing"] * 4
    r = layers.roads
    assert r["road_class"].tolist() == ["primary", "tertiary", "unclassified", "path"]
    assert r["oneway"].tolist() == [False] * 4
    assert r["walk"].tolist() == [True] * 4
    assert r["name"].tolist() == ["湖南路", "", "", ""]
    assert set(r.geometry.geom_type) == {"LineString"}
    assert layers.population_raster == tmp_path / "人口.tif"
    assert layers.demand_points is None and layers.candidates is None
    info = layers.info["communities"]
    assert (info.encoding, info.encoding_source, info.rows_read) == ("gbk", "detected", 3)
    assert info.fields["population"] == "RK" and info.fields["kind"] == "CXLX"
    assert layers.info["facilities"].source_crs == "gcj02 -> EPSG:4326"
    assert layers.info["population"].raster["width"] == 40
    assert any("no .cpg; text detected as GBK (e.g. '金家庄社区')" in w for w in layers.warnings)


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_offset_geopackage_points_equal_wgs84_originals(data: dict[str, Any], load_layers: LoadFn,
                                                         tmp_path: Path, system: str) -> None:
    facilities_gcj(tmp_path / "设施.gpkg", layer=system, system=system)
    data["facilities"] = {"path": "设施.gpkg", "layer": system, "source_crs": system}
    layers = load_layers(data)
    expected = gpd.GeoSeries([Point(p) for p in FAC_WGS], crs="EPSG:4326").to_crs(layers.crs)
    got = layers.facilities.geometry
    d = np.asarray(got.distance(expected, align=False))
    assert d.max() < 0.01
    # without the conversion the points would be hundreds of metres off
    data["facilities"] = {"path": "设施.gpkg", "layer": system}
    raw = load_layers(data).facilities.geometry
    assert np.asarray(raw.distance(expected, align=False)).min() > 400


def test_zipped_shapefile_loads(data: dict[str, Any], load_layers: LoadFn, tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "社区.zip", "w") as zf:
        for part in tmp_path.glob("社区.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    data["communities"] = {"path": "社区.zip"}
    layers = load_layers(data)
    assert layers.communities["name"].tolist() == ["金家庄社区", "采石村", "慈湖社区"]


def test_working_crs_epsg(data: dict[str, Any], load_layers: LoadFn) -> None:
    layers = load_layers(data, working_crs="EPSG:4549")
    assert layers.crs.to_epsg() == 4549
    assert layers.roads.crs.to_epsg() == 4549


def test_working_crs_choices() -> None:
    b = (118.2, 31.3, 118.9, 31.9)
    auto = working_crs("auto", b)
    params = {p.name: p.value for p in auto.coordinate_operation.params}
    assert params["Longitude of natural origin"] == pytest.approx(118.6)
    assert params["Scale factor at natural origin"] == 1.0
    assert working_crs("utm", b).to_epsg() == 32650
    assert working_crs(4548, b).to_epsg() == 4548
    with pytest.raises(ProjectError, match="is not projected"):
        working_crs("EPSG:4490", b)
    with pytest.raises(ProjectError, match="not metres"):
        working_crs("EPSG:2229", b)  # US survey feet
    with pytest.raises(ProjectError, match="unknown CRS"):
        working_crs("EPSG:999999", b)


def test_auto_crs_measures_true_distances() -> None:
    # 1 degree of latitude along the central meridian is 110.9 km at 31-32N (WGS 84).
    crs = working_crs("auto", (118.4, 31.0, 118.6, 32.0))
    pts = gpd.GeoSeries([Point(118.5, 31.0), Point(118.5, 32.0)], crs="EPSG:4326").to_crs(crs)
    geod = CRS("EPSG:4326").get_geod()
    _, _, dist = geod.inv(118.5, 31.0, 118.5, 32.0)
    assert pts.iloc[0].distance(pts.iloc[1]) == pytest.approx(dist, rel=1e-6)


def test_population_points_become_demand(data: dict[str, Any], load_layers: LoadFn,
                                         tmp_path: Path) -> None:
    gpd.GeoDataFrame({"常住人口": [10, 20.5, 0]},
                     geometry=[Point(118.505, 31.705), Point(118.515, 31.705),
                               Point(118.525, 31.705)], crs="EPSG:4490"
                     ).to_file(tmp_path / "pop.geojson")
    data["population"] = {"path": "pop.geojson"}
    layers = load_layers(data)
    assert layers.population_raster is None
    assert layers.demand_points["population"].tolist() == [10.0, 20.5, 0.0]
    assert list(layers.demand_points.columns) == ["population", "households", "geometry"]


def test_candidates(data: dict[str, Any], load_layers: LoadFn, tmp_path: Path) -> None:
    gpd.GeoDataFrame({"MC": ["原党校培训中心", "空地"], "LX": ["闲置培训中心", "规划用地"]},
                     geometry=[box(118.50, 31.70, 118.501, 31.701), Point(118.52, 31.705)],
                     crs="EPSG:4490").to_file(tmp_path / "候选.gpkg")
    data["candidates"] = {"path": "候选.gpkg"}
    cand = load_layers(data).candidates
    assert cand["cand_id"].tolist() == ["S0001", "S0002"]
    assert cand["priority"].tolist() == [1, 2]
    assert cand["is_idle_asset"].tolist() == [True, False]
    assert cand["cost"].tolist() == [1.0, 1.0]
    assert set(cand.geometry.geom_type) == {"Point"}


# OSM nodes (lon, lat) inside the communities' extent; node 99 is referenced but missing
# (a clipped extract)
OSM_NODES = {1: (118.50, 31.705), 2: (118.515, 31.705), 3: (118.53, 31.705),
             4: (118.505, 31.70), 5: (118.505, 31.71), 6: (118.52, 31.70), 7: (118.52, 31.71)}
OSM_WAYS = {
    10: ([1, 2, 3], {"highway": "primary", "name": "湖南路", "oneway": "yes", "maxspeed": "50"}),
    11: ([4, 5], {"highway": "footway"}),
    12: ([6, 7], {"highway": "construction"}),
    13: ([2, 6, 99, 7], {"highway": "residential", "name": "团结路"}),
    14: ([5, 7], {"highway": "motorway"}),
}


def osm_xml(path: Path, ways: dict[int, Any] = OSM_WAYS) -> Path:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6">']
    lines += [f'<node id="{n}" version="1" lat="{lat}" lon="{lon}"/>'
              for n, (lon, lat) in OSM_NODES.items()]
    for wid, (refs, tags) in ways.items():
        lines.append(f'<way id="{wid}" version="1">' + "".join(f'<nd ref="{r}"/>' for r in refs)
                     + "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items()) + "</way>")
    path.write_text("\n".join([*lines, "</osm>"]), encoding="utf-8")
    return path


def osm_metres(crs: CRS, *legs: tuple[int, int]) -> float:
    lines = [LineString([OSM_NODES[a], OSM_NODES[b]]) for a, b in legs]
    return float(gpd.GeoSeries(lines, crs="EPSG:4326").to_crs(crs).length.sum())


@pytest.mark.parametrize("fmt", ["xml", "pbf"])
def test_osm_roads_load_and_build_walk_and_drive(data: dict[str, Any], load_layers: LoadFn,
                                                  tmp_path: Path, fmt: str) -> None:
    xml = osm_xml(tmp_path / "roads.osm")
    if fmt == "pbf":
        writer = osmium.SimpleWriter(str(tmp_path / "roads.osm.pbf"))
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)
        writer.close()
        data["roads"] = {"path": "roads.osm.pbf"}
    else:  # as `lifecircle init` writes it from GDAL's view of the file
        data["roads"] = {"path": "roads.osm", "layer": "lines",
                         "fields": {"road_class": "highway", "name": "name"}}
    layers = load_layers(data)
    r, crs = layers.roads, layers.crs
    info = layers.info["roads"]
    assert info.driver == {"xml": "OSM XML (osmnx)", "pbf": "OSM PBF (osmium)"}[fmt]
    assert (info.rows_read, info.rows_dropped) == (5, 1)    # highway ways; the construction
    assert info.source_crs == "EPSG:4326"
    assert list(r.columns) == ["road_class", "oneway", "speed_kmh", "walk", "name", "geometry"]
    assert r.crs == crs
    # the residential way stops at node 6: never joined across the missing node to 7
    metres = r.assign(m=r.length).groupby("road_class")["m"].sum().to_dict()
    assert metres == pytest.approx({
        "primary": osm_metres(crs, (1, 2), (2, 3)), "path": osm_metres(crs, (4, 5)),
        "residential": osm_metres(crs, (2, 6)), "motorway": osm_metres(crs, (5, 7))}, rel=1e-9)
    primary = r["road_class"] == "primary"
    assert r.loc[primary, "oneway"].all() and not r.loc[~primary, "oneway"].any()
    assert (r.loc[primary, "speed_kmh"] == 50.0).all()
    assert r.loc[~primary, "speed_kmh"].isna().all()
    assert set(r.loc[primary, "name"]) == {"湖南路"}
    assert set(r.loc[r["road_class"] == "residential", "name"]) == {"团结路"}
    assert r.loc[~r["walk"], "road_class"].tolist() == ["motorway"]
    text = "\n".join(layers.warnings)
    assert "1 of 5 OSM highway ways dropped, open to neither walking nor driving " \
        "(highway=construction 1)" in text
    assert "1 OSM ways reference 1 nodes missing from the extract" in text

    modes = prj.load_profile().modes
    walk = build(r, modes["walk"])
    assert float(walk.edge_length.sum()) == pytest.approx(
        osm_metres(crs, (1, 2), (2, 3), (4, 5), (2, 6)), rel=1e-9)    # no motorway
    assert not np.isinf(walk.edge_time_bwd).any()
    drive, car = build(r, modes["drive"]), modes["drive"]
    assert float(drive.edge_length.sum()) == pytest.approx(
        osm_metres(crs, (1, 2), (2, 3), (2, 6), (5, 7)), rel=1e-9)    # no footway
    assert int(np.isinf(drive.edge_time_bwd).sum()) == 2              # the one-way primary
    seconds = (osm_metres(crs, (1, 2), (2, 3)) / (50 / 3.6)           # posted maxspeed
               + osm_metres(crs, (2, 6)) / car.speed_mps("residential")
               + osm_metres(crs, (5, 7)) / car.speed_mps("motorway"))
    assert float(drive.edge_time_fwd.sum()) == pytest.approx(seconds, rel=1e-9)


def test_osm_roads_problems(data: dict[str, Any], load_layers: LoadFn,
                            load_error: Callable[..., str], tmp_path: Path) -> None:
    osm_xml(tmp_path / "roads.osm", {12: OSM_WAYS[12]})
    data["roads"] = {"path": "roads.osm"}
    msg = load_error(data)
    assert "roads.osm: no OSM ways usable for walking or driving (1 highway=* ways read)" in msg
    osm_xml(tmp_path / "roads.osm")
    data["roads"] = {"path": "roads.osm", "layer": "points"}
    layers = load_layers(data)
    assert any("layer = 'points' ignored" in w for w in layers.warnings)
    data["roads"] = {"path": "roads.osm", "fields": {"road_class": "fclass"}}
    assert "field 'fclass' mapped to road_class does not exist" in load_error(data)


# ---------------------------------------------------------------- field and value mapping
def test_explicit_field_mapping_and_values(data: dict[str, Any], load_layers: LoadFn,
                                           tmp_path: Path) -> None:
    write_gbk_shp(communities(CXLX=["城乡结合", "农村", "城镇"], POP2=[1, 2, 3]),
                  tmp_path / "社区.shp")
    data["communities"] = {"path": "社区.shp", "fields": {"population": "pop2", "kind": "CXLX"},
                           "values": {"kind": {"城乡结合": "urban"}}}
    c = load_layers(data).communities
    assert c["population"].tolist() == [1.0, 2.0, 3.0]
    assert c["kind"].tolist() == ["urban", "rural", "urban"]


def test_unknown_categories_listed_once_with_counts_and_closest(
        data: dict[str, Any], load_error: Callable[..., str], load_layers: LoadFn,
        tmp_path: Path) -> None:
    types = ["药店", "药店", "卫生所", "社区卫生服务站"]
    gpd.GeoDataFrame({"MC": ["a", "b", "c", "d"], "LX": types},
                     geometry=[Point(p) for p in FAC_WGS], crs="EPSG:4490"
                     ).to_file(tmp_path / "f.gpkg")
    data["facilities"] = {"path": "f.gpkg"}
    msg = load_error(data)
    assert msg.count("unknown category") == 1
    assert "f.gpkg layer f (layers.facilities), field LX: 2 unknown category values: " \
           "'药店' (2 rows" in msg
    assert "'卫生所' (1 row; closest: 卫生院 (health), 卫生室 (health))" in msg
    assert "fix: add an alias to the category in the profile, or map them in " \
           "[layers.facilities.values.category]" in msg
    data["facilities"]["values"] = {"category": {"药店": "health", "卫生所": "社区卫生服务站"}}
    f = load_layers(data).facilities
    assert f["category"].tolist() == ["health"] * 4


def test_bad_values_target(data: dict[str, Any], load_error: Callable[..., str]) -> None:
    data["roads"]["values"] = {"road_class": {"村道": "lane"}}
    msg = load_error(data)
    assert "values.road_class: '村道' = 'lane' is not a known road_class" in msg


def test_unknown_road_class(data: dict[str, Any], load_error: Callable[..., str],
                            tmp_path: Path) -> None:
    roads(tmp_path / "道路.shp", classes=["主干路", "城市次干路", "XX级", "XX级"])
    msg = load_error(data)
    assert "field DJ: 1 unknown road_class value: 'XX级' (2 rows" in msg
    assert "[layers.roads.values.road_class]" in msg


def test_ids_generated_with_warning(data: dict[str, Any], load_layers: LoadFn,
                                    tmp_path: Path) -> None:
    write_gbk_shp(communities().drop(columns=["SQDM"]), tmp_path / "社区.shp")
    layers = load_layers(data)
    assert layers.communities["cid"].tolist() == ["C0001", "C0002", "C0003"]
    assert any("ids C0001..C0003 generated; fix: map fields.cid" in w for w in layers.warnings)


def test_kind_inferred_from_names(data: dict[str, Any], load_layers: LoadFn,
                                  tmp_path: Path) -> None:
    write_gbk_shp(communities().drop(columns=["CXLX"]), tmp_path / "社区.shp")
    layers = load_layers(data)
    assert layers.communities["kind"].tolist() == ["urban", "rural", "urban"]
    assert any("kind inferred from names: 1 rural" in w for w in layers.warnings)


# ---------------------------------------------------------------- validation messages
def test_missing_crs(data: dict[str, Any], load_error: Callable[..., str], load_layers: LoadFn,
                     tmp_path: Path) -> None:
    (tmp_path / "道路.prj").unlink()
    msg = load_error(data)
    assert msg.startswith("道路.shp (layers.roads): no coordinate system (missing .prj or CRS); "
                          'fix: set source_crs = "wgs84", "cgcs2000"')
    data["roads"]["source_crs"] = "cgcs2000"
    assert len(load_layers(data).roads) == 4


def test_communities_must_be_polygons(data: dict[str, Any], load_error: Callable[..., str],
                                      tmp_path: Path) -> None:
    write_gbk_shp(communities(geometry=[b.centroid for b in BOXES]), tmp_path / "社区.shp")
    msg = load_error(data)
    assert "社区.shp (layers.communities): communities must be polygons, found all 3 Point " \
           "(rows 1, 2, 3); fix: give the community boundary layer (polygons)" in msg


def test_road_layer_of_points_is_an_error(data: dict[str, Any], load_error: Callable[..., str],
                                          tmp_path: Path) -> None:
    gpd.GeoDataFrame({"DJ": ["支路", "支路"]}, geometry=[Point(118.5, 31.7), Point(118.51, 31.7)],
                     crs="EPSG:4490").to_file(tmp_path / "pts.shp")
    data["roads"] = {"path": "pts.shp"}
    msg = load_error(data)
    assert "pts.shp (layers.roads): roads must be lines, found all 2 Point (rows 1, 2); " \
           "fix: give the road centre-line layer (lines)" in msg


def test_facility_polygons_become_points(data: dict[str, Any], load_layers: LoadFn,
                                         tmp_path: Path) -> None:
    gpd.GeoDataFrame({"MC": ["a", "b"], "LX": ["菜市场", "小学"]},
                     geometry=[box(118.50, 31.70, 118.502, 31.702),
                               Polygon([(118.51, 31.70), (118.52, 31.70), (118.51, 31.71)])],
                     crs="EPSG:4490").to_file(tmp_path / "f.geojson")
    data["facilities"] = {"path": "f.geojson"}
    layers = load_layers(data)
    f = layers.facilities
    assert set(f.geometry.geom_type) == {"Point"}
    assert layers.info["facilities"].rows_converted == 2
    polys = gpd.GeoSeries([box(118.50, 31.70, 118.502, 31.702),
                           Polygon([(118.51, 31.70), (118.52, 31.70), (118.51, 31.71)])],
                          crs="EPSG:4490").to_crs(layers.crs)
    assert all(polys.iloc[i].contains(f.geometry.iloc[i]) for i in range(2))
    assert any("2 polygons replaced by a point inside each" in w for w in layers.warnings)


def test_empty_geometry_dropped_and_invalid_repaired(data: dict[str, Any], load_layers: LoadFn,
                                                     tmp_path: Path) -> None:
    bowtie = Polygon([(118.51, 31.70), (118.52, 31.71), (118.52, 31.70), (118.51, 31.71)])
    frame = gpd.GeoDataFrame({"SQMC": ["a", "b", "c", "d"], "RK": [1, 2, 3, 4]},
                             geometry=[BOXES[0], bowtie, None, BOXES[2]], crs="EPSG:4490")
    frame.to_file(tmp_path / "c.gpkg")
    data["communities"] = {"path": "c.gpkg"}
    layers = load_layers(data)
    c = layers.communities
    assert c["name"].tolist() == ["a", "b", "d"]
    assert c.geometry.is_valid.all()
    assert c.geometry.iloc[1].geom_type == "MultiPolygon"
    # the two triangles of the bow-tie cover half the 0.01 degree box
    box_area = gpd.GeoSeries([BOXES[1]], crs="EPSG:4490").to_crs(layers.crs).area.iloc[0]
    assert c.geometry.iloc[1].area == pytest.approx(box_area / 2, rel=1e-3)
    info = layers.info["communities"]
    assert (info.rows_read, info.rows_dropped, info.rows_repaired) == (4, 1, 1)
    assert any("1 features with empty geometry dropped (row 3)" in w for w in layers.warnings)
    assert any("1 invalid geometries repaired with make_valid (row 2)" in w
               for w in layers.warnings)


def test_duplicate_ids(data: dict[str, Any], load_error: Callable[..., str],
                       tmp_path: Path) -> None:
    write_gbk_shp(communities(SQDM=["A1", "A1", "B"]), tmp_path / "社区.shp")
    msg = load_error(data)
    assert "社区.shp (layers.communities), field SQDM: duplicate cid 'A1' (rows 1, 2); " \
           "fix: make SQDM unique, map another field to cid, or set fields.cid = \"auto\"" in msg


@pytest.mark.parametrize(("values", "expected"), [
    ([1200, -5, 3], "field RK: negative population -5.0 (row 2); fix: correct the values"),
    (["1200", "abc", "3"], "field RK: non-numeric population 'abc' (row 2); fix:"),
    ([1200.0, np.nan, 3.0], "field RK: missing population (row 2); fix: fill in the values"),
])
def test_bad_population(data: dict[str, Any], load_error: Callable[..., str], tmp_path: Path,
                        values: list, expected: str) -> None:
    communities(RK=values).to_file(tmp_path / "c.gpkg")
    data["communities"] = {"path": "c.gpkg"}
    del data["population"]  # community population is then required
    assert expected in load_error(data)


def test_population_with_thousands_separator_is_a_number(data: dict[str, Any],
                                                         load_layers: LoadFn,
                                                         tmp_path: Path) -> None:
    communities(RK=["1,200", "８００", " 3 "]).to_file(tmp_path / "c.gpkg")
    data["communities"] = {"path": "c.gpkg"}
    assert load_layers(data).communities["population"].tolist() == [1200.0, 800.0, 3.0]


def test_communities_without_population_field(data: dict[str, Any],
                                              load_error: Callable[..., str],
                                              tmp_path: Path) -> None:
    write_gbk_shp(communities().drop(columns=["RK"]).assign(QTSJ=[1, 2, 3]),
                  tmp_path / "社区.shp")
    del data["population"]
    msg = load_error(data)
    assert "社区.shp (layers.communities): no population field; fix: map fields.population " \
           "to the field of residents; fields: " in msg
    assert "QTSJ" in msg and "SQMC" in msg


def test_mapped_field_missing(data: dict[str, Any], load_error: Callable[..., str]) -> None:
    data["communities"]["fields"] = {"population": "RKK"}
    msg = load_error(data)
    assert "社区.shp (layers.communities), fields.population: field 'RKK' mapped to population " \
           "does not exist; fix: set fields.population to one of: RK, " in msg


def test_layers_that_do_not_overlap(data: dict[str, Any], load_error: Callable[..., str],
                                    tmp_path: Path) -> None:
    gpd.GeoDataFrame({"MC": ["a"], "LX": ["小学"]}, geometry=[Point(116.40, 39.91)],
                     crs="EPSG:4326").to_file(tmp_path / "beijing.gpkg")
    data["facilities"] = {"path": "beijing.gpkg"}
    msg = load_error(data)
    assert "beijing.gpkg (layers.facilities): facilities (116.4000-116.4000E 39.9100-39.9100N) " \
           "does not overlap communities (118.5000-118.5300E 31.7000-31.7100N); fix: check " \
           "source_crs of layers.facilities (now taken from the file)" in msg


def test_geographic_crs_with_projected_coordinates(data: dict[str, Any],
                                                   load_error: Callable[..., str],
                                                   tmp_path: Path) -> None:
    frame = communities().to_crs("EPSG:4527").set_crs("EPSG:4490", allow_override=True)
    write_gbk_shp(frame, tmp_path / "社区.shp")
    msg = load_error(data)
    assert "社区.shp (layers.communities): the CRS is China Geodetic Coordinate System 2000 " \
           "(degrees) but the coordinates are not degrees" in msg
    assert "zone 39 (central meridian 117E) is EPSG:4527" in msg


def test_projected_crs_with_degrees(data: dict[str, Any], load_error: Callable[..., str],
                                    tmp_path: Path) -> None:
    write_gbk_shp(communities().set_crs("EPSG:4548", allow_override=True), tmp_path / "社区.shp")
    msg = load_error(data)
    assert "the CRS is CGCS2000 / 3-degree Gauss-Kruger CM 117E (metres) but the coordinates " \
           "look like degrees" in msg
    assert 'fix: set source_crs = "wgs84" or "cgcs2000"' in msg


def test_lat_lon_swapped(data: dict[str, Any], load_error: Callable[..., str],
                         tmp_path: Path) -> None:
    frame = communities()
    frame.geometry = shapely.transform(frame.geometry.values, lambda c: c[:, ::-1])
    write_gbk_shp(frame, tmp_path / "社区.shp")
    msg = load_error(data)
    assert "coordinates look like (latitude, longitude) swapped: x 31.7..31.71, y 118.5..118.53" \
           in msg


def test_raster_checks(data: dict[str, Any], load_error: Callable[..., str],
                       tmp_path: Path) -> None:
    population_tif(tmp_path / "人口.tif", bands=3)
    assert "人口.tif (layers.population): has 3 bands, a population raster has one" \
        in load_error(data)
    population_tif(tmp_path / "人口.tif", fill=-1.0)
    assert "人口.tif (layers.population): every cell is nodata" in load_error(data)


def test_all_problems_of_all_layers_in_one_error(data: dict[str, Any],
                                                 load_error: Callable[..., str],
                                                 tmp_path: Path) -> None:
    write_gbk_shp(communities(RK=[1, -2, 3], SQDM=["a", "a", "b"]), tmp_path / "社区.shp")
    gpd.GeoDataFrame({"MC": ["x"], "LX": ["药店"]}, geometry=[Point(118.505, 31.705)],
                     crs="EPSG:4490").to_file(tmp_path / "f.gpkg")
    data["facilities"] = {"path": "f.gpkg"}
    (tmp_path / "道路.prj").unlink()
    msg = load_error(data)
    first, *rest = msg.splitlines()
    assert first.startswith(f"{tmp_path / 'project.toml'}: 4 problems; first: ")
    assert len(rest) == 3
    for text in ("duplicate cid 'a'", "negative population -2.0", "unknown category value",
                 "道路.shp (layers.roads): no coordinate system"):
        assert text in msg


def test_project_file_errors_all_reported_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "社区.shp").write_bytes(b"")
    (tmp_path / "project.toml").write_text("""
[project]
name = "x"
lang = "fr"
colour = "red"
[layers.communities]
path = "社区.shp"
source_crs = "mars"
[layers.facilities]
path = "missing.gpkg"
[layers.facilities.fields]
categroy = "LX"
""", encoding="utf-8")
    with pytest.raises(ProjectError) as err:
        prj.load(tmp_path / "project.toml")
    msg = str(err.value)
    assert "6 problems" in msg.splitlines()[0]
    for text in ("project.colour: unknown key", "project.lang: unknown language 'fr'",
                 "layers.roads: missing", "layers.communities.source_crs: unknown system 'mars'",
                 "missing.gpkg does not exist",
                 "layers.facilities.fields.categroy: unknown key; fix: remove it or rename it; "
                 "did you mean `category`?"):
        assert text in msg


def test_frames_have_clean_index_and_types(data: dict[str, Any], load_layers: LoadFn) -> None:
    layers = load_layers(data)
    for frame in (layers.communities, layers.facilities, layers.roads):
        assert list(frame.index) == list(range(len(frame)))
        assert "__row" not in frame.columns
    assert pd.api.types.is_float_dtype(layers.communities["population"])
    assert layers.roads["oneway"].dtype == bool


def test_epsg_source_crs_overrides_the_file(data: dict[str, Any], load_layers: LoadFn,
                                            tmp_path: Path) -> None:
    # coordinates in CGCS2000 GK CM 117E, but the .prj is lost
    write_gbk_shp(communities().to_crs("EPSG:4548"), tmp_path / "社区.shp")
    (tmp_path / "社区.prj").unlink()
    data["communities"]["source_crs"] = "EPSG:4548"
    layers = load_layers(data)
    expected = gpd.GeoSeries(BOXES, crs="EPSG:4490").to_crs(layers.crs)
    got = layers.communities.geometry
    assert np.asarray(got.hausdorff_distance(expected, align=False)).max() < 0.01
    assert layers.info["communities"].source_crs == "EPSG:4548"


def test_raster_elsewhere_does_not_overlap(data: dict[str, Any], load_error: Callable[..., str],
                                           tmp_path: Path) -> None:
    data_arr = np.ones((1, 5, 5), dtype="float32")
    with rasterio.open(tmp_path / "人口.tif", "w", driver="GTiff", width=5, height=5, count=1,
                       dtype="float32", crs="EPSG:4549", nodata=-1.0,
                       transform=from_origin(300000.0, 4400000.0, 100.0, 100.0)) as ds:
        ds.write(data_arr)
    msg = load_error(data)
    assert "人口.tif (layers.population): population (" in msg
    assert "does not overlap communities (118.5000-118.5300E 31.7000-31.7100N)" in msg


def test_chinese_field_names_in_gbk_shapefile(data: dict[str, Any], load_layers: LoadFn,
                                              tmp_path: Path) -> None:
    frame = communities().rename(columns={"SQMC": "社区名称", "RK": "常住人口", "CXLX": "城乡",
                                          "SQDM": "社区代码", "JDMC": "街道"})
    write_gbk_shp(frame, tmp_path / "社区.shp")
    c = load_layers(data).communities
    assert c["name"].tolist() == ["金家庄社区", "采石村", "慈湖社区"]
    assert c["population"].tolist() == [1200.0, 800.0, 950.0]
    assert c["township"].tolist() == ["金家庄街道", "采石街道", "慈湖街道"]


def test_truncated_chinese_field_names_are_recognised() -> None:
    from lifecircle.layers.fields import match_fields

    got = match_fields(["人口密度", "常住人口\ufffd", "名称_1"], "communities").mapping
    assert got == {"name": "名称_1", "population": "常住人口\ufffd"}


def test_unknown_kind_value(data: dict[str, Any], load_error: Callable[..., str],
                            tmp_path: Path) -> None:
    write_gbk_shp(communities(CXLX=["城市", "其他", "其他"]), tmp_path / "社区.shp")
    msg = load_error(data)
    assert "field CXLX: 1 unknown kind value: '其他' (2 rows" in msg
    assert '[layers.communities.values.kind] (e.g. "<value>" = "urban" or "rural")' in msg


def test_oneway_against_digitised_direction_is_reversed(data: dict[str, Any],
                                                        load_layers: LoadFn,
                                                        tmp_path: Path) -> None:
    line = LineString([(118.50, 31.705), (118.53, 31.705)])
    gpd.GeoDataFrame({"DJ": ["支路", "支路", "支路"], "ONEWAY": ["-1", "yes", "no"]},
                     geometry=[line, line, line], crs="EPSG:4490").to_file(tmp_path / "道路.shp")
    r = load_layers(data).roads
    assert r["oneway"].tolist() == [True, True, False]
    x0 = [g.coords[0][0] for g in r.geometry]
    assert x0[0] > x0[1] and x0[1] == x0[2]  # the -1 road now runs east -> west


# ---------------------------------------------------------------- working CRS distortion
LONDON = (-0.145, 51.510, -0.130, 51.516)  # Soho (John Snow's pumps)


def _projected_ratio(crs: str, lon: float, lat: float) -> float:
    """Projected / geodesic length of a 1 km east-west step (an independent oracle)."""
    geod = CRS("EPSG:4326").get_geod()
    lon2, lat2, _ = geod.fwd(lon, lat, 90.0, 1000.0)
    pts = gpd.GeoSeries([Point(lon, lat), Point(lon2, lat2)], crs="EPSG:4326").to_crs(crs)
    return pts.iloc[0].distance(pts.iloc[1]) / 1000.0


@pytest.mark.parametrize("code", ["EPSG:3857", "EPSG:4548"])
def test_distorting_working_crs_refused(code: str) -> None:
    ratio = _projected_ratio(code, -0.1375, 51.513)
    assert abs(ratio - 1.0) > 0.005  # the oracle agrees the CRS is unusable here
    with pytest.raises(ProjectError) as err:
        working_crs(code, LONDON)
    msg = str(err.value)
    assert "distorts distances at the data by" in msg
    import re

    stated = float(re.search(r"by ([\d.]+)%", msg).group(1)) / 100.0
    # the largest scale error over the extent and both directions: at least the east-west one
    assert abs(ratio - 1.0) - 0.0005 <= stated <= abs(ratio - 1.0) + 0.01
    assert 'fix: use working_crs = "auto"' in msg and "accept_crs_distortion = true" in msg
    assert working_crs(code, LONDON, accept_distortion=True).to_string() == code


@pytest.mark.parametrize("code", ["EPSG:27700", "EPSG:32630", "utm", "auto"])
def test_fitting_working_crs_kept(code: str) -> None:
    crs = working_crs(code, LONDON)
    assert abs(_projected_ratio(crs.to_wkt(), -0.1375, 51.513) - 1.0) < 0.001


def test_distorting_working_crs_in_project(data: dict[str, Any], load_error: Callable[..., str],
                                           load_layers: LoadFn) -> None:
    msg = load_error(data, working_crs="EPSG:3857")
    assert "project.working_crs" in msg and "distorts distances at the data by 17." in msg
    layers = load_layers(data, working_crs="EPSG:3857", accept_crs_distortion=True)
    assert layers.crs.to_epsg() == 3857
    assert layers.warnings[0].startswith("project.working_crs: WGS 84 / Pseudo-Mercator "
                                         "distorts distances at the data by 17.")


def test_working_crs_utm_in_project(data: dict[str, Any], load_layers: LoadFn) -> None:
    assert load_layers(data, working_crs="utm").crs.to_epsg() == 32650
    assert load_layers(data, working_crs="UTM").crs.to_epsg() == 32650


def test_missing_crs_hint_names_web_mercator(data: dict[str, Any],
                                              load_error: Callable[..., str],
                                              tmp_path: Path) -> None:
    frame = communities().to_crs("EPSG:3857")
    write_gbk_shp(frame, tmp_path / "社区.shp")
    (tmp_path / "社区.prj").unlink()
    msg = load_error(data)
    assert "no coordinate system" in msg
    assert "Web Mercator metres (EPSG:3857, web map exports) would put them at lon 118.515, " \
           "lat 31.705" in msg and 'set source_crs = "EPSG:3857"' in msg


# ---------------------------------------------------------------- ids
def test_auto_ids(data: dict[str, Any], load_layers: LoadFn) -> None:
    data["communities"]["fields"] = {"cid": "auto"}
    data["facilities"]["fields"] = {"fid": "AUTO"}
    layers = load_layers(data)
    assert layers.communities["cid"].tolist() == ["C0001", "C0002", "C0003"]
    assert layers.facilities["fid"].tolist() == ["F0001", "F0002", "F0003", "F0004"]
    assert not any("id" in w and "generated" in w for w in layers.warnings)


def test_constant_id_field_not_used(data: dict[str, Any], load_layers: LoadFn,
                                    tmp_path: Path) -> None:
    # an ArcGIS default ``Id`` field: 0 in every row
    write_gbk_shp(communities(SQDM=None, Id=[0, 0, 0]).drop(columns=["SQDM"]),
                  tmp_path / "社区.shp")
    layers = load_layers(data)
    assert layers.communities["cid"].tolist() == ["C0001", "C0002", "C0003"]
    assert any("field Id is 0 in every row, so it is not used as the cid; ids C0001..C0003 "
               "generated" in w for w in layers.warnings)
    assert "cid" not in layers.info["communities"].fields


def test_every_init_field_is_a_project_key() -> None:
    from lifecircle.layers.fields import FIELD_NAMES

    for key, names in FIELD_NAMES.items():
        assert set(names) <= set(prj.CANONICAL_FIELDS[key]), key


def test_candidates_cand_id_key(data: dict[str, Any], load_layers: LoadFn,
                                tmp_path: Path) -> None:
    gpd.GeoDataFrame({"编号": ["K1", "K2"], "名称": ["原宾馆", "闲置校舍"]},
                     geometry=[Point(118.506, 31.706), Point(118.52, 31.704)],
                     crs="EPSG:4490").to_file(tmp_path / "候选.gpkg", engine="pyogrio")
    data["candidates"] = {"path": "候选.gpkg", "fields": {"cand_id": "编号"}}
    assert load_layers(data).candidates["cand_id"].tolist() == ["K1", "K2"]


# ---------------------------------------------------------------- one category per layer
def test_layer_level_category(data: dict[str, Any], load_layers: LoadFn,
                              write_project: Callable[..., Path]) -> None:
    data["facilities"]["category"] = "养老服务站"
    layers = load_layers(data)
    assert set(layers.facilities["category"]) == {"elderly_care"}
    data["facilities"]["category"] = "pumps"
    with pytest.raises(ProjectError, match=r"layers\.facilities\.category: unknown category "
                                           r"'pumps'.*lifecircle profile show"):
        prj.load(write_project(data))
    data["facilities"]["category"] = "health"
    data["roads"]["category"] = "health"
    with pytest.raises(ProjectError, match=r"layers\.roads\.category: only a facilities layer"):
        prj.load(write_project(data))


# ---------------------------------------------------------------- population from points
def test_population_points_summed_into_communities(data: dict[str, Any],
                                                    load_layers: LoadFn,
                                                    tmp_path: Path) -> None:
    write_gbk_shp(communities().drop(columns=["RK", "HS"]), tmp_path / "社区.shp")
    rng = np.random.default_rng(5)
    lon = rng.uniform(118.499, 118.531, 200)  # some points outside every community
    lat = rng.uniform(31.700, 31.710, 200)
    pts = gpd.GeoDataFrame({"人口": rng.integers(1, 30, 200), "户数": rng.integers(1, 10, 200)},
                           geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4490")
    pts.to_file(tmp_path / "人口点.gpkg", engine="pyogrio")
    data["population"] = {"path": "人口点.gpkg"}
    layers = load_layers(data)
    # oracle: geopandas spatial join in the working CRS (shared edges: the first box wins)
    comm = layers.communities[["cid", "geometry"]]
    joined = gpd.sjoin(pts.to_crs(layers.crs), comm, predicate="intersects")
    joined = joined.sort_values("index_right")
    joined = joined[~joined.index.duplicated(keep="first")]
    expected = joined.groupby("cid")[["人口", "户数"]].sum()
    c = layers.communities.set_index("cid")
    assert c["population"].tolist() == expected.loc[c.index, "人口"].astype(float).tolist()
    assert c["households"].tolist() == expected.loc[c.index, "户数"].astype(float).tolist()
    assert c["population"].sum() < pts["人口"].sum()  # the points outside are not counted
    assert any("population of 3 communities summed from the population points" in w
               for w in layers.warnings)


# ---------------------------------------------------------------- tables with coordinates
def _facility_table() -> pd.DataFrame:
    lon, lat = np.array(FAC_WGS).T
    gx, gy = wgs84_to_gcj02(lon, lat)
    return pd.DataFrame({"编号": ["001", "002", "003", "004"], "名称": FAC_NAMES,
                         "类型": FAC_TYPES, "经度": gx, "纬度": gy})


def test_gbk_csv_with_lonlat_columns(data: dict[str, Any], load_layers: LoadFn,
                                     tmp_path: Path) -> None:
    from_gpkg = load_layers(data).facilities  # the same facilities from the GeoPackage
    _facility_table().to_csv(tmp_path / "设施.csv", index=False, encoding="gbk")
    data["facilities"] = {"path": "设施.csv", "source_crs": "gcj02"}
    layers = load_layers(data)
    f = layers.facilities
    assert f["fid"].tolist() == ["001", "002", "003", "004"]  # leading zeros kept
    assert f["name"].tolist() == FAC_NAMES  # GBK detected from the bytes
    assert f["category"].tolist() == from_gpkg["category"].tolist()
    assert np.allclose(f.geometry.get_coordinates(), from_gpkg.geometry.get_coordinates(),
                       atol=0.01)
    # GCJ-02 converted back to the true WGS 84 positions (within 1 cm)
    true = gpd.GeoSeries([Point(p) for p in FAC_WGS], crs="EPSG:4326").to_crs(layers.crs)
    assert np.allclose(f.geometry.get_coordinates(), true.get_coordinates(), atol=0.01)
    info = layers.info["facilities"]
    assert (info.driver, info.encoding, info.encoding_source) == ("CSV", "gbk", "detected")


def test_xlsx_with_xy_columns(data: dict[str, Any], load_layers: LoadFn,
                              tmp_path: Path) -> None:
    import pyogrio

    table = _facility_table().rename(columns={"经度": "X", "纬度": "Y"})
    pyogrio.write_dataframe(table, tmp_path / "设施.xlsx", driver="XLSX", layer="设施")
    data["facilities"] = {"path": "设施.xlsx", "source_crs": "gcj02"}
    layers = load_layers(data)
    assert layers.facilities["category"].tolist()[0] == "health"
    assert len(layers.facilities) == 4


def test_table_in_projected_metres_needs_source_crs(data: dict[str, Any],
                                                    load_error: Callable[..., str],
                                                    load_layers: LoadFn,
                                                    tmp_path: Path) -> None:
    pts = gpd.GeoSeries([Point(p) for p in FAC_WGS], crs="EPSG:4326").to_crs("EPSG:3857")
    table = _facility_table().drop(columns=["经度", "纬度"]).assign(x=pts.x, y=pts.y)
    table.to_csv(tmp_path / "设施.csv", index=False)
    data["facilities"] = {"path": "设施.csv"}
    msg = load_error(data)
    assert "设施.csv (layers.facilities): no coordinate system" in msg
    assert 'set source_crs = "EPSG:3857"' in msg
    data["facilities"]["source_crs"] = "EPSG:3857"
    assert len(load_layers(data).facilities) == 4


def test_table_without_coordinates(data: dict[str, Any], load_error: Callable[..., str],
                                   tmp_path: Path) -> None:
    _facility_table().drop(columns=["经度", "纬度"]).to_csv(tmp_path / "设施.csv", index=False)
    data["facilities"] = {"path": "设施.csv"}
    msg = load_error(data)
    assert "设施.csv: no coordinate columns (columns: 编号, 名称, 类型); fix: name them lon/lat " \
           "(or `经度`/`纬度`) or x/y" in msg
