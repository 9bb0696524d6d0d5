"""Everything written to a result folder: GeoPackage, styles, map, report, the folder itself.

- :mod:`lifecircle.outputs.resultdir`: the result folder, written under a temporary name
  and swapped in when complete;
- :mod:`lifecircle.outputs.gpkg`: the GeoPackage writer (layers, aliases, stored styles);
- :mod:`lifecircle.outputs.qgis_project`: the QGIS project ``lifecircle.qgz``;
- :mod:`lifecircle.outputs.styles`: the one set of style definitions (coverage classes,
  category colours and symbols, gaps, service areas, proposed sites);
- :mod:`lifecircle.outputs.qgis_style`: QGIS QML and SLD generated from those styles (stored
  in the GeoPackage by :func:`lifecircle.outputs.gpkg.write`);
- :mod:`lifecircle.outputs.webmap`: ``make_map(...)`` gives the ``folium.Map``,
  ``build(...)`` writes ``map.html`` (works offline);
- :mod:`lifecircle.outputs.document`: a report as data (headings, paragraphs, tables,
  figures, notices) and its two renderings, HTML and Markdown;
- :mod:`lifecircle.outputs.report`: ``build(...)`` writes ``report.html``, ``report.md`` and
  CSV tables; :mod:`lifecircle.outputs.sections` adds supply, groups, equity, scenarios;
- :mod:`lifecircle.outputs.compare`: two result folders side by side (its page is a
  document too).

Every writer takes the result layers (:data:`ResultLayers`, docs/contracts.md "Result
layers") and the :class:`~lifecircle.profile.Profile`. Submodules are imported on use;
folium is only imported when a map is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    import pandas as pd

#: The result layers by name (``communities``, ``facilities``, ``demand``, ``gaps``,
#: ``proposed_sites``, ``scorecard`` ...): GeoDataFrames for the map layers (a
#: GeoDataFrame is a DataFrame), DataFrames for the tables, None for a layer not made.
ResultLayers: TypeAlias = "Mapping[str, pd.DataFrame | None]"

__all__ = ["ResultLayers"]
