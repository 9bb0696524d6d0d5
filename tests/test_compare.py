"""`lifecircle compare`: two result GeoPackages written through GDAL, hand-computed deltas."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from shapely.geometry import box

from lifecircle.cli import main
from lifecircle.outputs.compare import compare

UTM = "EPSG:32650"


def result(folder: Path, cov: dict[str, float], *, profile: str = "maanshan-2025",
           value1: float = 80.0, gap_pop: float = 100.0, profile_file: str = "") -> Path:
    folder.mkdir(parents=True)
    cids = list(cov)
    comm = gpd.GeoDataFrame(
        {"cid": cids, "name": [f"社区{c}" for c in cids], "kind": ["urban"] * len(cids),
         "district": ["D1" if c in ("a", "b") else "D2" for c in cids], "township": "T",
         "population": [100.0 if c != "b" else 300.0 for c in cids],
         "cov_all": [cov[c] for c in cids], "cov_health": [cov[c] for c in cids],
         "n_missing": [0 if cov[c] == 1 else 1 for c in cids]},
        geometry=[box(i, 0, i + 1, 1) for i in range(len(cids))], crs=UTM)
    path = folder / "lifecircle.gpkg"
    pyogrio.write_dataframe(comm, path, layer="communities")
    pyogrio.write_dataframe(pd.DataFrame({
        "indicator": ["1", "1"], "name": ["覆盖率", "覆盖率"], "target": [100.0, 100.0],
        "value": [value1, 50.0], "unit": ["%", "%"], "status": ["fail", "fail"],
        "scope": ["all", "a"], "year": [2025, 2025]}), path, layer="scorecard")
    pyogrio.write_dataframe(gpd.GeoDataFrame(
        {"category": ["health"], "circle": ["urban"], "population": [gap_pop]},
        geometry=[box(0, 0, 1, 1)], crs=UTM), path, layer="gaps")
    info = {"profile": profile, **({"profile_file": profile_file} if profile_file else {})}
    pyogrio.write_dataframe(pd.DataFrame({"key": list(info), "value": list(info.values())}),
                            path, layer="run_info")
    return folder


def test_deltas_per_community_district_scorecard_and_gaps(tmp_path: Path) -> None:
    a = result(tmp_path / "2024", {"a": 0.5, "b": 0.2, "c": 1.0})
    b = result(tmp_path / "2025", {"a": 0.7, "b": 0.6, "c": 1.0, "d": 0.0}, value1=90.0,
               gap_pop=40.0)
    c = compare(a, b)
    comm = pd.DataFrame(c.communities).set_index("cid")
    assert comm.loc["a", "d_cov_all"] == pytest.approx(0.2)
    assert comm.loc["b", "d_cov_health"] == pytest.approx(0.4)
    assert comm.loc["d", "status"] == "only_b"
    assert pd.isna(comm.loc["d", "d_cov_all"])
    assert comm.loc["a", "d_n_missing"] == 0
    # D1 = a (100 residents) + b (300): 2024 (50 + 60) / 400, 2025 (70 + 180) / 400
    d = c.districts.set_index("district")
    assert d.loc["D1", "cov_all_a"] == pytest.approx(110 / 400)
    assert d.loc["D1", "d_cov_all"] == pytest.approx(140 / 400)
    # D2 = c (2024) vs c + d (2025): 1.0 -> (100 + 0) / 200
    assert d.loc["D2", "d_cov_all"] == pytest.approx(-0.5)
    s = c.scorecard.set_index("indicator")
    assert s.loc["1", "delta"] == pytest.approx(10.0)
    assert len(c.scorecard) == 1  # whole-area rows only
    g = c.gaps.set_index(["category", "circle"])
    assert g.loc[("health", "urban"), "d_population"] == pytest.approx(-60.0)


def test_cli_writes_the_folder_and_refuses_mixed_profiles(tmp_path: Path) -> None:
    a = result(tmp_path / "A", {"a": 0.5, "b": 0.2})
    b = result(tmp_path / "B", {"a": 0.9, "b": 0.2})
    other = result(tmp_path / "G", {"a": 0.9, "b": 0.2}, profile="gb50180-2018")
    out = tmp_path / "change"
    r = CliRunner().invoke(main, ["--lang", "en", "compare", str(a), str(b), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert {"compare.gpkg", "compare.html", "compare.md", "compare_communities.csv",
            "compare_districts.csv", "compare_scorecard.csv", "compare_gaps.csv"} <= {
        p.name for p in out.iterdir()}
    back = gpd.read_file(out / "compare.gpkg", layer="communities")
    assert back.set_index("cid").loc["a", "d_cov_all"] == pytest.approx(0.4)
    assert "D1: covered for all services" in r.output
    # different profiles: exit 2, one line naming both, nothing written
    bad = tmp_path / "bad"
    r = CliRunner().invoke(main, ["--lang", "en", "compare", str(a), str(other), "-o",
                                  str(bad)])
    assert r.exit_code == 2
    assert "'maanshan-2025'" in r.output and "'gb50180-2018'" in r.output
    assert "fix:" in r.output and len(r.output.strip().splitlines()) == 1
    assert not bad.exists()
    # another region: too few communities in common
    far = result(tmp_path / "X", {"x": 1.0, "y": 1.0, "z": 1.0})
    # (Chinese by default, English with --lang en)
    for opt, text in (([], "不是同一地区"), (["--lang", "en"], "not the same region")):
        r = CliRunner().invoke(main, [*opt, "compare", str(a), str(far), "-o", str(bad)])
        assert r.exit_code == 2 and text in r.output
        assert not bad.exists()
    # not a result folder
    for opt, text in (([], "其中没有 lifecircle.gpkg"), (["--lang", "en"], "no lifecircle.gpkg")):
        r = CliRunner().invoke(main, [*opt, "compare", str(tmp_path), str(b), "-o", str(bad)])
        assert r.exit_code == 2 and text in r.output
        assert not bad.exists()


def test_page_is_one_document_in_html_and_markdown(tmp_path: Path) -> None:
    """compare.html and compare.md render one document: the same headings and cells, data
    text escaped in both (a name cannot inject markup or break a Markdown table)."""
    import html as _html
    import re

    from lifecircle.outputs.compare import document, write

    a = result(tmp_path / "A", {"a": 0.5, "b": 0.2})
    b = result(tmp_path / "B", {"a": 0.9, "b": 0.2})
    c = compare(a, b)
    out = tmp_path / "change"
    write(c, out, lang="en", names=("<2024>", "2025 | *new*"))
    page = (out / "compare.html").read_text(encoding="utf-8")
    md = (out / "compare.md").read_text(encoding="utf-8")
    assert "<2024>" not in page and "&lt;2024&gt;" in page
    assert "<2024>" not in md and "2025 \\| \\*new\\*" in md
    heads = [_html.unescape(t) for t in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", page)]
    md_heads = [re.sub(r"\\(.)", r"\1", _html.unescape(m))
                for m in re.findall(r"^#{1,2} (.*)$", md, flags=re.M)]
    assert heads == md_heads and len(heads) == 5  # title + districts, Table 1, gaps, communities
    cells = {_html.unescape(t) for t in re.findall(r"<td>(.*?)</td>", page)}
    # D1: (50 + 60) / 400 -> (90 + 60) / 400
    assert {"D1", "27.5%", "37.5%", "+10.0", "社区a"} <= cells
    for cell in cells:
        assert re.sub(r"([|*_\\`\[\]])", r"\\\1", _html.escape(cell, quote=False)) in md, cell
    from lifecircle.outputs.document import tables

    assert len(tables(document(c, "en"))) == 4


def test_csvs_in_the_run_language_rounded(tmp_path: Path) -> None:
    """The compare CSVs go through the result folder's CSV mechanism: labelled headers
    (with the two results' names), coded values in words, percentages, no nan/inf."""
    a = result(tmp_path / "2024", {"a": 0.5, "b": 0.2, "c": 1.0})
    b = result(tmp_path / "2025", {"a": 0.7, "b": 0.6, "c": 1.0, "d": 0.0}, value1=90.0,
               gap_pop=40.0)
    for lang in ("zh", "en"):
        out = tmp_path / f"change-{lang}"
        r = CliRunner().invoke(main, ["--lang", lang, "compare", str(a), str(b), "-o",
                                      str(out)])
        assert r.exit_code == 0, r.output
        def read(name: str, out: Path = out) -> pd.DataFrame:
            return pd.read_csv(out / name, encoding="utf-8-sig", dtype=str).fillna("")

        comm, dist = read("compare_communities.csv"), read("compare_districts.csv")
        score, gaps = read("compare_scorecard.csv"), read("compare_gaps.csv")
        zh = lang == "zh"
        cov = "全部服务覆盖率 (%)" if zh else "covered for all services (%)"
        change = "变化" if zh else "change"
        # a change of a share is in percentage points
        d_cov = ("全部服务覆盖率变化（百分点）" if zh
                 else "covered for all services: change (percentage points)")
        assert list(comm.columns[:6]) == (
            ["社区编号", "名称", "类型", "区县", "乡镇街道", "状态"] if zh else
            ["community id", "name", "type", "district", "township", "status"])
        assert [f"{cov} 2024", f"{cov} 2025", d_cov] == list(comm.columns[6:9])
        row = comm.set_index(comm.columns[0])
        assert row.loc["a", d_cov] == "20.0"     # 0.5 -> 0.7: 20 points
        assert row.loc["d", f"{cov} 2024"] == ""             # only in 2025: empty, not nan
        assert row.loc["d", comm.columns[5]] == ("仅后一次有" if zh else "only in the later result")
        assert row.loc["a", comm.columns[2]] == ("城市社区" if zh else "urban community")
        d1 = dist.set_index(dist.columns[0]).loc["D1"]
        assert d1[f"{cov} 2024"] == "27.5" and d1[d_cov] == "35.0"  # 110/400
        assert list(score.iloc[0][-2:]) == (["未达标", "未达标"] if zh else ["fail", "fail"])
        assert score.iloc[0][change] == "10.0"
        assert list(gaps.iloc[0]) == (["社区卫生服务站", "城市生活圈", "100", "40", "-60"] if zh
                                      else ["community health station", "urban circle", "100",
                                            "40", "-60"])
        cells = {c for f in (comm, dist, score, gaps) for col in f.columns for c in f[col]}
        if zh:  # no raw code (in English some labels are the code itself)
            assert not cells & {"urban", "only_b", "both", "fail", "health"}
        assert not {"nan", "inf", "-inf"} & cells


def test_page_names_categories_and_circles_and_says_percentage_points(tmp_path: Path) -> None:
    """The gaps table of compare.html/.md shows the categories' and circles' names in the
    run's language, and a change of a share is headed in percentage points."""
    import html as _html
    import re

    from lifecircle.outputs.compare import write

    c = compare(result(tmp_path / "A", {"a": 0.5, "b": 0.2}),
                result(tmp_path / "B", {"a": 0.9, "b": 0.2}, gap_pop=40.0))
    for lang, names, pp in (("zh", ["社区卫生服务站", "城市生活圈"], "百分点"),
                            ("en", ["community health station", "urban circle"],
                             "percentage points")):
        write(c, tmp_path / lang, lang=lang)
        page = (tmp_path / lang / "compare.html").read_text(encoding="utf-8")
        cells = [_html.unescape(t) for t in re.findall(r"<td>(.*?)</td>", page)]
        heads = [_html.unescape(t) for t in re.findall(r"<th>(.*?)</th>", page)]
        i = cells.index(names[0])
        assert cells[i:i + 5] == [*names, "100.0", "40.0", "-60.0"]
        assert "health" not in cells and "urban" not in cells
        assert sum(pp in h for h in heads) == 2 and not any("(%)" in h for h in heads)
        md = (tmp_path / lang / "compare.md").read_text(encoding="utf-8")
        assert f"| {names[0]} | {names[1]} |" in md


def _custom_profile(folder: Path) -> Path:
    """The shipped profile under another key, with the health station renamed."""
    from lifecircle.profile import PROFILES_DIR

    text = (PROFILES_DIR / "maanshan-2025.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^key = "maanshan-2025"', 'key = "ours"', text, count=1)
    assert "社区卫生服务站" in text and 'key = "ours"' in text
    path = folder / "ours.toml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace("社区卫生服务站", "卫生服务点"), encoding="utf-8")
    return path


def test_a_custom_profile_is_reloaded_from_its_file(tmp_path: Path) -> None:
    prof = _custom_profile(tmp_path / "profiles")
    a = result(tmp_path / "A", {"a": 0.5, "b": 0.2}, profile="ours", profile_file=str(prof))
    b = result(tmp_path / "B", {"a": 0.9, "b": 0.2}, profile="ours", profile_file=str(prof))
    r = CliRunner().invoke(main, ["compare", str(a), str(b), "-o", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    gaps = pd.read_csv(tmp_path / "out" / "compare_gaps.csv", encoding="utf-8-sig", dtype=str)
    assert gaps.iloc[0, 0] == "卫生服务点"  # the custom name, not the key or the shipped name
    # the file gone: one line naming it and the fix, in the run's language; nothing written
    prof.unlink()
    for lang, fix in (("zh", "修正："), ("en", "fix: ")):
        out = tmp_path / f"gone-{lang}"
        r = CliRunner().invoke(main, ["--lang", lang, "compare", str(a), str(b), "-o",
                                      str(out)])
        assert r.exit_code == 2, r.output
        assert len(r.output.strip().splitlines()) == 1, r.output
        assert str(prof) in r.output and fix in r.output and "'ours'" in r.output
        assert not out.exists()
