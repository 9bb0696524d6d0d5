"""Facilities of every catalogue category, deliberate gaps, and candidate sites.

Facilities stand beside a road inside their community (a point on a road edge pushed
12-35 m to the side that lies in the community). Names carry the label the source data
would use (the catalogue's Chinese name or one of its aliases), so the file's 类型 column
is derived from the name by :func:`source_label`. In the city some facilities are scattered
at random per community, then the planned ones fill in to a service radius per category
(:data:`URBAN_PLAN`), so most residents reach most services and a few categories stay weak.

Gaps are made on purpose by keeping every facility of a category out of a zone: the
zone is the gap communities grown by the circle's reach (walk 15 min = 1000 m for
elderly care in the city, e-bike 30 min = 7500 m for rural health), so the straight-line
distance from any point of a gap community to the nearest such facility exceeds the reach,
and the network time can only be longer. A facility of a community partly inside the zone
is moved to the part outside it.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from lifecircle.data.synthetic import _names
from lifecircle.project import Profile

#: Labels per category and setting (urban community, village, township seat).
LABELS: dict[str, dict[str, list[str]]] = {
    "community_center": {"urban": ["社区党群服务中心", "社区综合服务设施", "社区服务中心"],
                         "village": ["村级综合服务设施", "党群服务中心", "为民服务站"],
                         "seat": ["便民服务中心", "社区服务中心"]},
    "living_room": {"urban": ["社区客厅", "邻里中心", "睦邻中心"]},
    "elderly_care": {"urban": ["养老服务站", "日间照料中心", "居家养老服务站",
                               "老年人日间照料中心"],
                     "village": ["居家养老服务站", "养老服务站"],
                     "seat": ["养老服务中心", "居家养老服务中心"]},
    "meal_aid": {"urban": ["老年助餐点", "老年食堂", "长者食堂", "助餐点"]},
    "health": {"urban": ["社区卫生服务站", "社区卫生服务站", "卫生服务站"],
               "street": ["社区卫生服务中心"], "village": ["村卫生室", "卫生室"],
               "seat": ["卫生院"]},
    "fresh_market": {"urban": ["菜市场", "农贸市场", "菜场", "生鲜超市"], "seat": ["农贸市场"]},
    "grocery": {"urban": ["便利店", "超市", "便民店"],
                "village": ["小超市", "供销社", "益农信息社"],
                "seat": ["超市", "供销社"]},
    "childcare": {"urban": ["幼儿园", "幼儿园", "托育机构"], "seat": ["中心幼儿园"]},
    "primary_school": {"urban": ["小学"], "seat": ["中心小学"]},
    "culture": {"urban": ["文化活动站", "综合文化服务中心", "文化活动中心"],
                "village": ["农家书屋", "文化室"], "seat": ["综合文化站"]},
    "sports": {"urban": ["健身广场", "全民健身中心", "室外健身场地", "运动场地"],
               "village": ["健身广场", "全民健身场地"], "seat": ["体育场"]},
    "express": {"urban": ["快递驿站", "快递点", "驿站"], "village": ["快件送达点"],
                "seat": ["快递驿站"]},
    "shelter": {"urban": ["公园应急避难场所", "广场避难场所"], "village": ["应急避难场所"],
                "seat": ["应急避难场所"]},
    "volunteer": {"urban": ["志愿服务站"], "village": ["志愿服务站"], "seat": ["志愿服务站"]},
    "social_work": {"street": ["社工站", "社会工作站", "社会工作服务站"]},
    "kiosk": {"urban": ["自助服务一体机", "政务自助服务点", "自助一体机"],
              "village": ["自助服务一体机"], "seat": ["自助服务一体机"]},
}

#: Floor area (m²) range and capacity range per category (None = not recorded).
SIZES: dict[str, tuple[tuple[float, float] | None, tuple[int, int] | None]] = {
    "community_center": ((300, 1_600), None), "living_room": ((600, 2_000), None),
    "elderly_care": ((200, 1_000), (10, 60)), "meal_aid": ((80, 300), (50, 200)),
    "health": ((100, 600), None), "fresh_market": ((800, 3_000), None),
    "grocery": ((50, 300), None), "childcare": ((1_500, 4_000), (180, 360)),
    "primary_school": ((6_000, 15_000), (900, 2_400)), "culture": ((150, 800), None),
    "sports": (None, None), "express": ((20, 80), None), "shelter": (None, (500, 5_000)),
    "volunteer": ((20, 80), None), "social_work": ((60, 200), None), "kiosk": (None, None),
}


def source_label(name: str, category: str, profile: Profile) -> str:
    """The category label a planner's file would carry for a facility named ``name``.

    The longest of the category's Chinese name and aliases found in ``name``; the Chinese
    name when none is.
    """
    cat = profile.categories[category]
    found = [lab for lab in (cat.name_zh, *cat.aliases) if lab and lab in name]
    return max(found, key=len) if found else cat.name_zh


def reach_m(profile: Profile, circle: str) -> float:
    """Distance covered within a circle at its mode's base speed (1000 m, 7500 m by default)."""
    c = profile.circles[circle]
    return c.minutes * profile.modes[c.mode].speed_kmh * 1000.0 / 60.0


class _Requests:
    def __init__(self) -> None:
        self.rows: list[tuple[int, str, str]] = []   # community index, category, name

    def add(self, ci: int, key: str, name: str) -> None:
        self.rows.append((ci, key, name))


def _label(rng: np.random.Generator, key: str, where: str) -> str:
    opts = LABELS[key].get(where) or LABELS[key]["urban"]
    return str(opts[int(rng.integers(len(opts)))])


def _join(place: str, label: str) -> str:
    for suffix in ("社区", "村"):
        if place.endswith(suffix) and label.startswith(suffix):
            return place[: -len(suffix)] + label
    return place + label


def _edges_by_community(comms: gpd.GeoDataFrame, roads: gpd.GeoDataFrame) -> list[NDArray]:
    usable = roads[roads["road_class"] != "motorway"]
    mid = shapely.line_interpolate_point(usable.geometry.values, 0.5, normalized=True)
    src, dst = comms.sindex.query(mid, predicate="within")
    idx = usable.index.to_numpy()[src]
    order = np.argsort(dst, kind="stable")
    dst, idx = dst[order], idx[order]
    bounds = np.searchsorted(dst, np.arange(len(comms) + 1))
    return [idx[bounds[i]:bounds[i + 1]] for i in range(len(comms))]


def place(comm_idx: NDArray, comms: gpd.GeoDataFrame, roads: gpd.GeoDataFrame,
          edges: list[NDArray], obstacles: BaseGeometry, rng: np.random.Generator) -> NDArray:
    """Points beside a road inside each requested community (EPSG:4548)."""
    n = len(comm_idx)
    polys = comms.geometry.values[comm_idx]
    fallback = shapely.point_on_surface(polys)
    pick = np.array([e[rng.integers(len(e))] if len(e) else -1 for e in
                     (edges[c] for c in comm_idx)], dtype=np.int64)
    t = rng.uniform(0.15, 0.85, n)
    side = rng.choice([-1.0, 1.0], n)
    mag = rng.uniform(12.0, 35.0, n)
    out = fallback.copy()
    has = pick >= 0
    if not has.any():
        return out
    lines = roads.geometry.values[pick[has]]
    shapely.prepare(obstacles)
    chosen = np.full(lines.size, np.nan), np.full(lines.size, np.nan)
    # beside the road at t, else beside its midpoint (inside: see _edges_by_community), else
    # on the midpoint itself
    for at, sgn in ((t[has], 1.0), (t[has], -1.0), (0.5, 1.0), (0.5, -1.0), (0.5, 0.0)):
        at = np.broadcast_to(at, lines.shape)
        p = shapely.line_interpolate_point(lines, at, normalized=True)
        q = shapely.line_interpolate_point(lines, np.minimum(at + 0.01, 1.0), normalized=True)
        px, py = shapely.get_x(p), shapely.get_y(p)
        dx, dy = shapely.get_x(q) - px, shapely.get_y(q) - py
        norm = np.maximum(np.hypot(dx, dy), 1e-9)
        off = side[has] * sgn * mag[has]
        cx, cy = px - dy / norm * off, py + dx / norm * off
        ok = np.isnan(chosen[0])
        if sgn:
            ok &= (shapely.contains_xy(polys[has], cx, cy)
                   & ~shapely.contains_xy(obstacles, cx, cy))
        chosen[0][ok], chosen[1][ok] = cx[ok], cy[ok]
    out[has] = shapely.points(chosen[0], chosen[1])
    return out


#: Planned coverage in the city: category -> (service radius m, chance the planners act).
#: After the scattered facilities above, the urban communities are visited in random order
#: and one whose centre lies farther than the radius from all of the category's facilities
#: gets one more with that chance; the weak categories (meal aid, shelters) keep wider radii
#: and lower chances, so parts of the city stay unserved.
URBAN_PLAN: dict[str, tuple[float, float]] = {
    "community_center": (500.0, 1.0), "elderly_care": (550.0, 0.95),
    "meal_aid": (700.0, 0.85), "health": (450.0, 0.95), "fresh_market": (450.0, 0.95),
    "grocery": (450.0, 1.0), "childcare": (450.0, 0.95), "primary_school": (550.0, 0.95),
    "culture": (500.0, 0.95), "sports": (450.0, 1.0), "express": (450.0, 1.0),
    "shelter": (700.0, 0.8),
}
#: Meal-aid points began in the old town centres: their odds (the scattered ones' weights
#: and the planners' chance above) are full up to the first share of the way from a town's
#: centre to its outermost community and fall to 0 at the second, so the new estates at
#: the edge of the city are left without.
MEAL_AID_REACH = (0.6, 0.8)
_QUARTER = ("东区", "北区", "西区", "南区")


def _urban_name(rng: np.random.Generator, key: str, nm: str) -> str:
    """The name of an urban facility of ``key`` in the community called ``nm``."""
    short = _names.short(nm)
    lab = _label(rng, key, "urban")
    if key == "grocery":
        return f"{_names.brand(rng)}{lab}({short}店)"
    if key == "primary_school":
        return f"{short}小学"
    if key in ("express", "shelter"):
        return f"{short}{lab}"
    return _join(nm, lab)


def _place_clear(ci: int, comms: gpd.GeoDataFrame, roads: gpd.GeoDataFrame, edges: list[NDArray],
                 obstacles: BaseGeometry, zone: BaseGeometry | None, rng: np.random.Generator,
                 tries: int = 12) -> BaseGeometry | None:
    """A point beside a road in community ``ci`` outside ``zone`` (None when none is found)."""
    cand = place(np.full(tries, ci, dtype=np.int64), comms, roads, edges, obstacles, rng)
    if zone is None:
        return cand[0]
    ok = ~shapely.intersects(zone, cand)
    return cand[int(np.argmax(ok))] if ok.any() else None


def _inner_share(comms: gpd.GeoDataFrame, full: float, none: float) -> NDArray[np.float64]:
    """Per community, 1 near its town's centre falling to 0 toward the edge (0 if rural).

    The centre is the population-weighted mean of the town's community centres; a community
    at ``full`` or less of the way to the town's outermost community gets 1, at ``none`` or
    more 0, linearly in between.
    """
    out = np.zeros(len(comms))
    town = comms["town"].to_numpy()
    urban = (comms["kind"] == "urban").to_numpy()
    xy = shapely.get_coordinates(shapely.point_on_surface(comms.geometry.values))
    w = comms["population"].to_numpy(float)
    for t in np.unique(town[urban]):
        sel = np.flatnonzero(urban & (town == t))
        centre = (xy[sel] * w[sel, None]).sum(axis=0) / max(w[sel].sum(), 1.0)
        d = np.hypot(*(xy[sel] - centre).T)
        rel = d / max(d.max(), 1.0)
        out[sel] = np.clip((none - rel) / (none - full), 0.0, 1.0)
    return out


def facilities(comms: gpd.GeoDataFrame, roads: gpd.GeoDataFrame, obstacles: BaseGeometry,
               profile: Profile, gap_zones: dict[str, BaseGeometry], rng: np.random.Generator
               ) -> gpd.GeoDataFrame:
    """Facilities of every catalogue category (canonical columns, EPSG:4548)."""
    req = _Requests()
    kind = comms["kind"].to_numpy()
    seat = comms["seat"].to_numpy()
    names = comms["name"].to_numpy()
    pop = comms["population"].to_numpy()
    elderly = comms["elderly"].to_numpy()
    township = comms["township"].to_numpy()
    urban_idx = np.flatnonzero(kind == "urban")
    for ci in range(len(comms)):
        nm = names[ci]
        if kind[ci] == "urban":
            def add(key: str, p: float = 1.0, count: int = 1, ci: int = ci, nm: str = nm) -> None:
                for _ in range(count):
                    if rng.random() < p:
                        req.add(ci, key, _urban_name(rng, key, nm))
            add("community_center")
            add("elderly_care", 0.75)
            add("elderly_care", 0.15)
            add("health", 0.5)
            add("fresh_market", 0.45)
            add("grocery", count=max(1, rng.poisson(pop[ci] / 2_500)))
            add("childcare", count=max(1, rng.poisson(pop[ci] / 6_000)), p=0.7)
            add("primary_school", 0.35)
            add("culture", 0.7)
            add("sports", count=rng.poisson(1.0) + 1, p=0.7)
            add("express", count=rng.poisson(pop[ci] / 3_000))
            add("shelter", 0.3)
            add("volunteer", 0.85)
            add("kiosk", 0.5)
        elif seat[ci]:
            town = township[ci]
            for key in ("community_center", "elderly_care", "health", "fresh_market", "grocery",
                        "grocery", "childcare", "primary_school", "culture", "sports", "express",
                        "shelter", "volunteer", "kiosk"):
                req.add(ci, key, _join(town if key not in ("community_center", "volunteer")
                                       else nm, _label(rng, key, "seat")))
            if rng.random() < 0.9:
                req.add(ci, "social_work", f"{town}{_label(rng, 'social_work', 'street')}")
        else:
            def addv(key: str, p: float = 1.0, ci: int = ci, nm: str = nm) -> None:
                if rng.random() < p:
                    req.add(ci, key, _join(nm, _label(rng, key, "village")))
            addv("community_center")
            addv("elderly_care", 0.35)
            addv("health", 0.85)
            addv("grocery")
            addv("grocery", 0.5)
            addv("culture", 0.8)
            addv("sports", 0.6)
            addv("shelter", 0.25)
            addv("volunteer", 0.6)
            addv("kiosk", 0.3)
            addv("express", 0.3)
    # per street office: a health centre and (mostly) a social-work station
    streets = sorted({t for t, k in zip(township, kind, strict=True) if k == "urban"})
    for st in streets:
        members = np.flatnonzero((township == st) & (kind == "urban"))
        ci = int(members[rng.integers(len(members))])
        stem = st.removesuffix("街道").removesuffix("镇")
        req.add(ci, "health", f"{stem}社区卫生服务中心")
        if rng.random() < 0.85:
            ci = int(members[rng.integers(len(members))])
            req.add(ci, "social_work", f"{st}{_label(rng, 'social_work', 'street')}")
    # meal-assistance points: sparse, where the elderly are in the old, dense neighbourhoods
    meal_share = _inner_share(comms, *MEAL_AID_REACH)
    if urban_idx.size:
        k = max(1, int(np.ceil(urban_idx.size / 8)))
        w = elderly[urban_idx] * meal_share[urban_idx]
        if w.sum() <= 0:
            w = elderly[urban_idx].astype(float)
        w = w / w.sum()
        for ci in rng.choice(urban_idx, size=min(k, int((w > 0).sum())), replace=False, p=w):
            req.add(int(ci), "meal_aid", _join(names[ci], _label(rng, "meal_aid", "urban")))
    # community living rooms: one per district with urban communities (a few only planned)
    planned_rooms: set[int] = set()
    for dist in sorted({d for d, k in zip(comms["district"], kind, strict=True) if k == "urban"}):
        members = np.flatnonzero((comms["district"].to_numpy() == dist) & (kind == "urban"))
        ci = int(members[rng.integers(len(members))])
        req.add(ci, "living_room", _join(names[ci], _label(rng, "living_room", "urban")))
        if rng.random() < 0.4:
            planned_rooms.add(len(req.rows) - 1)
    ci_arr = np.array([r[0] for r in req.rows], dtype=np.int64)
    keys = np.array([r[1] for r in req.rows], dtype=object)
    fnames = np.array([r[2] for r in req.rows], dtype=object)
    room_planned = np.zeros(len(req.rows), dtype=bool)
    room_planned[list(planned_rooms)] = True
    edges = _edges_by_community(comms, roads)
    pts = place(ci_arr, comms, roads, edges, obstacles, rng)
    zones = {k: z for k, z in gap_zones.items() if z is not None and not z.is_empty}
    keep = np.ones(len(pts), dtype=bool)
    for key, zone in zones.items():  # move out of the gap zones, or drop
        for i in np.flatnonzero((keys == key) & shapely.intersects(zone, pts)):
            pt = _place_clear(int(ci_arr[i]), comms, roads, edges, obstacles, zone, rng)
            keep[i] = pt is not None
            if pt is not None:
                pts[i] = pt
    ci_arr, keys, fnames = ci_arr[keep], keys[keep], fnames[keep]
    pts, room_planned = pts[keep], room_planned[keep]
    # planned coverage in the city
    centre = shapely.get_coordinates(shapely.point_on_surface(comms.geometry.values))
    add_ci: list[int] = []
    add_key: list[str] = []
    add_name: list[str] = []
    add_pt: list[BaseGeometry] = []
    for key, (radius, p) in URBAN_PLAN.items():
        sel = keys == key
        have = set(ci_arr[sel].tolist())
        xy = shapely.get_coordinates(pts[sel])
        zone = zones.get(key)
        for ci in rng.permutation(urban_idx):
            if len(xy) and np.hypot(*(xy - centre[ci]).T).min() <= radius:
                continue
            if rng.random() >= p * (meal_share[ci] if key == "meal_aid" else 1.0):
                continue
            pt = _place_clear(int(ci), comms, roads, edges, obstacles, zone, rng)
            if pt is None:
                continue
            name = _urban_name(rng, key, names[ci])
            if ci in have:  # a second one in the community: named after its quarter
                dx, dy = shapely.get_coordinates(pt)[0] - centre[ci]
                name += f"({_QUARTER[int((np.degrees(np.arctan2(dy, dx)) + 405) // 90) % 4]})"
            have.add(int(ci))
            xy = np.vstack([xy, shapely.get_coordinates(pt)])
            add_ci.append(int(ci))
            add_key.append(key)
            add_name.append(name)
            add_pt.append(pt)
    ci_arr = np.concatenate([ci_arr, np.array(add_ci, dtype=np.int64)])
    keys = np.concatenate([keys, np.array(add_key, dtype=object)])
    fnames = np.concatenate([fnames, np.array(add_name, dtype=object)])
    pts = np.concatenate([pts, np.array(add_pt, dtype=object)])
    room_planned = np.concatenate([room_planned, np.zeros(len(add_ci), dtype=bool)])
    status = np.where(rng.random(len(pts)) < 0.03, "planned", "existing").astype(object)
    status[room_planned] = "planned"
    area = np.full(len(pts), np.nan)
    cap = np.full(len(pts), np.nan)
    for key, (a, c) in SIZES.items():
        sel = keys == key
        if a is not None:
            area[sel] = np.round(rng.uniform(*a, int(sel.sum())))
        if c is not None:
            cap[sel] = rng.integers(c[0], c[1] + 1, int(sel.sum()))
    village_health = (keys == "health") & np.array(["卫生室" in f for f in fnames])
    area[village_health] = np.round(rng.uniform(60, 150, int(village_health.sum())))
    big = (keys == "health") & np.array([("中心" in f or "卫生院" in f) for f in fnames])
    area[big] = np.round(rng.uniform(1_500, 4_000, int(big.sum())))
    frame = gpd.GeoDataFrame({
        "fid": [f"F{i + 1:05d}" for i in range(len(pts))],
        "name": fnames.astype(str),
        "category": keys.astype(str),
        "floor_area_m2": area,
        "capacity": cap,
        "status": status.astype(str),
        "community": ci_arr,
    }, geometry=pts, crs=comms.crs)
    missing = set(profile.categories) - set(frame["category"])
    if missing:  # tiny regions: make sure every catalogue category appears at least once
        extra = sorted(missing)
        ci = np.array([int(urban_idx[0]) if urban_idx.size else 0] * len(extra))
        p = place(ci, comms, roads, edges, obstacles, rng)
        add = gpd.GeoDataFrame({
            "fid": [f"F{len(frame) + i + 1:05d}" for i in range(len(extra))],
            "name": [_join(names[c], profile.categories[k].name_zh)
                     for c, k in zip(ci, extra, strict=True)],
            "category": extra, "floor_area_m2": np.nan, "capacity": np.nan,
            "status": "existing", "community": ci}, geometry=p, crs=comms.crs)
        frame = gpd.GeoDataFrame(pd.concat([frame, add], ignore_index=True),
                                 geometry="geometry", crs=comms.crs)
    return frame


_IDLE_URBAN = ["原{hotel}宾馆", "{short}培训中心(闲置)", "原{township}办公用房",
               "原{short}小学闲置校舍"]
_IDLE_RURAL = ["原{township}政府办公用房", "原{short}小学(闲置校舍)", "原{township}粮站",
               "原{short}村部"]
_SITE_KIND = {"宾馆": "宾馆", "培训": "培训中心", "办公": "办公用房", "小学": "学校",
              "粮站": "粮站", "村部": "办公用房", "配套用房": "配套用房", "地块": "空地"}


def site_kind(name: str) -> str:
    """The 类型 of a candidate site, read from its name (宾馆, 培训中心, 空地 ...)."""
    return next((v for s, v in _SITE_KIND.items() if s in name), "其他")


def candidates(comms: gpd.GeoDataFrame, roads: gpd.GeoDataFrame, obstacles: BaseGeometry,
               gaps: dict[str, list[str]], rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Candidate sites: idle public buildings (priority 1) first, then ordinary sites."""
    n = len(comms)
    cid = comms["cid"].to_numpy()
    kind = comms["kind"].to_numpy()
    urban = np.flatnonzero(kind == "urban")
    rural = np.flatnonzero((kind == "rural") & ~comms["seat"].to_numpy())
    pos = {c: i for i, c in enumerate(cid)}
    eg = [pos[c] for c in gaps.get("elderly_care", [])]
    hg = [pos[c] for c in gaps.get("health", [])]
    rows: list[tuple[int, int]] = []   # (community index, priority)
    n_idle = max(6, round(0.1 * n))
    rows += [(c, 1) for c in eg[:2]] + [(c, 1) for c in hg[:1]]
    rows += [(c, 2) for c in eg[-1:]] + [(c, 3) for c in eg[:1]] + [(c, 2) for c in hg[-1:]]
    while sum(1 for _, p in rows if p == 1) < n_idle:
        pool = urban if (rng.random() < 0.6 and urban.size) or not rural.size else rural
        rows.append((int(rng.choice(pool)), 1))
    for p, k in ((2, max(5, round(0.08 * n))), (3, max(4, round(0.06 * n)))):
        for _ in range(k):
            pool = urban if (rng.random() < 0.7 and urban.size) or not rural.size else rural
            rows.append((int(rng.choice(pool)), p))
    ci = np.array([r[0] for r in rows], dtype=np.int64)
    pri = np.array([r[1] for r in rows], dtype=np.int64)
    names = []
    used: set[str] = set()
    for c, p in zip(ci, pri, strict=True):
        short = _names.short(comms["name"].iloc[c])
        town = comms["township"].iloc[c]
        if p == 1:
            pattern = (_IDLE_URBAN if kind[c] == "urban" else _IDLE_RURAL)[int(rng.integers(4))]
            name = pattern.format(hotel=_names.hotel(rng), short=short, township=town)
        elif p == 2:
            name = f"{short}{'社区' if kind[c] == 'urban' else '村'}配套用房"
        else:
            name = f"{short}{'东' if rng.random() < 0.5 else '西'}侧地块"
        base, j = name, 2
        while name in used:
            name, j = f"{base}{j}号", j + 1
        used.add(name)
        names.append(name)
    pts = place(ci, comms, roads, _edges_by_community(comms, roads), obstacles, rng)
    area = np.where(pri == 1, np.round(rng.uniform(400, 3_000, len(ci))),
                    np.round(rng.uniform(200, 1_500, len(ci))))
    return gpd.GeoDataFrame({
        "cand_id": [f"C{i + 1:04d}" for i in range(len(ci))],
        "name": names,
        "priority": pri,
        "is_idle_asset": pri == 1,
        "max_floor_area_m2": area.astype(float),
        "cost": np.where(pri == 1, 0.6, 1.0),
    }, geometry=pts, crs=comms.crs)


def elderly_gap(comms: gpd.GeoDataFrame, core_centre: tuple[float, float], factor: float,
                rng: np.random.Generator) -> list[int]:
    """Two or three touching urban communities of the main core, north-east of its centre."""
    core = np.flatnonzero((comms["town"].to_numpy() == 0) & (comms["kind"].to_numpy() == "urban"))
    if core.size < 6:
        return []
    c = comms.geometry.values[core]
    cen = shapely.centroid(c)
    target = shapely.Point(core_centre[0] + 1_000 * factor, core_centre[1] + 2_600 * factor)
    seed = int(core[np.argmin(shapely.distance(cen, target))])
    sg = comms.geometry.values[seed]
    touching = core[shapely.touches(c, sg) | shapely.overlaps(c, sg)]
    touching = touching[touching != seed]
    order = np.argsort(shapely.distance(shapely.centroid(comms.geometry.values[touching]),
                                        sg.centroid))
    chosen = [seed]
    area = sg.area
    for k in touching[order]:
        if len(chosen) >= 3 or area >= 1.6e6:
            break
        chosen.append(int(k))
        area += comms.geometry.values[k].area
    del rng
    return chosen


def health_gap(comms: gpd.GeoDataFrame, reach: float, island: BaseGeometry | None) -> list[int]:
    """Up to four villages ``reach`` + 300 m or more from every urban community."""
    kind = comms["kind"].to_numpy()
    villages = np.flatnonzero((kind == "rural") & ~comms["seat"].to_numpy())
    urban = comms.geometry.values[kind == "urban"]
    if villages.size == 0 or urban.size == 0:
        return []
    u = shapely.union_all(urban)
    g = comms.geometry.values[villages]
    d = shapely.distance(g, u)
    if island is not None:
        d[shapely.intersects(g, island)] = 0.0
    ok = d >= reach + 300
    if not ok.any():
        return []
    seed = int(np.argmax(np.where(ok, d, -1)))
    sc = g[seed].centroid
    near = np.flatnonzero(ok & (shapely.distance(shapely.centroid(g), sc) < 3_500))
    near = near[np.argsort(-d[near], kind="stable")]
    chosen = [seed, *[int(k) for k in near if k != seed][:3]]
    return [int(villages[k]) for k in chosen]


def unserved(comms: gpd.GeoDataFrame, facs: gpd.GeoDataFrame, key: str, reach: float,
             which: NDArray[np.bool_]) -> list[int]:
    """Communities (among ``which``) whose every point is farther than ``reach`` from ``key``."""
    pts = facs.geometry.values[(facs["category"] == key).to_numpy()
                               & (facs["status"] == "existing").to_numpy()]
    idx = np.flatnonzero(which)
    if pts.size == 0:
        return [int(i) for i in idx]
    tree = shapely.STRtree(pts)
    geoms = comms.geometry.values[idx]
    near = tree.query(geoms, predicate="dwithin", distance=reach)
    served = np.zeros(idx.size, dtype=bool)
    served[near[0]] = True
    return [int(i) for i in idx[~served]]
