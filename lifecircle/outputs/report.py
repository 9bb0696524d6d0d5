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
import html
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lifecircle import i18n
from lifecircle.errors import OutputError
from lifecircle.outputs import styles
from lifecircle.outputs.webmap import category_names, fmt_bool, fmt_num, fmt_pct, split_keys

FONT = ("'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',"
        "'WenQuanYi Micro Hei',sans-serif")
URBAN_COLOR = "#2b83ba"
RURAL_COLOR = "#fdae61"
CSV_FILES = {
    "scorecard": "scorecard.csv",
    "communities": "coverage_communities.csv",
    "summary_district": "coverage_district.csv",
    "summary_township": "coverage_township.csv",
    "proposed_sites": "proposed_sites.csv",
}
STATUS_CLASS = {"pass": "pass", "fail": "fail", "no data": "nodata"}
RUN_LABELS: dict[str, tuple[str, str]] = {
    "project": ("项目", "project"),
    "project_file": ("项目文件", "project file"),
    "profile": ("标准配置", "profile"),
    "working_crs": ("工作坐标系", "working CRS"),
    "started": ("开始时间", "started"),
    "seconds": ("用时(秒)", "duration (s)"),
    "version": ("lifecircle 版本", "lifecircle version"),
    "synthetic": ("合成演示数据", "synthetic demo data"),
    "lang": ("语言", "language"),
    "command": ("命令", "command"),
}
INPUT_LABELS: dict[str, tuple[str, str]] = {
    "key": ("图层", "layer"), "layer_key": ("图层", "layer"), "path": ("路径", "path"),
    "layer": ("数据层", "source layer"), "driver": ("格式", "format"),
    "encoding": ("编码", "encoding"), "source_crs": ("源坐标系", "source CRS"),
    "rows_read": ("读取行数", "rows read"), "rows_dropped": ("剔除行数", "rows dropped"),
    "rows_repaired": ("修复行数", "rows repaired"), "crs": ("坐标系", "CRS"),
    "encoding_source": ("编码来源", "encoding from"),
    "rows_converted": ("转为点的行数", "rows converted to points"),
    "fields": ("字段对应", "fields used"), "bounds_lonlat": ("经纬度范围", "extent (lon/lat)"),
    "raster": ("栅格", "raster"),
}
PLAN_LABELS: dict[str, tuple[str, str]] = {
    "model": ("模型", "model"), "categories": ("服务类别", "categories"),
    "sites": ("新址数量", "sites"), "status": ("求解状态", "status"),
    "objective": ("目标函数值", "objective"), "gap": ("最优性差距", "optimality gap"),
    "seconds": ("求解用时(秒)", "solve time (s)"), "solver": ("求解器", "solver"),
    "new_population": ("新覆盖人口", "newly covered population"),
    "unreachable_population": ("任何候选都无法覆盖的人口", "population no candidate reaches"),
}


#: Tables of the plan summary: title and columns.
PLAN_TABLES: dict[str, tuple[tuple[str, str], list[str]]] = {
    "coverage": (("规划前后覆盖", "coverage before and after"),
                 ["category", "population", "covered_before", "share_before", "covered_after",
                  "share_after", "new_population"]),
    "unreached": (("任何候选都无法覆盖的人口", "residents no candidate reaches"),
                  ["category", "reason", "population", "points"]),
}
PLAN_COLUMNS: dict[str, tuple[str, str]] = {
    "category": ("服务类别", "category"), "population": ("人口", "population"),
    "covered_before": ("规划前覆盖人口", "covered before"),
    "share_before": ("规划前覆盖率", "share before"),
    "covered_after": ("规划后覆盖人口", "covered after"),
    "share_after": ("规划后覆盖率", "share after"),
    "new_population": ("新覆盖人口", "newly covered"), "reason": ("原因", "reason"),
    "points": ("需求点数", "demand points"),
}
REASONS: dict[str, tuple[str, str]] = {
    "no candidate within reach": ("圈内无候选用地", "no candidate within reach"),
    "disconnected road piece": ("道路网络不连通", "disconnected road piece"),
    "off-network": ("远离道路", "off-network"),
}


def _cell(v: Any, column: str, profile: Any, lang: str) -> str:
    """One cell of a plan table: category names, shares as %, people rounded."""
    if column == "category":
        return i18n.category_name(str(v), profile, lang)
    if column == "reason":
        return _lab(REASONS, str(v), lang)
    if column.startswith("share"):
        return "-" if _isnan(v) else f"{100 * float(v):.1f}%"
    if column in ("population", "covered_before", "covered_after", "new_population"):
        return fmt_num(v, lang)
    return _text(v, lang)


def _esc(v: Any) -> str:
    return html.escape(str(v), quote=True)


def _lab(table: Mapping[str, tuple[str, str]], key: str, lang: str) -> str:
    pair = table.get(key)
    return key if pair is None else (pair[0] if lang == "zh" else pair[1])


def _isnan(v: Any) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _text(v: Any, lang: str) -> str:
    """Plain text of any cell value (lists joined, NaN -> 'no data', floats trimmed)."""
    if isinstance(v, (list, tuple, set, frozenset, np.ndarray)):
        return ", ".join(_text(x, lang) for x in v)
    if isinstance(v, Mapping):
        return ", ".join(f"{k}={_text(x, lang)}" for k, x in v.items())
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
def weighted_share(values: Any, weights: Any) -> float:
    """Population-weighted mean of shares, ignoring NaN values and non-positive weights."""
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    ok = np.isfinite(v) & np.isfinite(w) & (w > 0)
    return float((v[ok] * w[ok]).sum() / w[ok].sum()) if ok.any() else math.nan


def weighted_percentiles(values: Any, weights: Any, qs: Sequence[float]) -> list[float]:
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


def coverage_by_kind(communities: Any, profile: Any) -> list[tuple[str, float, float]]:
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


def coverage_chart(rows: Sequence[tuple[str, float, float]], profile: Any, lang: str) -> str:
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


def time_chart(demand: Any, communities: Any, circle: Any, keys: Sequence[str], profile: Any,
               lang: str) -> str:
    """Box-and-whisker rows of travel minutes per category for one circle (inline SVG)."""
    if demand is None or len(demand) == 0:
        return ""
    kinds = None
    if communities is not None and "cid" in demand.columns and "cid" in communities.columns \
            and "kind" in communities.columns:
        kinds = demand["cid"].astype(str).map(
            dict(zip(communities["cid"].astype(str), communities["kind"], strict=True)))
    sel = demand if kinds is None else demand[(kinds == circle.key).to_numpy()]
    if len(sel) == 0:
        return ""
    pop = sel["population"] if "population" in sel.columns else pd.Series(1.0, index=sel.index)
    rows = []
    for k in keys:
        col = f"t_{k}"
        if col not in sel.columns:
            continue
        p10, p25, p50, p75, p90 = weighted_percentiles(sel[col], pop, (.1, .25, .5, .75, .9))
        t = np.asarray(sel[col], dtype=float)
        within = weighted_share(np.where(np.isnan(t), 0.0, (t <= circle.minutes) * 1.0), pop)
        rows.append((k, (p10, p25, p50, p75, p90), within))
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
        tip = " / ".join(_num(v, lang) if math.isfinite(v) else i18n.t("unreachable", lang)
                         for v in (p10, p25, p50, p75, p90))
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
                               (f"{fmt_pct(within, lang)} ≤ {circle.minutes:g}"
                                + ("分" if lang == "zh" else " min")), size=11, color="#333"))
    parts.append("</svg>")
    return "".join(parts)


# ------------------------------------------------------------------ tables
def _cov_cell(v: Any, lang: str) -> str:
    if _isnan(v):
        return f'<td class="num na">{_esc(i18n.t("legend.nodata", lang))}</td>'
    color = styles.coverage_color(v)
    dark = styles.coverage_class(v) in (0, len(styles.COVERAGE_CLASSES) - 1)
    fg = ";color:#fff" if dark else ""
    return f'<td class="num" style="background:{color}{fg}">{_esc(fmt_pct(v, lang))}</td>'


def _coverage_rows(frame: Any, profile: Any, lang: str, keys: Sequence[str], layer: str
                   ) -> tuple[list[str], list[list[tuple[str, Any]]]]:
    """Header and cells of a coverage table, shared by the HTML and Markdown reports.

    Each cell is ``(kind, value)``: ``text`` and ``num`` carry display text, ``cov`` the
    raw share (coloured in HTML, a percentage in Markdown).
    """
    base = [c for c in ("cid", "name", "kind", "district", "township", "communities",
                        "population", "households", "circle_min", "cov_all", "missing",
                        "worst_min") if c in frame.columns]
    covs = [f"cov_{k}" for k in keys if f"cov_{k}" in frame.columns]
    head = ([i18n.field_label(c, profile, lang, layer=layer) for c in base]
            + [i18n.category_name(c[4:], profile, lang) for c in covs])
    body = []
    for row in frame.to_dict("records"):
        cells: list[tuple[str, Any]] = []
        for c in base:
            v = row.get(c)
            if c.startswith("cov_"):
                cells.append(("cov", v))
            elif c == "kind":
                cells.append(("text", i18n.value_label("kind", v, lang) or _text(v, lang)))
            elif c == "missing":
                cells.append(("text", category_names(v, profile, lang)))
            elif c in ("population", "households", "communities"):
                cells.append(("num", fmt_num(v, lang)))
            elif c in ("circle_min", "worst_min"):
                cells.append(("num", _num(v, lang)))
            else:
                cells.append(("text", _text(v, lang)))
        cells += [("cov", row.get(c)) for c in covs]
        body.append(cells)
    return head, body


def _coverage_table(head: Sequence[str], body: Sequence[Sequence[tuple[str, Any]]],
                    lang: str) -> str:
    """HTML of :func:`_coverage_rows`, coverage cells coloured like the map."""
    def cell(kind: str, v: Any) -> str:
        if kind == "cov":
            return _cov_cell(v, lang)
        return f'<td class="num">{_esc(v)}</td>' if kind == "num" else f"<td>{_esc(v)}</td>"

    head_html = "".join(f"<th>{_esc(x)}</th>" for x in head)
    rows = "".join("<tr>" + "".join(cell(k, v) for k, v in r) + "</tr>" for r in body)
    return (f'<div class="scroll"><table class="data"><thead><tr>{head_html}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


def _kv_table(items: Sequence[tuple[str, str]]) -> str:
    rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in items)
    return f'<table class="kv">{rows}</table>'


def _list_table(rows: Sequence[Mapping[str, Any]], labels: Mapping[str, tuple[str, str]],
                lang: str) -> tuple[list[str], list[list[str]]]:
    keys: list[str] = []
    for r in rows:
        for k in r:
            if k not in keys:
                keys.append(k)
    head = [_lab(labels, k, lang) for k in keys]
    body = [[_text(r.get(k), lang) if r.get(k) is not None else "" for k in keys] for r in rows]
    return head, body


def _html_table(head: Sequence[str], body: Sequence[Sequence[str]], cls: str = "data") -> str:
    h = "".join(f"<th>{_esc(x)}</th>" for x in head)
    b = "".join("<tr>" + "".join(f"<td>{_esc(x)}</td>" for x in r) + "</tr>" for r in body)
    return f'<div class="scroll"><table class="{cls}"><thead><tr>{h}</tr></thead>' \
           f"<tbody>{b}</tbody></table></div>"


def _md_cell(v: Any) -> str:
    text = html.escape(str(v), quote=False).replace("\n", " ").replace("\r", " ")
    for ch in ("\\", "|", "*", "_", "`", "[", "]"):
        text = text.replace(ch, "\\" + ch)
    return text


def _md_table(head: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(_md_cell(h) for h in head) + " |",
             "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in body]
    return "\n".join(lines)


# ------------------------------------------------------------------ scorecard
def scorecard_rows(scorecard: Any, profile: Any, lang: str) -> list[dict[str, str]]:
    """Display rows of the Table-1 scorecard with the profile entry of every number."""
    if scorecard is None:
        return []
    out = []
    pfile = Path(getattr(profile, "path", "") or "").name or getattr(profile, "key", "")
    for r in scorecard.to_dict("records"):
        key = str(r.get("indicator", ""))
        ind = (getattr(profile, "indicators", {}) or {}).get(key)
        name = (ind.name_zh if lang == "zh" else ind.name_en) if ind is not None \
            else str(r.get("name", key))
        status = str(r.get("status", "no data"))
        method = ""
        if ind is not None:
            detail = ind.field or ind.category or ""
            method = f"{ind.method} ({detail})" if detail else ind.method
        out.append({
            "indicator": key, "name": name, "target": _num(r.get("target"), lang),
            "value": ("—" if _isnan(r.get("value")) else _num(r.get("value"), lang)),
            "unit": _text(r.get("unit", ""), lang) if not _isnan(r.get("unit")) else "",
            "status": status,
            "status_label": i18n.t(f"score.{status}", lang),
            "scope": "" if _isnan(r.get("scope")) else str(r.get("scope")),
            "source": f"{pfile} [indicators.{key}]" if ind is not None else "",
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
    frame.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


# ------------------------------------------------------------------ page
_PAGE_CSS = f"""
body{{font-family:{FONT};margin:0;color:#222;background:#fafafa}}
main{{max-width:1100px;margin:0 auto;padding:16px 24px 48px;background:#fff}}
h1{{font-size:24px;margin:8px 0}} h2{{font-size:19px;margin-top:32px;border-bottom:2px solid #ddd;
padding-bottom:4px}} h3{{font-size:16px;margin-top:20px}}
.banner{{background:#fff3cd;border:1px solid #e0c060;padding:8px 12px;border-radius:4px}}
table{{border-collapse:collapse;font-size:13px}}
table.data th,table.data td{{border:1px solid #ddd;padding:3px 6px;vertical-align:top}}
table.data th{{background:#f0f0f0;position:sticky;top:0;min-width:3.2em}}
table.data td{{white-space:nowrap}}
table.kv th{{text-align:left;font-weight:normal;color:#555;padding:2px 14px 2px 0}}
td.num{{text-align:right;white-space:nowrap}} td.na{{color:#888}}
.scroll{{overflow-x:auto;max-height:640px;overflow-y:auto}}
.badge{{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px}}
.badge.pass{{background:#1a9641}} .badge.fail{{background:#d7191c}}
.badge.nodata{{background:#888}}
.note{{color:#555;font-size:13px}} .small{{color:#666;font-size:12px}}
ul.warnings li{{margin:2px 0}}
.stats{{display:flex;gap:16px;flex-wrap:wrap}}
.stat{{background:#f4f7fb;border-radius:6px;padding:8px 14px}}
.stat b{{display:block;font-size:20px}}
"""


def build(layers: Mapping[str, Any], profile: Any, out_dir: str | os.PathLike[str], *,
          lang: str = "zh", inputs: Sequence[Any] | None = None,
          warnings: Sequence[str] = (), plan_summary: Mapping[str, Any] | None = None,
          run_info: Mapping[str, Any] | None = None) -> dict[str, Path]:
    """Write ``report.html``, ``report.md`` and the CSV tables into ``out_dir``.

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
    run_info = dict(run_info or {})
    inputs = [dataclasses.asdict(x) if dataclasses.is_dataclass(x) else dict(x)
              for x in (inputs or [])]
    comm = layers.get("communities")
    demand = layers.get("demand")
    prop = layers.get("proposed_sites")
    sc_rows = scorecard_rows(layers.get("scorecard"), profile, lang)
    catalogue = list(getattr(profile, "categories", {}) or {})
    cov_keys = []
    if comm is not None:
        present = [c[4:] for c in comm.columns if c.startswith("cov_") and c != "cov_all"
                   and comm[c].notna().any()]
        cov_keys = styles.ordered_categories(present, catalogue)
    title = i18n.t("report.title", lang)
    project = run_info.get("project")
    h: list[str] = []  # html body
    md: list[str] = []

    def section(key: str, **kw: Any) -> None:
        h.append(f"<h2>{_esc(i18n.t(key, lang, **kw))}</h2>")
        md.append(f"\n## {_md_cell(i18n.t(key, lang, **kw))}\n")

    full_title = f"{title}：{project}" if project and lang == "zh" else \
        (f"{title}: {project}" if project else title)
    h.append(f"<h1>{_esc(full_title)}</h1>")
    md.append(f"# {_md_cell(full_title)}\n")
    if run_info.get("synthetic"):
        h.append(f'<p class="banner">{_esc(i18n.t("report.synthetic", lang))}</p>')
        md.append(f"> **{_md_cell(i18n.t('report.synthetic', lang))}**\n")

    # overview
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
    h.append('<div class="stats">' + "".join(
        f'<div class="stat"><b>{_esc(v)}</b>{_esc(k)}</div>' for k, v in stats) + "</div>")
    md.append(_md_table([i18n.t("report.key", lang), i18n.t("report.value", lang)],
                        [[k, v] for k, v in stats]))

    # scorecard
    section("report.scorecard")
    head = [i18n.field_label(c, profile, lang) for c in
            ("indicator", "name", "target", "value", "unit", "status", "scope")]
    head.append(i18n.t("report.source", lang))
    if sc_rows:
        rows_html = []
        for r in sc_rows:
            rows_html.append(
                f'<tr class="status-{STATUS_CLASS.get(r["status"], "nodata")}">'
                f"<td>{_esc(r['indicator'])}</td><td>{_esc(r['name'])}</td>"
                f'<td class="num">{_esc(r["target"])}</td><td class="num">{_esc(r["value"])}'
                f"</td><td>{_esc(r['unit'])}</td>"
                f'<td><span class="badge {STATUS_CLASS.get(r["status"], "nodata")}">'
                f"{_esc(r['status_label'])}</span></td><td>{_esc(r['scope'])}</td>"
                f'<td class="small">{_esc(r["source"])}<br>{_esc(r["method"])}</td></tr>')
        h.append('<div class="scroll"><table class="data scorecard"><thead><tr>'
                 + "".join(f"<th>{_esc(x)}</th>" for x in head) + "</tr></thead><tbody>"
                 + "".join(rows_html) + "</tbody></table></div>")
        md.append(_md_table(head, [[r["indicator"], r["name"], r["target"], r["value"],
                                    r["unit"], r["status_label"], r["scope"],
                                    f"{r['source']} {r['method']}".strip()] for r in sc_rows]))
    h.append(f'<p class="note">{_esc(i18n.t("report.scorecard_note", lang))}</p>')
    md.append(f"\n{_md_cell(i18n.t('report.scorecard_note', lang))}\n")

    # charts
    section("report.charts")
    md.append(f"{_md_cell('图表见 report.html。' if lang == 'zh' else 'Charts: see report.html.')}")
    cov_rows = coverage_by_kind(comm, profile)
    if cov_rows:
        h.append(f"<h3>{_esc(i18n.t('report.chart_coverage', lang))}</h3>")
        h.append(coverage_chart(cov_rows, profile, lang))
        md.append("\n### " + _md_cell(i18n.t("report.chart_coverage", lang)) + "\n")
        md.append(_md_table(
            [i18n.field_label("category", profile, lang), i18n.t("kind.urban", lang),
             i18n.t("kind.rural", lang)],
            [[i18n.category_name(k, profile, lang),
              "" if math.isnan(u) else fmt_pct(u, lang),
              "" if math.isnan(r) else fmt_pct(r, lang)] for k, u, r in cov_rows]))
    circles = getattr(profile, "circles", {}) or {}
    drew = False
    for ckey, circle in circles.items():
        keys = [k for k in profile.required(ckey)] if hasattr(profile, "required") else []
        svg = time_chart(demand, comm, circle, keys, profile, lang)
        if svg:
            cname = circle.name_zh if lang == "zh" else circle.name_en
            h.append(f"<h3>{_esc(i18n.t('report.chart_times', lang, circle=cname))}</h3>")
            h.append(svg)
            drew = True
    if drew:
        h.append(f'<p class="note">{_esc(i18n.t("report.chart_times_note", lang))}</p>')
    elif demand is None or len(demand) == 0:
        h.append(f'<p class="note">{_esc(i18n.t("report.no_demand", lang))}</p>')

    # coverage tables
    for key, name in (("report.coverage_district", "summary_district"),
                      ("report.coverage_township", "summary_township"),
                      ("report.coverage_communities", "communities")):
        frame = layers.get(name)
        if frame is None:
            continue
        section(key)
        frame = pd.DataFrame(frame)
        sort = [c for c in ("district", "township", "cid") if c in frame.columns]
        if sort:
            frame = frame.sort_values(sort, kind="stable")
        head, body = _coverage_rows(frame, profile, lang, cov_keys, name)
        h.append(_coverage_table(head, body, lang))
        md.append(_md_table(head, [[fmt_pct(v, lang) if k == "cov" else v for k, v in r]
                                   for r in body]))

    # proposed sites
    section("report.proposed")
    if prop is not None and len(prop) > 0:
        names: dict[str, str] = {}
        if comm is not None and "cid" in comm.columns and "name" in comm.columns:
            names = dict(zip(comm["cid"].astype(str), comm["name"].astype(str), strict=True))
        sep = "、" if lang == "zh" else ", "
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
                fmt_bool(r.get("is_idle_asset"), lang), _num(r.get("nearest_road_m"), lang)])
        h.append(_html_table(head, body))
        md.append(_md_table(head, body))
    else:
        h.append(f'<p class="note">{_esc(i18n.t("report.no_proposed", lang))}</p>')
        md.append(_md_cell(i18n.t("report.no_proposed", lang)))
    if plan_summary:
        h.append(f"<h3>{_esc(i18n.t('report.plan', lang))}</h3>")
        scalars = {k: v for k, v in plan_summary.items() if not isinstance(v, pd.DataFrame)}
        items = [(_lab(PLAN_LABELS, k, lang), _text(v, lang)) for k, v in scalars.items()]
        h.append(_kv_table(items))
        md.append(f"\n### {_md_cell(i18n.t('report.plan', lang))}\n")
        md.append(_md_table([i18n.t("report.key", lang), i18n.t("report.value", lang)],
                            [list(x) for x in items]))
        for key, frame in plan_summary.items():
            if not isinstance(frame, pd.DataFrame) or frame.empty:
                continue
            title, cols = PLAN_TABLES.get(key, ((key, key), list(frame.columns)))
            cols = [c for c in cols if c in frame.columns]
            head = [_lab(PLAN_COLUMNS, c, lang) for c in cols]
            body = [[_cell(r[c], c, profile, lang) for c in cols]
                    for r in frame.to_dict("records")]
            h.append(f"<h4>{_esc(title[0] if lang == 'zh' else title[1])}</h4>")
            h.append(_html_table(head, body))
            md.append(f"\n#### {_md_cell(title[0] if lang == 'zh' else title[1])}\n")
            md.append(_md_table(head, body))

    # profile
    section("report.profile")
    pname = getattr(profile, "name_zh", "") if lang == "zh" else getattr(profile, "name_en", "")
    items = [(i18n.t("report.profile", lang), f"{getattr(profile, 'key', '')} — {pname}"),
             (i18n.t("report.profile_file", lang), str(getattr(profile, "path", "")))]
    h.append(_kv_table(items))
    md.append(_md_table([i18n.t("report.key", lang), i18n.t("report.value", lang)],
                        [list(x) for x in items]))
    modes = getattr(profile, "modes", {}) or {}
    c_head = [i18n.t("report.circles", lang), i18n.t("report.limit", lang),
              i18n.t("report.mode", lang), i18n.t("report.source", lang)]
    c_body = []
    for ckey, c in circles.items():
        mode = modes.get(c.mode)
        mname = (mode.name_zh if lang == "zh" else mode.name_en) if mode else c.mode
        c_body.append([c.name_zh if lang == "zh" else c.name_en, f"{c.minutes:g}", mname,
                       f"[circles.{ckey}]"])
    m_head = [i18n.t("report.modes", lang), i18n.t("report.speed", lang),
              i18n.t("report.forbidden", lang), i18n.t("report.source", lang)]
    m_body = [[m.name_zh if lang == "zh" else m.name_en, f"{m.speed_kmh:g}",
               ", ".join(sorted(m.forbidden_classes)), f"[modes.{k}]"]
              for k, m in modes.items()]
    k_head = [i18n.t("report.categories", lang), "key", i18n.t("report.required_by", lang)]
    k_body = []
    for k, cat in (getattr(profile, "categories", {}) or {}).items():
        req = ", ".join((circles[c].name_zh if lang == "zh" else circles[c].name_en)
                        if c in circles else c for c in cat.circles)
        k_body.append([cat.name(lang), k, req or i18n.t("report.not_required", lang)])
    for sub, hd, bd in ((i18n.t("report.circles", lang), c_head, c_body),
                        (i18n.t("report.modes", lang), m_head, m_body),
                        (i18n.t("report.categories", lang), k_head, k_body)):
        h.append(f"<h3>{_esc(sub)}</h3>" + _html_table(hd, bd))
        md.append(f"\n### {_md_cell(sub)}\n")
        md.append(_md_table(hd, bd))

    # inputs
    section("report.inputs")
    if inputs:
        for r in inputs:
            key = str(r.get("key", ""))
            if f"layer.{key}" in i18n.TEXT:
                r["key"] = f"{i18n.t(f'layer.{key}', lang)} ({key})"
        hd, bd = _list_table(inputs, INPUT_LABELS, lang)
        h.append(_html_table(hd, bd))
        md.append(_md_table(hd, bd))
    else:
        h.append(f'<p class="note">{_esc(i18n.t("report.no_inputs", lang))}</p>')
        md.append(_md_cell(i18n.t("report.no_inputs", lang)))

    # warnings
    section("report.warnings")
    if warnings:
        h.append('<ul class="warnings">' + "".join(f"<li>{_esc(w)}</li>" for w in warnings)
                 + "</ul>")
        md.append("\n".join(f"- {_md_cell(w)}" for w in warnings))
    else:
        h.append(f'<p class="note">{_esc(i18n.t("report.no_warnings", lang))}</p>')
        md.append(_md_cell(i18n.t("report.no_warnings", lang)))

    # run info
    section("report.run")
    items = [(_lab(RUN_LABELS, k, lang), _text(v, lang)) for k, v in run_info.items()]
    if items:
        h.append(_kv_table(items))
        md.append(_md_table([i18n.t("report.key", lang), i18n.t("report.value", lang)],
                            [list(x) for x in items]))
    files = [CSV_FILES[k] for k in CSV_FILES if _csv_source(layers, k) is not None]
    h.append(f"<h3>{_esc(i18n.t('report.files', lang))}</h3><ul>"
             + "".join(f'<li><a href="{_esc(f)}">{_esc(f)}</a></li>' for f in files) + "</ul>")
    md.append(f"\n### {_md_cell(i18n.t('report.files', lang))}\n")
    md.append("\n".join(f"- [{_md_cell(f)}]({f})" for f in files))
    stamp = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()
    h.append(f'<p class="small">{_esc(i18n.t("report.generated", lang, time=stamp))} · '
             "lifecircle</p>")

    page = (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
            '<meta charset="utf-8"><meta name="viewport" content="width=device-width,'
            f'initial-scale=1"><title>{_esc(full_title)}</title><style>{_PAGE_CSS}</style>'
            "</head><body><main>\n" + "\n".join(h) + "\n</main></body></html>\n")
    written: dict[str, Path] = {}
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "report.html").write_text(page, encoding="utf-8")
        written["html"] = out / "report.html"
        (out / "report.md").write_text("\n".join(md) + "\n", encoding="utf-8")
        written["md"] = out / "report.md"
    except OSError as e:
        raise OutputError(f"{out}: cannot write the report ({e.strerror}); fix: choose a "
                          "writable folder with free disk space") from None
    written.update(write_tables(layers, profile, out, lang=lang))
    return written


def write_tables(layers: Mapping[str, Any], profile: Any, out_dir: str | os.PathLike[str], *,
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
            if key == "scorecard":
                df = pd.DataFrame(frame).copy()
                df["source"] = [r["source"] for r in scorecard_rows(frame, profile, lang)]
            else:
                df = _csv_frame(frame)
            _write_csv(df, out / fname)
            written[key] = out / fname
    except OSError as e:
        raise OutputError(f"{out}: cannot write the CSV tables ({e.strerror}); fix: choose a "
                          "writable folder with free disk space") from None
    return written


def _csv_source(layers: Mapping[str, Any], key: str) -> Any:
    frame = layers.get(key)
    return frame if frame is not None else None
