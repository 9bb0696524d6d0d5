"""The shipped profiles: maanshan-2025 and gb50180-2018 (GB 50180's 5/10/15-minute levels)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifecircle import pipeline, project
from lifecircle.data.synthetic import generate, write_demo
from lifecircle.errors import ProjectError

GB_LEVELS = {  # GB 50180-2018 levels (minutes) of the facilities this profile places
    "secondary_school": 15, "health_center": 15, "culture_center": 15, "street_center": 15,
    "sports_ground": 15, "primary_school": 10, "fresh_market": 10, "culture": 10, "sports": 10,
    "community_center": 5, "childcare": 5, "elderly_care": 5, "health": 5, "fitness": 5,
}


def test_both_profiles_ship_and_load() -> None:
    names = sorted(p.stem for p in project.PROFILES_DIR.glob("*.toml"))
    assert names == ["gb50180-2018", "maanshan-2025"]
    ma = project.load_profile("maanshan-2025")
    gb = project.load_profile("gb50180-2018")
    # the same catalogue keys, so one facilities layer serves both
    assert set(ma.categories) <= set(gb.categories)
    assert gb.circles["urban"].minutes == 15 and gb.circles["urban"].rings == (5, 10, 15)
    for key, minutes in GB_LEVELS.items():
        assert gb.categories[key].minutes == minutes, key
        assert gb.limit("urban", key) == minutes
    # 4 km/h: 5 / 10 / 15 minutes are 333 / 667 / 1000 m of walking
    assert gb.modes["walk"].speed_kmh * 1000 / 60 * 15 == pytest.approx(1000.0)
    assert not gb.indicators
    # Table 1 target years and the 2023 county-level living-room target
    assert {i.year for k, i in ma.indicators.items() if k != "living_room"} == {2025}
    assert ma.indicators["living_room"].year == 2023
    assert ma.indicators["living_room"].method == "district_facility"
    assert ma.categories["elderly_care"].group == "elderly"
    assert ma.groups["elderly"].modes == {"urban": "walk_elderly"}
    assert ma.categories["childcare"].group == "children"


def test_profile_errors_name_the_entry(tmp_path: Path) -> None:
    text = (project.PROFILES_DIR / "maanshan-2025.toml").read_text(encoding="utf-8")
    bad = text.replace('group = "children"', 'group = "kids"').replace(
        'modes = { urban = "walk_elderly" }', 'modes = { urban = "crawl" }')
    path = tmp_path / "bad.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ProjectError) as e:
        project.load_profile(path)
    msg = str(e.value)
    assert "categories.childcare.group: unknown group 'kids'" in msg
    assert "groups.elderly.modes.urban: unknown mode 'crawl'" in msg


@pytest.fixture(scope="module")
def gb_analysis(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Analysis:
    folder = tmp_path_factory.mktemp("gb")
    path = write_demo(generate(seed=7, scale=0.1), folder)
    text = path.read_text(encoding="utf-8").replace('profile = "maanshan-2025"',
                                                    'profile = "gb50180-2018"')
    path.write_text(text, encoding="utf-8")
    return pipeline.analyse(project.load(path))


def test_check_with_gb50180_on_the_demo_region(gb_analysis: pipeline.Analysis) -> None:
    a = gb_analysis
    assert a.project.profile.key == "gb50180-2018"
    comm = a.coverage.communities.set_index("cid")
    points = a.demand.points
    kind = points["cid"].map(comm["kind"])
    # a community's kindergarten share counts only points within the 5-minute level; the
    # same times against the circle's 15 minutes would count more
    t = a.times["childcare"].reindex(points["did"]).to_numpy()
    pop = points["population"].to_numpy(float)
    urban = (kind == "urban").to_numpy()
    within5 = pop[urban & (t <= 5 + 1e-9)].sum() / pop[urban].sum()
    within15 = pop[urban & (t <= 15 + 1e-9)].sum() / pop[urban].sum()
    got = a.coverage.by_kind.set_index(["kind", "category"]).loc[("urban", "childcare"),
                                                                 "share"]
    assert got == pytest.approx(within5, abs=1e-12)
    assert within5 < within15
    # the scorecard has no Table-1 rows (GB 50180 sets none) and does not fail
    assert not (a.scorecard["indicator"].astype(str).str.match(r"^\d+$")).any()
    assert isinstance(a.scorecard, pd.DataFrame)
    assert np.isfinite(comm["cov_all"]).any()


def test_supply_decay_is_in_the_profile() -> None:
    for key in ("maanshan-2025", "gb50180-2018"):
        p = project.load_profile(key)
        assert p.supply.decay == "steps"
        assert p.supply.zone_weights == (1.0, 0.68, 0.22)  # Luo and Qi 2009
    # the rural circle's zones are Luo and Qi's own 10/20/30 minutes
    ma = project.load_profile("maanshan-2025")
    assert ma.decay_rule("rural", "health") == ({10.0: 1.0, 20.0: 0.68, 30.0: 0.22}, None)
    gb = project.load_profile("gb50180-2018")
    # the zones follow the category's level: a 5-minute-level kindergarten within 5 minutes
    steps, _ = gb.decay_rule("urban", "childcare")
    assert list(steps) == pytest.approx([5 / 3, 10 / 3, 5.0])
    assert gb.categories["childcare"].default_capacity == 270


def test_supply_errors_name_the_entry(tmp_path: Path) -> None:
    text = (project.PROFILES_DIR / "maanshan-2025.toml").read_text(encoding="utf-8")
    bad = (text.replace('decay = "steps"', 'decay = "linear"')
           .replace("zone_weights = [1.0, 0.68, 0.22]", "zone_weights = [0.2, 0.68]")
           .replace("default_capacity = 30 ", "default_capacity = -3 ")
           .replace('group = "children"', 'group = "children"\ndecay = "cubic"', 1))
    path = tmp_path / "bad.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ProjectError) as e:
        project.load_profile(path)
    msg = str(e.value)
    assert "supply.decay: unknown decay 'linear'" in msg and "steps, gaussian" in msg
    assert "supply.zone_weights: expected weights from 1 down to 0, got [0.2, 0.68]" in msg
    assert "categories.elderly_care.default_capacity" in msg
    assert "categories.childcare.decay: unknown decay 'cubic'" in msg
    # a profile without [supply] (copied before it existed) takes the documented default
    rule = "# " + "-" * 64
    old = (text[:text.index(f"{rule} supply")] + text[text.index(f"{rule} categories"):])
    path.write_text(old, encoding="utf-8")
    assert project.load_profile(path).supply == project.load_profile("maanshan-2025").supply
