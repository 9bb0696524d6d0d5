"""Validation of one input layer: CRS, geometries, ids and numbers.

Every check appends to a :class:`Check` instead of raising, so all the problems of all
layers are reported together (``raise_problems``). Row numbers in messages are 1-based
positions in the source layer, as in a GIS attribute table.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from lifecircle import i18n
from lifecircle.errors import Note, Problem
from lifecircle.geo import crs as gcrs
from lifecircle.geo.offsets import convert_geometries
from lifecircle.schemas import SCHEMAS

#: Column holding the 1-based source row of each feature while loading.
ROW = "__row"

#: shapely type ids per geometry family.
FAMILY_TYPES: dict[str, frozenset[int]] = {
    "point": frozenset({0, 4}),
    "line": frozenset({1, 2, 5}),
    "polygon": frozenset({3, 6}),
}
TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint",
              5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}
FAMILY_ZH = {"point": "点", "line": "线", "polygon": "面"}
#: Geometry families each layer accepts, and those converted to points.
LAYER_FAMILY: dict[str, str] = {k: s.geometry for k, s in SCHEMAS.items()}
TO_POINT_WARN = {k for k, s in SCHEMAS.items() if s.to_point == "warn"}
TO_POINT_SILENT = {k for k, s in SCHEMAS.items() if s.to_point == "silent"}


@dataclass
class Check:
    """Problems, warnings and counts collected for one layer.

    Problems (:class:`~lifecircle.errors.Problem`) and warnings
    (:class:`~lifecircle.errors.Note`) keep their catalogue key and are rendered in the
    run's language where they are shown.
    """

    where: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dropped: int = 0
    repaired: int = 0
    converted: int = 0
    #: ``where`` in Chinese when it holds words (``设施.gpkg 图层 poi`` for ``… layer poi``)
    where_zh: str | None = None

    def problem(self, message: str, fix: str = "", where: str | None = None) -> None:
        """Record a problem of this layer (``where`` adds to the layer's name)."""
        self.problems.append(Problem(self._at(where), message, fix))

    def problem_of(self, key: str, where: str | None = None, *, field: str | None = None,
                   **values: Any) -> None:
        """Record a catalogue problem (``Problem.of``: ``key`` and ``key.fix``) of this layer.

        ``where`` adds a key path to the layer's name (``fields.cid``); ``field`` names the
        source field it is about (``…, field DJ`` / ``…，字段 DJ``).
        """
        zh = self.where_zh or self.where
        place: tuple[str, str] = (zh, self.where)
        if field is not None:
            place = i18n.both(lambda lang: i18n.t("where.field", lang, field=field,
                                                  where=i18n.choose(place, lang)))
        elif where:
            place = i18n.both(lambda lang: i18n.t("where.part", lang, part=where,
                                                  where=i18n.choose(place, lang)))
        self.problems.append(Problem.of(place, key, **values))

    def warn(self, message: str | Note) -> None:
        """Record a data warning (shown in the report, does not stop the run).

        A :class:`~lifecircle.errors.Note` keeps its key and is rendered in the run's
        language where it is shown; prefer :meth:`note`.
        """
        if isinstance(message, Note):
            self.warnings.append(message.at(self._place()))
        else:
            self.warnings.append(f"{self.where}: {message}")

    def note(self, key: str, **values: Any) -> None:
        """Record a catalogue data warning ``key`` (and ``key.fix``) of this layer."""
        self.warnings.append(Note(key, self._place(), **values))

    def _place(self) -> str | tuple[str, str]:
        return (self.where_zh, self.where) if self.where_zh else self.where

    def _at(self, where: str | None) -> str:
        return f"{self.where}{', ' + where if where else ''}"


def rows_text(rows: Iterable[int], limit: int = 5, lang: str = "en") -> str:
    """``rows 3, 7, 12 (+4 more)`` (``第 3、7、12 行（另 4 行）``) for 1-based source rows."""
    return i18n.rows_text(rows, lang, limit)


def _more(hint: str) -> Note | str:
    """A hint added to a fix (``；hint`` / ``; hint``), or nothing."""
    return Note("hint.more", hint=hint) if hint else ""


def rows_pair(rows: Iterable[int], limit: int = 5) -> tuple[str, str]:
    """:func:`rows_text` in Chinese and English (a placeholder value of a catalogue text)."""
    rows = list(rows)
    return rows_text(rows, limit, "zh"), rows_text(rows, limit, "en")


def values_pair(values: Sequence[object], limit: int = 5) -> tuple[str, str]:
    """:func:`values_text` in Chinese and English (a placeholder value)."""
    return i18n.both(lambda lang: values_text(values, limit, lang))


def values_text(values: Sequence[object], limit: int = 5, lang: str = "en") -> str:
    """Up to ``limit`` values, repr'd, comma separated."""
    vals = [v.item() if isinstance(v, np.generic) else v for v in values]
    return i18n.listed([repr(v) for v in vals], lang, limit)


# ---------------------------------------------------------------------------- CRS
def finite_bounds(geoms: gpd.GeoSeries) -> tuple[float, float, float, float] | None:
    """Bounds of the non-empty geometries, or None when there are none."""
    arr = np.asarray(geoms.values, dtype=object)
    ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    if not ok.any():
        return None
    b = shapely.total_bounds(arr[ok])
    if not np.all(np.isfinite(b)):
        return None
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


def _fmt_bounds(b: Sequence[float]) -> str:
    return f"x {b[0]:.6g}..{b[2]:.6g}, y {b[1]:.6g}..{b[3]:.6g}"


def resolve_crs(frame: gpd.GeoDataFrame, source_crs: str | None, check: Check
                ) -> gpd.GeoDataFrame | None:
    """Give ``frame`` its true CRS: convert GCJ-02/BD-09, apply overrides, check coordinates.

    Parameters
    ----------
    frame
        The layer as read (CRS from the file, possibly None).
    source_crs
        ``LayerSpec.source_crs``: ``wgs84``, ``cgcs2000``, ``gcj02``, ``bd09``,
        ``EPSG:<code>`` or None (use the file's).
    check
        Collector of problems and warnings.

    Returns
    -------
    The frame in a known CRS (GCJ-02/BD-09 converted to WGS 84, EPSG:4326), or None when
    the CRS is missing or contradicts the coordinates (a problem was recorded).
    """
    b = finite_bounds(frame.geometry)
    if source_crs in ("gcj02", "bd09"):
        if frame.crs is not None and frame.crs.is_projected:
            check.problem_of("err.val.offset_projected", source=repr(source_crs),
                             crs=frame.crs.name, system=source_crs)
            return None
        if b is not None and gcrs.looks_swapped_china(b):
            check.problem_of("err.val.swapped", crs="", bounds=_fmt_bounds(b))
            return None
        if b is not None and not gcrs.looks_like_degrees(b):
            check.problem_of("err.val.source_not_degrees", source=repr(source_crs),
                             bounds=_fmt_bounds(b), hint=_more(gcrs.suggest_projected(b)))
            return None
        if frame.crs is not None and not _is_wgs_like(frame.crs):
            check.note("warn.val.overridden", crs=frame.crs.name, source=repr(source_crs))
        out = frame.copy()
        out.geometry = gpd.GeoSeries(convert_geometries(frame.geometry.values, source_crs,
                                                        "wgs84"), index=frame.index)
        return out.set_crs("EPSG:4326", allow_override=True)
    if source_crs is not None:
        code = {"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490"}.get(source_crs, source_crs)
        try:
            crs = CRS.from_user_input(code)
        except CRSError:
            check.problem_of("err.val.source_unknown", source=repr(source_crs))
            return None
        frame = frame.set_crs(crs, allow_override=True)
    elif frame.crs is None:
        check.problem_of("err.val.no_crs",
                         hint=_more(gcrs.suggest_projected(b) if b is not None else ""))
        return None
    if b is None:
        return frame
    crs = frame.crs
    name = crs.name
    if crs.is_geographic:
        if gcrs.looks_swapped_china(b):
            check.problem_of("err.val.swapped", crs=f"{name}: ", bounds=_fmt_bounds(b))
            return None
        if not gcrs.looks_like_degrees(b):
            check.problem_of("err.val.not_degrees", crs=name, bounds=_fmt_bounds(b),
                             hint=_more(gcrs.suggest_projected(b)))
            return None
    elif gcrs.looks_like_degrees(b) and (b[2] - b[0]) < 30 and (b[3] - b[1]) < 30:
        check.problem_of("err.val.degrees_as_metres", crs=name, bounds=_fmt_bounds(b))
        return None
    return frame


def _is_wgs_like(crs: CRS) -> bool:
    epsg = crs.to_epsg()
    return epsg in (4326, 4490, 4214, 4610) or crs.is_geographic


def lonlat_bounds(frame: gpd.GeoDataFrame, check: Check
                  ) -> tuple[float, float, float, float] | None:
    """The layer's extent in longitude/latitude, with a problem when it does not fit."""
    b = finite_bounds(frame.geometry)
    if b is None or frame.crs is None:
        return None
    if frame.crs.is_geographic and frame.crs.to_epsg() in (4326, 4490):
        out = b
    else:
        try:
            tr = gcrs.transformer(frame.crs, "EPSG:4326")
            out = tr.transform_bounds(*b)
        except Exception:  # any failure: the CRS does not fit
            out = (math.inf,) * 4
    if not all(math.isfinite(v) for v in out) or not gcrs.looks_like_degrees(out):
        check.problem_of("err.val.misfit", crs=frame.crs.name, bounds=_fmt_bounds(b),
                         hint=_more(gcrs.suggest_projected(b)))
        return None
    return (float(out[0]), float(out[1]), float(out[2]), float(out[3]))


# ---------------------------------------------------------------------------- geometry
def clean_geometries(frame: gpd.GeoDataFrame, layer_key: str, check: Check
                     ) -> gpd.GeoDataFrame:
    """Drop empty geometries, repair invalid ones, check and normalise the geometry type.

    Communities stay polygons; facilities and population points stay points (polygons
    become a representative point, with a warning); candidates become points; roads stay
    lines, split into single LineStrings.
    """
    family = LAYER_FAMILY[layer_key]
    geoms = np.asarray(frame.geometry.values, dtype=object)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        rows = frame.loc[empty, ROW].tolist()
        check.dropped += int(empty.sum())
        check.note("warn.val.empty", n=int(empty.sum()), rows=rows_pair(rows))
        frame = frame.loc[~empty]
        geoms = geoms[~empty]
    if frame.empty:
        check.problem_of("err.val.no_features")
        return frame
    types = shapely.get_type_id(geoms)
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        fixed = geoms.copy()
        idx = np.flatnonzero(invalid)
        repaired = shapely.make_valid(geoms[idx], method="structure", keep_collapsed=False) \
            if family == "polygon" else shapely.make_valid(geoms[idx])
        fixed[idx] = [_keep_family(g, _family_of(int(t))) for g, t in zip(repaired, types[idx],
                                                                          strict=True)]
        lost = np.array([g is None or g.is_empty for g in fixed[idx]])
        rows = frame[ROW].to_numpy()
        n_fixed = int((~lost).sum())
        if n_fixed:
            check.repaired += n_fixed
            check.note("warn.val.repaired", n=n_fixed, rows=rows_pair(rows[idx[~lost]]))
        if lost.any():
            check.dropped += int(lost.sum())
            check.note("warn.val.collapsed", n=int(lost.sum()),
                       rows=rows_pair(rows[idx[lost]]))
            keep = np.ones(len(frame), dtype=bool)
            keep[idx[lost]] = False
            frame = frame.loc[keep]
            fixed = fixed[keep]
        geoms = fixed
        types = shapely.get_type_id(geoms)
    frame = frame.copy()
    frame.geometry = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    ok = np.isin(types, list(FAMILY_TYPES[family]))
    polygon = np.isin(types, list(FAMILY_TYPES["polygon"]))
    if family == "point" and layer_key in TO_POINT_WARN | TO_POINT_SILENT:
        conv = polygon & ~ok
        if conv.any():
            pts = shapely.point_on_surface(geoms[conv])
            geoms = geoms.copy()
            geoms[conv] = pts
            frame.geometry = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
            check.converted += int(conv.sum())
            if layer_key in TO_POINT_WARN:
                check.note("warn.val.to_point", n=int(conv.sum()))
            ok = ok | conv
    if not ok.all():
        bad_types = pd.Series([TYPE_NAMES.get(int(t), str(t)) for t in types[~ok]])
        counts = i18n.items(f"{n} {t}" for t, n in bad_types.value_counts().items())
        rows = frame.loc[~ok, ROW].tolist()
        want = {"polygon": ("面", "polygons"), "point": ("点", "points"),
                "line": ("线", "lines")}[family]
        if layer_key == "facilities" or layer_key == "population":
            want = ("点（或面）", "points (or polygons)")
        if layer_key == "candidates":
            want = ("点或面", "points or polygons")
        fix = {"communities": ("给出社区边界（面）图层", "give the community boundary layer "
                               "(polygons)"),
               "roads": ("给出道路中心线（线）图层", "give the road centre-line layer (lines)"),
               }.get(layer_key, (f"给出{want[0]}图层", f"give a layer of {want[1]}"))
        scope = ("", "") if len(rows) < len(frame) else ("全部为", "all ")
        check.problem_of("err.val.geometry_type", layer=layer_key, want=want, scope=scope,
                         counts=counts, rows=rows_pair(rows), fix=fix)
        return frame.loc[ok]
    if family == "point":
        multi = shapely.get_type_id(np.asarray(frame.geometry.values, dtype=object)) == 4
        if multi.any():
            geoms = np.asarray(frame.geometry.values, dtype=object).copy()
            geoms[multi] = shapely.point_on_surface(geoms[multi])
            frame.geometry = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
            check.converted += int(multi.sum())
            check.note("warn.val.multipoint", n=int(multi.sum()))
    if family == "line":
        if (shapely.get_type_id(np.asarray(frame.geometry.values, dtype=object)) == 1).all():
            # LineStrings only: the frame explode() gives (the same rows, geometry last)
            # without the ~20 ms of exploding nothing
            geom = frame.geometry.name
            frame = frame[[c for c in frame.columns if c != geom] + [geom]]
        else:
            frame = frame.explode(index_parts=False)
        frame = frame[~shapely.is_empty(np.asarray(frame.geometry.values, dtype=object))]
    return frame


def _family_of(type_id: int) -> str:
    for fam, ids in FAMILY_TYPES.items():
        if type_id in ids:
            return fam
    return "other"


def _keep_family(geom: shapely.Geometry, family: str) -> shapely.Geometry | None:
    """The parts of a repaired geometry of the original family (None when nothing is left)."""
    if geom is None or geom.is_empty:
        return None
    if family not in FAMILY_TYPES:
        return geom
    parts = [p for p in shapely.get_parts(geom)
             if int(shapely.get_type_id(p)) in FAMILY_TYPES[family]]
    parts = [q for p in parts for q in shapely.get_parts(p)]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    if family == "polygon":
        return shapely.multipolygons(parts)
    if family == "line":
        return shapely.multilinestrings(parts)
    return shapely.multipoints(parts)


# ---------------------------------------------------------------------------- attributes
def check_ids(ids: pd.Series, rows: pd.Series, column: str, source: str, check: Check) -> None:
    """Record a problem when ids repeat, naming the first few values and their rows."""
    dup = ids.duplicated(keep=False) & ids.notna()
    if not dup.any():
        return
    values = pd.unique(ids[dup])
    def sample(lang: str) -> str:
        return i18n.t("sep.clause", lang).join(
            f"{v!r}" + i18n.t("sep.paren", lang, text=rows_text(rows[ids == v].tolist(), 3,
                                                                 lang))
            for v in values[:3])

    more = (i18n.both(lambda lang: i18n.t("sep.more", lang, n=len(values) - 3))
            if len(values) > 3 else ("", ""))
    check.problem_of("err.val.duplicate", field=source, column=column,
                     source=source, more=more, sample=i18n.both(sample))


def check_numbers(values: pd.Series, bad: pd.Series, rows: pd.Series, column: str,
                  source: str, check: Check, *, raw: pd.Series, required: bool = False,
                  nonnegative: bool = True) -> None:
    """Record non-numeric, missing (when ``required``) and negative values of a column."""
    if bad.any():
        check.problem_of("err.val.non_numeric", field=source, column=column,
                         values=values_pair(raw[bad].tolist()),
                         rows=rows_pair(rows[bad].tolist()))
    missing = values.isna() & ~bad
    if required and missing.any():
        check.problem_of("err.val.missing", field=source, column=column,
                         rows=rows_pair(rows[missing].tolist()))
    if nonnegative:
        neg = values < 0
        if neg.any():
            check.problem_of("err.val.negative", field=source, column=column,
                             values=values_pair(values[neg].tolist()),
                             rows=rows_pair(rows[neg].tolist()))


def overlap_problem(name: str, other: str, b: Sequence[float], ob: Sequence[float],
                    display: str, source_crs: str | None) -> Problem | None:
    """A problem when two lon/lat extents do not overlap at all (a wrong source CRS)."""
    margin = 0.01  # about 1 km
    if b[0] > ob[2] + margin or b[2] < ob[0] - margin or b[1] > ob[3] + margin \
            or b[3] < ob[1] - margin:
        ext = f"{b[0]:.4f}-{b[2]:.4f}E {b[1]:.4f}-{b[3]:.4f}N"
        oext = f"{ob[0]:.4f}-{ob[2]:.4f}E {ob[1]:.4f}-{ob[3]:.4f}N"
        now = (i18n.pair("err.val.overlap.now", crs=repr(source_crs)) if source_crs
               else i18n.pair("err.val.overlap.now_file"))
        return Problem.of(display, "err.val.overlap", name=name, ext=ext, other=other,
                          oext=oext, now=now)
    return None
