"""Refusals of hostile input through the real CLI, in Chinese (default) and English.

Each refusal is immediate (the file is never read), exit 2, one line naming the file or
key, the limit and the fix; the corpus (tests/corpus) holds the full set of cases.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lifecircle.errors import OutputError, ProjectError
from lifecircle.project import from_dict

CLI = [sys.executable, "-m", "lifecircle.cli"]


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="300", NO_COLOR="1")
    env.pop("LIFECIRCLE_LANG", None)
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=300)


@pytest.mark.parametrize(("lang", "words"), [
    (None, ("/dev/zero", "字符设备", "修正")),
    ("en", ("/dev/zero", "character device", "fix:")),
])
def test_special_file_refused_in_the_run_language(tmp_path: Path, lang: str | None,
                                                  words: tuple[str, ...]) -> None:
    args = ["--lang", lang] if lang else []
    proc = _cli(*args, "check", "/dev/zero", "-o", tmp_path / "r")
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    for w in words:
        assert w in lines[0], lines[0]
    assert list(tmp_path.iterdir()) == []


def test_user_folder_refused_in_chinese(tmp_path: Path) -> None:
    """The zh message of an --overwrite that would delete a user's folder."""
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "论文.docx").write_bytes(b"x")
    demo = Path(__file__).parents[1] / "lifecircle" / "data" / "demo" / "project.toml"
    proc = _cli("check", demo, "-o", desk, "--overwrite")
    assert proc.returncode == 2
    assert "不是 lifecircle 结果文件夹" in proc.stderr and str(desk) in proc.stderr
    assert [p.name for p in desk.iterdir()] == ["论文.docx"]
    assert isinstance(OutputError("x"), OSError)


@pytest.mark.parametrize(("table", "key", "value", "ok"), [
    ("project", "raster_cell_m", 100, True), ("project", "raster_cell_m", 0.5, False),
    ("project", "raster_cell_m", float("inf"), False),
    ("network", "max_snap_m", 0, True), ("network", "max_snap_m", -1, False),
    ("network", "snap_tolerance_m", float("nan"), False),
    ("planner", "time_limit_s", 60, True), ("planner", "time_limit_s", 0, False),
    ("planner", "candidate_spacing_m", 300, True), ("planner", "candidate_spacing_m", 1, False),
    ("planner", "capacity", 400, True), ("planner", "capacity", 0, False),
    ("planner", "capacity", float("nan"), False), ("planner", "sites", 0, False),
])
def test_project_numbers_checked_at_load(tmp_path: Path, table: str, key: str, value: float,
                                         ok: bool) -> None:
    demo = Path(__file__).parents[1] / "lifecircle" / "data" / "demo"
    layers = {k: {"path": str(demo / f)} for k, f in (
        ("communities", "communities.shp"), ("facilities", "facilities.gpkg"),
        ("roads", "roads.shp"))}
    data = {"project": {"name": "t"}, "layers": layers, table: {key: value}}
    path = tmp_path / "project.toml"
    if ok:
        from_dict(data, path)
        return
    with pytest.raises(ProjectError) as err:
        from_dict(data, path)
    text = str(err.value)
    assert f"{table}.{key}" in text and "project.toml" in text and "fix:" in text
    assert "必须是" in err.value.render("zh")
