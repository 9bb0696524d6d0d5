"""The command line end to end on the shipped demo: the same code path a user's files take."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import rasterio

from lifecircle.data.synthetic import generate

DEMO = Path(__file__).parents[1] / "lifecircle" / "data" / "demo"
CLI = [sys.executable, "-m", "lifecircle.cli"]


def _process(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI in a real subprocess (kept for the demo run: the installed entry point)."""
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=600)


def _cli(*args: str | Path, env: dict[str, str | None] | None = None
         ) -> subprocess.CompletedProcess[str]:
    """The CLI in-process through click's CliRunner (same ``main``, exit code, streams);
    ``env``: variables to set (a string) or unset (None) while it runs."""
    from click.testing import CliRunner

    from lifecircle.cli import main

    res = CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "200", **(env or {})})
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return subprocess.CompletedProcess(list(map(str, args)), res.exit_code, res.stdout,
                                       res.stderr)


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def demo_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str], dict[str, str]]:
    before = _hashes(DEMO)
    out = tmp_path_factory.mktemp("demo") / "result"
    proc = _process("demo", "-o", out)
    return out, proc, before


@pytest.fixture
def small(small_region: Path) -> Path:
    """The small generated region (seed 7, scale 0.1; read-only, tests/conftest.py): for the
    commands whose checks do not depend on the region's size."""
    return small_region


def test_demo_writes_every_output(demo_run) -> None:
    out, proc, before = demo_run
    assert proc.returncode == 0, proc.stderr
    names = {p.name for p in out.iterdir()}
    assert {"lifecircle.gpkg", "map.html", "report.html", "report.md", "scorecard.csv",
            "coverage_communities.csv", "proposed_sites.csv",
            "traveltime_elderly_care.tif"} <= names
    layers = {name for name, _ in pyogrio.list_layers(out / "lifecircle.gpkg")}
    assert {"communities", "facilities", "demand", "service_areas", "gaps", "candidates",
            "proposed_sites", "summary_district", "summary_township", "scorecard"} <= layers
    # geometries are simplified for display: the map stays small enough to e-mail
    assert (out / "map.html").stat().st_size < 8e6
    # inputs are never modified
    assert _hashes(DEMO) == before
    # nothing left beside the result folder
    assert [p.name for p in out.parent.iterdir()] == ["result"]


def test_demo_summary_reports_coverage_per_category(demo_run) -> None:
    _, proc, _ = demo_run
    text = proc.stdout
    assert "合成" in text  # the demo says it is synthetic
    for name in ("社区综合服务设施", "养老服务站", "老年助餐点", "社区卫生服务站", "菜市场"):
        assert name in text
    assert "城市覆盖率" in text and "农村覆盖率" in text
    assert "建议新址" in text and "新址 1" in text


def test_demo_gaps_are_where_the_generator_put_them(demo_run) -> None:
    out, _, _ = demo_run
    region = generate(seed=2025, scale=1.0)
    comm = pyogrio.read_dataframe(out / "lifecircle.gpkg", layer="communities")
    cov = comm.set_index("cid")
    for category, cids in region.gaps.items():
        assert cids, category
        shares = cov.loc[cids, f"cov_{category}"]
        assert (shares == 0).all(), (category, shares[shares != 0])
        assert cov.loc[cids, "missing"].str.contains(category).all()
    # elsewhere the category is mostly available
    other = cov.drop(index=region.gaps["elderly_care"])
    assert np.nanmean(other["cov_elderly_care"]) > 0.5


def test_demo_travel_time_raster(demo_run) -> None:
    out, _, _ = demo_run
    with rasterio.open(out / "traveltime_elderly_care.tif") as ds:
        assert ds.crs.to_epsg() == 4548
        arr = ds.read(1)
        valid = arr[arr != ds.nodata]
    assert valid.size > 1000
    assert valid.min() >= 0 and np.median(valid) < 30


def test_proposed_sites_rank_by_gain(demo_run) -> None:
    out, _, _ = demo_run
    sites = pyogrio.read_dataframe(out / "lifecircle.gpkg", layer="proposed_sites")
    assert list(sites["rank"]) == list(range(1, len(sites) + 1))
    assert len(sites) == 5
    assert (np.diff(sites["new_population"].to_numpy()) <= 1e-9).all()


def test_existing_result_needs_overwrite(demo_run) -> None:
    out, _, _ = demo_run
    before = _hashes(out)
    proc = _cli("demo", "-o", out)
    assert proc.returncode == 2
    assert "--overwrite" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _hashes(out) == before


def test_inspect_names_the_detected_encoding() -> None:
    proc = _cli("inspect", DEMO / "communities.shp")
    assert proc.returncode == 0, proc.stderr
    assert "gbk" in proc.stdout.lower() or "gb18030" in proc.stdout.lower()
    assert "社区" in proc.stdout  # decoded names, not mojibake
    en = _cli("--lang", "en", "inspect", DEMO / "communities.shp")
    assert en.returncode == 0 and "encoding" in en.stdout.lower()


def test_init_writes_a_loadable_project(tmp_path: Path) -> None:
    out = tmp_path / "project.toml"
    files = [DEMO / n for n in ("communities.shp", "facilities.gpkg", "roads.shp",
                                "population.tif")]
    proc = _cli("init", *files, "-o", out)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert "[layers.communities]" in text and "[layers.roads]" in text
    again = _cli("init", *files, "-o", out)
    assert again.returncode == 2 and "--overwrite" in again.stderr


def test_check_in_english_writes_tables_only(small: Path, tmp_path: Path) -> None:
    """A real process: --quiet leaves nothing on stdout or stderr, not even a C library's
    message written straight to the file descriptor."""
    out = tmp_path / "check"
    proc = _process("--quiet", "--lang", "en", "check", small, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""
    names = {p.name for p in out.iterdir()}
    assert "lifecircle.gpkg" in names and "scorecard.csv" in names
    assert "map.html" not in names


def test_plan_joint_siting_full_coverage(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    # a Chinese category name works wherever a key does
    proc = _cli("--lang", "en", "plan", small, "--category", "elderly_care",
                "--category", "老年助餐点", "--full-coverage", "--time-limit", "30", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "site 1" in proc.stdout
    sites = pyogrio.read_dataframe(out / "lifecircle.gpkg", layer="proposed_sites")
    assert len(sites) >= 1
    assert sites["categories"].str.contains("elderly_care").all()
    assert sites["categories"].str.contains("meal_aid").all()


def test_unknown_category_is_a_clear_error(tmp_path: Path) -> None:
    proc = _cli("plan", DEMO / "project.toml", "--category", "elderly", "-o", tmp_path / "x")
    assert proc.returncode == 2
    assert "elderly_care" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x").exists()


def test_project_lang_is_honoured_unless_lang_is_given(tmp_path: Path) -> None:
    text = (DEMO / "project.toml").read_text(encoding="utf-8")
    text = text.replace('lang = "zh"', 'lang = "en"')
    for name in ("communities.shp", "facilities.gpkg", "roads.shp", "population.tif",
                 "candidates.gpkg"):
        text = text.replace(f'path = "{name}"', f'path = "{(DEMO / name).as_posix()}"')
    project = tmp_path / "project.toml"
    project.write_text(text, encoding="utf-8")
    # in-process, without LIFECIRCLE_LANG (the language is chosen per invocation: nothing
    # carries over from one run to the next; the Chinese run goes first so a language left
    # over from it could not pass the English check)
    plan = ["plan", project, "--category", "elderly", "-o", tmp_path / "x"]
    proc = _cli("--lang", "zh", *plan, env={"LIFECIRCLE_LANG": None})
    assert proc.returncode == 2 and proc.stderr.startswith("错误"), proc.stderr
    proc = _cli(*plan, env={"LIFECIRCLE_LANG": None})
    assert proc.returncode == 2 and proc.stderr.startswith("error:"), proc.stderr
    assert not (tmp_path / "x").exists()


def test_profile_list_show_export(tmp_path: Path) -> None:
    listed = _cli("--lang", "en", "profile", "list")
    assert listed.returncode == 0
    assert any(line.startswith("maanshan-2025  Ma'an") for line in listed.stdout.splitlines())
    shown = _cli("profile", "show", "maanshan-2025")
    assert shown.returncode == 0
    # every name a layer may use, listed with the run's list separator
    assert "elderly_care: 养老服务站、elderly-care station、养老服务中心" in shown.stdout
    shown_en = _cli("--lang", "en", "profile", "show", "maanshan-2025")
    assert "elderly_care: 养老服务站, elderly-care station, 养老服务中心" in shown_en.stdout
    out = tmp_path / "my.toml"
    assert _cli("profile", "export", "maanshan-2025", "-o", out).returncode == 0
    shipped = DEMO.parents[1] / "data" / "profiles" / "maanshan-2025.toml"
    assert out.read_bytes() == shipped.read_bytes()  # with its comments
    again = _cli("profile", "export", "maanshan-2025", "-o", out)
    assert again.returncode == 2 and "--overwrite" in again.stderr
    missing = _cli("profile", "show", "maanshan-2099")
    assert missing.returncode == 2 and "maanshan-2025" in missing.stderr


def test_check_service_areas_on_request_and_jobs(small: Path, tmp_path: Path) -> None:
    project = small
    out = tmp_path / "areas"
    proc = _cli("--quiet", "--lang", "en", "check", project, "--jobs", "2", "--service-areas",
                "-o", out)
    assert proc.returncode == 0, proc.stderr
    layers = {name for name, _ in pyogrio.list_layers(out / "lifecircle.gpkg")}
    assert "service_areas" in layers and "gaps" in layers
    assert pyogrio.read_info(out / "lifecircle.gpkg", layer="service_areas")["features"] > 0
    bad = _cli("--lang", "en", "check", project, "--jobs", "0", "-o", tmp_path / "x")
    assert bad.returncode == 2 and "--jobs" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "x").exists()


def test_inspect_reads_the_projects_profile(tmp_path: Path) -> None:
    """A category of one's own profile is known to ``inspect --profile <project file>``."""
    (tmp_path / "pumps.toml").write_text(
        '[circles.urban]\nminutes = 3\nmode = "walk"\n[modes.walk]\nspeed_kmh = 4.0\n'
        'pedestrian = true\noneway = false\nposted_speeds = false\n'
        '[categories.pump]\nname_zh = "水泵"\ncircles = ["urban"]\n', encoding="utf-8")
    (tmp_path / "project.toml").write_text(
        '[project]\nprofile = "pumps.toml"\n[layers.communities]\npath = "pumps.csv"\n'
        '[layers.facilities]\npath = "pumps.csv"\n[layers.roads]\npath = "pumps.csv"\n',
        encoding="utf-8")
    (tmp_path / "pumps.csv").write_text("名称,类型,lon,lat\nBroad St,水泵,-0.1367,51.5133\n",
                                        encoding="utf-8")
    shipped = _cli("--lang", "en", "inspect", tmp_path / "pumps.csv")
    own = _cli("--lang", "en", "inspect", tmp_path / "pumps.csv", "--profile",
               tmp_path / "project.toml")
    assert shipped.returncode == own.returncode == 0, own.stderr
    assert "unknown category" in shipped.stdout and "'水泵'" in shipped.stdout
    assert "unknown category" not in own.stdout and "-> category" in own.stdout


CJK = re.compile(r"[\u3400-\u9fff]")


def test_help_and_usage_errors_in_one_language() -> None:
    """zh (the default): --help and click's usage errors in Chinese; en: in English."""
    from click.testing import CliRunner

    from lifecircle.cli import main

    runner = CliRunner()
    for args in (["--help"], ["run", "--help"], ["plan", "--help"]):
        text = runner.invoke(main, args).output
        for english in ("Usage:", "Options", "Show this message", "Result folder to write",
                        "Example:", "Language of messages"):
            assert english not in text, (args, english)
        assert "用法" in text and "选项" in text
    bad = runner.invoke(main, ["run", "--bogus"])
    assert bad.exit_code == 2
    assert "错误：没有选项 '--bogus'" in bad.output and "Error" not in bad.output
    missing = runner.invoke(main, ["run"])
    assert missing.exit_code == 2 and "缺少参数" in missing.output
    # English with --lang en: nothing Chinese in the help of run, errors in English
    text = runner.invoke(main, ["--lang", "en", "run", "--help"]).output
    assert "Usage:" in text
    assert not CJK.search(text.replace("养老服务站", "")), text  # an example value aside
    bad = runner.invoke(main, ["--lang", "en", "run", "--bogus"])
    assert bad.exit_code == 2 and "No such option" in bad.output
    # and back to Chinese in the same process
    assert "用法" in runner.invoke(main, ["--help"]).output


SECTION_CSVS = {"scenarios": "scenarios.csv", "proposed_capacity": "proposed_capacity.csv",
                "target_groups": "target_groups.csv", "facility_load": "facility_load.csv",
                "equity": "equity.csv"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _codes(profile) -> set[str]:
    """Raw codes a planner should never read in a CSV cell (keys, enums, methods)."""
    return ({"urban", "rural", "existing", "planned", "proposed", "all", "district", "pass",
             "fail", "no data", "info", "population", "elderly", "children", "walk",
             "walk_elderly", "ebike", "candidate", "planner", "profile", "none", "True",
             "False", "inf", "-inf", "nan", "gini_coverage", "theil_coverage",
             "urban_rural_gap", "gini_time", "theil_time"}
            | set(profile.categories))


def test_section_csvs_in_the_run_language_rounded_like_the_gpkg(demo_run, tmp_path) -> None:
    """Section CSVs (and the scorecard) read like the report: zh in the demo run, en when
    written again in English from the run's GeoPackage; numbers equal the GeoPackage's."""
    import geopandas as gpd
    import pandas as pd

    from lifecircle.outputs import report
    from lifecircle.project import load_profile

    out = demo_run[0]
    prof = load_profile()
    gpkg = out / "lifecircle.gpkg"
    layers = {n: gpd.read_file(gpkg, layer=n) for n, _ in pyogrio.list_layers(gpkg)}
    report.write_tables(layers, prof, tmp_path, lang="en")
    codes = _codes(prof)
    for lang, folder in (("zh", out), ("en", tmp_path)):
        for key, fname in [*SECTION_CSVS.items(), ("scorecard", "scorecard.csv")]:
            frame = pd.read_csv(folder / fname, encoding="utf-8-sig", dtype=str).fillna("")
            src = layers[key] if key != "facility_load" else layers["facilities"]
            assert len(frame), (lang, fname)
            if key not in ("facility_load", "scorecard"):  # same columns and rows, in order
                assert len(frame.columns) == len(src.columns) and len(frame) == len(src)
            for h in frame.columns:
                assert bool(CJK.search(h)) == (lang == "zh"), (lang, fname, h)
            # data values aside (ids, names, districts, notes naming them)
            data = {report.i18n.field_label(c, prof, lang) for c in (
                "indicator", "name", "district", "note", "scope")}
            cells = {c for col in frame.columns if col not in data for c in frame[col]}
            if lang == "zh":  # no code left (in English some labels are the code itself)
                assert not cells & codes, (lang, fname, sorted(cells & codes))
            else:
                assert not [c for c in cells if CJK.search(c)], (fname, cells)
    # numbers: the GeoPackage's, rounded; names: the profile's
    for lang, folder in (("zh", out), ("en", tmp_path)):
        def label(col: str, layer: str, lang: str = lang) -> str:
            return report.i18n.field_label(col, prof, lang, layer=layer)

        scn = pd.read_csv(folder / "scenarios.csv", encoding="utf-8-sig")
        src = layers["scenarios"]
        assert list(scn[f"{label('share', 'scenarios')} (%)"]) == pytest.approx(
            list((100 * src["share"]).round(1)), abs=1e-9, nan_ok=True)
        assert list(scn[label("covered_pop", "scenarios")]) == list(
            src["covered_pop"].round(0).astype(int))
        got = pd.to_numeric(scn[label("supply_2sfca", "scenarios")])
        want = src["supply_2sfca"].round(2)
        assert got.isna().equals(want.isna())
        assert list(got.dropna()) == pytest.approx(list(want.dropna()), abs=1e-9)
        assert list(scn[label("category", "scenarios")]) == [
            report.i18n.t("equity.all", lang) if k == "all"
            else prof.categories[k].name(lang) for k in src["category"]]
        eq = pd.read_csv(folder / "equity.csv", encoding="utf-8-sig")
        assert list(eq[label("value", "equity")]) == pytest.approx(
            list(layers["equity"]["value"].round(3)), abs=1e-9, nan_ok=True)
        tg = pd.read_csv(folder / "target_groups.csv", encoding="utf-8-sig")
        assert list(tg[label("group", "target_groups")]) == [
            prof.groups[g].name(lang) for g in layers["target_groups"]["group"]]
        load = pd.read_csv(folder / "facility_load.csv", encoding="utf-8-sig")
        fac = layers["facilities"]
        assert load[label("load", "facility_load")].fillna(-1).tolist() == \
            fac["load"].round(0).fillna(-1).tolist()
        over = fac["over_capacity"]
        assert list(load[label("over_capacity", "facility_load")].fillna("")) == [
            "" if pd.isna(v) else report.i18n.t("yes" if v else "no", lang) for v in over]
