"""``lifecircle inspect PATH``: describe a data file (or a folder of them).

For each layer: driver, CRS and extent, geometry types, row count, fields with up to three
sample values (and the canonical column each is recognised as), the encoding used, which
input layer it looks like, and the problems :func:`lifecircle.layers.load` would raise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lifecircle.errors import InputError, LifecircleError, notice
from lifecircle.layers import fields as fld
from lifecircle.layers.read import (
    RASTER_SUFFIXES,
    VECTOR_SUFFIXES,
    Source,
    is_raster,
    list_layers,
    raster_info,
    read_vector,
    resolve,
)
from lifecircle.layers.validate import (
    ROW,
    TYPE_NAMES,
    Check,
    clean_geometries,
    lonlat_bounds,
    resolve_crs,
)
from lifecircle.project import LayerSpec, Profile, load_profile
from lifecircle.schemas import SCHEMAS

#: Files that belong to a shapefile (skipped when given on their own).
SIDECARS = (".dbf", ".shx", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml", ".qmd", ".fix",
            ".atx", ".ain", ".aih", ".ixs", ".mxs")

#: Samples shown per field.
N_SAMPLES = 3
#: Rows scanned for distinct sample values.
SAMPLE_ROWS = 500

ROLE_NAMES = {k: (s.name_zh, s.name_en) for k, s in SCHEMAS.items()}


@dataclass(frozen=True)
class FieldReport:
    """One source field: type, sample values and the canonical column it is recognised as."""

    name: str
    dtype: str
    samples: tuple[str, ...]
    canonical: str | None = None


@dataclass(frozen=True)
class LayerReport:
    """What ``inspect`` found in one layer of a file.

    Attributes
    ----------
    path, layer
        File and layer name (None for single-layer files and rasters).
    kind
        ``vector`` or ``raster``.
    driver
        OGR / rasterio driver.
    crs
        CRS as ``EPSG:xxxx (name)``, or None when the file has none.
    geometry_types
        Geometry type -> count (``empty`` for missing geometries).
    rows
        Features (vector) or cells (raster).
    fields
        Source fields with samples.
    encoding, encoding_source
        Encoding used to read the text and how it was chosen (see
        :class:`lifecircle.layers.read.Source`).
    bounds_lonlat
        Extent in longitude/latitude, when the CRS allows it.
    role, role_scores
        The input layer it most looks like (``communities`` ...) and the score per role.
    problems
        What ``layers.load`` would reject, one line each.
    warnings
        What it would warn about.
    raster
        Size, resolution, nodata and dtype of a raster.
    """

    path: Path
    layer: str | None
    kind: str
    driver: str
    crs: str | None
    geometry_types: Mapping[str, int]
    rows: int
    fields: tuple[FieldReport, ...]
    encoding: str | None
    encoding_source: str
    bounds_lonlat: tuple[float, float, float, float] | None
    role: str | None
    role_scores: Mapping[str, float] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    raster: Mapping[str, Any] | None = None
    encoding_sample: str = ""
    #: Why the file or layer could not be opened at all (``inspect`` then exits 2).
    error: LifecircleError | None = field(default=None, compare=False)

    @property
    def geometry_family(self) -> str | None:
        """``point``, ``line``, ``polygon``, ``raster`` or None (mixed / none)."""
        if self.kind == "raster":
            return "raster"
        fams = set()
        for t in self.geometry_types:
            low = t.lower()
            if "point" in low:
                fams.add("point")
            elif "line" in low or "ring" in low:
                fams.add("line")
            elif "polygon" in low:
                fams.add("polygon")
        return fams.pop() if len(fams) == 1 else None


@dataclass
class _Analysed:
    report: LayerReport
    frame: gpd.GeoDataFrame | None = None
    source: Source | None = None


def data_files(folder: Path) -> list[Path]:
    """Vector, raster and zip files directly inside ``folder`` (shapefile parts skipped)."""
    skip = (".json",)
    out = []
    for p in sorted(Path(folder).iterdir()):
        suf = p.suffix.lower()
        data = suf in RASTER_SUFFIXES or suf in (".zip", ".xlsx", ".csv") or (
            suf in VECTOR_SUFFIXES and suf not in skip)
        if (p.is_file() and data) or (p.is_dir() and suf == ".gdb"):
            out.append(p)
    return out


def check_reports(path: Path, reports: Sequence[LayerReport]) -> None:
    """Raise when ``inspect`` found nothing it could read, or a file it could not open.

    Raises
    ------
    InputError
        Naming ``path``: no readable layer (an empty folder or zip archive, a folder named
        like a file), or the error of the first file that could not be opened (with the
        count when there are several).
    """
    if not reports:
        raise notice(InputError, "err.inspect_nothing", path=path)
    failed = [r for r in reports if r.error is not None]
    if not failed:
        return
    first = failed[0].error
    assert first is not None
    if len(failed) == 1:
        raise first
    raise notice(InputError, "err.inspect_unreadable", path=path, bad=len(failed),
                 n=len(reports), first=(first.render("zh"), str(first)))


def inspect_path(path: Path, *, profile: Profile | None = None) -> list[LayerReport]:
    """Describe every layer of a file, or of every data file in a folder.

    Parameters
    ----------
    path
        A vector file (Shapefile, zipped Shapefile, GeoPackage, GeoJSON, FlatGeobuf ...), a
        raster, or a folder of them.
    profile
        Standards profile used to recognise category values (default: the shipped one).

    Returns
    -------
    list of LayerReport
        One per layer; a file that cannot be read gives a report holding the error.
    """
    return [a.report for a in analyse(Path(path), profile=profile)]


def analyse(path: Path, *, profile: Profile | None = None) -> list[_Analysed]:
    """Like :func:`inspect_path`, keeping the frames read (used by ``init``)."""
    profile = profile or load_profile()
    path = Path(path)
    if path.is_dir() and path.suffix.lower() != ".gdb":
        out: list[_Analysed] = []
        for p in data_files(path):
            out.extend(analyse(p, profile=profile))
        return out
    if path.suffix.lower() in SIDECARS and any(
            p.suffix.lower() == ".shp" for p in path.parent.glob(f"{path.name.split('.')[0]}.*")):
        return []  # part of a shapefile: the .shp stands for it
    if is_raster(path):
        return [_raster(path)]
    try:
        layers = list_layers(path)
    except InputError as e:
        return [_failed(path, None, e)]
    names = [n for n, g in layers if g is not None] or [n for n, _ in layers]
    osm = path.suffix.lower() in (".osm", ".pbf") and "lines" in names
    if osm:  # GDAL's view of the ways; the loader reads roads through layers.osm
        names = ["lines"]
    single = len(names) == 1 and not osm
    results = []
    for name in names:
        try:
            src = resolve(path, None if single else name)
        except InputError as e:
            results.append(_failed(path, name, e))
            continue
        results.append(_vector(src, profile))
    return results


def _failed(path: Path, layer: str | None, error: LifecircleError,
            kind: str = "vector") -> _Analysed:
    return _Analysed(LayerReport(path, layer, kind, "", None, {}, 0, (), None, "", None,
                                 None, problems=(str(error),), error=error))


def _raster(path: Path) -> _Analysed:
    try:
        r = raster_info(path)
    except InputError as e:
        return _failed(path, None, e, "raster")
    problems = []
    if r.crs is None:
        problems.append(f"{path.name}: the raster has no coordinate system; fix: assign one in "
                        "QGIS and save as GeoTIFF")
    if r.bands != 1:
        problems.append(f"{path.name}: has {r.bands} bands, a population raster has one; fix: "
                        "export the band of people per cell")
    if not r.has_data:
        problems.append(f"{path.name}: every cell is nodata; fix: check the nodata value")
    elif r.min_value is not None and r.min_value < 0:
        problems.append(f"{path.name}: negative values (min {r.min_value:g}); fix: set the "
                        "raster's nodata value")
    info = {"width": r.width, "height": r.height, "res": r.res, "nodata": r.nodata,
            "dtype": r.dtype, "bands": r.bands}
    return _Analysed(LayerReport(
        path, None, "raster", r.driver, _crs_text(r.crs), {}, r.width * r.height, (), None, "",
        r.bounds_lonlat, "population", {"population": 6.0}, tuple(problems), (), info))


def _crs_text(crs: Any) -> str | None:
    if crs is None:
        return None
    from pyproj import CRS

    c = CRS.from_user_input(crs)
    epsg = c.to_epsg()
    return f"EPSG:{epsg} ({c.name})" if epsg else c.name


def _samples(series: pd.Series) -> tuple[str, ...]:
    out: list[str] = []
    seen: set[str] = set()
    for v in series.iloc[:SAMPLE_ROWS].tolist():
        if fld.is_blank(v):
            continue
        if isinstance(v, float | np.floating) and float(v).is_integer():
            v = int(v)
        text = str(v).strip()
        text = text if len(text) <= 30 else text[:29] + "…"
        if text not in seen:
            seen.add(text)
            out.append(text)
            if len(out) == N_SAMPLES:
                break
    return tuple(out)


def _vector(src: Source, profile: Profile) -> _Analysed:
    from lifecircle.layers.loader import map_columns

    try:
        frame, notes = read_vector(src)
    except InputError as e:
        return _failed(src.path, src.layer, e)
    frame[ROW] = np.arange(1, len(frame) + 1)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    types = pd.Series([TYPE_NAMES.get(int(t), str(t))
                       for t in shapely.get_type_id(geoms[~missing])]).value_counts()
    gtypes = {str(k): int(v) for k, v in types.items()}
    if missing.any():
        gtypes["empty"] = int(missing.sum())
    columns = [c for c in frame.columns if c not in (frame.geometry.name, ROW)]
    samples = {c: _samples(frame[c]) for c in columns}
    report = LayerReport(src.path, src.layer, "vector", src.driver, None, gtypes, len(frame),
                         (), src.encoding_label, src.encoding_source, None, None)
    family = report.geometry_family
    label = f"{src.path.stem} {src.layer or ''}"
    scores = fld.guess_roles(family, columns, label, profile, samples)
    role = max(scores, key=lambda k: scores[k]) if scores else None
    check = Check(src.display)
    check.warnings.extend(f"{src.display}: {w}" for w in src.warnings)
    check.warnings.extend(notes)
    crs_text = _crs_text(frame.crs)
    bounds = None
    resolved = resolve_crs(frame, None, check)
    mapping: dict[str, str] = {}
    if resolved is not None:
        if role is not None:
            cleaned = clean_geometries(resolved, role, check)
            bounds = lonlat_bounds(cleaned, check) if not cleaned.empty else None
            _, mapping = map_columns(role, cleaned, LayerSpec(role, src.path), profile, check,
                                      need_population=True)
        else:
            bounds = lonlat_bounds(resolved, check)
    elif role is not None:
        _, mapping = map_columns(role, frame, LayerSpec(role, src.path), profile, check,
                                  need_population=True)
    if len(frame) == 0:  # `check` refuses an empty layer: so does inspect
        check.problem("no features", "give a layer that holds features (this one is empty)")
    if family is None and gtypes:
        check.problem("mixed geometry types " + ", ".join(f"{n} {t}" for t, n in gtypes.items()),
                      "split the layer by geometry type")
    by_source = {v: k for k, v in mapping.items()}
    fields = tuple(FieldReport(c, str(frame[c].dtype), samples[c], by_source.get(c))
                   for c in columns)
    report = LayerReport(src.path, src.layer, "vector", src.driver, crs_text, gtypes,
                         len(frame), fields, src.encoding_label, src.encoding_source, bounds,
                         role, scores, tuple(str(p) for p in check.problems),
                         tuple(check.warnings), None, src.encoding_sample)
    return _Analysed(report, frame.drop(columns=[ROW]), src)


# ---------------------------------------------------------------------------- text
_ENC_SOURCE = {
    "zh": {"cpg": "按 .cpg", "detected": "无 .cpg，按字节识别",
           "corrected": ".cpg 与内容不符，按字节识别",
           "project": "项目文件指定", "driver": "格式自带", "default": "无法识别"},
    "en": {"cpg": "from .cpg", "detected": "no .cpg, detected from the bytes",
           "corrected": ".cpg contradicted the bytes, detected", "project": "set in the project",
           "driver": "native to the format", "default": "could not detect"},
}


def format_reports(reports: Sequence[LayerReport], lang: str = "zh") -> list[str]:
    """Render reports as text lines for the terminal (``zh`` default, ``en``)."""
    zh = lang != "en"
    t = (lambda a, b: a) if zh else (lambda a, b: b)
    lines: list[str] = []
    for r in reports:
        title = f"{r.path.name}" + (f"  [{r.layer}]" if r.layer and r.kind == "vector"
                                    and r.layer != r.path.stem else "")
        lines.append(f"{title}  ({r.driver or '?'})")
        if r.kind == "raster" and r.raster:
            ras = r.raster
            lines.append(t(f"  栅格: {ras['width']} x {ras['height']} 像元，分辨率 "
                           f"{ras['res'][0]:g} x {ras['res'][1]:g}，{ras['bands']} 个波段，"
                           f"nodata {ras['nodata']}，{ras['dtype']}",
                           f"  raster: {ras['width']} x {ras['height']} cells, resolution "
                           f"{ras['res'][0]:g} x {ras['res'][1]:g}, {ras['bands']} band(s), "
                           f"nodata {ras['nodata']}, {ras['dtype']}"))
        elif r.kind == "vector" and r.driver:
            geo = ", ".join(f"{k} {v}" for k, v in r.geometry_types.items()) or "-"
            lines.append(t(f"  要素: {r.rows}   几何: {geo}",
                           f"  features: {r.rows}   geometry: {geo}"))
        if r.driver:
            lines.append(t(f"  坐标系: {r.crs or '无（缺少 .prj）'}",
                           f"  CRS: {r.crs or 'none (missing .prj)'}"))
        if r.bounds_lonlat:
            b = r.bounds_lonlat
            lines.append(t(f"  范围: 经度 {b[0]:.4f}–{b[2]:.4f}，纬度 {b[1]:.4f}–{b[3]:.4f}",
                           f"  extent: lon {b[0]:.4f}–{b[2]:.4f}, lat {b[1]:.4f}–{b[3]:.4f}"))
        if r.encoding and r.kind == "vector":
            how = _ENC_SOURCE["zh" if zh else "en"].get(r.encoding_source, r.encoding_source)
            sample = f"，例：{r.encoding_sample}" if zh else f", e.g. {r.encoding_sample}"
            lines.append(t(f"  编码: {r.encoding.upper()}（{how}"
                           f"{sample if r.encoding_sample else ''}）",
                           f"  encoding: {r.encoding.upper()} ({how}"
                           f"{sample if r.encoding_sample else ''})"))
        if r.role:
            zh_name, en_name = ROLE_NAMES[r.role]
            lines.append(t(f"  判断为: {zh_name}图层 ({r.role})", f"  looks like: {en_name} layer"))
        if r.fields:
            lines.append(t("  字段:", "  fields:"))
            width = max(len(f.name) for f in r.fields)
            for f in r.fields:
                canon = f"  -> {f.canonical}" if f.canonical else ""
                lines.append(f"    {f.name:<{width}}  {f.dtype:<8} {', '.join(f.samples)}"
                             f"{canon}")
        if r.problems:
            lines.append(t(f"  问题 ({len(r.problems)}):", f"  problems ({len(r.problems)}):"))
            lines.extend(f"    - {p}" for p in r.problems)
        if r.warnings:
            lines.append(t(f"  提示 ({len(r.warnings)}):", f"  warnings ({len(r.warnings)}):"))
            lines.extend(f"    - {w}" for w in r.warnings)
        if not r.problems:
            lines.append(t("  未发现问题", "  no problems found"))
        lines.append("")
    if not reports:
        lines.append(t("没有找到可读取的图层", "no readable layers found"))
    return lines
