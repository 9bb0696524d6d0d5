"""One definition of the coverage classes, exactly at their edges (50, 80, 95, 100 %), and
the field aliases stored in the GeoPackage itself.

A share on an edge belongs to the class above it; a share just below stays below and is
never shown as the edge. The same community gets the same class from ``styles`` (report
tables), in real QGIS (the GeoPackage's stored style), in the map in real Chromium, and the
legends say so. The aliases are read back with real GDAL (the GDAL 3.12 library pyogrio
ships, through its C API) and in real QGIS opening the GeoPackage alone.
"""

from __future__ import annotations

import ctypes
import glob
import json
import math
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import _results_fixture as fx
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from lifecircle import i18n
from lifecircle.outputs import gpkg, report, styles, webmap

#: (share, class index, as shown): on each edge, a micro-share below it, and the float
#: just below the edge (which is the edge at the precision shares are kept)
EDGES = [
    (0.0, 0, "0.0%"), (0.499999, 0, "49.9%"), (0.5, 1, "50.0%"),
    (math.nextafter(0.5, 0.0), 1, "50.0%"), (0.799999, 1, "79.9%"), (0.8, 2, "80.0%"),
    (0.949999, 2, "94.9%"), (0.95, 3, "95.0%"), (0.999999, 3, "99.9%"),
    (math.nextafter(1.0, 0.0), 4, "100.0%"), (1.0, 4, "100.0%"),
]


def test_edges_belong_to_the_class_above() -> None:
    for share, cls, shown in EDGES:
        assert styles.coverage_class(share) == cls, share
        assert webmap.fmt_pct(share, "en") == shown, share
        assert styles.coverage_color(share) == styles.COVERAGE_CLASSES[cls].color
    assert styles.coverage_class(float("nan")) == -1
    # every legend label agrees with what its class holds
    labels = [i18n.t(c.label_key, "en") for c in styles.COVERAGE_CLASSES]
    assert labels == ["below 50%", "50%–79.9%", "80%–94.9%", "95%–99.9%", "100%"]
    for share, cls, shown in EDGES:
        lab = labels[cls]
        if "–" in lab:
            lo, hi = (float(x.rstrip("%")) for x in lab.split("–"))
            assert lo <= float(shown.rstrip("%")) <= hi, (share, lab)


def test_report_cells_use_the_same_classes() -> None:
    from lifecircle.outputs import document

    for share, cls, shown in EDGES:
        cell = document._html_cell(document.Cell(webmap.fmt_pct(share, "zh"), "cov", share))
        assert f"background:{styles.COVERAGE_CLASSES[cls].color}" in cell, share
        assert shown in cell
    # "every resident covered" is the top class
    assert [report._full(s) for s, _, _ in EDGES] == [c == 4 for _, c, _ in EDGES]


def edge_layers() -> dict[str, Any]:
    """The fixture's result layers with one community per edge value (cov_all)."""
    layers = fx.build()
    base = layers["communities"].iloc[[0]]
    rows = []
    for i, (share, _, _) in enumerate(EDGES):
        r = base.copy()
        r["cid"] = f"E{i:02d}"
        r["name"] = f"边界{i}"
        r["cov_all"] = share
        r["geometry"] = [box(fx.X0 + 700 * i, fx.Y0 - 3000, fx.X0 + 700 * i + 600, fx.Y0 - 2400)]
        rows.append(r)
    layers["communities"] = gpd.GeoDataFrame(pd.concat(rows, ignore_index=True),
                                             geometry="geometry", crs=base.crs)
    return layers


QGIS_SCRIPT = r'''
import json, os, sys
from qgis.core import (QgsApplication, QgsVectorLayer, QgsRenderContext,
                       QgsExpressionContextUtils)
path, tables = sys.argv[1], json.loads(sys.argv[2])
app = QgsApplication([], False)
app.initQgis()
out = {"aliases": {}, "classes": {}}
for name in tables:
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    out["aliases"][name] = {f.name(): layer.attributeAlias(i)
                            for i, f in enumerate(layer.fields())}
layer = QgsVectorLayer(f"{path}|layername=communities", "c", "ogr")
r = layer.renderer()
ctx = QgsRenderContext()
ctx.expressionContext().appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
r.startRender(ctx, layer.fields())
for f in layer.getFeatures():
    ctx.expressionContext().setFeature(f)
    s = r.symbolForFeature(f, ctx)
    out["classes"][f["cid"]] = None if s is None else s.color().name()
r.stopRender(ctx)
print("RESULT " + json.dumps(out, ensure_ascii=False))
sys.stdout.flush()
os._exit(0)
'''


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for lang in ("zh", "en"):
        path = tmp_path_factory.mktemp(f"gpkg-{lang}") / "lifecircle.gpkg"
        gpkg.write(path, edge_layers(), fx.profile(), lang)
        out[lang] = path
    return out


def _expected_aliases(path: Path, lang: str) -> dict[str, dict[str, str]]:
    """Every column of every written table with its label in ``lang`` (unique per table)."""
    layers = edge_layers()
    out: dict[str, dict[str, str]] = {}
    for name, frame in layers.items():
        if frame is None:
            continue
        cols = [c for c in frame.columns if c != "geometry"]
        labels = [i18n.field_label(c, fx.profile(), lang, layer=name) for c in cols]
        out[name] = dict(zip(cols, labels, strict=True))
    return out


def _gdal_alternative_names(path: Path) -> dict[str, dict[str, str]]:
    """Field alternative names as GDAL reads them (OGR_Fld_GetAlternativeNameRef, GDAL 3.7+;
    the GDAL library pyogrio ships, called through its C API)."""
    import pyogrio

    libs = glob.glob(str(Path(pyogrio.__file__).parents[1] / "pyogrio.libs" / "libgdal*.so*"))
    assert libs, "pyogrio's GDAL library not found"
    lib = ctypes.CDLL(libs[0])
    vp, cp = ctypes.c_void_p, ctypes.c_char_p
    lib.GDALAllRegister()
    lib.GDALOpenEx.restype, lib.GDALOpenEx.argtypes = vp, [cp, ctypes.c_uint, vp, vp, vp]
    lib.GDALDatasetGetLayerCount.argtypes = [vp]
    lib.GDALDatasetGetLayer.restype, lib.GDALDatasetGetLayer.argtypes = vp, [vp, ctypes.c_int]
    lib.OGR_L_GetName.restype, lib.OGR_L_GetName.argtypes = cp, [vp]
    lib.OGR_L_GetLayerDefn.restype, lib.OGR_L_GetLayerDefn.argtypes = vp, [vp]
    lib.OGR_FD_GetFieldCount.argtypes = [vp]
    lib.OGR_FD_GetFieldDefn.restype, lib.OGR_FD_GetFieldDefn.argtypes = vp, [vp, ctypes.c_int]
    for fn in ("OGR_Fld_GetNameRef", "OGR_Fld_GetAlternativeNameRef"):
        getattr(lib, fn).restype, getattr(lib, fn).argtypes = cp, [vp]
    lib.GDALClose.argtypes = [vp]
    ds = lib.GDALOpenEx(str(path).encode(), 0x04, None, None, None)  # GDAL_OF_VECTOR
    assert ds, f"GDAL cannot open {path}"
    out: dict[str, dict[str, str]] = {}
    try:
        for i in range(lib.GDALDatasetGetLayerCount(ds)):
            layer = lib.GDALDatasetGetLayer(ds, i)
            defn = lib.OGR_L_GetLayerDefn(layer)
            fields = {}
            for j in range(lib.OGR_FD_GetFieldCount(defn)):
                fld = lib.OGR_FD_GetFieldDefn(defn, j)
                fields[lib.OGR_Fld_GetNameRef(fld).decode()] = \
                    lib.OGR_Fld_GetAlternativeNameRef(fld).decode()
            out[lib.OGR_L_GetName(layer).decode()] = fields
    finally:
        lib.GDALClose(ds)
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_aliases_are_in_the_geopackage(written: dict[str, Path], lang: str) -> None:
    path = written[lang]
    expected = _expected_aliases(path, lang)
    got = _gdal_alternative_names(path)
    for table in ("communities", "facilities", "gaps", "summary_district",
                  "summary_township", "scorecard"):
        assert table in got, table
        # GDAL reports no alternative name where it would equal the field's name
        assert {k: v or k for k, v in got[table].items()} == expected[table], table
    assert got["summary_district"]["cov_meal_aid"] == (
        "覆盖率：老年助餐点" if lang == "zh" else "coverage: meal-assistance point")
    with sqlite3.connect(path) as con:
        ext = {r[0] for r in con.execute(
            "SELECT table_name FROM gpkg_extensions WHERE extension_name = 'gpkg_schema'")}
        assert ext == {"gpkg_data_columns", "gpkg_data_column_constraints"}
        # aliases are unique per table, as the schema extension requires
        dup = con.execute("SELECT table_name, name, count(*) FROM gpkg_data_columns "
                          "GROUP BY table_name, name HAVING count(*) > 1").fetchall()
        assert dup == []


@pytest.mark.qgis
def test_qgis_shows_aliases_and_classes_from_the_geopackage_alone(
        written: dict[str, Path], tmp_path: Path) -> None:
    path = written["zh"]
    tables = ["communities", "summary_district", "summary_township", "scorecard"]
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(tmp_path))
    proc = subprocess.run(["/usr/bin/python3", "-c", QGIS_SCRIPT, str(path), json.dumps(tables)],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    res = json.loads(lines[-1][len("RESULT "):])
    expected = _expected_aliases(path, "zh")
    for table in tables:
        aliases = {k: v for k, v in res["aliases"][table].items() if k != gpkg.FID_COLUMN}
        assert aliases == expected[table], table
    colours = res["classes"]
    for i, (share, cls, _) in enumerate(EDGES):
        assert colours[f"E{i:02d}"] == styles.COVERAGE_CLASSES[cls].color, share


@pytest.mark.browser
def test_map_colours_the_edges_like_everything_else(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright
    from test_webmap_browser import ARGS, CHROMIUM, Page, _comm_fill

    out = tmp_path / "map.html"
    webmap.build(edge_layers(), fx.profile(), out, lang="en")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = Page(b, out)
            page.page.select_option("select.lc-service", "")  # "all required services"
            for i, (share, cls, _) in enumerate(EDGES):
                assert _comm_fill(page.page, f"E{i:02d}") == \
                    styles.COVERAGE_CLASSES[cls].color, share
            legend = page.page.inner_text(".leaflet-control-container")
            for c in styles.COVERAGE_CLASSES:
                assert i18n.t(c.label_key, "en") in legend
            assert page.errors == []
        finally:
            b.close()
