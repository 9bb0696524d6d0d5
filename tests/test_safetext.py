"""Text from the data reaches terminals, Markdown and CSV only as harmless text."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from lifecircle.safetext import csv_cell, csv_frame, visible


def test_escapes_and_controls_are_shown_not_run() -> None:
    assert visible("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert visible("x\ry\x07\x9b") == "x\\x0dy\\x07\\x9b"
    assert visible("evil\u202egnp.exe") == "evil\\u202egnp.exe"  # bidi override
    assert visible("two\nlines") == "two\\x0alines"
    assert visible("two\nlines", newlines=True) == "two\nlines"
    assert visible("社区 ok, 100%") == "社区 ok, 100%"


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","点我")', "+1+cmd|' /C calc'!A0",
                                  "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1+1"])
def test_formula_cells_are_neutralised(text: str) -> None:
    out = csv_cell(text)
    assert out.startswith("'")
    assert "\r" not in out and "\t" not in out


@pytest.mark.parametrize("value", ["-12.5", "+3", "-", "花园社区", 3.5, None, "1,234"])
def test_plain_values_unchanged(value: object) -> None:
    if value == "-":
        assert csv_cell(value) == "'-"  # a lone minus could start a formula in some programs
    else:
        assert csv_cell(value) == value


def test_csv_frame_round_trip(tmp_path: Path) -> None:
    df = pd.DataFrame({"name": ["=1+1", "ok\x1b[31m"], "n": [1.0, -2.0]})
    path = tmp_path / "t.csv"
    csv_frame(df).to_csv(path, index=False)
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1][0] == "'=1+1" and rows[2][0] == "ok\\x1b[31m"
    assert rows[2][1] == "-2.0"  # numbers stay numbers
    assert df["name"].iloc[0] == "=1+1"  # the frame itself is untouched
