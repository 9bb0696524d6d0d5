"""The result GeoPackage opened in real QGIS (Debian python3-qgis, system Python, offscreen).

QGIS must find every layer valid, in EPSG:4548, with the style stored in ``layer_styles``
applied on load (renderer types, classes, labels, aliases), and draw the communities in
exactly the coverage colours of styles.py. Missing QGIS is a failure, not a skip.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import _results_fixture as fx
import pytest

from lifecircle.outputs import gpkg, styles

pytestmark = pytest.mark.qgis

SYSTEM_PYTHON = "/usr/bin/python3"

SCRIPT = r'''
import json, os, sys
from qgis.core import (QgsApplication, QgsVectorLayer, QgsMapSettings, QgsRenderContext,
                       QgsMapRendererSequentialJob, QgsExpressionContextUtils, QgsRectangle,
                       QgsSimpleMarkerSymbolLayerBase)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

path, out_dir, probes = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
app = QgsApplication([], False)
app.initQgis()
result = {}
spatial = {}
for name in ["communities", "facilities", "over_capacity", "demand", "service_areas", "gaps",
             "candidates", "proposed_sites", "roads", "summary_district", "summary_township",
             "scorecard", "communities_after"]:
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    info = {"valid": layer.isValid(), "crs": layer.crs().authid(),
            "features": layer.featureCount(), "spatial": layer.isSpatial()}
    if layer.isSpatial():
        r = layer.renderer()
        info["renderer"] = r.type()
        ctx = QgsRenderContext()
        ctx.expressionContext().appendScopes(
            QgsExpressionContextUtils.globalProjectLayerScopes(layer))
        r.startRender(ctx, layer.fields())
        matched = 0
        for f in layer.getFeatures():
            ctx.expressionContext().setFeature(f)
            if r.symbolForFeature(f, ctx) is not None:
                matched += 1
        r.stopRender(ctx)
        info["matched"] = matched
        if r.type() == "categorizedSymbol":
            info["attr"] = r.classAttribute()
            info["classes"] = [[str(c.value()), c.label()] for c in r.categories()]
            info["symbols"] = [c.symbol().color().name() for c in r.categories()]
            if name == "facilities":
                info["shapes"] = [QgsSimpleMarkerSymbolLayerBase.encodeShape(
                    c.symbol().symbolLayer(0).shape()) for c in r.categories()]
        elif r.type() == "graduatedSymbol":
            info["attr"] = r.classAttribute()
            info["classes"] = [[g.lowerValue(), g.upperValue(), g.label()] for g in r.ranges()]
            info["symbols"] = [g.symbol().color().name() for g in r.ranges()]
        else:
            info["symbols"] = [r.symbol().color().name()]
        info["labels"] = layer.labelsEnabled()
        if layer.labelsEnabled():
            info["label_field"] = layer.labeling().settings().fieldName
        spatial[name] = layer
    idx = layer.fields().indexOf("name")
    info["alias_name"] = layer.attributeAlias(idx) if idx >= 0 else None
    result[name] = info


def render(names, png):
    s = QgsMapSettings()
    s.setLayers([spatial[n] for n in names])  # first in the list is drawn on top
    s.setDestinationCrs(spatial["communities"].crs())
    ext = QgsRectangle(spatial["communities"].extent())
    ext.grow(300)
    s.setExtent(ext)
    s.setOutputSize(QSize(800, 400))
    s.setBackgroundColor(QColor(255, 255, 255))
    s.setOutputDpi(96)
    job = QgsMapRendererSequentialJob(s)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    img.save(png)
    m2p = s.mapToPixel()
    probed = {}
    for key, (x, y) in probes.items():
        p = m2p.transform(x, y)
        c = QColor(img.pixel(int(round(p.x())), int(round(p.y()))))
        probed[key] = [c.red(), c.green(), c.blue()]
    colors = {}
    nonwhite = 0
    for yy in range(0, img.height(), 2):
        for xx in range(0, img.width(), 2):
            px = img.pixel(xx, yy) & 0xFFFFFF
            if px != 0xFFFFFF:
                nonwhite += 1
            colors[px] = 1
    return {"nonwhite": nonwhite, "sampled": (img.height() // 2) * (img.width() // 2),
            "distinct": len(colors), "probes": probed}

result["_render_communities"] = render(["communities"], out_dir + "/communities.png")
result["_render_all"] = render(["proposed_sites", "candidates", "facilities", "demand", "gaps",
                                "service_areas", "communities"], out_dir + "/all.png")
print("RESULT " + json.dumps(result, ensure_ascii=False))
sys.stdout.flush()
# QGIS's Python bindings may crash in exitQgis() when layers are collected late; the
# result is out, so leave without tearing down.
os._exit(0)
'''


def _blend(color: str, alpha: float) -> tuple[int, int, int]:
    r, g, b = styles.hex_to_rgb(color)
    return tuple(round(alpha * c + (1 - alpha) * 255) for c in (r, g, b))  # type: ignore


@pytest.fixture(scope="module")
def qgis_result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not Path(SYSTEM_PYTHON).exists():
        pytest.fail(f"{SYSTEM_PYTHON} is missing")
    tmp = tmp_path_factory.mktemp("qgis")
    path = tmp / "lifecircle.gpkg"
    gpkg.write(path, fx.with_over_capacity(), fx.profile(), "zh")
    probes = {"C01": (fx.X0 + 200, fx.Y0 + 200), "C02": (fx.X0 + 1800, fx.Y0 + 200),
              "C03": (fx.X0 + 200, fx.Y0 + 1200), "C04": (fx.X0 + 4000, fx.Y0 + 500),
              "C05": (fx.X0 + 1500, fx.Y0 + 1500), "outside": (fx.X0 + 2500, fx.Y0 + 1800)}
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(tmp))
    proc = subprocess.run([SYSTEM_PYTHON, "-c", SCRIPT, str(path), str(tmp), json.dumps(probes)],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        pytest.fail(f"QGIS script failed (exit {proc.returncode}); is python3-qgis installed "
                    f"(scripts/install-system-deps.sh)?\n{proc.stdout[-2000:]}\n"
                    f"{proc.stderr[-3000:]}")
    result = json.loads(lines[-1][len("RESULT "):])
    result["_dir"] = str(tmp)
    return result


def test_every_layer_valid_in_working_crs(qgis_result: dict) -> None:
    layers = fx.with_over_capacity()
    for name, frame in layers.items():
        info = qgis_result[name]
        assert info["valid"], name
        assert info["features"] == len(frame), name
        if info["spatial"]:
            assert info["crs"] == "EPSG:4548", name
    assert qgis_result["communities"]["alias_name"] == "名称"


def test_stored_styles_applied_on_load(qgis_result: dict) -> None:
    types = {n: qgis_result[n]["renderer"] for n in
             ("communities", "facilities", "demand", "service_areas", "gaps", "candidates",
              "proposed_sites", "over_capacity")}
    assert types == {"communities": "graduatedSymbol", "facilities": "categorizedSymbol",
                     "demand": "categorizedSymbol", "service_areas": "categorizedSymbol",
                     "gaps": "singleSymbol", "candidates": "singleSymbol",
                     "proposed_sites": "singleSymbol", "over_capacity": "singleSymbol"}
    # every feature gets a symbol (no category or class misses a value)
    for name in types:
        assert qgis_result[name]["matched"] == qgis_result[name]["features"], name
    comm = qgis_result["communities"]
    assert comm["attr"] == 'coalesce("cov_all", -1)'
    assert [c[:2] for c in comm["classes"]] == [[-1.0, -1.0]] + [
        [c.lower, c.upper] for c in styles.COVERAGE_CLASSES]
    assert comm["symbols"] == [styles.NO_DATA_COLOR] + [c.color for c in
                                                        styles.COVERAGE_CLASSES]
    fac = qgis_result["facilities"]
    keys = [c[0] for c in fac["classes"]]
    assert keys == ["community_center", "elderly_care", "health", "fresh_market", "grocery",
                    "social_work"]
    assert fac["classes"][1][1] == "养老服务站"
    assert fac["symbols"] == [styles.category_style(k).color for k in keys]
    assert fac["shapes"] == [styles.category_style(k).shape for k in keys]
    assert qgis_result["demand"]["classes"] == [["covered", "已覆盖"], ["not covered", "未覆盖"]]
    assert qgis_result["gaps"]["symbols"] == [styles.GAP.fill]
    prop = qgis_result["proposed_sites"]
    assert prop["symbols"] == [styles.PROPOSED.color]
    assert prop["labels"] is True and prop["label_field"] == "rank"
    # facilities over capacity: their own layer, an orange ring (F04 and F02)
    over = qgis_result["over_capacity"]
    assert over["symbols"] == [styles.OVER_CAPACITY.color] and over["features"] == 2
    assert qgis_result["communities"]["labels"] is False


def test_rendered_colours(qgis_result: dict) -> None:
    probes = qgis_result["_render_communities"]["probes"]
    a = styles.COMMUNITY.fill_opacity
    expected = {"C01": _blend("#1a9641", a), "C02": _blend("#fdae61", a),
                "C03": _blend("#d7191c", a), "C04": _blend("#a6d96a", a),
                "C05": _blend(styles.NO_DATA_COLOR, a), "outside": (255, 255, 255)}
    for key, rgb in expected.items():
        got = probes[key]
        assert all(abs(g - e) <= 2 for g, e in zip(got, rgb, strict=True)), (key, got, rgb)
    full = qgis_result["_render_all"]
    assert full["nonwhite"] > 0.2 * full["sampled"]
    assert full["distinct"] > 20  # markers, hatching, translucent overlays, labels
    assert Path(qgis_result["_dir"], "all.png").stat().st_size > 5000


PROJECT_SCRIPT = r'''
import json, os, sys
from qgis.core import (QgsApplication, QgsProject, QgsMapSettings, QgsMapRendererSequentialJob,
                       QgsRectangle, QgsLayerTreeGroup)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

path, png = sys.argv[1], sys.argv[2]
app = QgsApplication([], False)
app.initQgis()
prj = QgsProject.instance()
ok = prj.read(path)
root = prj.layerTreeRoot()
tree = []
def walk(node, group):
    for child in node.children():
        if isinstance(child, QgsLayerTreeGroup):
            walk(child, child.name())
        else:
            lyr = child.layer()
            info = {"group": group, "name": child.name(), "visible": child.isVisible(),
                    "valid": bool(lyr and lyr.isValid()), "type": lyr.type() if lyr else None}
            if lyr is not None and lyr.type() == 0:
                info["features"] = lyr.featureCount()
                info["subset"] = lyr.subsetString()
                info["spatial"] = lyr.isSpatial()
                info["labels"] = lyr.labelsEnabled()
                if lyr.isSpatial():
                    r = lyr.renderer()
                    info["renderer"] = r.type()
                    if r.type() == "categorizedSymbol":
                        info["on"] = [c.value() for c in r.categories() if c.renderState()]
                idx = lyr.fields().indexOf("name")
                info["alias_name"] = lyr.attributeAlias(idx) if idx >= 0 else None
                idx = lyr.fields().indexOf("cov_all")
                info["alias_cov_all"] = lyr.attributeAlias(idx) if idx >= 0 else None
            elif lyr is not None:
                info["renderer"] = lyr.renderer().type()
                shader = lyr.renderer().shader().rasterShaderFunction()
                info["items"] = len(shader.colorRampItemList())
            tree.append(info)
walk(root, "")
visible = [n.layer() for n in root.findLayers() if n.isVisible() and n.layer().isSpatial()]
s = QgsMapSettings()
s.setLayers(visible)
s.setDestinationCrs(prj.crs())
ext = QgsRectangle()
for lyr in visible:
    ext.combineExtentWith(lyr.extent())
s.setExtent(ext)
s.setOutputSize(QSize(600, 400))
s.setBackgroundColor(QColor(255, 255, 255))
job = QgsMapRendererSequentialJob(s)
job.start()
job.waitForFinished()
img = job.renderedImage()
img.save(png)
nonwhite = sum(1 for y in range(0, 400, 2) for x in range(0, 600, 2)
               if img.pixel(x, y) & 0xFFFFFF != 0xFFFFFF)
print("RESULT " + json.dumps({"ok": ok, "crs": prj.crs().authid(), "tree": tree,
                              "nonwhite": nonwhite}, ensure_ascii=False))
sys.stdout.flush()
os._exit(0)
'''


@pytest.fixture(scope="module")
def qgis_project_result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    import numpy as np

    from lifecircle.geo.raster import write_geotiff
    from lifecircle.outputs import qgis_project

    tmp = tmp_path_factory.mktemp("qgz")
    layers = fx.with_over_capacity()
    gpkg.write(tmp / "lifecircle.gpkg", layers, fx.profile(), "zh")
    from affine import Affine

    grid = np.linspace(0, 40, 50 * 30, dtype=np.float32).reshape(30, 50)
    raster = tmp / "traveltime_elderly_care.tif"
    write_geotiff(raster, grid, Affine(100, 0, fx.X0, 0, -100, fx.Y0 + 2000),
                  layers["communities"].crs, nodata=-1.0)
    path = qgis_project.write(tmp, layers, fx.profile(), lang="zh", title="测试",
                              rasters=[raster])
    # the project travels with its folder: open it from a copy elsewhere
    moved = tmp_path_factory.mktemp("moved")
    for f in tmp.iterdir():
        (moved / f.name).write_bytes(f.read_bytes())
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(moved))
    proc = subprocess.run([SYSTEM_PYTHON, "-c", PROJECT_SCRIPT, str(moved / path.name),
                           str(moved / "render.png")], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        pytest.fail(f"QGIS project script failed (exit {proc.returncode})\n{proc.stdout[-2000:]}"
                    f"\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT "):])


def test_project_opens_every_layer_valid(qgis_project_result: dict) -> None:
    r = qgis_project_result
    assert r["ok"] is True and r["crs"] == "EPSG:4548"
    tree = r["tree"]
    assert all(n["valid"] for n in tree), [n["name"] for n in tree if not n["valid"]]
    groups = {n["group"] for n in tree}
    assert {"服务缺口", "服务范围", "出行时间栅格", "属性表", ""} <= groups
    top = [n["name"] for n in tree if n["group"] == ""]
    assert top[:4] == ["建议新址", "候选用地", "设施", "超负荷设施"]
    assert "社区/村" in top and "道路" in top
    over = next(n for n in tree if n["name"] == "超负荷设施")
    assert over["visible"] and over["features"] == 2
    assert r["nonwhite"] > 0.2 * 300 * 200  # the visible layers render


def test_project_styles_per_category(qgis_project_result: dict) -> None:
    tree = qgis_project_result["tree"]
    sa = [n for n in tree if n["group"] == "服务范围"]
    assert [n["name"] for n in sa] == ["社区综合服务设施", "养老服务站", "社区卫生服务站",
                                       "菜市场", "便利店"]
    for n in sa:
        assert n["renderer"] == "categorizedSymbol"
        assert n["on"] == ["15"]  # only the circle's limit ring drawn
        assert n["features"] == 3 and "category" in n["subset"]
    # only the planned category (site 1: elderly care) is switched on
    assert [n["name"] for n in sa if n["visible"]] == ["养老服务站"]
    gaps = [n for n in tree if n["group"] == "服务缺口"]
    assert [(n["name"], n["features"], n["visible"]) for n in gaps] == [
        ("养老服务站", 1, True), ("老年助餐点", 1, False)]
    comm = next(n for n in tree if n["name"] == "社区/村")
    assert comm["labels"] is True and comm["alias_name"] == "名称"
    sites = next(n for n in tree if n["name"] == "建议新址")
    assert sites["labels"] is True
    raster = next(n for n in tree if n["group"] == "出行时间栅格")
    assert raster["name"] == "出行时间：养老服务站" and not raster["visible"]
    assert raster["renderer"] == "singlebandpseudocolor" and raster["items"] == 5
    tables = {n["name"]: n for n in tree if n["group"] == "属性表"}
    assert set(tables) == {"区县汇总", "乡镇街道汇总", "指标评估表", "建议新址实施后的社区覆盖率"}
    assert tables["区县汇总"]["alias_cov_all"] == "全部服务覆盖率"
