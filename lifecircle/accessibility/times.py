"""The travel-time step: every point snapped once per mode, minutes per category.

:func:`travel_times` snaps the demand points (on the network of their circle's mode), the
facilities and the candidates (on every mode's network) exactly once, and runs one bounded
multi-source Dijkstra per (mode, category) from the open facilities. The frozen
:class:`TravelTimes` it returns is what coverage, gaps, the planner, the rasters, the
service areas and the result layers read: nothing downstream snaps these points again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from lifecircle.accessibility.network import Network
from lifecircle.accessibility.snap import Snapped, concat, snap
from lifecircle.accessibility.traveltime import nearest
from lifecircle.errors import InputError, notice
from lifecircle.i18n import items, pair
from lifecircle.profile import Profile

__all__ = ["ModeSnaps", "TravelTimes", "circle_of_points", "snap_modes", "travel_times",
           "unreachable"]


@dataclass(frozen=True, eq=False)
class ModeSnaps:
    """The points of one travel mode, snapped onto its network.

    Attributes
    ----------
    network
        The mode's road network.
    demand_index
        Rows (positions) of the demand points whose circle travels by this mode.
    demand
        Those demand points snapped, in ``demand_index`` order.
    facilities
        Every facility row (existing and planned), snapped; ``None`` without facilities.
    candidates
        Every row of the candidates layer, snapped; ``None`` without a candidates layer.
    """

    network: Network
    demand_index: NDArray[np.int64]
    demand: Snapped
    facilities: Snapped | None
    candidates: Snapped | None


@dataclass(frozen=True, eq=False)
class TravelTimes:
    """Result of the travel-time step, shared by every later stage.

    Attributes
    ----------
    minutes
        Index ``did`` (demand point order), one column per category of the catalogue:
        minutes to the nearest open facility of the category by the point's circle's mode,
        searched to the circle's :attr:`~lifecircle.profile.Circle.search_s`; ``inf`` where
        none is reached, where the point is off the network, and for categories the
        point's circle does not require (categories no circle requires are timed for
        every point, for the planner).
    circle
        ``(n,)`` circle key (community kind) of every demand point.
    modes
        Mode key -> :class:`ModeSnaps` for every network.
    facility_category
        ``(f,)`` category key of every facility row.
    facility_open
        ``(f,)`` True for facilities that exist (status not ``planned``).
    unreachable
        Like ``minutes``, True where no open facility of the category is reachable at all
        (none on the point's piece of the network, the point off the network, no facility
        of the category) or the category was not searched for the point; where ``minutes``
        is ``inf`` and this is False, a facility is reachable beyond the searched limit.
    """

    minutes: pd.DataFrame
    circle: NDArray[np.object_]
    modes: Mapping[str, ModeSnaps]
    facility_category: NDArray[np.object_]
    facility_open: NDArray[np.bool_]
    unreachable: pd.DataFrame | None = None

    def minutes_or_nan(self) -> pd.DataFrame:
        """``minutes`` with NaN where no facility is reachable (``inf`` stays: beyond the
        searched limit) -- the encoding of the ``t_<key>`` columns (docs/contracts.md)."""
        if self.unreachable is None:
            return self.minutes
        return self.minutes.mask(self.unreachable.to_numpy())

    @property
    def networks(self) -> dict[str, Network]:
        """Mode key -> network."""
        return {m: s.network for m, s in self.modes.items()}

    def facility_rows(self, category: str) -> NDArray[np.int64]:
        """Rows of the open facilities of ``category``."""
        return np.flatnonzero(self.facility_open & (self.facility_category == category))

    def facilities(self, mode: str, category: str) -> Snapped:
        """The open facilities of ``category`` snapped on ``mode``'s network (a view of the
        one snap, never a new one)."""
        snaps = self.modes[mode].facilities
        if snaps is None:
            raise notice(InputError, "err.api.no_facilities")
        return snaps.take(self.facility_rows(category))


def circle_of_points(demand: pd.DataFrame, communities: pd.DataFrame | None,
                     profile: Profile) -> NDArray[np.object_]:
    """Circle key (community kind) of every demand point.

    From the points' ``kind`` column where present, else from their community's ``kind``.

    Raises
    ------
    InputError
        Missing columns, or a kind that is not a circle of the profile (the first row named).
    """
    if "kind" in demand.columns:
        kinds = demand["kind"].astype(object).to_numpy()
    elif communities is not None:
        for col in ("cid", "kind"):
            if col not in communities.columns:
                raise notice(InputError, "err.api.column", layer=pair("layer.communities"),
                             col=col, key="communities")
        table = pd.Series(communities["kind"].astype(object).to_numpy(),
                          index=communities["cid"].astype(object).to_numpy())
        table = table[~table.index.duplicated()]
        kinds = table.reindex(demand["cid"].astype(object).to_numpy()).to_numpy()
    else:
        raise notice(InputError, "err.api.no_kind")
    bad = np.flatnonzero([k not in profile.circles for k in kinds])
    if bad.size:
        i = int(bad[0])
        raise notice(InputError, "err.times.kind", row=i, did=demand["did"].iloc[i],
                     cid=demand["cid"].iloc[i], value=repr(kinds[i]), profile=profile.key,
                     known=items(profile.circles),
                     more=pair("err.times.kind_points", n=int(bad.size)) if bad.size > 1
                     else "")
    return np.asarray(kinds, dtype=object)


def travel_times(networks: Mapping[str, Network], demand: Any, facilities: Any,
                 profile: Profile, *, circle: NDArray[np.object_],
                 candidates: Any = None, max_snap_m: float = 500.0,
                 categories: Sequence[str] | None = None,
                 on_facilities: Callable[[TravelTimes], object] | None = None
                 ) -> TravelTimes:
    """Snap every point once per mode and time every demand point to each category.

    Parameters
    ----------
    networks
        Mode key -> network, for at least the mode of every circle the demand uses.
    demand
        Demand points (working CRS) with ``did``.
    facilities
        Canonical facilities (``category``, ``status``) or None.
    profile
        The standards profile.
    circle
        Circle key per demand point (:func:`circle_of_points`).
    candidates
        The candidates layer, or None.
    max_snap_m
        Largest access leg from a point to its road.
    categories
        Categories to time (default: the whole catalogue).
    on_facilities
        Called as soon as the facilities and candidates are snapped, before the demand
        points are, with a :class:`TravelTimes` of the networks and those snaps only (no
        demand points, no minutes): the pipeline starts the display-only drawing there.

    Returns
    -------
    TravelTimes
    """
    circle = np.asarray(circle, dtype=object)
    used = [c for c in profile.circles if np.any(circle == c)]
    for ckey in used:
        mode = profile.circles[ckey].mode
        if mode not in networks:
            raise notice(InputError, "err.times.no_network", mode=mode, circle=ckey)
    n = len(demand)
    has_fac = facilities is not None and len(facilities) > 0
    fac_cat = (facilities["category"].astype(object).to_numpy() if has_fac
               else np.empty(0, dtype=object))
    fac_open = ((facilities["status"].astype(object).to_numpy() != "planned")
                if has_fac and "status" in facilities.columns else np.ones(len(fac_cat), bool))
    modes = snap_modes(networks, demand, facilities, profile, circle=circle,
                       candidates=candidates, max_snap_m=max_snap_m,
                       on_facilities=None if on_facilities is None else lambda m:
                       on_facilities(TravelTimes(pd.DataFrame(), circle, m, fac_cat,
                                                 fac_open)))
    cats = list(profile.categories) if categories is None else list(categories)
    table = np.full((n, len(cats)), np.inf)
    result = TravelTimes(pd.DataFrame(), circle, modes, fac_cat, fac_open)
    for mode, ms in modes.items():
        if ms.demand_index.size == 0 or not has_fac:
            continue
        circles_here = {c for c in used if profile.circles[c].mode == mode}
        limit_s = max(profile.circles[c].search_s for c in circles_here)
        point_circle = circle[ms.demand_index]
        for j, cat in enumerate(cats):
            wanted = _wanted(profile, cat, point_circle)
            if not wanted.any() or result.facility_rows(cat).size == 0:
                continue
            fsnap = result.facilities(mode, cat)
            secs, _ = nearest(ms.network, fsnap, ms.demand, limit_s=limit_s)
            table[ms.demand_index[wanted], j] = secs[wanted] / 60.0
    no_path = unreachable(result, table, cats, profile)
    index = pd.Index(demand["did"].to_numpy(), name="did")
    minutes = pd.DataFrame(table, index=index, columns=cats)
    return TravelTimes(minutes, circle, modes, fac_cat, fac_open,
                       pd.DataFrame(no_path, index=index, columns=cats))


def _wanted(profile: Profile, category: str, point_circle: NDArray[np.object_]
            ) -> NDArray[np.bool_]:
    """Which of a mode's demand points (their circles ``point_circle``) need ``category``:
    all when the category names no circles."""
    need = profile.categories[category].circles if category in profile.categories else ()
    return (np.ones(point_circle.size, bool) if not need
            else np.isin(point_circle, list(need)))


def snap_modes(networks: Mapping[str, Network], demand: Any, facilities: Any,
               profile: Profile, *, circle: NDArray[np.object_], candidates: Any = None,
               max_snap_m: float = 500.0,
               on_facilities: Callable[[dict[str, ModeSnaps]], object] | None = None
               ) -> dict[str, ModeSnaps]:
    """Every point snapped once per mode (:class:`ModeSnaps`): the demand points whose
    circle travels by the mode, every facility and every candidate (parameters as
    :func:`travel_times`; ``on_facilities`` gets the modes with the facilities and
    candidates snapped and no demand points yet)."""
    circle = np.asarray(circle, dtype=object)
    used = [c for c in profile.circles if np.any(circle == c)]
    has_fac = facilities is not None and len(facilities) > 0
    has_cand = candidates is not None and len(candidates) > 0
    modes: dict[str, ModeSnaps] = {}
    for mode, net in networks.items():  # the few facilities and candidates first
        modes[mode] = ModeSnaps(
            net, np.zeros(0, dtype=np.int64), concat([]),
            snap(net, facilities.geometry, max_snap_m=max_snap_m) if has_fac else None,
            snap(net, candidates.geometry, max_snap_m=max_snap_m) if has_cand else None)
    if on_facilities is not None:
        on_facilities(dict(modes))
    for mode, ms in modes.items():
        idx = np.flatnonzero(np.isin(circle, [c for c in used
                                              if profile.circles[c].mode == mode]))
        modes[mode] = replace(ms, demand_index=idx, demand=snap(
            ms.network, demand.geometry.iloc[idx], max_snap_m=max_snap_m))
    return modes


def unreachable(tt: TravelTimes, minutes: NDArray[np.float64], categories: Sequence[str],
                profile: Profile) -> NDArray[np.bool_]:
    """``TravelTimes.unreachable`` of ``minutes`` (``(n, len(categories))``): True where the
    category was not searched for the point, or no open facility of it lies on the point's
    piece of the mode's network (``tt.modes``) and none was reached; False where one was
    reached or is reachable beyond the searched limit."""
    no_path = np.ones(minutes.shape, dtype=bool)
    for mode, ms in tt.modes.items():
        if ms.demand_index.size == 0 or ms.facilities is None or len(ms.facilities.edge) == 0:
            continue
        point_circle = tt.circle[ms.demand_index]
        for j, cat in enumerate(categories):
            wanted = _wanted(profile, cat, point_circle)
            if not wanted.any() or tt.facility_rows(cat).size == 0:
                continue
            found = (np.isfinite(minutes[ms.demand_index, j])
                     | _connected(ms.network, tt.facilities(mode, cat), ms.demand))
            no_path[ms.demand_index[wanted], j] = ~found[wanted]
    return no_path


def _connected(net: Network, sources: Snapped, targets: Snapped) -> NDArray[np.bool_]:
    """Targets on a (weakly) connected piece of the mode's graph that holds a source."""
    comp = net.component
    have = np.zeros(int(comp.max()) + 1 if len(comp) else 1, dtype=bool)
    src = sources.edge[sources.edge >= 0]
    if len(src):
        have[comp[net.edge_u[src]]] = True
    out = np.zeros(len(targets.edge), dtype=bool)
    ok = targets.edge >= 0
    out[ok] = have[comp[net.edge_u[targets.edge[ok]]]]
    return out
