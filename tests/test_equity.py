"""Equity measures with hand-computed answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lifecircle.accessibility.equity import equity_table, gini, lorenz, theil
from lifecircle.project import load_profile


def test_gini_hand_computed() -> None:
    # sum over ordered pairs |xi - xj| = 2 * (1+2+3+1+2+1) = 20; G = 20 / (2 * 16 * 2.5)
    assert gini([1, 2, 3, 4]) == pytest.approx(0.25, abs=1e-15)
    assert gini([5, 5, 5]) == pytest.approx(0.0, abs=1e-15)
    # one of four has everything: G = 1 - 1/n
    assert gini([0, 0, 0, 8]) == pytest.approx(0.75, abs=1e-15)
    # weights act as repeated values: [1 (x3), 3 (x1)] == [1, 1, 1, 3]
    # pairs |1-3| = 2, 6 ordered pairs with a 3: 12 / (2 * 16 * 1.5) = 0.25
    assert gini([1, 3], [3, 1]) == pytest.approx(0.25, abs=1e-15)
    assert gini([1, 3], [3, 1]) == pytest.approx(gini([1, 1, 1, 3]), abs=1e-15)
    assert math.isnan(gini([0, 0]))
    assert math.isnan(gini([]))


def test_theil_hand_computed() -> None:
    # mean 2: 0.5 * (0.5 ln 0.5) + 0.5 * (1.5 ln 1.5)
    expect = 0.5 * (0.5 * math.log(0.5)) + 0.5 * (1.5 * math.log(1.5))
    assert theil([1, 3]) == pytest.approx(expect, abs=1e-15)
    assert theil([2, 2, 2]) == pytest.approx(0.0, abs=1e-15)
    # all in one of n: ln n
    assert theil([0, 0, 0, 4]) == pytest.approx(math.log(4), abs=1e-15)
    assert theil([1, 3], [3, 1]) == pytest.approx(theil([1, 1, 1, 3]), abs=1e-15)


def test_lorenz_points() -> None:
    p, lc = lorenz([4, 1, 3, 2])
    assert p.tolist() == pytest.approx([0, 0.25, 0.5, 0.75, 1.0])
    assert lc.tolist() == pytest.approx([0, 0.1, 0.3, 0.6, 1.0])


def _fixture() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    comm = pd.DataFrame({
        "cid": ["u1", "u2", "r1"], "kind": ["urban", "urban", "rural"],
        "district": ["A", "A", "B"], "population": [100.0, 300.0, 100.0],
        "cov_all": [1.0, 0.5, 0.2], "cov_health": [1.0, 0.5, 0.2]})
    demand = pd.DataFrame({"did": [0, 1, 2, 3], "cid": ["u1", "u2", "u2", "r1"],
                           "population": [100.0, 150.0, 150.0, 100.0]})
    times = pd.DataFrame({"health": [5.0, 10.0, np.inf, 20.0]},
                         index=pd.Index([0, 1, 2, 3], name="did"))
    return comm, demand, times


def test_equity_table_hand_computed() -> None:
    comm, demand, times = _fixture()
    profile = load_profile("maanshan-2025")
    tab = equity_table(comm, demand, times, profile, categories=["health"])
    get = tab.set_index(["scope", "district", "measure", "category"])["value"]
    # whole area, coverage of communities weighted by population: [1 (100), 0.5 (300),
    # 0.2 (100)] == values 1, .5, .5, .5, .2 (in units of 100 residents)
    assert get[("all", "", "gini_coverage", "all")] == pytest.approx(
        gini([1, 0.5, 0.5, 0.5, 0.2]), abs=1e-15)
    x = np.array([1, 0.5, 0.5, 0.5, 0.2])
    pairs = np.abs(x[:, None] - x[None, :]).sum()
    assert get[("all", "", "gini_coverage", "all")] == pytest.approx(
        pairs / (2 * 25 * x.mean()), abs=1e-12)
    # urban share (100 * 1 + 300 * 0.5) / 400 = 0.625; rural 0.2: gap 42.5 points
    assert get[("all", "", "urban_rural_gap", "health")] == pytest.approx(42.5, abs=1e-12)
    # district A has no rural communities: gap undefined
    assert math.isnan(get[("district", "A", "urban_rural_gap", "all")])
    # times: the unreachable urban point counts at twice the urban circle (30 min);
    # urban points 5 (100), 10 (150), 30 (150); the rural point 20 (100)
    t = [5.0, 10.0, 30.0, 20.0]
    w = [100.0, 150.0, 150.0, 100.0]
    assert get[("all", "", "gini_time", "health")] == pytest.approx(gini(t, w), abs=1e-15)
    assert get[("all", "", "theil_time", "health")] == pytest.approx(theil(t, w), abs=1e-15)
    assert get[("district", "B", "gini_time", "health")] == pytest.approx(0.0, abs=1e-15)
    assert get[("district", "A", "theil_time", "health")] == pytest.approx(
        theil(t[:3], w[:3]), abs=1e-15)
    # Theil by hand for district A coverage: values 1 (100), .5 (300): mean .625
    r1, r2 = 1 / 0.625, 0.5 / 0.625
    expect = 0.25 * r1 * math.log(r1) + 0.75 * r2 * math.log(r2)
    assert get[("district", "A", "theil_coverage", "all")] == pytest.approx(expect, abs=1e-15)
