"""``inspect_path`` / ``format_reports`` and ``init_project`` on real files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, box

from lifecircle import project as prj
from lifecircle.layers import load
from lifecircle.layers.init import init_project
from lifecircle.layers.inspect import format_reports, inspect_path


def write_data(folder: Path, *, population_field: str = "RK",
               facility_types: tuple[str, ...] = ("社区卫生服务站", "养老服务站", "小学")) -> None:
    folder.mkdir(exist_ok=True)
    comm = gpd.GeoDataFrame(
        {"SQDM": ["1", "2"], "SQMC": ["金家庄社区", "采石村"], population_field: [1200, 800],
         "LX": ["城市", "农村"], "QXMC": ["花山区", "雨山区"]},
        geometry=[box(118.50, 31.70, 118.51, 31.71), box(118.51, 31.70, 118.52, 31.71)],
        crs="EPSG:4490")
    comm.to_file(folder / "社区.shp", engine="pyogrio", encoding="gbk")
    (folder / "社区.cpg").unlink()
    fac = gpd.GeoDataFrame({"MC": [f"设施{i}" for i in range(len(facility_types))],
                            "LX": list(facility_types)},
                           geometry=[Point(118.505 + 0.004 * i, 31.705)
                                     for i in range(len(facility_types))], crs="EPSG:4326")
    fac.to_file(folder / "设施_gcj02.gpkg", layer="poi", engine="pyogrio")
    gpd.GeoDataFrame({"DJ": ["主干路", "支路"]},
                     geometry=[LineString([(118.50, 31.705), (118.52, 31.705)]),
                               LineString([(118.505, 31.70), (118.505, 31.71)])],
                     crs="EPSG:4490").to_file(folder / "道路.shp", engine="pyogrio")
    data = np.full((10, 20), 2.0, dtype="float32")
    with rasterio.open(folder / "人口.tif", "w", driver="GTiff", width=20, height=10, count=1,
                       dtype="float32", crs="EPSG:4548", nodata=-1.0,
                       transform=from_origin(643000.0, 3510000.0, 100.0, 100.0)) as ds:
        ds.write(data, 1)


# ---------------------------------------------------------------- inspect
def test_inspect_folder(tmp_path: Path) -> None:
    write_data(tmp_path / "d")
    reports = {r.path.name: r for r in inspect_path(tmp_path / "d")}
    assert set(reports) == {"社区.shp", "设施_gcj02.gpkg", "道路.shp", "人口.tif"}
    c = reports["社区.shp"]
    assert (c.driver, c.rows, c.geometry_types) == ("ESRI Shapefile", 2, {"Polygon": 2})
    assert (c.encoding, c.encoding_source, c.encoding_sample) == ("gbk", "detected", "金家庄社区")
    assert c.crs == "EPSG:4490 (China Geodetic Coordinate System 2000)"
    assert c.role == "communities"
    fields = {f.name: f for f in c.fields}
    assert fields["SQMC"].samples == ("金家庄社区", "采石村")
    assert fields["SQMC"].canonical == "name"
    assert fields["RK"].canonical == "population"
    assert fields["LX"].canonical == "kind"
    assert c.problems == ()
    np.testing.assert_allclose(c.bounds_lonlat, (118.50, 31.70, 118.52, 31.71))
    assert reports["设施_gcj02.gpkg"].role == "facilities"
    assert reports["设施_gcj02.gpkg"].layer == "poi"
    assert reports["道路.shp"].role == "roads"
    assert reports["道路.shp"].encoding_source == "cpg"
    r = reports["人口.tif"]
    assert (r.kind, r.role, r.rows) == ("raster", "population", 200)
    assert r.raster["res"] == (100.0, 100.0)


def test_inspect_reports_problems(tmp_path: Path) -> None:
    write_data(tmp_path / "d", population_field="XYZ")
    (tmp_path / "d" / "社区.prj").unlink()
    (report,) = inspect_path(tmp_path / "d" / "社区.shp", lang="en")  # English wording
    assert report.crs is None
    assert any("no coordinate system" in p for p in report.problems)
    assert any("no population field" in p for p in report.problems)


def test_format_reports_zh_and_en(tmp_path: Path) -> None:
    write_data(tmp_path / "d")
    reports = inspect_path(tmp_path / "d" / "社区.shp")
    zh = "\n".join(format_reports(reports))
    assert "社区.shp  (ESRI Shapefile)" in zh
    assert "编码: GBK（无 .cpg，按字节识别，例：金家庄社区）" in zh
    assert "判断为: 社区/村图层 (communities)" in zh
    assert "要素: 2   几何: Polygon 2" in zh
    assert "未发现问题" in zh
    en = "\n".join(format_reports(reports, lang="en"))
    assert "encoding: GBK (no .cpg, detected from the bytes, e.g. 金家庄社区)" in en
    assert "features: 2   geometry: Polygon 2" in en
    assert "looks like: communities layer" in en
    lines = format_reports(reports, lang="en")
    row = next(line for line in lines if line.strip().startswith("SQMC"))
    assert row.startswith("    SQMC") and row.endswith("-> name")
    assert "金家庄社区, 采石村" in row


def test_inspect_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.gpkg"
    path.write_text("nope")
    (report,) = inspect_path(path, lang="en")  # English wording
    assert report.problems and "bad.gpkg: cannot open as a vector layer" in report.problems[0]
    assert "cannot open as a vector layer" in "\n".join(format_reports([report]))


# ---------------------------------------------------------------- init
def test_init_writes_a_project_that_loads(tmp_path: Path) -> None:
    d = tmp_path / "d"
    write_data(d)
    out = tmp_path / "project.toml"
    text = init_project(sorted(d.iterdir()), out, lang="zh")
    assert out.read_text(encoding="utf-8") == text
    data = tomllib.loads(text)
    layers = data["layers"]
    assert layers["communities"]["path"] == "d/社区.shp"
    assert layers["communities"]["fields"] == {"cid": "SQDM", "name": "SQMC", "kind": "LX",
                                               "population": "RK", "district": "QXMC"}
    assert layers["facilities"]["path"] == "d/设施_gcj02.gpkg"
    assert layers["facilities"]["layer"] == "poi"
    assert layers["facilities"]["source_crs"] == "gcj02"  # from the file name
    assert layers["facilities"]["fields"] == {"name": "MC", "category": "LX"}
    assert layers["roads"]["fields"] == {"road_class": "DJ"}
    assert layers["population"]["path"] == "d/人口.tif"
    # a guess from the file name alone is uncertain: the one TODO
    assert text.count("TODO") == 1
    assert 'source_crs = "gcj02"  # TODO: 仅根据文件名推断为高德/腾讯 GCJ-02，请确认' in text
    assert data["project"]["name"] == "花山区、雨山区"  # the districts named in the data
    loaded = load(prj.load(out))
    assert loaded.communities["name"].tolist() == ["金家庄社区", "采石村"]
    assert loaded.facilities["category"].tolist() == ["health", "elderly_care", "primary_school"]
    assert loaded.population_raster == d / "人口.tif"


def test_init_marks_what_it_cannot_recognise(tmp_path: Path) -> None:
    d = tmp_path / "d"
    write_data(d, population_field="XYZ", facility_types=("社区卫生服务站", "药店", "药店"))
    (d / "道路.shp").unlink()
    out = tmp_path / "project.toml"
    text = init_project([d / "社区.shp", d / "设施_gcj02.gpkg"], out, lang="en")
    todo = [line for line in text.splitlines() if line.startswith("# TODO:")]
    assert any(line.startswith('# TODO: population = ""') and "XYZ" in line for line in todo)
    assert any(line.startswith("# TODO: [layers.roads]") for line in todo)
    assert any(line.startswith('# TODO: "药店" = ""  # 2 rows') for line in todo)
    assert "[layers.facilities.values.category]" in text
    tomllib.loads(text)  # still valid TOML
    # filling in the TODOs makes a working project
    fixed = (text.replace('# TODO: population = ""', 'population = "XYZ"')
             .replace('# TODO: "药店" = ""', '"药店" = "health"'))
    gpd.GeoDataFrame({"DJ": ["支路"]}, geometry=[LineString([(118.50, 31.705), (118.52, 31.705)])],
                     crs="EPSG:4490").to_file(d / "roads.shp")
    fixed += '\n[layers.roads]\npath = "d/roads.shp"\n'
    out.write_text(fixed, encoding="utf-8")
    loaded = load(prj.load(out))
    assert loaded.communities["population"].tolist() == [1200.0, 800.0]
    assert loaded.facilities["category"].tolist() == ["health", "health", "health"]


def test_init_without_crs_leaves_todo(tmp_path: Path) -> None:
    d = tmp_path / "d"
    write_data(d)
    (d / "道路.prj").unlink()
    text = init_project([d / "社区.shp", d / "设施_gcj02.gpkg", d / "道路.shp"],
                        tmp_path / "p.toml", lang="zh")
    assert '# TODO: source_crs = "cgcs2000"  # 文件没有坐标系（缺 .prj）' in text


def test_init_replaces_only_its_own_project_file(tmp_path: Path) -> None:
    """init -o never writes over an input or a file it did not write, --overwrite or not."""
    import pytest

    from lifecircle.errors import OutputError
    from lifecircle.layers.init import check_out

    d = tmp_path / "data"
    write_data(d)
    inputs = [d / "社区.shp", d / "道路.shp"]
    out = tmp_path / "project.toml"
    init_project(inputs, out, lang="en")
    first = out.read_bytes()
    with pytest.raises(OutputError, match="--overwrite"):
        check_out(out, inputs, overwrite=False)
    check_out(out, inputs, overwrite=True)  # its own file: may be replaced
    init_project(inputs, out, lang="zh")
    assert out.read_bytes() != first
    mine = tmp_path / "notes.toml"
    mine.write_text("# my own settings\n", encoding="utf-8")
    dbf = d / "社区.dbf"
    dbf_bytes = dbf.read_bytes()
    for target, expect in ((mine, "not a project file lifecircle init wrote"),
                           (dbf, "input files"), (d / "社区.shp", "input files"),
                           (tmp_path, "not a project file")):
        with pytest.raises(OutputError, match=expect):
            check_out(target, inputs, overwrite=True)
        with pytest.raises(OutputError, match=expect):
            init_project(inputs, target, lang="en")
    assert mine.read_text(encoding="utf-8") == "# my own settings\n"
    assert dbf.read_bytes() == dbf_bytes
