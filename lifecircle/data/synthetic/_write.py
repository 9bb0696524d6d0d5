"""Write a synthetic region in the formats planners really hand over.

* ``communities.shp``: GBK-encoded, no ``.cpg`` (and no code page in the DBF header), short
  pinyin field names, EPSG:4548 with ``.prj``.
* ``facilities.gpkg`` (layer ``facilities``): GCJ-02 longitude/latitude as exported from
  Amap-based tools (labelled EPSG:4326 like those exports), Chinese field names.
* ``roads.shp``: UTF-8 with ``.cpg``, Chinese road classes in ``DLDJ``.
* ``population.tif``: 100 m people per cell, float32, deflate, EPSG:4548, nodata -1.
* ``candidates.gpkg`` (layer ``candidates``): EPSG:4548, Chinese field names.
* ``project.toml`` mapping every source field to the canonical columns, and ``README.md``.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely

from lifecircle.data.synthetic import _names, _services
from lifecircle.errors import OutputError
from lifecircle.geo.crs import transformer
from lifecircle.geo.offsets import wgs84_to_gcj02
from lifecircle.project import load_profile

#: Canonical road class -> Chinese class name, for urban streets and for rural roads.
URBAN_CLASS = {"motorway": "快速路", "primary": "主干路", "secondary": "次干路",
               "tertiary": "支路", "residential": "街巷", "path": "步行道",
               "unclassified": "村道"}
RURAL_CLASS = {"secondary": "县道", "tertiary": "乡道", "unclassified": "村道"}
#: Chinese class name -> canonical class, as written into project.toml.
CLASS_VALUES = {"快速路": "motorway", "主干路": "primary", "次干路": "secondary",
                "支路": "tertiary", "街巷": "residential", "县道": "secondary",
                "乡道": "tertiary", "村道": "unclassified", "步行道": "path"}

COMMUNITY_FIELDS = {"cid": "SQDM", "name": "SQMC", "kind": "LX", "population": "RK",
                    "households": "HS", "township": "JDMC", "district": "XZQMC",
                    "facility_area_m2": "SSMJ", "social_orgs": "SHZZ", "workers": "SQGZZ",
                    "elderly": "LNRK", "children": "ETRK", "has_platform": "PT",
                    "has_kiosk": "ZZJ",
                    "has_agency": "DB"}
FACILITY_FIELDS = {"fid": "编号", "name": "名称", "category": "类型", "floor_area_m2": "建筑面积",
                   "capacity": "服务规模", "status": "状态"}
ROAD_FIELDS = {"road_class": "DLDJ", "oneway": "DX", "name": "MC", "walk": "BX"}
CANDIDATE_FIELDS = {"name": "名称", "priority": "优先级", "max_floor_area_m2": "可用面积",
                    "cost": "成本"}

_RURAL_NAME = re.compile(r"^[XY]\d{3}$")


def _yes_no(s: pd.Series) -> list[str | None]:
    return [None if pd.isna(v) else ("是" if v else "否") for v in s]


def _road_class_zh(cls: str, name: str) -> str:
    if _RURAL_NAME.match(name or "") and cls in RURAL_CLASS:
        return RURAL_CLASS[cls]
    return URBAN_CLASS.get(cls, "村道")


def _communities(region, folder: Path) -> None:  # type: ignore[no-untyped-def]
    c = region.communities
    codes = _names.DISTRICTS
    df = gpd.GeoDataFrame({
        "SQDM": c["cid"].astype(str),
        "SQMC": c["name"].astype(str),
        "LX": np.where(c["kind"] == "urban", "城市", "农村"),
        "RK": c["population"].round().astype("int64"),
        "HS": c["households"].round().astype("int64"),
        "JDMC": c["township"].astype(str),
        "XZQMC": c["district"].astype(str),
        "XZQDM": [codes.get(d, "") for d in c["district"]],
        "SSMJ": c["facility_area_m2"].astype(float),
        "SHZZ": c["social_orgs"].round().astype("int64"),
        "SQGZZ": c["workers"].round().astype("int64"),
        "LNRK": c["elderly"].round().astype("int64"),
        "ETRK": c["children"].round().astype("int64"),
        "PT": _yes_no(c["has_platform"]),
        "ZZJ": _yes_no(c["has_kiosk"]),
        "DB": pd.array([None if pd.isna(v) else int(bool(v)) for v in c["has_agency"]],
                       dtype="Int32"),
    }, geometry=c.geometry.values, crs=region.crs)
    path = folder / "communities.shp"
    df.to_file(path, driver="ESRI Shapefile", encoding="GBK", engine="pyogrio",
               layer_options={"RESIZE": "YES"})
    path.with_suffix(".cpg").unlink(missing_ok=True)
    dbf = path.with_suffix(".dbf")
    with dbf.open("r+b") as fh:   # no code page mark either: a legacy file
        fh.seek(29)
        fh.write(b"\x00")


def _facilities(region, folder: Path) -> None:  # type: ignore[no-untyped-def]
    f = region.facilities
    profile = load_profile()
    to_wgs = transformer(region.crs, "EPSG:4326")
    lon, lat = to_wgs.transform(shapely.get_x(f.geometry.values), shapely.get_y(f.geometry.values))
    glon, glat = wgs84_to_gcj02(lon, lat)
    df = gpd.GeoDataFrame({
        "编号": f["fid"].astype(str),
        "名称": f["name"].astype(str),
        "类型": [_services.source_label(n, k, profile) for n, k in zip(f["name"], f["category"],
                                                                     strict=True)],
        "建筑面积": f["floor_area_m2"].astype(float),
        "服务规模": f["capacity"].astype(float),
        "状态": np.where(f["status"] == "planned", "规划", "现状"),
    }, geometry=shapely.points(glon, glat), crs="EPSG:4326")
    df.to_file(folder / "facilities.gpkg", layer="facilities", driver="GPKG", engine="pyogrio")


def _roads(region, folder: Path) -> None:  # type: ignore[no-untyped-def]
    r = region.roads
    df = gpd.GeoDataFrame({
        "DLDJ": [_road_class_zh(c, n) for c, n in zip(r["road_class"], r["name"], strict=True)],
        "DX": r["oneway"].astype("int32"),
        "MC": r["name"].astype(str),
        "BX": r["walk"].astype("int32"),
    }, geometry=r.geometry.values, crs=region.crs)
    df.to_file(folder / "roads.shp", driver="ESRI Shapefile", encoding="UTF-8", engine="pyogrio",
               layer_options={"RESIZE": "YES"})


def _population(region, folder: Path) -> None:  # type: ignore[no-untyped-def]
    a = region.population
    with rasterio.open(folder / "population.tif", "w", driver="GTiff", width=a.shape[1],
                       height=a.shape[0], count=1, dtype="float32", crs=region.crs.to_wkt(),
                       transform=region.population_transform, nodata=-1.0, compress="deflate",
                       predictor=3, zlevel=9, tiled=True, blockxsize=256, blockysize=256) as dst:
        dst.write(a, 1)
        dst.update_tags(SOURCE="lifecircle synthetic demo region (合成数据, 非真实数据)",
                        UNIT="people per 100 m cell")


def _candidates(region, folder: Path) -> None:  # type: ignore[no-untyped-def]
    c = region.candidates
    df = gpd.GeoDataFrame({
        "编号": c["cand_id"].astype(str),
        "名称": c["name"].astype(str),
        "类型": [_services.site_kind(n) for n in c["name"]],
        "优先级": c["priority"].astype("int32"),
        "闲置资产": np.where(c["is_idle_asset"], "是", "否"),
        "可用面积": c["max_floor_area_m2"].astype(float),
        "成本": c["cost"].astype(float),
    }, geometry=c.geometry.values, crs=region.crs)
    df.to_file(folder / "candidates.gpkg", layer="candidates", driver="GPKG", engine="pyogrio")


def _toml_table(name: str, mapping: dict[str, str]) -> str:
    lines = [f"[{name}]"]
    lines += [f'{k} = "{v}"' if k.isascii() else f'"{k}" = "{v}"' for k, v in mapping.items()]
    return "\n".join(lines) + "\n"


def project_toml(seed: int | None = None, scale: float | None = None) -> str:
    """The demo's project file text."""
    made = (f"python -m lifecircle.data.synthetic --seed {seed} --scale {scale:g}"
            if seed is not None and scale is not None else "python -m lifecircle.data.synthetic")
    parts = [
        "# lifecircle demo project: SYNTHETIC data (合成数据, 非真实数据).\n"
        f"# Generated by `{made}`; see README.md beside this file.\n",
        '[project]\nname = "马鞍山合成示例区 (synthetic demo)"\nprofile = "maanshan-2025"\n'
        'working_crs = "EPSG:4548"\nlang = "zh"\nraster_cell_m = 100\n',
        '# GBK shapefile without .cpg: the encoding is detected from the bytes.\n'
        '[layers.communities]\npath = "communities.shp"\n',
        _toml_table("layers.communities.fields", COMMUNITY_FIELDS),
        _toml_table("layers.communities.values.kind", {"城市": "urban", "农村": "rural"}),
        '# Amap (GCJ-02) coordinates, labelled EPSG:4326 like the exports they come from.\n'
        '[layers.facilities]\npath = "facilities.gpkg"\nlayer = "facilities"\n'
        'source_crs = "gcj02"\n',
        _toml_table("layers.facilities.fields", FACILITY_FIELDS),
        _toml_table("layers.facilities.values.status", {"现状": "existing", "规划": "planned"}),
        '[layers.roads]\npath = "roads.shp"\n',
        _toml_table("layers.roads.fields", ROAD_FIELDS),
        _toml_table("layers.roads.values.road_class", CLASS_VALUES),
        '[layers.population]\npath = "population.tif"\n',
        '# 闲置资产 (是/否) marks idle public buildings; they have 优先级 1.\n'
        '[layers.candidates]\npath = "candidates.gpkg"\nlayer = "candidates"\n',
        _toml_table("layers.candidates.fields", CANDIDATE_FIELDS),
        "[network]\nmax_snap_m = 500\n",
        '[planner]\ncategories = ["elderly_care"]\nmodel = "mclp"\nsites = 5\n',
    ]
    return "\n".join(parts)


README = """\
# 马鞍山合成示例区 — synthetic demo region

**合成数据, 非真实数据. SYNTHETIC DATA — not real.** Every community, facility, road and
person in this folder is made up by `lifecircle.data.synthetic`. The layout imitates
Ma'anshan (马鞍山): the Yangtze flowing SSW→NNE west of a dense urban core on the east bank
(花山区, 雨山区), hills the roads go around, a river island without a bridge, rural townships
with villages along sparse roads (和县 across the river). District names and codes are the
real ones; everything below them is invented. Do not use it for any real decision.

Generated with (seed {seed}, scale {scale:g}):

    python -m lifecircle.data.synthetic --out lifecircle/data/demo --seed {seed} --scale {scale:g}

Files:

- `communities.shp`: Shapefile, **GBK without .cpg**, EPSG:4548; {n_comm} communities
  (社区/村). Fields: SQDM 社区代码, SQMC 名称, LX 类型 (城市/农村), RK 人口, HS 户数,
  JDMC 街道/乡镇, XZQMC/XZQDM 区县名称/代码, SSMJ 社区服务设施面积, SHZZ 社会组织数,
  SQGZZ 社区工作者数, LNRK 老年人口, ETRK 儿童人口 (0-14岁), PT 服务平台 (是/否),
  ZZJ 自助一体机 (是/否), DB 政务代办 (1/0); empty = no data.
- `facilities.gpkg`: GeoPackage layer `facilities`, **GCJ-02** lon/lat (Amap style);
  {n_fac} facilities of every catalogue category. Fields: 编号, 名称, 类型 (Chinese names
  and aliases such as 日间照料中心, 村卫生室), 建筑面积, 服务规模, 状态 (现状/规划).
- `roads.shp`: Shapefile, UTF-8 with .cpg, EPSG:4548; {n_roads} road edges. Fields:
  DLDJ 道路等级 (快速路/主干路/次干路/支路/街巷/县道/乡道/村道/步行道), DX 单行 (1/0),
  MC 名称, BX 允许步行 (1/0).
- `population.tif`: GeoTIFF float32, deflate, EPSG:4548; 100 m cells, people per cell,
  -1 outside the region; each community's cells sum to its RK.
- `candidates.gpkg`: GeoPackage layer `candidates`, EPSG:4548; {n_cand} candidate sites.
  优先级 1 = idle public building (闲置资产 是: 宾馆, 培训中心, 办公用房, 校舍), 2-3 ordinary.
- `project.toml`: the lifecircle project file mapping every field above to the
  canonical columns.

Population {population:,.0f} in {n_comm} communities; villagers live along the roads and in
the villages. Facilities are spread like a city's with some gaps: most urban residents
reach each daily service within 15 minutes' walk; meal aid (only in the older inner
neighbourhoods), emergency shelters and elderly care (with a deliberate gap) reach fewer.
Deliberate gaps (communities left unserved on purpose, for the checker and the planner to
find; meal_aid lists the urban communities at the edge of the city that its points leave
more than 1000 m away):

{gaps}
"""


def write_demo(region, folder: Path, *, seed: int | None = None,  # type: ignore[no-untyped-def]
               scale: float | None = None) -> Path:
    """Write the planner-format files, ``project.toml`` and ``README.md`` into ``folder``.

    Parameters
    ----------
    region
        A :class:`~lifecircle.data.synthetic.Region`.
    folder
        Output folder (created if missing; files of the same names are replaced).
    seed, scale
        Recorded in the README and the project file comment when given.

    Returns
    -------
    Path
        The written ``project.toml``.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for stem in ("communities", "roads"):
            for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                (folder / f"{stem}{ext}").unlink(missing_ok=True)
        for name in ("facilities.gpkg", "candidates.gpkg", "population.tif"):
            (folder / name).unlink(missing_ok=True)
    except OSError as e:
        raise OutputError(f"{folder}: cannot write the demo files ({e.strerror}); "
                          "fix: choose a writable folder") from e
    _communities(region, folder)
    _facilities(region, folder)
    _roads(region, folder)
    _population(region, folder)
    _candidates(region, folder)
    project = folder / "project.toml"
    project.write_text(project_toml(seed, scale), encoding="utf-8")
    gaps = "\n".join(f"- `{k}`: {len(v)} ({', '.join(v[:6])}{' ...' if len(v) > 6 else ''})"
                     for k, v in region.gaps.items())
    (folder / "README.md").write_text(README.format(
        seed=seed if seed is not None else "?", scale=scale if scale is not None else 1.0,
        n_comm=len(region.communities), n_fac=len(region.facilities),
        n_roads=len(region.roads), n_cand=len(region.candidates),
        population=float(region.communities["population"].sum()), gaps=gaps), encoding="utf-8")
    return project
