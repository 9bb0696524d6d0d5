"""Raster helpers: grid cell centres and GeoTIFF writing.

Travel-time grids live in :mod:`lifecircle.accessibility.surfaces` (they need the engine).
"""

from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
from affine import Affine
from numpy.typing import ArrayLike, NDArray

from lifecircle.errors import InputError, OutputError

__all__ = ["grid_centres", "write_geotiff"]


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
