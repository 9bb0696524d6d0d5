"""A small, realistic set of result layers (docs/contracts.md "Result layers"), built in code.

Five communities near Ma'anshan in EPSG:4548 (CGCS2000 3-degree Gauss-Kruger, CM 117E):
three urban in two districts, one rural village, and one urban community without residents
(coverage NaN = no data). Values are chosen so the tests can state exact answers:

- C01 桃园社区: every required service covered, cov_all 1.0 (class "100%")
- C02 湖东社区 "A&B" (name with HTML specials): elderly care 60 %, cov_all 0.6 (50-80 %);
  nothing missing (``missing`` lists the services NO resident reaches)
- C03 雨山社区 (MultiPolygon): elderly care 30 %, meal aid 0 % (missing), cov_all 0
- C04 新桥村 (rural): health 97 %, cov_all 0.97 (95-99.9 %)
- C05 空置社区: population 0, coverage NaN (no data)

Facility F02 is named ``<img src=x onerror=alert(1)>``: every output must show it as text.
"""

from __future__ import annotations

import functools
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS, Transformer
from shapely.geometry import LineString, MultiPolygon, Point, box

from lifecircle.project import Profile, load_profile

CRS_WORK = CRS.from_epsg(4548)
EVIL = "<img src=x onerror=alert(1)>"
SPECIAL_NAME = '湖东社区 "A&B"'

# origin near the centre of Ma'anshan (118.50 E, 31.69 N)
_X0, _Y0 = Transformer.from_crs(4326, 4548, always_xy=True).transform(118.50, 31.69)
X0, Y0 = round(_X0, -2), round(_Y0, -2)


@functools.cache
def profile() -> Profile:
    """The shipped default profile (loaded once per process; frozen, read-only)."""
    return load_profile("maanshan-2025")


def _cov_columns(prof: Profile, kind: str, overrides: dict[str, float]) -> dict[str, float]:
    req = set(prof.required(kind))
    out = {}
    for key in prof.categories:
        out[f"cov_{key}"] = overrides.get(key, 1.0) if key in req else np.nan
    return out


def build() -> dict[str, Any]:
    """Return ``{layer name: GeoDataFrame | DataFrame}`` in EPSG:4548: a new dict of deep
    copies on every call (callers may change them), built once per process."""
    return {name: frame.copy(deep=True) for name, frame in _built().items()}


@functools.cache
def _built() -> dict[str, Any]:
    prof = profile()
    names = {k: c.name_zh for k, c in prof.categories.items()}

    def sq(x: float, y: float, w: float = 1000.0, h: float = 1000.0):
        return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)

    comm_rows = [
        dict(cid="C01", name="桃园社区", kind="urban", district="花山区", township="桃源街道",
             population=4200.0, households=1500.0, circle_min=15.0, mode="walk",
             cov={}, cov_all=1.0, missing="", worst_min=11.5, geometry=sq(0, 0)),
        dict(cid="C02", name=SPECIAL_NAME, kind="urban", district="花山区", township="湖东路街道",
             population=3000.0, households=1100.0, circle_min=15.0, mode="walk",
             cov={"elderly_care": 0.6}, cov_all=0.6, missing="", worst_min=22.0,
             geometry=sq(1000, 0)),
        dict(cid="C03", name="雨山社区", kind="urban", district="雨山区", township="雨山街道",
             population=2500.0, households=900.0, circle_min=15.0, mode="walk",
             cov={"elderly_care": 0.3, "meal_aid": 0.0}, cov_all=0.0,
             missing="meal_aid", worst_min=31.0,
             geometry=MultiPolygon([sq(0, 1000, 1000, 600), sq(0, 1700, 600, 300)])),
        dict(cid="C04", name="新桥村", kind="rural", district="当涂县", township="黄池镇",
             population=1800.0, households=620.0, circle_min=30.0, mode="ebike",
             cov={"health": 0.97}, cov_all=0.97, missing="", worst_min=33.0,
             geometry=sq(3000, 0, 2000, 2000)),
        dict(cid="C05", name="空置社区", kind="urban", district="雨山区", township="雨山街道",
             population=0.0, households=0.0, circle_min=15.0, mode="walk",
             cov=None, cov_all=np.nan, missing="", worst_min=np.nan, geometry=sq(1000, 1000)),
    ]
    rows = []
    for r in comm_rows:
        cov = r.pop("cov")
        if cov is None:
            covs = {f"cov_{k}": np.nan for k in prof.categories}
        else:
            covs = _cov_columns(prof, r["kind"], cov)
        missing = r["missing"]
        r["n_missing"] = float(len([m for m in missing.split(",") if m]))
        rows.append({**r, **covs})
    order = ["cid", "name", "kind", "district", "township", "population", "households",
             "circle_min", "mode", "cov_all", "missing", "n_missing", "worst_min",
             *[f"cov_{k}" for k in prof.categories], "geometry"]
    communities = gpd.GeoDataFrame(pd.DataFrame(rows)[order], geometry="geometry",
                                   crs=CRS_WORK)

    fac = [
        ("F01", "花山区桃园社区党群服务中心", "community_center", "existing", 500, 300),
        ("F02", EVIL, "elderly_care", "existing", 300, 700),
        ("F03", "湖东卫生服务站", "health", "planned", 1500, 500),
        ("F04", "新桥村便利店", "grocery", "existing", 4000, 1000),
        ("F05", "雨山菜市场", "fresh_market", "existing", 400, 1300),
        ("F06", "黄池镇社工站", "social_work", "existing", 4500, 1500),
    ]
    facilities = gpd.GeoDataFrame(
        {"fid": [f[0] for f in fac], "name": [f[1] for f in fac],
         "category": [f[2] for f in fac], "category_name": [names[f[2]] for f in fac],
         "status": [f[3] for f in fac], "snapped": [True, True, True, True, True, False],
         "access_m": [12.5, 8.0, 20.0, 35.0, 5.0, 620.0]},
        geometry=[Point(X0 + f[4], Y0 + f[5]) for f in fac], crs=CRS_WORK)

    # demand points: two per community (none in C05), times per category in minutes
    rng = np.random.default_rng(7)
    d_rows = []
    did = 0
    for r in comm_rows[:4]:
        g = r["geometry"]
        c = g.representative_point()
        for k in range(2):
            did += 1
            row = {"did": f"D{did:03d}", "cid": r["cid"], "population": r["population"] / 2,
                   "households": r["households"] / 2}
            for key in prof.categories:
                row[f"t_{key}"] = float(np.round(rng.uniform(2, 40), 1))
            row["t_living_room"] = np.nan  # unreachable everywhere
            row["covered_all"] = bool(r["cov_all"] >= 0.999)
            row["geometry"] = Point(c.x + (k * 120 - 60), c.y + 40)
            d_rows.append(row)
    demand = gpd.GeoDataFrame(pd.DataFrame(d_rows), geometry="geometry", crs=CRS_WORK)

    sa_rows = []
    for _fid, _, key, _, fx, fy in fac[:5]:
        for minutes, radius in ((5, 300.0), (10, 600.0), (15, 900.0)):
            sa_rows.append({"category": key, "category_name": names[key], "circle": "urban",
                            "minutes": float(minutes), "mode": "walk",
                            "geometry": Point(X0 + fx, Y0 + fy).buffer(radius, 16)})
    service_areas = gpd.GeoDataFrame(pd.DataFrame(sa_rows), geometry="geometry", crs=CRS_WORK)

    gaps = gpd.GeoDataFrame(
        {"category": ["elderly_care", "meal_aid"],
         "category_name": [names["elderly_care"], names["meal_aid"]],
         "circle": ["urban", "urban"], "population": [1750.0, 1250.0],
         "households": [630.0, 450.0], "n_points": [1.0, 1.0]},
        geometry=[sq(100, 1100, 700, 400), sq(50, 1750, 400, 200)], crs=CRS_WORK)

    candidates = gpd.GeoDataFrame(
        {"cand_id": ["K1", "K2", "K3"], "name": ["原雨山宾馆", "原培训中心", "空地A"],
         "priority": [1, 1, 2], "is_idle_asset": [True, True, False],
         "source": ["idle_asset", "idle_asset", "grid"]},
        geometry=[Point(X0 + 500, Y0 + 1300), Point(X0 + 1500, Y0 + 600),
                  Point(X0 + 300, Y0 + 1850)], crs=CRS_WORK)

    proposed = gpd.GeoDataFrame(
        {"rank": [1, 2], "cand_id": ["K1", "K2"], "name": ["原雨山宾馆", "原培训中心"],
         "categories": ["elderly_care,meal_aid", "elderly_care"],
         "new_population": [1750.0, 1200.0], "communities": ["C03", "C02"],
         "is_idle_asset": [True, True], "nearest_road_m": [15.0, 32.5]},
        geometry=[Point(X0 + 500, Y0 + 1300), Point(X0 + 1500, Y0 + 600)], crs=CRS_WORK)

    def summary(keys: list[str]) -> pd.DataFrame:
        out = []
        live = communities[communities["population"] > 0]
        for vals, grp in live.groupby(keys, sort=True):
            vals = vals if isinstance(vals, tuple) else (vals,)
            row: dict[str, Any] = dict(zip(keys, vals, strict=True))
            pop = grp["population"]
            row.update(communities=float(len(grp)), population=float(pop.sum()),
                       households=float(grp["households"].sum()))
            for col in ["cov_all", *[f"cov_{k}" for k in prof.categories]]:
                ok = grp[col].notna()
                row[col] = (float((grp.loc[ok, col] * pop[ok]).sum() / pop[ok].sum())
                            if ok.any() else np.nan)
            out.append(row)
        return pd.DataFrame(out)

    # coverage with the proposed sites open: K1 fills C03's elderly care and meal aid, K2
    # C02's elderly care
    after = communities.drop(columns="geometry").copy()
    after = pd.DataFrame(after[["cid", "cov_all", *[f"cov_{k}" for k in prof.categories]]])
    for cid, cols in (("C02", ["cov_elderly_care", "cov_all"]),
                      ("C03", ["cov_elderly_care", "cov_meal_aid", "cov_all"])):
        after.loc[after["cid"] == cid, cols] = 1.0

    roads = gpd.GeoDataFrame(
        {"name": ["湖东路", "雨山路", "桃园巷", "新桥路"],
         "road_class": ["primary", "secondary", "residential", "tertiary"]},
        geometry=[LineString([(X0 - 200, Y0 - 50), (X0 + 5200, Y0 - 50)]),
                  LineString([(X0 + 950, Y0 - 200), (X0 + 950, Y0 + 2100)]),
                  LineString([(X0 + 100, Y0 + 500), (X0 + 900, Y0 + 500)]),
                  LineString([(X0 + 2000, Y0 + 1000), (X0 + 4000, Y0 + 1000)])],
        crs=CRS_WORK)

    summary_district = summary(["district"])
    summary_township = summary(["district", "township"])

    sc = [
        ("1", "community_center", 100.0, 100.0, "%", "pass", "communities"),
        ("2", None, 100.0, np.nan, "%", "no data", "communities"),
        ("3", "social_work", 100.0, 25.0, "%", "fail", "townships"),
        ("4", None, 100.0, np.nan, "%", "no data", "communities"),
        ("5", None, 100.0, np.nan, "%", "no data", "communities"),
        ("6", "community_center", 35.0, 14.0, "m²", "fail", "communities"),
        ("7", None, 100.0, 0.0, "%", "fail", "communities"),
        ("8", None, 12.0, np.nan, "个", "no data", "urban"),
        ("9", None, 7.0, np.nan, "个", "no data", "rural"),
        ("10", None, 18.0, np.nan, "人", "no data", "urban"),
    ]
    scorecard = pd.DataFrame(
        {"indicator": [s[0] for s in sc],
         "name": [prof.indicators[s[0]].name_zh for s in sc],
         "target": [s[2] for s in sc], "value": [s[3] for s in sc],
         "unit": [s[4] for s in sc], "status": [s[5] for s in sc],
         "scope": [s[6] for s in sc]})

    return {
        "communities": communities, "facilities": facilities, "demand": demand,
        "service_areas": service_areas, "gaps": gaps, "candidates": candidates,
        "proposed_sites": proposed, "roads": roads, "communities_after": after,
        "summary_district": summary_district,
        "summary_township": summary_township, "scorecard": scorecard,
    }


def with_over_capacity() -> dict[str, Any]:
    """The fixture's layers with loads: F02 (elderly care, 45 of 30 places) and F04
    (grocery, 25 of 10) over capacity, F05 (fresh market, 80 of 100) within it."""
    from lifecircle.accessibility.assess import over_capacity_layer

    layers = build()
    fac = layers["facilities"].copy()
    cap = {"F02": 30.0, "F04": 10.0, "F05": 100.0}
    load = {"F02": 45.0, "F04": 25.0, "F05": 80.0}
    fac["capacity"] = fac["fid"].map(cap)
    fac["load"] = fac["fid"].map(load)
    fac["load_of"] = fac["fid"].map({"F02": "elderly", "F04": "population",
                                     "F05": "population"})
    fac["over_capacity"] = (fac["load"] > fac["capacity"]).where(fac["capacity"].notna())
    layers["facilities"] = fac
    layers["over_capacity"] = over_capacity_layer(fac)
    return layers
