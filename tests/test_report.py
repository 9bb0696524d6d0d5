"""report.html / report.md / CSV tables from the fixture result layers."""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import _results_fixture as fx
import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point

from lifecircle.outputs import report

INPUTS = [{"key": "communities", "path": "/data/社区.shp", "driver": "ESRI Shapefile",
           "encoding": "GBK", "rows_read": 5, "rows_dropped": 0},
          {"key": "facilities", "path": "/data/设施<1>.gpkg", "driver": "GPKG",
           "encoding": "UTF-8", "rows_read": 7, "rows_dropped": 1}]
WARNINGS = ["设施.gpkg 第7行: 类别 <script>alert(1)</script> 无法识别，已剔除",
            "社区.shp: 3 个社区缺少户数 | households"]
CSVS = ["scorecard.csv", "coverage_communities.csv", "coverage_district.csv",
        "coverage_township.csv", "proposed_sites.csv"]


@pytest.fixture(scope="module")
def zh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("report")
    files = report.build(fx.build(), fx.profile(), out, lang="zh", inputs=INPUTS,
                         warnings=WARNINGS, plan_summary={"model": "mclp", "sites": 2,
                                                          "gap": 0.0},
                         run_info={"project": "马鞍山 <演示>", "synthetic": True,
                                   "seconds": 3.2})
    return out, files


def test_files_written(zh: tuple[Path, dict]) -> None:
    out, files = zh
    assert sorted(p.name for p in out.iterdir()) == sorted(["report.html", "report.md", *CSVS])
    assert set(files) == {"html", "md", "scorecard", "communities", "summary_district",
                          "summary_township", "proposed_sites"}


def test_html_self_contained_and_escaped(zh: tuple[Path, dict]) -> None:
    text = (zh[0] / "report.html").read_text(encoding="utf-8")
    assert "<script" not in text  # no script at all, so neither a hostile one
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    assert "<link" not in text and "@import" not in text and "url(" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "湖东社区 &quot;A&amp;B&quot;" in text
    assert "马鞍山 &lt;演示&gt;" in text
    assert "/data/设施&lt;1&gt;.gpkg" in text
    assert "合成演示数据" in text  # synthetic notice


def test_scorecard(zh: tuple[Path, dict]) -> None:
    text = (zh[0] / "report.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="status-(\w+)"><td>(\d+)</td><td>([^<]+)</td>'
                      r'<td class="num">([^<]+)</td><td class="num">([^<]+)</td>', text)
    assert [(r[1], r[0]) for r in rows] == [
        ("1", "pass"), ("2", "nodata"), ("3", "fail"), ("4", "nodata"), ("5", "nodata"),
        ("6", "fail"), ("7", "fail"), ("8", "nodata"), ("9", "nodata"), ("10", "nodata")]
    assert rows[0][2:] == ("社区综合服务设施覆盖率", "100", "100")
    assert rows[5][2:] == ("每百户居民拥有社区综合服务设施面积", "35", "14")
    assert rows[1][4] == "—"  # no data: no value, never a guess
    for label in ("达标", "未达标", "无数据"):
        assert f">{label}</span>" in text
    assert "maanshan-2025.toml [indicators.6]" in text
    assert "area_per_100_households (community_center)" in text
    sc = pd.read_csv(zh[0] / "scorecard.csv", encoding="utf-8-sig")
    assert list(sc.columns) == ["indicator", "name", "target", "value", "unit", "status",
                                "scope", "source"]
    assert sc["source"].iloc[9] == "maanshan-2025.toml [indicators.10]"
    assert list(sc["status"].iloc[:3]) == ["pass", "no data", "fail"]


def test_charts(zh: tuple[Path, dict]) -> None:
    text = (zh[0] / "report.html").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg .*?</svg>", text, flags=re.S)
    assert len(svgs) == 3  # coverage, urban times, rural times
    # urban elderly care, population-weighted: (4200*1 + 3000*0.6 + 2500*0.3) / 9700
    assert ">69.6%<" in svgs[0]
    assert ">97.0%<" in svgs[0]  # rural health (one village)
    assert ">养老服务站<" in svgs[0] and ">老年助餐点<" in svgs[0]
    assert "出行时间分布：城市社区15分钟便民服务圈" in text
    assert "出行时间分布：农村社区半小时便民服务圈" in text


def test_time_chart_numbers() -> None:
    prof = fx.profile()
    comm = gpd.GeoDataFrame({"cid": ["A"], "kind": ["urban"], "population": [400.0]},
                            geometry=[Point(0, 0).buffer(10)], crs=4548)
    demand = gpd.GeoDataFrame(
        {"cid": ["A"] * 4, "population": [100.0] * 4, "t_health": [5.0, 10.0, 20.0, math.nan]},
        geometry=[Point(i, 0) for i in range(4)], crs=4548)
    svg = report.time_chart(demand, comm, prof.circles["urban"], ["health"], prof, "zh")
    assert "50.0% ≤ 15分" in svg
    assert "<title>5 / 5 / 10 / 20 / 不可达</title>" in svg  # p10 p25 p50 p75 p90
    assert report.weighted_percentiles([3, 1, 2], [1, 1, 2], [0.25, 0.5, 0.75, 1.0]) == \
        [1.0, 2.0, 2.0, 3.0]
    assert report.weighted_share([1.0, 0.5, math.nan], [100, 300, 50]) == pytest.approx(0.625)


def test_tables_and_csvs(zh: tuple[Path, dict]) -> None:
    out = zh[0]
    for name in CSVS:
        assert (out / name).read_bytes().startswith(b"\xef\xbb\xbf"), name
    comm = pd.read_csv(out / "coverage_communities.csv", encoding="utf-8-sig")
    assert list(comm["cid"]) == ["C01", "C02", "C03", "C04", "C05"]
    assert comm.loc[1, "name"] == fx.SPECIAL_NAME
    assert comm.loc[2, "cov_meal_aid"] == pytest.approx(0.0)
    dist = pd.read_csv(out / "coverage_district.csv", encoding="utf-8-sig").set_index("district")
    assert dist.loc["花山区", "cov_all"] == pytest.approx(6000 / 7200)
    town = pd.read_csv(out / "coverage_township.csv", encoding="utf-8-sig")
    assert len(town) == 4
    prop = pd.read_csv(out / "proposed_sites.csv", encoding="utf-8-sig")
    assert list(prop["rank"]) == [1, 2]
    lon, lat = Transformer.from_crs(4548, 4326, always_xy=True).transform(fx.X0 + 500,
                                                                          fx.Y0 + 1300)
    assert prop.loc[0, "lon"] == pytest.approx(lon, abs=1e-6)
    assert prop.loc[0, "lat"] == pytest.approx(lat, abs=1e-6)
    assert prop.loc[0, "x"] == fx.X0 + 500
    text = (out / "report.html").read_text(encoding="utf-8")
    # community table: coverage cells coloured by class, missing services named
    assert 'style="background:#fdae61">60.0%</td>' in text
    assert "<td>养老服务站、老年助餐点</td>" in text
    # proposed sites table
    assert "<td>原雨山宾馆</td><td>养老服务站、老年助餐点</td><td>1,750</td>" \
           "<td>雨山社区 (C03)</td>" in text
    # profile, inputs, warnings, plan
    assert "[circles.urban]" in text and "电动自行车" in text and "[modes.ebike]" in text
    assert "<td>GBK</td>" in text
    assert text.count("<li>设施.gpkg 第7行") == 1
    assert "<th>模型</th><td>mclp</td>" in text


def test_markdown(zh: tuple[Path, dict]) -> None:
    md = (zh[0] / "report.md").read_text(encoding="utf-8")
    assert md.startswith("# 社区生活圈评估报告：马鞍山 &lt;演示&gt;")
    assert "| 1 | 社区综合服务设施覆盖率 | 100 | 100 | % | 达标 |" in md
    assert "&lt;script&gt;" in md and "<script>" not in md
    assert "3 个社区缺少户数 \\| households" in md  # a | cannot break the table
    assert "湖东社区 &quot;A&amp;B&quot;" not in md  # quotes stay quotes in markdown
    assert '湖东社区 "A&amp;B"' in md


@dataclasses.dataclass(frozen=True)
class _Info:  # shaped like layers.LayerInfo
    key: str
    path: Path
    rows_read: int
    fields: dict
    bounds_lonlat: tuple


def test_english_and_missing_layers(tmp_path: Path) -> None:
    layers = fx.build()
    del layers["demand"], layers["proposed_sites"]
    info = _Info("roads", Path("/d/roads.shp"), 13383, {"road_class": "DLDJ"},
                 (118.123456789, 31.5, 118.9, 31.95))
    report.build(layers, fx.profile(), tmp_path, lang="en", run_info={"project": "Test"},
                 inputs=[info])
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Table 1 indicators (2025 targets)" in text
    for label in (">pass</span>", ">fail</span>", ">no data</span>"):
        assert label in text
    assert "community service facility coverage" in text
    assert "No proposed sites" in text and "No demand points" in text
    assert "synthetic" not in text.lower()
    assert "<td>Roads (roads)</td><td>/d/roads.shp</td><td>13383</td><td>road_class=DLDJ</td>" \
        "<td>118.123, 31.5, 118.9, 31.95</td>" in text
    assert not (tmp_path / "proposed_sites.csv").exists()
    assert (tmp_path / "scorecard.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| 6 | community service facility area per 100 households | 35 | 14 | m² | fail |" \
        in md
