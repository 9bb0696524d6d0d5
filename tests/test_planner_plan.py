"""The site planner on a hand-built road world: candidates, coverage sets and plan().

The world (1 m/s on foot and by e-bike so seconds = metres; x in metres from X0):

    main road  0 ---------------------------------------------- 6000   (component 0)
    islet road                                                10000 -- 10500 (component 1)

    existing elderly-care station F1 at 0
    demand  d1 200 (U1, 100)  d2 700 (U1, 50)  d3 2600 (U2, 80)  d4 3450 (U2, 40)
            d5 10200 on the islet (U3, 30)  d6 (2000, 2000) 2 km off the road (U2, 20)
            d7 5000 (R1 rural, 60)
    candidates C1 3000 (idle hotel, priority 1)  C2 2500  C3 1500  C4 5500 (priority 2)
               C5 3000 (priority 3, same spot as C1)

Urban circle 15 min on foot = 900 m, rural 30 min by e-bike = 1800 m.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import LineString, Point, box

from lifecircle import i18n
from lifecircle.accessibility.network import build
from lifecircle.accessibility.snap import snap
from lifecircle.accessibility.traveltime import nearest
from lifecircle.errors import InputError
from lifecircle.planner import candidates as cands_mod
from lifecircle.planner.plan import REASONS, SITE_COLUMNS, plan
from lifecircle.planner.sets import coverage_times, place_columns, within
from lifecircle.project import Mode, load_profile

CRS = "EPSG:4548"
WALK = Mode("walk", "步行", "walk", 3.6)
EBIKE = Mode("ebike", "电动自行车", "e-bike", 3.6)
PROFILE = dataclasses.replace(load_profile("maanshan-2025"),
                              modes={"walk": WALK, "ebike": EBIKE})
X0, Y0 = 500_000.0, 3_500_000.0


def pt(x: float, y: float = 0.0) -> Point:
    return Point(X0 + x, Y0 + y)


@pytest.fixture(scope="module")
def world():
    roads = gpd.GeoDataFrame(
        {"road_class": ["residential", "residential"]},
        geometry=[LineString([(X0, Y0), (X0 + 6000, Y0)]),
                  LineString([(X0 + 10_000, Y0), (X0 + 10_500, Y0)])], crs=CRS)
    nets = {"walk": build(roads, WALK), "ebike": build(roads, EBIKE)}
    demand = gpd.GeoDataFrame(
        {"did": ["d1", "d2", "d3", "d4", "d5", "d6", "d7"],
         "cid": ["U1", "U1", "U2", "U2", "U3", "U2", "R1"],
         "population": [100.0, 50, 80, 40, 30, 20, 60]},
        geometry=[pt(200), pt(700), pt(2600), pt(3450), pt(10_200), pt(2000, 2000),
                  pt(5000)], crs=CRS)
    communities = pd.DataFrame({"cid": ["U1", "U2", "U3", "R1"],
                                "name": ["东苑社区", "西苑社区", "北岛社区", "南村"],
                                "kind": ["urban", "urban", "urban", "rural"]})
    facilities = gpd.GeoDataFrame({"fid": ["F1", "F2"], "name": ["养老站", "规划站"],
                                   "category": ["elderly_care", "elderly_care"],
                                   "status": ["existing", "planned"]},
                                  geometry=[pt(0), pt(3000)], crs=CRS)
    candidates = gpd.GeoDataFrame(
        {"cand_id": ["C1", "C2", "C3", "C4", "C5"],
         "name": ["闲置宾馆", "地块二", "地块三", "地块四", "地块五"],
         "priority": [1, 2, 2, 2, 3], "is_idle_asset": [True, False, False, False, False]},
        geometry=[pt(3000), pt(2500), pt(1500), pt(5500), pt(3000)], crs=CRS)
    return nets, demand, communities, facilities, candidates


def run(world, **kw):
    nets, demand, communities, facilities, candidates = world
    kw.setdefault("categories", ["elderly_care"])
    kw.setdefault("max_snap_m", 500.0)
    cand = kw.pop("candidates", candidates)
    return plan(nets, demand, cand, facilities, PROFILE, communities=communities, **kw)


# ----------------------------------------------------------------------------- plan
def test_mclp_one_site_prefers_the_idle_asset(world) -> None:
    res = run(world, sites=1)
    s = res.solution
    assert s.status == "optimal" and s.model == "mclp"
    assert s.objective == 150 + 120  # F1 covers d1, d2; C1 (= C5) adds d3 + d4
    assert list(res.sites.columns) == [*SITE_COLUMNS, "geometry"]
    row = res.sites.iloc[0]
    assert (row["rank"], row["cand_id"], row["name"], row["categories"]) == (
        1, "C1", "闲置宾馆", "elderly_care")
    assert row["new_population"] == 120.0 and bool(row["is_idle_asset"])
    assert row["communities"] == "西苑社区 (U2)"
    assert row["nearest_road_m"] == pytest.approx(0.0, abs=1e-6)
    assert row.geometry.equals(pt(3000))
    assert sorted(res.newly_covered["C1"]) == ["d3", "d4"]


def test_mclp_two_sites_coverage_and_unreached(world) -> None:
    res = run(world, sites=2)
    assert res.sites["cand_id"].tolist() == ["C1", "C4"]
    assert res.sites["new_population"].tolist() == [120.0, 60.0]
    assert res.sites["communities"].tolist() == ["西苑社区 (U2)", "南村 (R1)"]
    cov = res.coverage.set_index("category").loc["elderly_care"]
    assert cov["population"] == 380.0
    assert cov["covered_before"] == 150.0 and cov["covered_after"] == 330.0
    assert cov["share_after"] == pytest.approx(330 / 380)
    un = res.unreached.sort_values("did")
    assert un["did"].tolist() == ["d5", "d6"]
    assert un["reason"].tolist() == ["disconnected road piece", "off-network"]
    assert set(un["reason"]) <= set(REASONS)
    assert un["population"].tolist() == [30.0, 20.0]
    assert list(res.candidates.columns) == ["cand_id", "name", "priority", "is_idle_asset",
                                            "source", "geometry"]
    assert (res.candidates["source"] == "layer").all()


def test_full_coverage_is_set_covering(world) -> None:
    res = run(world, full_coverage=True)
    assert res.model == "setcover" and res.solution.objective == 2
    assert res.sites["cand_id"].tolist() == ["C1", "C4"]
    assert res.coverage["covered_after"].iloc[0] == 330.0  # all but the unreachable 50


def test_pmedian_hand_computed(world) -> None:
    # person-seconds: existing F1 gives d1 200 s and d2 700 s; every other time is cut at
    # twice the circle (urban 1800 s, rural 3600 s): the total without new sites is
    # 100*200 + 50*700 + (80 + 40 + 30 + 20)*1800 + 60*3600 = 577,000.
    one = run(world, model="pmedian", sites=1)
    # C1 saves 80*1400 + 40*1350 + 60*1600 = 262,000 (C5 ties, priority 3)
    assert one.solution.objective == pytest.approx(577_000 - 262_000)
    assert one.sites["cand_id"].tolist() == ["C1"]
    two = run(world, model="pmedian", sites=2)
    # C2 + C4 save 80*1700 + 40*850 + 60*3100 = 356,000 (C1 + C4: 352,000)
    assert two.solution.objective == pytest.approx(577_000 - 356_000)
    assert sorted(two.sites["cand_id"]) == ["C2", "C4"]


def test_capacity_limits_what_a_site_serves(world) -> None:
    # capacity 100 people: C1 can take d3 (80) or d4 (40) but not both
    res = run(world, sites=1, capacity=100.0)
    assert res.solution.model == "cmclp"
    assert res.solution.objective == 150 + 80
    assert res.sites["cand_id"].tolist() == ["C1"]
    assert res.sites["new_population"].tolist() == [80.0]
    assert list(res.newly_covered["C1"]) == ["d3"]
    assert res.coverage["covered_after"].iloc[0] == 230.0


def test_joint_siting_counts_people_once(world) -> None:
    res = run(world, categories=["elderly_care", "meal_aid"], sites=2)
    # C1: elderly d3+d4 (120) + meals d3+d4 (120); C4: elderly d7 (60); meal aid is urban only
    assert res.solution.objective == 150 + 240 + 60
    assert res.sites["cand_id"].tolist() == ["C1", "C4"]
    assert res.sites["categories"].tolist() == ["elderly_care,meal_aid"] * 2
    assert res.sites["new_population"].tolist() == [120.0, 60.0]
    g = res.site_gains.set_index(["cand_id", "category"])["new_population"]
    assert g[("C1", "elderly_care")] == 120 and g[("C1", "meal_aid")] == 120
    assert g[("C4", "meal_aid")] == 0
    cov = res.coverage.set_index("category")
    assert cov.loc["meal_aid", "population"] == 320.0  # rural d7 not required
    assert cov.loc["meal_aid", "covered_before"] == 0.0
    assert cov.loc["meal_aid", "share_after"] == pytest.approx(120 / 320)


def test_generated_candidates_when_no_layer(world) -> None:
    res = run(world, candidates=None, sites=3, candidate_spacing_m=500.0)
    gen = res.candidates
    assert (gen["source"] == "generated").all() and (gen["priority"] == 9).all()
    assert not gen["is_idle_asset"].any()
    x = gen.geometry.x.to_numpy() - X0
    # every 500 m along the roads, within 450 m of uncovered urban demand (d3, d4, d5) or
    # 900 m of uncovered rural demand (d7), at least 500 m from F1 and from F2 (planned
    # facilities do not cover yet, but new sites keep away from them): 2750 and 3250 go
    assert sorted(x.tolist()) == [2250, 3750, 4250, 4750, 5250, 5750, 10_250]
    # 2250 covers d3, 3750 or 4250 covers d4 and (rural) d7, 10250 covers d5
    assert res.solution.objective == 150 + 80 + 40 + 60 + 30
    x_sites = (res.sites.geometry.x - X0).tolist()
    assert x_sites[1:] == [2250, 10_250] and x_sites[0] in (3750, 4250)
    assert res.sites["new_population"].tolist() == [100.0, 80.0, 30.0]
    assert (res.sites["nearest_road_m"] < 1e-6).all()
    assert res.unreached["did"].tolist() == ["d6"]


def test_generation_spacing_widens_to_the_cap(world) -> None:
    res = run(world, candidates=None, sites=1, candidate_spacing_m=100.0, max_candidates=10)
    assert len(res.candidates) <= 10
    assert any("spacing" in w for w in run(world, candidates=None, sites=1,
                                             candidate_spacing_m=100.0, max_candidates=10,
                                             lang="en").warnings)


def test_times_from_table_and_columns(world) -> None:
    nets, demand, communities, _, candidates = world
    # an existing station that covers everyone urban except d4 (times given, no facility)
    t = pd.DataFrame({"elderly_care": [1, 1, 1, 20, 1, 1, 40]},
                     index=pd.Index(demand["did"], name="did"))
    res = plan(nets, demand, candidates, None, PROFILE, categories="elderly_care",
               communities=communities, times=t, sites=1)
    assert res.coverage["covered_before"].iloc[0] == 380 - 40 - 60
    assert res.sites["cand_id"].tolist() == ["C4"]  # d7 (60) beats d4 (40)
    with_cols = demand.assign(t_elderly_care=[1, 1, 1, 20, 1, 1, np.nan],
                              kind=["urban"] * 6 + ["rural"])
    res2 = plan(nets, with_cols, candidates, None, PROFILE, categories=["elderly_care"],
                sites=1)
    assert res2.sites["cand_id"].tolist() == ["C4"]


@pytest.mark.parametrize("model", ["mclp", "setcover", "pmedian"])
def test_no_candidates_proposes_nothing(world, model: str) -> None:
    res = run(world, candidates=None, generate=False, model=model, sites=2, lang="en")
    assert len(res.sites) == 0 and res.solution.selected == ()
    assert res.coverage["covered_after"].iloc[0] == res.coverage["covered_before"].iloc[0]
    assert sorted(res.unreached["reason"]) == sorted(
        ["no candidate within reach"] * 3 + ["disconnected road piece", "off-network"])
    assert any("no candidate sites" in w for w in res.warnings)


def test_bad_arguments(world) -> None:
    with pytest.raises(InputError, match="elderly_care"):
        run(world, categories=["elderly_cares"], sites=1)
    with pytest.raises(InputError, match="sites"):
        run(world)
    with pytest.raises(InputError, match="p-median"):
        run(world, model="pmedian")
    with pytest.raises(InputError, match="unknown model"):
        run(world, model="pcenter", sites=1)
    nets, demand, communities, facilities, candidates = world
    with pytest.raises(InputError, match="no network for mode 'ebike'"):
        plan({"walk": nets["walk"]}, demand, candidates, facilities, PROFILE,
             categories=["elderly_care"], communities=communities, sites=1)
    with pytest.raises(InputError, match="kind"):
        plan(nets, demand, candidates, facilities, PROFILE, categories=["elderly_care"],
             sites=1)



def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _planner_errors(world) -> dict[str, tuple[InputError, str]]:
    """Every API-level error of the planner with the value its message must name."""
    from lifecircle.planner.plan import matrices

    nets, demand, communities, facilities, candidates = world
    out: dict[str, tuple[InputError, str]] = {}

    def catch(name: str, value: str, call) -> None:
        with pytest.raises(InputError) as e:
            call()
        out[name] = (e.value, value)

    catch("model", "pcenter", lambda: run(world, model="pcenter", sites=1))
    catch("pmedian", "--sites", lambda: run(world, model="pmedian"))
    catch("mclp", "--sites", lambda: run(world))
    catch("sites", "0", lambda: run(world, sites=0))
    catch("capacity", "-5", lambda: run(world, sites=1, capacity=-5.0))
    catch("load", "elderly", lambda: run(world, sites=1, capacity=10.0, load="elderly"))
    catch("demand_column", "population",
          lambda: plan(nets, demand.drop(columns="population"), candidates, facilities,
                       PROFILE, categories=["elderly_care"], communities=communities,
                       sites=1))
    catch("too_many", "max_candidates = 2",
          lambda: run(world, sites=1, max_candidates=2, generate=False))
    catch("no_network", "ebike",
          lambda: plan({"walk": nets["walk"]}, demand, candidates, facilities, PROFILE,
                       categories=["elderly_care"], communities=communities, sites=1))
    from lifecircle.accessibility.times import travel_times

    # travel times made for all 7 demand points, passed with 6 of them

    times = travel_times(nets, demand, facilities, PROFILE,
                         circle=np.array(["urban"] * 6 + ["rural"], dtype=object),
                         candidates=candidates, max_snap_m=500.0)
    catch("count", "7", lambda: matrices(times, demand.iloc[:6], candidates, facilities,
                                         PROFILE, categories=["elderly_care"],
                                         communities=communities))
    base = gpd.GeoDataFrame({"cand_id": ["a", "b"]}, geometry=[Point(0, 0), Point(1, 1)],
                            crs=CRS)
    catch("cand_cost", "-2", lambda: cands_mod.from_layer(base.assign(cost=[1, -2])))
    catch("cand_dup", "'a'", lambda: cands_mod.from_layer(base.assign(cand_id=["a", "a"])))
    catch("cand_bool", "'maybe'", lambda: cands_mod.from_layer(
        base.assign(is_idle_asset=["yes", "maybe"])))
    catch("cand_number", "'high'", lambda: cands_mod.from_layer(
        base.assign(priority=[1, "high"])))
    catch("spacing", "0", lambda: cands_mod.generate(nets["walk"], spacing_m=0))
    return out


def test_planner_errors_in_either_language(world) -> None:
    """Each API-level planner error is a catalogue message: Chinese by default, English
    with ``en``, both naming the value and the fix."""
    errors = _planner_errors(world)
    assert len(errors) == 15
    for name, (e, value) in errors.items():
        zh, en = e.render("zh"), e.render("en")
        assert e.key is not None, name
        assert en == str(e) and "fix: " in en and value in en, (name, en)
        assert _cjk(zh) and "修正：" in zh and value in zh, (name, zh)
        assert not _cjk(en), (name, en)


def test_generated_site_label_comes_from_the_catalogue(world, monkeypatch) -> None:
    monkeypatch.setitem(i18n.TEXT, "plan.new_site", ("拟建点", "proposed spot"))
    for lang, label in (("zh", "拟建点"), ("en", "proposed spot")):
        res = run(world, candidates=None, sites=1, lang=lang)
        gen = res.candidates[res.candidates["source"] == "generated"]
        assert len(gen) and all(n.startswith(f"{label} G") for n in gen["name"]), gen["name"]


# ----------------------------------------------------------------------------- sets
def test_coverage_times_hand_and_oracle(world) -> None:
    nets, demand, *_ = world
    net = nets["walk"]
    cand = snap(net, [pt(3000), pt(200), pt(10_000)], max_snap_m=500)
    dem = snap(net, demand.geometry, max_snap_m=500)
    t = coverage_times(net, cand, dem, 1000.0)
    assert t.shape == (3, 7)
    np.testing.assert_allclose(t.toarray()[0], [0, 0, 400, 450, 0, 0, 0])
    assert t[0].indices.tolist() == [2, 3]
    # a candidate on a demand point keeps its explicit zero
    assert t[1].indices.tolist() == [0, 1]
    np.testing.assert_allclose(t[1].data, [0.0, 500.0], atol=1e-9)
    assert t[2].indices.tolist() == [4]
    np.testing.assert_allclose(t[2].data, [200.0])
    # per-point limits
    lim = np.array([1000, 400, 399, 1000, 1000, 1000, 1000.0])
    t2 = coverage_times(net, cand, dem, lim)
    assert t2[1].indices.tolist() == [0] and t2[0].indices.tolist() == [3]
    # chunked searches give the same matrix; each row matches a one-source search
    t3 = coverage_times(net, cand, dem, 1000.0, chunk=1, batch=1)
    assert (t3 != t).nnz == 0
    for j in range(3):
        secs, _ = nearest(net, cand.take([j]), dem, limit_s=1000.0)
        row = np.full(7, np.inf)
        row[t[j].indices] = t[j].data
        np.testing.assert_allclose(row, secs)
    cov = within(t, np.array([1e-9, 501, 501, 501, 501, 501, 501.0]))
    assert cov.toarray().astype(int).tolist() == [[0, 0, 1, 1, 0, 0, 0], [1, 1, 0, 0, 0, 0, 0],
                                                  [0, 0, 0, 0, 1, 0, 0]]
    placed = place_columns([(t[:, :2], np.array([5, 1]))], 3, 6)
    assert placed[1].indices.tolist() == [1, 5]
    np.testing.assert_allclose(placed[1].data, [500.0, 0.0], atol=1e-9)


# ----------------------------------------------------------------------------- candidates
def test_from_layer_defaults_and_polygons() -> None:
    gdf = gpd.GeoDataFrame({"name": ["旧宾馆", None], "priority": [1, None]},
                           geometry=[box(0, 0, 10, 10), Point(5, 5)], crs=CRS)
    out = cands_mod.from_layer(gdf)
    assert list(out.columns) == [*cands_mod.COLUMNS, "geometry"]
    assert out["cand_id"].tolist() == ["C1", "C2"]
    assert out["name"].tolist() == ["旧宾馆", "C2"]
    assert out["priority"].tolist() == [1, cands_mod.DEFAULT_PRIORITY]
    assert out["is_idle_asset"].tolist() == [True, False]
    assert out["cost"].tolist() == [1.0, 1.0]
    assert shapely.get_type_id(out.geometry.values).tolist() == [0, 0]
    assert out.geometry.iloc[0].within(box(0, 0, 10, 10))
    idle = cands_mod.from_layer(gdf.assign(is_idle_asset=["否", "是"]).drop(columns="priority"))
    assert idle["is_idle_asset"].tolist() == [False, True]
    assert idle["priority"].tolist() == [cands_mod.DEFAULT_PRIORITY, 1]


def test_from_layer_errors() -> None:
    base = gpd.GeoDataFrame({"cand_id": ["a", "a"]}, geometry=[Point(0, 0), Point(1, 1)],
                            crs=CRS)
    with pytest.raises(InputError, match="cand_id 'a' is not unique"):
        cands_mod.from_layer(base)
    with pytest.raises(InputError, match=r"row 1: priority = 'high'"):
        cands_mod.from_layer(base.assign(cand_id=["a", "b"], priority=[1, "high"]))
    with pytest.raises(InputError, match="row 0: no geometry"):
        cands_mod.from_layer(gpd.GeoDataFrame({"cand_id": ["a"]}, geometry=[None], crs=CRS))
    with pytest.raises(InputError, match="is_idle_asset"):
        cands_mod.from_layer(base.assign(cand_id=["a", "b"], is_idle_asset=["yes", "maybe"]))


def test_generate_spacing_within_and_avoid(world) -> None:
    net = world[0]["walk"]
    every = cands_mod.generate(net, spacing_m=1000.0)
    x = sorted((every.geometry.x - X0).round(6).tolist())
    assert x == [500, 1500, 2500, 3500, 4500, 5500, 10_250]
    inside = cands_mod.generate(net, spacing_m=1000.0,
                                within=gpd.GeoSeries([box(X0 + 1000, Y0 - 1, X0 + 3000,
                                                          Y0 + 1)], crs=CRS))
    assert sorted((inside.geometry.x - X0).tolist()) == [1500, 2500]
    away = cands_mod.generate(net, spacing_m=1000.0, avoid=[pt(2400)], min_distance_m=200)
    assert 2500 not in (away.geometry.x - X0).tolist() and len(away) == 6
    near = cands_mod.generate(net, spacing_m=1000.0, near=np.array([[X0 + 5000, Y0]]),
                              near_m=600)
    assert sorted((near.geometry.x - X0).tolist()) == [4500, 5500]
    with pytest.raises(InputError, match="spacing"):
        cands_mod.generate(net, spacing_m=0)
    assert cands_mod.thin(np.array([[0.0, 0], [10, 10], [60, 60], [150, 50]]), 100).tolist() \
        == [2, 3]


def test_default_spacing_follows_the_circle_reach(world) -> None:
    res = run(world, candidates=None, sites=3)
    x = np.sort(res.candidates.geometry.x.to_numpy() - X0)
    # urban circle: 15 min at 3.6 km/h = 900 m reach -> candidates at most 225 m apart along
    # the road, at least 225 m from F1 (0) and F2 (3000); the rural 1800 m reach -> 450 m
    assert np.min(np.diff(x)) <= 225.0 and np.min(np.diff(x)) >= 225.0 * 0.9
    rural = np.diff(x[(x > 4100) & (x < 5900)])
    assert rural.max() > 300.0
    assert np.min(np.abs(x[:, None] - np.array([0.0, 3000.0])[None, :])) >= 225.0 - 1e-6


def test_generation_explains_finding_nothing(world) -> None:
    res = run(world, candidates=None, sites=1, candidate_spacing_m=12_000.0, lang="en")
    assert len(res.candidates) == 0
    why = next(w for w in res.warnings if w.startswith("no candidate sites generated"))
    assert "uncovered residents; candidates are placed every 12000 m along roads within " \
           "450 m of them (half the circle's straight reach of 900 m); all " in why
    assert "road positions lie within 12000 m of an existing elderly_care site; fix: lower " \
           "[planner] candidate_spacing_m" in why
    zh = run(world, candidates=None, sites=1, candidate_spacing_m=12_000.0, lang="zh")
    why_zh = next(i18n.render(w, "zh") for w in zh.warnings if w.key == "warn.plan.none_generated")
    assert why_zh.startswith("没有生成候选点：")
    assert "候选点沿路每 12000 米一个，距未覆盖居民 450 米内（圈层直线可达 900 米的一半）；沿路 " \
           in why_zh
    assert "米以内；解决：调小 [planner] candidate_spacing_m（也决定与已有设施的最小距离）" \
        in why_zh


def test_plan_warnings_speak_the_run_language(world) -> None:
    """Every planner warning is a catalogue note: whole Chinese in zh, no Chinese in en."""
    from test_language import chinese_runs, english_runs

    candidates = world[4]
    results = [
        run(world, candidates=None, sites=1, candidate_spacing_m=12_000.0),
        run(world, candidates=None, sites=1, candidate_spacing_m=100.0, max_candidates=10),
        run(world, candidates=None, generate=False, sites=2),
        run(world, model="setcover", capacity=100.0),
        run(world, model="pmedian", sites=50),
        run(world, sites=1, candidates=candidates.assign(
            geometry=[*candidates.geometry[:4], pt(1500, 3000)])),
    ]
    notes = {w.key: w for r in results for w in r.warnings}
    assert {"warn.plan.none_generated", "warn.plan.spacing_widened", "warn.plan.no_candidates",
            "warn.plan.setcover_capacity", "warn.plan.few_candidates",
            "warn.plan.off_road"} <= set(notes), sorted(notes)
    data = ["[planner] candidate_spacing_m", "elderly_care", *candidates["cand_id"]]
    for key, note in notes.items():
        zh, en = i18n.render(note, "zh"), i18n.render(note, "en")
        assert en == str(note) and zh != en, key
        assert not english_runs(zh, data), (key, zh)
        assert not chinese_runs(en, data), (key, en)


# ------------------------------------------------------- the category's own level (GB 50180)
def _level_world(minutes: float | None):
    """One road, 1 m/s; urban residents at 1000/1500/2000 (50 each) and 4000 (120), an
    existing kindergarten at 0; candidates along the road. ``minutes``: the kindergarten's
    level in gb50180-2018 (5) or None (judged at the circle's 15 minutes)."""
    walk = Mode("walk", "步行", "walk", 3.6, pedestrian=True)
    gb = load_profile("gb50180-2018")
    cats = dict(gb.categories)
    cats["childcare"] = dataclasses.replace(cats["childcare"], minutes=minutes)
    profile = dataclasses.replace(gb, modes={"walk": walk, "walk_elderly": walk},
                                  categories=cats)
    roads = gpd.GeoDataFrame({"road_class": ["residential"]},
                             geometry=[LineString([(X0 - 500, Y0), (X0 + 6000, Y0)])], crs=CRS)
    nets = {"walk": build(roads, walk)}
    xs = [1000.0, 1500, 2000, 4000]
    demand = gpd.GeoDataFrame({"did": ["a", "b", "c", "d"], "cid": ["U"] * 4,
                               "population": [50.0, 50, 50, 120]},
                              geometry=[pt(x) for x in xs], crs=CRS)
    communities = pd.DataFrame({"cid": ["U"], "name": ["东苑社区"], "kind": ["urban"]})
    facilities = gpd.GeoDataFrame({"fid": ["K0"], "name": ["幼儿园"], "category": ["childcare"],
                                   "status": ["existing"]}, geometry=[pt(0)], crs=CRS)
    cx = [1000.0, 1250, 1500, 2000, 3000, 3800, 4000, 4200]
    candidates = gpd.GeoDataFrame({"cand_id": [f"C{i}" for i in range(len(cx))],
                                   "name": [f"地块{i}" for i in range(len(cx))],
                                   "priority": [1] * len(cx),
                                   "is_idle_asset": [False] * len(cx)},
                                  geometry=[pt(x) for x in cx], crs=CRS)
    return profile, nets, demand, communities, facilities, candidates, xs, cx


def _brute_force(xs, pop, cx, limit_s, p):
    """Best p candidates by covered population (straight road, 1 m/s: seconds =
    metres), ties to the lower index, and that population."""
    import itertools

    best = (-1.0, ())
    for combo in itertools.combinations(range(len(cx)), p):
        got = sum(w for x, w in zip(xs, pop, strict=True)
                  if min(abs(x - cx[j]) for j in combo) <= limit_s)
        if got > best[0] + 1e-9:
            best = (got, combo)
    return best


@pytest.mark.parametrize("sites", [1, 2])
def test_a_5_minute_category_is_sited_for_5_minutes(sites: int) -> None:
    pop = [50.0, 50, 50, 120]
    for minutes, limit_s in ((5.0, 300.0), (None, 900.0)):
        profile, nets, demand, comms, fac, cand, xs, cx = _level_world(minutes)
        res = plan(nets, demand, cand, fac, profile, categories=["childcare"],
                   communities=comms, sites=sites, max_snap_m=50.0)
        want_pop, _ = _brute_force(xs, pop, cx, limit_s, sites)
        got = sorted(int(str(c)[1:]) for c in res.sites["cand_id"])
        assert res.solution.objective == pytest.approx(want_pop)
        # the sites' newly covered population is the oracle's (the existing one at 0
        # covers nobody: 1000 m is beyond 900 and 300 m)
        assert res.sites["new_population"].sum() == pytest.approx(want_pop)
        covered = [x for x in xs if min(abs(x - cx[j]) for j in got) <= limit_s]
        assert sum(w for x, w in zip(xs, pop, strict=True) if x in covered) == \
            pytest.approx(want_pop)
        cov = res.coverage.set_index("category").loc["childcare"]
        assert cov["covered_before"] == 0.0
        assert cov["share_after"] == pytest.approx(want_pop / sum(pop))
        if sites == 1:
            # at 5 minutes the lone 120 at 4000 m wins (1250 m reaches a and b: 100); at
            # the circle's 15 the three within 900 m of 1500 m (150) would
            assert covered == ([4000.0] if minutes else [1000.0, 1500.0, 2000.0])
            assert want_pop == (120.0 if minutes else 150.0)


def test_level_sets_existing_coverage_and_generated_spacing() -> None:
    """An existing kindergarten 250 m away covers at 5 minutes (300 m) but one 400 m away
    does not; generated candidates are spaced at a quarter of the 5-minute reach."""
    profile, nets, demand, comms, fac, *_ = _level_world(5.0)
    fac = fac.set_geometry([pt(1250)])  # 250 m from a and b, 750 m from c
    res = plan(nets, demand, None, fac, profile, categories=["childcare"], communities=comms,
               sites=1, max_snap_m=50.0, generate=True)
    cov = res.coverage.set_index("category").loc["childcare"]
    assert cov["covered_before"] == 100.0          # a and b (250 m), not c (750 m)
    assert res.sites["new_population"].tolist() == [120.0]  # d, the larger gap
    # 300 m reach at 5 minutes -> 75 m spacing (not 225 m at the circle's 15 minutes)
    xs_gen = np.sort(res.candidates.geometry.x.to_numpy() - X0)
    steps = np.diff(xs_gen)
    assert 60.0 < np.median(steps) < 90.0
