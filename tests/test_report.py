"""report.html / report.md / CSV tables from the fixture result layers."""

from __future__ import annotations

import dataclasses
import math
import re
from html.parser import HTMLParser
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


def _visible(html_text: str) -> str:
    """The text a reader sees (tags, styles and data URIs removed, entities decoded)."""
    import html as _html

    body = re.sub(r"<style>.*?</style>", " ", html_text, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return _html.unescape(body)


def test_summary_first(zh: tuple[Path, dict]) -> None:
    text = (zh[0] / "report.html").read_text(encoding="utf-8")
    assert re.findall(r"<h2[^>]*>([^<]+)</h2>", text)[0] == "摘要"
    items = re.search(r'<ul class="summary">(.*?)</ul>', text, flags=re.S).group(1)
    items = [re.sub(r"<[^>]+>", "", x) for x in re.findall(r"<li>(.*?)</li>", items)]
    assert items[0] == "评估范围共 5 个社区/村，常住人口 11,500 人。"
    # urban: C01 full; C02 60 %, C03 0 % -> 1 of 3; (4200 + 0.6*3000) / 9700
    assert items[1].startswith("城市社区（15 分钟生活圈）：3 个有居民的社区中 1 个")
    assert items[1].endswith("覆盖率 61.8%。")  # 61.86 %: shares are shown rounded down
    assert items[2].startswith("农村社区（30 分钟生活圈）：1 个有居民的社区中 0 个")
    assert items[3] == ("主要缺口（未覆盖人口最多的服务）：养老服务站 2,950 人（2 个社区）；"
                        "老年助餐点 2,500 人（1 个社区）；社区卫生服务站 54 人（1 个社区）。")
    # with the sites: (4200 + 3000 + 2500 + 0.97*1800) / 11500 from 7746 / 11500
    assert items[4] == "2 处建议新址新增覆盖 2,950 人；全部必需服务覆盖率 67.3% → 99.5%。"
    assert items[5] == "表1 的 10 项全域指标中 1 项达标、3 项未达标、6 项无数据。"


def test_scorecard(zh: tuple[Path, dict]) -> None:
    text = (zh[0] / "report.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="status-(\w+)"><td class="num">(\d+)</td><td>([^<]+)</td>'
                      r'<td class="num">([^<]+)</td><td class="num">([^<]+)</td>', text)
    assert [(r[1], r[0]) for r in rows] == [
        ("1", "pass"), ("2", "nodata"), ("3", "fail"), ("4", "nodata"), ("5", "nodata"),
        ("6", "fail"), ("7", "fail"), ("8", "nodata"), ("9", "nodata"), ("10", "nodata")]
    assert rows[0][2:] == ("社区综合服务设施覆盖率", "100%", "100%")
    assert rows[5][2:] == ("每百户居民拥有社区综合服务设施面积", "35 m²", "14 m²")
    assert rows[7][3:] == ("12 个", "无数据")  # no data: no value, never a guess
    for label in ("达标", "未达标", "无数据"):
        assert f">{label}</span>" in text
    assert "表1 第 6 项" in text and "maanshan-2025.toml" in text
    sc = pd.read_csv(zh[0] / "scorecard.csv", encoding="utf-8-sig")
    assert len(sc) == 10
    assert sc["来源"].iloc[9] == "maanshan-2025.toml [indicators.10]"
    assert list(sc["状态"].iloc[:3]) == ["达标", "无数据", "未达标"]


def test_no_internal_keys_or_inf(zh: tuple[Path, dict]) -> None:
    seen = _visible((zh[0] / "report.html").read_text(encoding="utf-8"))
    assert not re.search(r"indicators\.\d", seen)  # only the footnote explains the entries
    for word in ("cov_", "mclp", "facility_in_circle", "elderly_care",
                 "urban", "optimal", "inf", "nan", "NaN", "[circles", "[modes"):
        assert word not in seen, word
    assert "最大覆盖模型" in seen and "0.00%" in seen  # the model and its gap in words


def test_districts_and_appendix(zh: tuple[Path, dict]) -> None:
    text = (zh[0] / "report.html").read_text(encoding="utf-8")
    sections = re.findall(r'<section class="district"><h2 class="newpage">([^<]+)</h2>'
                          r"<p>([^<]+)</p>(.*?)</section>", text.replace("\n", ""), flags=re.S)
    assert [s[0] for s in sections] == ["当涂县", "花山区", "雨山区"]
    hua = dict((s[0], s) for s in sections)["花山区"]
    assert hua[1].startswith("2 个社区/村，人口 7,200；全部必需服务覆盖率 83.3%。")
    assert "覆盖率最低的服务：养老服务站 83.3%" in hua[1]
    assert hua[2].count('<img class="map"') == 1 and "桃源街道" in hua[2]
    # overview map + one per district, all PNG drawn from the result
    imgs = re.findall(r'<img class="map" alt="[^"]*" src="data:image/png;base64,([^"]+)"', text)
    assert len(imgs) == 4
    import base64

    assert all(base64.b64decode(x).startswith(b"\x89PNG") for x in imgs)
    appendix = text[text.index('<section class="appendix">'):]
    assert re.findall(r"<h3>([^<]+)</h3>", appendix)[:3] == ["当涂县", "花山区", "雨山区"]
    for cid in ("C01", "C02", "C03", "C04", "C05"):
        assert f"<td>{cid}</td>" in appendix


def test_charts(zh: tuple[Path, dict]) -> None:
    text = (zh[0] / "report.html").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg .*?</svg>", text, flags=re.S)
    assert len(svgs) == 3  # coverage, urban times, rural times
    # urban elderly care, population-weighted: (4200*1 + 3000*0.6 + 2500*0.3) / 9700
    assert ">69.5%<" in svgs[0]  # 69.59 %, rounded down as every share
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
    # CSVs in the run's language: labelled headers, values in words, shares in %
    comm = pd.read_csv(out / "coverage_communities.csv", encoding="utf-8-sig")
    assert list(comm["社区编号"]) == ["C01", "C02", "C03", "C04", "C05"]
    assert comm.loc[1, "名称"] == fx.SPECIAL_NAME
    assert list(comm["类型"]) == ["城市社区"] * 3 + ["农村社区", "城市社区"]
    assert comm.loc[1, "覆盖率：养老服务站 (%)"] == pytest.approx(60.0)
    assert comm.loc[2, "无人可达的服务"] == "老年助餐点"
    assert comm["全部服务覆盖率 (%)"].isna().tolist() == [False] * 4 + [True]
    raw = (out / "coverage_communities.csv").read_text(encoding="utf-8-sig")
    assert "inf" not in raw and "cov_" not in raw and "urban" not in raw
    dist = pd.read_csv(out / "coverage_district.csv", encoding="utf-8-sig").set_index("区县")
    assert dist.loc["花山区", "全部服务覆盖率 (%)"] == pytest.approx(round(100 * 6000 / 7200, 1))
    town = pd.read_csv(out / "coverage_township.csv", encoding="utf-8-sig")
    assert len(town) == 4
    prop = pd.read_csv(out / "proposed_sites.csv", encoding="utf-8-sig")
    assert list(prop["排名"]) == [1, 2]
    assert list(prop["服务类别"]) == ["养老服务站、老年助餐点", "养老服务站"]
    assert list(prop["闲置公共资产"]) == ["是", "是"]
    lon, lat = Transformer.from_crs(4548, 4326, always_xy=True).transform(fx.X0 + 500,
                                                                          fx.Y0 + 1300)
    assert prop.loc[0, "经度"] == pytest.approx(lon, abs=1e-6)
    assert prop.loc[0, "纬度"] == pytest.approx(lat, abs=1e-6)
    assert prop.loc[0, "X 坐标(米)"] == fx.X0 + 500
    text = (out / "report.html").read_text(encoding="utf-8")
    # community table: coverage cells coloured by class, missing services named
    assert 'style="background:#fdae61">60.0%</td>' in text
    assert "<td>老年助餐点</td>" in text  # C03: the service no resident reaches
    # proposed sites table
    assert "<td>原雨山宾馆</td><td>养老服务站、老年助餐点</td><td>1,750</td>" \
           "<td>雨山社区 (C03)</td>" in text
    # profile, inputs, warnings, plan
    assert "城市社区15分钟便民服务圈" in text and "电动自行车" in text
    assert "<td>GBK</td>" in text
    assert text.count("<li>设施.gpkg 第7行") == 1
    assert "<th>模型</th><td>最大覆盖模型</td>" in text


def test_markdown(zh: tuple[Path, dict]) -> None:
    md = (zh[0] / "report.md").read_text(encoding="utf-8")
    assert md.startswith("# 社区生活圈评估报告：马鞍山 &lt;演示&gt;")
    assert md.index("## 摘要") < md.index("## 概况") < md.index("## 表1")
    assert "| 1 | 社区综合服务设施覆盖率 | 100% | 100% | 达标 |" in md
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
    assert "<td>Roads</td><td>/d/roads.shp</td><td>13383</td><td>road_class=DLDJ</td>" \
        "<td>118.123, 31.5, 118.9, 31.95</td>" in text
    assert not (tmp_path / "proposed_sites.csv").exists()
    assert (tmp_path / "scorecard.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| 6 | community service facility area per 100 households | 35 m² | 14 m² | fail |" \
        in md


CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def _data_values(layers: dict) -> set[str]:
    """Text values that come from the data (names), which stay as written in any language."""
    out: set[str] = set()
    for key, frame in layers.items():
        if key == "scorecard":  # indicator names come from the profile, in the run's language
            continue
        for col in ("name", "district", "township"):
            if col in getattr(frame, "columns", []):
                out |= {str(v) for v in frame[col].dropna()}
    return out


def test_one_language_per_run(zh: tuple[Path, dict], tmp_path: Path) -> None:
    layers = fx.build()
    report.build(layers, fx.profile(), tmp_path, lang="en", inputs=INPUTS,
                 plan_summary={"model": "mclp", "sites": 2, "gap": 0.0},
                 run_info={"project": "Test"})
    values = sorted(_data_values(layers) | {"/data/社区.shp", "/data/设施<1>.gpkg"},
                    key=len, reverse=True)
    # English run: once the data values are removed, no Chinese is left (report and CSVs)
    texts = [_visible((tmp_path / "report.html").read_text(encoding="utf-8"))]
    for p in sorted(tmp_path.glob("*.csv")):
        frame = pd.read_csv(p, encoding="utf-8-sig", dtype=str).fillna("")
        texts.append("\n".join([",".join(frame.columns)]
                               + ["\n".join(frame[c]) for c in frame.columns]))
    for text in texts:
        text = "\n".join("" if line in values else line for line in text.split("\n"))
        for v in values:
            text = text.replace(v, "")
        assert not CJK.search(text), CJK.findall(text)[:20]
    # Chinese run: no English sentence (words of the English catalogue) in what is read
    zh_text = _visible((zh[0] / "report.html").read_text(encoding="utf-8"))
    zh_text = re.sub(r"[\w.-]+\.(csv|toml|gpkg|shp)", "", zh_text)  # file names
    for v in values:
        zh_text = zh_text.replace(v, "")
    for phrase in ("no data", "covered", "population", "communities", "proposed", "Table",
                   "pass", "fail", "the ", " of "):
        assert phrase not in zh_text, phrase


# ----------------------------------------------------------------------------- one document
class _Tables(HTMLParser):
    """Cell texts of every HTML table, and the visible text outside and inside charts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[str]] = []
        self.depth = 0
        self.cell: list[str] | None = None
        self.svg = 0
        self.style = False
        self.text: list[str] = []
        self.chart_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag in ("td", "th") and self.tables:
            self.cell = []
        elif tag == "svg":
            self.svg += 1
        elif tag == "style":
            self.style = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "svg":
            self.svg -= 1
        elif tag == "style":
            self.style = False

    def handle_data(self, data: str) -> None:
        if self.style:
            return
        if self.cell is not None:
            self.cell.append(data)
        (self.chart_text if self.svg else self.text).append(data)


def _md_tables(md: str) -> list[list[str]]:
    out: list[list[str]] = []
    prev = False
    for line in md.split("\n"):
        if line.startswith("|"):
            if not prev:
                out.append([])
            if not re.fullmatch(r"\|(---\|)+", line):
                cells = re.split(r"(?<!\\)\|", line)[1:-1]
                out[-1] += [_md_plain(c.strip()) for c in cells]
        prev = line.startswith("|")
    return out


def _md_plain(text: str) -> str:
    import html as _html

    return _html.unescape(re.sub(r"\\(.)", r"\1", text))


NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?%?")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_and_markdown_carry_the_same_content(lang: str, tmp_path: Path) -> None:
    """report.html and report.md are two renderings of one document: the same headings in
    the same order, every HTML table in the Markdown cell for cell, and no number in one
    that the other lacks (charts are tables of their numbers in Markdown)."""
    import html as _html

    report.build(fx.build(), fx.profile(), tmp_path, lang=lang, inputs=INPUTS,
                 warnings=WARNINGS, plan_summary={"model": "mclp", "sites": 2, "gap": 0.0},
                 run_info={"project": "马鞍山 <演示>", "synthetic": True, "seconds": 3.2})
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    # headings, level and text, in order
    h_html = [(int(lv), _html.unescape(re.sub(r"<[^>]+>", "", t)))
              for lv, t in re.findall(r"<h([1-3])[^>]*>(.*?)</h\1>", page, flags=re.S)]
    h_md = [(len(m.group(1)), _md_plain(m.group(2)))
            for m in re.finditer(r"^(#{1,3}) (.*)$", md, flags=re.M)]
    assert h_html == h_md
    assert len(h_html) > 20
    # every HTML table is in the Markdown, in order (key-value tables get a header there)
    parsed = _Tables()
    parsed.feed(page)
    md_tables = _md_tables(md)
    i = 0
    for table in parsed.tables:
        while i < len(md_tables) and table not in (md_tables[i], md_tables[i][2:]):
            i += 1
        assert i < len(md_tables), table[:8]
        i += 1
    assert len(parsed.tables) >= 10
    # numbers: the text outside charts equals the Markdown's; chart numbers are in both
    stamp = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")
    text = stamp.sub("", " ".join(parsed.text))
    chart = " ".join(parsed.chart_text)
    md_numbers = set(NUMBER.findall(stamp.sub("", re.sub(r"\bP\d+\b", "", md))))
    assert set(NUMBER.findall(text)) <= md_numbers
    assert md_numbers <= set(NUMBER.findall(text + " " + chart))
    assert "69.5%" in md_numbers and "69.5%" in chart  # a chart's number, as a table cell


def test_plan_and_run_tables_take_their_labels_from_the_catalogue(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Titles, column heads and reasons of the plan tables, and the run/input/plan facts,
    are catalogue entries (no table of its own in the report module)."""
    from lifecircle import i18n

    keys = ("report.plantable.unreached", "report.plancol.reason", "report.plancol.points",
            "plan.reason.off-network", "report.runinfo.project", "report.input.path",
            "report.planinfo.model")
    for k in keys:
        monkeypatch.setitem(i18n.TEXT, k, (f"甲{k}乙", f"A{k}B"))
    unreached = pd.DataFrame({"category": ["elderly_care"], "reason": ["off-network"],
                              "population": [12.0], "points": [3]})
    for lang in ("zh", "en"):
        out = tmp_path / lang
        report.build(fx.build(), fx.profile(), out, lang=lang, inputs=INPUTS,
                     plan_summary={"model": "mclp", "unreached": unreached},
                     run_info={"project": "P"})
        text = (out / "report.html").read_text(encoding="utf-8")
        for k in keys:
            assert (f"甲{k}乙" if lang == "zh" else f"A{k}B") in text, (lang, k)


def test_static_map_is_drawn_once_off_pyplot(monkeypatch: pytest.MonkeyPatch) -> None:
    # the map is drawn on a figure of its own whose canvas skips GeoPandas' idle redraws:
    # the picture is pixel for pixel the one an ordinary Agg canvas (redrawing after every
    # plotted layer) gives, and pyplot's figures are left alone
    import io

    import matplotlib
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    layers = fx.build()
    comm = layers["communities"]
    kw = {"gaps": layers["gaps"], "sites": layers["proposed_sites"]}
    open_before = plt.get_fignums()
    draws: list[int] = []
    draw = Figure.draw

    def counted(self: Figure, renderer: object) -> None:
        draws.append(1)
        draw(self, renderer)

    monkeypatch.setattr(Figure, "draw", counted)
    once = report.static_map(comm, **kw)
    assert plt.get_fignums() == open_before
    assert len(draws) == 1  # by savefig only
    monkeypatch.setattr(report, "_draw_once_canvas", lambda: FigureCanvasAgg)
    ordinary = report.static_map(comm, **kw)
    assert len(draws) > 2  # the ordinary canvas: once more after each plotted layer
    a = np.asarray(Image.open(io.BytesIO(once)))
    b = np.asarray(Image.open(io.BytesIO(ordinary)))
    assert a.shape[1] == round(report.MAP_WIDTH_IN * report.MAP_DPI)
    assert np.array_equal(a, b)


def test_localise_table_numbers() -> None:
    # shares in percent (inf and text that is no number: empty), counts as whole numbers,
    # other floats rounded, integers kept
    df = pd.DataFrame({"cov_all": [0.5, float("inf"), float("nan")],
                       "share_x": pd.Series(["0.25", "x", None], dtype=object),
                       "population": [1.4, 2.6, float("-inf")],
                       "access_m": [1.26, float("inf"), 3.0],
                       "n": [1, 2, 3]})
    out = report.localise_table(df, "communities", None, "en")
    cols = list(out.columns)
    assert out[cols[0]].tolist()[0] == 50.0 and out[cols[0]].isna().tolist() == [False, True,
                                                                                 True]
    assert out[cols[1]].tolist()[0] == 25.0 and out[cols[1]].isna().tolist() == [False, True,
                                                                                 True]
    assert str(out[cols[2]].dtype) == "Int64"
    assert out[cols[2]].tolist()[:2] == [1, 3] and out[cols[2]].isna().tolist()[2]
    assert out[cols[3]].tolist()[0] == 1.3 and out[cols[3]].isna().tolist() == [False, True,
                                                                                False]
    assert out[cols[4]].tolist() == [1, 2, 3] and out[cols[4]].dtype == "int64"
    assert df["cov_all"].tolist()[1] == float("inf")  # the input is left as it was
