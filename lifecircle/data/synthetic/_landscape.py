"""The physical layout of the synthetic region, in a local metric frame.

The local frame is a transverse Mercator on CGCS2000 centred on Ma'anshan's city centre
(118.51E, 31.69N): x east, y north, metres. Everything here is built in that frame and
projected to EPSG:4548 at the end by the package's ``generate``.

Layout (scale 1, x from -13 km to 16 km, y from -10 km to 10 km):

* the Yangtze flows SSW -> NNE about 7.5 km west of the centre, 1.4-3 km wide, with a
  river island (江心洲) north-west of the core;
* the main urban core on the east bank, a noisy ellipse about 9 x 12 km around the centre,
  with 雨山湖 (a lake) and the hills 雨山 and 佳山 inside it;
* hills (翠螺山 by the river, the 濮塘 forest to the east, more at larger scales) and, at
  whole-city scales, 石臼湖 to the south-east and county towns at their real positions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS
from pyproj.crs import ProjectedCRS
from pyproj.crs.coordinate_operation import TransverseMercatorConversion
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

#: The local frame: transverse Mercator centred on 118.51E 31.69N, CGCS2000.
LOCAL_CRS = ProjectedCRS(
    TransverseMercatorConversion(latitude_natural_origin=31.69,
                                 longitude_natural_origin=118.51,
                                 scale_factor_natural_origin=1.0),
    geodetic_crs=CRS.from_epsg(4490), name="lifecircle synthetic local frame")

#: Window at scale 1, metres in the local frame (x0, y0, x1, y1).
BASE_WINDOW = (-13_000.0, -10_000.0, 16_000.0, 10_000.0)
_ANCHOR = (-1_000.0, 0.0)
_ISLAND_Y = 4_500.0

# (name, x, y, radius m): hills named after the real ones near the core.
_HILLS = [("雨山", 900.0, -1_900.0, 560.0), ("佳山", 2_800.0, -3_600.0, 800.0),
          ("翠螺山", -5_900.0, -7_400.0, 650.0), ("濮塘", 10_800.0, 3_600.0, 2_100.0)]
# (name, x, y, semi-axis a, semi-axis b)
_LAKES = [("雨山湖", 100.0, -700.0, 430.0, 330.0),
          ("石臼湖", 32_000.0, -27_000.0, 9_000.0, 5_500.0)]


@dataclass(frozen=True)
class Landscape:
    """Water, hills and the window of one synthetic region (local metres)."""

    scale: float
    window: Polygon
    river: BaseGeometry          # river water inside the window (island cut out)
    island: Polygon | None       # river island, land
    lakes: list[tuple[str, Polygon]]
    hills: list[tuple[str, Polygon]]
    water: BaseGeometry = field(init=False)
    land: BaseGeometry = field(init=False)
    obstacles: BaseGeometry = field(init=False)  # water and hills: no road, no house

    def __post_init__(self) -> None:
        water = shapely.union_all([self.river, *[g for _, g in self.lakes]])
        object.__setattr__(self, "water", water)
        object.__setattr__(self, "land", self.window.difference(water))
        obstacles = shapely.union_all([water, *[g for _, g in self.hills]])
        object.__setattr__(self, "obstacles", obstacles)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Window bounds (x0, y0, x1, y1)."""
        return tuple(self.window.bounds)  # type: ignore[return-value]


def river_centre(y: NDArray | float) -> NDArray:
    """x of the Yangtze's centre line at ``y`` (SSW -> NNE)."""
    y = np.asarray(y, dtype=float)
    return -7_800.0 + 0.3 * y + 700.0 * np.sin(2 * np.pi * y / 23_000.0 + 0.7)


def river_width(y: NDArray | float) -> NDArray:
    """River width at ``y``; it widens around the island."""
    y = np.asarray(y, dtype=float)
    return (1_700.0 + 300.0 * np.sin(2 * np.pi * y / 17_000.0)
            + 1_300.0 * np.exp(-(((y - _ISLAND_Y) / 3_500.0) ** 2)))


def bank(y: float, side: int, offset: float = 0.0) -> float:
    """x of the east (side=+1) or west (side=-1) bank at ``y``, moved ``offset`` inland."""
    return float(river_centre(y) + side * (river_width(y) / 2.0 + offset))


def window_for(scale: float) -> tuple[float, float, float, float]:
    """The region window at ``scale`` (area grows linearly with scale)."""
    x0, y0, x1, y1 = BASE_WINDOW
    root = math.sqrt(scale)
    w, h = (x1 - x0) * root, (y1 - y0) * root
    grow = max(0.0, 1.0 - 1.0 / root)
    fx = (_ANCHOR[0] - x0) / (x1 - x0) + 0.2 * grow
    fy = (_ANCHOR[1] - y0) / (y1 - y0) + 0.15 * grow
    left = _ANCHOR[0] - fx * w
    bottom = _ANCHOR[1] - fy * h
    return (round(left, -2), round(bottom, -2), round(left + w, -2), round(bottom + h, -2))


def blob(cx: float, cy: float, a: float, b: float, angle_deg: float,
         rng: np.random.Generator, *, amp: float = 0.1, n: int = 96) -> Polygon:
    """A noisy ellipse: semi-axes ``a`` (x) and ``b`` (y), rotated ``angle_deg`` ccw."""
    phi = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in range(2, 6):
        r += amp / (k - 1) * np.sin(k * phi + rng.uniform(0, 2 * np.pi))
    x, y = a * np.cos(phi) * r, b * np.sin(phi) * r
    t = math.radians(angle_deg)
    xr = cx + x * math.cos(t) - y * math.sin(t)
    yr = cy + x * math.sin(t) + y * math.cos(t)
    return Polygon(np.column_stack([xr, yr]))


def _river(window: Polygon, rng: np.random.Generator) -> tuple[BaseGeometry, Polygon | None]:
    _x0, y0, _x1, y1 = window.bounds
    ys = np.arange(y0 - 5_000.0, y1 + 5_000.0 + 1.0, 250.0)
    c, w = river_centre(ys), river_width(ys)
    ring = np.concatenate([np.column_stack([c - w / 2, ys]),
                           np.column_stack([c + w / 2, ys])[::-1]])
    river = Polygon(ring)
    yi = _ISLAND_Y
    slope = float((river_centre(yi + 100) - river_centre(yi - 100)) / 200.0)
    angle = math.degrees(math.atan(slope))
    island = blob(float(river_centre(yi)), yi, 520.0, 2_500.0, -angle, rng, amp=0.06)
    river = river.difference(island)
    island_in = island if window.contains(island) else None
    if island_in is None:
        river = river.union(island)
    return river.intersection(window), island_in


def build(scale: float, rng: np.random.Generator) -> Landscape:
    """Window, river, lakes and hills for ``scale``."""
    window = shapely.box(*window_for(scale))
    river, island = _river(window, rng)
    lakes = []
    for name, x, y, a, b in _LAKES:
        poly = blob(x, y, a, b, rng.uniform(-20, 20), rng, amp=0.08)
        if window.buffer(-500).contains(poly):
            lakes.append((name, poly))
    hills = []
    for name, x, y, r in _HILLS:
        poly = blob(x, y, r, r * rng.uniform(0.7, 0.95), rng.uniform(0, 180), rng, amp=0.15)
        if window.contains(poly) and not poly.intersects(river):
            hills.append((name, poly))
    # more hills further out: about one per 220 km² beyond the scale-1 window
    x0, y0, x1, y1 = window.bounds
    extra = int(max(0.0, (window.area - shapely.box(*BASE_WINDOW).area)) / 220e6)
    taken = shapely.union_all([river, *[g for _, g in lakes], *[g for _, g in hills],
                               shapely.box(*BASE_WINDOW)]).buffer(1_500)
    for k in range(extra * 3):
        if len(hills) >= len(_HILLS) + extra:
            break
        x, y = rng.uniform(x0 + 3_000, x1 - 3_000), rng.uniform(y0 + 3_000, y1 - 3_000)
        r = rng.uniform(700, 2_500)
        poly = blob(x, y, r, r * rng.uniform(0.6, 0.95), rng.uniform(0, 180), rng, amp=0.15)
        if not poly.intersects(taken):
            hills.append((f"山{k}", poly))
            taken = taken.union(poly.buffer(1_500))
    return Landscape(scale, window, river, island, lakes, hills)
