"""Accessibility: road graph, snapping, exact travel times, coverage and isochrones.

The engine's classes and functions are re-exported here, except where a function shares
its module's name: ``lifecircle.accessibility.snap`` is the module (its function is
``lifecircle.accessibility.snap.snap``).
"""

from lifecircle.accessibility.isochrones import service_areas
from lifecircle.accessibility.network import Network, build, components, from_edges
from lifecircle.accessibility.snap import Snapped
from lifecircle.accessibility.times import ModeSnaps, TravelTimes, travel_times
from lifecircle.accessibility.traveltime import nearest, node_times, pairs_within

__all__ = [
    "ModeSnaps",
    "Network",
    "Snapped",
    "TravelTimes",
    "build",
    "components",
    "from_edges",
    "nearest",
    "node_times",
    "pairs_within",
    "service_areas",
    "travel_times",
]
