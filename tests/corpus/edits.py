"""Small editors the corpus cases use to break one thing in a copy of the base project.

Every layer is rewritten through real GDAL (pyogrio, rasterio) in the format the base
project uses, so a case differs from the base by exactly the change it names:

- ``communities.shp``: GBK without ``.cpg`` and without a code page byte (a legacy file);
- ``roads.shp``: UTF-8 with ``.cpg``;
- ``facilities.gpkg`` / ``candidates.gpkg``: GeoPackage layers ``facilities`` / ``candidates``;
- ``population.tif``: float32 GeoTIFF, nodata -1;
- ``project.toml``: rewritten from a parsed dict (comments are lost, the content is not).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
import shapely

Edit = Callable[[Path], None]


# ---------------------------------------------------------------------------- project file
def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def toml_text(data: Mapping[str, Any], prefix: str = "") -> str:
    """Serialise nested dicts of scalars and lists to TOML."""
    scalars = [(k, v) for k, v in data.items() if not isinstance(v, Mapping)]
    tables = [(k, v) for k, v in data.items() if isinstance(v, Mapping)]
    out = []
    if prefix and (scalars or not tables):
        out.append(f"[{prefix}]")
    for k, v in scalars:
        out.append(f"{json.dumps(k, ensure_ascii=False)} = {_toml_value(v)}")
    for k, v in tables:
        key = json.dumps(k, ensure_ascii=False)
        out.append(toml_text(v, f"{prefix}.{key}" if prefix else key))
    return "\n".join(out) + "\n"


def read_project(folder: Path) -> dict[str, Any]:
    """The parsed ``project.toml`` of a case folder."""
    return tomllib.loads((folder / "project.toml").read_text(encoding="utf-8"))


def write_project(folder: Path, data: Mapping[str, Any]) -> None:
    """Write ``project.toml`` of a case folder from a dict."""
    (folder / "project.toml").write_text(toml_text(data), encoding="utf-8")


def project_edit(fn: Callable[[dict[str, Any]], None]) -> Edit:
    """An edit that changes the parsed project file in place and writes it back."""

    def edit(folder: Path) -> None:
        data = read_project(folder)
        fn(data)
        write_project(folder, data)

    return edit


def set_key(dotted: str, value: Any) -> Edit:
    """Set ``a.b.c = value`` in the project file (tables created as needed)."""

    def fn(data: dict[str, Any]) -> None:
        *head, last = dotted.split(".")
        table = data
        for k in head:
            table = table.setdefault(k, {})
        table[last] = value

    return project_edit(fn)


def del_key(dotted: str) -> Edit:
    """Remove ``a.b.c`` from the project file."""

    def fn(data: dict[str, Any]) -> None:
        *head, last = dotted.split(".")
        table = data
        for k in head:
            table = table[k]
        del table[last]

    return project_edit(fn)


def replace_text(name: str, old: str, new: str) -> Edit:
    """Replace ``old`` (which must occur) by ``new`` in the text file ``name``."""

    def edit(folder: Path) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


# ---------------------------------------------------------------------------- vector layers
LAYER_FILES = {"communities": "communities.shp", "roads": "roads.shp",
               "facilities": "facilities.gpkg", "candidates": "candidates.gpkg"}


def read_layer(folder: Path, key: str) -> gpd.GeoDataFrame:
    """Read one base layer as written (source field names, source CRS)."""
    path = folder / LAYER_FILES[key]
    encoding = "gbk" if key == "communities" else None
    layer = key if path.suffix == ".gpkg" else None
    return pyogrio.read_dataframe(path, layer=layer, encoding=encoding)


def write_layer(folder: Path, key: str, frame: gpd.GeoDataFrame) -> None:
    """Write a layer back in the base format (see the module docstring)."""
    path = folder / LAYER_FILES[key]
    if key == "communities":
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            path.with_suffix(ext).unlink(missing_ok=True)
        pyogrio.write_dataframe(frame, path, driver="ESRI Shapefile", encoding="GBK",
                                layer_options={"RESIZE": "YES"})
        path.with_suffix(".cpg").unlink(missing_ok=True)
        with path.with_suffix(".dbf").open("r+b") as fh:  # no code page mark: legacy file
            fh.seek(29)
            fh.write(b"\x00")
    elif key == "roads":
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            path.with_suffix(ext).unlink(missing_ok=True)
        pyogrio.write_dataframe(frame, path, driver="ESRI Shapefile", encoding="UTF-8",
                                layer_options={"RESIZE": "YES"})
    else:
        path.unlink(missing_ok=True)
        pyogrio.write_dataframe(frame, path, layer=key, driver="GPKG")


def layer_edit(key: str, fn: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame | None]) -> Edit:
    """An edit that reads a layer, applies ``fn`` (in place or returning a new frame) and
    writes it back in the base format."""

    def edit(folder: Path) -> None:
        frame = read_layer(folder, key)
        out = fn(frame)
        write_layer(folder, key, frame if out is None else out)

    return edit


def set_value(key: str, field: str, row: int, value: Any, *, as_text: bool = False) -> Edit:
    """Set ``field`` of 1-based ``row`` (as text when the value does not fit the type)."""

    def fn(frame: gpd.GeoDataFrame) -> None:
        if as_text:
            frame[field] = frame[field].map(lambda v: None if v is None else str(v)).astype(object)
        frame.loc[frame.index[row - 1], field] = value

    return layer_edit(key, fn)


def set_geometry(key: str, row: int, geom: shapely.Geometry | None) -> Edit:
    """Replace the geometry of 1-based ``row`` (None = no geometry)."""

    def fn(frame: gpd.GeoDataFrame) -> None:
        geoms = np.asarray(frame.geometry.values, dtype=object).copy()
        geoms[row - 1] = geom
        frame.geometry = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)

    return layer_edit(key, fn)


def map_geometry(key: str, fn: Callable[[np.ndarray], np.ndarray]) -> Edit:
    """Transform every coordinate (an (n, 2) array) of a layer; the CRS label is kept."""

    def edit(frame: gpd.GeoDataFrame) -> None:
        geoms = shapely.transform(np.asarray(frame.geometry.values, dtype=object), fn)
        frame.geometry = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)

    return layer_edit(key, edit)


# ---------------------------------------------------------------------------- raw files
def delete(*names: str) -> Edit:
    """Delete files of the case folder."""

    def edit(folder: Path) -> None:
        for n in names:
            (folder / n).unlink()

    return edit


def write_bytes(name: str, data: bytes) -> Edit:
    """Write ``data`` as file ``name`` (replacing it)."""

    def edit(folder: Path) -> None:
        (folder / name).write_bytes(data)

    return edit


def truncate(name: str, fraction: float) -> Edit:
    """Cut file ``name`` to ``fraction`` of its size (a broken download or copy)."""

    def edit(folder: Path) -> None:
        path = folder / name
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * fraction)])

    return edit


def prj_of(epsg: int) -> Edit:
    """Replace the ``.prj`` of the communities shapefile with the one of ``epsg``."""

    def edit(folder: Path) -> None:
        from pyproj import CRS

        (folder / "communities.prj").write_text(CRS.from_epsg(epsg).to_wkt("WKT1_ESRI"),
                                                encoding="ascii")

    return edit


def chain(*edits: Edit) -> Edit:
    """Apply several edits in order (for a case whose one change touches two files)."""

    def edit(folder: Path) -> None:
        for e in edits:
            e(folder)

    return edit


# ---------------------------------------------------------------------------- raster
def raster_edit(fn: Callable[[np.ndarray, dict[str, Any]], tuple[np.ndarray, dict[str, Any]]]
                ) -> Edit:
    """Rewrite ``population.tif``: ``fn(array, profile) -> (array, profile)``."""

    def edit(folder: Path) -> None:
        path = folder / "population.tif"
        with rasterio.open(path) as src:
            arr = src.read()
            profile = dict(src.profile)
        arr, profile = fn(arr, profile)
        path.unlink()
        profile["count"] = arr.shape[0]
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(arr)

    return edit


def reproject_raster(epsg: int) -> Edit:
    """Reproject ``population.tif`` into ``epsg`` keeping the total population."""

    def edit(folder: Path) -> None:
        from rasterio.warp import Resampling, calculate_default_transform, reproject

        path = folder / "population.tif"
        with rasterio.open(path) as src:
            arr = src.read(1)
            transform, width, height = calculate_default_transform(
                src.crs, f"EPSG:{epsg}", src.width, src.height, *src.bounds)
            dst = np.full((height, width), -1.0, dtype=np.float32)
            # people per cell: reproject a density, then scale back to people per new cell
            density = np.where(arr >= 0, arr, np.nan).astype(np.float64)
            out = np.full((height, width), np.nan)
            reproject(density, out, src_transform=src.transform, src_crs=src.crs,
                      dst_transform=transform, dst_crs=f"EPSG:{epsg}",
                      resampling=Resampling.nearest, src_nodata=np.nan, dst_nodata=np.nan)
            ok = np.isfinite(out)
            total = float(np.nansum(np.where(arr >= 0, arr, 0)))
            scale = total / float(out[ok].sum())
            dst[ok] = (out[ok] * scale).astype(np.float32)
            profile = dict(src.profile, crs=f"EPSG:{epsg}", transform=transform, width=width,
                           height=height)
        path.unlink()
        with rasterio.open(path, "w", **profile) as out_ds:
            out_ds.write(dst, 1)

    return edit


# ---------------------------------------------------------------------------- hostile files
def fifo(name: str) -> Edit:
    """Replace (or create) ``name`` by a named pipe: reading it would block forever."""
    import os

    def edit(folder: Path) -> None:
        path = folder / name
        if path.exists():
            path.unlink()
        os.mkfifo(path)

    return edit


def pad_text(name: str, size: int) -> Edit:
    """Append a TOML comment so ``name`` grows to ``size`` bytes (still valid TOML)."""

    def edit(folder: Path) -> None:
        path = folder / name
        data = path.read_bytes()
        path.write_bytes(data + b"\n#" + b"x" * max(0, size - len(data) - 3) + b"\n")

    return edit


def dbf_without_fields(name: str = "communities.dbf") -> Edit:
    """A valid DBF with the right number of records but no field at all."""
    import struct

    def edit(folder: Path) -> None:
        path = folder / name
        n = int.from_bytes(path.read_bytes()[4:8], "little")
        head = bytearray(32)
        head[0] = 3
        head[1:4] = bytes([124, 1, 1])
        head[4:8] = struct.pack("<I", n)
        head[8:10] = struct.pack("<H", 33)
        head[10:12] = struct.pack("<H", 1)
        path.write_bytes(bytes(head) + b"\r" + b" " * n + b"\x1a")

    return edit


def raster_bomb(width: int = 100_000, height: int = 100_000, res: float = 0.1) -> Edit:
    """``population.tif`` becomes a sparse GeoTIFF of ``width`` x ``height`` cells over the
    region (about 100 KB on disk, 10 billion cells declared in its header)."""

    def edit(folder: Path) -> None:
        from rasterio.transform import from_origin

        path = folder / "population.tif"
        with rasterio.open(path) as src:
            crs, b = src.crs, src.bounds
        path.unlink()
        profile = dict(driver="GTiff", width=width, height=height, count=1, dtype="float32",
                       crs=crs, transform=from_origin(b.left, b.top, res, res), nodata=-1.0,
                       tiled=True, blockxsize=1024, blockysize=1024, compress="deflate",
                       sparse_ok=True, BIGTIFF="YES")
        with rasterio.open(path, "w", **profile):
            pass  # no tile written: every tile is sparse

    return edit


def refine_raster(factor: int) -> Edit:
    """``population.tif`` on a grid ``factor`` times finer (each cell's people spread evenly
    over its ``factor`` x ``factor`` sub-cells), written strip by strip."""

    def edit(folder: Path) -> None:
        from rasterio.windows import Window

        path = folder / "population.tif"
        with rasterio.open(path) as src:
            arr = src.read(1)
            profile = dict(src.profile)
        t = profile["transform"]
        profile.update(width=arr.shape[1] * factor, height=arr.shape[0] * factor,
                       transform=rasterio.Affine(t.a / factor, t.b, t.c, t.d, t.e / factor,
                                                 t.f),
                       tiled=True, blockxsize=256, blockysize=256, compress="deflate",
                       predictor=3)
        fine = np.where(arr >= 0, arr / (factor * factor), arr).astype(np.float32)
        path.unlink()
        with rasterio.open(path, "w", **profile) as dst:
            for r in range(arr.shape[0]):
                row = np.repeat(np.repeat(fine[r:r + 1], factor, axis=0), factor, axis=1)
                dst.write(row, 1, window=Window(0, r * factor, row.shape[1], factor))

    return edit
