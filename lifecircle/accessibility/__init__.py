"""Accessibility: road graph, snapping, exact travel times and isochrones.

The engine's public API is re-exported here; coverage and the scorecard live in their own
modules of this package.
"""

from lifecircle.accessibility.isochrones import service_areas
from lifecircle.accessibility.network import Network, build, components, from_edges
from lifecircle.accessibility.snap import Snapped, snap
from lifecircle.accessibility.traveltime import nearest, node_times, pairs_within

__all__ = [
    "Network",
    "Snapped",
    "build",
    "components",
    "from_edges",
    "nearest",
    "node_times",
    "pairs_within",
    "service_areas",
    "snap",
]
