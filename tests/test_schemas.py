"""The layer schemas (lifecircle.schemas) are what the loader, init and inspect go by."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifecircle import layers
from lifecircle import project as prj
from lifecircle.layers import fields as fld
from lifecircle.layers.fields import match_fields
from lifecircle.profile import normalise_label
from lifecircle.schemas import SCHEMAS

DEMO = Path(__file__).parents[1] / "lifecircle" / "data" / "demo" / "project.toml"

#: pandas dtype kinds each schema column type loads as ("O" object text).
KINDS = {"id": "O", "text": "O", "kind": "O", "category": "O", "road_class": "O",
         "number": "f", "integer": "i", "bool": "b"}


@pytest.fixture(scope="module")
def demo_layers() -> layers.Layers:
    return layers.load(prj.load(DEMO))


@pytest.mark.parametrize("key", ["communities", "facilities", "roads", "candidates"])
def test_a_loaded_layer_has_the_schema_columns_and_types(demo_layers: layers.Layers,
                                                          key: str) -> None:
    frame = getattr(demo_layers, key)
    schema = SCHEMAS[key]
    assert [c for c in frame.columns if c != "geometry"] == list(schema.order)
    for col in schema.columns:
        got = frame[col.name].dtype
        assert got.kind == KINDS[col.type], (key, col.name, got)
    if schema.id_column:
        ids = frame[schema.id_column]
        assert ids.is_unique and (ids != "").all()


@pytest.mark.parametrize("key", list(SCHEMAS))
def test_each_recognised_name_maps_to_its_own_column(key: str) -> None:
    """Every source name of the schema, alone in a layer, is recognised as its column."""
    schema = SCHEMAS[key]
    seen: dict[str, str] = {}
    for col in schema.columns:
        for name in col.source_names:
            norm = normalise_label(name)
            assert seen.get(norm, col.name) == col.name, \
                f"{key}: {name!r} listed for {seen[norm]} and {col.name}"
            seen[norm] = col.name
            assert match_fields([name], key).mapping == {col.name: name}, (key, name)


def test_the_project_check_and_the_loader_go_by_the_schemas() -> None:
    assert list(prj.LAYER_KEYS) == list(SCHEMAS)
    assert {k for k, req in prj.LAYER_KEYS.items() if req} == {
        "communities", "facilities", "roads"}
    assert prj.ID_FIELDS == {"communities": "cid", "facilities": "fid", "candidates": "cand_id"}
    assert fld.REQUIRED["communities"] == ("population",)
    assert pd.Index(prj.CANONICAL_FIELDS["roads"]).equals(
        pd.Index(["road_class", "oneway", "speed_kmh", "walk", "name"]))


def test_every_column_is_read_by_its_type_and_rule() -> None:
    """The loader has one handler per column type and one function per named rule; every
    value table a schema names exists (a new column needs data, not a new branch)."""
    from lifecircle.i18n import TEXT
    from lifecircle.layers.loader import READERS, RULES
    from lifecircle.profile import load_profile

    profile = load_profile()
    for schema in SCHEMAS.values():
        for col in schema.columns:
            assert col.type in READERS, (schema.key, col.name)
            assert not col.rule or col.rule in RULES, (schema.key, col.name)
            if col.values:
                assert fld.value_table(col.values, profile).table, (schema.key, col.name)
                assert f"load.values_fix.{col.values}" in TEXT or col.unknown == "no data"
            if col.warn_default:
                assert f"load.default.{col.name}" in TEXT, col.name
            if col.required and col.type == "number":
                assert f"load.what.{schema.key}.{col.name}" in TEXT, (schema.key, col.name)


def test_a_new_column_is_data_not_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A column added to a schema is recognised, read by its type and checked by its value
    table with no change to the loader (on a real file)."""
    import dataclasses

    import geopandas as gpd
    from shapely.geometry import box

    from lifecircle.layers.loader import map_columns
    from lifecircle.layers.validate import ROW, Check
    from lifecircle.profile import load_profile
    from lifecircle.schemas import Column

    base = SCHEMAS["communities"]
    extra = (Column("beds", "number", names=("床位数",)),
             Column("open", "bool", values="bool", default=True, names=("开放",)))
    monkeypatch.setitem(SCHEMAS, "communities", dataclasses.replace(
        base, columns=(*base.columns, *extra), order=(*base.order, "beds", "open")))
    gpd.GeoDataFrame({"SQMC": ["甲社区", "乙村"], "RK": [100, 200], "床位数": ["12", ""],
                      "开放": ["是", "也许"]},
                     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:4490"
                     ).to_file(tmp_path / "c.gpkg")
    frame = gpd.read_file(tmp_path / "c.gpkg")
    frame[ROW] = [1, 2]
    check = Check("c.gpkg (layers.communities)")
    out, used = map_columns("communities", frame, prj.LayerSpec("communities", tmp_path / "c.gpkg"),
                            load_profile(), check, need_population=True)
    assert used["beds"] == "床位数" and used["open"] == "开放"
    assert list(out.columns)[-4:] == ["beds", "open", ROW, "geometry"]
    assert out["beds"].iloc[0] == 12.0 and np.isnan(out["beds"].iloc[1])
    # '也许' is not yes/no: the column's table makes it a problem naming the value
    assert any("unknown open value: '也许'" in str(p) for p in check.problems), check.problems


def test_init_guesses_go_by_the_schemas_guess_data(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The role scores of ``init``/``inspect`` come from each schema's ``guess`` data: a
    points layer of idle buildings (real file) is candidates by its names; give the
    candidates schema no idle-word weight and the same file is no longer candidates."""
    import dataclasses

    import geopandas as gpd
    from shapely.geometry import Point

    from lifecircle.layers.init import _value_scores
    from lifecircle.layers.inspect import analyse
    from lifecircle.profile import load_profile
    from lifecircle.schemas import Guess

    names = ["原第三小学闲置校舍", "闲置办公楼", "红星宾馆(闲置)", "老厂房闲置用房"]
    gpd.GeoDataFrame({"MC": names, "MJ": [1200.0, 800.0, 950.0, 400.0]},
                     geometry=[Point(118.5 + i / 100, 31.7) for i in range(4)],
                     crs="EPSG:4490").to_file(tmp_path / "layer_a.gpkg")
    profile = load_profile()

    def best(path: Path) -> tuple[str, dict[str, float]]:
        scores = _value_scores(analyse(path, profile=profile)[0], profile)
        return max(scores, key=lambda k: scores[k]), scores

    role, scores = best(tmp_path / "layer_a.gpkg")
    assert role == "candidates", scores
    monkeypatch.setitem(SCHEMAS, "candidates", dataclasses.replace(
        SCHEMAS["candidates"], guess=Guess()))
    role2, scores2 = best(tmp_path / "layer_a.gpkg")
    assert role2 != "candidates", scores2
    assert scores["candidates"] - scores2["candidates"] == pytest.approx(6.0)
    raster = fld.guess_roles("raster", [], "grid.tif")
    monkeypatch.setitem(SCHEMAS, "population", dataclasses.replace(
        SCHEMAS["population"], guess=Guess()))
    assert raster["population"] - fld.guess_roles("raster", [], "grid.tif")["population"] \
        == pytest.approx(5.0)
