"""The standards profile: modes say what they obey, circles own "covered" and the reach."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString

from lifecircle import pipeline, project
from lifecircle.accessibility.network import build
from lifecircle.data.synthetic import generate, write_demo
from lifecircle.errors import ProjectError
from lifecircle.profile import PROFILES_DIR, Circle, Mode, load_profile

SHIPPED = (PROFILES_DIR / "maanshan-2025.toml").read_text(encoding="utf-8")


def _renamed_walk(new: str) -> str:
    """The shipped profile with the mode ``walk`` renamed to ``new`` everywhere."""
    text = SHIPPED.replace("[modes.walk]\n", f'[modes."{new}"]\n')
    assert text.count('mode = "walk"\n') == 1
    return text.replace('mode = "walk"\n', f'mode = "{new}"\n')


@pytest.fixture(scope="module")
def region_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small region whose primary roads are closed to pedestrians (walk = false)."""
    region = generate(seed=7, scale=0.1)
    roads = region.roads.copy()
    roads["walk"] = roads["road_class"] != "primary"
    folder = tmp_path_factory.mktemp("walkfalse")
    write_demo(dataclasses.replace(region, roads=roads), folder)
    return folder


def _analyse(folder: Path, profile_text: str, name: str) -> pipeline.Analysis:
    (folder / f"{name}.toml").write_text(profile_text, encoding="utf-8")
    text = (folder / "project.toml").read_text(encoding="utf-8")
    text = text.replace('profile = "maanshan-2025"', f'profile = "{name}.toml"')
    path = folder / f"project-{name}.toml"
    path.write_text(text, encoding="utf-8")
    return pipeline.analyse(project.load(path))


def test_renaming_a_mode_changes_no_result(region_folder: Path) -> None:
    shipped = _analyse(region_folder, SHIPPED, "shipped")
    renamed = _analyse(region_folder, _renamed_walk("老人步行"), "renamed")
    comm_a = shipped.coverage.communities.drop(columns=["geometry", "mode"])
    comm_b = renamed.coverage.communities
    assert (comm_b["mode"] == "老人步行").any()
    pd.testing.assert_frame_equal(comm_a, comm_b.drop(columns=["geometry", "mode"]))
    pd.testing.assert_frame_equal(shipped.times, renamed.times)
    # the fixture really depends on the pedestrian flag: without it walkers use the primary
    # roads and many get there faster
    walk_flags = "pedestrian = true\nposted_speeds = false\n\n[modes.walk_elderly]"
    assert walk_flags in SHIPPED
    loose = _analyse(region_folder, SHIPPED.replace(
        walk_flags, walk_flags.replace("true", "false")), "loose")
    a, b = shipped.times.to_numpy(), loose.times.to_numpy()
    faster = (b < a - 0.5).sum()
    assert faster > 100, faster


def _line_roads() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"road_class": ["residential", "primary"], "walk": [True, False],
         "speed_kmh": [np.nan, 72.0]},
        geometry=[LineString([(0, 0), (100, 0)]), LineString([(100, 0), (200, 0)])],
        crs="EPSG:4548")


@pytest.mark.parametrize("key", ["walk_shuttle", "pedestrian_bus", "foot", "drive"])
def test_what_a_mode_obeys_follows_its_flags_not_its_name(key: str) -> None:
    roads = _line_roads()
    # a non-pedestrian mode uses the walk = false road whatever its name
    free = build(roads, Mode(key, key, key, 3.6))
    assert free.n_edges == 2
    np.testing.assert_allclose(sorted(free.edge_time_fwd), [100.0, 100.0])
    # a pedestrian mode never does, whatever its name
    ped = build(roads, Mode(key, key, key, 3.6, pedestrian=True))
    assert ped.n_edges == 1
    # posted speeds only with the flag: 72 km/h = 20 m/s on the primary road
    posted = build(roads, Mode(key, key, key, 3.6, posted_speeds=True))
    np.testing.assert_allclose(sorted(posted.edge_time_fwd), [5.0, 100.0])


def test_shipped_modes_state_their_flags() -> None:
    modes = load_profile().modes
    assert {k for k, m in modes.items() if m.pedestrian} == {"walk", "walk_elderly"}
    assert {k for k, m in modes.items() if m.posted_speeds} == {"drive"}
    assert {k for k, m in modes.items() if m.oneway} == {"drive"}


def test_unknown_mode_key_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(SHIPPED.replace("\npedestrian = true", "\npedestrain = true", 1),
                    encoding="utf-8")
    with pytest.raises(ProjectError, match=r"modes\.walk\.pedestrain.*did you mean `pedestrian`"):
        load_profile(path)


@pytest.mark.parametrize("flag", ["pedestrian", "oneway", "posted_speeds"])
def test_a_mode_must_state_each_flag(tmp_path: Path, flag: str) -> None:
    """A profile copied before the flags existed is refused, naming file, key and fix."""
    line = {"pedestrian": "pedestrian = true\n", "oneway": "oneway = false\n",
            "posted_speeds": "posted_speeds = false\n"}[flag]
    head, walk_on = SHIPPED.split("[modes.walk]\n", 1)
    assert line in walk_on.split("[modes.", 1)[0]
    path = tmp_path / "old.toml"
    path.write_text(head + "[modes.walk]\n" + walk_on.replace(line, "", 1), encoding="utf-8")
    with pytest.raises(ProjectError) as err:
        load_profile(path)
    msg = str(err.value)
    assert "\n" not in msg, msg
    assert msg.startswith(f"old.toml: modes.walk.{flag}: missing; fix: add `{flag} = "), msg
    if flag == "pedestrian":
        assert "`pedestrian = true` for a walking mode" in msg


def test_a_mode_without_any_flag_lists_all_three(tmp_path: Path) -> None:
    path = tmp_path / "bare.toml"
    path.write_text('[circles.urban]\nminutes = 15\nmode = "老人步行"\n'
                    '[modes."老人步行"]\nspeed_kmh = 3.0\n', encoding="utf-8")
    with pytest.raises(ProjectError) as err:
        load_profile(path)
    msg = str(err.value)
    for flag in ("pedestrian", "oneway", "posted_speeds"):
        assert f"bare.toml: modes.老人步行.{flag}: missing" in msg, msg
    assert msg.splitlines()[0].startswith("profile ") and "3 problems" in msg


def test_circle_covers_and_reach() -> None:
    c = Circle("urban", "城市", "urban", 15.0, "walk")
    got = c.covers(np.array([0.0, 15.0, 15.0 + 1e-10, 15.0 + 1e-6, np.inf, np.nan]))
    assert got.tolist() == [True, True, True, False, False, False]
    assert c.reach_m(Mode("walk", "步行", "walk", 4.0)) == pytest.approx(1000.0)
    assert c.search_s == pytest.approx(1800.0)
    assert load_profile().reach_m("rural") == pytest.approx(15.0 / 3.6 * 30 * 60)
