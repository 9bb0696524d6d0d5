"""``init`` + ``check`` on real public data shipped in PyPI packages, against networkx.

Two datasets: pyrosm's test OSM extract (see the second test) and John Snow's 1854
Soho (libpysal's ``snow_maps``: the street network, the 13 water pumps and
the cholera deaths as counted points, all in Web Mercator). Only a one-polygon "community"
around the streets and a tiny profile (one 3-minute walking circle, one
``pump`` category) are written by the test; everything else is the packaged data, read
through ``init`` as a new user would. Coverage is compared with an independent computation:
a networkx graph of the same streets, each point joined to its nearest street segment, a
multi-source Dijkstra from the pumps.
"""

from __future__ import annotations

import importlib.util
import itertools
import shutil
import tomllib
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely
from shapely.geometry import box

from lifecircle import pipeline
from lifecircle import project as prj
from lifecircle.layers.init import init_project

# libpysal's files, found without importing it (seconds a test worker that only collects
# this module need not pay)
_LIBPYSAL = importlib.util.find_spec("libpysal")
if _LIBPYSAL is None or _LIBPYSAL.origin is None:
    pytest.skip("libpysal is not installed", allow_module_level=True)
SNOW = Path(_LIBPYSAL.origin).parent / "examples" / "snow_maps"

MINUTES = 3.0
SPEED_KMH = 4.0
PROFILE = f"""
[profile]
key = "snow-1854"
name_zh = "1854年苏豪区水泵"
name_en = "Soho water pumps, 1854"

[circles.urban]
name_zh = "{MINUTES:g}分钟步行"
name_en = "{MINUTES:g}-minute walk"
minutes = {MINUTES}
mode = "walk"

[modes.walk]
name_zh = "步行"
name_en = "walk"
speed_kmh = {SPEED_KMH}
pedestrian = true
oneway = false
posted_speeds = false

[categories.pump]
name_zh = "水泵"
name_en = "water pump"
circles = ["urban"]
"""


def _noded_streets(lines: gpd.GeoSeries, tol: float = 1.0, crossings: bool = True
                   ) -> list[tuple[tuple, tuple]]:
    """Street segments noded as the project asks (independently of lifecircle's code).

    Every crossing is a junction (``node_crossings = true``), a street ending within ``tol``
    of another joins it there (a digitising gap), and vertices within ``tol`` are one node.
    """
    from scipy.spatial import cKDTree

    raw = np.asarray(lines.values, dtype=object)
    ends = np.array([c for line in raw for c in (line.coords[0], line.coords[-1])])
    owner = np.repeat(np.arange(len(raw)), 2)
    pi, li = shapely.STRtree(raw).query(shapely.points(ends), predicate="dwithin",
                                        distance=tol)
    joins = []
    for i, j in zip(pi, li, strict=True):
        p0 = ends[i]
        d = shapely.distance(shapely.Point(p0), raw[j])
        if owner[i] == j or d <= 1e-9:
            continue
        foot = np.asarray(raw[j].interpolate(raw[j].project(shapely.Point(p0))).coords[0])
        foot = foot + (foot - p0) / np.hypot(*(foot - p0)) * 0.01  # cross it, so it is noded
        joins.append(shapely.LineString([p0, foot]))
    parts = (shapely.get_parts(shapely.node(shapely.multilinestrings([*raw, *joins])))
             if crossings else np.asarray([*raw, *joins], dtype=object))
    xy = np.unique(np.round(shapely.get_coordinates(parts), 6), axis=0)
    same = nx.Graph()
    same.add_nodes_from(range(len(xy)))
    same.add_edges_from(cKDTree(xy).query_pairs(tol, output_type="ndarray").tolist())
    rep = {}
    for group in nx.connected_components(same):
        head = tuple(xy[min(group)])
        rep.update({tuple(xy[k]): head for k in group})
    segs = []
    for part in parts:
        pts = [rep[tuple(c)] for c in np.round(np.asarray(part.coords), 6)]
        segs.extend((a, b) for a, b in itertools.pairwise(pts) if a != b)
    return segs


def _oracle(streets: gpd.GeoSeries, sources: gpd.GeoSeries, people: gpd.GeoSeries,
            weights: np.ndarray, limit_m: float, crossings: bool = True) -> float:
    """Share of ``weights`` within ``limit_m`` of a source along the streets (networkx):
    each point joins its nearest street segment at the foot of the perpendicular."""
    g = nx.Graph()
    segs = _noded_streets(streets, crossings=crossings)
    for a, b in segs:
        g.add_edge(a, b, w=float(np.hypot(a[0] - b[0], a[1] - b[1])))
    lines = shapely.linestrings([[a, b] for a, b in segs])
    tree = shapely.STRtree(lines)

    on_segment: dict[int, list[tuple[float, object]]] = {}

    def attach(points: gpd.GeoSeries, tag: str) -> list[tuple[object, float]]:
        out = []
        for i, p in enumerate(points):
            j = int(tree.query_nearest(p)[0])
            a, b = segs[j]
            t = shapely.line_locate_point(lines[j], p)
            foot = shapely.line_interpolate_point(lines[j], t)
            node = (tag, i)
            g.add_edge(node, a, w=float(t))
            g.add_edge(node, b, w=float(shapely.length(lines[j]) - t))
            on_segment.setdefault(j, []).append((float(t), node))
            out.append((node, float(p.distance(foot))))
        return out

    src = attach(sources, "s")
    dem = attach(people, "d")
    for feet in on_segment.values():  # points on one segment reach each other along it
        feet.sort(key=lambda ft: ft[0])
        for (t0, n0), (t1, n1) in itertools.pairwise(feet):
            g.add_edge(n0, n1, w=t1 - t0)
    for node, access in src:
        g.add_edge("source", node, w=access)
    dist = nx.single_source_dijkstra_path_length(g, "source", weight="w")
    d = np.array([dist.get(node, np.inf) + access for node, access in dem])
    return float(weights[d <= limit_m + 1e-6].sum() / weights.sum())


def test_snow_soho_init_check_equals_networkx(tmp_path: Path) -> None:
    data = tmp_path / "in"
    data.mkdir()
    for p in SNOW.iterdir():
        if p.suffix in (".shp", ".shx", ".dbf", ".prj"):
            shutil.copy(p, data / p.name)
    streets = gpd.read_file(data / "Soho_Network.shp")
    gpd.GeoDataFrame({"NAME": ["Soho"]}, geometry=[box(*streets.total_bounds).buffer(30)],
                     crs=streets.crs).to_file(data / "soho.gpkg")
    (tmp_path / "pumps.toml").write_text(PROFILE, encoding="utf-8")
    out = data / "project.toml"
    text = init_project(sorted(data.iterdir()), out, lang="en",
                        profile=prj.load_profile(tmp_path / "pumps.toml"))
    spec = tomllib.loads(text)
    # Web Mercator distorts London distances by 60 %: init keeps the auto working CRS
    assert spec["project"]["working_crs"] == "auto"
    assert spec["layers"]["facilities"]["path"] == "SohoWater.shp"
    assert spec["layers"]["population"] == {"path": "SohoPeople.shp",
                                            "fields": {"population": "Count"}}
    assert spec["layers"]["facilities"]["fields"] == {"fid": "auto"}  # ArcGIS Id: 0s
    todo = [line for line in text.splitlines() if "TODO" in line]
    # guesses it cannot be sure of: the one polygon could be a facility, the pumps (no
    # fields but a constant Id) could be population points; no kind, category, road class
    assert len(todo) == 5 and any(line.startswith('# TODO: category = ""') for line in todo)
    assert "# TODO: check that SohoWater.shp is the facilities layer: by its fields and " \
           "values it could also be the population layer" in todo
    # the one thing init cannot know: these points are pumps
    # (the streets cross without shared vertices: junctions at crossings, as the oracle)
    out.write_text(text.replace('path = "SohoWater.shp"\n',
                                'path = "SohoWater.shp"\ncategory = "水泵"\n')
                   + "\n[network]\nnode_crossings = true\n", encoding="utf-8")
    analysis = pipeline.analyse(prj.load(out))
    comm = analysis.coverage.communities
    people = gpd.read_file(data / "SohoPeople.shp")
    assert comm["population"].iloc[0] == people["Count"].sum()  # summed from the points
    layers = analysis.layers
    expected = _oracle(layers.roads.geometry, layers.facilities.geometry,
                       people.geometry.to_crs(layers.crs), people["Count"].to_numpy(float),
                       MINUTES * 60 * SPEED_KMH / 3.6)
    assert 0.2 < expected < 0.95  # a test that can fail: neither none nor all covered
    assert comm["cov_pump"].iloc[0] == pytest.approx(expected, abs=1e-12)


PUBLIC = """
[profile]
key = "public-buildings"
name_zh = "公共建筑"
name_en = "public buildings"

[circles.urban]
name_zh = "5分钟步行"
name_en = "5-minute walk"
minutes = 5
mode = "walk"

[modes.walk]
name_zh = "步行"
name_en = "walk"
speed_kmh = 4.0
forbidden_classes = ["motorway"]
pedestrian = true                # obeys foot=no
oneway = false
posted_speeds = false

[categories.public]
name_zh = "公共建筑"
name_en = "public building"
circles = ["urban"]
"""


def test_osm_pbf_init_check_equals_networkx(tmp_path: Path) -> None:
    """pyrosm's test extract (a Finnish town, OSM contributors): roads straight from the
    PBF, residential areas as communities, ``building=public`` as the facilities and every
    residential building as one household (a population point of 1) -- all OSM features."""
    pyrosm = pytest.importorskip("pyrosm")
    import pyogrio

    pbf = Path(pyrosm.get_data("test_pbf"))
    data = tmp_path / "in"
    data.mkdir()
    shutil.copy(pbf, data / "roads.osm.pbf")
    polys = pyogrio.read_dataframe(pbf, layer="multipolygons", on_invalid="ignore")
    polys = polys[polys.geometry.notna()]
    areas = polys[polys["landuse"] == "residential"][["osm_way_id", "name", "geometry"]]
    areas.to_file(data / "residential.gpkg", layer="residential")
    public = polys[polys["building"] == "public"][["osm_way_id", "name", "building",
                                                   "geometry"]]
    public.to_file(data / "public.gpkg", layer="public")
    homes = polys[polys["building"].isin(["residential", "house", "detached", "apartments",
                                          "terrace"])]
    homes = gpd.GeoDataFrame({"population": np.ones(len(homes), dtype=int)},
                             geometry=homes.geometry.representative_point().values,
                             crs=homes.crs)
    homes.to_file(data / "homes.gpkg", layer="homes")
    (tmp_path / "public.toml").write_text(PUBLIC, encoding="utf-8")
    out = data / "project.toml"
    text = init_project(sorted(data.iterdir()), out, lang="en",
                        profile=prj.load_profile(tmp_path / "public.toml"))
    spec = tomllib.loads(text)
    assert spec["layers"]["roads"]["path"] == "roads.osm.pbf"
    assert spec["layers"]["communities"]["path"] == "residential.gpkg"
    assert spec["layers"]["population"]["path"] == "homes.gpkg"
    assert spec["layers"]["facilities"]["path"] == "public.gpkg"
    out.write_text(text.replace('path = "public.gpkg"\n', 'path = "public.gpkg"\n'
                                'category = "public building"\n'), encoding="utf-8")
    analysis = pipeline.analyse(prj.load(out))
    layers = analysis.layers
    walkable = layers.roads[(layers.roads["road_class"] != "motorway") & layers.roads["walk"]]
    pts = analysis.demand.points  # the homes inside a residential area
    cov = analysis.coverage.communities
    weights = pts["population"].to_numpy(float)
    expected = _oracle(walkable.geometry, layers.facilities.geometry, pts.geometry, weights,
                       5 * 60 * 4.0 / 3.6, crossings=False)
    got = float((cov["cov_public"] * cov["population"]).sum() / cov["population"].sum())
    assert 0.05 < expected < 0.95
    assert got == pytest.approx(expected, abs=1e-12)
