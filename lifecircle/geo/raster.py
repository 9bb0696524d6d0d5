"""Raster helpers: grid cell centres, GeoTIFF writing, population rasters as points.

Travel-time grids live in :mod:`lifecircle.accessibility.surfaces` (they need the engine).
"""

from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from affine import Affine
from numpy.typing import ArrayLike, NDArray

from lifecircle.errors import InputError, OutputError

__all__ = ["grid_centres", "read_population_points", "write_geotiff"]


def grid_centres(bounds: tuple[float, float, float, float], cell_m: float
                 ) -> tuple[NDArray[np.float64], NDArray[np.float64], Affine]:
    """Cell centres of a north-up grid covering ``bounds``.

    Parameters
    ----------
    bounds
        ``(minx, miny, maxx, maxy)`` in a metric CRS.
    cell_m
        Cell size in metres.

    Returns
    -------
    x, y : ndarray, shape (rows, cols)
        Centre coordinates, rows running north to south.
    transform : Affine
        Of the grid's top-left corner.
    """
    if not cell_m > 0:
        raise InputError(f"raster cell size {cell_m!r}: must be > 0; fix: give a size in metres")
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    cols = max(1, math.ceil((maxx - minx) / cell_m))
    rows = max(1, math.ceil((maxy - miny) / cell_m))
    transform = Affine(cell_m, 0.0, minx, 0.0, -cell_m, maxy)
    cx = minx + (np.arange(cols) + 0.5) * cell_m
    cy = maxy - (np.arange(rows) + 0.5) * cell_m
    x, y = np.meshgrid(cx, cy)
    return x, y, transform


def write_geotiff(path: str | Path, array: ArrayLike, transform: Affine, crs: Any,
                  nodata: float = -1.0) -> None:
    """Write one float32 band as a deflate-compressed GeoTIFF (NaN becomes ``nodata``).

    The file is written under a temporary name and renamed when complete.

    Raises
    ------
    OutputError
        When the file cannot be written.
    """
    import rasterio
    from rasterio.crs import CRS as RASTERIO_CRS

    path = Path(path)
    data = np.asarray(array, dtype=np.float32)
    if data.ndim != 2:
        raise ValueError(f"write_geotiff: expected a 2-D array, got shape {data.shape}")
    data = np.where(np.isfinite(data), data, np.float32(nodata)).astype(np.float32)
    rio_crs = None
    if crs is not None:
        rio_crs = RASTERIO_CRS.from_wkt(pyproj.CRS.from_user_input(crs).to_wkt())
    rows, cols = data.shape
    profile: dict[str, Any] = {
        "driver": "GTiff", "width": cols, "height": rows, "count": 1, "dtype": "float32",
        "crs": rio_crs, "transform": transform, "nodata": float(nodata),
        "compress": "deflate", "predictor": 3,
    }
    if rows >= 256 and cols >= 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    tmp = path.with_name(f".{path.name}.tmp.tif")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(data, 1)
        os.replace(tmp, path)
    except (OSError, rasterio.errors.RasterioIOError) as e:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write the GeoTIFF ({e}); fix: check the folder "
                          "exists and is writable, and that the file is not open elsewhere"
                          ) from e


def read_population_points(raster_path: str | Path, crs: Any, clip: Any = None
                           ) -> gpd.GeoDataFrame:
    """Population raster cells as points in the working CRS.

    Parameters
    ----------
    raster_path
        A single-band raster of people per cell (e.g. WorldPop GeoTIFF).
    crs
        The working CRS the points are returned in; cell centres are reprojected when the
        raster's CRS differs.
    clip
        Optional area in the working CRS: a shapely geometry or ``(minx, miny, maxx,
        maxy)``; only cells whose centre lies inside are kept.

    Returns
    -------
    GeoDataFrame
        Columns ``x``, ``y`` (working CRS), ``population`` (float) and point geometry, one
        row per cell with population > 0 (nodata, NaN and zero cells are skipped).

    Raises
    ------
    InputError
        When the raster cannot be read or has no CRS.
    """
    import rasterio
    from rasterio.windows import Window, from_bounds

    path = Path(raster_path)
    dst_crs = pyproj.CRS.from_user_input(crs)
    try:
        src = rasterio.open(path)
    except (OSError, rasterio.errors.RasterioIOError) as e:
        raise InputError(f"{path}: cannot read the population raster ({e}); fix: give a "
                         "GeoTIFF path that exists") from e
    with src:
        if src.crs is None:
            raise InputError(f"{path}: the population raster has no coordinate system; fix: "
                             "set one (e.g. gdal_edit.py -a_srs EPSG:4326)")
        src_crs = pyproj.CRS.from_user_input(src.crs.to_wkt())
        clip_geom = None
        if clip is not None:
            clip_geom = shapely.box(*clip) if isinstance(clip, tuple | list) else clip
        window = None
        if clip_geom is not None:
            b = shapely.bounds(clip_geom)
            if not src_crs.equals(dst_crs):
                tr = pyproj.Transformer.from_crs(dst_crs, src_crs, always_xy=True)
                b = tr.transform_bounds(*b, densify_pts=21)
            w = from_bounds(*b, transform=src.transform)
            w = w.round_offsets(op="floor").round_lengths(op="ceil")
            full = Window(0, 0, src.width, src.height)
            try:
                window = w.intersection(full)
            except rasterio.errors.WindowError:
                window = None
                empty = True
            else:
                empty = window.width <= 0 or window.height <= 0
            if empty:
                return _points_frame(np.zeros(0), np.zeros(0), np.zeros(0), dst_crs)
        band = src.read(1, window=window, masked=True)
        transform = src.transform
        if window is not None:
            transform = transform @ Affine.translation(window.col_off, window.row_off)
    values = np.ma.filled(band.astype(np.float64), np.nan)
    r, c = np.nonzero(np.isfinite(values) & (values > 0))
    pop = values[r, c]
    x = transform.c + transform.a * (c + 0.5) + transform.b * (r + 0.5)
    y = transform.f + transform.d * (c + 0.5) + transform.e * (r + 0.5)
    if not src_crs.equals(dst_crs) and len(x):
        tr = pyproj.Transformer.from_crs(src_crs, dst_crs, always_xy=True)
        x, y = tr.transform(x, y)
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if clip_geom is not None and len(x):
        shapely.prepare(clip_geom)
        inside = shapely.contains_xy(clip_geom, x, y)
        x, y, pop = x[inside], y[inside], pop[inside]
    return _points_frame(x, y, pop, dst_crs)


def _points_frame(x: NDArray, y: NDArray, pop: NDArray, crs: pyproj.CRS) -> gpd.GeoDataFrame:
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return gpd.GeoDataFrame({"x": x, "y": y, "population": np.asarray(pop, dtype=np.float64)},
                            geometry=gpd.points_from_xy(x, y), crs=crs)
