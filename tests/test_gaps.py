"""Gap polygons of uncovered demand, with hand-computed populations and shapes."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from lifecircle.accessibility.coverage import compute_coverage
from lifecircle.accessibility.gaps import GAP_COLUMNS, find_gaps
from lifecircle.errors import InputError
from lifecircle.project import load_profile

UTM = "EPSG:32650"
INF = math.inf

PROFILE = """
[profile]
key = "test"
[circles.urban]
minutes = 15
mode = "walk"
[circles.rural]
minutes = 30
mode = "walk"
[modes.walk]
speed_kmh = 4.0
pedestrian = true
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
"""


@pytest.fixture()
def profile(tmp_path):
    path = tmp_path / "test.toml"
    path.write_text(PROFILE, encoding="utf-8")
    return load_profile(path)


def communities() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"cid": ["A", "B", "C"], "kind": ["urban", "urban", "rural"]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(0, 1000, 1000, 2000)],
        crs=UTM)


def demand() -> gpd.GeoDataFrame:
    pop = [100.0, 200.0, 50.0, 150.0, 200.0, 300.0]
    return gpd.GeoDataFrame(
        {"did": list(range(6)), "cid": ["A", "A", "B", "B", "C", "C"], "population": pop,
         "households": [p / 3 for p in pop]},
        # 100 m cells: (1,1) (8,8) (11,1) (12,2) (1,18) (8,11); (11,1)-(12,2) touch at a corner
        geometry=[Point(150, 150), Point(850, 850), Point(1150, 150), Point(1250, 250),
                  Point(150, 1850), Point(850, 1150)], crs=UTM)


def times() -> pd.DataFrame:
    return pd.DataFrame({
        "center": [14.0, 15.0, 16.0, 20.0, 29.0, 30.0],
        "elderly": [16.0, 10.0, np.nan, 30.0, 31.0, 29.9],
        "market": [5.0, INF, 3.0, 1.0, INF, 2.0],
    }, index=range(6))


def gaps_of(dem, t, comm, profile, **kw) -> gpd.GeoDataFrame:
    """The gaps of the coverage of ``dem`` with times ``t``."""
    return find_gaps(compute_coverage(comm, dem, t, profile), profile, **kw)


def test_gaps_group_uncovered_points_with_their_population(profile):
    g = gaps_of(demand(), times(), communities(), profile, cell_m=100)
    assert list(g.columns) == [*GAP_COLUMNS, "geometry"]
    got = [(r.category, r.circle, r.population, r.n_points) for r in g.itertuples()]
    # largest first; ties keep catalogue then circle order
    assert got == [
        ("center", "urban", 200.0, 2),    # did 2 + 3 (16 and 20 min > 15)
        ("elderly", "urban", 200.0, 2),   # did 2 (unreachable) + 3 (30 min)
        ("elderly", "rural", 200.0, 1),   # did 4 (31 > 30)
        ("market", "urban", 200.0, 1),    # did 1 (unreachable); rural did 4 not required
        ("elderly", "urban", 100.0, 1),   # did 0 (16 > 15), separate from B's gap
    ]
    assert g["category_name"].tolist()[:2] == ["社区服务中心", "养老服务站"]
    assert g["households"].tolist() == pytest.approx([200 / 3, 200 / 3, 200 / 3, 200 / 3,
                                                      100 / 3])
    assert g["communities"].tolist() == ["B", "B", "C", "A", "A"]
    # two diagonal cells: 1100-1200 x 100-200 and 1200-1300 x 200-300
    first = g.geometry.iloc[0]
    assert first.area == pytest.approx(20000.0)
    assert first.equals(box(1100, 100, 1200, 200).union(box(1200, 200, 1300, 300)))
    assert g.geometry.iloc[4].equals(box(100, 100, 200, 200))
    assert g.crs.equals(UTM)


def test_bigger_cells_merge_neighbours_and_list_communities(profile):
    # with 1 km cells the elderly gaps of A (cell 0,0) and B (cell 1,0) touch: one gap
    g = gaps_of(demand(), times(), communities(), profile, cell_m=1000, split_m=math.inf,
                  lang="en")
    eld = g[(g["category"] == "elderly") & (g["circle"] == "urban")]
    assert len(eld) == 1
    row = eld.iloc[0]
    assert row["population"] == 300.0 and row["n_points"] == 3
    assert row["communities"] == "B,A"     # B has 200 uncovered, A 100
    assert row["category_name"] == "elderly care"
    assert row.geometry.equals(box(0, 0, 2000, 1000))


def test_no_gaps_when_everything_is_covered(profile):
    t = times()
    t[:] = 1.0
    g = gaps_of(demand(), t, communities(), profile)
    assert len(g) == 0
    assert list(g.columns) == [*GAP_COLUMNS, "geometry"]


def test_gap_layer_writes_to_a_geopackage(profile, tmp_path):
    g = gaps_of(demand(), times(), communities(), profile, cell_m=100)
    path = tmp_path / "gaps.gpkg"
    g.to_file(path, layer="gaps", engine="pyogrio")
    back = gpd.read_file(path, layer="gaps", engine="pyogrio")
    assert back["population"].tolist() == g["population"].tolist()
    assert back.geometry.area.sum() == pytest.approx(g.geometry.area.sum())


def test_bad_cell_size(profile):
    with pytest.raises(InputError, match="cell"):
        gaps_of(demand(), times(), communities(), profile, cell_m=0)


def test_union_fallback_gives_the_same_polygons(profile, monkeypatch):
    import lifecircle.accessibility.gaps as gaps_module

    dense = gaps_of(demand(), times(), communities(), profile, cell_m=100)
    monkeypatch.setattr(gaps_module, "MAX_GRID_CELLS", 0)
    unioned = gaps_of(demand(), times(), communities(), profile, cell_m=100)
    assert len(dense) == len(unioned) == 5
    for a, b in zip(dense.geometry, unioned.geometry, strict=True):
        assert a.equals(b)
    pd.testing.assert_frame_equal(pd.DataFrame(dense.drop(columns="geometry")),
                                  pd.DataFrame(unioned.drop(columns="geometry")))


def test_gap_with_a_hole(profile):
    # eight uncovered points around an empty middle cell: one ring-shaped gap
    pts = [(x, y) for x in (50, 150, 250) for y in (50, 150, 250) if (x, y) != (150, 150)]
    dem = gpd.GeoDataFrame({"did": range(8), "cid": ["A"] * 8, "population": [10.0] * 8,
                            "households": [np.nan] * 8},
                           geometry=[Point(x, y) for x, y in pts], crs=UTM)
    t = pd.DataFrame({"center": [20.0] * 8, "elderly": [1.0] * 8, "market": [1.0] * 8})
    g = gaps_of(dem, t, communities(), profile, cell_m=100)
    assert len(g) == 1
    assert g["population"][0] == 80.0 and g["n_points"][0] == 8
    assert np.isnan(g["households"][0])
    assert g.geometry[0].equals(box(0, 0, 300, 300).difference(box(100, 100, 200, 200)))


def test_wide_gaps_are_split_into_tiles_of_one_reach(profile):
    # urban reach: 4 km/h x 15 min = 1000 m; A's cell (0-1000) and B's (1000-2000) are in
    # different tiles, so the elderly gap splits back into B (200) and A (100)
    g = gaps_of(demand(), times(), communities(), profile, cell_m=1000)
    eld = g[(g["category"] == "elderly") & (g["circle"] == "urban")]
    assert eld["population"].tolist() == [200.0, 100.0]
    assert eld["communities"].tolist() == ["B", "A"]
    assert eld.geometry.iloc[0].equals(box(1000, 0, 2000, 1000))
    # an explicit 2 km tile joins them again
    g2 = gaps_of(demand(), times(), communities(), profile, cell_m=1000, split_m=2000)
    eld2 = g2[(g2["category"] == "elderly") & (g2["circle"] == "urban")]
    assert eld2["population"].tolist() == [300.0]


def test_gaps_read_the_coverage_matrix_without_recomputing_it(profile, monkeypatch):
    import lifecircle.accessibility.coverage as coverage_module

    cov = compute_coverage(communities(), demand(), times(), profile)
    expected = find_gaps(cov, profile, cell_m=100)

    def forbidden(*args, **kwargs):
        raise AssertionError("the coverage matrix was recomputed")

    monkeypatch.setattr(coverage_module, "_prepare", forbidden)
    again = find_gaps(cov, profile, cell_m=100)
    pd.testing.assert_frame_equal(again.drop(columns="geometry"),
                                  expected.drop(columns="geometry"))
    assert again.geometry.equals(expected.geometry)
