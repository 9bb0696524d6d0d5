"""The report: ``report.html`` (self-contained), ``report.md`` and CSV tables.

``report.html`` has no external resource: CSS is inline and the charts are hand-made inline
SVG (text drawn by the browser's own CJK fonts, so no font needs to be embedded). Every
value is HTML-escaped. CSV files are UTF-8 with a byte-order mark so Excel opens Chinese
text correctly; their column names are the stable result-layer names.

Charts
------
- coverage per category: population-weighted share of residents covered, urban and rural
  communities separately (each category only where its circle requires it);
- travel-time distribution per circle: for each required category, population-weighted
  10/25/50/75/90th percentiles of the demand points' minutes to the nearest facility, with
  the circle's limit as a dashed line and the share within the limit.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import html
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lifecircle import i18n
from lifecircle.errors import OutputError, notice
from lifecircle.outputs import sections, styles
from lifecircle.outputs.document import (
    Block,
    Bullets,
    Cell,
    Document,
    Facts,
    Figure,
    Heading,
    Legend,
    Links,
    Paragraph,
    Section,
    Table,
    to_html,
    to_markdown,
)
from lifecircle.outputs.webmap import category_names, fmt_bool, fmt_num, fmt_pct, split_keys
from lifecircle.safetext import csv_frame, visible

if TYPE_CHECKING:
    import geopandas as gpd
    from numpy.typing import ArrayLike

    from lifecircle.outputs import ResultLayers
    from lifecircle.profile import Circle, Profile

FONT = ("'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',"
        "'WenQuanYi Micro Hei',sans-serif")
URBAN_COLOR = "#2b83ba"
RURAL_COLOR = "#fdae61"
CSV_FILES = {
    "scorecard": "scorecard.csv",
    "scorecard_communities": "scorecard_communities.csv",
    "communities": "coverage_communities.csv",
    "summary_district": "coverage_district.csv",
    "summary_township": "coverage_township.csv",
    "proposed_sites": "proposed_sites.csv",
}
STATUS_CLASS = {"pass": "pass", "fail": "fail", "no data": "nodata"}
#: Tables of the plan summary and their columns (titles ``report.plantable.<key>``,
#: column heads ``report.plancol.<column>`` in :mod:`lifecircle.i18n`).
PLAN_TABLES: dict[str, list[str]] = {
    "coverage": ["category", "population", "covered_before", "share_before", "covered_after",
                 "share_after", "new_population"],
    "unreached": ["category", "reason", "population", "points"],
}


def _cell(v: Any, column: str, profile: Profile, lang: str) -> str:
    """One cell of a plan table: category names, shares as %, people rounded."""
    if column == "category":
        return i18n.category_name(str(v), profile, lang)
    if column == "reason":
        return _lab("plan.reason", str(v), lang)
    if column.startswith("share"):
        return "-" if _isnan(v) else fmt_pct(v, "en")
    if column in ("population", "covered_before", "covered_after", "new_population"):
        return fmt_num(v, lang)
    return _text(v, lang)


def _esc(v: Any) -> str:
    return html.escape(str(v), quote=True)


def _lab(prefix: str, key: str, lang: str) -> str:
    """Catalogue label ``<prefix>.<key>`` in ``lang``; the key itself when there is none."""
    name = f"{prefix}.{key}"
    return i18n.t(name, lang) if name in i18n.TEXT else key


def _isnan(v: Any) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _text(v: Any, lang: str) -> str:
    """Plain text of any cell value (lists joined, NaN -> 'no data', floats trimmed)."""
    if isinstance(v, (list, tuple, set, frozenset, np.ndarray)):
        return i18n.listed([_text(x, lang) for x in v], lang)
    if isinstance(v, Mapping):
        return i18n.listed([f"{k}={_text(x, lang)}" for k, x in v.items()], lang)
    if _isnan(v):
        return i18n.t("legend.nodata", lang)
    if isinstance(v, (bool, np.bool_)):
        return fmt_bool(v, lang)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if f.is_integer():
            return f"{f:,.0f}"
        return f"{f:.6g}" if abs(f) < 1000 else f"{f:,.1f}"
    return str(v)


def _num(v: Any, lang: str, decimals: int = 1) -> str:
    if _isnan(v):
        return i18n.t("legend.nodata", lang)
    f = float(v)
    return f"{f:,.0f}" if f.is_integer() else f"{f:,.{decimals}f}"


# ------------------------------------------------------------------ numbers
def weighted_share(values: ArrayLike, weights: ArrayLike) -> float:
    """Population-weighted mean of shares, ignoring NaN values and non-positive weights."""
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    ok = np.isfinite(v) & np.isfinite(w) & (w > 0)
    return float((v[ok] * w[ok]).sum() / w[ok].sum()) if ok.any() else math.nan


def weighted_percentiles(values: ArrayLike, weights: ArrayLike, qs: Sequence[float]
                         ) -> list[float]:
    """Weighted percentiles (0..1); NaN values count as unreachable (+inf).

    The q-th percentile is the smallest value whose cumulative weight reaches ``q`` of the
    total weight.
    """
    v = np.asarray(values, dtype=float).copy()
    w = np.asarray(weights, dtype=float)
    keep = np.isfinite(w) & (w > 0)
    v, w = v[keep], w[keep]
    if len(v) == 0:
        return [math.nan for _ in qs]
    v[np.isnan(v)] = np.inf
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    cum = np.cumsum(w) / w.sum()
    out = []
    for q in qs:
        i = int(np.searchsorted(cum, q - 1e-12, side="left"))
        out.append(float(v[min(i, len(v) - 1)]))
    return out


def coverage_by_kind(communities: pd.DataFrame | None, profile: Profile
                     ) -> list[tuple[str, float, float]]:
    """(category key, urban share, rural share) for each category with data, catalogue order."""
    if communities is None or len(communities) == 0:
        return []
    pop = communities["population"] if "population" in communities.columns else \
        pd.Series(1.0, index=communities.index)
    kind = communities["kind"] if "kind" in communities.columns else \
        pd.Series("urban", index=communities.index)
    keys = [c[4:] for c in communities.columns if c.startswith("cov_") and c != "cov_all"]
    keys = styles.ordered_categories(keys, list(getattr(profile, "categories", {})))
    out = []
    for k in keys:
        col = communities[f"cov_{k}"]
        u = weighted_share(col[kind == "urban"], pop[kind == "urban"])
        r = weighted_share(col[kind == "rural"], pop[kind == "rural"])
        if not (math.isnan(u) and math.isnan(r)):
            out.append((k, u, r))
    return out


# ------------------------------------------------------------------ SVG charts
def _svg_text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 12,
              weight: str = "normal", color: str = "#222") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'font-weight="{weight}" fill="{color}">{_esc(text)}</text>')


def coverage_chart(rows: Sequence[tuple[str, float, float]], profile: Profile, lang: str) -> str:
    """Horizontal grouped bars: urban and rural coverage per category (inline SVG)."""
    if not rows:
        return ""
    left, right, top, bar, gap = 170, 70, 34, 11, 10
    width = 720
    plot_w = width - left - right
    row_h = 2 * bar + gap
    height = top + row_h * len(rows) + 34
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'font-family="{_esc(FONT)}">']
    ux = left
    for color, label in ((URBAN_COLOR, i18n.t("kind.urban", lang)),
                         (RURAL_COLOR, i18n.t("kind.rural", lang))):
        parts.append(f'<rect x="{ux}" y="8" width="12" height="12" fill="{color}"/>')
        parts.append(_svg_text(ux + 16, 18, label))
        ux += 120
    for pct in (0, 25, 50, 75, 100):
        x = left + plot_w * pct / 100
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" '
                     f'y2="{height - 28}" stroke="#ddd"/>')
        parts.append(_svg_text(x, height - 12, f"{pct}%", anchor="middle", size=11,
                               color="#555"))
    for i, (key, u, r) in enumerate(rows):
        y0 = top + i * row_h
        parts.append(_svg_text(left - 8, y0 + bar + 4,
                               i18n.category_name(key, profile, lang), anchor="end"))
        for j, (v, color) in enumerate(((u, URBAN_COLOR), (r, RURAL_COLOR))):
            y = y0 + j * bar
            if math.isnan(v):
                continue
            w = plot_w * max(0.0, min(1.0, v))
            parts.append(f'<rect x="{left}" y="{y:.1f}" width="{w:.1f}" height="{bar - 1}" '
                         f'fill="{color}"><title>{_esc(fmt_pct(v, lang))}</title></rect>')
            parts.append(_svg_text(left + w + 4, y + bar - 2, fmt_pct(v, lang), size=10,
                                   color="#333"))
    parts.append("</svg>")
    return "".join(parts)


#: Percentiles of the travel-time chart (and its table).
TIME_QUANTILES = (.1, .25, .5, .75, .9)


def time_rows(demand: pd.DataFrame | None, communities: pd.DataFrame | None, circle: Circle,
              keys: Sequence[str]
              ) -> list[tuple[str, tuple[float, ...], float]]:
    """Per required category of one circle: the population-weighted 10/25/50/75/90th
    percentiles of the minutes (``inf`` = unreachable) and the share within the limit."""
    if demand is None or len(demand) == 0:
        return []
    kinds = None
    if communities is not None and "cid" in demand.columns and "cid" in communities.columns \
            and "kind" in communities.columns:
        kinds = demand["cid"].astype(str).map(
            dict(zip(communities["cid"].astype(str), communities["kind"], strict=True)))
    sel = demand if kinds is None else demand[(kinds == circle.key).to_numpy()]
    if len(sel) == 0:
        return []
    pop = sel["population"] if "population" in sel.columns else pd.Series(1.0, index=sel.index)
    rows = []
    for k in keys:
        col = f"t_{k}"
        if col not in sel.columns:
            continue
        qs = tuple(weighted_percentiles(sel[col], pop, TIME_QUANTILES))
        t = np.asarray(sel[col], dtype=float)
        within = weighted_share(np.where(np.isnan(t), 0.0, (t <= circle.minutes) * 1.0), pop)
        rows.append((k, qs, within))
    return rows


def _minutes_text(v: float, lang: str) -> str:
    return _num(v, lang) if math.isfinite(v) else i18n.t("unreachable", lang)


def _within_text(within: float, circle: Circle, lang: str) -> str:
    return i18n.t("report.within_min", lang, pct=fmt_pct(within, lang), m=circle.minutes)


def time_table(rows: Sequence[tuple[str, tuple[float, ...], float]], circle: Circle,
               profile: Profile, lang: str) -> Table:
    """The numbers of :func:`time_chart` as a table (what Markdown shows)."""
    head = [i18n.field_label("category", profile, lang),
            *[f"P{round(100 * q)}" for q in TIME_QUANTILES],
            i18n.t("report.head_within_min", lang, m=circle.minutes)]
    return Table.of_text(head, [[i18n.category_name(k, profile, lang),
                                 *[_minutes_text(v, lang) for v in qs],
                                 fmt_pct(within, lang)] for k, qs, within in rows],
                         numbers=True)


def time_chart(demand: pd.DataFrame | None, communities: pd.DataFrame | None, circle: Circle,
               keys: Sequence[str], profile: Profile, lang: str,
               rows: Sequence[tuple[str, tuple[float, ...], float]] | None = None) -> str:
    """Box-and-whisker rows of travel minutes per category for one circle (inline SVG);
    ``rows`` from :func:`time_rows` (computed when not given)."""
    if rows is None:
        rows = time_rows(demand, communities, circle, keys)
    if not rows:
        return ""
    left, right, top, row_h = 170, 120, 16, 22
    width = 720
    plot_w = width - left - right
    xmax = 2.0 * float(circle.minutes)
    height = top + row_h * len(rows) + 34

    def sx(v: float) -> float:
        return left + plot_w * min(max(v, 0.0), xmax) / xmax

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'font-family="{_esc(FONT)}">']
    step = 5 if xmax <= 40 else 10
    for m in range(0, int(xmax) + 1, step):
        parts.append(f'<line x1="{sx(m):.1f}" y1="{top - 4}" x2="{sx(m):.1f}" '
                     f'y2="{height - 28}" stroke="#e3e3e3"/>')
        parts.append(_svg_text(sx(m), height - 12, str(m), anchor="middle", size=11,
                               color="#555"))
    parts.append(_svg_text(width - right + 22, height - 12,
                           i18n.t("minutes", lang, value="").strip(), size=11, color="#555"))
    lim = sx(float(circle.minutes))
    parts.append(f'<line x1="{lim:.1f}" y1="{top - 8}" x2="{lim:.1f}" y2="{height - 28}" '
                 'stroke="#b2182b" stroke-dasharray="5 3" stroke-width="1.5"/>')
    for i, (k, (p10, p25, p50, p75, p90), within) in enumerate(rows):
        yc = top + i * row_h + row_h / 2
        color = styles.category_style(k).color
        parts.append(_svg_text(left - 8, yc + 4, i18n.category_name(k, profile, lang),
                               anchor="end"))
        tip = " / ".join(_minutes_text(v, lang) for v in (p10, p25, p50, p75, p90))
        g = [f"<g><title>{_esc(tip)}</title>"]
        if not math.isnan(p10):
            g.append(f'<line x1="{sx(p10):.1f}" y1="{yc:.1f}" x2="{sx(p90):.1f}" y2="{yc:.1f}" '
                     f'stroke="{color}" stroke-width="1.5"/>')
        g.append(f'<rect x="{sx(p25):.1f}" y="{yc - 6:.1f}" '
                 f'width="{max(sx(p75) - sx(p25), 1.5):.1f}" height="12" fill="{color}" '
                 'fill-opacity="0.45" stroke="' + color + '"/>')
        g.append(f'<line x1="{sx(p50):.1f}" y1="{yc - 7:.1f}" x2="{sx(p50):.1f}" '
                 f'y2="{yc + 7:.1f}" stroke="#111" stroke-width="2"/>')
        if p90 > xmax:
            g.append(f'<path d="M{sx(xmax) - 6:.1f},{yc - 4:.1f} L{sx(xmax):.1f},{yc:.1f} '
                     f'L{sx(xmax) - 6:.1f},{yc + 4:.1f}" fill="none" stroke="{color}"/>')
        g.append("</g>")
        parts.extend(g)
        parts.append(_svg_text(width - right + 6, yc + 4,
                               _within_text(within, circle, lang), size=11, color="#333"))
    parts.append("</svg>")
    return "".join(parts)


# ------------------------------------------------------------------ tables
def coverage_table(frame: pd.DataFrame, profile: Profile, lang: str, keys: Sequence[str],
                   layer: str, style: str = "data") -> Table:
    """A coverage table (communities, townships ...): labelled columns, coded values in
    words, ``cov_<key>`` shares as cells coloured like the map."""
    base = [c for c in ("cid", "name", "kind", "district", "township", "communities",
                        "population", "households", "circle_min", "cov_all", "missing",
                        "worst_min") if c in frame.columns]
    covs = [f"cov_{k}" for k in keys if f"cov_{k}" in frame.columns]
    head = ([i18n.field_label(c, profile, lang, layer=layer) for c in base]
            + [i18n.category_name(c[4:], profile, lang) for c in covs])

    def share(v: Any) -> Cell:
        return Cell(fmt_pct(v, lang), "cov", math.nan if _isnan(v) else float(v))

    body = []
    for row in frame.to_dict("records"):
        cells: list[Cell] = []
        for c in base:
            v = row.get(c)
            if c.startswith("cov_"):
                cells.append(share(v))
            elif c == "kind":
                cells.append(Cell(i18n.value_label("kind", v, lang) or _text(v, lang)))
            elif c == "missing":
                cells.append(Cell(category_names(v, profile, lang)))
            elif c in ("population", "households", "communities"):
                cells.append(Cell(fmt_num(v, lang), "num"))
            elif c in ("circle_min", "worst_min"):
                cells.append(Cell(_num(v, lang), "num"))
            else:
                cells.append(Cell(_text(v, lang)))
        cells += [share(row.get(c)) for c in covs]
        body.append(tuple(cells))
    return Table(tuple(head), tuple(body), style=style)


def _list_table(rows: Sequence[Mapping[str, Any]], labels: str, lang: str,
                style: str = "data") -> Table:
    keys: list[str] = []
    for r in rows:
        for k in r:
            if k not in keys:
                keys.append(k)
    head = [_lab(labels, k, lang) for k in keys]
    body = [[_text(r.get(k), lang) if r.get(k) is not None else "" for k in keys] for r in rows]
    return Table.of_text(head, body, style=style)


# ------------------------------------------------------------------ scorecard
def scorecard_rows(scorecard: pd.DataFrame | None, profile: Profile, lang: str
                   ) -> list[dict[str, str]]:
    """Display rows of the Table-1 scorecard with the profile entry of every number."""
    if scorecard is None:
        return []
    out = []
    pfile = Path(getattr(profile, "path", "") or "").name or getattr(profile, "key", "")
    for r in scorecard.to_dict("records"):
        key = str(r.get("indicator", ""))
        ind = (getattr(profile, "indicators", {}) or {}).get(key)
        name = ind.name(lang) if ind is not None \
            else str(r.get("name", key))
        status = str(r.get("status", "no data"))
        method = ""
        if ind is not None:
            detail = ind.field or ind.category or ""
            method = f"{ind.method} ({detail})" if detail else ind.method
        unit = "" if _isnan(r.get("unit")) else str(r.get("unit", ""))
        entry = str(r.get("entry") or (f"indicators.{key}" if ind is not None else ""))
        note = "" if _isnan(r.get("note")) else i18n.render(r.get("note", ""), lang)
        out.append({
            "indicator": key, "name": name, "target": _num(r.get("target"), lang),
            "year": "" if _isnan(r.get("year")) else str(int(r.get("year"))),
            "value": ("—" if _isnan(r.get("value")) else _num(r.get("value"), lang)),
            "unit": unit,
            "target_text": _with_unit(r.get("target"), unit, lang) + (
                "" if _isnan(r.get("year")) or _isnan(r.get("target"))
                else i18n.t("report.due", lang, year=int(r.get("year")))),
            "value_text": _with_unit(r.get("value"), unit, lang),
            "status": status,
            "status_label": i18n.t(f"score.{status}", lang),
            "scope": "" if _isnan(r.get("scope")) else str(r.get("scope")),
            "source": f"{pfile} [{entry}]" if entry else "",
            "source_label": _source_label(key, lang),
            "note": note,
            "method": method,
        })
    return out


# ------------------------------------------------------------------ CSV
def _csv_frame(frame: Any) -> pd.DataFrame:
    df = pd.DataFrame(frame).copy()
    geom = getattr(frame, "_geometry_column_name", None)
    if geom is not None and geom in df.columns:
        g = frame.geometry
        if len(g) and bool((g.geom_type == "Point").all()):
            df["x"] = g.x.round(2)
            df["y"] = g.y.round(2)
            if frame.crs is not None:
                ll = g.to_crs(4326)
                df["lon"] = ll.x.round(6)
                df["lat"] = ll.y.round(6)
        df = df.drop(columns=geom)
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = [",".join(map(str, v)) if isinstance(v, (list, tuple, set, np.ndarray))
                     else v for v in df[c]]
    return df


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    # text cells: no control characters, no formulas (=, +, -, @ ...) a spreadsheet would run
    csv_frame(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


# ------------------------------------------------------------------ static maps
#: Width of the static maps in the report (inches at :data:`MAP_DPI`; fits A4 portrait).
MAP_WIDTH_IN = 6.6
MAP_DPI = 110
#: Simplification of gap outlines in the static maps (metres; invisible at map scale).
MAP_SIMPLIFY_M = 10.0


def static_map(communities: gpd.GeoDataFrame, gaps: gpd.GeoDataFrame | None = None,
               sites: gpd.GeoDataFrame | None = None, *,
               focus: ArrayLike | None = None, outline_by: str | None = "district",
               width_in: float = MAP_WIDTH_IN, max_height_in: float = 6.0,
               shapes: dict[Any, Any] | None = None) -> bytes:
    """A PNG map drawn from the result: communities in their coverage colours, gaps
    hatched, proposed sites numbered, a scale bar.

    Parameters
    ----------
    communities
        The ``communities`` layer (working CRS, metres) with ``cov_all``.
    gaps, sites
        The ``gaps`` and ``proposed_sites`` layers, or None.
    focus
        Boolean mask of the communities to frame (a district); the others are drawn
        faded around them.
    outline_by
        Column whose groups get a heavier outline (district borders), or None.
    width_in, max_height_in
        Size of the image in inches (at :data:`MAP_DPI`).
    shapes
        A dict the maps of one report share (empty at first): the merged gap outline and
        the dissolved borders are made once for all of them.
    """
    import io

    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure as MplFigure
    from shapely import box

    comm = communities
    sel = comm if focus is None else comm[np.asarray(focus, dtype=bool)]
    minx, miny, maxx, maxy = sel.total_bounds
    pad = 0.04 * max(maxx - minx, maxy - miny, 1.0)
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    aspect = (maxy - miny) / max(maxx - minx, 1.0)
    height = min(max(width_in * aspect, 2.5), max_height_in)
    # a figure of its own (not pyplot's), on a canvas drawn once, by savefig: GeoPandas asks
    # for a redraw after each layer it plots, which Agg does at once (the whole map again)
    fig = MplFigure(figsize=(width_in, height), dpi=MAP_DPI)
    _draw_once_canvas()(fig)
    ax = fig.subplots()
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    colors = [styles.coverage_color(v) for v in comm.get("cov_all", pd.Series(np.nan,
                                                                               comm.index))]
    alpha = styles.COMMUNITY.fill_opacity
    if focus is not None:
        inside = np.asarray(focus, dtype=bool)
        # the faded neighbours in view only (the others would be clipped away)
        around = ~inside & comm.geometry.intersects(box(minx, miny, maxx, maxy)).to_numpy()
        if around.any():
            comm[around].plot(ax=ax, color=[c for c, i in zip(colors, around, strict=True)
                                            if i], alpha=0.25, edgecolor="#999",
                              linewidth=0.2)
        comm[inside].plot(ax=ax, color=[c for c, i in zip(colors, inside, strict=True) if i],
                          alpha=alpha, edgecolor=styles.COMMUNITY.stroke, linewidth=0.3)
    else:
        comm.plot(ax=ax, color=colors, alpha=alpha, edgecolor=styles.COMMUNITY.stroke,
                  linewidth=0.25)
    shapes = {} if shapes is None else shapes
    if outline_by and outline_by in comm.columns:
        if ("outline", outline_by) not in shapes:
            try:
                shapes[("outline", outline_by)] = comm.dissolve(by=outline_by).boundary
            except (ValueError, TypeError):  # a dissolve GEOS cannot do
                shapes[("outline", outline_by)] = None
        if shapes[("outline", outline_by)] is not None:
            shapes[("outline", outline_by)].plot(ax=ax, color="#222", linewidth=0.9)
    if gaps is not None and len(gaps):
        import geopandas as gpd
        import shapely

        if "gaps" not in shapes:
            g = gaps.to_crs(comm.crs) if gaps.crs != comm.crs else gaps
            # one hatched shape: matplotlib hatches each polygon on its own (slow for
            # thousands)
            shapes["gaps"] = shapely.union_all(shapely.simplify(g.geometry.values,
                                                                MAP_SIMPLIFY_M))
        merged = shapes["gaps"]
        if not merged.is_empty:
            gpd.GeoSeries([merged], crs=comm.crs).plot(
                ax=ax, facecolor="none", edgecolor=styles.GAP.stroke, hatch="////",
                linewidth=0.4)
    if sites is not None and len(sites):
        s = sites.to_crs(comm.crs) if sites.crs != comm.crs else sites
        s = s.sort_values("rank", ascending=False) if "rank" in s.columns else s
        for i, (geom, rank) in enumerate(zip(s.geometry, s.get("rank", range(len(s), 0, -1)),
                                             strict=True)):
            ax.plot(geom.x, geom.y, "o", markersize=11, color=styles.PROPOSED.color,
                    markeredgecolor=styles.PROPOSED.stroke, markeredgewidth=1.5, zorder=10 + i)
            ax.text(geom.x, geom.y, str(int(rank)), color=styles.PROPOSED_LABEL_COLOR,
                    fontsize=7, fontweight="bold", ha="center", va="center", zorder=11 + i)
    # scale bar: a round length near a fifth of the width
    span = (maxx - minx) / 5
    mag = 10 ** math.floor(math.log10(span))
    length = max(x * mag for x in (1, 2, 5) if x * mag <= span)
    x0, y0 = minx + 0.03 * (maxx - minx), miny + 0.04 * (maxy - miny)
    ax.plot([x0, x0 + length], [y0, y0], color="#000", linewidth=2.5, solid_capstyle="butt")
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(x0 + length / 2, y0 + 0.015 * (maxy - miny), label, ha="center", va="bottom",
            fontsize=8)
    fig.subplots_adjust(0, 0, 1, 1)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=MAP_DPI)
    return buf.getvalue()


@functools.cache
def _draw_once_canvas() -> type:
    """An Agg canvas that ignores requests to redraw when idle (savefig still draws)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    class DrawOnceCanvas(FigureCanvasAgg):  # type: ignore[misc]
        def draw_idle(self, *args: Any, **kwargs: Any) -> None:
            return None

    return DrawOnceCanvas


def map_legend(lang: str, has_gaps: bool, has_sites: bool) -> Legend:
    """The legend of the static maps: coverage classes, no data, gaps, proposed sites."""
    items = [("fill", c.color, i18n.t(c.label_key, lang))
             for c in reversed(styles.COVERAGE_CLASSES)]
    items.append(("fill", styles.NO_DATA_COLOR, i18n.t("legend.nodata", lang)))
    if has_gaps:
        items.append(("hatch", "", i18n.t("legend.gap", lang)))
    if has_sites:
        items.append(("site", styles.PROPOSED.color, i18n.t("legend.proposed", lang)))
    return Legend(i18n.t("legend.coverage", lang) + i18n.t("sep.colon", lang), tuple(items))


# ------------------------------------------------------------------ written summary
def _people(v: float, lang: str) -> str:
    return i18n.t("people", lang, value=fmt_num(v, lang))


def summary_sentences(layers: ResultLayers, profile: Profile, lang: str,
                      plan_summary: Mapping[str, Any] | None = None) -> list[str]:
    """The report's opening paragraph as sentences: who meets each circle, the main
    missing services, what the proposed sites change, and Table 1 at a glance."""
    comm = layers.get("communities")
    out: list[str] = []
    if comm is None or len(comm) == 0:
        return out
    pop = comm["population"].astype(float) if "population" in comm.columns else \
        pd.Series(1.0, index=comm.index)
    out.append(i18n.t("summary.region", lang, n=f"{len(comm):,}",
                      pop=fmt_num(pop.sum(), lang)))
    circles = getattr(profile, "circles", {}) or {}
    for ckey, circle in circles.items():
        sel = (comm["kind"] == ckey) if "kind" in comm.columns else None
        if sel is None or not sel.any():
            continue
        live = sel & (pop > 0) & comm["cov_all"].notna()
        full = int(sum(_full(v) for v in comm.loc[live, "cov_all"]))
        out.append(i18n.t("summary.circle", lang,
                          kind=i18n.value_label("kind", ckey, lang) or ckey,
                          minutes=f"{circle.minutes:g}", full=f"{full:,}",
                          n=f"{int(live.sum()):,}",
                          share=fmt_pct(weighted_share(comm.loc[sel, "cov_all"], pop[sel]),
                                        lang)))
    # main missing services: population not covered, per service, largest first
    rows = []
    for c in [c for c in comm.columns if c.startswith("cov_") and c != "cov_all"]:
        v = comm[c].astype(float)
        ok = v.notna() & (pop > 0)
        if not ok.any():
            continue
        short = float(((1.0 - v[ok]) * pop[ok]).sum())
        if short > 0.5:
            n_comm = int(sum(not _full(x) for x in v[ok]))
            rows.append((short, c[4:], n_comm))
    rows.sort(reverse=True)
    if rows:
        items = i18n.t("sep.clause", lang).join(i18n.t("summary.gap_item", lang,
                                name=i18n.category_name(k, profile, lang),
                                people=fmt_num(s, lang), n=f"{n:,}")
                         for s, k, n in rows[:MAIN_GAPS])
        out.append(i18n.t("summary.gaps", lang, items=items))
    else:
        out.append(i18n.t("summary.no_gaps", lang))
    prop = layers.get("proposed_sites")
    if prop is not None and len(prop):
        new = float(prop["new_population"].sum()) if "new_population" in prop.columns \
            else math.nan
        text = i18n.t("summary.sites", lang, n=f"{len(prop):,}", people=fmt_num(new, lang))
        cov = (plan_summary or {}).get("coverage")
        if isinstance(cov, pd.DataFrame) and len(cov):
            text += i18n.t("summary.sites_change", lang, items=i18n.t("sep.clause", lang).join(
                f"{i18n.category_name(str(r['category']), profile, lang)} "
                f"{fmt_pct(r['share_before'], lang)} → {fmt_pct(r['share_after'], lang)}"
                for r in cov.to_dict("records")))
        after = layers.get("communities_after")
        if after is not None and "cov_all" in after.columns:
            merged = comm[["cid", "population"]].merge(after[["cid", "cov_all"]], on="cid")
            text += i18n.t("summary.sites_all", lang,
                           before=fmt_pct(weighted_share(comm["cov_all"], pop), lang),
                           after=fmt_pct(weighted_share(merged["cov_all"],
                                                        merged["population"]), lang))
        out.append(text)
    sc = layers.get("scorecard")
    if sc is not None and len(sc):
        region = _region_rows(sc)
        counts = region["status"].value_counts()
        out.append(i18n.t("summary.table1", lang, n=f"{len(region):,}",
                          passed=int(counts.get("pass", 0)), failed=int(counts.get("fail", 0)),
                          nodata=int(counts.get("no data", 0))))
    return out


#: Services named in the summary's "main missing services".
MAIN_GAPS = 5
#: A share at or above this counts as every resident covered (the top coverage class).
def _full(v: Any) -> bool:
    """Every resident covered: the top coverage class (``styles``' one definition)."""
    return styles.coverage_class(v) == len(styles.COVERAGE_CLASSES) - 1


def _region_rows(scorecard: Any) -> pd.DataFrame:
    """The region-wide rows of the scorecard (Table 1 in the body)."""
    sc = pd.DataFrame(scorecard)
    if "scope" not in sc.columns:
        return sc
    region = sc[sc["scope"].astype(str).isin(REGION_SCOPES)]
    return region if len(region) else sc


#: ``scope`` values of region-wide scorecard rows (others are one community each).
REGION_SCOPES = ("all", "communities", "townships", "urban", "rural", "districts")


# ------------------------------------------------------------------ page
_PAGE_CSS = f"""
body{{font-family:{FONT};margin:0;color:#222;background:#fafafa}}
main{{max-width:1100px;margin:0 auto;padding:16px 24px 48px;background:#fff}}
h1{{font-size:24px;margin:8px 0}} h2{{font-size:19px;margin-top:32px;border-bottom:2px solid #ddd;
padding-bottom:4px}} h3{{font-size:16px;margin-top:20px}}
.banner{{background:#fff3cd;border:1px solid #e0c060;padding:8px 12px;border-radius:4px}}
ul.summary li{{margin:4px 0;line-height:1.5}}
table{{border-collapse:collapse;font-size:13px}}
table.data th,table.data td{{border:1px solid #ddd;padding:3px 6px;vertical-align:top}}
table.data th{{background:#f0f0f0;position:sticky;top:0;min-width:3.2em}}
table.data td{{white-space:nowrap}}
table.data.wrap td,table.scorecard td{{white-space:normal;overflow-wrap:anywhere}}
table.kv th{{text-align:left;font-weight:normal;color:#555;padding:2px 14px 2px 0}}
table.kv td{{overflow-wrap:anywhere}}
td.num{{text-align:right;white-space:nowrap}} td.na{{color:#888}}
.scroll{{overflow-x:auto;max-height:640px;overflow-y:auto}}
.badge{{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;
white-space:nowrap}}
.badge.pass{{background:#1a9641}} .badge.fail{{background:#d7191c}}
.badge.nodata{{background:#888}}
.note{{color:#555;font-size:13px}} .small{{color:#666;font-size:12px}}
ul.warnings li{{margin:2px 0;overflow-wrap:anywhere}}
.stats{{display:flex;gap:16px;flex-wrap:wrap}}
.stat{{background:#f4f7fb;border-radius:6px;padding:8px 14px}}
.stat b{{display:block;font-size:20px}}
figure.mapfig{{margin:12px 0}}
img.map{{max-width:100%;height:auto;border:1px solid #ccc;box-sizing:border-box}}
figcaption{{font-size:13px;color:#555}}
.maplegend{{font-size:12px;color:#333;margin:4px 0}}
.maplegend>span{{display:inline-flex;align-items:center;gap:3px;margin-right:10px}}
.sw{{display:inline-block;width:14px;height:10px;border:1px solid #555}}
.sw.hatch{{background:repeating-linear-gradient(45deg,#252525 0 1.5px,#fff 1.5px 5px)}}
.sw.site{{width:14px;height:14px;border-radius:50%;background:{styles.PROPOSED.color};
color:#fff;border:2px solid {styles.PROPOSED.stroke};font-size:9px;line-height:14px;
text-align:center}}
svg{{max-width:100%;height:auto}}
@page{{size:A4 portrait;margin:14mm 12mm 16mm}}
@page wide{{size:A4 landscape;margin:12mm 10mm 14mm}}
@media print{{
  body{{background:#fff;font-size:10pt}}
  main{{max-width:none;padding:0;margin:0}}
  .scroll{{overflow:visible;max-height:none}}
  table{{font-size:8.5pt;width:100%}}
  table.data th{{position:static}}
  table.data td,table.data th{{white-space:normal;overflow-wrap:anywhere;padding:2px 3px}}
  table.data td.num{{white-space:nowrap}}
  thead{{display:table-header-group}}
  tr,img,figure,svg,.stat{{break-inside:avoid}}
  h2,h3{{break-after:avoid}}
  h2.newpage{{break-before:page}}
  section.appendix{{page:wide}}
  table.cov{{font-size:7.5pt}}
  table.cov td,table.cov th{{padding:1px 2px}}
  table.small-table{{font-size:7pt}}
  a{{color:inherit;text-decoration:none}}
  *{{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
}}
"""


def _with_unit(v: Any, unit: str, lang: str) -> str:
    """A Table-1 number with its unit in ``lang`` (``无数据``/``no data`` for NaN)."""
    if _isnan(v):
        return i18n.t("legend.nodata", lang)
    f = float(v)
    if not math.isfinite(f):
        return i18n.t("legend.nodata", lang)
    if unit == "%":
        return f"{f:.0f}%" if f.is_integer() else f"{f:.1f}%"
    text = f"{f:,.0f}" if f.is_integer() else f"{f:,.1f}"
    u = i18n.t(f"unit.{unit}", lang) if f"unit.{unit}" in i18n.TEXT else unit
    return f"{text} {u}".strip()


def _plan_value(key: str, v: Any, lang: str) -> str:
    """A planner fact in words (model and solver status named, gap as %)."""
    if key in ("model", "status", "solver") and f"plan.{key}.{v}" in i18n.TEXT:
        return i18n.t(f"plan.{key}.{v}", lang)
    if key == "gap":
        return (i18n.t("plan.gap_unknown", lang) if _isnan(v) or not math.isfinite(float(v))
                else f"{100 * float(v):.2f}%")
    if key in ("new_population", "unreachable_population"):
        return _people(float(v), lang)
    if key == "seconds":
        return f"{float(v):,.1f}"
    return _text(v, lang)


def _source_label(key: str, lang: str) -> str:
    """Where a Table-1 row comes from, in words (the profile entry is in the footnote)."""
    if key.isdigit():
        return i18n.t("report.src_table1", lang, n=key)
    return i18n.t("report.src_space", lang) if key.startswith("space.") else \
        i18n.t("report.src_profile", lang)


def scorecard_table(rows: Sequence[Mapping[str, str]], lang: str) -> Table:
    """Table 1 as the report shows it: number, indicator, target, current value, a
    pass/fail badge, note and basis; each row classed by its status."""
    head = tuple(i18n.t(f"report.sc.{c}", lang) for c in
                 ("no", "name", "target", "value", "status", "note", "source"))
    body, classes = [], []
    for i, r in enumerate(rows, start=1):
        cls = STATUS_CLASS.get(r["status"], "nodata")
        classes.append(f"status-{cls}")
        body.append((Cell(str(i), "num"), Cell(r["name"]), Cell(r["target_text"], "num"),
                     Cell(r["value_text"], "num"), Cell(r["status_label"], "badge", status=cls),
                     Cell(r["note"], "small"), Cell(r["source_label"], "small")))
    return Table(head, tuple(body), style="data scorecard", scroll=False,
                 row_styles=tuple(classes))


def _district_sentence(row: Mapping[str, Any], profile: Profile, lang: str) -> str:
    covs = [(float(row[c]), c[4:]) for c in row if str(c).startswith("cov_")
            and c != "cov_all" and not _isnan(row[c])]
    covs.sort()
    worst = [f"{i18n.category_name(k, profile, lang)} {fmt_pct(v, lang)}" for v, k in covs[:3]
             if not _full(v)]
    sep = i18n.t("sep.list", lang)
    text = i18n.t("report.district_line", lang, n=fmt_num(row.get("communities"), lang),
                  pop=fmt_num(row.get("population"), lang),
                  share=fmt_pct(row.get("cov_all"), lang))
    if worst:
        text += i18n.t("report.district_worst", lang, items=sep.join(worst))
    return text


def document(layers: ResultLayers, profile: Profile, *, lang: str = "zh",
             inputs: Sequence[Any] | None = None, warnings: Sequence[str] = (),
             plan_summary: Mapping[str, Any] | None = None,
             run_info: Mapping[str, Any] | None = None, maps: bool = True) -> Document:
    """The report as one :class:`~lifecircle.outputs.document.Document` (parameters as
    :func:`build`), rendered by :func:`build` to ``report.html`` and ``report.md``."""
    i18n.check_lang(lang)
    run_info = dict(run_info or {})
    input_rows = [dataclasses.asdict(x) if dataclasses.is_dataclass(x)
                  and not isinstance(x, type) else dict(x) for x in (inputs or [])]
    comm = layers.get("communities")
    demand = layers.get("demand")
    prop = layers.get("proposed_sites")
    gaps = layers.get("gaps")
    spatial_comm = comm is not None and len(comm) > 0 and getattr(comm, "crs", None) is not None
    sc = layers.get("scorecard")
    sc_rows = scorecard_rows(_region_rows(sc) if sc is not None else None, profile, lang)
    catalogue = list(getattr(profile, "categories", {}) or {})
    cov_keys = []
    if comm is not None:
        present = [c[4:] for c in comm.columns if c.startswith("cov_") and c != "cov_all"
                   and comm[c].notna().any()]
        cov_keys = styles.ordered_categories(present, catalogue)
    title = i18n.t("report.title", lang)
    project = run_info.get("project")
    kv_head = (i18n.t("report.key", lang), i18n.t("report.value", lang))
    out: list[Block] = []

    def section(key: str, style: str = "", **kw: Any) -> None:
        out.append(Heading(i18n.t(key, lang, **kw), 2, style))

    def note(key: str) -> None:
        out.append(Paragraph(i18n.t(key, lang), "note"))

    full_title = f"{title}{i18n.t('sep.colon', lang)}{project}" if project else title
    out.append(Heading(full_title, 1))
    if run_info.get("synthetic"):
        out.append(Paragraph(i18n.t("report.synthetic", lang), "banner"))

    # written summary first
    section("report.summary")
    out.append(Bullets(tuple(summary_sentences(layers, profile, lang, plan_summary)),
                       "summary"))

    # overview: key figures and the overview map
    section("report.overview")
    stats: list[tuple[str, str]] = []
    if comm is not None:
        pop = comm["population"] if "population" in comm.columns else None
        stats.append((i18n.t("report.n_communities", lang), f"{len(comm):,}"))
        if pop is not None:
            stats.append((i18n.t("report.population", lang), fmt_num(pop.sum(), lang)))
        if "cov_all" in comm.columns and "kind" in comm.columns and pop is not None:
            for kind in ("urban", "rural"):
                sel = comm["kind"] == kind
                if sel.any():
                    stats.append((i18n.t(f"report.cov_all_{kind}", lang),
                                  fmt_pct(weighted_share(comm.loc[sel, "cov_all"],
                                                         pop[sel]), lang)))
    out.append(Facts(tuple(stats), kv_head, "stats"))
    has_gaps = gaps is not None and len(gaps) > 0
    has_sites = prop is not None and len(prop) > 0
    legend = map_legend(lang, has_gaps, has_sites)
    map_shapes: dict[Any, Any] = {}  # shared by the overview and the district maps
    if maps and comm is not None and spatial_comm:
        caption = i18n.t("report.map_overview", lang)
        out.append(Figure(caption, png=static_map(comm, gaps if has_gaps else None,
                                                  prop if has_sites else None,
                                                  shapes=map_shapes),
                          caption=caption, legend=legend))

    # Table 1, region-wide
    section("report.scorecard", "newpage")
    if sc_rows:
        out.append(scorecard_table(sc_rows, lang))
        pfile = Path(getattr(profile, "path", "") or "").name or getattr(profile, "key", "")
        foot = i18n.t("report.sc_footnote", lang, file=pfile)
        out.append(Paragraph(f"{i18n.t('report.scorecard_note', lang)} {foot}", "note"))
    else:
        note("report.no_scorecard")

    # proposed sites and what they change
    section("report.proposed")
    if prop is not None and has_sites:
        names: dict[str, str] = {}
        if comm is not None and "cid" in comm.columns and "name" in comm.columns:
            names = dict(zip(comm["cid"].astype(str), comm["name"].astype(str), strict=True))
        sep = i18n.t("sep.list", lang)
        cols = ["rank", "name", "categories", "new_population", "communities", "is_idle_asset",
                "nearest_road_m"]
        head = [i18n.field_label(c, profile, lang, layer="proposed_sites") for c in cols]
        frame = pd.DataFrame(prop)
        if "rank" in frame.columns:
            frame = frame.sort_values("rank")
        body = []
        for r in frame.to_dict("records"):
            body.append([
                _num(r.get("rank"), lang), _text(r.get("name", ""), lang),
                category_names(r.get("categories"), profile, lang),
                fmt_num(r.get("new_population"), lang),
                sep.join(f"{names[c]} ({c})" if c in names else c
                         for c in split_keys(r.get("communities"))),
                fmt_bool(r.get("is_idle_asset"), lang), fmt_num(r.get("nearest_road_m"), lang)])
        out.append(Table.of_text(head, body))
    else:
        note("report.no_proposed")
    if plan_summary:
        for key, value in plan_summary.items():
            if not isinstance(value, pd.DataFrame) or value.empty:
                continue
            cols = [c for c in PLAN_TABLES.get(key, list(value.columns)) if c in value.columns]
            out.append(Heading(_lab("report.plantable", key, lang), 3))
            out.append(Table.of_text([_lab("report.plancol", c, lang) for c in cols],
                                     [[_cell(r[c], c, profile, lang) for c in cols]
                                      for r in value.to_dict("records")]))
        out.append(Heading(i18n.t("report.plan", lang), 3))
        out.append(Facts(tuple((_lab("report.planinfo", k, lang), _plan_value(k, v, lang))
                               for k, v in plan_summary.items()
                               if not isinstance(v, pd.DataFrame)), kv_head))

    # charts
    section("report.charts", "newpage")
    cov_rows = coverage_by_kind(comm, profile)
    if cov_rows:
        chart_title = i18n.t("report.chart_coverage", lang)
        out.append(Heading(chart_title, 3))
        out.append(Figure(chart_title, svg=coverage_chart(cov_rows, profile, lang),
                          data=Table.of_text(
                              [i18n.field_label("category", profile, lang),
                               i18n.t("kind.urban", lang), i18n.t("kind.rural", lang)],
                              [[i18n.category_name(k, profile, lang),
                                "" if math.isnan(u) else fmt_pct(u, lang),
                                "" if math.isnan(r) else fmt_pct(r, lang)]
                               for k, u, r in cov_rows])))
    circles = getattr(profile, "circles", {}) or {}
    drew = False
    for ckey, circle in circles.items():
        keys = [k for k in profile.required(ckey)] if hasattr(profile, "required") else []
        rows = time_rows(demand, comm, circle, keys)
        if rows:
            cname = circle.name(lang)
            chart_title = i18n.t("report.chart_times", lang, circle=cname)
            out.append(Heading(chart_title, 3))
            out.append(Figure(chart_title, svg=time_chart(demand, comm, circle, keys, profile,
                                                          lang, rows=rows),
                              data=time_table(rows, circle, profile, lang)))
            drew = True
    if drew:
        note("report.chart_times_note")
    elif demand is None or len(demand) == 0:
        note("report.no_demand")

    # supply and load, target groups, equity, scenarios (outputs.sections)
    out.extend(sections.render(layers, profile, lang))

    # one section per district
    sd = layers.get("summary_district")
    st = layers.get("summary_township")
    if sd is not None and len(sd) and "district" in pd.DataFrame(sd).columns:
        sd = pd.DataFrame(sd).sort_values("district", kind="stable")
        for row in sd.to_dict("records"):
            dname = str(row["district"])
            part: list[Block] = [Heading(i18n.t("report.district", lang, name=dname), 2,
                                         "newpage"),
                                 Paragraph(_district_sentence(row, profile, lang))]
            if maps and comm is not None and spatial_comm and "district" in comm.columns:
                mask = (comm["district"].astype(str) == dname).to_numpy()
                if mask.any():
                    part.append(Figure(dname, png=static_map(
                        comm, gaps if has_gaps else None, prop if has_sites else None,
                        focus=mask, outline_by="township" if "township" in comm.columns
                        else None, max_height_in=5.2, shapes=map_shapes), legend=legend))
            if st is not None and len(st) and "district" in pd.DataFrame(st).columns:
                sub = pd.DataFrame(st)
                sub = sub[sub["district"].astype(str) == dname]
                if len(sub):
                    sub = sub.drop(columns="district").sort_values(
                        [c for c in ("township",) if c in sub.columns], kind="stable")
                    part.append(Heading(i18n.t("report.coverage_township", lang), 3))
                    part.append(coverage_table(sub, profile, lang, cov_keys, "summary_township",
                                               style="data cov"))
            out.append(Section(tuple(part), "district"))

    # appendix A: every community, grouped by district
    if comm is not None and len(comm):
        part = [Heading(i18n.t("report.appendix_communities", lang), 2, "newpage"),
                Paragraph(i18n.t("report.appendix_note", lang), "note")]
        frame = pd.DataFrame(comm)
        groups = ([(str(k), g) for k, g in frame.groupby("district", sort=True)]
                  if "district" in frame.columns else [("", frame)])
        for dname, g in groups:
            g = g.sort_values([c for c in ("township", "cid") if c in g.columns], kind="stable")
            g = g.drop(columns=[c for c in ("district",) if c in g.columns])
            if dname:
                part.append(Heading(dname, 3))
            part.append(coverage_table(g, profile, lang, cov_keys, "communities",
                                       style="data cov small-table"))
        out.append(Section(tuple(part), "appendix"))

    # appendix B: profile, inputs, warnings, run
    section("report.profile", "newpage")
    pname = i18n.choose((getattr(profile, "name_zh", ""), getattr(profile, "name_en", "")), lang)
    out.append(Facts(((i18n.t("report.profile", lang), f"{getattr(profile, 'key', '')} — {pname}"),
                      (i18n.t("report.profile_file", lang), str(getattr(profile, "path", "")))),
                     kv_head))
    modes = getattr(profile, "modes", {}) or {}
    c_body = []
    for c in circles.values():
        mode = modes.get(c.mode)
        mname = mode.name(lang) if mode else c.mode
        c_body.append([c.name(lang), f"{c.minutes:g}", mname])
    m_body = [[m.name(lang), f"{m.speed_kmh:g}",
               i18n.t("sep.list", lang).join(
                   i18n.t(f"road.{x}", lang) for x in sorted(m.forbidden_classes))
               or i18n.t("none", lang)]
              for m in modes.values()]
    k_body = []
    for cat in (getattr(profile, "categories", {}) or {}).values():
        req = i18n.t("sep.list", lang).join(
            circles[c].name(lang)
            if c in circles else c for c in cat.circles)
        k_body.append([cat.name(lang), req or i18n.t("report.not_required", lang)])
    for sub_key, head_keys, body in (
            ("report.circles", ("report.circles", "report.limit", "report.mode"), c_body),
            ("report.modes", ("report.modes", "report.speed", "report.forbidden"), m_body),
            ("report.categories", ("report.categories", "report.required_by"), k_body)):
        out.append(Heading(i18n.t(sub_key, lang), 3))
        out.append(Table.of_text([i18n.t(k, lang) for k in head_keys], body))

    section("report.inputs")
    if input_rows:
        for r in input_rows:
            key = str(r.get("key", ""))
            if f"layer.{key}" in i18n.TEXT:
                r["key"] = i18n.t(f"layer.{key}", lang)
        out.append(_list_table(input_rows, "report.input", lang, style="data wrap"))
    else:
        note("report.no_inputs")

    section("report.warnings")
    if warnings:
        out.append(Bullets(tuple(i18n.render(w, lang) for w in warnings), "warnings"))
    else:
        note("report.no_warnings")

    section("report.run")
    items = tuple((_lab("report.runinfo", k, lang), _text(v, lang)) for k, v in run_info.items())
    if items:
        out.append(Facts(items, kv_head))
    files = [csv_name(k, lang) for k in CSV_FILES if _csv_source(layers, k) is not None]
    files += [sections.CSV_FILES[k] for k in sections.CSV_FILES
              if (sections.facility_load(layers) if k == "facility_load" else layers.get(k))
              is not None]
    out.append(Heading(i18n.t("report.files", lang), 3))
    out.append(Links(tuple(files)))
    stamp = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()
    out.append(Paragraph(f"{i18n.t('report.generated', lang, time=stamp)} · lifecircle",
                         "small"))
    return Document(full_title, lang, tuple(out), css=_PAGE_CSS,
                    figure_note=i18n.t("report.charts_md", lang))


def build(layers: ResultLayers, profile: Profile, out_dir: str | os.PathLike[str], *,
          lang: str = "zh", inputs: Sequence[Any] | None = None,
          warnings: Sequence[str] = (), plan_summary: Mapping[str, Any] | None = None,
          run_info: Mapping[str, Any] | None = None, maps: bool = True) -> dict[str, Path]:
    """Write ``report.html``, ``report.md`` and the CSV tables into ``out_dir``.

    The report reads top-down as a decision paper: a written summary, the region's key
    figures and overview map, Table 1 (region-wide rows; per-community rows go to
    ``scorecard_communities.csv``), the proposed sites and what they change, coverage per
    service, one section per district (map, figures, townships), then appendices
    (coverage of every community grouped by district, the profile, inputs, warnings, run).
    It prints to A4 (portrait; the wide community tables in landscape) with nothing
    clipped: no scroll boxes in print, tables that wrap and split with repeated headers.

    Parameters
    ----------
    layers
        Result layers by name (docs/contracts.md "Result layers"); any may be missing.
    profile
        The standards profile used (targets, names, circles, modes; cited as sources).
    out_dir
        Folder to write into (created if needed).
    lang
        ``zh`` (default) or ``en``.
    inputs
        One mapping (or ``layers.LayerInfo`` dataclass) per input layer: layer key, path,
        driver, encoding, source CRS, rows read/dropped, fields used, ...; shown as a table.
    warnings
        Data warnings collected while loading, listed verbatim (escaped).
    plan_summary
        The planner's summary (model, categories, sites, objective, gap, ...) or None.
    run_info
        Run facts (project, profile, working_crs, started, seconds, version, ...); a true
        ``synthetic`` entry adds a notice that the data are synthetic.
    maps
        Draw the static maps (matplotlib); False leaves them out.

    Returns
    -------
    dict
        File role (``html``, ``md``, ``scorecard``, ``communities``, ...) -> path written.

    Raises
    ------
    OutputError
        The folder or a file cannot be written.
    """
    i18n.check_lang(lang)
    out = Path(out_dir)
    doc = document(layers, profile, lang=lang, inputs=inputs, warnings=warnings,
                   plan_summary=plan_summary, run_info=run_info, maps=maps)
    written: dict[str, Path] = {}
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "report.html").write_text(to_html(doc), encoding="utf-8")
        written["html"] = out / "report.html"
        (out / "report.md").write_text(visible(to_markdown(doc), newlines=True),
                                      encoding="utf-8")
        written["md"] = out / "report.md"
    except OSError as e:
        raise notice(OutputError, "err.out.report", out=str(out), error=str(e.strerror)
                     ) from None
    written.update(write_tables(layers, profile, out, lang=lang))
    return written


def write_tables(layers: ResultLayers, profile: Profile, out_dir: str | os.PathLike[str], *,
                 lang: str = "zh") -> dict[str, Path]:
    """Write the CSV tables (UTF-8 with BOM, for Excel) of the result layers into ``out_dir``.

    Returns the written files by layer key.
    """
    out = Path(out_dir)
    written: dict[str, Path] = {}
    try:
        out.mkdir(parents=True, exist_ok=True)
        for key, fname in CSV_FILES.items():
            frame = _csv_source(layers, key)
            if frame is None:
                continue
            if key in ("scorecard", "scorecard_communities"):
                df = pd.DataFrame(frame).copy()
                rows = scorecard_rows(frame, profile, lang)
                df["source"] = [r["source"] for r in rows]
                df["name"] = [r["name"] for r in rows]
                if "note" in df.columns:
                    df["note"] = [r["note"] for r in rows]
                df = df.drop(columns=[c for c in ("entry",) if c in df.columns])
            else:
                df = _csv_frame(frame)
            layer = "scorecard" if key.startswith("scorecard") else key
            _write_csv(localise_table(df, layer, profile, lang), out / fname)
            written[key] = out / fname

        def write(frame: pd.DataFrame, key: str, fname: str) -> Path:
            _write_csv(localise_table(_csv_frame(frame), key, profile, lang), out / fname)
            return out / fname

        written.update(sections.write_tables(layers, write))
    except OSError as e:
        raise notice(OutputError, "err.out.csv", out=str(out), error=str(e.strerror)
                     ) from None
    return written


#: CSV rounding: decimals per column (shares are written as percentages).
CSV_DECIMALS = {"population": 0, "households": 0, "communities": 0, "new_population": 0,
                "access_m": 1, "nearest_road_m": 1, "circle_min": 1, "worst_min": 1,
                "target": 2, "value": 2, "x": 2, "y": 2, "lon": 6, "lat": 6,
                "covered_pop": 0, "group_residents": 0, "group_covered": 0, "facilities": 0,
                "units": 0, "load": 0, "capacity": 1, "ratio": 2, "supply_2sfca": 2,
                "supply_e2sfca": 2, "n_missing": 0, "delta": 2}
#: Decimals that differ by layer (Gini and Theil indices need three).
CSV_LAYER_DECIMALS = {("equity", "value"): 3}
#: CSV columns holding category keys (one or several).
CATEGORY_COLUMNS = ("category", "categories", "missing")
#: CSV columns holding shares 0..1 (written as percentages): exact names and prefixes.
SHARE_COLUMNS = ("group_share",)
SHARE_PREFIXES = ("cov_", "share", "gcov_", "d_cov_", "scn_")
#: Yes/no columns (booleans, or 0/1 as read back from a GeoPackage; empty = unknown).
FLAG_COLUMNS = ("over_capacity", "is_idle_asset", "snapped", "covered_all")
#: Coded columns whose values :func:`lifecircle.i18n.value_label` translates.
CODED_COLUMNS = ("kind", "status", "scenario", "scope", "measure", "capacity_from", "circle")


def _finite(v: pd.Series) -> pd.Series:
    """``v`` as numbers with ``inf`` as NaN (text that is no number: NaN too)."""
    if v.dtype == np.float64:  # the common case, without pandas' general machinery
        a = v.to_numpy(copy=True)
        a[np.isinf(a)] = np.nan
        return pd.Series(a, index=v.index, name=v.name)
    if v.dtype == np.int64:
        return v
    return pd.to_numeric(v, errors="coerce").replace([np.inf, -np.inf], np.nan)


def localise_table(df: pd.DataFrame, layer: str, profile: Profile | None, lang: str
                   ) -> pd.DataFrame:
    """A result table as people read it in ``lang``: headers are the field labels, coded
    values (kind, status, scenario, measure, categories, target groups, modes, yes/no) in
    words, shares as percentages with one decimal, other numbers rounded
    (:data:`CSV_DECIMALS`), no ``inf`` or ``nan`` (an empty cell). Column order is kept."""
    out = pd.DataFrame(index=df.index)
    sep = i18n.t("sep.cell", lang)
    groups = getattr(profile, "groups", {}) or {}
    modes = getattr(profile, "modes", {}) or {}

    def category(key: str) -> str:
        return i18n.t("equity.all", lang) if key == "all" else \
            i18n.category_name(key, profile, lang)

    def basis(key: Any) -> str:
        g = groups.get(str(key))
        return g.name(lang) if g is not None else i18n.field_label(str(key), profile, lang)

    for col in df.columns:
        v = df[col]
        label = i18n.field_label(col, profile, lang, layer=layer)
        if col in SHARE_COLUMNS or col.startswith(SHARE_PREFIXES):
            num = _finite(v)
            # a change of a share (d_cov_*) is in percentage points
            head = "head.pp" if col.startswith("d_") else "head.pct"
            out[i18n.t(head, lang, label=label)] = (100 * num).round(1)
            continue
        if col in CODED_COLUMNS:
            out[label] = [i18n.value_label(col, x, lang) or ("" if _isnan(x) else str(x))
                          for x in v]
        elif col == "mode":
            out[label] = ["" if _isnan(x) else
                          (modes[x].name(lang) if x in modes else x)
                          for x in v]
        elif col in ("group", "load_of"):
            out[label] = ["" if _isnan(x) else basis(x) for x in v]
        elif col in CATEGORY_COLUMNS:
            out[label] = [sep.join(category(k) for k in split_keys(x)) for x in v]
        elif col in FLAG_COLUMNS or v.dtype == bool or str(v.dtype) == "boolean":
            out[label] = [("" if _isnan(x) else i18n.t("yes" if x else "no", lang)) for x in v]
        elif col == "unit":
            out[label] = [i18n.t(f"unit.{u}", lang) if f"unit.{u}" in i18n.TEXT
                          else ("" if _isnan(u) else u) for u in v]
        elif pd.api.types.is_numeric_dtype(v):
            num = _finite(v)
            d = CSV_LAYER_DECIMALS.get((layer, col), CSV_DECIMALS.get(
                col, 2 if col.startswith("t_") else 3))
            out[label] = num.round(d).astype("Int64") if d == 0 else num.round(d)
        else:
            out[label] = v
    return out


def csv_name(key: str, lang: str = "zh") -> str:
    """File name of a CSV table (stable, English, whatever the language of its content)."""
    return CSV_FILES[key]


def _csv_source(layers: ResultLayers, key: str) -> Any:
    """The frame a CSV table is written from: Table 1 split into region-wide rows
    (``scorecard``) and per-community rows (``scorecard_communities``)."""
    if key in ("scorecard", "scorecard_communities"):
        sc = layers.get("scorecard")
        if sc is None:
            return None
        region = _region_rows(sc)
        if key == "scorecard":
            return region
        rest = pd.DataFrame(sc).drop(index=region.index)
        return rest if len(rest) else None
    frame = layers.get(key)
    return frame if frame is not None else None
