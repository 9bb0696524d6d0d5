"""Seeded synthetic region laid out like Ma'anshan, for the demo and for benchmarks.

SYNTHETIC DATA (合成数据, 非真实数据): every community, facility, road and person here is made
up. The layout follows the real city: the Yangtze flowing SSW -> NNE west of a dense
urban core on the east bank (districts 花山区 and 雨山区), hills the roads go around, a river
island without a bridge, rural townships with villages strung along sparse roads (和县
across the river, 博望区 to the east, 当涂县 to the south at larger scales), and districts
and codes named after the real ones.

``generate(seed=..., scale=1)`` builds a demo-size region (about 580 km², some 590,000
people in 145 communities, ~15,000 road edges); ``scale`` multiplies the area: scale 7 is
about the city's 4,049 km² (some 740 communities, 2.4 million people, 54,000 road edges),
scale 20-40 make benchmark regions of 120,000-240,000 road edges.
``write_demo`` writes it in the formats planners hand over (see :mod:`._write`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from numpy.typing import NDArray
from pyproj import CRS, Transformer

from lifecircle.data.synthetic import _landscape, _names, _people, _rural, _services, _towns
from lifecircle.geo.crs import transformer
from lifecircle.project import load_profile

__all__ = ["WORKING_CRS", "Region", "generate", "write_demo"]

#: The working CRS of the region: CGCS2000 3-degree Gauss-Kruger, central meridian 117E.
WORKING_CRS = CRS.from_epsg(4548)

COMMUNITY_COLUMNS = ("cid", "name", "kind", "population", "households", "township", "district",
                     "facility_area_m2", "social_orgs", "workers", "elderly", "children",
                     "has_platform", "has_kiosk", "has_agency")
FACILITY_COLUMNS = ("fid", "name", "category", "floor_area_m2", "capacity", "status")
ROAD_COLUMNS = ("road_class", "oneway", "speed_kmh", "walk", "name")
CANDIDATE_COLUMNS = ("cand_id", "name", "priority", "is_idle_asset", "max_floor_area_m2", "cost")


@dataclass(frozen=True)
class Region:
    """A synthetic region in EPSG:4548 with canonical columns (docs/contracts.md).

    Attributes
    ----------
    crs
        EPSG:4548 (CGCS2000 3-degree Gauss-Kruger, central meridian 117E).
    communities, facilities, roads, candidates
        GeoDataFrames with the canonical columns of ``lifecircle.layers``.
    population
        100 m raster of people per cell (float32, rows north to south, -1 outside the region).
    population_transform
        Affine transform of ``population``.
    gaps
        Category key -> cids of communities deliberately left unserved (every point of the
        community is farther than the circle's reach, in straight line, from every existing
        facility of that category).
    """

    crs: CRS
    communities: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    population: NDArray[np.float32]
    population_transform: Affine
    gaps: Mapping[str, list[str]]


def _projector() -> Transformer:
    return transformer(_landscape.LOCAL_CRS, WORKING_CRS)


def _project(geoms: NDArray | shapely.Geometry, tr: Transformer) -> NDArray:
    def fn(c: NDArray) -> NDArray:
        x, y = tr.transform(c[:, 0], c[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, fn)


def _absorb(frame: gpd.GeoDataFrame, small: NDArray[np.int64]) -> gpd.GeoDataFrame:
    """Merge tiny communities into the neighbour they share the longest border with."""
    geoms = frame.geometry.values.copy()
    drop: list[int] = []
    for i in small:
        g = geoms[i]
        touching = [j for j in frame.sindex.query(g, predicate="intersects")
                    if j != i and j not in drop and j not in small]
        if not touching:
            drop.append(int(i))
            continue
        shared = [shapely.length(shapely.intersection(g.boundary, geoms[j].boundary))
                  for j in touching]
        j = touching[int(np.argmax(shared))]
        geoms[j] = shapely.union(geoms[j], g)
        drop.append(int(i))
    out = frame.copy()
    out["geometry"] = geoms
    return out.drop(index=out.index[drop]).reset_index(drop=True)


def _streams(seed: int) -> list[np.random.Generator]:
    """Independent random streams, one per stage of the generator."""
    # a stream added later is appended: the earlier ones (and the demo's numbers) stay
    return [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(10)]


def _landscape_of(*, seed: int, scale: float) -> _landscape.Landscape:
    """The water, hills and window :func:`generate` uses (local frame)."""
    return _landscape.build(float(scale), _streams(seed)[0])


def generate(*, seed: int = 2025, scale: float = 1.0) -> Region:
    """Generate the synthetic region.

    Parameters
    ----------
    seed
        Random seed; the same seed and scale always give identical output.
    scale
        Area multiplier: 1 is the demo (about 580 km²), about 7 the whole city's 4,049 km²;
        20-40 make benchmark regions of a few hundred thousand road edges. 0.1-1 give
        smaller regions for tests.

    Returns
    -------
    Region
    """
    if not 0.1 <= float(scale) <= 100:
        raise ValueError(f"scale must be between 0.1 and 100, got {scale}")
    profile = load_profile()
    rngs = _streams(seed)
    land = _landscape.build(float(scale), rngs[0])
    road_names, town_names = _names.road_pool(rngs[1]), _names.town_pool(rngs[1])
    urban = _towns.build_urban(land, road_names, town_names, rngs[2])
    seats = _towns.build_seats(land, urban, road_names, rngs[2])
    tws = _rural.townships(land, urban, seats)
    vills = _rural.villages(land, urban, tws, rngs[3])
    draft = _people.draft(urban, tws, vills, rngs[5], town_names)
    rural = _rural.network(land, urban, tws, vills, rngs[4])
    tr = _projector()

    # ---- roads
    parts = []
    for t in [*urban, *seats]:
        lines = shapely.linestrings(np.stack([t.nodes[t.edge_u], t.nodes[t.edge_v]], axis=1))
        parts.append(pd.DataFrame({"road_class": t.edge_class, "oneway": t.edge_oneway,
                                   "name": t.edge_name, "geometry": lines}))
    parts.append(pd.DataFrame({"road_class": rural.cls, "oneway": rural.oneway,
                               "name": rural.name, "geometry": rural.lines}))
    rd = pd.concat(parts, ignore_index=True)
    roads = gpd.GeoDataFrame({
        "road_class": rd["road_class"].astype(str),
        "oneway": rd["oneway"].astype(bool),
        "speed_kmh": np.nan,
        "walk": (rd["road_class"] != "motorway").to_numpy(),
        "name": rd["name"].astype(str),
    }, geometry=_project(rd["geometry"].to_numpy(), tr), crs=WORKING_CRS)

    # ---- communities and population
    frame = draft.frame.set_crs(_landscape.LOCAL_CRS)
    frame = frame.set_geometry(_project(frame.geometry.values, tr)).set_crs(WORKING_CRS,
                                                                            allow_override=True)
    window = _project(land.window, tr)
    obstacles = _project(land.obstacles, tr)
    towns_xy = np.array([_project(shapely.Point(t.centre), tr).coords[0] for t in urban]
                        ).reshape(-1, 2)
    density = np.array([t.density for t in urban], dtype=float).reshape(-1, 3)
    clumps = draft.clumps.copy()
    if len(clumps):
        x, y = tr.transform(clumps[:, 0], clumps[:, 1])
        clumps[:, 0], clumps[:, 1] = x, y
    seat_fp = list(_project(np.array([s.footprint for s in seats], dtype=object), tr))
    # the roads every travel mode may use (no expressway, no footpath)
    lived = roads.geometry.values[~roads["road_class"].isin(["motorway", "path"]).to_numpy()]
    for _ in range(3):
        pop_rng = np.random.default_rng(rngs[6].bit_generator.seed_seq)  # same noise each try
        dens, ptr, pop, label, inside = _people.raster(frame, window, obstacles, towns_xy,
                                                       density, clumps, seat_fp, lived,
                                                       pop_rng)
        small = np.flatnonzero(pop < 30)
        if small.size == 0:
            break
        frame = _absorb(frame, small)
    raster, population = _people.finish_raster(dens, label, pop, inside)
    comms = _people.attributes(frame, population, rngs[7], children_rng=rngs[9])

    # ---- gaps, facilities, candidates
    reach_u = _services.reach_m(profile, "urban")
    reach_r = _services.reach_m(profile, "rural")
    core_xy = tuple(towns_xy[0]) if len(towns_xy) else (0.0, 0.0)
    island = _project(land.island, tr) if land.island is not None else None
    eg = _services.elderly_gap(comms, core_xy, _towns.main_core_factor(float(scale)), rngs[8])
    hg = _services.health_gap(comms, reach_r, island)
    geoms = comms.geometry.values
    zones = {"elderly_care": shapely.union_all(geoms[eg]).buffer(reach_u + 50) if eg else None,
             "health": shapely.union_all(geoms[hg]).buffer(reach_r + 100) if hg else None}
    facs = _services.facilities(comms, roads, obstacles, profile, zones, rngs[8])
    cc = facs[(facs["category"] == "community_center") & (facs["status"] == "existing")]
    area = np.bincount(cc["community"].to_numpy(), weights=cc["floor_area_m2"].fillna(0).to_numpy(),
                       minlength=len(comms))
    area[rngs[7].random(len(comms)) < 0.03] = np.nan
    comms["facility_area_m2"] = area
    kind = comms["kind"].to_numpy()
    cids = comms["cid"].to_numpy()
    urban_c, rural_c = kind == "urban", kind == "rural"
    elderly_unserved = set(_services.unserved(comms, facs, "elderly_care", reach_u, urban_c))
    health_unserved = set(_services.unserved(comms, facs, "health", reach_r, rural_c))
    gaps = {
        "elderly_care": [str(cids[i]) for i in eg if i in elderly_unserved],
        "health": [str(cids[i]) for i in hg if i in health_unserved],
        "meal_aid": [str(cids[i]) for i in
                     _services.unserved(comms, facs, "meal_aid", reach_u, urban_c)],
    }
    cands = _services.candidates(comms, roads, obstacles, gaps, rngs[8])

    communities = gpd.GeoDataFrame(comms[list(COMMUNITY_COLUMNS)], geometry=comms.geometry.values,
                                   crs=WORKING_CRS)
    for col in ("population", "households", "facility_area_m2", "social_orgs", "workers",
                "elderly", "children"):
        communities[col] = communities[col].astype(float)
    facilities = gpd.GeoDataFrame(facs[list(FACILITY_COLUMNS)], geometry=facs.geometry.values,
                                  crs=WORKING_CRS)
    candidates = gpd.GeoDataFrame(cands[list(CANDIDATE_COLUMNS)], geometry=cands.geometry.values,
                                  crs=WORKING_CRS)
    return Region(WORKING_CRS, communities, facilities, roads, candidates, raster, ptr, gaps)


def write_demo(region: Region, folder: Path | str, *, seed: int | None = None,
               scale: float | None = None) -> Path:
    """Write ``region`` in the formats planners hand over, plus ``project.toml``.

    Parameters
    ----------
    region
        The region from :func:`generate`.
    folder
        Output folder, created if missing; the demo files in it are replaced.
    seed, scale
        How the region was generated, recorded in ``README.md`` and ``project.toml``.

    Returns
    -------
    Path
        The written ``project.toml`` (load it with :func:`lifecircle.project.load`).

    Notes
    -----
    ``communities.shp`` is GBK without ``.cpg`` and with short pinyin field names,
    ``facilities.gpkg`` is in GCJ-02 longitude/latitude, ``roads.shp`` is UTF-8 with
    ``.cpg``, ``population.tif`` a deflate-compressed GeoTIFF, ``candidates.gpkg`` holds the
    candidate sites; all but the facilities are in EPSG:4548.
    """
    from lifecircle.data.synthetic._write import write_demo as _write_demo

    return _write_demo(region, Path(folder), seed=seed, scale=scale)
