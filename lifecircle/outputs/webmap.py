"""The HTML map (``map.html``) for community-service staff, made with folium.

- Works offline: Leaflet 1.9.4 and leaflet.fullscreen 3.0.0 are shipped in
  ``lifecircle/outputs/static`` (BSD-2 / MIT, see the LICENSE files there) and inlined into the
  page; no CDN script, stylesheet, icon font or image is referenced. Only the base-map
  tiles come from the internet; offline the data layers still show on a blank background.
- Base maps: CARTO Positron (light, OpenStreetMap data) and the OpenStreetMap standard
  tiles, both in WGS 84 / Web Mercator like the data. Gaode/Tencent/Baidu tiles are not
  offered: they are in GCJ-02/BD-09 and would shift WGS 84 data by 100-700 m.
- Geometries are simplified in the working CRS (``simplify_m``, topology-preserving) and
  reprojected to EPSG:4326 only here, at the map boundary; coordinates are rounded to
  5 decimals (about 1 m).
- Every value shown (popups, tooltips, layer names, legend, title) is HTML-escaped in
  Python; the embedded JSON escapes ``<``, ``>`` and ``&`` so no text can close the script.
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
from pathlib import Path
from typing import Any

import numpy as np

from lifecircle import i18n
from lifecircle.errors import InputError, OutputError
from lifecircle.outputs import styles

STATIC = Path(__file__).parent / "static"
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
.lc-pop{font-size:13px;line-height:1.35;min-width:180px}
.lc-pop .lc-h{font-weight:bold;font-size:14px;margin-bottom:4px}
.lc-pop table{border-collapse:collapse}
.lc-pop th{text-align:left;font-weight:normal;color:#555;padding:1px 8px 1px 0;
  vertical-align:top;white-space:nowrap}
.lc-pop td{padding:1px 0}
.lc-pop .lc-sub{margin-top:6px;font-weight:bold}
.lc-pop .lc-bad,.lc-pop .lc-bad th{color:#b2182b}
.lc-icon{background:none;border:none}
.lc-rank{width:24px;height:24px;border-radius:50%;background:%(rank_bg)s;color:%(rank_fg)s;
  border:2px solid #fff;box-shadow:0 0 3px rgba(0,0,0,.6);font:bold 13px/24px sans-serif;
  text-align:center}
.lc-legend{background:rgba(255,255,255,.92);padding:6px 8px;border-radius:4px;
  box-shadow:0 1px 5px rgba(0,0,0,.4);font-size:12px;line-height:1.4;max-height:60vh;
  overflow:auto}
.lc-legend summary{font-weight:bold;cursor:pointer}
.lc-legend .lc-sec{margin-top:5px;font-weight:bold}
.lc-legend .lc-row{display:flex;align-items:center;gap:6px;white-space:nowrap}
.lc-legend .lc-sw{display:inline-block;width:16px;height:12px;border:1px solid #555}
.lc-title{background:rgba(255,255,255,.92);padding:4px 10px;border-radius:4px;
  box-shadow:0 1px 5px rgba(0,0,0,.4);font:bold 15px sans-serif}
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
    rank = {"rank_bg": styles.PROPOSED.color, "rank_fg": styles.PROPOSED_LABEL_COLOR}
    css = _CSS.replace("%(rank_bg)s", rank["rank_bg"]).replace("%(rank_fg)s", rank["rank_fg"])
    return (f"<style>{leaflet_css}</style>\n<style>{fs_css}</style>\n<style>{css}</style>\n"
            f"<script>{_script_safe(_asset('leaflet.js'))}</script>\n"
            f"<script>{_script_safe(_asset('Control.FullScreen.js'))}</script>\n")


# ------------------------------------------------------------------ formatting
def _esc(v: Any) -> str:
    return html.escape(str(v), quote=True)


def _isnan(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(np.isnan(v))
    except (TypeError, ValueError):
        try:
            import pandas as pd

            return bool(pd.isna(v))
        except (TypeError, ValueError):
            return False


def fmt_pct(v: Any, lang: str = "zh") -> str:
    """A share 0..1 as ``60.0%`` (``无数据``/``no data`` for NaN)."""
    return i18n.t("legend.nodata", lang) if _isnan(v) else f"{100 * float(v):.1f}%"


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


def category_names(v: Any, profile: Any, lang: str = "zh") -> str:
    """Category keys in a cell, as their display names joined with ``、`` / ``, ``."""
    sep = "、" if lang == "zh" else ", "
    return sep.join(i18n.category_name(k, profile, lang) for k in split_keys(v))


def _popup(title: str, rows: Sequence[tuple[str, str]], extra: str = "") -> str:
    body = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in rows)
    return (f'<div class="lc-pop"><div class="lc-h">{_esc(title)}</div><table>{body}'
            f"</table>{extra}</div>")


def _get(row: Mapping[str, Any], key: str, default: Any = None) -> Any:
    v = row.get(key, default)
    return default if v is None else v


# ------------------------------------------------------------------ geometry
#: Holes of service areas smaller than this are filled on the map (about two city blocks).
SERVICE_AREA_MIN_HOLE_M2 = 40_000.0


def _drop_small_holes(geom: Any, min_area: float) -> Any:
    """``geom`` without the interior rings smaller than ``min_area`` (display only)."""
    import shapely

    if geom is None or shapely.is_empty(geom) or shapely.get_type_id(geom) not in (3, 6):
        return geom
    parts = [shapely.Polygon(p.exterior, [r for r in p.interiors
                                          if shapely.Polygon(r).area >= min_area])
             for p in getattr(geom, "geoms", [geom])]
    return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]


def _wgs84_geojson(frame: Any, simplify_m: float, name: str, *,
                   min_hole_m2: float = 0.0) -> list[str | None]:
    """Geometries of ``frame`` simplified, in EPSG:4326, as GeoJSON text (None if empty).

    Holes smaller than ``min_hole_m2`` are filled (service areas: the blocks between
    reached streets would otherwise dominate the file size).
    """
    import geopandas as gpd
    import shapely

    if frame.crs is None:
        raise InputError(f"result layer {name!r}: no CRS; fix: set the working CRS on the "
                         "GeoDataFrame before building the map")
    geoms = np.asarray(frame.geometry.values, dtype=object)
    if min_hole_m2 > 0 and frame.crs.is_projected:
        geoms = np.array([_drop_small_holes(g, min_hole_m2) for g in geoms], dtype=object)
    if simplify_m > 0 and frame.crs.is_projected:
        poly = shapely.get_type_id(geoms) >= 1  # lines and polygons, not points
        if poly.any():
            geoms = geoms.copy()
            geoms[poly] = shapely.simplify(geoms[poly], simplify_m, preserve_topology=True)
    gs = gpd.GeoSeries(geoms, crs=frame.crs).to_crs(4326)
    arr = np.asarray(gs.values, dtype=object)
    coords = shapely.get_coordinates(arr)
    arr = shapely.set_coordinates(arr.copy(), np.round(coords, DECIMALS))
    out: list[str | None] = []
    for g, text in zip(arr, shapely.to_geojson(arr), strict=True):
        out.append(None if g is None or shapely.is_empty(g) else str(text))
    return out


def _feature_collection(geoms: Sequence[str | None], props: Sequence[Mapping[str, Any]]) -> str:
    feats = [f'{{"type":"Feature","geometry":{g},"properties":'
             f"{json.dumps(p, ensure_ascii=False, separators=(',', ':'))}}}"
             for g, p in zip(geoms, props, strict=True) if g is not None]
    text = '{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}"
    # safe inside <script>: no "</script", "<!--" or entity can be formed
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ------------------------------------------------------------------ folium elements
def _classes() -> tuple[type, type, type]:
    """folium element classes, defined lazily so importing this module needs no folium."""
    from folium.elements import MacroElement
    from folium.map import Layer
    from folium.template import Template

    class GeoJsonData(Layer):  # type: ignore[misc,valid-type]
        """A GeoJSON layer whose features carry their pre-escaped popup/tooltip/icon."""

        _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
    interactive: {{ this.interactive|tojson }},
    style: function (f) {
        var s = {{ this.styles|tojson }};
        return s[String(f.properties.k)] || s["*"] || {};
    },
    pointToLayer: function (f, ll) {
        var html = f.properties.i || {{ this.icon|tojson }};
        var n = {{ this.icon_px|tojson }};
        return L.marker(ll, {keyboard: false, riseOnHover: true, icon: L.divIcon({
            html: html, className: "lc-icon", iconSize: [n, n],
            iconAnchor: [n / 2, n / 2], popupAnchor: [0, -n / 2]})});
    },
    onEachFeature: function (f, layer) {
        if (f.properties.p) { layer.bindPopup(f.properties.p, {maxWidth: 360}); }
        if (f.properties.t) { layer.bindTooltip(f.properties.t, {sticky: true}); }
    }
});
{% endmacro %}
""")

        def __init__(self, name: str, data: str, *, styles_: Mapping[str, Any] | None = None,
                     icon: str = "", icon_px: float = 16.0, overlay: bool = True,
                     show: bool = True, interactive: bool = True) -> None:
            super().__init__(name=name, overlay=overlay, control=True, show=show)
            self._name = "GeoJsonData"
            self.data = data
            self.styles = dict(styles_ or {})
            self.icon = icon
            self.icon_px = round(float(icon_px), 1)
            self.interactive = interactive

    class HtmlControl(MacroElement):  # type: ignore[misc,valid-type]
        """A Leaflet control holding pre-escaped HTML (legend, title)."""

        _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
{{ this.get_name() }}.onAdd = function () {
    var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
    div.innerHTML = {{ this.html|tojson }};
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

        def __init__(self, html_: str, *, position: str, css_class: str) -> None:
            super().__init__()
            self._name = "HtmlControl"
            self.html = html_
            self.position = position
            self.css_class = css_class

    class BlankBase(Layer):  # type: ignore[misc,valid-type]
        """An empty base layer ("no base map") for offline use."""

        _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.layerGroup();
{% endmacro %}
""")

        def __init__(self, name: str, show: bool = False) -> None:
            super().__init__(name=name, overlay=False, control=True, show=show)
            self._name = "BlankBase"

    return GeoJsonData, HtmlControl, BlankBase


# ------------------------------------------------------------------ layers
def _records(frame: Any) -> list[dict[str, Any]]:
    cols = [c for c in frame.columns if c != frame.geometry.name]
    return frame[cols].to_dict("records")


def _community_layer(frame: Any, profile: Any, lang: str, simplify_m: float,
                     cls: type) -> Any:
    geoms = _wgs84_geojson(frame, simplify_m, "communities")
    cov_cols = [c for c in frame.columns if c.startswith("cov_") and c != "cov_all"]
    props = []
    for row in _records(frame):
        kind = _get(row, "kind", "")
        rows = [
            (i18n.field_label("kind", profile, lang),
             i18n.value_label("kind", kind, lang) or str(kind)),
            (i18n.field_label("district", profile, lang), str(_get(row, "district", ""))),
            (i18n.field_label("township", profile, lang), str(_get(row, "township", ""))),
            (i18n.field_label("population", profile, lang), fmt_num(row.get("population"), lang)),
            (i18n.field_label("households", profile, lang), fmt_num(row.get("households"), lang)),
        ]
        if not _isnan(row.get("circle_min")):
            rows.append((i18n.field_label("circle_min", profile, lang),
                         i18n.t("minutes", lang, value=f"{float(row['circle_min']):g}")))
        rows.append((i18n.field_label("cov_all", profile, lang), fmt_pct(row.get("cov_all"), lang)))
        if not _isnan(row.get("worst_min")):
            rows.append((i18n.field_label("worst_min", profile, lang),
                         f"{float(row['worst_min']):.1f}"))
        per = [(i18n.category_name(c[4:], profile, lang), fmt_pct(row[c], lang),
                styles.coverage_class(row[c]) < len(styles.COVERAGE_CLASSES) - 1)
               for c in cov_cols if not _isnan(row.get(c))]
        extra = ""
        if per:
            extra += (f'<div class="lc-sub">{_esc(i18n.t("popup.coverage", lang))}</div><table>'
                      + "".join(f'<tr{" class=lc-bad" if bad else ""}><th>{_esc(k)}</th>'
                                f"<td>{_esc(v)}</td></tr>" for k, v, bad in per) + "</table>")
        missing = category_names(row.get("missing"), profile, lang)
        extra += (f'<div class="lc-sub">{_esc(i18n.t("popup.missing", lang))}</div>'
                  f'<div class="{"lc-bad" if missing else ""}">'
                  f'{_esc(missing or i18n.t("none", lang))}</div>')
        name = str(_get(row, "name", _get(row, "cid", "")))
        k = styles.coverage_class(row.get(styles.COVERAGE_FIELD))
        props.append({"k": k, "p": _popup(name, rows, extra), "t": _esc(name)})
    sty = {str(i): {"fillColor": c.color, "fillOpacity": styles.COMMUNITY.fill_opacity,
                    "color": styles.COMMUNITY.stroke, "weight": 1, "opacity": 0.9}
           for i, c in enumerate(styles.COVERAGE_CLASSES)}
    sty["-1"] = {"fillColor": styles.NO_DATA_COLOR, "fillOpacity": styles.COMMUNITY.fill_opacity,
                 "color": styles.COMMUNITY.stroke, "weight": 1, "opacity": 0.9}
    return cls(_esc(i18n.t("layer.coverage", lang)), _feature_collection(geoms, props),
               styles_=sty, show=True)


def _facility_layers(frame: Any, profile: Any, lang: str, cls: type) -> list[Any]:
    geoms = _wgs84_geojson(frame, 0.0, "facilities")
    recs = _records(frame)
    cats = [str(_get(r, "category", "")) for r in recs]
    keys = styles.ordered_categories(cats, list(getattr(profile, "categories", {})))
    out = []
    for key in keys:
        st = styles.category_style(key)
        cname = i18n.category_name(key, profile, lang)
        g_sel, p_sel = [], []
        for g, r, c in zip(geoms, recs, cats, strict=True):
            if c != key:
                continue
            status = _get(r, "status", "")
            rows = [(i18n.field_label("category", profile, lang), cname),
                    (i18n.field_label("status", profile, lang),
                     i18n.value_label("status", status, lang) or str(status))]
            if "snapped" in r:
                rows.append((i18n.field_label("snapped", profile, lang),
                             fmt_bool(r.get("snapped"), lang)))
            if not _isnan(r.get("access_m")):
                rows.append((i18n.field_label("access_m", profile, lang),
                             fmt_num(r.get("access_m"), lang)))
            name = str(_get(r, "name", _get(r, "fid", "")))
            g_sel.append(g)
            p_sel.append({"p": _popup(name, rows), "t": _esc(name)})
        title = i18n.t("layer.facilities_of", lang, category=cname)
        out.append(cls(_esc(title), _feature_collection(g_sel, p_sel),
                       icon=styles.marker_svg(st), icon_px=st.size_px + 2))
    return out


def _service_area_layers(frame: Any, profile: Any, lang: str, simplify_m: float,
                         shown: str | None, cls: type) -> list[Any]:
    circles = getattr(profile, "circles", {})
    if {"circle", "minutes"} <= set(frame.columns) and circles:
        # the map shows each circle's own limit; the inner rings stay in the GeoPackage
        limit = frame["circle"].map(lambda c: getattr(circles.get(c), "minutes", np.nan))
        frame = frame[(frame["minutes"] == limit) | limit.isna()]
    frame = frame.sort_values("minutes", ascending=False) if "minutes" in frame.columns \
        else frame
    geoms = _wgs84_geojson(frame, simplify_m, "service_areas",
                           min_hole_m2=SERVICE_AREA_MIN_HOLE_M2)
    recs = _records(frame)
    cats = [str(_get(r, "category", "")) for r in recs]
    keys = styles.ordered_categories(cats, list(getattr(profile, "categories", {})))
    if shown not in keys:
        shown = keys[0] if keys else None
    out = []
    for key in keys:
        fs = styles.service_area_style(key)
        sel = [g for g, c in zip(geoms, cats, strict=True) if c == key]
        sty = {"*": {"fillColor": fs.fill, "fillOpacity": fs.fill_opacity, "color": fs.stroke,
                     "weight": 1.5, "opacity": 0.8}}
        title = i18n.t("layer.service_area_of", lang,
                       category=i18n.category_name(key, profile, lang))
        out.append(cls(_esc(title), _feature_collection(sel, [{} for _ in sel]), styles_=sty,
                       show=key == shown, interactive=False))
    return out


def _gap_layer(frame: Any, profile: Any, lang: str, simplify_m: float, cls: type) -> Any:
    geoms = _wgs84_geojson(frame, simplify_m, "gaps")
    props = []
    for r in _records(frame):
        cname = i18n.category_name(str(_get(r, "category", "")), profile, lang)
        rows = [(i18n.field_label("category", profile, lang), cname),
                (i18n.field_label("population", profile, lang, layer="gaps"),
                 fmt_num(r.get("population"), lang)),
                (i18n.field_label("households", profile, lang, layer="gaps"),
                 fmt_num(r.get("households"), lang))]
        if not _isnan(r.get("n_points")):
            rows.append((i18n.field_label("n_points", profile, lang),
                         fmt_num(r.get("n_points"), lang)))
        title = f"{i18n.t('layer.gaps', lang)}：{cname}" if lang == "zh" else \
            f"{i18n.t('layer.gaps', lang)}: {cname}"
        props.append({"p": _popup(title, rows)})
    g = styles.GAP
    sty = {"*": {"fillColor": g.fill, "fillOpacity": g.fill_opacity, "color": g.stroke,
                 "weight": 2, "dashArray": "6 4", "opacity": 0.9}}
    return cls(_esc(i18n.t("layer.gaps", lang)), _feature_collection(geoms, props), styles_=sty)


def _candidate_layer(frame: Any, profile: Any, lang: str, cls: type) -> Any:
    geoms = _wgs84_geojson(frame, 0.0, "candidates")
    props = []
    for r in _records(frame):
        rows = [(i18n.field_label("priority", profile, lang), fmt_num(r.get("priority"), lang)),
                (i18n.field_label("is_idle_asset", profile, lang),
                 fmt_bool(r.get("is_idle_asset"), lang))]
        name = str(_get(r, "name", _get(r, "cand_id", "")))
        props.append({"p": _popup(name, rows), "t": _esc(name)})
    st = styles.CANDIDATE
    return cls(_esc(i18n.t("layer.candidates", lang)), _feature_collection(geoms, props),
               icon=styles.marker_svg(st), icon_px=st.size_px + 2, show=False)


def _proposed_layer(frame: Any, communities: Any, profile: Any, lang: str, cls: type) -> Any:
    if "rank" in frame.columns:
        frame = frame.sort_values("rank", ascending=False)  # rank 1 drawn last (on top)
    geoms = _wgs84_geojson(frame, 0.0, "proposed_sites")
    names: dict[str, str] = {}
    if communities is not None and "cid" in communities.columns and "name" in communities.columns:
        names = dict(zip(communities["cid"].astype(str), communities["name"].astype(str),
                         strict=True))
    sep = "、" if lang == "zh" else ", "
    props = []
    for r in _records(frame):
        rank = r.get("rank")
        rank_text = "?" if _isnan(rank) else f"{int(rank)}"
        comms = sep.join(f"{names[c]} ({c})" if c in names else c
                         for c in split_keys(r.get("communities")))
        rows = [(i18n.field_label("name", profile, lang), str(_get(r, "name", ""))),
                (i18n.field_label("categories", profile, lang),
                 category_names(r.get("categories"), profile, lang)),
                (i18n.field_label("new_population", profile, lang),
                 i18n.t("people", lang, value=fmt_num(r.get("new_population"), lang))),
                (i18n.field_label("communities", profile, lang, layer="proposed_sites"),
                 comms or i18n.t("none", lang)),
                (i18n.field_label("is_idle_asset", profile, lang),
                 fmt_bool(r.get("is_idle_asset"), lang))]
        if not _isnan(r.get("nearest_road_m")):
            rows.append((i18n.field_label("nearest_road_m", profile, lang),
                         fmt_num(r.get("nearest_road_m"), lang)))
        title = i18n.t("popup.rank", lang, rank=rank_text)
        props.append({"p": _popup(title, rows), "t": _esc(title),
                      "i": f'<div class="lc-rank">{_esc(rank_text)}</div>'})
    return cls(_esc(i18n.t("layer.proposed_sites", lang)), _feature_collection(geoms, props),
               icon_px=28)


def _legend_html(profile: Any, lang: str, fac_keys: Sequence[str], has: set[str]) -> str:
    parts = [f"<details open><summary>{_esc(i18n.t('legend.title', lang))}</summary>",
             f'<div class="lc-sec">{_esc(i18n.t("legend.coverage", lang))}</div>']
    for c in reversed(styles.COVERAGE_CLASSES):
        parts.append(f'<div class="lc-row"><span class="lc-sw" style="background:{c.color}">'
                     f"</span>{_esc(i18n.t(c.label_key, lang))}</div>")
    parts.append(f'<div class="lc-row"><span class="lc-sw" style="background:'
                 f'{styles.NO_DATA_COLOR}"></span>{_esc(i18n.t("legend.nodata", lang))}</div>')
    if fac_keys:
        parts.append(f'<div class="lc-sec">{_esc(i18n.t("legend.facilities", lang))}</div>')
        for k in fac_keys:
            parts.append(f'<div class="lc-row">{styles.marker_svg(styles.category_style(k))}'
                         f"{_esc(i18n.category_name(k, profile, lang))}</div>")
    parts.append('<div class="lc-sec"></div>')
    if "proposed_sites" in has:
        parts.append(f'<div class="lc-row"><div class="lc-rank" style="width:16px;height:16px;'
                     f'font-size:10px;line-height:16px">1</div>'
                     f"{_esc(i18n.t('legend.proposed', lang))}</div>")
    if "candidates" in has:
        parts.append(f'<div class="lc-row">{styles.marker_svg(styles.CANDIDATE)}'
                     f"{_esc(i18n.t('legend.candidate', lang))}</div>")
    if "gaps" in has:
        g = styles.GAP
        parts.append(f'<div class="lc-row"><span class="lc-sw" style="background:{g.fill};'
                     f'opacity:.7;border:1px dashed {g.stroke}"></span>'
                     f"{_esc(i18n.t('legend.gap', lang))}</div>")
    if "service_areas" in has:
        parts.append('<div class="lc-row"><span class="lc-sw" style="background:#999;'
                     'opacity:.4"></span>'
                     f"{_esc(i18n.t('legend.service_area', lang))}</div>")
    parts.append("</details>")
    return "".join(parts)


def _bounds(frames: Iterable[Any]) -> list[list[float]] | None:
    import geopandas as gpd

    boxes = []
    for f in frames:
        if f is None or len(f) == 0 or f.crs is None:
            continue
        b = gpd.GeoSeries(f.geometry.values, crs=f.crs).to_crs(4326).total_bounds
        if np.all(np.isfinite(b)):
            boxes.append(b)
    if not boxes:
        return None
    a = np.array(boxes)
    return [[float(a[:, 1].min()), float(a[:, 0].min())],
            [float(a[:, 3].max()), float(a[:, 2].max())]]


def _nonempty(layers: Mapping[str, Any], name: str) -> Any:
    f = layers.get(name)
    return f if f is not None and len(f) > 0 else None


def build(layers: Mapping[str, Any], profile: Any, out_path: str | os.PathLike[str], *,
          lang: str = "zh", title: str | None = None, basemap: str | None = "positron",
          simplify_m: float = 3.0, simplify_service_areas_m: float = 20.0,
          service_area_shown: str | None = None) -> Path:
    """Write the interactive map ``map.html``.

    Parameters
    ----------
    layers
        Result layers by name (docs/contracts.md "Result layers") in the working CRS;
        ``communities``, ``facilities``, ``service_areas``, ``gaps``, ``candidates`` and
        ``proposed_sites`` are drawn when present and non-empty (``demand`` is not drawn).
    profile
        The standards profile (category names, catalogue order).
    out_path
        The HTML file to write.
    lang
        ``zh`` (default) or ``en``: every label of the map.
    title
        Title shown on the map and in the browser tab (default: "社区生活圈服务评估").
    basemap
        ``positron`` (default), ``osm``, or None for no base map. All base maps are offered
        in the layer control together with "no base map"; this one is shown first.
    simplify_m
        Display simplification tolerance in metres (working CRS) for communities and gaps.
    simplify_service_areas_m
        The same for service areas (large, many-vertex polygons; 10 m keeps the file small
        and is invisible at neighbourhood zoom).
    service_area_shown
        Category key whose service area is shown on opening (default: the first category of
        the first proposed site, else the first category in catalogue order).

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
    import folium
    import folium.plugins

    i18n.check_lang(lang)
    if basemap is not None and basemap not in BASEMAPS:
        raise ValueError(f"unknown basemap {basemap!r}; use one of {', '.join(BASEMAPS)} or None")
    GeoJsonData, HtmlControl, BlankBase = _classes()  # noqa: N806
    out_path = Path(out_path)
    title = title or i18n.t("map.title", lang)

    comm = _nonempty(layers, "communities")
    fac = _nonempty(layers, "facilities")
    sa = _nonempty(layers, "service_areas")
    gaps = _nonempty(layers, "gaps")
    cand = _nonempty(layers, "candidates")
    prop = _nonempty(layers, "proposed_sites")

    bounds = _bounds([comm, fac, sa, gaps, prop])
    center = ([(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
              if bounds else [31.69, 118.5])
    m = folium.Map(location=center, zoom_start=13, tiles=None, control_scale=True,
                   prefer_canvas=False)
    m.default_js = []
    m.default_css = []
    root = m.get_root()
    root.title = _esc(title)
    root.header.add_child(folium.Element(_inline_assets()), name="lifecircle_assets")

    order = [basemap] if basemap else []
    order += [k for k in BASEMAPS if k not in order]
    for i, key in enumerate(order):
        url, attr, name = BASEMAPS[key]
        folium.TileLayer(tiles=url, attr=attr, name=_esc(name), max_zoom=19,
                         subdomains="abcd", overlay=False, control=True,
                         show=(i == 0 and basemap is not None)).add_to(m)
    BlankBase(_esc(i18n.t("layer.nobasemap", lang)), show=basemap is None).add_to(m)

    has: set[str] = set()
    if comm is not None:
        _community_layer(comm, profile, lang, simplify_m, GeoJsonData).add_to(m)
        has.add("communities")
    if sa is not None:
        shown = service_area_shown
        if shown is None and prop is not None and "categories" in prop.columns:
            first = split_keys(prop.sort_values("rank")["categories"].iloc[0]
                               if "rank" in prop.columns else prop["categories"].iloc[0])
            shown = first[0] if first else None
        for layer in _service_area_layers(sa, profile, lang, simplify_service_areas_m, shown,
                                          GeoJsonData):
            layer.add_to(m)
        has.add("service_areas")
    if gaps is not None:
        _gap_layer(gaps, profile, lang, simplify_m, GeoJsonData).add_to(m)
        has.add("gaps")
    fac_keys: list[str] = []
    if fac is not None:
        for layer in _facility_layers(fac, profile, lang, GeoJsonData):
            layer.add_to(m)
        fac_keys = styles.ordered_categories(fac["category"].astype(str).tolist(),
                                             list(getattr(profile, "categories", {})))
        has.add("facilities")
    if cand is not None:
        _candidate_layer(cand, profile, lang, GeoJsonData).add_to(m)
        has.add("candidates")
    if prop is not None:
        _proposed_layer(prop, comm, profile, lang, GeoJsonData).add_to(m)
        has.add("proposed_sites")

    if bounds:
        m.fit_bounds(bounds, padding=(20, 20))
    fs = folium.plugins.Fullscreen(position="topleft", title=i18n.t("map.fullscreen", lang),
                                   title_cancel=i18n.t("map.exit_fullscreen", lang),
                                   force_separate_button=True)
    fs.default_js = []
    fs.default_css = []
    fs.add_to(m)
    HtmlControl(f'<div class="lc-h">{_esc(title)}</div>', position="topright",
                css_class="lc-title").add_to(m)
    HtmlControl(_legend_html(profile, lang, fac_keys, has), position="bottomleft",
                css_class="lc-legend").add_to(m)
    folium.LayerControl(position="topright", collapsed=True).add_to(m)

    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        text = root.render()
        out_path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise OutputError(f"{out_path}: cannot write the map ({e.strerror}); fix: choose a "
                          "writable folder") from None
    return out_path
