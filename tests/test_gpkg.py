"""The result GeoPackage: layers read back through GDAL, and the QGIS layer_styles table."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import _results_fixture as fx
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import CRS

from lifecircle.errors import InputError
from lifecircle.outputs import gpkg, styles

SPATIAL = {"communities": "MultiPolygon", "facilities": "Point", "demand": "Point",
           "service_areas": "MultiPolygon", "gaps": "MultiPolygon", "candidates": "Point",
           "proposed_sites": "Point", "roads": "MultiLineString"}
TABLES = ("summary_district", "summary_township", "scorecard", "communities_after")
RENDERERS = {"communities": "graduatedSymbol", "facilities": "categorizedSymbol",
             "demand": "categorizedSymbol", "service_areas": "categorizedSymbol",
             "gaps": "singleSymbol", "candidates": "singleSymbol",
             "proposed_sites": "singleSymbol", "roads": "categorizedSymbol"}
QGIS_COLUMNS = ["id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column",
                "styleName", "styleQML", "styleSLD", "useAsDefault", "description", "owner",
                "ui", "update_time"]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    layers = fx.build()
    path = tmp_path_factory.mktemp("gpkg") / "lifecircle.gpkg"
    gpkg.write(path, layers, fx.profile(), "zh")
    return path, layers


def test_every_layer_reads_back(written: tuple[Path, dict]) -> None:
    path, layers = written
    listed = {str(n): g for n, g in pyogrio.list_layers(path)}
    assert set(listed) == set(SPATIAL) | set(TABLES) | {"layer_styles"}
    for name, gtype in SPATIAL.items():
        assert listed[name] == gtype
        back = pyogrio.read_dataframe(path, layer=name)
        src = layers[name]
        assert len(back) == len(src)
        assert list(back.columns) == [c for c in src.columns if c != "geometry"] + ["geometry"]
        assert CRS.from_user_input(back.crs).equals(CRS.from_epsg(4548))
        # geometry unchanged (polygons promoted to multi)
        assert np.allclose(back.geometry.area, src.geometry.area)
        assert shapely.equals(back.geometry.values, src.geometry.values).all()
    for name in TABLES:
        assert listed[name] is None
        back = pyogrio.read_dataframe(path, layer=name, read_geometry=False)
        assert list(back.columns) == list(layers[name].columns)
        assert len(back) == len(layers[name])


def test_values_survive(written: tuple[Path, dict]) -> None:
    path, _ = written
    c = pyogrio.read_dataframe(path, layer="communities").set_index("cid")
    assert c.loc["C02", "name"] == fx.SPECIAL_NAME
    assert c.loc["C02", "cov_elderly_care"] == pytest.approx(0.6)
    assert np.isnan(c.loc["C04", "cov_meal_aid"])  # not required in the rural circle
    assert np.isnan(c.loc["C05", "cov_all"])
    assert c.loc["C03", "missing"] == "meal_aid"
    f = pyogrio.read_dataframe(path, layer="facilities").set_index("fid")
    assert f.loc["F02", "name"] == fx.EVIL
    assert list(f.index) == ["F01", "F02", "F03", "F04", "F05", "F06"]
    s = pyogrio.read_dataframe(path, layer="scorecard", read_geometry=False)
    assert list(s["status"]) == ["pass", "no data", "fail", "no data", "no data", "fail",
                                 "fail", "no data", "no data", "no data"]
    d = pyogrio.read_dataframe(path, layer="summary_district", read_geometry=False)
    hs = d.set_index("district")
    assert hs.loc["花山区", "cov_all"] == pytest.approx((4200 * 1.0 + 3000 * 0.6) / 7200)


def test_layer_styles_table(written: tuple[Path, dict]) -> None:
    path, layers = written
    con = sqlite3.connect(path)
    cols = [r[1] for r in con.execute("PRAGMA table_info(layer_styles)")]
    assert cols == QGIS_COLUMNS
    assert con.execute("SELECT data_type FROM gpkg_contents WHERE table_name = "
                       "'layer_styles'").fetchone() == ("attributes",)
    rows = con.execute("SELECT f_table_catalog, f_table_schema, f_table_name, "
                       "f_geometry_column, useAsDefault, styleQML, styleSLD "
                       "FROM layer_styles ORDER BY id").fetchall()
    con.close()
    tables = [n for n in layers if n not in SPATIAL and layers[n] is not None]
    # one per spatial layer, then an alias-only one per attribute table
    assert [r[2] for r in rows[:len(SPATIAL)]] == list(SPATIAL)
    assert sorted(r[2] for r in rows[len(SPATIAL):]) == sorted(tables)
    for cat, schema, table, geom, default, qml, sld in rows[len(SPATIAL):]:
        assert (cat, schema, geom, default, sld) == ("", "", "", 1, "")
        root = ET.fromstring(qml.split("\n", 1)[1])
        assert root.find("renderer-v2") is None
        aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
        assert set(aliases) == {c for c in layers[table].columns if c != "geometry"}
    rows = rows[:len(SPATIAL)]
    for cat, schema, table, geom, default, qml, sld in rows:
        assert (cat, schema, geom, default) == ("", "", "geom", 1)
        root = ET.fromstring(qml.split("\n", 1)[1])  # after the DOCTYPE line
        assert root.tag == "qgis"
        r = root.find("renderer-v2")
        assert r is not None and r.get("type") == RENDERERS[table]
        aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
        assert set(aliases) == {c for c in layers[table].columns if c != "geometry"}
        sld_root = ET.fromstring(sld)
        assert sld_root.tag == "{http://www.opengis.net/sld}StyledLayerDescriptor"
        assert len(sld_root.findall(".//{http://www.opengis.net/se}Rule")) >= 1
    qml = {r[2]: ET.fromstring(r[5].split("\n", 1)[1]) for r in rows}
    # communities: the five coverage classes of styles.py, on cov_all
    rend = qml["communities"].find("renderer-v2")
    assert rend.get("attr") == 'coalesce("cov_all", -1)'  # NULL -> the "no data" class
    ranges = [(float(x.get("lower")), float(x.get("upper"))) for x in rend.iter("range")]
    assert ranges == [(-1.0, -1.0)] + [(c.lower, c.upper) for c in styles.COVERAGE_CLASSES]
    assert next(rend.iter("range")).get("label") == "无数据"
    colors = [s.find(".//prop[@k='color']").get("v") for s in rend.find("symbols")]
    assert colors[:2] == ["189,189,189,166", "215,25,28,166"]  # at fill opacity 0.65
    # facilities: one category per category present, in catalogue order, Chinese labels
    cats = [(c.get("value"), c.get("label"))
            for c in qml["facilities"].find("renderer-v2").iter("category")]
    assert cats == [("community_center", "社区综合服务设施"), ("elderly_care", "养老服务站"),
                    ("health", "社区卫生服务站"), ("fresh_market", "菜市场"),
                    ("grocery", "便利店"), ("social_work", "社工站")]
    shape = qml["facilities"].find(".//symbol[@name='2']//prop[@k='name']").get("v")
    assert shape == styles.category_style("health").shape == "cross_fill"
    # proposed sites: labelled with their rank
    assert qml["proposed_sites"].get("labelsEnabled") == "1"
    assert qml["proposed_sites"].find(".//text-style").get("fieldName") == "rank"
    assert qml["communities"].find(".//alias[@field='cov_elderly_care']").get("name") == \
        "覆盖率：养老服务站"


def test_english_labels_and_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "out.gpkg"
    path.write_text("old")  # replaced, not appended to
    gpkg.write(path, fx.build(), fx.profile(), "en")
    con = sqlite3.connect(path)
    qml = con.execute("SELECT styleQML FROM layer_styles WHERE f_table_name = "
                      "'facilities'").fetchone()[0]
    con.close()
    root = ET.fromstring(qml.split("\n", 1)[1])
    labels = [c.get("label") for c in root.iter("category")]
    assert labels[:2] == ["community service centre", "elderly-care station"]


def test_awkward_columns_and_crs(tmp_path: Path) -> None:
    layers = fx.build()
    prop = layers["proposed_sites"].copy()
    prop["categories"] = [["elderly_care", "meal_aid"], ("elderly_care",)]
    prop["detail"] = [{"a": 1}, None]
    prop["kind"] = pd.Categorical(["x", "y"])
    layers["proposed_sites"] = prop
    layers["gaps"] = layers["gaps"].to_crs(4326)  # reprojected back to the working CRS
    layers["candidates"] = layers["candidates"].iloc[0:0]  # empty layer
    path = tmp_path / "x.gpkg"
    gpkg.write(path, layers, fx.profile())
    back = pyogrio.read_dataframe(path, layer="proposed_sites")
    assert list(back["categories"]) == ["elderly_care,meal_aid", "elderly_care"]
    assert back["detail"].iloc[0] == '{"a": 1}' and pd.isna(back["detail"].iloc[1])
    assert list(back["kind"]) == ["x", "y"]
    gaps = pyogrio.read_dataframe(path, layer="gaps")
    assert CRS.from_user_input(gaps.crs).equals(CRS.from_epsg(4548))
    assert gaps.geometry.area.iloc[0] == pytest.approx(700 * 400, rel=1e-6)
    assert len(pyogrio.read_dataframe(path, layer="candidates")) == 0


def test_layer_without_crs_is_refused(tmp_path: Path) -> None:
    layers = fx.build()
    layers["gaps"] = gpd.GeoDataFrame(layers["gaps"].drop(columns="geometry"),
                                      geometry=list(layers["gaps"].geometry), crs=None)
    with pytest.raises(InputError, match=r"'gaps'.*no CRS"):
        gpkg.write(tmp_path / "y.gpkg", layers, fx.profile())


def test_write_settings_are_restored_and_the_file_is_sound(tmp_path: Path) -> None:
    # gpkg.write changes GDAL settings only while it writes (no fsync, journal in memory, no
    # SpatiaLite functions): a caller's own settings come back, whatever they were
    keys = list(gpkg.WRITE_CONFIG)
    before = {keys[0]: "FULL", keys[1]: None, keys[2]: None}
    pyogrio.set_gdal_config_options(before)
    try:
        path = tmp_path / "z.gpkg"
        gpkg.write(path, fx.build(), fx.profile())
        assert {k: pyogrio.get_gdal_config_option(k) for k in keys} == before
    finally:
        pyogrio.set_gdal_config_options(dict.fromkeys(keys))
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # nothing kept
        # the spatial index of every spatial layer holds every feature
        for name in SPATIAL:
            n = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            assert con.execute(f'SELECT count(*) FROM "rtree_{name}_geom"').fetchone()[0] == n
    finally:
        con.close()
    # a bounding-box read goes through the index and finds the features inside it
    back = pyogrio.read_dataframe(path, layer="facilities")
    x0, y0, x1, y1 = back.total_bounds
    inside = pyogrio.read_dataframe(path, layer="facilities", bbox=(x0, y0, x1, y1))
    assert len(inside) == len(back)
