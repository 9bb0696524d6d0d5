"""Everything written to a result folder: GeoPackage, styles, map, report, the folder itself.

- :mod:`lifecircle.outputs.resultdir`: the result folder, written under a temporary name
  and swapped in when complete;
- :mod:`lifecircle.outputs.gpkg`: the GeoPackage writer (layers, aliases, stored styles);

- :mod:`lifecircle.outputs.styles`: the one set of style definitions (coverage classes,
  category colours and symbols, gaps, service areas, proposed sites);
- :mod:`lifecircle.outputs.qgis_style`: QGIS QML and SLD generated from those styles (stored
  in the GeoPackage by :func:`lifecircle.outputs.gpkg.write`);
- :mod:`lifecircle.outputs.webmap`: ``build(...)`` writes ``map.html`` (folium, works offline);
- :mod:`lifecircle.outputs.report`: ``build(...)`` writes ``report.html``, ``report.md`` and
  CSV tables;
- :mod:`lifecircle.i18n`: Chinese and English labels.

Submodules are imported on use; folium is only imported when a map is built.
"""
