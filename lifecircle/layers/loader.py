"""``layers.load(project)``: read, normalise, validate and reproject every input layer.

Each layer is read once (:mod:`lifecircle.layers.read`), given its true CRS (GCJ-02/BD-09
converted to WGS 84), cleaned (empty geometries dropped, invalid ones repaired), mapped to
the canonical columns of docs/contracts.md (:mod:`lifecircle.layers.fields`) and checked
(:mod:`lifecircle.layers.validate`). The problems of all layers are raised together in one
:class:`~lifecircle.errors.InputError`; data warnings travel with the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from lifecircle.errors import InputError, Problem, ProjectError, raise_problems
from lifecircle.geo.crs import (
    MAX_DISTORTION,
    distortion,
    distortion_text,
    transformer,
    working_crs,
)
from lifecircle.geo.offsets import fit_to_roads
from lifecircle.layers import fields as fld
from lifecircle.layers.osm import is_osm, osm_roads
from lifecircle.layers.read import RasterInfo, Source, is_raster, raster_info, read_vector, resolve
from lifecircle.layers.validate import (
    ROW,
    Check,
    check_ids,
    check_numbers,
    clean_geometries,
    lonlat_bounds,
    overlap_problem,
    resolve_crs,
    rows_text,
    values_text,
)
from lifecircle.project import ROAD_CLASSES, LayerSpec, Profile, Project
from lifecircle.schemas import SCHEMAS

#: Layers in the order they are read and reported.
ORDER = tuple(SCHEMAS)

#: Canonical columns of each loaded layer (docs/contracts.md), geometry last.
COLUMNS: dict[str, tuple[str, ...]] = {k: s.order for k, s in SCHEMAS.items()}
ID_PREFIX = {k: s.id_prefix for k, s in SCHEMAS.items() if s.id_column}
ID_COLUMN = {k: s.id_column for k, s in SCHEMAS.items() if s.id_column}

@dataclass(frozen=True)
class LayerInfo:
    """What was read for one layer and what loading did to it.

    Attributes
    ----------
    key
        Layer key (``communities`` ...).
    path
        The file given in the project.
    layer
        Layer name inside the file (None for single-layer files).
    driver
        OGR driver or rasterio driver name (``OSM XML (osmnx)``/``OSM PBF (osmium)`` for
        OSM roads, read by :mod:`lifecircle.layers.osm`).
    encoding
        Attribute encoding used (``gbk``, ``utf-8``, ``ascii`` ...; None for rasters).
    encoding_source
        How it was chosen: ``project``, ``cpg``, ``detected``, ``corrected``, ``driver``.
    source_crs
        The layer's CRS as read or declared (``EPSG:4490``, ``gcj02 -> EPSG:4326`` ...).
    rows_read
        Features read from the file (for OSM roads: the ``highway=*`` ways).
    rows_dropped
        Features dropped (empty or collapsed geometries; OSM ways open to neither walking
        nor driving, or with fewer than two of their nodes in the extract).
    rows_repaired
        Invalid geometries repaired with ``make_valid``.
    rows_converted
        Polygons (or multi-points) replaced by a point.
    fields
        Canonical column -> source field used.
    bounds_lonlat
        Extent in longitude/latitude (WGS 84 / CGCS2000).
    raster
        For a population raster: size, resolution, nodata, CRS, dtype.
    """

    key: str
    path: Path
    layer: str | None
    driver: str
    encoding: str | None
    encoding_source: str
    source_crs: str
    rows_read: int
    rows_dropped: int = 0
    rows_repaired: int = 0
    rows_converted: int = 0
    fields: Mapping[str, str] = field(default_factory=dict)
    bounds_lonlat: tuple[float, float, float, float] | None = None
    raster: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Layers:
    """Every input layer, normalised and in one metric working CRS (docs/contracts.md)."""

    crs: CRS
    communities: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    population_raster: Path | None
    demand_points: gpd.GeoDataFrame | None
    candidates: gpd.GeoDataFrame | None
    warnings: tuple[str, ...]
    info: Mapping[str, LayerInfo]
    #: largest relative distance error of ``crs`` over the data; above
    #: :data:`lifecircle.geo.crs.MAX_DISTORTION` only when the project accepts it, and then
    #: every output carries a notice
    crs_distortion: float = 0.0


# ---------------------------------------------------------------------------- entry point
def load(project: Project) -> Layers:
    """Read every layer of ``project``, validate it, and reproject into the working CRS.

    Parameters
    ----------
    project
        A loaded project (:func:`lifecircle.project.load`).

    Returns
    -------
    Layers

    Raises
    ------
    InputError
        Listing every problem of every layer at once (first one on the first line).
    """
    problems: list[Problem] = []
    warnings: list[str] = []
    frames: dict[str, gpd.GeoDataFrame] = {}
    infos: dict[str, LayerInfo] = {}
    raster_path: Path | None = None
    has_population_layer = "population" in project.layers
    for key in ORDER:
        spec = project.layers.get(key)
        if spec is None:
            continue
        if key == "population" and is_raster(spec.path):
            comm = infos.get("communities")
            info = _load_raster(spec, problems, comm.bounds_lonlat if comm else None)
            if info is not None:
                infos[key] = info
                raster_path = Path(spec.path)
            continue
        if key == "roads" and is_osm(spec.path):
            check = Check(f"{Path(spec.path).name} (layers.{key})")
            frame, info = _load_osm(spec, project.profile, check)
            problems.extend(check.problems)
            warnings.extend(check.warnings)
            if frame is not None and info is not None:
                frames[key] = frame
                infos[key] = info
            continue
        given = project.frames.get(key)
        if given is not None:  # a GeoDataFrame in memory (Project.from_layers)
            src = Source(Path(f"<{key}>"), "", None, "GeoDataFrame", None, "utf-8", "memory")
        else:
            try:
                src = resolve(spec.path, spec.layer, spec.encoding)
            except InputError as e:
                problems.append(Problem(f"layers.{key}", str(e)))
                continue
        check = Check(f"{src.display} (layers.{key})")
        check.warnings.extend(f"{src.display}: {w}" for w in src.warnings)
        if src.encoding_source == "detected" and src.encoding_label not in ("ascii", None) \
                and src.driver == "ESRI Shapefile":
            up = src.encoding_label.upper()
            check.warn(f"no .cpg; text detected as {up} (e.g. {src.encoding_sample!r}); fix: "
                       f"add a .cpg file containing {up} to make it explicit")
        frame, info = _load_vector(key, spec, src, project.profile, check,
                                   need_population=not has_population_layer, given=given)
        problems.extend(check.problems)
        warnings.extend(check.warnings)
        if frame is not None and info is not None:
            frames[key] = frame
            infos[key] = info
    if not problems:
        warnings[:0] = offset_warnings(project, frames)
    crs, crs_distortion = _choose_crs(project, infos, problems, warnings)
    if crs is not None:
        problems.extend(_overlaps(project, infos))
    raise_problems(problems, InputError,
                   what=str(project.path) if project.path else project.name)
    assert crs is not None
    out: dict[str, gpd.GeoDataFrame | None] = {}
    for key in ORDER:
        frame = frames.get(key)
        if frame is None:
            out[key] = None
            continue
        frame = frame.to_crs(crs).drop(columns=[ROW]).reset_index(drop=True)
        out[key] = frame
    if out["population"] is not None and out["communities"] is not None:
        out["communities"] = _population_from_points(out["communities"], out["population"],
                                                     warnings)
    empty_roads = gpd.GeoDataFrame({c: [] for c in COLUMNS["roads"]}, geometry=[], crs=crs)
    return Layers(
        crs=crs,
        communities=out["communities"],  # type: ignore[arg-type]
        facilities=out["facilities"],  # type: ignore[arg-type]
        roads=out["roads"] if out["roads"] is not None else empty_roads,
        population_raster=raster_path,
        demand_points=out["population"],
        candidates=out["candidates"],
        warnings=tuple(warnings),
        info=dict(infos),
        crs_distortion=crs_distortion,
    )


OFFSET_NAMES = {"gcj02": "GCJ-02 (Amap/Tencent)", "bd09": "BD-09 (Baidu)"}


def offset_warnings(project: Project, frames: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    """Point layers in degrees that fit the roads far better read as GCJ-02 or BD-09.

    A layer without ``source_crs`` whose points lie systematically off the roads by the size
    and direction of the Chinese offsets (:func:`lifecircle.geo.offsets.fit_to_roads`) gets
    a warning naming the fix; layers given a ``source_crs`` are taken at their word.
    """
    roads = frames.get("roads")
    if roads is None or roads.empty or roads.crs is None:
        return []
    out: list[str] = []
    roads_ll = None
    for key in ("facilities", "candidates", "population"):
        frame = frames.get(key)
        spec = project.layers.get(key)
        if frame is None or spec is None or spec.source_crs is not None or frame.empty \
                or frame.crs is None or not frame.crs.is_geographic:
            continue
        if roads_ll is None:
            roads_ll = roads.geometry.to_crs("EPSG:4326").values
        pts = frame.geometry.representative_point()
        fit = fit_to_roads(np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()]), roads_ll)
        if fit is None:
            continue
        system, sure = fit.guess()
        if system is None or not sure:
            continue
        out.append(f"{Path(spec.path).name} (layers.{key}): the points lie off the roads by the "
                   f"{OFFSET_NAMES[system]} offset: 90 % are within "
                   f"{fit.p90_m['wgs84']:.0f} m of a road as given, within "
                   f"{fit.p90_m[system]:.0f} m read as {system}; fix: set source_crs = "
                   f"\"{system}\" in [layers.{key}] if the data comes from those maps")
    return out


def _population_from_points(communities: gpd.GeoDataFrame, points: gpd.GeoDataFrame,
                            warnings: list[str]) -> gpd.GeoDataFrame:
    """Fill the communities' unknown population (and households) with the points inside.

    A community layer without a population field gets, for each community, the sum of the
    population points inside it (a point on a shared boundary counts for the first), so the
    headline, the report and the GeoPackage show the residents the coverage is made of.
    Known values are kept (the demand step warns when points and layer disagree).
    """
    polys = np.asarray(communities.geometry.values, dtype=object)
    geoms = np.asarray(points.geometry.values, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    geoms = np.where(ok, geoms, None)
    not_point = ok & (shapely.get_type_id(geoms) != 0)
    if not_point.any():
        geoms[not_point] = shapely.point_on_surface(geoms[not_point])
    pi, ci = shapely.STRtree(polys).query(geoms[ok], predicate="intersects")
    owner = np.full(len(geoms), -1, dtype=np.int64)
    idx = np.flatnonzero(ok)[pi]
    first = pd.Series(ci).groupby(idx).min()
    owner[first.index.to_numpy()] = first.to_numpy()
    inside = owner >= 0
    out = communities.copy()
    n = len(out)
    for col in ("population", "households"):
        if col not in points.columns:
            continue
        vals = pd.to_numeric(points[col], errors="coerce").to_numpy(float)
        if np.isnan(vals).all():
            continue
        use = inside & ~np.isnan(vals)
        sums = np.bincount(owner[use], weights=vals[use], minlength=n)
        have = pd.to_numeric(out[col], errors="coerce").to_numpy(float)
        fill = np.isnan(have)
        if fill.any():
            have = np.where(fill, sums, have)
            out[col] = have
            warnings.append(f"communities: {col} of {int(fill.sum())} communities summed from "
                            f"the population points inside them ({sums[fill].sum():,.0f} in "
                            "all)")
    return out


def _choose_crs(project: Project, infos: Mapping[str, LayerInfo],
                problems: list[Problem], warnings: list[str]) -> tuple[CRS | None, float]:
    """The working CRS and its largest relative distance error over the data."""
    bounds = [i.bounds_lonlat for k, i in infos.items() if k == "communities" and i.bounds_lonlat]
    if not bounds:
        bounds = [i.bounds_lonlat for i in infos.values() if i.bounds_lonlat]
    if not bounds:
        if not problems:
            problems.append(Problem("layers", "no layer has a usable extent",
                                    "check the layers hold features"))
        return None, 0.0
    b = np.array(bounds)
    ext = (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()),
           float(b[:, 3].max()))
    try:
        crs = working_crs(project.working_crs, ext,
                          accept_distortion=project.accept_crs_distortion)
    except ProjectError as e:
        problems.append(Problem("project.working_crs", str(e)))
        return None, 0.0
    err = distortion(crs, ext)
    if err > MAX_DISTORTION:
        warnings.insert(0, f"project.working_crs: {crs.name} distorts distances at the data by "
                        f"{distortion_text(err)}; every distance, travel time and coverage "
                        "figure is off by as much (kept because accept_crs_distortion = true); "
                        "fix: use working_crs = \"auto\"")
    return crs, err


def _overlaps(project: Project, infos: Mapping[str, LayerInfo]) -> list[Problem]:
    base = infos.get("communities")
    if base is None or base.bounds_lonlat is None:
        return []
    out = []
    for key, info in infos.items():
        if key == "communities" or info.bounds_lonlat is None:
            continue
        spec = project.layers[key]
        p = overlap_problem(key, "communities", info.bounds_lonlat, base.bounds_lonlat,
                            f"{Path(info.path).name} (layers.{key})", spec.source_crs)
        if p is not None:
            out.append(p)
    return out


# ---------------------------------------------------------------------------- raster
def _load_raster(spec: LayerSpec, problems: list[Problem],
                 within_lonlat: tuple[float, float, float, float] | None = None
                 ) -> LayerInfo | None:
    where = f"{Path(spec.path).name} (layers.population)"
    try:
        # read (and bounded) over the communities' extent only
        r: RasterInfo = raster_info(spec.path, within_lonlat=within_lonlat)
    except InputError as e:
        problems.append(Problem("layers.population", str(e)))
        return None
    n0 = len(problems)
    if r.crs is None and spec.source_crs is None:
        problems.append(Problem(where, "the raster has no coordinate system",
                                "assign one in QGIS (Raster > Projections > Assign) and save "
                                "as GeoTIFF"))
    if r.bands != 1:
        problems.append(Problem(where, f"has {r.bands} bands, a population raster has one",
                                "export the band of people per cell as its own GeoTIFF"))
    if not r.has_data:
        problems.append(Problem(where, "every cell is nodata",
                                "check the raster's nodata value and that it holds people per "
                                "cell"))
    elif r.min_value is not None and r.min_value < 0:
        problems.append(Problem(where, f"negative population in cells (min {r.min_value:g})",
                                "set the nodata value of the raster (e.g. -1) or correct the "
                                "cells"))
    if len(problems) > n0:
        return None
    crs = r.crs
    bounds = r.bounds_lonlat
    if spec.source_crs is not None and spec.source_crs not in ("gcj02", "bd09"):
        crs = {"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490"}.get(spec.source_crs,
                                                                 spec.source_crs)
        bounds = _raster_lonlat(r.bounds, crs)
    elif spec.source_crs is not None:
        problems.append(Problem(where, f"source_crs = {spec.source_crs!r} cannot be applied to a "
                                "raster", "export the raster in WGS 84 or CGCS2000 and remove "
                                "source_crs"))
        return None
    info = {"width": r.width, "height": r.height, "res": r.res, "nodata": r.nodata,
            "crs": crs, "dtype": r.dtype, "driver": r.driver}
    return LayerInfo("population", Path(spec.path), None, r.driver, None, "", crs or "",
                     r.width * r.height, bounds_lonlat=bounds, raster=info)


def _raster_lonlat(bounds: tuple[float, float, float, float], crs: str
                   ) -> tuple[float, float, float, float] | None:
    try:
        out = transformer(crs, "EPSG:4326").transform_bounds(*bounds)
    except Exception:  # an unusable CRS: no extent to compare
        return None
    return tuple(float(v) for v in out) if np.all(np.isfinite(out)) else None  # type: ignore


# ---------------------------------------------------------------------------- vector
def _load_vector(key: str, spec: LayerSpec, src: Source, profile: Profile, check: Check, *,
                 need_population: bool, given: gpd.GeoDataFrame | None = None
                 ) -> tuple[gpd.GeoDataFrame | None, LayerInfo | None]:
    if given is not None:
        frame, notes = gpd.GeoDataFrame(given).reset_index(drop=True).copy(), []
    else:
        try:
            frame, notes = read_vector(src)
        except InputError as e:
            check.problems.append(Problem(f"layers.{key}", str(e)))
            return None, None
    check.warnings.extend(notes)
    rows_read = len(frame)
    frame[ROW] = np.arange(1, rows_read + 1)
    crs_label = frame.crs.to_string() if frame.crs is not None else "none"
    if spec.source_crs:
        target = "EPSG:4326" if spec.source_crs in ("gcj02", "bd09") else spec.source_crs
        crs_label = f"{spec.source_crs} -> {target}" if spec.source_crs in ("gcj02", "bd09") \
            else spec.source_crs
    n_problems = len(check.problems)
    resolved = resolve_crs(frame, spec.source_crs, check)
    if resolved is None:
        map_columns(key, frame, spec, profile, check, need_population)  # still report fields
        return None, None
    frame = clean_geometries(resolved, key, check)
    bounds = lonlat_bounds(frame, check) if not frame.empty else None
    out, used = map_columns(key, frame, spec, profile, check, need_population)
    if len(check.problems) > n_problems:
        return None, None
    info = LayerInfo(key, Path(spec.path), src.layer, src.driver, src.encoding_label,
                     src.encoding_source, crs_label, rows_read, check.dropped, check.repaired,
                     check.converted, dict(used), bounds)
    return out, info


# ---------------------------------------------------------------------------- OSM roads
#: OSM tag names (as GDAL's OSM driver shows them, e.g. in a project ``init`` wrote) that
#: name the canonical column :func:`lifecircle.layers.osm.read_osm` already derives.
_OSM_TAG_FIELDS = {"road_class": "highway", "oneway": "oneway", "speed_kmh": "maxspeed",
                   "walk": "foot", "name": "name"}


def _load_osm(spec: LayerSpec, profile: Profile, check: Check
              ) -> tuple[gpd.GeoDataFrame | None, LayerInfo | None]:
    """Roads from an OSM XML/PBF file (:mod:`lifecircle.layers.osm`), then validated."""
    path = Path(spec.path)
    if spec.layer not in (None, "lines"):
        check.warn(f"layer = {spec.layer!r} ignored: OSM roads are read from the highway=* "
                   "ways; fix: remove layer from [layers.roads]")
    try:
        osm = osm_roads(path, network_type="all")
    except InputError as e:
        check.problems.append(Problem("layers.roads", str(e)))
        return None, None
    frame = osm.roads
    frame[ROW] = np.arange(1, len(frame) + 1)
    if osm.ways_dropped:
        check.dropped += osm.ways_dropped
        reasons = ", ".join(f"{why} {n}" for why, n in
                            sorted(osm.dropped.items(), key=lambda kv: (-kv[1], kv[0])))
        check.warn(f"{osm.ways_dropped} of {osm.ways_read} OSM highway ways dropped, open to "
                   f"neither walking nor driving ({reasons})")
    if osm.ways_cut:
        check.warn(f"{osm.ways_cut} OSM ways reference {osm.nodes_missing} nodes missing from "
                   "the extract (clipped at its edge); cut at the gaps, never joined across "
                   "them; fix: export a larger extract if roads stop short near the edge")
    # the reader's columns are canonical; mappings to the OSM tags they come from are moot
    fields = {canon: src for canon, src in spec.fields.items()
              if not (_OSM_TAG_FIELDS.get(canon) == src.strip().lower() and canon != src)}
    spec = replace(spec, fields=fields)
    resolved = resolve_crs(frame, spec.source_crs, check)
    if resolved is None:
        return None, None
    n_problems = len(check.problems)
    frame = clean_geometries(resolved, "roads", check)
    bounds = lonlat_bounds(frame, check) if not frame.empty else None
    out, used = map_columns("roads", frame, spec, profile, check, need_population=False)
    if len(check.problems) > n_problems:
        return None, None
    crs_label = "EPSG:4326"
    if spec.source_crs:
        crs_label = f"{spec.source_crs} -> EPSG:4326" if spec.source_crs in ("gcj02", "bd09") \
            else spec.source_crs
    info = LayerInfo("roads", path, None, osm.driver, "utf-8", "driver", crs_label,
                     osm.ways_read, check.dropped, check.repaired, check.converted, dict(used),
                     bounds)
    return out, info


# ---------------------------------------------------------------------------- columns
def _text(series: pd.Series) -> pd.Series:
    return series.map(lambda v: "" if fld.is_blank(v) else
                      (str(int(v)) if isinstance(v, float | np.floating) and float(v).is_integer()
                       else str(v).strip())).astype(object)


def _fields_hint(columns: list[str], canon: str, limit: int = 12) -> str:
    names = fld.closest(canon, columns) if columns else []
    shown = ", ".join(names[:limit]) + (" ..." if len(names) > limit else "")
    return shown or "(none)"


def map_columns(key: str, frame: gpd.GeoDataFrame, spec: LayerSpec, profile: Profile,
                 check: Check, need_population: bool) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """Build the canonical columns of a layer; record problems in ``check``."""
    columns = [c for c in frame.columns if c not in (frame.geometry.name, ROW)]
    fm = fld.match_fields(columns, key, spec.fields)
    if spec.fields and (not columns or (len(fm.missing) == len(spec.fields)
                                        and len(spec.fields) >= 3)):
        # the layer cannot be read as mapped at all: one problem, not one per field
        shown = ", ".join(columns[:12]) + (" ..." if len(columns) > 12 else "")
        if not columns:
            check.problem(f"has no attribute fields, so none of the {len(spec.fields)} fields "
                          "mapped in the project can be read",
                          "check that the attribute table (the .dbf beside a .shp) is complete "
                          "and readable, or that the path names the right file")
        else:
            check.problem(f"none of the {len(spec.fields)} fields mapped in the project "
                          f"exist (fields: {shown})",
                          f"check that layers.{key}.path (and layer) name the right layer, or "
                          f"map the fields again (lifecircle init)")
        empty = gpd.GeoDataFrame({ROW: frame[ROW].to_numpy()},
                                 geometry=frame.geometry.to_numpy(), crs=frame.crs,
                                 index=frame.index)
        return empty, {}
    for canon, src, close in fm.missing:
        shown = ", ".join(close[:12]) + (" ..." if len(close) > 12 else "")
        check.problem(f"field {src!r} mapped to {canon} does not exist",
                      f"set fields.{canon} to one of: {shown or '(no fields)'}",
                      where=f"fields.{canon}")
    rows = frame[ROW]
    used_fields = dict(fm.mapping)
    out = gpd.GeoDataFrame({ROW: rows.to_numpy()}, geometry=frame.geometry.to_numpy(),
                           crs=frame.crs, index=frame.index)
    m = fm.mapping
    values = spec.values
    for col in values:
        if col not in COLUMNS[key]:
            check.problem(f"values.{col}: {col} is not a column of {key}",
                          f"use one of: {', '.join(COLUMNS[key])}")
        elif col not in m:
            check.problem(f"values.{col} is set but no field is mapped to {col}",
                          f"set fields.{col} = \"<field>\"")

    def num(canon: str, *, required: bool = False, default: float = np.nan,
            nonnegative: bool = True) -> pd.Series:
        if canon not in m:
            return pd.Series(default, index=frame.index, dtype=float)
        raw = frame[m[canon]]
        vals, bad = fld.to_number(raw)
        check_numbers(vals, bad, rows, canon, m[canon], check, raw=raw, required=required,
                      nonnegative=nonnegative)
        return vals.fillna(default) if not required and not np.isnan(default) else vals

    def text(canon: str) -> pd.Series:
        if canon not in m:
            return pd.Series("", index=frame.index, dtype=object)
        return _text(frame[m[canon]])

    def ids(canon: str) -> pd.Series:
        prefix = ID_PREFIX[key]
        width = max(4, len(str(len(frame))))
        gen = pd.Series([f"{prefix}{i:0{width}d}" for i in range(1, len(frame) + 1)],
                        index=frame.index, dtype=object)
        if canon in fm.auto:
            return gen
        if canon in m:
            vals = _text(frame[m[canon]])
            blank = vals == ""
            if canon not in fm.explicit and len(vals) > 1 and vals[~blank].nunique() <= 1:
                # a recognised field holding one value (an ArcGIS ``Id`` of 0s) is no id:
                # not used, and said so; a field with a few repeats is an id with errors
                what = (f"{vals[~blank].iloc[0]} in every row" if (~blank).any()
                        else "empty")
                check.warn(f"field {m[canon]} is {what}, so it is not used as the {canon}; "
                           f"ids {gen.iloc[0]}..{gen.iloc[-1]} generated; fix: map "
                           f"fields.{canon} to a unique code field, or set fields.{canon} = "
                           "\"auto\" to silence this")
                used_fields.pop(canon, None)
                return gen
            if blank.any():
                check.problem(f"empty {canon} ({rows_text(rows[blank].tolist())})",
                              f"fill in {m[canon]}, map another field to {canon}, or set "
                              f"fields.{canon} = \"auto\" to number the rows",
                              where=f"field {m[canon]}")
            check_ids(vals.where(~blank), rows, canon, m[canon], check)
            return vals
        if len(frame):
            names = "/".join(fld.FIELD_NAMES[key][canon][1:5])
            check.warn(f"no id field ({names}); ids {gen.iloc[0]}..{gen.iloc[-1]} generated; "
                       f"fix: map fields.{canon} to a unique code field, or set fields.{canon} = "
                       "\"auto\"")
        return gen

    def mapped(canon: str, table: Mapping[str, object], contains: Any = None,
               allowed: Mapping[str, object] | None = None) -> fld.Mapped | None:
        if canon not in m:
            return None
        over = _checked_overrides(canon, values.get(canon, {}), allowed or table, check)
        return fld.map_values(frame[m[canon]], table, over, contains)

    def unknown_problem(canon: str, res: fld.Mapped, table: Mapping[str, str], fix: str) -> None:
        if not res.unknown:
            return
        items = sorted(res.unknown.items(), key=lambda kv: -kv[1])
        parts = []
        for val, n in items[:10]:
            close = fld.closest_labels(val, table)
            parts.append(f"{val!r} ({n} row{'s' if n > 1 else ''}"
                         f"{'; closest: ' + ', '.join(close) if close else ''})")
        more = f" (+{len(items) - 10} more)" if len(items) > 10 else ""
        check.problem(f"{len(items)} unknown {canon} value{'s' if len(items) > 1 else ''}: "
                      f"{', '.join(parts)}{more}", fix, where=f"field {m[canon]}")

    if key == "communities":
        out["cid"] = ids("cid")
        out["name"] = text("name")
        if "name" not in m:
            out["name"] = out["cid"]
            check.warn("no name field (名称/MC/SQMC/NAME); names set to the ids; fix: map "
                       "fields.name")
        kind = mapped("kind", fld.KIND_VALUES, fld.kind_contains)
        names = out["name"]
        if kind is None:
            inferred = names.map(fld.infer_kind_from_name)
            out["kind"] = inferred
            n_r = int((inferred == "rural").sum())
            check.warn(f"no urban/rural field (城乡/CXLX/LX); kind inferred from names: {n_r} "
                       f"rural (names ending in 村), {len(inferred) - n_r} urban; fix: map "
                       "fields.kind")
        else:
            unknown_problem("kind", kind, {k: str(v) for k, v in fld.KIND_VALUES.items()},
                            f"map them in [layers.{key}.values.kind] (e.g. \"<value>\" = "
                            "\"urban\" or \"rural\")")
            vals = kind.values.copy()
            if kind.blank:
                blank_rows = frame[m["kind"]].map(fld.is_blank)
                vals[blank_rows] = names[blank_rows].map(fld.infer_kind_from_name)
                check.warn(f"{kind.blank} communities without {m['kind']}; kind inferred from "
                           "their names")
            out["kind"] = vals.astype(object)
        missing_circle = out["kind"].notna() & ~out["kind"].isin(list(profile.circles))
        if missing_circle.any():
            kinds = sorted(set(out.loc[missing_circle, "kind"]))
            check.problem(f"{int(missing_circle.sum())} communities are {'/'.join(kinds)} "
                          f"({rows_text(rows[missing_circle].tolist())}) but profile "
                          f"{profile.key} defines no {'/'.join(kinds)} circle",
                          f"add [circles.{kinds[0]}] to the profile, or map their "
                          f"{m.get('kind', 'kind')} values to one of "
                          f"{', '.join(profile.circles)} in [layers.communities.values.kind]")
        pop_required = need_population
        if "population" not in m and pop_required:
            check.problem("no population field",
                          "map fields.population to the field of residents; fields: "
                          f"{_fields_hint(columns, '人口')}")
        elif "population" not in m:
            check.warn("no population field; the residents come from the population layer "
                       "(points are summed into each community)")
        out["population"] = num("population", required=pop_required)
    elif key == "facilities":
        out["fid"] = ids("fid")
        out["name"] = text("name")
        table = fld.category_table(profile)
        matcher = fld.category_matcher(profile)
        cat = None if spec.category else mapped("category", table, matcher,
                                                 _category_targets(profile))
        fix = (f"add an alias to the category in the profile, or map them in "
               f"[layers.{key}.values.category] (e.g. \"<value>\" = \"health\"); keys: "
               f"{', '.join(profile.categories)}")
        if spec.category:
            out["category"] = spec.category
        elif cat is None:
            guess = fld.map_values(out["name"], table, None, matcher) if "name" in m else None
            if guess is not None and not guess.unknown and not guess.blank:
                out["category"] = guess.values
                check.warn(f"no category field; categories recognised from the names in "
                           f"{m['name']}; fix: map fields.category")
            else:
                check.problem("no category field (类型/LX/LB/类别/CATEGORY)",
                              "map fields.category to the field of facility types, or set "
                              "category = \"<key>\" in [layers.facilities] when all are one "
                              f"type; fields: {_fields_hint(columns, '类型')}")
                out["category"] = None
        else:
            unknown_problem("category", cat, table, fix)
            if cat.blank:
                blank = frame[m["category"]].map(fld.is_blank)
                check.problem(f"empty category ({rows_text(rows[blank].tolist())})",
                              "fill in the facility type", where=f"field {m['category']}")
            out["category"] = cat.values
        out["floor_area_m2"] = num("floor_area_m2")
        out["capacity"] = num("capacity")
        st = mapped("status", fld.STATUS_VALUES)
        if st is None:
            out["status"] = "existing"
        else:
            unknown_problem("status", st, fld.STATUS_VALUES,
                            f"map them in [layers.{key}.values.status] (\"<value>\" = "
                            "\"existing\" or \"planned\")")
            out["status"] = st.values.fillna("existing")
    elif key == "roads":
        rc = mapped("road_class", fld.ROAD_VALUES, fld.road_contains)
        if rc is None:
            out["road_class"] = "unclassified"
            check.warn("no road class field (等级/DJ/DLDJ/CLASS/highway); every road treated as "
                       "'unclassified'; fix: map fields.road_class")
        else:
            unknown_problem("road_class", rc, fld.ROAD_VALUES,
                            f"map them in [layers.{key}.values.road_class] (\"<value>\" = one "
                            f"of {', '.join(ROAD_CLASSES)})")
            if rc.blank:
                check.warn(f"{rc.blank} roads without {m['road_class']}; treated as "
                           "'unclassified'")
            out["road_class"] = rc.values.fillna("unclassified")
        ow = mapped("oneway", fld.ONEWAY_VALUES)
        if ow is None:
            out["oneway"] = False
        else:
            unknown_problem("oneway", ow, fld.ONEWAY_VALUES,
                            f"map them in [layers.{key}.values.oneway] (\"<value>\" = \"yes\" "
                            "or \"no\")")
            rev = (ow.values == "reverse").to_numpy()
            if rev.any():
                geoms = np.asarray(out.geometry.values, dtype=object).copy()
                geoms[rev] = shapely.reverse(geoms[rev])
                out.geometry = gpd.GeoSeries(geoms, index=out.index, crs=out.crs)
            out["oneway"] = ow.values.isin(["forward", "reverse"]).astype(bool)
        out["speed_kmh"] = num("speed_kmh")
        if "speed_kmh" in m:
            out.loc[out["speed_kmh"] <= 0, "speed_kmh"] = np.nan
        wk = mapped("walk", fld.BOOL_VALUES)
        if wk is None:
            out["walk"] = True
        else:
            unknown_problem("walk", wk, {k: str(v) for k, v in fld.BOOL_VALUES.items()},
                            f"map them in [layers.{key}.values.walk] (\"<value>\" = \"yes\" or "
                            "\"no\")")
            out["walk"] = wk.values.map(lambda v: True if v is None else bool(v)).astype(bool)
    elif key == "population":
        if "population" not in m:
            check.problem("no population field",
                          "map fields.population to the field of people per point; fields: "
                          f"{_fields_hint(columns, '人口')}")
        out["population"] = num("population", required=True)
    elif key == "candidates":
        out["cand_id"] = ids("cand_id")
        out["name"] = text("name")
        kind_text = text("kind")
        idle_text = (kind_text + " " + out["name"]).map(
            lambda s: any(w in s for w in fld.IDLE_WORDS))
        prio = num("priority")
        idle = _booleans("is_idle_asset", m, frame, values, check) \
            if "is_idle_asset" in m else None
        if idle is None or idle.isna().all():
            idle_b = (prio == 1) | (prio.isna() & idle_text)
        else:
            idle_b = idle.fillna(False).astype(bool)
        out["priority"] = prio.fillna(pd.Series(np.where(idle_b, 1, 2), index=frame.index)
                                      ).round().astype("int64")
        out["is_idle_asset"] = idle_b.astype(bool)
        out["max_floor_area_m2"] = num("max_floor_area_m2")
        out["cost"] = num("cost", default=1.0)
        out["kind"] = kind_text
    # every other column goes by its type in the layer schema (lifecircle.schemas)
    plain: dict[str, Callable[[str], pd.Series]] = {
        "text": text, "number": num,
        "bool": lambda canon: _booleans(canon, m, frame, values, check)}
    for col in SCHEMAS[key].columns:
        if col.name not in out.columns:
            out[col.name] = plain[col.type](col.name)
    ordered = [*COLUMNS[key], ROW]
    out = out[[c for c in ordered if c in out.columns] + [out.geometry.name]]
    return out, used_fields


def _booleans(canon: str, m: Mapping[str, str], frame: pd.DataFrame,
              values: Mapping[str, Mapping[str, str]], check: Check) -> pd.Series:
    if canon not in m:
        return pd.Series(pd.NA, index=frame.index, dtype="boolean")
    over = _checked_overrides(canon, values.get(canon, {}), fld.BOOL_VALUES, check)
    res = fld.map_values(frame[m[canon]], fld.BOOL_VALUES, over)
    if res.unknown:
        check.warn(f"field {m[canon]} ({canon}): values {values_text(list(res.unknown))} are not "
                   f"yes/no (是/否, 1/0); treated as no data; fix: map them in "
                   f"values.{canon}")
    return res.values.astype("boolean")


def _category_targets(profile: Profile) -> dict[str, str]:
    return fld.category_table(profile)


def _checked_overrides(canon: str, over: Mapping[str, str], allowed: Mapping[str, object],
                       check: Check) -> dict[str, object]:
    """Project ``values`` entries with targets resolved; invalid targets become problems."""
    out: dict[str, object] = {}
    lookup = {fld.norm(k): v for k, v in allowed.items()}
    for src, target in over.items():
        hit = lookup.get(fld.norm(target))
        if hit is None:
            opts = sorted({str(v) for v in allowed.values()})
            check.problem(f"values.{canon}: {src!r} = {target!r} is not a known {canon}",
                          f"use one of: {', '.join(opts)}")
            continue
        out[src] = hit
    return out
