"""Choice of the metric working CRS and hints for coordinates in the wrong CRS.

Every layer is reprojected into one working CRS before any distance is measured. ``auto``
gives a transverse Mercator centred on the data (scale error below 0.02 % within 150 km of
the centre, so a whole prefecture-level city is measured to better than a metre per
kilometre); ``utm`` gives the WGS 84 UTM zone of the data's centre; anything else must be a
projected CRS in metres (for example ``EPSG:4548``, CGCS2000 3-degree Gauss-Kruger CM 117E).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pyproj import CRS, Transformer
from pyproj.crs import GeographicCRS, ProjectedCRS
from pyproj.crs.coordinate_operation import TransverseMercatorConversion
from pyproj.exceptions import CRSError

from lifecircle import i18n
from lifecircle.errors import ProjectError, notice

Bounds = Sequence[float]  # (min_x, min_y, max_x, max_y)

#: Step the central meridian of ``auto`` is rounded to, so the same data gives the same CRS.
AUTO_CM_STEP_DEG = 0.1
#: Largest scale error of a working CRS at the data (distances off by more are refused).
MAX_DISTORTION = 0.005
#: Named working CRSs (computed from the data's extent).
NAMED = ("auto", "utm")


@lru_cache(maxsize=128)
def transformer(src: Any, dst: Any) -> Transformer:
    """The ``always_xy`` transformer from ``src`` to ``dst``, made once per pair.

    PROJ's search for the best operation (e.g. CGCS2000 to WGS 84) costs about 0.1 s; the
    same pair comes back for every layer and raster, so it is cached as geopandas caches its
    own. Transformers are thread-safe (pyproj >= 3.1). The one way lifecircle makes a
    transformer (the loader, rasters, demand, the synthetic data, the map's bounds, the
    offset check): nothing calls ``Transformer.from_crs`` itself.

    Parameters
    ----------
    src, dst
        Anything :meth:`pyproj.Transformer.from_crs` takes that is hashable (a
        :class:`pyproj.CRS`, an EPSG code, an ``"EPSG:nnnn"`` string).

    Returns
    -------
    pyproj.Transformer
    """
    return Transformer.from_crs(src, dst, always_xy=True)


def working_crs(spec: str | int, bounds_lonlat: Bounds, *,
                accept_distortion: bool = False) -> CRS:
    """Return the metric working CRS for data covering ``bounds_lonlat``.

    Parameters
    ----------
    spec
        ``"auto"`` (transverse Mercator centred on the data, WGS 84 datum), ``"utm"`` (the
        WGS 84 UTM zone of the data's centre), or any CRS pyproj accepts (``"EPSG:4548"``,
        ``4548``) which must be projected with metre units.
    bounds_lonlat
        ``(min_lon, min_lat, max_lon, max_lat)`` of the data in degrees.
    accept_distortion
        Keep a CRS that distorts distances at the data by more than
        :data:`MAX_DISTORTION` (``[project] accept_crs_distortion = true``); the caller
        warns with :func:`distortion`.

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    ProjectError
        When ``spec`` is unknown, geographic or not in metres, the bounds are not degrees, or
        the CRS distorts distances at the data by more than 0.5 % (unless accepted).
    """
    text = str(spec).strip()
    if text.lower() in ("auto", "utm"):
        lon, lat = _centre(bounds_lonlat)
        if text.lower() == "utm":
            zone = min(60, int((lon + 180.0) // 6.0) + 1)
            return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)
        cm = round(round(lon / AUTO_CM_STEP_DEG) * AUTO_CM_STEP_DEG, 6)
        conversion = TransverseMercatorConversion(
            latitude_natural_origin=0.0, longitude_natural_origin=cm,
            false_easting=500000.0, false_northing=0.0, scale_factor_natural_origin=1.0)
        hemi = "E" if cm >= 0 else "W"
        return ProjectedCRS(conversion=conversion, geodetic_crs=GeographicCRS(datum="WGS84"),
                            name=f"lifecircle transverse Mercator CM {abs(cm):g}{hemi} (WGS 84)")
    if text.isdigit():
        text = f"EPSG:{text}"
    try:
        crs = CRS.from_user_input(text)
    except CRSError:
        raise notice(ProjectError, "err.crs.unknown", spec=repr(spec)) from None
    if not crs.is_projected:
        raise notice(ProjectError, "err.crs.not_projected", spec=repr(spec), crs=crs.name)
    units = {ax.unit_name.lower() for ax in crs.axis_info}
    if not units <= {"metre", "meter", "m"}:
        raise notice(ProjectError, "err.crs.units", spec=repr(spec), crs=crs.name,
                     units=i18n.items(sorted(units)))
    if not accept_distortion:
        err = distortion(crs, bounds_lonlat)
        if err > MAX_DISTORTION:
            raise notice(ProjectError, "err.crs.distorting", spec=repr(spec), crs=crs.name,
                         err=distortion_text(err), limit=f"{MAX_DISTORTION:.1%}")
    return crs


def distortion(crs: CRS, bounds_lonlat: Bounds, *, n: int = 7) -> float:
    """Largest relative scale error of ``crs`` over the data's extent.

    The point scale factors (along the meridian and the parallel) are evaluated on an
    ``n`` x ``n`` grid over the extent; the result is ``max |k - 1|`` (0.01 = distances 1 %
    off). A point the projection cannot handle (outside its domain) counts as infinite.

    Parameters
    ----------
    crs
        A projected CRS.
    bounds_lonlat
        ``(min_lon, min_lat, max_lon, max_lat)`` in degrees.
    n
        Grid size per axis.

    Returns
    -------
    float
        ``max |k - 1|``; ``inf`` when the CRS cannot project part of the extent.
    """
    import numpy as np
    from pyproj import Proj

    minx, miny, maxx, maxy = (float(v) for v in bounds_lonlat)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return 0.0
    lon, lat = np.meshgrid(np.linspace(minx, maxx, n), np.linspace(miny, maxy, n))
    try:
        with np.errstate(all="ignore"):
            f = Proj(crs).get_factors(lon.ravel(), lat.ravel(), errcheck=False)
            k = np.concatenate([np.asarray(f.meridional_scale, dtype=float),
                                np.asarray(f.parallel_scale, dtype=float)])
    except Exception:  # a projection without factors (not a map projection): no check
        return 0.0
    if not np.all(np.isfinite(k)):
        return math.inf
    return float(np.max(np.abs(k - 1.0)))


def distortion_text(err: float) -> str:
    """A scale error as text: ``60.7 %`` (``out of its domain`` for infinity)."""
    return "far beyond its area of use" if not math.isfinite(err) else f"{err:.1%}"


def _centre(bounds: Bounds) -> tuple[float, float]:
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        raise notice(ProjectError, "err.crs.no_extent")
    if not (-180.0 <= minx <= maxx <= 180.0 and -90.0 <= miny <= maxy <= 90.0):
        raise notice(ProjectError, "err.crs.not_lonlat", bounds=str(bounds))
    return (minx + maxx) / 2.0, (miny + maxy) / 2.0


def looks_like_degrees(bounds: Bounds) -> bool:
    """True when the coordinates fit longitude/latitude in degrees."""
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    return -180.0 <= minx <= maxx <= 180.0 and -90.0 <= miny <= maxy <= 90.0


def looks_swapped_china(bounds: Bounds) -> bool:
    """True when x holds Chinese latitudes and y Chinese longitudes (lat/lon swapped)."""
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    return 0.8 <= minx <= maxx <= 56.0 and 72.0 <= miny <= maxy <= 138.0


def suggest_projected(bounds: Bounds) -> str:
    """Guess which Chinese projected CRS metric coordinates are in, as advice for a message.

    CGCS2000 Gauss-Kruger coordinates carry the zone number in front of the easting in one
    family of codes (3-degree zones 25-45: EPSG:4513-4533; 6-degree zones 13-23:
    EPSG:4491-4501) and a plain 500 km false easting in the other (central meridian codes
    EPSG:4534-4554 and EPSG:4502-4512). UTM eastings look like the latter.

    Parameters
    ----------
    bounds
        ``(min_x, min_y, max_x, max_y)`` of the raw coordinates.

    Returns
    -------
    str
        A short suggestion (a :class:`~lifecircle.errors.Note`: English as a ``str``,
        rendered in the run's language), empty when nothing fits.
    """
    from lifecircle.errors import Note

    minx, miny, maxx, maxy = (float(v) for v in bounds)
    if looks_like_degrees(bounds):
        return Note("hint.crs.degrees")
    hints: list[Note] = []
    zmin, zmax = int(minx // 1e6), int(maxx // 1e6)
    northing = miny >= 0.0 and maxy <= 7.0e6
    if northing and zmin == zmax and 25 <= zmin <= 45:
        hints.append(Note("hint.crs.zone3", zone=zmin, cm=zmin * 3, epsg=4513 + zmin - 25))
    elif northing and zmin == zmax and 13 <= zmin <= 23:
        hints.append(Note("hint.crs.zone6", zone=zmin, cm=zmin * 6 - 3,
                          epsg=4491 + zmin - 13))
    elif minx > 0.0 and maxx < 1.0e6 and miny >= -1.0e7 and maxy <= 1.0e7:
        hints.append(Note("hint.crs.no_zone"))
    merc = _web_mercator_place(minx, miny, maxx, maxy)
    if merc:
        hints.append(merc)
    if len(hints) > 1:
        return Note("hint.or", first=hints[0], second=hints[1])
    return hints[0] if hints else ""


#: Half the width of the Web Mercator world (metres).
_MERC_MAX = 20037508.342789244


def _web_mercator_place(minx: float, miny: float, maxx: float, maxy: float) -> str:
    """Where metric coordinates would lie if they were Web Mercator (EPSG:3857)."""
    if not (-_MERC_MAX <= minx <= maxx <= _MERC_MAX and -_MERC_MAX <= miny <= maxy <= _MERC_MAX):
        return ""
    if abs(maxx - minx) < 1.0 and abs(maxy - miny) < 1.0 and abs(minx) < 1.0e6:
        return ""
    cx, cy = (minx + maxx) / 2.0, (miny + maxy) / 2.0
    lon = math.degrees(cx / 6378137.0)
    lat = math.degrees(2.0 * math.atan(math.exp(cy / 6378137.0)) - math.pi / 2.0)
    if abs(lat) > 85.0:
        return ""
    # Web Mercator eastings below 1,000 km are within ~9 degrees of Greenwich: only worth
    # naming when the coordinates are large (web map tiles, Amap/Baidu/OSM exports)
    if abs(cx) < 1.0e6 and abs(cy) < 1.0e6:
        return ""
    from lifecircle.errors import Note

    return Note("hint.crs.mercator", lon=f"{lon:.3f}", lat=f"{lat:.3f}")
