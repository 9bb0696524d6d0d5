"""Supply, groups, equity and scenarios through the whole pipeline on a small region."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest

from lifecircle import pipeline, project
from lifecircle.accessibility.equity import gini


@pytest.fixture(scope="module")
def result(small_region: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> tuple[pipeline.Analysis, Path]:
    folder = tmp_path_factory.mktemp("assess")
    a = pipeline.analyse(project.load(small_region))
    a = pipeline.plan_analysis(a, categories=["elderly_care"], sites=2, generate=True,
                               time_limit_s=5)
    out = folder / "result"
    out.mkdir()
    pipeline.write_outputs(a, out)
    return a, out


def test_result_layers_carry_load_groups_equity_scenarios(result) -> None:
    a, out = result
    gpkg = out / "lifecircle.gpkg"
    names = {str(n) for n, _ in pyogrio.list_layers(gpkg)}
    assert {"equity", "target_groups", "scenarios", "run_info"} <= names
    fac = pyogrio.read_dataframe(gpkg, layer="facilities")
    assert {"load", "capacity", "ratio", "over_capacity", "load_of"} <= set(fac.columns)
    existing = fac[fac["status"] == "existing"]
    assert existing["load"].notna().any()
    assert fac.loc[fac["status"] == "planned", "load"].isna().all()
    comm = pyogrio.read_dataframe(gpkg, layer="communities")
    assert "sup_elderly_care" in comm.columns and "gcov_elderly_care" in comm.columns
    # equity in the scorecard equals the Gini of the communities layer's own coverage
    card = a.scorecard.set_index(["indicator", "scope"])
    g = card.loc[("equity.gini_coverage", "all"), "value"]
    assert g == pytest.approx(gini(comm["cov_all"], comm["population"]), abs=1e-12)
    assert card.loc[("equity.gini_coverage", "all"), "status"] == "info"
    # scenarios: adding facilities never lowers coverage
    sc = a.assessment.scenarios
    piv = sc.pivot_table(index=["kind", "category"], columns="scenario", values="share")
    assert {"existing", "planned", "proposed"} <= set(piv.columns)
    assert (piv["planned"] >= piv["existing"] - 1e-12).all()
    assert (piv["proposed"] >= piv["planned"] - 1e-12).all()
    # the planned scenario adds exactly the planned facilities
    n_planned = int((a.layers.facilities["status"] == "planned").sum())
    fac_counts = sc[sc["category"] == "all"].groupby("scenario")["facilities"].first()
    assert fac_counts["planned"] - fac_counts["existing"] == n_planned
    # proposed elderly care raises urban elderly-care coverage
    ec = piv.loc[("urban", "elderly_care")]
    assert ec["proposed"] > ec["planned"]


def test_report_and_csvs_have_the_sections(result) -> None:
    _, out = result
    page = (out / "report.html").read_text(encoding="utf-8")
    for title in ("供需与设施负荷", "重点人群覆盖", "均衡性", "洛伦兹曲线", "情景"):
        assert title in page, title
    assert 'class="chart lorenz"' in page
    for f in ("facility_load.csv", "equity.csv", "target_groups.csv", "scenarios.csv"):
        frame = pd.read_csv(out / f, encoding="utf-8-sig")
        assert len(frame) > 0, f
    # the CSV is in the run's language (headers and values); the raw codes live in the
    # GeoPackage's table of the same name
    groups = pyogrio.read_dataframe(out / "lifecircle.gpkg", layer="target_groups")
    assert len(groups) == len(pd.read_csv(out / "target_groups.csv", encoding="utf-8-sig"))
    urban = groups[(groups["kind"] == "urban") & (groups["category"] == "elderly_care")]
    assert urban["mode"].tolist() == ["walk_elderly"]
    # slower walkers are never better served than everyone at the usual speed
    assert float(urban["group_share"].iloc[0]) <= float(urban["share"].iloc[0]) + 0.05
    assert np.isfinite(urban["group_share"]).all()
    # the demo carries `children` (0-14): the childcare group's coverage is computed, at
    # the circle's own mode (the group names none of its own)
    kids = groups[(groups["kind"] == "urban") & (groups["category"] == "childcare")]
    assert len(kids) == 1 and kids["mode"].tolist() == ["walk"]
    assert np.isfinite(kids["group_share"]).all() and kids["group_residents"].iloc[0] > 0


def test_compare_a_result_with_itself_changes_nothing(result, tmp_path: Path) -> None:
    from lifecircle.outputs.compare import compare

    _, out = result
    c = compare(out, out)
    assert (pd.DataFrame(c.communities)["d_cov_all"].fillna(0) == 0).all()
    assert c.only_a == c.only_b == 0


def test_map_popups_show_load_and_group_coverage(result) -> None:
    _, out = result
    page = (out / "map.html").read_text(encoding="utf-8")
    for label in ("负荷(生活圈内居民)", "超负荷", "每千人服务规模", "重点人群覆盖率：养老服务站",
                  "全部服务覆盖率(含规划)", "每千人供给(2SFCA)：养老服务站",
                  "每千人供给(E2SFCA)：养老服务站"):
        assert label in page, label


def test_e2sfca_beside_2sfca_in_the_geopackage_and_report(result) -> None:
    """Per demand point and per community, the E2SFCA value sits beside the 2SFCA one;
    the community value is the population-weighted mean of its points'."""
    _, out = result
    gpkg = out / "lifecircle.gpkg"
    dem = pyogrio.read_dataframe(gpkg, layer="demand", read_geometry=False)
    comm = pyogrio.read_dataframe(gpkg, layer="communities", read_geometry=False)
    cats = [c[len("sup_"):] for c in comm.columns if c.startswith("sup_")]
    assert "elderly_care" in cats
    for cat in cats:
        assert f"esup_{cat}" in comm.columns and f"esup_{cat}" in dem.columns
        pts = dem[dem[f"esup_{cat}"].notna()]
        assert len(pts) > 0
        assert np.isfinite(pts[f"esup_{cat}"]).all()
        for cid, g in pts.groupby("cid"):
            w = g["population"].to_numpy(float)
            if w.sum() > 0:
                want = float((g[f"esup_{cat}"] * w).sum() / w.sum())
                got = float(comm.loc[comm["cid"] == cid, f"esup_{cat}"].iloc[0])
                assert got == pytest.approx(want, rel=1e-9)
    # E2SFCA weighs near residents more: it differs from 2SFCA somewhere
    assert not np.allclose(dem["esup_elderly_care"].fillna(-1), dem["sup_elderly_care"].fillna(-1))
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "E2SFCA 阶梯衰减（时限 3 等分，权重 1 / 0.68 / 0.22）" in page
    assert "2SFCA（时限内权重为 1）" in page


def test_report_scorecard_shows_target_years(result) -> None:
    _, out = result
    page = (out / "report.html").read_text(encoding="utf-8")
    row = page[page.index("区县社区客厅覆盖率"):][:300]
    assert "（2023年）" in row
    row = page[page.index("社区综合服务设施覆盖率</td>"):][:300]
    assert "（2025年）" in row


def test_over_capacity_is_a_layer_of_its_own(result) -> None:
    """GeoPackage layer ``over_capacity``: exactly the facilities whose load passes their
    capacity, with load / capacity, styled, and in the QGIS project (switched on)."""
    import sqlite3
    import zipfile

    _, out = result
    gpkg = out / "lifecircle.gpkg"
    names = [str(n) for n, _ in pyogrio.list_layers(gpkg)]
    assert names.index("over_capacity") == names.index("facilities") + 1
    fac = pyogrio.read_dataframe(gpkg, layer="facilities")
    over = pyogrio.read_dataframe(gpkg, layer="over_capacity")
    info = pyogrio.read_info(gpkg, layer="over_capacity")
    assert info["geometry_type"] == "Point"
    cap = fac["capacity"].astype(float)
    load = fac["load"].astype(float)
    want = fac[cap.notna() & (load > cap)]
    assert len(want) > 0  # the demo region has overloaded facilities
    assert sorted(over["fid"]) == sorted(want["fid"])
    np.testing.assert_allclose(over["utilisation"], over["load"] / over["capacity"], rtol=1e-12)
    assert (over["utilisation"] > 1).all()
    assert over["utilisation"].is_monotonic_decreasing
    for _, r in over.iterrows():  # same place as the facility
        f = fac.loc[fac["fid"] == r["fid"]].iloc[0]
        assert r.geometry.equals_exact(f.geometry, 1e-6)
    db = sqlite3.connect(gpkg)
    try:
        styled = {r[0] for r in db.execute("SELECT f_table_name FROM layer_styles")}
    finally:
        db.close()
    assert "over_capacity" in styled
    with zipfile.ZipFile(out / "lifecircle.qgz") as z:
        qgs = z.read("lifecircle.qgs").decode("utf-8")
    assert "layername=over_capacity" in qgs and "超负荷设施" in qgs


def test_proposed_scenario_reports_supply_and_groups(result) -> None:
    """The "+ proposed sites" scenario routes the sites as facilities with a capacity (the
    profile's default for elderly care: 30, as the output says), and its supply equals a
    from-scratch 2SFCA/E2SFCA over existing + planned + proposed facilities."""
    from lifecircle.accessibility.snap import snap
    from lifecircle.accessibility.supply import supply_and_load
    from lifecircle.pipeline import _demand_snaps

    a, out = result
    caps = a.assessment.proposed_capacity
    assert len(caps) == len(a.plan.sites) > 0
    assert (caps["capacity"] == 30.0).all() and (caps["capacity_from"] == "profile").all()
    assert a.project.profile.categories["elderly_care"].default_capacity == 30.0
    sc = a.assessment.scenarios.set_index(["scenario", "kind", "category"])
    for m in ("group_share", "supply_2sfca", "supply_e2sfca"):
        assert m in sc.columns
    base = "planned" if "planned" in sc.index.get_level_values(0) else "existing"
    prop = sc.loc[("proposed", "urban", "elderly_care")]
    before = sc.loc[(base, "urban", "elderly_care")]
    # more places and shorter walks never lower the elderly's coverage
    assert prop["group_share"] >= before["group_share"] - 1e-12
    assert prop["supply_2sfca"] != before["supply_2sfca"]
    # categories the sites do not host keep the previous scenario's supply
    for cat in ("meal_aid", "childcare"):
        if (base, "urban", cat) in sc.index and np.isfinite(sc.loc[(base, "urban", cat),
                                                                   "supply_2sfca"]):
            assert sc.loc[("proposed", "urban", cat), "supply_2sfca"] == pytest.approx(
                sc.loc[(base, "urban", cat), "supply_2sfca"], rel=1e-12)
    # from scratch: every facility snapped anew, one supply_and_load
    profile = a.project.profile
    fac = a.layers.facilities
    ec = fac[fac["category"] == "elderly_care"][["fid", "category", "capacity", "geometry"]]
    sites = a.plan.sites.assign(fid=a.plan.sites["cand_id"], category="elderly_care",
                                capacity=30.0)[["fid", "category", "capacity", "geometry"]]
    allf = pd.concat([ec, sites], ignore_index=True)
    tt = a.travel_times
    snaps = {}
    for mode in {c.mode for c in profile.circles.values()}:
        snaps[(mode, "elderly_care")] = snap(tt.networks[mode], allf.geometry,
                                             max_snap_m=a.project.network.max_snap_m)
    s = supply_and_load(tt.networks, _demand_snaps(tt, profile), snaps, allf,
                        a.demand.points, a.layers.communities, profile)
    points = a.demand.points
    kind = points["cid"].map(a.layers.communities.set_index("cid")["kind"]).to_numpy()
    pop = points["population"].to_numpy(float)
    for col, table in (("supply_2sfca", s.points), ("supply_e2sfca", s.enhanced)):
        v = table["elderly_care"].reindex(points["did"]).to_numpy(float)
        ok = (kind == "urban") & np.isfinite(v) & (pop > 0)
        want = float((v[ok] * pop[ok]).sum() / pop[ok].sum())
        assert prop[col] == pytest.approx(want, rel=1e-9), col
    # said in the output: the GeoPackage table, the CSV and the report
    gpkg_caps = pyogrio.read_dataframe(out / "lifecircle.gpkg", layer="proposed_capacity")
    assert sorted(gpkg_caps["cand_id"]) == sorted(caps["cand_id"])
    assert (out / "proposed_capacity.csv").is_file()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "各情景的供需与重点人群覆盖" in page
    assert "建议新址的服务规模（供需计算所用）" in page
    assert "标准配置默认值（default_capacity）" in page


def test_proposed_capacity_precedence() -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    from lifecircle.accessibility.assess import proposed_capacities
    from lifecircle.project import load_profile

    profile = load_profile("maanshan-2025")
    added = gpd.GeoDataFrame({"rank": [1, 2, 3], "cand_id": ["C1", "G1", "G2"],
                              "category": ["elderly_care", "elderly_care", "health"]},
                             geometry=[Point(0, 0)] * 3)
    got = proposed_capacities(added, profile, {"C1": 12.0}, None)
    assert got["capacity"].tolist()[:2] == [12.0, 30.0]
    assert np.isnan(got["capacity"].iloc[2])
    assert got["capacity_from"].tolist() == ["candidate", "profile", "none"]
    got = proposed_capacities(added, profile, {"C1": 12.0}, 50.0)
    assert got["capacity"].tolist() == [12.0, 50.0, 50.0]
    assert got["capacity_from"].tolist() == ["candidate", "planner", "planner"]


def test_equity_note_is_in_the_run_language(result) -> None:
    """Without urban or rural residents the urban-rural gap has no value; its note is a
    catalogue message (Chinese in a zh run, English in an en run)."""
    import dataclasses

    from lifecircle import i18n
    from lifecircle.accessibility import assess

    a, _ = result
    eq = a.assessment.equity
    no_gap = dataclasses.replace(a.assessment, equity=eq[eq["measure"] != "urban_rural_gap"])
    note = assess.scorecard_rows(no_gap, "zh").set_index("indicator").loc[
        "equity.urban_rural_gap", "note"]
    assert i18n.render(note, "zh") == "没有城市居民或没有农村居民"
    assert i18n.render(note, "en") == "no urban or no rural residents"
