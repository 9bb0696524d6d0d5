"""Coverage of urban and rural circles on hand-written travel times."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from lifecircle.accessibility.coverage import (
    compute_coverage,
    coverage_categories,
    weighted_quantiles,
)
from lifecircle.errors import InputError
from lifecircle.project import load_profile

UTM = "EPSG:32650"
INF = math.inf

PROFILE = """
[profile]
key = "test"
name_zh = "测试"
[circles.urban]
name_zh = "城市"
minutes = 15
mode = "walk"
[circles.rural]
name_zh = "农村"
minutes = 30
mode = "ebike"
[modes.walk]
speed_kmh = 4.0
pedestrian = true
oneway = false
posted_speeds = false
[modes.ebike]
speed_kmh = 15.0
pedestrian = false
oneway = false
posted_speeds = false
[categories.center]
name_zh = "社区服务中心"
name_en = "centre"
circles = ["urban", "rural"]
[categories.elderly]
name_zh = "养老服务站"
name_en = "elderly care"
circles = ["urban", "rural"]
[categories.market]
name_zh = "菜市场"
name_en = "market"
circles = ["urban"]
[categories.room]
name_zh = "社区客厅"
circles = []
"""


@pytest.fixture()
def profile(tmp_path):
    path = tmp_path / "test.toml"
    path.write_text(PROFILE, encoding="utf-8")
    return load_profile(path)


def make_communities() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"cid": ["A", "B", "C"], "name": ["甲社区", "乙社区", "丙村"],
         "kind": ["urban", "urban", "rural"], "district": ["D1", "D1", "D2"],
         "township": ["T1", "T1", "T2"], "population": [300.0, 200.0, 500.0],
         "households": [100.0, 80.0, 150.0]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(0, 1000, 1000, 2000)],
        crs=UTM)


def make_demand() -> gpd.GeoDataFrame:
    pop = [100.0, 200.0, 50.0, 150.0, 200.0, 300.0]
    ratio = [100 / 300, 100 / 300, 0.4, 0.4, 0.3, 0.3]
    return gpd.GeoDataFrame(
        {"did": list(range(6)), "cid": ["A", "A", "B", "B", "C", "C"], "population": pop,
         "households": [p * r for p, r in zip(pop, ratio, strict=True)]},
        geometry=[Point(150, 150), Point(850, 850), Point(1150, 150), Point(1250, 250),
                  Point(150, 1850), Point(850, 1150)], crs=UTM)


def make_times() -> pd.DataFrame:
    return pd.DataFrame({
        "center": [14.0, 15.0, 16.0, 20.0, 29.0, 30.0],
        "elderly": [16.0, 10.0, np.nan, 30.0, 31.0, 29.9],
        "market": [5.0, INF, 3.0, 1.0, INF, 2.0],
    }, index=pd.Index(range(6), name="did"))


@pytest.fixture()
def cov(profile):
    return compute_coverage(make_communities(), make_demand(), make_times(), profile)


def test_categories_are_those_some_circle_requires(profile):
    assert coverage_categories(profile) == ["center", "elderly", "market"]


def test_community_layer_columns_and_shares(cov):
    c = cov.communities
    assert list(c.columns) == [
        "cid", "name", "kind", "district", "township", "population", "households",
        "circle_min", "mode", "cov_all", "missing", "n_missing", "worst_min",
        "cov_center", "cov_elderly", "cov_market", "geometry"]
    c = c.set_index("cid")
    # A: 14 and 15 min are within 15 (both covered); 16 is not
    assert c.loc["A", "cov_center"] == 1.0
    assert c.loc["A", "cov_elderly"] == pytest.approx(200 / 300)
    assert c.loc["A", "cov_market"] == pytest.approx(100 / 300)
    assert c.loc["A", "cov_all"] == 0.0
    assert c.loc["B", "cov_center"] == 0.0
    assert c.loc["B", "cov_elderly"] == 0.0   # NaN time (unreachable) and 30 > 15
    assert c.loc["B", "cov_market"] == 1.0
    # C is rural: 29 and 30 within 30 min, 31 not; market not required -> NaN
    assert c.loc["C", "cov_center"] == 1.0
    assert c.loc["C", "cov_elderly"] == pytest.approx(300 / 500)
    assert np.isnan(c.loc["C", "cov_market"])
    assert c.loc["C", "cov_all"] == pytest.approx(300 / 500)
    assert c["circle_min"].to_dict() == {"A": 15.0, "B": 15.0, "C": 30.0}
    assert c["mode"].to_dict() == {"A": "walk", "B": "walk", "C": "ebike"}
    assert c["missing"].to_dict() == {"A": "", "B": "center,elderly", "C": ""}
    assert c["n_missing"].to_dict() == {"A": 0, "B": 2, "C": 0}
    # worst_min: weighted p90 of the worst category (A market, B elderly unreachable)
    assert c.loc["A", "worst_min"] == INF
    assert c.loc["B", "worst_min"] == INF
    assert c.loc["C", "worst_min"] == 31.0
    assert c.crs.equals(UTM)


def test_missing_threshold_is_configurable(profile):
    cov = compute_coverage(make_communities(), make_demand(), make_times(), profile,
                           missing_share=0.5)
    m = cov.communities.set_index("cid")["missing"].to_dict()
    assert m == {"A": "market", "B": "center,elderly", "C": ""}


def test_per_category_medians_and_p90(cov):
    t = cov.by_community.set_index(["cid", "category"])
    assert list(cov.by_community.columns) == [
        "cid", "category", "covered_pop", "pop", "covered_households", "households",
        "share", "median_min", "p90_min"]
    # C does not require market: no row
    assert ("C", "market") not in t.index
    assert len(t) == 8
    assert t.loc[("A", "center"), ["median_min", "p90_min"]].tolist() == [15.0, 15.0]
    assert t.loc[("A", "elderly"), ["median_min", "p90_min"]].tolist() == [10.0, 16.0]
    assert t.loc[("A", "market"), ["median_min", "p90_min"]].tolist() == [INF, INF]
    assert t.loc[("B", "center"), ["median_min", "p90_min"]].tolist() == [20.0, 20.0]
    assert t.loc[("B", "elderly"), ["median_min", "p90_min"]].tolist() == [30.0, INF]
    assert t.loc[("B", "market"), ["median_min", "p90_min"]].tolist() == [1.0, 3.0]
    assert t.loc[("C", "center"), ["median_min", "p90_min"]].tolist() == [30.0, 30.0]
    assert t.loc[("C", "elderly"), ["median_min", "p90_min"]].tolist() == [29.9, 31.0]
    assert t.loc[("A", "elderly"), "covered_pop"] == 200.0
    assert t.loc[("A", "elderly"), "pop"] == 300.0
    assert t.loc[("A", "elderly"), "covered_households"] == pytest.approx(200 / 3)
    assert t.loc[("C", "elderly"), "covered_households"] == pytest.approx(90.0)
    assert t.loc[("C", "elderly"), "households"] == pytest.approx(150.0)


def test_township_district_and_kind_summaries(cov):
    tw = cov.summary_township
    assert list(tw.columns) == ["district", "township", "communities", "population",
                                "households", "cov_all", "cov_center", "cov_elderly",
                                "cov_market"]
    t1 = tw.set_index("township").loc["T1"]
    assert t1["district"] == "D1"
    assert t1["communities"] == 2
    assert t1["population"] == 500.0 and t1["households"] == 180.0
    assert t1["cov_center"] == pytest.approx(300 / 500)
    assert t1["cov_elderly"] == pytest.approx(200 / 500)
    assert t1["cov_market"] == pytest.approx(300 / 500)
    assert t1["cov_all"] == 0.0
    di = cov.summary_district.set_index("district")
    assert list(cov.summary_district.columns)[:5] == ["district", "communities", "population",
                                                      "households", "cov_all"]
    assert di.loc["D2", "cov_elderly"] == pytest.approx(0.6)
    assert np.isnan(di.loc["D2", "cov_market"])
    k = cov.summary_kind.set_index("kind")
    assert list(k.index) == ["rural", "urban", "all"]
    assert k.loc["all", "communities"] == 3
    assert k.loc["all", "population"] == 1000.0
    assert k.loc["all", "cov_center"] == pytest.approx(800 / 1000)
    assert k.loc["all", "cov_elderly"] == pytest.approx(500 / 1000)
    assert k.loc["all", "cov_market"] == pytest.approx(300 / 500)   # urban residents only
    assert k.loc["all", "cov_all"] == pytest.approx(300 / 1000)
    assert k.loc["urban", "cov_center"] == pytest.approx(0.6)
    bd = cov.by_district.set_index(["district", "category"])
    assert bd.loc[("D1", "elderly"), "median_min"] == 16.0  # 10(200) 16(100) 30(150) inf(50)
    assert bd.loc[("D1", "elderly"), "p90_min"] == 30.0  # 450 of 500 reached at 30
    assert ("D2", "market") not in bd.index


def test_demand_layer(cov):
    d = cov.demand
    assert list(d.columns) == ["did", "cid", "population", "households", "t_center",
                               "t_elderly", "t_market", "covered_all", "geometry"]
    assert d["covered_all"].tolist() == [False, False, False, False, False, True]
    # inf: a facility beyond the searched limit; NaN: no path at all (docs/contracts.md)
    assert np.isposinf(d["t_market"][1]) and np.isnan(d["t_elderly"][2])
    assert d["t_center"][0] == 14.0


def test_worst_points_are_ranked_by_excess_then_population(cov):
    w = cov.worst_points
    assert w["did"].tolist() == [1, 2, 3, 4, 0]
    assert w["category"].tolist() == ["market", "elderly", "elderly", "elderly", "elderly"]
    assert w["excess_min"].tolist() == [INF, INF, 15.0, 1.0, 1.0]
    assert w["name"].tolist()[:1] == ["甲社区"]
    assert w.crs.equals(UTM)


def test_missing_times_column_counts_as_unreachable(profile):
    times = make_times().drop(columns="market")
    cov = compute_coverage(make_communities(), make_demand(), times, profile)
    assert cov.communities.set_index("cid")["cov_market"].tolist()[:2] == [0.0, 0.0]
    assert any("market" in w for w in cov.warnings)


def test_times_index_is_aligned_by_did(profile):
    times = make_times().iloc[::-1]
    cov = compute_coverage(make_communities(), make_demand(), times, profile)
    assert cov.communities.set_index("cid").loc["A", "cov_elderly"] == pytest.approx(2 / 3)


def test_unknown_kind_is_an_input_error(profile):
    comm = make_communities()
    comm.loc[1, "kind"] = "suburban"
    with pytest.raises(InputError, match=r"cid B.*suburban"):
        compute_coverage(comm, make_demand(), make_times(), profile)


def test_demand_of_unknown_community_is_an_input_error(profile):
    dem = make_demand()
    dem.loc[0, "cid"] = "Z"
    with pytest.raises(InputError, match="'Z'"):
        compute_coverage(make_communities(), dem, make_times(), profile)


def test_community_without_demand_has_nan_shares(profile):
    comm = pd.concat([make_communities(), gpd.GeoDataFrame(
        {"cid": ["E"], "kind": ["urban"], "district": ["D1"], "township": ["T1"],
         "population": [0.0], "households": [0.0]},
        geometry=[box(3000, 0, 4000, 1000)], crs=UTM)], ignore_index=True)
    cov = compute_coverage(comm, make_demand(), make_times(), profile)
    e = cov.communities.set_index("cid").loc["E"]
    assert np.isnan(e["cov_all"]) and np.isnan(e["cov_center"]) and np.isnan(e["worst_min"])
    assert e["n_missing"] == 0 and e["missing"] == ""
    # the township's shares are unchanged
    t1 = cov.summary_township.set_index("township").loc["T1"]
    assert t1["communities"] == 3
    assert t1["cov_center"] == pytest.approx(0.6)


def test_weighted_quantiles_lower_definition():
    codes = np.array([0, 0, 0, 1, 1, 2])
    values = np.array([3.0, 1.0, 2.0, 5.0, INF, 7.0])
    weights = np.array([1.0, 1.0, 2.0, 3.0, 1.0, 0.0])
    q = weighted_quantiles(codes, values, weights, 4, (0.25, 0.5, 0.9))
    # group 0 sorted 1(1) 2(2) 3(1): cumulative 1, 3, 4 of 4
    assert q[:, 0].tolist() == [1.0, 2.0, 3.0]
    # group 1: 5(3) inf(1): 0.9 needs 3.6 of 4 -> inf
    assert q[:, 1].tolist() == [5.0, 5.0, INF]
    assert np.isnan(q[:, 2]).all() and np.isnan(q[:, 3]).all()


def test_result_layers_write_to_a_geopackage(cov, tmp_path):
    path = tmp_path / "out.gpkg"
    cov.communities.to_file(path, layer="communities", engine="pyogrio")
    cov.demand.to_file(path, layer="demand", engine="pyogrio")
    back = gpd.read_file(path, layer="communities", engine="pyogrio").set_index("cid")
    assert back.loc["B", "missing"] == "center,elderly"
    assert back.loc["A", "cov_elderly"] == pytest.approx(2 / 3)
    assert back.loc["A", "worst_min"] == INF
    assert np.isnan(back.loc["C", "cov_market"])
    dem = gpd.read_file(path, layer="demand", engine="pyogrio")
    assert dem["covered_all"].tolist() == [False] * 5 + [True]
    assert np.isposinf(dem["t_market"][1]) and np.isnan(dem["t_elderly"][2])


def test_category_level_shorter_than_the_circle(tmp_path):
    # market at a 5-minute level (GB 50180's 5-minute circle): A's 5.0 counts, B's 3.0 and
    # 1.0 too; a 10-minute level for centre: only A's 14/15 fail now
    text = PROFILE.replace('name_en = "market"\ncircles = ["urban"]',
                           'name_en = "market"\ncircles = ["urban"]\nminutes = 5')
    text = text.replace('name_en = "centre"\ncircles = ["urban", "rural"]',
                        'name_en = "centre"\ncircles = ["urban", "rural"]\nminutes = 10')
    path = tmp_path / "levels.toml"
    path.write_text(text, encoding="utf-8")
    prof = load_profile(path)
    assert prof.limit("urban", "market") == 5.0
    assert prof.limit("rural", "center") == 10.0
    assert prof.limit("urban", "elderly") == 15.0
    times = make_times()
    times.loc[0, "market"] = 5.5   # beyond 5 now (within the old 15)
    c = compute_coverage(make_communities(), make_demand(), times, prof).communities
    c = c.set_index("cid")
    assert c.loc["A", "cov_market"] == 0.0
    assert c.loc["B", "cov_market"] == 1.0
    assert c.loc["A", "cov_center"] == 0.0        # 14 and 15 > 10
    assert c.loc["C", "cov_center"] == 0.0        # 29 and 30 > 10
    assert c.loc["C", "cov_elderly"] == pytest.approx(300 / 500)  # no level: the circle's 30
