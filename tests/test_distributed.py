"""The analysis on a Dask LocalCluster (2 workers) equals the single-process run.

Per-community coverage, gaps, the scorecard, every travel time and the proposed sites of a
partitioned run (each partition with its halo) are compared with one process; the result
folder of ``lifecircle check --scheduler`` with the one a plain ``check`` writes; and the
failures (an unreachable scheduler, a worker killed mid-run) give exit 2 and leave no
result folder.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

import geopandas as gpd  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from geopandas.testing import assert_geodataframe_equal  # noqa: E402

from lifecircle import pipeline, project  # noqa: E402
from lifecircle.cli import main  # noqa: E402
from lifecircle.data.synthetic import generate, write_demo  # noqa: E402
from lifecircle.distributed import ClusterError, halo_m, partition  # noqa: E402

DEMO = Path(__file__).parents[1] / "lifecircle" / "data" / "demo" / "project.toml"


@pytest.fixture(scope="module")
def client() -> distributed.Client:
    # worker processes (not threads): warnings filters are process-wide and not thread-safe,
    # and real clusters run workers in their own processes too
    with (distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=50) as cluster,
          distributed.Client(cluster, set_as_default=False) as c):
        yield c


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic region with three districts and eleven townships."""
    return write_demo(generate(seed=11, scale=0.4), tmp_path_factory.mktemp("region"))


@pytest.fixture(scope="module")
def region_one(region: Path) -> pipeline.Analysis:
    """The region analysed in one process (read-only): the reference of the cluster run, and
    the loaded layers and demand points of the tests on partitions and candidates."""
    return pipeline.analyse(project.load(region))


def _plan(analysis: pipeline.Analysis, client: distributed.Client | None, by: str,
          **options: object) -> object:
    geo = None
    if client is not None:
        from lifecircle import distributed as dist

        geo = dist.ClusterGeography(client, analysis.project, analysis.layers,
                                    analysis.demand.points, analysis.cluster, by=by)
    result = pipeline.plan_analysis(analysis, geography=geo, **options).plan
    assert result is not None
    return result


def _assert_same(one: pipeline.Analysis, many: pipeline.Analysis) -> None:
    # every travel time (minutes, inf = beyond the search) to 1e-9 min
    a, b = one.travel_times.minutes, many.travel_times.minutes
    assert list(a.columns) == list(b.columns) and a.index.equals(b.index)
    assert np.array_equal(np.isinf(a.to_numpy()), np.isinf(b.to_numpy()))
    fin = np.isfinite(a.to_numpy())
    assert np.allclose(a.to_numpy()[fin], b.to_numpy()[fin], rtol=0, atol=1e-9)
    # "no path" (NaN in the demand layer) against "beyond the searched limit" (inf)
    pd.testing.assert_frame_equal(one.travel_times.unreachable, many.travel_times.unreachable)
    # per-community coverage, the summaries, gaps and the scorecard: equal
    assert_geodataframe_equal(one.coverage.communities, many.coverage.communities)
    pd.testing.assert_frame_equal(one.coverage.summary_district, many.coverage.summary_district)
    pd.testing.assert_frame_equal(one.coverage.summary_township, many.coverage.summary_township)
    assert_geodataframe_equal(one.gaps, many.gaps)
    pd.testing.assert_frame_equal(one.scorecard, many.scorecard)


def _assert_same_plan(one: object, many: object) -> None:
    assert len(one.sites) > 0
    assert_geodataframe_equal(one.sites, many.sites)
    pd.testing.assert_frame_equal(one.site_gains, many.site_gains)
    pd.testing.assert_frame_equal(one.coverage, many.coverage)
    assert list(one.solution.selected) == list(many.solution.selected)
    assert_geodataframe_equal(one.unreached, many.unreached)


def _assert_same_generated(one: object, many: object) -> None:
    generated = one.candidates["source"] == "generated"
    assert generated.sum() >= 10
    assert_geodataframe_equal(one.candidates, many.candidates)
    _assert_same_plan(one, many)
    assert one.sites["cand_id"].astype(str).str.startswith("G").any()


def test_demo_on_two_workers_equals_one_process(client: distributed.Client) -> None:
    """The shipped demo (the issue's first case) on the cluster: its three districts each run
    with a halo smaller than the region; every table and a 5-site maximal-covering plan equal
    one process."""
    proj = project.load(DEMO)
    one = pipeline.analyse(proj)
    many = pipeline.analyse(proj, cluster=client)
    parts = many.cluster.partitions
    assert sorted(parts["partition"]) == sorted(one.layers.communities["district"].unique())
    _assert_same(one, many)
    _assert_same_plan(_plan(one, None, "district", sites=5, categories=["elderly_care"]),
                      _plan(many, client, "district", sites=5, categories=["elderly_care"]))


def test_region_on_two_workers_equals_one_process(client: distributed.Client,
                                                  region_one: pipeline.Analysis) -> None:
    """The region's three districts each run on the cluster (the default partitioning) with
    a halo smaller than the region (see test_halo_holds_every_reachable_road); every table
    and the plans of all three models equal one process. (A third of the demo's size: the
    demo ran here too and took a third of this module's time for the same checks.)"""
    one = region_one
    proj = one.project
    many = pipeline.analyse(proj, cluster=client)
    parts = many.cluster.partitions
    districts = sorted(one.layers.communities["district"].unique())
    assert len(districts) >= 3 and sorted(parts["partition"]) == districts
    _assert_same(one, many)
    assert many.warnings == one.warnings  # the same data warnings, in the same order
    for options in ({"sites": 5, "categories": ["elderly_care"]},
                    {"categories": ["living_room", "elderly_care"], "full_coverage": True},
                    {"categories": ["elderly_care"], "sites": 3, "model": "pmedian"}):
        _assert_same_plan(_plan(one, None, "district", **options),
                          _plan(many, client, "district", **options))
    # generated candidates (laid out on the client near the uncovered demand) as well
    options = {"categories": ["elderly_care"], "sites": 4, "generate": True}
    _assert_same_generated(_plan(one, None, "district", **options),
                           _plan(many, client, "district", **options))


def test_generated_candidates_need_only_the_roads_near_the_gaps(
        region_one: pipeline.Analysis) -> None:
    """The exactness argument of :func:`network_near`: candidates generated on a network of
    only the roads near some uncovered points (and a ring around them) equal those of the
    whole network, at several spacings; and they do not depend on the order of the roads
    (a partition or a subset numbers its edges differently)."""
    from lifecircle.accessibility.network import build
    from lifecircle.distributed import network_near
    from lifecircle.planner import candidates as cand_mod

    proj, layers, points = region_one.project, region_one.layers, region_one.demand.points
    town = sorted(layers.communities["township"].unique())[0]
    cids = layers.communities.loc[layers.communities["township"] == town, "cid"]
    mine = points[points["cid"].isin(cids)]
    xy = np.column_stack([mine.geometry.x, mine.geometry.y])
    near = network_near(proj, layers.roads)
    shuffled = layers.roads.sample(frac=1.0, random_state=3)
    for mode in sorted({c.mode for c in proj.profile.circles.values()}):
        kw = {"snap_tolerance_m": proj.network.snap_tolerance_m,
              "node_crossings": proj.network.node_crossings}
        whole = build(layers.roads, proj.profile.modes[mode], **kw)
        for spacing, near_m in ((250.0, 500.0), (700.0, 1200.0)):
            sub = near(mode, xy, near_m + spacing * 2**0.5 + 1.0)
            assert sub.n_edges < 0.8 * whole.n_edges  # a real subset of the roads
            a = cand_mod.generate(whole, spacing_m=spacing, near=xy, near_m=near_m)
            assert len(a) >= 5
            assert_geodataframe_equal(a, cand_mod.generate(sub, spacing_m=spacing, near=xy,
                                                           near_m=near_m))
        other = build(shuffled, proj.profile.modes[mode], **kw)
        assert_geodataframe_equal(cand_mod.generate(whole, spacing_m=300.0),
                                  cand_mod.generate(other, spacing_m=300.0))


def test_halo_holds_every_reachable_road(region_one: pipeline.Analysis) -> None:
    """Each partition's roads reach at least the halo width beyond its own points: the
    halo is no smaller than the fastest mode's reach over the longest search."""
    proj, layers = region_one.project, region_one.layers
    parts = partition(layers, region_one.demand.points, proj)
    profile = proj.profile
    for mode in {c.mode for c in profile.circles.values()}:
        minutes = max(c.minutes for c in profile.circles.values() if c.mode == mode)
        speed = max([profile.modes[mode].speed_kmh,
                     *profile.modes[mode].class_speeds_kmh.values()]) / 3.6
        pts, roads = halo_m(profile, mode, max_snap_m=proj.network.max_snap_m)
        assert pts == pytest.approx(speed * 2 * minutes * 60 + 2 * proj.network.max_snap_m)
        assert roads > pts
    import shapely

    tree = shapely.STRtree(layers.roads.geometry.to_numpy())
    partial = 0
    for p in parts:
        own = p.demand.geometry.to_numpy()
        for mode, mask in p.road_modes.items():
            d = p.halo[mode][1]
            # every road within the halo distance of an own point is in the partition
            near = tree.query(shapely.multipoints(own), predicate="dwithin",
                              distance=d * 0.99)
            held = layers.roads.index.isin(p.roads.index[mask])
            assert held[near].all()
            partial += int((~held).any())
    # the walking halo (15 min x 2 at 5 km/h + snaps) leaves roads out: partitions are real
    assert partial >= 1


def test_run_folder_with_scheduler_equals_plain_run(client: distributed.Client,
                                                    small_region: Path, tmp_path: Path) -> None:
    """The whole result folder (GeoPackage, map, report, rasters) of a small region."""
    region = small_region
    runner = CliRunner()
    plain, cluster = tmp_path / "plain", tmp_path / "cluster"
    r1 = runner.invoke(main, ["--quiet", "run", str(region), "-o", str(plain)])
    assert r1.exit_code == 0, r1.output
    r2 = runner.invoke(main, ["--quiet", "run", str(region), "-o", str(cluster),
                              "--scheduler", client.scheduler.address,
                              "--partition-by", "township"])
    assert r2.exit_code == 0, r2.output
    assert sorted(p.name for p in plain.iterdir()) == sorted(p.name for p in cluster.iterdir())
    for layer in ("communities", "gaps", "demand", "facilities", "proposed_sites",
                  "candidates"):
        a = gpd.read_file(plain / "lifecircle.gpkg", layer=layer)
        b = gpd.read_file(cluster / "lifecircle.gpkg", layer=layer)
        assert_geodataframe_equal(a, b)
    for layer in ("scorecard", "summary_district", "summary_township"):
        a = gpd.read_file(plain / "lifecircle.gpkg", layer=layer)
        b = gpd.read_file(cluster / "lifecircle.gpkg", layer=layer)
        pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))
    # service areas: drawn per partition (own facilities) and merged; the same categories
    # and rings, and outlines within a diagonal of the 20 m drawing grid of each other
    a = gpd.read_file(plain / "lifecircle.gpkg", layer="service_areas")
    b = gpd.read_file(cluster / "lifecircle.gpkg", layer="service_areas")
    key = ["circle", "category", "minutes"]
    a, b = a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a[key], b[key])
    sym = a.geometry.symmetric_difference(b.geometry).area
    assert (sym <= a.geometry.length * 20.0 * 2**0.5).all(), a.assign(sym=sym, area=a.area)
    # the travel-time rasters: the same cells, the same minutes
    import rasterio

    tifs = sorted(p.name for p in plain.glob("traveltime_*.tif"))
    assert tifs and tifs == sorted(p.name for p in cluster.glob("traveltime_*.tif"))
    for name in tifs:
        with rasterio.open(plain / name) as x, rasterio.open(cluster / name) as y:
            assert x.transform == y.transform and x.shape == y.shape
            assert np.allclose(x.read(1), y.read(1), rtol=0, atol=1e-4)


def test_unreachable_scheduler_exit_2_nothing_written(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Nobody listens at the address: exit 2 naming it and the fix, nothing written. (The
    real connect, waiting 2 s instead of its default 10 before it gives up.)"""
    import functools

    from lifecircle import distributed as dist

    monkeypatch.setattr(dist, "connect", functools.partial(dist.connect, connect_timeout_s=2))
    out = tmp_path / "result"
    r = CliRunner().invoke(main, ["--lang", "en", "check", str(DEMO), "-o", str(out),
                                  "--scheduler", "tcp://127.0.0.1:9"])
    assert r.exit_code == 2, r.output
    assert "tcp://127.0.0.1:9" in r.output and "dask scheduler" in r.output
    assert "within 2 s" in r.output  # the patched connect ran
    assert "Traceback" not in r.output
    assert not out.exists() and not list(tmp_path.iterdir())


def test_bad_scheduler_value_exit_2(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["check", str(DEMO), "-o", str(tmp_path / "r"),
                                  "--scheduler", "local:zero"])
    assert r.exit_code == 2 and "local:4" in r.output
    # in the run's language: Chinese by default, English with --lang en
    assert "本机 worker 数须为不小于 1 的整数；修正：" in r.output, r.output
    r = CliRunner().invoke(main, ["--lang", "en", "check", str(DEMO), "-o",
                                  str(tmp_path / "r"), "--scheduler", "bogus"])
    assert r.exit_code == 2 and "not a scheduler address; fix: give tcp://HOST:PORT" in r.output


def test_worker_killed_mid_run_exit_2_nothing_written(region: Path, tmp_path: Path) -> None:
    """A worker process killed (SIGKILL, as the kernel's OOM killer does) while it computes a
    partition: ClusterError naming the worker and the fix, no result folder. The scheduler
    here gives up at the first death (allowed-failures 0); by default it retries a task on
    another worker three times first."""
    import dask

    out = tmp_path / "result"
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                           dashboard_address=":0", silence_logs=50)
    with cluster, distributed.Client(cluster, set_as_default=False) as c:
        c.wait_for_workers(1)
        failure: list[BaseException] = []

        def go() -> None:
            try:
                pipeline.run(region, out, steps=("check",), scheduler=c)
            except BaseException as e:  # the test inspects it
                failure.append(e)

        thread = threading.Thread(target=go)
        thread.start()
        pid = None
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and thread.is_alive():
            if any(c.processing().values()):
                pid = next(iter(c.run(os.getpid).values()))
                os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.05)
        thread.join(300)
        assert pid is not None and not thread.is_alive()
    assert failure and isinstance(failure[0], ClusterError), failure
    text = str(failure[0])
    assert "died" in text and "--memory-limit" in text and "tcp://" in text
    assert not out.exists() and not list(tmp_path.iterdir())


def test_snap_ignores_the_order_of_equally_near_roads() -> None:
    """A road drawn twice (once in each direction) and a parallel copy: a point snaps to
    the same edge whatever the order of the rows, so a partition (whose edges come in
    another order) times it exactly as the whole network. A resident and a shop on the same
    road are 20 m apart along it at walking speed 3.6 km/h: 20 s."""
    import shapely

    from lifecircle.accessibility.network import build
    from lifecircle.accessibility.snap import snap
    from lifecircle.accessibility.traveltime import nearest
    from lifecircle.profile import Mode

    walk = Mode("walk", "步行", "walk", 3.6, pedestrian=True)
    a = shapely.LineString([(0, 0), (100, 0)])
    rows = [a, a.reverse(), shapely.LineString([(0, 0), (50, 30), (100, 0)])]
    home, shop = np.array([[40.0, -5.0]]), np.array([[60.0, -5.0]])
    seconds, edges = [], []
    for order in ([0, 1, 2], [1, 0, 2], [2, 1, 0]):
        roads = gpd.GeoDataFrame({"road_class": ["residential"] * 3},
                                 geometry=[rows[i] for i in order], crs="EPSG:4548")
        net = build(roads, walk)
        to = snap(net, home, max_snap_m=50)
        s, _ = nearest(net, snap(net, shop, max_snap_m=50), to)
        seconds.append(float(s[0]))
        e = to.edge[0]
        edges.append((*net.node_xy[net.edge_u[e]], *net.node_xy[net.edge_v[e]]))
    # the same edge (the copy running from low to high coordinates) in every order
    assert edges == [(0.0, 0.0, 100.0, 0.0)] * 3
    # 5 m access leg at each end + 20 m along the road, at 1 m/s
    assert seconds == pytest.approx([30.0] * 3, abs=1e-9)


def test_jobs_with_scheduler(tmp_path: Path) -> None:
    """``--jobs N`` with ``--scheduler local`` means N local workers; with a running
    cluster (whose workers this command cannot size) or a different local:M it is refused
    with exit 2 before anything is written."""
    from lifecircle.distributed import with_jobs

    assert with_jobs("local", 3) == "local:3"
    assert with_jobs("local:3", 3) == "local:3"
    assert with_jobs("local:2", None) == "local:2"
    assert with_jobs(None, 4) is None
    runner = CliRunner()
    out = tmp_path / "r"
    for scheduler, said in (("local:2", "local:3"), ("tcp://127.0.0.1:9", "--nworkers")):
        r = runner.invoke(main, ["--lang", "en", "check", str(DEMO), "-o", str(out), "--jobs",
                                 "3", "--scheduler", scheduler])
        assert r.exit_code == 2, r.output
        assert "--jobs 3" in r.output and said in r.output and "Traceback" not in r.output
        assert not list(tmp_path.iterdir())


def test_jobs_sizes_the_local_cluster() -> None:
    """``--scheduler local --jobs 1``: the run's LocalCluster has one single-threaded
    worker (without --jobs, one per core)."""
    from lifecircle import distributed as dist

    with dist.connect(dist.with_jobs("local", 1)) as c:
        workers = c.scheduler_info()["workers"].values()
        assert [w["nthreads"] for w in workers] == [1]


def test_worker_with_another_lifecircle_version_exit_2(tmp_path: Path) -> None:
    """A real worker process (`dask worker`) whose environment holds another lifecircle
    release (a ``lifecircle-99.0.dist-info`` ahead on its path, as a stale install would
    be): the run stops with exit 2 naming the worker, both versions and the pip line, and
    writes nothing."""
    import subprocess
    import sys
    from importlib.metadata import version

    site = tmp_path / "site"
    info = site / "lifecircle-99.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: lifecircle\nVersion: 99.0\n",
                                   encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    out = tmp_path / "result"
    with distributed.LocalCluster(n_workers=0, processes=True, dashboard_address=":0",
                                  silence_logs=50) as cluster:
        address = cluster.scheduler_address
        worker = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
             "--no-nanny", "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # not the checkout: `python -m` puts the working directory first on the path,
            # and an editable install leaves lifecircle.egg-info (the real version) there
            cwd=tmp_path)
        try:
            r = CliRunner().invoke(main, ["--lang", "en", "check", str(DEMO), "-o", str(out),
                                          "--scheduler", address])
        finally:
            worker.terminate()
            worker.wait(60)
    assert r.exit_code == 2, r.output
    mine = version("lifecircle")
    assert "package versions differ" in r.output and "tcp://" in r.output
    assert f"lifecircle 99.0 (client {mine})" in r.output
    assert f"pip install lifecircle=={mine}" in r.output and "Traceback" not in r.output
    assert not out.exists()


def _cut_by_the_halo(candidates: bool = False) -> project.Project:
    """Two districts 20 km apart (Gauss-Kruger metres). District A's only street joins the
    rest of the roads by a 19 km road to district B, and a second, longer road (also
    joined to B) passes 2.5 km north of A. Walking (15 min, searched to 30), A's partition
    holds both long roads whole but none of B's streets: there, A's street lies on a
    smaller piece than the northern road's, cut off, with no elderly-care station on it.
    On the whole network all roads are one piece: A's residents reach the station in B,
    beyond the searched limit, and nobody is stranded. ``candidates``: one candidate site,
    in B."""
    import geopandas as gpd
    import shapely

    x0, y0 = 500_000.0, 3_500_000.0

    def line(*xy: tuple[float, float]) -> shapely.LineString:
        return shapely.LineString([(x0 + x, y0 + y) for x, y in xy])

    crs = "EPSG:4548"
    communities = gpd.GeoDataFrame({
        "cid": ["A1", "B1"], "name": ["甲社区", "乙社区"], "kind": ["urban", "urban"],
        "population": [1000, 2000], "households": [400, 800], "township": ["甲街道", "乙街道"],
        "district": ["甲区", "乙区"]},
        geometry=[shapely.box(x0, y0, x0 + 1000, y0 + 1000),
                  shapely.box(x0 + 20_000, y0, x0 + 21_000, y0 + 3500)], crs=crs)
    roads = gpd.GeoDataFrame({"road_class": ["residential"] * 5}, geometry=[
        line((100, 500), (900, 500)),                       # A's street
        line((900, 500), (20_100, 500)),                    # to B
        line((-2000, 3000), (7000, 3000), (20_200, 3000)),  # north of A, to B
        line((20_100, 500), (20_200, 3000)),                # B's street joins both
        line((20_100, 500), (20_900, 500))], crs=crs)       # B's other street
    facilities = gpd.GeoDataFrame({
        "fid": ["F1"], "name": ["乙养老站"], "category": ["elderly_care"],
        "status": ["existing"]}, geometry=[shapely.Point(x0 + 20_500, y0 + 520)], crs=crs)
    sites = (gpd.GeoDataFrame({"cand_id": ["C1"], "name": ["乙闲置用房"]},
                              geometry=[shapely.Point(x0 + 20_150, y0 + 1800)], crs=crs)
             if candidates else None)
    return project.Project.from_layers(communities=communities, facilities=facilities,
                                       roads=roads, candidates=sites, working_crs=crs,
                                       lang="en")


def test_pieces_and_no_path_are_judged_on_the_whole_network(client: distributed.Client
                                                             ) -> None:
    """The warnings and "no path" against "beyond the limit" of a run whose partition cuts
    a road piece at its halo's edge equal one process's: the same notes, in the same order,
    and A's elderly care beyond the limit (inf), not unreachable (NaN)."""
    proj = _cut_by_the_halo()
    one = pipeline.analyse(proj)
    many = pipeline.analyse(proj, cluster=client)
    part_a = next(p for p in many.cluster.parts if p.key == "甲区")
    assert len(part_a.roads[part_a.road_modes["walk"]]) == 3  # B's streets are not in A
    _assert_same(one, many)
    assert many.warnings == one.warnings
    a = one.travel_times.minutes.index[one.demand.points["cid"].to_numpy() == "A1"]
    assert len(a) and np.isinf(many.travel_times.minutes.loc[a, "elderly_care"]).all()
    assert not many.travel_times.unreachable.loc[a, "elderly_care"].any()
    assert not any(getattr(w, "key", "") == "warn.pieces" for w in many.warnings)


def test_unreached_reason_is_judged_on_the_whole_network(client: distributed.Client) -> None:
    """The planner's reason for demand no candidate reaches: A's residents are on the main
    road piece of the whole network (the one candidate, in B, is just too far), not on a
    "disconnected road piece" as A's partition alone would say."""
    proj = _cut_by_the_halo(candidates=True)
    one, many = pipeline.analyse(proj), pipeline.analyse(proj, cluster=client)
    options = {"categories": ["elderly_care"], "sites": 1, "generate": False}
    a, b = _plan(one, None, "district", **options), _plan(many, client, "district", **options)
    _assert_same_plan(a, b)
    reasons = b.unreached.loc[b.unreached["cid"] == "A1", "reason"]
    assert len(reasons) and set(reasons) == {"no candidate within reach"}
