"""Travel-time grids, GeoTIFF writing and population rasters read as points."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import rasterio
from affine import Affine
from shapely import LineString

from lifecircle.accessibility.network import build
from lifecircle.accessibility.snap import snap
from lifecircle.accessibility.surfaces import snap_cells, travel_time_grid
from lifecircle.errors import InputError, OutputError
from lifecircle.geo.raster import grid_centres, write_geotiff
from lifecircle.project import Mode

CRS = "EPSG:4548"
# 1 m/s walking
WALK = Mode("walk", "步行", "walk", 3.6, frozenset(), False, pedestrian=True)


def test_grid_centres_north_up():
    x, y, tr = grid_centres((0, 0, 300, 200), 100)
    assert x.shape == (2, 3)
    assert list(x[0]) == [50, 150, 250] and list(y[:, 0]) == [150, 50]
    assert tr == Affine(100, 0, 0, 0, -100, 200)
    with pytest.raises(InputError):
        grid_centres((0, 0, 1, 1), 0)


def test_travel_time_grid_hand_values():
    # a road along y = 50; source at x = 50; the second row (y = 150) is off the road
    net = build(gpd.GeoDataFrame(geometry=[LineString([(0, 50), (1000, 50)])], crs=CRS), WALK)
    src = snap(net, np.array([[50.0, 50.0]]), max_snap_m=1)
    grid, tr = travel_time_grid(net, src, bounds=(0, -100, 1000, 100), cell_m=100,
                                limit_s=450, max_snap_m=60)
    assert grid.dtype == np.float32 and grid.shape == (2, 10)
    assert tr == Affine(100, 0, 0, 0, -100, 100)
    # row 0 has centres at y = 50 (on the road), row 1 at y = -50 (100 m off: no data)
    want = np.array([0, 100, 200, 300, 400] + [np.nan] * 5) / 60
    np.testing.assert_allclose(grid[0], want.astype(np.float32), rtol=1e-6)
    assert np.isnan(grid[1]).all()
    grid2, _ = travel_time_grid(net, src, bounds=(0, -100, 1000, 100), cell_m=100,
                                limit_s=np.inf, max_snap_m=150)
    # 100 m access at 1 m/s added to the cells of the lower row
    np.testing.assert_allclose(grid2[1], (np.arange(10) * 100 + 100) / 60, rtol=1e-6)
    # a mask times only some cells; pre-snapped cells give the same answer
    mask = np.zeros((2, 10), dtype=bool)
    mask[1, :4] = True
    cells = snap_cells(net, (0, -100, 1000, 100), 100, max_snap_m=150, mask=mask)
    for kw in ({"mask": mask, "max_snap_m": 150}, {"cells": cells}):
        grid3, _ = travel_time_grid(net, src, bounds=(0, -100, 1000, 100), cell_m=100,
                                    limit_s=np.inf, **kw)
        np.testing.assert_allclose(grid3[mask], grid2[mask], rtol=1e-6)
        assert np.isnan(grid3[~mask]).all()


def test_write_geotiff_round_trip(tmp_path):
    arr = np.array([[1.5, np.nan], [3.25, 0.0]], dtype=np.float32)
    tr = Affine(100, 0, 500_000, 0, -100, 3_500_000)
    path = tmp_path / "out" / "traveltime_health.tif"
    write_geotiff(path, arr, tr, pyproj.CRS(CRS))
    assert path.exists() and not list(path.parent.glob(".*tmp*"))
    with rasterio.open(path) as r:
        assert r.count == 1 and r.dtypes[0] == "float32"
        assert r.nodata == -1.0
        assert r.transform == tr
        assert pyproj.CRS(r.crs.to_wkt()).equals(pyproj.CRS(CRS))
        assert r.compression is not None and r.compression.name.lower() == "deflate"
        data = r.read(1)
        np.testing.assert_array_equal(data, [[1.5, -1.0], [3.25, 0.0]])
        masked = r.read(1, masked=True)
        assert masked.mask.tolist() == [[False, True], [False, False]]


def test_write_geotiff_unwritable_raises_output_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write"):
        write_geotiff(blocker / "a.tif", np.zeros((2, 2)), Affine.identity(), CRS)


def _population_tif(path, crs="EPSG:4326"):
    data = np.array([[10, 0, -9], [np.nan, 5.5, 2]], dtype=np.float32)
    tr = Affine(0.001, 0, 118.5, 0, -0.001, 31.7)
    with rasterio.open(path, "w", driver="GTiff", width=3, height=2, count=1,
                       dtype="float32", crs=crs, transform=tr, nodata=-9) as dst:
        dst.write(data, 1)
    return tr
