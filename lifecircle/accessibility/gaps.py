"""Gaps: uncovered demand grouped into areas, so a planner sees where a facility helps most.

For every category and circle, the demand points whose circle requires the category but
whose travel time exceeds the circle's minutes are binned into square grid cells of
``cell_m`` metres (aligned on multiples of ``cell_m`` in the working CRS, so the cells of all
categories line up). Cells that touch, also diagonally, form one gap; its polygon is the
union of its cells and it carries the population, households and number of points inside.

A wide area of uncovered demand (a whole district without meal-assistance points) is split
into tiles of about one circle's reach (the mode's speed x the circle's minutes: 1 km for
a 15-minute walk), roughly the area one new facility can serve, so that the gaps rank the
places where one facility helps most rather than forming one city-wide blob.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from lifecircle.accessibility.coverage import Coverage
from lifecircle.errors import InputError, notice
from lifecircle.profile import Profile

GAP_COLUMNS = ("category", "category_name", "circle", "population", "households",
               "n_points", "communities")


def _components(ix: NDArray[np.int64], iy: NDArray[np.int64],
                tile: NDArray[np.int64] | None = None) -> NDArray[np.int64]:
    """Label of the 8-connected component of each (unique) grid cell; with ``tile``, only
    cells of the same tile connect."""
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
        r, c = np.flatnonzero(hit), order[pos[hit]]
        if tile is not None:
            same = tile[r] == tile[c]
            r, c = r[same], c[same]
        rows.append(r)
        cols.append(c)
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    graph = coo_matrix((np.ones(len(r)), (r, c)), shape=(m, m)).tocsr()
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


#: Largest dense label grid (cells) polygonised at once; beyond it, cells are unioned.
MAX_GRID_CELLS = 50_000_000


def _polygons(cells: NDArray[np.int64], labels: NDArray[np.int64], n_lab: int,
              cell_m: float) -> NDArray[np.object_]:
    """(Multi)Polygon of every label: the union of its grid cells.

    The labels are burnt into a dense grid over the cells' extent and polygonised by GDAL
    (4-connected pieces), and the pieces of one label are gathered into a MultiPolygon.
    """
    from affine import Affine
    from rasterio.features import shapes
    from shapely.geometry import shape

    x0, y0 = cells[:, 0].min(), cells[:, 1].min()
    width = int(cells[:, 0].max() - x0) + 1
    height = int(cells[:, 1].max() - y0) + 1
    out = np.empty(n_lab, dtype=object)
    if width * height > MAX_GRID_CELLS:
        boxes = shapely.box(cells[:, 0] * cell_m, cells[:, 1] * cell_m,
                            (cells[:, 0] + 1) * cell_m, (cells[:, 1] + 1) * cell_m)
        order = np.argsort(labels, kind="stable")
        bounds = np.searchsorted(labels[order], np.arange(n_lab + 1))
        for lab in range(n_lab):
            part = boxes[order[bounds[lab]:bounds[lab + 1]]]
            out[lab] = part[0] if len(part) == 1 else shapely.coverage_union_all(part)
        return out
    # one-cell gaps (common where uncovered demand is scattered) are plain boxes
    count = np.bincount(labels, minlength=n_lab)
    one = count[labels] == 1
    c1 = cells[one]
    out[labels[one]] = shapely.box(c1[:, 0] * cell_m, c1[:, 1] * cell_m,
                                   (c1[:, 0] + 1) * cell_m, (c1[:, 1] + 1) * cell_m)
    if one.all():
        return out
    grid = np.zeros((height, width), dtype=np.int32)
    many = ~one
    grid[height - 1 - (cells[many, 1] - y0), cells[many, 0] - x0] = labels[many] + 1
    transform = Affine(cell_m, 0.0, float(x0) * cell_m, 0.0, -cell_m, float(y0 + height) * cell_m)
    parts: list[object] = []
    values: list[int] = []
    shells: list[list[tuple[float, float]]] = []
    shell_at: list[int] = []
    for geom, value in shapes(grid, mask=grid > 0, connectivity=4, transform=transform):
        if len(geom["coordinates"]) == 1:   # no hole: built below, all at once
            shell_at.append(len(parts))
            shells.append(geom["coordinates"][0])
            parts.append(None)
        else:
            parts.append(shape(geom))
        values.append(int(value) - 1)
    lab = np.asarray(values, dtype=np.int64)
    polys = np.asarray(parts, dtype=object)
    if shells:
        sizes = np.fromiter((len(r) for r in shells), dtype=np.int64, count=len(shells))
        coords = np.asarray([xy for ring in shells for xy in ring], dtype=float)
        rings = shapely.linearrings(coords, indices=np.repeat(np.arange(len(shells)), sizes))
        polys[np.asarray(shell_at)] = shapely.polygons(rings)
    pieces = np.bincount(lab, minlength=n_lab)
    single = pieces[lab] == 1
    out[lab[single]] = polys[single]
    multi = ~single
    if multi.any():
        order = np.argsort(lab[multi], kind="stable")
        ml = lab[multi][order]
        uniq, idx = np.unique(ml, return_inverse=True)
        out[uniq] = shapely.multipolygons(polys[multi][order], indices=idx.ravel())
    return out


def _empty(crs: object) -> gpd.GeoDataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=float if c in ("population", "households")
                                       else np.int64 if c == "n_points" else object)
                          for c in GAP_COLUMNS})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def find_gaps(coverage: Coverage, profile: Profile, *, cell_m: float = 100.0,
              split_m: float | None = None, lang: str = "zh") -> gpd.GeoDataFrame:
    """Group the uncovered demand of every required category into gap polygons.

    Parameters
    ----------
    coverage
        The coverage (:func:`~lifecircle.accessibility.coverage.compute_coverage`): its
        point-level matrix says which demand point is uncovered for which category, its
        ``demand`` layer where the points are; nothing is recomputed here.
    profile
        The standards profile.
    cell_m
        Grid cell size in metres; cells touching (also at a corner) are one gap.
    split_m
        Tile size splitting large gaps (cells in different tiles never join). None: each
        circle's reach (:meth:`~lifecircle.profile.Circle.reach_m`); ``math.inf``: no split.
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
        ``cell_m`` not positive, or a coverage without its point-level matrix.
    """
    if not cell_m > 0:
        raise notice(InputError, "err.api.gap_cell", value=cell_m)
    p = coverage.points
    if p is None:
        raise notice(InputError, "err.api.gap_points")
    demand_points = coverage.demand
    crs = getattr(demand_points, "crs", None)
    if len(p.pop) == 0 or not p.categories:
        return _empty(crs)
    xy = shapely.get_coordinates(demand_points.geometry.to_numpy())
    if len(xy) != len(p.pop):
        raise notice(InputError, "err.api.gap_geometry")
    cells = np.floor(xy / cell_m).astype(np.int64)
    cmin = cells.min(axis=0)
    span = int(cells[:, 1].max() - cmin[1]) + 1
    cell_key = (cells[:, 0] - cmin[0]) * span + (cells[:, 1] - cmin[1])
    point_circle = p.comm_kind[p.code]
    cids = coverage.communities["cid"].astype(str).to_numpy(object)
    # per piece (category x circle): its gaps' columns, gathered and built into one table
    cols: dict[str, list[NDArray]] = {c: [] for c in GAP_COLUMNS if c != "communities"}
    geoms: list[NDArray[np.object_]] = []
    # (global gap label, cid, population) of every uncovered point, for the communities
    # lists: one group-by over all pieces (sums per group do not depend on the others)
    glab: list[NDArray[np.int64]] = []
    gcid: list[NDArray[np.object_]] = []
    gpop: list[NDArray[np.float64]] = []
    n_gaps = 0
    for j, cat in enumerate(p.categories):
        uncovered = p.required[:, j] & ~p.covered[:, j] & (p.pop > 0)
        for circle in profile.circles:
            sel = np.flatnonzero(uncovered & (point_circle == circle))
            if sel.size == 0:
                continue
            ukey, inverse = np.unique(cell_key[sel], return_inverse=True)
            inverse = inverse.ravel()
            uniq = np.column_stack([ukey // span + cmin[0], ukey % span + cmin[1]])
            tile_m = max(profile.reach_m(circle) if split_m is None else split_m, cell_m)
            tile = None
            if np.isfinite(tile_m):
                tx = np.floor((uniq[:, 0] + 0.5) * cell_m / tile_m).astype(np.int64)
                ty = np.floor((uniq[:, 1] + 0.5) * cell_m / tile_m).astype(np.int64)
                tile = (tx - tx.min()) * (int(ty.max() - ty.min()) + 1) + (ty - ty.min())
            labels = _components(uniq[:, 0], uniq[:, 1], tile)
            n_lab = int(labels.max()) + 1
            plab = labels[inverse]
            hh = p.hh[sel]
            hh_sum = np.bincount(plab, weights=np.nan_to_num(hh), minlength=n_lab)
            hh_known = np.bincount(plab, weights=(~np.isnan(hh)).astype(float), minlength=n_lab)
            cols["category"].append(np.full(n_lab, cat, dtype=object))
            cols["category_name"].append(
                np.full(n_lab, profile.categories[cat].name(lang), dtype=object))
            cols["circle"].append(np.full(n_lab, circle, dtype=object))
            cols["population"].append(np.bincount(plab, weights=p.pop[sel], minlength=n_lab))
            cols["households"].append(np.where(hh_known > 0, hh_sum, np.nan))
            cols["n_points"].append(np.bincount(plab, minlength=n_lab).astype(np.int64))
            geoms.append(_polygons(uniq, labels, n_lab, cell_m))
            glab.append(plab + n_gaps)
            gcid.append(cids[p.code[sel]])
            gpop.append(p.pop[sel])
            n_gaps += n_lab
    if not n_gaps:
        return _empty(crs)
    by_comm = (pd.DataFrame({"lab": np.concatenate(glab), "cid": np.concatenate(gcid),
                             "pop": np.concatenate(gpop)})
               .groupby(["lab", "cid"], sort=False)["pop"].sum().reset_index()
               .sort_values(["lab", "pop", "cid"], ascending=[True, False, True]))
    blab = by_comm["lab"].to_numpy()
    bounds = np.searchsorted(blab, np.arange(n_gaps + 1))
    bcid = by_comm["cid"].to_numpy(object)
    comm_lists = [",".join(bcid[bounds[i]:bounds[i + 1]]) for i in range(n_gaps)]
    frame = pd.DataFrame({**{c: np.concatenate(v) for c, v in cols.items()},
                          "communities": np.asarray(comm_lists, dtype=object)}
                         )[list(GAP_COLUMNS)]
    out = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(np.concatenate(geoms), crs=crs),
                           crs=crs)
    order = np.lexsort((np.arange(len(out)), -out["population"].to_numpy()))
    return out.iloc[order].reset_index(drop=True)


__all__ = ["GAP_COLUMNS", "find_gaps"]
