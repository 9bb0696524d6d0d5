"""Coverage for the target groups the plan serves first (elderly, children).

A category of the profile may name the group it serves (``group = "elderly"``); the group
(``[groups.elderly]``) names the communities column with its residents (``elderly``,
``children``) and the mode it travels by in each circle (the elderly walk at
``walk_elderly``'s 3 km/h in the urban circle of ``maanshan-2025``). A community's group
residents are spread over its demand points like its population (the point's residents x
the community's group share), and a group resident is covered when the category is within
the circle's minutes (or the category's own level) at the group's mode.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from lifecircle.accessibility.coverage import TIME_EPS_MIN
from lifecircle.accessibility.supply import group_counts
from lifecircle.project import Profile

__all__ = ["GROUP_COLUMNS", "GroupCoverage", "group_coverage", "group_shares"]

GROUP_COLUMNS = ("kind", "category", "group", "mode", "population", "covered_pop", "share",
                 "group_residents", "group_covered", "group_share")


@dataclass(frozen=True)
class GroupCoverage:
    """Target-group coverage beside the all-population figure.

    Attributes
    ----------
    table
        One row per circle and category serving a group: ``kind category group mode
        population covered_pop share`` (all residents, at the circle's mode) and
        ``group_residents group_covered group_share`` (the group at its mode; NaN when the
        communities lack the group's count).
    communities
        ``cid`` + ``gcov_<key>``: the community's group share covered (NaN where the
        category is not required or the group count is unknown).
    times
        Minutes for the group per demand point (index ``did``), one column per category.
    warnings
        Data warnings.
    """

    table: pd.DataFrame
    communities: pd.DataFrame
    times: pd.DataFrame
    warnings: tuple[str, ...] = ()


def group_shares(covered: NDArray[np.bool_], weight: NDArray[np.float64],
                 codes: NDArray[np.int64], n_groups: int) -> NDArray[np.float64]:
    """Weighted covered share per group code (NaN for a group without weight)."""
    tot = np.bincount(codes, weights=weight, minlength=n_groups)
    cov = np.bincount(codes, weights=weight * covered, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(tot > 0, cov / tot, np.nan)


def group_coverage(profile: Profile, communities: pd.DataFrame, points: pd.DataFrame,
                   times: pd.DataFrame,
                   group_times: Callable[[str, str, NDArray[np.int64]], NDArray[np.float64]],
                   *, lang: str = "en") -> GroupCoverage:
    """Coverage of every category that serves a group, for the group and for everyone.

    Parameters
    ----------
    profile
        The standards profile (groups, categories, circles, ``limit``).
    communities
        Canonical communities (``cid kind population`` and the groups' columns).
    points
        Demand points (``did cid population``).
    times
        All-population minutes (index ``did``; ``inf`` unreachable).
    group_times
        ``(mode, category, positions)`` -> minutes from the points at ``positions`` to the
        nearest facility of ``category`` by ``mode`` (``inf`` unreachable); called only
        where the group's mode differs from the circle's.
    lang
        Language of the warnings.
    """
    from lifecircle import i18n

    warnings: list[str] = []
    kinds = communities.set_index(communities["cid"].astype(object))["kind"]
    pkind = points["cid"].astype(object).map(kinds).to_numpy()
    pop = np.nan_to_num(pd.to_numeric(points["population"], errors="coerce").to_numpy(float))
    cid_index = pd.Index(communities["cid"].astype(object))
    codes = cid_index.get_indexer(points["cid"].astype(object))
    did = points["did"].to_numpy()
    base = times.reindex(did)
    rows: list[dict[str, object]] = []
    comm_cols: dict[str, NDArray[np.float64]] = {}
    gtimes: dict[str, NDArray[np.float64]] = {}
    counts_cache: dict[str, NDArray[np.float64] | None] = {}
    for cat, category in profile.categories.items():
        if category.group is None or category.group not in profile.groups:
            continue
        group = profile.groups[category.group]
        if group.field not in counts_cache:
            counts_cache[group.field] = group_counts(points, communities, group.field)
            if counts_cache[group.field] is None:
                warnings.append(i18n.t("warn.group_missing", lang, group=group.name(lang),
                                       field=group.field))
        counts = counts_cache[group.field]
        t_all = (base[cat].to_numpy(float) if cat in base.columns
                 else np.full(len(did), np.inf))
        t_all = np.where(np.isnan(t_all), np.inf, t_all)
        t_grp = np.full(len(did), np.inf)
        covered = np.zeros(len(did), bool)
        required = np.zeros(len(did), bool)
        for ckey in category.circles:
            if ckey not in profile.circles:
                continue
            circle = profile.circles[ckey]
            sel = np.flatnonzero(pkind == ckey)
            if sel.size == 0:
                continue
            mode = group.modes.get(ckey, circle.mode)
            t = t_all[sel] if mode == circle.mode else group_times(mode, cat, sel)
            t_grp[sel] = t
            limit = profile.limit(ckey, cat)
            cov_grp = t <= limit + TIME_EPS_MIN
            cov_all = t_all[sel] <= limit + TIME_EPS_MIN
            covered[sel] = cov_grp
            required[sel] = True
            p = pop[sel]
            row: dict[str, object] = {
                "kind": ckey, "category": cat, "group": group.key, "mode": mode,
                "population": float(p.sum()), "covered_pop": float(p[cov_all].sum()),
                "share": float(p[cov_all].sum() / p.sum()) if p.sum() > 0 else np.nan}
            if counts is not None:
                g = counts[sel]
                row.update(group_residents=float(g.sum()), group_covered=float(g[cov_grp].sum()),
                           group_share=float(g[cov_grp].sum() / g.sum()) if g.sum() > 0
                           else np.nan)
            else:
                row.update(group_residents=np.nan, group_covered=np.nan, group_share=np.nan)
            rows.append(row)
        gtimes[cat] = np.where(required, t_grp, np.nan)
        if counts is not None:
            share = group_shares(covered, counts * required, codes, len(cid_index))
        else:
            share = np.full(len(cid_index), np.nan)
        comm_cols[f"gcov_{cat}"] = share
    comm = pd.DataFrame({"cid": cid_index.to_numpy(), **comm_cols})
    return GroupCoverage(pd.DataFrame.from_records(rows, columns=list(GROUP_COLUMNS)), comm,
                         pd.DataFrame(gtimes, index=pd.Index(did, name="did")),
                         tuple(warnings))


def times_by_mode(network_for: Callable[[str], object], points: pd.DataFrame,
                  facilities: pd.DataFrame, max_snap_m: float, limit_s: Mapping[str, float],
                  *, demand_cache: dict[str, Any] | None = None
                  ) -> Callable[[str, str, NDArray[np.int64]], NDArray[np.float64]]:
    """A ``group_times`` callable over real networks: the demand points and the
    facilities are snapped once per mode (then taken per category), one multi-source
    Dijkstra per (mode, category); ``limit_s`` bounds the search per mode.

    ``demand_cache``: the demand points' snaps per mode shared between several callables
    (the scenarios route other facilities from the same points: nothing snaps twice)."""
    from lifecircle.accessibility.network import Network
    from lifecircle.accessibility.snap import Snapped, snap
    from lifecircle.accessibility.traveltime import nearest

    cats = facilities["category"].astype(str).to_numpy()
    fsnaps: dict[str, Snapped] = {}
    # per mode: the demand points snapped so far (only those a group travels from: a
    # point's snap does not depend on the others, so each is snapped once, when first asked)
    dsnaps: dict[str, tuple[NDArray[np.bool_], Snapped]] = (
        demand_cache if demand_cache is not None else {})

    def demand_snap(mode: str, net: Network, pos: NDArray[np.int64]) -> Snapped:
        n = len(points)
        if mode not in dsnaps:
            dsnaps[mode] = (np.zeros(n, bool), Snapped(
                np.full(n, -1, np.int64), np.full(n, np.nan), np.full(n, np.nan),
                np.ones(n, bool), np.full((n, 2), np.nan)))
        done, s = dsnaps[mode]
        todo = np.unique(pos[~done[pos]])
        if len(todo):
            new = snap(net, points.geometry.iloc[todo], max_snap_m=max_snap_m)
            for mine, theirs in ((s.edge, new.edge), (s.offset_m, new.offset_m),
                                 (s.access_m, new.access_m), (s.too_far, new.too_far),
                                 (s.xy, new.xy)):
                mine[todo] = theirs
            done[todo] = True
        return s.take(pos)

    def run(mode: str, cat: str, pos: NDArray[np.int64]) -> NDArray[np.float64]:
        net = network_for(mode)
        if not (cats == cat).any():
            return np.full(len(pos), np.inf)
        if mode not in fsnaps:
            fsnaps[mode] = snap(net, facilities.geometry, max_snap_m=max_snap_m)
        secs, _ = nearest(net, fsnaps[mode].take(cats == cat), demand_snap(mode, net, pos),
                          limit_s=limit_s.get(mode, np.inf))
        return secs / 60.0

    return run
