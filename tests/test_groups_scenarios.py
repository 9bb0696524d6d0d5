"""Target-group coverage and scenarios, with hand-computed answers."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from lifecircle.accessibility.coverage import compute_coverage
from lifecircle.accessibility.groups import group_coverage
from lifecircle.accessibility.scenarios import combine, proposed_facilities, scenario_rows
from lifecircle.project import load_profile

UTM = "EPSG:32650"


@pytest.fixture(scope="module")
def profile():
    return load_profile("maanshan-2025")


def communities() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"cid": ["A", "B", "V"], "name": ["甲", "乙", "村"], "kind": ["urban", "urban", "rural"],
         "district": ["D", "D", "D"], "township": ["T", "T", "T"],
         "population": [200.0, 100.0, 100.0], "households": [80.0, 40.0, 40.0],
         "elderly": [50.0, 10.0, 40.0], "children": [np.nan, 20.0, 10.0]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2)], crs=UTM)


def points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"did": [0, 1, 2, 3], "cid": ["A", "A", "B", "V"],
         "population": [120.0, 80.0, 100.0, 100.0]},
        geometry=[Point(0.2, 0.2), Point(0.8, 0.8), Point(1.5, 0.5), Point(0.5, 1.5)], crs=UTM)


def test_elderly_coverage_at_their_own_speed(profile) -> None:
    # all residents walk to elderly care in 12, 14, 20 (urban) and 25 (rural, e-bike) min;
    # the elderly walk slower in the urban circle: 16, 14, 27 min; rural: the circle's mode
    times = pd.DataFrame({"elderly_care": [12.0, 14.0, 20.0, 25.0],
                          "meal_aid": [3.0, 4.0, 5.0, np.inf],
                          "childcare": [1.0, 1.0, 1.0, np.inf]},
                         index=pd.Index([0, 1, 2, 3], name="did"))
    slow = {"elderly_care": np.array([16.0, 14.0, 27.0]), "meal_aid": np.array([4, 5.4, 7.0])}
    calls = []

    def group_times(mode, cat, pos):
        calls.append((mode, cat, list(pos)))
        return slow[cat][pos]

    g = group_coverage(profile, communities(), points(), times, group_times)
    assert ("walk_elderly", "elderly_care", [0, 1, 2]) in calls
    assert all(c[0] == "walk_elderly" for c in calls)   # rural and children: circle's mode
    tab = g.table.set_index(["kind", "category"])
    # urban elderly care, all residents: points 0 and 1 within 15 (200 of 300)
    assert tab.loc[("urban", "elderly_care"), "share"] == pytest.approx(200 / 300)
    # the elderly: A's share 50/200 = 0.25 -> points 0, 1 hold 30, 20; B's 0.1 -> 10;
    # at their speed only point 1 (14 min) is within 15: 20 of 60
    assert tab.loc[("urban", "elderly_care"), "group_residents"] == pytest.approx(60.0)
    assert tab.loc[("urban", "elderly_care"), "group_share"] == pytest.approx(20 / 60)
    assert tab.loc[("urban", "elderly_care"), "mode"] == "walk_elderly"
    # rural: e-bike for everyone, 25 <= 30: covered; 40 elderly
    assert tab.loc[("rural", "elderly_care"), "group_share"] == pytest.approx(1.0)
    assert tab.loc[("rural", "elderly_care"), "mode"] == "ebike"
    # children: A lacks the count -> no data, not a guess
    assert math.isnan(tab.loc[("urban", "childcare"), "group_share"])
    assert any("children" in w for w in g.warnings)
    comm = g.communities.set_index("cid")
    assert comm.loc["A", "gcov_elderly_care"] == pytest.approx(20 / 50)
    assert comm.loc["B", "gcov_elderly_care"] == pytest.approx(0.0)
    assert comm.loc["V", "gcov_elderly_care"] == pytest.approx(1.0)
    assert math.isnan(comm.loc["V", "gcov_meal_aid"])   # meal aid: urban circle only


def test_scenarios_take_the_faster_facility(profile) -> None:
    base = pd.DataFrame({"health": [10.0, 20.0, np.inf, 25.0]},
                        index=pd.Index([0, 1, 2, 3], name="did"))
    added = pd.DataFrame({"health": [12.0, 5.0, 14.0, np.nan]}, index=base.index)
    both = combine(base, added)
    assert both["health"].tolist() == [10.0, 5.0, 14.0, 25.0]
    cats = [c for c in profile.categories if profile.categories[c].circles]
    t_base = pd.DataFrame(np.inf, index=base.index, columns=cats)
    t_base["health"] = base["health"]
    t_both = combine(t_base, added.reindex(columns=cats, fill_value=np.inf))
    cov_a = compute_coverage(communities(), points(), t_base, profile)
    cov_b = compute_coverage(communities(), points(), t_both, profile)
    rows = pd.concat([scenario_rows("existing", cov_a, {"health": 1}),
                      scenario_rows("planned", cov_b, {"health": 2})])
    r = rows[(rows["category"] == "health")].set_index(["scenario", "kind"])
    # urban: existing reaches point 0 only (120 of 300); + planned points 0, 1, 2 (all)
    assert r.loc[("existing", "urban"), "share"] == pytest.approx(120 / 300)
    assert r.loc[("planned", "urban"), "share"] == pytest.approx(1.0)
    assert r.loc[("planned", "urban"), "facilities"] == 2
    # rural: 25 min within the 30-minute circle in both
    assert r.loc[("existing", "rural"), "share"] == pytest.approx(1.0)


def test_proposed_sites_become_one_facility_per_category() -> None:
    sites = gpd.GeoDataFrame({"rank": [1, 2], "categories": ["elderly_care,meal_aid",
                                                             "elderly_care"]},
                             geometry=[Point(0, 0), Point(5, 5)], crs=UTM)
    fac = proposed_facilities(sites)
    assert fac["category"].tolist() == ["elderly_care", "meal_aid", "elderly_care"]
    assert fac.crs.equals(UTM)
