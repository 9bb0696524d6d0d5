"""Raster helpers: grid cell centres and GeoTIFF writing.

Travel-time grids live in :mod:`lifecircle.accessibility.surfaces` (they need the engine).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
from affine import Affine
from numpy.typing import ArrayLike, NDArray

from lifecircle.errors import InputError, OutputError, notice
from lifecircle.geo.crs import transformer

__all__ = ["gather_parts", "grid_centres", "mask_parts", "mask_polygon", "masks_parts",
           "read_strips", "window_over", "write_geotiff"]

#: Cells read at once from a raster (a strip of rows): bounds the memory of every read.
STRIP_CELLS = 4_000_000


def window_over(ds: Any, bounds: tuple[float, float, float, float] | None,
                bounds_crs: Any = None) -> tuple[int, int, int, int]:
    """Column/row range ``(c0, r0, c1, r1)`` of an open raster covering ``bounds``.

    Parameters
    ----------
    ds
        An open rasterio dataset.
    bounds
        ``(minx, miny, maxx, maxy)``; None means the whole raster.
    bounds_crs
        CRS of ``bounds`` (None: the raster's own). Reprojected with densified edges.

    Returns
    -------
    tuple
        Clipped to the raster; empty (``c1 <= c0`` or ``r1 <= r0``) when they do not meet.
    """
    if bounds is None:
        return 0, 0, int(ds.width), int(ds.height)
    minx, miny, maxx, maxy = bounds
    if bounds_crs is not None and ds.crs is not None:
        src = pyproj.CRS.from_user_input(bounds_crs)
        dst = pyproj.CRS.from_user_input(ds.crs.to_wkt())
        if not src.equals(dst):
            minx, miny, maxx, maxy = transformer(src, dst).transform_bounds(
                minx, miny, maxx, maxy, densify_pts=21)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return 0, 0, 0, 0
    inv = ~ds.transform
    cols, rows = [], []
    for x, y in ((minx, miny), (minx, maxy), (maxx, miny), (maxx, maxy)):
        cols.append(inv.a * x + inv.b * y + inv.c)
        rows.append(inv.d * x + inv.e * y + inv.f)
    c0 = max(0, math.floor(min(cols) + 1e-9))
    r0 = max(0, math.floor(min(rows) + 1e-9))
    c1 = min(int(ds.width), math.ceil(max(cols) - 1e-9))
    r1 = min(int(ds.height), math.ceil(max(rows) - 1e-9))
    return c0, r0, max(c0, c1), max(r0, r1)


def read_strips(ds: Any, window: tuple[int, int, int, int], *, rows_multiple: int = 1,
                max_cells: int = STRIP_CELLS) -> Any:
    """Read band 1 of ``window`` strip by strip: yields ``(row_offset, masked array)``.

    Each strip holds a whole number of ``rows_multiple`` rows and about ``max_cells``
    cells at most (at least ``rows_multiple`` rows), so memory stays bounded whatever the
    raster's size; ``row_offset`` counts from the window's top row.
    """
    from rasterio.windows import Window

    c0, r0, c1, r1 = window
    width, height = c1 - c0, r1 - r0
    if width <= 0 or height <= 0:
        return
    step = max(rows_multiple, (max_cells // max(width, 1)) // rows_multiple * rows_multiple)
    for off in range(0, height, step):
        h = min(step, height - off)
        yield off, ds.read(1, window=Window(c0, r0 + off, width, h), masked=True)


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
        raise notice(InputError, "err.raster.cell", value=repr(cell_m))
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
        raise notice(OutputError, "err.out.geotiff", path=str(path), error=str(e)) from e


def mask_polygon(mask: NDArray[np.bool_], transform: Affine, *, simplify_m: float = 0.0,
                 min_hole_m2: float = 0.0) -> Any:
    """The true cells of ``mask`` as one (Multi)Polygon, built in bulk.

    See :func:`mask_parts`; the parts are gathered into one geometry by
    :func:`gather_parts`.
    """
    parts = mask_parts(mask, transform, simplify_m=simplify_m, min_hole_m2=min_hole_m2)
    return gather_parts(parts, check=simplify_m >= 0.5 * abs(transform.a))


def mask_parts(mask: NDArray[np.bool_], transform: Affine, *, simplify_m: float = 0.0,
               min_hole_m2: float = 0.0) -> NDArray[np.object_]:
    """The 8-connected regions of true cells of ``mask`` as valid polygons, built in bulk.

    GDAL traces the regions (``rasterio.features.shapes``); their rings go to shapely as
    flat coordinate arrays, never one Python object per vertex. Holes smaller than
    ``min_hole_m2`` are dropped *before* simplifying, then every polygon is simplified by
    Douglas-Peucker (``simplify_m``; vectorised, cost linear in the vertices whatever the
    number of holes; GEOS repairs a polygon the simplification made invalid, and cells
    touching at a corner become polygons touching at a point). Regions of different parts
    are at least one cell apart, so with ``simplify_m`` under half a cell no two parts
    overlap and :func:`gather_parts` needs no repair.

    Parameters
    ----------
    mask
        2-D boolean grid.
    transform
        The grid's affine transform (north up), in a metric CRS.
    simplify_m
        Douglas-Peucker tolerance in CRS units; 0 keeps the cell outline.
    min_hole_m2
        Interior rings with a smaller area are filled.

    Returns
    -------
    ndarray of Polygon
        Non-empty, valid polygons, in GDAL's order.
    """
    return masks_parts([(mask, transform)], simplify_m=simplify_m,
                       min_hole_m2=min_hole_m2)[0]


#: :func:`masks_parts` traces grids of at most this many cells together, side by side in
#: rows of at most :data:`_SHEET_COLS` cells (tracing one grid costs ~1 ms whatever its
#: size: thousands of village-sized grids per city otherwise).
_SMALL_CELLS = 256 * 256
_SHEET_COLS = 2048
#: Cells of the grids on one sheet (bounds its memory: a sheet of uint8 cells).
_SHEET_CELLS = 8 * 2**20
#: Empty cells between grids traced together (more than 8-connectivity bridges).
_GAP = 2


def masks_parts(masks: Sequence[tuple[NDArray[np.bool_], Affine]], *,
                simplify_m: float = 0.0, min_hole_m2: float = 0.0
                ) -> list[NDArray[np.object_]]:
    """:func:`mask_parts` of each ``(mask, transform)``, the small grids traced together.

    Small grids are laid side by side (two empty cells apart) on shared sheets traced by
    one GDAL call in cell units; each region's rings are then put back on its own grid
    with its own transform, computed as GDAL computes them, so every result equals
    :func:`mask_parts` of that grid alone (same polygons, vertices and order).
    """
    out: list[NDArray[np.object_]] = [np.empty(0, dtype=object)] * len(masks)
    sheet: list[int] = []
    cells = 0
    for i, (m, t) in enumerate(masks):
        if m.size > _SMALL_CELLS:
            rings, poly_of = _trace(np.ascontiguousarray(m, dtype=np.uint8), t)
            out[i] = _polygons(rings, poly_of, t, simplify_m, min_hole_m2)
            continue
        sheet.append(i)
        cells += m.size
        if cells >= _SHEET_CELLS:
            _trace_sheet(masks, sheet, out, simplify_m, min_hole_m2)
            sheet, cells = [], 0
    if sheet:
        _trace_sheet(masks, sheet, out, simplify_m, min_hole_m2)
    return out


def _trace_sheet(masks: Sequence[tuple[NDArray[np.bool_], Affine]], small: list[int],
                 out: list[NDArray[np.object_]], simplify_m: float, min_hole_m2: float
                 ) -> None:
    """:func:`masks_parts` of the grids ``small``, on one sheet, into ``out``."""
    # shelves: grids in task order, left to right, a new shelf when the row is full
    place: dict[int, tuple[int, int]] = {}
    shelves: list[list[int]] = []
    col = _SHEET_COLS
    for i in small:
        w = masks[i][0].shape[1]
        if col + w > _SHEET_COLS and col > 0:
            shelves.append([])
            col = 0
        shelves[-1].append(i)
        place[i] = (0, col + _GAP)
        col += w + _GAP
    row = _GAP
    for shelf in shelves:
        for i in shelf:
            place[i] = (row, place[i][1])
        row += max(masks[i][0].shape[0] for i in shelf) + _GAP
    cols = max(place[i][1] + masks[i][0].shape[1] for i in small) + _GAP
    sheet = np.zeros((row, cols), dtype=np.uint8)
    for i in small:
        (r0, c0), m = place[i], masks[i][0]
        sheet[r0:r0 + m.shape[0], c0:c0 + m.shape[1]] = m
    rings, poly_of = _trace(sheet, Affine.identity())
    # each region belongs to the grid whose box holds the first vertex of its shell
    first = np.array([r[0] for r in rings], dtype=float).reshape(-1, 2)
    owner = np.full(len(rings), -1, dtype=np.int64)
    for j, i in enumerate(small):
        (r0, c0), (h, w) = place[i], masks[i][0].shape
        owner[(first[:, 1] >= r0) & (first[:, 1] <= r0 + h) & (first[:, 0] >= c0)
              & (first[:, 0] <= c0 + w)] = j
    pid = np.asarray(poly_of, dtype=np.int64)
    shell = np.ones(len(rings), dtype=bool)
    shell[1:] = pid[1:] != pid[:-1]
    owner = owner[np.flatnonzero(shell)[np.cumsum(shell) - 1]]
    for j, i in enumerate(small):
        sel = np.flatnonzero(owner == j)
        out[i] = _polygons([rings[k] for k in sel], [poly_of[k] for k in sel], masks[i][1],
                           simplify_m, min_hole_m2, offset=place[i])


def _trace(m: NDArray[np.uint8], transform: Affine) -> tuple[list[Any], list[int]]:
    """GDAL's rings of the regions of ``m`` (8-connected) and the region of each ring."""
    import warnings

    from rasterio import features
    from rasterio.errors import NotGeoreferencedWarning

    rings: list[Any] = []
    poly_of: list[int] = []
    with warnings.catch_warnings():
        # rasterio wraps the bare mask array in a dataset without a transform and warns;
        # the shapes get ``transform`` all the same (seen in-process, e.g. on a Dask worker)
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        for i, (geom, _) in enumerate(features.shapes(m, mask=m.view(bool), connectivity=8,
                                                      transform=transform)):
            rs = geom["coordinates"]
            rings.extend(rs)
            poly_of.extend([i] * len(rs))
    return rings, poly_of


def _polygons(rings: list[Any], poly_of: list[int], transform: Affine, simplify_m: float,
              min_hole_m2: float, offset: tuple[int, int] | None = None
              ) -> NDArray[np.object_]:
    """:func:`mask_parts` from the traced rings (shell first, then its holes, per region).

    ``offset``: the rings are in cells of a sheet where the grid's top-left cell is at
    (row, col) ``offset``; they are put on the grid with ``transform`` as GDAL does
    (``c + a * col + b * row``, ``f + d * col + e * row``)."""
    import itertools

    import shapely

    if not rings:
        return np.empty(0, dtype=object)
    n = len(rings)
    sizes = np.fromiter(map(len, rings), dtype=np.int64, count=n)
    flat = itertools.chain.from_iterable(itertools.chain.from_iterable(rings))
    coords = np.fromiter(flat, dtype=np.float64, count=2 * int(sizes.sum())).reshape(-1, 2)
    if offset is not None:
        col = coords[:, 0] - offset[1]
        row = coords[:, 1] - offset[0]
        t = transform
        coords = np.column_stack([t.c + t.a * col + t.b * row, t.f + t.d * col + t.e * row])
    ring_of = np.repeat(np.arange(n), sizes)
    pid = np.asarray(poly_of, dtype=np.int64)
    shell = np.ones(n, dtype=bool)
    shell[1:] = pid[1:] != pid[:-1]
    if min_hole_m2 > 0:
        # shoelace per ring (relative to the grid origin: no cancellation in big numbers)
        x = coords[:, 0] - transform.c
        y = coords[:, 1] - transform.f
        same = ring_of[1:] == ring_of[:-1]
        cross = (x[:-1] * y[1:] - x[1:] * y[:-1])[same]
        area = 0.5 * np.abs(np.bincount(ring_of[1:][same], weights=cross, minlength=n))
        keep = shell | (area >= min_hole_m2)
        if not keep.all():
            coords = coords[keep[ring_of]]
            ring_of = np.repeat(np.arange(int(keep.sum())), sizes[keep])
            pid = pid[keep]
    lr = shapely.linearrings(coords, indices=ring_of)
    polys = shapely.polygons(lr, indices=np.unique(pid, return_inverse=True)[1].ravel())
    if simplify_m > 0:
        polys = shapely.simplify(polys, simplify_m, preserve_topology=False)
    else:
        # cells touching at a corner: a ring touching itself, split at that point
        bad = ~shapely.is_valid(polys)
        if bad.any():
            polys[bad] = shapely.make_valid(polys[bad])
    return _polygonal_parts(polys)


def gather_parts(parts: NDArray[np.object_], *, check: bool = True) -> Any:
    """Polygons as one Polygon, MultiPolygon or empty Polygon.

    With ``check``, a MultiPolygon whose parts overlap (simplified too far) is repaired;
    without, the parts are trusted not to overlap (:func:`mask_parts` with a tolerance under
    half a cell).
    """
    import shapely

    if len(parts) == 0:
        return shapely.Polygon()
    if len(parts) == 1:
        return parts[0]
    out = shapely.multipolygons(parts)
    if not check or shapely.is_valid(out):
        return out
    return gather_parts(_polygonal_parts(shapely.make_valid(out)), check=False)


def _polygonal_parts(geoms: Any) -> NDArray[np.object_]:
    """The non-empty polygons in ``geoms`` (collections of a repair taken apart)."""
    import shapely

    parts = shapely.get_parts(shapely.get_parts(geoms))
    return parts[(shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)]
