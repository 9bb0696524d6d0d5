"""Report sections beyond covered-or-not: supply and load, target groups, equity (with a
Lorenz curve) and scenarios.

Each section reads only result layers (``facilities`` with ``load capacity
over_capacity``, ``communities`` with ``sup_<key>`` and ``esup_<key>``, the tables
``target_groups``, ``equity`` and ``scenarios``) and returns blocks of the report's
document (:mod:`lifecircle.outputs.document`); a layer that is missing leaves its section
out, so older results still render.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lifecircle import i18n
from lifecircle.accessibility.equity import lorenz
from lifecircle.outputs.document import Block, Figure, Heading, Paragraph, Table

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from lifecircle.outputs import ResultLayers
    from lifecircle.profile import Profile

#: CSV tables of these sections: layer -> file name.
CSV_FILES = {
    "facility_load": "facility_load.csv",
    "target_groups": "target_groups.csv",
    "equity": "equity.csv",
    "scenarios": "scenarios.csv",
    "proposed_capacity": "proposed_capacity.csv",
}
#: Scenario measures beyond coverage (the scenarios table's columns), in report order.
SCENARIO_MEASURES = ("group_share", "supply_2sfca", "supply_e2sfca")
LOAD_COLUMNS = ["fid", "name", "category", "status", "capacity", "load", "load_of", "ratio",
                "over_capacity"]


def _esc(v: Any) -> str:
    return html.escape(str(v), quote=True)


def _pct(v: Any) -> str:
    return "-" if v is None or pd.isna(v) else f"{100 * float(v):.1f}%"


def _n(v: Any, decimals: int = 0) -> str:
    if v is None or pd.isna(v):
        return "-"
    return f"{float(v):,.{decimals}f}"




def facility_load(layers: ResultLayers) -> pd.DataFrame | None:
    """The facilities' load table (no geometry), or None when not computed."""
    fac = layers.get("facilities")
    if fac is None or "load" not in fac.columns:
        return None
    return pd.DataFrame(fac[[c for c in LOAD_COLUMNS if c in fac.columns]])


def _basis(key: Any, profile: Profile, lang: str) -> str:
    """What a facility's load is counted in, in words: a target group's name or residents."""
    groups = getattr(profile, "groups", {}) or {}
    g = groups.get(str(key))
    return g.name(lang) if g is not None else i18n.field_label(str(key), profile, lang)


def decay_text(profile: Profile, category: str, lang: str) -> str:
    """How the E2SFCA of ``category`` weighs travel time, in words (from the profile)."""
    supply = getattr(profile, "supply", None)
    if supply is None or not hasattr(profile, "decay_of"):
        return "E2SFCA"
    if profile.decay_of(category) == "gaussian":
        return i18n.t("supply.gaussian", lang, share=f"{supply.sigma_share:g}")
    return i18n.t("supply.steps", lang, n=len(supply.zone_weights),
                  weights=" / ".join(f"{w:g}" for w in supply.zone_weights))


def lorenz_chart(values: Any, weights: Any, lang: str, *, width: int = 360) -> str:
    """Inline SVG of a population-weighted Lorenz curve with the line of equality."""
    p, lc = lorenz(values, weights)
    if len(p) == 0:
        return ""
    pad = 44
    size = width - 2 * pad

    def xy(a: float, b: float) -> str:
        return f"{pad + a * size:.1f},{pad + (1 - b) * size:.1f}"

    pts = " ".join(xy(a, b) for a, b in zip(p, lc, strict=True))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart lorenz" role="img" '
             f'width="{width}" height="{width}" viewBox="0 0 {width} {width}">',
             f'<rect x="{pad}" y="{pad}" width="{size}" height="{size}" fill="none" '
             'stroke="#bbb"/>',
             f'<line x1="{pad}" y1="{pad + size}" x2="{pad + size}" y2="{pad}" '
             'stroke="#999" stroke-dasharray="4 3"/>',
             f'<polyline points="{pts}" fill="none" stroke="#d7191c" stroke-width="2"/>']
    for v in (0, 0.5, 1):
        parts.append(f'<text x="{pad + v * size:.1f}" y="{pad + size + 16}" font-size="11" '
                     f'text-anchor="middle">{int(v * 100)}%</text>')
        parts.append(f'<text x="{pad - 6}" y="{pad + (1 - v) * size + 4:.1f}" font-size="11" '
                     f'text-anchor="end">{int(v * 100)}%</text>')
    parts.append(f'<text x="{pad + size / 2:.1f}" y="{width - 6}" font-size="12" '
                 f'text-anchor="middle">{_esc(i18n.t("report.lorenz_x", lang))}</text>')
    parts.append(f'<text x="12" y="{pad + size / 2:.1f}" font-size="12" text-anchor="middle" '
                 f'transform="rotate(-90 12 {pad + size / 2:.1f})">'
                 f'{_esc(i18n.t("report.lorenz_y", lang))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render(layers: ResultLayers, profile: Profile, lang: str) -> list[Block]:
    """The sections as document blocks (none when no layer of theirs is present)."""
    out: list[Block] = []
    cat = lambda k: i18n.category_name(str(k), profile, lang)  # noqa: E731
    label = lambda c: i18n.field_label(c, profile, lang)  # noqa: E731

    def section(key: str) -> None:
        out.append(Heading(i18n.t(key, lang)))

    def note(key: str) -> None:
        out.append(Paragraph(i18n.t(key, lang), "note"))

    def add(head: list[str], body: list[list[str]]) -> None:
        out.append(Table.of_text(head, body, numbers=True))

    # supply and load
    load = facility_load(layers)
    if load is not None:
        section("report.supply")
        frame = load[load["load"].notna()]
        rows = []
        for k, g in frame.groupby("category", sort=False):
            cap = g["capacity"]
            known = cap.notna()
            over = g["over_capacity"].astype("boolean")
            rows.append([cat(k), _n(len(g)), _n(g["load"].sum()),
                         _n(int(known.sum())), _n(cap[known].sum()),
                         _n(g.loc[known, "load"].sum() / cap[known].sum() * 100, 1) + "%"
                         if known.any() and cap[known].sum() > 0 else "-",
                         _n(int(over.fillna(False).sum()))])
        add([label("category"), label("facilities"), label("load"),
             i18n.t("report.with_capacity", lang), label("capacity"),
             i18n.t("report.utilisation", lang), label("over_capacity")], rows)
        over = frame[frame["over_capacity"].astype("boolean").fillna(False)]
        if len(over):
            over = over.assign(_r=over["load"] / over["capacity"]).sort_values(
                "_r", ascending=False).head(15)
            add([label("fid"), label("name"), label("category"), label("capacity"),
                 label("load"), label("load_of")],
                [[str(r["fid"]), str(r.get("name", "")), cat(r["category"]), _n(r["capacity"]),
                  _n(r["load"]), _basis(r["load_of"], profile, lang)]
                 for _, r in over.iterrows()])
        comm = layers.get("communities")
        sup = [c for c in comm.columns if c.startswith("sup_")] if comm is not None else []
        if comm is not None and sup:
            pop = comm["population"].astype(float)
            body = []
            for c in sup:
                key = c[len("sup_"):]
                for col, method in ((c, i18n.t("supply.2sfca", lang)),
                                    (f"esup_{key}", decay_text(profile, key, lang))):
                    if col not in comm.columns:
                        continue
                    v = comm[col].astype(float)
                    ok = v.notna() & (pop > 0)
                    mean = (float((v[ok] * pop[ok]).sum() / pop[ok].sum()) if ok.any()
                            else math.nan)
                    body.append([cat(key), method, _n(mean, 1),
                                 _n(v[ok].min(), 1) if ok.any() else "-",
                                 _n(v[ok].max(), 1) if ok.any() else "-"])
            add([label("category"), i18n.t("report.supply_method", lang),
                 i18n.t("report.supply_mean", lang), i18n.t("report.supply_min", lang),
                 i18n.t("report.supply_max", lang)], body)
        else:
            note("report.no_supply")
        note("report.supply_note")

    # target groups
    groups = layers.get("target_groups")
    if groups is not None and len(groups):
        section("report.groups")
        body = []
        for _, r in groups.iterrows():
            g = profile.groups.get(r["group"]) if hasattr(profile, "groups") else None
            mode = profile.modes.get(r["mode"]) if hasattr(profile, "modes") else None
            body.append([i18n.t(f"kind.{r['kind']}", lang), cat(r["category"]),
                         g.name(lang) if g is not None else str(r["group"]),
                         mode.name(lang) if mode is not None
                         else str(r["mode"]), _pct(r["share"]), _n(r["group_residents"]),
                         _pct(r["group_share"])])
        add([label("kind"), label("category"), label("group"), label("mode"),
             i18n.t("report.share_all", lang), label("group_residents"),
             label("group_share")], body)
        note("report.groups_note")

    # equity
    eq = layers.get("equity")
    if eq is not None and len(eq):
        section("report.equity")
        measures = ["gini_coverage", "theil_coverage", "urban_rural_gap"]
        whole = eq[eq["scope"] == "all"]
        body = []
        for k in ["all", *[c for c in whole["category"].unique() if c != "all"]]:
            sel = whole[whole["category"] == k].set_index("measure")["value"]
            times = [sel.get("gini_time", np.nan), sel.get("theil_time", np.nan)]
            body.append([i18n.t("equity.all", lang) if k == "all" else cat(k),
                         *[_n(sel.get(m, np.nan), 3) for m in measures[:2]],
                         _n(sel.get("urban_rural_gap", np.nan), 1),
                         *[_n(v, 3) for v in times]])
        head = [label("category"), i18n.t("equity.gini_coverage", lang),
                i18n.t("equity.theil_coverage", lang),
                i18n.t("equity.urban_rural_gap", lang) + f" ({i18n.t('equity.points', lang)})",
                i18n.t("equity.gini_time", lang), i18n.t("equity.theil_time", lang)]
        add(head, body)
        dist = eq[(eq["scope"] == "district") & (eq["category"] == "all")]
        if len(dist):
            body = []
            for d, g in dist.groupby("district", sort=True):
                sel = g.set_index("measure")["value"]
                body.append([str(d), _n(sel.get("gini_coverage", np.nan), 3),
                             _n(sel.get("theil_coverage", np.nan), 3),
                             _n(sel.get("urban_rural_gap", np.nan), 1)])
            add([label("district"), *head[1:4]], body)
        comm = layers.get("communities")
        if comm is not None and "cov_all" in comm.columns:
            svg = lorenz_chart(comm["cov_all"].astype(float), comm["population"].astype(float),
                               lang)
            if svg:
                title = i18n.t("report.lorenz", lang)
                out += [Heading(title, 3), Figure(title, svg=svg)]
        note("report.equity_note")

    # scenarios
    sc = layers.get("scenarios")
    if sc is not None and len(sc):
        section("report.scenarios")
        names = list(dict.fromkeys(sc["scenario"]))
        piv = sc.pivot_table(index=["kind", "category"], columns="scenario", values="share",
                             aggfunc="first", sort=False)
        body = []
        for (kind, k), r in piv.iterrows():
            body.append([i18n.t(f"kind.{kind}", lang),
                         i18n.t("equity.all", lang) if k == "all" else cat(k),
                         *[_pct(r.get(s, np.nan)) for s in names]])
        add([label("kind"), label("category"), *[i18n.t(f"scenario.{s}", lang)
                                                  for s in names]], body)
        if "planned" not in names:
            note("report.no_planned")
        more = [m for m in SCENARIO_MEASURES if m in sc.columns
                and pd.to_numeric(sc[m], errors="coerce").notna().any()]
        if more:
            out.append(Heading(i18n.t("report.scenario_measures", lang), 3))
            body = []
            for m in more:
                mp = sc.pivot_table(index=["kind", "category"], columns="scenario", values=m,
                                    aggfunc="first", sort=False)
                for (kind, k), r in mp.iterrows():
                    vals = [r.get(s, np.nan) for s in names]
                    if all(pd.isna(v) for v in vals):
                        continue
                    shown = [_pct(v) if m == "group_share" else _n(v, 1) for v in vals]
                    first, last = vals[0], vals[-1]
                    change = ("-" if pd.isna(first) or pd.isna(last) else
                              (f"{100 * (last - first):+.1f}" if m == "group_share"
                               else f"{last - first:+,.1f}"))
                    body.append([i18n.t(f"kind.{kind}", lang), cat(k),
                                 i18n.t(f"scenario.{m}", lang), *shown, change])
            add([label("kind"), label("category"), i18n.t("report.measure", lang),
                 *[i18n.t(f"scenario.{s}", lang) for s in names],
                 i18n.t("report.change", lang)], body)
            note("report.scenario_measures_note")
        caps = layers.get("proposed_capacity")
        if caps is not None and len(caps):
            out.append(Heading(i18n.t("report.proposed_capacity", lang), 3))
            add([label("rank"), label("cand_id"), label("category"), label("capacity"),
                 label("capacity_from")],
                [[_n(r["rank"]), str(r["cand_id"]), cat(r["category"]), _n(r["capacity"]),
                  i18n.t(f"capacity_from.{r['capacity_from']}", lang)]
                 for _, r in caps.iterrows()])
    return out


def write_tables(layers: ResultLayers, write: Callable[[pd.DataFrame, str, str], Path]
                 ) -> dict[str, Path]:
    """Write the sections' CSV tables with ``write(frame, layer, file name)``; returns the
    files."""
    out: dict[str, Path] = {}
    frames = {"facility_load": facility_load(layers), "target_groups": layers.get("target_groups"),
              "equity": layers.get("equity"), "scenarios": layers.get("scenarios"),
              "proposed_capacity": layers.get("proposed_capacity")}
    for key, frame in frames.items():
        if frame is not None:
            out[key] = write(pd.DataFrame(frame), key, CSV_FILES[key])
    return out
