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

from pyproj import CRS
from pyproj.crs import GeographicCRS, ProjectedCRS
from pyproj.crs.coordinate_operation import TransverseMercatorConversion
from pyproj.exceptions import CRSError

from lifecircle.errors import ProjectError

Bounds = Sequence[float]  # (min_x, min_y, max_x, max_y)

#: Step the central meridian of ``auto`` is rounded to, so the same data gives the same CRS.
AUTO_CM_STEP_DEG = 0.1


def working_crs(spec: str | int, bounds_lonlat: Bounds) -> CRS:
    """Return the metric working CRS for data covering ``bounds_lonlat``.

    Parameters
    ----------
    spec
        ``"auto"`` (transverse Mercator centred on the data, WGS 84 datum), ``"utm"`` (the
        WGS 84 UTM zone of the data's centre), or any CRS pyproj accepts (``"EPSG:4548"``,
        ``4548``) which must be projected with metre units.
    bounds_lonlat
        ``(min_lon, min_lat, max_lon, max_lat)`` of the data in degrees.

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    ProjectError
        When ``spec`` is unknown, geographic or not in metres, or the bounds are not degrees.
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
        raise ProjectError(f"working_crs {spec!r}: unknown CRS; fix: use \"auto\" or a projected "
                           "EPSG code such as \"EPSG:4548\"") from None
    if not crs.is_projected:
        raise ProjectError(f"working_crs {spec!r}: {crs.name} is not projected; fix: use \"auto\" "
                           "or a projected EPSG code such as \"EPSG:4548\"")
    units = {ax.unit_name.lower() for ax in crs.axis_info}
    if not units <= {"metre", "meter", "m"}:
        raise ProjectError(f"working_crs {spec!r}: {crs.name} is in {', '.join(sorted(units))}, "
                           "not metres; fix: use \"auto\" or a metric EPSG code such as "
                           "\"EPSG:4548\"")
    return crs


def _centre(bounds: Bounds) -> tuple[float, float]:
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        raise ProjectError("working_crs auto: the data has no finite extent; fix: check that "
                           "the layers hold geometries")
    if not (-180.0 <= minx <= maxx <= 180.0 and -90.0 <= miny <= maxy <= 90.0):
        raise ProjectError(f"working_crs auto: extent {bounds} is not longitude/latitude; "
                           "fix: check the layers' source_crs")
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
        A short suggestion (English), empty when nothing fits.
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    if looks_like_degrees(bounds):
        return 'the coordinates are degrees: use source_crs = "wgs84" or "cgcs2000"'
    if not (miny >= 0.0 and maxy <= 7.0e6):
        return ""
    zmin, zmax = int(minx // 1e6), int(maxx // 1e6)
    if zmin == zmax and 25 <= zmin <= 45:
        return (f"the eastings start with zone {zmin}: CGCS2000 3-degree Gauss-Kruger zone "
                f"{zmin} (central meridian {zmin * 3}E) is EPSG:{4513 + zmin - 25}")
    if zmin == zmax and 13 <= zmin <= 23:
        return (f"the eastings start with zone {zmin}: CGCS2000 6-degree Gauss-Kruger zone "
                f"{zmin} (central meridian {zmin * 6 - 3}E) is EPSG:{4491 + zmin - 13}")
    if minx > 0.0 and maxx < 1.0e6:
        return ("the eastings have no zone number: a CGCS2000 3-degree Gauss-Kruger CM code "
                "(EPSG:4534-4554, e.g. EPSG:4548 for 117E, EPSG:4549 for 120E) or a UTM zone "
                "(e.g. EPSG:32650)")
    return ""
