"""The plan's Table-1 scorecard and space standards, from the data or "no data".

Each indicator of the profile names a ``method`` (how the data measures it) and, where
needed, a community ``field``, a facility ``category`` and a community ``kind``. Nothing is
guessed: when the attribute is missing or empty, or the facilities layer holds no facility
of the category at all, the status is ``no data`` with a note saying what is missing.

Methods (values in the indicator's unit; ``%`` indicators are 0..100):

``facility_in_circle``
    Share of communities with a facility of the category inside the polygon, or whose
    residents partly reach one within their circle (covered share ``cov_<category>`` > 0).
``attribute_share``
    Share of communities whose boolean ``field`` is true (communities without a value are
    left out; all without -> no data).
``township_facility``
    Share of townships (district + township) with a facility of the category inside one of
    their communities.
``attribute_or_facility``
    Share of communities whose ``field`` is true or that hold a facility of the category.
``area_per_100_households``
    Floor area of the category's facilities inside the communities (a community's
    ``facility_area_m2`` where its facilities' floor areas are unknown) per 100 households.
``facility_inside``
    Share of communities with a facility of the category inside.
``attribute_mean``
    Mean of ``field`` over the communities of ``kind``.
``workers_per_10000``
    Sum of ``field`` (workers) / population x 10,000 over the communities of ``kind``.
``district_facility``
    Share of districts and counties with at least one facility of the category inside one
    of their communities (专栏5: a 社区客厅 in every county and district).

Every row carries the ``year`` its target is due (the indicator's ``year``, else the
profile's ``target_year``; NaN for the space standards, which have no deadline).

Facilities with ``status == "planned"`` are not counted unless ``include_planned``. A
status is ``pass`` when the value reaches the target (every Table-1 target is a minimum).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from lifecircle import i18n
from lifecircle.accessibility.coverage import Coverage
from lifecircle.errors import InputError, Note, notice
from lifecircle.project import Indicator, Profile

PASS, FAIL, NO_DATA = "pass", "fail", "no data"
SCORECARD_COLUMNS = ("indicator", "name", "target", "value", "unit", "status", "scope",
                     "note", "entry", "year")
#: ``scope`` of the whole-area rows (per-community rows carry the community's ``cid``).
AREA_SCOPE = "all"
#: Category whose floor area the space standards fall back on.
SPACE_CATEGORY = "community_center"

_TRUE = {"true", "t", "yes", "y", "1", "是", "有", "已建", "已配备", "√"}
_FALSE = {"false", "f", "no", "n", "0", "否", "无", "未建", "未配备", "×"}


def _as_bool(values: pd.Series) -> NDArray[np.float64]:
    """1.0 / 0.0 / NaN from a boolean-like column (nullable booleans, numbers, 是/否...)."""
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values.astype(object).to_numpy()):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, (bool, np.bool_)):
            out[i] = float(v)
        elif isinstance(v, (int, float, np.integer, np.floating)):
            out[i] = float(v != 0)
        else:
            s = str(v).strip().lower()
            if s in _TRUE:
                out[i] = 1.0
            elif s in _FALSE:
                out[i] = 0.0
    return out


def _num(frame: pd.DataFrame, col: str) -> NDArray[np.float64]:
    if col not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(float)


def _status(value: float, target: float) -> str:
    if value is None or np.isnan(value):
        return NO_DATA
    return PASS if value >= target - 1e-9 else FAIL


@dataclass
class _Result:
    value: float = np.nan
    note: str = ""
    per: NDArray[np.float64] | None = None        # per-community values (NaN = no data)
    per_mask: NDArray[np.bool_] | None = None     # communities that get a row
    per_note: str = Note("score.note.no_data_here")


class _Context:
    """The inputs, prepared once: attributes, coverage shares, facilities per community."""

    def __init__(self, communities: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame | None,
                 coverage: Coverage | None, include_planned: bool) -> None:
        if "cid" not in communities.columns:
            raise notice(InputError, "err.api.column", layer=i18n.pair("layer.communities"),
                         col="cid", key="communities")
        self.comm = communities.reset_index(drop=True)
        self.n = len(self.comm)
        self.cid = self.comm["cid"].astype(object).to_numpy()
        self.kind = (self.comm["kind"].astype(object).to_numpy() if "kind" in self.comm
                     else np.full(self.n, None, dtype=object))
        self.cov: dict[str, NDArray[np.float64]] = {}
        if coverage is not None:
            cc = coverage.communities.set_index(coverage.communities["cid"].astype(object))
            for col in cc.columns:
                if str(col).startswith("cov_") and col != "cov_all":
                    self.cov[str(col)[4:]] = pd.to_numeric(
                        cc[col].reindex(self.cid), errors="coerce").to_numpy(float)
        else:
            for col in self.comm.columns:
                if str(col).startswith("cov_") and col != "cov_all":
                    self.cov[str(col)[4:]] = _num(self.comm, str(col))
        self.layer_counts: dict[str, int] = {}
        self.fac = None
        self.outside: dict[str, int] = {}
        self.pairs = (np.empty(0, np.int64), np.empty(0, np.int64))
        if facilities is not None and len(facilities):
            if "category" not in facilities.columns:
                raise notice(InputError, "err.api.column",
                             layer=i18n.pair("layer.facilities"), col="category",
                             key="facilities")
            fac = facilities.reset_index(drop=True)
            if getattr(fac, "crs", None) is not None and getattr(self.comm, "crs", None) \
                    is not None and not fac.crs.equals(self.comm.crs):
                fac = fac.to_crs(self.comm.crs)
            self.layer_counts = fac["category"].astype(object).value_counts().to_dict()
            if not include_planned and "status" in fac.columns:
                fac = fac[fac["status"].astype(object).to_numpy() != "planned"].reset_index(
                    drop=True)
            self.fac = fac
            geoms = fac.geometry.to_numpy()
            ci, fi = shapely.STRtree(geoms).query(self.comm.geometry.to_numpy(),
                                                  predicate="intersects")
            # a facility on a shared boundary belongs to the first community only
            order = np.lexsort((ci, fi))
            ci, fi = ci[order], fi[order]
            first = np.r_[True, fi[1:] != fi[:-1]] if fi.size else np.empty(0, bool)
            self.pairs = (ci[first], fi[first])
            cats = fac["category"].astype(object).to_numpy()
            placed = np.zeros(len(fac), bool)
            placed[self.pairs[1]] = True
            for c in set(cats[~placed]):
                self.outside[str(c)] = int(np.sum(~placed & (cats == c)))

    def has_category(self, cat: str | None) -> bool:
        return cat is not None and self.layer_counts.get(cat, 0) > 0

    def no_facilities_note(self, cat: str | None) -> str:
        return Note("score.note.no_facility", cat=str(cat))

    def _cat_pairs(self, cat: str) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        assert self.fac is not None
        ci, fi = self.pairs
        keep = self.fac["category"].astype(object).to_numpy()[fi] == cat
        return ci[keep], fi[keep]

    def inside(self, cat: str) -> NDArray[np.bool_]:
        """Communities holding at least one counted facility of ``cat``."""
        out = np.zeros(self.n, bool)
        if self.fac is not None:
            out[self._cat_pairs(cat)[0]] = True
        return out

    def floor_area(self, cat: str) -> tuple[NDArray[np.float64], NDArray[np.int64],
                                            NDArray[np.int64]]:
        """Per community: summed known floor area of ``cat``, facilities, unknown areas."""
        area = np.zeros(self.n)
        count = np.zeros(self.n, np.int64)
        unknown = np.zeros(self.n, np.int64)
        if self.fac is not None:
            ci, fi = self._cat_pairs(cat)
            fa = _num(self.fac, "floor_area_m2")[fi]
            area += np.bincount(ci, weights=np.nan_to_num(fa), minlength=self.n)
            count += np.bincount(ci, minlength=self.n)
            unknown += np.bincount(ci, weights=np.isnan(fa).astype(float),
                                   minlength=self.n).astype(np.int64)
        return area, count, unknown

    def kind_mask(self, kind: str | None) -> NDArray[np.bool_]:
        return np.ones(self.n, bool) if kind is None else (self.kind == kind)

    def attribute(self, name: str | None) -> tuple[NDArray[np.float64] | None, str]:
        """Boolean attribute as 1/0/NaN, or None with a note when it has no data at all."""
        if name is None:
            return None, Note("score.note.no_field")
        if name not in self.comm.columns:
            return None, Note("score.note.no_column", field=name)
        vals = _as_bool(self.comm[name])
        if np.isnan(vals).all():
            return None, Note("score.note.empty_column", field=name)
        return vals, ""


def _excluded(n: int) -> str:
    if not n:
        return ""
    return Note("score.note.excluded_one" if n == 1 else "score.note.excluded", n=n)


def _no_kind(kind: str | None) -> Note:
    return Note(f"score.note.no_{kind}" if kind in ("urban", "rural") else
                "score.note.no_communities")


def _join(*notes: str) -> str:
    """The non-empty notes, one after the other (``；`` / ``; `` between)."""
    out = ""
    for n in notes:
        if n:
            out = Note("score.note.join", a=out, b=n) if out else n
    return out


# ---------------------------------------------------------------------------- methods
def _share_result(has: NDArray[np.float64], mask: NDArray[np.bool_], note: str = "") -> _Result:
    """Whole-area share (%) of the known values of ``has`` within ``mask``."""
    sel = has[mask]
    known = ~np.isnan(sel)
    if not known.any():
        return _Result(note=_join(note, Note("score.note.no_community_data")))
    value = 100.0 * float(sel[known].mean())
    return _Result(value, _join(note, _excluded(int((~known).sum()))), 100.0 * has, mask)


def _facility_in_circle(ctx: _Context, ind: Indicator) -> _Result:
    cat = ind.category
    if not ctx.has_category(cat):
        return _Result(note=ctx.no_facilities_note(cat))
    assert cat is not None
    has = ctx.inside(cat)
    note = ""
    if cat in ctx.cov:
        cov = ctx.cov[cat]
        has = has | (np.nan_to_num(cov) > 0)
        note = Note("score.note.inside_or_reached")
    else:
        note = Note("score.note.inside_only")
    return _share_result(has.astype(float), ctx.kind_mask(ind.kind), note)


def _attribute_share(ctx: _Context, ind: Indicator) -> _Result:
    vals, why = ctx.attribute(ind.field)
    if vals is None:
        return _Result(note=why)
    res = _share_result(vals, ctx.kind_mask(ind.kind))
    res.per_note = Note("score.note.unknown_here", field=str(ind.field))
    return res


def _attribute_or_facility(ctx: _Context, ind: Indicator) -> _Result:
    vals, why = ctx.attribute(ind.field)
    has_fac = ctx.has_category(ind.category)
    if vals is None and not has_fac:
        return _Result(note=_join(why, ctx.no_facilities_note(ind.category)))
    inside = ctx.inside(ind.category) if has_fac and ind.category else np.zeros(ctx.n, bool)
    if vals is None:
        has = inside.astype(float)
        note = _join(why, Note("score.note.facilities_only"))
    else:
        has = np.where(inside, 1.0, vals)
        note = "" if has_fac else _join(ctx.no_facilities_note(ind.category),
                                        Note("score.note.attribute_only"))
    return _share_result(has, ctx.kind_mask(ind.kind), note)


def _facility_inside(ctx: _Context, ind: Indicator) -> _Result:
    if not ctx.has_category(ind.category):
        return _Result(note=ctx.no_facilities_note(ind.category))
    assert ind.category is not None
    return _share_result(ctx.inside(ind.category).astype(float), ctx.kind_mask(ind.kind))


def _township_facility(ctx: _Context, ind: Indicator) -> _Result:
    if not ctx.has_category(ind.category):
        return _Result(note=ctx.no_facilities_note(ind.category))
    assert ind.category is not None
    if "township" not in ctx.comm.columns or ctx.comm["township"].isna().all():
        return _Result(note=Note("score.note.no_of_communities", field="township"))
    mask = ctx.kind_mask(ind.kind) & ctx.comm["township"].notna().to_numpy()
    district = (ctx.comm["district"].astype(object) if "district" in ctx.comm.columns
                else pd.Series([None] * ctx.n, dtype=object))
    frame = pd.DataFrame({"district": district.to_numpy(),
                          "township": ctx.comm["township"].astype(object).to_numpy(),
                          "has": ctx.inside(ind.category)})[mask]
    per = frame.groupby(["district", "township"], dropna=False, sort=True)["has"].any()
    value = 100.0 * float(per.mean())
    lacking = [str(t[1]) for t, h in per.items() if not h]
    n_na = int((~ctx.comm["township"].notna().to_numpy() & ctx.kind_mask(ind.kind)).sum())
    note = _join(Note("score.note.townships", n=int(per.sum()), total=len(per)),
                 Note("score.note.without", names=i18n.items(lacking, 5)) if lacking else "",
                 Note("score.note.no_township", n=n_na) if n_na else "")
    return _Result(value, note)


def _district_facility(ctx: _Context, ind: Indicator) -> _Result:
    if not ctx.has_category(ind.category):
        return _Result(note=ctx.no_facilities_note(ind.category))
    assert ind.category is not None
    if "district" not in ctx.comm.columns or ctx.comm["district"].isna().all():
        return _Result(note=Note("score.note.no_of_communities", field="district"))
    mask = ctx.kind_mask(ind.kind) & ctx.comm["district"].notna().to_numpy()
    frame = pd.DataFrame({"district": ctx.comm["district"].astype(object).to_numpy(),
                          "has": ctx.inside(ind.category)})[mask]
    per = frame.groupby("district", sort=True)["has"].any()
    lacking = [str(d) for d, h in per.items() if not h]
    n_na = int((ctx.comm["district"].isna().to_numpy() & ctx.kind_mask(ind.kind)).sum())
    note = _join(Note("score.note.districts", n=int(per.sum()), total=len(per)),
                 Note("score.note.without", names=i18n.items(lacking, 6)) if lacking else "",
                 Note("score.note.no_district", n=n_na) if n_na else "")
    return _Result(100.0 * float(per.mean()), note)


def _community_area(ctx: _Context, cat: str | None, *, attribute_first: bool
                    ) -> tuple[NDArray[np.float64], str]:
    """Facility floor area per community, from its facilities and ``facility_area_m2``.

    ``attribute_first=False`` (indicator 6): the summed floor area of the category's
    facilities inside the community when every one is known, else the attribute, else the
    known part of the facilities' areas, else 0 when the layer has facilities of the
    category but none inside, else NaN. ``attribute_first=True`` (space standards): the
    attribute first, then the same order.
    """
    attr = _num(ctx.comm, "facility_area_m2")
    nan = np.full(ctx.n, np.nan)
    if ctx.has_category(cat) and cat is not None:
        area, count, unknown = ctx.floor_area(cat)
        complete = np.where((count > 0) & (unknown == 0), area, np.nan)
        partial = np.where((count > 0) & (unknown > 0) & (unknown < count), area, np.nan)
        zero = np.where(count == 0, 0.0, np.nan)
    else:
        complete, partial, zero = nan, nan, nan
    order = ([attr, complete, partial, zero] if attribute_first
             else [complete, attr, partial, zero])
    out = nan.copy()
    used_partial = np.zeros(ctx.n, bool)
    for source in order:
        fill = np.isnan(out) & ~np.isnan(source)
        if source is partial:
            used_partial = fill
        out[fill] = source[fill]
    note = (Note("score.note.partial_area", n=int(used_partial.sum()))
            if used_partial.any() else "")
    return out, note


def _area_per_100_households(ctx: _Context, ind: Indicator) -> _Result:
    cat = ind.category
    attr = _num(ctx.comm, "facility_area_m2")
    if not ctx.has_category(cat) and np.isnan(attr).all():
        return _Result(note=_join(ctx.no_facilities_note(cat),
                                  Note("score.note.empty_column", field="facility_area_m2")))
    area, note = _community_area(ctx, cat, attribute_first=False)
    hh = _num(ctx.comm, "households")
    mask = ctx.kind_mask(ind.kind)
    ok = mask & ~np.isnan(area) & (hh > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(hh > 0, area / hh * 100.0, np.nan)
    if not ok.any():
        return _Result(note=_join(note, Note("score.note.no_area_households")))
    value = float(area[ok].sum() / hh[ok].sum() * 100.0)
    outside = ctx.outside.get(cat or "", 0)
    return _Result(value, _join(note, _excluded(int((mask & ~ok).sum())),
                                Note("score.note.outside", n=outside) if outside else ""),
                   per, mask)


def _attribute_mean(ctx: _Context, ind: Indicator) -> _Result:
    if ind.field is None or ind.field not in ctx.comm.columns:
        return _Result(note=Note("score.note.no_column", field=str(ind.field)))
    vals = _num(ctx.comm, ind.field)
    mask = ctx.kind_mask(ind.kind)
    if not mask.any():
        return _Result(note=_no_kind(ind.kind))
    sel = vals[mask]
    known = ~np.isnan(sel)
    if not known.any():
        return _Result(note=Note("score.note.empty_column", field=ind.field))
    return _Result(float(sel[known].mean()), _excluded(int((~known).sum())), vals, mask,
                   Note("score.note.unknown_here", field=ind.field))


def _workers_per_10000(ctx: _Context, ind: Indicator) -> _Result:
    name = ind.field or "workers"
    if name not in ctx.comm.columns:
        return _Result(note=Note("score.note.no_column", field=name))
    workers = _num(ctx.comm, name)
    pop = _num(ctx.comm, "population")
    mask = ctx.kind_mask(ind.kind)
    if not mask.any():
        return _Result(note=_no_kind(ind.kind))
    ok = mask & ~np.isnan(workers) & (pop > 0)
    if not ok.any():
        return _Result(note=Note("score.note.empty_column", field=name))
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(pop > 0, workers / pop * 10000.0, np.nan)
    value = float(workers[ok].sum() / pop[ok].sum() * 10000.0)
    return _Result(value, _excluded(int((mask & ~ok).sum())), per, mask,
                   Note("score.note.unknown_pop_here", field=name))


METHODS: dict[str, Callable[[_Context, Indicator], _Result]] = {
    "facility_in_circle": _facility_in_circle,
    "attribute_share": _attribute_share,
    "township_facility": _township_facility,
    "attribute_or_facility": _attribute_or_facility,
    "area_per_100_households": _area_per_100_households,
    "facility_inside": _facility_inside,
    "attribute_mean": _attribute_mean,
    "workers_per_10000": _workers_per_10000,
    "district_facility": _district_facility,
}


# ---------------------------------------------------------------------------- space standards
def _space_rows(ctx: _Context, profile: Profile, lang: str
                ) -> list[tuple[str, str, float, str, str, _Result, float, str]]:
    """Space-standard rows: (indicator, name, target, unit, entry, result, per-target, per-unit).

    Whole area: share (%) of the communities of the kind meeting the standard. Per
    community: its area (urban: m² per 100 households; rural: m²) against the standard.
    """
    rows = []
    area, note = _community_area(ctx, SPACE_CATEGORY, attribute_first=True)
    hh = _num(ctx.comm, "households")
    no_area = np.isnan(area).all()
    specs = (("urban_m2_per_100_households", "urban"), ("rural_renovated_m2", "rural"),
             ("rural_new_build_m2", "rural"))
    for key, kind in specs:
        if key not in profile.space:
            continue
        std = profile.space[key]
        name = i18n.t(f"score.space.{key}", lang, v=std)
        mask = ctx.kind_mask(kind)
        if kind == "urban":
            with np.errstate(divide="ignore", invalid="ignore"):
                per = np.where(hh > 0, area / hh * 100.0, np.nan)
            unit = i18n.t("unit.m2_per_100_households", lang)
        else:
            per = area
            unit = "m²"
        if not mask.any():
            res = _Result(note=_no_kind(kind))
        elif no_area:
            res = _Result(note=Note("score.note.no_space_area"))
        else:
            meets = np.where(np.isnan(per), np.nan, (per >= std - 1e-9).astype(float))
            res = _share_result(meets, mask, note)
            res.per = per
        rows.append((f"space.{key}", name, 100.0, "%", f"space.{key}", res, std, unit))
    return rows


# ---------------------------------------------------------------------------- public
def scorecard(communities: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame | None,
              profile: Profile, *, coverage: Coverage | None = None, lang: str = "zh",
              per_community: bool = True, include_planned: bool = False) -> pd.DataFrame:
    """Table-1 indicators and space standards, for the whole area and per community.

    Parameters
    ----------
    communities
        Canonical communities (``cid kind township district population households
        facility_area_m2 social_orgs workers has_platform has_kiosk has_agency``, polygons);
        may carry ``cov_<key>`` columns when ``coverage`` is not given.
    facilities
        Canonical facilities (``category``, ``floor_area_m2``, ``status``; points), or None.
    profile
        The standards profile: its ``indicators`` (Table 1) and ``space`` entries.
    coverage
        Result of :func:`compute_coverage`; its ``cov_<key>`` shares decide whether a
        community reaches a facility within its circle (``facility_in_circle``).
    lang
        Language of the ``name`` column (``zh`` or ``en``).
    per_community
        Add per-community rows (``scope`` = ``cid``) for the indicators measurable per
        community (all but ``township_facility``).
    include_planned
        Count facilities with ``status == "planned"`` too.

    Returns
    -------
    pandas.DataFrame
        ``indicator name target value unit status scope note entry year``: first one row per
        indicator of the profile then per space standard for the whole area (``scope`` =
        ``all``), then the per-community rows grouped by community. ``status`` is ``pass``,
        ``fail`` or ``no data`` (``value`` NaN, ``note`` says why). ``entry`` is the profile
        entry the target comes from (``indicators.6``, ``space.rural_new_build_m2``).

    Raises
    ------
    InputError
        No ``cid`` column in ``communities`` or no ``category`` column in ``facilities``.
    """
    ctx = _Context(communities, facilities, coverage, include_planned)
    whole: list[dict[str, object]] = []
    per_rows: list[tuple[int, int, dict[str, object]]] = []

    def add(order: int, ind_key: str, name: str, target: float, unit: str, entry: str,
            res: _Result, per_target: float, per_unit: str, year: float = np.nan) -> None:
        whole.append({"indicator": ind_key, "name": name, "target": target, "value": res.value,
                      "unit": unit, "status": _status(res.value, target), "scope": AREA_SCOPE,
                      "note": res.note, "entry": entry, "year": year})
        if not per_community or res.per is None:
            return
        mask = res.per_mask if res.per_mask is not None else np.ones(ctx.n, bool)
        for i in np.flatnonzero(mask):
            v = float(res.per[i])
            per_rows.append((int(i), order, {
                "indicator": ind_key, "name": name, "target": per_target, "value": v,
                "unit": per_unit, "status": _status(v, per_target), "scope": str(ctx.cid[i]),
                "note": "" if not np.isnan(v) else res.per_note,
                "entry": entry, "year": year}))

    order = 0
    for key, ind in profile.indicators.items():
        method = METHODS.get(ind.method)
        name = ind.name(lang)
        res = (method(ctx, ind) if method is not None
               else _Result(note=Note("score.note.unknown_method", method=repr(ind.method))))
        add(order, key, name, ind.target, ind.unit, f"indicators.{key}", res, ind.target,
            ind.unit, float(ind.year) if ind.year is not None else np.nan)
        order += 1
    for ind_key, name, target, unit, entry, res, per_target, per_unit in _space_rows(
            ctx, profile, lang):
        add(order, ind_key, name, target, unit, entry, res, per_target, per_unit)
        order += 1
    per_rows.sort(key=lambda r: (r[0], r[1]))
    rows = whole + [r[2] for r in per_rows]
    out = pd.DataFrame.from_records(rows, columns=list(SCORECARD_COLUMNS))
    out["target"] = out["target"].astype(float)
    out["value"] = out["value"].astype(float)
    out["year"] = out["year"].astype("Int64")
    return out


__all__ = ["AREA_SCOPE", "FAIL", "NO_DATA", "PASS", "SCORECARD_COLUMNS", "scorecard"]
