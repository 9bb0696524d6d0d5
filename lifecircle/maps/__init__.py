"""Outputs people open: the HTML map, the report, and the shared styles.

- :mod:`lifecircle.maps.styles`: the one set of style definitions (coverage classes,
  category colours and symbols, gaps, service areas, proposed sites);
- :mod:`lifecircle.maps.qgis_style`: QGIS QML and SLD generated from those styles (stored
  in the GeoPackage by :func:`lifecircle.layers.gpkg.write`);
- :mod:`lifecircle.maps.webmap`: ``build(...)`` writes ``map.html`` (folium, works offline);
- :mod:`lifecircle.maps.report`: ``build(...)`` writes ``report.html``, ``report.md`` and
  CSV tables;
- :mod:`lifecircle.maps.i18n`: Chinese and English labels.

Submodules are imported on use; folium is only imported when a map is built.
"""
