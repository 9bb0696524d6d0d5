"""The result folder is written atomically and never destroys inputs, user files or results."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from lifecircle.errors import OutputError
from lifecircle.outputs.resultdir import MARKER, atomic_folder, reserve


def _previous(out: Path, text: str = "old") -> Path:
    """A previous result made by the real writer (with its marker)."""
    with atomic_folder(out, overwrite=True) as tmp:
        (tmp / "a.txt").write_text(text)
        (tmp / "sub").mkdir()
        (tmp / "sub" / "b.csv").write_text("x")
    return out


def test_moved_into_place_when_complete(tmp_path: Path) -> None:
    out = tmp_path / "result"
    with atomic_folder(out, overwrite=False) as tmp:
        (tmp / "a.txt").write_text("new")
        assert not out.exists()
    assert (out / "a.txt").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["result"]
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert marker["tool"] == "lifecircle" and marker["files"] == ["a.txt"]


def test_failure_keeps_previous_result(tmp_path: Path) -> None:
    out = _previous(tmp_path / "result")
    with pytest.raises(RuntimeError), atomic_folder(out, overwrite=True) as tmp:
        (tmp / "a.txt").write_text("half")
        raise RuntimeError("boom")
    assert (out / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result"]


def test_interrupt_keeps_previous_result(tmp_path: Path) -> None:
    out = _previous(tmp_path / "result")
    with pytest.raises(KeyboardInterrupt), atomic_folder(out, overwrite=True):
        raise KeyboardInterrupt
    assert (out / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result"]


def test_existing_needs_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "result"
    out.mkdir()
    with pytest.raises(OutputError, match="--overwrite"), atomic_folder(out, overwrite=False):
        pass


def test_refuses_folder_holding_an_input(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    src = data / "roads.shp"
    src.write_bytes(b"x")
    with pytest.raises(OutputError, match="holds the input"), atomic_folder(
        data, overwrite=True, inputs=[src]
    ):
        pass
    assert src.read_bytes() == b"x"


def test_replaces_previous_result_and_empty_folder(tmp_path: Path) -> None:
    out = _previous(tmp_path / "result")
    (out / "a.txt.aux.xml").write_text("QGIS statistics")  # derived by GIS software: fine
    with atomic_folder(out, overwrite=True) as tmp:
        (tmp / "c.txt").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "c.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with atomic_folder(empty, overwrite=True) as tmp:
        (tmp / "d.txt").write_text("new")
    assert (empty / "d.txt").read_text() == "new"


@pytest.mark.parametrize("what", ["unmarked", "foreign", "forged", "foreign_in_sub"])
def test_overwrite_refuses_what_is_not_a_result(tmp_path: Path, what: str) -> None:
    """A user's folder (a desktop, data, a result with their notes added) is never replaced."""
    out = tmp_path / "desk"
    if what == "unmarked":
        out.mkdir()
        (out / "thesis.docx").write_bytes(b"years of work")
    else:
        _previous(out)
        if what == "foreign":
            (out / "notes.txt").write_text("mine")
        elif what == "forged":
            (out / MARKER).write_text('{"tool": "other", "files": []}')
        else:
            (out / "sub" / "mine.xlsx").write_bytes(b"mine")
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    expect = {"unmarked": "not a lifecircle result", "foreign": "notes.txt",
              "forged": "not a lifecircle result", "foreign_in_sub": "sub/mine.xlsx"}[what]
    with pytest.raises(OutputError, match=expect) as err, atomic_folder(out, overwrite=True):
        pytest.fail("must not start writing")
    assert "fix:" in str(err.value)
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["desk"]


def test_refuses_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("x")
    for out in (Path("."), tmp_path.parent):
        with pytest.raises(OutputError, match="current folder"), atomic_folder(
                out, overwrite=True):
            pass
    assert (tmp_path / "a.txt").read_text() == "x"


def test_folder_honours_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with atomic_folder(tmp_path / "r22", overwrite=False) as tmp:
            (tmp / "a.txt").write_text("x")
    finally:
        os.umask(0o027)
    try:
        with atomic_folder(tmp_path / "r27", overwrite=False) as tmp:
            (tmp / "a.txt").write_text("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r22").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "r27").stat().st_mode) == 0o750


_HOLDER = """
import sys
from pathlib import Path
from lifecircle.outputs.resultdir import reserve
with reserve(Path(sys.argv[1]), overwrite=False):
    print("locked", flush=True)
    sys.stdin.readline()
"""


def test_second_process_is_refused_while_the_first_writes(tmp_path: Path) -> None:
    """Two real processes: the one holding the lock excludes the other, then releases it."""
    out = tmp_path / "result"
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(out)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True,
                              env=dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1])))
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(OutputError, match=f"process {holder.pid}"), reserve(
                out, overwrite=False):
            pytest.fail("two runs hold one result folder")
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        assert holder.wait(timeout=60) == 0
        assert holder.stdout is not None
        holder.stdout.close()
    with reserve(out, overwrite=False):  # free again once the first run ended
        pass
    assert list(tmp_path.iterdir()) == []  # no lock file left behind


def test_reserve_removes_the_parents_it_made_when_the_run_fails(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "result"
    with pytest.raises(RuntimeError), reserve(out, overwrite=False):
        assert (tmp_path / "a" / "b").is_dir()
        raise RuntimeError("bad input found")
    assert list(tmp_path.iterdir()) == []
