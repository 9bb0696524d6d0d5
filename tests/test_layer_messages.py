"""The loader's problems and warnings in one language at a time, on real files.

A zh run (the default) shows them in Chinese, ``--lang en`` in English, both from the one
catalogue (lifecircle.i18n): no English sentence in zh, no Chinese in en, data values
(file and field names, source values, recognised field names) aside.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_layers_load import communities, facilities_gcj, population_tif, roads, write_gbk_shp

from lifecircle import project as prj
from lifecircle.errors import InputError
from lifecircle.i18n import TEXT, render
from lifecircle.layers import load

#: Three or more English words in a row (a phrase), separated by ASCII only.
_WORD = r"[A-Za-z]*[a-z][A-Za-z]*"
_ENGLISH = re.compile(rf"\b{_WORD}(?:[ ,;:()/=<>\[\]\"']+{_WORD}\b){{2,}}")
#: Not words: key paths and identifiers (``fields.cid``, ``source_crs``), numbers and
#: upper-case codes (field names such as ``SQDM``).
_NOT_WORDS = re.compile(r"[A-Za-z0-9_.\-]*[0-9_.][A-Za-z0-9_.\-]*|\b[A-Z]+\b")
_CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff60\u3000-\u303f]")


def _strip_data(text: str) -> str:
    """``text`` without data values: file names, quoted source values, known labels and
    lists of recognised field names (``(名称/MC/SQMC/NAME)``)."""
    text = re.sub(r"\S+\.(?:shp|gpkg|tif|toml|geojson|csv|zip)\b", "F", text)
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "''", text)
    text = re.sub(r"(e\.g\. |例：)[^)）\s]+", "S", text)  # a sample of the decoded text
    text = re.sub(r"[^\s,;:（]+ \([a-z_]+\)", "L", text)  # closest labels: 一级公路 (primary)
    return re.sub(r"[(（][^()（）]*/[^()（）]*[)）]", "()", text)


def english_runs(text: str) -> list[str]:
    """English phrases in ``text`` outside data values."""
    return _ENGLISH.findall(_NOT_WORDS.sub("\x00", _strip_data(text)))


def chinese_outside_data(text: str) -> list[str]:
    """Chinese characters of ``text`` outside data values and the word 村 of the village
    rule."""
    return _CJK.findall(_strip_data(text).replace("ending in 村", ""))


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Any]:
    # communities without id, name and urban/rural fields, GBK without .cpg; roads without
    # a class field: five warnings of the loader
    write_gbk_shp(communities().drop(columns=["SQDM", "SQMC", "CXLX"]), tmp_path / "社区.shp")
    facilities_gcj(tmp_path / "设施.gpkg")
    roads(tmp_path / "道路.shp")
    import geopandas as gpd

    r = gpd.read_file(tmp_path / "道路.shp").drop(columns=["DJ"])
    r.to_file(tmp_path / "道路.shp", engine="pyogrio")
    population_tif(tmp_path / "人口.tif")
    return {"communities": {"path": "社区.shp"},
            "facilities": {"path": "设施.gpkg", "source_crs": "gcj02"},
            "roads": {"path": "道路.shp"}, "population": {"path": "人口.tif"}}


Load = Callable[..., Any]


@pytest.fixture
def run(write_project: Callable[..., Path]) -> Load:
    def go(layers: dict[str, Any], lang: str) -> Any:
        return load(prj.load(write_project(layers, lang=lang)))
    return go


def test_loader_warnings_in_one_language(files: dict[str, Any], run: Load) -> None:
    warnings = run(files, "zh").warnings  # notes, rendered where shown
    zh = [render(w, "zh") for w in warnings]
    en = [render(w, "en") for w in warnings]
    assert en == [str(w) for w in warnings]
    assert len(zh) == len(en) >= 5
    for w in en:
        assert not chinese_outside_data(w), w
    for w in zh:
        assert not english_runs(w), w
        assert _CJK.search(w.split("：", 1)[-1]), w
    joined = "\n".join(zh)
    for text in ("没有 .cpg 文件", "没有编码字段", "没有名称字段", "没有城乡字段",
                 "没有道路等级字段"):
        assert text in joined, joined
    assert "修正：" in joined and "fix:" not in joined


def _problems(layers: dict[str, Any], run: Load, lang: str) -> list[str]:
    with pytest.raises(InputError) as err:
        run(layers, lang)
    return err.value.render(lang).splitlines()


def test_loader_problems_in_one_language(files: dict[str, Any], run: Load,
                                         tmp_path: Path) -> None:
    # unknown urban/rural and road class values, values of a column with no field, a
    # missing mapped field, a two-band population raster
    write_gbk_shp(communities(CXLX=["城市社区", "XX", "城镇"]), tmp_path / "社区.shp")
    roads(tmp_path / "道路.shp", classes=["主干路", "XX级", "村道", "footway"])
    population_tif(tmp_path / "人口.tif", bands=2)
    files["facilities"]["values"] = {"status": {"在用": "bogus"}}
    files["facilities"]["fields"] = {"capacity": "RONGLIANG"}
    zh = _problems(files, run, "zh")
    en = _problems(files, run, "en")
    assert len(zh) == len(en) >= 5, (zh, en)
    for line in en:
        assert not chinese_outside_data(line), line
    for line in zh:
        assert not english_runs(line), line
    text = "\n".join(zh)
    for part in ("个无法识别的 kind 取值", "个无法识别的 road_class 取值", "设置了 values.status",
                 "对应到 capacity 的字段 'RONGLIANG' 不存在", "有 2 个波段", "修正："):
        assert part in text, text


def test_every_loader_message_has_both_languages_and_the_same_placeholders() -> None:
    keys = [k for k in TEXT if k.split(".", 1)[0] == "load"]
    assert len(keys) > 50
    for k in keys:
        zh, en = TEXT[k]
        assert set(re.findall(r"{(\w+)}", zh)) <= set(re.findall(r"{(\w+)}", en)) | {"s"}, k
        filled_zh = re.sub(r"{\w+}", "x", zh)
        assert not english_runs(filled_zh), (k, zh)
        assert _CJK.search(zh) or zh == "{fix}", (k, zh)
    assert np.all([not k.endswith(".fix") or k[:-4] in TEXT for k in keys])


# ---------------------------------------------------------------- inspect and init
def _crs_names_out(text: str) -> str:
    """CRS names from PROJ (``EPSG:4490 (China Geodetic Coordinate System 2000)``) are
    data."""
    return re.sub(r"EPSG:\d+ \([^)]*\)", "EPSG", text)


def test_inspect_in_one_language(tmp_path: Path) -> None:
    from test_inspect_init import write_data

    from lifecircle.layers.inspect import format_reports, inspect_path

    # no population field, no .cpg, an unknown facility type: problems and warnings
    write_data(tmp_path / "d", population_field="XYZ",
               facility_types=("社区卫生服务站", "修车铺", "小学"))
    for lang, bad in (("zh", english_runs), ("en", chinese_outside_data)):
        reports = inspect_path(tmp_path / "d", lang=lang)
        assert any(r.problems for r in reports) and any(r.warnings for r in reports)
        lines = format_reports(reports, lang=lang)
        fields = {f.name for r in reports for f in r.fields}
        for line in lines:
            if line.startswith("    ") and line.split()[0] in fields:
                continue  # a field with its sample values: data
            if line and not line.startswith(" "):
                continue  # the file name and driver
            assert not bad(_crs_names_out(line)), (lang, line)
    zh = "\n".join(format_reports(inspect_path(tmp_path / "d", lang="zh"), lang="zh"))
    for part in ("没有 population 字段", "个无法识别的 category 取值", "没有编码字段", "判断为"):
        assert part in zh, zh


def test_init_comments_in_one_language(tmp_path: Path) -> None:
    from test_inspect_init import write_data

    from lifecircle.layers.init import init_project

    write_data(tmp_path / "d", population_field="XYZ",
               facility_types=("社区卫生服务站", "修车铺", "小学"))
    (tmp_path / "d" / "道路.shp").unlink()
    files = [tmp_path / "d" / "社区.shp", tmp_path / "d" / "设施_gcj02.gpkg"]
    for lang, bad in (("zh", english_runs), ("en", chinese_outside_data)):
        text = init_project(files, tmp_path / f"{lang}.toml", lang=lang)
        comments = []
        for line in text.splitlines():
            code, _, comment = line.partition("#")
            if re.match(r"\w+ = ", code) and "TODO" not in comment:
                continue  # a mapped field with its sample values: data
            if comment.startswith("   "):
                continue  # the input files listed at the top
            comments.append(comment)
        assert sum("TODO" in c for c in comments) >= 3, text
        for c in comments:
            # data: recognised field names (常住人口/CZRK/...), sample values in brackets
            c = re.sub(r"\S*/\S*|\([^()A-Za-z]*\)", "D", c.replace("TODO:", ""))
            assert not bad(_crs_names_out(c)), (lang, c)
