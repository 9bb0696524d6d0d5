"""Writing the result GeoPackage (``lifecircle.gpkg``) with QGIS styles stored inside.

Spatial layers and attribute tables are written with pyogrio (GDAL), in the working CRS,
with the stable column names of docs/contracts.md. Then a ``layer_styles`` table (QGIS's own
schema, as QGIS 3.x creates it) receives one QML + SLD style per spatial layer with
``useAsDefault = 1``, so QGIS applies the style when the layer is loaded.

The GeoPackage primary key column is named ``ogc_fid`` (not GDAL's default ``fid``) because
the facilities layer has a text column ``fid`` (the facility id).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import math
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lifecircle.errors import InputError, OutputError, notice
from lifecircle.geo import gdal_config

if TYPE_CHECKING:
    from lifecircle.outputs import ResultLayers
    from lifecircle.profile import Profile

#: Order of the result layers in the GeoPackage (others follow in the given order).
LAYER_ORDER = ("communities", "facilities", "over_capacity", "demand", "service_areas", "gaps",
               "candidates", "proposed_sites", "roads", "summary_district", "summary_township",
               "scorecard", "communities_after")
#: Geometry type written per spatial result layer (polygons are promoted to multi).
GEOMETRY_TYPES = {
    "communities": "MultiPolygon", "service_areas": "MultiPolygon", "gaps": "MultiPolygon",
    "facilities": "Point", "over_capacity": "Point", "demand": "Point", "candidates": "Point",
    "proposed_sites": "Point",
    "roads": "MultiLineString",
}
FID_COLUMN = "ogc_fid"
GEOMETRY_COLUMN = "geom"
#: GeoPackage version written: 1.2 opens without warnings in older GDAL (QGIS LTR builds).
GPKG_VERSION = "1.2"

#: GDAL settings while the layers are written (each layer opens and closes the file, so
#: what an opening costs is paid once per layer; restored afterwards). The file is written
#: inside a temporary result folder moved into place only when complete, and a failed
#: write leaves no file anyone reads, so: no fsync per transaction (10x faster on slow
#: disks), the rollback journal in memory rather than a file created and deleted per
#: transaction, and no SpatiaLite SQL functions registered on each opening (GeoPackage
#: writing never calls them). The file's content is the same (tests/test_gpkg.py).
WRITE_CONFIG = {"OGR_SQLITE_SYNCHRONOUS": "OFF", "OGR_SQLITE_JOURNAL": "MEMORY",
                "SPATIALITE_LOAD": "NO"}

#: ``layer_styles`` exactly as QGIS 3.x creates it in a GeoPackage.
LAYER_STYLES_DDL = (
    'CREATE TABLE "layer_styles" ( "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
    '"f_table_catalog" TEXT(256), "f_table_schema" TEXT(256), "f_table_name" TEXT(256), '
    '"f_geometry_column" TEXT(256), "styleName" TEXT(30), "styleQML" TEXT, "styleSLD" TEXT, '
    '"useAsDefault" BOOLEAN, "description" TEXT, "owner" TEXT(30), "ui" TEXT(30), '
    "\"update_time\" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
)


def _is_spatial(frame: Any) -> bool:
    import geopandas as gpd

    return isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns


def _cell_text(v: Any) -> Any:
    """A value GDAL cannot store as-is, turned into text (None stays None)."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple, set, frozenset, np.ndarray, pd.Series)):
        items = sorted(v, key=str) if isinstance(v, (set, frozenset)) else list(v)
        return ",".join("" if x is None else str(x) for x in items)
    if isinstance(v, Mapping):
        return json.dumps(dict(v), ensure_ascii=False, default=str, sort_keys=True)
    if isinstance(v, bytes):
        return v.hex()
    return str(v)


def _storable(frame: pd.DataFrame, geometry: str | None) -> pd.DataFrame:
    """``frame`` with text column names and only columns GDAL can write (the others
    stringified). Only the columns that change are replaced, in a shallow copy; a frame
    with nothing to change is returned as it is (the writer only reads it)."""
    names = [str(c) for c in frame.columns]
    replaced: dict[int, Any] = {}
    for i, (col, dt) in enumerate(zip(names, frame.dtypes, strict=True)):
        if col == geometry:
            continue
        if isinstance(dt, pd.CategoricalDtype):
            replaced[i] = frame.iloc[:, i].astype(object).map(_cell_text)
        elif pd.api.types.is_timedelta64_dtype(dt) or isinstance(dt, pd.PeriodDtype):
            s = frame.iloc[:, i]
            replaced[i] = s.astype(str).where(s.notna(), None)
        elif pd.api.types.is_complex_dtype(dt):
            replaced[i] = frame.iloc[:, i].astype(str)
        elif dt == np.uint64:
            s = frame.iloc[:, i]
            replaced[i] = s.astype("float64") if (s > np.iinfo(np.int64).max).any() \
                else s.astype("int64")
        elif pd.api.types.is_object_dtype(dt):
            vals = frame.iloc[:, i].tolist()
            kinds = {type(v) for v in vals if v is not None
                     and not (isinstance(v, float) and math.isnan(v))}
            simple = kinds <= {str} or kinds <= {bool, np.bool_} or kinds <= {
                int, float, np.integer, np.floating} or kinds <= {_dt.date, _dt.datetime,
                                                                  pd.Timestamp}
            if not simple or any(isinstance(v, (list, tuple, dict, set)) for v in vals):
                replaced[i] = [_cell_text(v) for v in vals]
    if not replaced and names == list(frame.columns):
        return frame
    out = frame.copy(deep=False)
    for i, values in replaced.items():
        out.isetitem(i, values)
    out.columns = names
    return out


@contextlib.contextmanager
def write_settings() -> Iterator[None]:
    """GDAL set up for writing a GeoPackage of a result folder (:data:`WRITE_CONFIG`), the
    caller's settings restored on leaving. Only for files written in a temporary folder
    moved into place when complete (:func:`lifecircle.outputs.resultdir.atomic_folder`)."""
    with gdal_config(WRITE_CONFIG):
        yield


def write(path: str | os.PathLike[str], layers: ResultLayers, profile: Profile,
          lang: str = "zh", notices: Sequence[str] = ()) -> None:
    """Write the result layers to one GeoPackage with QGIS default styles.

    Parameters
    ----------
    path
        GeoPackage file to create (an existing file is replaced).
    layers
        Result layers by name (docs/contracts.md "Result layers"): GeoDataFrames for the
        spatial layers, DataFrames for ``summary_district``, ``summary_township`` and
        ``scorecard`` (written as attribute tables). ``None`` values are skipped. All
        spatial layers must carry a CRS; layers in another CRS than ``communities`` (or the
        first spatial layer) are reprojected to it.
    profile
        The standards profile (category names and order for the styles).
    lang
        ``zh`` or ``en``: style legend labels, field aliases, layer descriptions.
    notices
        Sentences every reader must see (e.g. a distorting working CRS kept on request):
        added to every layer's description and written as the attribute table ``notices``.

    Raises
    ------
    InputError
        A spatial layer has no CRS.
    OutputError
        The file cannot be written.
    """

    from lifecircle import i18n
    from lifecircle.outputs import qgis_style

    i18n.check_lang(lang)
    path = Path(path)
    if notices:
        layers = {**layers, "notices": pd.DataFrame({"notice": list(notices)})}
    ordered = [n for n in LAYER_ORDER if layers.get(n) is not None]
    ordered += [n for n in layers if n not in LAYER_ORDER and layers.get(n) is not None]
    crs = None
    frames = {n: f for n in ordered if (f := layers.get(n)) is not None}
    for frame in frames.values():
        if _is_spatial(frame):
            if frame.crs is None:
                name = next(n for n, f in frames.items() if f is frame)
                raise notice(InputError, "err.out.no_crs", layer=repr(name))
            if crs is None:
                crs = frame.crs
    try:
        if path.exists():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise notice(OutputError, "err.out.gpkg", path=str(path), error=str(e.strerror)
                     ) from None

    with write_settings():
        written = _write_layers(path, frames, crs, lang, notices)

    rows = []
    for name, data in written:
        if _is_spatial(data):
            style = qgis_style.layer_style(name, data, profile, lang)
            geometry = GEOMETRY_COLUMN
        else:  # an attribute table: its aliases, shown when QGIS opens it alone
            style = qgis_style.table_style(name, data, profile, lang)
            geometry = ""
        if style is not None:
            rows.append(("", "", name, geometry, style.name, style.qml, style.sld, 1,
                         style.description, "lifecircle", None))
    _write_layer_styles(path, rows)
    _write_data_columns(path, [(name, _aliases(name, data, profile, lang))
                               for name, data in written])


def _aliases(layer: str, data: Any, profile: Profile, lang: str) -> list[tuple[str, str]]:
    """``(column, alias)`` of a written layer: the column label in ``lang``, made unique
    within the layer (``gpkg_data_columns`` requires it) by adding the column name."""
    from lifecircle import i18n

    geometry = data._geometry_column_name if _is_spatial(data) else None
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for col in data.columns:
        if col == geometry:
            continue
        label = i18n.field_label(str(col), profile, lang, layer=layer)
        if label in seen:
            label = f"{label} ({col})"
        seen.add(label)
        out.append((str(col), label))
    return out


#: ``gpkg_data_columns`` and its constraints table, as the GeoPackage schema extension
#: defines them (GDAL >= 3.7 reads ``name`` as a field's alternative name, the alias).
DATA_COLUMNS_DDL = (
    'CREATE TABLE "gpkg_data_columns" ("table_name" TEXT NOT NULL, "column_name" TEXT NOT '
    'NULL, "name" TEXT, "title" TEXT, "description" TEXT, "mime_type" TEXT, '
    '"constraint_name" TEXT, CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), '
    "CONSTRAINT gdc_tn UNIQUE (table_name, name))",
    'CREATE TABLE "gpkg_data_column_constraints" ("constraint_name" TEXT NOT NULL, '
    '"constraint_type" TEXT NOT NULL, "value" TEXT, "min" NUMERIC, "min_is_inclusive" '
    'BOOLEAN, "max" NUMERIC, "max_is_inclusive" BOOLEAN, "description" TEXT, CONSTRAINT '
    "gdcc_ntv UNIQUE (constraint_name, constraint_type, value))",
)


def _write_data_columns(path: Path, tables: Sequence[tuple[str, list[tuple[str, str]]]]
                        ) -> None:
    """Field aliases in the GeoPackage itself (``gpkg_data_columns``, schema extension):
    ``name`` and ``title`` hold the column's label in the run's language."""
    rows = [(table, col, label, label) for table, cols in tables for col, label in cols]
    if not rows:
        return
    try:
        con = sqlite3.connect(path)
        con.execute("PRAGMA synchronous = OFF")
    except sqlite3.Error as e:
        raise notice(OutputError, "err.gpkg_aliases", path=path, reason=str(e)) from None
    try:
        with con:
            con.execute(
                'CREATE TABLE IF NOT EXISTS "gpkg_extensions" ("table_name" TEXT, '
                '"column_name" TEXT, "extension_name" TEXT NOT NULL, "definition" TEXT NOT '
                'NULL, "scope" TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, '
                "column_name, extension_name))")
            have = {r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            for ddl, table in zip(DATA_COLUMNS_DDL, ("gpkg_data_columns",
                                                     "gpkg_data_column_constraints"),
                                  strict=True):
                if table not in have:
                    con.execute(ddl)
                    con.execute(
                        "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, "
                        "definition, scope) VALUES (?, NULL, 'gpkg_schema', "
                        "'http://www.geopackage.org/spec/#extension_schema', 'read-write')",
                        (table,))
            con.executemany(
                'INSERT OR REPLACE INTO "gpkg_data_columns" ("table_name", "column_name", '
                '"name", "title") VALUES (?, ?, ?, ?)', rows)
    except sqlite3.Error as e:
        raise notice(OutputError, "err.gpkg_aliases", path=path, reason=str(e)) from None
    finally:
        con.close()


def _one_line(e: BaseException, limit: int = 200) -> str:
    """An exception's text on one line, shortened (GDAL messages can be long SQL)."""
    text = " ".join(str(e).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _write_layers(path: Path, frames: Mapping[str, pd.DataFrame], crs: Any,
                  lang: str, notices: Sequence[str] = ()) -> list[tuple[str, Any]]:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    from lifecircle import i18n

    written: list[tuple[str, Any]] = []
    first = True
    for name, frame in frames.items():
        spatial = _is_spatial(frame)
        title = i18n.t(f"layer.{name}", lang)
        options: dict[str, Any] = {"FID": FID_COLUMN}
        if title != f"layer.{name}":
            options["IDENTIFIER"] = title
            options["DESCRIPTION"] = " ".join([f"lifecircle: {title}", *notices])
        kwargs: dict[str, Any] = {"driver": "GPKG", "layer": name, "layer_options": options}
        if first:
            kwargs["dataset_options"] = {"VERSION": GPKG_VERSION}
        else:
            kwargs["append"] = False
        if spatial:
            geom_col = frame._geometry_column_name
            if frame.crs != crs:
                frame = frame.to_crs(crs)
            data = _storable(frame, geom_col)
            if geom_col != GEOMETRY_COLUMN:
                data = data.rename_geometry(GEOMETRY_COLUMN)
            gtype = GEOMETRY_TYPES.get(name)
            if gtype is None:
                types = set(data.geom_type.dropna())
                gtype = types.pop() if len(types) == 1 else "Unknown"
            kwargs["geometry_type"] = gtype
            kwargs["promote_to_multi"] = gtype.startswith("Multi")
            kwargs["layer_options"]["GEOMETRY_NAME"] = GEOMETRY_COLUMN
        else:
            data = _storable(pd.DataFrame(frame), None)
            if "geometry" in data.columns:
                data = data.drop(columns="geometry")
        try:
            pyogrio.write_dataframe(data, path, **kwargs)
        except (OSError, DataSourceError, DataLayerError) as e:  # GDAL: disk full, limits
            raise notice(OutputError, "err.out.gpkg_layer", path=str(path), layer=repr(name),
                         error=_one_line(e)) from None
        first = False
        written.append((name, data))
    return written


def _write_layer_styles(path: Path, rows: list[tuple[Any, ...]]) -> None:
    """Create ``layer_styles`` (registered as a GeoPackage attribute table) and fill it."""
    if not rows:
        return
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    try:
        con = sqlite3.connect(path)
        con.execute("PRAGMA synchronous = OFF")
    except sqlite3.Error as e:
        raise notice(OutputError, "err.out.gpkg_open", path=str(path), error=str(e)
                     ) from None
    try:
        with con:
            con.execute(LAYER_STYLES_DDL)
            con.executemany(
                'INSERT INTO "layer_styles" ("f_table_catalog", "f_table_schema", '
                '"f_table_name", "f_geometry_column", "styleName", "styleQML", "styleSLD", '
                '"useAsDefault", "description", "owner", "ui") '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            con.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                "last_change, srs_id) VALUES ('layer_styles', 'attributes', 'layer_styles', "
                "'QGIS layer styles', ?, 0)", (now,))
            has_ogr = con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                  "AND name = 'gpkg_ogr_contents'").fetchone()[0]
            if has_ogr:
                con.execute("INSERT INTO gpkg_ogr_contents (table_name, feature_count) "
                            "VALUES ('layer_styles', ?)", (len(rows),))
    except sqlite3.Error as e:
        raise notice(OutputError, "err.out.gpkg_styles", path=str(path), error=str(e)
                     ) from None
    finally:
        con.close()
