"""OpenStreetMap roads as a canonical road layer (walk, drive, or both).

OSM XML (``.osm``, ``.xml``, optionally ``.gz``/``.bz2``) is read through osmnx
(``graph_from_xml`` with every piece kept, then simplified where the road does not
change); ``.osm.pbf`` through the ``osmium`` package. Extracts clipped to an area often
have ways that reference nodes outside it: such ways are cut at the missing nodes and their
remaining runs kept, never joined across the gap. The result has the canonical road
columns (``road_class``, ``oneway``, ``speed_kmh``, ``walk``, ``name``) in WGS84; the
caller reprojects it.

:func:`lifecircle.layers.load` reads OSM road files through here with
``network_type="all"`` (a way open to walking or to driving). The columns then say what
each mode may use: ``walk`` is false on ways closed to pedestrians (motorways, ``foot=no``,
private access), and ways closed to motor vehicles (footways, but also e.g. a residential
street with ``motor_vehicle=no``) get the class ``path``, which driving modes forbid.
``accessibility.network.build`` applies both per mode.
"""

from __future__ import annotations

import bz2
import gzip
import re
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lifecircle.errors import InputError, notice
from lifecircle.i18n import items, pair

__all__ = ["NETWORK_TYPES", "OSM_SUFFIXES", "OsmRoads", "canonical_class", "is_osm",
           "osm_roads", "read_osm", "usable_way"]

#: Networks :func:`read_osm` can extract (``all``: ways open to walking or driving).
NETWORK_TYPES = ("walk", "drive", "all")
#: File name endings read as OpenStreetMap (XML, compressed XML, PBF).
OSM_SUFFIXES = (".osm", ".osm.xml", ".osm.gz", ".osm.bz2", ".osm.xml.gz", ".osm.xml.bz2",
                ".pbf")
XML_DRIVER = "OSM XML (osmnx)"
PBF_DRIVER = "OSM PBF (osmium)"

_CLASS = {
    "motorway": "motorway", "motorway_link": "motorway",
    "trunk": "trunk", "trunk_link": "trunk",
    "primary": "primary", "primary_link": "primary",
    "secondary": "secondary", "secondary_link": "secondary",
    "tertiary": "tertiary", "tertiary_link": "tertiary",
    "residential": "residential", "living_street": "residential",
    "service": "service", "busway": "service",
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
          "raceway", "razed", "no", "elevator", "escalator", "via_ferrata", "disused",
          "bus_stop", "rest_area", "services", "emergency_bay"}
_NOT_WALK = {"motorway", "motorway_link", "cycleway"}
_NOT_DRIVE = {"footway", "path", "pedestrian", "steps", "cycleway", "bridleway", "corridor",
              "sidewalk", "crossing"}
_NOT_DRIVE_SERVICE = ("parking_aisle", "driveway", "private", "emergency_access")
_NO = {"no", "private"}
_FOOT_YES = ("yes", "designated", "permissive")
_ONEWAY_YES = {"yes", "true", "1"}
_ONEWAY_REVERSE = {"-1", "reverse"}
# tags written into the cleaned XML so that osmnx carries the reader's decisions along
_CLASS_TAG = "lifecircle_road_class"
_WALK_TAG = "lifecircle_walk"
# a chain of edges is merged only where none of these change (a footway never merges into a
# street, so modes that may not use it keep out of it)
_KEEP_APART = ("highway", _CLASS_TAG, _WALK_TAG, "oneway", "maxspeed", "name")


@dataclass(frozen=True)
class OsmRoads:
    """The roads read from an OSM file and what reading did.

    Attributes
    ----------
    roads
        Canonical road lines in EPSG:4326 (see :func:`read_osm`).
    driver
        ``OSM XML (osmnx)`` or ``OSM PBF (osmium)``.
    ways_read
        Ways tagged ``highway=*`` in the file.
    ways_kept
        Those usable for the network type with at least two nodes present.
    dropped
        Ways not kept, by reason (``highway=construction``, ``area=yes``, ``access``,
        ``nodes missing`` ...).
    ways_cut
        Kept ways that reference nodes missing from the file (a clipped extract): cut
        there, the runs of present nodes kept, never joined across the gap.
    nodes_missing
        Distinct node ids referenced by usable ways but absent from the file.
    """

    roads: gpd.GeoDataFrame
    driver: str
    ways_read: int
    ways_kept: int
    dropped: Mapping[str, int] = field(default_factory=dict)
    ways_cut: int = 0
    nodes_missing: int = 0

    @property
    def ways_dropped(self) -> int:
        """Number of ``highway=*`` ways not kept."""
        return int(sum(self.dropped.values()))


@dataclass
class _Tally:
    ways_read: int = 0
    ways_kept: int = 0
    ways_cut: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    missing: set[Any] = field(default_factory=set)


def is_osm(path: str | Path) -> bool:
    """Whether ``path`` is read as OpenStreetMap (by its name's ending, see OSM_SUFFIXES)."""
    return Path(path).name.lower().endswith(OSM_SUFFIXES)


def canonical_class(highway: Any) -> str:
    """Canonical road class of an OSM ``highway`` value (or list of values)."""
    values = highway if isinstance(highway, list | tuple) else [highway]
    classes = [_CLASS.get(str(v).strip(), "unclassified") for v in values if v is not None]
    if not classes:
        return "unclassified"
    return min(classes, key=lambda c: _RANK[c])


def usable_way(tags: Mapping[str, str], network_type: str) -> bool:
    """Whether a way with these tags belongs to the ``walk``, ``drive`` or ``all`` network.

    ``all`` is the union: ways open to walking or to driving.
    """
    if network_type == "all":
        return usable_way(tags, "walk") or usable_way(tags, "drive")
    hw = tags.get("highway")
    if not hw or hw in _NEVER or tags.get("area") == "yes":
        return False
    access = tags.get("access", "")
    if network_type == "walk":
        foot = tags.get("foot", "")
        if hw in _NOT_WALK and foot not in _FOOT_YES:
            return False
        if foot in _NO:
            return False
        return not (access in _NO and foot not in _FOOT_YES)
    if hw in _NOT_DRIVE:
        return False
    motor = tags.get("motor_vehicle", tags.get("motorcar", ""))
    if motor in _NO:
        return False
    if access in _NO and motor not in ("yes", "designated", "permissive", "destination"):
        return False
    return tags.get("service", "") not in _NOT_DRIVE_SERVICE


def _drop_reason(tags: Mapping[str, str], network_type: str) -> str:
    """Why a ``highway=*`` way is not usable for ``network_type`` (a short tag text)."""
    hw = tags.get("highway", "")
    if hw in _NEVER:
        return f"highway={hw}"
    if tags.get("area") == "yes":
        return "area=yes"
    closed = {"walk": _NOT_WALK, "drive": _NOT_DRIVE, "all": _NOT_WALK & _NOT_DRIVE}
    if hw in closed[network_type]:
        return f"highway={hw}"
    if network_type == "drive" and tags.get("service", "") in _NOT_DRIVE_SERVICE:
        return f"service={tags['service']}"
    return "access"


def _attributes(tags: Mapping[str, str]) -> tuple[str, bool]:
    """Canonical class and walk flag of a usable way.

    A way closed to motor vehicles is class ``path`` whatever its ``highway`` value, so
    that driving modes (which forbid ``path``) keep out of it.
    """
    cls = canonical_class(tags.get("highway"))
    if not usable_way(tags, "drive"):
        cls = "path"
    return cls, usable_way(tags, "walk")


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


def _frame(geoms: list[Any], classes: list[str], oneway: list[bool], speeds: list[float],
           walk: list[bool], names: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "road_class": pd.Series(classes, dtype=object),
        "oneway": np.asarray(oneway, dtype=bool),
        "speed_kmh": np.asarray(speeds, dtype=float),
        "walk": np.asarray(walk, dtype=bool),
        "name": pd.Series(names, dtype=object),
    }, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"), crs="EPSG:4326")


def read_osm(path: str | Path, *, network_type: str = "walk") -> gpd.GeoDataFrame:
    """Canonical roads from an OSM XML or PBF file.

    Parameters
    ----------
    path
        ``.osm``/``.xml`` (optionally ``.gz``/``.bz2``) or ``.osm.pbf``.
    network_type
        ``walk`` (footways, paths and streets; no motorways), ``drive`` (roads open to
        cars; no footways) or ``all`` (ways open to either; the columns tell the modes
        apart, see the module docstring).

    Returns
    -------
    GeoDataFrame
        LineStrings in EPSG:4326 with ``road_class`` (``path`` for every way closed to
        motor vehicles), ``oneway`` (along the geometry), ``speed_kmh`` (from
        ``maxspeed``, NaN if absent), ``walk`` (open to pedestrians) and ``name``.

    Raises
    ------
    InputError
        When the file is missing, unreadable, or holds no usable roads.
    """
    return osm_roads(path, network_type=network_type).roads


def osm_roads(path: str | Path, *, network_type: str = "walk") -> OsmRoads:
    """Like :func:`read_osm`, with the counts of what was read, dropped and cut.

    Raises
    ------
    InputError
        When the file is missing, unreadable, or holds no usable roads.
    """
    path = Path(path)
    if network_type not in NETWORK_TYPES:
        raise notice(InputError, "err.osm.network_type", value=repr(network_type),
                     known=items(NETWORK_TYPES))
    if not path.exists():
        raise notice(InputError, "err.osm.not_found", path=str(path))
    tally = _Tally()
    if path.name.lower().endswith(".pbf"):
        roads, driver = _read_pbf(path, network_type, tally), PBF_DRIVER
    else:
        roads, driver = _read_xml(path, network_type, tally), XML_DRIVER
    if roads.empty:
        raise notice(InputError, "err.osm.no_ways", path=str(path), n=tally.ways_read,
                     what=pair(f"osm.for.{network_type}"))
    return OsmRoads(roads, driver, tally.ways_read, tally.ways_kept, dict(tally.dropped),
                    tally.ways_cut, len(tally.missing))


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


def _count_way(tally: _Tally, tags: Mapping[str, str], network_type: str, refs: list[Any],
               valid: list[bool]) -> list[tuple[int, int]]:
    """Count one ``highway=*`` way; the runs of present nodes to keep (none if dropped)."""
    tally.ways_read += 1
    if not usable_way(tags, network_type):
        tally.dropped[_drop_reason(tags, network_type)] += 1
        return []
    runs = list(_runs(valid))
    if not runs:
        tally.dropped["nodes missing"] += 1
    else:
        tally.ways_kept += 1
    if not all(valid):
        tally.missing.update(r for r, ok in zip(refs, valid, strict=True) if not ok)
        if runs:
            tally.ways_cut += 1
    return runs


# ---------------------------------------------------------------------------- PBF
def _read_pbf(path: Path, network_type: str, tally: _Tally) -> gpd.GeoDataFrame:
    import osmium

    geoms: list[Any] = []
    classes: list[str] = []
    oneway: list[bool] = []
    speeds: list[float] = []
    walk: list[bool] = []
    names: list[str] = []
    try:
        fp = (osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
              .with_locations().with_filter(osmium.filter.KeyFilter("highway")))
        for obj in fp:
            if not obj.is_way():
                continue
            tags = {t.k: t.v for t in obj.tags}
            nodes = list(obj.nodes)
            valid = [n.location.valid() for n in nodes]
            runs = _count_way(tally, tags, network_type, [n.ref for n in nodes], valid)
            if not runs:
                continue
            code = _oneway(tags)
            cls, foot = _attributes(tags)
            for a, b in runs:
                xy = [(n.location.lon, n.location.lat) for n in nodes[a:b]]
                if code == -1:
                    xy = xy[::-1]
                line = shapely.LineString(xy)
                if line.length > 0:
                    geoms.append(line)
                    classes.append(cls)
                    oneway.append(code != 0)
                    speeds.append(_speed_kmh(tags.get("maxspeed")))
                    walk.append(foot)
                    names.append(tags.get("name") or "")
    except RuntimeError as e:
        raise notice(InputError, "err.osm.pbf", path=str(path), error=str(e)) from e
    return _frame(geoms, classes, oneway, speeds, walk, names)


# ---------------------------------------------------------------------------- XML
def _open_text(path: Path) -> IO[bytes]:
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, "rb")
    if name.endswith(".bz2"):
        return bz2.open(path, "rb")
    return open(path, "rb")


def _clean_xml(path: Path, out: Path, network_type: str, tally: _Tally) -> int:
    """Copy the usable ways to ``out``, cut at missing nodes; return the ways written.

    Each way written carries the reader's class and walk flag as extra tags.
    """
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
                    if tags.get("highway"):
                        refs = [nd.get("ref", "") for nd in el.iter("nd")]
                        ways.append((el.get("id", "0"), refs, tags))
                    el.clear()
                elif el.tag == "relation":
                    el.clear()
    except ET.ParseError as e:
        raise notice(InputError, "err.osm.xml", path=str(path), error=str(e)) from e
    except OSError as e:
        raise notice(InputError, "err.osm.unreadable", path=str(path), error=str(e)) from e
    next_id = max((int(w[0]) for w in ways if w[0].lstrip("-").isdigit()), default=0) + 1
    pieces: list[tuple[int, list[str], dict[str, str]]] = []
    for wid, refs, tags in ways:
        runs = _count_way(tally, tags, network_type, refs, [r in nodes for r in refs])
        if not runs:
            continue
        cls, foot = _attributes(tags)
        marked = {**tags, _CLASS_TAG: cls, _WALK_TAG: "yes" if foot else "no"}
        for k, (a, b) in enumerate(runs):
            if k == 0 and wid.isdigit():
                pid = int(wid)
            else:
                pid, next_id = next_id, next_id + 1
            pieces.append((pid, refs[a:b], marked))
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


def _read_xml(path: Path, network_type: str, tally: _Tally) -> gpd.GeoDataFrame:
    import osmnx as ox

    empty = _frame([], [], [], [], [], [])
    with tempfile.TemporaryDirectory(prefix="lifecircle-osm-") as tmp:
        clean = Path(tmp) / "clean.osm"
        if _clean_xml(path, clean, network_type, tally) == 0:
            return empty
        tags_way = list(ox.settings.useful_tags_way)
        extra = ["junction", "maxspeed", "name", _CLASS_TAG, _WALK_TAG]
        ox.settings.useful_tags_way = list(dict.fromkeys([*tags_way, *extra]))
        try:
            graph = ox.graph_from_xml(clean, bidirectional=False, simplify=False,
                                      retain_all=True)
            graph = ox.simplify_graph(graph, edge_attrs_differ=_KEEP_APART)
        except (ValueError, KeyError) as e:
            raise notice(InputError, "err.osm.osmnx", path=str(path), error=str(e)) from e
        finally:
            ox.settings.useful_tags_way = tags_way
    edges = ox.graph_to_gdfs(graph, nodes=False, fill_edge_geometry=True).reset_index()
    if edges.empty:
        return empty
    oneway = edges["oneway"].map(_truthy).to_numpy(dtype=bool) if "oneway" in edges else (
        np.zeros(len(edges), dtype=bool))
    u, v = edges["u"].to_numpy(), edges["v"].to_numpy()
    # a two-way street appears once per direction: keep one of them
    keep = oneway | (u <= v)
    edges = edges[keep]
    oneway = oneway[keep]
    # the chains merged by simplify_graph share class and walk flag (_KEEP_APART); a list
    # can only come from a ring osmnx merged whole, and then the most restrictive wins
    classes = [canonical_class(c) for c in _values(edges, _CLASS_TAG)]
    walk = [all(str(x) == "yes" for x in w) if isinstance(w, list) else str(w) == "yes"
            for w in _values(edges, _WALK_TAG)]
    speeds = [_speed_kmh(_present(s)) for s in _values(edges, "maxspeed")]
    names = [_first_text(n) for n in _values(edges, "name")]
    return _frame(list(edges.geometry.values), classes, list(oneway), speeds, walk, names)


def _values(edges: pd.DataFrame, column: str) -> list[Any]:
    return edges[column].tolist() if column in edges.columns else [None] * len(edges)


def _present(value: Any) -> Any:
    """``value`` without missing entries (None where nothing is left)."""
    if isinstance(value, list):
        items = [x for x in value if x is not None and x == x]
        return items or None
    return value if value is not None and value == value else None


def _first_text(value: Any) -> str:
    value = _present(value)
    if isinstance(value, list):
        value = value[0]
    return "" if value is None else str(value)


def _truthy(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return any(_truthy(v) for v in value)
    return bool(value) and str(value).lower() not in ("false", "no", "0", "nan")
