"""Travel-time surfaces: minutes to the nearest facility on a regular grid.

The cell centres of a grid are snapped to the network like demand points (once, and
reusable for every category) and timed with :func:`~lifecircle.accessibility.traveltime.nearest`.
"""

from __future__ import annotations

import numpy as np
from affine import Affine
from numpy.typing import NDArray

from lifecircle.accessibility.network import Network
from lifecircle.accessibility.snap import Snapped, snap
from lifecircle.accessibility.traveltime import nearest
from lifecircle.geo.raster import grid_centres

__all__ = ["snap_cells", "travel_time_grid"]


def snap_cells(network: Network, bounds: tuple[float, float, float, float], cell_m: float, *,
               max_snap_m: float | None = None, mask: NDArray[np.bool_] | None = None
               ) -> tuple[Snapped, NDArray[np.bool_], Affine]:
    """Snap the centres of a grid's cells (those where ``mask`` is true) to ``network``.

    Returns the snapped centres (row-major order of the selected cells), the selection mask
    and the grid's transform, for :func:`travel_time_grid` with ``cells=``.
    """
    x, y, transform = grid_centres(bounds, cell_m)
    sel = np.ones(x.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if sel.shape != x.shape:
        raise ValueError(f"mask shape {sel.shape} does not match the grid {x.shape}")
    cells = snap(network, np.column_stack([x[sel], y[sel]]),
                 max_snap_m=float(cell_m if max_snap_m is None else max_snap_m),
                 far_access=False)
    return cells, sel, transform


def travel_time_grid(network: Network, sources: Snapped, *,
                     bounds: tuple[float, float, float, float], cell_m: float, limit_s: float,
                     max_snap_m: float | None = None, mask: NDArray[np.bool_] | None = None,
                     cells: tuple[Snapped, NDArray[np.bool_], Affine] | None = None
                     ) -> tuple[NDArray[np.float32], Affine]:
    """Minutes from the nearest source to every cell centre of a grid.

    Parameters
    ----------
    network
        Network of the travel mode.
    sources
        Snapped sources.
    bounds
        ``(minx, miny, maxx, maxy)`` of the grid in the network's CRS.
    cell_m
        Cell size in metres.
    limit_s
        Bound of the search; cells beyond it have no data.
    max_snap_m
        Cells whose centre lies farther from the road have no data (default ``cell_m``).
    mask
        Only these cells are timed (rows, cols of the grid); the others have no data.
    cells
        The result of :func:`snap_cells` for the same grid, to time several categories
        without snapping the cells again (``max_snap_m`` and ``mask`` are then ignored).

    Returns
    -------
    minutes : ndarray of float32, shape (rows, cols)
        Travel minutes, access legs included; NaN where no data.
    transform : Affine
        Of the grid (north up).
    """
    snapped, sel, transform = cells if cells is not None else snap_cells(
        network, bounds, cell_m, max_snap_m=max_snap_m, mask=mask)
    seconds, _ = nearest(network, sources, snapped, limit_s=limit_s)
    minutes = np.full(sel.shape, np.nan, dtype=np.float32)
    minutes[sel] = np.where(np.isfinite(seconds), seconds / 60.0, np.nan)
    return minutes, transform
