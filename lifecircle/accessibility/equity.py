"""Equity of the service circles: Gini, Theil, Lorenz curve, urban-rural gap.

The plan asks for equal urban and rural services (均等化). These measures say how evenly
coverage and travel times are spread over the residents:

- Gini of a population-weighted distribution: ``1 - sum_k (p_k - p_{k-1}) (L_k + L_{k-1})``
  over the Lorenz curve (``p``: cumulative share of residents, ``L``: cumulative share of
  the value, both sorted by the value); 0 = equal, towards 1 = concentrated. Without
  weights it equals ``sum_i sum_j |x_i - x_j| / (2 n^2 mean)``.
- Theil T: ``sum_i (w_i / W) (x_i / mean) ln(x_i / mean)`` (``0 ln 0 = 0``); 0 = equal,
  at most ``ln(W / w_min)``.
- Urban-rural gap: urban minus rural population-weighted coverage, in percentage points.

Coverage: one value per community (its ``cov_all`` or ``cov_<key>``), weighted by its
population. Travel times: one value per demand point requiring the category, weighted by its
residents; a point that reaches no facility within the search limit counts at that limit
(twice the circle's minutes), so the unreachable are not left out.
Both are undefined (NaN) where the mean is 0 or nobody is counted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from lifecircle.project import Profile

__all__ = ["EQUITY_COLUMNS", "equity_table", "gini", "lorenz", "theil"]

EQUITY_COLUMNS = ("scope", "district", "measure", "category", "value", "population", "units")


def _clean(values: ArrayLike, weights: ArrayLike | None
           ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x = np.asarray(values, dtype=float).ravel()
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float).ravel()
    if len(w) != len(x):
        raise ValueError(f"{len(x)} values but {len(w)} weights")
    ok = np.isfinite(x) & np.isfinite(w) & (w > 0)
    if (x[ok] < 0).any():
        raise ValueError("values must be >= 0")
    return x[ok], w[ok]


def lorenz(values: ArrayLike, weights: ArrayLike | None = None
           ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Population-weighted Lorenz curve.

    Parameters
    ----------
    values
        Non-negative values (NaN and zero-weight entries are left out).
    weights
        Weight of each value (residents); default 1.

    Returns
    -------
    p, L : numpy.ndarray
        Cumulative share of the weight and of the value, from (0, 0) to (1, 1), sorted by
        value; empty arrays when the total weight or value is 0.
    """
    x, w = _clean(values, weights)
    total_w = float(w.sum())
    total_v = float((x * w).sum())
    if total_w <= 0 or total_v <= 0:
        return np.zeros(0), np.zeros(0)
    order = np.argsort(x, kind="stable")
    p = np.concatenate([[0.0], np.cumsum(w[order]) / total_w])
    lc = np.concatenate([[0.0], np.cumsum((x * w)[order]) / total_v])
    return p, lc


def gini(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Population-weighted Gini coefficient (NaN when the mean is 0 or nothing counts)."""
    p, lc = lorenz(values, weights)
    if len(p) == 0:
        return float("nan")
    return float(1.0 - np.sum(np.diff(p) * (lc[1:] + lc[:-1])))


def theil(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Population-weighted Theil T index (NaN when the mean is 0 or nothing counts)."""
    x, w = _clean(values, weights)
    total_w = float(w.sum())
    if total_w <= 0:
        return float("nan")
    mean = float((x * w).sum() / total_w)
    if mean <= 0:
        return float("nan")
    r = x / mean
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(r > 0, r * np.log(r), 0.0)
    return float(max(0.0, (w * term).sum() / total_w))


def _share(values: NDArray[np.float64], pop: NDArray[np.float64]) -> float:
    ok = np.isfinite(values) & (pop > 0)
    if not ok.any() or pop[ok].sum() <= 0:
        return float("nan")
    return float((values[ok] * pop[ok]).sum() / pop[ok].sum())


def equity_table(communities: pd.DataFrame, demand: pd.DataFrame, times: pd.DataFrame,
                 profile: Profile, *, categories: Sequence[str] | None = None
                 ) -> pd.DataFrame:
    """Equity measures for the whole area and per district.

    Parameters
    ----------
    communities
        The ``communities`` result layer (``cid kind district population cov_all`` +
        ``cov_<key>``).
    demand
        Demand points (``did cid population``).
    times
        Minutes per demand point (index ``did``) and category; ``inf`` = not reached
        within the search limit.
    profile
        The standards profile (circles: which categories each requires, its minutes).
    categories
        Category keys; default those with a ``cov_<key>`` column.

    Returns
    -------
    pandas.DataFrame
        ``scope district measure category value population units``: ``scope`` is ``all`` or
        ``district``; ``measure`` is ``gini_coverage``, ``theil_coverage`` (over
        communities), ``gini_time``, ``theil_time`` (over demand points) or
        ``urban_rural_gap`` (percentage points, urban minus rural); ``category`` is ``all``
        (every required category at once; coverage measures only) or a catalogue key;
        ``population`` the residents counted; ``units`` the number of communities or
        demand points counted.
    """
    comm = pd.DataFrame(communities)
    cats = list(categories) if categories is not None else [
        c[4:] for c in comm.columns if c.startswith("cov_") and c != "cov_all"]
    rows: list[dict[str, object]] = []
    district = (comm["district"].astype(object).where(comm["district"].notna(), "")
                if "district" in comm.columns else pd.Series([""] * len(comm), index=comm.index))
    scopes: list[tuple[str, str, NDArray[np.bool_]]] = [("all", "", np.ones(len(comm), bool))]
    for d in sorted(set(district.astype(str))):
        if d:
            scopes.append(("district", d, (district.astype(str) == d).to_numpy()))
    pop = pd.to_numeric(comm["population"], errors="coerce").fillna(0).to_numpy(float)
    kind = comm["kind"].astype(object).to_numpy()

    # per-point circle limits, for the time measures
    dem = pd.DataFrame(demand)
    kind_of = dict(zip(comm["cid"].astype(object), kind, strict=True))
    dist_of = dict(zip(comm["cid"].astype(object), district.astype(str), strict=True))
    pkind = dem["cid"].astype(object).map(kind_of).to_numpy()
    pdist = dem["cid"].astype(object).map(dist_of).fillna("").to_numpy()
    ppop = pd.to_numeric(dem["population"], errors="coerce").fillna(0).to_numpy(float)
    tt = times.reindex(dem["did"].to_numpy()) if "did" in dem.columns else times
    # an unreached point counts at twice its circle's minutes (NaN outside every circle)
    limit = pd.Series(pkind, dtype=object).map(
        {k: 2.0 * c.minutes for k, c in profile.circles.items()}).to_numpy(float)

    def add(scope: str, d: str, measure: str, cat: str, value: float, p: float, n: int
            ) -> None:
        rows.append({"scope": scope, "district": d, "measure": measure, "category": cat,
                     "value": value, "population": p, "units": n})

    # the columns read once, not once per scope
    cov_of: dict[str, NDArray[np.float64]] = {}
    for cat in ["all", *cats]:
        col = "cov_all" if cat == "all" else f"cov_{cat}"
        if col in comm.columns:
            cov_of[cat] = pd.to_numeric(comm[col], errors="coerce").to_numpy(float)
    time_of: dict[str, tuple[NDArray[np.float64], NDArray[np.bool_]]] = {}
    for cat in cats:
        if cat not in tt.columns or cat not in profile.categories:
            continue
        t = tt[cat].to_numpy(float)
        time_of[cat] = (np.where(np.isfinite(t), t, limit),
                        np.isin(pkind, list(profile.categories[cat].circles)) & (ppop > 0))

    for scope, d, sel in scopes:
        for cat, v in cov_of.items():
            ok = sel & np.isfinite(v) & (pop > 0)
            add(scope, d, "gini_coverage", cat, gini(v[ok], pop[ok]), float(pop[ok].sum()),
                int(ok.sum()))
            add(scope, d, "theil_coverage", cat, theil(v[ok], pop[ok]), float(pop[ok].sum()),
                int(ok.sum()))
            urban, rural = ok & (kind == "urban"), ok & (kind == "rural")
            gap = 100.0 * (_share(v[urban], pop[urban]) - _share(v[rural], pop[rural]))
            add(scope, d, "urban_rural_gap", cat, gap, float(pop[urban | rural].sum()),
                int((urban | rural).sum()))
        for cat, (t, req) in time_of.items():
            if scope == "district":
                req = req & (pdist == d)
            add(scope, d, "gini_time", cat, gini(t[req], ppop[req]), float(ppop[req].sum()),
                int(req.sum()))
            add(scope, d, "theil_time", cat, theil(t[req], ppop[req]), float(ppop[req].sum()),
                int(req.sum()))
    return pd.DataFrame.from_records(rows, columns=list(EQUITY_COLUMNS))
