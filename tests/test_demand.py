"""Demand points from a raster, a points layer and road frontage, with hand-computed totals."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, box

from lifecircle.accessibility.demand import build_demand
from lifecircle.errors import InputError

UTM = "EPSG:32650"
# the same projection as UTM 50N with the false easting moved by +1000 m: x' = x + 1000
SHIFTED = ("+proj=tmerc +lat_0=0 +lon_0=117 +k=0.9996 +x_0=501000 +y_0=0 +ellps=WGS84 "
           "+towgs84=0,0,0 +units=m +no_defs")
NODATA = -9999.0


def communities(dx: float = 0.0, dy: float = 0.0, crs: str = UTM) -> gpd.GeoDataFrame:
    """A, B urban 1 km squares side by side; C rural above A; D a tiny square far right."""
    return gpd.GeoDataFrame(
        {"cid": ["A", "B", "C", "D"], "kind": ["urban", "urban", "rural", "urban"],
         "population": [300.0, 200.0, 500.0, 40.0], "households": [100.0, 80.0, 150.0, 10.0]},
        geometry=[box(dx + 0, dy + 0, dx + 1000, dy + 1000),
                  box(dx + 1000, dy + 0, dx + 2000, dy + 1000),
                  box(dx + 0, dy + 1000, dx + 1000, dy + 2000),
                  box(dx + 2100, dy + 1100, dx + 2200, dy + 1200)], crs=crs)


# 500 m cells, 5 columns x 4 rows, north-up, origin (x0, y0 + 2000); centres
# x = 250 750 1250 1750 2250, y = 1750 1250 750 250 (rows north -> south)
GRID = np.array([
    [1, 2, 3, 0, 7],
    [3, 4, NODATA, 5, 0],
    [1, 1, 2, 2, 0],
    [1, 1, 2, 2, NODATA],
], dtype=np.float32)


def write_raster(path, x0: float = 0.0, y0: float = 0.0, crs: str = UTM) -> None:
    with rasterio.open(path, "w", driver="GTiff", width=5, height=4, count=1,
                       dtype="float32", crs=crs, transform=from_origin(x0, y0 + 2000, 500, 500),
                       nodata=NODATA) as dst:
        dst.write(GRID, 1)


def per_cid(demand, col: str = "population") -> dict[str, float]:
    return demand.points.groupby("cid")[col].sum().to_dict()


def test_raster_cells_are_rescaled_to_community_totals(tmp_path):
    path = tmp_path / "pop.tif"
    write_raster(path)
    d = build_demand(communities(), raster_path=path, crs=UTM)
    assert d.method == "raster"
    pts = d.points
    assert list(pts.columns) == ["did", "cid", "population", "households", "geometry"]
    assert pts["did"].tolist() == list(range(len(pts)))
    # A: four cells of 1 -> 75 each; B: four cells of 2 -> 50 each; C: 1,2,3,4 of 10 -> x50
    xy = {(round(g.x), round(g.y)): (c, p) for g, c, p in
          zip(pts.geometry, pts["cid"], pts["population"], strict=True)}
    assert xy == {
        (250, 750): ("A", 75.0), (750, 750): ("A", 75.0),
        (250, 250): ("A", 75.0), (750, 250): ("A", 75.0),
        (1250, 750): ("B", 50.0), (1750, 750): ("B", 50.0),
        (1250, 250): ("B", 50.0), (1750, 250): ("B", 50.0),
        (250, 1750): ("C", 50.0), (750, 1750): ("C", 100.0),
        (250, 1250): ("C", 150.0), (750, 1250): ("C", 200.0),
        (2150, 1150): ("D", 40.0),  # no cell centre inside D: its representative point
    }
    # cells inside the communities' extent but outside every community: 3 + 7 + 5
    assert d.outside_population == pytest.approx(15.0, abs=1e-12)
    # households = population x households / population of the community
    hh = pts.set_index(pts.geometry.x.round().astype(int).astype(str) + "," +
                       pts.geometry.y.round().astype(int).astype(str))["households"]
    assert hh["250,750"] == pytest.approx(75 * 100 / 300)
    assert hh["750,1250"] == pytest.approx(200 * 150 / 500)
    per = d.per_community.set_index("cid")
    assert per["n_points"].to_dict() == {"A": 4, "B": 4, "C": 4, "D": 1}
    assert per.loc["D", "placement"] == "representative point"
    assert per.loc["A", "placement"] == "cells"
    assert any("representative point" in w and "D" in w for w in d.warnings)


def test_raster_conserves_population_exactly(tmp_path):
    path = tmp_path / "pop.tif"
    write_raster(path)
    comm = communities()
    comm["population"] = [301.7, 199.3, 512.9, 40.5]
    d = build_demand(comm, raster_path=path, crs=UTM)
    got = per_cid(d)
    for cid, pop in zip(comm["cid"], comm["population"], strict=True):
        assert abs(got[cid] - pop) < 1e-9
    assert abs(d.per_community["population"].sum() - comm["population"].sum()) < 1e-9
    hh = per_cid(d, "households")
    for cid, h in zip(comm["cid"], comm["households"], strict=True):
        assert abs(hh[cid] - h) < 1e-9


def test_raster_in_another_crs_is_reprojected(tmp_path):
    path = tmp_path / "pop_utm.tif"
    x0, y0 = 600000.0, 3500000.0
    write_raster(path, x0, y0, crs=UTM)
    # the communities in a CRS whose x is the raster's x + 1000 m
    comm = communities(dx=x0 + 1000, dy=y0, crs=SHIFTED)
    d = build_demand(comm, raster_path=path, crs=SHIFTED)
    c = d.points[d.points["cid"] == "C"]
    got = sorted(zip((c.geometry.x - x0 - 1000).round(6), (c.geometry.y - y0).round(6),
                     c["population"], strict=True))
    assert got == [(250.0, 1250.0, 150.0), (250.0, 1750.0, 50.0),
                   (750.0, 1250.0, 200.0), (750.0, 1750.0, 100.0)]
    assert d.outside_population == pytest.approx(15.0, abs=1e-9)
    assert d.points.crs.equals(SHIFTED)


def test_raster_without_crs_is_an_input_error(tmp_path):
    path = tmp_path / "nocrs.tif"
    with rasterio.open(path, "w", driver="GTiff", width=5, height=4, count=1,
                       dtype="float32", transform=from_origin(0, 2000, 500, 500)) as dst:
        dst.write(GRID, 1)
    with pytest.raises(InputError, match="no coordinate system"):
        build_demand(communities(), raster_path=path, crs=UTM)


def population_points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"population": [100.0, 150.0, 120.0, 80.0, 30.0, 0.0]},
        geometry=[Point(100, 100), Point(900, 900), Point(1500, 500),
                  box(1100, 100, 1300, 300),     # a building footprint in B
                  Point(5000, 5000),            # outside every community
                  Point(200, 200)], crs=UTM)    # zero population: dropped


def test_points_are_authoritative_and_mismatch_is_reported():
    d = build_demand(communities(), points=population_points(), crs=UTM)
    assert d.method == "points"
    assert per_cid(d) == {"A": 250.0, "B": 200.0, "C": 500.0, "D": 40.0}
    assert d.outside_population == 30.0
    b = d.points[d.points["cid"] == "B"]
    assert sorted(b["population"]) == [80.0, 120.0]
    assert all(g.within(box(1100, 100, 1300, 300)) for g in b.geometry[b["population"] == 80])
    # A has 250 in points vs 300 in the layer: a warning names it, nothing is rescaled
    assert any("differ" in w and "A" in w for w in d.warnings)
    assert any("outside every community" in w for w in d.warnings)
    # C and D have no point: their population goes on a representative point
    per = d.per_community.set_index("cid")
    assert per.loc["C", "placement"] == "representative point"
    assert per.loc["A", "input_population"] == 300.0
    assert per.loc["A", "population"] == 250.0
    assert per.loc["A", "households"] == pytest.approx(250 * 100 / 300)


def test_points_rescaled_when_asked():
    d = build_demand(communities(), points=population_points(), crs=UTM, rescale_points=True)
    a = d.points[d.points["cid"] == "A"].sort_values("population")
    assert a["population"].tolist() == pytest.approx([120.0, 180.0])
    got = per_cid(d)
    assert got == pytest.approx({"A": 300.0, "B": 200.0, "C": 500.0, "D": 40.0}, abs=1e-9)


def test_points_with_negative_population_are_rejected():
    pts = population_points()
    pts.loc[2, "population"] = -5.0
    with pytest.raises(InputError, match="row 2"):
        build_demand(communities(), points=pts, crs=UTM)


def test_both_raster_and_points_is_an_error(tmp_path):
    with pytest.raises(InputError, match="only one"):
        build_demand(communities(), raster_path=tmp_path / "x.tif",
                     points=population_points(), crs=UTM)


def test_frontage_spreads_population_along_roads():
    roads = gpd.GeoDataFrame(
        {"road_class": ["residential", "motorway", "service"]},
        geometry=[LineString([(-500, 500), (1500, 500)]),   # 1000 m in A, 500 m in B
                  LineString([(250, -100), (250, 1100)]),   # motorway: no frontage
                  LineString([(100, 100), (100, 320)])],    # 220 m in A
        crs=UTM)
    d = build_demand(communities(), roads=roads, crs=UTM)
    assert d.method == "frontage"
    pts = d.points
    a = pts[pts["cid"] == "A"]
    # A: 1220 m of frontage; 20 points of 50 m on the 1000 m piece, 5 of 44 m on the 220 m one
    assert len(a) == 25
    horiz = a[a.geometry.y.round(9) == 500]
    assert sorted(horiz.geometry.x.round(9)) == [25.0 + 50 * i for i in range(20)]
    assert np.allclose(horiz["population"], 300 * 50 / 1220)
    vert = a[a.geometry.x.round(9) == 100]
    assert sorted(vert.geometry.y.round(9)) == [122.0, 166.0, 210.0, 254.0, 298.0]
    assert np.allclose(vert["population"], 300 * 44 / 1220)
    b = pts[pts["cid"] == "B"]
    assert sorted(b.geometry.x.round(9)) == [1025.0 + 50 * i for i in range(10)]
    assert np.allclose(b["population"], 20.0)
    got = per_cid(d)
    for cid, pop in (("A", 300.0), ("B", 200.0), ("C", 500.0), ("D", 40.0)):
        assert abs(got[cid] - pop) < 1e-9
    # C and D: no road inside (the motorway does not count) -> one representative point
    per = d.per_community.set_index("cid")
    assert per.loc["C", "n_points"] == 1 and per.loc["C", "placement"] == "representative point"
    assert per.loc["A", "placement"] == "roads"
    assert d.outside_population == 0.0


def test_no_source_at_all_gives_representative_points():
    d = build_demand(communities(), crs=UTM)
    assert len(d.points) == 4
    assert per_cid(d) == {"A": 300.0, "B": 200.0, "C": 500.0, "D": 40.0}
    comm = communities().set_index("cid")
    for cid, g in zip(d.points["cid"], d.points.geometry, strict=True):
        assert g.within(comm.geometry[cid])
    assert d.warnings


def test_zero_population_community_gets_no_points(tmp_path):
    path = tmp_path / "pop.tif"
    write_raster(path)
    comm = communities()
    comm["population"] = [0.0, 200.0, 500.0, 40.0]
    d = build_demand(comm, raster_path=path, crs=UTM)
    assert "A" not in set(d.points["cid"])
    per = d.per_community.set_index("cid")
    assert per.loc["A", "placement"] == "none" and per.loc["A", "population"] == 0.0
    assert isinstance(d.per_community, pd.DataFrame)


def test_fine_raster_is_summed_into_working_cells(tmp_path):
    """Cells finer than the working size are summed block by block (hand-computed sums)."""
    from lifecircle.accessibility.demand import _raster_cells

    path = tmp_path / "pop.tif"
    write_raster(path)
    x, y, values, negative = _raster_cells(path, communities(), UTM, 1000.0)
    got = sorted(zip(x.tolist(), y.tolist(), values.tolist(), strict=True))
    # 2 x 2 blocks of GRID (nodata left out; the last column is a half block)
    assert got == [(500.0, 500.0, 4.0), (500.0, 1500.0, 10.0), (1500.0, 500.0, 8.0),
                   (1500.0, 1500.0, 8.0), (2250.0, 1500.0, 7.0)]
    assert negative == 0


def test_a_fine_grid_gives_the_demand_of_the_coarse_one(tmp_path):
    """GRID refined 100 times (5 m cells, people spread evenly) = GRID at 500 m cells."""
    coarse = tmp_path / "coarse.tif"
    write_raster(coarse)
    fine = np.where(GRID == NODATA, NODATA, GRID / 10000.0).astype(np.float32)
    fine = np.repeat(np.repeat(fine, 100, axis=0), 100, axis=1)
    path = tmp_path / "fine.tif"
    with rasterio.open(path, "w", driver="GTiff", width=500, height=400, count=1,
                       dtype="float32", crs=UTM, transform=from_origin(0, 2000, 5, 5),
                       nodata=NODATA, tiled=True, blockxsize=256, blockysize=256) as dst:
        dst.write(fine, 1)
    a = build_demand(communities(), raster_path=coarse, crs=UTM, cell_m=500.0).points
    b = build_demand(communities(), raster_path=path, crs=UTM, cell_m=500.0).points
    assert len(a) == len(b)
    assert np.allclose(a.geometry.x, b.geometry.x) and np.allclose(a.geometry.y, b.geometry.y)
    assert np.allclose(a["population"], b["population"], rtol=1e-6)
    assert a["cid"].tolist() == b["cid"].tolist()
    # with every cell kept, the fine grid gives 10,000 times as many points
    every = build_demand(communities(), raster_path=path, crs=UTM, cell_m=None).points
    assert len(every) > 100 * len(b)
