"""One language at a time: every message in the run's language, through the one catalogue.

``errors.Note`` carries a data warning's catalogue key, so it is rendered in the language of
wherever it is shown; the whole-run test below runs the real CLI in Chinese and English and
looks for sentences of the other language.
"""

from __future__ import annotations

import glob
import pickle
import re
import tomllib
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from lifecircle import i18n
from lifecircle.errors import Note
from lifecircle.safetext import visible


def test_note_renders_in_either_language_and_keeps_its_place() -> None:
    n = Note("warn.facility_far", fid="F7", name="敬老院", m="500", mode=("步行", "walking"))
    assert str(n) == ("facility F7 (敬老院) is farther than 500 m from a road usable by "
                      "walking; not counted")
    assert n.render("zh") == "设施 F7（敬老院）距离步行可用的道路超过 500 米，未计入"
    placed = n.at("facilities.gpkg (layers.facilities)")
    assert placed.render("zh").startswith("facilities.gpkg (layers.facilities)：设施 F7")
    assert str(placed).startswith("facilities.gpkg (layers.facilities): facility F7")
    # a list of warnings is still a list of strings: deduplicated, pickled (to Dask
    # workers and back) and rendered where shown
    back = pickle.loads(pickle.dumps([placed, "plain text"]))
    assert back[0] == placed and back[0].render("zh") == placed.render("zh")
    assert list(dict.fromkeys([n, Note(n.key, **n.values)])) == [n]
    assert [i18n.render(w, "zh") for w in back] == [placed.render("zh"), "plain text"]


def test_note_values_may_be_notes() -> None:
    inner = Note("warn.facility_far", fid="F1", name="x", m="5", mode=("步行", "walking"))
    outer = Note("cli.no_path", path=inner)
    assert outer.render("zh") == f"{inner.render('zh')} 不存在"
    assert outer == f"{inner} does not exist"


# ------------------------------------------------------------------ the whole-run test

#: A run of this many English words in a row is an English sentence (in a Chinese run).
ENGLISH_RUN = 3
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`|‘[^’\n]*’|“[^”\n]*”|「[^」\n]*」")
#: file paths, URIs and units with a slash (km/h); names with a dot, underscore, = or @
#: (files, TOML keys, ``snap_tolerance_m``); command-line options
#: a "word" of such a name never spans Chinese text (Chinese has no spaces around it)
_NW = r"[^\s\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]"
_IDENT = re.compile(rf"{_NW}*[/\\]{_NW}*|{_NW}*[._=@]{_NW}*[A-Za-z0-9]{_NW}*"
                    r"|(?<!\S)--?[A-Za-z][\w-]*")
_WORD = re.compile(r"[(\[]?[A-Za-z][A-Za-z'’-]*[)\].,;:!?]*")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+")


def _data_pattern(data: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for the data values, longest first (a name goes before any part of it),
    each a whole word: the file stem ``project`` is not taken out of "projected", nor
    ``facilities`` out of the key ``layers.facilities``."""
    values = sorted({v for v in data if v.strip()}, key=len, reverse=True)
    if not values:
        return None
    return re.compile(r"(?<![A-Za-z0-9_.])(?:" + "|".join(map(re.escape, values))
                      + r")(?![A-Za-z0-9_]|\.\w)")


def _strip(line: str, data: re.Pattern[str] | None) -> str:
    if data is not None:
        line = data.sub(" ", line)
    return _IDENT.sub(" ", _QUOTED.sub(" ", line))


def english_runs(text: str, data: Iterable[str] = ()) -> list[str]:
    """Runs of ``ENGLISH_RUN`` or more English words outside quoted or known data values,
    each with its line: the English sentences of a text that should be Chinese."""
    values = _data_pattern(data)
    found = []
    for line in text.splitlines():
        run: list[str] = []
        # Chinese text ends a run (English names between Chinese words are not a sentence)
        for token in [*_CJK.sub(" | ", _strip(line, values)).split(), ""]:
            if token and _WORD.fullmatch(token):
                run.append(token)
                continue
            if len(run) >= ENGLISH_RUN:
                found.append(f"{' '.join(run)!r} in: {line.strip()}")
            run = []
    return found


def chinese_runs(text: str, data: Iterable[str] = ()) -> list[str]:
    """Chinese characters outside quoted or known data values (units 个/人 included): the
    Chinese of a text that should be English."""
    if not _CJK.search(text):  # stripping only blanks text out: nothing to find
        return []
    values = _data_pattern(data)
    return [f"{m.group(0)!r} in: {line.strip()}" for line in text.splitlines()
            for m in _CJK.finditer(_strip(line, values))]


def test_detectors_find_a_planted_sentence_and_spare_data() -> None:
    zh = "数据警告 1 条：\n  - communities.shp (layers.communities)：第 3 行的几何无效，已修复"
    assert english_runs(zh) == []
    planted = zh + "；the geometry was repaired"
    assert english_runs(planted) == [
        "'the geometry was repaired' in: - communities.shp (layers.communities)：第 3 行的几何"
        "无效，已修复；the geometry was repaired"]
    # quoted values, file names, keys, options, units and known data values are not text
    assert english_runs("修正：设 source_crs = \"wgs84\" 或用 --overwrite（km/h）；坐标系 "
                        "CGCS2000 / 3-degree Gauss-Kruger CM 117E；字段 'Road Name Here'",
                        data=["CGCS2000 / 3-degree Gauss-Kruger CM 117E"]) == []
    assert english_runs("two words 设施") == []
    en = "facility F7 (敬老院) is farther than 500 m; 12 个 facilities"
    assert chinese_runs(en, data=["敬老院"]) == ["'个' in: " + en]
    assert chinese_runs("community '湖园社区' has no roads") == []


#: Values of a data file, by its name and the bytes of it and its sidecar files: a corpus
#: case changes one file of the base project, so the others are read once per worker.
_FILE_VALUES: dict[tuple[str, tuple[tuple[str, str], ...]], frozenset[str]] = {}


def data_values(folder: Path) -> list[str]:
    """The data of a project folder, which a message may quote in either language: file
    names, layer and field names, every text value, and the coordinate systems' names."""
    import hashlib

    values: set[str] = set()
    for f in sorted(folder.rglob("*")):
        values.update((f.name, f.stem))
        if not f.is_file() or f.suffix.lower() not in (".shp", ".gpkg", ".csv", ".geojson",
                                                       ".fgb", ".tif", ".zip"):
            continue
        family = sorted(f.parent.glob(f"{glob.escape(f.stem)}.*"))
        if any(not p.is_file() for p in family):
            continue  # a FIFO beside it (.prj, .dbf) would block GDAL
        key = (f.name, tuple((p.name, hashlib.sha256(p.read_bytes()).hexdigest())
                             for p in family))
        if key not in _FILE_VALUES:
            _FILE_VALUES[key] = frozenset(_file_values(f))
        values.update(_FILE_VALUES[key])
    for f in folder.rglob("*.toml"):  # the project's own names (project name, paths)
        if not f.is_file() or f.stat().st_size > 1_000_000:  # a FIFO would block
            continue
        try:
            values.update(_toml_strings(tomllib.loads(f.read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
    # a value holding control characters is shown escaped (``\\x1b[31m…``): that form is
    # the same data value
    values |= {visible(v) for v in values}
    return sorted(v for v in values if v.strip())


def _file_values(f: Path) -> set[str]:
    """Layer and field names, text values and the coordinate system's name of one file."""
    import pandas as pd
    import pyogrio
    import pyproj

    values: set[str] = set()
    try:
        if f.suffix.lower() == ".tif":
            import rasterio

            with rasterio.open(f) as src:
                if src.crs is not None:
                    values.add(pyproj.CRS(src.crs.to_wkt()).name)
            return values
        for layer in pyogrio.list_layers(f)[:, 0]:
            values.add(str(layer))
            info = pyogrio.read_info(f, layer=layer)
            if info.get("crs"):
                values.add(pyproj.CRS(info["crs"]).name)
            for enc in ("utf-8", "gbk"):
                try:
                    with warnings.catch_warnings():  # GDAL's note on undecodable text
                        warnings.simplefilter("ignore")
                        frame = pyogrio.read_dataframe(f, layer=layer,
                                                       read_geometry=False, encoding=enc)
                except Exception:
                    continue
                values.update(str(c) for c in frame.columns)
                for col in frame.columns:
                    if not pd.api.types.is_numeric_dtype(frame[col]):
                        values.update(str(v) for v in frame[col].dropna().unique())
    except Exception:
        pass
    return values


def _toml_strings(data: object) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _toml_strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _toml_strings(v)]
    return []


def _invoke(args: Sequence[str], cwd: Path) -> tuple[int, str]:
    import os

    from click.testing import CliRunner

    from lifecircle.cli import main

    old = Path.cwd()
    os.chdir(cwd)
    try:
        r = CliRunner().invoke(main, list(args), env={"LIFECIRCLE_LANG": None,
                                                     "COLUMNS": "400", "NO_COLOR": "1"})
    finally:
        os.chdir(old)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return r.exit_code, r.output


def whole_run(base: Path, work: Path, lang: str) -> dict[str, tuple[int, str]]:
    """Every command on the project in ``base`` (copied into ``work``), in ``lang``:
    command -> (exit code, everything printed)."""
    import shutil

    shutil.copytree(base, work / "in")
    opt = [] if lang == "zh" else ["--lang", "en"]
    files = [str(p) for p in sorted((work / "in").iterdir())
             if p.suffix in (".shp", ".gpkg", ".tif")]
    runs = {
        "init": [*opt, "init", *files, "-o", str(work / "init.toml")],
        "inspect": [*opt, "inspect", str(work / "in" / "communities.shp")],
        "inspect_gpkg": [*opt, "inspect", str(work / "in" / "facilities.gpkg")],
        "check": [*opt, "check", str(work / "in" / "project.toml"), "-o",
                  str(work / "check"), "--jobs", "1"],
        "plan": [*opt, "plan", str(work / "in" / "project.toml"), "--category",
                 "elderly_care", "--sites", "2", "-o", str(work / "plan"), "--jobs", "1"],
        "run": [*opt, "run", str(work / "in" / "project.toml"), "-o", str(work / "run"),
                "--jobs", "1"],
        "compare": [*opt, "compare", str(work / "check"), str(work / "run"), "-o",
                    str(work / "compare")],
    }
    return {k: _invoke(v, work) for k, v in runs.items()}


# ---------------------------------------------------------------- the runs themselves
#: Broken-input cases (tests/corpus/cases.py) checked in both languages (Chinese here, English
#: in tests/test_corpus.py, which runs every case in English): rejected inputs of the
#: project file, profile, layer files, coordinates and attributes, and repaired ones whose
#: warnings are printed; escapes_in_names prints names holding control characters escaped,
#: which :func:`data_values` sets aside as data like the raw values.
CORPUS = (
    "toml_syntax", "toml_unknown_key", "toml_path_not_string", "lang_unknown",
    "planner_sites_zero", "toml_wrong_type", "toml_not_utf8", "project_missing",
    "project_is_folder", "layer_path_missing", "layer_table_missing", "profile_missing",
    "profile_mode_no_pedestrian", "working_crs_degrees", "layer_category_unknown",
    "source_crs_unknown", "encoding_unknown", "canonical_field_unknown",
    "planner_category_unknown", "number_cell_zero", "number_snap_nan",
    "profile_minutes_huge", "profile_speed_nan", "project_fifo", "profile_dev_zero",
    "encoding_contradicts", "prj_missing", "shp_truncated", "dbf_truncated", "shx_missing",
    "gpkg_not_gpkg", "gpkg_two_layers", "gpkg_layer_missing", "layer_empty", "zip_not_zip",
    "latlon_swapped", "degrees_as_metres", "metres_as_degrees", "layers_far_apart",
    "communities_points", "roads_points", "self_intersecting", "zero_area_polygon",
    "empty_geometry", "facility_off_network", "roads_unusable", "cpg_wrong", "cpg_unknown",
    "toml_duplicate_key",
    "working_crs_distorting",
    "field_missing",
    "value_target_unknown",
    "number_tolerance_huge",
    "number_time_limit_negative",
    "number_spacing_tiny",
    "number_cell_too_fine",
    "profile_supply_decay_unknown",
    "profile_default_capacity_negative",
    "toml_too_large",
    "project_dev_zero",
    "shx_truncated",
    "dbf_missing",
    "gpkg_empty_file",
    "gpkg_truncated",
    "layer_fifo",
    "layer_dev_zero",
    "prj_fifo",
    "dbf_no_fields",
    "csv_no_geometry",
    "inspect_fifo",
    "inspect_empty_zip",
    "inspect_bomb",
    "inspect_not_vector",
    "roads_in_pieces",
    "duplicate_facility_ids",
    "population_nan",
    "category_unknown",
    "kind_unknown",
    "population_infinite",
    "id_empty",
    "category_empty",
    "html_in_names",
    "escapes_in_names",
    "roads_cpg_wrong",
    "raster_other_crs",
    "raster_wrong_crs",
    "raster_all_nodata",
    "raster_negative",
    "raster_no_crs",
    "raster_two_bands",
    "raster_bomb",
    "raster_fine_grid",
    "raster_not_raster",
    "out_is_input_folder",
    "out_exists",
    "out_is_file",
    "out_parent_is_file",
    "out_user_folder_overwrite",
    "out_result_with_user_file",
    "out_holds_profile",
    "init_over_input",
    "init_over_user_file",
    "duplicate_ids", "population_text", "population_negative", "population_empty_no_raster",
)


@pytest.fixture(scope="module")
def runs(corpus_base: Path, tmp_path_factory: pytest.TempPathFactory
         ) -> dict[str, dict[str, tuple[int, str]]]:
    """init, inspect, check, plan, run and compare, in Chinese (the default) and English."""
    out = {}
    for lang in ("zh", "en"):
        work = tmp_path_factory.mktemp(f"lang-{lang}")
        out[lang] = whole_run(corpus_base, work, lang)
        report = work / "run" / "report.md"
        out[lang]["report.md"] = (0, report.read_text(encoding="utf-8"))
    return out


def test_a_chinese_run_prints_no_english_sentence(
        runs: dict[str, dict[str, tuple[int, str]]], corpus_base: Path) -> None:
    data = data_values(corpus_base)
    found = {}
    for command, (code, text) in runs["zh"].items():
        assert code == 0, (command, text[-2000:])
        found[command] = english_runs(text, data)
    assert found == {k: [] for k in found}
    # the runs did print their messages: progress, warnings and the summary
    assert "读取并校验图层" in runs["zh"]["check"][1]
    assert "数据警告" in runs["zh"]["run"][1] and "结果已写入" in runs["zh"]["run"][1]


def test_an_english_run_prints_no_chinese(
        runs: dict[str, dict[str, tuple[int, str]]], corpus_base: Path) -> None:
    data = data_values(corpus_base)
    found = {}
    for command, (code, text) in runs["en"].items():
        assert code == 0, (command, text[-2000:])
        found[command] = chinese_runs(text, data)
    assert found == {k: [] for k in found}
    assert "reading and validating layers" in runs["en"]["check"][1]


def test_the_whole_run_test_catches_a_planted_sentence(
        corpus_base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An English text left in the Chinese catalogue shows up as a finding."""
    import shutil

    monkeypatch.setitem(i18n.TEXT, "run.warnings", ("{n} data warnings were found:",
                                                    "{n} data warnings were found:"))
    shutil.copytree(corpus_base, tmp_path / "in")
    code, text = _invoke(["check", str(tmp_path / "in" / "project.toml"), "-o",
                          str(tmp_path / "out"), "--jobs", "1"], tmp_path)
    assert code == 0, text
    found = english_runs(text, data_values(corpus_base))
    assert any("data warnings were found" in f for f in found), found


@pytest.mark.parametrize("case_id", CORPUS)
def test_bad_input_in_chinese(case_id: str, corpus_base: Path, tmp_path: Path) -> None:
    """The case in Chinese (the default) prints no English sentence. Its English run is the
    one tests/test_corpus.py makes of every case (``--lang en``): that test looks for
    Chinese in its output (the cases of ``CORPUS``)."""
    from corpus import make_corpus as mc
    from corpus.cases import CASES

    case = next(c for c in CASES if c.id == case_id)
    root = mc.prepare(case, corpus_base, tmp_path / "zh")
    data = data_values(root / "in")
    cmd = mc.command(case, root, quiet=False)[3:]
    i = cmd.index("--lang")
    del cmd[i:i + 2]
    code, text = _invoke(cmd, root)
    assert code == case.exit, text[-2000:]
    assert english_runs(text, data) == []


def _commands(cmd: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [path]
    for name, sub in getattr(cmd, "commands", {}).items():
        out += _commands(sub, (*path, name))
    return out


def test_every_help_is_in_one_language() -> None:
    """``--help`` of every command: whole paragraphs and option help in Chinese by default
    (the example command lines aside), no Chinese with ``--lang en`` but in the examples'
    file names and the Chinese terms the first lines explain."""
    from lifecircle.cli import main

    paths = _commands(main)
    assert len(paths) >= 11
    for path in paths:
        for lang in ("zh", "en"):
            opt = [] if lang == "zh" else ["--lang", "en"]
            code, text = _invoke([*opt, *path, "--help"], Path.cwd())
            assert code == 0, text
            prose = "\n".join(
                line for line in text.splitlines()
                if not line.strip().startswith(("lifecircle ", "--category living_room",
                                                "用法：", "Usage:")))
            if lang == "zh":
                assert english_runs(prose) == [], path
            else:
                gloss = ["社区生活圈", "合成数据", "社区", "设施", "道路", "人口", "养老服务站"]
                assert chinese_runs(prose, gloss) == [], path


def _raised(call: object) -> BaseException:
    try:
        call()  # type: ignore[operator]
    except Exception as e:  # the error under test
        return e
    raise AssertionError("no error raised")


def test_library_errors_in_either_language() -> None:
    """Errors the library raises below the command line (working CRS, raster grid, OSM, the
    planner's model check, the map's base map) are catalogue messages: Chinese by default
    with the value and fix, English with ``en``."""
    import numpy as np

    from lifecircle.geo import crs as gcrs
    from lifecircle.geo import offsets, raster
    from lifecircle.layers.osm import read_osm
    from lifecircle.parallel import resolve_jobs
    from lifecircle.planner import orlib
    from lifecircle.planner.plan import plan

    b = (118.2, 31.3, 118.9, 31.9)
    cases = {
        "not projected": (lambda: gcrs.working_crs("EPSG:4490", b), "EPSG:4490"),
        "unknown crs": (lambda: gcrs.working_crs("EPSG:99999999", b), "EPSG:99999999"),
        "no extent": (lambda: gcrs.working_crs("auto", (np.nan,) * 4), "auto"),
        "not lon/lat": (lambda: gcrs.working_crs("auto", (500000, 3.4e6, 600000, 3.5e6)),
                        "500000"),
        "cell": (lambda: raster.grid_centres((0, 0, 10, 10), 0.0), "0.0"),
        "osm type": (lambda: read_osm(Path("x.osm"), network_type="bike"), "'bike'"),
        "offset": (lambda: offsets.convert([118.5], [31.7], "wgs84", "utm"),  # type: ignore
                   "'utm'"),
        "jobs": (lambda: resolve_jobs(0), "0"),
        "or-library": (lambda: orlib.read_pmed(Path("nowhere/pmed1.txt")), "pmed1.txt"),
        "model": (lambda: plan({}, None, None, None, None, categories=["a"],  # type: ignore
                               model="pcenter", sites=1), "'pcenter'"),
    }
    for name, (call, value) in cases.items():
        e = _raised(call)
        zh, en = i18n.render(e, "zh"), i18n.render(e, "en")
        assert value in zh and value in en, (name, zh, en)
        assert "修正：" in zh and "fix: " in en, (name, zh, en)
        data = ["China Geodetic Coordinate System 2000"]  # a CRS's name is data
        assert english_runs(zh, data) == [] and chinese_runs(en) == [], (name, zh, en)
