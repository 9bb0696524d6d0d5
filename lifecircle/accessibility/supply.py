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
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lifecircle.errors import InputError

__all__ = ["Catchments", "catchment_demand", "community_access", "fca", "weights"]

#: Slack when comparing a time with the limit (float noise from the engine).
TIME_EPS_MIN = 1e-9

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
    inside = np.isfinite(t) & (t <= limit + TIME_EPS_MIN)
    if isinstance(decay, str) and decay == "step":
        w = np.ones_like(t)
    elif isinstance(decay, str) and decay == "gaussian":
        s = limit / 2.0 if sigma is None else float(sigma)
        if not (math.isfinite(s) and s > 0):
            raise InputError(f"sigma {sigma!r}: must be a positive number of minutes; "
                             "fix: give the Gaussian's width, e.g. sigma=limit/2")
        with np.errstate(invalid="ignore", over="ignore"):
            w = np.exp(-(t * t) / (2.0 * s * s))
    elif isinstance(decay, Mapping):
        steps = sorted((float(k), float(v)) for k, v in decay.items())
        if not steps or any(not (math.isfinite(k) and math.isfinite(v)) or v < 0
                            for k, v in steps):
            raise InputError(f"decay {dict(decay)!r}: steps must map minutes to weights >= 0; "
                             "fix: e.g. decay={10: 1.0, 20: 0.68, 30: 0.22}")
        bounds = np.array([k for k, _ in steps])
        vals = np.array([v for _, v in steps] + [0.0])
        idx = np.searchsorted(bounds, np.where(np.isfinite(t), t, np.inf), side="left")
        w = vals[idx]
    else:
        raise InputError(f"decay {decay!r}: unknown; fix: use \"step\", \"gaussian\" or a "
                         "mapping {minutes: weight}")
    return np.where(inside, w, 0.0)


def _check_limit(limit: float) -> None:
    if not (isinstance(limit, (int, float)) and math.isfinite(limit) and limit > 0):
        raise InputError(f"limit {limit!r}: must be a positive number of minutes; fix: give "
                         "the circle's minutes")


def _vector(values: ArrayLike, n: int, what: str) -> NDArray[np.float64]:
    v = np.asarray(values, dtype=float).ravel()
    if len(v) != n:
        per = ("rows; fix: one value per facility (row of times)" if what == "supply"
               else "columns; fix: one value per demand point (column of times)")
        raise InputError(f"{what}: {len(v)} values for {n} matrix {per}")
    bad = np.flatnonzero(~np.isfinite(v) | (v < 0))
    if len(bad):
        i = int(bad[0])
        raise InputError(f"{what}: value {float(v[i])!r} at position {i} is not a number "
                         ">= 0; fix: give 0 where unknown or drop the row")
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
            raise InputError(f"times: expected a facilities x demand matrix, got shape "
                             f"{dense.shape}; fix: pass a 2-d array (rows facilities)")
        row, col = np.nonzero(np.isfinite(dense) & (dense <= limit + TIME_EPS_MIN))
        row = row.astype(np.int64)
        col = col.astype(np.int64)
        t = dense[row, col]
        shape = (int(dense.shape[0]), int(dense.shape[1]))
    if len(t) and (np.nanmin(t) < 0):
        i = int(np.flatnonzero(t < 0)[0])
        raise InputError(f"times: negative travel time {float(t[i])!r} (facility {row[i]}, demand "
                         f"{col[i]}); fix: times are minutes >= 0")
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
    m, n = c.shape
    s = _vector(supply, m, "supply")
    d = _vector(demand, n, "demand")
    weighted = np.bincount(c.facility, weights=c.weight * d[c.demand], minlength=m)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(weighted > 0, s / weighted, 0.0)
    return np.bincount(c.demand, weights=c.weight * ratio[c.facility], minlength=n)


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
    frame = pd.DataFrame({"g": np.asarray(groups, dtype=object), "vw": v * w, "w": w})
    sums = frame.groupby("g", sort=False)[["vw", "w"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        return (sums["vw"] / sums["w"].where(sums["w"] > 0)).rename("access")
