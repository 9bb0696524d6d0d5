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
for name in ["communities", "facilities", "demand", "service_areas", "gaps", "candidates",
             "proposed_sites", "roads", "summary_district", "summary_township", "scorecard",
             "communities_after"]:
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
    gpkg.write(path, fx.build(), fx.profile(), "zh")
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
    layers = fx.build()
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
              "proposed_sites")}
    assert types == {"communities": "graduatedSymbol", "facilities": "categorizedSymbol",
                     "demand": "categorizedSymbol", "service_areas": "categorizedSymbol",
                     "gaps": "singleSymbol", "candidates": "singleSymbol",
                     "proposed_sites": "singleSymbol"}
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
