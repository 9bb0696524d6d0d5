"""Gaps: uncovered demand grouped into areas, so a planner sees where a facility helps most.

For every category and circle, the demand points whose circle requires the category but
whose travel time exceeds the circle's minutes are binned into square grid cells of
``cell_m`` metres (aligned on multiples of ``cell_m`` in the working CRS, so the cells of all
categories line up). Cells that touch, also diagonally, form one gap; its polygon is the
union of its cells and it carries the population, households and number of points inside.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from lifecircle.accessibility.coverage import _prepare
from lifecircle.errors import InputError
from lifecircle.project import Profile

GAP_COLUMNS = ("category", "category_name", "circle", "population", "households",
               "n_points", "communities")


def _components(ix: NDArray[np.int64], iy: NDArray[np.int64]) -> NDArray[np.int64]:
    """Label of the 8-connected component of each (unique) grid cell."""
    m = len(ix)
    if m == 0:
        return np.empty(0, np.int64)
    x0, y0 = ix.min(), iy.min()
    height = int(iy.max() - y0) + 3
    key = (ix - x0 + 1) * height + (iy - y0 + 1)
    order = np.argsort(key)
    skey = key[order]
    rows, cols = [], []
    for dx, dy in ((1, 0), (0, 1), (1, 1), (1, -1)):
        nk = key + dx * height + dy
        pos = np.searchsorted(skey, nk)
        pos = np.minimum(pos, m - 1)
        hit = skey[pos] == nk
        rows.append(np.flatnonzero(hit))
        cols.append(order[pos[hit]])
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    graph = coo_matrix((np.ones(len(r)), (r, c)), shape=(m, m)).tocsr()
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def _empty(crs: object) -> gpd.GeoDataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=float if c in ("population", "households")
                                       else np.int64 if c == "n_points" else object)
                          for c in GAP_COLUMNS})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def find_gaps(demand_points: gpd.GeoDataFrame, times: pd.DataFrame,
              communities: gpd.GeoDataFrame, profile: Profile, *, cell_m: float = 100.0,
              lang: str = "zh") -> gpd.GeoDataFrame:
    """Group the uncovered demand of every required category into gap polygons.

    Parameters
    ----------
    demand_points
        ``did cid population households`` and point geometry (:class:`Demand.points`).
    times
        Travel minutes to the nearest facility, index ``did``, one column per category
        (``inf``/NaN = unreachable), as for :func:`compute_coverage`.
    communities
        Canonical communities with ``cid`` and ``kind`` (which picks each point's circle).
    profile
        The standards profile.
    cell_m
        Grid cell size in metres; cells touching (also at a corner) are one gap.
    lang
        Language of ``category_name`` (``zh`` or ``en``).

    Returns
    -------
    geopandas.GeoDataFrame
        The ``gaps`` layer: ``category category_name circle population households n_points
        communities`` (comma-separated ``cid`` of the communities whose uncovered residents
        are in the gap, largest share first) and (Multi)Polygon geometry, sorted by
        population, largest first. Households are NaN when unknown for every point.

    Raises
    ------
    InputError
        ``cell_m`` not positive, or the inputs fail :func:`compute_coverage`'s checks.
    """
    if not cell_m > 0:
        raise InputError(f"gaps: cell size {cell_m} m must be positive; fix: give cell_m > 0")
    crs = getattr(demand_points, "crs", None)
    p = _prepare(communities, demand_points, times, profile)
    if len(p.pop) == 0 or not p.categories:
        return _empty(crs)
    xy = shapely.get_coordinates(demand_points.geometry.to_numpy())
    if len(xy) != len(p.pop):
        raise InputError("gaps: demand points must be single, non-empty points; fix: build "
                         "them with accessibility.demand.build_demand")
    cells = np.floor(xy / cell_m).astype(np.int64)
    point_circle = p.comm_kind[p.code]
    cids = pd.Series(communities["cid"].astype(object).to_numpy())
    records: list[dict[str, object]] = []
    geoms: list[object] = []
    for j, cat in enumerate(p.categories):
        uncovered = p.required[:, j] & ~p.covered[:, j] & (p.pop > 0)
        for circle in profile.circles:
            sel = np.flatnonzero(uncovered & (point_circle == circle))
            if sel.size == 0:
                continue
            uniq, inverse = np.unique(cells[sel], axis=0, return_inverse=True)
            inverse = inverse.ravel()
            labels = _components(uniq[:, 0], uniq[:, 1])
            n_lab = int(labels.max()) + 1
            plab = labels[inverse]
            pop = np.bincount(plab, weights=p.pop[sel], minlength=n_lab)
            hh = p.hh[sel]
            hh_sum = np.bincount(plab, weights=np.nan_to_num(hh), minlength=n_lab)
            hh_known = np.bincount(plab, weights=(~np.isnan(hh)).astype(float), minlength=n_lab)
            npts = np.bincount(plab, minlength=n_lab)
            boxes = shapely.box(uniq[:, 0] * cell_m, uniq[:, 1] * cell_m,
                                (uniq[:, 0] + 1) * cell_m, (uniq[:, 1] + 1) * cell_m)
            cell_order = np.argsort(labels, kind="stable")
            bounds = np.searchsorted(labels[cell_order], np.arange(n_lab + 1))
            by_comm = (pd.DataFrame({"lab": plab, "code": p.code[sel], "pop": p.pop[sel]})
                       .groupby(["lab", "code"], sort=False)["pop"].sum().reset_index()
                       .sort_values(["lab", "pop", "code"], ascending=[True, False, True]))
            comm_lists = by_comm.groupby("lab", sort=True)["code"].agg(
                lambda s: ",".join(map(str, cids.iloc[s.to_numpy()])))
            name = profile.categories[cat].name(lang)
            for lab in range(n_lab):
                part = boxes[cell_order[bounds[lab]:bounds[lab + 1]]]
                geom = part[0] if len(part) == 1 else shapely.coverage_union_all(part)
                geoms.append(geom)
                records.append({
                    "category": cat, "category_name": name, "circle": circle,
                    "population": float(pop[lab]),
                    "households": float(hh_sum[lab]) if hh_known[lab] > 0 else np.nan,
                    "n_points": int(npts[lab]), "communities": comm_lists.loc[lab]})
    if not records:
        return _empty(crs)
    frame = pd.DataFrame.from_records(records, columns=list(GAP_COLUMNS))
    frame["n_points"] = frame["n_points"].astype(np.int64)
    out = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)
    order = np.lexsort((np.arange(len(out)), -out["population"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)


__all__ = ["GAP_COLUMNS", "find_gaps"]
