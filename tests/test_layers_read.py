"""Reading every supported format from real files written by GDAL, and shapefile encodings."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import box

from lifecircle.errors import InputError
from lifecircle.layers import encoding as enc
from lifecircle.layers.inspect import inspect_path
from lifecircle.layers.read import list_layers, raster_info, read_vector, resolve

NAMES = ["金家庄社区", "采石村", "慈湖街道办事处"]


def communities() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"MC": NAMES, "RK": [1200, 800, 0], "JDMC": ["金家庄街道", "采石街道", "慈湖街道"]},
        geometry=[box(118.50, 31.70, 118.51, 31.71), box(118.51, 31.70, 118.52, 31.71),
                  box(118.52, 31.70, 118.53, 31.71)], crs="EPSG:4490")


def read(path: Path, layer: str | None = None, encoding: str | None = None):
    src = resolve(path, layer, encoding)
    frame, notes = read_vector(src)
    return src, frame, notes


def assert_same(frame: gpd.GeoDataFrame) -> None:
    frame = frame.sort_values("RK", ascending=False)  # FlatGeobuf stores features sorted
    assert frame["MC"].tolist() == NAMES
    assert frame["RK"].tolist() == [1200, 800, 0]
    assert frame.crs.to_epsg() == 4490
    np.testing.assert_allclose(frame.total_bounds, [118.50, 31.70, 118.53, 31.71])


# ---------------------------------------------------------------- formats
@pytest.mark.parametrize(("name", "driver"), [
    ("c.shp", "ESRI Shapefile"), ("c.geojson", "GeoJSON"), ("c.fgb", "FlatGeobuf"),
    ("c.gpkg", "GPKG")])
def test_each_format_reads(tmp_path: Path, name: str, driver: str) -> None:
    path = tmp_path / name
    communities().to_file(path, engine="pyogrio")
    src, frame, notes = read(path)
    assert src.driver == driver
    assert src.encoding_label == "utf-8"
    assert notes == []
    assert_same(frame)


def test_zipped_shapefile(tmp_path: Path) -> None:
    communities().to_file(tmp_path / "社区.shp", engine="pyogrio", encoding="gbk")
    (tmp_path / "社区.cpg").unlink()
    zpath = tmp_path / "社区.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for part in tmp_path.glob("社区.*"):
            if part.suffix != ".zip":
                zf.write(part, f"data/{part.name}")
    src, frame, _ = read(zpath)
    assert src.gdal_path.startswith("/vsizip/")
    assert (src.encoding_label, src.encoding_source) == ("gbk", "detected")
    assert_same(frame)


def test_zip_with_two_shapefiles_needs_a_layer(tmp_path: Path) -> None:
    communities().to_file(tmp_path / "a.shp", engine="pyogrio")
    communities().iloc[:1].to_file(tmp_path / "b.shp", engine="pyogrio")
    zpath = tmp_path / "two.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for part in tmp_path.iterdir():
            if part.suffix != ".zip":
                zf.write(part, part.name)
    with pytest.raises(InputError, match=r"holds 2 shapefiles \(a, b\) and no layer is named"):
        resolve(zpath)
    _, frame, _ = read(zpath, layer="b")
    assert len(frame) == 1
    assert {n for n, _ in list_layers(zpath)} == {"a", "b"}


def test_geopackage_by_layer_name(tmp_path: Path) -> None:
    path = tmp_path / "data.gpkg"
    communities().to_file(path, layer="communities", engine="pyogrio")
    communities().iloc[:2].to_file(path, layer="villages", engine="pyogrio")
    with pytest.raises(InputError) as err:
        resolve(path)
    msg = str(err.value)
    assert "holds 2 layers (communities, villages) and none is named" in msg
    assert 'fix: set layer = "<name>"' in msg
    _, frame, _ = read(path, layer="villages")
    assert frame["MC"].tolist() == NAMES[:2]
    with pytest.raises(InputError, match=r"no layer 'vilages'; layers: villages, communities"):
        resolve(path, "vilages")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.shp: file not found; fix: check the path"):
        resolve(tmp_path / "nope.shp")


def test_not_a_vector_file(tmp_path: Path) -> None:
    path = tmp_path / "x.gpkg"
    path.write_text("not a geopackage")
    with pytest.raises(InputError, match=r"x\.gpkg: cannot open as a vector layer"):
        resolve(path)


# ---------------------------------------------------------------- encodings
def test_gbk_shapefile_without_cpg_decodes(tmp_path: Path) -> None:
    path = tmp_path / "c.shp"
    communities().to_file(path, engine="pyogrio", encoding="gbk")
    (tmp_path / "c.cpg").unlink()
    raw = (tmp_path / "c.dbf").read_bytes()
    assert "金家庄社区".encode("gbk") in raw  # really GBK bytes on disk
    src, frame, _ = read(path)
    assert (src.encoding, src.encoding_label, src.encoding_source) == ("gbk", "gbk", "detected")
    assert src.encoding_sample == "金家庄社区"
    assert src.warnings == ()
    assert frame["MC"].tolist() == NAMES
    assert frame["JDMC"].tolist() == ["金家庄街道", "采石街道", "慈湖街道"]


def test_utf8_shapefile_with_cpg(tmp_path: Path) -> None:
    path = tmp_path / "c.shp"
    communities().to_file(path, engine="pyogrio", encoding="utf-8")
    assert (tmp_path / "c.cpg").read_text().strip().upper() in ("UTF-8", "UTF8")
    src, frame, _ = read(path)
    assert (src.encoding_label, src.encoding_source) == ("utf-8", "cpg")
    assert frame["MC"].tolist() == NAMES


def test_utf8_shapefile_without_cpg_detected(tmp_path: Path) -> None:
    path = tmp_path / "c.shp"
    communities().to_file(path, engine="pyogrio", encoding="utf-8")
    (tmp_path / "c.cpg").unlink()
    src, frame, _ = read(path)
    assert (src.encoding_label, src.encoding_source) == ("utf-8", "detected")
    assert frame["MC"].tolist() == NAMES


def test_cpg_saying_utf8_over_gbk_bytes_is_corrected_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "c.shp"
    communities().to_file(path, engine="pyogrio", encoding="gbk")
    (tmp_path / "c.cpg").write_text("UTF-8")
    src, frame, _ = read(path)
    assert (src.encoding_label, src.encoding_source) == ("gbk", "corrected")
    assert frame["MC"].tolist() == NAMES
    (warning,) = src.warnings
    assert warning.startswith("c.cpg says 'UTF-8' but the text is GBK")
    assert "fix: write GBK into c.cpg" in warning


def test_cpg_saying_gbk_over_utf8_bytes_is_corrected(tmp_path: Path) -> None:
    path = tmp_path / "c.shp"
    communities().to_file(path, engine="pyogrio", encoding="utf-8")
    (tmp_path / "c.cpg").write_text("936")
    src, frame, _ = read(path)
    assert (src.encoding_label, src.encoding_source) == ("utf-8", "corrected")
    assert frame["MC"].tolist() == NAMES
    assert "c.cpg says '936' but the text is UTF-8" in src.warnings[0]


def test_project_encoding_overrides(tmp_path: Path) -> None:
    path = tmp_path / "c.shp"
    communities().to_file(path, engine="pyogrio", encoding="gbk")
    src, frame, _ = read(path, encoding="GB18030")
    assert (src.encoding_label, src.encoding_source) == ("gb18030", "project")
    assert frame["MC"].tolist() == NAMES


def test_project_encoding_that_would_garble_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "c.shp"
    communities().to_file(path, engine="pyogrio", encoding="gbk")
    with pytest.raises(InputError) as err:
        resolve(path, encoding="utf-8")
    msg = str(err.value)
    assert "c.shp: the project sets encoding = 'utf-8' but the text is gbk" in msg
    assert "names would be garbled" in msg and 'fix: set encoding = "gbk"' in msg


def test_detect_unit_cases() -> None:
    assert enc.detect([b"abc", b"123"]) == ("ascii", "")
    assert enc.detect(["花山区".encode()]) == ("utf-8", "花山区")
    # a UTF-8 value cut mid-character by the DBF field width still counts as UTF-8
    assert enc.detect(["雨山区".encode()[:7]])[0] == "utf-8"
    assert enc.detect(["博望区".encode("gbk")]) == ("gbk", "博望区")
    # 䶮 (CJK extension A) exists in GB18030 but not in GBK
    assert enc.detect(["刘䶮".encode("gb18030")]) == ("gb18030", "刘䶮")
    assert enc.detect([b"\x80\xff"]) == (None, "")


@pytest.mark.parametrize(("cpg", "codec"), [("UTF-8", "utf-8"), ("utf8", "utf-8"),
                                            ("65001", "utf-8"), ("936", "gbk"),
                                            ("CP936", "gbk"), ("ANSI 936", "gbk"),
                                            ("GB18030", "gb18030"), ("88591", "latin-1"),
                                            ("nonsense", None)])
def test_cpg_names(cpg: str, codec: str | None) -> None:
    got = enc.normalise_codec(cpg)
    assert (enc.label_of(got) if got else None) == codec


def test_parse_dbf_reads_text_fields_and_names(tmp_path: Path) -> None:
    frame = communities().rename(columns={"MC": "名称"})
    frame.to_file(tmp_path / "c.shp", engine="pyogrio", encoding="gbk")
    fields, values = enc.parse_dbf((tmp_path / "c.dbf").read_bytes())
    assert [f.name_bytes.decode("gbk") for f in fields] == ["名称", "RK", "JDMC"]
    assert [f.type for f in fields] == ["C", "N", "C"]
    assert [v.decode("gbk") for v in values] == [
        "金家庄社区", "金家庄街道", "采石村", "采石街道", "慈湖街道办事处", "慈湖街道"]


# ---------------------------------------------------------------- rasters
def write_tif(path: Path, data: np.ndarray, *, crs: str | None = "EPSG:4548",
              nodata: float | None = -1.0) -> Path:
    bands = data if data.ndim == 3 else data[None]
    with rasterio.open(path, "w", driver="GTiff", width=bands.shape[2], height=bands.shape[1],
                       count=bands.shape[0], dtype="float32", crs=crs, nodata=nodata,
                       transform=from_origin(500000.0, 3510000.0, 100.0, 100.0)) as ds:
        ds.write(bands.astype("float32"))
    return path


def test_raster_info(tmp_path: Path) -> None:
    data = np.full((20, 30), -1.0)
    data[5, 7] = 12.5
    r = raster_info(write_tif(tmp_path / "pop.tif", data))
    assert (r.width, r.height, r.bands, r.res, r.nodata) == (30, 20, 1, (100.0, 100.0), -1.0)
    assert r.has_data and r.min_value == 12.5
    assert r.crs == "EPSG:4548"
    lon0, lat0, lon1, lat1 = r.bounds_lonlat
    assert 116.9 < lon0 < lon1 < 117.1 and 31.6 < lat0 < lat1 < 31.8
    empty = raster_info(write_tif(tmp_path / "empty.tif", np.full((4, 4), -1.0)))
    assert not empty.has_data


def test_raster_not_readable(tmp_path: Path) -> None:
    path = tmp_path / "pop.tif"
    path.write_bytes(b"garbage")
    with pytest.raises(InputError, match=r"pop\.tif: cannot open as a raster"):
        raster_info(path)


def test_osm_layers_only_when_named_and_inspect_shows_the_lines(tmp_path: Path) -> None:
    """GDAL's OSM layers are read only when named (roads go through layers.osm)."""
    path = tmp_path / "roads.osm"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?><osm version="0.6">'
                    '<node id="1" lat="31.70" lon="118.50"/><node id="2" lat="31.70" lon="118.51"/>'
                    '<node id="3" lat="31.71" lon="118.50"/>'
                    '<way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/>'
                    '<tag k="name" v="湖南路"/></way>'
                    '<way id="11"><nd ref="1"/><nd ref="3"/><tag k="highway" v="footway"/></way>'
                    "</osm>", encoding="utf-8")
    with pytest.raises(InputError, match=r"roads\.osm: holds \d+ layers .* none is named"):
        resolve(path)
    src, frame, _ = read(path, "lines")
    assert src.driver == "OSM"
    assert sorted(frame["highway"]) == ["footway", "primary"]
    reports = inspect_path(path)
    assert [(r.layer, r.driver, r.rows, r.role) for r in reports] == [("lines", "OSM", 2, "roads")]
    assert not reports[0].problems


def test_header_limits_refuse_before_reading(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A layer whose header declares more features than the limit, or a text layer larger
    than its cap, is refused naming the file and the limit (limits lowered for the test)."""
    import geopandas as gpd
    from shapely.geometry import Point

    from lifecircle.errors import InputError
    from lifecircle.layers import read as rd

    frame = gpd.GeoDataFrame({"n": range(50)}, geometry=[Point(i, i) for i in range(50)],
                             crs="EPSG:4326")
    gpkg = tmp_path / "many.gpkg"
    frame.to_file(gpkg, layer="pts", engine="pyogrio")
    geojson = tmp_path / "big.geojson"
    frame.to_file(geojson, driver="GeoJSON", engine="pyogrio")
    assert rd.resolve(gpkg).layer == "pts"
    monkeypatch.setattr(rd, "MAX_FEATURES", 49)
    with pytest.raises(InputError, match=r"many.gpkg: its header declares 50 features.*49"):
        rd.resolve(gpkg)
    monkeypatch.setattr("lifecircle.limits.MAX_TEXT_LAYER_BYTES", 100)
    with pytest.raises(InputError, match=r"big.geojson: .* bytes, more than the limit of 100"):
        rd.resolve(geojson)


def test_special_files_are_refused_at_once(tmp_path: Path) -> None:
    """A FIFO (which would block) and /dev/zero (endless) are never opened."""
    import os

    from lifecircle.errors import InputError, ProjectError
    from lifecircle.layers import read as rd
    from lifecircle.project import load

    fifo = tmp_path / "roads.shp"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(InputError, match="not a regular file"):
            rd.resolve(path)
        with pytest.raises(InputError, match="not a regular file"):
            rd.raster_info(path)
        with pytest.raises(ProjectError, match="not a regular file"):
            load(path)
