"""WGS84 <-> GCJ-02 <-> BD-09 conversions for point arrays and whole geometries.

GCJ-02 (Amap/Gaode, Tencent) is an obfuscated offset of WGS84; BD-09 (Baidu) a further
offset of GCJ-02. PROJ supports neither. The forward transforms follow the published
algorithm (Krasovsky semi-major axis 6378245.0, eccentricity squared
0.00669342162296594323, series in (lon - 105, lat - 35)); the inverses are iterated until
the round trip is below 1e-9 degrees (about 0.1 mm), far below the 1 cm asked for.
Points outside China are returned unchanged, as the published algorithm does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

System = Literal["wgs84", "gcj02", "bd09"]

_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0
_TOL_DEG = 1e-9
_MAX_ITER = 30


def in_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """True where a point lies in the rectangle the offset applies to."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon > 72.004) & (lon < 137.8347) & (lat > 0.8293) & (lat < 55.8271)


def _delta(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[NDArray, NDArray]:
    x = lon - 105.0
    y = lat - 35.0
    sx = np.sqrt(np.abs(x))
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return np.array(lon, dtype=float, copy=True), np.array(lat, dtype=float, copy=True)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """Convert WGS84 longitude/latitude to GCJ-02 (unchanged outside China)."""
    lon, lat = _arrays(lon, lat)
    dlon, dlat = _delta(lon, lat)
    inside = in_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """Convert GCJ-02 longitude/latitude to BD-09."""
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _invert(forward, lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:  # type: ignore[no-untyped-def]
    """Invert ``forward`` by fixed-point iteration from the target point."""
    tlon, tlat = _arrays(lon, lat)
    glon, glat = tlon.copy(), tlat.copy()
    for _ in range(_MAX_ITER):
        flon, flat = forward(glon, glat)
        elon, elat = flon - tlon, flat - tlat
        glon -= elon
        glat -= elat
        if np.all(np.abs(elon) < _TOL_DEG) and np.all(np.abs(elat) < _TOL_DEG):
            break
    return glon, glat


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """Convert GCJ-02 to WGS84, iterated to a round-trip error below 1e-9 degrees."""
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """Convert BD-09 to GCJ-02, iterated to a round-trip error below 1e-9 degrees."""
    return _invert(gcj02_to_bd09, lon, lat)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """Convert WGS84 to BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray, NDArray]:
    """Convert BD-09 to WGS84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_CONVERT = {
    ("wgs84", "gcj02"): wgs84_to_gcj02,
    ("gcj02", "wgs84"): gcj02_to_wgs84,
    ("gcj02", "bd09"): gcj02_to_bd09,
    ("bd09", "gcj02"): bd09_to_gcj02,
    ("wgs84", "bd09"): wgs84_to_bd09,
    ("bd09", "wgs84"): bd09_to_wgs84,
}


def convert(lon: ArrayLike, lat: ArrayLike, src: System, dst: System) -> tuple[NDArray, NDArray]:
    """Convert point arrays between ``wgs84``, ``gcj02`` and ``bd09``."""
    if src == dst:
        return _arrays(lon, lat)
    try:
        fn = _CONVERT[(src, dst)]
    except KeyError:
        from lifecircle.errors import InputError, notice

        raise notice(InputError, "err.api.offset", src=repr(src), dst=repr(dst)) from None
    return fn(lon, lat)


def convert_geometries(geoms: ArrayLike, src: System, dst: System) -> NDArray[np.object_]:
    """Convert every vertex of shapely geometries (lon/lat degrees) from ``src`` to ``dst``."""
    arr = np.asarray(geoms, dtype=object)

    def fn(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = convert(coords[:, 0], coords[:, 1], src, dst)
        return np.column_stack([x, y])

    return shapely.transform(arr, fn)


# ---------------------------------------------------------------------------- detection
@dataclass(frozen=True)
class OffsetFit:
    """How well points fit the roads when read as each coordinate system.

    Attributes
    ----------
    p90_m
        System (``wgs84``, ``gcj02``, ``bd09``) -> the distance in metres within which 90 %
        of the points lie from their nearest road, the points read in that system.
    points
        Points compared (a sample of the layer).
    """

    p90_m: dict[str, float]
    points: int

    @property
    def best(self) -> str:
        """The system the points fit the roads best in."""
        return min(self.p90_m, key=lambda k: self.p90_m[k])

    def guess(self) -> tuple[str | None, bool]:
        """The offset system the points are in, and whether the evidence is strong.

        ``(None, True)``: the points fit the roads as they are. ``("gcj02", True)``: read as
        GCJ-02 they lie at most half as far from the roads, and at least 50 m closer (the
        offset is 300-700 m in most of China). ``("gcj02", False)``: better, not by that
        much. Points placed in the wrong system scatter up to the offset's size from the
        roads, so the 90th percentile grows; in a dense grid the median hardly moves.
        """
        base = self.p90_m.get("wgs84", math.inf)
        best = self.best
        if best == "wgs84" or self.points < 3:
            return None, True
        gain = base - self.p90_m[best]
        if self.p90_m[best] <= 0.5 * base and gain >= 50.0:
            return best, True
        if self.p90_m[best] <= 0.8 * base and gain >= 30.0:
            return best, False
        return None, False


def fit_to_roads(points_lonlat: NDArray[np.float64], roads_lonlat: ArrayLike, *,
                 sample: int = 800, seed: int = 0) -> OffsetFit | None:
    """Compare points with the roads as WGS 84, GCJ-02 and BD-09 coordinates.

    Parameters
    ----------
    points_lonlat
        ``(n, 2)`` longitude/latitude of the points as stored in the file.
    roads_lonlat
        Road lines in WGS 84 longitude/latitude (shapely geometries).
    sample
        Points compared at most (a seeded random sample).
    seed
        Seed of the sample.

    Returns
    -------
    OffsetFit, or None when there are no roads, no points, or the points lie outside China
    (where the offsets do not apply).
    """
    from lifecircle.geo.crs import transformer

    pts = np.asarray(points_lonlat, dtype=float).reshape(-1, 2)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    roads = np.asarray(roads_lonlat, dtype=object)
    roads = roads[~(shapely.is_missing(roads) | shapely.is_empty(roads))]
    if len(pts) == 0 or len(roads) == 0:
        return None
    if len(pts) > sample:
        pts = pts[np.random.default_rng(seed).choice(len(pts), sample, replace=False)]
    inside = in_china(pts[:, 0], pts[:, 1])
    if inside.mean() < 0.5:
        return None
    pts = pts[inside]
    lon0, lat0 = float(np.median(pts[:, 0])), float(np.median(pts[:, 1]))
    tm = transformer("EPSG:4326", f"+proj=tmerc +lon_0={lon0} +lat_0={lat0} "
                     "+ellps=WGS84 +units=m")
    metric_roads = shapely.transform(roads, lambda c: np.column_stack(tm.transform(c[:, 0],
                                                                                  c[:, 1])))
    tree = shapely.STRtree(metric_roads)
    out: dict[str, float] = {}
    for system in ("wgs84", "gcj02", "bd09"):
        lon, lat = convert(pts[:, 0], pts[:, 1], system, "wgs84")  # type: ignore[arg-type]
        x, y = tm.transform(lon, lat)
        _, dist = tree.query_nearest(shapely.points(x, y), return_distance=True,
                                     all_matches=False)
        out[system] = float(np.percentile(dist, 90))
    return OffsetFit(out, len(pts))
