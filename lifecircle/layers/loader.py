"""``layers.load(project)``: read, normalise, validate and reproject every input layer.

Each layer is read once (:mod:`lifecircle.layers.read`), given its true CRS (GCJ-02/BD-09
converted to WGS 84), cleaned (empty geometries dropped, invalid ones repaired), mapped to
the canonical columns of docs/contracts.md (:mod:`lifecircle.layers.fields`) and checked
(:mod:`lifecircle.layers.validate`). The problems of all layers are raised together in one
:class:`~lifecircle.errors.InputError`; data warnings travel with the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from lifecircle.errors import InputError, Note, Problem, ProjectError, raise_problems
from lifecircle.geo.crs import (
    MAX_DISTORTION,
    distortion,
    distortion_text,
    transformer,
    working_crs,
)
from lifecircle.geo.offsets import fit_to_roads
from lifecircle.i18n import both, pair, t
from lifecircle.i18n import items as i18n_items
from lifecircle.i18n import listed as i18n_listed
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
    rows_pair,
    values_pair,
)
from lifecircle.project import ROAD_CLASSES, LayerSpec, Profile, Project
from lifecircle.schemas import SCHEMAS, Column

#: Layers in the order they are read and reported.
ORDER = tuple(SCHEMAS)

#: Canonical columns of each loaded layer (docs/contracts.md), geometry last.
COLUMNS: dict[str, tuple[str, ...]] = {k: s.order for k, s in SCHEMAS.items()}

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
                problems.append(Problem.of_error(f"layers.{key}", e))
                continue
        check = Check(f"{src.display} (layers.{key})",
                      where_zh=f"{_display_zh(src)} (layers.{key})")
        check.warnings.extend(source_warnings(src))
        if src.encoding_source == "detected" and src.encoding_label not in ("ascii", None) \
                and src.driver == "ESRI Shapefile":
            check.note("load.no_cpg", encoding=src.encoding_label.upper(),
                       sample=repr(src.encoding_sample))
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


OFFSET_NAMES = {"gcj02": ("高德/腾讯 GCJ-02", "GCJ-02 (Amap/Tencent)"),
                "bd09": ("百度 BD-09", "BD-09 (Baidu)")}


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
    for key in (k for k, s in SCHEMAS.items() if s.geometry == "point"):
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
        out.append(Note("load.offset", f"{Path(spec.path).name} (layers.{key})",
                        offset=OFFSET_NAMES[system], given=f"{fit.p90_m['wgs84']:.0f}",
                        read=f"{fit.p90_m[system]:.0f}", system=system, layer=key))
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
            warnings.append(Note("load.population_summed", ("社区", "communities"),
                                 column=col, n=int(fill.sum()),
                                 total=f"{sums[fill].sum():,.0f}"))
    return out


def _choose_crs(project: Project, infos: Mapping[str, LayerInfo],
                problems: list[Problem], warnings: list[str]) -> tuple[CRS | None, float]:
    """The working CRS and its largest relative distance error over the data."""
    bounds = [i.bounds_lonlat for k, i in infos.items() if k == "communities" and i.bounds_lonlat]
    if not bounds:
        bounds = [i.bounds_lonlat for i in infos.values() if i.bounds_lonlat]
    if not bounds:
        if not problems:
            problems.append(Problem.of("layers", "load.no_extent"))
        return None, 0.0
    b = np.array(bounds)
    ext = (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()),
           float(b[:, 3].max()))
    try:
        crs = working_crs(project.working_crs, ext,
                          accept_distortion=project.accept_crs_distortion)
    except ProjectError as e:
        problems.append(Problem.of_error("project.working_crs", e))
        return None, 0.0
    err = distortion(crs, ext)
    if err > MAX_DISTORTION:
        warnings.insert(0, Note("load.crs_distortion", "project.working_crs", crs=crs.name,
                                err=distortion_text(err)))
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
        problems.append(Problem.of_error("layers.population", e))
        return None
    n0 = len(problems)
    if r.crs is None and spec.source_crs is None:
        problems.append(Problem.of(where, "load.raster_no_crs"))
    if r.bands != 1:
        problems.append(Problem.of(where, "load.raster_bands", n=r.bands))
    if not r.has_data:
        problems.append(Problem.of(where, "load.raster_nodata"))
    elif r.min_value is not None and r.min_value < 0:
        problems.append(Problem.of(where, "load.raster_negative", min=f"{r.min_value:g}"))
    if len(problems) > n0:
        return None
    crs = r.crs
    bounds = r.bounds_lonlat
    if spec.source_crs is not None and spec.source_crs not in ("gcj02", "bd09"):
        crs = {"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490"}.get(spec.source_crs,
                                                                 spec.source_crs)
        bounds = _raster_lonlat(r.bounds, crs)
    elif spec.source_crs is not None:
        problems.append(Problem.of(where, "load.raster_source_crs",
                                   source_crs=repr(spec.source_crs)))
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
            check.problems.append(Problem.of_error(f"layers.{key}", e))
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
        check.note("load.osm_layer", layer=repr(spec.layer))
    try:
        osm = osm_roads(path, network_type="all")
    except InputError as e:
        check.problems.append(Problem.of_error("layers.roads", e))
        return None, None
    frame = osm.roads
    frame[ROW] = np.arange(1, len(frame) + 1)
    if osm.ways_dropped:
        check.dropped += osm.ways_dropped
        reasons = i18n_items(f"{why} {n}" for why, n in
                             sorted(osm.dropped.items(), key=lambda kv: (-kv[1], kv[0])))
        check.note("load.osm_dropped", n=osm.ways_dropped, m=osm.ways_read, reasons=reasons)
    if osm.ways_cut:
        check.note("load.osm_cut", n=osm.ways_cut, nodes=osm.nodes_missing)
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
def source_warnings(src: Source) -> list[str]:
    """The reader's warnings of a source, each placed at the file (a catalogue
    :class:`~lifecircle.errors.Note` keeps its key)."""
    return [w.at((_display_zh(src), src.display)) if isinstance(w, Note)
            else f"{src.display}: {w}" for w in src.warnings]


def _display_zh(src: Source) -> str:
    """``Source.display`` in Chinese (``设施.gpkg 图层 poi``)."""
    if src.layer and src.display.endswith(f" layer {src.layer}"):
        return f"{src.display[:-len(f' layer {src.layer}')]} 图层 {src.layer}"
    return src.display


def _text(series: pd.Series) -> pd.Series:
    """Source values as stripped text: "" for blanks, whole floats without ``.0``."""
    values = series.to_numpy()
    if values.dtype == object:  # a text field as GDAL reads it: the rule below, faster
        out: list[str] = []
        for v in values:
            if type(v) is str:
                out.append(v.strip())
            elif v is None or v is pd.NA or (type(v) is float and v != v):
                out.append("")
            else:  # numbers, bytes ...: the general rule
                break
        else:
            return pd.Series(out, index=series.index, name=series.name, dtype=object)
    return series.map(lambda v: "" if fld.is_blank(v) else
                      (str(int(v)) if isinstance(v, float | np.floating) and float(v).is_integer()
                       else str(v).strip())).astype(object)


def _listed(items: Sequence[object], limit: int | None = None) -> tuple[str, str]:
    """Names or values as a ``(zh, en)`` pair: ``a、b、c`` and ``a, b, c`` (counted past
    ``limit``)."""
    return i18n_items(items, limit)


def _fields_hint(columns: list[str], canon: str, limit: int = 12) -> str | tuple[str, str]:
    names = fld.closest(canon, columns) if columns else []
    return _listed(names, limit) if names else pair("load.none")


@dataclass
class _Columns:
    """What the column handlers of one layer share while :func:`map_columns` runs."""

    key: str
    #: the source layer (its geometry aside: see ``geoms``)
    frame: pd.DataFrame
    spec: LayerSpec
    profile: Profile
    check: Check
    need_population: bool
    fm: fld.FieldMatch
    #: the canonical columns read so far (no geometry: see ``geoms``)
    out: pd.DataFrame
    columns: list[str]
    used: dict[str, str]
    #: the layer's geometries (rules may change them: one-way roads drawn backwards)
    geoms: Any = None

    @property
    def m(self) -> dict[str, str]:
        """Canonical column -> source field."""
        return self.fm.mapping

    @property
    def rows(self) -> pd.Series:
        return self.frame[ROW]

    def num(self, canon: str, *, required: bool = False, default: object = None,
            nonnegative: bool = True) -> pd.Series:
        fill = np.nan if default is None else float(default)  # type: ignore[arg-type]
        if canon not in self.m:
            return pd.Series(fill, index=self.frame.index, dtype=float)
        raw = self.frame[self.m[canon]]
        vals, bad = fld.to_number(raw)
        check_numbers(vals, bad, self.rows, canon, self.m[canon], self.check, raw=raw,
                      required=required, nonnegative=nonnegative)
        return vals.fillna(fill) if not required and not np.isnan(fill) else vals

    def text(self, canon: str) -> pd.Series:
        if canon not in self.m:
            return pd.Series("", index=self.frame.index, dtype=object)
        return _text(self.frame[self.m[canon]])

    def mapped(self, col: Column, table: fld.ValueTable | None = None) -> fld.Mapped | None:
        """The column's source values mapped through its value table (None: no field)."""
        if col.name not in self.m:
            return None
        vt = table or fld.value_table(col.values, self.profile)
        over = _checked_overrides(col.name, self.spec.values.get(col.name, {}), vt.table,
                                  self.check)
        return fld.map_values(self.frame[self.m[col.name]], vt.table, over, vt.contains)

    def unknown_problem(self, col: Column, res: fld.Mapped, table: Mapping[str, object]
                        ) -> None:
        """One problem naming the values the column's table does not know (closest first)."""
        if not res.unknown:
            return
        labels = {k: str(v) for k, v in table.items()}
        items = sorted(res.unknown.items(), key=lambda kv: -kv[1])

        def listing(lang: str) -> str:
            out = []
            for val, n in items[:10]:
                close = i18n_listed(fld.closest_labels(val, labels), lang)
                out.append(t("load.unknown_item" if n > 1 else "load.unknown_item_one", lang,
                             value=repr(val), n=n,
                             close=t("load.closest", lang, names=close) if close else ""))
            more = len(items) - 10
            return t("sep.list", lang).join(out) + (t("sep.more", lang, n=more) if more > 0
                                                    else "")

        keys, classes = _listed(self.profile.categories), _listed(ROAD_CLASSES)
        fix = {lang: t(f"load.values_fix.{col.values}", lang, layer=self.key,
                       column=col.name, keys=keys[i], classes=classes[i])
               for i, lang in enumerate(("zh", "en"))}
        self.check.problem_of(
            "load.unknown_values", field=self.m[col.name], n=len(items), column=col.name,
            noun=("取值", "values" if len(items) > 1 else "value"),
            items=both(listing),
            fix=(fix["zh"], fix["en"]))

    def booleans(self, canon: str) -> pd.Series:
        """Yes/no values; values that are neither are no data (with a warning)."""
        if canon not in self.m:
            return pd.Series(pd.NA, index=self.frame.index, dtype="boolean")
        over = _checked_overrides(canon, self.spec.values.get(canon, {}), fld.BOOL_VALUES,
                                  self.check)
        res = fld.map_values(self.frame[self.m[canon]], fld.BOOL_VALUES, over)
        if res.unknown:
            vals = list(res.unknown)
            self.check.note("load.not_yes_no", field=self.m[canon], column=canon,
                            values=values_pair(vals))
        return res.values.astype("boolean")

    def what(self, col: Column) -> tuple[str, str]:
        """What a column holds, in words (``load.what.<layer>.<column>``)."""
        return pair(f"load.what.{self.key}.{col.name}")


# ---- one handler per column type (lifecircle.schemas.ColumnType)
def _read_id(c: _Columns, col: Column) -> pd.Series:
    """Ids from the id field, or numbered ``<prefix>0001`` ... (with a warning when no field
    is given or the one recognised holds one value)."""
    canon, frame = col.name, c.frame
    prefix = SCHEMAS[c.key].id_prefix
    width = max(4, len(str(len(frame))))
    gen = pd.Series([f"{prefix}{i:0{width}d}" for i in range(1, len(frame) + 1)],
                    index=frame.index, dtype=object)
    span = f"{gen.iloc[0]}..{gen.iloc[-1]}" if len(gen) else ""
    if canon in c.fm.auto:
        return gen
    if canon in c.m:
        vals = _text(frame[c.m[canon]])
        blank = vals == ""
        if canon not in c.fm.explicit and len(vals) > 1 and vals[~blank].nunique() <= 1:
            # a recognised field holding one value (an ArcGIS ``Id`` of 0s) is no id:
            # not used, and said so; a field with a few repeats is an id with errors
            one = vals[~blank].iloc[0] if (~blank).any() else None
            c.check.note("load.id_constant", field=c.m[canon], column=canon, ids=span,
                         what=(f"每行都是 {one}", f"{one} in every row") if one is not None
                         else ("空的", "empty"))
            c.used.pop(canon, None)
            return gen
        if blank.any():
            c.check.problem_of("load.id_empty", field=c.m[canon], column=canon,
                               source=c.m[canon], rows=rows_pair(c.rows[blank].tolist()))
        check_ids(vals.where(~blank), c.rows, canon, c.m[canon], c.check)
        return vals
    if len(frame):
        c.check.note("load.no_id", names="/".join(fld.FIELD_NAMES[c.key][canon][1:5]),
                     column=canon, ids=span)
    return gen


def _read_text(c: _Columns, col: Column) -> pd.Series:
    """Text, or a coded value mapped through the column's value table."""
    return _read_coded(c, col) if col.values else c.text(col.name)


def _read_number(c: _Columns, col: Column) -> pd.Series:
    """Numbers (NaN where missing); a required column without a field is a problem."""
    required = col.required and (col.rule != "or_points" or c.need_population)
    if required and col.name not in c.m:
        c.check.problem_of("load.no_field", column=col.name, what=c.what(col),
                           fields=_fields_hint(c.columns, col.hint or col.name))
    return c.num(col.name, required=required, default=col.default)


def _read_bool(c: _Columns, col: Column) -> pd.Series:
    """Yes/no: coded through the column's table, or (``unknown = "no data"``) with values
    that are neither treated as no data."""
    if col.unknown == "no data":
        return c.booleans(col.name)
    return _read_coded(c, col)


def _read_coded(c: _Columns, col: Column) -> pd.Series:
    """A coded column: source values mapped through its value table; unknown values are a
    problem; blanks and a missing field take the column's default."""
    vt = fld.value_table(col.values, c.profile)
    res = c.mapped(col, vt)
    if res is None:
        if col.warn_default:
            c.check.note(f"load.default.{col.name}")
        return pd.Series([col.default] * len(c.frame), index=c.frame.index, dtype=object)
    c.unknown_problem(col, res, vt.table)
    if res.blank and col.warn_default:
        schema = SCHEMAS[c.key]
        c.check.note("load.default_blank", n=res.blank, field=c.m[col.name],
                     layer=(schema.name_zh, schema.name_en),
                     default=col.default)
    if col.default is None:
        return res.values
    return res.values.map(lambda v: col.default if v is None else v).astype(object)


def _read_kind(c: _Columns, col: Column) -> pd.Series:
    """Urban/rural: mapped values, else inferred from names (村 = rural); every kind needs
    a circle in the profile."""
    names = c.out["name"] if "name" in c.out.columns else c.text("name")
    res = c.mapped(col)
    if res is None:
        kind = names.map(fld.infer_kind_from_name)
        n_r = int((kind == "rural").sum())
        c.check.note("load.kind_inferred", rural=n_r, urban=len(kind) - n_r)
    else:
        c.unknown_problem(col, res, fld.KIND_VALUES)
        vals = res.values.copy()
        if res.blank:
            blank_rows = c.frame[c.m[col.name]].map(fld.is_blank)
            vals[blank_rows] = names[blank_rows].map(fld.infer_kind_from_name)
            c.check.note("load.kind_blank", n=res.blank, field=c.m[col.name])
        kind = vals.astype(object)
    circles = c.profile.circles
    missing = kind.notna() & ~kind.isin(list(circles))
    if missing.any():
        kinds = sorted(set(kind[missing]))
        c.check.problem_of("load.no_circle", n=int(missing.sum()), kinds="/".join(kinds),
                           rows=rows_pair(c.rows[missing].tolist()), profile=c.profile.key,
                           first=kinds[0], source=c.m.get(col.name, col.name),
                           circles=_listed(circles), layer=c.key)
    return kind


def _read_category(c: _Columns, col: Column) -> pd.Series | object:
    """Profile categories: the layer's one ``category``, mapped values, or recognised from
    the names when there is no category field."""
    if c.spec.category:
        return c.spec.category
    vt = fld.value_table("category", c.profile)
    res = c.mapped(col, vt)
    if res is None:
        guess = fld.map_values(c.out["name"], vt.table, None, vt.contains) \
            if "name" in c.m else None
        if guess is not None and not guess.unknown and not guess.blank:
            c.check.note("load.category_from_names", field=c.m["name"])
            return guess.values
        c.check.problem_of("load.no_category", layer=c.key,
                           fields=_fields_hint(c.columns, col.hint or col.name))
        return None
    c.unknown_problem(col, res, vt.table)
    if res.blank:
        blank = c.frame[c.m[col.name]].map(fld.is_blank)
        c.check.problem_of("load.category_empty", field=c.m[col.name],
                           rows=rows_pair(c.rows[blank].tolist()))
    return res.values


def _read_integer(c: _Columns, col: Column) -> pd.Series:
    """Whole numbers (a column without a default is filled by its rule)."""
    vals = c.num(col.name)
    return vals if col.default is None else vals.fillna(col.default)


#: Column type -> handler reading the column (lifecircle.schemas.ColumnType).
READERS: dict[str, Callable[[_Columns, Column], Any]] = {
    "id": _read_id, "text": _read_text, "number": _read_number, "integer": _read_integer,
    "bool": _read_bool, "kind": _read_kind, "category": _read_category,
    "road_class": _read_coded,
}


# ---- named rules (lifecircle.schemas.Rule), run after the column is read
def _rule_name_or_id(c: _Columns, col: Column) -> None:
    if col.name not in c.m:
        c.out[col.name] = c.out[SCHEMAS[c.key].id_column]
        c.check.note("load.no_name")


def _rule_positive(c: _Columns, col: Column) -> None:
    if col.name in c.m:
        c.out.loc[c.out[col.name] <= 0, col.name] = np.nan


def _rule_oneway(c: _Columns, col: Column) -> None:
    direction = c.out[col.name]
    rev = (direction == "reverse").to_numpy()
    if rev.any():
        geoms = np.asarray(c.geoms, dtype=object).copy()
        geoms[rev] = shapely.reverse(geoms[rev])
        c.geoms = geoms
    c.out[col.name] = direction.isin(["forward", "reverse"])


def _rule_idle(c: _Columns, col: Column) -> None:
    """Idle public assets (a flag, or idle words in the kind or name) come first
    (priority 1, others 2) unless a priority is given."""
    prio = c.out[col.name]
    idle_words = (c.text("kind") + " " + c.out["name"]).map(
        lambda s: any(w in s for w in fld.IDLE_WORDS))
    idle = c.booleans("is_idle_asset") if "is_idle_asset" in c.m else None
    if idle is None or idle.isna().all():
        idle_b = (prio == 1) | (prio.isna() & idle_words)
    else:
        idle_b = idle.fillna(False).astype(bool)
    c.out[col.name] = prio.fillna(pd.Series(np.where(idle_b, 1, 2), index=c.frame.index))
    c.out["is_idle_asset"] = idle_b.astype(bool)


def _rule_or_points(c: _Columns, col: Column) -> None:
    if col.name not in c.m and not c.need_population:
        c.check.note("load.population_from_points")


#: Named rule -> function (lifecircle.schemas.Rule).
RULES: dict[str, Callable[[_Columns, Column], None]] = {
    "name_or_id": _rule_name_or_id, "positive": _rule_positive, "oneway": _rule_oneway,
    "idle": _rule_idle, "or_points": _rule_or_points,
}


def _cast(series: pd.Series | object, col: Column) -> pd.Series | object:
    """The loaded dtype of a column type: integers, flags with a default as bool,
    yes/no/no-data as pandas booleans."""
    if not isinstance(series, pd.Series):
        return series
    if col.type == "integer":
        return series.round().astype("int64")
    if col.type == "bool":
        return series.astype(bool) if col.default is not None else series.astype("boolean")
    return series


def map_columns(key: str, frame: gpd.GeoDataFrame, spec: LayerSpec, profile: Profile,
                 check: Check, need_population: bool) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """Build the canonical columns of a layer; record problems in ``check``.

    One pass over the layer's schema (:data:`lifecircle.schemas.SCHEMAS`): each column is
    read by the handler of its type (:data:`READERS`), then its named rule runs
    (:data:`RULES`), then it gets its type's dtype.
    """
    geometry_name = frame.geometry.name
    columns = [c for c in frame.columns if c not in (geometry_name, ROW)]
    fm = fld.match_fields(columns, key, spec.fields)
    if spec.fields and (not columns or (len(fm.missing) == len(spec.fields)
                                        and len(spec.fields) >= 3)):
        # the layer cannot be read as mapped at all: one problem, not one per field
        if not columns:
            check.problem_of("load.no_attributes", n=len(spec.fields))
        else:
            check.problem_of("load.fields_absent", n=len(spec.fields),
                             fields=_listed(columns, 12), layer=key)
        empty = gpd.GeoDataFrame({ROW: frame[ROW].to_numpy()},
                                 geometry=frame.geometry.to_numpy(), crs=frame.crs,
                                 index=frame.index)
        return empty, {}
    for canon, src, close in fm.missing:
        check.problem_of("load.field_absent", f"fields.{canon}", source=repr(src),
                         column=canon,
                         fields=_listed(close, 12) if close else pair("load.no_fields"))
    schema = SCHEMAS[key]
    for col in spec.values:
        if col not in schema.order:
            check.problem_of("load.values_not_column", column=col, layer=key,
                             columns=_listed(schema.order))
        elif col not in fm.mapping:
            check.problem_of("load.values_unmapped", column=col)
    # the columns are built in a plain DataFrame (a GeoDataFrame checks its geometry on
    # every column set and got), the geometry beside it; one GeoDataFrame at the end
    out = pd.DataFrame({ROW: frame[ROW].to_numpy()}, index=frame.index)
    # the source columns are read through a plain DataFrame too (same Series, none of the
    # GeoDataFrame's checks on every column got)
    c = _Columns(key, pd.DataFrame(frame, copy=False), spec, profile, check,
                 need_population, fm, out, columns, dict(fm.mapping), frame.geometry.to_numpy())
    for col in schema.columns:
        if col.name in out.columns:  # set by an earlier column's rule
            continue
        out[col.name] = READERS[col.type](c, col)
        if col.rule:
            RULES[col.rule](c, col)
        out[col.name] = _cast(out[col.name], col)
    ordered = [*schema.order, ROW]
    out = gpd.GeoDataFrame(out[[c for c in ordered if c in out.columns]],
                           geometry=c.geoms, crs=frame.crs)
    return out, c.used


def _checked_overrides(canon: str, over: Mapping[str, str], allowed: Mapping[str, object],
                       check: Check) -> dict[str, object]:
    """Project ``values`` entries with targets resolved; invalid targets become problems."""
    out: dict[str, object] = {}
    lookup = {fld.norm(k): v for k, v in allowed.items()}
    for src, target in over.items():
        hit = lookup.get(fld.norm(target))
        if hit is None:
            opts = sorted({str(v) for v in allowed.values()})
            check.problem_of("load.value_target", column=canon, source=repr(src),
                             target=repr(target), options=_listed(opts))
            continue
        out[src] = hit
    return out
