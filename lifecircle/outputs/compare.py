"""Compare two result folders (the plan's yearly check, Ch.4 §4): what changed where.

``lifecircle compare RESULT_A RESULT_B -o DIR`` reads the two ``lifecircle.gpkg`` and writes
into ``DIR`` (atomically, like a result folder):

- ``compare.gpkg``: ``communities`` (B's polygons; ``*_a``/``*_b`` values and ``d_*`` deltas
  of ``cov_all``, every ``cov_<key>`` and ``n_missing``; ``status`` = ``both``, ``only_a``
  or ``only_b``), ``districts`` (the same per district), ``scorecard`` (whole-area
  indicators: ``value_a value_b delta status_a status_b``) and ``gaps`` (residents in
  gaps per category and circle);
- the same tables as CSV (UTF-8 with BOM) and ``compare.html`` / ``compare.md``.

Deltas are B minus A; shares are 0..1. Results of different profiles, or of regions that
share fewer than half of their communities, are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lifecircle import i18n
from lifecircle.errors import InputError, notice
from lifecircle.outputs.document import (
    Block,
    Document,
    Heading,
    Paragraph,
    Table,
    to_html,
    to_markdown,
)
from lifecircle.safetext import visible

if TYPE_CHECKING:
    import geopandas as gpd

    from lifecircle.profile import Profile

GPKG = "lifecircle.gpkg"
#: Least share of the communities (of either result) the two must have in common.
MIN_SHARED = 0.5
CSV_FILES = {"communities": "compare_communities.csv", "districts": "compare_districts.csv",
             "scorecard": "compare_scorecard.csv", "gaps": "compare_gaps.csv"}


@dataclass(frozen=True)
class Comparison:
    """The comparison tables (see the module docstring) and facts for the summary."""

    communities: gpd.GeoDataFrame
    districts: pd.DataFrame
    scorecard: pd.DataFrame
    gaps: pd.DataFrame
    profile: str
    shared: int
    only_a: int
    only_b: int
    #: the profile the results were made with (None: an older result whose profile
    #: cannot be found; keys are shown then)
    standards: Profile | None = None


def _read(folder: Path, layer: str, *, required: bool = True) -> Any:
    import pyogrio

    path = folder / GPKG
    try:
        layers = {str(n) for n, _ in pyogrio.list_layers(path)}
    except Exception:
        raise notice(InputError, "err.cmp.unreadable", path=str(path)) from None
    if layer not in layers:
        if not required:
            return None
        raise notice(InputError, "err.cmp.old" if layer == "run_info" else "err.cmp.layer",
                     path=str(path), layer=repr(layer))
    import geopandas as gpd

    frame = gpd.read_file(path, layer=layer)
    if "geometry" in frame.columns and frame.geometry.isna().all():
        frame = pd.DataFrame(frame.drop(columns="geometry"))
    return frame


def _info(folder: Path) -> dict[str, str]:
    info = _read(folder, "run_info")
    return dict(zip(info["key"].astype(str), info["value"].astype(str), strict=True))


def check_folder(folder: Path, name: str) -> None:
    """Refuse a path that is not a result folder (one line naming it and the fix)."""
    if not folder.exists():
        raise notice(InputError, "err.cmp.absent", name=name, folder=str(folder))
    if not (folder / GPKG).is_file():
        raise notice(InputError, "err.cmp.no_gpkg", name=name, folder=str(folder),
                     gpkg=GPKG)


def compare(a: Path, b: Path) -> Comparison:
    """Compare the result folders ``a`` (earlier) and ``b`` (later).

    Raises
    ------
    InputError
        A folder is not a result folder, the two used different profiles, or their regions
        share fewer than half of their communities.
    """
    check_folder(a, "RESULT_A")
    check_folder(b, "RESULT_B")
    ia, ib = _info(a), _info(b)
    if ia.get("profile") != ib.get("profile"):
        raise notice(InputError, "err.cmp.profiles", a=str(a), b=str(b),
                     pa=repr(ia.get("profile")), pb=repr(ib.get("profile")))
    standards = _profile(ib, b)
    ca, cb = _read(a, "communities"), _read(b, "communities")
    ida, idb = set(ca["cid"].astype(str)), set(cb["cid"].astype(str))
    shared = ida & idb
    if len(shared) < MIN_SHARED * max(len(ida), len(idb), 1):
        raise notice(InputError, "err.cmp.region", a=str(a), b=str(b), n=len(shared),
                     na=len(ida), nb=len(idb))
    if cb.crs is not None and ca.crs is not None and not ca.crs.equals(cb.crs):
        ca = ca.to_crs(cb.crs)
    cov_cols = sorted({c for c in ca.columns if c.startswith("cov_")}
                      | {c for c in cb.columns if c.startswith("cov_")})
    cov_cols = [c for c in cov_cols if c == "cov_all" or not c.startswith("cov_all_")]
    value_cols = [*cov_cols, "n_missing", "population"]
    fa = pd.DataFrame(ca).set_index(ca["cid"].astype(str))
    fb = pd.DataFrame(cb).set_index(cb["cid"].astype(str))
    ids = [c for c in fb.index if c in shared] + sorted(idb - ida) + sorted(ida - idb)
    out = pd.DataFrame(index=pd.Index(ids, name="cid"))
    for col in ("name", "kind", "district", "township"):
        out[col] = fb[col].reindex(ids).fillna(fa[col].reindex(ids)) if col in fb else \
            fa[col].reindex(ids)
    out["status"] = ["both" if c in shared else ("only_b" if c in idb else "only_a")
                     for c in ids]
    for col in value_cols:
        va = pd.to_numeric(fa[col], errors="coerce").reindex(ids) if col in fa else np.nan
        vb = pd.to_numeric(fb[col], errors="coerce").reindex(ids) if col in fb else np.nan
        out[f"{col}_a"] = va
        out[f"{col}_b"] = vb
        out[f"d_{col}"] = out[f"{col}_b"] - out[f"{col}_a"]
    import geopandas as gpd

    geom_b = gpd.GeoSeries(cb.geometry.to_numpy(), index=fb.index, crs=cb.crs).reindex(ids)
    geom_a = gpd.GeoSeries(ca.geometry.to_numpy(), index=fa.index, crs=ca.crs).reindex(ids)
    communities = gpd.GeoDataFrame(out.reset_index(), geometry=np.where(
        geom_b.isna().to_numpy(), geom_a.to_numpy(), geom_b.to_numpy()), crs=cb.crs)

    # districts: population-weighted over each result's own communities
    def per_district(frame: pd.DataFrame) -> pd.DataFrame:
        pop = pd.to_numeric(frame["population"], errors="coerce").fillna(0)
        rows = {}
        for d, g in frame.groupby(frame["district"].astype(str), sort=True):
            p = pop.loc[g.index]
            r: dict[str, float] = {"population": float(p.sum())}
            for col in cov_cols:
                if col in g:
                    v = pd.to_numeric(g[col], errors="coerce")
                    ok = v.notna() & (p > 0)
                    r[col] = float((v[ok] * p[ok]).sum() / p[ok].sum()) if ok.any() else np.nan
            rows[d] = r
        return pd.DataFrame.from_dict(rows, orient="index")

    da, db = per_district(fa), per_district(fb)
    dist_ids = sorted(set(da.index) | set(db.index))
    districts = pd.DataFrame({"district": dist_ids})
    for col in ["population", *cov_cols]:
        districts[f"{col}_a"] = da[col].reindex(dist_ids).to_numpy() if col in da else np.nan
        districts[f"{col}_b"] = db[col].reindex(dist_ids).to_numpy() if col in db else np.nan
        districts[f"d_{col}"] = districts[f"{col}_b"] - districts[f"{col}_a"]

    sa, sb = _read(a, "scorecard", required=False), _read(b, "scorecard", required=False)
    score = pd.DataFrame()
    if sa is not None and sb is not None:
        wa = sa[sa["scope"].astype(str) == "all"].set_index("indicator")
        wb = sb[sb["scope"].astype(str) == "all"].set_index("indicator")
        keys = list(dict.fromkeys([*wb.index, *wa.index]))
        score = pd.DataFrame({"indicator": keys})
        score["name"] = [wb["name"].get(k, wa["name"].get(k)) if "name" in wb else k
                         for k in keys]
        score["unit"] = [wb["unit"].get(k, "") if "unit" in wb else "" for k in keys]
        score["target"] = [wb["target"].get(k, np.nan) for k in keys]
        if "year" in wb:
            score["year"] = [wb["year"].get(k, np.nan) for k in keys]
        score["value_a"] = [wa["value"].get(k, np.nan) for k in keys]
        score["value_b"] = [wb["value"].get(k, np.nan) for k in keys]
        score["delta"] = pd.to_numeric(score["value_b"]) - pd.to_numeric(score["value_a"])
        score["status_a"] = [wa["status"].get(k, "") for k in keys]
        score["status_b"] = [wb["status"].get(k, "") for k in keys]

    ga, gb = _read(a, "gaps", required=False), _read(b, "gaps", required=False)

    def gap_sum(g: Any) -> pd.Series:
        if g is None or len(g) == 0:
            return pd.Series(dtype=float)
        return pd.DataFrame(g).groupby(["category", "circle"])["population"].sum()

    pa, pb = gap_sum(ga), gap_sum(gb)
    gidx = sorted(set(pa.index) | set(pb.index))
    gaps = pd.DataFrame(gidx, columns=["category", "circle"]) if gidx else pd.DataFrame(
        columns=["category", "circle"])
    gaps["population_a"] = [float(pa.get(k, 0.0)) for k in gidx]
    gaps["population_b"] = [float(pb.get(k, 0.0)) for k in gidx]
    gaps["d_population"] = gaps["population_b"] - gaps["population_a"]
    return Comparison(communities, districts, score, gaps, str(ia.get("profile")),
                      len(shared), len(ida - idb), len(idb - ida), standards)


def write(c: Comparison, folder: Path, *, lang: str = "zh", names: tuple[str, str] = ("A", "B")
          ) -> list[str]:
    """Write ``compare.gpkg``, the CSV tables and ``compare.html``/``.md`` into ``folder``."""
    import pyogrio

    from lifecircle.outputs.gpkg import write_settings

    folder.mkdir(parents=True, exist_ok=True)
    gpkg = folder / "compare.gpkg"
    with write_settings():  # written in the temporary folder of the comparison
        pyogrio.write_dataframe(c.communities, gpkg, layer="communities", driver="GPKG")
        for name, frame in (("districts", c.districts), ("scorecard", c.scorecard),
                            ("gaps", c.gaps)):
            if len(frame.columns):
                pyogrio.write_dataframe(pd.DataFrame(frame), gpkg, layer=name,
                                        driver="GPKG", append=False)
    tables = {"communities": pd.DataFrame(c.communities.drop(columns="geometry")),
              "districts": c.districts, "scorecard": c.scorecard, "gaps": c.gaps}
    from lifecircle.outputs.report import _write_csv

    profile = c.standards
    inds = getattr(profile, "indicators", {}) or {}
    if len(c.scorecard) and inds:  # indicator names in the comparison's language
        tables["scorecard"] = c.scorecard.assign(name=[
            inds[k].name(lang) if k in inds else n
            for k, n in zip(c.scorecard["indicator"].astype(str), c.scorecard["name"],
                            strict=True)])
    for key, frame in tables.items():
        _write_csv(localise(pd.DataFrame(frame), key, profile, lang, names),
                   folder / CSV_FILES[key])
    doc = document(c, lang, names)
    (folder / "compare.html").write_text(to_html(doc), encoding="utf-8")
    (folder / "compare.md").write_text(visible(to_markdown(doc), newlines=True),
                                       encoding="utf-8")
    return sorted(p.name for p in folder.iterdir())


def _profile(info: dict[str, str], folder: Path) -> Profile | None:
    """The profile a result was made with (category and indicator names), from the file it
    was read from (``run_info.profile_file``), else the shipped profile of its key; None
    for a result of an older version whose profile is not shipped (keys are shown then).

    Raises
    ------
    InputError
        The profile file the result was made with is gone (one line naming it and the fix).
    """
    from lifecircle.profile import PROFILES_DIR, load_profile

    key, path = info.get("profile", ""), info.get("profile_file", "")
    if path and not Path(path).is_file():
        # a shipped profile of an installation since moved is found by its key
        was_shipped = Path(path).parts[-3:] == (*PROFILES_DIR.parts[-2:], f"{key}.toml")
        if not (was_shipped and (PROFILES_DIR / f"{key}.toml").is_file()):
            raise notice(InputError, "err.cmp.profile_gone", folder=str(folder),
                         key=repr(key), path=path)
        path = ""
    try:
        return load_profile(Path(path) if path else key)
    except (ValueError, OSError):
        if path:
            raise
        return None


def localise(frame: pd.DataFrame, layer: str, profile: Profile | None, lang: str,
             names: tuple[str, str] = ("A", "B")) -> pd.DataFrame:
    """A comparison table as people read it in ``lang`` (the result folder's CSV
    mechanism, :func:`lifecircle.outputs.report.localise_table`, column by column):
    ``<col>_a``/``<col>_b`` are labelled as ``<col>`` with the results' names, ``d_<col>``
    and ``delta`` as its change (B minus A; shares in percentage points). Order is kept."""
    from lifecircle.outputs.report import SHARE_COLUMNS, SHARE_PREFIXES, localise_table

    change = i18n.field_label("delta", None, lang)
    if names[0] == names[1]:  # two folders of the same name: tell the columns apart
        names = (f"{names[0]} (A)", f"{names[1]} (B)")
    parts = []
    for col in frame.columns:
        base, suffix = col, ""
        if col.endswith(("_a", "_b")) and len(col) > 2:
            base, suffix = col[:-2], names[0] if col.endswith("_a") else names[1]
        elif col.startswith("d_"):
            base, suffix = col[2:], change
        part = localise_table(frame[[col]].set_axis([base], axis=1), layer, profile, lang)
        if col.startswith("d_") and (base in SHARE_COLUMNS or base.startswith(SHARE_PREFIXES)):
            # a change of a share is in percentage points, not per cent
            part.columns = [i18n.t("compare.pp_head", lang, change=change,
                                   label=i18n.field_label(base, profile, lang, layer=layer))]
        elif suffix:
            part.columns = [f"{part.columns[0]} {suffix}"]
        parts.append(part)
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)


#: Stylesheet of ``compare.html``.
CSS = ("body{font-family:sans-serif;max-width:1100px;margin:auto;padding:16px}"
       "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;"
       "padding:3px 6px}")


def document(c: Comparison, lang: str = "zh", names: tuple[str, str] = ("A", "B")) -> Document:
    """The comparison page as a :class:`~lifecircle.outputs.document.Document` (the same
    model as the report), rendered to ``compare.html`` and ``compare.md``."""
    def pct(v: Any, signed: bool = False) -> str:
        if v is None or pd.isna(v):
            return "-"
        return f"{100 * float(v):+.1f}" if signed else f"{100 * float(v):.1f}%"

    def num(v: Any) -> str:
        return "-" if v is None or pd.isna(v) else f"{float(v):,.1f}"

    title = f"{i18n.t('compare.title', lang)}: {names[0]} → {names[1]}"
    blocks: list[Block] = [
        Heading(title, 1),
        Paragraph(f"{i18n.t('report.profile', lang)}: {c.profile} · "
                  f"{c.shared} / +{c.only_b} / -{c.only_a}")]

    def table(key: str, head: list[str], body: list[list[str]]) -> None:
        blocks.append(Heading(i18n.t(key, lang)))
        blocks.append(Table.of_text(head, body, scroll=False))

    lab = lambda col: i18n.field_label(col, c.standards, lang)  # noqa: E731
    change = lab("delta")
    pp = i18n.t("compare.pp_head", lang, change=change, label=lab("cov_all"))
    a, b = names
    table("compare.districts", [lab("district"), f"{lab('cov_all')} {a}",
                                f"{lab('cov_all')} {b}", pp],
          [[str(r["district"]), pct(r["cov_all_a"]), pct(r["cov_all_b"]),
            pct(r["d_cov_all"], True)] for _, r in c.districts.iterrows()])
    if len(c.scorecard):
        table("compare.scorecard", [lab("indicator"), lab("name"), lab("target"),
                                    f"{lab('value')} {a}", f"{lab('value')} {b}", change,
                                    f"{lab('status')} {a}", f"{lab('status')} {b}"],
              [[str(r["indicator"]), str(r["name"]), num(r["target"]), num(r["value_a"]),
                num(r["value_b"]), num(r["delta"]),
                i18n.value_label("status", r["status_a"], lang) or str(r["status_a"]),
                i18n.value_label("status", r["status_b"], lang) or str(r["status_b"])]
               for _, r in c.scorecard.iterrows()])
    if len(c.gaps):
        table("compare.gaps", [lab("category"), lab("circle"), f"{lab('population')} {a}",
                               f"{lab('population')} {b}", change],
              [[i18n.category_name(str(r["category"]), c.standards, lang),
                i18n.value_label("circle", r["circle"], lang) or str(r["circle"]),
                num(r["population_a"]),
                num(r["population_b"]), num(r["d_population"])] for _, r in c.gaps.iterrows()])
    comm = pd.DataFrame(c.communities)
    moved = comm[comm["status"] == "both"].assign(_abs=comm["d_cov_all"].abs()).sort_values(
        "_abs", ascending=False).head(20)
    table("compare.communities", [lab("cid"), lab("name"), lab("district"),
                                  f"{lab('cov_all')} {a}", f"{lab('cov_all')} {b}",
                                  pp],
          [[str(r["cid"]), str(r["name"]), str(r["district"]), pct(r["cov_all_a"]),
            pct(r["cov_all_b"]), pct(r["d_cov_all"], True)] for _, r in moved.iterrows()])
    return Document(title, lang, tuple(blocks), css=CSS)
