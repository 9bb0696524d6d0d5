"""WGS84 <-> GCJ-02 <-> BD-09 (lifecircle.geo.offsets) against published pairs and round trips.

Published pairs:
- wandergis/coordtransform, test/app.js: input (116.404, 39.915) gives
  wgs84togcj02 -> [116.41024449916938, 39.91640428150164] and
  gcj02tobd09 -> [116.41036949371029, 39.92133699351021]; its gcj02towgs84 is the
  one-step approximation [116.39775550083061, 39.91359571849836] (within metres of the exact
  inverse), its bd09togcj02 the closed-form approximation [116.39762729119315,
  39.90865673957631].
- googollee/eviltransform, python/test.py: WGS84 -> GCJ-02 for Shanghai, Shenzhen and
  Beijing, asserted there to 6 decimal places.

Every number is also recomputed by the scalar reference below, written from the published
formula independently of the module under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon

from lifecircle.geo import offsets as off

# ---------------------------------------------------------------- independent reference
A = 6378245.0
EE = 0.00669342162296594323
X_PI = math.pi * 3000.0 / 180.0


def _t_lat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _t_lon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def ref_wgs_to_gcj(lon: float, lat: float) -> tuple[float, float]:
    if not (72.004 < lon < 137.8347 and 0.8293 < lat < 55.8271):
        return lon, lat
    dlat = _t_lat(lon - 105.0, lat - 35.0)
    dlon = _t_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - EE * math.sin(rad) ** 2
    sm = math.sqrt(magic)
    dlat = dlat * 180.0 / ((A * (1 - EE)) / (magic * sm) * math.pi)
    dlon = dlon * 180.0 / (A / sm * math.cos(rad) * math.pi)
    return lon + dlon, lat + dlat


def ref_gcj_to_bd(lon: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres (haversine, R = 6371008.8 m)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float))
                              for v in (lon1, lat1, lon2, lat2))
    h = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371008.8 * np.arcsin(np.sqrt(h))


# ---------------------------------------------------------------- published pairs
def test_coordtransform_published_forward_pairs() -> None:
    lon, lat = off.wgs84_to_gcj02(116.404, 39.915)
    assert float(lon) == pytest.approx(116.41024449916938, abs=1e-12)
    assert float(lat) == pytest.approx(39.91640428150164, abs=1e-12)
    lon, lat = off.gcj02_to_bd09(116.404, 39.915)
    assert float(lon) == pytest.approx(116.41036949371029, abs=1e-12)
    assert float(lat) == pytest.approx(39.92133699351021, abs=1e-12)


def test_coordtransform_published_inverses_are_their_approximations() -> None:
    # coordtransform's inverses are one-step approximations: ours is exact, so it lies
    # within a few metres of theirs and maps forward back onto the input.
    lon, lat = off.gcj02_to_wgs84(116.404, 39.915)
    assert metres(lon, lat, 116.39775550083061, 39.91359571849836) < 5.0
    assert metres(*off.wgs84_to_gcj02(lon, lat), 116.404, 39.915) < 0.001
    lon, lat = off.bd09_to_gcj02(116.404, 39.915)
    assert metres(lon, lat, 116.39762729119315, 39.90865673957631) < 1.0
    assert metres(*off.gcj02_to_bd09(lon, lat), 116.404, 39.915) < 0.001


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
])
def test_eviltransform_published_pairs(wlat: float, wlon: float, glat: float,
                                       glon: float) -> None:
    lon, lat = off.wgs84_to_gcj02(wlon, wlat)
    assert float(lon) == pytest.approx(glon, abs=1e-9)
    assert float(lat) == pytest.approx(glat, abs=1e-9)
    back = off.gcj02_to_wgs84(glon, glat)
    assert metres(*back, wlon, wlat) < 0.01


def test_tiananmen_pair_matches_independent_reference() -> None:
    # The widely quoted WGS84 point (116.397428, 39.90923): GCJ-02 and BD-09 from the
    # independent reference above (values written out to 8 decimals as a second check).
    glon, glat = ref_wgs_to_gcj(116.397428, 39.90923)
    blon, blat = ref_gcj_to_bd(glon, glat)
    assert (round(glon, 8), round(glat, 8)) == (116.40367163, 39.91063351)
    assert (round(blon, 8), round(blat, 8)) == (116.4100441, 39.91697286)
    lon, lat = off.wgs84_to_gcj02(116.397428, 39.90923)
    assert (float(lon), float(lat)) == pytest.approx((glon, glat), abs=1e-12)
    lon, lat = off.wgs84_to_bd09(116.397428, 39.90923)
    assert (float(lon), float(lat)) == pytest.approx((blon, blat), abs=1e-12)
    lon, lat = off.bd09_to_wgs84(blon, blat)
    assert metres(lon, lat, 116.397428, 39.90923) < 0.01


def test_offsets_at_maanshan_have_the_documented_size() -> None:
    # STANDARDS.md: about 550 m WGS84 -> GCJ-02 and 900 m GCJ-02 -> BD-09 at Ma'anshan.
    glon, glat = off.wgs84_to_gcj02(118.51, 31.69)
    blon, blat = off.gcj02_to_bd09(glon, glat)
    assert 450 < metres(118.51, 31.69, glon, glat) < 650
    assert 800 < metres(glon, glat, blon, blat) < 1000


# ---------------------------------------------------------------- arrays and round trips
def test_arrays_match_reference_pointwise() -> None:
    rng = np.random.default_rng(7)
    lon = rng.uniform(73.5, 134.5, 200)
    lat = rng.uniform(18.5, 53.0, 200)
    glon, glat = off.wgs84_to_gcj02(lon, lat)
    blon, blat = off.gcj02_to_bd09(glon, glat)
    for i in range(200):
        rg = ref_wgs_to_gcj(lon[i], lat[i])
        rb = ref_gcj_to_bd(*rg)
        assert (glon[i], glat[i]) == pytest.approx(rg, abs=1e-12)
        assert (blon[i], blat[i]) == pytest.approx(rb, abs=1e-12)


@pytest.mark.parametrize(("src", "dst"), [("wgs84", "gcj02"), ("gcj02", "bd09"),
                                          ("wgs84", "bd09")])
def test_round_trips_below_one_centimetre(src: str, dst: str) -> None:
    rng = np.random.default_rng(2025)
    lon = rng.uniform(73.5, 134.5, 20000)
    lat = rng.uniform(18.5, 53.0, 20000)
    x, y = off.convert(lon, lat, src, dst)  # type: ignore[arg-type]
    assert metres(lon, lat, x, y).min() > 1.0  # the offset really moved every point
    bx, by = off.convert(x, y, dst, src)  # type: ignore[arg-type]
    assert metres(lon, lat, bx, by).max() < 0.01


def test_outside_china_unchanged() -> None:
    lon = np.array([139.6917, -0.1276, 151.2093, 60.0, 140.0])
    lat = np.array([35.6895, 51.5072, -33.8688, 40.0, 60.0])
    glon, glat = off.wgs84_to_gcj02(lon, lat)
    np.testing.assert_array_equal(glon, lon)
    np.testing.assert_array_equal(glat, lat)
    wlon, wlat = off.gcj02_to_wgs84(lon, lat)
    np.testing.assert_array_equal(wlon, lon)
    np.testing.assert_array_equal(wlat, lat)


def test_unknown_system_raises() -> None:
    with pytest.raises(ValueError, match="unknown conversion"):
        off.convert([118.5], [31.7], "wgs84", "utm")  # type: ignore[arg-type]


# ---------------------------------------------------------------- whole geometries
def test_convert_geometries_moves_every_vertex_and_keeps_structure() -> None:
    shell = [(118.50, 31.70), (118.52, 31.70), (118.52, 31.72), (118.50, 31.72), (118.50, 31.70)]
    hole = [(118.505, 31.705), (118.51, 31.705), (118.51, 31.71), (118.505, 31.705)]
    poly = Polygon(shell, [hole])
    lines = MultiLineString([[(118.4, 31.6), (118.45, 31.65)], [(118.6, 31.8), (118.61, 31.81),
                                                               (118.62, 31.8)]])
    point = Point(118.51, 31.69)
    line = LineString([(118.3, 31.5), (118.31, 31.52)])
    geoms = np.array([poly, lines, point, line, None], dtype=object)
    out = off.convert_geometries(geoms, "wgs84", "bd09")
    assert out[4] is None
    for before, after in zip(geoms[:4], out[:4], strict=True):
        assert after.geom_type == before.geom_type
        cb = shapely.get_coordinates(before)
        ca = shapely.get_coordinates(after)
        assert ca.shape == cb.shape
        ex, ey = off.wgs84_to_bd09(cb[:, 0], cb[:, 1])
        np.testing.assert_allclose(ca[:, 0], ex, atol=1e-12)
        np.testing.assert_allclose(ca[:, 1], ey, atol=1e-12)
    assert len(out[0].interiors) == 1
    assert len(out[1].geoms) == 2
    back = off.convert_geometries(out, "bd09", "wgs84")
    for before, after in zip(geoms[:4], back[:4], strict=True):
        cb = shapely.get_coordinates(before)
        ca = shapely.get_coordinates(after)
        assert metres(cb[:, 0], cb[:, 1], ca[:, 0], ca[:, 1]).max() < 0.01
