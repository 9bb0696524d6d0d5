"""Reading vector layers through pyogrio (any OGR source) and checking population rasters.

Handles Shapefile (with encoding detection, see :mod:`lifecircle.layers.encoding`), zipped
Shapefile (read through GDAL's ``/vsizip/``), GeoPackage (by layer name), GeoJSON,
FlatGeobuf and any other OGR format (GDAL's OSM layers only when named: OSM roads are read
by :mod:`lifecircle.layers.osm`); GeoTIFF population rasters through rasterio. Every
failure is an :class:`~lifecircle.errors.InputError` naming the file (and layer) and the
fix.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import threading
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from lifecircle import i18n
from lifecircle.errors import InputError, Note, notice
from lifecircle.geo import gdal_config
from lifecircle.layers import encoding as enc
from lifecircle.limits import MAX_FEATURES, check_regular, regular_text_size

#: File suffixes read as rasters (population grids).
RASTER_SUFFIXES = (".tif", ".tiff", ".geotiff", ".img", ".vrt", ".asc")
#: Tables read as point layers from coordinate columns (CSV through pandas, Excel through
#: GDAL's XLSX driver).
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
#: Coordinate column pairs recognised in tables (normalised names), in order of preference.
XY_COLUMNS = (("lon", "lat"), ("lng", "lat"), ("longitude", "latitude"), ("经度", "纬度"),
              ("东经", "北纬"), ("wgs84_lon", "wgs84_lat"), ("lon_wgs84", "lat_wgs84"),
              ("gcj_lon", "gcj_lat"), ("bd_lon", "bd_lat"), ("x", "y"), ("x坐标", "y坐标"),
              ("坐标x", "坐标y"), ("point_x", "point_y"), ("xcoord", "ycoord"),
              ("easting", "northing"))
#: Bytes of a CSV read to detect its encoding.
TABLE_SNIFF_BYTES = 4 << 20
#: File suffixes recognised as vector sources (for folders and zip archives).
VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".fgb", ".osm", ".pbf", ".gml",
                   ".kml", ".tab", ".mif", ".sqlite", ".csv", ".geojsonl", ".geojsons")
#: Text formats GDAL reads whole into memory (a size cap applies, see lifecircle.limits).
TEXT_SUFFIXES = (".geojson", ".json", ".gml", ".kml", ".csv", ".geojsonl", ".geojsons", ".mif")


@dataclass(frozen=True)
class Source:
    """A resolved vector layer: where GDAL reads it and with which encoding.

    Attributes
    ----------
    path
        The path the user gave.
    gdal_path
        The path handed to pyogrio (``/vsizip/...`` for a member of a zip archive).
    layer
        Layer name inside the source (None when the source has one layer).
    driver
        OGR driver name.
    encoding
        Codec passed to pyogrio (None: the driver's own, UTF-8 for modern formats).
    encoding_label
        The encoding reported to the user (``gbk``, ``utf-8``, ``ascii`` ...).
    encoding_source
        How it was chosen (``project``, ``cpg``, ``detected``, ``corrected``, ``driver``).
    warnings
        Messages for the user (a ``.cpg`` that contradicted the bytes, ...).
    encoding_sample
        A decoded non-ASCII value of a shapefile (shows the user the encoding is right).
    """

    path: Path
    gdal_path: str
    layer: str | None
    driver: str
    encoding: str | None
    encoding_label: str
    encoding_source: str
    warnings: tuple[str, ...] = ()
    encoding_sample: str = ""

    @property
    def display(self) -> str:
        """The file (and layer) as named in messages."""
        name = self.path.name
        if self.gdal_path.startswith("/vsizip/"):
            name = f"{name}!{self.gdal_path.rsplit('/', 1)[-1]}"
        return f"{name} layer {self.layer}" if self.layer and self._multi else name

    @property
    def _multi(self) -> bool:
        return self.driver not in ("ESRI Shapefile", "GeoJSON", "FlatGeobuf")


def is_raster(path: Path) -> bool:
    """True when ``path`` is read as a raster (by suffix)."""
    return Path(path).suffix.lower() in RASTER_SUFFIXES


def _zip_members(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")
                     and not Path(n).name.startswith(".") and "__MACOSX" not in n]
    except Exception as e:  # a damaged archive: BadZipFile, NotImplementedError, ...
        raise notice(InputError, "err.read.zip", path=path, reason=_gdal_message(e)) from None
    skip = (".json", ".csv")  # metadata and tables are common in archives
    return [n for n in names
            if Path(n).suffix.lower() in VECTOR_SUFFIXES and Path(n).suffix.lower() not in skip]


def _closest(name: str, options: Sequence[str]) -> list[str]:
    """``options`` ordered by similarity to ``name`` (closest first)."""
    if not options:
        return []
    return difflib.get_close_matches(name, list(options), n=len(options), cutoff=0.0)


def list_layers(path: Path) -> list[tuple[str, str | None]]:
    """Spatial and non-spatial layers of a vector source as ``(name, geometry type)``.

    Raises
    ------
    InputError
        When the file cannot be opened.
    """
    path = Path(path)
    check_regular(path)
    if path.suffix.lower() == ".zip":
        members = _zip_members(path)
        out: list[tuple[str, str | None]] = []
        for m in members:
            for name, geom in _list(f"/vsizip/{path.resolve()}/{m}", path):
                out.append((Path(m).stem if m.lower().endswith(".shp") else name, geom))
        return out
    return _list(str(path), path)


def _list(gdal_path: str, path: Path) -> list[tuple[str, str | None]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr = pyogrio.list_layers(gdal_path)
    except Exception as e:  # a damaged file can make GDAL/pyogrio fail in any way
        raise notice(InputError, "err.read.vector", path=path,
                     reason=_gdal_message(e)) from None
    return [(str(n), None if g is None else str(g)) for n, g in arr]


def _gdal_message(e: BaseException) -> str:
    text = " ".join(str(e).split())
    if not isinstance(e, DataSourceError | DataLayerError | OSError):
        text = f"{type(e).__name__}: {text}"  # an unexpected failure of the reader
    return text[:200]


def resolve(path: Path, layer: str | None = None, encoding: str | None = None) -> Source:
    """Find the layer to read in ``path`` and the encoding to read it with.

    Parameters
    ----------
    path
        A vector file, a ``.zip`` holding one (or several) shapefiles, or a GeoPackage.
    layer
        Layer name (GeoPackage, several shapefiles in a zip, GDAL's OSM ``lines``...).
    encoding
        Encoding set in the project file (overrides ``.cpg`` and detection).

    Returns
    -------
    Source

    Raises
    ------
    InputError
        File missing or unreadable, layer missing, or several layers and none named.
    """
    path = Path(path)
    if not path.exists():
        raise notice(InputError, "err.toml.not_found", path=path)
    check_regular(path)  # a FIFO or a device would hang or fill the memory
    if path.suffix.lower() in TEXT_SUFFIXES:
        regular_text_size(path)
    if path.suffix.lower() in TABLE_SUFFIXES:
        return _resolve_table(path, layer, encoding)
    gdal_path = str(path)
    member: str | None = None
    if path.suffix.lower() == ".zip":
        members = _zip_members(path)
        if not members:
            raise notice(InputError, "err.read.zip_empty", path=path)
        shp = [m for m in members if m.lower().endswith(".shp")]
        pick = members
        if len(members) > 1:
            by_stem = {Path(m).stem: m for m in shp}
            if layer is not None and layer in by_stem:
                pick = [by_stem[layer]]
                layer = None
            elif layer is None and len(shp) > 1:
                raise notice(InputError, "err.read.zip_many", path=path, n=len(shp),
                             names=i18n.items(sorted(by_stem)))
            else:
                pick = shp[:1] if len(shp) == 1 else members[:1]
        member = pick[0]
        gdal_path = f"/vsizip/{path.resolve()}/{member}"
    elif path.suffix.lower() == ".shp":
        check_shapefile(path)
    info = _named_layer_info(gdal_path, layer)
    if info is None:
        info, layer = _layer_info(gdal_path, path, layer)
    driver = str(info.get("driver") or "")
    declared = info.get("features")
    if isinstance(declared, int | np.integer) and declared > MAX_FEATURES:
        raise notice(InputError, "err.too_many_features", path=path, n=f"{int(declared):,}",
                     limit=f"{MAX_FEATURES:,}")
    if driver == "ESRI Shapefile":
        choice = _shapefile_encoding(path, member, encoding)
        return Source(path, gdal_path, layer, driver, choice.encoding, choice.label,
                      choice.source, (choice.warning,) if choice.warning else (), choice.sample)
    if encoding:
        codec = enc.normalise_codec(encoding)
        if codec is None:
            raise notice(InputError, "err.read.encoding", path=path, value=repr(encoding))
        return Source(path, gdal_path, layer, driver, codec, enc.label_of(codec), "project")
    native = str(info.get("encoding") or "UTF-8")
    return Source(path, gdal_path, layer, driver, None, enc.label_of(native), "driver")


def _named_layer_info(gdal_path: str, layer: str | None) -> dict[str, Any] | None:
    """``read_info`` of the layer named ``layer`` when the source has a layer of exactly
    that name (one open of the source instead of two); None otherwise, and on any failure
    (:func:`_layer_info` then says what is wrong)."""
    if layer is None:
        return None
    try:
        with warnings.catch_warnings(), srs_matching_off():  # its CRS is not used here
            warnings.simplefilter("ignore")
            info = pyogrio.read_info(gdal_path, layer=layer)
    except Exception:  # a damaged file or a missing layer: the full path reports it
        return None
    # GDAL finds a layer by its name case-insensitively too: only an exact name is taken
    return info if info.get("layer_name") == layer else None


def _layer_info(gdal_path: str, path: Path, layer: str | None
                ) -> tuple[dict[str, Any], str | None]:
    """The layer to read in a source (the one named, or the only one) and its
    ``read_info``.

    Raises
    ------
    InputError
        The source cannot be opened, the layer named is not in it, several layers and none
        named, or the layer cannot be read.
    """
    layers = _list(gdal_path, path)
    names = [n for n, _ in layers]
    spatial = [n for n, g in layers if g is not None]
    if layer is not None:
        if layer not in names:
            if len(names) == 1 and layer == Path(gdal_path).stem:
                layer = names[0]
            else:
                raise notice(InputError, "err.read.no_layer", path=path, layer=repr(layer),
                             names=i18n.items(_closest(layer, names)))
    elif len(spatial) > 1:
        raise notice(InputError, "err.read.many_layers", path=path, n=len(spatial),
                     names=i18n.items(spatial))
    elif spatial:
        layer = spatial[0]
    elif names:
        layer = names[0]
    try:
        with warnings.catch_warnings(), srs_matching_off():  # its CRS is not used here
            warnings.simplefilter("ignore")
            info = pyogrio.read_info(gdal_path, layer=layer)
    except Exception as e:  # a damaged file can make GDAL/pyogrio fail in any way
        raise notice(InputError, "err.read.layer", path=path, layer=repr(layer),
                     reason=_gdal_message(e)) from None
    return info, layer


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def check_shapefile(path: Path) -> None:
    """Refuse a shapefile whose ``.shx`` or ``.dbf`` is missing or whose parts are truncated.

    GDAL reads a cut ``.shp`` as features without geometry and fails on the others with
    messages that do not say what happened; the file headers say how long each part must be.

    Raises
    ------
    InputError
        Naming the missing or truncated file and the fix.
    """
    path = Path(path)
    shx, dbf = _sibling(path, ".shx"), _sibling(path, ".dbf")
    for part in (shx, dbf, _sibling(path, ".prj"), _sibling(path, ".cpg")):
        if part is not None:
            check_regular(part)
    for part, found in ((".shx", shx), (".dbf", dbf)):
        if found is None:
            what = ("索引", "index") if part == ".shx" else ("属性表", "attribute table")
            raise notice(InputError, "err.read.part_missing", path=path,
                         part=f"{path.stem}{part}", what=what)
    assert shx is not None and dbf is not None
    for part in (path, shx):
        size = _size(part)
        with open(part, "rb") as fh:
            head = fh.read(100)
        if len(head) < 100 or int.from_bytes(head[0:4], "big") != 9994:
            raise notice(InputError, "err.read.not_part", path=part, size=size)
        declared = int.from_bytes(head[24:28], "big") * 2
        if size < declared:
            raise notice(InputError, "err.read.truncated", path=part, size=f"{size:,}",
                         declared=f"{declared:,}")
    size = _size(dbf)
    with open(dbf, "rb") as fh:
        head = fh.read(32)
    if len(head) < 32:
        raise notice(InputError, "err.read.dbf_header", path=dbf, size=size)
    n = int.from_bytes(head[4:8], "little")
    declared = int.from_bytes(head[8:10], "little") + n * int.from_bytes(head[10:12], "little")
    if size < declared:
        raise notice(InputError, "err.read.dbf_truncated", path=dbf, size=f"{size:,}",
                     declared=f"{declared:,}", n=f"{n:,}")


def _shapefile_encoding(path: Path, member: str | None, project: str | None) -> enc.Choice:
    """Read the DBF bytes (and .cpg) of a shapefile, plain or inside a zip, and choose."""
    if member is None:
        dbf_path = _sibling(path, ".dbf")
        cpg_path = _sibling(path, ".cpg")
        dbf = b""
        if dbf_path is not None:
            with open(dbf_path, "rb") as fh:
                dbf = fh.read(enc.MAX_SCAN_BYTES)
        cpg = cpg_path.read_bytes().decode("latin-1") if cpg_path is not None else None
        cpg_name = cpg_path.name if cpg_path is not None else f"{path.stem}.cpg"
    else:
        stem = member[: -len(".shp")]
        try:
            with zipfile.ZipFile(path) as zf:
                lower = {n.lower(): n for n in zf.namelist()}
                dbf_name = lower.get(f"{stem}.dbf".lower())
                cpg_name_in = lower.get(f"{stem}.cpg".lower())
                dbf = zf.open(dbf_name).read(enc.MAX_SCAN_BYTES) if dbf_name else b""
                cpg = zf.read(cpg_name_in).decode("latin-1") if cpg_name_in else None
        except Exception as e:  # a damaged member: bad CRC, bad compression, ...
            raise notice(InputError, "err.read.zip_member", path=path,
                         name=Path(stem).name, reason=_gdal_message(e)) from None
        cpg_name = f"{path.name}!{Path(stem).name}.cpg"
    try:
        fields, values = enc.parse_dbf(dbf) if dbf else ([], [])
    except ValueError:
        fields, values = [], []
    raw = [f.name_bytes for f in fields] + values
    try:
        return enc.choose(raw, cpg=cpg, project=project, where=str(path), cpg_name=cpg_name)
    except InputError:
        raise
    except ValueError as e:
        raise InputError(str(e)) from None


def _sibling(path: Path, suffix: str) -> Path | None:
    """The file beside a shapefile with ``suffix``, matching the suffix case-insensitively."""
    for cand in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if cand.exists():
            return cand
    for cand in path.parent.glob(f"{path.stem}.*"):
        if cand.suffix.lower() == suffix:
            return cand
    return None


def read_vector(src: Source, *, max_features: int | None = None) -> tuple[gpd.GeoDataFrame,
                                                                           list[str]]:
    """Read a resolved source into a GeoDataFrame (geometries that cannot be parsed -> None).

    Returns
    -------
    frame, warnings
        The layer (2-D geometries) and GDAL's conversion warnings turned into messages.

    Raises
    ------
    InputError
        When GDAL cannot read the layer.
    """
    if src.driver in ("CSV", "XLSX"):
        return read_table(src, max_features=max_features)
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            kw: dict[str, Any] = {"layer": src.layer, "encoding": src.encoding,
                                  "force_2d": True, "on_invalid": "ignore"}
            if max_features is not None:
                kw["max_features"] = max_features
            frame = _read_dataframe(src, kw)
        except Exception as e:  # a damaged file can make GDAL/pyogrio fail in any way
            raise notice(InputError, "err.read.frame", path=src.display,
                         reason=_gdal_message(e)) from None
    for w in caught:
        text = str(w.message)
        if "couldn't be converted" in text:
            notes.append(Note("warn.read.convert", src.display, label=src.encoding_label))
    if not isinstance(frame, gpd.GeoDataFrame):
        raise notice(InputError, "err.read.no_geometry", path=src.display)
    return frame, notes


# ---------------------------------------------------------------------------- .prj CRS
#: GDAL's option making the shapefile driver search PROJ's database for the EPSG entry
#: matching a ``.prj`` (default YES).
_FIND_MATCHES = "USE_OSR_FIND_MATCHES"
#: Serialises switching :data:`_FIND_MATCHES` (a process-wide GDAL setting).
_SRS_LOCK = threading.RLock()
#: CRS GDAL finds for a ``.prj``: (digest of the .prj bytes, the option's value) -> CRS.
_PRJ_CRS: dict[tuple[bytes, object], Any] = {}
_PRJ_CRS_SIZE = 64


@contextlib.contextmanager
def srs_matching_off() -> Iterator[None]:
    """GDAL without its search for the EPSG entry matching a shapefile's ``.prj``.

    That search (``OSRFindMatches`` over PROJ's database) is most of the time GDAL takes
    to open a small shapefile (measured: read_info 70-100 ms with it, 7 ms without, on a
    CGCS2000 ``.prj``), and GDAL repeats it on every open. Only reads whose CRS is not
    used, or is restored from :func:`_read_dataframe`'s cache, run under this. The option
    is process-wide in GDAL: it is switched under a lock and restored at once (another
    thread reading a shapefile through GDAL in those milliseconds would get the ``.prj``'s
    own definition of the same CRS instead of its EPSG entry).
    """
    with _SRS_LOCK, gdal_config({_FIND_MATCHES: "NO"}):
        yield


def _prj_bytes(src: Source) -> bytes | None:
    """The ``.prj`` GDAL reads beside a shapefile (plain or in a zip); None: no ``.prj``."""
    if src.gdal_path.startswith("/vsizip/"):
        member = src.gdal_path.split(f"{src.path.resolve()}/", 1)[-1]
        stem = member[: -len(Path(member).suffix)]
        try:
            with zipfile.ZipFile(src.path) as zf:
                names = zf.namelist()
                for suffix in (".prj", ".PRJ"):
                    if f"{stem}{suffix}" in names:
                        return zf.read(f"{stem}{suffix}")
        except Exception:  # a damaged member: GDAL reads it (and says what is wrong)
            return None
        return None
    prj = _sibling(Path(src.gdal_path), ".prj")
    try:
        return prj.read_bytes() if prj is not None else None
    except OSError:
        return None


def _read_dataframe(src: Source, kw: dict[str, Any]) -> Any:
    """``pyogrio.read_dataframe`` of ``src``; a shapefile's CRS found once per ``.prj``.

    GDAL's CRS of a shapefile is a function of its ``.prj`` bytes (and of
    :data:`_FIND_MATCHES`): the first read of a ``.prj`` is GDAL's own, later reads of the
    same ``.prj`` skip GDAL's search (:func:`srs_matching_off`) and get the CRS the first
    one found. The geometries and attributes are GDAL's either way.
    """
    prj = _prj_bytes(src) if src.driver == "ESRI Shapefile" else None
    if prj is None:
        return pyogrio.read_dataframe(src.gdal_path, **kw)
    with _SRS_LOCK:
        key = (hashlib.sha256(prj).digest(), pyogrio.get_gdal_config_option(_FIND_MATCHES))
        if key not in _PRJ_CRS:
            frame = pyogrio.read_dataframe(src.gdal_path, **kw)
            if isinstance(frame, gpd.GeoDataFrame):
                if len(_PRJ_CRS) >= _PRJ_CRS_SIZE:
                    _PRJ_CRS.pop(next(iter(_PRJ_CRS)))
                _PRJ_CRS[key] = frame.crs
            return frame
        crs = _PRJ_CRS[key]
        with srs_matching_off():
            frame = pyogrio.read_dataframe(src.gdal_path, **kw)
    if isinstance(frame, gpd.GeoDataFrame):
        frame.set_crs(crs, allow_override=True, inplace=True)
    return frame


# ---------------------------------------------------------------------------- tables
def _resolve_table(path: Path, layer: str | None, encoding: str | None) -> Source:
    """A CSV (encoding from the project or detected from the bytes) or an Excel sheet."""
    if path.suffix.lower() == ".xlsx":
        names = [n for n, _ in _list(str(path), path)]
        if not names:
            raise notice(InputError, "err.read.no_sheet", path=path)
        if layer is None and len(names) > 1:
            raise notice(InputError, "err.read.many_sheets", path=path, n=len(names),
                         names=i18n.items(names))
        if layer is not None and layer not in names:
            raise notice(InputError, "err.read.sheet", path=path, layer=repr(layer),
                         names=i18n.items(_closest(layer, names)))
        return Source(path, str(path), layer or names[0], "XLSX", None, "utf-8", "driver")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(TABLE_SNIFF_BYTES)
    except OSError as e:
        raise notice(InputError, "err.toml.unreadable", path=path, reason=e.strerror) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        return Source(path, str(path), None, "CSV", "utf-8-sig", "utf-8", "bom")
    if encoding:
        codec = enc.normalise_codec(encoding)
        if codec is None:
            raise notice(InputError, "err.read.encoding", path=path, value=repr(encoding))
        return Source(path, str(path), None, "CSV", codec, enc.label_of(codec), "project")
    lines = raw.splitlines()
    if len(raw) == TABLE_SNIFF_BYTES and lines:
        lines = lines[:-1]  # the last line may be cut mid-character
    label, sample = enc.detect(lines)
    if label is None:
        raise notice(InputError, "err.read.csv_encoding", path=path)
    codec = "utf-8" if label == "ascii" else label
    return Source(path, str(path), None, "CSV", codec, label, "detected",
                  encoding_sample=sample)


def _xy_columns(columns: Sequence[str]) -> tuple[str, str] | None:
    from lifecircle.project import normalise_label

    by_norm = {normalise_label(c).replace(" ", ""): c for c in columns}
    for x, y in XY_COLUMNS:
        if x in by_norm and y in by_norm:
            return by_norm[x], by_norm[y]
    return None


def read_table(src: Source, *, max_features: int | None = None
               ) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read a CSV or Excel table with coordinate columns as a point layer.

    Coordinates come from a recognised column pair (:data:`XY_COLUMNS`: lon/lat, lng/lat,
    经度/纬度, x/y ...). Rows without usable coordinates get no geometry (dropped later with
    a warning). Degrees are taken as WGS 84 (EPSG:4326; set ``source_crs`` for GCJ-02,
    BD-09 or CGCS2000); other numbers get no CRS, so ``source_crs`` must say which.
    Text columns holding only numbers (without leading zeros) become numbers.

    Raises
    ------
    InputError
        When the table cannot be read or has no coordinate columns.
    """
    import pandas as pd

    notes: list[str] = []
    try:
        if src.driver == "XLSX":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                table = pyogrio.read_dataframe(src.gdal_path, layer=src.layer,
                                               read_geometry=False, max_features=max_features)
            table = pd.DataFrame(table)
        else:
            table = pd.read_csv(src.path, encoding=src.encoding, dtype=str, sep=None,
                                engine="python", keep_default_na=False, nrows=max_features,
                                skipinitialspace=True)
    except Exception as e:  # pandas/GDAL fail in many ways on a damaged table
        raise notice(InputError, "err.read.table", path=src.display,
                     reason=_gdal_message(e)) from None
    table.columns = [str(c).strip() for c in table.columns]
    xy = _xy_columns(list(table.columns))
    if xy is None:
        cols = i18n.items(list(table.columns), 12)
        raise notice(InputError, "err.read.no_xy", path=src.display, columns=cols)
    for c in table.columns:
        col = table[c]
        if not (col.dtype == object or pd.api.types.is_string_dtype(col)):
            continue
        text = col.map(lambda v: "" if v is None else str(v).strip())
        filled = text[text != ""]
        if filled.empty or filled.str.match(r"^0\d").any():
            table[c] = text.where(text != "", None)
            continue
        nums = pd.to_numeric(filled.str.replace(",", ""), errors="coerce")
        table[c] = (pd.to_numeric(text.str.replace(",", "").where(text != ""), errors="coerce")
                    if nums.notna().all() else text.where(text != "", None))
    x = pd.to_numeric(table[xy[0]], errors="coerce").to_numpy(float)
    y = pd.to_numeric(table[xy[1]], errors="coerce").to_numpy(float)
    ok = np.isfinite(x) & np.isfinite(y)
    geoms = np.full(len(table), None, dtype=object)
    import shapely

    geoms[ok] = shapely.points(x[ok], y[ok])
    crs = None
    if ok.any():
        from lifecircle.geo.crs import looks_like_degrees

        bounds = (x[ok].min(), y[ok].min(), x[ok].max(), y[ok].max())
        if looks_like_degrees(bounds):
            crs = "EPSG:4326"
    frame = gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geoms), crs=crs)
    return frame, notes


@dataclass(frozen=True)
class RasterInfo:
    """What a population raster holds (it is read later, window by window)."""

    path: Path
    driver: str
    crs: str | None
    width: int
    height: int
    bands: int
    dtype: str
    nodata: float | None
    res: tuple[float, float]
    bounds: tuple[float, float, float, float]
    bounds_lonlat: tuple[float, float, float, float] | None
    has_data: bool
    min_value: float | None


def raster_info(path: Path, *, within_lonlat: tuple[float, float, float, float] | None = None,
                max_cells: int | None = None) -> RasterInfo:
    """Open a raster with rasterio and describe it without loading it whole.

    The header is checked first: a raster whose cells over ``within_lonlat`` (the
    communities' extent; the whole raster when None) exceed ``max_cells`` is refused before
    any cell is read. Then band 1 is scanned over that window strip by strip (bounded
    memory) to detect a raster that is all nodata and the minimum of the valid cells (a
    negative population).

    Parameters
    ----------
    path
        The raster file.
    within_lonlat
        Longitude/latitude extent the data will be read over (None: the whole raster).
    max_cells
        Most cells to read (default :data:`lifecircle.limits.MAX_RASTER_CELLS`).

    Raises
    ------
    InputError
        When the file is not a regular file, cannot be opened as a raster, has an
        implausible header, or is too large over the extent.
    """
    import rasterio
    from rasterio.errors import RasterioIOError
    from rasterio.warp import transform_bounds

    from lifecircle.geo.raster import read_strips, window_over
    from lifecircle.limits import MAX_RASTER_CELLS

    limit = MAX_RASTER_CELLS if max_cells is None else max_cells
    path = Path(path)
    if not path.exists():
        raise notice(InputError, "err.toml.not_found", path=path)
    check_regular(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with rasterio.open(path) as ds:
                res = (float(ds.res[0]), float(ds.res[1]))
                if (ds.width < 1 or ds.height < 1 or not all(np.isfinite(res))
                        or min(res) <= 0):
                    raise notice(InputError, "err.raster_bad_header", path=path,
                                 width=ds.width, height=ds.height, res=f"{res[0]:g}")
                crs = ds.crs.to_string() if ds.crs else None
                lonlat = None
                if ds.crs:
                    try:
                        lonlat = tuple(float(v) for v in transform_bounds(ds.crs, "EPSG:4326",
                                                                          *ds.bounds))
                    except Exception:  # unusable CRS: reported as no extent
                        lonlat = None
                window = window_over(ds, within_lonlat, "EPSG:4326") \
                    if within_lonlat is not None and ds.crs else window_over(ds, None)
                cells = (window[2] - window[0]) * (window[3] - window[1])
                if cells > limit:
                    where = (("在社区范围内", "over the communities' extent")
                             if within_lonlat is not None else ("整个栅格", "whole"))
                    raise notice(InputError, "err.raster_too_large", path=path, where=where,
                                 cells=f"{cells:,}", width=f"{ds.width:,}",
                                 height=f"{ds.height:,}", res=f"{res[0]:g}",
                                 limit=f"{limit:,}")
                # outside the communities: nothing to scan (the overlap check speaks)
                has_data = cells == 0
                min_value: float | None = None
                if ds.count >= 1 and cells:
                    for _, block in read_strips(ds, window):
                        vals = block.compressed()
                        vals = vals[np.isfinite(vals)]
                        if vals.size:
                            has_data = True
                            m = float(vals.min())
                            min_value = m if min_value is None else min(min_value, m)
                            if min_value < 0:
                                break
                return RasterInfo(path, ds.driver, crs, ds.width, ds.height, ds.count,
                                  str(ds.dtypes[0]) if ds.count else "",
                                  None if ds.nodata is None else float(ds.nodata),
                                  res,
                                  tuple(float(v) for v in ds.bounds),  # type: ignore[arg-type]
                                  lonlat,  # type: ignore[arg-type]
                                  has_data, min_value)
    except RasterioIOError as e:
        raise notice(InputError, "err.read.raster", path=path,
                     reason=_gdal_message(e)) from None
