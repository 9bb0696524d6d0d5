"""The HTML map (``map.html``) for community-service staff: one service's gaps at a time.

- One page, no server: Leaflet 1.9.4 and leaflet.fullscreen 3.0.0 (shipped in
  ``lifecircle/outputs/static``, BSD-2 / MIT, see the LICENSE files there) and the map
  application ``static/lifecircle-map.js`` are inlined; no CDN script, stylesheet, icon font
  or image is referenced. Base-map tiles are the only requests; offline, the project's own
  roads (drawn from the result) are the base.
- A service selector: "all services" colours communities by the share covered for every
  required service and shows every gap; choosing one service colours them by that
  service's coverage and shows only its gaps, its facilities and its circle's limit.
  "With proposed sites" recolours by the coverage after the proposed sites open
  (``communities_after``) and says what they add.
- Points are clustered by zoom (a screen grid; every point shows from
  :data:`ALL_POINTS_ZOOM`); proposed sites are numbered, drawn above everything in a colour
  no other layer uses, and listed in a panel that zooms to each. Community names show from
  :data:`LABEL_ZOOM` and a search box finds a community by name.
- Size: geometries are simplified in the working CRS (topology-preserving), service-area
  holes smaller than two blocks filled, coordinates rounded to :data:`DECIMALS` (about 1 m);
  the data is embedded once and popups are built in the browser, so a whole city stays a
  few MB. Nothing is dropped: every feature of every layer is in the file.
- Escaping: the embedded JSON escapes ``<``, ``>`` and ``&`` so no text can close the
  script; the application puts every data text into the page with ``textContent``.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from lifecircle import i18n
from lifecircle.errors import InputError, OutputError, notice
from lifecircle.outputs import styles

if TYPE_CHECKING:
    import folium

    from lifecircle.outputs import ResultLayers
    from lifecircle.profile import Profile

STATIC = Path(__file__).parent / "static"
#: The JSON document the map page reads (layers as GeoJSON-like lists, labels, legend).
MapData: TypeAlias = "dict[str, Any]"
#: Coordinate decimals in the map (5 = about 1 m).
DECIMALS = 5

BASEMAPS: dict[str, tuple[str, str, str]] = {
    # key: (url, attribution html, i18n key or literal name)
    "positron": ("https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
                 '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
                 'contributors &copy; <a href="https://carto.com/attributions">CARTO</a>',
                 "CARTO Positron (OpenStreetMap)"),
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
            "contributors", "OpenStreetMap"),
}

_CSS = """
.lc-box{background:rgba(255,255,255,.94);border-radius:4px;box-shadow:0 1px 5px rgba(0,0,0,.4);
  font:12px/1.4 sans-serif}
.lc-pop{font-size:13px;line-height:1.35;min-width:180px}
.lc-pop .lc-h{font-weight:bold;font-size:14px;margin-bottom:4px}
.lc-pop table{border-collapse:collapse}
.lc-pop th{text-align:left;font-weight:normal;color:#555;padding:1px 8px 1px 0;
  vertical-align:top;white-space:nowrap}
.lc-pop td{padding:1px 0}
.lc-pop .lc-sub{margin-top:6px;font-weight:bold}
.lc-pop .lc-bad,.lc-pop .lc-bad th{color:#b2182b}
.lc-pop .lc-selrow th,.lc-pop .lc-selrow td{font-weight:bold;background:#ffffcc}
.lc-icon{background:none;border:none}
.lc-rank{width:24px;height:24px;border-radius:50%;background:%(rank_bg)s;color:%(rank_fg)s;
  border:2px solid %(rank_ring)s;box-shadow:0 0 4px rgba(0,0,0,.8);
  font:bold 13px/24px sans-serif;text-align:center}
.lc-rank-s{display:inline-block;width:16px;height:16px;font-size:10px;line-height:16px;
  border-width:1px;flex:none}
.lc-cluster{border-radius:50%;background:rgba(255,255,255,.9);border:3px solid #555;
  font:bold 12px sans-serif;text-align:center;color:#222;box-sizing:border-box}
.lc-cluster-s{width:18px;height:18px;line-height:13px;font-size:9px;border-width:2px}
.lc-label{background:none;border:none;white-space:nowrap;font:12px sans-serif;color:#111;
  text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff;transform:translate(-50%,-50%)}
.lc-title{padding:5px 10px;max-width:320px}
.lc-title .lc-h{font-weight:bold;font-size:15px;margin-bottom:4px}
.lc-title label{display:flex;align-items:center;gap:6px;margin-top:3px}
.lc-title select{font-size:13px;max-width:220px}
.lc-search{padding:3px}
.lc-search input{width:170px;font-size:13px;padding:3px 5px;border:1px solid #aaa;border-radius:3px}
.lc-search input.lc-nohit{border-color:#b2182b;background:#fff0f0}
.lc-sites{padding:4px 8px;max-width:300px}
.lc-sites summary,.lc-legend summary{font-weight:bold;cursor:pointer}
.lc-sites ol{list-style:none;margin:4px 0 0;padding:0;max-height:30vh;overflow:auto}
.lc-sites button{display:flex;gap:6px;align-items:center;width:100%;background:none;border:0;
  padding:2px 0;cursor:pointer;text-align:left;font:12px sans-serif}
.lc-sites button:hover{background:#eee}
.lc-sites .lc-gain{margin-top:3px;color:#333;max-width:280px}
.lc-legend{padding:5px 8px;max-width:330px}
.lc-legend .lc-sec{margin-top:4px;font-weight:bold}
.lc-legend .lc-row{display:flex;align-items:center;gap:5px;white-space:nowrap;min-height:17px}
.lc-legend .lc-sw{display:inline-flex;width:18px;height:14px;align-items:center;
  justify-content:center;flex:none}
.lc-legend .lc-sw i{display:inline-block;width:16px;height:11px;border:1px solid #555}
.lc-legend .lc-sw i.lc-road{height:0;border:0;border-top:2px solid %(road)s}
.lc-legend .lc-ramp{display:grid;grid-template-columns:1fr 1fr;column-gap:8px}
.lc-legend .lc-cats{display:grid;grid-template-columns:1fr 1fr;column-gap:8px}
.lc-legend .lc-cats svg{width:14px;height:14px}
"""


# ------------------------------------------------------------------ assets
@cache
def _asset(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def _data_uri(name: str, mime: str) -> str:
    data = base64.b64encode((STATIC / name).read_bytes()).decode("ascii")
    return f"data:{mime};base64,{data}"


def _script_safe(js: str) -> str:
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    return js.replace("</script", "<\\/script")


def _inline_assets() -> str:
    """Leaflet + fullscreen plugin JS/CSS as inline ``<style>``/``<script>`` elements."""
    leaflet_css = _asset("leaflet.css")
    for img in ("layers.png", "layers-2x.png", "marker-icon.png"):
        leaflet_css = leaflet_css.replace(f"url(images/{img})",
                                          f"url({_data_uri('images/' + img, 'image/png')})")
    fs_css = _asset("Control.FullScreen.css").replace(
        "url(icon-fullscreen.svg)", f"url({_data_uri('icon-fullscreen.svg', 'image/svg+xml')})")
    css = (_CSS.replace("%(rank_bg)s", styles.PROPOSED.color)
           .replace("%(rank_fg)s", styles.PROPOSED_LABEL_COLOR)
           .replace("%(rank_ring)s", styles.PROPOSED.stroke)
           .replace("%(road)s", styles.ROAD_MAJOR_COLOR))
    return (f"<style>{leaflet_css}</style>\n<style>{fs_css}</style>\n<style>{css}</style>\n"
            f"<script>{_script_safe(_asset('leaflet.js'))}</script>\n"
            f"<script>{_script_safe(_asset('Control.FullScreen.js'))}</script>\n"
            f"<script>{_script_safe(_asset('lifecircle-map.js'))}</script>\n")


# ------------------------------------------------------------------ formatting
def _esc(v: Any) -> str:
    return html.escape(str(v), quote=True)


def _isnan(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float):  # Python and numpy floats: the common case, 30x faster
        return v != v
    if isinstance(v, (str, int)):  # never NaN (bool is an int); numpy would raise first
        return False
    try:
        return bool(np.isnan(v))
    except (TypeError, ValueError):
        try:
            import pandas as pd

            return bool(pd.isna(v))
        except (TypeError, ValueError):
            return False


def fmt_pct(v: Any, lang: str = "zh") -> str:
    """A share 0..1 as ``60.0%``, rounded down (:func:`styles.floor_share`: a share below a
    class edge never shows as the edge), ``无数据``/``no data`` for NaN."""
    f = None if _isnan(v) else styles.floor_share(v, 3)
    return i18n.t("legend.nodata", lang) if f is None else f"{100 * f:.1f}%"


def fmt_num(v: Any, lang: str = "zh", decimals: int = 0) -> str:
    """A number with thousands separators (``无数据``/``no data`` for NaN)."""
    return i18n.t("legend.nodata", lang) if _isnan(v) else f"{float(v):,.{decimals}f}"


def fmt_bool(v: Any, lang: str = "zh") -> str:
    """``是``/``否`` (``yes``/``no``); NA gives ``无数据``/``no data``."""
    if _isnan(v):
        return i18n.t("legend.nodata", lang)
    return i18n.t("yes" if bool(v) else "no", lang)


def split_keys(v: Any) -> list[str]:
    """A list-like cell (list, tuple, or text separated by , ; 、 |) as a list of strings."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return []
    if isinstance(v, (list, tuple, set, frozenset, np.ndarray)):
        return [str(x) for x in v if x is not None and str(x) != ""]
    return [p.strip() for p in re.split(r"[,;，；、|]", str(v)) if p.strip()]


def category_names(v: Any, profile: Profile, lang: str = "zh") -> str:
    """Category keys in a cell, as their display names joined with ``、`` / ``, ``."""
    return i18n.t("sep.list", lang).join(i18n.category_name(k, profile, lang)
                                         for k in split_keys(v))


# ------------------------------------------------------------------ geometry
#: Holes of service areas smaller than this are filled on the map (about two city blocks).
SERVICE_AREA_MIN_HOLE_M2 = 40_000.0
#: Zoom from which every point shows on its own (below it, points are clustered).
ALL_POINTS_ZOOM = 16
#: Zoom from which community names are written on the map.
LABEL_ZOOM = 14
#: Zoom from which minor roads are drawn.
MINOR_ROAD_ZOOM = 14
#: Road classes drawn as major roads (the rest are minor).
MAJOR_ROADS = frozenset({"motorway", "trunk", "primary", "secondary", "tertiary"})
#: Shares at or above this count as "every resident covered" (the top coverage class).
FULL_SHARE = styles.FULL_SHARE


def _drop_small_holes(geoms: Any, min_area: float) -> Any:
    """``geoms`` (an array) without the interior rings smaller than ``min_area`` (display
    only); geometries that lose no hole are returned as they are, the others rebuilt in
    one pass over all rings (a polygon stays a polygon, a multipolygon of one part becomes
    its polygon)."""
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    out = geoms.copy()
    areal = np.flatnonzero(np.isin(shapely.get_type_id(geoms), (3, 6))
                           & ~shapely.is_empty(geoms))
    if len(areal) == 0:
        return out
    parts, part_geom = shapely.get_parts(geoms[areal], return_index=True)
    full = ~shapely.is_empty(parts)
    parts, part_geom = parts[full], part_geom[full]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    shell = np.ones(len(rings), dtype=bool)
    shell[1:] = ring_part[1:] != ring_part[:-1]
    keep = shell.copy()
    keep[~shell] = shapely.area(shapely.polygons(rings[~shell])) >= min_area
    changed = np.unique(part_geom[ring_part[~keep]])  # positions in ``areal``
    if len(changed) == 0:
        return out
    rebuild = np.isin(part_geom[ring_part], changed) & keep
    _, new_part = np.unique(ring_part[rebuild], return_inverse=True)
    polys = shapely.polygons(rings[rebuild], indices=new_part)
    poly_geom = part_geom[np.unique(ring_part[rebuild])]
    _, new_geom = np.unique(poly_geom, return_inverse=True)
    multi = shapely.multipolygons(polys, indices=new_geom)
    single = np.bincount(new_geom) == 1
    multi[single] = shapely.get_geometry(multi[single], 0)
    out[areal[changed]] = multi
    return out


def _to_wgs84(frame: Any, name: str, geoms: Any = None) -> Any:
    """Geometries of ``frame`` (or ``geoms`` in its CRS) in EPSG:4326, coordinates rounded."""
    import geopandas as gpd
    import shapely

    if frame.crs is None:
        raise notice(InputError, "err.out.no_crs", layer=repr(name))
    if geoms is None:
        geoms = np.asarray(frame.geometry.values, dtype=object)
    gs = gpd.GeoSeries(geoms, crs=frame.crs).to_crs(4326)
    arr = np.asarray(gs.values, dtype=object)
    coords = shapely.get_coordinates(arr)
    return shapely.set_coordinates(arr.copy(), np.round(coords, DECIMALS))


def _geojson(frame: Any, simplify_m: float, name: str, *, min_hole_m2: float = 0.0,
             keep_topology: bool = True) -> list[Any]:
    """Geometries of ``frame`` simplified, in EPSG:4326, as GeoJSON dicts (None if empty).

    Holes smaller than ``min_hole_m2`` are filled (service areas: the blocks between
    reached streets would otherwise dominate the file size). Simplification keeps
    topology by default, so no feature disappears; ``keep_topology=False`` (service areas:
    a few huge polygons, 30x faster) may lose only parts narrower than the tolerance.
    Geometries are encoded by :func:`_encode_all`.
    """
    import shapely

    geoms = np.asarray(frame.geometry.values, dtype=object)
    if min_hole_m2 > 0 and frame.crs is not None and frame.crs.is_projected:
        geoms = _drop_small_holes(geoms, min_hole_m2)
    if simplify_m > 0 and frame.crs is not None and frame.crs.is_projected:
        poly = shapely.get_type_id(geoms) >= 1  # lines and polygons, not points
        if poly.any():
            geoms = geoms.copy()
            simple = shapely.simplify(geoms[poly], simplify_m, preserve_topology=keep_topology)
            # a shape the simplification emptied keeps its own outline
            gone = shapely.is_empty(simple)
            simple[gone] = geoms[poly][gone]
            geoms[poly] = simple
    return _encode_all(_to_wgs84(frame, name, geoms))


def _encode_paths(paths: Any) -> tuple[list[list[int]], Any]:
    """Every ring or line of ``paths`` as integers of 10^-DECIMALS degrees, the first
    coordinate absolute, then deltas (``[x0, y0, dx1, dy1, ...]``: a third of the size of
    plain GeoJSON numbers), in one numpy pass over all coordinates; also the number of
    coordinates of each."""
    import shapely

    coords, which = shapely.get_coordinates(paths, return_index=True)
    counts = np.bincount(which, minlength=len(paths))
    q = np.round(coords * 10**DECIMALS).astype(np.int64)
    d = q.copy()
    d[1:] -= q[:-1]
    starts = np.concatenate(([0], np.cumsum(counts)))
    first = starts[:-1][counts > 0]
    d[first] = q[first]
    flat = d.ravel().tolist()
    bounds = (2 * starts).tolist()
    return [flat[a:b] for a, b in pairwise(bounds)], counts


def _encode_all(geoms: Any) -> list[list[Any] | None]:
    """Every geometry of ``geoms`` as ``[type, parts]`` for the map (decoded in the browser):
    type 2 line (parts: lines), 3 polygon (parts: polygons of rings), None when empty; a
    collection gives its areal parts. The rings and lines of all geometries are encoded
    together by :func:`_encode_paths`."""
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    types = shapely.get_type_id(geoms)
    if (types == 7).any():  # collections (e.g. from a display simplification): areal parts
        geoms = geoms.copy()
        for j in np.flatnonzero(types == 7):
            areal = [p for g in geoms[j].geoms if shapely.get_type_id(g) in (3, 6)
                     for p in getattr(g, "geoms", [g])]
            geoms[j] = shapely.MultiPolygon(areal) if areal else None
        types = shapely.get_type_id(geoms)
    out: list[list[Any] | None] = [None] * len(geoms)
    full = ~shapely.is_empty(geoms) & (types >= 0)
    for kind, code in (((3, 6), 3), ((1, 5), 2)):
        sel = np.flatnonzero(np.isin(types, kind) & full)
        if len(sel) == 0:
            continue
        parts, part_geom = shapely.get_parts(geoms[sel], return_index=True)
        if code == 3:
            ok = ~shapely.is_empty(parts)
            parts, part_geom = parts[ok], part_geom[ok]
            rings, ring_part = shapely.get_rings(parts, return_index=True)
            enc, _ = _encode_paths(rings)
            rs = np.searchsorted(ring_part, np.arange(len(parts) + 1)).tolist()
            items: list[Any] = [enc[a:b] for a, b in pairwise(rs)]
        else:
            items, counts = _encode_paths(parts)
            ok = counts >= 2
            if not ok.all():
                items = [e for e, k in zip(items, ok.tolist(), strict=True) if k]
                part_geom = part_geom[ok]
        ps = np.searchsorted(part_geom, np.arange(len(sel) + 1)).tolist()
        for k, i in enumerate(sel.tolist()):
            out[i] = [code, items[ps[k]:ps[k + 1]]]
    return out


def _latlon(frame: Any, name: str) -> list[tuple[float, float]]:
    """Point coordinates (interior points of polygons) as rounded (lat, lon)."""
    import shapely

    geoms = np.asarray(frame.geometry.values, dtype=object)
    pts = shapely.point_on_surface(geoms)
    arr = _to_wgs84(frame, name, pts)
    xy = shapely.get_coordinates(arr)
    return [(float(y), float(x)) for x, y in xy]


def _num_or_none(v: Any, decimals: int | None = None) -> float | int | None:
    if _isnan(v):
        return None
    f = float(v)
    if not math.isfinite(f):
        return None
    if decimals is None:
        return f
    r = round(f, decimals)
    return int(r) if decimals == 0 else r


def _script_json(data: Any) -> str:
    """JSON safe inside ``<script>``: no ``</script``, ``<!--`` or entity can be formed."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ------------------------------------------------------------------ the map's data
def _records(frame: Any) -> list[dict[str, Any]]:
    geom = getattr(frame, "_geometry_column_name", None)
    return frame[[c for c in frame.columns if c != geom]].to_dict("records")


def _get(row: Mapping[str, Any], key: str, default: Any = None) -> Any:
    v = row.get(key, default)
    return default if v is None else v


def _circle_name(circle: Any, lang: str) -> str:
    return str(circle.name(lang)) if hasattr(circle, "name") else str(circle.key)


def _services(profile: Profile, comm: Any, fac: Any, lang: str) -> list[dict[str, Any]]:
    """The services the selector offers, in catalogue order, with their display style."""
    circles = getattr(profile, "circles", {}) or {}
    kinds = set(comm["kind"].astype(str)) if comm is not None and "kind" in comm else set(circles)
    required: dict[str, list[Any]] = {}
    for ckey, circle in circles.items():
        if ckey not in kinds:
            continue
        for k in profile.required(ckey):
            required.setdefault(k, []).append(circle)
    fac_keys = set(fac["category"].astype(str)) if fac is not None else set()
    keys = styles.ordered_categories(list(required) + sorted(fac_keys),
                                     list(getattr(profile, "categories", {})))
    out = []
    for k in keys:
        st = styles.category_style(k)
        lim = i18n.t("sep.alt", lang).join(
            i18n.t("legend.limit", lang, minutes=f"{c.minutes:g}",
                   circle=i18n.value_label("kind", c.key, lang) or _circle_name(c, lang))
            for c in required.get(k, []))
        out.append({"k": k, "n": i18n.category_name(k, profile, lang), "c": st.color,
                    "icon": styles.marker_svg(st), "px": round(st.size_px + 2, 1),
                    "req": k in required, "has_fac": k in fac_keys, "lim": lim})
    return out


def _community_data(comm: Any, after: Any, profile: Profile, lang: str, simplify_m: float
                    ) -> dict[str, Any]:
    geoms = _geojson(comm, simplify_m, "communities")
    label_at = _latlon(comm, "communities")
    cov_cols = [c for c in comm.columns if c.startswith("cov_") and c != "cov_all"]
    after_by_cid: dict[str, dict[str, Any]] = {}
    if after is not None and "cid" in after.columns:
        after_by_cid = {str(r["cid"]): r for r in after.to_dict("records")}
    feats = []
    for g, lp, row in zip(geoms, label_at, _records(comm), strict=True):
        if g is None:
            continue
        kind = _get(row, "kind", "")
        cid = str(_get(row, "cid", ""))
        p: dict[str, Any] = {
            "n": str(_get(row, "name", cid)), "c": cid,
            "k": i18n.value_label("kind", kind, lang) or str(kind),
            "d": str(_get(row, "district", "")), "tw": str(_get(row, "township", "")),
            "p": _num_or_none(row.get("population"), 0),
            "h": _num_or_none(row.get("households"), 0),
            "cm": _num_or_none(row.get("circle_min"), 1),
            "w": _num_or_none(row.get("worst_min"), 1),
            "a": styles.share_value(row.get("cov_all")),
            "v": {c[4:]: styles.share_value(row.get(c)) for c in cov_cols
                  if not _isnan(row.get(c))},
            "m": split_keys(row.get("missing")),
            "lp": [lp[0], lp[1]],
            "x": _more_rows(row, profile, lang),
        }
        ar = after_by_cid.get(cid)
        if ar is not None:
            p["aa"] = styles.share_value(ar.get("cov_all"))
            # only the services the proposed sites change (the page falls back to "v")
            va = {k: styles.share_value(ar.get(f"cov_{k}")) for k in p["v"]
                  if f"cov_{k}" in ar}
            p["va"] = {k: x for k, x in va.items() if x != p["v"][k]}
        feats.append({"type": "Feature", "geometry": g, "properties": p})
    return {"type": "FeatureCollection", "features": feats}


def _service_area_data(frame: Any, profile: Profile, idx: Mapping[str, int], lang: str,
                       simplify_m: float) -> dict[str, Any]:
    circles = getattr(profile, "circles", {}) or {}
    if {"circle", "minutes"} <= set(frame.columns) and circles:
        # the map shows each circle's own limit; the inner rings stay in the GeoPackage
        limit = frame["circle"].map(lambda c: getattr(circles.get(c), "minutes", np.nan))
        frame = frame[(frame["minutes"] == limit) | limit.isna()]
    geoms = _geojson(frame, simplify_m, "service_areas", min_hole_m2=SERVICE_AREA_MIN_HOLE_M2,
                     keep_topology=False)
    feats = []
    for g, r in zip(geoms, _records(frame), strict=True):
        key = str(_get(r, "category", ""))
        if g is None or key not in idx:
            continue
        feats.append({"type": "Feature", "geometry": g,
                      "properties": {"s": idx[key], "m": _num_or_none(r.get("minutes"), 1)}})
    return {"type": "FeatureCollection", "features": feats}


def _gap_data(frame: Any, profile: Profile, idx: Mapping[str, int], lang: str,
              simplify_m: float) -> dict[str, Any]:
    circles = getattr(profile, "circles", {}) or {}
    geoms = _geojson(frame, simplify_m, "gaps")
    feats = []
    for g, r in zip(geoms, _records(frame), strict=True):
        key = str(_get(r, "category", ""))
        if g is None or key not in idx:
            continue
        circle = circles.get(str(_get(r, "circle", "")))
        feats.append({"type": "Feature", "geometry": g, "properties": {
            "s": idx[key], "p": _num_or_none(r.get("population"), 0),
            "h": _num_or_none(r.get("households"), 0),
            "np": _num_or_none(r.get("n_points"), 0),
            "c": _circle_name(circle, lang) if circle is not None else ""}})
    return {"type": "FeatureCollection", "features": feats}


def _more_rows(row: Mapping[str, Any], profile: Profile | None, lang: str) -> list[list[Any]]:
    """Popup rows ``[label, text, bad]`` of supply and load, target groups and scenarios,
    where present (shown as plain text by the page)."""
    out: list[list[Any]] = []
    for col, value in row.items():
        col = str(col)
        if col.startswith(("scn_", "gcov_")):
            kind = "pct"
        elif col.startswith(("sup_", "esup_")) or col == "ratio":
            kind = "ratio"
        elif col in ("capacity", "load"):
            kind = "num"
        elif col == "over_capacity":
            kind = "bool"
        else:
            continue
        if _isnan(value):
            continue
        label = i18n.field_label(col, profile, lang)
        if kind == "pct":
            out.append([label, fmt_pct(value, lang), False])
        elif kind == "ratio":
            out.append([label, fmt_num(value, lang, 1), False])
        elif kind == "num":
            out.append([label, fmt_num(value, lang), False])
        else:
            out.append([label, fmt_bool(value, lang), bool(value)])
    return out


def _facility_data(frame: Any, idx: Mapping[str, int], lang: str) -> list[list[Any]]:
    out = []
    for (lat, lon), r in zip(_latlon(frame, "facilities"), _records(frame), strict=True):
        key = str(_get(r, "category", ""))
        if key not in idx:
            continue
        status = _get(r, "status", "")
        snapped = r.get("snapped")
        out.append([lat, lon, idx[key], str(_get(r, "name", _get(r, "fid", ""))),
                    i18n.value_label("status", status, lang) or str(status),
                    None if _isnan(snapped) else bool(snapped),
                    _num_or_none(r.get("access_m"), 0), _more_rows(r, None, lang)])
    return out


def _over_data(frame: Any, idx: Mapping[str, int], profile: Profile, lang: str
               ) -> list[list[Any]]:
    """Facilities over capacity: ``[lat, lon, service index (-1: none), name, popup rows]``
    (the rows as :func:`_more_rows`, led by the category and the load / capacity)."""
    out = []
    for (lat, lon), r in zip(_latlon(frame, "over_capacity"), _records(frame), strict=True):
        key = str(_get(r, "category", ""))
        rows: list[list[Any]] = [[i18n.field_label("category", profile, lang),
                                  i18n.category_name(key, profile, lang), False]]
        if not _isnan(r.get("utilisation")):
            rows.append([i18n.field_label("utilisation", profile, lang),
                         fmt_pct(r.get("utilisation"), lang), True])
        for col in ("capacity", "load"):
            if not _isnan(r.get(col)):
                rows.append([i18n.field_label(col, profile, lang), fmt_num(r.get(col), lang),
                             False])
        basis = _get(r, "load_of", "")
        if basis:
            group = getattr(profile, "groups", {}).get(str(basis))
            rows.append([i18n.field_label("load_of", profile, lang),
                         group.name(lang) if group is not None
                         else i18n.field_label(str(basis), profile, lang), False])
        out.append([lat, lon, idx.get(key, -1), str(_get(r, "name", _get(r, "fid", ""))),
                    rows])
    return out


def _candidate_data(frame: Any) -> list[list[Any]]:
    return [[lat, lon, str(_get(r, "name", _get(r, "cand_id", ""))),
             _num_or_none(r.get("priority"), 0),
             False if _isnan(r.get("is_idle_asset")) else bool(r.get("is_idle_asset"))]
            for (lat, lon), r in zip(_latlon(frame, "candidates"), _records(frame), strict=True)]


def _proposed_data(frame: Any, comm: Any, profile: Profile, lang: str) -> list[dict[str, Any]]:
    if "rank" in frame.columns:
        frame = frame.sort_values("rank")
    names: dict[str, str] = {}
    if comm is not None and "cid" in comm.columns and "name" in comm.columns:
        names = dict(zip(comm["cid"].astype(str), comm["name"].astype(str), strict=True))
    sep = i18n.t("sep.list", lang)
    out = []
    for i, ((lat, lon), r) in enumerate(zip(_latlon(frame, "proposed_sites"), _records(frame),
                                             strict=True)):
        rank = r.get("rank")
        comms = sep.join(f"{names[c]} ({c})" if c in names else c
                         for c in split_keys(r.get("communities")))
        out.append({"r": i + 1 if rank is None or _isnan(rank) else int(rank),
                    "lat": lat, "lon": lon,
                    "n": str(_get(r, "name", _get(r, "cand_id", ""))),
                    "cats": category_names(r.get("categories"), profile, lang),
                    "np": _num_or_none(r.get("new_population"), 0), "comms": comms,
                    "idle": False if _isnan(r.get("is_idle_asset"))
                    else bool(r.get("is_idle_asset")),
                    "road": _num_or_none(r.get("nearest_road_m"), 0)})
    return out


def _road_data(frame: Any, simplify_m: float) -> dict[str, Any]:
    """Roads as two features, major and minor (``w`` 0/1), simplified for display."""
    import shapely

    feats = []
    cls = frame["road_class"].astype(str) if "road_class" in frame.columns else None
    major = (cls.isin(MAJOR_ROADS).to_numpy() if cls is not None
             else np.ones(len(frame), dtype=bool))
    for w, sel in ((0, major), (1, ~major)):
        if not sel.any():
            continue
        part = frame[sel]
        geoms = np.asarray(part.geometry.values, dtype=object)
        if simplify_m > 0 and part.crs is not None and part.crs.is_projected:
            geoms = shapely.simplify(geoms, simplify_m, preserve_topology=True)
        lines = [line for enc in _encode_all(_to_wgs84(part, "roads", geoms))
                 if enc is not None for line in enc[1]]
        feats.append({"type": "Feature", "properties": {"w": w}, "geometry": [2, lines]})
    return {"type": "FeatureCollection", "features": feats}


def _weighted(frame: Any, col: str) -> float:
    if frame is None or col not in frame.columns or "population" not in frame.columns:
        return math.nan
    v = frame[col].astype(float).to_numpy()
    w = frame["population"].astype(float).to_numpy()
    ok = np.isfinite(v) & np.isfinite(w) & (w > 0)
    return float((v[ok] * w[ok]).sum() / w[ok].sum()) if ok.any() else math.nan


def _gain_text(comm: Any, after: Any, prop: Any, lang: str) -> str:
    """One sentence on what the proposed sites add (newly covered people, cov_all)."""
    if prop is None or len(prop) == 0:
        return ""
    new = float(prop["new_population"].sum()) if "new_population" in prop.columns else math.nan
    text = i18n.t("map.gain_people", lang, n=len(prop), value=fmt_num(new, lang))
    if after is not None and comm is not None and "cov_all" in after.columns:
        merged = comm[["cid", "population"]].merge(after[["cid", "cov_all"]], on="cid")
        before, aft = _weighted(comm, "cov_all"), _weighted(merged, "cov_all")
        if not (math.isnan(before) or math.isnan(aft)):
            text += i18n.t("map.gain_all", lang, before=fmt_pct(before, lang),
                           after=fmt_pct(aft, lang))
    return text


def _ui_text(profile: Profile, lang: str) -> dict[str, str]:
    """The application's labels in ``lang`` (the JS never holds a sentence of its own)."""
    keys = ["legend.nodata", "legend.title", "legend.coverage", "legend.coverage_of",
            "legend.after", "legend.facilities_one", "legend.service_area_of",
            "legend.cluster", "legend.gap", "legend.gap_one", "legend.proposed",
            "legend.candidate", "legend.over_capacity", "layer.over_capacity",
            "layer.coverage", "layer.roads", "layer.service_area_sel",
            "layer.gaps", "layer.facilities", "layer.candidates", "layer.proposed_sites",
            "layer.labels", "layer.nobasemap", "map.service", "map.all_services",
            "map.with_sites", "map.search", "map.zoom_in", "map.zoom_out",
            "popup.coverage", "popup.partial",
            "popup.missing", "popup.rank", "minutes", "people", "yes", "no", "none"]
    text = {k: i18n.t(k, lang) for k in keys}
    # placeholders stay for the browser to fill
    for k in ("legend.coverage_of", "legend.service_area_of", "popup.rank", "minutes",
              "people"):
        text[k] = i18n.t(k, lang)  # no values: the placeholders stay
    for f in ("kind", "district", "township", "population", "households", "circle_min",
              "cov_all", "worst_min", "category", "status", "snapped", "access_m", "priority",
              "is_idle_asset", "name", "categories", "new_population", "nearest_road_m",
              "n_points", "circle"):
        text[f"f.{f}"] = i18n.field_label(f, profile, lang)
    text["f.site_communities"] = i18n.field_label("communities", profile, lang,
                                                  layer="proposed_sites")
    text["f.gap_population"] = i18n.field_label("population", profile, lang, layer="gaps")
    text["f.gap_households"] = i18n.field_label("households", profile, lang, layer="gaps")
    text["sep"] = i18n.t("sep.list", lang)
    text["colon"] = i18n.t("sep.colon", lang)
    return text


def _gap_swatch() -> str:
    g = styles.GAP
    return (f'<svg width="16" height="12" viewBox="0 0 16 12"><rect x="0.5" y="0.5" width="15" '
            f'height="11" fill="url(#lc-hatch)" stroke="{g.stroke}" stroke-dasharray="3 2"/>'
            "</svg>")


def _hatch_defs() -> str:
    g = styles.GAP
    return ('<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
            '<pattern id="lc-hatch" patternUnits="userSpaceOnUse" width="8" height="8" '
            'patternTransform="rotate(45)">'
            f'<rect width="8" height="8" fill="{g.fill}" fill-opacity="{g.fill_opacity}"/>'
            f'<line x1="0" y1="0" x2="0" y2="8" stroke="{g.stroke}" stroke-width="2.5" '
            'stroke-opacity="0.8"/></pattern></defs></svg>')


def map_data(layers: ResultLayers, profile: Profile, *, lang: str = "zh",
             title: str | None = None, basemap: str | None = "positron",
             simplify_m: float = 3.0, simplify_service_areas_m: float = 30.0,
             simplify_roads_m: float = 8.0, service_area_shown: str | None = None
             ) -> MapData:
    """Everything the map application shows, as one JSON-ready dict (see :func:`build`)."""
    i18n.check_lang(lang)
    if basemap is not None and basemap not in BASEMAPS:
        raise notice(InputError, "err.map.basemap", value=repr(basemap),
                     known=i18n.items(BASEMAPS))
    comm = _nonempty(layers, "communities")
    fac = _nonempty(layers, "facilities")
    sa = _nonempty(layers, "service_areas")
    gaps = _nonempty(layers, "gaps")
    cand = _nonempty(layers, "candidates")
    over = _nonempty(layers, "over_capacity")
    prop = _nonempty(layers, "proposed_sites")
    roads = _nonempty(layers, "roads")
    after = _nonempty(layers, "communities_after")
    for name, f in (("communities", comm), ("facilities", fac), ("service_areas", sa),
                    ("gaps", gaps), ("candidates", cand), ("proposed_sites", prop),
                    ("roads", roads), ("over_capacity", over)):
        if f is not None and f.crs is None:
            raise notice(InputError, "err.out.no_crs", layer=repr(name))

    svc = _services(profile, comm, fac, lang)
    idx = {s["k"]: i for i, s in enumerate(svc)}
    sel = service_area_shown
    if sel is None and prop is not None and "categories" in prop.columns:
        first = split_keys(prop.sort_values("rank")["categories"].iloc[0]
                           if "rank" in prop.columns else prop["categories"].iloc[0])
        sel = first[0] if first else None
    if sel not in idx or not svc[idx[sel]]["req"]:
        sel = ""
    order = [basemap] if basemap else []
    order += [k for k in BASEMAPS if k not in order]
    tiles = [{"url": BASEMAPS[k][0], "attr": BASEMAPS[k][1], "name": BASEMAPS[k][2]}
             for k in order]
    cov = [{"lo": c.lower, "hi": c.upper, "color": c.color, "label": i18n.t(c.label_key, lang)}
           for c in styles.COVERAGE_CLASSES]
    cand_st = styles.CANDIDATE
    return _intern_labels({
        "T": _ui_text(profile, lang), "title": title or i18n.t("map.title", lang),
        "tiles": tiles, "tile_shown": basemap is not None,
        "cov": cov, "nodata": styles.NO_DATA_COLOR, "full": FULL_SHARE, "decimals": DECIMALS,
        "comm_opacity": styles.COMMUNITY.fill_opacity, "comm_stroke": styles.COMMUNITY.stroke,
        "sa_opacity": styles.SERVICE_AREA_FILL_OPACITY, "gap_stroke": styles.GAP.stroke,
        "gap_swatch": _gap_swatch(), "road_colors": [styles.ROAD_MAJOR_COLOR,
                                                     styles.ROAD_MINOR_COLOR],
        "cand_icon": styles.marker_svg(cand_st), "cand_px": round(cand_st.size_px + 2, 1),
        "cand_color": cand_st.color, "svc": svc, "sel": sel,
        "label_zoom": LABEL_ZOOM, "all_points_zoom": ALL_POINTS_ZOOM,
        "minor_road_zoom": MINOR_ROAD_ZOOM,
        "bounds": _bounds([comm, fac, sa, gaps, prop]),
        "comm": (_community_data(comm, after, profile, lang, simplify_m) if comm is not None
                 else {"type": "FeatureCollection", "features": []}),
        "roads": (_road_data(roads, simplify_roads_m) if roads is not None
                  else {"type": "FeatureCollection", "features": []}),
        "sa": (_service_area_data(sa, profile, idx, lang, simplify_service_areas_m)
               if sa is not None else {"type": "FeatureCollection", "features": []}),
        "gap": (_gap_data(gaps, profile, idx, lang, simplify_m) if gaps is not None
                else {"type": "FeatureCollection", "features": []}),
        "fac": _facility_data(fac, idx, lang) if fac is not None else [],
        "cand": _candidate_data(cand) if cand is not None else [],
        "over": _over_data(over, idx, profile, lang) if over is not None else [],
        "over_icon": styles.marker_svg(styles.OVER_CAPACITY),
        "over_px": round(styles.OVER_CAPACITY.size_px + 2, 1),
        "over_swatch": styles.marker_svg(styles.OVER_CAPACITY, size_px=16),
        "prop": _proposed_data(prop, comm, profile, lang) if prop is not None else [],
        "has_after": after is not None and prop is not None,
        "gain": _gain_text(comm, after, prop, lang),
    })


def _intern_labels(data: MapData) -> MapData:
    """Popup row labels stored once: each ``[label, value, flag]`` row of the communities'
    extra rows (``x``), the facilities' and the over-capacity rings' rows gets the index of
    its label in ``data["rl"]`` instead of the text (the same dozen labels repeat on every
    one of thousands of features; the page resolves the index in ``popupTable``), and a
    ``false`` flag is left out."""
    labels: dict[str, int] = {}

    def intern(rows: list[list[Any]] | None) -> None:
        for r in rows or ():
            if r and isinstance(r[0], str):
                r[0] = labels.setdefault(r[0], len(labels))
            if len(r) == 3 and r[2] is False:
                del r[2]  # the page reads a missing flag as "not bad"

    for f in data["comm"]["features"]:
        intern(f["properties"].get("x"))
    for pt in data["fac"]:
        if len(pt) > 7:
            intern(pt[7])
    for o in data["over"]:
        if len(o) > 4:
            intern(o[4])
    data["rl"] = list(labels)
    return data


def _bounds(frames: Iterable[Any]) -> list[list[float]] | None:
    import shapely

    from lifecircle.geo.crs import transformer

    boxes = []
    for f in frames:
        if f is None or len(f) == 0 or f.crs is None:
            continue
        # the vertices in EPSG:4326 (as GeoSeries.to_crs transforms them), without
        # building the reprojected geometries
        xy = shapely.get_coordinates(np.asarray(f.geometry.values, dtype=object))
        if len(xy) == 0:
            continue
        x, y = transformer(f.crs, 4326).transform(xy[:, 0], xy[:, 1])
        b = np.array([np.nanmin(x), np.nanmin(y), np.nanmax(x), np.nanmax(y)])
        if np.all(np.isfinite(b)):
            boxes.append(b)
    if not boxes:
        return None
    a = np.array(boxes)
    return [[float(a[:, 1].min()), float(a[:, 0].min())],
            [float(a[:, 3].max()), float(a[:, 2].max())]]


def _nonempty(layers: ResultLayers, name: str) -> Any:
    f = layers.get(name)
    return f if f is not None and len(f) > 0 else None


@cache
def _app_class() -> type:
    """The folium element that embeds the data and starts the application (lazy folium)."""
    from folium.elements import MacroElement
    from folium.template import Template

    class LifecircleApp(MacroElement):  # type: ignore[misc,valid-type]
        _template = Template("""
{% macro script(this, kwargs) %}
lifecircleMap({{ this._parent.get_name() }}, {{ this.data }});
{% endmacro %}
""")

        def __init__(self, data: str) -> None:
            super().__init__()
            self._name = "LifecircleApp"
            self.data = data

    return LifecircleApp


@cache
def _raw_class() -> type:
    """A page element whose HTML goes into the page as it is.

    ``folium.Element`` compiles its text as a Jinja template, on every map: ~80 ms for the
    200 kB of inline Leaflet, and text that happened to hold ``{{`` would be changed. The
    text is put in as Jinja renders text without template syntax (less one final line
    feed), so the page is the same.
    """
    from branca.element import Element
    from jinja2 import Template

    class RawElement(Element):  # type: ignore[misc]
        _template = Template("{{ this.text }}")

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text[:-1] if text.endswith("\n") else text

    return RawElement


def make_map(layers: ResultLayers, profile: Profile, *, lang: str = "zh",
             title: str | None = None, basemap: str | None = "positron",
             simplify_m: float = 3.0, simplify_service_areas_m: float = 30.0,
             simplify_roads_m: float = 8.0, service_area_shown: str | None = None,
             notices: Sequence[str] = ()) -> folium.Map:
    """The interactive map as a :class:`folium.Map` (parameters as :func:`build`): shown
    inline in a notebook, or saved with ``m.save(path)``."""
    import folium
    import folium.plugins

    data = map_data(layers, profile, lang=lang, title=title, basemap=basemap,
                    simplify_m=simplify_m, simplify_service_areas_m=simplify_service_areas_m,
                    simplify_roads_m=simplify_roads_m, service_area_shown=service_area_shown)
    bounds = data["bounds"]
    center = ([(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
              if bounds else [31.69, 118.5])
    m = folium.Map(location=center, zoom_start=13, tiles=None, control_scale=False,
                   prefer_canvas=False)
    m.default_js = []
    m.default_css = []
    from branca.element import Figure

    root = m.get_root()
    assert isinstance(root, Figure)  # a folium.Map's root is the page
    root.title = _esc(data["title"])
    root.header.add_child(_raw_class()(_inline_assets()), name="lifecircle_assets")
    root.html.add_child(_raw_class()(_hatch_defs()), name="lifecircle_defs")
    fs = folium.plugins.Fullscreen(position="topleft", title=i18n.t("map.fullscreen", lang),
                                   title_cancel=i18n.t("map.exit_fullscreen", lang),
                                   force_separate_button=True)
    fs.default_js = []
    fs.default_css = []
    fs.add_to(m)
    _app_class()(_script_json(data)).add_to(m)
    if notices:
        root.html.add_child(_raw_class()(_notice_banner(notices)), name="lifecircle_notices")
    return m


def _notice_banner(notices: Sequence[str]) -> str:
    """What the reader must see first (e.g. a distorting working CRS), escaped, on top."""
    items = "".join(f"<p>{_esc(n)}</p>" for n in notices)
    return ('<div class="lc-notices" role="alert" style="position:fixed;z-index:2000;'
            "top:8px;left:50%;transform:translateX(-50%);max-width:min(640px,60vw);"
            "background:#fff3cd;color:#533f03;border:1px solid #b38600;border-radius:4px;"
            f'padding:4px 10px;font:13px/1.4 sans-serif;pointer-events:none">{items}</div>')


def build(layers: ResultLayers, profile: Profile, out_path: str | os.PathLike[str], *,
          lang: str = "zh", title: str | None = None, basemap: str | None = "positron",
          simplify_m: float = 3.0, simplify_service_areas_m: float = 30.0,
          simplify_roads_m: float = 8.0, service_area_shown: str | None = None,
          notices: Sequence[str] = ()) -> Path:
    """Write the interactive map ``map.html``.

    Parameters
    ----------
    layers
        Result layers by name (docs/contracts.md "Result layers") in the working CRS;
        ``communities``, ``facilities``, ``service_areas``, ``gaps``, ``candidates``,
        ``proposed_sites`` and ``roads`` are drawn when present and non-empty;
        ``communities_after`` (``cid cov_all cov_<key>`` with the proposed sites open)
        feeds the "with proposed sites" view. ``demand`` is not drawn.
    profile
        The standards profile (category names, catalogue order, circles).
    out_path
        The HTML file to write.
    lang
        ``zh`` (default) or ``en``: every label of the map.
    title
        Title shown on the map and in the browser tab (default: "社区生活圈服务评估").
    basemap
        ``positron`` (default), ``osm``, or None for no tiles (the roads remain).
    simplify_m
        Display simplification tolerance in metres (working CRS) for communities and gaps.
    simplify_service_areas_m
        The same for service areas (large, many-vertex polygons).
    simplify_roads_m
        The same for roads.
    service_area_shown
        The service selected on opening (default: the first category of proposed site 1,
        else "all services").
    notices
        Sentences every reader must see first (e.g. a distorting working CRS kept on
        request), shown as a banner at the top of the map.

    Returns
    -------
    Path
        ``out_path``.

    Raises
    ------
    InputError
        A spatial layer has no CRS.
    OutputError
        The file cannot be written.
    """
    out_path = Path(out_path)
    m = make_map(layers, profile, lang=lang, title=title, basemap=basemap,
                 simplify_m=simplify_m, simplify_service_areas_m=simplify_service_areas_m,
                 simplify_roads_m=simplify_roads_m, service_area_shown=service_area_shown,
                 notices=notices)
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(m.get_root().render(), encoding="utf-8")
    except OSError as e:
        raise notice(OutputError, "err.out.map", path=str(out_path), error=str(e.strerror)
                     ) from None
    return out_path
