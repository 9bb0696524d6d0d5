"""The corpus of broken inputs through the real CLI (see tests/corpus/cases.py).

Each case is one change to a small valid project generated once per test worker. The CLI
runs in a subprocess; a rejected input must exit 2 with one line naming what is wrong and
the fix, no traceback, nothing written and every file under the case folder byte-identical.
A repaired input must exit 0 with the warning printed and a result checked against the run
on the unbroken base project. The cases tests/test_language.py runs in Chinese print no
Chinese here, in English, outside the data they quote.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from corpus import make_corpus as mc
from corpus.cases import CASES, Case, Outcome
from test_language import CORPUS, chinese_runs, data_values

DOC = Path(__file__).parents[1] / "docs" / "bad-input.md"


@pytest.fixture
def base_outcome(corpus_base_check: Outcome) -> Outcome:
    """``check`` on the unbroken base project (tests/conftest.py: run once for all workers)."""
    return corpus_base_check


def _inputs(snap: dict[str, str], out: str) -> dict[str, str]:
    return {k: v for k, v in snap.items() if not (k == f"{out}/" or k.startswith(f"{out}/"))}


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 40
    groups = {c.group for c in CASES}
    assert len(groups) == 7
    assert sum(c.exit == 2 for c in CASES) >= 40


def test_base_project_is_valid(base_outcome: Outcome) -> None:
    """Every case breaks a project that passes: its one change is what the CLI reports."""
    o = base_outcome
    assert o.returncode == 0, o.stderr
    assert (o.out / "lifecircle.gpkg").is_file()
    warnings = [ln for ln in o.stdout.splitlines() if ln.startswith("  - ")]
    # the base has exactly the two warnings of its design: a GBK shapefile without .cpg and
    # hill/water areas far from roads. (It had a third, no children counts, until the
    # generator wrote the `children` column: the childcare group's coverage is computed.)
    assert len(warnings) == 2, warnings
    assert "no .cpg; text detected as GBK" in warnings[0]
    assert not any("`children`" in w for w in warnings), warnings


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case(case: Case, corpus_base: Path, tmp_path: Path,
              request: pytest.FixtureRequest) -> None:
    root = mc.prepare(case, corpus_base, tmp_path / case.id)
    before = mc.snapshot(root)
    data = data_values(root / "in") if case.id in CORPUS else None
    base_result = None
    if case.exit == 0:
        base_result = request.getfixturevalue("base_outcome").out
    o = mc.run(case, root, base_result=base_result)
    after = mc.snapshot(root)
    shown = f"exit {o.returncode}\nstderr: {o.stderr}\nstdout: {o.stdout[-2000:]}"
    assert o.returncode == case.exit, shown
    assert "Traceback" not in o.stderr, shown
    if data is not None:  # one language at a time (the Chinese run: tests/test_language.py)
        assert chinese_runs(o.stdout + o.stderr, data) == [], shown
    if case.exit == 2:
        lines = o.error_lines()
        assert len(lines) == 1, shown            # one message, one line
        msg = lines[0]
        assert msg.startswith("error: "), shown
        for text in o.fault_expect or case.expect:
            assert text in msg, f"{text!r} not in {msg!r}"
        assert "fix:" in msg, msg
        assert o.stdout == "", shown              # --quiet: nothing but the error
        assert after == before                    # inputs byte-identical, nothing written
    else:
        hits = mc.warning_lines(case, o.stdout)
        if case.expect:
            assert hits, f"no warning with {case.expect} in:\n{o.stdout}"
            assert all("fix:" in h or "dropped" in h or "repaired" in h or "not counted" in h
                       for h in hits), hits
        out_rel = case.out
        assert _inputs(after, out_rel) == _inputs(before, out_rel)  # inputs untouched
        assert sorted(p.name for p in o.out.parent.iterdir()) == [o.out.name]  # no temp left
        assert case.verify is not None
        case.verify(o)


def test_verbose_shows_the_traceback(corpus_base: Path, tmp_path: Path) -> None:
    """With --verbose the traceback comes before the same one-line message."""
    case = next(c for c in CASES if c.id == "duplicate_ids")
    root = mc.prepare(case, corpus_base, tmp_path / "verbose")
    before = mc.snapshot(root)
    o = mc.run(case, root, verbose=True)
    assert o.returncode == 2
    assert "Traceback (most recent call last)" in o.stderr
    assert "lifecircle.errors.InputError" in o.stderr
    last = o.error_lines()[-1]
    assert last.startswith("error: ") and "duplicate cid" in last
    assert mc.snapshot(root) == before


def test_doc_lists_every_case_with_its_exit_code() -> None:
    """docs/bad-input.md is generated from this table (make_corpus --doc); keep it current."""
    text = DOC.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z0-9_]+)` \|.*?\| `\w+` \| (\d) \|", text, re.M))
    assert rows == {c.id: str(c.exit) for c in CASES}
