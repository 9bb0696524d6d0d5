"""Population-weighted coverage of the service circles.

A demand point is *covered* for a category when its travel time to the nearest facility of
that category is within the minutes of its community's circle (urban 15 min walk, rural
30 min e-bike in the default profile): ``time <= circle minutes`` (or the category's own
shorter level, ``Profile.limit``: GB 50180's 5- and 10-minute facilities). Only the categories the
circle requires count for that point. Shares are population-weighted; quantiles are
population-weighted lower quantiles (the smallest time ``t`` such that at least ``q`` of the
population has a time ``<= t``); unreachable points count as an infinite time, so a median
or 90th percentile is ``inf`` when that share of the population cannot reach the category.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.sparse import coo_matrix

from lifecircle.errors import InputError, Note, notice
from lifecircle.i18n import items, pair
from lifecircle.profile import TIME_EPS_MIN, Profile, covered

__all__ = ["TIME_EPS_MIN", "Coverage", "PointCoverage", "compute_coverage",
           "coverage_categories", "weighted_quantiles"]

QUANTILES = (0.5, 0.9)
LONG_COLUMNS = ("category", "covered_pop", "pop", "covered_households", "households",
                "share", "median_min", "p90_min")
SUMMARY_COLUMNS = ("communities", "population", "households", "cov_all")


@dataclass(frozen=True)
class Coverage:
    """Coverage of every community, township, district and kind.

    Attributes
    ----------
    communities
        The ``communities`` result layer: ``cid name kind district township population
        households circle_min mode cov_all missing n_missing worst_min`` + ``cov_<key>``
        per category of :attr:`categories`, geometry. ``cov_<key>`` is NaN where the
        community's circle does not require the category (or it has no demand).
        ``missing`` is a comma-separated list of the required categories whose covered
        share is ``<= missing_share`` (default 0: nobody in the community reaches it within
        the circle); ``n_missing`` counts them (0 for a community without demand).
        ``worst_min`` is the population-weighted 90th-percentile time of the worst required
        category (``inf`` when over 10% cannot reach it at all; NaN without demand).
    demand
        The ``demand`` result layer: ``did cid population households`` + ``t_<key>``
        (minutes; ``inf`` = a facility is reachable but beyond the searched limit; NaN = none
        is reachable) + ``covered_all`` (bool), geometry.
    summary_district, summary_township
        ``[district,] [township,] communities population households cov_all`` +
        ``cov_<key>`` (population and households are the community layer's sums; shares
        are covered population / population whose circle requires the category).
    summary_kind
        The same per community kind (``urban``, ``rural``) and a last row ``all``.
    by_community, by_township, by_district, by_kind
        Long tables, one row per group and required category: the group key columns
        (``cid`` | ``district township`` | ``district`` | ``kind``) then ``category
        covered_pop pop covered_households households share median_min p90_min``.
    worst_points
        The worst-served demand points (not covered for every required category), worst
        first: ``did cid name kind category minutes circle_min excess_min population
        households`` and geometry; ``category`` is the point's worst category and
        ``excess_min`` its time beyond the circle (``inf`` = unreachable).
    categories
        Category keys with a ``cov_<key>`` column: those required by at least one circle
        of the profile, in catalogue order.
    missing_share
        The threshold used for ``missing``.
    warnings
        Data warnings for the report.
    points
        The point-level matrix (required / covered per demand point and category) the
        tables were made from; the gaps group its uncovered points.
    """

    communities: gpd.GeoDataFrame
    demand: gpd.GeoDataFrame
    summary_district: pd.DataFrame
    summary_township: pd.DataFrame
    summary_kind: pd.DataFrame
    by_community: pd.DataFrame
    by_township: pd.DataFrame
    by_district: pd.DataFrame
    by_kind: pd.DataFrame
    worst_points: gpd.GeoDataFrame
    categories: tuple[str, ...]
    missing_share: float = 0.0
    warnings: tuple[str, ...] = ()
    points: PointCoverage | None = None


def coverage_categories(profile: Profile) -> list[str]:
    """Category keys required by at least one circle of ``profile``, in catalogue order."""
    return [k for k, c in profile.categories.items()
            if any(ck in profile.circles for ck in c.circles)]


# ---------------------------------------------------------------------------- preparation
@dataclass(frozen=True, eq=False)
class PointCoverage:
    """The point-level coverage matrix every statistic (and the gaps) is made from.

    Rows are demand points (in the demand layer's order), columns the categories.
    """

    categories: tuple[str, ...]
    comm_kind: NDArray[np.object_]     # (c,) circle key per community
    comm_required: NDArray[np.bool_]   # (c, k)
    code: NDArray[np.int64]            # (n,) community position of each demand point
    minutes: NDArray[np.float64]       # (n,) circle minutes of each point
    times: NDArray[np.float64]         # (n, k) minutes, inf unreachable
    required: NDArray[np.bool_]        # (n, k)
    covered: NDArray[np.bool_]         # (n, k) covered and required
    covered_all: NDArray[np.bool_]     # (n,)
    pop: NDArray[np.float64]           # (n,)
    hh: NDArray[np.float64]            # (n,) NaN unknown
    warnings: tuple[str, ...]
    limit: NDArray[np.float64] | None = None  # (n, k) minutes within which each counts
    unreachable: NDArray[np.bool_] | None = None  # (n, k) no path (NaN time); inf alone
    #   = beyond the searched limit


def _prepare(communities: pd.DataFrame, demand_points: pd.DataFrame, times: pd.DataFrame,
             profile: Profile) -> PointCoverage:
    for col in ("cid", "kind"):
        if col not in communities.columns:
            raise notice(InputError, "err.api.column", layer=pair("layer.communities"),
                         col=col, key="communities")
    for col in ("did", "cid", "population"):
        if col not in demand_points.columns:
            raise notice(InputError, "err.plan.demand_column", col=col)
    warnings: list[str] = []
    cats = tuple(coverage_categories(profile))
    kinds = communities["kind"].astype(object).to_numpy()
    circles = list(profile.circles)
    bad = [i for i, k in enumerate(kinds) if k not in profile.circles]
    if bad:
        i = bad[0]
        raise notice(InputError, "err.cov.kind", row=i, cid=communities["cid"].iloc[i],
                     value=repr(kinds[i]), profile=profile.key, known=items(circles),
                     more=pair("err.cov.kind_rows", n=len(bad)) if len(bad) > 1 else "")
    comm_required = np.array([[kinds[i] in profile.categories[c].circles for c in cats]
                              for i in range(len(kinds))], dtype=bool).reshape(len(kinds),
                                                                                len(cats))
    comm_minutes = np.array([profile.circles[k].minutes for k in kinds], dtype=float)
    # a category's own level (GB 50180: kindergarten in the 5-minute circle) may be shorter
    limits = {(ck, c): profile.limit(ck, c) for ck in profile.circles for c in cats}
    comm_limit = np.array([[limits[(kd, c)] for c in cats] for kd in kinds],
                          dtype=float).reshape(len(kinds), len(cats))

    cid_pos = pd.Index(communities["cid"].astype(object))
    if not cid_pos.is_unique:
        dup = cid_pos[cid_pos.duplicated()][0]
        raise notice(InputError, "err.api.cid_dup", value=repr(dup))
    code = cid_pos.get_indexer(demand_points["cid"].astype(object))
    if (code < 0).any():
        i = int(np.flatnonzero(code < 0)[0])
        raise notice(InputError, "err.api.cid_unknown", row=i,
                     value=repr(demand_points["cid"].iloc[i]))
    code = code.astype(np.int64)
    did = demand_points["did"].to_numpy()
    n, k = len(did), len(cats)
    t = np.full((n, k), np.inf)
    unreachable = np.ones((n, k), dtype=bool)  # no time given: no path
    if not times.index.is_unique:
        raise notice(InputError, "err.api.did_dup")
    present = [c for c in cats if c in times.columns]
    absent = [c for c in cats if c not in times.columns]
    if absent:
        warnings.append(Note("warn.cov.no_times", categories=items(absent)))
    if present and n:
        sub = times.reindex(index=pd.Index(did), columns=present)
        no_row = int((~np.isin(did, times.index.to_numpy())).sum())
        if no_row:
            warnings.append(Note("warn.cov.no_row", n=no_row))
        vals = np.array(sub.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        cols = [cats.index(c) for c in present]
        unreachable[:, cols] = np.isnan(vals)
        vals[np.isnan(vals)] = np.inf
        t[:, cols] = vals
    minutes = comm_minutes[code] if n else np.empty(0)
    required = comm_required[code] if n else np.zeros((0, k), bool)
    limit = comm_limit[code] if n else np.zeros((0, k))
    cov = required & covered(t, limit)
    covered_all = np.all(cov | ~required, axis=1)
    pop = np.nan_to_num(pd.to_numeric(demand_points["population"], errors="coerce")
                        .to_numpy(float))
    hh = (pd.to_numeric(demand_points["households"], errors="coerce").to_numpy(float)
          if "households" in demand_points.columns else np.full(n, np.nan))
    return PointCoverage(cats, kinds, comm_required, code, minutes, t, required, cov,
                         covered_all, pop, hh, tuple(warnings), limit, unreachable)


# ---------------------------------------------------------------------------- statistics
def _group_sort(codes: NDArray[np.int64], n_groups: int,
                value_order: NDArray[np.int64]) -> NDArray[np.int64]:
    """Order by group, then by value (``value_order`` sorts the values); a stable sort of
    small integer codes is a radix sort."""
    c = codes[value_order]
    if n_groups <= np.iinfo(np.uint16).max:
        c = c.astype(np.uint16)
    return value_order[np.argsort(c, kind="stable")]


def weighted_quantiles(codes: NDArray[np.int64], values: NDArray[np.float64],
                       weights: NDArray[np.float64], n_groups: int,
                       qs: tuple[float, ...] = QUANTILES, *,
                       value_order: NDArray[np.int64] | None = None) -> NDArray[np.float64]:
    """Population-weighted lower quantiles of ``values`` per group, vectorised.

    Parameters
    ----------
    codes
        Group of each value (0..n_groups-1).
    values
        Values (``inf`` allowed).
    weights
        Non-negative weights.
    n_groups
        Number of groups.
    qs
        Quantiles in (0, 1].
    value_order
        ``numpy.argsort(values)`` when already known (saves a sort).

    Returns
    -------
    numpy.ndarray
        Shape ``(len(qs), n_groups)``: for each group the smallest value ``v`` such that
        the weight of values ``<= v`` is at least ``q`` of the group's weight; NaN for a
        group without weight.
    """
    out = np.full((len(qs), n_groups), np.nan)
    if len(values) == 0:
        return out
    if value_order is None:
        value_order = np.argsort(values, kind="stable")
    order = _group_sort(codes, n_groups, value_order)
    c, v, w = codes[order], values[order], weights[order]
    cw = np.cumsum(w)
    groups = np.arange(n_groups)
    starts = np.searchsorted(c, groups, side="left")
    ends = np.searchsorted(c, groups, side="right")
    nonempty = ends > starts
    base = np.where(starts > 0, cw[np.maximum(starts - 1, 0)], 0.0)
    total = np.where(nonempty, cw[np.maximum(ends - 1, 0)] - base, 0.0)
    ok = nonempty & (total > 0)
    tol = 1e-12 * max(float(cw[-1]), 1.0)
    for j, q in enumerate(qs):
        idx = np.searchsorted(cw, base + q * total - tol, side="left")
        idx = np.clip(idx, starts, np.maximum(ends - 1, starts))
        idx = np.minimum(idx, len(v) - 1)
        out[j, ok] = v[idx[ok]]
    return out


@dataclass(frozen=True)
class _Agg:
    pop: NDArray[np.float64]          # (g,)
    hh: NDArray[np.float64]           # (g,) NaN where any household count is unknown
    cov_all_pop: NDArray[np.float64]  # (g,)
    req_pop: NDArray[np.float64]      # (g, k)
    cov_pop: NDArray[np.float64]      # (g, k)
    req_hh: NDArray[np.float64]       # (g, k)
    cov_hh: NDArray[np.float64]       # (g, k)
    quant: NDArray[np.float64]        # (2, g, k) median, p90

    @property
    def share(self) -> NDArray[np.float64]:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.req_pop > 0, self.cov_pop / self.req_pop, np.nan)

    @property
    def share_all(self) -> NDArray[np.float64]:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.pop > 0, self.cov_all_pop / self.pop, np.nan)


def _aggregate(p: PointCoverage, codes: NDArray[np.int64], g: int,
               orders: list[NDArray[np.int64]]) -> _Agg:
    """Sums and quantiles per group; ``orders[j]`` sorts the required times of category j."""
    k = len(p.categories)
    req_pop = np.zeros((g, k))
    cov_pop = np.zeros((g, k))
    req_hh = np.zeros((g, k))
    cov_hh = np.zeros((g, k))
    quant = np.full((len(QUANTILES), g, k), np.nan)
    hh0 = np.nan_to_num(p.hh)
    hhu = np.isnan(p.hh).astype(float)

    def hh_sum(weight: NDArray[np.float64] | None) -> NDArray[np.float64]:
        s = np.bincount(codes, weights=hh0 if weight is None else hh0 * weight, minlength=g)
        u = np.bincount(codes, weights=hhu if weight is None else hhu * weight, minlength=g)
        return np.where(u > 0, np.nan, s)

    for j in range(k):
        r, c = p.required[:, j], p.covered[:, j]
        req_pop[:, j] = np.bincount(codes, weights=p.pop * r, minlength=g)
        cov_pop[:, j] = np.bincount(codes, weights=p.pop * c, minlength=g)
        req_hh[:, j] = hh_sum(r.astype(float))
        cov_hh[:, j] = hh_sum(c.astype(float))
        if r.any():
            quant[:, :, j] = weighted_quantiles(codes[r], p.times[r, j], p.pop[r], g,
                                                value_order=orders[j])
    pop = np.bincount(codes, weights=p.pop, minlength=g)
    cov_all = np.bincount(codes, weights=p.pop * p.covered_all, minlength=g)
    return _Agg(pop, hh_sum(None), cov_all, req_pop, cov_pop, req_hh, cov_hh, quant)


def _rollup(agg: _Agg, p: PointCoverage, comm_codes: NDArray[np.int64], g: int,
            orders: list[NDArray[np.int64]]) -> _Agg:
    """Community sums rolled up to groups of communities; quantiles from the points."""
    nc = len(comm_codes)
    m = coo_matrix((np.ones(nc), (comm_codes, np.arange(nc))), shape=(g, nc)).tocsr()

    def total(x: NDArray[np.float64]) -> NDArray[np.float64]:
        unknown = np.asarray(m @ np.isnan(x).astype(float))
        return np.where(unknown > 0, np.nan, np.asarray(m @ np.nan_to_num(x)))

    codes = comm_codes[p.code]
    k = len(p.categories)
    quant = np.full((len(QUANTILES), g, k), np.nan)
    for j in range(k):
        r = p.required[:, j]
        if r.any():
            quant[:, :, j] = weighted_quantiles(codes[r], p.times[r, j], p.pop[r], g,
                                                value_order=orders[j])
    return _Agg(total(agg.pop), total(agg.hh), total(agg.cov_all_pop), total(agg.req_pop),
                total(agg.cov_pop), total(agg.req_hh), total(agg.cov_hh), quant)


def _group_codes(frame: pd.DataFrame, cols: list[str]) -> tuple[NDArray[np.int64], pd.DataFrame]:
    """Group number of each row by ``cols`` (NaN is a group) and the key table, sorted."""
    keys = frame[cols].astype(object)
    grouped = keys.groupby(cols, dropna=False, sort=True)
    codes = grouped.ngroup().to_numpy(np.int64)
    table = grouped.size().index.to_frame(index=False)
    table.columns = pd.Index(cols, dtype=object)
    return codes, table


def _frame(keys: pd.DataFrame, cols: dict[str, object]) -> pd.DataFrame:
    """``cols`` (the key columns first) as one table whose column labels keep the dtype of
    ``keys``' labels, as inserting the columns one by one into ``keys`` did."""
    out = pd.DataFrame(cols)
    out.columns = pd.Index(list(out.columns), dtype=keys.columns.dtype)
    return out


def _long(keys: pd.DataFrame, agg: _Agg, relevant: NDArray[np.bool_],
          cats: tuple[str, ...]) -> pd.DataFrame:
    gi, kj = np.nonzero(relevant)
    # one construction, not a column insert per column (the same columns and dtypes)
    return _frame(keys, {
        **{c: keys[c].array.take(gi) for c in keys.columns},
        "category": np.asarray(cats, dtype=object)[kj],
        "covered_pop": agg.cov_pop[gi, kj], "pop": agg.req_pop[gi, kj],
        "covered_households": agg.cov_hh[gi, kj], "households": agg.req_hh[gi, kj],
        "share": agg.share[gi, kj], "median_min": agg.quant[0, gi, kj],
        "p90_min": agg.quant[1, gi, kj]})


def _summary(keys: pd.DataFrame, comm_codes: NDArray[np.int64], communities: pd.DataFrame,
             agg: _Agg, relevant: NDArray[np.bool_], cats: tuple[str, ...]) -> pd.DataFrame:
    g = len(keys)
    out: dict[str, object] = {c: keys[c].array.copy() for c in keys.columns}
    out["communities"] = np.bincount(comm_codes, minlength=g).astype(np.int64)
    for col in ("population", "households"):
        vals = (pd.to_numeric(communities[col], errors="coerce").to_numpy(float)
                if col in communities.columns else np.full(len(communities), np.nan))
        s = np.bincount(comm_codes, weights=np.nan_to_num(vals), minlength=g)
        known = np.bincount(comm_codes, weights=(~np.isnan(vals)).astype(float), minlength=g)
        out[col] = np.where(known > 0, s, np.nan)
    out["cov_all"] = agg.share_all
    share = np.where(relevant, agg.share, np.nan)
    for j, c in enumerate(cats):
        out[f"cov_{c}"] = share[:, j]
    return _frame(keys, out)


# ---------------------------------------------------------------------------- public
def compute_coverage(communities: gpd.GeoDataFrame, demand_points: gpd.GeoDataFrame,
                     times: pd.DataFrame, profile: Profile, *, missing_share: float = 0.0,
                     n_worst: int = 50) -> Coverage:
    """Population-weighted coverage of every community's service circle.

    Parameters
    ----------
    communities
        Canonical communities: ``cid``, ``kind`` (a circle key of the profile), and where
        known ``name district township population households``; polygons.
    demand_points
        ``did cid population households`` and point geometry (:class:`Demand.points`).
    times
        Travel minutes to the nearest facility: index = ``did``, one column per category
        key; ``inf`` = beyond the searched limit, NaN = no path; both count as not
        covered. A missing column or row counts as unreachable (with a warning).
    profile
        The standards profile (circles and the categories each requires).
    missing_share
        A required category is listed in ``missing`` when its covered population share is
        ``<= missing_share``; the default 0 lists the categories nobody in the community
        reaches within the circle.
    n_worst
        Number of rows of :attr:`Coverage.worst_points`.

    Returns
    -------
    Coverage

    Raises
    ------
    InputError
        A community kind that is not a circle of the profile, a demand point whose ``cid``
        is not a community, duplicate ``cid`` or duplicate ``did`` in ``times``.
    """
    p = _prepare(communities, demand_points, times, profile)
    cats = p.categories
    nc, k = len(communities), len(cats)
    cols: dict[str, object] = {}
    for col in ("cid", "name", "kind", "district", "township"):
        cols[col] = (communities[col].astype(object).to_numpy() if col in communities.columns
                     else np.full(nc, None, dtype=object))
    for col in ("population", "households"):
        cols[col] = (pd.to_numeric(communities[col], errors="coerce").to_numpy(float)
                     if col in communities.columns else np.full(nc, np.nan))
    base = pd.DataFrame(cols, index=range(nc))

    # ---- communities
    orders = [np.argsort(p.times[p.required[:, j], j], kind="stable") for j in range(k)]
    agg = _aggregate(p, p.code, nc, orders)
    share = np.where(p.comm_required, agg.share, np.nan)
    comm: dict[str, object] = {c: base[c] for c in base.columns}
    comm["circle_min"] = [float(profile.circles[kd].minutes) for kd in p.comm_kind]
    comm["mode"] = [profile.circles[kd].mode for kd in p.comm_kind]
    comm["cov_all"] = agg.share_all
    miss = p.comm_required & (share <= missing_share)
    comm["missing"] = [",".join(c for c, m in zip(cats, row, strict=True) if m) for row in miss]
    comm["n_missing"] = miss.sum(axis=1).astype(np.int64)
    p90 = np.where(p.comm_required, agg.quant[1], np.nan)
    with np.errstate(invalid="ignore"):
        has = ~np.all(np.isnan(p90), axis=1) if k else np.zeros(nc, bool)
        worst = np.full(nc, np.nan)
        worst[has] = np.nanmax(p90[has], axis=1)
    comm["worst_min"] = worst
    for j, c in enumerate(cats):
        comm[f"cov_{c}"] = share[:, j]
    crs = getattr(communities, "crs", None)
    comm_gdf = gpd.GeoDataFrame(pd.DataFrame(comm, index=base.index), geometry=gpd.GeoSeries(
        communities.geometry.to_numpy(), crs=crs), crs=crs)
    by_community = _long(base[["cid"]], agg, p.comm_required, cats)

    # ---- townships, districts, kinds
    def level(keys: pd.DataFrame, cc: NDArray[np.int64]) -> tuple[pd.DataFrame, pd.DataFrame]:
        g = len(keys)
        a = _rollup(agg, p, cc, g, orders)
        rel = np.zeros((g, k), bool)
        np.logical_or.at(rel, cc, p.comm_required)
        return _summary(keys, cc, base, a, rel, cats), _long(keys, a, rel, cats)

    out: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    for name, cols in (("township", ["district", "township"]), ("district", ["district"]),
                       ("kind", ["kind"])):
        codes, keys = _group_codes(base, cols)
        out[name] = level(keys, codes)
    every = level(pd.DataFrame({"kind": ["all"]}), np.zeros(nc, np.int64))
    out["kind"] = (pd.concat([out["kind"][0], every[0]], ignore_index=True),
                   pd.concat([out["kind"][1], every[1]], ignore_index=True))

    # ---- demand layer and worst points
    dem_cols: dict[str, object] = {
        "did": demand_points["did"].to_numpy(), "cid": demand_points["cid"].to_numpy(),
        "population": p.pop, "households": p.hh}
    for j, c in enumerate(cats):
        dem_cols[f"t_{c}"] = np.where(p.unreachable[:, j], np.nan, p.times[:, j])
    dem_cols["covered_all"] = p.covered_all
    dem = pd.DataFrame(dem_cols)
    dcrs = getattr(demand_points, "crs", None)
    dem_gdf = gpd.GeoDataFrame(dem, geometry=gpd.GeoSeries(
        demand_points.geometry.to_numpy(), crs=dcrs), crs=dcrs)

    lim = p.limit if p.limit is not None else p.minutes[:, None]
    excess = np.where(p.required, p.times - lim, -np.inf)
    sel = np.flatnonzero(~p.covered_all)
    if k and sel.size:
        wk = np.argmax(excess[sel], axis=1)
        wex = excess[sel, wk]
        order = np.lexsort((-p.pop[sel], -wex))[:n_worst]
        rows, wk, wex = sel[order], wk[order], wex[order]
    else:
        rows = np.empty(0, np.int64)
        wk = np.empty(0, np.int64)
        wex = np.empty(0)
    cpos = p.code[rows]
    worst_points = gpd.GeoDataFrame({
        "did": dem["did"].to_numpy()[rows], "cid": base["cid"].to_numpy()[cpos],
        "name": base["name"].to_numpy()[cpos], "kind": base["kind"].to_numpy()[cpos],
        "category": np.asarray(cats, dtype=object)[wk] if k else np.empty(0, object),
        "minutes": p.times[rows, wk] if k else np.empty(0),
        "circle_min": lim[rows, wk] if k and lim.ndim == 2 else p.minutes[rows],
        "excess_min": wex, "population": p.pop[rows],
        "households": p.hh[rows]},
        geometry=gpd.GeoSeries(demand_points.geometry.to_numpy()[rows], crs=dcrs), crs=dcrs)

    return Coverage(
        communities=comm_gdf, demand=dem_gdf,
        summary_district=out["district"][0], summary_township=out["township"][0],
        summary_kind=out["kind"][0], by_community=by_community,
        by_township=out["township"][1], by_district=out["district"][1],
        by_kind=out["kind"][1], worst_points=worst_points, categories=cats,
        missing_share=float(missing_share), warnings=p.warnings, points=p)

