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

from lifecircle.errors import InputError, LifecircleError, Problem, notice
from lifecircle.i18n import choose, items, listed, render, t
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
        What ``layers.load`` would reject, one line each (in the language asked for).
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
    #: The problems with the layer's coordinate system (``init`` writes a TODO for them).
    crs_problems: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def geometry_family(self) -> str | None:
        """``point``, ``line``, ``polygon``, ``raster`` or None (mixed / none)."""
        if self.kind == "raster":
            return "raster"
        fams = set()
        for g in self.geometry_types:
            low = g.lower()
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


def inspect_path(path: Path, *, profile: Profile | None = None,
                 lang: str = "zh") -> list[LayerReport]:
    """Describe every layer of a file, or of every data file in a folder.

    Parameters
    ----------
    path
        A vector file (Shapefile, zipped Shapefile, GeoPackage, GeoJSON, FlatGeobuf ...), a
        raster, or a folder of them.
    profile
        Standards profile used to recognise category values (default: the shipped one).
    lang
        Language of the problems and warnings (``zh`` or ``en``).

    Returns
    -------
    list of LayerReport
        One per layer; a file that cannot be read gives a report holding the error.
    """
    return [a.report for a in analyse(Path(path), profile=profile, lang=lang)]


def analyse(path: Path, *, profile: Profile | None = None, lang: str = "zh"
            ) -> list[_Analysed]:
    """Like :func:`inspect_path`, keeping the frames read (used by ``init``)."""
    profile = profile or load_profile()
    path = Path(path)
    if path.is_dir() and path.suffix.lower() != ".gdb":
        out: list[_Analysed] = []
        for p in data_files(path):
            out.extend(analyse(p, profile=profile, lang=lang))
        return out
    if path.suffix.lower() in SIDECARS and any(
            p.suffix.lower() == ".shp" for p in path.parent.glob(f"{path.name.split('.')[0]}.*")):
        return []  # part of a shapefile: the .shp stands for it
    if is_raster(path):
        return [_raster(path, lang)]
    try:
        layers = list_layers(path)
    except InputError as e:
        return [_failed(path, None, e, lang=lang)]
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
            results.append(_failed(path, name, e, lang=lang))
            continue
        results.append(_vector(src, profile, lang))
    return results


def _failed(path: Path, layer: str | None, error: LifecircleError,
            kind: str = "vector", lang: str = "zh") -> _Analysed:
    return _Analysed(LayerReport(path, layer, kind, "", None, {}, 0, (), None, "", None,
                                 None, problems=(error.render(lang),), error=error))


#: Layers a raster can be (the population raster).
RASTER_ROLES = tuple(k for k, s in SCHEMAS.items() if "raster" in s.accepts)


def _raster(path: Path, lang: str = "zh") -> _Analysed:
    try:
        r = raster_info(path)
    except InputError as e:
        return _failed(path, None, e, "raster", lang)
    # the loader's checks of a population raster, in its words
    found = []
    if r.crs is None:
        found.append(Problem.of(path.name, "load.raster_no_crs"))
    if r.bands != 1:
        found.append(Problem.of(path.name, "load.raster_bands", n=r.bands))
    if not r.has_data:
        found.append(Problem.of(path.name, "load.raster_nodata"))
    elif r.min_value is not None and r.min_value < 0:
        found.append(Problem.of(path.name, "load.raster_negative", min=f"{r.min_value:g}"))
    problems = [p.render(lang) for p in found]
    crs_found = tuple(found[:1]) if r.crs is None else ()
    info = {"width": r.width, "height": r.height, "res": r.res, "nodata": r.nodata,
            "dtype": r.dtype, "bands": r.bands}
    return _Analysed(LayerReport(
        path, None, "raster", r.driver, _crs_text(r.crs), {}, r.width * r.height, (), None, "",
        r.bounds_lonlat, RASTER_ROLES[0], {k: 6.0 for k in RASTER_ROLES}, tuple(problems), (),
        info, crs_problems=crs_found))


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


def _vector(src: Source, profile: Profile, lang: str = "zh") -> _Analysed:
    from lifecircle.layers.loader import _display_zh, map_columns, source_warnings

    try:
        frame, notes = read_vector(src)
    except InputError as e:
        return _failed(src.path, src.layer, e, lang=lang)
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
    check = Check(src.display, where_zh=_display_zh(src))
    check.warnings.extend(source_warnings(src))
    check.warnings.extend(notes)
    crs_text = _crs_text(frame.crs)
    bounds = None
    resolved = resolve_crs(frame, None, check)
    crs_found = list(check.problems)  # the CRS problems, for init's TODO line

    def extent(f: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
        n = len(check.problems)
        b = lonlat_bounds(f, check)
        crs_found.extend(check.problems[n:])
        return b

    mapping: dict[str, str] = {}
    if resolved is not None:
        if role is not None:
            cleaned = clean_geometries(resolved, role, check)
            bounds = extent(cleaned) if not cleaned.empty else None
            _, mapping = map_columns(role, cleaned, LayerSpec(role, src.path), profile, check,
                                      need_population=True)
        else:
            bounds = extent(resolved)
    elif role is not None:
        _, mapping = map_columns(role, frame, LayerSpec(role, src.path), profile, check,
                                  need_population=True)
    if len(frame) == 0:  # `check` refuses an empty layer: so does inspect
        check.problem_of("inspect.no_features")
    if family is None and gtypes:
        check.problem_of("inspect.mixed_geometry",
                         types=items(f"{n} {g}" for g, n in gtypes.items()))
    by_source = {v: k for k, v in mapping.items()}
    fields = tuple(FieldReport(c, str(frame[c].dtype), samples[c], by_source.get(c))
                   for c in columns)
    report = LayerReport(src.path, src.layer, "vector", src.driver, crs_text, gtypes,
                         len(frame), fields, src.encoding_label, src.encoding_source, bounds,
                         role, scores, tuple(p.render(lang) for p in check.problems),
                         tuple(render(w, lang) for w in check.warnings), None,
                         src.encoding_sample,
                         crs_problems=tuple(crs_found))
    return _Analysed(report, frame.drop(columns=[ROW]), src)


# ---------------------------------------------------------------------------- text
def format_reports(reports: Sequence[LayerReport], lang: str = "zh") -> list[str]:
    """Render reports as text lines for the terminal (``zh`` default, ``en``)."""
    def tr(key: str, **values: Any) -> str:
        return t(key, lang, **values)

    lines: list[str] = []
    for r in reports:
        title = f"{r.path.name}" + (f"  [{r.layer}]" if r.layer and r.kind == "vector"
                                    and r.layer != r.path.stem else "")
        lines.append(f"{title}  ({r.driver or '?'})")
        if r.kind == "raster" and r.raster:
            ras = r.raster
            lines.append(tr("inspect.raster", w=ras["width"], h=ras["height"],
                            rx=f"{ras['res'][0]:g}", ry=f"{ras['res'][1]:g}", bands=ras["bands"],
                            nodata=ras["nodata"], dtype=ras["dtype"]))
        elif r.kind == "vector" and r.driver:
            geo = listed([f"{k} {v}" for k, v in r.geometry_types.items()], lang) or "-"
            lines.append(tr("inspect.features", rows=r.rows, geometry=geo))
        if r.driver:
            lines.append(tr("inspect.crs", crs=r.crs or tr("inspect.no_crs")))
        if r.bounds_lonlat:
            b = r.bounds_lonlat
            lines.append(tr("inspect.extent", x0=f"{b[0]:.4f}", x1=f"{b[2]:.4f}",
                            y0=f"{b[1]:.4f}", y1=f"{b[3]:.4f}"))
        if r.encoding and r.kind == "vector":
            how = encoding_how(r.encoding_source, lang)
            sample = tr("inspect.sample", sample=r.encoding_sample) if r.encoding_sample else ""
            lines.append(tr("inspect.encoding", encoding=r.encoding.upper(), how=how,
                            sample=sample))
        if r.role:
            lines.append(tr("inspect.role", name=choose(ROLE_NAMES[r.role], lang),
                            role=choose((f" ({r.role})", ""), lang)))
        if r.fields:
            lines.append(tr("inspect.fields"))
            width = max(len(f.name) for f in r.fields)
            for f in r.fields:
                canon = f"  -> {f.canonical}" if f.canonical else ""
                lines.append(f"    {f.name:<{width}}  {f.dtype:<8} {listed(f.samples, lang)}"
                             f"{canon}")
        if r.problems:
            lines.append(tr("inspect.problems", n=len(r.problems)))
            lines.extend(f"    - {p}" for p in r.problems)
        if r.warnings:
            lines.append(tr("inspect.warnings", n=len(r.warnings)))
            lines.extend(f"    - {w}" for w in r.warnings)
        if not r.problems:
            lines.append(tr("inspect.no_problems"))
        lines.append("")
    if not reports:
        lines.append(tr("inspect.nothing"))
    return lines


def encoding_how(source: str, lang: str) -> str:
    """How an encoding was chosen (``cpg``, ``detected`` ...), in words."""
    key = f"inspect.enc.{source}"
    from lifecircle.i18n import TEXT

    return t(key, lang) if key in TEXT else source
