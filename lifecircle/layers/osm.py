"""OpenStreetMap roads as a canonical road layer (walk or drive).

OSM XML (``.osm``, ``.xml``, optionally ``.gz``/``.bz2``) is read through osmnx
(``graph_from_xml`` with every piece kept, then simplified where the road's tags do not
change); ``.osm.pbf`` through the ``osmium`` package. Extracts clipped to an area often
have ways that reference nodes outside it: such ways are cut at the missing nodes and their
remaining runs kept, never joined across the gap. The result has the canonical road
columns (``road_class``, ``oneway``, ``speed_kmh``, ``walk``, ``name``) in WGS84; the
caller reprojects it.
"""

from __future__ import annotations

import bz2
import gzip
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lifecircle.errors import InputError

__all__ = ["canonical_class", "read_osm", "usable_way"]

NETWORK_TYPES = ("walk", "drive")

_CLASS = {
    "motorway": "motorway", "motorway_link": "motorway",
    "trunk": "trunk", "trunk_link": "trunk",
    "primary": "primary", "primary_link": "primary",
    "secondary": "secondary", "secondary_link": "secondary",
    "tertiary": "tertiary", "tertiary_link": "tertiary",
    "residential": "residential", "living_street": "residential",
    "service": "service", "services": "service", "busway": "service",
    "unclassified": "unclassified", "road": "unclassified",
    "track": "track",
    "footway": "path", "path": "path", "pedestrian": "path", "steps": "path",
    "cycleway": "path", "bridleway": "path", "corridor": "path", "sidewalk": "path",
    "crossing": "path",
}
_RANK = {c: i for i, c in enumerate((
    "motorway", "trunk", "primary", "secondary", "tertiary", "residential", "unclassified",
    "service", "track", "path"))}

_NEVER = {"abandoned", "bus_guideway", "construction", "planned", "platform", "proposed",
          "raceway", "razed", "no", "elevator", "escalator", "via_ferrata", "disused"}
_NOT_WALK = {"motorway", "motorway_link", "cycleway"}
_NOT_DRIVE = {"footway", "path", "pedestrian", "steps", "cycleway", "bridleway", "corridor",
              "sidewalk", "crossing"}
_NO = {"no", "private"}
_ONEWAY_YES = {"yes", "true", "1"}
_KEEP_APART = ("highway", "oneway", "foot", "maxspeed", "name")
_ONEWAY_REVERSE = {"-1", "reverse"}


def canonical_class(highway: Any) -> str:
    """Canonical road class of an OSM ``highway`` value (or list of values)."""
    values = highway if isinstance(highway, list | tuple) else [highway]
    classes = [_CLASS.get(str(v).strip(), "unclassified") for v in values if v is not None]
    if not classes:
        return "unclassified"
    return min(classes, key=lambda c: _RANK[c])


def usable_way(tags: Mapping[str, str], network_type: str) -> bool:
    """Whether a way with these tags belongs to the ``walk`` or ``drive`` network."""
    hw = tags.get("highway")
    if not hw or hw in _NEVER or tags.get("area") == "yes":
        return False
    access = tags.get("access", "")
    if network_type == "walk":
        foot = tags.get("foot", "")
        if hw in _NOT_WALK and foot not in ("yes", "designated", "permissive"):
            return False
        if foot in _NO:
            return False
        return not (access in _NO and foot not in ("yes", "designated", "permissive"))
    if hw in _NOT_DRIVE:
        return False
    motor = tags.get("motor_vehicle", tags.get("motorcar", ""))
    if motor in _NO:
        return False
    if access in _NO and motor not in ("yes", "designated", "permissive", "destination"):
        return False
    return tags.get("service", "") not in ("parking_aisle", "driveway", "private",
                                           "emergency_access")


def _walk_flag(tags: Mapping[str, str]) -> bool:
    foot = tags.get("foot", "")
    if foot in _NO:
        return False
    if tags.get("highway") in ("motorway", "motorway_link"):
        return foot in ("yes", "designated", "permissive")
    return True


def _speed_kmh(value: Any) -> float:
    """Number of km/h in an OSM ``maxspeed`` (mph converted); NaN when not numeric."""
    values = value if isinstance(value, list | tuple) else [value]
    speeds = []
    for v in values:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        m = re.match(r"\s*(\d+(?:\.\d+)?)\s*(mph)?", str(v))
        if m:
            speeds.append(float(m.group(1)) * (1.609344 if m.group(2) else 1.0))
    return float(np.mean(speeds)) if speeds else float("nan")


def _oneway(tags: Mapping[str, str]) -> int:
    value = tags.get("oneway", "").strip().lower()
    if value in _ONEWAY_YES:
        return 1
    if value in _ONEWAY_REVERSE:
        return -1
    if tags.get("junction") in ("roundabout", "circular") and value != "no":
        return 1
    return 0


def _frame(geoms: list[Any], tags: list[Mapping[str, str]], oneway: list[bool]
           ) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "road_class": pd.Series([canonical_class(t.get("highway")) for t in tags],
                                dtype=object),
        "oneway": np.asarray(oneway, dtype=bool),
        "speed_kmh": np.asarray([_speed_kmh(t.get("maxspeed")) for t in tags], dtype=float),
        "walk": np.asarray([_walk_flag(t) for t in tags], dtype=bool),
        "name": pd.Series([t.get("name") or "" for t in tags], dtype=object),
    }, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326")


def read_osm(path: str | Path, *, network_type: str = "walk") -> gpd.GeoDataFrame:
    """Canonical roads from an OSM XML or PBF file.

    Parameters
    ----------
    path
        ``.osm``/``.xml`` (optionally ``.gz``/``.bz2``) or ``.osm.pbf``.
    network_type
        ``walk`` (footways, paths and streets; no motorways) or ``drive`` (roads open to
        cars; no footways).

    Returns
    -------
    GeoDataFrame
        LineStrings in EPSG:4326 with ``road_class``, ``oneway`` (along the geometry),
        ``speed_kmh`` (from ``maxspeed``, NaN if absent), ``walk`` and ``name``.

    Raises
    ------
    InputError
        When the file is missing, unreadable, or holds no usable roads.
    """
    path = Path(path)
    if network_type not in NETWORK_TYPES:
        raise InputError(f"OSM network type {network_type!r}: unknown; fix: use "
                         f"{' or '.join(NETWORK_TYPES)}")
    if not path.exists():
        raise InputError(f"{path}: file not found; fix: check the OSM file path")
    name = path.name.lower()
    if name.endswith(".pbf"):
        roads = _read_pbf(path, network_type)
    else:
        roads = _read_xml(path, network_type)
    if roads.empty:
        raise InputError(f"{path}: no OSM ways usable for {network_type}; fix: check the "
                         "file covers the area and holds highway=* ways")
    return roads


# ---------------------------------------------------------------------------- PBF
def _runs(refs_valid: list[bool]) -> Iterator[tuple[int, int]]:
    """(start, stop) of each run of consecutive valid node references."""
    start = None
    for i, ok in enumerate([*refs_valid, False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            if i - start >= 2:
                yield start, i
            start = None


def _read_pbf(path: Path, network_type: str) -> gpd.GeoDataFrame:
    import osmium

    geoms: list[Any] = []
    tags_out: list[dict[str, str]] = []
    oneway: list[bool] = []
    try:
        fp = (osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
              .with_locations().with_filter(osmium.filter.KeyFilter("highway")))
        for obj in fp:
            if not obj.is_way():
                continue
            tags = {t.k: t.v for t in obj.tags}
            if not usable_way(tags, network_type):
                continue
            nodes = list(obj.nodes)
            valid = [n.location.valid() for n in nodes]
            code = _oneway(tags)
            for a, b in _runs(valid):
                xy = [(n.location.lon, n.location.lat) for n in nodes[a:b]]
                if code == -1:
                    xy = xy[::-1]
                line = shapely.LineString(xy)
                if line.length > 0:
                    geoms.append(line)
                    tags_out.append(tags)
                    oneway.append(code != 0)
    except RuntimeError as e:
        raise InputError(f"{path}: cannot read the OSM PBF file ({e}); fix: check it is a "
                         "complete .osm.pbf extract") from e
    return _frame(geoms, tags_out, oneway)


# ---------------------------------------------------------------------------- XML
def _open_text(path: Path) -> IO[bytes]:
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, "rb")
    if name.endswith(".bz2"):
        return bz2.open(path, "rb")
    return open(path, "rb")


def _clean_xml(path: Path, out: Path, network_type: str) -> int:
    """Copy the usable ways to ``out``, cut at missing nodes; return the ways written."""
    nodes: dict[str, tuple[str, str]] = {}
    ways: list[tuple[str, list[str], dict[str, str]]] = []
    try:
        with _open_text(path) as fh:
            for _, el in ET.iterparse(fh, events=("end",)):
                if el.tag == "node":
                    nid, lat, lon = el.get("id"), el.get("lat"), el.get("lon")
                    if nid is not None and lat is not None and lon is not None:
                        nodes[nid] = (lat, lon)
                    el.clear()
                elif el.tag == "way":
                    tags = {t.get("k", ""): t.get("v", "") for t in el.iter("tag")}
                    if usable_way(tags, network_type):
                        refs = [nd.get("ref", "") for nd in el.iter("nd")]
                        ways.append((el.get("id", "0"), refs, tags))
                    el.clear()
                elif el.tag == "relation":
                    el.clear()
    except ET.ParseError as e:
        raise InputError(f"{path}: not valid OSM XML ({e}); fix: re-export the extract "
                         "as .osm XML or .osm.pbf") from e
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e}); fix: check the file") from e
    next_id = max((int(w[0]) for w in ways if w[0].lstrip("-").isdigit()), default=0) + 1
    pieces: list[tuple[int, list[str], dict[str, str]]] = []
    for wid, refs, tags in ways:
        valid = [r in nodes for r in refs]
        for k, (a, b) in enumerate(_runs(valid)):
            if k == 0 and wid.isdigit():
                pid = int(wid)
            else:
                pid, next_id = next_id, next_id + 1
            pieces.append((pid, refs[a:b], tags))
    used = {r for _, refs, _ in pieces for r in refs}
    with open(out, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n')
        for nid in used:
            lat, lon = nodes[nid]
            fh.write(f' <node id="{nid}" lat="{lat}" lon="{lon}"/>\n')
        for pid, refs, tags in pieces:
            fh.write(f' <way id="{pid}">')
            fh.writelines(f'<nd ref="{r}"/>' for r in refs)
            fh.writelines(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())
            fh.write("</way>\n")
        fh.write("</osm>\n")
    return len(pieces)


def _read_xml(path: Path, network_type: str) -> gpd.GeoDataFrame:
    import osmnx as ox

    with tempfile.TemporaryDirectory(prefix="lifecircle-osm-") as tmp:
        clean = Path(tmp) / "clean.osm"
        if _clean_xml(path, clean, network_type) == 0:
            return _frame([], [], [])
        tags_way = list(ox.settings.useful_tags_way)
        extra = ["foot", "junction", "motor_vehicle", "motorcar"]
        ox.settings.useful_tags_way = list(dict.fromkeys([*tags_way, *extra]))
        try:
            graph = ox.graph_from_xml(clean, bidirectional=False, simplify=False,
                                      retain_all=True)
            # merge chains of edges only where the road does not change (a footway never
            # merges into a street, so modes that may not use it keep out of it)
            graph = ox.simplify_graph(graph, edge_attrs_differ=_KEEP_APART)
        except (ValueError, KeyError) as e:
            raise InputError(f"{path}: osmnx could not build a graph ({e}); fix: check the "
                             "extract, or convert it to .osm.pbf") from e
        finally:
            ox.settings.useful_tags_way = tags_way
    edges = ox.graph_to_gdfs(graph, nodes=False, fill_edge_geometry=True).reset_index()
    if edges.empty:
        return _frame([], [], [])
    oneway = edges["oneway"].map(_truthy).to_numpy(dtype=bool) if "oneway" in edges else (
        np.zeros(len(edges), dtype=bool))
    u, v = edges["u"].to_numpy(), edges["v"].to_numpy()
    # a two-way street appears once per direction: keep one of them
    keep = oneway | (u <= v)
    edges = edges[keep]
    oneway = oneway[keep]
    columns = [c for c in ("highway", "maxspeed", "name", "foot", "junction")
               if c in edges.columns]
    tags = [_row_tags(columns, row)
            for row in edges[columns].itertuples(index=False, name=None)]
    return _frame(list(edges.geometry.values), tags, list(oneway))


def _truthy(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return any(_truthy(v) for v in value)
    return bool(value) and str(value).lower() not in ("false", "no", "0", "nan")


def _row_tags(columns: list[str], values: Iterable[Any]) -> dict[str, Any]:
    """Tags of one osmnx edge; merged edges carry lists (kept for highway and maxspeed)."""
    out: dict[str, Any] = {}
    for k, v in zip(columns, values, strict=True):
        if isinstance(v, list):
            items = [x for x in v if x is not None and x == x]
            if not items:
                continue
            out[k] = items if k in ("highway", "maxspeed") else str(items[0])
        elif v is not None and v == v:
            out[k] = v if k in ("highway", "maxspeed") else str(v)
    return out
