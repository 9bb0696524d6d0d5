"""Input layers: reading, normalising and validating them (the GeoPackage writer is in
:mod:`lifecircle.outputs.gpkg`).

``load(project)`` reads every layer of a project into :class:`Layers` (docs/contracts.md);
``inspect.inspect_path`` describes a data file for ``lifecircle inspect``;
``init.init_project`` writes a project file for ``lifecircle init``.
"""

from lifecircle.layers.loader import LayerInfo, Layers, load

__all__ = ["LayerInfo", "Layers", "load"]
