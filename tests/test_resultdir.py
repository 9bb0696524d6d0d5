"""The result folder is written atomically and never destroys inputs or old results."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifecircle.errors import OutputError
from lifecircle.outputs.resultdir import atomic_folder


def test_moved_into_place_when_complete(tmp_path: Path) -> None:
    out = tmp_path / "result"
    with atomic_folder(out, overwrite=False) as tmp:
        (tmp / "a.txt").write_text("new")
        assert not out.exists()
    assert (out / "a.txt").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["result"]


def test_failure_keeps_previous_result(tmp_path: Path) -> None:
    out = tmp_path / "result"
    out.mkdir()
    (out / "a.txt").write_text("old")
    with pytest.raises(RuntimeError), atomic_folder(out, overwrite=True) as tmp:
        (tmp / "a.txt").write_text("half")
        raise RuntimeError("boom")
    assert (out / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result"]


def test_interrupt_keeps_previous_result(tmp_path: Path) -> None:
    out = tmp_path / "result"
    out.mkdir()
    (out / "a.txt").write_text("old")
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


def test_replaces_with_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "result"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    with atomic_folder(out, overwrite=True) as tmp:
        (tmp / "a.txt").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == ["a.txt"]
