"""The caches and fast paths of the load path: parsed TOML, checked profiles, CRS
transformers, shapefile CRSs, named layers, text fields.

Each cache must be invisible: a changed file is seen at once (content, not timestamps,
decides), a caller changing what it got changes nothing for the next caller, and a cached
transformer transforms exactly as a fresh one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from lifecircle._toml import ContentCache, read_toml
from lifecircle.errors import ProjectError
from lifecircle.geo.crs import transformer
from lifecircle.profile import PROFILES_DIR, load_profile


@pytest.fixture
def profile_copy(tmp_path: Path) -> Path:
    path = tmp_path / "mine.toml"
    shutil.copyfile(PROFILES_DIR / "maanshan-2025.toml", path)
    return path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_profile_cache_sees_an_edited_file_at_once(profile_copy: Path) -> None:
    first = load_profile(profile_copy)
    assert first.circles["urban"].minutes == 15.0
    st = profile_copy.stat()
    # same size, and the old modification time put back: only the content differs
    _edit(profile_copy, "minutes = 15", "minutes = 16")
    os.utime(profile_copy, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert profile_copy.stat().st_size == st.st_size
    second = load_profile(profile_copy)
    assert second.circles["urban"].minutes == 16.0
    _edit(profile_copy, "minutes = 16", "minutes = 15")
    assert load_profile(profile_copy) == first


def test_profile_cache_hands_out_copies(profile_copy: Path) -> None:
    first = load_profile(profile_copy)
    key = next(iter(first.categories))
    first.categories.pop(key)  # type: ignore[attr-defined]
    first.space.clear()  # type: ignore[attr-defined]
    mode = next(m for m in first.modes.values() if m.class_speeds_kmh)
    mode.class_speeds_kmh.clear()  # type: ignore[attr-defined]
    again = load_profile(profile_copy)
    assert key in again.categories
    assert again.space
    assert again.modes[mode.key].class_speeds_kmh
    # the copies are equal to what a fresh parse gives (a different path: no cache hit)
    other = profile_copy.with_name("other.toml")
    shutil.copyfile(profile_copy, other)
    fresh = load_profile(other)
    assert fresh.categories == again.categories and fresh.circles == again.circles
    assert fresh.modes == again.modes and fresh.indicators == again.indicators


def test_profile_cache_keeps_the_path_given(profile_copy: Path) -> None:
    """The same content under two names: each profile names its own file."""
    other = profile_copy.with_name("twin.toml")
    shutil.copyfile(profile_copy, other)
    assert load_profile(profile_copy).path == profile_copy
    assert load_profile(other).path == other


def test_a_broken_profile_is_reported_every_time(profile_copy: Path) -> None:
    _edit(profile_copy, "minutes = 15", "minutes = -15")
    for _ in range(2):
        with pytest.raises(ProjectError, match="minutes"):
            load_profile(profile_copy)
    _edit(profile_copy, "minutes = -15", "minutes = 15")
    assert load_profile(profile_copy).circles["urban"].minutes == 15.0


def test_read_toml_returns_a_fresh_dict_each_time(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[a]\nlist = [1, 2]\nname = "x"\n', encoding="utf-8")
    data = read_toml(path, "project file")
    data["a"]["list"].append(3)
    data["a"]["name"] = "y"
    assert read_toml(path, "project file") == {"a": {"list": [1, 2], "name": "x"}}
    path.write_text('[a]\nlist = [1, 2]\nname = "z"\n', encoding="utf-8")
    assert read_toml(path, "project file")["a"]["name"] == "z"
    path.write_text('[a\n', encoding="utf-8")
    with pytest.raises(ProjectError, match=r"p\.toml"):
        read_toml(path, "project file")


def test_content_cache_makes_once_and_evicts_the_oldest() -> None:
    cache = ContentCache(size=2)
    made: list[str] = []

    def maker(key: str) -> object:
        def make() -> list[str]:
            made.append(key)
            return [key]
        return make

    assert cache.get("a", maker("a")) == ["a"]
    assert cache.get("a", maker("a")) == ["a"]
    assert made == ["a"]
    cache.get("b", maker("b"))
    cache.get("a", maker("a"))          # a is now the most recent
    cache.get("c", maker("c"))          # evicts b
    cache.get("a", maker("a"))
    cache.get("b", maker("b"))
    assert made == ["a", "b", "c", "b"]

    def fail() -> list[str]:
        raise ValueError("no")

    with pytest.raises(ValueError):
        cache.get("d", fail)
    assert cache.get("d", maker("d")) == ["d"]


@pytest.mark.parametrize("src, dst", [("EPSG:4548", "EPSG:4326"), ("EPSG:4326", "EPSG:4548"),
                                      ("EPSG:32650", 4326)])
def test_cached_transformer_equals_a_fresh_one(src: str, dst: str | int) -> None:
    tr = transformer(src, dst)
    assert transformer(src, dst) is tr
    fresh = Transformer.from_crs(src, dst, always_xy=True)
    if src == "EPSG:4326":
        x, y = np.array([118.3, 118.6, 118.9]), np.array([31.4, 31.7, 32.0])
    else:
        x, y = np.array([500000.0, 540000.0, 580000.0]), np.array([3480000.0, 3510000.0,
                                                                    3540000.0])
    got, want = tr.transform(x, y), fresh.transform(x, y)
    assert np.array_equal(np.asarray(got), np.asarray(want))
    assert tr.definition == fresh.definition


def _shapefile(path: Path, crs: str) -> Path:
    import geopandas as gpd
    from shapely.geometry import Point

    frame = gpd.GeoDataFrame({"name": ["a", "b"]}, geometry=[Point(0, 0), Point(1, 1)],
                             crs="EPSG:4326").to_crs(crs)
    frame.to_file(path, engine="pyogrio")
    return path


def test_shapefile_crs_from_the_prj_cache_equals_gdals(tmp_path: Path) -> None:
    """The second read of a ``.prj`` skips GDAL's EPSG search; its CRS is still GDAL's,
    and a ``.prj`` changed between reads is read afresh."""
    import pyogrio

    from lifecircle.layers.read import read_vector, resolve

    a = _shapefile(tmp_path / "a.shp", "EPSG:4548")
    b = _shapefile(tmp_path / "b.shp", "EPSG:32650")
    for path in (a, b, a, b, a):
        frame, _ = read_vector(resolve(path))
        gdal = pyogrio.read_dataframe(path)
        assert frame.crs == gdal.crs and frame.crs.to_string() == gdal.crs.to_string()
        assert frame.crs.to_wkt() == gdal.crs.to_wkt()
        assert frame.geometry.equals(gdal.geometry)
    assert pyogrio.get_gdal_config_option("USE_OSR_FIND_MATCHES") is None
    assert read_vector(resolve(a))[0].crs.to_string() == "EPSG:4548"
    (tmp_path / "a.prj").write_bytes((tmp_path / "b.prj").read_bytes())
    assert read_vector(resolve(a))[0].crs.to_string() == "EPSG:32650"
    (tmp_path / "a.prj").unlink()
    assert read_vector(resolve(a))[0].crs is None


def test_a_named_layer_is_found_by_its_exact_name_only(tmp_path: Path) -> None:
    """resolve() opens a source once for a layer it names exactly; a name GDAL would match
    case-insensitively is still refused with the layers there are."""
    import geopandas as gpd
    from shapely.geometry import LineString, Point

    from lifecircle.errors import InputError
    from lifecircle.layers.read import resolve

    path = tmp_path / "city.gpkg"
    gpd.GeoDataFrame({"n": [1]}, geometry=[Point(118.5, 31.7)], crs=4326).to_file(
        path, layer="pois", engine="pyogrio")
    gpd.GeoDataFrame({"n": [1]}, geometry=[LineString([(118.5, 31.7), (118.6, 31.7)])],
                     crs=4326).to_file(path, layer="Roads", engine="pyogrio")
    src = resolve(path, "Roads")
    assert (src.layer, src.driver, src.encoding_source) == ("Roads", "GPKG", "driver")
    assert resolve(path, "pois").layer == "pois"
    with pytest.raises(InputError, match="roads") as e:
        resolve(path, "roads")
    assert "Roads" in str(e.value) and "pois" in str(e.value)
    with pytest.raises(InputError, match="none is named"):
        resolve(path)


def _text_rule(series: pd.Series) -> pd.Series:
    """The per-value rule of loader._text (blank -> "", whole floats without ``.0``)."""
    from lifecircle.layers import fields as fld

    return series.map(lambda v: "" if fld.is_blank(v) else
                      (str(int(v)) if isinstance(v, float | np.floating) and float(v).is_integer()
                       else str(v).strip())).astype(object)


@pytest.mark.parametrize("dtype", [object, "str", "string"])
def test_text_fast_path_follows_the_rule(dtype: object) -> None:
    """loader._text's loop over text fields gives what the general rule gives, value for
    value (types too), for every kind of blank and whitespace, and falls back to the rule
    for anything else (numbers, bytes)."""
    import random

    from lifecircle.layers.loader import _text

    pool = ["a", " b ", "", "  ", "\u3000社区\u3000", None, np.nan, "村 ", "\t", "1.0", "x\n"]
    rng = random.Random(7)
    cases = [[rng.choice(pool) for _ in range(rng.randint(0, 9))] for _ in range(200)]
    if dtype is object:
        cases += [[1.0, "a", None], [b"\xe7\xa4\xbe", " x"], [2.5, np.nan], [pd.NA, " y "]]
    for values in cases:
        s = pd.Series(values, dtype=dtype, name="f", index=np.arange(len(values)) * 3)
        got, want = _text(s), _text_rule(s)
        assert got.equals(want) and got.dtype == want.dtype, values
        assert got.name == want.name and got.index.equals(want.index)
        assert [type(v) for v in got] == [type(v) for v in want], values


@pytest.mark.parametrize("multi", [False, True])
def test_roads_of_single_linestrings_are_cleaned_as_explode_would(multi: bool) -> None:
    """clean_geometries skips explode() when every road is one LineString: the frame is
    the one explode() gives (rows, index, columns in order, dtypes, CRS)."""
    import geopandas as gpd
    from geopandas.testing import assert_geodataframe_equal
    from shapely.geometry import LineString, MultiLineString

    from lifecircle.layers.validate import ROW, Check, clean_geometries

    lines = [LineString([(i, 0), (i, 1)]) for i in range(5)]
    if multi:
        lines[2] = MultiLineString([[(2, 0), (2, 1)], [(3, 1), (4, 1)]])
    frame = gpd.GeoDataFrame({"name": list("abcde"), ROW: np.arange(1, 6)},
                             geometry=lines, crs="EPSG:4548", index=[10, 11, 12, 13, 14])
    frame = frame[["name", "geometry", ROW]]  # the geometry in the middle, as read
    want = frame.explode(index_parts=False)
    got = clean_geometries(frame, "roads", Check("roads.shp"))
    assert_geodataframe_equal(got, want, check_index_type=True)
    assert list(got.columns) == list(want.columns) and got.geometry.name == "geometry"
    assert len(got) == (6 if multi else 5)
