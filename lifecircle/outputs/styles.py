"""The one set of style definitions shared by the web map and the QGIS styles.

Colours are ``#rrggbb``; sizes are millimetres (QGIS units) and converted to screen pixels
for the web map with :data:`PX_PER_MM`. Marker shapes are QGIS ``SimpleMarker`` names
(``circle``, ``square``, ...) that the web map draws as inline SVG.

Coverage classes are half-open: below 50 %, 50 % up to (not including) 80 %, 80-95 %,
95 % up to 100 %, and 100 % (every resident covered). A share exactly on an edge belongs to
the class above it. Shares are classified and shown at :data:`SHARE_DECIMALS` decimals
(float noise of population sums never moves a community across an edge), and each class is
stored as the inclusive bounds ``lower <= value <= upper`` of QGIS's graduated renderer
(``upper`` is the largest double below the next class), so the map, its legend, the QGIS
style, the SLD and the report all draw the same community in the same class.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: Screen pixels per millimetre (96 dpi).
PX_PER_MM = 96 / 25.4


@dataclass(frozen=True)
class CoverageClass:
    """One class of the coverage colour ramp (shares 0..1)."""

    lower: float
    upper: float
    color: str
    label_key: str  # i18n key


#: Decimals at which coverage shares are classified, sent to the map and shown.
SHARE_DECIMALS = 6
_HALF = 0.5 * 10.0 ** -SHARE_DECIMALS
#: The lower edges of the coverage classes (a share on an edge is in the class above it).
COVERAGE_EDGES = (0.0, 0.5, 0.8, 0.95, 1.0)
#: A share at or above this covers every resident (the top class, "100 %").
FULL_SHARE = COVERAGE_EDGES[-1]
_COLORS = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")  # ColorBrewer RdYlGn


def _classes() -> tuple[CoverageClass, ...]:
    # a raw share v is in class i when round(v, SHARE_DECIMALS) >= edge i, i.e. when
    # v >= edge i - half a unit of the last decimal
    lows = [e - _HALF for e in COVERAGE_EDGES]
    highs = [math.nextafter(lo, -math.inf) for lo in lows[1:]] + [1.0 + 1e-3]
    return tuple(CoverageClass(lo, hi, color, f"cov.c{i}")
                 for i, (lo, hi, color) in enumerate(zip(lows, highs, _COLORS, strict=True)))


#: Coverage classes, red (poorly served) to green (fully served): inclusive raw bounds.
COVERAGE_CLASSES: tuple[CoverageClass, ...] = _classes()
NO_DATA_COLOR = "#bdbdbd"
COVERAGE_FIELD = "cov_all"


@dataclass(frozen=True)
class FillStyle:
    """A polygon style."""

    fill: str
    fill_opacity: float
    stroke: str
    stroke_width_mm: float
    stroke_opacity: float = 1.0
    dash: bool = False
    hatch: str | None = None  # QGIS SimpleFill brush style (e.g. "b_diagonal"); web: plain fill


@dataclass(frozen=True)
class MarkerStyle:
    """A point style: a QGIS SimpleMarker shape, drawn as SVG on the web map."""

    color: str
    shape: str
    size_mm: float
    stroke: str = "#ffffff"
    stroke_width_mm: float = 0.3
    fill_opacity: float = 1.0

    @property
    def size_px(self) -> float:
        """Marker size in screen pixels."""
        return self.size_mm * PX_PER_MM


#: Community polygons: fill from the coverage class; this gives the outline and opacity.
COMMUNITY = FillStyle(fill=NO_DATA_COLOR, fill_opacity=0.65, stroke="#4d4d4d",
                      stroke_width_mm=0.26)
#: Service areas: fill and outline in the category colour.
SERVICE_AREA_FILL_OPACITY = 0.18
SERVICE_AREA_STROKE_MM = 0.4
#: Gaps: dark-grey diagonal hatch with a dashed outline (QGIS and web alike); not red, so
#: red keeps one meaning (coverage below 50 %).
GAP = FillStyle(fill="#ffffff", fill_opacity=0.25, stroke="#252525", stroke_width_mm=0.5,
                dash=True, hatch="b_diagonal")
#: Proposed sites: a black disc with a gold ring and the rank in white. No other layer
#: uses black or gold (checked by tests/test_webmap_browser.py).
PROPOSED = MarkerStyle(color="#000000", shape="circle", size_mm=6.0, stroke="#ffd700",
                       stroke_width_mm=0.6)
PROPOSED_LABEL_COLOR = "#ffffff"
PROPOSED_LABEL_FIELD = "rank"
#: Candidate sites: small grey squares.
CANDIDATE = MarkerStyle(color="#969696", shape="square", size_mm=2.2, stroke="#252525",
                        stroke_width_mm=0.2)
#: Facilities over capacity: a wide dark-orange ring, lightly filled, drawn beneath the
#: facility's own symbol (orange, so red keeps one meaning: coverage below 50 %).
OVER_CAPACITY = MarkerStyle(color="#e6550d", shape="circle", size_mm=6.5, stroke="#a63603",
                            stroke_width_mm=0.7, fill_opacity=0.25)
#: Demand points: covered for every required service / not.
DEMAND_COVERED = MarkerStyle(color="#1a9641", shape="circle", size_mm=1.2, stroke="#1a9641",
                             stroke_width_mm=0.0)
DEMAND_NOT_COVERED = MarkerStyle(color="#d7191c", shape="circle", size_mm=1.6,
                                 stroke="#67001f", stroke_width_mm=0.1)
#: Roads drawn as the map's offline base (major / minor classes).
ROAD_MAJOR_COLOR = "#8c8c8c"
ROAD_MINOR_COLOR = "#b4b4b4"
#: Facility marker size.
FACILITY_SIZE_MM = 3.4

#: Shapes the QGIS 3.x SimpleMarker knows that the web map can also draw.
SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "pentagon", "hexagon",
                           "star", "cross_fill")

#: Colour and shape of the shipped catalogue's categories (stable across profile edits).
KNOWN_CATEGORIES: dict[str, tuple[str, str]] = {
    "community_center": ("#1f78b4", "circle"),
    "living_room": ("#6a3d9a", "star"),
    "elderly_care": ("#e7298a", "square"),
    "meal_aid": ("#b15928", "triangle"),
    "health": ("#e31a1c", "cross_fill"),
    "fresh_market": ("#33a02c", "diamond"),
    "grocery": ("#ff7f00", "pentagon"),
    "childcare": ("#a6761d", "hexagon"),
    "primary_school": ("#1b9e77", "triangle"),
    "culture": ("#7570b3", "diamond"),
    "sports": ("#66a61e", "circle"),
    "express": ("#d4a000", "square"),
    "shelter": ("#525252", "hexagon"),
    "volunteer": ("#17becf", "star"),
    "social_work": ("#8c564b", "pentagon"),
    "kiosk": ("#393b79", "square"),
}
#: Colours for categories outside the shipped catalogue (picked by a hash of the key).
EXTRA_PALETTE: tuple[str, ...] = ("#17becf", "#bcbd22", "#9467bd", "#8c564b", "#e377c2",
                                  "#7f7f7f", "#2ca02c", "#d62728", "#1f77b4", "#ff7f0e")


def share_value(value: Any) -> float | None:
    """A coverage share as classified, sent to the map and shown: rounded to
    :data:`SHARE_DECIMALS` decimals (None for NaN, None or a non-number)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if not math.isfinite(v) else round(v, SHARE_DECIMALS)


def floor_share(value: Any, decimals: int) -> float | None:
    """:func:`share_value` rounded DOWN to ``decimals`` decimals (a share is never shown
    above the class edge it has not reached: 49.99 % shows as 49.9 %, not 50.0 %)."""
    v = share_value(value)
    if v is None:
        return None
    scale = 10.0 ** decimals
    # v is a multiple of 10**-SHARE_DECIMALS: the guard only absorbs the product's noise
    return math.floor(v * scale + 0.1 * scale * 10.0 ** -SHARE_DECIMALS) / scale


def coverage_class(value: Any) -> int:
    """Index into :data:`COVERAGE_CLASSES` of a share 0..1, or -1 for NaN/None/out of range.

    A share exactly on an edge (0.5, 0.8, 0.95, 1) is in the class above it; the rule is
    QGIS's (``lower <= value <= upper``) on the same bounds as the stored style.
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return -1
    if math.isnan(v):
        return -1
    for i, c in enumerate(COVERAGE_CLASSES):
        if c.lower <= v <= c.upper:
            return i
    return -1


def coverage_color(value: Any) -> str:
    """Fill colour of a coverage share (``NO_DATA_COLOR`` for NaN)."""
    i = coverage_class(value)
    return COVERAGE_CLASSES[i].color if i >= 0 else NO_DATA_COLOR


def category_style(key: str) -> MarkerStyle:
    """Marker style of a facility category key (stable: same key, same symbol)."""
    if key in KNOWN_CATEGORIES:
        color, shape = KNOWN_CATEGORIES[key]
    else:
        h = zlib.crc32(str(key).encode("utf-8"))
        color = EXTRA_PALETTE[h % len(EXTRA_PALETTE)]
        shape = SHAPES[(h // len(EXTRA_PALETTE)) % len(SHAPES)]
    return MarkerStyle(color=color, shape=shape, size_mm=FACILITY_SIZE_MM)


def category_styles(keys: Iterable[str]) -> dict[str, MarkerStyle]:
    """Marker styles of several category keys, in the given order."""
    return {k: category_style(k) for k in keys}


def service_area_style(key: str) -> FillStyle:
    """Polygon style of a category's service area."""
    color = category_style(key).color
    return FillStyle(fill=color, fill_opacity=SERVICE_AREA_FILL_OPACITY, stroke=color,
                     stroke_width_mm=SERVICE_AREA_STROKE_MM)


def ordered_categories(present: Iterable[Any], catalogue: Iterable[str]) -> list[str]:
    """Category keys found in the data, in catalogue order, unknown keys last (sorted)."""
    found = {str(v) for v in present if v is not None and not _isnan(v) and str(v) != ""}
    cat = list(catalogue)
    return [k for k in cat if k in found] + sorted(found - set(cat))


def _isnan(v: Any) -> bool:
    return isinstance(v, float) and math.isnan(v)


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """``#rrggbb`` to an (r, g, b) tuple."""
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def qgis_color(color: str, opacity: float = 1.0) -> str:
    """``#rrggbb`` and opacity 0..1 to QGIS's ``r,g,b,a`` (a in 0..255)."""
    r, g, b = hex_to_rgb(color)
    return f"{r},{g},{b},{round(255 * opacity)}"


# ------------------------------------------------------------------ SVG marker shapes
def _polygon(n: int, r: float, rotation_deg: float = -90.0) -> list[tuple[float, float]]:
    return [(r * math.cos(math.radians(rotation_deg + 360 * i / n)),
             r * math.sin(math.radians(rotation_deg + 360 * i / n))) for i in range(n)]


def _star(r: float) -> list[tuple[float, float]]:
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.4
        a = math.radians(-90 + 36 * i)
        pts.append((rr * math.cos(a), rr * math.sin(a)))
    return pts


def _cross(r: float) -> list[tuple[float, float]]:
    w = r / 3
    return [(-w, -r), (w, -r), (w, -w), (r, -w), (r, w), (w, w), (w, r), (-w, r), (-w, w),
            (-r, w), (-r, -w), (-w, -w)]


def marker_svg(style: MarkerStyle, *, size_px: float | None = None) -> str:
    """Inline SVG of a marker (shape, fill, outline), centred in a square of ``size_px``.

    Used for the web map's facility icons and the legends, so both match the QGIS symbol.
    """
    size = float(size_px if size_px is not None else style.size_px)
    stroke_px = max(style.stroke_width_mm * PX_PER_MM, 0.0)
    r = size / 2 - stroke_px / 2 - 0.5
    c = size / 2
    shape = style.shape
    if shape == "circle":
        body = f'<circle cx="{c:.2f}" cy="{c:.2f}" r="{r:.2f}"'
    else:
        if shape == "square":
            pts = _polygon(4, r * 1.15, -45)
        elif shape == "diamond":
            pts = _polygon(4, r, -90)
        elif shape == "triangle":
            pts = _polygon(3, r * 1.1, -90)
            pts = [(x, y + r * 0.15) for x, y in pts]
        elif shape == "pentagon":
            pts = _polygon(5, r)
        elif shape == "hexagon":
            pts = _polygon(6, r, 0)
        elif shape == "star":
            pts = _star(r * 1.1)
        elif shape == "cross_fill":
            pts = _cross(r)
        else:
            pts = _polygon(4, r * 1.15, -45)
        coords = " ".join(f"{c + x:.2f},{c + y:.2f}" for x, y in pts)
        body = f'<polygon points="{coords}"'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size:.1f}" height="{size:.1f}" '
            f'viewBox="0 0 {size:.2f} {size:.2f}">{body} fill="{style.color}" '
            + (f'fill-opacity="{style.fill_opacity:g}" ' if style.fill_opacity < 1 else "")
            + f'stroke="{style.stroke}" stroke-width="{stroke_px:.2f}"/></svg>')
