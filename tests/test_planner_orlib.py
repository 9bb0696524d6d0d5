"""OR-Library p-median instances pmed1 and pmed5 reach their published optima."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lifecircle.planner import CostProblem, orlib, p_median

#: OR-Library instances pmed1 and pmed5 (Beasley 1990), kept in the repository.
ORLIB = Path(__file__).parent / "data" / "orlib"

#: Published optima (Beasley 1985, OR-Library ``pmedopt``).
OPTIMA = {"pmed1": 5819, "pmed5": 1355}


def read_pmed(name: str, folder: Path = ORLIB) -> tuple[np.ndarray, int]:
    """The instance ``name`` from ``folder``; fails clearly when the files are absent."""
    path = folder / f"{name}.txt"
    if not path.exists():
        pytest.fail(f"{path} is missing: the OR-Library instances belong in tests/data/orlib")
    return orlib.read_pmed(path)


def test_reader_overwrites_duplicate_edges(tmp_path: Path) -> None:
    (tmp_path / "tiny.txt").write_text(" 3 3 1\n 1 2 5\n 2 3 1\n 2 1 2\n")
    d, p = read_pmed("tiny", tmp_path)
    assert p == 1
    assert d.tolist() == [[0, 2, 3], [2, 0, 1], [3, 1, 0]]


@pytest.mark.parametrize("name", sorted(OPTIMA))
def test_orlib_optimum(name: str) -> None:
    cost, p = read_pmed(name)
    assert cost.shape == (100, 100)
    sol = p_median(CostProblem(cost, np.ones(100)), p=p)
    assert sol.status == "optimal"
    assert sol.objective == OPTIMA[name]
    assert len(sol.selected) == p
    # the objective is what the selected medians really cost
    assert cost[list(sol.selected)].min(axis=0).sum() == OPTIMA[name]
