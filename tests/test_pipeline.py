"""The pipeline as a library, on a small generated region (fast)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from lifecircle import pipeline, project


@pytest.fixture(scope="module")
def analysis(small_region: Path) -> pipeline.Analysis:
    """The small region's analysis in English (the language of the runs below, so that
    :func:`test_whole_run_is_the_same_with_workers` can write its outputs; read-only)."""
    return pipeline.analyse(dataclasses.replace(project.load(small_region), lang="en"))


@pytest.fixture(scope="module")
def run_one(analysis: pipeline.Analysis, tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[pipeline.RunSummary, Path]:
    """``run`` (check and outputs) with one job, in English: its summary and result folder
    (read-only)."""
    out = tmp_path_factory.mktemp("run-one") / "one"
    summary = pipeline.run(analysis.project.path, out, steps=("check", "outputs"), jobs=1,
                           lang="en")
    return summary, out


def test_capacity_counts_elderly_residents(analysis: pipeline.Analysis) -> None:
    cap = 150.0
    result = pipeline.plan_sites(analysis, categories=["elderly_care"], sites=3,
                                 capacity=cap, load="elderly", generate=True, time_limit_s=1)
    # optimal or not (HiGHS stops at the limit on this model: 1 s instead of 5 gives the same
    # sites, and the greedy fallback is fine too), no site serves more than its capacity
    comm = analysis.layers.communities.set_index("cid")
    share = comm["elderly"] / comm["population"]
    points = analysis.demand.points.set_index("did")
    assert len(result.sites) >= 1
    for cand_id, dids in result.newly_covered.items():
        pts = points.loc[list(dids)]
        elderly = float((pts["population"] * pts["cid"].map(share)).sum())
        assert elderly <= cap + 1e-6, (cand_id, elderly)
    # without a capacity the same sites reach more people
    free = pipeline.plan_sites(analysis, categories=["elderly_care"], sites=3, generate=True,
                               time_limit_s=5)
    assert free.sites["new_population"].sum() > result.sites["new_population"].sum()


def test_summary_names_map_and_report(analysis: pipeline.Analysis, run_one) -> None:
    summary, out = run_one
    lines = summary.footer("en")
    assert f"map: {(out / 'map.html').resolve().as_uri()}" in lines
    assert f"report: {(out / 'report.html').resolve().as_uri()}" in lines
    assert np.isfinite(summary.cov_all_urban)
    # a frozen, typed result: one CategoryCoverage per category the circles require
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.seconds = 0.0  # type: ignore[misc]
    assert [r.key for r in summary.rows] == list(analysis.coverage.categories)
    assert all(isinstance(r, pipeline.CategoryCoverage) for r in summary.rows)
    by_kind = analysis.coverage.by_kind.set_index(["kind", "category"])
    first = summary.rows[0]
    assert first.urban == pytest.approx(float(by_kind.loc[("urban", first.key), "share"]))
    assert isinstance(summary.files, tuple) and "report.html" in summary.files


def test_worker_processes_give_the_same_layers_and_rasters(analysis: pipeline.Analysis,
                                                            tmp_path: Path) -> None:
    import rasterio
    import shapely

    one = pipeline.result_layers(analysis, jobs=1)["service_areas"]
    two = pipeline.result_layers(analysis, jobs=2)["service_areas"]
    assert len(one) > 0
    assert one.drop(columns="geometry").equals(two.drop(columns="geometry"))
    assert list(shapely.to_wkb(one.geometry.values)) == list(shapely.to_wkb(two.geometry.values))
    (tmp_path / "1").mkdir()
    (tmp_path / "2").mkdir()
    r1 = pipeline.travel_time_rasters(analysis, tmp_path / "1", jobs=1)
    r2 = pipeline.travel_time_rasters(analysis, tmp_path / "2", jobs=2)
    assert [p.name for p in r1] == [p.name for p in r2] and r1
    for a, b in zip(r1, r2, strict=True):
        with rasterio.open(a) as fa, rasterio.open(b) as fb:
            assert np.array_equal(fa.read(1), fb.read(1))
            assert (fa.read(1) >= 0).any()


def _same_result_files(a: Path, b: Path) -> None:
    """Two result folders hold the same files with the same content: byte for byte, apart
    from folium's random element ids, the reports' time stamps and the GeoPackage's (each
    layer read back and compared instead)."""
    import re

    import pyogrio
    import shapely

    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        x, y = (a / name).read_bytes(), (b / name).read_bytes()
        if name.endswith((".html", ".md")):  # report.md carries the time stamp too
            x, y = (re.sub(rb"[0-9a-f]{32}|\d{4}-\d\d-\d\d \d\d:\d\d UTC", b"", v)
                    for v in (x, y))
        elif name in (".lifecircle-result.json", "lifecircle.qgz"):
            continue    # time stamps and layer ids; the layers are compared in the gpkg
        elif name.endswith(".gpkg"):
            layers = [n for n, _ in pyogrio.list_layers(a / name)]
            assert layers == [n for n, _ in pyogrio.list_layers(b / name)]
            for layer in layers:
                fa = pyogrio.read_dataframe(a / name, layer=layer)
                fb = pyogrio.read_dataframe(b / name, layer=layer)
                if layer == "layer_styles":
                    fa, fb = fa.drop(columns="update_time"), fb.drop(columns="update_time")
                if "geometry" in fa.columns:
                    assert list(shapely.to_wkb(fa.geometry.values)) == \
                        list(shapely.to_wkb(fb.geometry.values)), layer
                    fa, fb = fa.drop(columns="geometry"), fb.drop(columns="geometry")
                assert fa.equals(fb), layer
            continue
        assert x == y, name


def test_whole_run_is_the_same_with_workers(analysis: pipeline.Analysis, run_one,
                                            tmp_path: Path) -> None:
    """`run` with two jobs (service areas and rasters drawn beside the analysis, map and
    report written beside the GeoPackage) writes what one job writes, in order."""
    one, two = run_one[1], tmp_path / "two"
    pipeline.run(analysis.project.path, two, steps=("check", "outputs"), jobs=2, lang="en")
    assert list(one.glob("traveltime_*.tif")) and (one / "map.html").exists()
    _same_result_files(one, two)
    # and what write_outputs writes on its own (no drawing started early) from an analysis
    # of the same project in the same language
    assert analysis.project.lang == "en" and analysis.plan is None
    three = tmp_path / "three"
    three.mkdir()
    pipeline.write_outputs(analysis, three, jobs=2)
    (three / ".lifecircle-result.json").write_text("")
    _same_result_files(one, three)


def test_check_skips_the_display_only_service_areas(analysis: pipeline.Analysis,
                                                    tmp_path: Path) -> None:
    import pyogrio

    plain = tmp_path / "plain"
    pipeline.run(analysis.project.path, plain, steps=("check",), jobs=1)
    layers = {name for name, _ in pyogrio.list_layers(plain / "lifecircle.gpkg")}
    assert "service_areas" not in layers and {"communities", "gaps", "demand"} <= layers
    assert not list(plain.glob("*.tif")) and not (plain / "map.html").exists()
    asked = tmp_path / "asked"
    pipeline.run(analysis.project.path, asked, steps=("check",), service_areas=True, jobs=2)
    areas = pyogrio.read_dataframe(asked / "lifecircle.gpkg", layer="service_areas")
    assert len(areas) > 0 and set(areas.geom_type) <= {"Polygon", "MultiPolygon"}


def test_every_point_set_is_snapped_once_per_mode(analysis: pipeline.Analysis,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Coverage, planner and result layers reuse the travel-time step's snaps."""
    import lifecircle.accessibility.snap as snap_module

    real = snap_module._points_xy
    seen: list[tuple[int, bytes]] = []

    def recording(points, network):
        xy = real(points, network)
        seen.append((id(network), np.ascontiguousarray(xy).tobytes()))
        return xy

    monkeypatch.setattr(snap_module, "_points_xy", recording)
    fresh = pipeline.analyse(analysis.project)
    n_modes = len(fresh.networks)
    assert fresh.layers.candidates is not None and len(fresh.layers.candidates)
    # demand, facilities and candidates, once per mode; demand and facilities once more on
    # each target group's own mode (the elderly's walk_elderly), for group coverage
    groups = {m for g in fresh.project.profile.groups.values() for m in g.modes.values()}
    n_group = len(groups - set(fresh.networks))
    assert len(seen) == 3 * n_modes + 2 * n_group
    planned = pipeline.plan_analysis(fresh, categories=["elderly_care"], sites=2,
                                     generate=True, time_limit_s=5)
    pipeline.result_layers(planned, service_areas=True, jobs=1)
    empty = np.zeros((0, 2)).tobytes()
    repeated = [k for k in set(seen) if seen.count(k) > 1 and k[1] != empty]
    assert not repeated, f"{len(repeated)} point sets snapped twice"
    # the planner snapped only its generated candidates (one more set per mode in use); the
    # "+ proposed sites" scenario reuses the planner's snaps of its sites and snaps them only
    # on each group's own mode (the elderly's coverage at 3 km/h)
    assert len(seen) <= 4 * n_modes + 3 * n_group
    # the planned analysis shares the step's travel times
    assert planned.plan is not None and fresh.plan is None
    assert planned.travel_times is fresh.travel_times
    tt = fresh.travel_times
    assert fresh.facility_snaps[("walk", "elderly_care")].edge.tolist() == \
        tt.modes["walk"].facilities.take(tt.facility_rows("elderly_care")).edge.tolist()


def test_drawing_starts_once_the_facilities_are_snapped(analysis: pipeline.Analysis) -> None:
    """``run`` starts the display-only drawing from ``on_facilities``: the networks and
    facility snaps it gets are the step's final ones, before any demand point is snapped."""
    seen: list[tuple[object, object]] = []
    fresh = pipeline.analyse(analysis.project,
                             on_facilities=lambda layers, tt: seen.append((layers, tt)))
    assert len(seen) == 1
    layers, early = seen[0]
    assert layers is fresh.layers
    tt = fresh.travel_times
    assert set(early.modes) == set(tt.modes)
    for mode, ms in tt.modes.items():
        assert len(early.modes[mode].demand) == 0 and len(ms.demand) > 0
        assert early.modes[mode].network is ms.network
        assert early.modes[mode].facilities is ms.facilities
    assert (early.circle == tt.circle).all()
    for key, snapped in pipeline._facility_snaps(fresh.project.profile, early).items():
        assert snapped.edge.tolist() == fresh.facility_snaps[key].edge.tolist()


def test_coverage_with_sites_matches_the_plan(analysis: pipeline.Analysis) -> None:
    """The map's "with proposed sites" view agrees with the planner's own before/after."""
    analysis = pipeline.plan_analysis(analysis, categories=["elderly_care"], sites=3,
                                      generate=True, time_limit_s=5)
    plan = analysis.plan
    assert plan is not None and len(plan.sites) >= 1
    after = pipeline.coverage_with_sites(analysis).set_index("cid")
    comm = analysis.coverage.communities.set_index("cid")
    pop = comm["population"]
    row = plan.coverage.set_index("category").loc["elderly_care"]
    req = comm["cov_elderly_care"].notna()
    assert float((comm.loc[req, "cov_elderly_care"] * pop[req]).sum()) == \
        pytest.approx(row["covered_before"], rel=1e-9)
    assert float((after.loc[req[req].index, "cov_elderly_care"] * pop[req]).sum()) == \
        pytest.approx(row["covered_after"], rel=1e-9)
    assert row["covered_after"] > row["covered_before"]
    # other services and communities without elderly care required are unchanged
    np.testing.assert_allclose(after.loc[comm.index, "cov_health"], comm["cov_health"])
    assert (after.loc[comm.index, "cov_all"] >= comm["cov_all"] - 1e-12).all()


def test_times_tell_unreachable_from_beyond_the_limit(analysis: pipeline.Analysis) -> None:
    """``inf``: a path exists but is longer than the searched limit; NaN: no path at all.

    Checked against an unbounded search (no limit) and against networkx's connectivity on
    the same road graph.
    """
    import networkx as nx

    from lifecircle.accessibility.traveltime import nearest

    prof = analysis.project.profile
    tt = analysis.travel_times
    times = tt.minutes_or_nan()
    seen = {"inf": 0, "nan": 0}
    for mode, ms in tt.modes.items():
        net = ms.network
        g = nx.Graph()
        g.add_edges_from(zip(net.edge_u.tolist(), net.edge_v.tolist(), strict=True))
        circles = {c for c in prof.circles if prof.circles[c].mode == mode}
        for cat in times.columns:
            need = set(prof.categories[cat].circles)
            if not need & circles or tt.facility_rows(cat).size == 0:
                continue
            fsnap = tt.facilities(mode, cat)
            unbounded, _ = nearest(net, fsnap, ms.demand)
            rows = ms.demand_index
            wanted = np.isin(tt.circle[rows], list(need))
            t = times[cat].to_numpy()[rows]
            beyond = np.isinf(t) & wanted
            none = np.isnan(t) & wanted
            assert np.all(np.isfinite(unbounded[beyond]))
            assert np.all(np.isinf(unbounded[none]))
            src_nodes = set(net.edge_u[fsnap.edge[fsnap.edge >= 0]].tolist())
            for i in np.flatnonzero(none):
                e = ms.demand.edge[i]
                assert e < 0 or not any(nx.has_path(g, int(net.edge_u[e]), s)
                                        for s in src_nodes)
            seen["inf"] += int(beyond.sum())
            seen["nan"] += int(none.sum())
    assert seen["inf"] > 0 and seen["nan"] > 0  # both cases occur in the region
    demand = analysis.coverage.demand
    values = demand.filter(like="t_").to_numpy(dtype=float)
    assert np.isinf(values).any() and np.isnan(values).any()
