"""Table-1 scorecard and space standards on three communities with hand-computed values."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from lifecircle import i18n
from lifecircle.accessibility.coverage import compute_coverage
from lifecircle.accessibility.scorecard import SCORECARD_COLUMNS, scorecard
from lifecircle.errors import Note
from lifecircle.project import load_profile

UTM = "EPSG:32650"
NA = pd.NA


@pytest.fixture(scope="module")
def profile():
    return load_profile("maanshan-2025")


def communities() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"cid": ["A", "B", "C"], "name": ["甲", "乙", "丙"],
         "kind": ["urban", "urban", "rural"], "district": ["D1", "D1", "D2"],
         "township": ["T1", "T1", "T2"], "population": [300.0, 200.0, 500.0],
         "households": [100.0, 80.0, 150.0],
         "facility_area_m2": [np.nan, 50.0, 320.0],
         "social_orgs": [10.0, 14.0, 5.0], "workers": [1.0, np.nan, 2.0],
         "has_platform": pd.array([True, False, NA], dtype="boolean"),
         "has_agency": pd.array([NA, NA, NA], dtype="boolean"),
         "has_kiosk": pd.array([NA, True, False], dtype="boolean")},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(0, 1000, 1000, 2000)],
        crs=UTM)


def facilities() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"fid": ["f1", "f2", "f3", "f4", "f5", "f6"],
         "category": ["community_center", "community_center", "volunteer", "social_work",
                      "kiosk", "volunteer"],
         "floor_area_m2": [100.0, 400.0, np.nan, np.nan, np.nan, np.nan],
         "status": ["existing"] * 5 + ["planned"]},
        geometry=[Point(500, 500), Point(500, 1500), Point(400, 400), Point(600, 600),
                  Point(300, 300), Point(1500, 500)], crs=UTM)


def whole(card: pd.DataFrame) -> pd.DataFrame:
    return card[card["scope"] == "all"].set_index("indicator")


def per(card: pd.DataFrame) -> pd.DataFrame:
    return card[card["scope"] != "all"].set_index(["scope", "indicator"])


def test_whole_area_values(profile):
    card = scorecard(communities(), facilities(), profile)
    assert list(card.columns) == list(SCORECARD_COLUMNS)
    w = whole(card)
    assert list(w.index) == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "living_room",
                             "space.urban_m2_per_100_households", "space.rural_renovated_m2",
                             "space.rural_new_build_m2"]
    expected = {
        "1": (200 / 3, "fail"),     # centres inside A and C only (no coverage given)
        "2": (50.0, "fail"),        # A yes, B no, C unknown (left out)
        "3": (50.0, "fail"),        # T1 has a social-work station, T2 not
        "5": (200 / 3, "fail"),     # A kiosk facility, B attribute, C no
        "6": (550 / 330 * 100, "pass"),  # (100 + 50 + 400) m² / 330 households
        "7": (100 / 3, "fail"),     # volunteer station in A; B's is only planned
        "8": (12.0, "pass"),        # urban (10 + 14) / 2
        "9": (5.0, "fail"),         # rural C
        "10": (1 / 300 * 10000, "pass"),  # A only (B's workers unknown)
        "space.urban_m2_per_100_households": (100.0, "pass"),  # A 100, B 62.5 >= 30
        "space.rural_renovated_m2": (100.0, "pass"),            # C 320 >= 300
        "space.rural_new_build_m2": (0.0, "fail"),              # C 320 < 450
    }
    for key, (value, status) in expected.items():
        assert w.loc[key, "value"] == pytest.approx(value), key
        assert w.loc[key, "status"] == status, key
    assert w.loc["4", "status"] == "no data" and np.isnan(w.loc["4", "value"])
    assert "has_agency" in w.loc["4", "note"]
    assert "1 community without data" in w.loc["2", "note"]
    assert per(card).loc[("C", "2"), "note"] == "`has_platform` unknown for this community"
    assert "T2" in w.loc["3", "note"]
    assert w.loc["6", "entry"] == "indicators.6"
    assert w.loc["6", "target"] == 35.0 and w.loc["6", "unit"] == "m²"
    assert w.loc["space.rural_new_build_m2", "entry"] == "space.rural_new_build_m2"
    assert w.loc["1", "name"] == "社区综合服务设施覆盖率"


def test_per_community_rows(profile):
    card = scorecard(communities(), facilities(), profile)
    p = per(card)
    assert p.loc[("A", "1"), "value"] == 100.0 and p.loc[("B", "1"), "status"] == "fail"
    assert p.loc[("A", "2"), "status"] == "pass" and p.loc[("B", "2"), "status"] == "fail"
    assert p.loc[("C", "2"), "status"] == "no data"
    assert p.loc[("A", "6"), "value"] == pytest.approx(100.0)
    assert p.loc[("B", "6"), "value"] == pytest.approx(62.5)
    assert p.loc[("C", "6"), "value"] == pytest.approx(400 / 150 * 100)
    assert p.loc[("A", "8"), ["value", "status"]].tolist() == [10.0, "fail"]
    assert p.loc[("B", "8"), ["value", "status"]].tolist() == [14.0, "pass"]
    assert ("C", "8") not in p.index and ("A", "9") not in p.index
    assert p.loc[("C", "9"), "status"] == "fail"
    assert p.loc[("B", "10"), "status"] == "no data"
    # no per-community rows for a township indicator or an indicator without data
    assert not any(i in ("3", "4") for _, i in p.index)
    assert p.loc[("B", "space.urban_m2_per_100_households"), "value"] == pytest.approx(62.5)
    assert p.loc[("B", "space.urban_m2_per_100_households"), "target"] == 30.0
    assert p.loc[("C", "space.rural_renovated_m2"), ["value", "status"]].tolist() == [
        320.0, "pass"]
    assert p.loc[("C", "space.rural_new_build_m2"), ["target", "status"]].tolist() == [
        450.0, "fail"]
    # rows are grouped by community, in layer order
    scopes = card.loc[card["scope"] != "all", "scope"].tolist()
    assert scopes == sorted(scopes)


def test_coverage_counts_a_centre_within_the_circle(profile):
    comm = communities()
    dem = gpd.GeoDataFrame(
        {"did": [0, 1, 2, 3], "cid": ["A", "B", "B", "C"],
         "population": [300.0, 100.0, 100.0, 500.0], "households": [100.0, 40.0, 40.0, 150.0]},
        geometry=[Point(500, 600), Point(1100, 500), Point(1900, 500), Point(500, 1400)],
        crs=UTM)
    # B's western half reaches A's centre in 12 min; the eastern half needs 22
    times = pd.DataFrame({"community_center": [2.0, 12.0, 22.0, 3.0]})
    cov = compute_coverage(comm, dem, times, profile)
    card = scorecard(comm, facilities(), profile, coverage=cov)
    w = whole(card)
    assert w.loc["1", "value"] == 100.0 and w.loc["1", "status"] == "pass"
    assert per(card).loc[("B", "1"), "value"] == 100.0
    # the same through cov_ columns on the communities
    comm["cov_community_center"] = [1.0, 0.0, 1.0]
    assert whole(scorecard(comm, facilities(), profile)).loc["1", "value"] == \
        pytest.approx(200 / 3)


def test_planned_facilities_counted_when_asked(profile):
    w = whole(scorecard(communities(), facilities(), profile, include_planned=True))
    assert w.loc["7", "value"] == pytest.approx(200 / 3)


def test_no_data_is_never_a_guess(profile):
    comm = communities().drop(columns=["social_orgs"])
    comm["has_platform"] = pd.array([NA, NA, NA], dtype="boolean")
    comm["workers"] = np.nan
    card = scorecard(comm, None, profile, lang="en")
    w = whole(card)
    for key in ("1", "2", "3", "4", "7", "8", "9", "10"):
        assert w.loc[key, "status"] == "no data", key
        assert np.isnan(w.loc[key, "value"]), key
        assert w.loc[key, "note"], key
    assert "community_center" in w.loc["1", "note"]
    assert "social_orgs" in w.loc["8", "note"]
    # kiosk: the attribute alone (B yes, C no, A unknown)
    assert w.loc["5", "value"] == 50.0
    assert "attribute only" in w.loc["5", "note"]
    # floor area from the communities' facility_area_m2 only; A unknown is left out
    assert w.loc["6", "value"] == pytest.approx(370 / 230 * 100)
    assert w.loc["6", "status"] == "pass"
    assert w.loc["1", "name"] == "community service facility coverage"
    assert not per(card).index.isin(["1", "2", "7"], level=1).any()


def test_all_missing_space_data(profile):
    comm = communities()
    comm["facility_area_m2"] = np.nan
    card = scorecard(comm, None, profile)
    w = whole(card)
    assert w.loc["6", "status"] == "no data"
    assert w.loc["space.urban_m2_per_100_households", "status"] == "no data"
    assert w.loc["space.rural_new_build_m2", "status"] == "no data"


def test_target_years_and_county_living_room(profile):
    # 专栏5: a 社区客厅 in every district/county by 2023; one in D1 (inside A), none in D2;
    # a planned one in D2 does not count
    fac = pd.concat([facilities(), gpd.GeoDataFrame(
        {"fid": ["L1", "L2"], "category": ["living_room", "living_room"],
         "floor_area_m2": [np.nan, np.nan], "status": ["existing", "planned"]},
        geometry=[Point(700, 700), Point(500, 1600)], crs=UTM)], ignore_index=True)
    card = scorecard(communities(), fac, profile)
    w = whole(card)
    assert w.loc["living_room", "value"] == pytest.approx(50.0)
    assert w.loc["living_room", "status"] == "fail"
    assert w.loc["living_room", "year"] == 2023
    assert "1 of 2 districts" in w.loc["living_room", "note"]
    assert "D2" in w.loc["living_room", "note"]
    assert all(w.loc[str(k), "year"] == 2025 for k in range(1, 11))
    assert w.loc["space.rural_new_build_m2", "year"] is pd.NA
    # with the planned one counted, both districts have one
    card = scorecard(communities(), fac, profile, include_planned=True)
    assert whole(card).loc["living_room", "value"] == pytest.approx(100.0)
    assert whole(card).loc["living_room", "status"] == "pass"
    # no living-room facility at all: no data, not 0
    card = scorecard(communities(), facilities(), profile)
    assert whole(card).loc["living_room", "status"] == "no data"


def test_notes_render_whole_in_either_language(profile):
    """Every note (whole area and per community) is catalogue text: Chinese in zh, English
    (its plain text) in en, with only data (keys, field names, places) in between."""
    from test_language import chinese_runs, english_runs

    comm = communities().drop(columns=["social_orgs"])
    comm["has_platform"] = pd.array([NA, True, NA], dtype="boolean")
    comm["workers"] = np.nan
    notes = [n for card in (scorecard(comm, None, profile, per_community=True),
                            scorecard(communities(), facilities(), profile, per_community=True))
             for n in card["note"] if n]
    assert len(notes) >= 5 and all(isinstance(n, Note) for n in notes)
    data = [*profile.categories, "has_platform", "has_agency", "social_orgs", "workers",
            "facility_area_m2", "township", "district", "T1", "T2", "D1", "D2"]
    for n in notes:
        assert i18n.render(n, "en") == str(n)
        assert not english_runs(i18n.render(n, "zh"), data), n
        assert not chinese_runs(i18n.render(n, "en"), data), n
    joined = next(n for n in notes if n.key == "score.note.join")
    assert "；" in i18n.render(joined, "zh") and "; " in str(joined)
