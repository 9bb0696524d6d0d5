"""Supply and load: two-step floating catchment (2SFCA, E2SFCA) on a time matrix.

The matrix-level core works like the planner's: geography builds a facilities x demand
matrix of travel minutes, the functions here never touch geometry.

Two-step floating catchment (Luo and Wang 2003; enhanced form Luo and Qi 2009):

1. every facility ``j`` divides its supply ``S_j`` by the demand within its catchment,
   weighted by the decay of the travel time: ``R_j = S_j / sum_i w(t_ij) D_i``
   (``R_j = 0`` when nobody is within reach);
2. every demand point ``i`` sums the ratios of the facilities it reaches, weighted alike:
   ``A_i = sum_j w(t_ij) R_j``.

``w`` is 1 within ``limit`` for the classic 2SFCA (``decay="step"``), a step function of
the time for E2SFCA (``decay={10: 1.0, 20: 0.68, 30: 0.22}``: the weight of the first
threshold at or above the time), or a Gaussian ``exp(-t^2 / (2 sigma^2))``
(``decay="gaussian"``); always 0 beyond ``limit``. This is the formulation of PySAL
``access`` (``two_stage_fca`` / ``enhanced_two_stage_fca`` with ``weights.step_fn`` and
``weights.gaussian``), and the tests compare with it.

Load of a facility: the people within its circle (step weights), the first step's
denominator; over capacity where the load passes the facility's ``capacity``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lifecircle.errors import InputError, notice
from lifecircle.profile import TIME_EPS_MIN, covered

__all__ = ["Catchments", "added_supply", "catchment_demand", "catchments", "community_access",
           "community_access_table",
           "fca", "fca_catchments", "join", "weights"]

Decay = str | Mapping[float, float]


@dataclass(frozen=True)
class Catchments:
    """Facility x demand pairs within the limit, with their decay weight.

    Attributes
    ----------
    facility, demand
        Row (facility) and column (demand point) of each pair.
    minutes
        Travel time of each pair.
    weight
        Decay weight of each pair (> 0).
    shape
        ``(facilities, demand points)``.
    """

    facility: NDArray[np.int64]
    demand: NDArray[np.int64]
    minutes: NDArray[np.float64]
    weight: NDArray[np.float64]
    shape: tuple[int, int]


def weights(minutes: ArrayLike, *, limit: float, decay: Decay = "step",
            sigma: float | None = None) -> NDArray[np.float64]:
    """Decay weight of each travel time (0 beyond ``limit`` or when unreachable).

    Parameters
    ----------
    minutes
        Travel times in minutes (``inf``/NaN = unreachable).
    limit
        Largest time with a weight (minutes, > 0).
    decay
        ``"step"`` (1 within the limit), ``"gaussian"`` (``exp(-t^2 / (2 sigma^2))``), or a
        mapping ``{upper minutes: weight}`` (E2SFCA steps: the weight of the first
        threshold at or above the time, 0 beyond the last).
    sigma
        Width of the Gaussian in minutes; default ``limit / 2``.

    Returns
    -------
    numpy.ndarray
        Weights, same shape as ``minutes``.
    """
    _check_limit(limit)
    t = np.asarray(minutes, dtype=float)
    inside = np.isfinite(t) & covered(t, limit)
    if isinstance(decay, str) and decay == "step":
        w = np.ones_like(t)
    elif isinstance(decay, str) and decay == "gaussian":
        s = limit / 2.0 if sigma is None else float(sigma)
        if not (math.isfinite(s) and s > 0):
            raise notice(InputError, "err.api.sigma", value=repr(sigma))
        with np.errstate(invalid="ignore", over="ignore"):
            w = np.exp(-(t * t) / (2.0 * s * s))
    elif isinstance(decay, Mapping):
        steps = sorted((float(k), float(v)) for k, v in decay.items())
        if not steps or any(not (math.isfinite(k) and math.isfinite(v)) or v < 0
                            for k, v in steps):
            raise notice(InputError, "err.api.decay_steps", value=repr(dict(decay)))
        bounds = np.array([k for k, _ in steps])
        vals = np.array([v for _, v in steps] + [0.0])
        # a time at a zone's bound (within the covered rule's float slack) is in that zone
        idx = np.searchsorted(bounds + TIME_EPS_MIN, np.where(np.isfinite(t), t, np.inf),
                              side="left")
        w = vals[idx]
    else:
        raise notice(InputError, "err.api.decay", value=repr(decay))
    return np.where(inside, w, 0.0)


def _check_limit(limit: float) -> None:
    if not (isinstance(limit, (int, float)) and math.isfinite(limit) and limit > 0):
        raise notice(InputError, "err.api.limit", value=repr(limit))


def _vector(values: ArrayLike, n: int, what: str) -> NDArray[np.float64]:
    v = np.asarray(values, dtype=float).ravel()
    if len(v) != n:
        raise notice(InputError, "err.api.supply_rows" if what == "supply"
                     else "err.api.supply_cols", what=what, got=len(v), n=n)
    bad = np.flatnonzero(~np.isfinite(v) | (v < 0))
    if len(bad):
        i = int(bad[0])
        raise notice(InputError, "err.api.supply_value", what=what, value=float(v[i]),
                     i=i)
    return v


def catchments(times: ArrayLike | sp.spmatrix | sp.sparray, *, limit: float,
               decay: Decay = "step", sigma: float | None = None) -> Catchments:
    """The pairs of ``times`` within ``limit`` and their decay weights.

    Parameters
    ----------
    times
        Facilities x demand points, minutes. Dense: ``inf``/NaN = unreachable. Sparse
        (scipy): the stored entries are the reachable pairs (a stored 0 is zero minutes).
    limit, decay, sigma
        See :func:`weights`.
    """
    _check_limit(limit)
    if sp.issparse(times):
        coo = sp.coo_matrix(times)
        row = coo.row.astype(np.int64)
        col = coo.col.astype(np.int64)
        t = coo.data.astype(float)
        shape = (int(coo.shape[0]), int(coo.shape[1]))
    else:
        dense = np.asarray(times, dtype=float)
        if dense.ndim != 2:
            raise notice(InputError, "err.api.times_shape", shape=str(dense.shape))
        row, col = np.nonzero(np.isfinite(dense) & covered(dense, limit))
        row = row.astype(np.int64)
        col = col.astype(np.int64)
        t = dense[row, col]
        shape = (int(dense.shape[0]), int(dense.shape[1]))
    if len(t) and (np.nanmin(t) < 0):
        i = int(np.flatnonzero(t < 0)[0])
        raise notice(InputError, "err.api.times_negative", value=float(t[i]),
                     facility=int(row[i]), demand=int(col[i]))
    w = weights(t, limit=limit, decay=decay, sigma=sigma)
    keep = w > 0
    return Catchments(row[keep], col[keep], t[keep], w[keep], shape)


def catchment_demand(times: ArrayLike | sp.spmatrix | sp.sparray, demand: ArrayLike, *,
                     limit: float, decay: Decay = "step", sigma: float | None = None
                     ) -> NDArray[np.float64]:
    """Decay-weighted demand within each facility's catchment (its load with step decay).

    Returns
    -------
    numpy.ndarray
        One value per facility (row of ``times``): ``sum_i w(t_ij) D_i``.
    """
    c = catchments(times, limit=limit, decay=decay, sigma=sigma)
    d = _vector(demand, c.shape[1], "demand")
    return np.bincount(c.facility, weights=c.weight * d[c.demand], minlength=c.shape[0])


def fca(times: ArrayLike | sp.spmatrix | sp.sparray, supply: ArrayLike, demand: ArrayLike,
        *, limit: float, decay: Decay = "step", sigma: float | None = None
        ) -> NDArray[np.float64]:
    """Two-step floating catchment accessibility of every demand point.

    Parameters
    ----------
    times
        Facilities x demand points, travel minutes (dense: ``inf``/NaN = unreachable;
        scipy sparse: stored entries are the reachable pairs).
    supply
        Supply of each facility (capacity: places, beds, seats; or 1 per facility).
    demand
        Demand of each point (residents, or the residents of a target group).
    limit
        Catchment in minutes (the circle's).
    decay
        ``"step"`` (2SFCA), a mapping ``{minutes: weight}`` (E2SFCA steps) or
        ``"gaussian"`` (E2SFCA with Gaussian decay, ``sigma`` minutes wide, default
        ``limit / 2``).
    sigma
        Width of the Gaussian decay in minutes.

    Returns
    -------
    numpy.ndarray
        One value per demand point: supply per resident reachable, ``sum_j w(t_ij) R_j``
        with ``R_j = S_j / sum_i w(t_ij) D_i``; 0 for a point that reaches no facility.

    Examples
    --------
    >>> fca([[5.0, 12.0], [20.0, 8.0]], [10, 30], [100, 200], limit=15)
    array([0.03333333, 0.18333333])
    """
    c = catchments(times, limit=limit, decay=decay, sigma=sigma)
    return fca_catchments(c, supply, demand)[0]


def fca_catchments(c: Catchments, supply: ArrayLike, demand: ArrayLike
                   ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """2SFCA on catchments already weighted (pairs of several circles may be joined).

    Returns
    -------
    access : numpy.ndarray
        One value per demand point (see :func:`fca`).
    ratio : numpy.ndarray
        One value per facility: its supply per weighted resident within reach, ``R_j``.
    """
    m, n = c.shape
    s = _vector(supply, m, "supply")
    d = _vector(demand, n, "demand")
    weighted = np.bincount(c.facility, weights=c.weight * d[c.demand], minlength=m)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(weighted > 0, s / weighted, 0.0)
    return np.bincount(c.demand, weights=c.weight * ratio[c.facility], minlength=n), ratio


def join(parts: Sequence[Catchments], shape: tuple[int, int]) -> Catchments:
    """One set of catchments from several (one per circle), in a common index space."""
    if not parts:
        e = np.zeros(0, np.int64)
        return Catchments(e, e, np.zeros(0), np.zeros(0), shape)
    return Catchments(np.concatenate([p.facility for p in parts]),
                      np.concatenate([p.demand for p in parts]),
                      np.concatenate([p.minutes for p in parts]),
                      np.concatenate([p.weight for p in parts]), shape)


def community_access(values: ArrayLike, weights_: ArrayLike, groups: ArrayLike
                     ) -> pd.Series:
    """Population-weighted mean of per-point values per group (community, district).

    Parameters
    ----------
    values
        One value per demand point (from :func:`fca`).
    weights_
        The points' demand (residents).
    groups
        The points' group key (``cid``).

    Returns
    -------
    pandas.Series
        Indexed by group; NaN for a group without residents.
    """
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights_, dtype=float)
    return community_access_table(v[:, None], w[:, None], groups, ["access"])["access"]


def community_access_table(values: ArrayLike, weights_: ArrayLike, groups: ArrayLike,
                           columns: Sequence[str]) -> pd.DataFrame:
    """:func:`community_access` of several value columns at once (one grouping).

    Parameters
    ----------
    values, weights_
        Arrays of shape (points, len(columns)): each column's values and weights.
    groups
        The points' group key (``cid``).
    columns
        The names of the columns.

    Returns
    -------
    pandas.DataFrame
        Indexed by group (in order of first appearance), one column per name; each equal
        to :func:`community_access` of that column alone.
    """
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights_, dtype=float)
    k = len(columns)
    data = {"g": np.asarray(groups, dtype=object)}
    data.update({f"vw{j}": v[:, j] * w[:, j] for j in range(k)})
    data.update({f"w{j}": w[:, j] for j in range(k)})
    sums = pd.DataFrame(data).groupby("g", sort=False).sum()
    out = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for j, name in enumerate(columns):
            sw = sums[f"w{j}"]
            out[name] = sums[f"vw{j}"] / sw.where(sw > 0)
    return pd.DataFrame(out, index=sums.index)


# ---------------------------------------------------------------------------- geography
@dataclass(frozen=True)
class SupplyLoad:
    """Load of every counted facility and 2SFCA supply of every demand point.

    Attributes
    ----------
    facilities
        One row per facility (``fid category capacity load load_of ratio over_capacity``):
        ``load`` = residents (of the category's group where it has one and every community
        gives the group's count, ``load_of`` says which) within the facility's circle;
        ``ratio`` = its capacity per 1,000 of them (2SFCA first step; NaN without
        capacity); ``over_capacity`` = load > capacity (NA where the capacity is unknown,
        or the category serves a group whose count the communities lack: its capacity is
        in group members, its load then in all residents).
    points
        Index ``did``; one column per category with capacity data: capacity reachable per
        1,000 residents (2SFCA, step decay within the circle).
    basis
        Demand each category is measured in: ``population`` or a group key.
    warnings
        Data warnings (facilities without capacity, missing group counts).
    enhanced
        Like :attr:`points`, the E2SFCA value with the category's decay
        (:meth:`lifecircle.profile.Profile.decay_rule`).
    decay
        The E2SFCA decay of each category in :attr:`enhanced` (``steps`` or ``gaussian``).
    """

    facilities: pd.DataFrame
    points: pd.DataFrame
    basis: Mapping[str, str]
    warnings: tuple[str, ...] = ()
    enhanced: pd.DataFrame = field(default_factory=pd.DataFrame)
    decay: Mapping[str, str] = field(default_factory=dict)


PER = 1000.0


def supply_and_load(networks: Mapping[str, object], demand_snaps: Mapping[str, tuple],
                    facility_snaps: Mapping[tuple[str, str], object],
                    facilities: pd.DataFrame, points: pd.DataFrame,
                    communities: pd.DataFrame, profile: object, *, lang: str = "en"
                    ) -> SupplyLoad:
    """Facility load and 2SFCA and E2SFCA supply per demand point, along the road network.

    2SFCA weighs every resident within the category's limit alike; E2SFCA uses the
    category's decay from the profile (:meth:`lifecircle.profile.Profile.decay_rule`:
    by default Luo and Qi's three equal zones of the limit, weights 1 / 0.68 / 0.22).
    Both are capacity per 1,000 residents (of the category's group where it has one).

    Parameters
    ----------
    networks
        Network per mode.
    demand_snaps
        Circle key -> (positions of its demand points in ``points``, their Snapped).
    facility_snaps
        (mode, category) -> Snapped of the category's counted facilities, in the order of
        ``facilities[facilities.category == category]``.
    facilities
        The counted (existing) facilities: ``fid category capacity``.
    points
        Demand points: ``did cid population``.
    communities
        Canonical communities (``cid population`` and the groups' count columns).
    profile
        The standards profile (circles, categories, groups, ``limit``).
    lang
        Language of the warnings.
    """
    from lifecircle import i18n

    warnings: list[str] = []
    n = len(points)
    basis, demand_of, mismatched = _demand_basis(facilities, points, communities, profile)
    # per category (in order of first appearance) its rows; the table's columns are
    # gathered and built once (a sub-frame and a table per category cost more than the rest)
    fac_cat = facilities["category"].astype(str).to_numpy(object)
    fac_fid = facilities["fid"].to_numpy()
    fac_cap = _capacities(facilities)
    cols: dict[str, list[NDArray]] = {c: [] for c in ("fid", "category", "capacity", "load",
                                                      "load_of", "ratio", "over", "known")}
    point_cols: dict[str, NDArray[np.float64]] = {}
    enhanced_cols: dict[str, NDArray[np.float64]] = {}
    decays: dict[str, str] = {}
    for cat in pd.unique(fac_cat):
        sel = np.flatnonzero(fac_cat == cat)
        m = len(sel)
        parts, eparts = _category_catchments(networks, demand_snaps, facility_snaps, cat,
                                             m, n, profile)
        c = join(parts, (m, n))
        demand = demand_of[cat]
        load = np.bincount(c.facility, weights=c.weight * demand[c.demand],
                           minlength=m).astype(float)
        cap = fac_cap[sel]
        known = _known(cap, cat, mismatched)
        if not parts:
            load[:] = np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(known & (load > 0), cap / load * PER, np.nan)
        for key, value in (("fid", fac_fid[sel]), ("category", np.full(m, cat, object)),
                           ("capacity", cap), ("load", load),
                           ("load_of", np.full(m, basis[cat], object)), ("ratio", ratio),
                           ("over", np.where(known, load > cap + 1e-9, False)),
                           ("known", known)):
            cols[key].append(value)
        if known.any() and parts:
            if not known.all():
                warnings.append(i18n.t("warn.no_capacity", lang, category=cat,
                                       n=int((~known).sum()), m=m))
            acc, _ = fca_catchments(c, np.where(known, cap, 0.0), demand)
            eacc, _ = fca_catchments(join(eparts, (m, n)), np.where(known, cap, 0.0), demand)
            required = _required(demand_snaps, profile, cat, n)
            point_cols[cat] = np.where(required, acc * PER, np.nan)
            enhanced_cols[cat] = np.where(required, eacc * PER, np.nan)
            decays[cat] = profile.decay_of(cat)  # type: ignore[attr-defined]
    if cols["fid"]:
        whole = {k: np.concatenate(v) for k, v in cols.items()}
        over = pd.array(whole.pop("over"), dtype="boolean")
        over[~whole.pop("known")] = pd.NA
        fac_out = pd.DataFrame({**whole, "over_capacity": over})
    else:
        fac_out = pd.DataFrame(columns=["fid", "category", "capacity", "load", "load_of",
                                        "ratio", "over_capacity"])
    index = pd.Index(points["did"].to_numpy(), name="did")
    return SupplyLoad(fac_out, pd.DataFrame(point_cols, index=index), basis, tuple(warnings),
                      pd.DataFrame(enhanced_cols, index=index), decays)


def _demand_basis(facilities: pd.DataFrame, points: pd.DataFrame,
                  communities: pd.DataFrame, profile: object
                  ) -> tuple[dict[str, str], dict[str, NDArray[np.float64]], set[str]]:
    """Per category of ``facilities``: what its demand is measured in, the demand per
    point, and the categories whose group count the communities lack."""
    pop = np.nan_to_num(pd.to_numeric(points["population"], errors="coerce").to_numpy(float))
    basis: dict[str, str] = {}
    demand_of: dict[str, NDArray[np.float64]] = {}
    mismatched: set[str] = set()
    counts_of: dict[str, NDArray[np.float64] | None] = {}
    for cat in facilities["category"].astype(str).unique():
        category = profile.categories.get(cat)  # type: ignore[attr-defined]
        group = profile.groups.get(category.group) if category is not None and \
            category.group else None  # type: ignore[attr-defined]
        basis[cat], demand_of[cat] = "population", pop
        if group is not None:
            if group.field not in counts_of:
                counts_of[group.field] = group_counts(points, communities, group.field)
            counts = counts_of[group.field]
            if counts is not None:
                basis[cat], demand_of[cat] = group.key, counts
            else:  # capacity is in group members: no flag, no ratio (groups.py warns)
                mismatched.add(cat)
    return basis, demand_of, mismatched


def _category_catchments(networks: Mapping[str, object], demand_snaps: Mapping[str, tuple],
                         facility_snaps: Mapping[tuple[str, str], object], cat: str, m: int,
                         n: int, profile: object) -> tuple[list[Catchments], list[Catchments]]:
    """The step (2SFCA) and decayed (E2SFCA) catchments of a category's ``m`` facilities,
    one part per circle requiring it."""
    from lifecircle.accessibility.traveltime import pairs_within

    parts, eparts = [], []
    for ckey, (idx, dsnap) in demand_snaps.items():
        circle = profile.circles[ckey]  # type: ignore[attr-defined]
        if cat not in profile.required(ckey):  # type: ignore[attr-defined]
            continue
        fsnap = facility_snaps.get((circle.mode, cat))
        if fsnap is None:
            continue
        limit = profile.limit(ckey, cat)  # type: ignore[attr-defined]
        src, tgt, secs = pairs_within(networks[circle.mode], fsnap, dsnap,
                                      limit_s=limit * 60.0 + 1e-6)
        minutes = secs / 60.0
        w = weights(minutes, limit=limit)
        keep = w > 0
        parts.append(Catchments(src[keep], np.asarray(idx)[tgt[keep]], minutes[keep],
                                w[keep], (m, n)))
        decay, sigma = profile.decay_rule(ckey, cat)  # type: ignore[attr-defined]
        we = weights(minutes, limit=limit, decay=decay, sigma=sigma)
        keep = we > 0
        eparts.append(Catchments(src[keep], np.asarray(idx)[tgt[keep]], minutes[keep],
                                 we[keep], (m, n)))
    return parts, eparts


def _required(demand_snaps: Mapping[str, tuple], profile: object, cat: str, n: int
              ) -> NDArray[np.bool_]:
    """Demand points in a circle that requires ``cat``."""
    required = np.zeros(n, bool)
    for ckey, (idx, _) in demand_snaps.items():
        if cat in profile.required(ckey):  # type: ignore[attr-defined]
            required[np.asarray(idx)] = True
    return required


def _capacities(fac: pd.DataFrame) -> NDArray[np.float64]:
    """The facilities' capacities as numbers (NaN: none or not a number)."""
    return pd.to_numeric(fac["capacity"], errors="coerce").to_numpy(float) \
        if "capacity" in fac.columns else np.full(len(fac), np.nan)


def _known(cap: NDArray[np.float64], cat: str, mismatched: set[str]) -> NDArray[np.bool_]:
    """Which capacities of a category's facilities count (known, >= 0, in the unit of the
    category's demand)."""
    return np.isfinite(cap) & (cap >= 0) & (cat not in mismatched)


def added_supply(base: SupplyLoad, networks: Mapping[str, object],
                 demand_snaps: Mapping[str, tuple],
                 facility_snaps: Mapping[tuple[str, str], object], added: pd.DataFrame,
                 points: pd.DataFrame, communities: pd.DataFrame, profile: object
                 ) -> SupplyLoad:
    """``base`` (from :func:`supply_and_load` over the existing facilities) with the
    facilities ``added`` (planned, proposed) counted too; only they are routed.

    A facility's ratio ``R_j`` depends on its own catchment alone, so adding facilities
    leaves the existing ones' ratios as they are and raises each demand point's 2SFCA and
    E2SFCA by the added facilities' ``w(t_ij) R_j``: equal to :func:`supply_and_load` over
    existing and added facilities together (up to the order of the floating-point sums).

    Parameters
    ----------
    base
        Supply of the existing facilities.
    networks, demand_snaps, points, communities, profile
        As for :func:`supply_and_load` (the same as for ``base``).
    facility_snaps
        (mode, category) -> Snapped of the category's added facilities, in the order of
        ``added[added.category == category]``; only the categories given here count.
    added
        The added facilities: ``fid category capacity``.

    Returns
    -------
    SupplyLoad
        ``base`` with the :attr:`~SupplyLoad.points` and :attr:`~SupplyLoad.enhanced`
        columns of the added facilities' categories updated (its facility table, basis and
        warnings are the existing facilities').
    """
    n = len(points)
    _, demand_of, mismatched = _demand_basis(added, points, communities, profile)
    routed = {c for _, c in facility_snaps}
    new_points: dict[str, NDArray[np.float64]] = {}
    new_enhanced: dict[str, NDArray[np.float64]] = {}
    decays = dict(base.decay)
    for cat, fac in added.groupby(added["category"].astype(str), sort=False):
        if cat not in routed:
            continue
        m = len(fac)
        parts, eparts = _category_catchments(networks, demand_snaps, facility_snaps, cat,
                                             m, n, profile)
        cap = _capacities(fac)
        known = _known(cap, cat, mismatched)
        if not (known.any() and parts):
            if cat in base.points.columns:      # the added facilities add nothing
                new_points[cat] = base.points[cat].to_numpy(float)
                new_enhanced[cat] = base.enhanced[cat].to_numpy(float)
            continue
        demand = demand_of[cat]
        required = _required(demand_snaps, profile, cat, n)
        supply = np.where(known, cap, 0.0)
        for table, cols, pieces in ((base.points, new_points, parts),
                                    (base.enhanced, new_enhanced, eparts)):
            acc, _ = fca_catchments(join(pieces, (m, n)), supply, demand)
            before = (table[cat].to_numpy(float) if cat in table.columns
                      else np.where(required, 0.0, np.nan))
            cols[cat] = before + np.where(required, acc * PER, np.nan)
        decays[cat] = profile.decay_of(cat)  # type: ignore[attr-defined]
    # the untouched categories first, then the added ones in the order of ``added``
    cats = set(added["category"].astype(str))
    index = base.points.index
    return replace(
        base,
        points=pd.concat([base.points[[c for c in base.points.columns if c not in cats]],
                          pd.DataFrame(new_points, index=index)], axis=1),
        enhanced=pd.concat([base.enhanced[[c for c in base.enhanced.columns
                                           if c not in cats]],
                            pd.DataFrame(new_enhanced, index=index)], axis=1),
        decay=decays)


def group_counts(points: pd.DataFrame, communities: pd.DataFrame, field: str
                 ) -> NDArray[np.float64] | None:
    """A target group's residents per demand point: the point's residents times its
    community's group share (``field`` / ``population``, at most 1).

    Returns None when ``field`` is absent or unknown for a community with residents.
    """
    if field not in communities.columns:
        return None
    cpop = pd.to_numeric(communities["population"], errors="coerce").to_numpy(
        float, na_value=np.nan)
    grp = pd.to_numeric(communities[field], errors="coerce").to_numpy(float, na_value=np.nan)
    has = cpop > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(has, grp / cpop, np.nan)
    if np.isnan(share[has]).any():
        return None
    share = np.nan_to_num(np.clip(share, 0.0, 1.0), nan=0.0)
    pop = np.nan_to_num(pd.to_numeric(points["population"], errors="coerce").to_numpy(float))
    pos = pd.Index(communities["cid"].astype(object)).get_indexer(
        points["cid"].astype(object))
    return pop * np.where(pos >= 0, share[pos], 0.0)
