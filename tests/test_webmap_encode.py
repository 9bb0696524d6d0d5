"""The map's vectorised geometry encoding against the per-geometry one, on real result layers.

:func:`webmap._encode_all` and :func:`webmap._drop_small_holes` work on whole arrays (one
numpy pass over all coordinates); the oracles are :func:`_encode_ref` here (one ring at a
time through shapely's ``.coords``, the encoder the map used before) and the hole filter
written here per polygon. The layers come from the pipeline on a small generated region, so
there are service areas with many holes, multipolygons, gaps and roads; a decode checks the
integers round-trip to the coordinates within the stated rounding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from lifecircle import pipeline, project
from lifecircle.outputs import webmap


def _ring_ref(coords: Any) -> list[int]:
    """Coordinates as integers of 10^-DECIMALS degrees, the first absolute, then deltas
    (``[x0, y0, dx1, dy1, ...]``): a third of the size of plain GeoJSON numbers.
    (The oracle: one ring at a time through shapely's ``.coords``.)"""
    q = np.round(np.asarray(coords, dtype=float)[:, :2] * 10**webmap.DECIMALS).astype(np.int64)
    if len(q) > 1:
        q[1:] = np.diff(q, axis=0)
    return q.ravel().tolist()


def _encode_ref(geom: Any) -> list[Any] | None:
    """A shapely geometry as ``[type, parts]`` for the map (decoded in the browser):
    type 2 line (parts: rings), 3 polygon (parts: polygons of rings)."""
    if geom is None or shapely.is_empty(geom):
        return None
    kind = shapely.get_type_id(geom)
    if kind in (3, 6):
        polys = [[_ring_ref(p.exterior.coords), *(_ring_ref(r.coords)
                                                     for r in p.interiors)]
                 for p in getattr(geom, "geoms", [geom]) if not p.is_empty]
        return [3, polys]
    if kind in (1, 5):
        return [2, [_ring_ref(line.coords) for line in getattr(geom, "geoms", [geom])
                    if len(line.coords) >= 2]]
    if kind == 7:  # a collection (e.g. from a display simplification): its areal parts
        parts = [g for g in geom.geoms if shapely.get_type_id(g) in (3, 6)]
        return _encode_ref(shapely.MultiPolygon([p for g in parts
                                             for p in getattr(g, "geoms", [g])])) \
            if parts else None
    return None


@pytest.fixture(scope="module")
def layers(small_region: Path) -> dict[str, Any]:
    analysis = pipeline.analyse(project.load(small_region), areas=True, rasters=False)
    return dict(pipeline.result_layers(analysis, jobs=1))


def _drop_small_holes_one(geom: Any, min_area: float) -> Any:
    """The per-polygon oracle: each part rebuilt with its holes of at least ``min_area``."""
    if geom is None or shapely.is_empty(geom) or shapely.get_type_id(geom) not in (3, 6):
        return geom
    parts = [shapely.Polygon(p.exterior, [r for r in p.interiors
                                          if shapely.Polygon(r).area >= min_area])
             for p in getattr(geom, "geoms", [geom])]
    return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]


def _decode(enc: list[int]) -> np.ndarray:
    return np.cumsum(np.asarray(enc, dtype=np.int64).reshape(-1, 2), axis=0) / 10**webmap.DECIMALS


def _wgs84(frame: Any, name: str) -> np.ndarray:
    return webmap._to_wgs84(frame, name)


def test_layers_hold_the_hard_cases(layers: dict[str, Any]) -> None:
    sa = np.asarray(layers["service_areas"].geometry.values, dtype=object)
    assert (shapely.get_num_interior_rings(shapely.get_parts(sa)) > 0).any()
    assert (shapely.get_type_id(sa) == 6).any()
    assert len(layers["roads"]) > 100 and len(layers["gaps"]) > 0


@pytest.mark.parametrize("name", ["communities", "service_areas", "gaps", "roads"])
def test_encode_all_equals_encode_per_geometry(layers: dict[str, Any], name: str) -> None:
    frame = layers[name]
    geoms = np.asarray(frame.geometry.values, dtype=object)
    if name == "service_areas":
        geoms = shapely.simplify(webmap._drop_small_holes(geoms, 1_000.0), 30.0,
                                 preserve_topology=False)
    arr = webmap._to_wgs84(frame, name, geoms)
    assert webmap._encode_all(arr) == [_encode_ref(g) for g in arr]


def test_encode_all_edge_cases() -> None:
    shell = [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]
    hole = [(0.2, 0.2), (0.4, 0.2), (0.4, 0.4), (0.2, 0.2)]
    poly = shapely.Polygon(shell, [hole])
    far = shapely.Polygon([(5, 5), (6, 5), (6, 6), (5, 5)])
    geoms = np.array([None, shapely.Point(1, 2), shapely.Polygon(), poly,
                      shapely.MultiPolygon([poly, far]), shapely.LineString([(0, 0), (1, 1)]),
                      shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3), (4, 2)]]),
                      shapely.GeometryCollection([shapely.Point(0, 0), far]),
                      shapely.GeometryCollection([shapely.Point(0, 0)]),
                      shapely.LineString()], dtype=object)
    got = webmap._encode_all(geoms)
    assert got == [_encode_ref(g) for g in geoms]
    assert got[0] is None and got[1] is None and got[2] is None and got[-1] is None
    assert got[3] == [3, [[[0, 0, 100000, 0, 0, 100000, -100000, 0, 0, -100000],
                           [20000, 20000, 20000, 0, 0, 20000, -20000, -20000]]]]


@pytest.mark.parametrize("min_area", [0.0, 1_000.0, webmap.SERVICE_AREA_MIN_HOLE_M2, 1e12])
def test_drop_small_holes_equals_per_polygon(layers: dict[str, Any], min_area: float) -> None:
    geoms = np.concatenate([np.asarray(layers[n].geometry.values, dtype=object)
                            for n in ("service_areas", "communities", "gaps")])
    geoms = np.append(geoms, [None, shapely.Point(0, 0), shapely.Polygon()])
    got = webmap._drop_small_holes(geoms, min_area)
    want = [_drop_small_holes_one(g, min_area) for g in geoms]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        if w is None:
            assert g is None
        else:
            assert shapely.equals_exact(g, w, tolerance=0) or (g.is_empty and w.is_empty)
            assert shapely.get_num_interior_rings(shapely.get_parts(g)).sum() == \
                shapely.get_num_interior_rings(shapely.get_parts(w)).sum()


def test_decoded_rings_are_the_coordinates_within_rounding(layers: dict[str, Any]) -> None:
    frame = layers["service_areas"]
    arr = _wgs84(frame, "service_areas")
    enc = webmap._encode_all(arr)
    step = 10.0**-webmap.DECIMALS
    for g, e in zip(arr, enc, strict=True):
        parts = list(getattr(g, "geoms", [g]))
        assert e[0] == 3 and len(e[1]) == len(parts)
        for p, rings in zip(parts, e[1], strict=True):
            coords = [np.asarray(p.exterior.coords)] + [np.asarray(r.coords)
                                                         for r in p.interiors]
            assert len(rings) == len(coords)
            for c, r in zip(coords, rings, strict=True):
                assert np.abs(_decode(r) - c[:, :2]).max() <= step / 2 + 1e-9


def test_page_text_goes_in_as_it_is(tmp_path: Path) -> None:
    # the inline Leaflet and the notices are put into the page as they are, not run as
    # Jinja templates (a notice holding template syntax is shown, not evaluated)
    import _results_fixture as fx

    out = tmp_path / "map.html"
    notice = "check {{ 7 * 7 }} and {# this #}"
    webmap.build(fx.build(), fx.profile(), out, lang="en", title="t", notices=[notice])
    page = out.read_text(encoding="utf-8")
    assert notice in page and "check 49" not in page
    assets = webmap._inline_assets()
    assert assets.endswith("\n") and assets[:-1] in page
